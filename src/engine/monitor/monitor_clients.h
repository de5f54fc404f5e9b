/* The monitor's attached clients (`husk attach`, `start -a`). Every client
 * socket is non-blocking and has a bounded backlog of output frames: a
 * client that falls MONITOR_CLIENT_BACKLOG bytes behind is sent a 'd' frame
 * saying so and dropped, so that no client can stop the container's output,
 * its log, or the other clients. Frames from clients are collected until
 * whole, so a half-sent frame stalls nothing either. */
#ifndef HUSK_ENGINE_MONITOR_CLIENTS_H
#define HUSK_ENGINE_MONITOR_CLIENTS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MONITOR_MAX_CLIENTS    16
#define MONITOR_CLIENT_BACKLOG (1024 * 1024)

struct monitor_client;

struct monitor_clients {
    struct monitor_client *slots[MONITOR_MAX_CLIENTS];
};

/* Called for each whole frame a client sent. */
typedef void monitor_frame_fn(void *context, char type, const char *payload, size_t length);

void monitor_clients_add(struct monitor_clients *clients, int fd);
/* Queues one frame for every client and sends what the sockets take now. */
void monitor_clients_broadcast(struct monitor_clients *clients, char type, const void *payload,
                               size_t length);
/* Fills MONITOR_MAX_CLIENTS entries: POLLOUT where output waits, POLLIN
 * when WANT_INPUT (the monitor can take a frame now). */
void monitor_clients_poll_entries(const struct monitor_clients *clients, bool want_input,
                                  struct pollfd *entries);
void monitor_clients_service(struct monitor_clients *clients, const struct pollfd *entries,
                             monitor_frame_fn *handle, void *context);
/* The container exited: every client gets what is queued and the 'x'
 * frame, within a bounded time, and is closed. */
void monitor_clients_finish(struct monitor_clients *clients, int32_t exit_status);

#endif
