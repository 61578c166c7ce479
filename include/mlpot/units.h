/* Units and physical constants.
 *
 * mlpot works internally in eV, Å, amu, fs, K and the elementary charge e. Stress is in eV/Å³
 * with ASE's sign convention (stress = -virial/volume, positive under tension). Other units enter
 * only through the explicit factors below, all derived from exact SI definitions and CODATA 2018. */
#ifndef MLPOT_UNITS_H
#define MLPOT_UNITS_H

#include "mlpot/export.h"
#include "mlpot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CODATA 2018 (the SI-defining constants are exact). */
#define MLPOT_ELEMENTARY_CHARGE_C 1.602176634e-19    /* C, exact */
#define MLPOT_AVOGADRO 6.02214076e23                 /* 1/mol, exact */
#define MLPOT_BOLTZMANN_J_PER_K 1.380649e-23         /* J/K, exact */
#define MLPOT_ATOMIC_MASS_UNIT_KG 1.66053906660e-27  /* kg */
#define MLPOT_HARTREE_EV 27.211386245988             /* eV */
#define MLPOT_BOHR_ANGSTROM 0.529177210903           /* Å */
#define MLPOT_VACUUM_PERMITTIVITY 8.8541878128e-12   /* F/m */
#define MLPOT_PI 3.14159265358979323846

/* Derived factors: multiply a value in the named unit by the factor to get mlpot's unit. */
#define MLPOT_BOLTZMANN_EV_PER_K (MLPOT_BOLTZMANN_J_PER_K / MLPOT_ELEMENTARY_CHARGE_C)
#define MLPOT_KJ_PER_MOL_EV (1.0e3 / (MLPOT_AVOGADRO * MLPOT_ELEMENTARY_CHARGE_C))
#define MLPOT_KCAL_PER_MOL_EV (4.184 * MLPOT_KJ_PER_MOL_EV) /* thermochemical calorie */
#define MLPOT_HARTREE_PER_BOHR_EV_PER_ANGSTROM (MLPOT_HARTREE_EV / MLPOT_BOHR_ANGSTROM)
/* 1 eV/Å³ in GPa and kBar (1 kBar = 0.1 GPa). */
#define MLPOT_EV_PER_A3_GPA (MLPOT_ELEMENTARY_CHARGE_C * 1.0e30 * 1.0e-9)
#define MLPOT_EV_PER_A3_KBAR (MLPOT_EV_PER_A3_GPA * 10.0)
/* Kinetic energy: (1 amu)·(1 Å/fs)² in eV; a = F/m in eV/(Å·amu) times 1/this gives Å/fs². */
#define MLPOT_AMU_A2_PER_FS2_EV (MLPOT_ATOMIC_MASS_UNIT_KG * 1.0e10 / MLPOT_ELEMENTARY_CHARGE_C)
/* Coulomb constant e²/(4πε₀) in eV·Å. */
#define MLPOT_COULOMB_EV_ANGSTROM \
    (MLPOT_ELEMENTARY_CHARGE_C / (4.0 * MLPOT_PI * MLPOT_VACUUM_PERMITTIVITY) * 1.0e10)

/* Energy and length units a file or model may be stated in. */
typedef enum mlpot_energy_unit {
    MLPOT_UNIT_EV = 0,
    MLPOT_UNIT_HARTREE,
    MLPOT_UNIT_KCAL_PER_MOL,
    MLPOT_UNIT_KJ_PER_MOL,
    MLPOT_UNIT_RYDBERG,
    MLPOT_UNIT_MEV
} mlpot_energy_unit;

typedef enum mlpot_length_unit {
    MLPOT_UNIT_ANGSTROM = 0,
    MLPOT_UNIT_BOHR,
    MLPOT_UNIT_NM
} mlpot_length_unit;

/* Size in eV of one unit of the given kind, and in Å of one length unit. */
MLPOT_API double mlpot_energy_unit_in_ev(mlpot_energy_unit unit);
MLPOT_API double mlpot_length_unit_in_angstrom(mlpot_length_unit unit);

/* Parse names such as "eV", "Hartree"/"Ha", "kcal/mol", "kJ/mol", "Ry", "meV";
 * "A"/"Angstrom"/"Å", "Bohr"/"au", "nm". Case-insensitive. */
MLPOT_API mlpot_status mlpot_energy_unit_parse(const char *name, mlpot_energy_unit *unit,
                                               mlpot_error *err);
MLPOT_API mlpot_status mlpot_length_unit_parse(const char *name, mlpot_length_unit *unit,
                                               mlpot_error *err);
MLPOT_API const char *mlpot_energy_unit_name(mlpot_energy_unit unit);
MLPOT_API const char *mlpot_length_unit_name(mlpot_length_unit unit);

#ifdef __cplusplus
}
#endif

#endif
