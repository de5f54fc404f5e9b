/* This machine as the OCI image spec names platforms. */
#ifndef HUSK_IMAGE_PLATFORM_H
#define HUSK_IMAGE_PLATFORM_H

/* "amd64", "arm64", "arm", "386", ...: GOARCH names, from uname(2). */
const char *platform_architecture(void);
/* "v7" on 32-bit ARM v7, "v8" on arm64, else "". */
const char *platform_variant(void);

#endif
