/* Hydrogen bonds on cases built by hand: a water dimer at the ideal geometry (one bond, angle 0,
 * r = 2.9 Å), the donor turned past the angle cutoff (none) and just inside it (one), the
 * oxygens moved past r_da (none) and just inside (one), the dimer split by the face of a skewed
 * periodic cell (one, found through the image), and a trajectory in which one bond exists for
 * known stretches of frames: the continuous lifetime and C_I(t), C_C(t) worked out by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEG (MLPOT_PI / 180.0)
static const double OH = 0.9572, HOH = 104.52;

/* A water dimer in a cell: the donor O at `centre`, one of its H pointing at the acceptor O
 * along +x at distance r_oo, then the donor turned by `turn` degrees about z around its O. The
 * acceptor's hydrogens point away from the donor (123° from the O···O line), so it donates
 * nothing back. Positions are wrapped into the cell (a molecule may be cut by a face). */
static void dimer(mlpot_structure *s, double r_oo, double turn, const double centre[3], const double cell[9])
{
    mlpot_structure_free(s);
    CHECK_OK(mlpot_structure_resize(s, 6, &test_err));
    const int z[6] = {8, 1, 1, 8, 1, 1};
    memcpy(s->numbers, z, sizeof z);
    double x[6][3] = {{0, 0, 0},
                      {OH * cos(turn * DEG), OH * sin(turn * DEG), 0},
                      {OH * cos((turn + HOH) * DEG), OH * sin((turn + HOH) * DEG), 0},
                      {r_oo, 0, 0},
                      {r_oo + OH * cos(57 * DEG), 0, OH * sin(57 * DEG)},
                      {r_oo + OH * cos(57 * DEG), 0, -OH * sin(57 * DEG)}};
    memcpy(&s->cell[0][0], cell, 9 * sizeof(double));
    s->pbc[0] = s->pbc[1] = s->pbc[2] = 1;
    double inv[9];
    CHECK_OK(mlpot_matrix3_inverse(cell, inv, &test_err));
    for (int i = 0; i < 6; ++i) {
        double r[3], f[3];
        for (int k = 0; k < 3; ++k) r[k] = centre[k] + x[i][k];
        mlpot_cell_fractional(inv, r, f);
        for (int k = 0; k < 3; ++k) f[k] -= floor(f[k]);
        for (int k = 0; k < 3; ++k) s->positions[3 * i + k] = f[0] * cell[k] + f[1] * cell[3 + k] + f[2] * cell[6 + k];
    }
}

static const double CUBE20[9] = {20, 0, 0, 0, 20, 0, 0, 0, 20};
static const double MIDDLE[3] = {8, 10, 10};

static size_t count(const mlpot_structure *s, mlpot_hbond_list *l)
{
    mlpot_hbond_options opt;
    mlpot_hbond_options_default(&opt);
    CHECK_OK(mlpot_hbonds_find(s, &opt, l, &test_err));
    return l->n;
}

static void test_dimer(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    mlpot_hbond_list l;
    mlpot_hbond_list_init(&l);

    dimer(&s, 2.9, 0, MIDDLE, CUBE20);
    size_t n = count(&s, &l);
    printf("ideal dimer: %zu bond(s)", n);
    if (n) printf(", D %d H %d A %d, r %.4f Å, angle %.3g°", l.bond[0].donor, l.bond[0].hydrogen,
                  l.bond[0].acceptor, l.bond[0].r_da, l.bond[0].angle);
    printf("\n");
    CHECK(n == 1, "ideal dimer: %zu bonds", n);
    if (n == 1) {
        CHECK(l.bond[0].donor == 0 && l.bond[0].hydrogen == 1 && l.bond[0].acceptor == 3, "the bond is O0-H1···O3");
        CHECK_CLOSE(l.bond[0].r_da, 2.9, 1e-12, "r(O···O)");
        CHECK_CLOSE(l.bond[0].angle, 0, 1e-5, "H-O···O angle");
    }

    dimer(&s, 2.9, 35, MIDDLE, CUBE20);
    n = count(&s, &l);
    printf("donor turned 35°: %zu bond(s)\n", n);
    CHECK(n == 0, "turned 35°: %zu bonds", n);
    dimer(&s, 2.9, -35, MIDDLE, CUBE20);
    CHECK(count(&s, &l) == 0, "turned -35°: %zu bonds", l.n);
    dimer(&s, 2.9, 25, MIDDLE, CUBE20);
    n = count(&s, &l);
    CHECK(n == 1 && fabs(l.bond[0].angle - 25) < 1e-9, "turned 25°: %zu bonds", n);

    dimer(&s, 3.55, 0, MIDDLE, CUBE20);
    n = count(&s, &l);
    printf("r(O···O) 3.55 Å: %zu bond(s)\n", n);
    CHECK(n == 0, "r 3.55: %zu bonds", n);
    dimer(&s, 3.45, 0, MIDDLE, CUBE20);
    CHECK(count(&s, &l) == 1, "r 3.45: %zu bonds", l.n);

    /* split by the a face of a skewed cell: the donor near fractional a = 0.95, the acceptor
     * wrapped to about 0.24 */
    const double skew[9] = {10, 0, 0, 3, 10, 0, 1, 2, 10};
    const double edge[3] = {9.5 + 3 * 0.5 + 1 * 0.5, 5 + 2 * 0.5, 5};
    dimer(&s, 2.9, 0, edge, skew);
    double span = fabs(s.positions[0] - s.positions[9]);
    n = count(&s, &l);
    printf("dimer split by the cell face (O x %.3f and %.3f): %zu bond(s)\n", s.positions[0], s.positions[9], n);
    CHECK(span > 5, "the dimer is split across the face (|dx| = %g)", span);
    CHECK(n == 1 && fabs(l.bond[0].r_da - 2.9) < 1e-9 && l.bond[0].acceptor == 3, "split dimer: %zu bonds", n);
    /* an open cell sees no image: the split dimer has no bond */
    s.pbc[0] = s.pbc[1] = s.pbc[2] = 0;
    CHECK(count(&s, &l) == 0, "open boundaries, split dimer: %zu bonds", l.n);

    /* bad options */
    mlpot_hbond_options opt;
    mlpot_hbond_options_default(&opt);
    opt.angle = 0;
    CHECK_FAILS(mlpot_hbonds_find(&s, &opt, &l, &test_err), MLPOT_ERR_ARGUMENT, "angle");
    opt.angle = 181;
    CHECK_FAILS(mlpot_hbonds_find(&s, &opt, &l, &test_err), MLPOT_ERR_ARGUMENT, "angle");
    mlpot_hbond_list_free(&l);
    mlpot_structure_free(&s);
}

/* One dimer whose bond exists in frames {2,3,4,5} and {8,9,10} of 14 (the acceptor at 4 Å
 * otherwise), dt = 2 fs. */
static const int ON[14] = {0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0};

static void test_lifetimes(void)
{
    mlpot_trajectory t;
    mlpot_trajectory_init(&t);
    mlpot_structure s;
    mlpot_structure_init(&s);
    for (int f = 0; f < 14; ++f) {
        dimer(&s, ON[f] ? 2.9 : 4.0, 0, MIDDLE, CUBE20);
        CHECK_OK(mlpot_trajectory_append(&t, &s, &test_err));
    }
    mlpot_hbond_options opt;
    mlpot_hbond_options_default(&opt);
    opt.dt = 2;
    opt.max_lag = 4;
    mlpot_hbond_result r;
    mlpot_hbond_result_init(&r);
    CHECK_OK(mlpot_hbonds(&t, &opt, &r, &test_err));
    for (int f = 0; f < 14; ++f) CHECK(r.count[f] == ON[f], "frame %d: %ld bonds", f, r.count[f]);
    CHECK(r.n_pairs == 1 && r.pair[0] == 8 && r.pair[1] == 8, "one pair O-O");
    CHECK(r.n_donor_atoms == 2 && r.n_distinct == 1, "2 donors, 1 distinct bond");
    /* by hand: origins on frames {2,3,4,5,8,9,10}; pairs of on frames τ apart: 7, 5, 3, 2, 2;
     * uninterrupted: stretches of 4 and 3 give 7, 5, 3, 1, 0; origins valid at τ = 4: 6 */
    const double ci[5] = {1, 5.0 / 7, 3.0 / 7, 2.0 / 7, 2.0 / 6};
    const double cc[5] = {1, 5.0 / 7, 3.0 / 7, 1.0 / 7, 0};
    CHECK(r.n_lags == 5, "lags %ld", r.n_lags);
    printf("lifetimes: mean stretch %.4g fs over %ld stretches (expected 7 fs, 2); C_I", r.lifetime, r.n_runs);
    for (long k = 0; k < r.n_lags && k < 5; ++k) {
        printf(" %.4f", r.c_intermittent[k]);
        CHECK_CLOSE(r.c_intermittent[k], ci[k], 1e-12, "C_intermittent");
        CHECK_CLOSE(r.c_continuous[k], cc[k], 1e-12, "C_continuous");
    }
    printf("; C_C");
    for (long k = 0; k < r.n_lags && k < 5; ++k) printf(" %.4f", r.c_continuous[k]);
    printf("; tau_C %.4f fs, tau_I %.4f fs\n", r.tau_continuous, r.tau_intermittent);
    CHECK_CLOSE(r.lifetime, 7.0, 1e-12, "mean continuous lifetime");
    CHECK(r.n_runs == 2, "two stretches (%ld)", r.n_runs);
    CHECK_CLOSE(r.tau_continuous, 2 * (0.5 + 9.0 / 7), 1e-12, "integrated continuous");
    CHECK_CLOSE(r.tau_intermittent, 2 * (0.5 + 10.0 / 7 + 1.0 / 6), 1e-12, "integrated intermittent");

    /* the same frames as two runs cut after frame 3: the stretch {2,3,4,5} becomes {2,3} and
     * {4,5} (never correlated across the cut) */
    mlpot_trajectory u;
    mlpot_trajectory_init(&u);
    for (int f = 0; f < 14; ++f) {
        if (f == 4) mlpot_trajectory_new_segment(&u);
        dimer(&s, ON[f] ? 2.9 : 4.0, 0, MIDDLE, CUBE20);
        CHECK_OK(mlpot_trajectory_append(&u, &s, &test_err));
    }
    opt.max_lag = 1;
    CHECK_OK(mlpot_hbonds(&u, &opt, &r, &test_err));
    /* τ = 1: pairs (2,3), (4,5), (8,9), (9,10) = 4 over the 6 origins with a frame after them in
     * their run (3, the last of the first run, has none) */
    CHECK(r.n_runs == 3, "segments cut a stretch: %ld stretches", r.n_runs);
    CHECK_CLOSE(r.lifetime, 2.0 * 7 / 3, 1e-12, "lifetime with a cut");
    CHECK_CLOSE(r.c_intermittent[1], 4.0 / 6, 1e-12, "C_I(1) with a cut");

    /* donors only of a species the trajectory lacks: refused */
    opt.donor[8] = 0;
    CHECK_FAILS(mlpot_hbonds(&t, &opt, &r, &test_err), MLPOT_ERR_ARGUMENT, "donor");
    mlpot_hbond_result_free(&r);
    mlpot_trajectory_free(&u);
    mlpot_trajectory_free(&t);
    mlpot_structure_free(&s);
}

int main(void)
{
    test_dimer();
    test_lifetimes();
    return test_finish("test_hbonds");
}
