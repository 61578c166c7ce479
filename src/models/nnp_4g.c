/* Evaluation of a 4th-generation HDNNP (see nnp_model.h for the energy).
 *
 * 1. per atom: symmetry functions G, scaled G̃, electronegativity χ_i = NNχ(G̃_i) and ∂χ_i/∂G̃_i;
 * 2. charge equilibration (longrange/qeq.h) → q, Σq = Q;
 * 3. per atom: short-range network on (G̃_i, q_i) → E_i, ∂E_i/∂G̃_i, ∂E_i/∂q_i;
 *    E_elec and its charge derivative ∂E_elec/∂q;
 * 4. forces: with c = ∂E/∂q at fixed positions (short + electrostatic), the adjoint system of
 *    QEq gives y, and
 *      dE/dx = Σ_i (∂E_i/∂G̃_i - y_i ∂χ_i/∂G̃_i)·dG̃_i/dx        one back-propagation pass
 *            + ∂B(½q - y, q)/∂x                                 Coulomb matrix terms
 *            + ∂E_screen/∂x at fixed q,
 *    B(a, b) = aᵀA b. Because χ and A are the only position-dependent inputs of QEq, this is
 *    the exact gradient of the energy of the equilibrated charges (checked by finite
 *    differences in tests/test_nnp_4g.c). The virial follows from the same three terms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/units.h"
#include "core/neighbours_internal.h"
#include "longrange/coulomb_matrix.h"
#include "longrange/qeq.h"
#include "models/nnp_model.h"
#include "potential/accumulate.h"
#include "potential/potential_internal.h"

#define SQRT_PI 1.7724538509055160273

/* f_s(r) - 1 of n2p2's cosine screening and its derivative (0 beyond r_out). */
static void screening(const nnp_electrostatics *el, double r, double *fm1, double *dfs)
{
    if (r >= el->screen_outer) {
        *fm1 = 0, *dfs = 0;
    } else if (r <= el->screen_inner) {
        *fm1 = -1, *dfs = 0;
    } else {
        const double scale = 1.0 / (el->screen_outer - el->screen_inner), x = (r - el->screen_inner) * scale;
        *fm1 = -0.5 * (cos(MLPOT_PI * x) + 1.0);
        *dfs = 0.5 * MLPOT_PI * scale * sin(MLPOT_PI * x);
    }
}

/* One screening pair term u(r) = k_e erf(r/(√2γ))/r (f_s - 1) per unit charge product, and
 * u'(r)/r. */
static void screen_pair(const nnp_electrostatics *el, double r, double gamma, double *u, double *du_over_r)
{
    double fm1, dfs, g, dg;
    screening(el, r, &fm1, &dfs);
    coulomb_gaussian_kernel(r, gamma, &g, &dg);
    *u = el->coulomb * g * fm1;
    *du_over_r = el->coulomb * (dg * fm1 + g * dfs / r);
}

/* Screening: per atom Σ_j u_ij q_j added to phi (the screening energy is ½ Σ_i q_i phi_i), and
 * when grad is given, the gradient of that energy at fixed charges (and its virial), over the
 * Coulomb matrix's pairs (each pair image once; an atom's own image stands for ±T). */
static void screening_terms(const nnp_electrostatics *el, const coulomb_matrix *cm, const double *q, double *phi,
                            double *grad, double *virial)
{
    const double *sigma = cm->sigma;
    double w[9] = {0};
    for (size_t e = 0; e < cm->n_pairs; ++e) {
        const double r = cm->pr[e], *d = &cm->pd[3 * e];
        if (r >= el->screen_outer) continue;
        const int i = cm->pi[e], j = cm->pj[e];
        double u, du;
        screen_pair(el, r, sqrt(sigma[i] * sigma[i] + sigma[j] * sigma[j]), &u, &du);
        phi[i] += u * q[j];
        phi[j] += u * q[i];
        if (!grad) continue;
        const double c = q[i] * q[j] * du;
        if (j != i)
            for (int x = 0; x < 3; ++x) grad[3 * i + x] -= c * d[x], grad[3 * j + x] += c * d[x];
        for (int x = 0; x < 3; ++x)
            for (int y = 0; y < 3; ++y) w[3 * x + y] -= c * d[x] * d[y];
    }
    for (int x = 0; x < 9; ++x) virial[x] += w[x];
}

void nnp_4g_electrostatic_potential(const nnp_electrostatics *el, const qeq_solver *qs, const coulomb_matrix *cm,
                                    const double *q, const double *sigma, double *screen, double *phi, double *grad,
                                    double *virial)
{
    const int n = qs->n;
    qeq_coulomb_potential(qs, q, phi);
    for (int i = 0; i < n; ++i) phi[i] -= el->coulomb * q[i] / (SQRT_PI * sigma[i]);
    if (el->screen) screening_terms(el, cm, q, screen, grad, virial);
    for (int i = 0; i < n; ++i) phi[i] += screen[i];
}

mlpot_status nnp_4g_compute(const nnp_model *m, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                            unsigned request, mlpot_result *out, mlpot_error *err)
{
    const nnp_electrostatics *el = &m->elec;
    const int n = s->n_atoms;
    const int want_grad = (request & (MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL)) != 0;
    double total_charge = el->total_charge;
    if (s->labels & MLPOT_LABEL_TOTAL_CHARGE) total_charge = s->total_charge;
    else if (!el->has_total_charge) {
        mlpot_status st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                                     "nnp %s: a 4G-HDNNP needs the structure's total charge (n2p2's `charge` line, "
                                     "extxyz total_charge=), or total_charge=Q in the potential specification",
                                     m->path);
        if (s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
        return st;
    }
    const int *reverse = NULL;
    int *owned = NULL;
    mlpot_status st = MLPOT_OK;
    if (want_grad && (st = mlpot_neighbour_reverse_view(nl, &reverse, &owned, err))) return st;
    size_t max_entries = mlpot_neighbour_max_entries(nl), max_fn = (size_t)m->acsf.max_functions + 1, max_nn = 0;
    for (int e = 0; e < m->acsf.n_elements; ++e) {
        if (nn_scratch_size(&m->nets[e]) > max_nn) max_nn = nn_scratch_size(&m->nets[e]);
        if (nn_scratch_size(&el->nets[e]) > max_nn) max_nn = nn_scratch_size(&el->nets[e]);
    }
    /* per atom: G̃ and q as the short network's input, ∂χ/∂G̃, then dE/dG̃ */
    double *input = malloc((size_t)n * max_fn * sizeof *input);
    double *dchi = want_grad ? malloc((size_t)n * max_fn * sizeof *dchi) : NULL;
    double *per_atom = mlpot_calloc(10 * (size_t)n + 1, sizeof *per_atom);
    double *chi = per_atom, *sigma = chi + n, *hardness = sigma + n, *q = hardness + n, *phi = q + n,
           *screen = phi + n, *e_short = screen + n, *dedq = e_short + n, *y = dedq + n, *adj = y + n;
    mlpot_local local;
    double *grad = want_grad ? mlpot_result_scratch(out, 2, (3 * nl->n_pairs + 3) * sizeof *grad, 0) : NULL;
    double *coulomb_grad = want_grad ? mlpot_calloc(3 * (size_t)n + 1, sizeof *coulomb_grad) : NULL;
    int *extrapolated = mlpot_result_scratch(out, 3, ((size_t)n + 1) * sizeof *extrapolated, 1);
    coulomb_matrix cm;
    memset(&cm, 0, sizeof cm);
    qeq_solver qs;
    memset(&qs, 0, sizeof qs);
    if (!input || !per_atom || !extrapolated || (want_grad && (!dchi || !grad || !coulomb_grad))) {
        st = mlpot_fail_memory(err, "evaluating a 4G neural network potential");
        goto done;
    }
    if ((st = mlpot_local_init(&local, n, request, out, err))) goto done;
    int failed = 0;
    /* 1. symmetry functions and electronegativities */
#pragma omp parallel reduction(|| : failed) if (n > 32)
    {
        size_t work_doubles = acsf_work_size(&m->acsf, max_entries) / sizeof(double) + 1;
        double *work = malloc((work_doubles + max_fn + 3 * max_nn + 4) * sizeof(double));
        if (!work) failed = 1;
#pragma omp for schedule(dynamic, 8)
        for (int i = 0; i < n; ++i) {
            if (failed) continue;
            double *G = work + work_doubles, *values = G + max_fn, *derivs = values + max_nn, *scratch = derivs + max_nn;
            const int e = m->acsf.index[s->numbers[i]];
            const int nf = m->acsf.elements[e].n;
            double *Gs = &input[(size_t)i * max_fn];
            memset(G, 0, (size_t)nf * sizeof *G);
            acsf_atom(&m->acsf, e, s, nl, i, ACSF_VALUES, G, NULL, NULL, NULL, work, NULL);
            extrapolated[i] = acsf_scaling_apply(&m->scaling, e, nf, G, Gs);
            chi[i] = nn_forward(&el->nets[e], Gs, values, derivs);
            if (want_grad) nn_input_gradient(&el->nets[e], values, derivs, &dchi[(size_t)i * max_fn], scratch);
            sigma[i] = el->width[e];
            hardness[i] = el->hardness[e];
        }
        free(work);
    }
    if (failed) {
        st = mlpot_fail_memory(err, "evaluating a 4G neural network potential");
        goto done;
    }
    /* 2. charge equilibration */
    ewald_splitting split = {0, 0, 0, 0};
    const int periodic = s->pbc[0] && s->pbc[1] && s->pbc[2];
    if (periodic) {
        ewald_truncation_settings t = el->ewald;
        if ((st = ewald_truncation_parameters(&t, n, mlpot_structure_volume(s), &split, err))) goto done;
    }
    if ((st = coulomb_matrix_setup(&cm, s, sigma, el->coulomb, &split, el->screen ? el->screen_outer : 0.0, err)) ||
        (st = qeq_solve(&qs, &cm, chi, hardness, total_charge, q, NULL, err)))
        goto done;
    /* 3. short-range networks, electrostatic energy and ∂E/∂q */
#pragma omp parallel reduction(|| : failed) if (n > 32)
    {
        double *work = malloc((4 * max_nn + 4) * sizeof(double));
        if (!work) failed = 1;
#pragma omp for schedule(dynamic, 8)
        for (int i = 0; i < n; ++i) {
            if (failed) continue;
            double *values = work, *derivs = values + max_nn, *scratch = derivs + max_nn, *g = scratch + max_nn;
            const int e = m->acsf.index[s->numbers[i]];
            const int nf = m->acsf.elements[e].n;
            double *in = &input[(size_t)i * max_fn];
            in[nf] = q[i];
            e_short[i] = nn_forward(&m->nets[e], in, values, derivs) + m->offset[e];
            if (!want_grad) continue;
            nn_input_gradient(&m->nets[e], values, derivs, g, scratch);
            dedq[i] = g[nf];
            memcpy(in, g, (size_t)nf * sizeof *in); /* the input row now holds ∂E_i/∂G̃ */
        }
        free(work);
    }
    if (failed) {
        st = mlpot_fail_memory(err, "evaluating a 4G neural network potential");
        goto done;
    }
    /* φ = ∂E_elec/∂q: (A q)_i - k_e q_i/(σ_i√π) + Σ_j u_ij q_j (screening) */
    double virial[9] = {0}; /* of the electrostatic terms; the networks' goes per atom to local */
    nnp_4g_electrostatic_potential(el, &qs, &cm, q, sigma, screen, phi, want_grad ? coulomb_grad : NULL, virial);
    for (int i = 0; i < n; ++i) {
        /* ½ q_i ∂E_elec/∂q_i: E_elec is quadratic in q, so these sum to it */
        local.energy[i] = e_short[i] + 0.5 * q[i] * phi[i];
        if (request & MLPOT_OUT_CHARGES) out->charges[i] += q[i];
        if (request & MLPOT_OUT_EXTRAPOLATION) out->atom_extrapolations[i] += extrapolated[i];
    }
    if (!want_grad) goto done;
    /* 4. the charges' response: M [y; μ] = [c; 0] */
    for (int i = 0; i < n; ++i) adj[i] = dedq[i] + phi[i];
    if ((st = qeq_adjoint(&qs, adj, y, err))) goto done;
    for (int i = 0; i < n; ++i) adj[i] = 0.5 * q[i] - y[i];
    coulomb_matrix_bilinear_derivatives(&cm, adj, q, 1.0, coulomb_grad, virial);
#pragma omp parallel reduction(|| : failed) if (n > 32)
    {
        size_t work_doubles = acsf_work_size(&m->acsf, max_entries) / sizeof(double) + 1;
        double *work = malloc((work_doubles + max_fn + 1) * sizeof(double));
        if (!work) failed = 1;
#pragma omp for schedule(dynamic, 8)
        for (int i = 0; i < n; ++i) {
            if (failed) continue;
            double *dEdG = work + work_doubles;
            const int e = m->acsf.index[s->numbers[i]];
            const int nf = m->acsf.elements[e].n;
            const double *factor = m->scaling.elements[e].factor, *de = &input[(size_t)i * max_fn],
                         *dc = &dchi[(size_t)i * max_fn];
            for (int k = 0; k < nf; ++k) dEdG[k] = factor[k] * (de[k] - y[i] * dc[k]);
            size_t first = nl->offsets[i], count = nl->offsets[i + 1] - first;
            double *gi = &grad[3 * first];
            memset(gi, 0, 3 * count * sizeof *gi);
            acsf_atom(&m->acsf, e, s, nl, i, ACSF_BACKPROP, NULL, NULL, dEdG, gi, work, NULL);
            if (local.virial)
                for (size_t k = 0; k < count; ++k)
                    mlpot_virial_add(&local.virial[9 * i], &nl->vector[3 * (first + k)], &gi[3 * k], 1.0);
        }
        free(work);
    }
    if (failed) {
        st = mlpot_fail_memory(err, "evaluating a 4G neural network potential");
        goto done;
    }
    if (request & MLPOT_OUT_FORCES) nnp_gather_forces(nl, reverse, grad, coulomb_grad, out->forces);
    if (request & MLPOT_OUT_VIRIAL)
        for (int x = 0; x < 9; ++x) out->virial[x] += virial[x];
done:
    if (!st && m->extrapolation_error) st = nnp_extrapolation_check(m, s, extrapolated, err);
    if (!st) mlpot_local_add_to_result(&local, request, out); /* sums in atom order */
    qeq_solver_free(&qs);
    coulomb_matrix_free(&cm);
    free(input);
    free(dchi);
    free(per_atom);
    free(coulomb_grad);
    free(owned);
    return st;
}
