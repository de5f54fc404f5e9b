/* `husk version`: docker's Client and Server sections, both husk itself
 * (there is no daemon), as text or through --format. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "../util/cleanup.h"
#include "cli.h"
#include "template.h"

static const struct cli_option version_options[] = {
    {{"format", required_argument, NULL, 'f'},
     'f',
     "TEMPLATE",
     "a Go template, e.g. '{{.Client.Version}}', or json"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_version_help = {
    .usage = "version [OPTIONS]",
    .summary = "Show husk's version, and the kernel it runs on.\n",
    .options = version_options,
};

static json_t *version_document(void)
{
    struct utsname host;
    uname(&host);
    const char *arch = strcmp(host.machine, "x86_64") == 0    ? "amd64"
                       : strcmp(host.machine, "aarch64") == 0 ? "arm64"
                                                              : host.machine;
    return json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}}", "Client", "Version",
                     HUSK_VERSION, "Os", "linux", "Arch", arch, "Server", "Version", HUSK_VERSION,
                     "Os", "linux", "Arch", arch, "KernelVersion", host.release, "Runtime",
                     "husk (built in, no daemon)");
}

static int print_version(json_t *document, const char *format, husk_error_t *err)
{
    if (format != NULL && strcmp(format, "json") == 0) {
        cleanup_free char *text = json_dumps(document, JSON_COMPACT);
        printf("%s\n", text);
        return 0;
    }
    if (format != NULL) {
        struct template *template;
        cleanup_free char *text = NULL;
        if (template_parse(format, &template, err) < 0)
            return -1;
        int rc = template_execute(template, document, &text, err);
        template_free(template);
        if (rc == 0)
            printf("%s\n", text);
        return rc;
    }
    json_t *server = json_object_get(document, "Server");
    printf("Client:\n Version:\t%s\n OS/Arch:\tlinux/%s\n\nServer: husk (no daemon: the same "
           "binary)\n Version:\t%s\n Kernel:\t%s\n",
           HUSK_VERSION, json_string_value(json_object_get(server, "Arch")), HUSK_VERSION,
           json_string_value(json_object_get(server, "KernelVersion")));
    return 0;
}

int cli_version(const struct engine_context *context, int argc, char **argv)
{
    (void)context;
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, version_options, "+:");
    opterr = 0;
    optind = 0;
    const char *format = NULL;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'H')
            return cli_help_print(&cli_version_help, stdout), 0;
        if (option != 'f') {
            cli_usage_error(&err, "version", "unknown flag %s", argv[optind - 1]);
            return cli_report(&err) ? 1 : 0;
        }
        format = optarg;
    }
    cleanup_json json_t *document = version_document();
    if (print_version(document, format, &err) < 0)
        return cli_report(&err) ? 1 : 0;
    return 0;
}
