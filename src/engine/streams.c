#include "streams.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int stdio_pipes_open(bool tty, bool interactive, struct relay_io *io, int child[3],
                     husk_error_t *err)
{
    *io = (struct relay_io){
        .terminal_stdin = interactive, .stdin_pipe = -1, .stdout_pipe = -1, .stderr_pipe = -1};
    int *parent_ends[3] = {&io->stdin_pipe, &io->stdout_pipe, &io->stderr_pipe};
    for (int fd = 0; fd < 3; fd++)
        child[fd] = -1;
    for (int fd = 0; fd < 3; fd++) {
        if (tty || (fd == STDIN_FILENO && !interactive))
            continue;
        int ends[2];
        if (pipe2(ends, O_CLOEXEC) < 0) {
            stdio_close_child_ends(child);
            stdio_close_relay_ends(io);
            return husk_error_set(err, errno, "pipe");
        }
        *parent_ends[fd] = fd == STDIN_FILENO ? ends[1] : ends[0];
        child[fd] = fd == STDIN_FILENO ? ends[0] : ends[1];
    }
    return 0;
}

void stdio_close_child_ends(int child[3])
{
    for (int fd = 0; fd < 3; fd++)
        if (child[fd] >= 0) {
            close(child[fd]);
            child[fd] = -1;
        }
}

void stdio_close_relay_ends(struct relay_io *io)
{
    int *ends[] = {&io->stdin_pipe, &io->stdout_pipe, &io->stderr_pipe};
    for (int i = 0; i < 3; i++)
        if (*ends[i] >= 0) {
            close(*ends[i]);
            *ends[i] = -1;
        }
}
