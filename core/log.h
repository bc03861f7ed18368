/*
 * Messages for the user (errors, warnings) and the trace facility behind
 * QEMU's -d/-D switches.  Trace points cost one predictable branch when off.
 */
#ifndef PCVM_LOG_H
#define PCVM_LOG_H

#include <stdint.h>
#include <stdio.h>

/* -d categories (QEMU names where QEMU has one). */
#define LOG_GUEST_ERROR (1u << 0)   /* guest misprogrammed a device */
#define LOG_UNIMP       (1u << 1)   /* guest used something not implemented */
#define LOG_INT         (1u << 2)   /* interrupts and exceptions taken by the CPU */
#define LOG_IN_ASM      (1u << 3)   /* guest code as it is translated */
#define LOG_CPU         (1u << 4)   /* CPU state at each block */
#define LOG_EXEC        (1u << 5)   /* each block executed */
#define LOG_PCALL       (1u << 6)   /* protected-mode far calls, task switches */
#define LOG_IOPORT      (1u << 7)   /* port I/O, including unclaimed ports */
#define LOG_MMIO        (1u << 8)   /* MMIO accesses, including unassigned memory */
#define LOG_KVM         (1u << 9)   /* KVM exits and ioctls */
#define LOG_RESET       (1u << 10)  /* machine resets and shutdown */
#define LOG_MMU         (1u << 11)  /* page walks and TLB flushes */
#define LOG_DEV         (1u << 12)  /* device register traffic (fw_cfg, PCI config, ...) */

extern uint32_t log_mask;

/* Parse a comma-separated -d list; "help" prints the list. Returns 0 or -EINVAL. */
int log_parse_mask(const char *list, uint32_t *mask);
void log_print_categories(FILE *f);
/* -D file: where traces go (default stderr). Returns 0 or -errno. */
int log_set_file(const char *path);
FILE *log_file(void);

void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define trace(cat, ...) \
    do { if (__builtin_expect(log_mask & (cat), 0)) log_printf(__VA_ARGS__); } while (0)
#define trace_enabled(cat) __builtin_expect(!!(log_mask & (cat)), 0)

/* User-facing messages, prefixed with "pcvm: ". */
void error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* error_report + exit(1). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Silence info_report (used by tests that compare output). */
extern int log_quiet;

#endif
