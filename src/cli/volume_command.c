/* `husk volume create|ls|inspect|rm|prune`, docker's flags and output. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/volumes/volume_commands.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "cli.h"
#include "humanize.h"
#include "template.h"

/* docker gives -f a meaning per subcommand (ls: --filter, inspect:
 * --format, rm and prune: --force), so each has its own table. */
#define VOLUME_LABEL_OPTIONS                                                                       \
    {{"driver", required_argument, NULL, 'd'}, 'd', "NAME", "local (the only one)"},               \
        {{"label", required_argument, NULL, 'l'}, 0, "KEY=VALUE", "a label"},                      \
    {                                                                                              \
        {"opt", required_argument, NULL, 'o'}, 'o', "KEY=VALUE",                                   \
            "type=, device=, o= as mount(8) takes them:\n"                                         \
            "type=tmpfs,device=tmpfs,o=size=64m or type=none,o=bind,device=PATH"                   \
    }
#define VOLUME_FILTER_OPTION(short)                                                                \
    {                                                                                              \
        {"filter", required_argument, NULL, (short) ? (short) : 'F'}, (short), "KEY=VALUE",        \
            "dangling=true|false, name=, label=KEY[=VALUE], driver=local"                          \
    }
#define VOLUME_FORMAT_OPTION(short)                                                                \
    {                                                                                              \
        {"format", required_argument, NULL, (short) ? (short) : 'T'}, (short), "TEMPLATE",         \
            "a Go template"                                                                        \
    }
#define VOLUME_FORCE_OPTION(help)                                                                  \
    {                                                                                              \
        {"force", no_argument, NULL, 'f'}, 'f', NULL, (help)                                       \
    }

static const struct cli_option create_options[] = {VOLUME_LABEL_OPTIONS, CLI_HELP_OPTION('H'),
                                                   CLI_OPTIONS_END};
static const struct cli_option ls_options[] = {
    {{"quiet", no_argument, NULL, 'q'}, 'q', NULL, "names only"},
    VOLUME_FILTER_OPTION('f'),
    VOLUME_FORMAT_OPTION(0),
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};
static const struct cli_option inspect_options[] = {VOLUME_FORMAT_OPTION('f'), CLI_HELP_OPTION('H'),
                                                    CLI_OPTIONS_END};
static const struct cli_option rm_options[] = {VOLUME_FORCE_OPTION("a missing volume is no error"),
                                               CLI_HELP_OPTION('H'), CLI_OPTIONS_END};
static const struct cli_option prune_options[] = {
    {{"all", no_argument, NULL, 'a'}, 'a', NULL, "named volumes too, not only anonymous ones"},
    VOLUME_FILTER_OPTION(0),
    VOLUME_FORCE_OPTION("do not prompt (husk never does)"),
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

static const struct {
    const char *name;
    const struct cli_option *options;
} subcommands[] = {{"create", create_options},
                   {"ls", ls_options},
                   {"inspect", inspect_options},
                   {"rm", rm_options},
                   {"prune", prune_options}};

const struct cli_help cli_volume_help = {
    .usage = "volume COMMAND",
    .summary = "Manage volumes: directories under husk's data root that outlive containers.\n\n"
               "Commands:\n"
               "  create [-o KEY=VALUE] [--label KEY=VALUE] [NAME]   (no NAME: an anonymous one)\n"
               "  ls [-q] [--filter KEY=VALUE] [--format TEMPLATE]\n"
               "  inspect [--format TEMPLATE] NAME...\n"
               "  rm [-f] NAME...      refused while a container, even a stopped one, uses it\n"
               "  prune [-a] [--filter label=...]\n"
               "                       remove unused anonymous volumes (-a: all unused ones)\n",
    .options = (const struct cli_option[]){CLI_HELP_OPTION('H'), CLI_OPTIONS_END},
    .epilogue = "Each command's flags: husk volume COMMAND --help.\n",
};

struct volume_flags {
    json_t *labels, *options, *filters; /* {KEY: VALUE}; filters {KEY: [VALUE...]} */
    const char *format;
    bool quiet, all, force;
};

static int key_value(json_t *object, const char *text, bool listed, const char *flag,
                     husk_error_t *err)
{
    const char *equals = strchr(text, '=');
    if (equals == NULL && !listed)
        return husk_error_set(err, 0, "invalid %s \"%s\": KEY=VALUE expected", flag, text);
    cleanup_free char *key = equals ? xstrndup(text, (size_t)(equals - text)) : xstrdup(text);
    if (key[0] == '\0')
        return husk_error_set(err, 0, "invalid %s \"%s\": no key", flag, text);
    if (!listed) {
        json_object_set_new(object, key, json_string(equals + 1));
        return 0;
    }
    if (equals == NULL)
        return husk_error_set(err, 0, "bad format of filter (expected name=value): %s", text);
    json_t *values = json_object_get(object, key);
    if (values == NULL)
        json_object_set_new(object, key, values = json_array());
    json_array_append_new(values, json_string(equals + 1));
    return 0;
}

static int flag_value(int option, struct volume_flags *f, husk_error_t *err)
{
    switch (option) {
    case 'd':
        if (strcmp(optarg, "local") != 0)
            return husk_error_set(err, 0, "plugin \"%s\" not found (husk has the local driver)",
                                  optarg);
        return 0;
    case 'l':
        return key_value(f->labels, optarg, false, "--label", err);
    case 'o':
        return key_value(f->options, optarg, false, "--opt", err);
    case 'F':
        return key_value(f->filters, optarg, true, "--filter", err);
    case 'T':
        f->format = optarg;
        return 0;
    case 'q':
        return f->quiet = true, 0;
    case 'a':
        return f->all = true, 0;
    default:
        return f->force = true, 0;
    }
}

static const struct cli_option *options_of(const char *command)
{
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        if (strcmp(subcommands[i].name, command) == 0)
            return subcommands[i].options;
    return NULL;
}

/* Returns 1 after --help. */
static int parse_flags(const char *command, int argc, char **argv, struct volume_flags *f,
                       husk_error_t *err)
{
    struct cli_getopt table;
    const struct cli_option *options = options_of(command);
    cli_getopt_init(&table, options, "+:");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'H') {
            cleanup_free char *usage = xasprintf(
                "volume %s [OPTIONS]%s", command,
                strcmp(command, "create") == 0                                ? " [NAME]"
                : strcmp(command, "ls") == 0 || strcmp(command, "prune") == 0 ? ""
                                                                              : " NAME...");
            struct cli_help help = {usage, "", options, NULL};
            cli_help_print(&help, stdout);
            return 1;
        }
        if (option == '?' || option == ':')
            return cli_usage_error(err, "volume",
                                   option == ':' ? "flag %s needs an argument"
                                                 : "unknown flag %s for volume %s",
                                   argv[optind - 1], command);
        /* -f: --filter for ls, --format for inspect, --force for rm and prune. */
        if (option == 'f')
            option = strcmp(command, "ls") == 0 ? 'F' : strcmp(command, "inspect") == 0 ? 'T' : 'x';
        if (flag_value(option, f, err) < 0)
            return -1;
    }
    return 0;
}

static bool label_matches(json_t *labels, const char *wanted)
{
    const char *equals = strchr(wanted, '=');
    cleanup_free char *key = equals ? xstrndup(wanted, (size_t)(equals - wanted)) : xstrdup(wanted);
    json_t *value = json_object_get(labels, key);
    return value != NULL && (equals == NULL || strcmp(json_string_value(value), equals + 1) == 0);
}

static bool truth(const char *text, bool *value)
{
    if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
        return *value = true;
    return (strcmp(text, "false") == 0 || strcmp(text, "0") == 0) && !(*value = false);
}

/* docker's rules: every label= must match, any one name= or driver=. */
static bool filters_match(json_t *filters, json_t *volume)
{
    const char *key;
    json_t *values;
    json_object_foreach(filters, key, values)
    {
        size_t i;
        json_t *value;
        bool any = false, all = true;
        json_array_foreach(values, i, value)
        {
            const char *v = json_string_value(value);
            bool hit = false, dangling;
            if (strcmp(key, "label") == 0)
                hit = label_matches(json_object_get(volume, "Labels"), v);
            else if (strcmp(key, "name") == 0)
                hit = strstr(json_string_value(json_object_get(volume, "Name")), v) != NULL;
            else if (strcmp(key, "driver") == 0)
                hit = strcmp(v, "local") == 0;
            else if (strcmp(key, "dangling") == 0 && truth(v, &dangling))
                hit = dangling == !json_is_true(json_object_get(volume, "InUse"));
            any = any || hit;
            all = all && hit;
        }
        if (strcmp(key, "label") == 0 ? !all : !any)
            return false;
    }
    return true;
}

static int filters_check(json_t *filters, bool prune, husk_error_t *err)
{
    const char *key;
    json_t *values;
    json_object_foreach(filters, key, values)
    {
        bool known = strcmp(key, "label") == 0 ||
                     (!prune && (strcmp(key, "name") == 0 || strcmp(key, "driver") == 0 ||
                                 strcmp(key, "dangling") == 0));
        if (!known)
            return husk_error_set(err, 0, "invalid filter '%s'", key);
        size_t i;
        json_t *value;
        bool ignored;
        json_array_foreach(values, i, value)
        {
            if (strcmp(key, "dangling") == 0 && !truth(json_string_value(value), &ignored))
                return husk_error_set(err, 0, "invalid filter 'dangling=%s'",
                                      json_string_value(value));
        }
    }
    return 0;
}

/* What --format sees of a volume: docker's fields, Labels as "k=v,...". */
static json_t *format_row(json_t *volume)
{
    json_t *row = json_deep_copy(volume);
    cleanup_free char *labels = xstrdup("");
    const char *key;
    json_t *value;
    json_object_foreach(json_object_get(volume, "Labels"), key, value)
    {
        char *grown =
            xasprintf("%s%s%s=%s", labels, labels[0] ? "," : "", key, json_string_value(value));
        free(labels);
        labels = grown;
    }
    json_object_set_new(row, "Labels", json_string(labels));
    json_object_set_new(row, "Size", json_string("N/A"));
    json_object_set_new(row, "Links", json_string("N/A"));
    return row;
}

static int print_each(json_t *documents, const char *format, bool rows, husk_error_t *err)
{
    struct template *template;
    if (template_parse(format, &template, err) < 0)
        return -1;
    size_t i;
    json_t *document;
    int rc = 0;
    json_array_foreach(documents, i, document)
    {
        cleanup_json json_t *data = rows ? format_row(document) : json_incref(document);
        cleanup_free char *text = NULL;
        if ((rc = template_execute(template, data, &text, err)) < 0)
            break;
        printf("%s\n", text);
    }
    template_free(template);
    return rc;
}

static int list(const struct engine_context *context, const struct volume_flags *f,
                husk_error_t *err)
{
    if (filters_check(f->filters, false, err) < 0)
        return -1;
    cleanup_json json_t *volumes = engine_volume_list(context);
    cleanup_json json_t *shown = json_array();
    size_t i;
    json_t *volume;
    json_array_foreach(volumes, i, volume)
    {
        if (filters_match(f->filters, volume))
            json_array_append(shown, volume);
    }
    if (f->format != NULL && !f->quiet)
        return print_each(shown, f->format, true, err);
    struct table *table = table_new(2);
    if (!f->quiet)
        table_add_row(table, (const char *[]){"DRIVER", "VOLUME NAME"});
    json_array_foreach(shown, i, volume)
    {
        const char *name = json_string_value(json_object_get(volume, "Name"));
        if (f->quiet)
            printf("%s\n", name);
        else
            table_add_row(table, (const char *[]){"local", name});
    }
    if (!f->quiet)
        table_print(table, stdout);
    table_free(table);
    return 0;
}

static int inspect(const struct engine_context *context, char **names, int count,
                   const char *format, husk_error_t *err)
{
    struct template *template = NULL;
    if (format != NULL && template_parse(format, &template, err) < 0)
        return cli_report(err);
    int status = cli_inspect_documents(context, names, count, engine_volume_inspect, template);
    template_free(template);
    return status;
}

static int remove_each(const struct engine_context *context, char **names, int count, bool force,
                       husk_error_t *err)
{
    int status = 0;
    for (int i = 0; i < count; i++) {
        if (engine_volume_remove(context, names[i], force, err) < 0)
            status = cli_report(err);
        else
            printf("%s\n", names[i]);
    }
    return status;
}

static bool spared_by_filters(json_t *volume, void *filters)
{
    return !filters_match(filters, volume);
}

static int prune(const struct engine_context *context, const struct volume_flags *f,
                 husk_error_t *err)
{
    if (filters_check(f->filters, true, err) < 0)
        return -1;
    cleanup_strv char **removed = NULL;
    unsigned long long reclaimed = 0;
    if (engine_volume_prune(context, f->all, spared_by_filters, f->filters, &removed, &reclaimed,
                            err) < 0)
        return -1;
    if (removed[0] != NULL) {
        printf("Deleted Volumes:\n");
        for (char **name = removed; *name; name++)
            printf("%s\n", *name);
        printf("\n");
    }
    char size[32];
    humanize_size((double)reclaimed, size, sizeof(size));
    printf("Total reclaimed space: %s\n", size);
    return 0;
}

static int create(const struct engine_context *context, char **operands, int count,
                  const struct volume_flags *f, husk_error_t *err)
{
    if (count > 1)
        return cli_usage_error(err, "volume", "\"husk volume create\" takes at most 1 argument");
    cleanup_free char *name = NULL;
    if (engine_volume_create(context, count ? operands[0] : NULL, f->labels, f->options, &name,
                             err) < 0)
        return -1;
    printf("%s\n", name);
    return 0;
}

static int dispatch(const struct engine_context *context, const char *command, char **operands,
                    int count, const struct volume_flags *f, husk_error_t *err)
{
    bool takes_names = strcmp(command, "inspect") == 0 || strcmp(command, "rm") == 0;
    bool takes_none = strcmp(command, "ls") == 0 || strcmp(command, "prune") == 0;
    /* Reported here like every other failure (the error is freed there). */
    if (takes_names && count == 0) {
        cli_usage_error(err, "volume", "\"husk volume %s\" requires at least 1 argument", command);
        return cli_report(err);
    }
    if (takes_none && count > 0) {
        cli_usage_error(err, "volume", "\"husk volume %s\" accepts no arguments", command);
        return cli_report(err);
    }
    if (strcmp(command, "inspect") == 0)
        return inspect(context, operands, count, f->format, err);
    if (strcmp(command, "rm") == 0)
        return remove_each(context, operands, count, f->force, err);
    int rc = strcmp(command, "create") == 0 ? create(context, operands, count, f, err)
             : strcmp(command, "ls") == 0   ? list(context, f, err)
                                            : prune(context, f, err);
    return rc < 0 ? cli_report(err) : 0;
}

int cli_volume(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        cli_help_print(&cli_volume_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? HUSK_EXIT_ENGINE : 0;
    }
    const char *command = strcmp(argv[1], "list") == 0     ? "ls"
                          : strcmp(argv[1], "remove") == 0 ? "rm"
                                                           : argv[1];
    if (options_of(command) == NULL) {
        husk_error_set(&err, 0, "unknown command \"volume %s\" (see 'husk volume --help')",
                       argv[1]);
        return cli_report(&err);
    }
    struct volume_flags flags = {json_object(), json_object(), json_object(), NULL,
                                 false,         false,         false};
    int parsed = parse_flags(command, argc - 1, argv + 1, &flags, &err);
    int status = parsed < 0   ? cli_report(&err)
                 : parsed > 0 ? 0
                              : dispatch(context, command, argv + 1 + optind, argc - 1 - optind,
                                         &flags, &err);
    json_decref(flags.labels);
    json_decref(flags.options);
    json_decref(flags.filters);
    /* docker's commands other than run exit 1 on any failure. */
    return status != 0;
}
