#include "sysctl_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/sysctl.h"
#include "../util/cleanup.h"
#include "namespace_join.h"

const char *sysctl_key_namespace(const char *key)
{
    static const struct {
        const char *prefix;
        bool whole; /* the key itself, not a prefix */
        const char *namespace;
    } rules[] = {
        {"kernel.shm", false, "ipc"},     {"kernel.msg", false, "ipc"},
        {"kernel.sem", true, "ipc"},      {"fs.mqueue.", false, "ipc"},
        {"kernel.hostname", true, "uts"}, {"kernel.domainname", true, "uts"},
        {"net.", false, "net"},
    };
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        size_t length = strlen(rules[i].prefix);
        if (rules[i].whole ? strcmp(key, rules[i].prefix) == 0
                           : strncmp(key, rules[i].prefix, length) == 0 && key[length] != '\0')
            return rules[i].namespace;
    }
    return NULL;
}

/* The mode's flag and value when the container does not own the namespace. */
static const char *shared_by(const struct run_options *o, const char *namespace, const char **flag)
{
    const char *mode = strcmp(namespace, "ipc") == 0   ? o->ipc_mode
                       : strcmp(namespace, "uts") == 0 ? o->uts_mode
                                                       : o->network;
    *flag = strcmp(namespace, "ipc") == 0   ? "--ipc"
            : strcmp(namespace, "uts") == 0 ? "--uts"
                                            : "--network";
    if (mode != NULL && (strcmp(mode, "host") == 0 || namespace_donor_of(mode) != NULL))
        return mode;
    return NULL;
}

/* net.ipv4.conf.eth0.rp_filter -> net/ipv4/conf/default/rp_filter: the
 * container's interfaces do not exist yet where the probe looks. */
static void probe_path(const char *key, char *path, size_t size)
{
    static const char *const per_interface[] = {"net.ipv4.conf.", "net.ipv6.conf.",
                                                "net.ipv4.neigh.", "net.ipv6.neigh."};
    snprintf(path, size, "%s", key);
    for (size_t i = 0; i < sizeof(per_interface) / sizeof(per_interface[0]); i++) {
        size_t length = strlen(per_interface[i]);
        const char *rest =
            strchr(key + (strncmp(key, per_interface[i], length) == 0 ? length : 0), '.');
        if (strncmp(key, per_interface[i], length) == 0 && rest != NULL)
            snprintf(path, size, "%sdefault%s", per_interface[i], rest);
    }
    for (char *p = path; *p; p++)
        if (*p == '.')
            *p = '/';
}

static int check_one(const struct run_options *o, const char *key, husk_error_t *err)
{
    const char *namespace = sysctl_key_namespace(key);
    const char *flag = NULL, *mode = namespace ? shared_by(o, namespace, &flag) : NULL;
    if (mode != NULL)
        return husk_error_set(err, 0,
                              "--sysctl %s is refused: the container shares that namespace "
                              "(%s %s), so it would change %s",
                              key, flag, mode,
                              strcmp(mode, "host") == 0 ? "the host" : "another container");
    int isolated = 0;
    if (namespace != NULL && strcmp(namespace, "net") == 0) {
        char path[256];
        probe_path(key, path, sizeof(path));
        isolated = net_sysctl_isolated(path, err);
        if (isolated < 0)
            return -1;
    }
    if (namespace == NULL || (strcmp(namespace, "net") == 0 && isolated == 0))
        return husk_error_set(err, 0,
                              "--sysctl %s is refused: no namespace isolates it, the kernel "
                              "keeps one value for the host and every container, so setting it "
                              "would change them all",
                              key);
    return 0;
}

int sysctl_options_check(const struct run_options *o, json_t **sysctls, husk_error_t *err)
{
    *sysctls = json_object();
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
        if (check_one(o, key, err) < 0) {
            json_decref(*sysctls);
            *sysctls = NULL;
            return -1;
        }
        json_object_set_new(*sysctls, key, json_string(equals + 1));
    }
    return 0;
}
