#include "core/nearest.h"

#include <string.h>

size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 64;
    size_t d[64][64];
    for (size_t i = 0; i <= la; ++i) d[i][0] = i;
    for (size_t j = 0; j <= lb; ++j) d[0][j] = j;
    for (size_t i = 1; i <= la; ++i)
        for (size_t j = 1; j <= lb; ++j) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

const char *nearest_word(const char *word, const char *const *candidates, size_t n, size_t max_distance)
{
    const char *best = NULL;
    size_t best_d = max_distance + 1;
    for (size_t k = 0; k < n; ++k) {
        size_t d = edit_distance(word, candidates[k]);
        if (d < best_d) best_d = d, best = candidates[k];
    }
    return best;
}
