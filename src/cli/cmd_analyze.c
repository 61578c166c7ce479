/* mlpot analyze: trajectory analysis (MSD and diffusion, RDF, VACF and VDOS, ionic
 * conductivity, hydrogen bonds and their lifetimes) written as CSV, with a short human summary on standard error.
 *
 * Several trajectory files are independent runs of one system: correlations stay within a run
 * and are averaged over all of them; --skip drops the first frames of each. The RDF streams
 * frames (no trajectory in memory); the time correlations hold the whole trajectory. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/atomic_file.h"

static void analyze_usage(FILE *f)
{
    fprintf(f,
            "usage: mlpot analyze TASK [options] TRAJECTORY...\n"
            "\n"
            "tasks:\n"
            "  msd           mean squared displacement per species and D = slope/6 with a block error\n"
            "                bar; columns lag_fs,msd_<El>... (Å²)\n"
            "  rdf           partial radial distribution functions and coordination numbers;\n"
            "                columns r_A,g_<A>-<B>,n_<A>-<B>... (n: mean number of B within r of an A)\n"
            "  vacf          velocity autocorrelation and vibrational density of states (Hann-windowed\n"
            "                cosine transform, unit area); columns lag_fs,vacf_<El>... (Å²/fs²),\n"
            "                freq_THz,freq_cm-1,vdos_<El>... (1/THz); needs velocities in the file\n"
            "  conductivity  Green-Kubo ionic conductivity from the charge current J = Σ q_i v_i, with\n"
            "                the Nernst-Einstein estimate from the MSD; columns lag_fs,jacf (e²Å²/fs²),\n"
            "                sigma_S_per_m (the integral up to the lag)\n"
            "  hbonds        hydrogen bonds by geometry: H bound to its nearest donor D within --dh-max,\n"
            "                D···A closer than --rda, angle H-D···A below --angle (A != D); columns\n"
            "                time_fs,frame,n_hbonds,per_donor,n_<D>-<A>... (per_donor: bonds per atom of\n"
            "                the donor species); --acf FILE adds lag_fs,C_continuous,C_intermittent of\n"
            "                the bonds (D, H, A), and stderr the lifetimes\n"
            "\n"
            "Several TRAJECTORY files are independent runs of one system (same atoms): averages are\n"
            "taken over all of them, correlations never cross from one to the next. Positions must be\n"
            "continuous in time, as mlpot md writes them; a trajectory whose positions all lie inside\n"
            "the cell is taken as wrapped and unwrapped by the minimum-image jump between frames (exact\n"
            "while no atom moves half a cell between two frames).\n"
            "\n"
            "options:\n"
            "  -o, --output FILE      CSV output, written atomically (default: standard output)\n"
            "      --dt FS            time between frames when the frames carry no time_fs=\n"
            "      --skip N           frames of equilibration dropped at the start of each file\n"
            "      --species El,...   species analysed (msd, vacf; default all)\n"
            "      --pairs A-B,...    pairs of the RDF (default every pair of species)\n"
            "      --rmax A           RDF range (default half the smallest cell width of the first frame)\n"
            "      --bins N           RDF bins (default 200)\n"
            "      --max-lag FS       largest lag (default: one block, at most 1000 frames; vacf: half\n"
            "                         the run)\n"
            "      --fit-from FS      start of the MSD fit window (default 20 %% of the largest lag)\n"
            "      --fit-to FS        end of the MSD fit window (default 80 %% of the largest lag)\n"
            "      --blocks N         blocks for the error bars (default 5)\n"
            "      --charges El=q,... charges in e (conductivity; every species needs one)\n"
            "      --temperature K    temperature of the conductivity (default: the mean kinetic\n"
            "                         temperature of the trajectory, 3N degrees of freedom)\n"
            "      --unwrap MODE      auto (default), always, never\n"
            "      --donors El,...    hydrogen-bond donor species (default O,N)\n"
            "      --acceptors El,... hydrogen-bond acceptor species (default O,N)\n"
            "      --dh-max A         largest D-H distance of a bound hydrogen (default 1.25)\n"
            "      --rda A            D···A cutoff of a hydrogen bond (default 3.5)\n"
            "      --angle DEG        H-D···A cutoff in (0, 180] degrees (default 30)\n"
            "      --acf FILE         hbonds: C(t) CSV, written atomically (needs time_fs= or --dt)\n"
            "  -h, --help             this help\n"
            "\n"
            "exit codes: 0 success, 1 failure while computing, 2 bad usage or input\n");
}

typedef enum task { TASK_MSD, TASK_RDF, TASK_VACF, TASK_CONDUCTIVITY, TASK_HBONDS } task;

typedef struct analyze_options {
    task task;
    const char *output;
    double dt, rmax, max_lag, fit_from, fit_to, temperature;
    long skip, bins, blocks;
    int species[MLPOT_MAX_ELEMENT + 1], n_species;
    int pairs[2 * 64], n_pairs;
    double charge[MLPOT_MAX_ELEMENT + 1];
    int has_charge[MLPOT_MAX_ELEMENT + 1];
    mlpot_unwrap_mode unwrap;
    mlpot_hbond_options hbond;
    const char *acf_output;
} analyze_options;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mlpot analyze: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

/* Element symbol of the text [begin, end), 0 when unknown. */
static int element_of(const char *begin, size_t n)
{
    char symbol[8];
    if (n == 0 || n >= sizeof symbol) return 0;
    memcpy(symbol, begin, n);
    symbol[n] = 0;
    return mlpot_element_number(symbol);
}

static int parse_species(const char *text, analyze_options *o)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ",");
        int z = element_of(p, n);
        if (!z) return usage_error("--species: '%s' is not a comma-separated list of elements", text);
        if (o->n_species <= MLPOT_MAX_ELEMENT) o->species[o->n_species++] = z;
        p += n + (p[n] == ',');
    }
    return 0;
}

/* --donors / --acceptors: replaces the default species. */
static int parse_hbond_species(const char *option, const char *text, unsigned char *flags)
{
    memset(flags, 0, MLPOT_MAX_ELEMENT + 1);
    if (!*text) return usage_error("%s: empty list of elements", option);
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ",");
        int z = element_of(p, n);
        if (!z) return usage_error("%s: '%.*s' is not an element (in '%s')", option, (int)n, p, text);
        flags[z] = 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

static int parse_pairs(const char *text, analyze_options *o)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ",");
        const char *dash = memchr(p, '-', n);
        int a = dash ? element_of(p, (size_t)(dash - p)) : 0;
        int b = dash ? element_of(dash + 1, n - (size_t)(dash - p) - 1) : 0;
        if (!a || !b) return usage_error("--pairs: '%s' is not a list like Si-O,O-O", text);
        if (o->n_pairs == 64) return usage_error("--pairs: at most 64 pairs (%s)", text);
        o->pairs[2 * o->n_pairs] = a, o->pairs[2 * o->n_pairs + 1] = b, ++o->n_pairs;
        p += n + (p[n] == ',');
    }
    return 0;
}

static int parse_charges(const char *text, analyze_options *o)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        int z = eq ? element_of(p, (size_t)(eq - p)) : 0;
        char value[64];
        size_t vn = eq ? n - (size_t)(eq - p) - 1 : 0;
        char *end = NULL;
        double q = NAN;
        if (z && vn > 0 && vn < sizeof value) {
            memcpy(value, eq + 1, vn);
            value[vn] = 0;
            q = strtod(value, &end);
        }
        if (!z || !end || *end || !isfinite(q)) return usage_error("--charges: '%s' is not a list like Li=1,Cl=-1", text);
        o->charge[z] = q, o->has_charge[z] = 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

/* An open CSV destination: an atomic file, or standard output. */
typedef struct csv_out {
    atomic_file file;
    FILE *f;
} csv_out;

static int csv_open(csv_out *c, const char *path, mlpot_error *err)
{
    memset(c, 0, sizeof *c);
    if (!strcmp(path, "-")) {
        c->f = stdout;
        return 0;
    }
    if (atomic_file_open(&c->file, path, err)) return 1;
    c->f = c->file.file;
    return 0;
}

static int csv_close(csv_out *c, int ok, mlpot_error *err)
{
    if (c->f == stdout) return fflush(stdout) != 0;
    if (!ok) {
        atomic_file_abort(&c->file);
        return 0;
    }
    return atomic_file_commit(&c->file, err) != MLPOT_OK;
}

static void species_name(char *buf, size_t size, int z) { snprintf(buf, size, "%s", mlpot_element_symbol(z)); }

/* --- tasks on a trajectory in memory ---------------------------------------------------- */

static long lag_frames(double fs, double dt) { return fs > 0 ? lround(fs / dt) : 0; }

static int run_msd(const mlpot_trajectory *t, const analyze_options *o, double dt, FILE *f, mlpot_error *err)
{
    mlpot_msd_options opt;
    mlpot_msd_options_default(&opt);
    opt.dt = dt;
    opt.max_lag = lag_frames(o->max_lag, dt);
    opt.fit_from = o->fit_from;
    opt.fit_to = o->fit_to;
    opt.blocks = (int)o->blocks;
    mlpot_msd_result r;
    mlpot_msd_result_init(&r);
    if (mlpot_msd(t, o->species, o->n_species, &opt, &r, err)) return cli_report(err);
    fprintf(f, "lag_fs");
    for (int s = 0; s < r.n_species; ++s) fprintf(f, ",msd_%s", mlpot_element_symbol(r.species[s]));
    fputc('\n', f);
    for (long k = 0; k < r.n_lags; ++k) {
        fprintf(f, "%.10g", (double)k * dt);
        for (int s = 0; s < r.n_species; ++s) fprintf(f, ",%.10g", r.msd[(size_t)s * (size_t)r.n_lags + (size_t)k]);
        fputc('\n', f);
    }
    fprintf(stderr, "mlpot analyze msd: %ld frames in %d run(s), dt %g fs, fit %g-%g fs, %d blocks\n", t->n_frames,
            t->n_segments, dt, r.fit_from, r.fit_to, r.blocks);
    for (int s = 0; s < r.n_species; ++s)
        fprintf(stderr, "D(%s) = %.4g ± %.2g Å²/fs (= %.4g ± %.2g cm²/s), %d atoms\n", mlpot_element_symbol(r.species[s]),
                r.diffusion[s], r.diffusion_error[s], r.diffusion[s] * MLPOT_A2_PER_FS_CM2_PER_S,
                r.diffusion_error[s] * MLPOT_A2_PER_FS_CM2_PER_S, r.count[s]);
    mlpot_msd_result_free(&r);
    return CLI_EXIT_OK;
}

static int run_vacf(const mlpot_trajectory *t, const analyze_options *o, double dt, FILE *f, mlpot_error *err)
{
    mlpot_vacf_result r;
    mlpot_vacf_result_init(&r);
    if (mlpot_vacf(t, o->species, o->n_species, dt, lag_frames(o->max_lag, dt), &r, err)) return cli_report(err);
    /* 1/fs = 1000 THz; 1 THz = 10^12 / c cm⁻¹ */
    const double thz_cm1 = 1e12 / 2.99792458e10;
    fprintf(f, "lag_fs");
    for (int s = 0; s < r.n_species; ++s) fprintf(f, ",vacf_%s", mlpot_element_symbol(r.species[s]));
    fprintf(f, ",freq_THz,freq_cm-1");
    for (int s = 0; s < r.n_species; ++s) fprintf(f, ",vdos_%s", mlpot_element_symbol(r.species[s]));
    fputc('\n', f);
    size_t nl = (size_t)r.n_lags;
    for (size_t k = 0; k < nl; ++k) {
        fprintf(f, "%.10g", (double)k * dt);
        for (int s = 0; s < r.n_species; ++s) fprintf(f, ",%.10g", r.vacf[(size_t)s * nl + k]);
        fprintf(f, ",%.10g,%.10g", 1e3 * r.frequency[k], 1e3 * r.frequency[k] * thz_cm1);
        for (int s = 0; s < r.n_species; ++s) fprintf(f, ",%.10g", 1e-3 * r.vdos[(size_t)s * nl + k]);
        fputc('\n', f);
    }
    fprintf(stderr, "mlpot analyze vacf: %ld frames in %d run(s), dt %g fs, lags up to %g fs (resolution %.3g THz)\n",
            t->n_frames, t->n_segments, dt, (double)(nl - 1) * dt, 1e3 * (r.frequency[1] - r.frequency[0]));
    for (int s = 0; s < r.n_species; ++s) {
        size_t peak = 1;
        for (size_t k = 1; k < nl; ++k)
            if (r.vdos[(size_t)s * nl + k] > r.vdos[(size_t)s * nl + peak]) peak = k;
        fprintf(stderr, "%s: <v²> = %.4g Å²/fs², VDOS peak at %.3g THz (%.4g cm⁻¹)\n", mlpot_element_symbol(r.species[s]),
                r.vacf[(size_t)s * nl], 1e3 * r.frequency[peak], 1e3 * r.frequency[peak] * thz_cm1);
    }
    mlpot_vacf_result_free(&r);
    return CLI_EXIT_OK;
}

static int run_conductivity(const mlpot_trajectory *t, const analyze_options *o, double dt, FILE *f, mlpot_error *err)
{
    int species[MLPOT_MAX_ELEMENT + 1];
    int n = mlpot_trajectory_species(t, species, MLPOT_MAX_ELEMENT + 1);
    for (int s = 0; s < n; ++s)
        if (!o->has_charge[species[s]])
            return usage_error("conductivity: no charge for %s (give --charges El=q,... for every species)",
                               mlpot_element_symbol(species[s]));
    mlpot_conductivity_options opt;
    mlpot_conductivity_options_default(&opt);
    opt.dt = dt;
    opt.max_lag = lag_frames(o->max_lag, dt);
    opt.temperature = o->temperature;
    opt.blocks = (int)o->blocks;
    opt.msd.blocks = (int)o->blocks;
    opt.msd.fit_from = o->fit_from;
    opt.msd.fit_to = o->fit_to;
    mlpot_conductivity_result r;
    mlpot_conductivity_result_init(&r);
    if (mlpot_conductivity(t, o->charge, &opt, &r, err)) return cli_report(err);
    fprintf(f, "lag_fs,jacf_e2A2_per_fs2,sigma_S_per_m\n");
    for (long k = 0; k < r.n_lags; ++k)
        fprintf(f, "%.10g,%.10g,%.10g\n", (double)k * dt, r.current_acf[k], r.sigma_running[k]);
    fprintf(stderr, "mlpot analyze conductivity: %ld frames in %d run(s), dt %g fs, T %.1f K, V %.1f Å³, GK integral "
            "to %g fs, %d blocks\n", t->n_frames, t->n_segments, dt, r.temperature, r.volume,
            (double)(r.n_lags - 1) * dt, opt.blocks);
    fprintf(stderr, "sigma(Green-Kubo) = %.4g ± %.2g S/m\n", r.sigma, r.sigma_error);
    fprintf(stderr, "sigma(Nernst-Einstein) = %.4g ± %.2g S/m (Haven ratio %.3g)\n", r.sigma_ne, r.sigma_ne_error,
            r.sigma_ne != 0 ? r.sigma_ne / r.sigma : NAN);
    for (int s = 0; s < r.msd.n_species; ++s)
        fprintf(stderr, "D(%s) = %.4g ± %.2g Å²/fs, q = %g e, %d atoms\n", mlpot_element_symbol(r.msd.species[s]),
                r.msd.diffusion[s], r.msd.diffusion_error[s], o->charge[r.msd.species[s]], r.msd.count[s]);
    mlpot_conductivity_result_free(&r);
    return CLI_EXIT_OK;
}

static int run_hbonds(const mlpot_trajectory *t, const analyze_options *o, double dt, FILE *f, mlpot_error *err)
{
    mlpot_hbond_options opt = o->hbond;
    opt.dt = dt;
    opt.max_lag = dt > 0 ? lag_frames(o->max_lag, dt) : 0;
    mlpot_hbond_result r;
    mlpot_hbond_result_init(&r);
    if (mlpot_hbonds(t, &opt, &r, err)) {
        mlpot_hbond_result_free(&r);
        return cli_report(err);
    }
    fprintf(f, "time_fs,frame,n_hbonds,per_donor");
    for (int p = 0; p < r.n_pairs; ++p)
        fprintf(f, ",n_%s-%s", mlpot_element_symbol(r.pair[2 * p]), mlpot_element_symbol(r.pair[2 * p + 1]));
    fputc('\n', f);
    double total = 0;
    for (long k = 0, seg = 0; k < r.n_frames; ++k) {
        while (seg + 1 < t->n_segments && t->segment_start[seg + 1] <= k) ++seg;
        double time = t->times ? t->times[k] : dt > 0 ? (double)(k - t->segment_start[seg]) * dt : NAN;
        fprintf(f, "%.10g,%ld,%ld,%.10g", time, k, r.count[k], (double)r.count[k] / r.n_donor_atoms);
        for (int p = 0; p < r.n_pairs; ++p) fprintf(f, ",%ld", r.pair_count[(size_t)k * (size_t)r.n_pairs + (size_t)p]);
        fputc('\n', f);
        total += (double)r.count[k];
    }
    fprintf(stderr, "mlpot analyze hbonds: %ld frames in %d run(s); %d donor, %d acceptor atoms, %d H; r(D···A) < %g Å, "
            "H-D···A < %g°, D-H < %g Å\n", t->n_frames, t->n_segments, r.n_donor_atoms, r.n_acceptor_atoms,
            r.n_hydrogens, opt.r_da, opt.angle, opt.dh_max);
    fprintf(stderr, "%.4g hydrogen bonds per frame (%.4g per donor atom), %ld distinct (D, H, A)\n",
            total / (double)r.n_frames, total / (double)r.n_frames / r.n_donor_atoms, r.n_distinct);
    for (int p = 0; p < r.n_pairs; ++p) {
        double sum = 0;
        for (long k = 0; k < r.n_frames; ++k) sum += (double)r.pair_count[(size_t)k * (size_t)r.n_pairs + (size_t)p];
        fprintf(stderr, "%s-H···%s: %.4g per frame\n", mlpot_element_symbol(r.pair[2 * p]),
                mlpot_element_symbol(r.pair[2 * p + 1]), sum / (double)r.n_frames);
    }
    int code = CLI_EXIT_OK;
    if (r.n_lags > 0) {
        fprintf(stderr, "continuous lifetime (mean uninterrupted bond) %.4g fs over %ld stretches; integrated to %g fs: "
                "tau_continuous %.4g fs, tau_intermittent %.4g fs\n", r.lifetime, r.n_runs,
                (double)(r.n_lags - 1) * dt, r.tau_continuous, r.tau_intermittent);
        if (o->acf_output) {
            csv_out acf;
            if (csv_open(&acf, o->acf_output, err)) {
                code = cli_report(err);
            } else {
                fprintf(acf.f, "lag_fs,C_continuous,C_intermittent\n");
                for (long k = 0; k < r.n_lags; ++k)
                    fprintf(acf.f, "%.10g,%.10g,%.10g\n", (double)k * dt, r.c_continuous[k], r.c_intermittent[k]);
                if (csv_close(&acf, 1, err)) code = cli_report(err);
            }
        }
    } else {
        fprintf(stderr, "no time between frames (time_fs= or --dt): counts only, no lifetimes\n");
    }
    mlpot_hbond_result_free(&r);
    return code;
}

/* --- reading ------------------------------------------------------------------------------ */

/* Reads every file (skipping the first frames of each) and hands each frame to `take`. */
typedef mlpot_status (*frame_sink)(void *user, mlpot_structure *s, int first_of_file, mlpot_error *err);

static int read_frames(char **files, int n_files, long skip, frame_sink take, void *user, long *n_read,
                       mlpot_error *err)
{
    mlpot_io_options io;
    mlpot_io_options_default(&io);
    mlpot_structure s;
    mlpot_structure_init(&s);
    int code = CLI_EXIT_OK;
    *n_read = 0;
    for (int k = 0; k < n_files && code == CLI_EXIT_OK; ++k) {
        mlpot_reader *r;
        if (mlpot_reader_open(files[k], &io, &r, err)) {
            code = cli_report(err);
            break;
        }
        long frame = 0;
        int first = 1;
        for (;;) {
            int done = 0;
            if (mlpot_reader_next(r, &s, &done, err)) {
                code = cli_report(err);
                break;
            }
            if (done) break;
            if (frame++ < skip) continue;
            if (take(user, &s, first, err)) {
                code = cli_report(err);
                break;
            }
            first = 0;
            ++*n_read;
        }
        mlpot_reader_close(r);
        if (code == CLI_EXIT_OK && first) {
            fprintf(stderr, "mlpot analyze: %s: no frames left after --skip %ld\n", files[k], skip);
            code = CLI_EXIT_USAGE;
        }
    }
    mlpot_structure_free(&s);
    return code;
}

static mlpot_status take_trajectory(void *user, mlpot_structure *s, int first_of_file, mlpot_error *err)
{
    mlpot_trajectory *t = user;
    if (first_of_file) mlpot_trajectory_new_segment(t);
    return mlpot_trajectory_append(t, s, err);
}

typedef struct rdf_reading {
    mlpot_rdf rdf;
    int initialised;
    const analyze_options *o;
} rdf_reading;

static mlpot_status take_rdf(void *user, mlpot_structure *s, int first_of_file, mlpot_error *err)
{
    (void)first_of_file;
    rdf_reading *r = user;
    if (!r->initialised) {
        double rmax = r->o->rmax > 0 ? r->o->rmax : mlpot_rdf_default_rmax(&s->cell[0][0]);
        mlpot_status st = mlpot_rdf_init(&r->rdf, rmax, (int)r->o->bins, r->o->pairs, r->o->n_pairs, err);
        r->initialised = 1;
        if (st) return st;
    }
    return mlpot_rdf_add(&r->rdf, s, err);
}

static int run_rdf(char **files, int n_files, const analyze_options *o, csv_out *out, mlpot_error *err)
{
    rdf_reading rr;
    memset(&rr, 0, sizeof rr);
    rr.o = o;
    long n_read;
    int code = read_frames(files, n_files, o->skip, take_rdf, &rr, &n_read, err);
    double *g = NULL, *n = NULL;
    if (code == CLI_EXIT_OK) {
        size_t size = (size_t)rr.rdf.n_pairs * (size_t)rr.rdf.bins;
        g = calloc(size, sizeof(double));
        n = calloc(size, sizeof(double));
        if (!g || !n) {
            fprintf(stderr, "mlpot analyze: out of memory\n");
            code = CLI_EXIT_FAILURE;
        } else if (mlpot_rdf_result(&rr.rdf, g, n, err)) {
            code = cli_report(err);
        }
    }
    if (code == CLI_EXIT_OK && csv_open(out, o->output, err)) code = cli_report(err);
    if (code == CLI_EXIT_OK) {
        const mlpot_rdf *r = &rr.rdf;
        FILE *f = out->f;
        char a[8], b[8];
        fprintf(f, "r_A");
        for (int p = 0; p < r->n_pairs; ++p) {
            species_name(a, sizeof a, r->pair[2 * p]);
            species_name(b, sizeof b, r->pair[2 * p + 1]);
            fprintf(f, ",g_%s-%s,n_%s-%s", a, b, a, b);
        }
        fputc('\n', f);
        double dr = r->rmax / r->bins;
        size_t nb = (size_t)r->bins;
        for (size_t k = 0; k < nb; ++k) {
            fprintf(f, "%.8g", ((double)k + 0.5) * dr);
            for (int p = 0; p < r->n_pairs; ++p)
                fprintf(f, ",%.8g,%.8g", g[(size_t)p * nb + k], n[(size_t)p * nb + k]);
            fputc('\n', f);
        }
        if (csv_close(out, 1, err)) code = cli_report(err);
        fprintf(stderr, "mlpot analyze rdf: %ld frames, rmax %g Å, %d bins\n", r->frames, r->rmax, r->bins);
        for (int p = 0; p < r->n_pairs && code == CLI_EXIT_OK; ++p) {
            const double *gp = g + (size_t)p * nb, *np = n + (size_t)p * nb;
            size_t peak = 0, low;
            for (size_t k = 0; k < nb; ++k)
                if (gp[k] > gp[peak]) peak = k;
            /* the first minimum: lowest g between the peak and 1.5 times its distance */
            low = peak;
            for (size_t k = peak; k < nb && (double)k + 0.5 <= 1.5 * ((double)peak + 0.5); ++k)
                if (gp[k] < gp[low]) low = k;
            species_name(a, sizeof a, r->pair[2 * p]);
            species_name(b, sizeof b, r->pair[2 * p + 1]);
            fprintf(stderr, "%s-%s: first peak at %.3g Å (g = %.3g), %.3g %s within the minimum at %.3g Å\n", a, b,
                    ((double)peak + 0.5) * dr, gp[peak], np[low], b, ((double)low + 1) * dr);
        }
    }
    free(g);
    free(n);
    mlpot_rdf_free(&rr.rdf);
    return code;
}

static int run_in_memory(char **files, int n_files, const analyze_options *o, csv_out *out, mlpot_error *err)
{
    mlpot_trajectory t;
    mlpot_trajectory_init(&t);
    long n_read;
    int code = read_frames(files, n_files, o->skip, take_trajectory, &t, &n_read, err);
    double dt = o->dt;
    if (code == CLI_EXIT_OK) {
        double recorded;
        mlpot_error terr;
        mlpot_status st = mlpot_trajectory_timestep(&t, &recorded, &terr);
        if (st == MLPOT_OK && dt > 0 && fabs(recorded - dt) > 1e-6 * dt) {
            fprintf(stderr, "mlpot analyze: --dt %g fs, but the trajectory's frames are %g fs apart (time_fs=)\n", dt,
                    recorded);
            code = CLI_EXIT_USAGE;
        } else if (st == MLPOT_OK) {
            dt = recorded;
        } else if (o->task == TASK_HBONDS && st == MLPOT_ERR_MISSING && !(dt > 0) && !o->acf_output) {
            dt = 0; /* hydrogen-bond counts need no time; the lifetimes are left out */
        } else if (st == MLPOT_ERR_FORMAT || !(dt > 0)) {
            if (st == MLPOT_ERR_MISSING) fprintf(stderr, "mlpot analyze: %s: give --dt FS\n", terr.message);
            else fprintf(stderr, "mlpot analyze: %s\n", terr.message);
            code = CLI_EXIT_USAGE;
        }
    }
    int unwrapped = 0;
    if (code == CLI_EXIT_OK && o->task != TASK_VACF && o->task != TASK_HBONDS &&
        mlpot_trajectory_unwrap(&t, o->unwrap, &unwrapped, err))
        code = cli_report(err);
    if (code == CLI_EXIT_OK && unwrapped)
        fprintf(stderr, "mlpot analyze: positions were wrapped into the cell; unwrapped by minimum-image jumps\n");
    if (code == CLI_EXIT_OK && csv_open(out, o->output, err)) code = cli_report(err);
    if (code == CLI_EXIT_OK) {
        switch (o->task) {
        case TASK_MSD: code = run_msd(&t, o, dt, out->f, err); break;
        case TASK_VACF: code = run_vacf(&t, o, dt, out->f, err); break;
        case TASK_CONDUCTIVITY: code = run_conductivity(&t, o, dt, out->f, err); break;
        case TASK_HBONDS: code = run_hbonds(&t, o, dt, out->f, err); break;
        case TASK_RDF: break;
        }
        if (csv_close(out, code == CLI_EXIT_OK, err) && code == CLI_EXIT_OK) code = cli_report(err);
    }
    mlpot_trajectory_free(&t);
    return code;
}

int cli_analyze(int argc, char **argv)
{
    enum { O_DT = 300, O_SKIP, O_SPECIES, O_PAIRS, O_RMAX, O_BINS, O_MAXLAG, O_FITFROM, O_FITTO, O_BLOCKS, O_CHARGES,
           O_T, O_UNWRAP, O_DONORS, O_ACCEPTORS, O_DHMAX, O_RDA, O_ANGLE, O_ACF };
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},      {"dt", required_argument, NULL, O_DT},
        {"skip", required_argument, NULL, O_SKIP},     {"species", required_argument, NULL, O_SPECIES},
        {"pairs", required_argument, NULL, O_PAIRS},   {"rmax", required_argument, NULL, O_RMAX},
        {"bins", required_argument, NULL, O_BINS},     {"max-lag", required_argument, NULL, O_MAXLAG},
        {"fit-from", required_argument, NULL, O_FITFROM}, {"fit-to", required_argument, NULL, O_FITTO},
        {"blocks", required_argument, NULL, O_BLOCKS}, {"charges", required_argument, NULL, O_CHARGES},
        {"temperature", required_argument, NULL, O_T}, {"unwrap", required_argument, NULL, O_UNWRAP},
        {"donors", required_argument, NULL, O_DONORS}, {"acceptors", required_argument, NULL, O_ACCEPTORS},
        {"dh-max", required_argument, NULL, O_DHMAX},  {"rda", required_argument, NULL, O_RDA},
        {"angle", required_argument, NULL, O_ANGLE},   {"acf", required_argument, NULL, O_ACF},
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0}};
    analyze_options o;
    memset(&o, 0, sizeof o);
    o.output = "-";
    o.fit_from = o.fit_to = -1;
    o.bins = 200;
    o.blocks = 5;
    o.unwrap = MLPOT_UNWRAP_AUTO;
    mlpot_hbond_options_default(&o.hbond);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        analyze_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "mlpot analyze: no TASK given (msd, rdf, vacf, conductivity, hbonds)\n");
        analyze_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "msd")) o.task = TASK_MSD;
    else if (!strcmp(name, "rdf")) o.task = TASK_RDF;
    else if (!strcmp(name, "vacf")) o.task = TASK_VACF;
    else if (!strcmp(name, "conductivity")) o.task = TASK_CONDUCTIVITY;
    else if (!strcmp(name, "hbonds")) o.task = TASK_HBONDS;
    else return usage_error("unknown task '%s' (tasks: msd, rdf, vacf, conductivity, hbonds)", name);
    argc -= 1, argv += 1;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'o': o.output = optarg; break;
        case O_DT: ok = cli_parse_double("analyze", "--dt", optarg, &o.dt); break;
        case O_SKIP: ok = cli_parse_long("analyze", "--skip", optarg, &o.skip); break;
        case O_SPECIES: if (parse_species(optarg, &o)) return CLI_EXIT_USAGE; break;
        case O_PAIRS: if (parse_pairs(optarg, &o)) return CLI_EXIT_USAGE; break;
        case O_RMAX: ok = cli_parse_double("analyze", "--rmax", optarg, &o.rmax); break;
        case O_BINS: ok = cli_parse_long("analyze", "--bins", optarg, &o.bins); break;
        case O_MAXLAG: ok = cli_parse_double("analyze", "--max-lag", optarg, &o.max_lag); break;
        case O_FITFROM: ok = cli_parse_double("analyze", "--fit-from", optarg, &o.fit_from); break;
        case O_FITTO: ok = cli_parse_double("analyze", "--fit-to", optarg, &o.fit_to); break;
        case O_BLOCKS: ok = cli_parse_long("analyze", "--blocks", optarg, &o.blocks); break;
        case O_CHARGES: if (parse_charges(optarg, &o)) return CLI_EXIT_USAGE; break;
        case O_T: ok = cli_parse_double("analyze", "--temperature", optarg, &o.temperature); break;
        case O_UNWRAP:
            if (!strcmp(optarg, "auto")) o.unwrap = MLPOT_UNWRAP_AUTO;
            else if (!strcmp(optarg, "always")) o.unwrap = MLPOT_UNWRAP_ALWAYS;
            else if (!strcmp(optarg, "never")) o.unwrap = MLPOT_UNWRAP_NEVER;
            else return usage_error("--unwrap: '%s' is not auto, always or never", optarg);
            break;
        case O_DONORS: if (parse_hbond_species("--donors", optarg, o.hbond.donor)) return CLI_EXIT_USAGE; break;
        case O_ACCEPTORS:
            if (parse_hbond_species("--acceptors", optarg, o.hbond.acceptor)) return CLI_EXIT_USAGE;
            break;
        case O_DHMAX: ok = cli_parse_double("analyze", "--dh-max", optarg, &o.hbond.dh_max); break;
        case O_RDA: ok = cli_parse_double("analyze", "--rda", optarg, &o.hbond.r_da); break;
        case O_ANGLE: ok = cli_parse_double("analyze", "--angle", optarg, &o.hbond.angle); break;
        case O_ACF: o.acf_output = optarg; break;
        case 'h': analyze_usage(stdout); return CLI_EXIT_OK;
        default: analyze_usage(stderr); return CLI_EXIT_USAGE;
        }
        if (!ok) return CLI_EXIT_USAGE;
    }
    const char *problem = NULL;
    if (optind >= argc) problem = "no TRAJECTORY given";
    else if (o.dt < 0) problem = "--dt must be positive";
    else if (o.skip < 0) problem = "--skip must not be negative";
    else if (o.bins < 1 || o.bins > 100000000) problem = "--bins must be at least 1";
    else if (o.rmax < 0) problem = "--rmax must be positive";
    else if (o.max_lag < 0) problem = "--max-lag must not be negative";
    else if (o.blocks < 2 || o.blocks > 100000) problem = "--blocks must be at least 2";
    else if (o.temperature < 0) problem = "--temperature must not be negative";
    else if (!(o.hbond.angle > 0 && o.hbond.angle <= 180)) problem = "--angle must be in (0, 180] degrees";
    else if (!(o.hbond.r_da > 0)) problem = "--rda must be positive";
    else if (!(o.hbond.dh_max > 0)) problem = "--dh-max must be positive";
    else if (o.acf_output && o.task != TASK_HBONDS) problem = "--acf is an option of hbonds";
    else if (o.task == TASK_CONDUCTIVITY) {
        int any = 0;
        for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z) any |= o.has_charge[z];
        if (!any) problem = "conductivity needs --charges El=q,...";
    }
    if (problem) return usage_error("%s", problem);
    mlpot_error err;
    mlpot_error_clear(&err);
    csv_out out;
    memset(&out, 0, sizeof out);
    if (o.task == TASK_RDF) return run_rdf(argv + optind, argc - optind, &o, &out, &err);
    return run_in_memory(argv + optind, argc - optind, &o, &out, &err);
}
