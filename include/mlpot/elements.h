/* The periodic table: symbols and standard atomic masses (the same table as ASE's
 * ase.data.atomic_masses, IUPAC 2016 standard atomic weights, so masses agree with ASE). */
#ifndef MLPOT_ELEMENTS_H
#define MLPOT_ELEMENTS_H

#include "mlpot/export.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { MLPOT_MAX_ELEMENT = 118 };

/* Atomic number for an exact symbol ("Si", "Cu"; case matters as in ASE), 0 if unknown. */
MLPOT_API int mlpot_element_number(const char *symbol);

/* Symbol of atomic number z (1..118), or NULL. */
MLPOT_API const char *mlpot_element_symbol(int z);

/* Standard atomic mass in amu of atomic number z, or 0 when z is out of range. */
MLPOT_API double mlpot_element_mass(int z);

#ifdef __cplusplus
}
#endif

#endif
