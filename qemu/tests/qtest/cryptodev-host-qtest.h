/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the cryptodev-backend-host qtests share: starting QEMU with the
 * device, the algorithm table's row type, random fill and the OpenSSL
 * reference.  Each test is one executable, so these are static.
 */

#ifndef CRYPTODEV_HOST_QTEST_H
#define CRYPTODEV_HOST_QTEST_H

#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/pci-pc.h"
#include "libqos/virtio-pci.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include "standard-headers/linux/virtio_crypto.h"

#define DEV_SLOT        4

/*
 * QEMU with cryptodev-backend-host c0 (queues, then opts: ",name=value"
 * pairs) behind virtio-crypto-pci vc0 in slot DEV_SLOT; the device is
 * found but not set up.
 */
static inline QVirtioPCIDevice *crypto_pci_start(QTestState **qts,
                                                 QGuestAllocator *alloc,
                                                 QPCIBus **bus,
                                                 unsigned queues,
                                                 const char *opts)
{
    QPCIAddress addr = { .devfn = QPCI_DEVFN(DEV_SLOT, 0) };
    QVirtioPCIDevice *vpci;

    /* the +ds source has no firmware blobs: use the distribution's */
    *qts = qtest_initf("-machine pc -nodefaults -m 512M %s "
                       "-object cryptodev-backend-host,id=c0,queues=%u%s "
                       "-device virtio-crypto-pci,id=vc0,cryptodev=c0,"
                       "addr=%x.0",
                       g_file_test("/usr/share/seabios/bios-256k.bin",
                                   G_FILE_TEST_EXISTS) ?
                       "-L /usr/share/seabios" : "", queues, opts, DEV_SLOT);
    pc_alloc_init(alloc, *qts, 0);
    *bus = qpci_new_pc(*qts, alloc);
    vpci = virtio_pci_new(*bus, &addr);
    g_assert_nonnull(vpci);
    g_assert_cmpint(vpci->vdev.device_type, ==, 20 /* crypto */);
    return vpci;
}

/* The test's side of crypto_pci_start(), and QEMU. */
static inline void crypto_pci_free(QTestState *qts, QGuestAllocator *alloc,
                                   QPCIBus *bus, QVirtioPCIDevice *vpci)
{
    g_free(vpci->pdev);
    g_free(vpci);
    qpci_free_pc(bus);
    alloc_destroy(alloc);
    qtest_quit(qts);
}

typedef struct Alg {
    const char *name;           /* OpenSSL's */
    uint32_t virtio_alg;
    uint32_t key_len;
    uint32_t block;             /* length must be a multiple (1: stream) */
    uint32_t min_len;
    uint32_t iv_len;
} Alg;

/* The ciphers: every one the backend has, with each key length */
static const Alg algs[] = {
    { "AES-128-ECB", VIRTIO_CRYPTO_CIPHER_AES_ECB, 16, 16, 16, 0 },
    { "AES-192-ECB", VIRTIO_CRYPTO_CIPHER_AES_ECB, 24, 16, 16, 0 },
    { "AES-256-ECB", VIRTIO_CRYPTO_CIPHER_AES_ECB, 32, 16, 16, 0 },
    { "AES-128-CBC", VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, 16, 16, 16 },
    { "AES-192-CBC", VIRTIO_CRYPTO_CIPHER_AES_CBC, 24, 16, 16, 16 },
    { "AES-256-CBC", VIRTIO_CRYPTO_CIPHER_AES_CBC, 32, 16, 16, 16 },
    { "AES-128-CTR", VIRTIO_CRYPTO_CIPHER_AES_CTR, 16, 1, 1, 16 },
    { "AES-192-CTR", VIRTIO_CRYPTO_CIPHER_AES_CTR, 24, 1, 1, 16 },
    { "AES-256-CTR", VIRTIO_CRYPTO_CIPHER_AES_CTR, 32, 1, 1, 16 },
    { "AES-128-XTS", VIRTIO_CRYPTO_CIPHER_AES_XTS, 32, 1, 16, 16 },
    { "AES-256-XTS", VIRTIO_CRYPTO_CIPHER_AES_XTS, 64, 1, 16, 16 },
    { "DES-EDE3-CBC", VIRTIO_CRYPTO_CIPHER_3DES_CBC, 24, 8, 8, 8 },
};

/*
 * Hashes and MACs (service VIRTIO_CRYPTO_SERVICE_HASH or _MAC); name is
 * OpenSSL's digest (HMAC's digest; "AES-128-CBC" for CMAC).
 */
typedef struct AuthAlg {
    const char *name;
    uint32_t service;
    uint32_t virtio_alg;
    uint32_t digest_len;
    uint32_t key_len;           /* a MAC's usual key; HMAC takes any */
} AuthAlg;

static const AuthAlg auth_algs[] = {
    { "MD5", VIRTIO_CRYPTO_SERVICE_HASH, VIRTIO_CRYPTO_HASH_MD5, 16, 0 },
    { "SHA1", VIRTIO_CRYPTO_SERVICE_HASH, VIRTIO_CRYPTO_HASH_SHA1, 20, 0 },
    { "SHA224", VIRTIO_CRYPTO_SERVICE_HASH, VIRTIO_CRYPTO_HASH_SHA_224, 28, 0 },
    { "SHA256", VIRTIO_CRYPTO_SERVICE_HASH, VIRTIO_CRYPTO_HASH_SHA_256, 32, 0 },
    { "SHA384", VIRTIO_CRYPTO_SERVICE_HASH, VIRTIO_CRYPTO_HASH_SHA_384, 48, 0 },
    { "SHA512", VIRTIO_CRYPTO_SERVICE_HASH, VIRTIO_CRYPTO_HASH_SHA_512, 64, 0 },
    { "SHA3-256", VIRTIO_CRYPTO_SERVICE_HASH, VIRTIO_CRYPTO_HASH_SHA3_256,
      32, 0 },
    { "MD5", VIRTIO_CRYPTO_SERVICE_MAC, VIRTIO_CRYPTO_MAC_HMAC_MD5, 16, 16 },
    { "SHA1", VIRTIO_CRYPTO_SERVICE_MAC, VIRTIO_CRYPTO_MAC_HMAC_SHA1, 20, 20 },
    { "SHA224", VIRTIO_CRYPTO_SERVICE_MAC, VIRTIO_CRYPTO_MAC_HMAC_SHA_224,
      28, 28 },
    { "SHA256", VIRTIO_CRYPTO_SERVICE_MAC, VIRTIO_CRYPTO_MAC_HMAC_SHA_256,
      32, 32 },
    { "SHA384", VIRTIO_CRYPTO_SERVICE_MAC, VIRTIO_CRYPTO_MAC_HMAC_SHA_384,
      48, 48 },
    { "SHA512", VIRTIO_CRYPTO_SERVICE_MAC, VIRTIO_CRYPTO_MAC_HMAC_SHA_512,
      64, 64 },
    { "AES-128-CBC", VIRTIO_CRYPTO_SERVICE_MAC, VIRTIO_CRYPTO_MAC_CMAC_AES,
      16, 16 },
};

/* AEADs: AES-GCM with each key length, 12-byte nonce, 16-byte tag */
typedef struct AeadAlg {
    const char *name;           /* OpenSSL's */
    uint32_t virtio_alg;
    uint32_t key_len;
} AeadAlg;

static const AeadAlg aead_algs[] = {
    { "AES-128-GCM", VIRTIO_CRYPTO_AEAD_GCM, 16 },
    { "AES-192-GCM", VIRTIO_CRYPTO_AEAD_GCM, 24 },
    { "AES-256-GCM", VIRTIO_CRYPTO_AEAD_GCM, 32 },
};

static inline void fill_random(uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = g_test_rand_int_range(0, 256);
    }
}

/* The reference answer: a without padding, over len bytes. */
static inline void ossl_crypt(const Alg *a, bool encrypt, const uint8_t *key,
                              const uint8_t *iv, const uint8_t *src,
                              uint8_t *dst, uint32_t len)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, a->name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;

    g_assert_nonnull(c);
    g_assert_nonnull(ctx);
    g_assert_true(EVP_CipherInit_ex2(ctx, c, key, a->iv_len ? iv : NULL,
                                     encrypt, NULL));
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    g_assert_true(EVP_CipherUpdate(ctx, dst, &outl, src, len));
    g_assert_true(EVP_CipherFinal_ex(ctx, dst + outl, &finl));
    g_assert_cmpint(outl + finl, ==, len);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
}

/* The reference digest or MAC of a (full length, digest_len bytes). */
static inline void ossl_digest(const AuthAlg *a, const uint8_t *key,
                               size_t key_len, const uint8_t *src, size_t len,
                               uint8_t *out)
{
    OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
    bool cmac = a->virtio_alg == VIRTIO_CRYPTO_MAC_CMAC_AES &&
                a->service == VIRTIO_CRYPTO_SERVICE_MAC;
    EVP_MAC *mac;
    EVP_MAC_CTX *ctx;
    size_t outl = 0;

    if (a->service == VIRTIO_CRYPTO_SERVICE_HASH) {
        g_assert_true(EVP_Q_digest(NULL, a->name, NULL, src, len, out, NULL));
        return;
    }
    mac = EVP_MAC_fetch(NULL, cmac ? "CMAC" : "HMAC", NULL);
    g_assert_nonnull(mac);
    ctx = EVP_MAC_CTX_new(mac);
    g_assert_nonnull(ctx);
    params[0] = OSSL_PARAM_construct_utf8_string(cmac ? "cipher" : "digest",
                                                 (char *)a->name, 0);
    /* an empty HMAC key is valid: give OpenSSL a pointer all the same */
    g_assert_true(EVP_MAC_init(ctx, key_len ? key : (const uint8_t *)"",
                               key_len, params));
    g_assert_true(EVP_MAC_update(ctx, src, len));
    g_assert_true(EVP_MAC_final(ctx, out, &outl, a->digest_len));
    g_assert_cmpuint(outl, ==, a->digest_len);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
}

/*
 * The reference AEAD: encrypt src (len bytes) to dst and the tag, or
 * decrypt it and check the tag; false if the tag does not match.
 */
static inline bool ossl_aead(const AeadAlg *a, bool encrypt,
                             const uint8_t *key, const uint8_t *iv,
                             size_t iv_len, const uint8_t *aad,
                             size_t aad_len, const uint8_t *src, size_t len,
                             uint8_t *dst, uint8_t *tag, size_t tag_len)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, a->name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;
    bool ok;

    g_assert_nonnull(c);
    g_assert_nonnull(ctx);
    g_assert_true(EVP_CipherInit_ex2(ctx, c, NULL, NULL, encrypt, NULL));
    g_assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN,
                                      iv_len, NULL));
    g_assert_true(EVP_CipherInit_ex2(ctx, NULL, key, iv, encrypt, NULL));
    if (aad_len) {
        g_assert_true(EVP_CipherUpdate(ctx, NULL, &outl, aad, aad_len));
    }
    g_assert_true(EVP_CipherUpdate(ctx, dst, &outl, src, len));
    if (!encrypt) {
        g_assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
                                          tag_len, tag));
    }
    ok = EVP_CipherFinal_ex(ctx, dst + outl, &finl) > 0;
    if (ok && encrypt) {
        g_assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
                                          tag_len, tag));
    }
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return ok;
}

#endif
