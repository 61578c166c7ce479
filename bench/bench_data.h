/* Where the benchmarks find ../shared/data: $MLPOT_SHARED_DATA, else next to the source tree. */
#ifndef MLPOT_BENCH_DATA_H
#define MLPOT_BENCH_DATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The n2p2 water model folder (nnp-predict/H2O_RPBE-D3). Static buffer. */
static inline const char *bench_water_folder(void)
{
    static char path[4096];
    const char *shared = getenv("MLPOT_SHARED_DATA");
    if (shared) {
        snprintf(path, sizeof path, "%s/n2p2/examples/nnp-predict/H2O_RPBE-D3", shared);
        return path;
    }
    /* this header is <source>/bench/bench_data.h; the data lives in <source>/../shared/data */
    snprintf(path, sizeof path, "%s", __FILE__);
    char *slash = strrchr(path, '/');
    if (slash) *slash = '\0';
    strncat(path, "/../../shared/data/n2p2/examples/nnp-predict/H2O_RPBE-D3", sizeof path - strlen(path) - 1);
    return path;
}

#endif
