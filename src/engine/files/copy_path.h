/* The path rules of `husk cp`, as docker's cp has them: which argument names
 * a container, how a path is cleaned without losing what its trailing "/"
 * or "/." asserts, and where an archive of the source lands for each kind
 * of destination. Pure string work: nothing here touches a file system. */
#ifndef HUSK_ENGINE_FILES_COPY_PATH_H
#define HUSK_ENGINE_FILES_COPY_PATH_H

#include <stdbool.h>

/* "CONTAINER:PATH" -> *CONTAINER and *PATH (both allocated); a local path
 * (absolute, starting with ".", or without ':') -> *CONTAINER NULL and
 * *PATH the whole argument. "./a:b" is the way to name a local "a:b". */
void copy_argument_split(const char *argument, char **container, char **path);

/* Lexical cleaning as Go's filepath.Clean: one '/' between names, no "."
 * names, ".." removing the name before it (and nothing above "/"); "" is
 * ".". */
char *copy_path_clean(const char *path);
/* CLEANED with the trailing "/" or "/." that ORIGINAL had put back: they
 * assert that the path is a directory ("/." also: copy its contents). */
char *copy_path_preserve_trailing(const char *cleaned, const char *original);
/* The last name of PATH after trailing slashes ("/" for "/", "." for ""). */
char *copy_path_base(const char *path);
/* PATH ends in "/" or its last name is ".". */
bool copy_path_asserts_directory(const char *path);
/* PATH cleaned (a trailing "." kept) into its directory and last name. */
void copy_path_split(const char *path, char **directory, char **base);
/* An absolute, cleaned PATH inside a container (relative ones start at its
 * "/"), trailing "/" or "/." kept. */
char *copy_path_in_container(const char *path);
/* The name the copied tree has in the archive: PATH's last name, "." (its
 * contents) for "DIR/." and for "/". */
char *copy_path_top_name(const char *path);

/* What is known of the destination of a copy. */
struct copy_destination {
    const char *path; /* as cleaned, trailing "/" or "/." kept */
    bool exists, is_directory;
};
/* Where an archive of a source named SOURCE_NAME (see copy_path_top_name)
 * is extracted: into *DIRECTORY, its top renamed to *RENAME (NULL: names
 * kept). -1 with *PROBLEM set (docker's words) when the copy cannot be. */
int copy_plan(bool source_is_directory, const char *source_name,
              const struct copy_destination *destination, char **directory, char **rename,
              const char **problem);

#endif
