#include "core/atomic_file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/memory.h"

mlpot_status atomic_file_open(atomic_file *a, const char *path, mlpot_error *err)
{
    memset(a, 0, sizeof *a);
    a->path = mlpot_strdup(path);
    a->temporary = malloc(strlen(path) + 16);
    if (!a->path || !a->temporary) {
        atomic_file_abort(a);
        return mlpot_fail_memory(err, "opening a file");
    }
    /* hidden temporary in the same folder, so that the final rename is atomic */
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    sprintf(a->temporary, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
    int fd = mkstemp(a->temporary);
    if (fd < 0) {
        mlpot_status st = mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot create a file there: %s", path, strerror(errno));
        free(a->temporary);
        a->temporary = NULL;
        atomic_file_abort(a);
        return st;
    }
    /* mkstemp makes the file private (0600); the finished file should look like any other the
     * user writes: the mode of the file it replaces, else rw-r--r-- (umask cannot be read
     * without changing it, which is not thread-safe) */
    struct stat old;
    fchmod(fd, stat(path, &old) == 0 ? (old.st_mode & 07777) : 0644);
    if (!(a->file = fdopen(fd, "w"))) {
        close(fd);
        atomic_file_abort(a);
        return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open for writing", path);
    }
    return MLPOT_OK;
}

mlpot_status atomic_file_commit(atomic_file *a, mlpot_error *err)
{
    mlpot_status st = MLPOT_OK;
    if (fflush(a->file) != 0 || ferror(a->file) || fsync(fileno(a->file)) != 0)
        st = mlpot_fail(err, MLPOT_ERR_IO, "%s: write error: %s", a->path, strerror(errno));
    if (fclose(a->file) != 0 && !st) st = mlpot_fail(err, MLPOT_ERR_IO, "%s: write error: %s", a->path, strerror(errno));
    a->file = NULL;
    if (!st && rename(a->temporary, a->path) != 0)
        st = mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot rename the finished file into place: %s", a->path,
                        strerror(errno));
    if (st) {
        atomic_file_abort(a);
        return st;
    }
    free(a->temporary);
    free(a->path);
    memset(a, 0, sizeof *a);
    return MLPOT_OK;
}

void atomic_file_abort(atomic_file *a)
{
    if (a->file) fclose(a->file);
    if (a->temporary) unlink(a->temporary);
    free(a->temporary);
    free(a->path);
    memset(a, 0, sizeof *a);
}

/* Whether name is ".target.XXXXXX" with six letters or digits, for a target given (or any name
 * when target is NULL, then written into found) */
static int is_temporary_of(const char *name, const char *target, char *found, size_t size)
{
    const size_t n = strlen(name);
    if (n < 9 || name[0] != '.' || name[n - 7] != '.') return 0;
    for (size_t k = n - 6; k < n; ++k)
        if (!isalnum((unsigned char)name[k])) return 0;
    const size_t stem = n - 8; /* the target's name between the dots */
    if (target) return strlen(target) == stem && !strncmp(name + 1, target, stem);
    if (stem + 1 > size) return 0;
    memcpy(found, name + 1, stem), found[stem] = '\0';
    return 1;
}

/* Removes the temporaries in folder of target (NULL: of any file present in folder). */
static int sweep(const char *folder, const char *target)
{
    DIR *dir = opendir(folder);
    if (!dir) return 0;
    int removed = 0;
    char stem[1024], path[4096];
    for (struct dirent *e = readdir(dir); e; e = readdir(dir)) {
        if (!is_temporary_of(e->d_name, target, stem, sizeof stem)) continue;
        struct stat info;
        if (!target) { /* only beside the file it was to become */
            snprintf(path, sizeof path, "%s/%s", folder, stem);
            if (stat(path, &info) != 0 || !S_ISREG(info.st_mode)) continue;
        }
        snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
        if (lstat(path, &info) == 0 && S_ISREG(info.st_mode) && unlink(path) == 0) removed++;
    }
    closedir(dir);
    return removed;
}

int atomic_file_sweep(const char *path)
{
    if (!path || !*path) return 0;
    const char *slash = strrchr(path, '/');
    if (!slash) return sweep(".", path);
    char folder[4096];
    snprintf(folder, sizeof folder, "%.*s", (int)(slash - path), path);
    return sweep(slash == path ? "/" : folder, slash + 1);
}

int atomic_file_sweep_folder(const char *folder)
{
    return folder && *folder ? sweep(folder, NULL) : 0;
}
