// SPDX-License-Identifier: MIT
/*
 * blkfront core: handshake, grant pool, request building, completion.
 * Talks to its OS only through struct bf_port (see blkfront.h).
 */
#include "blkfront.h"

#define BF_MIN(a, b) ((a) < (b) ? (a) : (b))
#define BF_DIV_UP(a, b) (((a) + (b) - 1) / (b))

/* ---- tiny string helpers: the core needs no C library ---- */

static size_t bf_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static int bf_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void bf_strlcpy(char *d, const char *s, size_t size)
{
	size_t n = bf_strlen(s);

	if (n >= size)
		n = size - 1;
	__builtin_memcpy(d, s, n);
	d[n] = 0;
}

static char *bf_utoa(uint64_t v, char *end)
{
	*--end = 0;
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* Join "a/b" into out; b may carry a number suffix (ring-ref%u). */
static void bf_path(char *out, size_t size, const char *a, const char *b)
{
	size_t la = bf_strlen(a);

	bf_strlcpy(out, a, size);
	if (la + 1 < size) {
		out[la] = '/';
		bf_strlcpy(out + la + 1, b, size - la - 1);
	}
}

static int bf_parse_u64(const char *s, uint64_t *v)
{
	uint64_t r = 0;

	if (!*s)
		return -BF_EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -BF_EINVAL;
		if (r > (UINT64_MAX - 9) / 10)
			return -BF_EINVAL;
		r = r * 10 + (uint64_t)(*s - '0');
	}
	*v = r;
	return 0;
}

static void bf_log(struct blkfront *bf, const char *a, const char *b)
{
	char msg[160];
	size_t n;

	if (!bf->port.log)
		return;
	bf_strlcpy(msg, "blkfront ", sizeof(msg));
	n = bf_strlen(msg);
	bf_strlcpy(msg + n, bf->node, sizeof(msg) - n);
	n = bf_strlen(msg);
	bf_strlcpy(msg + n, ": ", sizeof(msg) - n);
	n = bf_strlen(msg);
	bf_strlcpy(msg + n, a, sizeof(msg) - n);
	if (b) {
		n = bf_strlen(msg);
		bf_strlcpy(msg + n, b, sizeof(msg) - n);
	}
	bf->port.log(bf->port.ctx, msg);
}

static int bf_read(struct blkfront *bf, const char *dir, const char *key,
		   char *buf, size_t len)
{
	char p[192];

	bf_path(p, sizeof(p), dir, key);
	return bf->port.xs_read(bf->port.ctx, 0, p, buf, len);
}

static int bf_read_u64(struct blkfront *bf, const char *dir, const char *key,
		       uint64_t *v)
{
	char buf[32];
	int rc = bf_read(bf, dir, key, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	return bf_parse_u64(buf, v);
}

/* A feature flag: absent or unparsable means "not offered". */
static uint64_t bf_feature(struct blkfront *bf, const char *key)
{
	uint64_t v;

	if (bf_read_u64(bf, bf->backend, key, &v) < 0)
		return 0;
	return v;
}

static int bf_write_u64(struct blkfront *bf, uint32_t txn, const char *key,
			uint64_t v)
{
	char p[192], num[24];

	bf_path(p, sizeof(p), bf->node, key);
	return bf->port.xs_write(bf->port.ctx, txn, p, bf_utoa(v, num + 24));
}

static int bf_switch_state(struct blkfront *bf, XenbusState s)
{
	return bf_write_u64(bf, 0, "state", (uint64_t)s);
}

static XenbusState bf_backend_state(struct blkfront *bf)
{
	uint64_t v;

	if (!bf->backend[0] || bf_read_u64(bf, bf->backend, "state", &v) < 0)
		return XenbusStateUnknown;
	return v > XenbusStateReconfigured ? XenbusStateUnknown
					   : (XenbusState)v;
}

const char *blkfront_phase_name(enum bf_phase p)
{
	static const char *const names[] = {
		"idle", "initialised", "connected", "closing", "closed",
	};

	return (unsigned int)p < sizeof(names) / sizeof(names[0]) ? names[p]
								 : "?";
}

void blkfront_default_config(struct bf_config *cfg)
{
	cfg->use_persistent = 1;
	cfg->use_indirect = 1;
	cfg->use_multipage = 1;
	cfg->max_segs = BF_MAX_INDIRECT_SEGS;
	cfg->max_inflight = 1u << 16;
	cfg->pool_pages = 1024;
	cfg->timeout_ns = 30ull * 1000 * 1000 * 1000;
}

/* ---- grant pool: groups of 2^cls pages, one LIFO stack per class ---- */

static unsigned int bf_class_of(unsigned int pages)
{
	unsigned int c = 0;

	while ((1u << c) < pages)
		c++;
	return c;
}

static struct bf_group *bf_group_create(struct blkfront *bf, unsigned int cls)
{
	unsigned int n = 1u << cls, i;
	struct bf_group *g = bf->port.zalloc(bf->port.ctx, sizeof(*g));

	if (!g)
		return NULL;
	g->gref = bf->port.zalloc(bf->port.ctx, n * sizeof(grant_ref_t));
	g->va = bf->port.alloc_pages(bf->port.ctx, n);
	if (!g->gref || !g->va)
		goto fail;
	g->npages = n;
	g->cls = cls;
	if (bf->feat_persistent) {
		/* Granted once, read-write: the backend keeps them mapped. */
		for (i = 0; i < n; i++) {
			if (bf->port.grant(bf->port.ctx, bf->backend_id,
					   (char *)g->va + i * BF_PAGE_SIZE, 0,
					   &g->gref[i]) < 0) {
				while (i--)
					bf->port.ungrant(bf->port.ctx,
							 g->gref[i]);
				goto fail;
			}
			bf->stats.grant_ops++;
		}
		g->granted = 1;
	}
	g->all_next = bf->all_groups;
	bf->all_groups = g;
	bf->pool_pages += n;
	bf->stats.groups_created++;
	return g;
fail:
	if (g->va)
		bf->port.free_pages(bf->port.ctx, g->va, n);
	if (g->gref)
		bf->port.free(bf->port.ctx, g->gref);
	bf->port.free(bf->port.ctx, g);
	return NULL;
}

static struct bf_group *bf_pop(struct blkfront *bf, unsigned int cls)
{
	struct bf_group *g = bf->free_groups[cls];

	if (g)
		bf->free_groups[cls] = g->next;
	return g;
}

/*
 * A group with at least *pages pages. If the pool is at its cap and
 * nothing is in flight to free a group, settle for a smaller free one and
 * lower *pages, so a small pool never deadlocks.
 */
static struct bf_group *bf_group_get(struct blkfront *bf, unsigned int *pages,
				     int may_shrink)
{
	unsigned int cls = bf_class_of(*pages), c;
	struct bf_group *g = bf_pop(bf, cls);

	if (g)
		return g;
	if (bf->pool_pages + (1u << cls) <= bf->cfg.pool_pages) {
		g = bf_group_create(bf, cls);
		if (g)
			return g;
	}
	for (c = cls + 1; c < BF_NR_CLASSES; c++) {
		g = bf_pop(bf, c);
		if (g)
			return g;
	}
	if (!may_shrink || bf->inflight)
		return NULL;
	for (c = cls; c-- > 0;) {
		g = bf_pop(bf, c);
		if (!g && bf->pool_pages + (1u << c) <= bf->cfg.pool_pages)
			g = bf_group_create(bf, c);
		if (g) {
			*pages = 1u << c;
			return g;
		}
	}
	return NULL;
}

static void bf_group_put(struct blkfront *bf, struct bf_group *g)
{
	g->next = bf->free_groups[g->cls];
	bf->free_groups[g->cls] = g;
}

/* Per-request grants when the backend is not persistent. */
static int bf_grant_pages(struct blkfront *bf, struct bf_group *g,
			  unsigned int n, int ro)
{
	unsigned int i;

	if (g->granted)
		return 0;
	for (i = 0; i < n; i++) {
		if (bf->port.grant(bf->port.ctx, bf->backend_id,
				   (char *)g->va + i * BF_PAGE_SIZE, ro,
				   &g->gref[i]) < 0) {
			while (i--)
				bf->port.ungrant(bf->port.ctx, g->gref[i]);
			return -BF_ENOSPC;
		}
		bf->stats.grant_ops++;
	}
	return 0;
}

/*
 * Ends per-request grants; returns -EBUSY if the backend still maps a
 * page, and then the group is dropped rather than reused.
 */
static int bf_ungrant_pages(struct blkfront *bf, struct bf_group *g,
			    unsigned int n)
{
	unsigned int i;
	int rc = 0;

	if (g->granted)
		return 0;
	for (i = 0; i < n; i++) {
		if (bf->port.ungrant(bf->port.ctx, g->gref[i]) < 0)
			rc = -BF_EBUSY;
		bf->stats.ungrant_ops++;
	}
	return rc;
}

static void bf_group_release(struct blkfront *bf, struct bf_group *g,
			     unsigned int used)
{
	if (bf_ungrant_pages(bf, g, used) < 0) {
		bf_log(bf, "backend kept a page mapped; dropping group", NULL);
		g->cls = BF_NR_CLASSES;	/* marks it leaked */
		bf->stats.leaked_pages += g->npages;
		return;
	}
	bf_group_put(bf, g);
}

/* Teardown: end every grant; keep pages the backend still maps. */
static void bf_pool_destroy(struct blkfront *bf)
{
	struct bf_group *g = bf->all_groups, *next;
	unsigned int i, c;
	int busy;

	for (; g; g = next) {
		next = g->all_next;
		busy = g->cls >= BF_NR_CLASSES;
		if (g->granted) {
			for (i = 0; i < g->npages; i++) {
				if (bf->port.ungrant(bf->port.ctx,
						     g->gref[i]) < 0)
					busy = 1;
				bf->stats.ungrant_ops++;
			}
		}
		if (busy) {
			if (g->cls < BF_NR_CLASSES)
				bf->stats.leaked_pages += g->npages;
			continue;	/* never hand a mapped page back */
		}
		bf->port.free_pages(bf->port.ctx, g->va, g->npages);
		bf->port.free(bf->port.ctx, g->gref);
		bf->port.free(bf->port.ctx, g);
	}
	bf->all_groups = NULL;
	for (c = 0; c < BF_NR_CLASSES; c++)
		bf->free_groups[c] = NULL;
	bf->pool_pages = 0;
}

/* ---- completion and failure ---- */

static void bf_io_finish(struct blkfront *bf, struct bf_io *io)
{
	(void)bf;
	io->done = 1;
	if (io->cb)
		io->cb(io);
}

static void bf_dequeue(struct blkfront *bf, struct bf_io *io)
{
	struct bf_io **pp = &bf->queue_head, *prev = NULL;

	for (; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp == io) {
			*pp = io->next;
			if (bf->queue_tail == io)
				bf->queue_tail = prev;
			io->next = NULL;
			return;
		}
	}
}

/*
 * Fail every queued and in-flight I/O. Slots stay busy (their pages may
 * still be in the backend's hands) but forget their I/O.
 */
static void bf_fail_all(struct blkfront *bf, int err)
{
	struct bf_io *io;
	unsigned int i;

	for (i = 0; i < bf->nslots; i++) {
		io = bf->slots[i].io;
		if (!bf->slots[i].busy || !io)
			continue;
		bf->slots[i].io = NULL;
		if (!io->status)
			io->status = err;
		if (--io->pending == 0 && io->issued == io->len) {
			bf_dequeue(bf, io);
			bf_io_finish(bf, io);
		}
	}
	while ((io = bf->queue_head)) {
		bf->queue_head = io->next;
		io->next = NULL;
		if (!io->status)
			io->status = err;
		io->issued = io->len;
		if (!io->pending)
			bf_io_finish(bf, io);
	}
	bf->queue_tail = NULL;
}

/*
 * Leave the connection: fail every I/O with EIO and say Closing, then
 * Closed (blkback finishes or drops what it holds and unmaps our grants
 * only when it sees Closed). The slots stay busy, so no page a request
 * lent the backend goes back to the pool; bf_step releases everything
 * once the backend is Closed and then reconnects if it is still there.
 * The phase changes first: a completion callback that submits more I/O
 * gets -ENODEV instead of a slot on the ring being abandoned.
 */
static void bf_disconnect(struct blkfront *bf, const char *why,
			  const char *detail)
{
	bf_log(bf, why, detail);
	bf->phase = BF_CLOSING;
	bf->need_step = 1;
	bf_fail_all(bf, -BF_EIO);
	bf_switch_state(bf, XenbusStateClosing);
	bf_switch_state(bf, XenbusStateClosed);
}

/*
 * The backend broke the protocol: trust nothing it still holds. As Linux's
 * blkfront does, the device stops; unlike it, it then reconnects.
 */
static void bf_violation(struct blkfront *bf, const char *why)
{
	bf->stats.bad_responses++;
	bf->stats.violations++;
	bf_disconnect(bf, "protocol violation; failing I/O, reconnecting: ",
		      why);
}

static int bf_status_errno(struct blkfront *bf, uint8_t op, int16_t st)
{
	switch (st) {
	case BLKIF_RSP_OKAY:
		return 0;
	case BLKIF_RSP_EOPNOTSUPP:
		/* Only optional operations can be unsupported. */
		if (op == BLKIF_OP_FLUSH_DISKCACHE ||
		    op == BLKIF_OP_WRITE_BARRIER || op == BLKIF_OP_DISCARD)
			return -BF_EOPNOTSUPP;
		return -BF_EIO;
	case BLKIF_RSP_ERROR:
		return -BF_EIO;
	default:
		bf->stats.bad_responses++;
		bf_log(bf, "unknown response status", NULL);
		return -BF_EIO;
	}
}

/*
 * A response must name a request in flight by its whole id (slot and
 * sequence number) and echo its operation; anything else means the backend
 * is confused about which pages it may still touch. Returns 0, or -EPROTO
 * after bf_violation().
 */
static int bf_complete(struct blkfront *bf, const struct blkif_response *rsp)
{
	uint64_t slot = rsp->id & BF_ID_SLOT_MASK;
	struct bf_slot *s;
	struct bf_io *io;
	int err;

	if (slot >= bf->nslots) {
		bf_violation(bf, "response with an unknown id");
		return -BF_EPROTO;
	}
	s = &bf->slots[slot];
	if (!s->busy) {
		bf_violation(bf, "response for an idle slot");
		return -BF_EPROTO;
	}
	if (s->id != rsp->id) {
		bf_violation(bf, "stale or duplicate response id");
		return -BF_EPROTO;
	}
	/* blkback echoes the inner op of an indirect request; accept both. */
	if (rsp->operation != s->op &&
	    !(s->ind && rsp->operation == BLKIF_OP_INDIRECT)) {
		bf_violation(bf, "response for a different operation");
		return -BF_EPROTO;
	}
	err = bf_status_errno(bf, s->op, rsp->status);
	if (err == -BF_EOPNOTSUPP && s->op == BLKIF_OP_WRITE_BARRIER)
		bf->feat_barrier = 0;
	if (err == -BF_EOPNOTSUPP && s->op == BLKIF_OP_FLUSH_DISKCACHE)
		bf->feat_flush = 0;
	if (err == -BF_EOPNOTSUPP && s->op == BLKIF_OP_DISCARD)
		bf->feat_discard = 0;

	io = s->io;
	if (io && !err && s->op == BLKIF_OP_READ && !io->status && s->data)
		__builtin_memcpy((char *)io->buf + s->off, s->data->va, s->len);
	if (s->data)
		bf_group_release(bf, s->data, s->nseg);
	if (s->ind)
		bf_group_release(bf, s->ind,
				 BF_DIV_UP(s->nseg, BF_SEGS_PER_INDIRECT_PAGE));
	s->busy = 0;
	s->data = NULL;
	s->ind = NULL;
	s->io = NULL;
	bf->inflight--;
	if (!io)
		return 0;
	if (err && !io->status)
		io->status = err;
	if (--io->pending == 0 && io->issued == io->len)
		bf_io_finish(bf, io);
	return 0;
}

/*
 * RING_FINAL_CHECK_FOR_RESPONSES, but asking for the event only once the
 * I/O blkfront_wait_io waits for can be complete (ring.h invites such a
 * variant for batching).  A backend without indirect segments answers
 * 1 MiB with 24 responses, and one that answers them one at a time (QEMU's
 * qdisk) would otherwise send 24 events and, on one CPU, switch to us
 * after each; now it sends one.  Responses of other I/O count too, so the
 * waiter may wake early, never late.  Nonzero if unconsumed responses are
 * already there.
 */
static int bf_final_check(struct blkfront *bf)
{
	const struct bf_io *w = bf->waiter;
	RING_IDX want = 1;

	/* All of w on the ring: it needs each of its pending responses. */
	if (w && w->issued == w->len && w->pending > 1)
		want = w->pending;

	if (RING_HAS_UNCONSUMED_RESPONSES(&bf->ring))
		return 1;
	bf->ring.sring->rsp_event = bf->ring.rsp_cons + want;
	xen_mb();
	return RING_HAS_UNCONSUMED_RESPONSES(&bf->ring);
}

/* Responses handled, or -EPROTO if the backend broke the protocol. */
static int bf_reap(struct blkfront *bf)
{
	struct blkif_response rsp;
	RING_IDX rp, i;
	int more, n = 0;

	do {
		rp = bf_load_acquire(&bf->ring.sring->rsp_prod);
		/* More responses than requests we made means a runaway index. */
		if (rp - bf->ring.rsp_cons > bf->ring.req_prod_pvt -
		    bf->ring.rsp_cons) {
			bf_violation(bf, "response producer index out of range");
			return -BF_EPROTO;
		}
		for (i = bf->ring.rsp_cons; i != rp; i++) {
			/* One copy: the backend may rewrite the slot under us. */
			RING_COPY_RESPONSE(&bf->ring, i, &rsp);
			if (bf_complete(bf, &rsp) < 0)
				return -BF_EPROTO;
			n++;
		}
		bf->ring.rsp_cons = rp;
		more = bf_final_check(bf);
	} while (more);
	return n;
}

/* ---- request building ---- */

static int bf_free_slot(struct blkfront *bf)
{
	unsigned int i, cap = BF_MIN(bf->nslots, bf->cfg.max_inflight);

	if (bf->inflight >= cap || RING_FULL(&bf->ring))
		return -1;
	for (i = 0; i < bf->nslots; i++)
		if (!bf->slots[i].busy)
			return (int)i;
	return -1;
}

/* n segments for len bytes that start off bytes into the first page. */
static void bf_fill_segs(struct blkif_request_segment *seg,
			 const grant_ref_t *gref, unsigned int n, size_t off,
			 size_t len)
{
	size_t end = off + len, a, b;
	unsigned int i;

	for (i = 0; i < n; i++) {
		a = (size_t)i * BF_PAGE_SIZE;
		b = BF_MIN(end, a + BF_PAGE_SIZE);
		a = a > off ? a : off;
		seg[i].gref = gref[i];
		seg[i].first_sect = (uint8_t)(a % BF_PAGE_SIZE / BF_SECTOR);
		seg[i].last_sect = (uint8_t)((b - 1) % BF_PAGE_SIZE / BF_SECTOR);
	}
}

/* The caller's buffer that holds [p, p + len), if any. */
static struct bf_buffer *bf_buffer_of(struct blkfront *bf, const char *p,
				      size_t len)
{
	unsigned int i;

	for (i = 0; i < bf->nbufs; i++) {
		struct bf_buffer *b = &bf->bufs[i];
		size_t size = (size_t)b->npages * BF_PAGE_SIZE;

		if (p >= b->va && (size_t)(p - b->va) <= size &&
		    len <= size - (size_t)(p - b->va))
			return b;
	}
	return NULL;
}

/* Grant pages [first, first + n) of b that are not yet granted. */
static int bf_buffer_grant(struct blkfront *bf, struct bf_buffer *b,
			   unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		if (b->gref[i] != BF_NO_GREF)
			continue;
		if (bf->port.grant(bf->port.ctx, bf->backend_id,
				   b->va + (size_t)i * BF_PAGE_SIZE, 0,
				   &b->gref[i]) < 0) {
			b->gref[i] = BF_NO_GREF;
			return -BF_ENOSPC;
		}
		bf->stats.grant_ops++;
	}
	return 0;
}

/* End the grants of the caller's buffers (the connection is over). */
static void bf_buffers_ungrant(struct blkfront *bf)
{
	unsigned int i, j;

	for (i = 0; i < bf->nbufs; i++) {
		struct bf_buffer *b = &bf->bufs[i];

		for (j = 0; j < b->npages; j++) {
			if (b->gref[j] == BF_NO_GREF)
				continue;
			if (bf->port.ungrant(bf->port.ctx, b->gref[j]) < 0)
				bf->stats.leaked_pages++;
			bf->stats.ungrant_ops++;
			b->gref[j] = BF_NO_GREF;
		}
	}
}

int blkfront_add_buffer(struct blkfront *bf, void *va, size_t len)
{
	struct bf_buffer *b;
	unsigned int i, n = (unsigned int)BF_DIV_UP(len, BF_PAGE_SIZE);

	if (((uintptr_t)va & (BF_PAGE_SIZE - 1)) || !len)
		return -BF_EINVAL;
	if (bf->nbufs == BF_MAX_BUFFERS)
		return -BF_ENOSPC;
	b = &bf->bufs[bf->nbufs];
	b->gref = bf->port.zalloc(bf->port.ctx, n * sizeof(grant_ref_t));
	if (!b->gref)
		return -BF_ENOMEM;
	for (i = 0; i < n; i++)
		b->gref[i] = BF_NO_GREF;
	b->va = va;
	b->npages = n;
	bf->nbufs++;
	return 0;
}

/*
 * The next part of io straight from the caller's pages, if they are in a
 * buffer added with blkfront_add_buffer: its pages, grants and byte count
 * in *b, *first, *pages, *chunk. 0 if the pool must serve it.
 */
static int bf_direct(struct blkfront *bf, struct bf_io *io,
		     struct bf_buffer **b, unsigned int *first,
		     unsigned int *pages, size_t *chunk)
{
	const char *p = (const char *)io->buf + io->issued;
	size_t off = (uintptr_t)p & (BF_PAGE_SIZE - 1);

	if (!bf->nbufs || off % bf->sector_size)
		return 0;
	*b = bf_buffer_of(bf, p, io->len - io->issued);
	if (!*b)
		return 0;
	*chunk = BF_MIN(io->len - io->issued,
			(size_t)bf->segs_per_req * BF_PAGE_SIZE - off);
	*pages = (unsigned int)BF_DIV_UP(off + *chunk, BF_PAGE_SIZE);
	*first = (unsigned int)((size_t)(p - off - (*b)->va) / BF_PAGE_SIZE);
	return bf_buffer_grant(bf, *b, *first, *pages) == 0;
}

/* Issue one ring request for the next part of io; 1 if issued, 0 if not. */
static int bf_issue(struct blkfront *bf, struct bf_io *io)
{
	struct blkif_request *req;
	struct bf_group *g = NULL, *ind = NULL;
	struct bf_buffer *ub = NULL;
	const grant_ref_t *grefs = NULL;
	struct bf_slot *s;
	unsigned int pages = 0, nind = 0, first = 0;
	size_t chunk = 0, off = 0;
	int id = bf_free_slot(bf);

	if (id < 0) {
		bf->stats.ring_full_waits++;
		return 0;
	}
	s = &bf->slots[id];
	req = RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt);
	__builtin_memset(req, 0, sizeof(*req));

	if ((io->op == BLKIF_OP_READ || io->op == BLKIF_OP_WRITE) &&
	    bf_direct(bf, io, &ub, &first, &pages, &chunk)) {
		off = (uintptr_t)((const char *)io->buf + io->issued) &
		      (BF_PAGE_SIZE - 1);
		grefs = ub->gref + first;
		if (pages > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
			nind = (unsigned int)BF_DIV_UP(pages,
						BF_SEGS_PER_INDIRECT_PAGE);
			ind = bf_group_get(bf, &nind, 0);
			if (ind && bf_grant_pages(bf, ind, nind, 1) < 0) {
				bf_group_put(bf, ind);
				ind = NULL;
			}
			if (!ind) {
				pages = BLKIF_MAX_SEGMENTS_PER_REQUEST;
				chunk = pages * BF_PAGE_SIZE - off;
			}
		}
		bf->stats.direct_requests++;
	} else if (io->op == BLKIF_OP_READ || io->op == BLKIF_OP_WRITE) {
		chunk = BF_MIN(io->len - io->issued,
			       (size_t)bf->segs_per_req * BF_PAGE_SIZE);
		pages = (unsigned int)BF_DIV_UP(chunk, BF_PAGE_SIZE);
		g = bf_group_get(bf, &pages, 1);
		if (!g)
			return 0;
		chunk = BF_MIN(chunk, (size_t)pages * BF_PAGE_SIZE);
		grefs = g->gref;
		if (pages > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
			nind = (unsigned int)BF_DIV_UP(pages,
						BF_SEGS_PER_INDIRECT_PAGE);
			ind = bf_group_get(bf, &nind, 0);
			if (!ind) {
				/*
				 * No page for the segment list (the data
				 * group may fill the pool): a direct request
				 * of the group's first pages needs none.
				 */
				pages = BLKIF_MAX_SEGMENTS_PER_REQUEST;
				chunk = BF_MIN(chunk,
					       (size_t)pages * BF_PAGE_SIZE);
			}
		}
		if (io->op == BLKIF_OP_WRITE)
			__builtin_memcpy(g->va, (char *)io->buf + io->issued,
					 chunk);
		if (bf_grant_pages(bf, g, pages, io->op == BLKIF_OP_WRITE) < 0)
			goto nogrant;
		if (ind && bf_grant_pages(bf, ind, nind, 1) < 0) {
			bf_ungrant_pages(bf, g, pages);
			goto nogrant;
		}
	}

	if (!grefs)
		chunk = io->len;	/* flush, barrier, discard: one request */
	s->busy = 1;
	/* A fresh id each time: a late or repeated response cannot match. */
	s->id = (++bf->seq << BF_ID_SLOT_BITS) | (uint64_t)id;
	s->op = (uint8_t)io->op;
	s->nseg = (uint16_t)pages;
	s->data = g;
	s->ind = ind;
	s->io = io;
	s->off = io->issued;
	s->len = chunk;

	if (io->op == BLKIF_OP_DISCARD) {
		struct blkif_request_discard *d = (void *)req;

		d->operation = BLKIF_OP_DISCARD;
		d->handle = 0;
		d->id = s->id;
		d->sector_number = io->sector;
		d->nr_sectors = io->len / BF_SECTOR;
	} else if (ind) {
		struct blkif_request_indirect *r = (void *)req;
		unsigned int i;

		bf_fill_segs(ind->va, grefs, pages, off, chunk);
		r->operation = BLKIF_OP_INDIRECT;
		r->indirect_op = (uint8_t)io->op;
		r->nr_segments = (uint16_t)pages;
		r->id = s->id;
		r->sector_number = io->sector + io->issued / BF_SECTOR;
		r->handle = 0;
		for (i = 0; i < nind; i++)
			r->indirect_grefs[i] = ind->gref[i];
		bf->stats.indirect_requests++;
	} else {
		req->operation = (uint8_t)io->op;
		req->nr_segments = (uint8_t)pages;
		req->id = s->id;
		req->sector_number = io->sector + io->issued / BF_SECTOR;
		if (grefs)
			bf_fill_segs(req->seg, grefs, pages, off, chunk);
	}
	bf->ring.req_prod_pvt++;
	bf->inflight++;
	if (bf->inflight > bf->stats.max_inflight)
		bf->stats.max_inflight = bf->inflight;
	bf->stats.requests++;
	bf->stats.segments += pages;
	io->issued += chunk;
	io->pending++;
	return 1;

nogrant:
	bf_group_put(bf, g);
	if (ind)
		bf_group_put(bf, ind);
	return 0;
}

/*
 * Push as much queued work as the ring, the slots and the pool allow.
 * Each request is published as soon as it is built, so a backend already
 * running on another CPU works on it while the next one is copied; but the
 * event goes once, after the batch: a backend woken per request (on one
 * CPU Xen switches to it at once) would take one request per wake-up, and
 * a backend without indirect segments (QEMU's qdisk) gets 24 requests for
 * 1 MiB.  The check against req_event spans the whole batch, so a backend
 * that re-armed it meanwhile is still told.
 */
static void bf_kick(struct blkfront *bf)
{
	struct bf_io *io;
	RING_IDX old = bf->ring.req_prod_pvt, new;

	if (bf->phase != BF_CONNECTED)
		return;
	while ((io = bf->queue_head)) {
		if (io->status) {
			/* An earlier part failed: issue no more of it. */
			bf_dequeue(bf, io);
			io->issued = io->len;
			if (!io->pending)
				bf_io_finish(bf, io);
			continue;
		}
		if (!bf_issue(bf, io)) {
			/* Nothing in flight can free a slot or pool pages. */
			if (!bf->inflight) {
				bf_log(bf, "out of pages or grants", NULL);
				io->status = -BF_ENOMEM;
				continue;
			}
			break;
		}
		if (io->issued == io->len)
			bf_dequeue(bf, io);
		RING_PUSH_REQUESTS(&bf->ring);
	}
	new = bf->ring.req_prod_pvt;
	if (new == old || bf->phase != BF_CONNECTED)
		return;
	/* As RING_PUSH_REQUESTS_AND_CHECK_NOTIFY, over old..new. */
	xen_mb();
	if ((RING_IDX)(new - bf->ring.sring->req_event) <
	    (RING_IDX)(new - old)) {
		bf->port.notify(bf->port.ctx, bf->evtchn);
		bf->stats.notifies++;
	}
}

void blkfront_push(struct blkfront *bf)
{
	bf_kick(bf);
}

/* ---- handshake ---- */

static void bf_release(struct blkfront *bf)
{
	unsigned int i, n = 1u << bf->ring_order;
	struct bf_slot *s;
	int busy = 0;

	/* Per-request grants of requests that never completed. */
	for (i = 0; i < bf->nslots; i++) {
		s = &bf->slots[i];
		if (!s->busy)
			continue;
		if (s->data && bf_ungrant_pages(bf, s->data, s->nseg) < 0)
			s->data->cls = BF_NR_CLASSES;
		if (s->ind && bf_ungrant_pages(bf, s->ind, BF_DIV_UP(s->nseg,
				BF_SEGS_PER_INDIRECT_PAGE)) < 0)
			s->ind->cls = BF_NR_CLASSES;
	}

	if (bf->ring_va) {
		for (i = 0; i < n; i++) {
			if (bf->port.ungrant(bf->port.ctx, bf->ring_ref[i]) < 0)
				busy = 1;
			bf->stats.ungrant_ops++;
		}
		if (busy) {
			bf_log(bf, "backend still maps the ring; leaking it",
			       NULL);
			bf->stats.leaked_pages += n;
		} else {
			bf->port.free_pages(bf->port.ctx, bf->ring_va, n);
		}
		bf->ring_va = NULL;
	}
	bf_pool_destroy(bf);
	bf_buffers_ungrant(bf);
	if (bf->slots)
		bf->port.free(bf->port.ctx, bf->slots);
	bf->slots = NULL;
	bf->nslots = 0;
	bf->inflight = 0;
	if (bf->evtchn)
		bf->port.evtchn_close(bf->port.ctx, bf->evtchn);
	bf->evtchn = 0;
}

static int bf_publish(struct blkfront *bf)
{
	char key[24], num[24], p[192];
	unsigned int i, n = 1u << bf->ring_order;
	uint32_t txn;
	int rc, tries;

	for (tries = 0; tries < 16; tries++) {
		rc = bf->port.xs_txn_start(bf->port.ctx, &txn);
		if (rc < 0)
			return rc;
		if (bf->ring_order == 0) {
			rc = bf_write_u64(bf, txn, "ring-ref", bf->ring_ref[0]);
		} else {
			rc = bf_write_u64(bf, txn, "ring-page-order",
					  bf->ring_order);
			for (i = 0; i < n && !rc; i++) {
				bf_strlcpy(key, "ring-ref", sizeof(key));
				bf_strlcpy(key + 8, bf_utoa(i, num + 24), 16);
				rc = bf_write_u64(bf, txn, key,
						  bf->ring_ref[i]);
			}
		}
		if (!rc)
			rc = bf_write_u64(bf, txn, "event-channel",
					  bf->evtchn);
		if (!rc) {
			bf_path(p, sizeof(p), bf->node, "protocol");
			rc = bf->port.xs_write(bf->port.ctx, txn, p,
					       XEN_IO_PROTO_ABI_NATIVE);
		}
		if (!rc)
			rc = bf_write_u64(bf, txn, "feature-persistent",
					  bf->cfg.use_persistent ? 1 : 0);
		if (!rc)
			rc = bf_write_u64(bf, txn, "state",
					  XenbusStateInitialised);
		if (rc < 0) {
			bf->port.xs_txn_end(bf->port.ctx, txn, 1);
			return rc;
		}
		rc = bf->port.xs_txn_end(bf->port.ctx, txn, 0);
		if (rc != -BF_EAGAIN)
			return rc;
	}
	return -BF_EAGAIN;
}

/* Backend reached InitWait: build and publish the ring. */
static int bf_setup(struct blkfront *bf)
{
	unsigned int i, n;
	uint64_t order = 0;
	size_t ssz;
	int rc;

	if (bf->cfg.use_multipage) {
		order = bf_feature(bf, "max-ring-page-order");
		if (order > BF_MAX_RING_ORDER)
			order = BF_MAX_RING_ORDER;
	}
	bf->ring_order = (unsigned int)order;
	n = 1u << bf->ring_order;
	bf->ring_va = bf->port.alloc_pages(bf->port.ctx, n);
	if (!bf->ring_va)
		return -BF_ENOMEM;
	for (i = 0; i < n; i++) {
		rc = bf->port.grant(bf->port.ctx, bf->backend_id,
				    (char *)bf->ring_va + i * BF_PAGE_SIZE, 0,
				    &bf->ring_ref[i]);
		if (rc < 0) {
			while (i--)
				bf->port.ungrant(bf->port.ctx, bf->ring_ref[i]);
			bf->port.free_pages(bf->port.ctx, bf->ring_va, n);
			bf->ring_va = NULL;
			return rc;
		}
	}
	SHARED_RING_INIT((struct blkif_sring *)bf->ring_va);
	FRONT_RING_INIT(&bf->ring, (struct blkif_sring *)bf->ring_va,
			n * BF_PAGE_SIZE);
	bf->nslots = RING_SIZE(&bf->ring);
	ssz = bf->nslots * sizeof(struct bf_slot);
	bf->slots = bf->port.zalloc(bf->port.ctx, ssz);
	rc = bf->slots ? bf->port.evtchn_alloc(bf->port.ctx, bf->backend_id,
					       &bf->evtchn) : -BF_ENOMEM;
	if (!rc)
		rc = bf_publish(bf);
	if (rc < 0) {
		bf_release(bf);
		return rc;
	}
	return 0;
}

/* Backend reached Connected: read what it published there. */
static int bf_connect(struct blkfront *bf)
{
	uint64_t v;
	int rc;

	rc = bf_read_u64(bf, bf->backend, "sectors", &bf->sectors);
	if (rc < 0)
		return rc;
	bf->info = bf_read_u64(bf, bf->backend, "info", &v) < 0 ? 0
							       : (unsigned int)v;
	bf->sector_size = BF_SECTOR;
	if (bf_read_u64(bf, bf->backend, "sector-size", &v) == 0) {
		if (v < BF_SECTOR || v > BF_PAGE_SIZE || (v & (v - 1)))
			return -BF_EPROTO;
		bf->sector_size = (unsigned int)v;
	}
	bf->readonly = !!(bf->info & VDISK_READONLY);
	bf->feat_flush = bf_feature(bf, "feature-flush-cache") != 0;
	bf->feat_barrier = bf_feature(bf, "feature-barrier") != 0;
	bf->feat_discard = bf_feature(bf, "feature-discard") != 0;
	bf->feat_persistent = bf->cfg.use_persistent &&
			      bf_feature(bf, "feature-persistent");
	v = bf->cfg.use_indirect ?
	    bf_feature(bf, "feature-max-indirect-segments") : 0;
	if (v <= BLKIF_MAX_SEGMENTS_PER_REQUEST)
		v = 0;
	bf->feat_indirect = (unsigned int)BF_MIN(v, BF_MAX_INDIRECT_SEGS);
	bf->segs_per_req = bf->feat_indirect ? bf->feat_indirect
					     : BLKIF_MAX_SEGMENTS_PER_REQUEST;
	if (bf->cfg.max_segs && bf->segs_per_req > bf->cfg.max_segs)
		bf->segs_per_req = bf->cfg.max_segs;
	rc = bf_switch_state(bf, XenbusStateConnected);
	if (rc < 0)
		return rc;
	bf->phase = BF_CONNECTED;
	bf->generation++;
	bf_log(bf, "connected", NULL);
	return 0;
}

static int bf_read_backend(struct blkfront *bf)
{
	char path[sizeof(bf->backend)];
	uint64_t id;
	int rc;

	rc = bf_read(bf, bf->node, "backend", path, sizeof(path));
	if (rc < 0)
		return rc;
	if (!bf_streq(path, bf->backend)) {
		/* A re-created device may name a new backend: follow it. */
		if (bf->backend[0])
			bf->port.xs_unwatch(bf->port.ctx, bf->backend,
					    bf->token);
		bf_strlcpy(bf->backend, path, sizeof(bf->backend));
		rc = bf->port.xs_watch(bf->port.ctx, bf->backend, bf->token);
		if (rc < 0)
			return rc;
	}
	rc = bf_read_u64(bf, bf->node, "backend-id", &id);
	if (rc < 0)
		return rc;
	if (id >= DOMID_FIRST_RESERVED)
		return -BF_EINVAL;
	bf->backend_id = (domid_t)id;
	return 0;
}

static int bf_step(struct blkfront *bf)
{
	XenbusState bs;
	int rc;

	bf->need_step = 0;
	if (bf->phase == BF_CLOSED)
		return 0;
	bs = bf_backend_state(bf);
	switch (bf->phase) {
	case BF_CLOSING:
		/* Wait until the backend is done with our pages. */
		if (bs == XenbusStateClosing || bs == XenbusStateConnected)
			return 0;
		bf_release(bf);
		bf->phase = BF_IDLE;
		/* A backend still there reconnects on Initialising. */
		if (bs == XenbusStateClosed)
			bf_switch_state(bf, XenbusStateInitialising);
		/* fall through */
	case BF_IDLE:
		/* The toolstack may have re-created the device. */
		if (bf_read_backend(bf) < 0)
			return 0;
		bs = bf_backend_state(bf);
		if (bs != XenbusStateInitWait)
			return 0;
		rc = bf_setup(bf);
		if (rc < 0)
			return rc;
		bf->phase = BF_INITIALISED;
		bs = bf_backend_state(bf);
		/* fall through */
	case BF_INITIALISED:
		if (bs == XenbusStateConnected)
			return bf_connect(bf);
		if (bs >= XenbusStateClosing || bs == XenbusStateUnknown)
			bf_disconnect(bf, "backend closing; failing I/O", NULL);
		return 0;
	case BF_CONNECTED:
		if (bs >= XenbusStateClosing || bs == XenbusStateUnknown)
			bf_disconnect(bf, "backend closing; failing I/O", NULL);
		return 0;
	default:
		return 0;
	}
}

void blkfront_watch_fired(struct blkfront *bf)
{
	bf->need_step = 1;
}

int blkfront_attach(struct blkfront *bf, const struct bf_port *port,
		    const struct bf_config *cfg, const char *node)
{
	int rc;

	__builtin_memset(bf, 0, sizeof(*bf));
	bf->port = *port;
	if (cfg)
		bf->cfg = *cfg;
	else
		blkfront_default_config(&bf->cfg);
	if (!bf->cfg.max_inflight)
		bf->cfg.max_inflight = 1;
	if (bf->cfg.pool_pages < 1)
		bf->cfg.pool_pages = 1;
	if (bf_strlen(node) >= sizeof(bf->node))
		return -BF_EINVAL;
	bf_strlcpy(bf->node, node, sizeof(bf->node));
	bf_strlcpy(bf->token, "bf:", sizeof(bf->token));
	bf_strlcpy(bf->token + 3, node, sizeof(bf->token) - 3);
	/* Watch both ends: the backend's state and a re-created frontend. */
	rc = bf_read_backend(bf);
	if (rc < 0)
		return rc == -BF_ENOENT ? -BF_ENODEV : rc;
	rc = bf->port.xs_watch(bf->port.ctx, bf->node, bf->token);
	if (rc < 0)
		return rc;
	/* A backend left Closed by an earlier connection waits for this. */
	if (bf_backend_state(bf) == XenbusStateClosed)
		bf_switch_state(bf, XenbusStateInitialising);
	bf->phase = BF_IDLE;
	return bf_step(bf);
}

int blkfront_poll(struct blkfront *bf)
{
	int n = 0, rc;

	if (bf->phase == BF_CONNECTED) {
		/*
		 * The event for responses about to be read is spent: without
		 * this, the backend's event for a response handled here,
		 * before the wait, wakes that wait at once for nothing.
		 */
		if (bf->port.ack)
			bf->port.ack(bf->port.ctx, bf->evtchn);
		n = bf_reap(bf);
	}
	if (bf->need_step) {
		rc = bf_step(bf);
		if (rc < 0)
			return rc;
	}
	bf_kick(bf);
	return n;
}

static void bf_wait(struct blkfront *bf, uint64_t deadline)
{
	bf->stats.waits++;
	bf->port.wait(bf->port.ctx, bf->phase == BF_CONNECTED ? bf->evtchn : 0,
		      deadline);
}

int blkfront_wait_connected(struct blkfront *bf)
{
	uint64_t deadline = bf->port.now_ns(bf->port.ctx) + bf->cfg.timeout_ns;
	int rc;

	while (bf->phase != BF_CONNECTED) {
		if (bf->phase == BF_CLOSED)
			return -BF_ENODEV;
		if (bf->port.now_ns(bf->port.ctx) >= deadline)
			return -BF_ETIMEDOUT;
		bf_wait(bf, deadline);
		bf->need_step = 1;	/* cheap enough while connecting */
		rc = blkfront_poll(bf);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Never inlined: GCC 14's -Wdangling-pointer takes bf_sync()'s on-stack
 * I/O, queued here, for a pointer that outlives it; it does not, because
 * blkfront_wait_io() returns only once the I/O has left the queue and
 * every slot.
 */
#ifdef __GNUC__
__attribute__((noinline))
#endif
int blkfront_queue(struct blkfront *bf, struct bf_io *io)
{
	size_t align = bf->sector_size ? bf->sector_size : BF_SECTOR;

	io->status = 0;
	io->done = 0;
	io->issued = 0;
	io->pending = 0;
	io->next = NULL;
	if (bf->phase != BF_CONNECTED)
		return -BF_ENODEV;
	switch (io->op) {
	case BLKIF_OP_WRITE:
		if (bf->readonly)
			return -BF_EROFS;
		/* fall through */
	case BLKIF_OP_READ:
		if (!io->len || !io->buf)
			return -BF_EINVAL;
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		if (bf->readonly)
			return -BF_EROFS;
		if (!(io->op == BLKIF_OP_FLUSH_DISKCACHE ? bf->feat_flush
							 : bf->feat_barrier))
			return -BF_EOPNOTSUPP;
		io->len = 0;
		break;
	case BLKIF_OP_DISCARD:
		if (bf->readonly)
			return -BF_EROFS;
		if (!bf->feat_discard)
			return -BF_EOPNOTSUPP;
		if (!io->len)
			return -BF_EINVAL;
		break;
	default:
		return -BF_EINVAL;
	}
	if (io->len % align || (io->sector * BF_SECTOR) % align)
		return -BF_EINVAL;
	if (io->sector > bf->sectors ||
	    io->len / BF_SECTOR > bf->sectors - io->sector)
		return -BF_ENOSPC;
	if (io->op == BLKIF_OP_FLUSH_DISKCACHE ||
	    io->op == BLKIF_OP_WRITE_BARRIER) {
		/* Zero-length ops still need one ring request. */
		io->len = 1;
	}
	if (bf->queue_tail)
		bf->queue_tail->next = io;
	else
		bf->queue_head = io;
	bf->queue_tail = io;
	return 0;
}

int blkfront_submit(struct blkfront *bf, struct bf_io *io)
{
	int rc = blkfront_queue(bf, io);

	if (!rc)
		bf_kick(bf);
	return rc;
}

int blkfront_wait_io(struct blkfront *bf, struct bf_io *io)
{
	uint64_t deadline = bf->port.now_ns(bf->port.ctx) + bf->cfg.timeout_ns;
	int rc;

	while (!io->done) {
		bf->waiter = io;
		rc = blkfront_poll(bf);
		if (io->done)
			break;
		if (rc < 0 && !io->done) {
			bf_fail_all(bf, rc);
			break;
		}
		if (bf->port.now_ns(bf->port.ctx) >= deadline) {
			bf_log(bf, "I/O timed out", NULL);
			bf_fail_all(bf, -BF_ETIMEDOUT);
			break;
		}
		bf_wait(bf, deadline);
	}
	bf->waiter = NULL;
	if (!io->done) {
		/* bf_fail_all left it unfinished only if nothing was queued. */
		bf_dequeue(bf, io);
		if (!io->status)
			io->status = -BF_EIO;
		io->done = 1;
	}
	return io->status;
}

static int bf_sync(struct blkfront *bf, struct bf_io *io)
{
	int rc = blkfront_submit(bf, io);

	if (rc < 0)
		return rc;
	return blkfront_wait_io(bf, io);
}

int blkfront_rw(struct blkfront *bf, int write, uint64_t sector, void *buf,
		size_t len)
{
	struct bf_io io = {
		.op = write ? BLKIF_OP_WRITE : BLKIF_OP_READ,
		.sector = sector, .buf = buf, .len = len,
	};

	return bf_sync(bf, &io);
}

int blkfront_flush(struct blkfront *bf)
{
	struct bf_io io = { .op = BLKIF_OP_FLUSH_DISKCACHE };

	if (bf->phase == BF_CONNECTED && !bf->feat_flush)
		io.op = BLKIF_OP_WRITE_BARRIER;
	return bf_sync(bf, &io);
}

int blkfront_discard(struct blkfront *bf, uint64_t sector, uint64_t nsect)
{
	struct bf_io io = {
		.op = BLKIF_OP_DISCARD, .sector = sector,
		.len = (size_t)(nsect * BF_SECTOR),
	};

	return bf_sync(bf, &io);
}

/* Work somebody still waits for (orphans of timed-out I/O excluded). */
static int bf_live_io(struct blkfront *bf)
{
	unsigned int i;

	if (bf->queue_head)
		return 1;
	for (i = 0; i < bf->nslots; i++)
		if (bf->slots[i].busy && bf->slots[i].io)
			return 1;
	return 0;
}

int blkfront_detach(struct blkfront *bf)
{
	uint64_t deadline = bf->port.now_ns(bf->port.ctx) + bf->cfg.timeout_ns;
	XenbusState bs;
	int rc = 0;

	while (bf->phase == BF_CONNECTED && bf_live_io(bf)) {
		if (blkfront_poll(bf) < 0 ||
		    bf->port.now_ns(bf->port.ctx) >= deadline)
			break;
		bf_wait(bf, deadline);
	}
	bf_fail_all(bf, -BF_ENODEV);
	deadline = bf->port.now_ns(bf->port.ctx) + bf->cfg.timeout_ns;
	if (bf->phase != BF_IDLE) {
		bf_switch_state(bf, XenbusStateClosing);
		bf_switch_state(bf, XenbusStateClosed);
		/* blkback unmaps on our Closed and then says Closed itself. */
		for (;;) {
			bs = bf_backend_state(bf);
			if (bs == XenbusStateClosed ||
			    bs == XenbusStateUnknown ||
			    bs == XenbusStateInitWait)
				break;
			if (bf->port.now_ns(bf->port.ctx) >= deadline) {
				rc = -BF_ETIMEDOUT;
				break;
			}
			bf->port.wait(bf->port.ctx, 0, deadline);
		}
	}
	bf->port.xs_unwatch(bf->port.ctx, bf->backend, bf->token);
	bf->port.xs_unwatch(bf->port.ctx, bf->node, bf->token);
	bf_release(bf);
	while (bf->nbufs)
		bf->port.free(bf->port.ctx, bf->bufs[--bf->nbufs].gref);
	bf->phase = BF_CLOSED;
	return rc;
}
