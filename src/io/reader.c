/* The streaming reader: one frame at a time from any supported format. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/formats.h"

struct mlpot_reader {
    mlpot_format format;
    mlpot_io_options options;
    line_reader lines;     /* text formats */
    array_source *arrays;  /* DeePMD, npz */
};

mlpot_status mlpot_reader_open(const char *path, const mlpot_io_options *opt, mlpot_reader **out,
                               mlpot_error *err)
{
    *out = NULL;
    mlpot_io_options defaults;
    mlpot_io_options_default(&defaults);
    if (!opt) opt = &defaults;
    mlpot_format format = opt->format;
    mlpot_status st;
    if (format == MLPOT_FORMAT_AUTO && (st = mlpot_format_detect(path, &format, err))) return st;
    if (format == MLPOT_FORMAT_LAMMPS_DATA)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%s: mlpot writes LAMMPS data files but does not read them", path);
    mlpot_reader *r = calloc(1, sizeof *r);
    if (!r) return mlpot_fail_memory(err, "opening a reader");
    r->format = format;
    r->options = *opt;
    switch (format) {
    case MLPOT_FORMAT_EXTXYZ:
    case MLPOT_FORMAT_N2P2: st = line_reader_open(&r->lines, path, err); break;
    case MLPOT_FORMAT_DEEPMD: st = deepmd_open(path, opt, &r->arrays, err); break;
    case MLPOT_FORMAT_NPZ: st = npz_open(path, opt, &r->arrays, err); break;
    default: st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: cannot read format %s", path, mlpot_format_name(format));
    }
    if (st) {
        free(r);
        return st;
    }
    *out = r;
    return MLPOT_OK;
}

mlpot_status mlpot_reader_next(mlpot_reader *r, mlpot_structure *s, int *done, mlpot_error *err)
{
    switch (r->format) {
    case MLPOT_FORMAT_EXTXYZ: return extxyz_read_frame(&r->lines, &r->options, s, done, err);
    case MLPOT_FORMAT_N2P2: return n2p2_read_frame(&r->lines, &r->options, s, done, err);
    default: return array_source_next(r->arrays, s, done, err);
    }
}

void mlpot_reader_close(mlpot_reader *r)
{
    if (!r) return;
    if (r->arrays) array_source_close(r->arrays);
    if (r->lines.file) line_reader_close(&r->lines);
    free(r);
}

mlpot_format mlpot_reader_format(const mlpot_reader *r)
{
    return r->format;
}

mlpot_status mlpot_dataset_read(const char *path, const mlpot_io_options *opt, mlpot_dataset *d,
                                mlpot_error *err)
{
    mlpot_reader *r;
    mlpot_status st = mlpot_reader_open(path, opt, &r, err);
    if (st) return st;
    mlpot_structure s;
    mlpot_structure_init(&s);
    for (;;) {
        int done = 0;
        if ((st = mlpot_reader_next(r, &s, &done, err)) || done) break;
        if ((st = mlpot_dataset_push(d, &s, err))) break;
    }
    mlpot_structure_free(&s);
    mlpot_reader_close(r);
    return st;
}
