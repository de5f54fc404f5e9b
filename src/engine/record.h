/* A container's record (container.json): read under a per-container lock,
 * written atomically (temp file, fsync, rename), and checked against the
 * kernel so a dead monitor never leaves a "running" ghost. */
#ifndef HUSK_ENGINE_RECORD_H
#define HUSK_ENGINE_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../util/error.h"
#include "identity.h"
#include "options.h"

struct container_handle {
    char id[HUSK_ID_SIZE];
    char *name; /* without the leading "/" */
    char *directory;
    int lock_fd; /* flock()ed directory fd, or -1 */
    json_t *record;
};

/* NAME, full ID or unique ID prefix -> ID. Errors: "No such container: X",
 * or an ambiguous prefix naming the candidates. */
int container_lookup(const struct engine_context *context, const char *reference,
                     char id[HUSK_ID_SIZE], husk_error_t *err);
/* Looks REFERENCE up, locks the container and loads its record. */
int container_open(const struct engine_context *context, const char *reference,
                   struct container_handle *handle, husk_error_t *err);
/* The record as it is now, without taking the lock: for reading another
 * container (a namespace donor, `husk ns`) while holding one's own lock. */
int container_read(const struct engine_context *context, const char *reference,
                   struct container_handle *handle, husk_error_t *err);
void container_close(struct container_handle *handle);
int container_save(const struct engine_context *context, struct container_handle *handle,
                   husk_error_t *err);
/* Every container id in the store. */
char **container_list_ids(const struct engine_context *context);

/* Field 22 of /proc/PID/stat: identifies a process across pid reuse; 0
 * when there is no such process or it has exited (a zombie),
 * PROCESS_START_UNKNOWN (errno set) when /proc could not be read. */
#define PROCESS_START_UNKNOWN (~0ULL)
unsigned long long process_start_time(pid_t pid);
/* True when the record's PID is still the very process it recorded. */
bool record_process_alive(json_t *record);
bool record_monitor_alive(json_t *record);
/* The record says paused (pause/unpause keep it; the freezer holds it). */
bool record_is_paused(json_t *record);
/* A pidfd of the process under PID_KEY ("Pid", "MonitorPid") whose start
 * time is START_KEY's, or -1: errno ESRCH when that process is gone,
 * another when it could not be told (EMFILE, ENOMEM). */
int record_open_process(json_t *record, const char *pid_key, const char *start_key);
/* The status the kernel confirms: "running" turns "exited" once PID 1 is
 * gone (even before its monitor recorded the exit: exit_wait.h), and
 * "restarting" once its monitor is gone. */
const char *record_status(json_t *record);
void record_set_state(json_t *record, const char *status, pid_t pid, int exit_code,
                      const char *error);

#endif
