/* The feed-forward network's derivatives: the input gradient used for forces, and the
 * parameter gradients used in training (of the output, and of the input gradient along a
 * direction), against central finite differences, for every activation function, with and
 * without n2p2's normalize_nodes. */
#include "harness.h"

#include "models/network.h"

/* J = c·out + v·d(out)/d(input) at the network's current parameters. */
static double objective(const nn *net, const double *x, double c, const double *v, double *scratch)
{
    size_t n = nn_scratch_size(net);
    double *values = scratch, *d = values + n, *g = d + n, *work = g + n;
    double out = nn_forward(net, x, values, d);
    nn_input_gradient(net, values, d, g, work);
    double j = c * out;
    if (v)
        for (int k = 0; k < net->size[0]; ++k) j += v[k] * g[k];
    return j;
}

static void check_network(int activation, int normalize, unsigned long long seed)
{
    const int sizes[4] = {5, 7, 6, 1};
    int act[4] = {0, activation, activation, NN_IDENTITY};
    nn net;
    CHECK_OK(nn_create(&net, 4, sizes, act, normalize, &test_err));
    for (size_t k = 0; k < net.n_params; ++k) net.params[k] = 1.2 * (test_random(&seed) - 0.5);
    double x[5], v[5];
    for (int k = 0; k < 5; ++k) x[k] = test_random(&seed) * 2.0 - 1.0, v[k] = test_random(&seed) - 0.5;
    const double c = 0.7;
    size_t n = nn_scratch_size(&net);
    double *scratch = calloc(4 * n + nn_train_scratch_size(&net), sizeof *scratch);
    double *values = scratch, *d1 = values + n, *d2 = d1 + n, *work = d2 + n;
    double *grad = calloc(net.n_params, sizeof *grad), *grad_e = calloc(net.n_params, sizeof *grad_e);
    double out = nn_forward_train(&net, x, values, d1, d2);
    CHECK_CLOSE(out, objective(&net, x, 1.0, NULL, work), 1e-15, "forward passes agree");
    nn_param_gradient(&net, values, d1, d2, c, v, grad, work);
    nn_param_gradient(&net, values, d1, d2, 1.0, NULL, grad_e, work);
    /* input gradient against finite differences of the output */
    double g[5], *w2 = calloc(2 * n, sizeof *w2);
    (void)nn_forward(&net, x, values, d1);
    nn_input_gradient(&net, values, d1, g, w2);
    double worst_in = 0.0, worst_e = 0.0, worst_f = 0.0, scale = 1e-12;
    for (int k = 0; k < 5; ++k) {
        const double h = 1e-6, x0 = x[k];
        x[k] = x0 + h;
        double up = objective(&net, x, 1.0, NULL, work);
        x[k] = x0 - h;
        double down = objective(&net, x, 1.0, NULL, work);
        x[k] = x0;
        worst_in = fmax(worst_in, fabs((up - down) / (2 * h) - g[k]));
        scale = fmax(scale, fabs(g[k]));
    }
    CHECK(worst_in <= 1e-7 * scale + 1e-9, "activation %s: input gradient differs from FD by %.3g",
          nn_activation_letter(activation), worst_in);
    scale = 1e-12;
    double scale_e = 1e-12;
    for (size_t p = 0; p < net.n_params; ++p) {
        const double h = 1e-6, p0 = net.params[p];
        net.params[p] = p0 + h;
        double up = objective(&net, x, c, v, work), up_e = objective(&net, x, 1.0, NULL, work);
        net.params[p] = p0 - h;
        double down = objective(&net, x, c, v, work), down_e = objective(&net, x, 1.0, NULL, work);
        net.params[p] = p0;
        worst_f = fmax(worst_f, fabs((up - down) / (2 * h) - grad[p]));
        worst_e = fmax(worst_e, fabs((up_e - down_e) / (2 * h) - grad_e[p]));
        scale = fmax(scale, fabs(grad[p]));
        scale_e = fmax(scale_e, fabs(grad_e[p]));
    }
    CHECK(worst_e <= 1e-7 * scale_e, "activation %s normalize %d: d(out)/dθ differs from FD by %.3g (of %.3g)",
          nn_activation_letter(activation), normalize, worst_e, scale_e);
    CHECK(worst_f <= 1e-7 * scale, "activation %s normalize %d: d(c out + v·∇out)/dθ differs from FD by %.3g (of %.3g)",
          nn_activation_letter(activation), normalize, worst_f, scale);
    free(scratch), free(grad), free(grad_e), free(w2);
    nn_free(&net);
}

int main(void)
{
    const int activations[] = {NN_IDENTITY, NN_TANH,        NN_LOGISTIC, NN_SOFTPLUS, NN_GAUSSIAN,
                               NN_COS,      NN_REVLOGISTIC, NN_EXP,      NN_HARMONIC};
    for (size_t a = 0; a < sizeof activations / sizeof *activations; ++a)
        for (int normalize = 0; normalize <= 1; ++normalize) check_network(activations[a], normalize, 17 + a);
    /* relu: piecewise linear, its second derivative is zero almost everywhere */
    check_network(NN_RELU, 0, 3);
    /* letters round-trip */
    for (int a = 0; a < 10; ++a) CHECK(nn_activation_from_letter(nn_activation_letter(a)) == a, "letter of %d", a);
    CHECK(nn_activation_from_letter("x") == -1, "unknown letter");
    return test_finish("test_network");
}
