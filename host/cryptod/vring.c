// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Data queues: split virtqueues in guest memory, one thread each.  The
 * thread sleeps on the kick eventfd, runs every available request, and
 * after activity polls the ring a bounded time before sleeping again
 * (--poll-us; --poll never sleeps).
 *
 * Everything the guest wrote is read once into a local copy and checked
 * there: descriptor indexes, chain length (loops), address ranges against
 * the mapped regions, lengths against what the request says.  A request
 * we cannot parse is returned used with length 0; a ring whose avail
 * index runs more than the ring size ahead is stopped until the front
 * end sets it up again.
 *
 * Notifications: QEMU 10.0 does not tell a vhost-user crypto back end the
 * guest's features (its SET_FEATURES carries none of them), so we do not
 * know whether the guest uses VIRTIO_RING_F_EVENT_IDX; we learn it from
 * the ring.  A driver with event indexes must keep the avail flags 0
 * (virtio 1.2, 2.7.7.1), so NO_INTERRUPT there makes it a flag guest for
 * good; a used_event the guest moved while the flags stayed 0 makes it
 * an event-index guest (a Linux driver in flag mode moves used_event too,
 * as it would with event indexes, and asks through it for every
 * interrupt it waits for; it is then a flag guest as soon as it turns
 * interrupts off).  Until either shows we interrupt whenever the flags
 * allow it.  An event-index guest that turned interrupts off (used_event
 * passed, flags 0) so gets none, where interrupting on the flags alone
 * cost it one per request.  For kicks we write both the used flags and
 * the avail event index when we do or do not want them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_crypto.h>

#include "cryptod.h"

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4
#define AVAIL_F_NO_INTERRUPT 1
#define USED_F_NO_NOTIFY 1

/* Bounds on one request: segments after splitting at region ends. */
#define MAX_SEGS 4096
#define MAX_INDIRECT 4096
#define REQ_HDR_LEN sizeof(struct virtio_crypto_op_data_req)
/* A gap between two requests longer than this is not timed (100 ms). */
#define GAP_MAX_NS 100000000ull

typedef struct Desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} Desc;

typedef struct Req Req;
struct Req {
    struct iovec seg[MAX_SEGS];
    unsigned nout, nin;          /* out segments first, then in */
    uint64_t out_bytes, in_bytes;
    uint32_t data_len;           /* the request's own, for the timing */
    Bounce bounce;               /* its thread's, or its own in the pool */
    /* handed to the worker pool */
    PoolJob job;
    Vring *vr;
    uint16_t head;
    Req *next;                   /* in vr->free_reqs */
};

/* Little-endian rings (x86-64 and aarch64 hosts; VERSION_1 or legacy). */
static uint16_t rd16(const uint8_t *p)
{
    return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static void wr16(uint8_t *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}

static void wr32(uint8_t *p, uint32_t v)
{
    __atomic_store_n((uint32_t *)p, v, __ATOMIC_RELAXED);
}

#define AVAIL_FLAGS(vr) ((vr)->avail)
#define AVAIL_IDX(vr) ((vr)->avail + 2)
#define AVAIL_RING(vr, i) ((vr)->avail + 4 + 2 * (size_t)(i))
#define USED_EVENT(vr) AVAIL_RING(vr, (vr)->num)
#define USED_FLAGS(vr) ((vr)->used)
#define USED_IDX(vr) ((vr)->used + 2)
#define USED_RING(vr, i) ((vr)->used + 4 + 8 * (size_t)(i))
#define AVAIL_EVENT(vr) USED_RING(vr, (vr)->num)

/*
 * With VHOST_USER_F_PROTOCOL_FEATURES a ring should start disabled until
 * SET_VRING_ENABLE.  QEMU 10.0's cryptodev-vhost-user negotiates that
 * feature but never sends SET_VRING_ENABLE (vhost_dev_set_vring_enable()
 * looks at backend_features, which it leaves empty), so a ring it never
 * enabled or disabled runs once it has its kick; an explicit
 * SET_VRING_ENABLE, 0 or 1, is obeyed.
 */
bool vring_ready(const Vring *vr)
{
    const Daemon *d = vr->d;
    bool proto = d->features & 1ull << VU_F_PROTOCOL_FEATURES;

    return vr->num_set && vr->addr_set && vr->kick_set && d->mem.n &&
           (vr->enabled || !proto || !vr->enable_seen);
}

/* Add a guest-physical range, split at region ends, as segments. */
static int add_range(const MemTable *m, Req *r, uint64_t gpa, uint32_t len,
                     bool in)
{
    while (len) {
        const MemRegion *reg = NULL;
        struct iovec *v;
        uint64_t take;

        for (unsigned i = 0; i < m->n; i++) {
            if (gpa >= m->r[i].gpa && gpa - m->r[i].gpa < m->r[i].size) {
                reg = &m->r[i];
                break;
            }
        }
        if (!reg) {
            return -1;
        }
        take = reg->size - (gpa - reg->gpa);
        if (take > len) {
            take = len;
        }
        /*
         * A piece that goes on where the last one of its side ended is
         * that segment's (guest pages that are contiguous): fewer, longer
         * segments run in place and in fewer provider calls.
         */
        v = r->nout + r->nin ? &r->seg[r->nout + r->nin - 1] : NULL;
        if (v && (in ? r->nin > 0 : r->nin == 0) &&
            (uint8_t *)v->iov_base + v->iov_len ==
            reg->host + (gpa - reg->gpa)) {
            v->iov_len += take;
        } else if (r->nout + r->nin >= MAX_SEGS) {
            return -1;
        } else {
            v = &r->seg[r->nout + r->nin];
            v->iov_base = reg->host + (gpa - reg->gpa);
            v->iov_len = take;
            *(in ? &r->nin : &r->nout) += 1;
        }
        if (in) {
            r->in_bytes += take;
        } else {
            r->out_bytes += take;
        }
        len -= take;
        if (__builtin_add_overflow(gpa, take, &gpa)) {
            return len ? -1 : 0;
        }
    }
    return 0;
}

/*
 * Walk the chain at head into r.  Indirect tables only at the head (as
 * QEMU's own device model takes them), never nested; at most num (or the
 * table's size) descriptors, which also ends loops; readable ones before
 * writable ones.  Returns 0 or -1 (malformed).
 */
static int walk(Vring *vr, uint16_t head, Req *r)
{
    const MemTable *m = &vr->d->mem;
    const uint8_t *table = vr->desc;
    uint32_t tlen = vr->num, budget = vr->num;
    uint32_t idx = head;
    bool first = true;
    Desc dc;

    r->nout = r->nin = 0;
    r->out_bytes = r->in_bytes = 0;
    for (;;) {
        if (idx >= tlen || budget-- == 0) {
            return -1;
        }
        memcpy(&dc, table + 16 * (size_t)idx, sizeof(dc));
        if (dc.flags & DESC_F_INDIRECT) {
            if (!first || (dc.flags & DESC_F_NEXT) || dc.len == 0 ||
                dc.len % 16 || dc.len / 16 > MAX_INDIRECT) {
                return -1;
            }
            table = mem_gpa(m, dc.addr, dc.len);
            if (!table) {
                return -1;
            }
            tlen = budget = dc.len / 16;
            idx = 0;
            first = false;
            continue;
        }
        first = false;
        if (dc.flags & DESC_F_WRITE) {
            if (add_range(m, r, dc.addr, dc.len, true) < 0) {
                return -1;
            }
        } else {
            if (r->nin || add_range(m, r, dc.addr, dc.len, false) < 0) {
                return -1;
            }
        }
        if (!(dc.flags & DESC_F_NEXT)) {
            return 0;
        }
        idx = dc.next;
    }
}

/*
 * Copy len bytes at byte offset off of segments v[0..n) into buf (or out
 * of buf when to_segs); the range has been checked to exist.
 */
static void copy_segs(struct iovec *v, unsigned n, uint64_t off,
                      uint8_t *buf, size_t len, bool to_segs)
{
    for (unsigned i = 0; i < n && len; i++) {
        size_t take;

        if (off >= v[i].iov_len) {
            off -= v[i].iov_len;
            continue;
        }
        take = v[i].iov_len - off;
        if (take > len) {
            take = len;
        }
        if (to_segs) {
            memcpy((uint8_t *)v[i].iov_base + off, buf, take);
        } else {
            memcpy(buf, (uint8_t *)v[i].iov_base + off, take);
        }
        buf += take;
        len -= take;
        off = 0;
    }
}

/* The range [off, off+len) as one pointer if one segment holds it. */
static uint8_t *direct(struct iovec *v, unsigned n, uint64_t off, size_t len)
{
    for (unsigned i = 0; i < n; i++) {
        if (off < v[i].iov_len) {
            return len <= v[i].iov_len - off ?
                   (uint8_t *)v[i].iov_base + off : NULL;
        }
        off -= v[i].iov_len;
    }
    return NULL;
}

static uint8_t *bounce(Bounce *b, size_t len)
{
    if (len > b->cap) {
        uint8_t *p = realloc(b->buf, len);

        if (!p) {
            return NULL;
        }
        b->buf = p;
        b->cap = len;
    }
    return b->buf;
}

static uint32_t ld32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return le32toh(v);
}

/*
 * The segments v[0..n) from byte offset off on, as a HostCryptoIov: the
 * segment holding off is cut to start there (v is the request's own copy).
 */
static HostCryptoIov from_off(struct iovec *v, unsigned n, uint64_t off)
{
    unsigned i = 0;

    while (i < n && off >= v[i].iov_len) {
        off -= v[i++].iov_len;
    }
    if (i < n) {
        v[i].iov_base = (uint8_t *)v[i].iov_base + off;
        v[i].iov_len -= off;
    }
    return (HostCryptoIov){ .iov = v + i, .cnt = n - i };
}

/*
 * One cipher request, r walked; returns the virtio-crypto status.  The
 * data stay where the guest has them, in one piece or scattered (the
 * provider library runs a scattered request segment by segment).
 */
static uint8_t cipher_req(Vring *vr, Req *r, const uint8_t *hdr,
                          uint64_t sess)
{
    const struct virtio_crypto_op_data_req *q = (const void *)hdr;
    const struct virtio_crypto_cipher_para *p =
        &q->u.sym_req.u.cipher.para;
    uint32_t op_type = ld32((const uint8_t *)&q->u.sym_req.op_type);
    uint32_t iv_len, src_len, dst_len;
    uint8_t iv[HOSTCRYPTO_MAX_IV_LEN];
    HostCryptoIov src, dst;
    uint8_t status;

    if (op_type == VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING) {
        return VIRTIO_CRYPTO_NOTSUPP;
    }
    if (op_type != VIRTIO_CRYPTO_SYM_OP_CIPHER) {
        return VIRTIO_CRYPTO_BADMSG;
    }
    iv_len = ld32((const uint8_t *)&p->iv_len);
    src_len = ld32((const uint8_t *)&p->src_data_len);
    dst_len = ld32((const uint8_t *)&p->dst_data_len);
    r->data_len = src_len;
    if (src_len != dst_len || iv_len > sizeof(iv) ||
        src_len > vr->d->opt.max_len ||
        REQ_HDR_LEN + (uint64_t)iv_len + src_len > r->out_bytes ||
        (uint64_t)dst_len + 1 > r->in_bytes) {
        return VIRTIO_CRYPTO_BADMSG;
    }
    copy_segs(r->seg, r->nout, REQ_HDR_LEN, iv, iv_len, false);
    src = from_off(r->seg, r->nout, REQ_HDR_LEN + iv_len);
    dst = (HostCryptoIov){ .iov = r->seg + r->nout, .cnt = r->nin };
    status = sess_crypt(vr->d, sess, iv, iv_len, &src, &dst, src_len);
    if (status == VIRTIO_CRYPTO_OK) {
        atomic_fetch_add(ld32(hdr) == VIRTIO_CRYPTO_CIPHER_ENCRYPT ?
                         &vr->enc_bytes : &vr->dec_bytes, src_len);
    }
    return status;
}

/*
 * The readable bytes [off, off + len) of r: in place if one piece of
 * guest memory holds them, else copied to buf (len bytes of room).
 */
static const uint8_t *readable(Req *r, uint64_t off, size_t len, uint8_t *buf)
{
    uint8_t *p = direct(r->seg, r->nout, off, len);

    if (p) {
        return p;
    }
    copy_segs(r->seg, r->nout, off, buf, len, false);
    return buf;
}

/*
 * HASH or MAC: hdr | src -> digest | status (the layout and bounds of
 * QEMU's device model, docs/virtio-crypto-device.md): result length 1 to
 * 64 and the session's, the writable part exactly result + 1; ERR if not.
 */
static uint8_t hash_req(Vring *vr, Req *r, const uint8_t *hdr, uint64_t sess,
                        uint32_t service)
{
    uint32_t src_len = ld32(hdr + 24), res_len = ld32(hdr + 28);
    uint8_t digest[HOSTCRYPTO_MAX_DIGEST_LEN];
    const uint8_t *src = NULL;
    uint8_t status;

    r->data_len = src_len;
    if (res_len == 0 || res_len > sizeof(digest) ||
        src_len > vr->d->opt.max_len ||
        REQ_HDR_LEN + (uint64_t)src_len > r->out_bytes ||
        r->in_bytes != (uint64_t)res_len + 1) {
        return VIRTIO_CRYPTO_ERR;
    }
    if (src_len) {
        uint8_t *buf = direct(r->seg, r->nout, REQ_HDR_LEN, src_len) ? NULL :
                       bounce(&r->bounce, src_len);

        if (!buf && !direct(r->seg, r->nout, REQ_HDR_LEN, src_len)) {
            return VIRTIO_CRYPTO_ERR;
        }
        src = readable(r, REQ_HDR_LEN, src_len, buf);
    }
    status = sess_digest(vr->d, sess, service, src, src_len, digest,
                         res_len);
    if (status == VIRTIO_CRYPTO_OK) {
        copy_segs(r->seg + r->nout, r->nin, 0, digest, res_len, true);
        atomic_fetch_add(&vr->enc_bytes, src_len);
    }
    return status;
}

/*
 * AEAD: hdr | iv | src | aad -> dst | status.  Encryption writes the
 * ciphertext and then the tag (src_len + tag_len bytes), decryption takes
 * the tag after the ciphertext in src and writes src_len - tag_len bytes.
 * Decryption goes through our buffer: nothing reaches the guest unless
 * the tag matched.
 */
static uint8_t aead_req(Vring *vr, Req *r, const uint8_t *hdr, uint64_t sess,
                        bool enc)
{
    uint32_t iv_len = ld32(hdr + 24), aad_len = ld32(hdr + 28);
    uint32_t src_len = ld32(hdr + 32), dst_len = ld32(hdr + 36);
    uint32_t tag_len = ld32(hdr + 40);
    uint8_t iv[HOSTCRYPTO_MAX_AEAD_IV_LEN];
    struct iovec *in = r->seg + r->nout;
    uint64_t data_off = REQ_HDR_LEN + (uint64_t)iv_len, out_len, need;
    const uint8_t *src, *aad;
    uint8_t *dst, *b = NULL;
    uint8_t status;

    r->data_len = src_len;
    if (iv_len > sizeof(iv) || tag_len == 0 ||
        tag_len > HOSTCRYPTO_MAX_TAG_LEN ||
        (uint64_t)aad_len + src_len > vr->d->opt.max_len ||
        data_off + src_len + aad_len > r->out_bytes ||
        r->in_bytes != (uint64_t)dst_len + 1 ||
        (enc ? dst_len < (uint64_t)src_len + tag_len :
         src_len < tag_len || dst_len < src_len - tag_len)) {
        return VIRTIO_CRYPTO_ERR;
    }
    out_len = enc ? (uint64_t)src_len + tag_len : src_len - tag_len;
    copy_segs(r->seg, r->nout, REQ_HDR_LEN, iv, iv_len, false);
    src = direct(r->seg, r->nout, data_off, src_len);
    aad = direct(r->seg, r->nout, data_off + src_len, aad_len);
    dst = enc ? direct(in, r->nin, 0, out_len) : NULL;
    need = (src ? 0 : src_len) + (aad ? 0 : aad_len) + (dst ? 0 : out_len);
    if (need) {
        b = bounce(&r->bounce, need);
        if (!b) {
            return VIRTIO_CRYPTO_ERR;
        }
    }
    if (!src) {
        src = readable(r, data_off, src_len, b);
        b += src_len;
    }
    if (!aad) {
        aad = readable(r, data_off + src_len, aad_len, b);
        b += aad_len;
    }
    if (!dst) {
        dst = b;
    }
    status = sess_aead(vr->d, sess, enc, iv, iv_len, aad, aad_len, src, dst,
                       enc ? src_len : src_len - tag_len, tag_len);
    if (status != VIRTIO_CRYPTO_OK) {
        return status;
    }
    if (dst == b) {
        copy_segs(in, r->nin, 0, dst, out_len, true);
    }
    atomic_fetch_add(enc ? &vr->enc_bytes : &vr->dec_bytes, src_len);
    return status;
}

/* Run the chain walked into r; returns the used length. */
static uint32_t run(Vring *vr, Req *r)
{
    uint8_t hdr[REQ_HDR_LEN];
    struct iovec *last;
    uint32_t opcode;
    uint64_t sess;
    uint8_t status;

    if (r->out_bytes < REQ_HDR_LEN) {
        status = VIRTIO_CRYPTO_BADMSG;
        goto done;
    }
    copy_segs(r->seg, r->nout, 0, hdr, sizeof(hdr), false);
    opcode = ld32(hdr);
    memcpy(&sess, hdr + 8, 8);
    sess = le64toh(sess);
    switch (opcode) {
    case VIRTIO_CRYPTO_CIPHER_ENCRYPT:
    case VIRTIO_CRYPTO_CIPHER_DECRYPT:
        status = cipher_req(vr, r, hdr, sess);
        break;
    case VIRTIO_CRYPTO_HASH:
        status = hash_req(vr, r, hdr, sess, VIRTIO_CRYPTO_SERVICE_HASH);
        break;
    case VIRTIO_CRYPTO_MAC:
        status = hash_req(vr, r, hdr, sess, VIRTIO_CRYPTO_SERVICE_MAC);
        break;
    case VIRTIO_CRYPTO_AEAD_ENCRYPT:
    case VIRTIO_CRYPTO_AEAD_DECRYPT:
        status = aead_req(vr, r, hdr, sess,
                          opcode == VIRTIO_CRYPTO_AEAD_ENCRYPT);
        break;
    default:
        status = VIRTIO_CRYPTO_NOTSUPP;
    }
done:
    /* the status is the last byte the guest gave us to write */
    last = &r->seg[r->nout + r->nin - 1];
    ((uint8_t *)last->iov_base)[last->iov_len - 1] = status;
    atomic_fetch_add(&vr->requests, 1);
    return r->in_bytes;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The timing class of a request of len bytes of data. */
static unsigned time_class(uint32_t len)
{
    unsigned c = len ? 31 - __builtin_clz(len) : 0;

    return c < CD_TIME_CLASSES ? c : CD_TIME_CLASSES - 1;
}

static void time_add(atomic_ulong *a, uint64_t v)
{
    atomic_fetch_add_explicit(a, v, memory_order_relaxed);
}

/* old < event + 1 <= new, mod 2^16: the virtio spec's vring_need_event */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* Under used_lock when the pool may complete requests on vr too. */
static void used_lock(Vring *vr)
{
    if (vr->d->pool) {
        pthread_mutex_lock(&vr->used_lock);
    }
}

static void used_unlock(Vring *vr)
{
    if (vr->d->pool) {
        pthread_mutex_unlock(&vr->used_lock);
    }
}

static void push_locked(Vring *vr, uint16_t head, uint32_t len)
{
    uint8_t *u = USED_RING(vr, vr->used_idx % vr->num);

    wr32(u, head);
    wr32(u + 4, len);
    vr->used_idx++;
    __atomic_store_n((uint16_t *)USED_IDX(vr), vr->used_idx,
                     __ATOMIC_RELEASE);
}

static void signal_guest(Vring *vr, uint16_t old_used)
{
    uint16_t flags, event;
    bool want;

    /* our used index must be visible before we read the guest's wishes */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    flags = rd16(AVAIL_FLAGS(vr));
    event = rd16(USED_EVENT(vr));
    /* what the guest does tells its scheme (see the top of the file) */
    if (flags & AVAIL_F_NO_INTERRUPT) {
        vr->notify = NOTIFY_FLAGS;
        want = false;
    } else {
        if (vr->notify == NOTIFY_UNKNOWN && event != vr->used_event_start) {
            vr->notify = NOTIFY_EVENT;
        }
        want = vr->notify != NOTIFY_EVENT ||
               need_event(event, vr->used_idx, old_used);
    }
    vr->last_call_ns = 0;
    if (want) {
        uint64_t one = 1, t = now_ns();

        if (vr->call_fd >= 0 && write(vr->call_fd, &one, 8) == 8) {
            atomic_fetch_add(&vr->calls, 1);
        }
        vr->last_call_ns = now_ns() - t;
        time_add(&vr->call_ns, vr->last_call_ns);
    }
}

/*
 * Interrupt if what was used since the last decision asks for it, in
 * whatever order the ring's thread and the pool pushed it.
 */
static void signal_locked(Vring *vr)
{
    if (vr->used_idx != vr->signalled_used) {
        signal_guest(vr, vr->signalled_used);
        vr->signalled_used = vr->used_idx;
    }
}

static void req_free(Req *r)
{
    if (r) {
        free(r->bounce.buf);
        free(r);
    }
}

/* A pool thread: run the request, complete it, give its Req back. */
static void pool_run(PoolJob *j)
{
    Req *r = (Req *)((uint8_t *)j - offsetof(Req, job));
    Vring *vr = r->vr;
    uint32_t len = run(vr, r);

    atomic_fetch_add(&vr->pooled, 1);
    pthread_mutex_lock(&vr->used_lock);
    push_locked(vr, r->head, len);
    signal_locked(vr);
    r->next = vr->free_reqs;
    vr->free_reqs = r;
    if (--vr->inflight == 0) {
        pthread_cond_broadcast(&vr->idle);
    }
    pthread_mutex_unlock(&vr->used_lock);
}

/*
 * A walked request of --pool-min bytes or more goes to the pool, the
 * ring's thread going on with a fresh Req in *rp; at most two per worker
 * wait per ring (beyond that the ring's thread runs it itself, which also
 * bounds the Reqs we allocate).  Returns whether it was handed over.
 */
static bool hand_off(Vring *vr, Req **rp, uint16_t head)
{
    const Daemon *d = vr->d;
    Req *r = *rp, *next = NULL;
    bool room;

    if (!d->pool || r->out_bytes + r->in_bytes < d->opt.pool_min) {
        return false;
    }
    pthread_mutex_lock(&vr->used_lock);
    room = vr->inflight < 2 * d->opt.workers;
    if (room) {
        next = vr->free_reqs;
        if (next) {
            vr->free_reqs = next->next;
        }
        vr->inflight++;
    }
    pthread_mutex_unlock(&vr->used_lock);
    if (!room) {
        return false;
    }
    if (!next) {
        next = calloc(1, sizeof(*next));
        if (!next) {
            pthread_mutex_lock(&vr->used_lock);
            vr->inflight--;
            pthread_mutex_unlock(&vr->used_lock);
            return false;
        }
    }
    r->vr = vr;
    r->head = head;
    r->job.fn = pool_run;
    pool_submit(d->pool, &r->job);
    *rp = next;
    return true;
}

/* Kicks wanted (before sleeping) or not (while we look anyway). */
static void want_kicks(Vring *vr, bool on)
{
    wr16(USED_FLAGS(vr), on ? 0 : USED_F_NO_NOTIFY);
    /* the next request's index, or one already passed: never reached */
    wr16(AVAIL_EVENT(vr), on ? vr->last_avail : vr->last_avail - 1);
}

/*
 * Runs what is available (big requests maybe in the pool); returns the
 * count, or -1 if the ring is bad.
 */
static int drain(Vring *vr, Req **rp)
{
    uint64_t t = 0;
    VrTiming *last = NULL;
    int n = 0;

    for (;;) {
        uint16_t avail = __atomic_load_n((uint16_t *)AVAIL_IDX(vr),
                                         __ATOMIC_ACQUIRE);
        uint16_t pending = avail - vr->last_avail;

        if (pending > vr->num) {
            cd_log(LOG_ERR_, "queue %u: avail index %u is %u ahead of %u "
                   "entries: ring stopped", vr->index, avail, pending,
                   vr->num);
            n = -1;
            break;
        }
        if (!pending) {
            break;
        }
        t = now_ns();
        while (pending--) {
            uint16_t head = rd16(AVAIL_RING(vr, vr->last_avail % vr->num));
            Req *r = *rp;
            uint32_t len = 0;
            uint64_t t1;

            vr->last_avail++;
            n++;
            r->data_len = 0;
            if (walk(vr, head, r) < 0 || r->in_bytes == 0 ||
                r->in_bytes > UINT32_MAX) {
                atomic_fetch_add(&vr->bad_chains, 1);
            } else if (hand_off(vr, rp, head)) {
                vr->idle_since = 0;
                continue;
            } else {
                len = run(vr, r);
            }
            used_lock(vr);
            push_locked(vr, head, len);
            used_unlock(vr);
            /* this request's time; the interrupt goes to the last one's */
            t1 = now_ns();
            last = &vr->timing[time_class(r->data_len)];
            time_add(&last->n, 1);
            time_add(&last->host_ns, t1 - t);
            /* longer than GAP_MAX_NS: the guest was between runs */
            if (vr->idle_since && t - vr->idle_since < GAP_MAX_NS) {
                time_add(&last->gap_ns, t - vr->idle_since);
                time_add(&last->gaps, 1);
            }
            vr->idle_since = 0;
            if (vr->woke) {
                time_add(&last->woke, 1);
                vr->woke = false;
            }
            t = t1;
        }
    }
    used_lock(vr);
    /* 0 unless this signal writes: the pool's may have covered ours */
    vr->last_call_ns = 0;
    signal_locked(vr);
    /* a gap is the guest's alone when nothing of ours is in the pool */
    if (last) {
        uint64_t t1 = now_ns();

        time_add(&last->host_ns, t1 - t - vr->last_call_ns);
        vr->idle_since = vr->inflight ? 0 : t1;
    }
    used_unlock(vr);
    return n;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static void *vring_thread(void *arg)
{
    Vring *vr = arg;
    const Options *o = &vr->d->opt;
    uint64_t busy_until = 0;
    bool broken = false;
    Req *r = calloc(1, sizeof(*r));

    cd_escape_test(o);
    if (!r) {
        cd_log(LOG_ERR_, "queue %u: out of memory", vr->index);
        broken = true;
    }
    want_kicks(vr, false);
    while (!atomic_load(&vr->stop)) {
        struct pollfd pfd[2] = {
            { .fd = vr->stop_fd, .events = POLLIN },
            { .fd = vr->kick_fd, .events = POLLIN },
        };
        int n = broken ? 0 : drain(vr, &r);

        if (n < 0) {
            broken = true;
        } else if (n > 0) {
            busy_until = now_ns() + o->poll_us * 1000ull;
            continue;
        }
        if (!broken && (o->pure_poll || vr->kick_nofd ||
                        now_ns() < busy_until)) {
            cpu_relax();
            continue;
        }
        if (!broken) {
            want_kicks(vr, true);
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            if (rd16(AVAIL_IDX(vr)) != vr->last_avail) {
                want_kicks(vr, false);
                continue;
            }
        }
        if (poll(pfd, broken ? 1 : 2, -1) < 0 && errno != EINTR) {
            cd_log(LOG_ERR_, "queue %u: poll: %s", vr->index,
                   strerror(errno));
            break;
        }
        if (pfd[1].revents & POLLIN) {
            uint64_t v;

            if (read(vr->kick_fd, &v, 8) == 8) {
                atomic_fetch_add(&vr->kicks, 1);
            }
        }
        vr->woke = true;
        if (!broken) {
            want_kicks(vr, false);
        }
    }
    req_free(r);
    return NULL;
}

/* Map the ring's three parts (the front end's addresses) and start. */
int vring_start(Vring *vr)
{
    const MemTable *m = &vr->d->mem;
    uint64_t n = vr->num;

    vr->desc = mem_uva(m, vr->addr.desc, 16 * n);
    vr->avail = mem_uva(m, vr->addr.avail, 6 + 2 * n);
    vr->used = mem_uva(m, vr->addr.used, 6 + 8 * n);
    if (!vr->desc || !vr->avail || !vr->used ||
        ((uintptr_t)vr->desc & 15) || ((uintptr_t)vr->avail & 1) ||
        ((uintptr_t)vr->used & 3)) {
        cd_log(LOG_ERR_, "queue %u: ring addresses outside guest memory "
               "or misaligned", vr->index);
        return -EINVAL;
    }
    /* carry on from where the guest's used ring is */
    vr->used_idx = vr->signalled_used = rd16(USED_IDX(vr));
    /* a front end that passes the guest's features may tell the scheme */
    vr->notify = vr->d->features & 1ull << VU_F_EVENT_IDX ? NOTIFY_EVENT :
                 NOTIFY_UNKNOWN;
    vr->used_event_start = rd16(USED_EVENT(vr));
    vr->idle_since = 0;
    vr->woke = false;
    atomic_store(&vr->stop, false);
    /* signals are the main thread's: the data thread starts with none */
    sigset_t all, old;
    int e;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    e = pthread_create(&vr->thread, NULL, vring_thread, vr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e) {
        return -e;
    }
    vr->running = true;
    cd_log(LOG_DEBUG_, "queue %u: started, %u entries, base %u", vr->index,
           vr->num, vr->last_avail);
    return 0;
}

void vring_stop(Vring *vr)
{
    uint64_t one = 1;

    if (!vr->running) {
        return;
    }
    atomic_store(&vr->stop, true);
    if (write(vr->stop_fd, &one, 8) != 8) {
        cd_log(LOG_ERR_, "queue %u: cannot wake its thread", vr->index);
    }
    pthread_join(vr->thread, NULL);
    /* its requests in the pool are done before the ring may change */
    pthread_mutex_lock(&vr->used_lock);
    while (vr->inflight) {
        pthread_cond_wait(&vr->idle, &vr->used_lock);
    }
    while (vr->free_reqs) {
        Req *r = vr->free_reqs;

        vr->free_reqs = r->next;
        req_free(r);
    }
    pthread_mutex_unlock(&vr->used_lock);
    if (read(vr->stop_fd, &one, 8) != 8) {
        one = 0;
    }
    vr->running = false;
    cd_log(LOG_DEBUG_, "queue %u: stopped at %u", vr->index, vr->last_avail);
}

void vring_log_timing(const Daemon *d)
{
    unsigned long calls = 0, kicks = 0, call_ns = 0;

    for (unsigned i = 0; i < d->opt.queues; i++) {
        calls += atomic_load(&d->vrings[i].calls);
        kicks += atomic_load(&d->vrings[i].kicks);
        call_ns += atomic_load(&d->vrings[i].call_ns);
    }
    cd_log(LOG_INFO_, "interrupts %lu (write %.1f us each), kicks %lu",
           calls, calls ? call_ns / 1e3 / calls : 0.0, kicks);
    for (unsigned c = 0; c < CD_TIME_CLASSES; c++) {
        unsigned long n = 0, host = 0, gap = 0, gaps = 0, woke = 0;

        for (unsigned i = 0; i < d->opt.queues; i++) {
            const VrTiming *t = &d->vrings[i].timing[c];

            n += atomic_load(&t->n);
            host += atomic_load(&t->host_ns);
            gap += atomic_load(&t->gap_ns);
            gaps += atomic_load(&t->gaps);
            woke += atomic_load(&t->woke);
        }
        if (n) {
            cd_log(LOG_INFO_, "timing: %lu B: %lu requests, host %.1f us, "
                   "gap %.1f us over %lu, %lu after a sleep",
                   c ? 1ul << c : 0, n, host / 1e3 / n,
                   gaps ? gap / 1e3 / gaps : 0.0, gaps, woke);
        }
    }
}
