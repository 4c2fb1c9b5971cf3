/*
 * The fault matrix: a device on the fake backend fails in each way a
 * device or the host can (tests/vfio, reached over QMP with the test
 * binary's x-fake-vfio-* commands or armed by the spec's [faults]), and
 * each test shows that the guest keeps a working device (or gets a clear
 * error at hotplug), that the monitor keeps answering, that the failure
 * is reported once rather than per access, and that nothing leaks: the
 * fds return to what they were before the device was plugged (memory is
 * the sanitizer and valgrind runs' business, at qvfio's exit).
 *
 * The ROM region's faults (short, unreadable, lying about its size) are
 * in vfio-rom-test; mmap failures of BARs in vfio-bars-test as well.
 */
#include <sys/resource.h>
#include "vfio-test-util.h"

#define DEV_ID "dev0"
#define MSIX_DATA 0x4a000000
#define FAKE_BAR0 0                 /* region indexes (linux/vfio.h) */

typedef struct Fx {
    VfioTest t;
    int fds_before_plug;
} Fx;

/* qvfio with a QMP monitor, the fake's trace events, no device yet. */
static void fx_start(Fx *f, const char *args)
{
    vt_init(&f->t);
    f->t.qts = qtest_init_with_qmpf("-m 256 %s -D %s " VT_TRACE_IRQ
                                    " -trace vfio_spurious_wakeup",
                                    args ? args : "", f->t.log);
    f->t.bus = qpci_new_pc(f->t.qts);
    pc_alloc_init(&f->t.alloc, f->t.qts);
    f->fds_before_plug = qtest_count_fds(qtest_pid(f->t.qts));
}

static void fx_stop(Fx *f)
{
    qpci_device_free(f->t.dev);
    qpci_free(f->t.bus);
    g_assert_cmpint(qtest_quit(f->t.qts), ==, 0);
    vt_cleanup(&f->t);
}

/* The monitor still answers. */
static void assert_serving(Fx *f)
{
    JsonObject *r = qtest_qmp(f->t.qts, "{\"execute\":\"query-status\"}");

    qmp_return(r);
    json_object_unref(r);
}

/* qvfio notices closed fds in its own time (idle callbacks): wait. */
static void assert_fds_back(Fx *f)
{
    pid_t pid = qtest_pid(f->t.qts);
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (qtest_count_fds(pid) != f->fds_before_plug &&
           g_get_monotonic_time() < deadline) {
        g_usleep(1000);
    }
    g_assert_cmpint(qtest_count_fds(pid), ==, f->fds_before_plug);
}

/* device_add of the fake at 00:03.0: NULL, or the error's description. */
static char *plug(Fx *f, const char *profile, const char *ini)
{
    g_autofree char *host = vt_host(&f->t, profile, ini);
    JsonObject *r = qtest_qmp(f->t.qts, "{\"execute\":\"device_add\","
                              "\"arguments\":{\"driver\":\"vfio-pci\","
                              "\"id\":\"" DEV_ID "\",\"addr\":\"%d.0\","
                              "\"host\":\"%s\"}}", VT_SLOT, host);
    char *desc = NULL;

    if (json_object_has_member(r, "error")) {
        desc = g_strdup(json_object_get_string_member(
                            json_object_get_object_member(r, "error"),
                            "desc"));
    }
    json_object_unref(r);
    return desc;
}

/* Plug, then map BAR0 and enable the device as a guest would. */
static void plug_ok(Fx *f, const char *profile, const char *ini)
{
    g_autofree char *err = plug(f, profile, ini);

    g_assert_null(err);
    f->t.dev = qpci_device_find(f->t.bus, QPCI_DEVFN(VT_SLOT, 0));
    g_assert(f->t.dev);
    f->t.bar0 = qpci_iomap(f->t.dev, 0, NULL);
    qpci_device_enable(f->t.dev);
}

static void unplug(Fx *f)
{
    JsonObject *ev;

    qtest_qmp_assert_success(f->t.qts, "{\"execute\":\"device_del\","
                             "\"arguments\":{\"id\":\"" DEV_ID "\"}}");
    ev = qtest_qmp_eventwait(f->t.qts, "DEVICE_DELETED");
    json_object_unref(ev);
    g_clear_pointer(&f->t.dev, qpci_device_free);
}

static void inject(Fx *f, const char *fault, int64_t arg)
{
    qtest_qmp_assert_success(f->t.qts, "{\"execute\":"
                             "\"x-fake-vfio-inject-fault\",\"arguments\":"
                             "{\"id\":\"" DEV_ID "\",\"fault\":\"%s\","
                             "\"arg\":%" PRId64 "}}", fault, arg);
}

/* Lines of qvfio's stderr so far that contain @needle. */
static unsigned stderr_lines(Fx *f, const char *needle)
{
    g_autofree char *err = qtest_get_stderr(f->t.qts);

    return vt_count_lines(err, needle);
}

/* MSI-X on, vector @v aimed at a fresh doorbell: its address. */
static uint64_t msix_setup(Fx *f, int v)
{
    uint64_t db = vt_doorbell(&f->t);

    if (!f->t.dev->msix_enabled) {
        qpci_msix_enable(f->t.dev);
    }
    qpci_msix_set_entry(f->t.dev, v, db, MSIX_DATA + v, false);
    return db;
}

/* Fire @v and wait until the model handled it; did it arrive at @db? */
static bool fire_arrives(Fx *f, int v, uint64_t db)
{
    bool arrived;

    vt_fire_handled(&f->t, "vfio_msix_interrupt", v);
    arrived = qtest_readl(f->t.qts, db) == (uint32_t)MSIX_DATA + v;
    qtest_writel(f->t.qts, db, 0);
    return arrived;
}

/* Region reads and writes fail with EIO */

/* BAR0's registers (always trapped): all ones, dropped, one warning. */
static void test_bar_eio(void)
{
    Fx f;

    fx_start(&f, NULL);
    plug_ok(&f, "msix", NULL);
    qpci_io_writel(f.t.dev, f.t.bar0, VT_REG_SCRATCH, 0x1234);
    inject(&f, "region-eio", FAKE_BAR0);
    for (int i = 0; i < 50; i++) {
        g_assert_cmphex(qpci_io_readl(f.t.dev, f.t.bar0, VT_REG_ID), ==,
                        0xffffffff);
        qpci_io_writel(f.t.dev, f.t.bar0, VT_REG_SCRATCH, i);
    }
    g_assert_cmpuint(stderr_lines(&f, "BAR 0 read of 4 bytes"), ==, 1);
    g_assert_cmpuint(stderr_lines(&f, "warning"), ==, 1);
    assert_serving(&f);
    /* Once the device answers again, nothing was written meanwhile. */
    inject(&f, "region-eio", -1);
    g_assert_cmphex(qpci_io_readl(f.t.dev, f.t.bar0, VT_REG_ID), ==,
                    VT_FAKE_ID);
    g_assert_cmphex(qpci_io_readl(f.t.dev, f.t.bar0, VT_REG_SCRATCH), ==,
                    0x1234);
    unplug(&f);
    assert_fds_back(&f);
    fx_stop(&f);
}

/* Config space: the device's bits read all ones, ours still work. */
static void test_config_eio(void)
{
    Fx f;
    uint32_t bar0;

    fx_start(&f, NULL);
    plug_ok(&f, "msix", NULL);
    bar0 = qpci_config_readl(f.t.dev, PCI_BASE_ADDRESS_0);
    inject(&f, "region-eio", VFIO_PCI_CONFIG_REGION_INDEX);
    for (int i = 0; i < 20; i++) {
        g_assert_cmphex(qpci_config_readw(f.t.dev, PCI_VENDOR_ID), ==,
                        0xffff);
        qpci_config_writeb(f.t.dev, PCI_LATENCY_TIMER, i);
    }
    /* virtual registers do not need the device */
    g_assert_cmphex(qpci_config_readl(f.t.dev, PCI_BASE_ADDRESS_0), ==, bar0);
    qpci_config_writeb(f.t.dev, PCI_INTERRUPT_LINE, 11);
    g_assert_cmphex(qpci_config_readb(f.t.dev, PCI_INTERRUPT_LINE), ==, 11);
    g_assert_cmpuint(stderr_lines(&f, "config space"), ==, 1);
    g_assert_cmpuint(stderr_lines(&f, "warning"), ==, 1);
    assert_serving(&f);
    inject(&f, "region-eio", -1);
    g_assert_cmphex(qpci_config_readw(f.t.dev, PCI_VENDOR_ID), ==, 0x8086);
    unplug(&f);
    assert_fds_back(&f);
    fx_stop(&f);
}

/* SET_IRQS fails */

/*
 * No INTx pin, so that the first SET_IRQS of enabling MSI-X is MSI-X's
 * own (with INTx on, turning INTx off at the host comes first).
 */
#define NO_INTX "[device]\nintx-pin=0\n"

/*
 * On enable: one warning; the guest's next change to the table (here,
 * unmasking vector 0) tries again and its interrupts arrive.
 */
static void test_set_irqs_on_enable(void)
{
    Fx f;
    uint64_t db;

    fx_start(&f, NULL);
    plug_ok(&f, "msix", NO_INTX);
    inject(&f, "set-irqs", 1);
    qpci_msix_enable(f.t.dev);
    g_assert_cmpuint(stderr_lines(&f, "cannot set MSI-X vectors 0 to 0"), ==,
                     1);
    assert_serving(&f);
    db = msix_setup(&f, 0);
    g_assert_true(fire_arrives(&f, 0, db));
    /* and off and on again */
    qpci_msix_disable(f.t.dev);
    db = msix_setup(&f, 0);
    g_assert_true(fire_arrives(&f, 0, db));
    g_assert_cmpuint(stderr_lines(&f, "warning"), ==, 1);
    unplug(&f);
    assert_fds_back(&f);
    fx_stop(&f);
}

/* On a later vector: that vector goes without, the others keep theirs. */
static void test_set_irqs_later_vector(void)
{
    Fx f;
    uint64_t db0, db2;

    fx_start(&f, NULL);
    plug_ok(&f, "msix", NO_INTX);
    db0 = msix_setup(&f, 0);
    g_assert_true(fire_arrives(&f, 0, db0));
    inject(&f, "set-irqs", 1);
    db2 = msix_setup(&f, 2);
    g_assert_cmpuint(stderr_lines(&f, "cannot set MSI-X vectors 2 to 2"), ==,
                     1);
    g_assert_true(fire_arrives(&f, 0, db0));
    /* vector 2 has no host vector: the device cannot reach the guest */
    vt_fire(&f.t, 2);
    g_assert_true(fire_arrives(&f, 0, db0));
    g_assert_cmphex(qtest_readl(f.t.qts, db2), ==, 0);
    g_assert_cmpuint(vt_log_count(&f.t, "vfio_msix_interrupt", "vector 2 "),
                     ==, 0);
    assert_serving(&f);
    unplug(&f);
    assert_fds_back(&f);
    fx_stop(&f);
}

/* An eventfd read finds nothing: no interrupt, no spin, the next works. */
static void test_eventfd_read(void)
{
    Fx f;
    uint64_t db;

    fx_start(&f, NULL);
    plug_ok(&f, "msix", NULL);
    db = msix_setup(&f, 0);
    inject(&f, "eventfd-read", 1);
    vt_fire(&f.t, 0);
    g_assert_true(vt_wait_log(&f.t, "vfio_spurious_wakeup", "vector 0", 1));
    g_assert_cmpuint(vt_log_count(&f.t, "fake_vfio_irq_stolen", NULL), ==, 1);
    g_assert_cmphex(qtest_readl(f.t.qts, db), ==, 0);
    assert_serving(&f);
    g_assert_true(fire_arrives(&f, 0, db));
    g_assert_cmpuint(stderr_lines(&f, "warning"), ==, 0);
    unplug(&f);
    assert_fds_back(&f);
    fx_stop(&f);
}

/* DMA map failures, at hotplug: a clear error, and all is let go */

static void assert_plug_fails(Fx *f, const char *ini, const char *needle)
{
    g_autofree char *err = plug(f, "basic", ini);

    if (!err || !strstr(err, needle)) {
        g_error("device_add with '%s': expected '%s', got '%s'", ini, needle,
                err ? err : "success");
    }
    assert_serving(f);
    assert_fds_back(f);
    /* and the next device plugs */
    g_assert_null(plug(f, "basic", NULL));
    unplug(f);
    assert_fds_back(f);
}

static void test_dma_map_nospace(void)
{
    Fx f;

    fx_start(&f, NULL);
    assert_plug_fails(&f, "[faults]\ndma-map-nospace=1\n",
                      "the IOMMU's limit of DMA mappings is reached: raise "
                      "the vfio_iommu_type1 module's dma_entry_limit");
    fx_stop(&f);
}

/* RAM above and below 4 GiB is two mappings; the IOMMU allows one. */
static void test_dma_avail_used_up(void)
{
    Fx f;

    fx_start(&f, "-m 2112M");
    assert_plug_fails(&f, "[iommu]\ndma-avail=1\n",
                      "the IOMMU allows only 1 DMA mappings and all are in "
                      "use");
    fx_stop(&f);
}

/* The locked-memory limit is too small: the message names both sizes. */
static void test_locked_memory(void)
{
    struct rlimit old, low;
    Fx f;

    g_assert_cmpint(getrlimit(RLIMIT_MEMLOCK, &old), ==, 0);
    low = old;
    low.rlim_cur = 1 << 20;
    if (old.rlim_max != RLIM_INFINITY && old.rlim_max < low.rlim_cur) {
        g_test_skip("the hard locked-memory limit is below 1 MiB");
        return;
    }
    /* qvfio inherits the lower limit; ours is restored at once */
    g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &low), ==, 0);
    fx_start(&f, NULL);
    g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &old), ==, 0);
    assert_plug_fails(&f, "[iommu]\naccount-locked=true\n",
                      "the locked-memory limit (RLIMIT_MEMLOCK, now 1 MiB) "
                      "is too low; guest RAM needs at least 256 MiB");
    fx_stop(&f);
}

/* The host wants the device back mid-run: stop, release, run on. */
static void test_device_request(void)
{
    Fx f;
    JsonObject *r;

    fx_start(&f, NULL);
    plug_ok(&f, "msix", "[device]\nreq-irq=true\n");
    msix_setup(&f, 0);
    qtest_qmp_assert_success(f.t.qts, "{\"execute\":\"x-fake-vfio-raise-irq\","
                             "\"arguments\":{\"id\":\"" DEV_ID "\","
                             "\"index\":%d}}", VFIO_PCI_REQ_IRQ_INDEX);
    json_object_unref(qtest_qmp_eventwait(f.t.qts, "STOP"));
    json_object_unref(qtest_qmp_eventwait(f.t.qts, "DEVICE_DELETED"));
    g_clear_pointer(&f.t.dev, qpci_device_free);
    g_assert_null(qpci_device_find(f.t.bus, QPCI_DEVFN(VT_SLOT, 0)));
    g_assert_cmpuint(stderr_lines(&f, "asks for the device back"), ==, 1);
    r = qtest_qmp(f.t.qts, "{\"execute\":\"x-fake-vfio-query\"}");
    g_assert_false(json_object_get_boolean_member(
                       json_node_get_object(qmp_return(r)), "open"));
    json_object_unref(r);
    qtest_qmp_assert_success(f.t.qts, "{\"execute\":\"cont\"}");
    json_object_unref(qtest_qmp_eventwait(f.t.qts, "RESUME"));
    assert_fds_back(&f);
    fx_stop(&f);
}

/* Reset fails: at system reset, then at release. */
static void test_reset_fails(void)
{
    Fx f;

    fx_start(&f, NULL);
    plug_ok(&f, "msix", NULL);
    inject(&f, "reset", 1);
    qtest_qmp_assert_success(f.t.qts, "{\"execute\":\"system_reset\"}");
    json_object_unref(qtest_qmp_eventwait(f.t.qts, "RESET"));
    g_assert_cmpuint(stderr_lines(&f, "device reset at system reset failed"),
                     ==, 1);
    /* the guest sets the device up again, as after any reset */
    f.t.bar0 = qpci_iomap(f.t.dev, 0, NULL);
    qpci_device_enable(f.t.dev);
    g_assert_cmphex(qpci_io_readl(f.t.dev, f.t.bar0, VT_REG_ID), ==,
                    VT_FAKE_ID);
    inject(&f, "reset", 1);
    unplug(&f);
    g_assert_cmpuint(stderr_lines(&f, "device reset at release failed"), ==,
                     1);
    assert_serving(&f);
    assert_fds_back(&f);
    fx_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-faults/region-eio/bar", test_bar_eio);
    g_test_add_func("/vfio-faults/region-eio/config", test_config_eio);
    g_test_add_func("/vfio-faults/set-irqs/on-enable",
                    test_set_irqs_on_enable);
    g_test_add_func("/vfio-faults/set-irqs/later-vector",
                    test_set_irqs_later_vector);
    g_test_add_func("/vfio-faults/eventfd-read", test_eventfd_read);
    g_test_add_func("/vfio-faults/dma-map/nospace", test_dma_map_nospace);
    g_test_add_func("/vfio-faults/dma-map/dma-avail-used-up",
                    test_dma_avail_used_up);
    g_test_add_func("/vfio-faults/dma-map/locked-memory", test_locked_memory);
    g_test_add_func("/vfio-faults/device-request", test_device_request);
    g_test_add_func("/vfio-faults/reset", test_reset_fails);
    return g_test_run();
}
