/* src/cli/cli.h: parsing `husk run` arguments. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field),
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
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
