/*
 * KVM vCPU state: CPUX86State <-> KVM_{GET,SET}_{REGS,SREGS,FPU,MSRS}, the
 * power-on state pushed at reset, and the CPUID table each vCPU gets.
 * From the KVM API documentation (api.rst) and the Intel SDM.
 */
#include <string.h>

#include "core/common.h"
#include "kvm/kvm-int.h"
#include "target-i386/cpu.h"

/* CPUID bits pcvm adjusts (SDM vol. 2A, CPUID; AMD APM vol. 3, E.3) */
#define CPUID_1_EDX_APIC        (1u << 9)
#define CPUID_1_EDX_MTRR        (1u << 12)
#define CPUID_1_EDX_HTT         (1u << 28)
#define CPUID_1_ECX_X2APIC      (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_8000_0001_ECX_CMP_LEGACY (1u << 1)
#define CPUID_8000_0001_ECX_TOPOEXT    (1u << 22)

/* MTRR MSRs (SDM vol. 3A, 11.11.1) */
#define MSR_MTRRphysBase(n)     (0x200 + 2 * (n))
#define MSR_MTRRphysMask(n)     (0x201 + 2 * (n))
#define MSR_MTRRfix64K_00000    0x250
#define MSR_MTRRfix16K_80000    0x258
#define MSR_MTRRfix16K_A0000    0x259
#define MSR_MTRRfix4K_C0000     0x268   /* ... 0x26f */

/* KVM paravirtual MSRs (Documentation/virt/kvm/x86/msr.rst): cleared at reset
 * so the host stops writing kvmclock/steal-time pages into a rebooted guest. */
#define MSR_KVM_WALL_CLOCK      0x11
#define MSR_KVM_SYSTEM_TIME     0x12
#define MSR_KVM_WALL_CLOCK_NEW  0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define MSR_KVM_ASYNC_PF_EN     0x4b564d02
#define MSR_KVM_STEAL_TIME      0x4b564d03
#define MSR_KVM_PV_EOI_EN       0x4b564d04

/* XSAVE image layout (SDM vol. 1, 10.5.1 and 13.4): legacy FXSAVE area, header */
#define FXSAVE_MXCSR            24
#define XSAVE_XSTATE_BV         512
#define XSTATE_X87              (1ULL << 0)
#define XSTATE_SSE              (1ULL << 1)

KVMCpuFeatures kvm_cpu_features;

/* ------------------------------------------------------------------ */
/* register sync: CPUX86State <-> KVM */

static void kvm_seg_to_kvm(struct kvm_segment *k, const SegmentCache *s)
{
    uint32_t f = s->flags;

    memset(k, 0, sizeof(*k));
    k->base = s->base;
    k->limit = s->limit;
    k->selector = s->selector;
    k->type = (f & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT;
    k->s = !!(f & DESC_S_MASK);
    k->dpl = (f & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
    k->present = !!(f & DESC_P_MASK);
    k->avl = !!(f & DESC_AVL_MASK);
    k->l = !!(f & DESC_L_MASK);
    k->db = !!(f & DESC_B_MASK);
    k->g = !!(f & DESC_G_MASK);
    k->unusable = !k->present;
}

static void kvm_seg_from_kvm(SegmentCache *s, const struct kvm_segment *k)
{
    s->base = k->base;
    s->limit = k->limit;
    s->selector = k->selector;
    s->flags = (k->type << DESC_TYPE_SHIFT) | (k->s ? DESC_S_MASK : 0) |
               (k->dpl << DESC_DPL_SHIFT) | (k->present && !k->unusable ? DESC_P_MASK : 0) |
               (k->avl ? DESC_AVL_MASK : 0) | (k->l ? DESC_L_MASK : 0) |
               (k->db ? DESC_B_MASK : 0) | (k->g ? DESC_G_MASK : 0);
}

static int kvm_vcpu_put_regs(KVMVcpu *v)
{
    CPUX86State *env = &v->env;
    struct kvm_regs regs = {
        .rax = env->regs[R_EAX], .rbx = env->regs[R_EBX],
        .rcx = env->regs[R_ECX], .rdx = env->regs[R_EDX],
        .rsi = env->regs[R_ESI], .rdi = env->regs[R_EDI],
        .rsp = env->regs[R_ESP], .rbp = env->regs[R_EBP],
        .r8 = env->regs[8], .r9 = env->regs[9], .r10 = env->regs[10], .r11 = env->regs[11],
        .r12 = env->regs[12], .r13 = env->regs[13], .r14 = env->regs[14], .r15 = env->regs[15],
        .rip = env->eip, .rflags = env->eflags,
    };
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    int ret;

    ret = kvm_ioctl(v->fd, KVM_SET_REGS, &regs);
    if (ret < 0)
        return ret;

    /* interrupt_bitmap stays zero: nothing is pending after a put (reset). */
    memset(&sregs, 0, sizeof(sregs));
    kvm_seg_to_kvm(&sregs.cs, &env->segs[R_CS]);
    kvm_seg_to_kvm(&sregs.ds, &env->segs[R_DS]);
    kvm_seg_to_kvm(&sregs.es, &env->segs[R_ES]);
    kvm_seg_to_kvm(&sregs.fs, &env->segs[R_FS]);
    kvm_seg_to_kvm(&sregs.gs, &env->segs[R_GS]);
    kvm_seg_to_kvm(&sregs.ss, &env->segs[R_SS]);
    kvm_seg_to_kvm(&sregs.tr, &env->tr);
    kvm_seg_to_kvm(&sregs.ldt, &env->ldt);
    sregs.gdt.base = env->gdt.base;
    sregs.gdt.limit = env->gdt.limit;
    sregs.idt.base = env->idt.base;
    sregs.idt.limit = env->idt.limit;
    sregs.cr0 = env->cr[0];
    sregs.cr2 = env->cr[2];
    sregs.cr3 = env->cr[3];
    sregs.cr4 = env->cr[4];
    sregs.cr8 = env->cr8;
    sregs.efer = env->efer;
    sregs.apic_base = env->apic_base;
    ret = kvm_ioctl(v->fd, KVM_SET_SREGS, &sregs);
    if (ret < 0)
        return ret;

    /* FXSAVE layout: fpr[i] is ST(i); the abridged tag has one bit per
     * physical register, 1 = valid. */
    memset(&fpu, 0, sizeof(fpu));
    fpu.fcw = env->fpuc;
    fpu.fsw = (env->fpus & ~0x3800) | (env->fpstt & 7) << 11;
    for (int i = 0; i < 8; i++) {
        fpu.ftwx |= (!env->fptags[i]) << i;
        memcpy(fpu.fpr[i], &env->fpregs[(env->fpstt + i) & 7].d, 10);
    }
    fpu.last_opcode = env->fpop;
    fpu.last_ip = env->fpip;
    fpu.last_dp = env->fpdp;
    memcpy(fpu.xmm, env->xmm_regs, sizeof(fpu.xmm));
    fpu.mxcsr = env->mxcsr;
    ret = kvm_ioctl(v->fd, KVM_SET_FPU, &fpu);
    if (ret < 0 || !kvm_cpu_features.has_xsave)
        return ret;

    /*
     * KVM_SET_FPU does not load MXCSR (api.rst documents the field, the
     * kernel ignores it), and it leaves AVX and later state alone: patch
     * both through the XSAVE image, whose first 512 bytes are FXSAVE's.
     */
    struct kvm_xsave xs;
    uint64_t bv;
    ret = kvm_ioctl(v->fd, KVM_GET_XSAVE, &xs);
    if (ret < 0)
        return ret;
    memcpy((uint8_t *)xs.region + FXSAVE_MXCSR, &env->mxcsr, 4);
    bv = XSTATE_X87 | XSTATE_SSE;      /* everything else: init state */
    memcpy((uint8_t *)xs.region + XSAVE_XSTATE_BV, &bv, 8);
    return kvm_ioctl(v->fd, KVM_SET_XSAVE, &xs);
}

static int kvm_vcpu_get_regs(KVMVcpu *v)
{
    CPUX86State *env = &v->env;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    int ret;

    ret = kvm_ioctl(v->fd, KVM_GET_REGS, &regs);
    if (ret < 0)
        return ret;
    env->regs[R_EAX] = regs.rax;
    env->regs[R_EBX] = regs.rbx;
    env->regs[R_ECX] = regs.rcx;
    env->regs[R_EDX] = regs.rdx;
    env->regs[R_ESI] = regs.rsi;
    env->regs[R_EDI] = regs.rdi;
    env->regs[R_ESP] = regs.rsp;
    env->regs[R_EBP] = regs.rbp;
    env->regs[8] = regs.r8;
    env->regs[9] = regs.r9;
    env->regs[10] = regs.r10;
    env->regs[11] = regs.r11;
    env->regs[12] = regs.r12;
    env->regs[13] = regs.r13;
    env->regs[14] = regs.r14;
    env->regs[15] = regs.r15;
    env->eip = regs.rip;
    env->eflags = regs.rflags;

    ret = kvm_ioctl(v->fd, KVM_GET_SREGS, &sregs);
    if (ret < 0)
        return ret;
    kvm_seg_from_kvm(&env->segs[R_CS], &sregs.cs);
    kvm_seg_from_kvm(&env->segs[R_DS], &sregs.ds);
    kvm_seg_from_kvm(&env->segs[R_ES], &sregs.es);
    kvm_seg_from_kvm(&env->segs[R_FS], &sregs.fs);
    kvm_seg_from_kvm(&env->segs[R_GS], &sregs.gs);
    kvm_seg_from_kvm(&env->segs[R_SS], &sregs.ss);
    kvm_seg_from_kvm(&env->tr, &sregs.tr);
    kvm_seg_from_kvm(&env->ldt, &sregs.ldt);
    env->gdt.base = sregs.gdt.base;
    env->gdt.limit = sregs.gdt.limit;
    env->idt.base = sregs.idt.base;
    env->idt.limit = sregs.idt.limit;
    env->cr[0] = sregs.cr0;
    env->cr[2] = sregs.cr2;
    env->cr[3] = sregs.cr3;
    env->cr[4] = sregs.cr4;
    env->cr8 = sregs.cr8;
    env->efer = sregs.efer;
    env->apic_base = sregs.apic_base;

    ret = kvm_ioctl(v->fd, KVM_GET_FPU, &fpu);
    if (ret < 0)
        return ret;
    env->fpuc = fpu.fcw;
    env->fpstt = (fpu.fsw >> 11) & 7;
    env->fpus = fpu.fsw & ~0x3800;
    for (int i = 0; i < 8; i++) {
        env->fptags[i] = !((fpu.ftwx >> i) & 1);
        memset(&env->fpregs[(env->fpstt + i) & 7], 0, sizeof(FPReg));
        memcpy(&env->fpregs[(env->fpstt + i) & 7].d, fpu.fpr[i], 10);
    }
    env->fpop = fpu.last_opcode;
    env->fpip = fpu.last_ip;
    env->fpdp = fpu.last_dp;
    memcpy(env->xmm_regs, fpu.xmm, sizeof(fpu.xmm));
    env->mxcsr = fpu.mxcsr;
    if (kvm_cpu_features.has_xsave) {
        /* KVM_GET_FPU leaves mxcsr zero: read it from the XSAVE image. */
        struct kvm_xsave xs;
        ret = kvm_ioctl(v->fd, KVM_GET_XSAVE, &xs);
        if (ret < 0)
            return ret;
        memcpy(&env->mxcsr, (uint8_t *)xs.region + FXSAVE_MXCSR, 4);
    }
    return 0;
}

/*
 * MSRs are synced only when someone needs them (reset, a full state read):
 * each costs a trip through the kernel's MSR emulation.  Returns a pointer
 * into env for index, or NULL for MSRs that live outside CPUX86State.
 */
static uint64_t *kvm_msr_field(CPUX86State *env, uint32_t index)
{
    switch (index) {
    case MSR_IA32_SYSENTER_CS: return &env->sysenter_cs;
    case MSR_IA32_SYSENTER_ESP: return &env->sysenter_esp;
    case MSR_IA32_SYSENTER_EIP: return &env->sysenter_eip;
    case MSR_STAR: return &env->star;
    case MSR_LSTAR: return &env->lstar;
    case MSR_CSTAR: return &env->cstar;
    case MSR_FMASK: return &env->fmask;
    case MSR_KERNELGSBASE: return &env->kernelgsbase;
    case MSR_TSC_AUX: return &env->tsc_aux;
    case MSR_IA32_PAT: return &env->pat;
    case MSR_IA32_MISC_ENABLE: return &env->misc_enable;
    case MSR_MTRRdefType: return &env->mtrr_deftype;
    case MSR_MTRRfix64K_00000: return &env->mtrr_fixed[0];
    case MSR_MTRRfix16K_80000: return &env->mtrr_fixed[1];
    case MSR_MTRRfix16K_A0000: return &env->mtrr_fixed[2];
    }
    if (index >= MSR_MTRRfix4K_C0000 && index < MSR_MTRRfix4K_C0000 + 8)
        return &env->mtrr_fixed[3 + index - MSR_MTRRfix4K_C0000];
    if (index >= MSR_MTRRphysBase(0) && index <= MSR_MTRRphysMask(CPU_NB_MTRR_VAR - 1)) {
        int n = (index - MSR_MTRRphysBase(0)) / 2;
        return (index & 1) ? &env->mtrr_var_mask[n] : &env->mtrr_var_base[n];
    }
    return NULL;
}

/* The MSRs pcvm syncs; returns how many indexes were written to list. */
static int kvm_msr_list(uint32_t *list, bool for_reset)
{
    static const uint32_t base[] = {
        MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
        MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_FMASK, MSR_KERNELGSBASE, MSR_TSC_AUX,
        MSR_IA32_PAT, MSR_IA32_MISC_ENABLE,
    };
    static const uint32_t pv[] = {
        MSR_IA32_TSC, MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK_NEW,
        MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_ASYNC_PF_EN, MSR_KVM_STEAL_TIME, MSR_KVM_PV_EOI_EN,
    };
    int n = 0;

    for (size_t i = 0; i < ARRAY_SIZE(base); i++)
        list[n++] = base[i];
    if (kvm_cpu_features.has_mtrr) {
        list[n++] = MSR_MTRRdefType;
        list[n++] = MSR_MTRRfix64K_00000;
        list[n++] = MSR_MTRRfix16K_80000;
        list[n++] = MSR_MTRRfix16K_A0000;
        for (int i = 0; i < 8; i++)
            list[n++] = MSR_MTRRfix4K_C0000 + i;
        for (int i = 0; i < CPU_NB_MTRR_VAR; i++) {
            list[n++] = MSR_MTRRphysBase(i);
            list[n++] = MSR_MTRRphysMask(i);
        }
    }
    if (for_reset)
        for (size_t i = 0; i < ARRAY_SIZE(pv); i++)
            list[n++] = pv[i];
    return n;
}

#define KVM_MAX_SYNC_MSRS 64

/*
 * KVM_SET_MSRS / KVM_GET_MSRS stop at the first MSR the kernel refuses and
 * return how many were done; skip the refused one (e.g. TSC_AUX without
 * RDTSCP) and go on.
 */
static int kvm_vcpu_msrs(KVMVcpu *v, bool set, bool for_reset)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[KVM_MAX_SYNC_MSRS];
    } buf;
    uint32_t list[KVM_MAX_SYNC_MSRS];
    int n = kvm_msr_list(list, for_reset);
    int done = 0;

    memset(&buf, 0, sizeof(buf));
    for (int i = 0; i < n; i++) {
        uint64_t *field = kvm_msr_field(&v->env, list[i]);
        buf.e[i].index = list[i];
        buf.e[i].data = (set && field) ? *field : 0;
    }
    while (done < n) {
        struct {
            struct kvm_msrs hdr;
            struct kvm_msr_entry e[KVM_MAX_SYNC_MSRS];
        } part;
        int ret;

        memset(&part.hdr, 0, sizeof(part.hdr));
        part.hdr.nmsrs = n - done;
        memcpy(part.e, &buf.e[done], (n - done) * sizeof(part.e[0]));
        ret = kvm_ioctl(v->fd, set ? KVM_SET_MSRS : KVM_GET_MSRS, &part);
        if (ret < 0)
            return ret;
        if (!set)
            for (int i = 0; i < ret; i++) {
                uint64_t *field = kvm_msr_field(&v->env, part.e[i].index);
                if (field)
                    *field = part.e[i].data;
            }
        done += ret;
        if (done < n) {
            trace(LOG_KVM, "kvm: cpu%d: MSR 0x%x refused by %s\n", v->index,
                  buf.e[done].index, set ? "KVM_SET_MSRS" : "KVM_GET_MSRS");
            done++;
        }
    }
    return 0;
}

/* Read the whole register file (the VM is paused or this is the vCPU's thread). */
int kvm_vcpu_get_state(KVMVcpu *v, bool with_msrs)
{
    int ret = kvm_vcpu_get_regs(v);

    if (!ret && with_msrs)
        ret = kvm_vcpu_msrs(v, false, false);
    return ret;
}

/* Push the power-on state reset() left in env, plus what is not in env. */
int kvm_vcpu_put_reset(KVMVcpu *v)
{
    struct kvm_mp_state mp;
    struct kvm_vcpu_events events;
    int ret;

    ret = kvm_vcpu_put_regs(v);
    if (ret < 0)
        return ret;
    if (kvm_cpu_features.has_xcrs) {
        struct kvm_xcrs xcrs;
        memset(&xcrs, 0, sizeof(xcrs));
        xcrs.nr_xcrs = 1;
        xcrs.xcrs[0].xcr = 0;
        xcrs.xcrs[0].value = 1;        /* XCR0: x87 only (SDM vol. 1, 13.3) */
        ret = kvm_ioctl(v->fd, KVM_SET_XCRS, &xcrs);
        if (ret < 0)
            return ret;
    }
    ret = kvm_vcpu_msrs(v, true, true);
    if (ret < 0)
        return ret;
    if (kvm_cpu_features.irqchip) {
        ret = kvm_ioctl(v->fd, KVM_SET_LAPIC, &v->lapic_reset);
        if (ret < 0)
            return ret;
        /* APs wait for INIT/SIPI in the kernel. */
        mp.mp_state = v->index == 0 ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED;
        ret = kvm_ioctl(v->fd, KVM_SET_MP_STATE, &mp);
        if (ret < 0)
            return ret;
    }
    /* Drop any exception, interrupt or NMI the old run left queued. */
    memset(&events, 0, sizeof(events));
    events.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
    return kvm_ioctl(v->fd, KVM_SET_VCPU_EVENTS, &events);
}

/* ------------------------------------------------------------------ */
/* CPUID */

/*
 * What the guest sees: the host's KVM-supported CPUID, with the topology
 * rewritten so every vCPU is a single-threaded single-core package whose
 * APIC ID is its index (matching the MP/ACPI tables), and no APIC when
 * there is no in-kernel LAPIC.
 */
int kvm_vcpu_set_cpuid(KVMVcpu *v)
{
    size_t sz = sizeof(*kvm_cpu_features.cpuid) + kvm_cpu_features.cpuid->nent * sizeof(kvm_cpu_features.cpuid->entries[0]);
    struct kvm_cpuid2 *c = xmalloc(sz);
    uint32_t apic_id = v->index;
    int ret;

    memcpy(c, kvm_cpu_features.cpuid, sz);
    for (uint32_t i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];

        switch (e->function) {
        case 1:
            e->ebx = (e->ebx & 0xffff) | (apic_id << 24);
            e->edx &= ~CPUID_1_EDX_HTT;
            if (!kvm_cpu_features.irqchip) {
                e->edx &= ~CPUID_1_EDX_APIC;
                e->ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
            }
            break;
        case 4:
            e->eax &= 0x3fff;     /* one core, no thread sharing a cache */
            break;
        case 0xb:
        case 0x1f:
            e->eax = 0;
            e->ebx = (e->ecx >> 8) & 0xff ? 1 : 0;
            e->edx = apic_id;
            break;
        case 0x80000001:
            e->ecx &= ~(CPUID_8000_0001_ECX_CMP_LEGACY | CPUID_8000_0001_ECX_TOPOEXT);
            break;
        case 0x80000008:
            e->ecx &= ~0xf0ffu;   /* NC = 0 (one core), ApicIdSize = 0 */
            break;
        case 0x8000001e:
            e->eax = apic_id;
            e->ebx = 0;
            e->ecx = 0;
            break;
        }
    }
    ret = kvm_ioctl(v->fd, KVM_SET_CPUID2, c);
    free(c);
    return ret;
}

static void kvm_scan_cpuid(void)
{
    kvm_cpu_features.signature = 0x600;
    for (uint32_t i = 0; i < kvm_cpu_features.cpuid->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &kvm_cpu_features.cpuid->entries[i];
        if (e->function == 1) {
            kvm_cpu_features.signature = e->eax;
            kvm_cpu_features.has_mtrr = e->edx & CPUID_1_EDX_MTRR;
        }
    }
}

int kvm_cpu_features_init(int sys_fd)
{
    for (int nent = 64; nent <= 4096; nent *= 2) {
        struct kvm_cpuid2 *c = xzalloc(sizeof(*c) + nent * sizeof(c->entries[0]));
        int ret;

        c->nent = nent;
        ret = kvm_ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c);
        if (ret == 0) {
            free(kvm_cpu_features.cpuid);
            kvm_cpu_features.cpuid = c;
            kvm_scan_cpuid();
            return 0;
        }
        free(c);
        if (ret != -E2BIG) {
            error_report("kvm: KVM_GET_SUPPORTED_CPUID failed: %s", strerror(-ret));
            return ret;
        }
    }
    error_report("kvm: KVM_GET_SUPPORTED_CPUID: too many entries");
    return -E2BIG;
}
