/*
 * The fake device's interrupts, following the kernel's vfio-pci rules for
 * VFIO_DEVICE_SET_IRQS: one of INTx, MSI and MSI-X at a time; an index is
 * enabled by binding eventfds and disabled by DATA_NONE with count 0; MSI
 * (and MSI-X with NORESIZE) cannot grow while enabled; INTx is automasked
 * when it fires and unmasked by SET_IRQS, directly or through an unmask
 * eventfd. An interrupt that cannot be signalled stays pending and goes
 * out as soon as it can.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "fake-vfio-int.h"
#include "trace.h"
#include <sys/eventfd.h>

#define INTX VFIO_PCI_INTX_IRQ_INDEX

void fake_irqs_init(FakeVFIODevice *f)
{
    const FakeVFIOSpec *s = f->spec;
    const uint32_t counts[VFIO_PCI_NUM_IRQS] = {
        [VFIO_PCI_INTX_IRQ_INDEX] = s->intx_pin ? 1 : 0,
        [VFIO_PCI_MSI_IRQ_INDEX] = s->msi_vectors,
        [VFIO_PCI_MSIX_IRQ_INDEX] = s->msix_vectors,
        [VFIO_PCI_ERR_IRQ_INDEX] = s->err_irq,
        [VFIO_PCI_REQ_IRQ_INDEX] = s->req_irq,
    };

    f->irq_type = FAKE_IRQ_NONE;
    f->unmask_fd = -1;
    for (uint32_t i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
        FakeIRQ *irq = &f->irqs[i];

        irq->count = counts[i];
        irq->flags = VFIO_IRQ_INFO_EVENTFD;
        if (i == INTX) {
            irq->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
        } else if (i != VFIO_PCI_MSIX_IRQ_INDEX || s->msix_noresize) {
            irq->flags |= VFIO_IRQ_INFO_NORESIZE;
        }
        irq->fds = g_new(int, irq->count);
        irq->pending = g_new0(bool, irq->count);
        for (uint32_t v = 0; v < irq->count; v++) {
            irq->fds[v] = -1;
        }
    }
}

bool fake_get_irq_info(VFIOBackend *b, uint32_t index, VFIOIRQInfo *info,
                       Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);

    memset(info, 0, sizeof(*info));
    info->index = index;
    if (!fake_check_open(f, errp)) {
        return false;
    }
    if (index >= VFIO_PCI_NUM_IRQS) {
        error_setg(errp, "fake-vfio %s: no irq index %u", fake_name(f), index);
        return false;
    }
    info->flags = f->irqs[index].flags;
    info->count = f->irqs[index].count;
    return true;
}

/* Delivery */

static bool is_notification(uint32_t index)
{
    return index == VFIO_PCI_ERR_IRQ_INDEX || index == VFIO_PCI_REQ_IRQ_INDEX;
}

/* Signal vector @v now if the device could, else leave it pending. */
static void irq_deliver(FakeVFIODevice *f, uint32_t index, uint32_t v)
{
    FakeIRQ *irq = &f->irqs[index];
    bool active = is_notification(index) ||
                  (f->irq_type == index && v < irq->enabled);

    if (!active || irq->fds[v] < 0 || (index == INTX && f->intx_masked)) {
        irq->pending[v] = true;
        trace_fake_vfio_irq_latch(fake_name(f), index, v);
        return;
    }
    irq->pending[v] = false;
    trace_fake_vfio_irq_fire(fake_name(f), index, v);
    eventfd_write(irq->fds[v], 1);
    if (f->fault_eventfd_read && f->steal.fd >= 0) {
        int dup = fcntl(irq->fds[v], F_DUPFD_CLOEXEC, 0);

        f->fault_eventfd_read--;
        if (dup >= 0) {
            g_array_append_val(f->stolen, dup);
            event_notifier_set(&f->steal);
        }
    }
    if (index == INTX) {
        f->intx_masked = true;      /* automasked until unmasked */
    }
}

static void irq_flush(FakeVFIODevice *f, uint32_t index, uint32_t v)
{
    if (f->irqs[index].pending[v]) {
        irq_deliver(f, index, v);
    }
}

void fake_vfio_raise_irq(FakeVFIODevice *f, uint32_t index, uint32_t vector)
{
    if (f && f->open && index < VFIO_PCI_NUM_IRQS &&
        vector < f->irqs[index].count) {
        irq_deliver(f, index, vector);
    }
}

/* BAR0 FIRE register: a vector of whatever is on, or INTx. */
void fake_fire_vector(FakeVFIODevice *f, uint32_t vector)
{
    if (f->irq_type == VFIO_PCI_MSI_IRQ_INDEX ||
        f->irq_type == VFIO_PCI_MSIX_IRQ_INDEX) {
        fake_vfio_raise_irq(f, f->irq_type, vector);
    } else if (vector == 0) {
        fake_vfio_raise_irq(f, INTX, 0);
    }
}

bool fake_intx_asserted(FakeVFIODevice *f)
{
    return f->intx_masked || (f->irqs[INTX].count && f->irqs[INTX].pending[0]);
}

/*
 * Interrupts taken back (FAKE_FAULT_EVENTFD_READ). The steal notifier is
 * watched from open on, so in the main-loop iteration where a stolen
 * eventfd and the steal notifier are both ready, GLib dispatches this
 * handler first (same priority, attached earlier): it drains the eventfd,
 * and the model's handler, woken by the same poll, reads nothing.
 */
static void fake_steal_run(EventNotifier *e)
{
    FakeVFIODevice *f = container_of(e, FakeVFIODevice, steal);
    eventfd_t value;

    event_notifier_test_and_clear(e);
    for (guint i = 0; i < f->stolen->len; i++) {
        int fd = g_array_index(f->stolen, int, i);

        if (eventfd_read(fd, &value) == 0) {
            trace_fake_vfio_irq_stolen(fake_name(f), fd);
        }
        close(fd);
    }
    g_array_set_size(f->stolen, 0);
}

void fake_steal_init(FakeVFIODevice *f)
{
    f->stolen = g_array_new(false, false, sizeof(int));
    if (!event_notifier_init(&f->steal, NULL)) {
        f->steal.fd = -1;
        return;
    }
    event_notifier_set_handler(&f->steal, fake_steal_run);
}

void fake_steal_destroy(FakeVFIODevice *f)
{
    for (guint i = 0; f->stolen && i < f->stolen->len; i++) {
        close(g_array_index(f->stolen, int, i));
    }
    g_clear_pointer(&f->stolen, g_array_unref);
    event_notifier_cleanup(&f->steal);
}

/* Eventfds */

/* Our own reference to a caller's eventfd, as the kernel takes one. */
static int dup_eventfd(int32_t fd)
{
    char path[64], target[64];
    ssize_t n;
    int newfd;

    if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
        return -EBADF;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    n = readlink(path, target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = '\0';
        if (strcmp(target, "anon_inode:[eventfd]")) {
            return -EINVAL;
        }
    }
    newfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return newfd < 0 ? -errno : newfd;
}

/* Like the kernel, the old trigger goes first, even if the new one fails. */
static int irq_bind(FakeVFIODevice *f, uint32_t index, uint32_t v, int32_t fd)
{
    FakeIRQ *irq = &f->irqs[index];
    int newfd = 0;

    if (irq->fds[v] >= 0) {
        close(irq->fds[v]);
        irq->fds[v] = -1;
    }
    if (fd < 0) {
        return 0;
    }
    newfd = dup_eventfd(fd);
    if (newfd < 0) {
        return newfd;
    }
    irq->fds[v] = newfd;
    irq_flush(f, index, v);
    return 0;
}

static bool intx_unmask_ready(int fd, GIOCondition cond, void *opaque);

static void unmask_watch_remove(FakeVFIODevice *f)
{
    if (f->unmask_watch) {
        qemu_fd_watch_remove(f->unmask_watch);
        f->unmask_watch = 0;
    }
    if (f->unmask_fd >= 0) {
        close(f->unmask_fd);
        f->unmask_fd = -1;
    }
}

static int unmask_watch_set(FakeVFIODevice *f, int32_t fd)
{
    unmask_watch_remove(f);
    if (fd < 0) {
        return 0;
    }
    f->unmask_fd = dup_eventfd(fd);
    if (f->unmask_fd < 0) {
        int err = f->unmask_fd;
        f->unmask_fd = -1;
        return err;
    }
    f->unmask_watch = qemu_fd_watch_add(f->unmask_fd, G_IO_IN,
                                        intx_unmask_ready, f);
    if (!f->unmask_watch) {
        unmask_watch_remove(f);
        return -EINVAL;
    }
    return 0;
}

/* Enable and disable */

static void irq_enable(FakeVFIODevice *f, uint32_t index, uint32_t nvec)
{
    f->irq_type = index;
    f->irqs[index].enabled = nvec;
    if (index == INTX) {
        f->intx_masked = false;
    }
}

static void irq_disable(FakeVFIODevice *f, uint32_t index)
{
    FakeIRQ *irq = &f->irqs[index];

    for (uint32_t v = 0; v < irq->count; v++) {
        irq_bind(f, index, v, -1);
        irq->pending[v] = false;
    }
    irq->enabled = 0;
    if (index == INTX) {
        f->intx_masked = false;
        unmask_watch_remove(f);
    }
    if (f->irq_type == index) {
        f->irq_type = FAKE_IRQ_NONE;
    }
}

/* Reset: the device interrupt goes off; ERR/REQ notifiers stay bound. */
void fake_irqs_disable(FakeVFIODevice *f)
{
    if (f->irq_type != FAKE_IRQ_NONE) {
        irq_disable(f, f->irq_type);
    }
    unmask_watch_remove(f);
}

void fake_irqs_destroy(FakeVFIODevice *f)
{
    for (uint32_t i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
        irq_disable(f, i);
        g_free(f->irqs[i].fds);
        g_free(f->irqs[i].pending);
        memset(&f->irqs[i], 0, sizeof(f->irqs[i]));
    }
    f->irq_type = FAKE_IRQ_NONE;
}

/* INTx */

static void intx_unmask(FakeVFIODevice *f)
{
    if (f->irq_type == INTX) {
        trace_fake_vfio_intx_unmask(fake_name(f));
        f->intx_masked = false;
        irq_flush(f, INTX, 0);
    }
}

static bool intx_unmask_ready(int fd, GIOCondition cond, void *opaque)
{
    eventfd_t value;

    if (eventfd_read(fd, &value) == 0) {
        intx_unmask(opaque);
    }
    return true;
}

static bool data_true(uint32_t flags, const void *data, uint32_t i)
{
    if (flags & VFIO_IRQ_SET_DATA_BOOL) {
        return ((const uint8_t *)data)[i];
    }
    return flags & VFIO_IRQ_SET_DATA_NONE;
}

static int intx_set_mask(FakeVFIODevice *f, uint32_t flags, uint32_t start,
                         uint32_t count, const void *data)
{
    if (f->irq_type != INTX || start || count != 1) {
        return -EINVAL;
    }
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        return -ENOTTY;         /* the kernel has no mask eventfd either */
    }
    if (data_true(flags, data, 0)) {
        f->intx_masked = true;
    }
    return 0;
}

static int intx_set_unmask(FakeVFIODevice *f, uint32_t flags, uint32_t start,
                           uint32_t count, const void *data)
{
    if (f->irq_type != INTX || start || count != 1) {
        return -EINVAL;
    }
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        return unmask_watch_set(f, *(const int32_t *)data);
    }
    if (data_true(flags, data, 0)) {
        intx_unmask(f);
    }
    return 0;
}

static int intx_set_trigger(FakeVFIODevice *f, uint32_t flags, uint32_t start,
                            uint32_t count, const void *data)
{
    bool was_off = f->irq_type == FAKE_IRQ_NONE;
    int ret;

    if (f->irq_type == INTX && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
        irq_disable(f, INTX);
        return 0;
    }
    if (!(f->irq_type == INTX || was_off) || start || count != 1) {
        return -EINVAL;
    }
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        if (was_off) {
            irq_enable(f, INTX, 1);
        }
        ret = irq_bind(f, INTX, 0, *(const int32_t *)data);
        if (ret && was_off) {
            irq_disable(f, INTX);
        }
        return ret;
    }
    if (was_off) {
        return -EINVAL;
    }
    if (data_true(flags, data, 0)) {
        irq_deliver(f, INTX, 0);    /* loopback trigger */
    }
    return 0;
}

/* MSI, MSI-X */

static int msi_set_block(FakeVFIODevice *f, uint32_t index, uint32_t start,
                         uint32_t count, const int32_t *fds)
{
    FakeIRQ *irq = &f->irqs[index];
    int ret;

    if (start + count > irq->enabled) {
        if (irq->flags & VFIO_IRQ_INFO_NORESIZE) {
            return -EINVAL;     /* disable and re-enable with more vectors */
        }
        irq->enabled = start + count;   /* dynamic MSI-X allocation */
    }
    for (uint32_t i = 0; i < count; i++) {
        ret = irq_bind(f, index, start + i, fds[i]);
        if (ret) {
            while (i--) {
                irq_bind(f, index, start + i, -1);
            }
            return ret;
        }
    }
    return 0;
}

static int msi_set_trigger(FakeVFIODevice *f, uint32_t index, uint32_t flags,
                           uint32_t start, uint32_t count, const void *data)
{
    bool on = f->irq_type == index;
    int ret;

    if (on && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
        irq_disable(f, index);
        return 0;
    }
    if (!on && f->irq_type != FAKE_IRQ_NONE) {
        return -EINVAL;         /* another interrupt type is enabled */
    }
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        if (on) {
            return msi_set_block(f, index, start, count, data);
        }
        if (!(start + count)) {
            return -EINVAL;
        }
        irq_enable(f, index, start + count);
        ret = msi_set_block(f, index, start, count, data);
        if (ret) {
            irq_disable(f, index);
        }
        return ret;
    }
    if (!on) {
        return -EINVAL;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (start + i < f->irqs[index].enabled && data_true(flags, data, i)) {
            irq_deliver(f, index, start + i);
        }
    }
    return 0;
}

/* ERR, REQ: one notifier each, independent of the interrupt type. */
static int notify_set_trigger(FakeVFIODevice *f, uint32_t index,
                              uint32_t flags, uint32_t count, const void *data)
{
    if (!count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
        return irq_bind(f, index, 0, -1);
    }
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        return count ? irq_bind(f, index, 0, *(const int32_t *)data) : -EINVAL;
    }
    if (count && data_true(flags, data, 0) && f->irqs[index].fds[0] >= 0) {
        irq_deliver(f, index, 0);
    }
    return 0;
}

/* SET_IRQS */

static int set_irqs_validate(FakeVFIODevice *f, uint32_t index,
                             uint32_t flags, uint32_t start, uint32_t count,
                             const void *data)
{
    uint32_t dtype = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    uint32_t max;

    if (index >= VFIO_PCI_NUM_IRQS ||
        (flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
                   VFIO_IRQ_SET_ACTION_TYPE_MASK)) ||
        (dtype != VFIO_IRQ_SET_DATA_NONE && dtype != VFIO_IRQ_SET_DATA_BOOL &&
         dtype != VFIO_IRQ_SET_DATA_EVENTFD)) {
        return -EINVAL;
    }
    max = f->irqs[index].count;
    if (start >= max || count > max - start) {
        return -EINVAL;
    }
    if (count && dtype != VFIO_IRQ_SET_DATA_NONE && !data) {
        return -EFAULT;
    }
    return 0;
}

static int set_irqs_dispatch(FakeVFIODevice *f, uint32_t index,
                             uint32_t flags, uint32_t start, uint32_t count,
                             const void *data)
{
    uint32_t action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

    if (index == INTX) {
        switch (action) {
        case VFIO_IRQ_SET_ACTION_MASK:
            return intx_set_mask(f, flags, start, count, data);
        case VFIO_IRQ_SET_ACTION_UNMASK:
            return intx_set_unmask(f, flags, start, count, data);
        case VFIO_IRQ_SET_ACTION_TRIGGER:
            return intx_set_trigger(f, flags, start, count, data);
        }
    } else if (action == VFIO_IRQ_SET_ACTION_TRIGGER) {
        if (is_notification(index)) {
            return notify_set_trigger(f, index, flags, count, data);
        }
        return msi_set_trigger(f, index, flags, start, count, data);
    }
    return -ENOTTY;
}

int fake_set_irqs(VFIOBackend *b, uint32_t index, uint32_t flags,
                  uint32_t start, uint32_t count, const void *data)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);
    int ret;

    trace_fake_vfio_set_irqs(fake_name(f), index, flags, start, count);
    if (!f->open) {
        return -ENODEV;
    }
    if (index < VFIO_PCI_NUM_IRQS) {
        f->counters.set_irqs[index]++;
    }
    if (f->fault_set_irqs) {
        f->fault_set_irqs--;
        ret = -EINVAL;
    } else {
        ret = set_irqs_validate(f, index, flags, start, count, data);
        if (!ret) {
            ret = set_irqs_dispatch(f, index, flags, start, count, data);
        }
    }
    if (ret < 0) {
        f->counters.set_irqs_failed++;
        trace_fake_vfio_set_irqs_fail(fake_name(f), index, ret);
    }
    return ret;
}

/* Inspection */

bool fake_vfio_irq_enabled(FakeVFIODevice *f, uint32_t index,
                           uint32_t vector)
{
    FakeIRQ *irq;

    if (!f || index >= VFIO_PCI_NUM_IRQS || vector >= f->irqs[index].count) {
        return false;
    }
    irq = &f->irqs[index];
    return irq->fds[vector] >= 0 &&
           (is_notification(index) ||
            (f->irq_type == index && vector < irq->enabled));
}

unsigned fake_vfio_irq_count_enabled(FakeVFIODevice *f, uint32_t index)
{
    if (!f || index >= VFIO_PCI_NUM_IRQS) {
        return 0;
    }
    if (is_notification(index)) {
        return f->irqs[index].count && f->irqs[index].fds[0] >= 0;
    }
    return f->irq_type == index ? f->irqs[index].enabled : 0;
}
