/* A pull's progress as docker shows it: one line per layer event, or on a
 * terminal one line per layer redrawn in place with a bar and byte counts. */
#ifndef HUSK_IMAGE_PULL_PROGRESS_H
#define HUSK_IMAGE_PULL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct pull_progress;

/* OUT NULL: silent. DIGESTS and SIZES describe the COUNT layers. */
struct pull_progress *pull_progress_new(FILE *out, bool live, const char *const *digests,
                                        const int64_t *sizes, size_t count);
/* "Already exists", "Downloading", "Pull complete": thread-safe. */
void pull_progress_state(struct pull_progress *progress, size_t layer, const char *state);
/* Bytes of LAYER received so far (drawn at most ten times a second). */
void pull_progress_bytes(struct pull_progress *progress, size_t layer, int64_t received);
void pull_progress_free(struct pull_progress *progress);

#endif
