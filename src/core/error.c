#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *mlpot_status_string(mlpot_status code)
{
    switch (code) {
    case MLPOT_OK: return "ok";
    case MLPOT_ERR_ARGUMENT: return "invalid argument";
    case MLPOT_ERR_IO: return "input/output error";
    case MLPOT_ERR_FORMAT: return "format error";
    case MLPOT_ERR_UNSUPPORTED: return "unsupported";
    case MLPOT_ERR_MEMORY: return "out of memory";
    case MLPOT_ERR_NUMERIC: return "numerical error";
    case MLPOT_ERR_GEOMETRY: return "geometry error";
    case MLPOT_ERR_MISSING: return "missing data";
    case MLPOT_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

void mlpot_error_clear(mlpot_error *err)
{
    if (!err) return;
    err->code = MLPOT_OK;
    err->message[0] = '\0';
}

mlpot_status mlpot_fail(mlpot_error *err, mlpot_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void mlpot_error_prepend(mlpot_error *err, const char *fmt, ...)
{
    if (!err) return;
    char prefix[MLPOT_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    /* prefix + old message, truncated to the record's size */
    char joined[2 * MLPOT_ERROR_MESSAGE_SIZE];
    size_t lp = strlen(prefix), lm = strlen(err->message);
    memcpy(joined, prefix, lp);
    memcpy(joined + lp, err->message, lm + 1);
    joined[MLPOT_ERROR_MESSAGE_SIZE - 1] = '\0';
    memcpy(err->message, joined, MLPOT_ERROR_MESSAGE_SIZE);
}

mlpot_status mlpot_fail_memory(mlpot_error *err, const char *what)
{
    return mlpot_fail(err, MLPOT_ERR_MEMORY, "out of memory while %s", what);
}

const char *mlpot_version(void)
{
    return MLPOT_VERSION_STRING;
}
