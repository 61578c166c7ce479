/* mlpot convert: structures from one format (and unit system) to another. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/io_options.h"

static void convert_usage(FILE *f)
{
    fprintf(f, "usage: mlpot convert [options] INPUT OUTPUT\n"
               "\n"
               "Reads every frame of INPUT and writes it to OUTPUT (\"-\" for standard output),\n"
               "atomically: OUTPUT appears only when the conversion succeeded.\n"
               "\n"
               "options:\n" CLI_IO_HELP
               "  -h, --help                 this help\n"
               "\n"
               "exit codes: 0 success, 1 failure while writing, 2 bad usage or input\n");
}

int cli_convert(int argc, char **argv)
{
    static const struct option options[] = {CLI_IO_LONG_OPTIONS, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    mlpot_io_options in, out;
    mlpot_io_options_default(&in);
    mlpot_io_options_default(&out);
    mlpot_error err;
    mlpot_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'h') {
            convert_usage(stdout);
            return CLI_EXIT_OK;
        }
        int used = cli_io_option(c, optarg, &in, &out, &err);
        if (used < 0) return cli_report(&err);
        if (!used) {
            convert_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "mlpot convert: expected INPUT and OUTPUT\n");
        convert_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    mlpot_reader *r;
    if (mlpot_reader_open(argv[optind], &in, &r, &err)) return cli_report(&err);
    mlpot_writer *w;
    if (mlpot_writer_open(argv[optind + 1], &out, &w, &err)) {
        mlpot_reader_close(r);
        return cli_report(&err);
    }
    mlpot_structure s;
    mlpot_structure_init(&s);
    long frames = 0;
    int code = CLI_EXIT_OK;
    for (;;) {
        int done = 0;
        if (mlpot_reader_next(r, &s, &done, &err)) {
            code = cli_report(&err);
            break;
        }
        if (done) break;
        if (mlpot_writer_write(w, &s, &err)) {
            code = cli_report(&err);
            break;
        }
        ++frames;
    }
    mlpot_structure_free(&s);
    mlpot_reader_close(r);
    if (code == CLI_EXIT_OK) {
        if (mlpot_writer_commit(w, &err)) return cli_report(&err);
        fprintf(stderr, "mlpot convert: %ld frames\n", frames);
    } else {
        mlpot_writer_abort(w);
    }
    return code;
}
