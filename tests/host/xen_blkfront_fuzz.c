// SPDX-License-Identifier: MIT
/*
 * Fuzzer of the blkfront core's response handling: the test port's backend
 * double is driven by hand as a backend that answers with random and
 * adversarial responses (random, idle, stale and repeated ids, wrong
 * operations, random statuses, rsp_prod jumping back and forth and past
 * the end, garbage in the ring, closing under load), mixed with honest
 * ones. Built with AddressSanitizer and UBSan, so any read or write outside
 * the core's buffers stops it. It checks after every round:
 *
 *  - every I/O completed, with success or EIO (EOPNOTSUPP for flush and
 *    discard, which may be unsupported);
 *  - a read that succeeded returns, sector by sector, what the disk holds
 *    (every sector written carries its own number and a serial, so data
 *    from the wrong sector or a stale request shows);
 *  - what the backend copies to disk for a write always is data meant for
 *    those sectors (it would not be if a page still lent to the backend
 *    had been given to another request);
 *  - the backend never met a grant that was ended under it, and detaching
 *    leaves no page, object or grant behind.
 *
 * Usage: xen_blkfront_fuzz [-t seconds] [-n responses] [-s seed]
 * Runs for the given seconds, or without -t until the given number of
 * responses; with both, fewer responses than asked in that time is a
 * failure. Prints TAP with the counts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xen_testport.h"

#define DISK_SECTORS 4096u	/* 2 MiB */
#define MAX_IOS 24
#define MAX_PEND 1024
#define NHIST 64
#define MAGIC 0x626c6b66757a7a00ull	/* "blkfuzz" */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned int below(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static int chance(unsigned int percent)
{
	return below(100) < percent;
}

/* ---- self-describing sectors: number, serial, and a pattern of both ---- */

static uint64_t word(uint64_t sector, uint64_t serial, unsigned int i)
{
	uint64_t x = sector * 0x9e3779b97f4a7c15ull ^ serial ^ (uint64_t)i << 40;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	return x ^ x >> 29;
}

static void gen(uint8_t *p, uint64_t sector, uint64_t serial)
{
	uint64_t w[64];
	unsigned int i;

	w[0] = MAGIC ^ sector;
	w[1] = sector;
	w[2] = serial;
	for (i = 3; i < 64; i++)
		w[i] = word(sector, serial, i);
	memcpy(p, w, 512);
}

/* The serial of a valid block for sector, 0 for zeros, -1 otherwise. */
static int64_t check_block(const uint8_t *p, uint64_t sector)
{
	uint64_t w[64];
	unsigned int i;

	memcpy(w, p, 512);
	for (i = 0; i < 64 && !w[i]; i++)
		;
	if (i == 64)
		return 0;
	if (w[0] != (MAGIC ^ sector) || w[1] != sector || !w[2] ||
	    w[2] > INT64_MAX)
		return -1;
	for (i = 3; i < 64; i++)
		if (w[i] != word(sector, w[2], i))
			return -1;
	return (int64_t)w[2];
}

/* ---- state ---- */

struct pend {
	struct blkif_request req;
	uint64_t id;
	uint8_t op, rsp_op;	/* as sent; what a response must echo */
	int served;
	int16_t status;		/* of the I/O, once served */
};

struct fz {
	struct tp *t;
	struct blkfront bf;
	struct bf_config cfg;
	struct bf_port port;
	int setups;		/* t->setups when pend was last valid */
	struct pend pend[MAX_PEND];
	unsigned int npend;
	uint64_t hist[NHIST];	/* ids answered before, for repeats */
	unsigned int nhist;
	/* what each sector holds: serial (0 zeros), or unknown */
	uint64_t serial[DISK_SECTORS];
	uint8_t unknown[DISK_SECTORS];
	uint64_t next_serial;
};

static struct {
	uint64_t responses, adversarial, jumps, violations, closes;
	uint64_t ios, ios_ok, ios_eio, ios_notsupp, rounds, worlds;
	uint64_t reads_checked, writes_checked, served;
} st;

static int failed;
static char failmsg[512];

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (failed++)
		return;
	va_start(ap, fmt);
	vsnprintf(failmsg, sizeof(failmsg), fmt, ap);
	va_end(ap);
}

static int front_state(struct fz *f)
{
	char p[200], buf[16];

	snprintf(p, sizeof(p), "%s/state", TP_FRONT);
	if (tp_xs_get(f->t, p, buf, sizeof(buf)) < 0)
		return -1;
	return atoi(buf);
}

/* ---- the backend, played by hand ---- */

static int rsp_op_ok(const struct pend *p, uint8_t op)
{
	return op == p->rsp_op ||
	       (p->op == BLKIF_OP_INDIRECT && op == BLKIF_OP_INDIRECT);
}

/* Do the request's I/O; check what a write put on the disk. */
static int16_t serve(struct fz *f, struct pend *p)
{
	struct tp_reqlog *lg = &f->t->log[0];
	uint64_t s;
	int16_t status;

	f->t->nlog = 0;
	status = tp_serve(f->t, &p->req);
	p->served = 1;
	p->status = status;
	st.served++;
	if (p->rsp_op != BLKIF_OP_WRITE || status != BLKIF_RSP_OKAY)
		return status;
	for (s = lg->sector; s < lg->sector + lg->sectors && s < DISK_SECTORS;
	     s++) {
		if (check_block(f->t->disk + s * 512, s) <= 0)
			fail("backend wrote data not meant for sector %llu "
			     "(request id %llx)", (unsigned long long)s,
			     (unsigned long long)p->id);
	}
	st.writes_checked++;
	return status;
}

static void take_all(struct fz *f)
{
	struct pend *p;

	if (f->t->setups != f->setups) {
		/* A new ring: what the old one held is gone. */
		f->npend = 0;
		f->nhist = 0;
		f->setups = f->t->setups;
	}
	if (f->t->be_state != XenbusStateConnected)
		return;
	while (f->npend < MAX_PEND) {
		p = &f->pend[f->npend];
		if (!tp_take(f->t, &p->req))
			break;
		p->op = p->req.operation;
		p->rsp_op = tp_rsp_op(&p->req);
		p->id = p->op == BLKIF_OP_INDIRECT ?
			((struct blkif_request_indirect *)&p->req)->id :
			p->op == BLKIF_OP_DISCARD ?
			((struct blkif_request_discard *)&p->req)->id :
			p->req.id;
		p->served = 0;
		f->npend++;
	}
}

static void drop_pend(struct fz *f, unsigned int i)
{
	f->pend[i] = f->pend[--f->npend];
}

/*
 * Send a response. If it names a request we hold with an operation the
 * core accepts, it answers that request: an OK status is only sent for a
 * request whose I/O was done, as a real backend would.
 */
static void respond(struct fz *f, uint64_t id, uint8_t op, int16_t status,
		    int adversarial)
{
	unsigned int i;

	for (i = 0; i < f->npend; i++) {
		if (f->pend[i].id != id || !rsp_op_ok(&f->pend[i], op))
			continue;
		if (!f->pend[i].served &&
		    (status == BLKIF_RSP_OKAY || chance(50)))
			serve(f, &f->pend[i]);
		drop_pend(f, i);
		break;
	}
	tp_respond(f->t, id, op, status);
	if (f->nhist < NHIST)
		f->hist[f->nhist++] = id;
	else
		f->hist[below(NHIST)] = id;
	st.responses++;
	st.adversarial += adversarial;
}

static void honest(struct fz *f, unsigned int i)
{
	struct pend *p = &f->pend[i];

	respond(f, p->id, p->rsp_op, p->served ? p->status : serve(f, p), 0);
}

static int16_t random_status(void)
{
	switch (below(4)) {
	case 0:
		return BLKIF_RSP_ERROR;
	case 1:
		return BLKIF_RSP_EOPNOTSUPP;
	case 2:
		return BLKIF_RSP_OKAY;
	default:
		return (int16_t)rnd();
	}
}

static uint64_t random_id(struct fz *f)
{
	switch (below(4)) {
	case 0:
		return rnd();
	case 1:
		return below(2 * f->bf.nslots + 2);
	case 2:
		return (f->bf.seq - below(8)) << BF_ID_SLOT_BITS |
		       below(f->bf.nslots);
	default:
		return f->npend ? f->pend[below(f->npend)].id ^
				  (1ull << below(64)) : rnd();
	}
}

/*
 * One move of the backend, chosen by weight (per mille). Most answers are
 * honest or only carry a bad status, so that many responses pass between
 * the violations that end a connection.
 */
static void adversary(struct fz *f)
{
	struct blkif_response *r;
	unsigned int i, k = below(1000);
	RING_IDX *prod;
	uint8_t op;

	if (!f->t->ring_va || f->t->be_state != XenbusStateConnected)
		return;
	i = below(f->npend);
	if (k < 700) {
		if (f->npend)
			honest(f, i);
	} else if (k < 800) {
		/* Right request, random status; maybe its I/O was done. */
		if (f->npend)
			respond(f, f->pend[i].id, f->pend[i].rsp_op,
				random_status(), 1);
	} else if (k < 900) {
		/* Work done early, the answer later. */
		if (f->npend && !f->pend[i].served)
			serve(f, &f->pend[i]);
	} else if (k < 915) {
		if (f->npend) {
			op = chance(50) ? (uint8_t)below(8) : (uint8_t)rnd();
			respond(f, f->pend[i].id, op, random_status(), 1);
		}
	} else if (k < 930) {
		respond(f, random_id(f), (uint8_t)below(8), random_status(), 1);
	} else if (k < 945) {
		/* A repeat of an earlier answer. */
		if (f->nhist)
			respond(f, f->hist[below(f->nhist)],
				(uint8_t)below(8), chance(70) ?
				BLKIF_RSP_OKAY : random_status(), 1);
	} else if (k < 955) {
		/* rsp_prod wherever: back, a little ahead, far past the end. */
		prod = &f->t->ring.sring->rsp_prod;
		switch (below(3)) {
		case 0:
			*prod = f->t->ring.rsp_prod_pvt - below(4);
			break;
		case 1:
			*prod = f->t->ring.rsp_prod_pvt + 1 + below(40);
			break;
		default:
			*prod = (RING_IDX)rnd();
			break;
		}
		st.jumps++;
		st.adversarial++;
	} else if (k < 962) {
		/* Garbage in the next response slot. */
		r = RING_GET_RESPONSE(&f->t->ring, f->t->ring.rsp_prod_pvt);
		r->id = rnd();
		r->operation = (uint8_t)rnd();
		r->status = (int16_t)rnd();
		f->t->ring.rsp_prod_pvt++;
		st.responses++;
		st.adversarial++;
	} else if (k < 964) {
		/* The backend closes under load (and stays online). */
		tp_set_be_state(f->t, XenbusStateClosing);
		st.closes++;
	} else if (k < 974) {
		/* A wild req_event: the frontend only decides on notifies. */
		f->t->ring.sring->req_event = (RING_IDX)rnd();
		st.adversarial++;
	}
}

/*
 * Let the backend double follow XenStore and the core run. When the
 * frontend has said Closed, finish (or drop) what is held first, as
 * blkback does before it unmaps: late writes must still carry their data.
 */
static void step(struct fz *f)
{
	unsigned int i;

	if (front_state(f) == XenbusStateClosed && f->t->ring_va &&
	    f->t->be_state != XenbusStateClosed) {
		take_all(f);
		for (i = 0; i < f->npend; i++)
			if (!f->pend[i].served && chance(50))
				serve(f, &f->pend[i]);
		f->npend = 0;
	}
	f->port.wait(f->port.ctx, 0, 0);
	blkfront_poll(&f->bf);
}

/* ---- the frontend's workload ---- */

struct job {
	struct bf_io io;
	uint8_t *buf;
	uint64_t serial;
};

static void submit(struct fz *f, struct job *j, uint64_t lo, uint64_t room)
{
	unsigned int k = below(100), n, i;
	uint64_t sector;

	memset(j, 0, sizeof(*j));
	if (k < 4 && (f->bf.feat_flush || f->bf.feat_barrier)) {
		j->io.op = f->bf.feat_flush ? BLKIF_OP_FLUSH_DISKCACHE
					    : BLKIF_OP_WRITE_BARRIER;
	} else {
		/* Mostly small; some long enough for indirect requests. */
		n = chance(92) ? 1 + below(24) : 1 + below(2048);
		if (n > room)
			n = (unsigned int)room;
		sector = lo + below((unsigned int)(room - n + 1));
		j->io.sector = sector;
		j->io.len = (size_t)n * 512;
		j->buf = malloc(j->io.len);
		j->io.buf = j->buf;
		if (k < 8 && f->bf.feat_discard) {
			j->io.op = BLKIF_OP_DISCARD;
		} else if (k < 50) {
			j->io.op = BLKIF_OP_WRITE;
			j->serial = ++f->next_serial;
			for (i = 0; i < n; i++)
				gen(j->buf + i * 512, sector + i, j->serial);
		} else {
			j->io.op = BLKIF_OP_READ;
			memset(j->buf, 0xa5, j->io.len);
		}
	}
	/* Half queued only: the next poll (or push) puts them on the ring. */
	if ((chance(50) ? blkfront_queue(&f->bf, &j->io)
			: blkfront_submit(&f->bf, &j->io)) != 0)
		fail("submit refused on a connected device (op %d)", j->io.op);
}

static void settle(struct fz *f, struct job *j)
{
	uint64_t s, n = j->io.len / 512, i;
	int64_t v;
	int rc = j->io.status;

	st.ios++;
	if (!j->io.done) {
		fail("I/O op %d at %llu never completed", j->io.op,
		     (unsigned long long)j->io.sector);
		return;
	}
	if (rc == 0)
		st.ios_ok++;
	else if (rc == -BF_EIO)
		st.ios_eio++;
	else if (rc == -BF_EOPNOTSUPP && j->io.op != BLKIF_OP_READ &&
		 j->io.op != BLKIF_OP_WRITE)
		st.ios_notsupp++;
	else
		fail("I/O op %d ended with %d", j->io.op, rc);
	if (j->io.op == BLKIF_OP_FLUSH_DISKCACHE ||
	    j->io.op == BLKIF_OP_WRITE_BARRIER)
		return;
	for (i = 0; i < n; i++) {
		s = j->io.sector + i;
		if (j->io.op == BLKIF_OP_READ && rc == 0) {
			v = check_block(j->buf + i * 512, s);
			if (v < 0 || (!f->unknown[s] &&
				      (uint64_t)v != f->serial[s]))
				fail("read of sector %llu returned %lld, disk "
				     "model %llu%s", (unsigned long long)s,
				     (long long)v,
				     (unsigned long long)f->serial[s],
				     f->unknown[s] ? " (unknown)" : "");
		} else if (j->io.op == BLKIF_OP_WRITE ||
			   j->io.op == BLKIF_OP_DISCARD) {
			f->unknown[s] = rc != 0;
			f->serial[s] = j->io.op == BLKIF_OP_WRITE ? j->serial
								  : 0;
		}
	}
	if (j->io.op == BLKIF_OP_READ && rc == 0)
		st.reads_checked++;
}

static int all_done(struct job *jobs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!jobs[i].io.done)
			return 0;
	return 1;
}

/* Back to a connected device with nothing held by the backend. */
static int reconnect(struct fz *f)
{
	unsigned int i;

	for (i = 0; i < 200 && (f->bf.phase != BF_CONNECTED || f->npend); i++) {
		take_all(f);
		while (f->npend)
			honest(f, 0);
		tp_push(f->t);
		step(f);
	}
	if (f->bf.phase != BF_CONNECTED) {
		fail("no reconnect after %u steps (phase %s)", i,
		     blkfront_phase_name(f->bf.phase));
		return -1;
	}
	return 0;
}

static void round_(struct fz *f)
{
	struct job jobs[MAX_IOS];
	unsigned int n = 1 + below(MAX_IOS), i, steps = below(100);
	uint64_t part = DISK_SECTORS / n;

	if (reconnect(f))
		return;
	for (i = 0; i < n; i++)
		submit(f, &jobs[i], i * part, part);
	/* The adversary's turn. */
	for (i = 0; i < steps; i++) {
		take_all(f);
		adversary(f);
		if (chance(60))
			tp_push(f->t);
		step(f);
	}
	/* Then an honest backend, until every I/O is done. */
	for (i = 0; i < 400 && !all_done(jobs, n); i++) {
		take_all(f);
		while (f->npend)
			honest(f, below(f->npend));
		tp_push(f->t);
		step(f);
	}
	for (i = 0; i < n; i++) {
		settle(f, &jobs[i]);
		free(jobs[i].buf);
	}
	if (f->t->errors)
		fail("backend double: %s", f->t->errmsg);
	/* Nothing is owed an answer: no slot may stay taken. */
	if (f->bf.phase == BF_CONNECTED && (f->bf.inflight || f->bf.queue_head))
		fail("connected with all I/O done, yet %u slots busy%s",
		     f->bf.inflight, f->bf.queue_head ? ", I/O queued" : "");
	if (f->bf.pool_pages > f->bf.cfg.pool_pages)
		fail("pool holds %u pages, cap %u", f->bf.pool_pages,
		     f->bf.cfg.pool_pages);
	st.rounds++;
}

static void configure(struct tp *t, struct bf_config *c)
{
	static const unsigned int ind[] = { 0, 0, 12, 32, 64, 256, 300 };

	t->max_ring_order = below(5);
	t->max_indirect = ind[below(7)];
	t->persistent = chance(50);
	t->flush = chance(50);
	t->barrier = chance(50);
	t->discard = chance(50);
	t->paused = 1;		/* the ring is ours */
	blkfront_default_config(c);
	c->use_persistent = chance(80);
	c->use_indirect = chance(80);
	c->use_multipage = chance(80);
	if (chance(30))
		c->max_inflight = 1 + below(40);
	if (chance(30))
		c->max_segs = 1 + below(300);
	c->pool_pages = chance(30) ? 8 + below(64) : 64 + below(2048);
	c->timeout_ns = 60ull * 1000 * 1000 * 1000;
}

static int more(time_t end, uint64_t want)
{
	return end ? time(NULL) < end : st.responses < want;
}

static void world(unsigned int rounds, time_t end, uint64_t want)
{
	struct fz *f = calloc(1, sizeof(*f));
	unsigned int r;
	int rc;

	f->t = tp_new(DISK_SECTORS);
	configure(f->t, &f->cfg);
	tp_publish_initwait(f->t);
	f->port = tp_port(f->t);
	f->t->bf = &f->bf;
	rc = blkfront_attach(&f->bf, &f->port, &f->cfg, TP_FRONT);
	if (rc)
		fail("attach: %d", rc);
	for (r = 0; r < rounds && !failed; r++) {
		round_(f);
		if (!more(end, want))
			break;
	}
	if (!failed) {
		reconnect(f);
		rc = blkfront_detach(&f->bf);
		if (rc || f->t->pages_out || f->t->objs_out ||
		    f->t->live_grants || f->bf.stats.leaked_pages)
			fail("detach %d left %ld pages, %ld objects, %u grants, "
			     "%llu leaked", rc, f->t->pages_out,
			     f->t->objs_out, f->t->live_grants,
			     (unsigned long long)f->bf.stats.leaked_pages);
	}
	st.violations += f->bf.stats.violations;
	st.worlds++;
	tp_free(f->t);
	free(f);
}

int main(int argc, char **argv)
{
	uint64_t want = 0, seed = (uint64_t)time(NULL) ^ (uint64_t)getpid();
	unsigned int secs = 0;
	time_t end;
	int c;

	while ((c = getopt(argc, argv, "t:n:s:")) != -1) {
		switch (c) {
		case 't':
			secs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			want = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-t seconds] [-n responses] "
				"[-s seed]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# seed %llu (rerun with -s %llu)\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	rng_state = seed ? seed : 1;
	if (!secs && !want)
		want = 1;
	end = secs ? time(NULL) + secs : 0;
	while (!failed && more(end, want))
		world(50 + below(200), end, want);
	if (secs && st.responses < want)
		fail("only %llu responses in %u s, %llu wanted",
		     (unsigned long long)st.responses, secs,
		     (unsigned long long)want);
	printf("# %llu responses (%llu adversarial, %llu rsp_prod jumps), "
	       "%llu disconnects for violations, %llu backend closes\n",
	       (unsigned long long)st.responses,
	       (unsigned long long)st.adversarial,
	       (unsigned long long)st.jumps,
	       (unsigned long long)st.violations,
	       (unsigned long long)st.closes);
	printf("# %llu I/Os: %llu ok, %llu EIO, %llu EOPNOTSUPP; %llu reads "
	       "and %llu backend writes checked; %llu rounds, %llu worlds\n",
	       (unsigned long long)st.ios, (unsigned long long)st.ios_ok,
	       (unsigned long long)st.ios_eio,
	       (unsigned long long)st.ios_notsupp,
	       (unsigned long long)st.reads_checked,
	       (unsigned long long)st.writes_checked,
	       (unsigned long long)st.rounds, (unsigned long long)st.worlds);
	printf("%sok 1 - %llu responses to the blkfront core: every I/O done "
	       "with success or EIO, no wrong data, no leak%s%s\n",
	       failed ? "not " : "", (unsigned long long)st.responses,
	       failed ? ": " : "", failed ? failmsg : "");
	printf("1..1\n");
	if (failed)
		_exit(1);	/* the world that failed was left as it was */
	return 0;
}
