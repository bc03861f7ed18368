/*
 * PCI bus 0 with configuration mechanism #1 (ports 0xcf8/0xcfc), per-function
 * 256-byte configuration space with write masks, BAR sizing and mapping, and
 * INTx routing through the board's PIRQ map.  PCI Local Bus Spec 2.1/3.0.
 */
#ifndef PCVM_HW_PCI_H
#define PCVM_HW_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/device.h"
#include "core/ioport.h"
#include "core/memory.h"

/* Configuration header (type 0), PCI 3.0 section 6.1 */
#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define  PCI_COMMAND_IO         0x0001
#define  PCI_COMMAND_MEMORY     0x0002
#define  PCI_COMMAND_MASTER     0x0004
#define  PCI_COMMAND_PARITY     0x0040
#define  PCI_COMMAND_SERR       0x0100
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS              0x06
#define  PCI_STATUS_INTERRUPT   0x0008
#define  PCI_STATUS_CAP_LIST    0x0010
#define  PCI_STATUS_DEVSEL_MEDIUM 0x0200
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0      0x10
#define  PCI_BASE_ADDRESS_SPACE_IO      0x01
#define  PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_ROM_ADDRESS         0x30
#define  PCI_ROM_ADDRESS_ENABLE 0x01
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d
#define PCI_CONFIG_HEADER_SIZE  0x40
#define PCI_CONFIG_SPACE_SIZE   0x100

#define PCI_NUM_BARS            7       /* BAR0-5 plus the expansion ROM */
#define PCI_ROM_SLOT            6
#define PCI_BAR_UNMAPPED        UINT64_MAX

#define PCI_DEVFN(slot, fn)     ((((slot) & 0x1f) << 3) | ((fn) & 7))
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)         ((devfn) & 7)

/* Memory BARs sit below RAM and ROM: a BAR programmed over RAM is hidden,
 * as on QEMU's pc machine where the PCI window has the lowest priority. */
#define PCI_MEM_PRIORITY        (-1)

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/*
 * Called after a guest (or board) config write has been applied through the
 * write masks; d->config holds the new bytes.  addr/size are the access.
 */
typedef void PCIConfigWriteHook(PCIDevice *d, uint32_t addr, uint32_t val, unsigned size);

typedef enum PCIBarKind {
    PCI_BAR_NONE,
    PCI_BAR_IO,             /* IOPortOps */
    PCI_BAR_MMIO,           /* MemOps */
    PCI_BAR_RAM,            /* host memory (VRAM, option ROM): mapped as RAM/ROM */
} PCIBarKind;

typedef struct PCIBar {
    PCIBarKind kind;
    uint64_t size;          /* power of two */
    uint8_t flags;          /* low bits of the BAR (IO bit, prefetchable) */
    const IOPortOps *io_ops;
    const MemOps *mem_ops;
    uint8_t *host;
    bool readonly;
    void *opaque;
    uint64_t addr;          /* where it is mapped now, or PCI_BAR_UNMAPPED */
    MemRegion *mr;
} PCIBar;

struct PCIDevice {
    PCIBus *bus;
    int devfn;
    char name[32];
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];    /* bits the guest may write */
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE];  /* bits the guest clears by writing 1 */
    PCIBar bars[PCI_NUM_BARS];
    PCIConfigWriteHook *config_write;
    void *opaque;           /* the device's own state */
    int irq_level;          /* INTx as the device drives it */
    DeviceInfo info;        /* config space save/load and reset */
    char info_name[40];
    PCIDevice *next;
};

/* Board-side INTx routing: pin 0..3 (INTA..INTD) of devfn -> PIRQ index. */
typedef int PCIMapIrqFn(void *opaque, int devfn, int pin);
/* Level of PIRQ n changed (wire-OR of every device routed to it). */
typedef void PCISetIrqFn(void *opaque, int pirq, int level);

/* Create bus 0 and claim 0xcf8-0xcfb and 0xcfc-0xcff.  NULL if the ports are taken. */
PCIBus *pci_bus_create(void);
void pci_bus_set_irq_routing(PCIBus *bus, PCIMapIrqFn *map_irq, PCISetIrqFn *set_irq,
                             void *opaque, int nirq);
/* Current level of PIRQ n (for the router's post_load). */
int pci_bus_pirq_level(PCIBus *bus, int pirq);
/*
 * Port 0xcf9 sits inside the 0xcf8 dword: byte accesses there go to these ops
 * (PIIX3's reset control register), with offset 0 and size 1.
 */
void pci_bus_set_cf9_handler(PCIBus *bus, const IOPortOps *ops, void *opaque);
PCIDevice *pci_find_device(PCIBus *bus, int devfn);

/*
 * Add a function at devfn.  class_rev is (class << 8) | revision with the
 * 24-bit class code (base, sub-class, prog-if), e.g. 0x06000002 for a host
 * bridge, revision 2.  Device-specific registers 0x40-0xff are writable by
 * default; the device narrows wmask[] where it needs to.  On reset every
 * writable bit is cleared; the device's own reset (registered after this
 * call) sets non-zero defaults.  Returns NULL if devfn is taken or invalid.
 */
PCIDevice *pci_register_device(PCIBus *bus, int devfn, const char *name,
                               uint16_t vendor, uint16_t device, uint32_t class_rev,
                               PCIConfigWriteHook *config_write, void *opaque);

/*
 * BARs: size is a power of two (IO >= 4, memory >= 16, ROM >= 2048).  bar is
 * 0..5 or PCI_ROM_SLOT.  The region is registered while the command register
 * enables the space (and, for the ROM, its enable bit is set) at a non-zero,
 * in-range address.  Return 0 or -EINVAL.
 */
int pci_register_bar_io(PCIDevice *d, int bar, uint32_t size, const IOPortOps *ops,
                        void *opaque);
int pci_register_bar_mmio(PCIDevice *d, int bar, uint32_t size, bool prefetch,
                          const MemOps *ops, void *opaque);
/* host must hold size bytes; readonly for a ROM BAR. */
int pci_register_bar_ram(PCIDevice *d, int bar, uint32_t size, bool prefetch,
                         uint8_t *host, bool readonly);
/* Where the BAR is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_bar_address(const PCIDevice *d, int bar);

/* Drive the device's INTx pin (config 0x3d). */
void pci_set_irq(PCIDevice *d, int level);

/* Config space access as the host bridge does it (also for boards and tests). */
uint32_t pci_config_read(PCIDevice *d, uint32_t addr, unsigned size);
void pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned size);

static inline uint16_t pci_get_word(const uint8_t *p) { return p[0] | (p[1] << 8); }
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void pci_set_word(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

#endif
