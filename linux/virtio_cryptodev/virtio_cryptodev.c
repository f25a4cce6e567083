// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_cryptodev: the cryptodev /dev/crypto ioctl interface served by a
 * virtio crypto device (virtio ID 20).  Each CIOCCRYPT is carried to the
 * device as one or more symmetric cipher requests on its data queues; user
 * pages are pinned and handed to the device directly, small or awkward
 * buffers are copied through the kernel.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
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

static unsigned int inject;
module_param(inject, uint, 0600);
MODULE_PARM_DESC(inject, "Testing: corrupt the next answer (1: used length, 2: status)");

enum vcd_mode { VCD_ECB, VCD_CBC, VCD_CTR, VCD_XTS };

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
};

/* Anything queued on a virtqueue starts with this. */
struct vcd_cookie {
	void (*done)(struct vcd_cookie *ck, unsigned int used, int err);
};

struct vcd_vq {
	struct virtqueue *vq;
	spinlock_t lock;	/* serialises the ring */
	atomic64_t requests;	/* queued so far, for the stats file */
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
	atomic_t dsessions;	/* device sessions open */
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
	wait_queue_head_t space_wq;
	u32 algos;
	u32 max_key;
	u64 max_size;
	u32 piece_max;		/* largest piece, multiple of 64 bytes */
	u32 piece_xts;		/* largest XTS data unit */
	/* Recent answer times in ns, by log2 of the bytes waited for. */
	u32 lat_ns[VCD_LAT_BUCKETS];
	/* Data pages named in requests, and the descriptors that took them */
	atomic64_t data_pages;
	atomic64_t data_segs;
	struct miscdevice misc;
	char name[24];
};

struct vcd_session {
	struct kref ref;
	struct vcd_device *dev;
	struct list_head node;	/* in dev->slist */
	const struct vcd_alg *alg;
	struct mutex lock;	/* creation of device sessions */
	bool have[2];
	u64 dsid[2];
	u32 keylen;
	u8 key[VCD_MAX_KEY];
};

struct vcd_file {
	struct vcd_device *dev;	/* NULL: /dev/crypto, picks per session */
	struct xarray sessions;
	u32 next_id;
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
	u8 key[VCD_MAX_KEY];
};

/* One side of a CIOCCRYPT: user pages pinned, or a kernel copy. */
struct vcd_buf {
	struct page **pages;
	unsigned int npages;
	unsigned int offset;	/* of byte 0 in pages[0] */
	bool pinned;
	bool dirty;
	void *kbuf;
};

struct vcd_op;

struct vcd_piece {
	struct vcd_cookie ck;
	struct vcd_op *op;
	struct virtio_crypto_op_data_req hdr;
	u8 iv[VCD_MAX_IV];
	struct virtio_crypto_inhdr st;
	struct scatterlist *sg;
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
 * Collect the answers of @op's queues without waiting for the interrupt.
 * Their interrupts are off meanwhile: under emulation, taking one costs
 * about as much as the request itself.  Answers that belong to other
 * callers are handed to them as well, and the queues' interrupts come
 * back on (after a last collection) before we stop, so nobody waiting
 * for one misses it.
 */
static void vcd_poll_op(struct vcd_device *d, struct vcd_op *op)
{
	u64 end = ktime_get_ns() + (u64)poll_us * NSEC_PER_USEC;
	unsigned long *qmask = op->qmask, flags;
	unsigned int i;

	down_read(&d->alive);
	if (d->reset)
		goto out;
	for_each_set_bit(i, qmask, d->ndq)
		virtqueue_disable_cb(d->dqs[i].vq);
	while (atomic_read(&op->outstanding) && !need_resched() &&
	       ktime_get_ns() < end) {
		for_each_set_bit(i, qmask, d->ndq) {
			spin_lock_irqsave(&d->dqs[i].lock, flags);
			vcd_collect(&d->dqs[i]);
			spin_unlock_irqrestore(&d->dqs[i].lock, flags);
		}
		cpu_relax();
	}
	for_each_set_bit(i, qmask, d->ndq)
		vcd_drain(&d->dqs[i]);
	vcd_room(d);
out:
	up_read(&d->alive);
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
 */
static int vcd_queue(struct vcd_device *d, struct vcd_vq *q,
		     struct scatterlist **sgs, unsigned int out,
		     unsigned int in, struct vcd_cookie *ck)
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
		err = virtqueue_add_sgs(q->vq, sgs, out, in, ck, GFP_ATOMIC);
		if (!err)
			atomic64_inc(&q->requests);
		kick = !err && virtqueue_kick_prepare(q->vq);
		spin_unlock_irqrestore(&q->lock, flags);
		if (kick)
			virtqueue_notify(q->vq);
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

static int vcd_create_dsession(struct vcd_device *d, struct vcd_session *s,
			       int dir, u64 *id)
{
	struct virtio_crypto_cipher_session_para *p;
	struct vcd_ctrl *c;
	u32 status;
	int err;

	c = vcd_ctrl_alloc();
	if (!c)
		return -ENOMEM;
	c->req.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	c->req.header.algo = cpu_to_le32(s->alg->vio);
	c->req.u.sym_create_session.op_type =
		cpu_to_le32(VIRTIO_CRYPTO_SYM_OP_CIPHER);
	p = &c->req.u.sym_create_session.u.cipher.para;
	p->algo = cpu_to_le32(s->alg->vio);
	p->keylen = cpu_to_le32(s->keylen);
	p->op = cpu_to_le32(dir == COP_ENCRYPT ? VIRTIO_CRYPTO_OP_ENCRYPT :
						VIRTIO_CRYPTO_OP_DECRYPT);
	memcpy(c->key, s->key, s->keylen);
	c->in.sin.status = cpu_to_le32(VIRTIO_CRYPTO_ERR);

	err = vcd_ctrl_run(d, c, s->keylen, &c->in.sin, sizeof(c->in.sin));
	if (!err) {
		status = le32_to_cpu(c->in.sin.status);
		switch (status) {
		case VIRTIO_CRYPTO_OK:
			*id = le64_to_cpu(c->in.sin.session_id);
			atomic_inc(&d->dsessions);
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
static int vcd_destroy_dsession(struct vcd_device *d, u32 algo, u64 id)
{
	struct vcd_ctrl *c;
	int err;

	c = vcd_ctrl_alloc();
	if (!c)
		return -ENOMEM;
	c->req.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_CIPHER_DESTROY_SESSION);
	c->req.header.algo = cpu_to_le32(algo);
	c->req.u.destroy_session.session_id = cpu_to_le64(id);
	c->in.st.status = VIRTIO_CRYPTO_ERR;
	err = vcd_ctrl_run(d, c, 0, &c->in.st, sizeof(c->in.st));
	vcd_ctrl_put(c);
	if (!err)
		atomic_dec(&d->dsessions);
	return err;
}

struct vcd_orphan {
	struct list_head node;
	u32 algo;
	u64 id;
};

/*
 * A session freed while its device is broken: a device that stopped
 * answering would hold the caller for timeout_ms per device session, so the
 * destruction is left to remove(), which tries once more.
 */
static void vcd_orphan_dsession(struct vcd_device *d, u32 algo, u64 id)
{
	struct vcd_orphan *o = kmalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return;	/* left behind; still counted in device_sessions */
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
	int dir;

	/* remove() destroys what a session still has if it runs first. */
	down_read(&d->dsess_rw);
	for (dir = 0; dir < 2; dir++) {
		if (!s->have[dir])
			continue;
		if (test_bit(VCD_BROKEN, &d->state) ||
		    vcd_destroy_dsession(d, s->alg->vio, s->dsid[dir]))
			vcd_orphan_dsession(d, s->alg->vio, s->dsid[dir]);
		s->have[dir] = false;
	}
	mutex_lock(&d->slist_lock);
	list_del(&s->node);
	mutex_unlock(&d->slist_lock);
	up_read(&d->dsess_rw);
	atomic_dec(&d->sessions);
	vcd_dev_put(d);
	mutex_destroy(&s->lock);
	kfree_sensitive(s);
}

static void vcd_session_put(struct vcd_session *s)
{
	kref_put(&s->ref, vcd_session_release);
}

static struct vcd_session *vcd_session_get(struct vcd_file *f, u32 id)
{
	struct vcd_session *s;

	xa_lock(&f->sessions);
	s = xa_load(&f->sessions, id);
	if (s)
		kref_get(&s->ref);
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

static bool vcd_dev_has(struct vcd_device *d, const struct vcd_alg *a,
			u32 keylen)
{
	return ((d->algos | force_algos) & BIT(a->vio)) && keylen <= d->max_key;
}

/* /dev/crypto: spread sessions over the usable devices that can do it. */
static struct vcd_device *vcd_pick_device(const struct vcd_alg *a, u32 keylen,
					  int *err)
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
		if (vcd_dev_has(d, a, keylen))
			n++;
	}
	if (n) {
		want = (unsigned int)atomic_inc_return(&vcd_rr) % n;
		list_for_each_entry(d, &vcd_devices, node) {
			if (!vcd_usable(d) || !vcd_dev_has(d, a, keylen))
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

/* CIOCGSESSION on a session_op already copied in; sets sop->ses. */
static long vcd_gsession(struct vcd_file *f, struct session_op *sopp)
{
	struct session_op sop = *sopp;
	const struct vcd_alg *a;
	struct vcd_session *s;
	struct vcd_device *d;
	unsigned int i;
	u32 id;
	int err;

	if (sop.mac)
		return -EINVAL;
	a = vcd_find_alg(sop.cipher);
	if (!a)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(a->keylens); i++)
		if (a->keylens[i] && a->keylens[i] == sop.keylen)
			break;
	if (i == ARRAY_SIZE(a->keylens))
		return -EINVAL;

	if (f->dev) {
		d = f->dev;
		if (READ_ONCE(d->dead))
			return -ENODEV;
		if (test_bit(VCD_BROKEN, &d->state))
			return -EIO;
		if (!vcd_dev_has(d, a, sop.keylen))
			return -EINVAL;
		kref_get(&d->ref);
	} else {
		d = vcd_pick_device(a, sop.keylen, &err);
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
	s->dev = d;
	s->alg = a;
	s->keylen = sop.keylen;
	if (copy_from_user(s->key, sop.key, sop.keylen)) {
		err = -EFAULT;
		goto free;
	}
	/*
	 * IEEE 1619-2018 forbids equal XTS key halves, and the backend's
	 * library refuses them; the kernel's xts_verify_key() does so in FIPS
	 * mode.  Refused here, always, before any device sees the key.
	 */
	err = -EINVAL;
	if (a->mode == VCD_XTS &&
	    !crypto_memneq(s->key, s->key + s->keylen / 2, s->keylen / 2))
		goto free;
	/* On the list before a racing CIOCFSESSION can find it. */
	mutex_lock(&d->slist_lock);
	list_add_tail(&s->node, &d->slist);
	mutex_unlock(&d->slist_lock);
	atomic_inc(&d->sessions);
	err = xa_alloc_cyclic(&f->sessions, &id, s, xa_limit_31b, &f->next_id,
			      GFP_KERNEL_ACCOUNT);
	if (err < 0) {
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
	kfree_sensitive(s);
put_dev:
	vcd_dev_put(d);
	return err;
}

static long vcd_fsession(struct vcd_file *f, u32 id)
{
	struct vcd_session *s = xa_erase(&f->sessions, id);

	if (!s)
		return -EINVAL;
	vcd_session_put(s);
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
	strscpy(info->cipher_info.cra_name, s->alg->name,
		sizeof(info->cipher_info.cra_name));
	snprintf(info->cipher_info.cra_driver_name,
		 sizeof(info->cipher_info.cra_driver_name),
		 "virtio_cryptodev-%s", s->dev->name);
	info->flags = SIOP_FLAG_KERNEL_DRIVER_ONLY;
	if (copy_to_user(arg, info, sizeof(*info)))
		ret = -EFAULT;
	kfree(info);
	vcd_session_put(s);
	return ret;
}

/* ---- data path ---- */

static void vcd_buf_release(struct vcd_device *d, struct vcd_buf *b)
{
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
	unsigned int i;

	for (i = 0; i < op->npieces; i++)
		kvfree(op->pieces[i].sg);
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

/* May run in interrupt context or under a lock, where pages cannot be unpinned. */
static void vcd_op_put(struct vcd_op *op)
{
	if (!refcount_dec_and_test(&op->ref))
		return;
	if (in_task() && !irqs_disabled())
		vcd_op_free(op);
	else
		queue_work(vcd_wq, &op->free_work);
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

static int vcd_buf_pin(struct vcd_device *d, struct vcd_buf *b,
		       unsigned long uaddr, size_t len, bool write)
{
	unsigned int n = DIV_ROUND_UP(offset_in_page(uaddr) + len, PAGE_SIZE);
	int got;

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
 * Fill @sg with @len bytes of @b from @off; returns entries used.  Runs of
 * physically contiguous pages share one entry: every entry becomes a
 * descriptor that both sides map and unmap one by one.
 */
static unsigned int vcd_buf_sg(struct vcd_buf *b, size_t off, size_t len,
			       struct scatterlist *sg, unsigned int *pages)
{
	unsigned long last = 0;
	unsigned int n = 0;

	while (len) {
		size_t pos = b->offset + off;
		size_t in = min_t(size_t, len, PAGE_SIZE - offset_in_page(pos));
		struct page *pg = b->pages[pos >> PAGE_SHIFT];

		/* Only the last entry can end inside a page: merging is safe. */
		if (n && page_to_pfn(pg) == last + 1)
			sg[n - 1].length += in;
		else
			sg_set_page(&sg[n++], pg, in, offset_in_page(pos));
		last = page_to_pfn(pg);
		off += in;
		len -= in;
		(*pages)++;
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
	struct scatterlist *sgs[5], *src, *dst, *hdr, *iv, *st;
	unsigned int tail = 0, nsrc, ndst, out = 0, in = 0, nsg, qi;
	unsigned int pages = 0, segs;
	size_t body = len;
	struct vcd_device *d = op->dev;
	int err;

	if (op->a->mode == VCD_CTR && (len % op->a->blk)) {
		/* Devices take whole blocks: pad the keystream's last one. */
		tail = len % op->a->blk;
		body = len - tail;
		memset(op->tail_in, 0, sizeof(op->tail_in));
		vcd_buf_read(&op->src, off + body, op->tail_in, tail);
	}
	nsg = 2 * (body / PAGE_SIZE + 2) + 6;
	kvfree(c->sg);
	c->sg = kvmalloc_array(nsg, sizeof(*c->sg), GFP_KERNEL);
	if (!c->sg)
		return -ENOMEM;
	sg_init_table(c->sg, nsg);
	hdr = &c->sg[0];
	iv = &c->sg[1];
	st = &c->sg[2];
	src = &c->sg[3];

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

	sg_init_one(hdr, &c->hdr, sizeof(c->hdr));
	sgs[out++] = hdr;
	if (op->a->ivlen) {
		sg_init_one(iv, c->iv, op->a->ivlen);
		sgs[out++] = iv;
	}
	nsrc = vcd_buf_sg(&op->src, off, body, src, &pages);
	segs = nsrc;
	if (tail)
		sg_set_buf(&src[nsrc++], op->tail_in, op->a->blk);
	sg_mark_end(&src[nsrc - 1]);
	sgs[out++] = src;

	dst = &src[nsrc];
	ndst = vcd_buf_sg(&op->dst, off, body, dst, &pages);
	segs += ndst;
	if (tail)
		sg_set_buf(&dst[ndst++], op->tail_out, op->a->blk);
	sg_mark_end(&dst[ndst - 1]);
	sgs[out + in++] = dst;
	sg_init_one(st, &c->st, sizeof(c->st));
	sgs[out + in++] = st;

	refcount_inc(&op->ref);
	atomic_inc(&op->outstanding);
	atomic_inc(&d->inflight);
	qi = (unsigned int)atomic_inc_return(&d->rr) % d->ndq;
	__set_bit(qi, op->qmask);
	err = vcd_queue(d, &d->dqs[qi], sgs, out, in, &c->ck);
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

/*
 * Wait for the pieces in flight, @bytes in all, queued at @start.  Answers
 * that usually come within poll_us are spun for: that beats an interrupt
 * and a wake-up.  Longer waits sleep at once, leaving the CPU to the host
 * (under emulation the spinning vCPU competes with QEMU's threads).
 */
static int vcd_wait_op(struct vcd_op *op, size_t bytes, u64 start)
{
	u32 *lat = &op->dev->lat_ns[min_t(unsigned int, ilog2(bytes | 1),
					 VCD_LAT_BUCKETS - 1)];
	u32 seen = READ_ONCE(*lat);
	long w;

	if (poll_us && atomic_read(&op->outstanding) &&
	    seen <= (u64)poll_us * NSEC_PER_USEC)
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
	/* A moving average over about eight waits; races only blur it. */
	if (bytes) {
		w = min_t(u64, ktime_get_ns() - start, U32_MAX);
		WRITE_ONCE(*lat, seen ? seen - seen / 8 + w / 8 : w);
	}
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

static int vcd_get_dsession(struct vcd_session *s, int dir, u64 *id)
{
	struct vcd_device *d = s->dev;
	int err = 0;

	if (mutex_lock_killable(&s->lock))
		return -EINTR;
	/* Not once remove() has destroyed the device sessions. */
	down_read(&d->dsess_rw);
	if (READ_ONCE(d->dead))
		err = -ENODEV;
	else if (!s->have[dir])
		err = vcd_create_dsession(d, s, dir, &s->dsid[dir]);
	if (!err)
		s->have[dir] = true;
	*id = s->dsid[dir];
	up_read(&d->dsess_rw);
	mutex_unlock(&s->lock);
	return err;
}

/* CIOCCRYPT on a crypt_op already copied in. */
static long vcd_crypt(struct vcd_file *f, const struct crypt_op *copp)
{
	const struct crypt_op cop = *copp;
	u8 iv[VCD_MAX_IV] = {};
	unsigned long usrc, udst;
	const struct vcd_alg *a;
	struct vcd_session *s;
	struct vcd_device *d;
	unsigned int npieces;
	struct vcd_op *op;
	bool bounce;
	u64 dsid;
	int err;

	s = vcd_session_get(f, cop.ses);
	if (!s)
		return -EINVAL;
	a = s->alg;
	d = s->dev;
	err = -EINVAL;
	if (cop.op != COP_ENCRYPT && cop.op != COP_DECRYPT)
		goto put_session;
	if (cop.flags & ~(COP_FLAG_WRITE_IV | COP_FLAG_NO_ZC))
		goto put_session;
	if (cop.len % a->blk && a->mode != VCD_CTR)
		goto put_session;
	if (cop.len > VCD_MAX_OP_LEN)
		goto put_session;
	/* One XTS data unit per call: it cannot be split (see vcd_run()). */
	if (a->mode == VCD_XTS && cop.len > d->piece_xts)
		goto put_session;
	err = -ENODEV;
	if (READ_ONCE(d->dead))
		goto put_session;
	err = -EIO;
	if (test_bit(VCD_BROKEN, &d->state))
		goto put_session;
	err = -EFAULT;
	if (a->ivlen && cop.iv && copy_from_user(iv, cop.iv, a->ivlen))
		goto put_session;
	err = 0;
	if (!cop.len)
		goto put_session;
	if (!cop.src || !cop.dst) {
		err = -EFAULT;
		goto put_session;
	}
	err = vcd_get_dsession(s, cop.op, &dsid);
	if (err)
		goto put_session;

	npieces = min_t(size_t, VCD_BATCH,
			DIV_ROUND_UP(cop.len, a->mode == VCD_XTS ?
				     d->piece_xts : d->piece_max));
	op = kzalloc(struct_size(op, pieces, npieces), GFP_KERNEL);
	err = -ENOMEM;
	if (!op)
		goto put_session;
	op->npieces = npieces;
	kref_get(&s->ref);
	op->s = s;
	op->dev = d;
	op->a = a;
	op->dir = cop.op;
	op->dsid = dsid;
	op->len = cop.len;
	memcpy(op->iv, iv, sizeof(iv));
	refcount_set(&op->ref, 1);
	init_waitqueue_head(&op->wq);
	INIT_WORK(&op->free_work, vcd_op_free_work);
	op->qmask = bitmap_zalloc(d->ndq, GFP_KERNEL);
	if (!op->qmask)
		goto put_op;

	usrc = (unsigned long)cop.src;
	udst = (unsigned long)cop.dst;
	/* Partly overlapping buffers would feed results back as input. */
	bounce = cop.len <= bounce_max || (cop.flags & COP_FLAG_NO_ZC) ||
		 (usrc != udst && usrc < udst + cop.len && udst < usrc + cop.len);
	op->inplace = usrc == udst;
	if (!bounce) {
		if (op->inplace) {
			err = vcd_buf_pin(d, &op->src, usrc, cop.len, true);
		} else {
			err = vcd_buf_pin(d, &op->src, usrc, cop.len, false);
			if (!err)
				err = vcd_buf_pin(d, &op->dst, udst, cop.len,
						  true);
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
		err = vcd_buf_kernel(&op->src, cop.len);
		if (!err)
			err = vcd_buf_kernel(&op->dst, cop.len);
		if (err)
			goto put_op;
		err = -EFAULT;
		if (copy_from_user(op->src.kbuf, cop.src, cop.len))
			goto put_op;
	}
	if (op->inplace)
		op->dst = op->src;

	err = vcd_run(op);
	if (!err && bounce && copy_to_user(cop.dst, op->dst.kbuf, cop.len))
		err = -EFAULT;
	if (!err && (cop.flags & COP_FLAG_WRITE_IV) && a->ivlen &&
	    a->mode != VCD_XTS && cop.iv &&
	    copy_to_user(cop.iv, op->iv, a->ivlen))
		err = -EFAULT;
put_op:
	vcd_op_put(op);
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

#define VCD_COMPAT_CIOCGSESSION	_IOWR('c', 102, struct vcd_compat_session_op)
#define VCD_COMPAT_CIOCCRYPT	_IOWR('c', 104, struct vcd_compat_crypt_op)

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
	xa_init_flags(&f->sessions, XA_FLAGS_ALLOC1);
	f->next_id = 1;
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

	xa_for_each(&f->sessions, id, s) {
		xa_erase(&f->sessions, id);
		vcd_session_put(s);
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
	int n;

	n = sysfs_emit(buf, "state %s\nsessions %d\ndevice_sessions %d\n",
		       READ_ONCE(d->dead) ? "gone" :
		       test_bit(VCD_BROKEN, &d->state) ? "broken" : "ok",
		       atomic_read(&d->sessions), atomic_read(&d->dsessions));
	n += sysfs_emit_at(buf, n, "pinned_pages %lld\ndata_pages %lld\ndata_segments %lld\n",
			   (long long)atomic64_read(&d->pinned),
			   (long long)atomic64_read(&d->data_pages),
			   (long long)atomic64_read(&d->data_segs));
	for (i = 0; i < d->ndq; i++)
		n += sysfs_emit_at(buf, n, "%s %lld\n", d->dqs[i].name,
				   (long long)atomic64_read(&d->dqs[i].requests));
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
	if (!(status & VIRTIO_CRYPTO_S_HW_READY) ||
	    !(services & BIT(VIRTIO_CRYPTO_SERVICE_CIPHER)) || !ndq) {
		dev_err(&vdev->dev, "device not ready or without ciphers\n");
		return -ENODEV;
	}

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	kref_init(&d->ref);
	init_rwsem(&d->alive);
	init_rwsem(&d->dsess_rw);
	mutex_init(&d->slist_lock);
	INIT_LIST_HEAD(&d->slist);
	INIT_LIST_HEAD(&d->orphans);
	init_waitqueue_head(&d->space_wq);
	d->vdev = vdev;
	/*
	 * Every data queue: the control queue comes after the last one, so
	 * asking for fewer would send control requests to a data queue.
	 */
	d->ndq = ndq;
	virtio_cread_le(vdev, struct virtio_crypto_config, cipher_algo_l,
			&d->algos);
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
		 "/dev/%s: %u data queues, ciphers %#x, max_size %llu, piece %u\n",
		 d->name, d->ndq, d->algos, d->max_size, d->piece_max);
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
	struct vcd_session *s;
	int dir, err = 0;

	if (!test_bit(VCD_BROKEN, &d->state))
		wait_event_timeout(d->space_wq, !atomic_read(&d->inflight),
				   vcd_timeout());
	down_write(&d->dsess_rw);
	mutex_lock(&d->slist_lock);
	list_for_each_entry(s, &d->slist, node) {
		for (dir = 0; dir < 2; dir++) {
			if (s->have[dir] && !err)
				err = vcd_destroy_dsession(d, s->alg->vio,
							   s->dsid[dir]);
			s->have[dir] = false;
		}
	}
	list_for_each_entry_safe(o, tmp, &d->orphans, node) {
		if (!err)
			err = vcd_destroy_dsession(d, o->algo, o->id);
		list_del(&o->node);
		kfree(o);
	}
	mutex_unlock(&d->slist_lock);
	up_write(&d->dsess_rw);
	if (err)
		dev_warn(&d->vdev->dev,
			 "%d device sessions not destroyed (error %d)\n",
			 atomic_read(&d->dsessions), err);
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
