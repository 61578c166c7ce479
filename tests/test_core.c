/* Units (CODATA 2018), the element table, the ziggurat sampler of normal deviates, and structure
 * operations: copy, supercell, info and per-atom properties, validation messages, stress/virial
 * conversion, wrapping. */
#include <string.h>

#include "harness.h"

#include "core/normal_ziggurat.h"

static void test_units(void)
{
    /* Reference values: CODATA 2018 recommended values (NIST), independent of our derivation. */
    CHECK_CLOSE(MLPOT_BOLTZMANN_EV_PER_K, 8.617333262e-5, 1e-14, "k_B in eV/K");
    CHECK_CLOSE(MLPOT_KCAL_PER_MOL_EV, 0.0433641043, 1e-10, "kcal/mol in eV");
    CHECK_CLOSE(1.0 / MLPOT_KJ_PER_MOL_EV, 96.485332123, 1e-8, "eV in kJ/mol");
    CHECK_CLOSE(MLPOT_EV_PER_A3_GPA, 160.2176634, 1e-9, "eV/Å³ in GPa");
    CHECK_CLOSE(MLPOT_EV_PER_A3_KBAR, 1602.176634, 1e-8, "eV/Å³ in kBar");
    CHECK_CLOSE(MLPOT_COULOMB_EV_ANGSTROM, 14.399645478, 1e-8, "e²/4πε₀ in eV·Å");
    CHECK_CLOSE(MLPOT_AMU_A2_PER_FS2_EV, 103.642696562, 1e-7, "amu·Å²/fs² in eV");
    CHECK_CLOSE(MLPOT_HARTREE_PER_BOHR_EV_PER_ANGSTROM, 51.422067476, 1e-8, "Ha/Bohr in eV/Å");
    mlpot_energy_unit eu;
    mlpot_length_unit lu;
    CHECK_OK(mlpot_energy_unit_parse("hartree", &eu, &test_err));
    CHECK(eu == MLPOT_UNIT_HARTREE, "hartree parsed");
    CHECK_OK(mlpot_energy_unit_parse("kcal/mol", &eu, &test_err));
    CHECK_CLOSE(mlpot_energy_unit_in_ev(eu), MLPOT_KCAL_PER_MOL_EV, 0, "kcal/mol factor");
    CHECK_OK(mlpot_energy_unit_parse("meV", &eu, &test_err));
    CHECK(eu == MLPOT_UNIT_MEV, "meV parsed");
    CHECK_OK(mlpot_length_unit_parse("Bohr", &lu, &test_err));
    CHECK_CLOSE(mlpot_length_unit_in_angstrom(lu), 0.529177210903, 0, "Bohr in Å");
    CHECK_FAILS(mlpot_energy_unit_parse("furlong", &eu, &test_err), MLPOT_ERR_ARGUMENT, "furlong");
    CHECK_FAILS(mlpot_length_unit_parse("parsec", &lu, &test_err), MLPOT_ERR_ARGUMENT, "parsec");
}

static void test_elements(void)
{
    CHECK(mlpot_element_number("Si") == 14, "Si");
    CHECK(mlpot_element_number("Og") == 118, "Og");
    CHECK(mlpot_element_number("si") == 0, "symbols are case-sensitive");
    CHECK(mlpot_element_number("Xx") == 0, "unknown symbol");
    CHECK(!strcmp(mlpot_element_symbol(29), "Cu"), "Cu");
    CHECK(mlpot_element_symbol(0) == NULL && mlpot_element_symbol(119) == NULL, "out of range");
    /* IUPAC 2016 standard atomic weights (abridged where ASE uses them) */
    CHECK_CLOSE(mlpot_element_mass(1), 1.008, 1e-12, "H mass");
    CHECK_CLOSE(mlpot_element_mass(8), 15.999, 1e-12, "O mass");
    CHECK_CLOSE(mlpot_element_mass(14), 28.085, 1e-12, "Si mass");
    CHECK_CLOSE(mlpot_element_mass(29), 63.546, 1e-12, "Cu mass");
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z) {
        CHECK(mlpot_element_number(mlpot_element_symbol(z)) == z, "symbol round trip %d", z);
        CHECK(mlpot_element_mass(z) > 0, "mass of %d", z);
    }
}

static void fill(mlpot_structure *s)
{
    CHECK_OK(mlpot_structure_resize(s, 3, &test_err));
    double cell[3][3] = {{4, 0, 0}, {1, 5, 0}, {0.5, 0.2, 6}};
    memcpy(s->cell, cell, sizeof cell);
    for (int k = 0; k < 3; ++k) s->pbc[k] = 1;
    int z[3] = {8, 1, 1};
    double x[9] = {0.1, 0.2, 0.3, 1.0, 0.5, 0.4, 0.3, 1.1, 0.2};
    memcpy(s->numbers, z, sizeof z);
    memcpy(s->positions, x, sizeof x);
    CHECK_OK(mlpot_structure_add_label(s, MLPOT_LABEL_FORCES, &test_err));
    CHECK_OK(mlpot_structure_add_label(s, MLPOT_LABEL_ENERGY, &test_err));
    s->energy = -10.5;
    for (int k = 0; k < 9; ++k) s->forces[k] = 0.1 * k - 0.3;
    CHECK_OK(mlpot_structure_add_label(s, MLPOT_LABEL_STRESS, &test_err));
    for (int k = 0; k < 9; ++k) s->stress[k] = 0.01 * (k % 4);
    CHECK_OK(mlpot_structure_set_info(s, "config_note", "hello world", &test_err));
    mlpot_atom_property *p;
    CHECK_OK(mlpot_structure_add_property(s, "tags", MLPOT_PROPERTY_INT, 2, &p, &test_err));
    for (int k = 0; k < 6; ++k) p->integer[k] = k * 10;
    CHECK_OK(mlpot_structure_add_property(s, "label", MLPOT_PROPERTY_STRING, 1, &p, &test_err));
    free(p->string[2]);
    p->string[2] = strdup("third");
}

static void test_structure(void)
{
    mlpot_structure s, t;
    mlpot_structure_init(&s);
    mlpot_structure_init(&t);
    fill(&s);
    CHECK_OK(mlpot_structure_validate(&s, &test_err));
    CHECK_CLOSE(mlpot_structure_volume(&s), 120.0, 1e-12, "volume = det");
    double w[9], st[9];
    CHECK_OK(mlpot_structure_get_virial(&s, w, &test_err));
    CHECK_CLOSE(w[5], -0.01 * 1 * 120.0, 1e-14, "virial = -stress·V");
    CHECK_OK(mlpot_structure_get_stress(&s, st, &test_err));
    CHECK_CLOSE(st[5], 0.01, 0, "stress returned as stored");

    CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
    CHECK(t.n_atoms == 3 && t.numbers[0] == 8 && t.forces[8] == s.forces[8], "copy");
    CHECK(!strcmp(mlpot_structure_info(&t, "config_note"), "hello world"), "copied info");
    CHECK(!strcmp(mlpot_structure_property(&t, "label")->string[2], "third"), "copied strings");
    CHECK(t.positions != s.positions && t.info != s.info, "deep copy");
    mlpot_structure_remove_info(&t, "config_note");
    CHECK(mlpot_structure_info(&t, "config_note") == NULL, "info removed");
    mlpot_structure_remove_property(&t, "tags");
    CHECK(mlpot_structure_property(&t, "tags") == NULL && t.n_properties == 1, "property removed");

    int rep[3] = {2, 1, 3};
    CHECK_OK(mlpot_structure_supercell(&s, rep, &t, &test_err));
    CHECK(t.n_atoms == 18, "supercell atoms");
    CHECK_CLOSE(t.energy, 6 * s.energy, 1e-12, "supercell energy");
    CHECK_CLOSE(t.cell[2][2], 18.0, 0, "supercell cell");
    /* ASE order: copies (i0, i1, i2) with i2 fastest: atom 3 is atom 0 shifted by c */
    CHECK_CLOSE(t.positions[3 * 3 + 2], s.positions[2] + 6.0, 1e-12, "supercell order");
    CHECK(mlpot_structure_property(&t, "tags")->integer[2 * 3 + 1] == 10, "supercell property");
    CHECK_CLOSE(t.forces[3 * 4 + 1], s.forces[4], 0, "supercell forces");

    /* wrapping moves atoms by lattice vectors only */
    CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
    t.positions[0] += 2 * 4.0 + 1.0; /* + 2a + b */
    t.positions[1] += 5.0;
    CHECK_OK(mlpot_structure_wrap(&t, &test_err));
    CHECK_CLOSE(t.positions[0], s.positions[0], 1e-12, "wrapped x");
    CHECK_CLOSE(t.positions[1], s.positions[1], 1e-12, "wrapped y");

    /* validation messages name the source and line */
    CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
    CHECK_OK(mlpot_structure_set_source(&t, "frames.xyz", 42, &test_err));
    t.positions[4] = NAN;
    CHECK_FAILS(mlpot_structure_validate(&t, &test_err), MLPOT_ERR_FORMAT, "frames.xyz:42: position of atom 2");
    t.positions[4] = 0.5;
    t.numbers[2] = 0;
    CHECK_FAILS(mlpot_structure_validate(&t, &test_err), MLPOT_ERR_FORMAT, "invalid atomic number");
    t.numbers[2] = 1;
    double flat[3][3] = {{4, 0, 0}, {0, 5, 0}, {4, 5, 0}};
    memcpy(t.cell, flat, sizeof flat);
    CHECK_FAILS(mlpot_structure_validate(&t, &test_err), MLPOT_ERR_GEOMETRY, "volume is zero");
    memset(t.cell, 0, sizeof t.cell);
    CHECK_FAILS(mlpot_structure_validate(&t, &test_err), MLPOT_ERR_GEOMETRY, "lattice vector a is zero");
    t.pbc[0] = t.pbc[1] = t.pbc[2] = 0;
    CHECK_OK(mlpot_structure_validate(&t, &test_err));
    double v[9];
    CHECK_FAILS(mlpot_structure_get_virial(&t, v, &test_err), MLPOT_ERR_GEOMETRY, "without volume");
    t.labels &= ~(unsigned)MLPOT_LABEL_STRESS;
    CHECK_FAILS(mlpot_structure_get_virial(&t, v, &test_err), MLPOT_ERR_MISSING, "no stress or virial");
    t.forces[3] = INFINITY;
    CHECK_FAILS(mlpot_structure_validate(&t, &test_err), MLPOT_ERR_FORMAT, "force on atom 2");

    /* datasets own their frames */
    mlpot_dataset d;
    mlpot_dataset_init(&d);
    for (int k = 0; k < 40; ++k) {
        CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
        t.energy = k;
        CHECK_OK(mlpot_dataset_push(&d, &t, &test_err));
        CHECK(t.n_atoms == 0 && t.positions == NULL, "push leaves the structure empty");
    }
    CHECK(d.n_frames == 40 && d.frames[39].energy == 39, "dataset frames");
    mlpot_dataset_free(&d);
    mlpot_structure_free(&s);
    mlpot_structure_free(&t);
}

/* The ziggurat's deviates are standard normal: moments, the tail beyond the base layer's edge
 * (drawn by a separate method), and the Kolmogorov-Smirnov distance to Φ on sorted draws; the
 * same seed gives the same numbers. */
static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_normal_ziggurat(void)
{
    enum { N = 1000000 };
    normal_ziggurat z;
    normal_ziggurat_init(&z);
    rng r, again;
    rng_seed(&r, 42, 7);
    rng_seed(&again, 42, 7);
    double *x = malloc(N * sizeof *x);
    double m1 = 0, m2 = 0, m4 = 0;
    long tail = 0, same = 0;
    for (int k = 0; k < N; ++k) {
        x[k] = normal_ziggurat_draw(&z, &r);
        same += x[k] == normal_ziggurat_draw(&z, &again);
        m1 += x[k], m2 += x[k] * x[k], m4 += x[k] * x[k] * x[k] * x[k];
        tail += fabs(x[k]) > 3.442619855899;
    }
    m1 /= N, m2 /= N, m4 /= N;
    const double p_tail = erfc(3.442619855899 / sqrt(2.0)), sd_tail = sqrt(N * p_tail * (1 - p_tail));
    qsort(x, N, sizeof *x, compare_doubles);
    double ks = 0;
    for (int k = 0; k < N; ++k) {
        const double phi = 0.5 * erfc(-x[k] / sqrt(2.0));
        ks = fmax(ks, fmax(fabs(phi - (double)k / N), fabs(phi - (double)(k + 1) / N)));
    }
    printf("ziggurat: mean %.2e, variance %.5f, kurtosis %.4f, tail %ld (expected %.0f ± %.0f), KS %.2e\n", m1, m2, m4 / (m2 * m2),
           tail, N * p_tail, sd_tail, ks);
    CHECK(same == N, "the same seed gives the same deviates (%ld of %d)", same, N);
    CHECK(fabs(m1) < 5.0 / sqrt(N) && fabs(m2 - 1.0) < 5.0 * sqrt(2.0 / N) && fabs(m4 / (m2 * m2) - 3.0) < 5.0 * sqrt(24.0 / N),
          "ziggurat moments: mean %g, variance %g, kurtosis %g", m1, m2, m4 / (m2 * m2));
    CHECK(fabs(tail - N * p_tail) < 5.0 * sd_tail, "ziggurat tail: %ld beyond 3.4426, expected %.0f", tail, N * p_tail);
    CHECK(ks < 1.95 / sqrt(N), "ziggurat: Kolmogorov-Smirnov distance %.3g (0.1 %% level %.3g)", ks, 1.95 / sqrt(N));
    free(x);
}

int main(void)
{
    test_normal_ziggurat();
    test_units();
    test_elements();
    test_structure();
    return test_finish("test_core");
}
