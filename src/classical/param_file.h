/* LAMMPS-style parameter files (.sw, .tersoff): '#' starts a comment, entries are fixed
 * numbers of whitespace-separated words that may span lines. */
#ifndef MLPOT_CLASSICAL_PARAM_FILE_H
#define MLPOT_CLASSICAL_PARAM_FILE_H

#include "mlpot/status.h"

typedef struct param_file {
    char *path;
    int n_words;
    char **words;
    long *lines; /* line of each word */
    int next;
} param_file;

mlpot_status param_file_read(const char *path, param_file *pf, mlpot_error *err);
void param_file_free(param_file *pf);
/* Takes the next entry of n words; *done when no words are left. A partial entry at the end
 * of the file is an error naming its line. */
mlpot_status param_file_entry(param_file *pf, int n, char ***words, long *line, int *done,
                              mlpot_error *err);
/* Parses word k of the current entry as a finite number (error names file, line, field). */
mlpot_status param_file_number(const param_file *pf, char **words, long line, int k,
                               const char *name, double *out, mlpot_error *err);

#endif
