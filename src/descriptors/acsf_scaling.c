#include "descriptors/acsf_scaling.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/lines.h"

/* n2p2 ignores differences of this size at the range boundaries (Element.cpp) */
#define OUTSIDE_TOLERANCE (1000.0 * DBL_EPSILON)

void acsf_scaling_free(acsf_scaling *sc)
{
    if (!sc) return;
    for (int e = 0; sc->elements && e < sc->n_elements; ++e) {
        acsf_scaling_element *el = &sc->elements[e];
        free(el->gmin), free(el->gmax), free(el->gmean), free(el->gsigma), free(el->factor), free(el->shift);
    }
    free(sc->elements);
    memset(sc, 0, sizeof *sc);
}

const char *acsf_scaling_name(int type)
{
    switch (type) {
    case ACSF_SCALE: return "scale to [Smin, Smax] by min/max";
    case ACSF_CENTER: return "center (subtract mean)";
    case ACSF_SCALE_CENTER: return "center and scale by min/max";
    case ACSF_SCALE_SIGMA: return "center and scale by sigma";
    default: return "none";
    }
}

static mlpot_status read_number(const n2p2_settings *s, const char *keyword, double fallback, double *out,
                                mlpot_error *err)
{
    const n2p2_entry *e = n2p2_settings_find(s, keyword);
    *out = fallback;
    if (!e) return MLPOT_OK;
    char *end;
    double x = strtod(e->value, &end);
    if (end == e->value || *end || !isfinite(x))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s '%s' is not a number", s->path, e->line, keyword, e->value);
    *out = x;
    return MLPOT_OK;
}

static mlpot_status read_file(acsf_scaling *sc, const acsf_set *set, const char *path, mlpot_error *err)
{
    line_reader r;
    mlpot_status st = line_reader_open(&r, path, err);
    if (st) return st;
    int e = 0, k = 0, trailer = 0;
    while (!st) {
        int eof = 0;
        if ((st = line_reader_next(&r, &eof, err)) || eof) break;
        if (r.line[0] == '#' || is_blank(r.line)) continue;
        while (e < set->n_elements && k == set->elements[e].n) ++e, k = 0;
        if (e == set->n_elements && !trailer) {
            /* n2p2's 4G nnp-scaling appends one line of two numbers (statistics of the charges),
             * which prediction does not use */
            char copy[256], *f[4];
            snprintf(copy, sizeof copy, "%s", r.line);
            double x;
            if (split_fields(copy, f, 4) == 2 && !parse_real(f[0], &x, &r, "number", NULL) &&
                !parse_real(f[1], &x, &r, "number", NULL)) {
                trailer = 1;
                continue;
            }
        }
        if (e == set->n_elements) {
            int total = 0;
            for (int q = 0; q < set->n_elements; ++q) total += set->elements[q].n;
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: more lines than the %d symmetry functions input.nn defines: scaling.data does "
                            "not match the symmetry functions of input.nn",
                            path, r.number, total);
            break;
        }
        char *f[8];
        int nf = split_fields(r.line, f, 8);
        if (nf < 5 || nf > 6) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: expected 5 or 6 columns (element, function, min, max, mean[, sigma]), found %d",
                            path, r.number, nf);
            break;
        }
        double v[6] = {0, 0, 0, 0, 0, 0};
        for (int c = 0; c < nf && !st; ++c) st = parse_real(f[c], &v[c], &r, "value", err);
        if (st) break;
        if (v[0] != e + 1 || v[1] != k + 1) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: expected element %d (%s), symmetry function %d (n2p2's sorted order), found "
                            "%s %s: scaling.data does not match the symmetry functions of input.nn",
                            path, r.number, e + 1, mlpot_element_symbol(set->z[e]), k + 1, f[0], f[1]);
            break;
        }
        acsf_scaling_element *el = &sc->elements[e];
        el->gmin[k] = v[2], el->gmax[k] = v[3], el->gmean[k] = v[4], el->gsigma[k] = nf > 5 ? v[5] : 0.0;
        if (!(el->gmin[k] <= el->gmax[k])) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: minimum %g above maximum %g", path, r.number, v[2], v[3]);
            break;
        }
        ++k;
    }
    while (!st && e < set->n_elements && k == set->elements[e].n) ++e, k = 0;
    if (!st && e < set->n_elements)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                        "%s: ends after %d of the %d symmetry functions of %s: scaling.data does not match the "
                        "symmetry functions of input.nn",
                        path, k, set->elements[e].n, mlpot_element_symbol(set->z[e]));
    line_reader_close(&r);
    return st;
}

mlpot_status acsf_scaling_create(acsf_scaling *sc, const acsf_set *set, int type, double smin, double smax,
                                 mlpot_error *err)
{
    memset(sc, 0, sizeof *sc);
    sc->type = type, sc->smin = smin, sc->smax = smax;
    sc->n_elements = set->n_elements;
    sc->elements = calloc((size_t)set->n_elements + 1, sizeof *sc->elements);
    if (!sc->elements) return mlpot_fail_memory(err, "scaling symmetry functions");
    for (int e = 0; e < set->n_elements; ++e) {
        acsf_scaling_element *el = &sc->elements[e];
        size_t n = (size_t)set->elements[e].n + 1;
        el->gmin = calloc(n, sizeof(double)), el->gmax = calloc(n, sizeof(double));
        el->gmean = calloc(n, sizeof(double)), el->gsigma = calloc(n, sizeof(double));
        el->factor = calloc(n, sizeof(double)), el->shift = calloc(n, sizeof(double));
        if (!el->gmin || !el->gmax || !el->gmean || !el->gsigma || !el->factor || !el->shift) {
            acsf_scaling_free(sc);
            return mlpot_fail_memory(err, "scaling symmetry functions");
        }
        for (size_t k = 0; k < n; ++k) el->gmin[k] = -INFINITY, el->gmax[k] = INFINITY, el->factor[k] = 1.0;
    }
    return MLPOT_OK;
}

mlpot_status acsf_scaling_factors(acsf_scaling *sc, const acsf_set *set, const char *source, mlpot_error *err)
{
    if (sc->type == ACSF_SCALE_NONE || sc->type == ACSF_CENTER) sc->smin = 0.0; /* no shift by smin */
    for (int e = 0; e < set->n_elements; ++e) {
        acsf_scaling_element *el = &sc->elements[e];
        for (int k = 0; k < set->elements[e].n; ++k) {
            double range = el->gmax[k] - el->gmin[k];
            switch (sc->type) {
            case ACSF_SCALE: el->factor[k] = (sc->smax - sc->smin) / range, el->shift[k] = el->gmin[k]; break;
            case ACSF_CENTER: el->factor[k] = 1.0, el->shift[k] = el->gmean[k]; break;
            case ACSF_SCALE_CENTER: el->factor[k] = (sc->smax - sc->smin) / range, el->shift[k] = el->gmean[k]; break;
            case ACSF_SCALE_SIGMA: el->factor[k] = (sc->smax - sc->smin) / el->gsigma[k], el->shift[k] = el->gmean[k]; break;
            default: el->factor[k] = 1.0, el->shift[k] = 0.0;
            }
            if (!isfinite(el->factor[k]) || !isfinite(el->shift[k]))
                return mlpot_fail(err, MLPOT_ERR_FORMAT,
                                  "%s: symmetry function %d of %s has %s, so it cannot be scaled (%s); n2p2 would "
                                  "produce NaN",
                                  source, k + 1, mlpot_element_symbol(set->z[e]),
                                  sc->type == ACSF_SCALE_SIGMA ? "sigma 0 (or no sigma column)" : "an empty range (min = max)",
                                  acsf_scaling_name(sc->type));
        }
    }
    return MLPOT_OK;
}

int acsf_scaling_type_of(const n2p2_settings *s)
{
    int scale = n2p2_settings_find(s, "scale_symmetry_functions") != NULL;
    int center = n2p2_settings_find(s, "center_symmetry_functions") != NULL;
    int sigma = n2p2_settings_find(s, "scale_symmetry_functions_sigma") != NULL;
    /* n2p2's precedence (Mode::setupSymmetryFunctionScaling) */
    return scale && center ? ACSF_SCALE_CENTER
         : scale           ? ACSF_SCALE
         : center          ? ACSF_CENTER
         : sigma           ? ACSF_SCALE_SIGMA
                           : ACSF_SCALE_NONE;
}

mlpot_status acsf_scaling_read(acsf_scaling *sc, const acsf_set *set, const n2p2_settings *s, const char *path,
                               mlpot_error *err)
{
    const int type = acsf_scaling_type_of(s);
    double smin = 0.0, smax = 1.0;
    mlpot_status st = MLPOT_OK;
    if (type == ACSF_SCALE || type == ACSF_SCALE_CENTER || type == ACSF_SCALE_SIGMA) {
        if ((st = read_number(s, "scale_min_short", 0.0, &smin, err)) || (st = read_number(s, "scale_max_short", 1.0, &smax, err)))
            return st;
    }
    if ((st = acsf_scaling_create(sc, set, type, smin, smax, err))) return st;
    struct stat info;
    if (path && stat(path, &info) == 0) st = read_file(sc, set, path, err);
    else if (sc->type != ACSF_SCALE_NONE)
        st = mlpot_fail(err, MLPOT_ERR_IO, "%s: missing (%s asks for scaled symmetry functions)", path ? path : "scaling.data",
                        s->path);
    if (!st) st = acsf_scaling_factors(sc, set, path ? path : "scaling.data", err);
    if (st) acsf_scaling_free(sc);
    return st;
}

int acsf_scaling_outside(const acsf_scaling *sc, int e, int k, double G)
{
    const acsf_scaling_element *el = &sc->elements[e];
    return G + OUTSIDE_TOLERANCE < el->gmin[k] || G - OUTSIDE_TOLERANCE > el->gmax[k];
}

int acsf_scaling_apply(const acsf_scaling *sc, int e, int n, const double *G, double *scaled)
{
    const acsf_scaling_element *el = &sc->elements[e];
    const double smin = sc->smin;
    int outside = 0;
    for (int k = 0; k < n; ++k) {
        outside += G[k] + OUTSIDE_TOLERANCE < el->gmin[k] || G[k] - OUTSIDE_TOLERANCE > el->gmax[k];
        scaled[k] = smin + el->factor[k] * (G[k] - el->shift[k]);
    }
    return outside;
}
