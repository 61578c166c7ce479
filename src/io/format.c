/* Format names, detection from a path's name or content, default options. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/error.h"
#include "io/formats.h"

void mlpot_io_options_default(mlpot_io_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->format = MLPOT_FORMAT_AUTO;
    opt->energy_unit = MLPOT_UNIT_EV;
    opt->length_unit = MLPOT_UNIT_ANGSTROM;
    opt->precision = 17;
}

void io_unit_factors(const mlpot_io_options *opt, double *energy, double *length)
{
    *energy = opt->units_given ? mlpot_energy_unit_in_ev(opt->energy_unit) : 1.0;
    *length = opt->units_given ? mlpot_length_unit_in_angstrom(opt->length_unit) : 1.0;
}

static const struct {
    const char *name;
    mlpot_format format;
} NAMES[] = {
    {"extxyz", MLPOT_FORMAT_EXTXYZ}, {"xyz", MLPOT_FORMAT_EXTXYZ},
    {"n2p2", MLPOT_FORMAT_N2P2},     {"runner", MLPOT_FORMAT_N2P2},
    {"deepmd", MLPOT_FORMAT_DEEPMD}, {"npz", MLPOT_FORMAT_NPZ},
    {"lammps-data", MLPOT_FORMAT_LAMMPS_DATA},
};

mlpot_status mlpot_format_parse(const char *name, mlpot_format *format, mlpot_error *err)
{
    for (size_t k = 0; k < sizeof NAMES / sizeof NAMES[0]; ++k)
        if (strcasecmp(name, NAMES[k].name) == 0) {
            *format = NAMES[k].format;
            return MLPOT_OK;
        }
    return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                      "unknown format '%s' (known: extxyz, n2p2, deepmd, npz, lammps-data)", name);
}

const char *mlpot_format_name(mlpot_format format)
{
    switch (format) {
    case MLPOT_FORMAT_AUTO: return "auto";
    case MLPOT_FORMAT_EXTXYZ: return "extxyz";
    case MLPOT_FORMAT_N2P2: return "n2p2";
    case MLPOT_FORMAT_DEEPMD: return "deepmd";
    case MLPOT_FORMAT_NPZ: return "npz";
    case MLPOT_FORMAT_LAMMPS_DATA: return "lammps-data";
    }
    return "?";
}

static int has_suffix(const char *path, const char *suffix)
{
    size_t a = strlen(path), b = strlen(suffix);
    return a >= b && strcasecmp(path + a - b, suffix) == 0;
}

/* Format implied by the name alone, or AUTO. */
static mlpot_format format_from_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (has_suffix(path, ".xyz") || has_suffix(path, ".extxyz")) return MLPOT_FORMAT_EXTXYZ;
    if (has_suffix(path, ".npz")) return MLPOT_FORMAT_NPZ;
    if (strcmp(base, "input.data") == 0 || strcmp(base, "output.data") == 0) return MLPOT_FORMAT_N2P2;
    if (has_suffix(path, ".lmp") || has_suffix(path, ".lammps") || has_suffix(path, ".lammps-data"))
        return MLPOT_FORMAT_LAMMPS_DATA;
    return MLPOT_FORMAT_AUTO;
}

mlpot_status mlpot_format_detect(const char *path, mlpot_format *format, mlpot_error *err)
{
    struct stat info;
    if (strcmp(path, "-") != 0 && stat(path, &info) != 0)
        return mlpot_fail(err, MLPOT_ERR_IO, "%s: %s", path, strerror(errno));
    if (strcmp(path, "-") != 0 && S_ISDIR(info.st_mode)) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s/type.raw", path);
        if (stat(buf, &info) == 0) {
            *format = MLPOT_FORMAT_DEEPMD;
            return MLPOT_OK;
        }
        return mlpot_fail(err, MLPOT_ERR_FORMAT,
                          "%s: a folder, but not a DeePMD system (no type.raw)", path);
    }
    mlpot_format f = format_from_name(path);
    if (f != MLPOT_FORMAT_AUTO) {
        *format = f;
        return MLPOT_OK;
    }
    if (strcmp(path, "-") == 0) {
        *format = MLPOT_FORMAT_EXTXYZ; /* cannot peek at standard input without consuming it */
        return MLPOT_OK;
    }
    /* Content: the first non-blank word. "begin" starts n2p2 frames, an integer extxyz ones,
     * "PK" a zip (npz) archive. */
    FILE *file = fopen(path, "rb");
    if (!file) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char word[64] = "";
    int c, n = 0;
    while ((c = fgetc(file)) != EOF && isspace(c)) {}
    while (c != EOF && !isspace(c) && n < 63) {
        word[n++] = (char)c;
        c = fgetc(file);
    }
    word[n] = '\0';
    fclose(file);
    if (strncmp(word, "PK", 2) == 0) *format = MLPOT_FORMAT_NPZ;
    else if (strcmp(word, "begin") == 0) *format = MLPOT_FORMAT_N2P2;
    else {
        char *end;
        strtol(word, &end, 10);
        if (n > 0 && *end == '\0') *format = MLPOT_FORMAT_EXTXYZ;
        else
            return mlpot_fail(err, MLPOT_ERR_FORMAT,
                              "%s: cannot tell the format (starts with '%s'); name it with --from",
                              path, word);
    }
    return MLPOT_OK;
}
