/* QUIP GAP XML files (as gap_fit writes them), read with libxml2's streaming reader so that
 * large files (GAP-18 with its training data embedded) never sit in memory as a tree.
 *
 * What is read:
 *   <Potential init_args="IP GAP label=... [E_scale=...]"/>    (a Sum with core potentials
 *                                                               is refused)
 *   <GAP_params label=... gap_version=...>                      (absent version: 0, as QUIP)
 *     <GAP_data e0=... do_core=F> <e0 Z=.. value=../> ... </GAP_data>
 *     <gpSparse n_coordinate=.. fitted=T>
 *       <gpCoordinates dimensions signal_variance signal_mean sparsified=T n_permutations=1
 *                      covariance_type zeta n_sparseX [sparseX_filename]>
 *         <theta> θ_1 .. θ_d </theta>                            (ard_se; old dot-product files
 *                                                               keep ζ here)
 *         <descriptor> QUIP descriptor string </descriptor>
 *         <permutation i=1> .. </permutation>
 *         <sparseX i alpha sparseCutoff [sliced=T]> x ... </sparseX>, or with
 *           <sparseX_slice start end> x_start .. x_end </sparseX_slice> children, or empty when
 *           the values are in the sparseX_filename file (one value per line, point after point;
 *           found next to the XML file, else relative to the working directory)
 *   everything else (command_line, XYZ_data with the training set) is skipped. */
#include <libxml/xmlreader.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/memory.h"
#include "descriptors/soap_args.h"
#include "models/gap_model.h"

typedef struct xml_state {
    const char *path;
    xmlTextReaderPtr reader;
    gap_model *m;
    mlpot_error *err;
    mlpot_status st;
    char libxml_message[512];
    int libxml_line;
    /* where we are */
    int in_params, seen_params, in_data, in_sparse;
    gap_coordinate *c; /* current gpCoordinates */
    int c_line;
    int separate_file, have_zeta;
    int *filled;       /* per sparse point: values read, -1 before its <sparseX> */
    int sparse_i;      /* current sparseX (0-based), -1 outside */
    int sliced, slice_start, slice_end;
    /* text of the current element of interest */
    int collecting;
    char *text;
    size_t text_len, text_cap;
} xml_state;

#if LIBXML_VERSION >= 21200
static void on_libxml_error(void *arg, const xmlError *e)
#else
static void on_libxml_error(void *arg, xmlErrorPtr e)
#endif
{
    xml_state *x = arg;
    if (x->libxml_message[0] || !e) return;
    snprintf(x->libxml_message, sizeof x->libxml_message, "%s", e->message ? e->message : "malformed XML");
    x->libxml_message[strcspn(x->libxml_message, "\n")] = '\0';
    x->libxml_line = e->line;
}

/* The line of the current node (the parser itself may have read further). */
static int line_of(const xml_state *x)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(x->reader);
    long line = node ? xmlGetLineNo(node) : -1;
    return line > 0 ? (int)line : xmlTextReaderGetParserLineNumber(x->reader);
}

#define XML_FAIL(x, code, ...)                                                                          \
    do {                                                                                                 \
        char msg_[1200];                                                                                 \
        snprintf(msg_, sizeof msg_, __VA_ARGS__);                                                        \
        (x)->st = mlpot_fail((x)->err, (code), "%s:%d: %s", (x)->path, line_of(x), msg_);                \
    } while (0)

static const char *element_name(const xml_state *x)
{
    return (const char *)xmlTextReaderConstName(x->reader);
}

/* An attribute's value, trimmed, into buf; 0 when absent. */
static int attribute(xml_state *x, const char *name, char *buf, size_t size)
{
    char *v = (char *)xmlTextReaderGetAttribute(x->reader, (const xmlChar *)name);
    if (!v) return 0;
    const char *p = v;
    while (*p == ' ' || *p == '\t' || *p == '\n') ++p;
    snprintf(buf, size, "%s", p);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\n')) buf[--n] = '\0';
    xmlFree(v);
    return 1;
}

static int attr_real(xml_state *x, const char *name, double *out, int required)
{
    char v[256];
    if (!attribute(x, name, v, sizeof v)) {
        if (required) XML_FAIL(x, MLPOT_ERR_FORMAT, "<%s> lacks the %s attribute", element_name(x), name);
        return 0;
    }
    if (!quip_parse_real(v, out)) {
        XML_FAIL(x, MLPOT_ERR_FORMAT, "%s=\"%s\" is not a number", name, v);
        return 0;
    }
    return 1;
}

static int attr_long(xml_state *x, const char *name, long *out, int required)
{
    double v = 0;
    if (!attr_real(x, name, &v, required)) return 0;
    if (v != floor(v) || fabs(v) > 9e15) {
        XML_FAIL(x, MLPOT_ERR_FORMAT, "%s=%g is not an integer", name, v);
        return 0;
    }
    *out = (long)v;
    return 1;
}

static int attr_bool(xml_state *x, const char *name, int *out, int required)
{
    char v[64];
    if (!attribute(x, name, v, sizeof v)) {
        if (required) XML_FAIL(x, MLPOT_ERR_FORMAT, "<%s> lacks the %s attribute", element_name(x), name);
        return 0;
    }
    if (!quip_parse_bool(v, out)) {
        XML_FAIL(x, MLPOT_ERR_FORMAT, "%s=\"%s\" is not a logical (T or F)", name, v);
        return 0;
    }
    return 1;
}

static void start_text(xml_state *x)
{
    x->collecting = 1;
    x->text_len = 0;
    if (x->text) x->text[0] = '\0';
}

static void add_text(xml_state *x, const char *t)
{
    size_t n = strlen(t);
    if (x->text_len + n + 1 > x->text_cap) {
        size_t cap = 2 * (x->text_len + n + 1);
        char *b = realloc(x->text, cap);
        if (!b) {
            x->st = mlpot_fail_memory(x->err, "reading a GAP XML file");
            return;
        }
        x->text = b;
        x->text_cap = cap;
    }
    memcpy(x->text + x->text_len, t, n + 1);
    x->text_len += n;
}

/* Reads whitespace-separated reals from the collected text into out[0..count-1]. */
static void parse_values(xml_state *x, double *out, int count, const char *what)
{
    char *p = x->text ? x->text : (char *)"";
    int k = 0;
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') ++p;
        if (!*p) break;
        char *e = p;
        while (*e && *e != ' ' && *e != '\n' && *e != '\t' && *e != '\r') ++e;
        char save = *e;
        *e = '\0';
        double v;
        if (!quip_parse_real(p, &v)) {
            XML_FAIL(x, MLPOT_ERR_FORMAT, "%s: '%.40s' is not a number", what, p);
            return;
        }
        if (k < count) out[k] = v;
        ++k;
        *e = save;
        p = e;
    }
    if (k != count) XML_FAIL(x, MLPOT_ERR_FORMAT, "%s has %d values, expected %d", what, k, count);
}

static void read_separate_file(xml_state *x, const char *name)
{
    gap_coordinate *c = x->c;
    char path[4096];
    const char *slash = strrchr(x->path, '/');
    struct stat info;
    if (name[0] != '/' && slash) snprintf(path, sizeof path, "%.*s/%s", (int)(slash - x->path), x->path, name);
    else snprintf(path, sizeof path, "%s", name);
    if (stat(path, &info) != 0) snprintf(path, sizeof path, "%s", name);
    FILE *f = fopen(path, "r");
    if (!f) {
        XML_FAIL(x, MLPOT_ERR_IO, "cannot open the sparse-point file %.1000s (sparseX_filename)", path);
        return;
    }
    size_t total = (size_t)c->n_sparse * (size_t)c->d, k = 0;
    char word[128];
    while (fscanf(f, "%127s", word) == 1) {
        double v;
        if (!quip_parse_real(word, &v)) {
            fclose(f);
            x->st = mlpot_fail(x->err, MLPOT_ERR_FORMAT, "%s: value %zu ('%.40s') is not a number", path, k + 1, word);
            return;
        }
        if (k < total) c->sparse[k] = v;
        ++k;
    }
    fclose(f);
    if (k != total) {
        x->st = mlpot_fail(x->err, MLPOT_ERR_FORMAT, "%s: %zu values, but %d sparse points of dimension %d need %zu", path, k,
                           c->n_sparse, c->d, total);
        return;
    }
    for (int s = 0; s < c->n_sparse; ++s) x->filled[s] = c->d;
}

static void begin_coordinate(xml_state *x)
{
    if (!x->in_sparse) {
        XML_FAIL(x, MLPOT_ERR_FORMAT, "<gpCoordinates> outside <gpSparse>");
        return;
    }
    gap_coordinate *c = gap_model_add_coordinate(x->m);
    if (!c) {
        x->st = mlpot_fail_memory(x->err, "reading a GAP XML file");
        return;
    }
    x->c = c;
    x->c_line = line_of(x);
    long d = 0, type = 0, n_sparse = 0, n_perm = 1;
    int sparsified = 0;
    if (!attr_long(x, "dimensions", &d, 1) || !attr_real(x, "signal_variance", &c->delta, 1) ||
        !attr_bool(x, "sparsified", &sparsified, 1) || !attr_long(x, "covariance_type", &type, 1))
        return;
    attr_real(x, "signal_mean", &c->f0, 0);
    if (x->st) return;
    attr_long(x, "n_permutations", &n_perm, 0);
    if (x->st) return;
    x->have_zeta = attr_real(x, "zeta", &c->zeta, 0);
    if (x->st) return;
    static const char *const names[] = {"none", "ard_se", "dot_product", "bond_real_space", "pp (piecewise polynomial)"};
    if (type != GAP_KERNEL_ARD_SE && type != GAP_KERNEL_DOT_PRODUCT) {
        XML_FAIL(x, MLPOT_ERR_UNSUPPORTED, "covariance_type=%ld (%s) is not supported by mlpot (supported: ard_se, dot_product)",
                 type, type >= 0 && type <= 4 ? names[type] : "unknown");
        return;
    }
    c->kernel = (gap_kernel_kind)type;
    if (!sparsified) {
        XML_FAIL(x, MLPOT_ERR_UNSUPPORTED, "a full (not sparsified) GP is not supported; GAP models are sparsified");
        return;
    }
    if (n_perm != 1) {
        XML_FAIL(x, MLPOT_ERR_UNSUPPORTED,
                 "n_permutations=%ld: permutation-symmetrised kernels (of angle_3b, distance_Nb, ...) are not supported", n_perm);
        return;
    }
    if (!attr_long(x, "n_sparseX", &n_sparse, 1)) return;
    if (d < 1 || d > 100000000 || n_sparse < 0 || n_sparse > 100000000 || (double)d * (double)n_sparse > 4e9) {
        XML_FAIL(x, MLPOT_ERR_FORMAT, "implausible dimensions=%ld n_sparseX=%ld", d, n_sparse);
        return;
    }
    c->d = (int)d;
    c->n_sparse = (int)n_sparse;
    c->sparse = mlpot_calloc((size_t)d * (size_t)n_sparse + 1, sizeof *c->sparse);
    c->alpha = mlpot_calloc((size_t)n_sparse + 1, sizeof *c->alpha);
    c->sparse_cutoff = mlpot_calloc((size_t)n_sparse + 1, sizeof *c->sparse_cutoff);
    free(x->filled);
    x->filled = mlpot_calloc((size_t)n_sparse + 1, sizeof *x->filled);
    if (!c->sparse || !c->alpha || !c->sparse_cutoff || !x->filled) {
        x->st = mlpot_fail(x->err, MLPOT_ERR_MEMORY, "%s: out of memory for %ld sparse points of dimension %ld", x->path,
                           n_sparse, d);
        return;
    }
    for (long s = 0; s < n_sparse; ++s) x->filled[s] = -1;
    char file[2048];
    x->separate_file = attribute(x, "sparseX_filename", file, sizeof file);
    if (x->separate_file) read_separate_file(x, file);
}

static void end_coordinate(xml_state *x)
{
    gap_coordinate *c = x->c;
    if (!c->descriptor_string) {
        x->st = mlpot_fail(x->err, MLPOT_ERR_FORMAT, "%s:%d: <gpCoordinates> without a <descriptor>", x->path, x->c_line);
        return;
    }
    if (c->kernel == GAP_KERNEL_DOT_PRODUCT && !x->have_zeta) {
        if (c->theta) c->zeta = c->theta[0]; /* old files kept ζ in theta */
        else {
            x->st = mlpot_fail(x->err, MLPOT_ERR_FORMAT, "%s:%d: dot-product kernel without zeta", x->path, x->c_line);
            return;
        }
    }
    if (c->kernel == GAP_KERNEL_ARD_SE && !c->theta) {
        x->st = mlpot_fail(x->err, MLPOT_ERR_FORMAT, "%s:%d: ard_se kernel without <theta>", x->path, x->c_line);
        return;
    }
    for (int s = 0; s < c->n_sparse; ++s) {
        if (x->filled[s] < 0) {
            x->st = mlpot_fail(x->err, MLPOT_ERR_FORMAT, "%s:%d: sparse point %d of %d is missing", x->path, x->c_line, s + 1,
                               c->n_sparse);
            return;
        }
        if (x->filled[s] != c->d) {
            x->st = mlpot_fail(x->err, MLPOT_ERR_FORMAT, "%s:%d: sparse point %d has %d of its %d values", x->path, x->c_line,
                               s + 1, x->filled[s], c->d);
            return;
        }
    }
    x->c = NULL;
}

static void start_potential(xml_state *x)
{
    char *init = (char *)xmlTextReaderGetAttribute(x->reader, (const xmlChar *)"init_args");
    if (!init) return;
    quip_args a;
    if (quip_args_parse(init, 1, x->path, &a, x->err)) {
        x->st = MLPOT_ERR_FORMAT;
    } else {
        int is_gap = a.name && !strcasecmp(a.name, "IP") && quip_args_get(&a, "GAP");
        if (!is_gap)
            XML_FAIL(x, MLPOT_ERR_UNSUPPORTED,
                     "init_args=\"%.300s\": mlpot reads plain GAP models (IP GAP); a Sum with core potentials (glue, "
                     "ZBL, ...) would lose its other terms",
                     init);
        else if (quip_args_real(&a, "E_scale", &x->m->energy_scale, NULL, x->err))
            x->st = MLPOT_ERR_FORMAT;
        quip_args_free(&a);
    }
    xmlFree(init);
}

static void start_element(xml_state *x, const char *name, int empty)
{
    gap_model *m = x->m;
    if (!strcmp(name, "Potential")) {
        start_potential(x);
    } else if (!strcmp(name, "GAP_params")) {
        if (x->seen_params) {
            XML_FAIL(x, MLPOT_ERR_UNSUPPORTED, "several <GAP_params> in one file are not supported");
            return;
        }
        x->seen_params = x->in_params = 1;
        if (!attr_long(x, "gap_version", &m->gap_version, 0)) m->gap_version = 0;
        char label[512];
        if (attribute(x, "label", label, sizeof label)) {
            free(m->label);
            m->label = mlpot_strdup(label);
        }
    } else if (!x->in_params) {
        return; /* the root element and anything outside GAP_params */
    } else if (!strcmp(name, "GAP_data")) {
        x->in_data = !empty;
        double e0;
        if (attr_real(x, "e0", &e0, 0))
            for (int z = 0; z <= MLPOT_MAX_ELEMENT; ++z) m->e0[z] = e0;
        int flag = 0;
        if (!x->st && attr_bool(x, "do_core", &flag, 0) && flag)
            XML_FAIL(x, MLPOT_ERR_UNSUPPORTED, "do_core=T: GAP models with a core potential are not supported");
        if (!x->st && attr_bool(x, "do_pca", &flag, 0) && flag)
            XML_FAIL(x, MLPOT_ERR_UNSUPPORTED, "do_pca=T: GAP models on PCA-transformed descriptors are not supported");
    } else if (!strcmp(name, "e0")) {
        long z = 0;
        double v = 0;
        if (!x->in_data) XML_FAIL(x, MLPOT_ERR_FORMAT, "<e0> outside <GAP_data>");
        else if (attr_long(x, "Z", &z, 1) && attr_real(x, "value", &v, 1)) {
            if (z < 1 || z > MLPOT_MAX_ELEMENT) XML_FAIL(x, MLPOT_ERR_FORMAT, "<e0> for Z=%ld", z);
            else m->e0[z] = v;
        }
    } else if (!strcmp(name, "gpSparse")) {
        int fitted = 1;
        attr_bool(x, "fitted", &fitted, 0);
        if (!x->st && !fitted) XML_FAIL(x, MLPOT_ERR_FORMAT, "the GAP model has not been fitted (fitted=F)");
        x->in_sparse = !empty;
    } else if (!strcmp(name, "gpCoordinates")) {
        if (x->c) XML_FAIL(x, MLPOT_ERR_FORMAT, "nested <gpCoordinates>");
        else begin_coordinate(x);
    } else if (!x->c) {
        return;
    } else if (!strcmp(name, "theta") || !strcmp(name, "descriptor")) {
        start_text(x);
    } else if (!strcmp(name, "sparseX")) {
        long i = 0;
        gap_coordinate *c = x->c;
        if (!attr_long(x, "i", &i, 1)) return;
        if (i < 1 || i > c->n_sparse) {
            XML_FAIL(x, MLPOT_ERR_FORMAT, "<sparseX i=%ld> but n_sparseX=%d", i, c->n_sparse);
            return;
        }
        if (x->filled[i - 1] >= 0 && !x->separate_file) {
            XML_FAIL(x, MLPOT_ERR_FORMAT, "sparse point %ld appears twice", i);
            return;
        }
        if (!attr_real(x, "alpha", &c->alpha[i - 1], 1) || !attr_real(x, "sparseCutoff", &c->sparse_cutoff[i - 1], 1)) return;
        x->sparse_i = (int)i - 1;
        x->sliced = 0;
        attr_bool(x, "sliced", &x->sliced, 0);
        if (x->st) return;
        if (!x->separate_file) x->filled[i - 1] = 0;
        if (!x->sliced && !x->separate_file) start_text(x);
    } else if (!strcmp(name, "sparseX_slice")) {
        long a = 0, b = 0;
        if (x->sparse_i < 0 || !x->sliced || x->separate_file) {
            XML_FAIL(x, MLPOT_ERR_FORMAT, "<sparseX_slice> outside a sliced <sparseX>");
            return;
        }
        if (!attr_long(x, "start", &a, 1) || !attr_long(x, "end", &b, 1)) return;
        if (a < 1 || b < a || b > x->c->d) {
            XML_FAIL(x, MLPOT_ERR_FORMAT, "<sparseX_slice start=%ld end=%ld> outside 1..%d", a, b, x->c->d);
            return;
        }
        x->slice_start = (int)a;
        x->slice_end = (int)b;
        start_text(x);
    } else if (!strcmp(name, "x") || !strcmp(name, "xPrime")) {
        XML_FAIL(x, MLPOT_ERR_UNSUPPORTED, "<%s>: full (not sparsified) GP data is not supported", name);
    }
}

static void end_element(xml_state *x, const char *name)
{
    if (!strcmp(name, "GAP_params")) {
        x->in_params = 0;
        return;
    }
    if (!x->in_params) return;
    if (!strcmp(name, "GAP_data")) {
        x->in_data = 0;
    } else if (!strcmp(name, "gpSparse")) {
        x->in_sparse = 0;
    } else if (!x->c) {
        return;
    } else if (!strcmp(name, "gpCoordinates")) {
        end_coordinate(x);
    } else if (!strcmp(name, "descriptor") && x->collecting) {
        x->collecting = 0;
        char *t = x->text ? x->text : (char *)"";
        while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r') ++t;
        size_t n = strlen(t);
        while (n && (t[n - 1] == ' ' || t[n - 1] == '\n' || t[n - 1] == '\t' || t[n - 1] == '\r')) --n;
        for (size_t k = 0; k < n; ++k)
            if (t[k] == '\n' || t[k] == '\r' || t[k] == '\t') t[k] = ' ';
        free(x->c->descriptor_string);
        x->c->descriptor_string = mlpot_strndup(t, n);
        if (!x->c->descriptor_string) x->st = mlpot_fail_memory(x->err, "reading a GAP XML file");
    } else if (!strcmp(name, "theta") && x->collecting) {
        x->collecting = 0;
        gap_coordinate *c = x->c;
        if (c->kernel == GAP_KERNEL_DOT_PRODUCT && x->have_zeta) return; /* ζ is an attribute */
        int count = c->kernel == GAP_KERNEL_ARD_SE ? c->d : 1;
        free(c->theta);
        c->theta = mlpot_calloc((size_t)count, sizeof *c->theta);
        if (!c->theta) {
            x->st = mlpot_fail_memory(x->err, "reading a GAP XML file");
            return;
        }
        parse_values(x, c->theta, count, "<theta>");
    } else if (!strcmp(name, "sparseX_slice") && x->collecting) {
        x->collecting = 0;
        gap_coordinate *c = x->c;
        int count = x->slice_end - x->slice_start + 1;
        parse_values(x, c->sparse + (size_t)x->sparse_i * c->d + (x->slice_start - 1), count, "<sparseX_slice>");
        x->filled[x->sparse_i] += count;
    } else if (!strcmp(name, "sparseX")) {
        gap_coordinate *c = x->c;
        if (x->collecting && x->sparse_i >= 0) {
            x->collecting = 0;
            parse_values(x, c->sparse + (size_t)x->sparse_i * c->d, c->d, "<sparseX>");
            x->filled[x->sparse_i] = c->d;
        }
        x->sparse_i = -1;
    }
}

static int skipped(const char *name)
{
    return !strcmp(name, "XYZ_data") || !strcmp(name, "command_line");
}

mlpot_status gap_xml_read(const char *path, gap_model *m, mlpot_error *err)
{
    xml_state x;
    memset(&x, 0, sizeof x);
    x.path = path;
    x.m = m;
    x.err = err;
    x.sparse_i = -1;
    FILE *probe = fopen(path, "rb");
    if (!probe) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open", path);
    fclose(probe);
    x.reader = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_BIG_LINES | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!x.reader) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open as XML", path);
    xmlTextReaderSetStructuredErrorHandler(x.reader, on_libxml_error, &x);
    int ret = xmlTextReaderRead(x.reader);
    while (!x.st && ret == 1) {
        int type = xmlTextReaderNodeType(x.reader);
        const char *name = (const char *)xmlTextReaderConstName(x.reader);
        if (type == XML_READER_TYPE_ELEMENT && skipped(name)) {
            ret = xmlTextReaderNext(x.reader); /* the training data and gap_fit's command line */
            continue;
        }
        if (type == XML_READER_TYPE_ELEMENT) {
            int empty = xmlTextReaderIsEmptyElement(x.reader);
            start_element(&x, name, empty);
            if (empty && !x.st) end_element(&x, name);
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            end_element(&x, name);
        } else if (x.collecting && (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                                    type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)) {
            const char *v = (const char *)xmlTextReaderConstValue(x.reader);
            if (v) add_text(&x, v);
        }
        ret = xmlTextReaderRead(x.reader);
    }
    if (!x.st && ret != 0)
        x.st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%d: malformed XML: %s", path, x.libxml_line ? x.libxml_line : line_of(&x),
                          x.libxml_message[0] ? x.libxml_message : "parse error");
    if (!x.st && !x.seen_params)
        x.st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no <GAP_params> element: not a GAP model", path);
    if (!x.st && x.c) x.st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%d: unterminated <gpCoordinates>", path, x.c_line);
    if (!x.st && m->n_coordinates == 0)
        x.st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no <gpCoordinates>: the GAP model has no descriptors", path);
    xmlFreeTextReader(x.reader);
    free(x.text);
    free(x.filled);
    return x.st;
}
