#include "digest.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libcrypto is loaded by the first digest: linked in, its relocations and
 * constructors cost every husk command about 0.4 ms (statically) or 1 ms
 * (as a shared object) at start, run and exec included, which never hash. */
struct crypto {
    void *handle;
    void *(*ctx_new)(void);
    void (*ctx_free)(void *);
    const void *(*sha256)(void);
    int (*init)(void *, const void *, void *);
    int (*update)(void *, const void *, size_t);
    int (*final)(void *, unsigned char *, unsigned int *);
    int (*encode)(unsigned char *, const unsigned char *, int);
    int (*decode)(unsigned char *, const unsigned char *, int);
};

struct digester {
    const struct crypto *crypto;
    void *context;
};

/* Without libcrypto (a package every husk install depends on) or memory,
 * husk cannot go on verifying content: fatal, as out-of-memory is. */
static void must(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "husk: %s\n", what);
        abort();
    }
}

static const struct crypto *crypto_load(void)
{
    static struct crypto crypto; /* loaded once; never changes after */
    if (crypto.handle != NULL)
        return &crypto;
    void *handle = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    must(handle != NULL, "cannot load libcrypto.so.3 (package libssl3) for sha256");
    struct {
        void **slot;
        const char *name;
    } symbols[] = {
        {(void **)&crypto.ctx_new, "EVP_MD_CTX_new"},
        {(void **)&crypto.ctx_free, "EVP_MD_CTX_free"},
        {(void **)&crypto.sha256, "EVP_sha256"},
        {(void **)&crypto.init, "EVP_DigestInit_ex"},
        {(void **)&crypto.update, "EVP_DigestUpdate"},
        {(void **)&crypto.final, "EVP_DigestFinal_ex"},
        {(void **)&crypto.encode, "EVP_EncodeBlock"},
        {(void **)&crypto.decode, "EVP_DecodeBlock"},
    };
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
        *symbols[i].slot = dlsym(handle, symbols[i].name);
        must(*symbols[i].slot != NULL, "libcrypto.so.3 lacks an EVP digest function");
    }
    crypto.handle = handle;
    return &crypto;
}

struct digester *digester_new(void)
{
    struct digester *d = malloc(sizeof(*d));
    must(d != NULL, "out of memory");
    d->crypto = crypto_load();
    d->context = d->crypto->ctx_new();
    must(d->context != NULL, "out of memory");
    must(d->crypto->init(d->context, d->crypto->sha256(), NULL), "sha256 init");
    return d;
}

void digester_update(struct digester *d, const void *data, size_t length)
{
    must(d->crypto->update(d->context, data, length), "sha256 update");
}

void digester_finish(struct digester *d, char text[DIGEST_TEXT_SIZE])
{
    unsigned char sum[64];
    unsigned int length = 0;
    must(d->crypto->final(d->context, sum, &length) && length == 32, "sha256 final");
    snprintf(text, DIGEST_TEXT_SIZE, "sha256:");
    for (unsigned int i = 0; i < 32; i++)
        snprintf(text + 7 + 2 * i, 3, "%02x", sum[i]);
}

void digester_free(struct digester *d)
{
    if (d == NULL)
        return;
    d->crypto->ctx_free(d->context);
    free(d);
}

void digest_of(const void *data, size_t length, char text[DIGEST_TEXT_SIZE])
{
    struct digester *d = digester_new();
    digester_update(d, data, length);
    digester_finish(d, text);
    digester_free(d);
}

char *base64_encode(const char *text)
{
    const struct crypto *c = crypto_load();
    size_t length = strlen(text);
    unsigned char *out = malloc(4 * ((length + 2) / 3) + 1);
    must(out != NULL, "out of memory");
    c->encode(out, (const unsigned char *)text, (int)length);
    return (char *)out;
}

char *base64_decode(const char *text)
{
    const struct crypto *c = crypto_load();
    size_t length = strlen(text);
    if (length % 4 != 0)
        return NULL;
    unsigned char *out = malloc(3 * (length / 4) + 1);
    must(out != NULL, "out of memory");
    int n = c->decode(out, (const unsigned char *)text, (int)length);
    if (n < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts the padding's zero bytes too. */
    while (length > 0 && text[length - 1] == '=' && n > 0) {
        n--;
        length--;
    }
    out[n] = '\0';
    return (char *)out;
}
