/* The loss of one structure and its gradient with respect to the network parameters (the
 * formulas are in include/mlpot/train.h and loss.c). */
#ifndef MLPOT_TRAIN_LOSS_H
#define MLPOT_TRAIN_LOSS_H

#include "models/nnp_model.h"
#include "mlpot/neighbours.h"
#include "mlpot/structure.h"

#define TRAIN_MAX_ELEMENTS 16

/* What is fitted: the energy model (a 2G network potential, or the short-range networks of a 4G
 * one whose electrostatics are fixed), or the charges of a 4G model (its electronegativity
 * networks and hardnesses; n2p2's first training stage, loss_charges.c). */
enum train_stage { TRAIN_STAGE_ENERGY = 0, TRAIN_STAGE_CHARGES = 1 };

typedef struct train_weights {
    double energy, force, stress; /* 1 / σ² */
    int use_forces, use_stress;
    int stage;                    /* enum train_stage */
    double charge;                /* 1 / σ_q², charges stage */
    double sigma[3];              /* the σ of energy per atom, force and stress component */
} train_weights;

/* A structure's own noise levels (core/frame_sigma.h: gap_fit's absolute per-configuration keys)
 * as the loss's: σ_E = energy_sigma/N per atom, σ_F = force_sigma, σ_S = virial_sigma/V for a
 * periodic cell's stress. sigma[3] holds the run's σ_E, σ_F, σ_S and receives s's where s has
 * them; returns which it has (bit k for sigma[k]). */
int train_structure_sigma(const mlpot_structure *s, double sigma[3]);
/* w with s's own noise levels, if any, in place of the run's. */
train_weights train_weights_of(const train_weights *w, const mlpot_structure *s);
/* Checks s's noise keys: each a positive finite number (the message names the key). */
mlpot_status train_structure_sigma_check(const mlpot_structure *s, mlpot_error *err);

/* Errors of one structure, as sums (metrics add them up over a set). */
typedef struct train_residuals {
    double loss;                    /* (ΔE/N)²/σ_E² + Σ|ΔF|²/σ_F² + Σ Δσ²/σ_S², unweighted */
    int has_energy;
    double energy_error;            /* per atom */
    double force_sq, force_abs;     /* over components */
    long force_n;
    double stress_sq, stress_abs;
    int stress_n;
    double force_sq_el[TRAIN_MAX_ELEMENTS], force_abs_el[TRAIN_MAX_ELEMENTS];
    long force_n_el[TRAIN_MAX_ELEMENTS];
    double charge_sq, charge_abs;   /* over atoms */
    long charge_n;
} train_residuals;

/* What training needs of a structure that the network does not change: its neighbour list
 * (with the reverse index), every atom's raw symmetry functions G and their Jacobian
 * dG/dd_e over the atom's entries ([function][entry][xyz]). Kept for the whole training when
 * memory allows (then an epoch costs network passes and two products with J per atom, not
 * symmetry functions), else rebuilt in a workspace each time: the arithmetic is the same
 * either way, so results do not depend on what was kept. */
typedef struct train_cache {
    int ready;
    mlpot_neighbour_list nl;
    double *G, *J;
    size_t *goff, *joff; /* [n_atoms + 1] */
    size_t bytes;
    /* 4G models: the charges stage keeps the Coulomb matrix A (n×n; no Jacobian J), the short-range
     * stage the fixed electrostatics and the charges' derivatives (nnp_model.h) */
    double *coulomb;
    nnp_4g_response response;
} train_cache;
void train_cache_init(train_cache *c);
void train_cache_free(train_cache *c);

/* Per-thread buffers, grown as structures need. */
typedef struct train_workspace {
    double *acsf_work;
    size_t acsf_work_n;
    double *atom;      /* per atom: G, scaled G, dE/dG, then network values, f', f'' */
    size_t atom_stride, atom_n;
    double *pair;      /* per entry: dE/dd (3), direction (3) */
    size_t pair_n;
    double *forces;    /* 3 per atom: predicted, then residual */
    size_t forces_n;
    double stress_residual[9]; /* predicted − reference stress of the last structure with a stress fitted */
    double *nn_work, *tangent, *v;
    train_cache scratch; /* for structures not kept */
} train_workspace;

void train_workspace_init(train_workspace *ws);
/* Grows *p to at least need doubles (1, or 0 when out of memory). */
int train_grow(double **p, size_t *have, size_t need);
/* The model's largest input count (symmetry functions + 1 for a 4G charge input) and network
 * scratch (nn_scratch_size), with ws's network buffers allocated on first use (0: no memory). */
int train_workspace_networks(train_workspace *ws, const nnp_model *m, size_t *max_fn, size_t *nn_n);
void train_workspace_free(train_workspace *ws);

/* Fills c for s (neighbour list, G, J, and what the stage of a 4G model needs). */
mlpot_status train_cache_fill(train_cache *c, const nnp_model *m, const mlpot_structure *s, const train_weights *w,
                              train_workspace *ws, mlpot_error *err);

/* The total charge QEq constrains a training structure to: its label, else the sum of its
 * reference charges, else 0. */
double train_total_charge(const mlpot_structure *s);

/* The charges stage of a 4G model (loss_charges.c): m->nets are the electronegativity networks
 * being fitted, m->elec.hardness[e] the hardnesses J_e; L = Σ_i (q_i - q_i,ref)² / σ_q², and
 * grad receives scale · dL/dθ for the networks (offsets as in train_structure) and dL/dJ_e at
 * grad[offsets[n_elements] + e]. */
mlpot_status train_structure_charges(const nnp_model *m, const size_t *offsets, const mlpot_structure *s,
                                     const train_cache *cache, const train_weights *w, double scale, train_workspace *ws,
                                     train_residuals *res, double *grad, mlpot_error *err);

/* Evaluates m on s. Fills res; when grad is not NULL adds scale · dL_s/dθ to it, θ being the
 * networks' parameters one element after the other (element e's block at offsets[e]). `cache`
 * holds s's filled cache, or is NULL (then the workspace's scratch cache is filled). */
mlpot_status train_structure(const nnp_model *m, const size_t *offsets, const mlpot_structure *s,
                             const train_cache *cache, const train_weights *w, double scale, train_workspace *ws,
                             train_residuals *res, double *grad, mlpot_error *err);

/* The Kalman filter's measurements (kalman.c): for component -1 the energy per atom, for
 * 0 ≤ component < 3N force component `component` (3·atom + axis), for 3N ≤ component < 3N + 6
 * the stress component (Voigt: xx, yy, zz, yz, xz, xy) of a periodic structure with a stress or
 * virial label. *error receives reference − prediction; when jacobian is not NULL it receives
 * d(prediction)/dθ (n_params, overwritten). The forward pass is the loss's, so the prediction
 * is the one train_structure measures. */
mlpot_status train_structure_jacobian(const nnp_model *m, const size_t *offsets, const mlpot_structure *s,
                                      const train_cache *cache, const train_weights *w, long component,
                                      train_workspace *ws, double *error, double *jacobian, mlpot_error *err);
/* Whether train_structure_jacobian takes s's stress components: a periodic cell with a stress or
 * virial label. */
int train_structure_has_stress(const mlpot_structure *s);

#endif
