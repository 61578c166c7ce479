/* Loss and gradient of one structure.
 *
 * Forward: per atom i, G_i → scaled s_i → network → E_i = k NN(s_i) + e0, and by back-
 * propagation g_e = dE_i/dd_e for every neighbour entry e (d_e = x_j - x_i + shift); forces
 * F_i = Σ_e g_e - Σ_{e'→i} g_e', stress σ = Σ_e d_e ⊗ g_e / V (ASE's sign).
 *
 * Gradient: with D_ig = dE_i/dG_ig = k factor_g ∂NN/∂s_g,
 *   energy:  dL/dθ += c_E Σ_i dE_i/dθ,            c_E = 2 ΔE / (N² σ_E²)
 *   forces:  Σ_k ΔF_k · dF_k/dθ = -Σ_i d/dθ Σ_g D_ig u_ig,  u_ig = Σ_e dG_ig/dd_e · (ΔF_j(e) - ΔF_i)
 *   stress:  Σ_ab Δσ_ab dσ_ab/dθ = (1/V) Σ_i d/dθ Σ_g D_ig Σ_e dG_ig/dd_e · (Δσᵀ d_e)
 * so each atom needs one tangent of its symmetry functions along the per-entry direction
 *   t_e = -α_F (ΔF_j(e) - ΔF_i) + α_S Δσᵀ d_e,   α_F = 2 / σ_F²,  α_S = 2 / (V σ_S²),
 * and the network's parameter gradient of c_E k NN + k ∇_s NN · (factor ⊙ u) (network_gradient.c). */
#include "train/loss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/frame_sigma.h"
#include "core/neighbours_internal.h"
#include "longrange/coulomb_matrix.h"
#include "potential/accumulate.h"

void train_cache_init(train_cache *c)
{
    memset(c, 0, sizeof *c);
    mlpot_neighbour_list_init(&c->nl);
}

void train_cache_free(train_cache *c)
{
    mlpot_neighbour_list_free(&c->nl);
    free(c->G), free(c->J), free(c->goff), free(c->joff), free(c->coulomb);
    nnp_4g_response_free(&c->response);
    train_cache_init(c);
}

void train_workspace_init(train_workspace *ws)
{
    memset(ws, 0, sizeof *ws);
    train_cache_init(&ws->scratch);
}

void train_workspace_free(train_workspace *ws)
{
    free(ws->acsf_work), free(ws->atom), free(ws->pair), free(ws->forces);
    free(ws->nn_work), free(ws->tangent), free(ws->v);
    train_cache_free(&ws->scratch);
    memset(ws, 0, sizeof *ws);
}

int train_grow(double **p, size_t *have, size_t need)
{
    if (need <= *have) return 1;
    size_t n = need + need / 4 + 16;
    double *q = realloc(*p, n * sizeof *q);
    if (!q) return 0;
    *p = q, *have = n;
    return 1;
}

int train_workspace_networks(train_workspace *ws, const nnp_model *m, size_t *max_fn, size_t *nn_n)
{
    size_t nn_train = 0;
    *max_fn = 0, *nn_n = 0;
    for (int e = 0; e < m->acsf.n_elements; ++e) {
        const nn *net = &m->nets[e];
        if ((size_t)m->acsf.elements[e].n > *max_fn) *max_fn = (size_t)m->acsf.elements[e].n;
        if (nn_scratch_size(net) > *nn_n) *nn_n = nn_scratch_size(net);
        if (nn_train_scratch_size(net) > nn_train) nn_train = nn_train_scratch_size(net);
    }
    *max_fn += 1; /* a 4G model's charge input */
    if (!ws->nn_work) { /* sized by the model, once */
        ws->nn_work = malloc((nn_train + *nn_n + 8) * sizeof(double));
        ws->tangent = malloc((*max_fn + 1) * sizeof(double));
        ws->v = malloc((*max_fn + 1) * sizeof(double));
    }
    return ws->nn_work && ws->tangent && ws->v;
}

double train_total_charge(const mlpot_structure *s)
{
    if (s->labels & MLPOT_LABEL_TOTAL_CHARGE) return s->total_charge;
    double q = 0.0;
    if ((s->labels & MLPOT_LABEL_CHARGES) && s->charges)
        for (int i = 0; i < s->n_atoms; ++i) q += s->charges[i];
    return q;
}

/* The Coulomb matrix of s with the model's Gaussian widths and Ewald settings. */
static mlpot_status fill_coulomb(train_cache *c, const nnp_model *m, const mlpot_structure *s, mlpot_error *err)
{
    const int n = s->n_atoms;
    double *sigma = malloc(((size_t)n + 1) * sizeof *sigma);
    double *a = realloc(c->coulomb, ((size_t)n * n + 1) * sizeof *a);
    if (a) c->coulomb = a;
    if (!sigma || !a) {
        free(sigma);
        return mlpot_fail_memory(err, "training");
    }
    for (int i = 0; i < n; ++i) sigma[i] = m->elec.width[m->acsf.index[s->numbers[i]]];
    ewald_splitting split = {0, 0, 0, 0};
    mlpot_status st = MLPOT_OK;
    if (s->pbc[0] && s->pbc[1] && s->pbc[2]) {
        ewald_truncation_settings t = m->elec.ewald;
        st = ewald_truncation_parameters(&t, n, mlpot_structure_volume(s), &split, err);
    }
    coulomb_matrix cm;
    memset(&cm, 0, sizeof cm);
    if (!st) st = coulomb_matrix_setup(&cm, s, sigma, m->elec.coulomb, &split, 0.0, err);
    if (!st) st = coulomb_matrix_fill(&cm, a, n, err);
    coulomb_matrix_free(&cm);
    free(sigma);
    return st;
}

int train_structure_sigma(const mlpot_structure *s, double sigma[3])
{
    double own_sigma[3];
    int own = frame_sigma_read(s, own_sigma);
    if (own < 0) return 0; /* refused when the data were loaded */
    if (!(s->pbc[0] && s->pbc[1] && s->pbc[2])) own &= ~(1 << FRAME_SIGMA_VIRIAL); /* no stress to weigh */
    if (own & (1 << FRAME_SIGMA_ENERGY)) sigma[0] = own_sigma[FRAME_SIGMA_ENERGY] / s->n_atoms;
    if (own & (1 << FRAME_SIGMA_FORCE)) sigma[1] = own_sigma[FRAME_SIGMA_FORCE];
    if (own & (1 << FRAME_SIGMA_VIRIAL)) sigma[2] = own_sigma[FRAME_SIGMA_VIRIAL] / mlpot_structure_volume(s);
    return own;
}

train_weights train_weights_of(const train_weights *w, const mlpot_structure *s)
{
    train_weights out = *w;
    const int own = train_structure_sigma(s, out.sigma); /* only the terms s sets change */
    if (own & 1) out.energy = 1.0 / (out.sigma[0] * out.sigma[0]);
    if (own & 2) out.force = 1.0 / (out.sigma[1] * out.sigma[1]);
    if (own & 4) out.stress = 1.0 / (out.sigma[2] * out.sigma[2]);
    return out;
}

mlpot_status train_structure_sigma_check(const mlpot_structure *s, mlpot_error *err)
{
    double sigma[3];
    const int own = frame_sigma_read(s, sigma);
    if (own >= 0) return MLPOT_OK;
    const char *key = frame_sigma_keys[-1 - own];
    return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s=%s is not a positive number (a noise level)", key,
                      mlpot_structure_info(s, key));
}

mlpot_status train_cache_fill(train_cache *c, const nnp_model *m, const mlpot_structure *s, const train_weights *w,
                              train_workspace *ws, mlpot_error *err)
{
    const int charges = w->stage == TRAIN_STAGE_CHARGES;
    c->ready = 0;
    const int n = s->n_atoms;
    mlpot_status st = mlpot_neighbour_list_build(&c->nl, s, m->acsf.rmax, 0.0, MLPOT_NEIGHBOURS_FULL, err);
    if (!st) st = mlpot_neighbour_list_reverse(&c->nl, err);
    if (st) return st;
    const mlpot_neighbour_list *nl = &c->nl;
    size_t *goff = realloc(c->goff, ((size_t)n + 1) * sizeof *goff), *joff = goff ? realloc(c->joff, ((size_t)n + 1) * sizeof *joff) : NULL;
    if (goff) c->goff = goff;
    if (joff) c->joff = joff;
    if (!goff || !joff) return mlpot_fail_memory(err, "training");
    goff[0] = joff[0] = 0;
    for (int i = 0; i < n; ++i) {
        const int e = m->acsf.index[s->numbers[i]];
        if (e < 0)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "atom %d is %s, which the model does not have", i + 1,
                              mlpot_element_symbol(s->numbers[i]));
        const size_t count = nl->offsets[i + 1] - nl->offsets[i], nsf = (size_t)m->acsf.elements[e].n;
        goff[i + 1] = goff[i] + nsf, joff[i + 1] = joff[i] + (charges ? 0 : nsf * 3 * count);
    }
    double *G = realloc(c->G, (goff[n] + 1) * sizeof *G);
    if (G) c->G = G;
    double *J = G ? realloc(c->J, (joff[n] + 1) * sizeof *J) : NULL;
    if (J) c->J = J;
    const size_t acsf_need = acsf_work_size(&m->acsf, mlpot_neighbour_max_entries(nl)) / sizeof(double) + 1;
    if (!G || !J || !train_grow(&ws->acsf_work, &ws->acsf_work_n, acsf_need)) return mlpot_fail_memory(err, "training");
    memset(G, 0, goff[n] * sizeof *G);
    memset(J, 0, joff[n] * sizeof *J);
    for (int i = 0; i < n; ++i)
        acsf_atom(&m->acsf, m->acsf.index[s->numbers[i]], s, nl, i, charges ? ACSF_VALUES : ACSF_VALUES | ACSF_JACOBIAN,
                  G + goff[i], charges ? NULL : J + joff[i], NULL, NULL, ws->acsf_work, NULL);
    c->bytes = (goff[n] + joff[n] + 2 * ((size_t)n + 1)) * sizeof(double) + nl->n_pairs * 64;
    if (m->generation == 4 && charges) {
        if ((st = fill_coulomb(c, m, s, err))) return st;
        c->bytes += (size_t)n * n * sizeof(double);
    } else if (m->generation == 4) {
        nnp_4g_response_free(&c->response);
        if ((st = nnp_4g_response_compute(m, s, nl, train_total_charge(s), 1, &c->response, err))) return st;
        c->bytes += (4 * (size_t)n + ((size_t)n + 1) * (3 * (size_t)n + 9)) * sizeof(double); /* dq has n + 1 rows */
    }
    c->ready = 1;
    return MLPOT_OK;
}

/* Adds c_e dE/dθ + a_f Σ_k r_k dF_k/dθ + (stress term with a_s, dstress) to grad, in the
 * terms of the formulas at the top. r is the residual for the loss gradient, or a unit vector
 * for one force component's Jacobian (a_f = 1 then gives dF_k/dθ); dstress is not read when
 * a_s is 0. Uses the network values the preceding forward pass left in ws. Atoms that contribute nothing (no energy seed
 * and a zero tangent) are skipped, which makes one force component's Jacobian cheap. */
static void parameter_gradient(const nnp_model *m, const size_t *offsets, const mlpot_structure *s,
                               const train_cache *cache, train_workspace *ws, double c_e, double a_f, const double *r,
                               double a_s, const double *dstress, double *grad)
{
    size_t max_fn, nn_n;
    train_workspace_networks(ws, m, &max_fn, &nn_n); /* allocated by the forward pass */
    const int n = s->n_atoms;
    const nnp_4g_response *elec = m->generation == 4 ? &cache->response : NULL;
    const size_t cols = 3 * (size_t)n + 9;
    const mlpot_neighbour_list *nl = &cache->nl;
    const double k_e = nnp_energy_scale(m);
    double *dir = ws->pair + 3 * nl->n_pairs;
    const int tangent = a_f != 0.0 || a_s != 0.0;
    for (int i = 0; i < n; ++i) {
        const int e = m->acsf.index[s->numbers[i]];
        const double *factor = m->scaling.elements[e].factor;
        const int nsf = m->acsf.elements[e].n;
        double *G = ws->atom + ws->atom_stride * (size_t)i, *values = G + 3 * max_fn, *d1 = values + nn_n, *d2 = d1 + nn_n;
        const double *v = NULL;
        if (tangent) {
            int any = 0;
            for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
                const size_t j = (size_t)nl->neighbour[k];
                const double *d = &nl->vector[3 * k];
                for (int a = 0; a < 3; ++a) {
                    double t = a_f != 0.0 ? -a_f * (r[3 * j + a] - r[3 * (size_t)i + a]) : 0.0; /* r may be NULL */
                    if (a_s != 0.0) t += a_s * (dstress[a] * d[0] + dstress[3 + a] * d[1] + dstress[6 + a] * d[2]);
                    dir[3 * k + a] = t;
                    any |= t != 0.0;
                }
            }
            const size_t row = 3 * (nl->offsets[i + 1] - nl->offsets[i]);
            const double *J = cache->J + cache->joff[i], *di = &dir[3 * nl->offsets[i]];
            for (int g = 0; g < nsf; ++g) { /* the tangent J · direction */
                const double *Jg = J + (size_t)g * row;
                double t = 0.0;
                if (any)
                    for (size_t k = 0; k < row; ++k) t += Jg[k] * di[k];
                ws->tangent[g] = t;
            }
            for (int g = 0; g < nsf; ++g) ws->v[g] = k_e * factor[g] * ws->tangent[g];
            if (elec) { /* the charge input's tangent: the seeds through dq_i/dx and dq_i/dε */
                const double *dq = elec->dq + (size_t)i * cols;
                double t = 0.0;
                if (a_f != 0.0)
                    for (size_t k = 0; k < 3 * (size_t)n; ++k) t -= a_f * r[k] * dq[k];
                if (a_s != 0.0)
                    for (int x = 0; x < 9; ++x) t -= a_s * dstress[x] * dq[3 * (size_t)n + x];
                ws->v[nsf] = k_e * t;
                any |= t != 0.0;
            }
            if (!any && c_e == 0.0) continue;
            v = any ? ws->v : NULL;
        }
        nn_param_gradient(&m->nets[e], values, d1, d2, c_e * k_e, v, grad + offsets[e], ws->nn_work);
    }
}

mlpot_status train_structure(const nnp_model *m, const size_t *offsets, const mlpot_structure *s,
                             const train_cache *cache, const train_weights *w, double scale, train_workspace *ws,
                             train_residuals *res, double *grad, mlpot_error *err)
{
    memset(res, 0, sizeof *res);
    const int n = s->n_atoms;
    mlpot_status st = MLPOT_OK;
    if (!cache || !cache->ready) {
        if ((st = train_cache_fill(&ws->scratch, m, s, w, ws, err))) return st;
        cache = &ws->scratch;
    }
    if (w->stage == TRAIN_STAGE_CHARGES) return train_structure_charges(m, offsets, s, cache, w, scale, ws, res, grad, err);
    /* a 4G model's short-range networks: the charge is their last input, the electrostatics
     * and the charges' derivatives are fixed (cache->response) */
    const nnp_4g_response *elec = m->generation == 4 ? &cache->response : NULL;
    const size_t cols = 3 * (size_t)n + 9;
    const mlpot_neighbour_list *nl = &cache->nl;
    const int want_forces = w->use_forces && (s->labels & MLPOT_LABEL_FORCES);
    const int want_stress = w->use_stress && train_structure_has_stress(s);
    const int want_energy = (s->labels & MLPOT_LABEL_ENERGY) != 0;
    /* forces are always predicted (metrics), so the back-propagation pass always runs */
    size_t max_fn, nn_n;
    if (!train_workspace_networks(ws, m, &max_fn, &nn_n)) return mlpot_fail_memory(err, "training");
    ws->atom_stride = 3 * max_fn + 3 * nn_n;
    if (!train_grow(&ws->atom, &ws->atom_n, ws->atom_stride * (size_t)n) ||
        !train_grow(&ws->pair, &ws->pair_n, 6 * nl->n_pairs + 6) ||
        !train_grow(&ws->forces, &ws->forces_n, 3 * (size_t)n + 3))
        return mlpot_fail_memory(err, "training");
    const double k_e = nnp_energy_scale(m);
    double *ge = ws->pair;
    double energy = 0.0;
    for (int i = 0; i < n; ++i) {
        const int e = m->acsf.index[s->numbers[i]];
        const nn *net = &m->nets[e];
        const double *factor = m->scaling.elements[e].factor;
        const int nsf = m->acsf.elements[e].n;
        double *G = ws->atom + ws->atom_stride * (size_t)i, *S = G + max_fn, *dEdG = S + max_fn;
        double *values = dEdG + max_fn, *d1 = values + nn_n, *d2 = d1 + nn_n;
        acsf_scaling_apply(&m->scaling, e, nsf, cache->G + cache->goff[i], S);
        if (elec) S[nsf] = elec->q[i];
        energy += k_e * nn_forward_train(net, S, values, d1, d2) + nnp_energy_shift(m, e);
        nn_input_gradient(net, values, d1, dEdG, ws->nn_work);
        for (int g = 0; g < nsf; ++g) dEdG[g] *= factor[g] * k_e;
        if (elec) dEdG[nsf] *= k_e; /* ∂E/∂q_i */
        const size_t first = nl->offsets[i], count = nl->offsets[i + 1] - first, row = 3 * count;
        double *gi = &ge[3 * first];
        memset(gi, 0, row * sizeof *gi);
        const double *J = cache->J + cache->joff[i];
        for (int g = 0; g < nsf; ++g) { /* dE/dd = Jᵀ dE/dG */
            const double wg = dEdG[g], *Jg = J + (size_t)g * row;
            if (wg != 0.0)
                for (size_t k = 0; k < row; ++k) gi[k] += wg * Jg[k];
        }
    }
    /* forces and stress */
    double *F = ws->forces;
    for (int i = 0; i < n; ++i) {
        double f[3] = {0, 0, 0};
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k)
            for (int a = 0; a < 3; ++a) f[a] += ge[3 * k + a] - ge[3 * (size_t)nl->reverse[k] + a];
        for (int a = 0; a < 3; ++a) F[3 * i + a] = f[a];
    }
    if (elec) { /* E_elec, and Σ_i ∂E/∂q_i dq_i/dx through the fixed charge derivatives */
        energy += elec->energy;
        for (size_t k = 0; k < 3 * (size_t)n; ++k) F[k] += elec->forces[k];
        for (int i = 0; i < n; ++i) {
            const int nsf = m->acsf.elements[m->acsf.index[s->numbers[i]]].n;
            const double a = ws->atom[ws->atom_stride * (size_t)i + 2 * max_fn + (size_t)nsf], *dq = elec->dq + (size_t)i * cols;
            for (size_t k = 0; k < 3 * (size_t)n; ++k) F[k] -= a * dq[k];
        }
    }
    double dstress[9] = {0}, volume = 0.0;
    if (want_stress) {
        double virial[9] = {0}, ref[9];
        for (size_t k = 0; k < nl->n_pairs; ++k) mlpot_virial_add(virial, &nl->vector[3 * k], &ge[3 * k], 1.0);
        if (elec)
            for (int i = 0; i < n; ++i) {
                const int nsf = m->acsf.elements[m->acsf.index[s->numbers[i]]].n;
                const double a = ws->atom[ws->atom_stride * (size_t)i + 2 * max_fn + (size_t)nsf];
                const double *dw = elec->dq + (size_t)i * cols + 3 * (size_t)n;
                for (int x = 0; x < 9; ++x) virial[x] += a * dw[x];
            }
        if (elec)
            for (int x = 0; x < 9; ++x) virial[x] += elec->virial[x];
        volume = mlpot_structure_volume(s);
        if ((st = mlpot_structure_get_stress(s, ref, err))) return st;
        for (int a = 0; a < 9; ++a) {
            dstress[a] = -virial[a] / volume - ref[a];
            res->stress_sq += dstress[a] * dstress[a], res->stress_abs += fabs(dstress[a]);
        }
        memcpy(ws->stress_residual, dstress, sizeof dstress);
        res->stress_n = 9;
        res->loss += res->stress_sq * w->stress;
    }
    double dE = 0.0;
    if (want_energy) {
        dE = energy - s->energy;
        res->has_energy = 1;
        res->energy_error = dE / n;
        res->loss += res->energy_error * res->energy_error * w->energy;
    }
    if (s->labels & MLPOT_LABEL_FORCES) {
        for (int i = 0; i < n; ++i) {
            const int e = m->acsf.index[s->numbers[i]];
            for (int a = 0; a < 3; ++a) {
                double d = F[3 * i + a] - s->forces[3 * i + a];
                F[3 * i + a] = d; /* from here on the residual */
                res->force_sq += d * d, res->force_abs += fabs(d);
                if (e < TRAIN_MAX_ELEMENTS) res->force_sq_el[e] += d * d, res->force_abs_el[e] += fabs(d), res->force_n_el[e]++;
            }
        }
        res->force_n = 3L * n;
        if (want_forces) res->loss += res->force_sq * w->force;
    }
    if (!grad) return MLPOT_OK;
    const double c_e = want_energy ? scale * 2.0 * w->energy * dE / ((double)n * n) : 0.0;
    const double a_f = want_forces ? scale * 2.0 * w->force : 0.0;
    const double a_s = want_stress ? scale * 2.0 * w->stress / volume : 0.0;
    parameter_gradient(m, offsets, s, cache, ws, c_e, a_f, F, a_s, dstress, grad);
    return MLPOT_OK;
}

int train_structure_has_stress(const mlpot_structure *s)
{
    return (s->labels & (MLPOT_LABEL_STRESS | MLPOT_LABEL_VIRIAL)) && s->pbc[0] && s->pbc[1] && s->pbc[2];
}

mlpot_status train_structure_jacobian(const nnp_model *m, const size_t *offsets, const mlpot_structure *s,
                                      const train_cache *cache, const train_weights *w, long component,
                                      train_workspace *ws, double *error, double *jacobian, mlpot_error *err)
{
    static const int voigt[6] = {0, 4, 8, 5, 2, 1}; /* xx yy zz yz xz xy in the row-major 3×3 */
    const int n = s->n_atoms;
    if (w->stage != TRAIN_STAGE_ENERGY)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "per-label Jacobians are for the energy stage");
    if (component < -1 || component >= 3L * n + 6)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "label %ld of a structure of %d atoms (3N force and 6 stress components)",
                          component, n);
    const int stress = component >= 3L * n;
    if (component < 0 ? !(s->labels & MLPOT_LABEL_ENERGY)
                      : stress ? !train_structure_has_stress(s) : !(s->labels & MLPOT_LABEL_FORCES))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the structure has no %s label",
                          component < 0 ? "energy" : stress ? "stress (or is not periodic)" : "force");
    train_residuals res;
    train_weights forward = *w;
    forward.use_stress = stress; /* the stress only when it is measured */
    mlpot_status st = train_structure(m, offsets, s, cache, &forward, 1.0, ws, &res, NULL, err);
    if (st) return st;
    if (!cache || !cache->ready) cache = &ws->scratch;
    /* after the forward pass ws->forces holds the force residuals F - F_ref, and
     * ws->stress_residual σ - σ_ref */
    const int x = stress ? voigt[component - 3L * n] : 0;
    *error = component < 0 ? -res.energy_error : stress ? -ws->stress_residual[x] : -ws->forces[component];
    if (!jacobian) return MLPOT_OK;
    for (int e = 0; e < m->acsf.n_elements; ++e) memset(jacobian + offsets[e], 0, (offsets[e + 1] - offsets[e]) * sizeof *jacobian);
    if (component < 0) {
        parameter_gradient(m, offsets, s, cache, ws, 1.0 / n, 0.0, NULL, 0.0, NULL, jacobian);
    } else if (stress) { /* the seed: one unit stress component; the loss's a_s with 2w/V → 1/V */
        double unit[9] = {0};
        unit[x] = 1.0;
        parameter_gradient(m, offsets, s, cache, ws, 0.0, 0.0, NULL, 1.0 / mlpot_structure_volume(s), unit, jacobian);
    } else {
        memset(ws->forces, 0, 3 * (size_t)n * sizeof *ws->forces); /* the seed: one unit component */
        ws->forces[component] = 1.0;
        parameter_gradient(m, offsets, s, cache, ws, 0.0, 1.0, ws->forces, 0.0, NULL, jacobian);
    }
    return MLPOT_OK;
}
