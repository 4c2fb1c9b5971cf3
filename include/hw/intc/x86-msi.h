/*
 * The x86 MSI window at 0xFEE00000-0xFEEFFFFF: a 32-bit write there is an
 * interrupt message to the local APICs. We decode and record it.
 */
#ifndef HW_INTC_X86_MSI_H
#define HW_INTC_X86_MSI_H

#include "qemu/osdep.h"
#include "system/memory.h"

#define X86_MSI_BASE 0xFEE00000ULL
#define X86_MSI_SIZE 0x100000ULL

typedef enum X86MSIDeliveryMode {
    X86_MSI_DM_FIXED = 0,
    X86_MSI_DM_LOWPRI = 1,
    X86_MSI_DM_SMI = 2,
    X86_MSI_DM_NMI = 4,
    X86_MSI_DM_INIT = 5,
    X86_MSI_DM_EXTINT = 7,
} X86MSIDeliveryMode;

typedef struct X86MSIMessage {
    uint64_t address;
    uint32_t data;
    uint8_t dest_id;            /* address bits 19..12 */
    bool redirection_hint;      /* address bit 3 */
    bool dest_logical;          /* address bit 2 */
    uint8_t vector;             /* data bits 7..0 */
    uint8_t delivery_mode;      /* data bits 10..8 */
    bool level_assert;          /* data bit 14 */
    bool trigger_level;         /* data bit 15 */
    bool valid;                 /* reserved bits clear, in the window */
} X86MSIMessage;

/* Pure decoder (unit-tested). */
X86MSIMessage x86_msi_decode(uint64_t address, uint32_t data);
const char *x86_msi_delivery_mode_name(uint8_t mode);

/* Map the window into @sysmem (above RAM and PCI, priority 1000). */
void x86_msi_window_init(MemoryRegion *sysmem, Object *owner);
/* Deliveries recorded so far, oldest first (X86MSIMessage). */
const GArray *x86_msi_deliveries(void);
void x86_msi_deliveries_clear(void);

#endif
