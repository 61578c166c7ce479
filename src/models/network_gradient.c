/* Parameter gradients of a network for training. With a_l = s_l (W_l h_{l-1} + b_l) the
 * pre-activations (s_l = 1 / size_{l-1} under normalize_nodes, else 1) and h_l = f_l(a_l):
 *
 *   energy term:  d(out)/dθ by the usual back-propagation;
 *   force term:   v · d(out)/d(input) is the output of the tangent pass ḣ_0 = v,
 *                 ȧ_l = s_l W_l ḣ_{l-1}, ḣ_l = f'_l(a_l) ȧ_l, and its parameter gradient comes from
 *                 back-propagating through both passes: with H_l = dJ/dh_l and Ḣ_l = dJ/dḣ_l,
 *                   A_l = H_l f'_l + Ḣ_l f''_l ȧ_l,   Ȧ_l = Ḣ_l f'_l,
 *                   dJ/dW_l = s_l (A_l ⊗ h_{l-1} + Ȧ_l ⊗ ḣ_{l-1}),   dJ/db_l = s_l A_l,
 *                   H_{l-1} = s_l W_lᵀ A_l,   Ḣ_{l-1} = s_l W_lᵀ Ȧ_l.
 * Weights are stored j-major (w[j * n_out + k], n2p2's order; see network.h). */
#include <string.h>

#include "models/network.h"

size_t nn_train_scratch_size(const nn *net)
{
    return 2 * nn_scratch_size(net) + 4 * (size_t)net->max_size + 8;
}

double nn_forward_train(const nn *net, const double *input, double *values, double *d1, double *d2)
{
    memcpy(values, input, (size_t)net->size[0] * sizeof *values);
    size_t in_at = 0, out_at = (size_t)net->size[0];
    for (int l = 1; l < net->n_layers; ++l) {
        const int n_in = net->size[l - 1], n_out = net->size[l];
        const double *w = net->params + net->weight_offset[l], *b = net->params + net->bias_offset[l];
        const double *x = values + in_at;
        double *y = values + out_at;
        for (int k = 0; k < n_out; ++k) y[k] = 0.0;
        for (int j = 0; j < n_in; ++j) {
            const double xj = x[j], *wj = w + (size_t)j * n_out;
            for (int k = 0; k < n_out; ++k) y[k] += wj[k] * xj;
        }
        for (int k = 0; k < n_out; ++k) {
            double z = y[k] + b[k];
            if (net->normalize) z /= n_in;
            nn_activate2(net->activation[l], z, &y[k], &d1[out_at + k], &d2[out_at + k]);
        }
        in_at = out_at;
        out_at += (size_t)n_out;
    }
    return values[in_at];
}

void nn_param_gradient(const nn *net, const double *values, const double *d1, const double *d2, double c,
                       const double *v, double *grad, double *work)
{
    const int last = net->n_layers - 1, max = net->max_size;
    size_t offset[64]; /* start of each layer in the stacked arrays (networks are shallow) */
    size_t total = 0;
    for (int l = 0; l <= last && l < 64; ++l) offset[l] = total, total += (size_t)net->size[l];
    double *hdot = work, *adot = hdot + total;
    double *H = adot + total, *Hd = H + max, *A = Hd + max, *Ad = A + max;
    if (v) { /* tangent pass */
        memcpy(hdot, v, (size_t)net->size[0] * sizeof *hdot);
        for (int l = 1; l <= last; ++l) {
            const int n_in = net->size[l - 1], n_out = net->size[l];
            const double s = net->normalize ? 1.0 / n_in : 1.0;
            const double *w = net->params + net->weight_offset[l], *x = hdot + offset[l - 1];
            double *a = adot + offset[l], *h = hdot + offset[l];
            for (int k = 0; k < n_out; ++k) a[k] = 0.0;
            for (int j = 0; j < n_in; ++j) {
                const double xj = x[j], *wj = w + (size_t)j * n_out;
                for (int k = 0; k < n_out; ++k) a[k] += wj[k] * xj;
            }
            for (int k = 0; k < n_out; ++k) {
                a[k] *= s;
                h[k] = d1[offset[l] + k] * a[k];
            }
        }
    }
    /* output adjoints: J = c·out + ḣ_out */
    for (int k = 0; k < net->size[last]; ++k) H[k] = k == 0 ? c : 0.0, Hd[k] = v && k == 0 ? 1.0 : 0.0;
    for (int l = last; l >= 1; --l) {
        const int n_in = net->size[l - 1], n_out = net->size[l];
        const double s = net->normalize ? 1.0 / n_in : 1.0;
        const double *w = net->params + net->weight_offset[l];
        const double *f1 = d1 + offset[l], *f2 = d2 + offset[l], *ad = adot + offset[l];
        for (int k = 0; k < n_out; ++k) {
            A[k] = H[k] * f1[k];
            Ad[k] = 0.0;
            if (v) {
                A[k] += Hd[k] * f2[k] * ad[k];
                Ad[k] = Hd[k] * f1[k];
            }
            A[k] *= s;
            Ad[k] *= s;
        }
        double *gw = grad + net->weight_offset[l], *gb = grad + net->bias_offset[l];
        const double *h_in = values + offset[l - 1], *hd_in = hdot + offset[l - 1];
        for (int j = 0; j < n_in; ++j) {
            double *gj = gw + (size_t)j * n_out;
            const double hj = h_in[j], hdj = v ? hd_in[j] : 0.0;
            for (int k = 0; k < n_out; ++k) gj[k] += A[k] * hj + Ad[k] * hdj;
        }
        for (int k = 0; k < n_out; ++k) gb[k] += A[k];
        if (l == 1) break;
        /* adjoints of layer l-1's outputs */
        for (int j = 0; j < n_in; ++j) {
            const double *wj = w + (size_t)j * n_out;
            double sa = 0.0, sd = 0.0;
            for (int k = 0; k < n_out; ++k) sa += wj[k] * A[k], sd += wj[k] * Ad[k];
            H[j] = sa, Hd[j] = sd;
        }
    }
}
