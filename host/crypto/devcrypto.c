/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /dev/crypto provider: the cryptodev-linux ioctls (CIOCCRYPT for ciphers
 * and digests, CIOCAUTHCRYPT for AES-GCM).  One file descriptor per
 * HostCrypto; sessions are the driver's session numbers on it.
 *
 * No scatter-gather forms: the ABI takes one src and one dst pointer per
 * request (CBC could chain its IV from call to call, but a digest in
 * several calls keeps its state in the shared session, which another
 * thread may be using).  So the core passes a request's pieces straight
 * through when each side is one run of memory, and otherwise copies them
 * into one buffer first (hostcrypto_crypt_iov() and the others).
 */
/* accept4(), explicit_bzero() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "provider.h"

/*
 * The cryptodev-linux ABI (its crypto/cryptodev.h), declared here with
 * our own names; the layouts are fixed by the ioctl numbers.
 */
struct cd_session_op {
    uint32_t cipher;
    uint32_t mac;
    uint32_t keylen;
    uint8_t *key;
    uint32_t mackeylen;
    uint8_t *mackey;
    uint32_t ses;
};

struct cd_crypt_op {
    uint32_t ses;
    uint16_t op;
    uint16_t flags;
    uint32_t len;
    uint8_t *src;
    uint8_t *dst;
    uint8_t *mac;
    uint8_t *iv;
};

struct cd_crypt_auth_op {
    uint32_t ses;
    uint16_t op;
    uint16_t flags;
    uint32_t len;
    uint32_t auth_len;
    uint8_t *auth_src;
    uint8_t *src;
    uint8_t *dst;
    uint8_t *tag;
    uint32_t tag_len;
    uint8_t *iv;
    uint32_t iv_len;
};

#define CD_CIOCGSESSION _IOWR('c', 102, struct cd_session_op)
#define CD_CIOCFSESSION _IOW('c', 103, uint32_t)
#define CD_CIOCCRYPT    _IOWR('c', 104, struct cd_crypt_op)
#define CD_CIOCAUTHCRYPT _IOWR('c', 109, struct cd_crypt_auth_op)
/* cryptodev-linux copies at most a page of additional data */
#define CD_MAX_AAD      4096
#define CD_COP_ENCRYPT  0
#define CD_COP_DECRYPT  1

typedef struct DevcryptoSession {
    HostCryptoSession base;
    uint32_t ses;
    bool live;                /* ses was created */
} DevcryptoSession;

static int devcrypto_open(HostCrypto *hc, HostCryptoError *err)
{
    hc->fd = open("/dev/crypto", O_RDWR | O_CLOEXEC);
    if (hc->fd < 0) {
        return hostcrypto_error(err, errno, "cannot open /dev/crypto: %s",
                                strerror(errno));
    }
    return 0;
}

static void devcrypto_close(HostCrypto *hc)
{
    if (hc->fd >= 0) {
        close(hc->fd);
        hc->fd = -1;
    }
}

/*
 * A driver session for a cipher and/or mac, keys copied to our buffers
 * (wiped after) as the ioctl does not take const: 0 or -errno.
 */
static int devcrypto_ses(int fd, uint32_t *ses, const char *name,
                         uint32_t cipher, const uint8_t *key, size_t key_len,
                         uint32_t mac, const uint8_t *mackey,
                         size_t mackey_len, HostCryptoError *err)
{
    uint8_t kbuf[HOSTCRYPTO_MAX_KEY_LEN];
    uint8_t mkbuf[HOSTCRYPTO_MAX_AUTH_KEY_LEN];
    struct cd_session_op sop = {
        .cipher = cipher,
        .keylen = key_len,
        .key = kbuf,
        .mac = mac,
        .mackeylen = mackey_len,
        .mackey = mackey_len ? mkbuf : NULL,
    };
    int r;

    if (key_len > sizeof(kbuf) || mackey_len > sizeof(mkbuf)) {
        return hostcrypto_error(err, EINVAL, "%s: key too long", name);
    }
    if (key_len) {
        memcpy(kbuf, key, key_len);
    }
    if (mackey_len) {
        memcpy(mkbuf, mackey, mackey_len);
    }
    r = ioctl(fd, CD_CIOCGSESSION, &sop);
    explicit_bzero(kbuf, sizeof(kbuf));
    explicit_bzero(mkbuf, sizeof(mkbuf));
    if (r < 0) {
        return hostcrypto_error(err, errno,
                                "/dev/crypto: no session for %s: %s",
                                name, strerror(errno));
    }
    *ses = sop.ses;
    return 0;
}

static int devcrypto_ses_free(int fd, uint32_t ses, bool live)
{
    if (live && ioctl(fd, CD_CIOCFSESSION, &ses) < 0) {
        return -errno;
    }
    return 0;
}

static int devcrypto_session_init(HostCryptoSession *base,
                                  const uint8_t *key, HostCryptoError *err)
{
    DevcryptoSession *s = (DevcryptoSession *)base;
    int r;

    r = devcrypto_ses(base->hc->fd, &s->ses, base->alg->name,
                      base->alg->cd_cipher, key, base->alg->key_len, 0,
                      NULL, 0, err);
    s->live = r == 0;
    return r;
}

static int devcrypto_session_fini(HostCryptoSession *base)
{
    DevcryptoSession *s = (DevcryptoSession *)base;

    return devcrypto_ses_free(base->hc->fd, s->ses, s->live);
}

static int devcrypto_crypt(HostCryptoSession *base, const uint8_t *iv,
                           const uint8_t *src, uint8_t *dst, size_t len)
{
    DevcryptoSession *s = (DevcryptoSession *)base;
    uint8_t ivbuf[HOSTCRYPTO_MAX_IV_LEN];
    struct cd_crypt_op cop = {
        .ses = s->ses,
        .op = base->encrypt ? CD_COP_ENCRYPT : CD_COP_DECRYPT,
        .len = len,
        .src = (uint8_t *)src,
        .dst = dst,
    };

    if (len > UINT32_MAX) {
        return -EMSGSIZE;
    }
    /* The ioctl may write the IV back; keep the caller's copy intact */
    if (base->alg->iv_len) {
        memcpy(ivbuf, iv, base->alg->iv_len);
        cop.iv = ivbuf;
    }
    if (ioctl(base->hc->fd, CD_CIOCCRYPT, &cop) < 0) {
        return -errno;
    }
    return 0;
}

typedef struct DevcryptoAuthSession {
    HostCryptoAuthSession base;
    uint32_t ses;
    bool live;
} DevcryptoAuthSession;

static int devcrypto_auth_init(HostCryptoAuthSession *base,
                               const uint8_t *key, size_t key_len,
                               HostCryptoError *err)
{
    static const uint8_t zero;
    DevcryptoAuthSession *s = (DevcryptoAuthSession *)base;
    const HostCryptoAuthAlg *alg = base->alg;
    int r;

    if (!alg->cd_mac) {
        return hostcrypto_error(err, ENOTSUP, "/dev/crypto has no %s",
                                alg->name);
    }
    /* an empty HMAC key is one zero byte (see afalg.c), for any driver */
    if (alg->service == HOSTCRYPTO_SERVICE_MAC && !key_len) {
        key = &zero;
        key_len = 1;
    }
    r = devcrypto_ses(base->hc->fd, &s->ses, alg->name, 0, NULL, 0,
                      alg->cd_mac, key, key_len, err);
    s->live = r == 0;
    return r;
}

static int devcrypto_auth_fini(HostCryptoAuthSession *base)
{
    DevcryptoAuthSession *s = (DevcryptoAuthSession *)base;

    return devcrypto_ses_free(base->hc->fd, s->ses, s->live);
}

/*
 * CIOCCRYPT without COP_FLAG_UPDATE is a whole digest: the driver resets
 * the session's hash state first and holds the session while it runs.
 */
static int devcrypto_digest(HostCryptoAuthSession *base, const uint8_t *src,
                            size_t len, uint8_t *digest)
{
    static const uint8_t empty;
    DevcryptoAuthSession *s = (DevcryptoAuthSession *)base;
    uint8_t full[HOSTCRYPTO_MAX_DIGEST_LEN];
    struct cd_crypt_op cop = {
        .ses = s->ses,
        .op = CD_COP_ENCRYPT,
        .len = len,
        .src = (uint8_t *)(len ? src : &empty),
        .mac = full,
    };
    int ret = 0;

    if (len > UINT32_MAX) {
        return -EMSGSIZE;
    }
    if (ioctl(base->hc->fd, CD_CIOCCRYPT, &cop) < 0) {
        ret = -errno;
    } else {
        memcpy(digest, full, base->digest_len);
    }
    explicit_bzero(full, sizeof(full));
    return ret;
}

typedef struct DevcryptoAeadSession {
    HostCryptoAeadSession base;
    uint32_t ses;
    bool live;
} DevcryptoAeadSession;

static int devcrypto_aead_init(HostCryptoAeadSession *base,
                               const uint8_t *key, HostCryptoError *err)
{
    DevcryptoAeadSession *s = (DevcryptoAeadSession *)base;
    const HostCryptoAeadAlg *alg = base->alg;
    int r;

    if (!alg->cd_cipher) {
        return hostcrypto_error(err, ENOTSUP, "/dev/crypto has no %s",
                                alg->name);
    }
    r = devcrypto_ses(base->hc->fd, &s->ses, alg->name, alg->cd_cipher, key,
                      alg->key_len, 0, NULL, 0, err);
    s->live = r == 0;
    return r;
}

static int devcrypto_aead_fini(HostCryptoAeadSession *base)
{
    DevcryptoAeadSession *s = (DevcryptoAeadSession *)base;

    return devcrypto_ses_free(base->hc->fd, s->ses, s->live);
}

/*
 * CIOCAUTHCRYPT as cryptodev-linux does GCM: encrypt writes ciphertext
 * and tag to dst; decrypt reads ciphertext and tag from src, len counting
 * both.  Our dst and tag are apart, so both go through one buffer.
 */
static int devcrypto_aead(HostCryptoAeadSession *base, const uint8_t *iv,
                          size_t iv_len, const uint8_t *aad, size_t aad_len,
                          const uint8_t *src, uint8_t *dst, size_t len,
                          uint8_t *tag)
{
    DevcryptoAeadSession *s = (DevcryptoAeadSession *)base;
    uint8_t ivbuf[HOSTCRYPTO_MAX_AEAD_IV_LEN];
    uint32_t tl = base->tag_len;
    struct cd_crypt_auth_op cop = {
        .ses = s->ses,
        .op = base->encrypt ? CD_COP_ENCRYPT : CD_COP_DECRYPT,
        .len = base->encrypt ? len : len + tl,
        .auth_len = aad_len,
        .auth_src = aad_len ? (uint8_t *)aad : NULL,
        .tag_len = tl,
        .iv = ivbuf,
        .iv_len = iv_len,
    };
    uint8_t *buf;
    int ret = 0;

    if (len > UINT32_MAX - HOSTCRYPTO_MAX_TAG_LEN || aad_len > CD_MAX_AAD ||
        iv_len > sizeof(ivbuf)) {
        return -EMSGSIZE;
    }
    buf = malloc(len + tl);
    if (!buf) {
        return -ENOMEM;
    }
    memcpy(ivbuf, iv, iv_len);
    if (len) {
        memcpy(buf, src, len);
    }
    if (!base->encrypt) {
        memcpy(buf + len, tag, tl);
    }
    cop.src = cop.dst = buf;
    if (ioctl(base->hc->fd, CD_CIOCAUTHCRYPT, &cop) < 0) {
        ret = -errno;
    } else {
        if (len) {
            memcpy(dst, buf, len);
        }
        if (base->encrypt) {
            memcpy(tag, buf + len, tl);
        }
    }
    explicit_bzero(buf, len + tl);
    free(buf);
    return ret;
}

const HostCryptoProvider hostcrypto_devcrypto = {
    .name = "devcrypto",
    .xts_whole_blocks = true,
    .open = devcrypto_open,
    .close = devcrypto_close,
    .session_size = sizeof(DevcryptoSession),
    .session_init = devcrypto_session_init,
    .session_fini = devcrypto_session_fini,
    .crypt = devcrypto_crypt,
    .auth_session_size = sizeof(DevcryptoAuthSession),
    .auth_init = devcrypto_auth_init,
    .auth_fini = devcrypto_auth_fini,
    .digest = devcrypto_digest,
    .aead_fixed_iv = true,
    .aead_session_size = sizeof(DevcryptoAeadSession),
    .aead_init = devcrypto_aead_init,
    .aead_fini = devcrypto_aead_fini,
    .aead = devcrypto_aead,
};
