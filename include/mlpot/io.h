/* Reading and writing structures.
 *
 * Formats: extended XYZ (as ASE reads and writes it), n2p2/RuNNer input.data, DeePMD-kit system
 * folders (read), rMD17 .npz archives (read) and LAMMPS data files (write). The format is
 * detected from the path's extension or content unless given.
 *
 * Readers stream: mlpot_reader_next() returns one frame at a time, so memory stays O(one frame)
 * while iterating (DeePMD and npz sources hold their arrays, which are stored per file).
 * Writers write to a temporary file next to the target and rename it on commit, so a failed
 * or interrupted run never leaves a partial output behind. */
#ifndef MLPOT_IO_H
#define MLPOT_IO_H

#include <stdio.h>

#include "mlpot/export.h"
#include "mlpot/status.h"
#include "mlpot/structure.h"
#include "mlpot/units.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mlpot_format {
    MLPOT_FORMAT_AUTO = 0,
    MLPOT_FORMAT_EXTXYZ,
    MLPOT_FORMAT_N2P2,       /* n2p2/RuNNer input.data */
    MLPOT_FORMAT_DEEPMD,     /* DeePMD-kit system folder (type.raw, set.*) */
    MLPOT_FORMAT_NPZ,        /* rMD17-style .npz (nuclear_charges, coords, energies, forces) */
    MLPOT_FORMAT_LAMMPS_DATA /* LAMMPS data file, atom_style atomic or charge (write only) */
} mlpot_format;

/* Options of readers and writers. Initialise with mlpot_io_options_default(). */
typedef struct mlpot_io_options {
    mlpot_format format;
    /* Names of the label keys (extxyz info keys / per-atom columns). NULL: the defaults
     * "energy" (falling back to "free_energy"), "forces" (falling back to "force"),
     * "stress", "virial", "charges" (falling back to "charge" and "initial_charges", the names
     * under which ASE writes charges), "energies". */
    const char *energy_key;
    const char *forces_key;
    const char *stress_key;
    const char *virial_key;
    const char *charges_key;
    const char *atom_energies_key;
    /* Units the file's numbers are in (converted to eV and Å on reading, back on writing).
     * Readers that know their format's units (rMD17: kcal/mol) start from those. */
    mlpot_energy_unit energy_unit;
    mlpot_length_unit length_unit;
    int units_given; /* 1: energy_unit/length_unit override the format's own units */
    /* Writers: significant digits for reals (default 17, enough to round-trip doubles). */
    int precision;
    /* LAMMPS data writer: element order for the atom types (NULL: species sorted by Z). */
    const int *type_order;
    int n_types;
} mlpot_io_options;

MLPOT_API void mlpot_io_options_default(mlpot_io_options *opt);

/* Names: "extxyz", "n2p2", "deepmd", "npz", "lammps-data". */
MLPOT_API mlpot_status mlpot_format_parse(const char *name, mlpot_format *format, mlpot_error *err);
MLPOT_API const char *mlpot_format_name(mlpot_format format);
/* The format of an existing path from its extension, name or content. */
MLPOT_API mlpot_status mlpot_format_detect(const char *path, mlpot_format *format,
                                           mlpot_error *err);

/* --- reading ---------------------------------------------------------------------------- */

typedef struct mlpot_reader mlpot_reader;

/* Opens path ("-" is standard input, extxyz or n2p2 only). */
MLPOT_API mlpot_status mlpot_reader_open(const char *path, const mlpot_io_options *opt,
                                         mlpot_reader **out, mlpot_error *err);
/* Reads the next frame into s (replacing its content). *done is set to 1 at the end of the
 * input, with s left empty. Errors name the file and line. */
MLPOT_API mlpot_status mlpot_reader_next(mlpot_reader *r, mlpot_structure *s, int *done,
                                         mlpot_error *err);
MLPOT_API void mlpot_reader_close(mlpot_reader *r);
MLPOT_API mlpot_format mlpot_reader_format(const mlpot_reader *r);

/* Reads every frame of path into d (appending). */
MLPOT_API mlpot_status mlpot_dataset_read(const char *path, const mlpot_io_options *opt,
                                          mlpot_dataset *d, mlpot_error *err);

/* --- writing ---------------------------------------------------------------------------- */

typedef struct mlpot_writer mlpot_writer;

/* Opens a writer for path ("-" is standard output, written directly). The format comes from
 * the options or the extension (extxyz when unknown). */
MLPOT_API mlpot_status mlpot_writer_open(const char *path, const mlpot_io_options *opt,
                                         mlpot_writer **out, mlpot_error *err);
MLPOT_API mlpot_status mlpot_writer_write(mlpot_writer *w, const mlpot_structure *s,
                                          mlpot_error *err);
/* Flushes, syncs and renames the temporary file onto the target, then frees the writer. */
MLPOT_API mlpot_status mlpot_writer_commit(mlpot_writer *w, mlpot_error *err);
/* Removes the temporary file and frees the writer (for error paths). NULL-safe. */
MLPOT_API void mlpot_writer_abort(mlpot_writer *w);

/* Writes every frame of d to path (atomically). */
MLPOT_API mlpot_status mlpot_dataset_write(const char *path, const mlpot_io_options *opt,
                                           const mlpot_dataset *d, mlpot_error *err);

/* One frame in extended XYZ to an open stream (no atomic rename; for logs and pipes). */
MLPOT_API mlpot_status mlpot_extxyz_write_frame(FILE *f, const mlpot_structure *s,
                                                const mlpot_io_options *opt, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
