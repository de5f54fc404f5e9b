#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../runtime/spec.h"
#include "../../util/section.h"
#include "../attach.h"
#include "../create.h"
#include "../events/events.h"
#include "../health/health_config.h"
#include "../launch.h"
#include "../logs/log_writer.h"
#include "monitor_internal.h"
#include "../store.h"
#include "../streams.h"
#include "../../util/fault.h"

void monitor_report_send(int fd, const struct monitor_report *report)
{
    if (fd < 0)
        return;
    if (write(fd, report, sizeof(*report)) != (ssize_t)sizeof(*report)) {
        /* husk went away; the container runs on. */
    }
    close(fd);
}

/* Without a terminal, PID 1's output goes to pipes the monitor reads, and
 * with -i its input comes from one. */
static int open_pipes(void *data, const struct runtime_spec *spec, int stdio[3], husk_error_t *err)
{
    struct monitor_handover *handover = data;
    if (spec->terminal)
        return 0;
    struct relay_io ends;
    if (stdio_pipes_open(false, handover->open_stdin, &ends, stdio, err) < 0)
        return -1;
    handover->fds[MONITOR_STDIN] = ends.stdin_pipe;
    handover->fds[MONITOR_STDOUT] = ends.stdout_pipe;
    handover->fds[MONITOR_STDERR] = ends.stderr_pipe;
    return 0;
}

static int launch(const struct engine_context *context, const struct container_handle *handle,
                  struct monitor_handover *handover, husk_error_t *err)
{
    struct engine_launch_io io = {.open_stdio = open_pipes, .data = handover, .as_sibling = true};
    struct engine_launched launched;
    int rc = engine_launch(context, handle->record, handle->directory, NULL, &io, &launched, err);
    if (rc == 0) {
        handover->pid = launched.process.pid;
        handover->fds[MONITOR_PIDFD] = launched.process.pidfd;
        handover->fds[MONITOR_TERMINAL] = launched.process.terminal_fd;
    }
    engine_launched_free(&launched);
    return rc;
}

/* One message carrying every descriptor that exists; the header says which. */
static int handover_send(int channel_fd, const struct monitor_handover *handover)
{
    int fds[MONITOR_DESCRIPTOR_COUNT];
    size_t count = 0;
    for (int i = 0; i < MONITOR_DESCRIPTOR_COUNT; i++)
        if (handover->fds[i] >= 0)
            fds[count++] = handover->fds[i];
    union {
        char buffer[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } control = {0};
    struct iovec data = {.iov_base = (void *)handover, .iov_len = sizeof(*handover)};
    struct msghdr message = {
        .msg_iov = &data,
        .msg_iovlen = 1,
        .msg_control = control.buffer,
        .msg_controllen = CMSG_SPACE(count * sizeof(int)),
    };
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(count * sizeof(int));
    memcpy(CMSG_DATA(header), fds, count * sizeof(int));
    ssize_t n;
    do
        n = sendmsg(channel_fd, &message, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof(*handover) ? 0 : -1;
}

MONITOR_PATH int monitor_handover_receive(int channel_fd, struct monitor_handover *handover)
{
    int fds[MONITOR_DESCRIPTOR_COUNT];
    union {
        char buffer[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } control;
    struct iovec data = {.iov_base = handover, .iov_len = sizeof(*handover)};
    struct msghdr message = {
        .msg_iov = &data,
        .msg_iovlen = 1,
        .msg_control = control.buffer,
        .msg_controllen = sizeof(control.buffer),
    };
    ssize_t n;
    do
        n = recvmsg(channel_fd, &message, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (n != (ssize_t)sizeof(*handover) || header == NULL || header->cmsg_type != SCM_RIGHTS)
        return -1;
    size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    memcpy(fds, CMSG_DATA(header), count * sizeof(int));
    size_t next = 0;
    for (int i = 0; i < MONITOR_DESCRIPTOR_COUNT; i++)
        if (handover->fds[i] >= 0)
            handover->fds[i] = next < count ? fds[next++] : -1;
    return 0;
}

static void record_failure(const struct engine_context *context, struct container_handle *handle,
                           husk_error_t err, struct monitor_report *report)
{
    report->exit_status = err ? err->exit_status : HUSK_EXIT_ENGINE;
    report->errno_value = err ? err->errno_value : 0;
    snprintf(report->message, sizeof(report->message), "%s",
             err && err->message ? err->message : "the monitor went away");
    record_set_state(handle->record, "exited", 0, report->exit_status, report->message);
    container_save(context, handle, NULL);
}

/* The ID on its own, before anything else can fail: should the launcher be
 * killed before its report, `run -d` still knows which container to remove. */
static void report_id(int fd, const char *id)
{
    struct monitor_report pending = {.pending = 1};
    snprintf(pending.id, sizeof(pending.id), "%s", id);
    if (fd >= 0 && write(fd, &pending, sizeof(pending)) != (ssize_t)sizeof(pending)) {
        /* husk went away; the final report finds no reader either. */
    }
}

/* The container to start: the husk command's (start), or a new one (run -d),
 * opened and locked here. */
static int open_requested(const struct engine_context *context,
                          const struct monitor_request *request, struct container_handle *own,
                          struct container_handle **handle, struct monitor_report *report,
                          int report_fd, husk_error_t *err)
{
    if (request->handle != NULL) {
        *handle = request->handle;
        snprintf(report->id, sizeof(report->id), "%s", request->handle->id);
        return 0;
    }
    if (container_create(context, request->create, true, own, err) < 0)
        return -1;
    snprintf(report->id, sizeof(report->id), "%s", own->id);
    report_id(report_fd, own->id);
    *handle = own;
    return 0;
}

_Noreturn void monitor_launcher_main(const struct engine_context *context,
                                     const struct monitor_request *request, int report_fd,
                                     int channel_fd)
{
    husk_error_t err = NULL;
    struct monitor_report report = {0};
    struct monitor_handover handover = {.pid = -1};
    struct container_handle own, *handle = NULL;
    for (int i = 0; i < MONITOR_DESCRIPTOR_COUNT; i++)
        handover.fds[i] = -1;
    if (open_requested(context, request, &own, &handle, &report, report_fd, &err) < 0) {
        report.exit_status = err->exit_status;
        report.errno_value = err->errno_value;
        snprintf(report.message, sizeof(report.message), "%s", err->message);
        monitor_report_send(report_fd, &report);
        _exit(1);
    }
    json_t *config = json_object_get(handle->record, "Config");
    json_t *host_config = json_object_get(handle->record, "HostConfig");
    handover.open_stdin = json_is_true(json_object_get(config, "OpenStdin"));
    handover.auto_remove = json_is_true(json_object_get(host_config, "AutoRemove"));
    snprintf(handover.id, sizeof(handover.id), "%s", handle->id);
    health_timing_read(handle->record, &handover.health);
    if (!request->restart && log_writer_prepare(handle->record, handle->directory, &handover.log,
                                                &handover.fds[MONITOR_LOG],
                                                &handover.fds[MONITOR_LOG_DIRECTORY], &err) == 0)
        handover.fds[MONITOR_LISTEN] = attach_listen(handle->directory, &err);
    if ((!request->restart && handover.fds[MONITOR_LISTEN] < 0) ||
        launch(context, handle, &handover, &err) < 0) {
        record_failure(context, handle, err, &report);
        monitor_report_send(report_fd, &report);
        _exit(1);
    }
    /* engine_launch recorded it as running before PID 1 was let go: once
     * the monitor has PID 1, it may already record its exit. */
    FAULT_POINT("monitor.handover");
    if (handover_send(channel_fd, &handover) < 0) {
        /* No monitor to keep the container: it must not run unwatched. */
        syscall(SYS_pidfd_send_signal, handover.fds[MONITOR_PIDFD], SIGKILL, NULL, 0);
        husk_error_set(&err, errno, "hand the container over to its monitor");
        record_failure(context, handle, err, &report);
        monitor_report_send(report_fd, &report);
        _exit(1);
    }
    report.ok = 1;
    monitor_report_send(report_fd, &report);
    /* docker's order for a restart policy's run: die, start, restart. */
    if (request->restart)
        engine_event_container(context, "restart", handle->record, NULL);
    /* Durable only now: `run -d` has answered already, so the fsync (0.5-2
     * ms here) is not part of its latency. */
    if (request->create != NULL)
        store_record_sync(context, handle->id);
    _exit(0);
}
