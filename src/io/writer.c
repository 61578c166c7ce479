/* Writers write into a temporary file beside the target and rename it on commit, so that an
 * interrupted or failed run never leaves a truncated output under the real name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/memory.h"
#include "io/formats.h"

struct mlpot_writer {
    mlpot_format format;
    mlpot_io_options options;
    FILE *file;       /* the temporary file, or standard output */
    atomic_file out;  /* unused for standard output */
    const char *path; /* target (out.path), NULL for standard output */
    long frames;
};

static mlpot_format format_for_output(const char *path, mlpot_format given)
{
    if (given != MLPOT_FORMAT_AUTO) return given;
    size_t n = strlen(path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strcmp(base, "input.data") || (n > 5 && !strcmp(path + n - 5, ".data") && strstr(base, "input")))
        return MLPOT_FORMAT_N2P2;
    if ((n > 4 && !strcmp(path + n - 4, ".lmp")) || (n > 7 && !strcmp(path + n - 7, ".lammps")))
        return MLPOT_FORMAT_LAMMPS_DATA;
    return MLPOT_FORMAT_EXTXYZ;
}

mlpot_status mlpot_writer_open(const char *path, const mlpot_io_options *opt, mlpot_writer **out,
                               mlpot_error *err)
{
    *out = NULL;
    mlpot_io_options defaults;
    mlpot_io_options_default(&defaults);
    if (!opt) opt = &defaults;
    mlpot_writer *w = calloc(1, sizeof *w);
    if (!w) return mlpot_fail_memory(err, "opening a writer");
    w->options = *opt;
    w->format = format_for_output(path, opt->format);
    if (w->format == MLPOT_FORMAT_DEEPMD || w->format == MLPOT_FORMAT_NPZ) {
        free(w);
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%s: mlpot reads %s but does not write it",
                          path, mlpot_format_name(opt->format));
    }
    if (!strcmp(path, "-")) {
        w->file = stdout;
        *out = w;
        return MLPOT_OK;
    }
    mlpot_status st = atomic_file_open(&w->out, path, err);
    if (st) {
        free(w);
        return st;
    }
    w->file = w->out.file;
    w->path = w->out.path;
    *out = w;
    return MLPOT_OK;
}

mlpot_status mlpot_writer_write(mlpot_writer *w, const mlpot_structure *s, mlpot_error *err)
{
    mlpot_status st;
    switch (w->format) {
    case MLPOT_FORMAT_N2P2: st = n2p2_write_frame(w->file, s, &w->options, err); break;
    case MLPOT_FORMAT_LAMMPS_DATA:
        if (w->frames > 0)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: a LAMMPS data file holds one structure",
                              w->path ? w->path : "<stdout>");
        st = lammps_data_write(w->file, s, &w->options, err);
        break;
    default: st = mlpot_extxyz_write_frame(w->file, s, &w->options, err);
    }
    if (!st) w->frames++;
    else if (w->path) mlpot_error_prepend(err, "%s: ", w->path);
    return st;
}

mlpot_status mlpot_writer_commit(mlpot_writer *w, mlpot_error *err)
{
    mlpot_status st = MLPOT_OK;
    if (!w->path) { /* standard output */
        if (fflush(w->file) != 0) st = mlpot_fail(err, MLPOT_ERR_IO, "<stdout>: write error");
    } else {
        st = atomic_file_commit(&w->out, err);
    }
    free(w);
    return st;
}

void mlpot_writer_abort(mlpot_writer *w)
{
    if (!w) return;
    atomic_file_abort(&w->out);
    free(w);
}

mlpot_status mlpot_dataset_write(const char *path, const mlpot_io_options *opt,
                                 const mlpot_dataset *d, mlpot_error *err)
{
    mlpot_writer *w;
    mlpot_status st = mlpot_writer_open(path, opt, &w, err);
    if (st) return st;
    for (size_t k = 0; k < d->n_frames; ++k)
        if ((st = mlpot_writer_write(w, &d->frames[k], err))) {
            mlpot_writer_abort(w);
            return st;
        }
    return mlpot_writer_commit(w, err);
}
