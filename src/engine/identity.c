#include "identity.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

bool container_name_valid(const char *name)
{
    size_t length = name ? strlen(name) : 0;
    if (length == 0 || length > 128 || !isalnum((unsigned char)name[0]))
        return false;
    for (size_t i = 1; i < length; i++)
        if (!isalnum((unsigned char)name[i]) && strchr("_.-", name[i]) == NULL)
            return false;
    return true;
}

bool container_name_is_full_id(const char *name)
{
    const char *bare = name[0] == '/' ? name + 1 : name;
    return strlen(bare) == CONTAINER_ID_LENGTH &&
           strspn(bare, "0123456789abcdef") == CONTAINER_ID_LENGTH;
}

int container_id_generate(char id[HUSK_ID_SIZE], husk_error_t *err)
{
    unsigned char bytes[CONTAINER_ID_LENGTH / 2];
    /* Like docker, never an all-digit short ID that could read as a number. */
    do {
        if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
            return husk_error_set(err, errno, "generate a container id");
        for (size_t i = 0; i < sizeof(bytes); i++)
            sprintf(id + 2 * i, "%02x", bytes[i]);
    } while (strspn(id, "0123456789") >= CONTAINER_SHORT_ID_LENGTH);
    return 0;
}

static const char *const adjectives[] = {
    "brave", "calm",  "clever", "eager", "fervent", "gentle", "happy", "jolly",
    "keen",  "lucid", "modest", "nifty", "quirky",  "serene", "stoic", "vibrant"};
static const char *const nouns[] = {
    "babbage",  "curie",    "dijkstra", "engelbart", "hopper",  "knuth",    "lamport",  "liskov",
    "lovelace", "mccarthy", "noether",  "pike",      "ritchie", "thompson", "torvalds", "turing"};

void container_name_generate(const char *id, char *name, size_t size)
{
    unsigned first = (unsigned)strtoul((char[]){id[0], id[1], 0}, NULL, 16);
    unsigned second = (unsigned)strtoul((char[]){id[2], id[3], 0}, NULL, 16);
    /* The tail of the id keeps generated names unique in practice. */
    snprintf(name, size, "%s_%s_%.4s", adjectives[first % 16], nouns[second % 16], id + 4);
}
