/* 4G-HDNNP (charge equilibration + Ewald electrostatics) from n2p2 model folders:
 * - parity with n2p2's energy, charges and forces (../shared/data/n2p2/reference_predictions_4g*.txt)
 *   for AlAuMgO_4G with n2p2's own Ewald truncation, with converged sums, and for the corrected
 *   Carbon_chain_4G (nodes 10); n2p2's Ewald parameters reproduced (reference_4g_intermediates.txt);
 * - the shipped Carbon_chain_4G (weights of 10-10 networks, input.nn says 15-15) refused;
 * - H2O_RPBE-D3_4G loads and runs;
 * - forces and virial are the exact derivatives of the energy (finite differences), the
 *   charges' response included; per-atom energies sum to the total;
 * - bad input: no total charge, missing hardness, a singular QEq matrix. */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "longrange/coulomb_matrix.h"
#include "longrange/ewald_kolafa_perram.h"
#include "longrange/qeq.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define PREDICT "n2p2/examples/nnp-predict/"

static const char *folder_of(const char *example)
{
    static char folder[4096];
    snprintf(folder, sizeof folder, "%s%s", test_shared_path(PREDICT), example);
    return folder;
}

typedef struct reference {
    double energy;
    int n, nq;
    double forces[3 * 512], charges[512];
} reference;

static void read_reference(const char *file, const char *example, reference *ref)
{
    memset(ref, 0, sizeof *ref);
    FILE *f = fopen(test_shared_path(file), "r");
    CHECK(f != NULL, "%s", file);
    if (!f) exit(1);
    char line[512];
    int inside = 0;
    while (fgets(line, sizeof line, f)) {
        char name[128];
        if (sscanf(line, "example %127s", name) == 1) {
            inside = !strcmp(name, example);
            continue;
        }
        if (!inside) continue;
        double x, y, z;
        if (sscanf(line, "energy %lf", &x) == 1) ref->energy = x;
        else if (sscanf(line, "charge %lf", &x) == 1 && ref->nq < 512) ref->charges[ref->nq++] = x;
        else if (sscanf(line, "force %lf %lf %lf", &x, &y, &z) == 3 && ref->n < 512) {
            ref->forces[3 * ref->n] = x, ref->forces[3 * ref->n + 1] = y, ref->forces[3 * ref->n + 2] = z;
            ++ref->n;
        }
    }
    fclose(f);
    CHECK(ref->n > 0 && ref->n == ref->nq, "no reference for %s in %s", example, file);
}

/* Energy, charges and forces of spec on structure s against the reference; tolerances relative
 * for energy and charges (to the largest |q|), absolute for forces. */
static void parity(const char *spec, const mlpot_structure *s, const char *file, const char *example, double tol)
{
    static reference ref;
    read_reference(file, example, &ref);
    mlpot_potential *p = NULL;
    CHECK_OK(mlpot_potential_load(spec, &p, &test_err));
    if (!p) return;
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, s, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_CHARGES, &r, &test_err));
    CHECK(ref.n == s->n_atoms, "%s: %d reference atoms for %d", example, ref.n, s->n_atoms);
    double de = fabs(r.energy - ref.energy) / fabs(ref.energy), df = 0, dq = 0, qmax = 0;
    for (int i = 0; i < s->n_atoms && ref.n == s->n_atoms; ++i) {
        qmax = fmax(qmax, fabs(ref.charges[i]));
        dq = fmax(dq, fabs(r.charges[i] - ref.charges[i]));
        for (int a = 0; a < 3; ++a) df = fmax(df, fabs(r.forces[3 * i + a] - ref.forces[3 * i + a]));
    }
    dq /= qmax;
    printf("%-34s energy %.15g (n2p2 %.15g): relative %.2e, charges %.2e relative, forces max |dF| %.2e\n", example,
           r.energy, ref.energy, de, dq, df);
    CHECK(de <= tol, "%s: energy relative error %.3g", example, de);
    CHECK(dq <= tol, "%s: charge error %.3g relative", example, dq);
    CHECK(df <= tol, "%s: force error %.3g", example, df);
    mlpot_result_free(&r);
    mlpot_potential_free(p);
}

/* n2p2's η, r_c, k_c for the AlAuMgO cell (reference_4g_intermediates.txt). */
static void ewald_parameters(void)
{
    mlpot_structure s = test_read_n2p2_first(test_shared_path(PREDICT "AlAuMgO_4G/input.data"));
    static const struct {
        double accuracy, eta, rc, kc;
    } cases[] = {{1e-5, 7.9446299849728481, 29.344404441563025, 0.46491970071651301},
                 {1e-11, 7.8833177980289646, 50.314238538818323, 0.809604355}};
    for (int k = 0; k < 2; ++k) {
        ewald_truncation_settings t = {EWALD_KOLAFA_PERRAM, cases[k].accuracy, 0.45, 0.0, 1.0, 4.289};
        ewald_splitting sp;
        CHECK_OK(ewald_truncation_parameters(&t, s.n_atoms, mlpot_structure_volume(&s), &sp, &test_err));
        printf("Kolafa-Perram δ=%g: η %.17g r_c %.17g k_c %.17g\n", cases[k].accuracy, sp.eta, sp.real_cutoff,
               sp.kspace_cutoff);
        CHECK_CLOSE(sp.eta, cases[k].eta, 1e-13 * cases[k].eta, "η");
        CHECK_CLOSE(sp.real_cutoff, cases[k].rc, 1e-13 * cases[k].rc, "r_c");
        CHECK_CLOSE(sp.kspace_cutoff, cases[k].kc, (k ? 1e-9 : 1e-13) * cases[k].kc, "k_c");
    }
    mlpot_structure_free(&s);
}

/* Copies an example folder to dir, with input.nn lines that start with edits[2k] replaced by
 * edits[2k+1] (NULL: dropped), and without the file `skip` (NULL: none). */
static void copy_example(const char *example, const char *dir, const char *const *edits, int n_edits, const char *skip)
{
    mkdir(dir, 0700);
    DIR *d = opendir(folder_of(example));
    CHECK(d != NULL, "%s", folder_of(example));
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.' || (skip && !strcmp(de->d_name, skip))) continue;
        char from[4400], to[4400], line[4096];
        snprintf(from, sizeof from, "%s/%s", folder_of(example), de->d_name);
        snprintf(to, sizeof to, "%s/%s", dir, de->d_name);
        FILE *in = fopen(from, "r"), *out = fopen(to, "w");
        CHECK(in && out, "copying %s", from);
        if (!in || !out) exit(1);
        const int settings = !strcmp(de->d_name, "input.nn");
        while (fgets(line, sizeof line, in)) {
            int k = 0;
            while (settings && k < n_edits && strncmp(line, edits[2 * k], strlen(edits[2 * k]))) ++k;
            if (!settings || k == n_edits) fputs(line, out);
            else if (edits[2 * k + 1]) fprintf(out, "%s\n", edits[2 * k + 1]);
        }
        fclose(in);
        fclose(out);
    }
    if (d) closedir(d);
}

/* Finite-difference checks need energies without the large atomic offsets (n2p2's atom_energy,
 * -54396 Ha for AlAuMgO), whose rounding would swamp differences of small steps. */
static const char *const no_offsets[] = {"atom_energy", NULL};

static void carbon_chain(const char *tmp)
{
    mlpot_potential *p = NULL;
    CHECK_FAILS(mlpot_potential_load(folder_of("Carbon_chain_4G"), &p, &test_err), MLPOT_ERR_FORMAT,
                "weights and biases, but the network input.nn describes");
    printf("shipped Carbon_chain_4G refused: %s\n", test_err.message);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/nodes10", tmp);
    static const char *const nodes10[] = {"global_nodes_short", "global_nodes_short 10 10", "atom_energy", NULL};
    copy_example("Carbon_chain_4G", dir, nodes10, 1, NULL);
    char data[4200];
    snprintf(data, sizeof data, "%s/input.data", dir);
    mlpot_structure s = test_read_n2p2_first(data);
    parity(dir, &s, "n2p2/reference_predictions_4g.txt", "Carbon_chain_4G_nodes10", 1e-8);

    /* derivatives: forces and the response of the charges */
    snprintf(dir, sizeof dir, "%s/nodes10_no_offsets", tmp);
    copy_example("Carbon_chain_4G", dir, nodes10, 2, NULL);
    CHECK_OK(mlpot_potential_load(dir, &p, &test_err));
    double fmax = 0, e = test_force_fd_error(p, &s, 1e-5, &fmax);
    printf("Carbon chain forces vs finite differences: max error %.2e (max force %.3g)\n", e, fmax);
    CHECK(e <= 1e-7 * fmax + 1e-9, "force FD error %.3g", e);
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_ATOM_ENERGIES | MLPOT_OUT_CHARGES, &r, &test_err));
    double sum = 0, q = 0;
    for (int i = 0; i < s.n_atoms; ++i) sum += r.atom_energies[i], q += r.charges[i];
    CHECK_CLOSE(sum, r.energy, 1e-12 * fabs(r.energy), "per-atom energies sum to the energy");
    CHECK_CLOSE(q, 0.0, 1e-12, "charges sum to the total charge");

    /* bad input: no total charge, unless the specification gives one */
    s.labels &= ~(unsigned)MLPOT_LABEL_TOTAL_CHARGE;
    CHECK_FAILS(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY, &r, &test_err), MLPOT_ERR_ARGUMENT, "total charge");
    mlpot_potential_free(p);
    char spec[4300];
    snprintf(spec, sizeof spec, "%s,total_charge=1", dir);
    CHECK_OK(mlpot_potential_load(spec, &p, &test_err));
    CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_CHARGES, &r, &test_err));
    q = 0;
    for (int i = 0; i < s.n_atoms; ++i) q += r.charges[i];
    CHECK_CLOSE(q, 1.0, 1e-12, "charges sum to total_charge=1");
    mlpot_potential_free(p);
    mlpot_result_free(&r);
    mlpot_structure_free(&s);

    /* bad input: a missing hardness file */
    snprintf(dir, sizeof dir, "%s/nohardness", tmp);
    copy_example("Carbon_chain_4G", dir, nodes10, 1, "hardness.006.data");
    CHECK_FAILS(mlpot_potential_load(dir, &p, &test_err), MLPOT_ERR_IO, "hardness.006.data: missing");
    snprintf(dir, sizeof dir, "%s/noweightse", tmp);
    copy_example("Carbon_chain_4G", dir, nodes10, 1, "weightse.001.data");
    CHECK_FAILS(mlpot_potential_load(dir, &p, &test_err), MLPOT_ERR_IO, "weightse.001.data: missing");
    snprintf(dir, sizeof dir, "%s/nowidth", tmp);
    static const char *const no_width[] = {"global_nodes_short", "global_nodes_short 10 10", "fixed_gausswidth C", NULL};
    copy_example("Carbon_chain_4G", dir, no_width, 2, NULL);
    CHECK_FAILS(mlpot_potential_load(dir, &p, &test_err), MLPOT_ERR_FORMAT, "no fixed_gausswidth for element C");
}

static void alaumgo(const char *tmp)
{
    mlpot_structure s = test_read_n2p2_first(test_shared_path(PREDICT "AlAuMgO_4G/input.data"));
    const char *folder = folder_of("AlAuMgO_4G");
    parity(folder, &s, "n2p2/reference_predictions_4g.txt", "AlAuMgO_4G", 1e-8);
    char spec[4300];
    snprintf(spec, sizeof spec, "%s,ewald_accuracy=1e-11", folder);
    parity(spec, &s, "n2p2/reference_predictions_4g_ewald_converged.txt", "AlAuMgO_4G_ewaldprec1e-11", 1e-8);

    /* converged further than n2p2's converged file: the difference is that file's own residual */
    snprintf(spec, sizeof spec, "%s,ewald_accuracy=1e-14", folder);
    parity(spec, &s, "n2p2/reference_predictions_4g_ewald_converged.txt", "AlAuMgO_4G_ewaldprec1e-11", 1e-8);

    /* exact derivatives: forces with n2p2's truncation (the sums' parameters do not move with
     * the atoms), the virial with sums converged so far that the parameters' dependence on the
     * volume does not show */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/alaumgo_no_offsets", tmp);
    copy_example("AlAuMgO_4G", dir, no_offsets, 1, NULL);
    mlpot_potential *p = NULL;
    CHECK_OK(mlpot_potential_load(dir, &p, &test_err));
    double fmax = 0, wmax = 0;
    double e = test_force_fd_error(p, &s, 1e-5, &fmax);
    printf("AlAuMgO forces vs finite differences: max error %.2e (max force %.3g)\n", e, fmax);
    CHECK(e <= 1e-7 * fmax + 1e-9, "force FD error %.3g", e);
#ifdef _OPENMP
    /* the same bits on one thread */
    mlpot_result r, r1;
    mlpot_result_init(&r);
    mlpot_result_init(&r1);
    const unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_CHARGES;
    CHECK_OK(mlpot_potential_evaluate(p, &s, all, &r, &test_err));
    int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    CHECK_OK(mlpot_potential_evaluate(p, &s, all, &r1, &test_err));
    omp_set_num_threads(threads);
    CHECK(r.energy == r1.energy && !memcmp(r.forces, r1.forces, 3 * sizeof(double) * (size_t)s.n_atoms) &&
              !memcmp(r.virial, r1.virial, sizeof r.virial) && !memcmp(r.charges, r1.charges, sizeof(double) * (size_t)s.n_atoms),
          "AlAuMgO: results differ between %d threads and one", threads);
    mlpot_result_free(&r);
    mlpot_result_free(&r1);
#endif
    mlpot_potential_free(p);
    snprintf(spec, sizeof spec, "%s,ewald_accuracy=1e-14", dir);
    CHECK_OK(mlpot_potential_load(spec, &p, &test_err));
    double w = test_virial_fd_error(p, &s, 1e-6, &wmax);
    printf("AlAuMgO virial vs finite differences: max error %.2e (max component %.3g)\n", w, wmax);
    CHECK(w <= 1e-6 * wmax + 1e-8, "virial FD error %.3g", w);
    mlpot_potential_free(p);
    mlpot_structure_free(&s);
}

static void water(void)
{
    mlpot_structure s = test_read_n2p2_first(test_shared_path(PREDICT "H2O_RPBE-D3_4G/input.data"));
    mlpot_potential *p = NULL;
    CHECK_OK(mlpot_potential_load(folder_of("H2O_RPBE-D3_4G"), &p, &test_err));
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_CHARGES, &r, &test_err));
    double q = 0, qh = 0, qo = 0, df = 0;
    int nh = 0, no = 0;
    for (int i = 0; i < s.n_atoms; ++i) {
        q += r.charges[i];
        if (s.numbers[i] == 1) qh += r.charges[i], ++nh;
        else qo += r.charges[i], ++no;
        if (s.labels & MLPOT_LABEL_FORCES)
            for (int a = 0; a < 3; ++a) df = fmax(df, fabs(r.forces[3 * i + a] - s.forces[3 * i + a]));
    }
    printf("H2O_RPBE-D3_4G: %d atoms, E %.10g Ha, mean q(H) %.4f q(O) %.4f, max |F - F_DFT| %.3g Ha/Bohr\n",
           s.n_atoms, r.energy, qh / nh, qo / no, df);
    CHECK(fabs(q - s.total_charge) <= 1e-10, "total charge %.3g", q);
    CHECK(qh > 0 && qo < 0, "water charges H+ O-");
    CHECK(df < 0.05, "forces within 0.05 Ha/Bohr of DFT");
    mlpot_result_free(&r);
    mlpot_potential_free(p);
    mlpot_structure_free(&s);
}

/* Two Gaussian charges with a hardness that makes the bordered QEq matrix singular. */
static void singular(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    CHECK_OK(mlpot_structure_resize(&s, 2, &test_err));
    s.numbers[0] = s.numbers[1] = 1;
    s.positions[3] = 1.5;
    double sigma[2] = {1, 1}, a[4];
    coulomb_matrix cm;
    CHECK_OK(coulomb_matrix_setup(&cm, &s, sigma, 1.0, NULL, 0, &test_err));
    CHECK_OK(coulomb_matrix_fill(&cm, a, 2, &test_err));
    double j = a[1] - a[0], hardness[2] = {j, j}, chi[2] = {0.1, -0.1}, q[2];
    qeq_solver qs;
    CHECK_FAILS(qeq_solve(&qs, &cm, chi, hardness, 0.0, q, NULL, &test_err), MLPOT_ERR_NUMERIC, "singular");
    hardness[0] = hardness[1] = 0.5;
    CHECK_OK(qeq_solve(&qs, &cm, chi, hardness, 0.0, q, NULL, &test_err));
    /* analytic two-site solution: q0 = (χ1 - χ0) / (A00 + J - A01) / 2·2 */
    CHECK_CLOSE(q[0], (chi[1] - chi[0]) / (a[0] + 0.5 - a[1]) / 2.0, 1e-14, "two-site QEq charge");
    qeq_solver_free(&qs);
    coulomb_matrix_free(&cm);
    mlpot_structure_free(&s);
}

int main(void)
{
    test_env_or_skip("MLPOT_SHARED_DATA");
    char tmp[] = "/tmp/mlpot_test_4g_XXXXXX";
    CHECK(mkdtemp(tmp) != NULL, "temporary folder");
    ewald_parameters();
    singular();
    carbon_chain(tmp);
    alaumgo(tmp);
    water();
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    return test_finish("test_nnp_4g");
}
