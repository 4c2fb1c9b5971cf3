/*
 * The fake device's regions: config, BARs and ROM. BARs are memfds, so a
 * region_read/write (the model's slow path) and a region_mmap (its fast
 * path) see the same bytes; BAR0's first page is the register page of
 * fake-vfio.h instead. Accesses that touch the MSI-X table or PBA are
 * counted: the model must trap those and never reach the device's own.
 */
#include "qemu/osdep.h"
#include "fake-vfio-int.h"
#include "trace.h"
#include <sys/mman.h>

static bool is_bar(uint32_t index)
{
    return index <= VFIO_PCI_BAR5_REGION_INDEX;
}

uint64_t fake_region_size(FakeVFIODevice *f, uint32_t index)
{
    const FakeVFIOSpec *s = f->spec;

    if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        return f->config_size;
    }
    if (index == VFIO_PCI_ROM_REGION_INDEX) {
        return f->rom_size;
    }
    if (is_bar(index) && !fake_spec_is_mem64_upper(s, index)) {
        return s->bar[index].size;
    }
    return 0;
}

bool fake_bars_create(FakeVFIODevice *f, Error **errp)
{
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
        f->bar_fd[i] = -1;
    }
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
        uint64_t size = fake_region_size(f, i);
        g_autofree char *name = g_strdup_printf("fake-vfio-bar%u", i);

        if (!size) {
            continue;
        }
        f->bar_fd[i] = memfd_create(name, MFD_CLOEXEC);
        if (f->bar_fd[i] < 0 || ftruncate(f->bar_fd[i], size) < 0) {
            error_setg_errno(errp, errno, "fake-vfio: cannot back BAR%u", i);
            return false;
        }
    }
    return true;
}

void fake_bars_destroy(FakeVFIODevice *f)
{
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
        if (f->bar_fd[i] >= 0) {
            close(f->bar_fd[i]);
        }
        f->bar_fd[i] = -1;
    }
}

/* Region info */

/* Remove [off, off+len) from a list of areas, splitting where needed. */
static void areas_remove(GArray *areas, uint64_t off, uint64_t len)
{
    for (guint i = 0; i < areas->len;) {
        VFIOMmapArea a = g_array_index(areas, VFIOMmapArea, i);
        VFIOMmapArea tail = { off + len, a.offset + a.size - (off + len) };
        VFIOMmapArea head = { a.offset, off - a.offset };

        if (!ranges_overlap(a.offset, a.size, off, len)) {
            i++;
            continue;
        }
        g_array_remove_index(areas, i);
        if (a.offset < off) {
            g_array_insert_val(areas, i++, head);
        }
        if (a.offset + a.size > off + len) {
            g_array_insert_val(areas, i++, tail);
        }
    }
}

/*
 * Like the kernel: the spec's sparse areas, or the whole BAR less the
 * MSI-X table's pages (unless mappable) and, ours, BAR0's register page.
 */
static GArray *bar_mmap_areas(FakeVFIODevice *f, unsigned i)
{
    const FakeVFIOSpec *s = f->spec;
    const FakeBarSpec *b = &s->bar[i];
    GArray *areas = g_array_new(false, false, sizeof(VFIOMmapArea));
    VFIOMmapArea whole = { 0, b->size };
    uint64_t start, end;

    if (!fake_region_size(f, i) || !b->mmap || b->io ||
        b->size < FAKE_PAGE_SIZE) {
        return areas;
    }
    if (b->sparse) {
        g_array_append_vals(areas, b->sparse->data, b->sparse->len);
        return areas;
    }
    g_array_append_val(areas, whole);
    if (i == 0) {
        areas_remove(areas, 0, FAKE_PAGE_SIZE);
    }
    if (s->msix_vectors && s->msix_table_bar == i && !s->msix_mappable) {
        start = QEMU_ALIGN_DOWN(s->msix_table_offset, FAKE_PAGE_SIZE);
        end = QEMU_ALIGN_UP(s->msix_table_offset +
                            s->msix_vectors * PCI_MSIX_ENTRY_SIZE,
                            FAKE_PAGE_SIZE);
        areas_remove(areas, start, end - start);
    }
    return areas;
}

bool fake_get_region_info(VFIOBackend *b, uint32_t index,
                          VFIORegionInfo *info, Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);
    const FakeVFIOSpec *s;
    GArray *areas;

    memset(info, 0, sizeof(*info));
    info->index = index;
    if (!fake_check_open(f, errp)) {
        return false;
    }
    if (index >= VFIO_PCI_NUM_REGIONS) {
        error_setg(errp, "fake-vfio %s: no region %u", fake_name(f), index);
        return false;
    }
    s = f->spec;
    info->size = fake_region_size(f, index);
    if (!info->size) {
        return true;
    }
    info->flags = VFIO_REGION_INFO_FLAG_READ;
    if (index == VFIO_PCI_ROM_REGION_INDEX) {
        /* A device may say its ROM is bigger than what can be read. */
        info->size = s->rom_claimed_size ? s->rom_claimed_size : info->size;
        return true;
    }
    if (!is_bar(index)) {
        info->flags |= VFIO_REGION_INFO_FLAG_WRITE;
        return true;
    }
    if (!s->bar[index].readonly) {
        info->flags |= VFIO_REGION_INFO_FLAG_WRITE;
    }
    /* A device may say its BAR is other than it is. */
    if (s->bar[index].claimed_size) {
        info->size = s->bar[index].claimed_size;
    }
    areas = bar_mmap_areas(f, index);
    info->nr_mmap_areas = areas->len;
    if (areas->len) {
        info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
    }
    /* The caller owns the areas (vfio_region_info_clear g_free's them). */
    info->mmap_areas = (VFIOMmapArea *)g_array_free(areas, !areas->len);
    info->msix_mappable = s->msix_vectors && s->msix_mappable &&
                          s->msix_table_bar == index;
    return true;
}

/* BAR0 register page */

static uint32_t bar0_reg_get(FakeVFIODevice *f, uint64_t reg)
{
    switch (reg) {
    case FAKE_REG_ID:
        return f->spec->id;
    case FAKE_REG_SCRATCH:
        return f->scratch;
    case FAKE_REG_INTX:
        return fake_intx_asserted(f);
    case FAKE_REG_DMA_LO:
        return f->dma_lo;
    case FAKE_REG_DMA_HI:
        return f->dma_hi;
    case FAKE_REG_DMA_LEN:
        return f->dma_len;
    case FAKE_REG_DMA_ERR:
        return f->dma_err;
    default:
        return 0;       /* FIRE, DMA_CMD and reserved read as 0 */
    }
}

static ssize_t mem_rw(int fd, uint64_t off, void *buf, size_t len, bool write)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write ? pwrite(fd, (char *)buf + done, len - done,
                                   off + done)
                          : pread(fd, (char *)buf + done, len - done,
                                  off + done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return n < 0 ? -errno : -EIO;
        }
        done += n;
    }
    return done;
}

/* The device's DMA engine: its buffer <-> guest memory through the IOMMU. */
static void bar0_dma(FakeVFIODevice *f, uint32_t cmd)
{
    uint8_t buf[FAKE_REG_BUF_SIZE];
    uint64_t iova = ((uint64_t)f->dma_hi << 32) | f->dma_lo;
    size_t len = MIN(f->dma_len, FAKE_REG_BUF_SIZE);
    int fd = f->bar_fd[0];
    bool ok;

    if (cmd == FAKE_DMA_TO_IOVA) {
        ok = mem_rw(fd, FAKE_REG_BUF, buf, len, false) == (ssize_t)len &&
             fake_vfio_dma(f, iova, buf, len, true);
    } else if (cmd == FAKE_DMA_FROM_IOVA) {
        ok = fake_vfio_dma(f, iova, buf, len, false) &&
             mem_rw(fd, FAKE_REG_BUF, buf, len, true) == (ssize_t)len;
    } else {
        return;
    }
    f->dma_err = !ok;
}

static void bar0_reg_set(FakeVFIODevice *f, uint64_t reg, uint32_t val)
{
    switch (reg) {
    case FAKE_REG_SCRATCH:
        f->scratch = val;
        break;
    case FAKE_REG_FIRE:
        fake_fire_vector(f, val);
        break;
    case FAKE_REG_INTX:
        if (val == 1) {
            fake_vfio_raise_irq(f, VFIO_PCI_INTX_IRQ_INDEX, 0);
        }
        break;
    case FAKE_REG_DMA_LO:
        f->dma_lo = val;
        break;
    case FAKE_REG_DMA_HI:
        f->dma_hi = val;
        break;
    case FAKE_REG_DMA_LEN:
        f->dma_len = val;
        break;
    case FAKE_REG_DMA_CMD:
        bar0_dma(f, val);
        break;
    }
}

static void bar0_regs_read(FakeVFIODevice *f, uint64_t off, uint8_t *buf,
                           size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t o = off + i;
        buf[i] = bar0_reg_get(f, o & ~3ULL) >> ((o & 3) * 8);
    }
}

/* Each register a write touches takes its merged value, once. */
static void bar0_regs_write(FakeVFIODevice *f, uint64_t off,
                            const uint8_t *buf, size_t len)
{
    for (uint64_t reg = off & ~3ULL; reg < off + len; reg += 4) {
        bool command = reg == FAKE_REG_FIRE || reg == FAKE_REG_INTX ||
                       reg == FAKE_REG_DMA_CMD;
        uint8_t bytes[4];

        stl_le_p(bytes, command ? 0 : bar0_reg_get(f, reg));
        for (unsigned j = 0; j < 4; j++) {
            if (reg + j >= off && reg + j < off + len) {
                bytes[j] = buf[reg + j - off];
            }
        }
        bar0_reg_set(f, reg, ldl_le_p(bytes));
    }
}

void fake_bar0_regs_reset(FakeVFIODevice *f)
{
    f->scratch = 0;
    f->dma_lo = f->dma_hi = f->dma_len = f->dma_err = 0;
}

/* Region access */

static void count_msix_access(FakeVFIODevice *f, unsigned bar, uint64_t off,
                              size_t len)
{
    const FakeVFIOSpec *s = f->spec;
    uint64_t n = s->msix_vectors;

    if (n && ((bar == s->msix_table_bar &&
               ranges_overlap(off, len, s->msix_table_offset,
                              n * PCI_MSIX_ENTRY_SIZE)) ||
              (bar == s->msix_pba_bar &&
               ranges_overlap(off, len, s->msix_pba_offset,
                              (n + 63) / 64 * 8)))) {
        f->counters.msix_table_accesses++;
        trace_fake_vfio_msix_table_access(fake_name(f), bar, off, len);
    }
}

static ssize_t bar_access(FakeVFIODevice *f, unsigned bar, uint64_t off,
                          uint8_t *buf, size_t len, bool write)
{
    size_t done = 0;
    ssize_t ret;

    count_msix_access(f, bar, off, len);
    if (bar == 0 && off < FAKE_REG_BUF) {
        done = MIN(len, FAKE_REG_BUF - off);
        if (write) {
            bar0_regs_write(f, off, buf, done);
        } else {
            bar0_regs_read(f, off, buf, done);
        }
        if (done == len) {
            return len;
        }
    }
    ret = mem_rw(f->bar_fd[bar], off + done, buf + done, len - done, write);
    return ret < 0 ? ret : (ssize_t)len;
}

static void count_access(FakeVFIODevice *f, uint32_t index, bool write)
{
    FakeVFIOCounters *c = &f->counters;

    if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        write ? c->config_writes++ : c->config_reads++;
    } else if (index == VFIO_PCI_ROM_REGION_INDEX) {
        c->rom_reads += !write;
    } else if (is_bar(index)) {
        write ? c->bar_writes++ : c->bar_reads++;
    }
}

/* 0 when the access may proceed, else -errno as the kernel would return. */
static ssize_t region_check(FakeVFIODevice *f, uint32_t index, uint64_t off,
                            size_t len, bool write)
{
    uint64_t size;

    if (!f->open) {
        return -ENODEV;
    }
    if (index >= VFIO_PCI_NUM_REGIONS) {
        return -EINVAL;
    }
    count_access(f, index, write);
    size = fake_region_size(f, index);
    if (!size || off > size || len > size - off ||
        (write && index == VFIO_PCI_ROM_REGION_INDEX) ||
        (write && is_bar(index) && f->spec->bar[index].readonly)) {
        return -EINVAL;
    }
    if (f->fault_region_mask & (1u << index)) {
        return -EIO;
    }
    return 0;
}

ssize_t fake_region_read(VFIOBackend *b, uint32_t index, uint64_t offset,
                         void *buf, size_t len)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);
    ssize_t ret = region_check(f, index, offset, len, false);

    if (ret || !len) {
        return ret;
    }
    switch (index) {
    case VFIO_PCI_CONFIG_REGION_INDEX:
        if (f->spec->config_eio) {
            return -EIO;
        }
        fake_config_read(f, offset, buf, len);
        return len;
    case VFIO_PCI_ROM_REGION_INDEX:
        trace_fake_vfio_rom_read(offset, len);
        if (f->spec->rom_kind == FAKE_ROM_UNREADABLE) {
            return -EIO;
        }
        if (f->spec->rom_readable) {
            len = offset < f->spec->rom_readable
                  ? MIN(len, f->spec->rom_readable - offset) : 0;
        }
        if (f->spec->rom_short_reads) {
            len = len > 1 ? len / 2 : len;
        }
        memcpy(buf, f->rom + offset, len);
        f->counters.rom_bytes += len;
        return len;
    default:
        return bar_access(f, index, offset, buf, len, false);
    }
}

ssize_t fake_region_write(VFIOBackend *b, uint32_t index, uint64_t offset,
                          const void *buf, size_t len)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);
    ssize_t ret = region_check(f, index, offset, len, true);

    if (ret || !len) {
        return ret;
    }
    if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        fake_config_write(f, offset, buf, len);
        return len;
    }
    return bar_access(f, index, offset, (uint8_t *)buf, len, true);
}

/* mmap */

static bool in_mmap_area(FakeVFIODevice *f, uint32_t index, uint64_t offset,
                         uint64_t size)
{
    g_autoptr(GArray) areas = bar_mmap_areas(f, index);

    for (guint i = 0; i < areas->len; i++) {
        VFIOMmapArea *a = &g_array_index(areas, VFIOMmapArea, i);
        if (offset >= a->offset && size <= a->size - (offset - a->offset)) {
            return true;
        }
    }
    return false;
}

void *fake_region_mmap(VFIOBackend *b, uint32_t index, uint64_t offset,
                       uint64_t size, int prot, Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);
    void *ptr;

    trace_fake_vfio_region_mmap(index, offset, size);
    if (!fake_check_open(f, errp)) {
        return NULL;
    }
    if (index == VFIO_PCI_ROM_REGION_INDEX) {
        f->counters.rom_mmaps++;
        error_setg(errp, "fake-vfio %s: the ROM region is never mmappable",
                   fake_name(f));
        return NULL;
    }
    if (f->fault_mmap) {
        f->fault_mmap--;
        error_setg_errno(errp, ENOMEM, "fake-vfio %s: mmap of region %u "
                         "failed (injected)", fake_name(f), index);
        return NULL;
    }
    if (!is_bar(index) || !size ||
        !QEMU_IS_ALIGNED(offset | size, FAKE_PAGE_SIZE) ||
        !in_mmap_area(f, index, offset, size)) {
        error_setg_errno(errp, EINVAL, "fake-vfio %s: region %u [0x%" PRIx64
                         ", +0x%" PRIx64 ") is not inside an mmap area",
                         fake_name(f), index, offset, size);
        return NULL;
    }
    if ((prot & PROT_WRITE) && f->spec->bar[index].readonly) {
        error_setg_errno(errp, EACCES, "fake-vfio %s: region %u is read-only",
                         fake_name(f), index);
        return NULL;
    }
    ptr = mmap(NULL, size, prot, MAP_SHARED, f->bar_fd[index], offset);
    if (ptr == MAP_FAILED) {
        error_setg_errno(errp, errno, "fake-vfio %s: mmap of region %u "
                         "failed", fake_name(f), index);
        return NULL;
    }
    f->counters.region_mmaps++;
    return ptr;
}

void fake_region_munmap(VFIOBackend *b, void *ptr, uint64_t size)
{
    if (ptr && size) {
        munmap(ptr, size);
    }
}
