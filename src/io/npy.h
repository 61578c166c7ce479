/* NumPy .npy arrays (format versions 1-3): little-endian floats, integers, unsigned integers
 * and booleans in C order, converted to double on reading. */
#ifndef MLPOT_IO_NPY_H
#define MLPOT_IO_NPY_H

#include <stddef.h>

#include "mlpot/status.h"

typedef struct npy_array {
    int ndim;
    long shape[8];
    size_t count; /* product of the shape */
    double *data;
} npy_array;

/* Parses an .npy image held in memory; `name` is used in messages. */
mlpot_status npy_parse(const unsigned char *buffer, size_t size, const char *name, npy_array *a,
                       mlpot_error *err);
/* Reads and parses a file. */
mlpot_status npy_read_file(const char *path, npy_array *a, mlpot_error *err);
void npy_free(npy_array *a);

#endif
