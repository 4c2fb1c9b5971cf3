/*
 * The functional suite's guest cases: qvfio on the kernel's real vfio-pci.
 *
 * Runs inside the throwaway guest that scripts/functional/run-guest boots,
 * where QEMU's emulated edu (1234:11e8) and e1000e (8086:10d3) devices are
 * bound to vfio-pci. Each case starts qvfio (QTEST_QEMU_BINARY) under
 * qtest with -device vfio-pci,host=... and drives the machine through
 * libqtest, checking what a guest sees against the device and the host.
 *
 * Cases print "report: ..." messages (TAP comments) that the demo shows.
 * Outside such a guest every case skips.
 */
#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "libqtest.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define E1000E_VENDOR 0x8086
#define E1000E_DEVICE 0x10d3

/* Where the assigned device sits on qvfio's machine. */
#define TEST_SLOT 4
#define TEST_DEVFN QPCI_DEVFN(TEST_SLOT, 0)
#define TEST_RAM "128M"

/* edu's BAR0 (QEMU's docs/specs/edu.rst) */
#define EDU_ID          0x00
#define EDU_LIVENESS    0x04
#define EDU_FACTORIAL   0x08
#define EDU_STATUS      0x20
#define EDU_STATUS_BUSY     0x01
#define EDU_IRQ_STATUS  0x24
#define EDU_IRQ_RAISE   0x60
#define EDU_IRQ_ACK     0x64
#define EDU_DMA_SRC     0x80
#define EDU_DMA_DST     0x88
#define EDU_DMA_COUNT   0x90
#define EDU_DMA_CMD     0x98
#define EDU_DMA_START       0x1
#define EDU_DMA_TO_RAM      0x2
#define EDU_DMA_BUF     0x40000
/*
 * The buffer is 4 KiB, but QEMU 7.2's edu refuses (and stops the machine
 * on) a transfer that ends exactly at its end: stay inside.
 */
#define EDU_DMA_SIZE    3072
#define EDU_ID_VALUE    0x010000ed

/* e1000e (82574L) registers in BAR0 */
#define E1000_ICR       0x00C0
#define E1000_ICS       0x00C8
#define E1000_IMS       0x00D0
#define E1000_IMC       0x00D8
#define E1000_EIAC      0x00DC
#define E1000_IVAR      0x00E4
#define E1000_ICR_OTHER     (1u << 24)
#define E1000_IVAR_VALID    0x8
#define E1000_IVAR_OTHER_SHIFT 16

#define WAIT_MS 5000
#define MiB (1024 * 1024)

/* The host side: the device as sysfs shows it inside this guest */

typedef struct HostDev {
    char *addr;                 /* 0000:00:03.0 */
    char *sysfs;                /* /sys/bus/pci/devices/0000:00:03.0 */
    int group;
    uint8_t config[256];
} HostDev;

static char *sysfs_read(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return NULL;
    }
    return g_strstrip(text);
}

static void host_dev_free(HostDev *h)
{
    if (h) {
        g_free(h->addr);
        g_free(h->sysfs);
        g_free(h);
    }
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HostDev, host_dev_free)

/*
 * The device @vendor:@device bound to vfio-pci, or NULL after marking the
 * case skipped (we are not in the functional guest).
 */
static HostDev *host_dev_find(uint16_t vendor, uint16_t device,
                              const char *what)
{
    const char *base = "/sys/bus/pci/devices";
    GDir *dir = g_dir_open(base, 0, NULL);
    const char *name;
    HostDev *found = NULL;

    while (dir && !found && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(base, name, NULL);
        g_autofree char *v = sysfs_read(path, "vendor");
        g_autofree char *d = sysfs_read(path, "device");
        g_autofree char *drv_link = g_build_filename(path, "driver", NULL);
        g_autofree char *grp_link = g_build_filename(path, "iommu_group",
                                                     NULL);
        g_autofree char *drv = g_file_read_link(drv_link, NULL);
        g_autofree char *grp = g_file_read_link(grp_link, NULL);
        g_autofree char *cfg_path = g_build_filename(path, "config", NULL);
        g_autofree char *cfg = NULL;
        gsize len = 0;

        if (!v || !d || strtoul(v, NULL, 16) != vendor ||
            strtoul(d, NULL, 16) != device) {
            continue;
        }
        if (!drv || !g_str_has_suffix(drv, "/vfio-pci") || !grp) {
            g_test_message("%s %s is not bound to vfio-pci", what, name);
            continue;
        }
        if (!g_file_get_contents(cfg_path, &cfg, &len, NULL) || len < 64) {
            continue;
        }
        found = g_new0(HostDev, 1);
        found->addr = g_strdup(name);
        found->sysfs = g_strdup(path);
        found->group = atoi(strrchr(grp, '/') ? strrchr(grp, '/') + 1 : grp);
        memcpy(found->config, cfg, MIN(len, sizeof(found->config)));
    }
    if (dir) {
        g_dir_close(dir);
    }
    if (!found) {
        g_autofree char *msg = g_strdup_printf(
            "no %s (%04x:%04x) bound to vfio-pci here: these cases run in "
            "the guest of scripts/functional/run-guest", what, vendor, device);
        g_test_skip(msg);
    }
    return found;
}

static uint16_t cfg_w(const uint8_t *c, int off)
{
    return c[off] | c[off + 1] << 8;
}

/* qvfio with the device assigned */

typedef struct Guest {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QGuestAllocator alloc;
    char *trace_path;           /* NULL: no trace */
    char *tmpdir;
} Guest;

static int64_t now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

/*
 * Start qvfio with @h assigned at TEST_SLOT. @props are extra vfio-pci
 * properties (",x-no-mmap=on"); @trace a -trace pattern (or NULL).
 */
static Guest *guest_start(HostDev *h, const char *props, const char *trace)
{
    Guest *g = g_new0(Guest, 1);
    g_autofree char *trace_args = NULL;
    int64_t t0 = now_ms();

    g->tmpdir = g_dir_make_tmp("vfio-guest-XXXXXX", NULL);
    g_assert(g->tmpdir);
    if (trace) {
        g->trace_path = g_build_filename(g->tmpdir, "trace.log", NULL);
        trace_args = g_strdup_printf("-trace '%s' -D %s", trace,
                                     g->trace_path);
    }
    g->qts = qtest_initf("-machine q35 -m " TEST_RAM " "
                         "-device vfio-pci,host=%s,addr=%02x.0,id=hostdev%s "
                         "%s", h->addr, TEST_SLOT, props ? props : "",
                         trace_args ? trace_args : "");
    g->bus = qpci_new_pc(g->qts);
    g->dev = qpci_device_find(g->bus, TEST_DEVFN);
    g_assert_nonnull(g->dev);
    pc_alloc_init(&g->alloc, g->qts);
    g_test_message("qvfio started with %s in %" PRId64 " ms", h->addr,
                   now_ms() - t0);
    return g;
}

static GPtrArray *trace_lines(Guest *g, const char *event);

/*
 * Quit qvfio; returns its exit status. With @event, *@lines gets the trace
 * lines of @event, the ones written while qvfio exited included.
 */
static int guest_stop_trace(Guest *g, const char *event, GPtrArray **lines)
{
    int ret;

    qpci_device_free(g->dev);
    qpci_free(g->bus);
    ret = qtest_quit(g->qts);
    if (event) {
        *lines = trace_lines(g, event);
    }
    if (g->trace_path) {
        unlink(g->trace_path);
    }
    rmdir(g->tmpdir);
    g_free(g->trace_path);
    g_free(g->tmpdir);
    g_free(g);
    return ret;
}

static int guest_stop(Guest *g)
{
    return guest_stop_trace(g, NULL, NULL);
}

/* Lines of the trace file that name @event (a prefix match). */
static GPtrArray *trace_lines(Guest *g, const char *event)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *needle = g_strdup_printf(":%s ", event);

    g_assert(g->trace_path);
    if (!g_file_get_contents(g->trace_path, &text, NULL, NULL)) {
        return out;
    }
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        if (strstr(lines[i], needle)) {
            g_ptr_array_add(out, g_strdup(lines[i]));
        }
    }
    return out;
}

/* Show qvfio's stderr and its trace so far (before a failing check). */
static void guest_diag(Guest *g, const char *why)
{
    g_autofree char *err = qtest_get_stderr(g->qts);
    g_autofree char *trace = NULL;

    g_test_message("%s; qvfio stderr: %s", why, *err ? err : "(empty)");
    if (g->trace_path &&
        g_file_get_contents(g->trace_path, &trace, NULL, NULL)) {
        g_test_message("qvfio trace:\n%s", trace);
    }
}

/* Poll @addr in qvfio's guest RAM until it holds @want (or time runs out). */
static bool wait_ram(Guest *g, uint64_t addr, uint32_t want, int64_t *ms)
{
    int64_t t0 = now_ms();

    do {
        if (qtest_readl(g->qts, addr) == want) {
            if (ms) {
                *ms = now_ms() - t0;
            }
            return true;
        }
        g_usleep(1000);
    } while (now_ms() - t0 < WAIT_MS);
    return false;
}

/* Config header: what the guest reads is the device's own */

static void check_header(uint16_t vendor, uint16_t device, const char *what)
{
    g_autoptr(HostDev) h = host_dev_find(vendor, device, what);
    Guest *g;
    QPCIDevice *d;
    const uint8_t *c;
    static const struct { int off, size; const char *name; } regs[] = {
        { PCI_VENDOR_ID, 2, "vendor" },
        { PCI_DEVICE_ID, 2, "device" },
        { PCI_REVISION_ID, 1, "revision" },
        { PCI_CLASS_PROG, 1, "prog-if" },
        { PCI_CLASS_DEVICE, 2, "class" },
        { PCI_SUBSYSTEM_VENDOR_ID, 2, "subsystem vendor" },
        { PCI_SUBSYSTEM_ID, 2, "subsystem" },
        { PCI_INTERRUPT_PIN, 1, "interrupt pin" },
    };

    if (!h) {
        return;
    }
    c = h->config;
    g = guest_start(h, NULL, NULL);
    d = g->dev;
    for (size_t i = 0; i < G_N_ELEMENTS(regs); i++) {
        uint32_t host = regs[i].size == 2 ? cfg_w(c, regs[i].off)
                                          : c[regs[i].off];
        uint32_t seen = regs[i].size == 2
                        ? qpci_config_readw(d, regs[i].off)
                        : qpci_config_readb(d, regs[i].off);

        if (host != seen) {
            g_test_message("%s: %s is 0x%x in qvfio's guest, 0x%x on the "
                           "host", what, regs[i].name, seen, host);
        }
        g_assert_cmphex(seen, ==, host);
    }
    /* Header type without the multi-function bit, which is virtual. */
    g_assert_cmphex(qpci_config_readb(d, PCI_HEADER_TYPE) & 0x7f, ==,
                    c[PCI_HEADER_TYPE] & 0x7f);
    g_test_message("report: %s %04x:%04x class %06x rev %02x (host %s, "
                   "IOMMU group %d) at 00:%02x.0 of qvfio's machine: IDs, "
                   "class, revision, subsystem and pin match the host's "
                   "config", what, cfg_w(c, 0), cfg_w(c, 2),
                   c[PCI_CLASS_PROG] | cfg_w(c, PCI_CLASS_DEVICE) << 8,
                   c[PCI_REVISION_ID], h->addr, h->group, TEST_SLOT);
    g_assert_cmpint(guest_stop(g), ==, 0);
}

static void test_edu_config_header(void)
{
    check_header(EDU_VENDOR, EDU_DEVICE, "edu");
}

static void test_e1000e_config_header(void)
{
    check_header(E1000E_VENDOR, E1000E_DEVICE, "e1000e");
}

/* edu BAR0: the mmap'd fast path and the read/write slow path agree */

typedef struct EduAnswers {
    uint32_t id, liveness, factorial;
    uint64_t size;
} EduAnswers;

static QPCIBar edu_map(Guest *g, uint64_t *size)
{
    QPCIBar bar = qpci_iomap(g->dev, 0, size);

    qpci_device_enable(g->dev);
    return bar;
}

static uint32_t edu_factorial(Guest *g, QPCIBar bar, uint32_t n)
{
    int64_t t0 = now_ms();

    qpci_io_writel(g->dev, bar, EDU_FACTORIAL, n);
    while (qpci_io_readl(g->dev, bar, EDU_STATUS) & EDU_STATUS_BUSY) {
        g_assert_cmpint(now_ms() - t0, <, WAIT_MS);
        g_usleep(1000);
    }
    return qpci_io_readl(g->dev, bar, EDU_FACTORIAL);
}

static void edu_ask(HostDev *h, const char *props, bool want_mmap,
                    EduAnswers *a)
{
    Guest *g = guest_start(h, props, "vfio_bar_mmap");
    g_autoptr(GPtrArray) mmaps = NULL;
    QPCIBar bar = edu_map(g, &a->size);
    bool bar0_mmapped = false;

    a->id = qpci_io_readl(g->dev, bar, EDU_ID);
    qpci_io_writel(g->dev, bar, EDU_LIVENESS, 0x12345678);
    a->liveness = qpci_io_readl(g->dev, bar, EDU_LIVENESS);
    a->factorial = edu_factorial(g, bar, 10);
    mmaps = trace_lines(g, "vfio_bar_mmap");
    for (guint i = 0; i < mmaps->len; i++) {
        bar0_mmapped |= strstr(mmaps->pdata[i], " BAR 0 ") != NULL;
    }
    g_test_message("%s: BAR0 %s (%u mmap trace lines)", props ? props : "",
                   bar0_mmapped ? "mmap'd" : "not mmap'd", mmaps->len);
    g_assert_cmpint(bar0_mmapped, ==, want_mmap);
    g_assert_cmpint(guest_stop(g), ==, 0);
}

static void test_edu_bar0_paths(void)
{
    g_autoptr(HostDev) h = host_dev_find(EDU_VENDOR, EDU_DEVICE, "edu");
    EduAnswers fast, slow;
    int64_t t0, t_fast, t_slow;

    if (!h) {
        return;
    }
    t0 = now_ms();
    edu_ask(h, NULL, true, &fast);
    t_fast = now_ms() - t0;
    t0 = now_ms();
    edu_ask(h, ",x-no-mmap=on", false, &slow);
    t_slow = now_ms() - t0;

    g_assert_cmphex(fast.size, ==, 1 * MiB);
    g_assert_cmphex(fast.id, ==, EDU_ID_VALUE);
    g_assert_cmphex(fast.liveness, ==, ~0x12345678u);
    g_assert_cmpuint(fast.factorial, ==, 3628800);
    g_assert_cmphex(slow.size, ==, fast.size);
    g_assert_cmphex(slow.id, ==, fast.id);
    g_assert_cmphex(slow.liveness, ==, fast.liveness);
    g_assert_cmpuint(slow.factorial, ==, fast.factorial);
    g_test_message("report: edu BAR0 1 MiB: id 0x%08x, liveness 0x12345678 "
                   "-> 0x%08x, 10! = %u; the same through mmap (%" PRId64
                   " ms) and through x-no-mmap=on (%" PRId64 " ms)",
                   fast.id, fast.liveness, fast.factorial, t_fast, t_slow);
}

/* edu MSI: the guest's message lands in its RAM */

static void edu_msi_setup(Guest *g, uint64_t addr, uint16_t data)
{
    uint8_t cap = qpci_find_capability(g->dev, PCI_CAP_ID_MSI, 0);
    uint16_t ctrl;

    g_assert_cmpint(cap, !=, 0);
    ctrl = qpci_config_readw(g->dev, cap + PCI_MSI_FLAGS);
    qpci_config_writel(g->dev, cap + PCI_MSI_ADDRESS_LO, addr);
    if (ctrl & PCI_MSI_FLAGS_64BIT) {
        qpci_config_writel(g->dev, cap + PCI_MSI_ADDRESS_HI, addr >> 32);
        qpci_config_writew(g->dev, cap + PCI_MSI_DATA_64, data);
    } else {
        g_assert_cmphex(addr >> 32, ==, 0);
        qpci_config_writew(g->dev, cap + PCI_MSI_DATA_32, data);
    }
    qpci_config_writew(g->dev, cap + PCI_MSI_FLAGS,
                       (ctrl & ~PCI_MSI_FLAGS_QSIZE) | PCI_MSI_FLAGS_ENABLE);
    g_assert(qpci_config_readw(g->dev, cap + PCI_MSI_FLAGS) &
             PCI_MSI_FLAGS_ENABLE);
}

static void test_edu_msi(void)
{
    g_autoptr(HostDev) h = host_dev_find(EDU_VENDOR, EDU_DEVICE, "edu");
    Guest *g;
    QPCIBar bar;
    uint64_t msg;
    int64_t ms[2];

    if (!h) {
        return;
    }
    g = guest_start(h, NULL, NULL);
    bar = edu_map(g, NULL);
    msg = guest_alloc(&g->alloc, 4096);
    qtest_writel(g->qts, msg, 0);
    edu_msi_setup(g, msg, 0x4321);
    /* Nothing arrives unasked. */
    g_usleep(100 * 1000);
    g_assert_cmphex(qtest_readl(g->qts, msg), ==, 0);

    for (int i = 0; i < 2; i++) {
        qtest_writel(g->qts, msg, 0);
        qpci_io_writel(g->dev, bar, EDU_IRQ_RAISE, 0x1 << i);
        if (!wait_ram(g, msg, 0x4321, &ms[i])) {
            g_test_message("MSI %d: RAM at 0x%" PRIx64 " holds 0x%x", i, msg,
                           qtest_readl(g->qts, msg));
            g_assert_not_reached();
        }
        g_assert_cmphex(qpci_io_readl(g->dev, bar, EDU_IRQ_STATUS), ==,
                        0x1u << i);
        qpci_io_writel(g->dev, bar, EDU_IRQ_ACK, 0x1 << i);
        g_assert_cmphex(qpci_io_readl(g->dev, bar, EDU_IRQ_STATUS), ==, 0);
    }
    g_test_message("report: edu MSI programmed to guest RAM 0x%" PRIx64
                   " data 0x4321: raised twice, arrived after %" PRId64
                   " and %" PRId64 " ms", msg, ms[0], ms[1]);
    g_assert_cmpint(guest_stop(g), ==, 0);
}

/* edu DMA: RAM -> device buffer -> other RAM, through the IOMMU mapping */

static void edu_dma(Guest *g, QPCIBar bar, uint64_t src, uint64_t dst,
                    uint32_t cmd)
{
    int64_t t0 = now_ms();

    qpci_io_writeq(g->dev, bar, EDU_DMA_SRC, src);
    qpci_io_writeq(g->dev, bar, EDU_DMA_DST, dst);
    qpci_io_writeq(g->dev, bar, EDU_DMA_COUNT, EDU_DMA_SIZE);
    qpci_io_writeq(g->dev, bar, EDU_DMA_CMD, cmd | EDU_DMA_START);
    while (qpci_io_readl(g->dev, bar, EDU_DMA_CMD) & EDU_DMA_START) {
        g_assert_cmpint(now_ms() - t0, <, WAIT_MS);
        g_usleep(1000);
    }
}

static void test_edu_dma(void)
{
    g_autoptr(HostDev) h = host_dev_find(EDU_VENDOR, EDU_DEVICE, "edu");
    g_autofree uint8_t *pattern = g_malloc(EDU_DMA_SIZE);
    g_autofree uint8_t *back = g_malloc(EDU_DMA_SIZE);
    Guest *g;
    QPCIBar bar;
    uint64_t src, dst;
    int64_t t0, t_in, t_out;

    if (!h) {
        return;
    }
    g = guest_start(h, NULL, NULL);
    bar = edu_map(g, NULL);
    /*
     * edu masks DMA addresses to 28 bits: stay below 256 MiB. Both RAM
     * buffers straddle a page boundary.
     */
    src = guest_alloc(&g->alloc, 2 * 4096) + 2048;
    dst = guest_alloc(&g->alloc, 64 * 1024) + 31 * 1024;
    g_assert_cmphex(dst + EDU_DMA_SIZE, <=, 256 * MiB);
    for (int i = 0; i < EDU_DMA_SIZE; i++) {
        pattern[i] = (i * 7 + 3) ^ (i >> 8);
    }
    qtest_bufwrite(g->qts, src, pattern, EDU_DMA_SIZE);
    qtest_memset(g->qts, dst, 0, EDU_DMA_SIZE);

    t0 = now_ms();
    edu_dma(g, bar, src, EDU_DMA_BUF, 0);
    t_in = now_ms() - t0;
    t0 = now_ms();
    edu_dma(g, bar, EDU_DMA_BUF, dst, EDU_DMA_TO_RAM);
    t_out = now_ms() - t0;
    qtest_bufread(g->qts, dst, back, EDU_DMA_SIZE);
    for (int i = 0; i < EDU_DMA_SIZE; i++) {
        if (back[i] != pattern[i]) {
            g_test_message("byte %d: got 0x%02x, want 0x%02x", i, back[i],
                           pattern[i]);
            g_assert_cmphex(back[i], ==, pattern[i]);
        }
    }
    g_test_message("report: edu DMA of %d bytes: guest RAM 0x%" PRIx64
                   " -> device buffer (%" PRId64 " ms) -> guest RAM 0x%"
                   PRIx64 " (%" PRId64 " ms): pattern intact, so guest RAM "
                   "is mapped through the IOMMU", EDU_DMA_SIZE, src, t_in,
                   dst, t_out);
    g_assert_cmpint(guest_stop(g), ==, 0);
}

/* edu INTx with MSI off: raise, level held, acknowledge, lowered */

static bool wait_irq(Guest *g, int gsi, bool level)
{
    int64_t t0 = now_ms();

    do {
        if (qtest_get_irq(g->qts, gsi) == level) {
            return true;
        }
        g_usleep(1000);
    } while (now_ms() - t0 < WAIT_MS);
    return false;
}

static void test_edu_intx(void)
{
    g_autoptr(HostDev) h = host_dev_find(EDU_VENDOR, EDU_DEVICE, "edu");
    Guest *g;
    QPCIBar bar;
    uint8_t pin;
    int gsi;
    int64_t t0, t_raise;

    if (!h) {
        return;
    }
    g = guest_start(h, NULL, NULL);
    qtest_irq_intercept_in(g->qts, "ioapic");
    bar = edu_map(g, NULL);
    pin = qpci_config_readb(g->dev, PCI_INTERRUPT_PIN);
    g_assert_cmpint(pin, >=, 1);
    g_assert_cmpint(pin, <=, 4);
    gsi = 16 + (TEST_SLOT + pin - 1) % 4;
    g_assert_false(qpci_config_readw(g->dev, PCI_COMMAND) &
                   PCI_COMMAND_INTX_DISABLE);
    g_assert_false(qtest_get_irq(g->qts, gsi));

    for (int i = 0; i < 2; i++) {
        t0 = now_ms();
        qpci_io_writel(g->dev, bar, EDU_IRQ_RAISE, 0x10 << i);
        g_assert_true(wait_irq(g, gsi, true));
        t_raise = now_ms() - t0;
        g_assert_true(qpci_config_readw(g->dev, PCI_STATUS) &
                      PCI_STATUS_INTERRUPT);
        /* Still asserted: the level holds until the device is acked. */
        g_usleep(50 * 1000);
        g_assert_true(qtest_get_irq(g->qts, gsi));
        qpci_io_writel(g->dev, bar, EDU_IRQ_ACK, 0x10 << i);
        /* Any BAR access is the EOI: it unmasks the host line. */
        g_assert_cmphex(qpci_io_readl(g->dev, bar, EDU_IRQ_STATUS), ==, 0);
        g_assert_true(wait_irq(g, gsi, false));
        g_usleep(100 * 1000);
        g_assert_false(qtest_get_irq(g->qts, gsi));
        g_test_message("INTx round %d: raised after %" PRId64 " ms", i,
                       t_raise);
    }
    g_test_message("report: edu INTx (pin %c, ioapic input %d) with MSI "
                   "off: raised, held until acknowledged, lowered, twice",
                   'A' + pin - 1, gsi);
    g_assert_cmpint(guest_stop(g), ==, 0);
}

/* e1000e: the expansion ROM is the image given to the outer machine */

static void test_e1000e_rom(void)
{
    g_autoptr(HostDev) h = host_dev_find(E1000E_VENDOR, E1000E_DEVICE,
                                         "e1000e");
    const char *rom_path = getenv("QVFIO_FUNC_ROM");
    g_autofree uint8_t *image = NULL;
    g_autofree uint8_t *seen = NULL;
    g_autoptr(GPtrArray) reads = NULL;
    gsize image_size;
    Guest *g;
    uint32_t mask, rom_size;
    uint64_t addr;
    int64_t t0, t_read;

    if (!h) {
        return;
    }
    if (!rom_path || !g_file_get_contents(rom_path, (char **)&image,
                                          &image_size, NULL)) {
        g_test_skip("QVFIO_FUNC_ROM does not name the e1000e's ROM image");
        return;
    }
    g = guest_start(h, NULL, "vfio_rom_*");
    qpci_config_writel(g->dev, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS_MASK);
    mask = qpci_config_readl(g->dev, PCI_ROM_ADDRESS) & PCI_ROM_ADDRESS_MASK;
    if (!mask) {
        guest_diag(g, "the ROM BAR is not implemented");
    }
    g_assert_cmphex(mask, !=, 0);
    rom_size = mask & -mask;
    g_assert_cmpuint(rom_size, >=, image_size);
    addr = QEMU_ALIGN_UP(g->bus->mmio_alloc_ptr, rom_size);
    g->bus->mmio_alloc_ptr = addr + rom_size;
    qpci_config_writel(g->dev, PCI_ROM_ADDRESS,
                       addr | PCI_ROM_ADDRESS_ENABLE);
    qpci_device_enable(g->dev);

    seen = g_malloc(image_size);
    for (int pass = 0; pass < 2; pass++) {
        t0 = now_ms();
        memset(seen, 0, image_size);
        qtest_bufread(g->qts, addr, seen, image_size);
        t_read = now_ms() - t0;
        for (gsize i = 0; i < image_size; i++) {
            if (seen[i] != image[i]) {
                g_test_message("pass %d: ROM byte 0x%zx is 0x%02x, the "
                               "image has 0x%02x", pass, i, seen[i],
                               image[i]);
                g_assert_cmphex(seen[i], ==, image[i]);
            }
        }
    }
    /* The device's ROM region was read once, at realize. */
    reads = trace_lines(g, "vfio_rom_region");
    for (guint i = 0; i < reads->len; i++) {
        g_test_message("trace: %s", (char *)reads->pdata[i]);
    }
    g_assert_cmpuint(reads->len, ==, 1);
    g_test_message("report: e1000e ROM BAR %u KiB at 0x%" PRIx64 ": %zu "
                   "bytes (signature %02x%02x) equal %s, read twice by the "
                   "guest (%" PRId64 " ms), read from the device once",
                   rom_size / 1024, addr, image_size, seen[0], seen[1],
                   rom_path, t_read);
    g_assert_cmpint(guest_stop(g), ==, 0);
}

/* e1000e MSI-X */

typedef struct Msix {
    Guest *g;
    QPCIBar bar0;
    uint16_t nvec;
    uint64_t ram;               /* one dword per vector */
} Msix;

static void msix_start(Msix *m, HostDev *h, const char *trace)
{
    m->g = guest_start(h, NULL, trace);
    m->bar0 = qpci_iomap(m->g->dev, 0, NULL);
    qpci_msix_enable(m->g->dev);
    qpci_device_enable(m->g->dev);
    m->nvec = qpci_msix_table_size(m->g->dev);
    g_assert_cmpuint(m->nvec, >=, 2);
    m->ram = guest_alloc(&m->g->alloc, 4096);
    qtest_memset(m->g->qts, m->ram, 0, 4096);
    /* Interrupt "other" causes go to vector IVAR[19:16]; no auto-clear. */
    qpci_io_writel(m->g->dev, m->bar0, E1000_IMC, 0xffffffff);
    qpci_io_writel(m->g->dev, m->bar0, E1000_EIAC, 0);
}

static uint64_t msix_addr(Msix *m, int v)
{
    return m->ram + 16 * v;
}

static uint32_t msix_data(int v)
{
    return 0x4000 + v;
}

/* Make the device raise its "other" cause on vector @v. */
static void e1000e_fire(Msix *m, int v)
{
    QPCIDevice *d = m->g->dev;

    qpci_io_writel(d, m->bar0, E1000_IMC, 0xffffffff);
    qpci_io_writel(d, m->bar0, E1000_ICR, 0xffffffff);
    qpci_io_writel(d, m->bar0, E1000_IVAR,
                   (v | E1000_IVAR_VALID) << E1000_IVAR_OTHER_SHIFT);
    qpci_io_writel(d, m->bar0, E1000_IMS, E1000_ICR_OTHER);
    qpci_io_writel(d, m->bar0, E1000_ICS, E1000_ICR_OTHER);
}

static void msix_expect(Msix *m, int v, int64_t *ms)
{
    if (!wait_ram(m->g, msix_addr(m, v), msix_data(v), ms)) {
        g_test_message("vector %d: RAM at 0x%" PRIx64 " holds 0x%x, "
                       "ICR 0x%x", v, msix_addr(m, v),
                       qtest_readl(m->g->qts, msix_addr(m, v)),
                       qpci_io_readl(m->g->dev, m->bar0, E1000_ICS));
        g_assert_not_reached();
    }
    qtest_writel(m->g->qts, msix_addr(m, v), 0);
}

static void test_e1000e_msix(void)
{
    g_autoptr(HostDev) h = host_dev_find(E1000E_VENDOR, E1000E_DEVICE,
                                         "e1000e");
    Msix m;
    g_autoptr(GString) times = g_string_new(NULL);

    if (!h) {
        return;
    }
    msix_start(&m, h, NULL);
    for (int v = 0; v < m.nvec; v++) {
        qpci_msix_set_entry(m.g->dev, v, msix_addr(&m, v), msix_data(v),
                            false);
    }
    /*
     * Where the kernel cannot add vectors (NORESIZE), unmasking re-enables
     * MSI-X, and the model may signal live vectors so that none is lost:
     * let that settle before counting messages.
     */
    g_usleep(200 * 1000);
    for (int v = 0; v < m.nvec; v++) {
        uint32_t early = qtest_readl(m.g->qts, msix_addr(&m, v));

        if (early) {
            g_test_message("vector %d: 0x%x arrived while the vectors were "
                           "being unmasked", v, early);
            g_assert_cmphex(early, ==, msix_data(v));
            qtest_writel(m.g->qts, msix_addr(&m, v), 0);
        }
    }
    for (int v = m.nvec - 1; v >= 0; v--) {
        int64_t ms;

        e1000e_fire(&m, v);
        msix_expect(&m, v, &ms);
        /* Only that vector's message arrived. */
        for (int o = 0; o < m.nvec; o++) {
            g_assert_cmphex(qtest_readl(m.g->qts, msix_addr(&m, o)), ==, 0);
        }
        g_string_append_printf(times, "%s%d: %" PRId64 " ms",
                               times->len ? ", " : "", v, ms);
    }
    g_test_message("report: e1000e MSI-X, %u vectors programmed to guest "
                   "RAM 0x%" PRIx64 "..: each raised by the device (ICS "
                   "\"other\" cause routed by IVAR) arrived at its own "
                   "address (%s)", m.nvec, m.ram, times->str);
    g_assert_cmpint(guest_stop(m.g), ==, 0);
}

static void test_e1000e_msix_pba(void)
{
    g_autoptr(HostDev) h = host_dev_find(E1000E_VENDOR, E1000E_DEVICE,
                                         "e1000e");
    const int v = 1;
    Msix m;
    int64_t t0;
    bool pending = false;

    if (!h) {
        return;
    }
    msix_start(&m, h, NULL);
    qpci_msix_set_entry(m.g->dev, 0, msix_addr(&m, 0), msix_data(0), false);
    qpci_msix_set_entry(m.g->dev, v, msix_addr(&m, v), msix_data(v), false);
    /* Deliverable first, so the vector is live on the host. */
    e1000e_fire(&m, v);
    msix_expect(&m, v, NULL);
    g_assert_false(qpci_msix_pending(m.g->dev, v));

    /* Masked: the interrupt is held as pending, not delivered. */
    qpci_msix_set_entry(m.g->dev, v, msix_addr(&m, v), msix_data(v), true);
    g_assert_true(qpci_msix_masked(m.g->dev, v));
    e1000e_fire(&m, v);
    t0 = now_ms();
    while (!(pending = qpci_msix_pending(m.g->dev, v)) &&
           now_ms() - t0 < WAIT_MS) {
        g_usleep(1000);
    }
    g_assert_true(pending);
    g_assert_cmphex(qtest_readl(m.g->qts, msix_addr(&m, v)), ==, 0);
    g_assert_false(qpci_msix_pending(m.g->dev, 0));

    /* Unmasked: the pending message is delivered and the bit clears. */
    qpci_msix_set_entry(m.g->dev, v, msix_addr(&m, v), msix_data(v), false);
    msix_expect(&m, v, NULL);
    g_assert_false(qpci_msix_pending(m.g->dev, v));
    g_test_message("report: e1000e MSI-X vector %d masked: the device's "
                   "interrupt set its PBA bit and wrote nothing; on unmask "
                   "the message was delivered and the bit cleared", v);
    g_assert_cmpint(guest_stop(m.g), ==, 0);
}

/*
 * Whether the kernel needs MSI-X disabled and re-enabled to add vectors
 * (VFIO_IRQ_INFO_NORESIZE), asked of the kernel directly before qvfio
 * owns the device. -1 if it cannot be told.
 */
static int kernel_msix_noresize(HostDev *h)
{
    g_autofree char *group_path = g_strdup_printf("/dev/vfio/%d", h->group);
    struct vfio_group_status status = { .argsz = sizeof(status) };
    struct vfio_irq_info irq = { .argsz = sizeof(irq),
                                 .index = VFIO_PCI_MSIX_IRQ_INDEX };
    int container, group = -1, device = -1, ret = -1;

    container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
    if (container < 0) {
        return -1;
    }
    group = open(group_path, O_RDWR | O_CLOEXEC);
    if (group < 0 ||
        ioctl(group, VFIO_GROUP_GET_STATUS, &status) < 0 ||
        !(status.flags & VFIO_GROUP_FLAGS_VIABLE) ||
        ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0 ||
        ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) < 0) {
        goto out;
    }
    device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, h->addr);
    if (device < 0 || ioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &irq) < 0) {
        goto out;
    }
    ret = !!(irq.flags & VFIO_IRQ_INFO_NORESIZE);
out:
    if (device >= 0) {
        close(device);
    }
    if (group >= 0) {
        close(group);
    }
    close(container);
    return ret;
}

typedef struct SetIrqs {
    unsigned index, flags, start, count;
} SetIrqs;

static GArray *msix_set_irqs(Guest *g)
{
    g_autoptr(GPtrArray) lines = trace_lines(g, "vfio_kernel_set_irqs");
    GArray *out = g_array_new(false, false, sizeof(SetIrqs));

    for (guint i = 0; i < lines->len; i++) {
        const char *p = strstr(lines->pdata[i], " index ");
        SetIrqs s;

        g_assert_nonnull(p);
        g_assert_cmpint(sscanf(p, " index %u flags 0x%x start %u count %u",
                               &s.index, &s.flags, &s.start, &s.count), ==,
                        4);
        if (s.index == VFIO_PCI_MSIX_IRQ_INDEX) {
            g_array_append_val(out, s);
        }
    }
    return out;
}

static void test_e1000e_msix_cost(void)
{
    g_autoptr(HostDev) h = host_dev_find(E1000E_VENDOR, E1000E_DEVICE,
                                         "e1000e");
    g_autoptr(GString) costs = g_string_new(NULL);
    Msix m;
    int noresize;
    guint seen;
    int total = 0;

    if (!h) {
        return;
    }
    noresize = kernel_msix_noresize(h);
    g_assert_cmpint(noresize, >=, 0);
    msix_start(&m, h, "vfio_kernel_set_irqs");
    {
        g_autoptr(GArray) calls = msix_set_irqs(m.g);
        seen = calls->len;
    }
    for (int v = 0; v < m.nvec; v++) {
        g_autoptr(GArray) calls = NULL;
        bool full = false;
        int n;

        qpci_msix_set_entry(m.g->dev, v, msix_addr(&m, v), msix_data(v),
                            false);
        /* Any read of the table orders us after qvfio's handling. */
        qpci_msix_masked(m.g->dev, v);
        calls = msix_set_irqs(m.g);
        n = calls->len - seen;
        for (guint i = seen; i < calls->len; i++) {
            SetIrqs *s = &g_array_index(calls, SetIrqs, i);

            g_test_message("vector %d: SET_IRQS flags 0x%x start %u count %u",
                           v, s->flags, s->start, s->count);
            if (s->start == 0 && s->count >= (unsigned)v + 1 &&
                (s->flags & VFIO_IRQ_SET_DATA_EVENTFD)) {
                full = true;
            }
            if (!noresize) {
                /* Dynamic allocation: just this vector, no teardown. */
                g_assert_cmpuint(s->count, ==, 1);
                g_assert_cmpuint(s->start, ==, v);
            }
        }
        if (noresize) {
            /* Growing needs a re-enable with every vector, at most
             * a disable and an enable. */
            g_assert_cmpint(n, >=, 1);
            g_assert_cmpint(n, <=, 2);
            g_assert_true(full);
        } else {
            g_assert_cmpint(n, ==, 1);
        }
        g_string_append_printf(costs, "%s%d", costs->len ? "," : "", n);
        total += n;
        seen = calls->len;
    }
    /* Nothing lost on the way: every vector delivers. */
    for (int v = 0; v < m.nvec; v++) {
        e1000e_fire(&m, v);
        msix_expect(&m, v, NULL);
    }
    g_test_message("report: e1000e MSI-X vectors enabled one by one on a "
                   "kernel %s: SET_IRQS calls per vector %s (%d in all); "
                   "all %u vectors then delivered",
                   noresize ? "with NORESIZE (re-enable to grow)"
                            : "with dynamic MSI-X allocation",
                   costs->str, total, m.nvec);
    g_assert_cmpint(guest_stop(m.g), ==, 0);
}

/* Reset at start and exit: nothing the last owner did is seen again */

static void test_e1000e_reset(void)
{
    g_autoptr(HostDev) h = host_dev_find(E1000E_VENDOR, E1000E_DEVICE,
                                         "e1000e");
    const uint16_t cmd_bits = PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                              PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;
    g_autoptr(GPtrArray) resets = NULL;
    g_autofree char *cfg_path = NULL;
    bool at_open = false, at_exit = false;
    g_autofree char *cfg = NULL;
    gsize len;
    Guest *g;
    uint8_t cap;
    uint16_t cmd, msix;
    uint32_t bar0;

    if (!h) {
        return;
    }
    g_test_message("host COMMAND before qvfio: 0x%04x",
                   cfg_w(h->config, PCI_COMMAND));
    g = guest_start(h, NULL, "vfio_pci_reset*");
    g_test_message("first qvfio sees COMMAND 0x%04x at start",
                   qpci_config_readw(g->dev, PCI_COMMAND));
    qpci_iomap(g->dev, 0, NULL);
    qpci_config_writew(g->dev, PCI_COMMAND, cmd_bits);
    g_assert_cmphex(qpci_config_readw(g->dev, PCI_COMMAND) & cmd_bits, ==,
                    cmd_bits);
    cap = qpci_find_capability(g->dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmpint(cap, !=, 0);
    qpci_config_writew(g->dev, cap + PCI_MSIX_FLAGS,
                       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    g_assert_cmphex(qpci_config_readw(g->dev, cap + PCI_MSIX_FLAGS) &
                    PCI_MSIX_FLAGS_ENABLE, ==, PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmpint(guest_stop_trace(g, "vfio_pci_reset", &resets), ==, 0);
    for (guint i = 0; i < resets->len; i++) {
        g_test_message("trace: %s", (char *)resets->pdata[i]);
        at_open |= strstr(resets->pdata[i], "(open)") != NULL;
        at_exit |= strstr(resets->pdata[i], "(release)") != NULL;
    }
    /* e1000e has a function reset: both must have happened. */
    g_assert_true(at_open);
    g_assert_true(at_exit);

    /* The host sees the device disabled again. */
    cfg_path = g_build_filename(h->sysfs, "config", NULL);
    g_assert_true(g_file_get_contents(cfg_path, &cfg, &len, NULL));
    g_assert_cmpuint(len, >=, 64);
    cmd = cfg_w((uint8_t *)cfg, PCI_COMMAND);
    g_test_message("host COMMAND after qvfio exit: 0x%04x", cmd);
    g_assert_cmphex(cmd & (PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE),
                    ==, 0);

    /* The next owner starts from reset values. */
    g = guest_start(h, NULL, NULL);
    cap = qpci_find_capability(g->dev, PCI_CAP_ID_MSIX, 0);
    cmd = qpci_config_readw(g->dev, PCI_COMMAND);
    bar0 = qpci_config_readl(g->dev, PCI_BASE_ADDRESS_0);
    msix = qpci_config_readw(g->dev, cap + PCI_MSIX_FLAGS);
    g_test_message("next qvfio sees COMMAND 0x%04x BAR0 0x%08x MSI-X "
                   "control 0x%04x", cmd, bar0, msix);
    g_assert_cmphex(cmd & cmd_bits, ==, 0);
    g_assert_cmphex(bar0 & PCI_BASE_ADDRESS_MEM_MASK, ==, 0);
    g_assert_cmphex(msix & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL),
                    ==, 0);
    g_test_message("report: e1000e reset at open and at exit: COMMAND, "
                   "BAR0 and MSI-X enable written by one qvfio read back "
                   "as reset values in the next");
    g_assert_cmpint(guest_stop(g), ==, 0);
}

/* One owner per group: a second qvfio fails clearly */

static void test_edu_group_busy(void)
{
    g_autoptr(HostDev) h = host_dev_find(EDU_VENDOR, EDU_DEVICE, "edu");
    g_autofree char *args = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *want = NULL;
    Guest *g;
    int status;

    if (!h) {
        return;
    }
    g = guest_start(h, NULL, NULL);
    args = g_strdup_printf("-machine q35 -accel qtest -display none "
                           "-m " TEST_RAM " -device vfio-pci,host=%s",
                           h->addr);
    g_assert_true(qtest_run_binary_timeout(qtest_product_binary(), args, NULL,
                                           &out, &err, &status, 60000));
    g_test_message("second qvfio: status 0x%x, stderr: %s", status, err);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    want = g_strdup_printf("group %d is busy", h->group);
    g_assert_nonnull(strstr(err, want));
    g_assert_nonnull(strstr(err, h->addr));
    /* The first one still owns a working device. */
    g_assert_cmphex(qpci_config_readw(g->dev, PCI_VENDOR_ID), ==, EDU_VENDOR);
    g_test_message("report: a second qvfio on %s (group %d) exits 1: %s",
                   h->addr, h->group, g_strstrip(err));
    g_assert_cmpint(guest_stop(g), ==, 0);
}

/* Two devices of different groups in one qvfio share one container */

static void test_both_one_container(void)
{
    g_autoptr(HostDev) edu = host_dev_find(EDU_VENDOR, EDU_DEVICE, "edu");
    g_autoptr(HostDev) nic = host_dev_find(E1000E_VENDOR, E1000E_DEVICE,
                                           "e1000e");
    g_autoptr(GPtrArray) created = NULL;
    g_autoptr(GPtrArray) joined = NULL;
    g_autoptr(GPtrArray) maps = NULL;
    g_autofree char *second = NULL;
    g_autoptr(GHashTable) extents = g_hash_table_new_full(g_str_hash,
                                                          g_str_equal,
                                                          g_free, NULL);
    QPCIDevice *nic_dev;
    Guest *g;

    if (!edu || !nic) {
        return;
    }
    g_assert_cmpint(edu->group, !=, nic->group);
    /* the second device rides on guest_start's -device argument */
    second = g_strdup_printf("0 -device vfio-pci,host=%s,addr=05.0,"
                             "id=hostdev1", nic->addr);
    g = guest_start(edu, second, "vfio_kernel_*");
    nic_dev = qpci_device_find(g->bus, QPCI_DEVFN(5, 0));
    g_assert_nonnull(nic_dev);
    g_assert_cmphex(qpci_config_readw(g->dev, PCI_VENDOR_ID), ==, EDU_VENDOR);
    g_assert_cmphex(qpci_config_readw(nic_dev, PCI_DEVICE_ID), ==,
                    E1000E_DEVICE);
    qpci_device_free(nic_dev);
    created = trace_lines(g, "vfio_kernel_container_new");
    joined = trace_lines(g, "vfio_kernel_container_attach");
    maps = trace_lines(g, "vfio_kernel_dma_map");
    g_assert_cmpint(guest_stop(g), ==, 0);
    g_assert_cmpuint(created->len, ==, 1);
    g_assert_cmpuint(joined->len, ==, 1);
    /* guest RAM is mapped once for the shared container, not per device */
    g_assert_cmpuint(maps->len, >=, 1);
    for (guint i = 0; i < maps->len; i++) {
        const char *iova = strstr(g_ptr_array_index(maps, i), "iova");

        g_assert_nonnull(iova);
        g_assert_true(g_hash_table_add(extents, g_strdup(iova)));
    }
    g_test_message("report: edu (group %d) and e1000e (group %d) share one "
                   "container; guest RAM mapped once (%u extents)",
                   edu->group, nic->group, maps->len);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/edu/config-header", test_edu_config_header);
    g_test_add_func("/edu/bar0-mmap-vs-slow-path", test_edu_bar0_paths);
    g_test_add_func("/edu/msi-to-ram", test_edu_msi);
    g_test_add_func("/edu/dma-round-trip", test_edu_dma);
    g_test_add_func("/edu/intx", test_edu_intx);
    g_test_add_func("/edu/group-busy", test_edu_group_busy);
    g_test_add_func("/e1000e/config-header", test_e1000e_config_header);
    g_test_add_func("/e1000e/rom", test_e1000e_rom);
    g_test_add_func("/e1000e/msix-to-ram", test_e1000e_msix);
    g_test_add_func("/e1000e/msix-masked-pba", test_e1000e_msix_pba);
    g_test_add_func("/e1000e/msix-set-irqs-cost", test_e1000e_msix_cost);
    g_test_add_func("/e1000e/reset-no-leak", test_e1000e_reset);
    g_test_add_func("/both/one-container", test_both_one_container);
    return g_test_run();
}
