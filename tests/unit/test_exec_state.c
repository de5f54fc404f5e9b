/* src/runtime/exec_state.h: an exec's digest of a container's config.json,
 * taken from exec.json only while it matches the config.json there. */
#include <fcntl.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/engine/seccomp_profile.h"
#include "../../src/runtime/exec_state.h"
#include "../../src/util/xalloc.h"
#include "unit.h"

struct bundle {
    char path[64];
    int fd;
};

/* A config.json with ARGS0 as the command and the default seccomp profile,
 * replaced whole (a new inode) as husk replaces it. */
static void write_config(struct bundle *b, const char *args0)
{
    json_t *config =
        json_pack("{s:{s:[s], s:[s], s:s, s:{s:i, s:i}}, s:{s:s, s:o}}", "process", "args", args0,
                  "env", "PATH=/bin", "cwd", "/", "user", "uid", 0, "gid", 0, "linux",
                  "cgroupsPath", "/husk/unit", "seccomp", seccomp_profile_default());
    assert_non_null(config);
    assert_int_equal(json_dump_file(config, "/tmp/husk-unit-config.json", JSON_COMPACT), 0);
    char target[128];
    snprintf(target, sizeof(target), "%s/config.json", b->path);
    assert_int_equal(rename("/tmp/husk-unit-config.json", target), 0);
    json_decref(config);
}

static void bundle_make(struct bundle *b)
{
    snprintf(b->path, sizeof(b->path), "/tmp/husk-exec-state.XXXXXX");
    assert_non_null(mkdtemp(b->path));
    b->fd = open(b->path, O_RDONLY | O_DIRECTORY);
    assert_true(b->fd >= 0);
    write_config(b, "first");
}

static void bundle_remove(struct bundle *b)
{
    const char *files[] = {"config.json", "exec.json", "seccomp.bpf"};
    for (size_t i = 0; i < 3; i++)
        unlinkat(b->fd, files[i], 0);
    close(b->fd);
    rmdir(b->path);
}

/* Rewrites exec.json's command in place, keeping its tag. */
static void edit_saved_command(struct bundle *b, const char *command)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/exec.json", b->path);
    json_t *saved = json_load_file(path, 0, NULL);
    assert_non_null(saved);
    json_array_set_new(json_object_get(json_object_get(saved, "process"), "args"), 0,
                       json_string(command));
    assert_int_equal(json_dump_file(saved, path, JSON_COMPACT), 0);
    json_decref(saved);
}

static const char *loaded_command(struct bundle *b, struct exec_state *state)
{
    husk_error_t err = NULL;
    assert_int_equal(exec_state_load(b->fd, state, &err), 0);
    assert_no_error(err);
    return state->spec->args[0];
}

/* The first load builds from config.json and saves; later ones take the
 * saved state (proved by an edit only exec.json has), with the program,
 * the cgroups path and a layout. */
static void test_saved_state_is_used(void **unused)
{
    (void)unused;
    struct bundle b;
    bundle_make(&b);
    struct exec_state state;
    assert_string_equal(loaded_command(&b, &state), "first");
    assert_non_null(state.seccomp.filter);
    unsigned short length = state.seccomp.length;
    exec_state_free(&state);
    struct stat st;
    assert_int_equal(fstatat(b.fd, "exec.json", &st, 0), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    edit_saved_command(&b, "saved");
    assert_string_equal(loaded_command(&b, &state), "saved");
    assert_string_equal(state.spec->cgroups_path, "/husk/unit");
    assert_int_equal(state.seccomp.length, length);
    assert_true(state.layout.count > 0);
    exec_state_free(&state);
    bundle_remove(&b);
}

/* A new config.json (husk update replaces it) makes the saved state stale. */
static void test_new_config_rebuilds(void **unused)
{
    (void)unused;
    struct bundle b;
    bundle_make(&b);
    struct exec_state state;
    loaded_command(&b, &state);
    exec_state_free(&state);
    edit_saved_command(&b, "saved");
    write_config(&b, "second");
    assert_string_equal(loaded_command(&b, &state), "second");
    exec_state_free(&state);
    bundle_remove(&b);
}

/* A program file that is not the one exec.json names is not installed:
 * the state is rebuilt from config.json. */
static void test_other_program_rebuilds(void **unused)
{
    (void)unused;
    struct bundle b;
    bundle_make(&b);
    struct exec_state state;
    loaded_command(&b, &state);
    struct seccomp_program other = {.filter = xcalloc(2, sizeof(struct sock_filter)), .length = 2};
    other.filter[0] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    assert_int_equal(seccomp_program_save(b.fd, "seccomp.bpf", &other), 0);
    unsigned short length = state.seccomp.length;
    exec_state_free(&state);
    edit_saved_command(&b, "saved");
    assert_string_equal(loaded_command(&b, &state), "first");
    assert_int_equal(state.seccomp.length, length);
    seccomp_program_free(&other);
    exec_state_free(&state);
    bundle_remove(&b);
}

/* No config.json: an error naming it, nothing written. */
static void test_missing_config(void **unused)
{
    (void)unused;
    struct bundle b;
    bundle_make(&b);
    unlinkat(b.fd, "config.json", 0);
    struct exec_state state;
    husk_error_t err = NULL;
    assert_int_equal(exec_state_load(b.fd, &state, &err), -1);
    assert_error_contains(err, "config.json");
    husk_error_free(&err);
    struct stat st;
    assert_int_equal(fstatat(b.fd, "exec.json", &st, 0), -1);
    bundle_remove(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_saved_state_is_used),
        cmocka_unit_test(test_new_config_rebuilds),
        cmocka_unit_test(test_other_program_rebuilds),
        cmocka_unit_test(test_missing_config),
    };
    return cmocka_run_group_tests_name("exec_state", tests, NULL, NULL);
}
