/* Symbol visibility for the shared library: only what carries MLPOT_API is exported. */
#ifndef MLPOT_EXPORT_H
#define MLPOT_EXPORT_H

#if defined(__GNUC__) && defined(MLPOT_BUILDING)
#define MLPOT_API __attribute__((visibility("default")))
#else
#define MLPOT_API
#endif

#endif
