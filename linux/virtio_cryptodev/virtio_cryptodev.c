// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_cryptodev: the cryptodev /dev/crypto ioctl interface served by a
 * virtio crypto device (virtio ID 20).  Each cipher CIOCCRYPT is carried to
 * the device as one or more symmetric cipher requests on its data queues;
 * user pages are pinned and handed to the device directly, small or awkward
 * buffers are copied through the kernel.  Hashes and MACs are one request
 * each (the device has no partial state: a multi-part message is kept here
 * until its final part), AES-GCM is one AEAD request, and cryptodev's TLS
 * and SRTP modes are built from MAC and cipher requests.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/highmem.h>
#include <linux/vmalloc.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/completion.h>
#include <linux/workqueue.h>
#include <linux/scatterlist.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/bitmap.h>
#include <crypto/utils.h>
#include <uapi/linux/virtio_crypto.h>
#include <linux/cryptodev.h>

#define VCD_MAX_OP_LEN		(16U << 20)	/* largest CIOCCRYPT, bytes */
#define VCD_MAX_KEY		64
#define VCD_MAX_IV		16
#define VCD_BATCH		32		/* pieces in flight per CIOCCRYPT */
#define VCD_MAX_PIECE_PAGES	512		/* pages per piece and direction */
#define VCD_LAT_BUCKETS		25		/* 1 byte .. 16 MiB, by powers of 2 */
#define VCD_SG_SMALL		32		/* shorter scatterlists: slab */
#define VCD_SG_SPARES		4		/* longer ones kept per device */
#define VCD_MAX_DIGEST		64
#define VCD_GCM_IV		12
#define VCD_GCM_TAG		16
#define VCD_MAX_AAD		PAGE_SIZE	/* as cryptodev-linux */
#define VCD_SRTP_MAX_DIFF	256		/* src - auth_src, as cryptodev-linux */

static unsigned int max_chunk;
module_param(max_chunk, uint, 0444);
MODULE_PARM_DESC(max_chunk, "Largest piece (request sent to a device) in bytes, fixed at probe (0: device limit)");

static unsigned int bounce_max = 2048;
module_param(bounce_max, uint, 0644);
MODULE_PARM_DESC(bounce_max, "Operations up to this size are copied, not pinned");

static unsigned int force_algos;
module_param(force_algos, uint, 0444);
MODULE_PARM_DESC(force_algos, "Treat these virtio cipher algorithm bits as advertised (testing)");

static unsigned int timeout_ms = 30000;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "A device silent this long on a request is marked broken");

static unsigned int poll_us = 200;
module_param(poll_us, uint, 0644);
MODULE_PARM_DESC(poll_us, "Busy-poll up to this long for answers that usually come that fast (0: never)");

/* Requests up to this size cost the host little CPU: polling them pays longer. */
#define VCD_POLL_SMALL 4096

static unsigned int poll_small_us = 1000;
module_param(poll_small_us, uint, 0644);
MODULE_PARM_DESC(poll_small_us, "poll_us for requests of at most 4 KiB (0: never)");

static unsigned int inject;
module_param(inject, uint, 0600);
MODULE_PARM_DESC(inject, "Testing: corrupt the next answer (1: used length, 2: status)");

/*
 * The device hashes whole messages only, so the parts of a multi-part hash
 * (COP_FLAG_UPDATE) are kept here until the final one.  Bounded per session
 * (EMSGSIZE past it), per open file and in total (ENOBUFS past those).
 */
static unsigned long hash_max_session = 4UL << 20;
module_param(hash_max_session, ulong, 0644);
MODULE_PARM_DESC(hash_max_session, "Bytes of a multi-part hash message kept per session (also bounded by the device's request size)");

static unsigned long hash_max_file = 16UL << 20;
module_param(hash_max_file, ulong, 0644);
MODULE_PARM_DESC(hash_max_file, "Bytes of multi-part hash messages kept per open file");

static unsigned long hash_max_total = 64UL << 20;
module_param(hash_max_total, ulong, 0644);
MODULE_PARM_DESC(hash_max_total, "Bytes of multi-part hash messages kept in all");

/*
 * Pinnings kept per open file and process for the next requests (see
 * vcd_pin_get()); each covers at most VCD_PIN_MAX_PAGES.  0: none kept.
 */
static unsigned int pin_cache = 4;
module_param(pin_cache, uint, 0644);
MODULE_PARM_DESC(pin_cache, "User ranges (of up to 2 MiB) kept pinned per open file (0: off)");
#define VCD_PIN_MAX_PAGES	(SZ_2M / PAGE_SIZE + 1)	/* 2 MiB at any offset */

/* Past this, pinnings are not kept: files could hold memory unmapped. */
static unsigned long pin_cache_total = 64UL << 20;
module_param(pin_cache_total, ulong, 0644);
MODULE_PARM_DESC(pin_cache_total, "Bytes of user pages kept pinned in all");

/* Guards every file's pins list and their notifiers' sequence numbers. */
static DEFINE_SPINLOCK(vcd_pin_lock);
static LIST_HEAD(vcd_files);		/* every open file, for vcd_remove() */
static atomic64_t vcd_pin_pages = ATOMIC64_INIT(0);	/* in all vcd_pins */

/* Bytes held for multi-part hashes, all files. */
static atomic64_t vcd_held = ATOMIC64_INIT(0);

enum vcd_mode { VCD_ECB, VCD_CBC, VCD_CTR, VCD_XTS, VCD_GCM };

#define VCD_BROKEN		0

struct vcd_alg {
	u32 cop;		/* cryptodev algorithm number */
	u32 vio;		/* virtio cipher algorithm */
	const char *name;	/* Linux crypto API name */
	enum vcd_mode mode;
	u8 blk;			/* cipher block size */
	u8 ivlen;
	u8 keylens[3];
};

static const struct vcd_alg vcd_algs[] = {
	{ CRYPTO_AES_ECB, VIRTIO_CRYPTO_CIPHER_AES_ECB, "ecb(aes)", VCD_ECB,
	  16, 0, { 16, 24, 32 } },
	{ CRYPTO_AES_CBC, VIRTIO_CRYPTO_CIPHER_AES_CBC, "cbc(aes)", VCD_CBC,
	  16, 16, { 16, 24, 32 } },
	{ CRYPTO_AES_CTR, VIRTIO_CRYPTO_CIPHER_AES_CTR, "ctr(aes)", VCD_CTR,
	  16, 16, { 16, 24, 32 } },
	{ CRYPTO_AES_XTS, VIRTIO_CRYPTO_CIPHER_AES_XTS, "xts(aes)", VCD_XTS,
	  16, 16, { 32, 64 } },
	{ CRYPTO_3DES_CBC, VIRTIO_CRYPTO_CIPHER_3DES_CBC, "cbc(des3_ede)",
	  VCD_CBC, 8, 8, { 24 } },
	/* An AEAD: vio is a VIRTIO_CRYPTO_AEAD_* algorithm. */
	{ CRYPTO_AES_GCM, VIRTIO_CRYPTO_AEAD_GCM, "gcm(aes)", VCD_GCM,
	  1, VCD_GCM_IV, { 16, 24, 32 } },
};

/* Hashes and HMACs (session_op.mac). */
struct vcd_mac {
	u32 cop;		/* cryptodev algorithm number */
	u32 vio;		/* VIRTIO_CRYPTO_HASH_* or VIRTIO_CRYPTO_MAC_* */
	u32 service;		/* VIRTIO_CRYPTO_SERVICE_HASH or _MAC */
	const char *name;	/* Linux crypto API name */
	u8 dlen;		/* digest bytes */
};

#define VCD_HASH(c, v, n, l) \
	{ c, VIRTIO_CRYPTO_HASH_##v, VIRTIO_CRYPTO_SERVICE_HASH, n, l }
#define VCD_HMAC(c, v, n, l) \
	{ c, VIRTIO_CRYPTO_MAC_HMAC_##v, VIRTIO_CRYPTO_SERVICE_MAC, n, l }

static const struct vcd_mac vcd_macs[] = {
	VCD_HASH(CRYPTO_MD5, MD5, "md5", 16),
	VCD_HASH(CRYPTO_SHA1, SHA1, "sha1", 20),
	VCD_HASH(CRYPTO_SHA2_224, SHA_224, "sha224", 28),
	VCD_HASH(CRYPTO_SHA2_256, SHA_256, "sha256", 32),
	VCD_HASH(CRYPTO_SHA2_384, SHA_384, "sha384", 48),
	VCD_HASH(CRYPTO_SHA2_512, SHA_512, "sha512", 64),
	VCD_HMAC(CRYPTO_MD5_HMAC, MD5, "hmac(md5)", 16),
	VCD_HMAC(CRYPTO_SHA1_HMAC, SHA1, "hmac(sha1)", 20),
	VCD_HMAC(CRYPTO_SHA2_224_HMAC, SHA_224, "hmac(sha224)", 28),
	VCD_HMAC(CRYPTO_SHA2_256_HMAC, SHA_256, "hmac(sha256)", 32),
	VCD_HMAC(CRYPTO_SHA2_384_HMAC, SHA_384, "hmac(sha384)", 48),
	VCD_HMAC(CRYPTO_SHA2_512_HMAC, SHA_512, "hmac(sha512)", 64),
};

/* Anything queued on a virtqueue starts with this. */
struct vcd_cookie {
	void (*done)(struct vcd_cookie *ck, unsigned int used, int err);
};

/* The device session every user session of one unkeyed hash shares. */
struct vcd_shared {
	u64 id;
	bool ok;		/* id names a device session (acquire/release) */
};

struct vcd_vq {
	struct virtqueue *vq;
	spinlock_t lock;	/* serialises the ring */
	atomic64_t requests;	/* queued so far, for the stats file */
	atomic64_t notifies;	/* of the device: the rest were suppressed */
	char name[20];
};

struct vcd_device {
	struct kref ref;
	struct virtio_device *vdev;
	struct list_head node;
	int index;
	struct vcd_vq *dqs;
	unsigned int ndq;
	struct vcd_vq ctrl;
	atomic_t rr;
	/* Held for reading while queueing; remove() takes it for writing. */
	struct rw_semaphore alive;
	bool dead;		/* being removed: no new work from users */
	bool reset;		/* queues taken back: nothing reaches the device */
	unsigned long state;	/* VCD_BROKEN */
	atomic_t completions;	/* bumped by every interrupt, to wait for room */
	atomic_t dsessions;	/* device sessions open for user sessions */
	atomic_t nshared;	/* shared hash device sessions open */
	atomic64_t dcreates;	/* device sessions created since probe */
	atomic_t sessions;	/* user sessions open */
	atomic_t inflight;	/* data requests the device holds */
	atomic64_t pinned;	/* user pages pinned for requests */
	/*
	 * Creating and destroying device sessions hold this for reading;
	 * remove() holds it for writing while it destroys what is left.
	 */
	struct rw_semaphore dsess_rw;
	struct mutex slist_lock;	/* slist and orphans */
	struct list_head slist;		/* every vcd_session on this device */
	struct list_head orphans;	/* device sessions left by broken times */
	/*
	 * Unkeyed hashes, by index in vcd_macs: created under shared_lock
	 * and dsess_rw (read), destroyed by remove() under dsess_rw (write).
	 */
	struct mutex shared_lock;
	struct vcd_shared shared[ARRAY_SIZE(vcd_macs)];
	wait_queue_head_t space_wq;
	u32 algos;
	u32 services;		/* BIT(VIRTIO_CRYPTO_SERVICE_*) */
	u32 hash_algos;
	u32 mac_algos;
	u32 aead_algos;
	u32 max_key;
	u32 max_auth_key;
	u64 max_size;
	u32 sreq_nents;		/* data descriptors one request may take */
	size_t msg_max;		/* longest message one hash request takes */
	u32 piece_max;		/* largest piece, multiple of 64 bytes */
	u32 piece_xts;		/* largest XTS data unit */
	/* Recent answer times in ns, by log2 of the bytes waited for. */
	u32 lat_ns[VCD_LAT_BUCKETS];
	/* Data pages named in requests, and the descriptors that took them */
	atomic64_t data_pages;
	atomic64_t data_segs;
	/* Pinnings of requests found in their file's cache, or not */
	atomic64_t pin_hits;
	atomic64_t pin_misses;
	/* Long scatterlists for the next requests (vcd_sg_get()) */
	struct vcd_sgbuf *sg_spare[VCD_SG_SPARES];
	unsigned int sg_cap;	/* entries of each: the most a request takes */
	atomic64_t sg_allocs;	/* long ones allocated: none was spare */
	struct miscdevice misc;
	char name[24];
};

/* A scatterlist that lives while its request is queued (vcd_sg_get()). */
struct vcd_sgbuf {
	unsigned int cap;
	struct scatterlist sg[] __counted_by(cap);
};

/* One session the device holds for a user session. */
struct vcd_dsess {
	struct list_head node;	/* in vcd_session.dsl */
	u32 service;		/* VIRTIO_CRYPTO_SERVICE_* */
	u32 algo;
	u32 key;		/* cipher, AEAD: direction | tag length << 8 */
	u64 id;
};

struct vcd_session {
	struct kref ref;
	struct vcd_device *dev;
	u32 id;			/* its number in its file (VCD_SES_SLOT_BITS) */
	struct list_head node;	/* in dev->slist */
	const struct vcd_alg *alg;	/* cipher or AEAD, or NULL */
	const struct vcd_mac *mac;	/* hash or HMAC, or NULL */
	struct mutex lock;	/* device sessions: dsl */
	struct list_head dsl;
	u32 keylen;
	u8 key[VCD_MAX_KEY];
	u32 mackeylen;
	u8 *mackey;
	/*
	 * A session with a mac: its operations hold hlock, which guards the
	 * message kept for a multi-part hash (hbuf: hlen bytes of hcap,
	 * counted in *facct and vcd_held) and gone (freed by its file).
	 */
	struct mutex hlock;
	bool gone;
	u8 *hbuf;
	size_t hlen;
	size_t hcap;
	atomic64_t *facct;
	struct vcd_file *file;	/* its file: only in that file's ioctls */
};

/*
 * A session number is a generation above a slot.  Sessions are kept in
 * their file's xarray by slot, the lowest free one, and slot VCD_SES_KEEP
 * stays reserved, so the xarray's first node lives as long as the file: a
 * program that opens and closes a session per operation (OpenSSL's
 * devcrypto engine, per digest) reuses a slot in it.  Cyclic numbers as
 * indices cost a tree node or more allocated per session, and freed after
 * an RCU grace period.  The generation, bumped per session the file opens,
 * keeps a closed session's number invalid (EINVAL) until it wraps.  Never
 * 0, which programs take for "no session".
 */
#define VCD_SES_SLOT_BITS	16
#define VCD_SES_SLOTS		BIT(VCD_SES_SLOT_BITS)
#define VCD_SES_GENS		BIT(31 - VCD_SES_SLOT_BITS)
#define VCD_SES_KEEP		(XA_CHUNK_SIZE - 1)

struct vcd_file {
	struct vcd_device *dev;	/* NULL: /dev/crypto, picks per session */
	struct xarray sessions;	/* by slot; xa_lock also guards gen */
	u32 gen;		/* of the last session opened, 1 .. VCD_SES_GENS - 1 */
	atomic64_t held;	/* bytes kept for multi-part hashes */
	/* Under vcd_pin_lock: in vcd_files; pinnings kept, newest first. */
	struct list_head node;
	struct list_head pins;
	unsigned int npins;
};

/*
 * A user range pinned by a request and kept for the next ones of its file
 * and process (vcd_pin_get()).  The notifier learns of every change to
 * the process's mapping of the range (unmap, remap, COW, madvise,
 * mprotect, migration): then the sequence differs from seq and the pages
 * are no longer taken, only unpinned once the last request using them
 * lets go.
 */
struct vcd_pin {
	struct mmu_interval_notifier mn;
	struct list_head node;	/* in its file's pins, under vcd_pin_lock */
	refcount_t ref;		/* the cache's, and each request's */
	unsigned long seq;	/* mn's sequence when pinned */
	unsigned long start;	/* user address of pages[0] */
	bool write;		/* pinned for the device to write */
	unsigned int npages;
	struct page *pages[] __counted_by(npages);
};

struct vcd_ctrl {
	struct vcd_cookie ck;
	refcount_t ref;
	struct completion done;
	unsigned int used;
	int err;
	struct virtio_crypto_op_ctrl_req req;
	union {
		struct virtio_crypto_session_input sin;
		struct virtio_crypto_inhdr st;
	} in;
	u8 key[CRYPTO_HMAC_MAX_KEY_LEN];
};

/* One side of a CIOCCRYPT: user pages pinned, or a kernel copy. */
struct vcd_buf {
	struct page **pages;
	unsigned int npages;
	unsigned int offset;	/* of byte 0 in pages[0] */
	bool pinned;
	bool dirty;
	void *kbuf;
	struct vcd_pin *pin;	/* pages lent by a kept pinning, or NULL */
};

struct vcd_op;

struct vcd_piece {
	struct vcd_cookie ck;
	struct vcd_op *op;
	struct virtio_crypto_op_data_req hdr;
	u8 iv[VCD_MAX_IV];
	struct virtio_crypto_inhdr st;
	unsigned int off;	/* of this piece in the operation */
	unsigned int len;	/* payload bytes sent (padded for CTR) */
	unsigned int used;
	int err;
};

/* One CIOCCRYPT, sent to the device in pieces. */
struct vcd_op {
	refcount_t ref;
	/*
	 * Pieces abandoned by a killed caller keep the session, so its device
	 * sessions are destroyed only after the device has returned them.
	 */
	struct vcd_session *s;
	struct vcd_device *dev;
	const struct vcd_alg *a;
	int dir;
	u64 dsid;
	size_t len;
	u8 iv[VCD_MAX_IV];	/* IV of the next piece */
	atomic_t outstanding;
	wait_queue_head_t wq;
	struct work_struct free_work;
	struct vcd_buf src;
	struct vcd_buf dst;
	bool inplace;
	unsigned int poll_us;	/* poll this long for the pieces in flight */
	unsigned long *qmask;	/* data queues that carried pieces */
	u8 tail_in[VCD_MAX_IV];
	u8 tail_out[VCD_MAX_IV];
	unsigned int npieces;
	struct vcd_piece pieces[] __counted_by(npieces);
};

static LIST_HEAD(vcd_devices);
static DEFINE_MUTEX(vcd_devices_lock);
static DEFINE_IDA(vcd_ida);
static atomic_t vcd_rr = ATOMIC_INIT(0);
static struct workqueue_struct *vcd_wq;

static void vcd_dev_release(struct kref *ref)
{
	struct vcd_device *d = container_of(ref, struct vcd_device, ref);
	unsigned int i;

	for (i = 0; i < VCD_SG_SPARES; i++)
		kvfree(d->sg_spare[i]);
	kfree(d->dqs);
	kfree(d);
}

static void vcd_dev_put(struct vcd_device *d)
{
	kref_put(&d->ref, vcd_dev_release);
}

static void vcd_mark_broken(struct vcd_device *d, const char *why)
{
	if (!test_and_set_bit(VCD_BROKEN, &d->state))
		dev_err(&d->vdev->dev, "device marked broken: %s\n", why);
}

static bool vcd_usable(struct vcd_device *d)
{
	return !READ_ONCE(d->dead) && !test_bit(VCD_BROKEN, &d->state);
}

/* Hand every finished buffer of @q back to its owner; q->lock held. */
static void vcd_collect(struct vcd_vq *q)
{
	struct vcd_cookie *ck;
	unsigned int len;

	while ((ck = virtqueue_get_buf(q->vq, &len)))
		ck->done(ck, len, 0);
}

/* Collect, and turn @q's interrupt back on without missing an answer. */
static void vcd_drain(struct vcd_vq *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	do {
		virtqueue_disable_cb(q->vq);
		vcd_collect(q);
	} while (!virtqueue_enable_cb(q->vq));
	spin_unlock_irqrestore(&q->lock, flags);
}

/* Answers free ring space: wake callers waiting for it in vcd_queue(). */
static void vcd_room(struct vcd_device *d)
{
	atomic_inc(&d->completions);
	wake_up_all(&d->space_wq);
}

/*
 * Collect the answers on the data queues @base + i, for each bit i of
 * @qmask's @nbits, without waiting for the interrupt, until @outstanding
 * is 0 or @us have passed.  Their interrupts are off meanwhile: under
 * emulation, taking one costs about as much as the request itself.
 * Answers that belong to other callers are handed to them as well, and
 * the queues' interrupts come back on (after a last collection) before we
 * stop, so nobody waiting for one misses it.
 */
static void vcd_poll(struct vcd_device *d, const unsigned long *qmask,
		     unsigned int base, unsigned int nbits,
		     atomic_t *outstanding, unsigned int us)
{
	u64 end = ktime_get_ns() + (u64)us * NSEC_PER_USEC;
	unsigned long flags;
	unsigned int i;

	down_read(&d->alive);
	if (d->reset)
		goto out;
	for_each_set_bit(i, qmask, nbits)
		virtqueue_disable_cb(d->dqs[base + i].vq);
	while (atomic_read(outstanding) && !need_resched() &&
	       ktime_get_ns() < end) {
		for_each_set_bit(i, qmask, nbits) {
			spin_lock_irqsave(&d->dqs[base + i].lock, flags);
			vcd_collect(&d->dqs[base + i]);
			spin_unlock_irqrestore(&d->dqs[base + i].lock, flags);
		}
		cpu_relax();
	}
	for_each_set_bit(i, qmask, nbits)
		vcd_drain(&d->dqs[base + i]);
	vcd_room(d);
out:
	up_read(&d->alive);
}

/* Poll for the pieces of @op in flight (see vcd_poll()). */
static void vcd_poll_op(struct vcd_device *d, struct vcd_op *op)
{
	vcd_poll(d, op->qmask, 0, d->ndq, &op->outstanding, op->poll_us);
}

/* Virtqueue interrupt: hand every finished buffer back to its owner. */
static void vcd_vq_done(struct virtqueue *vq)
{
	struct vcd_device *d = vq->vdev->priv;
	struct vcd_vq *q = vq->index < d->ndq ? &d->dqs[vq->index] : &d->ctrl;

	vcd_drain(q);
	vcd_room(d);
}

static unsigned long vcd_timeout(void)
{
	return msecs_to_jiffies(max(timeout_ms, 100U));
}

/*
 * Queue one request; waits while the ring is full.  While remove() runs,
 * only the control queue takes requests: it destroys the device sessions.
 * @quiet: the caller will poll for the answer (vcd_poll()), so the
 * queue's interrupt goes off before the device can see the request; an
 * answer faster than the caller reaching its poll loop then costs no
 * interrupt.  On failure the interrupt is back on.
 */
static int __vcd_queue(struct vcd_device *d, struct vcd_vq *q,
		       struct scatterlist **sgs, unsigned int out,
		       unsigned int in, struct vcd_cookie *ck, bool quiet)
{
	unsigned long flags;
	bool kick;
	long w;
	int err, seen;

	for (;;) {
		seen = atomic_read(&d->completions);
		down_read(&d->alive);
		if (d->reset || (d->dead && q != &d->ctrl)) {
			up_read(&d->alive);
			return -ENODEV;
		}
		spin_lock_irqsave(&q->lock, flags);
		if (quiet)
			virtqueue_disable_cb(q->vq);
		err = virtqueue_add_sgs(q->vq, sgs, out, in, ck, GFP_ATOMIC);
		if (!err)
			atomic64_inc(&q->requests);
		kick = !err && virtqueue_kick_prepare(q->vq);
		spin_unlock_irqrestore(&q->lock, flags);
		if (kick) {
			atomic64_inc(&q->notifies);
			virtqueue_notify(q->vq);
		}
		if (err && quiet)
			vcd_drain(q);
		up_read(&d->alive);
		if (err != -ENOSPC && err != -ENOMEM)
			return err;
		/* Ring full: retry after the device hands something back. */
		w = wait_event_killable_timeout(d->space_wq,
						READ_ONCE(d->reset) ||
						atomic_read(&d->completions) != seen,
						HZ / 10);
		if (w < 0)
			return -EINTR;
	}
}

static int vcd_queue(struct vcd_device *d, struct vcd_vq *q,
		     struct scatterlist **sgs, unsigned int out,
		     unsigned int in, struct vcd_cookie *ck)
{
	return __vcd_queue(d, q, sgs, out, in, ck, false);
}

/* ---- control queue ---- */

static void vcd_ctrl_put(struct vcd_ctrl *c)
{
	if (refcount_dec_and_test(&c->ref))
		kfree_sensitive(c);
}

static void vcd_ctrl_done(struct vcd_cookie *ck, unsigned int used, int err)
{
	struct vcd_ctrl *c = container_of(ck, struct vcd_ctrl, ck);

	c->used = used;
	c->err = err;
	complete(&c->done);
	vcd_ctrl_put(c);
}

static struct vcd_ctrl *vcd_ctrl_alloc(void)
{
	struct vcd_ctrl *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	c->ck.done = vcd_ctrl_done;
	refcount_set(&c->ref, 1);
	init_completion(&c->done);
	return c;
}

/* Send a control request and wait for it; @inlen is the answer's size. */
static int vcd_ctrl_run(struct vcd_device *d, struct vcd_ctrl *c,
			unsigned int keylen, void *in, unsigned int inlen)
{
	struct scatterlist hdr, key, ans, *sgs[3];
	unsigned int out = 0;
	long w;
	int err;

	sg_init_one(&hdr, &c->req, sizeof(c->req));
	sgs[out++] = &hdr;
	if (keylen) {
		sg_init_one(&key, c->key, keylen);
		sgs[out++] = &key;
	}
	sg_init_one(&ans, in, inlen);
	sgs[out] = &ans;

	refcount_inc(&c->ref);	/* the device's */
	err = vcd_queue(d, &d->ctrl, sgs, out, 1, &c->ck);
	if (err) {
		refcount_dec(&c->ref);
		return err;
	}
	/*
	 * Not killable: a session must not be created behind our back (it
	 * would never be destroyed), and the device answers in microseconds
	 * unless it is broken, which the timeout catches.
	 */
	w = wait_for_completion_timeout(&c->done, vcd_timeout());
	if (w == 0) {
		vcd_mark_broken(d, "control request timed out");
		return -EIO;
	}
	if (c->err)
		return c->err;
	if (c->used != inlen) {
		vcd_mark_broken(d, "impossible control answer length");
		return -EIO;
	}
	return 0;
}

/*
 * The errno for a device status other than OK (docs/virtio-cryptodev.md,
 * "Errors").  NOSPC and KEY_REJECTED mean something only when a session is
 * created, which its caller handles; elsewhere they are a device failure.
 */
static int vcd_status_errno(struct vcd_device *d, u32 status)
{
	switch (status) {
	case VIRTIO_CRYPTO_BADMSG:
		return -EBADMSG;
	case VIRTIO_CRYPTO_NOTSUPP:
		return -EOPNOTSUPP;
	case VIRTIO_CRYPTO_INVSESS:
		return -EINVAL;
	case VIRTIO_CRYPTO_ERR:
	case VIRTIO_CRYPTO_NOSPC:
	case VIRTIO_CRYPTO_KEY_REJECTED:
		return -EIO;
	default:
		vcd_mark_broken(d, "unknown status");
		return -EIO;
	}
}

/* Fill a create-session request for @s (layouts: virtio 1.2, legacy sizes). */
static u32 vcd_fill_create(struct vcd_ctrl *c, struct vcd_session *s,
			   const struct vcd_dsess *ds)
{
	struct virtio_crypto_cipher_session_para *p;
	u32 vdir = (ds->key & 0xff) == COP_ENCRYPT ? VIRTIO_CRYPTO_OP_ENCRYPT :
						     VIRTIO_CRYPTO_OP_DECRYPT;
	struct virtio_crypto_aead_session_para *ap;
	struct virtio_crypto_mac_session_para *mp;

	c->req.header.opcode =
		cpu_to_le32(VIRTIO_CRYPTO_OPCODE(ds->service, 0x02));
	c->req.header.algo = cpu_to_le32(ds->algo);
	switch (ds->service) {
	case VIRTIO_CRYPTO_SERVICE_HASH:
		c->req.u.hash_create_session.para.algo = cpu_to_le32(ds->algo);
		c->req.u.hash_create_session.para.hash_result_len =
			cpu_to_le32(s->mac->dlen);
		return 0;
	case VIRTIO_CRYPTO_SERVICE_MAC:
		mp = &c->req.u.mac_create_session.para;
		mp->algo = cpu_to_le32(ds->algo);
		mp->hash_result_len = cpu_to_le32(s->mac->dlen);
		mp->auth_key_len = cpu_to_le32(s->mackeylen);
		memcpy(c->key, s->mackey, s->mackeylen);
		return s->mackeylen;
	case VIRTIO_CRYPTO_SERVICE_AEAD:
		ap = &c->req.u.aead_create_session.para;
		ap->algo = cpu_to_le32(ds->algo);
		ap->key_len = cpu_to_le32(s->keylen);
		ap->hash_result_len = cpu_to_le32(ds->key >> 8);	/* tag */
		ap->op = cpu_to_le32(vdir);
		memcpy(c->key, s->key, s->keylen);
		return s->keylen;
	default:
		c->req.u.sym_create_session.op_type =
			cpu_to_le32(VIRTIO_CRYPTO_SYM_OP_CIPHER);
		p = &c->req.u.sym_create_session.u.cipher.para;
		p->algo = cpu_to_le32(ds->algo);
		p->keylen = cpu_to_le32(s->keylen);
		p->op = cpu_to_le32(vdir);
		memcpy(c->key, s->key, s->keylen);
		return s->keylen;
	}
}

/* Create @ds for @s; @count counts it while it is open. */
static int vcd_create_dsession(struct vcd_device *d, struct vcd_session *s,
			       struct vcd_dsess *ds, atomic_t *count)
{
	struct vcd_ctrl *c;
	u32 status, klen;
	int err;

	c = vcd_ctrl_alloc();
	if (!c)
		return -ENOMEM;
	klen = vcd_fill_create(c, s, ds);
	c->in.sin.status = cpu_to_le32(VIRTIO_CRYPTO_ERR);

	err = vcd_ctrl_run(d, c, klen, &c->in.sin, sizeof(c->in.sin));
	if (!err) {
		status = le32_to_cpu(c->in.sin.status);
		switch (status) {
		case VIRTIO_CRYPTO_OK:
			ds->id = le64_to_cpu(c->in.sin.session_id);
			atomic_inc(count);
			atomic64_inc(&d->dcreates);
			break;
		case VIRTIO_CRYPTO_NOSPC:	/* only here does it mean "full" */
			err = -ENOSPC;
			break;
		case VIRTIO_CRYPTO_KEY_REJECTED:
			err = -EINVAL;
			break;
		default:
			err = vcd_status_errno(d, status);
		}
	}
	memzero_explicit(c->key, sizeof(c->key));
	vcd_ctrl_put(c);
	return err;
}

/*
 * Only the device's answer ends a device session: resetting the device
 * does not (QEMU's backends keep their sessions across a reset and an
 * unplug).  Returns 0 once the device has answered, whatever it said.
 */
static int vcd_destroy_dsession(struct vcd_device *d, u32 service, u32 algo,
				u64 id, atomic_t *count)
{
	struct vcd_ctrl *c;
	int err;

	c = vcd_ctrl_alloc();
	if (!c)
		return -ENOMEM;
	c->req.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_OPCODE(service, 0x03));
	c->req.header.algo = cpu_to_le32(algo);
	c->req.u.destroy_session.session_id = cpu_to_le64(id);
	c->in.st.status = VIRTIO_CRYPTO_ERR;
	err = vcd_ctrl_run(d, c, 0, &c->in.st, sizeof(c->in.st));
	vcd_ctrl_put(c);
	if (!err)
		atomic_dec(count);
	return err;
}

struct vcd_orphan {
	struct list_head node;
	u32 service;
	u32 algo;
	u64 id;
};

/*
 * A session freed while its device is broken: a device that stopped
 * answering would hold the caller for timeout_ms per device session, so the
 * destruction is left to remove(), which tries once more.
 */
static void vcd_orphan_dsession(struct vcd_device *d, u32 service, u32 algo,
				u64 id)
{
	struct vcd_orphan *o = kmalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return;	/* left behind; still counted in device_sessions */
	o->service = service;
	o->algo = algo;
	o->id = id;
	mutex_lock(&d->slist_lock);
	list_add_tail(&o->node, &d->orphans);
	mutex_unlock(&d->slist_lock);
}

/* ---- sessions ---- */

static void vcd_session_release(struct kref *ref)
{
	struct vcd_session *s = container_of(ref, struct vcd_session, ref);
	struct vcd_device *d = s->dev;
	struct vcd_dsess *ds, *tmp;

	/* remove() destroys what a session still has if it runs first. */
	down_read(&d->dsess_rw);
	list_for_each_entry_safe(ds, tmp, &s->dsl, node) {
		if (test_bit(VCD_BROKEN, &d->state) ||
		    vcd_destroy_dsession(d, ds->service, ds->algo, ds->id,
					 &d->dsessions))
			vcd_orphan_dsession(d, ds->service, ds->algo, ds->id);
		list_del(&ds->node);
		kfree(ds);
	}
	mutex_lock(&d->slist_lock);
	list_del(&s->node);
	mutex_unlock(&d->slist_lock);
	up_read(&d->dsess_rw);
	atomic_dec(&d->sessions);
	vcd_dev_put(d);
	mutex_destroy(&s->lock);
	mutex_destroy(&s->hlock);
	kfree_sensitive(s->mackey);
	kfree_sensitive(s);
}

static void vcd_session_put(struct vcd_session *s)
{
	kref_put(&s->ref, vcd_session_release);
}

/* Under xa_lock: @f's session numbered @id, or NULL. */
static struct vcd_session *__vcd_session_find(struct vcd_file *f, u32 id)
{
	struct vcd_session *s = xa_load(&f->sessions, id & (VCD_SES_SLOTS - 1));

	return s && s->id == id ? s : NULL;
}

static struct vcd_session *vcd_session_get(struct vcd_file *f, u32 id)
{
	struct vcd_session *s;

	xa_lock(&f->sessions);
	s = __vcd_session_find(f, id);
	if (s)
		kref_get(&s->ref);
	xa_unlock(&f->sessions);
	return s;
}

/*
 * Number @s and put it in @f, its number to @id (a racing CIOCFSESSION may
 * free @s at once); -ENOSPC when every slot is taken.
 */
static int vcd_session_add(struct vcd_file *f, struct vcd_session *s, u32 *id)
{
	u32 slot;
	int err;

	xa_lock(&f->sessions);
	err = __xa_alloc(&f->sessions, &slot, s,
			 XA_LIMIT(0, VCD_SES_SLOTS - 1), GFP_KERNEL_ACCOUNT);
	if (!err) {
		f->gen = f->gen % (VCD_SES_GENS - 1) + 1;
		/* Under the lock: no lookup sees the slot with another id. */
		s->id = f->gen << VCD_SES_SLOT_BITS | slot;
		*id = s->id;
	}
	xa_unlock(&f->sessions);
	return err == -EBUSY ? -ENOSPC : err;
}

/* Take session @id out of @f; NULL if it has none of that number. */
static struct vcd_session *vcd_session_remove(struct vcd_file *f, u32 id)
{
	struct vcd_session *s;

	xa_lock(&f->sessions);
	s = __vcd_session_find(f, id);
	if (s)
		__xa_erase(&f->sessions, id & (VCD_SES_SLOTS - 1));
	xa_unlock(&f->sessions);
	return s;
}

static const struct vcd_alg *vcd_find_alg(u32 cop)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vcd_algs); i++)
		if (vcd_algs[i].cop == cop)
			return &vcd_algs[i];
	return NULL;
}

static const struct vcd_mac *vcd_find_mac(u32 cop)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vcd_macs); i++)
		if (vcd_macs[i].cop == cop)
			return &vcd_macs[i];
	return NULL;
}

/* What a new session needs from a device. */
struct vcd_want {
	const struct vcd_alg *a;
	u32 keylen;
	const struct vcd_mac *m;
	u32 mackeylen;
};

static bool vcd_dev_has(struct vcd_device *d, const struct vcd_want *w)
{
	const struct vcd_alg *a = w->a;
	const struct vcd_mac *m = w->m;

	if (a && a->mode == VCD_GCM) {
		if (!(d->services & BIT(VIRTIO_CRYPTO_SERVICE_AEAD)) ||
		    !(d->aead_algos & BIT(a->vio)) || w->keylen > d->max_key)
			return false;
	} else if (a) {
		if (!((d->algos | force_algos) & BIT(a->vio)) ||
		    w->keylen > d->max_key)
			return false;
	}
	if (!m)
		return true;
	if (!(d->services & BIT(m->service)))
		return false;
	if (m->service == VIRTIO_CRYPTO_SERVICE_HASH)
		return d->hash_algos & BIT(m->vio);
	return (d->mac_algos & BIT(m->vio)) && w->mackeylen <= d->max_auth_key;
}

/* /dev/crypto: spread sessions over the usable devices that can do it. */
static struct vcd_device *vcd_pick_device(const struct vcd_want *w, int *err)
{
	struct vcd_device *d, *pick = NULL;
	unsigned int n = 0, want;

	*err = -ENODEV;
	mutex_lock(&vcd_devices_lock);
	list_for_each_entry(d, &vcd_devices, node) {
		if (READ_ONCE(d->dead))
			continue;
		if (test_bit(VCD_BROKEN, &d->state)) {
			if (*err == -ENODEV)
				*err = -EIO;
			continue;
		}
		*err = -EINVAL;
		if (vcd_dev_has(d, w))
			n++;
	}
	if (n) {
		want = (unsigned int)atomic_inc_return(&vcd_rr) % n;
		list_for_each_entry(d, &vcd_devices, node) {
			if (!vcd_usable(d) || !vcd_dev_has(d, w))
				continue;
			if (want-- == 0) {
				pick = d;
				kref_get(&d->ref);
				break;
			}
		}
	}
	mutex_unlock(&vcd_devices_lock);
	return pick;
}

/* Check a session_op's algorithms and key lengths (cryptodev-linux rules). */
static int vcd_want_of(const struct session_op *sop, struct vcd_want *w)
{
	unsigned int i;

	memset(w, 0, sizeof(*w));
	if (!sop->cipher && !sop->mac)
		return -EINVAL;
	if (sop->cipher) {
		w->a = vcd_find_alg(sop->cipher);
		if (!w->a)
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(w->a->keylens); i++)
			if (w->a->keylens[i] && w->a->keylens[i] == sop->keylen)
				break;
		if (i == ARRAY_SIZE(w->a->keylens))
			return -EINVAL;
		w->keylen = sop->keylen;
	}
	/* As in cryptodev-linux, an AEAD cipher's session ignores mac. */
	if (sop->mac && !(w->a && w->a->mode == VCD_GCM)) {
		w->m = vcd_find_mac(sop->mac);
		if (!w->m || sop->mackeylen > CRYPTO_HMAC_MAX_KEY_LEN)
			return -EINVAL;
		/* A plain hash takes no key. */
		if (w->m->service == VIRTIO_CRYPTO_SERVICE_MAC)
			w->mackeylen = sop->mackeylen;
	}
	return 0;
}

/* CIOCGSESSION on a session_op already copied in; sets sop->ses. */
static long vcd_gsession(struct vcd_file *f, struct session_op *sopp)
{
	struct session_op sop = *sopp;
	const struct vcd_alg *a;
	struct vcd_session *s;
	struct vcd_device *d;
	struct vcd_want w;
	u32 id;
	int err;

	err = vcd_want_of(&sop, &w);
	if (err)
		return err;
	a = w.a;

	if (f->dev) {
		d = f->dev;
		if (READ_ONCE(d->dead))
			return -ENODEV;
		if (test_bit(VCD_BROKEN, &d->state))
			return -EIO;
		if (!vcd_dev_has(d, &w))
			return -EINVAL;
		kref_get(&d->ref);
	} else {
		d = vcd_pick_device(&w, &err);
		if (!d)
			return err;
	}

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s) {
		err = -ENOMEM;
		goto put_dev;
	}
	kref_init(&s->ref);
	mutex_init(&s->lock);
	mutex_init(&s->hlock);
	INIT_LIST_HEAD(&s->dsl);
	s->dev = d;
	s->alg = a;
	s->mac = w.m;
	s->facct = &f->held;
	s->file = f;
	s->keylen = w.keylen;
	err = -EFAULT;
	if (copy_from_user(s->key, sop.key, w.keylen))
		goto free;
	s->mackeylen = w.mackeylen;
	if (w.mackeylen) {
		s->mackey = memdup_user(sop.mackey, w.mackeylen);
		if (IS_ERR(s->mackey)) {
			err = PTR_ERR(s->mackey);
			s->mackey = NULL;
			goto free;
		}
	}
	/*
	 * IEEE 1619-2018 forbids equal XTS key halves, and the backend's
	 * library refuses them; the kernel's xts_verify_key() does so in FIPS
	 * mode.  Refused here, always, before any device sees the key.
	 */
	err = -EINVAL;
	if (a && a->mode == VCD_XTS &&
	    !crypto_memneq(s->key, s->key + s->keylen / 2, s->keylen / 2))
		goto free;
	/* On the list before a racing CIOCFSESSION can find it. */
	mutex_lock(&d->slist_lock);
	list_add_tail(&s->node, &d->slist);
	mutex_unlock(&d->slist_lock);
	atomic_inc(&d->sessions);
	err = vcd_session_add(f, s, &id);
	if (err) {
		mutex_lock(&d->slist_lock);
		list_del(&s->node);
		mutex_unlock(&d->slist_lock);
		atomic_dec(&d->sessions);
		goto free;
	}
	sopp->ses = id;
	return 0;

free:
	mutex_destroy(&s->lock);
	mutex_destroy(&s->hlock);
	kfree_sensitive(s->mackey);
	kfree_sensitive(s);
put_dev:
	vcd_dev_put(d);
	return err;
}

/* Forget a multi-part message; s->hlock held. */
static void vcd_hash_clear(struct vcd_session *s)
{
	if (s->hbuf) {
		atomic64_sub(s->hcap, s->facct);
		atomic64_sub(s->hcap, &vcd_held);
		kvfree_sensitive(s->hbuf, s->hcap);
	}
	s->hbuf = NULL;
	s->hlen = 0;
	s->hcap = 0;
}

/*
 * A session leaves its file: its kept message goes now, while the file's
 * counter exists (operations still holding the session find it gone).
 */
static void vcd_session_drop(struct vcd_session *s)
{
	if (s->mac) {
		mutex_lock(&s->hlock);
		s->gone = true;
		vcd_hash_clear(s);
		mutex_unlock(&s->hlock);
	}
	vcd_session_put(s);
}

static long vcd_fsession(struct vcd_file *f, u32 id)
{
	struct vcd_session *s = vcd_session_remove(f, id);

	if (!s)
		return -EINVAL;
	vcd_session_drop(s);
	return 0;
}

/* Copy the new session's number out, or undo it. */
static long vcd_gsession_done(struct vcd_file *f, long err, u32 ses,
			      u32 __user *uses)
{
	if (!err && put_user(ses, uses)) {
		vcd_fsession(f, ses);
		err = -EFAULT;
	}
	return err;
}

static long vcd_ioc_gsession(struct vcd_file *f, void __user *arg)
{
	struct session_op sop;
	long err;

	if (copy_from_user(&sop, arg, sizeof(sop)))
		return -EFAULT;
	err = vcd_gsession(f, &sop);
	return vcd_gsession_done(f, err, sop.ses,
				 arg + offsetof(struct session_op, ses));
}

static long vcd_ioc_fsession(struct vcd_file *f, u32 __user *arg)
{
	u32 id;

	if (get_user(id, arg))
		return -EFAULT;
	return vcd_fsession(f, id);
}

static long vcd_ioc_sessinfo(struct vcd_file *f, void __user *arg)
{
	struct session_info_op *info;
	struct vcd_session *s;
	long ret = 0;
	u32 id;

	if (get_user(id, (u32 __user *)arg))
		return -EFAULT;
	s = vcd_session_get(f, id);
	if (!s)
		return -EINVAL;
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info) {
		vcd_session_put(s);
		return -ENOMEM;
	}
	info->ses = id;
	if (s->alg) {
		strscpy(info->cipher_info.cra_name, s->alg->name,
			sizeof(info->cipher_info.cra_name));
		snprintf(info->cipher_info.cra_driver_name,
			 sizeof(info->cipher_info.cra_driver_name),
			 "virtio_cryptodev-%s", s->dev->name);
	}
	if (s->mac) {
		strscpy(info->hash_info.cra_name, s->mac->name,
			sizeof(info->hash_info.cra_name));
		snprintf(info->hash_info.cra_driver_name,
			 sizeof(info->hash_info.cra_driver_name),
			 "virtio_cryptodev-%s", s->dev->name);
	}
	info->flags = SIOP_FLAG_KERNEL_DRIVER_ONLY;
	if (copy_to_user(arg, info, sizeof(*info)))
		ret = -EFAULT;
	kfree(info);
	vcd_session_put(s);
	return ret;
}

/* ---- data path ---- */

/*
 * Kept pinnings.  Pinning a 1 MiB buffer and unpinning it cost the guest
 * more than a hundred microseconds under emulation, page by page: a
 * program that sends the same buffer again (most do) reuses the pages
 * its file pinned before, as long as its mapping of them has not changed
 * since.  Requests in flight when the mapping changes keep their pages
 * pinned, as if the change had come just after the request started.
 */
static bool vcd_pin_invalidate(struct mmu_interval_notifier *mn,
			       const struct mmu_notifier_range *range,
			       unsigned long cur_seq)
{
	/* Never blocks: whoever uses the pages holds them pinned. */
	spin_lock(&vcd_pin_lock);
	mmu_interval_set_seq(mn, cur_seq);
	spin_unlock(&vcd_pin_lock);
	return true;
}

static const struct mmu_interval_notifier_ops vcd_pin_ops = {
	.invalidate = vcd_pin_invalidate,
};

/* Drop a reference to @p; the last unpins.  Sleeps. */
static void vcd_pin_put(struct vcd_pin *p)
{
	if (!refcount_dec_and_test(&p->ref))
		return;
	mmu_interval_notifier_remove(&p->mn);
	unpin_user_pages(p->pages, p->npages);
	atomic64_sub(p->npages, &vcd_pin_pages);
	kvfree(p);
}

/* Put the pinnings on @list, taken off their file's. */
static void vcd_pin_put_list(struct list_head *list)
{
	struct vcd_pin *p, *tmp;

	list_for_each_entry_safe(p, tmp, list, node) {
		list_del_init(&p->node);
		vcd_pin_put(p);
	}
}

/* Drop every file's kept pinnings (a device is going away). */
static void vcd_pin_flush_all(void)
{
	struct vcd_file *f;
	LIST_HEAD(drop);

	spin_lock(&vcd_pin_lock);
	list_for_each_entry(f, &vcd_files, node) {
		list_splice_init(&f->pins, &drop);
		f->npins = 0;
	}
	spin_unlock(&vcd_pin_lock);
	vcd_pin_put_list(&drop);
}

/* Under vcd_pin_lock: @f's least recently used pinnings past @keep to @drop. */
static void vcd_pins_trim(struct vcd_file *f, unsigned int keep,
			  struct list_head *drop)
{
	while (f->npins > keep) {
		list_move(f->pins.prev, drop);
		f->npins--;
	}
}

/*
 * Pin @n pages of the caller's memory from @start, watched by a notifier
 * from before the pinning; kept by @f (at most @max, newest first) unless
 * the mapping changed meanwhile.  A long-term pinning, as it may be kept:
 * pages are moved out of movable memory first, and writable file-backed
 * pages are refused.  NULL: not watchable or not pinnable so, pin without.
 */
static struct vcd_pin *vcd_pin_new(struct vcd_file *f, unsigned long start,
				   unsigned int n, bool write, unsigned int max)
{
	struct vcd_pin *p = kvzalloc(struct_size(p, pages, n),
				     GFP_KERNEL_ACCOUNT);
	LIST_HEAD(drop);
	int got;

	if (!p)
		return ERR_PTR(-ENOMEM);
	/* Make room first (max >= 1): the least recently used go. */
	spin_lock(&vcd_pin_lock);
	vcd_pins_trim(f, max - 1, &drop);
	spin_unlock(&vcd_pin_lock);
	vcd_pin_put_list(&drop);
	if (atomic64_add_return(n, &vcd_pin_pages) >
	    READ_ONCE(pin_cache_total) >> PAGE_SHIFT)
		goto unaccount;
	p->npages = n;
	p->start = start;
	p->write = write;
	refcount_set(&p->ref, 1);
	INIT_LIST_HEAD(&p->node);
	if (mmu_interval_notifier_insert(&p->mn, current->mm, start,
					 (unsigned long)n << PAGE_SHIFT,
					 &vcd_pin_ops))
		goto unaccount;
	p->seq = mmu_interval_read_begin(&p->mn);
	got = pin_user_pages_fast(start, n,
				  FOLL_LONGTERM | (write ? FOLL_WRITE : 0),
				  p->pages);
	if (got != n) {
		if (got > 0)
			unpin_user_pages(p->pages, got);
		mmu_interval_notifier_remove(&p->mn);
		goto unaccount;
	}
	spin_lock(&vcd_pin_lock);
	if (!mmu_interval_read_retry(&p->mn, p->seq)) {
		refcount_inc(&p->ref);
		list_add(&p->node, &f->pins);
		f->npins++;
		/* Other threads of the file may have added some meanwhile. */
		vcd_pins_trim(f, max, &drop);
	}
	spin_unlock(&vcd_pin_lock);
	vcd_pin_put_list(&drop);
	return p;

unaccount:
	atomic64_sub(n, &vcd_pin_pages);
	kvfree(p);
	return NULL;
}

/*
 * The pages of @n pages of the caller's memory from @start, for the device
 * to write if @write: a pinning @f kept that covers them and still is
 * what the process maps there, else a new one.  NULL: not cached, pin
 * without.  Pinnings whose mapping changed are dropped on the way.
 */
static struct vcd_pin *vcd_pin_get(struct vcd_device *d, struct vcd_file *f,
				   unsigned long start, unsigned int n,
				   bool write)
{
	unsigned int max = READ_ONCE(pin_cache);
	unsigned long end = start + ((unsigned long)n << PAGE_SHIFT);
	struct vcd_pin *p, *tmp, *hit = NULL;
	LIST_HEAD(drop);

	/* A range that wraps (a bad pointer) would match any pinning. */
	if (!max || !f || !current->mm || n > VCD_PIN_MAX_PAGES || end <= start)
		return NULL;
	spin_lock(&vcd_pin_lock);
	list_for_each_entry_safe(p, tmp, &f->pins, node) {
		if (mmu_interval_read_retry(&p->mn, p->seq)) {
			list_move(&p->node, &drop);
			f->npins--;
		} else if (!hit && p->mn.mm == current->mm &&
			   p->start <= start && end <= p->start +
			   ((unsigned long)p->npages << PAGE_SHIFT) &&
			   (p->write || !write)) {
			hit = p;
		}
	}
	if (hit) {
		refcount_inc(&hit->ref);
		list_move(&hit->node, &f->pins);
	}
	spin_unlock(&vcd_pin_lock);
	vcd_pin_put_list(&drop);
	if (hit) {
		atomic64_inc(&d->pin_hits);
		return hit;
	}
	atomic64_inc(&d->pin_misses);
	return vcd_pin_new(f, start, n, write, max);
}

static void vcd_buf_release(struct vcd_device *d, struct vcd_buf *b)
{
	unsigned int i;

	if (b->pin) {
		atomic64_sub(b->npages, &d->pinned);
		/* The pages stay pinned: dirty them now, as unpinning would. */
		for (i = 0; b->dirty && i < b->npages; i++)
			if (!PageDirty(b->pages[i]))
				set_page_dirty_lock(b->pages[i]);
		vcd_pin_put(b->pin);
		b->pin = NULL;
		b->pages = NULL;
		b->pinned = false;
		return;
	}
	if (b->pinned) {
		atomic64_sub(b->npages, &d->pinned);
		if (b->dirty)
			unpin_user_pages_dirty_lock(b->pages, b->npages, true);
		else
			unpin_user_pages(b->pages, b->npages);
	}
	kvfree(b->pages);
	kvfree(b->kbuf);
	b->pages = NULL;
	b->kbuf = NULL;
	b->pinned = false;
}

static void vcd_op_free(struct vcd_op *op)
{
	if (!op->inplace)
		vcd_buf_release(op->s->dev, &op->dst);
	vcd_buf_release(op->s->dev, &op->src);
	bitmap_free(op->qmask);
	vcd_session_put(op->s);
	kfree(op);
}

static void vcd_op_free_work(struct work_struct *w)
{
	vcd_op_free(container_of(w, struct vcd_op, free_work));
}

/*
 * Drop a reference to a request; the last one frees it with @free's
 * function.  May run in interrupt context or under a lock, where pages
 * cannot be unpinned nor sessions put: then a worker frees it.
 */
static void vcd_put_deferred(refcount_t *ref, struct work_struct *free)
{
	if (!refcount_dec_and_test(ref))
		return;
	if (in_task() && !irqs_disabled())
		free->func(free);
	else
		queue_work(vcd_wq, free);
}

static void vcd_op_put(struct vcd_op *op)
{
	vcd_put_deferred(&op->ref, &op->free_work);
}

static void vcd_piece_done(struct vcd_cookie *ck, unsigned int used, int err)
{
	struct vcd_piece *c = container_of(ck, struct vcd_piece, ck);
	struct vcd_op *op = c->op;

	c->used = used;
	c->err = err;
	atomic_dec(&op->s->dev->inflight);
	if (atomic_dec_and_test(&op->outstanding))
		wake_up(&op->wq);
	vcd_op_put(op);
}

/* Pin @len bytes at @uaddr for a request of @s (during its file's ioctl). */
static int vcd_buf_pin(struct vcd_session *s, struct vcd_buf *b,
		       unsigned long uaddr, size_t len, bool write)
{
	unsigned int n = DIV_ROUND_UP(offset_in_page(uaddr) + len, PAGE_SIZE);
	struct vcd_device *d = s->dev;
	struct vcd_pin *p;
	int got;

	p = vcd_pin_get(d, s->file, uaddr & PAGE_MASK, n, write);
	if (IS_ERR(p))
		return PTR_ERR(p);
	if (p) {
		b->pin = p;
		b->pages = &p->pages[((uaddr & PAGE_MASK) - p->start) >>
				     PAGE_SHIFT];
		goto pinned;
	}
	b->pages = kvmalloc_array(n, sizeof(*b->pages), GFP_KERNEL);
	if (!b->pages)
		return -ENOMEM;
	got = pin_user_pages_fast(uaddr & PAGE_MASK, n,
				  write ? FOLL_WRITE : 0, b->pages);
	if (got != n) {
		if (got > 0)
			unpin_user_pages(b->pages, got);
		kvfree(b->pages);
		b->pages = NULL;
		return -EFAULT;
	}
pinned:
	atomic64_add(n, &d->pinned);
	b->npages = n;
	b->offset = offset_in_page(uaddr);
	b->pinned = true;
	b->dirty = write;
	return 0;
}

/* A kernel copy, described by its pages like a pinned buffer. */
static int vcd_buf_kernel(struct vcd_buf *b, size_t len)
{
	unsigned int i, n;
	u8 *p;

	b->kbuf = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!b->kbuf)
		return -ENOMEM;
	p = b->kbuf;
	n = DIV_ROUND_UP(offset_in_page(p) + len, PAGE_SIZE);
	b->pages = kvmalloc_array(n, sizeof(*b->pages), GFP_KERNEL);
	if (!b->pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		void *at = (void *)((unsigned long)p & PAGE_MASK) + i * PAGE_SIZE;

		b->pages[i] = is_vmalloc_addr(at) ? vmalloc_to_page(at) :
						    virt_to_page(at);
	}
	b->npages = n;
	b->offset = offset_in_page(p);
	return 0;
}

/* Copy bytes out of / into a buffer at operation offset @off. */
static void vcd_buf_read(struct vcd_buf *b, size_t off, void *to, size_t n)
{
	while (n) {
		size_t pos = b->offset + off;
		size_t in = min_t(size_t, n, PAGE_SIZE - offset_in_page(pos));

		memcpy_from_page(to, b->pages[pos >> PAGE_SHIFT],
				 offset_in_page(pos), in);
		to += in;
		off += in;
		n -= in;
	}
}

static void vcd_buf_write(struct vcd_buf *b, size_t off, const void *from,
			  size_t n)
{
	while (n) {
		size_t pos = b->offset + off;
		size_t in = min_t(size_t, n, PAGE_SIZE - offset_in_page(pos));

		memcpy_to_page(b->pages[pos >> PAGE_SHIFT], offset_in_page(pos),
			       from, in);
		from += in;
		off += in;
		n -= in;
	}
}

/*
 * A scatterlist of at least @n entries, to describe one request until it
 * is queued (the ring keeps its own copy).  A 1 MiB request takes ~16 KiB
 * of them, which the page allocator would hand out, and Debian's kernel
 * zero (init_on_alloc), for every request: long ones are kept for the
 * next requests instead.  Entries are not cleared here; vcd_sg_set()
 * starts each afresh.
 */
static struct vcd_sgbuf *vcd_sg_get(struct vcd_device *d, unsigned int n)
{
	struct vcd_sgbuf *b;
	unsigned int i, cap = n;

	if (n > VCD_SG_SMALL && n <= d->sg_cap) {
		for (i = 0; i < VCD_SG_SPARES; i++) {
			b = xchg(&d->sg_spare[i], NULL);
			if (b)
				return b;
		}
		/* Kept ones all have room for the longest request. */
		cap = d->sg_cap;
		atomic64_inc(&d->sg_allocs);
	}
	b = kvmalloc(struct_size(b, sg, cap), GFP_KERNEL);
	if (b)
		b->cap = cap;
	return b;
}

static void vcd_sg_put(struct vcd_device *d, struct vcd_sgbuf *b)
{
	unsigned int i;

	if (b && b->cap == d->sg_cap && b->cap > VCD_SG_SMALL)
		for (i = 0; i < VCD_SG_SPARES; i++)
			if (!cmpxchg(&d->sg_spare[i], NULL, b))
				return;
	kvfree(b);
}

/* Set entry @sg, which may hold a previous request's (vcd_sg_get()). */
static void vcd_sg_set(struct scatterlist *sg, struct page *pg,
		       unsigned int len, unsigned int off)
{
	sg_init_table(sg, 1);
	sg_unmark_end(sg);
	sg_set_page(sg, pg, len, off);
}

static void vcd_sg_set_buf(struct scatterlist *sg, const void *buf,
			   unsigned int len)
{
	vcd_sg_set(sg, virt_to_page(buf), len, offset_in_page(buf));
}

/*
 * Fill @sg with @len bytes of @b from @off; returns entries used.  Runs of
 * physically contiguous pages share one entry: every entry becomes a
 * descriptor that both sides map and unmap one by one.
 */
static unsigned int vcd_buf_sg(struct vcd_buf *b, size_t off, size_t len,
			       struct scatterlist *sg, unsigned int *pages)
{
	unsigned int n = 0, np;

	while (len) {
		size_t pos = b->offset + off;
		size_t in = min_t(size_t, len, PAGE_SIZE - offset_in_page(pos));
		struct page **pg = &b->pages[pos >> PAGE_SHIFT];
		unsigned long pfn = page_to_pfn(pg[0]);

		/*
		 * The pages that follow in physical memory join this entry:
		 * under emulation this loop is a large part of the guest's
		 * work for a 1 MiB request, so it does no more than compare.
		 */
		for (np = 1; in < len && page_to_pfn(pg[np]) == pfn + np; np++)
			in += min_t(size_t, len - in, PAGE_SIZE);
		vcd_sg_set(&sg[n++], pg[0], in, offset_in_page(pos));
		*pages += np;
		off += in;
		len -= in;
	}
	return n;
}

static void vcd_ctr_add(u8 *ctr, unsigned int blk, u64 n)
{
	int i;

	for (i = blk - 1; i >= 0 && n; i--) {
		n += ctr[i];
		ctr[i] = n & 0xff;
		n >>= 8;
	}
}

/* Build and queue one piece covering [off, off + len) of the operation. */
static int vcd_piece_submit(struct vcd_op *op, struct vcd_piece *c,
			    size_t off, size_t len)
{
	struct virtio_crypto_cipher_para *p;
	struct scatterlist *sgs[5], *src, *dst, hdr, iv, st;
	unsigned int tail = 0, nsrc, ndst, out = 0, in = 0, qi;
	unsigned int pages = 0, segs;
	size_t body = len;
	struct vcd_device *d = op->dev;
	struct vcd_sgbuf *sgb;
	int err;

	if (op->a->mode == VCD_CTR && (len % op->a->blk)) {
		/* Devices take whole blocks: pad the keystream's last one. */
		tail = len % op->a->blk;
		body = len - tail;
		memset(op->tail_in, 0, sizeof(op->tail_in));
		vcd_buf_read(&op->src, off + body, op->tail_in, tail);
	}
	/* Source and destination: each page, and a padded CTR tail. */
	sgb = vcd_sg_get(d, 2 * (body / PAGE_SIZE + 3));
	if (!sgb)
		return -ENOMEM;
	src = sgb->sg;

	c->ck.done = vcd_piece_done;
	c->op = op;
	c->off = off;
	c->len = body + (tail ? op->a->blk : 0);
	c->used = 0;
	c->err = 0;
	c->st.status = 0xff;
	memset(&c->hdr, 0, sizeof(c->hdr));
	c->hdr.header.opcode = cpu_to_le32(op->dir == COP_ENCRYPT ?
					   VIRTIO_CRYPTO_CIPHER_ENCRYPT :
					   VIRTIO_CRYPTO_CIPHER_DECRYPT);
	c->hdr.header.algo = cpu_to_le32(op->a->vio);
	c->hdr.header.session_id = cpu_to_le64(op->dsid);
	c->hdr.u.sym_req.op_type = cpu_to_le32(VIRTIO_CRYPTO_SYM_OP_CIPHER);
	p = &c->hdr.u.sym_req.u.cipher.para;
	p->iv_len = cpu_to_le32(op->a->ivlen);
	p->src_data_len = cpu_to_le32(c->len);
	p->dst_data_len = cpu_to_le32(c->len);
	memcpy(c->iv, op->iv, op->a->ivlen);

	sg_init_one(&hdr, &c->hdr, sizeof(c->hdr));
	sgs[out++] = &hdr;
	if (op->a->ivlen) {
		sg_init_one(&iv, c->iv, op->a->ivlen);
		sgs[out++] = &iv;
	}
	nsrc = vcd_buf_sg(&op->src, off, body, src, &pages);
	segs = nsrc;
	if (tail)
		vcd_sg_set_buf(&src[nsrc++], op->tail_in, op->a->blk);
	sg_mark_end(&src[nsrc - 1]);
	sgs[out++] = src;

	dst = &src[nsrc];
	ndst = vcd_buf_sg(&op->dst, off, body, dst, &pages);
	segs += ndst;
	if (tail)
		vcd_sg_set_buf(&dst[ndst++], op->tail_out, op->a->blk);
	sg_mark_end(&dst[ndst - 1]);
	sgs[out + in++] = dst;
	sg_init_one(&st, &c->st, sizeof(c->st));
	sgs[out + in++] = &st;

	refcount_inc(&op->ref);
	atomic_inc(&op->outstanding);
	atomic_inc(&d->inflight);
	qi = (unsigned int)atomic_inc_return(&d->rr) % d->ndq;
	__set_bit(qi, op->qmask);
	err = __vcd_queue(d, &d->dqs[qi], sgs, out, in, &c->ck, op->poll_us);
	/* The ring has its own copy of the descriptors. */
	vcd_sg_put(d, sgb);
	if (err) {
		atomic_dec(&d->inflight);
		atomic_dec(&op->outstanding);
		refcount_dec(&op->ref);
		c->op = NULL;
		return err;
	}
	atomic64_add(pages, &d->data_pages);
	atomic64_add(segs, &d->data_segs);
	return 0;
}

/* Check a finished piece; on success finish a padded CTR tail. */
static int vcd_piece_check(struct vcd_op *op, struct vcd_piece *c, size_t len)
{
	if (c->err)
		return c->err;
	/* Lets tests see what a misbehaving device would cause. */
	switch (xchg(&inject, 0)) {
	case 1:
		c->used = c->len + 1000;
		break;
	case 2:
		c->st.status = 0x7f;
		break;
	}
	if (c->used != c->len + 1 || c->st.status != VIRTIO_CRYPTO_OK) {
		if (c->used > c->len + 1 || c->used < 1) {
			vcd_mark_broken(op->dev, "impossible used length");
			return -EIO;
		}
		if (c->st.status == VIRTIO_CRYPTO_OK) {
			vcd_mark_broken(op->dev, "short result");
			return -EIO;
		}
		return vcd_status_errno(op->dev, c->st.status);
	}
	if (c->len > len)
		vcd_buf_write(&op->dst, c->off + len - len % op->a->blk,
			      op->tail_out, len % op->a->blk);
	return 0;
}

static u32 *vcd_lat(struct vcd_device *d, size_t bytes)
{
	return &d->lat_ns[min_t(unsigned int, ilog2(bytes | 1),
				VCD_LAT_BUCKETS - 1)];
}

/*
 * How long to poll for the answers to @bytes (0: sleep).  Those that
 * usually come within poll_us (poll_small_us up to 4 KiB) are spun for:
 * that beats an interrupt and a wake-up.  Longer waits sleep at once,
 * leaving the CPU to the host (under emulation the spinning vCPU competes
 * with QEMU's threads, which big requests need).
 */
static unsigned int vcd_will_poll(struct vcd_device *d, size_t bytes)
{
	unsigned int us = bytes <= VCD_POLL_SMALL ? READ_ONCE(poll_small_us) :
			  READ_ONCE(poll_us);

	return READ_ONCE(*vcd_lat(d, bytes)) <= (u64)us * NSEC_PER_USEC ?
	       us : 0;
}

/* Add an answer that came @start ns ago to @lat, which was @seen. */
static void vcd_lat_add(u32 *lat, u32 seen, u64 start)
{
	u32 ns = min_t(u64, ktime_get_ns() - start, U32_MAX);

	/* A moving average over about eight waits; races only blur it. */
	WRITE_ONCE(*lat, seen ? seen - seen / 8 + ns / 8 : ns);
}

/* Wait for the pieces in flight, @bytes in all, queued at @start. */
static int vcd_wait_op(struct vcd_op *op, size_t bytes, u64 start)
{
	u32 *lat = vcd_lat(op->dev, bytes);
	u32 seen = READ_ONCE(*lat);
	long w;

	if (op->poll_us && atomic_read(&op->outstanding))
		vcd_poll_op(op->dev, op);

	w = wait_event_killable_timeout(op->wq,
					atomic_read(&op->outstanding) == 0,
					vcd_timeout());
	if (w < 0)
		return -EINTR;
	if (w == 0) {
		vcd_mark_broken(op->dev, "request timed out");
		return -EIO;
	}
	/* Pairs with the full barrier of atomic_dec_and_test() in vcd_piece_done(). */
	smp_rmb();
	if (bytes)
		vcd_lat_add(lat, seen, start);
	return 0;
}

/*
 * Run the operation in pieces of at most the device's size.  Pieces whose
 * IVs are known in advance (ECB, CTR, CBC decryption) go out together;
 * CBC encryption needs each piece's last ciphertext block, so it goes one
 * piece at a time.
 */
static int vcd_run(struct vcd_op *op)
{
	const struct vcd_alg *a = op->a;
	size_t max = a->mode == VCD_XTS ? op->dev->piece_xts : op->dev->piece_max;
	bool serial = a->mode == VCD_CBC && op->dir == COP_ENCRYPT;
	size_t off = 0, plen[VCD_BATCH];
	u8 next[VCD_MAX_IV];
	unsigned int i, n;
	int err = 0, err2;

	if (a->mode == VCD_XTS && op->len > max)
		return -EINVAL;	/* one XTS data unit per CIOCCRYPT */

	while (off < op->len && !err) {
		size_t start = off;
		u64 t0 = ktime_get_ns();

		op->poll_us = vcd_will_poll(op->dev,
					    min_t(size_t, op->len - off,
						  max * (serial ? 1 : op->npieces)));
		for (n = 0; n < (serial ? 1 : op->npieces) && off < op->len; n++) {
			plen[n] = min(max, op->len - off);
			/* Read before queueing: in place, the device overwrites it. */
			if (a->mode == VCD_CBC && op->dir == COP_DECRYPT)
				vcd_buf_read(&op->src, off + plen[n] - a->blk,
					     next, a->blk);
			err = vcd_piece_submit(op, &op->pieces[n], off,
					       plen[n]);
			if (err)
				break;
			off += plen[n];
			/* The next piece's IV. */
			if (a->mode == VCD_CBC && op->dir == COP_DECRYPT)
				memcpy(op->iv, next, a->blk);
			else if (a->mode == VCD_CTR)
				vcd_ctr_add(op->iv, a->blk, plen[n] / a->blk);
		}
		err2 = vcd_wait_op(op, off - start, t0);
		if (err2)
			return err2;	/* pieces still out keep op alive */
		off = start;
		for (i = 0; i < n; i++) {
			err2 = vcd_piece_check(op, &op->pieces[i], plen[i]);
			if (err2 && !err)
				err = err2;
			off += plen[i];
		}
		if (!err && serial)
			vcd_buf_read(&op->dst, off - a->blk, op->iv, a->blk);
	}
	if (!err && a->mode == VCD_CTR && op->len % a->blk)
		vcd_ctr_add(op->iv, a->blk, 1);
	return err;
}

/*
 * An unkeyed hash session is its algorithm and result length alone, and
 * the result length is the algorithm's: every user session of one hash
 * shares one device session, created at its first use and destroyed by
 * remove().  A program that opens a session per digest (OpenSSL's
 * devcrypto engine) then costs one data request per digest, not a create
 * and a destroy on the control queue as well.
 */
static int vcd_shared_dsession(struct vcd_session *s, u64 *id)
{
	struct vcd_device *d = s->dev;
	struct vcd_shared *sh = &d->shared[s->mac - vcd_macs];
	struct vcd_dsess ds = {
		.service = VIRTIO_CRYPTO_SERVICE_HASH,
		.algo = s->mac->vio,
	};
	int err = 0;

	/*
	 * Unlocked: remove() sets dead before it destroys the session, and a
	 * request that raced past this check is refused by vcd_queue().
	 */
	if (READ_ONCE(d->dead))
		return -ENODEV;
	/* Pairs with the release below: ok set means id is there. */
	if (smp_load_acquire(&sh->ok)) {
		*id = READ_ONCE(sh->id);
		return 0;
	}
	if (mutex_lock_killable(&d->shared_lock))
		return -EINTR;
	down_read(&d->dsess_rw);
	if (READ_ONCE(d->dead)) {
		err = -ENODEV;
	} else if (!sh->ok) {
		err = vcd_create_dsession(d, s, &ds, &d->nshared);
		if (!err) {
			WRITE_ONCE(sh->id, ds.id);
			/* Pairs with the acquire above. */
			smp_store_release(&sh->ok, true);
		}
	}
	if (!err)
		*id = sh->id;
	up_read(&d->dsess_rw);
	mutex_unlock(&d->shared_lock);
	return err;
}

/*
 * The device no longer knows shared session @id (a vhost-user back end
 * that restarted forgets every session): the next user creates another.
 */
static void vcd_shared_forget(struct vcd_session *s, u64 id)
{
	struct vcd_device *d = s->dev;
	struct vcd_shared *sh = &d->shared[s->mac - vcd_macs];

	mutex_lock(&d->shared_lock);
	/* As at creation: remove(), destroying what is left, is not running. */
	down_read(&d->dsess_rw);
	if (!READ_ONCE(d->dead) && sh->ok && sh->id == id) {
		WRITE_ONCE(sh->ok, false);
		atomic_dec(&d->nshared);
	}
	up_read(&d->dsess_rw);
	mutex_unlock(&d->shared_lock);
}

/*
 * The device session of @s for @service (and for ciphers and AEAD, @key:
 * direction and tag length), created at first use.
 */
static int vcd_get_dsession(struct vcd_session *s, u32 service, u32 key,
			    u64 *id)
{
	struct vcd_device *d = s->dev;
	struct vcd_dsess *ds;
	int err = 0;

	if (service == VIRTIO_CRYPTO_SERVICE_HASH)
		return vcd_shared_dsession(s, id);
	if (mutex_lock_killable(&s->lock))
		return -EINTR;
	/* Not once remove() has destroyed the device sessions. */
	down_read(&d->dsess_rw);
	if (READ_ONCE(d->dead)) {
		err = -ENODEV;
		goto out;
	}
	list_for_each_entry(ds, &s->dsl, node)
		if (ds->service == service && ds->key == key)
			goto found;
	ds = kzalloc(sizeof(*ds), GFP_KERNEL);
	if (!ds) {
		err = -ENOMEM;
		goto out;
	}
	ds->service = service;
	ds->key = key;
	ds->algo = service == VIRTIO_CRYPTO_SERVICE_HASH ||
		   service == VIRTIO_CRYPTO_SERVICE_MAC ? s->mac->vio :
							  s->alg->vio;
	err = vcd_create_dsession(d, s, ds, &d->dsessions);
	if (err) {
		kfree(ds);
		goto out;
	}
	list_add_tail(&ds->node, &s->dsl);
found:
	*id = ds->id;
out:
	up_read(&d->dsess_rw);
	mutex_unlock(&s->lock);
	return err;
}

/* Length rules of the session's cipher for one operation of @len bytes. */
static int vcd_cipher_check(struct vcd_session *s, size_t len)
{
	const struct vcd_alg *a = s->alg;

	if (len % a->blk && a->mode != VCD_CTR)
		return -EINVAL;
	if (len > VCD_MAX_OP_LEN)
		return -EINVAL;
	/* One XTS data unit per call: it cannot be split (see vcd_run()). */
	if (a->mode == VCD_XTS && len > s->dev->piece_xts)
		return -EINVAL;
	return 0;
}

static int vcd_dev_check(struct vcd_device *d)
{
	if (READ_ONCE(d->dead))
		return -ENODEV;
	if (test_bit(VCD_BROKEN, &d->state))
		return -EIO;
	return 0;
}

/*
 * Run the session's cipher over @len bytes of user memory from @src to
 * @dst, with @iv (updated to the IV that continues the stream).
 */
static int vcd_cipher_user(struct vcd_session *s, int dir, u16 flags,
			   u8 __user *src, u8 __user *dst, size_t len, u8 *iv)
{
	const struct vcd_alg *a = s->alg;
	struct vcd_device *d = s->dev;
	unsigned long usrc, udst;
	unsigned int npieces;
	struct vcd_op *op;
	bool bounce;
	u64 dsid;
	int err;

	if (!len)
		return 0;
	if (!src || !dst)
		return -EFAULT;
	err = vcd_get_dsession(s, VIRTIO_CRYPTO_SERVICE_CIPHER, dir, &dsid);
	if (err)
		return err;

	npieces = min_t(size_t, VCD_BATCH,
			DIV_ROUND_UP(len, a->mode == VCD_XTS ?
				     d->piece_xts : d->piece_max));
	op = kzalloc(struct_size(op, pieces, npieces), GFP_KERNEL);
	if (!op)
		return -ENOMEM;
	op->npieces = npieces;
	kref_get(&s->ref);
	op->s = s;
	op->dev = d;
	op->a = a;
	op->dir = dir;
	op->dsid = dsid;
	op->len = len;
	memcpy(op->iv, iv, VCD_MAX_IV);
	refcount_set(&op->ref, 1);
	init_waitqueue_head(&op->wq);
	INIT_WORK(&op->free_work, vcd_op_free_work);
	err = -ENOMEM;
	op->qmask = bitmap_zalloc(d->ndq, GFP_KERNEL);
	if (!op->qmask)
		goto put_op;

	usrc = (unsigned long)src;
	udst = (unsigned long)dst;
	/* Partly overlapping buffers would feed results back as input. */
	bounce = len <= bounce_max || (flags & COP_FLAG_NO_ZC) ||
		 (usrc != udst && usrc < udst + len && udst < usrc + len);
	op->inplace = usrc == udst;
	if (!bounce) {
		if (op->inplace) {
			err = vcd_buf_pin(s, &op->src, usrc, len, true);
		} else {
			err = vcd_buf_pin(s, &op->src, usrc, len, false);
			if (!err)
				err = vcd_buf_pin(s, &op->dst, udst, len, true);
		}
		if (err) {
			/* Not pinnable (e.g. I/O memory): fall back to copying. */
			vcd_buf_release(d, &op->src);
			vcd_buf_release(d, &op->dst);
			bounce = true;
		}
	}
	if (bounce) {
		op->inplace = false;
		err = vcd_buf_kernel(&op->src, len);
		if (!err)
			err = vcd_buf_kernel(&op->dst, len);
		if (err)
			goto put_op;
		err = -EFAULT;
		if (copy_from_user(op->src.kbuf, src, len))
			goto put_op;
	}
	if (op->inplace)
		op->dst = op->src;

	err = vcd_run(op);
	if (!err && bounce && copy_to_user(dst, op->dst.kbuf, len))
		err = -EFAULT;
	if (!err)
		memcpy(iv, op->iv, VCD_MAX_IV);
put_op:
	vcd_op_put(op);
	return err;
}

/* ---- single requests: hash, MAC, AEAD ---- */

/*
 * One part of a single request: pinned user pages, or a kernel buffer
 * (owned and wiped when freed if cap is set).  An alias part names the
 * pages another part of the request pinned (in place: source and
 * destination are the same memory).
 */
struct vcd_part {
	struct vcd_buf zc;
	u8 *kbuf;
	size_t cap;
	size_t len;
	bool alias;
};

#define VCD_SREQ_RD	3	/* device-readable parts: AEAD iv, source, aad */

/* One data request; holds its buffers until the device has answered. */
struct vcd_sreq {
	struct vcd_cookie ck;
	refcount_t ref;
	struct completion done;
	atomic_t outstanding;	/* 1 until the device answers, for vcd_poll() */
	struct work_struct free_work;
	/* Held until the device answers, like vcd_op's. */
	struct vcd_session *s;
	struct virtio_crypto_op_data_req hdr;
	u8 iv[VCD_MAX_IV];
	struct vcd_part rd[VCD_SREQ_RD];	/* device-readable, in order */
	struct vcd_part dst;	/* device-writable data before wr (AEAD) */
	u8 *wr;			/* device-writable: result, then status */
	size_t wrlen;
	unsigned int used;
	int err;
};

static void vcd_part_free(struct vcd_device *d, struct vcd_part *p)
{
	if (p->zc.pinned && !p->alias)
		vcd_buf_release(d, &p->zc);
	if (p->cap)
		kvfree_sensitive(p->kbuf, p->cap);
}

static void vcd_sreq_free(struct vcd_sreq *r)
{
	unsigned int i;

	for (i = 0; i < VCD_SREQ_RD; i++)
		vcd_part_free(r->s->dev, &r->rd[i]);
	vcd_part_free(r->s->dev, &r->dst);
	kfree_sensitive(r->wr);
	vcd_session_put(r->s);
	kfree(r);
}

static void vcd_sreq_free_work(struct work_struct *w)
{
	vcd_sreq_free(container_of(w, struct vcd_sreq, free_work));
}

static void vcd_sreq_put(struct vcd_sreq *r)
{
	vcd_put_deferred(&r->ref, &r->free_work);
}

static void vcd_sreq_done(struct vcd_cookie *ck, unsigned int used, int err)
{
	struct vcd_sreq *r = container_of(ck, struct vcd_sreq, ck);

	r->used = used;
	r->err = err;
	atomic_dec(&r->s->dev->inflight);
	atomic_set(&r->outstanding, 0);
	complete(&r->done);
	vcd_sreq_put(r);
}

/*
 * A request for @s; @wrlen bytes of result (a digest at most; the status
 * byte is added).
 */
static struct vcd_sreq *vcd_sreq_alloc(struct vcd_session *s, size_t wrlen)
{
	struct vcd_sreq *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return NULL;
	r->ck.done = vcd_sreq_done;
	refcount_set(&r->ref, 1);
	init_completion(&r->done);
	INIT_WORK(&r->free_work, vcd_sreq_free_work);
	r->wrlen = wrlen + 1;
	r->wr = kzalloc(r->wrlen, GFP_KERNEL_ACCOUNT);
	if (!r->wr) {
		kfree(r);
		return NULL;
	}
	/* Not OK until the device says so. */
	r->wr[wrlen] = VIRTIO_CRYPTO_ERR;
	kref_get(&s->ref);
	r->s = s;
	return r;
}

/* A kernel buffer of @len bytes for @p, owned by it. */
static int vcd_part_kernel(struct vcd_part *p, size_t len)
{
	p->len = len;
	if (!len)
		return 0;
	p->kbuf = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!p->kbuf)
		return -ENOMEM;
	p->cap = len;
	return 0;
}

/* A kernel copy of @len bytes of user memory at @src. */
static int vcd_part_copy(struct vcd_part *p, const u8 __user *src, size_t len)
{
	int err = vcd_part_kernel(p, len);

	if (!err && len && copy_from_user(p->kbuf, src, len))
		err = -EFAULT;
	return err;
}

static unsigned int vcd_kbuf_nents(const void *buf, size_t len)
{
	if (!len)
		return 0;
	if (!is_vmalloc_addr(buf))
		return 1;
	return DIV_ROUND_UP(offset_in_page(buf) + len, PAGE_SIZE);
}

/* Describe a kmalloc'ed (one entry) or vmalloc'ed (per page) buffer. */
static unsigned int vcd_kbuf_sg(struct scatterlist *sg, void *buf, size_t len)
{
	unsigned int n = 0;

	if (!is_vmalloc_addr(buf)) {
		vcd_sg_set_buf(&sg[n++], buf, len);
	} else {
		while (len) {
			size_t in = min_t(size_t, len,
					  PAGE_SIZE - offset_in_page(buf));

			vcd_sg_set(&sg[n++], vmalloc_to_page(buf), in,
				   offset_in_page(buf));
			buf += in;
			len -= in;
		}
	}
	return n;
}

/* Descriptors @p may take (at most). */
static unsigned int vcd_part_nents(const struct vcd_part *p)
{
	if (!p->len)
		return 0;
	if (p->zc.pinned)
		return p->zc.npages;
	return vcd_kbuf_nents(p->kbuf, p->len);
}

/* Fill @sg with @p and end it there; entries used, pinned pages counted. */
static unsigned int vcd_part_sg(struct vcd_part *p, struct scatterlist *sg,
				unsigned int *pages, unsigned int *segs)
{
	unsigned int n;

	if (p->zc.pinned) {
		n = vcd_buf_sg(&p->zc, 0, p->len, sg, pages);
		*segs += n;
	} else {
		n = vcd_kbuf_sg(sg, p->kbuf, p->len);
	}
	sg_mark_end(&sg[n - 1]);
	return n;
}

/*
 * Queue @r on a data queue and wait for the device's answer: polled with
 * the queue's interrupt off when answers for its size usually come within
 * poll_us (poll_small_us), as ciphers' pieces (vcd_will_poll()).
 */
static int vcd_sreq_run(struct vcd_sreq *r)
{
	struct vcd_device *d = r->s->dev;
	struct scatterlist hdr, wr, *sg = NULL, *sgs[VCD_SREQ_RD + 3];
	struct vcd_sgbuf *sgb = NULL;
	unsigned int out = 0, in = 0, qi, pages = 0, segs = 0, n = 0, i;
	size_t wlen = r->dst.len + r->wrlen, bytes = 0;
	unsigned long qbit = 1;
	unsigned int poll;
	u32 *lat, seen;
	u8 status;
	u64 t0;
	long w;
	int err;

	for (i = 0; i < VCD_SREQ_RD; i++) {
		n += vcd_part_nents(&r->rd[i]);
		/* An AEAD IV is no work: a 4 KiB GCM request is a small one. */
		if (r->rd[i].kbuf != r->iv)
			bytes += r->rd[i].len;
	}
	n += vcd_part_nents(&r->dst);
	/* The header and the result take one descriptor each. */
	if (n + 2 > d->sreq_nents || wlen > U32_MAX)
		return -EMSGSIZE;
	sgb = n ? vcd_sg_get(d, n) : NULL;
	if (n && !sgb)
		return -ENOMEM;
	if (sgb)
		sg = sgb->sg;
	sg_init_one(&hdr, &r->hdr, sizeof(r->hdr));
	sgs[out++] = &hdr;
	n = 0;
	for (i = 0; i < VCD_SREQ_RD; i++) {
		if (!r->rd[i].len)
			continue;
		sgs[out++] = &sg[n];
		n += vcd_part_sg(&r->rd[i], &sg[n], &pages, &segs);
	}
	if (r->dst.len) {
		sgs[out + in++] = &sg[n];
		n += vcd_part_sg(&r->dst, &sg[n], &pages, &segs);
	}
	sg_init_one(&wr, r->wr, r->wrlen);
	sgs[out + in++] = &wr;

	lat = vcd_lat(d, bytes);
	seen = READ_ONCE(*lat);
	poll = vcd_will_poll(d, bytes);
	refcount_inc(&r->ref);	/* the device's */
	atomic_inc(&d->inflight);
	atomic_set(&r->outstanding, 1);
	qi = (unsigned int)atomic_inc_return(&d->rr) % d->ndq;
	t0 = ktime_get_ns();
	err = __vcd_queue(d, &d->dqs[qi], sgs, out, in, &r->ck, poll);
	/* The ring has its own copy of the descriptors. */
	vcd_sg_put(d, sgb);
	if (err) {
		atomic_dec(&d->inflight);
		refcount_dec(&r->ref);
		return err;
	}
	if (pages) {
		atomic64_add(pages, &d->data_pages);
		atomic64_add(segs, &d->data_segs);
	}
	if (poll)
		vcd_poll(d, &qbit, qi, 1, &r->outstanding, poll);
	w = wait_for_completion_killable_timeout(&r->done, vcd_timeout());
	if (w < 0)
		return -EINTR;	/* the request keeps its buffers until answered */
	if (w == 0) {
		vcd_mark_broken(d, "request timed out");
		return -EIO;
	}
	if (r->err)
		return r->err;
	status = r->wr[r->wrlen - 1];
	if (r->used > wlen || r->used < 1) {
		vcd_mark_broken(d, "impossible used length");
		return -EIO;
	}
	if (status != VIRTIO_CRYPTO_OK)
		return vcd_status_errno(d, status);
	if (r->used != wlen) {
		vcd_mark_broken(d, "short result");
		return -EIO;
	}
	vcd_lat_add(lat, seen, t0);
	return 0;
}

/* Send hash or MAC request @r for its message; the digest to @digest. */
static int vcd_digest_run(struct vcd_session *s, struct vcd_sreq *r,
			  u8 *digest)
{
	const struct vcd_mac *m = s->mac;
	size_t len = r->rd[0].len;
	bool again = m->service == VIRTIO_CRYPTO_SERVICE_HASH;
	u64 dsid;
	int err;

retry:
	err = vcd_get_dsession(s, m->service, 0, &dsid);
	if (err)
		goto out;
	r->hdr.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_OPCODE(m->service, 0));
	r->hdr.header.algo = cpu_to_le32(m->vio);
	r->hdr.header.session_id = cpu_to_le64(dsid);
	/* MAC requests have the hash request's layout. */
	r->hdr.u.hash_req.para.src_data_len = cpu_to_le32(len);
	r->hdr.u.hash_req.para.hash_result_len = cpu_to_le32(m->dlen);
	err = vcd_sreq_run(r);
	/*
	 * A shared session the device forgot is not this user's doing: once
	 * more on a new one.  The answered request can be sent again.
	 */
	if (again && err == -EINVAL && !r->err &&
	    r->wr[r->wrlen - 1] == VIRTIO_CRYPTO_INVSESS) {
		vcd_shared_forget(s, dsid);
		reinit_completion(&r->done);
		again = false;
		goto retry;
	}
	if (!err)
		memcpy(digest, r->wr, m->dlen);
out:
	vcd_sreq_put(r);
	return err;
}

/*
 * Hash or MAC the @len bytes at @buf (@cap allocated, kvmalloc'ed or NULL),
 * which the request takes over, into @digest (the session's digest size).
 */
static int vcd_digest(struct vcd_session *s, u8 *buf, size_t len, size_t cap,
		      u8 *digest)
{
	struct vcd_sreq *r = vcd_sreq_alloc(s, s->mac->dlen);

	if (!r) {
		kvfree_sensitive(buf, cap);
		return -ENOMEM;
	}
	r->rd[0].kbuf = buf;
	r->rd[0].len = len;
	r->rd[0].cap = cap;
	return vcd_digest_run(s, r, digest);
}

/*
 * A one-shot digest of user memory, pinned and named to the device as the
 * cipher path does: no copy.  -ENOTBLK when the pages cannot be pinned
 * (the caller copies instead).
 */
static int vcd_digest_pinned(struct vcd_session *s, const u8 __user *src,
			     size_t len, u8 *digest)
{
	struct vcd_sreq *r = vcd_sreq_alloc(s, s->mac->dlen);

	if (!r)
		return -ENOMEM;
	if (vcd_buf_pin(s, &r->rd[0].zc, (unsigned long)src, len, false)) {
		vcd_sreq_put(r);
		return -ENOTBLK;
	}
	r->rd[0].len = len;
	return vcd_digest_run(s, r, digest);
}

/* The longest message the device takes in one request. */
static size_t vcd_msg_max(struct vcd_session *s)
{
	return min_t(size_t, READ_ONCE(hash_max_session), s->dev->msg_max);
}

/* Room for @add more message bytes in @s's buffer; s->hlock held. */
static int vcd_hash_reserve(struct vcd_session *s, size_t add)
{
	size_t need = s->hlen + add, max = vcd_msg_max(s), cap, grow;
	u8 *nb;

	if (need <= s->hcap)
		return 0;
	if (need > max || need < add)
		return -EMSGSIZE;
	cap = min(max3(need, 2 * s->hcap, (size_t)PAGE_SIZE), max);
	grow = cap - s->hcap;
	if (atomic64_add_return(grow, s->facct) > READ_ONCE(hash_max_file)) {
		atomic64_sub(grow, s->facct);
		return -ENOBUFS;
	}
	if (atomic64_add_return(grow, &vcd_held) > READ_ONCE(hash_max_total)) {
		atomic64_sub(grow, &vcd_held);
		atomic64_sub(grow, s->facct);
		return -ENOBUFS;
	}
	nb = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
	if (!nb) {
		atomic64_sub(grow, &vcd_held);
		atomic64_sub(grow, s->facct);
		return -ENOMEM;
	}
	if (s->hlen)
		memcpy(nb, s->hbuf, s->hlen);
	kvfree_sensitive(s->hbuf, s->hcap);
	s->hbuf = nb;
	s->hcap = cap;
	return 0;
}

/* Add @len bytes of user memory to @s's message; s->hlock held. */
static int vcd_hash_append(struct vcd_session *s, const u8 __user *src,
			   size_t len)
{
	int err;

	if (!len)
		return 0;
	if (!src)
		return -EFAULT;
	err = vcd_hash_reserve(s, len);
	if (err)
		return err;
	if (copy_from_user(s->hbuf + s->hlen, src, len))
		return -EFAULT;
	s->hlen += len;
	return 0;
}

/* Hash the message kept in @s, which starts afresh; s->hlock held. */
static int vcd_hash_final(struct vcd_session *s, u8 *digest)
{
	u8 *buf = s->hbuf;
	size_t len = s->hlen, cap = s->hcap;

	if (buf) {
		atomic64_sub(cap, s->facct);
		atomic64_sub(cap, &vcd_held);
	}
	s->hbuf = NULL;
	s->hlen = 0;
	s->hcap = 0;
	return vcd_digest(s, buf, len, cap, digest);
}

/*
 * A digest over @alen bytes at @auth followed by @len bytes at @src, all
 * in user memory (TLS and SRTP modes).
 */
static int vcd_digest_user(struct vcd_session *s, const u8 __user *auth,
			   size_t alen, const u8 __user *src, size_t len,
			   u8 *digest)
{
	size_t total = alen + len;
	u8 *buf = NULL;

	if (total > vcd_msg_max(s) || total < len)
		return -EMSGSIZE;
	if (total) {
		buf = kvmalloc(total, GFP_KERNEL_ACCOUNT);
		if (!buf)
			return -ENOMEM;
	}
	if ((alen && copy_from_user(buf, auth, alen)) ||
	    (len && copy_from_user(buf + alen, src, len))) {
		kvfree_sensitive(buf, total);
		return -EFAULT;
	}
	return vcd_digest(s, buf, total, total, digest);
}

/* ---- CIOCCRYPT ---- */

#define VCD_HASH_FLAGS	(COP_FLAG_UPDATE | COP_FLAG_FINAL | COP_FLAG_RESET)

/*
 * A session with a mac, as cryptodev-linux runs it: flags 0 or RESET start
 * a new message; the data is hashed (before encryption, after decryption
 * when there is a cipher too); without UPDATE, with FINAL, or with len 0
 * the digest goes to cop->mac.
 */
static long vcd_crypt_mac(struct vcd_session *s, const struct crypt_op *cop,
			  u8 *iv)
{
	u8 digest[VCD_MAX_DIGEST];
	bool final;
	int err;

	if (cop->flags & ~(VCD_HASH_FLAGS | COP_FLAG_WRITE_IV | COP_FLAG_NO_ZC))
		return -EINVAL;
	if (s->alg) {
		err = vcd_cipher_check(s, cop->len);
		if (err)
			return err;
	}
	err = vcd_dev_check(s->dev);
	if (err)
		return err;
	if (mutex_lock_killable(&s->hlock))
		return -EINTR;
	err = -EINVAL;
	if (s->gone)
		goto unlock;
	if (!cop->flags || (cop->flags & COP_FLAG_RESET))
		vcd_hash_clear(s);
	final = (cop->flags & COP_FLAG_FINAL) ||
		!(cop->flags & COP_FLAG_UPDATE) || !cop->len;
	/*
	 * A whole message from the caller's memory: no need to keep it.  Big
	 * ones are pinned; small ones are copied to a buffer of their size,
	 * not to the session's (which would be a page at least, counted and
	 * wiped whole).
	 */
	if (final && !s->alg && !s->hlen && cop->len <= vcd_msg_max(s)) {
		err = -ENOTBLK;
		if (cop->len > bounce_max && !(cop->flags & COP_FLAG_NO_ZC) &&
		    cop->src)
			err = vcd_digest_pinned(s, cop->src, cop->len, digest);
		if (err == -ENOTBLK)
			err = vcd_digest_user(s, NULL, 0, cop->src, cop->len,
					      digest);
		goto out;
	}
	if (s->alg && cop->op == COP_ENCRYPT) {
		err = vcd_hash_append(s, cop->src, cop->len);
		if (!err)
			err = vcd_cipher_user(s, cop->op, cop->flags, cop->src,
					      cop->dst, cop->len, iv);
	} else if (s->alg) {
		err = vcd_cipher_user(s, cop->op, cop->flags, cop->src,
				      cop->dst, cop->len, iv);
		if (!err)
			err = vcd_hash_append(s, cop->dst, cop->len);
	} else {
		err = vcd_hash_append(s, cop->src, cop->len);
	}
	if (err || !final)
		goto unlock;
	err = vcd_hash_final(s, digest);
out:
	if (!err && copy_to_user(cop->mac, digest, s->mac->dlen))
		err = -EFAULT;
	memzero_explicit(digest, sizeof(digest));
unlock:
	mutex_unlock(&s->hlock);
	return err;
}

/* CIOCCRYPT on a crypt_op already copied in. */
static long vcd_crypt(struct vcd_file *f, const struct crypt_op *copp)
{
	const struct crypt_op cop = *copp;
	u8 iv[VCD_MAX_IV] = {};
	const struct vcd_alg *a;
	struct vcd_session *s;
	int err;

	s = vcd_session_get(f, cop.ses);
	if (!s)
		return -EINVAL;
	a = s->alg;
	err = -EINVAL;
	if (cop.op != COP_ENCRYPT && cop.op != COP_DECRYPT)
		goto put_session;
	/* AES-GCM goes through CIOCAUTHCRYPT, as in cryptodev-linux. */
	if (a && a->mode == VCD_GCM)
		goto put_session;
	err = -EFAULT;
	if (a && a->ivlen && cop.iv && copy_from_user(iv, cop.iv, a->ivlen))
		goto put_session;
	if (s->mac) {
		err = vcd_crypt_mac(s, &cop, iv);
	} else {
		err = -EINVAL;
		if (cop.flags & ~(COP_FLAG_WRITE_IV | COP_FLAG_NO_ZC))
			goto put_session;
		err = vcd_cipher_check(s, cop.len);
		if (!err)
			err = vcd_dev_check(s->dev);
		if (!err)
			err = vcd_cipher_user(s, cop.op, cop.flags, cop.src,
					      cop.dst, cop.len, iv);
	}
	if (!err && cop.len && (cop.flags & COP_FLAG_WRITE_IV) && a &&
	    a->ivlen && a->mode != VCD_XTS && cop.iv &&
	    copy_to_user(cop.iv, iv, a->ivlen))
		err = -EFAULT;
put_session:
	vcd_session_put(s);
	return err;
}

static long vcd_ioc_crypt(struct vcd_file *f, void __user *arg)
{
	struct crypt_op cop;

	if (copy_from_user(&cop, arg, sizeof(cop)))
		return -EFAULT;
	return vcd_crypt(f, &cop);
}

/* ---- CIOCCPHASH ---- */

/*
 * Copy the message @src has hashed so far to @dst (same algorithm); @dst's
 * own key applies to what follows.  Sessions of the same file.
 */
static long vcd_ioc_cphash(struct vcd_file *f, void __user *arg)
{
	struct vcd_session *src, *dst, *first, *second;
	struct cphash_op cp;
	long err;

	if (copy_from_user(&cp, arg, sizeof(cp)))
		return -EFAULT;
	if (cp.dst_ses == cp.src_ses)
		return -EDEADLK;
	src = vcd_session_get(f, cp.src_ses);
	dst = vcd_session_get(f, cp.dst_ses);
	err = -ENOENT;
	if (!src || !dst)
		goto put;
	err = -EINVAL;
	if (!src->mac || src->mac != dst->mac)
		goto put;
	first = src < dst ? src : dst;
	second = src < dst ? dst : src;
	err = -EINTR;
	if (mutex_lock_killable(&first->hlock))
		goto put;
	if (mutex_lock_killable_nested(&second->hlock, SINGLE_DEPTH_NESTING)) {
		mutex_unlock(&first->hlock);
		goto put;
	}
	err = -ENOENT;
	if (src->gone || dst->gone)
		goto unlock;
	vcd_hash_clear(dst);
	err = vcd_hash_reserve(dst, src->hlen);
	if (!err && src->hlen) {
		memcpy(dst->hbuf, src->hbuf, src->hlen);
		dst->hlen = src->hlen;
	}
unlock:
	mutex_unlock(&second->hlock);
	mutex_unlock(&first->hlock);
put:
	if (src)
		vcd_session_put(src);
	if (dst)
		vcd_session_put(dst);
	return err;
}

/* ---- CIOCAUTHCRYPT ---- */

/*
 * The source and destination of an AEAD request: the caller's pages pinned
 * and named to the device as the cipher path does, or (small, partly
 * overlapping, COP_FLAG_NO_ZC, or not pinnable) kernel copies.  In place,
 * one pinning of the longer side serves both.  Returns true when pinned.
 */
static bool vcd_aead_pin(struct vcd_sreq *r, const struct crypt_auth_op *c,
			 size_t len, size_t dlen)
{
	unsigned long usrc = (unsigned long)c->src, udst = (unsigned long)c->dst;
	struct vcd_device *d = r->s->dev;
	struct vcd_part *src = &r->rd[1], *dst = &r->dst;

	/* Partly overlapping buffers would feed results back as input. */
	if (max(len, dlen) <= bounce_max || (c->flags & COP_FLAG_NO_ZC) ||
	    (usrc != udst && len && dlen && usrc < udst + dlen &&
	     udst < usrc + len))
		return false;
	if (usrc == udst) {
		if (vcd_buf_pin(r->s, &src->zc, usrc, max(len, dlen), true))
			return false;
		dst->zc = src->zc;
		dst->alias = true;
	} else if ((len && vcd_buf_pin(r->s, &src->zc, usrc, len, false)) ||
		   (dlen && vcd_buf_pin(r->s, &dst->zc, udst, dlen, true))) {
		/* Not pinnable (e.g. I/O memory): copy instead. */
		vcd_part_free(d, src);
		memset(&src->zc, 0, sizeof(src->zc));
		return false;
	}
	src->len = len;
	dst->len = dlen;
	return true;
}

/*
 * AES-GCM: one AEAD request, the spec's order: iv, source, aad; the
 * destination (the tag follows the ciphertext), status.  The AAD (at most
 * a page) is copied, as cryptodev-linux does: cheaper than pinning it.
 */
static int vcd_gcm(struct vcd_session *s, struct crypt_auth_op *c,
		   const u8 *iv)
{
	bool enc = c->op == COP_ENCRYPT, zc;
	u32 tag = c->tag_len ? c->tag_len : VCD_GCM_TAG;
	size_t len = c->len, dlen;
	struct vcd_sreq *r;
	__le32 *flf;
	u64 dsid;
	int err;

	/* The tag lengths of NIST SP 800-38D, as Linux's gcm(aes). */
	if (tag > VCD_GCM_TAG || (tag < 12 && tag != 4 && tag != 8))
		return -EINVAL;
	if (c->auth_len > VCD_MAX_AAD || len > VCD_MAX_OP_LEN)
		return -EINVAL;
	if (!enc && len < tag)
		return -EINVAL;
	dlen = enc ? len + tag : len - tag;
	/* The device counts every variable part against max_size. */
	if (VCD_GCM_IV + len + c->auth_len + dlen > s->dev->max_size)
		return -EMSGSIZE;
	if ((len && !c->src) || (dlen && !c->dst) ||
	    (c->auth_len && !c->auth_src))
		return -EFAULT;

	r = vcd_sreq_alloc(s, 0);
	if (!r)
		return -ENOMEM;
	memcpy(r->iv, iv, VCD_GCM_IV);
	r->rd[0].kbuf = r->iv;
	r->rd[0].len = VCD_GCM_IV;
	err = vcd_part_copy(&r->rd[2], c->auth_src, c->auth_len);
	if (err)
		goto out;
	zc = vcd_aead_pin(r, c, len, dlen);
	if (!zc) {
		err = vcd_part_copy(&r->rd[1], c->src, len);
		if (!err)
			err = vcd_part_kernel(&r->dst, dlen);
		if (err)
			goto out;
	}
	err = vcd_get_dsession(s, VIRTIO_CRYPTO_SERVICE_AEAD, c->op | tag << 8,
			       &dsid);
	if (err)
		goto out;
	r->hdr.header.opcode = cpu_to_le32(enc ? VIRTIO_CRYPTO_AEAD_ENCRYPT :
					   VIRTIO_CRYPTO_AEAD_DECRYPT);
	r->hdr.header.algo = cpu_to_le32(s->alg->vio);
	r->hdr.header.session_id = cpu_to_le64(dsid);
	r->hdr.u.aead_req.para.iv_len = cpu_to_le32(VCD_GCM_IV);
	r->hdr.u.aead_req.para.aad_len = cpu_to_le32(c->auth_len);
	r->hdr.u.aead_req.para.src_data_len = cpu_to_le32(len);
	r->hdr.u.aead_req.para.dst_data_len = cpu_to_le32(dlen);
	/* tag_len follows dst_data_len (virtio 1.2); Linux's header lacks it. */
	flf = (__le32 *)&r->hdr.u.aead_req;
	flf[4] = cpu_to_le32(tag);
	err = vcd_sreq_run(r);
	if (err)
		goto out;
	if (!zc && dlen && copy_to_user(c->dst, r->dst.kbuf, dlen)) {
		err = -EFAULT;
		goto out;
	}
	c->len = dlen;
	c->tag_len = tag;
	c->tag = c->dst + (enc ? len : len - tag);
out:
	vcd_sreq_put(r);
	return err;
}

/* A constant-time check of TLS padding; returns the bytes it takes or 0. */
static size_t vcd_tls_pad(const u8 *p, size_t len)
{
	u8 n = p[len - 1], bad = 0;
	size_t i, max = min_t(size_t, len, 256);

	bad |= (size_t)n + 1 > len;
	for (i = 1; i <= max; i++) {
		/* The last n + 1 bytes must all be n. */
		u8 in = i <= (size_t)n + 1;

		bad |= in & (p[len - i] != n);
	}
	return bad ? 0 : (size_t)n + 1;
}

/*
 * TLS 1.0-1.2 MAC-then-encrypt (cryptodev-linux's COP_FLAG_AEAD_TLS_TYPE),
 * in place: encrypt MACs auth_src || data, appends the MAC and the padding
 * and encrypts it all; decrypt decrypts, checks padding and MAC.
 */
static int vcd_tls(struct vcd_session *s, struct crypt_auth_op *c, u8 *iv)
{
	const struct vcd_alg *a = s->alg;
	u32 tag = c->tag_len ? c->tag_len : s->mac->dlen;
	u8 digest[VCD_MAX_DIGEST], want[VCD_MAX_DIGEST];
	u8 tail[VCD_MAX_DIGEST + VCD_MAX_IV];
	size_t bs = a->mode == VCD_CTR ? 1 : a->blk, len = c->len, pad, total;
	size_t plen;
	u8 *buf;
	int err;

	if (tag > s->mac->dlen || c->auth_len > VCD_MAX_AAD)
		return -EINVAL;
	if (c->op == COP_ENCRYPT) {
		pad = bs > 1 ? bs - (len + tag) % bs : 0;
		total = len + tag + pad;
		err = vcd_cipher_check(s, total);
		if (err)
			return err;
		err = vcd_digest_user(s, c->auth_src, c->auth_len, c->dst, len,
				      digest);
		if (err)
			return err;
		memcpy(tail, digest, tag);
		memset(tail + tag, pad - 1, pad);
		err = -EFAULT;
		if (copy_to_user(c->dst + len, tail, tag + pad))
			goto out;
		err = vcd_cipher_user(s, COP_ENCRYPT, c->flags, c->dst, c->dst,
				      total, iv);
		if (!err)
			c->len = total;
		goto out;
	}
	if (!len)
		return -EINVAL;
	err = vcd_cipher_check(s, len);
	if (err)
		return err;
	err = vcd_cipher_user(s, COP_DECRYPT, c->flags, c->dst, c->dst, len, iv);
	if (err)
		return err;
	buf = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	err = -EFAULT;
	if (copy_from_user(buf, c->dst, len))
		goto free;
	plen = len;
	pad = bs > 1 ? vcd_tls_pad(buf, len) : 1;
	/* Bad padding fails as a bad MAC does, after the same work. */
	if (bs > 1 && pad)
		plen = len - pad;
	err = -EINVAL;
	if (tag > plen)
		goto free;
	memcpy(want, buf + plen - tag, tag);
	err = vcd_digest_user(s, c->auth_src, c->auth_len, c->dst, plen - tag,
			      digest);
	if (err)
		goto free;
	err = -EBADMSG;
	if (!crypto_memneq(want, digest, tag) && pad)
		err = 0;
	if (!err)
		c->len = plen - tag;
free:
	kvfree_sensitive(buf, len);
out:
	memzero_explicit(digest, sizeof(digest));
	memzero_explicit(tail, sizeof(tail));
	return err;
}

/*
 * SRTP (cryptodev-linux's COP_FLAG_AEAD_SRTP_TYPE), in place: the MAC
 * covers auth_src, which holds the encrypted payload at src; the tag is
 * written to, or checked against, c->tag.
 */
static int vcd_srtp(struct vcd_session *s, struct crypt_auth_op *c, u8 *iv)
{
	u32 tag = c->tag_len ? c->tag_len : s->mac->dlen;
	u8 digest[VCD_MAX_DIGEST], want[VCD_MAX_DIGEST];
	long diff = (long)(c->src - c->auth_src);
	int err;

	if (s->alg->mode != VCD_CTR || tag > s->mac->dlen)
		return -EINVAL;
	if (!c->dst || !c->auth_src || !c->len || !c->auth_len)
		return -EINVAL;
	if (diff < 0 || diff > VCD_SRTP_MAX_DIFF ||
	    diff + c->len > c->auth_len)
		return -EINVAL;
	err = vcd_cipher_check(s, c->len);
	if (err)
		return err;
	if (c->op == COP_ENCRYPT) {
		err = vcd_cipher_user(s, COP_ENCRYPT, c->flags, c->dst, c->dst,
				      c->len, iv);
		if (!err)
			err = vcd_digest_user(s, c->auth_src, c->auth_len,
					      NULL, 0, digest);
		if (!err && copy_to_user(c->tag, digest, tag))
			err = -EFAULT;
		goto out;
	}
	if (tag > c->len)
		return -EINVAL;
	if (copy_from_user(want, c->tag, tag))
		return -EFAULT;
	err = vcd_digest_user(s, c->auth_src, c->auth_len, NULL, 0, digest);
	if (!err && crypto_memneq(want, digest, tag))
		err = -EBADMSG;
	if (!err)
		err = vcd_cipher_user(s, COP_DECRYPT, c->flags, c->dst, c->dst,
				      c->len, iv);
out:
	memzero_explicit(digest, sizeof(digest));
	return err;
}

/* CIOCAUTHCRYPT on a crypt_auth_op already copied in; updates it. */
static long vcd_authcrypt(struct vcd_file *f, struct crypt_auth_op *c)
{
	u16 modes = COP_FLAG_AEAD_TLS_TYPE | COP_FLAG_AEAD_SRTP_TYPE;
	u8 iv[VCD_MAX_IV] = {};
	const struct vcd_alg *a;
	struct vcd_session *s;
	bool gcm;
	int err;

	if (c->op != COP_ENCRYPT && c->op != COP_DECRYPT)
		return -EINVAL;
	s = vcd_session_get(f, c->ses);
	if (!s)
		return -EINVAL;
	a = s->alg;
	err = -EINVAL;
	if (!a || (c->flags & ~(modes | COP_FLAG_WRITE_IV | COP_FLAG_NO_ZC)) ||
	    (c->flags & modes) == modes)
		goto put;
	gcm = a->mode == VCD_GCM;
	/* GCM takes neither mode; TLS and SRTP need a cipher and a MAC. */
	if (gcm && (c->flags & modes))
		goto put;
	if (!gcm && (!(c->flags & modes) || !s->mac))
		goto put;
	/* Both modes work in place, as in cryptodev-linux. */
	if ((c->flags & modes) && c->src != c->dst)
		goto put;
	err = vcd_dev_check(s->dev);
	if (err)
		goto put;
	err = -EFAULT;
	if (c->iv && copy_from_user(iv, c->iv, a->ivlen))
		goto put;
	if (gcm) {
		err = vcd_gcm(s, c, iv);
	} else {
		/* These reuse the session's hash state, as cryptodev-linux. */
		err = -EINTR;
		if (mutex_lock_killable(&s->hlock))
			goto put;
		err = -EINVAL;
		if (!s->gone) {
			vcd_hash_clear(s);
			if (c->flags & COP_FLAG_AEAD_TLS_TYPE)
				err = vcd_tls(s, c, iv);
			else
				err = vcd_srtp(s, c, iv);
		}
		mutex_unlock(&s->hlock);
	}
	if (!err && (c->flags & COP_FLAG_WRITE_IV) && c->iv && !gcm &&
	    copy_to_user(c->iv, iv, a->ivlen))
		err = -EFAULT;
put:
	vcd_session_put(s);
	return err;
}

static long vcd_ioc_authcrypt(struct vcd_file *f, void __user *arg)
{
	struct crypt_auth_op c;
	long err;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	err = vcd_authcrypt(f, &c);
	if (!err && copy_to_user(arg, &c, sizeof(c)))
		err = -EFAULT;
	return err;
}

/* CRIOGET: a second descriptor for the same open file, as in BSD. */
static long vcd_ioc_crioget(struct file *filp, u32 __user *arg)
{
	int fd = get_unused_fd_flags(O_CLOEXEC);

	if (fd < 0)
		return fd;
	if (put_user(fd, arg)) {
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, get_file(filp));
	return 0;
}

static long vcd_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct vcd_file *f = filp->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case CRIOGET:
		return vcd_ioc_crioget(filp, uarg);
	case CIOCGSESSION:
		return vcd_ioc_gsession(f, uarg);
	case CIOCFSESSION:
		return vcd_ioc_fsession(f, uarg);
	case CIOCGSESSINFO:
		return vcd_ioc_sessinfo(f, uarg);
	case CIOCCRYPT:
		return vcd_ioc_crypt(f, uarg);
	case CIOCAUTHCRYPT:
		return vcd_ioc_authcrypt(f, uarg);
	case CIOCCPHASH:
		return vcd_ioc_cphash(f, uarg);
	default:
		return -ENOTTY;
	}
}

#ifdef CONFIG_COMPAT
/* 32-bit processes: the same structures with 32-bit pointers. */
struct vcd_compat_session_op {
	u32 cipher;
	u32 mac;
	u32 keylen;
	compat_uptr_t key;
	u32 mackeylen;
	compat_uptr_t mackey;
	u32 ses;
};

struct vcd_compat_crypt_op {
	u32 ses;
	u16 op;
	u16 flags;
	u32 len;
	compat_uptr_t src;
	compat_uptr_t dst;
	compat_uptr_t mac;
	compat_uptr_t iv;
};

struct vcd_compat_crypt_auth_op {
	u32 ses;
	u16 op;
	u16 flags;
	u32 len;
	u32 auth_len;
	compat_uptr_t auth_src;
	compat_uptr_t src;
	compat_uptr_t dst;
	compat_uptr_t tag;
	u32 tag_len;
	compat_uptr_t iv;
	u32 iv_len;
};

#define VCD_COMPAT_CIOCGSESSION	_IOWR('c', 102, struct vcd_compat_session_op)
#define VCD_COMPAT_CIOCCRYPT	_IOWR('c', 104, struct vcd_compat_crypt_op)
#define VCD_COMPAT_CIOCAUTHCRYPT \
	_IOWR('c', 109, struct vcd_compat_crypt_auth_op)

/* cryptodev-linux has no compat CIOCAUTHCRYPT; we serve 32-bit callers too. */
static long vcd_compat_authcrypt(struct vcd_file *f, void __user *uarg)
{
	struct vcd_compat_crypt_auth_op cc;
	struct crypt_auth_op c = {};
	long err;

	if (copy_from_user(&cc, uarg, sizeof(cc)))
		return -EFAULT;
	c.ses = cc.ses;
	c.op = cc.op;
	c.flags = cc.flags;
	c.len = cc.len;
	c.auth_len = cc.auth_len;
	c.auth_src = compat_ptr(cc.auth_src);
	c.src = compat_ptr(cc.src);
	c.dst = compat_ptr(cc.dst);
	c.tag = compat_ptr(cc.tag);
	c.tag_len = cc.tag_len;
	c.iv = compat_ptr(cc.iv);
	c.iv_len = cc.iv_len;
	err = vcd_authcrypt(f, &c);
	if (err)
		return err;
	cc.len = c.len;
	cc.tag_len = c.tag_len;
	cc.tag = ptr_to_compat(c.tag);
	return copy_to_user(uarg, &cc, sizeof(cc)) ? -EFAULT : 0;
}

static long vcd_compat_ioctl(struct file *filp, unsigned int cmd,
			     unsigned long arg)
{
	struct vcd_file *f = filp->private_data;
	void __user *uarg = compat_ptr(arg);
	struct vcd_compat_session_op csop;
	struct vcd_compat_crypt_op ccop;
	struct session_op sop = {};
	struct crypt_op cop = {};
	long err;

	switch (cmd) {
	case VCD_COMPAT_CIOCGSESSION:
		if (copy_from_user(&csop, uarg, sizeof(csop)))
			return -EFAULT;
		sop.cipher = csop.cipher;
		sop.mac = csop.mac;
		sop.keylen = csop.keylen;
		sop.key = compat_ptr(csop.key);
		sop.mackeylen = csop.mackeylen;
		sop.mackey = compat_ptr(csop.mackey);
		err = vcd_gsession(f, &sop);
		return vcd_gsession_done(f, err, sop.ses,
					 uarg + offsetof(struct vcd_compat_session_op,
							 ses));
	case VCD_COMPAT_CIOCCRYPT:
		if (copy_from_user(&ccop, uarg, sizeof(ccop)))
			return -EFAULT;
		cop.ses = ccop.ses;
		cop.op = ccop.op;
		cop.flags = ccop.flags;
		cop.len = ccop.len;
		cop.src = compat_ptr(ccop.src);
		cop.dst = compat_ptr(ccop.dst);
		cop.mac = compat_ptr(ccop.mac);
		cop.iv = compat_ptr(ccop.iv);
		return vcd_crypt(f, &cop);
	case VCD_COMPAT_CIOCAUTHCRYPT:
		return vcd_compat_authcrypt(f, uarg);
	default:
		/* The other structures are the same in both ABIs. */
		return vcd_ioctl(filp, cmd, (unsigned long)uarg);
	}
}
#endif

static int vcd_open_common(struct file *filp, struct vcd_device *d)
{
	struct vcd_file *f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);

	if (!f)
		return -ENOMEM;
	xa_init_flags(&f->sessions, XA_FLAGS_ALLOC);
	if (xa_reserve(&f->sessions, VCD_SES_KEEP, GFP_KERNEL_ACCOUNT)) {
		kfree(f);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&f->pins);
	spin_lock(&vcd_pin_lock);
	list_add(&f->node, &vcd_files);
	spin_unlock(&vcd_pin_lock);
	if (d) {
		kref_get(&d->ref);
		f->dev = d;
	}
	filp->private_data = f;
	return 0;
}

static int vcd_open_any(struct inode *inode, struct file *filp)
{
	return vcd_open_common(filp, NULL);
}

/* misc_open() holds misc_mtx, so remove() cannot free @d under us. */
static int vcd_open_one(struct inode *inode, struct file *filp)
{
	struct miscdevice *m = filp->private_data;

	return vcd_open_common(filp, container_of(m, struct vcd_device, misc));
}

static int vcd_release(struct inode *inode, struct file *filp)
{
	struct vcd_file *f = filp->private_data;
	struct vcd_session *s;
	unsigned long id;
	LIST_HEAD(drop);

	spin_lock(&vcd_pin_lock);
	list_del(&f->node);
	list_splice_init(&f->pins, &drop);
	spin_unlock(&vcd_pin_lock);
	vcd_pin_put_list(&drop);
	xa_for_each(&f->sessions, id, s) {
		xa_erase(&f->sessions, id);
		vcd_session_drop(s);
	}
	xa_destroy(&f->sessions);
	if (f->dev)
		vcd_dev_put(f->dev);
	kfree(f);
	return 0;
}

static const struct file_operations vcd_any_fops = {
	.owner = THIS_MODULE,
	.open = vcd_open_any,
	.release = vcd_release,
	.unlocked_ioctl = vcd_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = vcd_compat_ioctl,
#endif
};

static const struct file_operations vcd_one_fops = {
	.owner = THIS_MODULE,
	.open = vcd_open_one,
	.release = vcd_release,
	.unlocked_ioctl = vcd_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = vcd_compat_ioctl,
#endif
};

static struct miscdevice vcd_misc_any = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "crypto",
	.fops = &vcd_any_fops,
	.mode = 0666,
};

/* ---- sysfs: /sys/class/misc/cryptodevN/stats ---- */

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct miscdevice *m = dev_get_drvdata(dev);
	struct vcd_device *d = container_of(m, struct vcd_device, misc);
	unsigned int i;
	s64 kicks = 0;
	int n;

	n = sysfs_emit(buf, "state %s\nsessions %d\ndevice_sessions %d\n",
		       READ_ONCE(d->dead) ? "gone" :
		       test_bit(VCD_BROKEN, &d->state) ? "broken" : "ok",
		       atomic_read(&d->sessions), atomic_read(&d->dsessions));
	n += sysfs_emit_at(buf, n, "shared_sessions %d\ndevice_session_creates %lld\n",
			   atomic_read(&d->nshared),
			   (long long)atomic64_read(&d->dcreates));
	n += sysfs_emit_at(buf, n, "hash_held_bytes %lld\n",
			   (long long)atomic64_read(&vcd_held));
	n += sysfs_emit_at(buf, n, "pinned_pages %lld\ndata_pages %lld\ndata_segments %lld\n",
			   (long long)atomic64_read(&d->pinned),
			   (long long)atomic64_read(&d->data_pages),
			   (long long)atomic64_read(&d->data_segs));
	n += sysfs_emit_at(buf, n, "pin_cache_hits %lld\npin_cache_misses %lld\n",
			   (long long)atomic64_read(&d->pin_hits),
			   (long long)atomic64_read(&d->pin_misses));
	n += sysfs_emit_at(buf, n, "pin_cache_pages %lld\nsg_allocs %lld\n",
			   (long long)atomic64_read(&vcd_pin_pages),
			   (long long)atomic64_read(&d->sg_allocs));
	for (i = 0; i < d->ndq; i++)
		n += sysfs_emit_at(buf, n, "%s %lld\n", d->dqs[i].name,
				   (long long)atomic64_read(&d->dqs[i].requests));
	/* One line: a line per queue would not fit a page for every device. */
	for (i = 0; i < d->ndq; i++)
		kicks += atomic64_read(&d->dqs[i].notifies);
	n += sysfs_emit_at(buf, n, "notifies %lld\n", (long long)kicks);
	return n;
}
static DEVICE_ATTR_RO(stats);

static struct attribute *vcd_attrs[] = {
	&dev_attr_stats.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vcd);

/* ---- virtio driver ---- */

static int vcd_init_vqs(struct vcd_device *d)
{
	struct virtqueue_info *info;
	struct virtqueue **vqs;
	unsigned int i, n = d->ndq + 1;
	int err = -ENOMEM;

	info = kcalloc(n, sizeof(*info), GFP_KERNEL);
	vqs = kcalloc(n, sizeof(*vqs), GFP_KERNEL);
	d->dqs = kcalloc(d->ndq, sizeof(*d->dqs), GFP_KERNEL);
	if (!info || !vqs || !d->dqs)
		goto out;
	for (i = 0; i < d->ndq; i++) {
		snprintf(d->dqs[i].name, sizeof(d->dqs[i].name), "dataq.%u", i);
		info[i].name = d->dqs[i].name;
		info[i].callback = vcd_vq_done;
		spin_lock_init(&d->dqs[i].lock);
	}
	info[d->ndq].name = "controlq";
	info[d->ndq].callback = vcd_vq_done;
	spin_lock_init(&d->ctrl.lock);
	err = virtio_find_vqs(d->vdev, n, vqs, info, NULL);
	if (err)
		goto out;
	for (i = 0; i < d->ndq; i++)
		d->dqs[i].vq = vqs[i];
	d->ctrl.vq = vqs[d->ndq];
out:
	kfree(vqs);
	kfree(info);
	return err;
}

/* Piece sizes: what the device takes and what fits the ring. */
static void vcd_size_pieces(struct vcd_device *d)
{
	unsigned int ring = virtqueue_get_vring_size(d->dqs[0].vq);
	unsigned long pages = VCD_MAX_PIECE_PAGES;
	u64 dev;

	/*
	 * Virtio forbids chains longer than the ring, indirect ones too; a
	 * piece takes two descriptors per page plus six.
	 */
	pages = min_t(unsigned long, pages, ring > 16 ? ring / 2 - 6 : 1);
	/* The device counts IV, source and destination against max_size. */
	dev = d->max_size > 2 * VCD_MAX_IV ? (d->max_size - VCD_MAX_IV) / 2 : 0;
	d->piece_xts = rounddown(min_t(u64, dev,
				       (pages - 1) * PAGE_SIZE), 16);
	/* Page-sized pieces keep every piece's pages whole. */
	d->piece_max = d->piece_xts >= PAGE_SIZE ?
		   rounddown(d->piece_xts, PAGE_SIZE) :
		   rounddown(d->piece_xts, 64);
	if (max_chunk && max_chunk < d->piece_max)
		d->piece_max = rounddown(max_chunk, 64);
	if (d->piece_max < 64)
		d->piece_max = 64;
	/*
	 * A hash, MAC or AEAD request is one chain: its header, one
	 * descriptor per page of a vmalloc'ed buffer, the result.
	 */
	d->sreq_nents = ring > 4 ? ring - 1 : 1;
	/* As vcd_piece_submit() counts: every page of both directions. */
	d->sg_cap = max_t(u32, d->sreq_nents,
			  2 * (max(d->piece_max, d->piece_xts) / PAGE_SIZE + 3));
	d->msg_max = d->max_size > VCD_MAX_DIGEST ?
		     d->max_size - VCD_MAX_DIGEST : 0;
	d->msg_max = min_t(size_t, d->msg_max,
			   (size_t)(d->sreq_nents > 3 ? d->sreq_nents - 3 : 0) *
			   PAGE_SIZE);
}

static int vcd_probe(struct virtio_device *vdev)
{
	struct vcd_device *d;
	u32 status, services, ndq;
	int err;

	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1))
		return -ENODEV;
	virtio_cread_le(vdev, struct virtio_crypto_config, status, &status);
	virtio_cread_le(vdev, struct virtio_crypto_config, crypto_services,
			&services);
	virtio_cread_le(vdev, struct virtio_crypto_config, max_dataqueues, &ndq);
	if (!(status & VIRTIO_CRYPTO_S_HW_READY) || !ndq ||
	    !(services & (BIT(VIRTIO_CRYPTO_SERVICE_CIPHER) |
			  BIT(VIRTIO_CRYPTO_SERVICE_HASH) |
			  BIT(VIRTIO_CRYPTO_SERVICE_MAC) |
			  BIT(VIRTIO_CRYPTO_SERVICE_AEAD)))) {
		dev_err(&vdev->dev, "device not ready or without services we use\n");
		return -ENODEV;
	}

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	kref_init(&d->ref);
	init_rwsem(&d->alive);
	init_rwsem(&d->dsess_rw);
	mutex_init(&d->slist_lock);
	mutex_init(&d->shared_lock);
	INIT_LIST_HEAD(&d->slist);
	INIT_LIST_HEAD(&d->orphans);
	init_waitqueue_head(&d->space_wq);
	d->vdev = vdev;
	/*
	 * Every data queue: the control queue comes after the last one, so
	 * asking for fewer would send control requests to a data queue.
	 */
	d->ndq = ndq;
	d->services = services;
	if (services & BIT(VIRTIO_CRYPTO_SERVICE_CIPHER))
		virtio_cread_le(vdev, struct virtio_crypto_config,
				cipher_algo_l, &d->algos);
	virtio_cread_le(vdev, struct virtio_crypto_config, hash_algo,
			&d->hash_algos);
	virtio_cread_le(vdev, struct virtio_crypto_config, mac_algo_l,
			&d->mac_algos);
	virtio_cread_le(vdev, struct virtio_crypto_config, aead_algo,
			&d->aead_algos);
	virtio_cread_le(vdev, struct virtio_crypto_config, max_auth_key_len,
			&d->max_auth_key);
	virtio_cread_le(vdev, struct virtio_crypto_config, max_cipher_key_len,
			&d->max_key);
	virtio_cread_le(vdev, struct virtio_crypto_config, max_size,
			&d->max_size);
	vdev->priv = d;

	err = vcd_init_vqs(d);
	if (err)
		goto free;
	vcd_size_pieces(d);
	if (d->piece_xts < 16) {
		dev_err(&vdev->dev, "device max_size %llu too small\n",
			d->max_size);
		err = -ENODEV;
		goto del_vqs;
	}
	virtio_device_ready(vdev);

	d->index = ida_alloc(&vcd_ida, GFP_KERNEL);
	if (d->index < 0) {
		err = d->index;
		goto reset;
	}
	snprintf(d->name, sizeof(d->name), "cryptodev%d", d->index);
	d->misc.minor = MISC_DYNAMIC_MINOR;
	d->misc.name = d->name;
	d->misc.fops = &vcd_one_fops;
	d->misc.mode = 0666;
	d->misc.parent = &vdev->dev;
	d->misc.groups = vcd_groups;
	err = misc_register(&d->misc);
	if (err)
		goto ida;

	mutex_lock(&vcd_devices_lock);
	list_add_tail(&d->node, &vcd_devices);
	mutex_unlock(&vcd_devices_lock);
	dev_info(&vdev->dev,
		 "/dev/%s: %u data queues, ciphers %#x, hashes %#x, macs %#x, aead %#x, max_size %llu, piece %u\n",
		 d->name, d->ndq, d->algos, d->hash_algos, d->mac_algos,
		 d->aead_algos, d->max_size, d->piece_max);
	return 0;

ida:
	ida_free(&vcd_ida, d->index);
reset:
	virtio_reset_device(vdev);
del_vqs:
	vdev->config->del_vqs(vdev);
free:
	vdev->priv = NULL;
	vcd_dev_put(d);
	return err;
}

/*
 * remove(): destroy every device session still open, while the control
 * queue works.  The data requests in flight name them, so they finish first
 * (a device marked broken is not waited for).  A device that fails a
 * destruction (e.g. does not answer within timeout_ms) is not asked again:
 * what it still holds is then up to the device.
 */
static void vcd_destroy_all(struct vcd_device *d)
{
	struct vcd_orphan *o, *tmp;
	struct vcd_dsess *ds, *dtmp;
	struct vcd_session *s;
	unsigned int i;
	int err = 0;

	if (!test_bit(VCD_BROKEN, &d->state))
		wait_event_timeout(d->space_wq, !atomic_read(&d->inflight),
				   vcd_timeout());
	down_write(&d->dsess_rw);
	mutex_lock(&d->slist_lock);
	list_for_each_entry(s, &d->slist, node) {
		list_for_each_entry_safe(ds, dtmp, &s->dsl, node) {
			if (!err)
				err = vcd_destroy_dsession(d, ds->service,
							   ds->algo, ds->id,
							   &d->dsessions);
			list_del(&ds->node);
			kfree(ds);
		}
	}
	list_for_each_entry_safe(o, tmp, &d->orphans, node) {
		if (!err)
			err = vcd_destroy_dsession(d, o->service, o->algo,
						   o->id, &d->dsessions);
		list_del(&o->node);
		kfree(o);
	}
	mutex_unlock(&d->slist_lock);
	for (i = 0; i < ARRAY_SIZE(d->shared); i++) {
		if (!d->shared[i].ok)
			continue;
		if (!err)
			err = vcd_destroy_dsession(d, VIRTIO_CRYPTO_SERVICE_HASH,
						   vcd_macs[i].vio,
						   d->shared[i].id,
						   &d->nshared);
		d->shared[i].ok = false;
	}
	up_write(&d->dsess_rw);
	if (err)
		dev_warn(&d->vdev->dev,
			 "%d device sessions not destroyed (error %d)\n",
			 atomic_read(&d->dsessions) + atomic_read(&d->nshared),
			 err);
}

static void vcd_remove(struct virtio_device *vdev)
{
	struct vcd_device *d = vdev->priv;
	struct vcd_cookie *ck;
	unsigned int i;

	mutex_lock(&vcd_devices_lock);
	list_del(&d->node);
	mutex_unlock(&vcd_devices_lock);
	misc_deregister(&d->misc);

	/* No new work from users after this ... */
	down_write(&d->alive);
	WRITE_ONCE(d->dead, true);
	up_write(&d->alive);
	wake_up_all(&d->space_wq);
	/* ... the device forgets its sessions only when told to ... */
	vcd_destroy_all(d);
	/* ... then nothing reaches it; take back the queued requests. */
	down_write(&d->alive);
	WRITE_ONCE(d->reset, true);
	up_write(&d->alive);
	virtio_reset_device(vdev);
	for (i = 0; i <= d->ndq; i++) {
		struct virtqueue *vq = i < d->ndq ? d->dqs[i].vq : d->ctrl.vq;

		while ((ck = virtqueue_detach_unused_buf(vq)))
			ck->done(ck, 0, -ENODEV);
	}
	/* Files left open on it keep no pages pinned for nothing. */
	vcd_pin_flush_all();
	wake_up_all(&d->space_wq);
	vdev->config->del_vqs(vdev);
	ida_free(&vcd_ida, d->index);
	vdev->priv = NULL;
	vcd_dev_put(d);
}

static void vcd_config_changed(struct virtio_device *vdev)
{
	struct vcd_device *d = vdev->priv;
	u32 status;

	if (!d)
		return;
	virtio_cread_le(vdev, struct virtio_crypto_config, status, &status);
	if (!(status & VIRTIO_CRYPTO_S_HW_READY))
		vcd_mark_broken(d, "device no longer ready");
}

static const struct virtio_device_id vcd_id_table[] = {
	{ VIRTIO_ID_CRYPTO, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, vcd_id_table);

static unsigned int vcd_features[] = {
	VIRTIO_F_VERSION_1,
};

static struct virtio_driver vcd_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = vcd_id_table,
	.feature_table = vcd_features,
	.feature_table_size = ARRAY_SIZE(vcd_features),
	.probe = vcd_probe,
	.remove = vcd_remove,
	.config_changed = vcd_config_changed,
};

static int __init vcd_init(void)
{
	int err;

	vcd_wq = alloc_workqueue("virtio_cryptodev", WQ_UNBOUND, 0);
	if (!vcd_wq)
		return -ENOMEM;
	err = misc_register(&vcd_misc_any);
	if (err)
		goto wq;
	err = register_virtio_driver(&vcd_driver);
	if (err)
		goto misc;
	return 0;
misc:
	misc_deregister(&vcd_misc_any);
wq:
	destroy_workqueue(vcd_wq);
	return err;
}

static void __exit vcd_exit(void)
{
	unregister_virtio_driver(&vcd_driver);
	misc_deregister(&vcd_misc_any);
	destroy_workqueue(vcd_wq);
}

module_init(vcd_init);
module_exit(vcd_exit);

MODULE_DESCRIPTION("cryptodev /dev/crypto interface for virtio crypto devices");
MODULE_LICENSE("GPL");
