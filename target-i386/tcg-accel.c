/*
 * The software CPU as an accelerator (core/accel.h): one thread runs the
 * vCPU (the design allows it to run several in turn later), sleeps in HLT
 * until an interrupt or a request arrives, and stops promptly when the main
 * loop pauses it for a reset, save or exit.
 */
#include <pthread.h>
#include <sched.h>

#include "core/accel.h"
#include "core/clock.h"
#include "core/cpus.h"
#include "core/mainloop.h"
#include "target-i386/interp.h"

X86CPU *tcg_cpu;

static pthread_t tcg_thread;
static bool tcg_thread_started;
static pthread_mutex_t tcg_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tcg_cond = PTHREAD_COND_INITIALIZER;
static bool tcg_pause_req, tcg_paused, tcg_quit, tcg_kicked;

static int tcg_probe(char *why, size_t len, bool *hw_backed)
{
    *hw_backed = false;
    return 0;
}

/* Wake the vCPU thread: out of a block, and out of HLT. */
static void tcg_kick(void)
{
    if (!tcg_cpu)
        return;
    atomic_store(&tcg_cpu->exit_request, 1);
    pthread_mutex_lock(&tcg_mutex);
    tcg_kicked = true;
    pthread_cond_broadcast(&tcg_cond);
    pthread_mutex_unlock(&tcg_mutex);
}

static bool tcg_has_irqchip(void)
{
    void *opaque;
    return tcg_cpu && cpus_irqchip(tcg_cpu->env.cpu_index, &opaque);
}

static void tcg_intr_changed(void)
{
    bool level = cpus_intr_pending();
    /* mirrored so the block-chaining check is one load; only a raised line
     * can end HLT or needs the CPU to look.  With a local APIC the line is
     * a hint the CPU clears itself (the APIC may have other interrupts). */
    if (tcg_cpu && (level || !tcg_has_irqchip()))
        atomic_store(&tcg_cpu->intr_line, level);
    if (level)
        tcg_kick();
}

/* The local APIC may have an interrupt for us (big lock held). */
static void tcg_irqchip_changed(int cpu_index)
{
    if (!tcg_cpu || cpu_index != tcg_cpu->env.cpu_index)
        return;
    atomic_store(&tcg_cpu->intr_line, 1);
    tcg_kick();
}

/* INIT (from the APIC, possibly in the middle of an instruction): done by
 * the vCPU thread between runs of cpu_exec. */
static atomic_int tcg_init_req;

static void tcg_init_cpu(int cpu_index)
{
    if (!tcg_cpu || cpu_index != tcg_cpu->env.cpu_index)
        return;
    atomic_store(&tcg_init_req, 1);
    tcg_kick();
}

/* SIPI only starts APs waiting for one; the single vCPU is the BSP. */
static void tcg_sipi(int cpu_index, uint8_t vector)
{
    trace(LOG_INT, "tcg: SIPI 0x%02x to cpu %d ignored (BSP)\n", vector, cpu_index);
}

static void tcg_nmi(void)
{
    tcg_kick();
}

static void tcg_a20_changed(bool enabled)
{
    tcg_kick();
}

/* For the TSC-deadline timer (called from the main loop: tsc_offset is one
 * aligned 64-bit load, the same value RDTSC uses). */
static uint64_t tcg_read_tsc(int cpu_index)
{
    return tcg_cpu ? interp_tsc(&tcg_cpu->env) : (uint64_t)clock_ns(CLOCK_VIRTUAL);
}

static const CpusHooks tcg_hooks = {
    .intr_changed = tcg_intr_changed,
    .nmi = tcg_nmi,
    .a20_changed = tcg_a20_changed,
    .irqchip_changed = tcg_irqchip_changed,
    .init = tcg_init_cpu,
    .sipi = tcg_sipi,
    .read_tsc = tcg_read_tsc,
};

static void tcg_cpu_reset_internal(X86CPU *cpu)
{
    x86_cpu_reset(&cpu->env);
    cpu->env.cpu_index = 0;
    cpu->old_exception = -1;
    cpu->nmi_pending = false;
    cpu->a20_mask = cpus_a20_enabled() ? 0xffffffffu : ~(1u << 20);
    cpu_update_mode(cpu);
    tlb_flush(cpu, true);
    tb_flush_all(cpu);
}

static int tcg_init(const AccelConfig *cfg)
{
    X86CPU *cpu;

    if (cfg->smp > 1)
        warn_report("tcg: only one vCPU is supported yet; running 1 of %d", cfg->smp);
    if (posix_memalign((void **)&cpu, 64, sizeof(*cpu)))
        return -ENOMEM;
    memset(cpu, 0, sizeof(*cpu));
    tb_init();
    mmu_init(cpu);
    tcg_cpu = cpu;
    tcg_cpu_reset_internal(cpu);
    mmu_listener_register();
    cpus_set_hooks(&tcg_hooks);
    atomic_store(&cpu->intr_line, cpus_intr_pending());
    return 0;
}

static bool tcg_false(void)
{
    return false;
}

static void tcg_set_gsi(int gsi, int level)
{
}

static void *tcg_thread_fn(void *arg)
{
    X86CPU *cpu = arg;

    cpus_set_current(cpu->env.cpu_index);

    for (;;) {
        bool halted;

        pthread_mutex_lock(&tcg_mutex);
        while (tcg_pause_req || tcg_quit) {
            if (tcg_quit) {
                tcg_paused = true;
                pthread_cond_broadcast(&tcg_cond);
                pthread_mutex_unlock(&tcg_mutex);
                return NULL;
            }
            if (!tcg_paused) {
                tcg_paused = true;
                pthread_cond_broadcast(&tcg_cond);
            }
            pthread_cond_wait(&tcg_cond, &tcg_mutex);
        }
        tcg_paused = false;
        tcg_kicked = false;
        pthread_mutex_unlock(&tcg_mutex);

        halted = cpu_exec(cpu);
        if (atomic_exchange(&tcg_init_req, 0)) {
            /* INIT on the BSP: the power-on register state, running from
             * the reset vector again (SDM vol. 3, 9.1.1; table 9-1) */
            bql_lock();
            tcg_cpu_reset_internal(cpu);
            bql_unlock();
            continue;
        }
        if (halted) {
            /* HLT: sleep until an interrupt, NMI or request kicks us */
            pthread_mutex_lock(&tcg_mutex);
            while (!tcg_kicked && !tcg_pause_req && !tcg_quit &&
                   !(atomic_load(&cpu->intr_line) && (cpu->env.eflags & IF_MASK)) &&
                   !atomic_load(&cpu->exit_request))
                pthread_cond_wait(&tcg_cond, &tcg_mutex);
            tcg_kicked = false;
            pthread_mutex_unlock(&tcg_mutex);
        }
    }
}

static int tcg_start(void)
{
    int r;
    pthread_mutex_lock(&tcg_mutex);
    tcg_pause_req = false;
    tcg_quit = false;
    pthread_mutex_unlock(&tcg_mutex);
    r = pthread_create(&tcg_thread, NULL, tcg_thread_fn, tcg_cpu);
    if (r)
        return -r;
    tcg_thread_started = true;
    return 0;
}

static void tcg_pause(void)
{
    if (!tcg_thread_started || pthread_equal(pthread_self(), tcg_thread))
        return;
    pthread_mutex_lock(&tcg_mutex);
    tcg_pause_req = true;
    atomic_store(&tcg_cpu->exit_request, 1);
    pthread_cond_broadcast(&tcg_cond);
    while (!tcg_paused) {
        /* the vCPU may be waiting for the big lock to finish an I/O access:
         * let it have the lock while we wait */
        bool locked = bql_locked();
        pthread_mutex_unlock(&tcg_mutex);
        if (locked)
            bql_unlock();
        sched_yield();
        if (locked)
            bql_lock();
        pthread_mutex_lock(&tcg_mutex);
    }
    pthread_mutex_unlock(&tcg_mutex);
}

static void tcg_resume(void)
{
    if (!tcg_thread_started)
        return;
    pthread_mutex_lock(&tcg_mutex);
    if (tcg_paused) {
        /* whoever paused us may have loaded new register state (save/load,
         * reset): recompute what the CPU derives from it */
        cpu_update_mode(tcg_cpu);
        tlb_flush(tcg_cpu, true);
        atomic_store(&tcg_cpu->exit_request, 1);
    }
    tcg_pause_req = false;
    pthread_cond_broadcast(&tcg_cond);
    pthread_mutex_unlock(&tcg_mutex);
}

static void tcg_reset(void)
{
    if (tcg_cpu)
        tcg_cpu_reset_internal(tcg_cpu);
}

static void tcg_destroy(void)
{
    if (tcg_thread_started) {
        bool locked = bql_locked();
        pthread_mutex_lock(&tcg_mutex);
        tcg_quit = true;
        pthread_cond_broadcast(&tcg_cond);
        pthread_mutex_unlock(&tcg_mutex);
        if (tcg_cpu)
            atomic_store(&tcg_cpu->exit_request, 1);
        if (locked)
            bql_unlock();
        pthread_join(tcg_thread, NULL);
        if (locked)
            bql_lock();
        tcg_thread_started = false;
    }
    if (trace_enabled(LOG_EXEC) && tcg_cpu)
        log_printf("tcg: %llu instructions executed\n", (unsigned long long)tcg_cpu->insns);
}

const AccelOps tcg_accel_ops = {
    .name = "tcg",
    .probe = tcg_probe,
    .init = tcg_init,
    .irqchip_in_kernel = tcg_false,
    .pit_in_kernel = tcg_false,
    .set_gsi = tcg_set_gsi,
    .start = tcg_start,
    .pause = tcg_pause,
    .resume = tcg_resume,
    .reset = tcg_reset,
    .destroy = tcg_destroy,
};
