/*
 * The local APIC (xAPIC, as on P6/Pentium 4 class CPUs), one per vCPU, and
 * the APIC bus that connects them to each other and to the I/O APIC.
 *
 * How the CPU side uses it (software CPU; under KVM the in-kernel irqchip
 * replaces all of this):
 *
 *   - At creation: apic_create(cpu_index, apic_id, &ops, cpu) for every vCPU,
 *     then apic_mmio_map() once: the page at 0xfee00000 is shared by address;
 *     its MMIO handler picks the APIC of cpus_current() (core/cpus.h), so the
 *     accelerator must call cpus_set_current(index) on the thread running a
 *     vCPU.  A CPU may also call apic_mmio_read/write with its own APIC.
 *   - MSRs: IA32_APIC_BASE (0x1b) -> apic_get_base/apic_set_base (a negative
 *     return means #GP); IA32_TSC_DEADLINE (0x6e0) -> apic_get/set_tsc_deadline.
 *   - Between instructions/blocks, with EFLAGS.IF set:
 *         if (apic_has_interrupt(apic)) { int v = apic_get_interrupt(apic);
 *                                          if (v >= 0) deliver vector v; }
 *     This covers the PIC too: apic_get_interrupt answers from the APIC's IRR
 *     first, then from the 8259 (cpus_intack) when the PIC's INTR is passed
 *     through LINT0 in ExtINT mode (virtual wire) or the APIC is disabled in
 *     IA32_APIC_BASE.  So with an APIC the CPU must NOT also look at
 *     cpus_intr_pending() itself; without one (no APIC configured) it does.
 *   - ops.interrupt_changed(opaque) is called (big lock held) whenever
 *     apic_has_interrupt() may have become true: kick that vCPU.  INTR changes
 *     of the PIC still arrive through CpusHooks.intr_changed as before.
 *   - ops.nmi/smi/init/sipi: the APIC received that message (IPI, LVT, LINT1).
 *     INIT: the CPU goes to its INIT state and (if not the BSP) waits for a
 *     SIPI; the APIC itself has already done its INIT reset.  SIPI: start in
 *     real mode at CS:IP = (vector << 8):0 if the CPU waits for a SIPI,
 *     otherwise ignore it.
 *
 * The board connects the I/O APIC with
 *     ioapic_create(IOAPIC_DEFAULT_BASE, apic_bus_deliver, NULL);
 *     apic_bus_set_eoi_hook(ioapic_eoi, ioapic);
 *
 * Timer: counts the 1 GHz APIC bus clock (1 tick per virtual ns) through the
 * divide configuration register; TSC-deadline mode converts TSC values to
 * virtual time with ops.read_tsc and apic_set_tsc_hz (default: TSC = virtual
 * ns, 1 GHz).
 */
#ifndef PCVM_HW_APIC_H
#define PCVM_HW_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/device.h"

#define APIC_DEFAULT_BASE   0xfee00000ULL
#define APIC_MAX_CPUS       255     /* xAPIC IDs 0..254; 255 is broadcast */

/* IA32_APIC_BASE MSR bits (SDM vol. 3 10.4.4) */
#define MSR_APICBASE_BSP     (1ULL << 8)
#define MSR_APICBASE_EXTD    (1ULL << 10)    /* x2APIC: not implemented */
#define MSR_APICBASE_ENABLE  (1ULL << 11)
#define MSR_APICBASE_BASE    0xfffff000ULL

/* LVT indexes */
#define APIC_LVT_TIMER   0
#define APIC_LVT_THERMAL 1
#define APIC_LVT_PERF    2
#define APIC_LVT_LINT0   3
#define APIC_LVT_LINT1   4
#define APIC_LVT_ERROR   5
#define APIC_LVT_NB      6

typedef struct APICCpuOps {
    /* apic_has_interrupt() may now be true: wake/kick the vCPU. */
    void (*interrupt_changed)(void *opaque);
    /* NMI / SMI message.  NULL nmi: cpus_raise_nmi() (fine for one CPU). */
    void (*nmi)(void *opaque);
    void (*smi)(void *opaque);
    /* INIT message (the APIC has reset itself already). */
    void (*init)(void *opaque);
    /* Start-up IPI with its vector. */
    void (*sipi)(void *opaque, uint8_t vector);
    /* The guest's TSC now (for TSC-deadline mode); NULL: virtual ns. */
    uint64_t (*read_tsc)(void *opaque);
} APICCpuOps;

typedef struct APICState {
    /* identity */
    int cpu_index;
    uint8_t id;                 /* APIC ID register bits 31:24 */
    uint64_t apicbase;          /* IA32_APIC_BASE */
    /* registers */
    uint8_t tpr;
    uint32_t spurious_vec;      /* SVR */
    uint8_t ldr;                /* logical destination, bits 31:24 */
    uint8_t dfr_model;          /* DFR bits 31:28: 0xf flat, 0x0 cluster */
    uint32_t esr, esr_pending;  /* ESR as read / errors since the last ESR write */
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t lvt[APIC_LVT_NB];
    uint32_t icr[2];            /* [0] = low (300h), [1] = high (310h) */
    uint32_t divide_conf;
    uint32_t initial_count;
    int64_t load_time;          /* virtual ns when initial_count was written */
    int64_t next_time;          /* virtual ns of the next timer interrupt; -1 none */
    uint64_t tsc_deadline;      /* IA32_TSC_DEADLINE, 0 = disarmed */
    bool extint_pending;        /* an ExtINT message (I/O APIC pin in ExtINT mode) */
    uint8_t lint_level;         /* bit n: LINTn input level */
    Timer timer;
    /* wiring (not saved) */
    uint8_t initial_id;         /* what reset puts back in the ID register */
    uint64_t tsc_hz;
    const APICCpuOps *ops;
    void *opaque;
} APICState;

extern const DeviceInfo apic_info;

/*
 * Create the local APIC of vCPU cpu_index (0 = BSP) with the given initial
 * APIC ID, put it on the APIC bus and register it for reset/save.  ops may
 * be NULL (tests); its members may be NULL.  Returns NULL (reported) if the
 * index or ID is taken or out of range.
 */
APICState *apic_create(int cpu_index, uint8_t apic_id, const APICCpuOps *ops, void *opaque);
/* Map the shared xAPIC page at APIC_DEFAULT_BASE (once, after the APICs). */
int apic_mmio_map(void);
/* The APIC of vCPU cpu_index, NULL if none. */
APICState *apic_by_cpu(int cpu_index);

/* Register access at offset 0..0xfff of the page, for the accessing CPU. */
uint32_t apic_mmio_read(APICState *s, uint32_t offset);
void apic_mmio_write(APICState *s, uint32_t offset, uint32_t val);

/* IA32_APIC_BASE.  apic_set_base returns 0 or -EINVAL (the CPU raises #GP). */
uint64_t apic_get_base(APICState *s);
int apic_set_base(APICState *s, uint64_t val);
bool apic_is_bsp(APICState *s);

/* IA32_TSC_DEADLINE (ignored unless the LVT timer is in TSC-deadline mode). */
uint64_t apic_get_tsc_deadline(APICState *s);
void apic_set_tsc_deadline(APICState *s, uint64_t deadline);
void apic_set_tsc_hz(APICState *s, uint64_t hz);

/* Interrupt acceptance by the CPU (see the top of this file). */
bool apic_has_interrupt(APICState *s);
int apic_get_interrupt(APICState *s);
/* True when the 8259's INTR reaches this CPU (virtual wire or APIC off). */
bool apic_accept_pic_intr(APICState *s);
/* TPR as CR8 (bits 7:4) for 64-bit mode MOV CR8. */
uint8_t apic_get_cr8(APICState *s);
void apic_set_cr8(APICState *s, uint8_t val);

/* LINT0/LINT1 input pins (board wiring, e.g. NMI on LINT1). */
void apic_set_lint(APICState *s, int pin, int level);

/* The APIC bus: what the I/O APIC (or an MSI) sends.  opaque is unused. */
void apic_bus_deliver(void *opaque, uint8_t dest, bool dest_logical, uint8_t vector,
                      uint8_t delivery_mode, bool level_trigger);
/*
 * An MSI write (address 0xfeeXXXXX, data) as a message on the bus: address
 * bits 19:12 destination, bit 2 logical; data bits 7:0 vector, 10:8
 * delivery mode, 15 level.  Addresses outside 0xfee00000-0xfeefffff are
 * dropped.
 */
void apic_msi_deliver(uint64_t addr, uint32_t data);
/* Who hears EOIs of level-triggered vectors (the I/O APIC). */
typedef void ApicEoiHookFn(void *opaque, uint8_t vector);
void apic_bus_set_eoi_hook(ApicEoiHookFn *fn, void *opaque);

#endif
