/* n2p2's symmetry-function scaling (scaling.data and the scale_* / center_* keywords of
 * input.nn): the affine map from raw symmetry functions to a network's inputs, and the range
 * seen in training that defines extrapolation.
 *
 *   scale_symmetry_functions                       G̃ = S_min + (S_max - S_min)(G - G_min)/(G_max - G_min)
 *   center_symmetry_functions                      G̃ = G - <G>
 *   both                                           G̃ = S_min + (S_max - S_min)(G - <G>)/(G_max - G_min)
 *   scale_symmetry_functions_sigma (alone)         G̃ = S_min + (S_max - S_min)(G - <G>)/σ_G
 *   none                                           G̃ = G
 * S_min, S_max from scale_min_short / scale_max_short (default 0 and 1). scaling.data has one
 * line "element symmetry-function min max mean [sigma]" per function, elements by atomic number,
 * functions in n2p2's sorted order. A value counts as extrapolated, as in n2p2, when it lies
 * more than 1000 machine epsilons outside [G_min, G_max]. */
#ifndef MLPOT_DESCRIPTORS_ACSF_SCALING_H
#define MLPOT_DESCRIPTORS_ACSF_SCALING_H

#include "descriptors/acsf_set.h"
#include "io/n2p2_settings.h"

enum acsf_scaling_type { ACSF_SCALE_NONE, ACSF_SCALE, ACSF_CENTER, ACSF_SCALE_CENTER, ACSF_SCALE_SIGMA };

typedef struct acsf_scaling_element {
    double *gmin, *gmax, *gmean, *gsigma; /* from scaling.data (±inf / 0 without the file) */
    double *factor, *shift;               /* G̃ = smin + factor (G - shift) */
} acsf_scaling_element;

typedef struct acsf_scaling {
    int type;
    double smin, smax;
    int n_elements;
    acsf_scaling_element *elements;
} acsf_scaling;

/* The scaling type (enum acsf_scaling_type) the settings' keywords ask for, in n2p2's precedence. */
int acsf_scaling_type_of(const n2p2_settings *s);

/* The scaling the settings ask for, with statistics from `path` (scaling.data). A missing file
 * is an error unless the settings ask for no scaling. Messages name the file and line. */
mlpot_status acsf_scaling_read(acsf_scaling *sc, const acsf_set *set, const n2p2_settings *s, const char *path,
                               mlpot_error *err);

/* A scaling of the given type and range with unset statistics (min -inf, max +inf, mean and
 * sigma 0), for the caller to fill (training) before acsf_scaling_factors. */
mlpot_status acsf_scaling_create(acsf_scaling *sc, const acsf_set *set, int type, double smin, double smax,
                                 mlpot_error *err);
/* factor and shift of every function from the type and statistics; `source` names the
 * statistics in messages. */
mlpot_status acsf_scaling_factors(acsf_scaling *sc, const acsf_set *set, const char *source, mlpot_error *err);
void acsf_scaling_free(acsf_scaling *sc);

/* scaled[k] from G[k] for element e (n functions); returns how many lie outside the range. */
int acsf_scaling_apply(const acsf_scaling *sc, int e, int n, const double *G, double *scaled);

/* Whether G is outside function k's training range (n2p2's tolerance). */
int acsf_scaling_outside(const acsf_scaling *sc, int e, int k, double G);

const char *acsf_scaling_name(int type);

#endif
