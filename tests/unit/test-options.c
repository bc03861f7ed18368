/*
 * The QEMU-compatible command line.
 */
#include "core/common.h"
#include "core/options.h"
#include "tests/unit/tap.h"

static int parse(PcvmConfig *cfg, const char *line)
{
    char *copy = xstrdup(line), *argv[64], *save = NULL;
    int argc = 0;
    argv[argc++] = "pcvm";
    for (char *t = strtok_r(copy, " ", &save); t && argc < 63; t = strtok_r(NULL, " ", &save))
        argv[argc++] = t;
    argv[argc] = NULL;
    return config_parse(cfg, argc, argv);
}

int main(void)
{
    PcvmConfig c;

    log_quiet = 1;
    is_int(parse(&c, ""), 0, "no options");
    is_int(c.ram_size, 128 * MiB, "default RAM is 128 MiB");
    is_int(parse(&c, "-m 2G"), 0, "-m 2G");
    ok(c.ram_size == 2 * GiB, "... is 2 GiB");
    is_int(parse(&c, "-m 512"), 0, "-m 512");
    is_int(c.ram_size, 512 * MiB, "... default unit is MiB");
    is_int(parse(&c, "-m size=1536M"), 0, "-m size=1536M");
    is_int(c.ram_size, 1536 * MiB, "... size= form");
    is_int(parse(&c, "-m lots"), -1, "-m lots is an error");
    is_int(parse(&c, "-m 0"), -1, "-m 0 is an error");
    is_int(parse(&c, "-m -5"), -1, "-m -5 is an error");
    is_int(parse(&c, "--bogus"), -1, "unknown option is an error");
    is_int(parse(&c, "-m"), -1, "missing argument is an error");
    is_int(parse(&c, "-accel tcg"), 0, "-accel tcg");
    ok(c.accel && !strcmp(c.accel, "tcg"), "... selects tcg");
    is_int(parse(&c, "-accel hax"), -1, "unknown accelerator refused");
    is_int(parse(&c, "-machine pc,accel=kvm,kernel-irqchip=off"), 0, "-machine with properties");
    ok(c.accel && !strcmp(c.accel, "kvm") && c.kernel_irqchip == 0, "... accel and irqchip");
    is_int(parse(&c, "-machine q35"), -1, "q35 refused");
    is_int(parse(&c, "-enable-kvm"), 0, "-enable-kvm");
    ok(c.accel && !strcmp(c.accel, "kvm"), "... means kvm");
    is_int(parse(&c, "-boot order=dc,menu=on"), 0, "-boot order=dc,menu=on");
    ok(!strcmp(c.boot_order, "dc") && c.boot_menu, "... parsed");
    is_int(parse(&c, "-boot cdn"), 0, "-boot cdn (implied order=)");
    ok(!strcmp(c.boot_order, "cdn"), "... parsed");
    is_int(parse(&c, "-boot order=z"), -1, "bad boot device refused");
    is_int(parse(&c, "-hda a.img -cdrom b.iso"), 0, "-hda and -cdrom");
    is_int(c.nr_drives, 2, "... two drives");
    ok(c.drives[1].index == 2 && c.drives[1].media == MEDIA_CDROM, "... CD-ROM is secondary master");
    is_int(parse(&c, "-drive file=x.img,format=raw,if=ide,index=1,media=cdrom"), 0, "-drive");
    ok(c.drives[0].index == 1 && c.drives[0].media == MEDIA_CDROM &&
       !strcmp(c.drives[0].format, "raw"), "... all properties parsed");
    is_int(parse(&c, "-drive file=x.img,format=vmdk"), -1, "unknown format refused");
    is_int(parse(&c, "-hda a.img -drive file=b.img,index=0"), -1, "index clash refused");
    is_int(parse(&c, "-device isa-debug-exit,iobase=0xf4,iosize=0x04"), 0, "isa-debug-exit");
    ok(c.debug_exit && c.debug_exit_iobase == 0xf4 && c.debug_exit_iosize == 4, "... parsed");
    is_int(parse(&c, "-device isa-debug-exit"), 0, "isa-debug-exit defaults");
    ok(c.debug_exit_iobase == 0x501 && c.debug_exit_iosize == 2, "... QEMU's defaults");
    is_int(parse(&c, "-device e1000"), -1, "unknown device refused");
    is_int(parse(&c, "-serial stdio -serial file:/tmp/x"), 0, "two serial ports");
    is_int(c.nr_serial, 2, "... counted");
    is_int(parse(&c, "-smp 0"), -1, "-smp 0 refused");
    is_int(parse(&c, "-smp cpus=2,cores=2"), 0, "-smp cpus=2,cores=2");
    is_int(c.smp, 2, "... two CPUs");
    is_int(parse(&c, "-d int,bogus"), -1, "unknown -d item refused");
    is_int(parse(&c, "disk.img"), 0, "bare argument");
    ok(c.nr_drives == 1 && !strcmp(c.drives[0].file, "disk.img") && c.drives[0].index == 0,
       "... is the first hard disk");
    return done_testing();
}
