/* src/engine/run.h: run_options_validate, everything checked before creating anything. */
#include <stdlib.h>

#include "../../src/engine/run.h"
#include "unit.h"

static void assert_valid(const struct run_options *o)
{
    husk_error_t err = NULL;
    if (run_options_validate(o, &err) < 0)
        fail_msg("rejected: %s", err->message);
}

static void assert_invalid(const struct run_options *o, const char *word)
{
    husk_error_t err = NULL;
    assert_int_equal(run_options_validate(o, &err), -1);
    assert_error_contains(err, word);
    husk_error_free(&err);
}

static void test_minimal_valid(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox"};
    assert_valid(&o);
}

static void test_everything_valid(void **state)
{
    (void)state;
    const char *env[] = {"A=1", "B=", "HOME"};
    char *command[] = {"sh", "-c", "true", NULL};
    struct run_options o = {.image = "busybox",
                            .command = command,
                            .name = "web_1.a-b",
                            .env = env,
                            .env_count = 3,
                            .workdir = "/srv/app",
                            .user = "1000:1000",
                            .hostname = "box",
                            .network = "host",
                            .interactive = true,
                            .tty = true,
                            .privileged = true,
                            .read_only = true,
                            .auto_remove = true};
    assert_valid(&o);
    o.network = "none";
    assert_valid(&o);
}

static void test_invalid_name(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox", .name = "-bad"};
    assert_invalid(&o, "invalid container name \"-bad\"");
    o.name = "a b";
    assert_invalid(&o, "invalid container name");
    o.name = "";
    assert_invalid(&o, "invalid container name");
}

static void test_network(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox", .network = "bridge"};
    assert_valid(&o);
    o.network = "my-net";
    assert_valid(&o);
    o.network = "-bad";
    assert_invalid(&o, "invalid --network mode \"-bad\"");
    o.network = "container:";
    assert_invalid(&o, "network");
    o.network = "";
    assert_invalid(&o, "network");
    o.network = "a b";
    assert_invalid(&o, "network");
    o.network = "container:abc";
    assert_valid(&o);
    o.hostname = "web";
    assert_invalid(&o, "conflicting options: --hostname and --network container:abc");
}

static void test_joinable_modes(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox", .pid_mode = "container:a",
                            .ipc_mode = "container:b"};
    assert_valid(&o);
    o.uts_mode = "container:a";
    assert_invalid(&o, "invalid --uts mode \"container:a\"");
    o.uts_mode = NULL;
    o.cgroupns_mode = "container:a";
    assert_invalid(&o, "invalid --cgroupns mode");
    o.cgroupns_mode = NULL;
    o.pid_mode = "container";
    assert_invalid(&o, "invalid --pid mode \"container\": use host, private or container:NAME");
    o.pid_mode = NULL;
    o.ipc_mode = "container:";
    assert_invalid(&o, "invalid --ipc mode");
}

static void test_workdir(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox", .workdir = "tmp"};
    assert_invalid(&o, "invalid workdir \"tmp\"");
    o.workdir = "";
    assert_invalid(&o, "workdir");
    o.workdir = "/";
    assert_valid(&o);
}

static void test_hostname(void **state)
{
    (void)state;
    char long_name[80];
    memset(long_name, 'h', sizeof(long_name));
    long_name[65] = '\0';
    struct run_options o = {.image = "busybox", .hostname = long_name};
    assert_invalid(&o, "hostname");
    long_name[64] = '\0';
    /* RFC 1123: 64 characters, but no label longer than 63 */
    assert_invalid(&o, "not an RFC 1123 host name");
    long_name[30] = '.';
    assert_valid(&o);
    o.hostname = "";
    assert_invalid(&o, "hostname");
    o.hostname = "under_score";
    assert_invalid(&o, "invalid --hostname \"under_score\"");
}

static void test_bad_env(void **state)
{
    (void)state;
    const char *env[] = {"OK=1", "=x"};
    struct run_options o = {.image = "busybox", .env = env, .env_count = 2};
    assert_invalid(&o, "invalid environment variable \"=x\"");
    env[1] = "A B=1";
    assert_invalid(&o, "white space");
    env[1] = "";
    assert_invalid(&o, "environment variable");
}

static void test_bad_user(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox", .user = "a:b:c"};
    assert_invalid(&o, "invalid user");
    o.user = ":1";
    assert_invalid(&o, "invalid user");
    o.user = "1:";
    assert_invalid(&o, "invalid user");
    o.user = "";
    assert_invalid(&o, "invalid user");
    /* Names are only looked up in the image later. */
    o.user = "nosuch:nogroup";
    assert_valid(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_valid), cmocka_unit_test(test_everything_valid),
        cmocka_unit_test(test_invalid_name),  cmocka_unit_test(test_network),
        cmocka_unit_test(test_joinable_modes),
        cmocka_unit_test(test_workdir),       cmocka_unit_test(test_hostname),
        cmocka_unit_test(test_bad_env),       cmocka_unit_test(test_bad_user),
    };
    return cmocka_run_group_tests_name("run_options", tests, NULL, NULL);
}
