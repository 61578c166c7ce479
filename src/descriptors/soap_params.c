/* SOAP parameters: QUIP's defaults, its descriptor-string syntax, and validation. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "descriptors/soap_args.h"
#include "descriptors/soap_internal.h"
#include "mlpot/soap.h"

/* Current conventions: any version from the central-reference change on. */
#define SOAP_VERSION_CURRENT 1686220958L

void mlpot_soap_params_default(mlpot_soap_params *p)
{
    memset(p, 0, sizeof *p);
    p->cutoff = 0.0;
    p->cutoff_transition_width = 0.5;
    p->n_max = 0;
    p->l_max = -1;
    p->atom_sigma = 0.0;
    p->n_species = 1;
    p->species[0] = 0;
    p->n_centres = 1;
    p->centres[0] = 0;
    p->central_weight = 1.0;
    p->central_reference_all_species = -1;
    p->normalise = 1;
    p->covariance_sigma0 = 0.0;
    p->basis_error_exponent = 10.0;
    p->xml_version = SOAP_VERSION_CURRENT;
}

int mlpot_soap_dimension(const mlpot_soap_params *p)
{
    long K = (long)p->n_species * p->n_max;
    return (int)((p->l_max + 1) * K * (K + 1) / 2 + 1);
}

mlpot_status mlpot_soap_params_check(const mlpot_soap_params *p, mlpot_error *err)
{
    if (!(p->cutoff > 0) || !isfinite(p->cutoff))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: cutoff must be positive (got %g)", p->cutoff);
    if (!(p->cutoff_transition_width >= 0) || !(p->cutoff_transition_width <= p->cutoff))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "soap: cutoff_transition_width must lie in [0, cutoff] (got %g, cutoff %g)",
                          p->cutoff_transition_width, p->cutoff);
    if (p->n_max < 1 || p->n_max > 64)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: n_max must be between 1 and 64 (got %d)", p->n_max);
    if (p->l_max < 0 || p->l_max > 40)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: l_max must be between 0 and 40 (got %d)", p->l_max);
    if (!(p->atom_sigma > 0) || !isfinite(p->atom_sigma))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: atom_sigma must be positive (got %g)", p->atom_sigma);
    if (!(p->basis_error_exponent > 0) || !isfinite(p->basis_error_exponent))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: basis_error_exponent must be positive (got %g)",
                          p->basis_error_exponent);
    if (!isfinite(p->central_weight) || !isfinite(p->covariance_sigma0))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: central_weight and covariance_sigma0 must be finite");
    if (p->n_species < 1 || p->n_species > MLPOT_MAX_ELEMENT)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: n_species must be between 1 and %d (got %d)",
                          MLPOT_MAX_ELEMENT, p->n_species);
    for (int s = 0; s < p->n_species; ++s) {
        int z = p->species[s];
        if (z < 0 || z > MLPOT_MAX_ELEMENT || (z == 0 && p->n_species > 1))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "soap: species_Z has %d, not an atomic number (0, any species, only with n_species=1)", z);
        for (int t = 0; t < s; ++t)
            if (p->species[t] == z)
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: species_Z lists %d twice", z);
    }
    if (p->n_centres < 1 || p->n_centres > MLPOT_MAX_ELEMENT)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: n_Z must be between 1 and %d (got %d)",
                          MLPOT_MAX_ELEMENT, p->n_centres);
    for (int s = 0; s < p->n_centres; ++s)
        if (p->centres[s] < 0 || p->centres[s] > MLPOT_MAX_ELEMENT)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: Z has %d, not an atomic number", p->centres[s]);
    if (p->central_reference_all_species < -1 || p->central_reference_all_species > 1)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: central_reference_all_species must be -1, 0 or 1");
    double K = (double)p->n_species * p->n_max;
    if ((p->l_max + 1) * K * (K + 1) / 2 + 1 > 1e8)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "soap: the descriptor would have %.3g components",
                          (p->l_max + 1) * K * (K + 1) / 2 + 1);
    return MLPOT_OK;
}

/* Options of QUIP's soap that mlpot does not implement: refused unless at their defaults. */
static mlpot_status refuse(quip_args *a, const char *key, const char *fallback, mlpot_error *err)
{
    const char *v = quip_args_get(a, key);
    if (!v || !strcasecmp(v, fallback)) return MLPOT_OK;
    int b, fb;
    if (quip_parse_bool(v, &b) && quip_parse_bool(fallback, &fb) && b == fb) return MLPOT_OK;
    double x, fx;
    if (quip_parse_real(v, &x) && quip_parse_real(fallback, &fx) && x == fx) return MLPOT_OK;
    if (a->context && a->context[0])
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%s: soap option %s=%s is not supported by mlpot (only %s)",
                          a->context, key, v, fallback);
    return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "soap option %s=%s is not supported by mlpot (only %s)", key, v,
                      fallback);
}

/* Fills p from parsed arguments (the name is checked by the caller). */
mlpot_status soap_params_from_args(quip_args *a, mlpot_soap_params *p, mlpot_error *err)
{
    mlpot_soap_params_default(p);
    mlpot_status st;
    int given = 0;
    const char *ctx = a->context && a->context[0] ? a->context : "soap";
    if ((st = quip_args_real(a, "cutoff", &p->cutoff, &given, err))) return st;
    if (!given) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: soap needs cutoff=", ctx);
    if ((st = quip_args_real(a, "cutoff_transition_width", &p->cutoff_transition_width, NULL, err))) return st;
    if ((st = quip_args_int(a, "n_max", &p->n_max, &given, err))) return st;
    if (!given) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: soap needs n_max=", ctx);
    if ((st = quip_args_int(a, "l_max", &p->l_max, &given, err))) return st;
    if (!given) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: soap needs l_max=", ctx);
    int g1 = 0, g2 = 0;
    double s1 = 0, s2 = 0;
    if ((st = quip_args_real(a, "atom_sigma", &s1, &g1, err))) return st;
    if ((st = quip_args_real(a, "atom_gaussian_width", &s2, &g2, err))) return st;
    if (!g1 && !g2) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: soap needs atom_sigma=", ctx);
    p->atom_sigma = g2 ? s2 : s1;
    if ((st = quip_args_real(a, "central_weight", &p->central_weight, NULL, err))) return st;
    int cr = 0;
    if ((st = quip_args_bool(a, "central_reference_all_species", &cr, &given, err))) return st;
    p->central_reference_all_species = given ? cr : -1;
    if ((st = quip_args_real(a, "covariance_sigma0", &p->covariance_sigma0, NULL, err))) return st;
    int norm_given = 0, n1 = 1, n2 = 1;
    if ((st = quip_args_bool(a, "normalise", &n1, &norm_given, err))) return st;
    if ((st = quip_args_bool(a, "normalize", &n2, &given, err))) return st;
    p->normalise = given ? n2 : n1;
    if ((st = quip_args_real(a, "basis_error_exponent", &p->basis_error_exponent, NULL, err))) return st;
    if ((st = quip_args_long(a, "xml_version", &p->xml_version, NULL, err))) return st;

    int has_n_species = 0;
    if ((st = quip_args_int(a, "n_species", &p->n_species, &has_n_species, err))) return st;
    if (p->n_species < 1 || p->n_species > MLPOT_MAX_ELEMENT)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: n_species must be between 1 and %d (got %d)", ctx,
                          MLPOT_MAX_ELEMENT, p->n_species);
    int count = 0;
    if ((st = quip_args_int_list(a, "species_Z", p->species, MLPOT_MAX_ELEMENT, &count, err))) return st;
    if (count && !has_n_species)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: species_Z needs n_species as well (QUIP's rule)", ctx);
    if (count == 0 && p->n_species == 1) p->species[0] = 0, count = 1;
    if (count != p->n_species)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: n_species=%d but species_Z lists %d species", ctx,
                          p->n_species, count);
    int n_z = 1;
    if ((st = quip_args_int(a, "n_Z", &n_z, NULL, err))) return st;
    if (n_z < 1 || n_z > MLPOT_MAX_ELEMENT)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: n_Z must be between 1 and %d (got %d)", ctx,
                          MLPOT_MAX_ELEMENT, n_z);
    if ((st = quip_args_int_list(a, "Z", p->centres, MLPOT_MAX_ELEMENT, &count, err))) return st;
    if (count == 0 && n_z == 1) p->centres[0] = 0, count = 1;
    if (count != n_z)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: n_Z=%d but Z lists %d species", ctx, n_z, count);
    p->n_centres = n_z;

    /* QUIP options mlpot does not implement */
    if ((st = refuse(a, "average", "F", err)) || (st = refuse(a, "diagonal_radial", "F", err)) ||
        (st = refuse(a, "radial_basis", "EQUISPACED_GAUSS", err)) || (st = refuse(a, "Z_mix", "F", err)) ||
        (st = refuse(a, "R_mix", "F", err)) || (st = refuse(a, "sym_mix", "F", err)) ||
        (st = refuse(a, "coupling", "T", err)) || (st = refuse(a, "K", "0", err)) ||
        (st = refuse(a, "nu_R", "2", err)) || (st = refuse(a, "nu_S", "2", err)) ||
        (st = refuse(a, "Z_map", "", err)) || (st = refuse(a, "cutoff_dexp", "0", err)))
        return st;
    /* only matter with cutoff_dexp > 0 */
    double ignored;
    if ((st = quip_args_real(a, "cutoff_scale", &ignored, NULL, err)) ||
        (st = quip_args_real(a, "cutoff_rate", &ignored, NULL, err)))
        return st;
    int mix_shift = 0;
    if ((st = quip_args_int(a, "mix_shift", &mix_shift, NULL, err))) return st;
    if ((st = quip_args_finish(a, quip_gap_fit_keys, err))) return st;
    st = mlpot_soap_params_check(p, err);
    if (st && a->context && a->context[0]) mlpot_error_prepend(err, "%s: ", a->context);
    return st;
}

mlpot_status mlpot_soap_params_parse(const char *text, mlpot_soap_params *p, mlpot_error *err)
{
    quip_args a;
    /* the first bare word, when there is one, names the descriptor */
    const char *t = text;
    while (*t == ' ' || *t == '\t') ++t;
    size_t word = strcspn(t, " \t=");
    int has_name = word > 0 && t[word] != '=' && t[word + strspn(t + word, " \t")] != '=';
    mlpot_status st = quip_args_parse(text, has_name, "", &a, err);
    if (st) return st;
    if (a.name && strcasecmp(a.name, "soap"))
        st = mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "descriptor '%s' is not soap (mlpot's SOAP implements QUIP's 'soap')",
                        a.name);
    else st = soap_params_from_args(&a, p, err);
    quip_args_free(&a);
    return st;
}
