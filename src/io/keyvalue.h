/* The key=value comment line of extended XYZ, with ASE's rules: values may be delimited by
 * "", '', {} or []; a backslash escapes the next character anywhere; whitespace separates
 * pairs; a key without '=' means "T"; "key = value" is accepted; further '=' belong to the
 * value. Values are kept as text (delimiters removed, escapes resolved). */
#ifndef MLPOT_IO_KEYVALUE_H
#define MLPOT_IO_KEYVALUE_H

#include <stdio.h>

#include "mlpot/status.h"

typedef struct kv_list {
    int n;
    char **keys;
    char **values;
} kv_list;

/* Parses line into kv (later duplicates replace earlier ones). Errors: an unterminated
 * delimiter or a value without a key (message without location; the caller adds it). */
mlpot_status kv_parse(const char *line, kv_list *kv, mlpot_error *err);
void kv_free(kv_list *kv);
/* Value of key or NULL; index of key or -1. */
const char *kv_get(const kv_list *kv, const char *key);
int kv_find(const kv_list *kv, const char *key);

/* Writes text so that kv_parse (and ASE) read it back unchanged: quoted when it contains
 * whitespace, quotes, brackets or is empty; quotes and backslashes escaped. */
void kv_write_text(FILE *f, const char *text);

/* Splits a value of numbers separated by whitespace or commas ("1 2 3", "T, T, F") in place
 * into at most max tokens; returns the count. */
int kv_split_list(char *value, char **tokens, int max);

#endif
