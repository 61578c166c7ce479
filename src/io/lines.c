#include "io/lines.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"

mlpot_status line_reader_open(line_reader *r, const char *path, mlpot_error *err)
{
    memset(r, 0, sizeof *r);
    if (strcmp(path, "-") == 0) {
        r->file = stdin;
    } else {
        r->file = fopen(path, "r");
        if (!r->file)
            return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        r->owns_file = 1;
    }
    r->path = mlpot_strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    if (!r->path) {
        line_reader_close(r);
        return mlpot_fail_memory(err, "opening a file");
    }
    return MLPOT_OK;
}

void line_reader_close(line_reader *r)
{
    if (r->owns_file && r->file) fclose(r->file);
    free(r->line);
    free(r->path);
    memset(r, 0, sizeof *r);
}

mlpot_status line_reader_next(line_reader *r, int *eof, mlpot_error *err)
{
    errno = 0;
    ssize_t n = getline(&r->line, &r->capacity, r->file);
    if (n < 0) {
        if (ferror(r->file))
            return mlpot_fail(err, MLPOT_ERR_IO, "%s: read error after line %ld: %s", r->path,
                              r->number, strerror(errno));
        *eof = 1;
        if (r->line) r->line[0] = '\0';
        return MLPOT_OK;
    }
    *eof = 0;
    r->number++;
    while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r')) r->line[--n] = '\0';
    if (strlen(r->line) != (size_t)n)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: line contains a NUL byte (binary file?)",
                          r->path, r->number);
    return MLPOT_OK;
}

int split_fields(char *s, char **fields, int max)
{
    int n = 0;
    for (;;) {
        while (*s && isspace((unsigned char)*s)) ++s;
        if (!*s) break;
        if (n < max) fields[n] = s;
        ++n;
        while (*s && !isspace((unsigned char)*s)) ++s;
        if (!*s) break;
        *s++ = '\0';
    }
    return n;
}

int is_blank(const char *s)
{
    for (; *s; ++s)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

mlpot_status parse_real(const char *text, double *out, const line_reader *r, const char *what,
                        mlpot_error *err)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    /* Fortran-style exponents (1.0D-3) appear in files written by Fortran codes */
    if (end != text && (*end == 'd' || *end == 'D')) {
        char buf[64];
        size_t len = strlen(text);
        if (len < sizeof buf) {
            memcpy(buf, text, len + 1);
            buf[end - text] = 'e';
            x = strtod(buf, &end);
            end = (char *)text + (end - buf);
        }
    }
    if (end == text || *end)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s '%s' is not a number", r->path,
                          r->number, what, text);
    if (!isfinite(x) || errno == ERANGE)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s '%s' is not a finite number",
                          r->path, r->number, what, text);
    *out = x;
    return MLPOT_OK;
}

mlpot_status parse_long(const char *text, long *out, const line_reader *r, const char *what,
                        mlpot_error *err)
{
    char *end;
    errno = 0;
    long x = strtol(text, &end, 10);
    if (end == text || *end || errno == ERANGE)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s '%s' is not an integer", r->path,
                          r->number, what, text);
    *out = x;
    return MLPOT_OK;
}
