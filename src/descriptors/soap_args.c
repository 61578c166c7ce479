/* QUIP-style argument strings (see soap_args.h). */
#include "descriptors/soap_args.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/memory.h"

const char *const quip_gap_fit_keys[] = {
    "energy_scale", "delta", "f0", "n_sparse", "config_type_n_sparse", "sparse_method",
    "lengthscale_factor", "theta_fac", "lengthscale_uniform", "theta_uniform",
    "lengthscale_file", "theta_file", "sparse_file", "mark_sparse_atoms", "add_species",
    "covariance_type", "soap_exponent", "zeta", "print_sparse_index", "unique_hash_tolerance",
    "unique_descriptor_tolerance", "theta", NULL};

void quip_args_free(quip_args *a)
{
    if (!a) return;
    free(a->buffer);
    free(a->keys);
    free(a->values);
    free(a->used);
    memset(a, 0, sizeof *a);
}

static mlpot_status fail_at(const quip_args *a, mlpot_error *err, mlpot_status code,
                            const char *what)
{
    if (a->context && a->context[0])
        return mlpot_fail(err, code, "%s: %s", a->context, what);
    return mlpot_fail(err, code, "%s", what);
}

mlpot_status quip_args_parse(const char *text, int has_name, const char *context, quip_args *a,
                             mlpot_error *err)
{
    memset(a, 0, sizeof *a);
    a->context = context;
    size_t len = strlen(text);
    a->buffer = mlpot_strdup(text);
    /* at most one key per two characters */
    size_t cap = len / 2 + 2;
    a->keys = mlpot_calloc(cap, sizeof *a->keys);
    a->values = mlpot_calloc(cap, sizeof *a->values);
    a->used = mlpot_calloc(cap, sizeof *a->used);
    if (!a->buffer || !a->keys || !a->values || !a->used) {
        quip_args_free(a);
        return mlpot_fail_memory(err, "parsing an argument string");
    }
    a->context = context;
    static char truth[] = "T";
    char *p = a->buffer;
    int first = 1;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) ++p;
        if (!*p) break;
        char *key = p;
        while (*p && !isspace((unsigned char)*p) && *p != '=') ++p;
        char *key_end = p;
        char *q = p;
        while (*q && isspace((unsigned char)*q)) ++q;
        if (key_end == key) {
            char msg[160];
            snprintf(msg, sizeof msg, "'=' without a key in \"%.100s\"", text);
            quip_args_free(a);
            return fail_at(&(quip_args){.context = context}, err, MLPOT_ERR_FORMAT, msg);
        }
        if (*q != '=') { /* a bare word: the name, or a flag meaning key=T */
            int at_end = !*p;
            *key_end = '\0';
            if (first && has_name) a->name = key;
            else {
                a->keys[a->n] = key;
                a->values[a->n++] = truth;
            }
            first = 0;
            if (at_end) break;
            p = key_end + 1;
            continue;
        }
        first = 0;
        *key_end = '\0';
        p = q + 1;
        while (*p && isspace((unsigned char)*p)) ++p;
        char *value = p;
        if (*p == '{' || *p == '"' || *p == '\'') {
            char close = *p == '{' ? '}' : *p;
            int depth = 1;
            value = ++p;
            while (*p) {
                if (close == '}' && *p == '{') ++depth;
                else if (*p == close && --depth == 0) break;
                ++p;
            }
            if (!*p) {
                char msg[200];
                snprintf(msg, sizeof msg, "unterminated %s in the value of '%s'",
                         close == '}' ? "'{'" : "quote", key);
                quip_args_free(a);
                return fail_at(&(quip_args){.context = context}, err, MLPOT_ERR_FORMAT, msg);
            }
            *p++ = '\0';
        } else {
            while (*p && !isspace((unsigned char)*p)) ++p;
            if (*p) *p++ = '\0';
        }
        a->keys[a->n] = key;
        a->values[a->n++] = value;
    }
    return MLPOT_OK;
}

const char *quip_args_get(quip_args *a, const char *key)
{
    const char *v = NULL;
    for (int k = 0; k < a->n; ++k)
        if (!strcasecmp(a->keys[k], key)) {
            a->used[k] = 1;
            v = a->values[k];
        }
    return v;
}

int quip_parse_real(const char *text, double *out)
{
    char buf[128];
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof buf) return 0;
    for (size_t k = 0; k <= n; ++k) buf[k] = (text[k] == 'd' || text[k] == 'D') ? 'e' : text[k];
    char *end;
    errno = 0;
    double x = strtod(buf, &end);
    if (end == buf || *end || !isfinite(x)) return 0;
    *out = x;
    return 1;
}

int quip_parse_bool(const char *text, int *out)
{
    static const char *const yes[] = {"t", "true", ".true.", NULL};
    static const char *const no[] = {"f", "false", ".false.", NULL};
    for (int k = 0; yes[k]; ++k)
        if (!strcasecmp(text, yes[k])) return *out = 1, 1;
    for (int k = 0; no[k]; ++k)
        if (!strcasecmp(text, no[k])) return *out = 0, 1;
    return 0;
}

static mlpot_status bad_value(const quip_args *a, const char *key, const char *value,
                              const char *expected, mlpot_error *err)
{
    char msg[320];
    snprintf(msg, sizeof msg, "%s='%.100s' is not %s", key, value, expected);
    return fail_at(a, err, MLPOT_ERR_FORMAT, msg);
}

mlpot_status quip_args_real(quip_args *a, const char *key, double *out, int *given,
                            mlpot_error *err)
{
    const char *v = quip_args_get(a, key);
    if (given) *given = v != NULL;
    if (!v) return MLPOT_OK;
    if (!quip_parse_real(v, out)) return bad_value(a, key, v, "a number", err);
    return MLPOT_OK;
}

mlpot_status quip_args_long(quip_args *a, const char *key, long *out, int *given,
                            mlpot_error *err)
{
    const char *v = quip_args_get(a, key);
    if (given) *given = v != NULL;
    if (!v) return MLPOT_OK;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno) return bad_value(a, key, v, "an integer", err);
    *out = x;
    return MLPOT_OK;
}

mlpot_status quip_args_int(quip_args *a, const char *key, int *out, int *given, mlpot_error *err)
{
    long x = *out;
    mlpot_status st = quip_args_long(a, key, &x, given, err);
    if (st) return st;
    if (x < INT_MIN || x > INT_MAX) return bad_value(a, key, quip_args_get(a, key), "an int", err);
    *out = (int)x;
    return MLPOT_OK;
}

mlpot_status quip_args_bool(quip_args *a, const char *key, int *out, int *given,
                            mlpot_error *err)
{
    const char *v = quip_args_get(a, key);
    if (given) *given = v != NULL;
    if (!v) return MLPOT_OK;
    if (!quip_parse_bool(v, out)) return bad_value(a, key, v, "a logical (T or F)", err);
    return MLPOT_OK;
}

/* Splits a list value into words; returns the count or -1 when there are more than max. */
static int list_words(const char *v, char words[][64], int max)
{
    int n = 0;
    const char *p = v;
    for (;;) {
        while (*p && (isspace((unsigned char)*p) || *p == ',')) ++p;
        if (!*p) break;
        const char *s = p;
        while (*p && !isspace((unsigned char)*p) && *p != ',') ++p;
        if (n == max || p - s >= 64) return -1;
        memcpy(words[n], s, (size_t)(p - s));
        words[n][p - s] = '\0';
        ++n;
    }
    return n;
}

mlpot_status quip_args_int_list(quip_args *a, const char *key, int *out, int max, int *count,
                                mlpot_error *err)
{
    const char *v = quip_args_get(a, key);
    *count = 0;
    if (!v) return MLPOT_OK;
    char(*words)[64] = malloc((size_t)(max > 0 ? max : 1) * sizeof *words);
    if (!words) return mlpot_fail_memory(err, "parsing a list");
    int n = list_words(v, words, max);
    mlpot_status st = MLPOT_OK;
    if (n < 0) st = bad_value(a, key, v, "a short enough list", err);
    for (int k = 0; k < n && !st; ++k) {
        char *end;
        errno = 0;
        long x = strtol(words[k], &end, 10);
        if (end == words[k] || *end || errno || x < INT_MIN || x > INT_MAX)
            st = bad_value(a, key, v, "a list of integers", err);
        else out[k] = (int)x;
    }
    if (!st) *count = n;
    free(words);
    return st;
}

mlpot_status quip_args_real_list(quip_args *a, const char *key, double *out, int max,
                                 int *count, mlpot_error *err)
{
    const char *v = quip_args_get(a, key);
    *count = 0;
    if (!v) return MLPOT_OK;
    char(*words)[64] = malloc((size_t)(max > 0 ? max : 1) * sizeof *words);
    if (!words) return mlpot_fail_memory(err, "parsing a list");
    int n = list_words(v, words, max);
    mlpot_status st = MLPOT_OK;
    if (n < 0) st = bad_value(a, key, v, "a short enough list", err);
    for (int k = 0; k < n && !st; ++k)
        if (!quip_parse_real(words[k], &out[k])) st = bad_value(a, key, v, "a list of numbers", err);
    if (!st) *count = n;
    free(words);
    return st;
}

mlpot_status quip_args_finish(const quip_args *a, const char *const *ignored, mlpot_error *err)
{
    for (int k = 0; k < a->n; ++k) {
        if (a->used[k]) continue;
        int skip = 0;
        for (int j = 0; ignored && ignored[j] && !skip; ++j) skip = !strcasecmp(a->keys[k], ignored[j]);
        if (skip) continue;
        char msg[200];
        snprintf(msg, sizeof msg, "unknown parameter '%.100s'%s%s", a->keys[k],
                 a->name ? " for descriptor " : "", a->name ? a->name : "");
        return fail_at(a, err, MLPOT_ERR_FORMAT, msg);
    }
    return MLPOT_OK;
}
