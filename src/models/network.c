#include "models/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"

/* n2p2 switches the exponential activations to their limits beyond |x| = 35 */
#define NN_EXP_LIMIT 35.0

static const char LETTERS[] = "ltsprgcSeh";

int nn_activation_from_letter(const char *letter)
{
    if (!letter || strlen(letter) != 1) return -1;
    const char *p = strchr(LETTERS, letter[0]);
    return p ? (int)(p - LETTERS) : -1;
}

const char *nn_activation_letter(int activation)
{
    static const char *names[] = {"l", "t", "s", "p", "r", "g", "c", "S", "e", "h"};
    return activation >= 0 && activation < 10 ? names[activation] : "?";
}

void nn_free(nn *net)
{
    free(net->size);
    free(net->activation);
    free(net->params);
    free(net->weight_offset);
    free(net->bias_offset);
    memset(net, 0, sizeof *net);
}

mlpot_status nn_create(nn *net, int n_layers, const int *size, const int *activation, int normalize,
                       mlpot_error *err)
{
    memset(net, 0, sizeof *net);
    if (n_layers < 2 || n_layers > 64)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "a network needs 2 to 64 layers (got %d)", n_layers);
    net->n_layers = n_layers;
    net->normalize = normalize;
    net->size = calloc((size_t)n_layers, sizeof *net->size);
    net->activation = calloc((size_t)n_layers, sizeof *net->activation);
    net->weight_offset = calloc((size_t)n_layers, sizeof *net->weight_offset);
    net->bias_offset = calloc((size_t)n_layers, sizeof *net->bias_offset);
    if (!net->size || !net->activation || !net->weight_offset || !net->bias_offset) {
        nn_free(net);
        return mlpot_fail_memory(err, "creating a network");
    }
    size_t offset = 0;
    for (int l = 0; l < n_layers; ++l) {
        if (size[l] < 1) {
            nn_free(net);
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "layer %d has %d neurons", l, size[l]);
        }
        net->size[l] = size[l];
        net->activation[l] = activation[l];
        if (size[l] > net->max_size) net->max_size = size[l];
        if (l == 0) continue;
        net->weight_offset[l] = offset;
        offset += (size_t)size[l - 1] * size[l];
        net->bias_offset[l] = offset;
        offset += (size_t)size[l];
    }
    net->n_params = offset;
    net->params = mlpot_calloc(offset + 1, sizeof *net->params);
    if (!net->params) {
        nn_free(net);
        return mlpot_fail_memory(err, "creating a network");
    }
    return MLPOT_OK;
}

void nn_describe(const nn *net, char *buf, size_t size)
{
    size_t used = 0;
    if (!size) return;
    buf[0] = '\0';
    for (int l = 0; l < net->n_layers && used < size; ++l)
        used += (size_t)snprintf(buf + used, size - used, "%s%d", l ? "-" : "", net->size[l]);
    for (int l = 1; l < net->n_layers && used < size; ++l)
        used += (size_t)snprintf(buf + used, size - used, " %s", nn_activation_letter(net->activation[l]));
}

size_t nn_scratch_size(const nn *net)
{
    size_t n = 0;
    for (int l = 0; l < net->n_layers; ++l) n += (size_t)net->size[l];
    return n + (size_t)net->max_size;
}

static inline void activate(int a, double x, double *f, double *df)
{
    switch (a) {
    case NN_IDENTITY: *f = x, *df = 1.0; return;
    case NN_TANH: {
        double t = tanh(x);
        *f = t, *df = 1.0 - t * t;
        return;
    }
    case NN_LOGISTIC:
        if (x > NN_EXP_LIMIT) *f = 1.0, *df = 0.0;
        else if (x < -NN_EXP_LIMIT) *f = 0.0, *df = 0.0;
        else {
            double s = 1.0 / (1.0 + exp(-x));
            *f = s, *df = s * (1.0 - s);
        }
        return;
    case NN_SOFTPLUS:
        if (x > NN_EXP_LIMIT) *f = x, *df = 1.0;
        else if (x < -NN_EXP_LIMIT) *f = 0.0, *df = 0.0;
        else {
            double e = exp(x);
            *f = log(1.0 + e);
            *df = 1.0 / (1.0 + 1.0 / e);
        }
        return;
    case NN_RELU: *f = x > 0 ? x : 0.0, *df = x > 0 ? 1.0 : 0.0; return;
    case NN_GAUSSIAN: {
        double e = exp(-0.5 * x * x);
        *f = e, *df = -x * e;
        return;
    }
    case NN_COS: *f = cos(x), *df = -sin(x); return;
    case NN_REVLOGISTIC: {
        double s = 1.0 / (1.0 + exp(-x));
        *f = 1.0 - s, *df = s * (s - 1.0);
        return;
    }
    case NN_EXP: {
        double e = exp(-x);
        *f = e, *df = -e;
        return;
    }
    default: /* harmonic */ *f = x * x, *df = 2.0 * x; return;
    }
}

/* The activation, its first and its second derivative (training differentiates the force,
 * itself a first derivative of the network). */
void nn_activate2(int a, double x, double *f, double *df, double *ddf)
{
    activate(a, x, f, df);
    switch (a) {
    case NN_IDENTITY:
    case NN_RELU: *ddf = 0.0; return;
    case NN_TANH: *ddf = -2.0 * *f * *df; return;
    case NN_LOGISTIC: *ddf = *df * (1.0 - 2.0 * *f); return; /* s(1-s)(1-2s); 0 beyond the limits */
    case NN_SOFTPLUS: *ddf = *df * (1.0 - *df); return;      /* the derivative is the logistic */
    case NN_GAUSSIAN: *ddf = (x * x - 1.0) * *f; return;
    case NN_COS: *ddf = -*f; return;
    case NN_REVLOGISTIC: *ddf = *df * (2.0 * *f - 1.0); return; /* f = 1 - s: -s(1-s)(1-2s) */
    case NN_EXP: *ddf = *f; return;
    default: *ddf = 2.0; return; /* harmonic */
    }
}

double nn_forward(const nn *net, const double *input, double *values, double *derivatives)
{
    /* values and derivatives hold the layers one after another */
    memcpy(values, input, (size_t)net->size[0] * sizeof *values);
    size_t in_at = 0, out_at = (size_t)net->size[0];
    for (int l = 1; l < net->n_layers; ++l) {
        const int n_in = net->size[l - 1], n_out = net->size[l];
        const double *w = net->params + net->weight_offset[l], *b = net->params + net->bias_offset[l];
        const double *x = values + in_at;
        double *y = values + out_at, *dy = derivatives + out_at;
        /* weights are stored j-major (w[j * n_out + k]); accumulate neuron k over inputs j */
        for (int k = 0; k < n_out; ++k) y[k] = 0.0;
        for (int j = 0; j < n_in; ++j) {
            const double xj = x[j], *wj = w + (size_t)j * n_out;
            for (int k = 0; k < n_out; ++k) y[k] += wj[k] * xj;
        }
        for (int k = 0; k < n_out; ++k) {
            double z = y[k] + b[k];
            if (net->normalize) z /= n_in;
            activate(net->activation[l], z, &y[k], &dy[k]);
        }
        in_at = out_at;
        out_at += (size_t)n_out;
    }
    return values[in_at];
}

void nn_input_gradient(const nn *net, const double *values, const double *derivatives, double *grad_input,
                       double *work)
{
    (void)values;
    /* back-propagate d(output) from the last layer to the input */
    size_t at = 0;
    for (int l = 0; l < net->n_layers - 1; ++l) at += (size_t)net->size[l];
    double *delta = work; /* dOut/dz of the current layer, then of the one below */
    const int last = net->n_layers - 1;
    delta[0] = derivatives[at] * (net->normalize ? 1.0 / net->size[last - 1] : 1.0);
    for (int l = last; l >= 1; --l) {
        const int n_in = net->size[l - 1], n_out = net->size[l];
        const double *w = net->params + net->weight_offset[l];
        size_t below = at - (size_t)n_in;
        double *out = l == 1 ? grad_input : delta + n_out;
        for (int j = 0; j < n_in; ++j) {
            const double *wj = w + (size_t)j * n_out;
            double s = 0.0;
            for (int k = 0; k < n_out; ++k) s += wj[k] * delta[k];
            out[j] = s;
        }
        if (l == 1) break;
        /* through the activation of layer l-1 (and its normalisation) */
        double scale = net->normalize ? 1.0 / net->size[l - 2] : 1.0;
        for (int j = 0; j < n_in; ++j) delta[j] = out[j] * derivatives[below + j] * scale;
        at = below;
    }
}
