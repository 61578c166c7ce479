/* Atom-centred symmetry functions (Behler-Parrinello ACSF) as a descriptor, with n2p2's
 * definitions: every short-range type n2p2 has (radial 2, angular 3 and 9, element-weighted
 * 12 and 13, polynomial/compact 20-25), every cutoff function (cutoff_type 0-8 with the shift
 * α), n2p2's parameter conventions and its sorted order of the functions of each element.
 *
 * Definitions come in n2p2's settings format (the lines of an input.nn that define symmetry
 * functions; other keywords are ignored):
 *     elements H O
 *     cutoff_type 2                   # type [alpha]
 *     symfunction_short H 2 O 0.01 0.0 12.0
 *     symfunction_short O 3 H H 0.07 -1.0 1.0 12.0
 * Feature k of an element is its k-th function in n2p2's order (mlpot_acsf_describe_feature
 * names it), which is also the order of n2p2's scaling.data and of its networks' inputs.
 * Lengths are in the unit of the definitions (Å for mlpot structures unless a model says
 * otherwise).
 *
 * Both derivative paths of descriptor.h are available: the Jacobian (MLPOT_FEATURES_GRADIENTS,
 * for fitting forces) and back-propagation of dE/dG into forces and per-atom virials without
 * forming it (inference). */
#ifndef MLPOT_ACSF_H
#define MLPOT_ACSF_H

#include <stddef.h>

#include "mlpot/descriptor.h"
#include "mlpot/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlpot_acsf_options {
    /* features as an n2p2 network sees them: scaled with the scaling.data next to the input.nn
     * (and its scale_* / center_* keywords) */
    int scaled;
    /* accept keywords n2p2 does not know (otherwise refused with the line and a suggestion) */
    int ignore_unknown_keywords;
} mlpot_acsf_options;

/* From an n2p2 settings file, or a folder holding input.nn (an n2p2 model folder). options may
 * be NULL. The descriptor's style is "acsf". */
MLPOT_API mlpot_status mlpot_acsf_load(const char *path, const mlpot_acsf_options *options,
                                       mlpot_descriptor **out, mlpot_error *err);

/* From settings text in memory (as above, without scaling). */
MLPOT_API mlpot_status mlpot_acsf_parse(const char *settings, mlpot_descriptor **out,
                                        mlpot_error *err);

/* One line naming feature k (0-based) of atomic number z: "O 12: O 3 H H 0.07 -1 1 12 (line 58)". */
MLPOT_API mlpot_status mlpot_acsf_describe_feature(const mlpot_descriptor *d, int z, int k,
                                                   char *buf, size_t size, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
