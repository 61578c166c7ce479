/* mlpot train: fit a Behler-Parrinello potential to reference data (include/mlpot/train.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static void train_usage(FILE *f)
{
    fprintf(f, "usage: mlpot train [CONFIG.yaml | input.nn] [options]\n"
               "\n"
               "Trains a Behler-Parrinello neural network potential on energies, forces (and\n"
               "stresses) by force matching and writes it as an n2p2 model folder, which\n"
               "`mlpot eval -p FOLDER`, n2p2 and LAMMPS's n2p2 interface read. Optimisers:\n"
               "Adam, L-BFGS, and n2p2's Kalman filter (training.optimizer). An n2p2 training\n"
               "input.nn may stand for the YAML file (its keywords and input.data beside it;\n"
               "errors are weighted by loss.energy_sigma and loss.force_sigma, which it lacks).\n"
               "4G-HDNNPs (charge equilibration, Ewald electrostatics) train in n2p2's two stages:\n"
               "  --set training.stage=charges --set model.charge_widths=H=0.31,O=0.66 -o Q\n"
               "      electronegativity networks and hardnesses from reference charges, then\n"
               "  --set model.electrostatics=Q -o MODEL\n"
               "      the short-range networks (charge as input) on energies and forces\n"
               "  (n2p2 input.data has no units: state them, data.energy_unit and data.length_unit).\n"
               "Settings come from the YAML file, then the options below (later ones win).\n"
               "\n"
               "options:\n"
               "  --train FILE          add training data (repeatable)\n"
               "  --validation FILE     add validation data (else data.validation_fraction)\n"
               "  --test FILE           add test data, reported at the end\n"
               "  --epochs N            training.epochs\n"
               "  --seed N              training.seed\n"
               "  -o, --output DIR      output.directory (the model folder)\n"
               "  --resume              continue from output.checkpoint\n"
               "  --set KEY=VALUE       any key, e.g. --set model.cutoff=5.0\n"
               "  --print-config        print every key with its value and meaning, and stop\n"
               "  -q, --quiet           no progress\n"
               "  -h, --help            this help\n"
               "\n"
               "Progress goes to stderr: a live line on a terminal, else one line per epoch.\n"
               "Errors are RMSE: energy per atom in meV, forces in meV/Angstrom (data in eV, Angstrom),\n"
               "charges in me.\n"
               "\n"
               "exit codes: 0 success, 1 failure while training, 2 bad usage, configuration or data\n");
}

typedef struct display {
    int live, quiet;
} display;

static void format_duration(double s, char *buf, size_t size)
{
    if (!isfinite(s) || s < 0) snprintf(buf, size, "?");
    else if (s < 60) snprintf(buf, size, "%.0fs", s);
    else if (s < 3600) snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}

static void progress(const mlpot_train_progress *p, void *user)
{
    const display *d = user;
    if (d->quiet) return;
    if (p->message) {
        fprintf(stderr, "%s%s\n", d->live ? "\r\033[K" : "", p->message);
        return;
    }
    char eta[32];
    double per_epoch = p->epoch > 0 ? p->epoch_s : 0.0;
    format_duration(per_epoch * (p->epochs - p->epoch), eta, sizeof eta);
    char line[512];
    int n;
    if (!isnan(p->train.charge_rmse)) { /* a 4G model's charges stage: charges in me */
        n = snprintf(line, sizeof line, "epoch %*d/%d  loss %.3e  train q %.4g", (int)log10(p->epochs + 1) + 1, p->epoch,
                     p->epochs, p->loss, 1e3 * p->train.charge_rmse);
        if (!isnan(p->validation.charge_rmse))
            n += snprintf(line + n, sizeof line - (size_t)n, "  val q %.4g", 1e3 * p->validation.charge_rmse);
    } else {
        n = snprintf(line, sizeof line, "epoch %*d/%d  loss %.3e  train E %.3g F %.4g", (int)log10(p->epochs + 1) + 1,
                     p->epoch, p->epochs, p->loss, 1e3 * p->train.energy_rmse, 1e3 * p->train.force_rmse);
        if (!isnan(p->validation.energy_rmse))
            n += snprintf(line + n, sizeof line - (size_t)n, "  val E %.3g F %.4g", 1e3 * p->validation.energy_rmse,
                          1e3 * p->validation.force_rmse);
    }
    snprintf(line + n, sizeof line - (size_t)n, "  lr %.1e  %.2fs/epoch  ETA %s%s", p->learning_rate, per_epoch, eta,
             p->best_epoch == p->epoch && p->epoch > 0 ? "  *" : "");
    if (d->live) {
        /* a bar for the run, the line of the epoch; newline every 10 epochs keeps a history */
        int width = 20, filled = p->epochs > 0 ? (int)((double)width * p->epoch / p->epochs) : width;
        fprintf(stderr, "\r\033[K[%.*s%*s] %s", filled, "####################", width - filled, "", line);
        if (p->epoch % 10 == 0 || p->epoch == p->epochs) fputc('\n', stderr);
    } else {
        fprintf(stderr, "%s\n", line);
    }
    fflush(stderr);
}

int cli_train(int argc, char **argv)
{
    mlpot_error err;
    mlpot_train_config *c;
    if (mlpot_train_config_create(&c, &err)) return cli_report(&err);
    display d = {isatty(fileno(stderr)), 0};
    int print_config = 0, status = 0;
    char train[65536] = "", validation[16384] = "", test[16384] = "";
    /* the YAML file first, so that options override it */
    static const char *with_value[] = {"--train", "--validation", "--test", "--epochs", "--seed", "-o", "--output", "--set"};
    for (int k = 1; k < argc; ++k) {
        if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help")) {
            train_usage(stdout);
            mlpot_train_config_free(c);
            return 0;
        }
        int takes = 0;
        for (size_t q = 0; q < sizeof with_value / sizeof *with_value; ++q) takes |= !strcmp(argv[k], with_value[q]);
        if (takes) {
            ++k;
            continue;
        }
        if (argv[k][0] != '-' && mlpot_train_config_read(c, argv[k], &err)) {
            mlpot_train_config_free(c);
            return cli_report(&err);
        }
    }
    for (int k = 1; k < argc && !status; ++k) {
        const char *a = argv[k], *next = k + 1 < argc ? argv[k + 1] : NULL;
        mlpot_status st = MLPOT_OK;
        const char *key = NULL;
        char *list = NULL;
        size_t list_size = 0;
        if (!strcmp(a, "--train")) list = train, list_size = sizeof train;
        else if (!strcmp(a, "--validation")) list = validation, list_size = sizeof validation;
        else if (!strcmp(a, "--test")) list = test, list_size = sizeof test;
        else if (!strcmp(a, "--epochs")) key = "training.epochs";
        else if (!strcmp(a, "--seed")) key = "training.seed";
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) key = "output.directory";
        else if (!strcmp(a, "--resume")) st = mlpot_train_config_set(c, "training.resume", "true", &err);
        else if (!strcmp(a, "--print-config")) print_config = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) d.quiet = 1;
        else if (!strcmp(a, "--set")) {
            if (!next || !strchr(next, '=')) {
                fprintf(stderr, "mlpot train: --set needs KEY=VALUE\n");
                status = CLI_EXIT_USAGE;
                break;
            }
            char buf[4096];
            snprintf(buf, sizeof buf, "%s", next);
            char *eq = strchr(buf, '=');
            *eq = '\0';
            st = mlpot_train_config_set(c, buf, eq + 1, &err);
            ++k;
        } else if (a[0] == '-') {
            fprintf(stderr, "mlpot train: unknown option '%s' (see mlpot train --help)\n", a);
            status = CLI_EXIT_USAGE;
            break;
        } else {
            continue; /* the configuration file, read above */
        }
        if ((list || key) && !next) {
            fprintf(stderr, "mlpot train: %s needs a value\n", a);
            status = CLI_EXIT_USAGE;
            break;
        }
        if (list) {
            size_t used = strlen(list);
            if (used + strlen(next) + 2 >= list_size) {
                fprintf(stderr, "mlpot train: too many files\n");
                status = CLI_EXIT_USAGE;
                break;
            }
            snprintf(list + used, list_size - used, "%s%s", used ? "," : "", next);
            ++k;
        } else if (key) {
            st = mlpot_train_config_set(c, key, next, &err);
            ++k;
        }
        if (st) status = cli_report(&err);
    }
    if (!status && train[0] && mlpot_train_config_set(c, "data.train", train, &err)) status = cli_report(&err);
    if (!status && validation[0] && mlpot_train_config_set(c, "data.validation", validation, &err)) status = cli_report(&err);
    if (!status && test[0] && mlpot_train_config_set(c, "data.test", test, &err)) status = cli_report(&err);
    if (status) {
        mlpot_train_config_free(c);
        return status;
    }
    if (print_config) {
        size_t size = 1 << 18;
        char *text = malloc(size);
        if (text) {
            mlpot_train_config_describe(c, text, size);
            fputs(text, stdout);
            free(text);
        }
        mlpot_train_config_free(c);
        return 0;
    }
    mlpot_train_report r;
    if (mlpot_train(c, progress, &d, &r, &err)) {
        if (d.live) fputc('\n', stderr);
        mlpot_train_config_free(c);
        return cli_report(&err);
    }
    char model[4096];
    mlpot_train_config_get(c, "output.directory", model, sizeof model, &err);
    char keep_last[16] = "";
    mlpot_train_config_get(c, "training.keep_last", keep_last, sizeof keep_last, &err);
    char all[64] = ""; /* a resumed run's time so far, as in the learning curve */
    if (r.seconds_all > r.seconds) snprintf(all, sizeof all, " (%.1f s with the runs resumed)", r.seconds_all);
    printf("trained %d parameters on %d structures (%d validation, %d test) in %.1f s%s; %s epoch %d of %d\n",
           r.n_parameters, r.n_train, r.n_validation, r.n_test, r.seconds, all, strcmp(keep_last, "true") ? "best" : "kept",
           r.best_epoch, r.epochs_run);
    if (r.n_test > 0 && !isnan(r.test.charge_rmse))
        printf("test set: charges RMSE %.4g me, MAE %.4g me\n", 1e3 * r.test.charge_rmse, 1e3 * r.test.charge_mae);
    else if (r.n_test > 0) {
        printf("test set: energy RMSE %.4g meV/atom, MAE %.4g meV/atom; forces RMSE %.4g meV/A, MAE %.4g meV/A\n",
               1e3 * r.test.energy_rmse, 1e3 * r.test.energy_mae, 1e3 * r.test.force_rmse, 1e3 * r.test.force_mae);
        for (int e = 0; e < r.n_elements; ++e)
            printf("  forces on %-2s: RMSE %.4g meV/A, MAE %.4g meV/A\n", mlpot_element_symbol(r.elements[e]),
                   1e3 * r.test_by_element[e].force_rmse, 1e3 * r.test_by_element[e].force_mae);
    }
    if (!isnan(r.closest_pair))
        printf("radial grid from %.4g A (model.radial_r_lower: auto; closest training pair %.4g A)\n", r.radial_r_lower,
               r.closest_pair);
    if (r.validation_note[0]) printf("validation: %s\n", r.validation_note);
    printf("model written to %s\n", model);
    mlpot_train_config_free(c);
    return 0;
}
