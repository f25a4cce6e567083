/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host crypto providers: the algorithm table, opening and probing a
 * provider, and the calls that dispatch to its HostCryptoProvider table.
 */
/* explicit_bzero() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

/* cryptodev-linux's CRYPTO_* cipher numbers */
#define CD_3DES_CBC 2
#define CD_AES_CBC  11
#define CD_AES_CTR  21
#define CD_AES_XTS  22
#define CD_AES_ECB  23

const HostCryptoAlg hostcrypto_algs[HOSTCRYPTO_NALGS] = {
    { "aes-128-ecb", HOSTCRYPTO_AES_ECB, 16, 16, 16, 0,
      "AES-128-ECB", "ecb(aes)", CD_AES_ECB },
    { "aes-192-ecb", HOSTCRYPTO_AES_ECB, 24, 16, 16, 0,
      "AES-192-ECB", "ecb(aes)", CD_AES_ECB },
    { "aes-256-ecb", HOSTCRYPTO_AES_ECB, 32, 16, 16, 0,
      "AES-256-ECB", "ecb(aes)", CD_AES_ECB },
    { "aes-128-cbc", HOSTCRYPTO_AES_CBC, 16, 16, 16, 16,
      "AES-128-CBC", "cbc(aes)", CD_AES_CBC },
    { "aes-192-cbc", HOSTCRYPTO_AES_CBC, 24, 16, 16, 16,
      "AES-192-CBC", "cbc(aes)", CD_AES_CBC },
    { "aes-256-cbc", HOSTCRYPTO_AES_CBC, 32, 16, 16, 16,
      "AES-256-CBC", "cbc(aes)", CD_AES_CBC },
    { "aes-128-ctr", HOSTCRYPTO_AES_CTR, 16, 1, 1, 16,
      "AES-128-CTR", "ctr(aes)", CD_AES_CTR },
    { "aes-192-ctr", HOSTCRYPTO_AES_CTR, 24, 1, 1, 16,
      "AES-192-CTR", "ctr(aes)", CD_AES_CTR },
    { "aes-256-ctr", HOSTCRYPTO_AES_CTR, 32, 1, 1, 16,
      "AES-256-CTR", "ctr(aes)", CD_AES_CTR },
    /* XTS: the key is two AES keys; any length from one block up */
    { "aes-128-xts", HOSTCRYPTO_AES_XTS, 32, 1, 16, 16,
      "AES-128-XTS", "xts(aes)", CD_AES_XTS },
    { "aes-256-xts", HOSTCRYPTO_AES_XTS, 64, 1, 16, 16,
      "AES-256-XTS", "xts(aes)", CD_AES_XTS },
    { "des3-cbc", HOSTCRYPTO_3DES_CBC, 24, 8, 8, 8,
      "DES-EDE3-CBC", "cbc(des3_ede)", CD_3DES_CBC },
};

int hostcrypto_error(HostCryptoError *err, int errnum, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        err->err = errnum;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return -errnum;
}

const HostCryptoAlg *hostcrypto_alg_find(uint32_t cipher, uint32_t key_len,
                                         bool *cipher_known)
{
    size_t i;

    if (cipher_known) {
        *cipher_known = false;
    }
    for (i = 0; i < HOSTCRYPTO_NALGS; i++) {
        if (hostcrypto_algs[i].cipher == cipher) {
            if (cipher_known) {
                *cipher_known = true;
            }
            if (hostcrypto_algs[i].key_len == key_len) {
                return &hostcrypto_algs[i];
            }
        }
    }
    return NULL;
}

bool hostcrypto_len_ok(const HostCrypto *hc, const HostCryptoAlg *alg,
                       size_t len)
{
    return len % alg->block == 0 && len >= alg->min_len &&
           !(hc->prov->xts_whole_blocks && len % alg->min_len);
}

HostCryptoSession *hostcrypto_session_new(HostCrypto *hc,
                                          const HostCryptoAlg *alg,
                                          bool encrypt, const uint8_t *key,
                                          HostCryptoError *err)
{
    HostCryptoSession *s = calloc(1, hc->prov->session_size);

    if (!s) {
        hostcrypto_error(err, ENOMEM, "out of memory");
        return NULL;
    }
    s->hc = hc;
    s->alg = alg;
    s->encrypt = encrypt;
    if (hc->prov->session_init(s, key, err) < 0) {
        hostcrypto_session_free(s);
        return NULL;
    }
    return s;
}

int hostcrypto_session_free(HostCryptoSession *s)
{
    int ret;

    if (!s) {
        return 0;
    }
    ret = s->hc->prov->session_fini(s);
    explicit_bzero(s, s->hc->prov->session_size);
    free(s);
    return ret;
}

int hostcrypto_crypt(HostCryptoSession *s, const uint8_t *iv,
                     const uint8_t *src, uint8_t *dst, size_t len)
{
    return s->hc->prov->crypt(s, iv, src, dst, len);
}

/*
 * The probe: a session each way, a test message there and back, and the
 * ciphertext equal to OpenSSL's.
 */
static bool hostcrypto_probe(HostCrypto *hc, const HostCryptoAlg *alg)
{
    HostCrypto ref = { .prov = &hostcrypto_openssl, .fd = -1 };
    uint8_t key[HOSTCRYPTO_MAX_KEY_LEN], iv[HOSTCRYPTO_MAX_IV_LEN];
    uint8_t pt[64], ct[64], back[64], refct[64];
    HostCryptoSession *enc, *dec, *rsess = NULL;
    bool ok = false;
    size_t i;

    for (i = 0; i < sizeof(key); i++) {
        key[i] = 0x11 * (i % 15) + i;    /* XTS halves must differ */
    }
    for (i = 0; i < sizeof(pt); i++) {
        pt[i] = i * 7 + 3;
    }
    memset(iv, 0xa5, sizeof(iv));

    enc = hostcrypto_session_new(hc, alg, true, key, NULL);
    dec = hostcrypto_session_new(hc, alg, false, key, NULL);
    if (!enc || !dec ||
        hostcrypto_crypt(enc, iv, pt, ct, sizeof(pt)) < 0 ||
        hostcrypto_crypt(dec, iv, ct, back, sizeof(ct)) < 0 ||
        memcmp(back, pt, sizeof(pt))) {
        goto out;
    }
    rsess = hostcrypto_session_new(&ref, alg, true, key, NULL);
    ok = rsess && hostcrypto_crypt(rsess, iv, pt, refct, sizeof(pt)) == 0 &&
         !memcmp(refct, ct, sizeof(ct));
out:
    hostcrypto_session_free(rsess);
    hostcrypto_session_free(enc);
    hostcrypto_session_free(dec);
    return ok;
}

static HostCrypto *hostcrypto_open_one(const HostCryptoProvider *prov,
                                       HostCryptoError *err)
{
    HostCrypto *hc = calloc(1, sizeof(*hc));
    bool any = false;
    size_t i;

    if (!hc) {
        hostcrypto_error(err, ENOMEM, "out of memory");
        return NULL;
    }
    hc->prov = prov;
    hc->fd = -1;
    if (prov->open && prov->open(hc, err) < 0) {
        free(hc);
        return NULL;
    }
    for (i = 0; i < HOSTCRYPTO_NALGS; i++) {
        hc->alg_ok[i] = hostcrypto_probe(hc, &hostcrypto_algs[i]);
        any |= hc->alg_ok[i];
    }
    if (!any) {
        hostcrypto_error(err, ENOTSUP,
                         "provider %s offers none of our algorithms",
                         prov->name);
        hostcrypto_close(hc);
        return NULL;
    }
    return hc;
}

HostCrypto *hostcrypto_open(const char *name, HostCryptoError *err)
{
    static const HostCryptoProvider *const order[] = {
        &hostcrypto_devcrypto, &hostcrypto_afalg, &hostcrypto_openssl,
    };
    HostCryptoError last;
    HostCrypto *hc;
    size_t i;

    for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!strcmp(name, order[i]->name)) {
            return hostcrypto_open_one(order[i], err);
        }
    }
    if (strcmp(name, "auto")) {
        hostcrypto_error(err, EINVAL, "no crypto provider named %s", name);
        return NULL;
    }
    for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        hc = hostcrypto_open_one(order[i], &last);
        if (hc) {
            return hc;
        }
    }
    hostcrypto_error(err, last.err, "no crypto provider works: %s", last.msg);
    return NULL;
}

void hostcrypto_close(HostCrypto *hc)
{
    if (hc) {
        if (hc->prov->close) {
            hc->prov->close(hc);
        }
        free(hc);
    }
}
