/*
 * PIIX4 power management function (8086:7113 at 00:01.3 on the pc board) and
 * its ACPI fixed hardware: PM1a event/control blocks, the 24-bit PM timer,
 * GPE0, the APM control port (0xb2/0xb3) and the SCI.
 */
#ifndef PCVM_HW_ACPI_PM_H
#define PCVM_HW_ACPI_PM_H

#include <stdint.h>

#include "core/irq.h"
#include "hw/pci.h"

#define PIIX4_PM_DEVFN          PCI_DEVFN(1, 3)

/* The layout QEMU's ACPI tables (FADT) describe; pcvm's tables follow it. */
#define ACPI_PM_IO_SIZE         64      /* at PMBASE (config 0x40) */
#define ACPI_PM1_EVT_OFFSET     0x00    /* PM1a_STS (16) + PM1a_EN (16) */
#define ACPI_PM1_CNT_OFFSET     0x04    /* PM1a_CNT (16) */
#define ACPI_PM_TMR_OFFSET      0x08    /* PM_TMR (32, 24 bits used) */
#define ACPI_GPE0_BASE_DEFAULT  0xafe0  /* GPE0_BLK: STS (16) + EN (16) */
#define ACPI_GPE0_LEN           4
#define ACPI_APM_CNT_PORT       0xb2    /* SMI_CMD in the FADT */
#define ACPI_ENABLE_CMD         0xf1    /* FADT ACPI_ENABLE */
#define ACPI_DISABLE_CMD        0xf0    /* FADT ACPI_DISABLE */
#define ACPI_SCI_IRQ            9
/* SLP_TYP values the DSDT must declare: _S5 = 0 (as QEMU's PIIX4 DSDT), _S4 = 2 */
#define ACPI_SLP_TYP_S5         0
#define ACPI_SLP_TYP_S3         1
#define ACPI_SLP_TYP_S4         2

#define PM_TIMER_FREQUENCY      3579545

typedef struct ACPIPMState ACPIPMState;

/*
 * Create the PM function at devfn.  sci is the SCI line (ISA IRQ 9 on the pc
 * board).  gpe0_base: port of the GPE0 block (ACPI_GPE0_BASE_DEFAULT), 0 for
 * none.  Also claims the APM ports 0xb2/0xb3.  NULL on error.
 */
ACPIPMState *piix4_pm_create(PCIBus *bus, int devfn, IrqLine sci, uint16_t gpe0_base);
PCIDevice *piix4_pm_pci_device(ACPIPMState *s);

/* The power button was pressed (monitor system_powerdown): PWRBTN_STS + SCI. */
void acpi_pm_power_button(ACPIPMState *s);
/* Raise GPE0 status bit n (0..15), e.g. for hotplug events later. */
void acpi_pm_gpe_set(ACPIPMState *s, int bit);

#endif
