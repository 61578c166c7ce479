/* A frame's own noise levels for fitting: gap_fit's per-configuration extxyz info keys
 * energy_sigma (eV, of the frame's whole energy), force_sigma (eV/Å) and virial_sigma (eV),
 * absolute, as gap_fit reads them. mlpot fit takes them as they are; mlpot train turns them into
 * its per-atom energy and per-component stress noise levels. */
#ifndef MLPOT_CORE_FRAME_SIGMA_H
#define MLPOT_CORE_FRAME_SIGMA_H

#include "mlpot/structure.h"

enum { FRAME_SIGMA_ENERGY = 0, FRAME_SIGMA_FORCE = 1, FRAME_SIGMA_VIRIAL = 2 };

extern const char *const frame_sigma_keys[3];

/* Stores each key s has in sigma[k] (the others are left as they are) and returns the bit set
 * of those (bit k for key k); returns -1 - k when key k is there but not a positive finite
 * number. */
int frame_sigma_read(const mlpot_structure *s, double sigma[3]);

#endif
