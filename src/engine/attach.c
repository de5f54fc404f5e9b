#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "../runtime/container.h"
#include "../util/cleanup.h"
#include "../util/section.h"
#include "record.h"

MONITOR_PATH static int write_all(int fd, const void *data, size_t length)
{
    const char *p = data;
    while (length > 0) {
        ssize_t n = send(fd, p, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

MONITOR_PATH static int read_all(int fd, void *data, size_t length)
{
    char *p = data;
    while (length > 0) {
        ssize_t n = read(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? 0 : -1;
        p += n;
        length -= (size_t)n;
    }
    return 1;
}

MONITOR_PATH int attach_send(int fd, char type, const void *payload, size_t length)
{
    struct attach_frame_header header = {.type = (uint8_t)type};
    for (int i = 0; i < 4; i++)
        header.length[i] = (uint8_t)(length >> (8 * i));
    if (write_all(fd, &header, sizeof(header)) < 0)
        return -1;
    return length ? write_all(fd, payload, length) : 0;
}

MONITOR_PATH int attach_receive(int fd, char *type, void *payload, size_t capacity)
{
    struct attach_frame_header header;
    /* Type 0 with 0 tells EOF from an empty frame. */
    *type = 0;
    int rc = read_all(fd, &header, sizeof(header));
    if (rc <= 0)
        return rc;
    size_t length = 0;
    for (int i = 0; i < 4; i++)
        length |= (size_t)header.length[i] << (8 * i);
    if (length > capacity)
        return -1;
    *type = (char)header.type;
    if (length > 0 && read_all(fd, payload, length) <= 0)
        return -1;
    return (int)length;
}

/* The socket sits in its own 0700 directory: a unix socket's connect needs
 * write permission on the socket file only, so the directory is what keeps
 * other users away whatever mode the socket got. */
#define SOCKET_DIRECTORY "sock"

static void socket_address(int dir_fd, struct sockaddr_un *address)
{
    *address = (struct sockaddr_un){.sun_family = AF_UNIX};
    snprintf(address->sun_path, sizeof(address->sun_path), "/proc/self/fd/%d/attach.sock", dir_fd);
}

/* DIRECTORY/sock, created 0700 if missing and set to 0700 whatever the
 * umask (or an older husk) made it. */
static int open_socket_directory(const char *directory, husk_error_t *err)
{
    cleanup_close int container_fd = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (container_fd < 0)
        return husk_error_set(err, errno, "open %s", directory);
    if (mkdirat(container_fd, SOCKET_DIRECTORY, 0700) < 0 && errno != EEXIST)
        return husk_error_set(err, errno, "create %s/" SOCKET_DIRECTORY, directory);
    int fd =
        openat(container_fd, SOCKET_DIRECTORY, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fchmod(fd, 0700) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, saved, "open %s/" SOCKET_DIRECTORY, directory);
    }
    return fd;
}

int attach_listen(const char *directory, husk_error_t *err)
{
    struct sockaddr_un address;
    cleanup_close int dir_fd = open_socket_directory(directory, err);
    if (dir_fd < 0)
        return -1;
    socket_address(dir_fd, &address);
    unlinkat(dir_fd, "attach.sock", 0);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    /* bind() gives the socket 0777 less the umask: make that 0600 whatever
     * the caller's umask is (this process is single-threaded here). */
    mode_t umask_saved = umask(0177);
    int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&address, sizeof(address));
    umask(umask_saved);
    if (rc < 0 || listen(fd, 8) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, saved, "listen on %s/" SOCKET_DIRECTORY "/attach.sock",
                              directory);
    }
    return fd;
}

/* Whoever connects may write to the container's stdin and signal its PID 1,
 * that is, run commands as the container's root: only root and the
 * container's owner may. The credentials are the kernel's, taken at
 * connect(), and seen from the monitor's user namespace, so the root of a
 * --userns private container shows as its unprivileged host uid. */
MONITOR_PATH bool attach_peer_allowed(uid_t peer, uid_t owner)
{
    return peer == 0 || peer == owner;
}

MONITOR_PATH int attach_accept(int listen_fd, uid_t owner)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return -1;
    struct ucred peer;
    socklen_t length = sizeof(peer);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) == 0 && length == sizeof(peer) &&
        attach_peer_allowed(peer.uid, owner))
        return fd;
    close(fd);
    errno = EACCES;
    return -1;
}

int attach_connect(const char *directory, husk_error_t *err)
{
    struct sockaddr_un address;
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/" SOCKET_DIRECTORY, directory) < 0)
        return husk_error_set(err, ENOMEM, "connect to the container's monitor");
    cleanup_close int dir_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        return husk_error_set(err, errno, "open %s", path);
    socket_address(dir_fd, &address);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, saved, "connect to the container's monitor");
    }
    return fd;
}

struct client {
    int socket_fd;
    int signal_fd;
    bool stdin_open;
    bool tty;
    bool hide_stdout, hide_stderr;
    bool no_signal_proxy;
    int ended_by; /* the signal that ended this client (no_signal_proxy), or 0 */
    struct termios saved;
    bool raw;
};

static void client_forward_signal(struct client *c)
{
    struct signalfd_siginfo info;
    if (read(c->signal_fd, &info, sizeof(info)) != sizeof(info))
        return;
    if (info.ssi_signo == SIGWINCH) {
        struct winsize size;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0)
            attach_send(c->socket_fd, 'w', &size, sizeof(size));
        return;
    }
    int32_t sig = (int32_t)info.ssi_signo;
    if (c->no_signal_proxy) {
        c->ended_by = sig;
        return;
    }
    attach_send(c->socket_fd, 'k', &sig, sizeof(sig));
}

static void client_forward_stdin(struct client *c)
{
    char buffer[16384];
    ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
    if (n > 0) {
        attach_send(c->socket_fd, 'i', buffer, (size_t)n);
        return;
    }
    if (n < 0 && errno == EINTR)
        return;
    attach_send(c->socket_fd, 'c', NULL, 0);
    c->stdin_open = false;
}

/* Returns 1 while going on, 0 with the exit status, -1 when the monitor
 * vanished, -2 when it dropped this client. */
static int client_read_monitor(struct client *c, int *exit_status)
{
    static char payload[ATTACH_MAX_PAYLOAD];
    char type;
    int n = attach_receive(c->socket_fd, &type, payload, sizeof(payload));
    if (n < 0 || (n == 0 && type == 0))
        return -1;
    if (type == 'x' && n == sizeof(int32_t)) {
        int32_t code;
        memcpy(&code, payload, sizeof(code));
        *exit_status = code;
        return 0;
    }
    if (type == 'd') {
        /* The monitor dropped this client: it fell too far behind. */
        *exit_status = -1;
        fprintf(stderr, "%.*s\n", n, payload);
        return -2;
    }
    int out = type == 'e' ? STDERR_FILENO : STDOUT_FILENO;
    if (out == STDOUT_FILENO ? c->hide_stdout : c->hide_stderr)
        return 1;
    for (int done = 0; done < n;) {
        ssize_t w = write(out, payload + done, (size_t)(n - done));
        if (w < 0 && errno != EINTR)
            break;
        done += w > 0 ? (int)w : 0;
    }
    return 1;
}

int attach_client_run(int socket_fd, const struct attach_client_options *options, int *exit_status,
                      husk_error_t *err)
{
    sigset_t forwarded, saved_mask;
    runtime_forwarded_signals(&forwarded);
    sigprocmask(SIG_BLOCK, &forwarded, &saved_mask);
    struct client c = {.socket_fd = socket_fd,
                       .stdin_open = options->stdin_open,
                       .tty = options->tty,
                       .hide_stdout = options->hide_stdout,
                       .hide_stderr = options->hide_stderr,
                       .no_signal_proxy = options->no_signal_proxy};
    c.signal_fd = signalfd(-1, &forwarded, SFD_CLOEXEC);
    if (c.tty && c.stdin_open && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c.saved) == 0) {
        struct termios raw = c.saved;
        cfmakeraw(&raw);
        c.raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    if (c.tty) {
        struct winsize size;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0)
            attach_send(socket_fd, 'w', &size, sizeof(size));
    }
    int rc = 1;
    while (rc > 0 && c.ended_by == 0) {
        struct pollfd fds[3] = {{.fd = socket_fd, .events = POLLIN},
                                {.fd = c.signal_fd, .events = POLLIN},
                                {.fd = c.stdin_open ? STDIN_FILENO : -1, .events = POLLIN}};
        if (poll(fds, 3, -1) < 0 && errno != EINTR)
            break;
        if (fds[1].revents & POLLIN)
            client_forward_signal(&c);
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR))
            client_forward_stdin(&c);
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
            rc = client_read_monitor(&c, exit_status);
    }
    if (c.raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &c.saved);
    close(c.signal_fd);
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    /* As docker's client killed by it: the container runs on. */
    if (c.ended_by != 0) {
        *exit_status = 128 + c.ended_by;
        return 0;
    }
    if (rc == -2)
        return husk_error_set(err, 0, "detached by the container's monitor");
    if (rc < 0)
        return husk_error_set(err, 0, "the container's monitor went away");
    return 0;
}

int engine_attach(const struct engine_context *context, const char *reference, int *exit_status,
                  husk_error_t *err)
{
    struct container_handle handle;
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    bool running = strcmp(record_status(handle.record), "running") == 0;
    json_t *config = json_object_get(handle.record, "Config");
    struct attach_client_options options = {
        .stdin_open = json_is_true(json_object_get(config, "OpenStdin")),
        .tty = json_is_true(json_object_get(config, "Tty")),
    };
    int fd =
        running && record_monitor_alive(handle.record)
            ? attach_connect(handle.directory, err)
            : (husk_error_set(err, 0, "container %s is not running under a monitor", reference),
               -1);
    container_close(&handle);
    if (fd < 0)
        return -1;
    int rc = attach_client_run(fd, &options, exit_status, err);
    close(fd);
    return rc;
}
