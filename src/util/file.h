/* File helpers: whole-file reads and writes, atomic replacement, trees, and
 * path resolution confined to a root directory (openat2 RESOLVE_IN_ROOT). */
#ifndef HUSK_UTIL_FILE_H
#define HUSK_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Writes all LENGTH bytes (retrying short writes and EINTR); -1 with errno. */
int fd_write_fully(int fd, const void *data, size_t length);
/* The same as a writer callback whose data is a pointer to the fd. */
int fd_write_callback(void *fd, const void *block, size_t length);

/* An empty PATH reads from DIRFD itself. */
int file_read_all(int dirfd, const char *path, char **content, size_t *length, husk_error_t *err);
int file_write_all(int dirfd, const char *path, const char *content, size_t length, mode_t mode,
                   husk_error_t *err);
/* Temp file, optional fsync, rename: readers see the old or the new content,
 * never a torn one. The file is 0600 (less if the umask says so): what husk
 * replaces atomically is state only husk reads, records with -e values
 * among it. */
int file_write_atomic(const char *path, const char *content, size_t length, bool durable,
                      husk_error_t *err);
int directory_create_parents(const char *path, mode_t mode, husk_error_t *err);
/* The names in directory PATH that KEEP accepts, sorted, NULL-terminated;
 * an empty list when PATH cannot be read. */
char **directory_names(const char *path, bool (*keep)(const char *name));
/* The bytes of the regular files under PATH (docker's sizes), not
 * following symlinks or crossing into other mounts; 0 when unreadable. */
unsigned long long directory_size(const char *path);
/* Removes a directory tree without following symlinks or crossing into
 * other file systems (a mount left inside is reported, not descended). */
int directory_remove_tree(const char *path, husk_error_t *err);

/* Opens PATH as if ROOT_FD were "/": symlinks and ".." cannot escape it. */
int root_open(int root_fd, const char *path, int flags, mode_t mode);
/* Like root_open(O_PATH|O_DIRECTORY) but creates missing directories. */
int root_open_directory_create(int root_fd, const char *path, mode_t mode, husk_error_t *err);
/* Opens (O_PATH) a file at PATH inside ROOT_FD, creating an empty regular
 * file (or a directory when AS_DIRECTORY) and its parents if missing. */
int root_open_mount_target(int root_fd, const char *path, bool as_directory, husk_error_t *err);

/* An O_PATH fd of NAME in DIR_FD, a node just made there, checked to be of
 * TYPE (S_IFCHR, ...): another process may have swapped the name for a
 * symlink meanwhile (then -1 with EEXIST). */
int node_open_made(int dir_fd, const char *name, mode_t type);
/* chmod of the very file an O_PATH FD names (through /proc/self/fd). */
int path_fd_chmod(int fd, mode_t mode);

/* Closes every fd from 3 up but the COUNT in KEEP (sorted in place; -1
 * entries are ignored). */
void fd_close_all_but(int *keep, size_t count);

#endif
