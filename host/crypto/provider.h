/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host crypto providers: symmetric ciphers, hashes, MACs and AEAD run by
 * OpenSSL's libcrypto in process, by the kernel's crypto API through
 * AF_ALG sockets, or by /dev/crypto (cryptodev-linux ioctls).  Plain C,
 * no QEMU or GLib types, so that QEMU's cryptodev-backend-host and other
 * host programs (a vhost-user daemon) share it.  Link with libcrypto.
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
 * Hashes and MACs (HostCryptoAuthAlg, one table for both services) and
 * AEAD (HostCryptoAeadAlg) work the same way:
 *
 *   const HostCryptoAuthAlg *h = hostcrypto_auth_find(
 *       HOSTCRYPTO_SERVICE_MAC, HOSTCRYPTO_MAC_HMAC_SHA_256);
 *   if (h && hc->auth_ok[h - hostcrypto_auth_algs]) {
 *       HostCryptoAuthSession *a =
 *           hostcrypto_auth_session_new(hc, h, key, key_len, 32, &err);
 *       hostcrypto_digest(a, msg, msg_len, digest);
 *       hostcrypto_auth_session_free(a);
 *   }
 *
 * The same on scatter-gather lists (a request in guest memory, as a
 * device maps it): hostcrypto_crypt_iov(), hostcrypto_digest_iov() and
 * hostcrypto_aead_iov() take struct iovec arrays for the data and keep
 * the IV, digest and tag flat.  A provider runs them on the segments
 * where it can, and the core gathers them into one buffer where it
 * cannot (see each provider's *_iov).
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
#include <sys/uio.h>

/* Cipher numbers are the virtio-crypto spec's VIRTIO_CRYPTO_CIPHER_*. */
enum {
    HOSTCRYPTO_AES_ECB = 2,
    HOSTCRYPTO_AES_CBC = 3,
    HOSTCRYPTO_AES_CTR = 4,
    HOSTCRYPTO_3DES_CBC = 8,
    HOSTCRYPTO_AES_XTS = 13,
};

/* Services, hash, MAC and AEAD numbers: VIRTIO_CRYPTO_SERVICE_* etc. */
enum {
    HOSTCRYPTO_SERVICE_CIPHER = 0,
    HOSTCRYPTO_SERVICE_HASH = 1,
    HOSTCRYPTO_SERVICE_MAC = 2,
    HOSTCRYPTO_SERVICE_AEAD = 3,
};

enum {
    HOSTCRYPTO_HASH_MD5 = 1,
    HOSTCRYPTO_HASH_SHA1 = 2,
    HOSTCRYPTO_HASH_SHA_224 = 3,
    HOSTCRYPTO_HASH_SHA_256 = 4,
    HOSTCRYPTO_HASH_SHA_384 = 5,
    HOSTCRYPTO_HASH_SHA_512 = 6,
    HOSTCRYPTO_HASH_SHA3_224 = 7,
    HOSTCRYPTO_HASH_SHA3_256 = 8,
    HOSTCRYPTO_HASH_SHA3_384 = 9,
    HOSTCRYPTO_HASH_SHA3_512 = 10,
};

enum {
    HOSTCRYPTO_MAC_HMAC_MD5 = 1,
    HOSTCRYPTO_MAC_HMAC_SHA1 = 2,
    HOSTCRYPTO_MAC_HMAC_SHA_224 = 3,
    HOSTCRYPTO_MAC_HMAC_SHA_256 = 4,
    HOSTCRYPTO_MAC_HMAC_SHA_384 = 5,
    HOSTCRYPTO_MAC_HMAC_SHA_512 = 6,
    HOSTCRYPTO_MAC_CMAC_AES = 26,
};

enum {
    HOSTCRYPTO_AEAD_GCM = 1,
    HOSTCRYPTO_AEAD_CCM = 2,
    HOSTCRYPTO_AEAD_CHACHA20_POLY1305 = 3,
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

/*
 * One hash or MAC; hostcrypto_auth_algs[] lists them all.  (service,
 * algo) is unique.  A hash takes no key; an HMAC takes a key of any
 * length from 0 to HOSTCRYPTO_MAX_AUTH_KEY_LEN; CMAC-AES one of 16, 24
 * or 32 bytes (hostcrypto_auth_key_ok()).
 */
typedef struct HostCryptoAuthAlg {
    const char *name;         /* "sha256", "hmac(sha256)", "cmac(aes)" */
    uint32_t service;         /* HOSTCRYPTO_SERVICE_HASH or _MAC */
    uint32_t algo;            /* HOSTCRYPTO_HASH_* or HOSTCRYPTO_MAC_* */
    uint32_t digest_len;      /* full digest, bytes */
    uint32_t block;           /* the hash's (or cipher's) block, bytes */
    /* the providers' names for it */
    const char *ossl_md;      /* EVP_MD_fetch(), HMAC's digest; or NULL */
    const char *ossl_mac;     /* EVP_MAC_fetch(): "HMAC", "CMAC"; or NULL */
    const char *kernel;       /* AF_ALG "hash" salg_name */
    uint32_t cd_mac;          /* cryptodev-linux CRYPTO_*, 0: none */
} HostCryptoAuthAlg;

#define HOSTCRYPTO_NAUTH 17
#define HOSTCRYPTO_MAX_DIGEST_LEN 64
/* as cryptodev-linux's CRYPTO_HMAC_MAX_KEY_LEN */
#define HOSTCRYPTO_MAX_AUTH_KEY_LEN 512

extern const HostCryptoAuthAlg hostcrypto_auth_algs[HOSTCRYPTO_NAUTH];

/*
 * One AEAD with one key length; hostcrypto_aead_algs[] lists them all.
 * iv_len is the usual nonce length; a request may use another one from
 * iv_min to iv_max where the provider allows it (hostcrypto_aead_ok()).
 * tag_lens: bit n is set if an n-byte tag is allowed.
 */
typedef struct HostCryptoAeadAlg {
    const char *name;         /* "aes-128-gcm" */
    uint32_t aead;            /* HOSTCRYPTO_AEAD_* */
    uint32_t key_len;
    uint32_t iv_len, iv_min, iv_max;
    uint32_t tag_lens;
    uint32_t tag_max;         /* largest allowed tag length */
    /* the providers' names for it */
    const char *ossl;         /* EVP_CIPHER_fetch() */
    const char *kernel;       /* AF_ALG "aead" salg_name */
    uint32_t cd_cipher;       /* cryptodev-linux CRYPTO_*, 0: none */
} HostCryptoAeadAlg;

#define HOSTCRYPTO_NAEAD 7
#define HOSTCRYPTO_MAX_AEAD_IV_LEN 64
#define HOSTCRYPTO_MAX_TAG_LEN 16

extern const HostCryptoAeadAlg hostcrypto_aead_algs[HOSTCRYPTO_NAEAD];

/* Errors: a negative errno is returned, and explained here if non-NULL. */
typedef struct HostCryptoError {
    int err;                  /* positive errno */
    char msg[192];
} HostCryptoError;

typedef struct HostCrypto HostCrypto;

/*
 * A buffer in pieces: the first len bytes of iov[0..cnt-1] (which may
 * hold more; zero-length entries are allowed).
 */
typedef struct HostCryptoIov {
    const struct iovec *iov;
    unsigned int cnt;
} HostCryptoIov;
typedef struct HostCryptoSession HostCryptoSession;
typedef struct HostCryptoAuthSession HostCryptoAuthSession;
typedef struct HostCryptoAeadSession HostCryptoAeadSession;

typedef struct HostCryptoProvider {
    const char *name;         /* "openssl", "afalg", "devcrypto" */
    /* XTS only in whole blocks (the cryptodev ABI checks the blocksize) */
    bool xts_whole_blocks;
    /*
     * longest request in bytes (longer ones fail), 0: no limit; for AEAD
     * aad + data + tag; digests have no limit
     */
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

    /*
     * Hashes and MACs, as above; all optional (NULL: none).  auth_init
     * gets s->hc, s->alg, s->digest_len set and a key the core checked
     * (hostcrypto_auth_key_ok).  digest gets s->digest_len bytes.
     */
    size_t auth_session_size;
    int (*auth_init)(HostCryptoAuthSession *s, const uint8_t *key,
                     size_t key_len, HostCryptoError *err);
    int (*auth_fini)(HostCryptoAuthSession *s);
    int (*digest)(HostCryptoAuthSession *s, const uint8_t *src, size_t len,
                  uint8_t *digest);

    /*
     * AEAD, as above; all optional.  aead gets lengths the core checked
     * (hostcrypto_aead_ok, max_len) and returns -EBADMSG on a tag
     * mismatch (the core then zeroes dst).
     */
    /* GCM and ChaCha20-Poly1305 only with their iv_len-byte nonce */
    bool aead_fixed_iv;
    size_t aead_session_size;
    int (*aead_init)(HostCryptoAeadSession *s, const uint8_t *key,
                     HostCryptoError *err);
    int (*aead_fini)(HostCryptoAeadSession *s);
    int (*aead)(HostCryptoAeadSession *s, const uint8_t *iv, size_t iv_len,
                const uint8_t *aad, size_t aad_len, const uint8_t *src,
                uint8_t *dst, size_t len, uint8_t *tag);

    /*
     * Scatter-gather forms of crypt, digest and aead; all optional (NULL:
     * the core gathers into one buffer and calls the flat one).  They get
     * what the flat ones get, the data as HostCryptoIov, never src and
     * dst that overlap other than in place (the core sees to it), and
     * may return -ENOTSUP to have the core gather after all.
     */
    int (*crypt_iov)(HostCryptoSession *s, const uint8_t *iv,
                     const struct HostCryptoIov *src,
                     const struct HostCryptoIov *dst, size_t len);
    int (*digest_iov)(HostCryptoAuthSession *s,
                      const struct HostCryptoIov *src, size_t len,
                      uint8_t *digest);
    int (*aead_iov)(HostCryptoAeadSession *s, const uint8_t *iv,
                    size_t iv_len, const struct HostCryptoIov *aad,
                    size_t aad_len, const struct HostCryptoIov *src,
                    const struct HostCryptoIov *dst, size_t len,
                    uint8_t *tag);
} HostCryptoProvider;

/* An open provider and what it passed the probe for. */
struct HostCrypto {
    const HostCryptoProvider *prov;
    bool alg_ok[HOSTCRYPTO_NALGS];
    bool auth_ok[HOSTCRYPTO_NAUTH];
    bool aead_ok[HOSTCRYPTO_NAEAD];
    int fd;                   /* devcrypto: /dev/crypto, else -1 */
};

/* The first member of every provider's session type. */
struct HostCryptoSession {
    HostCrypto *hc;
    const HostCryptoAlg *alg;
    bool encrypt;
};

/* The first member of every provider's hash/MAC session type. */
struct HostCryptoAuthSession {
    HostCrypto *hc;
    const HostCryptoAuthAlg *alg;
    uint32_t digest_len;      /* 1 .. alg->digest_len (truncated) */
};

/* The first member of every provider's AEAD session type. */
struct HostCryptoAeadSession {
    HostCrypto *hc;
    const HostCryptoAeadAlg *alg;
    bool encrypt;
    uint32_t tag_len;
};

extern const HostCryptoProvider hostcrypto_openssl;
extern const HostCryptoProvider hostcrypto_afalg;
extern const HostCryptoProvider hostcrypto_devcrypto;

/*
 * Open provider @name ("openssl", "afalg", "devcrypto", or "auto": the
 * first of devcrypto, afalg and openssl that works) and probe it: an
 * algorithm is offered (alg_ok, auth_ok, aead_ok) only if the provider
 * encrypts and decrypts (digests; seals, opens and refuses a bad tag) a
 * test message to the same answer as OpenSSL.  Fails if it offers none.
 * Returns NULL with err set on failure.
 */
HostCrypto *hostcrypto_open(const char *name, HostCryptoError *err);
void hostcrypto_close(HostCrypto *hc);

/*
 * What @hc passed its probe for, in virtio-crypto's device config terms
 * (the masks are 1 << VIRTIO_CRYPTO_SERVICE_*, _CIPHER_*, _HASH_*, ...).
 * A device offering MAC must also set max_auth_key_len to what its own
 * session message can carry; mac says whether that applies.  @probed, if
 * non-NULL, is called with each algorithm's name and probe result.
 */
typedef struct HostCryptoCaps {
    uint32_t services;
    uint32_t cipher_algo_l;
    uint32_t hash_algo;
    uint32_t mac_algo_l;
    uint32_t mac_algo_h;
    uint32_t aead_algo;
    uint32_t max_cipher_key_len;  /* ciphers and AEAD */
    bool mac;
} HostCryptoCaps;

void hostcrypto_caps(const HostCrypto *hc, HostCryptoCaps *caps,
                     void (*probed)(void *opaque, const char *alg, bool ok),
                     void *opaque);

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

/*
 * Hashes and MACs.  The algorithm for (service, algo), or NULL.
 */
const HostCryptoAuthAlg *hostcrypto_auth_find(uint32_t service,
                                              uint32_t algo);

/* Whether key_len suits alg (0 for a hash; any up to the max for HMAC). */
bool hostcrypto_auth_key_ok(const HostCryptoAuthAlg *alg, size_t key_len);

/*
 * A hash or MAC session: key_len bytes of key (NULL allowed if 0), a
 * digest of digest_len bytes (1 .. alg->digest_len: a longer digest is
 * cut to its first digest_len bytes).  -EINVAL (err set) for a bad key
 * or digest length.  The session keeps its own copy of the key and wipes
 * it when freed.
 */
HostCryptoAuthSession *hostcrypto_auth_session_new(HostCrypto *hc,
                                                   const HostCryptoAuthAlg *alg,
                                                   const uint8_t *key,
                                                   size_t key_len,
                                                   uint32_t digest_len,
                                                   HostCryptoError *err);
int hostcrypto_auth_session_free(HostCryptoAuthSession *s);

/*
 * One-shot digest of len bytes at src (0 is fine, and src may then be
 * NULL) into s->digest_len bytes at digest.  0 or a negative errno.
 * Thread-safe as crypt.
 */
int hostcrypto_digest(HostCryptoAuthSession *s, const uint8_t *src,
                      size_t len, uint8_t *digest);

/*
 * AEAD.  The algorithm for an AEAD and key length, or NULL; *aead_known
 * as hostcrypto_alg_find's cipher_known.
 */
const HostCryptoAeadAlg *hostcrypto_aead_find(uint32_t aead,
                                              uint32_t key_len,
                                              bool *aead_known);

/* Whether hc takes requests with this nonce and tag length for alg. */
bool hostcrypto_aead_ok(const HostCrypto *hc, const HostCryptoAeadAlg *alg,
                        size_t iv_len, size_t tag_len);

/*
 * An AEAD session, alg->key_len bytes of key, tag_len-byte tags (a bit
 * of alg->tag_lens, and hostcrypto_aead_ok with alg->iv_len).  Keys are
 * wiped when freed.
 */
HostCryptoAeadSession *hostcrypto_aead_session_new(HostCrypto *hc,
                                                   const HostCryptoAeadAlg *alg,
                                                   bool encrypt,
                                                   const uint8_t *key,
                                                   uint32_t tag_len,
                                                   HostCryptoError *err);
int hostcrypto_aead_session_free(HostCryptoAeadSession *s);

/*
 * One AEAD request: nonce iv (iv_len bytes, hostcrypto_aead_ok), aad_len
 * bytes of additional data, len bytes from src to dst (src == dst is
 * allowed, other overlaps are not; len and aad_len may be 0, and then
 * their pointers NULL).  Encrypt
 * writes s->tag_len bytes at tag; decrypt reads and checks them, and on a
 * mismatch returns -EBADMSG with dst zeroed.  If hc->prov->max_len is
 * set, aad_len + len + tag_len must not exceed it (-EMSGSIZE; devcrypto
 * also for more than 4096 bytes of aad).  0 or a negative errno.
 * Thread-safe as crypt.
 */
int hostcrypto_aead(HostCryptoAeadSession *s, const uint8_t *iv,
                    size_t iv_len, const uint8_t *aad, size_t aad_len,
                    const uint8_t *src, uint8_t *dst, size_t len,
                    uint8_t *tag);

/*
 * Scatter-gather requests: as hostcrypto_crypt(), hostcrypto_digest()
 * and hostcrypto_aead(), with src, dst and aad given as HostCryptoIov
 * holding at least len (aad_len) bytes.  src and dst may be the same
 * memory in place, split differently, and may overlap otherwise too (the
 * answer is then as if src had been read whole first).  On -EBADMSG the
 * len bytes of dst are zeroed.
 */
int hostcrypto_crypt_iov(HostCryptoSession *s, const uint8_t *iv,
                         const HostCryptoIov *src, const HostCryptoIov *dst,
                         size_t len);
int hostcrypto_digest_iov(HostCryptoAuthSession *s, const HostCryptoIov *src,
                          size_t len, uint8_t *digest);
int hostcrypto_aead_iov(HostCryptoAeadSession *s, const uint8_t *iv,
                        size_t iv_len, const HostCryptoIov *aad,
                        size_t aad_len, const HostCryptoIov *src,
                        const HostCryptoIov *dst, size_t len, uint8_t *tag);

/* Helpers for providers: bytes in iov; copy between iov and a buffer */
size_t hostcrypto_iov_size(const HostCryptoIov *v);
void hostcrypto_iov_to_buf(const HostCryptoIov *v, size_t off, void *buf,
                           size_t len);
void hostcrypto_iov_from_buf(const HostCryptoIov *v, size_t off,
                             const void *buf, size_t len);

/* For providers: fill err (if non-NULL) and return -errnum. */
int hostcrypto_error(HostCryptoError *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
