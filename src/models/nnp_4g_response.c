/* The electrostatic part of a 4G-HDNNP and the charges' derivatives, for training the short-range
 * networks (nnp_model.h, n2p2's second training stage).
 *
 * With the electronegativity networks fixed, a structure's charges q, the electrostatic energy
 * E_elec(q) and its full gradient do not change while the short-range networks are fitted; what
 * does change is ∂E_short/∂q, whose contribution to the forces is Σ_i (∂E_short/∂q_i) dq_i/dx.
 * So the charges' Jacobian is computed once per structure. Differentiating the QEq system
 * M [q; λ] = [-χ; Q] gives M [dq; dλ] = -[dχ + (dA) q; 0]: one factorisation (the one that gave
 * q) and 3n + 9 right-hand sides, the rows of
 *   B[i][k] = ∂χ_i/∂x_k + Σ_j ∂A_ij/∂x_k q_j,
 * the first from one back-propagation of each atom's χ network through its symmetry functions,
 * the second as the gradient of the bilinear form e_iᵀ A q (coulomb_matrix.h). The strain columns
 * are built the same way in the virial convention. Checked against finite differences of the
 * charges in tests/test_train_4g.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/neighbours_internal.h"
#include "longrange/coulomb_matrix.h"
#include "longrange/qeq.h"
#include "mlpot/elements.h"
#include "models/nnp_model.h"
#include "potential/accumulate.h"

void nnp_4g_response_free(nnp_4g_response *r)
{
    if (!r) return;
    free(r->q), free(r->forces), free(r->dq);
    memset(r, 0, sizeof *r);
}

mlpot_status nnp_4g_response_compute(const nnp_model *m, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                     double total_charge, int want_dq, nnp_4g_response *r, mlpot_error *err)
{
    const nnp_electrostatics *el = &m->elec;
    const int n = s->n_atoms;
    const size_t cols = 3 * (size_t)n + 9;
    memset(r, 0, sizeof *r);
    r->n = n;
    size_t max_entries = mlpot_neighbour_max_entries(nl), max_fn = (size_t)m->acsf.max_functions + 1, max_nn = 0;
    for (int e = 0; e < m->acsf.n_elements; ++e)
        if (nn_scratch_size(&el->nets[e]) > max_nn) max_nn = nn_scratch_size(&el->nets[e]);
    const size_t work_doubles = acsf_work_size(&m->acsf, max_entries) / sizeof(double) + 1;
    double *work = malloc((work_doubles + 3 * max_fn + 3 * max_nn + 4) * sizeof *work);
    double *per_atom = calloc(6 * (size_t)n + 1, sizeof *per_atom);
    double *gchi = malloc((3 * nl->n_pairs + 3) * sizeof *gchi); /* ∂χ_i/∂d_e per entry */
    double *grad = calloc(3 * (size_t)n + 3, sizeof *grad), *row = calloc(3 * (size_t)n + 3, sizeof *row);
    double *unit = calloc((size_t)n + 1, sizeof *unit);
    r->q = calloc((size_t)n + 1, sizeof *r->q);
    r->forces = calloc(3 * (size_t)n + 1, sizeof *r->forces);
    double *b = want_dq ? calloc(((size_t)n + 1) * cols, sizeof *b) : NULL; /* [(n+1)][cols], then dq */
    coulomb_matrix cm;
    memset(&cm, 0, sizeof cm);
    qeq_solver qs;
    memset(&qs, 0, sizeof qs);
    mlpot_status st = MLPOT_OK;
    if (!work || !per_atom || !gchi || !grad || !row || !unit || !r->q || !r->forces || (want_dq && !b)) {
        st = mlpot_fail_memory(err, "computing the charges' response");
        goto done;
    }
    double *chi = per_atom, *sigma = chi + n, *hardness = sigma + n, *phi = hardness + n, *screen = phi + n, *y = screen + n;
    double *q = r->q;
    /* electronegativities and their per-entry position derivatives */
    for (int i = 0; i < n; ++i) {
        double *G = work + work_doubles, *Gs = G + max_fn, *dchi = Gs + max_fn, *values = dchi + max_fn,
               *derivs = values + max_nn, *scratch = derivs + max_nn;
        const int e = m->acsf.index[s->numbers[i]];
        if (e < 0) {
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "atom %d is %s, which the model does not have", i + 1,
                            mlpot_element_symbol(s->numbers[i]));
            goto done;
        }
        const int nf = m->acsf.elements[e].n;
        const double *factor = m->scaling.elements[e].factor;
        memset(G, 0, (size_t)nf * sizeof *G);
        acsf_atom(&m->acsf, e, s, nl, i, ACSF_VALUES, G, NULL, NULL, NULL, work, NULL);
        acsf_scaling_apply(&m->scaling, e, nf, G, Gs);
        chi[i] = nn_forward(&el->nets[e], Gs, values, derivs);
        nn_input_gradient(&el->nets[e], values, derivs, dchi, scratch);
        for (int k = 0; k < nf; ++k) dchi[k] *= factor[k];
        const size_t first = nl->offsets[i], count = nl->offsets[i + 1] - first;
        memset(&gchi[3 * first], 0, 3 * count * sizeof *gchi);
        acsf_atom(&m->acsf, e, s, nl, i, ACSF_BACKPROP, NULL, NULL, dchi, &gchi[3 * first], work, NULL);
        sigma[i] = el->width[e];
        hardness[i] = el->hardness[e];
    }
    ewald_splitting split = {0, 0, 0, 0};
    if (s->pbc[0] && s->pbc[1] && s->pbc[2]) {
        ewald_truncation_settings t = el->ewald;
        if ((st = ewald_truncation_parameters(&t, n, mlpot_structure_volume(s), &split, err))) goto done;
    }
    if ((st = coulomb_matrix_setup(&cm, s, sigma, el->coulomb, &split, el->screen ? el->screen_outer : 0.0, err)) ||
        (st = qeq_solve(&qs, &cm, chi, hardness, total_charge, q, NULL, err)))
        goto done;
    /* E_elec and φ = ∂E_elec/∂q */
    nnp_4g_electrostatic_potential(el, &qs, &cm, q, sigma, screen, phi, grad, r->virial);
    r->energy = 0.0;
    for (int i = 0; i < n; ++i) r->energy += 0.5 * q[i] * phi[i];
    /* its gradient with the charges' response: y = M⁻¹ φ */
    if ((st = qeq_adjoint(&qs, phi, y, err))) goto done;
    for (int i = 0; i < n; ++i) unit[i] = 0.5 * q[i] - y[i];
    coulomb_matrix_bilinear_derivatives(&cm, unit, q, 1.0, grad, r->virial);
    for (int i = 0; i < n; ++i)
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            const double *g = &gchi[3 * k];
            const int j = nl->neighbour[k];
            for (int a = 0; a < 3; ++a) grad[3 * j + a] -= y[i] * g[a], grad[3 * i + a] += y[i] * g[a];
            mlpot_virial_add(r->virial, &nl->vector[3 * k], g, -y[i]);
        }
    for (size_t k = 0; k < 3 * (size_t)n; ++k) r->forces[k] = -grad[k];
    if (!want_dq) goto done;
    /* B: row i of (n+1)×cols holds ∂(Aq + χ)_i over the coordinates, then the strain (virial
     * convention) */
    memset(unit, 0, (size_t)n * sizeof *unit);
    for (int i = 0; i < n; ++i) {
        double *bi = b + (size_t)i * cols;
        unit[i] = 1.0;
        memset(row, 0, 3 * (size_t)n * sizeof *row);
        coulomb_matrix_bilinear_derivatives(&cm, unit, q, 1.0, row, bi + 3 * (size_t)n);
        unit[i] = 0.0;
        memcpy(bi, row, 3 * (size_t)n * sizeof *bi);
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            const double *g = &gchi[3 * k];
            const int j = nl->neighbour[k];
            for (int a = 0; a < 3; ++a) bi[3 * j + a] += g[a], bi[3 * (size_t)i + a] -= g[a];
            mlpot_virial_add(bi + 3 * (size_t)n, &nl->vector[3 * k], g, 1.0);
        }
    }
    if ((st = qeq_adjoint_many(&qs, b, (int)cols, err))) goto done;
    for (size_t k = 0; k < (size_t)n * cols; ++k) b[k] = -b[k];
    r->dq = b, b = NULL; /* the first n rows: dq; row n (the multipliers) is spare */
done:
    qeq_solver_free(&qs);
    coulomb_matrix_free(&cm);
    free(work), free(per_atom), free(gchi), free(grad), free(row), free(unit), free(b);
    if (st) nnp_4g_response_free(r);
    return st;
}
