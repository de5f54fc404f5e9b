/* The OCI face's pure parts: container IDs, cgroupsPath spellings, the
 * config.json fields managers fill in (rlimits, hooks, umask, oomScoreAdj,
 * consoleSize), the default spec and features. */
#include <linux/seccomp.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "../../src/runtime/oci/oci.h"
#include "../../src/runtime/oci/state.h"
#include "../../src/runtime/seccomp.h"
#include "../../src/runtime/spec.h"
#include "../../src/util/json_text.h"
#include "unit.h"

#define BASE "\"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\""

static struct runtime_spec *parse(const char *text, husk_error_t *err)
{
    json_error_t error;
    char *copy = strdup(text);
    json_t *document = json_loadb_uint64(copy, strlen(copy), &error);
    free(copy);
    if (document == NULL)
        fail_msg("test JSON does not parse: %s: %s", error.text, text);
    struct runtime_spec *spec = NULL;
    int rc = runtime_spec_parse(document, "/bundle", &spec, err);
    json_decref(document);
    return rc == 0 ? spec : NULL;
}

static void assert_rejected(const char *text, const char *word)
{
    husk_error_t err = NULL;
    struct runtime_spec *spec = parse(text, &err);
    if (spec != NULL) {
        runtime_spec_free(spec);
        fail_msg("accepted: %s", text);
    }
    assert_error_contains(err, word);
    husk_error_free(&err);
}

static void test_id_check(void **state)
{
    (void)state;
    const char *good[] = {"a", "abc-DEF_1.2+3", "46ce135b-8bb7-4a76-99ce-3b732645e5d9"};
    const char *bad[] = {"", ".", "..", "a/b", "../x", "a b", "a\n"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        husk_error_t err = NULL;
        assert_int_equal(oci_id_check(good[i], &err), 0);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        husk_error_t err = NULL;
        assert_int_equal(oci_id_check(bad[i], &err), -1);
        assert_error_contains(err, "invalid container ID");
        husk_error_free(&err);
    }
}

static void assert_cgroups_path(const char *spec_path, const char *expected)
{
    char *path = oci_cgroups_path(spec_path, "ID");
    assert_string_equal(path, expected);
    free(path);
}

static void test_cgroups_path(void **state)
{
    (void)state;
    assert_cgroups_path(NULL, "/ID");
    assert_cgroups_path("", "/ID");
    assert_cgroups_path("/libpod_parent/libpod-x", "/libpod_parent/libpod-x");
    assert_cgroups_path("relative/path", "relative/path");
    assert_cgroups_path("system.slice:docker:abc", "/system.slice/docker-abc.scope");
    assert_cgroups_path("kubepods-besteffort-pod1.slice:cri-containerd:abc",
                        "/kubepods.slice/kubepods-besteffort.slice/"
                        "kubepods-besteffort-pod1.slice/cri-containerd-abc.scope");
    assert_cgroups_path(":husk:abc", "/system.slice/husk-abc.scope");
    assert_cgroups_path("-.slice:husk:abc", "/husk-abc.scope");
    assert_cgroups_path("machine.slice::abc", "/machine.slice/abc.scope");
    assert_cgroups_path("user.slice:x:sub.slice", "/user.slice/sub.slice");
    /* Not the three-part spelling: a path as it is. */
    assert_cgroups_path("/a:b:c", "/a:b:c");
    assert_cgroups_path("a:b", "a:b");
}

static void test_rlimits(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_spec *spec = parse(
        "{" BASE ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": 4096},"
        " {\"type\": \"RLIMIT_CORE\", \"soft\": 18446744073709551615, \"hard\": "
        "18446744073709551615}]}}",
        &err);
    assert_no_error(err);
    assert_int_equal(spec->rlimit_count, 2);
    assert_int_equal(spec->rlimits[0].resource, RLIMIT_NOFILE);
    assert_int_equal(spec->rlimits[0].soft, 1024);
    assert_int_equal(spec->rlimits[0].hard, 4096);
    assert_true(spec->rlimits[1].soft == RLIM_INFINITY);
    assert_true(spec->rlimits[1].hard == RLIM_INFINITY);
    assert_int_equal(spec->umask, -1);
    assert_false(spec->has_oom_score_adj);
    runtime_spec_free(spec);
    assert_rejected("{" BASE
                    ", \"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]}}",
                    "process.rlimits[0].type: unknown RLIMIT_FOO");
    assert_rejected("{" BASE
                    ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]}}",
                    "soft RLIMIT_NOFILE above hard");
    assert_rejected("{" BASE ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\"}]}}",
                    "process.rlimits[0] needs type, soft and hard");
    assert_rejected("{" BASE
                    ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1},"
                    " {\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}]}}",
                    "given twice");
    assert_string_equal(runtime_rlimit_name(RLIMIT_NPROC), "RLIMIT_NPROC");
}

/* Integers of uint64 fields above INT64_MAX keep their bits; strings,
 * reals and ordinary numbers are untouched. */
static void test_uint64_integers(void **state)
{
    (void)state;
    char text[] =
        "{\"a\": 18446744073709551615, \"b\": 9223372036854775808, \"c\": \"18446744073709551615\","
        " \"d\": 1.8446744073709551615e19, \"e\": [12, -3], \"f\": 9223372036854775807}";
    json_error_t error;
    json_t *value = json_loadb_uint64(text, strlen(text), &error);
    if (value == NULL)
        fail_msg("does not parse: %s", error.text);
    assert_true((uint64_t)json_integer_value(json_object_get(value, "a")) == UINT64_MAX);
    assert_true((uint64_t)json_integer_value(json_object_get(value, "b")) == UINT64_C(1) << 63);
    assert_string_equal(json_string_value(json_object_get(value, "c")), "18446744073709551615");
    assert_true(json_is_real(json_object_get(value, "d")));
    assert_int_equal(json_integer_value(json_array_get(json_object_get(value, "e"), 1)), -3);
    assert_true(json_integer_value(json_object_get(value, "f")) == INT64_MAX);
    json_decref(value);
    char too_big[] = "[18446744073709551616]";
    assert_null(json_loadb_uint64(too_big, strlen(too_big), &error));
}

static void test_process_extras(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_spec *spec =
        parse("{" BASE ", \"user\": {\"uid\": 1, \"gid\": 2, \"umask\": 63},"
              " \"oomScoreAdj\": -500, \"consoleSize\": {\"height\": 24, \"width\": 80}},"
              " \"domainname\": \"example.org\"}",
              &err);
    assert_no_error(err);
    assert_int_equal(spec->umask, 077);
    assert_true(spec->has_oom_score_adj);
    assert_int_equal(spec->oom_score_adj, -500);
    assert_int_equal(spec->console_height, 24);
    assert_int_equal(spec->console_width, 80);
    assert_string_equal(spec->domainname, "example.org");
    runtime_spec_free(spec);
    assert_rejected("{" BASE ", \"oomScoreAdj\": 1001}}", "oomScoreAdj must be -1000 to 1000");
    assert_rejected("{" BASE ", \"user\": {\"umask\": 512}}}", "umask must be 0 to 0777");
    assert_rejected("{" BASE ", \"consoleSize\": {\"height\": -1, \"width\": 1}}}", "consoleSize");
}

static void test_hooks(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_spec *spec =
        parse("{" BASE "}, \"hooks\": {\"prestart\": [{\"path\": \"/bin/a\"}],"
              " \"poststop\": [{\"path\": \"/bin/b\", \"args\": [\"b\", \"x\"],"
              " \"env\": [\"K=V\"], \"timeout\": 5}, {\"path\": \"/bin/c\"}],"
              " \"futureHook\": [{\"path\": \"/ignored\"}]}}",
              &err);
    assert_no_error(err);
    assert_int_equal(spec->hooks[RUNTIME_HOOK_PRESTART].count, 1);
    assert_string_equal(spec->hooks[RUNTIME_HOOK_PRESTART].hooks[0].path, "/bin/a");
    assert_null(spec->hooks[RUNTIME_HOOK_PRESTART].hooks[0].args);
    const struct runtime_hook_list *poststop = &spec->hooks[RUNTIME_HOOK_POSTSTOP];
    assert_int_equal(poststop->count, 2);
    assert_string_equal(poststop->hooks[0].args[1], "x");
    assert_string_equal(poststop->hooks[0].env[0], "K=V");
    assert_int_equal(poststop->hooks[0].timeout, 5);
    assert_int_equal(spec->hooks[RUNTIME_HOOK_START_CONTAINER].count, 0);
    runtime_spec_free(spec);
    assert_rejected("{" BASE "}, \"hooks\": {\"poststart\": [{\"path\": \"rel\"}]}}",
                    "hooks.poststart[0].path must be an absolute path");
    assert_rejected("{" BASE
                    "}, \"hooks\": {\"createRuntime\": [{\"path\": \"/x\", \"timeout\": 0}]}}",
                    "hooks.createRuntime[0].timeout must be a positive integer");
    assert_rejected("{" BASE "}, \"hooks\": {\"prestart\": {}}}",
                    "hooks.prestart must be an array");
    assert_rejected("{" BASE "}, \"hooks\": {\"prestart\": [{\"path\": \"/x\", \"args\": [1]}]}}",
                    "hooks.prestart[0].args must be an array of strings");
}

static void test_relative_bind_source(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_spec *spec =
        parse("{" BASE "}, \"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\","
              " \"source\": \"data\", \"options\": [\"rbind\"]}, {\"destination\": \"/abs\","
              " \"source\": \"/srv\", \"options\": [\"bind\"]}]}",
              &err);
    assert_no_error(err);
    assert_string_equal(spec->mounts[0].source, "/bundle/data");
    assert_string_equal(spec->mounts[1].source, "/srv");
    runtime_spec_free(spec);
}

static int compile(const char *text, struct seccomp_program *program, husk_error_t *err)
{
    json_t *seccomp = json_loads(text, 0, NULL);
    int rc = seccomp_program_compile(seccomp, program, err);
    json_decref(seccomp);
    return rc;
}

static void test_seccomp_architectures_and_flags(void **state)
{
    (void)state;
    struct seccomp_program program;
    husk_error_t err = NULL;
    assert_int_equal(
        compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\":"
                " [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],"
                " \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],"
                " \"syscalls\": [{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                &program, &err),
        0);
    assert_no_error(err);
    assert_int_equal(program.flags, SECCOMP_FILTER_FLAG_LOG);
    struct seccomp_program native;
    assert_int_equal(compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":"
                             " [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                             &native, &err),
                     0);
    /* The 32-bit syscall numbers get rules of their own. */
    assert_true(program.length > native.length);
    seccomp_program_free(&program);
    seccomp_program_free(&native);
    assert_int_equal(compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\":"
                             " [\"SCMP_ARCH_NOPE\"]}",
                             &program, &err),
                     -1);
    assert_error_contains(err, "linux.seccomp.architectures[0]: unknown SCMP_ARCH_NOPE");
    husk_error_free(&err);
    assert_int_equal(compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"FLAG_NOPE\"]}",
                             &program, &err),
                     -1);
    assert_error_contains(err, "linux.seccomp.flags[0]: unknown FLAG_NOPE");
    husk_error_free(&err);
}

/* The default spec parses as husk's own runtime reads it. */
static void test_default_spec_parses(void **state)
{
    (void)state;
    for (int rootless = 0; rootless < 2; rootless++) {
        json_t *document = oci_default_spec(rootless);
        assert_string_equal(json_string_value(json_object_get(document, "ociVersion")),
                            OCI_VERSION);
        struct runtime_spec *spec = NULL;
        husk_error_t err = NULL;
        assert_int_equal(runtime_spec_parse(document, "/bundle", &spec, &err), 0);
        assert_no_error(err);
        assert_string_equal(spec->root_path, "/bundle/rootfs");
        json_t *readonly = json_object_get(json_object_get(document, "linux"), "readonlyPaths");
        assert_int_equal(json_array_size(readonly), 5);
        for (size_t i = 0; i < json_array_size(readonly); i++)
            assert_int_equal(json_string_value(json_array_get(readonly, i))[0], '/');
        assert_true(spec->root_readonly);
        assert_int_equal(spec->rlimit_count, 1);
        assert_true(runtime_spec_has_namespace(spec, CLONE_NEWPID));
        assert_int_equal(runtime_spec_has_namespace(spec, CLONE_NEWUSER), rootless);
        runtime_spec_free(spec);
        json_decref(document);
    }
    json_t *features = oci_features();
    assert_string_equal(json_string_value(json_object_get(features, "ociVersionMax")), OCI_VERSION);
    assert_int_equal(json_array_size(json_object_get(features, "hooks")), RUNTIME_HOOK_KINDS);
    json_decref(features);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_check),
        cmocka_unit_test(test_cgroups_path),
        cmocka_unit_test(test_rlimits),
        cmocka_unit_test(test_uint64_integers),
        cmocka_unit_test(test_process_extras),
        cmocka_unit_test(test_hooks),
        cmocka_unit_test(test_relative_bind_source),
        cmocka_unit_test(test_seccomp_architectures_and_flags),
        cmocka_unit_test(test_default_spec_parses),
    };
    return cmocka_run_group_tests_name("oci", tests, NULL, NULL);
}
