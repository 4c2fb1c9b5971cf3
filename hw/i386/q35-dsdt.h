/*
 * The placeholders of the q35 DSDT (q35-dsdt.asl), shared by the ASL
 * (through iasl's preprocessor: #define lines and comments only) and
 * hw/i386/acpi-build.c.
 *
 * Each initialises one Name. Its value does not fit in 32 bits, so iasl
 * encodes it as a QWord constant (QWordPrefix and 8 bytes) whatever value
 * replaces it later; the top five bytes spell "QVFIO", so the builder can
 * check that each occurs exactly once in the AML before it writes the
 * machine's value over it.
 */
#ifndef HW_I386_Q35_DSDT_H
#define HW_I386_Q35_DSDT_H

/* \_SB.PCI0: the last bus number ECAM covers */
#define Q35_DSDT_BUS_LAST 0x515646494F000001
/* \_SB.PCI0: the 32-bit window below ECAM, first and last byte */
#define Q35_DSDT_WIN1_MIN 0x515646494F000002
#define Q35_DSDT_WIN1_MAX 0x515646494F000003
/* \_SB.PCI0: the 32-bit window above ECAM */
#define Q35_DSDT_WIN2_MIN 0x515646494F000004
#define Q35_DSDT_WIN2_MAX 0x515646494F000005
/* \_SB.PCI0: the 64-bit window */
#define Q35_DSDT_WIN3_MIN 0x515646494F000006
#define Q35_DSDT_WIN3_MAX 0x515646494F000007
/* \_SB.MRES: ECAM base and length, the PM block's I/O base */
#define Q35_DSDT_ECAM_BASE 0x515646494F000008
#define Q35_DSDT_ECAM_SIZE 0x515646494F000009
#define Q35_DSDT_PM_BASE 0x515646494F00000A

#endif
