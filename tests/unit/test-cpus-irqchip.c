/*
 * core/cpus.c: the per-vCPU interrupt controller registry the board fills
 * (local APIC under the software CPU) and the events it forwards to the
 * accelerator (interrupt changed, INIT, SIPI, the guest TSC).
 */
#include "core/clock.h"
#include "core/common.h"
#include "core/cpus.h"
#include "tests/unit/tap.h"

static int changed_cpu = -1, init_cpu = -1, sipi_cpu = -1, sipi_vec = -1;

static void hook_changed(int cpu) { changed_cpu = cpu; }
static void hook_init(int cpu) { init_cpu = cpu; }
static void hook_sipi(int cpu, uint8_t v) { sipi_cpu = cpu; sipi_vec = v; }
static uint64_t hook_tsc(int cpu) { return 1000 + cpu; }

static bool chip_has(void *opaque) { return *(int *)opaque != 0; }
static int chip_get(void *opaque) { return *(int *)opaque; }

static const CpuIrqChip chip = { .has_interrupt = chip_has, .get_interrupt = chip_get };

int main(void)
{
    void *opaque = NULL;
    int vec0 = 0x31, vec1 = 0;

    clock_set_test_mode(true);
    ok(cpus_irqchip(0, &opaque) == NULL, "no controller registered: the PIC-only default");
    is_int(cpus_read_tsc(0), 0, "no hook: the TSC is virtual ns");
    clock_step(5000);
    is_int(cpus_read_tsc(0), 5000, "no hook: the TSC follows the virtual clock");
    cpus_irqchip_changed(0);             /* no hooks: harmless */
    cpus_init_cpu(0);
    cpus_sipi(0, 0x10);

    cpus_set_irqchip(0, &chip, &vec0);
    cpus_set_irqchip(1, &chip, &vec1);
    cpus_set_irqchip(-1, &chip, &vec1);                  /* ignored */
    cpus_set_irqchip(CPUS_MAX_IRQCHIP, &chip, &vec1);    /* ignored */
    const CpuIrqChip *c = cpus_irqchip(0, &opaque);
    ok(c == &chip && opaque == &vec0, "cpu 0: its controller and opaque");
    ok(c && c->has_interrupt(opaque) && c->get_interrupt(opaque) == 0x31, "cpu 0: vector through the ops");
    c = cpus_irqchip(1, &opaque);
    ok(c == &chip && opaque == &vec1 && !c->has_interrupt(opaque), "cpu 1: its own controller");
    ok(cpus_irqchip(-1, &opaque) == NULL, "index -1: none");
    ok(cpus_irqchip(CPUS_MAX_IRQCHIP, &opaque) == NULL, "index past the end: none");
    ok(cpus_irqchip(2, &opaque) == NULL, "unregistered cpu 2: none");

    static const CpusHooks hooks = { .irqchip_changed = hook_changed, .init = hook_init,
                                     .sipi = hook_sipi, .read_tsc = hook_tsc };
    cpus_set_hooks(&hooks);
    cpus_irqchip_changed(1);
    is_int(changed_cpu, 1, "interrupt_changed reaches the accelerator with the cpu");
    cpus_init_cpu(0);
    is_int(init_cpu, 0, "INIT reaches the accelerator");
    cpus_sipi(1, 0x9a);
    ok(sipi_cpu == 1 && sipi_vec == 0x9a, "SIPI reaches the accelerator with its vector");
    is_int(cpus_read_tsc(2), 1002, "the accelerator's TSC");
    cpus_set_hooks(NULL);
    cpus_set_irqchip(0, NULL, NULL);
    ok(cpus_irqchip(0, &opaque) == NULL, "unregistered again");
    done_testing();
}
