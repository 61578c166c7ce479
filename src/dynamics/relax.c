/* Relaxation of atomic positions in a fixed cell: FIRE and L-BFGS.
 *
 * FIRE (Bitzek, Koskinen, Gähler, Moseler and Gumbsch, PRL 97, 170201 (2006)) is damped
 * dynamics with unit masses whose velocity is steered towards the force while the power F·v
 * stays positive, and which stops dead when it turns negative. It needs no line search and
 * tolerates noisy or discontinuous forces; L-BFGS converges in fewer force calls near a smooth
 * minimum. Both cap the displacement of an atom per step, reuse one neighbour list with a skin,
 * and stop on the largest force of a free atom. */
#include <lbfgs.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/dynamics.h"

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
} relaxer;

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
    if ((st = mlpot_potential_compute(x->pot, x->s, &x->nl, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES, &x->r, err)))
        goto fail;
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
    return MLPOT_OK;
fail:
    mlpot_error_prepend(err, "relaxation step %d: ", x->evaluations + 1);
    return st;
}

/* Reports a step to the caller's callback; 1 when the relaxation should stop. */
static int report_step(relaxer *x)
{
    if (x->opt->callback && x->opt->callback(x->opt->user, x->evaluations, x->r.energy, x->fmax)) {
        x->stopped = 1;
        return 1;
    }
    return x->fmax < x->opt->fmax || x->evaluations >= x->opt->max_steps;
}

static mlpot_status fire(relaxer *x, mlpot_error *err)
{
    int n = x->s->n_atoms;
    double *v = mlpot_calloc(3 * (size_t)n + 1, sizeof *v);
    if (!v) return mlpot_fail_memory(err, "relaxing");
    double dt = FIRE_DT_START, alpha = FIRE_ALPHA_START;
    int positive = 0;
    mlpot_status st = evaluate(x, err);
    while (!st && !report_step(x)) {
        const double *f = x->r.forces;
        double power = 0, vv = 0, ff = 0;
        for (int k = 0; k < 3 * n; ++k) power += f[k] * v[k], vv += v[k] * v[k], ff += f[k] * f[k];
        if (power > 0) {
            /* steer the velocity towards the force, keeping its length */
            double mix = alpha * sqrt(vv / ff);
            for (int k = 0; k < 3 * n; ++k) v[k] = (1.0 - alpha) * v[k] + mix * f[k];
            if (positive > FIRE_N_MIN) {
                dt = fmin(dt * FIRE_F_INC, FIRE_DT_MAX);
                alpha *= FIRE_F_ALPHA;
            }
            positive++;
        } else {
            memset(v, 0, 3 * (size_t)n * sizeof *v);
            alpha = FIRE_ALPHA_START;
            dt *= FIRE_F_DEC;
            positive = 0;
        }
        double dr2 = 0;
        for (int k = 0; k < 3 * n; ++k) {
            v[k] += dt * f[k];
            dr2 += dt * v[k] * dt * v[k];
        }
        /* cap the whole step's length (as ASE does), so that the direction is kept */
        double scale = sqrt(dr2) > x->opt->max_step ? x->opt->max_step / sqrt(dr2) : 1.0;
        for (int i = 0; i < n; ++i) {
            if (x->opt->fixed && x->opt->fixed[i]) continue;
            for (int c = 0; c < 3; ++c) x->s->positions[3 * i + c] += scale * dt * v[3 * i + c];
        }
        st = evaluate(x, err);
    }
    free(v);
    return st;
}

static lbfgsfloatval_t lbfgs_evaluate(void *instance, const lbfgsfloatval_t *var, lbfgsfloatval_t *g, const int n,
                                      const lbfgsfloatval_t step)
{
    (void)n, (void)step;
    relaxer *x = instance;
    if (x->status) return INFINITY;
    for (int q = 0; q < x->n_free; ++q) {
        int i = x->free_index[q];
        for (int c = 0; c < 3; ++c) x->s->positions[3 * i + c] = x->start[3 * i + c] + var[3 * q + c];
    }
    if ((x->status = evaluate(x, x->err))) return INFINITY;
    for (int q = 0; q < x->n_free; ++q)
        for (int c = 0; c < 3; ++c) g[3 * q + c] = -x->r.forces[3 * x->free_index[q] + c];
    return x->r.energy;
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
    int n = x->s->n_atoms;
    x->start = mlpot_calloc(3 * (size_t)n + 1, sizeof *x->start);
    x->free_index = mlpot_calloc((size_t)n + 1, sizeof *x->free_index);
    lbfgsfloatval_t *var = NULL;
    mlpot_status st = MLPOT_OK;
    if (!x->start || !x->free_index) {
        st = mlpot_fail_memory(err, "relaxing");
        goto done;
    }
    memcpy(x->start, x->s->positions, 3 * (size_t)n * sizeof(double));
    for (int i = 0; i < n; ++i)
        if (!(x->opt->fixed && x->opt->fixed[i])) x->free_index[x->n_free++] = i;
    if ((st = evaluate(x, err))) goto done;
    if (x->n_free == 0 || report_step(x)) goto done;
    if (!(var = lbfgs_malloc(3 * x->n_free))) {
        st = mlpot_fail_memory(err, "relaxing");
        goto done;
    }
    memset(var, 0, 3 * (size_t)x->n_free * sizeof *var);
    lbfgs_parameter_t p;
    lbfgs_parameter_init(&p);
    p.epsilon = 1e-14; /* convergence is ours (fmax), not liblbfgs's gradient norm */
    p.max_step = x->opt->max_step * sqrt((double)x->n_free);
    p.linesearch = LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
    p.max_linesearch = 40;
    x->err = err;
    lbfgsfloatval_t fx = 0;
    lbfgs(3 * x->n_free, var, &fx, lbfgs_evaluate, lbfgs_progress, x, &p);
    if ((st = x->status)) goto done;
    /* liblbfgs may end on a trial point of a failed line search: evaluate where it left x */
    for (int q = 0; q < x->n_free; ++q)
        for (int c = 0; c < 3; ++c)
            x->s->positions[3 * x->free_index[q] + c] = x->start[3 * x->free_index[q] + c] + var[3 * q + c];
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
    relaxer x;
    memset(&x, 0, sizeof x);
    x.pot = p, x.s = s, x.opt = opt;
    mlpot_neighbour_list_init(&x.nl);
    mlpot_result_init(&x.r);
    st = opt->method == MLPOT_RELAX_FIRE ? fire(&x, err) : relax_lbfgs(&x, err);
    if (!st) {
        report->converged = x.fmax < opt->fmax;
        report->steps = x.evaluations;
        report->energy = x.r.energy;
        report->fmax = x.fmax;
    }
    mlpot_neighbour_list_free(&x.nl);
    mlpot_result_free(&x.r);
    return st;
}
