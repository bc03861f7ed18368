/*
 * PCI bus 0: configuration mechanism #1 (CONFIG_ADDRESS at 0xcf8, CONFIG_DATA
 * at 0xcfc-0xcff), per-function config space with write masks, BAR sizing and
 * mapping into the port/memory maps, and INTx -> PIRQ routing.
 * PCI Local Bus Specification 3.0, sections 3.2.2.3.2 and 6.
 */
#include <inttypes.h>

#include "core/common.h"
#include "core/ioport.h"
#include "core/memory.h"
#include "core/device.h"
#include "core/vmstate.h"
#include "hw/pci.h"

#define PCI_CONFIG_ADDRESS_PORT 0xcf8
#define PCI_CONFIG_DATA_PORT    0xcfc
#define PCI_CONFIG_ENABLE       0x80000000u   /* CONFIG_ADDRESS bit 31 */
#define PCI_CONFIG_ADDR_MASK    0x80fffffcu   /* enable, bus, dev, fn, dword register */

#define PCI_MAX_PIRQ            8

struct PCIBus {
    uint32_t config_addr;
    PCIDevice *devs[256];
    PCIDevice *list;                 /* in creation order */
    PCIMapIrqFn *map_irq;
    PCISetIrqFn *set_irq;
    void *irq_opaque;
    int nirq;
    int pirq_level[PCI_MAX_PIRQ];
    const IOPortOps *cf9_ops;
    void *cf9_opaque;
};

static void pci_update_mappings(PCIDevice *d);
static void pci_bus_update_pirqs(PCIBus *bus, bool force);

static uint32_t pci_bar_offset(int bar)
{
    return bar == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * bar;
}

/* ---- config space ---- */

uint32_t pci_config_read(PCIDevice *d, uint32_t addr, unsigned size)
{
    uint32_t val = 0;

    if (size == 0 || size > 4 || addr >= PCI_CONFIG_SPACE_SIZE ||
        addr + size > PCI_CONFIG_SPACE_SIZE)
        return 0xffffffffu >> (32 - 8 * (size ? MIN(size, 4) : 4));
    for (unsigned i = 0; i < size; i++)
        val |= (uint32_t)d->config[addr + i] << (8 * i);
    return val;
}

void pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned size)
{
    bool remap = false, intx = false;

    if (size == 0 || size > 4 || addr >= PCI_CONFIG_SPACE_SIZE ||
        addr + size > PCI_CONFIG_SPACE_SIZE)
        return;
    for (unsigned i = 0; i < size; i++) {
        uint32_t a = addr + i;
        uint8_t b = val >> (8 * i);
        uint8_t wm = d->wmask[a], w1c = d->w1cmask[a];

        d->config[a] = (d->config[a] & ~wm) | (b & wm);
        d->config[a] &= ~(b & w1c);
        if (a == PCI_COMMAND || a == PCI_COMMAND + 1 ||
            (a >= PCI_BASE_ADDRESS_0 && a < PCI_BASE_ADDRESS_0 + 24) ||
            (a >= PCI_ROM_ADDRESS && a < PCI_ROM_ADDRESS + 4))
            remap = true;
        if (a == PCI_COMMAND + 1)
            intx = true;
    }
    if (remap)
        pci_update_mappings(d);
    if (intx && d->bus)
        pci_bus_update_pirqs(d->bus, false);
    if (d->config_write)
        d->config_write(d, addr, val, size);
}

/* ---- BARs ---- */

static uint64_t pci_bar_decode(PCIDevice *d, int i)
{
    PCIBar *b = &d->bars[i];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint32_t v = pci_get_long(d->config + pci_bar_offset(i));
    uint64_t addr;

    if (b->kind == PCI_BAR_IO) {
        if (!(cmd & PCI_COMMAND_IO))
            return PCI_BAR_UNMAPPED;
        addr = v & ~(uint32_t)(b->size - 1) & ~3u;
        /* x86 port space is 16 bits; a BAR reaching past it decodes nothing */
        if (addr == 0 || addr + b->size > 0x10000)
            return PCI_BAR_UNMAPPED;
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY))
        return PCI_BAR_UNMAPPED;
    if (i == PCI_ROM_SLOT && !(v & PCI_ROM_ADDRESS_ENABLE))
        return PCI_BAR_UNMAPPED;
    addr = v & ~(uint32_t)(b->size - 1) & ~0xfu;
    /* all ones (being sized) or wrapping past 4 GiB: not decoded */
    if (addr == 0 || addr + b->size - 1 >= 0xffffffffULL)
        return PCI_BAR_UNMAPPED;
    return addr;
}

static void pci_bar_unmap(PCIDevice *d, PCIBar *b)
{
    if (b->addr == PCI_BAR_UNMAPPED)
        return;
    if (b->kind == PCI_BAR_IO) {
        ioport_unregister((uint16_t)b->addr, (uint32_t)b->size);
    } else if (b->mr) {
        mem_region_remove(b->mr);
        b->mr = NULL;
    }
    b->addr = PCI_BAR_UNMAPPED;
}

/*
 * Would [addr, addr+size) collide with something already decoded?  Checked
 * here so that a guest stacking BARs gets a trace, not an error on stderr.
 */
static bool pci_bar_conflicts(PCIDevice *self, PCIBar *b, uint64_t addr)
{
    if (b->kind == PCI_BAR_IO) {
        for (uint64_t p = addr; p < addr + b->size; p++)
            if (ioport_find((uint16_t)p))
                return true;
        return false;
    }
    for (PCIDevice *d = self->bus->list; d; d = d->next) {
        for (int i = 0; i < PCI_NUM_BARS; i++) {
            PCIBar *o = &d->bars[i];
            if (o == b || o->kind == PCI_BAR_IO || o->kind == PCI_BAR_NONE ||
                o->addr == PCI_BAR_UNMAPPED)
                continue;
            if (addr < o->addr + o->size && o->addr < addr + b->size)
                return true;
        }
    }
    return false;
}

static void pci_bar_map(PCIDevice *d, int i, uint64_t addr)
{
    PCIBar *b = &d->bars[i];
    char name[MEM_NAME_MAX];

    if (pci_bar_conflicts(d, b, addr)) {
        trace(LOG_GUEST_ERROR, "pci: %s BAR%d at 0x%" PRIx64
              " overlaps another device; not mapped\n", d->name, i, addr);
        return;
    }

    snprintf(name, sizeof(name), "%.24s-bar%d", d->name, i);
    if (b->kind == PCI_BAR_IO) {
        char pname[IOPORT_NAME_MAX];
        snprintf(pname, sizeof(pname), "%.16s-bar%d", d->name, i);
        if (ioport_register((uint16_t)addr, (uint32_t)b->size, b->io_ops, b->opaque,
                            pname) < 0) {
            trace(LOG_GUEST_ERROR, "pci: %s BAR%d at port 0x%" PRIx64
                  " overlaps another device; not mapped\n", d->name, i, addr);
            return;
        }
    } else {
        if (b->kind == PCI_BAR_MMIO)
            b->mr = mem_add_mmio(name, addr, b->size, b->mem_ops, b->opaque,
                                 PCI_MEM_PRIORITY);
        else
            b->mr = mem_add_ram(name, addr, b->size, b->host, b->readonly,
                                PCI_MEM_PRIORITY);
        if (!b->mr) {
            trace(LOG_GUEST_ERROR, "pci: %s BAR%d at 0x%" PRIx64
                  " overlaps another BAR; not mapped\n", d->name, i, addr);
            return;
        }
    }
    b->addr = addr;
    trace(LOG_DEV, "pci: %s BAR%d mapped at 0x%" PRIx64 " size 0x%" PRIx64 "\n",
          d->name, i, addr, b->size);
}

/*
 * Bring every BAR on the bus in line with its registers: unmap whatever moved
 * first, then map, so that swapping two BARs works and a BAR refused for a
 * conflict is retried once the other one has gone.
 */
static void pci_update_mappings(PCIDevice *self)
{
    PCIBus *bus = self->bus;

    mem_transaction_begin();
    for (PCIDevice *d = bus->list; d; d = d->next) {
        for (int i = 0; i < PCI_NUM_BARS; i++) {
            PCIBar *b = &d->bars[i];
            if (b->kind != PCI_BAR_NONE && b->addr != PCI_BAR_UNMAPPED &&
                pci_bar_decode(d, i) != b->addr)
                pci_bar_unmap(d, b);
        }
    }
    for (PCIDevice *d = bus->list; d; d = d->next) {
        for (int i = 0; i < PCI_NUM_BARS; i++) {
            PCIBar *b = &d->bars[i];
            uint64_t addr;
            if (b->kind == PCI_BAR_NONE)
                continue;
            addr = pci_bar_decode(d, i);
            if (addr != PCI_BAR_UNMAPPED && addr != b->addr)
                pci_bar_map(d, i, addr);
        }
    }
    mem_transaction_commit();
}

static bool pci_is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

static int pci_bar_setup(PCIDevice *d, int bar, PCIBarKind kind, uint32_t size,
                         uint8_t flags)
{
    uint32_t off, mask;
    PCIBar *b;

    if (bar < 0 || bar >= PCI_NUM_BARS || !pci_is_pow2(size))
        return -EINVAL;
    if ((kind == PCI_BAR_IO && (size < 4 || size > 0x10000 || bar == PCI_ROM_SLOT)) ||
        (kind != PCI_BAR_IO && size < 16) ||
        (bar == PCI_ROM_SLOT && size < 2048))
        return -EINVAL;
    b = &d->bars[bar];
    if (b->kind != PCI_BAR_NONE)
        return -EINVAL;
    b->kind = kind;
    b->size = size;
    b->flags = flags;
    b->addr = PCI_BAR_UNMAPPED;
    off = pci_bar_offset(bar);
    if (bar == PCI_ROM_SLOT)
        mask = ~(size - 1) | PCI_ROM_ADDRESS_ENABLE;
    else
        mask = ~(size - 1) & (kind == PCI_BAR_IO ? ~3u : ~0xfu);
    pci_set_long(d->wmask + off, mask);
    pci_set_long(d->config + off, flags);
    return 0;
}

int pci_register_bar_io(PCIDevice *d, int bar, uint32_t size, const IOPortOps *ops,
                        void *opaque)
{
    int ret = pci_bar_setup(d, bar, PCI_BAR_IO, size, PCI_BASE_ADDRESS_SPACE_IO);
    if (ret == 0) {
        d->bars[bar].io_ops = ops;
        d->bars[bar].opaque = opaque;
    }
    return ret;
}

int pci_register_bar_mmio(PCIDevice *d, int bar, uint32_t size, bool prefetch,
                          const MemOps *ops, void *opaque)
{
    uint8_t flags = (prefetch && bar != PCI_ROM_SLOT) ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0;
    int ret = pci_bar_setup(d, bar, PCI_BAR_MMIO, size, flags);
    if (ret == 0) {
        d->bars[bar].mem_ops = ops;
        d->bars[bar].opaque = opaque;
    }
    return ret;
}

int pci_register_bar_ram(PCIDevice *d, int bar, uint32_t size, bool prefetch,
                         uint8_t *host, bool readonly)
{
    uint8_t flags = (prefetch && bar != PCI_ROM_SLOT) ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0;
    int ret;

    if (!host)
        return -EINVAL;
    ret = pci_bar_setup(d, bar, PCI_BAR_RAM, size, flags);
    if (ret == 0) {
        d->bars[bar].host = host;
        d->bars[bar].readonly = readonly;
    }
    return ret;
}

uint64_t pci_bar_address(const PCIDevice *d, int bar)
{
    if (bar < 0 || bar >= PCI_NUM_BARS)
        return PCI_BAR_UNMAPPED;
    return d->bars[bar].kind == PCI_BAR_NONE ? PCI_BAR_UNMAPPED : d->bars[bar].addr;
}

/* ---- INTx ---- */

static int pci_device_pirq(PCIDevice *d)
{
    PCIBus *bus = d->bus;
    int pin = d->config[PCI_INTERRUPT_PIN];
    int pirq;

    if (!bus->map_irq || pin < 1 || pin > 4)
        return -1;
    pirq = bus->map_irq(bus->irq_opaque, d->devfn, pin - 1);
    return (pirq >= 0 && pirq < bus->nirq) ? pirq : -1;
}

static bool pci_device_asserts(PCIDevice *d)
{
    return d->irq_level &&
           !(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
}

/* PIRQ lines are a wire-OR of every function routed to them. */
static void pci_bus_update_pirqs(PCIBus *bus, bool force)
{
    int level[PCI_MAX_PIRQ] = { 0 };

    if (!bus->set_irq)
        return;
    for (PCIDevice *d = bus->list; d; d = d->next) {
        int pirq = pci_device_pirq(d);
        if (pirq >= 0 && pci_device_asserts(d))
            level[pirq] = 1;
    }
    for (int i = 0; i < bus->nirq; i++) {
        if (force || level[i] != bus->pirq_level[i]) {
            bus->pirq_level[i] = level[i];
            bus->set_irq(bus->irq_opaque, i, level[i]);
        }
    }
}

void pci_set_irq(PCIDevice *d, int level)
{
    level = !!level;
    if (d->irq_level == level)
        return;
    d->irq_level = level;
    if (level)
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    else
        d->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    pci_bus_update_pirqs(d->bus, false);
}

int pci_bus_pirq_level(PCIBus *bus, int pirq)
{
    if (pirq < 0 || pirq >= bus->nirq)
        return 0;
    return bus->pirq_level[pirq];
}

void pci_bus_set_irq_routing(PCIBus *bus, PCIMapIrqFn *map_irq, PCISetIrqFn *set_irq,
                             void *opaque, int nirq)
{
    bus->map_irq = map_irq;
    bus->set_irq = set_irq;
    bus->irq_opaque = opaque;
    bus->nirq = MIN(MAX(nirq, 0), PCI_MAX_PIRQ);
    memset(bus->pirq_level, 0, sizeof(bus->pirq_level));
}

/* ---- per-function reset and state ---- */

static void pci_device_reset(void *opaque)
{
    PCIDevice *d = opaque;

    for (int i = 0; i < PCI_CONFIG_SPACE_SIZE; i++)
        d->config[i] &= ~(d->wmask[i] | d->w1cmask[i]);
    pci_set_irq(d, 0);
    pci_update_mappings(d);
}

static int pci_device_post_load(void *opaque, int version)
{
    PCIDevice *d = opaque;

    d->irq_level = !!d->irq_level;
    pci_update_mappings(d);
    pci_bus_update_pirqs(d->bus, true);
    return 0;
}

static const VMStateField pci_device_fields[] = {
    VMSTATE_BUFFER(PCIDevice, config),
    VMSTATE_I32(PCIDevice, irq_level),
    VMSTATE_END
};

static const VMStateDescription pci_device_vmsd = {
    .name = "pci-device",
    .version = 1,
    .minimum_version = 1,
    .post_load = pci_device_post_load,
    .fields = pci_device_fields,
};

PCIDevice *pci_register_device(PCIBus *bus, int devfn, const char *name,
                               uint16_t vendor, uint16_t device, uint32_t class_rev,
                               PCIConfigWriteHook *config_write, void *opaque)
{
    PCIDevice *d, **tail;

    if (!bus || devfn < 0 || devfn > 255 || bus->devs[devfn]) {
        error_report("PCI slot %02x.%d for %s is invalid or already in use",
                     PCI_SLOT(devfn), PCI_FUNC(devfn), name);
        return NULL;
    }
    d = xzalloc(sizeof(*d));
    d->bus = bus;
    d->devfn = devfn;
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->config_write = config_write;
    d->opaque = opaque;
    for (int i = 0; i < PCI_NUM_BARS; i++)
        d->bars[i].addr = PCI_BAR_UNMAPPED;

    pci_set_word(d->config + PCI_VENDOR_ID, vendor);
    pci_set_word(d->config + PCI_DEVICE_ID, device);
    pci_set_long(d->config + PCI_REVISION_ID, class_rev);
    pci_set_word(d->config + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM);

    pci_set_word(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                 PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    /* status error bits are write-one-to-clear (PCI 3.0 6.2.3) */
    pci_set_word(d->w1cmask + PCI_STATUS, 0xf900);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    memset(d->wmask + PCI_CONFIG_HEADER_SIZE, 0xff,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);

    bus->devs[devfn] = d;
    for (tail = &bus->list; *tail; tail = &(*tail)->next)
        ;
    *tail = d;

    snprintf(d->info_name, sizeof(d->info_name), "pci-%02x.%d", PCI_SLOT(devfn),
             PCI_FUNC(devfn));
    d->info.name = d->info_name;
    d->info.reset = pci_device_reset;
    d->info.vmsd = &pci_device_vmsd;
    device_register(&d->info, d);
    return d;
}

PCIDevice *pci_find_device(PCIBus *bus, int devfn)
{
    if (!bus || devfn < 0 || devfn > 255)
        return NULL;
    return bus->devs[devfn];
}

/* ---- host bridge ports ---- */

static uint32_t pci_host_addr_read(void *opaque, uint32_t offset, unsigned size)
{
    PCIBus *bus = opaque;

    if (offset == 0 && size == 4)
        return bus->config_addr;
    if (offset == 1 && size == 1 && bus->cf9_ops && bus->cf9_ops->read)
        return bus->cf9_ops->read(bus->cf9_opaque, 0, 1);
    return 0xffffffffu >> (32 - 8 * size);
}

static void pci_host_addr_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    PCIBus *bus = opaque;

    /* Only a dword write at 0xcf8 is CONFIG_ADDRESS; byte writes to 0xcf9 are
     * the chipset's reset control register (mechanism #1 rule, PCI 3.0 3.2.2.3.2). */
    if (offset == 0 && size == 4)
        bus->config_addr = val & PCI_CONFIG_ADDR_MASK;
    else if (offset == 1 && size == 1 && bus->cf9_ops && bus->cf9_ops->write)
        bus->cf9_ops->write(bus->cf9_opaque, 0, val & 0xff, 1);
}

static PCIDevice *pci_host_target(PCIBus *bus, uint32_t offset, unsigned size,
                                  uint32_t *reg)
{
    uint32_t a = bus->config_addr;

    if (!(a & PCI_CONFIG_ENABLE) || ((a >> 16) & 0xff) != 0 || offset + size > 4)
        return NULL;
    *reg = (a & 0xfc) + offset;
    return bus->devs[(a >> 8) & 0xff];
}

static uint32_t pci_host_data_read(void *opaque, uint32_t offset, unsigned size)
{
    PCIBus *bus = opaque;
    uint32_t reg, val;
    PCIDevice *d = pci_host_target(bus, offset, size, &reg);

    if (!d)
        return 0xffffffffu >> (32 - 8 * size);    /* master abort */
    val = pci_config_read(d, reg, size);
    trace(LOG_DEV, "pci: read %s[0x%02x]/%u = 0x%x\n", d->name, reg, size, val);
    return val;
}

static void pci_host_data_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    PCIBus *bus = opaque;
    uint32_t reg;
    PCIDevice *d = pci_host_target(bus, offset, size, &reg);

    if (!d)
        return;
    trace(LOG_DEV, "pci: write %s[0x%02x]/%u = 0x%x\n", d->name, reg, size, val);
    pci_config_write(d, reg, val, size);
}

static const IOPortOps pci_host_addr_ops = {
    .read = pci_host_addr_read,
    .write = pci_host_addr_write,
    .min_size = 1,
    .max_size = 4,
};

static const IOPortOps pci_host_data_ops = {
    .read = pci_host_data_read,
    .write = pci_host_data_write,
    .min_size = 1,
    .max_size = 4,
};

static void pci_host_reset(void *opaque)
{
    PCIBus *bus = opaque;
    bus->config_addr = 0;
}

static int pci_host_post_load(void *opaque, int version)
{
    PCIBus *bus = opaque;
    bus->config_addr &= PCI_CONFIG_ADDR_MASK;
    return 0;
}

static const VMStateField pci_host_fields[] = {
    VMSTATE_U32(PCIBus, config_addr),
    VMSTATE_END
};

static const VMStateDescription pci_host_vmsd = {
    .name = "pci-host",
    .version = 1,
    .minimum_version = 1,
    .post_load = pci_host_post_load,
    .fields = pci_host_fields,
};

static const DeviceInfo pci_host_info = {
    .name = "pci-host",
    .reset = pci_host_reset,
    .vmsd = &pci_host_vmsd,
};

void pci_bus_set_cf9_handler(PCIBus *bus, const IOPortOps *ops, void *opaque)
{
    bus->cf9_ops = ops;
    bus->cf9_opaque = opaque;
}

PCIBus *pci_bus_create(void)
{
    PCIBus *bus = xzalloc(sizeof(*bus));

    if (ioport_register(PCI_CONFIG_ADDRESS_PORT, 4, &pci_host_addr_ops, bus,
                        "pci-conf-addr") < 0)
        goto err_free;
    if (ioport_register(PCI_CONFIG_DATA_PORT, 4, &pci_host_data_ops, bus,
                        "pci-conf-data") < 0)
        goto err_addr;
    device_register(&pci_host_info, bus);
    return bus;

err_addr:
    ioport_unregister(PCI_CONFIG_ADDRESS_PORT, 4);
err_free:
    free(bus);
    return NULL;
}
