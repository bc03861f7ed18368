/*
 * The software CPU's execution loop: find a block, run it, and between
 * blocks take NMIs and maskable interrupts (honouring the STI / MOV SS
 * shadow), single-step traps, HLT, and requests from other threads.
 * Exceptions unwind here by longjmp and are delivered, with the double and
 * triple fault rules of SDM vol. 3, 6.15 (interrupt 8).
 */
#include "core/cpus.h"
#include "core/mainloop.h"
#include "target-i386/tcg.h"

/* Contributory exceptions (SDM vol. 3, table 6-4) */
static bool cpu_exec_contributory(int n)
{
    return n == EXCP00_DIVZ || (n >= EXCP0A_TSS && n <= EXCP0D_GPF);
}

/* Returns the vector to deliver, or -1 for a triple fault. */
static int cpu_exec_combine(int old, int new_excp)
{
    if (old < 0)
        return new_excp;
    if (old == EXCP08_DBLE)
        return -1;
    if ((cpu_exec_contributory(old) && cpu_exec_contributory(new_excp)) ||
        (old == EXCP0E_PAGE && (cpu_exec_contributory(new_excp) || new_excp == EXCP0E_PAGE)))
        return EXCP08_DBLE;
    return new_excp;
}

static void cpu_exec_triple_fault(X86CPU *cpu)
{
    if (trace_enabled(LOG_INT) || trace_enabled(LOG_RESET) || trace_enabled(LOG_CPU)) {
        log_printf("triple fault at %04x:%08llx\n", cpu->env.segs[R_CS].selector,
                   (unsigned long long)cpu->env.eip);
        x86_cpu_dump_state(&cpu->env, log_file());
    }
    machine_request_reset("triple fault");
    /* sit in shutdown state until the board resets us */
    cpu->env.halted = true;
    cpu->env.eflags &= ~(uint64_t)IF_MASK;
    cpu->env.nmi_blocked = true;
    cpu->old_exception = -1;
}

/* Deliver the exception raised by longjmp; may longjmp again. */
static void cpu_exec_deliver(X86CPU *cpu)
{
    PendingExcp e = tcg_pending_excp;
    int vec = e.intno;

    if (!e.is_sw) {
        vec = cpu_exec_combine(cpu->old_exception, e.intno);
        if (vec < 0) {
            cpu_exec_triple_fault(cpu);
            return;
        }
        if (vec == EXCP08_DBLE) {
            e.err = 0;
            e.has_err = true;
        }
        cpu->old_exception = vec;
    } else {
        cpu->old_exception = -1;
    }
    cpu->cur_eip = cpu->env.eip;
    x86_do_interrupt(cpu, vec, e.is_sw, e.err, e.has_err, e.next_eip);
    cpu->old_exception = -1;
}

/* Interrupt/NMI delivery point; true if the CPU should keep running. */
static bool cpu_exec_interrupts(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;

    if (unlikely(cpu->nmi_pending) && !env->nmi_blocked) {
        cpu->nmi_pending = false;
        env->nmi_blocked = true;
        env->halted = false;
        cpu->cur_eip = env->eip;
        cpu->old_exception = -1;
        x86_do_interrupt(cpu, EXCP02_NMI, 0, 0, false, 0);
        return true;
    }
    if ((env->eflags & IF_MASK) && atomic_load(&cpu->intr_line)) {
        int vec;
        void *ic_opaque;
        const CpuIrqChip *ic;

        bql_lock();
        ic = cpus_irqchip(env->cpu_index, &ic_opaque);
        if (ic) {
            /* the local APIC (which also answers for the PIC); intr_line
             * is only a hint there, re-armed by irqchip_changed */
            vec = ic->has_interrupt(ic_opaque) ? ic->get_interrupt(ic_opaque) : -1;
            atomic_store(&cpu->intr_line, ic->has_interrupt(ic_opaque));
        } else {
            vec = cpus_intr_pending() ? cpus_intack() : -1;
        }
        bql_unlock();
        if (vec >= 0) {
            env->halted = false;
            cpu->cur_eip = env->eip;
            cpu->old_exception = -1;
            x86_do_interrupt(cpu, vec & 0xff, 0, 0, false, 0);
            return true;
        }
        return ic ? !env->halted : true;
    }
    return !env->halted;
}

/*
 * Run until something needs the thread loop: an exit request, or HLT with
 * nothing to wake it.  Returns true if halted.
 */
bool cpu_exec(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;

    if (setjmp(cpu->jmp_env) != 0) {
        /* an exception unwound us: deliver it (may unwind again) */
        cpu_exec_deliver(cpu);
    }
    for (;;) {
        TB *tb;
        int max = TB_MAX_INSNS;
        bool tf;

        if (unlikely(atomic_load_explicit(&cpu->exit_request, memory_order_relaxed))) {
            atomic_store(&cpu->exit_request, 0);
            if (cpus_nmi_take())
                cpu->nmi_pending = true;
            mmu_process_requests(cpu);
            {
                uint32_t m = cpus_a20_enabled() ? 0xffffffffu : ~(1u << 20);
                if (m != cpu->a20_mask) {
                    cpu->a20_mask = m;
                    tlb_flush(cpu, true);
                }
            }
            if (cpu->nmi_pending || env->halted)
                return env->halted && !cpu->nmi_pending;
            return false;
        }
        tf = env->eflags & TF_MASK;
        if (unlikely(env->interrupt_shadow || tf || env->halted || cpu->nmi_pending)) {
            if (env->interrupt_shadow)
                max = 1;
            else if (!cpu_exec_interrupts(cpu))
                return true;        /* halted */
            tf = env->eflags & TF_MASK;
            if (tf)
                max = 1;
        } else if ((env->eflags & IF_MASK) && atomic_load(&cpu->intr_line)) {
            cpu_exec_interrupts(cpu);
            tf = env->eflags & TF_MASK;
        }
        if (unlikely(trace_enabled(LOG_CPU)))
            x86_cpu_dump_state(env, log_file());
        tb = tb_lookup(cpu);
        if (unlikely(trace_enabled(LOG_EXEC)))
            log_printf("Trace %08llx [%04x:%08llx] n=%d\n", (unsigned long long)tb->pc,
                       env->segs[R_CS].selector, (unsigned long long)env->eip, tb->n);
        interp_exec_tb(cpu, tb, max);
        if (max == 1)
            env->interrupt_shadow = false;
        if (unlikely(tf)) {
            /* single-step trap after the instruction (SDM vol. 3, 17.3.1.4) */
            env->dr[6] |= 0x4000;
            cpu->cur_eip = env->eip;
            cpu->old_exception = -1;
            x86_do_interrupt(cpu, EXCP01_DB, 0, 0, false, 0);
        }
    }
}
