/*
 * The wires between the board and the CPUs, whatever accelerator runs them:
 * the INTR pin (driven by the PIC), the interrupt acknowledge cycle (answered
 * by the PIC), NMI, INIT, and the A20 gate.
 */
#ifndef PCVM_CPUS_H
#define PCVM_CPUS_H

#include <stdbool.h>
#include <stdint.h>

/* Board side: the PIC's output drives cpu 0's INTR pin. */
void cpus_set_intr(int level);
bool cpus_intr_pending(void);
void cpus_raise_nmi(void);
/* Interrupt acknowledge: the board registers who answers (the PIC). */
void cpus_set_intack(int (*intack)(void *opaque), void *opaque);
/* CPU side: the vector to take; call only when cpus_intr_pending(). */
int cpus_intack(void);

/* A20 gate (port 0x92, keyboard controller).  Starts enabled, as on QEMU's pc machine. */
void cpus_set_a20(bool enabled);
bool cpus_a20_enabled(void);

/* Accelerators register a hook to hear of INTR/NMI/A20 changes (to kick a vCPU). */
typedef struct CpusHooks {
    void (*intr_changed)(void);
    void (*nmi)(void);
    void (*a20_changed)(bool enabled);
    /* Per-vCPU interrupt controller (CpuIrqChip below) events; may be NULL. */
    void (*irqchip_changed)(int cpu_index);     /* has_interrupt may be true: kick */
    void (*init)(int cpu_index);                /* INIT: go to the INIT state */
    void (*sipi)(int cpu_index, uint8_t vector);/* start-up IPI */
    uint64_t (*read_tsc)(int cpu_index);        /* the guest's TSC (1 GHz) */
} CpusHooks;
void cpus_set_hooks(const CpusHooks *hooks);
bool cpus_nmi_take(void);

/*
 * Which vCPU is running on this thread right now (its index, 0 = BSP), so a
 * device shared by address but private per CPU (the local APIC page) knows
 * who is accessing it.  Accelerators set it on their vCPU threads (the
 * software CPU on each switch between vCPUs); -1 elsewhere.
 */
void cpus_set_current(int cpu_index);
int cpus_current(void);

/*
 * A per-vCPU interrupt controller in userspace (the local APIC under the
 * software CPU).  The board registers one per vCPU with cpus_set_irqchip;
 * the CPU then takes every maskable interrupt through it (it covers the
 * 8259 itself, through LINT0 in ExtINT mode) instead of cpus_intr_pending()
 * and cpus_intack(), and routes IA32_APIC_BASE, IA32_TSC_DEADLINE and CR8
 * to it.  Without one (the default) the CPU sees only the PIC.  All members
 * are called with the big lock held.
 */
typedef struct CpuIrqChip {
    bool (*has_interrupt)(void *opaque);
    int (*get_interrupt)(void *opaque);          /* vector, or -1 (went away) */
    uint64_t (*get_apic_base)(void *opaque);
    int (*set_apic_base)(void *opaque, uint64_t val);   /* negative: #GP */
    uint64_t (*get_tsc_deadline)(void *opaque);
    void (*set_tsc_deadline)(void *opaque, uint64_t val);
    uint8_t (*get_cr8)(void *opaque);            /* TPR bits 7:4 */
    void (*set_cr8)(void *opaque, uint8_t val);
} CpuIrqChip;
#define CPUS_MAX_IRQCHIP 255
void cpus_set_irqchip(int cpu_index, const CpuIrqChip *ops, void *opaque);
/* The registered controller of cpu_index (NULL if none; *opaque set). */
const CpuIrqChip *cpus_irqchip(int cpu_index, void **opaque);
/* Controller side: the events of CpusHooks, forwarded to the accelerator. */
void cpus_irqchip_changed(int cpu_index);
void cpus_init_cpu(int cpu_index);
void cpus_sipi(int cpu_index, uint8_t vector);
/* The TSC of cpu_index as the guest reads it (TSC-deadline timer); without
 * an accelerator hook, virtual nanoseconds. */
uint64_t cpus_read_tsc(int cpu_index);

#endif
