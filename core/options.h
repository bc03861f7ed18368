/*
 * The command line, with QEMU's syntax and meaning.  config_parse() fills a
 * PcvmConfig; anything malformed is a one-line error naming the option.
 */
#ifndef PCVM_OPTIONS_H
#define PCVM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_DRIVES 8
#define MAX_SERIAL 4
#define MAX_DATADIRS 8

typedef enum DriveIf { IF_IDE, IF_NONE, IF_FLOPPY, IF_VIRTIO, IF_SCSI } DriveIf;
typedef enum DriveMedia { MEDIA_DISK, MEDIA_CDROM } DriveMedia;

typedef struct DriveOpts {
    char *file;              /* NULL: empty CD-ROM drive */
    char *format;            /* NULL: probe */
    DriveIf interface;
    int index;               /* 0..3 for IDE: bus * 2 + unit */
    DriveMedia media;
    bool readonly;
    bool snapshot;
    const char *option;      /* which option made it, for messages ("-hda") */
} DriveOpts;

typedef struct PcvmConfig {
    uint64_t ram_size;
    int smp;
    const char *bios;        /* -bios: NULL means bios-256k.bin in the data dirs */
    const char *datadirs[MAX_DATADIRS];
    int nr_datadirs;
    const char *kernel, *initrd, *append;
    DriveOpts drives[MAX_DRIVES];
    int nr_drives;
    const char *boot_order;  /* "cdn" etc. */
    bool boot_menu;
    int boot_splash_time;
    const char *serial[MAX_SERIAL];
    int nr_serial;
    const char *debugcon;
    const char *display;     /* "none", "sdl", ... NULL: default */
    bool nographic;
    const char *accel;       /* "kvm", "tcg", "kvm:tcg", NULL: default */
    int kernel_irqchip;      /* -1 default, 0 off, 1 on */
    bool no_reboot, no_shutdown;
    bool debug_exit;
    uint16_t debug_exit_iobase, debug_exit_iosize;
    const char *name;
    bool start_paused;       /* -S */
    bool snapshot;           /* -snapshot */
    const char *log_items;   /* -d */
    const char *log_file;    /* -D */
} PcvmConfig;

/*
 * Parse argv.  Returns 0 on success; 1 if the program should exit with
 * status 0 (-h, --version already printed); -1 on error (already reported).
 */
int config_parse(PcvmConfig *cfg, int argc, char **argv);

/* Find a firmware file: -bios/-L directories, then the configured default. */
char *config_find_firmware(const PcvmConfig *cfg, const char *name);

#endif
