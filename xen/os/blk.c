// SPDX-License-Identifier: MIT
/* Block layer, block cache and the blkfront port for this OS. */
#include "blk.h"

int blk_seed_mode;
int blk_copy_mode;
uint64_t blk_spin;
struct blk_wakes blk_wakes;
unsigned int blk_max_segs;
static struct {
	void *va;
	size_t len;
} io_bufs[BF_MAX_BUFFERS];
static unsigned int n_io_bufs;

static struct blkdev *devs[BLK_MAX_DEVS];

/* ---- the blkfront port ---- */

static void *p_zalloc(void *ctx, size_t size)
{
	(void)ctx;
	return kzalloc(size);
}

static void p_free(void *ctx, void *p)
{
	(void)ctx;
	kfree(p);
}

static void *p_alloc_pages(void *ctx, unsigned int n)
{
	(void)ctx;
	return alloc_pages(n);
}

static void p_free_pages(void *ctx, void *va, unsigned int n)
{
	(void)ctx;
	free_pages(va, n);
}

static int p_grant(void *ctx, domid_t peer, void *va, int ro,
		   grant_ref_t *ref)
{
	(void)ctx;
	/* Identity-mapped: the gfn is the address's page number. */
	return gnttab_grant(peer, (uintptr_t)va >> 12, ro, ref);
}

static int p_ungrant(void *ctx, grant_ref_t ref)
{
	(void)ctx;
	return gnttab_end(ref);
}

static int p_evtchn_alloc(void *ctx, domid_t peer, evtchn_port_t *port)
{
	(void)ctx;
	return evtchn_alloc_unbound(peer, port);
}

static void p_evtchn_close(void *ctx, evtchn_port_t port)
{
	(void)ctx;
	evtchn_close(port);
}

static void p_notify(void *ctx, evtchn_port_t port)
{
	(void)ctx;
	evtchn_notify(port);
}

static void watch_fired(const char *path, const char *token)
{
	int i;

	(void)path;
	for (i = 0; i < BLK_MAX_DEVS; i++)
		if (devs[i] && (!token || !strcmp(token, devs[i]->bf.token)))
			blkfront_watch_fired(&devs[i]->bf);
}

/* Check @a's and @b's pending bits up to @n times, until one is set. */
static void spin_for(evtchn_port_t a, evtchn_port_t b, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		if (evtchn_pending(a) || evtchn_pending(b))
			break;
		__asm__ volatile("pause");
	}
}

static void p_wait(void *ctx, evtchn_port_t port, uint64_t deadline)
{
	evtchn_port_t ports[2] = { xs_port(), port };

	(void)ctx;
	/* Spin first, on the event's pending bit (no hypercall). */
	if (port)
		spin_for(port, ports[0], blk_spin);
	/*
	 * XenStore news already read, or unread behind a reply, has no
	 * event left to wake the poll: it slept to the deadline, and the
	 * core's connect wait timed out with the backend's state change
	 * there (xenstore test: a watch's first event ends the wait).
	 */
	if (!xs_pending())
		evtchn_poll(ports, port ? 2 : 1, deadline);
	if (port && evtchn_test_and_clear(port))
		blk_wakes.dev++;
	if (evtchn_test_and_clear(ports[0]))
		blk_wakes.xs++;
	blk_wakes.all++;
	xs_poll();
}

/*
 * blk_spin for about us microseconds: spin_for() timed once, on port 0
 * (reserved, never pending) so that it runs its whole count.
 */
void blk_set_spin_us(uint64_t us)
{
	static uint64_t per_ms;
	uint64_t t0;

	if (!per_ms) {
		t0 = now_ns();
		spin_for(0, 0, 100000);
		per_ms = 100000ull * 1000000 / MAX(now_ns() - t0, 1ull);
		printf("# spin: %lu checks a ms\n", (unsigned long)per_ms);
	}
	blk_spin = us * per_ms / 1000;
}

static void p_ack(void *ctx, evtchn_port_t port)
{
	(void)ctx;
	evtchn_test_and_clear(port);
}

static uint64_t p_now(void *ctx)
{
	(void)ctx;
	/* The core reads the clock only for its timeouts. */
	return now_coarse_ns();
}

static int p_xs_read(void *ctx, uint32_t txn, const char *path, char *buf,
		     size_t len)
{
	(void)ctx;
	return xs_read(txn, path, buf, len);
}

static int p_xs_write(void *ctx, uint32_t txn, const char *path,
		      const char *val)
{
	(void)ctx;
	return xs_write(txn, path, val);
}

static int p_xs_rm(void *ctx, uint32_t txn, const char *path)
{
	(void)ctx;
	return xs_rm(txn, path);
}

static int p_txn_start(void *ctx, uint32_t *txn)
{
	(void)ctx;
	return xs_txn_start(txn);
}

static int p_txn_end(void *ctx, uint32_t txn, int abort)
{
	(void)ctx;
	return xs_txn_end(txn, abort);
}

static int p_watch(void *ctx, const char *path, const char *token)
{
	(void)ctx;
	return xs_watch(path, token);
}

static int p_unwatch(void *ctx, const char *path, const char *token)
{
	(void)ctx;
	return xs_unwatch(path, token);
}

static void p_log(void *ctx, const char *msg)
{
	(void)ctx;
	printf("# %s\n", msg);
}

static const struct bf_port port = {
	.zalloc = p_zalloc, .free = p_free,
	.alloc_pages = p_alloc_pages, .free_pages = p_free_pages,
	.grant = p_grant, .ungrant = p_ungrant,
	.evtchn_alloc = p_evtchn_alloc, .evtchn_close = p_evtchn_close,
	.notify = p_notify, .wait = p_wait, .ack = p_ack, .now_ns = p_now,
	.xs_read = p_xs_read, .xs_write = p_xs_write, .xs_rm = p_xs_rm,
	.xs_txn_start = p_txn_start, .xs_txn_end = p_txn_end,
	.xs_watch = p_watch, .xs_unwatch = p_unwatch, .log = p_log,
};

const struct bf_port *blk_port(void)
{
	return &port;
}

/* ---- discovery ---- */

int blk_scan(unsigned int *ids, int max)
{
	char buf[512];
	int n = xs_directory(0, "device/vbd", buf, sizeof(buf)), i, k = 0;
	const char *p = buf;

	for (i = 0; i < n && k < max; i++) {
		ids[k++] = (unsigned int)strtou64(p, NULL);
		p += strlen(p) + 1;
	}
	/* Lowest id first: xvda before xvdb. */
	for (i = 1; i < k; i++) {
		unsigned int v = ids[i];
		int j = i;

		for (; j > 0 && ids[j - 1] > v; j--)
			ids[j] = ids[j - 1];
		ids[j] = v;
	}
	return n < 0 ? n : k;
}

static void blk_config(struct bf_config *cfg)
{
	blkfront_default_config(cfg);
	cfg->pool_pages = 2048;	/* 8 MiB of bounce pages at most */
	if (blk_max_segs)
		cfg->max_segs = blk_max_segs;
	if (blk_seed_mode) {
		cfg->use_persistent = 0;
		cfg->use_indirect = 0;
		cfg->max_segs = 1;
		cfg->max_inflight = 1;
	}
}

int blk_add_io_buffer(void *va, size_t len)
{
	if (n_io_bufs == BF_MAX_BUFFERS)
		return -BF_ENOSPC;
	io_bufs[n_io_bufs].va = va;
	io_bufs[n_io_bufs++].len = len;
	return 0;
}

int blk_open(struct blkdev *d, unsigned int id)
{
	struct bf_config cfg;
	unsigned int k;
	int i, rc;

	xs_set_watch_cb(watch_fired);
	memset(d, 0, sizeof(*d));
	d->id = id;
	snprintf(d->node, sizeof(d->node), "device/vbd/%u", id);
	for (i = 0; i < BLK_MAX_DEVS && devs[i] && devs[i] != d; i++)
		;
	if (i == BLK_MAX_DEVS)
		return -BF_ENOSPC;
	devs[i] = d;
	blk_config(&cfg);
	rc = blkfront_attach(&d->bf, &port, &cfg, d->node);
	if (!rc)
		rc = blkfront_wait_connected(&d->bf);
	if (rc) {
		devs[i] = NULL;
		return rc;
	}
	/* An optimisation: a buffer not added is copied as before. */
	for (k = 0; !blk_seed_mode && !blk_copy_mode && k < n_io_bufs; k++)
		blkfront_add_buffer(&d->bf, io_bufs[k].va, io_bufs[k].len);
	d->attached = 1;
	return 0;
}

/* ---- block cache: write-through, direct-mapped by block number ---- */

static struct {
	struct blkdev *dev;
	uint64_t blk;
	int valid;
	uint8_t *data;
} cache[BLK_CACHE_BLOCKS];

static uint64_t disk_bytes(struct blkdev *d)
{
	return d->bf.sectors * BF_SECTOR;
}

static int driver_rw(struct blkdev *d, int write, uint64_t off, void *buf,
		     size_t len)
{
	return blkfront_rw(&d->bf, write, off / BF_SECTOR, buf, len);
}

void blk_cache_drop(struct blkdev *d)
{
	unsigned int i;

	for (i = 0; i < BLK_CACHE_BLOCKS; i++)
		if (cache[i].dev == d)
			cache[i].valid = 0;
}

static int cache_get(struct blkdev *d, uint64_t blk, uint8_t **data)
{
	unsigned int slot = (unsigned int)(blk % BLK_CACHE_BLOCKS);
	uint64_t off = blk * BLK_BS;
	size_t len = (size_t)MIN((uint64_t)BLK_BS, disk_bytes(d) - off);
	int rc;

	if (!cache[slot].data) {
		cache[slot].data = alloc_pages(1);
		if (!cache[slot].data)
			return -BF_ENOMEM;
	}
	if (cache[slot].valid && cache[slot].dev == d && cache[slot].blk == blk) {
		*data = cache[slot].data;
		return 0;
	}
	cache[slot].valid = 0;
	rc = driver_rw(d, 0, off, cache[slot].data, len);
	if (rc)
		return rc;
	cache[slot].dev = d;
	cache[slot].blk = blk;
	cache[slot].valid = 1;
	*data = cache[slot].data;
	return 0;
}

/* Keep cached copies in step with a write that went to the driver. */
static void cache_update(struct blkdev *d, uint64_t off, const uint8_t *buf,
			 size_t len)
{
	uint64_t blk, end = off + len;

	for (blk = off / BLK_BS; blk * BLK_BS < end; blk++) {
		unsigned int slot = (unsigned int)(blk % BLK_CACHE_BLOCKS);
		uint64_t bs = blk * BLK_BS, s = MAX(bs, off);
		uint64_t e = MIN(bs + BLK_BS, end);

		if (cache[slot].valid && cache[slot].dev == d &&
		    cache[slot].blk == blk)
			memcpy(cache[slot].data + (s - bs), buf + (s - off),
			       e - s);
	}
}

static int check_range(struct blkdev *d, uint64_t sector, size_t len)
{
	if (!d->attached || d->bf.phase != BF_CONNECTED)
		return -BF_ENODEV;
	if (len % BF_SECTOR)
		return -BF_EINVAL;
	if (sector > d->bf.sectors || len / BF_SECTOR > d->bf.sectors - sector)
		return -BF_ENOSPC;
	return 0;
}

int blk_read(struct blkdev *d, uint64_t sector, void *buf, size_t len)
{
	uint64_t off = sector * BF_SECTOR, end = off + len;
	uint8_t *out = buf, *data;
	int rc = check_range(d, sector, len);

	if (rc)
		return rc;
	if (!blk_seed_mode && len >= BLK_WHOLE_MIN) {
		/* Whole to the driver; the cache is write-through, so disk
		 * data is current.
		 */
		return driver_rw(d, 0, off, buf, len);
	}
	while (off < end) {
		uint64_t blk = off / BLK_BS, bs = blk * BLK_BS;
		size_t n = (size_t)MIN(end, bs + BLK_BS) - (size_t)off;

		rc = cache_get(d, blk, &data);
		if (rc)
			return rc;
		memcpy(out, data + (off - bs), n);
		out += n;
		off += n;
	}
	return 0;
}

int blk_write(struct blkdev *d, uint64_t sector, const void *buf, size_t len)
{
	uint64_t off = sector * BF_SECTOR, end = off + len;
	const uint8_t *in = buf;
	int rc = check_range(d, sector, len);

	if (rc)
		return rc;
	if (d->bf.readonly)
		return -BF_EROFS;
	if (!blk_seed_mode) {
		rc = driver_rw(d, 1, off, (void *)buf, len);
		if (!rc)
			cache_update(d, off, buf, len);
		else
			blk_cache_drop(d);
		return rc;
	}
	/* Seed mode: one block per driver call. */
	while (off < end) {
		uint64_t bs = off / BLK_BS * BLK_BS;
		size_t n = (size_t)MIN(end, bs + BLK_BS) - (size_t)off;

		rc = driver_rw(d, 1, off, (void *)in, n);
		if (rc) {
			blk_cache_drop(d);
			return rc;
		}
		cache_update(d, off, in, n);
		in += n;
		off += n;
	}
	return 0;
}

int blk_flush(struct blkdev *d)
{
	if (!d->attached)
		return -BF_ENODEV;
	return blkfront_flush(&d->bf);
}
