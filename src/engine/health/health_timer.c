#include "health_timer.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../util/section.h"
#include "health_probe.h"

MONITOR_PATH static int64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* moby's getInterval: the interval once the start period is over, the
 * rest of the start period when that is shorter, else the start interval
 * while still starting. */
MONITOR_PATH static int64_t next_delay(const struct health_timer *t)
{
    int64_t elapsed = monotonic_ns() - t->started_ns;
    if (elapsed >= t->timing.start_period_ns)
        return t->timing.interval_ns;
    int64_t remaining = t->timing.start_period_ns - elapsed;
    if (remaining < t->timing.interval_ns)
        return remaining;
    return t->starting ? t->timing.start_interval_ns : t->timing.interval_ns;
}

MONITOR_PATH static void arm(const struct health_timer *t)
{
    int64_t delay = next_delay(t);
    if (delay < 1000000)
        delay = 1000000;
    struct itimerspec when = {
        .it_value = {.tv_sec = delay / 1000000000, .tv_nsec = delay % 1000000000}};
    timerfd_settime(t->timer_fd, 0, &when, NULL);
}

MONITOR_PATH void health_timer_start(struct health_timer *t, const struct engine_context *context,
                                     const char *id, const struct health_timing *timing)
{
    if (t->context == NULL) { /* the first start: the timer was zeroed */
        t->timer_fd = -1;
        t->prober_pidfd = -1;
    }
    t->context = context;
    t->id = id;
    t->timing = *timing;
    t->starting = true;
    /* Without a probe the monitor reads no clock (the vDSO's pages). */
    if (!timing->enabled)
        return;
    t->started_ns = monotonic_ns();
    if (t->timer_fd < 0)
        t->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (t->timer_fd >= 0 && t->prober_pidfd < 0)
        arm(t);
}

MONITOR_PATH void health_timer_poll_entries(const struct health_timer *t, struct pollfd *fds)
{
    fds[0] = (struct pollfd){.fd = t->prober_pidfd < 0 ? t->timer_fd : -1, .events = POLLIN};
    fds[1] = (struct pollfd){.fd = t->prober_pidfd, .events = POLLIN};
}

MONITOR_PATH static void launch_prober(struct health_timer *t)
{
    pid_t pid = fork();
    if (pid == 0)
        health_prober_main(t->context, t->id);
    if (pid > 0)
        t->prober_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pid > 0 && t->prober_pidfd < 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    if (t->prober_pidfd < 0)
        arm(t); /* no prober: try again at the next interval */
}

/* Reaps the prober; its exit status says whether the container is still
 * starting (1), no longer (0), or nothing was recorded (2). */
MONITOR_PATH static void reap_prober(struct health_timer *t)
{
    siginfo_t info = {0};
    while (waitid(P_PIDFD, (id_t)t->prober_pidfd, &info, WEXITED) < 0 && errno == EINTR)
        ;
    close(t->prober_pidfd);
    t->prober_pidfd = -1;
    if (info.si_code == CLD_EXITED && info.si_status < 2)
        t->starting = info.si_status == 1;
}

MONITOR_PATH void health_timer_service(struct health_timer *t, const struct pollfd *fds)
{
    if (fds[0].fd >= 0 && (fds[0].revents & POLLIN)) {
        uint64_t expirations;
        if (read(t->timer_fd, &expirations, sizeof(expirations)) == (ssize_t)sizeof(expirations))
            launch_prober(t);
    }
    if (fds[1].fd >= 0 && fds[1].revents != 0) {
        reap_prober(t);
        if (t->timer_fd >= 0)
            arm(t);
    }
}

MONITOR_PATH void health_timer_stop(struct health_timer *t)
{
    if (t->timer_fd >= 0)
        close(t->timer_fd);
    t->timer_fd = -1;
    if (t->prober_pidfd < 0)
        return;
    /* A prober in the middle of saving the record finishes it first. */
    syscall(SYS_pidfd_send_signal, t->prober_pidfd, SIGTERM, NULL, 0);
    struct pollfd ended = {.fd = t->prober_pidfd, .events = POLLIN};
    if (poll(&ended, 1, 1000) <= 0)
        syscall(SYS_pidfd_send_signal, t->prober_pidfd, SIGKILL, NULL, 0);
    reap_prober(t);
}
