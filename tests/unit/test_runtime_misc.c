/* src/runtime/relay.h and trampoline.h: exit statuses, and the exec
 * trampoline's PATH lookup, error reports and seals. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/runtime/shared_clone.h"
#include "../../src/runtime/sync.h"
#include "../../src/runtime/trampoline.h"
#include "../../src/runtime/relay.h"
#include "unit.h"

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

/* Runs ARGS through the trampoline in a child; returns its wait status and
 * fills MESSAGE when the stub reported an error (kind 0 otherwise). */
static int through_trampoline(char *const args[], char *const env[], struct sync_message *message)
{
    int stub = trampoline_open(NULL);
    assert_true(stub >= 0);
    int sockets[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(sockets[0]);
        trampoline_exec(stub, sockets[1], args, env, NULL);
        _exit(99);
    }
    close(sockets[1]);
    close(stub);
    memset(message, 0, sizeof(*message));
    int passed = -1;
    sync_receive(sockets[0], message, &passed);
    close(sockets[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_trampoline_runs_the_command(void **state)
{
    (void)state;
    struct sync_message message;
    char *const env[] = {"PATH=/nonexistent:/bin", NULL};
    int status = through_trampoline((char *const[]){"sh", "-c", "exit 7", NULL}, env, &message);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 7);
    assert_int_equal(message.kind, 0); /* EOF: the command's exec closed the socket */
}

static void test_trampoline_reports_like_docker(void **state)
{
    (void)state;
    struct sync_message message;
    char *const env[] = {"PATH=/bin", NULL};
    int status = through_trampoline((char *const[]){"no-such-command", NULL}, env, &message);
    assert_int_equal(WEXITSTATUS(status), 127);
    assert_int_equal(message.kind, SYNC_ERROR);
    assert_int_equal(message.exit_status, 127);
    assert_string_equal(message.text,
                        "exec \"no-such-command\": executable file not found in $PATH");
    through_trampoline((char *const[]){"/no/such", NULL}, env, &message);
    assert_int_equal(message.exit_status, 127);
    assert_string_equal(message.text, "exec \"/no/such\": no such file or directory");
    through_trampoline((char *const[]){"/etc/passwd", NULL}, env, &message);
    assert_int_equal(message.exit_status, 126);
    assert_int_equal(message.errno_value, EACCES);
    assert_string_equal(message.text, "exec \"/etc/passwd\"");
}

/* What a container that reopens the stub's /proc/PID/exe gets. */
static void test_trampoline_is_sealed(void **state)
{
    (void)state;
    int stub = trampoline_open(NULL);
    assert_true(stub >= 0);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", stub);
    int writable = open(path, O_WRONLY);
    if (writable >= 0) {
        assert_int_equal(write(writable, "x", 1), -1);
        assert_int_equal(errno, EPERM);
        assert_int_equal(ftruncate(writable, 0), -1);
        close(writable);
    }
    assert_int_equal(fchmod(stub, 0644), -1);
    close(stub);
}

struct shared_child {
    int written;      /* set by the child: seen by the parent only if memory is shared */
    int deep_result;  /* from a recursion that needs more than a few pages of stack */
    pid_t parent_pid; /* the child's view of getppid() */
};

static int recurse(int depth)
{
    volatile char pad[4096];
    pad[0] = (char)depth;
    return depth == 0 ? pad[0] : recurse(depth - 1) + (pad[0] != 0);
}

static int shared_child_run(void *arg)
{
    struct shared_child *child = arg;
    child->written = 42;
    child->deep_result = recurse(64);
    child->parent_pid = getppid();
    return 7;
}

/* The child runs in the caller's memory (its write is seen, with no other
 * synchronisation: the caller sleeps until the child lets go of the memory,
 * CLONE_VFORK), on a stack of its own deep enough for real work. */
static void test_shared_clone_shares_memory_until_it_exits(void **state)
{
    (void)state;
    if (!shared_clone_supported())
        skip();
    struct shared_child child = {0};
    struct clone_args args = {.exit_signal = SIGCHLD};
    long pid = shared_clone(&args, shared_child_run, &child);
    assert_true(pid > 0);
    assert_int_equal(child.written, 42);
    assert_int_equal(child.deep_result, 64);
    assert_int_equal(child.parent_pid, getpid());
    int status = 0;
    assert_int_equal(waitpid((pid_t)pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 7);
}

static int shared_child_exec(void *arg)
{
    (void)arg;
    char *const argv[] = {"sh", "-c", "exit 3", NULL};
    execv("/bin/sh", argv);
    return 127;
}

/* A child that execs releases the caller at its exec. */
static void test_shared_clone_child_execs(void **state)
{
    (void)state;
    if (!shared_clone_supported())
        skip();
    struct clone_args args = {.exit_signal = SIGCHLD};
    long pid = shared_clone(&args, shared_child_exec, NULL);
    assert_true(pid > 0);
    int status = 0;
    assert_int_equal(waitpid((pid_t)pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_status_exited),
        cmocka_unit_test(test_exit_status_signalled),
        cmocka_unit_test(test_exit_status_from_waitid),
        cmocka_unit_test(test_trampoline_runs_the_command),
        cmocka_unit_test(test_trampoline_reports_like_docker),
        cmocka_unit_test(test_trampoline_is_sealed),
        cmocka_unit_test(test_shared_clone_shares_memory_until_it_exits),
        cmocka_unit_test(test_shared_clone_child_execs),
    };
    return cmocka_run_group_tests_name("runtime_misc", tests, NULL, NULL);
}
