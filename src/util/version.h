/* The one version husk reports everywhere. */
#ifndef HUSK_UTIL_VERSION_H
#define HUSK_UTIL_VERSION_H

#define HUSK_VERSION "0.1.0"

#endif
