/* Readers and writers on the shared reference datasets, with expected values read from the same
 * files by ASE 3.22 / NumPy 1.24 (independent parsers): extxyz (GAP-style label keys), n2p2
 * input.data (with and without unit conversion), DeePMD folders (float32), rMD17 npz
 * (kcal/mol), round trips, streaming, atomic writes and the LAMMPS data writer. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static mlpot_dataset read_all(const char *path, const mlpot_io_options *opt)
{
    mlpot_dataset d;
    mlpot_dataset_init(&d);
    CHECK_OK(mlpot_dataset_read(path, opt, &d, &test_err));
    return d;
}

static void same_structure(const mlpot_structure *a, const mlpot_structure *b, const char *what)
{
    CHECK(a->n_atoms == b->n_atoms, "%s: atoms", what);
    if (a->n_atoms != b->n_atoms) return;
    size_t n = (size_t)a->n_atoms;
    CHECK(!memcmp(a->numbers, b->numbers, n * sizeof(int)), "%s: numbers", what);
    CHECK(!memcmp(a->positions, b->positions, 3 * n * sizeof(double)), "%s: positions", what);
    CHECK(!memcmp(a->cell, b->cell, sizeof a->cell) && !memcmp(a->pbc, b->pbc, sizeof a->pbc), "%s: cell", what);
    CHECK(a->labels == b->labels, "%s: labels %x vs %x", what, a->labels, b->labels);
    if (a->labels & MLPOT_LABEL_ENERGY) CHECK(a->energy == b->energy, "%s: energy", what);
    if (a->forces && b->forces) CHECK(!memcmp(a->forces, b->forces, 3 * n * sizeof(double)), "%s: forces", what);
    if (a->labels & MLPOT_LABEL_STRESS) CHECK(!memcmp(a->stress, b->stress, sizeof a->stress), "%s: stress", what);
    if (a->labels & MLPOT_LABEL_VIRIAL) CHECK(!memcmp(a->virial, b->virial, sizeof a->virial), "%s: virial", what);
    if (a->charges && b->charges) CHECK(!memcmp(a->charges, b->charges, n * sizeof(double)), "%s: charges", what);
    CHECK((a->config_type == NULL) == (b->config_type == NULL) &&
              (!a->config_type || !strcmp(a->config_type, b->config_type)), "%s: config_type", what);
    CHECK(a->n_info == b->n_info, "%s: %d vs %d info keys", what, a->n_info, b->n_info);
    for (int k = 0; k < a->n_info && k < b->n_info; ++k)
        CHECK(!strcmp(a->info[k].key, b->info[k].key) && !strcmp(a->info[k].value, b->info[k].value),
              "%s: info %s='%s' vs %s='%s'", what, a->info[k].key, a->info[k].value, b->info[k].key, b->info[k].value);
    CHECK(a->n_properties == b->n_properties, "%s: properties", what);
    for (int k = 0; k < a->n_properties && k < b->n_properties; ++k) {
        const mlpot_atom_property *p = &a->properties[k], *q = &b->properties[k];
        CHECK(!strcmp(p->name, q->name) && p->type == q->type && p->ncols == q->ncols, "%s: property %s", what, p->name);
        size_t m = n * (size_t)p->ncols;
        if (p->real) CHECK(!memcmp(p->real, q->real, m * sizeof(double)), "%s: %s values", what, p->name);
        if (p->integer) CHECK(!memcmp(p->integer, q->integer, m * sizeof(long)), "%s: %s values", what, p->name);
        for (size_t k2 = 0; p->string && k2 < m; ++k2) CHECK(!strcmp(p->string[k2], q->string[k2]), "%s: %s strings", what, p->name);
    }
}

static void round_trip(const mlpot_dataset *d, const mlpot_io_options *opt, const char *file, const char *what)
{
    char path[256];
    snprintf(path, sizeof path, "%s/mlpot_io_%d_%s", "/tmp", (int)getpid(), file);
    CHECK_OK(mlpot_dataset_write(path, opt, d, &test_err));
    mlpot_dataset e = read_all(path, opt);
    CHECK(e.n_frames == d->n_frames, "%s: %zu vs %zu frames", what, e.n_frames, d->n_frames);
    for (size_t k = 0; k < d->n_frames && k < e.n_frames; ++k) same_structure(&d->frames[k], &e.frames[k], what);
    mlpot_dataset_free(&e);
    unlink(path);
}

static void extxyz(void)
{
    mlpot_io_options opt;
    mlpot_io_options_default(&opt);
    opt.energy_key = "dft_energy";
    opt.forces_key = "dft_force";
    opt.virial_key = "dft_virial";
    mlpot_dataset d = read_all(test_shared_path("acedata_si_tial/Si_tiny.xyz"), &opt);
    CHECK(d.n_frames == 53, "Si_tiny frames");
    long atoms = 0;
    for (size_t k = 0; k < d.n_frames; ++k) atoms += d.frames[k].n_atoms;
    CHECK(atoms == 229, "Si_tiny atoms");
    const mlpot_structure *s = &d.frames[5];
    CHECK_CLOSE(s->energy, -326.210046, 0, "frame 5 dft_energy");
    CHECK(s->config_type && !strcmp(s->config_type, "dia"), "config_type");
    CHECK_CLOSE(s->cell[0][0], 4.071919, 0, "cell");
    CHECK_CLOSE(s->forces[0], -0.53524, 0, "force");
    CHECK_CLOSE(s->forces[2], 0.7371, 0, "force");
    CHECK((s->labels & MLPOT_LABEL_VIRIAL) && fabs(s->virial[1] - 1.01039192) < 1e-15 &&
              fabs(s->virial[5] + 0.54241597) < 1e-15, "virial");
    CHECK(s->pbc[0] && s->pbc[1] && s->pbc[2], "pbc");
    CHECK(mlpot_structure_info(s, "xc_functional") && !strcmp(mlpot_structure_info(s, "cut_off_energy"), "250 eV") &&
              mlpot_structure_property(s, "frac_pos"), "other keys kept");
    CHECK(!strcmp(d.frames[0].source + strlen(d.frames[0].source) - 11, "Si_tiny.xyz") &&
              d.frames[1].source_line == 4, "source line of frame 2 is %ld", d.frames[1].source_line);
    round_trip(&d, &opt, "si_tiny.xyz", "extxyz round trip");
    mlpot_dataset_free(&d);

    /* JuLIP-style header (pbc=[T, T, T]) with masses and Z columns; JSON info values */
    mlpot_io_options_default(&opt);
    d = read_all(test_shared_path("zuo2020_mlearn/ACEData/ZuoEtAl2020/Si_test.xyz"), &opt);
    CHECK(d.n_frames == 25, "Zuo Si test frames: %zu", d.n_frames);
    CHECK(d.frames[0].masses && fabs(d.frames[0].masses[0] - 28.085) < 1e-12, "masses column");
    CHECK((d.frames[0].labels & MLPOT_LABEL_FORCES), "force column (fallback name) read");
    CHECK(mlpot_structure_property(&d.frames[0], "Z") == NULL, "Z column consumed as atomic numbers");
    round_trip(&d, &opt, "zuo.xyz", "JuLIP extxyz round trip");
    mlpot_dataset_free(&d);
    d = read_all(test_shared_path("botnet_3bpa_acac/dataset_3BPA/iso_atoms.xyz"), &opt);
    mlpot_dataset_free(&d);
    d = read_all(test_shared_path("botnet_3bpa_acac/dataset_3BPA/train_300K.xyz"), &opt);
    CHECK(d.n_frames == 500 && !d.frames[0].pbc[0], "3BPA frames, open");
    const char *dihedrals = mlpot_structure_info(&d.frames[0], "dihedrals");
    CHECK(dihedrals && !strncmp(dihedrals, "_JSON [", 7), "JSON value kept as text: %s", dihedrals ? dihedrals : "(none)");
    round_trip(&d, &opt, "3bpa.xyz", "3BPA round trip");
    mlpot_dataset_free(&d);
}

static void n2p2(void)
{
    mlpot_io_options opt;
    mlpot_io_options_default(&opt);
    const char *path = test_shared_path("n2p2/examples/nnp-train/H2O_RPBE-D3/input.data");
    mlpot_dataset d = read_all(path, &opt);
    CHECK(d.n_frames == 20, "water frames");
    long atoms = 0;
    for (size_t k = 0; k < d.n_frames; ++k) atoms += d.frames[k].n_atoms;
    CHECK(atoms == 2064, "water atoms %ld", atoms);
    CHECK_CLOSE(d.frames[0].cell[0][0], 24.623508, 0, "lattice (Bohr, unconverted)");
    CHECK(d.frames[0].numbers[0] == 8 && d.frames[0].numbers[1] == 1, "species");
    round_trip(&d, &opt, "input.data", "n2p2 round trip");
    /* the same file declared in Hartree/Bohr */
    mlpot_io_options au = opt;
    au.units_given = 1;
    au.energy_unit = MLPOT_UNIT_HARTREE;
    au.length_unit = MLPOT_UNIT_BOHR;
    mlpot_dataset e = read_all(path, &au);
    CHECK_CLOSE(e.frames[3].cell[1][1], d.frames[3].cell[1][1] * MLPOT_BOHR_ANGSTROM, 1e-12, "Bohr -> Å");
    CHECK_CLOSE(e.frames[3].energy, d.frames[3].energy * MLPOT_HARTREE_EV, 1e-9, "Hartree -> eV");
    CHECK_CLOSE(e.frames[3].forces[7], d.frames[3].forces[7] * MLPOT_HARTREE_EV / MLPOT_BOHR_ANGSTROM, 1e-12,
                "Hartree/Bohr -> eV/Å");
    mlpot_dataset_free(&e);
    mlpot_dataset_free(&d);
    /* the example with atomic charges: the charge column becomes a label */
    d = read_all(test_shared_path("n2p2/examples/nnp-predict/AlAuMgO_4G/input.data"), &opt);
    CHECK(d.n_frames >= 1 && (d.frames[0].labels & MLPOT_LABEL_CHARGES) && (d.frames[0].labels & MLPOT_LABEL_TOTAL_CHARGE),
          "charges and total charge");
    mlpot_dataset_free(&d);
}

static void arrays(void)
{
    mlpot_io_options opt;
    mlpot_io_options_default(&opt);
    mlpot_dataset d = read_all(test_shared_path("rmd17/rmd17-npz/rmd17_ethanol_train_01.npz"), &opt);
    CHECK(d.n_frames == 1000 && d.frames[0].n_atoms == 9, "rMD17 ethanol shape");
    int z[9] = {6, 6, 8, 1, 1, 1, 1, 1, 1};
    CHECK(!memcmp(d.frames[3].numbers, z, sizeof z), "nuclear charges");
    CHECK_CLOSE(d.frames[3].energy, -97084.36308179732 * MLPOT_KCAL_PER_MOL_EV, 1e-9, "energy kcal/mol -> eV");
    CHECK_CLOSE(d.frames[3].forces[4], -47.44696262 * MLPOT_KCAL_PER_MOL_EV, 1e-9, "force kcal/mol/Å -> eV/Å");
    CHECK_CLOSE(d.frames[3].positions[6], 0.8661473, 1e-7, "coordinates");
    CHECK(!d.frames[0].pbc[0], "molecule is open");
    mlpot_dataset_free(&d);

    d = read_all(test_shared_path("deepmd_water/examples/water/data/data_0"), &opt);
    CHECK(d.n_frames == 80 && d.frames[0].n_atoms == 192, "DeePMD water shape");
    CHECK(d.frames[0].numbers[0] == 8 && d.frames[0].numbers[191] == 1, "type map");
    CHECK(d.frames[7].energy == -29944.236328125, "float32 energy");
    CHECK(d.frames[7].forces[4] == (double)0.19783712923526764, "float32 force");
    CHECK(d.frames[7].positions[5] == (double)9.016227722167969, "float32 coordinate");
    CHECK(d.frames[0].cell[2][2] == (double)(float)12.444661, "box");
    mlpot_dataset_free(&d);
    d = read_all(test_shared_path("deepmd_water/examples/water/dplr/train/data"), &opt);
    CHECK(d.n_frames == 30 && (d.frames[2].labels & MLPOT_LABEL_VIRIAL), "DeePMD virial");
    CHECK(d.frames[2].virial[1] == (double)(float)-2.5609803199768066, "virial value");
    mlpot_dataset_free(&d);
}

static void streaming_and_atomic(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/mlpot_stream_%d.xyz", "/tmp", (int)getpid());
    FILE *f = fopen(path, "w");
    const int frames = 20000;
    for (int k = 0; k < frames; ++k)
        fprintf(f, "2\nenergy=%d pbc=\"F F F\"\nH 0 0 0\nH 0 0 %.3f\n", -k, 0.7 + 1e-5 * k);
    fclose(f);
    mlpot_reader *r;
    CHECK_OK(mlpot_reader_open(path, NULL, &r, &test_err));
    mlpot_structure s;
    mlpot_structure_init(&s);
    int n = 0, done = 0;
    double last = 0;
    while (1) {
        CHECK_OK(mlpot_reader_next(r, &s, &done, &test_err));
        if (done) break;
        ++n;
        last = s.energy;
    }
    mlpot_reader_close(r);
    CHECK(n == frames && last == -(frames - 1), "streamed %d frames", n);
    unlink(path);

    /* an aborted writer leaves nothing; the target appears only at commit */
    snprintf(path, sizeof path, "%s/mlpot_atomic_%d.xyz", "/tmp", (int)getpid());
    mlpot_writer *w;
    CHECK_OK(mlpot_writer_open(path, NULL, &w, &test_err));
    CHECK_OK(mlpot_structure_resize(&s, 1, &test_err));
    s.numbers[0] = 1;
    CHECK_OK(mlpot_writer_write(w, &s, &test_err));
    struct stat info;
    CHECK(stat(path, &info) != 0, "target absent before commit");
    mlpot_writer_abort(w);
    CHECK(stat(path, &info) != 0, "target absent after abort");
    CHECK_OK(mlpot_writer_open(path, NULL, &w, &test_err));
    CHECK_OK(mlpot_writer_write(w, &s, &test_err));
    CHECK_OK(mlpot_writer_commit(w, &test_err));
    CHECK(stat(path, &info) == 0, "target present after commit");
    unlink(path);
    mlpot_structure_free(&s);
}

/* Parses our own LAMMPS data output back (positions and box) and compares all distances. */
static void lammps_data(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    double cell[3][3] = {{5.1, 0.3, -0.2}, {1.0, 4.7, 0.4}, {-0.6, 0.8, 5.3}};
    int pbc[3] = {1, 1, 1}, species[2] = {14, 6};
    test_random_structure(&s, 12, species, 2, &cell[0][0], pbc, 1.2, 3);
    char path[256];
    snprintf(path, sizeof path, "%s/mlpot_lmp_%d.lmp", "/tmp", (int)getpid());
    mlpot_dataset d;
    mlpot_dataset_init(&d);
    mlpot_structure copy;
    mlpot_structure_init(&copy);
    CHECK_OK(mlpot_structure_copy(&copy, &s, &test_err));
    CHECK_OK(mlpot_dataset_push(&d, &copy, &test_err));
    CHECK_OK(mlpot_dataset_write(path, NULL, &d, &test_err));
    FILE *f = fopen(path, "r");
    char line[512];
    double lo[3], hi[3], tilt[3] = {0, 0, 0}, x[12][3];
    int in_atoms = 0, n_read = 0, types[12];
    while (fgets(line, sizeof line, f)) {
        double a, b, c;
        int id, t;
        if (strstr(line, "xlo xhi")) sscanf(line, "%lf %lf", &lo[0], &hi[0]);
        if (strstr(line, "ylo yhi")) sscanf(line, "%lf %lf", &lo[1], &hi[1]);
        if (strstr(line, "zlo zhi")) sscanf(line, "%lf %lf", &lo[2], &hi[2]);
        if (strstr(line, "xy xz yz")) sscanf(line, "%lf %lf %lf", &tilt[0], &tilt[1], &tilt[2]);
        if (!strncmp(line, "Atoms", 5)) in_atoms = 1;
        else if (in_atoms && sscanf(line, "%d %d %lf %lf %lf", &id, &t, &a, &b, &c) == 5) {
            x[id - 1][0] = a, x[id - 1][1] = b, x[id - 1][2] = c;
            types[id - 1] = t;
            ++n_read;
        }
    }
    fclose(f);
    unlink(path);
    CHECK(n_read == 12, "atoms in data file");
    CHECK(types[0] == (s.numbers[0] == 6 ? 1 : 2), "types sorted by Z");
    double L[3][3] = {{hi[0] - lo[0], 0, 0}, {tilt[0], hi[1] - lo[1], 0}, {tilt[1], tilt[2], hi[2] - lo[2]}};
    CHECK_CLOSE(L[0][0] * L[1][1] * L[2][2], mlpot_structure_volume(&s), 1e-9, "volume preserved");
    /* minimum-image distances agree (the data file's positions are wrapped and rotated) */
    double worst = 0;
    for (int i = 0; i < 12; ++i)
        for (int j = 0; j < 12; ++j) {
            double best_a = 1e9, best_b = 1e9;
            for (int u = -1; u <= 1; ++u)
                for (int v = -1; v <= 1; ++v)
                    for (int w = -1; w <= 1; ++w) {
                        double da = 0, db = 0;
                        for (int k = 0; k < 3; ++k) {
                            double ea = s.positions[3 * j + k] - s.positions[3 * i + k] + u * cell[0][k] + v * cell[1][k] + w * cell[2][k];
                            double eb = x[j][k] - x[i][k] + u * L[0][k] + v * L[1][k] + w * L[2][k];
                            da += ea * ea, db += eb * eb;
                        }
                        best_a = fmin(best_a, da), best_b = fmin(best_b, db);
                    }
            worst = fmax(worst, fabs(sqrt(best_a) - sqrt(best_b)));
        }
    CHECK(worst < 1e-10, "distances preserved by the rotation: %g", worst);
    mlpot_dataset_free(&d);
    mlpot_structure_free(&s);
}

int main(void)
{
    extxyz();
    n2p2();
    arrays();
    streaming_and_atomic();
    lammps_data();
    return test_finish("test_io");
}
