/*
 * The main thread: an epoll loop over file descriptors, the timer lists and
 * machine requests (reset, power off, exit), plus the big lock.
 */
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/common.h"
#include "core/clock.h"
#include "core/mainloop.h"

#define MAX_FDS 64

typedef struct FdWatch {
    int fd;
    FdHandler *on_read, *on_write;
    void *opaque;
} FdWatch;

static pthread_mutex_t bql = PTHREAD_MUTEX_INITIALIZER;
static __thread bool bql_held;
static int epfd = -1, wake_fd = -1;
static FdWatch watches[MAX_FDS];
static volatile int request;        /* ShutdownCause */
static volatile int exit_status;

void (*machine_reset_handler)(void);
void (*machine_pause_handler)(void);
bool machine_no_reboot, machine_no_shutdown;

void bql_lock(void)
{
    pthread_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    bql_held = false;
    pthread_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

static void mainloop_wake_read(void *opaque)
{
    uint64_t v;
    while (read(wake_fd, &v, sizeof(v)) > 0)
        ;
}

void mainloop_notify(void)
{
    uint64_t one = 1;
    if (wake_fd >= 0 && write(wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        return;
}

int mainloop_init(void)
{
    if (epfd >= 0)
        return 0;
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        return -errno;
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd < 0)
        return -errno;
    clock_deadline_changed = mainloop_notify;
    return mainloop_add_fd(wake_fd, mainloop_wake_read, NULL, NULL);
}

static FdWatch *watch_find(int fd)
{
    for (int i = 0; i < MAX_FDS; i++)
        if (watches[i].on_read || watches[i].on_write)
            if (watches[i].fd == fd)
                return &watches[i];
    return NULL;
}

int mainloop_add_fd(int fd, FdHandler *on_read, FdHandler *on_write, void *opaque)
{
    FdWatch *w = watch_find(fd);
    bool add = !w;
    struct epoll_event ev = { 0 };

    if (!w) {
        for (int i = 0; i < MAX_FDS && !w; i++)
            if (!watches[i].on_read && !watches[i].on_write)
                w = &watches[i];
        if (!w)
            return -ENOSPC;
    }
    w->fd = fd;
    w->on_read = on_read;
    w->on_write = on_write;
    w->opaque = opaque;
    ev.events = (on_read ? EPOLLIN : 0) | (on_write ? EPOLLOUT : 0);
    ev.data.ptr = w;
    if (epoll_ctl(epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) < 0) {
        int ret = -errno;
        memset(w, 0, sizeof(*w));
        return ret;
    }
    return 0;
}

void mainloop_del_fd(int fd)
{
    FdWatch *w = watch_find(fd);
    if (!w)
        return;
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    memset(w, 0, sizeof(*w));
}

static void set_request(ShutdownCause cause, int status)
{
    /* A pending exit is never downgraded to a reset. */
    int cur = __atomic_load_n(&request, __ATOMIC_SEQ_CST);
    if (cur == SHUTDOWN_EXIT || cur == SHUTDOWN_POWEROFF || cur == SHUTDOWN_HOST)
        return;
    exit_status = status;
    __atomic_store_n(&request, cause, __ATOMIC_SEQ_CST);
    mainloop_notify();
}

void machine_request_reset(const char *why)
{
    trace(LOG_RESET, "reset requested: %s\n", why);
    if (machine_no_reboot)
        set_request(SHUTDOWN_EXIT, 0);
    else
        set_request(SHUTDOWN_RESET, 0);
}

void machine_request_poweroff(void)
{
    trace(LOG_RESET, "power off requested\n");
    set_request(SHUTDOWN_POWEROFF, 0);
}

void machine_request_exit(int status, const char *why)
{
    trace(LOG_RESET, "exit %d requested: %s\n", status, why);
    set_request(SHUTDOWN_EXIT, status);
}

void machine_request_quit(void)
{
    set_request(SHUTDOWN_HOST, 0);
}

ShutdownCause machine_pending_request(void)
{
    return __atomic_load_n(&request, __ATOMIC_SEQ_CST);
}

void mainloop_poll(int timeout_ms)
{
    struct epoll_event evs[16];
    int64_t deadline;
    int n;

    bql_lock();                 /* vCPU threads arm timers under the lock */
    deadline = timers_deadline_ns();
    bql_unlock();

    if (deadline >= 0) {
        int64_t ms = (deadline + 999999) / 1000000;
        if (timeout_ms < 0 || ms < timeout_ms)
            timeout_ms = (int)ms;
    }
    n = epoll_wait(epfd, evs, ARRAY_SIZE(evs), timeout_ms);
    bql_lock();
    for (int i = 0; i < n; i++) {
        FdWatch *w = evs[i].data.ptr;
        if ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && w->on_read)
            w->on_read(w->opaque);
        if ((evs[i].events & EPOLLOUT) && w->on_write)
            w->on_write(w->opaque);
    }
    timers_run_expired();
    bql_unlock();
}

int mainloop_run(void)
{
    for (;;) {
        ShutdownCause req = machine_pending_request();
        switch (req) {
        case SHUTDOWN_NONE:
            break;
        case SHUTDOWN_RESET:
            __atomic_store_n(&request, SHUTDOWN_NONE, __ATOMIC_SEQ_CST);
            if (machine_reset_handler)
                machine_reset_handler();
            continue;
        case SHUTDOWN_POWEROFF:
            if (machine_no_shutdown) {
                info_report("guest powered off; -no-shutdown: VM stays paused (quit with Ctrl-a x)");
                __atomic_store_n(&request, SHUTDOWN_NONE, __ATOMIC_SEQ_CST);
                machine_no_shutdown = false; /* the next request ends pcvm */
                if (machine_pause_handler)
                    machine_pause_handler();
                break;
            }
            return 0;
        case SHUTDOWN_EXIT:
            return exit_status;
        case SHUTDOWN_HOST:
            return 0;
        }
        mainloop_poll(1000);
    }
}
