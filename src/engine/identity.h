/* Container IDs and names, as docker spells them. */
#ifndef HUSK_ENGINE_IDENTITY_H
#define HUSK_ENGINE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"

#define CONTAINER_ID_LENGTH       64
#define CONTAINER_SHORT_ID_LENGTH 12
/* A buffer for an ID and its NUL. Network IDs are made the same way
 * (container_id_generate), so they use it too. */
#define HUSK_ID_SIZE (CONTAINER_ID_LENGTH + 1)

/* [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 characters. */
bool container_name_valid(const char *name);
/* 64 hex digits: a container's full ID. Refused as a name, so that an ID
 * always names the container that has it (issue 19). */
bool container_name_is_full_id(const char *name);
int container_id_generate(char id[HUSK_ID_SIZE], husk_error_t *err);
/* "adjective_noun" picked from ID's bytes, like docker's generated names. */
void container_name_generate(const char *id, char *name, size_t size);

#endif
