/* Internal helpers for filling the caller's error record. */
#ifndef MLPOT_CORE_ERROR_H
#define MLPOT_CORE_ERROR_H

#include "mlpot/status.h"

#if defined(__GNUC__)
#define MLPOT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MLPOT_PRINTF(a, b)
#endif

/* Sets err (if not NULL) to code with a formatted message and returns code. */
mlpot_status mlpot_fail(mlpot_error *err, mlpot_status code, const char *fmt, ...)
    MLPOT_PRINTF(3, 4);

/* Puts a formatted context before the message already in err ("file:12: " + message). */
void mlpot_error_prepend(mlpot_error *err, const char *fmt, ...) MLPOT_PRINTF(2, 3);

/* Out of memory while doing `what`. */
mlpot_status mlpot_fail_memory(mlpot_error *err, const char *what);

#endif
