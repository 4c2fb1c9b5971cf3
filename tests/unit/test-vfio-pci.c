/*
 * vfio-pci config space and device life cycle, in process over the fake
 * backend: the emulated-bits mask, identity overrides, capability chains
 * (including broken ones), reset, and the error/request notifiers.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/vfio/vfio-pci.h"
#include "system/runstate.h"
#include "fake-vfio.h"
#include "pci-test-util.h"

#define RAM_SIZE (16 << 20)

static PCIBus *bus;

/* Pure chain walks */

static void put_cap(uint8_t *c, uint8_t pos, uint8_t id, uint8_t next)
{
    c[pos] = id;
    c[pos + 1] = next;
}

static uint8_t *config_with_chain(uint8_t first)
{
    uint8_t *c = g_malloc0(PCIE_CONFIG_SPACE_SIZE);

    pci_set_word(c + PCI_STATUS, PCI_STATUS_CAP_LIST);
    c[PCI_CAPABILITY_LIST] = first;
    return c;
}

static unsigned walk(const uint8_t *c, VFIOCapEntry *caps, GPtrArray *w)
{
    return vfio_walk_std_caps(c, caps, 48, w);
}

static void test_walk_good_chain(void)
{
    g_autofree uint8_t *c = config_with_chain(0x40);
    g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
    VFIOCapEntry caps[48];

    put_cap(c, 0x40, PCI_CAP_ID_PM, 0x50);
    put_cap(c, 0x50, PCI_CAP_ID_MSI, 0x70);
    pci_set_word(c + 0x50 + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
    put_cap(c, 0x70, PCI_CAP_ID_VNDR, 0);
    c[0x72] = 8;                            /* vendor cap length */
    g_assert_cmpuint(walk(c, caps, w), ==, 3);
    g_assert_cmpuint(w->len, ==, 0);
    g_assert_cmpuint(caps[0].pos, ==, 0x40);
    g_assert_cmpuint(caps[0].size, ==, PCI_PM_SIZEOF);
    g_assert_cmpuint(caps[1].id, ==, PCI_CAP_ID_MSI);
    g_assert_cmpuint(caps[1].size, ==, 14);
    g_assert_cmpuint(caps[2].size, ==, 8);
}

static void test_walk_no_cap_list(void)
{
    g_autofree uint8_t *c = config_with_chain(0x40);
    VFIOCapEntry caps[48];

    pci_set_word(c + PCI_STATUS, 0);
    put_cap(c, 0x40, PCI_CAP_ID_PM, 0);
    g_assert_cmpuint(walk(c, caps, NULL), ==, 0);
}

static void expect_cut(uint8_t *c, unsigned kept, const char *needle)
{
    g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
    VFIOCapEntry caps[48];

    g_assert_cmpuint(walk(c, caps, w), ==, kept);
    g_assert_cmpuint(w->len, ==, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(w, 0), needle));
}

static void test_walk_into_header(void)
{
    g_autofree uint8_t *c = config_with_chain(0x40);

    put_cap(c, 0x40, PCI_CAP_ID_PM, 0x20);
    expect_cut(c, 1, "points into the header");
}

static void test_walk_loop(void)
{
    g_autofree uint8_t *c = config_with_chain(0x40);

    put_cap(c, 0x40, PCI_CAP_ID_PM, 0x50);
    put_cap(c, 0x50, PCI_CAP_ID_VNDR, 0x40);    /* back to the first */
    c[0x52] = 4;
    expect_cut(c, 2, "loops back");
}

static void test_walk_self_loop(void)
{
    g_autofree uint8_t *c = config_with_chain(0x40);

    put_cap(c, 0x40, PCI_CAP_ID_PM, 0x40);
    expect_cut(c, 1, "loops back");
}

static void test_walk_overlap(void)
{
    g_autofree uint8_t *c = config_with_chain(0x40);

    /* PM is 8 bytes: a capability at 0x44 sits inside it */
    put_cap(c, 0x40, PCI_CAP_ID_PM, 0x44);
    put_cap(c, 0x44, PCI_CAP_ID_VNDR, 0);
    expect_cut(c, 1, "overlaps");
}

static void test_walk_unaligned(void)
{
    g_autofree uint8_t *c = config_with_chain(0x41);

    expect_cut(c, 0, "not dword-aligned");
}

static void test_walk_past_end(void)
{
    g_autofree uint8_t *c = config_with_chain(0xfc);

    /* a 64-bit MSI with masks needs 24 bytes: no room at 0xfc */
    put_cap(c, 0xfc, PCI_CAP_ID_MSI, 0);
    pci_set_word(c + 0xfc + PCI_MSI_FLAGS,
                 PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
    expect_cut(c, 0, "runs past the end");
}

static void test_walk_ext(void)
{
    g_autofree uint8_t *c = config_with_chain(0);
    g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
    VFIOCapEntry caps[64];

    pci_set_long(c + 0x100, PCI_EXT_CAP_ID_ERR | (2 << 16) | (0x150u << 20));
    pci_set_long(c + 0x150, PCI_EXT_CAP_ID_DSN | (1 << 16) | (0x100u << 20));
    g_assert_cmpuint(vfio_walk_ext_caps(c, 4096, caps, 64, w), ==, 2);
    g_assert_cmpuint(w->len, ==, 1);        /* the loop back to 0x100 */
    g_assert_nonnull(strstr(g_ptr_array_index(w, 0), "loops back"));

    g_ptr_array_set_size(w, 0);
    pci_set_long(c + 0x150, PCI_EXT_CAP_ID_DSN | (1 << 16) | (0x80u << 20));
    g_assert_cmpuint(vfio_walk_ext_caps(c, 4096, caps, 64, w), ==, 2);
    g_assert_nonnull(strstr(g_ptr_array_index(w, 0), "invalid"));

    g_ptr_array_set_size(w, 0);
    pci_set_long(c + 0x150, PCI_EXT_CAP_ID_DSN | (1 << 16) | (0xffcu << 20));
    pci_set_long(c + 0xffc, PCI_EXT_CAP_ID_ERR);
    g_assert_cmpuint(vfio_walk_ext_caps(c, 4096, caps, 64, w), ==, 2);
    g_assert_nonnull(strstr(g_ptr_array_index(w, 0), "past the end"));

    /* conventional config space: nothing to walk */
    g_assert_cmpuint(vfio_walk_ext_caps(c, 256, caps, 64, NULL), ==, 0);
}

/*
 * A config space of odd size (the device's region says so): no header is
 * read beyond it, wherever the pointers lead. The copy is exactly that
 * size, so a sanitizer sees any read past it.
 */
static void test_walk_ext_short_space(void)
{
    g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
    VFIOCapEntry caps[64];
    g_autofree uint8_t *c = g_malloc0(0x17e);
    g_autofree uint8_t *tiny = g_malloc0(0x102);

    pci_set_long(c + 0x100, PCI_EXT_CAP_ID_VNDR | (1 << 16) | (0x17cu << 20));
    g_assert_cmpuint(vfio_walk_ext_caps(c, 0x17e, caps, 64, w), ==, 1);
    g_assert_cmpuint(w->len, ==, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(w, 0), "past the end"));

    g_ptr_array_set_size(w, 0);
    pci_set_long(c + 0x100, PCI_EXT_CAP_ID_VNDR | (1 << 16) | (0xffcu << 20));
    g_assert_cmpuint(vfio_walk_ext_caps(c, 0x17e, caps, 64, w), ==, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(w, 0), "past the end"));

    /* not even room for the first header */
    g_assert_cmpuint(vfio_walk_ext_caps(tiny, 0x102, caps, 64, NULL), ==, 0);
}

/* In-process devices over the fake */

static char *write_spec(const char *ini)
{
    g_autofree char *path = NULL;
    GError *gerr = NULL;
    int fd = g_file_open_tmp("vfio-pci-XXXXXX.ini", &path, &gerr);

    g_assert_no_error(gerr);
    close(fd);
    g_assert_true(g_file_set_contents(path, ini, -1, NULL));
    return g_steal_pointer(&path);
}

static VFIOPCIDevice *vfio_new(const char *host, const char *extra_prop,
                               const char *extra_value, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_VFIO_PCI);
    Object *peripheral = container_get(object_get_root(),
                                       "/machine/peripheral");
    static unsigned count;
    g_autofree char *name = g_strdup_printf("vfio%u", count++);

    qdev_prop_set(dev, "host", host, &error_abort);
    if (extra_prop) {
        qdev_prop_set(dev, extra_prop, extra_value, &error_abort);
    }
    object_property_add_child(peripheral, name, OBJECT(dev), &error_abort);
    object_unref(OBJECT(dev));
    if (!qdev_realize(dev, &bus->qbus, errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    return VFIO_PCI(dev);
}

static void vfio_destroy(VFIOPCIDevice *vdev)
{
    pci_test_destroy(&vdev->pdev);
}

static uint32_t cfg_read(VFIOPCIDevice *vdev, uint32_t addr, int len)
{
    return pci_config_read(&vdev->pdev, addr, len);
}

static void cfg_write(VFIOPCIDevice *vdev, uint32_t addr, uint32_t val,
                      int len)
{
    pci_config_write(&vdev->pdev, addr, val, len);
}

static void test_header_masks(void)
{
    VFIOPCIDevice *vdev = vfio_new("fake:msix", NULL, NULL, &error_abort);
    FakeVFIODevice *f = fake_vfio_last();
    const uint8_t *dev_cfg = fake_vfio_config(f);
    uint32_t dev_bar0 = pci_get_long(dev_cfg + PCI_BASE_ADDRESS_0);

    /* identity comes from the device */
    g_assert_cmphex(cfg_read(vdev, PCI_VENDOR_ID, 4), ==, 0x10d38086);
    g_assert_cmphex(cfg_read(vdev, PCI_CLASS_DEVICE, 2), ==, 0x0200);
    /* BARs are ours: sizing happens here, the device's register is untouched */
    cfg_write(vdev, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(vdev, PCI_BASE_ADDRESS_0, 4), ==, 0xfffe0000);
    g_assert_cmphex(pci_get_long(dev_cfg + PCI_BASE_ADDRESS_0), ==, dev_bar0);
    /* the interrupt line is ours, the pin is the device's */
    cfg_write(vdev, PCI_INTERRUPT_LINE, 0x0b, 1);
    g_assert_cmphex(cfg_read(vdev, PCI_INTERRUPT_LINE, 1), ==, 0x0b);
    g_assert_cmphex(dev_cfg[PCI_INTERRUPT_LINE], !=, 0x0b);
    g_assert_cmphex(cfg_read(vdev, PCI_INTERRUPT_PIN, 1), ==, 1);
    /* COMMAND goes to the device (and the core tracks it for mappings) */
    cfg_write(vdev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(pci_get_word(dev_cfg + PCI_COMMAND) & PCI_COMMAND_MEMORY,
                    ==, PCI_COMMAND_MEMORY);
    g_assert_cmphex(cfg_read(vdev, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY, ==,
                    PCI_COMMAND_MEMORY);
    /* the ROM BAR never reaches the device */
    cfg_write(vdev, PCI_ROM_ADDRESS, 0xffffffff, 4);
    g_assert_false(fake_vfio_rom_enable_was_set(f));
    vfio_destroy(vdev);
}

/*
 * A rule of device assignment: whatever the guest writes, at whatever
 * width and offset, no bit the model virtualises changes on the device.
 */
static void test_virtual_bits_stay_virtual(void)
{
    VFIOPCIDevice *vdev = vfio_new("fake:msix", "x-pci-vendor-id", "0x1af4",
                                   &error_abort);
    const uint8_t *dev_cfg = fake_vfio_config(fake_vfio_last());
    static const uint32_t values[] = { 0xffffffff, 0, 0x5a5aa5a5 };
    uint8_t before[PCIE_CONFIG_SPACE_SIZE];

    for (int len = 1; len <= 4; len *= 2) {
        for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
            for (uint32_t addr = 0; addr < vdev->config_size; addr += len) {
                memcpy(before, dev_cfg, sizeof(before));
                cfg_write(vdev, addr, values[v], len);
                for (uint32_t b = addr; b < addr + len; b++) {
                    uint8_t emu = vdev->emulated_config_bits[b];

                    if ((before[b] ^ dev_cfg[b]) & emu) {
                        g_error("a %d-byte write of 0x%x at 0x%x changed "
                                "virtual bits 0x%02x of the device's byte "
                                "0x%x (0x%02x -> 0x%02x)", len, values[v],
                                addr, emu, b, before[b], dev_cfg[b]);
                    }
                }
            }
        }
    }
    vfio_destroy(vdev);
}

static void test_identity_overrides(void)
{
    VFIOPCIDevice *vdev = vfio_new("fake:msix", "x-pci-vendor-id", "0x1af4",
                                   &error_abort);

    g_assert_cmphex(cfg_read(vdev, PCI_VENDOR_ID, 2), ==, 0x1af4);
    g_assert_cmphex(cfg_read(vdev, PCI_DEVICE_ID, 2), ==, 0x10d3);
    cfg_write(vdev, PCI_VENDOR_ID, 0x1234, 2);
    g_assert_cmphex(cfg_read(vdev, PCI_VENDOR_ID, 2), ==, 0x1af4);
    vfio_destroy(vdev);
}

static void test_identity_override_too_wide(void)
{
    Error *err = NULL;

    g_assert_null(vfio_new("fake:msix", "x-pci-device-id", "0x12345", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "x-pci-device-id"));
    error_free(err);
}

/* The guest-visible standard chain, as ids in order. */
static GString *guest_chain(VFIOPCIDevice *vdev)
{
    GString *ids = g_string_new(NULL);
    unsigned hops = 0;

    if (!(cfg_read(vdev, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST)) {
        return ids;
    }
    for (uint8_t pos = cfg_read(vdev, PCI_CAPABILITY_LIST, 1); pos && hops < 48;
         pos = cfg_read(vdev, pos + PCI_CAP_LIST_NEXT, 1), hops++) {
        g_string_append_printf(ids, "%02x@%02x ", cfg_read(vdev, pos, 1), pos);
    }
    return ids;
}

static GString *guest_ext_chain(VFIOPCIDevice *vdev)
{
    GString *ids = g_string_new(NULL);
    unsigned pos = 0x100, hops = 0;

    while (pos && hops++ < 64) {
        uint32_t header = cfg_read(vdev, pos, 4);

        if (PCI_EXT_CAP_ID(header)) {
            g_string_append_printf(ids, "%04x@%03x ", PCI_EXT_CAP_ID(header),
                                   pos);
        }
        pos = PCI_EXT_CAP_NEXT(header);
    }
    return ids;
}

static void test_capability_chain(void)
{
    VFIOPCIDevice *vdev = vfio_new("fake:msix", NULL, NULL, &error_abort);
    g_autoptr(GString) std = guest_chain(vdev);
    g_autoptr(GString) ext = guest_ext_chain(vdev);

    /* the device's order; MSI and MSI-X are virtual but at their places */
    g_assert_cmpstr(std->str, ==, "01@40 05@50 10@70 11@b0 ");
    /* SR-IOV is hidden, AER stays */
    g_assert_cmpstr(ext->str, ==, "0001@100 ");
    /* the MSI-X capability is fully emulated */
    g_assert_cmphex(vdev->emulated_config_bits[0xb0 + PCI_MSIX_FLAGS], ==,
                    0xff);
    vfio_destroy(vdev);
}

static void expect_chain_with_warning(const char *ini, const char *chain,
                                      const char *warning)
{
    g_autofree char *spec = write_spec(ini);
    g_autofree char *host = g_strdup_printf("fake:msix:%s", spec);
    g_autoptr(GString) log = g_string_new(NULL);
    g_autoptr(GString) got = NULL;
    VFIOPCIDevice *vdev;

    error_capture_begin(log);
    vdev = vfio_new(host, NULL, NULL, &error_abort);
    error_capture_end();
    got = guest_chain(vdev);
    g_assert_cmpstr(got->str, ==, chain);
    g_assert_nonnull(strstr(log->str, warning));
    vfio_destroy(vdev);
    unlink(spec);
}

static void test_broken_chains(void)
{
    /* PM's next pointer into the header: everything after PM is cut */
    expect_chain_with_warning("[config]\n0x41 = 20\n", "01@40 ",
                              "points into the header");
    /* MSI points back at PM: a loop, cut, never followed */
    expect_chain_with_warning("[config]\n0x51 = 40\n", "01@40 05@50 ",
                              "loops back");
    /* the PCIe capability points into PM's registers */
    expect_chain_with_warning("[config]\n0x71 = 44\n", "01@40 05@50 10@70 ",
                              "overlaps");
}

static void test_config_read_error(void)
{
    VFIOPCIDevice *vdev = vfio_new("fake:msix", NULL, NULL, &error_abort);
    FakeVFIODevice *f = fake_vfio_last();

    fake_vfio_inject_fault(f, FAKE_FAULT_REGION_EIO,
                           VFIO_PCI_CONFIG_REGION_INDEX);
    /* a device-backed register reads all ones, an emulated one still works */
    g_assert_cmphex(cfg_read(vdev, PCI_VENDOR_ID, 2), ==, 0xffff);
    cfg_write(vdev, PCI_INTERRUPT_LINE, 5, 1);
    g_assert_cmphex(cfg_read(vdev, PCI_INTERRUPT_LINE, 1), ==, 5);
    fake_vfio_inject_fault(f, FAKE_FAULT_REGION_EIO, UINT32_MAX);
    vfio_destroy(vdev);
}

/* A device whose config space cannot be read at all is refused cleanly. */
static void test_config_unreadable_at_realize(void)
{
    g_autofree char *ini = write_spec("[device]\nconfig-eio = true\n");
    g_autofree char *host = g_strdup_printf("fake:basic:%s", ini);
    Error *err = NULL;

    g_assert_null(vfio_new(host, NULL, NULL, &err));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "cannot read the device's config space"));
    error_free(err);
    g_assert_false(fake_vfio_is_open(fake_vfio_last()));
    unlink(ini);
}

/* A function with a bridge's header is refused (found by fuzz-vfio-pci). */
static void test_bridge_header_refused(void)
{
    g_autofree char *ini = write_spec("[config]\n0x0e = 81\n");
    g_autofree char *host = g_strdup_printf("fake:basic:%s", ini);
    Error *err = NULL;

    g_assert_null(vfio_new(host, NULL, NULL, &err));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "config header type 1; only type 0"));
    error_free(err);
    g_assert_false(fake_vfio_is_open(fake_vfio_last()));
    unlink(ini);
}

static void test_reset_at_open_and_close(void)
{
    VFIOPCIDevice *vdev = vfio_new("fake:msix", NULL, NULL, &error_abort);
    FakeVFIODevice *f = fake_vfio_last();

    g_assert_cmpuint(fake_vfio_counters(f)->resets, ==, 1);
    vfio_destroy(vdev);
    g_assert_cmpuint(fake_vfio_counters(f)->resets, ==, 2);
    g_assert_false(fake_vfio_is_open(f));
}

static void test_system_reset(void)
{
    VFIOPCIDevice *vdev = vfio_new("fake:msix", NULL, NULL, &error_abort);
    FakeVFIODevice *f = fake_vfio_last();
    unsigned resets = fake_vfio_counters(f)->resets;

    cfg_write(vdev, PCI_BASE_ADDRESS_0, 0xfe000000, 4);
    cfg_write(vdev, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    device_cold_reset(DEVICE(vdev));
    g_assert_cmpuint(fake_vfio_counters(f)->resets, ==, resets + 1);
    /* the virtual config is back to its reset state, the device quiet */
    g_assert_cmphex(cfg_read(vdev, PCI_BASE_ADDRESS_0, 4), ==, 0);
    g_assert_cmphex(cfg_read(vdev, PCI_COMMAND, 2) &
                    (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER), ==, 0);
    vfio_destroy(vdev);
}

static void test_system_reset_by_bus_reset(void)
{
    g_autofree char *spec = write_spec("[device]\nflr = false\n");
    g_autofree char *host = g_strdup_printf("fake:msix:%s", spec);
    VFIOPCIDevice *vdev = vfio_new(host, NULL, NULL, &error_abort);
    FakeVFIODevice *f = fake_vfio_last();

    /* no function reset: the bus reset touches only our own group */
    device_cold_reset(DEVICE(vdev));
    g_assert_cmpuint(fake_vfio_counters(f)->hot_resets, ==, 1);
    vfio_destroy(vdev);
    unlink(spec);
}

static void poll_until(bool (*cond)(void *), void *opaque)
{
    for (int i = 0; i < 1000 && !cond(opaque); i++) {
        qemu_main_loop_poll_once(false);
        g_usleep(1000);
    }
}

static bool is_internal_error(void *opaque)
{
    return runstate_get() == RUN_STATE_INTERNAL_ERROR;
}

static bool fake_closed(void *opaque)
{
    return !fake_vfio_is_open(opaque);
}

static void test_error_notifier(void)
{
    g_autofree char *spec = write_spec("[device]\nerr-irq = true\n");
    g_autofree char *host = g_strdup_printf("fake:msix:%s", spec);
    VFIOPCIDevice *vdev = vfio_new(host, NULL, NULL, &error_abort);
    g_autoptr(GString) log = g_string_new(NULL);

    runstate_set(RUN_STATE_RUNNING);
    error_capture_begin(log);
    fake_vfio_raise_irq(fake_vfio_last(), VFIO_PCI_ERR_IRQ_INDEX, 0);
    poll_until(is_internal_error, NULL);
    error_capture_end();
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_INTERNAL_ERROR);
    g_assert_nonnull(strstr(log->str, "unrecoverable error"));
    g_assert_nonnull(strstr(log->str, vdev->name));
    vfio_destroy(vdev);
    unlink(spec);
}

static void test_request_notifier(void)
{
    g_autofree char *spec = write_spec("[device]\nreq-irq = true\n");
    g_autofree char *host = g_strdup_printf("fake:msix:%s", spec);
    g_autoptr(GString) log = g_string_new(NULL);
    FakeVFIODevice *f;

    vfio_new(host, NULL, NULL, &error_abort);
    f = fake_vfio_last();
    runstate_set(RUN_STATE_RUNNING);
    error_capture_begin(log);
    fake_vfio_raise_irq(f, VFIO_PCI_REQ_IRQ_INDEX, 0);
    poll_until(fake_closed, f);
    error_capture_end();
    /* the guest is stopped and the device released (reset, then closed) */
    g_assert_false(fake_vfio_is_open(f));
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_PAUSED);
    g_assert_nonnull(strstr(log->str, "asks for the device back"));
    unlink(spec);
}

static void test_no_host(void)
{
    DeviceState *dev = qdev_new(TYPE_VFIO_PCI);
    Error *err = NULL;

    g_assert_false(qdev_realize(dev, &bus->qbus, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "host=DDDD:BB:DD.F"));
    error_free(err);
    object_unref(OBJECT(dev));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bus = pci_test_machine_init(RAM_SIZE);

    g_test_add_func("/vfio/caps/walk/good-chain", test_walk_good_chain);
    g_test_add_func("/vfio/caps/walk/no-cap-list", test_walk_no_cap_list);
    g_test_add_func("/vfio/caps/walk/into-header", test_walk_into_header);
    g_test_add_func("/vfio/caps/walk/loop", test_walk_loop);
    g_test_add_func("/vfio/caps/walk/self-loop", test_walk_self_loop);
    g_test_add_func("/vfio/caps/walk/overlap", test_walk_overlap);
    g_test_add_func("/vfio/caps/walk/unaligned", test_walk_unaligned);
    g_test_add_func("/vfio/caps/walk/past-end", test_walk_past_end);
    g_test_add_func("/vfio/caps/walk/ext", test_walk_ext);
    g_test_add_func("/vfio/caps/walk/ext-short-space",
                    test_walk_ext_short_space);
    g_test_add_func("/vfio/config/header-masks", test_header_masks);
    g_test_add_func("/vfio/config/virtual-bits-stay-virtual",
                    test_virtual_bits_stay_virtual);
    g_test_add_func("/vfio/config/identity-overrides",
                    test_identity_overrides);
    g_test_add_func("/vfio/config/identity-override-too-wide",
                    test_identity_override_too_wide);
    g_test_add_func("/vfio/config/capability-chain", test_capability_chain);
    g_test_add_func("/vfio/config/broken-chains", test_broken_chains);
    g_test_add_func("/vfio/config/read-error", test_config_read_error);
    g_test_add_func("/vfio/config/unreadable-at-realize",
                    test_config_unreadable_at_realize);
    g_test_add_func("/vfio/config/bridge-header-refused",
                    test_bridge_header_refused);
    g_test_add_func("/vfio/reset/open-and-close",
                    test_reset_at_open_and_close);
    g_test_add_func("/vfio/reset/system", test_system_reset);
    g_test_add_func("/vfio/reset/bus-reset", test_system_reset_by_bus_reset);
    g_test_add_func("/vfio/notifier/error", test_error_notifier);
    g_test_add_func("/vfio/notifier/request", test_request_notifier);
    g_test_add_func("/vfio/realize/no-host", test_no_host);
    return g_test_run();
}
