/* GAP prediction against QUIP (quip_reference/gap_si_tiny.xml on its 53 training frames:
 * energy, forces, virial, per-atom gap_variance), the gap_version convention trap, the
 * separate sparseX file, mlpot's own model file (bitwise round trip), the potential checks
 * (finite differences, invariances, thread count), the energy variance against an independent
 * dense computation, and bad inputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <lapacke.h>

#include "harness.h"
#include "mlpot/gap.h"
#include "mlpot/soap.h"
#include "models/gap_model.h"

static double dot(const double *x, const double *y, int n)
{
    double s = 0;
    for (int k = 0; k < n; ++k) s += x[k] * y[k];
    return s;
}

static const char *model_path(void)
{
    return test_shared_path("quip_reference/gap_si_tiny.xml");
}

static void read_frames(mlpot_dataset *d)
{
    mlpot_io_options opt;
    mlpot_io_options_default(&opt);
    opt.forces_key = "force";
    opt.virial_key = "virial";
    opt.energy_key = "energy";
    mlpot_dataset_init(d);
    CHECK_OK(mlpot_dataset_read(test_shared_path("quip_reference/gap_pred_train.xyz"), &opt, d, &test_err));
}

/* A scratch file name in the build tree's test folder. */
static const char *scratch(const char *name)
{
    static char buf[8][512];
    static int k = 0;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "test_gap_%ld_%s", (long)getpid(), name);
    return buf[k];
}

static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) n = 0;
    b[n] = '\0';
    fclose(f);
    if (size) *size = (size_t)n;
    return b;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

/* Copy of the reference model with `from` replaced by `to` (first occurrence). */
static const char *edited_model(const char *name, const char *from, const char *to)
{
    size_t n;
    char *text = slurp(model_path(), &n);
    char *at = strstr(text, from);
    CHECK(at != NULL, "'%s' not in the model", from);
    const char *out = scratch(name);
    FILE *f = fopen(out, "wb");
    if (at) {
        fwrite(text, 1, (size_t)(at - text), f);
        fputs(to, f);
        fputs(at + strlen(from), f);
    }
    fclose(f);
    free(text);
    return out;
}

static void test_quip_predictions(void)
{
    mlpot_potential *p;
    CHECK_OK(mlpot_potential_load(model_path(), &p, &test_err));
    CHECK(!strcmp(mlpot_potential_style(p), "gap"), "style %s", mlpot_potential_style(p));
    CHECK(mlpot_potential_cutoff(p) == 5.0, "cutoff %g", mlpot_potential_cutoff(p));
    mlpot_dataset d;
    read_frames(&d);
    CHECK(d.n_frames == 53, "%zu frames", d.n_frames);
    mlpot_result r;
    mlpot_result_init(&r);
    unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_VARIANCES |
                   MLPOT_OUT_ATOM_ENERGIES;
    double e_err = 0, f_err = 0, w_err = 0, v_rel = 0, v_abs = 0, ae_err = 0;
    for (size_t k = 0; k < d.n_frames; ++k) {
        const mlpot_structure *s = &d.frames[k];
        CHECK_OK(mlpot_potential_evaluate(p, s, all, &r, &test_err));
        int n = s->n_atoms;
        CHECK(s->labels & MLPOT_LABEL_ENERGY, "frame %zu has an energy", k);
        e_err = fmax(e_err, fabs(r.energy - s->energy) / n);
        for (int q = 0; q < 3 * n; ++q) f_err = fmax(f_err, fabs(r.forces[q] - s->forces[q]));
        if (s->labels & MLPOT_LABEL_VIRIAL)
            for (int q = 0; q < 9; ++q) w_err = fmax(w_err, fabs(r.virial[q] - s->virial[q]) / n);
        const mlpot_atom_property *var = mlpot_structure_property(s, "gap_variance");
        CHECK(var != NULL, "frame %zu has gap_variance", k);
        double esum = 0;
        for (int i = 0; i < n; ++i) {
            if (var) {
                double ref = var->real[i];
                v_abs = fmax(v_abs, fabs(r.atom_variances[i] - ref));
                v_rel = fmax(v_rel, fabs(r.atom_variances[i] - ref) / fabs(ref));
            }
            esum += r.atom_energies[i];
        }
        ae_err = fmax(ae_err, fabs(esum - r.energy));
    }
    printf("gap_si_tiny vs QUIP, 53 frames: max |dE|/atom %.3g eV, max |dF| %.3g eV/A, max |dW|/atom %.3g eV, "
           "variance max rel %.3g (abs %.3g eV^2)\n",
           e_err, f_err, w_err, v_rel, v_abs);
    CHECK(e_err <= 1e-8, "energy per atom differs from QUIP by %g eV", e_err);
    CHECK(f_err <= 1e-8, "forces differ from QUIP by %g eV/A", f_err);
    CHECK(w_err <= 1e-8, "virial per atom differs from QUIP by %g eV", w_err);
    CHECK(v_rel <= 1e-6, "variance differs from QUIP by %g (relative)", v_rel);
    CHECK(ae_err <= 1e-9, "per-atom energies sum to the energy (%g)", ae_err);
    mlpot_result_free(&r);
    mlpot_dataset_free(&d);
    mlpot_potential_free(p);
}

static double energy_of(const char *path, const mlpot_structure *s)
{
    mlpot_potential *p;
    CHECK_OK(mlpot_potential_load(path, &p, &test_err));
    double e = test_energy(p, s);
    mlpot_potential_free(p);
    return e;
}

/* The 8-atom rattled diamond cell of quip_reference. */
static void rattled_si(mlpot_structure *s)
{
    mlpot_dataset d;
    mlpot_dataset_init(&d);
    CHECK_OK(mlpot_dataset_read(test_shared_path("quip_reference/structures/si_diamond_rattled.xyz"), NULL, &d, &test_err));
    mlpot_structure_init(s);
    CHECK_OK(mlpot_structure_copy(s, &d.frames[0], &test_err));
    mlpot_dataset_free(&d);
}

static void test_gap_version(void)
{
    mlpot_structure s;
    rattled_si(&s);
    double modern = energy_of(model_path(), &s);
    const char *old = edited_model("v0.xml", "gap_version=\"1686220958\"", "gap_version=\"0\"");
    double legacy = energy_of(old, &s);
    printf("8-atom Si: %.5f eV (gap_version 1686220958), %.5f eV (gap_version 0); QUIP -1305.03877, -1307.35507\n",
           modern, legacy);
    CHECK(fabs(modern - -1305.03877) < 6e-6, "energy %.8f, QUIP -1305.03877", modern);
    CHECK(fabs(legacy - -1307.35507) < 6e-6, "old-convention energy %.8f, QUIP -1307.35507", legacy);
    remove(old);
    mlpot_structure_free(&s);
}

/* sparse_separate_file=T: the SOAP sparse points in a separate file, one value per line, point
 * after point (as QUIP's fwrite_array_d writes them). */
static void test_separate_file(void)
{
    size_t n;
    char *text = slurp(model_path(), &n);
    const char *xml = scratch("separate.xml");
    const char *side = scratch("separate.xml.sparseX.soap");
    FILE *out = fopen(xml, "wb"), *sx = fopen(side, "wb");
    char *soap = strstr(text, "dimensions=\"253\"");
    char *tag_end = strchr(soap, '>');
    char *block_end = strstr(soap, "</gpCoordinates>");
    /* everything before the SOAP gpCoordinates' '>', then the file attribute */
    fwrite(text, 1, (size_t)(tag_end - text), out);
    fprintf(out, " sparseX_filename=\"%s\"", side);
    char *p = tag_end;
    while (p < block_end) {
        char *slice = strstr(p, "<sparseX_slice");
        char *sliced = strstr(p, " sliced=\"T\"");
        char *next = slice && slice < block_end ? slice : block_end;
        if (sliced && sliced < next) next = sliced;
        fwrite(p, 1, (size_t)(next - p), out);
        if (next == block_end) break;
        if (next == sliced) {
            p = sliced + strlen(" sliced=\"T\"");
            continue;
        }
        char *v = strchr(slice, '>') + 1, *close = strstr(v, "</sparseX_slice>");
        *close = '\0';
        for (char *tok = strtok(v, " \n"); tok; tok = strtok(NULL, " \n")) fprintf(sx, "%s\n", tok);
        p = close + strlen("</sparseX_slice>");
    }
    fputs(block_end, out);
    fclose(out), fclose(sx);
    free(text);
    mlpot_structure s;
    rattled_si(&s);
    double a = energy_of(model_path(), &s), b = energy_of(xml, &s);
    CHECK(a == b, "separate sparse file: %.17g vs %.17g", b, a);
    /* a missing side file is named */
    remove(side);
    mlpot_potential *pot = NULL;
    CHECK_FAILS(mlpot_potential_load(xml, &pot, &test_err), MLPOT_ERR_IO, "sparseX");
    remove(xml);
    mlpot_structure_free(&s);
}

/* XML -> mlpot file -> evaluation: identical bits. */
static void test_model_file(void)
{
    mlpot_potential *p, *q;
    CHECK_OK(mlpot_potential_load(model_path(), &p, &test_err));
    const char *file = scratch("model.gap");
    CHECK_OK(mlpot_gap_save(p, file, &test_err));
    CHECK_OK(mlpot_potential_load(file, &q, &test_err));
    mlpot_dataset d;
    read_frames(&d);
    mlpot_result a, b;
    mlpot_result_init(&a), mlpot_result_init(&b);
    unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_VARIANCES |
                   MLPOT_OUT_ENERGY_VARIANCE;
    int same = 1;
    for (size_t k = 0; k < d.n_frames; k += 5) {
        const mlpot_structure *s = &d.frames[k];
        CHECK_OK(mlpot_potential_evaluate(p, s, all, &a, &test_err));
        CHECK_OK(mlpot_potential_evaluate(q, s, all, &b, &test_err));
        same &= a.energy == b.energy && a.energy_variance == b.energy_variance &&
                !memcmp(a.forces, b.forces, 3 * sizeof(double) * (size_t)s->n_atoms) &&
                !memcmp(a.virial, b.virial, sizeof a.virial) &&
                !memcmp(a.atom_variances, b.atom_variances, sizeof(double) * (size_t)s->n_atoms);
    }
    CHECK(same, "the mlpot model file predicts different numbers than the XML");
    /* saving again gives the same file */
    const char *file2 = scratch("model2.gap");
    CHECK_OK(mlpot_gap_save(q, file2, &test_err));
    char *t1 = slurp(file, NULL), *t2 = slurp(file2, NULL);
    /* the "converted from" comment names the source; compare from the third line on */
    const char *s1 = strstr(t1, "gap_version"), *s2 = strstr(t2, "gap_version");
    CHECK(s1 && s2 && !strcmp(s1, s2), "re-saved model differs");
    /* a future version is refused clearly */
    char *future = slurp(file, NULL);
    future[10] = '9';
    const char *ff = scratch("future.gap");
    write_text(ff, future);
    mlpot_potential *r = NULL;
    CHECK_FAILS(mlpot_potential_load(ff, &r, &test_err), MLPOT_ERR_UNSUPPORTED, "version 9");
    remove(ff), remove(file), remove(file2);
    free(t1), free(t2), free(future);
    mlpot_result_free(&a), mlpot_result_free(&b);
    mlpot_dataset_free(&d);
    mlpot_potential_free(p), mlpot_potential_free(q);
}

/* A small, well-conditioned three-species model written as an mlpot GAP file: SOAP on H, C and
 * O centres (sparse points are SOAP vectors of a random structure) with ζ = 2, plus a C-O
 * distance_2b term. Its energies have no large cancellations, so finite differences can be
 * held to the harness's tight tolerances. */
static const char *synthetic_model(void)
{
    static const char *soap_str = "soap cutoff=3.5 cutoff_transition_width=1.0 n_max=4 l_max=3 atom_sigma=0.6 "
                                  "n_species=3 species_Z={1 6 8} n_Z=3 Z={1 6 8}";
    mlpot_structure s;
    mlpot_structure_init(&s);
    const int species[3] = {1, 6, 8};
    double cell[9] = {6, 0, 0, 0, 6, 0, 0, 0, 6};
    int pbc[3] = {1, 1, 1};
    test_random_structure(&s, 10, species, 3, cell, pbc, 1.0, 77);
    mlpot_descriptor *d;
    CHECK_OK(mlpot_soap_create_from_string(soap_str, &d, &test_err));
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    CHECK_OK(mlpot_neighbour_list_build(&nl, &s, 3.5, 0, 0, &test_err));
    mlpot_features f;
    mlpot_features_init(&f);
    CHECK_OK(mlpot_descriptor_compute(d, &s, &nl, MLPOT_FEATURES_VALUES, &f, &test_err));
    int dim = (int)f.offsets[1];
    const char *path = scratch("synthetic.gap");
    FILE *out = fopen(path, "w");
    fprintf(out, "mlpot-gap 1\ngap_version 1686220958\nenergy_scale 1\ne0 3\n1 -13.6\n6 -1030.5\n8 -2040.25\n"
                 "descriptors 2\ndescriptor %s\nkernel dot_product\ndelta 0.5\nf0 0\nzeta 2\ndimension %d\nsparse %d\n",
            soap_str, dim, s.n_atoms);
    unsigned long long rng = 3;
    for (int i = 0; i < s.n_atoms; ++i) {
        fprintf(out, "%.17g 1", test_random(&rng) - 0.5);
        for (int g = 0; g < dim; ++g) fprintf(out, " %.17g", f.values[f.offsets[i] + g]);
        fprintf(out, "\n");
    }
    fprintf(out, "end\ndescriptor distance_2b cutoff=3.0 cutoff_transition_width=0.8 Z1=6 Z2=8\nkernel ard_se\n"
                 "delta 1.5\nf0 0\ntheta 0.6\ndimension 1\nsparse 4\n0.3 1 1.2\n-0.2 0.8 1.6\n0.15 1 2.1\n-0.05 0.9 2.7\nend\n");
    fclose(out);
    mlpot_features_free(&f);
    mlpot_neighbour_list_free(&nl);
    mlpot_descriptor_free(d);
    mlpot_structure_free(&s);
    return path;
}

/* Finite differences of a model with large cancelling alphas: its energy carries rounding noise
 * of ~1e-11 eV, so the step is larger than the harness's. */
static void noisy_model_fd(const mlpot_potential *p, const mlpot_structure *s, const char *what)
{
    double fmax, wmax;
    double ferr = test_force_fd_error(p, s, 6e-5, &fmax);
    double werr = test_virial_fd_error(p, s, 6e-5, &wmax);
    printf("%s: force FD error %.3g (max force %.3g), virial FD error %.3g (max %.3g)\n", what, ferr, fmax, werr, wmax);
    CHECK(ferr < 5e-6 * fmax, "%s: force FD error %g", what, ferr);
    CHECK(werr < 5e-6 * wmax, "%s: virial FD error %g", what, werr);
}

static void test_physics(void)
{
    /* the synthetic three-species model: the full set of potential checks */
    const char *synth = synthetic_model();
    mlpot_potential *p;
    CHECK_OK(mlpot_potential_load(synth, &p, &test_err));
    mlpot_structure t;
    mlpot_structure_init(&t);
    const int species[3] = {1, 6, 8};
    double skew[9] = {5.6, 0, 0, 1.2, 5.2, 0, -0.9, 0.7, 5.9};
    int periodic[3] = {1, 1, 1}, open[3] = {0, 0, 0};
    test_random_structure(&t, 14, species, 3, skew, periodic, 0.95, 21);
    test_potential_physics(p, &t, "synthetic H/C/O GAP, skewed cell");
    double box[9] = {7, 0, 0, 0, 7, 0, 0, 0, 7};
    test_random_structure(&t, 12, species, 3, box, open, 0.95, 22);
    test_potential_physics(p, &t, "synthetic H/C/O GAP, open cluster");
    mlpot_potential_free(p);
    remove(synth);

    /* gap_si_tiny itself */
    CHECK_OK(mlpot_potential_load(model_path(), &p, &test_err));
    mlpot_structure s;
    rattled_si(&s);
    noisy_model_fd(p, &s, "gap_si_tiny, rattled diamond");
    const int si = 14;
    double skew_si[9] = {5.6, 0, 0, 1.9, 5.2, 0, -1.1, 0.7, 5.9};
    test_random_structure(&t, 9, &si, 1, skew_si, periodic, 2.1, 12);
    noisy_model_fd(p, &t, "gap_si_tiny, skewed cell");
    /* supercell, rotation and one thread */
    mlpot_result r, q;
    mlpot_result_init(&r), mlpot_result_init(&q);
    unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_VARIANCES |
                   MLPOT_OUT_ENERGY_VARIANCE | MLPOT_OUT_ATOM_ENERGIES | MLPOT_OUT_ATOM_VIRIALS;
    CHECK_OK(mlpot_potential_evaluate(p, &s, all, &r, &test_err));
    int rep[3] = {2, 1, 2};
    CHECK_OK(mlpot_structure_supercell(&s, rep, &t, &test_err));
    CHECK_OK(mlpot_potential_evaluate(p, &t, all, &q, &test_err));
    CHECK_CLOSE(q.energy, 4 * r.energy, 1e-8, "E(2x1x2) = 4 E");
    for (int k = 0; k < 9; ++k) CHECK_CLOSE(q.virial[k], 4 * r.virial[k], 1e-8, "W(2x1x2) = 4 W");
    for (int i = 0; i < s.n_atoms; ++i) {
        CHECK_CLOSE(q.atom_variances[i], r.atom_variances[i], 1e-13, "supercell atom variances");
        CHECK_CLOSE(q.forces[3 * i + 2], r.forces[3 * i + 2], 1e-9, "supercell forces");
    }
    double W[9] = {0};
    for (int i = 0; i < s.n_atoms; ++i)
        for (int k = 0; k < 9; ++k) W[k] += r.atom_virials[9 * i + k];
    for (int k = 0; k < 9; ++k) CHECK_CLOSE(W[k], r.virial[k], 1e-9, "per-atom virials sum to the virial");
#ifdef _OPENMP
    int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    CHECK_OK(mlpot_potential_evaluate(p, &s, all, &q, &test_err));
    omp_set_num_threads(threads);
    CHECK(q.energy == r.energy && q.energy_variance == r.energy_variance, "thread count changes energies");
    CHECK(!memcmp(q.forces, r.forces, 3 * sizeof(double) * (size_t)s.n_atoms), "thread count changes forces");
    CHECK(!memcmp(q.atom_variances, r.atom_variances, sizeof(double) * (size_t)s.n_atoms), "thread count changes variances");
#endif
    CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
    double R[9];
    test_rotation_matrix(0.4, R);
    test_rotate(&t, R);
    CHECK_OK(mlpot_potential_evaluate(p, &t, all, &q, &test_err));
    CHECK_CLOSE(q.energy, r.energy, 1e-8, "rotated energy");
    CHECK_CLOSE(q.energy_variance, r.energy_variance, 1e-9, "rotated energy variance");
    mlpot_result_free(&r), mlpot_result_free(&q);
    mlpot_structure_free(&t);
    mlpot_structure_free(&s);
    mlpot_potential_free(p);
}

/* Var(E) computed independently: every descriptor instance of the frame (SOAP vectors from the
 * public descriptor, distance_2b pairs from the neighbour list), the full covariance matrix
 * C_ab = k(x_a, x_b) - k_aᵀ (K_MM + ρ²I)⁻¹ k_b with K_MM built here and solved by LAPACK, then
 * Σ_ab c_a c_b C_ab + ρ² Σ_a c_a². */
static double dense_energy_variance(const gap_model *m, const mlpot_structure *s)
{
    const double rho2 = m->variance_regularisation * m->variance_regularisation;
    double total = 0.0;
    for (int k = 0; k < m->n_coordinates; ++k) {
        const gap_coordinate *c = &m->coordinates[k];
        const int M = c->n_sparse, d = c->d;
        /* instances */
        int cap = 64, n = 0;
        double *X = malloc((size_t)cap * d * sizeof *X), *w = malloc((size_t)cap * sizeof *w);
        mlpot_neighbour_list nl;
        mlpot_neighbour_list_init(&nl);
        CHECK_OK(mlpot_neighbour_list_build(&nl, s, c->cutoff, 0, 0, &test_err));
        if (c->descriptor == GAP_DESCRIPTOR_SOAP) {
            mlpot_descriptor *desc;
            CHECK_OK(mlpot_soap_create_from_string(c->descriptor_string, &desc, &test_err));
            mlpot_features f;
            mlpot_features_init(&f);
            CHECK_OK(mlpot_descriptor_compute(desc, s, &nl, MLPOT_FEATURES_VALUES, &f, &test_err));
            for (int i = 0; i < s->n_atoms; ++i) {
                if (f.offsets[i + 1] == f.offsets[i]) continue;
                if (n == cap) cap *= 2, X = realloc(X, (size_t)cap * d * sizeof *X), w = realloc(w, (size_t)cap * sizeof *w);
                memcpy(X + (size_t)n * d, f.values + f.offsets[i], (size_t)d * sizeof *X);
                w[n++] = 1.0;
            }
            mlpot_features_free(&f);
            mlpot_descriptor_free(desc);
        } else {
            for (size_t q = 0; q < nl.n_pairs; ++q) {
                double r = nl.distance[q], rc = c->pair.cutoff, width = c->pair.transition_width;
                if (r >= rc) continue;
                if (n == cap) cap *= 2, X = realloc(X, (size_t)cap * d * sizeof *X), w = realloc(w, (size_t)cap * sizeof *w);
                X[(size_t)n * d] = r;
                w[n++] = r <= rc - width ? 1.0 : 0.5 * (cos(3.14159265358979323846 * (r - rc + width) / width) + 1.0);
            }
        }
        mlpot_neighbour_list_free(&nl);
        /* kernels */
        double d2 = c->delta * c->delta;
#define KERNEL(x, y, fcx, fcy)                                                                              \
    (c->kernel == GAP_KERNEL_DOT_PRODUCT ? d2 * pow(dot(x, y, d), c->zeta)                                  \
                                         : d2 * exp(-0.5 * ((x)[0] - (y)[0]) * ((x)[0] - (y)[0]) / (c->theta[0] * c->theta[0])) * (fcx) * (fcy))
        double *A = calloc((size_t)M * M, sizeof *A), *Kt = calloc((size_t)M * n + 1, sizeof *Kt);
        for (int a = 0; a < M; ++a)
            for (int b = 0; b < M; ++b) {
                const double *xa = c->sparse + (size_t)a * d, *xb = c->sparse + (size_t)b * d;
                A[a * M + b] = a == b && c->kernel == GAP_KERNEL_ARD_SE
                                   ? d2 * c->sparse_cutoff[a] * c->sparse_cutoff[a]
                                   : KERNEL(xa, xb, c->sparse_cutoff[a], c->sparse_cutoff[b]);
                if (a == b) A[a * M + b] += rho2;
            }
        for (int a = 0; a < M; ++a)
            for (int j = 0; j < n; ++j) {
                const double *xa = c->sparse + (size_t)a * d, *xj = X + (size_t)j * d;
                Kt[(size_t)a * n + j] = KERNEL(xa, xj, 1.0, 1.0) * c->sparse_cutoff[a];
            }
        double *Z = malloc(((size_t)M * n + 1) * sizeof *Z);
        memcpy(Z, Kt, (size_t)M * n * sizeof *Z);
        CHECK(LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', M, n, A, M, Z, n) == 0, "K_MM solve");
        double var = 0.0;
        for (int a = 0; a < n; ++a) {
            var += rho2 * w[a] * w[a];
            for (int b = 0; b < n; ++b) {
                double kab = KERNEL(X + (size_t)a * d, X + (size_t)b * d, 1.0, 1.0), proj = 0.0;
                for (int t = 0; t < M; ++t) proj += Kt[(size_t)t * n + a] * Z[(size_t)t * n + b];
                var += w[a] * w[b] * (kab - proj);
            }
        }
#undef KERNEL
        total += var;
        free(A), free(Kt), free(Z), free(X), free(w);
    }
    return total;
}

static void test_energy_variance(void)
{
    mlpot_potential *p;
    CHECK_OK(mlpot_potential_load(model_path(), &p, &test_err));
    const gap_model *m = mlpot_potential_state(p);
    mlpot_structure s;
    mlpot_structure_init(&s);
    CHECK_OK(mlpot_structure_resize(&s, 1, &test_err));
    s.numbers[0] = 14;
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY_VARIANCE | MLPOT_OUT_ATOM_VARIANCES, &r, &test_err));
    CHECK_CLOSE(r.energy_variance, r.atom_variances[0], 1e-15, "one instance: Var(E) = its variance");
    /* two atoms far apart are two instances of the same environment: their local energies are
     * fully correlated, Var(E) = 4 var - 2 rho^2 (the noise is independent) */
    CHECK_OK(mlpot_structure_resize(&s, 2, &test_err));
    s.numbers[0] = s.numbers[1] = 14;
    memset(s.positions, 0, 6 * sizeof(double));
    s.positions[3] = 20.0;
    CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY_VARIANCE | MLPOT_OUT_ATOM_VARIANCES, &r, &test_err));
    double var = r.atom_variances[0], rho2 = 1e-6;
    CHECK_CLOSE(r.atom_variances[1], var, 1e-18, "identical atoms");
    CHECK_CLOSE(r.energy_variance, 4 * var - 2 * rho2, 1e-12, "two identical isolated atoms");
    /* real frames against the dense computation */
    mlpot_structure_free(&s);
    rattled_si(&s);
    CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY_VARIANCE | MLPOT_OUT_ATOM_VARIANCES, &r, &test_err));
    double diag = 0;
    for (int i = 0; i < s.n_atoms; ++i) diag += r.atom_variances[i];
    double dense = dense_energy_variance(m, &s);
    printf("8-atom Si: energy variance %.10g eV^2 (dense %.10g), sum of atom variances %.6g eV^2\n", r.energy_variance,
           dense, diag);
    CHECK_CLOSE(r.energy_variance, dense, 1e-9, "energy variance vs the dense computation");
    mlpot_dataset d;
    read_frames(&d);
    double worst = 0;
    for (size_t k = 1; k < d.n_frames; k += 7) {
        CHECK_OK(mlpot_potential_evaluate(p, &d.frames[k], MLPOT_OUT_ENERGY_VARIANCE, &r, &test_err));
        double e = fabs(r.energy_variance - dense_energy_variance(m, &d.frames[k]));
        if (e > worst) worst = e;
    }
    printf("energy variance vs dense, training frames: max difference %.3g eV^2\n", worst);
    CHECK(worst < 1e-9, "energy variance differs from the dense computation by %g", worst);
    mlpot_dataset_free(&d);
    mlpot_result_free(&r);
    mlpot_structure_free(&s);
    mlpot_potential_free(p);
}

static void expect_refused(const char *name, const char *from, const char *to, mlpot_status code, const char *needle)
{
    const char *path = edited_model(name, from, to);
    mlpot_potential *p = NULL;
    CHECK_FAILS(mlpot_potential_load(path, &p, &test_err), code, needle);
    CHECK(p == NULL, "%s: no potential on failure", name);
    remove(path);
}

static void test_bad_input(void)
{
    expect_refused("angle.xml", "<descriptor> soap cutoff", "<descriptor> angle_3b cutoff", MLPOT_ERR_UNSUPPORTED, "angle_3b");
    expect_refused("turbo.xml", "<descriptor> soap cutoff", "<descriptor> soap_turbo cutoff", MLPOT_ERR_UNSUPPORTED,
                   "soap_turbo");
    expect_refused("pp.xml", "covariance_type=\"2\"", "covariance_type=\"4\"", MLPOT_ERR_UNSUPPORTED, "pp");
    expect_refused("dim.xml", "dimensions=\"253\"", "dimensions=\"252\"", MLPOT_ERR_FORMAT, "252");
    expect_refused("nsparse.xml", "n_sparseX=\"179\"", "n_sparseX=\"180\"", MLPOT_ERR_FORMAT, "sparse point 180");
    expect_refused("nodesc.xml", "<descriptor>distance_2b", "<descriptorx>distance_2b", MLPOT_ERR_FORMAT, "");
    expect_refused("noalpha.xml", "<sparseX i=\"1\" alpha=", "<sparseX i=\"1\" alphb=", MLPOT_ERR_FORMAT, "alpha");
    expect_refused("slice.xml", "<sparseX_slice start=\"1\" end=\"50\">", "<sparseX_slice start=\"1\" end=\"49\">",
                   MLPOT_ERR_FORMAT, "values");
    expect_refused("nmax.xml", "n_max=8 l_max=6 atom_sigma=0.5 zeta", "n_max=0 l_max=6 atom_sigma=0.5 zeta",
                   MLPOT_ERR_ARGUMENT, "n_max");
    expect_refused("lmax.xml", "n_max=8 l_max=6 atom_sigma=0.5 zeta", "n_max=8 l_max=-1 atom_sigma=0.5 zeta",
                   MLPOT_ERR_ARGUMENT, "l_max");
    expect_refused("cut.xml", "soap cutoff=5.0", "soap cutoff=0.0", MLPOT_ERR_ARGUMENT, "cutoff");
    expect_refused("cut2b.xml", "distance_2b cutoff=5.0", "distance_2b cutoff=-1", MLPOT_ERR_ARGUMENT, "cutoff");
    expect_refused("core.xml", "do_core=\"F\"", "do_core=\"T\"", MLPOT_ERR_UNSUPPORTED, "core");
    expect_refused("sum.xml", "init_args=\"IP GAP label", "init_args=\"Sum init_args_pot1={IP Glue} label", MLPOT_ERR_UNSUPPORTED,
                   "Sum");
    expect_refused("fitted.xml", "fitted=\"T\"", "fitted=\"F\"", MLPOT_ERR_FORMAT, "fitted");
    expect_refused("number.xml", "alpha=\"267.30797986679835\"", "alpha=\"2x7.3\"", MLPOT_ERR_FORMAT, "2x7.3");
    expect_refused("xml.xml", "</gpSparse>", "</gpSparsf>", MLPOT_ERR_FORMAT, "XML");
    expect_refused("unknown.xml", "n_max=8 l_max=6 atom_sigma=0.5 zeta", "n_max=8 l_max=6 atom_sigma=0.5 nmax=3 zeta",
                   MLPOT_ERR_FORMAT, "nmax");
    /* GAP-18 (silicon-testing-framework): GAP summed with a Glue core potential */
    mlpot_potential *gap18 = NULL;
    CHECK_FAILS(mlpot_potential_load(test_shared_path("si_testing_framework/models/GAP/gp_iter6_sparse9k.xml"), &gap18,
                                     &test_err),
                MLPOT_ERR_UNSUPPORTED, "Sum init_args_pot1={IP Glue}");
    CHECK(strstr(test_err.message, "gp_iter6_sparse9k.xml:2:") != NULL, "line of <Potential>: %s", test_err.message);
    /* truncated file */
    size_t n;
    char *text = slurp(model_path(), &n);
    const char *cut = scratch("truncated.xml");
    text[n / 3] = '\0';
    write_text(cut, text);
    mlpot_potential *p = NULL;
    CHECK_FAILS(mlpot_potential_load(cut, &p, &test_err), MLPOT_ERR_FORMAT, "truncated");
    remove(cut);
    free(text);
    /* mlpot file problems */
    const char *f = scratch("bad.gap");
    write_text(f, "mlpot-gap 1\ngap_version 1686220958\nenergy_scale 1\ne0 1\n14 -1.5\ndescriptors 1\n"
                  "descriptor distance_2b cutoff=4.0\nkernel ard_se\ndelta 1\nf0 0\ntheta 1\ndimension 1\nsparse 2\n"
                  "0.5 1 2.5\n0.25 1\nend\n");
    CHECK_FAILS(mlpot_potential_load(f, &p, &test_err), MLPOT_ERR_FORMAT, ":15:");
    write_text(f, "mlpot-gap 1\ngap_version 1686220958\nenergy_scale 1\ne0 0\ndescriptors 1\n"
                  "descriptor distance_2b cutoff=4.0\nkernel gaussian\n");
    CHECK_FAILS(mlpot_potential_load(f, &p, &test_err), MLPOT_ERR_UNSUPPORTED, "gaussian");
    /* a working hand-written model: one pair term, checked against its closed form */
    write_text(f, "mlpot-gap 1\n# a Gaussian bump in r\ngap_version 1686220958\nenergy_scale 1\ne0 1\n14 -1.5\n"
                  "descriptors 1\ndescriptor distance_2b cutoff=4.0 cutoff_transition_width=1.0\nkernel ard_se\n"
                  "delta 2\nf0 0\ntheta 0.7\ndimension 1\nsparse 1\n0.5 0.9 2.5\nend\n");
    CHECK_OK(mlpot_potential_load(f, &p, &test_err));
    mlpot_structure s;
    mlpot_structure_init(&s);
    CHECK_OK(mlpot_structure_resize(&s, 2, &test_err));
    s.numbers[0] = s.numbers[1] = 14;
    memset(s.positions, 0, 6 * sizeof(double));
    s.positions[5] = 3.3;
    double r = 3.3, fc = 0.5 * (cos(3.141592653589793 * (r - 3.0) / 1.0) + 1.0);
    double expected = 2 * -1.5 + 2 * 0.5 * 4.0 * exp(-0.5 * (r - 2.5) * (r - 2.5) / 0.49) * 0.9 * fc;
    CHECK_CLOSE(test_energy(p, &s), expected, 1e-13, "closed form of a one-point pair model");
    test_potential_physics(p, &s, "one-point pair model");
    mlpot_potential_free(p);
    mlpot_structure_free(&s);
    remove(f);
    /* species the model does not know */
    CHECK_OK(mlpot_potential_load(model_path(), &p, &test_err));
    mlpot_structure_init(&s);
    CHECK_OK(mlpot_structure_resize(&s, 1, &test_err));
    s.numbers[0] = 8;
    mlpot_result res;
    mlpot_result_init(&res);
    CHECK_FAILS(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY, &res, &test_err), MLPOT_ERR_UNSUPPORTED, "O");
    mlpot_result_free(&res);
    mlpot_structure_free(&s);
    mlpot_potential_free(p);
}

int main(void)
{
    test_quip_predictions();
    test_gap_version();
    test_separate_file();
    test_model_file();
    test_physics();
    test_energy_variance();
    test_bad_input();
    return test_finish("test_gap");
}
