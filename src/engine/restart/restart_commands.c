#include "restart_commands.h"

#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"
#include "../record.h"
#include "restart_policy.h"
#include "restart_record.h"

int engine_update_restart_policy(const struct engine_context *context, const char *reference,
                                 const char *policy_text, husk_error_t *err)
{
    struct restart_policy policy;
    if (restart_policy_parse(policy_text, &policy, err) < 0)
        return -1;
    struct container_handle handle;
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    json_t *host_config = json_object_get(handle.record, "HostConfig");
    int rc = 0;
    if (policy.name != RESTART_NO && json_is_true(json_object_get(host_config, "AutoRemove")))
        rc = husk_error_set(err, 0,
                            "cannot give container %s restart policy %s: it is removed when "
                            "it exits (--rm)",
                            reference, policy_text);
    if (rc == 0) {
        json_object_set_new(host_config, "RestartPolicy", restart_policy_to_json(&policy));
        rc = container_save(context, &handle, err);
    }
    container_close(&handle);
    return rc;
}

static bool policy_listed(enum restart_policy_name name, const char *const *policies)
{
    if (policies == NULL)
        return name != RESTART_NO;
    for (const char *const *p = policies; *p != NULL; p++)
        if (strcmp(*p, restart_policy_name_text(name)) == 0)
            return true;
    return false;
}

/* Not running, and its policy (one of POLICIES) would start it again. */
static bool wants_start(json_t *record, const char *const *policies)
{
    struct restart_policy policy;
    restart_policy_from_record(record, &policy);
    const char *status = record_status(record);
    if (!policy_listed(policy.name, policies) || strcmp(status, "created") == 0 ||
        strcmp(status, "running") == 0 || strcmp(status, "paused") == 0 ||
        strcmp(status, "restarting") == 0)
        return false;
    return policy.name != RESTART_UNLESS_STOPPED || !restart_record_manually_stopped(record);
}

struct candidate {
    char *id;
    char *created;
};

static int oldest_first(const void *a, const void *b)
{
    return strcmp(((const struct candidate *)a)->created, ((const struct candidate *)b)->created);
}

char **engine_restart_candidates(const struct engine_context *context, const char *const *policies)
{
    cleanup_strv char **ids = container_list_ids(context);
    size_t count = 0;
    for (char **id = ids; id && *id; id++)
        count++;
    struct candidate *found = xcalloc(count + 1, sizeof(*found));
    size_t n = 0;
    for (char **id = ids; id && *id; id++) {
        struct container_handle handle;
        if (container_read(context, *id, &handle, NULL) < 0)
            continue;
        if (wants_start(handle.record, policies)) {
            const char *created = json_string_value(json_object_get(handle.record, "Created"));
            found[n++] = (struct candidate){xstrdup(*id), xstrdup(created ? created : "")};
        }
        container_close(&handle);
    }
    qsort(found, n, sizeof(*found), oldest_first);
    char **result = xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        result[i] = found[i].id;
        free(found[i].created);
    }
    free(found);
    return result;
}
