/*
 * The x86 I/O port space: a 64K table of {ops, opaque}.  Access sizes are
 * checked here, once, against what the device declared; unclaimed reads
 * return all ones (open bus) and unclaimed writes are dropped and traced.
 */
#ifndef PCVM_IOPORT_H
#define PCVM_IOPORT_H

#include <stdint.h>

typedef struct IOPortOps {
    /* offset is relative to the base the range was registered at */
    uint32_t (*read)(void *opaque, uint32_t offset, unsigned size);
    void (*write)(void *opaque, uint32_t offset, uint32_t val, unsigned size);
    /*
     * Sizes the device implements (1, 2 or 4; 0 means 1 and 4).  A wider
     * access is split into max_size pieces, lowest address first; a
     * narrower one is widened for reads (and the bytes extracted) and
     * dropped for writes.
     */
    uint8_t min_size, max_size;
} IOPortOps;

#define IOPORT_NAME_MAX 24

typedef struct IOPortRange {
    const IOPortOps *ops;
    void *opaque;
    uint16_t base;
    uint32_t len;
    char name[IOPORT_NAME_MAX];
} IOPortRange;

/* Returns 0, or -EBUSY (and an error on stderr) if any port is already taken. */
int ioport_register(uint16_t base, uint32_t len, const IOPortOps *ops, void *opaque,
                    const char *name);
void ioport_unregister(uint16_t base, uint32_t len);
/* Drop every registration (machine teardown, unit tests). */
void ioport_reset_all(void);
const IOPortRange *ioport_find(uint16_t port);

/* Dispatch one access of 1, 2 or 4 bytes.  Caller holds the big lock. */
uint32_t ioport_read(uint16_t port, unsigned size);
void ioport_write(uint16_t port, uint32_t val, unsigned size);

#endif
