/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the cryptodev-backend-host qtests share: the algorithm table's
 * row type, random fill and the OpenSSL reference.  Each test is one
 * executable, so these are static.
 */

#ifndef CRYPTODEV_HOST_QTEST_H
#define CRYPTODEV_HOST_QTEST_H

#include <openssl/evp.h>

typedef struct Alg {
    const char *name;           /* OpenSSL's */
    uint32_t virtio_alg;
    uint32_t key_len;
    uint32_t block;             /* length must be a multiple (1: stream) */
    uint32_t min_len;
    uint32_t iv_len;
} Alg;

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

#endif
