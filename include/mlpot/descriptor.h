/* The descriptor interface: per-atom feature vectors of the local environment (ACSF, SOAP)
 * with their derivatives.
 *
 * Every descriptor here depends on an atom's environment only through the displacement vectors
 * d_k of its neighbour-list entries (translation invariance), so derivatives are stored with
 * respect to those vectors: dG/dd_k. From them,
 *   force on the neighbour j(k):  F_j -= (dE/dG)·(dG/dd_k)
 *   force on the centre i:        F_i += Σ_k (dE/dG)·(dG/dd_k)
 *   virial:                       W  -= Σ_k d_k ⊗ (dE/dG)·(dG/dd_k)
 * Entries beyond the descriptor's cutoff (the list's skin) have zero derivatives.
 *
 * Two ways to get forces:
 *   - gradients: the full Jacobian in mlpot_features (training of force-matched models);
 *   - backprop: given dE/dG for every atom, accumulate forces and virial directly, never
 *     storing the Jacobian (inference: less memory, faster). */
#ifndef MLPOT_DESCRIPTOR_H
#define MLPOT_DESCRIPTOR_H

#include <stddef.h>

#include "mlpot/export.h"
#include "mlpot/neighbours.h"
#include "mlpot/status.h"
#include "mlpot/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mlpot_feature_flags {
    MLPOT_FEATURES_VALUES = 1u << 0,
    MLPOT_FEATURES_GRADIENTS = 1u << 1
};

/* Features of a structure. Atom i has n = offsets[i+1]-offsets[i] features at
 * values[offsets[i]..]. With gradients, its Jacobian is at gradients[gradient_offsets[i]..],
 * laid out [feature][entry][xyz] over its neighbour-list entries in list order:
 * dG_g/dd_k = gradients[gradient_offsets[i] + (g * n_entries_i + (k - nl.offsets[i])) * 3 + c]. */
typedef struct mlpot_features {
    int n_atoms;
    unsigned flags;            /* what was computed */
    size_t *offsets;           /* [n_atoms + 1] */
    double *values;            /* [offsets[n_atoms]] */
    size_t *gradient_offsets;  /* [n_atoms + 1] when gradients were computed */
    double *gradients;
    size_t value_capacity, gradient_capacity; /* private */
    int atom_capacity;                        /* private */
} mlpot_features;

MLPOT_API void mlpot_features_init(mlpot_features *f);
MLPOT_API void mlpot_features_free(mlpot_features *f);
/* Sizes f for the atoms of s given per-atom feature counts and, with gradients, the
 * neighbour-list entry counts; zeroes values (and gradients). For implementations. */
MLPOT_API mlpot_status mlpot_features_prepare(mlpot_features *f, const int *n_features_per_atom,
                                              int n_atoms, const mlpot_neighbour_list *nl,
                                              unsigned flags, mlpot_error *err);

typedef struct mlpot_descriptor mlpot_descriptor;

typedef struct mlpot_descriptor_ops {
    /* Number of features of an atom of atomic number z (0 when z is not handled). */
    int (*n_features)(const void *state, int z);
    /* Fills values (and gradients when flags ask) for every atom. */
    mlpot_status (*compute)(const void *state, const mlpot_structure *s,
                            const mlpot_neighbour_list *nl, unsigned flags, mlpot_features *out,
                            mlpot_error *err);
    /* Given dE/dG laid out like features->values, ADDS -dE/dx to forces[3n] (if not NULL) and
     * the virial -Σ d ⊗ dE/dd to atom_virials[9n] (if not NULL; the centre atom's row gets its
     * entries' share). May use `features` computed just before (values only) as a cache. */
    mlpot_status (*backprop)(const void *state, const mlpot_structure *s,
                             const mlpot_neighbour_list *nl, const double *dE_dG,
                             double *forces, double *atom_virials, mlpot_error *err);
    /* Names of the features of element z, one line each, into buf (optional). */
    void (*describe)(const void *state, char *buf, size_t size);
    void (*destroy)(void *state);
} mlpot_descriptor_ops;

typedef struct mlpot_descriptor_info {
    const char *style; /* "acsf", "soap" */
    double cutoff;     /* Å */
    int n_species;     /* handled atomic numbers (0: any) */
    const int *species;
} mlpot_descriptor_info;

/* Wraps an implementation; takes ownership of state (also on failure). */
MLPOT_API mlpot_status mlpot_descriptor_create(const mlpot_descriptor_ops *ops, void *state,
                                               const mlpot_descriptor_info *info,
                                               mlpot_descriptor **out, mlpot_error *err);
MLPOT_API void mlpot_descriptor_free(mlpot_descriptor *d);
MLPOT_API const char *mlpot_descriptor_style(const mlpot_descriptor *d);
MLPOT_API double mlpot_descriptor_cutoff(const mlpot_descriptor *d);
MLPOT_API int mlpot_descriptor_n_features(const mlpot_descriptor *d, int z);
MLPOT_API const void *mlpot_descriptor_state(const mlpot_descriptor *d);

/* Checks species and list, then computes (values and/or gradients). */
MLPOT_API mlpot_status mlpot_descriptor_compute(const mlpot_descriptor *d,
                                                const mlpot_structure *s,
                                                const mlpot_neighbour_list *nl, unsigned flags,
                                                mlpot_features *out, mlpot_error *err);
/* Accumulates forces and per-atom virials from dE/dG (see the ops). */
MLPOT_API mlpot_status mlpot_descriptor_backprop(const mlpot_descriptor *d,
                                                 const mlpot_structure *s,
                                                 const mlpot_neighbour_list *nl,
                                                 const double *dE_dG, double *forces,
                                                 double *atom_virials, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
