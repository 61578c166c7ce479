/* The GAP fit (mlpot/gap_fit.h):
 *  - gap_fit's reference fit (quip_reference: Si_tiny, distance_2b + SOAP, energies, forces and
 *    virials, e0_method=average): with QUIP's sparse points the fitted model predicts what
 *    QUIP's gap_si_tiny.xml predicts;
 *  - a noise-free recovery: labels made by a GAP are fitted back with its own sparse points;
 *  - the predicted variance grows away from the training data (a crystal strained by ±15%);
 *  - bad settings fail before the expensive part, naming what is wrong. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static const char *GAP_2B = "distance_2b cutoff=5.0 covariance_type=ard_se delta=2.0 theta_uniform=1.0 add_species=T ";
static const char *GAP_SOAP = "soap cutoff=5.0 cutoff_transition_width=1.0 n_max=8 l_max=6 atom_sigma=0.5 zeta=4 "
                              "delta=0.2 covariance_type=dot_product add_species=T ";

static void read_si_tiny(mlpot_dataset *d)
{
    mlpot_io_options io;
    mlpot_io_options_default(&io);
    io.energy_key = "dft_energy", io.forces_key = "dft_force", io.virial_key = "dft_virial";
    mlpot_dataset_init(d);
    CHECK_OK(mlpot_dataset_read(test_shared_path("acedata_si_tial/Si_tiny.xyz"), &io, d, &test_err));
}

/* The fit settings of the Si_tiny fits: gap_fit's noise levels there, e0 the average. */
static void si_tiny_options(mlpot_gap_fit_options *o, const char *gap)
{
    mlpot_gap_fit_options_default(o);
    o->gap = gap;
    o->sigma_energy = 0.002, o->sigma_force = 0.2, o->sigma_virial = 0.2;
    o->e0_method = MLPOT_GAP_E0_AVERAGE;
}

/* The frames of d as the array mlpot_gap_fit takes (free() it). */
static const mlpot_structure **frame_pointers(const mlpot_dataset *d)
{
    const mlpot_structure **frames = malloc(d->n_frames * sizeof *frames);
    CHECK(frames != NULL, "memory");
    for (size_t q = 0; frames && q < d->n_frames; ++q) frames[q] = &d->frames[q];
    return frames;
}

static const char *scratch(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "/tmp/mlpot_test_gap_fit_%d_%s", (int)getpid(), name);
    return buf;
}

/* mlpot's distance_2b instance index (0-based, frame order, atom order, list order, r < 5 Å)
 * of the pair at distance r in frame f. */
static long pair_instance(const mlpot_dataset *d, int frame, double r)
{
    long index = 0;
    for (int q = 0; q <= frame; ++q) {
        mlpot_neighbour_list nl;
        mlpot_neighbour_list_init(&nl);
        CHECK_OK(mlpot_neighbour_list_build(&nl, &d->frames[q], 5.0, 0.0, MLPOT_NEIGHBOURS_FULL, &test_err));
        for (size_t k = 0; k < nl.offsets[nl.n_atoms]; ++k) {
            if (nl.distance[k] >= 5.0) continue;
            if (q == frame && fabs(nl.distance[k] - r) < 1e-9) {
                mlpot_neighbour_list_free(&nl);
                return index;
            }
            ++index;
        }
        mlpot_neighbour_list_free(&nl);
    }
    return -1;
}

static void compare_models(const mlpot_potential *a, const mlpot_potential *b, const mlpot_dataset *d, double *de,
                           double *df, double *dw)
{
    *de = *df = *dw = 0.0;
    mlpot_result ra, rb;
    mlpot_result_init(&ra), mlpot_result_init(&rb);
    const unsigned req = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL;
    for (size_t q = 0; q < d->n_frames; ++q) {
        const mlpot_structure *s = &d->frames[q];
        CHECK_OK(mlpot_potential_evaluate(a, s, req, &ra, &test_err));
        CHECK_OK(mlpot_potential_evaluate(b, s, req, &rb, &test_err));
        *de = fmax(*de, fabs(ra.energy - rb.energy) / s->n_atoms);
        for (int k = 0; k < 3 * s->n_atoms; ++k) *df = fmax(*df, fabs(ra.forces[k] - rb.forces[k]));
        for (int k = 0; k < 9; ++k) *dw = fmax(*dw, fabs(ra.virial[k] - rb.virial[k]) / s->n_atoms);
    }
    mlpot_result_free(&ra), mlpot_result_free(&rb);
}

static void quip_reference_fit(void)
{
    mlpot_dataset d;
    read_si_tiny(&d);
    /* QUIP's sparse points: SOAP by its (frame, atom) indices, 2b by frame and distance */
    char line[512];
    FILE *in = fopen(test_shared_path("quip_reference/gap_sparse_2b.txt"), "r");
    FILE *out = fopen(scratch("2b.idx"), "w");
    CHECK(in && out, "sparse point files");
    int n2b = 0;
    while (fgets(line, sizeof line, in)) {
        int k, frame;
        long quip_index;
        double r;
        if (line[0] == '#' || sscanf(line, "%d %ld %d %lf", &k, &quip_index, &frame, &r) != 4) continue;
        long index = pair_instance(&d, frame, r);
        CHECK(index >= 0, "2b sparse point %d (frame %d, r %.17g) not found", k, frame, r);
        fprintf(out, "%ld\n", index + 1);
        ++n2b;
    }
    fclose(in), fclose(out);
    CHECK(n2b == 15, "%d 2b sparse points", n2b);
    char gap[2048];
    snprintf(gap, sizeof gap, "%s n_sparse=15 sparse_file=%s : %s n_sparse=200 sparse_file=%s", GAP_2B, scratch("2b.idx"),
             GAP_SOAP, test_shared_path("quip_reference/sparse_index_soap.txt"));
    mlpot_gap_fit_options o;
    si_tiny_options(&o, gap);
    const mlpot_structure **frames = frame_pointers(&d);
    mlpot_potential *fitted = NULL, *quip = NULL;
    mlpot_gap_fit_report rep;
    CHECK_OK(mlpot_gap_fit(frames, d.n_frames, &o, &fitted, &rep, &test_err));
    CHECK(rep.n_energies == 53 && rep.n_forces == 687 && rep.n_virials == 312, "labels %zu %zu %zu", rep.n_energies,
          rep.n_forces, rep.n_virials);
    CHECK(rep.n_sparse[0] == 15 && rep.n_sparse[1] == 179 && rep.n_instances[0] == 6314 && rep.n_instances[1] == 229,
          "sparse %d %d of %zu %zu", rep.n_sparse[0], rep.n_sparse[1], rep.n_instances[0], rep.n_instances[1]);
    CHECK_CLOSE(rep.e0[14], -162.70705781941035, 1e-10, "e0 (average) as gap_fit");
    CHECK_OK(mlpot_potential_load(test_shared_path("quip_reference/gap_si_tiny.xml"), &quip, &test_err));
    double de, df, dw;
    compare_models(fitted, quip, &d, &de, &df, &dw);
    printf("refit of gap_fit's Si_tiny model (condition number %.2g, %.2f s): max |dE| %.2e eV/atom, |dF| %.2e eV/Å, "
           "|dW| %.2e eV/atom vs QUIP's model\n",
           rep.condition_number, rep.seconds_descriptors + rep.seconds_sparse + rep.seconds_matrix + rep.seconds_solve, de,
           df, dw);
    /* the 2b alphas cancel at the 1e4 level (condition number ~1e11): agreement to ~1e-6 */
    CHECK(de <= 2e-6 && df <= 2e-5 && dw <= 2e-5, "fitted model differs from QUIP's: %.3g %.3g %.3g", de, df, dw);
    /* saved and loaded: the same numbers */
    CHECK_OK(mlpot_gap_save(fitted, scratch("si.gap"), &test_err));
    mlpot_potential *loaded = NULL;
    CHECK_OK(mlpot_potential_load(scratch("si.gap"), &loaded, &test_err));
    compare_models(fitted, loaded, &d, &de, &df, &dw);
    CHECK(de == 0 && df == 0 && dw == 0, "saved model differs: %.3g %.3g %.3g", de, df, dw);
    mlpot_potential_free(loaded);

    /* variance grows away from the data: diamond Si at the training density vs ±15% strain */
    mlpot_structure s;
    mlpot_structure_init(&s);
    CHECK_OK(mlpot_structure_resize(&s, 8, &test_err));
    static const double basis[8][3] = {{0, 0, 0},       {0.25, 0.25, 0.25}, {0.5, 0.5, 0},   {0.75, 0.75, 0.25},
                                       {0.5, 0, 0.5},   {0.75, 0.25, 0.75}, {0, 0.5, 0.5},   {0.25, 0.75, 0.75}};
    double var[3];
    const double scale[3] = {1.0, 0.85, 1.15};
    mlpot_result r;
    mlpot_result_init(&r);
    for (int k = 0; k < 3; ++k) {
        const double a = 5.43 * scale[k];
        memset(s.cell, 0, sizeof s.cell);
        for (int c = 0; c < 3; ++c) s.cell[c][c] = a, s.pbc[c] = 1;
        for (int i = 0; i < 8; ++i) {
            s.numbers[i] = 14;
            for (int c = 0; c < 3; ++c) s.positions[3 * i + c] = a * basis[i][c] + 0.01 * ((i * 7 + c * 3) % 5 - 2);
        }
        CHECK_OK(mlpot_potential_evaluate(fitted, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_ATOM_VARIANCES, &r, &test_err));
        var[k] = 0;
        for (int i = 0; i < 8; ++i) var[k] += r.atom_variances[i] / 8;
    }
    printf("mean atom variance: diamond %.3g, compressed 15%% %.3g, stretched 15%% %.3g eV^2\n", var[0], var[1], var[2]);
    CHECK(var[1] > 3 * var[0] && var[2] > 3 * var[0], "variance does not grow away from the data");
    mlpot_result_free(&r);
    mlpot_structure_free(&s);
    mlpot_potential_free(fitted);
    mlpot_potential_free(quip);
    free(frames);
    mlpot_dataset_free(&d);
    remove(scratch("2b.idx")), remove(scratch("si.gap"));
}

/* Noise-free recovery: labels made by a SOAP GAP (itself fitted to the DFT labels with every
 * environment as a sparse point) are fitted back with the same settings and tiny noise; the
 * refit reproduces the generating model. */
static void recovery(void)
{
    mlpot_dataset d;
    read_si_tiny(&d);
    char gap[1024];
    snprintf(gap, sizeof gap, "%s sparse_method=all", GAP_SOAP);
    mlpot_gap_fit_options o;
    mlpot_gap_fit_options_default(&o);
    o.gap = gap;
    const mlpot_structure **frames = frame_pointers(&d);
    mlpot_potential *truth = NULL, *fitted = NULL;
    CHECK_OK(mlpot_gap_fit(frames, d.n_frames, &o, &truth, NULL, &test_err));
    mlpot_result r;
    mlpot_result_init(&r);
    for (size_t q = 0; q < d.n_frames; ++q) { /* the generating model's labels */
        mlpot_structure *s = &d.frames[q];
        CHECK_OK(mlpot_potential_evaluate(truth, s, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL, &r, &test_err));
        s->energy = r.energy;
        memcpy(s->forces, r.forces, 3 * (size_t)s->n_atoms * sizeof *s->forces);
        memcpy(s->virial, r.virial, sizeof s->virial);
    }
    mlpot_result_free(&r);
    o.sigma_energy = 1e-7, o.sigma_force = 1e-6, o.sigma_virial = 1e-6;
    CHECK_OK(mlpot_gap_fit(frames, d.n_frames, &o, &fitted, NULL, &test_err));
    double de, df, dw;
    compare_models(fitted, truth, &d, &de, &df, &dw);
    printf("refit to a SOAP GAP's own labels: max |dE| %.2e eV/atom, |dF| %.2e eV/Å, |dW| %.2e eV/atom\n", de, df, dw);
    CHECK(de < 1e-6 && df < 1e-5 && dw < 1e-5, "refit does not recover the generating model: %.3g %.3g %.3g", de, df, dw);
    mlpot_potential_free(truth), mlpot_potential_free(fitted);
    free(frames);
    mlpot_dataset_free(&d);
}

/* A frame's own noise levels (info keys energy_sigma, force_sigma, virial_sigma) are absolute,
 * as gap_fit reads them: set to the defaults' per-atom values times √N they fit the model the
 * defaults fit; set to the per-atom values themselves they fit another. config_weight 4 on every
 * frame is noise levels halved. */
static void frame_sigmas(void)
{
    mlpot_dataset d;
    read_si_tiny(&d);
    char gap[1024];
    snprintf(gap, sizeof gap, "%s n_sparse=15 sparse_method=uniform : %s n_sparse=40 sparse_method=cur_points", GAP_2B,
             GAP_SOAP);
    mlpot_gap_fit_options o;
    si_tiny_options(&o, gap);
    const mlpot_structure **frames = frame_pointers(&d);
    mlpot_potential *plain = NULL, *own = NULL, *unscaled = NULL, *weighted = NULL, *halved = NULL;
    CHECK_OK(mlpot_gap_fit(frames, d.n_frames, &o, &plain, NULL, &test_err));
    for (int pass = 0; pass < 2; ++pass) {
        for (size_t q = 0; q < d.n_frames; ++q) {
            const double root_n = pass == 0 ? sqrt((double)d.frames[q].n_atoms) : 1.0;
            char text[3][40];
            snprintf(text[0], sizeof text[0], "%.17g", 0.002 * root_n);
            snprintf(text[1], sizeof text[1], "%.17g", 0.2);
            snprintf(text[2], sizeof text[2], "%.17g", 0.2 * root_n);
            CHECK_OK(mlpot_structure_set_info(&d.frames[q], "energy_sigma", text[0], &test_err));
            CHECK_OK(mlpot_structure_set_info(&d.frames[q], "force_sigma", text[1], &test_err));
            CHECK_OK(mlpot_structure_set_info(&d.frames[q], "virial_sigma", text[2], &test_err));
        }
        CHECK_OK(mlpot_gap_fit(frames, d.n_frames, &o, pass == 0 ? &own : &unscaled, NULL, &test_err));
    }
    for (size_t q = 0; q < d.n_frames; ++q) {
        mlpot_structure_remove_info(&d.frames[q], "energy_sigma");
        mlpot_structure_remove_info(&d.frames[q], "force_sigma");
        mlpot_structure_remove_info(&d.frames[q], "virial_sigma");
        d.frames[q].weight = 4.0;
    }
    CHECK_OK(mlpot_gap_fit(frames, d.n_frames, &o, &weighted, NULL, &test_err));
    o.sigma_energy /= 2, o.sigma_force /= 2, o.sigma_virial /= 2;
    for (size_t q = 0; q < d.n_frames; ++q) d.frames[q].weight = 1.0;
    CHECK_OK(mlpot_gap_fit(frames, d.n_frames, &o, &halved, NULL, &test_err));
    double de, df, dw, ue, uf, uw, we, wf, ww;
    compare_models(own, plain, &d, &de, &df, &dw);
    compare_models(unscaled, plain, &d, &ue, &uf, &uw);
    compare_models(weighted, halved, &d, &we, &wf, &ww);
    CHECK(de < 1e-8 && df < 1e-7 && dw < 1e-7, "frames' own sigmas times sqrt(N) differ from the defaults: %.3g %.3g %.3g", de,
          df, dw);
    CHECK(ue > 1e-5, "frames' own sigmas are read as absolute, not per atom: |dE| %.3g", ue);
    CHECK(we < 1e-8 && wf < 1e-7 && ww < 1e-7, "config_weight 4 differs from halved sigmas: %.3g %.3g %.3g", we, wf, ww);
    mlpot_potential_free(plain), mlpot_potential_free(own), mlpot_potential_free(unscaled);
    mlpot_potential_free(weighted), mlpot_potential_free(halved);
    free(frames);
    mlpot_dataset_free(&d);
}

static void bad_settings(void)
{
    mlpot_dataset d;
    read_si_tiny(&d);
    const mlpot_structure **frames = malloc(d.n_frames * sizeof *frames);
    for (size_t q = 0; q < d.n_frames; ++q) frames[q] = &d.frames[q];
    static const struct {
        const char *gap;
        mlpot_status status;
        const char *needle;
    } cases[] = {
        {"soap cutoff=5 n_max=0 l_max=4 atom_sigma=0.5 zeta=2 delta=1 n_sparse=10", MLPOT_ERR_ARGUMENT, "n_max"},
        {"soap cutoff=5 n_max=4 l_max=-1 atom_sigma=0.5 zeta=2 delta=1 n_sparse=10", MLPOT_ERR_ARGUMENT, "l_max"},
        {"soap cutoff=0 n_max=4 l_max=4 atom_sigma=0.5 zeta=2 delta=1 n_sparse=10", MLPOT_ERR_ARGUMENT, "cutoff"},
        {"soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 zeta=0 delta=1 n_sparse=10", MLPOT_ERR_ARGUMENT, "zeta"},
        {"soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 zeta=2 delta=1 n_sparse=1000", MLPOT_ERR_ARGUMENT,
         "only 229 instances"},
        {"soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 zeta=2 delta=1", MLPOT_ERR_ARGUMENT, "n_sparse must be given"},
        {"soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 zeta=2 delta=1 n_sparse=10 sparse_method=magic", MLPOT_ERR_ARGUMENT,
         "sparse_method=magic"},
        {"soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 zeta=2 delta=1 n_sparse=10 n_maxx=3", MLPOT_ERR_FORMAT, "n_maxx"},
        {"angle_3b cutoff=3 n_sparse=10", MLPOT_ERR_UNSUPPORTED, "angle_3b"},
        {"distance_2b cutoff=5 n_sparse=10", MLPOT_ERR_ARGUMENT, "theta_uniform"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; ++k) {
        mlpot_gap_fit_options o;
        mlpot_gap_fit_options_default(&o);
        o.gap = cases[k].gap;
        mlpot_potential *p = NULL;
        CHECK_FAILS(mlpot_gap_fit(frames, d.n_frames, &o, &p, NULL, &test_err), cases[k].status, cases[k].needle);
        CHECK(p == NULL, "case %zu: no potential", k);
    }
    /* no labels at all */
    for (size_t q = 0; q < d.n_frames; ++q) d.frames[q].labels = 0;
    mlpot_gap_fit_options o;
    mlpot_gap_fit_options_default(&o);
    o.gap = "soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 zeta=2 delta=1 n_sparse=10";
    mlpot_potential *p = NULL;
    CHECK_FAILS(mlpot_gap_fit(frames, d.n_frames, &o, &p, NULL, &test_err), MLPOT_ERR_ARGUMENT, "no labels");
    free(frames);
    mlpot_dataset_free(&d);
}

int main(void)
{
    quip_reference_fit();
    recovery();
    frame_sigmas();
    bad_settings();
    return test_finish("test_gap_fit");
}
