/*
 * Character back ends: stdio (a raw terminal with QEMU's Ctrl-a escapes when
 * stdin is a tty), file:PATH, null.  Input is delivered to the front end only
 * as fast as it can take it.
 */
#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include "core/common.h"
#include "core/chardev.h"
#include "core/mainloop.h"

#define CHR_BUF 256
#define CTRL_A 0x01

struct CharDev {
    int in_fd, out_fd;
    bool is_stdio;
    bool escape;             /* saw Ctrl-a */
    int (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *buf, int len);
    void *opaque;
    uint8_t buf[CHR_BUF];
    int buf_len;
    bool watching;
};

static bool stdio_in_use;
static bool term_saved;
static struct termios saved_tio;

static void chardev_restore_term(void)
{
    if (term_saved) {
        tcsetattr(0, TCSANOW, &saved_tio);
        term_saved = false;
    }
}

void chardev_cleanup_all(void)
{
    chardev_restore_term();
}

static void chardev_stdio_raw(void)
{
    struct termios tio;

    if (!isatty(0) || tcgetattr(0, &saved_tio) < 0)
        return;
    term_saved = true;
    atexit(chardev_restore_term);
    tio = saved_tio;
    tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tio.c_oflag |= OPOST;
    tio.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
    tio.c_cflag &= ~(CSIZE | PARENB);
    tio.c_cflag |= CS8;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    tcsetattr(0, TCSANOW, &tio);
}

static void chardev_deliver(CharDev *chr)
{
    while (chr->buf_len && chr->receive) {
        int n = chr->can_receive ? chr->can_receive(chr->opaque) : chr->buf_len;
        if (n <= 0)
            break;
        n = MIN(n, chr->buf_len);
        chr->receive(chr->opaque, chr->buf, n);
        memmove(chr->buf, chr->buf + n, chr->buf_len - n);
        chr->buf_len -= n;
    }
}

static void chardev_read(void *opaque);

static void chardev_update_watch(CharDev *chr)
{
    bool want = chr->in_fd >= 0 && chr->buf_len < CHR_BUF;
    if (want == chr->watching)
        return;
    if (want)
        mainloop_add_fd(chr->in_fd, chardev_read, NULL, chr);
    else
        mainloop_del_fd(chr->in_fd);
    chr->watching = want;
}

static void chardev_help(CharDev *chr)
{
    static const char help[] =
        "\r\nC-a h    print this help\r\n"
        "C-a x    exit pcvm\r\n"
        "C-a C-a  send C-a\r\n";
    chardev_write(chr, (const uint8_t *)help, sizeof(help) - 1);
}

static void chardev_read(void *opaque)
{
    CharDev *chr = opaque;
    uint8_t tmp[CHR_BUF];
    ssize_t n = read(chr->in_fd, tmp, CHR_BUF - chr->buf_len);

    if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            /* end of input: stop watching, keep the machine running */
            mainloop_del_fd(chr->in_fd);
            chr->watching = false;
            chr->in_fd = -1;
        }
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        uint8_t c = tmp[i];
        if (chr->is_stdio && term_saved) {
            if (chr->escape) {
                chr->escape = false;
                if (c == 'x') {
                    chardev_write(chr, (const uint8_t *)"\r\npcvm: terminating on signal from the console\r\n", 49);
                    machine_request_quit();
                    return;
                }
                if (c == 'h' || c == '?') {
                    chardev_help(chr);
                    continue;
                }
                if (c != CTRL_A)
                    continue;
            } else if (c == CTRL_A) {
                chr->escape = true;
                continue;
            }
        }
        if (chr->buf_len < CHR_BUF)
            chr->buf[chr->buf_len++] = c;
    }
    chardev_deliver(chr);
    chardev_update_watch(chr);
}

int chardev_open(const char *spec, const char *option, CharDev **out)
{
    CharDev *chr;

    *out = NULL;
    if (!strcmp(spec, "none"))
        return 0;
    chr = xzalloc(sizeof(*chr));
    chr->in_fd = chr->out_fd = -1;
    if (!strcmp(spec, "stdio")) {
        if (stdio_in_use) {
            error_report("%s stdio: stdio is already used by another device", option);
            free(chr);
            return -EBUSY;
        }
        stdio_in_use = true;
        chr->is_stdio = true;
        chr->in_fd = 0;
        chr->out_fd = 1;
        chardev_stdio_raw();
        fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    } else if (!strncmp(spec, "file:", 5)) {
        chr->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (chr->out_fd < 0) {
            int ret = -errno;
            error_report("%s %s: %s", option, spec + 5, strerror(errno));
            free(chr);
            return ret;
        }
    } else if (!strcmp(spec, "null")) {
        /* swallows output, never has input */
    } else {
        error_report("%s %s: unknown character device (use stdio, file:PATH, null or none)",
                     option, spec);
        free(chr);
        return -EINVAL;
    }
    *out = chr;
    return 0;
}

void chardev_close(CharDev *chr)
{
    if (!chr)
        return;
    if (chr->watching)
        mainloop_del_fd(chr->in_fd);
    if (chr->is_stdio) {
        stdio_in_use = false;
        chardev_restore_term();
    } else if (chr->out_fd >= 0) {
        close(chr->out_fd);
    }
    free(chr);
}

void chardev_write(CharDev *chr, const uint8_t *buf, size_t len)
{
    if (!chr || chr->out_fd < 0)
        return;
    while (len) {
        ssize_t n = write(chr->out_fd, buf, len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return;   /* output gone (closed pipe): drop, as a UART with no cable */
        }
        buf += n;
        len -= n;
    }
}

void chardev_set_handlers(CharDev *chr, int (*can_receive)(void *opaque),
                          void (*receive)(void *opaque, const uint8_t *buf, int len),
                          void *opaque)
{
    if (!chr)
        return;
    chr->can_receive = can_receive;
    chr->receive = receive;
    chr->opaque = opaque;
    chardev_update_watch(chr);
}

void chardev_accept_input(CharDev *chr)
{
    if (!chr)
        return;
    chardev_deliver(chr);
    chardev_update_watch(chr);
}
