/*
 * The KVM accelerator: a VM whose memory slots follow the FlatView's RAM
 * ranges, one thread per vCPU running KVM_RUN and dispatching port and MMIO
 * exits to core/, and the in-kernel PIC/IOAPIC/LAPIC/PIT by default.
 * Written from the KVM API documentation (Documentation/virt/kvm/api.rst).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "core/common.h"
#include "core/accel.h"
#include "core/cpus.h"
#include "core/ioport.h"
#include "core/mainloop.h"
#include "core/memory.h"
#include "kvm/kvm.h"
#include "kvm/kvm-int.h"
#include "target-i386/cpu.h"

#define KVM_DEVICE              "/dev/kvm"
#define KVM_API_VERSION_NEEDED  12

/*
 * Intel VMX needs guest-physical pages for its real-mode helpers: an
 * identity-mapped page table (1 page) and a TSS (3 pages).  They must not be
 * used by anything else; like QEMU, put them just below the 16 MiB that end
 * at 4 GiB (BIOS flash, LAPIC, IOAPIC).  AMD ignores them.
 */
#define KVM_IDENTITY_MAP_ADDR   0xfeffc000ULL
#define KVM_TSS_ADDR            (KVM_IDENTITY_MAP_ADDR + 0x1000)

/* The kick: delivered to one vCPU thread to make KVM_RUN return. */
#define KVM_SIG_KICK            SIGUSR1

#define KVM_PAGE_SIZE           4096ULL
#define KVM_NR_GSI              24      /* PIIX3 ISA IRQs 0-15 + IOAPIC pins 16-23 */

typedef struct KVMSlot {
    uint32_t slot;
    uint64_t gpa, size;
    uint8_t *host;
    uint32_t flags;
    bool keep;               /* scratch during a commit */
} KVMSlot;

static struct {
    int sys_fd, vm_fd;
    int run_size;
    int nr_vcpus;
    KVMVcpu *vcpus;
    const char *backend;
    bool hw_backed;

    bool irqchip, pit;
    bool readonly_mem;
    bool started;

    /* In-kernel chips as created: what a reset puts back. */
    struct kvm_irqchip chip_reset[3];
    struct kvm_pit_state2 pit_reset;

    /* Memory slots currently in the kernel. */
    KVMSlot *slots;
    int nr_slots;
    uint8_t *slot_used;
    uint32_t max_slots;
    bool warned_rom;
    MemListener listener;

    /* vCPU scheduling */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int pause_count;
    int inhibit_count;
    bool quit;
} kvm = {
    .sys_fd = -1,
    .vm_fd = -1,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER,
};

static __thread KVMVcpu *kvm_current_vcpu;

/* ------------------------------------------------------------------ */
/* capabilities */

static int kvm_check_extension(int cap)
{
    int fd = kvm.vm_fd >= 0 ? kvm.vm_fd : kvm.sys_fd;
    int ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);

    return ret < 0 ? 0 : ret;
}

const char *kvm_backend_name(void)
{
    return kvm.backend;
}

/* ------------------------------------------------------------------ */
/* probe */

static bool kvm_cpuinfo_has_flag(const char *flag)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char *line = NULL;
    size_t cap = 0;
    bool found = false;

    if (!f)
        return false;
    while (getline(&line, &cap, f) > 0) {
        char *save = NULL, *tok;

        if (strncmp(line, "flags", 5))
            continue;
        tok = strchr(line, ':');
        if (!tok)
            break;
        for (tok = strtok_r(tok + 1, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
            if (!strcmp(tok, flag))
                found = true;
        break;                  /* the first CPU is enough */
    }
    free(line);
    fclose(f);
    return found;
}

static bool kvm_module_loaded(const char *name)
{
    char path[64];

    snprintf(path, sizeof(path), "/sys/module/%s", name);
    return access(path, F_OK) == 0;
}

/*
 * Does /dev/kvm run guest code in hardware?  The KVM ABI is the same for
 * every back end, and no KVM_CAP tells an emulating one apart (kvm_pvm
 * answers the same capabilities as kvm_intel), so look at who serves it:
 * - a PVM module (kvm_pvm) runs the guest deprivileged and emulates real
 *   mode, protected mode and privileged instructions in the host kernel:
 *   orders of magnitude slower for firmware and boot code -> not hw-backed;
 * - kvm_intel / kvm_amd, with the CPU advertising vmx / svm in
 *   /proc/cpuinfo (the kernel hides the flag when firmware disabled it)
 *   -> hw-backed;
 * - anything else (an unknown out-of-tree module) -> not hw-backed, so the
 *   default stays on the translator; -accel kvm still uses it.
 * /sys/module/<name> exists both for loaded modules and built-in ones that
 * have parameters, which kvm_intel/kvm_amd/kvm_pvm all have.
 */
static const char *kvm_detect_backend(bool *hw_backed)
{
    *hw_backed = false;
    if (kvm_module_loaded("kvm_pvm"))
        return "kvm_pvm";
    if (kvm_module_loaded("kvm_intel")) {
        *hw_backed = kvm_cpuinfo_has_flag("vmx");
        return "kvm_intel";
    }
    if (kvm_module_loaded("kvm_amd")) {
        *hw_backed = kvm_cpuinfo_has_flag("svm");
        return "kvm_amd";
    }
    return "unknown";
}

/* Open /dev/kvm and check it is usable; returns the fd or -errno with why. */
static int kvm_open_device(char *why, size_t len)
{
    static const struct { int cap; const char *name; } needed[] = {
        { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
        { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
        { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
        { KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
    };
    int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
    int ret;

    if (fd < 0) {
        ret = -errno;
        switch (-ret) {
        case ENOENT:
            snprintf(why, len, "KVM is not available: /dev/kvm does not exist (is the kvm "
                     "module loaded? does the CPU have virtualization enabled in firmware?)");
            break;
        case EACCES:
        case EPERM:
            snprintf(why, len, "permission denied on /dev/kvm: add your user to group 'kvm'");
            break;
        case ENXIO:
        case ENODEV:
            snprintf(why, len, "KVM is not available: /dev/kvm has no driver behind it "
                     "(load kvm_intel or kvm_amd)");
            break;
        default:
            snprintf(why, len, "KVM is not available: cannot open /dev/kvm: %s", strerror(-ret));
            break;
        }
        return ret;
    }

    ret = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (ret != KVM_API_VERSION_NEEDED) {
        if (ret < 0)
            snprintf(why, len, "KVM is not usable: KVM_GET_API_VERSION failed: %s",
                     strerror(errno));
        else
            snprintf(why, len, "KVM is not usable: the kernel speaks KVM API version %d, "
                     "pcvm needs %d", ret, KVM_API_VERSION_NEEDED);
        close(fd);
        return -EINVAL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(needed); i++) {
        if (ioctl(fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0) {
            snprintf(why, len, "KVM is not usable: the kernel lacks %s (Linux 4.11 or "
                     "later is needed)", needed[i].name);
            close(fd);
            return -ENOSYS;
        }
    }
    return fd;
}

static int kvm_probe(char *why, size_t len, bool *hw_backed)
{
    int fd = kvm_open_device(why, len);

    *hw_backed = false;
    if (fd < 0)
        return fd;
    close(fd);
    kvm.backend = kvm_detect_backend(&kvm.hw_backed);
    *hw_backed = kvm.hw_backed;
    if (!kvm.hw_backed)
        snprintf(why, len, "KVM is served by %s, which emulates privileged guest code "
                 "in software", kvm.backend);
    trace(LOG_KVM, "kvm: /dev/kvm served by %s (%s)\n", kvm.backend,
          kvm.hw_backed ? "hardware virtualization" : "not hardware-backed");
    return 0;
}

/* ------------------------------------------------------------------ */
/* vCPU scheduling: park, kick, inhibit */

static void kvm_kick_handler(int sig)
{
    KVMVcpu *v = kvm_current_vcpu;

    /* KVM polls immediate_exit on entry: closes the race with a kick that
     * lands just before KVM_RUN (api.rst, "immediate_exit"). */
    if (v && v->run)
        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELAXED);
}

/* Make v leave (or not enter) KVM_RUN.  Called with kvm.lock held. */
static void kvm_vcpu_kick_locked(KVMVcpu *v)
{
    if (v->in_run && v != kvm_current_vcpu) {
        /* The page is shared with the kernel and the vCPU's signal handler. */
        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELAXED);
        if (v->thread_started)
            pthread_kill(v->thread, KVM_SIG_KICK);
    }
    pthread_cond_broadcast(&kvm.cond);
}

/* Without the in-kernel irqchip there is no LAPIC, hence no INIT/SIPI:
 * application processors never run. */
static bool kvm_vcpu_dormant(const KVMVcpu *v)
{
    return !kvm.irqchip && v->index > 0;
}

/*
 * Must v stay out of the guest?  Called with kvm.lock held.  A pending
 * machine request (reset, power off, exit) also stops it, as on real
 * hardware where the write to 0xcf9 or isa-debug-exit is the last thing the
 * CPU does: firmware that follows a reset request with a deliberate triple
 * fault must not get there before the main loop carries out the reset.
 */
static bool kvm_vcpu_should_park(const KVMVcpu *v)
{
    return kvm.pause_count > 0 || v->stopped || kvm_vcpu_dormant(v) ||
           (v->env.halted && !v->kick) || machine_pending_request() != SHUTDOWN_NONE;
}

static bool kvm_others_match(bool (*pred)(const KVMVcpu *v))
{
    for (int i = 0; i < kvm.nr_vcpus; i++) {
        KVMVcpu *v = &kvm.vcpus[i];
        if (v != kvm_current_vcpu && v->thread_started && !pred(v))
            return false;
    }
    return true;
}

static bool kvm_vcpu_is_parked(const KVMVcpu *v)
{
    return v->parked;
}

static bool kvm_vcpu_out_of_run(const KVMVcpu *v)
{
    return !v->in_run;
}

/*
 * Keep every other vCPU out of KVM_RUN (they may still be emulating I/O or
 * waiting for the big lock) while memory slots are replaced, so no vCPU sees
 * the hole between deleting a slot and adding its successor.
 */
static void kvm_inhibit_begin(void)
{
    pthread_mutex_lock(&kvm.lock);
    kvm.inhibit_count++;
    for (int i = 0; i < kvm.nr_vcpus; i++)
        kvm_vcpu_kick_locked(&kvm.vcpus[i]);
    while (!kvm_others_match(kvm_vcpu_out_of_run))
        pthread_cond_wait(&kvm.cond, &kvm.lock);
    pthread_mutex_unlock(&kvm.lock);
}

static void kvm_inhibit_end(void)
{
    pthread_mutex_lock(&kvm.lock);
    kvm.inhibit_count--;
    pthread_cond_broadcast(&kvm.cond);
    pthread_mutex_unlock(&kvm.lock);
}

/* ------------------------------------------------------------------ */
/* memory slots */

static int kvm_set_slot(const KVMSlot *s, bool remove)
{
    struct kvm_userspace_memory_region r = {
        .slot = s->slot,
        .flags = s->flags,
        .guest_phys_addr = s->gpa,
        .memory_size = remove ? 0 : s->size,
        .userspace_addr = (uintptr_t)s->host,
    };
    int ret = kvm_ioctl(kvm.vm_fd, KVM_SET_USER_MEMORY_REGION, &r);

    trace(LOG_KVM, "kvm: slot %u %s gpa 0x%llx size 0x%llx%s%s\n", s->slot,
          remove ? "remove" : "add", (unsigned long long)s->gpa,
          (unsigned long long)s->size, (s->flags & KVM_MEM_READONLY) ? " readonly" : "",
          ret < 0 ? " FAILED" : "");
    if (ret < 0)
        error_report("kvm: cannot %s memory slot at 0x%llx (size 0x%llx): %s",
                     remove ? "remove" : "add", (unsigned long long)s->gpa,
                     (unsigned long long)s->size, strerror(-ret));
    return ret;
}

/*
 * A page-aligned copy of ROM contents whose buffer is not page aligned (a
 * firmware image read into malloc'd memory).  Copies are kept until the VM
 * is destroyed, so repeated commits (PAM changes) reuse them.
 */
typedef struct KVMRomCopy {
    const uint8_t *src;
    uint64_t size;
    uint8_t *copy;
    struct KVMRomCopy *next;
} KVMRomCopy;

static KVMRomCopy *kvm_rom_copies;

static uint8_t *kvm_rom_copy(const MemRegion *mr, const uint8_t *src, uint64_t size)
{
    KVMRomCopy *c;

    for (c = kvm_rom_copies; c; c = c->next)
        if (c->src == src && c->size == size)
            return c->copy;
    uint8_t *copy = mem_alloc_host(size);
    if (!copy)
        return (uint8_t *)src;
    memcpy(copy, src, size);
    c = xzalloc(sizeof(*c));
    c->src = src;
    c->size = size;
    c->copy = copy;
    c->next = kvm_rom_copies;
    kvm_rom_copies = c;
    trace(LOG_KVM, "kvm: %s is not page aligned in host memory: mapped from a copy\n",
          mr->name);
    return copy;
}

static void kvm_rom_copies_free(void)
{
    while (kvm_rom_copies) {
        KVMRomCopy *c = kvm_rom_copies;
        kvm_rom_copies = c->next;
        mem_free_host(c->copy, c->size);
        free(c);
    }
}

/* The slots the FlatView wants: its RAM ranges, trimmed to whole pages. */
static int kvm_mem_wanted(const FlatView *fv, KVMSlot **out)
{
    KVMSlot *want = xzalloc(sizeof(*want) * (fv->nr ? fv->nr : 1));
    int n = 0;

    for (int i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        const MemRegion *mr = fr->mr;
        uint64_t start, end;
        uint8_t *host;

        if (!mr || mr->type != MEM_RAM || !mr->host)
            continue;
        start = ALIGN_UP(fr->start, KVM_PAGE_SIZE);
        end = fr->end & ~(KVM_PAGE_SIZE - 1);
        if (start != fr->start || end != fr->end)
            trace(LOG_KVM, "kvm: %s [0x%llx, 0x%llx) is not page aligned: the partial "
                  "pages are emulated as MMIO\n", mr->name,
                  (unsigned long long)fr->start, (unsigned long long)fr->end);
        if (end <= start)
            continue;
        host = mr->host + fr->mr_offset + (start - fr->start);
        if ((uintptr_t)host & (KVM_PAGE_SIZE - 1)) {
            /* KVM maps whole host pages.  ROM cannot change under the guest,
             * so an aligned copy serves; RAM would lose its aliasing. */
            if (mr->readonly)
                host = kvm_rom_copy(mr, host, end - start);
            if ((uintptr_t)host & (KVM_PAGE_SIZE - 1)) {
                warn_report("kvm: %s: host memory is not page aligned (allocate it with "
                            "mem_alloc_host): the guest cannot execute from it", mr->name);
                continue;
            }
        }
        want[n].gpa = start;
        want[n].size = end - start;
        want[n].host = host;
        if (mr->readonly) {
            if (kvm.readonly_mem) {
                want[n].flags = KVM_MEM_READONLY;
            } else if (!kvm.warned_rom) {
                warn_report("kvm: no KVM_CAP_READONLY_MEM: ROM is writable by the guest");
                kvm.warned_rom = true;
            }
        }
        n++;
    }
    *out = want;
    return n;
}

static int kvm_slot_alloc_id(void)
{
    for (uint32_t i = 0; i < kvm.max_slots; i++)
        if (!kvm.slot_used[i]) {
            kvm.slot_used[i] = 1;
            return i;
        }
    return -ENOSPC;
}

/*
 * The map changed: delete the slots that are no longer wanted exactly as they
 * are (KVM cannot resize a slot or change its READONLY flag), then add the
 * new ones.  Called under the big lock, possibly on a vCPU thread (a PAM
 * register write): other vCPUs are held out of KVM_RUN meanwhile.
 */
static void kvm_mem_commit(MemListener *l, const FlatView *old, const FlatView *nv)
{
    KVMSlot *want;
    int nwant = kvm_mem_wanted(nv, &want);
    bool *matched = xzalloc(sizeof(bool) * (nwant ? nwant : 1));
    bool removing = false, adding = false, inhibited = false;
    int kept = 0;

    for (int i = 0; i < kvm.nr_slots; i++) {
        KVMSlot *s = &kvm.slots[i];
        s->keep = false;
        for (int j = 0; j < nwant; j++) {
            if (!matched[j] && want[j].gpa == s->gpa && want[j].size == s->size &&
                want[j].host == s->host && want[j].flags == s->flags) {
                matched[j] = true;
                s->keep = true;
                break;
            }
        }
        removing |= !s->keep;
    }
    for (int j = 0; j < nwant; j++)
        adding |= !matched[j];
    if (!removing && !adding)
        goto out;

    if (removing && kvm.started) {
        kvm_inhibit_begin();
        inhibited = true;
    }
    for (int i = 0; i < kvm.nr_slots; i++) {
        KVMSlot *s = &kvm.slots[i];
        if (s->keep) {
            kvm.slots[kept++] = *s;
            continue;
        }
        kvm_set_slot(s, true);
        kvm.slot_used[s->slot] = 0;
    }
    kvm.nr_slots = kept;
    kvm.slots = xrealloc(kvm.slots, sizeof(KVMSlot) * (kept + nwant + 1));
    for (int j = 0; j < nwant; j++) {
        int id;
        if (matched[j])
            continue;
        id = kvm_slot_alloc_id();
        if (id < 0) {
            error_report("kvm: out of memory slots (%u): the memory map is too fragmented",
                         kvm.max_slots);
            machine_request_exit(1, "out of KVM memory slots");
            break;
        }
        want[j].slot = id;
        if (kvm_set_slot(&want[j], false) < 0) {
            kvm.slot_used[id] = 0;
            machine_request_exit(1, "KVM_SET_USER_MEMORY_REGION failed");
            continue;
        }
        kvm.slots[kvm.nr_slots++] = want[j];
    }
    if (inhibited)
        kvm_inhibit_end();
out:
    free(matched);
    free(want);
}

/* ------------------------------------------------------------------ */
/* exits */

static void kvm_handle_io(KVMVcpu *v)
{
    struct kvm_run *run = v->run;
    unsigned size = run->io.size;
    uint32_t count = run->io.count;
    uint16_t port = run->io.port;
    bool out = run->io.direction == KVM_EXIT_IO_OUT;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;

    if ((size != 1 && size != 2 && size != 4) ||
        (uint64_t)run->io.data_offset + (uint64_t)size * count > (uint64_t)kvm.run_size) {
        error_report("kvm: cpu%d: malformed I/O exit (port 0x%x size %u count %u)",
                     v->index, port, size, count);
        machine_request_exit(1, "malformed KVM I/O exit");
        return;
    }
    trace(LOG_KVM, "kvm: cpu%d exit io %s port 0x%04x size %u count %u\n", v->index,
          out ? "out" : "in", port, size, count);

    bql_lock();
    for (uint32_t i = 0; i < count; i++, data += size) {
        uint32_t val = 0;
        if (out) {
            memcpy(&val, data, size);
            ioport_write(port, val, size);
        } else {
            val = ioport_read(port, size);
            memcpy(data, &val, size);
        }
    }
    bql_unlock();
}

static void kvm_handle_mmio(KVMVcpu *v)
{
    struct kvm_run *run = v->run;
    uint64_t gpa = run->mmio.phys_addr;
    unsigned len = run->mmio.len;
    bool write = run->mmio.is_write;
    const FlatRange *fr;

    if (len == 0 || len > sizeof(run->mmio.data)) {
        error_report("kvm: cpu%d: malformed MMIO exit (gpa 0x%llx len %u)", v->index,
                     (unsigned long long)gpa, len);
        machine_request_exit(1, "malformed KVM MMIO exit");
        return;
    }
    trace(LOG_KVM, "kvm: cpu%d exit mmio %s gpa 0x%llx len %u\n", v->index,
          write ? "write" : "read", (unsigned long long)gpa, len);

    bql_lock();
    fr = mem_lookup(gpa);
    if (fr && fr->mr->type == MEM_MMIO && gpa + len <= fr->end &&
        (len == 1 || len == 2 || len == 4 || len == 8)) {
        uint64_t val = 0;
        if (write) {
            memcpy(&val, run->mmio.data, len);
            mem_io_write(fr, gpa, val, len);
        } else {
            val = mem_io_read(fr, gpa, len);
            memcpy(run->mmio.data, &val, len);
        }
    } else if (write) {
        /* ROM (read-only slot), a partial page of RAM, or nothing. */
        mem_write(gpa, run->mmio.data, len);
    } else {
        mem_read(gpa, run->mmio.data, len);
    }
    bql_unlock();
}

static void kvm_vcpu_stop(KVMVcpu *v)
{
    pthread_mutex_lock(&kvm.lock);
    v->stopped = true;
    pthread_mutex_unlock(&kvm.lock);
}

/* Report a vCPU the kernel cannot run, with its registers, and end pcvm. */
static void kvm_vcpu_fatal(KVMVcpu *v, const char *what)
{
    error_report("kvm: cpu%d: %s", v->index, what);
    if (kvm_vcpu_get_state(v, false) == 0) {
        uint8_t code[16];
        uint64_t pc = v->env.segs[R_CS].base + v->env.eip;

        x86_cpu_dump_state(&v->env, stderr);
        bql_lock();
        if (mem_read(pc, code, sizeof(code)) == 0) {
            fprintf(stderr, "Code at 0x%llx:", (unsigned long long)pc);
            for (size_t i = 0; i < sizeof(code); i++)
                fprintf(stderr, " %02x", code[i]);
            fputc('\n', stderr);
        }
        bql_unlock();
    }
    if (!kvm.hw_backed && kvm.backend)
        error_report("kvm: this KVM back end (%s) emulates privileged code and cannot "
                     "run every guest mode (legacy paging, 32-bit IRET); try -accel tcg",
                     kvm.backend);
    kvm_vcpu_stop(v);
    machine_request_exit(1, "KVM could not run the guest");
}

static void kvm_handle_internal_error(KVMVcpu *v)
{
    static const char *const suberror[] = {
        [KVM_INTERNAL_ERROR_EMULATION] = "instruction emulation failed",
        [KVM_INTERNAL_ERROR_SIMUL_EX] = "exception while delivering an exception",
        [KVM_INTERNAL_ERROR_DELIVERY_EV] = "failed to deliver an event (IDT or stack "
                                           "not in RAM?)",
        [KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "unexpected VM exit",
    };
    struct kvm_run *run = v->run;
    uint32_t sub = run->internal.suberror;
    char msg[256];
    int n;

    n = snprintf(msg, sizeof(msg), "KVM internal error: %s (suberror %u",
                 sub < ARRAY_SIZE(suberror) && suberror[sub] ? suberror[sub] : "unknown", sub);
    for (uint32_t i = 0; i < run->internal.ndata && i < ARRAY_SIZE(run->internal.data) &&
                         n < (int)sizeof(msg) - 24; i++)
        n += snprintf(msg + n, sizeof(msg) - n, "%s0x%llx", i ? " " : ", data ",
                      (unsigned long long)run->internal.data[i]);
    snprintf(msg + n, sizeof(msg) - n, ")");
    kvm_vcpu_fatal(v, msg);
}

static void kvm_vcpu_handle_exit(KVMVcpu *v)
{
    struct kvm_run *run = v->run;
    char msg[128];

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        kvm_handle_io(v);
        v->io_pending = true;
        break;
    case KVM_EXIT_MMIO:
        kvm_handle_mmio(v);
        v->io_pending = true;
        break;
    case KVM_EXIT_IRQ_WINDOW_OPEN:
    case KVM_EXIT_INTR:
        trace(LOG_KVM, "kvm: cpu%d exit %s\n", v->index,
              run->exit_reason == KVM_EXIT_INTR ? "intr" : "irq window open");
        break;
    case KVM_EXIT_HLT:
        /* Only without the in-kernel irqchip: wait for INTR (with IF) or NMI. */
        trace(LOG_KVM, "kvm: cpu%d exit hlt (IF=%d)\n", v->index, run->if_flag);
        v->env.halted = true;
        break;
    case KVM_EXIT_SHUTDOWN:
        trace(LOG_KVM, "kvm: cpu%d exit shutdown (triple fault)\n", v->index);
        if (trace_enabled(LOG_RESET) && kvm_vcpu_get_state(v, false) == 0)
            x86_cpu_dump_state(&v->env, log_file());
        kvm_vcpu_stop(v);
        machine_request_reset("triple fault");
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        trace(LOG_KVM, "kvm: cpu%d exit system event %u\n", v->index, run->system_event.type);
        kvm_vcpu_stop(v);
        switch (run->system_event.type) {
        case KVM_SYSTEM_EVENT_SHUTDOWN:
            machine_request_poweroff();
            break;
        case KVM_SYSTEM_EVENT_RESET:
            machine_request_reset("KVM system event");
            break;
        default:
            snprintf(msg, sizeof(msg), "guest crashed (KVM system event %u)",
                     run->system_event.type);
            kvm_vcpu_fatal(v, msg);
            break;
        }
        break;
    case KVM_EXIT_FAIL_ENTRY:
        snprintf(msg, sizeof(msg), "KVM could not enter the guest (hardware entry failure "
                 "reason 0x%llx on host cpu %u): invalid guest state",
                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
                 run->fail_entry.cpu);
        kvm_vcpu_fatal(v, msg);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        kvm_handle_internal_error(v);
        break;
    case KVM_EXIT_SET_TPR:
    case KVM_EXIT_TPR_ACCESS:
    case KVM_EXIT_X86_BUS_LOCK:
        trace(LOG_KVM, "kvm: cpu%d exit %u ignored\n", v->index, run->exit_reason);
        break;
    default:
        snprintf(msg, sizeof(msg), "unexpected KVM exit reason %u", run->exit_reason);
        kvm_vcpu_fatal(v, msg);
        break;
    }
}

/*
 * Userspace PIC (kernel_irqchip off): the PIC drives cpu 0's INTR through
 * core/cpus.c.  Inject with KVM_INTERRUPT when the last exit said the guest
 * can take one; otherwise ask KVM to exit as soon as it can
 * (request_interrupt_window).  Runs on cpu 0's thread, outside KVM_RUN.
 */
static void kvm_vcpu_prepare_interrupts(KVMVcpu *v)
{
    struct kvm_run *run = v->run;

    if (cpus_nmi_take()) {
        int ret = kvm_ioctl(v->fd, KVM_NMI, NULL);
        trace(LOG_KVM, "kvm: cpu%d inject NMI%s\n", v->index, ret < 0 ? " (failed)" : "");
        v->env.halted = false;
    }
    if (kvm.irqchip)
        return;
    if (!cpus_intr_pending()) {
        run->request_interrupt_window = 0;
        return;
    }
    if (v->env.halted && !run->if_flag)
        return;                /* HLT with IF=0: only NMI or reset wakes it */
    v->env.halted = false;
    if (run->ready_for_interrupt_injection) {
        bql_lock();
        if (cpus_intr_pending()) {
            struct kvm_interrupt irq = { .irq = cpus_intack() & 0xff };
            int ret = kvm_ioctl(v->fd, KVM_INTERRUPT, &irq);
            trace(LOG_KVM, "kvm: cpu%d inject vector 0x%02x%s\n", v->index, irq.irq,
                  ret < 0 ? " (failed)" : "");
            /* Stale until the next KVM_RUN returns: do not inject twice. */
            run->ready_for_interrupt_injection = 0;
        }
        bql_unlock();
    }
    run->request_interrupt_window = cpus_intr_pending();
}

static void *kvm_vcpu_thread(void *opaque)
{
    KVMVcpu *v = opaque;
    sigset_t set;

    kvm_current_vcpu = v;
    /* Only the kick (and synchronous faults) reach a vCPU thread. */
    sigfillset(&set);
    sigdelset(&set, KVM_SIG_KICK);
    sigdelset(&set, SIGSEGV);
    sigdelset(&set, SIGBUS);
    sigdelset(&set, SIGFPE);
    sigdelset(&set, SIGILL);
    sigdelset(&set, SIGABRT);
    pthread_sigmask(SIG_SETMASK, &set, NULL);

    for (;;) {
        bool complete_only;
        int ret, err;

        if (v->index == 0)
            kvm_vcpu_prepare_interrupts(v);

        pthread_mutex_lock(&kvm.lock);
        for (;;) {
            if (kvm.quit)
                goto out_unlock;
            if (kvm.inhibit_count > 0) {
                pthread_cond_wait(&kvm.cond, &kvm.lock);
                continue;
            }
            if (kvm_vcpu_should_park(v) && !v->io_pending) {
                v->parked = true;
                pthread_cond_broadcast(&kvm.cond);
                pthread_cond_wait(&kvm.cond, &kvm.lock);
                v->parked = false;
                continue;
            }
            break;
        }
        if (v->kick && !v->io_pending) {
            v->kick = false;
            pthread_mutex_unlock(&kvm.lock);
            continue;           /* look at interrupts again first */
        }
        /*
         * An I/O exit is finished only by the next KVM_RUN (api.rst): before
         * parking, enter with immediate_exit set, which completes it and
         * returns -EINTR without running guest code.
         */
        complete_only = v->io_pending && (kvm_vcpu_should_park(v) || v->kick);
        __atomic_store_n(&v->run->immediate_exit, complete_only, __ATOMIC_RELAXED);
        v->in_run = true;
        pthread_mutex_unlock(&kvm.lock);

        if (v->reset_pending) {
            v->reset_pending = false;
            ret = kvm_vcpu_put_reset(v);
            if (ret < 0) {
                error_report("kvm: cpu%d: cannot load the power-on state: %s", v->index,
                             strerror(-ret));
                pthread_mutex_lock(&kvm.lock);
                v->in_run = false;
                v->stopped = true;
                pthread_cond_broadcast(&kvm.cond);
                pthread_mutex_unlock(&kvm.lock);
                machine_request_exit(1, "KVM reset failed");
                continue;
            }
        }

        ret = ioctl(v->fd, KVM_RUN, 0);
        err = errno;
        v->io_pending = false;

        pthread_mutex_lock(&kvm.lock);
        v->in_run = false;
        pthread_cond_broadcast(&kvm.cond);
        pthread_mutex_unlock(&kvm.lock);

        if (ret < 0) {
            if (err == EINTR || err == EAGAIN) {
                trace(LOG_KVM, "kvm: cpu%d KVM_RUN interrupted\n", v->index);
                continue;
            }
            char msg[96];
            snprintf(msg, sizeof(msg), "KVM_RUN failed: %s", strerror(err));
            kvm_vcpu_fatal(v, msg);
            continue;
        }
        /* Even a completion-only entry can end in a new exit: the next
         * chunk of a long string I/O instruction. */
        kvm_vcpu_handle_exit(v);
    }

out_unlock:
    v->parked = true;
    pthread_cond_broadcast(&kvm.cond);
    pthread_mutex_unlock(&kvm.lock);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* board hooks */

static void kvm_cpu0_kick(void)
{
    if (kvm.nr_vcpus == 0)
        return;
    pthread_mutex_lock(&kvm.lock);
    kvm.vcpus[0].kick = true;
    kvm_vcpu_kick_locked(&kvm.vcpus[0]);
    pthread_mutex_unlock(&kvm.lock);
}

static void kvm_hook_intr_changed(void)
{
    if (!kvm.irqchip)
        kvm_cpu0_kick();
}

static void kvm_hook_nmi(void)
{
    kvm_cpu0_kick();
}

static void kvm_hook_a20_changed(bool enabled)
{
    /* KVM has no A20 mask; like QEMU under KVM, A20 stays enabled. */
    trace(LOG_KVM, "kvm: A20 %s ignored (KVM always runs with A20 enabled)\n",
          enabled ? "enable" : "disable");
}

static const CpusHooks kvm_cpus_hooks = {
    .intr_changed = kvm_hook_intr_changed,
    .nmi = kvm_hook_nmi,
    .a20_changed = kvm_hook_a20_changed,
};

/* ------------------------------------------------------------------ */
/* init */

/*
 * GSI routing as on a PC with its ACPI MADT: ISA IRQ n (n < 16) goes to
 * PIC pin n and IOAPIC pin n, except that IRQ 0 (the PIT) is wired to IOAPIC
 * pin 2 (the MADT's interrupt source override) and IRQ 2 is the cascade;
 * GSIs 16-23 are IOAPIC pins only.  The kernel's default wires IRQ 0 to
 * IOAPIC pin 0, which guests that honour the override never unmask.
 */
static int kvm_setup_gsi_routing(void)
{
    struct kvm_irq_routing *r;
    int n = 0, ret;

    if (!kvm_check_extension(KVM_CAP_IRQ_ROUTING))
        return 0;
    r = xzalloc(sizeof(*r) + 48 * sizeof(r->entries[0]));
    for (int gsi = 0; gsi < 16; gsi++) {
        if (gsi == 2)
            continue;
        r->entries[n].gsi = gsi;
        r->entries[n].type = KVM_IRQ_ROUTING_IRQCHIP;
        r->entries[n].u.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
                                                  : KVM_IRQCHIP_PIC_SLAVE;
        r->entries[n].u.irqchip.pin = gsi & 7;
        n++;
    }
    for (int gsi = 0; gsi < KVM_NR_GSI; gsi++) {
        if (gsi == 2)
            continue;
        r->entries[n].gsi = gsi;
        r->entries[n].type = KVM_IRQ_ROUTING_IRQCHIP;
        r->entries[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
        r->entries[n].u.irqchip.pin = gsi == 0 ? 2 : gsi;
        n++;
    }
    r->nr = n;
    ret = kvm_ioctl(kvm.vm_fd, KVM_SET_GSI_ROUTING, r);
    free(r);
    if (ret < 0)
        error_report("kvm: KVM_SET_GSI_ROUTING failed: %s", strerror(-ret));
    return ret;
}

static int kvm_create_irqchip(const AccelConfig *cfg)
{
    int ret;

    if (cfg->kernel_irqchip == 0)
        return 0;
    if (!kvm_check_extension(KVM_CAP_IRQCHIP)) {
        if (cfg->kernel_irqchip == 1) {
            error_report("kvm: kernel-irqchip=on, but this KVM has no in-kernel irqchip");
            return -ENOSYS;
        }
        warn_report("kvm: no in-kernel irqchip: using the board's PIC and PIT");
        return 0;
    }
    ret = kvm_ioctl(kvm.vm_fd, KVM_CREATE_IRQCHIP, NULL);
    if (ret < 0) {
        error_report("kvm: KVM_CREATE_IRQCHIP failed: %s", strerror(-ret));
        return ret;
    }
    kvm.irqchip = true;
    ret = kvm_setup_gsi_routing();
    if (ret < 0)
        return ret;
    for (int i = 0; i < 3; i++) {
        kvm.chip_reset[i].chip_id = i;   /* PIC master, PIC slave, IOAPIC */
        ret = kvm_ioctl(kvm.vm_fd, KVM_GET_IRQCHIP, &kvm.chip_reset[i]);
        if (ret < 0) {
            error_report("kvm: KVM_GET_IRQCHIP failed: %s", strerror(-ret));
            return ret;
        }
    }

    if (!kvm_check_extension(KVM_CAP_PIT2)) {
        warn_report("kvm: no in-kernel PIT: using the board's");
        return 0;
    }
    /*
     * SPEAKER_DUMMY: the kernel also answers port 0x61 with PIT channel 2's
     * gate and output, which firmware polls to time delays (SeaBIOS's TSC
     * calibration); a userspace 0x61 could not see the kernel PIT's output.
     */
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    ret = kvm_ioctl(kvm.vm_fd, KVM_CREATE_PIT2, &pit);
    if (ret < 0) {
        error_report("kvm: KVM_CREATE_PIT2 failed: %s", strerror(-ret));
        return ret;
    }
    ret = kvm_ioctl(kvm.vm_fd, KVM_GET_PIT2, &kvm.pit_reset);
    if (ret < 0) {
        error_report("kvm: KVM_GET_PIT2 failed: %s", strerror(-ret));
        return ret;
    }
    kvm.pit = true;
    return 0;
}

static int kvm_create_vcpu(KVMVcpu *v, int index)
{
    int ret;

    v->index = index;
    v->env.cpu_index = index;
    v->fd = kvm_ioctl(kvm.vm_fd, KVM_CREATE_VCPU, (void *)(uintptr_t)index);
    if (v->fd < 0) {
        ret = v->fd;
        error_report("kvm: cannot create vCPU %d: %s", index, strerror(-ret));
        return ret;
    }
    v->run = mmap(NULL, kvm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (v->run == MAP_FAILED) {
        ret = -errno;
        v->run = NULL;
        error_report("kvm: cannot map vCPU %d's kvm_run: %s", index, strerror(-ret));
        return ret;
    }
    ret = kvm_vcpu_set_cpuid(v);
    if (ret < 0) {
        error_report("kvm: KVM_SET_CPUID2 failed for vCPU %d: %s", index, strerror(-ret));
        return ret;
    }
    if (kvm.irqchip) {
        /* The LAPIC as created is its power-on state: keep it for resets. */
        ret = kvm_ioctl(v->fd, KVM_GET_LAPIC, &v->lapic_reset);
        if (ret < 0) {
            error_report("kvm: KVM_GET_LAPIC failed: %s", strerror(-ret));
            return ret;
        }
    }
    x86_cpu_reset(&v->env);
    v->env.regs[R_EDX] = kvm_cpu_features.signature;
    v->reset_pending = true;
    return 0;
}

static void kvm_destroy(void);

static int kvm_init(const AccelConfig *cfg)
{
    char why[256];
    struct sigaction sa;
    int ret;

    kvm.sys_fd = kvm_open_device(why, sizeof(why));
    if (kvm.sys_fd < 0) {
        ret = kvm.sys_fd;
        error_report("%s", why);
        return ret;
    }
    if (!kvm.backend)
        kvm.backend = kvm_detect_backend(&kvm.hw_backed);

    do {
        kvm.vm_fd = ioctl(kvm.sys_fd, KVM_CREATE_VM, 0);
    } while (kvm.vm_fd < 0 && errno == EINTR);
    if (kvm.vm_fd < 0) {
        ret = -errno;
        error_report("kvm: KVM_CREATE_VM failed: %s%s", strerror(-ret),
                     ret == -EBUSY ? " (is another hypervisor, such as VirtualBox, "
                                     "holding the CPU's virtualization extensions?)" : "");
        goto err;
    }
    fcntl(kvm.vm_fd, F_SETFD, FD_CLOEXEC);

    kvm.run_size = ioctl(kvm.sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (kvm.run_size < (int)sizeof(struct kvm_run)) {
        ret = -EINVAL;
        error_report("kvm: KVM_GET_VCPU_MMAP_SIZE gave %d", kvm.run_size);
        goto err;
    }
    kvm.readonly_mem = kvm_check_extension(KVM_CAP_READONLY_MEM) > 0;
    kvm_cpu_features.has_xcrs = kvm_check_extension(KVM_CAP_XCRS) > 0;
    kvm_cpu_features.has_xsave = kvm_check_extension(KVM_CAP_XSAVE) > 0;
    kvm.max_slots = kvm_check_extension(KVM_CAP_NR_MEMSLOTS);
    if (kvm.max_slots == 0)
        kvm.max_slots = 32;
    kvm.slot_used = xzalloc(kvm.max_slots);

    int max_vcpus = kvm_check_extension(KVM_CAP_MAX_VCPUS);
    if (max_vcpus <= 0)
        max_vcpus = kvm_check_extension(KVM_CAP_NR_VCPUS);
    if (max_vcpus <= 0)
        max_vcpus = 4;
    if (cfg->smp < 1 || cfg->smp > max_vcpus) {
        ret = -EINVAL;
        error_report("kvm: -smp %d: this KVM supports 1 to %d vCPUs", cfg->smp, max_vcpus);
        goto err;
    }

    /* Before any vCPU exists (api.rst: KVM_SET_IDENTITY_MAP_ADDR). */
    if (kvm_check_extension(KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
        uint64_t addr = KVM_IDENTITY_MAP_ADDR;
        ret = kvm_ioctl(kvm.vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr);
        if (ret < 0) {
            error_report("kvm: KVM_SET_IDENTITY_MAP_ADDR failed: %s", strerror(-ret));
            goto err;
        }
    }
    ret = kvm_ioctl(kvm.vm_fd, KVM_SET_TSS_ADDR, (void *)(uintptr_t)KVM_TSS_ADDR);
    if (ret < 0) {
        error_report("kvm: KVM_SET_TSS_ADDR failed: %s", strerror(-ret));
        goto err;
    }

    ret = kvm_create_irqchip(cfg);
    if (ret < 0)
        goto err;

    kvm_cpu_features.irqchip = kvm.irqchip;
    ret = kvm_cpu_features_init(kvm.sys_fd);
    if (ret < 0)
        goto err;

    kvm.vcpus = xzalloc(sizeof(KVMVcpu) * cfg->smp);
    for (int i = 0; i < cfg->smp; i++) {
        kvm.vcpus[i].fd = -1;
        kvm.nr_vcpus = i + 1;
        ret = kvm_create_vcpu(&kvm.vcpus[i], i);
        if (ret < 0)
            goto err;
    }
    if (!kvm.irqchip && cfg->smp > 1)
        warn_report("kvm: without the in-kernel irqchip there is no local APIC: "
                    "only vCPU 0 runs");

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kvm_kick_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(KVM_SIG_KICK, &sa, NULL);

    cpus_set_hooks(&kvm_cpus_hooks);

    kvm.listener.commit = kvm_mem_commit;
    mem_listener_add(&kvm.listener);
    /* Whatever is already mapped (adding a listener may not replay it). */
    kvm_mem_commit(&kvm.listener, NULL, mem_flatview());

    trace(LOG_KVM, "kvm: VM created on %s: %d vCPU(s), irqchip %s, PIT %s, "
          "readonly memory %s\n", kvm.backend, kvm.nr_vcpus,
          kvm.irqchip ? "in kernel" : "userspace", kvm.pit ? "in kernel" : "userspace",
          kvm.readonly_mem ? "yes" : "no");
    return 0;

err:
    kvm_destroy();
    return ret;
}

/* ------------------------------------------------------------------ */
/* AccelOps */

static bool kvm_irqchip_in_kernel(void)
{
    return kvm.irqchip;
}

static bool kvm_pit_in_kernel(void)
{
    return kvm.pit;
}

static void kvm_set_gsi(int gsi, int level)
{
    struct kvm_irq_level irq = { .irq = gsi, .level = !!level };
    int ret;

    if (!kvm.irqchip || gsi < 0 || gsi >= KVM_NR_GSI)
        return;
    ret = kvm_ioctl(kvm.vm_fd, KVM_IRQ_LINE, &irq);
    if (ret < 0)
        trace(LOG_KVM, "kvm: KVM_IRQ_LINE gsi %d level %d failed: %s\n", gsi, level,
              strerror(-ret));
}

static int kvm_start(void)
{
    for (int i = 0; i < kvm.nr_vcpus; i++) {
        KVMVcpu *v = &kvm.vcpus[i];
        char name[32];
        int ret = pthread_create(&v->thread, NULL, kvm_vcpu_thread, v);

        if (ret) {
            error_report("kvm: cannot start the thread of vCPU %d: %s", i, strerror(ret));
            return -ret;
        }
        snprintf(name, sizeof(name), "CPU %d/KVM", i);
        pthread_setname_np(v->thread, name);
        pthread_mutex_lock(&kvm.lock);
        v->thread_started = true;
        pthread_mutex_unlock(&kvm.lock);
    }
    kvm.started = true;
    return 0;
}

/*
 * Park every other vCPU at the top of its loop, with any I/O exit completed
 * so its registers are consistent.  A vCPU emulating I/O needs the big lock
 * to get there, so drop it while waiting if this thread holds it.
 */
static void kvm_pause(void)
{
    bool had_bql;

    pthread_mutex_lock(&kvm.lock);
    kvm.pause_count++;
    for (int i = 0; i < kvm.nr_vcpus; i++)
        kvm_vcpu_kick_locked(&kvm.vcpus[i]);
    pthread_mutex_unlock(&kvm.lock);

    had_bql = bql_locked();
    if (had_bql)
        bql_unlock();
    pthread_mutex_lock(&kvm.lock);
    while (!kvm_others_match(kvm_vcpu_is_parked))
        pthread_cond_wait(&kvm.cond, &kvm.lock);
    pthread_mutex_unlock(&kvm.lock);
    if (had_bql)
        bql_lock();
}

static void kvm_resume(void)
{
    pthread_mutex_lock(&kvm.lock);
    if (kvm.pause_count > 0)
        kvm.pause_count--;
    pthread_cond_broadcast(&kvm.cond);
    pthread_mutex_unlock(&kvm.lock);
}

/*
 * Power-on state for everything KVM holds: each vCPU gets x86_cpu_reset()'s
 * state (pushed by its own thread before it next runs, with the LAPIC,
 * MP state and MSRs), and the in-kernel PIC/IOAPIC/PIT are put back to the
 * state they had when created (KVM cannot destroy and recreate them).
 */
static void kvm_reset(void)
{
    int ret;

    if (kvm.irqchip)
        for (int i = 0; i < 3; i++) {
            ret = kvm_ioctl(kvm.vm_fd, KVM_SET_IRQCHIP, &kvm.chip_reset[i]);
            if (ret < 0)
                error_report("kvm: KVM_SET_IRQCHIP failed: %s", strerror(-ret));
        }
    if (kvm.pit) {
        ret = kvm_ioctl(kvm.vm_fd, KVM_SET_PIT2, &kvm.pit_reset);
        if (ret < 0)
            error_report("kvm: KVM_SET_PIT2 failed: %s", strerror(-ret));
    }

    pthread_mutex_lock(&kvm.lock);
    for (int i = 0; i < kvm.nr_vcpus; i++) {
        KVMVcpu *v = &kvm.vcpus[i];
        x86_cpu_reset(&v->env);
        v->env.regs[R_EDX] = kvm_cpu_features.signature;
        v->reset_pending = true;
        v->stopped = false;
        v->kick = false;
    }
    pthread_cond_broadcast(&kvm.cond);
    pthread_mutex_unlock(&kvm.lock);
    trace(LOG_KVM, "kvm: reset %d vCPU(s)\n", kvm.nr_vcpus);
}

static void kvm_destroy(void)
{
    bool had_bql = false;

    pthread_mutex_lock(&kvm.lock);
    kvm.quit = true;
    for (int i = 0; i < kvm.nr_vcpus; i++)
        kvm_vcpu_kick_locked(&kvm.vcpus[i]);
    pthread_mutex_unlock(&kvm.lock);

    if (kvm.started) {
        had_bql = bql_locked();
        if (had_bql)
            bql_unlock();
        for (int i = 0; i < kvm.nr_vcpus; i++)
            if (kvm.vcpus[i].thread_started && &kvm.vcpus[i] != kvm_current_vcpu)
                pthread_join(kvm.vcpus[i].thread, NULL);
        if (had_bql)
            bql_lock();
    }
    if (kvm.listener.commit) {
        mem_listener_remove(&kvm.listener);
        kvm.listener.commit = NULL;
    }

    pthread_mutex_lock(&kvm.lock);
    int n = kvm.nr_vcpus;
    kvm.nr_vcpus = 0;
    pthread_mutex_unlock(&kvm.lock);
    for (int i = 0; i < n; i++) {
        KVMVcpu *v = &kvm.vcpus[i];
        if (v->run)
            munmap(v->run, kvm.run_size);
        if (v->fd >= 0)
            close(v->fd);
    }
    free(kvm.vcpus);
    kvm.vcpus = NULL;
    free(kvm_cpu_features.cpuid);
    kvm_cpu_features.cpuid = NULL;
    free(kvm.slots);
    kvm.slots = NULL;
    kvm.nr_slots = 0;
    free(kvm.slot_used);
    kvm.slot_used = NULL;
    kvm_rom_copies_free();
    if (kvm.vm_fd >= 0)
        close(kvm.vm_fd);
    if (kvm.sys_fd >= 0)
        close(kvm.sys_fd);
    kvm.vm_fd = kvm.sys_fd = -1;
    kvm.irqchip = kvm.pit = kvm.started = false;
    kvm.pause_count = kvm.inhibit_count = 0;
    kvm.quit = false;
}

void kvm_dump_cpus(FILE *f)
{
    for (int i = 0; i < kvm.nr_vcpus; i++) {
        KVMVcpu *v = &kvm.vcpus[i];
        /* After reset() and before the vCPU ran, env is what it will load. */
        if (v->reset_pending || kvm_vcpu_get_state(v, true) == 0)
            x86_cpu_dump_state(&v->env, f);
        else
            fprintf(f, "CPU#%d: registers unavailable\n", i);
    }
}

const AccelOps kvm_accel_ops = {
    .name = "kvm",
    .probe = kvm_probe,
    .init = kvm_init,
    .irqchip_in_kernel = kvm_irqchip_in_kernel,
    .pit_in_kernel = kvm_pit_in_kernel,
    .set_gsi = kvm_set_gsi,
    .start = kvm_start,
    .pause = kvm_pause,
    .resume = kvm_resume,
    .reset = kvm_reset,
    .destroy = kvm_destroy,
};
