/* Potential specifications: "STYLE:ARG[,ARG...]" for classical styles, or a path to a model
 * file or folder whose kind is detected from its content. The table of styles is constant;
 * adding a style is one entry here and one loader. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/classical.h"
#include "mlpot/elements.h"
#include "mlpot/ewald.h"
#include "mlpot/potential.h"
#include "mlpot/qeq.h"
#include "potential/spec.h"

/* --- argument lists ------------------------------------------------------------------- */

void mlpot_spec_args_free(mlpot_spec_args *a)
{
    if (!a) return;
    free(a->buffer);
    free(a->positional);
    free(a->keys);
    free(a->values);
    free(a->used);
    memset(a, 0, sizeof *a);
}

mlpot_status mlpot_spec_args_parse(const char *text, mlpot_spec_args *a, mlpot_error *err)
{
    memset(a, 0, sizeof *a);
    a->buffer = mlpot_strdup(text ? text : "");
    size_t n_tokens = 1;
    for (const char *c = text ? text : ""; *c; ++c) n_tokens += *c == ',';
    a->positional = mlpot_calloc(n_tokens, sizeof(char *));
    a->keys = mlpot_calloc(n_tokens, sizeof(char *));
    a->values = mlpot_calloc(n_tokens, sizeof(char *));
    a->used = mlpot_calloc(n_tokens, sizeof(int));
    if (!a->buffer || !a->positional || !a->keys || !a->values || !a->used) {
        mlpot_spec_args_free(a);
        return mlpot_fail_memory(err, "parsing a potential specification");
    }
    char *save = NULL;
    for (char *tok = strtok_r(a->buffer, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok)) ++tok;
        char *end = tok + strlen(tok);
        while (end > tok && isspace((unsigned char)end[-1])) *--end = '\0';
        if (!*tok) continue;
        char *eq = strchr(tok, '=');
        if (eq) {
            *eq = '\0';
            a->keys[a->n_keys] = tok;
            a->values[a->n_keys++] = eq + 1;
        } else {
            a->positional[a->n_positional++] = tok;
        }
    }
    return MLPOT_OK;
}

const char *mlpot_spec_args_get(mlpot_spec_args *a, const char *key)
{
    for (int k = 0; k < a->n_keys; ++k)
        if (strcmp(a->keys[k], key) == 0) {
            a->used[k] = 1;
            return a->values[k];
        }
    return NULL;
}

mlpot_status mlpot_spec_args_double(mlpot_spec_args *a, const char *style, const char *key,
                                    int required, double fallback, double *out, mlpot_error *err)
{
    const char *v = mlpot_spec_args_get(a, key);
    if (!v) {
        if (required)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: missing parameter %s=VALUE", style, key);
        *out = fallback;
        return MLPOT_OK;
    }
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end || errno == ERANGE || !isfinite(x))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: %s='%s' is not a number", style, key, v);
    *out = x;
    return MLPOT_OK;
}

mlpot_status mlpot_spec_args_bool(mlpot_spec_args *a, const char *style, const char *key,
                                  int fallback, int *out, mlpot_error *err)
{
    const char *v = mlpot_spec_args_get(a, key);
    if (!v) {
        *out = fallback;
        return MLPOT_OK;
    }
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) *out = 1;
    else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) *out = 0;
    else return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: %s='%s' is not yes or no", style, key, v);
    return MLPOT_OK;
}

mlpot_status mlpot_spec_args_finish(const mlpot_spec_args *a, const char *style,
                                    int max_positional, mlpot_error *err)
{
    for (int k = 0; k < a->n_keys; ++k)
        if (!a->used[k])
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: unknown parameter '%s'", style,
                              a->keys[k]);
    if (a->n_positional > max_positional)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: unexpected argument '%s'", style,
                          a->positional[max_positional]);
    return MLPOT_OK;
}

/* --- loaders of the classical styles --------------------------------------------------- */

static mlpot_status load_lj(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err)
{
    mlpot_lj_params p = {0};
    mlpot_status st;
    if ((st = mlpot_spec_args_double(a, "lj", "cutoff", 1, 0, &p.cutoff, err))) return st;
    if ((st = mlpot_spec_args_bool(a, "lj", "shift", 0, &p.shift, err))) return st;
    /* Per-element parameters epsilon.El=..., sigma.El=...; or global epsilon=, sigma=. */
    int species[MLPOT_MAX_ELEMENT];
    double eps[MLPOT_MAX_ELEMENT], sig[MLPOT_MAX_ELEMENT];
    int ns = 0;
    for (int k = 0; k < a->n_keys; ++k) {
        if (strncmp(a->keys[k], "epsilon.", 8) != 0) continue;
        const char *el = a->keys[k] + 8;
        int z = mlpot_element_number(el);
        if (!z) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "lj: unknown element '%s' in %s", el, a->keys[k]);
        char key[64];
        snprintf(key, sizeof key, "sigma.%s", el);
        species[ns] = z;
        if ((st = mlpot_spec_args_double(a, "lj", a->keys[k], 1, 0, &eps[ns], err))) return st;
        if ((st = mlpot_spec_args_double(a, "lj", key, 1, 0, &sig[ns], err))) return st;
        ++ns;
    }
    if (ns == 0) {
        if ((st = mlpot_spec_args_double(a, "lj", "epsilon", 1, 0, &p.epsilon, err))) return st;
        if ((st = mlpot_spec_args_double(a, "lj", "sigma", 1, 0, &p.sigma, err))) return st;
    }
    if ((st = mlpot_spec_args_finish(a, "lj", 0, err))) return st;
    p.n_species = ns;
    p.species = species;
    p.epsilons = eps;
    p.sigmas = sig;
    return mlpot_lj_create(&p, out, err);
}

static mlpot_status load_zbl(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err)
{
    double inner, outer;
    mlpot_status st;
    if ((st = mlpot_spec_args_double(a, "zbl", "inner", 1, 0, &inner, err))) return st;
    if ((st = mlpot_spec_args_double(a, "zbl", "outer", 1, 0, &outer, err))) return st;
    if ((st = mlpot_spec_args_finish(a, "zbl", 0, err))) return st;
    return mlpot_zbl_create(inner, outer, out, err);
}

/* kspace=ewald|pme, pme_order=P, grid=N or grid=NAxNBxNC (PME grid points along a, b, c). */
static mlpot_status kspace_options(mlpot_spec_args *a, mlpot_ewald_params *p, mlpot_error *err)
{
    const char *style = "coulomb";
    const char *kspace = mlpot_spec_args_get(a, "kspace");
    if (kspace && strcmp(kspace, "pme") == 0) p->method = MLPOT_EWALD_PME;
    else if (kspace && strcmp(kspace, "ewald") != 0)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "coulomb: kspace=%s: use kspace=ewald or kspace=pme", kspace);
    const char *grid = mlpot_spec_args_get(a, "grid");
    double order = 0;
    mlpot_status st = mlpot_spec_args_double(a, style, "pme_order", 0, 0.0, &order, err);
    if (st) return st;
    if ((grid || order != 0) && p->method != MLPOT_EWALD_PME)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "coulomb: grid and pme_order need kspace=pme");
    if (order != 0) {
        if (order != floor(order) || order < 3 || order > MLPOT_PME_MAX_ORDER)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "coulomb: pme_order=%g: give an order 3..%d",
                              order, MLPOT_PME_MAX_ORDER);
        p->pme_order = (int)order;
    }
    if (grid) {
        int n[3], used = 0, k = sscanf(grid, "%dx%dx%d%n", &n[0], &n[1], &n[2], &used);
        if (k == 1 && sscanf(grid, "%d%n", &n[0], &used) == 1) n[1] = n[2] = n[0], k = 3;
        if (k != 3 || grid[used] != '\0' || n[0] < 1 || n[1] < 1 || n[2] < 1)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "coulomb: grid=%s: give grid=N or grid=NAxNBxNC (positive integers)", grid);
        memcpy(p->pme_grid, n, sizeof n);
    }
    return MLPOT_OK;
}

static mlpot_status load_coulomb(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err)
{
    mlpot_coulomb_params p = {0};
    mlpot_ewald_params_default(&p.ewald);
    mlpot_status st;
    const char *style = "coulomb";
    if ((st = mlpot_spec_args_double(a, style, "cutoff", 0, p.ewald.real_cutoff, &p.ewald.real_cutoff, err)) ||
        (st = mlpot_spec_args_double(a, style, "accuracy", 0, p.ewald.accuracy, &p.ewald.accuracy, err)) ||
        (st = mlpot_spec_args_double(a, style, "alpha", 0, 0.0, &p.ewald.alpha, err)) ||
        (st = mlpot_spec_args_double(a, style, "kcut", 0, 0.0, &p.ewald.kspace_cutoff, err)) ||
        (st = mlpot_spec_args_double(a, style, "max_charge", 0, 0.0, &p.ewald.max_charge, err)))
        return st;
    if ((st = kspace_options(a, &p.ewald, err))) return st;
    int species[MLPOT_MAX_ELEMENT];
    double charges[MLPOT_MAX_ELEMENT];
    for (int k = 0; k < a->n_keys; ++k) {
        if (strncmp(a->keys[k], "charge.", 7) != 0) continue;
        int z = mlpot_element_number(a->keys[k] + 7);
        if (!z) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "coulomb: unknown element in %s", a->keys[k]);
        species[p.n_species] = z;
        if ((st = mlpot_spec_args_double(a, style, a->keys[k], 1, 0, &charges[p.n_species], err))) return st;
        p.n_species++;
    }
    if ((st = mlpot_spec_args_finish(a, style, 0, err))) return st;
    p.species = species;
    p.charges = charges;
    return mlpot_coulomb_create(&p, out, err);
}

/* qeq:chi.El=X,J.El=Y,sigma.El=Z,... with the Ewald keys of coulomb and total_charge=Q */
static mlpot_status load_qeq(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err)
{
    mlpot_qeq_params p = {0};
    mlpot_ewald_params_default(&p.ewald);
    mlpot_status st;
    const char *style = "qeq";
    if ((st = mlpot_spec_args_double(a, style, "cutoff", 0, p.ewald.real_cutoff, &p.ewald.real_cutoff, err)) ||
        (st = mlpot_spec_args_double(a, style, "accuracy", 0, p.ewald.accuracy, &p.ewald.accuracy, err)) ||
        (st = mlpot_spec_args_double(a, style, "alpha", 0, 0.0, &p.ewald.alpha, err)) ||
        (st = mlpot_spec_args_double(a, style, "kcut", 0, 0.0, &p.ewald.kspace_cutoff, err)) ||
        (st = mlpot_spec_args_double(a, style, "total_charge", 0, 0.0, &p.total_charge, err)))
        return st;
    int species[MLPOT_MAX_ELEMENT];
    double value[3][MLPOT_MAX_ELEMENT];
    int have[3][MLPOT_MAX_ELEMENT + 1];
    memset(have, 0, sizeof have);
    static const char *const names[3] = {"chi.", "J.", "sigma."};
    for (int k = 0; k < a->n_keys; ++k) {
        int which = -1;
        for (int m = 0; m < 3; ++m)
            if (!strncmp(a->keys[k], names[m], strlen(names[m]))) which = m;
        if (which < 0) continue;
        const int z = mlpot_element_number(a->keys[k] + strlen(names[which]));
        if (!z) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "qeq: unknown element in %s", a->keys[k]);
        int e = 0;
        while (e < p.n_species && species[e] != z) ++e;
        if (e == p.n_species) species[p.n_species++] = z;
        if ((st = mlpot_spec_args_double(a, style, a->keys[k], 1, 0, &value[which][e], err))) return st;
        have[which][e] = 1;
    }
    for (int e = 0; e < p.n_species; ++e)
        for (int m = 0; m < 3; ++m)
            if (!have[m][e])
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "qeq: %s has no %s%s (give chi, J and sigma for every element)",
                                  mlpot_element_symbol(species[e]), names[m], mlpot_element_symbol(species[e]));
    if ((st = mlpot_spec_args_finish(a, style, 0, err))) return st;
    p.species = species;
    p.chi = value[0], p.hardness = value[1], p.width = value[2];
    return mlpot_qeq_create(&p, out, err);
}

/* Styles that read one parameter file: STYLE:FILE */
static mlpot_status one_file(mlpot_spec_args *a, const char *style, const char **path, mlpot_error *err)
{
    mlpot_status st = mlpot_spec_args_finish(a, style, 1, err);
    if (st) return st;
    if (a->n_positional != 1)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: give the parameter file, e.g. %s:Si.%s", style, style, style);
    *path = a->positional[0];
    return MLPOT_OK;
}

/* Element=label arguments ("Si=Si(D)") of the three-body styles. */
static mlpot_status element_labels(mlpot_spec_args *a, const char *style, mlpot_element_label *labels,
                                   int *n, mlpot_error *err)
{
    *n = 0;
    for (int k = 0; k < a->n_keys; ++k) {
        int z = mlpot_element_number(a->keys[k]);
        if (!z) continue;
        if (*n == MLPOT_MAX_ELEMENT) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: too many labels", style);
        labels[*n].z = z;
        labels[(*n)++].label = mlpot_spec_args_get(a, a->keys[k]);
    }
    return MLPOT_OK;
}

static mlpot_status load_sw(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err)
{
    const char *path = NULL;
    mlpot_element_label labels[MLPOT_MAX_ELEMENT];
    int n = 0;
    mlpot_status st = element_labels(a, "sw", labels, &n, err);
    if (!st) st = one_file(a, "sw", &path, err);
    return st ? st : mlpot_sw_load(path, labels, n, out, err);
}

static mlpot_status load_tersoff(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err)
{
    const char *path = NULL;
    mlpot_element_label labels[MLPOT_MAX_ELEMENT];
    int n = 0;
    mlpot_status st = element_labels(a, "tersoff", labels, &n, err);
    if (!st) st = one_file(a, "tersoff", &path, err);
    return st ? st : mlpot_tersoff_load(path, labels, n, out, err);
}

static mlpot_status load_eam_format(mlpot_spec_args *a, const char *style, mlpot_eam_format format,
                                    mlpot_potential **out, mlpot_error *err)
{
    mlpot_status st = mlpot_spec_args_finish(a, style, format == MLPOT_EAM_FUNCFL ? 64 : 1, err);
    if (st) return st;
    if (a->n_positional < 1)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: give the potential file(s)", style);
    return mlpot_eam_load(format, (const char *const *)a->positional, a->n_positional, out, err);
}

static mlpot_status load_eam(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err)
{
    return load_eam_format(a, "eam", MLPOT_EAM_FUNCFL, out, err);
}

static mlpot_status load_eam_alloy(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err)
{
    return load_eam_format(a, "eam/alloy", MLPOT_EAM_SETFL, out, err);
}

static mlpot_status load_eam_fs(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err)
{
    return load_eam_format(a, "eam/fs", MLPOT_EAM_FS, out, err);
}

typedef struct style_entry {
    const char *name;
    const char *usage;
    mlpot_status (*load)(mlpot_spec_args *a, mlpot_potential **out, mlpot_error *err);
} style_entry;

static const style_entry STYLES[] = {
    {"lj", "lj:epsilon=EV,sigma=A,cutoff=A[,shift=yes] or lj:epsilon.El=EV,sigma.El=A,...,cutoff=A",
     load_lj},
    {"zbl", "zbl:inner=A,outer=A", load_zbl},
    {"coulomb", "coulomb[:cutoff=A,accuracy=D,kspace=ewald|pme,pme_order=P,grid=N,charge.El=Q,...]", load_coulomb},
    {"qeq", "qeq:chi.El=X,J.El=Y,sigma.El=Z,...[,cutoff=A,accuracy=D,total_charge=Q]", load_qeq},
    {"sw", "sw:FILE.sw", load_sw},
    {"tersoff", "tersoff:FILE.tersoff", load_tersoff},
    {"eam", "eam:FILE[,FILE...]", load_eam},
    {"eam/alloy", "eam/alloy:FILE", load_eam_alloy},
    {"eam/fs", "eam/fs:FILE", load_eam_fs},
};

const char *mlpot_potential_styles(void)
{
    return "  lj:epsilon=EV,sigma=A,cutoff=A[,shift=yes]   Lennard-Jones (per element: epsilon.Ar=..,sigma.Ar=..)\n"
           "  zbl:inner=A,outer=A                        ZBL screened nuclear repulsion\n"
           "  coulomb[:cutoff=A,accuracy=D,charge.El=Q]  fixed charges (input charges or per element),\n"
           "                                             Ewald (periodic) or direct sum (open);\n"
           "                                             kspace=pme[,pme_order=P,grid=N|NAxNBxNC] for\n"
           "                                             particle-mesh Ewald (large systems);\n"
           "                                             max_charge=Q: accuracy is the RMS force error\n"
           "                                             (eV/Å) of the Kolafa-Perram estimate\n"
           "  qeq:chi.El=X,J.El=Y,sigma.El=Z[,...]       charge equilibration of Gaussian charges (eV/e,\n"
           "                                             eV/e², Å), Ewald keys as coulomb, total_charge=Q\n"
           "  sw:FILE[,El=LABEL]                         Stillinger-Weber (LAMMPS .sw file)\n"
           "  tersoff:FILE[,El=LABEL]                    Tersoff (LAMMPS .tersoff file; Si=Si(D) picks\n"
           "                                             a labelled variant)\n"
           "  eam:FILE[,FILE...]                         EAM, LAMMPS funcfl files (one per element)\n"
           "  eam/alloy:FILE                             EAM, LAMMPS setfl file\n"
           "  eam/fs:FILE                                Finnis-Sinclair EAM, LAMMPS file\n"
           "  committee:SPEC;SPEC[;...]                  the mean of independently fitted models, their\n"
           "                                             spread as energy and per-atom variances\n"
           "  PATH[,energy_unit=U,length_unit=U]         a model file or folder (kind detected),\n"
           "                                             optionally in other units (Hartree, Bohr);\n"
           "                                             n2p2 4G-HDNNP folders: total_charge=Q for\n"
           "                                             structures without one, ewald_accuracy=D\n";
}

/* "committee:SPEC;SPEC;...": members separated by ';' (a member's own arguments use ','). */
static mlpot_status load_committee(const char *list, mlpot_potential **out, mlpot_error *err)
{
    char *text = mlpot_strdup(list);
    int n = 1;
    for (const char *c = list; *c; ++c) n += *c == ';';
    mlpot_potential **members = mlpot_calloc((size_t)n, sizeof *members);
    if (!text || !members) {
        free(text);
        free(members);
        return mlpot_fail_memory(err, "loading a committee");
    }
    mlpot_status st = MLPOT_OK;
    int loaded = 0;
    char *save = NULL;
    for (char *tok = strtok_r(text, ";", &save); tok && !st; tok = strtok_r(NULL, ";", &save)) {
        while (*tok == ' ') ++tok;
        if (!*tok) continue;
        st = mlpot_potential_load(tok, &members[loaded], err);
        if (st) mlpot_error_prepend(err, "committee member %d: ", loaded + 1);
        else ++loaded;
    }
    free(text);
    if (!st && loaded == 0)
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "committee: no members (committee:SPEC;SPEC;...)");
    if (st) {
        for (int k = 0; k < loaded; ++k) mlpot_potential_free(members[k]);
    } else {
        st = mlpot_potential_committee(members, loaded, out, err);
    }
    free(members);
    return st;
}

mlpot_status mlpot_potential_load(const char *spec, mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    if (!spec || !*spec) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "empty potential specification");
    if (!strncmp(spec, "committee:", 10)) return load_committee(spec + 10, out, err);
    const char *colon = strchr(spec, ':');
    /* "style:args", or a bare style name when all its parameters have defaults */
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    {
        for (size_t k = 0; k < sizeof STYLES / sizeof STYLES[0]; ++k)
            if (strlen(STYLES[k].name) == len && strncmp(spec, STYLES[k].name, len) == 0) {
                mlpot_spec_args a;
                mlpot_status st = mlpot_spec_args_parse(colon ? colon + 1 : "", &a, err);
                if (!st) st = STYLES[k].load(&a, out, err);
                mlpot_spec_args_free(&a);
                if (st) mlpot_error_prepend(err, "potential '%s': ", spec);
                return st;
            }
    }
    /* A model path, optionally followed by ",key=value" arguments. */
    char *path = mlpot_strdup(spec);
    if (!path) return mlpot_fail_memory(err, "loading a potential");
    struct stat info;
    char *args_text = NULL;
    if (stat(path, &info) != 0) {
        char *comma = strchr(path, ',');
        if (comma) {
            *comma = '\0';
            args_text = comma + 1;
        }
    }
    if (stat(path, &info) != 0) {
        mlpot_status st;
        if (colon)
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                            "potential '%s': unknown style '%.*s' and no such file; styles:\n%s",
                            spec, (int)(colon - spec), spec, mlpot_potential_styles());
        else
            st = mlpot_fail(err, MLPOT_ERR_IO,
                            "potential '%s': no such file or folder, and not STYLE:ARGS", spec);
        free(path);
        return st;
    }
    mlpot_spec_args a;
    mlpot_status st = mlpot_spec_args_parse(args_text, &a, err);
    mlpot_energy_unit eu = MLPOT_UNIT_EV;
    mlpot_length_unit lu = MLPOT_UNIT_ANGSTROM;
    const char *eu_name = NULL, *lu_name = NULL;
    if (!st) {
        eu_name = mlpot_spec_args_get(&a, "energy_unit");
        lu_name = mlpot_spec_args_get(&a, "length_unit");
        if (eu_name) st = mlpot_energy_unit_parse(eu_name, &eu, err);
        if (!st && lu_name) st = mlpot_length_unit_parse(lu_name, &lu, err);
    }
    if (!st) st = mlpot_model_load_path(path, &a, out, err);
    if (!st) st = mlpot_spec_args_finish(&a, path, 0, err);
    if (!st && (eu != MLPOT_UNIT_EV || lu != MLPOT_UNIT_ANGSTROM)) {
        mlpot_potential *inner = *out;
        *out = NULL;
        st = mlpot_potential_with_units(inner, eu, lu, out, err);
    }
    if (st) {
        mlpot_potential_free(*out);
        *out = NULL;
    }
    mlpot_spec_args_free(&a);
    free(path);
    return st;
}
