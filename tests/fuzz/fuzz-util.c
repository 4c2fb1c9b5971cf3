/* Helpers shared by the libFuzzer targets (fuzz-util.h). */
#include "qemu/osdep.h"
#include <dirent.h>
#include "fuzz-util.h"
#include "hw/core/machine.h"
#include "hw/core/qdev.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qemu/trace.h"
#include "qom/object.h"
#include "system/accel.h"
#include "system/memory.h"
#include "system/qdev-monitor.h"
#include "system/qtest.h"
#include "system/runstate.h"
#include <linux/pci_regs.h>

#define FUZZ_DRAIN_MAX 1000     /* iterations: a busy loop is a finding */

static GString *reports;

/* Input */

bool fuzz_input_done(const FuzzInput *in)
{
    return in->pos >= in->len;
}

size_t fuzz_bytes(FuzzInput *in, void *buf, size_t len)
{
    size_t n = MIN(len, in->len - MIN(in->pos, in->len));

    memcpy(buf, in->data + in->pos, n);
    memset((uint8_t *)buf + n, 0, len - n);
    in->pos += n;
    return n;
}

uint8_t fuzz_u8(FuzzInput *in)
{
    uint8_t v;

    fuzz_bytes(in, &v, sizeof(v));
    return v;
}

uint16_t fuzz_u16(FuzzInput *in)
{
    uint8_t b[2];

    fuzz_bytes(in, b, sizeof(b));
    return lduw_le_p(b);
}

uint32_t fuzz_u32(FuzzInput *in)
{
    uint8_t b[4];

    fuzz_bytes(in, b, sizeof(b));
    return ldl_le_p(b);
}

uint64_t fuzz_u64(FuzzInput *in)
{
    uint8_t b[8];

    fuzz_bytes(in, b, sizeof(b));
    return ldq_le_p(b);
}

/* Findings */

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "fuzz: FINDING: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (reports && reports->len) {
        fprintf(stderr, "fuzz: reports of this input:\n%s", reports->str);
    }
    abort();
}

/* The machine */

void fuzz_reports_reset(void)
{
    if (reports) {
        g_string_truncate(reports, 0);
    }
}

const char *fuzz_reports(void)
{
    return reports ? reports->str : "";
}

static void fuzz_add_device(const char *arg)
{
    Error *err = NULL;
    QemuOpts *opts = arg[0] == '{' ? qdev_opts_from_json(arg, &err)
                                   : qemu_opts_parse(arg, "driver", &err);

    if (!opts || !qdev_device_add(opts, &err)) {
        fprintf(stderr, "fuzz: -device %s: %s\n", arg, error_get_pretty(err));
        abort();
    }
    qemu_opts_free(opts);
}

void fuzz_machine_init(uint64_t ram_size, const char *const *devices)
{
    MachineClass *mc = machine_class_find("q35");
    MachineState *ms;

    if (!getenv("FUZZ_VERBOSE")) {
        reports = g_string_new(NULL);
        error_capture_begin(reports);
    }
    if (getenv("FUZZ_TRACE")) {
        trace_enable_pattern(getenv("FUZZ_TRACE"), true);
    }
    /* As qemu_main: this thread is the main loop's and holds the BQL. */
    qemu_main_loop_init();
    accel_init("qtest", true, "q35", &error_abort);
    memory_system_init();
    ms = MACHINE(object_new(object_class_get_name(OBJECT_CLASS(mc))));
    ms->ram_size = ram_size;
    object_property_add_child(object_get_root(), "machine", OBJECT(ms),
                              &error_abort);
    object_unref(OBJECT(ms));
    current_machine = ms;
    if (!mc->init(ms, &error_abort)) {
        abort();
    }
    for (; devices && *devices; devices++) {
        fuzz_add_device(*devices);
    }
    runstate_set(RUN_STATE_RUNNING);
    /* GLib's main context (and its wakeup eventfd) exists from now on. */
    fuzz_main_loop_drain();
    fuzz_reports_reset();
}

void fuzz_main_loop_drain(void)
{
    for (int i = 0; g_main_context_pending(NULL); i++) {
        if (i == FUZZ_DRAIN_MAX) {
            fuzz_fail("the main loop is still busy after %d iterations",
                      FUZZ_DRAIN_MAX);
        }
        qemu_main_loop_poll_once(false);
    }
    qemu_clock_run_all_timers();
}

static int collect_user_device(Object *child, void *opaque)
{
    g_ptr_array_add(opaque, object_ref(child));
    return 0;
}

void fuzz_remove_user_devices(void)
{
    static const char *const parents[] = {
        "/machine/peripheral", "/machine/peripheral-anon",
    };

    for (size_t i = 0; i < ARRAY_SIZE(parents); i++) {
        Object *parent = object_resolve_path(parents[i], NULL);
        g_autoptr(GPtrArray) devs = g_ptr_array_new();

        if (!parent) {
            continue;
        }
        object_child_foreach(parent, collect_user_device, devs);
        for (guint j = devs->len; j-- > 0;) {
            DeviceState *dev = (DeviceState *)object_dynamic_cast(
                g_ptr_array_index(devs, j), TYPE_DEVICE);

            if (dev) {
                qdev_device_remove(dev);
            }
            object_unref(g_ptr_array_index(devs, j));
        }
    }
}

/* Firmware */

static hwaddr ecam(unsigned devfn, unsigned reg)
{
    return FUZZ_ECAM_BASE + ((hwaddr)devfn << 12) + reg;
}

static uint32_t cfg_readl(unsigned devfn, unsigned reg)
{
    return address_space_ldl_le(&address_space_memory, ecam(devfn, reg),
                                NULL);
}

static void cfg_writel(unsigned devfn, unsigned reg, uint32_t val)
{
    address_space_stl_le(&address_space_memory, ecam(devfn, reg), val, NULL);
}

/* Size the BAR at @reg and place it; returns how many registers it used. */
static int fuzz_place_bar(unsigned devfn, unsigned reg, uint64_t *mmio,
                          uint64_t *pio)
{
    uint32_t lo, mask;
    uint64_t size, *next, end;
    bool io, mem64;

    cfg_writel(devfn, reg, 0xffffffff);
    mask = cfg_readl(devfn, reg);
    io = reg != PCI_ROM_ADDRESS && (mask & PCI_BASE_ADDRESS_SPACE_IO);
    mem64 = !io && reg != PCI_ROM_ADDRESS &&
            (mask & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
            PCI_BASE_ADDRESS_MEM_TYPE_64;
    lo = mask & (io ? PCI_BASE_ADDRESS_IO_MASK :
                 reg == PCI_ROM_ADDRESS ? PCI_ROM_ADDRESS_MASK :
                 PCI_BASE_ADDRESS_MEM_MASK);
    size = mem64 ? 0 : ~0ULL << 32;
    if (mem64) {
        cfg_writel(devfn, reg + 4, 0xffffffff);
        size = (uint64_t)cfg_readl(devfn, reg + 4) << 32;
    }
    size = ~(size | lo) + 1;
    if (!lo) {
        cfg_writel(devfn, reg, 0);
        return mem64 ? 2 : 1;
    }
    next = io ? pio : mmio;
    end = io ? FUZZ_PIO_END : FUZZ_MMIO_END;
    if (!size || QEMU_ALIGN_UP(*next, size) + size > end) {
        cfg_writel(devfn, reg, 0);
        return mem64 ? 2 : 1;
    }
    *next = QEMU_ALIGN_UP(*next, size);
    cfg_writel(devfn, reg, *next | (reg == PCI_ROM_ADDRESS ?
                                    PCI_ROM_ADDRESS_ENABLE : 0));
    if (mem64) {
        cfg_writel(devfn, reg + 4, 0);
    }
    *next += size;
    return mem64 ? 2 : 1;
}

static void place_function(unsigned devfn, uint64_t *mmio, uint64_t *pio)
{
    for (unsigned reg = PCI_BASE_ADDRESS_0; reg <= PCI_BASE_ADDRESS_5;) {
        reg += 4 * fuzz_place_bar(devfn, reg, mmio, pio);
    }
    fuzz_place_bar(devfn, PCI_ROM_ADDRESS, mmio, pio);
    cfg_writel(devfn, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
               PCI_COMMAND_MASTER);
}

void fuzz_pci_place(unsigned devfn)
{
    uint64_t mmio = FUZZ_MMIO_BASE, pio = FUZZ_PIO_BASE;

    place_function(devfn, &mmio, &pio);
}

void fuzz_pci_firmware(void)
{
    static bool present[256], scanned;
    uint64_t mmio = FUZZ_MMIO_BASE, pio = FUZZ_PIO_BASE;

    /* The functions do not change once the machine is built: scan once. */
    for (unsigned devfn = 0; !scanned && devfn < 256; devfn++) {
        present[devfn] = (cfg_readl(devfn, PCI_VENDOR_ID) & 0xffff) != 0xffff;
    }
    scanned = true;
    for (unsigned devfn = 0; devfn < 256; devfn++) {
        if (present[devfn]) {
            place_function(devfn, &mmio, &pio);
        }
    }
}

/* The machine of the guest-facing targets */

static int pci_machine_fds;

void fuzz_pci_machine_init(void)
{
    static const char *const devices[] = {
        "vfio-pci,host=fake:msix,addr=3.0,id=vfio0",
        "qvfio-test-pci,addr=4.0,id=testdev",
        NULL,
    };

    fuzz_machine_init(64 * 1024 * 1024, devices);
    fuzz_pci_firmware();
    fuzz_main_loop_drain();
    pci_machine_fds = fuzz_count_fds();
}

void fuzz_pci_machine_reset(const char *what)
{
    qemu_system_reset();
    fuzz_pci_firmware();
    fuzz_main_loop_drain();
    fuzz_check_fds(pci_machine_fds, what);
    fuzz_reports_reset();
}

/* Checks */

/* Pipes and /dev/null are libFuzzer's own (its output, -close_fd_mask). */
static bool fd_is_ours(int dirfd, const char *name, GString *list)
{
    char target[256];
    ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);

    if (n < 0) {
        return false;
    }
    target[n] = '\0';
    if (g_str_has_prefix(target, "pipe:") || !strcmp(target, "/dev/null")) {
        return false;
    }
    if (list) {
        g_string_append_printf(list, " %s:%s", name, target);
    }
    return true;
}

/* Our open fds; their numbers and targets are appended to @list. */
static int count_fds(GString *list)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    if (!d) {
        return -1;
    }
    while ((de = readdir(d))) {
        n += de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d) &&
             fd_is_ours(dirfd(d), de->d_name, list);
    }
    closedir(d);
    return n;
}

int fuzz_count_fds(void)
{
    return count_fds(NULL);
}

void fuzz_check_fds(int baseline, const char *what)
{
    g_autoptr(GString) list = g_string_new(NULL);
    int now = count_fds(list);

    if (now > baseline) {
        fuzz_fail("%s: %d file descriptor(s) leaked (%d open, %d before):%s",
                  what, now - baseline, now, baseline, list->str);
    }
}
