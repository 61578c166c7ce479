#include "classical/param_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/lines.h"
#include "mlpot/elements.h"

void param_file_free(param_file *pf)
{
    for (int k = 0; k < pf->n_words; ++k) free(pf->words[k]);
    free(pf->words);
    free(pf->lines);
    free(pf->path);
    memset(pf, 0, sizeof *pf);
}

mlpot_status param_file_read(const char *path, param_file *pf, mlpot_error *err)
{
    memset(pf, 0, sizeof *pf);
    line_reader r;
    mlpot_status st = line_reader_open(&r, path, err);
    if (st) return st;
    pf->path = mlpot_strdup(path);
    int cap = 0;
    for (;;) {
        int eof = 0;
        if ((st = line_reader_next(&r, &eof, err)) || eof) break;
        char *hash = strchr(r.line, '#');
        if (hash) *hash = '\0';
        char *fields[64];
        int n = split_fields(r.line, fields, 64);
        if (n > 64) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: too many words on one line", path, r.number);
            break;
        }
        for (int k = 0; k < n && !st; ++k) {
            if (pf->n_words == cap) {
                cap = cap ? 2 * cap : 256;
                char **w = mlpot_realloc(pf->words, (size_t)cap, sizeof *w);
                if (w) pf->words = w;
                long *l = mlpot_realloc(pf->lines, (size_t)cap, sizeof *l);
                if (l) pf->lines = l;
                if (!w || !l) st = mlpot_fail_memory(err, "reading a parameter file");
            }
            if (!st && !(pf->words[pf->n_words] = mlpot_strdup(fields[k]))) st = mlpot_fail_memory(err, "reading a parameter file");
            if (!st) pf->lines[pf->n_words++] = r.number;
        }
        if (st) break;
    }
    line_reader_close(&r);
    if (!st && !pf->path) st = mlpot_fail_memory(err, "reading a parameter file");
    if (st) param_file_free(pf);
    return st;
}

mlpot_status param_file_entry(param_file *pf, int n, char ***words, long *line, int *done,
                              mlpot_error *err)
{
    if (pf->next >= pf->n_words) {
        *done = 1;
        return MLPOT_OK;
    }
    *done = 0;
    *line = pf->lines[pf->next];
    if (pf->next + n > pf->n_words)
        return mlpot_fail(err, MLPOT_ERR_FORMAT,
                          "%s:%ld: incomplete entry: %d words where %d are needed (file truncated?)",
                          pf->path, *line, pf->n_words - pf->next, n);
    *words = &pf->words[pf->next];
    pf->next += n;
    return MLPOT_OK;
}

mlpot_status param_file_number(const param_file *pf, char **words, long line, int k,
                               const char *name, double *out, mlpot_error *err)
{
    char *end;
    errno = 0;
    double x = strtod(words[k], &end);
    if (end == words[k] || *end || !isfinite(x) || errno == ERANGE)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s (word %d of the entry) '%s' is not a number",
                          pf->path, line, name, k + 1, words[k]);
    *out = x;
    return MLPOT_OK;
}

mlpot_status param_triplets_check(const char *seen, int n_el, const int *index, const int *z,
                                  const mlpot_structure *s, const char *style, const char *path,
                                  mlpot_error *err)
{
    char present[MLPOT_MAX_ELEMENT] = {0};
    for (int i = 0; i < s->n_atoms; ++i) present[index[s->numbers[i]]] = 1;
    for (int a = 0; a < n_el; ++a)
        for (int b = 0; b < n_el; ++b)
            for (int c = 0; c < n_el; ++c)
                if (present[a] && present[b] && present[c] && !seen[((size_t)a * n_el + b) * n_el + c])
                    return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                                      "%s: %s has no entry for the triplet %s %s %s, which this structure needs",
                                      style, path, mlpot_element_symbol(z[a]), mlpot_element_symbol(z[b]),
                                      mlpot_element_symbol(z[c]));
    return MLPOT_OK;
}

mlpot_status label_element(const char *label, const mlpot_element_label *labels, int n_labels,
                           int *z, const char *path, long line, mlpot_error *err)
{
    (void)path, (void)line, (void)err;
    *z = 0;
    for (int k = 0; k < n_labels; ++k)
        if (!strcmp(labels[k].label, label)) {
            *z = labels[k].z;
            return MLPOT_OK;
        }
    int sym = mlpot_element_number(label);
    for (int k = 0; k < n_labels && sym; ++k)
        if (labels[k].z == sym) sym = 0; /* the element is mapped to another label */
    *z = sym;
    return MLPOT_OK;
}
