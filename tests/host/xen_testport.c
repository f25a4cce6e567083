// SPDX-License-Identifier: MIT
/* Host test port and blkif backend double; see xen_testport.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdarg.h>

#include "xen_testport.h"

const char *const TP_FRONT = "device/vbd/51712";
const char *const TP_BACK = "/local/domain/0/backend/vbd/1/51712";

/* ---- XenStore ---- */

static struct tp_key *find_key(struct tp_key *keys, int n, const char *path)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(keys[i].path, path))
			return &keys[i];
	return NULL;
}

static void fire_watches(struct tp *t, const char *path)
{
	int i;
	size_t n;

	for (i = 0; i < TP_NWATCH; i++) {
		n = strlen(t->watch[i].path);
		if (!n)
			continue;
		if (!strncmp(path, t->watch[i].path, n) &&
		    (path[n] == 0 || path[n] == '/'))
			t->watch[i].pending = 1;
	}
}

void tp_xs_set(struct tp *t, const char *path, const char *val)
{
	struct tp_key *k = find_key(t->keys, t->nkeys, path);

	if (!k) {
		if (t->nkeys == TP_NKEYS) {
			fprintf(stderr, "testport: xenstore full\n");
			exit(99);
		}
		k = &t->keys[t->nkeys++];
		snprintf(k->path, sizeof(k->path), "%s", path);
	}
	snprintf(k->val, sizeof(k->val), "%s", val);
	fire_watches(t, path);
}

void tp_xs_rm(struct tp *t, const char *path)
{
	size_t n = strlen(path);
	int i;

	for (i = 0; i < t->nkeys;) {
		if (!strncmp(t->keys[i].path, path, n) &&
		    (t->keys[i].path[n] == 0 || t->keys[i].path[n] == '/'))
			t->keys[i] = t->keys[--t->nkeys];
		else
			i++;
	}
	fire_watches(t, path);
}

int tp_xs_get(struct tp *t, const char *path, char *buf, size_t len)
{
	struct tp_key *k = find_key(t->keys, t->nkeys, path);

	if (!k)
		return -ENOENT;
	snprintf(buf, len, "%s", k->val);
	return (int)strlen(buf);
}

static int be_get_u(struct tp *t, const char *key, unsigned long *v)
{
	char p[200], buf[64], *end;

	snprintf(p, sizeof(p), "%s/%s", TP_FRONT, key);
	if (tp_xs_get(t, p, buf, sizeof(buf)) < 0)
		return -1;
	*v = strtoul(buf, &end, 10);
	return *end ? -1 : 0;
}

static void be_set(struct tp *t, const char *key, unsigned long v)
{
	char p[200], buf[32];

	snprintf(p, sizeof(p), "%s/%s", TP_BACK, key);
	snprintf(buf, sizeof(buf), "%lu", v);
	tp_xs_set(t, p, buf);
}

/* ---- port callbacks ---- */

static void *p_zalloc(void *ctx, size_t size)
{
	struct tp *t = ctx;

	t->objs_out++;
	return calloc(1, size);
}

static void p_free(void *ctx, void *p)
{
	struct tp *t = ctx;

	if (p)
		t->objs_out--;
	free(p);
}

/*
 * Freed page runs are kept (per size, up to CACHE_MAX) and handed out
 * again: the fuzzer reconnects thousands of times and would otherwise
 * spend its time faulting in fresh memory. Under AddressSanitizer a cached
 * run is poisoned, so a core that touches pages it gave back still stops.
 */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif
#define CACHE_RUNS 257		/* runs of 1..256 pages */
#define CACHE_MAX 8		/* runs kept per size */
#define CACHE_PAGES 8192	/* 32 MiB at most */

static struct {
	void *va[CACHE_MAX];
	unsigned int n;
} page_cache[CACHE_RUNS];
static unsigned int cached_pages;

static void *p_alloc_pages(void *ctx, unsigned int n)
{
	struct tp *t = ctx;
	size_t bytes = (size_t)n * BF_PAGE_SIZE;
	void *p = NULL;

	if (t->fail_pages)
		return NULL;
	if (n < CACHE_RUNS && page_cache[n].n) {
		p = page_cache[n].va[--page_cache[n].n];
		cached_pages -= n;
		UNPOISON(p, bytes);
	} else {
		p = aligned_alloc(BF_PAGE_SIZE, bytes);
	}
	if (p) {
		memset(p, 0, bytes);
		t->pages_out += n;
	}
	return p;
}

static void p_free_pages(void *ctx, void *va, unsigned int n)
{
	struct tp *t = ctx;

	t->pages_out -= n;
	if (n < CACHE_RUNS && page_cache[n].n < CACHE_MAX &&
	    cached_pages + n <= CACHE_PAGES) {
		POISON(va, (size_t)n * BF_PAGE_SIZE);
		page_cache[n].va[page_cache[n].n++] = va;
		cached_pages += n;
		return;
	}
	free(va);
}

static int p_grant(void *ctx, domid_t peer, void *va, int ro,
		   grant_ref_t *ref)
{
	struct tp *t = ctx;
	unsigned int i;

	if (peer != 0 || ((uintptr_t)va & (BF_PAGE_SIZE - 1)))
		return -EINVAL;
	/* First 8 refs are reserved on real Xen; mimic that. */
	for (i = 8; i < TP_NGNT; i++) {
		if (!t->gnt[i].used) {
			t->gnt[i].used = 1;
			t->gnt[i].va = va;
			t->gnt[i].ro = ro;
			t->gnt[i].mapped = 0;
			t->live_grants++;
			t->grant_calls++;
			*ref = i;
			return 0;
		}
	}
	return -ENOSPC;
}

static int p_ungrant(void *ctx, grant_ref_t ref)
{
	struct tp *t = ctx;

	if (ref >= TP_NGNT || !t->gnt[ref].used)
		return -EINVAL;
	if (t->gnt[ref].mapped)
		return -EBUSY;
	t->gnt[ref].used = 0;
	t->live_grants--;
	return 0;
}

static int p_evtchn_alloc(void *ctx, domid_t peer, evtchn_port_t *port)
{
	struct tp *t = ctx;

	(void)peer;
	*port = ++t->next_port;
	return 0;
}

static void p_evtchn_close(void *ctx, evtchn_port_t port)
{
	(void)ctx;
	(void)port;
}

static void p_notify(void *ctx, evtchn_port_t port)
{
	struct tp *t = ctx;

	(void)port;
	t->kicked++;
	if (t->rearm && t->ring.sring)
		t->ring.sring->req_event = t->ring.sring->req_prod + 1;
}

static void deliver_watches(struct tp *t)
{
	int i;

	for (i = 0; i < TP_NWATCH; i++) {
		if (t->watch[i].pending && t->bf &&
		    !strcmp(t->watch[i].token, t->bf->token))
			blkfront_watch_fired(t->bf);
		t->watch[i].pending = 0;
	}
}

static void p_wait(void *ctx, evtchn_port_t port, uint64_t deadline)
{
	struct tp *t = ctx;

	(void)port;
	(void)deadline;
	t->fe_pending = 0;
	tp_run(t);
	deliver_watches(t);
	t->now += 1000000;	/* 1 ms of virtual time per wait */
}

static void p_ack(void *ctx, evtchn_port_t port)
{
	(void)port;
	((struct tp *)ctx)->fe_pending = 0;
}

static uint64_t p_now(void *ctx)
{
	return ((struct tp *)ctx)->now;
}

static int p_xs_read(void *ctx, uint32_t txn, const char *path, char *buf,
		     size_t len)
{
	struct tp *t = ctx;
	struct tp_key *k = NULL;

	if (txn)
		k = find_key(t->txbuf, t->ntx, path);
	if (k) {
		snprintf(buf, len, "%s", k->val);
		return (int)strlen(buf);
	}
	return tp_xs_get(t, path, buf, len);
}

static int p_xs_write(void *ctx, uint32_t txn, const char *path,
		      const char *val)
{
	struct tp *t = ctx;
	struct tp_key *k;

	if (!txn) {
		tp_xs_set(t, path, val);
		return 0;
	}
	if (txn != 1 || !t->in_txn || t->ntx == 64)
		return -EINVAL;
	k = &t->txbuf[t->ntx++];
	snprintf(k->path, sizeof(k->path), "%s", path);
	snprintf(k->val, sizeof(k->val), "%s", val);
	return 0;
}

static int p_xs_rm(void *ctx, uint32_t txn, const char *path)
{
	(void)txn;
	tp_xs_rm(ctx, path);
	return 0;
}

static int p_txn_start(void *ctx, uint32_t *txn)
{
	struct tp *t = ctx;

	if (t->in_txn)
		return -EBUSY;
	t->in_txn = 1;
	t->ntx = 0;
	*txn = 1;
	return 0;
}

static int p_txn_end(void *ctx, uint32_t txn, int abort)
{
	struct tp *t = ctx;
	int i;

	if (txn != 1 || !t->in_txn)
		return -EINVAL;
	t->in_txn = 0;
	if (abort)
		return 0;
	if (t->fail_txn > 0) {
		t->fail_txn--;
		return -EAGAIN;
	}
	for (i = 0; i < t->ntx; i++)
		tp_xs_set(t, t->txbuf[i].path, t->txbuf[i].val);
	return 0;
}

static int p_watch(void *ctx, const char *path, const char *token)
{
	struct tp *t = ctx;
	int i;

	for (i = 0; i < TP_NWATCH; i++) {
		if (!t->watch[i].path[0]) {
			snprintf(t->watch[i].path, sizeof(t->watch[i].path),
				 "%s", path);
			snprintf(t->watch[i].token, sizeof(t->watch[i].token),
				 "%s", token);
			/* XenStore fires a new watch once right away. */
			t->watch[i].pending = 1;
			return 0;
		}
	}
	return -ENOSPC;
}

static int p_unwatch(void *ctx, const char *path, const char *token)
{
	struct tp *t = ctx;
	int i;

	for (i = 0; i < TP_NWATCH; i++) {
		if (!strcmp(t->watch[i].path, path) &&
		    !strcmp(t->watch[i].token, token)) {
			t->watch[i].path[0] = 0;
			return 0;
		}
	}
	return -ENOENT;
}

static void p_log(void *ctx, const char *msg)
{
	(void)ctx;
	if (getenv("TP_VERBOSE"))
		fprintf(stderr, "# %s\n", msg);
}

struct bf_port tp_port(struct tp *t)
{
	struct bf_port p = {
		.ctx = t,
		.zalloc = p_zalloc, .free = p_free,
		.alloc_pages = p_alloc_pages, .free_pages = p_free_pages,
		.grant = p_grant, .ungrant = p_ungrant,
		.evtchn_alloc = p_evtchn_alloc, .evtchn_close = p_evtchn_close,
		.notify = p_notify, .wait = p_wait, .ack = p_ack,
		.now_ns = p_now,
		.xs_read = p_xs_read, .xs_write = p_xs_write, .xs_rm = p_xs_rm,
		.xs_txn_start = p_txn_start, .xs_txn_end = p_txn_end,
		.xs_watch = p_watch, .xs_unwatch = p_unwatch, .log = p_log,
	};

	return p;
}

/* ---- backend double ---- */

static void be_error(struct tp *t, const char *fmt, ...)
{
	va_list ap;

	t->errors++;
	va_start(ap, fmt);
	vsnprintf(t->errmsg, sizeof(t->errmsg), fmt, ap);
	va_end(ap);
}

void tp_set_be_state(struct tp *t, int state)
{
	t->be_state = state;
	be_set(t, "state", (unsigned long)state);
}

void tp_publish_initwait(struct tp *t)
{
	char p[200];

	if (t->max_ring_order) {
		be_set(t, "max-ring-page-order", t->max_ring_order);
	} else {
		snprintf(p, sizeof(p), "%s/max-ring-page-order", TP_BACK);
		tp_xs_rm(t, p);
	}
	tp_set_be_state(t, XenbusStateInitWait);
}

struct tp *tp_new(uint64_t sectors)
{
	struct tp *t = calloc(1, sizeof(*t));
	char p[200];

	t->sectors = sectors;
	t->sector_size = 512;
	t->disk = calloc(1, sectors * 512);
	t->now = 1;
	snprintf(p, sizeof(p), "%s/backend", TP_FRONT);
	tp_xs_set(t, p, TP_BACK);
	snprintf(p, sizeof(p), "%s/backend-id", TP_FRONT);
	tp_xs_set(t, p, "0");
	snprintf(p, sizeof(p), "%s/state", TP_FRONT);
	tp_xs_set(t, p, "1");
	snprintf(p, sizeof(p), "%s/frontend", TP_BACK);
	tp_xs_set(t, p, TP_FRONT);
	tp_publish_initwait(t);
	return t;
}

void tp_free(struct tp *t)
{
	free(t->disk);
	free(t);
}

static void *be_map(struct tp *t, grant_ref_t ref, int write)
{
	if (ref >= TP_NGNT || !t->gnt[ref].used) {
		be_error(t, "bad gref %u", ref);
		return NULL;
	}
	if (write && t->gnt[ref].ro) {
		be_error(t, "gref %u is read-only", ref);
		return NULL;
	}
	t->gnt[ref].mapped = 1;
	return t->gnt[ref].va;
}

static void be_unmap(struct tp *t, grant_ref_t ref)
{
	if (!t->be_persistent && ref < TP_NGNT)
		t->gnt[ref].mapped = 0;
}

static void be_unmap_all(struct tp *t)
{
	unsigned int i;

	for (i = 0; i < TP_NGNT; i++)
		t->gnt[i].mapped = 0;
	t->ring_va = NULL;
}

static void be_connect(struct tp *t)
{
	unsigned long order = 0, ref, port, pers = 0, i;
	char key[32], p[200], proto[32];
	void *va;

	if (be_get_u(t, "ring-page-order", &order) == 0) {
		if (order > t->max_ring_order) {
			be_error(t, "ring order %lu too big", order);
			return;
		}
		snprintf(key, sizeof(key), "%s/ring-ref", TP_FRONT);
		if (tp_xs_get(t, key, p, sizeof(p)) >= 0) {
			be_error(t, "ring-ref with ring-page-order");
			return;
		}
	}
	t->ring_pages = 1u << order;
	for (i = 0; i < t->ring_pages; i++) {
		if (order)
			snprintf(key, sizeof(key), "ring-ref%lu", i);
		else
			snprintf(key, sizeof(key), "ring-ref");
		if (be_get_u(t, key, &ref) < 0) {
			be_error(t, "missing %s", key);
			return;
		}
		t->ring_refs[i] = (grant_ref_t)ref;
		va = be_map(t, (grant_ref_t)ref, 1);
		if (!va)
			return;
		/* The double needs the pages contiguous, as the core makes them. */
		if (i == 0)
			t->ring_va = va;
		else if (va != (char *)t->ring_va + i * BF_PAGE_SIZE)
			be_error(t, "ring pages not contiguous");
	}
	if (be_get_u(t, "event-channel", &port) < 0) {
		be_error(t, "missing event-channel");
		return;
	}
	snprintf(p, sizeof(p), "%s/protocol", TP_FRONT);
	if (tp_xs_get(t, p, proto, sizeof(proto)) < 0 ||
	    strcmp(proto, XEN_IO_PROTO_ABI_X86_64))
		be_error(t, "protocol %s", proto);
	be_get_u(t, "feature-persistent", &pers);
	t->be_persistent = t->persistent && pers;
	t->be_port = (evtchn_port_t)port;
	BACK_RING_INIT(&t->ring, (struct blkif_sring *)t->ring_va,
		       t->ring_pages * BF_PAGE_SIZE);
	t->setups++;

	be_set(t, "sectors", t->sectors);
	be_set(t, "info", t->readonly ? VDISK_READONLY : 0);
	be_set(t, "sector-size", t->sector_size);
	if (t->persistent)
		be_set(t, "feature-persistent", 1);
	if (t->flush)
		be_set(t, "feature-flush-cache", 1);
	if (t->barrier)
		be_set(t, "feature-barrier", 1);
	if (t->discard)
		be_set(t, "feature-discard", 1);
	if (t->max_indirect)
		be_set(t, "feature-max-indirect-segments", t->max_indirect);
	tp_set_be_state(t, XenbusStateConnected);
}

static int16_t be_rw(struct tp *t, uint8_t op, uint64_t sector,
		     const struct blkif_request_segment *seg, unsigned int n,
		     uint32_t *nsect)
{
	uint64_t pos = sector * 512;
	unsigned int i;
	int16_t st = BLKIF_RSP_OKAY;
	uint8_t *va;
	size_t len;

	*nsect = 0;
	for (i = 0; i < n; i++) {
		if (seg[i].first_sect > seg[i].last_sect ||
		    seg[i].last_sect >= BF_PAGE_SIZE / 512) {
			be_error(t, "bad segment %u..%u", seg[i].first_sect,
				 seg[i].last_sect);
			return BLKIF_RSP_ERROR;
		}
		len = (size_t)(seg[i].last_sect - seg[i].first_sect + 1) * 512;
		*nsect += (uint32_t)(len / 512);
		if (pos + len > t->sectors * 512) {
			st = BLKIF_RSP_ERROR;
			continue;
		}
		va = be_map(t, seg[i].gref, op == BLKIF_OP_READ);
		if (!va)
			return BLKIF_RSP_ERROR;
		va += seg[i].first_sect * 512;
		if (op == BLKIF_OP_READ)
			memcpy(va, t->disk + pos, len);
		else if (t->readonly)
			st = BLKIF_RSP_ERROR;
		else
			memcpy(t->disk + pos, va, len);
		be_unmap(t, seg[i].gref);
		pos += len;
	}
	return st;
}

static int16_t be_serve(struct tp *t, const struct blkif_request *req,
			struct tp_reqlog *lg)
{
	const struct blkif_request_indirect *ir = (const void *)req;
	const struct blkif_request_discard *dr = (const void *)req;
	struct blkif_request_segment segs[BF_MAX_INDIRECT_SEGS];
	unsigned int i, nind, per = BF_SEGS_PER_INDIRECT_PAGE;
	void *va;

	lg->op = req->operation;
	lg->id = req->id;
	switch (req->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		lg->nseg = req->nr_segments;
		lg->sector = req->sector_number;
		lg->first_gref = req->seg[0].gref;
		if (!req->nr_segments ||
		    req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
			be_error(t, "%u segments", req->nr_segments);
			return BLKIF_RSP_ERROR;
		}
		return be_rw(t, req->operation, req->sector_number, req->seg,
			     req->nr_segments, &lg->sectors);
	case BLKIF_OP_INDIRECT:
		lg->id = ir->id;
		lg->inner = ir->indirect_op;
		lg->nseg = ir->nr_segments;
		lg->sector = ir->sector_number;
		if (!t->max_indirect || !ir->nr_segments ||
		    ir->nr_segments > t->max_indirect ||
		    ir->nr_segments > BF_MAX_INDIRECT_SEGS) {
			be_error(t, "indirect with %u segments",
				 ir->nr_segments);
			return BLKIF_RSP_ERROR;
		}
		nind = (ir->nr_segments + per - 1) / per;
		for (i = 0; i < nind; i++) {
			va = be_map(t, ir->indirect_grefs[i], 0);
			if (!va)
				return BLKIF_RSP_ERROR;
			memcpy(segs + i * per, va,
			       (ir->nr_segments - i * per < per ?
				ir->nr_segments - i * per : per) *
			       sizeof(segs[0]));
			be_unmap(t, ir->indirect_grefs[i]);
		}
		lg->first_gref = segs[0].gref;
		return be_rw(t, ir->indirect_op, ir->sector_number, segs,
			     ir->nr_segments, &lg->sectors);
	case BLKIF_OP_FLUSH_DISKCACHE:
		return t->flush ? BLKIF_RSP_OKAY : BLKIF_RSP_EOPNOTSUPP;
	case BLKIF_OP_WRITE_BARRIER:
		return t->barrier ? BLKIF_RSP_OKAY : BLKIF_RSP_EOPNOTSUPP;
	case BLKIF_OP_DISCARD:
		lg->id = dr->id;
		lg->sector = dr->sector_number;
		lg->sectors = (uint32_t)dr->nr_sectors;
		if (!t->discard)
			return BLKIF_RSP_EOPNOTSUPP;
		if (dr->sector_number + dr->nr_sectors > t->sectors)
			return BLKIF_RSP_ERROR;
		memset(t->disk + dr->sector_number * 512, 0,
		       dr->nr_sectors * 512);
		return BLKIF_RSP_OKAY;
	default:
		be_error(t, "unknown op %u", req->operation);
		return BLKIF_RSP_ERROR;
	}
}

unsigned int tp_ring_pending(struct tp *t)
{
	if (!t->ring_va || t->be_state != XenbusStateConnected)
		return 0;
	return t->ring.sring->req_prod - t->ring.req_cons;
}

int tp_take(struct tp *t, struct blkif_request *req)
{
	RING_IDX rp;

	if (!t->ring_va)
		return 0;
	rp = bf_load_acquire(&t->ring.sring->req_prod);
	if (rp - t->ring.req_cons > RING_SIZE(&t->ring)) {
		be_error(t, "frontend overran the ring");
		return 0;
	}
	if (rp - t->ring.req_cons > t->max_pending_seen)
		t->max_pending_seen = rp - t->ring.req_cons;
	if (rp == t->ring.req_cons)
		return 0;
	RING_COPY_REQUEST(&t->ring, t->ring.req_cons, req);
	t->ring.req_cons++;
	return 1;
}

int16_t tp_serve(struct tp *t, const struct blkif_request *req)
{
	struct tp_reqlog lg;
	int16_t st;

	memset(&lg, 0, sizeof(lg));
	st = be_serve(t, req, &lg);
	if (t->nlog < TP_LOG)
		t->log[t->nlog++] = lg;
	return st;
}

uint8_t tp_rsp_op(const struct blkif_request *req)
{
	const struct blkif_request_indirect *ir = (const void *)req;

	/* Like blkback: echo the inner op of an indirect request. */
	return req->operation == BLKIF_OP_INDIRECT ? ir->indirect_op
						   : req->operation;
}

/* The id of any request (it sits at a different offset in each layout). */
static uint64_t req_id(const struct blkif_request *req)
{
	switch (req->operation) {
	case BLKIF_OP_INDIRECT:
		return ((const struct blkif_request_indirect *)req)->id;
	case BLKIF_OP_DISCARD:
		return ((const struct blkif_request_discard *)req)->id;
	default:
		return req->id;
	}
}

void tp_respond(struct tp *t, uint64_t id, uint8_t op, int16_t status)
{
	struct blkif_response *rsp;

	if (!t->ring_va)
		return;
	rsp = RING_GET_RESPONSE(&t->ring, t->ring.rsp_prod_pvt);
	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	t->ring.rsp_prod_pvt++;
}

void tp_push(struct tp *t)
{
	int notify;

	if (!t->ring_va)
		return;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&t->ring, notify);
	if (notify) {
		t->be_events++;
		t->fe_pending = 1;
	}
}

static int be_ring(struct tp *t)
{
	struct blkif_request req;
	uint64_t id;
	uint8_t op;
	int16_t st;
	int n = 0;

	while (tp_take(t, &req)) {
		st = tp_serve(t, &req);
		id = req_id(&req);
		op = tp_rsp_op(&req);
		switch (t->inject) {
		case TP_INJ_STATUS:
			st = t->inj_status;
			break;
		case TP_INJ_WRONG_OP:
			op = op == BLKIF_OP_READ ? BLKIF_OP_WRITE
						 : BLKIF_OP_READ;
			break;
		case TP_INJ_BAD_ID:
			id = 0xdeadffffull;	/* slot 0xffff: none */
			break;
		case TP_INJ_IDLE_ID:
			id++;
			break;
		default:
			break;
		}
		if (t->inject != TP_INJ_RUNAWAY)
			t->inject = TP_INJ_NONE;
		tp_respond(t, id, op, st);
		n++;
		if (t->one_by_one)
			break;
	}
	tp_push(t);
	if (t->inject == TP_INJ_RUNAWAY) {
		t->ring.sring->rsp_prod += 1000;
		t->inject = TP_INJ_NONE;
	}
	return n;
}

int tp_run(struct tp *t)
{
	unsigned long fs;

	if (be_get_u(t, "state", &fs) < 0)
		fs = XenbusStateUnknown;
	switch (t->be_state) {
	case XenbusStateInitWait:
		if (fs == XenbusStateInitialised || fs == XenbusStateConnected)
			be_connect(t);
		break;
	case XenbusStateConnected:
		if (fs == XenbusStateClosing)
			tp_set_be_state(t, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		if (fs == XenbusStateInitialising && !t->offline)
			tp_publish_initwait(t);
		return 0;
	default:
		break;
	}
	if (fs == XenbusStateClosed && t->be_state != XenbusStateClosed &&
	    t->be_state != XenbusStateInitWait) {
		/* blkback completes what it has taken, then unmaps it all. */
		if (!t->paused && t->ring_va)
			be_ring(t);
		be_unmap_all(t);
		tp_set_be_state(t, XenbusStateClosed);
		return 0;
	}
	if (t->be_state != XenbusStateConnected || t->paused || !t->ring_va)
		return 0;
	return be_ring(t);
}
