/* The per-format readers and writers behind mlpot_reader / mlpot_writer. */
#ifndef MLPOT_IO_FORMATS_H
#define MLPOT_IO_FORMATS_H

#include <stdio.h>

#include "io/lines.h"
#include "mlpot/io.h"

/* Text formats read frame by frame from a line reader; *done at the end of the input. */
mlpot_status extxyz_read_frame(line_reader *r, const mlpot_io_options *opt, mlpot_structure *s,
                               int *done, mlpot_error *err);
mlpot_status n2p2_read_frame(line_reader *r, const mlpot_io_options *opt, mlpot_structure *s,
                             int *done, mlpot_error *err);
mlpot_status n2p2_write_frame(FILE *f, const mlpot_structure *s, const mlpot_io_options *opt,
                              mlpot_error *err);
mlpot_status lammps_data_write(FILE *f, const mlpot_structure *s, const mlpot_io_options *opt,
                               mlpot_error *err);

/* Array sources (DeePMD folders, npz archives): opened once, then frame by frame. */
typedef struct array_source array_source;
mlpot_status deepmd_open(const char *path, const mlpot_io_options *opt, array_source **out,
                         mlpot_error *err);
mlpot_status npz_open(const char *path, const mlpot_io_options *opt, array_source **out,
                      mlpot_error *err);
mlpot_status array_source_next(array_source *src, mlpot_structure *s, int *done, mlpot_error *err);
void array_source_close(array_source *src);

/* Factors from the file's units to eV and Å (1 when the format has no units and none were
 * given). */
void io_unit_factors(const mlpot_io_options *opt, double *energy, double *length);

#endif
