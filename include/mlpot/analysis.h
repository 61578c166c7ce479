/* Trajectory analysis: mean squared displacement and diffusion coefficients, radial
 * distribution functions, velocity autocorrelation and vibrational density of states, and the
 * Green-Kubo ionic conductivity with its Nernst-Einstein estimate, and hydrogen bonds with their
 * lifetimes.
 *
 * A trajectory (mlpot_trajectory) holds every frame's positions, cell and, when the file has
 * them, velocities, as flat arrays: time correlations need all frames at once. It may hold
 * several independent runs of the same system ("segments", e.g. one per file or per seed):
 * correlations are taken within a segment only and averaged over all of them.
 *
 * Positions must be continuous in time (unwrapped) for displacements. mlpot md writes them so;
 * a trajectory whose positions were wrapped into the cell is unwrapped by
 * mlpot_trajectory_unwrap(), which adds to each frame the minimum-image jump from the previous
 * one. That is exact only while no atom moves more than half a cell width between two frames:
 * write frames often enough.
 *
 * Units: Å, fs, Å/fs, e, K; diffusion coefficients Å²/fs (1 Å²/fs = 0.1 cm²/s), conductivity
 * in S/m. Time origins are every frame of a segment (no subsampling). */
#ifndef MLPOT_ANALYSIS_H
#define MLPOT_ANALYSIS_H

#include "mlpot/elements.h"
#include "mlpot/export.h"
#include "mlpot/neighbours.h"
#include "mlpot/status.h"
#include "mlpot/structure.h"
#include "mlpot/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 Å²/fs in cm²/s, and 1 e²/(Å·fs·eV) (the unit of the conductivity formulas in mlpot's
 * units) in S/m. */
#define MLPOT_A2_PER_FS_CM2_PER_S 0.1
#define MLPOT_CONDUCTIVITY_S_PER_M (MLPOT_ELEMENTARY_CHARGE_C * 1.0e25)

/* --- trajectories ------------------------------------------------------------------------ */

typedef struct mlpot_trajectory {
    int n_atoms;
    long n_frames;
    int *numbers;       /* [n_atoms], the same in every frame */
    double *masses;     /* [n_atoms] amu, from the first frame (standard masses by default) */
    int pbc[3];
    double *positions;  /* [n_frames * 3 * n_atoms], Å */
    double *cells;      /* [n_frames * 9], rows are lattice vectors */
    double *velocities; /* [n_frames * 3 * n_atoms] Å/fs, or NULL when some frame lacks them */
    double *times;      /* [n_frames] fs from the frames' time_fs= key, or NULL when absent */
    int n_segments;
    long *segment_start; /* [n_segments + 1]: segment k is frames segment_start[k] .. [k+1]-1 */
    /* private */
    long capacity;
    int segment_capacity;
    int segment_pending;
    int velocities_missing;
    int times_missing;
} mlpot_trajectory;

MLPOT_API void mlpot_trajectory_init(mlpot_trajectory *t);
MLPOT_API void mlpot_trajectory_free(mlpot_trajectory *t);

/* Starts a new independent segment: the next frame appended does not follow the previous one
 * in time. (The first frame always starts the first segment.) */
MLPOT_API void mlpot_trajectory_new_segment(mlpot_trajectory *t);

/* Appends a frame. Velocities come from the per-atom column "velocities" (Å/fs) or, failing
 * that, "momenta" in ASE's units (amu·Å per ASE time unit, 10.18 fs) divided by the masses;
 * the time from the info key "time_fs" (written by mlpot md). Errors (MLPOT_ERR_FORMAT, naming
 * the frame's source and line): an atom count or species that differs from the first frame's,
 * periodicity that changes. */
MLPOT_API mlpot_status mlpot_trajectory_append(mlpot_trajectory *t, const mlpot_structure *s,
                                               mlpot_error *err);

/* The time between frames, fs, from the recorded times: MLPOT_ERR_MISSING when the frames
 * carry no time or a segment has one frame only, MLPOT_ERR_FORMAT when the spacing is not
 * uniform (relative 1e-6). */
MLPOT_API mlpot_status mlpot_trajectory_timestep(const mlpot_trajectory *t, double *dt,
                                                 mlpot_error *err);

typedef enum mlpot_unwrap_mode {
    MLPOT_UNWRAP_AUTO = 0, /* unwrap when every position of every frame lies inside the cell */
    MLPOT_UNWRAP_ALWAYS = 1,
    MLPOT_UNWRAP_NEVER = 2
} mlpot_unwrap_mode;

/* Makes the positions continuous: along periodic directions each frame becomes the previous
 * (unwrapped) frame plus the minimum-image displacement, in the fractional coordinates of the
 * frame's cell. *unwrapped (may be NULL) says whether it changed anything. */
MLPOT_API mlpot_status mlpot_trajectory_unwrap(mlpot_trajectory *t, mlpot_unwrap_mode mode,
                                               int *unwrapped, mlpot_error *err);

/* Mean kinetic temperature over all frames, K, from velocities and masses with 3N degrees of
 * freedom (no constraint subtracted). MLPOT_ERR_MISSING without velocities. */
MLPOT_API mlpot_status mlpot_trajectory_temperature(const mlpot_trajectory *t, double *kelvin,
                                                    mlpot_error *err);

/* Mean cell volume over all frames, Å³ (0 unless periodic in all three directions). */
MLPOT_API double mlpot_trajectory_volume(const mlpot_trajectory *t);

/* The distinct atomic numbers of the trajectory, ascending; returns how many (at most max). */
MLPOT_API int mlpot_trajectory_species(const mlpot_trajectory *t, int *numbers, int max);

/* --- mean squared displacement and diffusion -------------------------------------------- */

typedef struct mlpot_msd_options {
    double dt;        /* fs between frames (> 0) */
    long max_lag;     /* frames; 0: the length of one block, at most 1000 */
    double fit_from;  /* fs; < 0: 20 % of the largest lag */
    double fit_to;    /* fs; < 0: 80 % of the largest lag */
    int blocks;       /* blocks for the error bar (each segment is cut in this many), >= 2 */
} mlpot_msd_options;

/* dt 0 (must be set), max_lag 0, fit window 20-80 %, 5 blocks. */
MLPOT_API void mlpot_msd_options_default(mlpot_msd_options *opt);

typedef struct mlpot_msd_result {
    int n_species;
    int *species;       /* [n_species] atomic numbers */
    int *count;         /* [n_species] atoms of each */
    long n_lags;        /* lags 0 .. n_lags-1 frames */
    double dt;          /* fs */
    double *msd;        /* [n_species * n_lags] Å², averaged over atoms, origins and segments */
    double fit_from, fit_to;  /* fs, the window used */
    double *diffusion;  /* [n_species] D = slope / 6 of the fit on msd, Å²/fs */
    double *diffusion_error;  /* [n_species] standard error of D over the blocks, Å²/fs */
    int blocks;
} mlpot_msd_result;

MLPOT_API void mlpot_msd_result_init(mlpot_msd_result *r);
MLPOT_API void mlpot_msd_result_free(mlpot_msd_result *r);

/* MSD per species of the atoms of the listed species (NULL, 0: every species) and D from a
 * least-squares line through msd(t) for t in [fit_from, fit_to]; the same fit on each block
 * gives D per block, and the error bar is their standard deviation / sqrt(blocks). Positions
 * must be unwrapped. Errors: too few frames for the blocks and fit window (the message says
 * which option to change), a species absent from the trajectory. */
MLPOT_API mlpot_status mlpot_msd(const mlpot_trajectory *t, const int *species, int n_species,
                                 const mlpot_msd_options *opt, mlpot_msd_result *out,
                                 mlpot_error *err);

/* Least-squares line y = a + b x through the points with x in [x_from, x_to]; returns the
 * slope b, or NAN with fewer than two points. */
MLPOT_API double mlpot_fit_slope(const double *x, const double *y, long n, double x_from,
                                 double x_to);

/* --- radial distribution functions ------------------------------------------------------ */

/* An accumulator: frames are added one at a time (a trajectory need not fit in memory). */
typedef struct mlpot_rdf {
    double rmax;       /* Å */
    int bins;
    int n_pairs;
    int *pair;         /* [2 * n_pairs] atomic numbers (a, b): b atoms around a atoms */
    double *counts;    /* [n_pairs * bins] sum over frames of (b neighbours of a atoms) / N_a */
    double *density;   /* [n_pairs] sum over frames of (N_b - δ_ab) / V */
    long frames;
    int n_atoms;       /* of the first frame: every frame must have the same composition */
    int species_count[MLPOT_MAX_ELEMENT + 1]; /* atoms per element in the first frame */
    mlpot_neighbour_list nl;
} mlpot_rdf;

/* rmax > 0, bins >= 1; pairs: n_pairs (a, b) atomic-number pairs, or NULL and 0 for every pair
 * a <= b of the species of the first frame added. */
MLPOT_API mlpot_status mlpot_rdf_init(mlpot_rdf *r, double rmax, int bins, const int *pairs,
                                      int n_pairs, mlpot_error *err);
MLPOT_API void mlpot_rdf_free(mlpot_rdf *r);

/* Adds the pairs of one frame closer than rmax, through the neighbour list (any triclinic cell,
 * also one thinner than 2 rmax: then several images count). The frame must be periodic in all
 * three directions. */
MLPOT_API mlpot_status mlpot_rdf_add(mlpot_rdf *r, const mlpot_structure *s, mlpot_error *err);

/* g_ab(r) at the bin centres, normalised by the ideal-gas count (N_b - δ_ab)/V · shell volume so
 * that an uncorrelated system gives 1, and the coordination number n_ab(r): mean number of b
 * atoms within r (the bin's outer edge) of an a atom. Arrays [n_pairs * bins]. */
MLPOT_API mlpot_status mlpot_rdf_result(const mlpot_rdf *r, double *g, double *coordination,
                                        mlpot_error *err);

/* Half the smallest distance between opposite faces of the cell: the largest rmax at which
 * the minimum image alone suffices. */
MLPOT_API double mlpot_rdf_default_rmax(const double *cell);

/* --- velocity autocorrelation and vibrational density of states -------------------------- */

typedef struct mlpot_vacf_result {
    int n_species;
    int *species;        /* [n_species] */
    long n_lags;
    double dt;           /* fs */
    double *vacf;        /* [n_species * n_lags] <v(0)·v(t)> per atom, Å²/fs² */
    double *frequency;   /* [n_lags] 1/fs: k / (2 n_lags dt), up to the Nyquist frequency */
    double *vdos;        /* [n_species * n_lags] 1/fs, unit area over frequency */
} mlpot_vacf_result;

MLPOT_API void mlpot_vacf_result_init(mlpot_vacf_result *r);
MLPOT_API void mlpot_vacf_result_free(mlpot_vacf_result *r);

/* VACF per species (NULL, 0: every species) up to max_lag frames (0: half the shortest
 * segment), and the VDOS: the cosine transform of vacf(t)/vacf(0) under a Hann window
 * (1 + cos(π t / t_max)) / 2, which removes the ripples of the cut at t_max at the price of a
 * resolution of about 1 / t_max. MLPOT_ERR_MISSING without velocities. */
MLPOT_API mlpot_status mlpot_vacf(const mlpot_trajectory *t, const int *species, int n_species,
                                  double dt, long max_lag, mlpot_vacf_result *out,
                                  mlpot_error *err);

/* Autocorrelation of a series of vectors x[frame * dim + c], summed over the components and
 * averaged over the time origins: acf[lag] = <x(t0)·x(t0 + lag)>, lags 0 .. n_lags-1. */
MLPOT_API void mlpot_autocorrelation(const double *x, long n_frames, int dim, long n_lags,
                                     double *acf);

/* --- ionic conductivity ------------------------------------------------------------------ */

typedef struct mlpot_conductivity_options {
    double dt;           /* fs between frames */
    long max_lag;        /* frames of the current autocorrelation; 0: one block, at most 1000 */
    double temperature;  /* K; <= 0: the mean kinetic temperature of the trajectory */
    int blocks;          /* blocks for the error bar, >= 2 */
    mlpot_msd_options msd; /* the diffusion coefficients of the Nernst-Einstein estimate */
} mlpot_conductivity_options;

MLPOT_API void mlpot_conductivity_options_default(mlpot_conductivity_options *opt);

typedef struct mlpot_conductivity_result {
    long n_lags;
    double dt;
    double *current_acf;    /* [n_lags] <J(0)·J(t)>, J = Σ q_i v_i in e·Å/fs */
    double *sigma_running;  /* [n_lags] S/m, the Green-Kubo integral up to each lag */
    double sigma;           /* S/m, the integral up to the largest lag */
    double sigma_error;     /* S/m, standard error over blocks */
    double sigma_ne;        /* S/m, Nernst-Einstein e²/(V k_B T) Σ N_a q_a² D_a */
    double sigma_ne_error;
    double temperature;     /* K, used */
    double volume;          /* Å³, mean */
    mlpot_msd_result msd;   /* the diffusion coefficients behind sigma_ne */
} mlpot_conductivity_result;

MLPOT_API void mlpot_conductivity_result_init(mlpot_conductivity_result *r);
MLPOT_API void mlpot_conductivity_result_free(mlpot_conductivity_result *r);

/* Green-Kubo σ = 1/(3 V k_B T) ∫ <J(0)·J(t)> dt (trapezoid rule) with J = Σ q_i v_i, and the
 * Nernst-Einstein estimate from the MSD of each species (which neglects the correlations between
 * distinct ions that Green-Kubo includes). charge_of[Z] is the charge of element Z in e
 * (array of MLPOT_MAX_ELEMENT + 1). Errors: no velocities, no periodic volume, no temperature. */
MLPOT_API mlpot_status mlpot_conductivity(const mlpot_trajectory *t, const double *charge_of,
                                          const mlpot_conductivity_options *opt,
                                          mlpot_conductivity_result *out, mlpot_error *err);

/* --- hydrogen bonds ---------------------------------------------------------------------- */

/* Geometric criterion: a hydrogen H belongs to the nearest donor-species atom D within dh_max;
 * D donates through H to an acceptor-species atom A (A != D) when r(D···A) < r_da and the angle
 * H-D···A < angle. A bond is the atom triple (D, H, A): when the same triple is found through
 * several periodic images (cells thinner than r_da only) it counts once. Hydrogen is Z = 1. */
typedef struct mlpot_hbond_options {
    unsigned char donor[MLPOT_MAX_ELEMENT + 1];    /* 1 for donor species */
    unsigned char acceptor[MLPOT_MAX_ELEMENT + 1]; /* 1 for acceptor species */
    double dh_max;    /* Å, largest D-H covalent distance */
    double r_da;      /* Å, D···A cutoff */
    double angle;     /* degrees, H-D···A cutoff, in (0, 180] */
    double dt;        /* fs between frames; <= 0: counts only, no lifetimes */
    long max_lag;     /* frames of C(t); 0: half the shortest segment */
} mlpot_hbond_options;

/* Donors and acceptors O and N, dh_max 1.25 Å, r_da 3.5 Å, angle 30°, dt 0, max_lag 0. */
MLPOT_API void mlpot_hbond_options_default(mlpot_hbond_options *opt);

typedef struct mlpot_hbond {
    int donor, hydrogen, acceptor;
    double r_da;      /* Å */
    double angle;     /* degrees, H-D···A */
} mlpot_hbond;

/* The bonds of one structure, and the buffers reused from one structure to the next. */
typedef struct mlpot_hbond_list {
    size_t n;
    mlpot_hbond *bond; /* [n], ordered by hydrogen, then acceptor */
    /* private */
    size_t capacity;
    int atom_capacity;
    size_t *owner_entry; /* per atom: the neighbour-list entry H -> its donor, or SIZE_MAX */
    mlpot_neighbour_list nl;
} mlpot_hbond_list;

MLPOT_API void mlpot_hbond_list_init(mlpot_hbond_list *l);
MLPOT_API void mlpot_hbond_list_free(mlpot_hbond_list *l);

/* Finds the hydrogen bonds of one structure (any cell and periodicity, through the neighbour
 * list). Errors: bad options (named), what the neighbour list refuses. */
MLPOT_API mlpot_status mlpot_hbonds_find(const mlpot_structure *s, const mlpot_hbond_options *opt,
                                         mlpot_hbond_list *out, mlpot_error *err);

typedef struct mlpot_hbond_result {
    long n_frames;
    int n_pairs;
    int *pair;           /* [2 * n_pairs] (donor, acceptor) atomic numbers present */
    long *count;         /* [n_frames] hydrogen bonds per frame */
    long *pair_count;    /* [n_frames * n_pairs] of each donor-acceptor species pair */
    int n_donor_atoms;   /* atoms of the donor species */
    int n_acceptor_atoms;
    int n_hydrogens;
    long n_distinct;     /* distinct (D, H, A) triples over the trajectory */
    /* lifetimes (n_lags 0 when opt.dt <= 0) */
    long n_lags;
    double dt;
    double *c_continuous;   /* [n_lags] */
    double *c_intermittent; /* [n_lags] */
    long n_runs;            /* uninterrupted stretches of a bond (within a segment) */
    double lifetime;        /* fs: mean length of the stretches, frames present × dt */
    double tau_continuous;  /* fs: trapezoid integral of c_continuous over the lags */
    double tau_intermittent;
} mlpot_hbond_result;

MLPOT_API void mlpot_hbond_result_init(mlpot_hbond_result *r);
MLPOT_API void mlpot_hbond_result_free(mlpot_hbond_result *r);

/* Hydrogen bonds in every frame and their time correlations, with h_b(t) = 1 while bond b (a
 * triple) exists: C_I(τ) = Σ h_b(t0) h_b(t0+τ) / Σ h_b(t0) and C_C(τ) the same with h_b(t0+τ)
 * replaced by "present at every frame from t0 to t0+τ", sums over bonds and over the origins t0
 * with t0+τ in the same segment (so C(0) = 1). A stretch cut by the start or end of a segment
 * counts with the length seen. Errors: bad options, no hydrogen, donor or acceptor atoms. */
MLPOT_API mlpot_status mlpot_hbonds(const mlpot_trajectory *t, const mlpot_hbond_options *opt,
                                    mlpot_hbond_result *out, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
