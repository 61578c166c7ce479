/* The training loss's gradient with respect to the network parameters against central finite
 * differences of the loss: energy, force and stress terms, for every kind of symmetry function
 * (generated exponential sets, and weighted and polynomial ones) and smooth activations. The
 * force and stress terms go through the tangent of the symmetry functions and the second
 * derivative of the network, the parts most easily got wrong. The batcher gives the same loss
 * and gradient with and without kept per-structure data, also when its table of kept data
 * grows in the middle of a batch. */
#include "harness.h"

#include "core/rng.h"
#include "train/batch.h"
#include "train/loss.h"
#include "train/model_setup.h"
#include "train/sf_generate.h"

#define N_STRUCT 3

static void make_structures(mlpot_structure *s, unsigned long long seed)
{
    const double cell[9] = {6.2, 0.0, 0.0, 0.4, 5.9, 0.0, -0.3, 0.5, 6.4};
    const int pbc[3] = {1, 1, 1}, species[2] = {1, 8};
    for (int q = 0; q < N_STRUCT; ++q) {
        mlpot_structure_init(&s[q]);
        test_random_structure(&s[q], 7 + q, species, 2, cell, pbc, 0.9, seed + (unsigned long long)q);
        CHECK_OK(mlpot_structure_add_label(&s[q], MLPOT_LABEL_ENERGY, &test_err));
        CHECK_OK(mlpot_structure_add_label(&s[q], MLPOT_LABEL_FORCES, &test_err));
        CHECK_OK(mlpot_structure_add_label(&s[q], MLPOT_LABEL_STRESS, &test_err));
        s[q].energy = -3.0 * s[q].n_atoms + test_random(&seed);
        for (int k = 0; k < 3 * s[q].n_atoms; ++k) s[q].forces[k] = test_random(&seed) - 0.5;
        for (int k = 0; k < 9; ++k) s[q].stress[k] = 0.01 * (test_random(&seed) - 0.5);
        for (int a = 0; a < 3; ++a) /* symmetric */
            for (int b = 0; b < a; ++b) s[q].stress[3 * a + b] = s[q].stress[3 * b + a];
    }
}

/* An H-O model on the given functions with statistics, reference energies and initial
 * parameters from the structures; returns the parameter count. */
static size_t setup_model(nnp_model *m, char **lines, int n_lines, int cutoff_type, double alpha, const int *hidden,
                          int n_hidden, int activation, const mlpot_structure *const *ps, size_t n, size_t *offsets)
{
    const int elements[2] = {1, 8};
    CHECK_OK(train_model_build(m, elements, 2, lines, n_lines, cutoff_type, alpha, hidden, n_hidden, activation, -1.0, 1.0,
                               &test_err));
    CHECK_OK(train_model_statistics(m, ps, n, NULL, &test_err));
    CHECK_OK(train_model_reference_energies(m, ps, n, NULL, NULL, 0, NULL, &test_err));
    rng r;
    rng_seed(&r, 3, 0);
    train_model_init_params(m, &r);
    return train_model_offsets(m, offsets);
}

static double total_loss(nnp_model *m, const size_t *offsets, const double *theta, mlpot_structure *s,
                         const train_weights *w, train_workspace *ws, double *grad)
{
    train_model_set(m, offsets, theta);
    double loss = 0.0;
    for (int q = 0; q < N_STRUCT; ++q) {
        train_residuals r;
        CHECK_OK(train_structure(m, offsets, &s[q], NULL, w, 1.0, ws, &r, grad, &test_err));
        loss += r.loss;
    }
    return loss;
}

static void check_gradient(char **lines, int n_lines, int cutoff_type, double alpha, int activation, const char *what)
{
    mlpot_structure s[N_STRUCT];
    make_structures(s, 7);
    const int hidden[2] = {6, 5};
    nnp_model m;
    const mlpot_structure *ps[N_STRUCT] = {&s[0], &s[1], &s[2]};
    size_t offsets[3];
    const size_t np = setup_model(&m, lines, n_lines, cutoff_type, alpha, hidden, 2, activation, ps, N_STRUCT, offsets);
    /* larger output weights than the initial 0.1 scale, so that every term is sizeable */
    double *theta = calloc(np, sizeof *theta), *grad = calloc(np, sizeof *grad), *dummy = calloc(np, sizeof *dummy);
    train_model_get(&m, offsets, theta);
    for (size_t k = 0; k < np; ++k) theta[k] *= 1.5;
    train_weights w = {1.0 / (0.05 * 0.05), 1.0 / (0.3 * 0.3), 1.0 / (0.02 * 0.02), 1, 1, TRAIN_STAGE_ENERGY, 0.0};
    train_workspace ws;
    train_workspace_init(&ws);
    memset(grad, 0, np * sizeof *grad);
    (void)total_loss(&m, offsets, theta, s, &w, &ws, grad);
    /* directional derivatives along random directions and a few coordinates */
    unsigned long long seed = 99;
    double worst = 0.0, scale = 0.0;
    for (int trial = 0; trial < 6 + 4; ++trial) {
        double *dir = calloc(np, sizeof *dir);
        if (trial < 6)
            for (size_t k = 0; k < np; ++k) dir[k] = test_random(&seed) - 0.5;
        else
            dir[(size_t)(test_random(&seed) * (double)np)] = 1.0;
        const double h = 1e-6;
        double *tp = calloc(np, sizeof *tp);
        for (size_t k = 0; k < np; ++k) tp[k] = theta[k] + h * dir[k];
        double up = total_loss(&m, offsets, tp, s, &w, &ws, NULL);
        for (size_t k = 0; k < np; ++k) tp[k] = theta[k] - h * dir[k];
        double down = total_loss(&m, offsets, tp, s, &w, &ws, NULL);
        double fd = (up - down) / (2 * h), an = 0.0;
        for (size_t k = 0; k < np; ++k) an += grad[k] * dir[k];
        worst = fmax(worst, fabs(fd - an));
        scale = fmax(scale, fabs(an));
        free(tp), free(dir);
    }
    CHECK(worst <= 2e-6 * scale, "%s: loss gradient differs from finite differences by %.3g (of %.3g)", what, worst, scale);
    CHECK(scale > 1.0, "%s: the gradient is too small (%.3g) for the check to mean anything", what, scale);
    /* each term alone, so that one cannot hide behind another */
    for (int term = 0; term < 3; ++term) {
        train_weights wt = {term == 0 ? w.energy : 0.0, term == 1 ? w.force : 0.0, term == 2 ? w.stress : 0.0, term == 1,
                            term == 2, TRAIN_STAGE_ENERGY, 0.0};
        memset(grad, 0, np * sizeof *grad);
        (void)total_loss(&m, offsets, theta, s, &wt, &ws, grad);
        double *dir = calloc(np, sizeof *dir), *tp = calloc(np, sizeof *tp);
        for (size_t k = 0; k < np; ++k) dir[k] = test_random(&seed) - 0.5;
        const double h = 1e-6;
        for (size_t k = 0; k < np; ++k) tp[k] = theta[k] + h * dir[k];
        double up = total_loss(&m, offsets, tp, s, &wt, &ws, NULL);
        for (size_t k = 0; k < np; ++k) tp[k] = theta[k] - h * dir[k];
        double down = total_loss(&m, offsets, tp, s, &wt, &ws, NULL);
        double fd = (up - down) / (2 * h), an = 0.0;
        for (size_t k = 0; k < np; ++k) an += grad[k] * dir[k];
        CHECK(fabs(fd - an) <= 2e-6 * fabs(an) + 1e-9, "%s, term %d alone: %.12g (analytic) vs %.12g (FD)", what, term, an,
              fd);
        free(dir), free(tp);
    }
    train_workspace_free(&ws);
    free(theta), free(grad), free(dummy);
    nnp_model_free(&m);
    for (int q = 0; q < N_STRUCT; ++q) mlpot_structure_free(&s[q]);
}

/* 300 structures: the batcher's table of kept data (256 slots at first) grows while a chunk's
 * slots are being assigned; loss and gradient must equal those of a batcher keeping nothing. */
static void check_batcher(char **lines, int n_lines)
{
    enum { N = 300 };
    static mlpot_structure s[N];
    const mlpot_structure *ps[N];
    const double cell[9] = {6.0, 0, 0, 0, 6.0, 0, 0, 0, 6.0};
    const int pbc[3] = {1, 1, 1}, species[2] = {1, 8};
    unsigned long long seed = 17;
    for (int q = 0; q < N; ++q) {
        mlpot_structure_init(&s[q]);
        test_random_structure(&s[q], 3, species, 2, cell, pbc, 0.9, 1000 + (unsigned long long)q);
        CHECK_OK(mlpot_structure_add_label(&s[q], MLPOT_LABEL_ENERGY, &test_err));
        CHECK_OK(mlpot_structure_add_label(&s[q], MLPOT_LABEL_FORCES, &test_err));
        s[q].energy = -3.0 * s[q].n_atoms + test_random(&seed);
        for (int k = 0; k < 3 * s[q].n_atoms; ++k) s[q].forces[k] = test_random(&seed) - 0.5;
        ps[q] = &s[q];
    }
    const int hidden[1] = {4};
    nnp_model m;
    size_t offsets[3];
    const size_t np = setup_model(&m, lines, n_lines, 6, 0.0, hidden, 1, NN_TANH, ps, N, offsets);
    train_weights w = {1.0, 1.0, 1.0, 1, 0, TRAIN_STAGE_ENERGY, 0.0};
    double loss[2];
    double *grad[2] = {calloc(np, sizeof(double)), calloc(np, sizeof(double))};
    for (int keep = 0; keep < 2; ++keep) {
        train_batcher b;
        CHECK_OK(train_batcher_init(&b, &m, offsets, np, &w, keep ? (size_t)1 << 30 : 0, &test_err));
        train_metrics metrics;
        /* first the last 100 structures, so that the table fills up in the middle of a chunk
         * of the full passes; the second full pass reads what the first kept */
        size_t last[100];
        for (int q = 0; q < 100; ++q) last[q] = (size_t)(N - 100 + q);
        for (int pass = 0; pass < 3; ++pass) {
            memset(&metrics, 0, sizeof metrics);
            memset(grad[keep], 0, np * sizeof(double));
            CHECK_OK(train_batch(&b, ps, pass ? NULL : last, pass ? N : 100, &metrics, grad[keep], &test_err));
        }
        loss[keep] = metrics.loss;
        train_batcher_free(&b);
    }
    CHECK(loss[0] == loss[1] && !memcmp(grad[0], grad[1], np * sizeof(double)),
          "batcher with kept data: loss %.17g vs %.17g without", loss[1], loss[0]);
    free(grad[0]), free(grad[1]);
    nnp_model_free(&m);
    for (int q = 0; q < N; ++q) mlpot_structure_free(&s[q]);
}

int main(void)
{
    /* a generated set: radial type 2 and narrow angular type 3 */
    sf_grid grid = {.cutoff = 4.0, .r_lower = 0.6, .n_radial = 3, .n_eta = 2, .angular_type = 3, .n_zetas = 2, .zetas = {1, 4}};
    const int elements[2] = {1, 8};
    char **lines;
    int n;
    CHECK_OK(sf_generate(&grid, elements, 2, &lines, &n, &test_err));
    CHECK(n == 2 * (2 * 3 + 3 * 2 * 2 * 2), "generated %d functions", n);
    check_gradient(lines, n, 6, 0.0, NN_TANH, "generated set, poly2 cutoff, tanh");
    check_gradient(lines, n, 2, 0.0, NN_SOFTPLUS, "generated set, tanhU cutoff, softplus");
    check_batcher(lines, n);
    for (int k = 0; k < n; ++k) free(lines[k]);
    free(lines);
    /* wide, weighted and polynomial (compact) types */
    char *other[] = {"H 9 H O 0.2 1 2 4.0",     "O 9 O O 0.1 -1 1 4.0 0.5", "H 12 0.3 0.5 4.0",    "O 13 0.1 0.0 1 2 4.0",
                     "H 20 O 0.5 4.0 p2",      "O 20 H 0.0 3.5 p3",        "H 21 O H 0.0 4.0 0 180 p2",
                     "O 22 H H 0.5 4.0 30 150 p2", "H 23 0.2 4.0 p4",      "O 24 0.0 4.0 0 180 p2", "H 25 0.0 4.0 20 160 p3",
                     "H 2 H 0.5 1.0 4.0",      "O 2 O 0.5 1.0 4.0",        "O 2 H 0.5 1.0 4.0",   "H 2 O 0.5 1.0 4.0"};
    check_gradient(other, (int)(sizeof other / sizeof *other), 5, 0.1, NN_TANH, "wide, weighted and compact types");
    return test_finish("test_train_loss");
}
