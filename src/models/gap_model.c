/* The GAP model: lifetime, validation and the data derived for evaluation. */
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/memory.h"
#include "descriptors/soap_args.h"
#include "models/gap_model.h"

void gap_model_init(gap_model *m)
{
    memset(m, 0, sizeof *m);
    m->energy_scale = 1.0;
    m->variance_regularisation = 1e-3;
}

static void coordinate_free(gap_coordinate *c)
{
    free(c->descriptor_string);
    free(c->theta);
    free(c->sparse);
    free(c->alpha);
    free(c->sparse_cutoff);
    free(c->sparse_t);
    free(c->weight);
    free(c->chol);
    soap_desc_free(&c->soap);
    memset(c, 0, sizeof *c);
}

void gap_model_free(gap_model *m)
{
    if (!m) return;
    for (int k = 0; k < m->n_coordinates; ++k) coordinate_free(&m->coordinates[k]);
    free(m->coordinates);
    free(m->label);
    free(m->source);
    gap_model_init(m);
}

gap_coordinate *gap_model_add_coordinate(gap_model *m)
{
    gap_coordinate *c = mlpot_realloc(m->coordinates, (size_t)m->n_coordinates + 1, sizeof *c);
    if (!c) return NULL;
    m->coordinates = c;
    c = &m->coordinates[m->n_coordinates++];
    memset(c, 0, sizeof *c);
    return c;
}

/* K_MM + ρ²I with QUIP's conventions (see gpCoordinates_initialise_variance_estimate: the
 * dot-product matrix has no sparse cutoffs, the ard_se one has them and a diagonal of
 * δ²·sparseCutoff²), then its Cholesky factor. */
static mlpot_status variance_factor(gap_coordinate *c, double rho, const char *where, mlpot_error *err)
{
    const int M = c->n_sparse, d = c->d;
    if (M == 0) return MLPOT_OK;
    double *K = mlpot_calloc((size_t)M * M, sizeof *K);
    if (!K) return mlpot_fail(err, MLPOT_ERR_MEMORY, "%s: out of memory for the %d×%d variance matrix", where, M, M);
    const double d2 = c->delta * c->delta, f02 = c->f0 * c->f0;
#pragma omp parallel for schedule(dynamic, 8) if (M > 256)
    for (int a = 0; a < M; ++a) {
        const double *xa = c->sparse + (size_t)a * d;
        for (int b = 0; b <= a; ++b) {
            const double *xb = c->sparse + (size_t)b * d;
            double v;
            if (c->kernel == GAP_KERNEL_DOT_PRODUCT) {
                double dot = 0.0;
                for (int q = 0; q < d; ++q) dot += xa[q] * xb[q];
                v = d2 * pow(dot, c->zeta);
            } else if (a == b) {
                v = d2 * c->sparse_cutoff[a] * c->sparse_cutoff[a];
            } else {
                double r2 = 0.0;
                for (int q = 0; q < d; ++q) {
                    double t = (xa[q] - xb[q]) / c->theta[q];
                    r2 += t * t;
                }
                v = d2 * exp(-0.5 * r2) * c->sparse_cutoff[a] * c->sparse_cutoff[b];
            }
            v += f02;
            if (a == b) v += rho * rho;
            K[(size_t)a * M + b] = v;
        }
    }
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', M, K, M);
    if (info != 0) {
        free(K);
        return mlpot_fail(err, MLPOT_ERR_NUMERIC,
                          "%s: K_MM + rho^2 I is not positive definite (rho = %g); use a larger variance_regularisation",
                          where, rho);
    }
    /* keep Lᵀ (upper triangle, row-major) for column-oriented substitutions */
    for (int a = 0; a < M; ++a)
        for (int b = a + 1; b < M; ++b) {
            K[(size_t)a * M + b] = K[(size_t)b * M + a];
            K[(size_t)b * M + a] = 0.0;
        }
    c->chol = K;
    return MLPOT_OK;
}

static int all_finite(const double *x, size_t n)
{
    for (size_t k = 0; k < n; ++k)
        if (!isfinite(x[k])) return 0;
    return 1;
}

static mlpot_status prepare_coordinate(gap_model *m, int index, mlpot_error *err)
{
    gap_coordinate *c = &m->coordinates[index];
    char where[600];
    snprintf(where, sizeof where, "%.500s: descriptor %d", m->source ? m->source : "GAP model", index + 1);
    if (!c->descriptor_string) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s has no descriptor string", where);
    /* the descriptor */
    quip_args a;
    mlpot_status st = quip_args_parse(c->descriptor_string, 1, where, &a, err);
    if (st) return st;
    const char *name = a.name ? a.name : "";
    soap_desc_free(&c->soap);
    if (!strcasecmp(name, "soap")) {
        mlpot_soap_params p;
        st = soap_params_from_args(&a, &p, err);
        quip_args_free(&a);
        if (st) return st;
        p.xml_version = m->gap_version; /* QUIP passes the file's gap_version to the descriptor */
        if ((st = soap_desc_init(&c->soap, &p, err))) {
            mlpot_error_prepend(err, "%s: ", where);
            return st;
        }
        c->descriptor = GAP_DESCRIPTOR_SOAP;
        c->cutoff = p.cutoff;
        if (c->d != c->soap.dim)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: dimensions=%d but the soap descriptor has %d components", where,
                              c->d, c->soap.dim);
    } else if (!strcasecmp(name, "distance_2b")) {
        quip_args_free(&a);
        if ((st = gap_pair_params_parse(c->descriptor_string, where, &c->pair, err))) return st;
        c->descriptor = GAP_DESCRIPTOR_DISTANCE_2B;
        c->cutoff = c->pair.cutoff;
        if (c->d != c->pair.n_exponents)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: dimensions=%d but distance_2b has %d components", where, c->d,
                              c->pair.n_exponents);
    } else {
        char shown[64];
        snprintf(shown, sizeof shown, "%s", name[0] ? name : c->descriptor_string);
        quip_args_free(&a);
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                          "%s: descriptor '%s' is not supported by mlpot (supported: soap, distance_2b)", where, shown);
    }
    /* the kernel and the sparse points */
    if (c->kernel != GAP_KERNEL_DOT_PRODUCT && c->kernel != GAP_KERNEL_ARD_SE)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                          "%s: covariance type %d is not supported (supported: ard_se = 1, dot_product = 2)", where,
                          (int)c->kernel);
    if (!isfinite(c->delta) || !isfinite(c->f0))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: signal_variance and signal_mean must be finite", where);
    if (c->n_sparse < 0) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: negative number of sparse points", where);
    if (c->n_sparse > 0 && (!c->sparse || !c->alpha || !c->sparse_cutoff))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: sparse points, alphas or sparse cutoffs are missing", where);
    size_t M = (size_t)c->n_sparse, d = (size_t)c->d;
    if (!all_finite(c->sparse, M * d) || !all_finite(c->alpha, M) || !all_finite(c->sparse_cutoff, M))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: non-finite sparse point, alpha or sparse cutoff", where);
    if (c->kernel == GAP_KERNEL_DOT_PRODUCT) {
        if (!(c->zeta > 0) || !isfinite(c->zeta))
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the dot-product kernel needs a positive zeta (got %g)", where,
                              c->zeta);
        c->zeta_int = c->zeta == floor(c->zeta) && c->zeta <= 64 ? (int)c->zeta : 0;
    } else {
        if (!c->theta) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: ard_se kernel without length scales (theta)", where);
        for (size_t q = 0; q < d; ++q)
            if (!(c->theta[q] > 0) || !isfinite(c->theta[q]))
                return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: length scale theta %zu is %g (must be positive)", where,
                                  q + 1, c->theta[q]);
    }
    c->prior_diag = c->delta * c->delta + c->f0 * c->f0;
    free(c->weight), free(c->sparse_t), free(c->chol);
    c->chol = NULL;
    c->weight = mlpot_calloc(M + 1, sizeof *c->weight);
    c->sparse_t = c->kernel == GAP_KERNEL_DOT_PRODUCT ? mlpot_calloc(M * d + 1, sizeof *c->sparse_t) : NULL;
    if (!c->weight || (c->kernel == GAP_KERNEL_DOT_PRODUCT && !c->sparse_t))
        return mlpot_fail_memory(err, "preparing a GAP model");
    for (size_t s = 0; s < M; ++s) {
        c->weight[s] = c->alpha[s] * c->sparse_cutoff[s] * (c->kernel == GAP_KERNEL_DOT_PRODUCT ? c->delta * c->delta : 1.0);
        if (c->sparse_t)
            for (size_t q = 0; q < d; ++q) c->sparse_t[q * M + s] = c->sparse[s * d + q];
    }
    return MLPOT_OK;
}

static void add_species(gap_model *m, int z, int *seen)
{
    if (z <= 0 || z > MLPOT_MAX_ELEMENT || seen[z]) return;
    seen[z] = 1;
    m->species[m->n_species++] = z;
}

mlpot_status gap_model_prepare(gap_model *m, const mlpot_gap_options *options, mlpot_error *err)
{
    mlpot_gap_options defaults;
    mlpot_gap_options_default(&defaults);
    if (!options) options = &defaults;
    if (!(options->variance_regularisation >= 0) || !isfinite(options->variance_regularisation))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "GAP: the variance regularisation must be >= 0 (got %g)",
                          options->variance_regularisation);
    if (!isfinite(m->energy_scale)) return mlpot_fail(err, MLPOT_ERR_FORMAT, "GAP: non-finite energy scale");
    for (int z = 0; z <= MLPOT_MAX_ELEMENT; ++z)
        if (!isfinite(m->e0[z])) return mlpot_fail(err, MLPOT_ERR_FORMAT, "GAP: non-finite e0 for Z=%d", z);
    if (m->n_coordinates == 0)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the GAP model has no descriptors", m->source ? m->source : "GAP");
    m->cutoff = 0.0;
    for (int k = 0; k < m->n_coordinates; ++k) {
        mlpot_status st = prepare_coordinate(m, k, err);
        if (st) return st;
        if (m->coordinates[k].cutoff > m->cutoff) m->cutoff = m->coordinates[k].cutoff;
    }
    /* species: those the descriptors name; any species when a descriptor takes any centre */
    int seen[MLPOT_MAX_ELEMENT + 1] = {0}, wildcard = 0;
    m->n_species = 0;
    for (int k = 0; k < m->n_coordinates; ++k) {
        const gap_coordinate *c = &m->coordinates[k];
        if (c->descriptor == GAP_DESCRIPTOR_SOAP) {
            for (int s = 0; s < c->soap.p.n_centres; ++s) wildcard |= c->soap.p.centres[s] == 0;
            for (int s = 0; s < c->soap.p.n_centres; ++s) add_species(m, c->soap.p.centres[s], seen);
            for (int s = 0; s < c->soap.p.n_species; ++s) add_species(m, c->soap.p.species[s], seen);
        } else {
            wildcard |= c->pair.z1 == 0 || c->pair.z2 == 0;
            add_species(m, c->pair.z1, seen);
            add_species(m, c->pair.z2, seen);
        }
    }
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z)
        if (m->e0[z] != 0.0) add_species(m, z, seen);
    if (wildcard) m->n_species = 0;
    /* variance factors */
    m->variance_regularisation = options->variance_regularisation;
    int want = options->variance;
    if (want < 0) {
        want = 1;
        for (int k = 0; k < m->n_coordinates; ++k)
            if (m->coordinates[k].n_sparse > 4000) want = 0;
    }
    m->has_variance = 0;
    if (want) {
        for (int k = 0; k < m->n_coordinates; ++k) {
            char where[600];
            snprintf(where, sizeof where, "%.500s: descriptor %d", m->source ? m->source : "GAP model", k + 1);
            mlpot_status st = variance_factor(&m->coordinates[k], m->variance_regularisation, where, err);
            if (st) {
                if (options->variance > 0) return st;
                for (int j = 0; j <= k; ++j) free(m->coordinates[j].chol), m->coordinates[j].chol = NULL;
                return MLPOT_OK; /* automatic: the model loads, without variance outputs */
            }
        }
        m->has_variance = 1;
    }
    return MLPOT_OK;
}
