/* Reading files that users name (romfile=, a secret's file=). */
#ifndef QEMU_FILE_H
#define QEMU_FILE_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/*
 * The whole of @path into *@data (g_free it; NUL-terminated, *@len bytes
 * before the NUL). Only a regular file of at most @max bytes is read:
 * a device (/dev/zero would never end), a FIFO (it would block), a
 * directory or a larger file fails, errp saying why without the path
 * (callers name it with what it was for).
 */
bool qemu_read_user_file(const char *path, size_t max, char **data,
                         size_t *len, Error **errp);

#endif
