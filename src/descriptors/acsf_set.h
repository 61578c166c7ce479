/* A set of atom-centred symmetry functions (ACSF) for every element of a model, in n2p2's
 * definitions and order. Internal to the library; the descriptor interface (acsf.c) and the
 * n2p2 model (models/nnp*.c) use it.
 *
 * Types (n2p2 numbering, parameters in the order of its input.nn lines):
 *   2  radial     e1 η r_s r_c                 Σ_j e^{-η(r_ij - r_s)²} f_c(r_ij)
 *   3  narrow ang e1 e2 η λ ζ r_c [r_s]        2^{1-ζ} Σ_{j<k} (1 + λ cos θ)^ζ
 *                                              e^{-η Σ (r - r_s)²} f_c(r_ij) f_c(r_ik) f_c(r_jk)
 *   9  wide ang   e1 e2 η λ ζ r_c [r_s]        the same without the r_jk terms
 *   12 weighted radial   η r_s r_c             Σ_j Z_j e^{...} f_c
 *   13 weighted narrow   η r_s λ ζ r_c         Σ_{j<k} Z_j Z_k (narrow angular term)
 *   20 compact radial    e1 r_l r_c sub        Σ_j C(r_ij; r_l, r_c)
 *   21 compact narrow    e1 e2 r_l r_c θ_l θ_r sub   Σ C(r_ij) C(r_ik) C(r_jk) C(θ; θ_l, θ_r)
 *   22 compact wide      e1 e2 r_l r_c θ_l θ_r sub   Σ C(r_ij) C(r_ik) C(θ)
 *   23 weighted compact radial  r_l r_c sub
 *   24 weighted compact narrow  r_l r_c θ_l θ_r sub
 *   25 weighted compact wide    r_l r_c θ_l θ_r sub
 * "sub" is p1..p4 (polynomial cores, "a" suffix: asymmetric radial part) or e (exp core).
 * Angles in degrees in the file. The pair sums run over neighbour images as well. */
#ifndef MLPOT_DESCRIPTORS_ACSF_SET_H
#define MLPOT_DESCRIPTORS_ACSF_SET_H

#include <stddef.h>

#include "descriptors/acsf_cutoff.h"
#include "mlpot/elements.h"
#include "mlpot/neighbours.h"
#include "mlpot/status.h"
#include "mlpot/structure.h"

typedef struct acsf_fn {
    int type;
    int ec, e1, e2;      /* element indices; e1 <= e2; -1 when the type has none */
    double eta, rs, rc, lambda, zeta, rl, angle_left, angle_right; /* angles in degrees */
    char subtype[4];
    int zeta_int, integer_zeta;
    double norm;         /* 2^(1-ζ) of the exp angular types */
    acsf_compact radial, angular; /* compact types */
    long line;           /* line of its definition, for messages */
    char *text;          /* the definition as written (after the keyword), for descriptions */
    double key_eta, key_rs, key_rc, key_rl; /* sort keys: the parameters in n2p2's normalised units */
} acsf_fn;

/* Functions of one central element sharing the work of a group: the same type, neighbour
 * elements and radial part (cutoff radius, or r_l/r_c/subtype for compact ones). */
typedef struct acsf_group {
    int type, e1, e2;
    double rc;
    int n;          /* functions in the group */
    int *index;     /* their indices within the element's sorted list */
    /* exp angular groups: distinct (η, r_s) and (λ, ζ) with per-function pointers into them */
    int n_exp, n_pow;
    double *exp_eta, *exp_rs;
    double *pow_lambda;
    int *pow_zeta_int, *pow_integer;
    double *pow_zeta;
    int *fn_exp, *fn_pow;
} acsf_group;

typedef struct acsf_element {
    int z;
    int n;            /* number of functions */
    acsf_fn *fn;      /* sorted as n2p2 sorts them */
    double rmax;      /* largest cutoff */
    int n_groups;
    acsf_group *groups;
} acsf_element;

typedef struct acsf_set {
    int n_elements;
    int z[MLPOT_MAX_ELEMENT];
    int index[MLPOT_MAX_ELEMENT + 1]; /* atomic number -> element index, -1 absent */
    acsf_element *elements;
    int cutoff_type;
    double cutoff_alpha;
    double rmax;
    int max_functions; /* largest function count of an element */
} acsf_set;

/* One "symfunction_short" definition line (without the keyword): its text and file line. */
typedef struct acsf_line {
    const char *text;
    long line;
} acsf_line;

/* Builds the set: elements (symbols, any order: sorted by atomic number as n2p2 does), the
 * definition lines, the global cutoff type and shift α. conv_length is n2p2's length
 * normalisation (1 without): n2p2 sorts the functions by their parameters in normalised units
 * (η/c², r_s c, r_c c), which rounding can order differently. Messages name `source` and the
 * line. */
mlpot_status acsf_set_build(acsf_set *set, const char *const *elements, int n_elements,
                            const acsf_line *lines, int n_lines, int cutoff_type,
                            double cutoff_alpha, double conv_length, const char *source, mlpot_error *err);
void acsf_set_free(acsf_set *set);

/* The set an n2p2 settings file defines (elements, cutoff_type, symfunction_short, and
 * conv_length when the file normalises). */
struct n2p2_settings;
mlpot_status acsf_set_from_settings(const struct n2p2_settings *s, acsf_set *set, mlpot_error *err);

/* "O 3: O 3 H H 0.07 -1.0 1.0 12.0 (line 58)": function k (0-based) of element e as defined. */
void acsf_set_describe_function(const acsf_set *set, int e, int k, char *buf, size_t size);

/* Writes function f of the set as an n2p2 input.nn definition (without "symfunction_short");
 * returns snprintf's count. */
int acsf_fn_format(const acsf_set *set, const acsf_fn *f, char *buf, size_t size);

/* What the kernels produce for one atom. */
enum acsf_mode {
    ACSF_VALUES = 1,   /* G[n] */
    ACSF_JACOBIAN = 2, /* jacobian[(g * n_entries + e) * 3 + c]: dG_g / dd_e */
    ACSF_BACKPROP = 4  /* grad[e * 3 + c] += Σ_g weights[g] dG_g/dd_e */
};

/* Per-triplet quantities (r_jk, its cutoff value and derivative, the exp(-η (r_jk - r_s)²)
 * factors) kept from a values pass of an atom for the back-propagation pass of the same atom,
 * which then needs no transcendental function. A pass that runs out of room marks the cache
 * invalid (the next pass recomputes) and leaves in `used` the room it needed. */
typedef struct acsf_cache {
    double *data;
    size_t capacity, used;
    int valid;
} acsf_cache;

/* Stores (store != 0) or fetches the next n cached values; returns where they are, or NULL when
 * the cache cannot serve (the caller then computes them). Passes must ask for the same
 * sequence of sizes. */
static inline double *acsf_cache_slot(acsf_cache *cache, int store, size_t n)
{
    if (!cache || !cache->valid) {
        if (cache && store) cache->used += n;
        return NULL;
    }
    double *at = cache->data + cache->used;
    cache->used += n;
    if (cache->used > cache->capacity) {
        cache->valid = 0;
        return NULL;
    }
    return at;
}

/* Symmetry functions of atom i (element index ei) over its neighbour entries. G is added to
 * (zeroed by the caller); jacobian and grad are indexed by the atom's entries (e = k -
 * nl->offsets[i]). `work` is scratch of at least acsf_work_size(set, entries) bytes; `cache`
 * may be NULL. */
void acsf_atom(const acsf_set *set, int ei, const mlpot_structure *s, const mlpot_neighbour_list *nl,
               int i, unsigned mode, double *G, double *jacobian, const double *weights,
               double *grad, double *work, acsf_cache *cache);
size_t acsf_work_size(const acsf_set *set, size_t n_entries);

#endif
