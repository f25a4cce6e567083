// SPDX-License-Identifier: MIT
/*
 * crypto-test: TAP test of a cryptodev /dev/crypto provider.
 *
 *   crypto-test [-d DEV] [-r ALG,ALG|all] [SECTION...]
 *   crypto-test [-d DEV] stress SECONDS
 *   crypto-test [-d DEV] once
 *   crypto-test [-d DEV] hold SECONDS
 *
 * Sections: kat random concurrent errors leak (default: all), and pins
 * (virtio_cryptodev's kept pinnings: only when named).  An algorithm
 * listed with -r must be offered by the device; others that the device
 * refuses at CIOCGSESSION are reported as skipped.  "stress" runs 256 KiB
 * AES-128-CBC operations until SECONDS pass or a call fails, then prints the
 * errno name ("ENODEV") and exits 0 on a clean ENODEV (used for unplug).
 * "once" does one 64 KiB operation and exits with its errno (0: success).
 * "hold" does one in place on a buffer of its own, prints "held", and
 * keeps its file open for SECONDS (the driver keeps the pinning).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <stddef.h>
#include <glob.h>
#include <linux/cryptodev.h>
#include "vcd-common.h"
#include "vcd-tap.h"
#include "crypto-vectors.h"

/*
 * The layouts programs built against cryptodev-linux's crypto/cryptodev.h
 * use (ioctl numbers alone do not catch a shifted field: the sizes match).
 */
#define PTR (sizeof(void *))
_Static_assert(offsetof(struct session_op, keylen) == 8, "session_op.keylen");
_Static_assert(offsetof(struct session_op, key) == (PTR == 8 ? 16 : 12), "session_op.key");
_Static_assert(offsetof(struct session_op, ses) == (PTR == 8 ? 40 : 24), "session_op.ses");
_Static_assert(offsetof(struct crypt_op, src) == (PTR == 8 ? 16 : 12), "crypt_op.src");
_Static_assert(offsetof(struct crypt_op, iv) == (PTR == 8 ? 40 : 24), "crypt_op.iv");
_Static_assert(offsetof(struct session_info_op, hash_info) == 132, "session_info_op.hash_info");
_Static_assert(sizeof(struct session_info_op) == 268, "session_info_op size");

static const char *require = "";

static void tap_skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d - skipped # SKIP ", ++tapn);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int required(const char *alg)
{
	const char *p = require;
	size_t n = strlen(alg);

	if (!strcmp(require, "all"))
		return 1;
	while ((p = strstr(p, alg))) {
		if ((p == require || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

static int sess_new(int fd, unsigned int cipher, const void *key,
		    unsigned int keylen, uint32_t *ses)
{
	*ses = 0;
	return sess(fd, cipher, key, keylen, 0, NULL, 0, ses);
}

static int sess_free(int fd, uint32_t ses)
{
	return ioctl(fd, CIOCFSESSION, &ses) ? -errno : 0;
}

static int do_crypt(int fd, uint32_t ses, int op, const void *src, void *dst,
		    size_t len, void *iv, int flags)
{
	struct crypt_op c;

	memset(&c, 0, sizeof(c));
	c.ses = ses;
	c.op = op;
	c.flags = flags;
	c.len = len;
	c.src = (void *)src;
	c.dst = dst;
	c.iv = iv;
	return ioctl(fd, CIOCCRYPT, &c) ? -errno : 0;
}

/* Does the device offer @a?  Cached per algorithm. */
static int offered(int fd, const struct vcd_algdesc *a)
{
	static signed char known[VCD_NALGS];
	unsigned char key[64];
	size_t i = a - vcd_algdescs;
	uint32_t ses;
	int r;

	if (known[i])
		return known[i] > 0;
	memset(key, 0x5a, sizeof(key));
	key[0] = 1;	/* XTS halves must differ */
	r = sess_new(fd, a->cop, key, a->keylen, &ses);
	if (!r)
		sess_free(fd, ses);
	known[i] = r ? -1 : 1;
	if (r && r != -EINVAL)
		printf("# %s: CIOCGSESSION: %s\n", a->name, strerror(-r));
	return !r;
}

/* Either the device does it, or it is allowed not to. */
static int check_offered(int fd, const struct vcd_algdesc *a, const char *what)
{
	if (offered(fd, a))
		return 1;
	if (required(a->name))
		tap(0, "%s: %s required but refused by the device", what, a->name);
	else
		tap_skip("%s: %s not offered by the device", what, a->name);
	return 0;
}

static void hexdiff(const char *what, const unsigned char *a,
		    const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i]) {
			printf("# %s: first difference at byte %zu: %02x != %02x\n",
			       what, i, a[i], b[i]);
			return;
		}
}

static const struct kat *kat_find(const char *alg)
{
	size_t i;

	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++)
		if (!strcmp(kats[i].alg, alg))
			return &kats[i];
	printf("Bail out! no %s vector\n", alg);
	exit(1);
}

static int xts_equal_halves(const char *key, unsigned int keylen)
{
	return !memcmp(key, key + keylen / 2, keylen / 2);
}

static void sec_kat(void)
{
	int fd = open_dev();
	size_t i;

	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		const struct kat *k = &kats[i];
		const struct vcd_algdesc *a = vcd_alg_by_name(k->alg);
		unsigned char buf[4096], iv[16], iv2[16];
		size_t half;
		uint32_t ses;
		int r;

		if (!check_offered(fd, a, k->where))
			continue;
		r = sess_new(fd, a->cop, k->key, a->keylen, &ses);
		if (a->cop == CRYPTO_AES_XTS && xts_equal_halves(k->key, a->keylen)) {
			/* IEEE 1619-2018 forbids Key1 == Key2: refused at once. */
			tap(r == -EINVAL, "%s %s: equal key halves refused at CIOCGSESSION (%s)",
			    k->alg, k->where, r ? strerror(-r) : "accepted");
			if (!r)
				sess_free(fd, ses);
			continue;
		}
		if (r) {
			tap(0, "%s %s: CIOCGSESSION: %s", k->alg, k->where,
			    strerror(-r));
			continue;
		}
		memcpy(iv, k->iv, a->ivlen);
		r = do_crypt(fd, ses, COP_ENCRYPT, k->pt, buf, k->len, iv, 0);
		tap(!r && !memcmp(buf, k->ct, k->len), "%s %s: encrypt (%s)",
		    k->alg, k->where, r ? strerror(-r) : "done");
		if (!r)
			hexdiff("encrypt", buf, (const unsigned char *)k->ct, k->len);
		memcpy(buf, k->pt, k->len);
		r = do_crypt(fd, ses, COP_ENCRYPT, buf, buf, k->len, iv, 0);
		tap(!r && !memcmp(buf, k->ct, k->len), "%s %s: encrypt in place",
		    k->alg, k->where);
		r = do_crypt(fd, ses, COP_DECRYPT, k->ct, buf, k->len, iv, 0);
		tap(!r && !memcmp(buf, k->pt, k->len), "%s %s: decrypt (%s)",
		    k->alg, k->where, r ? strerror(-r) : "done");
		if (a->chained_iv) {
			/* Two calls chained by COP_FLAG_WRITE_IV equal one. */
			half = k->len / 2 / a->blk * a->blk;
			if (half == 0)
				half = a->blk;
			memcpy(iv2, k->iv, a->ivlen);
			r = do_crypt(fd, ses, COP_DECRYPT, k->ct, buf, half, iv2,
				     COP_FLAG_WRITE_IV);
			if (!r)
				r = do_crypt(fd, ses, COP_DECRYPT, k->ct + half,
					     buf + half, k->len - half, iv2,
					     COP_FLAG_WRITE_IV);
			tap(!r && !memcmp(buf, k->pt, k->len),
			    "%s %s: decrypt in two calls with COP_FLAG_WRITE_IV",
			    k->alg, k->where);
		}
		tap(sess_free(fd, ses) == 0, "%s %s: CIOCFSESSION", k->alg,
		    k->where);
	}
	close(fd);
}

/*
 * Big buffers come from a mapping aligned for transparent huge pages, so
 * that the driver also meets physically contiguous user memory (it merges
 * such pages into one descriptor).
 */
#define HUGE_SZ (2UL << 20)
#define HUGE_UP(n) (((n) + HUGE_SZ - 1) & ~(HUGE_SZ - 1))

struct bigbuf {
	unsigned char *p;
	void *map;
	size_t maplen;
};

static unsigned char *big_alloc(struct bigbuf *b, size_t n)
{
	b->map = NULL;
	if (n < 65536)
		return b->p = xalloc(n);
	b->maplen = HUGE_UP(n) + HUGE_SZ;
	b->map = mmap(NULL, b->maplen, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->map == MAP_FAILED) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	b->p = (unsigned char *)HUGE_UP((uintptr_t)b->map);
	/* only a hint: without THP the pages are just not contiguous */
	madvise(b->p, HUGE_UP(n), MADV_HUGEPAGE);
	return b->p;
}

static void big_free(struct bigbuf *b)
{
	if (b->map)
		munmap(b->map, b->maplen);
	else
		free(b->p);
}

static void sec_random(void)
{
	int fd = open_dev();
	size_t i;

	for (i = 0; i < sizeof(rnd_cases) / sizeof(rnd_cases[0]); i++) {
		const struct rnd_case *c = &rnd_cases[i];
		const struct vcd_algdesc *a = &vcd_algdescs[c->alg];
		unsigned char key[64], iv[16], iv0[16], *pt, *sbuf, *dbuf;
		unsigned char *src, *dst;
		struct bigbuf sb, db;
		uint64_t s = c->seed, h = 0;
		uint32_t ses;
		int r, good;

		if (!check_offered(fd, a, "random"))
			continue;
		vcd_fill(&s, key, a->keylen);
		vcd_fill(&s, iv0, a->ivlen);
		pt = xalloc(c->len);
		vcd_fill(&s, pt, c->len);
		sbuf = big_alloc(&sb, c->len + 4096 + 64);
		dbuf = big_alloc(&db, c->len + 4096 + 64);
		src = sbuf + c->src_off;
		dst = c->inplace ? src : dbuf + c->dst_off;
		memcpy(src, pt, c->len);
		r = sess_new(fd, a->cop, key, a->keylen, &ses);
		if (r) {
			tap(0, "random %s: CIOCGSESSION: %s", a->name, strerror(-r));
			goto out;
		}
		memcpy(iv, iv0, a->ivlen);
		r = do_crypt(fd, ses, COP_ENCRYPT, src, dst, c->len, iv,
			     COP_FLAG_WRITE_IV);
		if (!r)
			h = vcd_fnv(dst, c->len);
		good = !r && h == c->ct_hash;
		if (good && a->chained_iv)
			good = !memcmp(iv, c->next_iv, a->ivlen);
		memcpy(iv, iv0, a->ivlen);
		if (good)
			r = do_crypt(fd, ses, COP_DECRYPT, dst, dst, c->len, iv, 0);
		good = good && !r && !memcmp(dst, pt, c->len);
		tap(good, "random %s len %u src+%u %s: as OpenSSL, round trip%s%s",
		    a->name, c->len, c->src_off,
		    c->inplace ? "in place" : "dst+odd", r ? ": " : "",
		    r ? strerror(-r) : "");
		if (!r && h != c->ct_hash)
			printf("# ciphertext hash %016llx, OpenSSL's %016llx\n",
			       (unsigned long long)h, c->ct_hash);
		sess_free(fd, ses);
out:
		free(pt);
		big_free(&sb);
		big_free(&db);
	}
	close(fd);
}

/*
 * One child: 16 sessions in twin pairs sharing a key; twins must agree, the
 * round trip must hold, and a known answer is checked every round.  Even
 * sessions only encrypt, so the 8 children stay within a device's 256 sessions.
 */
static int child(int id, int rounds)
{
	static const struct vcd_algdesc *algs[VCD_NALGS];
	unsigned char key[64], iv[16], iv2[16], *a, *b, *c;
	const struct kat *kat = kat_find("aes-128-cbc");
	uint64_t s = 0x1234567ULL + id;
	size_t nalg = 0, i;
	int fd = open_dev(), k, r;
	uint32_t ses[16];

	for (i = 0; i < VCD_NALGS; i++)
		if (offered(fd, &vcd_algdescs[i]))
			algs[nalg++] = &vcd_algdescs[i];
	if (!nalg)
		return 10;
	a = xalloc(65536);
	b = xalloc(65536);
	c = xalloc(65536);
	for (k = 0; k < 16; k += 2) {
		const struct vcd_algdesc *al = algs[(id + k / 2) % nalg];

		vcd_fill(&s, key, al->keylen);
		if (sess_new(fd, al->cop, key, al->keylen, &ses[k]) ||
		    sess_new(fd, al->cop, key, al->keylen, &ses[k + 1]))
			return 11;
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 16; k += 2) {
			const struct vcd_algdesc *al = algs[(id + k / 2) % nalg];
			size_t len = (vcd_rand(&s) % 65536) / al->blk * al->blk;

			if (!len)
				len = al->blk;
			vcd_fill(&s, a, len);
			vcd_fill(&s, iv, 16);
			memcpy(iv2, iv, 16);
			if (do_crypt(fd, ses[k], COP_ENCRYPT, a, b, len, iv, 0) ||
			    do_crypt(fd, ses[k + 1], COP_ENCRYPT, a, c, len, iv2, 0))
				return 12;
			if (memcmp(b, c, len) || (len >= 16 && !memcmp(a, b, len)))
				return 13;
			if (do_crypt(fd, ses[k + 1], COP_DECRYPT, b, c, len, iv, 0) ||
			    memcmp(a, c, len))
				return 14;
		}
		if (offered(fd, vcd_alg_by_name("aes-128-cbc"))) {
			uint32_t ks;

			memcpy(iv, kat->iv, 16);
			if (sess_new(fd, 11, kat->key, 16, &ks) ||
			    do_crypt(fd, ks, COP_ENCRYPT, kat->pt, b, kat->len, iv, 0) ||
			    memcmp(b, kat->ct, kat->len) || sess_free(fd, ks))
				return 15;
		}
	}
	close(fd);	/* frees all 16 sessions */
	return 0;
}

static void sec_concurrent(void)
{
	pid_t pids[8];
	int i, st, fd = open_dev();

	if (!check_offered(fd, vcd_alg_by_name("aes-128-cbc"), "concurrent")) {
		close(fd);
		return;
	}
	close(fd);
	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(child(i, 6));
	}
	for (i = 0; i < 8; i++) {
		if (waitpid(pids[i], &st, 0) < 0)
			st = -1;
		tap(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "concurrent: process %d of 8, 16 sessions: %s %d",
		    i, WIFEXITED(st) ? "exit" : "status", WIFEXITED(st) ?
		    WEXITSTATUS(st) : st);
	}
}

static void expect_err(int r, int want, const char *what)
{
	tap(r == -want, "errors: %s -> %s (got %s)", what, strerror(want),
	    r ? strerror(-r) : "success");
}

static void sec_errors(void)
{
	static const unsigned char key[16] = "0123456789abcdef";
	unsigned char iv[16] = { 0 }, small[64], xkey[64], *big, *ro, *ref;
	const size_t bigsz = 1 << 20;
	struct session_info_op info;
	struct session_op so;
	int fd = open_dev(), fd2, fd3;
	uint32_t ses, ses2, clone = 0;
	int r;

	if (!check_offered(fd, vcd_alg_by_name("aes-128-cbc"), "errors")) {
		close(fd);
		return;
	}
	expect_err(sess_new(fd, 9999, key, 16, &ses), EINVAL, "unknown cipher");
	expect_err(sess_new(fd, CRYPTO_CAMELLIA_CBC, key, 16, &ses), EINVAL,
		   "Camellia-CBC (not a cipher we serve)");
	expect_err(sess_new(fd, CRYPTO_AES_CBC, key, 17, &ses), EINVAL,
		   "AES key of 17 bytes");
	expect_err(sess_new(fd, CRYPTO_AES_XTS, key, 16, &ses), EINVAL,
		   "XTS key of 16 bytes");
	memset(xkey, 7, sizeof(xkey));
	expect_err(sess_new(fd, CRYPTO_AES_XTS, xkey, 32, &ses), EINVAL,
		   "XTS-AES-128 key with equal halves");
	expect_err(sess_new(fd, CRYPTO_AES_XTS, xkey, 64, &ses), EINVAL,
		   "XTS-AES-256 key with equal halves");
	memset(&so, 0, sizeof(so));
	so.cipher = CRYPTO_AES_CBC;
	so.mac = CRYPTO_RIPEMD160_HMAC;
	so.keylen = 16;
	so.key = (void *)key;
	expect_err(ioctl(fd, CIOCGSESSION, &so) ? -errno : 0, EINVAL,
		   "cipher with a MAC we do not serve (HMAC-RIPEMD160)");
	expect_err(sess_new(fd, CRYPTO_AES_CBC, (void *)8, 16, &ses), EFAULT,
		   "key at a bad address");
	expect_err(ioctl(fd, CIOCGSESSION, (void *)8) ? -errno : 0, EFAULT,
		   "session_op at a bad address");
	r = sess_new(fd, CRYPTO_AES_CBC, key, 16, &ses);
	tap(r == 0, "errors: AES-128-CBC session created");

	memset(&info, 0, sizeof(info));
	info.ses = ses;
	r = ioctl(fd, CIOCGSESSINFO, &info) ? -errno : 0;
	tap(!r && (info.flags & SIOP_FLAG_KERNEL_DRIVER_ONLY) &&
	    !strcmp(info.cipher_info.cra_name, "cbc(aes)") &&
	    !strncmp(info.cipher_info.cra_driver_name, "virtio_cryptodev", 16),
	    "errors: CIOCGSESSINFO names cbc(aes) / %s, kernel-driver-only",
	    info.cipher_info.cra_driver_name);
	info.ses = ses + 1000;
	expect_err(ioctl(fd, CIOCGSESSINFO, &info) ? -errno : 0, EINVAL,
		   "CIOCGSESSINFO of an unknown session");

	expect_err(do_crypt(fd, ses + 1000, COP_ENCRYPT, small, small, 16, iv, 0),
		   EINVAL, "CIOCCRYPT with an unknown session");
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, small, small, 15, iv, 0),
		   EINVAL, "length not a multiple of the block");
	expect_err(do_crypt(fd, ses, 7, small, small, 16, iv, 0), EINVAL,
		   "operation 7");
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, small, small, 16, iv,
			    COP_FLAG_UPDATE), EINVAL, "hash-only flag");
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, small, small, (16 << 20) + 16,
			    iv, 0), EINVAL, "length above the 16 MiB maximum");
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, small, small, 0, iv, 0), 0,
		   "length 0 does nothing");
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, (void *)8, small, 64, iv, 0),
		   EFAULT, "small source at a bad address (copied path)");
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, small, (void *)8, 64, iv, 0),
		   EFAULT, "small destination at a bad address");
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, small, small, 64, (void *)8, 0),
		   EFAULT, "IV at a bad address");
	expect_err(ioctl(fd, CIOCCRYPT, (void *)8) ? -errno : 0, EFAULT,
		   "crypt_op at a bad address");

	big = xalloc(bigsz);
	ref = xalloc(bigsz);
	memset(big, 0xa5, bigsz);
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, (void *)0x1000, big, bigsz, iv,
			    0), EFAULT, "1 MiB source at a bad address (pinned path)");
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, big, (void *)0x1000, bigsz, iv,
			    0), EFAULT, "1 MiB destination at a bad address");
	ro = mmap(NULL, bigsz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro != MAP_FAILED) {
		expect_err(do_crypt(fd, ses, COP_ENCRYPT, big, ro, bigsz, iv, 0),
			   EFAULT, "1 MiB destination read-only");
		expect_err(do_crypt(fd, ses, COP_ENCRYPT, ro, big, bigsz, iv, 0),
			   0, "1 MiB source read-only is fine");
		munmap(ro, bigsz);
	}

	/* Partly overlapping buffers equal the separate-buffer result. */
	memset(big, 0x3c, bigsz);
	memset(iv, 0, sizeof(iv));
	r = do_crypt(fd, ses, COP_ENCRYPT, big, ref, 65536, iv, 0);
	if (!r)
		r = do_crypt(fd, ses, COP_ENCRYPT, big, big + 16, 65536, iv, 0);
	tap(!r && !memcmp(ref, big + 16, 65536),
	    "errors: overlapping source and destination handled");
	/* COP_FLAG_NO_ZC (copy, no pinning) gives the same result. */
	memset(big, 0x3c, bigsz);
	r = do_crypt(fd, ses, COP_ENCRYPT, big, big + 65536, 65536, iv,
		     COP_FLAG_NO_ZC);
	tap(!r && !memcmp(ref, big + 65536, 65536),
	    "errors: COP_FLAG_NO_ZC equals zero-copy");

	fd2 = open_dev();
	expect_err(do_crypt(fd2, ses, COP_ENCRYPT, small, small, 16, iv, 0),
		   EINVAL, "session of another open file");
	close(fd2);
	r = ioctl(fd, CRIOGET, &clone) ? -errno : 0;
	fd3 = (int)clone;
	tap(!r && fd3 > 2 && do_crypt(fd3, ses, COP_ENCRYPT, small, small, 16, iv,
				      0) == 0,
	    "errors: CRIOGET gives a descriptor sharing the sessions");
	if (!r)
		close(fd3);
	expect_err(ioctl(fd, _IO('c', 200)) ? -errno : 0, ENOTTY,
		   "unknown ioctl");
	expect_err(ioctl(fd, CIOCKEY, small) ? -errno : 0, ENOTTY,
		   "CIOCKEY (asymmetric, not served)");

	expect_err(sess_free(fd, ses), 0, "CIOCFSESSION");
	expect_err(sess_free(fd, ses), EINVAL, "CIOCFSESSION twice");
	expect_err(do_crypt(fd, ses, COP_ENCRYPT, small, small, 16, iv, 0),
		   EINVAL, "CIOCCRYPT after CIOCFSESSION");

	/* The largest operation, in CTR mode if offered. */
	if (offered(fd, vcd_alg_by_name("aes-128-ctr")) &&
	    !sess_new(fd, CRYPTO_AES_CTR, key, 16, &ses2)) {
		size_t max = 16 << 20;
		unsigned char *m = xalloc(max), *m2 = xalloc(max);

		memset(m, 0x77, max);
		memset(iv, 0, sizeof(iv));
		r = do_crypt(fd, ses2, COP_ENCRYPT, m, m2, max, iv, 0);
		if (!r)
			r = do_crypt(fd, ses2, COP_DECRYPT, m2, m2, max, iv, 0);
		tap(!r && !memcmp(m, m2, max),
		    "errors: 16 MiB (the maximum) AES-CTR round trip");
		free(m);
		free(m2);
		sess_free(fd, ses2);
	}
	free(big);
	free(ref);
	close(fd);
}

/* Sessions must go away at close: the device's table would fill up. */
static void sec_leak(void)
{
	static const unsigned char key[16] = "fedcba9876543210";
	unsigned char buf[16] = { 0 }, iv[16];
	int round, k, fd, bad;
	uint32_t ses;

	fd = open_dev();
	if (!check_offered(fd, vcd_alg_by_name("aes-128-cbc"), "leak")) {
		close(fd);
		return;
	}
	close(fd);
	for (round = 0; round < 6; round++) {
		fd = open_dev();
		bad = 0;
		for (k = 0; k < 100 && !bad; k++) {
			memset(iv, 0, sizeof(iv));
			bad = sess_new(fd, CRYPTO_AES_CBC, key, 16, &ses) ||
			      do_crypt(fd, ses, COP_ENCRYPT, buf, buf, 16, iv, 0) ||
			      do_crypt(fd, ses, COP_DECRYPT, buf, buf, 16, iv, 0);
		}
		close(fd);
		tap(!bad, "leak: round %d: 100 sessions x 2 directions, freed by close%s",
		    round, bad ? " (device ran out: earlier sessions leaked?)" : "");
	}
}

/* A counter of every virtio_cryptodev device's stats file, summed. */
static long long vcd_counter(const char *key)
{
	size_t i, n = strlen(key);
	long long sum = 0;
	char line[128];
	glob_t g;

	if (glob("/sys/class/misc/cryptodev*/stats", 0, NULL, &g))
		return -1;
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, key, n) && line[n] == ' ')
				sum += atoll(line + n + 1);
		if (f)
			fclose(f);
	}
	globfree(&g);
	return sum;
}

#define PIN_LEN (64 << 10)
static const unsigned char pin_key[16] = "pins-pins-pins-1";

/* AES-128-CBC of @len bytes at @buf in place, zero IV: 0 or -errno. */
static int pin_crypt(int fd, uint32_t ses, void *src, void *dst, int flags)
{
	unsigned char iv[16] = { 0 };

	return do_crypt(fd, ses, COP_ENCRYPT, src, dst, PIN_LEN, iv, flags);
}

static void *pin_map(void *at)
{
	void *p = mmap(at, PIN_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED : 0), -1, 0);

	if (p == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		exit(1);
	}
	return p;
}

/*
 * Fill @a with plaintext @seed, encrypt it in place and compare with @ref
 * (the same plaintext encrypted by copying, COP_FLAG_NO_ZC).
 */
static int pin_check(int fd, uint32_t ses, unsigned char *a, uint64_t seed,
		     const unsigned char *ref)
{
	int r;

	vcd_fill(&seed, a, PIN_LEN);
	r = pin_crypt(fd, ses, a, a, 0);
	return r ? r : memcmp(a, ref, PIN_LEN) ? 1 : 0;
}

/*
 * virtio_cryptodev keeps the pages a file pinned for its next requests
 * (module parameter pin_cache).  Whenever the process's mapping of a kept
 * range changes, the next request must land in the pages mapped now, not
 * in the old ones: each check below fails on a cache that keys on the
 * address alone.
 */
static void sec_pins(void)
{
	unsigned char *a, *b, *pt, *ref1, *ref2;
	long long hits0 = vcd_counter("pin_cache_hits");
	long long cached, max = -1;
	int fd = open_dev(), r, st, i, pfd[2];
	uint64_t seed = 1;
	uint32_t ses;
	FILE *mf;
	pid_t pid;

	if (hits0 < 0 || !check_offered(fd, vcd_alg_by_name("aes-128-cbc"), "pins")) {
		tap_skip("pins: no virtio_cryptodev stats");
		close(fd);
		return;
	}
	if (sess_new(fd, CRYPTO_AES_CBC, pin_key, 16, &ses)) {
		tap(0, "pins: CIOCGSESSION: %s", strerror(errno));
		close(fd);
		return;
	}
	pt = xalloc(PIN_LEN);
	ref1 = xalloc(PIN_LEN);
	ref2 = xalloc(PIN_LEN);
	seed = 1;
	vcd_fill(&seed, pt, PIN_LEN);
	r = pin_crypt(fd, ses, pt, ref1, COP_FLAG_NO_ZC);
	seed = 2;
	vcd_fill(&seed, pt, PIN_LEN);
	r = r ? r : pin_crypt(fd, ses, pt, ref2, COP_FLAG_NO_ZC);
	tap(!r, "pins: reference ciphertexts by copying");

	a = pin_map(NULL);
	for (i = 0, r = 0; i < 4 && !r; i++)
		r = pin_check(fd, ses, a, i % 2 ? 2 : 1, i % 2 ? ref2 : ref1);
	tap(!r, "pins: the same buffer 4 times in place: right each time");
	tap(vcd_counter("pin_cache_hits") - hits0 >= 3,
	    "pins: requests 2-4 reused the kept pinning (hits %lld)",
	    vcd_counter("pin_cache_hits") - hits0);

	munmap(a, PIN_LEN);
	if (pin_map(a) != a)
		printf("Bail out! MAP_FIXED moved\n");
	tap(!pin_check(fd, ses, a, 2, ref2),
	    "pins: munmap, new mapping at the same address: result in the new pages");

	madvise(a, PIN_LEN, MADV_DONTNEED);
	tap(!pin_check(fd, ses, a, 1, ref1),
	    "pins: after MADV_DONTNEED: result in the new pages");

	b = pin_map(NULL);
	seed = 2;
	vcd_fill(&seed, b, PIN_LEN);
	if (mremap(b, PIN_LEN, PIN_LEN, MREMAP_MAYMOVE | MREMAP_FIXED, a) != a)
		printf("Bail out! mremap: %s\n", strerror(errno));
	r = pin_crypt(fd, ses, a, a, 0);
	tap(!r && !memcmp(a, ref2, PIN_LEN),
	    "pins: another mapping mremap()ed over it: result in its pages");

	/* Out of place: a read-only kept pinning does not serve writes. */
	b = pin_map(NULL);
	seed = 1;
	vcd_fill(&seed, b, PIN_LEN);
	r = pin_crypt(fd, ses, b, a, 0);
	r = r ? r : memcmp(a, ref1, PIN_LEN);
	r = r ? r : pin_crypt(fd, ses, a, b, 0);
	r = r ? r : pin_check(fd, ses, b, 1, ref1);
	tap(!r, "pins: a buffer as source, then as destination: right");

	/*
	 * fork: the parent pins its pages again first, then the child asks
	 * for the same address through the same file: its own pages.
	 */
	if (pipe(pfd)) {
		printf("Bail out! pipe: %s\n", strerror(errno));
		exit(1);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pfd[1]);
		if (read(pfd[0], &st, 1) != 1)
			_exit(2);
		_exit(pin_check(fd, ses, a, 2, ref2) ? 1 : 0);
	}
	close(pfd[0]);
	r = pin_check(fd, ses, a, 1, ref1);
	tap(!r, "pins: fork: the parent's result in its pages");
	if (write(pfd[1], "x", 1) != 1)
		printf("Bail out! pipe write\n");
	close(pfd[1]);
	st = -1;
	waitpid(pid, &st, 0);
	tap(WIFEXITED(st) && !WEXITSTATUS(st),
	    "pins: fork: the child's result in its own pages (status %#x)", st);
	tap(!memcmp(a, ref1, PIN_LEN), "pins: fork: the parent's pages untouched by it");

	/* A range that wraps around the address space is no kept one. */
	r = pin_crypt(fd, ses, (void *)-1L, (void *)-1L, 0);
	tap(r == -EFAULT, "pins: a buffer at (void *)-1 with pinnings kept: EFAULT (%s)",
	    r ? strerror(-r) : "succeeded");

	/* Read-only now: the kept pinning must not write it. */
	mprotect(a, PIN_LEN, PROT_READ);
	r = pin_crypt(fd, ses, a, a, 0);
	tap(r == -EFAULT, "pins: after mprotect(PROT_READ) in place: EFAULT (%s)",
	    r ? strerror(-r) : "written");
	mprotect(a, PIN_LEN, PROT_READ | PROT_WRITE);

	/* Bounded: at most pin_cache kept per file. */
	mf = fopen("/sys/module/virtio_cryptodev/parameters/pin_cache", "r");
	if (!mf || fscanf(mf, "%lld", &max) != 1)
		max = -1;
	if (mf)
		fclose(mf);
	for (i = 0, r = 0; i < 8 && !r; i++) {
		b = pin_map(NULL);
		r = pin_crypt(fd, ses, b, b, 0);
	}
	cached = vcd_counter("pin_cache_pages");
	tap(!r && max >= 0 && cached <= max * (PIN_LEN / 4096),
	    "pins: 8 more buffers: %lld pages kept, at most %lld", cached,
	    max * (PIN_LEN / 4096));
	sess_free(fd, ses);
	close(fd);
	tap(vcd_counter("pin_cache_pages") == 0, "pins: none kept after close");
	free(pt);
	free(ref1);
	free(ref2);
}

static int stress(int secs)
{
	static const unsigned char key[16] = "stress-stress-16";
	unsigned char iv[16] = { 0 }, *buf = xalloc(256 << 10);
	time_t end = time(NULL) + secs;
	int fd = open_dev(), r = 0;
	unsigned long n = 0;
	uint32_t ses;

	if (sess_new(fd, CRYPTO_AES_CBC, key, 16, &ses)) {
		printf("stress: no session: %s\n", strerror(errno));
		return 2;
	}
	printf("stress: running\n");
	fflush(stdout);
	while (time(NULL) < end) {
		r = do_crypt(fd, ses, COP_ENCRYPT, buf, buf, 256 << 10, iv, 0);
		if (r)
			break;
		n++;
	}
	printf("stress: %lu operations, then %s\n", n,
	       r == -ENODEV ? "ENODEV" : r ? strerror(-r) : "time up");
	r = r == -ENODEV ? 0 : 1;
	/* After the device is gone, every call fails cleanly. */
	if (!r && do_crypt(fd, ses, COP_ENCRYPT, buf, buf, 16, iv, 0) != -ENODEV)
		r = 3;
	close(fd);
	return r;
}

/* One 64 KiB AES-128-CBC operation on a fresh session; exit status = errno. */
static int once(void)
{
	static const unsigned char key[16] = "once-once-once-1";
	unsigned char iv[16] = { 0 }, *buf = xalloc(65536);
	int fd = open_dev(), r;
	uint32_t ses;

	r = sess_new(fd, CRYPTO_AES_CBC, key, 16, &ses);
	if (r) {
		printf("# once: CIOCGSESSION: %s\n", strerror(-r));
		return -r;
	}
	memset(buf, 1, 65536);
	r = do_crypt(fd, ses, COP_ENCRYPT, buf, buf, 65536, iv, 0);
	printf("# once: CIOCCRYPT: %s\n", r ? strerror(-r) : "ok");
	close(fd);
	return -r;
}

/* One 64 KiB operation in place, then the file held open @secs. */
static int hold(int secs)
{
	unsigned char *a = pin_map(NULL);
	int fd = open_dev(), r;
	uint32_t ses;

	r = sess_new(fd, CRYPTO_AES_CBC, pin_key, 16, &ses);
	r = r ? r : pin_crypt(fd, ses, a, a, 0);
	printf("%s\n", r ? strerror(-r) : "held");
	fflush(stdout);
	if (!r)
		sleep(secs);
	close(fd);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *secs[] = { "kat", "random", "concurrent", "errors", "leak",
			       "pins" };
	int i, opt, all;

	while ((opt = getopt(argc, argv, "d:r:")) != -1) {
		if (opt == 'd')
			devpath = optarg;
		else if (opt == 'r')
			require = optarg;
		else
			return 2;
	}
	if (optind < argc && !strcmp(argv[optind], "once"))
		return once();
	if (optind < argc && !strcmp(argv[optind], "hold"))
		return hold(optind + 1 < argc ? atoi(argv[optind + 1]) : 30);
	if (optind < argc && !strcmp(argv[optind], "stress"))
		return stress(optind + 1 < argc ? atoi(argv[optind + 1]) : 30);
	all = optind == argc;
	for (i = 0; i < 6; i++) {
		int j, run = all && i < 5;

		for (j = optind; j < argc; j++)
			run |= !strcmp(argv[j], secs[i]);
		if (!run)
			continue;
		printf("# section %s\n", secs[i]);
		if (i == 0)
			sec_kat();
		else if (i == 1)
			sec_random();
		else if (i == 2)
			sec_concurrent();
		else if (i == 3)
			sec_errors();
		else if (i == 4)
			sec_leak();
		else
			sec_pins();
	}
	printf("1..%d\n", tapn);
	printf("# %d passed, %d failed\n", tapn - nfail, nfail);
	return nfail ? 1 : 0;
}
