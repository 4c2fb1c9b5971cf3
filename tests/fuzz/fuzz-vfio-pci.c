/*
 * vfio-pci (hw/vfio/) between a guest and a device that both come from
 * the input. The device is a backend of this file (host=fuzz:), whose
 * device info, config space (so its capability chains), BAR and ROM
 * region info, sparse-mmap areas, IRQ info, IOMMU info, ROM image and
 * failures are the first part of the input; the rest is what the guest
 * does: config, BAR, MSI-X table/PBA and ROM accesses of every size and
 * alignment, interrupts from the device, main-loop turns, resets.
 *
 * Besides crashes, hangs and leaks (memory and fds), the backend checks
 * the rules of device assignment as the model follows them:
 *  - the device's MSI-X table and PBA are never read, written or mmap'd
 *    unless the region is MSIX_MAPPABLE;
 *  - the ROM region is never mmap'd and the ROM decoder is left off;
 *  - no DMA mapping touches a reserved IOVA range, breaks the IOMMU page
 *    size, or exceeds the mappings the IOMMU said were available;
 *  - a guest config write never reaches bits the model virtualises;
 *  - the capability chains the guest sees end, stay in bounds and do
 *    not overlap;
 *  - the model closes the device once, and uses nothing after that.
 */
#include "qemu/osdep.h"
#include <sys/eventfd.h>
#include <sys/mman.h>
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/vfio/vfio-pci.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "system/qdev-monitor.h"
#include "system/runstate.h"
#include "fuzz-util.h"

#define DEV_ID "fuzzdev"
#define DEV_DEVFN PCI_DEVFN(3, 0)
#define MAX_OPS 256
#define MAX_MMAP (1 << 20)              /* larger mmaps fail, as they may */
#define ROM_IMAGE_MAX (64 * 1024)       /* bytes past it read as 0xff */
#define NR_REGIONS VFIO_PCI_NUM_REGIONS
#define NR_IRQS VFIO_PCI_NUM_IRQS

/* Failures the device shows, each for the next N calls (0: none). */
enum {
    FAIL_CONFIG_READ,
    FAIL_CONFIG_WRITE,
    FAIL_BAR_ACCESS,
    FAIL_SHORT_ACCESS,          /* fewer bytes than asked for */
    FAIL_ROM_READ,
    FAIL_SET_IRQS,
    FAIL_RESET,
    FAIL_DMA_MAP,
    FAIL_MMAP,
    FAIL_REGION_INFO,
    FAIL_IRQ_INFO,
    FAIL__MAX,
};

typedef struct FuzzRegion {
    VFIORegionInfo info;        /* mmap_areas owned here */
} FuzzRegion;

typedef struct FuzzDev {
    VFIOBackend backend;
    bool closed;
    VFIODeviceInfo dev_info;
    uint32_t config_size;
    uint8_t config[PCIE_CONFIG_SPACE_SIZE];
    FuzzRegion regions[NR_REGIONS];
    uint8_t rom[ROM_IMAGE_MAX];
    VFIOIRQInfo irqs[NR_IRQS];
    int *irq_fds[NR_IRQS];      /* our dups of the model's eventfds */
    uint32_t nr_bound[NR_IRQS]; /* of them, the ones >= 0 (-1: unbound) */
    VFIOIOMMUInfo iommu;
    unsigned nr_maps;
    unsigned fail[FAIL__MAX];
    bool config_write_failed;   /* the decoder may have been left on */
    bool guest_config_write;    /* inside a config write from the guest */
} FuzzDev;

static FuzzDev *cur;            /* the device of the running input */
static int fds_baseline;

static const VFIOBackendOps fuzz_ops;

static bool take_fail(FuzzDev *d, unsigned what)
{
    if (!d->fail[what]) {
        return false;
    }
    d->fail[what]--;
    return true;
}

static FuzzDev *dev_of(VFIOBackend *b)
{
    FuzzDev *d = container_of(b, FuzzDev, backend);

    if (d->closed) {
        fuzz_fail("the model used the device after closing it");
    }
    return d;
}

/* Rules the model must keep (see the top of the file) */

static VFIOPCIDevice *model(void)
{
    Object *obj = object_resolve_path("/machine/peripheral/" DEV_ID, NULL);

    return obj ? VFIO_PCI(obj) : NULL;
}

static uint64_t host_page(void)
{
    return sysconf(_SC_PAGESIZE);
}

static uint64_t page_down(uint64_t x)
{
    return QEMU_ALIGN_DOWN(x, host_page());
}

/* [off, off+len) of region @index touches the device's table or PBA? */
static const char *msix_hit(uint32_t index, uint64_t off, uint64_t len,
                            bool whole_pages)
{
    VFIOPCIDevice *vdev = model();
    VFIOMSIXInfo *m = vdev ? vdev->msix : NULL;
    uint64_t tlen, plen, ts, ps;

    if (!m || vdev->msix_mappable || !len) {
        return NULL;
    }
    tlen = (uint64_t)m->entries * PCI_MSIX_ENTRY_SIZE;
    plen = QEMU_ALIGN_UP(m->entries, 64) / 8;
    ts = m->table_offset;
    ps = m->pba_offset;
    if (whole_pages) {
        tlen = QEMU_ALIGN_UP(ts + tlen, host_page()) - page_down(ts);
        ts = page_down(ts);
        plen = QEMU_ALIGN_UP(ps + plen, host_page()) - page_down(ps);
        ps = page_down(ps);
    }
    if (index == VFIO_PCI_BAR0_REGION_INDEX + m->table_bar &&
        ranges_overlap(off, len, ts, tlen)) {
        return "table";
    }
    if (index == VFIO_PCI_BAR0_REGION_INDEX + m->pba_bar &&
        ranges_overlap(off, len, ps, plen)) {
        return "PBA";
    }
    return NULL;
}

/* A guest config write: nothing the model virtualises reaches us. */
static void check_config_write(uint64_t off, const uint8_t *buf, size_t len)
{
    VFIOPCIDevice *vdev = model();

    if (!cur->guest_config_write || !vdev || !vdev->emulated_config_bits) {
        return;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t emu = vdev->emulated_config_bits[off + i];

        if (emu == 0xff || ((buf[i] ^ cur->config[off + i]) & emu)) {
            fuzz_fail("a guest write reached virtualised config bits 0x%02x "
                      "at 0x%" PRIx64, emu, off + i);
        }
    }
}

static void check_rom_decoder(void)
{
    if (cur && !cur->closed && !cur->config_write_failed && model() &&
        (cur->config[PCI_ROM_ADDRESS] & PCI_ROM_ADDRESS_ENABLE)) {
        fuzz_fail("the device's ROM decoder was left on");
    }
}

/* Walk a chain the guest sees; it must end, stay inside and not loop. */
static void check_guest_chains(void)
{
    VFIOPCIDevice *vdev = model();
    PCIDevice *pdev;
    bool seen[PCIE_CONFIG_SPACE_SIZE / 4] = { false };
    unsigned pos, hops = 0;

    if (!vdev) {
        return;
    }
    pdev = &vdev->pdev;
    pos = pdev->config[PCI_CAPABILITY_LIST];
    if (!(pci_get_word(pdev->config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        pos = 0;
    }
    for (; pos; pos = pdev->config[pos + PCI_CAP_LIST_NEXT]) {
        if (pos < PCI_STD_HEADER_SIZEOF || pos > PCI_CONFIG_SPACE_SIZE - 2 ||
            (pos & 3) || seen[pos / 4] || ++hops > 48) {
            fuzz_fail("the guest's capability chain is broken at 0x%x", pos);
        }
        seen[pos / 4] = true;
    }
    if (pci_config_size(pdev) <= PCI_CONFIG_SPACE_SIZE ||
        vdev->config_size <= PCI_CONFIG_SPACE_SIZE) {
        return;
    }
    for (pos = PCI_CFG_SPACE_SIZE, hops = 0; pos;
         pos = PCI_EXT_CAP_NEXT(pci_get_long(pdev->config + pos))) {
        if (pos < PCI_CFG_SPACE_SIZE || pos > PCIE_CONFIG_SPACE_SIZE - 4 ||
            (pos & 3) || seen[pos / 4] || ++hops > 960) {
            fuzz_fail("the guest's extended capability chain is broken at "
                      "0x%x", pos);
        }
        seen[pos / 4] = true;
        if (!pci_get_long(pdev->config + pos)) {
            break;
        }
    }
}

static void check_rules(void)
{
    check_rom_decoder();
    check_guest_chains();
}

/* The backend */

static bool fuzz_get_device_info(VFIOBackend *b, VFIODeviceInfo *info,
                                 Error **errp)
{
    *info = dev_of(b)->dev_info;
    return true;
}

static bool fuzz_get_region_info(VFIOBackend *b, uint32_t index,
                                 VFIORegionInfo *info, Error **errp)
{
    FuzzDev *d = dev_of(b);
    const VFIORegionInfo *r;

    memset(info, 0, sizeof(*info));
    if (index >= NR_REGIONS || take_fail(d, FAIL_REGION_INFO)) {
        error_setg(errp, "fuzz: no region %u", index);
        return false;
    }
    r = &d->regions[index].info;
    *info = *r;
    info->mmap_areas = g_memdup2(r->mmap_areas,
                                 r->nr_mmap_areas * sizeof(VFIOMmapArea));
    return true;
}

/* 0 when the access may go ahead, else -errno as the kernel would say. */
static ssize_t region_check(FuzzDev *d, uint32_t index, uint64_t off,
                            size_t len, bool write)
{
    uint64_t size;
    const char *what;

    if (index >= NR_REGIONS) {
        return -EINVAL;
    }
    if (index != VFIO_PCI_CONFIG_REGION_INDEX &&
        (what = msix_hit(index, off, len, false))) {
        fuzz_fail("the model %s the device's MSI-X %s (region %u, 0x%"
                  PRIx64 "+%zu)", write ? "wrote" : "read", what, index, off,
                  len);
    }
    size = index == VFIO_PCI_CONFIG_REGION_INDEX ? d->config_size
                                                 : d->regions[index].info.size;
    if (off > size || len > size - off) {
        return -EINVAL;
    }
    if (index == VFIO_PCI_ROM_REGION_INDEX) {
        return write ? -EINVAL : take_fail(d, FAIL_ROM_READ) ? -EIO : 0;
    }
    if (index != VFIO_PCI_CONFIG_REGION_INDEX &&
        take_fail(d, FAIL_BAR_ACCESS)) {
        return -EIO;
    }
    return 0;
}

static size_t access_len(FuzzDev *d, size_t len)
{
    return len > 1 && take_fail(d, FAIL_SHORT_ACCESS) ? len / 2 : len;
}

static ssize_t fuzz_region_read(VFIOBackend *b, uint32_t index,
                                uint64_t offset, void *buf, size_t len)
{
    FuzzDev *d = dev_of(b);
    ssize_t ret = region_check(d, index, offset, len, false);
    uint8_t *out = buf;

    if (ret) {
        return ret;
    }
    if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        if (take_fail(d, FAIL_CONFIG_READ)) {
            return -EIO;
        }
        len = access_len(d, len);
        memcpy(buf, d->config + offset, len);
        return len;
    }
    len = access_len(d, len);
    if (index == VFIO_PCI_ROM_REGION_INDEX) {
        /* the image, then erased flash (a ROM may be read whole: fast) */
        size_t image = offset < ROM_IMAGE_MAX
                       ? MIN(len, ROM_IMAGE_MAX - offset) : 0;

        if (image) {
            memcpy(out, d->rom + offset, image);
        }
        memset(out + image, 0xff, len - image);
        return len;
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = (offset + i) * 13 + index;
    }
    return len;
}

static ssize_t fuzz_region_write(VFIOBackend *b, uint32_t index,
                                 uint64_t offset, const void *buf, size_t len)
{
    FuzzDev *d = dev_of(b);
    ssize_t ret = region_check(d, index, offset, len, true);

    if (ret) {
        return ret;
    }
    if (index != VFIO_PCI_CONFIG_REGION_INDEX) {
        return access_len(d, len);
    }
    check_config_write(offset, buf, len);
    if (take_fail(d, FAIL_CONFIG_WRITE)) {
        d->config_write_failed = true;
        return -EIO;
    }
    len = access_len(d, len);
    d->config_write_failed |= len < 4 && ranges_overlap(offset, len,
                                                         PCI_ROM_ADDRESS, 4);
    memcpy(d->config + offset, buf, len);
    return len;
}

static void *fuzz_region_mmap(VFIOBackend *b, uint32_t index,
                              uint64_t offset, uint64_t size, int prot,
                              Error **errp)
{
    FuzzDev *d = dev_of(b);
    const char *what;
    void *p;

    if (index == VFIO_PCI_ROM_REGION_INDEX) {
        fuzz_fail("the model mmap'd the ROM region");
    }
    if ((what = msix_hit(index, offset, size, true))) {
        fuzz_fail("the model mmap'd the page of the device's MSI-X %s "
                  "(region %u, 0x%" PRIx64 "+0x%" PRIx64 ")", what, index,
                  offset, size);
    }
    if (index >= NR_REGIONS || !size || size > MAX_MMAP ||
        take_fail(d, FAIL_MMAP)) {
        error_setg(errp, "fuzz: mmap of region %u refused", index);
        return NULL;
    }
    p = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno, "fuzz: mmap");
        return NULL;
    }
    return p;
}

static void fuzz_region_munmap(VFIOBackend *b, void *ptr, uint64_t size)
{
    munmap(ptr, size);
}

static bool fuzz_get_irq_info(VFIOBackend *b, uint32_t index,
                              VFIOIRQInfo *info, Error **errp)
{
    FuzzDev *d = dev_of(b);

    memset(info, 0, sizeof(*info));
    if (index >= NR_IRQS || take_fail(d, FAIL_IRQ_INFO)) {
        error_setg(errp, "fuzz: no irq index %u", index);
        return false;
    }
    *info = d->irqs[index];
    return true;
}

static void irq_unbind(FuzzDev *d, uint32_t index, uint32_t v)
{
    if (d->irq_fds[index][v] >= 0) {
        close(d->irq_fds[index][v]);
        d->irq_fds[index][v] = -1;
        d->nr_bound[index]--;
    }
}

/* Vectors run to 4096: walk them only while some are bound. */
static void irq_unbind_all(FuzzDev *d, uint32_t index)
{
    for (uint32_t v = 0; v < d->irqs[index].count && d->nr_bound[index];
         v++) {
        irq_unbind(d, index, v);
    }
}

/* VFIO_DEVICE_SET_IRQS, checked as the kernel checks it. */
static int fuzz_set_irqs(VFIOBackend *b, uint32_t index, uint32_t flags,
                         uint32_t start, uint32_t count, const void *data)
{
    FuzzDev *d = dev_of(b);
    uint32_t max;

    if (index >= NR_IRQS) {
        return -EINVAL;
    }
    max = d->irqs[index].count;
    if (start > max || count > max - start ||
        ((flags & VFIO_IRQ_SET_DATA_EVENTFD) && count && !data)) {
        return -EINVAL;
    }
    if (take_fail(d, FAIL_SET_IRQS)) {
        return -EINVAL;
    }
    if ((flags & VFIO_IRQ_SET_ACTION_TRIGGER) &&
        (flags & VFIO_IRQ_SET_DATA_NONE) && !count) {
        irq_unbind_all(d, index);
        return 0;
    }
    if ((flags & VFIO_IRQ_SET_ACTION_TRIGGER) &&
        (flags & VFIO_IRQ_SET_DATA_EVENTFD)) {
        for (uint32_t i = 0; i < count; i++) {
            int32_t fd = ((const int32_t *)data)[i];

            irq_unbind(d, index, start + i);
            if (fd >= 0) {
                d->irq_fds[index][start + i] = fcntl(fd, F_DUPFD_CLOEXEC, 0);
                d->nr_bound[index] += d->irq_fds[index][start + i] >= 0;
            }
        }
    }
    return 0;
}

static bool fuzz_reset(VFIOBackend *b, Error **errp)
{
    FuzzDev *d = dev_of(b);

    if (take_fail(d, FAIL_RESET)) {
        error_setg(errp, "fuzz: reset failed");
        return false;
    }
    return true;
}

static bool fuzz_get_hot_reset_info(VFIOBackend *b, VFIOHotResetDevice **devs,
                                    unsigned *nr, Error **errp)
{
    dev_of(b);
    *devs = g_new0(VFIOHotResetDevice, 1);
    (*devs)->bus = b->bus;
    (*devs)->devfn = b->devfn;
    *nr = 1;
    return true;
}

static bool fuzz_hot_reset(VFIOBackend *b, Error **errp)
{
    return fuzz_reset(b, errp);
}

static bool fuzz_get_iommu_info(VFIOBackend *b, VFIOIOMMUInfo *info,
                                Error **errp)
{
    FuzzDev *d = dev_of(b);

    *info = d->iommu;
    info->iova_ranges = g_memdup2(d->iommu.iova_ranges,
                                  d->iommu.nr_iova_ranges *
                                  sizeof(VFIOIOVARange));
    return true;
}

/* Every byte of [iova, iova+size) lies in some usable range. */
static bool iova_usable(FuzzDev *d, uint64_t iova, uint64_t size)
{
    uint64_t pos = iova, last = iova + size - 1;

    if (!d->iommu.nr_iova_ranges) {
        return true;
    }
    for (;;) {
        const VFIOIOVARange *in = NULL;

        for (unsigned i = 0; i < d->iommu.nr_iova_ranges; i++) {
            const VFIOIOVARange *r = &d->iommu.iova_ranges[i];

            if (r->start <= pos && pos <= r->end) {
                in = r;
            }
        }
        if (!in) {
            return false;
        }
        if (in->end >= last) {
            return true;
        }
        pos = in->end + 1;
    }
}

static bool fuzz_dma_map(VFIOBackend *b, uint64_t iova, uint64_t size,
                         void *vaddr, bool readonly, Error **errp)
{
    FuzzDev *d = dev_of(b);
    uint64_t page = d->iommu.pgsizes & -d->iommu.pgsizes;

    if (!size || iova + size - 1 < iova) {
        fuzz_fail("DMA map of an empty or wrapping range 0x%" PRIx64 "+0x%"
                  PRIx64, iova, size);
    }
    if (page && ((iova | size | (uintptr_t)vaddr) & (page - 1))) {
        fuzz_fail("DMA map 0x%" PRIx64 "+0x%" PRIx64 " breaks the IOMMU's "
                  "0x%" PRIx64 "-byte pages", iova, size, page);
    }
    if (!iova_usable(d, iova, size)) {
        g_autoptr(GString) ranges = g_string_new(NULL);

        for (unsigned i = 0; i < d->iommu.nr_iova_ranges; i++) {
            g_string_append_printf(ranges, " 0x%" PRIx64 "-0x%" PRIx64,
                                   d->iommu.iova_ranges[i].start,
                                   d->iommu.iova_ranges[i].end);
        }
        fuzz_fail("DMA map 0x%" PRIx64 "+0x%" PRIx64 " touches a reserved "
                  "IOVA range (usable:%s)", iova, size, ranges->str);
    }
    if (d->iommu.dma_avail && d->nr_maps >= d->iommu.dma_avail) {
        fuzz_fail("DMA map beyond the %u mappings the IOMMU allows",
                  d->iommu.dma_avail);
    }
    if (take_fail(d, FAIL_DMA_MAP)) {
        error_setg_errno(errp, take_fail(d, FAIL_DMA_MAP) ? ENOSPC : ENOMEM,
                         "fuzz: DMA map failed");
        return false;
    }
    d->nr_maps++;
    return true;
}

static bool fuzz_dma_unmap(VFIOBackend *b, uint64_t iova, uint64_t size,
                           Error **errp)
{
    FuzzDev *d = dev_of(b);

    if (!d->nr_maps) {
        fuzz_fail("DMA unmap of 0x%" PRIx64 " with nothing mapped", iova);
    }
    d->nr_maps--;
    return true;
}

static void fuzz_dev_free(FuzzDev *d)
{
    for (unsigned i = 0; i < NR_REGIONS; i++) {
        vfio_region_info_clear(&d->regions[i].info);
    }
    for (unsigned i = 0; i < NR_IRQS; i++) {
        irq_unbind_all(d, i);
        g_free(d->irq_fds[i]);
    }
    vfio_iommu_info_clear(&d->iommu);
    g_free(d->backend.name);
    g_free(d);
}

/* The model lets go: closing twice or using it later is a finding. */
static void fuzz_close(VFIOBackend *b)
{
    FuzzDev *d = dev_of(b);

    if (d->nr_maps) {
        fuzz_fail("the model closed the device with %u DMA mappings left",
                  d->nr_maps);
    }
    d->closed = true;
}

static const VFIOBackendOps fuzz_ops = {
    .name = "fuzz",
    .get_device_info = fuzz_get_device_info,
    .get_region_info = fuzz_get_region_info,
    .region_read = fuzz_region_read,
    .region_write = fuzz_region_write,
    .region_mmap = fuzz_region_mmap,
    .region_munmap = fuzz_region_munmap,
    .get_irq_info = fuzz_get_irq_info,
    .set_irqs = fuzz_set_irqs,
    .reset = fuzz_reset,
    .get_hot_reset_info = fuzz_get_hot_reset_info,
    .hot_reset = fuzz_hot_reset,
    .get_iommu_info = fuzz_get_iommu_info,
    .dma_map = fuzz_dma_map,
    .dma_unmap = fuzz_dma_unmap,
    .close = fuzz_close,
};

static bool fuzz_claims(const char *host, const char *sysfsdev)
{
    return host && g_str_has_prefix(host, "fuzz:");
}

static VFIOBackend *fuzz_open(const char *host, const char *sysfsdev,
                              Error **errp)
{
    if (!cur || cur->backend.ops) {
        error_setg(errp, "fuzz: no device to open");
        return NULL;
    }
    cur->backend.ops = &fuzz_ops;
    return &cur->backend;
}

static const VFIOBackendProvider fuzz_provider = {
    .name = "fuzz",
    .claims = fuzz_claims,
    .open = fuzz_open,
};

/* The device, from the input */

/*
 * A plausible starting point that the input then patches: PM, MSI (4
 * vectors, 64-bit, maskable), PCIe and MSI-X (8 vectors, table and PBA in
 * BAR 4) in the standard list; AER and a vendor capability after it.
 * BAR 0 memory, BAR 1 I/O, BAR 2-3 64-bit prefetchable, BAR 4 memory.
 */
static void config_template(FuzzDev *d)
{
    uint8_t *c = d->config;

    memset(c, 0, sizeof(d->config));
    pci_set_long(c + PCI_VENDOR_ID, 0x10d38086);
    pci_set_word(c + PCI_STATUS, PCI_STATUS_CAP_LIST);
    pci_set_long(c + PCI_CLASS_REVISION, 0x02000001);
    pci_set_long(c + PCI_BASE_ADDRESS_1, PCI_BASE_ADDRESS_SPACE_IO);
    pci_set_long(c + PCI_BASE_ADDRESS_2, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                 PCI_BASE_ADDRESS_MEM_PREFETCH);
    pci_set_long(c + PCI_SUBSYSTEM_VENDOR_ID, 0x00008086);
    c[PCI_CAPABILITY_LIST] = 0x40;
    c[PCI_INTERRUPT_PIN] = 1;
    c[0x40] = PCI_CAP_ID_PM;
    c[0x41] = 0x50;
    pci_set_word(c + 0x42, 3);
    c[0x50] = PCI_CAP_ID_MSI;
    c[0x51] = 0x70;
    pci_set_word(c + 0x52, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT |
                 (2 << 1));
    c[0x70] = PCI_CAP_ID_EXP;
    c[0x71] = 0xb0;
    pci_set_word(c + 0x72, 2 | (PCI_EXP_TYPE_ENDPOINT << 4));
    pci_set_long(c + 0x74, PCI_EXP_DEVCAP_FLR);
    c[0xb0] = PCI_CAP_ID_MSIX;
    pci_set_word(c + 0xb2, 7);
    pci_set_long(c + 0xb4, 4);
    pci_set_long(c + 0xb8, 0x800 | 4);
    pci_set_long(c + 0x100, PCI_EXT_CAP_ID_ERR | (2 << 16) | (0x150 << 20));
    pci_set_long(c + 0x150, PCI_EXT_CAP_ID_VNDR | (1 << 16));
}

static void rom_template_build(uint8_t *r)
{
    for (unsigned i = 0; i < ROM_IMAGE_MAX; i++) {
        r[i] = i * 7 + 3;
    }
    r[0] = 0x55;
    r[1] = 0xaa;
    pci_set_word(r + 0x18, 0x1c);
    memcpy(r + 0x1c, "PCIR", 4);
    pci_set_word(r + 0x20, 0x8086);
    pci_set_word(r + 0x22, 0x10d3);
    pci_set_word(r + 0x2c, 64);         /* 32 KiB */
}

/* Built once: a loop over 64 KiB for every input halved the exec rate. */
static void rom_template(FuzzDev *d)
{
    static uint8_t template[ROM_IMAGE_MAX];
    static bool built;

    if (!built) {
        rom_template_build(template);
        built = true;
    }
    memcpy(d->rom, template, ROM_IMAGE_MAX);
}

/* Patches: a count, then (offset, length, bytes) each. */
static void apply_patches(FuzzInput *in, uint8_t *buf, size_t size)
{
    unsigned n = fuzz_u8(in) % 16;

    for (unsigned i = 0; i < n; i++) {
        uint32_t off = fuzz_u16(in) % size;
        uint8_t len = MIN(fuzz_u8(in) % 17, size - off);

        fuzz_bytes(in, buf + off, len);
    }
}

static uint64_t region_size(FuzzInput *in)
{
    uint8_t code = fuzz_u8(in);

    if (code & 0x80) {
        return fuzz_u64(in);
    }
    return (code & 0x3f ? 1ULL << (code & 0x3f) : 0) +
           (code & 0x40 ? fuzz_u16(in) : 0);
}

static void region_from_input(FuzzInput *in, VFIORegionInfo *r,
                              uint32_t index)
{
    uint8_t flags = fuzz_u8(in);
    unsigned shift = flags & 0x80 ? 12 : 0;

    r->index = index;
    r->size = region_size(in);
    r->flags = flags & (VFIO_REGION_INFO_FLAG_READ |
                        VFIO_REGION_INFO_FLAG_WRITE |
                        VFIO_REGION_INFO_FLAG_MMAP);
    r->msix_mappable = flags & 0x10;
    r->nr_mmap_areas = r->flags & VFIO_REGION_INFO_FLAG_MMAP
                       ? (flags >> 5) & 3 : 0;
    r->mmap_areas = g_new0(VFIOMmapArea, r->nr_mmap_areas);
    for (unsigned i = 0; i < r->nr_mmap_areas; i++) {
        r->mmap_areas[i].offset = (uint64_t)fuzz_u32(in) << shift;
        r->mmap_areas[i].size = (uint64_t)fuzz_u32(in) << shift;
    }
}

static void iommu_from_input(FuzzInput *in, VFIOIOMMUInfo *m)
{
    uint8_t sel = fuzz_u8(in);

    m->pgsizes = sel & 1 ? fuzz_u64(in) : 0x40201000;
    m->dma_avail = sel & 2 ? fuzz_u8(in) : 0;
    m->nr_iova_ranges = (sel >> 2) & 3;
    m->iova_ranges = g_new0(VFIOIOVARange, m->nr_iova_ranges);
    for (unsigned i = 0; i < m->nr_iova_ranges; i++) {
        m->iova_ranges[i].start = fuzz_u64(in);
        m->iova_ranges[i].end = fuzz_u64(in);
    }
}

static FuzzDev *dev_from_input(FuzzInput *in)
{
    FuzzDev *d = g_new0(FuzzDev, 1);
    uint8_t flags = fuzz_u8(in);

    d->backend.name = g_strdup("0000:fa:00.0");
    d->backend.bus = 0xfa;
    d->backend.group_id = 7;
    d->dev_info.flags = (flags & 1 ? VFIO_DEVICE_FLAGS_RESET : 0) |
                        (flags & 2 ? 0 : VFIO_DEVICE_FLAGS_PCI);
    d->dev_info.num_regions = flags & 4 ? fuzz_u8(in) : NR_REGIONS;
    d->dev_info.num_irqs = flags & 8 ? fuzz_u8(in) : NR_IRQS;
    d->config_size = flags & 0x10 ? fuzz_u16(in) % PCIE_CONFIG_SPACE_SIZE
                     : flags & 0x20 ? PCI_CONFIG_SPACE_SIZE
                                    : PCIE_CONFIG_SPACE_SIZE;
    config_template(d);
    apply_patches(in, d->config, PCIE_CONFIG_SPACE_SIZE);
    d->regions[VFIO_PCI_CONFIG_REGION_INDEX].info = (VFIORegionInfo) {
        .index = VFIO_PCI_CONFIG_REGION_INDEX, .size = d->config_size,
        .flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
    };
    for (uint32_t i = 0; i < NR_REGIONS; i++) {
        if (i != VFIO_PCI_CONFIG_REGION_INDEX) {
            region_from_input(in, &d->regions[i].info, i);
        }
    }
    rom_template(d);
    apply_patches(in, d->rom, ROM_IMAGE_MAX);
    for (uint32_t i = 0; i < NR_IRQS; i++) {
        d->irqs[i].index = i;
        d->irqs[i].count = fuzz_u16(in) % 4097;
        d->irqs[i].flags = fuzz_u8(in) & (VFIO_IRQ_INFO_EVENTFD |
                                          VFIO_IRQ_INFO_MASKABLE |
                                          VFIO_IRQ_INFO_AUTOMASKED |
                                          VFIO_IRQ_INFO_NORESIZE);
        d->irq_fds[i] = g_new(int, d->irqs[i].count);
        if (d->irqs[i].count) {
            memset(d->irq_fds[i], 0xff, d->irqs[i].count * sizeof(int));
        }
    }
    iommu_from_input(in, &d->iommu);
    for (unsigned i = 0; i < FAIL__MAX; i++) {
        d->fail[i] = fuzz_u8(in) % 4;
    }
    return d;
}

/* What the guest does */

static uint64_t bar_addr(VFIOPCIDevice *vdev, unsigned bar)
{
    pcibus_t addr = vdev->pdev.io_regions[bar].addr;

    return addr == PCI_BAR_UNMAPPED ? FUZZ_MMIO_BASE : addr;
}

static const unsigned sizes[] = { 1, 2, 4, 8 };

static uint64_t guest_read(bool io, uint64_t addr, unsigned size)
{
    uint64_t v = 0;

    address_space_read_sized(io ? &address_space_io : &address_space_memory,
                             addr, size, &v);
    return v;
}

static void guest_write(bool io, uint64_t addr, unsigned size, uint64_t v)
{
    address_space_write_sized(io ? &address_space_io : &address_space_memory,
                              addr, size, v);
}

static void guest_config(FuzzInput *in, bool write)
{
    uint16_t off = fuzz_u16(in) % PCIE_CONFIG_SPACE_SIZE;
    unsigned size = sizes[fuzz_u8(in) % 3];
    uint64_t addr = FUZZ_ECAM_BASE + ((uint64_t)DEV_DEVFN << 12) + off;

    if (!write) {
        guest_read(false, addr, size);
        return;
    }
    cur->guest_config_write = true;
    guest_write(false, addr, size, fuzz_u32(in));
    cur->guest_config_write = false;
}

static void guest_bar(FuzzInput *in, VFIOPCIDevice *vdev, bool write)
{
    unsigned bar = fuzz_u8(in) % PCI_NUM_REGIONS;
    uint32_t off = fuzz_u32(in);
    unsigned size = sizes[fuzz_u8(in) % 4];
    PCIIORegion *r = &vdev->pdev.io_regions[bar];
    bool io = r->type & PCI_BASE_ADDRESS_SPACE_IO;
    uint64_t addr = bar_addr(vdev, bar) + (r->size ? off % (r->size + 8) : off);

    if (write) {
        guest_write(io, addr, size, fuzz_u64(in));
    } else {
        guest_read(io, addr, size);
    }
}

/* An MSI-X table or PBA access where the guest would find them. */
static void guest_msix(FuzzInput *in, VFIOPCIDevice *vdev, bool write)
{
    PCIDevice *pdev = &vdev->pdev;
    uint8_t cap = pdev->msix_cap;
    uint32_t reg, off;
    unsigned bir, size = sizes[fuzz_u8(in) % 4];
    bool pba = fuzz_u8(in) & 1;

    if (!cap) {
        return;
    }
    reg = pci_get_long(pdev->config + cap + (pba ? PCI_MSIX_PBA
                                                 : PCI_MSIX_TABLE));
    bir = reg & PCI_MSIX_TABLE_BIR;
    off = (reg & PCI_MSIX_TABLE_OFFSET) + fuzz_u16(in) % 0x1000;
    if (bir >= PCI_ROM_SLOT) {
        return;
    }
    if (write) {
        guest_write(false, bar_addr(vdev, bir) + off, size, fuzz_u32(in));
    } else {
        guest_read(false, bar_addr(vdev, bir) + off, size);
    }
}

/* Program and enable MSI (@msix false) or MSI-X with a vector unmasked. */
static void guest_enable_vectors(FuzzInput *in, VFIOPCIDevice *vdev,
                                 bool msix)
{
    PCIDevice *pdev = &vdev->pdev;
    uint64_t cfg = FUZZ_ECAM_BASE + ((uint64_t)DEV_DEVFN << 12);
    uint8_t v = fuzz_u8(in);

    cur->guest_config_write = true;
    if (msix && pdev->msix_cap) {
        uint32_t table = pci_get_long(pdev->config + pdev->msix_cap +
                                      PCI_MSIX_TABLE);
        uint64_t entry = bar_addr(vdev, table & PCI_MSIX_TABLE_BIR) +
                         (table & PCI_MSIX_TABLE_OFFSET) +
                         (uint64_t)v * PCI_MSIX_ENTRY_SIZE;

        guest_write(false, cfg + pdev->msix_cap + PCI_MSIX_FLAGS, 2,
                    PCI_MSIX_FLAGS_ENABLE);
        guest_write(false, entry, 4, 0xfee00000);
        guest_write(false, entry + 8, 4, 0x40 + v);
        guest_write(false, entry + 12, 4, 0);
    } else if (!msix && pdev->msi_cap) {
        guest_write(false, cfg + pdev->msi_cap + PCI_MSI_ADDRESS_LO, 4,
                    0xfee00000);
        guest_write(false, cfg + pdev->msi_cap + PCI_MSI_FLAGS, 2,
                    PCI_MSI_FLAGS_ENABLE | ((v & 7) << 4));
    }
    cur->guest_config_write = false;
}

/* The device raises vector @v of irq @index, if the model gave an fd. */
static void device_fires(FuzzInput *in)
{
    uint32_t index = fuzz_u8(in) % NR_IRQS;
    uint32_t v = fuzz_u16(in);
    int fd;

    if (cur->closed || v >= cur->irqs[index].count) {
        return;
    }
    fd = cur->irq_fds[index][v];
    if (fd >= 0) {
        eventfd_write(fd, 1);
    }
    fuzz_main_loop_drain();
}

static void set_fault(FuzzInput *in)
{
    uint8_t b = fuzz_u8(in);

    if (!cur->closed) {
        cur->fail[b % FAIL__MAX] = b >> 4;
    }
}

static void guest_op(FuzzInput *in)
{
    VFIOPCIDevice *vdev = model();
    uint8_t op = fuzz_u8(in);

    switch (op % 12) {
    case 0:
    case 1:
        guest_config(in, op % 12);
        break;
    case 2:
    case 3:
        if (vdev) {
            guest_bar(in, vdev, op % 12 == 3);
        }
        break;
    case 4:
    case 5:
        if (vdev) {
            guest_msix(in, vdev, op % 12 == 5);
        }
        break;
    case 6:
    case 7:
        if (vdev) {
            guest_enable_vectors(in, vdev, op % 12 == 7);
        }
        break;
    case 8:
        device_fires(in);
        break;
    case 9:
        qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                                   fuzz_u32(in) * (int64_t)1000);
        fuzz_main_loop_drain();
        break;
    case 10:
        qemu_system_reset();
        fuzz_pci_place(DEV_DEVFN);
        break;
    case 11:
        set_fault(in);
        break;
    }
    fuzz_main_loop_drain();
    check_rules();
}

/* The input */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    vfio_backend_register_provider(&fuzz_provider);
    fuzz_machine_init(64 * 1024 * 1024, NULL);
    fds_baseline = fuzz_count_fds();
    return 0;
}

static char *device_args(FuzzInput *in)
{
    uint8_t p = fuzz_u8(in);

    return g_strdup_printf("vfio-pci,host=fuzz:,id=" DEV_ID ",addr=3.0,"
                           "x-no-mmap=%s,rombar=%d,x-intx-mmap-timeout-ms=%u,"
                           "x-req=%s%s", p & 1 ? "on" : "off",
                           (int)((p >> 1) & 3) - 1, p & 8 ? 0 : 1100,
                           p & 16 ? "off" : "on",
                           p & 32 ? ",x-pci-vendor-id=0x1234" : "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = fuzz_input(data, size);
    g_autofree char *args = device_args(&in);
    QemuOpts *opts = qemu_opts_parse(args, "driver", &error_abort);
    FuzzDev *d = cur = dev_from_input(&in);
    DeviceState *dev = qdev_device_add(opts, NULL);

    qemu_opts_free(opts);
    if (dev) {
        fuzz_pci_place(DEV_DEVFN);
        fuzz_main_loop_drain();
        check_rules();
        for (unsigned i = 0; i < MAX_OPS && !fuzz_input_done(&in); i++) {
            guest_op(&in);
        }
    }
    if (model()) {
        qdev_device_remove(DEVICE(model()));
    }
    fuzz_main_loop_drain();
    if (d->backend.ops && !d->closed) {
        fuzz_fail("the device was removed but the model did not close it");
    }
    cur = NULL;
    fuzz_dev_free(d);
    fuzz_check_fds(fds_baseline, "after unplugging vfio-pci");
    fuzz_reports_reset();
    return 0;
}
