/* An atomic structure: species, positions, cell and periodicity, with optional reference labels
 * (energy, forces, stress or virial, charges, per-atom energies) and everything else a file
 * carried (per-config key=value info, extra per-atom columns), kept so that it round-trips.
 *
 * The struct is transparent: models read its arrays directly. Its arrays are owned by the
 * structure and managed by the functions below (init/resize/copy/free); a caller may write
 * into them but must not free or replace them.
 *
 * Conventions: positions in Å; cell rows are the lattice vectors a, b, c (as ASE); pbc[k]
 * says whether lattice vector k is periodic; energy in eV; forces eV/Å; stress eV/Å³ with
 * ASE's sign; virial in eV, virial = -stress * volume. */
#ifndef MLPOT_STRUCTURE_H
#define MLPOT_STRUCTURE_H

#include <stddef.h>

#include "mlpot/export.h"
#include "mlpot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which optional labels a structure carries (bit set in mlpot_structure.labels). */
enum mlpot_label {
    MLPOT_LABEL_ENERGY = 1u << 0,       /* energy */
    MLPOT_LABEL_FORCES = 1u << 1,       /* forces[3n] */
    MLPOT_LABEL_STRESS = 1u << 2,       /* stress[9] (eV/Å³), as read from a stress= key */
    MLPOT_LABEL_VIRIAL = 1u << 3,       /* virial[9] (eV), as read from a virial= key */
    MLPOT_LABEL_CHARGES = 1u << 4,      /* charges[n] (e) */
    MLPOT_LABEL_ATOM_ENERGIES = 1u << 5,/* atom_energies[n] */
    MLPOT_LABEL_TOTAL_CHARGE = 1u << 6  /* total_charge */
};

/* Type of an extra per-atom column, with extxyz's letters. */
typedef enum mlpot_property_type {
    MLPOT_PROPERTY_REAL = 'R',
    MLPOT_PROPERTY_INT = 'I',
    MLPOT_PROPERTY_LOGICAL = 'L',
    MLPOT_PROPERTY_STRING = 'S'
} mlpot_property_type;

/* A per-atom column that is not one of the structure's own fields (e.g. "map_shift:I:3").
 * Exactly one of the data pointers is used, laid out atom-major: value(i, c) = data[i*ncols+c]. */
typedef struct mlpot_atom_property {
    char *name;
    mlpot_property_type type;
    int ncols;
    double *real;    /* REAL */
    long *integer;   /* INT and LOGICAL (0 or 1) */
    char **string;   /* STRING, each owned */
} mlpot_atom_property;

/* A per-configuration key=value pair, value stored as the text it had in the file (quotes
 * removed, escapes resolved) so that it is written back unchanged. */
typedef struct mlpot_info_entry {
    char *key;
    char *value;
} mlpot_info_entry;

typedef struct mlpot_structure {
    int n_atoms;
    int *numbers;          /* atomic numbers [n_atoms] */
    double *positions;     /* [3*n_atoms], Å */
    double cell[3][3];     /* rows are lattice vectors, Å */
    int pbc[3];            /* 1 where periodic along cell[k] */
    double *masses;        /* [n_atoms] amu, or NULL for the standard masses of the elements */

    unsigned labels;       /* bit set of enum mlpot_label */
    double energy;
    double *forces;        /* [3*n_atoms] when MLPOT_LABEL_FORCES */
    double stress[9];      /* row-major 3x3 when MLPOT_LABEL_STRESS */
    double virial[9];      /* row-major 3x3 when MLPOT_LABEL_VIRIAL */
    double *charges;       /* [n_atoms] when MLPOT_LABEL_CHARGES */
    double *atom_energies; /* [n_atoms] when MLPOT_LABEL_ATOM_ENERGIES */
    double total_charge;   /* when MLPOT_LABEL_TOTAL_CHARGE */

    double weight;         /* per-configuration weight for fitting, default 1 (extxyz config_weight) */
    char *config_type;     /* NULL when none */

    int n_info;
    mlpot_info_entry *info;
    int n_properties;
    mlpot_atom_property *properties;

    /* Where the structure came from, for messages: file name (owned, may be NULL) and the
     * 1-based line (or frame index for binary formats) where it starts. */
    char *source;
    long source_line;
} mlpot_structure;

/* An empty structure (no atoms, zero cell, open boundaries, weight 1). */
MLPOT_API void mlpot_structure_init(mlpot_structure *s);

/* Releases everything the structure owns and leaves it empty (as after init). */
MLPOT_API void mlpot_structure_free(mlpot_structure *s);

/* Sets the number of atoms, (re)allocating numbers and positions; label arrays and extra
 * properties are dropped (their contents would no longer match). */
MLPOT_API mlpot_status mlpot_structure_resize(mlpot_structure *s, int n_atoms, mlpot_error *err);

/* Allocates (zeroed) the array of a per-atom label and sets its bit: MLPOT_LABEL_FORCES,
 * MLPOT_LABEL_CHARGES or MLPOT_LABEL_ATOM_ENERGIES. Scalars and 3x3 labels need no allocation. */
MLPOT_API mlpot_status mlpot_structure_add_label(mlpot_structure *s, unsigned label,
                                                 mlpot_error *err);

/* Allocates per-atom masses initialised to the standard masses of the elements. */
MLPOT_API mlpot_status mlpot_structure_add_masses(mlpot_structure *s, mlpot_error *err);

/* Deep copy of src into dst (dst is freed first; dst may be freshly initialised). */
MLPOT_API mlpot_status mlpot_structure_copy(mlpot_structure *dst, const mlpot_structure *src,
                                            mlpot_error *err);

/* Mass of atom i: masses[i] when set, else the standard mass of its element. */
MLPOT_API double mlpot_structure_mass(const mlpot_structure *s, int i);

/* Volume |a·(b×c)| of the cell (may be 0 for an open structure without a cell). */
MLPOT_API double mlpot_structure_volume(const mlpot_structure *s);

/* The virial label in eV, from virial= directly or from stress= (virial = -stress·V).
 * MLPOT_ERR_MISSING when neither is present, MLPOT_ERR_GEOMETRY for stress without volume. */
MLPOT_API mlpot_status mlpot_structure_get_virial(const mlpot_structure *s, double virial[9],
                                                  mlpot_error *err);
/* The stress label in eV/Å³ (from stress= or -virial/V). */
MLPOT_API mlpot_status mlpot_structure_get_stress(const mlpot_structure *s, double stress[9],
                                                  mlpot_error *err);

/* Checks what every consumer relies on: valid atomic numbers, finite positions, labels and
 * cell, a periodic direction with a non-degenerate lattice vector, positive volume when all
 * three directions are periodic. The message names s->source and s->source_line. */
MLPOT_API mlpot_status mlpot_structure_validate(const mlpot_structure *s, mlpot_error *err);

/* Per-config info: value of key or NULL; set (copies key and value, replaces an existing key);
 * remove (no-op when absent). */
MLPOT_API const char *mlpot_structure_info(const mlpot_structure *s, const char *key);
MLPOT_API mlpot_status mlpot_structure_set_info(mlpot_structure *s, const char *key,
                                                const char *value, mlpot_error *err);
MLPOT_API void mlpot_structure_remove_info(mlpot_structure *s, const char *key);

/* Extra per-atom columns: find by name (NULL when absent); add a zero-initialised column of the
 * given type and width (replacing one of the same name); remove. */
MLPOT_API mlpot_atom_property *mlpot_structure_property(const mlpot_structure *s, const char *name);
MLPOT_API mlpot_status mlpot_structure_add_property(mlpot_structure *s, const char *name,
                                                    mlpot_property_type type, int ncols,
                                                    mlpot_atom_property **out, mlpot_error *err);
MLPOT_API void mlpot_structure_remove_property(mlpot_structure *s, const char *name);

/* Sets the source name and line used in messages. */
MLPOT_API mlpot_status mlpot_structure_set_source(mlpot_structure *s, const char *source,
                                                  long line, mlpot_error *err);

/* --- cell geometry ------------------------------------------------------------------- */

/* 3x3 matrices are passed as pointers to 9 doubles, row-major (&s->cell[0][0]). */

/* Inverse of a 3x3 matrix; MLPOT_ERR_GEOMETRY when |det| is tiny. */
MLPOT_API mlpot_status mlpot_matrix3_inverse(const double *m, double *inv, mlpot_error *err);

/* Fractional coordinates f of a Cartesian point x in the cell (x = f·cell). */
MLPOT_API void mlpot_cell_fractional(const double *inverse_cell, const double x[3], double f[3]);

/* Distances between the opposite faces of the cell (volume / |b×c| etc.); 0 for a degenerate
 * cell. A cutoff rc needs ceil(rc / height[k]) images along a periodic direction k. */
MLPOT_API void mlpot_cell_heights(const double *cell, double height[3]);

/* Wraps the positions of periodic directions into the cell, [0,1) in fractional coordinates. */
MLPOT_API mlpot_status mlpot_structure_wrap(mlpot_structure *s, mlpot_error *err);

/* Builds the na x nb x nc supercell of s (labels: energy and virial scale with the count,
 * forces, charges and per-atom energies repeat). */
MLPOT_API mlpot_status mlpot_structure_supercell(const mlpot_structure *s, const int repeat[3],
                                                 mlpot_structure *out, mlpot_error *err);

/* --- datasets ------------------------------------------------------------------------- */

/* An ordered collection of structures. */
typedef struct mlpot_dataset {
    size_t n_frames;
    size_t capacity;
    mlpot_structure *frames;
} mlpot_dataset;

MLPOT_API void mlpot_dataset_init(mlpot_dataset *d);
MLPOT_API void mlpot_dataset_free(mlpot_dataset *d);
/* Appends a structure by moving it: *s is left empty (initialised) afterwards. */
MLPOT_API mlpot_status mlpot_dataset_push(mlpot_dataset *d, mlpot_structure *s, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
