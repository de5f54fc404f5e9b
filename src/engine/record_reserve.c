#include "record_reserve.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"

/* The first block holds "EXITCODE FINISHEDAT\n"; it stays allocated when
 * the rest is freed, so writing it needs no space. */
#define SLOT_SIZE 4096

static int open_reserve(const char *directory, int flags)
{
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/reserve", directory) >= (int)sizeof(path))
        return -1;
    return open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
}

static const char *status_of(json_t *record)
{
    return json_string_value(json_object_get(json_object_get(record, "State"), "Status")) ?: "";
}

void record_reserve_renew(const char *directory, json_t *record)
{
    const char *status = status_of(record);
    if (strcmp(status, "created") != 0 && strcmp(status, "running") != 0)
        return;
    cleanup_close int fd = open_reserve(directory, O_RDWR | O_CREAT);
    struct stat st;
    /* Whole already (every running-record write renews: health checks
     * too), so the common case costs one fstat. A slot written by a
     * release whose punch failed lies in a whole file and is not read. */
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_blocks * 512 >= RECORD_RESERVE_SIZE)
        return;
    /* Best effort: a file system without fallocate keeps no reserve. */
    if (st.st_size == 0 || ftruncate(fd, 0) == 0)
        (void)fallocate(fd, 0, 0, RECORD_RESERVE_SIZE);
}

bool record_reserve_release(const char *directory, json_t *record)
{
    cleanup_close int fd = open_reserve(directory, O_RDWR);
    if (fd < 0)
        return false;
    json_t *state = json_object_get(record, "State");
    if (strcmp(status_of(record), "exited") == 0) {
        char line[256];
        int length = snprintf(line, sizeof(line), "%lld %s\n",
                              (long long)json_integer_value(json_object_get(state, "ExitCode")),
                              json_string_value(json_object_get(state, "FinishedAt"))
                                  ?: "0001-01-01T00:00:00Z");
        if (length > 0)
            (void)pwrite(fd, line, (size_t)length, 0);
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_blocks * 512 <= SLOT_SIZE)
        return false; /* given already */
    return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, SLOT_SIZE,
                     RECORD_RESERVE_SIZE - SLOT_SIZE) == 0;
}

/* Until the next start makes it anew, a given reserve says the state root
 * ran full: inspect says so rather than nothing. */
static void say_reserve_used(json_t *state)
{
    const char *error = json_string_value(json_object_get(state, "Error"));
    if (error == NULL || error[0] == '\0')
        json_object_set_new(state, "Error", json_string(RECORD_RESERVE_USED));
}

void record_reserve_apply(const char *directory, json_t *record)
{
    cleanup_close int fd = open_reserve(directory, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_blocks * 512 > SLOT_SIZE)
        return;
    json_t *state = json_object_get(record, "State");
    const char *status = status_of(record);
    if (strcmp(status, "running") != 0 && strcmp(status, "paused") != 0) {
        say_reserve_used(state);
        return;
    }
    char line[256] = "";
    long long exit_code;
    char finished[128];
    if (pread(fd, line, sizeof(line) - 1, 0) <= 0 ||
        sscanf(line, "%lld %127s", &exit_code, finished) != 2)
        return;
    json_object_set_new(state, "Status", json_string("exited"));
    json_object_set_new(state, "Running", json_false());
    json_object_set_new(state, "Paused", json_false());
    json_object_set_new(state, "Pid", json_integer(0));
    json_object_set_new(state, "ExitCode", json_integer(exit_code));
    json_object_set_new(state, "FinishedAt", json_string(finished));
    json_object_set_new(state, "Error", json_string(RECORD_RESERVE_NOT_RECORDED));
}
