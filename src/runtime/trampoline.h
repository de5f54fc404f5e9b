/* The exec trampoline: a tiny program (src/runtime/exec_stub/stub.c) that a
 * container process execs, from a sealed memfd, right before its command, so
 * that husk's own binary is never the executable of a process the container
 * can reach. */
#ifndef HUSK_RUNTIME_TRAMPOLINE_H
#define HUSK_RUNTIME_TRAMPOLINE_H

#include "../util/error.h"

/* In husk, before the container process is cloned: a CLOEXEC memfd holding
 * the stub, sealed against writes and resizing. */
int trampoline_open(husk_error_t *err);

/* In the container process, as its very last step: runs COMMAND (searched in
 * ENV's PATH when it has no '/') through the stub. SOCKET_FD stays open until
 * the command's own exec closes it; exec errors reach husk on it as a
 * sync_message. Returns only when the stub itself cannot be executed. */
int trampoline_exec(int stub_fd, int socket_fd, char *const args[], char *const env[],
                    husk_error_t *err);

/* --init (spec->init): husk's init (src/init/init.c), in a sealed memfd
 * as the stub is. */
int trampoline_init_open(husk_error_t *err);
/* As PID 1's very last step instead of trampoline_exec: the init, which
 * runs ARGS as its child ("/sbin/docker-init -- ARGS..."). The command is
 * looked up by the init's child, after husk is gone: callers check it
 * first (process_check_command). Returns only when the init cannot be
 * executed. */
int trampoline_init_exec(int init_fd, char *const args[], char *const env[], husk_error_t *err);

#endif
