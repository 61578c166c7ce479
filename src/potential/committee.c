/* A committee of potentials: the mean of its members' energies, forces and virials, with their
 * spread as the variance outputs, the disagreement that active learning thresholds on.
 *
 * The members are models of the same system fitted independently (other seeds, other data
 * subsets); their mean is conservative, because each member is, and is usually more accurate
 * than any one of them. The variances are of the members' predictions about the mean, with
 * 1/K (population) normalisation: energy_variance of the total energies, atom_variances of the
 * local energies. Members' own variance outputs (a GAP's) are not passed through. */
#include <stdlib.h>

#include "core/error.h"
#include "potential/potential_internal.h"

/* the outputs a committee averages; the variances it derives from them */
#define COMMITTEE_MEANS                                                                                  \
    (MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES | MLPOT_OUT_ATOM_VIRIALS | \
     MLPOT_OUT_CHARGES)

static void add_scaled(double *to, const double *from, size_t n, double scale)
{
    for (size_t i = 0; i < n; ++i) to[i] += scale * from[i];
}

static mlpot_status committee_compute(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                      unsigned request, mlpot_result *out, mlpot_error *err)
{
    const mlpot_members *c = state;
    const size_t n = (size_t)s->n_atoms;
    unsigned asked = request & (COMMITTEE_MEANS | MLPOT_OUT_EXTRAPOLATION);
    if (request & MLPOT_OUT_ENERGY_VARIANCE) asked |= MLPOT_OUT_ENERGY;
    if (request & MLPOT_OUT_ATOM_VARIANCES) asked |= MLPOT_OUT_ATOM_ENERGIES;
    /* the members' result lives with the caller's, so MD does not allocate every step */
    if (!out->inner && !(out->inner = calloc(1, sizeof *out->inner)))
        return mlpot_fail_memory(err, "a committee's work space");
    mlpot_result *r = out->inner;
    /* running means and sums of squared deviations (Welford), member by member, in order */
    double energy_mean = 0.0, energy_m2 = 0.0;
    double *atom_mean = NULL, *atom_m2 = NULL;
    if (request & MLPOT_OUT_ATOM_VARIANCES) {
        atom_mean = mlpot_result_scratch(out, 6, 2 * n * sizeof *atom_mean, 1);
        if (!atom_mean) return mlpot_fail_memory(err, "a committee's variances");
        atom_m2 = atom_mean + n;
    }
    const double w = 1.0 / c->n;
    for (int k = 0; k < c->n; ++k) {
        mlpot_status st = mlpot_potential_compute(c->members[k], s, nl, asked, r, err);
        if (st) {
            mlpot_error_prepend(err, "in member %d (%s) of a committee: ", k + 1, c->members[k]->style);
            return st;
        }
        if (request & MLPOT_OUT_ENERGY) out->energy += w * r->energy;
        if (request & MLPOT_OUT_FORCES) add_scaled(out->forces, r->forces, 3 * n, w);
        if (request & MLPOT_OUT_VIRIAL) add_scaled(out->virial, r->virial, 9, w);
        if (request & MLPOT_OUT_ATOM_ENERGIES) add_scaled(out->atom_energies, r->atom_energies, n, w);
        if (request & MLPOT_OUT_ATOM_VIRIALS) add_scaled(out->atom_virials, r->atom_virials, 9 * n, w);
        if (request & MLPOT_OUT_CHARGES) add_scaled(out->charges, r->charges, n, w);
        if (request & MLPOT_OUT_EXTRAPOLATION) /* an atom outside any member's range is outside */
            for (size_t i = 0; i < n; ++i)
                if (r->atom_extrapolations[i] > out->atom_extrapolations[i])
                    out->atom_extrapolations[i] = r->atom_extrapolations[i];
        const double kk = k + 1;
        if (request & MLPOT_OUT_ENERGY_VARIANCE) {
            const double d = r->energy - energy_mean;
            energy_mean += d / kk;
            energy_m2 += d * (r->energy - energy_mean);
        }
        for (size_t i = 0; atom_mean && i < n; ++i) {
            const double d = r->atom_energies[i] - atom_mean[i];
            atom_mean[i] += d / kk;
            atom_m2[i] += d * (r->atom_energies[i] - atom_mean[i]);
        }
    }
    if (request & MLPOT_OUT_ENERGY_VARIANCE) out->energy_variance += energy_m2 * w;
    for (size_t i = 0; atom_mean && i < n; ++i) out->atom_variances[i] += atom_m2[i] * w;
    return MLPOT_OK;
}

/* the means of what every member computes, and the variances derived from them */
static unsigned committee_outputs(unsigned common)
{
    unsigned outputs = common & (COMMITTEE_MEANS | MLPOT_OUT_EXTRAPOLATION);
    if (outputs & MLPOT_OUT_ENERGY) outputs |= MLPOT_OUT_ENERGY_VARIANCE;
    if (outputs & MLPOT_OUT_ATOM_ENERGIES) outputs |= MLPOT_OUT_ATOM_VARIANCES;
    return outputs;
}

mlpot_status mlpot_potential_committee(mlpot_potential **members, int n_members, mlpot_potential **out,
                                       mlpot_error *err)
{
    return mlpot_members_potential(members, n_members, "committee", committee_compute, committee_outputs, out, err);
}
