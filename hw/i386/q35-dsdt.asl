/*
 * The q35 machine's DSDT, compiled by iasl at build time.
 *
 * What depends on the machine (RAM size moves the PCI windows) is held in
 * Names initialised with placeholders (q35-dsdt.h): hw/i386/acpi-build.c
 * writes the machine's values over them, and the _CRS methods copy them
 * into their resource templates when the OS asks.
 */
#include "q35-dsdt.h"

DefinitionBlock ("", "DSDT", 2, "QVFIO ", "QVFIOQ35", 1)
{
    /* S5 (soft off): SLP_TYP 0, which hw/acpi/pm.c decodes as power off */
    Name (\_S5, Package (4) { 0, 0, 0, 0 })

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_CID, EisaId ("PNP0A03"))
            Name (_SEG, 0)
            Name (_BBN, 0)
            Name (_UID, 0)

            Name (BUSL, Q35_DSDT_BUS_LAST)
            Name (W1MN, Q35_DSDT_WIN1_MIN)
            Name (W1MX, Q35_DSDT_WIN1_MAX)
            Name (W2MN, Q35_DSDT_WIN2_MIN)
            Name (W2MX, Q35_DSDT_WIN2_MAX)
            Name (W3MN, Q35_DSDT_WIN3_MIN)
            Name (W3MX, Q35_DSDT_WIN3_MAX)

            /*
             * Bus numbers; all I/O ports but CF8-CFF (config access);
             * the 32-bit hole without ECAM, in two parts; the 64-bit hole.
             */
            Name (CRS0, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x0000, 0x0000, 0x0001,,, BUSN)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    EntireRange, 0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    EntireRange, 0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
                    NonCacheable, ReadWrite, 0x00000000, 0x00000000,
                    0x00000000, 0x00000000, 0x00000001,,, WIN1)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
                    NonCacheable, ReadWrite, 0x00000000, 0x00000000,
                    0x00000000, 0x00000000, 0x00000001,,, WIN2)
                QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
                    NonCacheable, ReadWrite, 0x0000000000000000,
                    0x0000000000000000, 0x0000000000000000,
                    0x0000000000000000, 0x0000000000000001,,, WIN3)
            })

            Method (_CRS, 0, Serialized)
            {
                CreateWordField (CRS0, ^BUSN._MAX, BMAX)
                CreateWordField (CRS0, ^BUSN._LEN, BLEN)
                CreateDWordField (CRS0, ^WIN1._MIN, MIN1)
                CreateDWordField (CRS0, ^WIN1._MAX, MAX1)
                CreateDWordField (CRS0, ^WIN1._LEN, LEN1)
                CreateDWordField (CRS0, ^WIN2._MIN, MIN2)
                CreateDWordField (CRS0, ^WIN2._MAX, MAX2)
                CreateDWordField (CRS0, ^WIN2._LEN, LEN2)
                CreateQWordField (CRS0, ^WIN3._MIN, MIN3)
                CreateQWordField (CRS0, ^WIN3._MAX, MAX3)
                CreateQWordField (CRS0, ^WIN3._LEN, LEN3)

                BMAX = BUSL
                BLEN = BUSL + 1
                MIN1 = W1MN
                MAX1 = W1MX
                LEN1 = W1MX - W1MN + 1
                MIN2 = W2MN
                MAX2 = W2MX
                LEN2 = W2MX - W2MN + 1
                MIN3 = W3MN
                MAX3 = W3MX
                LEN3 = W3MX - W3MN + 1
                Return (CRS0)
            }

            /* INTx of slot S, pin P (0 = INTA): GSI 16 + (S + P) % 4 */
            Name (_PRT, Package ()
            {
                Package () { 0x0000FFFF, 0, 0, 16 }, Package () { 0x0000FFFF, 1, 0, 17 },
                Package () { 0x0000FFFF, 2, 0, 18 }, Package () { 0x0000FFFF, 3, 0, 19 },
                Package () { 0x0001FFFF, 0, 0, 17 }, Package () { 0x0001FFFF, 1, 0, 18 },
                Package () { 0x0001FFFF, 2, 0, 19 }, Package () { 0x0001FFFF, 3, 0, 16 },
                Package () { 0x0002FFFF, 0, 0, 18 }, Package () { 0x0002FFFF, 1, 0, 19 },
                Package () { 0x0002FFFF, 2, 0, 16 }, Package () { 0x0002FFFF, 3, 0, 17 },
                Package () { 0x0003FFFF, 0, 0, 19 }, Package () { 0x0003FFFF, 1, 0, 16 },
                Package () { 0x0003FFFF, 2, 0, 17 }, Package () { 0x0003FFFF, 3, 0, 18 },
                Package () { 0x0004FFFF, 0, 0, 16 }, Package () { 0x0004FFFF, 1, 0, 17 },
                Package () { 0x0004FFFF, 2, 0, 18 }, Package () { 0x0004FFFF, 3, 0, 19 },
                Package () { 0x0005FFFF, 0, 0, 17 }, Package () { 0x0005FFFF, 1, 0, 18 },
                Package () { 0x0005FFFF, 2, 0, 19 }, Package () { 0x0005FFFF, 3, 0, 16 },
                Package () { 0x0006FFFF, 0, 0, 18 }, Package () { 0x0006FFFF, 1, 0, 19 },
                Package () { 0x0006FFFF, 2, 0, 16 }, Package () { 0x0006FFFF, 3, 0, 17 },
                Package () { 0x0007FFFF, 0, 0, 19 }, Package () { 0x0007FFFF, 1, 0, 16 },
                Package () { 0x0007FFFF, 2, 0, 17 }, Package () { 0x0007FFFF, 3, 0, 18 },
                Package () { 0x0008FFFF, 0, 0, 16 }, Package () { 0x0008FFFF, 1, 0, 17 },
                Package () { 0x0008FFFF, 2, 0, 18 }, Package () { 0x0008FFFF, 3, 0, 19 },
                Package () { 0x0009FFFF, 0, 0, 17 }, Package () { 0x0009FFFF, 1, 0, 18 },
                Package () { 0x0009FFFF, 2, 0, 19 }, Package () { 0x0009FFFF, 3, 0, 16 },
                Package () { 0x000AFFFF, 0, 0, 18 }, Package () { 0x000AFFFF, 1, 0, 19 },
                Package () { 0x000AFFFF, 2, 0, 16 }, Package () { 0x000AFFFF, 3, 0, 17 },
                Package () { 0x000BFFFF, 0, 0, 19 }, Package () { 0x000BFFFF, 1, 0, 16 },
                Package () { 0x000BFFFF, 2, 0, 17 }, Package () { 0x000BFFFF, 3, 0, 18 },
                Package () { 0x000CFFFF, 0, 0, 16 }, Package () { 0x000CFFFF, 1, 0, 17 },
                Package () { 0x000CFFFF, 2, 0, 18 }, Package () { 0x000CFFFF, 3, 0, 19 },
                Package () { 0x000DFFFF, 0, 0, 17 }, Package () { 0x000DFFFF, 1, 0, 18 },
                Package () { 0x000DFFFF, 2, 0, 19 }, Package () { 0x000DFFFF, 3, 0, 16 },
                Package () { 0x000EFFFF, 0, 0, 18 }, Package () { 0x000EFFFF, 1, 0, 19 },
                Package () { 0x000EFFFF, 2, 0, 16 }, Package () { 0x000EFFFF, 3, 0, 17 },
                Package () { 0x000FFFFF, 0, 0, 19 }, Package () { 0x000FFFFF, 1, 0, 16 },
                Package () { 0x000FFFFF, 2, 0, 17 }, Package () { 0x000FFFFF, 3, 0, 18 },
                Package () { 0x0010FFFF, 0, 0, 16 }, Package () { 0x0010FFFF, 1, 0, 17 },
                Package () { 0x0010FFFF, 2, 0, 18 }, Package () { 0x0010FFFF, 3, 0, 19 },
                Package () { 0x0011FFFF, 0, 0, 17 }, Package () { 0x0011FFFF, 1, 0, 18 },
                Package () { 0x0011FFFF, 2, 0, 19 }, Package () { 0x0011FFFF, 3, 0, 16 },
                Package () { 0x0012FFFF, 0, 0, 18 }, Package () { 0x0012FFFF, 1, 0, 19 },
                Package () { 0x0012FFFF, 2, 0, 16 }, Package () { 0x0012FFFF, 3, 0, 17 },
                Package () { 0x0013FFFF, 0, 0, 19 }, Package () { 0x0013FFFF, 1, 0, 16 },
                Package () { 0x0013FFFF, 2, 0, 17 }, Package () { 0x0013FFFF, 3, 0, 18 },
                Package () { 0x0014FFFF, 0, 0, 16 }, Package () { 0x0014FFFF, 1, 0, 17 },
                Package () { 0x0014FFFF, 2, 0, 18 }, Package () { 0x0014FFFF, 3, 0, 19 },
                Package () { 0x0015FFFF, 0, 0, 17 }, Package () { 0x0015FFFF, 1, 0, 18 },
                Package () { 0x0015FFFF, 2, 0, 19 }, Package () { 0x0015FFFF, 3, 0, 16 },
                Package () { 0x0016FFFF, 0, 0, 18 }, Package () { 0x0016FFFF, 1, 0, 19 },
                Package () { 0x0016FFFF, 2, 0, 16 }, Package () { 0x0016FFFF, 3, 0, 17 },
                Package () { 0x0017FFFF, 0, 0, 19 }, Package () { 0x0017FFFF, 1, 0, 16 },
                Package () { 0x0017FFFF, 2, 0, 17 }, Package () { 0x0017FFFF, 3, 0, 18 },
                Package () { 0x0018FFFF, 0, 0, 16 }, Package () { 0x0018FFFF, 1, 0, 17 },
                Package () { 0x0018FFFF, 2, 0, 18 }, Package () { 0x0018FFFF, 3, 0, 19 },
                Package () { 0x0019FFFF, 0, 0, 17 }, Package () { 0x0019FFFF, 1, 0, 18 },
                Package () { 0x0019FFFF, 2, 0, 19 }, Package () { 0x0019FFFF, 3, 0, 16 },
                Package () { 0x001AFFFF, 0, 0, 18 }, Package () { 0x001AFFFF, 1, 0, 19 },
                Package () { 0x001AFFFF, 2, 0, 16 }, Package () { 0x001AFFFF, 3, 0, 17 },
                Package () { 0x001BFFFF, 0, 0, 19 }, Package () { 0x001BFFFF, 1, 0, 16 },
                Package () { 0x001BFFFF, 2, 0, 17 }, Package () { 0x001BFFFF, 3, 0, 18 },
                Package () { 0x001CFFFF, 0, 0, 16 }, Package () { 0x001CFFFF, 1, 0, 17 },
                Package () { 0x001CFFFF, 2, 0, 18 }, Package () { 0x001CFFFF, 3, 0, 19 },
                Package () { 0x001DFFFF, 0, 0, 17 }, Package () { 0x001DFFFF, 1, 0, 18 },
                Package () { 0x001DFFFF, 2, 0, 19 }, Package () { 0x001DFFFF, 3, 0, 16 },
                Package () { 0x001EFFFF, 0, 0, 18 }, Package () { 0x001EFFFF, 1, 0, 19 },
                Package () { 0x001EFFFF, 2, 0, 16 }, Package () { 0x001EFFFF, 3, 0, 17 },
                Package () { 0x001FFFFF, 0, 0, 19 }, Package () { 0x001FFFFF, 1, 0, 16 },
                Package () { 0x001FFFFF, 2, 0, 17 }, Package () { 0x001FFFFF, 3, 0, 18 }
            })

            /*
             * The OS controls native PCIe hotplug, PME, AER and the PCIe
             * capability structure (Control bits 0, 2, 3, 4); SHPC hotplug
             * and LTR stay with the platform, which does nothing with them.
             */
            Method (_OSC, 4, Serialized)
            {
                CreateDWordField (Arg3, 0, CDW1)

                If (Arg0 != ToUUID ("33db4d5b-1ff7-401c-9657-7441c03dd766"))
                {
                    CDW1 |= 0x04                /* unrecognized UUID */
                    Return (Arg3)
                }
                If (Arg1 != 1)
                {
                    CDW1 |= 0x08                /* unrecognized revision */
                }
                If (Arg2 < 3)
                {
                    CDW1 |= 0x02                /* no Control field */
                    Return (Arg3)
                }
                CreateDWordField (Arg3, 8, CDW3)
                Local0 = CDW3 & 0x1D
                If (Local0 != CDW3)
                {
                    CDW1 |= 0x10                /* capabilities masked */
                }
                CDW3 = Local0
                Return (Arg3)
            }
        }

        /* Motherboard resources: ECAM and the PM and reset control ports */
        Device (MRES)
        {
            Name (_HID, EisaId ("PNP0C02"))
            Name (_UID, 0)

            Name (ECMB, Q35_DSDT_ECAM_BASE)
            Name (ECML, Q35_DSDT_ECAM_SIZE)
            Name (PMBA, Q35_DSDT_PM_BASE)

            Name (CRS0, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite, 0x00000000, 0x00000000, ECAM)
                IO (Decode16, 0x0000, 0x0000, 0x01, 0x80, PMIO)
                IO (Decode16, 0x0CF9, 0x0CF9, 0x01, 0x01)
            })

            Method (_CRS, 0, Serialized)
            {
                CreateDWordField (CRS0, ^ECAM._BAS, EBAS)
                CreateDWordField (CRS0, ^ECAM._LEN, ELEN)
                CreateWordField (CRS0, ^PMIO._MIN, PMIN)
                CreateWordField (CRS0, ^PMIO._MAX, PMAX)

                EBAS = ECMB
                ELEN = ECML
                PMIN = PMBA
                PMAX = PMBA
                Return (CRS0)
            }
        }

        /* The 16550A UART at the PC's COM1 resources */
        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, 1)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
                IRQNoFlags () { 4 }
            })
        }
    }
}
