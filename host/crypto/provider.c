/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host crypto providers: the algorithm tables, opening and probing a
 * provider, and the calls that dispatch to its HostCryptoProvider table.
 */
/* explicit_bzero() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
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
#define CD_AES_GCM  50
#define CD_MD5      13
#define CD_SHA1     14
#define CD_SHA2_224 103
#define CD_SHA2_256 104
#define CD_SHA2_384 105
#define CD_SHA2_512 106
#define CD_MD5_HMAC 6
#define CD_SHA1_HMAC 7
#define CD_SHA2_224_HMAC 107
#define CD_SHA2_256_HMAC 18
#define CD_SHA2_384_HMAC 19
#define CD_SHA2_512_HMAC 20

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

#define HASH(name, algo, dlen, blk, ossl, cd) \
    { name, HOSTCRYPTO_SERVICE_HASH, HOSTCRYPTO_HASH_##algo, dlen, blk, \
      ossl, NULL, name, cd }
#define HMAC(name, algo, dlen, blk, ossl, cd) \
    { "hmac(" name ")", HOSTCRYPTO_SERVICE_MAC, HOSTCRYPTO_MAC_HMAC_##algo, \
      dlen, blk, ossl, "HMAC", "hmac(" name ")", cd }

const HostCryptoAuthAlg hostcrypto_auth_algs[HOSTCRYPTO_NAUTH] = {
    HASH("md5", MD5, 16, 64, "MD5", CD_MD5),
    HASH("sha1", SHA1, 20, 64, "SHA1", CD_SHA1),
    HASH("sha224", SHA_224, 28, 64, "SHA2-224", CD_SHA2_224),
    HASH("sha256", SHA_256, 32, 64, "SHA2-256", CD_SHA2_256),
    HASH("sha384", SHA_384, 48, 128, "SHA2-384", CD_SHA2_384),
    HASH("sha512", SHA_512, 64, 128, "SHA2-512", CD_SHA2_512),
    HASH("sha3-224", SHA3_224, 28, 144, "SHA3-224", 0),
    HASH("sha3-256", SHA3_256, 32, 136, "SHA3-256", 0),
    HASH("sha3-384", SHA3_384, 48, 104, "SHA3-384", 0),
    HASH("sha3-512", SHA3_512, 64, 72, "SHA3-512", 0),
    HMAC("md5", MD5, 16, 64, "MD5", CD_MD5_HMAC),
    HMAC("sha1", SHA1, 20, 64, "SHA1", CD_SHA1_HMAC),
    HMAC("sha224", SHA_224, 28, 64, "SHA2-224", CD_SHA2_224_HMAC),
    HMAC("sha256", SHA_256, 32, 64, "SHA2-256", CD_SHA2_256_HMAC),
    HMAC("sha384", SHA_384, 48, 128, "SHA2-384", CD_SHA2_384_HMAC),
    HMAC("sha512", SHA_512, 64, 128, "SHA2-512", CD_SHA2_512_HMAC),
    /* AES-128, -192 or -256 by the key's length */
    { "cmac(aes)", HOSTCRYPTO_SERVICE_MAC, HOSTCRYPTO_MAC_CMAC_AES, 16, 16,
      NULL, "CMAC", "cmac(aes)", 0 },
};

#undef HASH
#undef HMAC

/* Tag lengths: GCM as NIST SP 800-38D (and Linux), CCM as RFC 3610. */
#define GCM_TAGS ((1u << 4) | (1u << 8) | (0x1fu << 12))
#define CCM_TAGS 0x15550u
#define GCM(bits, key) \
    { "aes-" #bits "-gcm", HOSTCRYPTO_AEAD_GCM, key, 12, 1, \
      HOSTCRYPTO_MAX_AEAD_IV_LEN, GCM_TAGS, 16, "AES-" #bits "-GCM", \
      "gcm(aes)", CD_AES_GCM }
#define CCM(bits, key) \
    { "aes-" #bits "-ccm", HOSTCRYPTO_AEAD_CCM, key, 12, 7, 13, CCM_TAGS, 16, \
      "AES-" #bits "-CCM", "ccm(aes)", 0 }

const HostCryptoAeadAlg hostcrypto_aead_algs[HOSTCRYPTO_NAEAD] = {
    GCM(128, 16), GCM(192, 24), GCM(256, 32),
    CCM(128, 16), CCM(192, 24), CCM(256, 32),
    { "chacha20-poly1305", HOSTCRYPTO_AEAD_CHACHA20_POLY1305, 32, 12, 12, 12,
      1u << 16, 16, "ChaCha20-Poly1305", "rfc7539(chacha20,poly1305)", 0 },
};

#undef GCM
#undef CCM

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

/*
 * The entry of table (n entries of size bytes) whose uint32_t fields at
 * id_off and key_off are id and key (a cipher and its key length, a
 * service and its algorithm); *known: whether any entry has id.
 */
static const void *hostcrypto_table_find(const void *table, size_t n,
                                         size_t size, size_t id_off,
                                         size_t key_off, uint32_t id,
                                         uint32_t key, bool *known)
{
    const uint8_t *e = table;
    uint32_t v;
    size_t i;

    if (known) {
        *known = false;
    }
    for (i = 0; i < n; i++, e += size) {
        memcpy(&v, e + id_off, sizeof(v));
        if (v != id) {
            continue;
        }
        if (known) {
            *known = true;
        }
        memcpy(&v, e + key_off, sizeof(v));
        if (v == key) {
            return e;
        }
    }
    return NULL;
}

const HostCryptoAlg *hostcrypto_alg_find(uint32_t cipher, uint32_t key_len,
                                         bool *cipher_known)
{
    return hostcrypto_table_find(hostcrypto_algs, HOSTCRYPTO_NALGS,
                                 sizeof(HostCryptoAlg),
                                 offsetof(HostCryptoAlg, cipher),
                                 offsetof(HostCryptoAlg, key_len),
                                 cipher, key_len, cipher_known);
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

/* Wipe and free a session of size bytes; returns ret (its fini's) */
static int hostcrypto_session_wipe(void *s, size_t size, int ret)
{
    explicit_bzero(s, size);
    free(s);
    return ret;
}

int hostcrypto_session_free(HostCryptoSession *s)
{
    if (!s) {
        return 0;
    }
    return hostcrypto_session_wipe(s, s->hc->prov->session_size,
                                   s->hc->prov->session_fini(s));
}

int hostcrypto_crypt(HostCryptoSession *s, const uint8_t *iv,
                     const uint8_t *src, uint8_t *dst, size_t len)
{
    return s->hc->prov->crypt(s, iv, src, dst, len);
}

const HostCryptoAuthAlg *hostcrypto_auth_find(uint32_t service, uint32_t algo)
{
    return hostcrypto_table_find(hostcrypto_auth_algs, HOSTCRYPTO_NAUTH,
                                 sizeof(HostCryptoAuthAlg),
                                 offsetof(HostCryptoAuthAlg, service),
                                 offsetof(HostCryptoAuthAlg, algo),
                                 service, algo, NULL);
}

bool hostcrypto_auth_key_ok(const HostCryptoAuthAlg *alg, size_t key_len)
{
    if (alg->service == HOSTCRYPTO_SERVICE_HASH) {
        return key_len == 0;
    }
    if (alg->algo == HOSTCRYPTO_MAC_CMAC_AES) {
        return key_len == 16 || key_len == 24 || key_len == 32;
    }
    return key_len <= HOSTCRYPTO_MAX_AUTH_KEY_LEN;
}

HostCryptoAuthSession *hostcrypto_auth_session_new(HostCrypto *hc,
                                                   const HostCryptoAuthAlg *alg,
                                                   const uint8_t *key,
                                                   size_t key_len,
                                                   uint32_t digest_len,
                                                   HostCryptoError *err)
{
    const HostCryptoProvider *prov = hc->prov;
    HostCryptoAuthSession *s;

    if (!prov->auth_init) {
        hostcrypto_error(err, ENOTSUP, "provider %s has no hashes",
                         prov->name);
        return NULL;
    }
    if (!hostcrypto_auth_key_ok(alg, key_len) || (key_len && !key)) {
        hostcrypto_error(err, EINVAL, "%s: a %zu-byte key is not valid",
                         alg->name, key_len);
        return NULL;
    }
    if (digest_len == 0 || digest_len > alg->digest_len) {
        hostcrypto_error(err, EINVAL, "%s: no %u-byte digest", alg->name,
                         digest_len);
        return NULL;
    }
    s = calloc(1, prov->auth_session_size);
    if (!s) {
        hostcrypto_error(err, ENOMEM, "out of memory");
        return NULL;
    }
    s->hc = hc;
    s->alg = alg;
    s->digest_len = digest_len;
    if (prov->auth_init(s, key, key_len, err) < 0) {
        hostcrypto_auth_session_free(s);
        return NULL;
    }
    return s;
}

int hostcrypto_auth_session_free(HostCryptoAuthSession *s)
{
    if (!s) {
        return 0;
    }
    return hostcrypto_session_wipe(s, s->hc->prov->auth_session_size,
                                   s->hc->prov->auth_fini(s));
}

int hostcrypto_digest(HostCryptoAuthSession *s, const uint8_t *src,
                      size_t len, uint8_t *digest)
{
    return s->hc->prov->digest(s, src, len, digest);
}

const HostCryptoAeadAlg *hostcrypto_aead_find(uint32_t aead,
                                              uint32_t key_len,
                                              bool *aead_known)
{
    return hostcrypto_table_find(hostcrypto_aead_algs, HOSTCRYPTO_NAEAD,
                                 sizeof(HostCryptoAeadAlg),
                                 offsetof(HostCryptoAeadAlg, aead),
                                 offsetof(HostCryptoAeadAlg, key_len),
                                 aead, key_len, aead_known);
}

bool hostcrypto_aead_ok(const HostCrypto *hc, const HostCryptoAeadAlg *alg,
                        size_t iv_len, size_t tag_len)
{
    if (tag_len > HOSTCRYPTO_MAX_TAG_LEN || !(alg->tag_lens >> tag_len & 1)) {
        return false;
    }
    if (iv_len < alg->iv_min || iv_len > alg->iv_max) {
        return false;
    }
    /* CCM's nonce sets its length field; the others have one nonce size */
    return !hc->prov->aead_fixed_iv || alg->aead == HOSTCRYPTO_AEAD_CCM ||
           iv_len == alg->iv_len;
}

HostCryptoAeadSession *hostcrypto_aead_session_new(HostCrypto *hc,
                                                   const HostCryptoAeadAlg *alg,
                                                   bool encrypt,
                                                   const uint8_t *key,
                                                   uint32_t tag_len,
                                                   HostCryptoError *err)
{
    const HostCryptoProvider *prov = hc->prov;
    HostCryptoAeadSession *s;

    if (!prov->aead_init) {
        hostcrypto_error(err, ENOTSUP, "provider %s has no AEAD", prov->name);
        return NULL;
    }
    if (!hostcrypto_aead_ok(hc, alg, alg->iv_len, tag_len)) {
        hostcrypto_error(err, EINVAL, "%s: no %u-byte tag", alg->name,
                         tag_len);
        return NULL;
    }
    s = calloc(1, prov->aead_session_size);
    if (!s) {
        hostcrypto_error(err, ENOMEM, "out of memory");
        return NULL;
    }
    s->hc = hc;
    s->alg = alg;
    s->encrypt = encrypt;
    s->tag_len = tag_len;
    if (prov->aead_init(s, key, err) < 0) {
        hostcrypto_aead_session_free(s);
        return NULL;
    }
    return s;
}

int hostcrypto_aead_session_free(HostCryptoAeadSession *s)
{
    if (!s) {
        return 0;
    }
    return hostcrypto_session_wipe(s, s->hc->prov->aead_session_size,
                                   s->hc->prov->aead_fini(s));
}

/* An AEAD request's nonce and sizes: 0, -EINVAL or -EMSGSIZE. */
static int hostcrypto_aead_check(const HostCryptoAeadSession *s,
                                 size_t iv_len, size_t aad_len, size_t len)
{
    const HostCryptoProvider *prov = s->hc->prov;

    if (!hostcrypto_aead_ok(s->hc, s->alg, iv_len, s->tag_len)) {
        return -EINVAL;
    }
    if (aad_len > SIZE_MAX / 2 || len > SIZE_MAX / 2 ||
        (prov->max_len && aad_len + len + s->tag_len > prov->max_len)) {
        return -EMSGSIZE;
    }
    return 0;
}

int hostcrypto_aead(HostCryptoAeadSession *s, const uint8_t *iv,
                    size_t iv_len, const uint8_t *aad, size_t aad_len,
                    const uint8_t *src, uint8_t *dst, size_t len,
                    uint8_t *tag)
{
    int ret = hostcrypto_aead_check(s, iv_len, aad_len, len);

    if (ret < 0) {
        return ret;
    }
    ret = s->hc->prov->aead(s, iv, iv_len, aad, aad_len, src, dst, len, tag);
    if (ret == -EBADMSG && len) {
        /* no unauthenticated plaintext for the caller */
        explicit_bzero(dst, len);
    }
    return ret;
}

/* ---- scatter-gather requests ------------------------------------------ */

size_t hostcrypto_iov_size(const HostCryptoIov *v)
{
    size_t n = 0;
    unsigned int i;

    for (i = 0; i < v->cnt; i++) {
        n += v->iov[i].iov_len;
    }
    return n;
}

/* Copy between the iov at byte off and buf (to_iov: into the iov) */
static void hostcrypto_iov_copy(const HostCryptoIov *v, size_t off,
                                uint8_t *buf, size_t len, bool to_iov)
{
    unsigned int i;

    for (i = 0; i < v->cnt && len; i++) {
        uint8_t *p = v->iov[i].iov_base;
        size_t n = v->iov[i].iov_len;

        if (off >= n) {
            off -= n;
            continue;
        }
        n -= off;
        n = n < len ? n : len;
        memcpy(to_iov ? p + off : buf, to_iov ? buf : p + off, n);
        buf += n;
        len -= n;
        off = 0;
    }
}

void hostcrypto_iov_to_buf(const HostCryptoIov *v, size_t off, void *buf,
                           size_t len)
{
    hostcrypto_iov_copy(v, off, buf, len, false);
}

void hostcrypto_iov_from_buf(const HostCryptoIov *v, size_t off,
                             const void *buf, size_t len)
{
    hostcrypto_iov_copy(v, off, (uint8_t *)buf, len, true);
}

static void hostcrypto_iov_zero(const HostCryptoIov *v, size_t len)
{
    unsigned int i;

    for (i = 0; i < v->cnt && len; i++) {
        size_t n = v->iov[i].iov_len < len ? v->iov[i].iov_len : len;

        explicit_bzero(v->iov[i].iov_base, n);
        len -= n;
    }
}

/*
 * The first len bytes of v if they are one run of memory (entries that
 * follow each other, as a guest's contiguous pages map), else NULL.
 */
static uint8_t *hostcrypto_iov_flat(const HostCryptoIov *v, size_t len)
{
    uint8_t *start = NULL, *end = NULL;
    unsigned int i;

    for (i = 0; i < v->cnt && len; i++) {
        size_t n = v->iov[i].iov_len < len ? v->iov[i].iov_len : len;

        if (!n) {
            continue;
        }
        if (!start) {
            start = end = v->iov[i].iov_base;
        } else if (v->iov[i].iov_base != end) {
            return NULL;
        }
        end += n;
        len -= n;
    }
    return start;
}

/* One stretch of memory holding bytes [off, off + len) of a request. */
typedef struct IovRun {
    uintptr_t start, end;
    uintptr_t base;           /* start - off: equal bases, same offsets */
} IovRun;

static int hostcrypto_run_cmp(const void *a, const void *b)
{
    const IovRun *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

/* The runs of the first len bytes of v; their count, -1 if no memory. */
static int hostcrypto_iov_runs(const HostCryptoIov *v, size_t len,
                               IovRun **runs)
{
    size_t off = 0;
    unsigned int i;
    int n = 0;

    *runs = malloc((v->cnt ? v->cnt : 1) * sizeof(**runs));
    if (!*runs) {
        return -1;
    }
    for (i = 0; i < v->cnt && off < len; i++) {
        size_t l = v->iov[i].iov_len < len - off ? v->iov[i].iov_len :
                   len - off;
        uintptr_t p = (uintptr_t)v->iov[i].iov_base;

        if (l) {
            (*runs)[n++] = (IovRun) { p, p + l, p - off };
        }
        off += l;
    }
    return n;
}

/*
 * Whether some byte of dst is some byte of src at another offset: then
 * writing dst as src is read would change what is still to be read.
 * In place (the same memory at the same offsets) is fine.  -ENOMEM,
 * 1 for such an overlap (or too many runs overlapping each other to
 * tell cheaply: copying src is right either way), else 0.  Sorted runs:
 * O((n + m) log(n + m)).
 */
static int hostcrypto_iov_overlap(const HostCryptoIov *src,
                                  const HostCryptoIov *dst, size_t len)
{
    IovRun *s = NULL, *d = NULL;
    uintptr_t *dmax = NULL;
    int ns, nd, i, j, lo, hi, budget, ret = -ENOMEM;

    /* the usual cases first: one run each */
    if (src->cnt == 1 && dst->cnt == 1) {
        uintptr_t a = (uintptr_t)src->iov[0].iov_base;
        uintptr_t b = (uintptr_t)dst->iov[0].iov_base;

        return a != b && a < b + len && b < a + len;
    }
    ns = hostcrypto_iov_runs(src, len, &s);
    nd = hostcrypto_iov_runs(dst, len, &d);
    if (ns < 0 || nd < 0) {
        goto out;
    }
    qsort(d, nd, sizeof(*d), hostcrypto_run_cmp);
    /* dmax[j]: the furthest end of d[0..j] */
    dmax = malloc((nd ? nd : 1) * sizeof(*dmax));
    if (!dmax) {
        goto out;
    }
    for (j = 0; j < nd; j++) {
        dmax[j] = j && dmax[j - 1] > d[j].end ? dmax[j - 1] : d[j].end;
    }
    ret = 0;
    budget = 4 * (ns + nd);
    for (i = 0; i < ns && !ret; i++) {
        /* the last dst run that starts before this src run ends */
        lo = 0;
        hi = nd;
        while (lo < hi) {
            int mid = (lo + hi) / 2;

            if (d[mid].start < s[i].end) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (j = lo - 1; j >= 0 && dmax[j] > s[i].start; j--) {
            if (--budget < 0 ||
                (d[j].end > s[i].start && d[j].base != s[i].base)) {
                ret = 1;
                break;
            }
        }
    }
out:
    free(dmax);
    free(s);
    free(d);
    return ret;
}

/*
 * Make *src safe to read while dst is written: if dst overlaps it other
 * than in place, *src becomes a copy (*copy, to free; over *flat, in
 * *one).  0 or -ENOMEM.
 */
static int hostcrypto_iov_apart(const HostCryptoIov **src,
                                const HostCryptoIov *dst, size_t len,
                                uint8_t **copy, struct iovec *flat,
                                HostCryptoIov *one)
{
    int ret = hostcrypto_iov_overlap(*src, dst, len);

    if (ret <= 0) {
        return ret;
    }
    *copy = malloc(len ? len : 1);
    if (!*copy) {
        return -ENOMEM;
    }
    hostcrypto_iov_to_buf(*src, 0, *copy, len);
    *flat = (struct iovec) { .iov_base = *copy, .iov_len = len };
    *one = (HostCryptoIov) { .iov = flat, .cnt = 1 };
    *src = one;
    return 0;
}

/* Wipe and free a gather buffer of len bytes (NULL is fine). */
static void hostcrypto_buf_free(uint8_t *buf, size_t len)
{
    if (buf) {
        explicit_bzero(buf, len);
        free(buf);
    }
}

/*
 * Contiguous memory for the first len bytes of v: v's own if flat, else
 * a new buffer (*tmp, to free) holding a copy if copy_in.
 */
static uint8_t *hostcrypto_iov_contig(const HostCryptoIov *v, size_t len,
                                      bool copy_in, uint8_t **tmp)
{
    uint8_t *p = hostcrypto_iov_flat(v, len);

    *tmp = NULL;
    if (p || !len) {
        return p;
    }
    *tmp = malloc(len);
    if (*tmp && copy_in) {
        hostcrypto_iov_to_buf(v, 0, *tmp, len);
    }
    return *tmp;
}

/*
 * src and dst in one piece each for a provider's flat op: their own
 * memory where it is, else buffers (*tmp, src's holding a copy).
 */
typedef struct HostCryptoBounce {
    uint8_t *sp, *dp;
    uint8_t *stmp, *dtmp;
} HostCryptoBounce;

/* 0, or -ENOMEM (b is to be put either way) */
static int hostcrypto_bounce_get(HostCryptoBounce *b, const HostCryptoIov *src,
                                 const HostCryptoIov *dst, size_t len)
{
    b->sp = hostcrypto_iov_contig(src, len, true, &b->stmp);
    b->dp = hostcrypto_iov_contig(dst, len, false, &b->dtmp);
    return len && (!b->sp || !b->dp) ? -ENOMEM : 0;
}

/* After the flat op returned ret: its output into dst if it worked. */
static void hostcrypto_bounce_put(HostCryptoBounce *b,
                                  const HostCryptoIov *dst, size_t len,
                                  int ret)
{
    if (ret == 0 && b->dtmp) {
        hostcrypto_iov_from_buf(dst, 0, b->dtmp, len);
    }
    hostcrypto_buf_free(b->stmp, len);
    hostcrypto_buf_free(b->dtmp, len);
}

static bool hostcrypto_iov_short(const HostCryptoIov *v, size_t len)
{
    return hostcrypto_iov_size(v) < len;
}

int hostcrypto_crypt_iov(HostCryptoSession *s, const uint8_t *iv,
                         const HostCryptoIov *src, const HostCryptoIov *dst,
                         size_t len)
{
    const HostCryptoProvider *prov = s->hc->prov;
    uint8_t *copy = NULL;
    HostCryptoBounce b;
    HostCryptoIov one;
    struct iovec flat;
    int ret;

    if (hostcrypto_iov_short(src, len) || hostcrypto_iov_short(dst, len)) {
        return -EINVAL;
    }
    ret = hostcrypto_iov_apart(&src, dst, len, &copy, &flat, &one);
    if (ret < 0) {
        return ret;
    }
    ret = -ENOTSUP;
    if (prov->crypt_iov) {
        ret = prov->crypt_iov(s, iv, src, dst, len);
    }
    if (ret == -ENOTSUP) {
        /* the provider wants it in one piece */
        ret = hostcrypto_bounce_get(&b, src, dst, len);
        if (ret == 0) {
            ret = prov->crypt(s, iv, b.sp, b.dp, len);
        }
        hostcrypto_bounce_put(&b, dst, len, ret);
    }
    hostcrypto_buf_free(copy, len);
    return ret;
}

int hostcrypto_digest_iov(HostCryptoAuthSession *s, const HostCryptoIov *src,
                          size_t len, uint8_t *digest)
{
    const HostCryptoProvider *prov = s->hc->prov;
    uint8_t *tmp, *p;
    int ret = -ENOTSUP;

    if (hostcrypto_iov_short(src, len)) {
        return -EINVAL;
    }
    if (prov->digest_iov) {
        ret = prov->digest_iov(s, src, len, digest);
    }
    if (ret == -ENOTSUP) {
        p = hostcrypto_iov_contig(src, len, true, &tmp);
        ret = len && !p ? -ENOMEM : prov->digest(s, p, len, digest);
        hostcrypto_buf_free(tmp, len);
    }
    return ret;
}

int hostcrypto_aead_iov(HostCryptoAeadSession *s, const uint8_t *iv,
                        size_t iv_len, const HostCryptoIov *aad,
                        size_t aad_len, const HostCryptoIov *src,
                        const HostCryptoIov *dst, size_t len, uint8_t *tag)
{
    const HostCryptoProvider *prov = s->hc->prov;
    uint8_t *copy = NULL, *atmp, *ap;
    HostCryptoBounce b;
    HostCryptoIov one;
    struct iovec flat;
    int ret;

    if (hostcrypto_iov_short(aad, aad_len) ||
        hostcrypto_iov_short(src, len) || hostcrypto_iov_short(dst, len)) {
        return -EINVAL;
    }
    ret = hostcrypto_aead_check(s, iv_len, aad_len, len);
    if (ret < 0) {
        return ret;
    }
    /* the aad is read whole before any output: only src matters */
    ret = hostcrypto_iov_apart(&src, dst, len, &copy, &flat, &one);
    if (ret < 0) {
        return ret;
    }
    ret = -ENOTSUP;
    if (prov->aead_iov) {
        ret = prov->aead_iov(s, iv, iv_len, aad, aad_len, src, dst, len,
                             tag);
    }
    if (ret == -ENOTSUP) {
        ap = hostcrypto_iov_contig(aad, aad_len, true, &atmp);
        ret = hostcrypto_bounce_get(&b, src, dst, len);
        if (ret == 0 && aad_len && !ap) {
            ret = -ENOMEM;
        }
        if (ret == 0) {
            ret = prov->aead(s, iv, iv_len, ap, aad_len, b.sp, b.dp, len,
                             tag);
        }
        hostcrypto_bounce_put(&b, dst, len, ret);
        hostcrypto_buf_free(atmp, aad_len);
    }
    if (ret == -EBADMSG) {
        /* no unauthenticated plaintext for the caller */
        hostcrypto_iov_zero(dst, len);
    }
    hostcrypto_buf_free(copy, len);
    return ret;
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

/*
 * Hash/MAC probe: digests of a test message equal to OpenSSL's, for every
 * key length class (HMAC: empty, short, longer than a block; CMAC: each
 * AES key size).
 */
static bool hostcrypto_auth_probe(HostCrypto *hc, const HostCryptoAuthAlg *alg)
{
    static const size_t hmac_keys[] = { 0, 20, 200 };
    static const size_t cmac_keys[] = { 16, 24, 32 };
    static const size_t no_key[] = { 0 };
    HostCrypto ref = { .prov = &hostcrypto_openssl, .fd = -1 };
    uint8_t key[200], msg[300], d[HOSTCRYPTO_MAX_DIGEST_LEN];
    uint8_t refd[HOSTCRYPTO_MAX_DIGEST_LEN];
    const size_t *keys = no_key;
    size_t nkeys = 1, i;
    bool ok = true;

    if (alg->service == HOSTCRYPTO_SERVICE_MAC) {
        keys = alg->algo == HOSTCRYPTO_MAC_CMAC_AES ? cmac_keys : hmac_keys;
        nkeys = 3;
    }
    for (i = 0; i < sizeof(key); i++) {
        key[i] = i * 13 + 1;
    }
    for (i = 0; i < sizeof(msg); i++) {
        msg[i] = i * 7 + 3;
    }
    for (i = 0; ok && i < nkeys; i++) {
        HostCryptoAuthSession *s, *r;

        s = hostcrypto_auth_session_new(hc, alg, key, keys[i],
                                        alg->digest_len, NULL);
        r = hostcrypto_auth_session_new(&ref, alg, key, keys[i],
                                        alg->digest_len, NULL);
        ok = s && r && hostcrypto_digest(s, msg, sizeof(msg), d) == 0 &&
             hostcrypto_digest(r, msg, sizeof(msg), refd) == 0 &&
             !memcmp(d, refd, alg->digest_len);
        hostcrypto_auth_session_free(s);
        hostcrypto_auth_session_free(r);
    }
    return ok;
}

/*
 * AEAD probe: ciphertext and tag equal to OpenSSL's, decrypted back, and
 * a flipped tag bit refused, also on an empty message.
 */
static bool hostcrypto_aead_probe(HostCrypto *hc, const HostCryptoAeadAlg *alg)
{
    HostCrypto ref = { .prov = &hostcrypto_openssl, .fd = -1 };
    uint8_t key[32], iv[HOSTCRYPTO_MAX_AEAD_IV_LEN], aad[20];
    uint8_t pt[70], ct[70], back[70], refct[70];
    uint8_t tag[HOSTCRYPTO_MAX_TAG_LEN], reftag[HOSTCRYPTO_MAX_TAG_LEN];
    HostCryptoAeadSession *enc, *dec, *rsess = NULL;
    uint32_t tl = alg->tag_max;
    bool ok = false;
    size_t i;

    for (i = 0; i < sizeof(key); i++) {
        key[i] = i * 5 + 9;
    }
    for (i = 0; i < sizeof(pt); i++) {
        pt[i] = i * 7 + 3;
    }
    memset(iv, 0x5a, sizeof(iv));
    memset(aad, 0xc3, sizeof(aad));

    enc = hostcrypto_aead_session_new(hc, alg, true, key, tl, NULL);
    dec = hostcrypto_aead_session_new(hc, alg, false, key, tl, NULL);
    rsess = hostcrypto_aead_session_new(&ref, alg, true, key, tl, NULL);
    if (!enc || !dec || !rsess ||
        hostcrypto_aead(enc, iv, alg->iv_len, aad, sizeof(aad), pt, ct,
                        sizeof(pt), tag) < 0 ||
        hostcrypto_aead(rsess, iv, alg->iv_len, aad, sizeof(aad), pt, refct,
                        sizeof(pt), reftag) < 0 ||
        memcmp(ct, refct, sizeof(ct)) || memcmp(tag, reftag, tl) ||
        hostcrypto_aead(dec, iv, alg->iv_len, aad, sizeof(aad), ct, back,
                        sizeof(ct), tag) < 0 ||
        memcmp(back, pt, sizeof(pt))) {
        goto out;
    }
    tag[0] ^= 1;
    if (hostcrypto_aead(dec, iv, alg->iv_len, aad, sizeof(aad), ct, back,
                        sizeof(ct), tag) != -EBADMSG) {
        goto out;
    }
    /* also with nothing to decrypt, the tag alone (AF_ALG skips that) */
    if (hostcrypto_aead(enc, iv, alg->iv_len, NULL, 0, pt, ct, 0,
                        tag) < 0 ||
        hostcrypto_aead(dec, iv, alg->iv_len, NULL, 0, ct, back, 0,
                        tag) < 0) {
        goto out;
    }
    tag[tl - 1] ^= 0x80;
    ok = hostcrypto_aead(dec, iv, alg->iv_len, NULL, 0, ct, back, 0,
                         tag) == -EBADMSG;
out:
    hostcrypto_aead_session_free(rsess);
    hostcrypto_aead_session_free(enc);
    hostcrypto_aead_session_free(dec);
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
    for (i = 0; i < HOSTCRYPTO_NAUTH; i++) {
        hc->auth_ok[i] = hostcrypto_auth_probe(hc, &hostcrypto_auth_algs[i]);
        any |= hc->auth_ok[i];
    }
    for (i = 0; i < HOSTCRYPTO_NAEAD; i++) {
        hc->aead_ok[i] = hostcrypto_aead_probe(hc, &hostcrypto_aead_algs[i]);
        any |= hc->aead_ok[i];
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

static void caps_probed(void (*probed)(void *, const char *, bool),
                        void *opaque, const char *alg, bool ok)
{
    if (probed) {
        probed(opaque, alg, ok);
    }
}

void hostcrypto_caps(const HostCrypto *hc, HostCryptoCaps *caps,
                     void (*probed)(void *opaque, const char *alg, bool ok),
                     void *opaque)
{
    size_t i;

    memset(caps, 0, sizeof(*caps));
    for (i = 0; i < HOSTCRYPTO_NALGS; i++) {
        const HostCryptoAlg *a = &hostcrypto_algs[i];

        caps_probed(probed, opaque, a->name, hc->alg_ok[i]);
        if (hc->alg_ok[i]) {
            caps->services |= 1u << HOSTCRYPTO_SERVICE_CIPHER;
            caps->cipher_algo_l |= 1u << a->cipher;
            if (a->key_len > caps->max_cipher_key_len) {
                caps->max_cipher_key_len = a->key_len;
            }
        }
    }
    for (i = 0; i < HOSTCRYPTO_NAUTH; i++) {
        const HostCryptoAuthAlg *a = &hostcrypto_auth_algs[i];

        caps_probed(probed, opaque, a->name, hc->auth_ok[i]);
        if (!hc->auth_ok[i]) {
            continue;
        }
        caps->services |= 1u << a->service;
        if (a->service == HOSTCRYPTO_SERVICE_HASH) {
            caps->hash_algo |= 1u << a->algo;
            continue;
        }
        caps->mac = true;
        if (a->algo < 32) {
            caps->mac_algo_l |= 1u << a->algo;
        } else {
            caps->mac_algo_h |= 1u << (a->algo - 32);
        }
    }
    for (i = 0; i < HOSTCRYPTO_NAEAD; i++) {
        const HostCryptoAeadAlg *a = &hostcrypto_aead_algs[i];

        caps_probed(probed, opaque, a->name, hc->aead_ok[i]);
        if (hc->aead_ok[i]) {
            caps->services |= 1u << HOSTCRYPTO_SERVICE_AEAD;
            caps->aead_algo |= 1u << a->aead;
            if (a->key_len > caps->max_cipher_key_len) {
                caps->max_cipher_key_len = a->key_len;
            }
        }
    }
}
