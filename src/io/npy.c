#include "io/npy.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"

void npy_free(npy_array *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* Finds 'key': in the header dict and returns a pointer just after the colon. */
static const char *header_value(const char *header, const char *key)
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, "'%s'", key);
    const char *p = strstr(header, pattern);
    if (!p) return NULL;
    p = strchr(p + strlen(pattern), ':');
    if (!p) return NULL;
    ++p;
    while (isspace((unsigned char)*p)) ++p;
    return p;
}

static double load_value(const unsigned char *p, char kind, int size)
{
    /* little-endian assumed by the format check below; memcpy avoids misaligned reads */
    switch (kind) {
    case 'f':
        if (size == 8) { double v; memcpy(&v, p, 8); return v; }
        else { float v; memcpy(&v, p, 4); return v; }
    case 'i':
        if (size == 8) { int64_t v; memcpy(&v, p, 8); return (double)v; }
        if (size == 4) { int32_t v; memcpy(&v, p, 4); return v; }
        if (size == 2) { int16_t v; memcpy(&v, p, 2); return v; }
        return (int8_t)p[0];
    case 'u':
        if (size == 8) { uint64_t v; memcpy(&v, p, 8); return (double)v; }
        if (size == 4) { uint32_t v; memcpy(&v, p, 4); return v; }
        if (size == 2) { uint16_t v; memcpy(&v, p, 2); return v; }
        return p[0];
    default: return p[0] != 0; /* 'b' */
    }
}

mlpot_status npy_parse(const unsigned char *buf, size_t size, const char *name, npy_array *a,
                       mlpot_error *err)
{
    memset(a, 0, sizeof *a);
    if (size < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: not a .npy array (bad magic bytes)", name);
    int major = buf[6];
    size_t header_len, offset;
    if (major == 1) {
        header_len = buf[8] | (size_t)buf[9] << 8;
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: truncated .npy header", name);
        header_len = buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
        offset = 12;
    } else {
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: unsupported .npy version %d", name, major);
    }
    if (offset + header_len > size)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: truncated .npy header", name);
    char *header = mlpot_strndup((const char *)buf + offset, header_len);
    if (!header) return mlpot_fail_memory(err, "reading a .npy header");
    mlpot_status st = MLPOT_OK;
    const char *descr = header_value(header, "descr");
    const char *fortran = header_value(header, "fortran_order");
    const char *shape = header_value(header, "shape");
    char order = 0, kind = 0;
    int item = 0;
    if (!descr || !fortran || !shape)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: .npy header lacks descr, fortran_order or shape", name);
    else if (descr[0] != '\'' || sscanf(descr + 1, "%c%c%d", &order, &kind, &item) != 3 ||
             !strchr("<|", order) || !strchr("fiub", kind) ||
             !(item == 1 || item == 2 || item == 4 || item == 8) || (kind == 'f' && item < 4))
        st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                        "%s: unsupported .npy dtype %.12s (little-endian float, int, uint or bool only)",
                        name, descr);
    else if (strncmp(fortran, "False", 5) != 0)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: Fortran-ordered .npy arrays are not supported", name);
    if (!st) {
        const char *p = shape;
        if (*p != '(') st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: bad shape in .npy header", name);
        a->count = 1;
        for (++p; !st && *p && *p != ')';) {
            while (isspace((unsigned char)*p) || *p == ',') ++p;
            if (*p == ')') break;
            char *end;
            errno = 0;
            long dim = strtol(p, &end, 10);
            if (end == p || dim < 0 || errno || a->ndim == 8) {
                st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: bad shape in .npy header", name);
                break;
            }
            a->shape[a->ndim++] = dim;
            a->count *= (size_t)dim;
            p = end;
        }
    }
    free(header);
    if (st) return st;
    size_t data_offset = offset + header_len;
    if ((size - data_offset) / (size_t)item < a->count)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: .npy data truncated: %zu values announced, %zu present",
                          name, a->count, (size - data_offset) / (size_t)item);
    a->data = mlpot_calloc(a->count + 1, sizeof *a->data);
    if (!a->data) return mlpot_fail_memory(err, "reading a .npy array");
    for (size_t k = 0; k < a->count; ++k) a->data[k] = load_value(buf + data_offset + k * (size_t)item, kind, item);
    return MLPOT_OK;
}

mlpot_status npy_read_file(const char *path, npy_array *a, mlpot_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            unsigned char *g = realloc(buf, cap);
            if (!g) {
                free(buf);
                fclose(f);
                return mlpot_fail_memory(err, "reading a .npy file");
            }
            buf = g;
        }
        size_t got = fread(buf + size, 1, cap - size, f);
        size += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    mlpot_status st = bad ? mlpot_fail(err, MLPOT_ERR_IO, "%s: read error", path)
                          : npy_parse(buf, size, path, a, err);
    free(buf);
    return st;
}
