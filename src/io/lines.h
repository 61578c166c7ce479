/* Line-oriented reading with line numbers, and number parsing that names what is wrong. */
#ifndef MLPOT_IO_LINES_H
#define MLPOT_IO_LINES_H

#include <stdio.h>

#include "mlpot/status.h"

typedef struct line_reader {
    FILE *file;
    int owns_file;
    char *path;       /* for messages */
    char *line;       /* current line, newline stripped */
    size_t capacity;
    long number;      /* 1-based number of the current line */
} line_reader;

/* Opens path ("-" is standard input). */
mlpot_status line_reader_open(line_reader *r, const char *path, mlpot_error *err);
void line_reader_close(line_reader *r);
/* Reads the next line into r->line; *eof set at the end of the file. */
mlpot_status line_reader_next(line_reader *r, int *eof, mlpot_error *err);

/* Splits s in place at whitespace into at most max tokens; returns the count (which may exceed
 * max: then only max are stored). */
int split_fields(char *s, char **fields, int max);

/* Parses a finite double / a long; on failure fills err with "path:line: <what> '<text>' ...". */
mlpot_status parse_real(const char *text, double *out, const line_reader *r, const char *what,
                        mlpot_error *err);
mlpot_status parse_long(const char *text, long *out, const line_reader *r, const char *what,
                        mlpot_error *err);

/* 1 when s is empty or only whitespace. */
int is_blank(const char *s);

#endif
