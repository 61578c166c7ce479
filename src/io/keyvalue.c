#include "io/keyvalue.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"

/* A growable string. */
typedef struct text {
    char *s;
    size_t n, cap;
} text;

static int text_push(text *t, char c)
{
    if (t->n + 1 >= t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        char *g = realloc(t->s, cap);
        if (!g) return 0;
        t->s = g;
        t->cap = cap;
    }
    t->s[t->n++] = c;
    t->s[t->n] = '\0';
    return 1;
}

/* One pair while parsing: its parts (key, then value pieces split at '='). */
typedef struct pair {
    int n_parts;
    text parts[8];
    int overflow; /* more than 8 '=': the rest is appended to the last part */
} pair;

static void pair_free(pair *p)
{
    for (int k = 0; k < 8; ++k) free(p->parts[k].s);
    memset(p, 0, sizeof *p);
}

void kv_free(kv_list *kv)
{
    for (int k = 0; k < kv->n; ++k) {
        free(kv->keys[k]);
        free(kv->values[k]);
    }
    free(kv->keys);
    free(kv->values);
    memset(kv, 0, sizeof *kv);
}

int kv_find(const kv_list *kv, const char *key)
{
    for (int k = kv->n - 1; k >= 0; --k)
        if (strcmp(kv->keys[k], key) == 0) return k;
    return -1;
}

const char *kv_get(const kv_list *kv, const char *key)
{
    int k = kv_find(kv, key);
    return k >= 0 ? kv->values[k] : NULL;
}

static int kv_add(kv_list *kv, pair *p)
{
    if (p->n_parts == 0) return 1;
    const char *key = p->parts[0].s ? p->parts[0].s : "";
    /* value: "T" without '=', else the parts after the key joined with '=' */
    size_t len = 1;
    for (int k = 1; k < p->n_parts; ++k) len += (p->parts[k].s ? p->parts[k].n : 0) + 1;
    char *value = malloc(len + 1);
    if (!value) return 0;
    if (p->n_parts == 1) {
        strcpy(value, "T");
    } else {
        value[0] = '\0';
        for (int k = 1; k < p->n_parts; ++k) {
            if (k > 1) strcat(value, "=");
            if (p->parts[k].s) strcat(value, p->parts[k].s);
        }
    }
    int existing = kv_find(kv, key);
    if (existing >= 0) {
        free(kv->values[existing]);
        kv->values[existing] = value;
        return 1;
    }
    char *kcopy = mlpot_strdup(key);
    char **keys = mlpot_realloc(kv->keys, (size_t)kv->n + 1, sizeof *keys);
    if (keys) kv->keys = keys;
    char **values = keys ? mlpot_realloc(kv->values, (size_t)kv->n + 1, sizeof *values) : NULL;
    if (values) kv->values = values;
    if (!kcopy || !keys || !values) {
        free(kcopy);
        free(value);
        return 0;
    }
    kv->keys[kv->n] = kcopy;
    kv->values[kv->n] = value;
    kv->n++;
    return 1;
}

static int pair_is_fresh(const pair *p)
{
    return p->n_parts == 1 && p->parts[0].n == 0;
}

mlpot_status kv_parse(const char *line, kv_list *kv, mlpot_error *err)
{
    memset(kv, 0, sizeof *kv);
    const char *s = line, *end = line + strlen(line);
    while (s < end && isspace((unsigned char)*s)) ++s;
    while (end > s && isspace((unsigned char)end[-1])) --end;
    /* All pairs are collected first, as a "key = value" '=' may reach back to the pair before. */
    size_t cap = 16, np = 1;
    pair *pairs = calloc(cap, sizeof *pairs);
    if (!pairs) return mlpot_fail_memory(err, "parsing a comment line");
    pairs[0].n_parts = 1;
    int escaped = 0, ok = 1;
    char closing = 0;
#define CUR (&pairs[np - 1])
#define APPEND(c) (ok = ok && text_push(&CUR->parts[CUR->n_parts - 1], (c)))
    for (; s < end && ok; ++s) {
        char c = *s;
        if (escaped) {
            APPEND(c);
            escaped = 0;
        } else if (c == '\\') {
            escaped = 1;
        } else if (closing) {
            if (c == closing) closing = 0;
            else APPEND(c);
        } else if (c == '"' || c == '\'' || c == '{' || c == '[') {
            closing = c == '{' ? '}' : c == '[' ? ']' : c;
        } else if (isspace((unsigned char)c)) {
            if (pair_is_fresh(CUR)) continue;                 /* leading or repeated space */
            if (CUR->parts[CUR->n_parts - 1].n == 0) continue; /* "key= value" */
            if (np == cap) {
                pair *g = mlpot_realloc(pairs, 2 * cap, sizeof *g);
                if (!g) { ok = 0; break; }
                memset(g + cap, 0, cap * sizeof *g);
                pairs = g;
                cap *= 2;
            }
            pairs[np++].n_parts = 1;
        } else if (c == '=') {
            if (pair_is_fresh(CUR)) {
                if (np == 1) {
                    ok = -1; /* '=' before any key */
                    break;
                }
                pair_free(CUR);
                --np; /* "key = value": the '=' belongs to the pair before the space */
            }
            if (CUR->n_parts < 8) CUR->n_parts++;
            else APPEND('=');
        } else {
            APPEND(c);
        }
    }
#undef APPEND
#undef CUR
    mlpot_status st = MLPOT_OK;
    if (ok == -1) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "'=' without a key");
    else if (!ok) st = mlpot_fail_memory(err, "parsing a comment line");
    else if (closing) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "unterminated quote or bracket (missing %c)", closing);
    else if (escaped) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "line ends with a backslash");
    for (size_t k = 0; k < np && !st; ++k)
        if (!pair_is_fresh(&pairs[k]) && !kv_add(kv, &pairs[k])) st = mlpot_fail_memory(err, "parsing a comment line");
    for (size_t k = 0; k < np; ++k) pair_free(&pairs[k]);
    free(pairs);
    if (st) kv_free(kv);
    return st;
}

void kv_write_text(FILE *f, const char *t)
{
    int quote = t[0] == '\0';
    for (const char *c = t; *c && !quote; ++c)
        quote = isspace((unsigned char)*c) || strchr("\"'{}[]\\=", *c) != NULL;
    if (!quote) {
        fputs(t, f);
        return;
    }
    fputc('"', f);
    for (const char *c = t; *c; ++c) {
        if (*c == '"' || *c == '\\') fputc('\\', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

int kv_split_list(char *value, char **tokens, int max)
{
    int n = 0;
    char *s = value;
    for (;;) {
        while (*s && (isspace((unsigned char)*s) || *s == ',')) ++s;
        if (!*s) break;
        if (n < max) tokens[n] = s;
        ++n;
        while (*s && !isspace((unsigned char)*s) && *s != ',') ++s;
        if (!*s) break;
        *s++ = '\0';
    }
    return n;
}
