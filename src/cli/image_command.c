/* images, image (ls, inspect, rm, prune, tag, import), rmi, tag, import. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "../engine/images.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "cli.h"
#include "humanize.h"
#include "template.h"

static int report(husk_error_t *err)
{
    cli_report(err);
    return 1;
}

struct images_options {
    bool quiet, digests, no_trunc;
    const char *format;
    json_t *filters; /* {"dangling": "true", "reference": "pattern"} */
};

/* One row per repository:tag (or one <none> row), the fields of docker's
 * `images --format`. */
static void add_rows(json_t *image, bool no_trunc, json_t *rows)
{
    const char *id = json_string_value(json_object_get(image, "Id"));
    char short_id[13];
    snprintf(short_id, sizeof(short_id), "%.12s", id + 7);
    char since[64] = "", size[32];
    humanize_ago((double)json_integer_value(json_object_get(image, "Created")), (double)time(NULL),
                 since, sizeof(since));
    humanize_size((double)json_integer_value(json_object_get(image, "Size")), size, sizeof(size));
    json_t *tags = json_object_get(image, "RepoTags");
    json_t *digests = json_object_get(image, "RepoDigests");
    const char *digest = json_string_value(json_array_get(digests, 0));
    const char *at = digest ? strchr(digest, '@') : NULL;
    size_t count = json_array_size(tags);
    for (size_t i = 0; i < (count ? count : 1); i++) {
        const char *tag = json_string_value(json_array_get(tags, i));
        cleanup_free char *repository = NULL;
        const char *tag_part = "<none>";
        if (tag != NULL) {
            const char *colon = strrchr(tag, ':');
            const char *slash = strrchr(tag, '/');
            if (colon && (!slash || colon > slash)) {
                repository = xstrndup(tag, (size_t)(colon - tag));
                tag_part = colon + 1;
            } else {
                repository = xstrdup(tag);
            }
        }
        json_array_append_new(
            rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:s, s:s}", "Repository",
                            repository ? repository : "<none>", "Tag", tag_part, "ID",
                            no_trunc ? id : short_id, "CreatedSince", since, "CreatedAt",
                            json_string_value(json_object_get(image, "CreatedAt")), "Dangling",
                            json_object_get(image, "Dangling"), "Size", size, "Digest",
                            at ? at + 1 : "<none>"));
    }
}

static bool passes(json_t *row, json_t *filters)
{
    const char *dangling = json_string_value(json_object_get(filters, "dangling"));
    if (dangling != NULL && json_is_true(json_object_get(row, "Dangling")) !=
                                (strcmp(dangling, "true") == 0 || strcmp(dangling, "1") == 0))
        return false;
    const char *pattern = json_string_value(json_object_get(filters, "reference"));
    if (pattern == NULL)
        return true;
    const char *repository = json_string_value(json_object_get(row, "Repository"));
    cleanup_free char *full =
        xasprintf("%s:%s", repository, json_string_value(json_object_get(row, "Tag")));
    return strcmp(repository, "<none>") != 0 &&
           (fnmatch(pattern, repository, 0) == 0 || fnmatch(pattern, full, 0) == 0);
}

static int print_rows(json_t *rows, const struct images_options *o, husk_error_t *err)
{
    size_t i;
    json_t *row;
    if (o->quiet) {
        cleanup_json json_t *seen = json_object();
        json_array_foreach(rows, i, row)
        {
            const char *id = json_string_value(json_object_get(row, "ID"));
            if (json_object_get(seen, id) == NULL)
                printf("%s\n", id);
            json_object_set_new(seen, id, json_true());
        }
        return 0;
    }
    if (o->format != NULL) {
        struct template *template;
        if (template_parse(o->format, &template, err) < 0)
            return -1;
        int rc = 0;
        json_array_foreach(rows, i, row)
        {
            cleanup_free char *text = NULL;
            if ((rc = template_execute(template, row, &text, err)) < 0)
                break;
            printf("%s\n", text);
        }
        template_free(template);
        return rc;
    }
    size_t columns = o->digests ? 6 : 5;
    struct table *table = table_new(columns);
    const char *header[] = {"REPOSITORY",
                            "TAG",
                            o->digests ? "DIGEST" : "IMAGE ID",
                            o->digests ? "IMAGE ID" : "CREATED",
                            o->digests ? "CREATED" : "SIZE",
                            "SIZE"};
    table_add_row(table, header);
    json_array_foreach(rows, i, row)
    {
        const char *cells[6] = {json_string_value(json_object_get(row, "Repository")),
                                json_string_value(json_object_get(row, "Tag"))};
        size_t c = 2;
        if (o->digests)
            cells[c++] = json_string_value(json_object_get(row, "Digest"));
        cells[c++] = json_string_value(json_object_get(row, "ID"));
        cells[c++] = json_string_value(json_object_get(row, "CreatedSince"));
        cells[c++] = json_string_value(json_object_get(row, "Size"));
        table_add_row(table, cells);
    }
    table_print(table, stdout);
    table_free(table);
    return 0;
}

static const struct cli_option images_options_table[] = {
    {{"all", no_argument, NULL, 'a'}, 'a', NULL, "show all images (the same: no intermediates)"},
    {{"quiet", no_argument, NULL, 'q'}, 'q', NULL, "only image IDs"},
    {{"digests", no_argument, NULL, 'D'}, 0, NULL, "show digests"},
    {{"no-trunc", no_argument, NULL, 'N'}, 0, NULL, "full image IDs"},
    {{"format", required_argument, NULL, 'F'}, 0, "TEMPLATE", "Go template per image"},
    {{"filter", required_argument, NULL, 'f'},
     'f',
     "FILTER",
     "dangling=true|false, reference=PATTERN"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_images_help = {
    .usage = "images [OPTIONS] [REPOSITORY[:TAG]]",
    .summary = "List images\n",
    .options = images_options_table,
};

static int parse_filter(json_t *filters, const char *text, husk_error_t *err)
{
    const char *equals = strchr(text, '=');
    cleanup_free char *key = equals ? xstrndup(text, (size_t)(equals - text)) : xstrdup(text);
    if (equals == NULL || (strcmp(key, "dangling") != 0 && strcmp(key, "reference") != 0))
        return cli_usage_error(err, "images", "invalid filter \"%s\" (dangling=, reference=)",
                               text);
    json_object_set_new(filters, key, json_string(equals + 1));
    return 0;
}

int cli_images(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    cleanup_json json_t *filters = json_object();
    struct images_options o = {.filters = filters};
    struct cli_getopt table;
    cli_getopt_init(&table, images_options_table, "+");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        switch (option) {
        case 'a':
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'D':
            o.digests = true;
            break;
        case 'N':
            o.no_trunc = true;
            break;
        case 'F':
            o.format = optarg;
            break;
        case 'f':
            if (parse_filter(filters, optarg, &err) < 0)
                return report(&err);
            break;
        case 'H':
            return cli_help_print(&cli_images_help, stdout), 0;
        default:
            return cli_usage_error(&err, "images", "unknown flag %s", argv[optind - 1]),
                   report(&err);
        }
    }
    if (optind < argc)
        json_object_set_new(filters, "reference", json_string(argv[optind]));
    cleanup_json json_t *images = NULL;
    if (engine_image_list(context, &images, &err) < 0)
        return report(&err);
    cleanup_json json_t *rows = json_array();
    size_t i;
    json_t *image;
    json_array_foreach(images, i, image) add_rows(image, o.no_trunc, rows);
    cleanup_json json_t *shown = json_array();
    json_t *row;
    json_array_foreach(rows, i, row) if (passes(row, filters)) json_array_append(shown, row);
    return print_rows(shown, &o, &err) < 0 ? report(&err) : 0;
}

static const struct cli_option rmi_options[] = {
    {{"force", no_argument, NULL, 'f'}, 'f', NULL, "untag an image a container uses"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_rmi_help = {
    .usage = "rmi [OPTIONS] IMAGE...",
    .summary = "Remove images: untag, and delete once no tag is left\n",
    .options = rmi_options,
};

void cli_print_image_removal(json_t *report)
{
    size_t i;
    json_t *item;
    json_array_foreach(report, i, item)
    {
        const char *key = json_object_get(item, "Untagged") ? "Untagged" : "Deleted";
        printf("%s: %s\n", key, json_string_value(json_object_get(item, key)));
    }
}

int cli_rmi(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, rmi_options, "+");
    opterr = 0;
    optind = 0;
    bool force = false;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'f')
            force = true;
        else if (option == 'H')
            return cli_help_print(&cli_rmi_help, stdout), 0;
        else
            return cli_usage_error(&err, "rmi", "unknown flag %s", argv[optind - 1]), report(&err);
    }
    if (optind >= argc)
        return cli_usage_error(&err, "rmi", "\"husk rmi\" requires at least 1 argument"),
               report(&err);
    int status = 0;
    for (int i = optind; i < argc; i++) {
        cleanup_json json_t *removal = NULL;
        if (engine_image_remove(context, argv[i], force, &removal, &err) < 0)
            status = report(&err);
        else
            cli_print_image_removal(removal);
    }
    return status;
}

static const struct cli_option help_only[] = {
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_tag_help = {
    .usage = "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
    .summary = "Give an image another name\n",
    .options = help_only,
};

int cli_tag(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return cli_help_print(&cli_tag_help, stdout), 0;
    if (argc != 3)
        return cli_usage_error(&err, "tag", "\"husk tag\" requires exactly 2 arguments"),
               report(&err);
    return engine_image_tag(context, argv[1], argv[2], &err) < 0 ? report(&err) : 0;
}

static const struct cli_option import_options[] = {
    {{"change", required_argument, NULL, 'c'},
     'c',
     "INSTRUCTION",
     "apply a Dockerfile instruction"},
    {{"message", required_argument, NULL, 'm'}, 'm', "TEXT", "the history's comment"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_import_help = {
    .usage = "import [OPTIONS] FILE|- [REPOSITORY[:TAG]]",
    .summary = "Make an image of a root file system tarball (plain, gzip or zstd)\n",
    .options = import_options,
};

int cli_import(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, import_options, "+");
    opterr = 0;
    optind = 0;
    size_t count = 0;
    cleanup_strv char **changes = xcalloc((size_t)argc + 1, sizeof(char *));
    struct image_import_options o = {.changes = changes};
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'c')
            changes[count++] = xstrdup(optarg);
        else if (option == 'm')
            o.message = optarg;
        else if (option == 'H')
            return cli_help_print(&cli_import_help, stdout), 0;
        else
            return cli_usage_error(&err, "import", "unknown flag %s", argv[optind - 1]),
                   report(&err);
    }
    if (optind >= argc || argc - optind > 2)
        return cli_usage_error(&err, "import", "\"husk import\" requires 1 or 2 arguments"),
               report(&err);
    o.source = argv[optind];
    o.reference = optind + 1 < argc ? argv[optind + 1] : NULL;
    cleanup_free char *id = NULL;
    if (engine_image_import(context, &o, &id, &err) < 0)
        return report(&err);
    printf("%s\n", id);
    return 0;
}

static const struct cli_option load_options[] = {
    {{"input", required_argument, NULL, 'i'}, 'i', "FILE", "read the archive from FILE, not stdin"},
    {{"quiet", no_argument, NULL, 'q'}, 'q', NULL, "print nothing"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_load_help = {
    .usage = "load [OPTIONS]",
    .summary = "Load images from a docker-archive or oci-archive (plain, gzip or zstd)\n",
    .options = load_options,
};

int cli_load(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, load_options, "+");
    opterr = 0;
    optind = 0;
    const char *input = "-";
    bool quiet = false;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'i')
            input = optarg;
        else if (option == 'q')
            quiet = true;
        else if (option == 'H')
            return cli_help_print(&cli_load_help, stdout), 0;
        else
            return cli_usage_error(&err, "load", "unknown flag %s", argv[optind - 1]), report(&err);
    }
    if (optind < argc)
        return cli_usage_error(&err, "load", "\"husk load\" takes no arguments (use -i FILE)"),
               report(&err);
    cleanup_json json_t *loaded = NULL;
    if (engine_image_load(context, input, &loaded, &err) < 0)
        return report(&err);
    size_t i;
    json_t *image;
    json_array_foreach(loaded, i, image)
    {
        json_t *tags = json_object_get(image, "RepoTags");
        size_t j;
        json_t *tag;
        if (!quiet && json_array_size(tags) == 0)
            printf("Loaded image ID: %s\n", json_string_value(json_object_get(image, "Id")));
        json_array_foreach(tags, j, tag) if (!quiet)
            printf("Loaded image: %s\n", json_string_value(tag));
    }
    return 0;
}

static const struct cli_option pull_options[] = {
    {{"platform", required_argument, NULL, 'P'},
     0,
     "OS/ARCH[/VARIANT]",
     "another platform's image"},
    {{"quiet", no_argument, NULL, 'q'}, 'q', NULL, "print only the reference"},
    {{"tls-verify", required_argument, NULL, 'T'},
     0,
     "BOOL",
     "false: do not verify TLS (plain HTTP allowed)"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_pull_help = {
    .usage = "pull [OPTIONS] NAME[:TAG|@DIGEST]",
    .summary = "Pull an image from a registry\n",
    .options = pull_options,
};

int cli_pull(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, pull_options, "+");
    opterr = 0;
    optind = 0;
    struct image_pull_options o = {.progress = stdout};
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'P')
            o.platform = optarg;
        else if (option == 'q')
            o.progress = NULL;
        else if (option == 'T' && (strcmp(optarg, "false") == 0 || strcmp(optarg, "true") == 0))
            o.tls_verify_off = strcmp(optarg, "false") == 0;
        else if (option == 'H')
            return cli_help_print(&cli_pull_help, stdout), 0;
        else
            return cli_usage_error(&err, "pull", "bad flag %s", argv[optind - 1]), report(&err);
    }
    if (optind + 1 != argc)
        return cli_usage_error(&err, "pull", "\"husk pull\" requires exactly 1 argument"),
               report(&err);
    o.reference = argv[optind];
    cleanup_free char *canonical = NULL;
    if (engine_image_pull(context, &o, &canonical, &err) < 0)
        return report(&err);
    printf("%s\n", canonical);
    return 0;
}

static const struct cli_option save_options[] = {
    {{"output", required_argument, NULL, 'o'}, 'o', "FILE", "write to FILE, not stdout"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_save_help = {
    .usage = "save [OPTIONS] IMAGE...",
    .summary = "Write images to a tar archive (docker-archive over an OCI layout)\n",
    .options = save_options,
};

struct save_request {
    const struct engine_context *context;
    char **references;
};

static int produce_save(int fd, void *data, husk_error_t *err)
{
    struct save_request *r = data;
    return engine_image_save(r->context, r->references, fd, err);
}

int cli_save(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, save_options, "+");
    opterr = 0;
    optind = 0;
    const char *output = NULL;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'o')
            output = optarg;
        else if (option == 'H')
            return cli_help_print(&cli_save_help, stdout), 0;
        else
            return cli_usage_error(&err, "save", "unknown flag %s", argv[optind - 1]), report(&err);
    }
    if (optind >= argc)
        return cli_usage_error(&err, "save", "\"husk save\" requires at least 1 argument"),
               report(&err);
    struct save_request request = {context, argv + optind};
    return cli_write_output(output, "save", produce_save, &request, &err) < 0 ? report(&err) : 0;
}

static const struct cli_option push_options[] = {
    {{"quiet", no_argument, NULL, 'q'}, 'q', NULL, "print only the digest"},
    {{"tls-verify", required_argument, NULL, 'T'},
     0,
     "BOOL",
     "false: do not verify TLS (plain HTTP allowed)"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_push_help = {
    .usage = "push [OPTIONS] NAME[:TAG]",
    .summary = "Push an image to the registry its name says\n",
    .options = push_options,
};

static int parse_tls_verify(const char *value, bool *off, const char *command, husk_error_t *err)
{
    if (strcmp(value, "false") != 0 && strcmp(value, "true") != 0)
        return cli_usage_error(err, command, "--tls-verify takes true or false, not \"%s\"", value);
    *off = strcmp(value, "false") == 0;
    return 0;
}

int cli_push(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, push_options, "+");
    opterr = 0;
    optind = 0;
    struct image_push_options o = {.progress = stdout};
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'q')
            o.progress = NULL;
        else if (option == 'T') {
            if (parse_tls_verify(optarg, &o.tls_verify_off, "push", &err) < 0)
                return report(&err);
        } else if (option == 'H')
            return cli_help_print(&cli_push_help, stdout), 0;
        else
            return cli_usage_error(&err, "push", "bad flag %s", argv[optind - 1]), report(&err);
    }
    if (optind + 1 != argc)
        return cli_usage_error(&err, "push", "\"husk push\" requires exactly 1 argument"),
               report(&err);
    o.reference = argv[optind];
    cleanup_free char *digest = NULL;
    if (engine_image_push(context, &o, &digest, &err) < 0)
        return report(&err);
    if (o.progress == NULL)
        printf("%s\n", digest);
    return 0;
}

static const struct cli_option login_options[] = {
    {{"username", required_argument, NULL, 'u'}, 'u', "USER", "user name"},
    {{"password", required_argument, NULL, 'p'}, 'p', "PASSWORD", "password"},
    {{"password-stdin", no_argument, NULL, 'S'}, 0, NULL, "read the password from stdin"},
    {{"tls-verify", required_argument, NULL, 'T'}, 0, "BOOL", "false: do not verify TLS"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_login_help = {
    .usage = "login [OPTIONS] [SERVER]",
    .summary = "Log in to a registry (kept in docker's config.json)\n",
    .options = login_options,
};

int cli_login(const struct engine_context *context, int argc, char **argv)
{
    (void)context;
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, login_options, "+");
    opterr = 0;
    optind = 0;
    struct login_options o = {0};
    bool from_stdin = false;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'u')
            o.user = optarg;
        else if (option == 'p')
            o.password = optarg;
        else if (option == 'S')
            from_stdin = true;
        else if (option == 'T') {
            if (parse_tls_verify(optarg, &o.tls_verify_off, "login", &err) < 0)
                return report(&err);
        } else if (option == 'H')
            return cli_help_print(&cli_login_help, stdout), 0;
        else
            return cli_usage_error(&err, "login", "bad flag %s", argv[optind - 1]), report(&err);
    }
    if (argc - optind > 1)
        return cli_usage_error(&err, "login", "\"husk login\" takes at most 1 argument"),
               report(&err);
    o.server = optind < argc ? argv[optind] : NULL;
    cleanup_free char *line = NULL;
    if (from_stdin) {
        size_t size = 0;
        ssize_t n = getline(&line, &size, stdin);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        o.password = n > 0 ? line : NULL;
    }
    if (engine_login(&o, &err) < 0)
        return report(&err);
    printf("Login Succeeded\n");
    return 0;
}

const struct cli_help cli_logout_help = {
    .usage = "logout [SERVER]",
    .summary = "Forget a registry's credentials\n",
    .options = help_only,
};

int cli_logout(const struct engine_context *context, int argc, char **argv)
{
    (void)context;
    husk_error_t err = NULL;
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return cli_help_print(&cli_logout_help, stdout), 0;
    if (argc > 2)
        return cli_usage_error(&err, "logout", "\"husk logout\" takes at most 1 argument"),
               report(&err);
    const char *server = argc == 2 ? argv[1] : NULL;
    if (engine_logout(server, &err) < 0)
        return report(&err);
    printf("Removing login credentials for %s\n", server ? server : "https://index.docker.io/v1/");
    return 0;
}

const struct cli_help cli_image_help = {
    .usage = "image COMMAND",
    .summary =
        "Manage images: ls, inspect, rm, prune, tag, import, load, save, pull, push,\nhistory\n",
    .options = help_only,
};

static const struct cli_option inspect_options[] = {
    {{"format", required_argument, NULL, 'f'}, 'f', "TEMPLATE", "Go template"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

static int image_inspect(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, inspect_options, "+");
    opterr = 0;
    optind = 0;
    const char *format = NULL;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'f')
            format = optarg;
        else
            return cli_usage_error(&err, "image inspect", "unknown flag %s", argv[optind - 1]),
                   report(&err);
    }
    if (optind >= argc)
        return cli_usage_error(&err, "image inspect", "requires at least 1 argument"), report(&err);
    struct template *template = NULL;
    if (format != NULL && template_parse(format, &template, &err) < 0)
        return report(&err);
    cleanup_json json_t *documents = json_array();
    int status = 0;
    for (int i = optind; i < argc; i++) {
        json_t *document = NULL;
        if (engine_image_inspect(context, argv[i], &document, &err) < 0) {
            status = report(&err);
            continue;
        }
        if (template != NULL) {
            cleanup_free char *text = NULL;
            if (template_execute(template, document, &text, &err) < 0)
                status = report(&err);
            else
                printf("%s\n", text);
            json_decref(document);
        } else {
            json_array_append_new(documents, document);
        }
    }
    template_free(template);
    if (format == NULL) {
        cleanup_free char *text = json_dumps(documents, JSON_INDENT(4));
        printf("%s\n", text);
    }
    return status;
}

static int image_prune(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    bool all = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--all") == 0)
            all = true;
        else if (strcmp(argv[i], "-f") != 0 && strcmp(argv[i], "--force") != 0)
            return cli_usage_error(&err, "image prune", "unknown flag %s", argv[i]), report(&err);
    }
    cleanup_json json_t *removal = NULL;
    unsigned long long reclaimed = 0;
    if (engine_image_prune(context, all, &removal, &reclaimed, &err) < 0)
        return report(&err);
    if (json_array_size(removal) > 0) {
        printf("Deleted Images:\n");
        cli_print_image_removal(removal);
        printf("\n");
    }
    char size[32];
    humanize_size((double)reclaimed, size, sizeof(size));
    printf("Total reclaimed space: %s\n", size);
    return 0;
}

int cli_image(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        cli_help_print(&cli_image_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0)
        return cli_images(context, argc - 1, argv + 1);
    if (strcmp(sub, "inspect") == 0)
        return image_inspect(context, argc - 1, argv + 1);
    if (strcmp(sub, "rm") == 0 || strcmp(sub, "remove") == 0)
        return cli_rmi(context, argc - 1, argv + 1);
    if (strcmp(sub, "prune") == 0)
        return image_prune(context, argc - 1, argv + 1);
    if (strcmp(sub, "tag") == 0)
        return cli_tag(context, argc - 1, argv + 1);
    if (strcmp(sub, "import") == 0)
        return cli_import(context, argc - 1, argv + 1);
    if (strcmp(sub, "load") == 0)
        return cli_load(context, argc - 1, argv + 1);
    if (strcmp(sub, "pull") == 0)
        return cli_pull(context, argc - 1, argv + 1);
    if (strcmp(sub, "save") == 0)
        return cli_save(context, argc - 1, argv + 1);
    if (strcmp(sub, "push") == 0)
        return cli_push(context, argc - 1, argv + 1);
    if (strcmp(sub, "history") == 0)
        return cli_history(context, argc - 1, argv + 1);
    husk_error_set(&err, 0, "unknown command \"image %s\"", sub);
    return report(&err);
}
