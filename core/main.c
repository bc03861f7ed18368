/*
 * pcvm's entry point: parse the command line, pick an accelerator, build the
 * board, run the main loop until the guest or the user ends it.
 */
#include <signal.h>
#include <unistd.h>

#include "core/accel.h"
#include "core/chardev.h"
#include "core/common.h"
#include "core/mainloop.h"
#include "core/options.h"
#include "core/board.h"

const AccelOps *current_accel;

static void on_signal(int sig)
{
    machine_request_quit();
}

static void machine_reset(void)
{
    current_accel->pause();
    board_reset();
    current_accel->reset();
    current_accel->resume();
}

static void machine_pause(void)
{
    current_accel->pause();
}

static const AccelOps *accel_by_name(const char *name)
{
    return strcmp(name, "kvm") ? &tcg_accel_ops : &kvm_accel_ops;
}

/*
 * -accel a:b:c tries each in turn; without -accel, KVM when it runs guest
 * code in hardware, otherwise the software CPU, saying which and why.
 */
static const AccelOps *pick_accel(const PcvmConfig *cfg)
{
    char why[256] = "";
    bool hw = false;

    if (!cfg->accel) {
        int r = kvm_accel_ops.probe(why, sizeof(why), &hw);
        if (r == 0 && hw) {
            info_report("using KVM (hardware virtualization)");
            return &kvm_accel_ops;
        }
        info_report("using the software CPU: %s", why);
        return &tcg_accel_ops;
    }

    char *list = xstrdup(cfg->accel), *save = NULL;
    const AccelOps *found = NULL;
    for (char *name = strtok_r(list, ":", &save); name && !found;
         name = strtok_r(NULL, ":", &save)) {
        const AccelOps *ops = accel_by_name(name);
        why[0] = '\0';
        if (ops->probe(why, sizeof(why), &hw) == 0)
            found = ops;
        else
            error_report("%s", why);
    }
    free(list);
    return found;
}

/* Options whose devices pcvm does not have yet: refuse them plainly. */
static int check_unsupported(const PcvmConfig *cfg)
{
    for (int i = 0; i < cfg->nr_drives; i++) {
        const DriveOpts *d = &cfg->drives[i];
        if (d->file && *d->file && access(d->file, R_OK) != 0) {
            error_report("%s %s: %s", d->option, d->file, strerror(errno));
            return -1;
        }
    }
    if (!cfg->kernel && (cfg->initrd || cfg->append)) {
        error_report("%s only allowed with -kernel", cfg->initrd ? "-initrd" : "-append");
        return -1;
    }
    if (cfg->kernel && access(cfg->kernel, R_OK) != 0) {
        error_report("-kernel %s: %s", cfg->kernel, strerror(errno));
        return -1;
    }
    if (cfg->smp > 1) {
        error_report("-smp %d: more than one CPU is not supported yet", cfg->smp);
        return -1;
    }
    if (cfg->display && strcmp(cfg->display, "none") && strcmp(cfg->display, "default")) {
        error_report("-display %s: graphical displays are not supported yet (use -nographic)",
                     cfg->display);
        return -1;
    }
    if (cfg->start_paused) {
        error_report("-S: starting paused needs the monitor, which is not supported yet");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    PcvmConfig cfg;
    int status;

    int r = config_parse(&cfg, argc, argv);
    if (r)
        return r > 0 ? 0 : 1;
    if (cfg.log_items && log_parse_mask(cfg.log_items, &log_mask))
        return 1;
    if (cfg.log_file && (r = log_set_file(cfg.log_file)) < 0) {
        error_report("-D %s: %s", cfg.log_file, strerror(-r));
        return 1;
    }
    if (cfg.accel && !strcmp(cfg.accel, "help")) {
        printf("Accelerators supported in pcvm binary:\ntcg\nkvm\n");
        return 0;
    }
    if (check_unsupported(&cfg) || board_preflight(&cfg) < 0)
        return 1;

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    machine_no_reboot = cfg.no_reboot;
    machine_no_shutdown = cfg.no_shutdown;
    if ((r = mainloop_init()) < 0) {
        error_report("cannot set up the event loop: %s", strerror(-r));
        return 1;
    }

    current_accel = pick_accel(&cfg);
    if (!current_accel)
        return 1;
    AccelConfig acfg = { .smp = cfg.smp, .ram_size = cfg.ram_size,
                         .kernel_irqchip = cfg.kernel_irqchip };
    if ((r = current_accel->init(&acfg)) < 0) {
        error_report("%s: cannot start the accelerator: %s", current_accel->name, strerror(-r));
        return 1;
    }
    if (board_init(&cfg) < 0) {
        current_accel->destroy();
        chardev_cleanup_all();
        return 1;
    }
    machine_reset_handler = machine_reset;
    machine_pause_handler = machine_pause;

    current_accel->reset();
    if ((r = current_accel->start()) < 0) {
        error_report("%s: cannot start the vCPUs: %s", current_accel->name, strerror(-r));
        status = 1;
    } else {
        status = mainloop_run();
        current_accel->pause();
    }
    current_accel->destroy();
    board_destroy();
    chardev_cleanup_all();
    fflush(stdout);
    return status;
}
