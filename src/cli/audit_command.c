/* `husk audit`: what namespaces do not isolate on this kernel, how full the
 * shared kernel tables are and who fills them, and the risks that follow. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/audit.h"
#include "../util/cleanup.h"
#include "../util/json_text.h"
#include "cli.h"
#include "humanize.h"

static const struct cli_option audit_options[] = {
    {{"format", required_argument, NULL, 'f'}, 0, "FORMAT", "table (default) or json"},
    {{"keys", no_argument, NULL, 'k'}, 0, NULL, "list every kernel setting with its class instead"},
    {{"refresh", no_argument, NULL, 'r'}, 0, NULL, "classify the kernel settings again"},
    {{"strict", no_argument, NULL, 's'}, 0, NULL, "exit 1 when any risk is found (for CI gates)"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_audit_help = {
    .usage = "audit [OPTIONS] [CONTAINER...]",
    .summary = "Show what namespaces do not isolate, measured on the running kernel:\n"
               "  namespaces     private or shared, per container and type (as husk ns)\n"
               "  kernel settings every /proc/sys key, classified by experiment in scratch\n"
               "                 namespaces (cached per kernel release; --refresh redoes it)\n"
               "  shared tables  conntrack, PIDs, open files, inotify, keys, socket memory and\n"
               "                 hashes: limit, used, % and the containers using most\n"
               "  risks          what could go wrong for everyone, and what to do about it\n"
               "CONTAINER narrows the namespaces and per-container risks; tables count all.\n",
    .options = audit_options,
};

/* Settings worth showing as examples, when the kernel has them. */
static const char *const well_known[] = {
    "net.netfilter.nf_conntrack_max",
    "net.core.rmem_max",
    "net.core.netdev_max_backlog",
    "net.ipv4.tcp_mem",
    "kernel.pid_max",
    "fs.file-max",
    "vm.swappiness",
    "net.ipv4.ip_forward",
    "net.core.somaxconn",
    "kernel.hostname",
    "kernel.domainname",
    "kernel.shmmax",
    "kernel.msgmax",
    "user.max_user_namespaces",
    "kernel.ns_last_pid",
    "vm.drop_caches",
    "fs.inotify.max_user_watches",
};

struct style {
    bool colour;
};

static void heading(const struct style *s, const char *text)
{
    printf(s->colour ? "\n\033[1m%s\033[0m\n" : "\n%s\n", text);
}

static bool entry_in_class(json_t *entry, const char *class, const char *namespace)
{
    const char *its = json_string_value(json_object_get(entry, "Namespace"));
    return strcmp(json_string_value(json_object_get(entry, "Class")), class) == 0 &&
           (namespace == NULL || (its != NULL && strcmp(its, namespace) == 0));
}

/* Up to three keys of the class: well-known ones first, then by name. */
static void examples_of(json_t *keys, const char *class, const char *namespace, char *out,
                        size_t size)
{
    size_t shown = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(well_known) / sizeof(well_known[0]) && shown < 3; i++) {
        json_t *entry = json_object_get(keys, well_known[i]);
        if (entry != NULL && entry_in_class(entry, class, namespace)) {
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%s", shown++ ? ", " : "", well_known[i]);
        }
    }
    const char *key;
    json_t *entry;
    json_object_foreach(keys, key, entry)
    {
        if (shown >= 3 || !entry_in_class(entry, class, namespace) || strstr(out, key) != NULL)
            continue;
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", shown++ ? ", " : "", key);
    }
}

static void print_sysctls(const struct style *s, json_t *section)
{
    char title[256];
    json_t *keys = json_object_get(section, "Keys");
    snprintf(title, sizeof(title), "KERNEL SETTINGS (%zu keys of %s, classified %s in %lld ms%s)",
             json_object_size(keys), json_string_value(json_object_get(section, "Kernel")),
             json_string_value(json_object_get(section, "ClassifiedAt")),
             (long long)json_integer_value(json_object_get(section, "Milliseconds")),
             json_is_true(json_object_get(section, "Cached")) ? ", cached" : "");
    heading(s, title);
    struct table *table = table_new(3);
    table_add_row(table, (const char *[]){"CLASS", "KEYS", "EXAMPLES"});
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(section, "Classes"), i, row)
    {
        const char *class = json_string_value(json_object_get(row, "Class"));
        const char *namespace = json_string_value(json_object_get(row, "Namespace"));
        char label[64], count[32], examples[512];
        if (namespace != NULL)
            snprintf(label, sizeof(label), "isolated by %s", namespace);
        else
            snprintf(label, sizeof(label), "%s", class);
        snprintf(count, sizeof(count), "%lld",
                 (long long)json_integer_value(json_object_get(row, "Keys")));
        examples_of(keys, class, namespace, examples, sizeof(examples));
        table_add_row(table, (const char *[]){label, count, examples});
    }
    table_print(table, stdout);
    table_free(table);
}

static void top_users(json_t *users, char *out, size_t size)
{
    size_t i;
    json_t *user;
    out[0] = '\0';
    json_array_foreach(users, i, user)
    {
        if (i == 3)
            break;
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s %lld (%.0f%%)", i ? ", " : "",
                 json_string_value(json_object_get(user, "Name")),
                 (long long)json_integer_value(json_object_get(user, "Used")),
                 json_real_value(json_object_get(user, "Percent")));
    }
}

static void print_tables(const struct style *s, json_t *tables)
{
    heading(s, "SHARED KERNEL TABLES (one for the host and every container)");
    struct table *table = table_new(6);
    table_add_row(table, (const char *[]){"TABLE", "LIMIT", "KEY", "USED", "%", "TOP USERS"});
    size_t i;
    json_t *row;
    json_array_foreach(tables, i, row)
    {
        char limit[32], used[32], percent[16], users[256];
        json_t *l = json_object_get(row, "Limit");
        snprintf(limit, sizeof(limit), "%lld",
                 (long long)json_integer_value(json_object_get(l, "Value")));
        snprintf(used, sizeof(used), "%lld",
                 (long long)json_integer_value(json_object_get(row, "Used")));
        snprintf(percent, sizeof(percent), "%.1f",
                 json_real_value(json_object_get(row, "Percent")));
        top_users(json_object_get(row, "Users"), users, sizeof(users));
        table_add_row(table, (const char *[]){json_string_value(json_object_get(row, "Table")),
                                              limit, json_string_value(json_object_get(l, "Key")),
                                              used, percent, users[0] ? users : "-"});
    }
    table_print(table, stdout);
    table_free(table);
}

static void print_risks(const struct style *s, json_t *risks)
{
    heading(s, "RISKS");
    if (json_array_size(risks) == 0) {
        printf("none found\n");
        return;
    }
    size_t i;
    json_t *r;
    json_array_foreach(risks, i, r)
    {
        const char *level = json_string_value(json_object_get(r, "Level"));
        bool high = strcmp(level, "high") == 0;
        if (s->colour)
            printf("%s%-7s\033[0m ", high ? "\033[31m" : "\033[33m", high ? "HIGH" : "WARNING");
        else
            printf("%-7s ", high ? "HIGH" : "WARNING");
        printf("%s\n        -> %s\n", json_string_value(json_object_get(r, "Message")),
               json_string_value(json_object_get(r, "Mitigation")));
    }
}

static void print_keys(json_t *keys)
{
    struct table *table = table_new(3);
    table_add_row(table, (const char *[]){"KEY", "CLASS", "NAMESPACE"});
    const char *key;
    json_t *entry;
    json_object_foreach(keys, key, entry)
    {
        json_t *where = json_object_get(entry, "Namespace");
        char list[128] = "";
        if (where == NULL) {
            json_t *types = json_object_get(entry, "HiddenIn");
            if (types == NULL)
                types = json_object_get(entry, "ReadOnlyIn");
            json_strings_join(types, ",", list, sizeof(list));
        }
        table_add_row(table,
                      (const char *[]){key, json_string_value(json_object_get(entry, "Class")),
                                       where     ? json_string_value(where)
                                       : list[0] ? list
                                                 : "-"});
    }
    table_print(table, stdout);
    table_free(table);
}

int cli_audit(const struct engine_context *context, int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, audit_options, ":");
    husk_error_t err = NULL;
    const char *format = "table";
    bool keys = false, refresh = false, strict = false;
    int option;
    opterr = 0;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        switch (option) {
        case 'h':
            cli_help_print(&cli_audit_help, stdout);
            return 0;
        case 'f':
            format = optarg;
            continue;
        case 'k':
            keys = true;
            continue;
        case 'r':
            refresh = true;
            continue;
        case 's':
            strict = true;
            continue;
        }
        cli_usage_error(&err, "audit",
                        option == ':' ? "flag %s needs an argument" : "unknown flag %s",
                        argv[optind - 1]);
        return cli_report(&err);
    }
    if (strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
        cli_usage_error(&err, "audit", "invalid --format \"%s\": use table or json", format);
        return cli_report(&err);
    }
    cleanup_json json_t *report = NULL;
    if (engine_audit(context, argv + optind, (size_t)(argc - optind), refresh, &report, &err) < 0)
        return cli_report(&err);
    struct style style = {.colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL};
    if (strcmp(format, "json") == 0) {
        cleanup_free char *text = json_dumps(report, JSON_INDENT(4));
        printf("%s\n", text ? text : "{}");
    } else if (keys) {
        print_keys(json_object_get(json_object_get(report, "Sysctls"), "Keys"));
    } else {
        heading(&style, "NAMESPACES (from /proc/PID/ns; each cell names whose namespace it is)");
        cli_print_namespace_matrix(json_object_get(report, "Namespaces"));
        print_sysctls(&style, json_object_get(report, "Sysctls"));
        print_tables(&style, json_object_get(report, "Tables"));
        print_risks(&style, json_object_get(report, "Risks"));
    }
    bool risky = json_array_size(json_object_get(report, "Risks")) > 0;
    return strict && risky ? 1 : 0;
}
