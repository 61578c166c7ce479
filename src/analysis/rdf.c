/* Partial radial distribution functions g_ab(r) and coordination numbers n_ab(r).
 *
 * Pairs come from mlpot's neighbour list, so any triclinic cell works, including one thinner
 * than 2 rmax (several images of an atom then count, as they should for a periodic system).
 * The ideal-gas reference uses N_b - δ_ab: an atom is not its own neighbour, so uncorrelated
 * positions give g = 1 exactly in expectation, also for small systems. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/analysis.h"

double mlpot_rdf_default_rmax(const double *cell)
{
    double h[3];
    mlpot_cell_heights(cell, h);
    return 0.5 * fmin(h[0], fmin(h[1], h[2]));
}

mlpot_status mlpot_rdf_init(mlpot_rdf *r, double rmax, int bins, const int *pairs, int n_pairs, mlpot_error *err)
{
    memset(r, 0, sizeof *r);
    mlpot_neighbour_list_init(&r->nl);
    if (!(rmax > 0) || !isfinite(rmax)) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "rmax must be positive (got %g Å)", rmax);
    if (bins < 1) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the number of bins must be at least 1 (got %d)", bins);
    if (n_pairs < 0 || (n_pairs > 0 && !pairs)) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "bad list of pairs");
    for (int p = 0; p < 2 * n_pairs; ++p)
        if (pairs[p] < 1 || pairs[p] > MLPOT_MAX_ELEMENT)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "atomic number %d in the pairs is out of range", pairs[p]);
    r->rmax = rmax;
    r->bins = bins;
    r->n_pairs = n_pairs;
    if (n_pairs) {
        r->pair = mlpot_calloc(2 * (size_t)n_pairs, sizeof(int));
        if (!r->pair) return mlpot_fail_memory(err, "RDF pairs");
        memcpy(r->pair, pairs, 2 * (size_t)n_pairs * sizeof(int));
    }
    return MLPOT_OK;
}

void mlpot_rdf_free(mlpot_rdf *r)
{
    free(r->pair);
    free(r->counts);
    free(r->density);
    mlpot_neighbour_list_free(&r->nl);
    memset(r, 0, sizeof *r);
}

/* On the first frame: the composition, the default pairs and the histograms. */
static mlpot_status first_frame(mlpot_rdf *r, const mlpot_structure *s, mlpot_error *err)
{
    r->n_atoms = s->n_atoms;
    for (int i = 0; i < s->n_atoms; ++i)
        if (s->numbers[i] >= 1 && s->numbers[i] <= MLPOT_MAX_ELEMENT) ++r->species_count[s->numbers[i]];
    if (r->n_pairs == 0) {
        int n = 0;
        for (int a = 1; a <= MLPOT_MAX_ELEMENT; ++a)
            for (int b = a; b <= MLPOT_MAX_ELEMENT; ++b)
                if (r->species_count[a] && r->species_count[b]) ++n;
        r->pair = mlpot_calloc(2 * (size_t)n, sizeof(int));
        if (!r->pair) return mlpot_fail_memory(err, "RDF pairs");
        n = 0;
        for (int a = 1; a <= MLPOT_MAX_ELEMENT; ++a)
            for (int b = a; b <= MLPOT_MAX_ELEMENT; ++b)
                if (r->species_count[a] && r->species_count[b]) r->pair[2 * n] = a, r->pair[2 * n + 1] = b, ++n;
        r->n_pairs = n;
    }
    for (int p = 0; p < r->n_pairs; ++p) {
        int a = r->pair[2 * p], b = r->pair[2 * p + 1];
        const char *sa = mlpot_element_symbol(a), *sb = mlpot_element_symbol(b);
        if (!r->species_count[a] || !r->species_count[b])
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "pair %s-%s: no %s atoms in the structure", sa, sb,
                              r->species_count[a] ? sb : sa);
        if (a == b && r->species_count[a] < 2)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "pair %s-%s: a single %s atom has no partner", sa, sb, sa);
    }
    r->counts = mlpot_calloc((size_t)r->n_pairs * (size_t)r->bins, sizeof(double));
    r->density = mlpot_calloc((size_t)r->n_pairs, sizeof(double));
    if (!r->counts || !r->density) return mlpot_fail_memory(err, "RDF histograms");
    return MLPOT_OK;
}

mlpot_status mlpot_rdf_add(mlpot_rdf *r, const mlpot_structure *s, mlpot_error *err)
{
    const char *src = s->source ? s->source : "structure";
    if (!(s->pbc[0] && s->pbc[1] && s->pbc[2]))
        return mlpot_fail(err, MLPOT_ERR_GEOMETRY, "%s:%ld: the RDF needs a cell periodic in all three directions", src,
                          s->source_line);
    mlpot_status st;
    if (!r->counts && (st = first_frame(r, s, err))) return st;
    int count[MLPOT_MAX_ELEMENT + 1] = {0};
    for (int i = 0; i < s->n_atoms; ++i)
        if (s->numbers[i] >= 1 && s->numbers[i] <= MLPOT_MAX_ELEMENT) ++count[s->numbers[i]];
    if (s->n_atoms != r->n_atoms || memcmp(count, r->species_count, sizeof count))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %d atoms of another composition than the first frame's %d",
                          src, s->source_line, s->n_atoms, r->n_atoms);
    double volume = mlpot_structure_volume(s);
    if (!(volume > 0)) return mlpot_fail(err, MLPOT_ERR_GEOMETRY, "%s:%ld: the cell has no volume", src, s->source_line);
    if ((st = mlpot_neighbour_list_build(&r->nl, s, r->rmax, 0.0, MLPOT_NEIGHBOURS_FULL, err))) {
        mlpot_error_prepend(err, "%s:%ld: ", src, s->source_line);
        return st;
    }
    const double scale = r->bins / r->rmax;
    for (int p = 0; p < r->n_pairs; ++p) {
        int a = r->pair[2 * p], b = r->pair[2 * p + 1];
        double na = count[a], nb = count[b] - (a == b);
        double *h = r->counts + (size_t)p * (size_t)r->bins;
        for (int i = 0; i < s->n_atoms; ++i) {
            if (s->numbers[i] != a) continue;
            for (size_t k = r->nl.offsets[i]; k < r->nl.offsets[i + 1]; ++k) {
                if (s->numbers[r->nl.neighbour[k]] != b) continue;
                double d = r->nl.distance[k];
                if (d >= r->rmax) continue;
                int bin = (int)(d * scale);
                if (bin >= r->bins) bin = r->bins - 1;
                h[bin] += 1.0 / na;
            }
        }
        r->density[p] += nb / volume;
    }
    ++r->frames;
    return MLPOT_OK;
}

mlpot_status mlpot_rdf_result(const mlpot_rdf *r, double *g, double *coordination, mlpot_error *err)
{
    if (r->frames == 0) return mlpot_fail(err, MLPOT_ERR_MISSING, "no frame was added to the RDF");
    double dr = r->rmax / r->bins;
    for (int p = 0; p < r->n_pairs; ++p) {
        const double *h = r->counts + (size_t)p * (size_t)r->bins;
        /* Σ_frames count / N_a over Σ_frames ρ_b · shell: the ideal-gas count summed over the
         * same frames, exact also when the volume fluctuates */
        double cumulative = 0;
        for (int k = 0; k < r->bins; ++k) {
            double r0 = k * dr, r1 = (k + 1) * dr;
            double shell = 4.0 / 3.0 * MLPOT_PI * (r1 * r1 * r1 - r0 * r0 * r0);
            cumulative += h[k] / (double)r->frames;
            if (g) g[(size_t)p * (size_t)r->bins + (size_t)k] = h[k] / (r->density[p] * shell);
            if (coordination) coordination[(size_t)p * (size_t)r->bins + (size_t)k] = cumulative;
        }
    }
    return MLPOT_OK;
}
