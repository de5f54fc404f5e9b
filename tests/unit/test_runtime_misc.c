/* src/runtime/relay.h and process.h: exit statuses and PATH lookup. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/runtime/process.h"
#include "../../src/runtime/relay.h"
#include "unit.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void test_exit_status_exited(void **state)
{
    (void)state;
    assert_int_equal(relay_exit_status(CLD_EXITED, 0), 0);
    assert_int_equal(relay_exit_status(CLD_EXITED, 7), 7);
    assert_int_equal(relay_exit_status(CLD_EXITED, 255), 255);
}

static void test_exit_status_signalled(void **state)
{
    (void)state;
    assert_int_equal(relay_exit_status(CLD_KILLED, SIGKILL), 137);
    assert_int_equal(relay_exit_status(CLD_KILLED, SIGTERM), 143);
    assert_int_equal(relay_exit_status(CLD_DUMPED, SIGSEGV), 139);
    assert_int_equal(relay_exit_status(CLD_DUMPED, SIGABRT), 134);
}

/* The same numbers from a real child, through waitid. */
static void test_exit_status_from_waitid(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(7);
    siginfo_t info = {0};
    assert_int_equal(waitid(P_PID, (id_t)pid, &info, WEXITED), 0);
    assert_int_equal(relay_exit_status(info.si_code, info.si_status), 7);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        pause();
        _exit(0);
    }
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitid(P_PID, (id_t)pid, &info, WEXITED), 0);
    assert_int_equal(relay_exit_status(info.si_code, info.si_status), 137);
}

static void test_path_of(void **state)
{
    (void)state;
    char *with_path[] = {"HOME=/root", "PATH=/opt/bin:/bin", "TERM=xterm", NULL};
    assert_string_equal(process_path_of(with_path), "/opt/bin:/bin");
    char *without[] = {"HOME=/root", "PATHX=/nope", "MYPATH=/nope", NULL};
    assert_string_equal(process_path_of(without), DEFAULT_PATH);
    char *empty_path[] = {"PATH=", NULL};
    assert_string_equal(process_path_of(empty_path), "");
    char *first_wins[] = {"PATH=/first", "PATH=/second", NULL};
    assert_string_equal(process_path_of(first_wins), "/first");
    char *none[] = {NULL};
    assert_string_equal(process_path_of(none), DEFAULT_PATH);
    assert_string_equal(process_path_of(NULL), DEFAULT_PATH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_status_exited),
        cmocka_unit_test(test_exit_status_signalled),
        cmocka_unit_test(test_exit_status_from_waitid),
        cmocka_unit_test(test_path_of),
    };
    return cmocka_run_group_tests_name("runtime_misc", tests, NULL, NULL);
}
