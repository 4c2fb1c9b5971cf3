/*
 * bar-read BDF BAR OFFSET [COUNT]: read the 32-bit register at OFFSET of
 * a PCI function's memory BAR COUNT times (default 1000) through its sysfs
 * resource file, as a driver's readl() would, and print the value and the
 * time per read in nanoseconds: "0x00010400 1234". Runs inside the inner
 * guest of the functional suite (linked statically: the guest has no C
 * library), where it tells whether a BAR read leaves the guest.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char path[256];
    unsigned long offset, count = 1000;
    volatile uint32_t *reg;
    struct timespec t0, t1;
    uint32_t value = 0;
    void *map;
    long page = sysconf(_SC_PAGESIZE);
    int fd;

    if (argc < 4) {
        fprintf(stderr, "usage: bar-read BDF BAR OFFSET [COUNT]\n");
        return 2;
    }
    offset = strtoul(argv[3], NULL, 0);
    if (argc > 4) {
        count = strtoul(argv[4], NULL, 0);
    }
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%s",
             argv[1], argv[2]);
    fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    map = mmap(NULL, offset / page * page + page, PROT_READ, MAP_SHARED, fd,
               0);
    if (map == MAP_FAILED || !count || offset % 4) {
        perror("mmap");
        return 1;
    }
    reg = (volatile uint32_t *)((char *)map + offset);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned long i = 0; i < count; i++) {
        value = *reg;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("0x%08" PRIx32 " %.0f\n", value,
           ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / count);
    return 0;
}
