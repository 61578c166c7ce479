#include "mlpot/units.h"

#include <ctype.h>
#include <string.h>

#include "core/error.h"

double mlpot_energy_unit_in_ev(mlpot_energy_unit unit)
{
    switch (unit) {
    case MLPOT_UNIT_EV: return 1.0;
    case MLPOT_UNIT_HARTREE: return MLPOT_HARTREE_EV;
    case MLPOT_UNIT_KCAL_PER_MOL: return MLPOT_KCAL_PER_MOL_EV;
    case MLPOT_UNIT_KJ_PER_MOL: return MLPOT_KJ_PER_MOL_EV;
    case MLPOT_UNIT_RYDBERG: return 0.5 * MLPOT_HARTREE_EV;
    case MLPOT_UNIT_MEV: return 1.0e-3;
    }
    return 1.0;
}

double mlpot_length_unit_in_angstrom(mlpot_length_unit unit)
{
    switch (unit) {
    case MLPOT_UNIT_ANGSTROM: return 1.0;
    case MLPOT_UNIT_BOHR: return MLPOT_BOHR_ANGSTROM;
    case MLPOT_UNIT_NM: return 10.0;
    }
    return 1.0;
}

static int same_name(const char *a, const char *b)
{
    for (; *a && *b; ++a, ++b)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

mlpot_status mlpot_energy_unit_parse(const char *name, mlpot_energy_unit *unit, mlpot_error *err)
{
    static const struct { const char *name; mlpot_energy_unit unit; } names[] = {
        {"eV", MLPOT_UNIT_EV}, {"Hartree", MLPOT_UNIT_HARTREE}, {"Ha", MLPOT_UNIT_HARTREE},
        {"Eh", MLPOT_UNIT_HARTREE}, {"kcal/mol", MLPOT_UNIT_KCAL_PER_MOL},
        {"kJ/mol", MLPOT_UNIT_KJ_PER_MOL}, {"Ry", MLPOT_UNIT_RYDBERG},
        {"Rydberg", MLPOT_UNIT_RYDBERG}, {"meV", MLPOT_UNIT_MEV},
    };
    /* "meV" and "MeV" differ only in case; nobody fits potentials in MeV, so accept "meV" only
     * in its exact spelling before the case-insensitive pass. */
    if (name && strcmp(name, "meV") == 0) { *unit = MLPOT_UNIT_MEV; return MLPOT_OK; }
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; ++i)
        if (names[i].unit != MLPOT_UNIT_MEV && same_name(name, names[i].name)) {
            *unit = names[i].unit;
            return MLPOT_OK;
        }
    return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                      "unknown energy unit '%s' (known: eV, meV, Hartree, Ry, kcal/mol, kJ/mol)",
                      name ? name : "(null)");
}

mlpot_status mlpot_length_unit_parse(const char *name, mlpot_length_unit *unit, mlpot_error *err)
{
    static const struct { const char *name; mlpot_length_unit unit; } names[] = {
        {"A", MLPOT_UNIT_ANGSTROM}, {"Angstrom", MLPOT_UNIT_ANGSTROM},
        {"\xC3\x85", MLPOT_UNIT_ANGSTROM}, {"Bohr", MLPOT_UNIT_BOHR}, {"au", MLPOT_UNIT_BOHR},
        {"a0", MLPOT_UNIT_BOHR}, {"nm", MLPOT_UNIT_NM},
    };
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; ++i)
        if (same_name(name, names[i].name)) {
            *unit = names[i].unit;
            return MLPOT_OK;
        }
    return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                      "unknown length unit '%s' (known: Angstrom, Bohr, nm)",
                      name ? name : "(null)");
}

const char *mlpot_energy_unit_name(mlpot_energy_unit unit)
{
    switch (unit) {
    case MLPOT_UNIT_EV: return "eV";
    case MLPOT_UNIT_HARTREE: return "Hartree";
    case MLPOT_UNIT_KCAL_PER_MOL: return "kcal/mol";
    case MLPOT_UNIT_KJ_PER_MOL: return "kJ/mol";
    case MLPOT_UNIT_RYDBERG: return "Ry";
    case MLPOT_UNIT_MEV: return "meV";
    }
    return "?";
}

const char *mlpot_length_unit_name(mlpot_length_unit unit)
{
    switch (unit) {
    case MLPOT_UNIT_ANGSTROM: return "Angstrom";
    case MLPOT_UNIT_BOHR: return "Bohr";
    case MLPOT_UNIT_NM: return "nm";
    }
    return "?";
}
