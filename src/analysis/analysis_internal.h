/* Helpers shared by the trajectory analyses. */
#ifndef MLPOT_ANALYSIS_INTERNAL_H
#define MLPOT_ANALYSIS_INTERNAL_H

#include "mlpot/analysis.h"

/* The species to analyse (the listed ones, or every species of t when n_species is 0), atoms
 * of each, and each atom's index in that list (-1: not analysed). Arrays are allocated here and
 * freed by the caller, also on failure. MLPOT_ERR_ARGUMENT for a species t lacks. */
mlpot_status analysis_select_species(const mlpot_trajectory *t, const int *species, int n_species, int **selected,
                                     int **count, int *n_selected, int **species_of_atom, mlpot_error *err);

/* Frames in one block when each segment is cut into `blocks` equal parts (the shortest). */
long analysis_block_frames(const mlpot_trajectory *t, int blocks);

/* Standard deviation of the n values divided by sqrt(n) (NAN values make it NAN). */
double analysis_standard_error(const double *values, int n);

/* Adds x(t0)·x(t0 + lag) over the origins t0 of one series into sum[lag], and the origin count
 * into origins[lag] (series of several runs accumulate into the same sums). */
void analysis_acf_accumulate(const double *x, long n_frames, int dim, long n_lags, double *sum, double *origins);

#endif
