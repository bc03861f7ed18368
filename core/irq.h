/*
 * An interrupt line: whoever raises it calls set(opaque, n, level); whoever
 * receives it (PIC, IOAPIC, the KVM irqchip, a test) provides set.
 */
#ifndef PCVM_IRQ_H
#define PCVM_IRQ_H

#include <stddef.h>

typedef struct IrqLine {
    void (*set)(void *opaque, int n, int level);
    void *opaque;
    int n;
} IrqLine;

static inline void irq_set(const IrqLine *irq, int level)
{
    if (irq && irq->set)
        irq->set(irq->opaque, irq->n, level);
}
static inline void irq_raise(const IrqLine *irq) { irq_set(irq, 1); }
static inline void irq_lower(const IrqLine *irq) { irq_set(irq, 0); }
static inline void irq_pulse(const IrqLine *irq)
{
    irq_set(irq, 1);
    irq_set(irq, 0);
}

static inline IrqLine irq_line(void (*set)(void *, int, int), void *opaque, int n)
{
    IrqLine l = { set, opaque, n };
    return l;
}

#endif
