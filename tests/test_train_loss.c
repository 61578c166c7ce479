/* The training loss's gradient with respect to the network parameters against central finite
 * differences of the loss: energy, force and stress terms, for every kind of symmetry function
 * (generated exponential sets, and weighted and polynomial ones) and smooth activations. The
 * force and stress terms go through the tangent of the symmetry functions and the second
 * derivative of the network, the parts most easily got wrong. The batcher gives the same loss
 * and gradient with and without kept per-structure data, also when its table of kept data
 * grows in the middle of a batch. The Kalman filter's per-label Jacobians (energy per atom, one
 * force component, one stress component) agree with finite differences of the predictions, and its update is
 * recursive least squares: on a linear model it ends at the closed-form ridge solution. The
 * moving average of the parameters (training.ema_decay), updated step by step, equals the
 * normalised weighted sum of all steps, the first step included with its full weight. */
#include "harness.h"

#include "core/rng.h"
#include "train/batch.h"
#include "train/checkpoint.h"
#include "train/kalman.h"
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
    CHECK_OK(train_model_build(m, elements, 2, lines, n_lines, cutoff_type, alpha, hidden, n_hidden, activation, ACSF_SCALE_CENTER, -1.0,
                               1.0,
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
    train_weights w = {1.0 / (0.05 * 0.05), 1.0 / (0.3 * 0.3), 1.0 / (0.02 * 0.02), 1, 1, TRAIN_STAGE_ENERGY, 0.0, {0}};
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
                            term == 2, TRAIN_STAGE_ENERGY, 0.0, {0}};
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

/* d(prediction)/dθ of the energy per atom, of force components and of stress components (diagonal
 * and off-diagonal) against central differences of the prediction (reference − the error
 * train_structure_jacobian returns). */
static void check_jacobian(char **lines, int n_lines)
{
    mlpot_structure s[N_STRUCT];
    make_structures(s, 11);
    const int hidden[2] = {6, 5};
    nnp_model m;
    const mlpot_structure *ps[N_STRUCT] = {&s[0], &s[1], &s[2]};
    size_t offsets[3];
    const size_t np = setup_model(&m, lines, n_lines, 6, 0.0, hidden, 2, NN_TANH, ps, N_STRUCT, offsets);
    double *theta = calloc(np, sizeof *theta), *jac = calloc(np, sizeof *jac), *tp = calloc(np, sizeof *tp);
    double *dir = calloc(np, sizeof *dir);
    train_model_get(&m, offsets, theta);
    for (size_t k = 0; k < np; ++k) theta[k] *= 1.5;
    train_weights w = {1.0, 1.0, 1.0, 1, 0, TRAIN_STAGE_ENERGY, 0.0, {0}};
    train_workspace ws;
    train_workspace_init(&ws);
    unsigned long long seed = 5;
    const long n3 = 3L * s[1].n_atoms; /* stress components follow the forces: xx yy zz yz xz xy */
    const long components[7] = {-1, 0, 7, n3 - 1, n3, n3 + 3, n3 + 5};
    for (int c = 0; c < 7; ++c) {
        const mlpot_structure *st = &s[1];
        double e0, up, down;
        train_model_set(&m, offsets, theta);
        CHECK_OK(train_structure_jacobian(&m, offsets, st, NULL, &w, components[c], &ws, &e0, jac, &test_err));
        double worst = 0.0, scale = 0.0;
        for (int trial = 0; trial < 4; ++trial) {
            for (size_t k = 0; k < np; ++k) dir[k] = test_random(&seed) - 0.5;
            const double h = 1e-6;
            for (size_t k = 0; k < np; ++k) tp[k] = theta[k] + h * dir[k];
            train_model_set(&m, offsets, tp);
            CHECK_OK(train_structure_jacobian(&m, offsets, st, NULL, &w, components[c], &ws, &up, NULL, &test_err));
            for (size_t k = 0; k < np; ++k) tp[k] = theta[k] - h * dir[k];
            train_model_set(&m, offsets, tp);
            CHECK_OK(train_structure_jacobian(&m, offsets, st, NULL, &w, components[c], &ws, &down, NULL, &test_err));
            double fd = -(up - down) / (2 * h), an = 0.0;
            for (size_t k = 0; k < np; ++k) an += jac[k] * dir[k];
            worst = fmax(worst, fabs(fd - an)), scale = fmax(scale, fabs(an));
        }
        CHECK(worst <= 1e-6 * scale && scale > 1e-3, "Jacobian of label %ld: differs from finite differences by %.3g (of %.3g)",
              components[c], worst, scale);
        printf("  Jacobian of label %ld: finite differences agree to %.2g of %.3g\n", components[c], worst, scale);
    }
    /* the stress labels are the stress: σ_ab = (1/V) dE/dε_ab by central differences of the
     * energy under a symmetric strain, in the Voigt order the labels claim (and ASE's sign) */
    {
        mlpot_structure *st = &s[1];
        static const int va[6] = {0, 1, 2, 1, 0, 0}, vb[6] = {0, 1, 2, 2, 2, 1};
        const int n = st->n_atoms;
        double *x0 = malloc(3 * (size_t)n * sizeof *x0), c0[3][3];
        memcpy(x0, st->positions, 3 * (size_t)n * sizeof *x0), memcpy(c0, st->cell, sizeof c0);
        train_model_set(&m, offsets, theta);
        const double volume = mlpot_structure_volume(st);
        double worst = 0.0, biggest = 0.0;
        for (int k = 0; k < 6; ++k) {
            double e_k, energy[2];
            CHECK_OK(train_structure_jacobian(&m, offsets, st, NULL, &w, n3 + k, &ws, &e_k, NULL, &test_err));
            const double predicted = st->stress[3 * va[k] + vb[k]] - e_k, h = 1e-5;
            for (int side = 0; side < 2; ++side) {
                double f[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, e_per_atom;
                const double d = side ? -h : h;
                f[va[k]][vb[k]] += va[k] == vb[k] ? d : 0.5 * d, f[vb[k]][va[k]] += va[k] == vb[k] ? 0.0 : 0.5 * d;
                for (int r = 0; r < 3; ++r)
                    for (int a = 0; a < 3; ++a) st->cell[r][a] = f[a][0] * c0[r][0] + f[a][1] * c0[r][1] + f[a][2] * c0[r][2];
                for (int i = 0; i < n; ++i)
                    for (int a = 0; a < 3; ++a)
                        st->positions[3 * i + a] = f[a][0] * x0[3 * i] + f[a][1] * x0[3 * i + 1] + f[a][2] * x0[3 * i + 2];
                CHECK_OK(train_structure_jacobian(&m, offsets, st, NULL, &w, -1, &ws, &e_per_atom, NULL, &test_err));
                energy[side] = st->energy - n * e_per_atom; /* the error is reference − prediction */
            }
            memcpy(st->positions, x0, 3 * (size_t)n * sizeof *x0), memcpy(st->cell, c0, sizeof c0);
            const double fd = (energy[0] - energy[1]) / (2 * h) / volume;
            worst = fmax(worst, fabs(fd - predicted)), biggest = fmax(biggest, fabs(predicted));
        }
        CHECK(worst <= 1e-6 * biggest && biggest > 1e-3,
              "stress labels: %.3g from the strain derivative of the energy (largest component %.3g)", worst, biggest);
        printf("  stress components against the strain derivative of the energy: %.2g of %.3g\n", worst, biggest);
        free(x0);
    }
    double e;
    CHECK(train_structure_jacobian(&m, offsets, &s[1], NULL, &w, n3 + 6, &ws, &e, jac, &test_err) == MLPOT_ERR_ARGUMENT,
          "a label past the last stress component is refused");
    s[1].pbc[2] = 0;
    CHECK(train_structure_jacobian(&m, offsets, &s[1], NULL, &w, n3, &ws, &e, jac, &test_err) == MLPOT_ERR_ARGUMENT,
          "the stress of a cell that is not periodic is refused");
    s[1].pbc[2] = 1;
    train_workspace_free(&ws);
    free(theta), free(jac), free(tp), free(dir);
    nnp_model_free(&m);
    for (int q = 0; q < N_STRUCT; ++q) mlpot_structure_free(&s[q]);
}

/* With q = 0 and a constant η the filter is recursive least squares: after measurements y_k of
 * h_k·θ it holds θ = (ε I + η Σ h hᵀ)⁻¹ (ε θ0 + η Σ h y), solved here by Gaussian elimination,
 * whether the measurements come one at a time or `batch` per update (all at the same θ). With
 * measurements that each touch one block, the decoupled filter is the global one. Blocks of
 * n0 and n1 parameters: sizes past eight rows and batches past eight measurements take the
 * filter's eight-row kernels, with rows and measurements left over. */
static void check_kalman(int n0, int n1, int batch, int n_measurements)
{
    const int np = n0 + n1;
    const size_t offsets[3] = {0, (size_t)n0, (size_t)np};
    const double eps = 0.5, eta = 3.0;
    train_kalman global, split, batched;
    CHECK(train_kalman_init(&global, offsets, 2, 0, 1) && train_kalman_init(&split, offsets, 2, 1, 1) &&
              train_kalman_init(&batched, offsets, 2, 0, batch),
          "Kalman setup");
    CHECK(train_kalman_size(&global) == (size_t)(np * np) && train_kalman_size(&split) == (size_t)(n0 * n0 + n1 * n1),
          "covariance sizes %zu, %zu", train_kalman_size(&global), train_kalman_size(&split));
    double *Pg = malloc((size_t)(np * np) * sizeof *Pg), *Ps = malloc((size_t)(n0 * n0 + n1 * n1) * sizeof *Ps);
    double *Pb = malloc((size_t)(np * np) * sizeof *Pb), *theta = malloc(4 * (size_t)np * sizeof *theta);
    double *A = malloc((size_t)(np * (np + 1)) * sizeof *A), *hb = malloc((size_t)(batch * np) * sizeof *hb);
    double *xb = malloc((size_t)batch * sizeof *xb), *h = malloc((size_t)np * sizeof *h);
    double *ridge = malloc((size_t)np * sizeof *ridge);
    double *tg = theta, *ts = theta + np, *tb = theta + 2 * np, *t0 = theta + 3 * np;
#define A_(i, j) A[(size_t)(i) * (size_t)(np + 1) + (size_t)(j)]
    unsigned long long seed = 17;
    for (int k = 0; k < np; ++k) tg[k] = ts[k] = tb[k] = t0[k] = test_random(&seed) - 0.5;
    train_kalman_reset(&global, Pg, eps);
    train_kalman_reset(&split, Ps, eps);
    train_kalman_reset(&batched, Pb, eps);
    for (int i = 0; i < np; ++i)
        for (int j = 0; j <= np; ++j) A_(i, j) = i == j ? eps : 0.0;
    for (int i = 0; i < np; ++i) A_(i, np) = eps * t0[i];
    int accepted = 1;
    for (int k = 0; k < n_measurements; ++k) {
        const double y = test_random(&seed) - 0.5;
        const int block = k % 2;
        memset(h, 0, (size_t)np * sizeof *h);
        for (size_t j = offsets[block]; j < offsets[block + 1]; ++j) h[j] = test_random(&seed) - 0.5;
        double pg = 0.0, ps = 0.0, pb = 0.0;
        for (int j = 0; j < np; ++j) pg += h[j] * tg[j], ps += h[j] * ts[j], pb += h[j] * tb[j];
        double eg = y - pg, es = y - ps;
        accepted &= train_kalman_update(&global, Pg, tg, h, &eg, 1, eta, 0.0) == 1;
        accepted &= train_kalman_update(&split, Ps, ts, h, &es, 1, eta, 0.0) == 1;
        memcpy(hb + (size_t)(k % batch) * (size_t)np, h, (size_t)np * sizeof *h), xb[k % batch] = y - pb;
        if (k % batch == batch - 1) accepted &= train_kalman_update(&batched, Pb, tb, hb, xb, batch, eta, 0.0) == 1;
        for (int i = 0; i < np; ++i) {
            for (int j = 0; j < np; ++j) A_(i, j) += eta * h[i] * h[j];
            A_(i, np) += eta * h[i] * y;
        }
    }
    CHECK(accepted, "every update accepted (%d + %d parameters, %d per batch)", n0, n1, batch);
    for (int c = 0; c < np; ++c) /* A is symmetric positive definite: no pivoting */
        for (int r = c + 1; r < np; ++r) {
            const double f = A_(r, c) / A_(c, c);
            for (int j = c; j <= np; ++j) A_(r, j) -= f * A_(c, j);
        }
    for (int r = np - 1; r >= 0; --r) {
        double v = A_(r, np);
        for (int j = r + 1; j < np; ++j) v -= A_(r, j) * ridge[j];
        ridge[r] = v / A_(r, r);
    }
#undef A_
    train_kalman_flush(&global, Pg), train_kalman_flush(&split, Ps), train_kalman_flush(&batched, Pb);
    double worst_g = 0.0, worst_s = 0.0, worst_b = 0.0;
    for (int k = 0; k < np; ++k) {
        worst_g = fmax(worst_g, fabs(tg[k] - ridge[k])), worst_s = fmax(worst_s, fabs(ts[k] - tg[k]));
        worst_b = fmax(worst_b, fabs(tb[k] - ridge[k]));
    }
    CHECK(worst_g < 1e-10, "the Kalman filter differs from the ridge solution by %.3g", worst_g);
    CHECK(worst_b < 1e-10, "the batched Kalman filter differs from the ridge solution by %.3g", worst_b);
    CHECK(worst_s < 1e-12, "the decoupled filter differs from the global one on block-separable measurements by %.3g",
          worst_s);
    int symmetric = 1;
    for (int i = 0; i < np; ++i)
        for (int j = 0; j < np; ++j)
            symmetric &= Pb[i * np + j] == Pb[j * np + i] && Pg[i * np + j] == Pg[j * np + i];
    CHECK(symmetric, "the covariance stays exactly symmetric");
    printf("  Kalman filter (%d + %d parameters) vs ridge solution: %.2g (one per update), %.2g (%d per update); "
           "decoupled vs global: %.2g\n",
           n0, n1, worst_g, worst_b, batch, worst_s);
    double bad = NAN;
    CHECK(train_kalman_update(&global, Pg, tg, Pg, &bad, 1, eta, 0.0) == 0, "a NaN error is refused");
    train_kalman_free(&global), train_kalman_free(&split), train_kalman_free(&batched);
    free(Pg), free(Ps), free(Pb), free(theta), free(A), free(hb), free(xb), free(h), free(ridge);
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
    train_weights w = {1.0, 1.0, 1.0, 1, 0, TRAIN_STAGE_ENERGY, 0.0, {0}};
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
        double losses[N];
        for (int pass = 0; pass < 3; ++pass) {
            memset(&metrics, 0, sizeof metrics);
            memset(grad[keep], 0, np * sizeof(double));
            CHECK_OK(train_batch(&b, ps, pass ? NULL : last, pass ? N : 100, &metrics, grad[keep], pass ? losses : NULL,
                                 &test_err));
        }
        loss[keep] = metrics.loss;
        /* the per-structure losses (what the median selection ranks) add up to the batch's */
        double sum = 0.0, largest = 0.0, smallest = INFINITY;
        for (int q = 0; q < N; ++q)
            sum += ps[q]->weight * losses[q], largest = fmax(largest, losses[q]), smallest = fmin(smallest, losses[q]);
        CHECK(fabs(sum - metrics.loss) <= 1e-12 * metrics.loss && smallest >= 0 && largest > smallest,
              "per-structure losses: sum %.17g vs the batch's %.17g, range %g..%g", sum, metrics.loss, smallest, largest);
        train_batcher_free(&b);
    }
    CHECK(loss[0] == loss[1] && !memcmp(grad[0], grad[1], np * sizeof(double)),
          "batcher with kept data: loss %.17g vs %.17g without", loss[1], loss[0]);
    free(grad[0]), free(grad[1]);
    nnp_model_free(&m);
    for (int q = 0; q < N; ++q) mlpot_structure_free(&s[q]);
}

/* The recursive, bias-corrected average against Σ_j d^(k-j) θ_j / Σ_j d^(k-j) over a random walk. */
static void check_average(void)
{
    enum { P = 3, STEPS = 50 };
    const double decay = 0.9;
    train_state s;
    CHECK_OK(train_state_init(&s, P, &test_err));
    double history[STEPS][P];
    rng r;
    rng_seed(&r, 11, 0);
    for (int k = 0; k < STEPS; ++k) {
        for (int p = 0; p < P; ++p) s.theta[p] = history[k][p] = (k ? history[k - 1][p] : 0.0) + rng_uniform(&r) - 0.5;
        train_state_average(&s, decay);
        for (int p = 0; p < P; ++p) {
            double num = 0.0, den = 0.0;
            for (int j = 0; j <= k; ++j) num += pow(decay, k - j) * history[j][p], den += pow(decay, k - j);
            CHECK_CLOSE(s.average[p], num / den, 1e-12, "moving average of the parameters");
        }
    }
    train_state_free(&s);
}

/* model.radial_r_lower: auto. The closest pair of a periodic, sheared cell whose two closest
 * atoms meet across the boundary (through a lattice image), against a brute-force search over
 * images; then the automatic grid puts that pair on its second centre. */
static void check_auto_r_lower(void)
{
    mlpot_structure s[2];
    for (int q = 0; q < 2; ++q) mlpot_structure_init(&s[q]);
    CHECK_OK(mlpot_structure_resize(&s[0], 3, &test_err));
    CHECK_OK(mlpot_structure_resize(&s[1], 2, &test_err));
    const double cell[3][3] = {{3.6, 0, 0}, {0.7, 3.4, 0}, {0.3, -0.4, 3.9}};
    const double x0[9] = {0.1, 0.2, 0.15, 3.35, 1.9, 2.0, 1.7, 3.3, 3.7};
    memcpy(s[0].cell, cell, sizeof cell);
    memcpy(s[0].positions, x0, sizeof x0);
    for (int k = 0; k < 3; ++k) s[0].pbc[k] = 1, s[0].numbers[k] = 28;
    /* an open pair 2.5 Å apart: farther than the periodic cell's closest */
    const double x1[6] = {0, 0, 0, 1.5, 2.0, 0};
    memcpy(s[1].positions, x1, sizeof x1);
    s[1].numbers[0] = s[1].numbers[1] = 28;
    double expect = INFINITY;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int a = -2; a <= 2; ++a)
                for (int b = -2; b <= 2; ++b)
                    for (int c = -2; c <= 2; ++c) {
                        if (i == j && !a && !b && !c) continue;
                        double d2 = 0;
                        for (int x = 0; x < 3; ++x) {
                            double d = x0[3 * j + x] - x0[3 * i + x] + a * cell[0][x] + b * cell[1][x] + c * cell[2][x];
                            d2 += d * d;
                        }
                        if (sqrt(d2) < expect) expect = sqrt(d2);
                    }
    const mlpot_structure *set[2] = {&s[0], &s[1]};
    double closest = 0;
    CHECK_OK(sf_closest_pair(set, 2, 5.2, &closest, &test_err));
    CHECK_CLOSE(closest, expect, 1e-12, "closest pair through the lattice images");
    CHECK(expect < 2.5, "the periodic cell's closest pair (%g Å) is the set's", expect);
    CHECK_OK(sf_closest_pair(set + 1, 1, 2.0, &closest, &test_err));
    CHECK(closest == 2.0, "no pair within the cutoff: the cutoff (%g)", closest);
    const double r_lower = sf_auto_r_lower(expect, 5.2, 16), delta = (5.2 - r_lower) / 16;
    CHECK_CLOSE(r_lower + delta, expect, 1e-12, "auto r_lower: the closest pair on the second centre");
    CHECK(r_lower > 0 && r_lower < expect, "auto r_lower %g below the closest pair", r_lower);
    CHECK(sf_auto_r_lower(0.3, 6.0, 8) == 0.0, "auto r_lower is never negative");
    for (int q = 0; q < 2; ++q) mlpot_structure_free(&s[q]);
}

int main(void)
{
    check_average();
    check_auto_r_lower();
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
    check_jacobian(lines, n);
    check_kalman(5, 4, 4, 40);
    check_kalman(27, 19, 16, 192);
    check_kalman(21, 12, 11, 198);
    for (int k = 0; k < n; ++k) free(lines[k]);
    free(lines);
    /* the shifted angular grid: centres 0.6 and 2.3 Å, widths their spacing 1.7 Å */
    grid.angular_shifted = 1;
    CHECK_OK(sf_generate(&grid, elements, 2, &lines, &n, &test_err));
    int shifted = 0;
    for (int k = 0; k < n; ++k) {
        double eta, rs, zeta, rc;
        int lambda;
        char e0[4], e1[4], e2[4];
        if (sscanf(lines[k], "%3s 3 %3s %3s %lf %d %lf %lf %lf", e0, e1, e2, &eta, &lambda, &zeta, &rc, &rs) == 8)
            shifted += (fabs(rs - 0.6) < 1e-12 || fabs(rs - 2.3) < 1e-12) && fabs(eta - 1.0 / (2 * 1.7 * 1.7)) < 1e-12;
    }
    CHECK(n == 2 * (2 * 3 + 3 * 2 * 2 * 2) && shifted == 2 * 3 * 2 * 2 * 2,
          "shifted angular grid: %d functions, %d angular ones with the grid's centres and width", n, shifted);
    check_gradient(lines, n, 6, 0.0, NN_TANH, "generated set, shifted angular grid");
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
