// SPDX-License-Identifier: MIT
/*
 * kmain: bring the OS up, run the workload the command line names, print
 * TAP and "VDEVKIT-EXIT <rc>", power off.
 *
 * Command line (xl extra=): test=io|ro|bench|hotplug|xenstore|smoke  seed=1
 *   regions=N  rseed=N  secs=N  dev=<vbd id>  segs=<max segments/request>
 *   modes=ours,seed (bench: the modes to run, in order)
 */
#include "blk.h"
#include <xen/version.h>

static char cmdline[512];
static int ntests, nfailed;

static void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(int cond, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntests, buf);
	if (!cond)
		nfailed++;
}

static const char *opt(const char *key, const char *def)
{
	static char val[64];
	size_t kl = strlen(key);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			size_t n = 0;

			p += kl + 1;
			while (p[n] && p[n] != ' ' && n < sizeof(val) - 1) {
				val[n] = p[n];
				n++;
			}
			val[n] = 0;
			return val;
		}
		while (*p && *p != ' ')
			p++;
	}
	return def;
}

static uint64_t opt_u(const char *key, uint64_t def)
{
	const char *v = opt(key, NULL);

	return v ? strtou64(v, NULL) : def;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- the I/O test's expected disk content ---- */

#define MAX_REGIONS 64
static struct region {
	uint64_t sector;
	size_t len;
	uint32_t key;
} regions[MAX_REGIONS];
static int nregions;

static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

/* Pattern of region key at byte offset off (multiple of 4) onwards. */
static void pattern(uint8_t *buf, size_t len, uint32_t key, uint64_t off)
{
	uint32_t *w = (uint32_t *)buf;
	size_t i;

	for (i = 0; i < len / 4; i++)
		w[i] = mix(key ^ (uint32_t)((off / 4 + i) * 2654435761u));
}

/* What the disk range [off, off+len) should hold: zeros and regions. */
static void expected(uint8_t *buf, uint64_t off, size_t len)
{
	int i;

	memset(buf, 0, len);
	for (i = 0; i < nregions; i++) {
		uint64_t rs = regions[i].sector * BF_SECTOR;
		uint64_t re = rs + regions[i].len;
		uint64_t s = MAX(rs, off), e = MIN(re, off + len);

		if (s < e)
			pattern(buf + (s - off), e - s, regions[i].key, s - rs);
	}
}

static void sha_hex(const void *buf, size_t len, char hex[65])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, buf, len);
	sha256_final(&c, hex);
}

static struct blkdev disk0, disk1;
/* wbuf and rbuf are handed to blkfront for zero copy; cbuf is not. */
static uint8_t *wbuf, *rbuf, *cbuf;
#define BUF_BYTES (4u << 20)

static int open_first(struct blkdev *d)
{
	unsigned int ids[BLK_MAX_DEVS];
	int n = blk_scan(ids, BLK_MAX_DEVS), rc;
	unsigned int want = (unsigned int)opt_u("dev", n > 0 ? ids[0] : 0);

	ok(n > 0, "found %d disk(s) under device/vbd", n);
	if (n <= 0)
		return -BF_ENODEV;
	rc = blk_open(d, want);
	ok(rc == 0, "blkfront connected to vbd %u (rc %d)", want, rc);
	if (rc)
		return rc;
	printf("# vbd %u: %lu sectors, sector-size %u, %s, ring %u page(s) "
	       "(%u slots), persistent %d, indirect %u, flush %d, barrier %d, "
	       "discard %d\n", want, (unsigned long)d->bf.sectors,
	       d->bf.sector_size, d->bf.readonly ? "ro" : "rw",
	       1u << d->bf.ring_order, d->bf.nslots, d->bf.feat_persistent,
	       d->bf.feat_indirect, d->bf.feat_flush, d->bf.feat_barrier,
	       d->bf.feat_discard);
	return 0;
}

/* The XenStore client on the guest's own data/ subtree. */
static int xs_events;

static void count_event(const char *path, const char *token)
{
	if (path && token && !strcmp(token, "vdk-test"))
		xs_events++;
}

static void test_xenstore(void)
{
	char buf[256];
	uint64_t t0, worst = 0;
	uint32_t t;
	int rc, rc2, tries;

	rc = xs_write(0, "data/vdevkit/a", "hello");
	rc2 = xs_read(0, "data/vdevkit/a", buf, sizeof(buf));
	ok(rc == 0 && rc2 == 5 && !strcmp(buf, "hello"),
	   "xenstore write and read back (rc %d, %d)", rc, rc2);
	rc = xs_read(0, "data/vdevkit/missing", buf, sizeof(buf));
	ok(rc == -BF_ENOENT, "missing node -> ENOENT (rc %d)", rc);
	xs_write(0, "data/vdevkit/b", "2");
	rc = xs_directory(0, "data/vdevkit", buf, sizeof(buf));
	ok(rc == 2, "directory lists 2 entries (rc %d)", rc);

	xs_set_watch_cb(count_event);
	rc = xs_watch("data/vdevkit/w", "vdk-test");
	xs_write(0, "data/vdevkit/w", "1");
	xs_write(0, "data/vdevkit/w", "1");	/* same value: fires again */
	for (tries = 0; tries < 50 && xs_events < 3; tries++) {
		evtchn_port_t p = xs_port();

		evtchn_poll(&p, 1, now_ns() + 100000000ull);
		evtchn_test_and_clear(p);
		xs_poll();
	}
	ok(rc == 0 && xs_events >= 3, "watch: registration event and one per "
	   "write (%d events)", xs_events);
	/*
	 * Xenstored sends a watch's first event right behind the reply to
	 * XS_WATCH, and one event-channel event may stand for both: the
	 * reply is read, the watch event stays in the ring with the channel
	 * clear. The port's wait must still return at once with it. It
	 * slept to its deadline instead (2 tries in 3 here), and blkfront's
	 * connect wait, which waits to its deadline for the backend's next
	 * state, timed out when that state's event came in so.
	 */
	for (tries = 0, rc = 0; tries < 4; tries++) {
		uint64_t end;

		xs_unwatch("data/vdevkit/w", "vdk-test");
		xs_events = 0;
		xs_watch("data/vdevkit/w", "vdk-test");
		t0 = now_ns();
		end = t0 + 10000000000ull;
		/*
		 * A wait may also end early, with nothing new: a reply read
		 * without waiting leaves its notification pending. Callers
		 * wait again, as blkfront's connect wait does.
		 */
		while (!xs_events && now_ns() < end)
			blk_port()->wait(NULL, 0, end);
		t0 = now_ns() - t0;
		worst = MAX(worst, t0);
		if (!xs_events)
			rc = -1;
	}
	ok(rc == 0 && worst < 5000000000ull, "a watch's first event, behind "
	   "the reply, ends the wait at once (longest wait %lu ms)",
	   (unsigned long)(worst / 1000000));
	xs_unwatch("data/vdevkit/w", "vdk-test");

	/* A transaction whose node changes under it must be redone. */
	rc = xs_txn_start(&t);
	if (!rc) {
		xs_read(t, "data/vdevkit/a", buf, sizeof(buf));
		xs_write(0, "data/vdevkit/a", "outside");
		xs_write(t, "data/vdevkit/a", "inside");
		rc = xs_txn_end(t, 0);
	}
	ok(rc == -BF_EAGAIN, "conflicting transaction -> EAGAIN (rc %d)", rc);
	for (tries = 0; tries < 5; tries++) {
		rc = xs_txn_start(&t);
		if (rc)
			break;
		xs_write(t, "data/vdevkit/a", "inside");
		rc = xs_txn_end(t, 0);
		if (rc != -BF_EAGAIN)
			break;
	}
	rc2 = xs_read(0, "data/vdevkit/a", buf, sizeof(buf));
	ok(rc == 0 && rc2 > 0 && !strcmp(buf, "inside"),
	   "retried transaction commits (rc %d, value %s)", rc, buf);
	rc = xs_rm(0, "data/vdevkit");
	ok(rc == 0 && xs_read(0, "data/vdevkit/a", buf, sizeof(buf)) ==
	   -BF_ENOENT, "rm removes the subtree (rc %d)", rc);
}

static void test_io(void)
{
	struct blkdev *d = &disk0;
	uint64_t total, slot, off, t0;
	int i, bad = 0, rc;
	struct sha256 c;
	char hex[65];
	struct bf_io io[32];

	if (open_first(d))
		return;
	ok(!d->bf.readonly, "disk is writable");
	total = d->bf.sectors;
	nregions = (int)MIN(opt_u("regions", 12), (uint64_t)MAX_REGIONS);
	slot = total / (uint64_t)nregions;
	t0 = now_ns();
	for (i = 0; i < nregions; i++) {
		uint64_t maxs = MIN(slot, (uint64_t)(BUF_BYTES / BF_SECTOR));
		uint64_t ns = 1 + rnd() % maxs;
		struct region *r = &regions[i];

		/* Sizes spread over 512 B .. 4 MiB on a log scale. */
		if (i % 3 == 0)
			ns = 1 + rnd() % 16;
		else if (i % 3 == 1)
			ns = 1 + rnd() % MIN(maxs, (uint64_t)512);
		r->len = (size_t)ns * BF_SECTOR;
		r->sector = (uint64_t)i * slot + rnd() % (slot - ns + 1);
		r->key = (uint32_t)rnd();
		pattern(wbuf, r->len, r->key, 0);
		rc = blk_write(d, r->sector, wbuf, r->len);
		memset(rbuf, 0xa5, r->len);
		if (!rc)
			rc = blk_read(d, r->sector, rbuf, r->len);
		sha_hex(wbuf, r->len, hex);
		ok(rc == 0 && !memcmp(wbuf, rbuf, r->len),
		   "region %d: %zu bytes at sector %lu written and read back "
		   "(rc %d)", i, r->len, (unsigned long)r->sector, rc);
		printf("XENOS-REGION %lu %zu %s\n", (unsigned long)r->sector,
		       r->len, hex);
	}
	printf("# regions took %lu ms\n",
	       (unsigned long)((now_ns() - t0) / 1000000));

	/* Re-read the whole disk: nothing else may have changed. */
	blk_cache_drop(d);
	sha256_init(&c);
	for (off = 0; off < total * BF_SECTOR; off += BUF_BYTES) {
		size_t n = (size_t)MIN((uint64_t)BUF_BYTES,
				       total * BF_SECTOR - off);

		rc = blk_read(d, off / BF_SECTOR, rbuf, n);
		expected(wbuf, off, n);
		if (rc || memcmp(rbuf, wbuf, n))
			bad++;
		sha256_update(&c, rbuf, n);
	}
	sha256_final(&c, hex);
	ok(bad == 0, "whole disk (%lu MiB) matches the expected content "
	   "(%d bad chunks)", (unsigned long)(total / 2048), bad);
	/* The test bed compares this with the backing disk in dom0. */
	printf("VDEVKIT-VALUE xvda-sha256 %s %lu\n", hex,
	       (unsigned long)(total * BF_SECTOR));

	/* 32 reads in flight at once, checked against the expectation. */
	for (i = 0; i < 32; i++) {
		struct region *r = &regions[i % nregions];

		memset(&io[i], 0, sizeof(io[i]));
		io[i].op = BLKIF_OP_READ;
		io[i].sector = r->sector + (rnd() % (r->len / BF_SECTOR));
		io[i].len = 4096;
		if ((io[i].sector + 8) > total)
			io[i].sector = total - 8;
		io[i].buf = rbuf + (size_t)i * 4096;
		rc = blkfront_submit(&d->bf, &io[i]);
		if (rc)
			bad++;
	}
	for (i = 0; i < 32; i++) {
		rc = blkfront_wait_io(&d->bf, &io[i]);
		expected(wbuf, io[i].sector * BF_SECTOR, 4096);
		if (rc || memcmp(wbuf, io[i].buf, 4096))
			bad++;
	}
	/* Seed mode keeps one request in flight by design. */
	ok(bad == 0 && (blk_seed_mode ? d->bf.stats.max_inflight == 1
				      : d->bf.stats.max_inflight >= 16),
	   "32 concurrent 4 KiB reads correct (%lu on the ring at once)",
	   (unsigned long)d->bf.stats.max_inflight);

	rc = blk_read(d, total - 1, rbuf, 4096);
	ok(rc == -BF_ENOSPC, "read past the end refused (rc %d)", rc);
	rc = blk_write(d, total, wbuf, 512);
	ok(rc == -BF_ENOSPC, "write past the end refused (rc %d)", rc);
	/* Lie to the core about the size: the backend must refuse too. */
	d->bf.sectors += 64;
	rc = blkfront_rw(&d->bf, 0, total - 8, rbuf, 16 * 512);
	ok(rc == -BF_EIO, "backend fails a read across the end with EIO "
	   "(rc %d)", rc);
	rc = blkfront_rw(&d->bf, 1, total, wbuf, 4096);
	ok(rc == -BF_EIO, "backend fails a write past the end with EIO "
	   "(rc %d)", rc);
	d->bf.sectors -= 64;
	rc = blk_read(d, 0, rbuf, 4096);
	ok(rc == 0, "device still fine after backend errors (rc %d)", rc);

	rc = blk_flush(d);
	if (d->bf.feat_flush || d->bf.feat_barrier)
		ok(rc == 0, "flush (rc %d)", rc);
	else
		ok(rc == -BF_EOPNOTSUPP, "no flush offered: EOPNOTSUPP (rc %d)",
		   rc);
	if (d->bf.feat_discard && regions[0].sector >= 8) {
		/* Sectors 0-7 were never written: zero before and after. */
		rc = blkfront_discard(&d->bf, 0, 8);
		if (!rc)
			rc = blkfront_rw(&d->bf, 0, 0, rbuf, 4096);
		memset(wbuf, 0, 4096);
		ok(rc == 0 && !memcmp(rbuf, wbuf, 4096),
		   "discard of unwritten sectors (rc %d)", rc);
	}
	if (d->bf.feat_indirect)
		ok(d->bf.stats.indirect_requests > 0,
		   "indirect requests used (%lu)",
		   (unsigned long)d->bf.stats.indirect_requests);
	for (i = 0, slot = 0; i < (int)d->bf.nbufs; i++)
		for (off = 0; off < d->bf.bufs[i].npages; off++)
			slot += d->bf.bufs[i].gref[off] != BF_NO_GREF;
	if (d->bf.feat_persistent)
		ok(d->bf.stats.grant_ops == d->bf.pool_pages + slot,
		   "persistent grants: %lu grants for %lu requests "
		   "(%u pool pages, %lu buffer pages)",
		   (unsigned long)d->bf.stats.grant_ops,
		   (unsigned long)d->bf.stats.requests, d->bf.pool_pages,
		   (unsigned long)slot);
	if (!blk_seed_mode && !blk_copy_mode)
		ok(d->bf.nbufs == 2 && d->bf.stats.direct_requests > 0,
		   "transfers in the I/O buffers went in place (%lu requests "
		   "of %lu)", (unsigned long)d->bf.stats.direct_requests,
		   (unsigned long)d->bf.stats.requests);
	ok(d->bf.stats.bad_responses == 0, "no malformed responses from "
	   "the backend");
	printf("# requests %lu segments %lu indirect %lu groups %lu\n",
	       (unsigned long)d->bf.stats.requests,
	       (unsigned long)d->bf.stats.segments,
	       (unsigned long)d->bf.stats.indirect_requests,
	       (unsigned long)d->bf.stats.groups_created);
	rc = blkfront_detach(&d->bf);
	ok(rc == 0 && d->bf.stats.leaked_pages == 0,
	   "orderly close (rc %d, %lu pages kept by backend)", rc,
	   (unsigned long)d->bf.stats.leaked_pages);
}

static void test_ro(void)
{
	struct blkdev *d = &disk0;
	int rc;

	if (open_first(d))
		return;
	ok(d->bf.readonly, "backend says read-only");
	rc = blk_write(d, 0, wbuf, 4096);
	ok(rc == -BF_EROFS, "write refused with EROFS (rc %d)", rc);
	rc = blk_read(d, 0, rbuf, 1 << 20);
	ok(rc == 0, "1 MiB read works (rc %d)", rc);
	d->bf.readonly = 0;	/* bypass our check: backend must refuse */
	rc = blkfront_rw(&d->bf, 1, 0, wbuf, 4096);
	ok(rc == -BF_EIO, "the backend refuses the write too (rc %d)", rc);
	d->bf.readonly = 1;
	blkfront_detach(&d->bf);
}

/* ---- benchmark ---- */

static const char *mode_name(void)
{
	return blk_seed_mode ? "seed" : blk_copy_mode ? "copy" : "ours";
}

static void bench_line(const char *mode, const char *what, uint64_t v,
		       int mb)
{
	if (mb)	/* bytes/s -> MB/s with two decimals */
		printf("BENCH %s %s %lu.%02lu MB/s\n", mode, what,
		       (unsigned long)(v / 1000000),
		       (unsigned long)(v / 10000 % 100));
	else
		printf("BENCH %s %s %lu IOPS\n", mode, what, (unsigned long)v);
}

/*
 * Where a workload's time may go: ring requests and their segments, most
 * in flight, events we sent the backend, and times we blocked for its
 * answers (in the core's waits and the QD loop's).
 */
static void bench_prof(const char *mode, const char *what,
		       const struct bf_stats *a, const struct bf_stats *b,
		       uint64_t loop_waits, const struct blk_wakes *w)
{
	uint64_t req = b->requests - a->requests;

	printf("# prof %s %s: %lu requests (%lu in place), %lu.%lu segs each, "
	       "most in flight %lu, %lu events sent, %lu waits\n", mode,
	       what, (unsigned long)req,
	       (unsigned long)(b->direct_requests - a->direct_requests),
	       (unsigned long)((b->segments - a->segments) / MAX(req, 1ull)),
	       (unsigned long)((b->segments - a->segments) * 10 /
			       MAX(req, 1ull) % 10),
	       (unsigned long)b->max_inflight,
	       (unsigned long)(b->notifies - a->notifies),
	       (unsigned long)(b->waits - a->waits + loop_waits));
	printf("# prof %s %s: wake-ups %lu: device event %lu, XenStore event "
	       "%lu\n", mode, what, (unsigned long)(blk_wakes.all - w->all),
	       (unsigned long)(blk_wakes.dev - w->dev),
	       (unsigned long)(blk_wakes.xs - w->xs));
}

static const char *const workloads[] = {
	"seq-write-1M", "seq-read-1M", "rand-read-4k-qd1", "rand-read-4k-qd32",
};

/*
 * Workload w for ns nanoseconds over the first area bytes, writing from
 * src and reading into dst (1 MiB and 32 pages): adds bytes (sequential)
 * or reads (random) to r[0], the time taken to r[1], 1 to r[2].
 */
static void bench_run(struct blkdev *d, const char *mode, int w,
		      uint8_t *src, uint8_t *dst, uint64_t ns, uint64_t area,
		      uint64_t *r)
{
	struct bf_stats st = d->bf.stats;
	struct blk_wakes wk = blk_wakes;
	struct vcpu_runstate_info rs0, rs1;
	uint64_t t0, dl, ops = 0, waits = 0;
	struct bf_io io[32];
	int rc = 0, i, qd = w == 2 ? 1 : 32;

	d->bf.stats.max_inflight = 0;
	vcpu_runstate(&rs0);
	t0 = now_ns();
	dl = t0 + ns;
	if (w < 2) {
		/* The coarse clock for the deadline: no rdtsc trap per MiB. */
		while (now_coarse_ns() < dl && !rc) {
			uint64_t s = (ops % area) / BF_SECTOR;

			rc = w ? blk_read(d, s, dst, 1 << 20)
			       : blk_write(d, s, src, 1 << 20);
			ops += 1 << 20;
		}
		ok(rc == 0, "%s: sequential 1 MiB %s (rc %d)", mode,
		   w ? "reads" : "writes", rc);
		goto out;
	}
	for (i = 0; i < qd; i++) {
		memset(&io[i], 0, sizeof(io[i]));
		io[i].op = BLKIF_OP_READ;
		io[i].len = 4096;
		io[i].buf = dst + (size_t)i * 4096;
		io[i].sector = (rnd() % (area / 4096)) * 8;
		rc |= blkfront_queue(&d->bf, &io[i]);
	}
	blkfront_push(&d->bf);
	/*
	 * Keep qd reads outstanding; reissue those that completed, all with
	 * one push (one event, not one per read).
	 */
	while (!rc) {
		int busy = 0;

		for (i = 0; i < qd; i++) {
			if (!io[i].done) {
				busy = 1;
				continue;
			}
			if (io[i].len == 0)
				continue;	/* retired */
			rc |= io[i].status;
			ops++;
			if (now_coarse_ns() >= dl) {
				io[i].len = 0;
				continue;
			}
			io[i].sector = (rnd() % (area / 4096)) * 8;
			rc |= blkfront_queue(&d->bf, &io[i]);
			busy = 1;
		}
		if (!busy)
			break;
		blkfront_push(&d->bf);
		if (blkfront_poll(&d->bf) == 0) {
			blk_port()->wait(NULL, d->bf.evtchn, dl + 1000000000ull);
			waits++;
		}
	}
	ok(rc == 0, "%s: random 4 KiB reads at QD%d (rc %d)", mode, qd, rc);
out:
	r[0] += rc ? 0 : ops;
	r[1] += now_ns() - t0;
	vcpu_runstate(&rs1);
	for (i = 0; i < 3; i++)
		r[3 + i] += rs1.time[i] - rs0.time[i];
	if (!r[2]++)	/* the profile of a mode's first slice */
		bench_prof(mode, workloads[w], &st, &d->bf.stats, waits, &wk);
}

/*
 * The second of each pair of slices (alt=): "copy" (the default: from
 * cbuf, through the grant pool), "segsN" (in place, at most N segments a
 * request) or "spinN" (in place, the wait spinning about N us first).
 */
static const char *alt;
static unsigned int alt_segs, main_segs;

static void alt_set(struct blkdev *d, int on)
{
	if (!strncmp(alt, "segs", 4))
		d->bf.segs_per_req = on ? alt_segs : main_segs;
	else if (!strncmp(alt, "spin", 4))
		blk_set_spin_us(on ? strtou64(alt + 4, NULL) : opt_u("spin", 0));
}

/*
 * Per operation (MiB or read): wall time and the vCPU's running,
 * runnable and blocked time, in microseconds.
 */
static void bench_time(const char *mode, int w, const uint64_t *r)
{
	uint64_t n = MAX(w < 2 ? r[0] >> 20 : r[0], 1ull);

	printf("# time %s %s: per %s %lu us: running %lu, runnable %lu, "
	       "blocked %lu\n", mode, workloads[w], w < 2 ? "MiB" : "read",
	       (unsigned long)(r[1] / n / 1000),
	       (unsigned long)(r[3] / n / 1000),
	       (unsigned long)(r[4] / n / 1000),
	       (unsigned long)(r[5] / n / 1000));
}

/*
 * ceil=1: after each round of a workload, hand the CPU to dom0 for its
 * own slice of the same workload (xenos-bench.sh: "inter"): this host's
 * speed swings 2x within a minute, and dom0's runs before and after the
 * guest then bracket the guest's figure only loosely.  data/bench-pause
 * says which slice dom0 may run; dom0 answers in data/bench-go.
 */
static void bench_pause(int w)
{
	uint64_t dl = now_coarse_ns() + 120000000000ull;
	static unsigned int seq;
	char want[24], got[24];

	if (!opt_u("ceil", 0))
		return;
	/* Workload, then a count: each pause a new value for dom0's watch. */
	snprintf(want, sizeof(want), "%d.%u", w, seq++);
	xs_write(0, "data/bench-pause", want);
	while (now_coarse_ns() < dl) {
		if (xs_read(0, "data/bench-go", got, sizeof(got)) >= 0 &&
		    !strcmp(got, want))
			return;
		blk_port()->wait(NULL, 0, MIN(dl, now_ns() + 1000000000ull));
	}
	printf("# dom0 never ran its slice %s\n", want);
}

static void bench_mode(void)
{
	struct blkdev *d = &disk0;
	uint64_t secs = opt_u("secs", 3), rounds = MAX(opt_u("rounds", 1), 1ull);
	uint64_t area, t0, t, v[2][6], slice = secs * 1000000000ull / rounds;
	uint8_t *as, *ad;
	int rc, i, w, ab, r;

	if (open_first(d))
		return;
	area = MIN(d->bf.sectors * BF_SECTOR, 64ull << 20) & ~((1ull << 20) - 1);
	pattern(wbuf, 1 << 20, 7, 0);
	memcpy(cbuf, wbuf, 1 << 20);
	alt = opt("alt", "copy");
	main_segs = d->bf.segs_per_req;
	alt_segs = (unsigned int)MAX(strtou64(alt + 4, NULL), 1ull);
	blk_set_spin_us(opt_u("spin", 0));
	/*
	 * With the I/O buffers handed to blkfront, each workload runs a
	 * second time right after from cbuf, which blkfront copies through
	 * its pool ("copy"): zero copy against copy on the same host minute.
	 * rounds=N cuts each mode's secs into N slices taken in turn (ABBA),
	 * so a host that stalls for a while slows both alike.
	 */
	ab = d->bf.nbufs > 0;
	if (opt_u("ceil", 0))
		xs_watch("data/bench-go", "bench");
	/* Marks for dom0's CPU samples (xenos-bench.sh). */
	printf("# mark %s start\n", mode_name());
	as = strcmp(alt, "copy") ? wbuf : cbuf;
	ad = strcmp(alt, "copy") ? rbuf : cbuf;
	for (w = 0; w < 4; w++) {
		memset(v, 0, sizeof(v));
		for (r = 0; r < (int)rounds; r++) {
			for (i = 0; i < 2; i++) {
				if (i == (r & 1)) {
					bench_run(d, mode_name(), w, wbuf, rbuf,
						  slice, area, v[0]);
					continue;
				}
				if (!ab)
					continue;
				alt_set(d, 1);
				bench_run(d, alt, w, as, ad, slice, area, v[1]);
				alt_set(d, 0);
			}
			bench_pause(w);
		}
		bench_line(mode_name(), workloads[w],
			   v[0][0] * 1000000000ull / MAX(v[0][1], 1ull), w < 2);
		bench_time(mode_name(), w, v[0]);
		if (ab) {
			bench_line(alt, workloads[w], v[1][0] *
				   1000000000ull / MAX(v[1][1], 1ull), w < 2);
			bench_time(alt, w, v[1]);
		}
		printf("# mark %s %s\n", mode_name(), workloads[w]);
	}
	/* Copy mode copies every byte through the grant pool: that copy's
	 * own rate bounds what its 1 MiB workloads can reach.  Best of 8
	 * rounds: dom0 shares the CPU and may run in between.
	 */
	t = ~0ull;
	for (i = 0; i < 8; i++) {
		t0 = now_ns();
		for (w = 0; w < 4; w++)
			memcpy(rbuf, wbuf, 1 << 20);
		t = MIN(t, now_ns() - t0);
	}
	printf("# guest memcpy: %lu MB/s\n",
	       (unsigned long)((4ull << 20) * 1000 / MAX(t, 1ull)));
	/*
	 * What a clock read (rdtsc, which Xen may trap) and a hypercall
	 * (a VM exit under nested TCG) cost this PVH guest: every I/O pays
	 * a few of each (event, poll, clock checks).
	 */
	t0 = now_ns();
	for (i = 0; i < 1000; i++)
		(void)now_ns();
	t = now_ns() - t0;
	t0 = now_ns();
	for (i = 0; i < 1000; i++)
		hypercall(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
	printf("# guest costs: clock read %lu ns, hypercall %lu ns\n",
	       (unsigned long)(t / 1000), (unsigned long)((now_ns() - t0) / 1000));
	printf("# requests %lu, grants %lu\n",
	       (unsigned long)d->bf.stats.requests,
	       (unsigned long)d->bf.stats.grant_ops);
	rc = blkfront_detach(&d->bf);
	ok(rc == 0, "detached (rc %d)", rc);
}

/*
 * modes=ours,seed: the same workloads in each mode, one boot. "ours" also
 * runs each workload from cbuf, copied through the grant pool ("copy");
 * copy=1 (or a "copy" mode) leaves the I/O buffers out altogether.
 */
static void bench(void)
{
	const char *m = opt("modes", "ours,seed");
	char modes[64];
	char *p = modes, *e;

	snprintf(modes, sizeof(modes), "%s", m);
	while (*p) {
		e = strchr(p, ',');
		if (e)
			*e = 0;
		blk_seed_mode = !strcmp(p, "seed");
		blk_copy_mode = !strcmp(p, "copy");
		bench_mode();
		if (!e)
			break;
		p = e + 1;
	}
}

/* ---- hot plug: the test bed attaches/detaches a second disk ---- */

static int wait_new_disk(unsigned int have, unsigned int *id, uint64_t dl)
{
	unsigned int ids[BLK_MAX_DEVS];
	int n, i;

	xs_watch("device/vbd", "scan");
	while (now_ns() < dl) {
		n = blk_scan(ids, BLK_MAX_DEVS);
		for (i = 0; i < n; i++) {
			if (ids[i] != have) {
				*id = ids[i];
				xs_unwatch("device/vbd", "scan");
				return 0;
			}
		}
		blk_port()->wait(NULL, 0, MIN(dl, now_ns() + 1000000000ull));
	}
	xs_unwatch("device/vbd", "scan");
	return -BF_ETIMEDOUT;
}

static void test_hotplug(void)
{
	uint64_t dl = now_ns() + 180000000000ull;
	unsigned int id = 0;
	int rc, i;

	if (open_first(&disk0))
		return;
	printf("XENOS-WAIT-ATTACH\n");
	rc = wait_new_disk(disk0.id, &id, dl);
	ok(rc == 0, "second disk appeared at run time (vbd %u)", id);
	if (rc)
		return;
	rc = blk_open(&disk1, id);
	ok(rc == 0, "second disk connected (rc %d)", rc);
	if (rc)
		return;
	pattern(wbuf, 1 << 20, 3, 0);
	rc = blk_write(&disk1, 0, wbuf, 1 << 20);
	if (!rc)
		rc = blk_read(&disk1, 0, rbuf, 1 << 20);
	ok(rc == 0 && !memcmp(wbuf, rbuf, 1 << 20), "1 MiB I/O on it");
	printf("XENOS-WAIT-DETACH\n");
	for (i = 0; now_ns() < dl; i++) {
		rc = blk_write(&disk1, (uint64_t)(i % 8) * 2048, wbuf, 1 << 20);
		if (rc)
			break;
	}
	ok(rc == -BF_EIO || rc == -BF_ENODEV,
	   "detach during I/O fails it with an error (rc %d after %d "
	   "writes)", rc, i);
	printf("XENOS-WAIT-REATTACH\n");
	while (now_ns() < dl && !(disk1.bf.phase == BF_CONNECTED &&
				  disk1.bf.generation >= 2)) {
		blk_port()->wait(NULL, 0, MIN(dl, now_ns() + 1000000000ull));
		blkfront_poll(&disk1.bf);
	}
	ok(disk1.bf.phase == BF_CONNECTED, "reconnected after re-attach "
	   "(%s)", blkfront_phase_name(disk1.bf.phase));
	blk_cache_drop(&disk1);
	rc = blk_write(&disk1, 0, wbuf, 1 << 20);
	if (!rc)
		rc = blk_read(&disk1, 0, rbuf, 1 << 20);
	ok(rc == 0 && !memcmp(wbuf, rbuf, 1 << 20), "I/O works again (rc %d)",
	   rc);
	blkfront_detach(&disk1.bf);
	blkfront_detach(&disk0.bf);
}

void kmain(struct hvm_start_info *si);
void kmain(struct hvm_start_info *si)
{
	const char *test;
	uint64_t t0;
	int rc;

	if (si->magic != XEN_HVM_START_MAGIC_VALUE || hyp_init())
		for (;;)
			__asm__ volatile("hlt");
	if (si->cmdline_paddr) {
		const char *c = (const char *)(uintptr_t)si->cmdline_paddr;

		snprintf(cmdline, sizeof(cmdline), "%s", c);
	}
	mm_init(si);
	console_init();
	printf("vdevkit-xen: PVH guest up; cmdline \"%s\"; %lu KiB free\n",
	       cmdline, mm_free_pages() * 4);
	rc = gnttab_init();
	if (rc)
		panic("grant table setup failed: %d", rc);
	rc = xs_init();
	if (rc)
		panic("no xenstore: %d", rc);
	wbuf = alloc_pages(BUF_BYTES / PAGE_SIZE);
	rbuf = alloc_pages(BUF_BYTES / PAGE_SIZE);
	cbuf = alloc_pages((1 << 20) / PAGE_SIZE);
	if (!wbuf || !rbuf || !cbuf)
		panic("no memory for I/O buffers");
	/* The I/O tests' and the bench's buffers, used in place. */
	blk_add_io_buffer(wbuf, BUF_BYTES);
	blk_add_io_buffer(rbuf, BUF_BYTES);
	blk_seed_mode = (int)opt_u("seed", 0);
	blk_copy_mode = (int)opt_u("copy", 0);
	blk_max_segs = (unsigned int)opt_u("segs", 0);
	rng_state ^= opt_u("rseed", 1) * 0x2545f4914f6cdd1dull;
	test = opt("test", "io");
	t0 = now_ns();
	if (!strcmp(test, "io")) {
		test_xenstore();
		test_io();
	} else if (!strcmp(test, "xenstore")) {
		test_xenstore();
	} else if (!strcmp(test, "ro")) {
		test_ro();
	} else if (!strcmp(test, "bench")) {
		bench();
	} else if (!strcmp(test, "hotplug")) {
		test_hotplug();
	} else if (!strcmp(test, "smoke")) {
		ok(open_first(&disk0) == 0, "smoke");
	} else {
		ok(0, "unknown test \"%s\"", test);
	}
	printf("1..%d\n", ntests);
	printf("# %d passed, %d failed, %lu ms\n", ntests - nfailed, nfailed,
	       (unsigned long)((now_ns() - t0) / 1000000));
	rc = (nfailed || !ntests) ? 1 : 0;
	printf("VDEVKIT-EXIT %d\n", rc);
	poweroff(rc);
}
