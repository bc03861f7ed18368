/*
 * The wires between the board and the CPUs, whatever accelerator runs them:
 * the INTR pin (driven by the PIC), the interrupt acknowledge cycle (answered
 * by the PIC), NMI, INIT, and the A20 gate.
 */
#ifndef PCVM_CPUS_H
#define PCVM_CPUS_H

#include <stdbool.h>

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

#endif
