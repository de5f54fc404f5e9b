/* husk-fault's fault points (see fault.h), never linked into husk:
 *
 *   HUSK_FAULT=NAME          SIGKILL the process that reaches point NAME
 *   HUSK_FAULT=NAME@N        ... when it reaches it the Nth time in a process
 *   HUSK_FAULT_TRACE=FILE    append "PID NAME" for each point reached, and
 *                            "PID NAME killed" just before the kill, so a
 *                            test knows the kill happened where it asked. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

static void trace(const char *name, const char *what)
{
    const char *path = getenv("HUSK_FAULT_TRACE");
    if (path == NULL || path[0] == '\0')
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

void fault_point(const char *name)
{
    /* Per process: a fork starts from its parent's count, which is what
     * "the Nth time this process passes" should mean for a forked helper. */
    static unsigned hits;
    trace(name, "");
    const char *wanted = getenv("HUSK_FAULT");
    if (wanted == NULL)
        return;
    const char *at = strchr(wanted, '@');
    size_t length = at ? (size_t)(at - wanted) : strlen(wanted);
    if (strlen(name) != length || strncmp(wanted, name, length) != 0)
        return;
    if (at != NULL && ++hits != (unsigned)strtoul(at + 1, NULL, 10))
        return;
    trace(name, " killed");
    /* Not raise(): the PID 1 of a PID namespace ignores a SIGKILL it sends
     * itself, and no fault point runs there, but be sure it is not lost. */
    kill(getpid(), SIGKILL);
    _exit(137);
}
