/*
 * QEMU-compatible command line parsing.  Every error is one line naming the
 * option; options for devices pcvm does not have yet are refused plainly.
 */
#include <getopt.h>
#include <unistd.h>

#include "config.h"
#include "core/common.h"
#include "core/options.h"

#define MAX_RAM (1ULL << 40)

static const char usage_text[] =
"usage: pcvm [options] [disk_image]\n"
"\n"
"Standard options:\n"
"  -h, -help, --help     show this help\n"
"  --version, -version   show the version\n"
"  -m [size=]SIZE        RAM size (default 128M; suffixes K, M, G, T)\n"
"  -smp [cpus=]N         number of CPUs (1 for now)\n"
"  -name NAME            name of the guest (window title)\n"
"  -S                    do not start the CPU until 'c' on the monitor\n"
"\n"
"Firmware and boot:\n"
"  -bios FILE            BIOS image (default bios-256k.bin from SeaBIOS)\n"
"  -L DIR                directory to search for firmware (may be repeated)\n"
"  -boot [order=]DRIVES[,menu=on|off][,splash-time=MS]\n"
"                        boot order: a, b (floppy), c (disk), d (CD-ROM), n (network)\n"
"  -kernel FILE          boot a Linux bzImage or multiboot kernel directly\n"
"  -initrd FILE          initial ramdisk for -kernel\n"
"  -append CMDLINE       kernel command line for -kernel\n"
"\n"
"Disks:\n"
"  -hda/-hdb/-hdc/-hdd FILE   IDE disk image\n"
"  -cdrom FILE           CD-ROM image (secondary master)\n"
"  -drive file=F[,format=raw|qcow2][,if=ide][,index=N][,media=disk|cdrom][,readonly=on]\n"
"  -snapshot             write to temporary files instead of disk images\n"
"\n"
"Display and consoles:\n"
"  -display none|sdl     front end (default: none until VGA is available)\n"
"  -nographic            no window; serial port on this terminal (Ctrl-a x quits)\n"
"  -serial stdio|file:PATH|null|none   serial port back end (may be repeated)\n"
"  -debugcon stdio|file:PATH|null|none debug console at port 0x402 (SeaBIOS log)\n"
"\n"
"Accelerators:\n"
"  -accel kvm|tcg        KVM or the software CPU (default: KVM when it is\n"
"                        hardware-backed, otherwise the software CPU)\n"
"  -enable-kvm           same as -accel kvm\n"
"  -machine [type=]pc[,accel=kvm|tcg][,kernel-irqchip=on|off]\n"
"\n"
"Devices:\n"
"  -device isa-debug-exit[,iobase=0x501][,iosize=0x2]\n"
"                        a write of V to the port ends pcvm with status (V << 1) | 1\n"
"\n"
"Run control and debugging:\n"
"  -no-reboot            exit instead of rebooting\n"
"  -no-shutdown          pause instead of exiting when the guest powers off\n"
"  -d ITEM[,ITEM...]     trace (-d help lists the items)\n"
"  -D FILE               write traces to FILE\n";

/* One row per option: name, has argument. */
typedef struct OptDef {
    const char *name;
    bool arg;
} OptDef;

static const OptDef optdefs[] = {
    { "h", false }, { "help", false }, { "version", false },
    { "m", true }, { "smp", true }, { "name", true }, { "S", false },
    { "bios", true }, { "L", true }, { "boot", true },
    { "kernel", true }, { "initrd", true }, { "append", true },
    { "hda", true }, { "hdb", true }, { "hdc", true }, { "hdd", true },
    { "cdrom", true }, { "drive", true }, { "snapshot", false },
    { "display", true }, { "nographic", false }, { "serial", true }, { "debugcon", true },
    { "accel", true }, { "enable-kvm", false }, { "machine", true }, { "M", true },
    { "device", true }, { "no-reboot", false }, { "no-shutdown", false },
    { "d", true }, { "D", true },
    /* common QEMU options for things pcvm does not have yet */
    { "netdev", true }, { "net", true }, { "nic", true }, { "monitor", true },
    { "vga", true }, { "usb", false }, { "cpu", true }, { "fda", true }, { "fdb", true },
};

static int parse_size(const char *s, uint64_t default_unit, uint64_t *out)
{
    char *end;
    double v;

    if (!*s || *s == '-')
        return -EINVAL;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -EINVAL;
    uint64_t unit = default_unit;
    switch (*end) {
    case '\0': break;
    case 'b': case 'B': unit = 1; end++; break;
    case 'k': case 'K': unit = KiB; end++; break;
    case 'm': case 'M': unit = MiB; end++; break;
    case 'g': case 'G': unit = GiB; end++; break;
    case 't': case 'T': unit = GiB * 1024; end++; break;
    default: return -EINVAL;
    }
    if (*end == 'i' || *end == 'I')   /* accept "2GiB" */
        end++;
    if ((*end == 'b' || *end == 'B') && unit != 1)
        end++;
    if (*end)
        return -EINVAL;
    if (v * unit >= 18446744073709551615.0)
        return -ERANGE;
    *out = (uint64_t)(v * unit);
    return 0;
}

/*
 * Split "a=1,b=2" style lists.  QEMU lets the first item omit its key
 * (implied_key), e.g. "-boot cdn" means order=cdn.  Calls fn for each pair;
 * a non-zero return stops the walk.
 */
typedef int KeyValFn(void *opaque, const char *opt, const char *key, const char *val);

static int parse_keyvals(const char *opt, const char *arg, const char *implied_key,
                         KeyValFn *fn, void *opaque)
{
    char *copy = xstrdup(arg), *p = copy;
    int ret = 0, first = 1;

    while (p && !ret) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        char *eq = strchr(p, '=');
        if (eq) {
            *eq = '\0';
            ret = fn(opaque, opt, p, eq + 1);
        } else if (first && implied_key) {
            ret = fn(opaque, opt, implied_key, p);
        } else if (*p) {
            ret = fn(opaque, opt, p, NULL);
        }
        first = 0;
        p = comma ? comma + 1 : NULL;
    }
    free(copy);
    return ret;
}

static int parse_bool(const char *opt, const char *key, const char *val, bool *out)
{
    if (!val || !strcmp(val, "on") || !strcmp(val, "yes") || !strcmp(val, "true")) {
        *out = true;
        return 0;
    }
    if (!strcmp(val, "off") || !strcmp(val, "no") || !strcmp(val, "false")) {
        *out = false;
        return 0;
    }
    error_report("%s: %s=%s: expected on or off", opt, key, val);
    return -EINVAL;
}

static int parse_uint(const char *opt, const char *key, const char *val, uint64_t max,
                      uint64_t *out)
{
    char *end;
    if (!val || !*val || *val == '-')
        goto bad;
    errno = 0;
    unsigned long long v = strtoull(val, &end, 0);
    if (errno || *end || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    error_report("%s: %s=%s: expected a number up to %llu", opt, key, val ? val : "",
                 (unsigned long long)max);
    return -EINVAL;
}

static int check_accel_name(const char *opt, const char *name)
{
    char *copy = xstrdup(name), *save = NULL;
    int ret = 0;
    for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
        if (strcmp(t, "kvm") && strcmp(t, "tcg")) {
            error_report("%s %s: unknown accelerator '%s' (pcvm has kvm and tcg)", opt, name, t);
            ret = -EINVAL;
            break;
        }
    }
    free(copy);
    return ret;
}

static int kv_accel(void *opaque, const char *opt, const char *key, const char *val)
{
    PcvmConfig *cfg = opaque;
    if (!strcmp(key, "accel")) {
        if (val && !strcmp(val, "help")) {
            cfg->accel = "help";
            return 0;
        }
        if (!val || check_accel_name(opt, val))
            return -EINVAL;
        cfg->accel = xstrdup(val);
        return 0;
    }
    if (!strcmp(key, "thread") && val && !strcmp(val, "single"))
        return 0;
    if (!strcmp(key, "kernel-irqchip")) {
        bool on;
        if (val && !strcmp(val, "split")) {
            error_report("%s: kernel-irqchip=split is not supported yet", opt);
            return -ENOTSUP;
        }
        if (parse_bool(opt, key, val, &on))
            return -EINVAL;
        cfg->kernel_irqchip = on;
        return 0;
    }
    error_report("%s: unknown accelerator property '%s'", opt, key);
    return -EINVAL;
}

static int kv_machine(void *opaque, const char *opt, const char *key, const char *val)
{
    PcvmConfig *cfg = opaque;
    if (!strcmp(key, "type")) {
        if (!val || (strcmp(val, "pc") && strncmp(val, "pc-i440fx", 9))) {
            if (val && (!strcmp(val, "q35") || !strncmp(val, "pc-q35", 6)))
                error_report("%s %s: the q35 machine is not supported yet (pcvm is an i440FX PC: use -machine pc)",
                             opt, val);
            else
                error_report("%s %s: unknown machine type (pcvm has: pc)", opt, val ? val : "");
            return -EINVAL;
        }
        return 0;
    }
    if (!strcmp(key, "accel") || !strcmp(key, "kernel-irqchip"))
        return kv_accel(opaque, opt, key, val);
    (void)cfg;
    error_report("%s: unknown machine property '%s'", opt, key);
    return -EINVAL;
}

static int kv_boot(void *opaque, const char *opt, const char *key, const char *val)
{
    PcvmConfig *cfg = opaque;
    if (!strcmp(key, "order") || !strcmp(key, "once")) {
        if (!val || !*val || strspn(val, "abcdefghijklmnop") != strlen(val)) {
            error_report("%s: invalid boot order '%s' (use letters a-p: c disk, d CD-ROM, n network)",
                         opt, val ? val : "");
            return -EINVAL;
        }
        cfg->boot_order = xstrdup(val);
        return 0;
    }
    if (!strcmp(key, "menu"))
        return parse_bool(opt, key, val, &cfg->boot_menu);
    if (!strcmp(key, "splash-time")) {
        uint64_t v;
        if (parse_uint(opt, key, val, 0xffff, &v))
            return -EINVAL;
        cfg->boot_splash_time = (int)v;
        return 0;
    }
    if (!strcmp(key, "strict") || !strcmp(key, "reboot-timeout") || !strcmp(key, "splash"))
        return 0;
    error_report("%s: unknown boot property '%s'", opt, key);
    return -EINVAL;
}

static int kv_smp(void *opaque, const char *opt, const char *key, const char *val)
{
    PcvmConfig *cfg = opaque;
    uint64_t v;
    if (!strcmp(key, "cpus") || !strcmp(key, "maxcpus")) {
        if (parse_uint(opt, key, val, 255, &v) || v == 0) {
            if (v == 0)
                error_report("%s: %s=0: need at least one CPU", opt, key);
            return -EINVAL;
        }
        if (!strcmp(key, "cpus"))
            cfg->smp = (int)v;
        return 0;
    }
    if (!strcmp(key, "sockets") || !strcmp(key, "cores") || !strcmp(key, "threads") ||
        !strcmp(key, "dies"))
        return parse_uint(opt, key, val, 255, &v);
    error_report("%s: unknown property '%s'", opt, key);
    return -EINVAL;
}

typedef struct DriveParse {
    PcvmConfig *cfg;
    DriveOpts *d;
} DriveParse;

static int kv_drive(void *opaque, const char *opt, const char *key, const char *val)
{
    DriveOpts *d = ((DriveParse *)opaque)->d;
    uint64_t v;

    if (!strcmp(key, "file")) {
        d->file = xstrdup(val ? val : "");
    } else if (!strcmp(key, "format")) {
        if (!val || (strcmp(val, "raw") && strcmp(val, "qcow2"))) {
            error_report("%s: format=%s: unknown image format (pcvm has raw and qcow2)", opt,
                         val ? val : "");
            return -EINVAL;
        }
        d->format = xstrdup(val);
    } else if (!strcmp(key, "if")) {
        if (!val)
            goto bad;
        if (!strcmp(val, "ide"))
            d->interface = IF_IDE;
        else if (!strcmp(val, "none"))
            d->interface = IF_NONE;
        else if (!strcmp(val, "floppy"))
            d->interface = IF_FLOPPY;
        else if (!strcmp(val, "virtio"))
            d->interface = IF_VIRTIO;
        else if (!strcmp(val, "scsi"))
            d->interface = IF_SCSI;
        else
            goto bad;
    } else if (!strcmp(key, "index")) {
        if (parse_uint(opt, key, val, 3, &v))
            return -EINVAL;
        d->index = (int)v;
    } else if (!strcmp(key, "media")) {
        if (val && !strcmp(val, "disk"))
            d->media = MEDIA_DISK;
        else if (val && !strcmp(val, "cdrom"))
            d->media = MEDIA_CDROM;
        else
            goto bad;
    } else if (!strcmp(key, "readonly")) {
        return parse_bool(opt, key, val, &d->readonly);
    } else if (!strcmp(key, "snapshot")) {
        return parse_bool(opt, key, val, &d->snapshot);
    } else if (!strcmp(key, "cache") || !strcmp(key, "aio") || !strcmp(key, "id")) {
        /* accepted; pcvm picks its own caching and AIO */
    } else {
        error_report("%s: unknown drive property '%s'", opt, key);
        return -EINVAL;
    }
    return 0;
bad:
    error_report("%s: %s=%s: invalid value", opt, key, val ? val : "");
    return -EINVAL;
}

static int add_drive(PcvmConfig *cfg, const char *opt, const char *file, int index,
                     DriveMedia media)
{
    if (cfg->nr_drives == MAX_DRIVES) {
        error_report("%s: too many drives", opt);
        return -EINVAL;
    }
    DriveOpts *d = &cfg->drives[cfg->nr_drives++];
    memset(d, 0, sizeof(*d));
    d->interface = IF_IDE;
    d->index = index;
    d->media = media;
    d->option = opt;
    d->file = file ? xstrdup(file) : NULL;
    return 0;
}

typedef struct DevParse {
    PcvmConfig *cfg;
    bool is_debug_exit;
} DevParse;

static int kv_device(void *opaque, const char *opt, const char *key, const char *val)
{
    DevParse *dp = opaque;
    uint64_t v;

    if (!strcmp(key, "driver")) {
        if (val && !strcmp(val, "isa-debug-exit")) {
            dp->is_debug_exit = true;
            dp->cfg->debug_exit = true;
            dp->cfg->debug_exit_iobase = 0x501;
            dp->cfg->debug_exit_iosize = 2;
            return 0;
        }
        if (val && !strcmp(val, "help")) {
            printf("Devices pcvm can add with -device:\nname \"isa-debug-exit\", bus ISA\n");
            return 1;
        }
        error_report("%s %s: device not supported (yet); pcvm has: isa-debug-exit", opt,
                     val ? val : "");
        return -ENOTSUP;
    }
    if (!dp->is_debug_exit)
        return -EINVAL;
    if (!strcmp(key, "iobase")) {
        if (parse_uint(opt, key, val, 0xffff, &v))
            return -EINVAL;
        dp->cfg->debug_exit_iobase = (uint16_t)v;
        return 0;
    }
    if (!strcmp(key, "iosize")) {
        if (parse_uint(opt, key, val, 4, &v) || !(v == 1 || v == 2 || v == 4)) {
            error_report("%s: iosize must be 1, 2 or 4", opt);
            return -EINVAL;
        }
        dp->cfg->debug_exit_iosize = (uint16_t)v;
        return 0;
    }
    error_report("%s: isa-debug-exit has no property '%s' (it has iobase and iosize)", opt, key);
    return -EINVAL;
}

static const char *str_arg(const char *s)
{
    return xstrdup(s);
}

static int handle_option(PcvmConfig *cfg, const char *name, const char *optname,
                         const char *arg)
{
    uint64_t v;
    int r;

    if (!strcmp(name, "h") || !strcmp(name, "help")) {
        fputs(usage_text, stdout);
        return 1;
    }
    if (!strcmp(name, "version")) {
        printf("pcvm version " PACKAGE_VERSION "\n"
               "A PC emulator with KVM and a software CPU; QEMU-compatible command line.\n");
        return 1;
    }
    if (!strcmp(name, "m")) {
        const char *s = !strncmp(arg, "size=", 5) ? arg + 5 : arg;
        char *copy = xstrdup(s);
        char *comma = strchr(copy, ',');   /* ignore ",slots=...,maxmem=..." */
        if (comma)
            *comma = '\0';
        r = parse_size(copy, MiB, &v);
        free(copy);
        if (r || v < MiB) {
            error_report("%s %s: invalid RAM size (use e.g. -m 512M or -m 2G)", optname, arg);
            return -1;
        }
        if (v > MAX_RAM) {
            error_report("%s %s: RAM size is larger than pcvm supports (1T)", optname, arg);
            return -1;
        }
        cfg->ram_size = ALIGN_UP(v, (uint64_t)MiB);
        return 0;
    }
    if (!strcmp(name, "smp"))
        return parse_keyvals(optname, arg, "cpus", kv_smp, cfg) ? -1 : 0;
    if (!strcmp(name, "name")) {
        cfg->name = str_arg(!strncmp(arg, "guest=", 6) ? arg + 6 : arg);
        char *comma = strchr((char *)cfg->name, ',');
        if (comma)
            *comma = '\0';
        return 0;
    }
    if (!strcmp(name, "S")) { cfg->start_paused = true; return 0; }
    if (!strcmp(name, "bios")) { cfg->bios = str_arg(arg); return 0; }
    if (!strcmp(name, "L")) {
        if (cfg->nr_datadirs == MAX_DATADIRS) {
            error_report("%s: too many -L directories", optname);
            return -1;
        }
        cfg->datadirs[cfg->nr_datadirs++] = str_arg(arg);
        return 0;
    }
    if (!strcmp(name, "boot"))
        return parse_keyvals(optname, arg, "order", kv_boot, cfg) ? -1 : 0;
    if (!strcmp(name, "kernel")) { cfg->kernel = str_arg(arg); return 0; }
    if (!strcmp(name, "initrd")) { cfg->initrd = str_arg(arg); return 0; }
    if (!strcmp(name, "append")) { cfg->append = str_arg(arg); return 0; }
    if (!strcmp(name, "hda") || !strcmp(name, "hdb") || !strcmp(name, "hdc") ||
        !strcmp(name, "hdd"))
        return add_drive(cfg, optname, arg, name[2] - 'a', MEDIA_DISK) ? -1 : 0;
    if (!strcmp(name, "cdrom"))
        return add_drive(cfg, optname, arg, 2, MEDIA_CDROM) ? -1 : 0;
    if (!strcmp(name, "drive")) {
        if (add_drive(cfg, optname, NULL, -1, MEDIA_DISK))
            return -1;
        DriveParse dp = { cfg, &cfg->drives[cfg->nr_drives - 1] };
        if (parse_keyvals(optname, arg, NULL, kv_drive, &dp))
            return -1;
        return 0;
    }
    if (!strcmp(name, "snapshot")) { cfg->snapshot = true; return 0; }
    if (!strcmp(name, "display")) {
        char *copy = xstrdup(arg), *comma = strchr(copy, ',');
        if (comma)
            *comma = '\0';
        if (strcmp(copy, "none") && strcmp(copy, "sdl") && strcmp(copy, "gtk") &&
            strcmp(copy, "curses") && strcmp(copy, "vnc") && strcmp(copy, "default")) {
            error_report("%s %s: unknown display (pcvm has: none, sdl)", optname, arg);
            free(copy);
            return -1;
        }
        cfg->display = copy;
        return 0;
    }
    if (!strcmp(name, "nographic")) { cfg->nographic = true; return 0; }
    if (!strcmp(name, "serial")) {
        if (cfg->nr_serial == MAX_SERIAL) {
            error_report("%s: at most %d serial ports", optname, MAX_SERIAL);
            return -1;
        }
        cfg->serial[cfg->nr_serial++] = str_arg(arg);
        return 0;
    }
    if (!strcmp(name, "debugcon")) { cfg->debugcon = str_arg(arg); return 0; }
    if (!strcmp(name, "accel"))
        return parse_keyvals(optname, arg, "accel", kv_accel, cfg) ? -1 : 0;
    if (!strcmp(name, "enable-kvm")) { cfg->accel = "kvm"; return 0; }
    if (!strcmp(name, "machine") || !strcmp(name, "M"))
        return parse_keyvals(optname, arg, "type", kv_machine, cfg) ? -1 : 0;
    if (!strcmp(name, "device")) {
        DevParse dp = { cfg, false };
        r = parse_keyvals(optname, arg, "driver", kv_device, &dp);
        return r > 0 ? 1 : r ? -1 : 0;
    }
    if (!strcmp(name, "no-reboot")) { cfg->no_reboot = true; return 0; }
    if (!strcmp(name, "no-shutdown")) { cfg->no_shutdown = true; return 0; }
    if (!strcmp(name, "d")) {
        if (!strcmp(arg, "help")) {
            log_print_categories(stdout);
            return 1;
        }
        uint32_t mask;
        if (log_parse_mask(arg, &mask))
            return -1;
        cfg->log_items = str_arg(arg);
        return 0;
    }
    if (!strcmp(name, "D")) { cfg->log_file = str_arg(arg); return 0; }
    if (!strcmp(name, "cpu")) {
        warn_report("%s %s: ignored; pcvm presents one CPU model per accelerator", optname, arg);
        return 0;
    }
    if (!strcmp(name, "vga")) {
        if (!strcmp(arg, "none"))
            return 0;
        error_report("%s %s: VGA is not supported yet", optname, arg);
        return -1;
    }
    if (!strcmp(name, "netdev") || !strcmp(name, "net") || !strcmp(name, "nic")) {
        if (!strcmp(arg, "none"))
            return 0;
        error_report("%s %s: networking is not supported yet", optname, arg);
        return -1;
    }
    if (!strcmp(name, "monitor")) {
        if (!strcmp(arg, "none"))
            return 0;
        error_report("%s %s: the monitor is not supported yet", optname, arg);
        return -1;
    }
    if (!strcmp(name, "usb")) {
        error_report("%s: USB is not supported yet", optname);
        return -1;
    }
    if (!strcmp(name, "fda") || !strcmp(name, "fdb")) {
        error_report("%s %s: floppy disks are not supported yet", optname, arg);
        return -1;
    }
    error_report("%s: option not handled", optname);
    return -1;
}

int config_parse(PcvmConfig *cfg, int argc, char **argv)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->ram_size = 128 * MiB;
    cfg->smp = 1;
    cfg->kernel_irqchip = -1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            /* QEMU: a bare argument is the first hard disk */
            if (add_drive(cfg, "-hda", a, 0, MEDIA_DISK))
                return -1;
            continue;
        }
        const char *name = a + 1;
        if (name[0] == '-')
            name++;
        const OptDef *def = NULL;
        for (size_t k = 0; k < ARRAY_SIZE(optdefs); k++)
            if (!strcmp(optdefs[k].name, name))
                def = &optdefs[k];
        if (!def) {
            error_report("%s: invalid option", a);
            return -1;
        }
        const char *arg = NULL;
        if (def->arg) {
            if (i + 1 >= argc) {
                error_report("%s: requires an argument", a);
                return -1;
            }
            arg = argv[++i];
        }
        int r = handle_option(cfg, def->name, a, arg);
        if (r)
            return r;
    }

    for (int i = 0; i < cfg->nr_drives; i++) {
        DriveOpts *d = &cfg->drives[i];
        if (!d->option)
            d->option = "-drive";
        if (d->snapshot == false && cfg->snapshot)
            d->snapshot = true;
        if (d->index < 0) {
            /* first free IDE slot */
            bool used[4] = { 0 };
            for (int j = 0; j < cfg->nr_drives; j++)
                if (j != i && cfg->drives[j].index >= 0)
                    used[cfg->drives[j].index & 3] = true;
            int k = 0;
            while (k < 4 && used[k])
                k++;
            if (k == 4) {
                error_report("%s: no free IDE slot (there are four)", d->option);
                return -1;
            }
            d->index = k;
        }
        for (int j = 0; j < i; j++) {
            if (cfg->drives[j].interface == d->interface && cfg->drives[j].index == d->index) {
                error_report("%s: drive index %d is already used by %s", d->option, d->index,
                             cfg->drives[j].option);
                return -1;
            }
        }
    }
    return 0;
}

char *config_find_firmware(const PcvmConfig *cfg, const char *name)
{
    char path[4096];

    /* as QEMU: a name that exists as given wins, then -L dirs, then the default */
    if (access(name, F_OK) == 0)
        return xstrdup(name);
    if (strchr(name, '/'))
        return NULL;
    for (int i = 0; i < cfg->nr_datadirs; i++) {
        snprintf(path, sizeof(path), "%s/%s", cfg->datadirs[i], name);
        if (access(path, F_OK) == 0)
            return xstrdup(path);
    }
    snprintf(path, sizeof(path), "%s/%s", FIRMWARE_DIR, name);
    if (access(path, F_OK) == 0)
        return xstrdup(path);
    return NULL;
}
