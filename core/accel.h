/*
 * The accelerator interface: KVM (kvm/) and the software CPU (target-i386/)
 * both implement it.  core/main.c picks one with -accel, or by default KVM
 * when it is hardware-backed and the translator otherwise.
 */
#ifndef PCVM_ACCEL_H
#define PCVM_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct AccelConfig {
    int smp;
    uint64_t ram_size;
    int kernel_irqchip;      /* -1: accelerator's default, 0: off, 1: on */
} AccelConfig;

typedef struct AccelOps {
    const char *name;        /* "kvm", "tcg" */
    /*
     * Can this accelerator run here?  0 if yes; otherwise -errno with why
     * filled in (one line, actionable).  *hw_backed says whether it runs guest
     * code at hardware speed (decides the default accelerator).
     */
    int (*probe)(char *why, size_t len, bool *hw_backed);
    /* Create the VM and vCPUs (memory listeners are added here). */
    int (*init)(const AccelConfig *cfg);
    /* Does the accelerator provide the PIC/IOAPIC/PIT itself (KVM irqchip)? */
    bool (*irqchip_in_kernel)(void);
    bool (*pit_in_kernel)(void);
    /* With an in-kernel irqchip: drive GSI n (0-23). */
    void (*set_gsi)(int gsi, int level);
    /* Start running vCPUs on their threads. */
    int (*start)(void);
    /* Stop all vCPUs outside guest code (returns when they are), and resume. */
    void (*pause)(void);
    void (*resume)(void);
    /* Put every vCPU in its power-on state (called paused). */
    void (*reset)(void);
    void (*destroy)(void);
} AccelOps;

extern const AccelOps kvm_accel_ops;
extern const AccelOps tcg_accel_ops;

/* The running accelerator (NULL before core/main.c picks one). */
extern const AccelOps *current_accel;

#endif
