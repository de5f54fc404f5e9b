#include "security_options.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../runtime/seccomp.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "docker_seccomp.h"
#include "seccomp_profile.h"

int security_bool_parse(const char *text)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(text, yes[i]) == 0)
            return 1;
        if (strcmp(text, no[i]) == 0)
            return 0;
    }
    return -1;
}

void security_errno_text(int errnum, char *out, size_t size)
{
    /* As docker (Go) words it: "no such file or directory". */
    snprintf(out, size, "%s", strerror(errnum));
    out[0] = (char)tolower((unsigned char)out[0]);
}

static int invalid(husk_error_t *err, const char *option, const char *why)
{
    return husk_error_set(err, 0, "invalid --security-opt: \"%s\"%s%s", option, why ? ": " : "",
                          why ? why : "");
}

/* docker reads the file where the client runs and sends its compact JSON. */
static int load_profile(const char *file, struct security_options *out, husk_error_t *err)
{
    cleanup_fclose FILE *in = fopen(file, "re");
    if (in == NULL) {
        char text[128];
        security_errno_text(errno, text, sizeof(text));
        return husk_error_set(err, 0, "opening seccomp profile (%s) failed: open %s: %s", file,
                              file, text);
    }
    json_error_t parse_error;
    /* Duplicate keys are taken, the last winning, as Go's decoder does. */
    cleanup_json json_t *profile = json_loadf(in, 0, &parse_error);
    if (profile == NULL)
        return husk_error_set(err, 0, "decoding seccomp profile (%s) failed: line %d: %s", file,
                              parse_error.line, parse_error.text);
    if (docker_seccomp_check(profile, err) < 0)
        return husk_error_wrap(err, "decoding seccomp profile (%s) failed", file);
    json_decref(out->seccomp_profile);
    free(out->seccomp_file);
    out->seccomp_profile = steal_pointer(&profile);
    out->seccomp_file = xstrdup(file);
    out->seccomp = SECCOMP_CHOICE_PROFILE;
    return 0;
}

static bool label_valid(const char *value)
{
    static const char *const keys[] = {"user", "role", "type", "level", "filetype"};
    if (strcmp(value, "disable") == 0)
        return true;
    const char *colon = strchr(value, ':');
    for (size_t i = 0; colon != NULL && colon[1] != '\0' && i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strlen(keys[i]) == (size_t)(colon - value) &&
            strncmp(value, keys[i], colon - value) == 0)
            return true;
    return false;
}

/* KEY=VALUE, or docker's older KEY:VALUE; RECORDED is what docker keeps. */
static int parse_one(const char *option, struct security_options *out, char **recorded,
                     husk_error_t *err)
{
    *recorded = xstrdup(option);
    if (strcmp(option, "no-new-privileges") == 0) {
        out->no_new_privileges = 1;
        return 0;
    }
    const char *separator = strchr(option, '=');
    if (separator == NULL)
        separator = strchr(option, ':');
    if (separator == NULL || separator[1] == '\0')
        return invalid(err, option, NULL);
    cleanup_free char *key = strndup(option, (size_t)(separator - option));
    const char *value = separator + 1;
    if (strcmp(key, "no-new-privileges") == 0) {
        out->no_new_privileges = security_bool_parse(value);
        return out->no_new_privileges < 0 ? invalid(err, option, "true or false") : 0;
    }
    if (strcmp(key, "seccomp") == 0) {
        if (strcmp(value, "unconfined") == 0 || strcmp(value, "builtin") == 0) {
            out->seccomp = value[0] == 'u' ? SECCOMP_CHOICE_UNCONFINED : SECCOMP_CHOICE_BUILTIN;
            return 0;
        }
        if (load_profile(value, out, err) < 0)
            return -1;
        cleanup_free char *text = json_dumps(out->seccomp_profile, JSON_COMPACT);
        free(*recorded);
        *recorded = xasprintf("seccomp=%s", text);
        return 0;
    }
    if (strcmp(key, "apparmor") == 0) {
        free(out->apparmor_profile);
        out->apparmor_profile = xstrdup(value);
        return 0;
    }
    if (strcmp(key, "label") == 0) {
        if (!label_valid(value))
            return invalid(err, option,
                           "use label=disable or label=user|role|type|level|filetype:VALUE");
        json_array_append_new(out->labels, json_string(value));
        return 0;
    }
    if (strcmp(key, "systempaths") == 0 && strcmp(value, "unconfined") == 0) {
        out->systempaths_unconfined = true;
        free(steal_pointer(recorded));
        return 0;
    }
    return invalid(err, option, NULL);
}

int security_options_parse(const char *const *given, size_t count, struct security_options *out,
                           husk_error_t *err)
{
    *out = (struct security_options){.no_new_privileges = -1, .labels = json_array()};
    cleanup_json json_t *recorded = json_array();
    for (size_t i = 0; i < count; i++) {
        cleanup_free char *kept = NULL;
        if (parse_one(given[i], out, &kept, err) < 0) {
            security_options_free(out);
            return -1;
        }
        if (kept != NULL)
            json_array_append_new(recorded, json_string(kept));
    }
    if (json_array_size(recorded) > 0)
        out->recorded = steal_pointer(&recorded);
    return 0;
}

void security_options_free(struct security_options *o)
{
    json_decref(o->seccomp_profile);
    json_decref(o->labels);
    json_decref(o->recorded);
    free(o->seccomp_file);
    free(o->apparmor_profile);
    *o = (struct security_options){.no_new_privileges = -1};
}

bool security_apparmor_enabled(void)
{
    char flag = 'N';
    FILE *f = fopen("/sys/module/apparmor/parameters/enabled", "re");
    if (f != NULL) {
        flag = (char)fgetc(f);
        fclose(f);
    }
    return flag == 'Y' && access("/sys/kernel/security/apparmor", F_OK) == 0;
}

bool security_selinux_enabled(void)
{
    return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

void security_options_warn(const struct security_options *o, bool apparmor, bool selinux, FILE *out)
{
    if (o->apparmor_profile != NULL && !apparmor)
        fprintf(out,
                "husk: note: AppArmor is not enabled on this host: --security-opt apparmor=%s "
                "has no effect\n",
                o->apparmor_profile);
    /* husk's runtime sets no SELinux labels, even where SELinux runs. */
    if (json_array_size(o->labels) > 0)
        fprintf(out, "husk: note: %s: --security-opt label=%s has no effect\n",
                selinux ? "husk applies no SELinux labels" : "SELinux is not enabled on this host",
                json_string_value(json_array_get(o->labels, 0)));
}

/* The profile resolved for this container (its bounding capabilities
 * decide "caps" conditions), compiled once here as well: a profile
 * libseccomp refuses (an unknown architecture, ...) fails the create
 * rather than every start. */
static json_t *resolved_profile(const struct security_options *o, json_t *spec, husk_error_t *err)
{
    struct docker_seccomp_target target;
    docker_seccomp_target_host(&target);
    json_t *capabilities = json_object_get(json_object_get(spec, "process"), "capabilities");
    target.capabilities = json_object_get(capabilities, "bounding");
    json_t *section = docker_seccomp_convert(o->seccomp_profile, &target);
    if (json_is_null(section))
        return section;
    struct seccomp_program program;
    if (seccomp_program_compile(section, &program, err) < 0) {
        json_decref(section);
        husk_error_wrap(err, "seccomp profile (%s)", o->seccomp_file);
        return NULL;
    }
    seccomp_program_free(&program);
    return section;
}

static int apply_seccomp(const struct security_options *o, json_t *spec, husk_error_t *err)
{
    json_t *linux_section = json_object_get(spec, "linux");
    json_t *section = NULL;
    switch (o->seccomp) {
    case SECCOMP_CHOICE_DEFAULT:
        return 0;
    case SECCOMP_CHOICE_UNCONFINED:
        section = json_null();
        break;
    case SECCOMP_CHOICE_BUILTIN:
        section = seccomp_profile_default();
        break;
    case SECCOMP_CHOICE_PROFILE:
        section = resolved_profile(o, spec, err);
        if (section == NULL)
            return -1;
        break;
    }
    if (json_is_null(section))
        json_object_del(linux_section, "seccomp");
    else
        json_object_set(linux_section, "seccomp", section);
    json_decref(section);
    return 0;
}

int security_options_apply(const struct security_options *o, bool apparmor, json_t *spec,
                           husk_error_t *err)
{
    json_t *process = json_object_get(spec, "process");
    json_t *linux_section = json_object_get(spec, "linux");
    if (o->no_new_privileges >= 0)
        json_object_set_new(process, "noNewPrivileges", json_boolean(o->no_new_privileges));
    if (apply_seccomp(o, spec, err) < 0)
        return -1;
    if (apparmor && o->apparmor_profile != NULL)
        json_object_set_new(process, "apparmorProfile", json_string(o->apparmor_profile));
    if (o->systempaths_unconfined) {
        json_object_del(linux_section, "maskedPaths");
        json_object_del(linux_section, "readonlyPaths");
    }
    return 0;
}

void security_options_record(const struct security_options *o, json_t *spec, json_t *host_config)
{
    json_object_set(host_config, "SecurityOpt", o->recorded ? o->recorded : json_null());
    static const char *const paths[][2] = {{"MaskedPaths", "maskedPaths"},
                                           {"ReadonlyPaths", "readonlyPaths"}};
    json_t *linux_section = json_object_get(spec, "linux");
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        json_t *list = json_object_get(linux_section, paths[i][1]);
        /* As docker: the list, empty with systempaths=unconfined, null
         * when privileged. */
        json_object_set_new(host_config, paths[i][0],
                            list                        ? json_deep_copy(list)
                            : o->systempaths_unconfined ? json_array()
                                                        : json_null());
    }
}
