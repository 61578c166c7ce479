/* A small test harness: CHECK-style assertions that count failures and keep going, and the
 * numerical checks every physics routine needs (finite differences, invariances). */
#ifndef MLPOT_TEST_HARNESS_H
#define MLPOT_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlpot/mlpot.h"

extern int test_failures;
extern int test_checks;
/* Error record for library calls in tests: pass &test_err, and CHECK_OK prints its message. */
extern mlpot_error test_err;

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        ++test_checks;                                                                    \
        if (!(cond)) {                                                                    \
            ++test_failures;                                                              \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);      \
            fprintf(stderr, __VA_ARGS__);                                                 \
            fputc('\n', stderr);                                                          \
        }                                                                                 \
    } while (0)

/* |a - b| <= tol, printing both on failure. */
#define CHECK_CLOSE(a, b, tol, what)                                                      \
    do {                                                                                  \
        double ca_ = (a), cb_ = (b);                                                      \
        CHECK(fabs(ca_ - cb_) <= (tol), "%s: %.17g vs %.17g (diff %.3g, tol %.3g)", what, \
              ca_, cb_, fabs(ca_ - cb_), (double)(tol));                                  \
    } while (0)

/* Asserts a library call succeeded, printing its message otherwise; aborts the test program
 * (later checks would only cascade). */
#define CHECK_OK(call)                                                                    \
    do {                                                                                  \
        mlpot_error_clear(&test_err);                                                     \
        mlpot_status st_ = (call);                                                        \
        if (st_ != MLPOT_OK) {                                                            \
            fprintf(stderr, "%s:%d: %s failed with %s: %s\n", __FILE__, __LINE__, #call,  \
                    mlpot_status_string(st_), test_err.message);                          \
            exit(1);                                                                      \
        }                                                                                 \
    } while (0)

/* Asserts a call fails with the given status and that its message contains `needle`. */
#define CHECK_FAILS(call, status, needle)                                                 \
    do {                                                                                  \
        mlpot_error_clear(&test_err);                                                     \
        mlpot_status st_ = (call);                                                        \
        CHECK(st_ == (status), "%s returned %s (%s), expected %s", #call,                 \
              mlpot_status_string(st_), test_err.message, mlpot_status_string(status));   \
        CHECK(strstr(test_err.message, (needle)) != NULL, "message '%s' lacks '%s'",      \
              test_err.message, (needle));                                                \
    } while (0)

/* Prints a summary in ctest-readable form and returns the exit code for main. */
int test_finish(const char *name);

/* Returns the value of an environment variable or exits with 77 (skip) if it is unset. */
const char *test_env_or_skip(const char *name);
/* Path under $MLPOT_SHARED_DATA (skips when the folder does not exist). Static buffer. */
const char *test_shared_path(const char *relative);
/* The first frame of an n2p2 input.data (aborts the test on failure). */
mlpot_structure test_read_n2p2_first(const char *path);
/* Path under tests/data. Static buffer. */
const char *test_data_path(const char *relative);

/* Deterministic pseudo-random numbers for tests (xorshift), uniform in [0, 1). */
double test_random(unsigned long long *state);

/* n x n x n conventional diamond cells of lattice constant a, every atom of atomic number z, periodic. */
void test_diamond(mlpot_structure *s, int z, int n, double a);

/* Fills s with n atoms of the given species placed randomly in the cell at least dmin apart. */
void test_random_structure(mlpot_structure *s, int n, const int *species, int n_species,
                           const double *cell, const int pbc[3], double dmin,
                           unsigned long long seed);

/* Maximum |analytic - numeric| force component, central differences with step h (Å). */
double test_force_fd_error(const mlpot_potential *p, const mlpot_structure *s, double h,
                           double *max_force);
/* Maximum |analytic - numeric| virial component, from energies of homogeneously strained
 * copies (x -> (1+ε)x for positions and cell), step h. */
double test_virial_fd_error(const mlpot_potential *p, const mlpot_structure *s, double h,
                            double *max_virial);

/* The checks every potential gets: finite-difference forces (relative 1e-6) and virial, per-atom
 * energies and virials summing to the totals, zero net force, symmetric virial, rotation +
 * translation and permutation invariance, E(2x2x2) = 8E for periodic cells, and bitwise equal
 * results with one thread. */
void test_potential_physics(const mlpot_potential *p, const mlpot_structure *s, const char *what);

/* Energy of s under p (aborts on error). */
double test_energy(const mlpot_potential *p, const mlpot_structure *s);

/* Applies the rotation R (row-major) to positions and cell. */
void test_rotate(mlpot_structure *s, const double R[9]);
/* A rotation about a fixed generic axis by the angle (radians). */
void test_rotation_matrix(double angle, double R[9]);

#endif
