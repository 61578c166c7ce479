/* The GAP model in memory: what a file (QUIP XML, mlpot GAP file) or a fit fills in, and what
 * gap_model_prepare() derives from it for fast evaluation.
 *
 * A fit fills, per descriptor (gap_coordinate): descriptor_string (QUIP syntax), kernel, delta,
 * f0, zeta or theta, d, n_sparse, sparse (the sparse points' descriptor vectors, row per
 * point), alpha and sparse_cutoff; and e0 and gap_version for the model. gap_model_prepare()
 * then parses the descriptor strings, checks dimensions and computes the derived arrays. */
#ifndef MLPOT_MODELS_GAP_MODEL_H
#define MLPOT_MODELS_GAP_MODEL_H

#include "descriptors/soap_internal.h"
#include "mlpot/elements.h"
#include "mlpot/gap.h"

/* QUIP's covariance_type numbers. */
typedef enum gap_kernel_kind { GAP_KERNEL_ARD_SE = 1, GAP_KERNEL_DOT_PRODUCT = 2 } gap_kernel_kind;
typedef enum gap_descriptor_kind { GAP_DESCRIPTOR_SOAP = 1, GAP_DESCRIPTOR_DISTANCE_2B = 2 } gap_descriptor_kind;

enum { GAP_MAX_EXPONENTS = 64 };

/* QUIP's distance_2b: x = r^exponents for pairs (Z1, Z2) in either order (0: any species). */
typedef struct gap_pair_params {
    double cutoff, transition_width; /* cosine cutoff of the covariance (default width 0.5) */
    int z1, z2;
    int n_exponents;
    double exponents[GAP_MAX_EXPONENTS];
    int tail_exponent; /* c also has (erf(tail_range·r)/r)^tail_exponent when nonzero */
    double tail_range;
} gap_pair_params;

typedef struct gap_coordinate {
    /* what defines the model */
    char *descriptor_string;
    gap_kernel_kind kernel;
    double delta, f0, zeta;
    double *theta;         /* [d] length scales (ard_se) */
    int d, n_sparse;
    double *sparse;        /* [n_sparse][d] */
    double *alpha;         /* [n_sparse] */
    double *sparse_cutoff; /* [n_sparse] */
    /* derived by gap_model_prepare */
    gap_descriptor_kind descriptor;
    soap_desc soap;
    gap_pair_params pair;
    double cutoff;
    int zeta_int;            /* ζ when it is a positive integer, else 0 */
    double *sparse_t;        /* [d][n_sparse] transposed (dot product) */
    double *weight;          /* [n_sparse] α_s·δ²·sparseCutoff_s (dot product), α_s·sparseCutoff_s (ard_se) */
    double *chol;            /* [n_sparse²] Lᵀ, L the lower Cholesky factor of K_MM + ρ²I (row-major), or NULL */
    double prior_diag;       /* δ² + f0² */
} gap_coordinate;

typedef struct gap_model {
    char *label;
    long gap_version;       /* conventions of the descriptors (QUIP's gap_version; 0 = old) */
    double e0[MLPOT_MAX_ELEMENT + 1];
    double energy_scale;    /* QUIP's E_scale */
    int n_coordinates;
    gap_coordinate *coordinates;
    /* derived */
    double variance_regularisation;
    int has_variance;
    double cutoff;
    int n_species;          /* 0: any species */
    int species[MLPOT_MAX_ELEMENT + 1];
    char *source;           /* the file it came from, for messages */
} gap_model;

void gap_model_init(gap_model *m);
void gap_model_free(gap_model *m);
/* Adds a zeroed coordinate and returns it (NULL when out of memory). */
gap_coordinate *gap_model_add_coordinate(gap_model *m);

/* Parses descriptor strings, checks every array and dimension, and derives what evaluation
 * needs (including the variance factors as options ask). Messages name m->source. */
mlpot_status gap_model_prepare(gap_model *m, const mlpot_gap_options *options, mlpot_error *err);

/* Wraps a prepared model as a potential (takes ownership of m, also on failure). */
mlpot_status gap_model_potential(gap_model *m, mlpot_potential **out, mlpot_error *err);

/* Parses a distance_2b descriptor string. */
mlpot_status gap_pair_params_parse(const char *text, const char *context, gap_pair_params *p, mlpot_error *err);

/* Readers and writer. */
mlpot_status gap_xml_read(const char *path, gap_model *m, mlpot_error *err);
mlpot_status gap_file_read(const char *path, gap_model *m, mlpot_error *err);
mlpot_status gap_file_write(const gap_model *m, const char *path, mlpot_error *err);

/* --- kernels (gap_kernel.c) ----------------------------------------------------------------- */

/* Local energy Σ_s α_s k(x, x_s) of one instance; k[n_sparse] receives the kernel vector (when
 * not NULL), and dE_dx[d] (when not NULL) its gradient. work: n_sparse doubles. */
double gap_kernel_energy(const gap_coordinate *c, const double *x, double *work, double *k, double *dE_dx);
/* kᵀ(K_MM + ρ²I)⁻¹k with the stored factor; work[n_sparse]. */
double gap_kernel_projection(const gap_coordinate *c, const double *k, double *work);
/* δ² + f0² + ρ² - kᵀ(K_MM + ρ²I)⁻¹k. */
double gap_kernel_variance(const gap_coordinate *c, double rho2, const double *k, double *work);
/* The prior kernel k(x, x') = δ²κ(x, x') + f0² between two instances. */
double gap_kernel_prior(const gap_coordinate *c, const double *x, const double *y);

#endif
