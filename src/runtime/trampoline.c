#include "trampoline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/cleanup.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

extern const unsigned char husk_exec_stub[];
extern const unsigned long husk_exec_stub_size;

extern const unsigned char husk_init[];
extern const unsigned long husk_init_size;

/* A CLOEXEC memfd holding BYTES, sealed: a container that reopens
 * /proc/PID/exe of what runs from it can neither write, resize nor re-mode
 * it. */
static int sealed_program(const char *name, const unsigned char *bytes, unsigned long size,
                          husk_error_t *err)
{
    /* MFD_EXEC says so explicitly where vm.memfd_noexec would otherwise
     * refuse; kernels before 6.3 do not know the flag. */
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL)
        fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return husk_error_set(err, errno, "create the %s memfd", name);
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, bytes + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            close(fd);
            return husk_error_set(err, saved, "write the %s memfd", name);
        }
        done += (size_t)n;
    }
    int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
    if (fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) < 0 && fcntl(fd, F_ADD_SEALS, seals) < 0) {
        int saved = errno;
        close(fd);
        return husk_error_set(err, saved, "seal the %s memfd", name);
    }
    return fd;
}

int trampoline_open(husk_error_t *err)
{
    return sealed_program("husk-exec", husk_exec_stub, husk_exec_stub_size, err);
}

int trampoline_init_open(husk_error_t *err)
{
    return sealed_program("husk-init", husk_init, husk_init_size, err);
}

int trampoline_init_exec(int init_fd, char *const args[], char *const env[], husk_error_t *err)
{
    size_t count = 0;
    while (args[count] != NULL)
        count++;
    const char *argv[count + 3];
    argv[0] = "/sbin/docker-init";
    argv[1] = "--";
    for (size_t i = 0; i <= count; i++)
        argv[2 + i] = args[i];
    char *const empty[] = {NULL};
    syscall(SYS_execveat, init_fd, "", argv, env ? env : empty, AT_EMPTY_PATH);
    return husk_error_set(err, errno, "exec the init");
}

int trampoline_exec(int stub_fd, int socket_fd, char *const args[], char *const env[],
                    husk_error_t *err)
{
    size_t count = 0;
    while (args[count] != NULL)
        count++;
    char fd_text[16];
    snprintf(fd_text, sizeof(fd_text), "%d", socket_fd);
    const char *argv[count + 4];
    argv[0] = "husk-exec";
    argv[1] = fd_text;
    argv[2] = args[0];
    for (size_t i = 0; i <= count; i++)
        argv[3 + i] = args[i];
    /* The stub keeps the socket across its own exec and marks it CLOEXEC
     * for the command's. */
    int flags = fcntl(socket_fd, F_GETFD);
    if (flags < 0 || fcntl(socket_fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
        return husk_error_set(err, errno, "pass the setup socket to the exec trampoline");
    char *const empty[] = {NULL};
    syscall(SYS_execveat, stub_fd, "", argv, env ? env : empty, AT_EMPTY_PATH);
    return husk_error_set(err, errno, "exec the exec trampoline");
}
