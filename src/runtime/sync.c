#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int sync_send(int socket_fd, const struct sync_message *message, int fd_to_pass)
{
    struct iovec iov = {.iov_base = (void *)message, .iov_len = sizeof(*message)};
    union {
        struct cmsghdr header;
        char buffer[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd_to_pass >= 0) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buffer;
        msg.msg_controllen = sizeof(control.buffer);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd_to_pass, sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof(*message) ? 0 : -1;
}

int sync_receive(int socket_fd, struct sync_message *message, int *passed)
{
    struct iovec iov = {.iov_base = message, .iov_len = sizeof(*message)};
    union {
        struct cmsghdr header;
        char buffer[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buffer,
                         .msg_controllen = sizeof(control.buffer)};
    *passed = -1;
    ssize_t n;
    do
        n = recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return 0;
    if (n != (ssize_t)sizeof(*message))
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(passed, CMSG_DATA(c), sizeof(int));
    message->text[sizeof(message->text) - 1] = '\0';
    return 1;
}

void sync_send_error(int socket_fd, const struct husk_error *error)
{
    struct sync_message message = {.kind = SYNC_ERROR};
    message.exit_status = error ? error->exit_status : HUSK_EXIT_ENGINE;
    message.errno_value = error ? error->errno_value : 0;
    snprintf(message.text, sizeof(message.text), "%s",
             error && error->message ? error->message : "container setup failed");
    sync_send(socket_fd, &message, -1);
}
