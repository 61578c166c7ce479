/* QUIP-style argument strings: "name key=value key={a b c} key="x y" flag ...".
 *
 * Used for QUIP descriptor strings (soap, distance_2b) as they appear in GAP XML files and on
 * gap_fit command lines, so that published hyperparameters carry over unchanged. The rules are
 * QUIP's: keys are case-insensitive, a key without '=' means key=T, lists are in braces,
 * logicals are T/F (also true/false, .true./.false.), reals may use Fortran's D exponent. A key
 * given twice takes its last value. */
#ifndef MLPOT_DESCRIPTORS_SOAP_ARGS_H
#define MLPOT_DESCRIPTORS_SOAP_ARGS_H

#include "mlpot/status.h"

typedef struct quip_args {
    char *buffer;  /* owned copy that the pointers below point into */
    char *name;    /* first word when the string has one (e.g. "soap"), else NULL */
    int n;
    char **keys;
    char **values;
    int *used;
    const char *context; /* for messages, e.g. "model.xml:146" (not owned) */
} quip_args;

/* Parses text. With has_name, the first word (without '=') is the descriptor name. */
mlpot_status quip_args_parse(const char *text, int has_name, const char *context, quip_args *a,
                             mlpot_error *err);
void quip_args_free(quip_args *a);

/* Raw value of key (marking it used), NULL when absent. */
const char *quip_args_get(quip_args *a, const char *key);
/* Typed values; *given (may be NULL) tells whether the key was present. The fallback is kept
 * when it is absent. Malformed values are MLPOT_ERR_FORMAT errors naming key and context. */
mlpot_status quip_args_real(quip_args *a, const char *key, double *out, int *given,
                            mlpot_error *err);
mlpot_status quip_args_int(quip_args *a, const char *key, int *out, int *given, mlpot_error *err);
mlpot_status quip_args_long(quip_args *a, const char *key, long *out, int *given,
                            mlpot_error *err);
mlpot_status quip_args_bool(quip_args *a, const char *key, int *out, int *given,
                            mlpot_error *err);
/* Up to max whitespace-separated values ("{1 6 8}" or "14"); *count is how many. */
mlpot_status quip_args_int_list(quip_args *a, const char *key, int *out, int max, int *count,
                                mlpot_error *err);
mlpot_status quip_args_real_list(quip_args *a, const char *key, double *out, int max,
                                 int *count, mlpot_error *err);

/* Fails on the first key that was neither used nor listed in `ignored` (NULL-terminated),
 * naming it: a typo must not silently change a model. */
mlpot_status quip_args_finish(const quip_args *a, const char *const *ignored, mlpot_error *err);

/* Number parsing shared with the GAP readers: Fortran reals (".5", "1.0E+001", "1.0D-3"). */
int quip_parse_real(const char *text, double *out);
/* Fortran logicals: T/F, true/false, .true./.false. (case-insensitive); 1 on success. */
int quip_parse_bool(const char *text, int *out);

/* The keys gap_fit adds to a descriptor string (fit settings, not descriptor parameters). */
extern const char *const quip_gap_fit_keys[];

#endif
