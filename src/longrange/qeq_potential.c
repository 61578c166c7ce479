/* The "qeq" potential (see mlpot/qeq.h): charge equilibration with fixed per-element
 * electronegativities, hardnesses and Gaussian widths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "longrange/coulomb_matrix.h"
#include "longrange/qeq.h"
#include "mlpot/elements.h"
#include "mlpot/qeq.h"
#include "mlpot/units.h"

typedef struct qeq_potential {
    mlpot_ewald_params ewald;
    int known[MLPOT_MAX_ELEMENT + 1];
    double chi[MLPOT_MAX_ELEMENT + 1], hardness[MLPOT_MAX_ELEMENT + 1], width[MLPOT_MAX_ELEMENT + 1];
    double total_charge;
} qeq_potential;

static mlpot_status qeq_compute(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                unsigned request, mlpot_result *out, mlpot_error *err)
{
    (void)nl; /* the Coulomb matrix enumerates its own pair images */
    const qeq_potential *p = state;
    const int n = s->n_atoms;
    double *work = mlpot_calloc(6 * (size_t)n + 1, sizeof *work);
    if (!work) return mlpot_fail_memory(err, "charge equilibration");
    double *chi = work, *hardness = chi + n, *sigma = hardness + n, *q = sigma + n, *half = q + n, *phi = half + n;
    for (int i = 0; i < n; ++i) {
        const int z = s->numbers[i];
        chi[i] = p->chi[z], hardness[i] = p->hardness[z], sigma[i] = p->width[z];
    }
    ewald_splitting split = {0, 0, 0, 0};
    mlpot_status st = MLPOT_OK;
    if (s->pbc[0] && s->pbc[1] && s->pbc[2]) {
        mlpot_ewald_setup setup;
        if ((st = mlpot_ewald_setup_for(&p->ewald, s, &setup, err))) goto done;
        /* the Gaussian correction to the same accuracy: erfc(r/(√2γ)) < δ for the widest pair */
        double widest = 0;
        for (int i = 0; i < n; ++i) widest = fmax(widest, sigma[i]);
        const double accuracy = p->ewald.accuracy > 0 && p->ewald.accuracy < 1 ? p->ewald.accuracy : 1e-8;
        split = (ewald_splitting){1.0 / (sqrt(2.0) * setup.alpha), setup.real_cutoff, setup.kspace_cutoff,
                                  2.0 * widest * sqrt(-log(accuracy))};
    }
    const double total = (s->labels & MLPOT_LABEL_TOTAL_CHARGE) ? s->total_charge : p->total_charge;
    coulomb_matrix cm;
    qeq_solver qs;
    memset(&qs, 0, sizeof qs);
    if ((st = coulomb_matrix_setup(&cm, s, sigma, MLPOT_COULOMB_EV_ANGSTROM, &split, 0.0, err))) goto done;
    if ((st = qeq_solve(&qs, &cm, chi, hardness, total, q, NULL, err))) {
        coulomb_matrix_free(&cm);
        goto done;
    }
    double energy = 0;
    qeq_coulomb_potential(&qs, q, phi);
    for (int i = 0; i < n; ++i) {
        const double ei = chi[i] * q[i] + 0.5 * hardness[i] * q[i] * q[i] + 0.5 * q[i] * phi[i];
        energy += ei;
        if (request & MLPOT_OUT_ATOM_ENERGIES) out->atom_energies[i] += ei;
        if (request & MLPOT_OUT_CHARGES) out->charges[i] += q[i];
        half[i] = 0.5 * q[i];
    }
    if (request & MLPOT_OUT_ENERGY) out->energy += energy;
    if (request & (MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL)) {
        double *grad = mlpot_calloc(3 * (size_t)n + 1, sizeof *grad), w[9] = {0};
        if (!grad) st = mlpot_fail_memory(err, "charge equilibration forces");
        else {
            coulomb_matrix_bilinear_derivatives(&cm, half, q, 1.0, grad, w);
            if (request & MLPOT_OUT_FORCES)
                for (int k = 0; k < 3 * n; ++k) out->forces[k] -= grad[k];
            if (request & MLPOT_OUT_VIRIAL)
                for (int k = 0; k < 9; ++k) out->virial[k] += w[k];
        }
        free(grad);
    }
    qeq_solver_free(&qs);
    coulomb_matrix_free(&cm);
done:
    if (st && s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
    free(work);
    return st;
}

static void qeq_describe(const void *state, char *buf, size_t size)
{
    const qeq_potential *p = state;
    size_t used = (size_t)snprintf(buf, size, "qeq: charge equilibration, Ewald real-space cutoff %g Å, accuracy %g;",
                                   p->ewald.real_cutoff, p->ewald.accuracy);
    for (int z = 1; z <= MLPOT_MAX_ELEMENT && used < size; ++z)
        if (p->known[z])
            used += (size_t)snprintf(buf + used, size - used, " %s χ %g J %g σ %g", mlpot_element_symbol(z), p->chi[z],
                                     p->hardness[z], p->width[z]);
}

static void qeq_destroy(void *state) { free(state); }

mlpot_status mlpot_qeq_create(const mlpot_qeq_params *params, mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    if (params->ewald.method != MLPOT_EWALD_DIRECT_K)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                          "qeq: charge equilibration builds the dense Coulomb matrix with the Ewald k-sum; "
                          "kspace=pme is not available for it");
    mlpot_ewald_setup setup;
    mlpot_structure dummy;
    mlpot_structure_init(&dummy);
    mlpot_status st = mlpot_ewald_setup_for(&params->ewald, &dummy, &setup, err);
    if (st) return st;
    if (params->n_species < 1) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "qeq: no elements given (chi.El=, J.El=, sigma.El=)");
    qeq_potential *p = calloc(1, sizeof *p);
    if (!p) return mlpot_fail_memory(err, "creating a qeq potential");
    p->ewald = params->ewald;
    p->total_charge = params->total_charge;
    for (int k = 0; k < params->n_species; ++k) {
        const int z = params->species[k];
        if (z < 1 || z > MLPOT_MAX_ELEMENT) st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "qeq: invalid species %d", z);
        else if (!(params->width[k] > 0) || !isfinite(params->chi[k]) || !isfinite(params->hardness[k]))
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "qeq: %s needs a finite χ and J and a positive σ (got χ %g, J %g, σ %g)",
                            mlpot_element_symbol(z), params->chi[k], params->hardness[k], params->width[k]);
        if (st) {
            free(p);
            return st;
        }
        p->known[z] = 1;
        p->chi[z] = params->chi[k], p->hardness[z] = params->hardness[k], p->width[z] = params->width[k];
    }
    mlpot_potential_info info = {
        .style = "qeq",
        .cutoff = 0, /* no neighbour list: the Coulomb matrix enumerates its own pair images */
        .outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES | MLPOT_OUT_CHARGES,
        .needs_full_list = 0,
        .n_species = params->n_species,
        .species = params->species,
    };
    static const mlpot_potential_ops ops = {qeq_compute, qeq_destroy, qeq_describe};
    return mlpot_potential_create(&ops, p, &info, out, err);
}
