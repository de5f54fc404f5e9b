/* Compiles linux.seccomp with libseccomp into a BPF program before clone3(),
 * so the container's process only has to install it right before exec. */
#ifndef HUSK_RUNTIME_SECCOMP_H
#define HUSK_RUNTIME_SECCOMP_H

#include <jansson.h>
#include <linux/filter.h>
#include <stdint.h>

#include "../util/error.h"

struct seccomp_program {
    struct sock_filter *filter;
    unsigned short length;
    /* linux.seccomp.flags (SECCOMP_FILTER_FLAG_*), for the first process;
     * a program read back from a file (exec) has none. */
    unsigned int flags;
};

/* "SCMP_ACT_ERRNO" + errnoRet -> libseccomp action; -1 when unknown. */
int64_t seccomp_action_parse(const char *name, json_t *errno_value);
/* "SCMP_CMP_MASKED_EQ" -> libseccomp's comparison; -1 when unknown. */
int seccomp_comparison_parse(const char *op);
int seccomp_program_compile(json_t *seccomp, struct seccomp_program *program, husk_error_t *err);
/* A compiled program kept in file NAME of DIR_FD (0600, replaced whole by
 * rename), and read back only from a regular file of husk's own of whole
 * BPF instructions: -1 otherwise, with errno. */
int seccomp_program_save(int dir_fd, const char *name, const struct seccomp_program *program);
int seccomp_program_read(int dir_fd, const char *name, struct seccomp_program *program);
void seccomp_program_free(struct seccomp_program *program);
/* Installs the program in the calling thread (no_new_privs or CAP_SYS_ADMIN needed). */
int seccomp_program_install(const struct seccomp_program *program);

#endif
