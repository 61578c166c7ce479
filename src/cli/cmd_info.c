/* mlpot info: what a dataset holds: frames, atoms, species, labels and their statistics,
 * cells and configuration types. Streams, so it works on files of any size. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/io_options.h"

typedef struct running {
    long n;
    double mean, m2, min, max;
} running;

static void running_add(running *r, double x)
{
    if (r->n == 0) r->min = r->max = x;
    r->n++;
    double d = x - r->mean;
    r->mean += d / (double)r->n;
    r->m2 += d * (x - r->mean);
    r->min = fmin(r->min, x);
    r->max = fmax(r->max, x);
}

static double running_std(const running *r)
{
    return r->n > 1 ? sqrt(r->m2 / (double)(r->n - 1)) : 0.0;
}

typedef struct type_count {
    char name[64];
    long frames;
} type_count;

static void info_usage(FILE *f)
{
    fprintf(f, "usage: mlpot info [options] FILE...\n"
               "\n"
               "Summarises each file: frames, atoms, species, labels with statistics, cells,\n"
               "configuration types.\n"
               "\n"
               "options:\n" CLI_IO_HELP
               "  -h, --help                 this help\n"
               "\n"
               "exit codes: 0 success, 2 bad usage or unreadable input\n");
}

static int summarise(const char *path, const mlpot_io_options *opt)
{
    mlpot_error err;
    mlpot_reader *r;
    if (mlpot_reader_open(path, opt, &r, &err)) return cli_report(&err);
    mlpot_structure s;
    mlpot_structure_init(&s);
    long frames = 0, atoms = 0, min_atoms = 0, max_atoms = 0;
    long species[MLPOT_MAX_ELEMENT + 1] = {0};
    long n_energy = 0, n_forces = 0, n_stress = 0, n_charges = 0, pbc_kind[8] = {0};
    running e_atom = {0}, force = {0}, pressure = {0}, volume = {0};
    double f2 = 0;
    long nf = 0;
    type_count types[64];
    int n_types = 0;
    int code = CLI_EXIT_OK;
    for (;;) {
        int done = 0;
        if (mlpot_reader_next(r, &s, &done, &err)) {
            code = cli_report(&err);
            break;
        }
        if (done) break;
        if (frames == 0 || s.n_atoms < min_atoms) min_atoms = s.n_atoms;
        if (frames == 0 || s.n_atoms > max_atoms) max_atoms = s.n_atoms;
        ++frames;
        atoms += s.n_atoms;
        for (int i = 0; i < s.n_atoms; ++i) species[s.numbers[i]]++;
        pbc_kind[s.pbc[0] | s.pbc[1] << 1 | s.pbc[2] << 2]++;
        if (s.pbc[0] && s.pbc[1] && s.pbc[2]) running_add(&volume, mlpot_structure_volume(&s));
        if (s.labels & MLPOT_LABEL_ENERGY) {
            n_energy++;
            running_add(&e_atom, s.energy / (s.n_atoms ? s.n_atoms : 1));
        }
        if (s.labels & MLPOT_LABEL_FORCES) {
            n_forces++;
            for (int i = 0; i < s.n_atoms; ++i) {
                const double *f = &s.forces[3 * i];
                double m = sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
                running_add(&force, m);
                f2 += f[0] * f[0] + f[1] * f[1] + f[2] * f[2];
                nf += 3;
            }
        }
        double stress[9];
        if ((s.labels & (MLPOT_LABEL_STRESS | MLPOT_LABEL_VIRIAL)) &&
            mlpot_structure_get_stress(&s, stress, NULL) == MLPOT_OK) {
            n_stress++;
            running_add(&pressure, -(stress[0] + stress[4] + stress[8]) / 3.0 * MLPOT_EV_PER_A3_GPA);
        } else if (s.labels & (MLPOT_LABEL_STRESS | MLPOT_LABEL_VIRIAL)) {
            n_stress++;
        }
        if (s.labels & MLPOT_LABEL_CHARGES) n_charges++;
        const char *type = s.config_type ? s.config_type : "(none)";
        int k = 0;
        while (k < n_types && strcmp(types[k].name, type) != 0) ++k;
        if (k == n_types && n_types < 64) {
            snprintf(types[k].name, sizeof types[k].name, "%s", type);
            types[k].frames = 0;
            ++n_types;
        }
        if (k < n_types) types[k].frames++;
    }
    mlpot_structure_free(&s);
    mlpot_format format = mlpot_reader_format(r);
    mlpot_reader_close(r);
    if (code) return code;
    printf("%s (%s)\n", path, mlpot_format_name(format));
    printf("  frames      %ld\n", frames);
    printf("  atoms       %ld in all, %ld to %ld per frame\n", atoms, min_atoms, max_atoms);
    printf("  species    ");
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z)
        if (species[z]) printf(" %s:%ld", mlpot_element_symbol(z), species[z]);
    printf("\n  labels      energy %ld, forces %ld, stress/virial %ld, charges %ld frames\n", n_energy,
           n_forces, n_stress, n_charges);
    if (e_atom.n)
        printf("  energy/atom mean %.6f eV, std %.6f, min %.6f, max %.6f\n", e_atom.mean,
               running_std(&e_atom), e_atom.min, e_atom.max);
    if (force.n)
        printf("  forces      component RMS %.4f eV/Å, |F| mean %.4f, max %.4f\n", sqrt(f2 / (double)nf),
               force.mean, force.max);
    if (pressure.n)
        printf("  pressure    mean %.4f GPa, min %.4f, max %.4f\n", pressure.mean, pressure.min, pressure.max);
    static const char *kinds[8] = {"open", "a", "b", "a b", "c", "a c", "b c", "periodic"};
    printf("  cells      ");
    for (int k = 0; k < 8; ++k)
        if (pbc_kind[k]) printf(" %s:%ld", kinds[k], pbc_kind[k]);
    printf("\n");
    if (volume.n) printf("  volume      %.4f to %.4f Å³ (periodic cells)\n", volume.min, volume.max);
    if (n_types > 1 || (n_types == 1 && strcmp(types[0].name, "(none)") != 0)) {
        printf("  config_type");
        for (int k = 0; k < n_types; ++k) printf(" %s:%ld", types[k].name, types[k].frames);
        printf("\n");
    }
    return CLI_EXIT_OK;
}

int cli_info(int argc, char **argv)
{
    static const struct option options[] = {CLI_IO_LONG_OPTIONS, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    mlpot_io_options in, out;
    mlpot_io_options_default(&in);
    mlpot_io_options_default(&out);
    mlpot_error err;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'h') {
            info_usage(stdout);
            return CLI_EXIT_OK;
        }
        int used = cli_io_option(c, optarg, &in, &out, &err);
        if (used < 0) return cli_report(&err);
        if (!used) {
            info_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        info_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    int code = CLI_EXIT_OK;
    for (int k = optind; k < argc; ++k) {
        int rc = summarise(argv[k], &in);
        if (rc) code = rc;
    }
    return code;
}
