/* src/runtime/spec.h: config.json parsing, mount options, capability and namespace names. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../../src/runtime/spec.h"
#include "../../src/util/file.h"
#include "unit.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define MINIMAL_PROCESS "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}"
#define MINIMAL_ROOT    "\"root\": {\"path\": \"rootfs\"}"

static json_t *load_json(const char *text)
{
    json_error_t error;
    json_t *document = json_loads(text, 0, &error);
    if (document == NULL)
        fail_msg("test JSON does not parse: %s: %s", error.text, text);
    return document;
}

/* Parses TEXT (bundle "/bundle"); returns the spec or NULL with *ERR set. */
static struct runtime_spec *parse(const char *text, husk_error_t *err)
{
    json_t *document = load_json(text);
    struct runtime_spec *spec = NULL;
    int rc = runtime_spec_parse(document, "/bundle", &spec, err);
    json_decref(document);
    if (rc == 0 && spec == NULL)
        fail_msg("runtime_spec_parse returned 0 without a spec");
    if (rc < 0 && *err == NULL)
        fail_msg("runtime_spec_parse failed without an error");
    return rc == 0 ? spec : NULL;
}

/* Asserts that TEXT is rejected with a message containing WORD. */
#define assert_spec_rejected(text, word)                                                           \
    do {                                                                                           \
        husk_error_t err_ = NULL;                                                                  \
        struct runtime_spec *spec_ = parse((text), &err_);                                         \
        if (spec_ != NULL) {                                                                       \
            runtime_spec_free(spec_);                                                              \
            fail_msg("accepted: %s", (text));                                                      \
        }                                                                                          \
        assert_error_contains(err_, (word));                                                       \
        husk_error_free(&err_);                                                                    \
    } while (0)

static void test_parse_minimal(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_spec *spec = parse("{" MINIMAL_ROOT ", " MINIMAL_PROCESS "}", &err);
    assert_no_error(err);
    assert_non_null(spec);
    assert_string_equal(spec->root_path, "/bundle/rootfs");
    assert_non_null(spec->args);
    assert_string_equal(spec->args[0], "sh");
    assert_null(spec->args[1]);
    assert_null(spec->env);
    assert_string_equal(spec->cwd, "/");
    assert_int_equal(spec->uid, 0);
    assert_int_equal(spec->gid, 0);
    assert_false(spec->terminal);
    assert_false(spec->no_new_privileges);
    assert_false(spec->root_readonly);
    assert_null(spec->hostname);
    assert_int_equal(spec->mount_count, 0);
    assert_int_equal(spec->namespace_count, 0);
    assert_int_equal(spec->device_count, 0);
    assert_int_equal(spec->device_rule_count, 0);
    assert_null(spec->seccomp);
    assert_null(spec->sysctl);
    assert_null(spec->cgroups_path);
    assert_int_equal(spec->rootfs_propagation, MS_REC | MS_PRIVATE);
    assert_int_equal(spec->capabilities.bounding, 0);
    runtime_spec_free(spec);
}

static void test_parse_absolute_root_kept(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_spec *spec = parse(
        "{\"root\": {\"path\": \"/var/lib/x/rootfs\", \"readonly\": true}, " MINIMAL_PROCESS "}",
        &err);
    assert_non_null(spec);
    assert_string_equal(spec->root_path, "/var/lib/x/rootfs");
    assert_true(spec->root_readonly);
    runtime_spec_free(spec);
}

static void test_parse_relative_root_without_bundle(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    json_t *document = load_json("{" MINIMAL_ROOT ", " MINIMAL_PROCESS "}");
    struct runtime_spec *spec = NULL;
    assert_int_equal(runtime_spec_parse(document, NULL, &spec, &err), 0);
    assert_string_equal(spec->root_path, "rootfs");
    runtime_spec_free(spec);
    json_decref(document);
}

static const char full_config[] =
    "{\"ociVersion\": \"1.0.2\","
    " \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
    " \"hostname\": \"box\","
    " \"process\": {\"terminal\": true, \"noNewPrivileges\": true,"
    "   \"args\": [\"sh\", \"-c\", \"echo hi\"],"
    "   \"env\": [\"PATH=/bin\", \"TERM=xterm\"],"
    "   \"cwd\": \"/home/u\","
    "   \"user\": {\"uid\": 1000, \"gid\": 100, \"additionalGids\": [100, 10, 5]},"
    "   \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_SYS_ADMIN\"],"
    "     \"effective\": [\"CAP_NET_BIND_SERVICE\"], \"permitted\": [\"CAP_KILL\"],"
    "     \"inheritable\": [], \"ambient\": [\"CAP_AUDIT_WRITE\"]}},"
    " \"mounts\": ["
    "   {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\","
    "    \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},"
    "   {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    "    \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
    "   {\"destination\": \"/etc/hosts\", \"type\": \"bind\", \"source\": \"/b/hosts\","
    "    \"options\": [\"rbind\", \"rprivate\", \"ro\"]},"
    "   {\"destination\": \"/data\", \"source\": \"/srv\", \"options\": [\"bind\"]}],"
    " \"linux\": {"
    "   \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
    "     {\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}, {\"type\": \"uts\"},"
    "     {\"type\": \"ipc\"}, {\"type\": \"cgroup\"}, {\"type\": \"time\"}, {\"type\": \"user\"}],"
    "   \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
    "   \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
    "   \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229,"
    "     \"fileMode\": 438, \"uid\": 0, \"gid\": 0},"
    "     {\"path\": \"/dev/loop0\", \"type\": \"b\", \"major\": 7, \"minor\": 0, \"uid\": 5,"
    "      \"gid\": 6},"
    "     {\"path\": \"/dev/u\", \"type\": \"u\", \"major\": 1, \"minor\": 3}],"
    "   \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
    "     {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rw\"},"
    "     {\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\"}]},"
    "   \"maskedPaths\": [\"/proc/kcore\", \"/sys/firmware\"],"
    "   \"readonlyPaths\": [\"/proc/sys\"],"
    "   \"cgroupsPath\": \"/husk/abc\","
    "   \"rootfsPropagation\": \"rslave\","
    "   \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},"
    "   \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}}}";

static void test_parse_full(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_spec *spec = parse(full_config, &err);
    assert_no_error(err);
    assert_non_null(spec);
    assert_string_equal(spec->root_path, "/bundle/rootfs");
    assert_true(spec->root_readonly);
    assert_string_equal(spec->hostname, "box");
    assert_true(spec->terminal);
    assert_true(spec->no_new_privileges);
    assert_string_equal(spec->args[0], "sh");
    assert_string_equal(spec->args[1], "-c");
    assert_string_equal(spec->args[2], "echo hi");
    assert_null(spec->args[3]);
    assert_string_equal(spec->env[0], "PATH=/bin");
    assert_string_equal(spec->env[1], "TERM=xterm");
    assert_null(spec->env[2]);
    assert_string_equal(spec->cwd, "/home/u");
    assert_int_equal(spec->uid, 1000);
    assert_int_equal(spec->gid, 100);
    assert_int_equal(spec->additional_gid_count, 3);
    assert_int_equal(spec->additional_gids[0], 100);
    assert_int_equal(spec->additional_gids[1], 10);
    assert_int_equal(spec->additional_gids[2], 5);

    const struct runtime_capabilities *c = &spec->capabilities;
    assert_int_equal(c->bounding, (UINT64_C(1) << 0) | (UINT64_C(1) << 21));
    assert_int_equal(c->effective, UINT64_C(1) << 10);
    assert_int_equal(c->permitted, UINT64_C(1) << 5);
    assert_int_equal(c->inheritable, 0);
    assert_int_equal(c->ambient, UINT64_C(1) << 29);

    assert_int_equal(spec->mount_count, 4);
    const struct runtime_mount *m = spec->mounts;
    assert_string_equal(m[0].destination, "/proc");
    assert_string_equal(m[0].type, "proc");
    assert_string_equal(m[0].source, "proc");
    assert_int_equal(m[0].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
    assert_null(m[0].data);
    assert_false(m[0].bind);
    assert_int_equal(m[1].flags, MS_NOSUID | MS_STRICTATIME);
    assert_string_equal(m[1].data, "mode=755,size=65536k");
    assert_true(m[2].bind);
    assert_true(m[2].recursive);
    assert_int_equal(m[2].propagation, MS_PRIVATE | MS_REC);
    assert_int_equal(m[2].flags, MS_RDONLY);
    assert_string_equal(m[2].source, "/b/hosts");
    assert_true(m[3].bind);
    assert_false(m[3].recursive);
    assert_null(m[3].type);

    assert_int_equal(spec->namespace_count, 8);
    assert_int_equal(spec->namespaces[0].type, CLONE_NEWPID);
    assert_null(spec->namespaces[0].path);
    assert_int_equal(spec->namespaces[2].type, CLONE_NEWNET);
    assert_string_equal(spec->namespaces[2].path, "/proc/1/ns/net");
    assert_true(runtime_spec_has_namespace(spec, CLONE_NEWTIME));
    assert_true(runtime_spec_has_namespace(spec, CLONE_NEWUSER));
    assert_true(runtime_spec_has_namespace(spec, CLONE_NEWCGROUP));

    assert_int_equal(spec->device_count, 3);
    assert_string_equal(spec->devices[0].path, "/dev/fuse");
    assert_int_equal(spec->devices[0].type, 'c');
    assert_int_equal(spec->devices[0].major, 10);
    assert_int_equal(spec->devices[0].minor, 229);
    assert_int_equal(spec->devices[0].mode, 0666);
    assert_int_equal(spec->devices[1].type, 'b');
    assert_int_equal(spec->devices[1].uid, 5);
    assert_int_equal(spec->devices[1].gid, 6);
    assert_int_equal(spec->devices[1].mode, 0666); /* the default */
    assert_int_equal(spec->devices[2].type, 'c');  /* "u" is unbuffered char */

    assert_int_equal(spec->device_rule_count, 3);
    const struct runtime_device_rule *r = spec->device_rules;
    assert_false(r[0].allow);
    assert_int_equal(r[0].type, 'a');
    assert_int_equal(r[0].major, -1);
    assert_int_equal(r[0].minor, -1);
    assert_string_equal(r[0].access, "rwm");
    assert_true(r[1].allow);
    assert_int_equal(r[1].type, 'c');
    assert_int_equal(r[1].major, 1);
    assert_int_equal(r[1].minor, 3);
    assert_string_equal(r[1].access, "rw");
    assert_int_equal(r[2].major, 136);
    assert_int_equal(r[2].minor, -1);

    assert_string_equal(spec->masked_paths[0], "/proc/kcore");
    assert_string_equal(spec->masked_paths[1], "/sys/firmware");
    assert_null(spec->masked_paths[2]);
    assert_string_equal(spec->readonly_paths[0], "/proc/sys");
    assert_string_equal(spec->cgroups_path, "/husk/abc");
    assert_int_equal(spec->rootfs_propagation, MS_SLAVE | MS_REC);
    assert_non_null(spec->sysctl);
    assert_string_equal(json_string_value(json_object_get(spec->sysctl, "net.ipv4.ip_forward")),
                        "1");
    assert_non_null(spec->seccomp);
    assert_string_equal(json_string_value(json_object_get(spec->seccomp, "defaultAction")),
                        "SCMP_ACT_ALLOW");
    runtime_spec_free(spec);
}

/* The spec keeps its own references: the document may go first. */
static void test_parse_outlives_document(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    json_t *document = load_json(full_config);
    struct runtime_spec *spec = NULL;
    assert_int_equal(runtime_spec_parse(document, "/b", &spec, &err), 0);
    json_decref(document);
    assert_string_equal(json_string_value(json_object_get(spec->seccomp, "defaultAction")),
                        "SCMP_ACT_ALLOW");
    assert_string_equal(spec->args[2], "echo hi");
    runtime_spec_free(spec);
}

static void test_reject_not_object(void **state)
{
    (void)state;
    assert_spec_rejected("[]", "object");
    husk_error_t err = NULL;
    struct runtime_spec *spec = NULL;
    assert_int_equal(runtime_spec_parse(NULL, "/b", &spec, &err), -1);
    assert_error_contains(err, "object");
    husk_error_free(&err);
}

static void test_reject_missing_root_path(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_PROCESS "}", "root.path");
    assert_spec_rejected("{\"root\": {}, " MINIMAL_PROCESS "}", "root.path");
    assert_spec_rejected("{\"root\": {\"path\": 5}, " MINIMAL_PROCESS "}", "root.path");
}

static void test_reject_missing_process(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT "}", "process");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": []}", "process");
}

static void test_reject_bad_args(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"cwd\": \"/\"}}", "process.args");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [], \"cwd\": \"/\"}}",
                         "process.args");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"\"], \"cwd\": \"/\"}}",
                         "process.args");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\", 1], \"cwd\": \"/\"}}",
                         "process.args[1]");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [null], \"cwd\": \"/\"}}",
                         "process.args");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": \"sh\", \"cwd\": \"/\"}}",
                         "process.args");
}

static void test_reject_bad_env(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"env\": [\"A=1\", 2]}}",
                         "process.env");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"env\": {\"A\": \"1\"}}}",
                         "process.env");
}

static void test_reject_bad_cwd(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"]}}", "cwd");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"tmp\"}}",
                         "absolute");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"\"}}",
                         "cwd");
}

static void test_reject_bad_user(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"user\": {\"uid\": -1}}}",
                         "uid");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"user\": {\"uid\": \"root\"}}}",
                         "uid");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"user\": {\"uid\": 0, \"gid\": 4294967295}}}",
                         "gid");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"user\": {\"uid\": 0, \"additionalGids\": [1, -5]}}}",
                         "additionalGids[1]");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"user\": {\"uid\": 0, \"additionalGids\": [\"wheel\"]}}}",
                         "additionalGids[0]");
}

static void test_reject_unknown_capability(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_FLY\"]}}}",
                         "CAP_FLY");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"capabilities\": {\"ambient\": [\"CAP_FLY\"]}}}",
                         "unknown capability");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"capabilities\": {\"effective\": [\"SYS_ADMIN\"]}}}",
                         "capability");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"capabilities\": {\"permitted\": [7]}}}",
                         "capability");
    assert_spec_rejected("{" MINIMAL_ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                         " \"capabilities\": {\"bounding\": \"CAP_CHOWN\"}}}",
                         "bounding");
}

static void test_reject_unknown_namespace(void **state)
{
    (void)state;
    assert_spec_rejected(
        "{" MINIMAL_ROOT ", " MINIMAL_PROCESS
        ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"net\"}]}}",
        "unknown namespace type net");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"linux\": {\"namespaces\": [{\"path\": \"/proc/1/ns/pid\"}]}}",
                         "namespace");
}

static void test_reject_duplicate_namespace(void **state)
{
    (void)state;
    assert_spec_rejected(
        "{" MINIMAL_ROOT ", " MINIMAL_PROCESS
        ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
        " {\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}]}}",
        "twice");
}

static void test_reject_bad_device(void **state)
{
    (void)state;
    /* unknown type, relative path, missing path, missing type, non-numeric major */
    static const char *const devices[] = {
        "{\"path\": \"/dev/x\", \"type\": \"x\", \"major\": 1, \"minor\": 1}",
        "{\"path\": \"dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 1}",
        "{\"type\": \"c\", \"major\": 1, \"minor\": 1}",
        "{\"path\": \"/dev/x\", \"major\": 1, \"minor\": 1}",
        "{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": \"one\", \"minor\": 1}",
        "\"/dev/null\"",
    };
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        char text[1024];
        snprintf(text, sizeof(text),
                 "{" MINIMAL_ROOT ", " MINIMAL_PROCESS ", \"linux\": {\"devices\": [%s]}}",
                 devices[i]);
        assert_spec_rejected(text, "linux.devices[0]");
    }
}

/* strchr("cbup", type[0]) finds the terminating NUL of "cbup" when the type
 * is "": an empty device type must be rejected like any unknown one. */
static void test_reject_device_empty_type(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"\","
                         " \"major\": 1, \"minor\": 1}]}}",
                         "linux.devices[0]");
}

static void test_reject_bad_device_rule(void **state)
{
    (void)state;
    static const char *const rules[] = {
        "{\"allow\": true, \"type\": \"x\", \"access\": \"rwm\"}",
        "{\"allow\": true, \"type\": \"c\", \"access\": \"rwx\"}",
        "{\"allow\": true, \"type\": \"c\", \"access\": \"rwmm\"}",
        "{\"type\": \"c\", \"access\": \"rwm\"}",
        "{\"allow\": \"yes\", \"type\": \"c\", \"access\": \"rwm\"}",
    };
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        char text[1024];
        snprintf(text, sizeof(text),
                 "{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                 ", \"linux\": {\"resources\": {\"devices\": [%s]}}}",
                 rules[i]);
        assert_spec_rejected(text, "linux.resources.devices[0]");
    }
}

/* Same NUL match as for devices: a rule of type "" must not pass. */
static void test_reject_device_rule_empty_type(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"linux\": {\"resources\": {\"devices\": [{\"allow\": true,"
                         " \"type\": \"\", \"access\": \"rwm\"}]}}}",
                         "linux.resources.devices[0]");
}

static void test_reject_bad_mount(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"mounts\": [{\"destination\": \"proc\", \"type\": \"proc\"}]}",
                         "mounts[0].destination");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"mounts\": [{\"destination\": \"/a\"}, {\"type\": \"proc\"}]}",
                         "mounts[1].destination");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"mounts\": [{\"destination\": \"\"}]}",
                         "destination");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"mounts\": [{\"destination\": \"/a\", \"type\": \"bind\"}]}",
                         "no source");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"mounts\": [{\"destination\": \"/a\", \"options\": [\"rbind\"]}]}",
                         "no source");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"mounts\": [{\"destination\": \"/a\", \"options\": \"ro\"}]}",
                         "options");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"mounts\": [{\"destination\": \"/a\", \"options\": [\"ro\", 3]}]}",
                         "option 1");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS ", \"mounts\": {}}", "mounts");
}

static void test_reject_bad_paths_lists(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"linux\": {\"maskedPaths\": [\"/proc/kcore\", false]}}",
                         "linux.maskedPaths");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"linux\": {\"readonlyPaths\": \"/proc/sys\"}}",
                         "linux.readonlyPaths");
}

static void test_rootfs_propagation(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"linux\": {\"rootfsPropagation\": \"sideways\"}}",
                         "rootfsPropagation");
    assert_spec_rejected("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                         ", \"linux\": {\"rootfsPropagation\": \"ro\"}}",
                         "rootfsPropagation");
    husk_error_t err = NULL;
    struct runtime_spec *spec = parse("{" MINIMAL_ROOT ", " MINIMAL_PROCESS
                                      ", \"linux\": {\"rootfsPropagation\": \"shared\"}}",
                                      &err);
    assert_non_null(spec);
    assert_int_equal(spec->rootfs_propagation, MS_SHARED);
    runtime_spec_free(spec);
}

static void test_spec_load(void **state)
{
    (void)state;
    char bundle[] = "/tmp/husk-unit-spec.XXXXXX";
    assert_non_null(mkdtemp(bundle));
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    husk_error_t err = NULL;
    const char *text = "{" MINIMAL_ROOT ", " MINIMAL_PROCESS "}";
    assert_int_equal(file_write_atomic(path, text, strlen(text), false, &err), 0);
    struct runtime_spec *spec = NULL;
    assert_int_equal(runtime_spec_load(bundle, &spec, &err), 0);
    char expected[PATH_MAX];
    snprintf(expected, sizeof(expected), "%s/rootfs", bundle);
    assert_string_equal(spec->root_path, expected);
    runtime_spec_free(spec);
    spec = NULL;

    const char *broken = "{\"root\": \n{";
    assert_int_equal(file_write_atomic(path, broken, strlen(broken), false, &err), 0);
    assert_int_equal(runtime_spec_load(bundle, &spec, &err), -1);
    assert_null(spec);
    assert_error_contains(err, "config.json");
    assert_error_contains(err, "line");
    husk_error_free(&err);

    assert_int_equal(directory_remove_tree(bundle, &err), 0);
    assert_int_equal(runtime_spec_load(bundle, &spec, &err), -1);
    assert_error_contains(err, "config.json");
    husk_error_free(&err);
}

/* runtime_mount_options_parse */

static void parse_options(const char *text, struct runtime_mount *mount)
{
    json_t *options = load_json(text);
    husk_error_t err = NULL;
    memset(mount, 0, sizeof(*mount));
    mount->destination = "/m";
    if (runtime_mount_options_parse(options, mount, &err) < 0)
        fail_msg("options %s: %s", text, err->message);
    json_decref(options);
}

static void test_options_flags(void **state)
{
    (void)state;
    struct runtime_mount m;
    parse_options("[\"ro\", \"nosuid\", \"nodev\", \"noexec\", \"noatime\"]", &m);
    assert_int_equal(m.flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME);
    assert_null(m.data);
    assert_false(m.bind);
    assert_int_equal(m.propagation, 0);
    parse_options("[\"ro\", \"rw\"]", &m);
    assert_int_equal(m.flags, 0);
    parse_options("[\"nosuid\", \"suid\", \"exec\", \"dev\", \"sync\"]", &m);
    assert_int_equal(m.flags, MS_SYNCHRONOUS);
    parse_options("[\"relatime\", \"strictatime\", \"nodiratime\", \"dirsync\", \"remount\"]", &m);
    assert_int_equal(m.flags,
                     MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME | MS_DIRSYNC | MS_REMOUNT);
}

static void test_options_rw_clears_existing(void **state)
{
    (void)state;
    json_t *options = load_json("[\"rw\"]");
    struct runtime_mount m = {.destination = "/m", .flags = MS_RDONLY | MS_NOSUID};
    husk_error_t err = NULL;
    assert_int_equal(runtime_mount_options_parse(options, &m, &err), 0);
    assert_int_equal(m.flags, MS_NOSUID);
    json_decref(options);
}

static void test_options_bind_and_propagation(void **state)
{
    (void)state;
    struct runtime_mount m;
    parse_options("[\"rbind\", \"rprivate\"]", &m);
    assert_true(m.bind);
    assert_true(m.recursive);
    assert_int_equal(m.propagation, MS_PRIVATE | MS_REC);
    assert_int_equal(m.flags, 0);
    parse_options("[\"bind\"]", &m);
    assert_true(m.bind);
    assert_false(m.recursive);
    parse_options("[\"rbind\", \"bind\"]", &m);
    assert_true(m.recursive);
    parse_options("[\"private\"]", &m);
    assert_int_equal(m.propagation, MS_PRIVATE);
    parse_options("[\"rshared\", \"rslave\"]", &m);
    assert_int_equal(m.propagation, MS_SLAVE | MS_REC);
    parse_options("[\"runbindable\"]", &m);
    assert_int_equal(m.propagation, MS_UNBINDABLE | MS_REC);
    parse_options("[\"shared\"]", &m);
    assert_int_equal(m.propagation, MS_SHARED);
}

static void test_options_data(void **state)
{
    (void)state;
    struct runtime_mount m;
    parse_options("[\"mode=755\", \"nosuid\", \"size=1k\"]", &m);
    assert_string_equal(m.data, "mode=755,size=1k");
    assert_int_equal(m.flags, MS_NOSUID);
    free(m.data);
    parse_options("[\"ro\", \"rw\", \"nosuid\", \"rbind\", \"rprivate\", \"unknownword\","
                  " \"mode=755\", \"size=1k\"]",
                  &m);
    assert_string_equal(m.data, "unknownword,mode=755,size=1k");
    assert_int_equal(m.flags, MS_NOSUID);
    assert_true(m.bind);
    free(m.data);
    parse_options("[\"tmpcopyup\"]", &m);
    assert_null(m.data);
    parse_options("[]", &m);
    assert_null(m.data);
    assert_int_equal(m.flags, 0);
}

static void test_options_null(void **state)
{
    (void)state;
    struct runtime_mount m = {.destination = "/m"};
    husk_error_t err = NULL;
    assert_int_equal(runtime_mount_options_parse(NULL, &m, &err), 0);
    assert_int_equal(m.flags, 0);
    assert_null(m.data);
}

static void test_options_errors(void **state)
{
    (void)state;
    struct runtime_mount m = {.destination = "/mnt/x"};
    husk_error_t err = NULL;
    json_t *options = load_json("{\"ro\": true}");
    assert_int_equal(runtime_mount_options_parse(options, &m, &err), -1);
    assert_error_contains(err, "options must be an array");
    assert_error_contains(err, "/mnt/x");
    husk_error_free(&err);
    json_decref(options);
    options = load_json("[\"ro\", null]");
    assert_int_equal(runtime_mount_options_parse(options, &m, &err), -1);
    assert_error_contains(err, "not a string");
    husk_error_free(&err);
    json_decref(options);
    free(m.data);
}

static void test_user_namespace_mappings(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_spec *spec =
        parse("{" MINIMAL_PROCESS ", " MINIMAL_ROOT ", \"linux\": {\"namespaces\": [{\"type\": "
              "\"user\"}], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": "
              "65536}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 200000, \"size\": 1}, "
              "{\"containerID\": 1, \"hostID\": 300000, \"size\": 10}]}}",
              &err);
    assert_no_error(err);
    assert_int_equal(spec->uid_mapping_count, 1);
    assert_int_equal(spec->uid_mappings[0].host_id, 100000);
    assert_int_equal(spec->uid_mappings[0].size, 65536);
    assert_int_equal(spec->gid_mapping_count, 2);
    assert_int_equal(spec->gid_mappings[1].container_id, 1);
    assert_int_equal(spec->gid_mappings[1].host_id, 300000);
    runtime_spec_free(spec);
}

static void test_reject_bad_user_namespace(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_PROCESS ", " MINIMAL_ROOT
                         ", \"linux\": {\"namespaces\": [{\"type\": \"user\"}]}}",
                         "a new user namespace needs linux.uidMappings and linux.gidMappings");
    assert_spec_rejected("{" MINIMAL_PROCESS ", " MINIMAL_ROOT
                         ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, "
                         "\"size\": 1}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1, "
                         "\"size\": 1}]}}",
                         "without a new user namespace");
    assert_spec_rejected(
        "{" MINIMAL_PROCESS ", " MINIMAL_ROOT
        ", \"linux\": {\"namespaces\": [{\"type\": \"user\"}], \"uidMappings\": "
        "[{\"containerID\": 0, \"hostID\": 1, \"size\": 0}], \"gidMappings\": []}}",
        "linux.uidMappings[0] needs containerID, hostID and a positive size");
    assert_spec_rejected("{" MINIMAL_PROCESS ", " MINIMAL_ROOT
                         ", \"linux\": {\"namespaces\": [{\"type\": \"user\"}], \"uidMappings\": "
                         "[{\"containerID\": 0, \"hostID\": 4294967295, \"size\": 2}]}}",
                         "within 32 bits");
    assert_spec_rejected("{" MINIMAL_PROCESS ", " MINIMAL_ROOT
                         ", \"linux\": {\"uidMappings\": {}}}",
                         "linux.uidMappings must be an array");
}

/* Found by fuzz_spec: containerID + size overflowed int64 (undefined; in
 * practice it wrapped negative and the mapping passed the 32-bit check). */
static void test_reject_id_mapping_overflow(void **state)
{
    (void)state;
    assert_spec_rejected("{" MINIMAL_PROCESS ", " MINIMAL_ROOT
                         ", \"linux\": {\"namespaces\": [{\"type\": \"user\"}], \"uidMappings\": "
                         "[{\"containerID\": 1, \"hostID\": 0, \"size\": 9223372036854775807}], "
                         "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 0, \"size\": 1}]}}",
                         "within 32 bits");
    assert_spec_rejected("{" MINIMAL_PROCESS ", " MINIMAL_ROOT
                         ", \"linux\": {\"namespaces\": [{\"type\": \"user\"}], \"uidMappings\": "
                         "[{\"containerID\": 0, \"hostID\": 0, \"size\": 1}], \"gidMappings\": "
                         "[{\"containerID\": 0, \"hostID\": 9223372036854775807, \"size\": 1}]}}",
                         "within 32 bits");
}

static void test_options_idmap(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_mount m = {.destination = "/"};
    json_t *options = json_pack("[s, s]", "lowerdir=/l", "idmap");
    assert_int_equal(runtime_mount_options_parse(options, &m, &err), 0);
    assert_true(m.idmap);
    assert_string_equal(m.data, "lowerdir=/l");
    free(m.data);
    json_decref(options);
}

static void test_capability_from_name(void **state)
{
    (void)state;
    assert_int_equal(runtime_capability_from_name("CAP_CHOWN"), 0);
    assert_int_equal(runtime_capability_from_name("CAP_DAC_OVERRIDE"), 1);
    assert_int_equal(runtime_capability_from_name("CAP_KILL"), 5);
    assert_int_equal(runtime_capability_from_name("CAP_NET_BIND_SERVICE"), 10);
    assert_int_equal(runtime_capability_from_name("CAP_SYS_ADMIN"), 21);
    assert_int_equal(runtime_capability_from_name("CAP_AUDIT_WRITE"), 29);
    assert_int_equal(runtime_capability_from_name("CAP_SETFCAP"), 31);
    assert_int_equal(runtime_capability_from_name("CAP_FLY"), -1);
    assert_int_equal(runtime_capability_from_name("SYS_ADMIN"), -1);
    assert_int_equal(runtime_capability_from_name("cap_chown"), -1);
    assert_int_equal(runtime_capability_from_name("CAP_"), -1);
    assert_int_equal(runtime_capability_from_name(""), -1);
    assert_int_equal(runtime_capability_from_name(NULL), -1);
}

static void test_namespace_flag(void **state)
{
    (void)state;
    assert_int_equal(runtime_namespace_flag("mount"), CLONE_NEWNS);
    assert_int_equal(runtime_namespace_flag("uts"), CLONE_NEWUTS);
    assert_int_equal(runtime_namespace_flag("ipc"), CLONE_NEWIPC);
    assert_int_equal(runtime_namespace_flag("pid"), CLONE_NEWPID);
    assert_int_equal(runtime_namespace_flag("network"), CLONE_NEWNET);
    assert_int_equal(runtime_namespace_flag("user"), CLONE_NEWUSER);
    assert_int_equal(runtime_namespace_flag("cgroup"), CLONE_NEWCGROUP);
    assert_int_equal(runtime_namespace_flag("time"), CLONE_NEWTIME);
    assert_int_equal(runtime_namespace_flag("net"), 0);
    assert_int_equal(runtime_namespace_flag("Mount"), 0);
    assert_int_equal(runtime_namespace_flag(""), 0);
    assert_int_equal(runtime_namespace_flag(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_minimal),
        cmocka_unit_test(test_parse_absolute_root_kept),
        cmocka_unit_test(test_parse_relative_root_without_bundle),
        cmocka_unit_test(test_parse_full),
        cmocka_unit_test(test_parse_outlives_document),
        cmocka_unit_test(test_reject_not_object),
        cmocka_unit_test(test_reject_missing_root_path),
        cmocka_unit_test(test_reject_missing_process),
        cmocka_unit_test(test_reject_bad_args),
        cmocka_unit_test(test_reject_bad_env),
        cmocka_unit_test(test_reject_bad_cwd),
        cmocka_unit_test(test_reject_bad_user),
        cmocka_unit_test(test_reject_unknown_capability),
        cmocka_unit_test(test_reject_unknown_namespace),
        cmocka_unit_test(test_reject_duplicate_namespace),
        cmocka_unit_test(test_reject_bad_device),
        cmocka_unit_test(test_reject_device_empty_type),
        cmocka_unit_test(test_reject_bad_device_rule),
        cmocka_unit_test(test_reject_device_rule_empty_type),
        cmocka_unit_test(test_reject_bad_mount),
        cmocka_unit_test(test_reject_bad_paths_lists),
        cmocka_unit_test(test_rootfs_propagation),
        cmocka_unit_test(test_spec_load),
        cmocka_unit_test(test_options_flags),
        cmocka_unit_test(test_options_rw_clears_existing),
        cmocka_unit_test(test_options_bind_and_propagation),
        cmocka_unit_test(test_options_data),
        cmocka_unit_test(test_options_null),
        cmocka_unit_test(test_options_errors),
        cmocka_unit_test(test_capability_from_name),
        cmocka_unit_test(test_namespace_flag),
        cmocka_unit_test(test_user_namespace_mappings),
        cmocka_unit_test(test_reject_bad_user_namespace),
        cmocka_unit_test(test_reject_id_mapping_overflow),
        cmocka_unit_test(test_options_idmap),
    };
    return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
