/* mlpot eval: evaluate one potential (or the sum of several) on every frame of the inputs and
 * write the frames with the predicted energy, forces, stress and per-atom energies (and
 * variances, charges, extrapolation counts when the potential gives them). Reference labels
 * already in the input are kept as ref_energy / ref_forces / ref_stress and compared. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static void eval_usage(FILE *f)
{
    fprintf(f,
            "usage: mlpot eval -p SPEC [-p SPEC ...] [options] INPUT...\n"
            "\n"
            "Evaluates the potential (several -p add up) on every frame of the inputs and writes\n"
            "extended XYZ with energy, forces, stress (periodic cells), per-atom energies, and\n"
            "per-atom variances, charges or extrapolation counts when the potential gives them.\n"
            "Labels already in the input are kept as ref_energy, ref_forces, ref_stress and the\n"
            "errors against them are summarised on standard error.\n"
            "\n"
            "options:\n"
            "  -p, --potential SPEC   potential: STYLE:ARGS or a model file/folder (see below)\n"
            "  -o, --output FILE      output file (default: standard output); written atomically\n"
            "      --to FORMAT        output format (default extxyz; see mlpot convert --help)\n"
            "      --from FORMAT      input format (default: detected)\n"
            "      --energy-unit U    units of unit-agnostic inputs (n2p2 input.data): eV, Hartree,\n"
            "      --length-unit U    kcal/mol, ...; Angstrom, Bohr\n"
            "      --energy-key K     reference label keys of extxyz inputs (default energy, forces,\n"
            "      --forces-key K     stress/virial), e.g. dft_energy, dft_force, dft_virial\n"
            "      --virial-key K\n"
            "      --summary          print a table (frame, atoms, energy, max force, pressure) to\n"
            "                         standard output instead of writing frames\n"
            "      --no-per-atom      do not write per-atom energies\n"
            "  -h, --help             this help\n"
            "\n"
            "potential styles:\n%s"
            "\n"
            "exit codes: 0 success, 1 failure while computing, 2 bad usage or input\n",
            mlpot_potential_styles());
}

typedef struct error_stats {
    long frames_e, atoms_f, frames_s;
    double se_e, ae_e, se_f, ae_f, se_s;
} error_stats;

/* Moves the reference labels of s aside (ref_* names) and returns which were present. */
static mlpot_status keep_references(mlpot_structure *s, error_stats *stats, const mlpot_result *r,
                                    mlpot_error *err)
{
    char buf[64];
    mlpot_status st;
    if (s->labels & MLPOT_LABEL_ENERGY) {
        snprintf(buf, sizeof buf, "%.17g", s->energy);
        if ((st = mlpot_structure_set_info(s, "ref_energy", buf, err))) return st;
        double d = (r->energy - s->energy) / (s->n_atoms ? s->n_atoms : 1);
        stats->frames_e++;
        stats->se_e += d * d;
        stats->ae_e += fabs(d);
    }
    if (s->labels & MLPOT_LABEL_FORCES) {
        mlpot_atom_property *p;
        if ((st = mlpot_structure_add_property(s, "ref_forces", MLPOT_PROPERTY_REAL, 3, &p, err)))
            return st;
        memcpy(p->real, s->forces, 3 * (size_t)s->n_atoms * sizeof(double));
        for (int k = 0; k < 3 * s->n_atoms; ++k) {
            double d = r->forces[k] - s->forces[k];
            stats->se_f += d * d;
            stats->ae_f += fabs(d);
        }
        stats->atoms_f += s->n_atoms;
    }
    double ref[9];
    if ((s->labels & (MLPOT_LABEL_STRESS | MLPOT_LABEL_VIRIAL)) && mlpot_structure_volume(s) > 0 &&
        mlpot_structure_get_stress(s, ref, NULL) == MLPOT_OK) {
        char text[9 * 26];
        size_t used = 0;
        for (int k = 0; k < 9; ++k)
            used += (size_t)snprintf(text + used, sizeof text - used, "%s%.17g", k ? " " : "", ref[k]);
        if ((st = mlpot_structure_set_info(s, "ref_stress", text, err))) return st;
        double stress[9];
        if (mlpot_result_stress(r, s, stress, NULL) == MLPOT_OK) {
            for (int k = 0; k < 9; ++k) stats->se_s += (stress[k] - ref[k]) * (stress[k] - ref[k]);
            stats->frames_s++;
        }
    }
    s->labels &= ~(unsigned)(MLPOT_LABEL_STRESS | MLPOT_LABEL_VIRIAL);
    return MLPOT_OK;
}

/* Puts the prediction into s as its labels. */
static mlpot_status store_prediction(mlpot_structure *s, const mlpot_result *r, int per_atom,
                                     mlpot_error *err)
{
    mlpot_status st;
    s->labels |= MLPOT_LABEL_ENERGY;
    s->energy = r->energy;
    if ((st = mlpot_structure_add_label(s, MLPOT_LABEL_FORCES, err))) return st;
    memcpy(s->forces, r->forces, 3 * (size_t)s->n_atoms * sizeof(double));
    if ((r->computed & MLPOT_OUT_VIRIAL) && s->pbc[0] && s->pbc[1] && s->pbc[2] &&
        mlpot_structure_volume(s) > 0) {
        if ((st = mlpot_result_stress(r, s, s->stress, err))) return st;
        s->labels |= MLPOT_LABEL_STRESS;
    } else if (r->computed & MLPOT_OUT_VIRIAL) {
        memcpy(s->virial, r->virial, sizeof s->virial);
        s->labels |= MLPOT_LABEL_VIRIAL;
    }
    if (per_atom && (r->computed & MLPOT_OUT_ATOM_ENERGIES)) {
        if ((st = mlpot_structure_add_label(s, MLPOT_LABEL_ATOM_ENERGIES, err))) return st;
        memcpy(s->atom_energies, r->atom_energies, (size_t)s->n_atoms * sizeof(double));
    }
    if (r->computed & MLPOT_OUT_CHARGES) {
        if ((st = mlpot_structure_add_label(s, MLPOT_LABEL_CHARGES, err))) return st;
        memcpy(s->charges, r->charges, (size_t)s->n_atoms * sizeof(double));
    }
    mlpot_atom_property *p;
    if (r->computed & MLPOT_OUT_ATOM_VARIANCES) {
        if ((st = mlpot_structure_add_property(s, "variance", MLPOT_PROPERTY_REAL, 1, &p, err))) return st;
        memcpy(p->real, r->atom_variances, (size_t)s->n_atoms * sizeof(double));
    }
    if (r->computed & MLPOT_OUT_ENERGY_VARIANCE) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.17g", r->energy_variance);
        if ((st = mlpot_structure_set_info(s, "energy_variance", buf, err))) return st;
    }
    if (r->computed & MLPOT_OUT_EXTRAPOLATION) {
        if ((st = mlpot_structure_add_property(s, "extrapolation", MLPOT_PROPERTY_INT, 1, &p, err))) return st;
        long total = 0;
        for (int i = 0; i < s->n_atoms; ++i) total += p->integer[i] = r->atom_extrapolations[i];
        char buf[32];
        snprintf(buf, sizeof buf, "%ld", total);
        if ((st = mlpot_structure_set_info(s, "extrapolation_count", buf, err))) return st;
    }
    return MLPOT_OK;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int cli_eval(int argc, char **argv)
{
    enum { OPT_TO = 256, OPT_FROM, OPT_EU, OPT_LU, OPT_EK, OPT_FK, OPT_VK, OPT_SUMMARY, OPT_NO_PER_ATOM };
    static const struct option options[] = {
        {"potential", required_argument, NULL, 'p'}, {"output", required_argument, NULL, 'o'},
        {"to", required_argument, NULL, OPT_TO},       {"from", required_argument, NULL, OPT_FROM},
        {"energy-unit", required_argument, NULL, OPT_EU}, {"length-unit", required_argument, NULL, OPT_LU},
        {"energy-key", required_argument, NULL, OPT_EK}, {"forces-key", required_argument, NULL, OPT_FK},
        {"virial-key", required_argument, NULL, OPT_VK}, {"summary", no_argument, NULL, OPT_SUMMARY},
        {"no-per-atom", no_argument, NULL, OPT_NO_PER_ATOM}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *specs[64];
    int n_specs = 0, summary = 0, per_atom = 1;
    const char *output = "-";
    mlpot_io_options in_opt, out_opt;
    mlpot_io_options_default(&in_opt);
    mlpot_io_options_default(&out_opt);
    mlpot_error err;
    mlpot_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "p:o:h", options, NULL)) != -1) {
        mlpot_status st = MLPOT_OK;
        switch (c) {
        case 'p':
            if (n_specs == 64) {
                fprintf(stderr, "mlpot eval: too many -p options\n");
                return CLI_EXIT_USAGE;
            }
            specs[n_specs++] = optarg;
            break;
        case 'o': output = optarg; break;
        case OPT_TO: st = mlpot_format_parse(optarg, &out_opt.format, &err); break;
        case OPT_FROM: st = mlpot_format_parse(optarg, &in_opt.format, &err); break;
        case OPT_EU: st = mlpot_energy_unit_parse(optarg, &in_opt.energy_unit, &err); in_opt.units_given = 1; break;
        case OPT_LU: st = mlpot_length_unit_parse(optarg, &in_opt.length_unit, &err); in_opt.units_given = 1; break;
        case OPT_EK: in_opt.energy_key = optarg; break;
        case OPT_FK: in_opt.forces_key = optarg; break;
        case OPT_VK: in_opt.virial_key = optarg; break;
        case OPT_SUMMARY: summary = 1; break;
        case OPT_NO_PER_ATOM: per_atom = 0; break;
        case 'h': eval_usage(stdout); return CLI_EXIT_OK;
        default: eval_usage(stderr); return CLI_EXIT_USAGE;
        }
        if (st) return cli_report(&err);
    }
    if (n_specs == 0 || optind >= argc) {
        fprintf(stderr, "mlpot eval: %s\n", n_specs == 0 ? "no potential given (-p SPEC)" : "no input files");
        eval_usage(stderr);
        return CLI_EXIT_USAGE;
    }

    mlpot_potential *members[64], *pot = NULL;
    for (int k = 0; k < n_specs; ++k)
        if (mlpot_potential_load(specs[k], &members[k], &err)) {
            for (int q = 0; q < k; ++q) mlpot_potential_free(members[q]);
            return cli_report(&err);
        }
    if (n_specs == 1) pot = members[0];
    else if (mlpot_potential_sum(members, n_specs, &pot, &err)) return cli_report(&err);

    unsigned request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES;
    unsigned optional = MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES | MLPOT_OUT_ATOM_VARIANCES |
                        MLPOT_OUT_ENERGY_VARIANCE | MLPOT_OUT_CHARGES | MLPOT_OUT_EXTRAPOLATION;
    request |= optional & mlpot_potential_outputs(pot);
    if (!per_atom) request &= ~(unsigned)MLPOT_OUT_ATOM_ENERGIES;

    int code = CLI_EXIT_OK;
    mlpot_writer *writer = NULL;
    mlpot_reader *reader = NULL;
    mlpot_structure s;
    mlpot_structure_init(&s);
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_result r;
    mlpot_result_init(&r);
    error_stats stats = {0};
    long frames = 0, atoms = 0;
    double t_compute = 0;
    if (!summary && mlpot_writer_open(output, &out_opt, &writer, &err)) {
        code = cli_report(&err);
        goto done;
    }
    if (summary)
        printf("%-6s %-7s %-22s %-16s %-12s %-12s\n", "frame", "atoms", "energy (eV)",
               "energy/atom", "max |F|", "P (GPa)");
    double cutoff = mlpot_potential_cutoff(pot) > 0 ? mlpot_potential_cutoff(pot) : 1.0;
    for (int a = optind; a < argc && code == CLI_EXIT_OK; ++a) {
        if (mlpot_reader_open(argv[a], &in_opt, &reader, &err)) {
            code = cli_report(&err);
            break;
        }
        for (;;) {
            int finished = 0;
            if (mlpot_reader_next(reader, &s, &finished, &err)) {
                code = cli_report(&err);
                break;
            }
            if (finished) break;
            double t0 = seconds();
            if (mlpot_potential_check_species(pot, &s, &err) ||
                mlpot_neighbour_list_build(&nl, &s, cutoff, 0.0, MLPOT_NEIGHBOURS_FULL, &err) ||
                mlpot_potential_compute(pot, &s, &nl, request, &r, &err)) {
                code = cli_report(&err);
                break;
            }
            t_compute += seconds() - t0;
            ++frames;
            atoms += s.n_atoms;
            if (keep_references(&s, &stats, &r, &err) || store_prediction(&s, &r, per_atom, &err)) {
                code = cli_report(&err);
                break;
            }
            if (summary) {
                double fbig = 0, stress[9], p = NAN;
                for (int i = 0; i < s.n_atoms; ++i)
                    fbig = fmax(fbig, sqrt(r.forces[3 * i] * r.forces[3 * i] +
                                           r.forces[3 * i + 1] * r.forces[3 * i + 1] +
                                           r.forces[3 * i + 2] * r.forces[3 * i + 2]));
                if ((s.labels & MLPOT_LABEL_STRESS) && mlpot_structure_get_stress(&s, stress, NULL) == MLPOT_OK)
                    p = -(stress[0] + stress[4] + stress[8]) / 3.0 * MLPOT_EV_PER_A3_GPA;
                printf("%-6ld %-7d %-22.12f %-16.10f %-12.6f %-12.6f\n", frames - 1, s.n_atoms,
                       r.energy, r.energy / (s.n_atoms ? s.n_atoms : 1), fbig, p);
                if (frames == 1 && s.n_atoms <= 8) {
                    for (int i = 0; i < s.n_atoms; ++i)
                        printf("       force %d: %14.8f %14.8f %14.8f eV/Å\n", i, r.forces[3 * i],
                               r.forces[3 * i + 1], r.forces[3 * i + 2]);
                }
                if (s.labels & MLPOT_LABEL_STRESS)
                    printf("       stress (eV/Å³): xx %.6e yy %.6e zz %.6e yz %.6e xz %.6e xy %.6e\n",
                           stress[0], stress[4], stress[8], stress[5], stress[2], stress[1]);
            } else if (mlpot_writer_write(writer, &s, &err)) {
                code = cli_report(&err);
                break;
            }
        }
        mlpot_reader_close(reader);
        reader = NULL;
    }
    if (code == CLI_EXIT_OK && writer) {
        if (mlpot_writer_commit(writer, &err)) code = cli_report(&err);
        writer = NULL;
    }
    if (code == CLI_EXIT_OK) {
        fprintf(stderr, "mlpot eval: %ld frames, %ld atoms, %.3g s (%.3g µs/atom)\n", frames, atoms,
                t_compute, atoms ? 1e6 * t_compute / (double)atoms : 0.0);
        if (stats.frames_e)
            fprintf(stderr, "  energy vs reference: RMSE %.6g, MAE %.6g eV/atom (%ld frames)\n",
                    sqrt(stats.se_e / (double)stats.frames_e), stats.ae_e / (double)stats.frames_e, stats.frames_e);
        if (stats.atoms_f)
            fprintf(stderr, "  forces vs reference: RMSE %.6g, MAE %.6g eV/Å (%ld components)\n",
                    sqrt(stats.se_f / (3.0 * (double)stats.atoms_f)), stats.ae_f / (3.0 * (double)stats.atoms_f),
                    3 * stats.atoms_f);
        if (stats.frames_s)
            fprintf(stderr, "  stress vs reference: RMSE %.6g GPa (%ld frames)\n",
                    sqrt(stats.se_s / (9.0 * (double)stats.frames_s)) * MLPOT_EV_PER_A3_GPA, stats.frames_s);
    }
done:
    mlpot_writer_abort(writer);
    if (reader) mlpot_reader_close(reader);
    mlpot_result_free(&r);
    mlpot_neighbour_list_free(&nl);
    mlpot_structure_free(&s);
    mlpot_potential_free(pot);
    return code;
}
