/*
 * Intel 82371SB PIIX3 function 1 (00:01.1): the IDE controller, PCI 8086:7010,
 * in legacy (compatibility) mode with the bus master DMA registers at BAR4.
 */
#ifndef PCVM_HW_PIIX_IDE_H
#define PCVM_HW_PIIX_IDE_H

#include "core/irq.h"
#include "core/options.h"
#include "hw/ide.h"
#include "hw/pci.h"

#define PIIX3_IDE_DEVFN         PCI_DEVFN(1, 1)

/* Bus master IDE registers, per channel (Intel 290550 section 2.7) */
#define BM_CMD                  0       /* BMICX */
#define  BM_CMD_START           0x01
#define  BM_CMD_WRITE           0x08    /* 1: the bus master writes memory */
#define BM_STATUS               2       /* BMISX */
#define  BM_STATUS_ACTIVE       0x01
#define  BM_STATUS_ERROR        0x02
#define  BM_STATUS_INT          0x04
#define  BM_STATUS_DRV0_DMA     0x20
#define  BM_STATUS_DRV1_DMA     0x40
#define BM_PRD                  4       /* BMIDTPX, dword aligned */
#define BM_CHANNEL_SIZE         8

/* The PRD walk: position in the descriptor table. */
typedef struct BMDMAWalk {
    uint32_t entry;         /* offset of the next descriptor within the 64K table page */
    uint32_t addr;          /* what is left of the current descriptor */
    uint32_t len;
    bool eot;
    bool exhausted;         /* the EOT descriptor has been used up */
} BMDMAWalk;

typedef struct BMDMASeg {
    uint32_t gpa, len, bounce_off;
    bool bounce;
} BMDMASeg;

#define BM_MAX_SEGS             512

typedef struct BMDMAState {
    IDEBus *bus;
    PCIDevice *pci;
    uint8_t cmd, status;
    uint32_t prd_addr;
    BMDMAWalk walk, saved;
    uint64_t mapped;
    int nseg;
    BMDMASeg seg[BM_MAX_SEGS];
    uint8_t bounce[IDE_DMA_CHUNK];
} BMDMAState;

typedef struct PIIXIDEState {
    PCIDevice *dev;
    IDEBus bus[2];
    BMDMAState bm[2];
} PIIXIDEState;

/* Function 1 at devfn with channel IRQs irq[0] (14) and irq[1] (15). */
PIIXIDEState *piix3_ide_create(PCIBus *bus, int devfn, IrqLine irq14, IrqLine irq15);
/* Open and attach the -hda/-cdrom/-drive if=ide drives.  0 or -errno (reported). */
int piix3_ide_add_drives(PIIXIDEState *s, const PcvmConfig *cfg);

#endif
