// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Crypto sessions: QEMU forwards the guest's CREATE_SESSION with the key;
 * we key a provider session and answer with our id, which the guest then
 * puts in each data request.  An id is slot | generation << 32, so a
 * closed session's id never reaches the slot's next owner.  Data threads
 * hold the table's read lock while a request runs, so a close waits for
 * the requests on that session to finish.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/virtio_crypto.h>

#include "cryptod.h"

static uint32_t ld32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

static uint64_t ld64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v;
}

/* Returns our id, or -1 (the reply QEMU expects on failure). */
int64_t sess_create(Daemon *d, const uint8_t *msg)
{
    uint64_t op = ld64(msg + VU_SESS_OP_CODE);
    uint32_t cipher = ld32(msg + VU_SESS_CIPHER_ALG);
    uint32_t key_len = ld32(msg + VU_SESS_KEY_LEN);
    uint8_t op_type = msg[VU_SESS_OP_TYPE];
    uint8_t dir = msg[VU_SESS_DIRECTION];
    const HostCryptoAlg *alg;
    HostCryptoSession *hs;
    HostCryptoError err;
    int64_t id = -1;

    if (op != VIRTIO_CRYPTO_CIPHER_CREATE_SESSION) {
        cd_log(LOG_INFO_, "session: opcode %#llx not supported",
               (unsigned long long)op);
        goto out;
    }
    if (op_type != VIRTIO_CRYPTO_SYM_OP_CIPHER ||
        (dir != VIRTIO_CRYPTO_OP_ENCRYPT && dir != VIRTIO_CRYPTO_OP_DECRYPT)) {
        cd_log(LOG_INFO_, "session: op_type %u direction %u not supported",
               op_type, dir);
        goto out;
    }
    alg = key_len <= VU_SESS_KEY_MAX ? hostcrypto_alg_find(cipher, key_len,
                                                           NULL) : NULL;
    if (!alg || !d->hc->alg_ok[alg - hostcrypto_algs]) {
        cd_log(LOG_INFO_, "session: cipher %u key %u bytes not offered",
               cipher, key_len);
        goto out;
    }
    hs = hostcrypto_session_new(d->hc, alg, dir == VIRTIO_CRYPTO_OP_ENCRYPT,
                                msg + VU_SESS_KEY, &err);
    if (!hs) {
        cd_log(LOG_INFO_, "session: %s: %s", alg->name, err.msg);
        goto out;
    }
    pthread_rwlock_wrlock(&d->sess_lock);
    for (unsigned i = 0; i < d->opt.max_sessions; i++) {
        Session *s = &d->sess[i];

        if (!s->hs) {
            s->hs = hs;
            /* generations 1..2^31-1: the id stays a positive s64 */
            s->gen = s->gen % 0x7fffffffu + 1;
            id = (int64_t)i | (int64_t)s->gen << 32;
            d->nsess++;
            break;
        }
    }
    pthread_rwlock_unlock(&d->sess_lock);
    if (id < 0) {
        cd_log(LOG_INFO_, "session: all %u in use", d->opt.max_sessions);
        hostcrypto_session_free(hs);
    }
out:
    atomic_fetch_add(id < 0 ? &d->sess_failed : &d->sess_created, 1);
    return id;
}

static Session *lookup(Daemon *d, uint64_t id)
{
    uint64_t slot = id & 0xffffffffu;
    Session *s;

    if (slot >= d->opt.max_sessions) {
        return NULL;
    }
    s = &d->sess[slot];
    return s->hs && s->gen == id >> 32 ? s : NULL;
}

int sess_close(Daemon *d, uint64_t id)
{
    HostCryptoSession *hs = NULL;
    Session *s;

    pthread_rwlock_wrlock(&d->sess_lock);
    s = lookup(d, id);
    if (s) {
        hs = s->hs;
        s->hs = NULL;
        d->nsess--;
    }
    pthread_rwlock_unlock(&d->sess_lock);
    if (!hs) {
        cd_log(LOG_INFO_, "session: close of unknown id %#llx",
               (unsigned long long)id);
        return -ENOENT;
    }
    atomic_fetch_add(&d->sess_closed, 1);
    hostcrypto_session_free(hs);
    return 0;
}

void sess_close_all(Daemon *d)
{
    for (unsigned i = 0; i < d->opt.max_sessions; i++) {
        if (d->sess[i].hs) {
            sess_close(d, (uint64_t)d->sess[i].gen << 32 | i);
        }
    }
}

uint8_t sess_crypt(Daemon *d, uint64_t id, const uint8_t *iv, uint32_t iv_len,
                   const uint8_t *src, uint8_t *dst, size_t len)
{
    const HostCryptoAlg *alg;
    uint8_t status;
    Session *s;

    pthread_rwlock_rdlock(&d->sess_lock);
    s = lookup(d, id);
    if (!s) {
        status = VIRTIO_CRYPTO_INVSESS;
        goto out;
    }
    alg = s->hs->alg;
    if (iv_len != alg->iv_len) {
        status = VIRTIO_CRYPTO_BADMSG;
        goto out;
    }
    if (len == 0) {
        status = VIRTIO_CRYPTO_OK;
        goto out;
    }
    if (!hostcrypto_len_ok(d->hc, alg, len) ||
        (d->hc->prov->max_len && len > d->hc->prov->max_len)) {
        status = VIRTIO_CRYPTO_BADMSG;
        goto out;
    }
    status = hostcrypto_crypt(s->hs, iv, src, dst, len) < 0 ?
             VIRTIO_CRYPTO_ERR : VIRTIO_CRYPTO_OK;
out:
    pthread_rwlock_unlock(&d->sess_lock);
    return status;
}
