/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cryptodev backend that runs virtio-crypto cipher requests on the host's
 * crypto: /dev/crypto (cryptodev-linux ioctls), the kernel crypto API via
 * AF_ALG sockets, or OpenSSL's libcrypto in process.
 *
 *   -object cryptodev-backend-host,id=c0[,provider=auto|devcrypto|afalg|
 *           openssl][,queues=N][,workers=N][,max-sessions=N]
 *           [,max-request-size=BYTES][,inline-max=BYTES]
 *   -device virtio-crypto-pci,cryptodev=c0
 *
 * Requests are executed by a pool of worker threads; results are handed
 * back to the main loop through a bottom half, where the completion
 * callback of the cryptodev API runs (it touches the virtqueue).
 * Requests up to inline-max bytes run at once in the main loop: the
 * round trip through a worker costs more than the cipher on them.
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/cutils.h"
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

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_alg.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>

#define TYPE_CRYPTODEV_BACKEND_HOST "cryptodev-backend-host"
OBJECT_DECLARE_SIMPLE_TYPE(CryptoDevBackendHost, CRYPTODEV_BACKEND_HOST)

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

/*
 * The cryptodev-linux ABI (its crypto/cryptodev.h), declared here with
 * our own names; the layouts are fixed by the ioctl numbers.
 */
struct hostcd_session_op {
    uint32_t cipher;
    uint32_t mac;
    uint32_t keylen;
    uint8_t *key;
    uint32_t mackeylen;
    uint8_t *mackey;
    uint32_t ses;
};

struct hostcd_crypt_op {
    uint32_t ses;
    uint16_t op;
    uint16_t flags;
    uint32_t len;
    uint8_t *src;
    uint8_t *dst;
    uint8_t *mac;
    uint8_t *iv;
};

#define HOSTCD_CIOCGSESSION _IOWR('c', 102, struct hostcd_session_op)
#define HOSTCD_CIOCFSESSION _IOW('c', 103, uint32_t)
#define HOSTCD_CIOCCRYPT    _IOWR('c', 104, struct hostcd_crypt_op)
#define HOSTCD_COP_ENCRYPT  0
#define HOSTCD_COP_DECRYPT  1
#define HOSTCD_3DES_CBC     2
#define HOSTCD_AES_CBC      11
#define HOSTCD_AES_CTR      21
#define HOSTCD_AES_XTS      22
#define HOSTCD_AES_ECB      23

#define HOST_DEFAULT_MAX_SESSIONS   256
#define HOST_MAX_MAX_SESSIONS       65536
#define HOST_DEFAULT_REQ_SIZE       (4 * MiB)
#define HOST_MAX_REQ_SIZE           (64 * MiB)
#define HOST_MIN_REQ_SIZE           4096
#define HOST_MAX_WORKERS            64
#define HOST_MAX_KEY_LEN            64
/*
 * About 50 us of AES with AES-NI, less than the two thread wake-ups a
 * worker costs on a busy host.  3DES is some 50 times slower than AES:
 * its bytes count that much more against inline-max.
 */
#define HOST_DEFAULT_INLINE_MAX     (64 * KiB)
#define HOST_MAX_INLINE_MAX         (1 * MiB)
#define HOST_3DES_COST              64
/*
 * The device copies each request out of the guest before handing it to
 * us, so requests queued for the workers hold host memory.  Past this
 * much, requests run at once in the main loop instead (and are freed
 * right away): a guest cannot make QEMU hold its whole ring's worth.
 */
#define HOST_MAX_INFLIGHT_BYTES     (64 * MiB)
/* AF_ALG takes one sendmsg() per request; stay well below its sndbuf */
#define HOST_AFALG_MAX_DATA         (64 * KiB)

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

/* One row per (virtio algorithm, key length) pair we can offer. */
typedef struct HostAlg {
    const char *name;         /* our name, for traces and the property */
    uint32_t virtio_alg;
    uint32_t key_len;
    uint32_t block;           /* length must be a multiple (1: stream) */
    uint32_t min_len;         /* smallest non-empty request */
    uint32_t iv_len;
    const char *ossl;
    const char *kernel;
    uint32_t cd_cipher;
} HostAlg;

static const HostAlg host_algs[] = {
    { "aes-128-ecb", VIRTIO_CRYPTO_CIPHER_AES_ECB, 16, 16, 16, 0,
      "AES-128-ECB", "ecb(aes)", HOSTCD_AES_ECB },
    { "aes-192-ecb", VIRTIO_CRYPTO_CIPHER_AES_ECB, 24, 16, 16, 0,
      "AES-192-ECB", "ecb(aes)", HOSTCD_AES_ECB },
    { "aes-256-ecb", VIRTIO_CRYPTO_CIPHER_AES_ECB, 32, 16, 16, 0,
      "AES-256-ECB", "ecb(aes)", HOSTCD_AES_ECB },
    { "aes-128-cbc", VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, 16, 16, 16,
      "AES-128-CBC", "cbc(aes)", HOSTCD_AES_CBC },
    { "aes-192-cbc", VIRTIO_CRYPTO_CIPHER_AES_CBC, 24, 16, 16, 16,
      "AES-192-CBC", "cbc(aes)", HOSTCD_AES_CBC },
    { "aes-256-cbc", VIRTIO_CRYPTO_CIPHER_AES_CBC, 32, 16, 16, 16,
      "AES-256-CBC", "cbc(aes)", HOSTCD_AES_CBC },
    { "aes-128-ctr", VIRTIO_CRYPTO_CIPHER_AES_CTR, 16, 1, 1, 16,
      "AES-128-CTR", "ctr(aes)", HOSTCD_AES_CTR },
    { "aes-192-ctr", VIRTIO_CRYPTO_CIPHER_AES_CTR, 24, 1, 1, 16,
      "AES-192-CTR", "ctr(aes)", HOSTCD_AES_CTR },
    { "aes-256-ctr", VIRTIO_CRYPTO_CIPHER_AES_CTR, 32, 1, 1, 16,
      "AES-256-CTR", "ctr(aes)", HOSTCD_AES_CTR },
    /* XTS: the key is two AES keys; any length from one block up */
    { "aes-128-xts", VIRTIO_CRYPTO_CIPHER_AES_XTS, 32, 1, 16, 16,
      "AES-128-XTS", "xts(aes)", HOSTCD_AES_XTS },
    { "aes-256-xts", VIRTIO_CRYPTO_CIPHER_AES_XTS, 64, 1, 16, 16,
      "AES-256-XTS", "xts(aes)", HOSTCD_AES_XTS },
    { "des3-cbc", VIRTIO_CRYPTO_CIPHER_3DES_CBC, 24, 8, 8, 8,
      "DES-EDE3-CBC", "cbc(des3_ede)", HOSTCD_3DES_CBC },
};

#define HOST_NALGS ARRAY_SIZE(host_algs)

typedef struct HostSession {
    const HostAlg *alg;
    bool encrypt;
    bool live;                /* provider state was set up */
    int refs;                 /* table + in-flight requests */
    uint64_t id;
    /* provider state */
    EVP_CIPHER *ossl_cipher;
    EVP_CIPHER_CTX *ossl_tmpl;
    int afalg_tfm;
    uint32_t cd_ses;
} HostSession;

typedef struct HostTask {
    CryptoDevBackendHost *host;
    HostSession *sess;
    CryptoDevBackendOpInfo *op_info;
    int status;
    QSIMPLEQ_ENTRY(HostTask) next;
} HostTask;

typedef struct HostProviderOps {
    /* XTS only in whole blocks (the cryptodev ABI checks the blocksize) */
    bool xts_whole_blocks;
    int (*open)(CryptoDevBackendHost *s, Error **errp);
    void (*close)(CryptoDevBackendHost *s);
    int (*session_init)(CryptoDevBackendHost *s, HostSession *sess,
                        const uint8_t *key, Error **errp);
    void (*session_fini)(CryptoDevBackendHost *s, HostSession *sess);
    /* Returns 0 or a negative VIRTIO_CRYPTO_* status; runs in workers. */
    int (*crypt)(CryptoDevBackendHost *s, HostSession *sess,
                 const uint8_t *iv, const uint8_t *src, uint8_t *dst,
                 uint32_t len);
} HostProviderOps;

struct CryptoDevBackendHost {
    CryptoDevBackend parent_obj;

    /* properties */
    HostProvider provider;
    uint32_t max_sessions;
    uint32_t workers;
    uint64_t max_request_size;
    uint64_t inline_max;

    /* chosen at init */
    HostProvider active;
    const HostProviderOps *ops;
    bool alg_ok[HOST_NALGS];
    int devcrypto_fd;

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
};

/* ---- OpenSSL provider -------------------------------------------------- */

static int host_ossl_open(CryptoDevBackendHost *s, Error **errp)
{
    return 0;
}

static void host_ossl_close(CryptoDevBackendHost *s)
{
}

static void host_ossl_session_fini(CryptoDevBackendHost *s,
                                   HostSession *sess);

static int host_ossl_session_init(CryptoDevBackendHost *s, HostSession *sess,
                                  const uint8_t *key, Error **errp)
{
    sess->ossl_cipher = EVP_CIPHER_fetch(NULL, sess->alg->ossl, NULL);
    if (!sess->ossl_cipher) {
        error_setg(errp, "OpenSSL has no %s", sess->alg->ossl);
        return -1;
    }
    if ((uint32_t)EVP_CIPHER_get_key_length(sess->ossl_cipher) !=
        sess->alg->key_len) {
        error_setg(errp, "OpenSSL %s: unexpected key length",
                   sess->alg->ossl);
        host_ossl_session_fini(s, sess);
        return -1;
    }
    sess->ossl_tmpl = EVP_CIPHER_CTX_new();
    if (!sess->ossl_tmpl ||
        !EVP_CipherInit_ex2(sess->ossl_tmpl, sess->ossl_cipher, key, NULL,
                            sess->encrypt ? 1 : 0, NULL) ||
        !EVP_CIPHER_CTX_set_padding(sess->ossl_tmpl, 0)) {
        error_setg(errp, "OpenSSL rejected the %s key", sess->alg->ossl);
        host_ossl_session_fini(s, sess);
        return -1;
    }
    return 0;
}

static void host_ossl_session_fini(CryptoDevBackendHost *s, HostSession *sess)
{
    /* EVP_CIPHER_CTX_free() cleanses the expanded key */
    EVP_CIPHER_CTX_free(sess->ossl_tmpl);
    sess->ossl_tmpl = NULL;
    EVP_CIPHER_free(sess->ossl_cipher);
    sess->ossl_cipher = NULL;
}

static int host_ossl_crypt(CryptoDevBackendHost *s, HostSession *sess,
                           const uint8_t *iv, const uint8_t *src,
                           uint8_t *dst, uint32_t len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;
    int ret = -VIRTIO_CRYPTO_ERR;

    /* A per-request copy of the keyed context lets workers run at once. */
    if (!ctx || !EVP_CIPHER_CTX_copy(ctx, sess->ossl_tmpl)) {
        goto out;
    }
    if (!EVP_CipherInit_ex2(ctx, NULL, NULL, iv, -1, NULL)) {
        goto out;
    }
    if (!EVP_CipherUpdate(ctx, dst, &outl, src, len)) {
        goto out;
    }
    if ((uint32_t)outl > len ||
        !EVP_CipherFinal_ex(ctx, dst + outl, &finl) ||
        (uint32_t)outl + finl != len) {
        goto out;
    }
    ret = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

static const HostProviderOps host_ossl_ops = {
    .open = host_ossl_open,
    .close = host_ossl_close,
    .session_init = host_ossl_session_init,
    .session_fini = host_ossl_session_fini,
    .crypt = host_ossl_crypt,
};

/* ---- AF_ALG provider --------------------------------------------------- */

static int host_afalg_open(CryptoDevBackendHost *s, Error **errp)
{
    int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        error_setg_errno(errp, errno, "AF_ALG sockets are not available");
        return -1;
    }
    close(fd);
    return 0;
}

static void host_afalg_close(CryptoDevBackendHost *s)
{
}

static int host_afalg_session_init(CryptoDevBackendHost *s,
                                   HostSession *sess, const uint8_t *key,
                                   Error **errp)
{
    struct sockaddr_alg sa = { .salg_family = AF_ALG };
    int fd;

    pstrcpy((char *)sa.salg_type, sizeof(sa.salg_type), "skcipher");
    pstrcpy((char *)sa.salg_name, sizeof(sa.salg_name), sess->alg->kernel);
    fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "AF_ALG socket");
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        error_setg_errno(errp, errno, "AF_ALG has no %s", sess->alg->kernel);
        close(fd);
        return -1;
    }
    if (setsockopt(fd, SOL_ALG, ALG_SET_KEY, key, sess->alg->key_len) < 0) {
        error_setg_errno(errp, errno, "AF_ALG %s rejected the key",
                         sess->alg->kernel);
        close(fd);
        return -1;
    }
    sess->afalg_tfm = fd;
    return 0;
}

static void host_afalg_session_fini(CryptoDevBackendHost *s,
                                   HostSession *sess)
{
    /* Closing the transform socket frees (and zeroes) the kernel's key */
    if (sess->afalg_tfm >= 0) {
        close(sess->afalg_tfm);
        sess->afalg_tfm = -1;
    }
}

static int host_afalg_crypt(CryptoDevBackendHost *s, HostSession *sess,
                            const uint8_t *iv, const uint8_t *src,
                            uint8_t *dst, uint32_t len)
{
    uint8_t cbuf[CMSG_SPACE(sizeof(uint32_t)) +
                 CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = { 0 };
    struct iovec iov = { .iov_base = (void *)src, .iov_len = len };
    struct msghdr msg = {
        .msg_control = cbuf,
        .msg_controllen = CMSG_SPACE(sizeof(uint32_t)),
        .msg_iov = &iov,
        .msg_iovlen = 1,
    };
    struct cmsghdr *cmsg;
    uint32_t op = sess->encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
    uint32_t iv_len = sess->alg->iv_len;
    size_t done = 0;
    ssize_t n;
    int fd, ret = -VIRTIO_CRYPTO_ERR;

    if (len > HOST_AFALG_MAX_DATA || iv_len > 16) {
        return -VIRTIO_CRYPTO_ERR;
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

    fd = accept4(sess->afalg_tfm, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return -VIRTIO_CRYPTO_ERR;
    }
    n = sendmsg(fd, &msg, 0);
    if (n != len) {
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

static const HostProviderOps host_afalg_ops = {
    .open = host_afalg_open,
    .close = host_afalg_close,
    .session_init = host_afalg_session_init,
    .session_fini = host_afalg_session_fini,
    .crypt = host_afalg_crypt,
};

/* ---- /dev/crypto provider ---------------------------------------------- */

static int host_devcrypto_open(CryptoDevBackendHost *s, Error **errp)
{
    s->devcrypto_fd = qemu_open_old("/dev/crypto", O_RDWR);
    if (s->devcrypto_fd < 0) {
        error_setg_errno(errp, errno, "cannot open /dev/crypto");
        return -1;
    }
    return 0;
}

static void host_devcrypto_close(CryptoDevBackendHost *s)
{
    if (s->devcrypto_fd >= 0) {
        close(s->devcrypto_fd);
        s->devcrypto_fd = -1;
    }
}

static int host_devcrypto_session_init(CryptoDevBackendHost *s,
                                       HostSession *sess, const uint8_t *key,
                                       Error **errp)
{
    uint8_t kbuf[HOST_MAX_KEY_LEN];
    struct hostcd_session_op sop = {
        .cipher = sess->alg->cd_cipher,
        .keylen = sess->alg->key_len,
        .key = kbuf,
    };
    int r;

    memcpy(kbuf, key, sess->alg->key_len);
    r = ioctl(s->devcrypto_fd, HOSTCD_CIOCGSESSION, &sop);
    explicit_bzero(kbuf, sizeof(kbuf));
    if (r < 0) {
        error_setg_errno(errp, errno, "/dev/crypto: no session for %s",
                         sess->alg->name);
        return -1;
    }
    sess->cd_ses = sop.ses;
    return 0;
}

static void host_devcrypto_session_fini(CryptoDevBackendHost *s,
                                        HostSession *sess)
{
    uint32_t ses = sess->cd_ses;

    if (ioctl(s->devcrypto_fd, HOSTCD_CIOCFSESSION, &ses) < 0) {
        warn_report("cryptodev-backend-host: /dev/crypto session %u: %s",
                    ses, strerror(errno));
    }
}

static int host_devcrypto_crypt(CryptoDevBackendHost *s, HostSession *sess,
                                const uint8_t *iv, const uint8_t *src,
                                uint8_t *dst, uint32_t len)
{
    uint8_t ivbuf[16];
    struct hostcd_crypt_op cop = {
        .ses = sess->cd_ses,
        .op = sess->encrypt ? HOSTCD_COP_ENCRYPT : HOSTCD_COP_DECRYPT,
        .len = len,
        .src = (uint8_t *)src,
        .dst = dst,
    };

    /* The ioctl may write the IV back; keep the request's copy intact */
    if (sess->alg->iv_len) {
        memcpy(ivbuf, iv, sess->alg->iv_len);
        cop.iv = ivbuf;
    }
    if (ioctl(s->devcrypto_fd, HOSTCD_CIOCCRYPT, &cop) < 0) {
        return -VIRTIO_CRYPTO_ERR;
    }
    return 0;
}

static const HostProviderOps host_devcrypto_ops = {
    .xts_whole_blocks = true,
    .open = host_devcrypto_open,
    .close = host_devcrypto_close,
    .session_init = host_devcrypto_session_init,
    .session_fini = host_devcrypto_session_fini,
    .crypt = host_devcrypto_crypt,
};

static const HostProviderOps *const host_provider_ops[HOST_PROV__MAX] = {
    [HOST_PROV_DEVCRYPTO] = &host_devcrypto_ops,
    [HOST_PROV_AFALG] = &host_afalg_ops,
    [HOST_PROV_OPENSSL] = &host_ossl_ops,
};

/* ---- sessions ---------------------------------------------------------- */

static void host_session_free(CryptoDevBackendHost *s, HostSession *sess)
{
    if (sess->live) {
        s->ops->session_fini(s, sess);
    }
    explicit_bzero(sess, sizeof(*sess));
    g_free(sess);
}

static void host_session_unref(CryptoDevBackendHost *s, HostSession *sess)
{
    if (qatomic_fetch_dec(&sess->refs) == 1) {
        host_session_free(s, sess);
    }
}

static HostSession *host_session_new(CryptoDevBackendHost *s,
                                     const HostAlg *alg, bool encrypt,
                                     const uint8_t *key, Error **errp)
{
    HostSession *sess = g_new0(HostSession, 1);

    sess->alg = alg;
    sess->encrypt = encrypt;
    sess->refs = 1;
    sess->afalg_tfm = -1;
    if (s->ops->session_init(s, sess, key, errp) < 0) {
        host_session_free(s, sess);
        return NULL;
    }
    sess->live = true;
    return sess;
}

static const HostAlg *host_find_alg(uint32_t virtio_alg, uint32_t key_len,
                                    bool *alg_known)
{
    size_t i;

    *alg_known = false;
    for (i = 0; i < HOST_NALGS; i++) {
        if (host_algs[i].virtio_alg == virtio_alg) {
            *alg_known = true;
            if (host_algs[i].key_len == key_len) {
                return &host_algs[i];
            }
        }
    }
    return NULL;
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

static int cryptodev_host_create_session(CryptoDevBackend *backend,
                                         CryptoDevBackendSessionInfo *info,
                                         uint32_t queue_index,
                                         CryptoDevCompletionFunc cb,
                                         void *opaque)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);
    CryptoDevBackendSymSessionInfo *sym = &info->u.sym_sess_info;
    const HostAlg *alg;
    HostSession *sess;
    Error *err = NULL;
    bool known;
    uint32_t slot;
    int status = VIRTIO_CRYPTO_OK;

    if (info->op_code != VIRTIO_CRYPTO_CIPHER_CREATE_SESSION ||
        sym->op_type != VIRTIO_CRYPTO_SYM_OP_CIPHER) {
        /* hash, MAC, AEAD, akcipher and algorithm chaining: not here */
        status = -VIRTIO_CRYPTO_NOTSUPP;
        goto done;
    }
    if (sym->direction != VIRTIO_CRYPTO_OP_ENCRYPT &&
        sym->direction != VIRTIO_CRYPTO_OP_DECRYPT) {
        status = -VIRTIO_CRYPTO_BADMSG;
        goto done;
    }
    alg = host_find_alg(sym->cipher_alg, sym->key_len, &known);
    if (!alg) {
        /* a key size that no variant of a known algorithm has is bad */
        status = known ? -VIRTIO_CRYPTO_BADMSG : -VIRTIO_CRYPTO_NOTSUPP;
        goto done;
    }
    if (!s->alg_ok[alg - host_algs]) {
        status = -VIRTIO_CRYPTO_NOTSUPP;
        goto done;
    }
    if (!sym->cipher_key) {
        status = -VIRTIO_CRYPTO_BADMSG;
        goto done;
    }
    if (s->nr_sessions >= s->max_sessions) {
        status = -VIRTIO_CRYPTO_NOSPC;
        goto done;
    }
    for (slot = 0; slot < s->max_sessions && s->sessions[slot]; slot++) {
        /* find a free slot; nr_sessions says there is one */
    }
    sess = host_session_new(s, alg, sym->direction == VIRTIO_CRYPTO_OP_ENCRYPT,
                            sym->cipher_key, &err);
    if (!sess) {
        qemu_log_mask(LOG_GUEST_ERROR, "cryptodev-backend-host: %s\n",
                      error_get_pretty(err));
        error_free(err);
        status = -VIRTIO_CRYPTO_ERR;
        goto done;
    }
    /* A generation in the high bits makes stale ids fail, not alias. */
    s->generation++;
    sess->id = ((uint64_t)s->generation << 32) | slot;
    s->sessions[slot] = sess;
    s->nr_sessions++;
    info->session_id = sess->id;
    trace_cryptodev_host_create_session(sess->id, alg->name,
                                        sess->encrypt);
done:
    /* The key was copied into the provider; drop the device's copy now. */
    if (sym->cipher_key && info->op_code ==
        VIRTIO_CRYPTO_CIPHER_CREATE_SESSION) {
        explicit_bzero(sym->cipher_key, sym->key_len);
    }
    if (status != VIRTIO_CRYPTO_OK) {
        trace_cryptodev_host_session_error(sym->cipher_alg, sym->key_len,
                                           -status);
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
    host_session_unref(s, sess);
    if (cb) {
        cb(opaque, VIRTIO_CRYPTO_OK);
    }
    return 0;
}

/* ---- requests ---------------------------------------------------------- */

static void host_run_task(HostTask *t)
{
    CryptoDevBackendSymOpInfo *op = t->op_info->u.sym_op_info;
    CryptoDevBackendHost *s = t->host;

    t->status = s->ops->crypt(s, t->sess, op->iv, op->src, op->dst,
                              op->src_len);
}

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
        qemu_bh_schedule(s->bh);
    }
    qemu_mutex_unlock(&s->lock);
    return NULL;
}

/* Main loop: hand finished requests back to the device. */
static void host_done_bh(void *opaque)
{
    CryptoDevBackendHost *s = opaque;
    QSIMPLEQ_HEAD(, HostTask) list = QSIMPLEQ_HEAD_INITIALIZER(list);
    HostTask *t;

    qemu_mutex_lock(&s->lock);
    QSIMPLEQ_CONCAT(&list, &s->done);
    qemu_mutex_unlock(&s->lock);

    while ((t = QSIMPLEQ_FIRST(&list))) {
        int status = t->status;
        CryptoDevBackendOpInfo *op_info = t->op_info;
        uint64_t id = t->sess->id;

        QSIMPLEQ_REMOVE_HEAD(&list, next);
        trace_cryptodev_host_op_done(id, -status);
        host_session_unref(s, t->sess);
        s->inflight--;
        s->inflight_bytes -= op_info->u.sym_op_info->src_len;
        g_free(t);
        if (op_info->cb) {
            op_info->cb(op_info->opaque, status);
        }
    }
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

static int cryptodev_host_operation(CryptoDevBackend *backend,
                                    CryptoDevBackendOpInfo *op_info)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);
    uint64_t id = op_info->session_id;
    CryptoDevBackendSymOpInfo *op;
    const HostAlg *alg;
    HostSession *sess;
    HostTask *t;
    bool enc;

    if (op_info->algtype != QCRYPTODEV_BACKEND_ALGO_TYPE_SYM ||
        !op_info->u.sym_op_info) {
        return host_reject(op_info, id, -VIRTIO_CRYPTO_NOTSUPP,
                           "not a symmetric cipher request");
    }
    op = op_info->u.sym_op_info;
    sess = host_session_lookup(s, id);
    if (!sess) {
        return host_reject(op_info, id, -VIRTIO_CRYPTO_INVSESS,
                           "no such session");
    }
    alg = sess->alg;
    if (op->op_type != VIRTIO_CRYPTO_SYM_OP_CIPHER) {
        return host_reject(op_info, id, -VIRTIO_CRYPTO_NOTSUPP,
                           "algorithm chaining is not supported");
    }
    enc = op_info->op_code == VIRTIO_CRYPTO_CIPHER_ENCRYPT;
    if ((!enc && op_info->op_code != VIRTIO_CRYPTO_CIPHER_DECRYPT) ||
        enc != sess->encrypt) {
        return host_reject(op_info, id, -VIRTIO_CRYPTO_BADMSG,
                           "opcode does not match the session's direction");
    }
    if (op->src_len != op->dst_len) {
        return host_reject(op_info, id, -VIRTIO_CRYPTO_BADMSG,
                           "source and destination lengths differ");
    }
    /* ECB ignores an IV; every other mode needs exactly one */
    if (alg->iv_len ? op->iv_len != alg->iv_len || !op->iv : false) {
        return host_reject(op_info, id, -VIRTIO_CRYPTO_BADMSG,
                           "wrong IV length");
    }
    if (op->src_len == 0) {
        if (op_info->cb) {
            op_info->cb(op_info->opaque, VIRTIO_CRYPTO_OK);
        }
        return 0;
    }
    if (op->src_len % alg->block || op->src_len < alg->min_len ||
        (s->ops->xts_whole_blocks && op->src_len % alg->min_len)) {
        return host_reject(op_info, id, -VIRTIO_CRYPTO_BADMSG,
                           "length is not a multiple of the block size");
    }
    if (!op->src || !op->dst || op->src_len > s->max_request_size) {
        return host_reject(op_info, id, -VIRTIO_CRYPTO_BADMSG,
                           "bad buffers");
    }

    trace_cryptodev_host_op(id, op->src_len, op_info->queue_index);
    if ((uint64_t)op->src_len *
        (alg->virtio_alg == VIRTIO_CRYPTO_CIPHER_3DES_CBC ?
         HOST_3DES_COST : 1) <= s->inline_max ||
        s->inflight_bytes + op->src_len > HOST_MAX_INFLIGHT_BYTES) {
        HostTask now = { .host = s, .sess = sess, .op_info = op_info };

        host_run_task(&now);
        trace_cryptodev_host_op_done(id, -now.status);
        if (op_info->cb) {
            op_info->cb(op_info->opaque, now.status);
        }
        return 0;
    }
    t = g_new0(HostTask, 1);
    t->host = s;
    t->sess = sess;
    t->op_info = op_info;
    qatomic_inc(&sess->refs);
    s->inflight++;
    s->inflight_bytes += op->src_len;

    qemu_mutex_lock(&s->lock);
    QSIMPLEQ_INSERT_TAIL(&s->pending, t, next);
    qemu_cond_signal(&s->cond);
    qemu_mutex_unlock(&s->lock);
    return 0;
}

/*
 * Wait for every request in flight and complete it.  Used before the
 * backend goes away, so no completion runs against a freed device.
 */
static void host_drain(CryptoDevBackendHost *s)
{
    while (s->inflight) {
        qemu_mutex_lock(&s->lock);
        while (QSIMPLEQ_EMPTY(&s->done)) {
            qemu_cond_wait(&s->idle_cond, &s->lock);
        }
        qemu_mutex_unlock(&s->lock);
        host_done_bh(s);
    }
}

static void cryptodev_host_drain(CryptoDevBackend *backend)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);

    if (s->threads) {
        host_drain(s);
    }
}

/* ---- probing and init -------------------------------------------------- */

/*
 * An algorithm is offered only if the provider creates a session for it
 * and encrypts and decrypts a test message to the same answer as OpenSSL.
 */
static bool host_probe_alg(CryptoDevBackendHost *s, const HostAlg *alg)
{
    const HostProviderOps *saved = s->ops;
    uint8_t key[HOST_MAX_KEY_LEN], iv[16], pt[64], ct[64], ref[64], back[64];
    HostSession *enc, *dec = NULL, *rsess = NULL;
    bool ok = false;
    size_t i;

    for (i = 0; i < sizeof(key); i++) {
        key[i] = 0x11 * (i % 15) + i;    /* XTS halves must differ */
    }
    for (i = 0; i < sizeof(pt); i++) {
        pt[i] = i * 7 + 3;
    }
    memset(iv, 0xa5, sizeof(iv));

    enc = host_session_new(s, alg, true, key, NULL);
    dec = host_session_new(s, alg, false, key, NULL);
    if (!enc || !dec ||
        s->ops->crypt(s, enc, iv, pt, ct, sizeof(pt)) < 0 ||
        s->ops->crypt(s, dec, iv, ct, back, sizeof(ct)) < 0 ||
        memcmp(back, pt, sizeof(pt))) {
        goto out;
    }
    /* Cross-check against the in-process reference */
    s->ops = &host_ossl_ops;
    rsess = host_session_new(s, alg, true, key, NULL);
    ok = rsess && host_ossl_crypt(s, rsess, iv, pt, ref, sizeof(pt)) == 0 &&
         !memcmp(ref, ct, sizeof(ct));
    if (rsess) {
        host_session_free(s, rsess);
    }
    s->ops = saved;
out:
    if (enc) {
        host_session_free(s, enc);
    }
    if (dec) {
        host_session_free(s, dec);
    }
    return ok;
}

static bool host_try_provider(CryptoDevBackendHost *s, HostProvider p,
                              Error **errp)
{
    size_t i;
    bool any = false;

    s->ops = host_provider_ops[p];
    if (s->ops->open(s, errp) < 0) {
        s->ops = NULL;
        return false;
    }
    for (i = 0; i < HOST_NALGS; i++) {
        s->alg_ok[i] = host_probe_alg(s, &host_algs[i]);
        trace_cryptodev_host_probe(host_provider_names[p], host_algs[i].name,
                                   s->alg_ok[i]);
        any |= s->alg_ok[i];
    }
    if (!any) {
        error_setg(errp, "provider %s offers none of our algorithms",
                   host_provider_names[p]);
        s->ops->close(s);
        s->ops = NULL;
        return false;
    }
    s->active = p;
    return true;
}

static void cryptodev_host_init(CryptoDevBackend *backend, Error **errp)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(backend);
    uint32_t queues = backend->conf.peers.queues;
    uint32_t max_key = 0;
    uint64_t max_size = s->max_request_size;
    size_t i;

    if (queues > MAX_CRYPTO_QUEUE_NUM) {
        error_setg(errp, "queues must be at most %d", MAX_CRYPTO_QUEUE_NUM);
        return;
    }
    if (s->provider == HOST_PROV_AUTO) {
        static const HostProvider order[] = {
            HOST_PROV_DEVCRYPTO, HOST_PROV_AFALG, HOST_PROV_OPENSSL,
        };
        Error *last = NULL;

        for (i = 0; i < ARRAY_SIZE(order); i++) {
            error_free(last);
            last = NULL;
            if (host_try_provider(s, order[i], &last)) {
                break;
            }
        }
        if (!s->ops) {
            error_propagate_prepend(errp, last, "no crypto provider works: ");
            return;
        }
        error_free(last);
    } else if (!host_try_provider(s, s->provider, errp)) {
        return;
    }

    for (i = 0; i < HOST_NALGS; i++) {
        if (s->alg_ok[i]) {
            backend->conf.cipher_algo_l |= 1u << host_algs[i].virtio_alg;
            max_key = MAX(max_key, host_algs[i].key_len);
        }
    }
    if (s->active == HOST_PROV_AFALG) {
        /* one sendmsg() per request: IV + source + destination */
        max_size = MIN(max_size, 2 * HOST_AFALG_MAX_DATA + 16);
        s->max_request_size = max_size;
    }
    backend->conf.crypto_services =
        1u << QCRYPTODEV_BACKEND_SERVICE_TYPE_CIPHER;
    backend->conf.max_cipher_key_len = max_key;
    backend->conf.max_auth_key_len = 0;
    backend->conf.max_size = max_size;

    for (i = 0; i < queues; i++) {
        CryptoDevBackendClient *cc = cryptodev_backend_new_client();

        cc->info_str = g_strdup_printf("cryptodev-host%zu provider=%s", i,
                                       host_provider_names[s->active]);
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

    trace_cryptodev_host_provider(host_provider_names[s->active],
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
                host_session_unref(s, s->sessions[i]);
                s->sessions[i] = NULL;
            }
        }
        g_free(s->sessions);
        s->sessions = NULL;
        s->nr_sessions = 0;
    }
    if (s->ops) {
        s->ops->close(s);
        s->ops = NULL;
    }
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

    return g_strdup(s->ops ? host_provider_names[s->active] : "none");
}

static char *host_get_algorithms(Object *obj, Error **errp)
{
    CryptoDevBackendHost *s = CRYPTODEV_BACKEND_HOST(obj);
    g_autoptr(GString) str = g_string_new("");
    size_t i;

    for (i = 0; s->ops && i < HOST_NALGS; i++) {
        if (s->alg_ok[i]) {
            g_string_append_printf(str, "%s%s", str->len ? "," : "",
                                   host_algs[i].name);
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
    s->devcrypto_fd = -1;
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
