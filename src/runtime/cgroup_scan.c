#include "cgroup_scan.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

static bool listed(char **names, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

char **cgroup_scan_children(const struct cgroup_layout *layout, const char *parent)
{
    size_t count = 0;
    char **names = xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < layout->count; i++) {
        cleanup_free char *directory = cgroup_path(&layout->hierarchies[i], parent, NULL);
        DIR *listing = directory ? opendir(directory) : NULL;
        struct dirent *entry;
        while (listing != NULL && (entry = readdir(listing)) != NULL) {
            if (entry->d_type != DT_DIR || entry->d_name[0] == '.' ||
                listed(names, count, entry->d_name))
                continue;
            names = xreallocarray(names, count + 2, sizeof(char *));
            names[count++] = xstrdup(entry->d_name);
            names[count] = NULL;
        }
        if (listing != NULL)
            closedir(listing);
    }
    return names;
}

static size_t count_lines(const char *path)
{
    cleanup_fclose FILE *file = fopen(path, "re");
    size_t lines = 0;
    int c;
    while (file != NULL && (c = getc(file)) != EOF)
        lines += c == '\n';
    return lines;
}

void cgroup_scan_path(const struct cgroup_layout *layout, const char *path,
                      struct cgroup_presence *presence)
{
    *presence = (struct cgroup_presence){0};
    for (size_t i = 0; i < layout->count; i++) {
        cleanup_free char *directory = cgroup_path(&layout->hierarchies[i], path, NULL);
        struct stat st;
        if (directory == NULL || stat(directory, &st) < 0)
            continue;
        presence->exists = true;
        if (st.st_ctime > presence->changed)
            presence->changed = st.st_ctime;
        cleanup_free char *procs = cgroup_path(&layout->hierarchies[i], path, "cgroup.procs");
        size_t processes = procs ? count_lines(procs) : 0;
        if (processes > presence->processes)
            presence->processes = processes;
    }
}
