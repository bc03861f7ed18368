/*
 * The guest-physical memory map.  Regions are RAM (host memory, optionally
 * read-only, i.e. ROM) or MMIO (an ops table).  An alias is simply another RAM
 * region pointing into the same host memory (PAM shadow RAM, the BIOS alias
 * below 1 MiB).  Regions carry a priority: a higher priority region hides
 * a lower one where they overlap; two overlapping regions of the same
 * priority are refused.  The resolved map is a FlatView; listeners (KVM's
 * memory slots, the translator's TLB) hear every change.
 *
 * Changes and lookups happen under the big lock, or on the thread that is
 * the only one changing the map (the software CPU).
 */
#ifndef PCVM_MEMORY_H
#define PCVM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct MemOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t val, unsigned size);
    /* as for IOPortOps: sizes 1/2/4/8, 0 means 1 and 8 */
    uint8_t min_size, max_size;
} MemOps;

typedef enum MemRegionType {
    MEM_RAM,        /* host memory; ROM is RAM with readonly set */
    MEM_MMIO,
} MemRegionType;

#define MEM_NAME_MAX 32

typedef struct MemRegion {
    char name[MEM_NAME_MAX];
    MemRegionType type;
    uint64_t gpa, size;
    int priority;
    bool enabled;
    bool readonly;           /* RAM only: guest writes are dropped */
    uint8_t *host;           /* RAM only */
    const MemOps *ops;       /* MMIO only */
    void *opaque;
    int id;                  /* stable, for listeners (KVM slot cache) */
} MemRegion;

/* A piece of the resolved map: [start, end) is served by mr at mr_offset. */
typedef struct FlatRange {
    uint64_t start, end;
    MemRegion *mr;
    uint64_t mr_offset;
} FlatRange;

typedef struct FlatView {
    FlatRange *ranges;       /* sorted, non-overlapping; holes are unassigned */
    int nr;
    unsigned generation;     /* bumped on every change */
} FlatView;

typedef struct MemListener {
    /* The map changed; old may be NULL the first time. */
    void (*commit)(struct MemListener *l, const FlatView *old, const FlatView *new_view);
    /* Guest RAM at [gpa, gpa+len) was written by someone other than the CPU (DMA). */
    void (*ram_written)(struct MemListener *l, uint64_t gpa, uint64_t len);
    struct MemListener *next;
} MemListener;

/* Regions.  Return NULL (and report) when the region overlaps one of equal priority. */
MemRegion *mem_add_ram(const char *name, uint64_t gpa, uint64_t size, uint8_t *host,
                       bool readonly, int priority);
MemRegion *mem_add_mmio(const char *name, uint64_t gpa, uint64_t size, const MemOps *ops,
                        void *opaque, int priority);
void mem_region_remove(MemRegion *mr);
void mem_region_set_enabled(MemRegion *mr, bool enabled);
void mem_region_set_readonly(MemRegion *mr, bool readonly);
/* Batch several changes into one commit (nesting allowed). */
void mem_transaction_begin(void);
void mem_transaction_commit(void);
/* Remove every region (teardown, unit tests). */
void mem_reset_all(void);

void mem_listener_add(MemListener *l);
void mem_listener_remove(MemListener *l);

const FlatView *mem_flatview(void);
/* The range holding gpa, or NULL if nothing is mapped there. */
const FlatRange *mem_lookup(uint64_t gpa);

/*
 * Host pointer to guest RAM [gpa, gpa+len) if the whole span is RAM in one
 * region (and writable, if write); NULL otherwise.  For DMA: a device that
 * writes through it calls mem_ram_written() afterwards.
 */
void *mem_ram_ptr(uint64_t gpa, uint64_t len, bool write);
void mem_ram_written(uint64_t gpa, uint64_t len);

/*
 * Copy to/from guest-physical memory, whatever is mapped (RAM, ROM, MMIO,
 * nothing).  Unassigned reads give 0xff, unassigned and ROM writes are
 * dropped.  Returns 0, or -EFAULT if part of the span was unassigned.
 */
int mem_read(uint64_t gpa, void *buf, uint64_t len);
int mem_write(uint64_t gpa, const void *buf, uint64_t len);

/* One MMIO-sized access (1/2/4/8) with the size rules applied. */
uint64_t mem_io_read(const FlatRange *fr, uint64_t gpa, unsigned size);
void mem_io_write(const FlatRange *fr, uint64_t gpa, uint64_t val, unsigned size);

/* Guest RAM: allocate size bytes of zeroed, huge-page friendly host memory. */
uint8_t *mem_alloc_host(uint64_t size);
void mem_free_host(uint8_t *p, uint64_t size);

#endif
