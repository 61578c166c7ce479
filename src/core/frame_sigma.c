#include "core/frame_sigma.h"

#include <math.h>
#include <stdlib.h>

const char *const frame_sigma_keys[3] = {"energy_sigma", "force_sigma", "virial_sigma"};

int frame_sigma_read(const mlpot_structure *s, double sigma[3])
{
    int own = 0;
    for (int k = 0; k < 3; ++k) {
        const char *v = mlpot_structure_info(s, frame_sigma_keys[k]);
        if (!v) continue;
        char *end;
        const double x = strtod(v, &end);
        if (end == v || *end || !(x > 0) || !isfinite(x)) return -1 - k;
        sigma[k] = x, own |= 1 << k;
    }
    return own;
}
