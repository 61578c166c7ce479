/* mlpot command-line tool: dispatches to one file per command. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "mlpot/mlpot.h"

static const cli_command COMMANDS[] = {
    {"eval", "evaluate potentials on structures: energy, forces, stress", cli_eval},
    {"convert", "convert structures between formats and units", cli_convert},
    {"info", "summarise datasets: frames, species, labels, cells", cli_info},
    {"train", "train a neural network potential on energies and forces", cli_train},
    {"fit", "fit a Gaussian approximation potential (sparse GP on SOAP) to energies and forces", cli_fit},
    {"descriptors", "write per-atom descriptor vectors (symmetry functions, SOAP) of a dataset", cli_descriptors},
    {"md", "molecular dynamics: NVE, Langevin or Bussi NVT; trajectory, log, checkpoints", cli_md},
    {"relax", "relax atomic positions (FIRE or L-BFGS) to a force threshold", cli_relax},
    {"analyze", "trajectory analysis: MSD and diffusion, RDF, VACF and VDOS, ionic conductivity", cli_analyze},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mlpot COMMAND [OPTIONS]   (mlpot COMMAND --help for details)\n\ncommands:\n");
    for (size_t k = 0; k < sizeof COMMANDS / sizeof COMMANDS[0]; ++k)
        fprintf(f, "  %-12s %s\n", COMMANDS[k].name, COMMANDS[k].summary);
    fprintf(f, "\nexit codes: 0 success, 1 failure while running, 2 bad usage or input\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("mlpot %s\n", mlpot_version());
        return 0;
    }
    for (size_t k = 0; k < sizeof COMMANDS / sizeof COMMANDS[0]; ++k)
        if (!strcmp(argv[1], COMMANDS[k].name)) return COMMANDS[k].run(argc - 1, argv + 1);
    fprintf(stderr, "mlpot: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
