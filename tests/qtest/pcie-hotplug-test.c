/*
 * PCIe native hotplug through pcie-root-port, with the test playing the
 * guest's firmware and pciehp: bus numbers and windows on the port, the
 * port's MSI into a doorbell in guest RAM, Slot Control commands; then
 * device_add of a pci-testdev or a fake vfio-pci device into the slot,
 * presence and link events, power on, enumeration behind the bridge
 * through CF8/CFC and ECAM, a BAR inside the window, MSI and INTx of the
 * device through the port; device_del, the attention button, power off,
 * DEVICE_DELETED. Also: a guest that never answers, a slot never powered,
 * cold plug under -S, and libvirt's command line for root ports.
 */
#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include "libqtest.h"

#define RP_ARGS "-machine q35 -m 256 " \
    "-device pcie-root-port,id=rp1,chassis=1,addr=1.0,multifunction=on " \
    "-device pcie-root-port,id=rp2,chassis=2,addr=1.1 "
#define RP1_DEVFN QPCI_DEVFN(1, 0)
#define RP2_DEVFN QPCI_DEVFN(1, 1)
#define MEM_BASE QPCI_MMIO_BASE                 /* rp1's window */
#define MEM_LIMIT (QPCI_MMIO_BASE + 0xffffff)
#define IO_BASE QPCI_PIO_BASE
#define IO_LIMIT (QPCI_PIO_BASE + 0xfff)
#define MSI_DATA 0x4a5a
#define TESTDEV_ID 0x7e57de70
#define FAKE_ID 0xfa4e0001
#define REG_RAISE 0x08
#define REG_INTX 0x0c
#define INTX_GSI (16 + (1 + 0) % 4)     /* through the port at slot 1 */

#define LINUX_ENABLES (PCI_EXP_SLTCTL_DLLSCE | PCI_EXP_SLTCTL_ABPE | \
                       PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_CCIE)
#define SLOT_EVENTS (PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD | \
                     PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_CC | \
                     PCI_EXP_SLTSTA_DLLSC)

typedef struct Guest {
    QTestState *qts;
    QPCIBus *cf8;
    QPCIBus *ecam;
    QGuestAllocator alloc;
    QPCIDevice *port;           /* the port the test drives */
    uint8_t exp;                /* its PCIe capability */
    uint8_t secondary;          /* its secondary bus number */
    uint64_t doorbell;          /* where its MSI lands */
} Guest;

/* The port's registers */

static uint16_t slot_ctl(Guest *g)
{
    return qpci_config_readw(g->port, g->exp + PCI_EXP_SLTCTL);
}

static uint16_t slot_sta(Guest *g)
{
    return qpci_config_readw(g->port, g->exp + PCI_EXP_SLTSTA);
}

static bool link_active(Guest *g)
{
    return qpci_config_readw(g->port, g->exp + PCI_EXP_LNKSTA) &
           PCI_EXP_LNKSTA_DLLLA;
}

static void slot_command(Guest *g, uint16_t val, uint16_t mask)
{
    qpci_config_writew(g->port, g->exp + PCI_EXP_SLTCTL,
                       (slot_ctl(g) & ~mask) | (val & mask));
}

static void clear_events(Guest *g)
{
    qpci_config_writew(g->port, g->exp + PCI_EXP_SLTSTA, SLOT_EVENTS);
}

/* Did the port's MSI arrive since the last look? */
static bool took_msi(Guest *g)
{
    uint32_t v = qtest_readl(g->qts, g->doorbell);

    qtest_writel(g->qts, g->doorbell, 0);
    g_assert_true(v == 0 || v == MSI_DATA);
    return v == MSI_DATA;
}

/*
 * Firmware: bus numbers 0/1/1, the windows, decoding and mastering; then
 * pciehp: MSI on the port and the notifications it enables.
 */
static void guest_setup_port(Guest *g, QPCIDevice *port, uint8_t secondary)
{
    uint8_t msi = qpci_find_capability(port, PCI_CAP_ID_MSI, 0);

    qpci_config_writel(port, PCI_PRIMARY_BUS,
                       secondary << 8 | secondary << 16);
    qpci_config_writew(port, PCI_MEMORY_BASE, MEM_BASE >> 16);
    qpci_config_writew(port, PCI_MEMORY_LIMIT, MEM_LIMIT >> 16);
    qpci_config_writeb(port, PCI_IO_BASE, IO_BASE >> 8);
    qpci_config_writeb(port, PCI_IO_LIMIT, IO_LIMIT >> 8);
    qpci_config_writew(port, PCI_COMMAND, PCI_COMMAND_IO |
                       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmphex(msi, ==, 0x48);
    qpci_config_writel(port, msi + PCI_MSI_ADDRESS_LO, (uint32_t)g->doorbell);
    qpci_config_writel(port, msi + PCI_MSI_ADDRESS_HI, g->doorbell >> 32);
    qpci_config_writew(port, msi + PCI_MSI_DATA_64, MSI_DATA);
    qpci_config_writew(port, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
}

static void guest_start(Guest *g, const char *extra)
{
    g->qts = qtest_init_with_qmpf(RP_ARGS "%s", extra);
    g->cf8 = qpci_new_pc(g->qts);
    g->ecam = qpci_new_ecam(g->qts, Q35_ECAM_BASE);
    pc_alloc_init(&g->alloc, g->qts);
    g->doorbell = guest_alloc(&g->alloc, 4);
    qtest_writel(g->qts, g->doorbell, 0);
    g->port = qpci_device_find(g->cf8, RP1_DEVFN);
    g_assert_nonnull(g->port);
    g->exp = qpci_find_capability(g->port, PCI_CAP_ID_EXP, 0);
    g_assert_cmphex(g->exp, ==, 0x60);
    g->secondary = 1;
    guest_setup_port(g, g->port, g->secondary);
}

/* pcie_enable_notification, then the CC interrupt of that command. */
static void guest_enable_notification(Guest *g)
{
    slot_command(g, LINUX_ENABLES, LINUX_ENABLES | PCI_EXP_SLTCTL_PDCE);
    g_assert_true(took_msi(g));
    g_assert_cmphex(slot_sta(g) & SLOT_EVENTS, ==, PCI_EXP_SLTSTA_CC);
    clear_events(g);
}

static void guest_stop(Guest *g)
{
    qpci_device_free(g->port);
    qpci_free(g->cf8);
    qpci_free(g->ecam);
    g_assert_cmpint(qtest_quit(g->qts), ==, 0);
}

/* The function behind the port, or NULL. */
static QPCIDevice *find_below(Guest *g, QPCIBus *bus, int devfn)
{
    return qpci_device_find(bus, g->secondary << 8 | devfn);
}

/* @cmd (a QMP request) fails with a GenericError saying @desc. */
static void expect_error(Guest *g, const char *desc, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void expect_error(Guest *g, const char *desc, const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    JsonObject *r;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    r = qtest_qmp(g->qts, "%s", cmd);
    qmp_assert_error(r, "GenericError", desc);
    json_object_unref(r);
}

/* No DEVICE_DELETED so far (a query orders us after the monitor). */
static void assert_no_deleted_event(Guest *g)
{
    qtest_qmp_assert_success(g->qts, "{\"execute\":\"query-status\"}");
    g_assert_null(qmp_conn_take_event(qtest_qmp_conn(g->qts),
                                      "DEVICE_DELETED"));
}

static void expect_deleted(Guest *g, const char *id)
{
    JsonObject *ev = qtest_qmp_eventwait(g->qts, "DEVICE_DELETED");
    JsonObject *data = json_object_get_object_member(ev, "data");
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);

    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==, id);
    g_assert_cmpstr(json_object_get_string_member(data, "path"), ==, path);
    json_object_unref(ev);
}

/* query-pci: the device entry of the port at 00:01.@fn. */
static JsonObject *query_port(JsonObject *reply, int fn)
{
    JsonArray *buses = json_node_get_array(qmp_return(reply));
    JsonArray *devs = json_object_get_array_member(
                          json_array_get_object_element(buses, 0), "devices");

    for (guint i = 0; i < json_array_get_length(devs); i++) {
        JsonObject *d = json_array_get_object_element(devs, i);

        if (json_object_get_int_member(d, "slot") == 1 &&
            json_object_get_int_member(d, "function") == fn) {
            return d;
        }
    }
    g_assert_not_reached();
}

/* The ids of the devices query-pci shows behind port 00:01.@fn. */
static char *devices_behind(Guest *g, int fn)
{
    JsonObject *r = qtest_qmp(g->qts, "{\"execute\":\"query-pci\"}");
    JsonObject *port = query_port(r, fn);
    JsonObject *bridge = json_object_get_object_member(port, "pci_bridge");
    GString *ids = g_string_new("");
    JsonArray *devs;

    g_assert_nonnull(bridge);
    if (json_object_has_member(bridge, "devices")) {
        devs = json_object_get_array_member(bridge, "devices");
        for (guint i = 0; i < json_array_get_length(devs); i++) {
            JsonObject *d = json_array_get_object_element(devs, i);

            g_assert_cmpint(json_object_get_int_member(d, "bus"), ==,
                            json_object_get_int_member(
                                json_object_get_object_member(bridge, "bus"),
                                "secondary"));
            g_string_append_printf(ids, "%s%s", ids->len ? " " : "",
                                   json_object_get_string_member(d,
                                                                 "qdev_id"));
        }
    }
    json_object_unref(r);
    return g_string_free(ids, false);
}

/*
 * pciehp's board_added and the PCI core's enumeration: power the slot
 * on, find the function through both mechanisms, map BAR0 inside the
 * window (the bump allocator starts there) and enable it.
 */
static QPCIDevice *guest_power_on(Guest *g, QPCIBar *bar0, uint32_t id)
{
    QPCIDevice *dev, *via_ecam;

    g_assert_null(find_below(g, g->cf8, 0));       /* not powered yet */
    slot_command(g, PCI_EXP_SLTCTL_PWR_ON | PCI_EXP_SLTCTL_PWR_IND_BLINK,
                 PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC);
    g_assert_true(took_msi(g));
    g_assert_cmphex(slot_sta(g) & SLOT_EVENTS, ==, PCI_EXP_SLTSTA_CC);
    clear_events(g);
    g_assert_true(link_active(g));
    dev = find_below(g, g->cf8, 0);
    via_ecam = find_below(g, g->ecam, 0);
    g_assert_nonnull(dev);
    g_assert_nonnull(via_ecam);
    g_assert_cmphex(qpci_config_readl(dev, PCI_VENDOR_ID), ==, id);
    g_assert_cmphex(qpci_config_readl(via_ecam, PCI_VENDOR_ID), ==, id);
    /* A PCIe link: device 0 only. */
    g_assert_null(find_below(g, g->cf8, QPCI_DEVFN(1, 0)));
    g_assert_null(find_below(g, g->ecam, QPCI_DEVFN(31, 0)));
    qpci_device_free(via_ecam);
    *bar0 = qpci_iomap(dev, 0, NULL);
    g_assert_cmphex(bar0->addr, >=, MEM_BASE);
    g_assert_cmphex(bar0->addr, <=, MEM_LIMIT);
    qpci_device_enable(dev);
    slot_command(g, PCI_EXP_SLTCTL_PWR_IND_ON, PCI_EXP_SLTCTL_PIC);
    g_assert_true(took_msi(g));
    clear_events(g);
    return dev;
}

/*
 * device_del: the reply, the attention button and its MSI, no removal;
 * a repeat refused; then pciehp: blink, wait, power off -> removal.
 */
static void guest_unplug(Guest *g, const char *id)
{
    g_autofree char *pending = g_strdup_printf("Device %s is already in the "
                                               "process of unplug", id);

    qtest_qmp_assert_success(g->qts, "{\"execute\":\"device_del\","
                             "\"arguments\":{\"id\":\"%s\"}}", id);
    g_assert_true(took_msi(g));
    g_assert_cmphex(slot_sta(g) & SLOT_EVENTS, ==, PCI_EXP_SLTSTA_ABP);
    assert_no_deleted_event(g);
    expect_error(g, pending, "{\"execute\":\"device_del\",\"arguments\":"
                 "{\"id\":\"%s\"}}", id);
    clear_events(g);
    slot_command(g, PCI_EXP_SLTCTL_PWR_IND_BLINK, PCI_EXP_SLTCTL_PIC);
    g_assert_true(took_msi(g));
    clear_events(g);
    qtest_clock_step(g->qts, 5 * 1000 * 1000 * 1000LL);
    assert_no_deleted_event(g);
    /* While the indicator blinks, another request is refused. */
    expect_error(g, "Hot-unplug failed: guest is busy (power indicator "
                 "blinking)", "{\"execute\":\"device_del\",\"arguments\":"
                 "{\"id\":\"%s\"}}", id);
    /* remove_board */
    slot_command(g, PCI_EXP_SLTCTL_PWR_OFF, PCI_EXP_SLTCTL_PCC);
    expect_deleted(g, id);
    g_assert_true(took_msi(g));
    g_assert_cmphex(slot_sta(g), ==, PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_PDC |
                    PCI_EXP_SLTSTA_DLLSC);
    g_assert_false(link_active(g));
    g_assert_null(find_below(g, g->cf8, 0));
    clear_events(g);
    slot_command(g, PCI_EXP_SLTCTL_PWR_IND_OFF, PCI_EXP_SLTCTL_PIC);
    clear_events(g);
    took_msi(g);
}

/* device_add into rp1: presence and link events, one MSI. */
static void guest_hotplug(Guest *g, const char *args)
{
    qtest_qmp_assert_success(g->qts, "{\"execute\":\"device_add\","
                             "\"arguments\":{%s,\"bus\":\"rp1\"}}", args);
    g_assert_true(took_msi(g));
    g_assert_cmphex(slot_sta(g), ==, PCI_EXP_SLTSTA_PDS |
                    PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC);
    g_assert_true(link_active(g));
    g_assert_cmphex(slot_ctl(g) & PCI_EXP_SLTCTL_PCC, ==,
                    PCI_EXP_SLTCTL_PWR_OFF);
    clear_events(g);
    g_assert_false(took_msi(g));
}

static void test_testdev_cycle(void)
{
    Guest g;
    QPCIDevice *dev;
    QPCIBar bar0;
    uint64_t db2;
    g_autofree char *ids = NULL;

    guest_start(&g, "");
    guest_enable_notification(&g);
    qtest_irq_intercept_in(g.qts, "ioapic");
    g_assert_cmphex(slot_ctl(&g) & (PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC),
                    ==, PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF);
    guest_hotplug(&g, "\"driver\":\"qvfio-test-pci\",\"id\":\"dev0\"");
    dev = guest_power_on(&g, &bar0, 0x00ff1b36);
    ids = devices_behind(&g, 0);
    g_assert_cmpstr(ids, ==, "dev0");

    /* Its registers, inside the window only. */
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0), ==, TESTDEV_ID);
    qpci_config_writew(g.port, PCI_COMMAND, PCI_COMMAND_IO |
                       PCI_COMMAND_MASTER);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0), !=, TESTDEV_ID);
    qpci_config_writew(g.port, PCI_COMMAND, PCI_COMMAND_IO |
                       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0), ==, TESTDEV_ID);

    /* Its MSI-X goes up through the port, gated by the port's MASTER. */
    qpci_msix_enable(dev);
    db2 = guest_alloc(&g.alloc, 4);
    qtest_writel(g.qts, db2, 0);
    qpci_msix_set_entry(dev, 1, db2, 0x1234, false);
    qpci_io_writel(dev, bar0, REG_RAISE, 1);
    g_assert_cmphex(qtest_readl(g.qts, db2), ==, 0x1234);
    qtest_writel(g.qts, db2, 0);
    qpci_config_writew(g.port, PCI_COMMAND, PCI_COMMAND_IO |
                       PCI_COMMAND_MEMORY);
    qpci_io_writel(dev, bar0, REG_RAISE, 1);
    g_assert_cmphex(qtest_readl(g.qts, db2), ==, 0);
    qpci_config_writew(g.port, PCI_COMMAND, PCI_COMMAND_IO |
                       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    qpci_msix_disable(dev);
    /* Its INTx, swizzled at the port: input 16 + (1 + 0) % 4. */
    qpci_io_writel(dev, bar0, REG_INTX, 1);
    g_assert_true(qtest_get_irq(g.qts, INTX_GSI));
    qpci_io_writel(dev, bar0, REG_INTX, 0);
    g_assert_false(qtest_get_irq(g.qts, INTX_GSI));

    qpci_device_free(dev);
    guest_unplug(&g, "dev0");
    g_free(ids);
    ids = devices_behind(&g, 0);
    g_assert_cmpstr(ids, ==, "");
    /* The slot takes a device again. */
    guest_hotplug(&g, "\"driver\":\"qvfio-test-pci\",\"id\":\"dev1\"");
    guest_stop(&g);
}

/* Lines of @event in the trace log @log. */
static unsigned count_trace(const char *log, const char *event)
{
    g_autofree char *text = NULL;
    g_autofree char *needle = g_strdup_printf(":%s ", event);
    unsigned n = 0;

    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    for (const char *p = text; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

static void test_vfio_cycle(void)
{
    g_autofree char *dir = g_dir_make_tmp("qvfio-hp-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "trace.log", NULL);
    g_autofree char *args = g_strdup_printf("-trace 'fake_vfio_*' -D %s",
                                            log);
    Guest g;
    QPCIDevice *dev;
    QPCIBar bar0;
    int fds_before;
    unsigned maps;

    guest_start(&g, args);
    guest_enable_notification(&g);
    fds_before = qtest_count_fds(qtest_pid(g.qts));
    guest_hotplug(&g, "\"driver\":\"vfio-pci\",\"host\":\"fake:basic\","
                  "\"id\":\"hostdev0\"");
    g_assert_cmpint(count_trace(log, "fake_vfio_open"), ==, 1);
    dev = guest_power_on(&g, &bar0, 0x01011b36);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0), ==, FAKE_ID);
    maps = count_trace(log, "fake_vfio_dma_map");
    g_assert_cmpuint(maps, >, 0);
    g_assert_cmpint(qtest_count_fds(qtest_pid(g.qts)), >, fds_before);
    qpci_device_free(dev);

    guest_unplug(&g, "hostdev0");
    /* Released: the device closed, every mapping undone, every fd back. */
    g_assert_cmpint(count_trace(log, "fake_vfio_close"), ==, 1);
    g_assert_cmpuint(count_trace(log, "fake_vfio_dma_unmap"), ==, maps);
    g_assert_cmpint(qtest_count_fds(qtest_pid(g.qts)), ==, fds_before);
    guest_stop(&g);
    qtest_remove_tmpdir(dir);
}

/* A guest that never answers keeps the device; a reset ends the wait. */
static void test_never_answers(void)
{
    Guest g;
    JsonObject *r;
    g_autofree char *ids = NULL;

    guest_start(&g, "-device qvfio-test-pci,bus=rp1,id=dev0");
    guest_enable_notification(&g);
    /* Cold-plugged: present, powered, no event. */
    g_assert_cmphex(slot_sta(&g), ==, PCI_EXP_SLTSTA_PDS);
    g_assert_cmphex(slot_ctl(&g) & PCI_EXP_SLTCTL_PCC, ==,
                    PCI_EXP_SLTCTL_PWR_ON);
    qtest_qmp_assert_success(g.qts, "{\"execute\":\"device_del\","
                             "\"arguments\":{\"id\":\"dev0\"}}");
    g_assert_true(took_msi(&g));
    qtest_clock_step(g.qts, 4 * 1000 * 1000 * 1000LL);
    r = qtest_qmp(g.qts, "{\"execute\":\"device_del\",\"arguments\":"
                  "{\"id\":\"dev0\"}}");
    qmp_assert_error(r, "GenericError",
                     "Device dev0 is already in the process of unplug");
    json_object_unref(r);
    /* After 5 s the button may be pressed again; still nobody answers. */
    qtest_clock_step(g.qts, 1000 * 1000 * 1000LL);
    qtest_qmp_assert_success(g.qts, "{\"execute\":\"device_del\","
                             "\"arguments\":{\"id\":\"dev0\"}}");
    qtest_clock_step(g.qts, 60 * 1000 * 1000 * 1000LL);
    assert_no_deleted_event(&g);
    ids = devices_behind(&g, 0);
    g_assert_cmpstr(ids, ==, "dev0");
    /* The guest that was asked is gone after a reset: it completes. */
    qtest_qmp_assert_success(g.qts, "{\"execute\":\"system_reset\"}");
    expect_deleted(&g, "dev0");
    json_object_unref(qtest_qmp_eventwait(g.qts, "RESET"));
    guest_setup_port(&g, g.port, g.secondary);
    g_free(ids);
    ids = devices_behind(&g, 0);
    g_assert_cmpstr(ids, ==, "");
    g_assert_cmphex(slot_sta(&g), ==, 0);
    guest_stop(&g);
}

/* A slot the guest never powered on is emptied at once. */
static void test_unpowered_slot(void)
{
    Guest g;
    JsonObject *r, *ev;
    QMPConn *c;

    guest_start(&g, "");
    guest_enable_notification(&g);
    guest_hotplug(&g, "\"driver\":\"qvfio-test-pci\",\"id\":\"dev0\"");
    c = qtest_qmp_conn(g.qts);
    qmp_conn_send(c, "{\"execute\":\"device_del\",\"arguments\":"
                  "{\"id\":\"dev0\"}}");
    /* The event comes first here, as on pcie.0. */
    ev = qmp_conn_recv_any(c);
    g_assert_cmpstr(json_object_get_string_member(ev, "event"), ==,
                    "DEVICE_DELETED");
    json_object_unref(ev);
    r = qmp_conn_reply(c);
    qmp_return(r);
    json_object_unref(r);
    g_assert_true(took_msi(&g));
    g_assert_cmphex(slot_sta(&g), ==, PCI_EXP_SLTSTA_PDC |
                    PCI_EXP_SLTSTA_DLLSC);
    guest_stop(&g);
}

/* Before the machine starts, device_add is a cold plug. */
static void test_prelaunch_coldplug(void)
{
    Guest g;
    QPCIDevice *dev;

    guest_start(&g, "-S");
    qtest_qmp_assert_success(g.qts, "{\"execute\":\"device_add\","
                             "\"arguments\":{\"driver\":\"qvfio-test-pci\","
                             "\"id\":\"dev0\",\"bus\":\"rp1\"}}");
    g_assert_false(took_msi(&g));
    g_assert_cmphex(slot_sta(&g), ==, PCI_EXP_SLTSTA_PDS);
    g_assert_cmphex(slot_ctl(&g) & (PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC),
                    ==, PCI_EXP_SLTCTL_PWR_ON | PCI_EXP_SLTCTL_PWR_IND_ON);
    dev = find_below(&g, g.cf8, 0);
    g_assert_nonnull(dev);
    qpci_device_free(dev);
    /* An occupied slot takes nothing more; ports are not hotplugged. */
    qtest_qmp_assert_success(g.qts, "{\"execute\":\"cont\"}");
    expect_error(&g, "PCI: no free slot on bus rp1 for dev1",
                 "{\"execute\":\"device_add\",\"arguments\":"
                 "{\"driver\":\"qvfio-test-pci\",\"id\":\"dev1\","
                 "\"bus\":\"rp1\"}}");
    expect_error(&g, "PCI: slot 0 function 0 not available for dev1, in use "
                 "by dev0", "{\"execute\":\"device_add\",\"arguments\":"
                 "{\"driver\":\"qvfio-test-pci\",\"id\":\"dev1\","
                 "\"bus\":\"rp1\",\"addr\":\"0\"}}");
    expect_error(&g, "Device 'pcie-root-port' does not support hotplugging",
                 "{\"execute\":\"device_add\",\"arguments\":"
                 "{\"driver\":\"pcie-root-port\",\"id\":\"rp9\"}}");
    expect_error(&g, "Device 'pcie-root-port' does not support hotplugging",
                 "{\"execute\":\"device_del\",\"arguments\":"
                 "{\"id\":\"rp1\"}}");
    guest_stop(&g);
}

static void test_hotplug_off(void)
{
    Guest g = { 0 };
    JsonObject *r;
    JsonArray *props;
    bool found = false;

    g.qts = qtest_init_with_qmp("-machine q35 "
                                "-device pcie-root-port,id=rp1,hotplug=off "
                                "-device qvfio-test-pci,bus=rp1,id=dev0");
    expect_error(&g, "Hot-unplug failed: unsupported by the port device "
                 "'rp1'", "{\"execute\":\"device_del\",\"arguments\":"
                 "{\"id\":\"dev0\"}}");
    /* libvirt learns of the property this way. */
    r = qtest_qmp(g.qts, "{\"execute\":\"device-list-properties\","
                  "\"arguments\":{\"typename\":\"pcie-root-port\"}}");
    props = json_node_get_array(qmp_return(r));
    for (guint i = 0; i < json_array_get_length(props); i++) {
        JsonObject *p = json_array_get_object_element(props, i);

        if (!strcmp(json_object_get_string_member(p, "name"), "hotplug")) {
            g_assert_cmpstr(json_object_get_string_member(p, "type"), ==,
                            "bool");
            found = true;
        }
    }
    g_assert_true(found);
    json_object_unref(r);
    g_assert_cmpint(qtest_quit(g.qts), ==, 0);
}

/*
 * libvirt's command line for two root ports and a hostdev in the first
 * (the fake backend stands for host 0000:00:03.0), in both -device
 * syntaxes; then hot-attach into the spare port and detach.
 */
static void libvirt_lines(Guest *g, bool json)
{
    static const char *const kv =
        "-device pcie-root-port,port=8,chassis=1,id=pci.1,bus=pcie.0,"
        "multifunction=on,addr=0x1 "
        "-device pcie-root-port,port=9,chassis=2,id=pci.2,bus=pcie.0,"
        "addr=0x1.0x1 "
        "-device vfio-pci,host=fake:basic,id=hostdev0,bus=pci.1,addr=0x0";
    static const char *const js =
        "-device '{\"driver\":\"pcie-root-port\",\"port\":8,\"chassis\":1,"
        "\"id\":\"pci.1\",\"bus\":\"pcie.0\",\"multifunction\":true,"
        "\"addr\":\"0x1\"}' "
        "-device '{\"driver\":\"pcie-root-port\",\"port\":9,\"chassis\":2,"
        "\"id\":\"pci.2\",\"bus\":\"pcie.0\",\"addr\":\"0x1.0x1\"}' "
        "-device '{\"driver\":\"vfio-pci\",\"host\":\"fake:basic\","
        "\"id\":\"hostdev0\",\"bus\":\"pci.1\",\"addr\":\"0x0\"}'";

    g->qts = qtest_init_with_qmpf("-machine q35 -m 256 -S %s",
                                  json ? js : kv);
    g->cf8 = qpci_new_pc(g->qts);
    g->ecam = qpci_new_ecam(g->qts, Q35_ECAM_BASE);
    pc_alloc_init(&g->alloc, g->qts);
    g->doorbell = guest_alloc(&g->alloc, 4);
    qtest_writel(g->qts, g->doorbell, 0);
}

static void test_libvirt_cmdline(gconstpointer data)
{
    Guest g;
    QPCIDevice *rp1, *rp2, *hostdev;
    g_autofree char *ids1 = NULL;
    g_autofree char *ids2 = NULL;
    g_autofree char *info = NULL;

    libvirt_lines(&g, GPOINTER_TO_INT(data));
    rp1 = qpci_device_find(g.cf8, RP1_DEVFN);
    /* The spare port through ECAM: its slot commands take that path. */
    rp2 = qpci_device_find(g.ecam, RP2_DEVFN);
    g_assert_cmphex(qpci_config_readl(rp1, PCI_VENDOR_ID), ==, 0x000c1b36);
    g_assert_cmphex(qpci_config_readb(rp1, PCI_HEADER_TYPE), ==,
                    0x80 | PCI_HEADER_TYPE_BRIDGE);
    g_assert_cmphex(qpci_config_readb(rp2, PCI_HEADER_TYPE), ==,
                    PCI_HEADER_TYPE_BRIDGE);
    /* port= is the Link Capabilities port number. */
    g_assert_cmphex(qpci_config_readl(rp1, 0x60 + PCI_EXP_LNKCAP) >> 24, ==,
                    8);
    g_assert_cmphex(qpci_config_readl(rp2, 0x60 + PCI_EXP_LNKCAP) >> 24, ==,
                    9);
    guest_setup_port(&g, rp1, 1);
    guest_setup_port(&g, rp2, 2);
    g.secondary = 1;
    hostdev = find_below(&g, g.cf8, 0);
    g_assert_nonnull(hostdev);
    g_assert_cmphex(qpci_config_readl(hostdev, PCI_VENDOR_ID), ==,
                    0x01011b36);
    ids1 = devices_behind(&g, 0);
    ids2 = devices_behind(&g, 1);
    g_assert_cmpstr(ids1, ==, "hostdev0");
    g_assert_cmpstr(ids2, ==, "");
    info = qtest_hmp(g.qts, "info pci");
    g_assert_nonnull(strstr(info, "  Bus  0, device   1, function 1:\r\n"
                            "    PCI bridge: PCI device 1b36:000c\r\n"));
    g_assert_nonnull(strstr(info, "      secondary bus 1.\r\n"));
    g_assert_nonnull(strstr(info, "      id \"pci.1\"\r\n"
                            "  Bus  1, device   0, function 0:\r\n"));
    g_free(info);
    /* qtree: the port's bus holds the hostdev, at its bus number. */
    info = qtest_hmp(g.qts, "info qtree");
    g_assert_nonnull(strstr(info, "bus: pci.1\r\n"));
    g_assert_nonnull(strstr(info, "class ff00, addr 01:00.0, pci id "
                            "1b36:0101"));
    qtest_qmp_assert_success(g.qts, "{\"execute\":\"cont\"}");

    /* virsh attach-device into the spare port, then detach. */
    g.port = rp2;
    g.exp = 0x60;
    g.secondary = 2;
    guest_enable_notification(&g);
    qtest_qmp_assert_success(g.qts, "{\"execute\":\"device_add\","
                             "\"arguments\":{\"driver\":\"vfio-pci\","
                             "\"host\":\"fake:basic\",\"id\":\"hostdev1\","
                             "\"bus\":\"pci.2\",\"addr\":\"0x0\"}}");
    g_assert_true(took_msi(&g));
    clear_events(&g);
    slot_command(&g, PCI_EXP_SLTCTL_PWR_ON | PCI_EXP_SLTCTL_PWR_IND_ON,
                 PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC);
    took_msi(&g);
    clear_events(&g);
    g_free(ids2);
    ids2 = devices_behind(&g, 1);
    g_assert_cmpstr(ids2, ==, "hostdev1");
    guest_unplug(&g, "hostdev1");
    g.port = NULL;
    qpci_device_free(hostdev);
    qpci_device_free(rp1);
    qpci_device_free(rp2);
    qpci_free(g.cf8);
    qpci_free(g.ecam);
    g_assert_cmpint(qtest_quit(g.qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pcie-hotplug/testdev-cycle", test_testdev_cycle);
    g_test_add_func("/pcie-hotplug/vfio-cycle", test_vfio_cycle);
    g_test_add_func("/pcie-hotplug/never-answers", test_never_answers);
    g_test_add_func("/pcie-hotplug/unpowered-slot", test_unpowered_slot);
    g_test_add_func("/pcie-hotplug/prelaunch-coldplug",
                    test_prelaunch_coldplug);
    g_test_add_func("/pcie-hotplug/hotplug-off", test_hotplug_off);
    g_test_add_data_func("/pcie-hotplug/libvirt-cmdline/key-value",
                         GINT_TO_POINTER(0), test_libvirt_cmdline);
    g_test_add_data_func("/pcie-hotplug/libvirt-cmdline/json",
                         GINT_TO_POINTER(1), test_libvirt_cmdline);
    return g_test_run();
}
