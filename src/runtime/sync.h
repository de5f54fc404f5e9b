/* Messages between husk and the container's first process while it is being
 * set up. A successful exec closes the child's end (CLOEXEC): EOF means success. */
#ifndef HUSK_RUNTIME_SYNC_H
#define HUSK_RUNTIME_SYNC_H

#include "../util/error.h"

enum sync_kind {
    SYNC_TERMINAL = 1, /* carries the pty master */
    SYNC_ERROR = 2,
    SYNC_GO = 3,      /* husk placed the process; may carry its root mount */
    SYNC_CREATED = 4, /* set up, waiting for the start (wait_for_start) */
    SYNC_MOUNT = 5,   /* an idmapped bind for mounts[index], before SYNC_GO */
    SYNC_SECCOMP = 6, /* the seccomp notify listener (SCMP_ACT_NOTIFY) */
};

struct sync_message {
    int kind;
    int exit_status;
    int errno_value;
    int pid;   /* SYNC_GO: the process's PID as husk sees it */
    int index; /* SYNC_MOUNT: which of the spec's mounts */
    char text[500];
};

int sync_send(int socket_fd, const struct sync_message *message, int fd_to_pass);
/* Returns 1 with a message, 0 on EOF, -1 on error. *PASSED gets an fd or -1. */
int sync_receive(int socket_fd, struct sync_message *message, int *passed);
/* Sends an error's text and status, for the parent to report. */
void sync_send_error(int socket_fd, const struct husk_error *error);

#endif
