#include "system_df.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../util/cleanup.h"
#include "cli.h"
#include "humanize.h"

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void size_text(json_t *value, char *out, size_t size)
{
    humanize_size((double)json_integer_value(value), out, size);
}

/* REPOSITORY and TAG of an image's first tag, docker's <none> without. */
static void repository_and_tag(json_t *image, char *repository, size_t size, const char **tag)
{
    const char *first = json_string_value(json_array_get(json_object_get(image, "RepoTags"), 0));
    const char *colon = first ? strrchr(first, ':') : NULL;
    if (first == NULL || colon == NULL || strchr(colon, '/') != NULL) {
        snprintf(repository, size, "<none>");
        *tag = "<none>";
        return;
    }
    snprintf(repository, size, "%.*s", (int)(colon - first), first);
    *tag = colon + 1;
}

static void print_images(json_t *images, double now)
{
    struct table *table = table_new(8);
    table_add_row(table, (const char *[]){"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE",
                                          "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"});
    size_t i;
    json_t *image;
    json_array_foreach(images, i, image)
    {
        char repository[256], created[96], size[32], shared[32], unique[32], containers[24];
        const char *tag, *id = json_string_value(json_object_get(image, "Id")) ?: "";
        repository_and_tag(image, repository, sizeof(repository), &tag);
        json_int_t total = json_integer_value(json_object_get(image, "Size"));
        json_int_t common = json_integer_value(json_object_get(image, "SharedSize"));
        humanize_ago((double)json_integer_value(json_object_get(image, "Created")), now, created,
                     sizeof(created));
        humanize_size((double)total, size, sizeof(size));
        humanize_size((double)common, shared, sizeof(shared));
        humanize_size((double)(total - common), unique, sizeof(unique));
        snprintf(containers, sizeof(containers), "%lld",
                 (long long)json_integer_value(json_object_get(image, "Containers")));
        char short_id[13];
        snprintf(short_id, sizeof(short_id), "%s", strncmp(id, "sha256:", 7) == 0 ? id + 7 : id);
        table_add_row(table, (const char *[]){repository, tag, short_id, created, size, shared,
                                              unique, containers});
    }
    table_print(table, stdout);
    table_free(table);
}

static void container_row(struct table *table, json_t *document, double now)
{
    const char *id = json_string_value(json_object_get(document, "Id")) ?: "";
    const char *name = json_string_value(json_object_get(document, "Name")) ?: "";
    char short_id[13], volumes[24], size[32], created[96], status[128];
    snprintf(short_id, sizeof(short_id), "%s", id);
    snprintf(volumes, sizeof(volumes), "%lld",
             (long long)json_integer_value(json_object_get(document, "LocalVolumes")));
    size_text(json_object_get(document, "SizeRw"), size, sizeof(size));
    humanize_ago(humanize_parse_timestamp(json_string_value(json_object_get(document, "Created"))),
                 now, created, sizeof(created));
    cli_container_status(document, now, status, sizeof(status));
    cleanup_free char *command = cli_container_command(document, false);
    const char *image =
        json_string_value(json_object_get(json_object_get(document, "Config"), "Image"));
    table_add_row(table, (const char *[]){short_id, image ?: "", command, volumes, size, created,
                                          status, name[0] == '/' ? name + 1 : name});
}

static void print_containers(json_t *containers, double now)
{
    struct table *table = table_new(8);
    table_add_row(table, (const char *[]){"CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES",
                                          "SIZE", "CREATED", "STATUS", "NAMES"});
    size_t i;
    json_t *document;
    json_array_foreach(containers, i, document)
    {
        container_row(table, document, now);
    }
    table_print(table, stdout);
    table_free(table);
}

static void print_volumes(json_t *volumes)
{
    struct table *table = table_new(3);
    table_add_row(table, (const char *[]){"VOLUME NAME", "LINKS", "SIZE"});
    size_t i;
    json_t *volume;
    json_array_foreach(volumes, i, volume)
    {
        json_t *usage = json_object_get(volume, "UsageData");
        char links[24], size[32];
        snprintf(links, sizeof(links), "%lld",
                 (long long)json_integer_value(json_object_get(usage, "RefCount")));
        size_text(json_object_get(usage, "Size"), size, sizeof(size));
        table_add_row(table,
                      (const char *[]){json_string_value(json_object_get(volume, "Name")) ?: "",
                                       links, size});
    }
    table_print(table, stdout);
    table_free(table);
}

void cli_print_df_verbose(json_t *usage)
{
    double now = now_seconds();
    printf("Images space usage:\n\n");
    print_images(json_object_get(usage, "Images"), now);
    printf("\nContainers space usage:\n\n");
    print_containers(json_object_get(usage, "Containers"), now);
    printf("\nLocal Volumes space usage:\n\n");
    print_volumes(json_object_get(usage, "Volumes"));
    /* husk builds no images: docker's build cache section, always empty. */
    printf("\nBuild cache usage: 0B\n\n");
    struct table *table = table_new(7);
    table_add_row(table, (const char *[]){"CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED",
                                          "USAGE", "SHARED"});
    table_print(table, stdout);
    table_free(table);
}
