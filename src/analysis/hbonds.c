/* Hydrogen bonds by a geometric criterion, and their continuous and intermittent lifetimes.
 *
 * Geometry goes through the neighbour list (cutoff max(r_da, dh_max)), so periodic images of
 * any triclinic cell are found without a minimum-image convention. A hydrogen is owned by its
 * nearest donor within dh_max, so an H between two donors is counted once, on the side it is
 * bound to. Bonds are identified across frames by the (D, H, A) triple: a proton that hops to
 * another donor, or a donor that turns to another acceptor, makes a new bond.
 *
 * The correlations are built from the sorted list of (bond, frame) events rather than from a
 * dense bonds × frames matrix: a bond exists in few frames of a long trajectory, and the number
 * of distinct triples over a trajectory can be far larger than the bonds in one frame. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/analysis.h"

void mlpot_hbond_options_default(mlpot_hbond_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->donor[7] = opt->donor[8] = 1;
    opt->acceptor[7] = opt->acceptor[8] = 1;
    opt->dh_max = 1.25;
    opt->r_da = 3.5;
    opt->angle = 30.0;
}

static mlpot_status check_options(const mlpot_hbond_options *opt, mlpot_error *err)
{
    if (!(opt->dh_max > 0) || !isfinite(opt->dh_max))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the D-H distance must be positive (got %g Å)", opt->dh_max);
    if (!(opt->r_da > 0) || !isfinite(opt->r_da))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the D···A cutoff must be positive (got %g Å)", opt->r_da);
    if (!(opt->angle > 0 && opt->angle <= 180))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the H-D···A angle must be in (0, 180] degrees (got %g)",
                          opt->angle);
    if (opt->max_lag < 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the largest lag must not be negative");
    int any_d = 0, any_a = 0;
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z) any_d |= opt->donor[z], any_a |= opt->acceptor[z];
    if (!any_d) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no donor species");
    if (!any_a) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no acceptor species");
    return MLPOT_OK;
}

void mlpot_hbond_list_init(mlpot_hbond_list *l)
{
    memset(l, 0, sizeof *l);
    mlpot_neighbour_list_init(&l->nl);
}

void mlpot_hbond_list_free(mlpot_hbond_list *l)
{
    free(l->bond);
    free(l->owner_entry);
    mlpot_neighbour_list_free(&l->nl);
    mlpot_hbond_list_init(l);
}

static int is_species(const unsigned char *flags, int z) { return z >= 1 && z <= MLPOT_MAX_ELEMENT && flags[z]; }

static mlpot_status push_bond(mlpot_hbond_list *l, const mlpot_hbond *b, mlpot_error *err)
{
    if (l->n == l->capacity) {
        size_t cap = l->capacity ? 2 * l->capacity : 64;
        mlpot_hbond *p = mlpot_realloc(l->bond, cap, sizeof *p);
        if (!p) return mlpot_fail_memory(err, "hydrogen bonds");
        l->bond = p;
        l->capacity = cap;
    }
    l->bond[l->n++] = *b;
    return MLPOT_OK;
}

mlpot_status mlpot_hbonds_find(const mlpot_structure *s, const mlpot_hbond_options *opt, mlpot_hbond_list *out,
                               mlpot_error *err)
{
    mlpot_status st;
    if ((st = check_options(opt, err))) return st;
    out->n = 0;
    if (s->n_atoms > out->atom_capacity) {
        size_t *p = mlpot_realloc(out->owner_entry, (size_t)s->n_atoms, sizeof *p);
        if (!p) return mlpot_fail_memory(err, "hydrogen owners");
        out->owner_entry = p;
        out->atom_capacity = s->n_atoms;
    }
    if (s->n_atoms == 0) return MLPOT_OK;
    const double cutoff = fmax(opt->r_da, opt->dh_max);
    if ((st = mlpot_neighbour_list_build(&out->nl, s, cutoff, 0.0, MLPOT_NEIGHBOURS_FULL, err))) return st;
    const mlpot_neighbour_list *nl = &out->nl;
    /* each hydrogen's donor: the nearest donor-species neighbour within dh_max (entries are
     * sorted by species then index, so ties go to the lower index, the same in every run) */
    for (int i = 0; i < s->n_atoms; ++i) {
        out->owner_entry[i] = SIZE_MAX;
        if (s->numbers[i] != 1) continue;
        double best = opt->dh_max;
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k)
            if (nl->distance[k] < best && is_species(opt->donor, s->numbers[nl->neighbour[k]]))
                best = nl->distance[k], out->owner_entry[i] = k;
    }
    const double cos_max = cos(opt->angle * MLPOT_PI / 180.0);
    for (int h = 0; h < s->n_atoms; ++h) {
        size_t kh = out->owner_entry[h];
        if (kh == SIZE_MAX) continue;
        int d = nl->neighbour[kh];
        /* the entry runs H -> D: D -> H is its negative */
        const double u[3] = {-nl->vector[3 * kh], -nl->vector[3 * kh + 1], -nl->vector[3 * kh + 2]};
        const double ru = nl->distance[kh];
        size_t first = out->n;
        for (size_t k = nl->offsets[d]; k < nl->offsets[d + 1]; ++k) {
            int a = nl->neighbour[k];
            double r = nl->distance[k];
            if (a == d || r >= opt->r_da || !is_species(opt->acceptor, s->numbers[a])) continue;
            const double *v = nl->vector + 3 * k;
            double c = (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (ru * r);
            /* compare cosines (no acos at the boundary), the angle itself only for the record */
            if (!(c > cos_max)) continue;
            int seen = 0;
            for (size_t b = first; b < out->n; ++b) seen |= out->bond[b].acceptor == a;
            if (seen) continue;
            mlpot_hbond bond = {d, h, a, r, acos(fmax(-1.0, fmin(1.0, c))) * 180.0 / MLPOT_PI};
            if ((st = push_bond(out, &bond, err))) return st;
        }
    }
    return MLPOT_OK;
}

/* --- over a trajectory --------------------------------------------------------------------- */

void mlpot_hbond_result_init(mlpot_hbond_result *r) { memset(r, 0, sizeof *r); }

void mlpot_hbond_result_free(mlpot_hbond_result *r)
{
    free(r->pair);
    free(r->count);
    free(r->pair_count);
    free(r->c_continuous);
    free(r->c_intermittent);
    mlpot_hbond_result_init(r);
}

/* One bond seen in one frame: the triple packed into one key (D, H, A in base n_atoms). */
typedef struct event {
    uint64_t key;
    long frame;
} event;

static int event_order(const void *pa, const void *pb)
{
    const event *a = pa, *b = pb;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->frame > b->frame) - (a->frame < b->frame);
}

/* The segment that frame f belongs to. */
static int segment_of(const mlpot_trajectory *t, long f)
{
    int lo = 0, hi = t->n_segments - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (t->segment_start[mid] <= f) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* C_I, C_C and the stretches from the events sorted by bond then frame. */
static mlpot_status correlate(const mlpot_trajectory *t, const event *ev, size_t n_ev, mlpot_hbond_result *out,
                              mlpot_error *err)
{
    const long nl = out->n_lags;
    double *num_i = mlpot_calloc((size_t)nl, sizeof(double));
    double *num_c = mlpot_calloc((size_t)nl, sizeof(double));
    double *den = mlpot_calloc((size_t)nl + 1, sizeof(double));
    if (!num_i || !num_c || !den) {
        free(num_i), free(num_c), free(den);
        return mlpot_fail_memory(err, "hydrogen-bond correlations");
    }
    double run_frames = 0;
    long runs = 0;
    for (size_t e = 0; e < n_ev;) {
        size_t end = e;
        while (end < n_ev && ev[end].key == ev[e].key) ++end;
        /* events e .. end-1 are one bond, frames ascending */
        for (size_t p = e; p < end; ++p) {
            long f = ev[p].frame, seg_end = t->segment_start[segment_of(t, f) + 1];
            /* origin f serves every lag that stays inside its segment: a difference array */
            long valid = seg_end - f < nl ? seg_end - f : nl;
            den[0] += 1, den[valid] -= 1;
            for (size_t q = p; q < end && ev[q].frame < seg_end && ev[q].frame - f < nl; ++q)
                num_i[ev[q].frame - f] += 1;
        }
        /* stretches: consecutive frames of one segment */
        for (size_t p = e; p < end;) {
            size_t q = p + 1;
            long seg_end = t->segment_start[segment_of(t, ev[p].frame) + 1];
            while (q < end && ev[q].frame == ev[q - 1].frame + 1 && ev[q].frame < seg_end) ++q;
            long k = (long)(q - p);
            for (long lag = 0; lag < k && lag < nl; ++lag) num_c[lag] += (double)(k - lag);
            run_frames += (double)k;
            ++runs;
            p = q;
        }
        e = end;
    }
    for (long lag = 1; lag < nl; ++lag) den[lag] += den[lag - 1];
    for (long lag = 0; lag < nl; ++lag) {
        out->c_intermittent[lag] = den[lag] > 0 ? num_i[lag] / den[lag] : NAN;
        out->c_continuous[lag] = den[lag] > 0 ? num_c[lag] / den[lag] : NAN;
    }
    out->n_runs = runs;
    out->lifetime = runs ? run_frames / (double)runs * out->dt : NAN;
    out->tau_continuous = out->tau_intermittent = 0;
    for (long lag = 1; lag < nl; ++lag) {
        out->tau_continuous += 0.5 * out->dt * (out->c_continuous[lag - 1] + out->c_continuous[lag]);
        out->tau_intermittent += 0.5 * out->dt * (out->c_intermittent[lag - 1] + out->c_intermittent[lag]);
    }
    free(num_i), free(num_c), free(den);
    return MLPOT_OK;
}

/* Counts per frame into out and every (bond, frame) event into *events. */
static mlpot_status find_all(const mlpot_trajectory *t, const mlpot_hbond_options *opt, const int *pair_of,
                             mlpot_hbond_result *out, event **events, size_t *n_events, mlpot_error *err)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    mlpot_hbond_list list;
    mlpot_hbond_list_init(&list);
    size_t cap = 0, n = 0;
    event *ev = NULL;
    mlpot_status st = mlpot_structure_resize(&s, t->n_atoms, err);
    const size_t n3 = 3 * (size_t)t->n_atoms;
    const uint64_t na = (uint64_t)t->n_atoms;
    if (!st) memcpy(s.numbers, t->numbers, (size_t)t->n_atoms * sizeof(int));
    memcpy(s.pbc, t->pbc, sizeof s.pbc);
    for (long f = 0; f < t->n_frames && !st; ++f) {
        memcpy(s.positions, t->positions + (size_t)f * n3, n3 * sizeof(double));
        memcpy(&s.cell[0][0], t->cells + 9 * (size_t)f, 9 * sizeof(double));
        if ((st = mlpot_hbonds_find(&s, opt, &list, err))) {
            mlpot_error_prepend(err, "frame %ld: ", f + 1);
            break;
        }
        out->count[f] = (long)list.n;
        for (size_t b = 0; b < list.n; ++b) {
            const mlpot_hbond *h = &list.bond[b];
            int p = pair_of[t->numbers[h->donor] * (MLPOT_MAX_ELEMENT + 1) + t->numbers[h->acceptor]];
            ++out->pair_count[(size_t)f * (size_t)out->n_pairs + (size_t)p];
            if (n == cap) {
                cap = cap ? 2 * cap : 1024;
                event *g = mlpot_realloc(ev, cap, sizeof *g);
                if (!g) {
                    st = mlpot_fail_memory(err, "hydrogen-bond events");
                    break;
                }
                ev = g;
            }
            ev[n].key = ((uint64_t)h->donor * na + (uint64_t)h->hydrogen) * na + (uint64_t)h->acceptor;
            ev[n].frame = f;
            ++n;
        }
    }
    mlpot_hbond_list_free(&list);
    mlpot_structure_free(&s);
    *events = ev;
    *n_events = n;
    return st;
}

mlpot_status mlpot_hbonds(const mlpot_trajectory *t, const mlpot_hbond_options *opt, mlpot_hbond_result *out,
                          mlpot_error *err)
{
    mlpot_hbond_result_free(out);
    mlpot_status st;
    if ((st = check_options(opt, err))) return st;
    if (t->n_frames < 1) return mlpot_fail(err, MLPOT_ERR_MISSING, "the trajectory has no frames");
    /* the triple key D·N² + H·N + A must fit 64 bits */
    if (t->n_atoms > 2000000)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%d atoms: hydrogen bonds handle at most 2000000",
                          t->n_atoms);
    int present[MLPOT_MAX_ELEMENT + 1] = {0};
    for (int i = 0; i < t->n_atoms; ++i) {
        int z = t->numbers[i];
        if (z < 1 || z > MLPOT_MAX_ELEMENT) continue;
        ++present[z];
        out->n_donor_atoms += opt->donor[z] != 0;
        out->n_acceptor_atoms += opt->acceptor[z] != 0;
        out->n_hydrogens += z == 1;
    }
    if (!out->n_hydrogens) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no hydrogen atoms in the trajectory");
    if (!out->n_donor_atoms) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no atoms of the donor species");
    if (!out->n_acceptor_atoms) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no atoms of the acceptor species");
    /* columns: every donor-acceptor species pair present, donor then acceptor ascending */
    int *pair_of = mlpot_calloc((size_t)(MLPOT_MAX_ELEMENT + 1) * (MLPOT_MAX_ELEMENT + 1), sizeof(int));
    if (!pair_of) return mlpot_fail_memory(err, "hydrogen-bond pairs");
    for (int pass = 0; pass < 2; ++pass) {
        int n = 0;
        for (int d = 1; d <= MLPOT_MAX_ELEMENT; ++d)
            for (int a = 1; a <= MLPOT_MAX_ELEMENT; ++a)
                if (present[d] && present[a] && opt->donor[d] && opt->acceptor[a]) {
                    if (pass) out->pair[2 * n] = d, out->pair[2 * n + 1] = a;
                    pair_of[d * (MLPOT_MAX_ELEMENT + 1) + a] = n++;
                }
        if (!pass) {
            out->n_pairs = n;
            out->pair = mlpot_calloc(2 * (size_t)n, sizeof(int));
        }
    }
    out->n_frames = t->n_frames;
    out->count = mlpot_calloc((size_t)t->n_frames, sizeof(long));
    out->pair_count = mlpot_calloc((size_t)t->n_frames * (size_t)out->n_pairs, sizeof(long));
    if (!out->pair || !out->count || !out->pair_count) {
        free(pair_of);
        return mlpot_fail_memory(err, "hydrogen-bond counts");
    }
    event *ev = NULL;
    size_t n_ev = 0;
    st = find_all(t, opt, pair_of, out, &ev, &n_ev, err);
    free(pair_of);
    if (!st && n_ev) qsort(ev, n_ev, sizeof *ev, event_order);
    for (size_t e = 0; !st && e < n_ev; ++e) out->n_distinct += e == 0 || ev[e].key != ev[e - 1].key;
    if (!st && opt->dt > 0) {
        long shortest = t->n_frames;
        for (int k = 0; k < t->n_segments; ++k)
            if (t->segment_start[k + 1] - t->segment_start[k] < shortest)
                shortest = t->segment_start[k + 1] - t->segment_start[k];
        out->dt = opt->dt;
        out->n_lags = opt->max_lag > 0 ? opt->max_lag + 1 : (shortest + 1) / 2;
        if (out->n_lags > shortest) out->n_lags = shortest;
        out->c_continuous = mlpot_calloc((size_t)out->n_lags, sizeof(double));
        out->c_intermittent = mlpot_calloc((size_t)out->n_lags, sizeof(double));
        if (!out->c_continuous || !out->c_intermittent) st = mlpot_fail_memory(err, "hydrogen-bond correlations");
        else st = correlate(t, ev, n_ev, out, err);
    }
    free(ev);
    return st;
}
