#include "pump.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "../util/section.h"

MONITOR_PATH static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

MONITOR_PATH void pump_init(struct pump *pump, int out, int err, bool borrowed_out,
                            pump_deliver_fn *deliver, void *context)
{
    *pump = (struct pump){
        .fds = {out, err}, .borrowed = borrowed_out, .deliver = deliver, .context = context};
    for (int i = 0; i < 2; i++)
        if (pump->fds[i] >= 0)
            fcntl(pump->fds[i], F_SETFL, fcntl(pump->fds[i], F_GETFL) | O_NONBLOCK);
}

MONITOR_PATH void pump_poll_entries(const struct pump *pump, struct pollfd entries[2])
{
    for (int i = 0; i < 2; i++)
        entries[i] = (struct pollfd){.fd = pump->fds[i], .events = POLLIN};
}

MONITOR_PATH static void finish_source(struct pump *pump, int index)
{
    if (!(index == 0 && pump->borrowed))
        close(pump->fds[index]);
    pump->fds[index] = -1;
}

MONITOR_PATH void pump_service(struct pump *pump, const struct pollfd entries[2])
{
    char buffer[16384];
    for (int i = 0; i < 2; i++) {
        if (pump->fds[i] < 0 || !(entries[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        ssize_t n = read(pump->fds[i], buffer, sizeof(buffer));
        if (n > 0)
            pump->deliver(pump->context, i + 1, buffer, (size_t)n);
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            finish_source(pump, i); /* EOF; a pty says EIO once its last slave closed */
    }
}

MONITOR_PATH void pump_process_exited(struct pump *pump)
{
    if (pump->deadline == 0)
        pump->deadline = now_ms() + PUMP_GRACE_MS;
}

MONITOR_PATH bool pump_finished(const struct pump *pump)
{
    if (pump->fds[0] < 0 && pump->fds[1] < 0)
        return true;
    return pump->deadline != 0 && now_ms() >= pump->deadline;
}

MONITOR_PATH int pump_poll_timeout(const struct pump *pump)
{
    if (pump->deadline == 0)
        return -1;
    int64_t left = pump->deadline - now_ms();
    return left > 0 ? (int)left : 0;
}

MONITOR_PATH void pump_close(struct pump *pump)
{
    for (int i = 0; i < 2; i++)
        if (pump->fds[i] >= 0)
            finish_source(pump, i);
}
