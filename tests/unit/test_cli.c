/* src/cli/cli.h: parsing `husk run` arguments; src/cli/option_table.h: the
 * option tables every command's getopt and --help text come from. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cli/cli.h"
#include "unit.h"

/* A writable argv, as main() would get it. */
struct args {
    int argc;
    char *argv[64];
};

static void args_make(struct args *a, const char *const *words)
{
    a->argc = 0;
    for (; *words != NULL; words++) {
        assert_true(a->argc < 63);
        a->argv[a->argc++] = strdup(*words);
    }
    a->argv[a->argc] = NULL;
}

static void args_free(struct args *a)
{
    for (int i = 0; i < a->argc; i++)
        free(a->argv[i]);
    a->argc = 0;
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void parse_ok(struct args *a, const char *const *words, struct run_options *o)
{
    husk_error_t err = NULL;
    args_make(a, words);
    int rc = cli_run_parse(a->argc, a->argv, o, &err);
    if (rc != 0) {
        cli_run_options_free(o);
        fail_msg("cli_run_parse returned %d: %s", rc, err ? err->message : "(no error)");
    }
}

static void assert_parse_fails(const char *const *words, const char *word)
{
    struct args a;
    struct run_options o;
    husk_error_t err = NULL;
    args_make(&a, words);
    int rc = cli_run_parse(a.argc, a.argv, &o, &err);
    cli_run_options_free(&o);
    args_free(&a);
    if (rc != -1)
        fail_msg("cli_run_parse returned %d, expected -1", rc);
    char message[512];
    snprintf(message, sizeof(message), "%s", err && err->message ? err->message : "(none)");
    int status = err ? err->exit_status : -1;
    husk_error_free(&err);
    if (strstr(message, word) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", message, word);
    assert_int_equal(status, HUSK_EXIT_ENGINE);
}

static void test_every_field(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    parse_ok(&a,
             WORDS("run", "--rm", "-it", "-e", "A=1", "-e", "B", "--name", "x", "-w", "/tmp", "-u",
                   "1:2", "--hostname", "h", "--network", "none", "--privileged", "--read-only",
                   "busybox", "sh", "-c", "echo"),
             &o);
    assert_true(o.auto_remove);
    assert_true(o.interactive);
    assert_true(o.tty);
    assert_int_equal(o.env_count, 2);
    assert_string_equal(o.env[0], "A=1");
    assert_string_equal(o.env[1], "B");
    assert_string_equal(o.name, "x");
    assert_string_equal(o.workdir, "/tmp");
    assert_string_equal(o.user, "1:2");
    assert_string_equal(o.hostname, "h");
    assert_string_equal(o.network, "none");
    assert_true(o.privileged);
    assert_true(o.read_only);
    assert_string_equal(o.image, "busybox");
    assert_non_null(o.command);
    assert_string_equal(o.command[0], "sh");
    assert_string_equal(o.command[1], "-c");
    assert_string_equal(o.command[2], "echo");
    assert_null(o.command[3]);
    cli_run_options_free(&o);
    args_free(&a);
}

static void test_network_flags(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    parse_ok(&a,
             WORDS("run", "-p", "8080:80", "--publish", "127.0.0.1:53:53/udp", "-P", "--expose",
                   "90", "--sysctl", "net.core.somaxconn=1024", "--net", "app", "--userns",
                   "private", "busybox"),
             &o);
    assert_int_equal(o.publish_count, 2);
    assert_string_equal(o.publish[0], "8080:80");
    assert_string_equal(o.publish[1], "127.0.0.1:53:53/udp");
    assert_true(o.publish_all);
    assert_int_equal(o.expose_count, 1);
    assert_string_equal(o.expose[0], "90");
    assert_int_equal(o.sysctl_count, 1);
    assert_string_equal(o.sysctl[0], "net.core.somaxconn=1024");
    assert_string_equal(o.network, "app");
    assert_string_equal(o.userns_mode, "private");
    cli_run_options_free(&o);
    args_free(&a);
}

static void test_defaults(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    parse_ok(&a, WORDS("run", "busybox"), &o);
    assert_string_equal(o.image, "busybox");
    assert_null(o.command);
    assert_null(o.name);
    assert_null(o.workdir);
    assert_null(o.user);
    assert_null(o.hostname);
    assert_null(o.network);
    assert_int_equal(o.env_count, 0);
    assert_false(o.interactive || o.tty || o.privileged || o.read_only || o.auto_remove);
    cli_run_options_free(&o);
    args_free(&a);
}

static void test_options_after_image_belong_to_command(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    parse_ok(&a, WORDS("run", "busybox", "ls", "-l", "--rm", "-e", "X=1"), &o);
    assert_string_equal(o.image, "busybox");
    assert_string_equal(o.command[0], "ls");
    assert_string_equal(o.command[1], "-l");
    assert_string_equal(o.command[2], "--rm");
    assert_string_equal(o.command[3], "-e");
    assert_string_equal(o.command[4], "X=1");
    assert_null(o.command[5]);
    assert_false(o.auto_remove);
    assert_int_equal(o.env_count, 0);
    cli_run_options_free(&o);
    args_free(&a);
}

static void test_network_forms(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    parse_ok(&a, WORDS("run", "--net", "host", "busybox"), &o);
    assert_string_equal(o.network, "host");
    cli_run_options_free(&o);
    args_free(&a);
    parse_ok(&a, WORDS("run", "--network=none", "busybox"), &o);
    assert_string_equal(o.network, "none");
    cli_run_options_free(&o);
    args_free(&a);
    parse_ok(&a, WORDS("run", "--net=host", "busybox"), &o);
    assert_string_equal(o.network, "host");
    cli_run_options_free(&o);
    args_free(&a);
}

static void test_short_h_is_hostname(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    parse_ok(&a, WORDS("run", "-h", "foo", "busybox"), &o);
    assert_string_equal(o.hostname, "foo");
    assert_string_equal(o.image, "busybox");
    cli_run_options_free(&o);
    args_free(&a);
}

static void test_attached_and_long_forms(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    parse_ok(&a,
             WORDS("run", "-eA=1", "--env=B=2", "--env", "C=3", "-uroot", "--workdir=/w", "--user",
                   "nobody", "--interactive", "--tty", "--name=n1", "busybox"),
             &o);
    assert_int_equal(o.env_count, 3);
    assert_string_equal(o.env[0], "A=1");
    assert_string_equal(o.env[1], "B=2");
    assert_string_equal(o.env[2], "C=3");
    assert_null(o.env[3]);
    assert_string_equal(o.user, "nobody"); /* the last one wins */
    assert_string_equal(o.workdir, "/w");
    assert_string_equal(o.name, "n1");
    assert_true(o.interactive);
    assert_true(o.tty);
    cli_run_options_free(&o);
    args_free(&a);
}

static void test_double_dash(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    parse_ok(&a, WORDS("run", "--rm", "--", "busybox", "--rm"), &o);
    assert_true(o.auto_remove);
    assert_string_equal(o.image, "busybox");
    assert_string_equal(o.command[0], "--rm");
    cli_run_options_free(&o);
    args_free(&a);
}

/* getopt keeps global state: parsing twice gives the same answer. */
static void test_parse_twice(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        struct args a;
        struct run_options o;
        parse_ok(&a, WORDS("run", "-i", "--name", "again", "busybox", "true"), &o);
        assert_string_equal(o.name, "again");
        assert_string_equal(o.command[0], "true");
        cli_run_options_free(&o);
        args_free(&a);
    }
}

static void test_unknown_flag(void **state)
{
    (void)state;
    assert_parse_fails(WORDS("run", "--bogus", "busybox"), "unknown flag --bogus");
    assert_parse_fails(WORDS("run", "-x", "busybox"), "unknown flag -x");
    assert_parse_fails(WORDS("run", "--rm", "-q", "80:80", "busybox"), "unknown flag -q");
}

/* getopt does not advance optind for an unknown flag in the middle of a
 * cluster, so argv[optind - 1] names the previous word ("run"), not "-xi". */
static void test_unknown_flag_in_cluster_named(void **state)
{
    (void)state;
    assert_parse_fails(WORDS("run", "-xi", "busybox"), "-x");
}

static void test_missing_image(void **state)
{
    (void)state;
    assert_parse_fails(WORDS("run"), "requires an IMAGE");
    assert_parse_fails(WORDS("run", "--rm", "-it"), "requires an IMAGE");
    assert_parse_fails(WORDS("run", "--"), "IMAGE");
}

static void test_missing_value(void **state)
{
    (void)state;
    assert_parse_fails(WORDS("run", "--name"), "--name needs an argument");
    assert_parse_fails(WORDS("run", "-e"), "-e needs an argument");
    assert_parse_fails(WORDS("run", "--rm", "-u"), "-u needs an argument");
    assert_parse_fails(WORDS("run", "--workdir"), "needs an argument");
    assert_parse_fails(WORDS("run", "--network"), "needs an argument");
}

static void test_help(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    husk_error_t err = NULL;
    args_make(&a, WORDS("run", "--rm", "--help", "busybox"));
    /* The usage goes to stdout, where cmocka writes TAP: hide it. */
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int null = open("/dev/null", O_WRONLY);
    assert_true(saved >= 0 && null >= 0);
    dup2(null, STDOUT_FILENO);
    close(null);
    int rc = cli_run_parse(a.argc, a.argv, &o, &err);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    cli_run_options_free(&o);
    args_free(&a);
    assert_int_equal(rc, 1);
    assert_no_error(err);
}

/* The help text of HELP, as cli_help_print writes it. */
static char *help_text(const struct cli_help *help)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_non_null(out);
    cli_help_print(help, out);
    fclose(out);
    return text;
}

/* WORD appears in TEXT as a whole flag: not as the start of a longer one
 * ("--net" inside "--network" does not count). */
static bool has_flag(const char *text, const char *word)
{
    size_t length = strlen(word);
    for (const char *at = strstr(text, word); at != NULL; at = strstr(at + 1, word)) {
        char before = at == text ? ' ' : at[-1];
        char after = at[length];
        if ((before == ' ' || before == '\n') && strchr(" ,=\n", after) != NULL)
            return true;
    }
    return false;
}

static void check_table(const char *command, const struct cli_help *help)
{
    char *text = help_text(help);
    const struct cli_option *options = help->options;
    size_t n = 0;
    for (; options[n].getopt.name != NULL; n++) {
        const struct cli_option *o = &options[n];
        char flag[64];
        snprintf(flag, sizeof(flag), "--%s", o->getopt.name);
        if (!has_flag(text, flag))
            fail_msg("husk %s --help does not show %s:\n%s", command, flag, text);
        if (o->short_name != 0) {
            snprintf(flag, sizeof(flag), "-%c,", o->short_name);
            if (strstr(text, flag) == NULL)
                fail_msg("husk %s --help does not show -%c", command, o->short_name);
            /* Both forms must reach the same case of the parser's switch. */
            if (o->getopt.val != o->short_name)
                fail_msg("husk %s: -%c returns %d, not '%c'", command, o->short_name, o->getopt.val,
                         o->short_name);
        }
        /* An alias (help NULL) is printed with the entry before it: it must
         * do what that entry does. */
        if (o->help == NULL && (n == 0 || options[n - 1].getopt.val != o->getopt.val))
            fail_msg("husk %s: alias --%s follows no entry of its own value", command,
                     o->getopt.name);
        if (o->argument != NULL && o->getopt.has_arg == no_argument)
            fail_msg("husk %s: --%s names an argument it does not take", command, o->getopt.name);
        for (size_t k = 0; k < n; k++) {
            if (strcmp(options[k].getopt.name, o->getopt.name) == 0)
                fail_msg("husk %s: --%s is listed twice", command, o->getopt.name);
            if (o->short_name != 0 && options[k].short_name == o->short_name)
                fail_msg("husk %s: -%c is listed twice", command, o->short_name);
        }
    }
    assert_true(n <= CLI_OPTIONS_MAX);
    if (!has_flag(text, "--help"))
        fail_msg("husk %s --help does not document --help", command);
    free(text);
}

/* Every option of every command appears in that command's --help. */
static void test_every_option_in_help(void **state)
{
    (void)state;
    size_t count = 0;
    const struct cli_command *commands = cli_commands(&count);
    assert_true(count > 20);
    for (size_t i = 0; i < count; i++) {
        assert_non_null(commands[i].help);
        check_table(commands[i].name, commands[i].help);
    }
    check_table("(global)", &cli_global_help);
}

static void test_getopt_tables_from_options(void **state)
{
    (void)state;
    static const struct cli_option options[] = {
        {{"all", no_argument, NULL, 'a'}, 'a', NULL, "all"},
        {{"name", required_argument, NULL, 300}, 0, "NAME", "a name"},
        {{"time", required_argument, NULL, 't'}, 't', "N", "seconds"},
        {{"timeout", required_argument, NULL, 't'}, 0, NULL, NULL},
        {{"level", optional_argument, NULL, 'l'}, 'l', "N", "how much"},
        CLI_HELP_OPTION('H'),
        CLI_OPTIONS_END,
    };
    struct cli_getopt table;
    cli_getopt_init(&table, options, "+:");
    assert_string_equal(table.short_options, "+:at:l::");
    assert_string_equal(table.long_options[3].name, "timeout");
    assert_int_equal(table.long_options[3].val, 't');
    assert_int_equal(table.long_options[1].val, 300);
    assert_string_equal(table.long_options[5].name, "help");
    assert_null(table.long_options[6].name);
}

static void test_help_layout(void **state)
{
    (void)state;
    static const struct cli_option options[] = {
        {{"all", no_argument, NULL, 'a'}, 'a', NULL, "every one"},
        {{"time", required_argument, NULL, 't'}, 't', "N", "first line\nsecond line"},
        {{"timeout", required_argument, NULL, 't'}, 0, NULL, NULL},
        {{"a-very-long-option-name", required_argument, NULL, 301}, 0, "VALUE", "far out"},
        CLI_OPTIONS_END,
    };
    static const struct cli_help help = {"demo [OPTIONS] THING", "Does a demo.\n", options,
                                         "After.\n"};
    char *text = help_text(&help);
    assert_string_equal(text, "Usage: husk demo [OPTIONS] THING\n"
                              "\n"
                              "Does a demo.\n"
                              "\n"
                              "Options:\n"
                              "  -a, --all                every one\n"
                              "  -t, --time, --timeout N  first line\n"
                              "                           second line\n"
                              "      --a-very-long-option-name VALUE  far out\n"
                              "\n"
                              "After.\n");
    free(text);
}

/* create has every flag of run but -d, and refuses -d as unknown. */
static void test_create_has_no_detach(void **state)
{
    (void)state;
    char *text = help_text(&cli_create_help);
    assert_false(has_flag(text, "--detach"));
    assert_true(has_flag(text, "--rm"));
    free(text);
    text = help_text(&cli_run_help);
    assert_true(has_flag(text, "--detach"));
    free(text);
}

static void test_identity_flags(void **state)
{
    (void)state;
    struct args a;
    struct run_options o;
    parse_ok(&a,
             WORDS("run", "-l", "a=1", "--label", "b", "-a", "stdout", "-aSTDERR",
                   "--sig-proxy=false", "--add-host", "db:10.0.0.2", "--dns", "192.0.2.1",
                   "--dns-opt", "ndots:2", "--dns-option", "rotate", "--net-alias", "x",
                   "--network-alias", "y", "--ip", "10.89.0.9", "--mac-address",
                   "92:d0:c6:0a:29:33", "--domainname", "example.com", "--group-add", "staff",
                   "--shm-size", "1g", "--stop-timeout", "5", "busybox"),
             &o);
    const struct identity_flags *f = &o.identity;
    assert_int_equal(f->labels.count, 2);
    assert_string_equal(f->labels.values[1], "b");
    assert_int_equal(f->attach.count, 2);
    assert_string_equal(f->attach.values[1], "STDERR");
    assert_string_equal(f->sig_proxy, "false");
    assert_int_equal(f->dns_options.count, 2);
    assert_int_equal(f->network_aliases.count, 2);
    assert_string_equal(f->ip, "10.89.0.9");
    assert_string_equal(f->shm_size, "1g");
    assert_string_equal(f->stop_timeout, "5");
    assert_string_equal(o.image, "busybox");
    cli_run_options_free(&o);
    args_free(&a);
    parse_ok(&a, WORDS("run", "--sig-proxy", "busybox"), &o);
    assert_string_equal(o.identity.sig_proxy, "true");
    cli_run_options_free(&o);
    args_free(&a);
    /* As docker's booleans: a value only after '='. */
    parse_ok(&a, WORDS("run", "--sig-proxy", "false"), &o);
    assert_string_equal(o.identity.sig_proxy, "true");
    assert_string_equal(o.image, "false");
    cli_run_options_free(&o);
    args_free(&a);
    assert_parse_fails(WORDS("run", "-l"), "flag -l needs an argument");
    /* --sig-proxy is run's only, as docker's. */
    char *text = help_text(&cli_create_help);
    assert_false(has_flag(text, "--sig-proxy"));
    assert_true(has_flag(text, "--label-file"));
    free(text);
}

/* Flag groups (resources, identity, log, health) number their options in
 * ranges of their own: two flags sharing a value would each do the
 * other's work. Aliases (help NULL) may share their entry's value. */
static void test_option_values_unique(void **state)
{
    (void)state;
    const struct cli_help *helps[] = {&cli_run_help, &cli_create_help};
    for (size_t h = 0; h < 2; h++) {
        const struct cli_option *options = helps[h]->options;
        for (size_t i = 0; options[i].getopt.name != NULL; i++)
            for (size_t j = i + 1; options[j].getopt.name != NULL; j++) {
                if (options[j].help == NULL || options[i].getopt.val != options[j].getopt.val)
                    continue;
                fail_msg("--%s and --%s share value %d", options[i].getopt.name,
                         options[j].getopt.name, options[i].getopt.val);
            }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_option_values_unique),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_options_after_image_belong_to_command),
        cmocka_unit_test(test_network_forms),
        cmocka_unit_test(test_short_h_is_hostname),
        cmocka_unit_test(test_attached_and_long_forms),
        cmocka_unit_test(test_double_dash),
        cmocka_unit_test(test_parse_twice),
        cmocka_unit_test(test_unknown_flag),
        cmocka_unit_test(test_network_flags),
        cmocka_unit_test(test_unknown_flag_in_cluster_named),
        cmocka_unit_test(test_missing_image),
        cmocka_unit_test(test_missing_value),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_every_option_in_help),
        cmocka_unit_test(test_getopt_tables_from_options),
        cmocka_unit_test(test_help_layout),
        cmocka_unit_test(test_create_has_no_detach),
        cmocka_unit_test(test_identity_flags),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
