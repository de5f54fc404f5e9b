/* husk-fault's fault points (see fault.h), never linked into husk:
 *
 *   HUSK_FAULT=NAME          SIGKILL the process that reaches point NAME
 *   HUSK_FAULT=NAME@N        ... when it reaches it the Nth time in a process
 *                            (at a FAULT_POINT_ORPHAN: wait there until
 *                            the test killed its parent)
 *   HUSK_FAULT=NAME[@N]:stop SIGSTOP it there instead, so a test can act in
 *                            the window and then SIGCONT it
 *   HUSK_FAULT_TRACE=FILE    append "PID NAME" for each point reached, and
 *                            "PID NAME killed" just before the kill, so a
 *                            test knows the kill happened where it asked;
 *                            "PID NAME waiting" at a FAULT_POINT_ORPHAN. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

/* Read once at start-up: a container process still running husk's code has
 * the caller's environment wiped (process_hide_caller) by the time it
 * reaches its points. A test build's only globals. */
static char fault_wanted[256];
static char fault_trace_path[4096];

__attribute__((constructor)) static void fault_read_environment(void)
{
    const char *wanted = getenv("HUSK_FAULT");
    const char *path = getenv("HUSK_FAULT_TRACE");
    snprintf(fault_wanted, sizeof(fault_wanted), "%s", wanted ? wanted : "");
    snprintf(fault_trace_path, sizeof(fault_trace_path), "%s", path ? path : "");
}

static void trace(const char *name, const char *what)
{
    const char *path = fault_trace_path;
    if (path[0] == '\0')
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    char line[256];
    int length = snprintf(line, sizeof(line), "%d %s%s\n", (int)getpid(), name, what);
    if (length > 0 && write(fd, line, (size_t)length) < 0) {
        /* only a test's log */
    }
    close(fd);
}

/* Whether HUSK_FAULT names this passage of point NAME. */
static bool wanted_here(const char *name)
{
    /* Per process: a fork starts from its parent's count, which is what
     * "the Nth time this process passes" should mean for a forked helper. */
    static unsigned hits;
    const char *wanted = fault_wanted;
    if (wanted[0] == '\0')
        return false;
    size_t end = strcspn(wanted, ":");
    const char *at = memchr(wanted, '@', end);
    size_t length = at ? (size_t)(at - wanted) : end;
    if (strlen(name) != length || strncmp(wanted, name, length) != 0)
        return false;
    return at == NULL || ++hits == (unsigned)strtoul(at + 1, NULL, 10);
}

static bool wanted_stopped(void)
{
    const char *action = strchr(fault_wanted, ':');
    return action != NULL && strcmp(action, ":stop") == 0;
}

void fault_point_orphan(const char *name, int parent_pidfd)
{
    trace(name, "");
    if (parent_pidfd < 0 || !wanted_here(name))
        return;
    /* The test kills the parent: from the new PID namespace this process is
     * born in, it cannot signal it itself. */
    trace(name, " waiting");
    struct pollfd parent = {.fd = parent_pidfd, .events = POLLIN};
    while (poll(&parent, 1, -1) < 0 && errno == EINTR)
        continue;
}

void fault_point(const char *name)
{
    trace(name, "");
    if (!wanted_here(name))
        return;
    if (wanted_stopped()) {
        trace(name, " stopped");
        kill(getpid(), SIGSTOP);
        return;
    }
    trace(name, " killed");
    /* Not raise(): the PID 1 of a PID namespace ignores a SIGKILL it sends
     * itself, and no fault point runs there, but be sure it is not lost. */
    kill(getpid(), SIGKILL);
    _exit(137);
}
