/*
 * The 64K I/O port table and its dispatcher.  Sizes are enforced here for
 * every device (see IOPortOps in ioport.h); unclaimed reads float high.
 */
#include "core/common.h"
#include "core/ioport.h"

#define NR_PORTS 65536

static IOPortRange *port_table[NR_PORTS];

int ioport_register(uint16_t base, uint32_t len, const IOPortOps *ops, void *opaque,
                    const char *name)
{
    if (len == 0 || base + len > NR_PORTS) {
        error_report("%s: I/O ports 0x%x+0x%x are outside the port space", name, base, len);
        return -EINVAL;
    }
    for (uint32_t p = base; p < base + len; p++) {
        if (port_table[p]) {
            error_report("%s: I/O port 0x%x is already used by %s", name, p,
                         port_table[p]->name);
            return -EBUSY;
        }
    }
    IOPortRange *r = xzalloc(sizeof(*r));
    r->ops = ops;
    r->opaque = opaque;
    r->base = base;
    r->len = len;
    snprintf(r->name, sizeof(r->name), "%s", name);
    for (uint32_t p = base; p < base + len; p++)
        port_table[p] = r;
    return 0;
}

void ioport_unregister(uint16_t base, uint32_t len)
{
    for (uint32_t p = base; p < base + len && p < NR_PORTS; p++) {
        IOPortRange *r = port_table[p];
        if (!r)
            continue;
        /* a range is only ever dropped whole */
        for (uint32_t q = r->base; q < r->base + r->len; q++)
            port_table[q] = NULL;
        free(r);
    }
}

void ioport_reset_all(void)
{
    for (uint32_t p = 0; p < NR_PORTS; p++)
        if (port_table[p])
            ioport_unregister(p, 1);
}

const IOPortRange *ioport_find(uint16_t port)
{
    return port_table[port];
}

static unsigned ioport_min(const IOPortOps *ops) { return ops->min_size ? ops->min_size : 1; }
static unsigned ioport_max(const IOPortOps *ops) { return ops->max_size ? ops->max_size : 4; }

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* One access that lies entirely in r and that r implements at this size. */
static uint32_t ioport_read_range(IOPortRange *r, uint16_t port, unsigned size)
{
    unsigned min = ioport_min(r->ops), max = ioport_max(r->ops);

    if (size > max) {
        uint32_t val = 0;
        for (unsigned i = 0; i < size; i += max)
            val |= ioport_read_range(r, port + i, max) << (i * 8);
        return val;
    }
    if (size < min) {
        uint32_t off = port - r->base;
        uint32_t aligned = off & ~(min - 1);
        if (aligned + min > r->len)
            return size_mask(size);
        uint32_t val = r->ops->read(r->opaque, aligned, min);
        return (val >> ((off - aligned) * 8)) & size_mask(size);
    }
    if (!r->ops->read)
        return size_mask(size);
    return r->ops->read(r->opaque, port - r->base, size) & size_mask(size);
}

static void ioport_write_range(IOPortRange *r, uint16_t port, uint32_t val, unsigned size)
{
    unsigned min = ioport_min(r->ops), max = ioport_max(r->ops);

    if (size > max) {
        for (unsigned i = 0; i < size; i += max)
            ioport_write_range(r, port + i, (val >> (i * 8)) & size_mask(max), max);
        return;
    }
    if (size < min || !r->ops->write) {
        trace(LOG_GUEST_ERROR, "ioport: %u-byte write to %s port 0x%x dropped\n",
              size, r->name, port);
        return;
    }
    r->ops->write(r->opaque, port - r->base, val & size_mask(size), size);
}

uint32_t ioport_read(uint16_t port, unsigned size)
{
    IOPortRange *r = port_table[port];

    if (likely(r && (uint32_t)port + size <= (uint32_t)r->base + r->len)) {
        uint32_t val = ioport_read_range(r, port, size);
        trace(LOG_IOPORT, "in%c  0x%04x -> 0x%x (%s)\n", "bw?l"[size - 1], port, val, r->name);
        return val;
    }
    if (!r && (size == 1 || !port_table[(uint16_t)(port + size - 1)])) {
        bool any = false;
        for (unsigned i = 1; i < size; i++)
            any |= port_table[(uint16_t)(port + i)] != NULL;
        if (!any) {
            trace(LOG_IOPORT, "in%c  0x%04x -> open bus\n", "bw?l"[size - 1], port);
            return size_mask(size);
        }
    }
    /* The access straddles ranges: do it byte by byte. */
    uint32_t val = 0;
    for (unsigned i = 0; i < size; i++)
        val |= ioport_read((uint16_t)(port + i), 1) << (i * 8);
    return val;
}

void ioport_write(uint16_t port, uint32_t val, unsigned size)
{
    IOPortRange *r = port_table[port];

    if (likely(r && (uint32_t)port + size <= (uint32_t)r->base + r->len)) {
        trace(LOG_IOPORT, "out%c 0x%04x <- 0x%x (%s)\n", "bw?l"[size - 1], port, val, r->name);
        ioport_write_range(r, port, val, size);
        return;
    }
    if (!r && size == 1) {
        trace(LOG_IOPORT, "outb 0x%04x <- 0x%x: no device\n", port, val);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        ioport_write((uint16_t)(port + i), (val >> (i * 8)) & 0xff, 1);
}
