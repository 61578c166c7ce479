/* Detects the kind of a model file or folder and hands it to its loader. */
#include <sys/stat.h>

#include "core/error.h"
#include "potential/spec.h"

mlpot_status mlpot_model_load_path(const char *path, mlpot_spec_args *args, mlpot_potential **out,
                                   mlpot_error *err)
{
    (void)args;
    *out = NULL;
    struct stat info;
    if (stat(path, &info) != 0)
        return mlpot_fail(err, MLPOT_ERR_IO, "%s: no such file or folder", path);
    return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                      "%s: not a model mlpot recognises (expected an n2p2 folder with input.nn, "
                      "a GAP XML file or an mlpot model file)",
                      path);
}
