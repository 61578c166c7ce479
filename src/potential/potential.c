/* The potential handle: an implementation's ops and state plus what it declared. The checks
 * every caller needs (species, request, neighbour list, result sizing, finite outputs) live
 * here once, so implementations only compute. */
#include "potential/potential_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/elements.h"

void mlpot_result_init(mlpot_result *r)
{
    memset(r, 0, sizeof *r);
}

void mlpot_result_free(mlpot_result *r)
{
    if (!r) return;
    free(r->forces);
    free(r->atom_energies);
    free(r->atom_virials);
    free(r->atom_variances);
    free(r->charges);
    free(r->atom_extrapolations);
    for (int k = 0; k < 8; ++k) free(r->scratch[k]);
    if (r->inner) mlpot_result_free(r->inner);
    free(r->inner);
    mlpot_result_init(r);
}

void *mlpot_result_scratch(mlpot_result *r, int slot, size_t bytes, int zero)
{
    if (slot < 0 || slot >= 8) return NULL;
    if (bytes == 0) bytes = 1;
    if (r->scratch_size[slot] < bytes) {
        free(r->scratch[slot]);
        r->scratch[slot] = malloc(bytes);
        r->scratch_size[slot] = r->scratch[slot] ? bytes : 0;
        if (!r->scratch[slot]) return NULL;
    }
    if (zero) memset(r->scratch[slot], 0, bytes);
    return r->scratch[slot];
}

mlpot_status mlpot_result_stress(const mlpot_result *r, const mlpot_structure *s,
                                 double stress[9], mlpot_error *err)
{
    if (!(r->computed & MLPOT_OUT_VIRIAL))
        return mlpot_fail(err, MLPOT_ERR_MISSING, "the virial was not computed");
    double v = mlpot_structure_volume(s);
    if (!(v > 0))
        return mlpot_fail(err, MLPOT_ERR_GEOMETRY, "stress needs a cell with a volume");
    for (int k = 0; k < 9; ++k) stress[k] = -r->virial[k] / v;
    return MLPOT_OK;
}

/* Sizes the per-atom arrays for n atoms and zeroes the requested outputs. */
mlpot_status mlpot_result_prepare(mlpot_result *r, int n, unsigned request, mlpot_error *err)
{
    if (n > r->capacity || !r->forces) {
        size_t cap = (size_t)n + 1;
        double *f = mlpot_realloc(r->forces, 3 * cap, sizeof *f);
        if (f) r->forces = f;
        double *e = mlpot_realloc(r->atom_energies, cap, sizeof *e);
        if (e) r->atom_energies = e;
        double *w = mlpot_realloc(r->atom_virials, 9 * cap, sizeof *w);
        if (w) r->atom_virials = w;
        double *v = mlpot_realloc(r->atom_variances, cap, sizeof *v);
        if (v) r->atom_variances = v;
        double *q = mlpot_realloc(r->charges, cap, sizeof *q);
        if (q) r->charges = q;
        int *x = mlpot_realloc(r->atom_extrapolations, cap, sizeof *x);
        if (x) r->atom_extrapolations = x;
        if (!f || !e || !w || !v || !q || !x) return mlpot_fail_memory(err, "sizing a result");
        r->capacity = n;
    }
    r->n_atoms = n;
    r->computed = 0;
    size_t un = (size_t)n;
    r->energy = 0.0;
    r->energy_variance = 0.0;
    memset(r->virial, 0, sizeof r->virial);
    if (request & MLPOT_OUT_FORCES) memset(r->forces, 0, 3 * un * sizeof(double));
    if (request & MLPOT_OUT_ATOM_ENERGIES) memset(r->atom_energies, 0, un * sizeof(double));
    if (request & MLPOT_OUT_ATOM_VIRIALS) memset(r->atom_virials, 0, 9 * un * sizeof(double));
    if (request & MLPOT_OUT_ATOM_VARIANCES) memset(r->atom_variances, 0, un * sizeof(double));
    if (request & MLPOT_OUT_CHARGES) memset(r->charges, 0, un * sizeof(double));
    if (request & MLPOT_OUT_EXTRAPOLATION) memset(r->atom_extrapolations, 0, un * sizeof(int));
    return MLPOT_OK;
}

mlpot_status mlpot_potential_create(const mlpot_potential_ops *ops, void *state,
                                    const mlpot_potential_info *info, mlpot_potential **out,
                                    mlpot_error *err)
{
    *out = NULL;
    mlpot_potential *p = NULL;
    if (!ops || !ops->compute || !info || !(info->cutoff >= 0) || !isfinite(info->cutoff)) {
        if (ops && ops->destroy) ops->destroy(state);
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "invalid potential definition");
    }
    p = calloc(1, sizeof *p);
    int *species = info->n_species > 0 ? mlpot_calloc((size_t)info->n_species, sizeof *species) : NULL;
    char *style = mlpot_strdup(info->style ? info->style : "potential");
    if (!p || (info->n_species > 0 && !species) || !style) {
        free(p);
        free(species);
        free(style);
        if (ops->destroy) ops->destroy(state);
        return mlpot_fail_memory(err, "creating a potential");
    }
    if (info->n_species > 0) memcpy(species, info->species, (size_t)info->n_species * sizeof *species);
    p->ops = *ops;
    p->state = state;
    p->style = style;
    p->cutoff = info->cutoff;
    p->outputs = info->outputs;
    p->needs_full_list = info->needs_full_list;
    p->n_species = info->n_species > 0 ? info->n_species : 0;
    p->species = species;
    *out = p;
    return MLPOT_OK;
}

void mlpot_potential_free(mlpot_potential *p)
{
    if (!p) return;
    if (p->ops.destroy) p->ops.destroy(p->state);
    free(p->species);
    free(p->style);
    free(p);
}

const char *mlpot_potential_style(const mlpot_potential *p) { return p->style; }
double mlpot_potential_cutoff(const mlpot_potential *p) { return p->cutoff; }
unsigned mlpot_potential_outputs(const mlpot_potential *p) { return p->outputs; }
int mlpot_potential_needs_full_list(const mlpot_potential *p) { return p->needs_full_list; }
const void *mlpot_potential_state(const mlpot_potential *p) { return p ? p->state : NULL; }

int mlpot_potential_supports(const mlpot_potential *p, int z)
{
    if (p->n_species == 0) return z >= 1 && z <= MLPOT_MAX_ELEMENT;
    for (int k = 0; k < p->n_species; ++k)
        if (p->species[k] == z) return 1;
    return 0;
}

void mlpot_potential_describe(const mlpot_potential *p, char *buf, size_t size)
{
    if (!size) return;
    if (p->ops.describe) {
        p->ops.describe(p->state, buf, size);
        return;
    }
    snprintf(buf, size, "%s (cutoff %g Å)", p->style, p->cutoff);
}

mlpot_status mlpot_potential_check_species(const mlpot_potential *p, const mlpot_structure *s,
                                           mlpot_error *err)
{
    for (int i = 0; i < s->n_atoms; ++i)
        if (!mlpot_potential_supports(p, s->numbers[i])) {
            char list[256] = "";
            size_t used = 0;
            for (int k = 0; k < p->n_species && used + 8 < sizeof list; ++k) {
                const char *sym = mlpot_element_symbol(p->species[k]);
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? " " : "",
                                         sym ? sym : "?");
            }
            const char *sym = mlpot_element_symbol(s->numbers[i]);
            mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                       "atom %d is %s (Z=%d), which potential '%s' does not handle (it handles: %s)",
                       i + 1, sym ? sym : "?", s->numbers[i], p->style, list);
            if (s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
            return MLPOT_ERR_UNSUPPORTED;
        }
    return MLPOT_OK;
}

static const char *output_name(unsigned bit)
{
    switch (bit) {
    case MLPOT_OUT_ENERGY: return "energy";
    case MLPOT_OUT_FORCES: return "forces";
    case MLPOT_OUT_VIRIAL: return "virial";
    case MLPOT_OUT_ATOM_ENERGIES: return "per-atom energies";
    case MLPOT_OUT_ATOM_VIRIALS: return "per-atom virials";
    case MLPOT_OUT_ATOM_VARIANCES: return "per-atom variances";
    case MLPOT_OUT_ENERGY_VARIANCE: return "energy variance";
    case MLPOT_OUT_CHARGES: return "charges";
    case MLPOT_OUT_EXTRAPOLATION: return "extrapolation counts";
    default: return "unknown output";
    }
}

mlpot_status mlpot_potential_check_request(const mlpot_potential *p, const mlpot_structure *s,
                                           const mlpot_neighbour_list *nl, unsigned request,
                                           mlpot_error *err)
{
    unsigned missing = request & ~p->outputs;
    if (missing) {
        unsigned bit = missing & (~missing + 1u);
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "potential '%s' cannot compute %s",
                          p->style, output_name(bit));
    }
    if (nl->n_atoms != s->n_atoms)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "neighbour list has %d atoms but the structure %d", nl->n_atoms,
                          s->n_atoms);
    if (nl->cutoff + nl->skin < p->cutoff && s->n_atoms > 0)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "neighbour list reaches %g Å but potential '%s' needs %g Å",
                          nl->cutoff + nl->skin, p->style, p->cutoff);
    if (p->needs_full_list && (nl->flags & MLPOT_NEIGHBOURS_HALF))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "potential '%s' needs a full neighbour list",
                          p->style);
    return mlpot_potential_check_species(p, s, err);
}

static int finite_array(const double *x, size_t n)
{
    for (size_t k = 0; k < n; ++k)
        if (!isfinite(x[k])) return 0;
    return 1;
}

mlpot_status mlpot_potential_compute(const mlpot_potential *p, const mlpot_structure *s,
                                     const mlpot_neighbour_list *nl, unsigned request,
                                     mlpot_result *out, mlpot_error *err)
{
    mlpot_status st = mlpot_potential_check_request(p, s, nl, request, err);
    if (st) return st;
    if ((st = mlpot_result_prepare(out, s->n_atoms, request, err))) return st;
    if ((st = p->ops.compute(p->state, s, nl, request, out, err))) return st;
    size_t n = (size_t)s->n_atoms;
    int ok = 1;
    if (request & MLPOT_OUT_ENERGY) ok = ok && isfinite(out->energy);
    if (request & MLPOT_OUT_FORCES) ok = ok && finite_array(out->forces, 3 * n);
    if (request & MLPOT_OUT_VIRIAL) ok = ok && finite_array(out->virial, 9);
    if (request & MLPOT_OUT_ATOM_ENERGIES) ok = ok && finite_array(out->atom_energies, n);
    if (request & MLPOT_OUT_CHARGES) ok = ok && finite_array(out->charges, n);
    if (!ok) {
        mlpot_fail(err, MLPOT_ERR_NUMERIC, "potential '%s' produced non-finite values", p->style);
        if (s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
        return MLPOT_ERR_NUMERIC;
    }
    out->computed = request;
    return MLPOT_OK;
}

mlpot_status mlpot_potential_evaluate(const mlpot_potential *p, const mlpot_structure *s,
                                      unsigned request, mlpot_result *out, mlpot_error *err)
{
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    /* A potential without range (e.g. a constant) still gets a valid, empty-ish list. */
    double cutoff = p->cutoff > 0 ? p->cutoff : 1.0;
    mlpot_status st = mlpot_potential_check_species(p, s, err);
    if (!st)
        st = mlpot_neighbour_list_build(&nl, s, cutoff, 0.0, MLPOT_NEIGHBOURS_FULL, err);
    if (!st) st = mlpot_potential_compute(p, s, &nl, request, out, err);
    mlpot_neighbour_list_free(&nl);
    return st;
}

/* --- sum of potentials --------------------------------------------------------------- */

int mlpot_members_info(mlpot_potential *const *members, int n, mlpot_potential_info *info, int *species)
{
    /* Species: all when every member takes all, else the intersection of the listed ones. */
    int n_species = 0, restricted = 0;
    for (int k = 0; k < n; ++k) restricted |= members[k]->n_species > 0;
    for (int z = 1; restricted && z <= MLPOT_MAX_ELEMENT; ++z) {
        int all = 1;
        for (int k = 0; k < n && all; ++k) all = mlpot_potential_supports(members[k], z);
        if (all) species[n_species++] = z;
    }
    info->cutoff = 0.0, info->outputs = ~0u, info->needs_full_list = 0;
    for (int k = 0; k < n; ++k) {
        info->cutoff = fmax(info->cutoff, members[k]->cutoff);
        info->outputs &= members[k]->outputs;
        info->needs_full_list |= members[k]->needs_full_list;
    }
    info->n_species = restricted ? n_species : 0;
    info->species = species;
    return !restricted || n_species > 0;
}

static void members_destroy(void *state)
{
    mlpot_members *m = state;
    if (!m) return;
    for (int k = 0; k < m->n; ++k) mlpot_potential_free(m->members[k]);
    free(m->members);
    free(m);
}

static void members_describe(const void *state, char *buf, size_t size)
{
    const mlpot_members *m = state;
    size_t used = (size_t)snprintf(buf, size, "%s of %d:", m->kind, m->n);
    for (int k = 0; k < m->n && used < size; ++k) {
        char part[256];
        mlpot_potential_describe(m->members[k], part, sizeof part);
        used += (size_t)snprintf(buf + used, size - used, " [%s]", part);
    }
}

mlpot_status mlpot_members_potential(mlpot_potential **members, int n_members, const char *kind,
                                     mlpot_compute_fn compute, unsigned (*outputs)(unsigned common),
                                     mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    mlpot_members *m = calloc(1, sizeof *m);
    mlpot_potential **copy = n_members > 0 ? mlpot_calloc((size_t)n_members, sizeof *copy) : NULL;
    if (!m || !copy || n_members < 1) {
        free(m);
        free(copy);
        for (int k = 0; k < n_members; ++k) mlpot_potential_free(members[k]);
        if (n_members < 1) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "a %s needs members", kind);
        return mlpot_fail_memory(err, kind);
    }
    memcpy(copy, members, (size_t)n_members * sizeof *copy);
    m->n = n_members, m->members = copy, m->kind = kind;
    mlpot_potential_info info = {.style = kind};
    int species[MLPOT_MAX_ELEMENT];
    if (!mlpot_members_info(copy, n_members, &info, species)) {
        members_destroy(m);
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the members of the %s share no species", kind);
    }
    if (outputs) info.outputs = outputs(info.outputs);
    const mlpot_potential_ops ops = {compute, members_destroy, members_describe};
    return mlpot_potential_create(&ops, m, &info, out, err);
}

static mlpot_status sum_compute(const void *state, const mlpot_structure *s,
                                const mlpot_neighbour_list *nl, unsigned request,
                                mlpot_result *out, mlpot_error *err)
{
    const mlpot_members *sum = state;
    for (int k = 0; k < sum->n; ++k) {
        const mlpot_potential *m = sum->members[k];
        mlpot_status st = m->ops.compute(m->state, s, nl, request, out, err);
        if (st) {
            mlpot_error_prepend(err, "in member %d (%s) of a sum: ", k + 1, m->style);
            return st;
        }
    }
    return MLPOT_OK;
}

mlpot_status mlpot_potential_sum(mlpot_potential **members, int n_members, mlpot_potential **out,
                                 mlpot_error *err)
{
    return mlpot_members_potential(members, n_members, "sum", sum_compute, NULL, out, err);
}
