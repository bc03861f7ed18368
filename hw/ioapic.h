/*
 * Intel 82093AA I/O APIC: 24 interrupt inputs (GSIs), each with a
 * redirection table entry that turns it into a message to the local APICs.
 */
#ifndef PCVM_HW_IOAPIC_H
#define PCVM_HW_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/device.h"
#include "core/irq.h"

#define IOAPIC_DEFAULT_BASE 0xfec00000ULL
#define IOAPIC_NUM_PINS     24

/* Delivery modes, as in the redirection table and the local APIC's ICR. */
#define IOAPIC_DM_FIXED     0
#define IOAPIC_DM_LOWEST    1
#define IOAPIC_DM_SMI       2
#define IOAPIC_DM_NMI       4
#define IOAPIC_DM_INIT      5
#define IOAPIC_DM_EXTINT    7

/*
 * How an interrupt message leaves the I/O APIC: the board points this at the
 * local APIC bus (apic_bus_deliver in hw/apic.h), or at KVM's MSI injection.
 * dest is the 8-bit destination field, dest_logical the destination mode.
 */
typedef void IOAPICDeliverFn(void *opaque, uint8_t dest, bool dest_logical, uint8_t vector,
                             uint8_t delivery_mode, bool level_trigger);

typedef struct IOAPICState {
    uint8_t id;                 /* IOAPICID bits 27:24 */
    uint8_t ioregsel;           /* IOREGSEL: register IOWIN reaches */
    uint32_t irr;               /* pins with an interrupt waiting to be sent */
    uint32_t lines;             /* current input levels (1 = asserted) */
    uint64_t redtbl[IOAPIC_NUM_PINS];
    IOAPICDeliverFn *deliver;
    void *deliver_opaque;
} IOAPICState;

extern const DeviceInfo ioapic_info;

/*
 * Create the I/O APIC and map its 4 KiB MMIO window at base (normally
 * IOAPIC_DEFAULT_BASE).  NULL (reported) if the range is taken.
 */
IOAPICState *ioapic_create(uint64_t base, IOAPICDeliverFn *deliver, void *opaque);
/* Same without the MMIO mapping (unit tests drive ioapic_mmio_ops directly). */
void ioapic_init(IOAPICState *s, IOAPICDeliverFn *deliver, void *opaque);
void ioapic_set_deliver(IOAPICState *s, IOAPICDeliverFn *deliver, void *opaque);

/*
 * Input pin gsi (0..23); level 1 = asserted.  Inputs are active high here
 * whatever the polarity bit says: the board already presents PCI's active-low
 * INTx lines as asserted = 1 (the polarity bit is stored for the guest only).
 */
void ioapic_set_irq(void *opaque, int gsi, int level);
IrqLine ioapic_irq(IOAPICState *s, int gsi);

/*
 * A local APIC broadcast an EOI for vector (it was in service as a
 * level-triggered interrupt): clear remote IRR of the pins using that vector
 * and resend those whose line is still asserted.
 */
void ioapic_eoi(void *opaque, uint8_t vector);   /* opaque: IOAPICState * */

extern const struct MemOps ioapic_mmio_ops;

#endif
