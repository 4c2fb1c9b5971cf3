/*
 * The Linux loader (hw/i386/x86-boot.c): any kernel file, initrd size,
 * command line and memory map. The input is
 *   u8 flags       bit 0: an initrd, bit 1: a huge (sparse 3 GiB) one,
 *                  bit 2: the memory map follows (else 64 MiB of RAM as
 *                  q35 gives it)
 *   u16 initrd     its size in 64-byte units (bit 1 aside)
 *   u8 len, bytes  the command line (a NUL ends it early)
 *   [u8 n, n * (u64 addr, u64 size, u8 type)]  the memory map
 *   the rest       the kernel file
 * The files are memfds. A load either fails with a message or puts every
 * piece in RAM the map calls RAM, apart from each other, with the kernel's
 * bytes where the entry point says; a second load (a reset) gives the same.
 */
#include "qemu/osdep.h"
#include "hw/i386/x86-boot.h"
#include "system/memory.h"
#include "fuzz-util.h"
#include <asm/bootparam.h>
#include <sys/mman.h>

#define FUZZ_RAM_SIZE (64ULL << 20)
#define FUZZ_HUGE_INITRD (3ULL << 30)

static int fds_baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_machine_init(FUZZ_RAM_SIZE, NULL);
    fds_baseline = fuzz_count_fds();
    return 0;
}

/* A memfd of @size bytes starting with @data (@len bytes), as a path. */
static int fuzz_file(const char *name, const void *data, size_t len,
                     uint64_t size, char **path)
{
    int fd = memfd_create(name, MFD_CLOEXEC);

    if (fd < 0 || ftruncate(fd, size) < 0 ||
        (len && pwrite(fd, data, len, 0) != (ssize_t)len)) {
        fuzz_fail("memfd for the %s: %s", name, g_strerror(errno));
    }
    *path = g_strdup_printf("/proc/self/fd/%d", fd);
    return fd;
}

static void fuzz_e820(FuzzInput *in, bool custom, X86E820Table *t)
{
    unsigned n;

    x86_e820_init(t);
    if (!custom) {
        x86_e820_add(t, 0, 0x9fc00, X86_E820_RAM, &error_abort);
        x86_e820_add(t, 0x100000, FUZZ_RAM_SIZE - 0x100000, X86_E820_RAM,
                     &error_abort);
        return;
    }
    n = fuzz_u8(in) % 9;
    for (unsigned i = 0; i < n; i++) {
        uint64_t addr = fuzz_u64(in), size = fuzz_u64(in);
        uint8_t type = fuzz_u8(in) % 8;

        /* A bad range is refused here; the loader never sees it. */
        x86_e820_add(t, addr, size, type, NULL);
    }
}

/* [addr, addr + size) in one RAM range of the map. */
static void check_in_ram(const X86E820Table *t, const char *what,
                         uint64_t addr, uint64_t size)
{
    const struct boot_e820_entry *e = x86_e820_find(t, addr, size);

    if (size && (!e || e->type != X86_E820_RAM)) {
        fuzz_fail("the %s (0x%" PRIx64 " +0x%" PRIx64 ") is not in RAM",
                  what, addr, size);
    }
}

static void check_apart(const char *a, uint64_t a_start, uint64_t a_end,
                        const char *b, uint64_t b_start, uint64_t b_end)
{
    if (a_start < b_end && b_start < a_end) {
        fuzz_fail("the %s [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps the %s "
                  "[0x%" PRIx64 ", 0x%" PRIx64 ")", a, a_start, a_end, b,
                  b_start, b_end);
    }
}

static void check_layout(const X86E820Table *t, const X86BootHeader *hdr,
                         const X86BootEntry *e, const uint8_t *kernel_file)
{
    const X86BootLayout *l = &e->layout;
    g_autofree uint8_t *loaded = g_malloc(l->kernel_size);

    check_in_ram(t, "kernel span", hdr->span_start,
                 hdr->span_end - hdr->span_start);
    check_in_ram(t, "initrd", l->initrd_addr, l->initrd_size);
    check_in_ram(t, "command line", l->cmdline_addr, l->cmdline_size);
    check_in_ram(t, "zero page", X86_BOOT_ZERO_PAGE_ADDR,
                 sizeof(struct boot_params));
    check_apart("initrd", l->initrd_addr, l->initrd_addr + l->initrd_size,
                "kernel span", hdr->span_start, hdr->span_end);
    if (l->initrd_size &&
        l->initrd_addr + l->initrd_size > (uint64_t)hdr->initrd_addr_max + 1) {
        fuzz_fail("the initrd ends above initrd_addr_max 0x%x",
                  hdr->initrd_addr_max);
    }
    if (e->eip != l->kernel_addr || l->kernel_addr < hdr->span_start ||
        l->kernel_addr + l->kernel_size > hdr->span_end) {
        fuzz_fail("entry 0x%x outside the kernel span", e->eip);
    }
    address_space_read(&address_space_memory, l->kernel_addr, loaded,
                       l->kernel_size);
    if (memcmp(loaded, kernel_file + hdr->setup_size, l->kernel_size)) {
        fuzz_fail("the kernel in RAM is not the file's");
    }
}

static void check_error(Error *err, const char *what)
{
    const char *msg = error_get_pretty(err);

    if (!*msg || !g_utf8_validate(msg, -1, NULL)) {
        fuzz_fail("%s failed without a readable message", what);
    }
    error_free(err);
}

static void fuzz_load(const X86BootImage *img, const X86E820Table *t,
                      const uint8_t *kernel_file)
{
    X86BootConfig cfg = { .e820 = t };
    X86BootEntry first, again;
    Error *err = NULL;

    if (!x86_boot_image_load(img, &cfg, &first, &err)) {
        check_error(err, "a load");
        return;
    }
    check_layout(t, x86_boot_image_header(img), &first, kernel_file);
    if (!x86_boot_image_load(img, &cfg, &again, &error_abort) ||
        memcmp(&first, &again, sizeof(first))) {
        fuzz_fail("a second load (a reset) placed the image elsewhere");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = fuzz_input(data, size);
    uint8_t flags = fuzz_u8(&in);
    uint64_t initrd_size = (uint64_t)fuzz_u16(&in) * 64;
    char cmdline[256] = "";
    g_autofree char *kernel_path = NULL, *initrd_path = NULL;
    int kernel_fd, initrd_fd = -1;
    X86E820Table e820;
    X86BootImage *img;
    Error *err = NULL;

    fuzz_bytes(&in, cmdline, fuzz_u8(&in));
    fuzz_e820(&in, flags & 4, &e820);
    kernel_fd = fuzz_file("kernel", data + in.pos, size - MIN(size, in.pos),
                          size - MIN(size, in.pos), &kernel_path);
    if (flags & 1) {
        initrd_size = flags & 2 ? FUZZ_HUGE_INITRD : initrd_size;
        initrd_fd = fuzz_file("initrd", NULL, 0, initrd_size, &initrd_path);
    }
    img = x86_boot_image_new(kernel_path, initrd_path, cmdline, &err);
    if (img) {
        fuzz_load(img, &e820, data + MIN(size, in.pos));
        x86_boot_image_free(img);
    } else {
        check_error(err, "opening the image");
    }
    close(kernel_fd);
    if (initrd_fd >= 0) {
        close(initrd_fd);
    }
    fuzz_check_fds(fds_baseline, "after a boot image");
    fuzz_reports_reset();
    return 0;
}
