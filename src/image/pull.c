#include "pull.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "digest.h"
#include "manifest.h"
#include "platform.h"
#include "pull_progress.h"
#include "../util/fault.h"

/* Layers fetched at once: docker's default is 3. */
#define PARALLEL_LAYERS 3

struct pull_layer {
    const struct descriptor *descriptor;
    const char *diff_id;
    struct layer_added added;
    bool present; /* in the store already */
    husk_error_t err;
};

struct pull {
    struct image_store *store;
    const struct pull_options *options;
    const struct registry *registry;
    struct pull_layer *layers;
    size_t count, next;
    pthread_mutex_t lock;
    struct pull_progress *progress;
};

/* --- one layer: a thread streams it from the registry into a pipe, the
 * worker unpacks from the pipe --- */

struct download {
    struct registry *registry;
    const char *digest;
    int fd;
    struct pull_progress *progress;
    size_t layer;
    int64_t received;
    bool reader_gone; /* the unpacker stopped reading: its error is the one */
    husk_error_t err;
};

static int write_all(void *data, const void *block, size_t length)
{
    struct download *d = data;
    for (size_t done = 0; done < length;) {
        ssize_t n = write(d->fd, (const char *)block + done, length - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            d->reader_gone = errno == EPIPE;
            return -1;
        }
        done += (size_t)n;
    }
    d->received += (int64_t)length;
    pull_progress_bytes(d->progress, d->layer, d->received);
    return 0;
}

static void *download_run(void *data)
{
    struct download *d = data;
    registry_stream_blob(d->registry, d->digest, write_all, d, &d->err);
    close(d->fd);
    return NULL;
}

/* Another husk pulling the same layer holds its lock: wait, then find it. */
static int lock_layer(struct pull *p, const char *diff_id, husk_error_t *err)
{
    cleanup_free char *name = xasprintf("tmp/pulling-%s", diff_id + 7);
    int fd = openat(p->store->root_fd, name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, saved, "lock layer %s", diff_id);
    }
    return fd;
}

static int fetch_layer(struct pull *p, size_t index, husk_error_t *err)
{
    struct pull_layer *layer = &p->layers[index];
    const struct descriptor *d = layer->descriptor;
    int lock = lock_layer(p, layer->diff_id, err);
    if (lock < 0)
        return -1;
    int rc = 0;
    if (image_store_layer_exists(p->store, layer->diff_id)) {
        layer->present = true;
        pull_progress_state(p->progress, index, "Already exists");
    } else {
        int pipe_fds[2];
        struct download download = {.digest = d->digest, .progress = p->progress, .layer = index};
        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
            rc = husk_error_set(err, errno, "pipe");
        else if (registry_clone(p->registry, &download.registry, err) < 0) {
            close(pipe_fds[0]);
            close(pipe_fds[1]);
            rc = -1;
        }
        pthread_t thread;
        if (rc == 0) {
            download.fd = pipe_fds[1];
            if (pthread_create(&thread, NULL, download_run, &download) != 0)
                abort();
            pull_progress_state(p->progress, index, "Downloading");
            struct layer_source source = {.stream = fd_stream_new(pipe_fds[0], true),
                                          .digest = d->digest,
                                          .size = d->size,
                                          .diff_id = layer->diff_id};
            rc = image_store_layer_add(p->store, &source, &layer->added, err);
            pthread_join(thread, NULL);
            registry_close(download.registry);
            /* A download that failed explains a truncated layer best; one
             * that failed because the unpacker gave up does not. */
            if (download.err != NULL && download.reader_gone) {
                husk_error_free(&download.err);
            } else if (download.err != NULL) {
                husk_error_free(err);
                *err = download.err;
                rc = -1;
            }
            FAULT_POINT("pull.layer");
            if (rc == 0)
                pull_progress_state(p->progress, index, "Pull complete");
        }
    }
    close(lock);
    return rc;
}

static void *worker_run(void *data)
{
    struct pull *p = data;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->count)
            return NULL;
        fetch_layer(p, i, &p->layers[i].err);
    }
}

static int fetch_layers(struct pull *p, husk_error_t *err)
{
    size_t workers = p->count < PARALLEL_LAYERS ? p->count : PARALLEL_LAYERS;
    pthread_t threads[PARALLEL_LAYERS];
    /* A reader that gives up must not kill husk with SIGPIPE. */
    sigset_t pipe_signal, saved;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &saved);
    for (size_t i = 0; i < workers; i++)
        if (pthread_create(&threads[i], NULL, worker_run, p) != 0)
            abort();
    for (size_t i = 0; i < workers; i++)
        pthread_join(threads[i], NULL);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    for (size_t i = 0; i < p->count; i++)
        if (p->layers[i].err != NULL) {
            *err = p->layers[i].err;
            p->layers[i].err = NULL;
            for (size_t j = i + 1; j < p->count; j++)
                husk_error_free(&p->layers[j].err);
            return -1;
        }
    return 0;
}

/* --- manifest and config --- */

/* A manifest fetched by tag is checked against the registry's digest
 * header; by digest, against that digest. */
struct fetched {
    json_t *document;
    char *text; /* as the registry sent it: what the digest is of */
    size_t length;
    char digest[DIGEST_TEXT_SIZE];
};

static void fetched_free(struct fetched *f)
{
    json_decref(f->document);
    free(f->text);
    memset(f, 0, sizeof(*f));
}

static int fetch_manifest(struct registry *registry, const char *reference, const char *digest,
                          struct fetched *out, husk_error_t *err)
{
    struct http_response response;
    char *found = out->digest;
    if (registry_get_manifest(registry, digest ? digest : reference, &response, err) < 0)
        return -1;
    digest_of(response.body, response.body_length, found);
    const char *expected = digest ? digest : response.docker_content_digest;
    if (expected != NULL && strcmp(expected, found) != 0) {
        http_response_free(&response);
        return husk_error_set(err, 0, "manifest %s does not match its digest %s (got %s)",
                              reference, expected, found);
    }
    json_error_t parse_error;
    out->document =
        json_loadb(response.body ? response.body : "", response.body_length, 0, &parse_error);
    out->text = steal_pointer(&response.body);
    out->length = response.body_length;
    http_response_free(&response);
    if (!json_is_object(out->document)) {
        fetched_free(out);
        return husk_error_set(err, 0, "manifest %s is not JSON: %s", reference, parse_error.text);
    }
    return 0;
}

static int resolve_manifest(struct registry *registry, const struct pull_options *o,
                            const struct image_reference *ref, struct fetched *manifest,
                            husk_error_t *err)
{
    const char *tag = ref->tag ? ref->tag : "latest";
    if (fetch_manifest(registry, tag, ref->digest, manifest, err) < 0)
        return -1;
    if (!media_type_is_index(manifest_kind(manifest->document)))
        return 0;
    cleanup_free char *chosen = NULL;
    int rc = index_select(manifest->document, o->os, o->architecture, o->variant, &chosen, err);
    fetched_free(manifest);
    return rc < 0 ? -1 : fetch_manifest(registry, chosen, chosen, manifest, err);
}

static int fetch_config(struct registry *registry, const struct descriptor *d, char **text,
                        size_t *length, json_t **config, husk_error_t *err)
{
    struct http_response response;
    if (registry_get_blob(registry, d->digest, MANIFEST_MAX_SIZE, &response, err) < 0)
        return -1;
    char found[DIGEST_TEXT_SIZE];
    digest_of(response.body ? response.body : "", response.body_length, found);
    if (strcmp(found, d->digest) != 0 || (int64_t)response.body_length != d->size) {
        http_response_free(&response);
        return husk_error_set(err, 0, "config %s does not match its digest or size", d->digest);
    }
    *config = json_loadb(response.body ? response.body : "", response.body_length, 0, NULL);
    *text = steal_pointer(&response.body);
    *length = response.body_length;
    http_response_free(&response);
    if (!json_is_object(*config))
        return husk_error_set(err, 0, "config %s is not JSON", d->digest);
    return 0;
}

/* --- the whole --- */

static int publish(struct pull *p, const char *config_text, size_t config_length,
                   const struct fetched *manifest, const char *tag_reference,
                   const char *digest_reference, char **id, husk_error_t *err)
{
    const char *blobs[p->count + 1];
    uint64_t size = 0;
    for (size_t i = 0; i < p->count; i++) {
        blobs[i] = p->layers[i].descriptor->digest;
        size += p->layers[i].added.size;
    }
    char config_digest[DIGEST_TEXT_SIZE], stored_manifest[DIGEST_TEXT_SIZE];
    struct image_record record = {.config = config_digest,
                                  .manifest = manifest->digest,
                                  .size = size,
                                  .layer_blobs = blobs,
                                  .layer_blob_count = p->count};
    FAULT_POINT("pull.config");
    if (image_store_blob_put(p->store, config_text, config_length, config_digest, err) < 0 ||
        image_store_blob_put(p->store, manifest->text, manifest->length, stored_manifest, err) <
            0 ||
        image_store_image_add(p->store, &record, err) < 0 || image_store_lock(p->store, err) < 0)
        return -1;
    FAULT_POINT("pull.manifest");
    int rc = tag_reference ? image_store_tag(p->store, tag_reference, config_digest, err) : 0;
    if (rc == 0)
        rc = image_store_tag(p->store, digest_reference, config_digest, err);
    image_store_unlock(p->store);
    if (rc == 0)
        *id = xstrdup(config_digest);
    return rc;
}

static struct pull_progress *progress_for(const struct pull_options *o, const struct manifest *m)
{
    const char *digests[m->layer_count + 1];
    int64_t sizes[m->layer_count + 1];
    for (size_t i = 0; i < m->layer_count; i++) {
        digests[i] = m->layers[i].digest;
        sizes[i] = m->layers[i].size;
    }
    return pull_progress_new(o->progress, o->live, digests, sizes, m->layer_count);
}

int image_pull(struct image_store *store, const struct pull_options *o, char **id, char **canonical,
               husk_error_t *err)
{
    struct image_reference ref;
    if (image_reference_parse(o->reference, &ref, err) < 0)
        return -1;
    struct registry *registry = NULL;
    json_t *config = NULL;
    struct fetched manifest = {0};
    char *config_text = NULL;
    size_t config_length = 0;
    struct manifest m = {0};
    struct pull p = {.store = store, .options = o};
    char *repository = NULL, *tag_reference = NULL, *digest_reference = NULL;
    pthread_mutex_init(&p.lock, NULL);
    int rc = -1;
    /* libcrypto is loaded once here, not by racing threads. */
    char unused[DIGEST_TEXT_SIZE];
    digest_of("", 0, unused);
    if (image_store_use(store, err) < 0 || registry_open(&ref, &o->registry, &registry, err) < 0 ||
        resolve_manifest(registry, o, &ref, &manifest, err) < 0 ||
        manifest_parse(manifest.document, &m, err) < 0 ||
        fetch_config(registry, &m.config, &config_text, &config_length, &config, err) < 0)
        goto out;
    if (o->progress != NULL && o->announce != NULL)
        fprintf(o->progress, "%s\n", o->announce);
    json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
    if (json_array_size(diff_ids) != m.layer_count) {
        husk_error_set(err, 0, "the config lists %zu layers, the manifest %zu",
                       json_array_size(diff_ids), m.layer_count);
        goto out;
    }
    p.registry = registry;
    p.count = m.layer_count;
    p.layers = xcalloc(m.layer_count, sizeof(*p.layers));
    for (size_t i = 0; i < m.layer_count; i++) {
        p.layers[i].descriptor = &m.layers[i];
        p.layers[i].diff_id = json_string_value(json_array_get(diff_ids, i));
        if (!image_digest_valid(p.layers[i].diff_id)) {
            husk_error_set(err, 0, "the config's layer %zu has no sha256 diffID", i + 1);
            goto out;
        }
    }
    p.progress = progress_for(o, &m);
    if (fetch_layers(&p, err) < 0)
        goto out;
    repository = image_reference_repository(&ref);
    tag_reference = ref.tag && !ref.digest ? xasprintf("%s:%s", repository, ref.tag) : NULL;
    digest_reference = xasprintf("%s@%s", repository, manifest.digest);
    rc = publish(&p, config_text, config_length, &manifest, tag_reference, digest_reference, id,
                 err);
    if (rc == 0) {
        *canonical = image_reference_canonical(&ref);
        if (o->progress != NULL)
            fprintf(o->progress, "Digest: %s\n", manifest.digest);
    }
out:
    pull_progress_free(p.progress);
    free(repository);
    free(tag_reference);
    free(digest_reference);
    free(p.layers);
    pthread_mutex_destroy(&p.lock);
    manifest_free(&m);
    fetched_free(&manifest);
    json_decref(config);
    free(config_text);
    registry_close(registry);
    image_reference_free(&ref);
    return rc;
}
