/* SPDX-License-Identifier: MIT */
/*
 * blkfront: a portable Xen block frontend core.
 *
 * The core speaks the blkif protocol (XenStore handshake, shared ring,
 * grants, event channel) and nothing else: everything it needs from its
 * operating system comes through struct bf_port. It is single-threaded and
 * polled: the OS calls blkfront_poll() (or the blocking helpers, which call
 * port->wait()) and tells the core about XenStore watch events with
 * blkfront_watch_fired(). See docs/blkfront.md.
 */
#ifndef VDEVKIT_BLKFRONT_H
#define VDEVKIT_BLKFRONT_H

#include "xen_iface.h"

/* errno values the core returns (negated); Linux/Xen numbering. */
#define BF_ENOENT	2
#define BF_EIO		5
#define BF_EAGAIN	11
#define BF_ENOMEM	12
#define BF_EBUSY	16
#define BF_ENODEV	19
#define BF_EINVAL	22
#define BF_ENOSPC	28
#define BF_EROFS	30
#define BF_EPROTO	71
#define BF_EOPNOTSUPP	95
#define BF_ETIMEDOUT	110

#define BF_PAGE_SIZE	4096u
#define BF_SECTOR	512u
/* Bounds the core picks; the backend may offer less. */
#define BF_MAX_RING_ORDER	4
#define BF_MAX_RING_PAGES	(1u << BF_MAX_RING_ORDER)
#define BF_MAX_INDIRECT_SEGS	256
#define BF_SEGS_PER_INDIRECT_PAGE \
	(BF_PAGE_SIZE / sizeof(struct blkif_request_segment))
#define BF_NR_CLASSES	9	/* pool group sizes 1, 2, 4 ... 256 pages */

/*
 * What the core needs from its OS. All functions get ctx as first argument.
 * Return values are 0 or a negative errno unless said otherwise.
 */
struct bf_port {
	void *ctx;
	/* Small objects (device state, tables); may fail with NULL. */
	void *(*zalloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p);
	/* n physically and virtually contiguous zeroed pages, page aligned. */
	void *(*alloc_pages)(void *ctx, unsigned int n);
	void (*free_pages)(void *ctx, void *va, unsigned int n);
	/* Grant peer access to the page at va (read-only if ro). */
	int (*grant)(void *ctx, domid_t peer, void *va, int ro,
		     grant_ref_t *ref);
	/* End access; -EBUSY while the peer still has it mapped. */
	int (*ungrant)(void *ctx, grant_ref_t ref);
	int (*evtchn_alloc)(void *ctx, domid_t peer, evtchn_port_t *port);
	void (*evtchn_close)(void *ctx, evtchn_port_t port);
	void (*notify)(void *ctx, evtchn_port_t port);
	/*
	 * Block until port is pending (then clear it), a XenStore watch
	 * event has been delivered (one the XenStore client read while it
	 * awaited a reply too: its event-channel event is spent), or
	 * now_ns() >= deadline. Spurious returns are fine; the core
	 * re-checks everything.
	 */
	void (*wait)(void *ctx, evtchn_port_t port, uint64_t deadline);
	/*
	 * Optional (may be NULL): clear port's pending event. The core calls
	 * it just before it reads the responses, so an event left pending
	 * for responses it has already handled does not make the next
	 * wait() return at once; one that comes later still does.
	 */
	void (*ack)(void *ctx, evtchn_port_t port);
	uint64_t (*now_ns)(void *ctx);
	/*
	 * XenStore. Paths are relative to the domain's home unless they start
	 * with '/'. txn 0 means no transaction. xs_read NUL-terminates and
	 * returns the length or -ENOENT etc.; xs_txn_end returns -EAGAIN when
	 * the transaction must be retried.
	 */
	int (*xs_read)(void *ctx, uint32_t txn, const char *path, char *buf,
		       size_t len);
	int (*xs_write)(void *ctx, uint32_t txn, const char *path,
			const char *val);
	int (*xs_rm)(void *ctx, uint32_t txn, const char *path);
	int (*xs_txn_start)(void *ctx, uint32_t *txn);
	int (*xs_txn_end)(void *ctx, uint32_t txn, int abort);
	/* Deliver watch events by calling blkfront_watch_fired(). */
	int (*xs_watch)(void *ctx, const char *path, const char *token);
	int (*xs_unwatch)(void *ctx, const char *path, const char *token);
	/* Diagnostics; may be NULL. */
	void (*log)(void *ctx, const char *msg);
};

/* Tunables chosen by the OS before blkfront_attach(). */
struct bf_config {
	int use_persistent;	/* offer feature-persistent */
	int use_indirect;	/* use indirect requests when offered */
	int use_multipage;	/* use a multi-page ring when offered */
	unsigned int max_segs;	/* cap segments per request (seed mode: 1) */
	unsigned int max_inflight; /* cap requests in flight (seed mode: 1) */
	unsigned int pool_pages; /* cap on pages held by the grant pool */
	uint64_t timeout_ns;	/* how long blocking helpers wait */
};

void blkfront_default_config(struct bf_config *cfg);

/* One page group of the persistent-grant pool. */
struct bf_group {
	struct bf_group *next;		/* free stack of its class */
	struct bf_group *all_next;	/* every group, for teardown */
	void *va;
	unsigned int npages;
	unsigned int cls;
	int granted;		/* grants live as long as the group */
	grant_ref_t *gref;
};

/*
 * A caller's buffer the backend reads and writes in place
 * (blkfront_add_buffer): each page granted on first use, read-write, and
 * kept granted until the connection ends.
 */
#define BF_MAX_BUFFERS 4
#define BF_NO_GREF ((grant_ref_t)~0u)
struct bf_buffer {
	char *va;
	unsigned int npages;
	grant_ref_t *gref;	/* BF_NO_GREF: not granted yet */
};

struct bf_io;
typedef void (*bf_done_fn)(struct bf_io *io);

/* A caller's I/O: any length, split by the core into ring requests. */
struct bf_io {
	/* BLKIF_OP_READ, _WRITE, _FLUSH_DISKCACHE, _WRITE_BARRIER, _DISCARD */
	int op;
	uint64_t sector;	/* 512-byte units */
	void *buf;
	size_t len;		/* bytes (discard: bytes to discard) */
	int status;		/* 0 or -errno once done */
	int done;
	bf_done_fn cb;		/* may be NULL */
	void *priv;
	/* core-private */
	size_t issued;
	unsigned int pending;
	struct bf_io *next;
};

enum bf_phase {
	BF_IDLE,	/* waiting for the backend to show up (InitWait) */
	BF_INITIALISED,	/* our ring is published; waiting for Connected */
	BF_CONNECTED,
	BF_CLOSING,	/* left the ring; waiting for the backend to close */
	BF_CLOSED,	/* orderly close finished */
};

/*
 * A request's id: its slot in the low bits, a sequence number above, so a
 * response that is late or repeated never matches the slot's next request.
 */
#define BF_ID_SLOT_BITS	16
#define BF_ID_SLOT_MASK	((1ull << BF_ID_SLOT_BITS) - 1)

struct bf_slot {
	int busy;
	uint64_t id;		/* the id the request was sent with */
	uint8_t op;
	uint16_t nseg;
	struct bf_group *data;	/* pool pages; NULL: the caller's buffer */
	struct bf_group *ind;
	struct bf_io *io;
	size_t off;
	size_t len;
};

struct bf_stats {
	uint64_t requests, indirect_requests, segments;
	uint64_t bad_responses, ring_full_waits, groups_created;
	uint64_t violations;	/* disconnects for protocol violations */
	uint64_t grant_ops, ungrant_ops, leaked_pages;
	uint64_t max_inflight;	/* most requests on the ring at once */
	uint64_t notifies;	/* events sent to the backend */
	uint64_t waits;		/* times the core blocked in port.wait() */
	uint64_t direct_requests; /* data in the caller's buffer, no copy */
};

struct blkfront {
	struct bf_port port;
	struct bf_config cfg;
	char node[64];		/* e.g. device/vbd/51712 */
	char backend[128];	/* backend path read at attach */
	char token[24];
	domid_t backend_id;
	enum bf_phase phase;
	int need_step;
	int generation;		/* counts completed connections */

	/* ring */
	unsigned int ring_order;
	void *ring_va;
	grant_ref_t ring_ref[BF_MAX_RING_PAGES];
	evtchn_port_t evtchn;
	blkif_front_ring_t ring;
	struct bf_slot *slots;
	unsigned int nslots;
	uint64_t seq;		/* requests issued, for their ids */
	unsigned int inflight;
	const struct bf_io *waiter;	/* the I/O blkfront_wait_io waits for */

	/* disk, valid while connected */
	uint64_t sectors;	/* 512-byte units */
	unsigned int sector_size;
	unsigned int info;
	int readonly;
	int feat_persistent, feat_flush, feat_barrier, feat_discard;
	unsigned int feat_indirect;	/* max segments, 0: none */
	unsigned int segs_per_req;

	/* grant pool: one LIFO stack of free groups per size class */
	struct bf_group *free_groups[BF_NR_CLASSES];
	struct bf_group *all_groups;	/* every group, for teardown */
	unsigned int pool_pages;
	/* caller's buffers used in place (blkfront_add_buffer) */
	struct bf_buffer bufs[BF_MAX_BUFFERS];
	unsigned int nbufs;
	/* I/O waiting for a slot or pool pages */
	struct bf_io *queue_head, *queue_tail;
	struct bf_stats stats;
};

/*
 * Start the handshake for the frontend node (e.g. "device/vbd/51712").
 * Non-blocking; call blkfront_wait_connected() or poll.
 */
int blkfront_attach(struct blkfront *bf, const struct bf_port *port,
		    const struct bf_config *cfg, const char *node);
/* Run the handshake until connected or cfg.timeout_ns passes. */
int blkfront_wait_connected(struct blkfront *bf);
/* The OS saw a watch event whose token is bf->token. */
void blkfront_watch_fired(struct blkfront *bf);
/*
 * Handle responses, push queued work, follow XenStore state changes.
 * Returns the number of responses handled, or -errno: -EPROTO when the
 * backend broke the protocol (every I/O failed with -EIO; the core is
 * reconnecting), or the error of a failed reconnect step.
 */
int blkfront_poll(struct blkfront *bf);
/* Queue an I/O and push it to the ring; completion via io->cb / io->done. */
int blkfront_submit(struct blkfront *bf, struct bf_io *io);
/*
 * Queue an I/O without pushing it: blkfront_push() (or the next poll)
 * puts everything queued on the ring with one event, so a caller
 * refilling many I/Os at once wakes the backend once, not per I/O.
 */
int blkfront_queue(struct blkfront *bf, struct bf_io *io);
void blkfront_push(struct blkfront *bf);
/* Block until io is done (or the timeout passes: -ETIMEDOUT). */
int blkfront_wait_io(struct blkfront *bf, struct bf_io *io);
/* Synchronous helpers built on submit/wait. */
int blkfront_rw(struct blkfront *bf, int write, uint64_t sector, void *buf,
		size_t len);
int blkfront_flush(struct blkfront *bf);
int blkfront_discard(struct blkfront *bf, uint64_t sector, uint64_t nsect);
/*
 * Zero copy: a reads or writes whose buffer lies inside [va, va + len)
 * (and starts on a sector boundary) go to the backend from those pages
 * themselves instead of being copied through the grant pool. In exchange
 * the caller keeps the region for as long as the device lives and lets
 * the backend hold its pages: each is granted read-write on first use and
 * stays granted (a persistent backend keeps it mapped) until the
 * connection ends; after an I/O failed by a disconnect or a protocol
 * violation, the backend may still read or write the I/O's part of the
 * region until the device reconnects or detaches. va page-aligned; at
 * most BF_MAX_BUFFERS regions; call once connected (attach clears them);
 * blkfront_detach drops them.
 */
int blkfront_add_buffer(struct blkfront *bf, void *va, size_t len);
/* Orderly close: wait for in-flight I/O, Closing/Closed, free. */
int blkfront_detach(struct blkfront *bf);

const char *blkfront_phase_name(enum bf_phase p);

#endif
