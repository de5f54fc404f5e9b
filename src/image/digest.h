/* sha256 digests as the OCI image spec writes them: "sha256:" + 64 hex. */
#ifndef HUSK_IMAGE_DIGEST_H
#define HUSK_IMAGE_DIGEST_H

#include <stddef.h>

#define DIGEST_TEXT_SIZE (7 + 64 + 1)

struct digester;

struct digester *digester_new(void);
void digester_update(struct digester *d, const void *data, size_t length);
/* The digest of everything fed so far, "sha256:<hex>", into TEXT. */
void digester_finish(struct digester *d, char text[DIGEST_TEXT_SIZE]);
void digester_free(struct digester *d);

/* The digest of one buffer. */
void digest_of(const void *data, size_t length, char text[DIGEST_TEXT_SIZE]);

/* base64 (registry credentials) through the same libcrypto. decode gives
 * NULL for text that is not base64. */
char *base64_encode(const char *text);
char *base64_decode(const char *text);

#endif
