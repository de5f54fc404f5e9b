/* Dockerfile instructions applied to an image config, as `import --change`
 * and `commit --change` take them: CMD, ENTRYPOINT, ENV, WORKDIR, USER,
 * EXPOSE, LABEL, STOPSIGNAL, VOLUME. */
#ifndef HUSK_ENGINE_IMAGE_CHANGES_H
#define HUSK_ENGINE_IMAGE_CHANGES_H

#include <jansson.h>

#include "../util/error.h"

/* Applies CHANGE ("CMD [\"sh\"]", "ENV A=1 B=2", "EXPOSE 80/tcp", ...) to
 * CONFIG (an image config's "config" object). */
int image_change_apply(json_t *config, const char *change, husk_error_t *err);

#endif
