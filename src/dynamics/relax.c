/* Relaxation of atomic positions, and optionally of the cell: FIRE and L-BFGS.
 *
 * FIRE (Bitzek, Koskinen, Gähler, Moseler and Gumbsch, PRL 97, 170201 (2006)) is damped
 * dynamics with unit masses whose velocity is steered towards the force while the power F·v
 * stays positive, and which stops dead when it turns negative. It needs no line search and
 * tolerates noisy or discontinuous forces; L-BFGS converges in fewer force calls near a smooth
 * minimum. Both cap the displacement of an atom per step, reuse one neighbour list with a skin,
 * and stop on the largest force of a free atom.
 *
 * Cell relaxation works on generalised coordinates, as ASE's UnitCellFilter: the cell is
 * cell0 · D (D the deformation gradient, rows of lattice vectors) and the atoms sit at u · D,
 * u their reference positions. The variables are u (3n) and N·D (9; the factor N, the atom
 * count, makes a strain move about as far as an atom does), their generalised forces f · Dᵀ and
 * D⁻ᵀ (W - P V 1) / N (W the virial, -dE/dε), the derivatives of the enthalpy E + P V. */
#include <lbfgs.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/dynamics.h"
#include "mlpot/units.h"

/* FIRE's constants as published. Masses are 1 and the "time" dt is a step-length scale: a step
 * from rest moves an atom by dt² F (Å, with F in eV/Å), 0.01 F at the start, at most F. */
#define FIRE_DT_START 0.1
#define FIRE_DT_MAX 1.0
#define FIRE_N_MIN 5
#define FIRE_F_INC 1.1
#define FIRE_F_DEC 0.5
#define FIRE_ALPHA_START 0.1
#define FIRE_F_ALPHA 0.99

void mlpot_relax_options_default(mlpot_relax_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->method = MLPOT_RELAX_FIRE;
    opt->fmax = 0.05;
    opt->max_steps = 1000;
    opt->max_step = 0.2;
    opt->skin = 1.0;
    opt->cell = 0;
    opt->pressure = 0.0;
    opt->smax = 0.01 / MLPOT_EV_PER_A3_GPA;
}

typedef struct relaxer {
    const mlpot_potential *pot;
    mlpot_structure *s;
    const mlpot_relax_options *opt;
    mlpot_neighbour_list nl;
    mlpot_result r;
    int evaluations;
    double *start;      /* L-BFGS: positions at the start; its variables are offsets from them */
    int *free_index;    /* L-BFGS: atoms that move */
    int n_free;
    mlpot_status status; /* first failure inside a callback */
    mlpot_error *err;
    double fmax;
    int stopped;         /* the user's callback asked to stop */
    /* the variables and their generalised forces (minus the gradient of the enthalpy) */
    int n_var;
    double *q, *g;
    /* cell relaxation */
    double cell0[3][3];
    double smax;        /* largest |stress + P 1| component */
    double enthalpy;    /* E + P V */
} relaxer;

static void mat_inverse(double m[3][3], double inv[3][3])
{
    double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                 m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
            int a1 = (b + 1) % 3, a2 = (b + 2) % 3, b1 = (a + 1) % 3, b2 = (a + 2) % 3;
            inv[a][b] = (m[a1][b1] * m[a2][b2] - m[a1][b2] * m[a2][b1]) / det;
        }
}

/* Positions and cell from the generalised coordinates (cell relaxation). */
static void apply_cell_variables(relaxer *x)
{
    int n = x->s->n_atoms;
    double d[3][3];
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) d[a][b] = x->q[3 * n + 3 * a + b] / n;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
            x->s->cell[a][b] = x->cell0[a][0] * d[0][b] + x->cell0[a][1] * d[1][b] + x->cell0[a][2] * d[2][b];
    for (int i = 0; i < n; ++i) {
        const double *u = &x->q[3 * i];
        for (int b = 0; b < 3; ++b) x->s->positions[3 * i + b] = u[0] * d[0][b] + u[1] * d[1][b] + u[2] * d[2][b];
    }
}

static mlpot_status evaluate(relaxer *x, mlpot_error *err)
{
    mlpot_status st;
    if (mlpot_neighbour_list_needs_rebuild(&x->nl, x->s)) {
        double cutoff = mlpot_potential_cutoff(x->pot);
        if (!(cutoff > 0)) cutoff = 1.0;
        if ((st = mlpot_neighbour_list_build(&x->nl, x->s, cutoff, x->opt->skin, MLPOT_NEIGHBOURS_FULL, err)) ||
            (st = mlpot_neighbour_list_reverse(&x->nl, err)))
            goto fail;
    } else if ((st = mlpot_neighbour_list_update(&x->nl, x->s, err))) {
        goto fail;
    }
    unsigned request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | (x->opt->cell ? MLPOT_OUT_VIRIAL : 0u);
    if ((st = mlpot_potential_compute(x->pot, x->s, &x->nl, request, &x->r, err))) goto fail;
    x->evaluations++;
    double f2 = 0;
    for (int i = 0; i < x->s->n_atoms; ++i) {
        if (x->opt->fixed && x->opt->fixed[i]) {
            memset(&x->r.forces[3 * i], 0, 3 * sizeof(double));
            continue;
        }
        const double *f = &x->r.forces[3 * i];
        f2 = fmax(f2, f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
    }
    x->fmax = sqrt(f2);
    x->enthalpy = x->r.energy;
    if (!x->opt->cell) {
        x->g = x->r.forces; /* the result's array: its address may change between calls */
        return MLPOT_OK;
    }
    /* generalised forces: f · Dᵀ on the reference positions, D⁻ᵀ (W - P V 1) / N on N·D */
    int n = x->s->n_atoms;
    double d[3][3], dinv[3][3], v = mlpot_structure_volume(x->s), p = x->opt->pressure;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) d[a][b] = x->q[3 * n + 3 * a + b] / n;
    mat_inverse(d, dinv);
    for (int i = 0; i < n; ++i) {
        const double *f = &x->r.forces[3 * i];
        for (int a = 0; a < 3; ++a) x->g[3 * i + a] = f[0] * d[a][0] + f[1] * d[a][1] + f[2] * d[a][2];
    }
    double s = 0;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
            double wp = x->r.virial[3 * a + b] - (a == b ? p * v : 0.0), sum = 0;
            /* stress + P 1 = -(W - P V 1) / V */
            s = fmax(s, fabs(wp) / v);
            for (int c = 0; c < 3; ++c) sum += dinv[c][a] * (x->r.virial[3 * c + b] - (c == b ? p * v : 0.0));
            x->g[3 * n + 3 * a + b] = sum / n;
        }
    x->smax = s;
    x->enthalpy = x->r.energy + p * v;
    return MLPOT_OK;
fail:
    mlpot_error_prepend(err, "relaxation step %d: ", x->evaluations + 1);
    return st;
}

static int converged(const relaxer *x)
{
    return x->fmax < x->opt->fmax && (!x->opt->cell || x->smax < x->opt->smax);
}

/* Reports a step to the caller's callback; 1 when the relaxation should stop. */
static int report_step(relaxer *x)
{
    if (x->opt->callback && x->opt->callback(x->opt->user, x->evaluations, x->r.energy, x->fmax)) {
        x->stopped = 1;
        return 1;
    }
    return converged(x) || x->evaluations >= x->opt->max_steps;
}

static mlpot_status fire(relaxer *x, mlpot_error *err)
{
    int n = x->n_var;
    double *v = mlpot_calloc((size_t)n + 1, sizeof *v);
    if (!v) return mlpot_fail_memory(err, "relaxing");
    double dt = FIRE_DT_START, alpha = FIRE_ALPHA_START;
    int positive = 0;
    mlpot_status st = evaluate(x, err);
    while (!st && !report_step(x)) {
        const double *f = x->g;
        double power = 0, vv = 0, ff = 0;
        for (int k = 0; k < n; ++k) power += f[k] * v[k], vv += v[k] * v[k], ff += f[k] * f[k];
        if (power > 0) {
            /* steer the velocity towards the force, keeping its length */
            double mix = alpha * sqrt(vv / ff);
            for (int k = 0; k < n; ++k) v[k] = (1.0 - alpha) * v[k] + mix * f[k];
            if (positive > FIRE_N_MIN) {
                dt = fmin(dt * FIRE_F_INC, FIRE_DT_MAX);
                alpha *= FIRE_F_ALPHA;
            }
            positive++;
        } else {
            memset(v, 0, (size_t)n * sizeof *v);
            alpha = FIRE_ALPHA_START;
            dt *= FIRE_F_DEC;
            positive = 0;
        }
        double dr2 = 0;
        for (int k = 0; k < n; ++k) {
            v[k] += dt * f[k];
            dr2 += dt * v[k] * dt * v[k];
        }
        /* cap the whole step's length (as ASE does), so that the direction is kept */
        double scale = sqrt(dr2) > x->opt->max_step ? x->opt->max_step / sqrt(dr2) : 1.0;
        for (int i = 0; i < n / 3; ++i) {
            if (i < x->s->n_atoms && x->opt->fixed && x->opt->fixed[i]) continue;
            for (int c = 0; c < 3; ++c) x->q[3 * i + c] += scale * dt * v[3 * i + c];
        }
        if (x->opt->cell) apply_cell_variables(x);
        st = evaluate(x, err);
    }
    free(v);
    return st;
}

static lbfgsfloatval_t lbfgs_evaluate(void *instance, const lbfgsfloatval_t *var, lbfgsfloatval_t *g, const int n,
                                      const lbfgsfloatval_t step)
{
    (void)step;
    relaxer *x = instance;
    if (x->status) return INFINITY;
    for (int k = 0; k < n; ++k) x->q[x->free_index[k]] = x->start[x->free_index[k]] + var[k];
    if (x->opt->cell) apply_cell_variables(x);
    if ((x->status = evaluate(x, x->err))) return INFINITY;
    for (int k = 0; k < n; ++k) g[k] = -x->g[x->free_index[k]];
    return x->enthalpy;
}

static int lbfgs_progress(void *instance, const lbfgsfloatval_t *var, const lbfgsfloatval_t *g,
                          const lbfgsfloatval_t fx, const lbfgsfloatval_t xnorm, const lbfgsfloatval_t gnorm,
                          const lbfgsfloatval_t step, int n, int k, int ls)
{
    (void)var, (void)g, (void)fx, (void)xnorm, (void)gnorm, (void)step, (void)n, (void)k, (void)ls;
    relaxer *x = instance;
    /* the last evaluation was at the accepted point: its forces are the current ones */
    return x->status || report_step(x);
}

static mlpot_status relax_lbfgs(relaxer *x, mlpot_error *err)
{
    int n = x->s->n_atoms, m = x->n_var;
    /* the variables are offsets from the start of the free entries of q (free atoms' three
     * coordinates, then the cell's nine) */
    x->start = mlpot_calloc((size_t)m + 1, sizeof *x->start);
    x->free_index = mlpot_calloc((size_t)m + 1, sizeof *x->free_index);
    lbfgsfloatval_t *var = NULL;
    mlpot_status st = MLPOT_OK;
    if (!x->start || !x->free_index) {
        st = mlpot_fail_memory(err, "relaxing");
        goto done;
    }
    memcpy(x->start, x->q, (size_t)m * sizeof(double));
    int n_var = 0;
    for (int k = 0; k < m; ++k)
        if (!(k < 3 * n && x->opt->fixed && x->opt->fixed[k / 3])) x->free_index[n_var++] = k;
    x->n_free = n_var / 3;
    if ((st = evaluate(x, err))) goto done;
    if (n_var == 0 || report_step(x)) goto done;
    if (!(var = lbfgs_malloc(n_var))) {
        st = mlpot_fail_memory(err, "relaxing");
        goto done;
    }
    memset(var, 0, (size_t)n_var * sizeof *var);
    lbfgs_parameter_t p;
    lbfgs_parameter_init(&p);
    p.epsilon = 1e-14; /* convergence is ours (fmax), not liblbfgs's gradient norm */
    p.max_step = x->opt->max_step * sqrt((double)x->n_free);
    /* max_step bounds the line search's multiplier of the quasi-Newton direction, which with
     * the cell's variables is no displacement scale: the bound made the search stop early
     * (LBFGSERR_MAXIMUMSTEP) on a strained cell; liblbfgs's default leaves it to the search */
    if (x->opt->cell) p.max_step = 1e20;
    p.linesearch = LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
    p.max_linesearch = 40;
    x->err = err;
    lbfgsfloatval_t fx = 0;
    lbfgs(n_var, var, &fx, lbfgs_evaluate, lbfgs_progress, x, &p);
    if ((st = x->status)) goto done;
    /* liblbfgs may end on a trial point of a failed line search: evaluate where it left x */
    for (int k = 0; k < n_var; ++k) x->q[x->free_index[k]] = x->start[x->free_index[k]] + var[k];
    if (x->opt->cell) apply_cell_variables(x);
    int before = x->evaluations;
    st = evaluate(x, err);
    x->evaluations = before; /* a re-evaluation of an accepted point is not a step */
done:
    lbfgs_free(var);
    free(x->start), free(x->free_index);
    return st;
}

mlpot_status mlpot_relax(const mlpot_potential *p, mlpot_structure *s, const mlpot_relax_options *opt,
                         mlpot_relax_report *report, mlpot_error *err)
{
    memset(report, 0, sizeof *report);
    if (!(opt->fmax > 0) || !isfinite(opt->fmax))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "fmax %g eV/Å: must be positive", opt->fmax);
    if (opt->max_steps < 0)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "maximum steps %d: must not be negative", opt->max_steps);
    if (!(opt->max_step > 0) || !isfinite(opt->max_step))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "maximum step %g Å: must be positive", opt->max_step);
    if (!(opt->skin >= 0) || !isfinite(opt->skin))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "neighbour skin %g Å: must be zero or positive", opt->skin);
    if (opt->method != MLPOT_RELAX_FIRE && opt->method != MLPOT_RELAX_LBFGS)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "unknown relaxation method %d", (int)opt->method);
    mlpot_status st;
    if ((st = mlpot_structure_validate(s, err)) || (st = mlpot_potential_check_species(p, s, err))) return st;
    if (opt->cell) {
        if (!(opt->smax > 0) || !isfinite(opt->smax))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "smax %g eV/Å³: must be positive", opt->smax);
        if (!isfinite(opt->pressure))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "target pressure %g eV/Å³: must be finite", opt->pressure);
        if (!(s->pbc[0] && s->pbc[1] && s->pbc[2]) || !(mlpot_structure_volume(s) > 0))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "cell relaxation needs a cell periodic in all three directions");
        if (!(mlpot_potential_outputs(p) & MLPOT_OUT_VIRIAL))
            return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "the potential gives no virial: no stress to relax the cell");
    }
    relaxer x;
    memset(&x, 0, sizeof x);
    x.pot = p, x.s = s, x.opt = opt;
    mlpot_neighbour_list_init(&x.nl);
    mlpot_result_init(&x.r);
    int n = s->n_atoms;
    if (opt->cell) {
        /* reference positions u = the positions (D = 1 at the start), then N·D */
        x.n_var = 3 * n + 9;
        x.q = mlpot_calloc((size_t)x.n_var, sizeof *x.q);
        x.g = mlpot_calloc((size_t)x.n_var, sizeof *x.g);
        if (!x.q || !x.g) {
            free(x.q), free(x.g);
            return mlpot_fail_memory(err, "relaxing");
        }
        memcpy(x.q, s->positions, 3 * (size_t)n * sizeof *x.q);
        for (int a = 0; a < 3; ++a) x.q[3 * n + 4 * a] = n;
        memcpy(x.cell0, s->cell, sizeof x.cell0);
    } else {
        x.n_var = 3 * n;
        x.q = s->positions;
    }
    st = opt->method == MLPOT_RELAX_FIRE ? fire(&x, err) : relax_lbfgs(&x, err);
    if (!st) {
        report->converged = converged(&x);
        report->steps = x.evaluations;
        report->energy = x.r.energy;
        report->fmax = x.fmax;
        report->smax = opt->cell ? x.smax : 0.0;
    }
    if (opt->cell) free(x.q), free(x.g);
    mlpot_neighbour_list_free(&x.nl);
    mlpot_result_free(&x.r);
    return st;
}
