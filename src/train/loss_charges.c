/* The charges stage of a 4G-HDNNP (n2p2's first training stage): electronegativity networks and
 * hardnesses fitted to reference charges (e.g. Hirshfeld) through charge equilibration.
 *
 * Forward: χ_i = NNχ(G̃_i), then QEq (longrange/qeq.h) with the structure's Coulomb matrix A,
 * kept in the cache because it depends on positions and widths only:
 *   M [q; λ] = [-χ; Q],   M = [A + diag J  1; 1ᵀ 0].
 * Loss: L = Σ_i (q_i - q_i,ref)² / σ_q².
 * Gradient: dq = -M⁻¹ [dχ + dJ q; 0], so with r = 2 (q - q_ref)/σ_q² and the adjoint
 * M [z; μ] = [r; 0] (M symmetric),
 *   dL/dθ = -Σ_i z_i ∂χ_i/∂θ        (one parameter gradient of each χ network)
 *   dL/dJ_e = -Σ_{i of element e} z_i q_i.
 * One factorisation and two solves per structure. */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "longrange/qeq.h"
#include "train/loss.h"

mlpot_status train_structure_charges(const nnp_model *m, const size_t *offsets, const mlpot_structure *s,
                                     const train_cache *cache, const train_weights *w, double scale, train_workspace *ws,
                                     train_residuals *res, double *grad, mlpot_error *err)
{
    const int n = s->n_atoms, n_el = m->acsf.n_elements;
    size_t max_fn, nn_n;
    if (!train_workspace_networks(ws, m, &max_fn, &nn_n)) return mlpot_fail_memory(err, "training charges");
    const size_t stride = max_fn + 3 * nn_n;
    /* per atom: scaled G and the network's values, f', f''; then χ, J, q and the adjoint */
    if (!train_grow(&ws->atom, &ws->atom_n, stride * (size_t)n) || !train_grow(&ws->pair, &ws->pair_n, 4 * (size_t)n + 1))
        return mlpot_fail_memory(err, "training charges");
    double *atom = ws->atom, *per_atom = ws->pair, *work = ws->nn_work;
    qeq_solver qs;
    memset(&qs, 0, sizeof qs);
    mlpot_status st = MLPOT_OK;
    double *chi = per_atom, *hardness = chi + n, *q = hardness + n, *z = q + n;
    for (int i = 0; i < n; ++i) {
        const int e = m->acsf.index[s->numbers[i]];
        double *S = atom + stride * (size_t)i, *values = S + max_fn, *d1 = values + nn_n, *d2 = d1 + nn_n;
        acsf_scaling_apply(&m->scaling, e, m->acsf.elements[e].n, cache->G + cache->goff[i], S);
        chi[i] = nn_forward_train(&m->nets[e], S, values, d1, d2);
        hardness[i] = m->elec.hardness[e];
    }
    if ((st = qeq_solve_matrix(&qs, n, cache->coulomb, chi, hardness, train_total_charge(s), q, NULL, err))) goto done;
    const int labelled = (s->labels & MLPOT_LABEL_CHARGES) && s->charges;
    for (int i = 0; i < n && labelled; ++i) {
        const double d = q[i] - s->charges[i];
        res->charge_sq += d * d, res->charge_abs += fabs(d);
        z[i] = 2.0 * w->charge * scale * d;
    }
    if (labelled) res->charge_n = n, res->loss = res->charge_sq * w->charge;
    if (!grad || !labelled) goto done;
    if ((st = qeq_adjoint(&qs, z, z, err))) goto done;
    for (int i = 0; i < n; ++i) {
        const int e = m->acsf.index[s->numbers[i]];
        double *S = atom + stride * (size_t)i, *values = S + max_fn, *d1 = values + nn_n, *d2 = d1 + nn_n;
        nn_param_gradient(&m->nets[e], values, d1, d2, -z[i], NULL, grad + offsets[e], work);
        grad[offsets[n_el] + (size_t)e] -= z[i] * q[i];
    }
done:
    qeq_solver_free(&qs);
    return st;
}
