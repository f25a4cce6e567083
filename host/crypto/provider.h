/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host crypto providers: symmetric ciphers run by OpenSSL's libcrypto in
 * process, by the kernel's crypto API through AF_ALG sockets, or by
 * /dev/crypto (cryptodev-linux ioctls).  Plain C, no QEMU or GLib types,
 * so that QEMU's cryptodev-backend-host and other host programs (a
 * vhost-user daemon) share it.  Link with libcrypto.
 *
 *   HostCryptoError err;
 *   HostCrypto *hc = hostcrypto_open("auto", &err);
 *   const HostCryptoAlg *alg = hostcrypto_alg_find(HOSTCRYPTO_AES_CBC, 16,
 *                                                  NULL);
 *   HostCryptoSession *s;
 *   if (hc->alg_ok[alg - hostcrypto_algs]) {
 *       s = hostcrypto_session_new(hc, alg, true, key, &err);
 *       hostcrypto_crypt(s, iv, src, dst, len);
 *       hostcrypto_session_free(s);
 *   }
 *   hostcrypto_close(hc);
 *
 * Each provider implements HostCryptoProvider (a table of functions, as
 * QEMU's crypto/cipherpriv.h) and its own session type, whose first member
 * is a HostCryptoSession (as crypto/afalgpriv.h's QCryptoAFAlgo).
 */
#ifndef HOSTCRYPTO_PROVIDER_H
#define HOSTCRYPTO_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Cipher numbers are the virtio-crypto spec's VIRTIO_CRYPTO_CIPHER_*. */
enum {
    HOSTCRYPTO_AES_ECB = 2,
    HOSTCRYPTO_AES_CBC = 3,
    HOSTCRYPTO_AES_CTR = 4,
    HOSTCRYPTO_3DES_CBC = 8,
    HOSTCRYPTO_AES_XTS = 13,
};

/* One cipher with one key length; hostcrypto_algs[] lists them all. */
typedef struct HostCryptoAlg {
    const char *name;         /* "aes-128-cbc" */
    uint32_t cipher;          /* HOSTCRYPTO_AES_CBC ... */
    uint32_t key_len;         /* bytes; XTS: both keys */
    uint32_t block;           /* a length must be a multiple (1: stream) */
    uint32_t min_len;         /* smallest non-empty request */
    uint32_t iv_len;          /* 0: no IV (ECB) */
    /* the providers' names for it */
    const char *ossl;         /* EVP_CIPHER_fetch() */
    const char *kernel;       /* AF_ALG salg_name */
    uint32_t cd_cipher;       /* cryptodev-linux CRYPTO_* */
} HostCryptoAlg;

#define HOSTCRYPTO_NALGS 12
#define HOSTCRYPTO_MAX_KEY_LEN 64
#define HOSTCRYPTO_MAX_IV_LEN 16

extern const HostCryptoAlg hostcrypto_algs[HOSTCRYPTO_NALGS];

/* Errors: a negative errno is returned, and explained here if non-NULL. */
typedef struct HostCryptoError {
    int err;                  /* positive errno */
    char msg[192];
} HostCryptoError;

typedef struct HostCrypto HostCrypto;
typedef struct HostCryptoSession HostCryptoSession;

typedef struct HostCryptoProvider {
    const char *name;         /* "openssl", "afalg", "devcrypto" */
    /* XTS only in whole blocks (the cryptodev ABI checks the blocksize) */
    bool xts_whole_blocks;
    /* longest request in bytes (longer ones fail), 0: no limit */
    size_t max_len;
    /* Optional: check that the provider is there, set up hc->fd. */
    int (*open)(HostCrypto *hc, HostCryptoError *err);
    void (*close)(HostCrypto *hc);   /* optional */
    /* Size of the provider's session type (the core allocates it). */
    size_t session_size;
    /* Key a new session (s->hc, s->alg, s->encrypt are set): 0 or -errno. */
    int (*session_init)(HostCryptoSession *s, const uint8_t *key,
                        HostCryptoError *err);
    /*
     * Forget the key; -errno if the provider complained.  Called also
     * after a failed session_init.
     */
    int (*session_fini)(HostCryptoSession *s);
    /* Runs one request; may run on one session from several threads. */
    int (*crypt)(HostCryptoSession *s, const uint8_t *iv,
                 const uint8_t *src, uint8_t *dst, size_t len);
} HostCryptoProvider;

/* An open provider and what it passed the probe for. */
struct HostCrypto {
    const HostCryptoProvider *prov;
    bool alg_ok[HOSTCRYPTO_NALGS];
    int fd;                   /* devcrypto: /dev/crypto, else -1 */
};

/* The first member of every provider's session type. */
struct HostCryptoSession {
    HostCrypto *hc;
    const HostCryptoAlg *alg;
    bool encrypt;
};

extern const HostCryptoProvider hostcrypto_openssl;
extern const HostCryptoProvider hostcrypto_afalg;
extern const HostCryptoProvider hostcrypto_devcrypto;

/*
 * Open provider @name ("openssl", "afalg", "devcrypto", or "auto": the
 * first of devcrypto, afalg and openssl that works) and probe it: an
 * algorithm is offered (alg_ok) only if the provider encrypts and
 * decrypts a test message to the same answer as OpenSSL.  Fails if it
 * offers none.  Returns NULL with err set on failure.
 */
HostCrypto *hostcrypto_open(const char *name, HostCryptoError *err);
void hostcrypto_close(HostCrypto *hc);

/*
 * The algorithm for a cipher and key length, or NULL; *cipher_known (if
 * non-NULL) says whether the cipher exists with another key length.
 */
const HostCryptoAlg *hostcrypto_alg_find(uint32_t cipher, uint32_t key_len,
                                         bool *cipher_known);

/*
 * Whether a non-empty request of len bytes suits alg's block size and
 * min_len on hc (hc->prov->max_len is not checked here).
 */
bool hostcrypto_len_ok(const HostCrypto *hc, const HostCryptoAlg *alg,
                       size_t len);

/* key is alg->key_len bytes; the session keeps its own copy. */
HostCryptoSession *hostcrypto_session_new(HostCrypto *hc,
                                          const HostCryptoAlg *alg,
                                          bool encrypt, const uint8_t *key,
                                          HostCryptoError *err);
int hostcrypto_session_free(HostCryptoSession *s);

/*
 * One request: len bytes from src to dst (hostcrypto_len_ok), iv is
 * alg->iv_len bytes and left unchanged.  Returns 0 or a negative errno.
 * Thread-safe: several threads may use one session at once.
 */
int hostcrypto_crypt(HostCryptoSession *s, const uint8_t *iv,
                     const uint8_t *src, uint8_t *dst, size_t len);

/* For providers: fill err (if non-NULL) and return -errnum. */
int hostcrypto_error(HostCryptoError *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
