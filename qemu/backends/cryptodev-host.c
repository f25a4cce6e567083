/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cryptodev backend that runs virtio-crypto cipher, hash, MAC and AEAD
 * requests on the host's crypto: /dev/crypto (cryptodev-linux ioctls), the
 * kernel crypto API via AF_ALG sockets, or OpenSSL's libcrypto in process.
 *
 *   -object cryptodev-backend-host,id=c0[,provider=auto|devcrypto|afalg|
 *           openssl][,queues=N][,workers=N][,max-sessions=N]
 *           [,max-request-size=BYTES][,inline-max=BYTES]
 *   -device virtio-crypto-pci,cryptodev=c0
 *
 * The algorithms themselves are in the provider library (hostcrypto/,
 * vdevkit's host/crypto/, free of QEMU types); this file is the QOM
 * object, the virtio-crypto session table and request checks, and the
 * dispatch of requests to worker threads or the caller's context.
 *
 * The backend sets CryptoDevBackend.sg: a device that supports it
 * (virtio-crypto with qemu/patches/2050) hands requests over as the
 * guest's mapped buffers, and the providers read and write them there
 * (hostcrypto_*_iov); other devices' requests come as copies, as before.
 *
 * Requests are executed by a pool of worker threads; results are handed
 * back through a bottom half in the AioContext that submitted them (the
 * main loop, or the device's iothread), where the completion callback of
 * the cryptodev API runs (it touches the virtqueue).  Requests up to
 * inline-max bytes run at once in the caller: the round trip through a
 * worker costs more than the cipher on them.
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "block/aio.h"
#include "block/aio-wait.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/queue.h"
#include "qemu/thread.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"
#include "system/cryptodev.h"
#include "standard-headers/linux/virtio_crypto.h"
#include "trace.h"

#include "hostcrypto/provider.h"

#define TYPE_CRYPTODEV_BACKEND_HOST "cryptodev-backend-host"
OBJECT_DECLARE_SIMPLE_TYPE(CryptoDevBackendHost, CRYPTODEV_BACKEND_HOST)

/* The library numbers its ciphers as virtio-crypto does */
QEMU_BUILD_BUG_ON(HOSTCRYPTO_AES_ECB != VIRTIO_CRYPTO_CIPHER_AES_ECB);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_AES_CBC != VIRTIO_CRYPTO_CIPHER_AES_CBC);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_AES_CTR != VIRTIO_CRYPTO_CIPHER_AES_CTR);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_3DES_CBC != VIRTIO_CRYPTO_CIPHER_3DES_CBC);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_AES_XTS != VIRTIO_CRYPTO_CIPHER_AES_XTS);
/* ... and its services, hashes, MACs and AEADs */
QEMU_BUILD_BUG_ON(HOSTCRYPTO_SERVICE_HASH != VIRTIO_CRYPTO_SERVICE_HASH);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_SERVICE_MAC != VIRTIO_CRYPTO_SERVICE_MAC);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_HASH_SHA_512 != VIRTIO_CRYPTO_HASH_SHA_512);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_HASH_SHA3_512 != VIRTIO_CRYPTO_HASH_SHA3_512);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_MAC_HMAC_SHA_512 !=
                  VIRTIO_CRYPTO_MAC_HMAC_SHA_512);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_MAC_CMAC_AES != VIRTIO_CRYPTO_MAC_CMAC_AES);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_AEAD_GCM != VIRTIO_CRYPTO_AEAD_GCM);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_AEAD_CCM != VIRTIO_CRYPTO_AEAD_CCM);
QEMU_BUILD_BUG_ON(HOSTCRYPTO_AEAD_CHACHA20_POLY1305 !=
                  VIRTIO_CRYPTO_AEAD_CHACHA20_POLY1305);

#define HOST_DEFAULT_MAX_SESSIONS   256
#define HOST_MAX_MAX_SESSIONS       65536
#define HOST_DEFAULT_REQ_SIZE       (4 * MiB)
#define HOST_MAX_REQ_SIZE           (64 * MiB)
#define HOST_MIN_REQ_SIZE           4096
#define HOST_MAX_WORKERS            64
/*
 * About 50 us of AES with AES-NI, less than the two thread wake-ups a
 * worker costs on a busy host.  3DES is some 50 times slower than AES:
 * its bytes count that much more against inline-max.
 */
#define HOST_DEFAULT_INLINE_MAX     (64 * KiB)
#define HOST_MAX_INLINE_MAX         (1 * MiB)
#define HOST_3DES_COST              64
/*
 * Requests queued for the workers hold memory: host copies of the
 * guest's buffers with a copying device, mappings of its pages with one
 * that hands them over (the backend sets sg).  Past this much, requests
 * run at once in the caller instead (and are released right away): a
 * guest cannot make QEMU hold its whole ring's worth.
 */
#define HOST_MAX_INFLIGHT_BYTES     (64 * MiB)

typedef enum HostProvider {
    HOST_PROV_AUTO,
    HOST_PROV_DEVCRYPTO,
    HOST_PROV_AFALG,
    HOST_PROV_OPENSSL,
    HOST_PROV__MAX,
} HostProvider;

static const char *const host_provider_names[HOST_PROV__MAX] = {
    [HOST_PROV_AUTO] = "auto",
    [HOST_PROV_DEVCRYPTO] = "devcrypto",
    [HOST_PROV_AFALG] = "afalg",
    [HOST_PROV_OPENSSL] = "openssl",
};

/* A virtio-crypto session: the provider's session and our bookkeeping */
typedef struct HostSession {
    uint32_t service;         /* VIRTIO_CRYPTO_SERVICE_*: which one is set */
    HostCryptoSession *cs;    /* cipher */
    HostCryptoAuthSession *as;    /* hash or MAC */
    HostCryptoAeadSession *es;    /* AEAD */
    int refs;                 /* table + in-flight requests */
    uint64_t id;
    const char *name;         /* the algorithm's, for traces */
    bool encrypt;
} HostSession;

typedef struct HostTask {
    HostSession *sess;
    CryptoDevBackendOpInfo *op_info;
    uint32_t len;             /* bytes of source, for the in-flight bound */
    AioContext *ctx;          /* where the request came from, and ends */
    int status;
    QSIMPLEQ_ENTRY(HostTask) next;
} HostTask;

struct CryptoDevBackendHost {
    CryptoDevBackend parent_obj;

    /* properties */
    HostProvider provider;
    uint32_t max_sessions;
    uint32_t workers;
    uint64_t max_request_size;
    uint64_t inline_max;

    /* chosen at init: the open provider and what it passed the probe for */
    HostCrypto *hc;

    /* sessions: slot index in the low 32 bits, a generation above */
    HostSession **sessions;
    uint32_t nr_sessions;
    uint32_t generation;

    /* worker pool */
    QemuMutex lock;
    QemuCond cond;
    QemuCond idle_cond;
    bool stopping;
    unsigned inflight;
    uint64_t inflight_bytes;
    QSIMPLEQ_HEAD(, HostTask) pending;
    QSIMPLEQ_HEAD(, HostTask) done;
    QemuThread *threads;
    unsigned nr_threads;
    QEMUBH *bh;
    /* completion bottom halves scheduled in iothreads, not yet run */
    unsigned oneshots;
};

/* ---- sessions ---------------------------------------------------------- */

/* The provider wipes the session's keys as it frees it. */
static void host_session_free(HostSession *sess)
{
    int r;

    if (sess->cs) {
        r = hostcrypto_session_free(sess->cs);
    } else if (sess->as) {
        r = hostcrypto_auth_session_free(sess->as);
    } else {
        r = hostcrypto_aead_session_free(sess->es);
    }
    if (r < 0) {
        warn_report("cryptodev-backend-host: closing a session: %s",
                    strerror(-r));
    }
    g_free(sess);
}

static void host_session_unref(HostSession *sess)
{
    if (qatomic_fetch_dec(&sess->refs) == 1) {
        host_session_free(sess);
    }
}

static HostSession *host_session_lookup(CryptoDevBackendHost *s, uint64_t id)
{
    uint32_t slot = (uint32_t)id;
    HostSession *sess;

    if (slot >= s->max_sessions) {
        return NULL;
    }
    sess = s->sessions[slot];
    if (!sess || sess->id != id) {
        return NULL;
    }
    return sess;
}

/* Put a new session in the table; its id, or a negative status. */
static int64_t host_session_add(CryptoDevBackendHost *s, HostSession *sess)
{
    uint32_t slot;

    if (s->nr_sessions >= s->max_sessions) {
        return -VIRTIO_CRYPTO_NOSPC;
    }
    for (slot = 0; slot < s->max_sessions && s->sessions[slot]; slot++) {
        /* find a free slot; nr_sessions says there is one */
    }
    sess->refs = 1;
    /* A generation in the high bits makes stale ids fail, not alias. */
    s->generation++;
    sess->id = ((uint64_t)s->generation << 32) | slot;
    s->sessions[slot] = sess;
    s->nr_sessions++;
    return sess->id;
}

static int host_create_cipher(CryptoDevBackendHost *s,
                              CryptoDevBackendSymSessionInfo *sym,
                              HostSession *sess)
{
    const HostCryptoAlg *alg;
    HostCryptoError err;
    bool known;

    if (sym->op_type != VIRTIO_CRYPTO_SYM_OP_CIPHER) {
        /* algorithm chaining: not here */
        return -VIRTIO_CRYPTO_NOTSUPP;
    }
    if (sym->direction != VIRTIO_CRYPTO_OP_ENCRYPT &&
        sym->direction != VIRTIO_CRYPTO_OP_DECRYPT) {
        return -VIRTIO_CRYPTO_BADMSG;
    }
    alg = hostcrypto_alg_find(sym->cipher_alg, sym->key_len, &known);
    if (!alg) {
        /* a key size that no variant of a known algorithm has is bad */
        return known ? -VIRTIO_CRYPTO_BADMSG : -VIRTIO_CRYPTO_NOTSUPP;
    }
    if (!s->hc->alg_ok[alg - hostcrypto_algs]) {
        return -VIRTIO_CRYPTO_NOTSUPP;
    }
    if (!sym->cipher_key) {
        return -VIRTIO_CRYPTO_BADMSG;
    }
    sess->cs = hostcrypto_session_new(s->hc, alg, sym->direction ==
                                      VIRTIO_CRYPTO_OP_ENCRYPT,
                                      sym->cipher_key, &err);
    if (!sess->cs) {
        qemu_log_mask(LOG_GUEST_ERROR, "cryptodev-backend-host: %s\n",
                      err.msg);
        return -VIRTIO_CRYPTO_ERR;
    }
    sess->name = alg->name;
    sess->encrypt = sess->cs->encrypt;
    return 0;
}

/* A hash (no key) or MAC session */
static int host_create_auth(CryptoDevBackendHost *s, uint32_t service,
                            uint32_t algo, uint32_t digest_len,
                            const uint8_t *key, uint32_t key_len,
                            HostSession *sess)
{
    const HostCryptoAuthAlg *alg = hostcrypto_auth_find(service, algo);
    HostCryptoError err;

    if (!alg || !s->hc->auth_ok[alg - hostcrypto_auth_algs]) {
        return -VIRTIO_CRYPTO_NOTSUPP;
    }
    if (digest_len == 0 || digest_len > alg->digest_len ||
        !hostcrypto_auth_key_ok(alg, key_len) || (key_len && !key)) {
        return -VIRTIO_CRYPTO_ERR;
    }
    sess->as = hostcrypto_auth_session_new(s->hc, alg, key, key_len,
                                           digest_len, &err);
    if (!sess->as) {
        qemu_log_mask(LOG_GUEST_ERROR, "cryptodev-backend-host: %s\n",
                      err.msg);
        return -VIRTIO_CRYPTO_ERR;
    }
    sess->name = alg->name;
    return 0;
}

static int host_create_aead(CryptoDevBackendHost *s,
                            CryptoDevBackendAeadSessionInfo *info,
                            HostSession *sess)
{
    const HostCryptoAeadAlg *alg;
    HostCryptoError err;
    bool known;

    alg = hostcrypto_aead_find(info->aead_alg, info->key_len, &known);
    if (!alg) {
        return known ? -VIRTIO_CRYPTO_ERR : -VIRTIO_CRYPTO_NOTSUPP;
    }
    if (!s->hc->aead_ok[alg - hostcrypto_aead_algs]) {
        return -VIRTIO_CRYPTO_NOTSUPP;
    }
    if ((info->direction != VIRTIO_CRYPTO_OP_ENCRYPT &&
         info->direction != VIRTIO_CRYPTO_OP_DECRYPT) || !info->key ||
        info->tag_len > alg->tag_max ||
        !(alg->tag_lens & (1u << info->tag_len))) {
        return -VIRTIO_CRYPTO_ERR;
    }
    if (!hostcrypto_aead_ok(s->hc, alg, alg->iv_len, info->tag_len)) {
        return -VIRTIO_CRYPTO_NOTSUPP;
    }
    sess->es = hostcrypto_aead_session_new(s->hc, alg,
                              info->direction == VIRTIO_CRYPTO_OP_ENCRYPT,
                              info->key, info->tag_len, &err);
    if (!sess->es) {
        qemu_log_mask(LOG_GUEST_ERROR, "cryptodev-backend-host: %s\n",
                      err.msg);
        return -VIRTIO_CRYPTO_ERR;
    }
    sess->name = alg->name;
    sess->encrypt = sess->es->encrypt;
    return 0;
}

static int cryptodev_host_create_session(CryptoDevBackend *backend,
                                         CryptoDevBackendSessionInfo *info,
                                         uint32_t queue_index,
                                         CryptoDevCompletionFunc cb,
                                         void *opaque)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);
    HostSession *sess = g_new0(HostSession, 1);
    int64_t id;
    int status;

    switch (info->op_code) {
    case VIRTIO_CRYPTO_CIPHER_CREATE_SESSION: {
        CryptoDevBackendSymSessionInfo *sym = &info->u.sym_sess_info;

        sess->service = VIRTIO_CRYPTO_SERVICE_CIPHER;
        status = host_create_cipher(s, sym, sess);
        /* The key was copied into the provider; drop the device's copy. */
        if (sym->cipher_key) {
            explicit_bzero(sym->cipher_key, sym->key_len);
        }
        break;
    }
    case VIRTIO_CRYPTO_HASH_CREATE_SESSION: {
        CryptoDevBackendHashSessionInfo *hash = &info->u.hash_sess_info;

        sess->service = VIRTIO_CRYPTO_SERVICE_HASH;
        status = host_create_auth(s, HOSTCRYPTO_SERVICE_HASH, hash->hash_alg,
                                  hash->hash_result_len, NULL, 0, sess);
        break;
    }
    case VIRTIO_CRYPTO_MAC_CREATE_SESSION: {
        CryptoDevBackendMacSessionInfo *mac = &info->u.mac_sess_info;

        sess->service = VIRTIO_CRYPTO_SERVICE_MAC;
        status = host_create_auth(s, HOSTCRYPTO_SERVICE_MAC, mac->mac_alg,
                                  mac->hash_result_len, mac->auth_key,
                                  mac->auth_key_len, sess);
        if (mac->auth_key) {
            explicit_bzero(mac->auth_key, mac->auth_key_len);
        }
        break;
    }
    case VIRTIO_CRYPTO_AEAD_CREATE_SESSION: {
        CryptoDevBackendAeadSessionInfo *aead = &info->u.aead_sess_info;

        sess->service = VIRTIO_CRYPTO_SERVICE_AEAD;
        status = host_create_aead(s, aead, sess);
        if (aead->key) {
            explicit_bzero(aead->key, aead->key_len);
        }
        break;
    }
    default:
        /* akcipher */
        status = -VIRTIO_CRYPTO_NOTSUPP;
        break;
    }

    if (status == VIRTIO_CRYPTO_OK) {
        id = host_session_add(s, sess);
        if (id < 0) {
            status = id;
            host_session_free(sess);
        } else {
            info->session_id = id;
            trace_cryptodev_host_create_session(id, sess->name, sess->encrypt);
        }
    } else {
        g_free(sess);
    }
    if (status != VIRTIO_CRYPTO_OK) {
        trace_cryptodev_host_session_error(info->op_code, 0, -status);
    }
    if (cb) {
        cb(opaque, status);
    }
    return 0;
}

static int cryptodev_host_close_session(CryptoDevBackend *backend,
                                        uint64_t session_id,
                                        uint32_t queue_index,
                                        CryptoDevCompletionFunc cb,
                                        void *opaque)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);
    HostSession *sess = host_session_lookup(s, session_id);

    trace_cryptodev_host_close_session(session_id, sess != NULL);
    if (!sess) {
        return -VIRTIO_CRYPTO_INVSESS;
    }
    s->sessions[(uint32_t)session_id] = NULL;
    s->nr_sessions--;
    /* Requests still in flight hold references; the last one frees it. */
    host_session_unref(sess);
    if (cb) {
        cb(opaque, VIRTIO_CRYPTO_OK);
    }
    return 0;
}

/* ---- requests ---------------------------------------------------------- */

/* A QEMUIOVector as the provider library's scatter-gather list */
static HostCryptoIov host_iov(QEMUIOVector *qiov)
{
    return (HostCryptoIov) { .iov = qiov->iov, .cnt = qiov->niov };
}

/*
 * A request given as the guest's own memory (op_info->sg): the provider
 * works on it in place; only the IV, digest and tag go through the stack.
 */
static int host_run_sg(HostTask *t)
{
    CryptoDevBackendOpInfo *op_info = t->op_info;
    uint8_t iv[HOSTCRYPTO_MAX_AEAD_IV_LEN];
    uint8_t out[MAX(HOSTCRYPTO_MAX_DIGEST_LEN, HOSTCRYPTO_MAX_TAG_LEN)];
    HostCryptoIov src, dst, aad;
    int r;

    QEMU_BUILD_BUG_ON(HOSTCRYPTO_MAX_IV_LEN > sizeof(iv));
    switch (op_info->algtype) {
    case QCRYPTODEV_BACKEND_ALGO_TYPE_HASH:
    case QCRYPTODEV_BACKEND_ALGO_TYPE_MAC: {
        CryptoDevBackendHashOpInfo *op = op_info->u.hash_op_info;

        src = host_iov(&op->src_sg);
        r = hostcrypto_digest_iov(t->sess->as, &src, op->src_len, out);
        if (r == 0) {
            qemu_iovec_from_buf(&op->digest_sg, 0, out, op->digest_len);
        }
        break;
    }
    case QCRYPTODEV_BACKEND_ALGO_TYPE_AEAD: {
        CryptoDevBackendAeadOpInfo *op = op_info->u.aead_op_info;
        HostCryptoAeadSession *es = t->sess->es;
        /* the tag follows the ciphertext, in dst or in src */
        size_t len = es->encrypt ? op->src_len : op->dst_len;

        qemu_iovec_to_buf(&op->iv_sg, 0, iv, op->iv_len);
        if (!es->encrypt) {
            qemu_iovec_to_buf(&op->src_sg, len, out, op->tag_len);
        }
        src = host_iov(&op->src_sg);
        dst = host_iov(&op->dst_sg);
        aad = host_iov(&op->aad_sg);
        r = hostcrypto_aead_iov(es, iv, op->iv_len, &aad, op->aad_len, &src,
                                &dst, len, out);
        if (r == 0 && es->encrypt) {
            qemu_iovec_from_buf(&op->dst_sg, len, out, op->tag_len);
        }
        break;
    }
    default: {
        CryptoDevBackendSymOpInfo *op = op_info->u.sym_op_info;

        qemu_iovec_to_buf(&op->iv_sg, 0, iv, op->iv_len);
        src = host_iov(&op->src_sg);
        dst = host_iov(&op->dst_sg);
        r = hostcrypto_crypt_iov(t->sess->cs, iv, &src, &dst, op->src_len);
        break;
    }
    }
    explicit_bzero(out, sizeof(out));
    return r;
}

static void host_run_task(HostTask *t)
{
    CryptoDevBackendOpInfo *op_info = t->op_info;
    int r;

    if (op_info->sg) {
        r = host_run_sg(t);
        t->status = r == -EBADMSG ? -VIRTIO_CRYPTO_BADMSG :
                    r < 0 ? -VIRTIO_CRYPTO_ERR : 0;
        return;
    }
    switch (op_info->algtype) {
    case QCRYPTODEV_BACKEND_ALGO_TYPE_HASH:
    case QCRYPTODEV_BACKEND_ALGO_TYPE_MAC: {
        CryptoDevBackendHashOpInfo *op = op_info->u.hash_op_info;

        r = hostcrypto_digest(t->sess->as, op->src, op->src_len, op->digest);
        break;
    }
    case QCRYPTODEV_BACKEND_ALGO_TYPE_AEAD: {
        CryptoDevBackendAeadOpInfo *op = op_info->u.aead_op_info;
        HostCryptoAeadSession *es = t->sess->es;
        /* the tag follows the ciphertext, in dst or in src */
        size_t len = es->encrypt ? op->src_len : op->dst_len;

        r = hostcrypto_aead(es, op->iv, op->iv_len, op->aad, op->aad_len,
                            op->src, op->dst, len,
                            es->encrypt ? op->dst + len : op->src + len);
        if (r == -EBADMSG) {
            t->status = -VIRTIO_CRYPTO_BADMSG;
            return;
        }
        break;
    }
    default: {
        CryptoDevBackendSymOpInfo *op = op_info->u.sym_op_info;

        r = hostcrypto_crypt(t->sess->cs, op->iv, op->src, op->dst,
                             op->src_len);
        break;
    }
    }
    /* the device's status for any other failure of the provider */
    t->status = r < 0 ? -VIRTIO_CRYPTO_ERR : 0;
}

static void host_done_iothread_bh(void *opaque);

static void *host_worker(void *opaque)
{
    CryptoDevBackendHost *s = opaque;
    HostTask *t;

    qemu_mutex_lock(&s->lock);
    for (;;) {
        while (!s->stopping && QSIMPLEQ_EMPTY(&s->pending)) {
            qemu_cond_wait(&s->cond, &s->lock);
        }
        if (s->stopping) {
            break;
        }
        t = QSIMPLEQ_FIRST(&s->pending);
        QSIMPLEQ_REMOVE_HEAD(&s->pending, next);
        qemu_mutex_unlock(&s->lock);

        host_run_task(t);

        qemu_mutex_lock(&s->lock);
        QSIMPLEQ_INSERT_TAIL(&s->done, t, next);
        qemu_cond_broadcast(&s->idle_cond);
        if (t->ctx == qemu_get_aio_context()) {
            qemu_bh_schedule(s->bh);
        } else {
            qatomic_inc(&s->oneshots);
            aio_bh_schedule_oneshot(t->ctx, host_done_iothread_bh, s);
        }
    }
    qemu_mutex_unlock(&s->lock);
    return NULL;
}

/*
 * Hand finished requests back to the device, in the context that
 * submitted them (@ctx), or all of them when @ctx is NULL (a drain: the
 * device then submits from nowhere else).
 */
static void host_complete(CryptoDevBackendHost *s, AioContext *ctx)
{
    QSIMPLEQ_HEAD(, HostTask) list = QSIMPLEQ_HEAD_INITIALIZER(list);
    QSIMPLEQ_HEAD(, HostTask) others = QSIMPLEQ_HEAD_INITIALIZER(others);
    HostTask *t;

    qemu_mutex_lock(&s->lock);
    while ((t = QSIMPLEQ_FIRST(&s->done))) {
        QSIMPLEQ_REMOVE_HEAD(&s->done, next);
        if (!ctx || t->ctx == ctx) {
            QSIMPLEQ_INSERT_TAIL(&list, t, next);
        } else {
            QSIMPLEQ_INSERT_TAIL(&others, t, next);
        }
    }
    QSIMPLEQ_CONCAT(&s->done, &others);
    qemu_mutex_unlock(&s->lock);

    while ((t = QSIMPLEQ_FIRST(&list))) {
        int status = t->status;
        CryptoDevBackendOpInfo *op_info = t->op_info;
        uint64_t id = t->sess->id;

        QSIMPLEQ_REMOVE_HEAD(&list, next);
        trace_cryptodev_host_op_done(id, -status);
        host_session_unref(t->sess);
        qatomic_dec(&s->inflight);
        qatomic_sub(&s->inflight_bytes, t->len);
        g_free(t);
        if (op_info->cb) {
            op_info->cb(op_info->opaque, status);
        }
    }
}

/* Main loop: requests the main loop submitted. */
static void host_done_bh(void *opaque)
{
    host_complete(opaque, qemu_get_aio_context());
}

/* An iothread: requests it submitted. */
static void host_done_iothread_bh(void *opaque)
{
    CryptoDevBackendHost *s = opaque;

    host_complete(s, qemu_get_current_aio_context());
    qatomic_dec(&s->oneshots);
    aio_wait_kick();
}

static int host_reject(CryptoDevBackendOpInfo *op_info, uint64_t id,
                       int status, const char *why)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "cryptodev-backend-host: session %" PRIu64 ": %s\n",
                  id, why);
    trace_cryptodev_host_bad_request(id, why);
    if (op_info->cb) {
        op_info->cb(op_info->opaque, status);
    }
    return 0;
}

/*
 * Check a cipher request; 0, or the status it fails with (and why).
 * *len: bytes of work, *cost: how much they count against inline-max.
 */
static int host_check_cipher(CryptoDevBackendHost *s, HostSession *sess,
                             CryptoDevBackendOpInfo *op_info, uint32_t *len,
                             uint64_t *cost, const char **why)
{
    CryptoDevBackendSymOpInfo *op = op_info->u.sym_op_info;
    const HostCryptoAlg *alg = sess->cs->alg;
    bool enc;

    if (op->op_type != VIRTIO_CRYPTO_SYM_OP_CIPHER) {
        *why = "algorithm chaining is not supported";
        return -VIRTIO_CRYPTO_NOTSUPP;
    }
    enc = op_info->op_code == VIRTIO_CRYPTO_CIPHER_ENCRYPT;
    if ((!enc && op_info->op_code != VIRTIO_CRYPTO_CIPHER_DECRYPT) ||
        enc != sess->cs->encrypt) {
        *why = "opcode does not match the session's direction";
        return -VIRTIO_CRYPTO_BADMSG;
    }
    if (op->src_len != op->dst_len) {
        *why = "source and destination lengths differ";
        return -VIRTIO_CRYPTO_BADMSG;
    }
    /* ECB ignores an IV; every other mode needs exactly one */
    if (alg->iv_len ? op->iv_len != alg->iv_len ||
                      (!op->iv && !op_info->sg) : false) {
        *why = "wrong IV length";
        return -VIRTIO_CRYPTO_BADMSG;
    }
    if (op->src_len && !hostcrypto_len_ok(s->hc, alg, op->src_len)) {
        *why = "length is not a multiple of the block size";
        return -VIRTIO_CRYPTO_BADMSG;
    }
    if (op->src_len && ((!op_info->sg && (!op->src || !op->dst)) ||
                        op->src_len > s->max_request_size)) {
        *why = "bad buffers";
        return -VIRTIO_CRYPTO_BADMSG;
    }
    *len = op->src_len;
    *cost = (uint64_t)op->src_len *
        (alg->cipher == VIRTIO_CRYPTO_CIPHER_3DES_CBC ? HOST_3DES_COST : 1);
    return 0;
}

static int host_check_hash(CryptoDevBackendHost *s, HostSession *sess,
                           CryptoDevBackendOpInfo *op_info, uint32_t *len,
                           const char **why)
{
    CryptoDevBackendHashOpInfo *op = op_info->u.hash_op_info;

    if (op->digest_len != sess->as->digest_len ||
        (!op->digest && !op_info->sg)) {
        *why = "result length is not the session's";
        return -VIRTIO_CRYPTO_ERR;
    }
    if (op->src_len > s->max_request_size ||
        (op->src_len && !op->src && !op_info->sg)) {
        *why = "bad buffers";
        return -VIRTIO_CRYPTO_ERR;
    }
    *len = op->src_len;
    return 0;
}

static int host_check_aead(CryptoDevBackendHost *s, HostSession *sess,
                           CryptoDevBackendOpInfo *op_info, uint32_t *len,
                           const char **why)
{
    CryptoDevBackendAeadOpInfo *op = op_info->u.aead_op_info;
    HostCryptoAeadSession *es = sess->es;
    const HostCryptoAeadAlg *alg = es->alg;
    bool enc = op_info->op_code == VIRTIO_CRYPTO_AEAD_ENCRYPT;
    uint64_t want;

    if ((!enc && op_info->op_code != VIRTIO_CRYPTO_AEAD_DECRYPT) ||
        enc != es->encrypt) {
        *why = "opcode does not match the session's direction";
        return -VIRTIO_CRYPTO_ERR;
    }
    if (op->tag_len != es->tag_len) {
        *why = "tag length is not the session's";
        return -VIRTIO_CRYPTO_ERR;
    }
    /* the device sized dst: the source with the tag added or taken off */
    want = enc ? (uint64_t)op->src_len + op->tag_len :
        (op->src_len < op->tag_len ? UINT64_MAX :
         op->src_len - op->tag_len);
    if (want != op->dst_len ||
        (!op_info->sg && (!op->src || !op->dst ||
                          (op->aad_len && !op->aad) ||
                          (op->iv_len && !op->iv))) ||
        (uint64_t)op->src_len + op->aad_len > s->max_request_size) {
        *why = "bad buffers";
        return -VIRTIO_CRYPTO_ERR;
    }
    if (op->iv_len < alg->iv_min || op->iv_len > alg->iv_max) {
        *why = "wrong nonce length";
        return -VIRTIO_CRYPTO_ERR;
    }
    if (!hostcrypto_aead_ok(s->hc, alg, op->iv_len, op->tag_len)) {
        *why = "this provider does not take that nonce length";
        return -VIRTIO_CRYPTO_NOTSUPP;
    }
    if (s->hc->prov->max_len &&
        (uint64_t)op->aad_len + op->src_len + (enc ? op->tag_len : 0) >
        s->hc->prov->max_len) {
        *why = "request too large for this provider";
        return -VIRTIO_CRYPTO_ERR;
    }
    *len = op->src_len;
    return 0;
}

static int cryptodev_host_operation(CryptoDevBackend *backend,
                                    CryptoDevBackendOpInfo *op_info)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);
    uint64_t id = op_info->session_id;
    const char *why = NULL;
    uint32_t service, len = 0;
    uint64_t cost;
    HostSession *sess;
    HostTask *t;
    int status;

    switch (op_info->algtype) {
    case QCRYPTODEV_BACKEND_ALGO_TYPE_SYM:
        service = VIRTIO_CRYPTO_SERVICE_CIPHER;
        break;
    case QCRYPTODEV_BACKEND_ALGO_TYPE_HASH:
        service = VIRTIO_CRYPTO_SERVICE_HASH;
        break;
    case QCRYPTODEV_BACKEND_ALGO_TYPE_MAC:
        service = VIRTIO_CRYPTO_SERVICE_MAC;
        break;
    case QCRYPTODEV_BACKEND_ALGO_TYPE_AEAD:
        service = VIRTIO_CRYPTO_SERVICE_AEAD;
        break;
    default:
        return host_reject(op_info, id, -VIRTIO_CRYPTO_NOTSUPP,
                           "not a cipher, hash, MAC or AEAD request");
    }
    /* the union member the device filled in, whichever it is */
    if (!op_info->u.sym_op_info) {
        return host_reject(op_info, id, -VIRTIO_CRYPTO_ERR, "no request");
    }
    sess = host_session_lookup(s, id);
    if (!sess || sess->service != service) {
        /* a session of another service is no session for this request */
        return host_reject(op_info, id, -VIRTIO_CRYPTO_INVSESS,
                           "no such session");
    }
    switch (service) {
    case VIRTIO_CRYPTO_SERVICE_CIPHER:
        status = host_check_cipher(s, sess, op_info, &len, &cost, &why);
        break;
    case VIRTIO_CRYPTO_SERVICE_AEAD:
        status = host_check_aead(s, sess, op_info, &len, &why);
        cost = len;
        break;
    default:
        status = host_check_hash(s, sess, op_info, &len, &why);
        cost = len;
        break;
    }
    if (status) {
        return host_reject(op_info, id, status, why);
    }
    if (service == VIRTIO_CRYPTO_SERVICE_CIPHER && len == 0) {
        if (op_info->cb) {
            op_info->cb(op_info->opaque, VIRTIO_CRYPTO_OK);
        }
        return 0;
    }

    trace_cryptodev_host_op(id, len, op_info->queue_index);
    if (cost <= s->inline_max ||
        s->inflight_bytes + len > HOST_MAX_INFLIGHT_BYTES) {
        HostTask now = { .sess = sess, .op_info = op_info };

        host_run_task(&now);
        trace_cryptodev_host_op_done(id, -now.status);
        if (op_info->cb) {
            op_info->cb(op_info->opaque, now.status);
        }
        return 0;
    }
    t = g_new0(HostTask, 1);
    t->sess = sess;
    t->op_info = op_info;
    t->len = len;
    t->ctx = qemu_get_current_aio_context();
    qatomic_inc(&sess->refs);
    qatomic_inc(&s->inflight);
    qatomic_add(&s->inflight_bytes, len);

    qemu_mutex_lock(&s->lock);
    QSIMPLEQ_INSERT_TAIL(&s->pending, t, next);
    qemu_mutex_unlock(&s->lock);
    /*
     * After the unlock: a worker woken on this CPU may run at once, and
     * would otherwise block on the lock we hold and need a second wake-up.
     */
    qemu_cond_signal(&s->cond);
    return 0;
}

/*
 * Wait for every request in flight and complete it.  Used before the
 * backend goes away, so no completion runs against a freed device.
 */
static void host_drain(CryptoDevBackendHost *s)
{
    while (qatomic_read(&s->inflight)) {
        qemu_mutex_lock(&s->lock);
        while (QSIMPLEQ_EMPTY(&s->done)) {
            qemu_cond_wait(&s->idle_cond, &s->lock);
        }
        qemu_mutex_unlock(&s->lock);
        host_complete(s, NULL);
    }
}

static void cryptodev_host_drain(CryptoDevBackend *backend)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);

    if (s->threads) {
        host_drain(s);
    }
}

/* ---- init -------------------------------------------------------------- */

static void cryptodev_host_probed(void *opaque, const char *alg, bool ok)
{
    CryptoDevBackendHost *s = opaque;

    trace_cryptodev_host_probe(s->hc->prov->name, alg, ok);
}

static void cryptodev_host_init(CryptoDevBackend *backend, Error **errp)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);
    uint32_t queues = backend->conf.peers.queues;
    uint64_t max_size = s->max_request_size;
    HostCryptoCaps caps;
    HostCryptoError err;
    size_t i;

    if (queues > MAX_CRYPTO_QUEUE_NUM) {
        error_setg(errp, "queues must be at most %d", MAX_CRYPTO_QUEUE_NUM);
        return;
    }
    s->hc = hostcrypto_open(host_provider_names[s->provider], &err);
    if (!s->hc) {
        error_setg(errp, "%s", err.msg);
        return;
    }
    /* advertise only what the probe passed */
    hostcrypto_caps(s->hc, &caps, cryptodev_host_probed, s);
    backend->conf.cipher_algo_l = caps.cipher_algo_l;
    backend->conf.hash_algo = caps.hash_algo;
    backend->conf.mac_algo_l = caps.mac_algo_l;
    backend->conf.mac_algo_h = caps.mac_algo_h;
    backend->conf.aead_algo = caps.aead_algo;
    if (s->hc->prov->max_len) {
        /* one request per provider call: IV + source + destination */
        max_size = MIN(max_size, 2 * s->hc->prov->max_len +
                       HOSTCRYPTO_MAX_IV_LEN);
        s->max_request_size = max_size;
    }
    backend->conf.crypto_services = caps.services;
    /* the providers work on the guest's pages: no copies in the device */
    backend->sg = true;
    backend->conf.max_cipher_key_len = caps.max_cipher_key_len;
    backend->conf.max_auth_key_len =
        caps.mac ? HOSTCRYPTO_MAX_AUTH_KEY_LEN : 0;
    backend->conf.max_size = max_size;

    for (i = 0; i < queues; i++) {
        CryptoDevBackendClient *cc = cryptodev_backend_new_client();

        cc->info_str = g_strdup_printf("cryptodev-host%zu provider=%s", i,
                                       s->hc->prov->name);
        cc->queue_index = i;
        cc->type = QCRYPTODEV_BACKEND_TYPE_HOST;
        backend->conf.peers.ccs[i] = cc;
    }

    s->sessions = g_new0(HostSession *, s->max_sessions);
    qemu_mutex_init(&s->lock);
    qemu_cond_init(&s->cond);
    qemu_cond_init(&s->idle_cond);
    QSIMPLEQ_INIT(&s->pending);
    QSIMPLEQ_INIT(&s->done);
    s->bh = qemu_bh_new(host_done_bh, s);
    s->nr_threads = s->workers ? s->workers : MIN(MAX(queues, 2), 8);
    s->threads = g_new0(QemuThread, s->nr_threads);
    for (i = 0; i < s->nr_threads; i++) {
        qemu_thread_create(&s->threads[i], "cryptodev-host", host_worker, s,
                           QEMU_THREAD_JOINABLE);
    }

    trace_cryptodev_host_provider(s->hc->prov->name,
                                  backend->conf.cipher_algo_l, max_size,
                                  s->nr_threads);
    cryptodev_backend_set_ready(backend, true);
}

static void cryptodev_host_cleanup(CryptoDevBackend *backend, Error **errp)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);
    uint32_t i;

    if (s->threads) {
        host_drain(s);
        /* an iothread's completion bottom half holds a pointer to us */
        AIO_WAIT_WHILE(NULL, qatomic_read(&s->oneshots));
        qemu_mutex_lock(&s->lock);
        s->stopping = true;
        qemu_cond_broadcast(&s->cond);
        qemu_mutex_unlock(&s->lock);
        for (i = 0; i < s->nr_threads; i++) {
            qemu_thread_join(&s->threads[i]);
        }
        g_free(s->threads);
        s->threads = NULL;
        qemu_bh_delete(s->bh);
        s->bh = NULL;
        qemu_cond_destroy(&s->idle_cond);
        qemu_cond_destroy(&s->cond);
        qemu_mutex_destroy(&s->lock);
    }
    if (s->sessions) {
        for (i = 0; i < s->max_sessions; i++) {
            if (s->sessions[i]) {
                host_session_unref(s->sessions[i]);
                s->sessions[i] = NULL;
            }
        }
        g_free(s->sessions);
        s->sessions = NULL;
        s->nr_sessions = 0;
    }
    hostcrypto_close(s->hc);
    s->hc = NULL;
    for (i = 0; i < backend->conf.peers.queues && i < MAX_CRYPTO_QUEUE_NUM;
         i++) {
        if (backend->conf.peers.ccs[i]) {
            cryptodev_backend_free_client(backend->conf.peers.ccs[i]);
            backend->conf.peers.ccs[i] = NULL;
        }
    }
    cryptodev_backend_set_ready(backend, false);
}

/* ---- properties -------------------------------------------------------- */

static int host_get_provider(Object *obj, Error **errp)
{
    return CRYPTODEV_BACKEND_HOST(obj)->provider;
}

static void host_set_provider(Object *obj, int value, Error **errp)
{
    CRYPTODEV_BACKEND_HOST(obj)->provider = value;
}

static char *host_get_active(Object *obj, Error **errp)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(obj);

    return g_strdup(s->hc ? s->hc->prov->name : "none");
}

static char *host_get_algorithms(Object *obj, Error **errp)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(obj);
    g_autoptr(GString) str = g_string_new("");
    size_t i;

    for (i = 0; s->hc && i < HOSTCRYPTO_NALGS; i++) {
        if (s->hc->alg_ok[i]) {
            g_string_append_printf(str, "%s%s", str->len ? "," : "",
                                   hostcrypto_algs[i].name);
        }
    }
    for (i = 0; s->hc && i < HOSTCRYPTO_NAUTH; i++) {
        if (s->hc->auth_ok[i]) {
            g_string_append_printf(str, "%s%s", str->len ? "," : "",
                                   hostcrypto_auth_algs[i].name);
        }
    }
    for (i = 0; s->hc && i < HOSTCRYPTO_NAEAD; i++) {
        if (s->hc->aead_ok[i]) {
            g_string_append_printf(str, "%s%s", str->len ? "," : "",
                                   hostcrypto_aead_algs[i].name);
        }
    }
    return g_string_free(g_steal_pointer(&str), false);
}

static void host_get_max_sessions(Object *obj, Visitor *v, const char *name,
                                  void *opaque, Error **errp)
{
    visit_type_uint32(v, name, &CRYPTODEV_BACKEND_HOST(obj)->max_sessions,
                      errp);
}

static void host_get_workers(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    visit_type_uint32(v, name, &CRYPTODEV_BACKEND_HOST(obj)->workers, errp);
}

static bool host_check_unrealized(Object *obj, const char *name, Error **errp)
{
    if (CRYPTODEV_BACKEND(obj)->ready) {
        error_setg(errp, "property '%s' cannot be changed now", name);
        return false;
    }
    return true;
}

static void host_set_max_sessions(Object *obj, Visitor *v, const char *name,
                                  void *opaque, Error **errp)
{
    uint32_t value;

    if (!host_check_unrealized(obj, name, errp) ||
        !visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    if (value < 1 || value > HOST_MAX_MAX_SESSIONS) {
        error_setg(errp, "max-sessions must be between 1 and %d",
                   HOST_MAX_MAX_SESSIONS);
        return;
    }
    CRYPTODEV_BACKEND_HOST(obj)->max_sessions = value;
}

static void host_set_workers(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    uint32_t value;

    if (!host_check_unrealized(obj, name, errp) ||
        !visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    if (value > HOST_MAX_WORKERS) {
        error_setg(errp, "workers must be at most %d (0: automatic)",
                   HOST_MAX_WORKERS);
        return;
    }
    CRYPTODEV_BACKEND_HOST(obj)->workers = value;
}

static void host_get_req_size(Object *obj, Visitor *v, const char *name,
                              void *opaque, Error **errp)
{
    visit_type_size(v, name, &CRYPTODEV_BACKEND_HOST(obj)->max_request_size,
                    errp);
}

static void host_set_req_size(Object *obj, Visitor *v, const char *name,
                              void *opaque, Error **errp)
{
    uint64_t value;

    if (!host_check_unrealized(obj, name, errp) ||
        !visit_type_size(v, name, &value, errp)) {
        return;
    }
    if (value < HOST_MIN_REQ_SIZE || value > HOST_MAX_REQ_SIZE) {
        error_setg(errp, "max-request-size must be between %" PRIu64
                   " and %" PRIu64, (uint64_t)HOST_MIN_REQ_SIZE,
                   (uint64_t)HOST_MAX_REQ_SIZE);
        return;
    }
    CRYPTODEV_BACKEND_HOST(obj)->max_request_size = value;
}

static void host_get_inline_max(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    visit_type_size(v, name, &CRYPTODEV_BACKEND_HOST(obj)->inline_max, errp);
}

static void host_set_inline_max(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    uint64_t value;

    if (!visit_type_size(v, name, &value, errp)) {
        return;
    }
    if (value > HOST_MAX_INLINE_MAX) {
        error_setg(errp, "inline-max must be at most %" PRIu64,
                   (uint64_t)HOST_MAX_INLINE_MAX);
        return;
    }
    CRYPTODEV_BACKEND_HOST(obj)->inline_max = value;
}

static const QEnumLookup host_provider_lookup = {
    .array = host_provider_names,
    .size = HOST_PROV__MAX,
};

static void cryptodev_host_instance_init(Object *obj)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(obj);

    s->provider = HOST_PROV_AUTO;
    s->max_sessions = HOST_DEFAULT_MAX_SESSIONS;
    s->max_request_size = HOST_DEFAULT_REQ_SIZE;
    s->inline_max = HOST_DEFAULT_INLINE_MAX;
}

static void cryptodev_host_class_init(ObjectClass *oc, void *data)
{
    CryptoDevBackendClass *bc = CRYPTODEV_BACKEND_CLASS(oc);

    bc->init = cryptodev_host_init;
    bc->cleanup = cryptodev_host_cleanup;
    bc->create_session = cryptodev_host_create_session;
    bc->close_session = cryptodev_host_close_session;
    bc->do_op = cryptodev_host_operation;
    bc->drain = cryptodev_host_drain;

    object_class_property_add_enum(oc, "provider", "CryptodevHostProvider",
                                   &host_provider_lookup,
                                   host_get_provider, host_set_provider);
    object_class_property_set_description(oc, "provider",
        "where the crypto runs: auto, devcrypto, afalg or openssl");
    object_class_property_add_str(oc, "active-provider", host_get_active,
                                  NULL);
    object_class_property_set_description(oc, "active-provider",
        "the provider in use (read-only)");
    object_class_property_add_str(oc, "algorithms", host_get_algorithms,
                                  NULL);
    object_class_property_set_description(oc, "algorithms",
        "algorithms the provider passed the probe for (read-only)");
    object_class_property_add(oc, "max-sessions", "uint32",
                              host_get_max_sessions, host_set_max_sessions,
                              NULL, NULL);
    object_class_property_set_description(oc, "max-sessions",
        "maximum number of open sessions (default 256)");
    object_class_property_add(oc, "workers", "uint32", host_get_workers,
                              host_set_workers, NULL, NULL);
    object_class_property_set_description(oc, "workers",
        "worker threads (0: one per queue, at least 2, at most 8)");
    object_class_property_add(oc, "max-request-size", "size",
                              host_get_req_size, host_set_req_size,
                              NULL, NULL);
    object_class_property_set_description(oc, "max-request-size",
        "largest request (IV + source + destination) in bytes");
    object_class_property_add(oc, "inline-max", "size",
                              host_get_inline_max, host_set_inline_max,
                              NULL, NULL);
    object_class_property_set_description(oc, "inline-max",
        "requests up to this many bytes (3DES: a 64th) run in the main "
        "loop, not in a worker (default 64K, 0: always a worker)");
}

static const TypeInfo cryptodev_host_info = {
    .name = TYPE_CRYPTODEV_BACKEND_HOST,
    .parent = TYPE_CRYPTODEV_BACKEND,
    .class_init = cryptodev_host_class_init,
    .instance_init = cryptodev_host_instance_init,
    .instance_size = sizeof(CryptoDevBackendHost),
};

static void cryptodev_host_register_types(void)
{
    type_register_static(&cryptodev_host_info);
}

type_init(cryptodev_host_register_types);
