/*
 * Device state tables: every device lists the fields that must survive
 * save/load, with a version.  vmstate_save/vmstate_load serialise a device
 * into a byte stream (little-endian, tagged by device name and version).
 */
#ifndef PCVM_VMSTATE_H
#define PCVM_VMSTATE_H

#include <stddef.h>
#include <stdint.h>

typedef enum VMStateType {
    VMS_U8, VMS_U16, VMS_U32, VMS_U64,
    VMS_I8, VMS_I16, VMS_I32, VMS_I64,
    VMS_BOOL,
    VMS_BUFFER,              /* raw bytes, size in .size */
    VMS_STRUCT,              /* nested table .vmsd, .n elements of .size bytes */
    VMS_TIMER,               /* a Timer: its expiry on its clock */
    VMS_END,
} VMStateType;

struct VMStateDescription;

typedef struct VMStateField {
    const char *name;
    VMStateType type;
    size_t offset;
    size_t size;             /* element size for arrays/structs, byte count for BUFFER */
    unsigned n;              /* array length (1 for scalars) */
    int version;             /* first version that has this field */
    const struct VMStateDescription *vmsd;
} VMStateField;

typedef struct VMStateDescription {
    const char *name;
    int version;
    int minimum_version;
    int (*pre_save)(void *opaque);
    /* re-derive computed state; return -EINVAL for out-of-range values */
    int (*post_load)(void *opaque, int version);
    const VMStateField *fields;
} VMStateDescription;

#define VMS_FIELD_(st, f, t, cnt, ver) \
    { .name = #f, .type = (t), .offset = offsetof(st, f), \
      .size = sizeof(((st *)0)->f) / (cnt), .n = (cnt), .version = (ver) }

#define VMSTATE_U8(st, f)   VMS_FIELD_(st, f, VMS_U8, 1, 0)
#define VMSTATE_U16(st, f)  VMS_FIELD_(st, f, VMS_U16, 1, 0)
#define VMSTATE_U32(st, f)  VMS_FIELD_(st, f, VMS_U32, 1, 0)
#define VMSTATE_U64(st, f)  VMS_FIELD_(st, f, VMS_U64, 1, 0)
#define VMSTATE_I32(st, f)  VMS_FIELD_(st, f, VMS_I32, 1, 0)
#define VMSTATE_I64(st, f)  VMS_FIELD_(st, f, VMS_I64, 1, 0)
#define VMSTATE_BOOL(st, f) VMS_FIELD_(st, f, VMS_BOOL, 1, 0)
#define VMSTATE_U8_ARRAY(st, f, cnt)  VMS_FIELD_(st, f, VMS_U8, cnt, 0)
#define VMSTATE_U16_ARRAY(st, f, cnt) VMS_FIELD_(st, f, VMS_U16, cnt, 0)
#define VMSTATE_U32_ARRAY(st, f, cnt) VMS_FIELD_(st, f, VMS_U32, cnt, 0)
#define VMSTATE_U64_ARRAY(st, f, cnt) VMS_FIELD_(st, f, VMS_U64, cnt, 0)
#define VMSTATE_BUFFER(st, f) \
    { .name = #f, .type = VMS_BUFFER, .offset = offsetof(st, f), \
      .size = sizeof(((st *)0)->f), .n = 1 }
#define VMSTATE_TIMER(st, f) \
    { .name = #f, .type = VMS_TIMER, .offset = offsetof(st, f), .size = sizeof(Timer), .n = 1 }
#define VMSTATE_STRUCT_ARRAY(st, f, cnt, desc) \
    { .name = #f, .type = VMS_STRUCT, .offset = offsetof(st, f), \
      .size = sizeof(((st *)0)->f[0]), .n = (cnt), .vmsd = (desc) }
#define VMSTATE_STRUCT(st, f, desc) \
    { .name = #f, .type = VMS_STRUCT, .offset = offsetof(st, f), \
      .size = sizeof(((st *)0)->f), .n = 1, .vmsd = (desc) }
#define VMSTATE_END { .type = VMS_END }

typedef struct VMStateBuf {
    uint8_t *data;
    size_t len, cap, pos;
} VMStateBuf;

/* Append the device's state to buf.  Returns 0 or -errno. */
int vmstate_save(VMStateBuf *buf, const VMStateDescription *vmsd, void *opaque);
/* Read it back; -EINVAL on a name/version mismatch, truncation or post_load refusal. */
int vmstate_load(VMStateBuf *buf, const VMStateDescription *vmsd, void *opaque);
void vmstate_buf_free(VMStateBuf *buf);

#endif
