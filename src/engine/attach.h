/* Attaching to a container's monitor. Frames in both directions are a type
 * byte, a little-endian 32-bit length and the payload:
 *   monitor -> client: 'o' stdout, 'e' stderr, 'x' exit status (int32),
 *                      'd' dropped: the client fell behind (text), last
 *   client -> monitor: 'i' stdin, 'c' end of stdin, 'w' struct winsize,
 *                      'k' signal number (int32) for PID 1
 * The socket is DIR/sock/attach.sock (0600 in a 0700 directory), reached
 * through /proc/self/fd/N/ so that long state paths never exceed sun_path. */
#ifndef HUSK_ENGINE_ATTACH_H
#define HUSK_ENGINE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/error.h"
#include "options.h"

#define ATTACH_MAX_PAYLOAD 65536

struct attach_frame_header {
    uint8_t type;
    uint8_t length[4];
};

int attach_send(int fd, char type, const void *payload, size_t length);
/* Reads one frame; returns its payload length, 0 on EOF before a header
 * (TYPE 0 then), -1 on error. */
int attach_receive(int fd, char *type, void *payload, size_t capacity);
/* Listening socket of the monitor in DIRECTORY. */
int attach_listen(const char *directory, husk_error_t *err);
/* Root and OWNER may attach; no one else. */
bool attach_peer_allowed(uid_t peer, uid_t owner);
/* accept4() (blocking as the listening socket is) and the peer's
 * credentials (SO_PEERCRED) checked: the client's fd, or -1 (errno EACCES
 * for a refused peer, whose connection is closed). OWNER is the uid that
 * created the container; the monitor is a fork of that husk, so its own
 * euid (today: only root creates containers). */
int attach_accept(int listen_fd, uid_t owner);
int attach_connect(const char *directory, husk_error_t *err);

struct attach_client_options {
    bool stdin_open; /* relay husk's stdin */
    bool tty;        /* the container has a terminal: raw mode, window size */
    /* run -a: the streams not named are not shown (the log has them). */
    bool hide_stdout, hide_stderr;
    /* run --sig-proxy=false: a signal husk would forward ends husk instead
     * (status 128+N), and the container runs on under its monitor, as with
     * docker's client. */
    bool no_signal_proxy;
};
/* Relays between husk's stdio and the monitor until the container exits;
 * *EXIT_STATUS is its status. */
int attach_client_run(int socket_fd, const struct attach_client_options *options, int *exit_status,
                      husk_error_t *err);
/* `husk attach C`: connects to the container's monitor and relays. */
int engine_attach(const struct engine_context *context, const char *reference, int *exit_status,
                  husk_error_t *err);

#endif
