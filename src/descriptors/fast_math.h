/* exp and tanh as inline code that compilers can vectorise (libm calls cannot be, without
 * -ffast-math). Accuracy: a few units in the last place over the range used (checked against
 * libm in tests/test_acsf.c), far below the 1e-10 to which descriptors must agree. */
#ifndef MLPOT_DESCRIPTORS_FAST_MATH_H
#define MLPOT_DESCRIPTORS_FAST_MATH_H

#include <stdint.h>

#include "core/vector_clones.h"

/* e^x for x in [-708, 708]: x = k ln2 + r with |r| <= ln2/2, e^r by its Taylor series to r^13
 * (truncation < 5e-18 relative), 2^k put into the exponent bits. Below -708 it returns
 * e^-708 (3e-308), as good as zero for every use here. */
static inline double fast_exp(double x)
{
    const double log2e = 1.4426950408889634074, ln2_hi = 6.93147180369123816490e-01,
                 ln2_lo = 1.90821492927058770002e-10;
    x = x < -708.0 ? -708.0 : x; /* a select, so that loops vectorise (-fno-trapping-math) */
    /* round x·log2(e) to the nearest integer k with the 1.5·2^52 trick (no floor, which SSE2
     * cannot vectorise); k then sits in the low bits of y */
    const double shifter = 6755399441055744.0;
    double y = x * log2e + shifter;
    double kf = y - shifter;
    double r = (x - kf * ln2_hi) - kf * ln2_lo;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    int64_t bits;
    __builtin_memcpy(&bits, &y, sizeof bits);
    bits = (int64_t)((uint64_t)(bits + 1023) << 52); /* the low bits of y hold k: 2^k */
    double scale;
    __builtin_memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* tanh(a) for a >= 0 from one exponential; absolute error ~1e-16 (relative near a = 0 larger,
 * which the cutoff function's tanh³ turns into nothing). */
static inline double fast_tanh_nonneg(double a)
{
    double e = fast_exp(-2.0 * a);
    return (1.0 - e) / (1.0 + e);
}

#endif
