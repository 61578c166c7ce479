/* Training 4G-HDNNPs (n2p2's two stages), on the shipped H2O_RPBE-D3_4G model and a 48-atom water
 * box of n2p2's RPBE-D3 configuration set (Hartree, Bohr, e):
 * - the charges' Jacobian dq/dx and dq/dε that the short-range stage keeps (nnp_4g_response)
 *   against central finite differences of the equilibrated charges; the electrostatic energy's
 *   forces and virial (charge response included) against finite differences of that energy;
 * - the forward passes of both stages reproduce the model: train_structure with the model's own
 *   short-range networks gives the potential's energy, forces and stress, and the charges stage
 *   with its electronegativity networks and hardnesses gives its charges;
 * - the loss gradients of both stages (short-range networks; electronegativity networks and
 *   hardnesses) against finite differences of the loss, each term alone too. */
#include <string.h>

#include "harness.h"
#include "core/neighbours_internal.h"
#include "models/nnp_model.h"
#include "train/loss.h"
#include "train/model_setup.h"

#define MODEL "n2p2/examples/nnp-predict/H2O_RPBE-D3_4G"

/* The first frame of n2p2's water configuration set with `atoms` atoms. */
static mlpot_structure water_frame(int atoms)
{
    mlpot_io_options opt;
    mlpot_io_options_default(&opt);
    opt.format = MLPOT_FORMAT_N2P2;
    mlpot_reader *r = NULL;
    CHECK_OK(mlpot_reader_open(test_shared_path("n2p2/examples/configuration-sets/input.data.H2O_RPBE-D3"), &opt, &r,
                               &test_err));
    mlpot_structure s;
    mlpot_structure_init(&s);
    int done = 0;
    while (r && !done) {
        CHECK_OK(mlpot_reader_next(r, &s, &done, &test_err));
        if (!done && s.n_atoms == atoms) break;
    }
    mlpot_reader_close(r);
    CHECK(s.n_atoms == atoms, "no %d-atom frame", atoms);
    if (s.n_atoms != atoms) exit(test_finish("test_train_4g"));
    return s;
}

static void response(const nnp_model *m, const mlpot_structure *s, int want_dq, nnp_4g_response *r)
{
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    CHECK_OK(mlpot_neighbour_list_build(&nl, s, m->acsf.rmax, 0.0, MLPOT_NEIGHBOURS_FULL, &test_err));
    CHECK_OK(nnp_4g_response_compute(m, s, &nl, train_total_charge(s), want_dq, r, &test_err));
    mlpot_neighbour_list_free(&nl);
}

/* s with positions and cell under the symmetric strain ε_ab = ε_ba = h/2 (a == b: h). */
static void strain(mlpot_structure *s, int a, int b, double h)
{
    double e[9] = {0};
    e[3 * a + b] += 0.5 * h, e[3 * b + a] += 0.5 * h;
    for (int i = 0; i < s->n_atoms + 3; ++i) {
        double *x = i < s->n_atoms ? &s->positions[3 * i] : s->cell[i - s->n_atoms], y[3];
        for (int p = 0; p < 3; ++p) y[p] = x[p] + e[3 * p] * x[0] + e[3 * p + 1] * x[1] + e[3 * p + 2] * x[2];
        memcpy(x, y, sizeof y);
    }
}

static void check_response(const nnp_model *m, mlpot_structure *s, const mlpot_result *ref)
{
    nnp_4g_response r;
    response(m, s, 1, &r);
    const int n = s->n_atoms;
    const size_t cols = 3 * (size_t)n + 9;
    double dq_q = 0;
    for (int i = 0; i < n; ++i) dq_q = fmax(dq_q, fabs(r.q[i] - ref->charges[i]));
    CHECK(dq_q <= 1e-12, "charges of the response differ from the potential's by %.3g", dq_q);
    /* positions: every charge's derivative along a few coordinates, and the E_elec forces */
    const double h = 1e-4;
    double worst = 0, scale = 0, worst_f = 0, scale_f = 0;
    const int coords[] = {0, 4, 8, 3 * 17 + 1, 3 * 30 + 2, 3 * (n - 1)};
    for (size_t c = 0; c < sizeof coords / sizeof *coords; ++c) {
        const int k = coords[c];
        const double x0 = s->positions[k];
        nnp_4g_response up, down;
        s->positions[k] = x0 + h;
        response(m, s, 0, &up);
        s->positions[k] = x0 - h;
        response(m, s, 0, &down);
        s->positions[k] = x0;
        for (int i = 0; i < n; ++i) {
            const double fd = (up.q[i] - down.q[i]) / (2 * h), an = r.dq[(size_t)i * cols + (size_t)k];
            worst = fmax(worst, fabs(fd - an)), scale = fmax(scale, fabs(an));
        }
        const double fd_f = -(up.energy - down.energy) / (2 * h);
        worst_f = fmax(worst_f, fabs(fd_f - r.forces[k])), scale_f = fmax(scale_f, fabs(r.forces[k]));
        nnp_4g_response_free(&up), nnp_4g_response_free(&down);
    }
    printf("dq/dx vs finite differences: %.3g of %.3g; E_elec forces: %.3g of %.3g\n", worst, scale, worst_f, scale_f);
    CHECK(scale > 1e-3 && worst <= 1e-6 * scale, "dq/dx: %.3g off (of %.3g)", worst, scale);
    CHECK(scale_f > 1e-4 && worst_f <= 1e-6 * scale_f, "E_elec forces: %.3g off (of %.3g)", worst_f, scale_f);
    /* strain */
    const int pairs[][2] = {{0, 0}, {1, 1}, {0, 1}, {1, 2}};
    worst = scale = worst_f = scale_f = 0;
    for (int c = 0; c < 4; ++c) {
        const int a = pairs[c][0], b = pairs[c][1];
        mlpot_structure p;
        nnp_4g_response up, down;
        mlpot_structure_init(&p);
        CHECK_OK(mlpot_structure_copy(&p, s, &test_err));
        strain(&p, a, b, h);
        response(m, &p, 0, &up);
        CHECK_OK(mlpot_structure_copy(&p, s, &test_err));
        strain(&p, a, b, -h);
        response(m, &p, 0, &down);
        mlpot_structure_free(&p);
        for (int i = 0; i < n; ++i) {
            const double *w = r.dq + (size_t)i * cols + 3 * (size_t)n;
            const double fd = (up.q[i] - down.q[i]) / (2 * h), an = -0.5 * (w[3 * a + b] + w[3 * b + a]);
            worst = fmax(worst, fabs(fd - an)), scale = fmax(scale, fabs(an));
        }
        const double fd_w = -(up.energy - down.energy) / (2 * h), an_w = 0.5 * (r.virial[3 * a + b] + r.virial[3 * b + a]);
        worst_f = fmax(worst_f, fabs(fd_w - an_w)), scale_f = fmax(scale_f, fabs(an_w));
        nnp_4g_response_free(&up), nnp_4g_response_free(&down);
    }
    printf("dq/dstrain vs finite differences: %.3g of %.3g; E_elec virial: %.3g of %.3g\n", worst, scale, worst_f, scale_f);
    CHECK(scale > 1e-3 && worst <= 1e-6 * scale, "dq/dε: %.3g off (of %.3g)", worst, scale);
    CHECK(scale_f > 1e-3 && worst_f <= 1e-6 * scale_f, "E_elec virial: %.3g off (of %.3g)", worst_f, scale_f);
    nnp_4g_response_free(&r);
}

static double loss_at(const nnp_model *m, const size_t *offsets, const mlpot_structure *s, const train_weights *w,
                      train_workspace *ws, train_residuals *res, double *grad)
{
    train_residuals local;
    if (!res) res = &local;
    CHECK_OK(train_structure(m, offsets, s, NULL, w, 1.0, ws, res, grad, &test_err));
    return res->loss;
}

/* The loss gradient along random directions of θ (and of the hardnesses, charges stage) against
 * central differences. */
static void check_gradient(nnp_model *m, const mlpot_structure *s, const train_weights *w, train_workspace *ws,
                           const char *what)
{
    size_t offsets[8];
    const size_t nnet = train_model_offsets(m, offsets);
    const int ne = m->acsf.n_elements, charges = w->stage == TRAIN_STAGE_CHARGES;
    const size_t np = nnet + (charges ? (size_t)ne : 0);
    double *theta = calloc(np, sizeof *theta), *grad = calloc(np, sizeof *grad), *tp = calloc(np, sizeof *tp),
           *dir = calloc(np, sizeof *dir);
    train_model_get(m, offsets, theta);
    for (int e = 0; charges && e < ne; ++e) theta[nnet + (size_t)e] = m->elec.hardness[e];
    (void)loss_at(m, offsets, s, w, ws, NULL, grad);
    unsigned long long seed = 5;
    double worst = 0, scale = 0;
    for (int trial = 0; trial < 4; ++trial) {
        for (size_t k = 0; k < np; ++k) dir[k] = test_random(&seed) - 0.5;
        if (trial == 3) /* the hardnesses alone */
            for (size_t k = 0; k < nnet; ++k) dir[k] = 0.0;
        if (trial == 3 && !charges) break;
        const double h = 1e-6;
        double f[2];
        for (int side = 0; side < 2; ++side) {
            for (size_t k = 0; k < np; ++k) tp[k] = theta[k] + (side ? -h : h) * dir[k];
            train_model_set(m, offsets, tp);
            for (int e = 0; charges && e < ne; ++e) m->elec.hardness[e] = tp[nnet + (size_t)e];
            f[side] = loss_at(m, offsets, s, w, ws, NULL, NULL);
        }
        double fd = (f[0] - f[1]) / (2 * h), an = 0;
        for (size_t k = 0; k < np; ++k) an += grad[k] * dir[k];
        worst = fmax(worst, fabs(fd - an)), scale = fmax(scale, fabs(an));
    }
    train_model_set(m, offsets, theta);
    for (int e = 0; charges && e < ne; ++e) m->elec.hardness[e] = theta[nnet + (size_t)e];
    printf("%s: loss gradient vs finite differences %.3g of %.3g\n", what, worst, scale);
    CHECK(scale > 1.0 && worst <= 1e-5 * scale, "%s: loss gradient off by %.3g (of %.3g)", what, worst, scale);
    free(theta), free(grad), free(tp), free(dir);
}

int main(void)
{
    char folder[4096];
    snprintf(folder, sizeof folder, "%s", test_shared_path(MODEL));
    /* Ewald sums converged: the finite differences under strain re-derive the Ewald splitting
     * from the strained volume, the analytic derivative holds it fixed (as every Ewald code);
     * with the model's ewald_prec 1e-5 the two differ by ~1e-5 relative */
    mlpot_nnp_options opt = {0, 0, 0, 0.0, 1e-12};
    nnp_model m;
    CHECK_OK(nnp_model_load(folder, &opt, &m, &test_err));
    mlpot_structure s = water_frame(48);
    mlpot_potential *p = NULL;
    CHECK_OK(mlpot_nnp_load(folder, &opt, &p, &test_err));
    mlpot_result ref;
    mlpot_result_init(&ref);
    CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_CHARGES,
                                      &ref, &test_err));
    check_response(&m, &s, &ref);

    /* short-range stage, forward: the model's own networks reproduce the potential */
    const int n = s.n_atoms;
    const double volume = mlpot_structure_volume(&s);
    CHECK_OK(mlpot_structure_add_label(&s, MLPOT_LABEL_ENERGY, &test_err));
    CHECK_OK(mlpot_structure_add_label(&s, MLPOT_LABEL_FORCES, &test_err));
    CHECK_OK(mlpot_structure_add_label(&s, MLPOT_LABEL_STRESS, &test_err));
    CHECK_OK(mlpot_structure_add_label(&s, MLPOT_LABEL_CHARGES, &test_err));
    s.energy = ref.energy;
    memcpy(s.forces, ref.forces, 3 * (size_t)n * sizeof *s.forces);
    for (int x = 0; x < 9; ++x) s.stress[x] = -ref.virial[x] / volume;
    memcpy(s.charges, ref.charges, (size_t)n * sizeof *s.charges);
    size_t offsets[8];
    train_model_offsets(&m, offsets);
    train_weights w = {1.0 / (1e-4 * 1e-4), 1.0 / (1e-3 * 1e-3), 1.0 / (1e-6 * 1e-6), 1, 1, TRAIN_STAGE_ENERGY, 0.0, {0}};
    train_workspace ws;
    train_workspace_init(&ws);
    train_residuals res;
    (void)loss_at(&m, offsets, &s, &w, &ws, &res, NULL);
    const double f_rmse = sqrt(res.force_sq / (double)res.force_n), s_rmse = sqrt(res.stress_sq / res.stress_n);
    printf("short-range stage with the model's networks: energy %.3g Ha/atom, forces %.3g Ha/Bohr, stress %.3g Ha/Bohr^3 "
           "off the potential\n",
           res.energy_error, f_rmse, s_rmse);
    CHECK(fabs(res.energy_error) <= 1e-11 && f_rmse <= 1e-10 && s_rmse <= 1e-12,
          "train_structure on a 4G model differs from the potential: E %.3g, F %.3g, stress %.3g", res.energy_error, f_rmse,
          s_rmse);

    /* charges stage, forward: the model's electronegativities and hardnesses give its charges */
    nnp_model mc = m;
    mc.nets = m.elec.nets;
    size_t coff[8];
    train_model_offsets(&mc, coff);
    train_weights wq = {0, 0, 0, 0, 0, TRAIN_STAGE_CHARGES, 1.0 / (1e-3 * 1e-3), {0}};
    (void)loss_at(&mc, coff, &s, &wq, &ws, &res, NULL);
    const double q_rmse = sqrt(res.charge_sq / (double)res.charge_n);
    printf("charges stage with the model's networks: charges %.3g e off the potential\n", q_rmse);
    CHECK(res.charge_n == n && q_rmse <= 1e-12, "charges stage: %.3g e off (%ld charges)", q_rmse, res.charge_n);

    /* gradients, with labels away from the model so that every term is sizeable */
    unsigned long long seed = 11;
    s.energy += 0.05;
    for (int k = 0; k < 3 * n; ++k) s.forces[k] += 0.01 * (test_random(&seed) - 0.5);
    for (int x = 0; x < 9; ++x) s.stress[x] += 1e-5 * (test_random(&seed) - 0.5);
    for (int i = 0; i < n; ++i) s.charges[i] += 0.02 * (test_random(&seed) - 0.5);
    check_gradient(&m, &s, &w, &ws, "short-range stage, all terms");
    const char *names[3] = {"energy", "forces", "stress"};
    for (int term = 0; term < 3; ++term) {
        train_weights wt = {term == 0 ? w.energy : 0, term == 1 ? w.force : 0, term == 2 ? w.stress : 0, term == 1, term == 2,
                            TRAIN_STAGE_ENERGY, 0.0, {0}};
        char what[64];
        snprintf(what, sizeof what, "short-range stage, %s alone", names[term]);
        check_gradient(&m, &s, &wt, &ws, what);
    }
    check_gradient(&mc, &s, &wq, &ws, "charges stage");

    train_workspace_free(&ws);
    mlpot_result_free(&ref);
    mlpot_potential_free(p);
    mlpot_structure_free(&s);
    nnp_model_free(&m);
    return test_finish("test_train_4g");
}
