/* GAP (Gaussian approximation potential) models: QUIP's XML files and mlpot's own model file,
 * evaluated with QUIP's definitions so that published GAP models give QUIP's numbers.
 *
 * Energy = Σ_atoms e0(Z) + Σ_descriptors Σ_instances c(instance) · Σ_s α_s k(x, x_s), with
 *   - soap (see soap.h) and the dot-product kernel k = δ² (x·x_s)^ζ · sparseCutoff_s;
 *   - distance_2b (every ordered pair i, j-image closer than the cutoff, x = r^exponents, with
 *     c = the cosine cutoff of width cutoff_transition_width, split half to each atom) and the
 *     ard_se kernel k = (δ² exp(-½ Σ_d ((x_d - x_s,d)/θ_d)²) + f0²) · sparseCutoff_s.
 * Several descriptors (QUIP's gpCoordinates) are summed. QUIP's XML attribute
 * signal_variance is δ itself.
 *
 * Uncertainty (QUIP's local_gap_variance, with ρ = variance_regularisation, QUIP's
 * gap_variance_regularisation, default 1e-3): for a descriptor instance x with kernel vector
 * k* over the M sparse points,
 *     var(x) = δ² + f0² + ρ² - k*ᵀ (K_MM + ρ² I)⁻¹ k*,
 * and each instance adds var·c²/n to each of its n atoms (MLPOT_OUT_ATOM_VARIANCES, eV²).
 * MLPOT_OUT_ENERGY_VARIANCE is the predictive variance of the total energy under the same
 * model: the local energies of all instances are jointly Gaussian with covariance
 * k(x_a, x_b) - k_aᵀ (K_MM + ρ²I)⁻¹ k_b (k(x, x') = δ²κ(x, x') + f0², the prior kernel) plus
 * ρ² on the diagonal, and descriptors are independent, so per descriptor
 *     Var(E) = Σ_ab c_a c_b k(x_a, x_b) - k_Eᵀ (K_MM + ρ²I)⁻¹ k_E + ρ² Σ_a c_a²,
 *     k_E = Σ_a c_a k_a   (the summed kernel vector),
 * summed over descriptors. Its diagonal part is the sum of the per-atom variances; the
 * off-diagonal part (correlations between atoms, usually positive) is what the sum of per-atom
 * variances leaves out. It costs O(instances²) kernel evaluations (a Gram matrix of the
 * frame's descriptors), so ask for it only when it is wanted. The variances need the Cholesky
 * factor of K_MM + ρ²I, computed when the model is loaded (see mlpot_gap_options.variance).
 *
 * mlpot's GAP model file (load with mlpot_gap_load, write with mlpot_gap_save; version 1) is a
 * text file:
 *     mlpot-gap 1
 *     # any number of comment lines
 *     label <text>                        (optional)
 *     gap_version <integer>               the GAP version whose conventions apply (QUIP's)
 *     energy_scale <real>                 QUIP's E_scale (1 normally)
 *     e0 <count>                          then <count> lines "<Z> <e0 in eV>"
 *     descriptors <count>
 *   then per descriptor:
 *     descriptor <QUIP descriptor string up to the end of the line>
 *     kernel <ard_se|dot_product>
 *     delta <δ>
 *     f0 <f0>
 *     zeta <ζ>                            (dot_product)
 *     theta <θ_1> ... <θ_d>               (ard_se)
 *     dimension <d>
 *     sparse <M>
 *     <M lines: alpha sparseCutoff x_1 ... x_d>
 *     end
 * Reals are written with 17 significant digits (%.17g), which round-trip exactly: a model
 * converted from XML predicts the same numbers, bit for bit. A file with a higher version than
 * this build knows is refused with a message saying so. */
#ifndef MLPOT_GAP_H
#define MLPOT_GAP_H

#include "mlpot/export.h"
#include "mlpot/potential.h"
#include "mlpot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The newest mlpot GAP file version this build reads and the one it writes. */
#define MLPOT_GAP_FILE_VERSION 1

typedef struct mlpot_gap_options {
    /* ρ in the variance formulas (QUIP's gap_variance_regularisation); default 1e-3. */
    double variance_regularisation;
    /* Precompute the Cholesky factor of K_MM + ρ²I at load (needed for the variance outputs):
     * 1 always, 0 never, -1 (default) when every descriptor has at most 4000 sparse points
     * (larger factors take seconds to minutes and M²·8 bytes). */
    int variance;
} mlpot_gap_options;

MLPOT_API void mlpot_gap_options_default(mlpot_gap_options *o);

/* Loads a QUIP GAP XML file (with its sparseX files when sparse_separate_file=T wrote them)
 * or an mlpot GAP file, detected from the content. Refuses, naming them, descriptors other
 * than soap and distance_2b, kernels other than dot_product and ard_se, GAP models that
 * combine with a core potential, and inconsistent files. options may be NULL. */
MLPOT_API mlpot_status mlpot_gap_load(const char *path, const mlpot_gap_options *options,
                                      mlpot_potential **out, mlpot_error *err);

/* Writes the model of a GAP potential (style "gap") as an mlpot GAP file (atomically). */
MLPOT_API mlpot_status mlpot_gap_save(const mlpot_potential *p, const char *path,
                                      mlpot_error *err);

/* 1 when the file looks like a GAP model (QUIP XML with <GAP_params> or <gpSparse>, or an
 * mlpot GAP file), 0 otherwise (also when it cannot be read). */
MLPOT_API int mlpot_gap_detect(const char *path);

#ifdef __cplusplus
}
#endif

#endif
