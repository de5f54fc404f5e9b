#include "run_attached.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach.h"
#include "create.h"
#include "identity_parse.h"
#include "lifecycle.h"
#include "monitor/monitor.h"
#include "run_identity.h"

int engine_run_attached(const struct engine_context *context, const struct run_options *o,
                        int *exit_status, husk_error_t *err)
{
    int streams = run_identity_attached_streams(o);
    struct attach_client_options client = {
        .stdin_open = o->interactive,
        .tty = o->tty,
        .hide_stdout = streams != 0 && !(streams & ATTACH_STDOUT),
        .hide_stderr = streams != 0 && !(streams & ATTACH_STDERR),
        .no_signal_proxy = !run_identity_sig_proxy(o),
    };
    struct container_handle handle;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
        return husk_error_set(err, errno, "socketpair");
    if (container_create(context, o, false, &handle, err) < 0) {
        close(pair[0]);
        close(pair[1]);
        return -1;
    }
    char id[HUSK_ID_SIZE];
    snprintf(id, sizeof(id), "%s", handle.id);
    run_identity_created(o, id);
    /* Connected before the monitor starts PID 1, so no output is missed. */
    int rc = monitor_start(context, &handle, pair[1], err);
    close(pair[1]);
    container_close(&handle);
    if (rc < 0) {
        /* As a foreground run that cannot start: nothing is kept. */
        close(pair[0]);
        engine_remove(context, id, true, true, NULL);
        run_identity_discarded(o);
        return -1;
    }
    rc = attach_client_run(pair[0], &client, exit_status, err);
    close(pair[0]);
    return rc;
}
