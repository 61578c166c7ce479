/* Neighbour lists against brute force over all images, on random triclinic cells (skewed,
 * thinner than the cutoff), open and mixed boundaries; half lists, reverse pairs, updates, and
 * the selection of the pairs within the cutoff from a list with a skin. */
#include <string.h>

#include "harness.h"

typedef struct brute_pair {
    int i, j, s[3];
    double r;
} brute_pair;

/* All (i, j, s) with |x_j + s·cell - x_i| < rc by looping over every image in range. */
static int brute_force(const mlpot_structure *st, double rc, int margin, brute_pair **out)
{
    double h[3];
    mlpot_cell_heights(&st->cell[0][0], h);
    int m[3];
    for (int k = 0; k < 3; ++k) m[k] = st->pbc[k] ? (int)ceil(rc / h[k]) + margin : 0;
    int cap = 1024, n = 0;
    brute_pair *p = malloc(sizeof *p * (size_t)cap);
    for (int i = 0; i < st->n_atoms; ++i)
        for (int j = 0; j < st->n_atoms; ++j)
            for (int a = -m[0]; a <= m[0]; ++a)
                for (int b = -m[1]; b <= m[1]; ++b)
                    for (int c = -m[2]; c <= m[2]; ++c) {
                        if (i == j && !a && !b && !c) continue;
                        double d2 = 0;
                        for (int x = 0; x < 3; ++x) {
                            double d = (st->positions[3 * j + x] - st->positions[3 * i + x]) +
                                       (a * st->cell[0][x] + b * st->cell[1][x] + c * st->cell[2][x]);
                            d2 += d * d;
                        }
                        if (d2 >= rc * rc) continue;
                        if (n == cap) p = realloc(p, sizeof *p * (size_t)(cap *= 2));
                        p[n++] = (brute_pair){i, j, {a, b, c}, sqrt(d2)};
                    }
    *out = p;
    return n;
}

static int find_pair(const mlpot_neighbour_list *nl, int i, int j, const int s[3])
{
    for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k)
        if (nl->neighbour[k] == j && !memcmp(&nl->shift[3 * k], s, 3 * sizeof(int))) return (int)k;
    return -1;
}

static void compare(const mlpot_structure *s, double rc, int margin, const char *what)
{
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    CHECK_OK(mlpot_neighbour_list_build(&nl, s, rc, 0.0, MLPOT_NEIGHBOURS_FULL, &test_err));
    brute_pair *bp;
    int nb = brute_force(s, rc, margin, &bp);
    CHECK((int)nl.n_pairs == nb, "%s: list has %zu pairs, brute force %d", what, nl.n_pairs, nb);
    int missing = 0;
    for (int q = 0; q < nb; ++q) {
        int k = find_pair(&nl, bp[q].i, bp[q].j, bp[q].s);
        if (k < 0) { ++missing; continue; }
        CHECK_CLOSE(nl.distance[k], bp[q].r, 1e-12, "pair distance");
    }
    CHECK(missing == 0, "%s: %d pairs missing", what, missing);
    /* canonical order: species, index, shift */
    int ordered = 1;
    for (int i = 0; i < s->n_atoms; ++i)
        for (size_t k = nl.offsets[i] + 1; k < nl.offsets[i + 1]; ++k) {
            int a = nl.neighbour[k - 1], b = nl.neighbour[k];
            int za = s->numbers[a], zb = s->numbers[b];
            if (za > zb || (za == zb && a > b)) ordered = 0;
            if (za == zb && a == b && memcmp(&nl.shift[3 * (k - 1)], &nl.shift[3 * k], 12) >= 0) {
                const int *u = &nl.shift[3 * (k - 1)], *v = &nl.shift[3 * k];
                if (u[0] > v[0] || (u[0] == v[0] && (u[1] > v[1] || (u[1] == v[1] && u[2] >= v[2]))))
                    ordered = 0;
            }
        }
    CHECK(ordered, "%s: entries not in canonical order", what);
    /* reverse pairs: exact negated vectors */
    CHECK_OK(mlpot_neighbour_list_reverse(&nl, &test_err));
    int bad_reverse = 0;
    for (int i = 0; i < s->n_atoms; ++i)
        for (size_t k = nl.offsets[i]; k < nl.offsets[i + 1]; ++k) {
            int r = nl.reverse[k];
            int j = nl.neighbour[k];
            if (r < 0 || nl.neighbour[r] != i || (size_t)r < nl.offsets[j] || (size_t)r >= nl.offsets[j + 1]) {
                ++bad_reverse;
                continue;
            }
            for (int x = 0; x < 3; ++x)
                if (nl.vector[3 * r + x] != -nl.vector[3 * k + x] || nl.shift[3 * r + x] != -nl.shift[3 * k + x])
                    ++bad_reverse;
        }
    CHECK(bad_reverse == 0, "%s: %d reverse pairs wrong", what, bad_reverse);
    /* half list: exactly the owned pairs */
    mlpot_neighbour_list half;
    mlpot_neighbour_list_init(&half);
    CHECK_OK(mlpot_neighbour_list_build(&half, s, rc, 0.0, MLPOT_NEIGHBOURS_HALF, &test_err));
    CHECK(2 * half.n_pairs == nl.n_pairs, "%s: half list %zu pairs, full %zu", what, half.n_pairs, nl.n_pairs);
    int not_owned = 0;
    for (int i = 0; i < s->n_atoms; ++i)
        for (size_t k = half.offsets[i]; k < half.offsets[i + 1]; ++k)
            not_owned += !mlpot_pair_is_owned(i, half.neighbour[k], &half.shift[3 * k]);
    CHECK(not_owned == 0, "%s: half list holds %d pairs it does not own", what, not_owned);
    mlpot_neighbour_list_free(&half);
    mlpot_neighbour_list_free(&nl);
    free(bp);
}

/* Whether two lists are the same bit for bit: entries, order, vectors, distances and, when
 * both have them, the reverse and pair indices. */
static int same_list(const mlpot_neighbour_list *a, const mlpot_neighbour_list *b)
{
    size_t n = a->n_pairs;
    if (a->n_atoms != b->n_atoms || n != b->n_pairs || a->flags != b->flags) return 0;
    if (memcmp(a->offsets, b->offsets, ((size_t)a->n_atoms + 1) * sizeof *a->offsets) ||
        memcmp(a->neighbour, b->neighbour, n * sizeof(int)) || memcmp(a->shift, b->shift, 3 * n * sizeof(int)) ||
        memcmp(a->vector, b->vector, 3 * n * sizeof(double)) || memcmp(a->distance, b->distance, n * sizeof(double)))
        return 0;
    if (!a->reverse != !b->reverse || !a->pair_index != !b->pair_index) return 0;
    if (a->reverse && memcmp(a->reverse, b->reverse, n * sizeof(int))) return 0;
    if (a->pair_index && (a->n_unique != b->n_unique || memcmp(a->pair_index, b->pair_index, n * sizeof(int))))
        return 0;
    return 1;
}

/* Selecting the pairs within rc from a list with a skin, after moves within skin/2 (and an
 * optional strain of the cell), gives the list a search with no skin gives, bit for bit. */
static void check_select(mlpot_structure *s, double rc, double list_rc, double skin, unsigned flags, double move,
                         const double strain[3][3], unsigned long long *rng, const char *what)
{
    mlpot_neighbour_list wide, near, fresh;
    mlpot_neighbour_list_init(&wide);
    mlpot_neighbour_list_init(&near);
    mlpot_neighbour_list_init(&fresh);
    CHECK_OK(mlpot_neighbour_list_build(&wide, s, list_rc, skin, flags, &test_err));
    if (!(flags & MLPOT_NEIGHBOURS_HALF)) CHECK_OK(mlpot_neighbour_list_reverse(&wide, &test_err));
    for (int step = 0; step < 3; ++step) {
        if (strain) {
            double cell0[3][3];
            memcpy(cell0, s->cell, sizeof cell0);
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b)
                    s->cell[a][b] = cell0[a][0] * strain[0][b] + cell0[a][1] * strain[1][b] + cell0[a][2] * strain[2][b];
            for (int i = 0; i < s->n_atoms; ++i) {
                double x[3];
                for (int b = 0; b < 3; ++b)
                    x[b] = s->positions[3 * i] * strain[0][b] + s->positions[3 * i + 1] * strain[1][b] +
                           s->positions[3 * i + 2] * strain[2][b];
                memcpy(&s->positions[3 * i], x, sizeof x);
            }
        }
        for (int q = 0; q < 3 * s->n_atoms; ++q) s->positions[q] += move * (test_random(rng) - 0.5);
        if (mlpot_neighbour_list_needs_rebuild(&wide, s)) {
            CHECK(0, "%s: test moves too large for the skin", what);
            break;
        }
        CHECK_OK(mlpot_neighbour_list_select(&near, &wide, s, rc, &test_err));
        CHECK_OK(mlpot_neighbour_list_build(&fresh, s, rc, 0.0, flags, &test_err));
        if (wide.reverse) CHECK_OK(mlpot_neighbour_list_reverse(&fresh, &test_err));
        CHECK(same_list(&near, &fresh), "%s, step %d: selected list differs from a search", what, step);
        CHECK(near.cutoff == rc && near.skin == 0.0, "%s: selected list's cutoff and skin", what);
    }
    mlpot_neighbour_list_free(&wide);
    mlpot_neighbour_list_free(&near);
    mlpot_neighbour_list_free(&fresh);
}

static void random_cell(double cell[3][3], unsigned long long *rng, double scale, double skew)
{
    for (int k = 0; k < 3; ++k)
        for (int a = 0; a < 3; ++a)
            cell[k][a] = (k == a ? scale * (0.6 + 0.8 * test_random(rng)) : 0) +
                         skew * scale * (test_random(rng) - 0.5);
}

int main(void)
{
    unsigned long long rng = 12345;
    int species[2] = {14, 6};
    mlpot_structure s;
    mlpot_structure_init(&s);

    /* random triclinic periodic cells, moderate skew */
    for (int t = 0; t < 6; ++t) {
        double cell[3][3];
        random_cell(cell, &rng, 8.0, 0.8);
        int pbc[3] = {1, 1, 1};
        test_random_structure(&s, 40, species, 2, &cell[0][0], pbc, 0.7, (unsigned long long)t + 1);
        compare(&s, 3.5 + 2.0 * test_random(&rng), 2, "triclinic periodic");
    }
    /* strongly skewed and thin cells: several images of each neighbour */
    {
        double cell[3][3] = {{2.5, 0, 0}, {2.3, 2.2, 0}, {-1.9, 1.7, 2.0}};
        int pbc[3] = {1, 1, 1};
        test_random_structure(&s, 3, species, 2, &cell[0][0], pbc, 0.9, 7);
        compare(&s, 6.0, 2, "skewed thin cell");
        double slab[3][3] = {{1.3, 0, 0}, {0.2, 9.0, 0}, {0.1, 0.3, 9.0}};
        test_random_structure(&s, 8, species, 2, &slab[0][0], pbc, 0.9, 8);
        compare(&s, 5.0, 2, "cell thinner than the cutoff along a");
    }
    /* open and mixed boundaries */
    {
        double cell[3][3] = {{7, 0, 0}, {1, 6.5, 0}, {0.5, -0.7, 7.5}};
        int open[3] = {0, 0, 0}, slab[3] = {1, 1, 0}, wire[3] = {0, 0, 1};
        test_random_structure(&s, 30, species, 2, &cell[0][0], open, 0.8, 9);
        compare(&s, 4.0, 2, "open boundaries");
        test_random_structure(&s, 30, species, 2, &cell[0][0], slab, 0.8, 10);
        compare(&s, 4.0, 2, "slab (periodic a, b)");
        test_random_structure(&s, 30, species, 2, &cell[0][0], wire, 0.8, 11);
        compare(&s, 4.0, 2, "wire (periodic c)");
        /* open structure without any cell */
        double none[3][3] = {{0}};
        test_random_structure(&s, 20, species, 2, &cell[0][0], open, 0.8, 12);
        memcpy(s.cell, none, sizeof none);
        compare(&s, 3.0, 2, "molecule without cell");
    }
    /* atoms outside the cell (unwrapped) give the same pairs as wrapped ones */
    {
        double cell[3][3] = {{6, 0, 0}, {0.5, 6, 0}, {0.3, 0.2, 6}};
        int pbc[3] = {1, 1, 1};
        test_random_structure(&s, 25, species, 2, &cell[0][0], pbc, 0.8, 13);
        for (int i = 0; i < s.n_atoms; ++i)
            for (int a = 0; a < 3; ++a) s.positions[3 * i + a] += (i % 5 - 2) * 3.1 * cell[a % 3][a];
        compare(&s, 4.5, 16, "unwrapped positions");
    }

    /* skin: update keeps distances right while atoms move less than skin/2 */
    {
        double cell[3][3] = {{9, 0, 0}, {0, 9, 0}, {0, 0, 9}};
        int pbc[3] = {1, 1, 1};
        test_random_structure(&s, 50, species, 2, &cell[0][0], pbc, 1.0, 14);
        mlpot_neighbour_list nl;
        mlpot_neighbour_list_init(&nl);
        CHECK_OK(mlpot_neighbour_list_build(&nl, &s, 3.0, 1.0, 0, &test_err));
        CHECK(!mlpot_neighbour_list_needs_rebuild(&nl, &s), "fresh list needs no rebuild");
        for (int i = 0; i < s.n_atoms; ++i)
            for (int a = 0; a < 3; ++a) s.positions[3 * i + a] += 0.4 * (test_random(&rng) - 0.5);
        CHECK(!mlpot_neighbour_list_needs_rebuild(&nl, &s), "small moves need no rebuild");
        CHECK_OK(mlpot_neighbour_list_update(&nl, &s, &test_err));
        /* every pair within 3.0 of the moved structure is in the list with the right distance */
        brute_pair *bp;
        int nb = brute_force(&s, 3.0, 2, &bp);
        int missing = 0;
        for (int q = 0; q < nb; ++q) {
            int k = find_pair(&nl, bp[q].i, bp[q].j, bp[q].s);
            if (k < 0) ++missing;
            else CHECK_CLOSE(nl.distance[k], bp[q].r, 1e-12, "updated distance");
        }
        CHECK(missing == 0, "updated list misses %d pairs", missing);
        free(bp);
        s.positions[0] += 0.6;
        CHECK(mlpot_neighbour_list_needs_rebuild(&nl, &s), "a move beyond skin/2 needs a rebuild");
        s.positions[0] -= 0.6;

        /* a barostat's small strain (positions follow the cell) keeps the list valid: every
         * pair within 3.0 of the strained structure is found with the right distance */
        CHECK_OK(mlpot_neighbour_list_build(&nl, &s, 3.0, 1.0, 0, &test_err));
        double strain[3][3] = {{1.01, 0.004, 0}, {0.004, 0.995, -0.003}, {0, -0.003, 1.002}};
        double cell0[3][3];
        memcpy(cell0, s.cell, sizeof cell0);
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) s.cell[a][b] = cell0[a][0] * strain[0][b] + cell0[a][1] * strain[1][b] + cell0[a][2] * strain[2][b];
        for (int i = 0; i < s.n_atoms; ++i) {
            double x[3];
            for (int b = 0; b < 3; ++b)
                x[b] = s.positions[3 * i] * strain[0][b] + s.positions[3 * i + 1] * strain[1][b] + s.positions[3 * i + 2] * strain[2][b];
            for (int b = 0; b < 3; ++b) s.positions[3 * i + b] = x[b] + 0.2 * (test_random(&rng) - 0.5);
        }
        CHECK(!mlpot_neighbour_list_needs_rebuild(&nl, &s), "a 1 %% strain with small moves needs no rebuild");
        CHECK_OK(mlpot_neighbour_list_update(&nl, &s, &test_err));
        nb = brute_force(&s, 3.0, 2, &bp);
        missing = 0;
        for (int q = 0; q < nb; ++q) {
            int k = find_pair(&nl, bp[q].i, bp[q].j, bp[q].s);
            if (k < 0) ++missing;
            else CHECK_CLOSE(nl.distance[k], bp[q].r, 1e-12, "distance after a strain");
        }
        CHECK(missing == 0, "strained list misses %d pairs", missing);
        free(bp);
        for (int a = 0; a < 3; ++a) s.cell[a][a] *= 1.15;
        CHECK(mlpot_neighbour_list_needs_rebuild(&nl, &s), "a 15 %% strain needs a rebuild");
        mlpot_neighbour_list_free(&nl);
    }

    /* selection of the pairs within the cutoff from a list with a skin */
    {
        for (int t = 0; t < 4; ++t) {
            double cell[3][3];
            random_cell(cell, &rng, 8.0, 0.8);
            int pbc[3] = {1, 1, 1};
            test_random_structure(&s, 40, species, 2, &cell[0][0], pbc, 0.8, (unsigned long long)t + 21);
            check_select(&s, 3.5, 3.5, 1.0, MLPOT_NEIGHBOURS_FULL, 0.25, NULL, &rng, "select, triclinic");
            check_select(&s, 3.0, 3.5, 0.6, MLPOT_NEIGHBOURS_FULL, 0.15, NULL, &rng, "select, shorter cutoff");
            check_select(&s, 3.5, 3.5, 1.0, MLPOT_NEIGHBOURS_HALF, 0.25, NULL, &rng, "select, half list");
        }
        double thin[3][3] = {{2.5, 0, 0}, {2.3, 2.2, 0}, {-1.9, 1.7, 2.0}};
        int pbc[3] = {1, 1, 1}, open[3] = {0, 0, 0}, slab[3] = {1, 1, 0};
        test_random_structure(&s, 3, species, 2, &thin[0][0], pbc, 0.9, 25);
        check_select(&s, 5.0, 5.0, 1.0, MLPOT_NEIGHBOURS_FULL, 0.2, NULL, &rng, "select, thin skewed cell");
        double cell[3][3] = {{7, 0, 0}, {1, 6.5, 0}, {0.5, -0.7, 7.5}};
        test_random_structure(&s, 30, species, 2, &cell[0][0], open, 0.8, 26);
        check_select(&s, 4.0, 4.0, 1.0, MLPOT_NEIGHBOURS_FULL, 0.25, NULL, &rng, "select, open boundaries");
        test_random_structure(&s, 30, species, 2, &cell[0][0], slab, 0.8, 27);
        check_select(&s, 4.0, 4.0, 1.0, MLPOT_NEIGHBOURS_FULL, 0.25, NULL, &rng, "select, slab");
        double strain[3][3] = {{1.002, 0.001, 0}, {0.001, 0.999, -0.001}, {0, -0.001, 1.001}};
        test_random_structure(&s, 40, species, 2, &cell[0][0], pbc, 0.8, 28);
        check_select(&s, 3.5, 3.5, 1.0, MLPOT_NEIGHBOURS_FULL, 0.1, (const double(*)[3])strain, &rng,
                     "select, strained cell");

        /* errors: a cutoff beyond the list's, another atom count, overlapping atoms */
        mlpot_neighbour_list wide, near;
        mlpot_neighbour_list_init(&wide);
        mlpot_neighbour_list_init(&near);
        test_random_structure(&s, 20, species, 2, &cell[0][0], pbc, 1.0, 29);
        CHECK_OK(mlpot_neighbour_list_build(&wide, &s, 3.0, 1.0, 0, &test_err));
        CHECK_FAILS(mlpot_neighbour_list_select(&near, &wide, &s, 3.5, &test_err), MLPOT_ERR_ARGUMENT, "at most");
        CHECK_FAILS(mlpot_neighbour_list_select(&wide, &wide, &s, 3.0, &test_err), MLPOT_ERR_ARGUMENT, "itself");
        int k = (int)wide.offsets[0];
        int j = wide.neighbour[k];
        for (int a = 0; a < 3; ++a) /* atom 0 onto its first neighbour's image, 0.05 Å away */
            s.positions[a] = s.positions[3 * j + a] + wide.shift[3 * k] * s.cell[0][a] +
                             wide.shift[3 * k + 1] * s.cell[1][a] + wide.shift[3 * k + 2] * s.cell[2][a] + (a == 0 ? 0.05 : 0);
        CHECK_FAILS(mlpot_neighbour_list_select(&near, &wide, &s, 3.0, &test_err), MLPOT_ERR_GEOMETRY, "overlapping");
        mlpot_structure s2;
        mlpot_structure_init(&s2);
        test_random_structure(&s2, 5, species, 2, &cell[0][0], pbc, 1.0, 30);
        CHECK_FAILS(mlpot_neighbour_list_select(&near, &wide, &s2, 3.0, &test_err), MLPOT_ERR_ARGUMENT, "atoms");
        mlpot_structure_free(&s2);
        mlpot_neighbour_list_free(&wide);
        mlpot_neighbour_list_free(&near);
    }

    /* errors: overlapping atoms, too many images, bad cutoff */
    {
        double cell[3][3] = {{5, 0, 0}, {0, 5, 0}, {0, 0, 5}};
        int pbc[3] = {1, 1, 1};
        test_random_structure(&s, 4, species, 2, &cell[0][0], pbc, 1.0, 15);
        memcpy(&s.positions[3], &s.positions[0], 3 * sizeof(double));
        s.positions[3] += 0.05;
        mlpot_neighbour_list nl;
        mlpot_neighbour_list_init(&nl);
        CHECK_FAILS(mlpot_neighbour_list_build(&nl, &s, 3.0, 0, 0, &test_err), MLPOT_ERR_GEOMETRY,
                    "overlapping");
        double thin[3][3] = {{0.01, 0, 0}, {0, 5, 0}, {0, 0, 5}};
        test_random_structure(&s, 1, species, 1, &thin[0][0], pbc, 0.0, 16);
        CHECK_FAILS(mlpot_neighbour_list_build(&nl, &s, 30.0, 0, 0, &test_err), MLPOT_ERR_GEOMETRY,
                    "periodic images");
        CHECK_FAILS(mlpot_neighbour_list_build(&nl, &s, -1.0, 0, 0, &test_err), MLPOT_ERR_ARGUMENT,
                    "not positive");
        double flat[3][3] = {{5, 0, 0}, {0, 5, 0}, {5, 5, 0}};
        test_random_structure(&s, 2, species, 1, &cell[0][0], pbc, 1.0, 17);
        memcpy(s.cell, flat, sizeof flat);
        CHECK_FAILS(mlpot_neighbour_list_build(&nl, &s, 3.0, 0, 0, &test_err), MLPOT_ERR_GEOMETRY,
                    "volume is zero");
        mlpot_neighbour_list_free(&nl);
    }
    mlpot_structure_free(&s);
    return test_finish("test_neighbours");
}
