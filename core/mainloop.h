/*
 * The main thread's event loop (epoll over fds plus timers), the big lock
 * that protects device state, and machine-level requests (reset, power off,
 * exit with a status) that any thread may make.
 */
#ifndef PCVM_MAINLOOP_H
#define PCVM_MAINLOOP_H

#include <stdbool.h>
#include <stdint.h>

/* The big lock.  vCPU threads take it to emulate I/O; the main loop holds
 * it while running fd handlers and timers. */
void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);

typedef void FdHandler(void *opaque);

/* Watch fd for reading (and/or writing); handlers run with the big lock held. */
int mainloop_add_fd(int fd, FdHandler *on_read, FdHandler *on_write, void *opaque);
void mainloop_del_fd(int fd);
/* Wake the main loop from another thread (timer armed, request made). */
void mainloop_notify(void);

int mainloop_init(void);
/* Run until a shutdown request; returns the exit status for pcvm. */
int mainloop_run(void);
/* One iteration with at most timeout_ms of waiting (tests). */
void mainloop_poll(int timeout_ms);

typedef enum ShutdownCause {
    SHUTDOWN_NONE,
    SHUTDOWN_RESET,          /* guest asked for a reset (or triple fault) */
    SHUTDOWN_POWEROFF,       /* ACPI power off: exit status 0 */
    SHUTDOWN_EXIT,           /* isa-debug-exit or a fatal host error: given status */
    SHUTDOWN_HOST,           /* signal / user quit: exit status 0 */
} ShutdownCause;

/* Requests; safe from any thread.  'why' is printed under -d reset. */
void machine_request_reset(const char *why);
void machine_request_poweroff(void);
void machine_request_exit(int status, const char *why);
void machine_request_quit(void);
ShutdownCause machine_pending_request(void);

/* What the main loop calls to carry out a reset, or to pause the machine
 * (-no-shutdown); set by core/main.c. */
extern void (*machine_reset_handler)(void);
extern void (*machine_pause_handler)(void);
/* -no-reboot: a guest reset ends pcvm (status 0).  -no-shutdown: power off pauses. */
extern bool machine_no_reboot, machine_no_shutdown;

#endif
