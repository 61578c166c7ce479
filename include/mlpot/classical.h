/* Classical potentials: baselines, short-range repulsion and cheap reference labels.
 * Each reads the parameter files LAMMPS users already have and reproduces LAMMPS's numbers
 * (same functional forms, same tabulation and interpolation for EAM). */
#ifndef MLPOT_CLASSICAL_H
#define MLPOT_CLASSICAL_H

#include "mlpot/export.h"
#include "mlpot/potential.h"
#include "mlpot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Lennard-Jones 4ε[(σ/r)¹² - (σ/r)⁶] for r < cutoff; shifted to zero at the cutoff when
 * shift is 1 (LAMMPS pair_modify shift yes). With n_species = 0 one (ε, σ) pair applies to all
 * species; otherwise per-element parameters with Lorentz-Berthelot mixing
 * (σ_ij = (σ_i+σ_j)/2, ε_ij = sqrt(ε_i ε_j)). */
typedef struct mlpot_lj_params {
    double epsilon;  /* eV */
    double sigma;    /* Å */
    double cutoff;   /* Å */
    int shift;
    int n_species;
    const int *species;          /* [n_species] atomic numbers */
    const double *epsilons;      /* [n_species] */
    const double *sigmas;        /* [n_species] */
} mlpot_lj_params;
MLPOT_API mlpot_status mlpot_lj_create(const mlpot_lj_params *params, mlpot_potential **out,
                                       mlpot_error *err);

/* Ziegler-Biersack-Littmark universal screened nuclear repulsion, switched smoothly to zero
 * between inner and outer as LAMMPS pair_style zbl does. Any species. */
MLPOT_API mlpot_status mlpot_zbl_create(double inner, double outer, mlpot_potential **out,
                                        mlpot_error *err);

/* Which label of a parameter file stands for an element, as LAMMPS's pair_coeff maps atom types
 * to labels: files may hold variants such as "Si(D)" (SiCGe.tersoff). Without a mapping an
 * element uses the entries labelled with its symbol; entries whose labels map to no element
 * are ignored. */
typedef struct mlpot_element_label {
    int z;
    const char *label;
} mlpot_element_label;

/* Stillinger-Weber from a LAMMPS .sw file (multi-element; labels may be NULL). Element
 * triplets missing from the file are an error only for structures that need them. */
MLPOT_API mlpot_status mlpot_sw_load(const char *path, const mlpot_element_label *labels,
                                     int n_labels, mlpot_potential **out, mlpot_error *err);

/* Tersoff from a LAMMPS .tersoff file (multi-element; labels as for mlpot_sw_load). */
MLPOT_API mlpot_status mlpot_tersoff_load(const char *path, const mlpot_element_label *labels,
                                          int n_labels, mlpot_potential **out, mlpot_error *err);

/* Embedded-atom method from LAMMPS files: "funcfl" files (pair_style eam, one element each,
 * cross pairs from the effective charges as LAMMPS does) or one "setfl" file (pair_style
 * eam/alloy) or one Finnis-Sinclair file (pair_style eam/fs). */
typedef enum mlpot_eam_format {
    MLPOT_EAM_FUNCFL,
    MLPOT_EAM_SETFL,
    MLPOT_EAM_FS
} mlpot_eam_format;
MLPOT_API mlpot_status mlpot_eam_load(mlpot_eam_format format, const char *const *paths,
                                      int n_paths, mlpot_potential **out, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
