/* Lennard-Jones 12-6, as LAMMPS pair_style lj/cut (optionally with pair_modify shift yes). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classical/pair_sum.h"
#include "core/error.h"
#include "mlpot/classical.h"
#include "mlpot/elements.h"

typedef struct lj {
    double cutoff, cutoff2;
    int shift;
    int n_species;                        /* 0: one parameter pair for all species */
    int index[MLPOT_MAX_ELEMENT + 1];     /* atomic number -> species index */
    /* per species pair (a*n+b): 4εσ¹², 4εσ⁶ and the energy at the cutoff */
    double *c12, *c6, *offset;
    double epsilon, sigma;                /* for the description */
} lj;

/* φ(r) = c12/r¹² - c6/r⁶ - offset; φ'(r) = (-12 c12/r¹² + 6 c6/r⁶)/r. */
static inline int lj_pair(const void *state, int zi, int zj, double r, double *phi, double *dphi)
{
    const lj *p = state;
    if (r >= p->cutoff) return 0;
    int k = p->n_species ? p->index[zi] * p->n_species + p->index[zj] : 0;
    double ir2 = 1.0 / (r * r), ir6 = ir2 * ir2 * ir2;
    double a = p->c12[k] * ir6 * ir6, b = p->c6[k] * ir6;
    *phi = a - b - p->offset[k];
    *dphi = (-12.0 * a + 6.0 * b) / r;
    return 1;
}

static mlpot_status lj_compute(const void *state, const mlpot_structure *s,
                               const mlpot_neighbour_list *nl, unsigned request,
                               mlpot_result *out, mlpot_error *err)
{
    return mlpot_pair_sum(state, s, nl, request, out, lj_pair, err);
}

static void lj_destroy(void *state)
{
    lj *p = state;
    if (!p) return;
    free(p->c12);
    free(p->c6);
    free(p->offset);
    free(p);
}

static void lj_describe(const void *state, char *buf, size_t size)
{
    const lj *p = state;
    if (p->n_species)
        snprintf(buf, size, "lj: %d species, Lorentz-Berthelot mixing, cutoff %g Å%s",
                 p->n_species, p->cutoff, p->shift ? ", shifted" : "");
    else
        snprintf(buf, size, "lj: epsilon %g eV, sigma %g Å, cutoff %g Å%s", p->epsilon, p->sigma,
                 p->cutoff, p->shift ? ", shifted" : "");
}

mlpot_status mlpot_lj_create(const mlpot_lj_params *params, mlpot_potential **out,
                             mlpot_error *err)
{
    *out = NULL;
    if (!(params->cutoff > 0) || !isfinite(params->cutoff))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "lj: cutoff %g must be positive", params->cutoff);
    int ns = params->n_species;
    if (ns < 0 || ns > MLPOT_MAX_ELEMENT)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "lj: invalid number of species %d", ns);
    int npairs = ns ? ns * ns : 1;
    lj *p = calloc(1, sizeof *p);
    if (p) {
        p->c12 = calloc((size_t)npairs, sizeof(double));
        p->c6 = calloc((size_t)npairs, sizeof(double));
        p->offset = calloc((size_t)npairs, sizeof(double));
    }
    if (!p || !p->c12 || !p->c6 || !p->offset) {
        lj_destroy(p);
        return mlpot_fail_memory(err, "creating an lj potential");
    }
    p->cutoff = params->cutoff;
    p->cutoff2 = params->cutoff * params->cutoff;
    p->shift = params->shift;
    p->n_species = ns;
    p->epsilon = params->epsilon;
    p->sigma = params->sigma;
    int seen[MLPOT_MAX_ELEMENT + 1] = {0};
    for (int a = 0; a < ns; ++a) {
        int z = params->species[a];
        if (z < 1 || z > MLPOT_MAX_ELEMENT || seen[z]++) {
            lj_destroy(p);
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "lj: invalid or repeated species %d", z);
        }
        p->index[z] = a;
    }
    for (int a = 0; a < (ns ? ns : 1); ++a)
        for (int b = 0; b < (ns ? ns : 1); ++b) {
            double eps = ns ? sqrt(params->epsilons[a] * params->epsilons[b]) : params->epsilon;
            double sig = ns ? 0.5 * (params->sigmas[a] + params->sigmas[b]) : params->sigma;
            if (!(eps >= 0) || !(sig > 0) || !isfinite(eps) || !isfinite(sig)) {
                lj_destroy(p);
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                                  "lj: epsilon must be >= 0 and sigma > 0 (got %g, %g)", eps, sig);
            }
            int k = a * (ns ? ns : 1) + b;
            double s6 = pow(sig, 6.0);
            p->c12[k] = 4.0 * eps * s6 * s6;
            p->c6[k] = 4.0 * eps * s6;
            if (p->shift) {
                double ir6 = 1.0 / (p->cutoff2 * p->cutoff2 * p->cutoff2);
                p->offset[k] = p->c12[k] * ir6 * ir6 - p->c6[k] * ir6;
            }
        }
    mlpot_potential_info info = {
        .style = "lj",
        .cutoff = p->cutoff,
        .outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL |
                   MLPOT_OUT_ATOM_ENERGIES | MLPOT_OUT_ATOM_VIRIALS,
        .needs_full_list = 1,
        .n_species = ns,
        .species = params->species,
    };
    static const mlpot_potential_ops ops = {lj_compute, lj_destroy, lj_describe};
    return mlpot_potential_create(&ops, p, &info, out, err);
}
