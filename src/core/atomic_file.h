/* Files that appear under their name only when complete: written into a hidden temporary file
 * beside the target, flushed to disk, then renamed over it (rename is atomic within a folder).
 * An interrupted run leaves the previous file, never a truncated one. */
#ifndef MLPOT_CORE_ATOMIC_FILE_H
#define MLPOT_CORE_ATOMIC_FILE_H

#include <stdio.h>

#include "mlpot/status.h"

typedef struct atomic_file {
    FILE *file;      /* write here */
    char *path;      /* the target */
    char *temporary; /* the file being written */
} atomic_file;

mlpot_status atomic_file_open(atomic_file *a, const char *path, mlpot_error *err);
/* Flushes, syncs and renames onto the target; on failure removes the temporary file. Either
 * way the handle is released. */
mlpot_status atomic_file_commit(atomic_file *a, mlpot_error *err);
/* Removes the temporary file and releases the handle (error paths; safe on a zeroed handle). */
void atomic_file_abort(atomic_file *a);

/* A process killed while writing leaves its hidden temporary behind (".NAME.XXXXXX", mkstemp's
 * six letters or digits). atomic_file_sweep removes those of one target path; the folder form
 * removes those of every file present in a folder the program owns (a model folder), and
 * nothing else. Both return how many they removed; for a resumed run, before it writes again
 * (and for the folder once more when it has written its files). */
int atomic_file_sweep(const char *path);
int atomic_file_sweep_folder(const char *folder);

#endif
