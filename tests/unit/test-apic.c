/*
 * Local APIC: two APICs on the bus, driven through the shared MMIO page (and
 * the per-CPU accessors) with a stepped virtual clock: timer modes, priority,
 * ISR/EOI nesting, IPIs, INIT/SIPI, virtual wire and TSC deadline.
 */
#include "core/common.h"
#include "core/clock.h"
#include "core/cpus.h"
#include "core/memory.h"
#include "core/vmstate.h"
#include "hw/apic.h"
#include "tests/unit/tap.h"

#define BASE 0xfee00000ULL

#define REG_ID      0x020
#define REG_VER     0x030
#define REG_TPR     0x080
#define REG_PPR     0x0a0
#define REG_EOI     0x0b0
#define REG_LDR     0x0d0
#define REG_DFR     0x0e0
#define REG_SVR     0x0f0
#define REG_ISR     0x100
#define REG_TMR     0x180
#define REG_IRR     0x200
#define REG_ESR     0x280
#define REG_ICR_LO  0x300
#define REG_ICR_HI  0x310
#define REG_LVTT    0x320
#define REG_LINT0   0x350
#define REG_LVTERR  0x370
#define REG_TMICT   0x380
#define REG_TMCCT   0x390
#define REG_TDCR    0x3e0

typedef struct FakeCpu {
    int kicks, nmis, inits, sipis;
    int sipi_vector;
} FakeCpu;

static FakeCpu cpu[2];
static int eoi_count, eoi_vector;
static int pic_vector = 0x20;

static void fake_changed(void *o) { ((FakeCpu *)o)->kicks++; }
static void fake_nmi(void *o) { ((FakeCpu *)o)->nmis++; }
static void fake_init(void *o) { ((FakeCpu *)o)->inits++; }
static void fake_sipi(void *o, uint8_t v) { ((FakeCpu *)o)->sipis++; ((FakeCpu *)o)->sipi_vector = v; }
static void fake_eoi(void *o, uint8_t v) { eoi_count++; eoi_vector = v; }
static int fake_intack(void *o) { cpus_set_intr(0); return pic_vector; }

static const APICCpuOps ops = {
    .interrupt_changed = fake_changed,
    .nmi = fake_nmi,
    .init = fake_init,
    .sipi = fake_sipi,
};

/* Accesses through the shared page, as CPU c. */
static uint32_t rd(int c, uint32_t off)
{
    uint32_t v;
    cpus_set_current(c);
    mem_read(BASE + off, &v, 4);
    return v;
}

static void wr(int c, uint32_t off, uint32_t v)
{
    cpus_set_current(c);
    mem_write(BASE + off, &v, 4);
}

static bool irr_has(int c, int v) { return rd(c, REG_IRR + (v >> 5) * 0x10) & (1u << (v & 31)); }
static bool isr_has(int c, int v) { return rd(c, REG_ISR + (v >> 5) * 0x10) & (1u << (v & 31)); }

static void ipi(int from, uint8_t dest, uint32_t lo)
{
    wr(from, REG_ICR_HI, (uint32_t)dest << 24);
    wr(from, REG_ICR_LO, lo);
}

int main(void)
{
    clock_set_test_mode(true);
    APICState *a0 = apic_create(0, 0, &ops, &cpu[0]);
    APICState *a1 = apic_create(1, 1, &ops, &cpu[1]);
    ok(a0 && a1, "two APICs created");
    is_int(apic_mmio_map(), 0, "APIC page mapped");
    apic_bus_set_eoi_hook(fake_eoi, NULL);
    cpus_set_intack(fake_intack, NULL);

    /* identity and reset values */
    is_int(rd(0, REG_ID), 0x00000000, "CPU 0 sees APIC ID 0");
    is_int(rd(1, REG_ID), 0x01000000, "CPU 1 sees APIC ID 1 at the same address");
    is_int(rd(0, REG_VER), 0x00050014, "version 0x50014");
    is_int(rd(0, REG_SVR), 0xff, "SVR resets to 0xff (software disabled)");
    is_int(rd(1, REG_LVTT), 0x10000, "LVT timer resets masked");
    is_int(rd(0, REG_LINT0), 0x700, "BSP LINT0 resets to ExtINT (virtual wire)");
    is_int(rd(1, REG_LINT0), 0x10000, "AP LINT0 resets masked");
    is_int(rd(0, REG_DFR), 0xffffffff, "DFR resets to the flat model");
    ok(apic_is_bsp(a0) && !apic_is_bsp(a1), "BSP flag only on CPU 0");
    is_int(apic_get_base(a1), BASE | MSR_APICBASE_ENABLE, "AP IA32_APIC_BASE");
    is_int(apic_get_base(a0), BASE | MSR_APICBASE_ENABLE | MSR_APICBASE_BSP, "BSP IA32_APIC_BASE");

    /* while software-disabled, fixed interrupts are not accepted and LVTs stay masked */
    wr(0, REG_LVTT, 0x30);
    is_int(rd(0, REG_LVTT), 0x10030, "LVT mask cannot be cleared while disabled");
    wr(0, REG_SVR, 0x1ff);
    wr(1, REG_SVR, 0x1ff);
    is_int(rd(0, REG_SVR), 0x1ff, "SVR enable");

    /* one-shot timer, divide by 1 */
    wr(0, REG_TDCR, 0x0b);
    wr(0, REG_LVTT, 0x30);
    wr(0, REG_TMICT, 1000);
    is_int(rd(0, REG_TMICT), 1000, "initial count reads back");
    is_int(rd(0, REG_TMCCT), 1000, "current count starts at the initial count");
    clock_step(400);
    is_int(rd(0, REG_TMCCT), 600, "count drops one per ns with divide 1");
    ok(!apic_has_interrupt(a0), "no interrupt before expiry");
    cpu[0].kicks = 0;
    clock_step(600);
    is_int(rd(0, REG_TMCCT), 0, "one-shot count stops at 0");
    ok(apic_has_interrupt(a0), "timer interrupt pending at expiry");
    ok(cpu[0].kicks > 0, "the CPU was told (interrupt_changed)");
    is_int(apic_get_interrupt(a0), 0x30, "timer vector 0x30 taken");
    ok(isr_has(0, 0x30) && !irr_has(0, 0x30), "vector moved from IRR to ISR");
    wr(0, REG_EOI, 0);
    ok(!isr_has(0, 0x30), "EOI clears ISR");
    clock_step(100000);
    ok(!apic_has_interrupt(a0), "one-shot fires once");

    /* divide by 16 */
    wr(0, REG_TDCR, 0x03);
    wr(0, REG_TMICT, 100);
    clock_step(16 * 40);
    is_int(rd(0, REG_TMCCT), 60, "divide by 16: one count per 16 ns");
    clock_step(16 * 60);
    is_int(apic_get_interrupt(a0), 0x30, "expires after 1600 ns");
    wr(0, REG_EOI, 0);

    /* periodic timer: 5 interrupts in 5 periods */
    wr(0, REG_TDCR, 0x00);                 /* divide by 2 */
    wr(0, REG_LVTT, 0x20031);              /* periodic, vector 0x31 */
    wr(0, REG_TMICT, 500000);              /* 1 ms */
    int n = 0;
    for (int i = 0; i < 5; i++) {
        clock_step(1000000);
        if (apic_get_interrupt(a0) == 0x31) {
            n++;
            wr(0, REG_EOI, 0);
        }
    }
    is_int(n, 5, "periodic: one interrupt per period");
    clock_step(250000);
    is_int(rd(0, REG_TMCCT), 500000 - 125000, "periodic count reloads");
    wr(0, REG_LVTT, 0x30031);              /* masked: still counts, no interrupts */
    clock_step(3000000);
    ok(!apic_has_interrupt(a0), "masked timer delivers nothing");
    ok(rd(0, REG_TMCCT) > 0, "masked periodic timer keeps counting");
    wr(0, REG_TMICT, 0);
    is_int(rd(0, REG_TMCCT), 0, "initial count 0 stops the timer");

    /* TPR/PPR masking with self IPIs */
    wr(0, REG_TPR, 0x50);
    ipi(0, 0, 0x00040045);                 /* self, fixed, vector 0x45 */
    ok(irr_has(0, 0x45), "self IPI sets IRR");
    ok(!apic_has_interrupt(a0), "TPR 0x50 holds off vector 0x45");
    is_int(rd(0, REG_PPR), 0x50, "PPR follows TPR");
    is_int(apic_get_interrupt(a0), -1, "nothing to take");
    wr(0, REG_TPR, 0x40);
    ok(!apic_has_interrupt(a0), "TPR 0x40 still holds off class 4");
    wr(0, REG_TPR, 0x3f);
    ok(apic_has_interrupt(a0), "TPR 0x3f lets 0x45 in");
    wr(0, REG_TPR, 0);
    apic_set_cr8(a0, 5);
    is_int(rd(0, REG_TPR), 0x50, "CR8 writes TPR[7:4]");
    apic_set_cr8(a0, 0);

    /* ISR nesting */
    is_int(apic_get_interrupt(a0), 0x45, "take 0x45");
    is_int(rd(0, REG_PPR), 0x40, "PPR = class of the ISR");
    ipi(0, 0, 0x00040043);
    ok(!apic_has_interrupt(a0), "0x43 (same class) waits for 0x45");
    ipi(0, 0, 0x00040061);
    is_int(apic_get_interrupt(a0), 0x61, "0x61 nests over 0x45");
    ok(isr_has(0, 0x61) && isr_has(0, 0x45), "both in service");
    wr(0, REG_EOI, 0);
    ok(!isr_has(0, 0x61) && isr_has(0, 0x45), "EOI ends the highest (0x61)");
    ok(!apic_has_interrupt(a0), "0x43 still blocked by 0x45");
    wr(0, REG_EOI, 0);
    is_int(apic_get_interrupt(a0), 0x43, "0x43 after 0x45's EOI");
    wr(0, REG_EOI, 0);
    is_int(eoi_count, 0, "edge interrupts do not broadcast EOI");

    /* fixed IPI to the other APIC */
    ipi(0, 1, 0x00000050);
    ok(irr_has(1, 0x50) && !irr_has(0, 0x50), "physical fixed IPI reaches APIC 1 only");
    is_int(apic_get_interrupt(a1), 0x50, "APIC 1 takes 0x50");
    wr(1, REG_EOI, 0);
    is_int(rd(0, REG_ICR_LO) & (1u << 12), 0, "delivery status idle after send");
    is_int(rd(0, REG_ICR_HI), 0x01000000, "ICR high reads back");

    /* logical flat */
    wr(0, REG_LDR, 0x01000000);
    wr(1, REG_LDR, 0x02000000);
    ipi(0, 0x02, 0x00000851);
    ok(irr_has(1, 0x51) && !irr_has(0, 0x51), "logical dest 0x02 -> APIC 1");
    apic_get_interrupt(a1); wr(1, REG_EOI, 0);
    ipi(1, 0x03, 0x00000852);
    ok(irr_has(0, 0x52) && irr_has(1, 0x52), "logical dest 0x03 -> both");
    apic_get_interrupt(a0); wr(0, REG_EOI, 0);
    apic_get_interrupt(a1); wr(1, REG_EOI, 0);

    /* logical cluster */
    wr(0, REG_DFR, 0x0fffffff);
    wr(1, REG_DFR, 0x0fffffff);
    wr(0, REG_LDR, 0x11000000);            /* cluster 1, member 1 */
    wr(1, REG_LDR, 0x21000000);            /* cluster 2, member 1 */
    ipi(0, 0x21, 0x00000853);
    ok(irr_has(1, 0x53) && !irr_has(0, 0x53), "cluster dest 0x21 -> APIC 1 only");
    apic_get_interrupt(a1); wr(1, REG_EOI, 0);
    wr(0, REG_DFR, 0xffffffff);
    wr(1, REG_DFR, 0xffffffff);
    wr(0, REG_LDR, 0x01000000);
    wr(1, REG_LDR, 0x02000000);

    /* shorthands */
    ipi(0, 0, 0x000c0054);                 /* all but self */
    ok(irr_has(1, 0x54) && !irr_has(0, 0x54), "all-but-self");
    apic_get_interrupt(a1); wr(1, REG_EOI, 0);
    ipi(1, 0, 0x00080055);                 /* all including self */
    ok(irr_has(0, 0x55) && irr_has(1, 0x55), "all-including-self");
    apic_get_interrupt(a0); wr(0, REG_EOI, 0);
    apic_get_interrupt(a1); wr(1, REG_EOI, 0);

    /* lowest priority: lower TPR wins */
    wr(0, REG_TPR, 0x20);
    ipi(0, 0x03, 0x00000956);
    ok(irr_has(1, 0x56) && !irr_has(0, 0x56), "lowest priority goes to the lower TPR");
    apic_get_interrupt(a1); wr(1, REG_EOI, 0);
    wr(0, REG_TPR, 0);

    /* illegal vector */
    ipi(0, 1, 0x00000005);
    ok(!irr_has(1, 0x05), "vector 5 not delivered");
    wr(0, REG_ESR, 0);
    is_int(rd(0, REG_ESR) & 0x20, 0x20, "ESR: send illegal vector");
    wr(0, REG_ESR, 0);
    is_int(rd(0, REG_ESR), 0, "ESR clears on the next write");
    rd(0, 0x3f0);
    wr(0, REG_ESR, 0);
    is_int(rd(0, REG_ESR) & 0x80, 0x80, "ESR: illegal register address");

    /* NMI, INIT, SIPI */
    ipi(0, 1, 0x00000400);
    is_int(cpu[1].nmis, 1, "NMI IPI reaches CPU 1");
    wr(1, REG_TPR, 0x30);
    ipi(0, 1, 0x00004500);                 /* INIT assert */
    is_int(cpu[1].inits, 1, "INIT IPI reaches CPU 1");
    is_int(rd(1, REG_SVR), 0xff, "INIT resets APIC 1's registers");
    is_int(rd(1, REG_TPR), 0, "INIT clears TPR");
    is_int(rd(1, REG_ID), 0x01000000, "INIT keeps the APIC ID");
    ipi(0, 1, 0x00008500);                 /* INIT level de-assert */
    is_int(cpu[1].inits, 1, "INIT de-assert is not an INIT");
    ipi(0, 1, 0x0000069a);
    is_int(cpu[1].sipis, 1, "SIPI reaches CPU 1");
    is_int(cpu[1].sipi_vector, 0x9a, "SIPI vector 0x9a");
    ipi(0, 0, 0x000c069b);
    is_int(cpu[1].sipis, 2, "SIPI to all-but-self");
    is_int(cpu[0].sipis, 0, "sender gets no SIPI");
    wr(1, REG_SVR, 0x1ff);

    /* messages from the I/O APIC: level triggered EOI broadcast */
    apic_bus_deliver(NULL, 0, false, 0x70, 0, true);
    ok(rd(0, REG_TMR + 0x30) & 1u << 16, "level interrupt sets TMR");
    is_int(apic_get_interrupt(a0), 0x70, "take 0x70");
    wr(0, REG_EOI, 0);
    ok(eoi_count == 1 && eoi_vector == 0x70, "EOI of a level vector is broadcast");
    apic_bus_deliver(NULL, 1, false, 0x71, 0, false);
    is_int(apic_get_interrupt(a1), 0x71, "edge message to APIC 1");
    wr(1, REG_EOI, 0);
    is_int(eoi_count, 1, "no broadcast for edge");

    /* MSI */
    apic_msi_deliver(0xfee01000, 0x4072);
    ok(irr_has(1, 0x72) && !irr_has(0, 0x72), "MSI to APIC 1, vector 0x72");
    apic_get_interrupt(a1); wr(1, REG_EOI, 0);
    apic_msi_deliver(0xfed01000, 0x0073);
    ok(!irr_has(1, 0x73), "MSI outside the APIC range is dropped");

    /* virtual wire: the PIC through LINT0 ExtINT */
    cpus_set_intr(1);
    ok(apic_accept_pic_intr(a0) && !apic_accept_pic_intr(a1), "only the BSP takes PIC INTR");
    ok(apic_has_interrupt(a0), "PIC INTR pending through LINT0");
    is_int(apic_get_interrupt(a0), 0x20, "vector from the PIC's intack");
    ok(!apic_has_interrupt(a0), "nothing after intack");
    wr(0, REG_LINT0, 0x10700);
    cpus_set_intr(1);
    ok(!apic_has_interrupt(a0), "masked LINT0 blocks the PIC");
    is_int(apic_set_base(a0, BASE | MSR_APICBASE_BSP), 0, "hardware-disable the APIC");
    ok(apic_has_interrupt(a0), "disabled APIC lets the PIC in directly");
    is_int(rd(0, REG_SVR), 0, "disabled APIC's page reads 0");
    is_int(apic_get_interrupt(a0), 0x20, "PIC vector");
    is_int(apic_set_base(a0, BASE | MSR_APICBASE_BSP | MSR_APICBASE_ENABLE), 0, "re-enable");
    is_int(apic_set_base(a0, BASE | MSR_APICBASE_EXTD | MSR_APICBASE_ENABLE), -EINVAL,
           "x2APIC enable refused");
    is_int(apic_set_base(a0, BASE | 1), -EINVAL, "reserved bit refused");
    wr(0, REG_SVR, 0x1ff);

    /* TSC deadline (TSC = virtual ns here) */
    wr(0, REG_LVTT, 0x40032);
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    apic_set_tsc_deadline(a0, now + 5000);
    is_int(apic_get_tsc_deadline(a0), now + 5000, "deadline reads back");
    is_int(rd(0, REG_TMCCT), 0, "current count is 0 in deadline mode");
    clock_step(4999);
    ok(!apic_has_interrupt(a0), "not before the deadline");
    clock_step(1);
    is_int(apic_get_interrupt(a0), 0x32, "deadline interrupt 0x32");
    wr(0, REG_EOI, 0);
    is_int(apic_get_tsc_deadline(a0), 0, "deadline disarms after firing");
    apic_set_tsc_deadline(a0, 1);
    is_int(apic_get_interrupt(a0), 0x32, "deadline in the past fires at once");
    wr(0, REG_EOI, 0);
    apic_set_tsc_deadline(a0, clock_ns(CLOCK_VIRTUAL) + 1000);
    wr(0, REG_LVTT, 0x00032);
    clock_step(2000);
    ok(!apic_has_interrupt(a0), "leaving deadline mode disarms");
    apic_set_tsc_deadline(a0, clock_ns(CLOCK_VIRTUAL) + 10);
    clock_step(100);
    ok(!apic_has_interrupt(a0), "deadline MSR ignored in one-shot mode");

    /* hostile offsets */
    wr(0, 0x084, 0xffffffff);
    wr(0, 0xff0, 0xffffffff);
    is_int(rd(0, 0x084), 0, "unaligned register offsets read 0");
    ok(rd(0, REG_TPR) == 0, "and writes to them do nothing");

    /* save/load with a running timer */
    wr(0, REG_TDCR, 0x0b);
    wr(0, REG_LVTT, 0x33);
    wr(0, REG_TMICT, 10000);
    clock_step(3000);
    VMStateBuf buf = { 0 };
    is_int(vmstate_save(&buf, apic_info.vmsd, a0), 0, "save");
    wr(0, REG_TMICT, 0);
    wr(0, REG_LVTT, 0x10000);
    buf.pos = 0;
    is_int(vmstate_load(&buf, apic_info.vmsd, a0), 0, "load");
    is_int(rd(0, REG_TMCCT), 7000, "count restored");
    clock_step(7000);
    is_int(apic_get_interrupt(a0), 0x33, "restored timer fires on time");
    vmstate_buf_free(&buf);

    /* random programming from both CPUs never crashes and a reset recovers */
    uint32_t seed = 12345;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 1103515245 + 12345;
        uint32_t off = (seed >> 8) & 0xff0;
        uint32_t val = seed * 2654435761u;
        if ((off == REG_ICR_LO) && ((val >> 8) & 7) == 5)
            val &= ~0x700u;                /* keep INIT counts meaningful below */
        wr(i & 1, off, val);
        if (!(i % 64))
            clock_step(seed & 0xffff);
        if (apic_has_interrupt(a0))
            apic_get_interrupt(a0);
        rd(i & 1, (seed >> 4) & 0xff0);
        if (!(i % 1000))
            apic_set_tsc_deadline(a1, clock_ns(CLOCK_VIRTUAL) + (seed & 0xfff));
    }
    ok(1, "200000 random register writes survived");
    cpus_set_intr(0);

    /* reset */
    apic_info.reset(a1);
    is_int(rd(1, REG_ID), 0x01000000, "reset restores APIC 1's ID");
    apic_info.reset(a0);
    is_int(rd(0, REG_LVTT), 0x10000, "reset masks the timer");
    is_int(rd(0, REG_LINT0), 0x700, "reset restores virtual wire on the BSP");
    return done_testing();
}
