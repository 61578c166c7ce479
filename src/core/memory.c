#include "core/memory.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *mlpot_calloc(size_t count, size_t size)
{
    if (count == 0 || size == 0) return calloc(1, 1);
    if (count > SIZE_MAX / size) return NULL;
    return calloc(count, size);
}

void *mlpot_realloc(void *p, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    size_t bytes = count * size;
    return realloc(p, bytes ? bytes : 1);
}

char *mlpot_strndup(const char *s, size_t n)
{
    if (!s) return NULL;
    char *c = malloc(n + 1);
    if (!c) return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

char *mlpot_strdup(const char *s)
{
    return s ? mlpot_strndup(s, strlen(s)) : NULL;
}
