/* Internal allocation helpers that check for size overflow. */
#ifndef MLPOT_CORE_MEMORY_H
#define MLPOT_CORE_MEMORY_H

#include <stddef.h>

/* calloc/realloc of count elements of size bytes, NULL on overflow or failure. */
void *mlpot_calloc(size_t count, size_t size);
void *mlpot_realloc(void *p, size_t count, size_t size);
/* malloc'ed copy of s (NULL for NULL or on failure). */
char *mlpot_strdup(const char *s);
/* malloc'ed copy of the first n bytes of s, NUL-terminated. */
char *mlpot_strndup(const char *s, size_t n);

#endif
