// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Crypto sessions: QEMU forwards the guest's CREATE_SESSION with the key;
 * we key a provider session and answer with our id, which the guest then
 * puts in each data request.  An id is slot | generation << 32, so a
 * closed session's id never reaches the slot's next owner; a slot's first
 * generation is random, so the ids a guest kept from before a daemon
 * restart are refused (INVSESS), not taken for new sessions.  Data
 * threads hold the table's read lock while a request runs, so a close
 * waits for the requests on that session to finish.
 *
 * CIPHER sessions come from every QEMU; HASH, MAC and AEAD ones only from
 * ours (patch 2041), and only once GET_CONFIG has told it we do them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
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

static void st32(uint8_t *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, 4);
}

static Session *lookup(Daemon *d, uint64_t id)
{
    uint64_t slot = id & 0xffffffffu;
    Session *s;

    if (slot >= d->opt.max_sessions) {
        return NULL;
    }
    s = &d->sess[slot];
    return s->any && s->gen == id >> 32 ? s : NULL;
}

static void session_free(uint32_t service, void *p)
{
    switch (service) {
    case VIRTIO_CRYPTO_SERVICE_CIPHER:
        hostcrypto_session_free(p);
        break;
    case VIRTIO_CRYPTO_SERVICE_AEAD:
        hostcrypto_aead_session_free(p);
        break;
    default:
        hostcrypto_auth_session_free(p);
    }
}

static HostCryptoSession *new_cipher(Daemon *d, const uint8_t *msg)
{
    uint32_t cipher = ld32(msg + VU_SESS_CIPHER_ALG);
    uint32_t key_len = ld32(msg + VU_SESS_KEY_LEN);
    uint8_t op_type = msg[VU_SESS_OP_TYPE];
    uint8_t dir = msg[VU_SESS_DIRECTION];
    const HostCryptoAlg *alg;
    HostCryptoSession *hs;
    HostCryptoError err;

    if (op_type != VIRTIO_CRYPTO_SYM_OP_CIPHER ||
        (dir != VIRTIO_CRYPTO_OP_ENCRYPT && dir != VIRTIO_CRYPTO_OP_DECRYPT)) {
        cd_log(LOG_INFO_, "session: op_type %u direction %u not supported",
               op_type, dir);
        return NULL;
    }
    alg = key_len <= VU_SESS_KEY_MAX ? hostcrypto_alg_find(cipher, key_len,
                                                           NULL) : NULL;
    if (!alg || !d->hc->alg_ok[alg - hostcrypto_algs]) {
        cd_log(LOG_INFO_, "session: cipher %u key %u bytes not offered",
               cipher, key_len);
        return NULL;
    }
    hs = hostcrypto_session_new(d->hc, alg, dir == VIRTIO_CRYPTO_OP_ENCRYPT,
                                msg + VU_SESS_KEY, &err);
    if (!hs) {
        cd_log(LOG_INFO_, "session: %s: %s", alg->name, err.msg);
    }
    return hs;
}

/* HASH (no key) or MAC */
static HostCryptoAuthSession *new_auth(Daemon *d, const uint8_t *msg,
                                       uint32_t service)
{
    uint32_t algo = ld32(msg + VU_SESS_HASH_ALG);
    uint32_t digest_len = ld32(msg + VU_SESS_HASH_RESULT_LEN);
    uint32_t key_len = service == HOSTCRYPTO_SERVICE_MAC ?
                       ld32(msg + VU_SESS_AUTH_KEY_LEN) : 0;
    const HostCryptoAuthAlg *alg = hostcrypto_auth_find(service, algo);
    HostCryptoAuthSession *as;
    HostCryptoError err;

    if (!alg || !d->hc->auth_ok[alg - hostcrypto_auth_algs]) {
        cd_log(LOG_INFO_, "session: %s %u not offered",
               service == HOSTCRYPTO_SERVICE_MAC ? "MAC" : "hash", algo);
        return NULL;
    }
    if (digest_len == 0 || digest_len > alg->digest_len ||
        key_len > VU_SESS_AUTH_KEY_MAX ||
        !hostcrypto_auth_key_ok(alg, key_len)) {
        cd_log(LOG_INFO_, "session: %s: result %u bytes, key %u bytes "
               "refused", alg->name, digest_len, key_len);
        return NULL;
    }
    as = hostcrypto_auth_session_new(d->hc, alg, msg + VU_SESS_AUTH_KEY,
                                     key_len, digest_len, &err);
    if (!as) {
        cd_log(LOG_INFO_, "session: %s: %s", alg->name, err.msg);
    }
    return as;
}

static HostCryptoAeadSession *new_aead(Daemon *d, const uint8_t *msg)
{
    uint32_t aead = ld32(msg + VU_SESS_CIPHER_ALG);
    uint32_t key_len = ld32(msg + VU_SESS_KEY_LEN);
    uint32_t tag_len = ld32(msg + VU_SESS_HASH_RESULT_LEN);
    uint8_t dir = msg[VU_SESS_DIRECTION];
    const HostCryptoAeadAlg *alg;
    HostCryptoAeadSession *es;
    HostCryptoError err;

    alg = key_len <= VU_SESS_KEY_MAX ? hostcrypto_aead_find(aead, key_len,
                                                            NULL) : NULL;
    if (!alg || !d->hc->aead_ok[alg - hostcrypto_aead_algs]) {
        cd_log(LOG_INFO_, "session: AEAD %u key %u bytes not offered", aead,
               key_len);
        return NULL;
    }
    if ((dir != VIRTIO_CRYPTO_OP_ENCRYPT && dir != VIRTIO_CRYPTO_OP_DECRYPT) ||
        tag_len > alg->tag_max || !(alg->tag_lens & (1u << tag_len)) ||
        !hostcrypto_aead_ok(d->hc, alg, alg->iv_len, tag_len)) {
        cd_log(LOG_INFO_, "session: %s: direction %u tag %u bytes refused",
               alg->name, dir, tag_len);
        return NULL;
    }
    es = hostcrypto_aead_session_new(d->hc, alg,
                                     dir == VIRTIO_CRYPTO_OP_ENCRYPT,
                                     msg + VU_SESS_KEY, tag_len, &err);
    if (!es) {
        cd_log(LOG_INFO_, "session: %s: %s", alg->name, err.msg);
    }
    return es;
}

/* A slot's first generation: random, 1 .. 2^31-1 */
static uint32_t first_gen(void)
{
    uint32_t g = 0;

    if (getrandom(&g, sizeof(g), GRND_NONBLOCK) != sizeof(g)) {
        g = (uint32_t)(uintptr_t)&g ^ (uint32_t)getpid() << 12;
    }
    return g % 0x7fffffffu + 1;
}

/* Returns our id, or -1 (the reply QEMU expects on failure). */
int64_t sess_create(Daemon *d, const uint8_t *msg)
{
    uint64_t op = ld64(msg + VU_SESS_OP_CODE);
    uint32_t service;
    void *p;
    int64_t id = -1;

    switch (op) {
    case VIRTIO_CRYPTO_CIPHER_CREATE_SESSION:
        service = VIRTIO_CRYPTO_SERVICE_CIPHER;
        p = new_cipher(d, msg);
        break;
    case VIRTIO_CRYPTO_HASH_CREATE_SESSION:
        service = VIRTIO_CRYPTO_SERVICE_HASH;
        p = new_auth(d, msg, HOSTCRYPTO_SERVICE_HASH);
        break;
    case VIRTIO_CRYPTO_MAC_CREATE_SESSION:
        service = VIRTIO_CRYPTO_SERVICE_MAC;
        p = new_auth(d, msg, HOSTCRYPTO_SERVICE_MAC);
        break;
    case VIRTIO_CRYPTO_AEAD_CREATE_SESSION:
        service = VIRTIO_CRYPTO_SERVICE_AEAD;
        p = new_aead(d, msg);
        break;
    default:
        cd_log(LOG_INFO_, "session: opcode %#llx not supported",
               (unsigned long long)op);
        p = NULL;
    }
    if (!p) {
        goto out;
    }
    pthread_rwlock_wrlock(&d->sess_lock);
    for (unsigned i = 0; i < d->opt.max_sessions; i++) {
        Session *s = &d->sess[i];

        if (!s->any) {
            s->any = p;
            s->service = service;
            /* generations 1..2^31-1: the id stays a positive s64 */
            s->gen = s->gen ? s->gen % 0x7fffffffu + 1 : first_gen();
            id = (int64_t)i | (int64_t)s->gen << 32;
            d->nsess++;
            break;
        }
    }
    pthread_rwlock_unlock(&d->sess_lock);
    if (id < 0) {
        cd_log(LOG_INFO_, "session: all %u in use", d->opt.max_sessions);
        session_free(service, p);
    }
out:
    atomic_fetch_add(id < 0 ? &d->sess_failed : &d->sess_created, 1);
    return id;
}

int sess_close(Daemon *d, uint64_t id)
{
    uint32_t service = 0;
    void *p = NULL;
    Session *s;

    pthread_rwlock_wrlock(&d->sess_lock);
    s = lookup(d, id);
    if (s) {
        p = s->any;
        service = s->service;
        s->any = NULL;
        d->nsess--;
    }
    pthread_rwlock_unlock(&d->sess_lock);
    if (!p) {
        cd_log(LOG_INFO_, "session: close of unknown id %#llx",
               (unsigned long long)id);
        return -ENOENT;
    }
    atomic_fetch_add(&d->sess_closed, 1);
    session_free(service, p);
    return 0;
}

void sess_close_all(Daemon *d)
{
    for (unsigned i = 0; i < d->opt.max_sessions; i++) {
        if (d->sess[i].any) {
            sess_close(d, (uint64_t)d->sess[i].gen << 32 | i);
        }
    }
}

void sess_log_stats(Daemon *d)
{
    unsigned n[4] = { 0 };

    if (!cd_stats) {
        return;
    }
    cd_stats = 0;
    pthread_rwlock_rdlock(&d->sess_lock);
    for (unsigned i = 0; i < d->opt.max_sessions; i++) {
        if (d->sess[i].any && d->sess[i].service < 4) {
            n[d->sess[i].service]++;
        }
    }
    pthread_rwlock_unlock(&d->sess_lock);
    cd_log(LOG_ERR_, "stats: sessions open %u (cipher %u hash %u mac %u "
           "aead %u), created %lu, closed %lu, refused %lu",
           n[0] + n[1] + n[2] + n[3], n[0], n[1], n[2], n[3],
           atomic_load(&d->sess_created), atomic_load(&d->sess_closed),
           atomic_load(&d->sess_failed));
}

/* What the provider passed its probe for, as virtio_crypto_config. */
void sess_config(const Daemon *d, uint8_t *cfg)
{
    uint64_t max_size = htole64(d->opt.max_len);
    HostCryptoCaps caps;

    hostcrypto_caps(d->hc, &caps, NULL, NULL);
    memset(cfg, 0, sizeof(struct virtio_crypto_config));
#define CFG(f) (cfg + offsetof(struct virtio_crypto_config, f))
    st32(CFG(status), VIRTIO_CRYPTO_S_HW_READY);
    st32(CFG(max_dataqueues), d->opt.queues);
    st32(CFG(crypto_services), caps.services);
    st32(CFG(cipher_algo_l), caps.cipher_algo_l);
    st32(CFG(hash_algo), caps.hash_algo);
    st32(CFG(mac_algo_l), caps.mac_algo_l);
    st32(CFG(mac_algo_h), caps.mac_algo_h);
    st32(CFG(aead_algo), caps.aead_algo);
    st32(CFG(max_cipher_key_len), caps.max_cipher_key_len);
    st32(CFG(max_auth_key_len), caps.mac ? VU_SESS_AUTH_KEY_MAX : 0);
    memcpy(CFG(max_size), &max_size, 8);
#undef CFG
}

/* The session id under the read lock, if it is of this service. */
static Session *get(Daemon *d, uint64_t id, uint32_t service)
{
    Session *s;

    pthread_rwlock_rdlock(&d->sess_lock);
    s = lookup(d, id);
    if (!s || s->service != service) {
        pthread_rwlock_unlock(&d->sess_lock);
        return NULL;
    }
    return s;
}

uint8_t sess_crypt(Daemon *d, uint64_t id, const uint8_t *iv, uint32_t iv_len,
                   const HostCryptoIov *src, const HostCryptoIov *dst,
                   size_t len)
{
    Session *s = get(d, id, VIRTIO_CRYPTO_SERVICE_CIPHER);
    const HostCryptoAlg *alg;
    uint8_t status;

    if (!s) {
        return VIRTIO_CRYPTO_INVSESS;
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
    /* one piece each side: the flat call, without the iov checks */
    if (src->cnt && dst->cnt && src->iov[0].iov_len >= len &&
        dst->iov[0].iov_len >= len) {
        status = hostcrypto_crypt(s->hs, iv, src->iov[0].iov_base,
                                  dst->iov[0].iov_base, len) < 0 ?
                 VIRTIO_CRYPTO_ERR : VIRTIO_CRYPTO_OK;
    } else {
        status = hostcrypto_crypt_iov(s->hs, iv, src, dst, len) < 0 ?
                 VIRTIO_CRYPTO_ERR : VIRTIO_CRYPTO_OK;
    }
out:
    pthread_rwlock_unlock(&d->sess_lock);
    return status;
}

uint8_t sess_digest(Daemon *d, uint64_t id, uint32_t service,
                    const uint8_t *src, size_t len, uint8_t *digest,
                    uint32_t digest_len)
{
    Session *s = get(d, id, service);
    uint8_t status;

    if (!s) {
        return VIRTIO_CRYPTO_INVSESS;
    }
    if (digest_len != s->as->digest_len) {
        status = VIRTIO_CRYPTO_ERR;
    } else {
        status = hostcrypto_digest(s->as, src, len, digest) < 0 ?
                 VIRTIO_CRYPTO_ERR : VIRTIO_CRYPTO_OK;
    }
    pthread_rwlock_unlock(&d->sess_lock);
    return status;
}

uint8_t sess_aead(Daemon *d, uint64_t id, bool encrypt, const uint8_t *iv,
                  uint32_t iv_len, const uint8_t *aad, uint32_t aad_len,
                  const uint8_t *src, uint8_t *dst, size_t len,
                  uint32_t tag_len)
{
    Session *s = get(d, id, VIRTIO_CRYPTO_SERVICE_AEAD);
    const HostCryptoAeadAlg *alg;
    uint8_t status = VIRTIO_CRYPTO_ERR;
    int r;

    if (!s) {
        return VIRTIO_CRYPTO_INVSESS;
    }
    alg = s->es->alg;
    /* as QEMU's device model with cryptodev-backend-host answers */
    if (encrypt != s->es->encrypt || tag_len != s->es->tag_len ||
        iv_len < alg->iv_min || iv_len > alg->iv_max) {
        goto out;
    }
    if (!hostcrypto_aead_ok(d->hc, alg, iv_len, tag_len)) {
        status = VIRTIO_CRYPTO_NOTSUPP;
        goto out;
    }
    r = hostcrypto_aead(s->es, iv, iv_len, aad_len ? aad : NULL, aad_len,
                        len ? src : NULL, len ? dst : NULL, len,
                        encrypt ? dst + len : (uint8_t *)src + len);
    status = r == -EBADMSG ? VIRTIO_CRYPTO_BADMSG :
             r < 0 ? VIRTIO_CRYPTO_ERR : VIRTIO_CRYPTO_OK;
out:
    pthread_rwlock_unlock(&d->sess_lock);
    return status;
}
