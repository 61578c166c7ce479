/* mlpot fit: fit a Gaussian Approximation Potential (sparse GP on SOAP and distance_2b) to
 * energies, forces and virials with gap_fit's settings, write it as an mlpot GAP file, and
 * report its errors (and how well its predicted variance matches them) on the training and
 * test frames. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/io_options.h"

static void fit_usage(FILE *f)
{
    fprintf(f,
            "usage: mlpot fit --gap DESCRIPTORS [options] TRAIN...\n"
            "\n"
            "Fits a GAP (Gaussian approximation potential: sparse Gaussian-process regression on\n"
            "SOAP and two-body descriptors) to the energies, forces and virials of the training\n"
            "frames, with gap_fit's settings and definitions, and writes an mlpot GAP file that\n"
            "`mlpot eval -p FILE` evaluates (energies, forces, stress and predictive variances).\n"
            "\n"
            "  --gap DESCRIPTORS      descriptors separated by ':', in gap_fit's syntax, e.g.\n"
            "                         \"distance_2b cutoff=5.0 covariance_type=ard_se delta=2.0\n"
            "                          theta_uniform=1.0 n_sparse=15 sparse_method=uniform :\n"
            "                          soap cutoff=5.0 cutoff_transition_width=1.0 n_max=8 l_max=6\n"
            "                          atom_sigma=0.5 zeta=4 delta=0.2 n_sparse=400\n"
            "                          sparse_method=cur_points\"\n"
            "                         sparse_method: random, uniform (distance_2b), cur_points, fps,\n"
            "                         all; or sparse_file=PATH (1-based instance indices)\n"
            "options:\n"
            "  -o, --output FILE      model file (default gap.model), written atomically\n"
            "      --default-sigma E,F,V  noise of energies (eV/atom), forces (eV/Å) and virials\n"
            "                         (eV/atom); default 0.001,0.1,0.05 (gap_fit's default_sigma)\n"
            "      --config-type-sigma S  type:sE:sF:sV:sH:... per config_type (gap_fit's)\n"
            "      --e0 El=E[,El=E]   per-element energies (eV)\n"
            "      --e0-method M      auto (isolated atoms, else fit), isolated, average, fit\n"
            "      --sparse-jitter X  added to the sparse covariance diagonal (default 1e-10)\n"
            "      --seed N           seed of the sparse-point choice (default 1)\n"
            "      --no-energies, --no-forces, --no-virials   labels left out of the fit\n"
            "      --model krr        kernel ridge regression: every instance a sparse point\n"
            "      --test FILE        frames to report errors on (repeatable)\n"
            "      --variance-regularisation R  rho of the predicted variance (default 1e-3)\n" CLI_IO_HELP
            "  -h, --help             this help\n"
            "\n"
            "Reports: sparse points, condition number, time per stage, e0, and for training and\n"
            "test frames the MAE and RMSE of energy per atom and force components, and for the\n"
            "test frames the calibration of the predicted variance (Spearman correlation of the\n"
            "atom sigma with the atom's force error; energy errors within 1 and 2 predicted sigma).\n"
            "\n"
            "exit codes: 0 success, 1 failure while fitting, 2 bad usage or input\n");
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int read_files(char **paths, int n, const mlpot_io_options *io, mlpot_dataset *d, mlpot_error *err)
{
    for (int k = 0; k < n; ++k)
        if (mlpot_dataset_read(paths[k], io, d, err)) return 1; /* appends */
    return 0;
}

typedef struct ranked {
    double value;
    size_t index;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return (x->value > y->value) - (x->value < y->value);
}

/* Ranks (1-based, ties averaged) of x[0..n). */
static void ranks(const double *x, size_t n, double *rank)
{
    ranked *order = malloc(n * sizeof *order);
    if (!order) return;
    for (size_t i = 0; i < n; ++i) order[i] = (ranked){x[i], i};
    qsort(order, n, sizeof *order, by_value);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && order[j + 1].value == order[i].value) ++j;
        for (size_t k = i; k <= j; ++k) rank[order[k].index] = 0.5 * (double)(i + j) + 1.0;
        i = j + 1;
    }
    free(order);
}

static double spearman(const double *a, const double *b, size_t n)
{
    if (n < 3) return NAN;
    double *ra = malloc(n * sizeof *ra), *rb = malloc(n * sizeof *rb);
    if (!ra || !rb) {
        free(ra), free(rb);
        return NAN;
    }
    ranks(a, n, ra), ranks(b, n, rb);
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) ma += ra[i], mb += rb[i];
    ma /= (double)n, mb /= (double)n;
    for (size_t i = 0; i < n; ++i)
        sab += (ra[i] - ma) * (rb[i] - mb), saa += (ra[i] - ma) * (ra[i] - ma), sbb += (rb[i] - mb) * (rb[i] - mb);
    free(ra), free(rb);
    return sab / sqrt(saa * sbb);
}

/* Errors of p on d: energy per atom and force components (and variance calibration). */
static int report_errors(const mlpot_potential *p, const mlpot_dataset *d, const char *what, int calibration,
                         mlpot_error *err)
{
    double e_abs = 0, e_sq = 0, e_total = 0, f_abs = 0, f_sq = 0, t = now();
    size_t n_e = 0, n_f = 0, n_atoms = 0, within1 = 0, within2 = 0, n_var = 0;
    unsigned request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES;
    const int variance = calibration && (mlpot_potential_outputs(p) & MLPOT_OUT_ATOM_VARIANCES);
    if (variance) request |= MLPOT_OUT_ATOM_VARIANCES | MLPOT_OUT_ENERGY_VARIANCE;
    for (size_t q = 0; q < d->n_frames; ++q) n_atoms += (size_t)d->frames[q].n_atoms;
    double *sigma = variance ? calloc(n_atoms + 1, sizeof *sigma) : NULL, *ferr = variance ? calloc(n_atoms + 1, sizeof *ferr) : NULL;
    size_t n_pairs = 0;
    mlpot_result r;
    mlpot_result_init(&r);
    for (size_t q = 0; q < d->n_frames; ++q) {
        const mlpot_structure *s = &d->frames[q];
        if (mlpot_potential_evaluate(p, s, request, &r, err)) {
            mlpot_result_free(&r);
            free(sigma), free(ferr);
            return 1;
        }
        if (s->labels & MLPOT_LABEL_ENERGY) {
            double de = (r.energy - s->energy) / s->n_atoms;
            e_abs += fabs(de), e_sq += de * de, e_total += fabs(r.energy - s->energy), ++n_e;
            if (variance && r.energy_variance > 0) {
                double sd = sqrt(r.energy_variance) / s->n_atoms;
                within1 += fabs(de) <= sd, within2 += fabs(de) <= 2 * sd, ++n_var;
            }
        }
        if (s->labels & MLPOT_LABEL_FORCES)
            for (int i = 0; i < s->n_atoms; ++i) {
                double e2 = 0;
                for (int c = 0; c < 3; ++c) {
                    double df = r.forces[3 * i + c] - s->forces[3 * i + c];
                    f_abs += fabs(df), f_sq += df * df, ++n_f, e2 += df * df;
                }
                if (variance) sigma[n_pairs] = sqrt(fmax(r.atom_variances[i], 0.0)), ferr[n_pairs++] = sqrt(e2);
            }
    }
    mlpot_result_free(&r);
    t = now() - t;
    printf("%-6s %5zu frames  energy MAE %8.3f RMSE %8.3f meV/atom (MAE %.3f meV per frame)  forces MAE %8.4f RMSE "
           "%8.4f eV/Å  (%.1f µs/atom)\n",
           what, d->n_frames, n_e ? 1e3 * e_abs / n_e : NAN, n_e ? 1e3 * sqrt(e_sq / n_e) : NAN,
           n_e ? 1e3 * e_total / n_e : NAN, n_f ? f_abs / n_f : NAN, n_f ? sqrt(f_sq / n_f) : NAN,
           1e6 * t / (double)(n_atoms ? n_atoms : 1));
    if (variance)
        printf("       variance: Spearman(atom sigma, atom force error) %.3f; energy errors within 1 sigma %.0f%%, 2 sigma "
               "%.0f%% (%zu frames)\n",
               spearman(sigma, ferr, n_pairs), n_var ? 100.0 * within1 / n_var : NAN, n_var ? 100.0 * within2 / n_var : NAN,
               n_var);
    free(sigma), free(ferr);
    return 0;
}

static int parse_triple(const char *text, double *v)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *p = buf; *p; ++p)
        if (*p == ',' || *p == '{' || *p == '}') *p = ' ';
    double h;
    int n = sscanf(buf, "%lf %lf %lf %lf", &v[0], &v[1], &v[2], &h);
    return n == 3 || n == 4;
}

int cli_fit(int argc, char **argv)
{
    enum { OPT_GAP = 2000, OPT_SIGMA, OPT_TYPE_SIGMA, OPT_E0, OPT_E0_METHOD, OPT_JITTER, OPT_SEED, OPT_NO_E, OPT_NO_F,
           OPT_NO_V, OPT_MODEL, OPT_TEST, OPT_VARREG };
    static const struct option options[] = {{"gap", required_argument, NULL, OPT_GAP},
                                            {"output", required_argument, NULL, 'o'},
                                            {"default-sigma", required_argument, NULL, OPT_SIGMA},
                                            {"config-type-sigma", required_argument, NULL, OPT_TYPE_SIGMA},
                                            {"e0", required_argument, NULL, OPT_E0},
                                            {"e0-method", required_argument, NULL, OPT_E0_METHOD},
                                            {"sparse-jitter", required_argument, NULL, OPT_JITTER},
                                            {"seed", required_argument, NULL, OPT_SEED},
                                            {"no-energies", no_argument, NULL, OPT_NO_E},
                                            {"no-forces", no_argument, NULL, OPT_NO_F},
                                            {"no-virials", no_argument, NULL, OPT_NO_V},
                                            {"model", required_argument, NULL, OPT_MODEL},
                                            {"test", required_argument, NULL, OPT_TEST},
                                            {"variance-regularisation", required_argument, NULL, OPT_VARREG},
                                            {"help", no_argument, NULL, 'h'},
                                            CLI_IO_LONG_OPTIONS,
                                            {NULL, 0, NULL, 0}};
    mlpot_gap_fit_options o;
    mlpot_gap_fit_options_default(&o);
    mlpot_io_options io, unused;
    mlpot_io_options_default(&io);
    mlpot_io_options_default(&unused);
    mlpot_error err;
    mlpot_error_clear(&err);
    const char *output = "gap.model", *gap = NULL;
    char *tests[64];
    int n_tests = 0, krr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        int io_result = cli_io_option(c, optarg, &io, &unused, &err);
        if (io_result < 0) return cli_report(&err);
        if (io_result > 0) continue;
        char *end = NULL;
        switch (c) {
        case OPT_GAP: gap = optarg; break;
        case 'o': output = optarg; break;
        case OPT_SIGMA: {
            double v[3];
            if (!parse_triple(optarg, v) || !(v[0] > 0 && v[1] > 0 && v[2] > 0)) {
                fprintf(stderr, "mlpot fit: --default-sigma '%s': expected three positive numbers E,F,V\n", optarg);
                return CLI_EXIT_USAGE;
            }
            o.sigma_energy = v[0], o.sigma_force = v[1], o.sigma_virial = v[2];
            break;
        }
        case OPT_TYPE_SIGMA: o.config_type_sigma = optarg; break;
        case OPT_E0: {
            char buf[4096];
            snprintf(buf, sizeof buf, "%s", optarg);
            for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(p, '=');
                int z = eq ? (*eq = '\0', mlpot_element_number(p)) : 0;
                double v = eq ? strtod(eq + 1, &end) : NAN;
                if (!z || !eq || *end || !isfinite(v) || o.n_e0 == MLPOT_MAX_ELEMENT) {
                    fprintf(stderr, "mlpot fit: --e0 '%s': expected El=energy[,El=energy...]\n", optarg);
                    return CLI_EXIT_USAGE;
                }
                o.e0_z[o.n_e0] = z, o.e0[o.n_e0++] = v;
            }
            break;
        }
        case OPT_E0_METHOD: {
            static const char *const names[] = {"auto", "isolated", "average", "fit"};
            o.e0_method = -1;
            for (int k = 0; k < 4; ++k)
                if (!strcmp(optarg, names[k])) o.e0_method = k;
            if (o.e0_method < 0) {
                fprintf(stderr, "mlpot fit: --e0-method '%s': auto, isolated, average or fit\n", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        }
        case OPT_JITTER:
        case OPT_VARREG: {
            double v = strtod(optarg, &end);
            if (*end || !(v >= 0) || !isfinite(v)) {
                fprintf(stderr, "mlpot fit: '%s' is not a number >= 0\n", optarg);
                return CLI_EXIT_USAGE;
            }
            *(c == OPT_JITTER ? &o.sparse_jitter : &o.variance_regularisation) = v;
            break;
        }
        case OPT_SEED: o.seed = strtoull(optarg, &end, 10); if (*end) { fprintf(stderr, "mlpot fit: --seed '%s'\n", optarg); return CLI_EXIT_USAGE; } break;
        case OPT_NO_E: o.use_energies = 0; break;
        case OPT_NO_F: o.use_forces = 0; break;
        case OPT_NO_V: o.use_virials = 0; break;
        case OPT_MODEL:
            if (strcmp(optarg, "gap") && strcmp(optarg, "krr")) {
                fprintf(stderr, "mlpot fit: --model '%s': gap or krr\n", optarg);
                return CLI_EXIT_USAGE;
            }
            krr = !strcmp(optarg, "krr");
            break;
        case OPT_TEST:
            if (n_tests == 64) return fprintf(stderr, "mlpot fit: too many --test files\n"), CLI_EXIT_USAGE;
            tests[n_tests++] = optarg;
            break;
        case 'h': fit_usage(stdout); return CLI_EXIT_OK;
        default: fit_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (!gap || optind >= argc) {
        fprintf(stderr, "mlpot fit: %s\n", !gap ? "no descriptors given (--gap)" : "no training files");
        fit_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    char *gap_krr = NULL;
    if (krr) { /* every descriptor: sparse_method=all (the last key wins in QUIP strings) */
        size_t len = strlen(gap) + 64;
        for (const char *p = gap; *p; ++p) len += *p == ':' ? 20 : 0;
        gap_krr = malloc(len);
        if (!gap_krr) return fprintf(stderr, "mlpot fit: out of memory\n"), CLI_EXIT_FAILURE;
        size_t w = 0;
        for (const char *p = gap;; ++p) {
            if (*p == ':' || !*p) w += (size_t)sprintf(gap_krr + w, " sparse_method=all ");
            if (!*p) break;
            gap_krr[w++] = *p;
        }
        gap_krr[w] = '\0';
        gap = gap_krr;
    }
    o.gap = gap;
    mlpot_dataset train, test;
    mlpot_dataset_init(&train), mlpot_dataset_init(&test);
    int code = CLI_EXIT_OK;
    const mlpot_structure **frames = NULL;
    mlpot_potential *p = NULL;
    if (read_files(argv + optind, argc - optind, &io, &train, &err) || read_files(tests, n_tests, &io, &test, &err)) {
        code = cli_report(&err);
        goto done;
    }
    frames = malloc(((size_t)train.n_frames + 1) * sizeof *frames);
    if (!frames) {
        code = CLI_EXIT_FAILURE;
        goto done;
    }
    for (size_t q = 0; q < train.n_frames; ++q) frames[q] = &train.frames[q];
    mlpot_gap_fit_report rep;
    double t0 = now();
    if (mlpot_gap_fit(frames, train.n_frames, &o, &p, &rep, &err)) {
        code = cli_report(&err);
        goto done;
    }
    double t_fit = now() - t0;
    static const char *const e0_names[] = {"auto", "isolated atoms", "average energy per atom", "least squares"};
    printf("fitted %d descriptors on %d frames (%zu energies, %zu force components, %zu virial components) in %.2f s\n",
           rep.n_descriptors, rep.n_frames, rep.n_energies, rep.n_forces, rep.n_virials, t_fit);
    for (int k = 0; k < rep.n_descriptors && k < 16; ++k)
        printf("  descriptor %d: %d sparse points of %zu instances\n", k + 1, rep.n_sparse[k], rep.n_instances[k]);
    printf("  e0 (%s):", e0_names[rep.e0_method]);
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z)
        if (rep.e0[z] != 0.0) printf(" %s %.10g", mlpot_element_symbol(z), rep.e0[z]);
    printf("\n  times: descriptors %.2f s, sparse points %.2f s, matrix %.2f s, solve %.2f s; matrix %.1f MB, condition "
           "number %.3g\n",
           rep.seconds_descriptors, rep.seconds_sparse, rep.seconds_matrix, rep.seconds_solve, rep.matrix_bytes / 1e6,
           rep.condition_number);
    if (mlpot_gap_save(p, output, &err)) {
        code = cli_report(&err);
        goto done;
    }
    printf("model written to %s\n", output);
    if (report_errors(p, &train, "train", 0, &err) || (test.n_frames && report_errors(p, &test, "test", 1, &err)))
        code = cli_report(&err);
done:
    mlpot_potential_free(p);
    free(frames), free(gap_krr);
    mlpot_dataset_free(&train), mlpot_dataset_free(&test);
    return code;
}
