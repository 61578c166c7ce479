/* SOAP (smooth overlap of atomic positions) power spectrum, with QUIP's exact definition, so
 * that GAP models and hyperparameters published for QUIP carry over and give QUIP's numbers.
 *
 * For a centre atom i:
 *   - neighbours: every atom j and periodic image (images of i itself included) closer than
 *     the cutoff, of a species listed in `species` (others are ignored);
 *   - density of species s: Σ_j f_c(r_ij) exp(-α|r - r_ij|²) (α = 1/(2σ²), no prefactor), with
 *     f_c the cosine cutoff of width `cutoff_transition_width`, plus central_weight·exp(-α r²)
 *     in the channel(s) the central-reference rule picks;
 *   - expansion in real spherical harmonics Y_lm and n_max equispaced Gaussians
 *     g_n(r) = exp(-α(r - r_n)²), r_n = (n-1)·r_b/n_max, r_b = cutoff + σ·sqrt(2·E·ln 10)
 *     (E = basis_error_exponent), orthonormalised through the Cholesky factor L of their
 *     overlap: the coefficients of a neighbour at distance ρ are c_nl(ρ) = (Lᵀ C⁻¹ v_l)_n with
 *     v_l,a = exp(-α(r_a²+ρ²)) i_l(2α r_a ρ) and C_ab = exp(-α(r_a-r_b)²) (QUIP's
 *     EQUISPACED_GAUSS basis);
 *   - power spectrum p_{κκ'l} = (2l+1)^(-1/2) Σ_m a_{κlm} a_{κ'lm} over channels
 *     κ = (species, n) (species outer), lower triangle κ' ≤ κ, l innermost, off-diagonal pairs
 *     times √2; divided by its norm when `normalise`; a last component covariance_sigma0.
 *     Dimension (l_max+1)·K(K+1)/2 + 1 with K = n_species·n_max.
 *
 * Old GAP files: models written with gap_version < 1423143769 have no (2l+1)^(-1/2) factor, and
 * below 1426512068 the central Gaussian goes into every species channel; `xml_version` carries
 * that convention (set from the model file's gap_version by the GAP loader).
 *
 * Derivatives are analytic. The descriptor implements mlpot_descriptor's interface (values,
 * full Jacobian for fitting, and backpropagation of dE/dp to forces and virials). */
#ifndef MLPOT_SOAP_H
#define MLPOT_SOAP_H

#include "mlpot/descriptor.h"
#include "mlpot/elements.h"
#include "mlpot/export.h"
#include "mlpot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The GAP version from which the (2l+1)^(-1/2) factor is applied, and from which the
 * central-reference default depends on n_species. */
#define MLPOT_SOAP_VERSION_TWO_L_PLUS_ONE 1423143769L
#define MLPOT_SOAP_VERSION_CENTRAL_REFERENCE 1426512068L

typedef struct mlpot_soap_params {
    double cutoff;                  /* Å, > 0 (QUIP: cutoff, required) */
    double cutoff_transition_width; /* Å, in [0, cutoff] (default 0.5) */
    int n_max;                      /* radial functions, >= 1 (required) */
    int l_max;                      /* angular band limit, >= 0 (required) */
    double atom_sigma;              /* Gaussian width σ, Å, > 0 (atom_sigma or
                                       atom_gaussian_width, required) */
    int n_species;                  /* neighbour species channels, >= 1 (default 1) */
    int species[MLPOT_MAX_ELEMENT + 1]; /* their atomic numbers in channel order (species_Z);
                                       one channel with 0 takes every species */
    int n_centres;                  /* centre species (QUIP n_Z/Z; default 1 with Z=0) */
    int centres[MLPOT_MAX_ELEMENT + 1]; /* 0 is the wildcard: every atom is a centre */
    double central_weight;          /* weight of the centre's own Gaussian (default 1) */
    int central_reference_all_species; /* 1: centre Gaussian in every channel, 0: only in its
                                          own species' channel, -1: QUIP's default (1 when
                                          n_species == 1, else 0; always 1 for old versions) */
    int normalise;                  /* divide by the norm (default 1) */
    double covariance_sigma0;       /* value of the last component (default 0) */
    double basis_error_exponent;    /* E above (default 10) */
    long xml_version;               /* GAP version whose conventions apply (default: current) */
} mlpot_soap_params;

/* QUIP's defaults; cutoff, n_max, l_max and atom_sigma are left invalid (0, 0, -1, 0). */
MLPOT_API void mlpot_soap_params_default(mlpot_soap_params *p);

/* Parses a QUIP descriptor string, e.g.
 *   "soap cutoff=5.0 cutoff_transition_width=1.0 n_max=8 l_max=6 atom_sigma=0.5
 *    n_species=1 species_Z={14}"
 * (the leading "soap" may be omitted). gap_fit's settings in the string (zeta, delta,
 * n_sparse, covariance_type, ...) are ignored; an unknown key, an option of QUIP's soap that
 * mlpot does not implement with a non-default value (average, diagonal_radial, radial_basis
 * other than EQUISPACED_GAUSS, Z_mix, R_mix, sym_mix, coupling=F, K, nu_R, nu_S, Z_map,
 * cutoff_dexp) and invalid values are errors that name the key. */
MLPOT_API mlpot_status mlpot_soap_params_parse(const char *text, mlpot_soap_params *p,
                                               mlpot_error *err);

/* Checks the parameters: cutoff > 0, 0 <= transition width <= cutoff, n_max >= 1,
 * l_max >= 0, atom_sigma > 0, species valid and distinct, ... */
MLPOT_API mlpot_status mlpot_soap_params_check(const mlpot_soap_params *p, mlpot_error *err);

/* Length of the descriptor vector (including the trailing covariance_sigma0 component). */
MLPOT_API int mlpot_soap_dimension(const mlpot_soap_params *p);

/* The SOAP descriptor behind the descriptor interface. Atoms of a centre species get
 * mlpot_soap_dimension() features, other atoms none. */
MLPOT_API mlpot_status mlpot_soap_create(const mlpot_soap_params *p, mlpot_descriptor **out,
                                         mlpot_error *err);
/* The same from a QUIP descriptor string. */
MLPOT_API mlpot_status mlpot_soap_create_from_string(const char *text, mlpot_descriptor **out,
                                                     mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
