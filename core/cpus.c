/*
 * The wires between the board and the CPUs (INTR, intack, NMI, A20).
 * They are read by vCPU threads without the big lock, hence the atomics.
 */
#include "core/clock.h"
#include "core/common.h"
#include "core/cpus.h"

static int intr_level;
static int nmi_pending;
static bool a20_enabled = true;
static int (*intack_fn)(void *opaque);
static void *intack_opaque;
static const CpusHooks *hooks;

void cpus_set_hooks(const CpusHooks *h)
{
    hooks = h;
}

void cpus_set_intr(int level)
{
    int old = __atomic_exchange_n(&intr_level, !!level, __ATOMIC_SEQ_CST);
    if (old != !!level && hooks && hooks->intr_changed)
        hooks->intr_changed();
}

bool cpus_intr_pending(void)
{
    return __atomic_load_n(&intr_level, __ATOMIC_ACQUIRE);
}

void cpus_raise_nmi(void)
{
    __atomic_store_n(&nmi_pending, 1, __ATOMIC_SEQ_CST);
    if (hooks && hooks->nmi)
        hooks->nmi();
}

bool cpus_nmi_take(void)
{
    return __atomic_exchange_n(&nmi_pending, 0, __ATOMIC_SEQ_CST);
}

void cpus_set_intack(int (*intack)(void *opaque), void *opaque)
{
    intack_fn = intack;
    intack_opaque = opaque;
}

int cpus_intack(void)
{
    /* No PIC (KVM in-kernel irqchip): report a spurious vector, as a PIC would. */
    return intack_fn ? intack_fn(intack_opaque) : 0x0f;
}

void cpus_set_a20(bool enabled)
{
    bool old = __atomic_exchange_n(&a20_enabled, enabled, __ATOMIC_SEQ_CST);
    if (old != enabled && hooks && hooks->a20_changed)
        hooks->a20_changed(enabled);
}

bool cpus_a20_enabled(void)
{
    return __atomic_load_n(&a20_enabled, __ATOMIC_ACQUIRE);
}

static __thread int current_cpu_index = -1;

void cpus_set_current(int cpu_index)
{
    current_cpu_index = cpu_index;
}

int cpus_current(void)
{
    return current_cpu_index;
}

static struct {
    const CpuIrqChip *ops;
    void *opaque;
} irqchips[CPUS_MAX_IRQCHIP];

void cpus_set_irqchip(int cpu_index, const CpuIrqChip *ops, void *opaque)
{
    if (cpu_index < 0 || cpu_index >= CPUS_MAX_IRQCHIP)
        return;
    irqchips[cpu_index].opaque = opaque;
    irqchips[cpu_index].ops = ops;
}

const CpuIrqChip *cpus_irqchip(int cpu_index, void **opaque)
{
    if (cpu_index < 0 || cpu_index >= CPUS_MAX_IRQCHIP || !irqchips[cpu_index].ops)
        return NULL;
    *opaque = irqchips[cpu_index].opaque;
    return irqchips[cpu_index].ops;
}

void cpus_irqchip_changed(int cpu_index)
{
    if (hooks && hooks->irqchip_changed)
        hooks->irqchip_changed(cpu_index);
}

void cpus_init_cpu(int cpu_index)
{
    if (hooks && hooks->init)
        hooks->init(cpu_index);
}

void cpus_sipi(int cpu_index, uint8_t vector)
{
    if (hooks && hooks->sipi)
        hooks->sipi(cpu_index, vector);
}

uint64_t cpus_read_tsc(int cpu_index)
{
    if (hooks && hooks->read_tsc)
        return hooks->read_tsc(cpu_index);
    return (uint64_t)clock_ns(CLOCK_VIRTUAL);
}
