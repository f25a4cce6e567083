/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AF_ALG provider: the host kernel's crypto API through sockets.  A
 * session is a transform socket holding the key; each request accepts
 * an operation socket from it, so requests on one session run at once.
 */
/* accept4(), explicit_bzero() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_alg.h>

#include "provider.h"

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

/* One sendmsg() per request; stay well below the socket's sndbuf */
#define AFALG_MAX_DATA (64 * 1024)

typedef struct AfalgSession {
    HostCryptoSession base;
    int tfm;                  /* bound and keyed transform socket */
} AfalgSession;

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

static int afalg_session_init(HostCryptoSession *base, const uint8_t *key,
                              HostCryptoError *err)
{
    struct sockaddr_alg sa = { .salg_family = AF_ALG };
    AfalgSession *s = (AfalgSession *)base;
    const HostCryptoAlg *alg = base->alg;

    snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "skcipher");
    snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", alg->kernel);
    s->tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (s->tfm < 0) {
        return hostcrypto_error(err, errno, "AF_ALG socket: %s",
                                strerror(errno));
    }
    if (bind(s->tfm, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        return hostcrypto_error(err, errno, "AF_ALG has no %s: %s",
                                alg->kernel, strerror(errno));
    }
    if (setsockopt(s->tfm, SOL_ALG, ALG_SET_KEY, key, alg->key_len) < 0) {
        return hostcrypto_error(err, errno, "AF_ALG %s rejected the key: %s",
                                alg->kernel, strerror(errno));
    }
    return 0;
}

static int afalg_crypt(HostCryptoSession *base, const uint8_t *iv,
                       const uint8_t *src, uint8_t *dst, size_t len)
{
    AfalgSession *s = (AfalgSession *)base;
    uint8_t cbuf[CMSG_SPACE(sizeof(uint32_t)) +
                 CMSG_SPACE(sizeof(struct af_alg_iv) +
                            HOSTCRYPTO_MAX_IV_LEN)] = { 0 };
    struct iovec iov = { .iov_base = (void *)src, .iov_len = len };
    struct msghdr msg = {
        .msg_control = cbuf,
        .msg_controllen = CMSG_SPACE(sizeof(uint32_t)),
        .msg_iov = &iov,
        .msg_iovlen = 1,
    };
    struct cmsghdr *cmsg;
    uint32_t op = base->encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
    uint32_t iv_len = base->alg->iv_len;
    size_t done = 0;
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
    if (n < 0 || (size_t)n != len) {
        goto out;
    }
    while (done < len) {
        n = read(fd, dst + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            goto out;
        }
        done += n;
    }
    ret = 0;
out:
    close(fd);
    return ret;
}

const HostCryptoProvider hostcrypto_afalg = {
    .name = "afalg",
    .max_len = AFALG_MAX_DATA,
    .open = afalg_open,
    .session_size = sizeof(AfalgSession),
    .session_init = afalg_session_init,
    .session_fini = afalg_session_fini,
    .crypt = afalg_crypt,
};
