/*
 * Character back ends for the serial port and debugcon: stdio (raw terminal,
 * Ctrl-a x quits as in QEMU), file:PATH, null, none.  The front end (a UART)
 * registers a receive callback with a can-receive check.
 */
#ifndef PCVM_CHARDEV_H
#define PCVM_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

typedef struct CharDev CharDev;

/* Parse a -serial/-debugcon spec ("stdio", "file:PATH", "null", "none").
 * "none" gives *out = NULL.  Returns 0 or -errno, with an error reported. */
int chardev_open(const char *spec, const char *option, CharDev **out);
void chardev_close(CharDev *chr);

void chardev_write(CharDev *chr, const uint8_t *buf, size_t len);

/* Front end receive side.  can_receive returns how many bytes it accepts now. */
void chardev_set_handlers(CharDev *chr, int (*can_receive)(void *opaque),
                          void (*receive)(void *opaque, const uint8_t *buf, int len),
                          void *opaque);
/* The front end's buffer emptied: deliver pending input again. */
void chardev_accept_input(CharDev *chr);

/* Restore the terminal (called at exit). */
void chardev_cleanup_all(void);

#endif
