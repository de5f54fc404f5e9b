/* docker's --security-opt: no-new-privileges[=BOOL], seccomp=unconfined|
 * builtin|FILE, apparmor=PROFILE, label=..., systempaths=unconfined; "="
 * or docker's older ":" between key and value. */
#ifndef HUSK_ENGINE_SECURITY_OPTIONS_H
#define HUSK_ENGINE_SECURITY_OPTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../util/error.h"

enum seccomp_choice {
    SECCOMP_CHOICE_DEFAULT,    /* not given: husk's filter, none when privileged */
    SECCOMP_CHOICE_UNCONFINED, /* no filter */
    SECCOMP_CHOICE_BUILTIN,    /* husk's filter, also when privileged */
    SECCOMP_CHOICE_PROFILE,    /* a profile in docker's format */
};

struct security_options {
    int no_new_privileges; /* -1: not given (husk's default), 0 or 1 */
    enum seccomp_choice seccomp;
    json_t *seccomp_profile; /* SECCOMP_CHOICE_PROFILE: docker's format, checked */
    char *seccomp_file;      /* where it came from, for messages */
    char *apparmor_profile;  /* apparmor=, or NULL */
    json_t *labels;          /* label= values (["type:svirt_t", ...]) */
    bool systempaths_unconfined;
    /* HostConfig.SecurityOpt as docker keeps it: each option as given, a
     * seccomp file replaced by "seccomp=" and its compact JSON, and
     * systempaths=unconfined left out (docker records it as empty
     * MaskedPaths and ReadonlyPaths); NULL when nothing is left. */
    json_t *recorded;
};

/* Parses and checks GIVEN[0..COUNT) into OUT (zeroed first), reading each
 * seccomp profile file; a later option overrides an earlier one. One line
 * of error naming the option when one is wrong. */
int security_options_parse(const char *const *given, size_t count, struct security_options *out,
                           husk_error_t *err);
void security_options_free(struct security_options *options);

/* The host's AppArmor and SELinux, as runc and go-selinux look for them. */
bool security_apparmor_enabled(void);
bool security_selinux_enabled(void);
/* The one-line notes for options this host cannot honour (an LSM it does
 * not run); printed to OUT. */
void security_options_warn(const struct security_options *options, bool apparmor, bool selinux,
                           FILE *out);

/* Applies OPTIONS to SPEC (built by spec_build): noNewPrivileges, the
 * seccomp section (a docker profile resolved against the spec's bounding
 * capabilities, and compiled once here so a bad one fails the create),
 * apparmorProfile when APPARMOR, masked and read-only paths. */
int security_options_apply(const struct security_options *options, bool apparmor, json_t *spec,
                           husk_error_t *err);
/* HostConfig.SecurityOpt, MaskedPaths and ReadonlyPaths (from SPEC). */
void security_options_record(const struct security_options *options, json_t *spec,
                             json_t *host_config);

/* Go's strconv.ParseBool, which docker uses for these values: 1 t T TRUE
 * true True, 0 f F FALSE false False. -1 for anything else. */
int security_bool_parse(const char *text);
/* strerror(ERRNUM) as docker (Go) words it: "no such file or directory". */
void security_errno_text(int errnum, char *out, size_t size);

#endif
