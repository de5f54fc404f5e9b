/* src/util/xalloc.h: allocation that aborts instead of returning NULL. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/util/xalloc.h"
#include "unit.h"

static void test_zero_sizes_are_not_null(void **state)
{
    (void)state;
    /* realloc(p, 0) frees P and may return NULL: xrealloc must not. */
    void *p = xmalloc(0);
    assert_non_null(p);
    p = xrealloc(p, 0);
    assert_non_null(p);
    free(p);
    p = xcalloc(0, 8);
    assert_non_null(p);
    free(p);
    p = xreallocarray(NULL, 0, 0);
    assert_non_null(p);
    free(p);
}

static void test_strings(void **state)
{
    (void)state;
    assert_null(xstrdup(NULL));
    char *copy = xstrdup("abc");
    assert_string_equal(copy, "abc");
    free(copy);
    copy = xstrndup("abcdef", 3);
    assert_string_equal(copy, "abc");
    free(copy);
    copy = xasprintf("%s-%d", "x", 42);
    assert_string_equal(copy, "x-42");
    free(copy);
}

/* Exhaustion ends the process with SIGABRT and one line. (xalloc_die is
 * called directly: an impossible request would be reported by ASan's own
 * allocator in the sanitizer build, not by husk's.) */
static void test_exhaustion_aborts_with_message(void **state)
{
    (void)state;
    int pipe_fds[2];
    assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        dup2(pipe_fds[1], STDERR_FILENO);
        setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
        xalloc_die();
    }
    close(pipe_fds[1]);
    char text[128] = "";
    ssize_t n = read(pipe_fds[0], text, sizeof(text) - 1);
    close(pipe_fds[0]);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_true(n > 0);
    assert_string_equal(text, "husk: out of memory\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_sizes_are_not_null),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_exhaustion_aborts_with_message),
    };
    return cmocka_run_group_tests_name("xalloc", tests, NULL, NULL);
}
