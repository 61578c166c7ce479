/* Functions compiled several times, for AVX-512, for AVX2 with FMA and for the baseline, the
 * best chosen at load time (not under sanitizers, whose runtime does not support the
 * resolver). ISO C mode does not contract a·b + c into an FMA, so element-wise loops give the
 * same bits in every version; only explicit fma() calls or reassociated sums would differ. */
#ifndef MLPOT_CORE_VECTOR_CLONES_H
#define MLPOT_CORE_VECTOR_CLONES_H

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define MLPOT_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2,fma", "default")))
#else
#define MLPOT_TARGET_CLONES
#endif

#endif
