/*
 * An in-process fake VFIO PCI device for tests (see fake-vfio.h): opening,
 * closing, reset and the backend provider for host=fake:... The device's
 * rooms are fake-vfio-spec.c (what it is), -config.c (config space and
 * ROM), -region.c (regions and the BAR0 registers), -irq.c and -dma.c.
 *
 * A closed fake stays allocated until the process exits, so tests can
 * read its counters after the model let go of it.
 */
#include "qemu/osdep.h"
#include "fake-vfio-int.h"
#include "trace.h"

#define FAKE_PREFIX "fake:"
#define FAKE_BUS 0xfa

static GPtrArray *fake_devices;     /* every fake ever opened */
static unsigned fake_seq;

const char *fake_name(FakeVFIODevice *f)
{
    return f->backend.name;
}

bool fake_check_open(FakeVFIODevice *f, Error **errp)
{
    if (!f->open) {
        error_setg_errno(errp, ENODEV, "fake-vfio %s: device is closed",
                         fake_name(f));
        return false;
    }
    return true;
}

/* Device */

static bool fake_get_device_info(VFIOBackend *b, VFIODeviceInfo *info,
                                 Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);

    memset(info, 0, sizeof(*info));
    if (!fake_check_open(f, errp)) {
        return false;
    }
    info->flags = VFIO_DEVICE_FLAGS_PCI |
                  (f->spec->flr ? VFIO_DEVICE_FLAGS_RESET : 0);
    info->num_regions = VFIO_PCI_NUM_REGIONS;
    info->num_irqs = VFIO_PCI_NUM_IRQS;
    return true;
}

/* What a function or bus reset does to the device. */
static bool fake_do_reset(FakeVFIODevice *f, bool hot, Error **errp)
{
    trace_fake_vfio_reset(fake_name(f), hot);
    if (!fake_check_open(f, errp)) {
        return false;
    }
    if (f->fault_reset) {
        f->fault_reset--;
        error_setg_errno(errp, EIO, "fake-vfio %s: %s reset failed "
                         "(injected)", fake_name(f), hot ? "hot" : "function");
        return false;
    }
    if (!hot && !f->spec->flr) {
        error_setg_errno(errp, EINVAL, "fake-vfio %s: the device has no "
                         "function reset (VFIO_DEVICE_FLAGS_RESET is clear)",
                         fake_name(f));
        return false;
    }
    fake_config_reset(f);
    fake_irqs_disable(f);
    fake_bar0_regs_reset(f);
    return true;
}

static bool fake_reset(VFIOBackend *b, Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);

    f->counters.resets++;
    return fake_do_reset(f, false, errp);
}

static bool fake_hot_reset(VFIOBackend *b, Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);

    f->counters.hot_resets++;
    return fake_do_reset(f, true, errp);
}

/* Alone on its bus: a bus reset touches only this device. */
static bool fake_get_hot_reset_info(VFIOBackend *b, VFIOHotResetDevice **devs,
                                    unsigned *nr, Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);

    *devs = NULL;
    *nr = 0;
    if (!fake_check_open(f, errp)) {
        return false;
    }
    *devs = g_new0(VFIOHotResetDevice, 1);
    (*devs)->segment = b->segment;
    (*devs)->bus = b->bus;
    (*devs)->devfn = b->devfn;
    (*devs)->group_id = b->group_id;
    *nr = 1;
    return true;
}

static void fake_release(FakeVFIODevice *f)
{
    fake_steal_destroy(f);
    fake_irqs_destroy(f);
    fake_bars_destroy(f);
    fake_iommu_detach(f);
    g_free(f->rom);
    f->rom = NULL;
    f->rom_size = 0;
    fake_spec_free(f->spec);
    f->spec = NULL;
}

static void fake_close(VFIOBackend *b)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);

    if (!f->open) {
        return;
    }
    trace_fake_vfio_close(fake_name(f));
    f->open = false;
    fake_release(f);
}

const VFIOBackendOps fake_vfio_ops = {
    .name = "fake",
    .get_device_info = fake_get_device_info,
    .get_region_info = fake_get_region_info,
    .region_read = fake_region_read,
    .region_write = fake_region_write,
    .region_mmap = fake_region_mmap,
    .region_munmap = fake_region_munmap,
    .get_irq_info = fake_get_irq_info,
    .set_irqs = fake_set_irqs,
    .reset = fake_reset,
    .get_hot_reset_info = fake_get_hot_reset_info,
    .hot_reset = fake_hot_reset,
    .get_iommu_info = fake_get_iommu_info,
    .dma_domain = fake_dma_domain,
    .dma_map = fake_dma_map,
    .dma_unmap = fake_dma_unmap,
    .close = fake_close,
};

/* Opening */

/* The spec's address, else the next free slot on a made-up bus. */
static void fake_set_identity(FakeVFIODevice *f, unsigned seq)
{
    VFIOBackend *b = &f->backend;
    const FakeVFIOSpec *s = f->spec;

    b->ops = &fake_vfio_ops;
    b->group_id = s->group;
    if (s->address) {
        fake_parse_address(s->address, &b->segment, &b->bus, &b->devfn);
    } else {
        b->segment = 0;
        b->bus = FAKE_BUS - seq / 32;
        b->devfn = PCI_DEVFN(seq % 32, 0);
    }
    b->name = g_strdup_printf("%04x:%02x:%02x.%x", b->segment, b->bus,
                              PCI_SLOT(b->devfn), PCI_FUNC(b->devfn));
}

/* "[fake:]PROFILE[:/path/spec.ini]" */
static FakeVFIOSpec *fake_parse_spec(const char *str, Error **errp)
{
    g_auto(GStrv) parts = NULL;

    if (!str) {
        error_setg(errp, "fake-vfio: no spec given (expected "
                   "fake:PROFILE[:/path/spec.ini])");
        return NULL;
    }
    if (g_str_has_prefix(str, FAKE_PREFIX)) {
        str += strlen(FAKE_PREFIX);
    }
    parts = g_strsplit(str, ":", 2);
    return fake_spec_new(parts[0], parts[0] ? parts[1] : NULL, errp);
}

/*
 * Closed fakes stay readable (tests look at their counters after the
 * device is gone) until the next open; only the newest closed one is kept
 * beyond that, so that plug/unplug loops do not grow without bound.
 */
static void fake_forget_closed(void)
{
    int newest_closed = -1;

    for (guint i = 0; i < fake_devices->len; i++) {
        if (!((FakeVFIODevice *)g_ptr_array_index(fake_devices, i))->open) {
            newest_closed = i;
        }
    }
    for (guint i = 0; i < fake_devices->len;) {
        FakeVFIODevice *old = g_ptr_array_index(fake_devices, i);

        if (!old->open && (int)i != newest_closed) {
            g_ptr_array_remove_index(fake_devices, i);
            newest_closed -= newest_closed > (int)i;
            g_free(old->backend.name);
            g_free(old);
            continue;
        }
        i++;
    }
}

FakeVFIODevice *fake_vfio_open(const char *spec, Error **errp)
{
    FakeVFIODevice *f = g_new0(FakeVFIODevice, 1);

    f->spec = fake_parse_spec(spec, errp);
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
        f->bar_fd[i] = -1;
    }
    if (!f->spec || !fake_rom_build(f, errp) ||
        !fake_config_build(f, errp) || !fake_bars_create(f, errp)) {
        fake_bars_destroy(f);
        g_free(f->rom);
        fake_spec_free(f->spec);
        g_free(f);
        return NULL;
    }
    fake_irqs_init(f);
    fake_steal_init(f);
    fake_iommu_attach(f);
    fake_set_identity(f, fake_seq++);
    f->open = true;
    for (unsigned i = 0; i < ARRAY_SIZE(f->spec->faults); i++) {
        if (i == FAKE_FAULT_REGION_EIO ? f->spec->faults[i] != UINT32_MAX
                                       : f->spec->faults[i] != 0) {
            fake_vfio_inject_fault(f, i, f->spec->faults[i]);
        }
    }
    if (!fake_devices) {
        fake_devices = g_ptr_array_new();
    }
    fake_forget_closed();
    g_ptr_array_add(fake_devices, f);
    trace_fake_vfio_open(fake_name(f), f->spec->profile);
    return f;
}

VFIOBackend *fake_vfio_backend(FakeVFIODevice *f)
{
    return &f->backend;
}

FakeVFIODevice *fake_vfio_from_backend(VFIOBackend *b)
{
    return b && b->ops == &fake_vfio_ops
           ? container_of(b, FakeVFIODevice, backend) : NULL;
}

FakeVFIODevice *fake_vfio_last(void)
{
    return fake_devices && fake_devices->len
           ? g_ptr_array_index(fake_devices, fake_devices->len - 1) : NULL;
}

/* Test hooks */

const FakeVFIOCounters *fake_vfio_counters(FakeVFIODevice *f)
{
    static const FakeVFIOCounters none;

    g_return_val_if_fail(f, &none);
    return &f->counters;
}

void fake_vfio_inject_fault(FakeVFIODevice *f, FakeVFIOFault fault,
                            uint32_t arg)
{
    g_return_if_fail(f);
    switch (fault) {
    case FAKE_FAULT_REGION_EIO:
        if (arg < VFIO_PCI_NUM_REGIONS) {
            f->fault_region_mask |= 1u << arg;
        } else {
            f->fault_region_mask = 0;
        }
        break;
    case FAKE_FAULT_SET_IRQS:
        f->fault_set_irqs = arg;
        break;
    case FAKE_FAULT_RESET:
        f->fault_reset = arg;
        break;
    case FAKE_FAULT_DMA_MAP:
        f->fault_dma_map = arg;
        break;
    case FAKE_FAULT_MMAP:
        f->fault_mmap = arg;
        break;
    case FAKE_FAULT_DMA_MAP_NOSPC:
        f->fault_dma_map_nospc = arg;
        break;
    case FAKE_FAULT_EVENTFD_READ:
        f->fault_eventfd_read = arg;
        break;
    }
}

static const char *const fault_names[] = {
    [FAKE_FAULT_REGION_EIO] = "region-eio",
    [FAKE_FAULT_SET_IRQS] = "set-irqs",
    [FAKE_FAULT_RESET] = "reset",
    [FAKE_FAULT_DMA_MAP] = "dma-map",
    [FAKE_FAULT_MMAP] = "mmap",
    [FAKE_FAULT_DMA_MAP_NOSPC] = "dma-map-nospace",
    [FAKE_FAULT_EVENTFD_READ] = "eventfd-read",
};

bool fake_vfio_fault_parse(const char *name, FakeVFIOFault *fault)
{
    for (size_t i = 0; i < ARRAY_SIZE(fault_names); i++) {
        if (!strcmp(name, fault_names[i])) {
            *fault = i;
            return true;
        }
    }
    return false;
}

const uint8_t *fake_vfio_config(FakeVFIODevice *f)
{
    g_return_val_if_fail(f, NULL);
    return f->config;
}

bool fake_vfio_rom_enable_was_set(FakeVFIODevice *f)
{
    return f && f->rom_enable_set;
}

bool fake_vfio_is_open(FakeVFIODevice *f)
{
    return f && f->open;
}

/* Provider for host=fake:... */

static bool fake_claims(const char *host, const char *sysfsdev)
{
    return host && g_str_has_prefix(host, FAKE_PREFIX);
}

static VFIOBackend *fake_provider_open(const char *host, const char *sysfsdev,
                                       Error **errp)
{
    FakeVFIODevice *f = fake_vfio_open(host, errp);

    return f ? &f->backend : NULL;
}

static const VFIOBackendProvider fake_provider = {
    .name = "fake",
    .claims = fake_claims,
    .open = fake_provider_open,
};

static void __attribute__((constructor)) fake_vfio_register(void)
{
    vfio_backend_register_provider(&fake_provider);
}
