/*
 * The ICH9-style ACPI power-management registers and the reset control
 * register, as the q35 machine's FADT describes them:
 *   PM base + 0x00  PM1a status (16 bits, write 1 to clear)
 *           + 0x02  PM1a enable (16 bits)
 *           + 0x04  PM1a control (SCI_EN always set, SLP_TYP, SLP_EN)
 *           + 0x08  PM timer (32 bits, 3.579545 MHz, read-only)
 *           + 0x20  GPE0 block: 8 bytes of status (write 1 to clear),
 *                   then 8 bytes of enable
 *   0xCF9           reset control (a write with RST_CPU set resets)
 * The SCI is a level on ISA IRQ 9, high while an enabled status bit is set.
 * ACPI mode is always on: there is no SMI command port.
 */
#ifndef HW_ACPI_PM_H
#define HW_ACPI_PM_H

#include "hw/core/qdev.h"
#include "system/memory.h"

#define TYPE_ACPI_PM "ich9-pm"

#define ACPI_PM_IO_BASE 0x600
#define ACPI_PM_IO_SIZE 0x80        /* the ICH9's PMBASE window */
#define ACPI_PM_SCI_IRQ 9

/* Register offsets from the PM base, and the lengths the FADT gives. */
#define ACPI_PM1_STS 0x00
#define ACPI_PM1_EN 0x02
#define ACPI_PM1_EVT_LEN 4
#define ACPI_PM1_CNT 0x04
#define ACPI_PM1_CNT_LEN 2
#define ACPI_PM_TMR 0x08
#define ACPI_PM_TMR_LEN 4
#define ACPI_GPE0_BLK 0x20
#define ACPI_GPE0_BLK_LEN 16        /* status half, then enable half */
#define ACPI_GPE0_COUNT (ACPI_GPE0_BLK_LEN / 2 * 8)

/* PM1 status and enable bits (an enable bit sits where its status does). */
#define ACPI_PM1_TMR_STS (1u << 0)
#define ACPI_PM1_BM_STS (1u << 4)
#define ACPI_PM1_GBL_STS (1u << 5)
#define ACPI_PM1_PWRBTN_STS (1u << 8)
#define ACPI_PM1_WAK_STS (1u << 15)
#define ACPI_PM1_TMR_EN ACPI_PM1_TMR_STS
#define ACPI_PM1_GBL_EN ACPI_PM1_GBL_STS
#define ACPI_PM1_PWRBTN_EN ACPI_PM1_PWRBTN_STS

/* PM1 control */
#define ACPI_PM1_CNT_SCI_EN (1u << 0)
#define ACPI_PM1_CNT_BM_RLD (1u << 1)
#define ACPI_PM1_CNT_GBL_RLS (1u << 2)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP_MASK (7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN (1u << 13)
/* The SLP_TYP value the DSDT's \_S5 gives: soft off. */
#define ACPI_SLP_TYP_S5 0

#define ACPI_PM_TIMER_FREQUENCY 3579545

/* Reset control register (ICH9 RST_CNT) */
#define ICH9_RST_CNT_IOPORT 0xcf9
#define ICH9_RST_CNT_SYS_RST (1u << 1)
#define ICH9_RST_CNT_RST_CPU (1u << 2)
#define ICH9_RST_CNT_FULL_RST (1u << 3)
/* What the FADT's reset register asks the OS to write. */
#define ICH9_RST_CNT_RESET_VALUE (ICH9_RST_CNT_SYS_RST | ICH9_RST_CNT_RST_CPU)

typedef struct AcpiPMState AcpiPMState;
#define ACPI_PM(obj) OBJECT_CHECK(AcpiPMState, (obj), TYPE_ACPI_PM)

/*
 * Create the PM registers at ACPI_PM_IO_BASE and the reset control
 * register in @io, as the child "pm" of @parent, with the SCI on ISA IRQ
 * ACPI_PM_SCI_IRQ (the machine must have connected its ISA lines).
 */
DeviceState *acpi_pm_create(Object *parent, MemoryRegion *io, Error **errp);

/* The power button was pressed: PWRBTN_STS, and the SCI if enabled. */
void acpi_pm_power_button(AcpiPMState *s);
/* General-purpose event @gpe (0 .. ACPI_GPE0_COUNT - 1) happened. */
void acpi_pm_gpe_raise(AcpiPMState *s, unsigned gpe);

#endif
