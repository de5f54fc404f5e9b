/* Parsers for the identity flags of `run`/`create` (identity_flags.h), each
 * with docker's syntax. Pure: no file, network or process is looked at. Each
 * error is one line naming the flag and the value. */
#ifndef HUSK_ENGINE_IDENTITY_PARSE_H
#define HUSK_ENGINE_IDENTITY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/error.h"

/* docker's key/value files (--env-file, --label-file): UTF-8, a BOM
 * dropped, leading white space dropped, '#' lines and blank lines skipped,
 * "KEY=VALUE" kept as it is (quotes and trailing white space included).
 * A bare "KEY" is, with FROM_ENVIRONMENT, "KEY=" husk's own value (left out
 * when husk has none), and without it left out. *ENTRIES is a NULL-ended
 * list of "KEY=VALUE". The error says what is wrong and on which line. */
int kv_file_parse(const char *text, size_t length, bool from_environment, char ***entries,
                  husk_error_t *err);

/* -l KEY[=VALUE]: *KEY and *VALUE ("" without '='), both allocated. */
int label_parse(const char *text, char **key, char **value, husk_error_t *err);

#define EXTRA_HOST_GATEWAY "host-gateway"
/* --add-host NAME:IP, NAME=IP, NAME:[IPv6] or NAME:host-gateway, into
 * docker's recorded form "NAME:ADDRESS" (allocated). */
int extra_host_parse(const char *text, char **entry, husk_error_t *err);
/* "NAME:ADDRESS" (as recorded) -> the name and the address in canonical
 * text (host-gateway: GATEWAY, or false when that is NULL). */
bool extra_host_split(const char *entry, const char *gateway, char *name, size_t name_size,
                      char address[46]);

/* An IPv4 or IPv6 address in canonical text (46 bytes: INET6_ADDRSTRLEN). */
bool ip_address_canonical(const char *text, char address[46]);

/* --mac-address: 6 bytes as 02:42:ac:11:00:02, 02-42-ac-11-00-02 or
 * 0242.ac11.0002; an interface cannot have a multicast or zero address. */
int mac_address_parse(const char *text, uint8_t mac[6], husk_error_t *err);

#define SHM_SIZE_DEFAULT (64 * 1024 * 1024)
/* --shm-size with docker's units (b, k, m, g, t); 0 means the default. */
int shm_size_parse(const char *text, int64_t *bytes, husk_error_t *err);

/* --stop-timeout N: seconds; a negative N waits for ever, as docker. */
int stop_timeout_parse(const char *text, int *seconds, husk_error_t *err);

/* --sig-proxy[=BOOL]: Go's booleans (true, false, 1, 0, t, f, TRUE, ...). */
int bool_flag_parse(const char *flag, const char *text, bool *value, husk_error_t *err);

enum { ATTACH_STDIN = 1, ATTACH_STDOUT = 2, ATTACH_STDERR = 4 };
/* -a STDIN|STDOUT|STDERR, any case: one of the ATTACH_ bits. */
int attach_stream_parse(const char *text, int *stream, husk_error_t *err);

/* RFC 1123: dot-separated labels of letters, digits and inner hyphens, 1
 * to 63 each, at most MAX in all. */
bool hostname_valid(const char *name, size_t max);
/* --dns-search: a domain as docker takes it (a letter in it, optionally a
 * final dot), or "." for none. */
bool dns_search_valid(const char *domain);
/* --network-alias: what a hosts file can hold as a name (letters, digits,
 * '-', '_', '.'; not starting with '-' or '.'; at most 255). */
bool network_alias_valid(const char *alias);

#endif
