/* n2p2's settings file (input.nn): "keyword value..." lines; '#' and '!' start comments.
 * Keywords may repeat only where n2p2 allows it (symfunction_short, atom_energy, ...). Used by
 * the ACSF descriptor (the symmetry-function definitions), the n2p2 model (everything) and the
 * trainer (symmetry functions of an existing model). */
#ifndef MLPOT_IO_N2P2_SETTINGS_H
#define MLPOT_IO_N2P2_SETTINGS_H

#include "mlpot/status.h"

typedef struct n2p2_entry {
    char *keyword;
    char *value; /* the rest of the line, comment removed, trimmed */
    long line;
} n2p2_entry;

typedef struct n2p2_settings {
    char *path;  /* for messages */
    int n;
    n2p2_entry *entries;
} n2p2_settings;

/* Reads a settings file, or settings text given in memory (`name` is used in messages). */
mlpot_status n2p2_settings_read(const char *path, n2p2_settings *s, mlpot_error *err);
mlpot_status n2p2_settings_parse(const char *text, const char *name, n2p2_settings *s, mlpot_error *err);
void n2p2_settings_free(n2p2_settings *s);

/* The first entry with this keyword (or one of n2p2's alternative names), or NULL. */
const n2p2_entry *n2p2_settings_find(const n2p2_settings *s, const char *keyword);
/* Whether entry k is this keyword (or an alternative name of it). */
int n2p2_settings_is(const n2p2_settings *s, int k, const char *keyword);

/* Checks what n2p2 checks, more strictly: keywords it does not know fail (naming the line and
 * the nearest known keyword) unless ignore_unknown; keywords given twice where n2p2 allows one
 * fail, as do two spellings of one keyword. */
mlpot_status n2p2_settings_check(const n2p2_settings *s, int ignore_unknown, mlpot_error *err);

#endif
