/*
 * pcvm's DSDT for the pc board (i440FX + PIIX3/PIIX4): the PCI root bridge and
 * its windows, the legacy ISA devices, PCI interrupt routing through the PIIX
 * PIRQ links, and \_S5.  ACPI 6.x chapters 6 (device configuration) and 7
 * (power management); compiled at build time by iasl into an AML byte array.
 *
 * hw/acpi-build.c patches the DWord values of the Name objects marked
 * "patched" below: keep them DWord-sized (a placeholder >= 0x10000) so the
 * AML keeps a 4-byte integer to overwrite.
 */
DefinitionBlock ("", "DSDT", 1, "PCVM  ", "PCVMDSDT", 1)
{
    /* patched: PCI 32-bit memory window, first and last address */
    Name (PMIN, 0xdead0001)
    Name (PMAX, 0xdead0002)
    /* patched: bit n set when COM(n+1) exists */
    Name (SERM, 0xdead0003)

    /* interrupt model the OS chose (0 PIC, 1 APIC); the routing is the same */
    Name (PICM, Zero)
    Method (_PIC, 1, NotSerialized)
    {
        PICM = Arg0
    }

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_UID, One)

            Name (CRES, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100,,,)
                /* the configuration mechanism #1 ports */
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08,)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8,,, , TypeStatic, DenseTranslation)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300,,, , TypeStatic, DenseTranslation)
                /* legacy VGA memory */
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                    0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000,,, ,
                    AddressRangeMemory, TypeStatic)
                /* the 32-bit PCI hole, up to the IOAPIC: filled in by _CRS */
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x00000000, 0xE0000000, 0xFEBFFFFF, 0x00000000, 0x1EC00000,,, PW32,
                    AddressRangeMemory, TypeStatic)
            })

            Method (_CRS, 0, Serialized)
            {
                CreateDWordField (CRES, ^PW32._MIN, WMIN)
                CreateDWordField (CRES, ^PW32._MAX, WMAX)
                CreateDWordField (CRES, ^PW32._LEN, WLEN)
                WMIN = PMIN
                WMAX = PMAX
                WLEN = PMAX - PMIN + One
                Return (CRES)
            }

            /*
             * Interrupt routing: slot s, pin p (0 = INTA) goes to PIRQ (s + p) mod 4,
             * the board's swizzle (hw/piix.c piix3_map_irq, SeaBIOS).
             */
            Method (_PRT, 0, NotSerialized)
            {
                Local0 = Package (0x80) {}
                Local1 = Zero
                While (Local1 < 0x80)
                {
                    Local2 = Local1 >> 2            /* slot */
                    Local3 = (Local1 + Local2) & 3  /* (slot + pin) mod 4 */
                    If (Local3 == Zero)
                    {
                        Local4 = Package (0x04) { Zero, Zero, LNKA, Zero }
                    }
                    If (Local3 == One)
                    {
                        Local4 = Package (0x04) { Zero, Zero, LNKB, Zero }
                    }
                    If (Local3 == 0x02)
                    {
                        Local4 = Package (0x04) { Zero, Zero, LNKC, Zero }
                    }
                    If (Local3 == 0x03)
                    {
                        Local4 = Package (0x04) { Zero, Zero, LNKD, Zero }
                    }
                    Local4 [Zero] = (Local2 << 16) | 0xFFFF
                    Local4 [One] = Local1 & 3
                    Local0 [Local1] = Local4
                    Local1++
                }
                Return (Local0)
            }

            /* PIIX3 function 0: the ISA bridge and the devices behind it */
            Device (ISA)
            {
                Name (_ADR, 0x00010000)

                /* PIRQ route control registers (82371SB 2.2.12) */
                OperationRegion (PIRQ, PCI_Config, 0x60, 0x04)
                Field (PIRQ, ByteAcc, NoLock, Preserve)
                {
                    PRQA, 8,
                    PRQB, 8,
                    PRQC, 8,
                    PRQD, 8
                }

                Device (KBD)
                {
                    Name (_HID, EisaId ("PNP0303"))
                    Name (_STA, 0x0F)
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0060, 0x0060, 0x01, 0x01,)
                        IO (Decode16, 0x0064, 0x0064, 0x01, 0x01,)
                        IRQNoFlags () {1}
                    })
                }

                Device (MOU)
                {
                    Name (_HID, EisaId ("PNP0F13"))
                    Name (_STA, 0x0F)
                    Name (_CRS, ResourceTemplate ()
                    {
                        IRQNoFlags () {12}
                    })
                }

                Device (PIC)
                {
                    Name (_HID, EisaId ("PNP0000"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0020, 0x0020, 0x01, 0x02,)
                        IO (Decode16, 0x00A0, 0x00A0, 0x01, 0x02,)
                        /* the edge/level control registers */
                        IO (Decode16, 0x04D0, 0x04D0, 0x01, 0x02,)
                        IRQNoFlags () {2}
                    })
                }

                Device (TMR)
                {
                    Name (_HID, EisaId ("PNP0100"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0040, 0x0040, 0x01, 0x04,)
                        IRQNoFlags () {0}
                    })
                }

                Device (RTC)
                {
                    Name (_HID, EisaId ("PNP0B00"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0070, 0x0070, 0x01, 0x02,)
                        IRQNoFlags () {8}
                    })
                }

                Device (SPKR)
                {
                    Name (_HID, EisaId ("PNP0800"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0061, 0x0061, 0x01, 0x01,)
                    })
                }

                Device (COM1)
                {
                    Name (_HID, EisaId ("PNP0501"))
                    Name (_UID, One)
                    Method (_STA, 0, NotSerialized)
                    {
                        If (SERM & One)
                        {
                            Return (0x0F)
                        }
                        Return (Zero)
                    }
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08,)
                        IRQNoFlags () {4}
                    })
                }

                Device (COM2)
                {
                    Name (_HID, EisaId ("PNP0501"))
                    Name (_UID, 0x02)
                    Method (_STA, 0, NotSerialized)
                    {
                        If (SERM & 0x02)
                        {
                            Return (0x0F)
                        }
                        Return (Zero)
                    }
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x02F8, 0x02F8, 0x01, 0x08,)
                        IRQNoFlags () {3}
                    })
                }

                /* QEMU's firmware configuration device (hw/fw_cfg.c), for OS drivers */
                Device (FWCF)
                {
                    Name (_HID, "QEMU0002")
                    Name (_STA, 0x0B)
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0510, 0x0510, 0x01, 0x0C,)
                    })
                }
            }
        }

        /*
         * PCI interrupt links: PIRQA-D of the PIIX3.  A route register holds the
         * ISA IRQ in bits 3:0, bit 7 set when the route is disabled.
         */
        Name (PRSL, ResourceTemplate ()
        {
            Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, ) {5, 10, 11}
        })

        Method (IQST, 1, NotSerialized)
        {
            If (Arg0 & 0x80)
            {
                Return (0x09)       /* present, disabled */
            }
            Return (0x0B)           /* present, enabled, hidden */
        }

        Method (IQCR, 1, Serialized)
        {
            Name (PRR0, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, ) {0}
            })
            CreateDWordField (PRR0, 0x05, PRRI)
            If (!(Arg0 & 0x80))
            {
                PRRI = Arg0 & 0x0F
            }
            Return (PRR0)
        }

        Device (LNKA)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, One)
            Method (_STA, 0, NotSerialized) { Return (IQST (\_SB.PCI0.ISA.PRQA)) }
            Method (_PRS, 0, NotSerialized) { Return (PRSL) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQA |= 0x80 }
            Method (_CRS, 0, NotSerialized) { Return (IQCR (\_SB.PCI0.ISA.PRQA)) }
            Method (_SRS, 1, Serialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                \_SB.PCI0.ISA.PRQA = PRRI
            }
        }

        Device (LNKB)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0x02)
            Method (_STA, 0, NotSerialized) { Return (IQST (\_SB.PCI0.ISA.PRQB)) }
            Method (_PRS, 0, NotSerialized) { Return (PRSL) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQB |= 0x80 }
            Method (_CRS, 0, NotSerialized) { Return (IQCR (\_SB.PCI0.ISA.PRQB)) }
            Method (_SRS, 1, Serialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                \_SB.PCI0.ISA.PRQB = PRRI
            }
        }

        Device (LNKC)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0x03)
            Method (_STA, 0, NotSerialized) { Return (IQST (\_SB.PCI0.ISA.PRQC)) }
            Method (_PRS, 0, NotSerialized) { Return (PRSL) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQC |= 0x80 }
            Method (_CRS, 0, NotSerialized) { Return (IQCR (\_SB.PCI0.ISA.PRQC)) }
            Method (_SRS, 1, Serialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                \_SB.PCI0.ISA.PRQC = PRRI
            }
        }

        Device (LNKD)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0x04)
            Method (_STA, 0, NotSerialized) { Return (IQST (\_SB.PCI0.ISA.PRQD)) }
            Method (_PRS, 0, NotSerialized) { Return (PRSL) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQD |= 0x80 }
            Method (_CRS, 0, NotSerialized) { Return (IQCR (\_SB.PCI0.ISA.PRQD)) }
            Method (_SRS, 1, Serialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                \_SB.PCI0.ISA.PRQD = PRRI
            }
        }
    }

    /* General-purpose events: none are wired yet (hw/acpi-pm.c has the block) */
    Scope (\_GPE)
    {
        Name (_HID, "ACPI0006")
    }

    /*
     * Soft-off: SLP_TYP for PM1a_CNT.  hw/acpi-pm.c powers the machine off for
     * SLP_TYP 0 (ACPI_SLP_TYP_S5), as QEMU's PIIX4 does.
     */
    Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero })
}
