/* Internals of the GAP fit (mlpot/gap_fit.h): the settings of each descriptor, its candidate
 * instances and sparse points, and the per-frame label noise. */
#ifndef MLPOT_FIT_GAP_FIT_INTERNAL_H
#define MLPOT_FIT_GAP_FIT_INTERNAL_H

#include <stddef.h>

#include "descriptors/soap_internal.h"
#include "mlpot/gap_fit.h"
#include "models/gap_model.h"

enum fit_sparse_method { FIT_SPARSE_RANDOM, FIT_SPARSE_UNIFORM, FIT_SPARSE_CUR, FIT_SPARSE_FPS, FIT_SPARSE_ALL, FIT_SPARSE_FILE };

/* One descriptor of the fit (one gpCoordinates of the model). */
typedef struct fit_descriptor {
    char *string;                 /* the QUIP descriptor string stored in the model */
    gap_descriptor_kind kind;
    gap_kernel_kind kernel;
    double delta, f0, zeta, theta; /* theta: ard_se length scale, the same for every dimension */
    int n_sparse, method;
    char *sparse_file;            /* FIT_SPARSE_FILE: 1-based instance indices */
    soap_desc soap;               /* soap */
    gap_pair_params pair;         /* distance_2b */
    int d;                        /* descriptor dimension */
    double cutoff;
    /* candidates: every instance of the training frames (descriptor vectors, row-major) */
    size_t n_instances;
    double *instances;            /* [n_instances][d] */
    /* chosen sparse points */
    double *sparse;               /* [n_sparse][d] */
    double *sparse_cutoff;        /* [n_sparse] */
    size_t column;                /* first column of this descriptor in the design matrix */
} fit_descriptor;

/* Parses the gap string into descriptors (add_species expanded over `elements`). */
mlpot_status fit_descriptors_parse(const char *gap, const int *elements, int n_elements, fit_descriptor **out,
                                   int *n_out, mlpot_error *err);
void fit_descriptors_free(fit_descriptor *d, int n);

/* Descriptor vectors of every instance of descriptor `f` in every frame (fills instances). */
mlpot_status fit_collect_instances(fit_descriptor *f, const mlpot_structure *const *frames, size_t n,
                                   mlpot_error *err);
/* Chooses the sparse points of f from its instances (seeded). */
mlpot_status fit_select_sparse(fit_descriptor *f, unsigned long long seed, mlpot_error *err);

/* The prior kernel between two vectors of descriptor f, without sparse cutoffs:
 *   dot_product δ² (x·y)^ζ + f0²,   ard_se δ² exp(-½|x - y|²/θ²) + f0². */
double fit_kernel(const fit_descriptor *f, const double *x, const double *y);

#endif
