#include "exec_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/json_text.h"
#include "../util/xalloc.h"

#define STATE_FILE   "exec.json"
#define PROGRAM_FILE "seccomp.bpf"

/* Which config.json a saved state was made from: husk replaces the file
 * whole (update), so a new one has another inode or time. */
static json_t *config_tag(int bundle_fd, husk_error_t *err)
{
    struct stat st;
    if (fstatat(bundle_fd, "config.json", &st, AT_SYMLINK_NOFOLLOW) < 0) {
        husk_error_set(err, errno, "config.json");
        return NULL;
    }
    return json_pack("[I, I, I, I]", (json_int_t)st.st_ino, (json_int_t)st.st_size,
                     (json_int_t)st.st_mtim.tv_sec, (json_int_t)st.st_mtim.tv_nsec);
}

/* Names the program in exec.json, so that a program file left by another
 * config.json is never paired with this one's process. */
static char *program_digest(const struct seccomp_program *program)
{
    uint64_t hash = 0xcbf29ce484222325ULL;
    const unsigned char *byte = (const unsigned char *)program->filter;
    for (size_t i = 0; i < program->length * sizeof(*program->filter); i++)
        hash = (hash ^ byte[i]) * 0x100000001b3ULL;
    return xasprintf("%016" PRIx64, hash);
}

static int load_saved(int bundle_fd, json_t *tag, struct exec_state *state)
{
    cleanup_json json_t *saved = json_load_path(bundle_fd, STATE_FILE, NULL);
    if (saved == NULL || !json_equal(json_object_get(saved, "config"), tag) ||
        runtime_spec_parse_process(json_object_get(saved, "process"), &state->spec, NULL) < 0)
        return -1;
    const char *cgroups_path = json_string_value(json_object_get(saved, "cgroupsPath"));
    state->spec->cgroups_path = cgroups_path ? xstrdup(cgroups_path) : NULL;
    if (cgroup_layout_from_json(json_object_get(saved, "cgroupLayout"), &state->layout, NULL) < 0)
        goto stale;
    const char *digest = json_string_value(json_object_get(saved, "seccomp"));
    if (digest != NULL) {
        if (seccomp_program_read(bundle_fd, PROGRAM_FILE, &state->seccomp) < 0)
            goto stale;
        cleanup_free char *found = program_digest(&state->seccomp);
        if (strcmp(found, digest) != 0)
            goto stale;
    }
    return 0;
stale:
    exec_state_free(state);
    return -1;
}

/* Best effort: without it the next exec builds the state again. */
static void save(int bundle_fd, json_t *tag, json_t *process, const struct exec_state *state)
{
    cleanup_json json_t *saved =
        json_pack("{s:O, s:O, s:s?, s:o}", "config", tag, "process", process, "cgroupsPath",
                  state->spec->cgroups_path, "cgroupLayout", cgroup_layout_to_json(&state->layout));
    if (saved == NULL)
        return;
    if (state->seccomp.filter != NULL) {
        if (seccomp_program_save(bundle_fd, PROGRAM_FILE, &state->seccomp) < 0)
            return;
        cleanup_free char *digest = program_digest(&state->seccomp);
        json_object_set_new(saved, "seccomp", json_string(digest));
    }
    cleanup_free char *text = json_dumps(saved, JSON_COMPACT);
    char temporary[64];
    snprintf(temporary, sizeof(temporary), "." STATE_FILE ".%d", (int)getpid());
    unlinkat(bundle_fd, temporary, 0);
    if (text == NULL || file_write_all(bundle_fd, temporary, text, strlen(text), 0600, NULL) < 0 ||
        renameat(bundle_fd, temporary, bundle_fd, STATE_FILE) < 0)
        unlinkat(bundle_fd, temporary, 0);
}

static int build(int bundle_fd, json_t *tag, struct exec_state *state, husk_error_t *err)
{
    json_error_t parse_error;
    cleanup_json json_t *document = json_load_path(bundle_fd, "config.json", &parse_error);
    if (document == NULL)
        return husk_error_set(err, 0, "config.json: line %d: %s", parse_error.line,
                              parse_error.text);
    json_t *process = json_object_get(document, "process");
    json_t *linux_section = json_object_get(document, "linux");
    json_t *seccomp = json_object_get(linux_section, "seccomp");
    if (runtime_spec_parse_process(process, &state->spec, err) < 0)
        return -1;
    const char *cgroups_path = json_string_value(json_object_get(linux_section, "cgroupsPath"));
    state->spec->cgroups_path = cgroups_path ? xstrdup(cgroups_path) : NULL;
    if ((json_is_object(seccomp) && seccomp_program_compile(seccomp, &state->seccomp, err) < 0) ||
        cgroup_layout_discover(&state->layout, err) < 0) {
        exec_state_free(state);
        return -1;
    }
    save(bundle_fd, tag, process, state);
    return 0;
}

int exec_state_load(int bundle_fd, struct exec_state *state, husk_error_t *err)
{
    *state = (struct exec_state){0};
    cleanup_json json_t *tag = config_tag(bundle_fd, err);
    if (tag == NULL)
        return -1;
    if (load_saved(bundle_fd, tag, state) == 0)
        return 0;
    return build(bundle_fd, tag, state, err);
}

void exec_state_free(struct exec_state *state)
{
    runtime_spec_free(state->spec);
    state->spec = NULL;
    seccomp_program_free(&state->seccomp);
    cgroup_layout_free(&state->layout);
}
