/*
 * User messages and the -d/-D trace facility.
 */
#include <stdarg.h>
#include <string.h>

#include "core/common.h"

uint32_t log_mask;
int log_quiet;
static FILE *trace_file;

static const struct {
    const char *name;
    uint32_t mask;
    const char *help;
} log_items[] = {
    { "guest_errors", LOG_GUEST_ERROR, "guest misprogrammed a device" },
    { "unimp",        LOG_UNIMP,       "guest used a feature pcvm does not implement" },
    { "int",          LOG_INT,         "interrupts and exceptions" },
    { "in_asm",       LOG_IN_ASM,      "guest code as it is translated" },
    { "cpu",          LOG_CPU,         "CPU state before each block" },
    { "exec",         LOG_EXEC,        "each block executed" },
    { "pcall",        LOG_PCALL,       "far calls through gates, task switches" },
    { "ioport",       LOG_IOPORT,      "port I/O (unclaimed ports always)" },
    { "mmio",         LOG_MMIO,        "MMIO accesses and unassigned memory" },
    { "kvm",          LOG_KVM,         "KVM exits" },
    { "reset",        LOG_RESET,       "machine resets and shutdown" },
    { "mmu",          LOG_MMU,         "page walks and TLB flushes" },
    { "dev",          LOG_DEV,         "device register traffic" },
};

void log_print_categories(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_items); i++)
        fprintf(f, "%-14s %s\n", log_items[i].name, log_items[i].help);
}

int log_parse_mask(const char *list, uint32_t *mask)
{
    char *copy = xstrdup(list), *save = NULL;
    uint32_t m = 0;
    int ret = 0;

    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t i;
        if (!strcmp(tok, "all")) {
            m = ~0u;
            continue;
        }
        for (i = 0; i < ARRAY_SIZE(log_items); i++)
            if (!strcmp(tok, log_items[i].name))
                break;
        if (i == ARRAY_SIZE(log_items)) {
            error_report("-d %s: unknown log item '%s' (try -d help)", list, tok);
            ret = -EINVAL;
            break;
        }
        m |= log_items[i].mask;
    }
    free(copy);
    if (!ret)
        *mask = m;
    return ret;
}

int log_set_file(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    setvbuf(f, NULL, _IOLBF, 0);
    trace_file = f;
    return 0;
}

FILE *log_file(void)
{
    return trace_file ? trace_file : stderr;
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file(), fmt, ap);
    va_end(ap);
}

static void report(const char *prefix, const char *fmt, va_list ap)
{
    fprintf(stderr, "pcvm: %s", prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;
    if (log_quiet)
        return;
    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
    exit(1);
}
