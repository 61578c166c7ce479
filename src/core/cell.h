/* Internal cell geometry helpers (the public ones are declared in mlpot/structure.h). */
#ifndef MLPOT_CORE_CELL_H
#define MLPOT_CORE_CELL_H

#include "mlpot/structure.h"

double mlpot_det3(const double *m);

/* A full-rank basis for a cell with periodicity pbc: periodic lattice vectors are kept, open
 * directions get unit vectors completing them (perpendicular to the periodic ones). Shifting a
 * point by a periodic lattice vector changes its fractional coordinate along that vector by
 * exactly one and leaves the others, which is all that wrapping and binning need. The periodic
 * vectors must be non-degenerate (mlpot_structure_validate). */
void mlpot_cell_complete(const double *cell, const int pbc[3], double *basis);

#endif
