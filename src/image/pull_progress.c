#include "pull_progress.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/xalloc.h"

#define BAR_WIDTH 40

struct layer_line {
    char id[13];
    int64_t size, received;
    const char *state;
    struct timespec drawn;
};

struct pull_progress {
    FILE *out;
    bool live;
    struct layer_line *lines;
    size_t count;
    pthread_mutex_t lock;
};

static void human(double bytes, char *buffer, size_t size)
{
    static const char *const units[] = {"B", "kB", "MB", "GB"};
    size_t unit = 0;
    while (bytes >= 1000 && unit < 3) {
        bytes /= 1000;
        unit++;
    }
    snprintf(buffer, size, "%.3g%s", bytes, units[unit]);
}

/* Rewrites line I of the block above the cursor, then returns below it. */
static void draw(struct pull_progress *p, size_t i)
{
    struct layer_line *l = &p->lines[i];
    size_t up = p->count - i;
    fprintf(p->out, "\033[%zuA\r\033[K%s: %s", up, l->id, l->state);
    if (strcmp(l->state, "Downloading") == 0 && l->size > 0) {
        int filled = (int)(BAR_WIDTH * (double)l->received / (double)l->size);
        if (filled > BAR_WIDTH)
            filled = BAR_WIDTH;
        char received[16], size[16];
        human((double)l->received, received, sizeof(received));
        human((double)l->size, size, sizeof(size));
        fprintf(p->out, " [%.*s>%*s] %s/%s", filled,
                "========================================", BAR_WIDTH - filled, "", received, size);
    }
    fprintf(p->out, "\033[%zuB\r", up);
    fflush(p->out);
}

struct pull_progress *pull_progress_new(FILE *out, bool live, const char *const *digests,
                                        const int64_t *sizes, size_t count)
{
    struct pull_progress *p = xcalloc(1, sizeof(*p));
    p->out = out;
    p->live = live;
    p->count = count;
    p->lines = xcalloc(count ? count : 1, sizeof(*p->lines));
    pthread_mutex_init(&p->lock, NULL);
    for (size_t i = 0; i < count; i++) {
        snprintf(p->lines[i].id, sizeof(p->lines[i].id), "%.12s", digests[i] + 7);
        p->lines[i].size = sizes[i];
        p->lines[i].state = "Waiting";
        if (out != NULL && live)
            fprintf(out, "%s: Waiting\n", p->lines[i].id);
    }
    if (out != NULL)
        fflush(out);
    return p;
}

void pull_progress_state(struct pull_progress *p, size_t i, const char *state)
{
    if (p->out == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->lines[i].state = state;
    if (p->live)
        draw(p, i);
    else if (strcmp(state, "Downloading") != 0)
        fprintf(p->out, "%s: %s\n", p->lines[i].id, state), fflush(p->out);
    pthread_mutex_unlock(&p->lock);
}

void pull_progress_bytes(struct pull_progress *p, size_t i, int64_t received)
{
    if (p->out == NULL || !p->live)
        return;
    pthread_mutex_lock(&p->lock);
    struct layer_line *l = &p->lines[i];
    l->received = received;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long elapsed =
        (now.tv_sec - l->drawn.tv_sec) * 1000 + (now.tv_nsec - l->drawn.tv_nsec) / 1000000;
    if (elapsed >= 100) {
        l->drawn = now;
        draw(p, i);
    }
    pthread_mutex_unlock(&p->lock);
}

void pull_progress_free(struct pull_progress *p)
{
    if (p == NULL)
        return;
    pthread_mutex_destroy(&p->lock);
    free(p->lines);
    free(p);
}
