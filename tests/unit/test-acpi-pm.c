/*
 * Unit tests for the ACPI PM device through the system I/O space: the
 * GPE0 block and its SCI (no guest-visible source raises a GPE yet, so
 * the qtest tests cannot reach it), the power button called directly,
 * and realize on a machine without ISA interrupt lines.
 */
#include "qemu/osdep.h"
#include "hw/acpi/pm.h"
#include "hw/isa/isa.h"

#define GPE0_STS (ACPI_PM_IO_BASE + ACPI_GPE0_BLK)
#define GPE0_EN (GPE0_STS + ACPI_GPE0_BLK_LEN / 2)

static int isa_levels[ISA_NUM_IRQS];

static void isa_irq_handler(void *opaque, int n, int level)
{
    isa_levels[n] = level;
}

static uint64_t io_read(hwaddr addr, unsigned size)
{
    uint64_t value;

    g_assert_cmpint(address_space_read_sized(&address_space_io, addr, size,
                                             &value), ==, MEMTX_OK);
    return value;
}

static void io_write(hwaddr addr, unsigned size, uint64_t value)
{
    g_assert_cmpint(address_space_write_sized(&address_space_io, addr, size,
                                              value), ==, MEMTX_OK);
}

typedef struct Fixture {
    Object *parent;
    qemu_irq *irqs;
    DeviceState *pm;
} Fixture;

static void fixture_init(Fixture *f)
{
    memory_system_init();
    memset(isa_levels, 0, sizeof(isa_levels));
    f->irqs = qemu_allocate_irqs(isa_irq_handler, NULL, ISA_NUM_IRQS);
    isa_bus_set_irqs(f->irqs);
    f->parent = object_new(TYPE_CONTAINER);
    f->pm = acpi_pm_create(f->parent, get_system_io(), &error_abort);
}

static void fixture_destroy(Fixture *f)
{
    qdev_unrealize(f->pm);
    object_unref(f->parent);
    isa_bus_set_irqs(NULL);
    qemu_free_irqs(f->irqs, ISA_NUM_IRQS);
}

static void test_gpe_sci(void)
{
    Fixture f;
    AcpiPMState *s;

    fixture_init(&f);
    s = ACPI_PM(f.pm);
    acpi_pm_gpe_raise(s, 0);
    acpi_pm_gpe_raise(s, 63);
    g_assert_cmphex(io_read(GPE0_STS, 4), ==, 1);
    g_assert_cmphex(io_read(GPE0_STS + 4, 4), ==, 0x80000000);
    g_assert_cmpint(isa_levels[ACPI_PM_SCI_IRQ], ==, 0);

    /* enabling a pending event raises the SCI; each one holds it */
    io_write(GPE0_EN + 7, 1, 0x80);
    g_assert_cmpint(isa_levels[ACPI_PM_SCI_IRQ], ==, 1);
    io_write(GPE0_EN, 1, 0x01);
    io_write(GPE0_STS + 7, 1, 0x80);
    g_assert_cmpint(isa_levels[ACPI_PM_SCI_IRQ], ==, 1);
    io_write(GPE0_STS, 2, 0x0001);
    g_assert_cmpint(isa_levels[ACPI_PM_SCI_IRQ], ==, 0);
    g_assert_cmphex(io_read(GPE0_STS, 4) | io_read(GPE0_STS + 4, 4), ==, 0);
    g_assert_cmphex(io_read(GPE0_EN + 4, 4), ==, 0x80000000);

    /* a system reset clears status and enable and drops the SCI */
    acpi_pm_gpe_raise(s, 63);
    g_assert_cmpint(isa_levels[ACPI_PM_SCI_IRQ], ==, 1);
    device_cold_reset(f.pm);
    g_assert_cmpint(isa_levels[ACPI_PM_SCI_IRQ], ==, 0);
    g_assert_cmphex(io_read(GPE0_EN + 4, 4), ==, 0);
    g_assert_cmphex(io_read(GPE0_STS + 4, 4), ==, 0);
    fixture_destroy(&f);
}

static void test_power_button(void)
{
    Fixture f;

    fixture_init(&f);
    io_write(ACPI_PM_IO_BASE + ACPI_PM1_EN, 2, ACPI_PM1_PWRBTN_EN);
    acpi_pm_power_button(ACPI_PM(f.pm));
    g_assert_cmphex(io_read(ACPI_PM_IO_BASE + ACPI_PM1_STS, 2), ==,
                    ACPI_PM1_PWRBTN_STS);
    g_assert_cmpint(isa_levels[ACPI_PM_SCI_IRQ], ==, 1);
    /* no other ISA line moves */
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        g_assert_cmpint(isa_levels[i], ==, i == ACPI_PM_SCI_IRQ);
    }
    fixture_destroy(&f);
}

/* Reserved space reads as zero; accesses wider than a dword are refused. */
static void test_access_sizes(void)
{
    Fixture f;
    uint64_t value;

    fixture_init(&f);
    g_assert_cmphex(io_read(ACPI_PM_IO_BASE + 0x40, 4), ==, 0);
    g_assert_cmphex(io_read(ACPI_PM_IO_BASE + ACPI_PM_IO_SIZE - 1, 1), ==, 0);
    g_assert_cmpint(address_space_read_sized(&address_space_io,
                                             ACPI_PM_IO_BASE, 8, &value),
                    ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_read_sized(&address_space_io,
                                             ACPI_PM_IO_BASE + 1, 2, &value),
                    ==, MEMTX_ERROR);
    fixture_destroy(&f);
}

static void test_no_isa_irqs(void)
{
    Object *parent = object_new(TYPE_CONTAINER);
    Error *err = NULL;

    memory_system_init();
    isa_bus_set_irqs(NULL);
    g_assert_null(acpi_pm_create(parent, get_system_io(), &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "ich9-pm: the machine has no ISA IRQ 9 for the SCI");
    error_free(err);
    /* nothing was left in the I/O space */
    g_assert_null(address_space_find_section(&address_space_io,
                                             ACPI_PM_IO_BASE).mr);
    object_unref(parent);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi-pm/gpe-sci", test_gpe_sci);
    g_test_add_func("/acpi-pm/power-button", test_power_button);
    g_test_add_func("/acpi-pm/access-sizes", test_access_sizes);
    g_test_add_func("/acpi-pm/no-isa-irqs", test_no_isa_irqs);
    return g_test_run();
}
