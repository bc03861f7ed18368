/*
 * x86_cpu_reset (SDM vol. 3, 9.1.1, table 9-1) and x86_cpu_dump_state: the
 * state both accelerators start a vCPU in, and the dump users read.
 */
#include <string.h>

#include "core/common.h"
#include "target-i386/cpu.h"
#include "tests/unit/tap.h"

static void test_reset_bsp(void)
{
    CPUX86State env;

    memset(&env, 0xa5, sizeof(env));
    env.cpu_index = 0;
    x86_cpu_reset(&env);

    /* First fetch at FFFFFFF0: CS base FFFF0000 + IP FFF0. */
    is_int(env.segs[R_CS].selector, 0xf000, "CS selector F000");
    is_int(env.segs[R_CS].base, 0xffff0000, "CS base FFFF0000");
    is_int(env.eip, 0xfff0, "IP FFF0");
    is_int(env.segs[R_CS].base + env.eip, 0xfffffff0, "reset vector FFFFFFF0");
    is_int(env.eflags, 0x2, "EFLAGS 2");
    is_int(env.cr[0], 0x60000010, "CR0 60000010 (CD NW ET)");
    is_int(env.cr[2] | env.cr[3] | env.cr[4], 0, "CR2-4 zero");
    is_int(env.efer, 0, "EFER zero");
    is_int((env.regs[R_EDX] >> 8) & 0xf, 6, "EDX holds a family 6 signature");
    is_int(env.regs[R_EAX] | env.regs[R_EBX] | env.regs[R_ECX] | env.regs[R_ESP], 0,
           "EAX EBX ECX ESP zero");

    for (int i = 0; i < 6; i++) {
        const SegmentCache *s = &env.segs[i];
        ok(s->limit == 0xffff && (s->flags & DESC_P_MASK) && (s->flags & DESC_S_MASK),
           "segment %d: limit FFFF, present, code/data", i);
        if (i != R_CS)
            ok(s->selector == 0 && s->base == 0 && (s->flags & DESC_W_MASK) &&
               !(s->flags & DESC_CS_MASK), "segment %d: 0/0, writable data", i);
    }
    ok((env.segs[R_CS].flags & DESC_CS_MASK) && (env.segs[R_CS].flags & DESC_R_MASK) &&
       !(env.segs[R_CS].flags & DESC_B_MASK), "CS: readable 16-bit code");
    is_int(env.gdt.base, 0, "GDTR base 0");
    is_int(env.gdt.limit, 0xffff, "GDTR limit FFFF");
    is_int(env.idt.base, 0, "IDTR base 0");
    is_int(env.idt.limit, 0xffff, "IDTR limit FFFF");
    is_int((env.ldt.flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT, 2, "LDTR: LDT type");
    is_int((env.tr.flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT, 11, "TR: busy 32-bit TSS");
    ok((env.ldt.flags & DESC_P_MASK) && (env.tr.flags & DESC_P_MASK), "LDTR and TR present");

    is_int(env.dr[6], 0xffff0ff0, "DR6 FFFF0FF0");
    is_int(env.dr[7], 0x400, "DR7 400");
    is_int(env.fpuc, 0x37f, "FPU control word 37F");
    is_int(env.fpus, 0, "FPU status 0");
    ok(memchr(env.fptags, 0, 8) == NULL, "FPU registers all empty");
    is_int(env.mxcsr, 0x1f80, "MXCSR 1F80");
    is_int(env.pat, 0x0007040600070406ULL, "PAT 0007040600070406");
    is_int(env.apic_base, 0xfee00900, "APIC base FEE00000, enabled, BSP");
    ok(!env.halted && !env.interrupt_shadow && !env.nmi_blocked, "not halted, nothing blocked");
    is_int(x86_cpl(&env), 0, "CPL 0");
}

static void test_reset_ap(void)
{
    CPUX86State env;

    memset(&env, 0, sizeof(env));
    env.cpu_index = 3;
    x86_cpu_reset(&env);
    is_int(env.cpu_index, 3, "cpu_index survives reset");
    is_int(env.apic_base, 0xfee00800, "AP: APIC enabled, no BSP flag");
}

static void test_dump(void)
{
    CPUX86State env;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    memset(&env, 0, sizeof(env));
    x86_cpu_reset(&env);
    env.regs[R_EAX] = 0x12345678;
    x86_cpu_dump_state(&env, f);
    fclose(f);
    ok(strstr(buf, "EAX=12345678") != NULL, "dump shows EAX");
    ok(strstr(buf, "EIP=0000fff0") != NULL, "dump shows EIP");
    ok(strstr(buf, "CS =f000 ffff0000 0000ffff") != NULL, "dump shows CS selector, base, limit");
    ok(strstr(buf, "CR0=60000010") != NULL, "dump shows CR0");
    free(buf);

    /* Long mode: 64-bit registers. */
    env.efer = EFER_LMA | EFER_LME;
    env.regs[R_R15] = 0xfedcba9876543210ULL;
    env.eip = 0xffffffff81000000ULL;
    f = open_memstream(&buf, &len);
    x86_cpu_dump_state(&env, f);
    fclose(f);
    ok(strstr(buf, "R15=fedcba9876543210") != NULL, "long mode dump shows R15");
    ok(strstr(buf, "RIP=ffffffff81000000") != NULL, "long mode dump shows RIP");
    free(buf);
}

int main(void)
{
    test_reset_bsp();
    test_reset_ap();
    test_dump();
    return done_testing();
}
