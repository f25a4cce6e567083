// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host crypto provider library (host/crypto) alone, as a host program
 * other than QEMU links it.  Every provider this host has (openssl always;
 * afalg and devcrypto where the kernel offers them; with --all, a
 * provider that does not open fails)
 * must encrypt and decrypt every algorithm it passed its probe for to the
 * same bytes as OpenSSL's EVP interface called here directly, from
 * several sessions and threads at once, and leave the IV alone.  Hashes,
 * MACs and AEAD likewise: known answers (FIPS 180-4, RFC 1321, RFC 2202,
 * RFC 4231, RFC 4493, the GCM specification's test cases, RFC 3610,
 * RFC 8439), random messages up to 1 MiB against OpenSSL, empty keys
 * and messages, truncated digests and tags, refused tampering.  Prints
 * TAP.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "../../host/crypto/provider.h"
#include "tap.h"

#define NTHREADS 4

static bool require_all;

/* OpenSSL's answer, the reference. */
static int ref_crypt(const HostCryptoAlg *alg, int enc, const uint8_t *key,
                     const uint8_t *iv, const uint8_t *in, uint8_t *out,
                     size_t len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    const EVP_CIPHER *c = EVP_get_cipherbyname(alg->ossl);
    int n1 = 0, n2 = 0, good;

    good = ctx && c &&
           EVP_CipherInit_ex(ctx, c, NULL, key, alg->iv_len ? iv : NULL,
                             enc) &&
           EVP_CIPHER_CTX_set_padding(ctx, 0) &&
           EVP_CipherUpdate(ctx, out, &n1, in, (int)len) &&
           EVP_CipherFinal_ex(ctx, out + n1, &n2) &&
           (size_t)(n1 + n2) == len;
    EVP_CIPHER_CTX_free(ctx);
    return good ? 0 : -1;
}

typedef struct Job {
    HostCryptoSession *enc, *dec;
    const uint8_t *iv, *pt, *ct;
    size_t len;
    int bad;
} Job;

/* One thread: a round trip through both sessions, checked. */
static void *run_job(void *opaque)
{
    Job *j = opaque;
    uint8_t *out = malloc(j->len), *back = malloc(j->len);
    uint8_t iv[HOSTCRYPTO_MAX_IV_LEN];
    int i;

    memcpy(iv, j->iv, sizeof(iv));
    for (i = 0; i < 8 && out && back; i++) {
        if (hostcrypto_crypt(j->enc, iv, j->pt, out, j->len) < 0 ||
            memcmp(out, j->ct, j->len) ||
            hostcrypto_crypt(j->dec, iv, out, back, j->len) < 0 ||
            memcmp(back, j->pt, j->len) || memcmp(iv, j->iv, sizeof(iv))) {
            j->bad++;
        }
    }
    if (!out || !back) {
        j->bad++;
    }
    free(out);
    free(back);
    return NULL;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    size_t i;

    for (i = 0; i < n; i++) {
        seed = seed * 1103515245 + 12345;
        p[i] = seed >> 16;
    }
}

/* Returns the number of failed checks. */
static int test_len(HostCrypto *hc, const HostCryptoAlg *alg,
                    const uint8_t *key, const uint8_t *iv, size_t len)
{
    uint8_t *pt = malloc(len), *ct = malloc(len);
    Job job = { .iv = iv, .pt = pt, .ct = ct, .len = len };
    pthread_t th[NTHREADS];
    int i, started = 0, bad = 0;

    if (!pt || !ct) {
        bad = 1;
        goto out;
    }
    fill(pt, len, len);
    job.enc = hostcrypto_session_new(hc, alg, true, key, NULL);
    job.dec = hostcrypto_session_new(hc, alg, false, key, NULL);
    bad = !job.enc || !job.dec ||
          ref_crypt(alg, 1, key, iv, pt, ct, len) < 0;
    while (!bad && started < NTHREADS) {
        bad = pthread_create(&th[started], NULL, run_job, &job) != 0;
        started += !bad;
    }
    for (i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
    }
    bad += job.bad;
    bad += hostcrypto_session_free(job.enc) < 0;
    bad += hostcrypto_session_free(job.dec) < 0;
out:
    free(pt);
    free(ct);
    return bad;
}

static void test_alg(HostCrypto *hc, const HostCryptoAlg *alg)
{
    /* one block; one and a bit pages (not whole blocks where allowed); big */
    size_t lens[] = { alg->min_len, 4096 + alg->block * 3, 65536 };
    uint8_t key[HOSTCRYPTO_MAX_KEY_LEN], iv[HOSTCRYPTO_MAX_IV_LEN];
    size_t k;
    int bad = 0;

    fill(key, sizeof(key), alg->cipher * 100 + alg->key_len);
    fill(iv, sizeof(iv), 7);
    for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        if (!hostcrypto_len_ok(hc, alg, lens[k])) {
            /* devcrypto: XTS in whole blocks only */
            lens[k] -= lens[k] % alg->min_len;
        }
        bad += test_len(hc, alg, key, iv, lens[k]);
    }
    ok(!bad, "%s %s: %zu, %zu and %zu bytes, %d threads on two sessions, "
       "equal to OpenSSL, there and back", hc->prov->name, alg->name,
       lens[0], lens[1], lens[2], NTHREADS);
}

/* ---- hashes, MACs and AEAD ---- */

/* Hex to bytes; returns the length. */
static size_t unhex(const char *h, uint8_t *out, size_t max)
{
    size_t n = 0;
    unsigned v;

    while (h[0] && h[1] && n < max && sscanf(h, "%2x", &v) == 1) {
        out[n++] = v;
        h += 2;
    }
    return n;
}

/* OpenSSL's one-shot digest or MAC, the reference; full length. */
static int ref_auth(const HostCryptoAuthAlg *alg, const uint8_t *key,
                    size_t key_len, const uint8_t *msg, size_t len,
                    uint8_t *out)
{
    static const uint8_t no_key;
    char cipher[16];
    size_t outl = 0;
    unsigned int mdl = 0;

    if (alg->service == HOSTCRYPTO_SERVICE_HASH) {
        return EVP_Digest(msg, len, out, &mdl,
                          EVP_get_digestbyname(alg->ossl_md), NULL) &&
               mdl == alg->digest_len ? 0 : -1;
    }
    snprintf(cipher, sizeof(cipher), "AES-%zu-CBC", key_len * 8);
    /* the sub-algorithm: HMAC's digest or CMAC's cipher */
    return EVP_Q_mac(NULL, alg->ossl_mac, NULL,
                     alg->ossl_md ? alg->ossl_md : cipher, NULL,
                     key_len ? key : &no_key, key_len, msg, len, out,
                     HOSTCRYPTO_MAX_DIGEST_LEN, &outl) &&
           outl == alg->digest_len ? 0 : -1;
}

/* One digest on a fresh session; 0 if it equals want (digest_len bytes) */
static int auth_once(HostCrypto *hc, const HostCryptoAuthAlg *alg,
                     const uint8_t *key, size_t key_len, uint32_t dlen,
                     const uint8_t *msg, size_t len, const uint8_t *want)
{
    uint8_t d[HOSTCRYPTO_MAX_DIGEST_LEN + 1];
    HostCryptoAuthSession *a;
    int bad;

    a = hostcrypto_auth_session_new(hc, alg, key, key_len, dlen, NULL);
    memset(d, 0xee, sizeof(d));
    bad = !a || hostcrypto_digest(a, msg, len, d) < 0 ||
          memcmp(d, want, dlen) || d[dlen] != 0xee;
    bad += hostcrypto_auth_session_free(a) < 0;
    return bad;
}

typedef struct AuthKat {
    uint32_t service, algo;
    const char *key;          /* hex; "" for none; NULL: repeat below */
    size_t key_rep;           /* key is key_rep bytes of key[0..1] */
    const char *msg;          /* text */
    size_t msg_rep;           /* msg repeated msg_rep times (0: once) */
    const char *want;         /* hex, may be truncated */
} AuthKat;

#define H HOSTCRYPTO_SERVICE_HASH
#define M HOSTCRYPTO_SERVICE_MAC
static const char abc448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char abc896[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
static const char hidata[] = "Hi There";
static const char jefe_msg[] = "what do ya want for nothing?";
static const char big_key_msg[] =
    "Test Using Larger Than Block-Size Key - Hash Key First";

static const AuthKat auth_kats[] = {
    /* RFC 1321 */
    { H, HOSTCRYPTO_HASH_MD5, "", 0, "", 0,
      "d41d8cd98f00b204e9800998ecf8427e" },
    { H, HOSTCRYPTO_HASH_MD5, "", 0, "abc", 0,
      "900150983cd24fb0d6963f7d28e17f72" },
    /* FIPS 180-4 examples (NIST's example values) */
    { H, HOSTCRYPTO_HASH_SHA1, "", 0, "abc", 0,
      "a9993e364706816aba3e25717850c26c9cd0d89d" },
    { H, HOSTCRYPTO_HASH_SHA1, "", 0, abc448, 0,
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
    { H, HOSTCRYPTO_HASH_SHA1, "", 0, "a", 1000000,
      "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
    { H, HOSTCRYPTO_HASH_SHA_224, "", 0, "abc", 0,
      "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
    { H, HOSTCRYPTO_HASH_SHA_256, "", 0, "", 0,
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { H, HOSTCRYPTO_HASH_SHA_256, "", 0, "abc", 0,
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { H, HOSTCRYPTO_HASH_SHA_256, "", 0, abc448, 0,
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { H, HOSTCRYPTO_HASH_SHA_384, "", 0, "abc", 0,
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
      "8086072ba1e7cc2358baeca134c825a7" },
    { H, HOSTCRYPTO_HASH_SHA_512, "", 0, "abc", 0,
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
    { H, HOSTCRYPTO_HASH_SHA_512, "", 0, abc896, 0,
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
      "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
    /* FIPS 202 example "abc" */
    { H, HOSTCRYPTO_HASH_SHA3_256, "", 0, "abc", 0,
      "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532" },
    /* RFC 2202 */
    { M, HOSTCRYPTO_MAC_HMAC_MD5, "0b", 16, hidata, 0,
      "9294727a3638bb1c13f48ef8158bfc9d" },
    { M, HOSTCRYPTO_MAC_HMAC_MD5, "4a656665", 0, jefe_msg, 0,
      "750c783e6ab0b503eaa86e310a5db738" },
    { M, HOSTCRYPTO_MAC_HMAC_MD5, "aa", 80, big_key_msg, 0,
      "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd" },
    { M, HOSTCRYPTO_MAC_HMAC_SHA1, "0b", 20, hidata, 0,
      "b617318655057264e28bc0b6fb378c8ef146be00" },
    { M, HOSTCRYPTO_MAC_HMAC_SHA1, "4a656665", 0, jefe_msg, 0,
      "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
    { M, HOSTCRYPTO_MAC_HMAC_SHA1, "aa", 80, big_key_msg, 0,
      "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
    /* RFC 4231 cases 1, 2, 5 (truncated to 128 bits) and 6 */
    { M, HOSTCRYPTO_MAC_HMAC_SHA_224, "0b", 20, hidata, 0,
      "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22" },
    { M, HOSTCRYPTO_MAC_HMAC_SHA_256, "0b", 20, hidata, 0,
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
    { M, HOSTCRYPTO_MAC_HMAC_SHA_256, "4a656665", 0, jefe_msg, 0,
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
    { M, HOSTCRYPTO_MAC_HMAC_SHA_256, "0c", 20, "Test With Truncation", 0,
      "a3b6167473100ee06e0c796c2955552b" },
    { M, HOSTCRYPTO_MAC_HMAC_SHA_256, "aa", 131, big_key_msg, 0,
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
    { M, HOSTCRYPTO_MAC_HMAC_SHA_384, "0b", 20, hidata, 0,
      "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
      "faea9ea9076ede7f4af152e8b2fa9cb6" },
    { M, HOSTCRYPTO_MAC_HMAC_SHA_512, "0b", 20, hidata, 0,
      "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
      "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
    /* RFC 4493 (AES-128) */
    { M, HOSTCRYPTO_MAC_CMAC_AES, "2b7e151628aed2a6abf7158809cf4f3c", 0,
      "", 0, "bb1d6929e95937287fa37d129b756746" },
};
#undef H
#undef M

static void test_auth_kats(HostCrypto *hc)
{
    uint8_t key[HOSTCRYPTO_MAX_AUTH_KEY_LEN], want[HOSTCRYPTO_MAX_DIGEST_LEN];
    const HostCryptoAuthAlg *alg;
    size_t i, r, key_len, want_len, mlen, n = 0, bad = 0;
    char names[512] = "";
    uint8_t *msg;

    for (i = 0; i < sizeof(auth_kats) / sizeof(auth_kats[0]); i++) {
        const AuthKat *k = &auth_kats[i];

        alg = hostcrypto_auth_find(k->service, k->algo);
        if (!alg || !hc->auth_ok[alg - hostcrypto_auth_algs]) {
            continue;
        }
        key_len = unhex(k->key, key, sizeof(key));
        if (k->key_rep) {
            memset(key, key[0], k->key_rep);
            key_len = k->key_rep;
        }
        want_len = unhex(k->want, want, sizeof(want));
        mlen = strlen(k->msg) * (k->msg_rep ? k->msg_rep : 1);
        msg = malloc(mlen + 1);
        for (r = 0; msg && r < (k->msg_rep ? k->msg_rep : 1); r++) {
            memcpy(msg + r * strlen(k->msg), k->msg, strlen(k->msg));
        }
        n++;
        if (!msg || auth_once(hc, alg, key, key_len, want_len, msg, mlen,
                              want)) {
            bad++;
            snprintf(names + strlen(names), sizeof(names) - strlen(names),
                     " %s#%zu", alg->name, i);
        }
        free(msg);
    }
    ok(!bad && n, "%s: %zu hash/MAC known answers (FIPS 180-4, RFC 1321, "
       "2202, 4231, 4493)%s%s", hc->prov->name, n, bad ? "; failed:" : "",
       names);
}

typedef struct AuthJob {
    HostCryptoAuthSession *s;
    const uint8_t *msg, *want;
    size_t len;
    int bad;
} AuthJob;

static void *run_auth_job(void *opaque)
{
    AuthJob *j = opaque;
    uint8_t d[HOSTCRYPTO_MAX_DIGEST_LEN];
    int i;

    for (i = 0; i < 8; i++) {
        if (hostcrypto_digest(j->s, j->msg, j->len, d) < 0 ||
            memcmp(d, j->want, j->s->digest_len)) {
            j->bad++;
        }
    }
    return NULL;
}

static void test_auth_alg(HostCrypto *hc, const HostCryptoAuthAlg *alg)
{
    static const size_t lens[] = {
        0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 4096 + 13,
        65536, 65536 + 1, 1 << 20,
    };
    bool hmac = alg->service == HOSTCRYPTO_SERVICE_MAC && alg->ossl_md;
    bool cmac = alg->service == HOSTCRYPTO_SERVICE_MAC && !alg->ossl_md;
    size_t hmac_keys[] = { 0, 1, alg->block - 1, alg->block,
                           alg->block + 1, HOSTCRYPTO_MAX_AUTH_KEY_LEN };
    size_t cmac_keys[] = { 16, 24, 32 }, no_key[] = { 0 };
    size_t *keys = hmac ? hmac_keys : cmac ? cmac_keys : no_key;
    size_t nkeys = hmac ? 6 : cmac ? 3 : 1;
    uint8_t key[HOSTCRYPTO_MAX_AUTH_KEY_LEN], want[HOSTCRYPTO_MAX_DIGEST_LEN];
    uint8_t *msg = malloc(1 << 20);
    HostCryptoAuthSession *s;
    HostCryptoError err;
    AuthJob job;
    pthread_t th[NTHREADS];
    size_t i, k;
    int bad = 0, badkey = 0, badlen = 0, started = 0;
    unsigned seed = alg->algo * 31 + alg->service;

    fill(key, sizeof(key), seed);
    if (!msg) {
        ok(0, "%s %s: memory", hc->prov->name, alg->name);
        return;
    }
    fill(msg, 1 << 20, seed + 1);
    /* every length with one key; every key length with some lengths */
    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        bad += ref_auth(alg, key, keys[nkeys - 1], msg, lens[i], want) < 0 ||
               auth_once(hc, alg, key, keys[nkeys - 1], alg->digest_len, msg,
                         lens[i], want);
    }
    for (k = 0; k < nkeys; k++) {
        for (i = 0; i < 3; i++) {
            size_t len = (size_t[]){ 0, 3, 1000 }[i];

            badkey += ref_auth(alg, key, keys[k], msg, len, want) < 0 ||
                      auth_once(hc, alg, key, keys[k], alg->digest_len, msg,
                                len, want);
        }
    }
    ok(!bad && !badkey, "%s %s: %zu message lengths 0 B .. 1 MiB and %zu "
       "key lengths (%s) equal to OpenSSL", hc->prov->name, alg->name,
       sizeof(lens) / sizeof(lens[0]), nkeys,
       hmac ? "0 .. 512 bytes" : cmac ? "AES-128/192/256" : "no key");

    /* truncated digests: the first bytes; 0 and one too many refused */
    ref_auth(alg, key, keys[0], msg, 100, want);
    for (i = 1; i < alg->digest_len; i += 5) {
        badlen += auth_once(hc, alg, key, keys[0], i, msg, 100, want);
    }
    s = hostcrypto_auth_session_new(hc, alg, key, keys[0], 0, &err);
    badlen += s != NULL || err.err != EINVAL;
    hostcrypto_auth_session_free(s);
    s = hostcrypto_auth_session_new(hc, alg, key, keys[0],
                                    alg->digest_len + 1, &err);
    badlen += s != NULL || err.err != EINVAL;
    hostcrypto_auth_session_free(s);
    if (!hmac) {
        /* a hash takes no key, CMAC only AES key sizes */
        s = hostcrypto_auth_session_new(hc, alg, key, cmac ? 20 : 1,
                                        alg->digest_len, &err);
        badlen += s != NULL || err.err != EINVAL;
        hostcrypto_auth_session_free(s);
    } else {
        s = hostcrypto_auth_session_new(hc, alg, key,
                                        HOSTCRYPTO_MAX_AUTH_KEY_LEN + 1,
                                        alg->digest_len, &err);
        badlen += s != NULL || err.err != EINVAL;
        hostcrypto_auth_session_free(s);
    }
    ok(!badlen, "%s %s: truncated digests are its first bytes; digest "
       "length 0, %u and a bad key length refused", hc->prov->name,
       alg->name, alg->digest_len + 1);
    ref_auth(alg, key, keys[0], msg, 0, want);
    ok(!auth_once(hc, alg, key, keys[0], alg->digest_len, NULL, 0, want),
       "%s %s: the empty message as a NULL pointer", hc->prov->name,
       alg->name);

    /* threads on one session */
    job = (AuthJob) { .msg = msg, .want = want, .len = 4096 + 13 };
    bad = ref_auth(alg, key, keys[nkeys - 1], msg, job.len, want) < 0;
    job.s = hostcrypto_auth_session_new(hc, alg, key, keys[nkeys - 1],
                                        alg->digest_len, NULL);
    bad += !job.s;
    while (!bad && started < NTHREADS) {
        bad = pthread_create(&th[started], NULL, run_auth_job, &job) != 0;
        started += !bad;
    }
    for (i = 0; i < (size_t)started; i++) {
        pthread_join(th[i], NULL);
    }
    bad += job.bad + (hostcrypto_auth_session_free(job.s) < 0);
    ok(!bad, "%s %s: %d threads on one session", hc->prov->name, alg->name,
       NTHREADS);
    free(msg);
}

/* OpenSSL's AEAD, the reference: encrypt only, tag of tag_len bytes. */
static int ref_aead(const HostCryptoAeadAlg *alg, const uint8_t *key,
                    const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                    size_t aad_len, const uint8_t *pt, size_t len,
                    uint8_t *ct, uint8_t *tag, size_t tag_len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    const EVP_CIPHER *c = EVP_get_cipherbyname(alg->ossl);
    bool ccm = alg->aead == HOSTCRYPTO_AEAD_CCM;
    int n = 0, good;

    good = ctx && c && EVP_EncryptInit_ex(ctx, c, NULL, NULL, NULL) &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, iv_len, NULL) &&
           (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tag_len,
                                        NULL)) &&
           EVP_EncryptInit_ex(ctx, NULL, NULL, key, iv) &&
           (!ccm || EVP_EncryptUpdate(ctx, NULL, &n, NULL, len)) &&
           (!aad_len || EVP_EncryptUpdate(ctx, NULL, &n, aad, aad_len)) &&
           EVP_EncryptUpdate(ctx, ct, &n, pt, len) && (size_t)n == len &&
           EVP_EncryptFinal_ex(ctx, ct + n, &n) && n == 0 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, tag_len, tag);
    EVP_CIPHER_CTX_free(ctx);
    return good ? 0 : -1;
}

typedef struct AeadKat {
    uint32_t aead;
    const char *key, *iv, *aad, *pt, *ct, *tag;
} AeadKat;

/* The test cases of McGrew and Viega's GCM specification (and NIST's) */
#define GCM_K3 "feffe9928665731c6d6a8f9467308308"
#define GCM_P3 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
               "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define GCM_P4 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
               "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define GCM_A4 "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define Z16 "00000000000000000000000000000000"
static const AeadKat aead_kats[] = {
    /* 1: empty plaintext and aad; 2: one block */
    { HOSTCRYPTO_AEAD_GCM, Z16, "000000000000000000000000", "", "", "",
      "58e2fccefa7e3061367f1d57a4e7455a" },
    { HOSTCRYPTO_AEAD_GCM, Z16, "000000000000000000000000", "", Z16,
      "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf" },
    /* 3: no aad; 4: aad and a partial block */
    { HOSTCRYPTO_AEAD_GCM, GCM_K3, "cafebabefacedbaddecaf888", "", GCM_P3,
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
      "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
      "4d5c2af327cd64a62cf35abd2ba6fab4" },
    { HOSTCRYPTO_AEAD_GCM, GCM_K3, "cafebabefacedbaddecaf888", GCM_A4, GCM_P4,
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
      "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
      "5bc94fbc3221a5db94fae95ae7121a47" },
    /* 5: an 8-byte IV; 6: a 60-byte IV */
    { HOSTCRYPTO_AEAD_GCM, GCM_K3, "cafebabefacedbad", GCM_A4, GCM_P4,
      "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423"
      "73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598",
      "3612d2e79e3b0785561be14aaca2fccb" },
    { HOSTCRYPTO_AEAD_GCM, GCM_K3,
      "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
      "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b",
      GCM_A4, GCM_P4,
      "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7"
      "01e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5",
      "619cc5aefffe0bfa462af43c1699d050" },
    /* 7, 8: AES-192; 13, 14: AES-256 */
    { HOSTCRYPTO_AEAD_GCM, Z16 "0000000000000000", "000000000000000000000000",
      "", "", "", "cd33b28ac773f74ba00ed1f312572435" },
    { HOSTCRYPTO_AEAD_GCM, Z16 "0000000000000000", "000000000000000000000000",
      "", Z16, "98e7247c07f0fe411c267e4384b0f600",
      "2ff58d80033927ab8ef4d4587514f0fb" },
    { HOSTCRYPTO_AEAD_GCM, Z16 Z16, "000000000000000000000000", "", "", "",
      "530f8afbc74536b9a963b4f1c4cb738b" },
    { HOSTCRYPTO_AEAD_GCM, Z16 Z16, "000000000000000000000000", "", Z16,
      "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
    /* RFC 3610 packet vector #1 (8-byte tag) */
    { HOSTCRYPTO_AEAD_CCM, "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf",
      "00000003020100a0a1a2a3a4a5", "0001020304050607",
      "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
      "588c979a61c663d2f066d0c2c0f989806d5f6b61dac384", "17e8d12cfdf926e0" },
};

/* RFC 8439 2.8.2: its tag (the ciphertext is checked against OpenSSL) */
static const char chacha_pt[] =
    "Ladies and Gentlemen of the class of '99: If I could offer you only "
    "one tip for the future, sunscreen would be it.";

static int aead_kat_one(HostCrypto *hc, const HostCryptoAeadAlg *alg,
                        const uint8_t *key, const uint8_t *iv, size_t iv_len,
                        const uint8_t *aad, size_t aad_len,
                        const uint8_t *pt, size_t len, const uint8_t *ct,
                        const uint8_t *tag, size_t tag_len)
{
    uint8_t out[128], t[16], back[128];
    HostCryptoAeadSession *e, *d;
    int bad;

    e = hostcrypto_aead_session_new(hc, alg, true, key, tag_len, NULL);
    d = hostcrypto_aead_session_new(hc, alg, false, key, tag_len, NULL);
    bad = !e || !d ||
          hostcrypto_aead(e, iv, iv_len, aad, aad_len, pt, out, len, t) ||
          (ct && memcmp(out, ct, len)) || memcmp(t, tag, tag_len) ||
          hostcrypto_aead(d, iv, iv_len, aad, aad_len, out, back, len, t) ||
          memcmp(back, pt, len);
    bad += hostcrypto_aead_session_free(e) < 0;
    bad += hostcrypto_aead_session_free(d) < 0;
    return bad;
}

static void test_aead_kats(HostCrypto *hc)
{
    uint8_t key[32], iv[64], aad[64], pt[128], ct[128], tag[16];
    size_t i, kl, ivl, al, pl, tl, n = 0, bad = 0, skipped_iv = 0;
    const HostCryptoAeadAlg *alg;
    char names[256] = "";

    for (i = 0; i < sizeof(aead_kats) / sizeof(aead_kats[0]); i++) {
        const AeadKat *k = &aead_kats[i];

        kl = unhex(k->key, key, sizeof(key));
        ivl = unhex(k->iv, iv, sizeof(iv));
        al = unhex(k->aad, aad, sizeof(aad));
        pl = unhex(k->pt, pt, sizeof(pt));
        unhex(k->ct, ct, sizeof(ct));
        tl = unhex(k->tag, tag, sizeof(tag));
        alg = hostcrypto_aead_find(k->aead, kl, NULL);
        if (!alg || !hc->aead_ok[alg - hostcrypto_aead_algs]) {
            continue;
        }
        if (!hostcrypto_aead_ok(hc, alg, ivl, tl)) {
            /* the provider says so; the request must fail cleanly */
            HostCryptoAeadSession *e =
                hostcrypto_aead_session_new(hc, alg, true, key, tl, NULL);

            bad += !e || hostcrypto_aead(e, iv, ivl, aad, al, pt, ct, pl,
                                         tag) != -EINVAL;
            hostcrypto_aead_session_free(e);
            skipped_iv++;
            continue;
        }
        n++;
        if (aead_kat_one(hc, alg, key, iv, ivl, aad, al, pt, pl, ct, tag,
                         tl)) {
            bad++;
            snprintf(names + strlen(names), sizeof(names) - strlen(names),
                     " %s#%zu", alg->name, i);
        }
    }
    alg = hostcrypto_aead_find(HOSTCRYPTO_AEAD_CHACHA20_POLY1305, 32, NULL);
    if (hc->aead_ok[alg - hostcrypto_aead_algs]) {
        for (i = 0; i < 32; i++) {
            key[i] = 0x80 + i;
        }
        unhex("070000004041424344454647", iv, sizeof(iv));
        al = unhex("50515253c0c1c2c3c4c5c6c7", aad, sizeof(aad));
        unhex("1ae10b594f09e26a7e902ecbd0600691", tag, sizeof(tag));
        n++;
        if (aead_kat_one(hc, alg, key, iv, 12, aad, al,
                         (const uint8_t *)chacha_pt, strlen(chacha_pt), NULL,
                         tag, 16)) {
            bad++;
            snprintf(names + strlen(names), sizeof(names) - strlen(names),
                     " %s", alg->name);
        }
    }
    ok(!bad && n, "%s: %zu AEAD known answers (GCM spec incl. empty "
       "plaintext and aad, RFC 3610, RFC 8439)%s%s; %zu with an IV length "
       "it does not take refused", hc->prov->name, n,
       bad ? "; failed:" : "", names, skipped_iv);
}

typedef struct AeadJob {
    HostCryptoAeadSession *enc, *dec;
    const uint8_t *iv, *aad, *pt, *ct, *tag;
    size_t aad_len, len;
    int bad;
} AeadJob;

static void *run_aead_job(void *opaque)
{
    AeadJob *j = opaque;
    uint8_t *out = malloc(j->len + 1), *back = malloc(j->len + 1);
    uint8_t tag[HOSTCRYPTO_MAX_TAG_LEN];
    uint32_t tl = j->enc->tag_len;
    int i;

    for (i = 0; i < 8 && out && back; i++) {
        if (hostcrypto_aead(j->enc, j->iv, j->enc->alg->iv_len, j->aad,
                            j->aad_len, j->pt, out, j->len, tag) < 0 ||
            memcmp(out, j->ct, j->len) || memcmp(tag, j->tag, tl) ||
            hostcrypto_aead(j->dec, j->iv, j->enc->alg->iv_len, j->aad,
                            j->aad_len, out, back, j->len, tag) < 0 ||
            memcmp(back, j->pt, j->len)) {
            j->bad++;
        }
    }
    j->bad += !out || !back;
    free(out);
    free(back);
    return NULL;
}

/* Round trips of aad_len + len bytes against OpenSSL; failed checks. */
static int aead_round(HostCrypto *hc, const HostCryptoAeadAlg *alg,
                      const uint8_t *key, uint32_t tl, size_t iv_len,
                      size_t aad_len, size_t len, int threads, int *tamper)
{
    uint8_t iv[HOSTCRYPTO_MAX_AEAD_IV_LEN], tag[16], reftag[16];
    uint8_t *aad = malloc(aad_len + 1), *pt = malloc(len + 1);
    uint8_t *ct = malloc(len + 1), *out = malloc(len + 1);
    AeadJob job = { 0 };
    pthread_t th[NTHREADS];
    int bad = 0, started = 0, i;
    size_t z;

    if (!aad || !pt || !ct || !out) {
        bad = 1;
        goto out;
    }
    fill(iv, sizeof(iv), len + 5);
    fill(aad, aad_len, len + 6);
    fill(pt, len, len + 7);
    job.enc = hostcrypto_aead_session_new(hc, alg, true, key, tl, NULL);
    job.dec = hostcrypto_aead_session_new(hc, alg, false, key, tl, NULL);
    if (!job.enc || !job.dec ||
        ref_aead(alg, key, iv, iv_len, aad, aad_len, pt, len, ct, reftag,
                 tl) < 0) {
        bad = 1;
        goto free;
    }
    /* in place, there and back */
    memcpy(out, pt, len);
    bad += hostcrypto_aead(job.enc, iv, iv_len, aad, aad_len, out, out, len,
                           tag) < 0 ||
           memcmp(out, ct, len) || memcmp(tag, reftag, tl);
    bad += hostcrypto_aead(job.dec, iv, iv_len, aad, aad_len, out, out, len,
                           tag) < 0 || memcmp(out, pt, len);
    if (tamper) {
        int r1, r2 = -EBADMSG, r3 = -EBADMSG;

        /* a flipped bit in the tag, the ciphertext or the aad */
        tag[tl - 1] ^= 0x80;
        memset(out, 0xaa, len);
        z = 0;
        r1 = hostcrypto_aead(job.dec, iv, iv_len, aad, aad_len, ct, out, len,
                             tag);
        while (z < len && out[z] == 0) {
            z++;
        }
        tag[tl - 1] ^= 0x80;
        if (len) {
            ct[len / 2] ^= 1;
            r2 = hostcrypto_aead(job.dec, iv, iv_len, aad, aad_len, ct, out,
                                 len, tag);
            ct[len / 2] ^= 1;
        }
        if (aad_len) {
            aad[0] ^= 4;
            r3 = hostcrypto_aead(job.dec, iv, iv_len, aad, aad_len, ct, out,
                                 len, tag);
            aad[0] ^= 4;
        }
        if (r1 != -EBADMSG || r2 != -EBADMSG || r3 != -EBADMSG || z != len) {
            printf("# %s %s, %zu + %zu bytes: bad tag %d, ciphertext %d, "
                   "aad %d, %zu bytes zeroed\n", hc->prov->name, alg->name,
                   aad_len, len, r1, r2, r3, z);
            (*tamper)++;
        }
    }
    if (threads && iv_len == alg->iv_len) {
        job.iv = iv;
        job.aad = aad;
        job.aad_len = aad_len;
        job.pt = pt;
        job.ct = ct;
        job.tag = reftag;
        job.len = len;
        while (!bad && started < threads) {
            bad = pthread_create(&th[started], NULL, run_aead_job, &job) != 0;
            started += !bad;
        }
        for (i = 0; i < started; i++) {
            pthread_join(th[i], NULL);
        }
        bad += job.bad;
    }
free:
    bad += hostcrypto_aead_session_free(job.enc) < 0;
    bad += hostcrypto_aead_session_free(job.dec) < 0;
out:
    free(aad);
    free(pt);
    free(ct);
    free(out);
    return bad;
}

static void test_aead_alg(HostCrypto *hc, const HostCryptoAeadAlg *alg)
{
    static const size_t lens[] = {
        0, 1, 15, 16, 17, 100, 4096 + 3, 60000, 1 << 20,
    };
    static const size_t aads[] = { 0, 13, 100 };
    size_t max = hc->prov->max_len, i, a, nlen = 0;
    uint8_t key[32];
    int bad = 0, tamper = 0, badtag = 0, badiv = 0, tags = 0, ivs = 0;
    uint32_t tl;
    size_t ivl;
    HostCryptoError err;
    HostCryptoAeadSession *s;

    fill(key, sizeof(key), alg->aead * 10 + alg->key_len);
    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (a = 0; a < sizeof(aads) / sizeof(aads[0]); a++) {
            bool big = lens[i] > 65536;

            /* the big one once: guests run this under TCG */
            if ((max && lens[i] + aads[a] + alg->tag_max > max) ||
                (big && aads[a] != 13)) {
                continue;
            }
            nlen += a == 1;
            bad += aead_round(hc, alg, key, alg->tag_max, alg->iv_len,
                              aads[a], lens[i], lens[i] == 4096 + 3 ?
                              NTHREADS : 0, big ? NULL : &tamper);
        }
    }
    ok(!bad, "%s %s: %zu lengths 0 B .. %s, aad 0/13/100 B, equal to "
       "OpenSSL, in place, there and back, %d threads", hc->prov->name,
       alg->name, nlen, max ? "64 KiB" : "1 MiB", NTHREADS);
    ok(!tamper, "%s %s: a flipped bit in the tag, ciphertext or aad is "
       "-EBADMSG with the output zeroed (0 B .. 64 KiB)", hc->prov->name,
       alg->name);

    for (tl = 0; tl <= HOSTCRYPTO_MAX_TAG_LEN + 1; tl++) {
        bool want = tl <= HOSTCRYPTO_MAX_TAG_LEN && (alg->tag_lens >> tl & 1);

        s = hostcrypto_aead_session_new(hc, alg, true, key, tl, &err);
        badtag += (s != NULL) != want || (!s && err.err != EINVAL);
        hostcrypto_aead_session_free(s);
        if (want) {
            tags++;
            badtag += aead_round(hc, alg, key, tl, alg->iv_len, 20, 33, 0,
                                 NULL);
        }
    }
    ok(!badtag, "%s %s: %d tag lengths equal to OpenSSL, the others "
       "refused", hc->prov->name, alg->name, tags);

    /* the empty message by NULL pointers, each way */
    {
        uint8_t iv[HOSTCRYPTO_MAX_AEAD_IV_LEN] = { 0 }, t[16], reft[16];
        HostCryptoAeadSession *e, *d;
        int badnull;

        e = hostcrypto_aead_session_new(hc, alg, true, key, alg->tag_max,
                                        NULL);
        d = hostcrypto_aead_session_new(hc, alg, false, key, alg->tag_max,
                                        NULL);
        badnull = !e || !d ||
                  ref_aead(alg, key, iv, alg->iv_len, NULL, 0, t, 0, t, reft,
                           alg->tag_max) < 0 ||
                  hostcrypto_aead(e, iv, alg->iv_len, NULL, 0, NULL, NULL, 0,
                                  t) < 0 ||
                  memcmp(t, reft, alg->tag_max) ||
                  hostcrypto_aead(d, iv, alg->iv_len, NULL, 0, NULL, NULL, 0,
                                  t) < 0;
        t[0] ^= 1;
        badnull += !d || hostcrypto_aead(d, iv, alg->iv_len, NULL, 0, NULL,
                                         NULL, 0, t) != -EBADMSG;
        hostcrypto_aead_session_free(e);
        hostcrypto_aead_session_free(d);
        ok(!badnull, "%s %s: the empty message with NULL aad, source and "
           "destination: OpenSSL's tag, a bad one refused", hc->prov->name,
           alg->name);
    }

    for (ivl = 0; ivl <= HOSTCRYPTO_MAX_AEAD_IV_LEN + 1; ivl++) {
        bool want = hostcrypto_aead_ok(hc, alg, ivl, alg->tag_max);

        if (want) {
            ivs++;
            badiv += aead_round(hc, alg, key, alg->tag_max, ivl, 20, 33, 0,
                                NULL);
        } else {
            uint8_t iv[HOSTCRYPTO_MAX_AEAD_IV_LEN + 1] = { 0 }, t[16], o[4];

            s = hostcrypto_aead_session_new(hc, alg, true, key, alg->tag_max,
                                            NULL);
            badiv += !s || hostcrypto_aead(s, iv, ivl, NULL, 0, o, o, 4,
                                           t) != -EINVAL;
            hostcrypto_aead_session_free(s);
        }
    }
    ok(!badiv && ivs, "%s %s: %d nonce lengths equal to OpenSSL, the others "
       "-EINVAL", hc->prov->name, alg->name, ivs);
}

/* ---- scatter-gather (the *_iov calls) against the flat calls --------- */

#define IOV_ROUNDS 12
#define IOV_MAXLEN 16384
#define IOV_MAXEXT 24
#define IOV_GAP 40
/* room for IOV_MAXLEN bytes in extents with gaps, and a shift */
#define IOV_AREA (IOV_MAXLEN + IOV_MAXEXT * IOV_GAP + 64)

/* A run of memory holding bytes [off, off + len) of a request. */
typedef struct Extent {
    size_t off, len;
    uint8_t *p;
} Extent;

static unsigned rnd(unsigned *rs, unsigned n)
{
    return n ? (unsigned)rand_r(rs) % n : 0;
}

/* len bytes in area as random extents with random gaps between them. */
static int make_extents(uint8_t *area, size_t len, Extent *e, unsigned *rs)
{
    size_t off = 0, pos = rnd(rs, 16);
    int n = 0;

    while (off < len) {
        size_t l = n == IOV_MAXEXT - 1 ? len - off :
                   1 + rnd(rs, len - off < 4096 ? len - off : 4096);

        e[n++] = (Extent) { off, l, area + pos };
        pos += l + rnd(rs, IOV_GAP);
        off += l;
    }
    return n;
}

/*
 * The extents as iovecs, each cut again at random points, with an empty
 * entry now and then: the same memory, another segmentation.
 */
static unsigned cut_extents(const Extent *e, int n, struct iovec *iov,
                            unsigned *rs)
{
    unsigned cnt = 0;
    int i;

    for (i = 0; i < n; i++) {
        size_t at = 0;

        while (at < e[i].len) {
            size_t l = 1 + rnd(rs, e[i].len - at);

            if (rnd(rs, 8) == 0) {
                iov[cnt++] = (struct iovec) { e[i].p + at, 0 };
            }
            iov[cnt++] = (struct iovec) { e[i].p + at, l };
            at += l;
        }
    }
    return cnt;
}

static void ext_write(const Extent *e, int n, const uint8_t *buf)
{
    int i;

    for (i = 0; i < n; i++) {
        memcpy(e[i].p, buf + e[i].off, e[i].len);
    }
}

static int ext_cmp(const Extent *e, int n, const uint8_t *buf)
{
    int i, bad = 0;

    for (i = 0; i < n; i++) {
        bad |= memcmp(e[i].p, buf + e[i].off, e[i].len) != 0;
    }
    return bad;
}

/* The same extents moved by delta bytes (overlapping their old place) */
static void ext_shift(const Extent *e, int n, ptrdiff_t delta, Extent *out)
{
    int i;

    for (i = 0; i < n; i++) {
        out[i] = e[i];
        out[i].p += delta;
    }
}

/* One random valid length for alg on hc, up to IOV_MAXLEN */
static size_t iov_len_for(HostCrypto *hc, const HostCryptoAlg *alg,
                          unsigned *rs)
{
    size_t len;

    do {
        len = alg->min_len + rnd(rs, IOV_MAXLEN - alg->min_len);
        len -= len % alg->block;
    } while (!hostcrypto_len_ok(hc, alg, len));
    return len;
}

#define IOV_MAXSEG (2 * IOV_MAXLEN + 2)

/*
 * Ciphers: apart, in place (the same memory cut differently) and moved
 * over their own source by a few bytes either way; each equal to
 * hostcrypto_crypt() on flat copies, the IV left alone.
 */
static void test_iov_ciphers(HostCrypto *hc, unsigned *rs)
{
    uint8_t *sa = malloc(IOV_AREA), *da = malloc(IOV_AREA);
    uint8_t *pt = malloc(IOV_MAXLEN), *ref = malloc(IOV_MAXLEN);
    struct iovec *sv = malloc(IOV_MAXSEG * sizeof(*sv));
    struct iovec *dv = malloc(IOV_MAXSEG * sizeof(*dv));
    Extent se[IOV_MAXEXT], de[IOV_MAXEXT];
    size_t i;
    int r;

    if (!sa || !da || !pt || !ref || !sv || !dv) {
        ok(0, "%s: memory for the iovec tests", hc->prov->name);
        goto out;
    }
    for (i = 0; i < HOSTCRYPTO_NALGS; i++) {
        const HostCryptoAlg *alg = &hostcrypto_algs[i];
        uint8_t key[HOSTCRYPTO_MAX_KEY_LEN], iv[HOSTCRYPTO_MAX_IV_LEN];
        uint8_t iv0[HOSTCRYPTO_MAX_IV_LEN];
        HostCryptoSession *s[2];
        int bad = 0, segs = 0, enc;

        if (!hc->alg_ok[i]) {
            continue;
        }
        fill(key, sizeof(key), i + 77);
        key[alg->key_len / 2] ^= 0x5a;      /* XTS halves differ */
        s[0] = hostcrypto_session_new(hc, alg, false, key, NULL);
        s[1] = hostcrypto_session_new(hc, alg, true, key, NULL);
        for (r = 0; r < IOV_ROUNDS && s[0] && s[1]; r++) {
            size_t len = iov_len_for(hc, alg, rs);
            ptrdiff_t delta = (ptrdiff_t)(1 + rnd(rs, 32)) *
                              (rnd(rs, 2) ? 1 : -1);
            HostCryptoIov src = { sv, 0 }, dst = { dv, 0 };
            int ns, nd;

            enc = rnd(rs, 2);
            fill(pt, len, rand_r(rs));
            fill(iv, sizeof(iv), rand_r(rs));
            memcpy(iv0, iv, sizeof(iv));
            if (hostcrypto_crypt(s[enc], iv, pt, ref, len) < 0) {
                bad++;
                continue;
            }
            /* apart */
            ns = make_extents(sa, len, se, rs);
            nd = make_extents(da, len, de, rs);
            ext_write(se, ns, pt);
            src.cnt = cut_extents(se, ns, sv, rs);
            dst.cnt = cut_extents(de, nd, dv, rs);
            segs += src.cnt + dst.cnt;
            bad += hostcrypto_crypt_iov(s[enc], iv, &src, &dst, len) < 0 ||
                   ext_cmp(de, nd, ref) || ext_cmp(se, ns, pt);
            /* in place: the same memory, cut differently */
            dst.cnt = cut_extents(se, ns, dv, rs);
            bad += hostcrypto_crypt_iov(s[enc], iv, &src, &dst, len) < 0 ||
                   ext_cmp(se, ns, ref);
            /* moved by delta over itself: as if src were read first */
            ns = make_extents(sa + 32, len, se, rs);
            ext_write(se, ns, pt);
            ext_shift(se, ns, delta, de);
            src.cnt = cut_extents(se, ns, sv, rs);
            dst.cnt = cut_extents(de, ns, dv, rs);
            bad += hostcrypto_crypt_iov(s[enc], iv, &src, &dst, len) < 0 ||
                   ext_cmp(de, ns, ref);
            bad += memcmp(iv, iv0, sizeof(iv)) != 0;
        }
        bad += !s[0] || !s[1];
        hostcrypto_session_free(s[0]);
        hostcrypto_session_free(s[1]);
        ok(!bad, "%s %s: %d random requests in %d segments, apart, in place "
           "and overlapping, equal to the flat call", hc->prov->name,
           alg->name, 3 * IOV_ROUNDS, segs);
    }
out:
    free(sa);
    free(da);
    free(pt);
    free(ref);
    free(sv);
    free(dv);
}

/* Hashes and MACs: random segmentations, digests equal to the flat call */
static void test_iov_auth(HostCrypto *hc, unsigned *rs)
{
    uint8_t *sa = malloc(IOV_AREA), *msg = malloc(IOV_MAXLEN);
    struct iovec *sv = malloc(IOV_MAXSEG * sizeof(*sv));
    Extent se[IOV_MAXEXT];
    uint8_t key[64], d1[HOSTCRYPTO_MAX_DIGEST_LEN];
    uint8_t d2[HOSTCRYPTO_MAX_DIGEST_LEN];
    int n = 0, bad = 0, r;
    size_t i;

    if (!sa || !msg || !sv) {
        ok(0, "%s: memory for the iovec tests", hc->prov->name);
        goto out;
    }
    fill(key, sizeof(key), 5);
    for (i = 0; i < HOSTCRYPTO_NAUTH; i++) {
        const HostCryptoAuthAlg *alg = &hostcrypto_auth_algs[i];
        size_t kl = alg->service == HOSTCRYPTO_SERVICE_HASH ? 0 :
                    alg->algo == HOSTCRYPTO_MAC_CMAC_AES ? 16 : 40;
        HostCryptoAuthSession *s;

        if (!hc->auth_ok[i]) {
            continue;
        }
        n++;
        s = hostcrypto_auth_session_new(hc, alg, key, kl, alg->digest_len,
                                        NULL);
        for (r = 0; r < IOV_ROUNDS && s; r++) {
            size_t len = r ? rnd(rs, IOV_MAXLEN) : 0;
            HostCryptoIov src = { sv, 0 };
            int ns;

            fill(msg, len, rand_r(rs));
            ns = make_extents(sa, len, se, rs);
            ext_write(se, ns, msg);
            src.cnt = cut_extents(se, ns, sv, rs);
            bad += hostcrypto_digest(s, msg, len, d1) < 0 ||
                   hostcrypto_digest_iov(s, &src, len, d2) < 0 ||
                   memcmp(d1, d2, alg->digest_len);
        }
        bad += !s;
        hostcrypto_auth_session_free(s);
    }
    ok(!bad && n, "%s: %d hashes/MACs, %d random segmented messages each, "
       "digests equal to the flat call", hc->prov->name, n, IOV_ROUNDS);
out:
    free(sa);
    free(msg);
    free(sv);
}

/*
 * AEAD: sealed with aad, source and destination segmented at random,
 * equal to the flat call; opened again in place; a changed tag refused
 * with the destination zeroed.
 */
static void test_iov_aead(HostCrypto *hc, unsigned *rs)
{
    uint8_t *sa = malloc(IOV_AREA), *da = malloc(IOV_AREA);
    uint8_t *aa = malloc(IOV_AREA), *pt = malloc(IOV_MAXLEN);
    uint8_t *ref = malloc(IOV_MAXLEN), *aad = malloc(IOV_MAXLEN);
    struct iovec *sv = malloc(IOV_MAXSEG * sizeof(*sv));
    struct iovec *dv = malloc(IOV_MAXSEG * sizeof(*dv));
    struct iovec *av = malloc(IOV_MAXSEG * sizeof(*av));
    Extent se[IOV_MAXEXT], de[IOV_MAXEXT], ae[IOV_MAXEXT];
    size_t i;
    int r;

    if (!sa || !da || !aa || !pt || !ref || !aad || !sv || !dv || !av) {
        ok(0, "%s: memory for the iovec tests", hc->prov->name);
        goto out;
    }
    for (i = 0; i < HOSTCRYPTO_NAEAD; i++) {
        const HostCryptoAeadAlg *alg = &hostcrypto_aead_algs[i];
        uint8_t key[32], iv[HOSTCRYPTO_MAX_AEAD_IV_LEN];
        uint8_t t1[HOSTCRYPTO_MAX_TAG_LEN], t2[HOSTCRYPTO_MAX_TAG_LEN];
        HostCryptoAeadSession *enc, *dec;
        uint32_t tl = alg->tag_max;
        int bad = 0;

        if (!hc->aead_ok[i]) {
            continue;
        }
        fill(key, sizeof(key), i + 9);
        enc = hostcrypto_aead_session_new(hc, alg, true, key, tl, NULL);
        dec = hostcrypto_aead_session_new(hc, alg, false, key, tl, NULL);
        for (r = 0; r < IOV_ROUNDS && enc && dec; r++) {
            size_t len = rnd(rs, IOV_MAXLEN / 2);
            /* devcrypto copies at most a page of aad */
            size_t aad_len = rnd(rs, r % 3 ? 64 : 4096);
            HostCryptoIov src = { sv, 0 }, dst = { dv, 0 }, a = { av, 0 };
            int ns, nd, na;

            fill(pt, len, rand_r(rs));
            fill(aad, aad_len, rand_r(rs));
            fill(iv, sizeof(iv), rand_r(rs));
            if (hostcrypto_aead(enc, iv, alg->iv_len, aad, aad_len, pt, ref,
                                len, t1) < 0) {
                bad++;
                continue;
            }
            ns = make_extents(sa, len, se, rs);
            nd = make_extents(da, len, de, rs);
            na = make_extents(aa, aad_len, ae, rs);
            ext_write(se, ns, pt);
            ext_write(ae, na, aad);
            src.cnt = cut_extents(se, ns, sv, rs);
            dst.cnt = cut_extents(de, nd, dv, rs);
            a.cnt = cut_extents(ae, na, av, rs);
            bad += hostcrypto_aead_iov(enc, iv, alg->iv_len, &a, aad_len,
                                       &src, &dst, len, t2) < 0 ||
                   ext_cmp(de, nd, ref) || memcmp(t1, t2, tl);
            /* open it in place */
            src.cnt = cut_extents(de, nd, sv, rs);
            dst.cnt = cut_extents(de, nd, dv, rs);
            bad += hostcrypto_aead_iov(dec, iv, alg->iv_len, &a, aad_len,
                                       &src, &dst, len, t2) < 0 ||
                   ext_cmp(de, nd, pt);
            /* a changed tag: refused, and nothing of the plaintext left */
            if (len) {
                ext_write(de, nd, ref);
                t2[0] ^= 1;
                memset(pt, 0, len);
                bad += hostcrypto_aead_iov(dec, iv, alg->iv_len, &a,
                                           aad_len, &src, &dst, len,
                                           t2) != -EBADMSG ||
                       ext_cmp(de, nd, pt);
            }
        }
        bad += !enc || !dec;
        hostcrypto_aead_session_free(enc);
        hostcrypto_aead_session_free(dec);
        ok(!bad, "%s %s: %d random segmented requests sealed, opened in "
           "place and refused when changed, as the flat call",
           hc->prov->name, alg->name, IOV_ROUNDS);
    }
out:
    free(sa);
    free(da);
    free(aa);
    free(pt);
    free(ref);
    free(aad);
    free(sv);
    free(dv);
    free(av);
}

static void test_iov_provider(HostCrypto *hc)
{
    unsigned rs = 0x10f10;

    test_iov_ciphers(hc, &rs);
    test_iov_auth(hc, &rs);
    test_iov_aead(hc, &rs);
}

/* The provider's hashes, MACs and AEAD, as far as it offers them. */
static void test_auth_provider(HostCrypto *hc, const char *name)
{
    /*
     * In the guest (--all), where the CPU is emulated, openssl's own
     * library gets only the known answers: 12 runs the rest on the host.
     */
    bool full = !require_all || strcmp(name, "openssl");
    size_t i;
    int n = 0, m = 0;

    if (!full) {
        printf("# openssl: hashes, MACs and AEAD by known answers only "
               "(the rest in 12-crypto-provider.t)\n");
    }
    for (i = 0; i < HOSTCRYPTO_NAUTH; i++) {
        if (hc->auth_ok[i]) {
            n++;
            if (full) {
                test_auth_alg(hc, &hostcrypto_auth_algs[i]);
            }
        } else {
            printf("# %s: no %s\n", name, hostcrypto_auth_algs[i].name);
        }
    }
    if (n) {
        test_auth_kats(hc);
    }
    for (i = 0; i < HOSTCRYPTO_NAEAD; i++) {
        if (hc->aead_ok[i]) {
            m++;
            if (full) {
                test_aead_alg(hc, &hostcrypto_aead_algs[i]);
            }
        } else {
            printf("# %s: no %s\n", name, hostcrypto_aead_algs[i].name);
        }
    }
    if (m) {
        test_aead_kats(hc);
    }
    /* the guest's kernel (36) has them all, with its modules loaded */
    if (!strcmp(name, "openssl") || (require_all && !strcmp(name, "afalg"))) {
        ok(n == HOSTCRYPTO_NAUTH && m == HOSTCRYPTO_NAEAD,
           "%s offers all %d hashes/MACs and %d AEADs", name,
           HOSTCRYPTO_NAUTH, HOSTCRYPTO_NAEAD);
    } else if (require_all && !strcmp(name, "devcrypto")) {
        /*
         * Our virtio_cryptodev on cryptodev-backend-host: MD5, SHA-1,
         * SHA-2 and the HMAC of each, and AES-GCM with its three key
         * lengths (the cryptodev ABI has no SHA-3 or CMAC for it to serve).
         */
        ok(n == 12 && m == 3, "devcrypto offers 12 hashes/MACs and 3 AEADs "
           "(got %d and %d)", n, m);
    } else {
        printf("# %s offers %d of %d hashes/MACs and %d of %d AEADs\n", name,
               n, HOSTCRYPTO_NAUTH, m, HOSTCRYPTO_NAEAD);
    }
}

static void test_provider(const char *name)
{
    HostCryptoError err;
    HostCrypto *hc = hostcrypto_open(name, &err);
    size_t i;
    int n = 0;

    if (!hc) {
        /*
         * Not a test where the kernel lacks it (no skips that count as
         * passes); the guest run (tests/t/36) requires all three.
         */
        if (require_all) {
            ok(0, "%s opens: %s", name, err.msg);
        } else {
            printf("# %s: not on this host (%s); not tested here\n",
                   name, err.msg);
        }
        return;
    }
    ok(!strcmp(hc->prov->name, name), "%s opens", name);
    for (i = 0; i < HOSTCRYPTO_NALGS; i++) {
        if (hc->alg_ok[i]) {
            n++;
            test_alg(hc, &hostcrypto_algs[i]);
        } else {
            printf("# %s: no %s\n", name, hostcrypto_algs[i].name);
        }
    }
    if (!strcmp(name, "openssl")) {
        ok(n == HOSTCRYPTO_NALGS, "openssl offers all %d algorithms",
           HOSTCRYPTO_NALGS);
    }
    test_auth_provider(hc, name);
    test_iov_provider(hc);
    hostcrypto_close(hc);
}

int main(int argc, char **argv)
{
    HostCryptoError err;
    HostCrypto *hc;
    bool known;

    require_all = argc > 1 && !strcmp(argv[1], "--all");

    hc = hostcrypto_open("bogus", &err);
    ok(!hc && err.err == EINVAL && strstr(err.msg, "bogus"),
       "an unknown provider name fails: %s", hc ? "" : err.msg);
    hc = hostcrypto_open("auto", &err);
    ok(hc != NULL, "auto opens a provider: %s", hc ? hc->prov->name : "");
    hostcrypto_close(hc);
    ok(hostcrypto_alg_find(HOSTCRYPTO_AES_CBC, 24, NULL) ==
       &hostcrypto_algs[4], "aes-192-cbc is found");
    ok(!hostcrypto_alg_find(HOSTCRYPTO_AES_XTS, 24, &known) && known,
       "XTS with a 24-byte key is not an algorithm, XTS is");
    ok(!hostcrypto_alg_find(1 /* ARC4 */, 16, &known) && !known,
       "ARC4 is unknown");
    ok(hostcrypto_auth_find(HOSTCRYPTO_SERVICE_MAC,
                            HOSTCRYPTO_MAC_HMAC_SHA_256) ==
       &hostcrypto_auth_algs[13] &&
       hostcrypto_auth_find(HOSTCRYPTO_SERVICE_HASH,
                            HOSTCRYPTO_HASH_SHA_256) ==
       &hostcrypto_auth_algs[3] &&
       !hostcrypto_auth_find(HOSTCRYPTO_SERVICE_HASH, 11 /* SHAKE128 */),
       "hmac(sha256) and sha256 are found by service and number, SHAKE128 "
       "is not");
    ok(hostcrypto_aead_find(HOSTCRYPTO_AEAD_GCM, 24, NULL) ==
       &hostcrypto_aead_algs[1] &&
       !hostcrypto_aead_find(HOSTCRYPTO_AEAD_GCM, 20, &known) && known &&
       !hostcrypto_aead_find(9, 16, &known) && !known,
       "aes-192-gcm is found, GCM with a 20-byte key is not");

    test_provider("openssl");
    test_provider("afalg");
    test_provider("devcrypto");
    printf("1..%d\n", n_test);
    return n_fail != 0;
}
