/* src/runtime/seccomp.h and src/engine/seccomp_profile.h: actions, compiling, the default profile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/engine/seccomp_profile.h"
#include "../../src/runtime/seccomp.h"
#include "unit.h"

static json_t *load_json(const char *text)
{
    json_error_t error;
    json_t *document = json_loads(text, 0, &error);
    if (document == NULL)
        fail_msg("test JSON does not parse: %s: %s", error.text, text);
    return document;
}

static void test_action_parse(void **state)
{
    (void)state;
    json_t *enosys = json_integer(ENOSYS);
    assert_int_equal(seccomp_action_parse("SCMP_ACT_ALLOW", NULL), SCMP_ACT_ALLOW);
    assert_int_equal(seccomp_action_parse("SCMP_ACT_ERRNO", NULL), SCMP_ACT_ERRNO(EPERM));
    assert_int_equal(seccomp_action_parse("SCMP_ACT_ERRNO", enosys), SCMP_ACT_ERRNO(ENOSYS));
    assert_int_equal(seccomp_action_parse("SCMP_ACT_KILL", NULL), SCMP_ACT_KILL_THREAD);
    assert_int_equal(seccomp_action_parse("SCMP_ACT_KILL_THREAD", NULL), SCMP_ACT_KILL_THREAD);
    assert_int_equal(seccomp_action_parse("SCMP_ACT_KILL_PROCESS", NULL), SCMP_ACT_KILL_PROCESS);
    assert_int_equal(seccomp_action_parse("SCMP_ACT_TRAP", NULL), SCMP_ACT_TRAP);
    assert_int_equal(seccomp_action_parse("SCMP_ACT_LOG", NULL), SCMP_ACT_LOG);
    assert_int_equal(seccomp_action_parse("SCMP_ACT_TRACE", enosys), SCMP_ACT_TRACE(ENOSYS));
    /* A non-integer errnoRet falls back to EPERM. */
    json_t *text = json_string("38");
    assert_int_equal(seccomp_action_parse("SCMP_ACT_ERRNO", text), SCMP_ACT_ERRNO(EPERM));
    json_decref(text);
    assert_int_equal(seccomp_action_parse("SCMP_ACT_FLY", NULL), -1);
    assert_int_equal(seccomp_action_parse("scmp_act_allow", NULL), -1);
    assert_int_equal(seccomp_action_parse("", NULL), -1);
    assert_int_equal(seccomp_action_parse(NULL, NULL), -1);
    json_decref(enosys);
}

static void test_compile_null_is_no_program(void **state)
{
    (void)state;
    struct seccomp_program program = {(void *)1, 99};
    husk_error_t err = NULL;
    assert_int_equal(seccomp_program_compile(NULL, &program, &err), 0);
    assert_null(program.filter);
    assert_int_equal(program.length, 0);
    assert_int_equal(seccomp_program_install(&program), 0); /* nothing to install */
    seccomp_program_free(&program);
}

static void test_compile_default_profile(void **state)
{
    (void)state;
    json_t *profile = seccomp_profile_default();
    assert_non_null(profile);
    assert_string_equal(json_string_value(json_object_get(profile, "defaultAction")),
                        "SCMP_ACT_ALLOW");
    assert_true(json_array_size(json_object_get(profile, "syscalls")) > 0);
    struct seccomp_program program;
    husk_error_t err = NULL;
    assert_int_equal(seccomp_program_compile(profile, &program, &err), 0);
    assert_no_error(err);
    assert_non_null(program.filter);
    assert_true(program.length > 10);
    /* A BPF program ends with a return. */
    assert_int_equal(BPF_CLASS(program.filter[program.length - 1].code), BPF_RET);
    seccomp_program_free(&program);
    assert_null(program.filter);
    json_decref(profile);
}

/* Installs the default profile in a child and checks what it denies. */
static void test_default_profile_enforced(void **state)
{
    (void)state;
    json_t *profile = seccomp_profile_default();
    struct seccomp_program program;
    husk_error_t err = NULL;
    assert_int_equal(seccomp_program_compile(profile, &program, &err), 0);
    json_decref(profile);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_program_install(&program) < 0)
            _exit(10);
        if (syscall(SYS_acct, NULL) != -1 || errno != EPERM)
            _exit(11);
        if (syscall(SYS_unshare, 0) != -1 || errno != EPERM)
            _exit(12);
#ifdef SYS_clone3
        if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
            _exit(13);
#endif
        long child = syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
        if (child == 0)
            _exit(0);
        if (child > 0) {
            waitpid((pid_t)child, NULL, 0);
            _exit(14);
        }
        if (errno != EPERM)
            _exit(15);
        /* A plain fork still works. */
        child = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
        if (child == 0)
            _exit(0);
        if (child < 0)
            _exit(16);
        int status;
        if (waitpid((pid_t)child, &status, 0) < 0 || !WIFEXITED(status))
            _exit(17);
        if (getpid() <= 0)
            _exit(18);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    seccomp_program_free(&program);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("child check %d failed", WEXITSTATUS(status));
}

static void assert_compile_fails(const char *text, const char *word)
{
    json_t *profile = load_json(text);
    struct seccomp_program program;
    husk_error_t err = NULL;
    int rc = seccomp_program_compile(profile, &program, &err);
    json_decref(profile);
    if (rc == 0) {
        seccomp_program_free(&program);
        fail_msg("compiled: %s", text);
    }
    seccomp_program_free(&program);
    assert_error_contains(err, word);
    husk_error_free(&err);
}

static void test_compile_rejects_default_action(void **state)
{
    (void)state;
    assert_compile_fails("{\"syscalls\": []}", "defaultAction");
    assert_compile_fails("{\"defaultAction\": \"SCMP_ACT_MAYBE\"}", "defaultAction");
    assert_compile_fails("{\"defaultAction\": 1}", "defaultAction");
}

static void test_compile_rejects_unknown_action(void **state)
{
    (void)state;
    assert_compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                         "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"},"
                         "{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_NOPE\"}]}",
                         "syscalls[1]");
    assert_compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                         "{\"names\": [\"mount\"]}]}",
                         "malformed");
    assert_compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                         "{\"names\": \"mount\", \"action\": \"SCMP_ACT_ERRNO\"}]}",
                         "malformed");
}

static void test_compile_rejects_bad_args(void **state)
{
    (void)state;
    assert_compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                         "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\","
                         " \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_LIKE\"}]}]}",
                         "args[0]");
    assert_compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                         "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\","
                         " \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"},"
                         " {\"index\": 6, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                         "args[1]");
    assert_compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                         "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\","
                         " \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                         "args[0]");
    assert_compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                         "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\","
                         " \"args\": [{\"index\": -1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                         "args[0]");
}

static void test_compile_rejects_too_many_args(void **state)
{
    (void)state;
    char text[2048];
    int used = snprintf(text, sizeof(text),
                        "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                        "[\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [");
    for (int i = 0; i < 7; i++)
        used += snprintf(text + used, sizeof(text) - (size_t)used,
                         "%s{\"index\": %d, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}", i ? "," : "",
                         i % 6);
    snprintf(text + used, sizeof(text) - (size_t)used, "]}]}");
    assert_compile_fails(text, "too many args");
}

static void test_compile_custom_profile(void **state)
{
    (void)state;
    /* Unknown syscall names (other architectures) are skipped; six args are fine. */
    json_t *profile = load_json(
        "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, \"syscalls\": ["
        "{\"names\": [\"read\", \"write\", \"no_such_syscall_anywhere\"],"
        " \"action\": \"SCMP_ACT_ALLOW\"},"
        "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
        " {\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
        "{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
        " {\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_GE\"},"
        " {\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_GE\"},"
        " {\"index\": 2, \"value\": 0, \"op\": \"SCMP_CMP_GE\"},"
        " {\"index\": 3, \"value\": 0, \"op\": \"SCMP_CMP_GE\"},"
        " {\"index\": 4, \"value\": 0, \"op\": \"SCMP_CMP_NE\"},"
        " {\"index\": 5, \"value\": 255, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}");
    struct seccomp_program program;
    husk_error_t err = NULL;
    assert_int_equal(seccomp_program_compile(profile, &program, &err), 0);
    assert_no_error(err);
    assert_true(program.length > 0);
    seccomp_program_free(&program);
    json_decref(profile);
}

/* A saved program reads back the same; a file that is not whole BPF
 * instructions, or not a regular file, is not taken. */
static void test_program_save_and_read(void **state)
{
    (void)state;
    char directory[] = "/tmp/husk-seccomp-file.XXXXXX";
    assert_non_null(mkdtemp(directory));
    int dir_fd = open(directory, O_RDONLY | O_DIRECTORY);
    assert_true(dir_fd >= 0);
    json_t *profile = seccomp_profile_default();
    struct seccomp_program fresh, read_back;
    assert_int_equal(seccomp_program_compile(profile, &fresh, NULL), 0);
    assert_int_equal(seccomp_program_save(dir_fd, "p.bpf", &fresh), 0);
    assert_int_equal(seccomp_program_read(dir_fd, "p.bpf", &read_back), 0);
    assert_int_equal(read_back.length, fresh.length);
    assert_memory_equal(read_back.filter, fresh.filter, fresh.length * sizeof(*fresh.filter));
    seccomp_program_free(&read_back);
    struct stat st;
    assert_int_equal(fstatat(dir_fd, "p.bpf", &st, 0), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* Torn (not a multiple of an instruction). */
    int torn = openat(dir_fd, "p.bpf", O_WRONLY | O_TRUNC);
    assert_int_equal(write(torn, "abc", 3), 3);
    close(torn);
    assert_int_equal(seccomp_program_read(dir_fd, "p.bpf", &read_back), -1);
    assert_null(read_back.filter);
    /* A symlink to a good program is not followed. */
    assert_int_equal(seccomp_program_save(dir_fd, "good.bpf", &fresh), 0);
    assert_int_equal(symlinkat("good.bpf", dir_fd, "link.bpf"), 0);
    assert_int_equal(seccomp_program_read(dir_fd, "link.bpf", &read_back), -1);
    seccomp_program_free(&fresh);
    json_decref(profile);
    unlinkat(dir_fd, "p.bpf", 0);
    unlinkat(dir_fd, "good.bpf", 0);
    unlinkat(dir_fd, "link.bpf", 0);
    close(dir_fd);
    rmdir(directory);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_parse),
        cmocka_unit_test(test_compile_null_is_no_program),
        cmocka_unit_test(test_compile_default_profile),
        cmocka_unit_test(test_default_profile_enforced),
        cmocka_unit_test(test_compile_rejects_default_action),
        cmocka_unit_test(test_compile_rejects_unknown_action),
        cmocka_unit_test(test_compile_rejects_bad_args),
        cmocka_unit_test(test_compile_rejects_too_many_args),
        cmocka_unit_test(test_compile_custom_profile),
        cmocka_unit_test(test_program_save_and_read),
    };
    return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}
