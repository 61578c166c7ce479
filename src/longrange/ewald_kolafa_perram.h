/* Ewald splitting parameters from a requested accuracy, as n2p2's 4G-HDNNP chooses them, so a
 * model trained with n2p2 is evaluated with the same (truncated) sums it was trained with.
 *
 * Notation: Gaussian screening width η (the real-space kernel is erfc(r/(√2η))/r, i.e. the
 * usual α = 1/(√2η)), real-space cutoff r_c, reciprocal cutoff k_c (|k| < k_c), all in the
 * model's length unit; k_e = 1/(4πε₀) in the model's units; N atoms in volume V; q_max the
 * expected largest |charge|; δ the accuracy.
 *
 *   Jackson–Catlow (method 0): η = V^{1/3}/√(2π), r_c = η √(-2 ln δ), k_c = √(-2 ln δ)/η.
 *   Kolafa–Perram, optimal η (method 1, two arguments δ q_max): with the RMS force error of
 *     either sum set to δ (δ then has the unit of a force), C = 2^{3/4} k_e q_max² √(N/V),
 *     η₀ = (V² / (T_r/T_k (2π)³))^{1/6} with the cost ratio T_r/T_k = 3.676, and s solving
 *     e^{-s²}/√s = (δ/C) √(η/2) while η = η₀ (1 + 1/(2s²))^{1/6}; both are iterated to a
 *     relative change below 1e-10. η is raised to the largest Gaussian width of the charges,
 *     then r_c = √2 η s and k_c = √2 s / η.
 *   Kolafa–Perram, fixed r_c (method 1, three arguments δ q_max r_c): C = 2 k_e q_max² √(N/V),
 *     η = r_c / √(-2 ln(√(r_c/2) δ/C)), and k_c solving e^{-k_c²η²/2}/√k_c = η δ/(√2 C).
 *
 * The iterations are Newton steps on the logarithms of these equations, started and stopped
 * as n2p2 does, so the parameters agree with n2p2's to the last few bits. */
#ifndef MLPOT_LONGRANGE_EWALD_KOLAFA_PERRAM_H
#define MLPOT_LONGRANGE_EWALD_KOLAFA_PERRAM_H

#include "mlpot/status.h"

enum ewald_truncation {
    EWALD_JACKSON_CATLOW = 0,
    EWALD_KOLAFA_PERRAM = 1
};

typedef struct ewald_truncation_settings {
    int method;           /* enum ewald_truncation */
    double accuracy;      /* δ */
    double max_charge;    /* q_max (Kolafa–Perram), default 1 */
    double fixed_cutoff;  /* r_c > 0: Kolafa–Perram with a fixed real-space cutoff */
    double coulomb;       /* k_e */
    double max_width;     /* largest Gaussian width σ of the charges (0: point charges) */
} ewald_truncation_settings;

typedef struct ewald_splitting {
    double eta, real_cutoff, kspace_cutoff;
    /* Gaussian charges: the real-space correction -erfc(r/(√2γ))/r of two Gaussians decays on
     * the scale of their widths, not of η, and may need a longer reach than r_c; 0 (n2p2's
     * choice) cuts it at r_c too */
    double gaussian_cutoff;
} ewald_splitting;

/* The parameters for n atoms in volume V; errors name what is out of range. */
mlpot_status ewald_truncation_parameters(const ewald_truncation_settings *t, int n, double volume,
                                         ewald_splitting *out, mlpot_error *err);

#endif
