/* SPDX-License-Identifier: MIT */
/*
 * Host-side port of the blkfront core and an in-process blkif backend test
 * double: a fake grant table, event channel, XenStore and a backend that
 * serves the ring from a memory disk. For fast unit tests only; the real
 * proof is Linux blkback on Xen.
 */
#ifndef VDEVKIT_XEN_TESTPORT_H
#define VDEVKIT_XEN_TESTPORT_H

#include "../../xen/blkfront/blkfront.h"

#define TP_NGNT 8192
#define TP_NKEYS 512
#define TP_NWATCH 8
#define TP_LOG 4096

struct tp_gnt {
	void *va;
	int used, ro, mapped;
};

struct tp_key {
	char path[160];
	char val[64];
};

struct tp_reqlog {
	uint64_t id;		/* as sent */
	uint8_t op;		/* BLKIF_OP_* as sent (INDIRECT kept) */
	uint8_t inner;		/* inner op of an indirect request */
	uint16_t nseg;
	uint64_t sector;
	uint32_t sectors;	/* total 512-byte sectors in the request */
	grant_ref_t first_gref;
};

enum tp_inject {
	TP_INJ_NONE,
	TP_INJ_BAD_ID,		/* next response carries an unknown id */
	TP_INJ_STATUS,		/* next response carries inj_status */
	TP_INJ_RUNAWAY,		/* move rsp_prod far past what was asked */
	TP_INJ_WRONG_OP,	/* next response echoes a different op */
	TP_INJ_IDLE_ID,		/* next response names the next (idle) slot */
};

struct tp {
	/* backend configuration, published at InitWait/Connected */
	unsigned int max_ring_order;	/* 0: key not published */
	unsigned int max_indirect;	/* 0: not published */
	int persistent, flush, barrier, discard, readonly;
	uint64_t sectors;
	unsigned int sector_size;
	/* behaviour */
	int paused;		/* hold requests unanswered */
	int offline;		/* toolstack removing the device: no reconnect */
	int fail_pages;		/* alloc_pages returns NULL */
	int fail_txn;		/* commits to fail with EAGAIN */
	enum tp_inject inject;
	int16_t inj_status;
	/* memory disk */
	uint8_t *disk;
	/* fake hypervisor state */
	struct tp_gnt gnt[TP_NGNT];
	unsigned int live_grants, grant_calls;
	long pages_out, objs_out;
	uint64_t now;
	evtchn_port_t next_port;
	int kicked;
	int rearm;		/* each notify: req_event = req_prod + 1, as a
				 * backend that woke, took what was published
				 * and asks to hear of the next request */
	int one_by_one;		/* answer one request per run, pushing each
				 * response at once, as QEMU's qdisk does */
	unsigned int be_events;	/* events the backend sent the frontend */
	int fe_pending;		/* the frontend's port is pending: set by
				 * those events, cleared by ack and wait */
	/* XenStore */
	struct tp_key keys[TP_NKEYS];
	int nkeys;
	struct {
		char path[160];
		char token[32];
		int pending;
	} watch[TP_NWATCH];
	struct tp_key txbuf[64];
	int ntx, in_txn;
	struct blkfront *bf;	/* where watch events go */
	/* backend side */
	int be_state;
	int setups;		/* times the backend connected a ring */
	blkif_back_ring_t ring;
	void *ring_va;
	grant_ref_t ring_refs[BF_MAX_RING_PAGES];
	unsigned int ring_pages;
	int be_persistent;
	evtchn_port_t be_port;
	struct tp_reqlog log[TP_LOG];
	unsigned int nlog;
	unsigned int max_pending_seen;
	int errors;		/* protocol errors the backend saw */
	char errmsg[160];
};

extern const char *const TP_FRONT;
extern const char *const TP_BACK;

/* A fresh fake world with a backend in InitWait. */
struct tp *tp_new(uint64_t sectors);
void tp_free(struct tp *t);
struct bf_port tp_port(struct tp *t);
/* Backend state change, as the toolstack or blkback would make it. */
void tp_set_be_state(struct tp *t, int state);
void tp_publish_initwait(struct tp *t);
/*
 * Run the backend once: handshake and ring; returns requests served. Like
 * blkback, it finishes the requests on the ring before it disconnects when
 * the frontend says Closed (unless paused).
 */
int tp_run(struct tp *t);
/*
 * The ring by hand, for tests that play a misbehaving backend (with paused
 * set, tp_run leaves the ring to them): take the next request (0 if none),
 * do its I/O on the memory disk (returns the status blkback would send),
 * put a response in the next slot, and make the responses visible.
 */
int tp_take(struct tp *t, struct blkif_request *req);
int16_t tp_serve(struct tp *t, const struct blkif_request *req);
void tp_respond(struct tp *t, uint64_t id, uint8_t op, int16_t status);
void tp_push(struct tp *t);
/* The operation blkback echoes for req (the inner one of an indirect). */
uint8_t tp_rsp_op(const struct blkif_request *req);
int tp_xs_get(struct tp *t, const char *path, char *buf, size_t len);
void tp_xs_set(struct tp *t, const char *path, const char *val);
void tp_xs_rm(struct tp *t, const char *path);
/* Requests waiting on the ring, not yet taken by the backend. */
unsigned int tp_ring_pending(struct tp *t);

#endif
