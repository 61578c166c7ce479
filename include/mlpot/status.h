/* Status codes and the caller-owned error record.
 *
 * Every fallible mlpot function returns an mlpot_status and, when it fails, fills the
 * mlpot_error the caller passed (which may be NULL when the caller only wants the code).
 * The library never prints and never exits: the message is the caller's to show. */
#ifndef MLPOT_STATUS_H
#define MLPOT_STATUS_H

#include "mlpot/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mlpot_status {
    MLPOT_OK = 0,
    MLPOT_ERR_ARGUMENT = 1,    /* an argument or parameter is out of range or inconsistent */
    MLPOT_ERR_IO = 2,          /* a file cannot be opened, read, written or renamed */
    MLPOT_ERR_FORMAT = 3,      /* an input file is malformed (message names file and line) */
    MLPOT_ERR_UNSUPPORTED = 4, /* valid input that mlpot does not handle (species, model kind) */
    MLPOT_ERR_MEMORY = 5,      /* an allocation failed */
    MLPOT_ERR_NUMERIC = 6,     /* NaN/Inf, singular matrix, divergence */
    MLPOT_ERR_GEOMETRY = 7,    /* degenerate cell, overlapping atoms, cutoff beyond limits */
    MLPOT_ERR_MISSING = 8,     /* a requested label or output is absent */
    MLPOT_ERR_INTERNAL = 9     /* a broken invariant: a bug in mlpot */
} mlpot_status;

enum { MLPOT_ERROR_MESSAGE_SIZE = 1024 };

typedef struct mlpot_error {
    mlpot_status code;
    char message[MLPOT_ERROR_MESSAGE_SIZE];
} mlpot_error;

/* A short fixed name of the code, e.g. "format error". */
MLPOT_API const char *mlpot_status_string(mlpot_status code);

/* Resets the record to MLPOT_OK with an empty message. */
MLPOT_API void mlpot_error_clear(mlpot_error *err);

/* Library version as "major.minor.patch". */
MLPOT_API const char *mlpot_version(void);

#ifdef __cplusplus
}
#endif

#endif
