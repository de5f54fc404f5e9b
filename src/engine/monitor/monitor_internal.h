/* Shared by the monitor (monitor.c) and the launcher it forks to start the
 * container (monitor_launcher.c). The launcher does all the heavy setup and
 * exits, so the monitor that stays for the container's life only ever touches
 * the few pages of its own loop. */
#ifndef HUSK_ENGINE_MONITOR_INTERNAL_H
#define HUSK_ENGINE_MONITOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../health/health_timing.h"
#include "../identity.h"
#include "../logs/log_writer.h"
#include "../options.h"
#include "../record.h"

/* What the monitor (or its launcher) tells the husk command that forked it. */
struct monitor_report {
    int ok;
    int pending; /* only the ID: the launcher sends it as soon as it has one */
    int exit_status;
    int errno_value;
    char id[HUSK_ID_SIZE]; /* the container's, once it exists ("" before) */
    char message[480];
};

/* The descriptors the launcher hands over to the monitor, -1 when absent. */
enum monitor_descriptor {
    MONITOR_PIDFD,
    MONITOR_TERMINAL, /* pty master: the container's output and, if -i, its input */
    MONITOR_STDOUT,   /* read ends of the output pipes */
    MONITOR_STDERR,
    MONITOR_STDIN, /* write end of the container's stdin pipe */
    MONITOR_LOG,
    MONITOR_LOG_DIRECTORY, /* where the log rotates */
    MONITOR_LISTEN,        /* the attach socket */
    MONITOR_DESCRIPTOR_COUNT,
};

struct monitor_handover {
    pid_t pid;       /* the container's PID 1, a child of the monitor */
    bool open_stdin; /* -i: a terminal also takes input */
    bool auto_remove;
    char id[HUSK_ID_SIZE];
    int fds[MONITOR_DESCRIPTOR_COUNT];
    struct log_settings log;     /* the log driver's, from the record */
    struct health_timing health; /* when probes run (health/health_timer.c) */
};

/* What the launcher is to start: an existing container (HANDLE, locked by
 * the husk command: `start`), or one it first creates from OPTIONS (`run
 * -d`), so that the monitor, forked before, never holds the creation's heap. */
struct monitor_request {
    struct container_handle *handle;
    const struct run_options *create;
    /* The monitor's own start of PID 1 again (a restart policy): the log
     * and attach socket are the monitor's already. */
    bool restart;
};

void monitor_report_send(int fd, const struct monitor_report *report);

/* PID 1's exit, for the restarter. */
struct monitor_exit {
    pid_t monitor;
    const char *id;
    bool auto_remove;
    int exit_status;
    uint64_t delay_ms; /* the restart policy's last back-off, 0 before any */
};

/* The restarter's first message: whether a handover follows (after the
 * back-off, unless the user stops the container meanwhile). */
struct monitor_exit_decision {
    int restart;
    uint64_t delay_ms; /* the back-off it waits, the next one's base */
};

/* In a child of the monitor, once PID 1 has exited: records the exit (the
 * cgroups and network released, the state, events, --rm), sends the
 * decision on CHANNEL_FD and, when the restart policy runs PID 1 again,
 * waits the back-off and starts it as the launcher does (PID 1 a child of
 * the monitor), sending its handover. Never returns. */
_Noreturn void monitor_restarter_main(const struct engine_context *context,
                                      const struct monitor_exit *exit, int channel_fd);

/* In the launcher: creates the container if asked, starts it as a sibling
 * (a child of the monitor), records it as running under the monitor, hands
 * its descriptors over on CHANNEL_FD and reports to the husk command on
 * REPORT_FD. Never returns. */
_Noreturn void monitor_launcher_main(const struct engine_context *context,
                                     const struct monitor_request *request, int report_fd,
                                     int channel_fd);

/* In the monitor: the launcher's descriptors. 0 on success, -1 when the
 * launcher gave up (it has reported the error already). */
int monitor_handover_receive(int channel_fd, struct monitor_handover *handover);

#endif
