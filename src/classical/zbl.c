/* Ziegler-Biersack-Littmark universal screened nuclear repulsion, smoothly switched off
 * between `inner` and `outer` as LAMMPS pair_style zbl does:
 *   E(r) = k Z_i Z_j / r · φ(r/a) + S(r),  a = 0.46850 / (Z_i^0.23 + Z_j^0.23),
 *   φ(x) = 0.18175 e^{-3.19980x} + 0.50986 e^{-0.94229x} + 0.28022 e^{-0.40290x}
 *          + 0.02817 e^{-0.20162x},
 *   S(r) = C for r < inner, A/3 t³ + B/4 t⁴ + C with t = r - inner up to the cutoff,
 * with A, B, C chosen so that E, E' and E'' vanish at the cutoff. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "classical/pair_sum.h"
#include "core/error.h"
#include "mlpot/classical.h"
#include "mlpot/elements.h"

/* LAMMPS's e²/(4πε₀) in metal units (force->qqr2e); the exact value differs in the 8th digit,
 * and ZBL is fitted to four digits anyway, so LAMMPS's number keeps both codes identical. */
#define ZBL_COULOMB 14.399645

static const double ZBL_C[4] = {0.02817, 0.28022, 0.50986, 0.18175};
static const double ZBL_D[4] = {0.20162, 0.40290, 0.94229, 3.19980};

typedef struct zbl_pair {
    double zze, inv_a;           /* k Z_i Z_j and 1/a */
    double sw1, sw2, sw3, sw4, sw5;
} zbl_pair;

typedef struct zbl {
    double inner, outer;
    zbl_pair pairs[MLPOT_MAX_ELEMENT + 1][MLPOT_MAX_ELEMENT + 1]; /* symmetric table by Z */
} zbl;

/* Screened Coulomb energy and its first two derivatives. */
static void zbl_core(const zbl_pair *p, double r, double *e, double *de, double *d2e)
{
    double sum = 0, sum_p = 0, sum_pp = 0;
    for (int k = 0; k < 4; ++k) {
        double d = ZBL_D[k] * p->inv_a;
        double t = ZBL_C[k] * exp(-d * r);
        sum += t;
        sum_p -= d * t;
        sum_pp += d * d * t;
    }
    double rinv = 1.0 / r;
    *e = p->zze * sum * rinv;
    *de = p->zze * (sum_p - sum * rinv) * rinv;
    if (d2e) *d2e = p->zze * (sum_pp + 2.0 * sum * rinv * rinv - 2.0 * sum_p * rinv) * rinv;
}

static inline int zbl_eval(const void *state, int zi, int zj, double r, double *phi, double *dphi)
{
    const zbl *p = state;
    if (r >= p->outer) return 0;
    const zbl_pair *q = &p->pairs[zi][zj];
    double e, de;
    zbl_core(q, r, &e, &de, NULL);
    e += q->sw5;
    if (r > p->inner) {
        double t = r - p->inner;
        e += t * t * t * (q->sw3 + q->sw4 * t);
        de += t * t * (q->sw1 + q->sw2 * t);
    }
    *phi = e;
    *dphi = de;
    return 1;
}

static mlpot_status zbl_compute(const void *state, const mlpot_structure *s,
                                const mlpot_neighbour_list *nl, unsigned request,
                                mlpot_result *out, mlpot_error *err)
{
    return mlpot_pair_sum(state, s, nl, request, out, zbl_eval, err);
}

static void zbl_describe(const void *state, char *buf, size_t size)
{
    const zbl *p = state;
    snprintf(buf, size, "zbl: switched off between %g and %g Å", p->inner, p->outer);
}

static void zbl_destroy(void *state) { free(state); }

mlpot_status mlpot_zbl_create(double inner, double outer, mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    if (!(inner > 0) || !(outer > inner) || !isfinite(outer))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "zbl: need 0 < inner < outer (got inner %g, outer %g)", inner, outer);
    zbl *p = calloc(1, sizeof *p);
    if (!p) return mlpot_fail_memory(err, "creating a zbl potential");
    p->inner = inner;
    p->outer = outer;
    double tc = outer - inner;
    for (int zi = 1; zi <= MLPOT_MAX_ELEMENT; ++zi)
        for (int zj = 1; zj <= MLPOT_MAX_ELEMENT; ++zj) {
            zbl_pair *q = &p->pairs[zi][zj];
            q->zze = ZBL_COULOMB * zi * zj;
            q->inv_a = (pow((double)zi, 0.23) + pow((double)zj, 0.23)) / 0.46850;
            double fc, fcp, fcpp;
            zbl_core(q, outer, &fc, &fcp, &fcpp);
            double swa = (-3.0 * fcp + tc * fcpp) / (tc * tc);
            double swb = (2.0 * fcp - tc * fcpp) / (tc * tc * tc);
            double swc = -fc + (tc / 2.0) * fcp - (tc * tc / 12.0) * fcpp;
            q->sw1 = swa;
            q->sw2 = swb;
            q->sw3 = swa / 3.0;
            q->sw4 = swb / 4.0;
            q->sw5 = swc;
        }
    mlpot_potential_info info = {
        .style = "zbl",
        .cutoff = outer,
        .outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL |
                   MLPOT_OUT_ATOM_ENERGIES | MLPOT_OUT_ATOM_VIRIALS,
        .needs_full_list = 1,
    };
    static const mlpot_potential_ops ops = {zbl_compute, zbl_destroy, zbl_describe};
    return mlpot_potential_create(&ops, p, &info, out, err);
}
