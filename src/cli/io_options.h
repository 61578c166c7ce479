/* Command-line options shared by the commands that read or write structures. */
#ifndef MLPOT_CLI_IO_OPTIONS_H
#define MLPOT_CLI_IO_OPTIONS_H

#include <getopt.h>

#include "mlpot/io.h"

/* Long options --from/--to, --energy-unit/--length-unit (input) and --out-energy-unit/
 * --out-length-unit, --energy-key/--forces-key/--stress-key/--virial-key/--charges-key. */
enum {
    CLI_IO_FROM = 1000, CLI_IO_TO, CLI_IO_EU, CLI_IO_LU, CLI_IO_OUT_EU, CLI_IO_OUT_LU,
    CLI_IO_EK, CLI_IO_FK, CLI_IO_SK, CLI_IO_VK, CLI_IO_QK
};
#define CLI_IO_LONG_OPTIONS                                                                     \
    {"from", required_argument, NULL, CLI_IO_FROM}, {"to", required_argument, NULL, CLI_IO_TO}, \
    {"energy-unit", required_argument, NULL, CLI_IO_EU},                                        \
    {"length-unit", required_argument, NULL, CLI_IO_LU},                                        \
    {"out-energy-unit", required_argument, NULL, CLI_IO_OUT_EU},                                \
    {"out-length-unit", required_argument, NULL, CLI_IO_OUT_LU},                                \
    {"energy-key", required_argument, NULL, CLI_IO_EK},                                         \
    {"forces-key", required_argument, NULL, CLI_IO_FK},                                         \
    {"stress-key", required_argument, NULL, CLI_IO_SK},                                         \
    {"virial-key", required_argument, NULL, CLI_IO_VK},                                         \
    {"charges-key", required_argument, NULL, CLI_IO_QK}

#define CLI_IO_HELP                                                                             \
    "      --from FORMAT          input format: extxyz, n2p2, deepmd, npz (default: detected)\n" \
    "      --to FORMAT            output format: extxyz, n2p2, lammps-data (default: from the\n" \
    "                             output's name, else extxyz)\n"                                 \
    "      --energy-unit U        units of the input's numbers when its format has none (n2p2)\n" \
    "      --length-unit U        or to override (npz: kcal/mol): eV, meV, Hartree, Ry,\n"      \
    "                             kcal/mol, kJ/mol; Angstrom, Bohr, nm\n"                        \
    "      --out-energy-unit U    units to write (n2p2 output)\n"                               \
    "      --out-length-unit U\n"                                                             \
    "      --energy-key K         label names in extxyz input (default energy, forces, stress,\n" \
    "      --forces-key K         virial, charges), e.g. dft_energy, dft_force, dft_virial\n"   \
    "      --stress-key K\n"                                                                  \
    "      --virial-key K\n"                                                                  \
    "      --charges-key K\n"

/* Applies option c (from getopt_long) to the input/output options; returns 1 when c was one
 * of the IO options, 0 when not, -1 on a bad value (message in err). */
int cli_io_option(int c, const char *arg, mlpot_io_options *in, mlpot_io_options *out,
                  mlpot_error *err);

#endif
