/*
 * The KVM accelerator: kvm_accel_ops (core/accel.h) plus the few extras the
 * monitor and traces use.  Written from the kernel's KVM API documentation
 * (Documentation/virt/kvm/api.rst).
 */
#ifndef PCVM_KVM_H
#define PCVM_KVM_H

#include <stdio.h>

#include "core/accel.h"

/*
 * Which kernel back end serves /dev/kvm ("kvm_intel", "kvm_amd", "kvm_pvm",
 * ...), as decided by probe(); NULL before probe() ran.
 */
const char *kvm_backend_name(void);

/* Print every vCPU's registers (monitor "info registers"); call paused. */
void kvm_dump_cpus(FILE *f);

#endif
