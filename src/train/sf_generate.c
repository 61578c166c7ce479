#include "train/sf_generate.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/elements.h"
#include "mlpot/neighbours.h"

static mlpot_status push(char ***lines, int *n, int *capacity, const char *text, mlpot_error *err)
{
    if (*n == *capacity) {
        int grown = *capacity ? 2 * *capacity : 64;
        char **bigger = realloc(*lines, (size_t)grown * sizeof *bigger);
        if (!bigger) return mlpot_fail_memory(err, "generating symmetry functions");
        *lines = bigger, *capacity = grown;
    }
    if (!((*lines)[*n] = mlpot_strdup(text))) return mlpot_fail_memory(err, "generating symmetry functions");
    ++*n;
    return MLPOT_OK;
}

mlpot_status sf_generate(const sf_grid *g, const int *elements, int n_elements, char ***lines, int *n,
                         mlpot_error *err)
{
    *lines = NULL, *n = 0;
    if (!(g->cutoff > 0) || !(g->r_lower >= 0) || g->r_lower >= g->cutoff)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "symmetry functions: need 0 <= r_lower (%g) < cutoff (%g)", g->r_lower,
                          g->cutoff);
    if (g->n_radial < 1 || g->n_eta < 0 || (g->n_eta > 0 && g->n_zetas < 1))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "symmetry functions: need at least one radial function (and one zeta "
                                                   "when there are angular ones)");
    if (g->angular_type != 3 && g->angular_type != 9)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "symmetry functions: angular type %d (use 3, narrow, or 9, wide)",
                          g->angular_type);
    int capacity = 0;
    mlpot_status st = MLPOT_OK;
    char text[256];
    const double delta = (g->cutoff - g->r_lower) / g->n_radial, eta_radial = 1.0 / (2.0 * delta * delta);
    for (int c = 0; c < n_elements && !st; ++c) {
        const char *ec = mlpot_element_symbol(elements[c]);
        for (int a = 0; a < n_elements && !st; ++a)
            for (int k = 0; k < g->n_radial && !st; ++k) {
                snprintf(text, sizeof text, "%s 2 %s %.17g %.17g %.17g", ec, mlpot_element_symbol(elements[a]), eta_radial,
                         g->r_lower + k * delta, g->cutoff);
                st = push(lines, n, &capacity, text, err);
            }
        for (int a = 0; a < n_elements && !st; ++a)
            for (int b = a; b < n_elements && !st; ++b)
                for (int k = 1; k <= g->n_eta && !st; ++k) {
                    const double r = g->cutoff * k / g->n_eta, spacing = (g->cutoff - g->r_lower) / g->n_eta;
                    const double eta = g->angular_shifted ? 1.0 / (2.0 * spacing * spacing) : 1.0 / (2.0 * r * r);
                    const double rs = g->angular_shifted ? g->r_lower + (k - 1) * spacing : 0.0;
                    for (int z = 0; z < g->n_zetas && !st; ++z)
                        for (int l = -1; l <= 1 && !st; l += 2) {
                            int used = snprintf(text, sizeof text, "%s %d %s %s %.17g %d %.17g %.17g", ec,
                                                g->angular_type, mlpot_element_symbol(elements[a]),
                                                mlpot_element_symbol(elements[b]), eta, l, g->zetas[z], g->cutoff);
                            if (g->angular_shifted) /* n2p2's optional r_s, only where it is not 0 */
                                snprintf(text + used, sizeof text - (size_t)used, " %.17g", rs);
                            st = push(lines, n, &capacity, text, err);
                        }
                }
    }
    if (st) {
        for (int k = 0; k < *n; ++k) free((*lines)[k]);
        free(*lines);
        *lines = NULL, *n = 0;
    }
    return st;
}

double sf_auto_r_lower(double closest, double cutoff, int n_radial)
{
    if (n_radial < 2) return closest < cutoff ? closest : 0.0;
    const double r = (n_radial * closest - cutoff) / (n_radial - 1);
    return r > 0 ? r : 0.0;
}

mlpot_status sf_closest_pair(const mlpot_structure *const *structures, size_t n, double cutoff, double *closest,
                             mlpot_error *err)
{
    *closest = cutoff;
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_status st = MLPOT_OK;
    for (size_t q = 0; q < n && !st; ++q) {
        st = mlpot_neighbour_list_build(&nl, structures[q], cutoff, 0.0, MLPOT_NEIGHBOURS_HALF, err);
        for (size_t p = 0; !st && p < nl.n_pairs; ++p)
            if (nl.distance[p] < *closest) *closest = nl.distance[p];
    }
    mlpot_neighbour_list_free(&nl);
    return st;
}
