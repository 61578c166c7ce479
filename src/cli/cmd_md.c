/* mlpot md: molecular dynamics of one structure with any potential.
 *
 * Outputs are append-only streams flushed after every record (not temporary file + rename: a
 * trajectory rewritten at every frame would cost O(frames²)): after a crash every complete
 * frame and log line is on disk and at most the last record is partial. Checkpoints are
 * written atomically (temporary + rename) and remember how long the trajectory and log were;
 * --resume cuts both back to those lengths and continues, so that the files of a run killed
 * at any moment and resumed are byte for byte those of an uninterrupted run. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static void md_usage(FILE *f)
{
    fprintf(f,
            "usage: mlpot md -p SPEC [-p SPEC ...] --steps N [options] INPUT\n"
            "\n"
            "Runs molecular dynamics of the first frame of INPUT. Initial velocities are the input's\n"
            "'velocities' column (Å/fs) when present, else Maxwell-Boltzmann at --temperature\n"
            "(centre-of-mass momentum removed, scaled to exactly that temperature).\n"
            "\n"
            "options:\n"
            "  -p, --potential SPEC     potential (see mlpot eval --help); several add up\n"
            "      --ensemble E         nve (velocity Verlet, default), langevin (BAOAB), bussi\n"
            "                           (stochastic velocity rescaling), nhc (Nosé-Hoover chain), npt\n"
            "                           (--thermostat for the particles + stochastic cell rescaling)\n"
            "      --thermostat T       npt's particle thermostat: bussi (default) or langevin\n"
            "      --chain N            Nosé-Hoover chain length (default 3)\n"
            "      --pressure P         npt target pressure, in GPa; a 'bar' suffix gives bar\n"
            "                           (e.g. 1.5 or 1.5GPa, 1000bar; default 0)\n"
            "      --tau-p FS           npt barostat time constant, fs (default 1000)\n"
            "      --compressibility B  npt barostat's compressibility, 1/bar (default 4.5e-5, water;\n"
            "                           solids: about 1/B, e.g. 1e-6 for silicon): sets how fast the\n"
            "                           volume relaxes, not the ensemble\n"
            "      --cell-coupling C    npt cell degrees of freedom: iso (volume, default), aniso (three\n"
            "                           Cartesian axes), tri (all six strains)\n"
            "      --dt FS              timestep in fs (default 1)\n"
            "      --steps N            number of steps (the total, also when resuming)\n"
            "      --temperature K      thermostat target and initial temperature (default 300)\n"
            "      --friction G         Langevin friction, 1/fs (default 0.01)\n"
            "      --tau FS             Bussi time constant, Nosé-Hoover period, fs (default 100)\n"
            "      --seed S             random seed of velocities and thermostat (default 1)\n"
            "      --mass El=AMU        mass of an element (repeatable), e.g. --mass H=2.014\n"
            "      --skin A             neighbour-list skin, Å (default 1)\n"
            "      --traj FILE          extended XYZ trajectory (positions, unwrapped; velocities in\n"
            "                           Å/fs; energy, forces, stress), appended and flushed per frame\n"
            "      --traj-every N       steps between frames (default 100)\n"
            "      --log FILE.csv       CSV log: step,time_fs,T_K,E_pot_eV,E_kin_eV,E_conserved_eV,\n"
            "                           P_GPa,volume_A3 (E_conserved = E_pot + E_kin + P_target V - heat\n"
            "                           of thermostat and barostat; for nhc, heat = -chain energy)\n"
            "      --log-every N        steps between log lines (default 10)\n"
            "      --checkpoint FILE    binary checkpoint, written atomically\n"
            "      --checkpoint-every N steps between checkpoints (default 1000; also at the end)\n"
            "      --resume             continue from --checkpoint (same options and INPUT); the\n"
            "                           trajectory and log are cut back to the checkpoint and extended\n"
            "      --quiet              no progress lines on standard error\n"
            "  -h, --help               this help\n"
            "\n"
            "exit codes: 0 success, 1 failure while running (message names the step), 2 bad usage\n"
            "or input\n");
}

typedef struct md_outputs {
    FILE *traj, *log;
    const char *traj_path, *log_path;
    mlpot_io_options io;
} md_outputs;

static mlpot_status io_error(mlpot_error *err, const char *path)
{
    err->code = MLPOT_ERR_IO;
    snprintf(err->message, sizeof err->message, "%s: write error", path);
    return MLPOT_ERR_IO;
}

/* One trajectory frame: positions, velocities, energy, forces, stress, step and time. */
static mlpot_status write_frame(md_outputs *o, const mlpot_md *md, mlpot_structure *frame, mlpot_error *err)
{
    const mlpot_structure *s = mlpot_md_structure(md);
    const mlpot_result *r = mlpot_md_result(md);
    mlpot_md_state st;
    mlpot_md_get_state(md, &st);
    mlpot_status e;
    if ((e = mlpot_structure_copy(frame, s, err))) return e;
    mlpot_atom_property *v;
    if ((e = mlpot_structure_add_property(frame, "velocities", MLPOT_PROPERTY_REAL, 3, &v, err))) return e;
    memcpy(v->real, mlpot_md_velocities(md), 3 * (size_t)s->n_atoms * sizeof(double));
    frame->labels |= MLPOT_LABEL_ENERGY;
    frame->energy = r->energy;
    if ((e = mlpot_structure_add_label(frame, MLPOT_LABEL_FORCES, err))) return e;
    memcpy(frame->forces, r->forces, 3 * (size_t)s->n_atoms * sizeof(double));
    if ((r->computed & MLPOT_OUT_VIRIAL) && st.volume > 0) {
        if ((e = mlpot_result_stress(r, s, frame->stress, err))) return e;
        frame->labels |= MLPOT_LABEL_STRESS;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%ld", st.step);
    if ((e = mlpot_structure_set_info(frame, "step", buf, err))) return e;
    snprintf(buf, sizeof buf, "%.17g", st.time);
    if ((e = mlpot_structure_set_info(frame, "time_fs", buf, err))) return e;
    if ((e = mlpot_extxyz_write_frame(o->traj, frame, &o->io, err))) return e;
    if (fflush(o->traj) != 0) return io_error(err, o->traj_path);
    return MLPOT_OK;
}

static mlpot_status write_log(md_outputs *o, const mlpot_md *md, mlpot_error *err)
{
    mlpot_md_state st;
    mlpot_md_get_state(md, &st);
    fprintf(o->log, "%ld,%.10g,%.10g,%.12g,%.12g,%.12g,%.10g,%.10g\n", st.step, st.time, st.temperature,
            st.potential, st.kinetic, st.conserved, st.pressure * MLPOT_EV_PER_A3_GPA, st.volume);
    if (fflush(o->log) != 0 || ferror(o->log)) return io_error(err, o->log_path);
    return MLPOT_OK;
}

/* Length of an open output stream (0 when not open). */
static long stream_length(FILE *f) { return f ? ftell(f) : 0; }

/* Opens an output: truncated for a new run; for a resumed one cut back to `length` bytes (the
 * length when the checkpoint was written) and appended to. */
static FILE *open_output(const char *path, int resume, long length, mlpot_error *err)
{
    FILE *f;
    if (!resume) {
        f = fopen(path, "w");
    } else {
        if (truncate(path, length) != 0) {
            err->code = MLPOT_ERR_IO;
            snprintf(err->message, sizeof err->message, "%s: cannot cut back to the checkpoint's %ld bytes to resume",
                     path, length);
            return NULL;
        }
        f = fopen(path, "a");
    }
    if (!f) {
        err->code = MLPOT_ERR_IO;
        snprintf(err->message, sizeof err->message, "%s: cannot open for writing", path);
    }
    return f;
}

/* cli_report with the input's name before the message. */
static int report_about(const char *input, mlpot_error *err)
{
    char message[MLPOT_ERROR_MESSAGE_SIZE];
    size_t used = (size_t)snprintf(message, sizeof message, "%.200s: ", input);
    memcpy(message + used, err->message, sizeof message - used - 1);
    message[sizeof message - 1] = 0;
    memcpy(err->message, message, sizeof message);
    return cli_report(err);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int cli_md(int argc, char **argv)
{
    enum { O_ENS = 300, O_DT, O_STEPS, O_T, O_FRICTION, O_TAU, O_SEED, O_MASS, O_SKIN, O_TRAJ, O_TRAJ_EVERY,
           O_LOG, O_LOG_EVERY, O_CKPT, O_CKPT_EVERY, O_RESUME, O_QUIET, O_THERMOSTAT, O_CHAIN, O_PRESSURE,
           O_TAU_P, O_COMPRESSIBILITY, O_COUPLING };
    static const struct option options[] = {
        {"potential", required_argument, NULL, 'p'}, {"ensemble", required_argument, NULL, O_ENS},
        {"dt", required_argument, NULL, O_DT}, {"steps", required_argument, NULL, O_STEPS},
        {"temperature", required_argument, NULL, O_T}, {"friction", required_argument, NULL, O_FRICTION},
        {"tau", required_argument, NULL, O_TAU}, {"seed", required_argument, NULL, O_SEED},
        {"mass", required_argument, NULL, O_MASS}, {"skin", required_argument, NULL, O_SKIN},
        {"traj", required_argument, NULL, O_TRAJ}, {"traj-every", required_argument, NULL, O_TRAJ_EVERY},
        {"log", required_argument, NULL, O_LOG}, {"log-every", required_argument, NULL, O_LOG_EVERY},
        {"checkpoint", required_argument, NULL, O_CKPT}, {"checkpoint-every", required_argument, NULL, O_CKPT_EVERY},
        {"resume", no_argument, NULL, O_RESUME}, {"quiet", no_argument, NULL, O_QUIET},
        {"thermostat", required_argument, NULL, O_THERMOSTAT}, {"chain", required_argument, NULL, O_CHAIN},
        {"pressure", required_argument, NULL, O_PRESSURE}, {"tau-p", required_argument, NULL, O_TAU_P},
        {"compressibility", required_argument, NULL, O_COMPRESSIBILITY},
        {"cell-coupling", required_argument, NULL, O_COUPLING},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *specs[CLI_MAX_POTENTIALS];
    int n_specs = 0, resume = 0, quiet = 0, n_masses = 0;
    int mass_z[MLPOT_MAX_ELEMENT + 1];
    double mass_value[MLPOT_MAX_ELEMENT + 1];
    long steps = -1, traj_every = 100, log_every = 10, ckpt_every = 1000, seed = 1, chain = 3;
    int npt = 0;
    double compressibility_bar = 4.5e-5;
    mlpot_ensemble thermostat = MLPOT_ENSEMBLE_BUSSI;
    mlpot_barostat coupling = MLPOT_BAROSTAT_ISOTROPIC;
    const char *traj_path = NULL, *log_path = NULL, *ckpt_path = NULL;
    mlpot_md_options opt;
    mlpot_md_options_default(&opt);
    mlpot_error err;
    mlpot_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "p:h", options, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'p':
            if (n_specs == CLI_MAX_POTENTIALS) {
                fprintf(stderr, "mlpot md: too many -p options\n");
                return CLI_EXIT_USAGE;
            }
            specs[n_specs++] = optarg;
            break;
        case O_ENS:
            npt = !strcmp(optarg, "npt");
            if (!npt && mlpot_ensemble_parse(optarg, &opt.ensemble, &err)) {
                fprintf(stderr, "mlpot md: --ensemble: %s, or npt\n", err.message);
                return CLI_EXIT_USAGE;
            }
            break;
        case O_THERMOSTAT:
            if (!strcmp(optarg, "bussi")) thermostat = MLPOT_ENSEMBLE_BUSSI;
            else if (!strcmp(optarg, "langevin")) thermostat = MLPOT_ENSEMBLE_LANGEVIN;
            else {
                fprintf(stderr, "mlpot md: --thermostat: '%s' is not bussi or langevin\n", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case O_CHAIN: ok = cli_parse_long("md", "--chain", optarg, &chain); break;
        case O_PRESSURE: {
            /* GPa unless the value ends in "bar"; "GPa" may be written out */
            char buf[64];
            size_t len = strlen(optarg);
            double unit = 1.0 / MLPOT_EV_PER_A3_GPA;
            if (len >= sizeof buf) len = sizeof buf - 1;
            memcpy(buf, optarg, len);
            buf[len] = 0;
            if (len > 3 && !strcmp(buf + len - 3, "GPa")) buf[len - 3] = 0;
            else if (len > 3 && !strcmp(buf + len - 3, "bar")) buf[len - 3] = 0, unit = 1.0 / (MLPOT_EV_PER_A3_KBAR * 1e3);
            ok = cli_parse_double("md", "--pressure", buf, &opt.pressure);
            opt.pressure *= unit;
            break;
        }
        case O_TAU_P: ok = cli_parse_double("md", "--tau-p", optarg, &opt.tau_p); break;
        case O_COMPRESSIBILITY: ok = cli_parse_double("md", "--compressibility", optarg, &compressibility_bar); break;
        case O_COUPLING:
            if (mlpot_barostat_parse(optarg, &coupling, &err) || coupling == MLPOT_BAROSTAT_NONE) {
                fprintf(stderr, "mlpot md: --cell-coupling: '%s' is not iso, aniso or tri\n", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case O_DT: ok = cli_parse_double("md", "--dt", optarg, &opt.timestep); break;
        case O_STEPS: ok = cli_parse_long("md", "--steps", optarg, &steps); break;
        case O_T: ok = cli_parse_double("md", "--temperature", optarg, &opt.temperature); break;
        case O_FRICTION: ok = cli_parse_double("md", "--friction", optarg, &opt.friction); break;
        case O_TAU: ok = cli_parse_double("md", "--tau", optarg, &opt.tau); break;
        case O_SEED: ok = cli_parse_long("md", "--seed", optarg, &seed); break;
        case O_SKIN: ok = cli_parse_double("md", "--skin", optarg, &opt.skin); break;
        case O_TRAJ: traj_path = optarg; break;
        case O_TRAJ_EVERY: ok = cli_parse_long("md", "--traj-every", optarg, &traj_every); break;
        case O_LOG: log_path = optarg; break;
        case O_LOG_EVERY: ok = cli_parse_long("md", "--log-every", optarg, &log_every); break;
        case O_CKPT: ckpt_path = optarg; break;
        case O_CKPT_EVERY: ok = cli_parse_long("md", "--checkpoint-every", optarg, &ckpt_every); break;
        case O_RESUME: resume = 1; break;
        case O_QUIET: quiet = 1; break;
        case O_MASS: {
            char symbol[8];
            const char *eq = strchr(optarg, '=');
            int z = 0;
            if (eq && (size_t)(eq - optarg) < sizeof symbol) {
                memcpy(symbol, optarg, (size_t)(eq - optarg));
                symbol[eq - optarg] = 0;
                z = mlpot_element_number(symbol);
            }
            if (!z) {
                fprintf(stderr, "mlpot md: --mass: '%s' is not ELEMENT=AMU (e.g. H=2.014)\n", optarg);
                return CLI_EXIT_USAGE;
            }
            if (n_masses > MLPOT_MAX_ELEMENT) return CLI_EXIT_USAGE;
            mass_z[n_masses] = z;
            ok = cli_parse_double("md", "--mass", eq + 1, &mass_value[n_masses++]);
            if (ok && !(mass_value[n_masses - 1] > 0)) {
                fprintf(stderr, "mlpot md: --mass %s: the mass must be positive\n", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        }
        case 'h': md_usage(stdout); return CLI_EXIT_OK;
        default: md_usage(stderr); return CLI_EXIT_USAGE;
        }
        if (!ok) return CLI_EXIT_USAGE;
    }
    const char *problem = NULL;
    if (n_specs == 0) problem = "no potential given (-p SPEC)";
    else if (optind >= argc) problem = "no input file";
    else if (optind + 1 < argc) problem = "one input file only";
    else if (steps < 0) problem = "--steps N is required (N >= 0)";
    else if (traj_every < 1 || log_every < 1 || ckpt_every < 1) problem = "--traj-every, --log-every and --checkpoint-every must be at least 1";
    else if (seed < 0) problem = "--seed must not be negative";
    else if (resume && !ckpt_path) problem = "--resume needs --checkpoint FILE";
    else if (chain < 1 || chain > MLPOT_NHC_MAX) problem = "--chain must be between 1 and 10";
    else if (!(compressibility_bar > 0)) problem = "--compressibility must be positive (1/bar)";
    if (problem) {
        fprintf(stderr, "mlpot md: %s\n", problem);
        md_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    opt.seed = (uint64_t)seed;
    opt.nhc_length = (int)chain;
    /* 1/bar -> Å³/eV: times the number of bar in 1 eV/Å³ */
    opt.compressibility = compressibility_bar * MLPOT_EV_PER_A3_KBAR * 1e3;
    if (npt) opt.ensemble = thermostat, opt.barostat = coupling;
    const char *input = argv[optind];

    int code = CLI_EXIT_OK;
    mlpot_potential *pot = NULL;
    mlpot_md *md = NULL;
    mlpot_dataset data;
    mlpot_dataset_init(&data);
    mlpot_structure frame;
    mlpot_structure_init(&frame);
    md_outputs out = {NULL, NULL, traj_path, log_path, {0}};
    mlpot_io_options_default(&out.io);
    mlpot_io_options in_opt;
    mlpot_io_options_default(&in_opt);
    if (cli_load_potential(specs, n_specs, &pot, &err)) return cli_report(&err);
    if (mlpot_dataset_read(input, &in_opt, &data, &err)) {
        code = cli_report(&err);
        goto done;
    }
    if (data.n_frames == 0) {
        fprintf(stderr, "mlpot md: %s: no structure in the file\n", input);
        code = CLI_EXIT_USAGE;
        goto done;
    }
    mlpot_structure *s = &data.frames[0];
    /* velocities from the input: the column is read back as an extra property */
    mlpot_atom_property *vel = mlpot_structure_property(s, "velocities");
    if (vel && (vel->type != MLPOT_PROPERTY_REAL || vel->ncols != 3)) {
        fprintf(stderr, "mlpot md: %s: the velocities column must be R:3 (Å/fs)\n", input);
        code = CLI_EXIT_USAGE;
        goto done;
    }
    /* with masses: the timestep limit is checked against the masses actually used */
    if (n_masses) {
        if (!s->masses && mlpot_structure_add_masses(s, &err)) {
            code = cli_report(&err);
            goto done;
        }
        for (int k = 0; k < n_masses; ++k)
            for (int i = 0; i < s->n_atoms; ++i)
                if (s->numbers[i] == mass_z[k]) s->masses[i] = mass_value[k];
    }
    if (mlpot_md_create(pot, s, &opt, &md, &err)) {
        code = report_about(input, &err);
        goto done;
    }
    int64_t extra[MLPOT_MD_CHECKPOINT_EXTRA] = {0};
    if (resume) {
        if (mlpot_md_checkpoint_read(md, ckpt_path, extra, &err)) {
            code = cli_report(&err);
            goto done;
        }
    } else if (vel) {
        if (mlpot_md_set_velocities(md, vel->real, &err)) {
            code = report_about(input, &err);
            goto done;
        }
    } else if (mlpot_md_maxwell_boltzmann(md, opt.temperature, opt.seed, &err)) {
        code = cli_report(&err);
        goto done;
    }
    if ((traj_path && !(out.traj = open_output(traj_path, resume, (long)extra[0], &err))) ||
        (log_path && !(out.log = open_output(log_path, resume, (long)extra[1], &err)))) {
        code = cli_report(&err);
        goto done;
    }
    mlpot_md_state st;
    mlpot_md_get_state(md, &st);
    if (!resume) {
        if (out.log) fprintf(out.log, "step,time_fs,T_K,E_pot_eV,E_kin_eV,E_conserved_eV,P_GPa,volume_A3\n");
        if ((out.traj && write_frame(&out, md, &frame, &err)) || (out.log && write_log(&out, md, &err))) {
            code = cli_report(&err);
            goto done;
        }
    }
    if (!quiet)
        fprintf(stderr, "mlpot md: %s, %d atoms, %s%s%s, dt %g fs, %s step %ld of %ld\n", input, s->n_atoms,
                mlpot_ensemble_name(opt.ensemble), npt ? " + barostat " : "", npt ? mlpot_barostat_name(opt.barostat) : "",
                opt.timestep, resume ? "resuming at" : "from", st.step, steps);
    double t0 = now(), last_report = t0;
    long first = st.step;
    while (st.step < steps) {
        /* run to the next step at which something is written */
        long next = steps;
        long marks[3] = {traj_every, log_every, ckpt_every};
        for (int k = 0; k < 3; ++k) {
            long m = (st.step / marks[k] + 1) * marks[k];
            if (m < next) next = m;
        }
        if (mlpot_md_run(md, next - st.step, &err)) {
            fprintf(stderr, "mlpot md: %s\n", err.message);
            code = CLI_EXIT_FAILURE;
            goto done;
        }
        mlpot_md_get_state(md, &st);
        if ((out.traj && st.step % traj_every == 0 && write_frame(&out, md, &frame, &err)) ||
            (out.log && st.step % log_every == 0 && write_log(&out, md, &err))) {
            code = cli_report(&err);
            goto done;
        }
        if (ckpt_path && (st.step % ckpt_every == 0 || st.step == steps)) {
            /* the outputs must be on disk before a checkpoint that vouches for their length */
            if ((out.traj && fsync(fileno(out.traj)) != 0) || (out.log && fsync(fileno(out.log)) != 0)) {
                fprintf(stderr, "mlpot md: cannot sync the outputs to disk\n");
                code = CLI_EXIT_FAILURE;
                goto done;
            }
            extra[0] = stream_length(out.traj), extra[1] = stream_length(out.log);
            if (mlpot_md_checkpoint_write(md, ckpt_path, extra, &err)) {
                code = cli_report(&err);
                goto done;
            }
        }
        double t = now();
        if (!quiet && (t - last_report > 2.0 || st.step == steps)) {
            last_report = t;
            double rate = (double)(st.step - first) / fmax(t - t0, 1e-9);
            fprintf(stderr, "  step %ld/%ld  t %.1f fs  T %.1f K  E_pot %.6f  E_cons %.6f eV  %.0f steps/s\n", st.step,
                    steps, st.time, st.temperature, st.potential, st.conserved, rate);
        }
    }
    if (!quiet) {
        double t = now() - t0;
        fprintf(stderr, "mlpot md: %ld steps in %.3g s (%.3g µs/atom/step), %ld neighbour searches\n", st.step - first,
                t, st.step > first ? 1e6 * t / ((double)(st.step - first) * s->n_atoms) : 0.0, st.rebuilds);
        if (st.seconds > 0) { /* where the steps' time went, as LAMMPS breaks down its loop */
            const double rest = t - st.seconds, integ = st.seconds - st.seconds_force - st.seconds_neighbours;
            fprintf(stderr,
                    "  time: potential %.3g s (%.1f %%), neighbour lists %.3g s (%.1f %%), integrator %.3g s (%.1f %%), "
                    "output and checkpoints %.3g s (%.1f %%)\n",
                    st.seconds_force, 100 * st.seconds_force / t, st.seconds_neighbours, 100 * st.seconds_neighbours / t,
                    integ, 100 * integ / t, rest, 100 * rest / t);
        }
    }
done:
    if (out.traj && fclose(out.traj) != 0 && code == CLI_EXIT_OK) {
        fprintf(stderr, "mlpot md: %s: write error\n", traj_path);
        code = CLI_EXIT_FAILURE;
    }
    if (out.log && fclose(out.log) != 0 && code == CLI_EXIT_OK) {
        fprintf(stderr, "mlpot md: %s: write error\n", log_path);
        code = CLI_EXIT_FAILURE;
    }
    mlpot_structure_free(&frame);
    mlpot_md_free(md);
    mlpot_dataset_free(&data);
    mlpot_potential_free(pot);
    return code;
}
