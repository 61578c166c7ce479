/* mlpot relax: relaxes the atomic positions of every frame of the input (and the cell with
 * --cell or --pressure) and writes the relaxed frames with their energy, forces and stress,
 * atomically (temporary file + rename). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void relax_usage(FILE *f)
{
    fprintf(f,
            "usage: mlpot relax -p SPEC [-p SPEC ...] [options] -o OUTPUT INPUT\n"
            "\n"
            "Relaxes the atomic positions of every frame of INPUT in its fixed cell until every\n"
            "force is below --fmax, and writes the relaxed frames (energy, forces) to OUTPUT. With\n"
            "--cell the cell relaxes too (to the stress -P·1 of --pressure), until also every stress\n"
            "component is within --smax of it.\n"
            "\n"
            "options:\n"
            "  -p, --potential SPEC   potential (see mlpot eval --help); several add up\n"
            "  -o, --output FILE      output (extxyz unless the name says otherwise); written atomically\n"
            "      --fmax F           force threshold, eV/Å (default 0.05)\n"
            "      --max-steps N      force evaluations allowed per frame (default 1000)\n"
            "      --method M         fire (default) or lbfgs\n"
            "      --max-step A       largest displacement per step, Å (default 0.2)\n"
            "      --cell             relax the cell too (periodic frames; the potential's virial)\n"
            "      --pressure P       target pressure, GPa (default 0; implies --cell)\n"
            "      --smax S           stress threshold, GPa (default 0.01)\n"
            "      --quiet            no progress lines on standard error\n"
            "  -h, --help             this help\n"
            "\n"
            "exit codes: 0 every frame converged, 1 a frame did not converge or a potential call\n"
            "failed (the output is still written when every frame was computed), 2 bad usage or input\n");
}

typedef struct progress {
    long frame;
    int quiet;
} progress;

static int relax_progress(void *user, int step, double energy, double fmax)
{
    const progress *p = user;
    if (!p->quiet && step % 50 == 0)
        fprintf(stderr, "  frame %ld step %d  E %.8f eV  fmax %.3e eV/Å\n", p->frame, step, energy, fmax);
    return 0;
}

int cli_relax(int argc, char **argv)
{
    enum { O_FMAX = 300, O_MAX_STEPS, O_METHOD, O_MAX_STEP, O_QUIET, O_CELL, O_PRESSURE, O_SMAX };
    static const struct option options[] = {
        {"potential", required_argument, NULL, 'p'}, {"output", required_argument, NULL, 'o'},
        {"fmax", required_argument, NULL, O_FMAX}, {"max-steps", required_argument, NULL, O_MAX_STEPS},
        {"method", required_argument, NULL, O_METHOD}, {"max-step", required_argument, NULL, O_MAX_STEP},
        {"quiet", no_argument, NULL, O_QUIET}, {"cell", no_argument, NULL, O_CELL},
        {"pressure", required_argument, NULL, O_PRESSURE}, {"smax", required_argument, NULL, O_SMAX},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *specs[CLI_MAX_POTENTIALS], *output = NULL;
    int n_specs = 0;
    mlpot_relax_options opt;
    mlpot_relax_options_default(&opt);
    progress prog = {0, 0};
    long max_steps = opt.max_steps;
    double pressure_gpa = 0, smax_gpa = 0.01;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "p:o:h", options, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'p':
            if (n_specs == CLI_MAX_POTENTIALS) {
                fprintf(stderr, "mlpot relax: too many -p options\n");
                return CLI_EXIT_USAGE;
            }
            specs[n_specs++] = optarg;
            break;
        case 'o': output = optarg; break;
        case O_FMAX: ok = cli_parse_double("relax", "--fmax", optarg, &opt.fmax); break;
        case O_MAX_STEPS: ok = cli_parse_long("relax", "--max-steps", optarg, &max_steps); break;
        case O_MAX_STEP: ok = cli_parse_double("relax", "--max-step", optarg, &opt.max_step); break;
        case O_METHOD:
            if (!strcmp(optarg, "fire")) opt.method = MLPOT_RELAX_FIRE;
            else if (!strcmp(optarg, "lbfgs") || !strcmp(optarg, "l-bfgs")) opt.method = MLPOT_RELAX_LBFGS;
            else {
                fprintf(stderr, "mlpot relax: --method: '%s' is not fire or lbfgs\n", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case O_QUIET: prog.quiet = 1; break;
        case O_CELL: opt.cell = 1; break;
        case O_PRESSURE:
            ok = cli_parse_double("relax", "--pressure", optarg, &pressure_gpa);
            opt.cell = 1;
            break;
        case O_SMAX: ok = cli_parse_double("relax", "--smax", optarg, &smax_gpa); break;
        case 'h': relax_usage(stdout); return CLI_EXIT_OK;
        default: relax_usage(stderr); return CLI_EXIT_USAGE;
        }
        if (!ok) return CLI_EXIT_USAGE;
    }
    const char *problem = NULL;
    if (n_specs == 0) problem = "no potential given (-p SPEC)";
    else if (!output) problem = "no output given (-o FILE)";
    else if (optind >= argc) problem = "no input file";
    else if (optind + 1 < argc) problem = "one input file only";
    else if (!(opt.fmax > 0)) problem = "--fmax must be positive";
    else if (max_steps < 0 || max_steps > 100000000) problem = "--max-steps must be between 0 and 1e8";
    else if (!(opt.max_step > 0)) problem = "--max-step must be positive";
    else if (!(smax_gpa > 0)) problem = "--smax must be positive";
    if (problem) {
        fprintf(stderr, "mlpot relax: %s\n", problem);
        relax_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    opt.max_steps = (int)max_steps;
    opt.pressure = pressure_gpa / MLPOT_EV_PER_A3_GPA;
    opt.smax = smax_gpa / MLPOT_EV_PER_A3_GPA;
    opt.callback = relax_progress;
    opt.user = &prog;

    mlpot_error err;
    mlpot_error_clear(&err);
    mlpot_potential *pot;
    if (cli_load_potential(specs, n_specs, &pot, &err)) return cli_report(&err);
    mlpot_dataset data;
    mlpot_dataset_init(&data);
    mlpot_result r;
    mlpot_result_init(&r);
    int code = CLI_EXIT_OK;
    long unconverged = 0;
    if (mlpot_dataset_read(argv[optind], NULL, &data, &err)) {
        code = cli_report(&err);
        goto done;
    }
    for (size_t f = 0; f < data.n_frames; ++f) {
        mlpot_structure *s = &data.frames[f];
        mlpot_relax_report rep;
        prog.frame = (long)f;
        if (mlpot_relax(pot, s, &opt, &rep, &err)) {
            fprintf(stderr, "mlpot relax: frame %zu: %s\n", f, err.message);
            code = err.code == MLPOT_ERR_NUMERIC ? CLI_EXIT_FAILURE : cli_report(&err);
            goto done;
        }
        if (!prog.quiet || !rep.converged) {
            fprintf(stderr, "mlpot relax: frame %zu: %s after %d steps, E %.10g eV, fmax %.3e eV/Å", f,
                    rep.converged ? "converged" : "NOT converged", rep.steps, rep.energy, rep.fmax);
            if (opt.cell)
                fprintf(stderr, ", max |stress + P| %.3e GPa, volume %.6g Å³", rep.smax * MLPOT_EV_PER_A3_GPA,
                        mlpot_structure_volume(s));
            fputc('\n', stderr);
        }
        unconverged += !rep.converged;
        /* the frame's labels become the relaxed energy and forces */
        unsigned request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES;
        if ((mlpot_potential_outputs(pot) & MLPOT_OUT_VIRIAL) && s->pbc[0] && s->pbc[1] && s->pbc[2])
            request |= MLPOT_OUT_VIRIAL;
        /* inputs of the potential stay: fixed charges, the total charge of charge equilibration */
        s->labels &= MLPOT_LABEL_CHARGES | MLPOT_LABEL_TOTAL_CHARGE;
        if (mlpot_potential_evaluate(pot, s, request, &r, &err) ||
            mlpot_structure_add_label(s, MLPOT_LABEL_FORCES, &err) ||
            ((request & MLPOT_OUT_VIRIAL) && mlpot_result_stress(&r, s, s->stress, &err))) {
            code = cli_report(&err);
            goto done;
        }
        s->energy = r.energy;
        s->labels |= MLPOT_LABEL_ENERGY | ((request & MLPOT_OUT_VIRIAL) ? MLPOT_LABEL_STRESS : 0u);
        memcpy(s->forces, r.forces, 3 * (size_t)s->n_atoms * sizeof(double));
    }
    if (mlpot_dataset_write(output, NULL, &data, &err)) {
        code = cli_report(&err);
        goto done;
    }
    if (unconverged) {
        fprintf(stderr, "mlpot relax: %ld of %zu frames did not reach fmax %g eV/Å%s in %d steps\n", unconverged,
                data.n_frames, opt.fmax, opt.cell ? " and smax" : "", opt.max_steps);
        code = CLI_EXIT_FAILURE;
    }
done:
    mlpot_result_free(&r);
    mlpot_dataset_free(&data);
    mlpot_potential_free(pot);
    return code;
}
