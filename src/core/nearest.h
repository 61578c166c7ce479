/* "Did you mean ...?": the candidate nearest to a misspelt word. */
#ifndef MLPOT_CORE_NEAREST_H
#define MLPOT_CORE_NEAREST_H

#include <stddef.h>

/* Levenshtein distance (words longer than 63 characters count as far from everything). */
size_t edit_distance(const char *a, const char *b);
/* The candidate at the smallest edit distance from word if that distance is at most
 * max_distance, else NULL. */
const char *nearest_word(const char *word, const char *const *candidates, size_t n, size_t max_distance);

#endif
