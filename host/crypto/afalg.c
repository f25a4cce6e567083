/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AF_ALG provider: the host kernel's crypto API through sockets
 * ("skcipher", "hash" and "aead" types).  A session is a transform socket
 * holding the key; each request accepts an operation socket from it, so
 * requests on one session run at once.
 */
/* accept4(), explicit_bzero() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_alg.h>
#include <openssl/crypto.h>

#include "provider.h"

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

/*
 * One sendmsg() per cipher or AEAD request (the kernel works only once it
 * has all of it); stay well below the socket's sndbuf.
 */
#define AFALG_MAX_DATA (64 * 1024)
/* hashes are sent in pieces; the kernel hashes each as it comes */
#define AFALG_HASH_CHUNK (64 * 1024)

typedef struct AfalgSession {
    HostCryptoSession base;
    int tfm;                  /* bound and keyed transform socket */
} AfalgSession;

typedef struct AfalgAuthSession {
    HostCryptoAuthSession base;
    int tfm;
} AfalgAuthSession;

typedef struct AfalgAeadSession {
    HostCryptoAeadSession base;
    int tfm;
} AfalgAeadSession;

static int afalg_open(HostCrypto *hc, HostCryptoError *err)
{
    /* only to say early and clearly when AF_ALG is missing */
    int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        return hostcrypto_error(err, errno,
                                "AF_ALG sockets are not available: %s",
                                strerror(errno));
    }
    close(fd);
    (void)hc;
    return 0;
}

static int afalg_session_fini(HostCryptoSession *base)
{
    AfalgSession *s = (AfalgSession *)base;

    /* Closing the transform socket frees (and zeroes) the kernel's key */
    if (s->tfm >= 0) {
        close(s->tfm);
    }
    return 0;
}

/* A transform socket of type/name in *tfm, keyed if key_len: 0 or -errno */
static int afalg_tfm(int *tfm, const char *type, const char *name,
                     const uint8_t *key, size_t key_len, HostCryptoError *err)
{
    struct sockaddr_alg sa = { .salg_family = AF_ALG };

    snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", type);
    snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", name);
    *tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (*tfm < 0) {
        return hostcrypto_error(err, errno, "AF_ALG socket: %s",
                                strerror(errno));
    }
    if (bind(*tfm, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        return hostcrypto_error(err, errno, "AF_ALG has no %s: %s", name,
                                strerror(errno));
    }
    if (key_len &&
        setsockopt(*tfm, SOL_ALG, ALG_SET_KEY, key, key_len) < 0) {
        return hostcrypto_error(err, errno, "AF_ALG %s rejected the key: %s",
                                name, strerror(errno));
    }
    return 0;
}

static int afalg_session_init(HostCryptoSession *base, const uint8_t *key,
                              HostCryptoError *err)
{
    AfalgSession *s = (AfalgSession *)base;

    return afalg_tfm(&s->tfm, "skcipher", base->alg->kernel, key,
                     base->alg->key_len, err);
}

/*
 * The first len bytes of v as iovecs in new memory (*out, to free):
 * their count, -ENOTSUP past what one sendmsg() takes, or -ENOMEM.
 * extra: room for that many more entries after them.
 */
static int afalg_iov_slice(const HostCryptoIov *v, size_t len, int extra,
                           struct iovec **out)
{
    unsigned int i;
    int n = 0;

    if (v->cnt > (unsigned int)(UIO_MAXIOV - extra)) {
        return -ENOTSUP;
    }
    *out = malloc((v->cnt + extra + 1) * sizeof(**out));
    if (!*out) {
        return -ENOMEM;
    }
    for (i = 0; i < v->cnt && len; i++) {
        size_t l = v->iov[i].iov_len < len ? v->iov[i].iov_len : len;

        if (l) {
            (*out)[n++] = (struct iovec) { v->iov[i].iov_base, l };
            len -= l;
        }
    }
    return n;
}

/* Read len bytes into iov[0..cnt-1] (consumed as it goes): 0 or -errno */
static int afalg_readv_all(int fd, struct iovec *iov, int cnt, size_t len)
{
    ssize_t n;

    while (len) {
        n = readv(fd, iov, cnt);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return n < 0 ? -errno : -EIO;
        }
        len -= n;
        while (cnt && (size_t)n >= iov->iov_len) {
            n -= iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt) {
            iov->iov_base = (uint8_t *)iov->iov_base + n;
            iov->iov_len -= n;
        }
    }
    return 0;
}

/*
 * One request: the source as in[0..nin-1] in one sendmsg() (the kernel
 * copies it in before it starts), the result read into out[0..nout-1].
 */
static int afalg_crypt_vec(HostCryptoSession *base, const uint8_t *iv,
                           struct iovec *in, int nin, struct iovec *out,
                           int nout, size_t len)
{
    AfalgSession *s = (AfalgSession *)base;
    uint8_t cbuf[CMSG_SPACE(sizeof(uint32_t)) +
                 CMSG_SPACE(sizeof(struct af_alg_iv) +
                            HOSTCRYPTO_MAX_IV_LEN)] = { 0 };
    struct msghdr msg = {
        .msg_control = cbuf,
        .msg_controllen = CMSG_SPACE(sizeof(uint32_t)),
        .msg_iov = in,
        .msg_iovlen = nin,
    };
    struct cmsghdr *cmsg;
    uint32_t op = base->encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
    uint32_t iv_len = base->alg->iv_len;
    ssize_t n;
    int fd, ret = -EIO;

    if (len > AFALG_MAX_DATA || iv_len > HOSTCRYPTO_MAX_IV_LEN) {
        return -EMSGSIZE;
    }
    if (iv_len) {
        msg.msg_controllen += CMSG_SPACE(sizeof(struct af_alg_iv) + iv_len);
    }
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_ALG;
    cmsg->cmsg_type = ALG_SET_OP;
    cmsg->cmsg_len = CMSG_LEN(sizeof(uint32_t));
    memcpy(CMSG_DATA(cmsg), &op, sizeof(op));
    if (iv_len) {
        struct af_alg_iv aiv = { .ivlen = iv_len };

        cmsg = CMSG_NXTHDR(&msg, cmsg);
        cmsg->cmsg_level = SOL_ALG;
        cmsg->cmsg_type = ALG_SET_IV;
        cmsg->cmsg_len = CMSG_LEN(sizeof(aiv) + iv_len);
        memcpy(CMSG_DATA(cmsg), &aiv, sizeof(aiv));
        memcpy(CMSG_DATA(cmsg) + sizeof(aiv), iv, iv_len);
    }

    fd = accept4(s->tfm, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    n = sendmsg(fd, &msg, 0);
    if (n >= 0 && (size_t)n == len) {
        ret = afalg_readv_all(fd, out, nout, len);
    }
    close(fd);
    return ret;
}

static int afalg_crypt(HostCryptoSession *base, const uint8_t *iv,
                       const uint8_t *src, uint8_t *dst, size_t len)
{
    struct iovec in = { .iov_base = (void *)src, .iov_len = len };
    struct iovec out = { .iov_base = dst, .iov_len = len };

    return afalg_crypt_vec(base, iv, &in, 1, &out, 1, len);
}

static int afalg_crypt_iov(HostCryptoSession *base, const uint8_t *iv,
                           const HostCryptoIov *src, const HostCryptoIov *dst,
                           size_t len)
{
    struct iovec *in = NULL, *out = NULL;
    int nin, nout, ret;

    nin = afalg_iov_slice(src, len, 0, &in);
    nout = nin < 0 ? nin : afalg_iov_slice(dst, len, 0, &out);
    ret = nout < 0 ? nout : afalg_crypt_vec(base, iv, in, nin, out, nout,
                                            len);
    free(in);
    free(out);
    return ret;
}

static int afalg_auth_fini(HostCryptoAuthSession *base)
{
    AfalgAuthSession *s = (AfalgAuthSession *)base;

    if (s->tfm >= 0) {
        close(s->tfm);
    }
    return 0;
}

static int afalg_auth_init(HostCryptoAuthSession *base, const uint8_t *key,
                           size_t key_len, HostCryptoError *err)
{
    static const uint8_t zero;
    AfalgAuthSession *s = (AfalgAuthSession *)base;

    /*
     * An HMAC key is padded with zeros to the block size, so an empty key
     * is the same as a single zero byte; the kernel's hmac() wants a key
     * set (else accept() fails with ENOKEY), so give it that byte.
     */
    if (base->alg->service == HOSTCRYPTO_SERVICE_MAC && !key_len) {
        key = &zero;
        key_len = 1;
    }
    return afalg_tfm(&s->tfm, "hash", base->alg->kernel, key, key_len, err);
}

/* Hash the first len bytes of v, sent in pieces as they come. */
static int afalg_digest_iov(HostCryptoAuthSession *base,
                            const HostCryptoIov *v, size_t len,
                            uint8_t *digest)
{
    AfalgAuthSession *s = (AfalgAuthSession *)base;
    uint8_t full[HOSTCRYPTO_MAX_DIGEST_LEN];
    unsigned int i;
    size_t off = 0, n;
    ssize_t r;
    int fd, ret = -EIO;

    fd = accept4(s->tfm, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    /* nothing sent at all: the kernel hashes the empty message */
    for (i = 0; i < v->cnt && len; i++) {
        const uint8_t *p = v->iov[i].iov_base;
        size_t l = v->iov[i].iov_len < len ? v->iov[i].iov_len : len;

        for (off = 0; off < l; off += r) {
            n = l - off < AFALG_HASH_CHUNK ? l - off : AFALG_HASH_CHUNK;
            r = send(fd, p + off, n, off + n < len ? MSG_MORE : 0);
            if (r < 0 && errno == EINTR) {
                r = 0;
                continue;
            }
            if (r <= 0) {
                ret = r < 0 ? -errno : -EIO;
                goto out;
            }
        }
        len -= l;
    }
    do {
        r = read(fd, full, base->alg->digest_len);
    } while (r < 0 && errno == EINTR);
    if (r == (ssize_t)base->alg->digest_len) {
        memcpy(digest, full, base->digest_len);
        ret = 0;
    } else if (r < 0) {
        ret = -errno;
    }
out:
    explicit_bzero(full, sizeof(full));
    close(fd);
    return ret;
}

static int afalg_digest(HostCryptoAuthSession *base, const uint8_t *src,
                        size_t len, uint8_t *digest)
{
    struct iovec one = { .iov_base = (void *)src, .iov_len = len };
    HostCryptoIov v = { .iov = &one, .cnt = 1 };

    return afalg_digest_iov(base, &v, len, digest);
}

static int afalg_aead_fini(HostCryptoAeadSession *base)
{
    AfalgAeadSession *s = (AfalgAeadSession *)base;

    if (s->tfm >= 0) {
        close(s->tfm);
    }
    return 0;
}

static int afalg_aead_init(HostCryptoAeadSession *base, const uint8_t *key,
                           HostCryptoError *err)
{
    AfalgAeadSession *s = (AfalgAeadSession *)base;
    int r;

    r = afalg_tfm(&s->tfm, "aead", base->alg->kernel, key,
                  base->alg->key_len, err);
    if (r < 0) {
        return r;
    }
    /* the option's length is the tag length; there is no value */
    if (setsockopt(s->tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL,
                   base->tag_len) < 0) {
        return hostcrypto_error(err, errno,
                                "AF_ALG %s: no %u-byte tag: %s",
                                base->alg->kernel, base->tag_len,
                                strerror(errno));
    }
    return 0;
}

/*
 * In: aad || src (|| tag to check); out: a copy of aad || dst (|| tag).
 * CCM's IV is the kernel's 16-byte counter block: flags byte L' = L - 1
 * (L: bytes of the length field, 15 - nonce length), then the nonce.
 */
static int afalg_aead_run(HostCryptoAeadSession *base, bool encrypt,
                          const uint8_t *iv, size_t iv_len,
                          const HostCryptoIov *aad, size_t aad_len,
                          const HostCryptoIov *src, const HostCryptoIov *dst,
                          size_t len, uint8_t *tag)
{
    AfalgAeadSession *s = (AfalgAeadSession *)base;
    uint8_t cbuf[CMSG_SPACE(sizeof(uint32_t)) * 2 +
                 CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = { 0 };
    uint8_t kiv[16] = { 0 };
    uint32_t op = encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
    uint32_t assoclen = aad_len, tl = base->tag_len;
    struct af_alg_iv aiv;
    struct iovec *in = NULL, *out = NULL, *sv = NULL, *dv = NULL;
    struct msghdr msg = { .msg_control = cbuf };
    struct cmsghdr *cmsg;
    uint8_t *aadcopy = NULL;
    int na, ns, nd, nin, nout;
    size_t outlen;
    ssize_t n;
    int fd, ret = -EIO;

    if (base->alg->aead == HOSTCRYPTO_AEAD_CCM) {
        kiv[0] = 14 - iv_len;
        memcpy(kiv + 1, iv, iv_len);
        aiv.ivlen = 16;
    } else {
        if (iv_len > sizeof(kiv)) {
            return -EINVAL;
        }
        memcpy(kiv, iv, iv_len);
        aiv.ivlen = iv_len;
    }
    msg.msg_controllen = CMSG_SPACE(sizeof(op)) + CMSG_SPACE(sizeof(assoclen)) +
                         CMSG_SPACE(sizeof(aiv) + aiv.ivlen);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_ALG;
    cmsg->cmsg_type = ALG_SET_OP;
    cmsg->cmsg_len = CMSG_LEN(sizeof(op));
    memcpy(CMSG_DATA(cmsg), &op, sizeof(op));
    cmsg = CMSG_NXTHDR(&msg, cmsg);
    cmsg->cmsg_level = SOL_ALG;
    cmsg->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
    cmsg->cmsg_len = CMSG_LEN(sizeof(assoclen));
    memcpy(CMSG_DATA(cmsg), &assoclen, sizeof(assoclen));
    cmsg = CMSG_NXTHDR(&msg, cmsg);
    cmsg->cmsg_level = SOL_ALG;
    cmsg->cmsg_type = ALG_SET_IV;
    cmsg->cmsg_len = CMSG_LEN(sizeof(aiv) + aiv.ivlen);
    memcpy(CMSG_DATA(cmsg), &aiv, sizeof(aiv));
    memcpy(CMSG_DATA(cmsg) + sizeof(aiv), kiv, aiv.ivlen);

    /* in: aad, src, the tag; out: the aad's copy, dst, the tag */
    na = afalg_iov_slice(aad, aad_len, 0, &in);
    ns = na < 0 ? na : afalg_iov_slice(src, len, 0, &sv);
    nd = ns < 0 ? ns : afalg_iov_slice(dst, len, 0, &dv);
    if (nd < 0) {
        ret = nd;
        goto out_free;
    }
    if (na + ns + 1 > UIO_MAXIOV || nd + 2 > UIO_MAXIOV) {
        ret = -ENOTSUP;
        goto out_free;
    }
    in = realloc(in, (na + ns + 1) * sizeof(*in));
    out = malloc((nd + 2) * sizeof(*out));
    /* the kernel copies the aad to the output; that copy goes here */
    aadcopy = malloc(aad_len ? aad_len : 1);
    if (!in || !out || !aadcopy) {
        ret = -ENOMEM;
        goto out_free;
    }
    memcpy(in + na, sv, ns * sizeof(*in));
    nin = na + ns;
    if (!encrypt) {
        in[nin++] = (struct iovec) { .iov_base = tag, .iov_len = tl };
    }
    nout = 0;
    out[nout++] = (struct iovec) { .iov_base = aadcopy, .iov_len = aad_len };
    memcpy(out + nout, dv, nd * sizeof(*out));
    nout += nd;
    if (encrypt) {
        out[nout++] = (struct iovec) { .iov_base = tag, .iov_len = tl };
    }
    msg.msg_iov = in;
    msg.msg_iovlen = nin;
    outlen = aad_len + len + (encrypt ? tl : 0);

    fd = accept4(s->tfm, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        ret = -errno;
        goto out_free;
    }
    /* never wait for room: the request must fit the socket at once */
    n = sendmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0 || (size_t)n != aad_len + len + (encrypt ? 0 : tl)) {
        ret = n < 0 && errno != EAGAIN ? -errno : -EMSGSIZE;
        goto out;
    }
    msg = (struct msghdr) { .msg_iov = out, .msg_iovlen = nout };
    do {
        n = recvmsg(fd, &msg, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        ret = -errno;
    } else if ((size_t)n == outlen) {
        ret = 0;
    }
out:
    close(fd);
out_free:
    if (aadcopy) {
        explicit_bzero(aadcopy, aad_len);
    }
    free(aadcopy);
    free(in);
    free(out);
    free(sv);
    free(dv);
    return ret;
}

/*
 * The kernel runs a decryption only when there is output to write: with
 * neither aad nor data it returns 0 without looking at the tag.  So the
 * empty message's tag is computed (an encryption, with the same key and
 * tag length) and compared here.
 */
static int afalg_aead_iov(HostCryptoAeadSession *base, const uint8_t *iv,
                          size_t iv_len, const HostCryptoIov *aad,
                          size_t aad_len, const HostCryptoIov *src,
                          const HostCryptoIov *dst, size_t len, uint8_t *tag)
{
    uint8_t want[HOSTCRYPTO_MAX_TAG_LEN];
    int ret;

    if (base->encrypt || aad_len || len) {
        return afalg_aead_run(base, base->encrypt, iv, iv_len, aad, aad_len,
                              src, dst, len, tag);
    }
    ret = afalg_aead_run(base, true, iv, iv_len, aad, 0, src, dst, 0, want);
    if (ret == 0 && CRYPTO_memcmp(want, tag, base->tag_len)) {
        ret = -EBADMSG;
    }
    return ret;
}

static int afalg_aead(HostCryptoAeadSession *base, const uint8_t *iv,
                      size_t iv_len, const uint8_t *aad, size_t aad_len,
                      const uint8_t *src, uint8_t *dst, size_t len,
                      uint8_t *tag)
{
    struct iovec v[3] = {
        { .iov_base = (void *)aad, .iov_len = aad_len },
        { .iov_base = (void *)src, .iov_len = len },
        { .iov_base = dst, .iov_len = len },
    };
    HostCryptoIov a = { &v[0], 1 }, sv = { &v[1], 1 }, dv = { &v[2], 1 };

    return afalg_aead_iov(base, iv, iv_len, &a, aad_len, &sv, &dv, len, tag);
}

const HostCryptoProvider hostcrypto_afalg = {
    .name = "afalg",
    .max_len = AFALG_MAX_DATA,
    .open = afalg_open,
    .session_size = sizeof(AfalgSession),
    .session_init = afalg_session_init,
    .session_fini = afalg_session_fini,
    .crypt = afalg_crypt,
    .auth_session_size = sizeof(AfalgAuthSession),
    .auth_init = afalg_auth_init,
    .auth_fini = afalg_auth_fini,
    .digest = afalg_digest,
    .aead_fixed_iv = true,
    .aead_session_size = sizeof(AfalgAeadSession),
    .aead_init = afalg_aead_init,
    .aead_fini = afalg_aead_fini,
    .aead = afalg_aead,
    .crypt_iov = afalg_crypt_iov,
    .digest_iov = afalg_digest_iov,
    .aead_iov = afalg_aead_iov,
};
