/*
 * KVM: /dev/kvm, the VM, its capabilities, and the GSI routing table with
 * the irqfds bound to it (include/system/kvm.h).
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "system/memory.h"
#include "system/kvm.h"
#include "hw/pci/msi-route.h"
#include "kvm-int.h"
#include "trace.h"
#include <sys/ioctl.h>

KVMState *kvm_state;

static int ioctl_retry(int fd, unsigned long req, void *arg)
{
    int ret;

    do {
        ret = ioctl(fd, req, arg);
    } while (ret < 0 && errno == EINTR);
    return ret < 0 ? -errno : ret;
}

int kvm_ioctl(unsigned long req, void *arg)
{
    return ioctl_retry(kvm_state->fd, req, arg);
}

int kvm_vm_ioctl(unsigned long req, void *arg)
{
    return ioctl_retry(kvm_state->vm_fd, req, arg);
}

int kvm_vcpu_ioctl(KVMCPU *kc, unsigned long req, void *arg)
{
    return ioctl_retry(kc->fd, req, arg);
}

int kvm_check_extension(int cap)
{
    int ret = ioctl_retry(kvm_state->vm_fd, KVM_CHECK_EXTENSION,
                          (void *)(intptr_t)cap);

    return ret < 0 ? 0 : ret;
}

static bool kvm_open(KVMState *s, Error **errp)
{
    int version;

    s->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (s->fd < 0) {
        error_setg_errno(errp, errno, "Could not access KVM kernel module");
        return false;
    }
    version = ioctl_retry(s->fd, KVM_GET_API_VERSION, NULL);
    if (version != KVM_API_VERSION) {
        error_setg(errp, "kvm version not supported: the kernel reports API "
                   "version %d, qvfio needs %d", version, KVM_API_VERSION);
        return false;
    }
    s->vm_fd = ioctl_retry(s->fd, KVM_CREATE_VM, NULL);
    if (s->vm_fd < 0) {
        error_setg_errno(errp, -s->vm_fd, "ioctl(KVM_CREATE_VM) failed");
        s->vm_fd = -1;
        return false;
    }
    return true;
}

/* What running guest CPUs needs of the kernel, checked once. */
static bool kvm_check_caps(KVMState *s, Error **errp)
{
    static const struct { int cap; const char *name; } needed[] = {
        { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
        { KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
        { KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
        { KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
        { KVM_CAP_IRQFD_RESAMPLE, "KVM_CAP_IRQFD_RESAMPLE" },
        { KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI" },
        { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
        { KVM_CAP_PIT2, "KVM_CAP_PIT2" },
        { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
    };
    int slots;

    for (size_t i = 0; i < ARRAY_SIZE(needed); i++) {
        if (!kvm_check_extension(needed[i].cap)) {
            error_setg(errp, "the host's KVM lacks %s, which qvfio needs to "
                       "run guest CPUs", needed[i].name);
            return false;
        }
    }
    s->vcpu_mmap_size = ioctl_retry(s->fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
    if (s->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
        error_setg(errp, "KVM_GET_VCPU_MMAP_SIZE failed");
        return false;
    }
    slots = kvm_check_extension(KVM_CAP_NR_MEMSLOTS);
    s->nr_slots = slots > 0 ? MIN(slots, 512) : 32;
    s->slots = g_new0(KVMSlot, s->nr_slots);
    s->gsi_count = kvm_check_extension(KVM_CAP_IRQ_ROUTING);
    s->used_gsi = g_new0(bool, s->gsi_count);
    return true;
}

static bool kvm_state_free(KVMState *s)
{
    kvm_arch_cleanup();
    if (s->vm_fd >= 0) {
        close(s->vm_fd);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s->slots);
    g_free(s->routes);
    g_free(s->used_gsi);
    g_free(s);
    return false;
}

/* Interrupt routes for device models (hw/pci/msi-route.h) */

typedef struct KVMRoute {
    int virq;
} KVMRoute;

static KVMRoute *kvm_route_new(int virq)
{
    KVMRoute *r = g_new(KVMRoute, 1);

    r->virq = virq;
    return r;
}

static void *kvm_route_msi_attach(MSIMessage msg, int fd)
{
    Error *err = NULL;
    int virq;

    if (!kvm_arch_msi_routable(msg.address)) {
        return NULL;
    }
    virq = kvm_irqchip_add_msi_route(msg.address, msg.data, &err);
    if (virq < 0) {
        warn_report_err(err);
        return NULL;
    }
    if (!kvm_irqchip_commit_routes(&err) ||
        !kvm_irqchip_add_irqfd(fd, -1, virq, &err)) {
        warn_report_err(err);
        kvm_irqchip_release_virq(virq);
        kvm_irqchip_commit_routes(NULL);
        return NULL;
    }
    return kvm_route_new(virq);
}

static bool kvm_route_msi_update(void *handle, MSIMessage msg)
{
    KVMRoute *r = handle;
    Error *err = NULL;

    if (!kvm_arch_msi_routable(msg.address)) {
        return false;
    }
    if (!kvm_irqchip_update_msi_route(r->virq, msg.address, msg.data, &err) ||
        !kvm_irqchip_commit_routes(&err)) {
        warn_report_err(err);
        return false;
    }
    return true;
}

static void kvm_route_msi_detach(void *handle, int fd)
{
    KVMRoute *r = handle;

    kvm_irqchip_remove_irqfd(fd, r->virq);
    kvm_irqchip_release_virq(r->virq);
    kvm_irqchip_commit_routes(NULL);
    g_free(r);
}

static void *kvm_route_intx_attach(int irq, int fd, int resample_fd)
{
    Error *err = NULL;

    if (!kvm_irqchip_add_irqfd(fd, resample_fd, irq, &err)) {
        warn_report_err(err);
        return NULL;
    }
    return kvm_route_new(irq);
}

static void kvm_route_intx_detach(void *handle, int fd)
{
    KVMRoute *r = handle;

    kvm_irqchip_remove_irqfd(fd, r->virq);
    g_free(r);
}

static const IrqRouteOps kvm_route_ops = {
    .msi_attach = kvm_route_msi_attach,
    .msi_update = kvm_route_msi_update,
    .msi_detach = kvm_route_msi_detach,
    .intx_attach = kvm_route_intx_attach,
    .intx_detach = kvm_route_intx_detach,
};

bool kvm_accel_init(bool with_cpus, Error **errp)
{
    KVMState *s = g_new0(KVMState, 1);

    s->fd = s->vm_fd = -1;
    if (!kvm_open(s, errp)) {
        return kvm_state_free(s);
    }
    kvm_state = s;
    if (with_cpus && (!kvm_check_caps(s, errp) || !kvm_arch_init(s, errp))) {
        kvm_state = NULL;
        return kvm_state_free(s);
    }
    s->irqchip = with_cpus;
    if (with_cpus) {
        irq_route_register_ops(&kvm_route_ops);
    }
    trace_kvm_init(with_cpus, s->nr_slots, s->gsi_count);
    return true;
}

bool kvm_accel_active(void)
{
    return kvm_state != NULL;
}

void kvm_accel_cleanup(void)
{
    if (!kvm_state) {
        return;
    }
    kvm_memory_cleanup();
    irq_route_register_ops(NULL);
    timer_free(kvm_state->coalesced_timer);
    kvm_state_free(kvm_state);
    kvm_state = NULL;
}

bool kvm_start_vcpus(const CpuTopology *smp, const uint32_t *apic_ids,
                     Error **errp)
{
    kvm_memory_init();
    return kvm_vcpus_create(smp, apic_ids, errp);
}

void kvm_reset_vm(void)
{
    kvm_arch_reset_irqchip();
    cpus_reset_all();
}

/* Coalesced port writes */

void kvm_flush_coalesced(void)
{
    struct kvm_coalesced_mmio_ring *ring = kvm_state->coalesced_ring;

    if (!ring) {
        return;
    }
    while (ring->first != ring->last) {
        struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[ring->first];
        unsigned len = MIN(e->len, sizeof(e->data));

        if (e->pio && (len == 1 || len == 2 || len == 4)) {
            address_space_write_sized(&address_space_io, e->phys_addr, len,
                                      ldn_le_p(e->data, len));
        } else if (!e->pio) {
            address_space_write(&address_space_memory, e->phys_addr, e->data,
                                len);
        }
        __atomic_store_n(&ring->first, (ring->first + 1) % kvm_state->coalesced_max,
                         __ATOMIC_RELEASE);
    }
}

/*
 * A vCPU that writes a queued register and then never leaves the guest
 * again (a reset write followed by a halt) still has its write seen.
 */
static void kvm_coalesced_tick(void *opaque)
{
    kvm_flush_coalesced();
    timer_mod(kvm_state->coalesced_timer,
              qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 50);
}

void kvm_coalesce_pio(uint16_t port, unsigned size)
{
    struct kvm_coalesced_mmio_zone zone = {
        .addr = port, .size = size, .pio = 1,
    };
    int ret;

    if (!kvm_check_extension(KVM_CAP_COALESCED_PIO)) {
        return;
    }
    ret = kvm_vm_ioctl(KVM_REGISTER_COALESCED_MMIO, &zone);
    trace_kvm_coalesce_pio(port, size, ret);
    if (ret >= 0 && !kvm_state->coalesced_pio) {
        kvm_state->coalesced_pio = true;
        kvm_state->coalesced_timer = timer_new_ms(QEMU_CLOCK_REALTIME,
                                                  kvm_coalesced_tick, NULL);
        kvm_coalesced_tick(NULL);
    }
}

/* The ring sits in every vCPU's map, a page or more past struct kvm_run. */
void kvm_coalesced_ring_init(void *vcpu_map)
{
    int page = kvm_check_extension(KVM_CAP_COALESCED_MMIO);
    size_t psize = getpagesize();

    if (kvm_state->coalesced_ring || page <= 0 ||
        (size_t)(page + 1) * psize > (size_t)kvm_state->vcpu_mmap_size) {
        return;
    }
    kvm_state->coalesced_ring = (void *)((uint8_t *)vcpu_map + page * psize);
    kvm_state->coalesced_max = (psize - sizeof(struct kvm_coalesced_mmio_ring))
                               / sizeof(struct kvm_coalesced_mmio);
}

bool kvm_irqchip_in_kernel(void)
{
    return kvm_state && kvm_state->irqchip;
}

/* Interrupt lines */

void kvm_set_irq(int gsi, int level)
{
    struct kvm_irq_level event = { .irq = gsi, .level = level };
    int ret;

    trace_kvm_set_irq(gsi, level);
    ret = kvm_vm_ioctl(KVM_IRQ_LINE, &event);
    if (ret < 0) {
        warn_report("kvm: cannot set GSI %d to %d: %s", gsi, level,
                    strerror(-ret));
    }
}

bool kvm_send_msi(uint64_t address, uint32_t data)
{
    struct kvm_msi msi = {
        .address_lo = (uint32_t)address,
        .address_hi = address >> 32,
        .data = data,
    };
    int ret = kvm_vm_ioctl(KVM_SIGNAL_MSI, &msi);

    trace_kvm_send_msi(address, data, ret);
    return ret >= 0;
}

/* GSI routes */

static struct kvm_irq_routing_entry *route_find(unsigned gsi)
{
    struct kvm_irq_routing *r = kvm_state->routes;

    for (unsigned i = 0; r && i < r->nr; i++) {
        if (r->entries[i].gsi == gsi) {
            return &r->entries[i];
        }
    }
    return NULL;
}

bool kvm_add_route(const struct kvm_irq_routing_entry *e, Error **errp)
{
    KVMState *s = kvm_state;
    struct kvm_irq_routing_entry *old;

    /* An irqchip GSI may have a PIC and an I/O APIC route: keep both. */
    old = e->type == KVM_IRQ_ROUTING_MSI ? route_find(e->gsi) : NULL;
    if (old) {
        *old = *e;
        return true;
    }
    if (!s->routes || s->routes->nr == s->nr_routes_max) {
        unsigned max = MAX(64, s->nr_routes_max * 2);

        if (max > s->gsi_count * 2 + 64) {
            error_setg(errp, "kvm: too many interrupt routes");
            return false;
        }
        s->routes = g_realloc(s->routes, sizeof(*s->routes) +
                              max * sizeof(s->routes->entries[0]));
        if (!s->nr_routes_max) {
            s->routes->nr = 0;
            s->routes->flags = 0;
        }
        s->nr_routes_max = max;
    }
    s->routes->entries[s->routes->nr++] = *e;
    if (e->gsi < s->gsi_count) {
        s->used_gsi[e->gsi] = true;
    }
    return true;
}

static int gsi_alloc(void)
{
    KVMState *s = kvm_state;

    /* The irqchip's own GSIs (0..23) are taken at start-up. */
    for (unsigned gsi = 0; gsi < s->gsi_count; gsi++) {
        if (!s->used_gsi[gsi]) {
            return gsi;
        }
    }
    return -1;
}

static void msi_entry(struct kvm_irq_routing_entry *e, int gsi,
                      uint64_t address, uint32_t data)
{
    memset(e, 0, sizeof(*e));
    e->gsi = gsi;
    e->type = KVM_IRQ_ROUTING_MSI;
    e->u.msi.address_lo = (uint32_t)address;
    e->u.msi.address_hi = address >> 32;
    e->u.msi.data = data;
}

int kvm_irqchip_add_msi_route(uint64_t address, uint32_t data, Error **errp)
{
    struct kvm_irq_routing_entry e;
    int gsi = gsi_alloc();

    if (gsi < 0) {
        error_setg(errp, "kvm: no free GSI for an MSI route (the kernel "
                   "allows %u)", kvm_state->gsi_count);
        return -1;
    }
    msi_entry(&e, gsi, address, data);
    if (!kvm_add_route(&e, errp)) {
        return -1;
    }
    trace_kvm_msi_route_add(gsi, address, data);
    return gsi;
}

bool kvm_irqchip_update_msi_route(int virq, uint64_t address, uint32_t data,
                                  Error **errp)
{
    struct kvm_irq_routing_entry *e = route_find(virq);

    if (!e || e->type != KVM_IRQ_ROUTING_MSI) {
        error_setg(errp, "kvm: GSI %d is not an MSI route", virq);
        return false;
    }
    msi_entry(e, virq, address, data);
    trace_kvm_msi_route_update(virq, address, data);
    return true;
}

void kvm_irqchip_release_virq(int virq)
{
    struct kvm_irq_routing *r = kvm_state->routes;

    unsigned i = 0;

    while (r && i < r->nr) {
        if (r->entries[i].gsi == (unsigned)virq) {
            r->entries[i] = r->entries[--r->nr];
        } else {
            i++;
        }
    }
    if (virq >= 0 && (unsigned)virq < kvm_state->gsi_count) {
        kvm_state->used_gsi[virq] = false;
    }
    trace_kvm_msi_route_release(virq);
}

bool kvm_irqchip_commit_routes(Error **errp)
{
    int ret = kvm_vm_ioctl(KVM_SET_GSI_ROUTING, kvm_state->routes);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "kvm: KVM_SET_GSI_ROUTING failed");
        return false;
    }
    return true;
}

/* irqfds */

bool kvm_irqchip_add_irqfd(int fd, int resample_fd, int virq, Error **errp)
{
    struct kvm_irqfd irqfd = {
        .fd = fd,
        .gsi = virq,
        .flags = resample_fd >= 0 ? KVM_IRQFD_FLAG_RESAMPLE : 0,
        .resamplefd = resample_fd >= 0 ? resample_fd : 0,
    };
    int ret = kvm_vm_ioctl(KVM_IRQFD, &irqfd);

    trace_kvm_irqfd_add(fd, resample_fd, virq, ret);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "kvm: cannot bind eventfd %d to GSI %d",
                         fd, virq);
        return false;
    }
    return true;
}

void kvm_irqchip_remove_irqfd(int fd, int virq)
{
    struct kvm_irqfd irqfd = {
        .fd = fd,
        .gsi = virq,
        .flags = KVM_IRQFD_FLAG_DEASSIGN,
    };
    int ret = kvm_vm_ioctl(KVM_IRQFD, &irqfd);

    trace_kvm_irqfd_remove(fd, virq, ret);
}
