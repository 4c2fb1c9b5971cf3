/*
 * The ICH9-style ACPI power-management registers and the reset control
 * register (see include/hw/acpi/pm.h for the map).
 *
 * The registers are served a dword at a time: an access of 1, 2 or 4
 * bytes reads or writes the byte lanes it covers of the aligned dword
 * that holds it, so every access size the OS may use behaves alike.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "hw/acpi/pm.h"
#include "hw/isa/isa.h"
#include "system/runstate.h"
#include "trace.h"

#define PM1_EVENTS (ACPI_PM1_TMR_STS | ACPI_PM1_GBL_STS | ACPI_PM1_PWRBTN_STS)
#define PM1_STS_MASK (PM1_EVENTS | ACPI_PM1_BM_STS | ACPI_PM1_WAK_STS)
#define PM1_CNT_WRITABLE (ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP_MASK)
#define PM_TMR_TOP_BIT (1ULL << 31)

struct AcpiPMState {
    DeviceState parent_obj;
    MemoryRegion io;
    MemoryRegion rst_cnt_io;
    qemu_irq sci;
    bool sci_level;
    uint16_t pm1_sts;
    uint16_t pm1_en;
    uint16_t pm1_cnt;
    uint64_t gpe0_sts;
    uint64_t gpe0_en;
    uint8_t rst_cnt;
    int64_t tmr_flip_ns;        /* next flip of the timer's top bit */
    QEMUTimer *tmr_flip;        /* runs at tmr_flip_ns while TMR_EN is set */
};


static void acpi_pm_update_sci(AcpiPMState *s)
{
    bool level = (s->pm1_sts & s->pm1_en & PM1_EVENTS) ||
                 (s->gpe0_sts & s->gpe0_en);

    if (level != s->sci_level) {
        trace_acpi_pm_sci(level, s->pm1_sts, s->pm1_en);
        s->sci_level = level;
        qemu_set_irq(s->sci, level);
    }
}

/* The PM timer */

/* The count since virtual time 0, before it wraps to 32 bits. */
static uint64_t acpi_pm_timer_count(int64_t ns)
{
    return (unsigned __int128)MAX(ns, 0) * ACPI_PM_TIMER_FREQUENCY /
           NANOSECONDS_PER_SECOND;
}

/* The first virtual time at which the count reaches @count. */
static int64_t acpi_pm_timer_ns(uint64_t count)
{
    unsigned __int128 scaled = (unsigned __int128)count *
                               NANOSECONDS_PER_SECOND;

    return (scaled + ACPI_PM_TIMER_FREQUENCY - 1) / ACPI_PM_TIMER_FREQUENCY;
}

/* The first flip of the count's top bit after virtual time @ns. */
static int64_t acpi_pm_timer_next_flip(int64_t ns)
{
    return acpi_pm_timer_ns((acpi_pm_timer_count(ns) | (PM_TMR_TOP_BIT - 1)) +
                            1);
}

/*
 * TMR_STS is set at every flip of the top bit, whatever TMR_EN says; it
 * is brought up to date whenever someone looks. Only while TMR_EN is set
 * does a timer run, to raise the SCI at the flip.
 */
static void acpi_pm_timer_fold(AcpiPMState *s)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    if (now >= s->tmr_flip_ns) {
        trace_acpi_pm_timer_flip(s->tmr_flip_ns);
        s->pm1_sts |= ACPI_PM1_TMR_STS;
        s->tmr_flip_ns = acpi_pm_timer_next_flip(now);
    }
}

/* After a change: the flip timer as TMR_EN wants it, and the SCI. */
static void acpi_pm_update(AcpiPMState *s)
{
    if (s->pm1_en & ACPI_PM1_TMR_EN) {
        timer_mod(s->tmr_flip, s->tmr_flip_ns);
    } else {
        timer_del(s->tmr_flip);
    }
    acpi_pm_update_sci(s);
}

static void acpi_pm_timer_expired(void *opaque)
{
    AcpiPMState *s = opaque;

    acpi_pm_timer_fold(s);
    acpi_pm_update(s);
}

/* Events */

void acpi_pm_power_button(AcpiPMState *s)
{
    trace_acpi_pm_power_button(!!(s->pm1_en & ACPI_PM1_PWRBTN_EN));
    s->pm1_sts |= ACPI_PM1_PWRBTN_STS;
    acpi_pm_update_sci(s);
}

void acpi_pm_gpe_raise(AcpiPMState *s, unsigned gpe)
{
    g_assert(gpe < ACPI_GPE0_COUNT);
    s->gpe0_sts |= 1ULL << gpe;
    acpi_pm_update_sci(s);
}

/* PM1 control: SLP_EN acts on SLP_TYP; the other bits are kept. */
static void acpi_pm1_cnt_write(AcpiPMState *s, uint16_t val)
{
    unsigned slp_typ = (val & ACPI_PM1_CNT_SLP_TYP_MASK) >>
                       ACPI_PM1_CNT_SLP_TYP_SHIFT;

    s->pm1_cnt = ACPI_PM1_CNT_SCI_EN | (val & PM1_CNT_WRITABLE);
    if (!(val & ACPI_PM1_CNT_SLP_EN)) {
        return;
    }
    if (slp_typ == ACPI_SLP_TYP_S5) {
        trace_acpi_pm_sleep(slp_typ, "soft off");
        qemu_system_shutdown_request_cause(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    } else {
        trace_acpi_pm_sleep(slp_typ, "not supported, ignored");
    }
}

/* Register access, a dword at a time */

static uint32_t acpi_pm_read_dword(AcpiPMState *s, hwaddr addr)
{
    switch (addr) {
    case ACPI_PM1_STS:
        acpi_pm_timer_fold(s);
        acpi_pm_update_sci(s);
        return s->pm1_sts | (uint32_t)s->pm1_en << 16;
    case ACPI_PM1_CNT:
        return s->pm1_cnt;
    case ACPI_PM_TMR:
        return acpi_pm_timer_count(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    case ACPI_GPE0_BLK:
        return s->gpe0_sts;
    case ACPI_GPE0_BLK + 4:
        return s->gpe0_sts >> 32;
    case ACPI_GPE0_BLK + 8:
        return s->gpe0_en;
    case ACPI_GPE0_BLK + 12:
        return s->gpe0_en >> 32;
    default:
        return 0;               /* reserved: reads as zero */
    }
}

/* Merge the byte lanes @mask of @val into @old. */
static uint64_t merge_lanes(uint64_t old, uint64_t val, uint64_t mask)
{
    return (old & ~mask) | (val & mask);
}

/*
 * A write to dword @addr of the GPE0 block: status (write 1 to clear)
 * in the first half, enable in the second.
 */
static void acpi_gpe0_write(AcpiPMState *s, hwaddr addr, uint32_t val,
                            uint32_t mask)
{
    unsigned off = addr - ACPI_GPE0_BLK;
    unsigned shift = (off % (ACPI_GPE0_BLK_LEN / 2)) * 8;
    uint64_t lanes = (uint64_t)mask << shift;
    uint64_t bits = (uint64_t)val << shift;

    if (off < ACPI_GPE0_BLK_LEN / 2) {
        s->gpe0_sts &= ~(bits & lanes);
    } else {
        s->gpe0_en = merge_lanes(s->gpe0_en, bits, lanes);
    }
}

/* @val and @mask hold the written byte lanes of the dword at @addr. */
static void acpi_pm_write_dword(AcpiPMState *s, hwaddr addr, uint32_t val,
                                uint32_t mask)
{
    switch (addr) {
    case ACPI_PM1_STS:
        acpi_pm_timer_fold(s);
        s->pm1_sts &= ~(val & mask & PM1_STS_MASK);
        s->pm1_en = merge_lanes(s->pm1_en, val >> 16, mask >> 16) & PM1_EVENTS;
        break;
    case ACPI_PM1_CNT:
        if (mask & 0xffff) {
            acpi_pm1_cnt_write(s, merge_lanes(s->pm1_cnt, val, mask));
        }
        break;
    case ACPI_GPE0_BLK ... ACPI_GPE0_BLK + ACPI_GPE0_BLK_LEN - 1:
        acpi_gpe0_write(s, addr, val, mask);
        break;
    default:
        trace_acpi_pm_ignored_write(addr, val);
        return;                 /* the timer and reserved registers */
    }
    acpi_pm_update(s);
}

static uint64_t acpi_pm_io_read(void *opaque, hwaddr addr, unsigned size)
{
    unsigned shift = (addr & 3) * 8;
    uint64_t value = acpi_pm_read_dword(opaque, addr & ~3) >> shift;

    value &= (1ULL << (size * 8)) - 1;
    trace_acpi_pm_read(addr, value, size);
    return value;
}

static void acpi_pm_io_write(void *opaque, hwaddr addr, uint64_t value,
                             unsigned size)
{
    unsigned shift = (addr & 3) * 8;
    uint32_t mask = ((1ULL << (size * 8)) - 1) << shift;

    trace_acpi_pm_write(addr, value, size);
    acpi_pm_write_dword(opaque, addr & ~3, value << shift, mask);
}

static const MemoryRegionOps acpi_pm_io_ops = {
    .read = acpi_pm_io_read,
    .write = acpi_pm_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* Reset control: RST_CPU resets the machine; reads give the last write. */

static uint64_t rst_cnt_read(void *opaque, hwaddr addr, unsigned size)
{
    AcpiPMState *s = opaque;

    return s->rst_cnt;
}

static void rst_cnt_write(void *opaque, hwaddr addr, uint64_t value,
                          unsigned size)
{
    AcpiPMState *s = opaque;

    trace_acpi_rst_cnt_write(value);
    s->rst_cnt = value;
    if (value & ICH9_RST_CNT_RST_CPU) {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps rst_cnt_ops = {
    .read = rst_cnt_read,
    .write = rst_cnt_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* The device */

static void acpi_pm_reset(DeviceState *dev)
{
    AcpiPMState *s = ACPI_PM(dev);

    s->pm1_sts = 0;
    s->pm1_en = 0;
    s->pm1_cnt = ACPI_PM1_CNT_SCI_EN;     /* ACPI mode from the start */
    s->gpe0_sts = 0;
    s->gpe0_en = 0;
    s->rst_cnt = 0;
    s->tmr_flip_ns = acpi_pm_timer_next_flip(
                         qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    acpi_pm_update(s);
}

/* QMP system_powerdown presses the button. */
static void acpi_pm_powerdown(void *opaque)
{
    acpi_pm_power_button(opaque);
}

static void acpi_pm_realize(DeviceState *dev, Error **errp)
{
    AcpiPMState *s = ACPI_PM(dev);

    s->sci = isa_get_irq(ACPI_PM_SCI_IRQ);
    if (!s->sci) {
        error_setg(errp, "%s: the machine has no ISA IRQ %d for the SCI",
                   TYPE_ACPI_PM, ACPI_PM_SCI_IRQ);
        return;
    }
    memory_region_init_io(&s->io, OBJECT(s), &acpi_pm_io_ops, s, "acpi-pm",
                          ACPI_PM_IO_SIZE);
    memory_region_init_io(&s->rst_cnt_io, OBJECT(s), &rst_cnt_ops, s,
                          "reset-control", 1);
    s->tmr_flip = timer_new_ns(QEMU_CLOCK_VIRTUAL, acpi_pm_timer_expired, s);
    qemu_add_powerdown_handler(acpi_pm_powerdown, s);
    acpi_pm_reset(dev);
}

static void acpi_pm_unrealize(DeviceState *dev)
{
    AcpiPMState *s = ACPI_PM(dev);

    qemu_remove_powerdown_handler(acpi_pm_powerdown, s);
    timer_free(s->tmr_flip);
    s->tmr_flip = NULL;
    memory_region_finalize(&s->rst_cnt_io);
    memory_region_finalize(&s->io);
}

DeviceState *acpi_pm_create(Object *parent, MemoryRegion *io, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_ACPI_PM);
    AcpiPMState *s = ACPI_PM(dev);

    object_property_add_child(parent, "pm", OBJECT(dev), &error_abort);
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        return NULL;
    }
    memory_region_add_subregion(io, ACPI_PM_IO_BASE, &s->io);
    /* Over the 0xCF8 dword, which keeps its dword accesses. */
    memory_region_add_subregion_overlap(io, ICH9_RST_CNT_IOPORT,
                                        &s->rst_cnt_io, 1);
    return dev;
}

static void acpi_pm_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "ICH9 ACPI power management and reset control";
    dc->user_creatable = false;
    dc->realize = acpi_pm_realize;
    dc->unrealize = acpi_pm_unrealize;
    dc->reset = acpi_pm_reset;
}

static const TypeInfo acpi_pm_type = {
    .name = TYPE_ACPI_PM,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(AcpiPMState),
    .class_init = acpi_pm_class_init,
};

static void acpi_pm_register_types(void)
{
    type_register_static(&acpi_pm_type);
}
type_init(acpi_pm_register_types)
