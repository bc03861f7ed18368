/*
 * Internals shared by the KVM accelerator's files: the vCPU, the ioctl
 * wrapper, and kvm-cpu.c's register sync and CPUID set-up (kvm.c runs the
 * VM, its memory slots and the vCPU threads).
 */
#ifndef PCVM_KVM_INT_H
#define PCVM_KVM_INT_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "target-i386/cpu.h"

typedef struct KVMVcpu {
    int index;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_started;
    CPUX86State env;         /* valid after kvm_vcpu_get_state / before a put */
    struct kvm_lapic_state lapic_reset;

    /* Owned by the vCPU thread. */
    bool io_pending;         /* an IO/MMIO exit is completed by the next KVM_RUN */

    /* Under kvm.lock. */
    bool in_run;             /* inside the KVM_RUN ioctl (or about to enter it) */
    bool parked;             /* waiting at the top of its loop, no I/O pending */
    bool kick;               /* re-evaluate interrupts before entering the guest */
    bool stopped;            /* shutdown or fatal error: wait for a reset */
    bool reset_pending;      /* env holds the reset state: push it before running */
} KVMVcpu;

/* What kvm.c found out about this KVM, for kvm-cpu.c. */
typedef struct KVMCpuFeatures {
    bool irqchip;            /* in-kernel LAPIC (and PIC/IOAPIC) */
    bool has_xcrs, has_xsave;
    bool has_mtrr;           /* CPUID.1:EDX.MTRR */
    uint32_t signature;      /* CPUID.1:EAX: EDX after reset */
    struct kvm_cpuid2 *cpuid;/* KVM_GET_SUPPORTED_CPUID */
} KVMCpuFeatures;

extern KVMCpuFeatures kvm_cpu_features;

/* ioctl, retried on EINTR; returns the result or -errno. */
static inline int kvm_ioctl(int fd, unsigned long req, void *arg)
{
    int ret;

    do {
        ret = ioctl(fd, req, arg);
    } while (ret < 0 && errno == EINTR);
    return ret < 0 ? -errno : ret;
}

/* kvm-cpu.c */
/* KVM_GET_SUPPORTED_CPUID into kvm_cpu_features; 0 or -errno (reported). */
int kvm_cpu_features_init(int sys_fd);
int kvm_vcpu_set_cpuid(KVMVcpu *v);
/* Registers (and MSRs if asked) into v->env. */
int kvm_vcpu_get_state(KVMVcpu *v, bool with_msrs);
/* Load the power-on state in v->env, plus LAPIC, MP state, XCR0, events. */
int kvm_vcpu_put_reset(KVMVcpu *v);

#endif
