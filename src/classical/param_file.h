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

/* For three-body files where some element triplets may be missing (e.g. SiCGe.tersoff has no
 * C-Ge entries): fails, naming the first missing triplet, when the elements present in s need
 * an entry that `seen` (n_el³, index (i n + j) n + k) lacks. index maps atomic numbers to
 * element indices; z the reverse. */
#include "mlpot/classical.h"
#include "mlpot/structure.h"
/* The element (atomic number, 0 for none) a file label stands for under the mapping. */
mlpot_status label_element(const char *label, const mlpot_element_label *labels, int n_labels,
                           int *z, const char *path, long line, mlpot_error *err);

mlpot_status param_triplets_check(const char *seen, int n_el, const int *index, const int *z,
                                  const mlpot_structure *s, const char *style, const char *path,
                                  mlpot_error *err);

#endif
