/* Reading files that users name (qemu/file.h). */
#include "qemu/osdep.h"
#include <sys/stat.h>
#include "qemu/file.h"

static bool read_all(int fd, char *buf, size_t len, Error **errp)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, buf + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : EIO, "read failed");
            return false;
        }
        done += n;
    }
    return true;
}

bool qemu_read_user_file(const char *path, size_t max, char **data,
                         size_t *len, Error **errp)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    bool ok = false;

    *data = NULL;
    *len = 0;
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open it");
        return false;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "cannot stat it");
    } else if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "it is not a regular file");
    } else if ((uint64_t)st.st_size > max) {
        error_setg(errp, "it is %" PRIu64 " bytes, more than the %zu it may "
                   "be", (uint64_t)st.st_size, max);
    } else {
        *data = g_malloc(st.st_size + 1);
        ok = read_all(fd, *data, st.st_size, errp);
        (*data)[ok ? st.st_size : 0] = '\0';
        *len = ok ? st.st_size : 0;
    }
    close(fd);
    if (!ok) {
        g_clear_pointer(data, g_free);
    }
    return ok;
}
