/* A feed-forward neural network with n2p2's activation functions and weight layout: per layer,
 * weights w[k][j] from neuron j of the previous layer to neuron k, then the biases. In the flat
 * parameter vector the weights of a layer come in order j (previous neuron) outer, k inner, then
 * the layer's biases; layers one after another (n2p2's "connections" order). */
#ifndef MLPOT_MODELS_NETWORK_H
#define MLPOT_MODELS_NETWORK_H

#include <stddef.h>

#include "mlpot/status.h"

enum nn_activation {
    NN_IDENTITY, /* l */
    NN_TANH,     /* t */
    NN_LOGISTIC, /* s */
    NN_SOFTPLUS, /* p */
    NN_RELU,     /* r */
    NN_GAUSSIAN, /* g */
    NN_COS,      /* c */
    NN_REVLOGISTIC, /* S */
    NN_EXP,      /* e */
    NN_HARMONIC  /* h */
};

typedef struct nn {
    int n_layers;       /* including input and output */
    int *size;          /* [n_layers] neurons per layer */
    int *activation;    /* [n_layers] (the input layer's is unused) */
    int normalize;      /* n2p2's normalize_nodes: divide by the previous layer's size */
    size_t n_params;
    double *params;     /* flat, n2p2 order */
    /* views into params for each layer l >= 1 */
    size_t *weight_offset, *bias_offset;
    int max_size;
} nn;

/* Parses an activation letter ("t", "p", ...); -1 when unknown. */
int nn_activation_from_letter(const char *letter);
const char *nn_activation_letter(int activation);

/* "57-25-25-1 t t l": layer sizes and activations, for messages. */
void nn_describe(const nn *net, char *buf, size_t size);

mlpot_status nn_create(nn *net, int n_layers, const int *size, const int *activation, int normalize,
                       mlpot_error *err);
void nn_free(nn *net);

/* Forward pass of one input; `values` and `derivatives` are scratch of nn_scratch_size doubles
 * each and keep every layer's outputs and activation derivatives for nn_input_gradient. */
size_t nn_scratch_size(const nn *net);
double nn_forward(const nn *net, const double *input, double *values, double *derivatives);
/* dOutput/dInput after nn_forward; `work` is scratch of nn_scratch_size doubles. */
void nn_input_gradient(const nn *net, const double *values, const double *derivatives, double *grad_input,
                       double *work);

/* f, f', f'' of an activation at x. */
void nn_activate2(int activation, double x, double *f, double *df, double *ddf);

/* --- training (network_gradient.c) ---------------------------------------------------------- */

/* Scratch for the functions below, in doubles. */
size_t nn_train_scratch_size(const nn *net);
/* Forward pass keeping every layer's outputs, f' and f'' (each nn_scratch_size doubles). */
double nn_forward_train(const nn *net, const double *input, double *values, double *d1, double *d2);
/* Adds to grad[n_params] the gradient with respect to the parameters of
 *     J = c · output + v · d(output)/d(input)
 * for the input of the preceding nn_forward_train (v may be NULL: the first term only). The
 * second term is what force training needs: forces are input gradients contracted with the
 * symmetry-function derivatives, and v carries that contraction. */
void nn_param_gradient(const nn *net, const double *values, const double *d1, const double *d2, double c,
                       const double *v, double *grad, double *work);

#endif
