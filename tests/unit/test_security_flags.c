/* The parsers behind run's --security-opt, --device, --device-cgroup-rule
 * and --init (src/engine/security_options.c, docker_seccomp.c, devices.c,
 * security_plan.c), and the device cgroup rules they feed the runtime. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/engine/devices.h"
#include "../../src/engine/docker_seccomp.h"
#include "../../src/engine/security_options.h"
#include "../../src/engine/security_plan.h"
#include "../../src/runtime/cgroup_devices.h"
#include "../../src/runtime/seccomp.h"
#include "../../src/runtime/spec.h"
#include "unit.h"

/* A profile in docker's format that uses every field moby reads: archMap,
 * defaultErrnoRet, flags, "name" and "names", comment, errnoRet, args with
 * value, valueTwo and op, and includes/excludes on caps, arches and
 * minKernel. */
static const char profile_text[] =
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1,"
    " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","
    "                \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]},"
    "               {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": "
    "[\"SCMP_ARCH_ARM\"]}],"
    " \"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
    " \"syscalls\": ["
    "  {\"name\": \"mkdirat\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13,"
    "   \"comment\": \"one name\"},"
    "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 22,"
    "   \"args\": [{\"index\": 0, \"value\": 255, \"valueTwo\": 8, \"op\": "
    "\"SCMP_CMP_MASKED_EQ\"}]},"
    "  {\"names\": [\"sethostname\"], \"action\": \"SCMP_ACT_ERRNO\","
    "   \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
    "  {\"names\": [\"syslog\"], \"action\": \"SCMP_ACT_ERRNO\","
    "   \"includes\": {\"caps\": [\"CAP_CHOWN\", \"CAP_KILL\"]}},"
    "  {\"names\": [\"acct\"], \"action\": \"SCMP_ACT_ERRNO\","
    "   \"includes\": {\"caps\": [\"CAP_SYS_PACCT\"]}},"
    "  {\"names\": [\"uname\"], \"action\": \"SCMP_ACT_LOG\","
    "   \"includes\": {\"arches\": [\"amd64\", \"arm64\"]}},"
    "  {\"names\": [\"vhangup\"], \"action\": \"SCMP_ACT_ERRNO\","
    "   \"excludes\": {\"arches\": [\"amd64\", \"arm64\"]}},"
    "  {\"names\": [\"getcpu\"], \"action\": \"SCMP_ACT_ERRNO\","
    "   \"includes\": {\"minKernel\": \"4.8\"}},"
    "  {\"names\": [\"getrandom\"], \"action\": \"SCMP_ACT_ERRNO\","
    "   \"includes\": {\"minKernel\": \"99.1\"}},"
    "  {\"names\": [\"kcmp\"], \"action\": \"SCMP_ACT_ERRNO\","
    "   \"excludes\": {\"minKernel\": \"4.8\"}}"
    " ]}";

static json_t *profile(void)
{
    json_error_t error;
    json_t *p = json_loads(profile_text, 0, &error);
    if (p == NULL)
        fail_msg("profile_text: %s", error.text);
    return p;
}

static const struct docker_seccomp_target *x86_64_target(void)
{
    static struct docker_seccomp_target t = {
        .arch = "amd64", .seccomp_arch = "SCMP_ARCH_X86_64", .kernel = 6, .major = 1};
    json_decref(t.capabilities);
    t.capabilities = json_pack("[s, s]", "CAP_CHOWN", "CAP_KILL");
    return &t;
}

/* The names of the rules that made it into SECTION, joined by ",". */
static void assert_rules(json_t *section, const char *expected)
{
    char names[512] = "";
    size_t i;
    json_t *rule;
    json_array_foreach(json_object_get(section, "syscalls"), i, rule)
    {
        if (i > 0)
            strcat(names, ",");
        strcat(names, json_string_value(json_array_get(json_object_get(rule, "names"), 0)));
    }
    assert_string_equal(names, expected);
}

static void test_convert_resolves_conditions(void **state)
{
    (void)state;
    json_t *p = profile();
    husk_error_t err = NULL;
    assert_int_equal(docker_seccomp_check(p, &err), 0);
    json_t *section = docker_seccomp_convert(p, x86_64_target());
    /* sethostname stays (no SYS_ADMIN), syslog needs CHOWN and KILL (both
     * there), acct PACCT (not); uname is for amd64, vhangup not; getcpu
     * needs 4.8, getrandom 99.1; kcmp is dropped from 4.8 on. */
    assert_rules(section, "mkdirat,personality,sethostname,syslog,uname,getcpu");
    json_t *archs = json_object_get(section, "architectures");
    assert_int_equal(json_array_size(archs), 3);
    assert_string_equal(json_string_value(json_array_get(archs, 0)), "SCMP_ARCH_X86_64");
    assert_string_equal(json_string_value(json_array_get(archs, 2)), "SCMP_ARCH_X32");
    assert_null(json_object_get(section, "archMap"));
    assert_int_equal(json_integer_value(json_object_get(section, "defaultErrnoRet")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(section, "flags"), 0)),
                        "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
    json_t *first = json_array_get(json_object_get(section, "syscalls"), 0);
    assert_null(json_object_get(first, "comment"));
    assert_null(json_object_get(first, "name"));
    assert_int_equal(json_integer_value(json_object_get(first, "errnoRet")), 13);
    json_t *arg = json_array_get(
        json_object_get(json_array_get(json_object_get(section, "syscalls"), 1), "args"), 0);
    assert_int_equal(json_integer_value(json_object_get(arg, "valueTwo")), 8);
    assert_string_equal(json_string_value(json_object_get(arg, "op")), "SCMP_CMP_MASKED_EQ");
    json_t *third = json_array_get(json_object_get(section, "syscalls"), 2);
    assert_null(json_object_get(third, "excludes"));
    /* What comes out is a linux.seccomp the runtime compiles. */
    struct seccomp_program program;
    assert_int_equal(seccomp_program_compile(section, &program, &err), 0);
    assert_no_error(err);
    seccomp_program_free(&program);
    json_decref(section);
    json_decref(p);
}

static void test_convert_other_machine_and_kernel(void **state)
{
    (void)state;
    json_t *p = profile();
    struct docker_seccomp_target t = *x86_64_target();
    t.arch = "arm64";
    t.seccomp_arch = "SCMP_ARCH_AARCH64";
    t.kernel = 4;
    t.major = 7;
    t.capabilities = json_pack("[s, s]", "CAP_SYS_ADMIN", "CAP_SYS_PACCT");
    json_t *section = docker_seccomp_convert(p, &t);
    /* SYS_ADMIN drops sethostname, no CHOWN drops syslog, PACCT keeps
     * acct; 4.7 is below getcpu's 4.8, and keeps kcmp. */
    assert_rules(section, "mkdirat,personality,acct,uname,kcmp");
    json_t *archs = json_object_get(section, "architectures");
    assert_int_equal(json_array_size(archs), 2);
    assert_string_equal(json_string_value(json_array_get(archs, 1)), "SCMP_ARCH_ARM");
    json_decref(t.capabilities);
    json_decref(section);
    json_decref(p);
}

static void test_convert_empty_profile_is_no_filter(void **state)
{
    (void)state;
    json_t *p = json_pack("{s:[]}", "syscalls");
    husk_error_t err = NULL;
    assert_int_equal(docker_seccomp_check(p, &err), 0);
    assert_true(json_is_null(docker_seccomp_convert(p, x86_64_target())));
    json_decref(p);
    /* "architectures" is copied as given. */
    p = json_pack("{s:s, s:[s]}", "defaultAction", "SCMP_ACT_ALLOW", "architectures",
                  "SCMP_ARCH_X86");
    json_t *section = docker_seccomp_convert(p, x86_64_target());
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(section, "architectures"), 0)),
        "SCMP_ARCH_X86");
    assert_int_equal(json_array_size(json_object_get(section, "syscalls")), 0);
    json_decref(section);
    json_decref(p);
}

static void assert_check_fails(const char *text, const char *word)
{
    json_error_t error;
    json_t *p = json_loads(text, 0, &error);
    if (p == NULL)
        fail_msg("%s: %s", text, error.text);
    husk_error_t err = NULL;
    assert_int_equal(docker_seccomp_check(p, &err), -1);
    assert_error_contains(err, word);
    husk_error_free(&err);
    json_decref(p);
}

static void test_check_refuses_what_docker_refuses(void **state)
{
    (void)state;
    assert_check_fails("[]", "not a JSON object");
    assert_check_fails("{\"syscalls\": [{\"name\": \"a\", \"names\": [\"b\"], \"action\": "
                       "\"SCMP_ACT_ALLOW\"}]}",
                       "both 'name' and 'names'");
    assert_check_fails("{\"architectures\": [\"SCMP_ARCH_X86\"], \"archMap\": "
                       "[{\"architecture\": \"SCMP_ARCH_X86\"}]}",
                       "both 'architectures' and 'archMap'");
    assert_check_fails("{\"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", "
                       "\"includes\": {\"minKernel\": \"4\"}}]}",
                       "invalid kernel version 4");
    assert_check_fails("{\"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", "
                       "\"excludes\": {\"minKernel\": \"0.0\"}}]}",
                       "expected \"<kernel>.<major>\"");
    assert_check_fails("{\"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_NOPE\"}]}",
                       "syscalls[0]: unknown action \"SCMP_ACT_NOPE\"");
    assert_check_fails("{\"syscalls\": [{\"names\": [\"a\"]}]}", "syscalls[0]: no action");
    assert_check_fails("{\"defaultAction\": \"ALLOW\"}", "unknown defaultAction \"ALLOW\"");
    assert_check_fails("{\"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", "
                       "\"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                       "index 6 is not 0 to 5");
    assert_check_fails("{\"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", "
                       "\"args\": [{\"index\": 0, \"value\": 1, \"op\": \"EQ\"}]}]}",
                       "unknown op \"EQ\"");
    assert_check_fails("{\"syscalls\": [{\"names\": \"a\", \"action\": \"SCMP_ACT_ALLOW\"}]}",
                       "names a list");
    assert_check_fails("{\"syscalls\": {}}", "syscalls lists");
    assert_check_fails("{\"archMap\": [{\"subArchitectures\": []}]}", "archMap[0]");
}

static char *write_profile(const char *text)
{
    char *path = strdup("/tmp/husk-test-profile-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        fail_msg("write %s", path);
    close(fd);
    return path;
}

static void test_security_opt_forms(void **state)
{
    (void)state;
    char *file = write_profile(profile_text);
    char *seccomp = NULL;
    assert_true(asprintf(&seccomp, "seccomp=%s", file) > 0);
    const char *given[] = {"no-new-privileges",    "apparmor=docker-default", "label=type:svirt_t",
                           "label:level:s0:c1,c2", "systempaths=unconfined",  seccomp};
    struct security_options o;
    husk_error_t err = NULL;
    assert_int_equal(security_options_parse(given, 6, &o, &err), 0);
    assert_no_error(err);
    assert_int_equal(o.no_new_privileges, 1);
    assert_string_equal(o.apparmor_profile, "docker-default");
    assert_int_equal(json_array_size(o.labels), 2);
    assert_string_equal(json_string_value(json_array_get(o.labels, 1)), "level:s0:c1,c2");
    assert_true(o.systempaths_unconfined);
    assert_int_equal(o.seccomp, SECCOMP_CHOICE_PROFILE);
    /* docker keeps the profile's compact JSON and leaves systempaths out. */
    assert_int_equal(json_array_size(o.recorded), 5);
    const char *kept = json_string_value(json_array_get(o.recorded, 4));
    assert_true(strncmp(kept, "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",", 42) == 0);
    assert_null(strchr(kept, '\n'));
    security_options_free(&o);
    unlink(file);
    free(file);
    free(seccomp);
}

static void test_no_new_privileges_values(void **state)
{
    (void)state;
    const struct {
        const char *given;
        int expected;
    } cases[] = {{"no-new-privileges=true", 1},  {"no-new-privileges:true", 1},
                 {"no-new-privileges=1", 1},     {"no-new-privileges=false", 0},
                 {"no-new-privileges=False", 0}, {"no-new-privileges:0", 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct security_options o;
        husk_error_t err = NULL;
        assert_int_equal(security_options_parse(&cases[i].given, 1, &o, &err), 0);
        assert_int_equal(o.no_new_privileges, cases[i].expected);
        assert_string_equal(json_string_value(json_array_get(o.recorded, 0)), cases[i].given);
        security_options_free(&o);
    }
    struct security_options o;
    assert_int_equal(security_options_parse(NULL, 0, &o, NULL), 0);
    assert_int_equal(o.no_new_privileges, -1);
    assert_int_equal(o.seccomp, SECCOMP_CHOICE_DEFAULT);
    assert_null(o.recorded);
    security_options_free(&o);
}

static void assert_opt_refused(const char *given, const char *message)
{
    struct security_options o;
    husk_error_t err = NULL;
    assert_int_equal(security_options_parse(&given, 1, &o, &err), -1);
    assert_error_contains(err, message);
    husk_error_free(&err);
}

static void test_security_opt_refused(void **state)
{
    (void)state;
    assert_opt_refused("foo", "invalid --security-opt: \"foo\"");
    assert_opt_refused("unknown=1", "invalid --security-opt: \"unknown=1\"");
    assert_opt_refused("seccomp=", "invalid --security-opt: \"seccomp=\"");
    assert_opt_refused("no-new-privileges=maybe", "\"no-new-privileges=maybe\": true or false");
    assert_opt_refused("systempaths=confined", "invalid --security-opt: \"systempaths=confined\"");
    assert_opt_refused("label=bogus", "use label=disable or");
    assert_opt_refused("label=type:", "use label=disable or");
    assert_opt_refused("writable-cgroups=true", "invalid --security-opt");
    assert_opt_refused("seccomp=/nonexistent/profile.json",
                       "opening seccomp profile (/nonexistent/profile.json) failed: open "
                       "/nonexistent/profile.json: no such file or directory");
    char *file = write_profile("{\"defaultAction\": ");
    char *given = NULL;
    assert_true(asprintf(&given, "seccomp=%s", file) > 0);
    assert_opt_refused(given, "decoding seccomp profile");
    unlink(file);
    free(file);
    free(given);
    file = write_profile("{\"syscalls\": [{\"names\": [\"a\"], \"action\": \"KILL\"}]}");
    assert_true(asprintf(&given, "seccomp=%s", file) > 0);
    assert_opt_refused(given, "failed: syscalls[0]: unknown action \"KILL\"");
    unlink(file);
    free(file);
    free(given);
}

static json_t *minimal_spec(void)
{
    return json_pack("{s:{s:b, s:{s:[s]}}, s:{s:{}, s:[s], s:[s], s:{s:[]}, s:[]}}", "process",
                     "noNewPrivileges", 1, "capabilities", "bounding", "CAP_CHOWN", "linux",
                     "seccomp", "maskedPaths", "/proc/kcore", "readonlyPaths", "/proc/sys",
                     "resources", "devices", "devices");
}

static void test_apply_to_spec(void **state)
{
    (void)state;
    const char *given[] = {"no-new-privileges=false", "seccomp=unconfined",
                           "systempaths=unconfined", "apparmor=p"};
    struct security_options o;
    husk_error_t err = NULL;
    assert_int_equal(security_options_parse(given, 4, &o, &err), 0);
    json_t *spec = minimal_spec();
    assert_int_equal(security_options_apply(&o, false, spec, &err), 0);
    json_t *process = json_object_get(spec, "process");
    json_t *linux_section = json_object_get(spec, "linux");
    assert_true(json_is_false(json_object_get(process, "noNewPrivileges")));
    assert_null(json_object_get(linux_section, "seccomp"));
    assert_null(json_object_get(linux_section, "maskedPaths"));
    assert_null(json_object_get(linux_section, "readonlyPaths"));
    /* No AppArmor on the host: no profile in the spec. */
    assert_null(json_object_get(process, "apparmorProfile"));
    json_t *host_config = json_object();
    security_options_record(&o, spec, host_config);
    assert_int_equal(json_array_size(json_object_get(host_config, "SecurityOpt")), 3);
    assert_true(json_is_array(json_object_get(host_config, "MaskedPaths")));
    assert_int_equal(json_array_size(json_object_get(host_config, "MaskedPaths")), 0);
    json_decref(spec);
    spec = minimal_spec();
    assert_int_equal(security_options_apply(&o, true, spec, &err), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(spec, "process"), "apparmorProfile")),
        "p");
    json_decref(spec);
    json_decref(host_config);
    security_options_free(&o);
}

/* The container's bounding set decides the profile's "caps" conditions. */
static void test_apply_profile_uses_bounding_set(void **state)
{
    (void)state;
    char *file = write_profile(profile_text);
    char *given = NULL;
    assert_true(asprintf(&given, "seccomp=%s", file) > 0);
    struct security_options o;
    husk_error_t err = NULL;
    assert_int_equal(security_options_parse((const char *const *)&given, 1, &o, &err), 0);
    json_t *spec = minimal_spec();
    assert_int_equal(security_options_apply(&o, false, spec, &err), 0);
    assert_no_error(err);
    json_t *section = json_object_get(json_object_get(spec, "linux"), "seccomp");
    /* Only CAP_CHOWN: syslog (CHOWN and KILL) is out, sethostname in. */
    char names[512] = "";
    size_t i;
    json_t *rule;
    json_array_foreach(json_object_get(section, "syscalls"), i, rule)
    {
        strcat(names, json_string_value(json_array_get(json_object_get(rule, "names"), 0)));
        strcat(names, " ");
    }
    assert_non_null(strstr(names, "sethostname "));
    assert_null(strstr(names, "syslog "));
    json_t *host_config = json_object();
    security_options_record(&o, spec, host_config);
    assert_true(json_is_array(json_object_get(host_config, "MaskedPaths")));
    assert_int_equal(json_array_size(json_object_get(host_config, "MaskedPaths")), 1);
    json_decref(host_config);
    json_decref(spec);
    security_options_free(&o);
    unlink(file);
    free(file);
    free(given);
}

static void test_bool_parse(void **state)
{
    (void)state;
    assert_int_equal(security_bool_parse("T"), 1);
    assert_int_equal(security_bool_parse("TRUE"), 1);
    assert_int_equal(security_bool_parse("f"), 0);
    assert_int_equal(security_bool_parse("yes"), -1);
    assert_int_equal(security_bool_parse(""), -1);
    assert_int_equal(security_bool_parse("tRue"), -1);
}

static void assert_device(const char *text, const char *host, const char *container,
                          const char *permissions)
{
    struct device_mapping m;
    husk_error_t err = NULL;
    if (device_mapping_parse(text, &m, &err) < 0)
        fail_msg("%s: %s", text, err->message);
    assert_string_equal(m.host, host);
    assert_string_equal(m.container, container);
    assert_string_equal(m.permissions, permissions);
    device_mapping_free(&m);
}

static void assert_device_refused(const char *text, const char *message)
{
    struct device_mapping m;
    husk_error_t err = NULL;
    assert_int_equal(device_mapping_parse(text, &m, &err), -1);
    assert_error_contains(err, message);
    husk_error_free(&err);
}

static void test_device_syntax(void **state)
{
    (void)state;
    assert_device("/dev/fuse", "/dev/fuse", "/dev/fuse", "rwm");
    assert_device("/dev/fuse:/dev/f", "/dev/fuse", "/dev/f", "rwm");
    assert_device("/dev/fuse:rw", "/dev/fuse", "/dev/fuse", "rw");
    assert_device("/dev/fuse:/dev/f:r", "/dev/fuse", "/dev/f", "r");
    assert_device("/dev/fuse:mwr", "/dev/fuse", "/dev/fuse", "mwr");
    /* docker's path.Clean, of the path it checks. */
    assert_device("/dev//./net/../fuse/", "/dev/fuse", "/dev/fuse", "rwm");
    assert_device("/dev/fuse:/x/../dev//f/", "/dev/fuse", "/dev/f", "rwm");
    assert_device("/../..//dev", "/dev", "/dev", "rwm");
    /* The host path may be relative when a container path is given. */
    assert_device("dev/null:/dev/n", "dev/null", "/dev/n", "rwm");
    assert_device_refused("dev/fuse", "invalid --device \"dev/fuse\": dev/fuse is not an absolute "
                                      "path");
    assert_device_refused("/dev/fuse:f", "f is not an absolute path");
    assert_device_refused("/dev/fuse:", " is not an absolute path");
    assert_device_refused("/dev/fuse:/f:x", "bad mode specified: x");
    assert_device_refused("/dev/fuse:/f:rr", "bad mode specified: rr");
    assert_device_refused("/dev/fuse:/f:", "bad mode specified: ");
    assert_device_refused("/a:/b:r:w", "bad format for path: /a:/b:r:w");
    assert_device_refused(":/b", "bad format for path");
    assert_device_refused("", "bad format for path");
}

static void test_device_resolve(void **state)
{
    (void)state;
    json_t *devices = json_array(), *rules = json_array();
    husk_error_t err = NULL;
    struct device_mapping m = {.host = "/dev/null", .container = "/dev/mine", .permissions = "rw"};
    assert_int_equal(device_mapping_resolve(&m, devices, rules, &err), 0);
    json_t *d = json_array_get(devices, 0);
    assert_string_equal(json_string_value(json_object_get(d, "path")), "/dev/mine");
    assert_string_equal(json_string_value(json_object_get(d, "type")), "c");
    assert_int_equal(json_integer_value(json_object_get(d, "major")), 1);
    assert_int_equal(json_integer_value(json_object_get(d, "minor")), 3);
    assert_int_equal(json_integer_value(json_object_get(d, "fileMode")), 0666);
    json_t *r = json_array_get(rules, 0);
    assert_true(json_is_true(json_object_get(r, "allow")));
    assert_string_equal(json_string_value(json_object_get(r, "access")), "rw");
    assert_int_equal(json_integer_value(json_object_get(r, "minor")), 3);

    /* A directory: every node below, a fifo without a cgroup rule,
     * symlinks and regular files skipped. */
    char dir[] = "/tmp/husk-devices-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/sub", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/sub/pipe", dir);
    assert_int_equal(mkfifo(path, 0640), 0);
    snprintf(path, sizeof(path), "%s/link", dir);
    assert_int_equal(symlink("/dev/null", path), 0);
    snprintf(path, sizeof(path), "%s/file", dir);
    fclose(fopen(path, "w"));
    struct device_mapping tree = {.host = dir, .container = "/dev/tree", .permissions = "rwm"};
    assert_int_equal(device_mapping_resolve(&tree, devices, rules, &err), 0);
    assert_int_equal(json_array_size(devices), 2);
    assert_int_equal(json_array_size(rules), 1);
    d = json_array_get(devices, 1);
    assert_string_equal(json_string_value(json_object_get(d, "path")), "/dev/tree/sub/pipe");
    assert_string_equal(json_string_value(json_object_get(d, "type")), "p");
    assert_int_equal(json_integer_value(json_object_get(d, "fileMode")), 0640);

    /* A symlink given itself stands for the node it names. */
    struct device_mapping link = {.host = path, .container = "/dev/l", .permissions = "r"};
    snprintf(path, sizeof(path), "%s/link", dir);
    assert_int_equal(device_mapping_resolve(&link, devices, rules, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(devices, 2), "minor")), 3);

    struct device_mapping file = {.host = path, .container = "/dev/f", .permissions = "r"};
    snprintf(path, sizeof(path), "%s/file", dir);
    assert_int_equal(device_mapping_resolve(&file, devices, rules, &err), -1);
    assert_error_contains(err, "while adding custom device \"");
    assert_error_contains(err, "/file\": not a device node");
    husk_error_free(&err);
    struct device_mapping missing = {.host = "/dev/nope", .container = "/dev/nope"};
    assert_int_equal(device_mapping_resolve(&missing, devices, rules, &err), -1);
    assert_string_equal(err->message, "error gathering device information while adding custom "
                                      "device \"/dev/nope\": no such file or directory");
    assert_int_equal(err->errno_value, 0);
    husk_error_free(&err);
    /* An empty directory has nothing to add. */
    snprintf(path, sizeof(path), "%s/empty", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    struct device_mapping empty = {.host = path, .container = "/dev/e", .permissions = "r"};
    assert_int_equal(device_mapping_resolve(&empty, devices, rules, &err), -1);
    assert_error_contains(err, "not a device node");
    husk_error_free(&err);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/file", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/link", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/sub/pipe", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
    json_decref(devices);
    json_decref(rules);
}

static void assert_rule(const char *text, const char *type, json_int_t major, json_int_t minor,
                        const char *access)
{
    husk_error_t err = NULL;
    json_t *rule = device_cgroup_rule_parse(text, &err);
    if (rule == NULL)
        fail_msg("%s: %s", text, err->message);
    assert_true(json_is_true(json_object_get(rule, "allow")));
    assert_string_equal(json_string_value(json_object_get(rule, "type")), type);
    assert_int_equal(json_integer_value(json_object_get(rule, "major")), major);
    assert_int_equal(json_integer_value(json_object_get(rule, "minor")), minor);
    assert_string_equal(json_string_value(json_object_get(rule, "access")), access);
    json_decref(rule);
}

static void test_device_cgroup_rules(void **state)
{
    (void)state;
    assert_rule("c 1:3 rwm", "c", 1, 3, "rwm");
    assert_rule("b 8:* r", "b", 8, -1, "r");
    assert_rule("a *:* m", "a", -1, -1, "m");
    assert_rule("c *:5 rr", "c", -1, 5, "rr"); /* docker's [rwm]{1,3} */
    assert_rule("c 4095:1048575 w", "c", 4095, 1048575, "w");
    const char *bad[] = {"",
                         "c",
                         "x 1:3 rwm",
                         "c 1:3",
                         "c 1:3 rwx",
                         "c 1:3 rwmr",
                         "c a:3 rw",
                         "c 1-3 rw",
                         "c  1:3 r",
                         "c 1:3 r ",
                         "c 4096:1 r",
                         "c 1:1048576 r",
                         "c 99999999999:1 r",
                         "C 1:3 r",
                         "c 1:* "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        husk_error_t err = NULL;
        assert_null(device_cgroup_rule_parse(bad[i], &err));
        assert_error_contains(err, "invalid --device-cgroup-rule \"");
        assert_error_contains(err, bad[i]);
        husk_error_free(&err);
    }
}

/* The plan: --init in the spec's annotations, devices after the defaults,
 * HostConfig as docker writes it. */
static void test_plan(void **state)
{
    (void)state;
    const char *devices[] = {"/dev/null:/dev/other:r"};
    const char *rules[] = {"c 10:200 rwm"};
    const char *opts[] = {"no-new-privileges"};
    struct run_options o = {.devices = devices,
                            .device_count = 1,
                            .device_cgroup_rules = rules,
                            .device_cgroup_rule_count = 1,
                            .security_opts = opts,
                            .security_opt_count = 1,
                            .init = "true"};
    struct security_plan plan;
    husk_error_t err = NULL;
    assert_int_equal(security_plan_resolve(&o, &plan, &err), 0);
    json_t *spec = minimal_spec();
    json_array_append_new(
        json_object_get(json_object_get(json_object_get(spec, "linux"), "resources"), "devices"),
        json_pack("{s:b, s:s}", "allow", 0, "access", "rwm"));
    assert_int_equal(security_plan_apply(&plan, spec, &err), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(spec, "annotations"),
                                                          RUNTIME_INIT_ANNOTATION)),
                        "true");
    json_t *linux_section = json_object_get(spec, "linux");
    json_t *cgroup = json_object_get(json_object_get(linux_section, "resources"), "devices");
    assert_int_equal(json_array_size(cgroup), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(cgroup, 2), "major")), 10);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cgroup, 1), "access")),
                        "r");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(linux_section, "devices"), 0), "path")),
                        "/dev/other");
    json_t *host_config = json_object();
    security_plan_record(&plan, spec, host_config);
    assert_true(json_is_true(json_object_get(host_config, "Init")));
    json_t *recorded = json_array_get(json_object_get(host_config, "Devices"), 0);
    assert_string_equal(json_string_value(json_object_get(recorded, "PathOnHost")), "/dev/null");
    assert_string_equal(json_string_value(json_object_get(recorded, "PathInContainer")),
                        "/dev/other");
    assert_string_equal(json_string_value(json_object_get(recorded, "CgroupPermissions")), "r");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(host_config, "DeviceCgroupRules"), 0)),
        "c 10:200 rwm");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(host_config, "SecurityOpt"), 0)),
        "no-new-privileges");
    json_decref(host_config);
    json_decref(spec);
    security_plan_free(&plan);

    /* Nothing given: docker's nulls and an empty Devices list. */
    struct run_options none = {0};
    assert_int_equal(security_plan_resolve(&none, &plan, &err), 0);
    host_config = json_object();
    spec = minimal_spec();
    assert_int_equal(security_plan_apply(&plan, spec, &err), 0);
    assert_null(json_object_get(spec, "annotations"));
    assert_true(json_is_true(json_object_get(json_object_get(spec, "process"), "noNewPrivileges")));
    security_plan_record(&plan, spec, host_config);
    assert_true(json_is_null(json_object_get(host_config, "Init")));
    assert_true(json_is_null(json_object_get(host_config, "SecurityOpt")));
    assert_true(json_is_null(json_object_get(host_config, "DeviceCgroupRules")));
    assert_int_equal(json_array_size(json_object_get(host_config, "Devices")), 0);
    json_decref(host_config);
    json_decref(spec);
    security_plan_free(&plan);

    /* In a user namespace of its own the host's node is bound in at the
     * container's path: that path must be the host's. */
    o.userns_mode = "private";
    assert_int_equal(security_plan_resolve(&o, &plan, &err), -1);
    assert_error_contains(err, "conflicting options: --device /dev/null:/dev/other:r and --userns "
                               "private");
    husk_error_free(&err);
    devices[0] = "/dev/null:r";
    assert_int_equal(security_plan_resolve(&o, &plan, &err), 0);
    security_plan_free(&plan);

    none.init = "maybe";
    assert_int_equal(security_plan_resolve(&none, &plan, &err), -1);
    assert_error_contains(err, "invalid --init=maybe: true or false");
    husk_error_free(&err);
    none.init = "false";
    assert_int_equal(security_plan_resolve(&none, &plan, &err), 0);
    assert_int_equal(plan.init, 0);
    security_plan_free(&plan);
}

/* A tiny interpreter for the instructions cgroup_devices_program emits:
 * what the kernel would answer for one access. */
static int run_program(const struct bpf_insn *program, size_t length, unsigned type,
                       unsigned access, unsigned major, unsigned minor)
{
    uint64_t r[11] = {0};
    uint32_t context[3] = {type | access << 16, major, minor};
    for (size_t pc = 0; pc < length; pc++) {
        const struct bpf_insn *i = &program[pc];
        uint64_t k = (uint64_t)(int64_t)i->imm;
        switch (i->code) {
        case BPF_LDX | BPF_MEM | BPF_W:
            r[i->dst_reg] = context[i->off / 4];
            break;
        case BPF_ALU64 | BPF_MOV | BPF_X:
            r[i->dst_reg] = r[i->src_reg];
            break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
            r[i->dst_reg] = k;
            break;
        case BPF_ALU64 | BPF_AND | BPF_K:
            r[i->dst_reg] &= k;
            break;
        case BPF_ALU64 | BPF_RSH | BPF_K:
            r[i->dst_reg] >>= k;
            break;
        case BPF_JMP | BPF_JNE | BPF_K:
            pc += r[i->dst_reg] != k ? (size_t)i->off : 0;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += r[i->dst_reg] == k ? (size_t)i->off : 0;
            break;
        case BPF_JMP | BPF_EXIT:
            return (int)r[0];
        default:
            fail_msg("unexpected instruction %#x", i->code);
        }
    }
    fail_msg("the program ran off its end");
    return -1;
}

/* An "a" rule with numbers, or with less than rwm, is not "every device":
 * on cgroup2 (eBPF) and v1 (whose kernel reads any "a..." line as "a") it
 * must open only what it names. */
static void test_device_rule_of_type_a(void **state)
{
    (void)state;
    struct runtime_device_rule rules[] = {
        {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
        {.allow = true, .type = 'a', .major = 1, .minor = 3, .access = "rwm"},
        {.allow = true, .type = 'a', .major = -1, .minor = -1, .access = "m"},
    };
    struct bpf_insn program[64];
    size_t length = cgroup_devices_program(rules, 3, program, 64);
    assert_true(length > 0);
    unsigned c = BPF_DEVCG_DEV_CHAR, b = BPF_DEVCG_DEV_BLOCK;
    unsigned read = BPF_DEVCG_ACC_READ, mknod = BPF_DEVCG_ACC_MKNOD;
    assert_int_equal(run_program(program, length, c, read, 1, 3), 1);
    assert_int_equal(run_program(program, length, b, read, 1, 3), 1);
    assert_int_equal(run_program(program, length, c, read, 1, 5), 0);
    assert_int_equal(run_program(program, length, b, read, 8, 0), 0);
    assert_int_equal(run_program(program, length, b, mknod, 8, 0), 1);

    char lines[2][64];
    assert_int_equal(cgroup_devices_v1_lines(&rules[0], lines), 1);
    assert_string_equal(lines[0], "a");
    assert_int_equal(cgroup_devices_v1_lines(&rules[1], lines), 2);
    assert_string_equal(lines[0], "c 1:3 rwm");
    assert_string_equal(lines[1], "b 1:3 rwm");
    assert_int_equal(cgroup_devices_v1_lines(&rules[2], lines), 2);
    assert_string_equal(lines[0], "c *:* m");
    assert_string_equal(lines[1], "b *:* m");
    struct runtime_device_rule tun = {
        .allow = true, .type = 'c', .major = 10, .minor = 200, .access = "rw"};
    assert_int_equal(cgroup_devices_v1_lines(&tun, lines), 1);
    assert_string_equal(lines[0], "c 10:200 rw");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_resolves_conditions),
        cmocka_unit_test(test_convert_other_machine_and_kernel),
        cmocka_unit_test(test_convert_empty_profile_is_no_filter),
        cmocka_unit_test(test_check_refuses_what_docker_refuses),
        cmocka_unit_test(test_security_opt_forms),
        cmocka_unit_test(test_no_new_privileges_values),
        cmocka_unit_test(test_security_opt_refused),
        cmocka_unit_test(test_apply_to_spec),
        cmocka_unit_test(test_apply_profile_uses_bounding_set),
        cmocka_unit_test(test_bool_parse),
        cmocka_unit_test(test_device_syntax),
        cmocka_unit_test(test_device_resolve),
        cmocka_unit_test(test_device_cgroup_rules),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_device_rule_of_type_a),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
