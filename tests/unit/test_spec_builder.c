/* src/engine/spec_builder.h: the runtime spec built from flags and image, read
 * back by the runtime's own parser. */
#include <sched.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/mount.h>

#include "../../src/engine/spec_builder.h"
#include "../../src/runtime/seccomp.h"
#include "../../src/runtime/spec.h"
#include "unit.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct built {
    json_t *document;
    struct runtime_spec *spec;
};

static void build(const struct run_options *o, struct built *out)
{
    char *layers[] = {"/data/images/layers/top", "/data/images/layers/bottom"};
    struct image image = {.name = "busybox",
                          .layers = layers,
                          .layer_count = 2,
                          .init_layer = "/data/images/.init"};
    gid_t groups[] = {100, 10};
    struct resolved_user user = {
        .uid = 1000, .gid = 100, .groups = groups, .group_count = 2, .name = "u", .home = "/h"};
    json_t *env = json_pack("[s, s]", "PATH=/bin", "HOME=/h");
    char *args[] = {"sh", "-c", "echo hi", NULL};
    static const struct id_range uids = {1000000000, 65536}, gids = {2000000000, 70000};
    bool private_userns = o->userns_mode != NULL && strcmp(o->userns_mode, "private") == 0;
    struct spec_inputs inputs = {
        .uid_range = private_userns ? &uids : NULL,
        .gid_range = private_userns ? &gids : NULL,
        .options = o,
        .image = &image,
        .user = &user,
        .env = env,
        .container_id = "0123abcd",
        .container_directory = "/run/husk/containers/0123abcd",
        .hostname = "0123abcd",
        .args = args,
        .cwd = "/work",
    };
    husk_error_t err = NULL;
    out->document = spec_build(&inputs, &err);
    json_decref(env); /* the spec holds its own reference */
    if (out->document == NULL)
        fail_msg("spec_build: %s", err ? err->message : "(no error)");
    out->spec = NULL;
    if (runtime_spec_parse(out->document, "/bundle", &out->spec, &err) < 0)
        fail_msg("runtime_spec_parse of a built spec: %s", err->message);
}

static void built_free(struct built *b)
{
    runtime_spec_free(b->spec);
    json_decref(b->document);
}

static const struct runtime_mount *find_mount(const struct runtime_spec *spec,
                                              const char *destination)
{
    for (size_t i = 0; i < spec->mount_count; i++)
        if (strcmp(spec->mounts[i].destination, destination) == 0)
            return &spec->mounts[i];
    return NULL;
}

static void test_default_spec(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox"};
    struct built b;
    build(&o, &b);
    const struct runtime_spec *s = b.spec;
    assert_string_equal(s->root_path, "/run/husk/containers/0123abcd/rootfs");
    assert_false(s->root_readonly);
    assert_string_equal(s->hostname, "0123abcd");
    assert_string_equal(s->args[0], "sh");
    assert_string_equal(s->args[2], "echo hi");
    assert_string_equal(s->env[0], "PATH=/bin");
    assert_string_equal(s->env[1], "HOME=/h");
    assert_null(s->env[2]);
    assert_string_equal(s->cwd, "/work");
    assert_int_equal(s->uid, 1000);
    assert_int_equal(s->gid, 100);
    assert_int_equal(s->additional_gid_count, 2);
    assert_int_equal(s->additional_gids[1], 10);
    assert_false(s->terminal);
    assert_true(s->no_new_privileges);

    uint64_t expected = 0;
    for (const char *const *name = spec_default_capabilities; *name; name++) {
        int value = runtime_capability_from_name(*name);
        if (value < 0)
            fail_msg("default capability %s is unknown", *name);
        expected |= UINT64_C(1) << value;
    }
    assert_int_equal(__builtin_popcountll(expected), 14);
    assert_int_equal(s->capabilities.bounding, expected);
    assert_int_equal(s->capabilities.effective, expected);
    assert_int_equal(s->capabilities.permitted, expected);
    assert_int_equal(s->capabilities.inheritable, 0);
    assert_int_equal(s->capabilities.ambient, 0);
    assert_int_equal(s->capabilities.bounding & (UINT64_C(1) << CAP_SYS_ADMIN), 0);

    const struct runtime_mount *m = find_mount(s, "/");
    assert_non_null(m);
    assert_string_equal(m->type, "overlay");
    /* The init layer, then the image's top layer first. */
    assert_string_equal(m->data, "lowerdir=/data/images/.init:/data/images/layers/top:"
                                 "/data/images/layers/bottom,"
                                 "upperdir=/run/husk/containers/0123abcd/upper,"
                                 "workdir=/run/husk/containers/0123abcd/work");
    m = find_mount(s, "/sys");
    assert_non_null(m);
    assert_true(m->flags & MS_RDONLY);
    m = find_mount(s, "/proc");
    assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
    m = find_mount(s, "/dev/pts");
    assert_non_null(m);
    assert_string_equal(m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    m = find_mount(s, "/etc/hosts");
    assert_non_null(m);
    assert_true(m->bind);
    assert_true(m->recursive);
    assert_string_equal(m->source, "/run/husk/containers/0123abcd/hosts");
    assert_non_null(find_mount(s, "/etc/resolv.conf"));
    assert_non_null(find_mount(s, "/etc/hostname"));
    assert_non_null(find_mount(s, "/dev/shm"));
    assert_non_null(find_mount(s, "/dev/mqueue"));

    static const int namespaces[] = {CLONE_NEWPID,    CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWNS,
                                     CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNET};
    for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
        assert_true(runtime_spec_has_namespace(s, namespaces[i]));
    assert_false(runtime_spec_has_namespace(s, CLONE_NEWUSER));

    assert_string_equal(s->cgroups_path, "/husk/0123abcd");
    assert_true(s->device_rule_count > 2);
    assert_false(s->device_rules[0].allow);
    assert_int_equal(s->device_rules[0].type, 'a');
    assert_int_equal(s->device_count, 0);
    assert_non_null(s->masked_paths);
    assert_string_equal(s->masked_paths[1], "/proc/kcore");
    assert_non_null(s->readonly_paths);
    assert_non_null(s->seccomp);

    struct seccomp_program program;
    husk_error_t err = NULL;
    assert_int_equal(seccomp_program_compile(s->seccomp, &program, &err), 0);
    assert_true(program.length > 0);
    seccomp_program_free(&program);
    built_free(&b);
}

static void test_host_network_tty_read_only(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox", .network = "host", .tty = true, .read_only = true};
    struct built b;
    build(&o, &b);
    assert_false(runtime_spec_has_namespace(b.spec, CLONE_NEWNET));
    assert_true(runtime_spec_has_namespace(b.spec, CLONE_NEWUTS));
    assert_true(b.spec->terminal);
    assert_true(b.spec->root_readonly);
    built_free(&b);
    o.network = "none";
    build(&o, &b);
    assert_true(runtime_spec_has_namespace(b.spec, CLONE_NEWNET));
    built_free(&b);
}

static void test_privileged(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox", .privileged = true};
    struct built b;
    build(&o, &b);
    const struct runtime_spec *s = b.spec;
    assert_false(s->no_new_privileges);
    assert_null(s->seccomp);
    assert_null(s->masked_paths);
    assert_null(s->readonly_paths);
    assert_false(find_mount(s, "/sys")->flags & MS_RDONLY);
    assert_int_equal(s->device_rule_count, 1);
    assert_true(s->device_rules[0].allow);
    assert_int_equal(s->device_rules[0].type, 'a');
    /* Every capability of husk's own bounding set, and nothing else. */
    uint64_t bounding = 0;
    for (int cap = 0; cap <= CAP_LAST_CAP && cap < 64; cap++)
        if (cap_get_bound(cap) == 1)
            bounding |= UINT64_C(1) << cap;
    assert_int_equal(s->capabilities.bounding, bounding);
    assert_int_equal(s->capabilities.effective, bounding);
    for (size_t i = 0; i < s->device_count; i++) {
        assert_int_equal(strncmp(s->devices[i].path, "/dev/", 5), 0);
        assert_true(s->devices[i].type == 'c' || s->devices[i].type == 'b');
    }
    built_free(&b);
}

static void test_private_user_namespace(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox", .userns_mode = "private"};
    struct built b;
    build(&o, &b);
    const struct runtime_spec *s = b.spec;
    assert_true(runtime_spec_has_namespace(s, CLONE_NEWUSER));
    assert_int_equal(s->uid_mapping_count, 1);
    assert_int_equal(s->uid_mappings[0].container_id, 0);
    assert_int_equal(s->uid_mappings[0].host_id, 1000000000);
    assert_int_equal(s->uid_mappings[0].size, 65536);
    assert_int_equal(s->gid_mapping_count, 1);
    assert_int_equal(s->gid_mappings[0].host_id, 2000000000);
    assert_int_equal(s->gid_mappings[0].size, 70000);
    const struct runtime_mount *root = find_mount(s, "/");
    assert_true(root->idmap);
    /* "idmap" is husk's word, never passed to overlayfs as data. */
    assert_null(strstr(root->data, "idmap"));
    built_free(&b);
    o.userns_mode = "host";
    build(&o, &b);
    assert_false(runtime_spec_has_namespace(b.spec, CLONE_NEWUSER));
    assert_int_equal(b.spec->uid_mapping_count, 0);
    assert_false(find_mount(b.spec, "/")->idmap);
    built_free(&b);
}

static void test_joined_ipc_has_no_shm_of_its_own(void **state)
{
    (void)state;
    struct run_options o = {.image = "busybox",
                            .ipc_mode = "container:0123",
                            .pid_mode = "container:0123",
                            .network = "container:0123"};
    struct built b;
    build(&o, &b);
    /* The donor's /dev/shm is attached at start; the namespaces are joined
     * then, so the spec asks for them without a path yet. */
    assert_null(find_mount(b.spec, "/dev/shm"));
    assert_true(runtime_spec_has_namespace(b.spec, CLONE_NEWIPC));
    assert_true(runtime_spec_has_namespace(b.spec, CLONE_NEWPID));
    assert_true(runtime_spec_has_namespace(b.spec, CLONE_NEWNET));
    built_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_spec),
        cmocka_unit_test(test_host_network_tty_read_only),
        cmocka_unit_test(test_privileged),
        cmocka_unit_test(test_private_user_namespace),
        cmocka_unit_test(test_joined_ipc_has_no_shm_of_its_own),
    };
    return cmocka_run_group_tests_name("spec_builder", tests, NULL, NULL);
}
