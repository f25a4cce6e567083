/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenSSL provider: libcrypto's EVP ciphers in process.  Also the
 * reference the other providers are probed against.
 */
#include <errno.h>
#include <openssl/evp.h>

#include "provider.h"

typedef struct OsslSession {
    HostCryptoSession base;
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *tmpl;     /* keyed; copied for each request */
} OsslSession;

static int ossl_session_fini(HostCryptoSession *base)
{
    OsslSession *s = (OsslSession *)base;

    /* EVP_CIPHER_CTX_free() cleanses the expanded key */
    EVP_CIPHER_CTX_free(s->tmpl);
    EVP_CIPHER_free(s->cipher);
    return 0;
}

static int ossl_session_init(HostCryptoSession *base, const uint8_t *key,
                             HostCryptoError *err)
{
    OsslSession *s = (OsslSession *)base;
    const HostCryptoAlg *alg = base->alg;

    s->cipher = EVP_CIPHER_fetch(NULL, alg->ossl, NULL);
    if (!s->cipher) {
        return hostcrypto_error(err, ENOENT, "OpenSSL has no %s", alg->ossl);
    }
    if ((uint32_t)EVP_CIPHER_get_key_length(s->cipher) != alg->key_len) {
        return hostcrypto_error(err, EINVAL,
                                "OpenSSL %s: unexpected key length",
                                alg->ossl);
    }
    s->tmpl = EVP_CIPHER_CTX_new();
    if (!s->tmpl ||
        !EVP_CipherInit_ex2(s->tmpl, s->cipher, key, NULL,
                            base->encrypt ? 1 : 0, NULL) ||
        !EVP_CIPHER_CTX_set_padding(s->tmpl, 0)) {
        return hostcrypto_error(err, EINVAL, "OpenSSL rejected the %s key",
                                alg->ossl);
    }
    return 0;
}

static int ossl_crypt(HostCryptoSession *base, const uint8_t *iv,
                      const uint8_t *src, uint8_t *dst, size_t len)
{
    OsslSession *s = (OsslSession *)base;
    EVP_CIPHER_CTX *ctx;
    int outl = 0, finl = 0;
    int ret = -EIO;

    if (len > INT32_MAX) {
        return -EMSGSIZE;
    }
    /* A per-request copy of the keyed context lets threads run at once. */
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || !EVP_CIPHER_CTX_copy(ctx, s->tmpl)) {
        goto out;
    }
    if (!EVP_CipherInit_ex2(ctx, NULL, NULL, iv, -1, NULL)) {
        goto out;
    }
    if (!EVP_CipherUpdate(ctx, dst, &outl, src, len)) {
        goto out;
    }
    if ((size_t)outl > len ||
        !EVP_CipherFinal_ex(ctx, dst + outl, &finl) ||
        (size_t)outl + finl != len) {
        goto out;
    }
    ret = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

const HostCryptoProvider hostcrypto_openssl = {
    .name = "openssl",
    .session_size = sizeof(OsslSession),
    .session_init = ossl_session_init,
    .session_fini = ossl_session_fini,
    .crypt = ossl_crypt,
};
