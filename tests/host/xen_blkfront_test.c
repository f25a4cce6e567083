// SPDX-License-Identifier: MIT
/*
 * Unit tests of the portable blkfront core against the in-process backend
 * double (xen_testport.c). Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "tap.h"
#include "xen_testport.h"

#define DISK_SECTORS (16u * 2048)	/* 16 MiB */

static uint32_t rng = 12345;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 31 + seed * 7 + (i >> 9)) ^ seed);
}

struct world {
	struct tp *t;
	struct blkfront bf;
	struct bf_config cfg;
	struct bf_port port;
};

static struct world *world_new(void (*setup)(struct tp *, struct bf_config *))
{
	struct world *w = calloc(1, sizeof(*w));

	w->t = tp_new(DISK_SECTORS);
	blkfront_default_config(&w->cfg);
	w->cfg.timeout_ns = 2000ull * 1000 * 1000;	/* 2000 waits */
	if (setup)
		setup(w->t, &w->cfg);
	tp_publish_initwait(w->t);
	w->port = tp_port(w->t);
	w->t->bf = &w->bf;
	return w;
}

static int world_connect(struct world *w)
{
	int rc = blkfront_attach(&w->bf, &w->port, &w->cfg, TP_FRONT);

	if (rc < 0)
		return rc;
	return blkfront_wait_connected(&w->bf);
}

static void world_free(struct world *w)
{
	if (w->t->pages_out || w->t->objs_out)
		printf("# world leaked %ld pages, %ld objects\n",
		       w->t->pages_out, w->t->objs_out);
	tp_free(w->t);
	free(w);
}

static int front_key(struct world *w, const char *key, char *buf, size_t n)
{
	char p[200];

	snprintf(p, sizeof(p), "%s/%s", TP_FRONT, key);
	return tp_xs_get(w->t, p, buf, n);
}

/* ---- setups ---- */

static void s_plain(struct tp *t, struct bf_config *c)
{
	(void)c;
	t->flush = 1;
}

static void s_full(struct tp *t, struct bf_config *c)
{
	(void)c;
	t->max_ring_order = 2;
	t->max_indirect = 256;
	t->persistent = 1;
	t->flush = 1;
	t->discard = 1;
}

static void s_ind32(struct tp *t, struct bf_config *c)
{
	(void)c;
	t->max_indirect = 32;
}

static void s_persistent(struct tp *t, struct bf_config *c)
{
	(void)c;
	t->persistent = 1;
}

static void s_ro(struct tp *t, struct bf_config *c)
{
	(void)c;
	t->readonly = 1;
	t->flush = 1;
}

static void s_txn(struct tp *t, struct bf_config *c)
{
	(void)c;
	t->fail_txn = 3;
	t->max_ring_order = 1;
}

static void s_tinypool(struct tp *t, struct bf_config *c)
{
	t->max_indirect = 64;
	t->persistent = 1;
	c->pool_pages = 5;
}

/* ---- tests ---- */

static void t_handshake(void)
{
	struct world *w = world_new(s_plain);
	char buf[64];
	int rc, i, refs;

	rc = world_connect(w);
	ok(rc == 0, "handshake connects (rc %d, phase %s)", rc,
	   blkfront_phase_name(w->bf.phase));
	ok(front_key(w, "state", buf, sizeof(buf)) > 0 && !strcmp(buf, "4"),
	   "frontend state Connected");
	ok(front_key(w, "protocol", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "x86_64-abi"), "protocol x86_64-abi");
	ok(front_key(w, "ring-ref", buf, sizeof(buf)) > 0 &&
	   front_key(w, "ring-page-order", buf, sizeof(buf)) < 0,
	   "single-page ring when max-ring-page-order is not offered");
	ok(w->bf.nslots == 32, "32 ring slots on one page (%u)", w->bf.nslots);
	ok(w->bf.sectors == DISK_SECTORS && w->bf.sector_size == 512,
	   "disk size read at Connected");
	refs = (int)w->t->live_grants;
	for (i = 0; i < 20; i++) {
		blkfront_watch_fired(&w->bf);
		blkfront_poll(&w->bf);
		w->port.wait(w->port.ctx, 0, 0);
	}
	tp_set_be_state(w->t, XenbusStateConnected);	/* repeated state */
	blkfront_watch_fired(&w->bf);
	blkfront_poll(&w->bf);
	ok(w->t->setups == 1 && (int)w->t->live_grants == refs &&
	   w->bf.phase == BF_CONNECTED,
	   "duplicate watch events do not set the ring up twice "
	   "(setups %d, grants %d->%u)", w->t->setups, refs,
	   w->t->live_grants);
	ok(w->t->errors == 0, "backend saw no protocol errors (%s)",
	   w->t->errmsg);
	rc = blkfront_detach(&w->bf);
	ok(rc == 0 && w->t->live_grants == 0 && w->t->pages_out == 0 &&
	   w->t->objs_out == 0 && w->t->be_state == XenbusStateClosed,
	   "orderly close frees grants, pages and memory (rc %d grants %u "
	   "pages %ld objs %ld be %d)", rc, w->t->live_grants,
	   w->t->pages_out, w->t->objs_out, w->t->be_state);
	world_free(w);
}

static void t_early_features(void)
{
	struct world *w = world_new(s_full);
	char buf[64];
	int rc;

	/* Connected-time features must not be read before Connected. */
	rc = blkfront_attach(&w->bf, &w->port, &w->cfg, TP_FRONT);
	ok(rc == 0 && w->bf.phase == BF_INITIALISED && !w->bf.feat_indirect &&
	   !w->bf.feat_persistent && !w->bf.sectors,
	   "at InitWait only the ring is set up (phase %s)",
	   blkfront_phase_name(w->bf.phase));
	rc = blkfront_wait_connected(&w->bf);
	ok(rc == 0 && front_key(w, "ring-page-order", buf, 64) > 0 &&
	   !strcmp(buf, "2") && front_key(w, "ring-ref3", buf, 64) > 0 &&
	   front_key(w, "ring-ref", buf, 64) < 0,
	   "multi-page ring: ring-page-order 2, ring-ref0..3");
	ok(w->bf.nslots == 128 && w->t->ring_pages == 4,
	   "4-page ring gives 128 slots (%u)", w->bf.nslots);
	ok(w->bf.feat_indirect == 256 && w->bf.feat_persistent &&
	   w->bf.feat_flush && w->bf.feat_discard,
	   "features read at Connected");
	blkfront_detach(&w->bf);
	world_free(w);
}

static int check_rw(struct world *w, uint64_t sector, size_t len,
		    uint32_t seed)
{
	uint8_t *a = malloc(len), *b = malloc(len);
	int rc, good;

	fill(a, len, seed);
	rc = blkfront_rw(&w->bf, 1, sector, a, len);
	good = rc == 0 && !memcmp(w->t->disk + sector * 512, a, len);
	if (good) {
		memset(b, 0xee, len);
		rc = blkfront_rw(&w->bf, 0, sector, b, len);
		good = rc == 0 && !memcmp(a, b, len);
	}
	free(a);
	free(b);
	return good ? 0 : (rc ? rc : -1);
}

static void log_summary(struct tp *t, unsigned int from, unsigned int *nreq,
			unsigned int *maxseg, unsigned int *nind,
			uint64_t *sectors)
{
	unsigned int i;

	*nreq = *maxseg = *nind = 0;
	*sectors = 0;
	for (i = from; i < t->nlog; i++) {
		(*nreq)++;
		if (t->log[i].nseg > *maxseg)
			*maxseg = t->log[i].nseg;
		if (t->log[i].op == BLKIF_OP_INDIRECT)
			(*nind)++;
		*sectors += t->log[i].sectors;
	}
}

static void t_split(void)
{
	struct world *w = world_new(s_plain);
	unsigned int nreq, maxseg, nind, from, i;
	uint64_t sect;
	int rc, bad = 0, kicked;
	unsigned int events;
	struct bf_io io[32];
	static uint8_t page[32][4096];

	world_connect(w);
	from = w->t->nlog;
	rc = check_rw(w, 100, 1 << 20, 1);
	log_summary(w->t, from, &nreq, &maxseg, &nind, &sect);
	ok(rc == 0, "1 MiB write and read back without indirect (rc %d)", rc);
	ok(nreq == 2 * 24 && maxseg == 11 && nind == 0 && sect == 2 * 2048,
	   "1 MiB split into 24 requests of at most 11 segments each way "
	   "(%u requests, max %u segs, %u indirect)", nreq, maxseg, nind);
	/*
	 * A backend that runs as soon as it is told (one CPU: Xen switches
	 * to it) re-arms req_event each time; still one notification per
	 * batch of requests, not one per request.
	 */
	w->t->rearm = 1;
	w->t->ring.sring->req_event = w->t->ring.sring->req_prod + 1;
	kicked = w->t->kicked;
	rc = check_rw(w, 4096, 1 << 20, 2);
	ok(rc == 0 && w->t->kicked - kicked == 2, "a 1 MiB write and a 1 MiB "
	   "read (24 requests each) notify the backend once each (%d)",
	   w->t->kicked - kicked);
	/*
	 * A backend that answers one request at a time and pushes each
	 * response at once (QEMU's qdisk): the frontend waiting for a 1 MiB
	 * transfer asks for one event when all 24 can be there, not one per
	 * response.
	 */
	w->t->one_by_one = 1;
	events = w->t->be_events;
	rc = check_rw(w, 300, 1 << 20, 5);
	ok(rc == 0 && w->t->be_events - events == 2, "a backend answering one "
	   "request at a time sends one event per 1 MiB transfer (%u)",
	   w->t->be_events - events);
	/* Refilling 32 I/Os at once: queued, then one push and one event. */
	kicked = w->t->kicked;
	for (i = 0; i < 32; i++) {
		memset(&io[i], 0, sizeof(io[i]));
		io[i].op = BLKIF_OP_READ;
		io[i].sector = 8 * i;
		io[i].len = 4096;
		io[i].buf = page[i];
		if (blkfront_queue(&w->bf, &io[i]) < 0)
			bad++;
	}
	ok(bad == 0 && w->t->kicked == kicked && tp_ring_pending(w->t) == 0,
	   "blkfront_queue puts nothing on the ring (%d kicks)",
	   w->t->kicked - kicked);
	blkfront_push(&w->bf);
	ok(w->t->kicked - kicked == 1 && tp_ring_pending(w->t) == 32,
	   "blkfront_push: 32 requests, one event (%d)", w->t->kicked - kicked);
	for (i = 0; i < 32; i++)
		if (blkfront_wait_io(&w->bf, &io[i]) != 0 ||
		    memcmp(page[i], w->t->disk + 8 * 512 * i, 4096))
			bad++;
	ok(bad == 0, "the 32 queued reads return the disk's data (%d bad)",
	   bad);
	/*
	 * The backend answers (and signals) while the frontend is busy; the
	 * frontend then handles the response without waiting.  The event is
	 * spent: a wait now must block, not return at once for nothing.
	 */
	memset(&io[0], 0, sizeof(io[0]));
	io[0].op = BLKIF_OP_READ;
	io[0].len = 4096;
	io[0].buf = page[0];
	rc = blkfront_submit(&w->bf, &io[0]);
	events = w->t->be_events;
	tp_run(w->t);
	blkfront_poll(&w->bf);
	ok(rc == 0 && io[0].done && w->t->be_events - events == 1 &&
	   !w->t->fe_pending, "an event for responses already handled is "
	   "cleared before they are read (pending %d)", w->t->fe_pending);
	w->t->one_by_one = 0;
	w->t->rearm = 0;
	for (i = 0; i < 40; i++) {
		size_t len = (1 + rnd() % 2048) * 512;
		uint64_t s = rnd() % (DISK_SECTORS - len / 512);

		if (check_rw(w, s, len, i) != 0)
			bad++;
	}
	ok(bad == 0, "40 random sizes 512 B..1 MiB at random sectors (%d bad)",
	   bad);
	ok(w->t->errors == 0, "backend saw valid segments (%s)", w->t->errmsg);
	ok(w->t->live_grants == (unsigned int)(1u << w->bf.ring_order),
	   "without persistent grants only the ring stays granted (%u)",
	   w->t->live_grants);
	blkfront_detach(&w->bf);
	world_free(w);
}

static void t_indirect(void)
{
	struct world *w = world_new(s_ind32);
	unsigned int nreq, maxseg, nind, from;
	uint64_t sect;
	int rc;

	world_connect(w);
	from = w->t->nlog;
	rc = check_rw(w, 7, 1 << 20, 2);
	log_summary(w->t, from, &nreq, &maxseg, &nind, &sect);
	ok(rc == 0 && nreq == 16 && nind == 16 && maxseg == 32,
	   "indirect (32 offered): 1 MiB = 8 requests of 32 segs each way "
	   "(rc %d, %u requests, %u indirect, max %u)", rc, nreq, nind, maxseg);
	from = w->t->nlog;
	rc = check_rw(w, 9, 8 * 512, 3);
	log_summary(w->t, from, &nreq, &maxseg, &nind, &sect);
	ok(rc == 0 && nreq == 2 && nind == 0,
	   "small I/O stays a direct request (%u indirect)", nind);
	blkfront_detach(&w->bf);
	world_free(w);

	w = world_new(s_full);
	world_connect(w);
	from = w->t->nlog;
	rc = check_rw(w, 1, 4 << 20, 4);
	log_summary(w->t, from, &nreq, &maxseg, &nind, &sect);
	ok(rc == 0 && nreq == 8 && maxseg == 256 && sect == 2 * 8192,
	   "indirect (256 offered): 4 MiB = 4 requests of 256 segs each way "
	   "(rc %d, %u requests)", rc, nreq);
	ok(w->t->errors == 0, "backend accepted indirect pages (%s)",
	   w->t->errmsg);
	blkfront_detach(&w->bf);
	world_free(w);
}

/* Gref the backend saw first in the last logged request. */
static grant_ref_t last_gref(struct world *w)
{
	return w->t->log[w->t->nlog - 1].first_gref;
}

static void t_pool(void)
{
	struct world *w = world_new(s_persistent);
	uint8_t buf[64 * 1024];
	struct bf_io io[3];
	grant_ref_t a, b, c, g2, g8;
	unsigned int grants, i;
	int rc;

	world_connect(w);
	ok(w->bf.feat_persistent, "persistent grants negotiated");
	blkfront_rw(&w->bf, 0, 0, buf, 4096);
	a = last_gref(w);
	blkfront_rw(&w->bf, 0, 0, buf, 8192);
	g2 = last_gref(w);
	blkfront_rw(&w->bf, 0, 0, buf, 32768);
	g8 = last_gref(w);
	grants = w->t->grant_calls;
	blkfront_rw(&w->bf, 0, 8, buf, 4096);
	ok(last_gref(w) == a, "1-page group reused (gref %u == %u)",
	   last_gref(w), a);
	blkfront_rw(&w->bf, 0, 8, buf, 6144);
	ok(last_gref(w) == g2, "2-page class reused for 1.5 pages");
	blkfront_rw(&w->bf, 0, 8, buf, 5 * 4096);
	ok(last_gref(w) == g8, "5 pages served from the 8-page class");
	ok(w->t->grant_calls == grants,
	   "no new grants on reuse (%u -> %u)", grants, w->t->grant_calls);

	/* LIFO: three one-page I/Os in flight; completion order a, b, c. */
	w->t->paused = 1;
	for (i = 0; i < 3; i++) {
		memset(&io[i], 0, sizeof(io[i]));
		io[i].op = BLKIF_OP_READ;
		io[i].sector = i * 8;
		io[i].buf = buf + i * 4096;
		io[i].len = 4096;
		blkfront_submit(&w->bf, &io[i]);
	}
	w->t->paused = 0;
	tp_run(w->t);
	rc = blkfront_poll(&w->bf);
	ok(rc == 3, "three in flight complete (%d)", rc);
	a = w->t->log[w->t->nlog - 3].first_gref;
	b = w->t->log[w->t->nlog - 2].first_gref;
	c = w->t->log[w->t->nlog - 1].first_gref;
	ok(a != b && b != c && a != c, "three distinct groups");
	blkfront_rw(&w->bf, 0, 0, buf, 4096);
	ok(last_gref(w) == c, "LIFO: the group freed last is reused first");
	blkfront_rw(&w->bf, 0, 0, buf, 4096);
	ok(last_gref(w) == c, "and again while the stack top stays free");
	ok(w->bf.stats.groups_created == 5,
	   "groups: 1-page x3, 2-page, 8-page (%llu)",
	   (unsigned long long)w->bf.stats.groups_created);
	rc = blkfront_detach(&w->bf);
	ok(rc == 0 && w->t->live_grants == 0 && w->t->pages_out == 0,
	   "persistent grants end after the backend unmaps (%u live, "
	   "%ld pages, leaked %llu)", w->t->live_grants, w->t->pages_out,
	   (unsigned long long)w->bf.stats.leaked_pages);
	world_free(w);

	w = world_new(s_tinypool);
	world_connect(w);
	rc = check_rw(w, 3, 1 << 20, 9);
	ok(rc == 0 && w->bf.pool_pages <= 5,
	   "a 5-page pool still moves 1 MiB (rc %d, pool %u pages)", rc,
	   w->bf.pool_pages);
	blkfront_detach(&w->bf);
	world_free(w);

	/* The data group fills the pool: no page left for a segment list. */
	w = world_new(s_tinypool);
	w->cfg.pool_pages = 16;
	world_connect(w);
	rc = check_rw(w, 3, 16 * 4096, 10);
	ok(rc == 0 && w->bf.pool_pages <= 16,
	   "a 16-page pool moves 64 KiB with indirect offered (rc %d, pool "
	   "%u pages)", rc, w->bf.pool_pages);
	blkfront_detach(&w->bf);
	world_free(w);
}

static void t_ring_full(void)
{
	struct world *w = world_new(s_plain);
	static uint8_t buf[100][4096];
	struct bf_io io[100];
	int i, bad = 0, done = 0, rc;

	world_connect(w);
	for (i = 0; i < 100; i++)
		fill(w->t->disk + i * 4096 * 2, 4096, 100 + i);
	w->t->paused = 1;
	for (i = 0; i < 100; i++) {
		memset(&io[i], 0, sizeof(io[i]));
		io[i].op = BLKIF_OP_READ;
		io[i].sector = (uint64_t)i * 16;
		io[i].buf = buf[i];
		io[i].len = 4096;
		rc = blkfront_submit(&w->bf, &io[i]);
		if (rc)
			bad++;
	}
	ok(bad == 0 && w->bf.inflight == 32 && tp_ring_pending(w->t) == 32,
	   "100 submitted: 32 in flight fill the ring (%u, ring %u)",
	   w->bf.inflight, tp_ring_pending(w->t));
	ok(w->bf.stats.ring_full_waits > 0, "ring-full noticed");
	w->t->paused = 0;
	for (i = 0; i < 200 && done < 100; i++) {
		w->port.wait(w->port.ctx, 0, 0);
		rc = blkfront_poll(&w->bf);
		if (rc > 0)
			done += rc;
	}
	for (i = 0; i < 100; i++) {
		uint8_t want[4096];

		fill(want, 4096, 100 + i);
		if (!io[i].done || io[i].status || memcmp(want, buf[i], 4096))
			bad++;
	}
	ok(done == 100 && bad == 0, "all 100 complete with the right data "
	   "(%d done, %d bad)", done, bad);
	ok(w->t->max_pending_seen == 32, "backend saw a full ring (%u)",
	   w->t->max_pending_seen);
	blkfront_detach(&w->bf);
	world_free(w);
}

static int submit_io(struct world *w, struct bf_io *io, int op,
		     uint64_t sector, void *buf, size_t len)
{
	memset(io, 0, sizeof(*io));
	io->op = op;
	io->sector = sector;
	io->buf = buf;
	io->len = len;
	return blkfront_submit(&w->bf, io);
}

static void t_malformed(void)
{
	static const struct {
		enum tp_inject inj;
		const char *what;
	} v[] = {
		{ TP_INJ_BAD_ID, "unknown id" },
		{ TP_INJ_IDLE_ID, "id of an idle slot" },
		{ TP_INJ_WRONG_OP, "response echoing another operation" },
		{ TP_INJ_RUNAWAY, "runaway response index" },
	};
	struct world *w = world_new(s_plain);
	struct blkif_request req[2];
	struct bf_io io[2];
	uint8_t buf[8192];
	uint64_t bad0;
	unsigned int i;
	int rc, rc2, gen, bad;
	int16_t st = 0;

	world_connect(w);
	w->t->inject = TP_INJ_STATUS;
	w->t->inj_status = BLKIF_RSP_ERROR;
	rc = blkfront_rw(&w->bf, 0, 0, buf, 4096);
	ok(rc == -BF_EIO, "BLKIF_RSP_ERROR -> EIO (rc %d)", rc);
	w->t->inject = TP_INJ_STATUS;
	w->t->inj_status = 42;
	bad0 = w->bf.stats.bad_responses;
	rc = blkfront_rw(&w->bf, 0, 0, buf, 8192);
	ok(rc == -BF_EIO && w->bf.stats.bad_responses == bad0 + 1 &&
	   w->bf.phase == BF_CONNECTED && w->bf.generation == 1,
	   "unknown status -> EIO, counted; the connection stays (rc %d)", rc);
	w->t->inject = TP_INJ_STATUS;
	w->t->inj_status = BLKIF_RSP_EOPNOTSUPP;
	rc = blkfront_flush(&w->bf);
	ok(rc == -BF_EOPNOTSUPP, "BLKIF_RSP_EOPNOTSUPP -> EOPNOTSUPP (rc %d)",
	   rc);
	w->t->inject = TP_INJ_STATUS;
	w->t->inj_status = BLKIF_RSP_EOPNOTSUPP;
	rc = blkfront_rw(&w->bf, 0, 0, buf, 4096);
	ok(rc == -BF_EIO, "EOPNOTSUPP for a read (not optional) -> EIO "
	   "(rc %d)", rc);

	/*
	 * A response that names no request in flight, or the wrong operation:
	 * the backend no longer knows which of our pages it may touch.
	 */
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		gen = w->bf.generation;
		bad0 = w->bf.stats.bad_responses;
		w->t->inject = v[i].inj;
		rc = blkfront_rw(&w->bf, 0, 0, buf, 4096);
		ok(rc == -BF_EIO && w->bf.phase != BF_CONNECTED &&
		   w->bf.stats.bad_responses == bad0 + 1,
		   "%s: the I/O fails with EIO, the device disconnects "
		   "(rc %d, %s)", v[i].what, rc,
		   blkfront_phase_name(w->bf.phase));
		if (i == 0) {
			rc = blkfront_rw(&w->bf, 0, 0, buf, 4096);
			ok(rc == -BF_ENODEV, "I/O while it reconnects is "
			   "refused at once (rc %d)", rc);
		}
		rc = blkfront_wait_connected(&w->bf);
		rc2 = check_rw(w, 8 + i * 16, 8192, 20 + i);
		ok(rc == 0 && rc2 == 0 && w->bf.generation == gen + 1,
		   "%s: reconnects and works again (rc %d, %d, connection "
		   "%d)", v[i].what, rc, rc2, w->bf.generation);
	}

	/* A is answered twice, B not at all: the repeat names an idle slot. */
	gen = w->bf.generation;
	fill(w->t->disk, 4096, 77);
	w->t->paused = 1;
	rc = submit_io(w, &io[0], BLKIF_OP_READ, 0, buf, 4096) |
	     submit_io(w, &io[1], BLKIF_OP_READ, 16, buf + 4096, 4096);
	if (tp_take(w->t, &req[0]) && tp_take(w->t, &req[1])) {
		st = tp_serve(w->t, &req[0]);
		tp_respond(w->t, req[0].id, BLKIF_OP_READ, st);
		tp_respond(w->t, req[0].id, BLKIF_OP_READ, st);
		tp_push(w->t);
	}
	w->t->paused = 0;
	blkfront_poll(&w->bf);
	ok(rc == 0 && io[0].done && !io[0].status &&
	   !memcmp(buf, w->t->disk, 4096) && io[1].done &&
	   io[1].status == -BF_EIO && w->bf.phase != BF_CONNECTED,
	   "duplicate response: the first completes its I/O, the repeat fails "
	   "the other with EIO and disconnects (%d, %d, %s)", io[0].status,
	   io[1].status, blkfront_phase_name(w->bf.phase));
	rc = blkfront_wait_connected(&w->bf);
	ok(rc == 0 && w->bf.generation == gen + 1, "and reconnects (rc %d)",
	   rc);

	/* Before: each unknown id cost a slot for good; 32 killed the ring. */
	bad = 0;
	for (i = 0; i < 40; i++) {
		w->t->inject = TP_INJ_BAD_ID;
		if (blkfront_rw(&w->bf, 0, 0, buf, 4096) != -BF_EIO)
			bad++;
		if (blkfront_wait_connected(&w->bf) != 0)
			bad++;
	}
	rc = check_rw(w, 64, 8192, 5);
	ok(bad == 0 && rc == 0 && w->bf.phase == BF_CONNECTED &&
	   w->bf.inflight == 0,
	   "40 unknown ids in a row: each costs one I/O, the ring stays usable "
	   "(%d bad, rc %d, %u in flight)", bad, rc, w->bf.inflight);
	ok(w->t->errors == 0, "backend saw no errors (%s)", w->t->errmsg);
	blkfront_detach(&w->bf);
	ok(w->t->pages_out == 0 && w->t->objs_out == 0 &&
	   w->t->live_grants == 0, "nothing leaked across %d connections "
	   "(%ld pages, %ld objects, %u grants)", w->bf.generation,
	   w->t->pages_out, w->t->objs_out, w->t->live_grants);
	world_free(w);
}

/*
 * A stale response (an earlier read's id) arrives while write B waits on
 * the ring. If B's pages went back to the pool, write C would copy its
 * data into them and the backend, serving B, would put C's data on B's
 * sectors. B must fail, and its pages stay out of use until the backend
 * has let go of the ring.
 */
static void t_stale(void (*setup)(struct tp *, struct bf_config *),
		    const char *mode)
{
	struct world *w = world_new(setup);
	static uint8_t a[4096], b[4096], c[4096], old[4096];
	struct blkif_request req_b;
	struct bf_io ib, ic;
	uint64_t id_a;
	uint8_t *on_b;
	int rc, rc_c, i, taken;
	int16_t st;

	world_connect(w);
	on_b = w->t->disk + 8 * 512;
	fill(on_b, 4096, 1);
	memcpy(old, on_b, 4096);
	rc = blkfront_rw(&w->bf, 0, 0, a, 4096);
	id_a = w->t->log[w->t->nlog - 1].id;

	w->t->paused = 1;
	fill(b, 4096, 2);
	rc |= submit_io(w, &ib, BLKIF_OP_WRITE, 8, b, 4096);
	/* The backend takes B, answers with A's old response, serves B later. */
	taken = tp_take(w->t, &req_b);
	tp_respond(w->t, id_a, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	tp_push(w->t);
	blkfront_poll(&w->bf);
	ok(rc == 0 && taken && ib.done && ib.status == -BF_EIO,
	   "%s: a stale response fails the write in flight with EIO "
	   "(rc %d, status %d)", mode, rc, ib.status);

	fill(c, 4096, 3);
	rc_c = submit_io(w, &ic, BLKIF_OP_WRITE, 16, c, 4096);
	if (taken) {
		st = tp_serve(w->t, &req_b);
		tp_respond(w->t, req_b.id, BLKIF_OP_WRITE, st);
		tp_push(w->t);
	}
	w->t->paused = 0;
	for (i = 0; i < 20; i++) {
		w->port.wait(w->port.ctx, 0, 0);
		blkfront_poll(&w->bf);
	}
	ok(!memcmp(on_b, b, 4096),
	   "%s: B's sectors hold B's data (served late from the pages kept "
	   "for it), not C's (%s; C submitted: rc %d)", mode,
	   !memcmp(on_b, c, 4096) ? "C's" : !memcmp(on_b, old, 4096) ?
	   "old" : "other", rc_c);
	rc = blkfront_wait_connected(&w->bf);
	if (!rc)
		rc = check_rw(w, 16, 4096, 3);
	ok(rc == 0 && w->bf.generation == 2 && w->t->errors == 0,
	   "%s: reconnected; C written then (rc %d, connection %d, %s)",
	   mode, rc, w->bf.generation, w->t->errmsg);
	blkfront_detach(&w->bf);
	ok(w->t->pages_out == 0 && w->t->live_grants == 0 &&
	   w->t->objs_out == 0, "%s: nothing leaked (%ld pages, %u grants)",
	   mode, w->t->pages_out, w->t->live_grants);
	world_free(w);
}

/* A late answer to a timed-out request is fine: it frees the slot. */
static void t_late(void)
{
	struct world *w = world_new(s_plain);
	uint8_t buf[4096];
	int rc, i;

	world_connect(w);
	w->t->paused = 1;
	rc = blkfront_rw(&w->bf, 0, 0, buf, 4096);
	ok(rc == -BF_ETIMEDOUT && w->bf.inflight == 1,
	   "a backend that never answers -> ETIMEDOUT, slot kept (rc %d, "
	   "t=%llu ms)", rc, (unsigned long long)w->t->now / 1000000);
	w->t->paused = 0;
	for (i = 0; i < 3; i++) {
		w->port.wait(w->port.ctx, 0, 0);
		blkfront_poll(&w->bf);
	}
	ok(w->bf.inflight == 0 && w->bf.phase == BF_CONNECTED &&
	   w->bf.generation == 1, "its late answer frees the slot, no "
	   "disconnect (%u in flight, %s)", w->bf.inflight,
	   blkfront_phase_name(w->bf.phase));
	blkfront_detach(&w->bf);
	world_free(w);
}

static void t_errors(void)
{
	struct world *w = world_new(s_ro);
	uint8_t buf[8192];
	unsigned int n;
	int rc;

	world_connect(w);
	ok(w->bf.readonly, "VDISK_READONLY seen");
	n = w->t->nlog;
	rc = blkfront_rw(&w->bf, 1, 0, buf, 4096);
	ok(rc == -BF_EROFS && w->t->nlog == n,
	   "write to a read-only disk refused before the ring (rc %d)", rc);
	rc = blkfront_flush(&w->bf);
	ok(rc == -BF_EROFS, "flush on read-only refused (rc %d)", rc);
	rc = blkfront_rw(&w->bf, 0, 0, buf, 4096);
	ok(rc == 0, "read from a read-only disk works");
	rc = blkfront_rw(&w->bf, 0, DISK_SECTORS - 4, buf, 4096);
	ok(rc == -BF_ENOSPC, "read past the end -> ENOSPC (rc %d)", rc);
	rc = blkfront_rw(&w->bf, 0, DISK_SECTORS - 8, buf, 4096);
	ok(rc == 0, "last 4 KiB readable");
	rc = blkfront_rw(&w->bf, 0, 0, buf, 100);
	ok(rc == -BF_EINVAL, "partial sector -> EINVAL (rc %d)", rc);
	blkfront_detach(&w->bf);
	world_free(w);

	w = world_new(s_plain);
	world_connect(w);
	rc = blkfront_rw(&w->bf, 1, DISK_SECTORS, buf, 512);
	ok(rc == -BF_ENOSPC, "write past the end -> ENOSPC (rc %d)", rc);
	n = w->t->nlog;
	rc = blkfront_flush(&w->bf);
	ok(rc == 0 && w->t->nlog == n + 1 &&
	   w->t->log[n].op == BLKIF_OP_FLUSH_DISKCACHE,
	   "flush sends BLKIF_OP_FLUSH_DISKCACHE (rc %d)", rc);
	rc = blkfront_discard(&w->bf, 0, 8);
	ok(rc == -BF_EOPNOTSUPP, "discard not offered -> EOPNOTSUPP");
	blkfront_detach(&w->bf);
	world_free(w);

	w = world_new(s_plain);
	world_connect(w);
	w->t->fail_pages = 1;
	n = (unsigned int)w->t->now;
	rc = blkfront_rw(&w->bf, 0, 0, buf, 8192);
	ok(rc == -BF_ENOMEM && w->t->now == n,
	   "no pages for the pool -> ENOMEM at once, no waiting (rc %d)", rc);
	w->t->fail_pages = 0;
	rc = blkfront_rw(&w->bf, 0, 0, buf, 8192);
	ok(rc == 0, "works again once pages are there (rc %d)", rc);
	blkfront_detach(&w->bf);
	world_free(w);

	w = world_new(s_full);
	w->t->flush = 0;
	w->t->barrier = 1;
	world_connect(w);
	n = w->t->nlog;
	rc = blkfront_flush(&w->bf);
	ok(rc == 0 && w->t->log[n].op == BLKIF_OP_WRITE_BARRIER,
	   "no flush offered: barrier used (rc %d)", rc);
	fill(w->t->disk, 4096, 5);
	rc = blkfront_discard(&w->bf, 0, 8);
	ok(rc == 0 && w->t->disk[0] == 0 && w->t->disk[4095] == 0,
	   "discard zeroes the range (rc %d)", rc);
	blkfront_detach(&w->bf);
	world_free(w);

	w = world_new(s_txn);
	rc = world_connect(w);
	ok(rc == 0 && w->t->fail_txn == 0, "publish retries EAGAIN commits "
	   "(rc %d)", rc);
	blkfront_detach(&w->bf);
	world_free(w);
}

static void s_seed(struct tp *t, struct bf_config *c)
{
	t->persistent = 1;
	t->max_indirect = 256;
	c->use_persistent = 0;
	c->use_indirect = 0;
	c->max_segs = 1;
	c->max_inflight = 1;
}

static void t_seed(void)
{
	struct world *w = world_new(s_seed);
	unsigned int nreq, maxseg, nind, from;
	uint64_t sect;
	int rc;

	world_connect(w);
	ok(!w->bf.feat_persistent && !w->bf.feat_indirect,
	   "seed config declines persistent grants and indirect requests");
	from = w->t->nlog;
	rc = check_rw(w, 16, 64 * 1024, 11);
	log_summary(w->t, from, &nreq, &maxseg, &nind, &sect);
	ok(rc == 0 && nreq == 32 && maxseg == 1 && nind == 0 &&
	   w->t->max_pending_seen == 1 && w->bf.stats.max_inflight == 1,
	   "seed config: 64 KiB = 16 one-page requests each way, one at a "
	   "time (%u requests, %u in flight)", nreq, w->t->max_pending_seen);
	ok(w->bf.stats.grant_ops == 32 && w->bf.stats.ungrant_ops == 32,
	   "seed config grants and ungrants per request (%llu/%llu)",
	   (unsigned long long)w->bf.stats.grant_ops,
	   (unsigned long long)w->bf.stats.ungrant_ops);
	blkfront_detach(&w->bf);
	world_free(w);
}

static void t_closing(void)
{
	struct world *w = world_new(s_full);
	static uint8_t buf[1 << 20];
	struct bf_io io[4];
	int i, failed = 0, rc;

	world_connect(w);
	w->t->paused = 1;
	for (i = 0; i < 4; i++) {
		memset(&io[i], 0, sizeof(io[i]));
		io[i].op = BLKIF_OP_WRITE;
		io[i].sector = (uint64_t)i * 2048;
		io[i].buf = buf;
		io[i].len = sizeof(buf) / 4 * 3;
		blkfront_submit(&w->bf, &io[i]);
	}
	/* The toolstack detaches the disk: backend goes Closing. */
	w->t->offline = 1;
	tp_set_be_state(w->t, XenbusStateClosing);
	for (i = 0; i < 10; i++) {
		w->port.wait(w->port.ctx, 0, 0);
		blkfront_poll(&w->bf);
	}
	for (i = 0; i < 4; i++)
		if (io[i].done && io[i].status == -BF_EIO)
			failed++;
	ok(failed == 4, "backend Closing fails in-flight I/O with EIO (%d/4)",
	   failed);
	ok(w->t->be_state == XenbusStateClosed && w->bf.phase == BF_IDLE,
	   "frontend closed; backend closed and unmapped (be %d, %s)",
	   w->t->be_state, blkfront_phase_name(w->bf.phase));
	ok(w->t->live_grants == 0 && w->t->pages_out == 0,
	   "all grants ended and pages freed (%u, %ld)", w->t->live_grants,
	   w->t->pages_out);
	for (i = 0; i < 10; i++) {
		w->port.wait(w->port.ctx, 0, 0);
		blkfront_poll(&w->bf);
	}
	ok(w->bf.phase == BF_IDLE && w->t->setups == 1,
	   "stays idle while the device is gone");
	/* The toolstack attaches it again. */
	w->t->offline = 0;
	w->t->paused = 0;
	tp_publish_initwait(w->t);
	for (i = 0; i < 10 && w->bf.phase != BF_CONNECTED; i++) {
		w->port.wait(w->port.ctx, 0, 0);
		blkfront_poll(&w->bf);
	}
	ok(w->bf.phase == BF_CONNECTED && w->t->setups == 2 &&
	   w->bf.generation == 2, "reconnects when the backend returns "
	   "(%s, setups %d)", blkfront_phase_name(w->bf.phase), w->t->setups);
	rc = check_rw(w, 77, 300 * 1024, 8);
	ok(rc == 0, "I/O works after reconnect (rc %d)", rc);
	ok(w->t->errors == 0, "backend saw no errors (%s)", w->t->errmsg);
	/* A backend that closes and stays online reconnects by itself. */
	tp_set_be_state(w->t, XenbusStateClosing);
	for (i = 0; i < 10; i++) {
		w->port.wait(w->port.ctx, 0, 0);
		blkfront_poll(&w->bf);
	}
	ok(w->bf.phase == BF_CONNECTED && w->t->setups == 3,
	   "backend Closing while online: reconnect (%s, setups %d)",
	   blkfront_phase_name(w->bf.phase), w->t->setups);
	rc = check_rw(w, 5, 64 * 1024, 10);
	ok(rc == 0, "I/O works after the second reconnect (rc %d)", rc);
	blkfront_detach(&w->bf);
	ok(w->t->live_grants == 0 && w->t->pages_out == 0 &&
	   w->t->objs_out == 0, "nothing leaked (%u %ld %ld)",
	   w->t->live_grants, w->t->pages_out, w->t->objs_out);
	world_free(w);
}

/*
 * Zero copy: I/O in a buffer added with blkfront_add_buffer goes to the
 * backend from the caller's own pages, each granted once per connection;
 * I/O elsewhere, or not on a sector boundary, still goes through the pool.
 */
static void t_direct(void (*setup)(struct tp *, struct bf_config *),
		     const char *what, unsigned int nreq_mib)
{
	struct world *w = world_new(setup);
	uint8_t *buf = aligned_alloc(4096, 3 << 20), *other = malloc(65536);
	unsigned int nreq, maxseg, nind, from, grants, bad = 0, i;
	uint64_t sect, direct;
	int rc;

	world_connect(w);
	rc = blkfront_add_buffer(&w->bf, buf, 2 << 20);
	ok(rc == 0 && blkfront_add_buffer(&w->bf, buf + 1, 4096) ==
	   -BF_EINVAL, "%s: buffer added; an unaligned one refused (rc %d)",
	   what, rc);
	grants = w->t->grant_calls;
	fill(buf, 1 << 20, 21);
	from = w->t->nlog;
	rc = blkfront_rw(&w->bf, 1, 64, buf, 1 << 20);
	log_summary(w->t, from, &nreq, &maxseg, &nind, &sect);
	ok(rc == 0 && !memcmp(w->t->disk + 64 * 512, buf, 1 << 20) &&
	   nreq == nreq_mib && w->bf.stats.direct_requests == nreq_mib &&
	   w->t->gnt[w->t->log[from].first_gref].va == buf,
	   "%s: 1 MiB written from the caller's pages (rc %d, %u requests, "
	   "%lu direct)", what, rc, nreq,
	   (unsigned long)w->bf.stats.direct_requests);
	ok(w->t->grant_calls - grants == 256 + (nind ? 1 : 0),
	   "%s: each page granted once (%u grants)", what,
	   w->t->grant_calls - grants);
	memset(buf + (1 << 20), 0xee, 1 << 20);
	rc = blkfront_rw(&w->bf, 0, 64, buf + (1 << 20), 1 << 20);
	ok(rc == 0 && !memcmp(buf, buf + (1 << 20), 1 << 20),
	   "%s: 1 MiB read into the caller's pages (rc %d)", what, rc);
	grants = w->t->grant_calls;
	for (i = 0; i < 8; i++) {
		fill(buf, 1 << 20, 30 + i);
		if (blkfront_rw(&w->bf, 1, 4096 + i * 2048, buf, 1 << 20) ||
		    memcmp(w->t->disk + (4096 + i * 2048) * 512, buf, 1 << 20))
			bad++;
		if (blkfront_rw(&w->bf, 0, 4096 + i * 2048, buf + (1 << 20),
				1 << 20) || memcmp(buf, buf + (1 << 20), 1 << 20))
			bad++;
	}
	ok(bad == 0 && w->t->grant_calls == grants,
	   "%s: 8 more MiB each way, no new grant (%u, %d bad)", what,
	   w->t->grant_calls - grants, bad);
	/* Starting mid-page: segments with first_sect/last_sect inside. */
	direct = w->bf.stats.direct_requests;
	fill(buf + 1536, 5 * 4096, 40);
	rc = blkfront_rw(&w->bf, 1, 900, buf + 1536, 5 * 4096);
	bad = rc || memcmp(w->t->disk + 900 * 512, buf + 1536, 5 * 4096);
	memset(buf + (1 << 20) + 512, 0, 5 * 4096);
	rc = blkfront_rw(&w->bf, 0, 900, buf + (1 << 20) + 512, 5 * 4096);
	bad |= rc || memcmp(buf + 1536, buf + (1 << 20) + 512, 5 * 4096);
	ok(!bad && w->bf.stats.direct_requests > direct && !w->t->errors,
	   "%s: 20 KiB at page offsets 1536 and 512 in place (rc %d, %s)",
	   what, rc, w->t->errmsg);
	/* Off a sector boundary, past the buffer, or outside: the pool. */
	direct = w->bf.stats.direct_requests;
	fill(buf + 100, 4096, 41);
	rc = blkfront_rw(&w->bf, 1, 960, buf + 100, 4096);
	bad = rc || memcmp(w->t->disk + 960 * 512, buf + 100, 4096);
	fill(buf + (2 << 20) - 4096, 8192, 42);
	rc = blkfront_rw(&w->bf, 1, 970, buf + (2 << 20) - 4096, 8192);
	bad |= rc || memcmp(w->t->disk + 970 * 512, buf + (2 << 20) - 4096,
			    8192);
	fill(other, 65536, 43);
	rc = blkfront_rw(&w->bf, 1, 990, other, 65536);
	bad |= rc || memcmp(w->t->disk + 990 * 512, other, 65536);
	ok(!bad && w->bf.stats.direct_requests == direct,
	   "%s: unaligned, straddling and outside buffers are copied (%lu "
	   "direct)", what,
	   (unsigned long)(w->bf.stats.direct_requests - direct));
	ok(w->t->errors == 0, "%s: backend saw valid segments (%s)", what,
	   w->t->errmsg);
	/* The backend closes and comes back: grants made again, for it. */
	tp_set_be_state(w->t, XenbusStateClosing);
	for (i = 0; i < 10; i++) {
		w->port.wait(w->port.ctx, 0, 0);
		blkfront_poll(&w->bf);
	}
	grants = w->t->grant_calls;
	rc = check_rw(w, 3000, 1 << 20, 44);
	fill(buf, 65536, 45);
	rc |= blkfront_rw(&w->bf, 1, 5000, buf, 65536);
	ok(w->bf.phase == BF_CONNECTED && rc == 0 &&
	   !memcmp(w->t->disk + 5000 * 512, buf, 65536) &&
	   w->t->grant_calls - grants >= 16,
	   "%s: after a reconnect the buffer is granted anew (rc %d, %u "
	   "grants)", what, rc, w->t->grant_calls - grants);
	blkfront_detach(&w->bf);
	ok(w->t->live_grants == 0 && w->t->pages_out == 0 &&
	   w->t->objs_out == 0, "%s: detach ends the buffer's grants and "
	   "frees all (%u %ld %ld)", what, w->t->live_grants,
	   w->t->pages_out, w->t->objs_out);
	world_free(w);
	free(buf);
	free(other);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	t_handshake();
	t_early_features();
	t_split();
	t_indirect();
	t_pool();
	t_ring_full();
	t_malformed();
	t_stale(s_persistent, "persistent grants");
	t_stale(s_plain, "grant per request");
	t_late();
	t_errors();
	t_seed();
	t_closing();
	t_direct(s_full, "persistent, indirect", 1);
	t_direct(s_plain, "grant per request, 11 segments", 24);
	printf("1..%d\n", n_test);
	printf("# %d passed, %d failed\n", n_test - n_fail, n_fail);
	return n_fail ? 1 : 0;
}
