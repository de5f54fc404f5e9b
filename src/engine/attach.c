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

static int socket_address(const char *directory, int *dir_fd, struct sockaddr_un *address,
                          husk_error_t *err)
{
    *dir_fd = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*dir_fd < 0)
        return husk_error_set(err, errno, "open %s", directory);
    *address = (struct sockaddr_un){.sun_family = AF_UNIX};
    snprintf(address->sun_path, sizeof(address->sun_path), "/proc/self/fd/%d/attach.sock", *dir_fd);
    return 0;
}

int attach_listen(const char *directory, husk_error_t *err)
{
    struct sockaddr_un address;
    cleanup_close int dir_fd = -1;
    if (socket_address(directory, &dir_fd, &address, err) < 0)
        return -1;
    unlinkat(dir_fd, "attach.sock", 0);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0 || listen(fd, 8) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, saved, "listen on %s/attach.sock", directory);
    }
    return fd;
}

int attach_connect(const char *directory, husk_error_t *err)
{
    struct sockaddr_un address;
    cleanup_close int dir_fd = -1;
    if (socket_address(directory, &dir_fd, &address, err) < 0)
        return -1;
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

/* Returns 1 while going on, 0 with the exit status, -1 when the monitor vanished. */
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
    int out = type == 'e' ? STDERR_FILENO : STDOUT_FILENO;
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
    struct client c = {
        .socket_fd = socket_fd, .stdin_open = options->stdin_open, .tty = options->tty};
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
    while (rc > 0) {
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
