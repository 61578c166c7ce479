/* The cutoff and compact-support functions of atom-centred symmetry functions, as n2p2 defines
 * them (types and formulas of its CutoffFunction and CompactFunction):
 *   cutoff f_c(r) with inner shift α (x = (r - α r_c) / (r_c - α r_c), f = 1 below α r_c):
 *     0 hard: 1;  1 cos: ½[cos(πx) + 1];  2 tanhU: tanh³(1 - r/r_c);  3 tanh: c·tanh³(1 - r/r_c)
 *     with f(0) = 1;  4 exp: e·exp(1/(x² - 1));  5-8 poly1..poly4: polynomials with 1..4
 *     vanishing derivatives at x = 0 and 1.
 *   compact C(a; left, right) = core(|a - centre| / half-width), the core a polynomial (optionally
 *     "asymmetric": core((2 - x) x)) or the exp function above.
 * Each function returns the value and the derivative with respect to its argument. */
#ifndef MLPOT_DESCRIPTORS_ACSF_CUTOFF_H
#define MLPOT_DESCRIPTORS_ACSF_CUTOFF_H

#include <math.h>

#include "descriptors/fast_math.h"

enum acsf_cutoff_type {
    ACSF_CUT_HARD = 0,
    ACSF_CUT_COS = 1,
    ACSF_CUT_TANHU = 2,
    ACSF_CUT_TANH = 3,
    ACSF_CUT_EXP = 4,
    ACSF_CUT_POLY1 = 5,
    ACSF_CUT_POLY2 = 6,
    ACSF_CUT_POLY3 = 7,
    ACSF_CUT_POLY4 = 8
};

enum acsf_core { ACSF_CORE_POLY1, ACSF_CORE_POLY2, ACSF_CORE_POLY3, ACSF_CORE_POLY4, ACSF_CORE_EXP };

#define ACSF_PI 3.14159265358979323846
#define ACSF_E 2.71828182845904523536

/* core functions on x in [0, 1]: 1 at 0, 0 at 1 */
static inline void acsf_core_fdf(int core, double x, double *f, double *df)
{
    double x2 = x * x;
    switch (core) {
    case ACSF_CORE_POLY1:
        *f = (2.0 * x - 3.0) * x2 + 1.0;
        *df = x * (6.0 * x - 6.0);
        break;
    case ACSF_CORE_POLY2:
        *f = ((15.0 - 6.0 * x) * x - 10.0) * x * x2 + 1.0;
        *df = x2 * ((60.0 - 30.0 * x) * x - 30.0);
        break;
    case ACSF_CORE_POLY3:
        *f = (x * (x * (20.0 * x - 70.0) + 84.0) - 35.0) * x2 * x2 + 1.0;
        *df = x2 * x * (x * (x * (140.0 * x - 420.0) + 420.0) - 140.0);
        break;
    case ACSF_CORE_POLY4: {
        double x4 = x2 * x2;
        *f = (x * (x * ((315.0 - 70.0 * x) * x - 540.0) + 420.0) - 126.0) * x * x4 + 1.0;
        *df = x4 * (x * (x * ((2520.0 - 630.0 * x) * x - 3780.0) + 2520.0) - 630.0);
        break;
    }
    default: { /* exp */
        double t = 1.0 / (x2 - 1.0);
        double e = exp(t);
        *f = ACSF_E * e;
        *df = -2.0 * ACSF_E * x * t * t * e;
    }
    }
}

typedef struct acsf_cutoff {
    int type;
    double rc, rcinv, alpha, rci, iw; /* inner radius α r_c, 1/(r_c - r_ci) */
    double tanh_pre;                  /* 1, or coth³(1) so that the "tanh" cutoff is 1 at r = 0 */
} acsf_cutoff;

static inline void acsf_cutoff_set(acsf_cutoff *c, int type, double rc, double alpha)
{
    c->type = type;
    c->rc = rc;
    c->rcinv = 1.0 / rc;
    c->alpha = alpha;
    c->rci = rc * alpha;
    c->iw = 1.0 / (rc - c->rci);
    double coth1 = (ACSF_E + 1.0 / ACSF_E) / (ACSF_E - 1.0 / ACSF_E);
    c->tanh_pre = type == ACSF_CUT_TANH ? coth1 * coth1 * coth1 : 1.0;
}

/* The tanh cutoffs without branches (zero from r_c on), so that loops over distances
 * vectorise; every path uses this one definition. */
static inline void acsf_cutoff_tanh_fdf(const acsf_cutoff *c, double r, double *fc, double *dfc)
{
    double inside = r < c->rc ? 1.0 : 0.0;
    double t = fast_tanh_nonneg(inside * (1.0 - r * c->rcinv)), t2 = t * t;
    *fc = inside * c->tanh_pre * t * t2;
    *dfc = inside * 3.0 * c->tanh_pre * t2 * (t2 - 1.0) * c->rcinv;
}

static inline void acsf_cutoff_fdf(const acsf_cutoff *c, double r, double *fc, double *dfc)
{
    if (r >= c->rc) {
        *fc = 0.0, *dfc = 0.0;
        return;
    }
    switch (c->type) {
    case ACSF_CUT_HARD: *fc = 1.0, *dfc = 0.0; return;
    case ACSF_CUT_TANHU:
    case ACSF_CUT_TANH: acsf_cutoff_tanh_fdf(c, r, fc, dfc); return;
    default: break;
    }
    if (r < c->rci) {
        *fc = 1.0, *dfc = 0.0;
        return;
    }
    double x = (r - c->rci) * c->iw;
    if (c->type == ACSF_CUT_COS) {
        /* n2p2 takes |sin| as sqrt(1 - cos²); the same here keeps its numbers */
        double t = cos(ACSF_PI * x);
        *fc = 0.5 * (t + 1.0);
        *dfc = -0.5 * c->iw * ACSF_PI * sqrt(1.0 - t * t);
        return;
    }
    int core = c->type == ACSF_CUT_EXP ? ACSF_CORE_EXP : ACSF_CORE_POLY1 + (c->type - ACSF_CUT_POLY1);
    acsf_core_fdf(core, x, fc, dfc);
    *dfc *= c->iw;
}

/* Compact function on [left, right]: core(|a - centre| / w), zero outside. */
typedef struct acsf_compact {
    int core, asymmetric;
    double left, right, centre, scale; /* scale = 1 / half-width */
} acsf_compact;

static inline void acsf_compact_set(acsf_compact *c, int core, int asymmetric, double left, double right)
{
    c->core = core;
    c->asymmetric = asymmetric;
    c->left = left;
    c->right = right;
    c->centre = 0.5 * (right + left);
    c->scale = 1.0 / (0.5 * (right - left));
}

static inline void acsf_compact_fdf(const acsf_compact *c, double a, double *f, double *df)
{
    double x = (a - c->centre) * c->scale;
    double ax = fabs(x);
    if (c->asymmetric) {
        acsf_core_fdf(c->core, (2.0 - ax) * ax, f, df);
        *df *= 2.0 - 2.0 * ax;
    } else {
        acsf_core_fdf(c->core, ax, f, df);
    }
    *df *= copysign(c->scale, x);
}

#endif
