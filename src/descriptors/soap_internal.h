/* SOAP internals shared by the descriptor (soap.c) and the GAP model (src/models/gap*.c), which
 * fuses descriptor, kernel and back-propagation per atom.
 *
 * Per atom the work is: for each neighbour within the cutoff, the scaled modified spherical
 * Bessel functions at the n_max basis centres, their transform into orthonormal radial
 * coefficients c_nl(ρ)·f_c(ρ) (one n_max×n_max matrix for every l), the real spherical
 * harmonics, and the accumulation a_{κlm} += c_nl Y_lm; then the power spectrum. With
 * derivatives, the per-neighbour radial coefficients, their ρ-derivatives, the harmonics and
 * their gradients stay in the per-thread work area, so that dE/dp can be back-propagated to
 * per-neighbour gradients dE/dd_k without storing the Jacobian. */
#ifndef MLPOT_DESCRIPTORS_SOAP_INTERNAL_H
#define MLPOT_DESCRIPTORS_SOAP_INTERNAL_H

#include <math.h>
#include <stddef.h>

#include "mlpot/neighbours.h"
#include "mlpot/soap.h"

typedef struct soap_desc {
    mlpot_soap_params p;
    double alpha;        /* 1/(2σ²) */
    int n_max, l_max, L; /* L = l_max + 1 */
    int n_lm;            /* (l_max+1)² harmonics, index l*l + l + m */
    int K;               /* channels n_species · n_max */
    int n_power;         /* (l_max+1)·K(K+1)/2 */
    int dim;             /* n_power + 1 */
    int central_all;     /* the central-reference rule after defaults and version */
    double *r_basis;     /* [n_max] Gaussian centres */
    double *transform;   /* [n_max][n_max] C⁻¹L: c_n = Σ_a v_a T[a][n] */
    double central_coefficient; /* central_weight · L_11 · Y_00 */
    double *lweight;     /* [L] (2l+1)^(-1/2) or 1 */
    double *ylm_norm;    /* [n_lm] normalisation of the real harmonics (√2 included) */
    double *double_factorial; /* [L] (2m-1)!! */
    int channel[MLPOT_MAX_ELEMENT + 1]; /* species channel of an atomic number, -1: ignored */
    int centre[MLPOT_MAX_ELEMENT + 1];  /* 1 when atoms of this Z are centres */
} soap_desc;

struct quip_args;
/* Parameters from a parsed QUIP descriptor string (soap_params.c); the name is the caller's. */
mlpot_status soap_params_from_args(struct quip_args *a, mlpot_soap_params *p, mlpot_error *err);

mlpot_status soap_desc_init(soap_desc *d, const mlpot_soap_params *p, mlpot_error *err);
void soap_desc_free(soap_desc *d);

/* Per-thread work area for one atom at a time; sized for up to `capacity` neighbours. */
typedef struct soap_work {
    int capacity;
    int n_used;       /* neighbours of the current atom within the cutoff and of a channel */
    int with_derivatives;
    double norm;      /* norm of the raw power spectrum of the current atom */
    double *a;        /* [K][n_lm] expansion coefficients (orthonormal radial basis) */
    double *b;        /* [K][n_lm] the same in the raw Gaussian basis, before C⁻¹L */
    double *g;        /* [K][n_lm] dE/da */
    double *gb;       /* [K][n_lm] dE/db */
    double *cn, *dcn; /* [L][n_max] one neighbour's orthonormal coefficients (Jacobian) */
    double *p;        /* [n_power] raw power spectrum */
    double *gp;       /* [n_power] dE/dp (raw) */
    double *pair;     /* [L][K][K] symmetric dE/d(a·a) weights */
    double *da;       /* [n_max][n_lm][3] Jacobian of one neighbour's coefficients */
    double *dp;       /* [n_power][3] Jacobian of the power spectrum for one neighbour */
    int *entry;       /* [capacity] neighbour-list entry (absolute index) */
    int *channel;     /* [capacity] */
    double *u;        /* [capacity][3] unit vectors */
    double *rho;      /* [capacity] distances */
    double *Y;        /* [capacity][n_lm] */
    double *dY;       /* [capacity][n_lm][3] gradients of the polynomial form (unprojected) */
    double *c;        /* [capacity][L][n_max] radial functions at the basis centres × f_c */
    double *dc;       /* [capacity][L][n_max] their ρ-derivatives */
    double *F, *dF;   /* [n_max][L+1] radial functions at the basis centres, derivatives */
    double *scratch;  /* harmonics recurrences, [4·n_lm + 4·L] */
    double *A, *B;    /* [n_lm] back-propagation per neighbour */
    void *block;      /* the single allocation */
} soap_work;

/* Allocates a work area (once per thread and call, never per atom). */
mlpot_status soap_work_init(soap_work *w, const soap_desc *d, int capacity, mlpot_error *err);
void soap_work_free(soap_work *w);

/* Largest number of list entries of any atom (a bound for the work capacity). */
int soap_max_entries(const mlpot_neighbour_list *nl);

/* Descriptor of atom i (which must be a centre) into x[dim]. With derivatives, keeps what
 * soap_atom_backprop and soap_atom_jacobian need. */
void soap_atom(const soap_desc *d, const mlpot_neighbour_list *nl, const int *numbers, int i,
               int with_derivatives, soap_work *w, double *x);

/* After soap_atom(..., with_derivatives = 1) of atom i: ADDS dE/dd_k for each entry k of
 * atom i to grad[3·(k - nl->offsets[i])], given dE/dx (dim values, the last one ignored). */
void soap_atom_backprop(const soap_desc *d, const mlpot_neighbour_list *nl, int i,
                        const double *dE_dx, soap_work *w, double *grad);

/* After soap_atom(..., 1) of atom i: the Jacobian dx_g/dd_k into
 * jac[(g·count + (k - nl->offsets[i]))·3 + c], count = the atom's entries (zeroed first). */
void soap_atom_jacobian(const soap_desc *d, const mlpot_neighbour_list *nl, int i,
                        soap_work *w, double *jac);

/* --- kernels (soap_basis.c) ---------------------------------------------------------------- */

/* out[l] = exp(-α(ρ²+r²))·i_l(2αρr) for l = 0..lmax: scaled modified spherical Bessel
 * functions of the first kind, accurate for every argument (upward recurrence from the closed
 * forms where it is stable, power series and downward recurrence below). */
void soap_scaled_bessel(double alpha, double rho, double r, int lmax, double *out);

/* Real spherical harmonics of a unit vector u at index l*l + l + m (l <= lmax), and with
 * dY != NULL the gradients of their polynomial form (3 per harmonic), which the caller
 * projects onto the sphere's tangent plane. scratch: 4·(lmax+1)² + 4·(lmax+1) doubles. */
void soap_harmonics(int lmax, const double *norm, const double *double_factorial,
                    const double u[3], double *Y, double *dY, double *scratch);

/* QUIP's cosine cutoff f_c (1 inside rc - width, 0 beyond rc) and its derivative. */
static inline double soap_cutoff_function(double r, double rc, double width, double *df)
{
    const double pi = 3.14159265358979323846;
    if (r > rc) {
        *df = 0.0;
        return 0.0;
    }
    if (r > rc - width) {
        double t = pi * (r - rc + width) / width;
        *df = -0.5 * pi * sin(t) / width;
        return 0.5 * (cos(t) + 1.0);
    }
    *df = 0.0;
    return 1.0;
}

#endif
