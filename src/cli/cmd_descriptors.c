/* mlpot descriptors: atom-centred symmetry functions (or SOAP power spectra) of every atom of a
 * dataset.
 *
 * Output formats:
 *   CSV (-o NAME.csv or --format csv): a header "frame,atom,element,n_features,G1,...,GN" and
 *     one row per atom; N is the largest feature count of the model's elements, and the cells
 *     beyond an atom's own count are empty.
 *   extended XYZ (default): every frame as read, plus a per-atom column "acsf" (R, N columns;
 *     atoms of elements with fewer functions are padded with zeros) and the info key
 *     acsf_counts="H:27 O:30" giving each element's count.
 * Features are in n2p2's sorted order; --list prints what each one is. With --soap the column
 * and key are "soap" and "soap_counts" and the features QUIP's SOAP vector (mlpot/soap.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/io_options.h"

static void descriptors_usage(FILE *f)
{
    fprintf(f,
            "usage: mlpot descriptors -p DEFINITIONS [options] INPUT...\n"
            "       mlpot descriptors --soap \"cutoff=5 n_max=8 l_max=6 atom_sigma=0.5 ...\" [options] INPUT...\n"
            "\n"
            "Computes atom-centred symmetry functions (Behler-Parrinello ACSF with n2p2's definitions)\n"
            "for every atom of every frame of the inputs.\n"
            "\n"
            "DEFINITIONS is an n2p2 model folder (its input.nn) or an n2p2 settings file with the\n"
            "lines 'elements', 'cutoff_type' and 'symfunction_short'. Lengths are those of the\n"
            "definitions: read a Bohr model's n2p2 input.data as it is (no --length-unit).\n"
            "Each element's features follow n2p2's sorted order of its symmetry functions, which\n"
            "is also the order of scaling.data and of the network inputs (see --list).\n"
            "\n"
            "options:\n"
            "  -p, --definitions PATH     model folder or settings file (also --potential)\n"
            "      --soap PARAMETERS      SOAP power spectra instead, parameters as QUIP's soap\n"
            "                             descriptor string (see mlpot/soap.h)\n"
            "  -o, --output FILE          output (default: standard output), written atomically;\n"
            "                             CSV when FILE ends in .csv, else extended XYZ\n"
            "      --format FMT           csv or extxyz\n"
            "      --scaled               scaled features, as the model's networks see them\n"
            "                             (needs the scaling.data next to input.nn)\n"
            "      --list                 print each element's features (index, definition, line)\n"
            "                             and exit\n"
            "      --unknown-keywords     accept keywords n2p2 does not know in the definitions\n" CLI_IO_HELP
            "  -h, --help                 this help\n"
            "\n"
            "CSV: header frame,atom,element,n_features,G1..GN, one row per atom (empty cells past an\n"
            "atom's own count). Extended XYZ: the input frames plus a per-atom column acsf:R:N\n"
            "(zero-padded) and the info key acsf_counts, e.g. \"H:27 O:30\".\n"
            "\n"
            "exit codes: 0 success, 1 failure while running, 2 bad usage or input\n");
}

enum { OPT_FORMAT = 2000, OPT_SCALED, OPT_LIST, OPT_UNKNOWN, OPT_SOAP };

static int largest_count(const mlpot_descriptor *d, char *counts, size_t size)
{
    int nmax = 0, handled = 0;
    size_t used = 0;
    counts[0] = '\0';
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z) handled += mlpot_descriptor_n_features(d, z) > 0;
    if (handled == MLPOT_MAX_ELEMENT) { /* every species (a SOAP without species) */
        nmax = mlpot_descriptor_n_features(d, 1);
        snprintf(counts, size, "any:%d", nmax);
        return nmax;
    }
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z) {
        int n = mlpot_descriptor_n_features(d, z);
        if (!n) continue;
        if (n > nmax) nmax = n;
        if (used < size)
            used += (size_t)snprintf(counts + used, size - used, "%s%s:%d", used ? " " : "", mlpot_element_symbol(z), n);
    }
    return nmax;
}

static int list_features(const mlpot_descriptor *d)
{
    mlpot_error err;
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z)
        for (int k = 0; k < mlpot_descriptor_n_features(d, z); ++k) {
            char line[1024];
            if (mlpot_acsf_describe_feature(d, z, k, line, sizeof line, &err)) return cli_report(&err);
            printf("%s\n", line);
        }
    return CLI_EXIT_OK;
}

/* Features of one frame (values only). */
static mlpot_status frame_features(const mlpot_descriptor *d, const mlpot_structure *s, mlpot_neighbour_list *nl,
                                   mlpot_features *f, mlpot_error *err)
{
    mlpot_status st = mlpot_structure_validate(s, err);
    if (!st) st = mlpot_neighbour_list_build(nl, s, mlpot_descriptor_cutoff(d), 0.0, MLPOT_NEIGHBOURS_FULL, err);
    if (!st) st = mlpot_descriptor_compute(d, s, nl, MLPOT_FEATURES_VALUES, f, err);
    return st;
}

int cli_descriptors(int argc, char **argv)
{
    static const struct option options[] = {CLI_IO_LONG_OPTIONS,
                                            {"definitions", required_argument, NULL, 'p'},
                                            {"potential", required_argument, NULL, 'p'},
                                            {"output", required_argument, NULL, 'o'},
                                            {"format", required_argument, NULL, OPT_FORMAT},
                                            {"scaled", no_argument, NULL, OPT_SCALED},
                                            {"list", no_argument, NULL, OPT_LIST},
                                            {"unknown-keywords", no_argument, NULL, OPT_UNKNOWN},
                                            {"soap", required_argument, NULL, OPT_SOAP},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    mlpot_io_options in, out;
    mlpot_io_options_default(&in);
    mlpot_io_options_default(&out);
    mlpot_error err;
    mlpot_error_clear(&err);
    const char *definitions = NULL, *output = "-", *format = NULL, *soap = NULL;
    mlpot_acsf_options aopt = {0, 0};
    int list = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:o:h", options, NULL)) != -1) {
        switch (c) {
        case 'p': definitions = optarg; break;
        case 'o': output = optarg; break;
        case 'h': descriptors_usage(stdout); return CLI_EXIT_OK;
        case OPT_FORMAT: format = optarg; break;
        case OPT_SCALED: aopt.scaled = 1; break;
        case OPT_LIST: list = 1; break;
        case OPT_UNKNOWN: aopt.ignore_unknown_keywords = 1; break;
        case OPT_SOAP: soap = optarg; break;
        default: {
            int used = cli_io_option(c, optarg, &in, &out, &err);
            if (used < 0) return cli_report(&err);
            if (!used) {
                descriptors_usage(stderr);
                return CLI_EXIT_USAGE;
            }
        }
        }
    }
    if (!definitions == !soap) {
        fprintf(stderr, "mlpot descriptors: give either -p DEFINITIONS or --soap PARAMETERS\n");
        descriptors_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    size_t len = strlen(output);
    int csv = format ? !strcmp(format, "csv") : len > 4 && !strcmp(output + len - 4, ".csv");
    if (format && strcmp(format, "csv") && strcmp(format, "extxyz")) {
        fprintf(stderr, "mlpot descriptors: --format %s (csv or extxyz)\n", format);
        return CLI_EXIT_USAGE;
    }
    mlpot_descriptor *d = NULL;
    const char *name = soap ? "soap" : "acsf";
    char counts_key[32];
    snprintf(counts_key, sizeof counts_key, "%s_counts", name);
    if (soap) {
        mlpot_soap_params sp;
        if (mlpot_soap_params_parse(soap, &sp, &err) || mlpot_soap_create(&sp, &d, &err)) return cli_report(&err);
        if (list || aopt.scaled) {
            fprintf(stderr, "mlpot descriptors: --list and --scaled are for symmetry functions (-p)\n");
            mlpot_descriptor_free(d);
            return CLI_EXIT_USAGE;
        }
    } else if (mlpot_acsf_load(definitions, &aopt, &d, &err)) {
        return cli_report(&err);
    }
    if (list) {
        int code = list_features(d);
        mlpot_descriptor_free(d);
        return code;
    }
    if (optind >= argc) {
        fprintf(stderr, "mlpot descriptors: no INPUT given\n");
        mlpot_descriptor_free(d);
        return CLI_EXIT_USAGE;
    }
    char counts[1024];
    const int nmax = largest_count(d, counts, sizeof counts);
    /* CSV goes to a temporary file renamed at the end (or straight to standard output) */
    char tmp[4200] = "";
    FILE *f = NULL;
    mlpot_writer *w = NULL;
    if (csv) {
        if (!strcmp(output, "-")) f = stdout;
        else {
            snprintf(tmp, sizeof tmp, "%s.tmp", output);
            f = fopen(tmp, "w");
        }
        if (!f) {
            fprintf(stderr, "mlpot descriptors: cannot write %s\n", tmp);
            mlpot_descriptor_free(d);
            return CLI_EXIT_FAILURE;
        }
        fprintf(f, "frame,atom,element,n_features");
        for (int k = 0; k < nmax; ++k) fprintf(f, ",G%d", k + 1);
        fputc('\n', f);
    } else {
        out.format = MLPOT_FORMAT_EXTXYZ;
        if (mlpot_writer_open(output, &out, &w, &err)) {
            mlpot_descriptor_free(d);
            return cli_report(&err);
        }
    }
    mlpot_structure s;
    mlpot_structure_init(&s);
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_features feat;
    mlpot_features_init(&feat);
    int code = CLI_EXIT_OK;
    long frame = 0, atoms = 0;
    for (int a = optind; a < argc && code == CLI_EXIT_OK; ++a) {
        mlpot_reader *r;
        if (mlpot_reader_open(argv[a], &in, &r, &err)) {
            code = cli_report(&err);
            break;
        }
        for (;;) {
            int done = 0;
            if (mlpot_reader_next(r, &s, &done, &err)) {
                code = cli_report(&err);
                break;
            }
            if (done) break;
            if (frame_features(d, &s, &nl, &feat, &err)) {
                code = cli_report(&err);
                break;
            }
            if (csv) {
                for (int i = 0; i < s.n_atoms; ++i) {
                    size_t n = feat.offsets[i + 1] - feat.offsets[i];
                    fprintf(f, "%ld,%d,%s,%zu", frame, i, mlpot_element_symbol(s.numbers[i]), n);
                    for (size_t k = 0; k < (size_t)nmax; ++k) {
                        if (k < n) fprintf(f, ",%.17g", feat.values[feat.offsets[i] + k]);
                        else fputc(',', f);
                    }
                    fputc('\n', f);
                }
            } else {
                mlpot_atom_property *p = NULL;
                if (mlpot_structure_add_property(&s, name, MLPOT_PROPERTY_REAL, nmax, &p, &err) ||
                    mlpot_structure_set_info(&s, counts_key, counts, &err)) {
                    code = cli_report(&err);
                    break;
                }
                for (int i = 0; i < s.n_atoms; ++i) {
                    size_t n = feat.offsets[i + 1] - feat.offsets[i];
                    memcpy(&p->real[(size_t)i * (size_t)nmax], &feat.values[feat.offsets[i]], n * sizeof(double));
                }
                if (mlpot_writer_write(w, &s, &err)) {
                    code = cli_report(&err);
                    break;
                }
            }
            ++frame;
            atoms += s.n_atoms;
        }
        mlpot_reader_close(r);
    }
    if (csv && f != stdout) {
        int bad = fclose(f) != 0;
        if (code == CLI_EXIT_OK && (bad || rename(tmp, output) != 0)) {
            fprintf(stderr, "mlpot descriptors: cannot write %s\n", output);
            code = CLI_EXIT_FAILURE;
        }
        if (code != CLI_EXIT_OK) remove(tmp);
    } else if (!csv) {
        if (code == CLI_EXIT_OK) {
            if (mlpot_writer_commit(w, &err)) code = cli_report(&err);
        } else {
            mlpot_writer_abort(w);
        }
    }
    if (code == CLI_EXIT_OK)
        fprintf(stderr, "mlpot descriptors: %ld frames, %ld atoms, up to %d features per atom (%s)\n", frame, atoms, nmax,
                counts);
    mlpot_features_free(&feat);
    mlpot_neighbour_list_free(&nl);
    mlpot_structure_free(&s);
    mlpot_descriptor_free(d);
    return code;
}
