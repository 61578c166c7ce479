/* The ziggurat sampler (normal_ziggurat.h). */
#include "core/normal_ziggurat.h"

#include <math.h>

/* Right edge of the base layer and the common area of the layers (Marsaglia and Tsang). */
#define EDGE 3.442619855899
#define AREA 9.91256303526217e-3

void normal_ziggurat_init(normal_ziggurat *z)
{
    double f = exp(-0.5 * EDGE * EDGE);
    z->x[0] = AREA / f; /* the base layer with its tail, as a rectangle of the same area */
    z->x[1] = EDGE;
    z->x[NORMAL_ZIGGURAT_LAYERS] = 0.0;
    for (int i = 2; i < NORMAL_ZIGGURAT_LAYERS; ++i) {
        z->x[i] = sqrt(-2.0 * log(AREA / z->x[i - 1] + f));
        f = exp(-0.5 * z->x[i] * z->x[i]);
    }
    for (int i = 0; i < NORMAL_ZIGGURAT_LAYERS; ++i) z->ratio[i] = z->x[i + 1] / z->x[i];
}

/* A deviate from the tail beyond EDGE (Marsaglia 1964), with the sign given. */
static double tail(rng *r, int negative)
{
    double x, y;
    do {
        x = log(1.0 - rng_uniform(r)) / EDGE; /* 1 - u in (0, 1]: finite logarithms */
        y = log(1.0 - rng_uniform(r));
    } while (-2.0 * y < x * x);
    return negative ? x - EDGE : EDGE - x;
}

double normal_ziggurat_draw(const normal_ziggurat *z, rng *r)
{
    for (;;) {
        const uint64_t bits = rng_next(r);
        /* the top 53 bits make u uniform in [-1, 1), the lowest 7 choose the layer */
        const double u = 2.0 * ((double)(bits >> 11) * 0x1.0p-53) - 1.0;
        const int i = (int)(bits & (NORMAL_ZIGGURAT_LAYERS - 1));
        if (fabs(u) < z->ratio[i]) return u * z->x[i]; /* inside the curve for sure */
        if (i == 0) return tail(r, u < 0.0);
        /* the wedge between the rectangle and the curve: accept under the density */
        const double x = u * z->x[i];
        const double f0 = exp(-0.5 * (z->x[i] * z->x[i] - x * x));
        const double f1 = exp(-0.5 * (z->x[i + 1] * z->x[i + 1] - x * x));
        if (f1 + rng_uniform(r) * (f0 - f1) < 1.0) return x;
    }
}
