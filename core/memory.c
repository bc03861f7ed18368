/*
 * The guest-physical memory map: regions with priorities, resolved into a
 * FlatView on every change, and the slow-path accessors used by DMA, the
 * firmware loader and MMIO dispatch.
 */
#include <sys/mman.h>

#include "core/common.h"
#include "core/memory.h"

#define MAX_REGIONS 256

static MemRegion *regions[MAX_REGIONS];
static int nr_regions;
static int next_region_id;
static FlatView *current_view;
static FlatView empty_view;
static MemListener *listeners;
static int transaction_depth;
static bool pending_commit;
static unsigned generation;

static void mem_commit(void);

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static MemRegion *mem_add(MemRegion *mr)
{
    if (mr->size == 0 || mr->gpa + mr->size < mr->gpa) {
        error_report("%s: memory region 0x%llx+0x%llx is empty or wraps", mr->name,
                     (unsigned long long)mr->gpa, (unsigned long long)mr->size);
        free(mr);
        return NULL;
    }
    for (int i = 0; i < nr_regions; i++) {
        MemRegion *o = regions[i];
        if (o->priority == mr->priority &&
            ranges_overlap(o->gpa, o->size, mr->gpa, mr->size)) {
            error_report("%s: memory region 0x%llx+0x%llx overlaps %s at the same priority",
                         mr->name, (unsigned long long)mr->gpa,
                         (unsigned long long)mr->size, o->name);
            free(mr);
            return NULL;
        }
    }
    if (nr_regions == MAX_REGIONS) {
        error_report("%s: too many memory regions", mr->name);
        free(mr);
        return NULL;
    }
    mr->enabled = true;
    mr->id = next_region_id++;
    regions[nr_regions++] = mr;
    mem_commit();
    return mr;
}

MemRegion *mem_add_ram(const char *name, uint64_t gpa, uint64_t size, uint8_t *host,
                       bool readonly, int priority)
{
    MemRegion *mr = xzalloc(sizeof(*mr));
    snprintf(mr->name, sizeof(mr->name), "%s", name);
    mr->type = MEM_RAM;
    mr->gpa = gpa;
    mr->size = size;
    mr->host = host;
    mr->readonly = readonly;
    mr->priority = priority;
    return mem_add(mr);
}

MemRegion *mem_add_mmio(const char *name, uint64_t gpa, uint64_t size, const MemOps *ops,
                        void *opaque, int priority)
{
    MemRegion *mr = xzalloc(sizeof(*mr));
    snprintf(mr->name, sizeof(mr->name), "%s", name);
    mr->type = MEM_MMIO;
    mr->gpa = gpa;
    mr->size = size;
    mr->ops = ops;
    mr->opaque = opaque;
    mr->priority = priority;
    return mem_add(mr);
}

void mem_region_remove(MemRegion *mr)
{
    for (int i = 0; i < nr_regions; i++) {
        if (regions[i] == mr) {
            regions[i] = regions[--nr_regions];
            mem_commit();
            free(mr);
            return;
        }
    }
}

void mem_region_set_enabled(MemRegion *mr, bool enabled)
{
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        mem_commit();
    }
}

void mem_region_set_readonly(MemRegion *mr, bool readonly)
{
    if (mr->readonly != readonly) {
        mr->readonly = readonly;
        mem_commit();
    }
}

void mem_transaction_begin(void)
{
    transaction_depth++;
}

void mem_transaction_commit(void)
{
    if (--transaction_depth == 0 && pending_commit)
        mem_commit();
}

void mem_reset_all(void)
{
    mem_transaction_begin();
    while (nr_regions)
        mem_region_remove(regions[0]);
    mem_transaction_commit();
}

void mem_listener_add(MemListener *l)
{
    l->next = listeners;
    listeners = l;
    if (l->commit && current_view)
        l->commit(l, NULL, current_view);
}

void mem_listener_remove(MemListener *l)
{
    for (MemListener **p = &listeners; *p; p = &(*p)->next) {
        if (*p == l) {
            *p = l->next;
            return;
        }
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static FlatView *flatview_build(void)
{
    FlatView *fv = xzalloc(sizeof(*fv));
    uint64_t *points = xmalloc(sizeof(uint64_t) * (2 * nr_regions + 1));
    int np = 0;

    for (int i = 0; i < nr_regions; i++) {
        if (!regions[i]->enabled)
            continue;
        points[np++] = regions[i]->gpa;
        points[np++] = regions[i]->gpa + regions[i]->size;
    }
    qsort(points, np, sizeof(uint64_t), cmp_u64);
    fv->ranges = xmalloc(sizeof(FlatRange) * (np ? np : 1));

    for (int p = 0; p + 1 < np; p++) {
        uint64_t start = points[p], end = points[p + 1];
        MemRegion *best = NULL;
        if (start == end)
            continue;
        for (int i = 0; i < nr_regions; i++) {
            MemRegion *mr = regions[i];
            if (mr->enabled && mr->gpa <= start && end <= mr->gpa + mr->size &&
                (!best || mr->priority > best->priority))
                best = mr;
        }
        if (!best)
            continue;
        FlatRange *prev = fv->nr ? &fv->ranges[fv->nr - 1] : NULL;
        if (prev && prev->mr == best && prev->end == start) {
            prev->end = end;
            continue;
        }
        fv->ranges[fv->nr++] = (FlatRange){ start, end, best, start - best->gpa };
    }
    free(points);
    fv->generation = ++generation;
    return fv;
}

static void mem_commit(void)
{
    if (transaction_depth) {
        pending_commit = true;
        return;
    }
    pending_commit = false;
    FlatView *old = current_view;
    current_view = flatview_build();
    for (MemListener *l = listeners; l; l = l->next)
        if (l->commit)
            l->commit(l, old, current_view);
    if (old) {
        free(old->ranges);
        free(old);
    }
}

const FlatView *mem_flatview(void)
{
    return current_view ? current_view : &empty_view;
}

const FlatRange *mem_lookup(uint64_t gpa)
{
    const FlatView *fv = mem_flatview();
    int lo = 0, hi = fv->nr - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const FlatRange *fr = &fv->ranges[mid];
        if (gpa < fr->start)
            hi = mid - 1;
        else if (gpa >= fr->end)
            lo = mid + 1;
        else
            return fr;
    }
    return NULL;
}

void *mem_ram_ptr(uint64_t gpa, uint64_t len, bool write)
{
    const FlatRange *fr = mem_lookup(gpa);

    if (!fr || fr->mr->type != MEM_RAM || (write && fr->mr->readonly))
        return NULL;
    if (len > fr->end - gpa)
        return NULL;
    return fr->mr->host + fr->mr_offset + (gpa - fr->start);
}

void mem_ram_written(uint64_t gpa, uint64_t len)
{
    for (MemListener *l = listeners; l; l = l->next)
        if (l->ram_written)
            l->ram_written(l, gpa, len);
}

static uint64_t mask_of(unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

uint64_t mem_io_read(const FlatRange *fr, uint64_t gpa, unsigned size)
{
    const MemOps *ops = fr->mr->ops;
    uint64_t off = gpa - fr->start + fr->mr_offset;
    unsigned min = ops->min_size ? ops->min_size : 1;
    unsigned max = ops->max_size ? ops->max_size : 8;

    if (!ops->read)
        return mask_of(size);
    if (size > max) {
        uint64_t val = 0;
        for (unsigned i = 0; i < size; i += max)
            val |= (ops->read(fr->mr->opaque, off + i, max) & mask_of(max)) << (i * 8);
        trace(LOG_MMIO, "mmio read  0x%llx/%u -> 0x%llx (%s)\n", (unsigned long long)gpa,
              size, (unsigned long long)val, fr->mr->name);
        return val;
    }
    if (size < min) {
        uint64_t aligned = off & ~(uint64_t)(min - 1);
        uint64_t val = ops->read(fr->mr->opaque, aligned, min);
        return (val >> ((off - aligned) * 8)) & mask_of(size);
    }
    uint64_t val = ops->read(fr->mr->opaque, off, size) & mask_of(size);
    trace(LOG_MMIO, "mmio read  0x%llx/%u -> 0x%llx (%s)\n", (unsigned long long)gpa, size,
          (unsigned long long)val, fr->mr->name);
    return val;
}

void mem_io_write(const FlatRange *fr, uint64_t gpa, uint64_t val, unsigned size)
{
    const MemOps *ops = fr->mr->ops;
    uint64_t off = gpa - fr->start + fr->mr_offset;
    unsigned min = ops->min_size ? ops->min_size : 1;
    unsigned max = ops->max_size ? ops->max_size : 8;

    trace(LOG_MMIO, "mmio write 0x%llx/%u <- 0x%llx (%s)\n", (unsigned long long)gpa, size,
          (unsigned long long)val, fr->mr->name);
    if (!ops->write || size < min) {
        trace(LOG_GUEST_ERROR, "mmio: %u-byte write to %s at 0x%llx dropped\n", size,
              fr->mr->name, (unsigned long long)gpa);
        return;
    }
    if (size > max) {
        for (unsigned i = 0; i < size; i += max)
            ops->write(fr->mr->opaque, off + i, (val >> (i * 8)) & mask_of(max), max);
        return;
    }
    ops->write(fr->mr->opaque, off, val & mask_of(size), size);
}

/* Largest naturally aligned access (<= 8) that fits at gpa within len. */
static unsigned io_chunk(uint64_t gpa, uint64_t len)
{
    unsigned size = 8;
    while (size > 1 && ((gpa & (size - 1)) || size > len))
        size >>= 1;
    return size;
}

static int mem_rw(uint64_t gpa, uint8_t *buf, uint64_t len, bool write)
{
    int ret = 0;

    while (len) {
        const FlatRange *fr = mem_lookup(gpa);
        uint64_t n;

        if (!fr) {
            /* unassigned: up to the next mapped range */
            const FlatView *fv = mem_flatview();
            uint64_t next = gpa + len;
            for (int i = 0; i < fv->nr; i++)
                if (fv->ranges[i].start > gpa && fv->ranges[i].start < next)
                    next = fv->ranges[i].start;
            n = next - gpa;
            if (!write)
                memset(buf, 0xff, n);
            trace(LOG_MMIO, "unassigned %s at 0x%llx+0x%llx\n", write ? "write" : "read",
                  (unsigned long long)gpa, (unsigned long long)n);
            ret = -EFAULT;
        } else if (fr->mr->type == MEM_RAM) {
            uint8_t *host = fr->mr->host + fr->mr_offset + (gpa - fr->start);
            n = MIN(len, fr->end - gpa);
            if (!write)
                memcpy(buf, host, n);
            else if (!fr->mr->readonly) {
                memcpy(host, buf, n);
                mem_ram_written(gpa, n);
            }
        } else {
            n = io_chunk(gpa, MIN(len, fr->end - gpa));
            if (write) {
                uint64_t v = 0;
                memcpy(&v, buf, n);
                mem_io_write(fr, gpa, v, n);
            } else {
                uint64_t v = mem_io_read(fr, gpa, n);
                memcpy(buf, &v, n);
            }
        }
        gpa += n;
        buf += n;
        len -= n;
    }
    return ret;
}

int mem_read(uint64_t gpa, void *buf, uint64_t len)
{
    return mem_rw(gpa, buf, len, false);
}

int mem_write(uint64_t gpa, const void *buf, uint64_t len)
{
    return mem_rw(gpa, (uint8_t *)buf, len, true);
}

uint8_t *mem_alloc_host(uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    madvise(p, size, MADV_HUGEPAGE);
    return p;
}

void mem_free_host(uint8_t *p, uint64_t size)
{
    if (p)
        munmap(p, size);
}
