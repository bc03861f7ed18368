/*
 * What every device declares: a name, how to reset it and its state table.
 * No runtime type system: hw/pc.c creates devices with plain C calls and
 * records them so reset and save/load can walk the list.
 */
#ifndef PCVM_DEVICE_H
#define PCVM_DEVICE_H

#include "core/vmstate.h"

typedef struct DeviceInfo {
    const char *name;
    void (*reset)(void *opaque);
    const VMStateDescription *vmsd;
} DeviceInfo;

/* Register an instance (in creation order: reset runs in the same order). */
void device_register(const DeviceInfo *info, void *opaque);
void devices_reset_all(void);
/* Save/load every registered device (used by tests today, snapshots later). */
int devices_save(VMStateBuf *buf);
int devices_load(VMStateBuf *buf);
void devices_unregister_all(void);

#endif
