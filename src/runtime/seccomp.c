#include "seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

int64_t seccomp_action_parse(const char *name, json_t *errno_value)
{
    if (name == NULL)
        return -1;
    int errno_number = json_is_integer(errno_value) ? (int)json_integer_value(errno_value) : EPERM;
    if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
        return SCMP_ACT_ALLOW;
    if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
        return SCMP_ACT_ERRNO(errno_number);
    if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
        return SCMP_ACT_KILL_THREAD;
    if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
        return SCMP_ACT_KILL_PROCESS;
    if (strcmp(name, "SCMP_ACT_TRAP") == 0)
        return SCMP_ACT_TRAP;
    if (strcmp(name, "SCMP_ACT_LOG") == 0)
        return SCMP_ACT_LOG;
    if (strcmp(name, "SCMP_ACT_TRACE") == 0)
        return SCMP_ACT_TRACE(errno_number);
    if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
        return SCMP_ACT_NOTIFY;
    return -1;
}

int seccomp_comparison_parse(const char *op)
{
    static const struct {
        const char *name;
        int op;
    } ops[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
               {"SCMP_CMP_LT", SCMP_CMP_LT},
               {"SCMP_CMP_LE", SCMP_CMP_LE},
               {"SCMP_CMP_EQ", SCMP_CMP_EQ},
               {"SCMP_CMP_GE", SCMP_CMP_GE},
               {"SCMP_CMP_GT", SCMP_CMP_GT},
               {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
    for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(op, ops[i].name) == 0)
            return ops[i].op;
    return -1;
}

static int add_rule(scmp_filter_ctx ctx, json_t *rule, size_t index, husk_error_t *err)
{
    json_t *names = json_object_get(rule, "names");
    json_t *args = json_object_get(rule, "args");
    int64_t action = seccomp_action_parse(json_string_value(json_object_get(rule, "action")),
                                          json_object_get(rule, "errnoRet"));
    if (action < 0 || !json_is_array(names))
        return husk_error_set(err, 0, "config.json: linux.seccomp.syscalls[%zu] is malformed",
                              index);
    struct scmp_arg_cmp comparisons[6];
    size_t count = json_array_size(args);
    if (count > 6)
        return husk_error_set(err, 0, "config.json: linux.seccomp.syscalls[%zu]: too many args",
                              index);
    for (size_t i = 0; i < count; i++) {
        json_t *arg = json_array_get(args, i);
        json_int_t position = 0, value = 0, value_two = 0;
        const char *op = NULL;
        if (json_unpack(arg, "{s:I, s:I, s?I, s:s}", "index", &position, "value", &value,
                        "valueTwo", &value_two, "op", &op) < 0 ||
            seccomp_comparison_parse(op) < 0 || position < 0 || position > 5)
            return husk_error_set(err, 0, "config.json: linux.seccomp.syscalls[%zu].args[%zu]",
                                  index, i);
        comparisons[i] = (struct scmp_arg_cmp){.arg = (unsigned)position,
                                               .op = seccomp_comparison_parse(op),
                                               .datum_a = (scmp_datum_t)value,
                                               .datum_b = (scmp_datum_t)value_two};
    }
    size_t i;
    json_t *name;
    json_array_foreach(names, i, name)
    {
        int number = seccomp_syscall_resolve_name(json_string_value(name));
        /* Profiles list syscalls of every architecture; skip the others. */
        if (number == __NR_SCMP_ERROR)
            continue;
        int rc =
            seccomp_rule_add_array(ctx, (uint32_t)action, number, (unsigned)count, comparisons);
        /* EEXIST: a rule that is the default action already. */
        if (rc < 0 && rc != -EEXIST && rc != -EACCES)
            return husk_error_set(err, -rc, "seccomp rule for %s", json_string_value(name));
    }
    return 0;
}

static int export_program(scmp_filter_ctx ctx, struct seccomp_program *program, husk_error_t *err)
{
    cleanup_close int fd = memfd_create("seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return husk_error_set(err, errno, "memfd_create");
    int rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0)
        return husk_error_set(err, -rc, "compile seccomp filter");
    struct stat st;
    if (fstat(fd, &st) < 0)
        return husk_error_set(err, errno, "seccomp filter");
    program->filter = xmalloc((size_t)st.st_size);
    program->length = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
    if (pread(fd, program->filter, (size_t)st.st_size, 0) != st.st_size)
        return husk_error_set(err, errno, "read seccomp filter");
    return 0;
}

/* "SCMP_ARCH_X86" -> libseccomp's x86: syscalls of each listed
 * architecture are filtered too (else a 32-bit program is killed at its
 * first syscall, as a foreign architecture). */
static int add_architectures(scmp_filter_ctx ctx, json_t *list, husk_error_t *err)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *name = json_string_value(item);
        char lower[32];
        size_t n = 0;
        if (name != NULL && strncmp(name, "SCMP_ARCH_", 10) == 0)
            for (const char *p = name + 10; *p && n < sizeof(lower) - 1; p++)
                lower[n++] = (char)tolower((unsigned char)*p);
        lower[n] = '\0';
        uint32_t arch = n > 0 ? seccomp_arch_resolve_name(lower) : 0;
        if (arch == 0)
            return husk_error_set(err, 0,
                                  "config.json: linux.seccomp.architectures[%zu]: unknown %s", i,
                                  name ? name : "(non-string)");
        int rc = seccomp_arch_add(ctx, arch);
        if (rc < 0 && rc != -EEXIST)
            return husk_error_set(err, -rc, "seccomp architecture %s", name);
    }
    return 0;
}

static int parse_flags(json_t *list, unsigned int *flags, husk_error_t *err)
{
    static const struct {
        const char *name;
        unsigned int flag;
    } known[] = {
        {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
        {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
        {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    };
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *name = json_string_value(item);
        size_t k = 0;
        while (k < sizeof(known) / sizeof(known[0]) &&
               (name == NULL || strcmp(known[k].name, name) != 0))
            k++;
        if (k == sizeof(known) / sizeof(known[0]))
            return husk_error_set(err, 0, "config.json: linux.seccomp.flags[%zu]: unknown %s", i,
                                  name ? name : "(non-string)");
        *flags |= known[k].flag;
    }
    return 0;
}

static bool uses_notify(json_t *seccomp)
{
    const char *action = json_string_value(json_object_get(seccomp, "defaultAction"));
    bool notify = action != NULL && strcmp(action, "SCMP_ACT_NOTIFY") == 0;
    size_t i;
    json_t *rule;
    json_array_foreach(json_object_get(seccomp, "syscalls"), i, rule)
    {
        action = json_string_value(json_object_get(rule, "action"));
        notify = notify || (action != NULL && strcmp(action, "SCMP_ACT_NOTIFY") == 0);
    }
    return notify;
}

int seccomp_program_compile(json_t *seccomp, struct seccomp_program *program, husk_error_t *err)
{
    *program = (struct seccomp_program){0};
    if (seccomp == NULL)
        return 0;
    /* SCMP_ACT_NOTIFY: the kernel hands out a listener fd at install, which
     * goes to the agent at listenerPath; without one nobody would answer. */
    if (uses_notify(seccomp)) {
        const char *listener = json_string_value(json_object_get(seccomp, "listenerPath"));
        if (listener == NULL || listener[0] != '/')
            return husk_error_set(err, 0,
                                  "config.json: linux.seccomp: SCMP_ACT_NOTIFY needs an absolute "
                                  "listenerPath");
        program->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    }
    int64_t default_action =
        seccomp_action_parse(json_string_value(json_object_get(seccomp, "defaultAction")),
                             json_object_get(seccomp, "defaultErrnoRet"));
    if (default_action < 0)
        return husk_error_set(err, 0,
                              "config.json: linux.seccomp.defaultAction is missing or "
                              "unknown");
    scmp_filter_ctx ctx = seccomp_init((uint32_t)default_action);
    if (ctx == NULL)
        return husk_error_set(err, ENOMEM, "seccomp_init");
    /* The kernel checks no_new_privs itself when the filter is installed. */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (add_architectures(ctx, json_object_get(seccomp, "architectures"), err) < 0 ||
        parse_flags(json_object_get(seccomp, "flags"), &program->flags, err) < 0) {
        seccomp_release(ctx);
        return -1;
    }
    json_t *rules = json_object_get(seccomp, "syscalls");
    size_t i;
    json_t *rule;
    int rc = 0;
    json_array_foreach(rules, i, rule)
    {
        if ((rc = add_rule(ctx, rule, i, err)) < 0)
            break;
    }
    if (rc == 0)
        rc = export_program(ctx, program, err);
    seccomp_release(ctx);
    return rc;
}

void seccomp_program_free(struct seccomp_program *program)
{
    free(program->filter);
    program->filter = NULL;
}

int seccomp_program_install(const struct seccomp_program *program)
{
    if (program->filter == NULL)
        return 0;
    struct sock_fprog fprog = {.len = program->length, .filter = program->filter};
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program->flags, &fprog);
}

int seccomp_program_read(int dir_fd, const char *name, struct seccomp_program *program)
{
    *program = (struct seccomp_program){0};
    cleanup_close int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return -1;
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_size <= 0 ||
        st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
        st.st_size > (off_t)(BPF_MAXINSNS * sizeof(struct sock_filter))) {
        errno = EINVAL;
        return -1;
    }
    program->filter = xmalloc((size_t)st.st_size);
    program->length = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
    if (pread(fd, program->filter, (size_t)st.st_size, 0) != st.st_size) {
        seccomp_program_free(program);
        errno = EIO;
        return -1;
    }
    return 0;
}

int seccomp_program_save(int dir_fd, const char *name, const struct seccomp_program *program)
{
    char temporary[96];
    snprintf(temporary, sizeof(temporary), ".%s.%d", name, (int)getpid());
    unlinkat(dir_fd, temporary, 0);
    cleanup_close int fd =
        openat(dir_fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    size_t size = program->length * sizeof(struct sock_filter);
    if (fd < 0)
        return -1;
    if (write(fd, program->filter, size) != (ssize_t)size ||
        renameat(dir_fd, temporary, dir_fd, name) < 0) {
        int saved = errno;
        unlinkat(dir_fd, temporary, 0);
        errno = saved ? saved : EIO;
        return -1;
    }
    return 0;
}
