/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenSSL provider: libcrypto's EVP ciphers, digests, MACs and AEAD in
 * process.  Also the reference the other providers are probed against.
 */
#include <errno.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

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

/* The cipher called name, if its key is key_len bytes: 0 or -errno */
static int ossl_cipher_fetch(EVP_CIPHER **cipher, const char *name,
                             uint32_t key_len, HostCryptoError *err)
{
    *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
    if (!*cipher) {
        return hostcrypto_error(err, ENOENT, "OpenSSL has no %s", name);
    }
    if ((uint32_t)EVP_CIPHER_get_key_length(*cipher) != key_len) {
        return hostcrypto_error(err, EINVAL,
                                "OpenSSL %s: unexpected key length", name);
    }
    return 0;
}

static int ossl_session_init(HostCryptoSession *base, const uint8_t *key,
                             HostCryptoError *err)
{
    OsslSession *s = (OsslSession *)base;
    const HostCryptoAlg *alg = base->alg;
    int r;

    r = ossl_cipher_fetch(&s->cipher, alg->ossl, alg->key_len, err);
    if (r < 0) {
        return r;
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

/* A position in a HostCryptoIov, for walking two of them in step. */
typedef struct IovPos {
    const HostCryptoIov *v;
    unsigned int i;
    size_t off;
} IovPos;

/* The contiguous bytes at p (at most max), skipping empty entries. */
static uint8_t *iov_pos_run(IovPos *p, size_t max, size_t *n)
{
    while (p->i < p->v->cnt && p->off == p->v->iov[p->i].iov_len) {
        p->i++;
        p->off = 0;
    }
    if (p->i == p->v->cnt) {
        *n = 0;
        return NULL;
    }
    *n = p->v->iov[p->i].iov_len - p->off;
    *n = *n < max ? *n : max;
    return (uint8_t *)p->v->iov[p->i].iov_base + p->off;
}

static void iov_pos_skip(IovPos *p, size_t n)
{
    while (n) {
        size_t left = p->v->iov[p->i].iov_len - p->off;

        if (n < left) {
            p->off += n;
            return;
        }
        n -= left;
        p->i++;
        p->off = 0;
    }
}

/* Copy n bytes out of (or, to_iov, into) the iov at p; step past them */
static void iov_pos_copy(IovPos *p, uint8_t *buf, size_t n, bool to_iov)
{
    size_t got;

    while (n) {
        uint8_t *q = iov_pos_run(p, n, &got);

        memcpy(to_iov ? q : buf, to_iov ? buf : q, got);
        buf += got;
        n -= got;
        iov_pos_skip(p, got);
    }
}

/*
 * len bytes from src to dst through ctx, one EVP_CipherUpdate per run
 * that both have contiguous, in whole blocks of blk bytes: a block split
 * between entries goes through a block on the stack (the cipher carries
 * its chaining state across calls, and never holds a partial block
 * back).  In place, each call has out == in, as OpenSSL allows.
 */
static int ossl_update_iov(EVP_CIPHER_CTX *ctx, size_t blk,
                           const HostCryptoIov *src, const HostCryptoIov *dst,
                           size_t len)
{
    IovPos ps = { .v = src }, pd = { .v = dst };
    uint8_t block[32];
    int outl;

    if (blk > sizeof(block)) {
        return -ENOTSUP;
    }
    while (len) {
        size_t sn, dn, n;
        uint8_t *sp = iov_pos_run(&ps, len, &sn);
        uint8_t *dp = iov_pos_run(&pd, len, &dn);

        n = sn < dn ? sn : dn;
        n -= n % blk;
        if (n) {
            if (n > INT32_MAX) {
                n = INT32_MAX - INT32_MAX % blk;
            }
            if (!EVP_CipherUpdate(ctx, dp, &outl, sp, (int)n) ||
                (size_t)outl != n) {
                return -EIO;
            }
            iov_pos_skip(&ps, n);
            iov_pos_skip(&pd, n);
        } else {
            n = blk < len ? blk : len;
            iov_pos_copy(&ps, block, n, false);
            if (!EVP_CipherUpdate(ctx, block, &outl, block, (int)n) ||
                (size_t)outl != n) {
                OPENSSL_cleanse(block, sizeof(block));
                return -EIO;
            }
            iov_pos_copy(&pd, block, n, true);
        }
        len -= n;
    }
    OPENSSL_cleanse(block, sizeof(block));
    return 0;
}

static int ossl_crypt_iov(HostCryptoSession *base, const uint8_t *iv,
                          const HostCryptoIov *src, const HostCryptoIov *dst,
                          size_t len)
{
    OsslSession *s = (OsslSession *)base;
    EVP_CIPHER_CTX *ctx;
    uint8_t last[32];
    int finl = 0, ret;

    /* XTS: OpenSSL takes a data unit in a single call */
    if (base->alg->cipher == HOSTCRYPTO_AES_XTS) {
        return -ENOTSUP;
    }
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || !EVP_CIPHER_CTX_copy(ctx, s->tmpl) ||
        !EVP_CipherInit_ex2(ctx, NULL, NULL, iv, -1, NULL)) {
        ret = -EIO;
        goto out;
    }
    ret = ossl_update_iov(ctx, EVP_CIPHER_CTX_get_block_size(ctx), src, dst,
                          len);
    if (ret == 0 && (!EVP_CipherFinal_ex(ctx, last, &finl) || finl != 0)) {
        ret = -EIO;
    }
out:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

typedef struct OsslAuthSession {
    HostCryptoAuthSession base;
    EVP_MD *md;               /* hash: the digest */
    EVP_MAC *mac;             /* MAC: the algorithm ... */
    EVP_MAC_CTX *tmpl;        /* ... keyed; copied for each request */
} OsslAuthSession;

static int ossl_auth_fini(HostCryptoAuthSession *base)
{
    OsslAuthSession *s = (OsslAuthSession *)base;

    /* EVP_MAC_CTX_free() cleanses the key */
    EVP_MAC_CTX_free(s->tmpl);
    EVP_MAC_free(s->mac);
    EVP_MD_free(s->md);
    return 0;
}

static int ossl_auth_init(HostCryptoAuthSession *base, const uint8_t *key,
                          size_t key_len, HostCryptoError *err)
{
    static const uint8_t no_key;
    OsslAuthSession *s = (OsslAuthSession *)base;
    const HostCryptoAuthAlg *alg = base->alg;
    OSSL_PARAM params[2];
    const char *cipher;

    if (alg->service == HOSTCRYPTO_SERVICE_HASH) {
        s->md = EVP_MD_fetch(NULL, alg->ossl_md, NULL);
        if (!s->md) {
            return hostcrypto_error(err, ENOENT, "OpenSSL has no %s",
                                    alg->ossl_md);
        }
        if ((uint32_t)EVP_MD_get_size(s->md) != alg->digest_len) {
            return hostcrypto_error(err, EINVAL,
                                    "OpenSSL %s: unexpected digest size",
                                    alg->ossl_md);
        }
        return 0;
    }
    s->mac = EVP_MAC_fetch(NULL, alg->ossl_mac, NULL);
    if (!s->mac) {
        return hostcrypto_error(err, ENOENT, "OpenSSL has no %s",
                                alg->ossl_mac);
    }
    if (alg->ossl_md) {
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                     (char *)alg->ossl_md, 0);
    } else {
        cipher = key_len == 16 ? "AES-128-CBC" :
                 key_len == 24 ? "AES-192-CBC" : "AES-256-CBC";
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
                                                     (char *)cipher, 0);
    }
    params[1] = OSSL_PARAM_construct_end();
    s->tmpl = EVP_MAC_CTX_new(s->mac);
    /* a NULL key would mean "keep the old key": an empty one is not NULL */
    if (!s->tmpl ||
        !EVP_MAC_init(s->tmpl, key_len ? key : &no_key, key_len, params) ||
        EVP_MAC_CTX_get_mac_size(s->tmpl) != alg->digest_len) {
        return hostcrypto_error(err, EINVAL, "OpenSSL rejected the %s key",
                                alg->name);
    }
    return 0;
}

static int ossl_digest(HostCryptoAuthSession *base, const uint8_t *src,
                       size_t len, uint8_t *digest)
{
    OsslAuthSession *s = (OsslAuthSession *)base;
    uint8_t full[HOSTCRYPTO_MAX_DIGEST_LEN];
    unsigned int mdlen = 0;
    size_t maclen = 0;
    EVP_MAC_CTX *ctx;
    int ret = -EIO;

    if (s->md) {
        if (!EVP_Digest(src, len, full, &mdlen, s->md, NULL) ||
            mdlen != base->alg->digest_len) {
            goto out;
        }
    } else {
        /* a per-request copy of the keyed context lets threads run at once */
        ctx = EVP_MAC_CTX_dup(s->tmpl);
        if (ctx && EVP_MAC_update(ctx, src, len) &&
            EVP_MAC_final(ctx, full, &maclen, sizeof(full)) &&
            maclen == base->alg->digest_len) {
            ret = 0;
        }
        EVP_MAC_CTX_free(ctx);
        if (ret < 0) {
            goto out;
        }
    }
    memcpy(digest, full, base->digest_len);
    ret = 0;
out:
    OPENSSL_cleanse(full, sizeof(full));
    return ret;
}

static int ossl_digest_iov(HostCryptoAuthSession *base,
                           const HostCryptoIov *src, size_t len,
                           uint8_t *digest)
{
    OsslAuthSession *s = (OsslAuthSession *)base;
    uint8_t full[HOSTCRYPTO_MAX_DIGEST_LEN];
    IovPos p = { .v = src };
    EVP_MD_CTX *md = NULL;
    EVP_MAC_CTX *mac = NULL;
    unsigned int mdlen = 0;
    size_t maclen = 0, n;
    int ret = -EIO;

    if (s->md) {
        md = EVP_MD_CTX_new();
        if (!md || !EVP_DigestInit_ex2(md, s->md, NULL)) {
            goto out;
        }
    } else {
        /* a per-request copy of the keyed context, as ossl_digest */
        mac = EVP_MAC_CTX_dup(s->tmpl);
        if (!mac) {
            goto out;
        }
    }
    while (len) {
        uint8_t *q = iov_pos_run(&p, len, &n);

        if (md ? !EVP_DigestUpdate(md, q, n) : !EVP_MAC_update(mac, q, n)) {
            goto out;
        }
        iov_pos_skip(&p, n);
        len -= n;
    }
    if (md ? !EVP_DigestFinal_ex(md, full, &mdlen) ||
             mdlen != base->alg->digest_len :
             !EVP_MAC_final(mac, full, &maclen, sizeof(full)) ||
             maclen != base->alg->digest_len) {
        goto out;
    }
    memcpy(digest, full, base->digest_len);
    ret = 0;
out:
    EVP_MD_CTX_free(md);
    EVP_MAC_CTX_free(mac);
    OPENSSL_cleanse(full, sizeof(full));
    return ret;
}

typedef struct OsslAeadSession {
    HostCryptoAeadSession base;
    EVP_CIPHER *cipher;
    /*
     * CCM fixes the tag and nonce lengths before the key, so every request
     * keys its own context; the core wipes this copy with the session.
     */
    uint8_t key[32];
} OsslAeadSession;

static int ossl_aead_fini(HostCryptoAeadSession *base)
{
    OsslAeadSession *s = (OsslAeadSession *)base;

    EVP_CIPHER_free(s->cipher);
    OPENSSL_cleanse(s->key, sizeof(s->key));
    return 0;
}

static int ossl_aead_init(HostCryptoAeadSession *base, const uint8_t *key,
                          HostCryptoError *err)
{
    OsslAeadSession *s = (OsslAeadSession *)base;
    const HostCryptoAeadAlg *alg = base->alg;
    int r;

    if (alg->key_len > sizeof(s->key)) {
        return hostcrypto_error(err, EINVAL, "%s: key too long", alg->name);
    }
    r = ossl_cipher_fetch(&s->cipher, alg->ossl, alg->key_len, err);
    if (r < 0) {
        return r;
    }
    memcpy(s->key, key, alg->key_len);
    return 0;
}

/*
 * A context keyed for one request, or NULL.  CCM fixes the tag length
 * (to decrypt: the tag) before the key; the others want the tag only to
 * decrypt.
 */
static EVP_CIPHER_CTX *ossl_aead_ctx(OsslAeadSession *s, const uint8_t *iv,
                                     size_t iv_len, uint8_t *tag)
{
    int enc = s->base.encrypt ? 1 : 0, tl = s->base.tag_len;
    bool ccm = s->base.alg->aead == HOSTCRYPTO_AEAD_CCM;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

    if (!ctx || !EVP_CipherInit_ex2(ctx, s->cipher, NULL, NULL, enc, NULL) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, iv_len, NULL) ||
        ((ccm || !enc) &&
         !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tl,
                              enc ? NULL : tag)) ||
        !EVP_CipherInit_ex2(ctx, NULL, s->key, iv, enc, NULL)) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/*
 * GCM and ChaCha20-Poly1305 take the aad and the data in any number of
 * calls; CCM only in one (ossl_aead(), and the core gathers for it).
 */
static int ossl_aead_iov(HostCryptoAeadSession *base, const uint8_t *iv,
                         size_t iv_len, const HostCryptoIov *aad,
                         size_t aad_len, const HostCryptoIov *src,
                         const HostCryptoIov *dst, size_t len, uint8_t *tag)
{
    OsslAeadSession *s = (OsslAeadSession *)base;
    int enc = base->encrypt ? 1 : 0, tl = base->tag_len;
    IovPos p = { .v = aad };
    EVP_CIPHER_CTX *ctx;
    uint8_t scratch[32];
    int outl = 0, finl = 0;
    size_t n;
    int ret = -EIO;

    if (base->alg->aead == HOSTCRYPTO_AEAD_CCM) {
        return -ENOTSUP;
    }
    ctx = ossl_aead_ctx(s, iv, iv_len, tag);
    if (!ctx) {
        goto out;
    }
    while (aad_len) {
        uint8_t *q = iov_pos_run(&p, aad_len, &n);

        if (n > INT32_MAX) {
            n = INT32_MAX;
        }
        if (!EVP_CipherUpdate(ctx, NULL, &outl, q, (int)n)) {
            goto out;
        }
        iov_pos_skip(&p, n);
        aad_len -= n;
    }
    /* both are stream ciphers: one byte "blocks" */
    ret = ossl_update_iov(ctx, 1, src, dst, len);
    if (ret < 0) {
        goto out;
    }
    ret = -EIO;
    if (!EVP_CipherFinal_ex(ctx, scratch, &finl)) {
        ret = enc ? -EIO : -EBADMSG;
        goto out;
    }
    if (finl != 0 ||
        (enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, tl, tag))) {
        goto out;
    }
    ret = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

/*
 * CCM fixes the message length first and takes the aad and the data in
 * one call each; GCM and ChaCha20-Poly1305 go through ossl_aead_iov().
 */
static int ossl_aead(HostCryptoAeadSession *base, const uint8_t *iv,
                     size_t iv_len, const uint8_t *aad, size_t aad_len,
                     const uint8_t *src, uint8_t *dst, size_t len,
                     uint8_t *tag)
{
    static const uint8_t empty;
    uint8_t scratch;
    OsslAeadSession *s = (OsslAeadSession *)base;
    int enc = base->encrypt ? 1 : 0, tl = base->tag_len;
    EVP_CIPHER_CTX *ctx;
    int outl = 0;
    int ret = -EIO;

    if (base->alg->aead != HOSTCRYPTO_AEAD_CCM) {
        struct iovec v[3] = {
            { .iov_base = (void *)aad, .iov_len = aad_len },
            { .iov_base = (void *)src, .iov_len = len },
            { .iov_base = dst, .iov_len = len },
        };
        HostCryptoIov a = { &v[0], 1 }, sv = { &v[1], 1 }, dv = { &v[2], 1 };

        return ossl_aead_iov(base, iv, iv_len, &a, aad_len, &sv, &dv, len,
                             tag);
    }
    if (len > INT32_MAX || aad_len > INT32_MAX) {
        return -EMSGSIZE;
    }
    ctx = ossl_aead_ctx(s, iv, iv_len, tag);
    if (!ctx) {
        goto out;
    }
    /* the message length first */
    if (!EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)len)) {
        goto out;
    }
    if (aad_len && !EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len)) {
        goto out;
    }
    /*
     * The tag is checked here, and the call is needed even for no data;
     * never a NULL output, which would be taken for more aad.
     */
    if (!EVP_CipherUpdate(ctx, len ? dst : &scratch, &outl,
                          len ? src : &empty, (int)len)) {
        ret = enc ? -EIO : -EBADMSG;
        goto out;
    }
    if ((size_t)outl != len ||
        (enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, tl, tag))) {
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
    .auth_session_size = sizeof(OsslAuthSession),
    .auth_init = ossl_auth_init,
    .auth_fini = ossl_auth_fini,
    .digest = ossl_digest,
    .aead_session_size = sizeof(OsslAeadSession),
    .aead_init = ossl_aead_init,
    .aead_fini = ossl_aead_fini,
    .aead = ossl_aead,
    .crypt_iov = ossl_crypt_iov,
    .digest_iov = ossl_digest_iov,
    .aead_iov = ossl_aead_iov,
};
