#include "monitor_clients.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../util/section.h"
#include "../attach.h"

#define FRAME_HEADER sizeof(struct attach_frame_header)
/* How long an exiting container's monitor waits for slow clients. */
#define FINISH_MS 2000

struct monitor_client {
    int fd;
    bool dropped; /* told it fell behind: only that notice is still sent */
    char *out;    /* queued frames, out_length bytes */
    size_t out_length;
    char *in; /* a frame being received, in_length bytes so far */
    size_t in_length;
};

MONITOR_PATH static void client_free(struct monitor_clients *clients, size_t slot)
{
    struct monitor_client *c = clients->slots[slot];
    close(c->fd);
    free(c->out);
    free(c->in);
    free(c);
    clients->slots[slot] = NULL;
}

MONITOR_PATH void monitor_clients_add(struct monitor_clients *clients, int fd)
{
    for (size_t slot = 0; slot < MONITOR_MAX_CLIENTS; slot++) {
        if (clients->slots[slot] != NULL)
            continue;
        struct monitor_client *c = calloc(1, sizeof(*c));
        if (c == NULL)
            break;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        c->fd = fd;
        clients->slots[slot] = c;
        return;
    }
    close(fd);
}

/* Sends what the socket takes; -1 when the client is gone. */
MONITOR_PATH static int client_flush(struct monitor_client *c)
{
    size_t sent = 0;
    while (sent < c->out_length) {
        ssize_t n = send(c->fd, c->out + sent, c->out_length - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0)
            return -1;
        sent += (size_t)n;
    }
    memmove(c->out, c->out + sent, c->out_length - sent);
    c->out_length -= sent;
    return 0;
}

MONITOR_PATH static int client_append(struct monitor_client *c, char type, const void *payload,
                                      size_t length)
{
    char *grown = realloc(c->out, c->out_length + FRAME_HEADER + length);
    if (grown == NULL)
        return -1;
    c->out = grown;
    char *frame = c->out + c->out_length;
    frame[0] = type;
    for (int i = 0; i < 4; i++)
        frame[1 + i] = (char)(length >> (8 * i));
    memcpy(frame + FRAME_HEADER, payload, length);
    c->out_length += FRAME_HEADER + length;
    return 0;
}

/* What was queued is dropped: the notice is all a client that fell behind
 * still gets. */
MONITOR_PATH static void client_drop(struct monitor_client *c)
{
    static const char notice[] = "husk: detached: this client fell more than 1 MiB behind the "
                                 "container's output";
    c->dropped = true;
    c->out_length = 0;
    client_append(c, 'd', notice, sizeof(notice) - 1);
}

MONITOR_PATH void monitor_clients_broadcast(struct monitor_clients *clients, char type,
                                            const void *payload, size_t length)
{
    for (size_t slot = 0; slot < MONITOR_MAX_CLIENTS; slot++) {
        struct monitor_client *c = clients->slots[slot];
        if (c == NULL || c->dropped)
            continue;
        if (c->out_length + FRAME_HEADER + length > MONITOR_CLIENT_BACKLOG)
            client_drop(c);
        else if (client_append(c, type, payload, length) < 0)
            client_drop(c);
        if (client_flush(c) < 0)
            client_free(clients, slot);
    }
}

MONITOR_PATH void monitor_clients_poll_entries(const struct monitor_clients *clients,
                                               bool want_input, struct pollfd *entries)
{
    for (size_t slot = 0; slot < MONITOR_MAX_CLIENTS; slot++) {
        const struct monitor_client *c = clients->slots[slot];
        entries[slot] = (struct pollfd){.fd = -1};
        if (c == NULL)
            continue;
        entries[slot].fd = c->fd;
        entries[slot].events =
            (short)((want_input && !c->dropped ? POLLIN : 0) | (c->out_length > 0 ? POLLOUT : 0));
    }
}

MONITOR_PATH static size_t frame_length(const char *header)
{
    size_t length = 0;
    for (int i = 0; i < 4; i++)
        length |= (size_t)(unsigned char)header[1 + i] << (8 * i);
    return length;
}

/* Reads what is there; hands over each whole frame. -1: gone or malformed. */
MONITOR_PATH static int client_receive(struct monitor_client *c, monitor_frame_fn *handle,
                                       void *context)
{
    if (c->in == NULL && (c->in = malloc(FRAME_HEADER + ATTACH_MAX_PAYLOAD)) == NULL)
        return -1;
    ssize_t n = read(c->fd, c->in + c->in_length, FRAME_HEADER + ATTACH_MAX_PAYLOAD - c->in_length);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n <= 0)
        return -1;
    c->in_length += (size_t)n;
    while (c->in_length >= FRAME_HEADER) {
        size_t length = frame_length(c->in);
        if (length > ATTACH_MAX_PAYLOAD)
            return -1;
        if (c->in_length < FRAME_HEADER + length)
            break;
        handle(context, c->in[0], c->in + FRAME_HEADER, length);
        c->in_length -= FRAME_HEADER + length;
        memmove(c->in, c->in + FRAME_HEADER + length, c->in_length);
    }
    return 0;
}

MONITOR_PATH void monitor_clients_service(struct monitor_clients *clients,
                                          const struct pollfd *entries, monitor_frame_fn *handle,
                                          void *context)
{
    for (size_t slot = 0; slot < MONITOR_MAX_CLIENTS; slot++) {
        struct monitor_client *c = clients->slots[slot];
        short revents = entries[slot].revents;
        if (c == NULL || revents == 0)
            continue;
        int rc = 0;
        if (revents & POLLOUT)
            rc = client_flush(c);
        if (rc == 0 && (revents & (POLLIN | POLLHUP | POLLERR)) && !c->dropped)
            rc = client_receive(c, handle, context);
        if (rc == 0 && c->dropped && c->out_length == 0)
            rc = -1; /* the notice is out */
        if (rc < 0 || (c->dropped && (revents & (POLLHUP | POLLERR))))
            client_free(clients, slot);
    }
}

MONITOR_PATH static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

MONITOR_PATH void monitor_clients_finish(struct monitor_clients *clients, int32_t exit_status)
{
    monitor_clients_broadcast(clients, 'x', &exit_status, sizeof(exit_status));
    int64_t deadline = now_ms() + FINISH_MS;
    for (;;) {
        struct pollfd entries[MONITOR_MAX_CLIENTS];
        monitor_clients_poll_entries(clients, false, entries);
        bool waiting = false;
        for (size_t slot = 0; slot < MONITOR_MAX_CLIENTS; slot++)
            waiting |= (entries[slot].events & POLLOUT) != 0;
        int64_t left = deadline - now_ms();
        if (!waiting || left <= 0)
            break;
        if (poll(entries, MONITOR_MAX_CLIENTS, (int)left) < 0 && errno != EINTR)
            break;
        for (size_t slot = 0; slot < MONITOR_MAX_CLIENTS; slot++)
            if (clients->slots[slot] != NULL && (entries[slot].revents & POLLOUT) &&
                client_flush(clients->slots[slot]) < 0)
                client_free(clients, slot);
    }
    for (size_t slot = 0; slot < MONITOR_MAX_CLIENTS; slot++)
        if (clients->slots[slot] != NULL)
            client_free(clients, slot);
}
