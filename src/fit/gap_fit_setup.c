/* The descriptors of a GAP fit from gap_fit's "gap" string: descriptor strings separated by
 * ':', each with its fit settings, expanded over species as gap_fit's add_species does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/memory.h"
#include "descriptors/soap_args.h"
#include "fit/gap_fit_internal.h"
#include "models/gap_pair.h"

void fit_descriptors_free(fit_descriptor *d, int n)
{
    for (int k = 0; d && k < n; ++k) {
        free(d[k].string), free(d[k].sparse_file);
        soap_desc_free(&d[k].soap);
        free(d[k].instances), free(d[k].sparse), free(d[k].sparse_cutoff);
    }
    free(d);
}

/* Appends " text" to *s (reallocated). */
static int append(char **s, const char *text)
{
    size_t a = strlen(*s), b = strlen(text);
    char *t = realloc(*s, a + b + 2);
    if (!t) return 0;
    t[a] = ' ';
    memcpy(t + a + 1, text, b + 1);
    *s = t;
    return 1;
}

/* Settings of one descriptor string (before the species expansion). */
typedef struct fit_settings {
    gap_descriptor_kind kind;
    gap_kernel_kind kernel;
    double delta, f0, zeta, theta;
    int n_sparse, method, add_species, has_centre, has_species;
    char sparse_file[1024];
} fit_settings;

static mlpot_status read_settings(const char *text, const char *where, fit_settings *f, mlpot_error *err)
{
    memset(f, 0, sizeof *f);
    quip_args a;
    mlpot_status st = quip_args_parse(text, 1, where, &a, err);
    if (st) return st;
    const char *name = a.name ? a.name : "";
    if (!strcasecmp(name, "soap")) f->kind = GAP_DESCRIPTOR_SOAP;
    else if (!strcasecmp(name, "distance_2b")) f->kind = GAP_DESCRIPTOR_DISTANCE_2B;
    else {
        st = mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%s: descriptor '%s' cannot be fitted (supported: soap, distance_2b)",
                        where, name[0] ? name : text);
        goto done;
    }
    f->delta = 1.0, f->zeta = 2.0, f->theta = 0.0, f->n_sparse = -1, f->add_species = 1;
    int given_zeta = 0, given_theta = 0, given_sparse = 0;
    if ((st = quip_args_real(&a, "delta", &f->delta, NULL, err)) || (st = quip_args_real(&a, "f0", &f->f0, NULL, err)) ||
        (st = quip_args_real(&a, "zeta", &f->zeta, &given_zeta, err)) ||
        (st = quip_args_real(&a, "theta_uniform", &f->theta, &given_theta, err)) ||
        (st = quip_args_int(&a, "n_sparse", &f->n_sparse, &given_sparse, err)) ||
        (st = quip_args_bool(&a, "add_species", &f->add_species, NULL, err)))
        goto done;
    if (!given_zeta && (st = quip_args_real(&a, "soap_exponent", &f->zeta, &given_zeta, err))) goto done;
    if (!given_theta && (st = quip_args_real(&a, "lengthscale_uniform", &f->theta, &given_theta, err))) goto done;
    f->has_centre = quip_args_get(&a, f->kind == GAP_DESCRIPTOR_SOAP ? "Z" : "Z1") != NULL ||
                    (f->kind == GAP_DESCRIPTOR_SOAP && quip_args_get(&a, "n_Z") != NULL);
    f->has_species = quip_args_get(&a, f->kind == GAP_DESCRIPTOR_SOAP ? "species_Z" : "Z2") != NULL ||
                     (f->kind == GAP_DESCRIPTOR_SOAP && quip_args_get(&a, "n_species") != NULL);
    const char *cov = quip_args_get(&a, "covariance_type");
    f->kernel = f->kind == GAP_DESCRIPTOR_SOAP ? GAP_KERNEL_DOT_PRODUCT : GAP_KERNEL_ARD_SE;
    if (cov) {
        if (!strcasecmp(cov, "dot_product")) f->kernel = GAP_KERNEL_DOT_PRODUCT;
        else if (!strcasecmp(cov, "ard_se")) f->kernel = GAP_KERNEL_ARD_SE;
        else {
            st = mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%s: covariance_type=%s (supported: dot_product, ard_se)", where, cov);
            goto done;
        }
    }
    const char *method = quip_args_get(&a, "sparse_method"), *file = quip_args_get(&a, "sparse_file");
    static const struct {
        const char *name;
        int method;
    } methods[] = {{"random", FIT_SPARSE_RANDOM},   {"uniform", FIT_SPARSE_UNIFORM}, {"cur_points", FIT_SPARSE_CUR},
                   {"cur", FIT_SPARSE_CUR},         {"fps", FIT_SPARSE_FPS},         {"farthest_point", FIT_SPARSE_FPS},
                   {"all", FIT_SPARSE_ALL}};
    f->method = f->kind == GAP_DESCRIPTOR_DISTANCE_2B ? FIT_SPARSE_UNIFORM : FIT_SPARSE_CUR;
    if (method) {
        f->method = -1;
        for (size_t k = 0; k < sizeof methods / sizeof *methods; ++k)
            if (!strcasecmp(method, methods[k].name)) f->method = methods[k].method;
        if (f->method < 0) {
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                            "%s: sparse_method=%s (supported: random, uniform, cur_points, fps, all)", where, method);
            goto done;
        }
    }
    if (file) {
        snprintf(f->sparse_file, sizeof f->sparse_file, "%s", file);
        f->method = FIT_SPARSE_FILE;
        given_sparse = 1, f->n_sparse = f->n_sparse > 0 ? f->n_sparse : 1; /* the file decides */
    }
    /* values out of range: before any descriptor is computed */
    if (!(f->delta > 0) || !isfinite(f->delta))
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: delta must be positive (got %g)", where, f->delta);
    else if (!isfinite(f->f0))
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: f0 must be finite", where);
    else if (f->kernel == GAP_KERNEL_DOT_PRODUCT && (!(f->zeta > 0) || !isfinite(f->zeta)))
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: zeta must be positive (got %g)", where, f->zeta);
    else if (f->kernel == GAP_KERNEL_ARD_SE && (!given_theta || !(f->theta > 0) || !isfinite(f->theta)))
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: the ard_se kernel needs theta_uniform > 0 (a length scale, Å)", where);
    else if (f->kernel == GAP_KERNEL_ARD_SE && f->kind == GAP_DESCRIPTOR_SOAP)
        st = mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%s: soap is fitted with covariance_type=dot_product", where);
    else if (f->method != FIT_SPARSE_ALL && (!given_sparse || f->n_sparse < 1))
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: n_sparse must be given and >= 1 (or sparse_method=all)", where);
    else if (f->method == FIT_SPARSE_UNIFORM && f->kind != GAP_DESCRIPTOR_DISTANCE_2B)
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: sparse_method=uniform is for one-dimensional descriptors (distance_2b)",
                        where);
done:
    quip_args_free(&a);
    return st;
}

/* Makes descriptor *out from its final string (with species) and settings. */
static mlpot_status make_descriptor(char *string, const fit_settings *s, const char *where, fit_descriptor *out,
                                    mlpot_error *err)
{
    memset(out, 0, sizeof *out);
    out->string = string;
    out->kind = s->kind, out->kernel = s->kernel;
    out->delta = s->delta, out->f0 = s->f0, out->zeta = s->zeta, out->theta = s->theta;
    out->n_sparse = s->n_sparse, out->method = s->method;
    if (s->sparse_file[0] && !(out->sparse_file = mlpot_strdup(s->sparse_file)))
        return mlpot_fail_memory(err, "reading the gap settings");
    mlpot_status st;
    if (s->kind == GAP_DESCRIPTOR_SOAP) {
        quip_args a;
        if ((st = quip_args_parse(string, 1, where, &a, err))) return st;
        mlpot_soap_params p;
        st = soap_params_from_args(&a, &p, err);
        quip_args_free(&a);
        if (!st) st = soap_desc_init(&out->soap, &p, err);
        if (st) return st;
        out->d = out->soap.dim;
        out->cutoff = p.cutoff;
    } else {
        if ((st = gap_pair_params_parse(string, where, &out->pair, err))) return st;
        out->d = out->pair.n_exponents;
        out->cutoff = out->pair.cutoff;
    }
    return MLPOT_OK;
}

mlpot_status fit_descriptors_parse(const char *gap, const int *elements, int n_elements, fit_descriptor **out,
                                   int *n_out, mlpot_error *err)
{
    *out = NULL, *n_out = 0;
    if (!gap || !gap[0]) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "gap: no descriptors given");
    char *copy = mlpot_strdup(gap);
    fit_descriptor *list = NULL;
    int n = 0, capacity = 0, part = 0;
    mlpot_status st = copy ? MLPOT_OK : mlpot_fail_memory(err, "reading the gap settings");
    for (char *save = NULL, *text = copy ? strtok_r(copy, ":", &save) : NULL; text && !st;
         text = strtok_r(NULL, ":", &save)) {
        while (*text == ' ' || *text == '\t' || *text == '\n') ++text;
        if (!*text) continue;
        char where[64];
        snprintf(where, sizeof where, "gap descriptor %d", ++part);
        fit_settings s;
        if ((st = read_settings(text, where, &s, err))) break;
        /* the species expansion: the strings this part becomes */
        char species[512] = "";
        size_t used = (size_t)snprintf(species, sizeof species, "n_species=%d species_Z={", n_elements);
        for (int e = 0; e < n_elements; ++e)
            used += (size_t)snprintf(species + used, sizeof species - used, e ? " %d" : "%d", elements[e]);
        snprintf(species + used, sizeof species - used, "}");
        int n_variants = 1, pairs[MLPOT_MAX_ELEMENT * MLPOT_MAX_ELEMENT][2];
        if (s.add_species && !s.has_centre) {
            n_variants = 0;
            for (int e = 0; e < n_elements; ++e)
                if (s.kind == GAP_DESCRIPTOR_SOAP) pairs[n_variants][0] = elements[e], pairs[n_variants++][1] = 0;
                else
                    for (int f = e; f < n_elements; ++f) pairs[n_variants][0] = elements[e], pairs[n_variants++][1] = elements[f];
        }
        for (int v = 0; v < n_variants && !st; ++v) {
            char *string = mlpot_strdup(text), extra[600] = "";
            if (s.add_species && !s.has_centre) {
                if (s.kind == GAP_DESCRIPTOR_SOAP)
                    snprintf(extra, sizeof extra, "Z=%d %s", pairs[v][0], s.has_species ? "" : species);
                else
                    snprintf(extra, sizeof extra, "Z1=%d Z2=%d", pairs[v][0], pairs[v][1]);
            } else if (s.kind == GAP_DESCRIPTOR_SOAP && !s.has_species) {
                snprintf(extra, sizeof extra, "%s", species);
            }
            if (!string || (extra[0] && !append(&string, extra))) {
                free(string);
                st = mlpot_fail_memory(err, "reading the gap settings");
                break;
            }
            if (n == capacity) {
                capacity = capacity ? 2 * capacity : 4;
                fit_descriptor *grown = realloc(list, (size_t)capacity * sizeof *grown);
                if (!grown) {
                    free(string);
                    st = mlpot_fail_memory(err, "reading the gap settings");
                    break;
                }
                list = grown;
            }
            st = make_descriptor(string, &s, where, &list[n], err);
            ++n; /* freed with the list even when it failed half-way */
        }
    }
    free(copy);
    if (!st && n == 0) st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "gap: no descriptors given");
    if (st) {
        fit_descriptors_free(list, n);
        return st;
    }
    *out = list, *n_out = n;
    return MLPOT_OK;
}
