/* A Behler-Parrinello high-dimensional neural network potential (2nd generation), as n2p2
 * defines it. Internal: the potential (nnp.c), the loader (nnp_load.c), the writer
 * (nnp_write.c) and the trainer use it.
 *
 * Energy in the model's own units (those of its training data):
 *   E = Σ_i [ NN_{Z_i}(G̃_i) / c_E + ē + e0(Z_i) ]        with data-set normalisation
 *   E = Σ_i [ NN_{Z_i}(G̃_i) + e0(Z_i) ]                  without
 * G̃ the scaled symmetry functions (acsf_scaling.h), c_E = conv_energy, ē = mean_energy, e0 the
 * atom_energy offsets. n2p2 evaluates a normalised model in scaled lengths (x' = c_L x, η' =
 * η/c_L², r' = c_L r); the symmetry functions are dimensionless and identical, so they are
 * evaluated here in the model's length unit, and forces follow as -dE/dx directly. */
#ifndef MLPOT_MODELS_NNP_MODEL_H
#define MLPOT_MODELS_NNP_MODEL_H

#include "descriptors/acsf_scaling.h"
#include "descriptors/acsf_set.h"
#include "longrange/ewald_kolafa_perram.h"
#include "mlpot/nnp.h"
#include "models/network.h"

/* What a 4th-generation model adds (Ko, Finkler, Goedecker, Behler 2021; n2p2's nnp_type 4):
 * per element an electronegativity network χ(G̃) on the same scaled symmetry functions, a
 * hardness J and a Gaussian charge width σ; the charges come from charge equilibration
 * (longrange/qeq.h) and enter the short-range network as its last input, unscaled:
 *   E = Σ_i [NN_{Z_i}(G̃_i, q_i) + e0(Z_i)] + E_elec(q)
 *   E_elec = ½ qᵀA q - Σ_i k_e q_i²/(2σ_i√π) + Σ_{pairs r<r_out} k_e q_i q_j erf(r/(√2γ_ij))/r (f_s(r) - 1),
 * A the Coulomb matrix of Gaussian charges (longrange/coulomb_matrix.h), i.e. the interaction
 * of the Gaussian charges without their self-energies, screened at short range by
 * f_s(r) = 1 - ½(cos(π(r - r_in)/(r_out - r_in)) + 1) between r_in and r_out (0 below, 1 above). */
typedef struct nnp_electrostatics {
    nn *nets;              /* [n_elements] electronegativity networks */
    double *hardness;      /* [n_elements] J */
    double *width;         /* [n_elements] σ */
    double coulomb;        /* k_e = 1/four_pi_epsilon, model units */
    int screen;            /* screen_electrostatics given */
    double screen_inner, screen_outer;
    ewald_truncation_settings ewald;
    int has_total_charge;  /* default total charge for structures without one */
    double total_charge;
} nnp_electrostatics;

typedef struct nnp_model {
    acsf_set acsf;
    acsf_scaling scaling;
    nn *nets;                /* [acsf.n_elements] short-range networks */
    double *offset;          /* [acsf.n_elements] atom_energy */
    int normalize;
    double mean_energy, conv_energy, conv_length;
    int extrapolation_error; /* option: symmetry functions outside the scaling range fail */
    char *path;
    int generation;          /* 2, or 4 with `elec` */
    nnp_electrostatics elec;
} nnp_model;

/* Loads an n2p2 folder into m (nnp_load.c). */
mlpot_status nnp_model_load(const char *folder, const mlpot_nnp_options *opt, nnp_model *m, mlpot_error *err);
/* The same for a 4G folder whose short-range weights may be missing (a model between n2p2's two
 * training stages: electronegativities and hardnesses only); missing networks are left zero. */
mlpot_status nnp_model_load_electrostatics(const char *folder, nnp_model *m, mlpot_error *err);
void nnp_model_free(nnp_model *m);

/* A potential that owns the (heap-allocated) model m; on failure m is freed too. */
mlpot_status nnp_potential_from_model(nnp_model *m, mlpot_potential **out, mlpot_error *err);

/* forces[i] += Σ_k (grad_k - grad_reverse(k)) over atom i's entries - extra[i] (extra may be
 * NULL): the forces from per-entry gradients dE/dd of a full list. */
void nnp_gather_forces(const mlpot_neighbour_list *nl, const int *reverse, const double *grad, const double *extra,
                       double *forces);

/* The extrapolation=error failure naming the first extrapolating atom, or MLPOT_OK. */
mlpot_status nnp_extrapolation_check(const nnp_model *m, const mlpot_structure *s, const int *extrapolated,
                                     mlpot_error *err);

/* The 4G-HDNNP evaluation (nnp_4g.c); m->generation == 4. */
mlpot_status nnp_4g_compute(const nnp_model *m, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                            unsigned request, mlpot_result *out, mlpot_error *err);

/* φ = ∂E_elec/∂q for equilibrated charges q (qs solved on cm): (A q)_i - k_e q_i/(σ_i√π) plus
 * n2p2's screening Σ_j u_ij q_j (accumulated in screen[n], zeroed by the caller), so that
 * E_elec = ½ q·φ; the screening energy's gradient at fixed charges is added to grad[3n] (may be
 * NULL) and its virial to virial[9]. The one definition of E_elec for evaluation and training. */
struct coulomb_matrix;
struct qeq_solver;
void nnp_4g_electrostatic_potential(const nnp_electrostatics *el, const struct qeq_solver *qs,
                                    const struct coulomb_matrix *cm, const double *q, const double *sigma, double *screen,
                                    double *phi, double *grad, double *virial);

/* What training the short-range networks of a 4G model needs of a structure, from the model's
 * electronegativity networks, hardnesses and widths alone (nnp_4g_response.c): the charges q,
 * the electrostatic energy E_elec(q) (nnp_model.h) with its forces and virial including the
 * charges' response, and the charges' derivatives
 *   dq[i][k] = dq_i/dx_k (k < 3n),   dq[i][3n + 3a + b] = -∂q_i/∂ε (virial convention of
 *   mlpot_result, so that W = Σ_i (∂E/∂q_i) dq[i][3n + ·] for an energy depending on q),
 * from QEq: M dq = -[d(Aq + χ); 0], one factorisation, 3n + 9 right-hand sides. */
typedef struct nnp_4g_response {
    int n;
    double *q;         /* [n] */
    double energy;     /* E_elec */
    double *forces;    /* [3n] */
    double virial[9];
    double *dq;        /* [n][3n + 9], when asked for */
} nnp_4g_response;

mlpot_status nnp_4g_response_compute(const nnp_model *m, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                     double total_charge, int want_dq, nnp_4g_response *r, mlpot_error *err);
void nnp_4g_response_free(nnp_4g_response *r);

/* Writes m as an n2p2 model folder (input.nn, scaling.data, weights.ZZZ.data; created if
 * needed), each file atomically. `comment` (may be NULL) heads input.nn as # lines. */
mlpot_status nnp_model_write(const nnp_model *m, const char *folder, const char *comment, mlpot_error *err);

/* Multiplies the network's output (and its gradient) into the model's energy unit. */
static inline double nnp_energy_scale(const nnp_model *m)
{
    return m->normalize ? 1.0 / m->conv_energy : 1.0;
}

/* The energy added to every atom's network output: ē (normalised models) + e0 of element e. */
static inline double nnp_energy_shift(const nnp_model *m, int e)
{
    return (m->normalize ? m->mean_energy : 0.0) + m->offset[e];
}

#endif
