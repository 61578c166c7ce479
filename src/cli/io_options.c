#include "cli/io_options.h"

int cli_io_option(int c, const char *arg, mlpot_io_options *in, mlpot_io_options *out,
                  mlpot_error *err)
{
    mlpot_status st = MLPOT_OK;
    switch (c) {
    case CLI_IO_FROM: st = mlpot_format_parse(arg, &in->format, err); break;
    case CLI_IO_TO: st = mlpot_format_parse(arg, &out->format, err); break;
    case CLI_IO_EU: st = mlpot_energy_unit_parse(arg, &in->energy_unit, err), in->units_given = 1; break;
    case CLI_IO_LU: st = mlpot_length_unit_parse(arg, &in->length_unit, err), in->units_given = 1; break;
    case CLI_IO_OUT_EU: st = mlpot_energy_unit_parse(arg, &out->energy_unit, err), out->units_given = 1; break;
    case CLI_IO_OUT_LU: st = mlpot_length_unit_parse(arg, &out->length_unit, err), out->units_given = 1; break;
    case CLI_IO_EK: in->energy_key = arg; break;
    case CLI_IO_FK: in->forces_key = arg; break;
    case CLI_IO_SK: in->stress_key = arg; break;
    case CLI_IO_VK: in->virial_key = arg; break;
    case CLI_IO_QK: in->charges_key = arg; break;
    default: return 0;
    }
    return st ? -1 : 1;
}
