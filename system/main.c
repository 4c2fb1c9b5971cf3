/* The qvfio program: everything happens in qemu_main() (system/vl.c). */
#include "qemu/osdep.h"
#include "system/system.h"

int main(int argc, char **argv)
{
    return qemu_main(argc, argv);
}
