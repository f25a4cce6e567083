/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Malformed requests for virtio-crypto-pci on cryptodev-backend-host, at
 * the rate of a real driver.
 *
 * The test plays a hostile guest driver.  Each round fills a whole
 * virtqueue with requests: descriptor table and avail ring in one write,
 * the requests' buffers in another, one notification, then it waits for
 * the used index to count every request and reads the used ring and the
 * buffers back in one read each.  Rounds of requests whose descriptors
 * carry what their headers claim (bad, closed and random session ids,
 * wrong lengths, IVs, opcodes, directions, algorithms, keys) must be
 * answered in full, each with a valid status, and a good request's
 * result must equal OpenSSL's.  The same for hashes, MACs and AES-GCM:
 * well-formed requests on their sessions, and requests with wrong result
 * or tag lengths, result areas, nonces, opcodes or another service's
 * session.  Requests the device may refuse as
 * broken (short headers, lying lengths, huge counts, bad descriptor
 * chains) go alone in a round: answered, or the device sets NEEDS_RESET
 * and is reset; never silence, and QEMU must stay up.  (An avail index
 * moved past the ring is the exception: see run_jump().)  Sessions live
 * in the backend across resets; the test tracks which are open.
 *
 *   CRYPTODEV_FUZZ_SECONDS   duration of each case (default 10)
 *   CRYPTODEV_FUZZ_MIN       requests each case must reach (default 0)
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/bswap.h"
#include "qobject/qdict.h"
#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/pci-pc.h"
#include "libqos/virtio.h"
#include "libqos/virtio-pci.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_crypto.h"
#include "standard-headers/linux/virtio_pci.h"
#include "standard-headers/linux/virtio_ring.h"

#include "cryptodev-host-qtest.h"

#define NQ              2               /* data queues; the last is ctrl */
#define MAX_SESSIONS    64
#define FUZZ_OPTS       ",provider=openssl,max-sessions=" \
                        G_STRINGIFY(MAX_SESSIONS)
#define DESC_PER_REQ    8
#define SLOT            512             /* guest bytes per request */
#define HDR_OFF         0               /* 72-byte request header */
#define IV_OFF          72              /* IV or key, up to 64 bytes */
#define SRC_OFF         136
#define DST_OFF         320
#define DATA_MAX        176             /* source and destination */
#define ST_OFF          496             /* status / session input */
#define NO_ANSWER       0xff
#define TIMEOUT_US      (20 * 1000 * 1000)


/* What the test may expect of one request. */
typedef enum Expect {
    EXP_OK,             /* well-formed: OK, and the result checked */
    EXP_ERROR,          /* answered, with an error status */
    EXP_ANY,            /* answered, any valid status */
    EXP_MAY_BREAK,      /* answered, or the device asks for a reset */
} Expect;

typedef struct Sess {
    uint64_t id;
    int alg;                    /* cipher; -1: not a known cipher session */
    int auth;                   /* hash or MAC, auth_algs[]; or -1 */
    int aead;                   /* aead_algs[]; or -1 */
    bool encrypt;
} Sess;

/* A session the test may only close (all three kinds -1) */
#define SESS_UNKNOWN ((Sess) { .alg = -1, .auth = -1, .aead = -1 })

typedef struct Req {
    Expect expect;
    bool ctrl_create;           /* status is a session input */
    bool ctrl_destroy;          /* status is one byte */
    int sess_alg;               /* EXP_OK data: check against OpenSSL */
    int sess_auth;              /* ... a hash or MAC */
    int sess_aead;              /* ... AES-GCM */
    uint32_t aad_len;
    bool sess_encrypt;
    uint32_t len;
    uint32_t writable;          /* bytes the device may write */
    uint32_t st_off;            /* where the status byte is, in the slot */
    bool st_unknown;            /* spoilt: the status may be elsewhere */
    Sess new_sess;              /* a create: the session it asked for */
    Sess closing;               /* a destroy of a live session */
} Req;

typedef struct Fuzz {
    QTestState *qts;
    QGuestAllocator alloc;
    QPCIBus *bus;
    QVirtioPCIDevice *vpci;
    QVirtioDevice *vdev;
    QVirtQueue *vq[NQ + 1];
    uint64_t features;
    uint16_t size;
    uint64_t data;              /* SLOT bytes per request of a round */
    unsigned max_batch;

    /* guest-side ring state, per queue */
    uint16_t avail_idx[NQ + 1];
    uint16_t used_idx[NQ + 1];

    /* the round being built */
    uint8_t *ring;              /* descriptor table + avail ring */
    size_t ring_len;
    uint8_t *buf;
    Req req[1024 / DESC_PER_REQ];
    unsigned n;

    Sess live[64];
    unsigned nlive;
    uint64_t closed[64];
    unsigned nclosed;
    uint8_t keys[ARRAY_SIZE(algs)][64];
    uint8_t auth_keys[ARRAY_SIZE(auth_algs)][64];
    uint32_t auth_key_len[ARRAY_SIZE(auth_algs)];
    uint8_t aead_keys[ARRAY_SIZE(aead_algs)][32];

    char *log;                  /* QEMU's stderr */

    /* counts */
    uint64_t requests, answered, errors, oks, resets, broken_alone;
    uint64_t auth_checked;      /* hash, MAC and AEAD results checked */
} Fuzz;

static uint32_t rnd(uint32_t n)
{
    return n ? g_test_rand_int_range(0, n) : 0;
}

/* ---- device ------------------------------------------------------------ */

/* Program the queues' addresses again after a reset (memory is kept). */
static void fuzz_queues_on(Fuzz *f)
{
    unsigned i;

    qvirtio_start_device(f->vdev);
    qvirtio_set_features(f->vdev, f->features);
    for (i = 0; i <= NQ; i++) {
        QVirtQueue *vq = f->vq[i];
        uint8_t zero[4] = { 0 };

        /*
         * The device starts again at index 0, and looks at every queue
         * when it starts: old avail indexes would replay old requests.
         */
        qtest_memwrite(f->qts, vq->avail, zero, sizeof(zero));
        qtest_memwrite(f->qts, vq->used, zero, sizeof(zero));
        f->avail_idx[i] = f->used_idx[i] = 0;
        f->vdev->bus->queue_select(f->vdev, i);
        f->vdev->bus->set_queue_address(f->vdev, vq);
        qpci_io_writew(f->vpci->pdev, f->vpci->bar, f->vpci->common_cfg_offset +
                       offsetof(struct virtio_pci_common_cfg, queue_enable),
                       1);
    }
    qvirtio_set_driver_ok(f->vdev);
}

static void fuzz_reset(Fuzz *f)
{
    unsigned i;

    f->resets++;
    fuzz_queues_on(f);
    for (i = 0; i < 4; i++) {
        g_assert_false(f->vdev->bus->get_status(f->vdev) &
                       VIRTIO_CONFIG_S_NEEDS_RESET);
    }
}

static bool needs_reset(Fuzz *f)
{
    return f->vdev->bus->get_status(f->vdev) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

static Fuzz *fuzz_start(const char *opts)
{
    Fuzz *f = g_new0(Fuzz, 1);
    unsigned i;
    int j, fd, saved;

    /* QEMU reports every refused request: keep that out of the TAP */
    fd = g_file_open_tmp("cryptodev-fuzz-XXXXXX.log", &f->log, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_test_message("QEMU's messages go to %s", f->log);
    saved = dup(2);
    dup2(fd, 2);
    close(fd);
    f->vpci = crypto_pci_start(&f->qts, &f->alloc, &f->bus, NQ, opts);
    dup2(saved, 2);
    close(saved);
    f->vdev = &f->vpci->vdev;
    qvirtio_pci_device_enable(f->vpci);
    qvirtio_start_device(f->vdev);
    f->features = qvirtio_get_features(f->vdev) &
                  ~(QVIRTIO_F_BAD_FEATURE |
                    (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
                    (1ull << VIRTIO_RING_F_EVENT_IDX));
    qvirtio_set_features(f->vdev, f->features);
    for (i = 0; i <= NQ; i++) {
        f->vq[i] = qvirtqueue_setup(f->vdev, &f->alloc, i);
    }
    qvirtio_set_driver_ok(f->vdev);

    f->size = f->vq[0]->size;
    for (i = 1; i <= NQ; i++) {
        g_assert_cmpuint(f->vq[i]->size, ==, f->size);
    }
    g_assert_cmpuint(f->size, >=, DESC_PER_REQ);
    f->max_batch = MIN(f->size / DESC_PER_REQ, ARRAY_SIZE(f->req));
    f->ring_len = f->size * sizeof(struct vring_desc) + 6 + 2 * f->size;
    f->ring = g_malloc0(f->ring_len);
    f->buf = g_malloc0(f->max_batch * SLOT);
    f->data = guest_alloc(&f->alloc, f->max_batch * SLOT);

    for (j = 0; j < ARRAY_SIZE(algs); j++) {
        fill_random(f->keys[j], sizeof(f->keys[j]));
        f->keys[j][algs[j].key_len / 2] = ~f->keys[j][0];  /* XTS halves */
    }
    for (j = 0; j < ARRAY_SIZE(auth_algs); j++) {
        fill_random(f->auth_keys[j], sizeof(f->auth_keys[j]));
        /* HMAC: any length, 0 included; CMAC: its cipher's */
        f->auth_key_len[j] = auth_algs[j].service ==
            VIRTIO_CRYPTO_SERVICE_HASH ? 0 :
            auth_algs[j].virtio_alg == VIRTIO_CRYPTO_MAC_CMAC_AES ? 16 :
            (j * 13) % 65;
    }
    for (j = 0; j < ARRAY_SIZE(aead_algs); j++) {
        fill_random(f->aead_keys[j], sizeof(f->aead_keys[j]));
    }
    return f;
}

static void fuzz_stop(Fuzz *f)
{
    QDict *rsp = qtest_qmp(f->qts, "{'execute': 'query-status'}");
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint n;

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    g_assert_true(g_file_get_contents(f->log, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    n = g_strv_length(lines);
    g_test_message("QEMU printed %u lines, the last: %s", n ? n - 1 : 0,
                   n > 1 ? lines[n - 2] : "");
    unlink(f->log);
    g_free(f->log);
    g_free(f->ring);
    g_free(f->buf);
    crypto_pci_free(f->qts, &f->alloc, f->bus, f->vpci);
    g_free(f);
}

/* ---- building a round -------------------------------------------------- */

static void begin(Fuzz *f)
{
    f->n = 0;
    memset(f->ring, 0, f->size * sizeof(struct vring_desc));
    memset(f->buf, NO_ANSWER, f->max_batch * SLOT);
}

/* Descriptor k of request r: guest address of slot offset off. */
static void desc(Fuzz *f, unsigned r, unsigned k, uint32_t off, uint32_t len,
                 bool write, bool more)
{
    struct vring_desc d = {
        .addr = cpu_to_le64(f->data + r * SLOT + off),
        .len = cpu_to_le32(len),
        .flags = cpu_to_le16((write ? VRING_DESC_F_WRITE : 0) |
                             (more ? VRING_DESC_F_NEXT : 0)),
        .next = cpu_to_le16(r * DESC_PER_REQ + k + 1),
    };

    g_assert_cmpuint(k, <, DESC_PER_REQ);
    memcpy(f->ring + (r * DESC_PER_REQ + k) * sizeof(d), &d, sizeof(d));
}

static struct vring_desc *desc_at(Fuzz *f, unsigned r, unsigned k)
{
    return (struct vring_desc *)(f->ring + (r * DESC_PER_REQ + k) *
                                 sizeof(struct vring_desc));
}

static uint8_t *slot(Fuzz *f, unsigned r)
{
    return f->buf + r * SLOT;
}

static Req *new_req(Fuzz *f, Expect e)
{
    Req *q = &f->req[f->n];

    memset(q, 0, sizeof(*q));
    q->expect = e;
    q->st_off = ST_OFF;
    q->sess_alg = -1;
    q->sess_auth = -1;
    q->sess_aead = -1;
    q->new_sess = SESS_UNKNOWN;
    q->closing = SESS_UNKNOWN;
    return q;
}

static uint64_t pick_bad_id(Fuzz *f)
{
    if (f->nclosed && rnd(2)) {
        return f->closed[rnd(f->nclosed)];
    }
    if (f->nlive && rnd(2)) {
        /* a live slot with another generation, or another slot */
        return f->live[rnd(f->nlive)].id ^ ((uint64_t)(rnd(255) + 1) <<
                                            (rnd(2) ? 32 : 0));
    }
    return ((uint64_t)g_test_rand_int() << 32) | g_test_rand_int();
}

static void forget_live(Fuzz *f, unsigned i)
{
    if (f->nclosed < ARRAY_SIZE(f->closed)) {
        f->closed[f->nclosed++] = f->live[i].id;
    } else {
        f->closed[rnd(ARRAY_SIZE(f->closed))] = f->live[i].id;
    }
    f->live[i] = f->live[--f->nlive];
}

/*
 * A HASH, MAC or AEAD request whose descriptors hold what it claims, on
 * session ss (an auth or AEAD session) or on a bad one: header, IV,
 * source, AAD, result and a one-byte status, each in its descriptor.
 */
static void auth_data_req(Fuzz *f, Sess *ss)
{
    unsigned r = f->n;
    struct virtio_crypto_op_data_req h = { 0 };
    uint8_t *s = slot(f, r);
    const AuthAlg *a = ss && ss->auth >= 0 ? &auth_algs[ss->auth] : NULL;
    bool aead = ss ? ss->aead >= 0 : rnd(2);
    bool good = ss && rnd(100) < 60, enc = ss ? ss->encrypt : rnd(2);
    uint32_t opcode, len = rnd(145), aad_len = aead ? rnd(17) : 0;
    uint32_t iv_len = aead ? 12 : 0, tag_len = 16;
    uint32_t result_len = a ? a->digest_len : 1 + rnd(64);
    uint32_t out_len, dst_len;
    uint64_t id = ss ? ss->id : pick_bad_id(f);
    unsigned k = 0;
    Req *q = new_req(f, good ? EXP_OK : EXP_ERROR);

    if (aead) {
        opcode = enc ? VIRTIO_CRYPTO_AEAD_ENCRYPT : VIRTIO_CRYPTO_AEAD_DECRYPT;
    } else {
        opcode = !a || a->service == VIRTIO_CRYPTO_SERVICE_MAC ?
                 VIRTIO_CRYPTO_MAC : VIRTIO_CRYPTO_HASH;
    }
    fill_random(s + IV_OFF, iv_len);
    fill_random(s + SRC_OFF, len + aad_len);
    if (aead && !enc && len < tag_len) {
        len = tag_len;      /* ciphertext and tag */
    }
    if (good && aead && !enc) {
        /* a real ciphertext and tag, or a tag that does not match */
        const AeadAlg *g = &aead_algs[ss->aead];
        uint8_t pt[DATA_MAX], *ct = s + SRC_OFF;

        memcpy(pt, ct, len - tag_len);
        ossl_aead(g, true, f->aead_keys[ss->aead], s + IV_OFF, iv_len,
                  s + SRC_OFF + len, aad_len, pt, len - tag_len, ct,
                  ct + len - tag_len, tag_len);
        if (!rnd(4)) {
            ct[len - 1 - rnd(tag_len)] ^= 1 << rnd(8);
            q->expect = EXP_ERROR;      /* BADMSG */
        }
    }
    if (good) {
        q->sess_auth = ss->auth;
        q->sess_aead = ss->aead;
        q->sess_encrypt = enc;
    } else {
        switch (rnd(7)) {
        case 0:             /* bad, closed or stale session */
            id = pick_bad_id(f);
            break;
        case 1:             /* a result or tag length not the session's */
            if (aead) {
                tag_len = rnd(2) ? rnd(33) : g_test_rand_int();
                q->expect = tag_len == 16 ? EXP_ANY : EXP_ERROR;
            } else {
                result_len = rnd(2) ? rnd(80) : g_test_rand_int();
                q->expect = a && result_len == a->digest_len ? EXP_ANY :
                            EXP_ERROR;
            }
            break;
        case 2:             /* another service's opcode */
            opcode = rnd(2) ? VIRTIO_CRYPTO_HASH + rnd(2) * 0x100 :
                     VIRTIO_CRYPTO_AEAD_ENCRYPT + rnd(2);
            q->expect = EXP_ANY;
            break;
        case 3:             /* no nonce, or one GCM may not take */
            iv_len = rnd(2) ? 0 : rnd(65);
            q->expect = aead && !iv_len ? EXP_ERROR : EXP_ANY;
            break;
        default:            /* any live session, of any kind */
            id = f->live[rnd(f->nlive)].id;
            q->expect = EXP_ANY;
            break;
        }
    }
    iv_len = MIN(iv_len, 64);
    if (aead) {
        out_len = enc ? len + MIN(tag_len, 32) : len - MIN(len, tag_len);
        dst_len = out_len;
    } else {
        out_len = MIN(result_len, 80);
        dst_len = out_len;
    }
    if (!good && !rnd(5)) {
        /* a result area that is not what the request says */
        out_len = rnd(out_len + 8);
        if (out_len != dst_len) {
            q->expect = EXP_ERROR;
        }
    }
    h.header.opcode = cpu_to_le32(opcode);
    h.header.session_id = cpu_to_le64(id);
    if (aead) {
        h.u.aead_req.para.iv_len = cpu_to_le32(iv_len);
        h.u.aead_req.para.aad_len = cpu_to_le32(aad_len);
        h.u.aead_req.para.src_data_len = cpu_to_le32(len);
        h.u.aead_req.para.dst_data_len = cpu_to_le32(dst_len);
        stl_le_p(h.u.aead_req.padding, tag_len);
    } else {
        h.u.hash_req.para.src_data_len = cpu_to_le32(len);
        h.u.hash_req.para.hash_result_len = cpu_to_le32(result_len);
    }
    memcpy(s + HDR_OFF, &h, sizeof(h));

    desc(f, r, k++, HDR_OFF, sizeof(h), false, true);
    if (iv_len) {
        desc(f, r, k++, IV_OFF, iv_len, false, true);
    }
    if (len) {
        desc(f, r, k++, SRC_OFF, len, false, true);
    }
    if (aad_len) {
        desc(f, r, k++, SRC_OFF + len, aad_len, false, true);
    }
    if (out_len) {
        desc(f, r, k++, DST_OFF, out_len, true, true);
    }
    desc(f, r, k, ST_OFF, 1, true, false);
    q->len = len;
    q->aad_len = aad_len;
    q->writable = out_len + 1;
    f->n++;
}

/*
 * A data request whose descriptors hold what it claims: header, IV,
 * source, destination and a one-byte status, each in its descriptor.
 */
static void data_req(Fuzz *f)
{
    unsigned r = f->n;
    struct virtio_crypto_op_data_req h = { 0 };
    struct virtio_crypto_cipher_para *p = &h.u.sym_req.u.cipher.para;
    uint8_t *s = slot(f, r);
    uint32_t opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT, op_type, iv_len, len;
    uint64_t id;
    Req *q;
    unsigned k = 0, kind = rnd(100);
    const Alg *a = NULL;
    Sess *ss = NULL;

    if (f->nlive) {
        ss = &f->live[rnd(f->nlive)];
        if ((ss->auth >= 0 || ss->aead >= 0) && rnd(10)) {
            auth_data_req(f, ss);
            return;
        }
        if (!rnd(20)) {
            auth_data_req(f, NULL);
            return;
        }
        /* now and then a cipher request on another service's session */
        a = ss->alg >= 0 ? &algs[ss->alg] : NULL;
        ss = a || !rnd(4) ? ss : NULL;
    }
    if (kind < 55 && a) {
        /* well-formed */
        q = new_req(f, EXP_OK);
        id = ss->id;
        opcode = ss->encrypt ? VIRTIO_CRYPTO_CIPHER_ENCRYPT :
                 VIRTIO_CRYPTO_CIPHER_DECRYPT;
        op_type = VIRTIO_CRYPTO_SYM_OP_CIPHER;
        iv_len = a->iv_len;
        len = a->min_len + a->block * rnd((DATA_MAX - a->min_len) /
                                          a->block + 1);
        if (!rnd(20)) {
            len = 0;
        }
        q->sess_alg = ss->alg;
        q->sess_encrypt = ss->encrypt;
    } else {
        q = new_req(f, EXP_ERROR);
        id = ss ? ss->id : pick_bad_id(f);
        op_type = VIRTIO_CRYPTO_SYM_OP_CIPHER;
        /* (ss without a: another service's session, any opcode fails) */
        iv_len = a ? a->iv_len : 16;
        len = 16 * rnd(DATA_MAX / 16 + 1);
        if (a) {
            opcode = ss->encrypt ? VIRTIO_CRYPTO_CIPHER_ENCRYPT :
                     VIRTIO_CRYPTO_CIPHER_DECRYPT;
        }
        switch (rnd(6)) {
        case 0:             /* bad, closed or stale session */
            id = pick_bad_id(f);
            break;
        case 1:             /* the other direction */
            if (!a) {
                q->expect = EXP_ANY;
                break;
            }
            opcode ^= VIRTIO_CRYPTO_CIPHER_ENCRYPT ^
                      VIRTIO_CRYPTO_CIPHER_DECRYPT;
            break;
        case 2:             /* wrong IV length (ECB takes any) */
            iv_len = rnd(33);
            if (!a || iv_len == a->iv_len || !a->iv_len) {
                q->expect = EXP_ANY;
            }
            break;
        case 3:             /* length the mode cannot take */
            len = rnd(DATA_MAX + 1);
            if (!a || (len % a->block == 0 &&
                       (len >= a->min_len || len == 0))) {
                q->expect = EXP_ANY;
            }
            break;
        case 4:             /* an opcode no cipher service has */
            do {
                opcode = rnd(2) ? g_test_rand_int() : rnd(0x600);
            } while (opcode == VIRTIO_CRYPTO_CIPHER_ENCRYPT ||
                     opcode == VIRTIO_CRYPTO_CIPHER_DECRYPT ||
                     (opcode >= VIRTIO_CRYPTO_AKCIPHER_ENCRYPT &&
                      opcode <= VIRTIO_CRYPTO_AKCIPHER_VERIFY));
            /* read as a hash, MAC or AEAD request, it may be good */
            if (opcode == VIRTIO_CRYPTO_HASH || opcode == VIRTIO_CRYPTO_MAC ||
                opcode == VIRTIO_CRYPTO_AEAD_ENCRYPT ||
                opcode == VIRTIO_CRYPTO_AEAD_DECRYPT) {
                q->expect = EXP_ANY;
            }
            break;
        default:            /* no operation, or one that does not exist */
            op_type = rnd(2) ? VIRTIO_CRYPTO_SYM_OP_NONE :
                      3 + rnd(1000);
            break;
        }
    }
    len = MIN(len, DATA_MAX);
    iv_len = MIN(iv_len, 64);
    h.header.opcode = cpu_to_le32(opcode);
    h.header.session_id = cpu_to_le64(id);
    h.u.sym_req.op_type = cpu_to_le32(op_type);
    p->iv_len = cpu_to_le32(iv_len);
    p->src_data_len = cpu_to_le32(len);
    p->dst_data_len = cpu_to_le32(len);
    memcpy(s + HDR_OFF, &h, sizeof(h));
    fill_random(s + IV_OFF, iv_len);
    fill_random(s + SRC_OFF, len);

    desc(f, r, k++, HDR_OFF, sizeof(h), false, true);
    if (iv_len) {
        desc(f, r, k++, IV_OFF, iv_len, false, true);
    }
    if (len) {
        desc(f, r, k++, SRC_OFF, len, false, true);
        desc(f, r, k++, DST_OFF, len, true, true);
    }
    desc(f, r, k, ST_OFF, 1, true, false);
    q->len = len;
    q->writable = len + 1;
    f->n++;
}

static void ctrl_req(Fuzz *f, bool spoilt)
{
    unsigned r = f->n;
    struct virtio_crypto_op_ctrl_req h = { 0 };
    struct virtio_crypto_cipher_session_para *p =
        &h.u.sym_create_session.u.cipher.para;
    uint8_t *s = slot(f, r);
    uint32_t key_len = 0;
    unsigned kind = rnd(100), i;
    int ai = rnd(ARRAY_SIZE(algs));
    Req *q;

    /* a spoilt close may or may not close: the test would lose track */
    if (!spoilt && ((kind < 35 && f->nlive) ||
                    f->nlive > ARRAY_SIZE(f->live) - 8)) {
        /* close a live session */
        q = new_req(f, EXP_OK);
        q->ctrl_destroy = true;
        i = rnd(f->nlive);
        h.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_CIPHER_DESTROY_SESSION);
        h.u.destroy_session.session_id = cpu_to_le64(f->live[i].id);
        q->closing = f->live[i];
        forget_live(f, i);
    } else if (kind < 50) {
        /* close a session that is not there */
        q = new_req(f, EXP_ERROR);
        q->ctrl_destroy = true;
        h.header.opcode = cpu_to_le32(rnd(8) ?
                                      VIRTIO_CRYPTO_CIPHER_DESTROY_SESSION :
                                      VIRTIO_CRYPTO_HASH_DESTROY_SESSION);
        h.u.destroy_session.session_id = cpu_to_le64(pick_bad_id(f));
    } else if (kind < 90) {
        /* create: good, or bad algorithm, key length or direction */
        const Alg *a = &algs[ai];
        uint32_t alg = a->virtio_alg, dir;
        bool enc = rnd(2);

        q = new_req(f, EXP_ANY);
        q->ctrl_create = true;
        key_len = a->key_len;
        dir = enc ? VIRTIO_CRYPTO_OP_ENCRYPT : VIRTIO_CRYPTO_OP_DECRYPT;
        switch (rnd(8)) {
        case 0:
            alg = rnd(2) ? rnd(64) : g_test_rand_int();
            key_len = rnd(65);
            break;
        case 1:
            key_len = rnd(2) ? rnd(65) : 65 + rnd(1 << 20);
            break;
        case 2:
            dir = rnd(2) ? 0 : 3 + g_test_rand_int();
            break;
        default:
            if (spoilt) {
                break;
            }
            /* a good one: it may still find the table full */
            q->new_sess.alg = ai;
            q->new_sess.encrypt = enc;
            q->sess_alg = ai;
            break;
        }
        /*
         * A session the device made but could not report would stay in
         * the backend for good, unknown to the test, and fill the table:
         * spoilt creates get a key length no algorithm has.
         */
        while (spoilt && (key_len == 16 || key_len == 24 || key_len == 32 ||
                          key_len == 64)) {
            key_len = rnd(64);
        }
        h.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
        h.header.algo = cpu_to_le32(alg);
        /* (chaining reads other fields: see spoil()) */
        h.u.sym_create_session.op_type =
            cpu_to_le32(rnd(10) ? VIRTIO_CRYPTO_SYM_OP_CIPHER :
                        rnd(2) ? VIRTIO_CRYPTO_SYM_OP_NONE : 3 + rnd(100));
        p->algo = cpu_to_le32(alg);
        p->keylen = cpu_to_le32(key_len);
        p->op = cpu_to_le32(dir);
        if (key_len > 64) {
            key_len = 0;        /* refused before the key is read */
        }
        memcpy(s + IV_OFF, f->keys[ai], MIN(key_len, 64));
        if (key_len > a->key_len) {
            fill_random(s + IV_OFF + a->key_len, key_len - a->key_len);
        }
    } else if (kind < 97) {
        /* a hash, MAC or AEAD session: good, or bad lengths or algorithm */
        bool aead = rnd(3) == 0, enc = rnd(2);
        int ui = rnd(aead ? ARRAY_SIZE(aead_algs) : ARRAY_SIZE(auth_algs));
        const AuthAlg *a = &auth_algs[ui];
        const AeadAlg *g = &aead_algs[ui % ARRAY_SIZE(aead_algs)];
        uint32_t algo = aead ? g->virtio_alg : a->virtio_alg;
        uint32_t rlen = aead ? 16 : a->digest_len;
        bool good = !spoilt && rnd(3);

        /* a good one: it may still find the table full */
        q = new_req(f, EXP_ANY);
        q->ctrl_create = true;
        key_len = aead ? g->key_len : f->auth_key_len[ui];
        if (!good) {
            switch (rnd(4)) {
            case 0:
                algo = rnd(2) ? rnd(64) : g_test_rand_int();
                break;
            case 1:
                key_len = rnd(2) ? rnd(65) : 65 + rnd(1 << 20);
                break;
            default:
                rlen = rnd(2) ? rnd(80) : g_test_rand_int();
                break;
            }
            /* spoilt: never a session the test could not close */
            rlen = spoilt ? 0 : rlen;
        } else {
            q->new_sess.auth = aead ? -1 : ui;
            q->new_sess.aead = aead ? ui : -1;
            q->new_sess.encrypt = enc;
            q->sess_auth = q->new_sess.auth;
            q->sess_aead = q->new_sess.aead;
        }
        if (aead) {
            struct virtio_crypto_aead_session_para *ap =
                &h.u.aead_create_session.para;

            h.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_AEAD_CREATE_SESSION);
            ap->algo = cpu_to_le32(algo);
            ap->key_len = cpu_to_le32(key_len);
            ap->hash_result_len = cpu_to_le32(rlen);    /* tag_len */
            ap->aad_len = cpu_to_le32(rnd(64));
            ap->op = cpu_to_le32(enc ? VIRTIO_CRYPTO_OP_ENCRYPT :
                                 VIRTIO_CRYPTO_OP_DECRYPT);
        } else if (a->service == VIRTIO_CRYPTO_SERVICE_HASH) {
            h.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_HASH_CREATE_SESSION);
            h.u.hash_create_session.para.algo = cpu_to_le32(algo);
            h.u.hash_create_session.para.hash_result_len = cpu_to_le32(rlen);
            key_len = 0;
        } else {
            struct virtio_crypto_mac_session_para *mp =
                &h.u.mac_create_session.para;

            h.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_MAC_CREATE_SESSION);
            mp->algo = cpu_to_le32(algo);
            mp->hash_result_len = cpu_to_le32(rlen);
            mp->auth_key_len = cpu_to_le32(key_len);
        }
        if (key_len > 64) {
            key_len = 0;        /* refused before the key is read */
        }
        memcpy(s + IV_OFF, aead ? f->aead_keys[ui % ARRAY_SIZE(aead_algs)] :
               f->auth_keys[ui], MIN(key_len, aead ? 32 : 64));
    } else {
        /* opcodes no service has */
        q = new_req(f, EXP_ERROR);
        q->ctrl_create = true;
        h.header.opcode = cpu_to_le32(0x1000 + rnd(0x1000));
    }
    memcpy(s + HDR_OFF, &h, sizeof(h));
    desc(f, r, 0, HDR_OFF, sizeof(h), false, true);
    if (key_len) {
        desc(f, r, 1, IV_OFF, key_len, false, true);
    }
    if (q->ctrl_destroy) {
        desc(f, r, key_len ? 2 : 1, ST_OFF, 1, true, false);
        q->writable = 1;
    } else {
        desc(f, r, key_len ? 2 : 1, ST_OFF,
             sizeof(struct virtio_crypto_session_input), true, false);
        q->writable = sizeof(struct virtio_crypto_session_input);
        q->st_off = ST_OFF + offsetof(struct virtio_crypto_session_input,
                                      status);
    }
    f->n++;
}

/*
 * Where a spoilt request's status went: the device writes a data
 * request's status to the last byte of the chain's last descriptor, and
 * a control request's answer at the start of its device-writable part.
 * False if that is not in a whole descriptor of our slot.
 */
static bool status_of_spoilt(Fuzz *f, Req *q, bool ctrl)
{
    unsigned k = 0, n = 0, first_w = DESC_PER_REQ;
    struct vring_desc *d;
    uint64_t a;
    uint32_t len;

    for (;;) {
        d = desc_at(f, 0, k);
        if (le16_to_cpu(d->flags) & VRING_DESC_F_WRITE &&
            first_w == DESC_PER_REQ) {
            first_w = k;
        }
        if (!(le16_to_cpu(d->flags) & VRING_DESC_F_NEXT)) {
            break;
        }
        k = le16_to_cpu(d->next);
        if (k >= DESC_PER_REQ || ++n > DESC_PER_REQ) {
            return false;
        }
    }
    if (ctrl) {
        if (first_w != k) {
            return false;       /* the answer may span descriptors */
        }
        q->writable = le32_to_cpu(d->len);
        a = le64_to_cpu(d->addr) + (q->ctrl_create ? 8 : 0);
        len = q->ctrl_create ? 4 : 1;
    } else {
        if (!le32_to_cpu(d->len)) {
            return false;
        }
        a = le64_to_cpu(d->addr) + le32_to_cpu(d->len) - 1;
        len = 1;
        q->writable = UINT32_MAX;
    }
    if (a < f->data || a + len > f->data + SLOT ||
        !(le16_to_cpu(d->flags) & VRING_DESC_F_WRITE)) {
        return false;
    }
    q->st_off = a - f->data;
    return true;
}

/*
 * One request the device may take as a broken driver: built well, then
 * spoilt in one way.  Returns a head index for the avail ring (possibly
 * a bad one) and may ask for a bad avail index jump.
 */
static uint16_t spoil(Fuzz *f, bool ctrl, uint16_t *jump)
{
    struct vring_desc *d;
    uint8_t *s = slot(f, 0);
    unsigned k, last;
    uint16_t head = 0;
    Req *q;

    if (ctrl) {
        ctrl_req(f, true);
    } else {
        data_req(f);
    }
    q = &f->req[0];
    q->expect = EXP_MAY_BREAK;
    for (last = 0; le16_to_cpu(desc_at(f, 0, last)->flags) &
         VRING_DESC_F_NEXT; last++) {
        /* find the chain's end */
    }
    d = desc_at(f, 0, rnd(last + 1));
    switch (rnd(16)) {
    case 0:             /* short header */
        desc_at(f, 0, 0)->len = cpu_to_le32(rnd(72));
        break;
    case 1:             /* nothing for the device to write */
        for (k = 0; k <= last; k++) {
            desc_at(f, 0, k)->flags &= ~cpu_to_le16(VRING_DESC_F_WRITE);
        }
        break;
    case 2:             /* nothing to read */
        for (k = 0; k <= last; k++) {
            desc_at(f, 0, k)->flags |= cpu_to_le16(VRING_DESC_F_WRITE);
        }
        break;
    case 3:             /* no room for the status */
        desc_at(f, 0, last)->len = 0;
        break;
    case 4:             /* huge counts (IV, source, destination, key) */
        stl_le_p(s + 24 + 4 * rnd(3), rnd(2) ? g_test_rand_int() :
                 0xffffffff - rnd(64));
        break;
    case 5:             /* lying lengths: a descriptor shorter or longer */
        d->len = cpu_to_le32(rnd(2) ? rnd(le32_to_cpu(d->len) + 1) :
                             le32_to_cpu(d->len) + rnd(16));
        break;
    case 6:             /* src and dst lengths differ, or any field */
        s[rnd(72)] = g_test_rand_int();
        break;
    case 7:             /* next points outside the table */
        d->flags |= cpu_to_le16(VRING_DESC_F_NEXT);
        d->next = cpu_to_le16(f->size + rnd(0x10000 - f->size));
        break;
    case 8:             /* a loop */
        d->flags |= cpu_to_le16(VRING_DESC_F_NEXT);
        d->next = cpu_to_le16(rnd(last + 1));
        break;
    case 9:             /* writable before readable */
        desc_at(f, 0, 0)->flags |= cpu_to_le16(VRING_DESC_F_WRITE);
        break;
    case 10:            /* memory that is not RAM, or wraps around */
        d->addr = cpu_to_le64(rnd(2) ? 0xfffffffffffff000ULL + rnd(4096) :
                              0xfee00000 + rnd(0x100000));
        break;
    case 11:            /* a huge descriptor */
        d->len = cpu_to_le32(0x80000000u + rnd(0x7fffffff));
        break;
    case 12:            /* head index out of range */
        head = f->size + rnd(0x10000 - f->size);
        break;
    case 13:            /* avail index moved by more than the ring */
        *jump = f->size + 1 + rnd(0x8000);
        break;
    case 14:            /* algorithm chaining / akcipher with junk */
        if (ctrl) {
            stl_le_p(s, rnd(2) ? VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION :
                     VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
            fill_random(s + 24, 48);
            if (rnd(2)) {
                /* op_type: last field of the sym session request */
                stl_le_p(s + 24 + 56 - 8,
                         VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING);
            }
        } else if (rnd(2)) {
            fill_random(s + 24, 40);
            stl_le_p(s + 64, VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING);
        } else {
            stl_le_p(s, VIRTIO_CRYPTO_AKCIPHER_ENCRYPT + rnd(4));
            fill_random(s + 24, 48);
        }
        break;
    default:            /* a destination shorter than the data */
        if (!ctrl && q->len) {
            desc_at(f, 0, last - 1)->len = cpu_to_le32(rnd(q->len));
        } else {
            d->len = cpu_to_le32(rnd(le32_to_cpu(d->len) + 1));
        }
        break;
    }
    /* the result is not checked; only that it is a valid answer */
    q->sess_alg = ctrl ? q->sess_alg : -1;
    q->sess_auth = ctrl ? q->sess_auth : -1;
    q->sess_aead = ctrl ? q->sess_aead : -1;
    q->new_sess = SESS_UNKNOWN;
    q->st_unknown = !status_of_spoilt(f, q, ctrl);
    return head;
}

/* ---- running a round --------------------------------------------------- */

static bool valid_status(uint32_t st)
{
    return st <= VIRTIO_CRYPTO_KEY_REJECTED;
}

static void check_answer(Fuzz *f, unsigned r, uint32_t used_len)
{
    Req *q = &f->req[r];
    uint8_t *s = slot(f, r);
    uint32_t st = s[q->st_off];

    f->answered++;
    if (q->st_unknown) {
        return;
    }
    g_assert_cmpuint(used_len, <=, q->writable);
    if (q->ctrl_create) {
        st = ldl_le_p(s + q->st_off);
    }
    if (st == NO_ANSWER || !valid_status(st)) {
        g_test_message("request %u: status 0x%x (expect %d)", r, st,
                       q->expect);
    }
    g_assert_true(valid_status(st));
    if (st != VIRTIO_CRYPTO_OK) {
        f->errors++;
        g_assert_cmpint(q->expect, !=, EXP_OK);
        if (q->closing.id) {
            f->live[f->nlive++] = q->closing;   /* spoilt: still open */
        }
        return;
    }
    f->oks++;
    if (q->expect == EXP_ERROR) {
        g_autoptr(GString) hex = g_string_new("");
        unsigned i;

        for (i = 0; i < 72; i++) {
            g_string_append_printf(hex, "%02x", s[i]);
        }
        g_test_message("request %u: OK, expected an error: %s (ctrl %d/%d)",
                       r, hex->str, q->ctrl_create, q->ctrl_destroy);
    }
    g_assert_cmpint(q->expect, !=, EXP_ERROR);
    if (q->ctrl_create) {
        Sess n = q->new_sess;

        /* a bad create the backend took anyway: only to be closed */
        if (q->sess_alg < 0 && q->sess_auth < 0 && q->sess_aead < 0) {
            n = SESS_UNKNOWN;
        }
        n.id = ldq_le_p(s + q->st_off - 8);
        g_assert_cmpuint(f->nlive, <, ARRAY_SIZE(f->live));
        f->live[f->nlive++] = n;
    } else if (!q->ctrl_create && !q->ctrl_destroy && q->sess_alg >= 0 &&
               q->len) {
        const Alg *a = &algs[q->sess_alg];
        uint8_t ref[DATA_MAX];

        ossl_crypt(a, q->sess_encrypt, f->keys[q->sess_alg], s + IV_OFF,
                   s + SRC_OFF, ref, q->len);
        g_assert_cmpmem(s + DST_OFF, q->len, ref, q->len);
    } else if (!q->ctrl_create && !q->ctrl_destroy && q->sess_auth >= 0) {
        const AuthAlg *a = &auth_algs[q->sess_auth];
        uint8_t ref[64];

        f->auth_checked++;
        ossl_digest(a, f->auth_keys[q->sess_auth],
                    f->auth_key_len[q->sess_auth], s + SRC_OFF, q->len, ref);
        g_assert_cmpmem(s + DST_OFF, a->digest_len, ref, a->digest_len);
    } else if (!q->ctrl_create && !q->ctrl_destroy && q->sess_aead >= 0) {
        const AeadAlg *g = &aead_algs[q->sess_aead];
        uint8_t ref[DATA_MAX + 16];
        uint32_t len = q->sess_encrypt ? q->len : q->len - 16;

        f->auth_checked++;

        g_assert_true(ossl_aead(g, q->sess_encrypt, f->aead_keys[q->sess_aead],
                                s + IV_OFF, 12, s + SRC_OFF + q->len,
                                q->aad_len, s + SRC_OFF, len, ref,
                                q->sess_encrypt ? ref + len :
                                s + SRC_OFF + len, 16));
        g_assert_cmpmem(s + DST_OFF, len, ref, len);
        if (q->sess_encrypt) {
            g_assert_cmpmem(s + DST_OFF + len, 16, ref + len, 16);
        }
    }
}

static void dump_round(Fuzz *f)
{
    unsigned r, k;

    for (r = 0; r < f->n; r++) {
        g_autoptr(GString) str = g_string_new("");

        for (k = 0; k < DESC_PER_REQ; k++) {
            struct vring_desc *d = desc_at(f, r, k);

            g_string_append_printf(str, " [%" PRIx64 " %u %x %u]",
                                   (uint64_t)(le64_to_cpu(d->addr) - f->data),
                                   le32_to_cpu(d->len), le16_to_cpu(d->flags),
                                   le16_to_cpu(d->next));
            if (!(le16_to_cpu(d->flags) & VRING_DESC_F_NEXT)) {
                break;
            }
        }
        g_test_message("request %u: expect %d, header %08x%s", r,
                       f->req[r].expect, ldl_le_p(slot(f, r)), str->str);
    }
}

/*
 * The avail index moved past the ring.  QEMU pops what the ring seems to
 * hold: ours first, then old entries (the device model does not check how
 * far the index moved before it pops), until one is bad or it caught up.
 * Wait for either, check the answer to ours if there is one, and reset:
 * the device's idea of the ring is no longer the test's.
 */
static void run_jump(Fuzz *f, unsigned qi, uint16_t start, uint16_t jump)
{
    QVirtQueue *vq = f->vq[qi];
    gint64 t0 = g_get_monotonic_time();
    uint16_t idx;

    for (;;) {
        idx = qtest_readw(f->qts, vq->used + 2);
        if (idx == (uint16_t)(start + jump) || needs_reset(f)) {
            break;
        }
        g_assert_cmpint(g_get_monotonic_time() - t0, <=, TIMEOUT_US);
    }
    idx = qtest_readw(f->qts, vq->used + 2);
    if (idx != start) {
        uint32_t id = qtest_readl(f->qts, vq->used + 4 +
                                  8 * (start % f->size));

        g_assert_cmpuint(id, ==, 0);
        qtest_bufread(f->qts, f->data, f->buf, SLOT);
        check_answer(f, 0, qtest_readl(f->qts, vq->used + 8 +
                                       8 * (start % f->size)));
    } else {
        f->broken_alone++;
    }
    if (f->req[0].closing.id && idx == start) {
        f->live[f->nlive++] = f->req[0].closing;
    }
    fuzz_reset(f);
}

/*
 * Publish the round on queue qi, notify once, wait until every request
 * is used (or, if allowed, the device needs a reset), check the answers.
 */
static void run_round(Fuzz *f, unsigned qi, uint16_t bad_head, uint16_t jump)
{
    QVirtQueue *vq = f->vq[qi];
    size_t dsz = f->size * sizeof(struct vring_desc);
    uint16_t start = f->avail_idx[qi], want, idx;
    gint64 t0 = g_get_monotonic_time();
    bool may_break = f->n == 1 && f->req[0].expect == EXP_MAY_BREAK;
    g_autofree uint8_t *used = NULL;
    bool seen[ARRAY_SIZE(f->req)] = { false };
    unsigned i, polls = 0;

    /* avail ring: flags, idx, ring[], used_event (host order: LE here) */
    for (i = 0; i < f->n; i++) {
        stw_le_p(f->ring + dsz + 4 + 2 * ((start + i) % f->size),
                 i ? i * DESC_PER_REQ : bad_head);
    }
    want = start + f->n;
    stw_le_p(f->ring + dsz, 0);
    stw_le_p(f->ring + dsz + 2, jump ? start + jump : want);
    qtest_bufwrite(f->qts, f->data, f->buf, f->n * SLOT);
    qtest_bufwrite(f->qts, vq->desc, f->ring, f->ring_len);
    f->avail_idx[qi] = want;
    f->vdev->bus->virtqueue_kick(f->vdev, vq);
    f->requests += f->n;

    if (jump) {
        run_jump(f, qi, start, jump);
        return;
    }
    for (;;) {
        idx = qtest_readw(f->qts, vq->used + 2);
        if (idx == want) {
            break;
        }
        /* the device answers in order here, never more than was given */
        g_assert_cmpuint((uint16_t)(idx - start), <, f->n);
        if (++polls % 16 == 0 && needs_reset(f)) {
            if (!may_break) {
                g_test_message("queue %u: device broken after %u of %u "
                               "well-formed requests", qi,
                               (uint16_t)(idx - start), f->n);
                dump_round(f);
                for (i = 0; i <= NQ; i++) {
                    g_test_message("q%u avail idx %u used idx %u local %u",
                                   i, qtest_readw(f->qts, f->vq[i]->avail + 2),
                                   qtest_readw(f->qts, f->vq[i]->used + 2),
                                   f->avail_idx[i]);
                }
                g_test_message("start %u resets %" PRIu64, start, f->resets);
            }
            g_assert_true(may_break);
            break;
        }
        if (g_get_monotonic_time() - t0 > TIMEOUT_US) {
            g_test_message("queue %u: %u of %u requests unanswered, "
                           "device not broken", qi,
                           (uint16_t)(want - idx), f->n);
            g_assert_not_reached();
        }
    }

    used = g_malloc(4 + 8 * f->size);
    qtest_bufread(f->qts, vq->used, used, 4 + 8 * f->size);
    qtest_bufread(f->qts, f->data, f->buf, f->n * SLOT);
    for (i = start; i != idx; i++) {
        const uint8_t *e = used + 4 + 8 * (i % f->size);
        uint32_t id = ldl_le_p(e), r = id / DESC_PER_REQ;

        g_assert_cmpuint(id % DESC_PER_REQ, ==, 0);
        g_assert_cmpuint(r, <, f->n);
        g_assert_false(seen[r]);
        seen[r] = true;
        check_answer(f, r, ldl_le_p(e + 4));
    }
    f->used_idx[qi] = idx;
    if (idx != want) {
        f->broken_alone++;
        if (f->req[0].closing.id) {
            f->live[f->nlive++] = f->req[0].closing;
        }
        fuzz_reset(f);
    }
}

static void fuzz_round(Fuzz *f)
{
    unsigned qi = rnd(NQ + 1), n, i;
    bool ctrl = qi == NQ;
    uint16_t head = 0, jump = 0;

    begin(f);
    if (!rnd(6)) {
        head = spoil(f, ctrl, &jump);
    } else {
        /* the ctrl queue: few requests, so the table churns */
        n = ctrl ? 1 + rnd(MAX_SESSIONS) : f->max_batch;
        for (i = 0; i < n; i++) {
            if (ctrl) {
                ctrl_req(f, false);
            } else {
                data_req(f);
            }
        }
    }
    run_round(f, qi, head, jump);
}

static void test_fuzz(const void *opts)
{
    const char *env = g_getenv("CRYPTODEV_FUZZ_SECONDS");
    const char *min = g_getenv("CRYPTODEV_FUZZ_MIN");
    double seconds = env ? g_ascii_strtod(env, NULL) : 10;
    Fuzz *f = fuzz_start(opts);
    g_autoptr(GTimer) t = g_timer_new();
    double el;

    while (g_timer_elapsed(t, NULL) < seconds) {
        fuzz_round(f);
    }
    el = g_timer_elapsed(t, NULL);
    g_test_message("fuzz%s: %" PRIu64 " requests in %.1f s (%.0f/s): "
                   "%" PRIu64 " answered (%" PRIu64 " OK, %" PRIu64
                   " errors; %" PRIu64 " hash/MAC/AEAD results checked), %"
                   PRIu64 " broke the device alone, %" PRIu64 " resets",
                   (const char *)opts, f->requests, el, f->requests / el,
                   f->answered, f->oks, f->errors, f->auth_checked,
                   f->broken_alone, f->resets);
    g_assert_cmpuint(f->requests, >=, min ? g_ascii_strtoull(min, NULL, 0) :
                     1);
    /* every request but those that broke the device was answered */
    g_assert_cmpuint(f->answered + f->broken_alone, ==, f->requests);
    /* and the good ones kept coming (the session table did not fill) */
    g_assert_cmpuint(f->oks, >, f->requests / 4);
    g_assert_cmpuint(f->auth_checked, >, 0);
    fuzz_stop(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    /* small requests run in the main loop by default; also all in workers */
    qtest_add_data_func("/cryptodev-host-fuzz/inline", FUZZ_OPTS, test_fuzz);
    qtest_add_data_func("/cryptodev-host-fuzz/workers",
                        FUZZ_OPTS ",inline-max=0", test_fuzz);
    /*
     * The backend works on the guest's pages (patches/2050): also with
     * the virtqueues in an iothread, and the copying path still fuzzed
     */
    qtest_add_data_func("/cryptodev-host-fuzz/iothread",
                        FUZZ_OPTS " -object iothread,id=io0 "
                        "-global virtio-crypto-pci.iothread=io0", test_fuzz);
    qtest_add_data_func("/cryptodev-host-fuzz/copies",
                        FUZZ_OPTS ",inline-max=0 -global "
                        "virtio-crypto-pci.x-scatter-gather=off", test_fuzz);
    return g_test_run();
}
