#include "sysctl_options.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../audit/sysctl_catalog.h"
#include "../util/cleanup.h"
#include "namespace_join.h"

/* The mode's flag and value when the container does not own NAMESPACE;
 * NULL when it does. */
static const char *shared_by(const struct run_options *o, const char *namespace, const char **flag)
{
    static const struct {
        const char *namespace, *flag;
        size_t offset;
    } modes[] = {
        {"net", "--network", offsetof(struct run_options, network)},
        {"ipc", "--ipc", offsetof(struct run_options, ipc_mode)},
        {"uts", "--uts", offsetof(struct run_options, uts_mode)},
        {"pid", "--pid", offsetof(struct run_options, pid_mode)},
        {"user", "--userns", offsetof(struct run_options, userns_mode)},
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(namespace, modes[i].namespace) != 0)
            continue;
        const char *mode = *(const char *const *)((const char *)o + modes[i].offset);
        *flag = modes[i].flag;
        /* husk gives a container its own user namespace only when asked. */
        if (strcmp(namespace, "user") == 0)
            return mode != NULL && strcmp(mode, "private") == 0 ? NULL : mode ? mode : "host";
        if (mode != NULL && (strcmp(mode, "host") == 0 || namespace_donor_of(mode) != NULL))
            return mode;
        return NULL;
    }
    *flag = NULL;
    return "host"; /* a namespace husk never makes per container */
}

static int check_one(const struct run_options *o, json_t *catalog, const char *key,
                     husk_error_t *err)
{
    json_t *entry = sysctl_catalog_entry(catalog, key);
    if (entry == NULL)
        return husk_error_set(err, 0, "--sysctl %s is refused: this kernel has no such setting",
                              key);
    const char *class = json_string_value(json_object_get(entry, "Class"));
    const char *namespace = json_string_value(json_object_get(entry, "Namespace"));
    if (class == NULL || strcmp(class, "isolated") != 0 || namespace == NULL)
        return husk_error_set(err, 0,
                              "--sysctl %s is refused: no namespace isolates it, the kernel "
                              "keeps one value for the host and every container, so setting it "
                              "would change them all (husk audit: %s)",
                              key, class ? class : "unknown");
    const char *flag = NULL, *mode = shared_by(o, namespace, &flag);
    if (mode != NULL && flag == NULL)
        return husk_error_set(err, 0,
                              "--sysctl %s is refused: the %s namespace isolates it, and --sysctl "
                              "sets only keys of the net, ipc, uts, pid and user namespaces",
                              key, namespace);
    if (mode != NULL)
        return husk_error_set(err, 0,
                              "--sysctl %s is refused: the container shares that namespace "
                              "(%s %s), so it would change %s",
                              key, flag, mode,
                              strcmp(mode, "host") == 0 ? "the host" : "another container");
    return 0;
}

/* The cached classification; redone once when it lacks a key the kernel
 * has now (a module loaded since). */
static int catalog_for(const struct engine_context *context, const struct run_options *o,
                       json_t **catalog, husk_error_t *err)
{
    cleanup_free char *directory = NULL;
    if (asprintf(&directory, "%s/audit", context->data_root) < 0)
        return husk_error_set(err, ENOMEM, "--sysctl");
    if (sysctl_catalog_load(directory, false, catalog, err) < 0)
        return -1;
    for (size_t i = 0; i < o->sysctl_count; i++) {
        char key[256], path[300];
        snprintf(key, sizeof(key), "%.*s", (int)strcspn(o->sysctl[i], "="), o->sysctl[i]);
        sysctl_key_canonical(key, path, sizeof(path));
        for (char *c = path; *c; c++)
            *c = *c == '.' ? '/' : *c;
        char full[320];
        snprintf(full, sizeof(full), "/proc/sys/%s", path);
        if (sysctl_catalog_entry(*catalog, key) == NULL && access(full, F_OK) == 0) {
            json_decref(*catalog);
            return sysctl_catalog_load(directory, true, catalog, err);
        }
    }
    return 0;
}

int sysctl_options_check(const struct engine_context *context, const struct run_options *o,
                         json_t **sysctls, husk_error_t *err)
{
    *sysctls = json_object();
    json_t *catalog = NULL;
    for (size_t i = 0; i < o->sysctl_count; i++) {
        const char *text = o->sysctl[i];
        const char *equals = strchr(text, '=');
        size_t length = equals ? (size_t)(equals - text) : 0;
        char key[200];
        if (equals == NULL || length == 0 || length >= sizeof(key) ||
            strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") <
                length ||
            strstr(text, "..") != NULL || text[0] == '.' || strchr(equals, '\n') != NULL) {
            json_decref(*sysctls);
            *sysctls = NULL;
            return husk_error_set(err, 0,
                                  "invalid --sysctl \"%s\": use KEY=VALUE, e.g. "
                                  "net.ipv4.ip_forward=1",
                                  text);
        }
        memcpy(key, text, length);
        key[length] = '\0';
        if ((catalog == NULL && catalog_for(context, o, &catalog, err) < 0) ||
            check_one(o, catalog, key, err) < 0) {
            json_decref(catalog);
            json_decref(*sysctls);
            *sysctls = NULL;
            return -1;
        }
        json_object_set_new(*sysctls, key, json_string(equals + 1));
    }
    json_decref(catalog);
    return 0;
}
