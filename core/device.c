/*
 * The list of device instances, for machine reset and save/load.
 */
#include "core/common.h"
#include "core/device.h"

typedef struct DeviceEntry {
    const DeviceInfo *info;
    void *opaque;
} DeviceEntry;

static DeviceEntry *devices;
static int nr_devices, cap_devices;

void device_register(const DeviceInfo *info, void *opaque)
{
    if (nr_devices == cap_devices) {
        cap_devices = cap_devices ? cap_devices * 2 : 32;
        devices = xrealloc(devices, cap_devices * sizeof(*devices));
    }
    devices[nr_devices++] = (DeviceEntry){ info, opaque };
}

void devices_reset_all(void)
{
    for (int i = 0; i < nr_devices; i++)
        if (devices[i].info->reset)
            devices[i].info->reset(devices[i].opaque);
}

int devices_save(VMStateBuf *buf)
{
    for (int i = 0; i < nr_devices; i++) {
        if (!devices[i].info->vmsd)
            continue;
        int ret = vmstate_save(buf, devices[i].info->vmsd, devices[i].opaque);
        if (ret)
            return ret;
    }
    return 0;
}

int devices_load(VMStateBuf *buf)
{
    for (int i = 0; i < nr_devices; i++) {
        if (!devices[i].info->vmsd)
            continue;
        int ret = vmstate_load(buf, devices[i].info->vmsd, devices[i].opaque);
        if (ret)
            return ret;
    }
    return 0;
}

void devices_unregister_all(void)
{
    free(devices);
    devices = NULL;
    nr_devices = cap_devices = 0;
}
