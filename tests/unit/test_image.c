/* src/image/store.h and image.h: the store's layout and publishing, the
 * default busybox image, lookups by reference and ID, and reading a file
 * through an image's layers as overlayfs would show it. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../src/image/image.h"
#include "../../src/util/file.h"
#include "unit.h"

static char data_root[64];

static int setup(void **state)
{
    (void)state;
    snprintf(data_root, sizeof(data_root), "/tmp/husk-store.XXXXXX");
    return mkdtemp(data_root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return directory_remove_tree(data_root, NULL);
}

static size_t entries_in(const char *directory)
{
    DIR *listing = opendir(directory);
    size_t count = 0;
    struct dirent *entry;
    while (listing && (entry = readdir(listing)) != NULL)
        count += entry->d_name[0] != '.';
    if (listing)
        closedir(listing);
    return count;
}

/* The same busybox gives the same image ID: one layer, its blob kept, the
 * config's diff_ids naming it, the reference pointing at it. */
static void test_busybox_is_an_ordinary_image(void **state)
{
    (void)state;
    struct image *image;
    husk_error_t err = NULL;
    assert_int_equal(image_open(data_root, "busybox", &image, &err), 0);
    assert_no_error(err);
    assert_int_equal(image->layer_count, 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(image->config, "Cmd"), 0)),
                        "sh");
    char *id = strdup(image->id);
    char *busybox = image_read_file(image, "/bin/busybox");
    assert_null(busybox); /* larger than 1 MiB: not read */
    char *passwd = image_read_file(image, "/etc/passwd");
    assert_non_null(passwd);
    assert_non_null(strstr(passwd, "root:x:0:0"));
    free(passwd);
    image_free(image);
    struct image_store *store;
    assert_int_equal(image_store_open(data_root, &store, NULL), 0);
    assert_int_equal(image_busybox_install(store, "/bin/busybox", &err), 0);
    char *again = image_find_id(store, "docker.io/library/busybox:latest", &err);
    assert_string_equal(again, id);
    char *by_prefix = image_find_id(store, id + 7, &err);
    assert_string_equal(by_prefix, id);
    free(by_prefix);
    char short_id[13];
    snprintf(short_id, sizeof(short_id), "%.12s", id + 7);
    by_prefix = image_find_id(store, short_id, &err);
    assert_string_equal(by_prefix, id);
    free(by_prefix);
    assert_null(image_find_id(store, "nosuch", &err));
    assert_error_contains(err, "No such image: nosuch");
    husk_error_free(&err);
    char path[128];
    snprintf(path, sizeof(path), "%s/images/tmp", data_root);
    assert_int_equal(entries_in(path), 0);
    snprintf(path, sizeof(path), "%s/images/blobs/sha256", data_root);
    assert_int_equal(entries_in(path), 2); /* the layer's tar and the config */
    image_store_close(store);
    free(again);
    free(id);
}

struct tar {
    struct archive *archive;
    char data[65536];
    size_t used;
};

static void tar_begin(struct tar *t)
{
    t->archive = archive_write_new();
    archive_write_set_format_pax_restricted(t->archive);
    archive_write_open_memory(t->archive, t->data, sizeof(t->data), &t->used);
}

static void tar_add(struct tar *t, const char *name, mode_t type, const char *content)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(e, content ? (la_int64_t)strlen(content) : 0);
    archive_write_header(t->archive, e);
    if (content)
        archive_write_data(t->archive, content, strlen(content));
    archive_entry_free(e);
}

static char *add_layer(struct image_store *store, struct tar *t)
{
    archive_write_close(t->archive);
    archive_write_free(t->archive);
    struct layer_source source = {.stream = memory_stream_new(t->data, t->used), .size = -1};
    struct layer_added added;
    husk_error_t err = NULL;
    assert_int_equal(image_store_layer_add(store, &source, &added, &err), 0);
    assert_no_error(err);
    return strdup(added.diff_id);
}

/* Two layers: the top one deletes, replaces or hides what the bottom has. */
static void test_read_file_through_layers(void **state)
{
    (void)state;
    struct image_store *store;
    assert_int_equal(image_store_open(data_root, &store, NULL), 0);
    struct tar bottom, top;
    tar_begin(&bottom);
    tar_add(&bottom, "etc/passwd", AE_IFREG, "bottom\n");
    tar_add(&bottom, "etc/group", AE_IFREG, "bottom\n");
    tar_add(&bottom, "etc/shadow", AE_IFREG, "bottom\n");
    tar_add(&bottom, "var/lib/x", AE_IFREG, "bottom\n");
    char *bottom_id = add_layer(store, &bottom);
    tar_begin(&top);
    tar_add(&top, "etc/passwd", AE_IFREG, "top\n");
    tar_add(&top, "etc/.wh.group", AE_IFREG, "");
    tar_add(&top, "var/lib", AE_IFDIR, NULL);
    tar_add(&top, "var/lib/.wh..wh..opq", AE_IFREG, "");
    char *top_id = add_layer(store, &top);
    char *config_text = NULL;
    assert_true(asprintf(&config_text,
                         "{\"config\":{},\"rootfs\":{\"type\":\"layers\","
                         "\"diff_ids\":[\"%s\",\"%s\"]}}",
                         bottom_id, top_id) > 0);
    char config[DIGEST_TEXT_SIZE];
    assert_int_equal(image_store_blob_put(store, config_text, strlen(config_text), config, NULL),
                     0);
    struct image *image;
    husk_error_t err = NULL;
    assert_int_equal(image_load(store, config, "two", &image, &err), 0);
    assert_int_equal(image->layer_count, 2);
    char *text = image_read_file(image, "/etc/passwd");
    assert_string_equal(text, "top\n");
    free(text);
    assert_null(image_read_file(image, "/etc/group"));
    text = image_read_file(image, "etc/shadow");
    assert_string_equal(text, "bottom\n");
    free(text);
    assert_null(image_read_file(image, "/var/lib/x"));
    image_free(image);
    image_store_close(store);
    free(config_text);
    free(bottom_id);
    free(top_id);
}

/* A layer that is not what its digest says leaves nothing in the store. */
static void test_bad_layer_leaves_nothing(void **state)
{
    (void)state;
    struct image_store *store;
    assert_int_equal(image_store_open(data_root, &store, NULL), 0);
    char layers[128], blobs[128], tmp[128];
    snprintf(layers, sizeof(layers), "%s/images/layers", data_root);
    snprintf(blobs, sizeof(blobs), "%s/images/blobs/sha256", data_root);
    snprintf(tmp, sizeof(tmp), "%s/images/tmp", data_root);
    size_t layers_before = entries_in(layers), blobs_before = entries_in(blobs);
    struct tar t;
    tar_begin(&t);
    tar_add(&t, "file", AE_IFREG, "content\n");
    archive_write_close(t.archive);
    archive_write_free(t.archive);
    const char *wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    struct layer_source source = {
        .stream = memory_stream_new(t.data, t.used), .digest = wrong, .size = -1};
    husk_error_t err = NULL;
    assert_int_equal(image_store_layer_add(store, &source, NULL, &err), -1);
    assert_error_contains(err, "does not match its digest");
    husk_error_free(&err);
    assert_int_equal(entries_in(layers), layers_before);
    assert_int_equal(entries_in(blobs), blobs_before);
    assert_int_equal(entries_in(tmp), 0);
    image_store_close(store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busybox_is_an_ordinary_image),
        cmocka_unit_test(test_read_file_through_layers),
        cmocka_unit_test(test_bad_layer_leaves_nothing),
    };
    return cmocka_run_group_tests_name("image", tests, setup, teardown);
}
