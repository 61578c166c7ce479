/* n2p2's settings file (input.nn): "keyword value..." lines, '#' starts a comment. Keywords may
 * repeat (symfunction_short, atom_energy). */
#ifndef MLPOT_MODELS_N2P2_SETTINGS_H
#define MLPOT_MODELS_N2P2_SETTINGS_H

#include "mlpot/status.h"

typedef struct n2p2_entry {
    char *keyword;
    char *value; /* the rest of the line, comment removed, trimmed */
    long line;
} n2p2_entry;

typedef struct n2p2_settings {
    char *path;
    int n;
    n2p2_entry *entries;
} n2p2_settings;

mlpot_status n2p2_settings_read(const char *path, n2p2_settings *s, mlpot_error *err);
void n2p2_settings_free(n2p2_settings *s);
/* The first entry with this keyword (or one of n2p2's alternative names), or NULL. */
const n2p2_entry *n2p2_settings_find(const n2p2_settings *s, const char *keyword);
/* Whether entry k is this keyword (or an alternative name of it). */
int n2p2_settings_is(const n2p2_settings *s, int k, const char *keyword);
/* Fails, naming the line and the nearest known keyword, on keywords n2p2 does not know. */
mlpot_status n2p2_settings_check_keywords(const n2p2_settings *s, mlpot_error *err);

#endif
