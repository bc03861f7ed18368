/*
 * Intel 82371SB PIIX3 PCI-to-ISA bridge, function 0 (00:01.0): PIRQA-D
 * routing of PCI INTx to ISA IRQs and the reset control register at 0xcf9.
 */
#ifndef PCVM_HW_PIIX_H
#define PCVM_HW_PIIX_H

#include "core/irq.h"
#include "hw/pci.h"

#define PIIX3_DEVFN             PCI_DEVFN(1, 0)

/* 82371SB function 0 configuration registers (Intel 290550, section 2.2) */
#define PIIX_PIRQRC             0x60    /* PIRQA-D route control, 0x60-0x63 */
#define  PIIX_PIRQRC_IRQROUTEN  0x80    /* 1 = routing disabled */
#define  PIIX_PIRQRC_IRQ_MASK   0x0f
#define PIIX_NUM_PIRQS          4

/* Reset control register at port 0xcf9 (section 4.1.3) */
#define PIIX_RCR_SRST           0x02    /* system reset (hard) when RCPU fires */
#define PIIX_RCR_RCPU           0x04    /* reset CPU */

typedef struct PIIX3State PIIX3State;

/*
 * Function 0 at devfn (PIIX3_DEVFN on the pc board).  isa_irq[0..15] are the
 * ISA interrupt inputs (PIC and IOAPIC, as the board fans them out); PIRQ
 * lines are driven level-high while any routed PCI device asserts INTx.
 * Installs the PCI bus' INTx routing and the 0xcf9 handler.
 */
PIIX3State *piix3_create(PCIBus *bus, int devfn, const IrqLine isa_irq[16]);
PCIDevice *piix3_pci_device(PIIX3State *s);

/* PIRQ index for pin 0..3 (INTA..INTD) of devfn: the board's swizzle. */
int piix3_map_irq(void *opaque, int devfn, int pin);

#endif
