// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host crypto provider library (host/crypto) alone, as a host program
 * other than QEMU links it.  Every provider this host has (openssl always;
 * afalg and devcrypto where the kernel offers them; with --all, a
 * provider that does not open fails)
 * must encrypt and decrypt every algorithm it passed its probe for to the
 * same bytes as OpenSSL's EVP interface called here directly, from
 * several sessions and threads at once, and leave the IV alone.  Prints
 * TAP.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "../../host/crypto/provider.h"

#define NTHREADS 4

static int n_test, n_fail;
static bool require_all;

static void ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ok(int cond, const char *fmt, ...)
{
    va_list ap;

    printf("%sok %d - ", cond ? "" : "not ", ++n_test);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond) {
        n_fail++;
    }
}

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

    test_provider("openssl");
    test_provider("afalg");
    test_provider("devcrypto");
    printf("1..%d\n", n_test);
    return n_fail != 0;
}
