/* Building an ACSF set: parsing n2p2 definitions, n2p2's sort order, work groups. */
#include "descriptors/acsf_set.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/lines.h"
#include "io/n2p2_settings.h"

static int is_angular(int t) { return t == 3 || t == 9 || t == 13 || t == 21 || t == 22 || t == 24 || t == 25; }
static int is_compact(int t) { return t >= 20 && t <= 25; }

/* n2p2's order: central element, type, then the type's own parameters (SymFnc operator<). The
 * cutoff type and α are global here, so they never decide. */
static int compare_fn(const void *pa, const void *pb)
{
    const acsf_fn *a = pa, *b = pb;
#define BY(x)                                     \
    do {                                          \
        if (a->x < b->x) return -1;               \
        if (a->x > b->x) return 1;                \
    } while (0)
#define BY_SUB()                                            \
    do {                                                    \
        int c_ = strcmp(a->subtype, b->subtype);            \
        if (c_) return c_ < 0 ? -1 : 1;                     \
    } while (0)
    BY(ec);
    BY(type);
    switch (a->type) {
    case 2: BY(key_rc); BY(key_eta); BY(key_rs); BY(e1); break;
    case 3:
    case 9: BY(key_rc); BY(key_eta); BY(key_rs); BY(zeta); BY(lambda); BY(e1); BY(e2); break;
    case 12: BY(key_rc); BY(key_eta); BY(key_rs); break;
    case 13: BY(key_rc); BY(key_eta); BY(key_rs); BY(zeta); BY(lambda); break;
    case 20: BY_SUB(); BY(e1); BY(key_rc); BY(key_rl); break;
    case 21:
    case 22: BY_SUB(); BY(e1); BY(e2); BY(key_rc); BY(key_rl); BY(angle_left); BY(angle_right); break;
    case 23: BY_SUB(); BY(key_rc); BY(key_rl); break;
    default: BY_SUB(); BY(key_rc); BY(key_rl); BY(angle_left); BY(angle_right); break; /* 24, 25 */
    }
    return 0;
#undef BY
#undef BY_SUB
}

static mlpot_status parse_number(const char *word, double *out, const char *source, long line,
                                 const char *what, mlpot_error *err)
{
    char *end;
    errno = 0;
    double x = strtod(word, &end);
    if (end == word || *end || !isfinite(x) || errno == ERANGE)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: symmetry function %s '%s' is not a number",
                          source, line, what, word);
    *out = x;
    return MLPOT_OK;
}

static mlpot_status element_of(const acsf_set *set, const char *symbol, int *out, const char *source,
                               long line, mlpot_error *err)
{
    int z = mlpot_element_number(symbol);
    if (!z || set->index[z] < 0)
        return mlpot_fail(err, MLPOT_ERR_FORMAT,
                          "%s:%ld: symmetry function element '%s' is not in the 'elements' list", source,
                          line, symbol);
    *out = set->index[z];
    return MLPOT_OK;
}

static mlpot_status parse_subtype(acsf_fn *f, const char *word, const char *source, long line,
                                  mlpot_error *err)
{
    size_t n = strlen(word);
    int core = -1, asym = 0;
    if (n >= 2 && n <= 3 && word[0] == 'p' && word[1] >= '1' && word[1] <= '4' && (n == 2 || word[2] == 'a')) {
        core = ACSF_CORE_POLY1 + (word[1] - '1');
        asym = n == 3;
    } else if (n == 1 && word[0] == 'e') {
        core = ACSF_CORE_EXP;
    }
    if (core < 0)
        return mlpot_fail(err, MLPOT_ERR_FORMAT,
                          "%s:%ld: compact function '%s' unknown (p1, p2, p3, p4, p1a..p4a or e)", source,
                          line, word);
    strcpy(f->subtype, word);
    if (!(f->rl < f->rc))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: lower radial boundary %g is not below %g", source,
                          line, f->rl, f->rc);
    acsf_compact_set(&f->radial, core, asym, f->rl, f->rc);
    if (is_angular(f->type)) {
        double centre = 0.5 * (f->angle_left + f->angle_right);
        if (!(f->angle_left < f->angle_right) || (f->angle_left < 0 && centre != 0) ||
            (f->angle_right > 180 && centre != 180) || f->angle_right - f->angle_left > 360)
            return mlpot_fail(err, MLPOT_ERR_FORMAT,
                              "%s:%ld: angular range %g..%g degrees is invalid (left < right; outside "
                              "[0, 180] only when centred on 0 or 180)",
                              source, line, f->angle_left, f->angle_right);
        /* the asymmetric variant shapes only the radial part */
        acsf_compact_set(&f->angular, core, 0, f->angle_left * ACSF_PI / 180.0, f->angle_right * ACSF_PI / 180.0);
    }
    return MLPOT_OK;
}

static mlpot_status parse_fn(acsf_set *set, const char *text, long line, const char *source,
                             acsf_fn *f, mlpot_error *err)
{
    char *copy = mlpot_strdup(text);
    if (!copy) return mlpot_fail_memory(err, "reading symmetry functions");
    char *w[16];
    int n = split_fields(copy, w, 16);
    memset(f, 0, sizeof *f);
    f->line = line;
    f->e1 = f->e2 = -1;
    mlpot_status st = MLPOT_OK;
    long type = 0;
    char *end = NULL;
    if (n < 2) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: symmetry function line too short", source, line);
        goto done;
    }
    if ((st = element_of(set, w[0], &f->ec, source, line, err))) goto done;
    type = strtol(w[1], &end, 10);
    f->type = (int)type;
    static const int n_words[26] = {[2] = 6, [3] = 8, [9] = 8, [12] = 5, [13] = 7, [20] = 6, [21] = 9,
                                    [22] = 9, [23] = 5, [24] = 7, [25] = 7};
    if (*end || type < 0 || type > 25 || n_words[type] == 0) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                        "%s:%ld: symmetry function type '%s' is unknown (n2p2's short-range types are 2, 3, 9, "
                        "12, 13, 20, 21, 22, 23, 24, 25)",
                        source, line, w[1]);
        goto done;
    }
    int optional_rs = type == 3 || type == 9;
    if (n != n_words[type] && !(optional_rs && n == n_words[type] + 1)) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: symmetry function type %ld needs %d words, found %d",
                        source, line, type, n_words[type], n);
        goto done;
    }
    double v[8] = {0};
    switch (type) {
    case 2:
        if ((st = element_of(set, w[2], &f->e1, source, line, err))) break;
        if (!(st = parse_number(w[3], &f->eta, source, line, "eta", err)) &&
            !(st = parse_number(w[4], &f->rs, source, line, "rs", err)))
            st = parse_number(w[5], &f->rc, source, line, "rc", err);
        break;
    case 3:
    case 9:
        if ((st = element_of(set, w[2], &f->e1, source, line, err)) ||
            (st = element_of(set, w[3], &f->e2, source, line, err)))
            break;
        if (!(st = parse_number(w[4], &f->eta, source, line, "eta", err)) &&
            !(st = parse_number(w[5], &f->lambda, source, line, "lambda", err)) &&
            !(st = parse_number(w[6], &f->zeta, source, line, "zeta", err)) &&
            !(st = parse_number(w[7], &f->rc, source, line, "rc", err)) && n > 8)
            st = parse_number(w[8], &f->rs, source, line, "rs", err);
        break;
    case 12:
        if (!(st = parse_number(w[2], &f->eta, source, line, "eta", err)) &&
            !(st = parse_number(w[3], &f->rs, source, line, "rs", err)))
            st = parse_number(w[4], &f->rc, source, line, "rc", err);
        break;
    case 13:
        if (!(st = parse_number(w[2], &f->eta, source, line, "eta", err)) &&
            !(st = parse_number(w[3], &f->rs, source, line, "rs", err)) &&
            !(st = parse_number(w[4], &f->lambda, source, line, "lambda", err)) &&
            !(st = parse_number(w[5], &f->zeta, source, line, "zeta", err)))
            st = parse_number(w[6], &f->rc, source, line, "rc", err);
        break;
    case 20:
        if ((st = element_of(set, w[2], &f->e1, source, line, err))) break;
        if (!(st = parse_number(w[3], &f->rl, source, line, "rl", err)) &&
            !(st = parse_number(w[4], &f->rc, source, line, "rc", err)))
            st = parse_subtype(f, w[5], source, line, err);
        break;
    case 21:
    case 22:
        if ((st = element_of(set, w[2], &f->e1, source, line, err)) ||
            (st = element_of(set, w[3], &f->e2, source, line, err)))
            break;
        for (int k = 0; k < 4 && !st; ++k) st = parse_number(w[4 + k], &v[k], source, line, "parameter", err);
        if (st) break;
        f->rl = v[0], f->rc = v[1], f->angle_left = v[2], f->angle_right = v[3];
        st = parse_subtype(f, w[8], source, line, err);
        break;
    case 23:
        if (!(st = parse_number(w[2], &f->rl, source, line, "rl", err)) &&
            !(st = parse_number(w[3], &f->rc, source, line, "rc", err)))
            st = parse_subtype(f, w[4], source, line, err);
        break;
    default: /* 24, 25 */
        for (int k = 0; k < 4 && !st; ++k) st = parse_number(w[2 + k], &v[k], source, line, "parameter", err);
        if (st) break;
        f->rl = v[0], f->rc = v[1], f->angle_left = v[2], f->angle_right = v[3];
        st = parse_subtype(f, w[6], source, line, err);
        break;
    }
    if (st) goto done;
    if (f->e1 > f->e2 && f->e2 >= 0) {
        int t = f->e1;
        f->e1 = f->e2;
        f->e2 = t;
    }
    if (!(f->rc > 0))
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: symmetry function cutoff %g is not positive", source, line, f->rc);
    else if (!is_compact((int)type) && f->eta < 0)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: symmetry function eta %g is negative", source, line, f->eta);
    if (!st && (type == 3 || type == 9 || type == 13)) {
        /* n2p2 takes any ζ. Below 1 the function is not smooth where 1 + λ cos θ reaches 0 (it
         * is cut to 0 there), yet published models use it (AlAuMgO_4G: ζ = -1, -2); the
         * integer fast paths take ζ >= 1, others go through pow(). */
        if (!isfinite(f->zeta) || fabs(f->zeta) > 1e6)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: zeta %g is not a usable exponent", source, line, f->zeta);
        f->zeta_int = st ? 1 : (int)lround(f->zeta);
        f->integer_zeta = f->zeta_int >= 1 && fabs(f->zeta - f->zeta_int) <= 2.2250738585072014e-308;
        f->norm = pow(2.0, 1.0 - f->zeta);
    }
    if (!st && !(f->text = mlpot_strdup(text))) st = mlpot_fail_memory(err, "reading symmetry functions");
done:
    free(copy);
    return st;
}

/* Groups: consecutive (after sorting by group key) functions of one element sharing type,
 * neighbour elements and radial part. */
static int same_group(const acsf_fn *a, const acsf_fn *b)
{
    if (a->type != b->type || a->e1 != b->e1 || a->e2 != b->e2 || a->rc != b->rc) return 0;
    if (is_compact(a->type)) return a->rl == b->rl && !strcmp(a->subtype, b->subtype);
    return 1;
}

static int add_unique(double *values_a, double *values_b, int *n, double a, double b)
{
    for (int k = 0; k < *n; ++k)
        if (values_a[k] == a && values_b[k] == b) return k;
    values_a[*n] = a;
    values_b[*n] = b;
    return (*n)++;
}

static mlpot_status build_groups(acsf_element *el, mlpot_error *err)
{
    el->groups = calloc((size_t)el->n + 1, sizeof *el->groups);
    char *used = calloc((size_t)el->n + 1, 1);
    if (!el->groups || !used) {
        free(used);
        return mlpot_fail_memory(err, "grouping symmetry functions");
    }
    for (int a = 0; a < el->n; ++a) {
        if (used[a]) continue;
        acsf_group *g = &el->groups[el->n_groups++];
        const acsf_fn *f = &el->fn[a];
        g->type = f->type, g->e1 = f->e1, g->e2 = f->e2, g->rc = f->rc;
        g->index = calloc((size_t)el->n, sizeof *g->index);
        g->exp_eta = calloc((size_t)el->n, sizeof(double));
        g->exp_rs = calloc((size_t)el->n, sizeof(double));
        g->pow_lambda = calloc((size_t)el->n, sizeof(double));
        g->pow_zeta = calloc((size_t)el->n, sizeof(double));
        g->pow_zeta_int = calloc((size_t)el->n, sizeof(int));
        g->pow_integer = calloc((size_t)el->n, sizeof(int));
        g->fn_exp = calloc((size_t)el->n, sizeof(int));
        g->fn_pow = calloc((size_t)el->n, sizeof(int));
        if (!g->index || !g->exp_eta || !g->exp_rs || !g->pow_lambda || !g->pow_zeta || !g->pow_zeta_int ||
            !g->pow_integer || !g->fn_exp || !g->fn_pow) {
            free(used);
            return mlpot_fail_memory(err, "grouping symmetry functions");
        }
        for (int b = a; b < el->n; ++b) {
            if (used[b] || !same_group(f, &el->fn[b])) continue;
            used[b] = 1;
            const acsf_fn *h = &el->fn[b];
            int m = g->n++;
            g->index[m] = b;
            g->fn_exp[m] = add_unique(g->exp_eta, g->exp_rs, &g->n_exp, h->eta, h->rs);
            int before = g->n_pow;
            g->fn_pow[m] = add_unique(g->pow_lambda, g->pow_zeta, &g->n_pow, h->lambda, h->zeta);
            if (g->n_pow > before) {
                g->pow_zeta_int[g->fn_pow[m]] = h->zeta_int;
                g->pow_integer[g->fn_pow[m]] = h->integer_zeta;
            }
        }
    }
    free(used);
    return MLPOT_OK;
}

void acsf_set_free(acsf_set *set)
{
    if (!set) return;
    for (int e = 0; set->elements && e < set->n_elements; ++e) {
        acsf_element *el = &set->elements[e];
        for (int g = 0; el->groups && g < el->n_groups; ++g) {
            acsf_group *gr = &el->groups[g];
            free(gr->index), free(gr->exp_eta), free(gr->exp_rs), free(gr->pow_lambda), free(gr->pow_zeta);
            free(gr->pow_zeta_int), free(gr->pow_integer), free(gr->fn_exp), free(gr->fn_pow);
        }
        free(el->groups);
        for (int k = 0; el->fn && k < el->n; ++k) free(el->fn[k].text);
        free(el->fn);
    }
    free(set->elements);
    memset(set, 0, sizeof *set);
}

mlpot_status acsf_set_build(acsf_set *set, const char *const *elements, int n_elements,
                            const acsf_line *lines, int n_lines, int cutoff_type,
                            double cutoff_alpha, double conv_length, const char *source, mlpot_error *err)
{
    memset(set, 0, sizeof *set);
    for (int z = 0; z <= MLPOT_MAX_ELEMENT; ++z) set->index[z] = -1;
    if (cutoff_type < ACSF_CUT_HARD || cutoff_type > ACSF_CUT_POLY4)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: cutoff_type %d unknown (0 to 8)", source, cutoff_type);
    if (!(cutoff_alpha >= 0 && cutoff_alpha < 1))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: cutoff shift alpha %g must be in [0, 1)", source, cutoff_alpha);
    set->cutoff_type = cutoff_type;
    set->cutoff_alpha = cutoff_alpha;
    /* elements sorted by atomic number, as n2p2 numbers them */
    int zs[MLPOT_MAX_ELEMENT];
    for (int k = 0; k < n_elements; ++k) {
        zs[k] = mlpot_element_number(elements[k]);
        if (!zs[k]) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: '%s' is not an element symbol", source, elements[k]);
        for (int q = 0; q < k; ++q)
            if (zs[q] == zs[k]) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: element %s listed twice", source, elements[k]);
    }
    for (int a = 1; a < n_elements; ++a)
        for (int b = a; b > 0 && zs[b - 1] > zs[b]; --b) {
            int t = zs[b];
            zs[b] = zs[b - 1];
            zs[b - 1] = t;
        }
    set->n_elements = n_elements;
    for (int k = 0; k < n_elements; ++k) set->z[k] = zs[k], set->index[zs[k]] = k;
    set->elements = calloc((size_t)n_elements + 1, sizeof *set->elements);
    acsf_fn *all = calloc((size_t)n_lines + 1, sizeof *all);
    if (!set->elements || !all) {
        free(all);
        acsf_set_free(set);
        return mlpot_fail_memory(err, "reading symmetry functions");
    }
    mlpot_status st = MLPOT_OK;
    for (int k = 0; k < n_lines && !st; ++k) {
        st = parse_fn(set, lines[k].text, lines[k].line, source, &all[k], err);
        acsf_fn *f = &all[k];
        f->key_eta = f->eta / (conv_length * conv_length), f->key_rs = f->rs * conv_length;
        f->key_rc = f->rc * conv_length, f->key_rl = f->rl * conv_length;
    }
    if (st) {
        for (int k = 0; k < n_lines; ++k) free(all[k].text);
        free(all);
        acsf_set_free(set);
        return st;
    }
    qsort(all, (size_t)n_lines, sizeof *all, compare_fn);
    for (int e = 0, start = 0; e < n_elements && !st; ++e) {
        acsf_element *el = &set->elements[e];
        el->z = set->z[e];
        int end = start;
        while (end < n_lines && all[end].ec == e) ++end;
        el->n = end - start;
        el->fn = calloc((size_t)el->n + 1, sizeof *el->fn);
        if (!el->fn) {
            st = mlpot_fail_memory(err, "reading symmetry functions");
            break;
        }
        memcpy(el->fn, all + start, (size_t)el->n * sizeof *el->fn);
        for (int k = start; k < end; ++k) all[k].text = NULL; /* now the element's */
        if (el->n > set->max_functions) set->max_functions = el->n;
        for (int k = 0; k < el->n; ++k) el->rmax = fmax(el->rmax, el->fn[k].rc);
        set->rmax = fmax(set->rmax, el->rmax);
        if (el->n == 0)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: element %s has no symmetry functions", source,
                            mlpot_element_symbol(el->z));
        else
            st = build_groups(el, err);
        start = end;
    }
    for (int k = 0; k < n_lines; ++k) free(all[k].text);
    free(all);
    if (st) acsf_set_free(set);
    return st;
}

void acsf_set_describe_function(const acsf_set *set, int e, int k, char *buf, size_t size)
{
    const acsf_fn *f = &set->elements[e].fn[k];
    snprintf(buf, size, "%s %d: %s (line %ld)", mlpot_element_symbol(set->elements[e].z), k + 1, f->text, f->line);
}

static mlpot_status settings_number(const n2p2_settings *s, const n2p2_entry *e, const char *word, double *out,
                                    mlpot_error *err)
{
    char *end;
    errno = 0;
    double x = strtod(word, &end);
    if (end == word || *end || !isfinite(x) || errno == ERANGE)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: '%s' of %s is not a number", s->path, e->line, word, e->keyword);
    *out = x;
    return MLPOT_OK;
}

mlpot_status acsf_set_from_settings(const n2p2_settings *s, acsf_set *set, mlpot_error *err)
{
    memset(set, 0, sizeof *set);
    const n2p2_entry *el = n2p2_settings_find(s, "elements"), *nel = n2p2_settings_find(s, "number_of_elements");
    if (!el) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the keyword 'elements' is missing", s->path);
    char buf[1024];
    char *symbols[MLPOT_MAX_ELEMENT + 1];
    snprintf(buf, sizeof buf, "%s", el->value);
    int n_el = split_fields(buf, symbols, MLPOT_MAX_ELEMENT + 1);
    if (n_el < 1 || n_el > MLPOT_MAX_ELEMENT)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: 'elements' lists %d elements", s->path, el->line, n_el);
    if (nel) {
        char *end;
        long v = strtol(nel->value, &end, 10);
        if (*end || v != n_el)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: number_of_elements is %s but 'elements' lists %d",
                              s->path, nel->line, nel->value, n_el);
    }
    int cutoff_type = ACSF_CUT_HARD;
    double alpha = 0.0, conv_length = 1.0;
    const n2p2_entry *e = n2p2_settings_find(s, "cutoff_type");
    if (!e) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the keyword 'cutoff_type' is missing", s->path);
    char cbuf[256];
    char *w[4];
    snprintf(cbuf, sizeof cbuf, "%s", e->value);
    int nw = split_fields(cbuf, w, 4);
    char *end = NULL;
    long t = nw >= 1 ? strtol(w[0], &end, 10) : -1;
    if (nw < 1 || nw > 2 || *end || t < 0 || t > 8)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: cutoff_type '%s' (expected a type 0-8 and optionally the shift alpha)",
                          s->path, e->line, e->value);
    cutoff_type = (int)t;
    mlpot_status st;
    if (nw > 1 && (st = settings_number(s, e, w[1], &alpha, err))) return st;
    const n2p2_entry *cl = n2p2_settings_find(s, "conv_length");
    if (cl && n2p2_settings_find(s, "mean_energy") && n2p2_settings_find(s, "conv_energy")) {
        if ((st = settings_number(s, cl, cl->value, &conv_length, err))) return st;
        if (!(conv_length > 0))
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: conv_length must be positive", s->path, cl->line);
    }
    acsf_line *lines = calloc((size_t)s->n + 1, sizeof *lines);
    if (!lines) return mlpot_fail_memory(err, "reading symmetry functions");
    int n_lines = 0;
    for (int k = 0; k < s->n; ++k)
        if (n2p2_settings_is(s, k, "symfunction_short"))
            lines[n_lines].text = s->entries[k].value, lines[n_lines++].line = s->entries[k].line;
    st = acsf_set_build(set, (const char *const *)symbols, n_el, lines, n_lines, cutoff_type, alpha, conv_length, s->path,
                        err);
    free(lines);
    return st;
}

/* The inverse of parse_fn: the definition as an input.nn line (without the keyword), with
 * numbers that read back exactly. */
int acsf_fn_format(const acsf_set *set, const acsf_fn *f, char *buf, size_t size)
{
    const char *ec = mlpot_element_symbol(set->z[f->ec]);
    const char *e1 = f->e1 >= 0 ? mlpot_element_symbol(set->z[f->e1]) : "";
    const char *e2 = f->e2 >= 0 ? mlpot_element_symbol(set->z[f->e2]) : "";
    switch (f->type) {
    case 2: return snprintf(buf, size, "%s 2 %s %.17g %.17g %.17g", ec, e1, f->eta, f->rs, f->rc);
    case 3:
    case 9:
        return snprintf(buf, size, "%s %d %s %s %.17g %.17g %.17g %.17g %.17g", ec, f->type, e1, e2, f->eta, f->lambda,
                        f->zeta, f->rc, f->rs);
    case 12: return snprintf(buf, size, "%s 12 %.17g %.17g %.17g", ec, f->eta, f->rs, f->rc);
    case 13:
        return snprintf(buf, size, "%s 13 %.17g %.17g %.17g %.17g %.17g", ec, f->eta, f->rs, f->lambda, f->zeta, f->rc);
    case 20: return snprintf(buf, size, "%s 20 %s %.17g %.17g %s", ec, e1, f->rl, f->rc, f->subtype);
    case 21:
    case 22:
        return snprintf(buf, size, "%s %d %s %s %.17g %.17g %.17g %.17g %s", ec, f->type, e1, e2, f->rl, f->rc,
                        f->angle_left, f->angle_right, f->subtype);
    case 23: return snprintf(buf, size, "%s 23 %.17g %.17g %s", ec, f->rl, f->rc, f->subtype);
    default:
        return snprintf(buf, size, "%s %d %.17g %.17g %.17g %.17g %s", ec, f->type, f->rl, f->rc, f->angle_left,
                        f->angle_right, f->subtype);
    }
}
