/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /dev/crypto provider: the cryptodev-linux ioctls.  One file descriptor
 * per HostCrypto; sessions are the driver's session numbers on it.
 */
/* accept4(), explicit_bzero() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
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

#define CD_CIOCGSESSION _IOWR('c', 102, struct cd_session_op)
#define CD_CIOCFSESSION _IOW('c', 103, uint32_t)
#define CD_CIOCCRYPT    _IOWR('c', 104, struct cd_crypt_op)
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

static int devcrypto_session_init(HostCryptoSession *base,
                                  const uint8_t *key, HostCryptoError *err)
{
    DevcryptoSession *s = (DevcryptoSession *)base;
    uint8_t kbuf[HOSTCRYPTO_MAX_KEY_LEN];
    struct cd_session_op sop = {
        .cipher = base->alg->cd_cipher,
        .keylen = base->alg->key_len,
        .key = kbuf,
    };
    int r;

    memcpy(kbuf, key, base->alg->key_len);
    r = ioctl(base->hc->fd, CD_CIOCGSESSION, &sop);
    explicit_bzero(kbuf, sizeof(kbuf));
    if (r < 0) {
        return hostcrypto_error(err, errno,
                                "/dev/crypto: no session for %s: %s",
                                base->alg->name, strerror(errno));
    }
    s->ses = sop.ses;
    s->live = true;
    return 0;
}

static int devcrypto_session_fini(HostCryptoSession *base)
{
    DevcryptoSession *s = (DevcryptoSession *)base;
    uint32_t ses = s->ses;

    if (s->live && ioctl(base->hc->fd, CD_CIOCFSESSION, &ses) < 0) {
        return -errno;
    }
    return 0;
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

const HostCryptoProvider hostcrypto_devcrypto = {
    .name = "devcrypto",
    .xts_whole_blocks = true,
    .open = devcrypto_open,
    .close = devcrypto_close,
    .session_size = sizeof(DevcryptoSession),
    .session_init = devcrypto_session_init,
    .session_fini = devcrypto_session_fini,
    .crypt = devcrypto_crypt,
};
