/* overlayfs through the new mount API: each lower layer is its own
 * "lowerdir+" (Linux 6.8), so an image's depth is not limited by the one
 * page that mount(2)'s option string may fill (about 25 layers of husk's
 * paths). Older kernels (6.5 to 6.7 refuse the key; before 6.5 it is not
 * offered, see overlay.c) get the joined "lowerdir" string. */
#ifndef HUSK_RUNTIME_OVERLAY_H
#define HUSK_RUNTIME_OVERLAY_H

#include "../util/error.h"

/* What a lower layer's path becomes before it is given to overlayfs (the
 * idmapped clone's /proc/self/fd path); NULL with ERR set on failure. */
typedef char *(*overlay_layer_map)(void *data, const char *layer, husk_error_t *err);

/* Configures the fsopen("overlay") CONTEXT from DATA, mount(2)-style
 * options ("lowerdir=a:b,upperdir=u,workdir=w,flag"), lower layers through
 * MAP when it is not NULL. */
int overlay_configure(int context, const char *data, overlay_layer_map map, void *map_data,
                      husk_error_t *err);
/* A detached overlay mount made from DATA, or -1. */
int overlay_mount_fd(const char *data, husk_error_t *err);

#endif
