/*
 * Serialisation of device state tables (VMStateDescription) into a byte
 * stream: "name\0" u32 version, then each field little-endian in table order.
 */
#include "core/common.h"
#include "core/clock.h"
#include "core/vmstate.h"

static void buf_put(VMStateBuf *b, const void *data, size_t len)
{
    if (b->len + len > b->cap) {
        b->cap = MAX(b->cap * 2, b->len + len + 256);
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

static int buf_get(VMStateBuf *b, void *data, size_t len)
{
    if (b->pos + len > b->len)
        return -EINVAL;
    memcpy(data, b->data + b->pos, len);
    b->pos += len;
    return 0;
}

static size_t scalar_size(VMStateType t)
{
    switch (t) {
    case VMS_U8: case VMS_I8: case VMS_BOOL: return 1;
    case VMS_U16: case VMS_I16: return 2;
    case VMS_U32: case VMS_I32: return 4;
    case VMS_U64: case VMS_I64: return 8;
    default: return 0;
    }
}

static int save_fields(VMStateBuf *b, const VMStateDescription *vmsd, void *opaque)
{
    for (const VMStateField *f = vmsd->fields; f->type != VMS_END; f++) {
        uint8_t *base = (uint8_t *)opaque + f->offset;
        for (unsigned i = 0; i < f->n; i++) {
            uint8_t *p = base + (size_t)i * f->size;
            switch (f->type) {
            case VMS_BUFFER:
                buf_put(b, p, f->size);
                break;
            case VMS_STRUCT: {
                int ret = save_fields(b, f->vmsd, p);
                if (ret)
                    return ret;
                break;
            }
            case VMS_TIMER: {
                int64_t e = ((Timer *)p)->expire;
                buf_put(b, &e, 8);
                break;
            }
            default:
                /* x86-64 is little-endian: the in-memory bytes are the stream bytes */
                buf_put(b, p, scalar_size(f->type));
                break;
            }
        }
    }
    return 0;
}

static int load_fields(VMStateBuf *b, const VMStateDescription *vmsd, void *opaque,
                       int version)
{
    for (const VMStateField *f = vmsd->fields; f->type != VMS_END; f++) {
        uint8_t *base = (uint8_t *)opaque + f->offset;
        if (f->version > version)
            continue;
        for (unsigned i = 0; i < f->n; i++) {
            uint8_t *p = base + (size_t)i * f->size;
            int ret = 0;
            switch (f->type) {
            case VMS_BUFFER:
                ret = buf_get(b, p, f->size);
                break;
            case VMS_STRUCT:
                ret = load_fields(b, f->vmsd, p, f->vmsd->version);
                break;
            case VMS_TIMER: {
                int64_t e;
                ret = buf_get(b, &e, 8);
                if (!ret) {
                    if (e >= 0)
                        timer_mod((Timer *)p, e);
                    else
                        timer_del((Timer *)p);
                }
                break;
            }
            case VMS_BOOL: {
                uint8_t v;
                ret = buf_get(b, &v, 1);
                if (!ret && v > 1)
                    ret = -EINVAL;
                if (!ret)
                    *(bool *)p = v;
                break;
            }
            default:
                ret = buf_get(b, p, scalar_size(f->type));
                break;
            }
            if (ret)
                return ret;
        }
    }
    return 0;
}

int vmstate_save(VMStateBuf *b, const VMStateDescription *vmsd, void *opaque)
{
    uint32_t version = vmsd->version;
    int ret;

    if (vmsd->pre_save && (ret = vmsd->pre_save(opaque)) < 0)
        return ret;
    buf_put(b, vmsd->name, strlen(vmsd->name) + 1);
    buf_put(b, &version, 4);
    return save_fields(b, vmsd, opaque);
}

int vmstate_load(VMStateBuf *b, const VMStateDescription *vmsd, void *opaque)
{
    size_t namelen = strlen(vmsd->name) + 1;
    uint32_t version;
    int ret;

    if (b->pos + namelen > b->len || memcmp(b->data + b->pos, vmsd->name, namelen)) {
        error_report("vmstate: expected state of device '%s'", vmsd->name);
        return -EINVAL;
    }
    b->pos += namelen;
    if (buf_get(b, &version, 4))
        return -EINVAL;
    if ((int)version > vmsd->version || (int)version < vmsd->minimum_version) {
        error_report("vmstate: %s: version %u not supported (%d..%d)", vmsd->name, version,
                     vmsd->minimum_version, vmsd->version);
        return -EINVAL;
    }
    ret = load_fields(b, vmsd, opaque, version);
    if (ret) {
        error_report("vmstate: %s: state is truncated or invalid", vmsd->name);
        return ret;
    }
    if (vmsd->post_load && (ret = vmsd->post_load(opaque, version)) < 0) {
        error_report("vmstate: %s: loaded state is out of range", vmsd->name);
        return ret;
    }
    return 0;
}

void vmstate_buf_free(VMStateBuf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}
