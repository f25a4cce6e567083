// SPDX-License-Identifier: MIT
/*
 * crypto-auth: TAP tests of /dev/crypto's hashes, HMACs and AEAD.
 *
 *   crypto-auth [-d DEV] [SECTION...]
 *     kat random cphash combined gcm tls srtp errors concurrent shared
 *     numbers
 *   crypto-auth hold N      N sessions with partial hashes, then wait
 *   crypto-auth unplug      a partial hash; after /tmp/unplugged exists,
 *                           UPDATE and FINAL must fail with ENODEV
 *   crypto-auth digest ALG...  one digest of "abc" per plain hash named
 *                           (sha256, sha1, ...), each in a session of its own
 *   crypto-auth notsupp     on a device without hashes: a SHA-1 session is
 *                           refused (EINVAL), or the device's NOTSUPP
 *                           comes back as EOPNOTSUPP
 *
 * Known answers come from the standards (tests/vectors/auth-kat.vec);
 * random cases' results from OpenSSL on the host (crypto-auth-gen).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/cryptodev.h>
#include "vcd-common.h"
#include "vcd-tap.h"

struct kat_mac {
	const char *alg, *key, *msg, *out;
};

struct kat_gcm {
	const char *key, *iv, *aad, *pt, *ct, *tag;
};

struct rnd_mac {
	const char *alg;
	uint64_t seed;
	unsigned int keylen, len;
	const char *out;
};

struct rnd_gcm {
	uint64_t seed;
	unsigned int keylen, len, aadlen, taglen;
	uint64_t fnv;
};

struct rnd_tls {
	const char *cipher, *mac;
	uint64_t seed;
	unsigned int len, total;
	uint64_t fnv;
};

struct rnd_srtp {
	const char *mac;
	uint64_t seed;
	unsigned int hdr, len, taglen;
	uint64_t fnv;
	const char *tag;
};

#include "crypto-auth-vectors.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MIB (1u << 20)

/* Hex (or "-", "aN") to bytes, as crypto-auth-gen reads them. */
static size_t unhex(const char *h, unsigned char *b)
{
	size_t n = 0;

	if (!strcmp(h, "-"))
		return 0;
	if (h[0] == 'a' && h[1] && strspn(h + 1, "0123456789") == strlen(h + 1)) {
		n = strtoul(h + 1, NULL, 10);
		memset(b, 'a', n);
		return n;
	}
	for (; h[0] && h[1]; h += 2) {
		unsigned int v;

		sscanf(h, "%2x", &v);
		b[n++] = (unsigned char)v;
	}
	return n;
}

static int do_crypt(int fd, uint32_t ses, int op, int flags, const void *src,
		 void *dst, size_t len, void *mac, void *iv)
{
	struct crypt_op c;

	memset(&c, 0, sizeof(c));
	c.ses = ses;
	c.op = (uint16_t)op;
	c.flags = (uint16_t)flags;
	c.len = (uint32_t)len;
	c.src = (void *)src;
	c.dst = dst;
	c.mac = mac;
	c.iv = iv;
	return ioctl(fd, CIOCCRYPT, &c) ? -errno : 0;
}

/* A hash update / final on a mac-only session. */
static int hupd(int fd, uint32_t ses, int flags, const void *p, size_t len,
		void *mac)
{
	return do_crypt(fd, ses, COP_ENCRYPT, flags, p, NULL, len, mac, NULL);
}

static int cphash(int fd, uint32_t dst, uint32_t src)
{
	struct cphash_op c = { .dst_ses = dst, .src_ses = src };

	return ioctl(fd, CIOCCPHASH, &c) ? -errno : 0;
}

static int authcrypt(int fd, struct crypt_auth_op *c)
{
	return ioctl(fd, CIOCAUTHCRYPT, c) ? -errno : 0;
}

static const char *err(int r)
{
	return r ? strerror(-r) : "success";
}

static int mac_sess(int fd, const struct vcd_macdesc *m, const void *key,
		    unsigned int kl, uint32_t *ses)
{
	return sess(fd, 0, NULL, 0, m->cop, key, m->hmac ? kl : 0, ses);
}

/* ---- kat ---- */

static void sec_kat(void)
{
	unsigned char *key = xalloc(256), *msg = xalloc(MIB), *d = xalloc(64);
	unsigned char *want = xalloc(64 + MIB), *o = xalloc(MIB), *x = xalloc(MIB);
	int fd = open_dev(), r;
	uint32_t ses = 0;
	size_t i, kl, ml, dl, k;

	for (i = 0; i < N(kat_macs); i++) {
		const struct vcd_macdesc *m = vcd_mac_by_name(kat_macs[i].alg);

		kl = unhex(kat_macs[i].key, key);
		ml = unhex(kat_macs[i].msg, msg);
		dl = unhex(kat_macs[i].out, want);
		r = mac_sess(fd, m, key, kl, &ses);
		if (!r)
			r = hupd(fd, ses, 0, msg, ml, d);
		tap(!r && !memcmp(d, want, dl), "kat: %s of %zu bytes, one call: %s",
		    m->name, ml, err(r));
		/* In parts; a million 'a' as 1000 updates of 1000. */
		memset(d, 0, 64);
		k = ml >= 1000000 ? 1000 : ml / 3 + 1;
		for (size_t off = 0; !r && off < ml; off += k)
			r = hupd(fd, ses, COP_FLAG_UPDATE, msg + off,
				 ml - off < k ? ml - off : k, NULL);
		if (!r)
			r = hupd(fd, ses, COP_FLAG_FINAL, NULL, 0, d);
		tap(!r && !memcmp(d, want, dl), "kat: %s of %zu bytes in parts of %zu: %s",
		    m->name, ml, k, err(r));
		ioctl(fd, CIOCFSESSION, &ses);
	}
	for (i = 0; i < N(kat_gcms); i++) {
		const struct kat_gcm *g = &kat_gcms[i];
		unsigned char iv[12], aad[64], tag[16];
		struct crypt_auth_op c;
		size_t al, pl;

		kl = unhex(g->key, key);
		unhex(g->iv, iv);
		al = unhex(g->aad, aad);
		pl = unhex(g->pt, msg);
		unhex(g->ct, want);
		unhex(g->tag, tag);
		memcpy(want + pl, tag, 16);
		r = sess(fd, CRYPTO_AES_GCM, key, (unsigned int)kl, 0, NULL, 0, &ses);
		memset(&c, 0, sizeof(c));
		c.ses = ses;
		c.op = COP_ENCRYPT;
		c.len = (uint32_t)pl;
		c.auth_src = aad;
		c.auth_len = (uint32_t)al;
		c.src = msg;
		c.dst = o;
		c.iv = iv;
		if (!r)
			r = authcrypt(fd, &c);
		tap(!r && c.len == pl + 16 && c.tag_len == 16 && c.tag == o + pl &&
		    !memcmp(o, want, pl + 16),
		    "kat: GCM test case %zu (AES-%zu, %zu bytes, aad %zu) encrypt: %s",
		    i, kl * 8, pl, al, err(r));
		c.op = COP_DECRYPT;
		c.len = (uint32_t)pl + 16;
		c.src = want;
		c.dst = x;
		c.tag_len = 0;
		r = r ? r : authcrypt(fd, &c);
		tap(!r && c.len == pl && !memcmp(x, msg, pl),
		    "kat: GCM test case %zu decrypt: %s", i, err(r));
		want[pl + 15] ^= 1;
		c.len = (uint32_t)pl + 16;
		r = authcrypt(fd, &c);
		tap(r == -EBADMSG, "kat: GCM test case %zu, tag changed: %s", i, err(r));
		ioctl(fd, CIOCFSESSION, &ses);
	}
	close(fd);
	free(key);
	free(msg);
	free(d);
	free(want);
	free(o);
	free(x);
}

/* ---- random ---- */

static void fill_mac_case(const struct rnd_mac *c, unsigned char *key,
			  unsigned char *msg)
{
	uint64_t s = c->seed;

	vcd_fill(&s, key, c->keylen);
	vcd_fill(&s, msg, c->len);
}

/* Hash @len bytes in random parts (flags: 0 or UPDATE ... FINAL). */
static int hash_parts(int fd, uint32_t ses, const unsigned char *msg,
		      size_t len, uint64_t *rs, unsigned char *d)
{
	size_t off = 0;
	int parts = (int)(vcd_rand(rs) % 6), r = 0;

	if (parts == 0)
		return hupd(fd, ses, 0, msg, len, d);
	/* No empty UPDATE: with len 0 it finishes the message. */
	while (!r && parts-- > 1 && off < len) {
		size_t k = vcd_rand(rs) % (len - off) + 1;

		r = hupd(fd, ses, off ? COP_FLAG_UPDATE :
			 COP_FLAG_UPDATE | COP_FLAG_RESET, msg + off, k, NULL);
		off += k;
	}
	return r ? r : hupd(fd, ses, COP_FLAG_FINAL, msg + off, len - off, d);
}

static void sec_random(void)
{
	unsigned char *key = xalloc(256), *msg = xalloc(MIB + 8), want[64], d[64];
	uint64_t rs = 0x7a11;
	int fd = open_dev(), r;
	uint32_t ses = 0;
	size_t i;

	for (i = 0; i < N(rnd_macs); i++) {
		const struct rnd_mac *c = &rnd_macs[i];
		const struct vcd_macdesc *m = vcd_mac_by_name(c->alg);
		size_t off = i % 8;

		fill_mac_case(c, key, msg + off);
		unhex(c->out, want);
		memset(d, 0, sizeof(d));
		r = mac_sess(fd, m, key, c->keylen, &ses);
		if (!r)
			r = hash_parts(fd, ses, msg + off, c->len, &rs, d);
		tap(!r && !memcmp(d, want, m->dlen),
		    "random: %s, key %u, %u bytes at offset %zu, random parts: %s",
		    m->name, c->keylen, c->len, off, err(r));
		ioctl(fd, CIOCFSESSION, &ses);
	}
	close(fd);
	free(key);
	free(msg);
}

/* ---- cphash ---- */

static void sec_cphash(void)
{
	static const char *const algs[] = { "sha256", "hmac-sha1", "sha512" };
	unsigned char *msg = xalloc(300000), key[20], d1[64], d2[64], w1[64], w2[64];
	uint64_t s = 0xc0ffee;
	int fd = open_dev(), r;
	uint32_t a = 0, b = 0, c = 0;
	size_t i;

	vcd_fill(&s, msg, 300000);
	vcd_fill(&s, key, sizeof(key));
	for (i = 0; i < N(algs); i++) {
		const struct vcd_macdesc *m = vcd_mac_by_name(algs[i]);

		r = mac_sess(fd, m, key, 20, &a);
		r = r ? r : mac_sess(fd, m, key, 20, &b);
		r = r ? r : mac_sess(fd, m, key, 20, &c);
		/* Reference: one-shot digests of p1||p2 and p1||p3. */
		memcpy(msg + 200000, msg + 100000, 50000);
		r = r ? r : hupd(fd, c, 0, msg, 150000, w1);
		memcpy(msg + 200000, msg + 250000, 50000);
		/* p1 = msg[0..100000), p2 = msg[100000..150000), p3 = msg[250000..300000) */
		r = r ? r : hupd(fd, a, COP_FLAG_UPDATE, msg, 60000, NULL);
		r = r ? r : hupd(fd, a, COP_FLAG_UPDATE, msg + 60000, 40000, NULL);
		r = r ? r : hupd(fd, b, COP_FLAG_UPDATE, msg + 123, 777, NULL);
		r = r ? r : cphash(fd, b, a);
		r = r ? r : hupd(fd, a, COP_FLAG_FINAL, msg + 100000, 50000, d1);
		r = r ? r : hupd(fd, b, COP_FLAG_FINAL, msg + 250000, 50000, d2);
		memcpy(msg + 100000, msg + 250000, 50000);
		r = r ? r : hupd(fd, c, 0, msg, 150000, w2);
		tap(!r && !memcmp(d1, w1, m->dlen) && !memcmp(d2, w2, m->dlen) &&
		    memcmp(w1, w2, m->dlen),
		    "cphash: %s copied mid-stream, both continue on their own: %s",
		    m->name, err(r));
		s = 0xc0ffee;
		vcd_fill(&s, msg, 300000);
		ioctl(fd, CIOCFSESSION, &a);
		ioctl(fd, CIOCFSESSION, &b);
		ioctl(fd, CIOCFSESSION, &c);
	}
	/* An empty state copies too: the copy is a fresh message. */
	r = mac_sess(fd, vcd_mac_by_name("sha256"), NULL, 0, &a);
	r = r ? r : mac_sess(fd, vcd_mac_by_name("sha256"), NULL, 0, &b);
	r = r ? r : hupd(fd, b, COP_FLAG_UPDATE, msg, 1000, NULL);
	r = r ? r : cphash(fd, b, a);
	r = r ? r : hupd(fd, b, COP_FLAG_FINAL, "abc", 3, d1);
	unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", w1);
	tap(!r && !memcmp(d1, w1, 32), "cphash: copying an empty state empties the destination: %s",
	    err(r));
	close(fd);
	free(msg);
}

/* ---- combined: cipher and mac in one session ---- */

static void sec_combined(void)
{
	static const struct { const char *c, *m; } combos[] = {
		{ "aes-128-cbc", "hmac-sha256" }, { "aes-256-ctr", "sha1" },
		{ "des-ede3-cbc", "hmac-md5" },
	};
	const size_t len = 96 * 1024;
	unsigned char *p = xalloc(len), *c1 = xalloc(len), *c2 = xalloc(len);
	unsigned char *p2 = xalloc(len), key[32], mkey[32], iv[16], iv2[16];
	unsigned char d1[64], d2[64], d3[64];
	uint64_t s = 0xc0b1;
	int fd = open_dev(), r;
	uint32_t cs = 0, hs = 0, ms = 0;
	size_t i, off;

	vcd_fill(&s, p, len);
	vcd_fill(&s, key, sizeof(key));
	vcd_fill(&s, mkey, sizeof(mkey));
	for (i = 0; i < N(combos); i++) {
		const struct vcd_algdesc *a = vcd_alg_by_name(combos[i].c);
		const struct vcd_macdesc *m = vcd_mac_by_name(combos[i].m);

		r = sess(fd, a->cop, key, a->keylen, m->cop, mkey,
			 m->hmac ? 32 : 0, &cs);
		r = r ? r : sess(fd, a->cop, key, a->keylen, 0, NULL, 0, &hs);
		r = r ? r : mac_sess(fd, m, mkey, 32, &ms);
		/* Encrypt: the MAC is of the plaintext. */
		memset(iv, 0x11, sizeof(iv));
		r = r ? r : do_crypt(fd, cs, COP_ENCRYPT, 0, p, c1, len, d1, iv);
		memset(iv, 0x11, sizeof(iv));
		r = r ? r : do_crypt(fd, hs, COP_ENCRYPT, 0, p, c2, len, NULL, iv);
		r = r ? r : hupd(fd, ms, 0, p, len, d2);
		tap(!r && !memcmp(c1, c2, len) && !memcmp(d1, d2, m->dlen),
		    "combined: %s + %s encrypt = cipher alone, MAC of the plaintext: %s",
		    a->name, m->name, err(r));
		/* Decrypt: the MAC is of the plaintext it gives. */
		memset(iv, 0x11, sizeof(iv));
		r = r ? r : do_crypt(fd, cs, COP_DECRYPT, 0, c1, p2, len, d3, iv);
		tap(!r && !memcmp(p, p2, len) && !memcmp(d3, d2, m->dlen),
		    "combined: %s + %s decrypt hashes what it decrypted: %s",
		    a->name, m->name, err(r));
		/* In parts, IV chained by COP_FLAG_WRITE_IV. */
		memset(iv2, 0x11, sizeof(iv2));
		memset(d3, 0, sizeof(d3));
		for (off = 0; !r && off < len; off += 16384)
			r = do_crypt(fd, cs, COP_ENCRYPT,
				  off + 16384 < len ? COP_FLAG_UPDATE | COP_FLAG_WRITE_IV :
						      COP_FLAG_FINAL | COP_FLAG_WRITE_IV,
				  p + off, p2 + off, 16384, d3, iv2);
		tap(!r && !memcmp(p2, c2, len) && !memcmp(d3, d2, m->dlen),
		    "combined: %s + %s in 6 parts: same ciphertext and MAC: %s",
		    a->name, m->name, err(r));
		ioctl(fd, CIOCFSESSION, &cs);
		ioctl(fd, CIOCFSESSION, &hs);
		ioctl(fd, CIOCFSESSION, &ms);
	}
	close(fd);
	free(p);
	free(c1);
	free(c2);
	free(p2);
}

/* ---- gcm ---- */

/* A number from the device's stats file (cryptodev0 for /dev/crypto). */
static long long dev_stat(const char *key)
{
	const char *n = strrchr(devpath, '/');
	char path[96], line[128];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/misc/%s/stats",
		 n && !strncmp(n + 1, "cryptodev", 9) ? n + 1 : "cryptodev0");
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			v = atoll(line + kl + 1);
	fclose(f);
	return v;
}

/* Encryption of random case @g from @src to @dst. */
static void gcm_enc_op(struct crypt_auth_op *c, uint32_t ses,
		       const struct rnd_gcm *g, unsigned char *aad,
		       unsigned char *iv, unsigned char *src, unsigned char *dst)
{
	memset(c, 0, sizeof(*c));
	c->ses = ses;
	c->op = COP_ENCRYPT;
	c->len = g->len;
	c->auth_src = aad;
	c->auth_len = g->aadlen;
	c->src = src;
	c->dst = dst;
	c->iv = iv;
	c->tag_len = g->taglen;
}

/*
 * Case @g again with source and destination at random offsets (any
 * alignment, across pages), in place or not, with the driver's zero copy
 * or without (COP_FLAG_NO_ZC): still OpenSSL's bytes, and back.  @p holds
 * the plaintext; @b is a MIB buffer.  With zero copy, more than 2 KiB
 * (bounce_max) of data must reach the device as the caller's pages: the
 * driver's data_pages counter grows by the source's at least.
 */
static void gcm_placed(int fd, uint32_t ses, const struct rnd_gcm *g,
		       size_t i, const unsigned char *p, unsigned char *b)
{
	static const char *const how[] = { "apart", "in place", "no zero copy",
					   "in place, no zero copy" };
	unsigned char iv[12], aad[4096];
	uint64_t s = g->seed ^ 0x5a5a, ks = g->seed;
	size_t so = vcd_rand(&s) % 4096, dofs = vcd_rand(&s) % 4096;
	unsigned int v = (unsigned int)(i % 4);
	unsigned char *src = b + so, *dst = v % 2 ? src : b + 4096 + 150000 + dofs;
	long long p0 = dev_stat("data_pages"), got;
	unsigned int pages = v < 2 && g->len > 2048 ? g->len / 4096 : 0;
	struct crypt_auth_op c;
	int r;

	vcd_fill(&ks, aad, g->keylen);	/* skips the key, as sec_gcm */
	vcd_fill(&ks, iv, 12);
	vcd_fill(&ks, aad, g->aadlen);
	memcpy(src, p, g->len);
	gcm_enc_op(&c, ses, g, aad, iv, src, dst);
	c.flags = v >= 2 ? COP_FLAG_NO_ZC : 0;
	r = authcrypt(fd, &c);
	got = dev_stat("data_pages") - p0;
	tap(!r && c.len == g->len + g->taglen && vcd_fnv(dst, c.len) == g->fnv &&
	    c.tag == dst + g->len && p0 >= 0 && got >= pages,
	    "gcm: %u bytes, src +%zu, dst +%zu, %s: as OpenSSL, %lld pages named (want %u): %s",
	    g->len, so, v % 2 ? so : dofs, how[v], got, pages, err(r));
	c.op = COP_DECRYPT;
	c.len = g->len + g->taglen;
	c.src = dst;
	c.dst = v % 2 ? dst : src;
	memset(c.dst, 0, v % 2 ? 0 : g->len);
	r = r ? r : authcrypt(fd, &c);
	tap(!r && c.len == g->len && !memcmp(c.dst, p, g->len),
	    "gcm: and decrypted back: %s", err(r));
}

/*
 * Bounds of the caller's memory: a destination that is read-only, or runs
 * into an unmapped page, and a source that does, all fail with EFAULT
 * whether the driver pins or copies.
 */
static void gcm_faults(int fd)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), len = 4 * pg;
	unsigned char key[16] = { 1 }, iv[12] = { 2 };
	unsigned char *m = mmap(NULL, 3 * len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct crypt_auth_op c;
	uint32_t ses = 0;
	int r, i;

	if (m == MAP_FAILED) {
		tap(0, "gcm: mmap for the fault checks: %s", strerror(errno));
		return;
	}
	/* m: [len rw][len ro][len none] */
	mprotect(m + len, len, PROT_READ);
	mprotect(m + 2 * len, len, PROT_NONE);
	r = sess(fd, CRYPTO_AES_GCM, key, 16, 0, NULL, 0, &ses);
	for (i = 0; i < 2; i++) {
		const char *how = i ? ", no zero copy" : "";

		memset(&c, 0, sizeof(c));
		c.ses = ses;
		c.op = COP_ENCRYPT;
		c.flags = i ? COP_FLAG_NO_ZC : 0;
		c.iv = iv;
		c.len = (uint32_t)(2 * pg - 16);
		c.src = m;
		c.dst = m + len;
		tap(!r && authcrypt(fd, &c) == -EFAULT,
		    "gcm: read-only destination: EFAULT%s", how);
		c.len = (uint32_t)(2 * pg - 16);
		c.src = m + len - pg;	/* runs into the read-only part: fine */
		c.dst = m;
		tap(!r && authcrypt(fd, &c) == 0,
		    "gcm: source across a read-only page: works%s", how);
		c.len = (uint32_t)(2 * pg - 16);
		c.src = m + 2 * len - pg;	/* runs into the unmapped part */
		tap(!r && authcrypt(fd, &c) == -EFAULT,
		    "gcm: source running into an unmapped page: EFAULT%s", how);
		c.len = (uint32_t)(2 * pg - 16);
		c.src = m;
		c.dst = m + len - 100;	/* the rest and the tag: read-only */
		tap(!r && authcrypt(fd, &c) == -EFAULT,
		    "gcm: destination running into a read-only page: EFAULT%s", how);
		c.len = (uint32_t)(2 * pg - 16);
		c.src = m + len + 100;
		c.dst = c.src;		/* in place on read-only memory */
		tap(!r && authcrypt(fd, &c) == -EFAULT,
		    "gcm: in place on read-only memory: EFAULT%s", how);
	}
	ioctl(fd, CIOCFSESSION, &ses);
	munmap(m, 3 * len);
}

static void sec_gcm(void)
{
	unsigned char *p = xalloc(MIB), *o = xalloc(MIB), *x = xalloc(MIB);
	unsigned char key[32], iv[12], aad[4096];
	struct crypt_auth_op c;
	int fd = open_dev(), r;
	uint32_t ses = 0;
	size_t i;

	for (i = 0; i < N(rnd_gcms); i++) {
		const struct rnd_gcm *g = &rnd_gcms[i];
		uint64_t s = g->seed;

		vcd_fill(&s, key, g->keylen);
		vcd_fill(&s, iv, 12);
		vcd_fill(&s, aad, g->aadlen);
		vcd_fill(&s, p, g->len);
		r = sess(fd, CRYPTO_AES_GCM, key, g->keylen, 0, NULL, 0, &ses);
		gcm_enc_op(&c, ses, g, aad, iv, p, o);
		r = r ? r : authcrypt(fd, &c);
		tap(!r && c.len == g->len + g->taglen &&
		    vcd_fnv(o, c.len) == g->fnv,
		    "gcm: AES-%u, %u bytes, aad %u, tag %u: as OpenSSL: %s",
		    g->keylen * 8, g->len, g->aadlen, g->taglen, err(r));
		c.op = COP_DECRYPT;
		c.len = g->len + g->taglen;
		c.src = o;
		c.dst = i % 2 ? o : x;	/* in place, or not */
		r = r ? r : authcrypt(fd, &c);
		tap(!r && c.len == g->len && !memcmp(c.dst, p, g->len),
		    "gcm: decrypted back%s: %s", i % 2 ? " in place" : "", err(r));
		if (!r) {
			memcpy(x, p, g->len);
			c.op = COP_ENCRYPT;
			c.len = g->len;
			c.src = x;
			c.dst = x;
			r = authcrypt(fd, &c);
			x[(g->len + g->taglen) / 2] ^= 0x80;
			c.op = COP_DECRYPT;
			c.len = g->len + g->taglen;
			r = r ? r : authcrypt(fd, &c);
			tap(r == -EBADMSG, "gcm: one bit changed -> EBADMSG (%s)",
			    err(r));
		}
		if (!r || r == -EBADMSG)
			gcm_placed(fd, ses, g, i, p, o);
		ioctl(fd, CIOCFSESSION, &ses);
	}
	gcm_faults(fd);
	close(fd);
	free(p);
	free(o);
	free(x);
}

/* ---- tls and srtp ---- */

static void sec_tls(void)
{
	unsigned char *buf = xalloc(16384 + 128), *p = xalloc(16384);
	unsigned char key[32], mkey[20], iv[16], iv0[16], aad[13];
	struct crypt_auth_op c;
	int fd = open_dev(), r;
	uint32_t ses = 0;
	size_t i;

	for (i = 0; i < N(rnd_tlss); i++) {
		const struct rnd_tls *t = &rnd_tlss[i];
		const struct vcd_algdesc *a = vcd_alg_by_name(t->cipher);
		const struct vcd_macdesc *m = vcd_mac_by_name(t->mac);
		uint64_t s = t->seed;

		vcd_fill(&s, key, a->keylen);
		vcd_fill(&s, mkey, 20);
		vcd_fill(&s, iv0, a->ivlen);
		vcd_fill(&s, aad, 13);
		vcd_fill(&s, p, t->len);
		memcpy(buf, p, t->len);
		memcpy(iv, iv0, sizeof(iv));
		r = sess(fd, a->cop, key, a->keylen, m->cop, mkey, 20, &ses);
		memset(&c, 0, sizeof(c));
		c.ses = ses;
		c.op = COP_ENCRYPT;
		c.flags = COP_FLAG_AEAD_TLS_TYPE;
		c.len = t->len;
		c.auth_src = aad;
		c.auth_len = 13;
		c.src = buf;
		c.dst = buf;
		c.iv = iv;
		r = r ? r : authcrypt(fd, &c);
		tap(!r && c.len == t->total && vcd_fnv(buf, t->total) == t->fnv,
		    "tls: %s + %s, %u bytes -> record of %u as OpenSSL: %s",
		    a->name, m->name, t->len, t->total, err(r));
		memcpy(iv, iv0, sizeof(iv));
		c.op = COP_DECRYPT;
		c.len = t->total;
		r = r ? r : authcrypt(fd, &c);
		tap(!r && c.len == t->len && !memcmp(buf, p, t->len),
		    "tls: record decrypted, padding and MAC checked: %s", err(r));
		if (!r) {
			memcpy(iv, iv0, sizeof(iv));
			c.op = COP_ENCRYPT;
			c.len = t->len;
			r = authcrypt(fd, &c);
			buf[t->len / 2] ^= 4;	/* plaintext or MAC changes */
			memcpy(iv, iv0, sizeof(iv));
			c.op = COP_DECRYPT;
			c.len = t->total;
			r = r ? r : authcrypt(fd, &c);
			tap(r == -EBADMSG, "tls: a changed record -> EBADMSG (%s)",
			    err(r));
		}
		ioctl(fd, CIOCFSESSION, &ses);
	}
	close(fd);
	free(buf);
	free(p);
}

static void sec_srtp(void)
{
	unsigned char *buf = xalloc(8192), *p = xalloc(8192);
	unsigned char key[16], mkey[20], iv[16], iv0[16], tag[64], want[64];
	struct crypt_auth_op c;
	int fd = open_dev(), r;
	uint32_t ses = 0;
	size_t i;

	for (i = 0; i < N(rnd_srtps); i++) {
		const struct rnd_srtp *t = &rnd_srtps[i];
		const struct vcd_macdesc *m = vcd_mac_by_name(t->mac);
		uint64_t s = t->seed;

		vcd_fill(&s, key, 16);
		vcd_fill(&s, mkey, 20);
		vcd_fill(&s, iv0, 16);
		vcd_fill(&s, buf, t->hdr + t->len);
		memcpy(p, buf, t->hdr + t->len);
		unhex(t->tag, want);
		memcpy(iv, iv0, 16);
		r = sess(fd, CRYPTO_AES_CTR, key, 16, m->cop, mkey, 20, &ses);
		memset(&c, 0, sizeof(c));
		c.ses = ses;
		c.op = COP_ENCRYPT;
		c.flags = COP_FLAG_AEAD_SRTP_TYPE;
		c.len = t->len;
		c.auth_src = buf;
		c.auth_len = t->hdr + t->len;
		c.src = buf + t->hdr;
		c.dst = buf + t->hdr;
		c.tag = tag;
		c.tag_len = t->taglen;
		c.iv = iv;
		r = r ? r : authcrypt(fd, &c);
		tap(!r && vcd_fnv(buf + t->hdr, t->len) == t->fnv &&
		    !memcmp(tag, want, t->taglen),
		    "srtp: aes-128-ctr + %s, %u bytes, header %u, tag %u as OpenSSL: %s",
		    m->name, t->len, t->hdr, t->taglen, err(r));
		memcpy(iv, iv0, 16);
		c.op = COP_DECRYPT;
		r = r ? r : authcrypt(fd, &c);
		tap(!r && c.len == t->len && !memcmp(buf, p, t->hdr + t->len),
		    "srtp: tag checked, payload decrypted: %s", err(r));
		if (!r) {
			memcpy(iv, iv0, 16);
			c.op = COP_ENCRYPT;
			r = authcrypt(fd, &c);
			memcpy(p, buf, t->hdr + t->len);
			tag[0] ^= 1;
			memcpy(iv, iv0, 16);
			c.op = COP_DECRYPT;
			r = r ? r : authcrypt(fd, &c);
			tap(r == -EBADMSG && !memcmp(buf, p, t->hdr + t->len),
			    "srtp: a changed tag -> EBADMSG, payload left alone (%s)",
			    err(r));
		}
		ioctl(fd, CIOCFSESSION, &ses);
	}
	close(fd);
	free(buf);
	free(p);
}

/* ---- errors ---- */

static void expect(int r, int want, const char *what)
{
	tap(r == -want, "errors: %s -> %s (got %s)", what,
	    want ? strerror(want) : "success", err(r));
}

static int set_param(const char *name, unsigned long v, unsigned long *old)
{
	char path[128], b[32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/module/virtio_cryptodev/parameters/%s",
		 name);
	f = fopen(path, "r+");
	if (!f)
		return -1;
	if (old && fscanf(f, "%lu", old) != 1)
		*old = 0;
	rewind(f);
	snprintf(b, sizeof(b), "%lu\n", v);
	ok = fputs(b, f) >= 0;
	return fclose(f) || !ok ? -1 : 0;
}

static void sec_errors(void)
{
	unsigned char key[32] = "0123456789abcdef0123456789abcdef", d[64];
	unsigned char *big = xalloc(5 * MIB), buf[512], tag[16], iv[16] = { 0 };
	unsigned char *mk = xalloc(600);
	struct session_info_op info;
	struct crypt_auth_op c;
	int fd = open_dev(), fd2, r;
	uint32_t h = 0, g = 0, cbc = 0, ctr = 0, tls = 0, s2 = 0;
	unsigned long old;

	expect(sess(fd, 0, NULL, 0, CRYPTO_RIPEMD160, NULL, 0, &h), EINVAL,
	       "hash we do not serve (RIPEMD-160)");
	expect(sess(fd, 0, NULL, 0, 9999, NULL, 0, &h), EINVAL, "unknown mac");
	expect(sess(fd, 0, NULL, 0, 0, NULL, 0, &h), EINVAL,
	       "neither cipher nor mac");
	expect(sess(fd, 0, NULL, 0, CRYPTO_SHA2_256_HMAC, mk, 513, &h), EINVAL,
	       "HMAC key of 513 bytes (cryptodev's maximum is 512)");
	expect(sess(fd, 0, NULL, 0, CRYPTO_SHA2_256_HMAC, (void *)8, 20, &h),
	       EFAULT, "HMAC key at a bad address");
	expect(sess(fd, CRYPTO_AES_GCM, key, 17, 0, NULL, 0, &g), EINVAL,
	       "AES-GCM key of 17 bytes");
	expect(sess(fd, 0, NULL, 0, CRYPTO_SHA2_256_HMAC, NULL, 0, &h), 0,
	       "HMAC with an empty key");
	ioctl(fd, CIOCFSESSION, &h);

	r = sess(fd, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &h);
	r = r ? r : sess(fd, CRYPTO_AES_GCM, key, 16, 0, NULL, 0, &g);
	r = r ? r : sess(fd, CRYPTO_AES_CBC, key, 16, CRYPTO_SHA1_HMAC, key, 20, &tls);
	r = r ? r : sess(fd, CRYPTO_AES_CBC, key, 16, 0, NULL, 0, &cbc);
	r = r ? r : sess(fd, CRYPTO_AES_CTR, key, 16, CRYPTO_SHA1_HMAC, key, 20, &ctr);
	tap(!r, "errors: sessions for the checks: %s", err(r));

	memset(&info, 0, sizeof(info));
	info.ses = h;
	r = ioctl(fd, CIOCGSESSINFO, &info) ? -errno : 0;
	tap(!r && !strcmp(info.hash_info.cra_name, "sha256") &&
	    !strncmp(info.hash_info.cra_driver_name, "virtio_cryptodev", 16) &&
	    (info.flags & SIOP_FLAG_KERNEL_DRIVER_ONLY) && !info.cipher_info.cra_name[0],
	    "errors: CIOCGSESSINFO names sha256 / %s", info.hash_info.cra_driver_name);
	info.ses = tls;
	r = ioctl(fd, CIOCGSESSINFO, &info) ? -errno : 0;
	tap(!r && !strcmp(info.hash_info.cra_name, "hmac(sha1)") &&
	    !strcmp(info.cipher_info.cra_name, "cbc(aes)"),
	    "errors: CIOCGSESSINFO of a combined session: cbc(aes) + hmac(sha1)");
	info.ses = g;
	r = ioctl(fd, CIOCGSESSINFO, &info) ? -errno : 0;
	tap(!r && !strcmp(info.cipher_info.cra_name, "gcm(aes)") &&
	    (info.flags & SIOP_FLAG_KERNEL_DRIVER_ONLY),
	    "errors: CIOCGSESSINFO names gcm(aes)");

	expect(hupd(fd, h + 1000, 0, buf, 16, d), EINVAL, "hash of an unknown session");
	expect(hupd(fd, h, 0x80, buf, 16, d), EINVAL, "unknown flag");
	expect(do_crypt(fd, h, 7, 0, buf, NULL, 16, d, NULL), EINVAL, "operation 7");
	expect(hupd(fd, h, 0, buf, 16, (void *)8), EFAULT, "digest to a bad address");
	expect(hupd(fd, h, 0, (void *)8, 16, d), EFAULT, "message at a bad address");
	expect(hupd(fd, h, COP_FLAG_UPDATE, (void *)8, 16, NULL), EFAULT,
	       "update from a bad address");
	expect(do_crypt(fd, g, COP_ENCRYPT, 0, buf, buf, 16, NULL, iv), EINVAL,
	       "CIOCCRYPT on an AES-GCM session");
	expect(do_crypt(fd, tls, COP_ENCRYPT, COP_FLAG_UPDATE, buf, buf, 15, d, iv),
	       EINVAL, "combined CBC session, length not a multiple of 16");

	/* Multi-part bounds. */
	memset(big, 0x5a, 5 * MIB);
	r = 0;
	for (int k = 0; k < 5 && !r; k++)
		r = hupd(fd, h, COP_FLAG_UPDATE, big, MIB, NULL);
	expect(r, EMSGSIZE, "a multi-part message above 4 MiB (hash_max_session)");
	expect(hupd(fd, h, 0, big, 5 * MIB, d), EMSGSIZE, "a one-shot hash of 5 MiB");
	r = set_param("hash_max_file", MIB, &old);
	if (!r) {
		r = sess(fd, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &s2);
		r = r ? r : hupd(fd, h, COP_FLAG_UPDATE | COP_FLAG_RESET, big,
				 600000, NULL);
		r = r ? r : hupd(fd, s2, COP_FLAG_UPDATE, big, 600000, NULL);
		expect(r, ENOBUFS, "two messages above hash_max_file (1 MiB)");
		ioctl(fd, CIOCFSESSION, &s2);
		set_param("hash_max_file", old, NULL);
	} else {
		tap(0, "errors: cannot set hash_max_file");
	}
	r = set_param("hash_max_total", 100000, &old);
	if (!r) {
		r = hupd(fd, h, COP_FLAG_UPDATE | COP_FLAG_RESET, big, 200000, NULL);
		expect(r, ENOBUFS, "a message above hash_max_total");
		set_param("hash_max_total", old, NULL);
	} else {
		tap(0, "errors: cannot set hash_max_total");
	}
	r = hupd(fd, h, COP_FLAG_RESET | COP_FLAG_UPDATE, "ab", 2, NULL);
	r = r ? r : hupd(fd, h, COP_FLAG_FINAL, "c", 1, d);
	unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", buf);
	tap(!r && !memcmp(d, buf, 32), "errors: RESET after a failed update starts afresh: %s",
	    err(r));
	/* COP_FLAG_UPDATE with len 0 finishes the message (cryptodev-linux). */
	r = hupd(fd, h, COP_FLAG_RESET | COP_FLAG_UPDATE, "abc", 3, NULL);
	r = r ? r : hupd(fd, h, COP_FLAG_UPDATE, NULL, 0, d);
	tap(!r && !memcmp(d, buf, 32), "errors: an empty UPDATE returns the digest: %s",
	    err(r));

	/* CIOCCPHASH. */
	expect(cphash(fd, h, h), EDEADLK, "CIOCCPHASH onto itself");
	expect(cphash(fd, h, h + 1000), ENOENT, "CIOCCPHASH from a missing session");
	expect(cphash(fd, h + 1000, h), ENOENT, "CIOCCPHASH to a missing session");
	expect(cphash(fd, h, tls), EINVAL, "CIOCCPHASH between different hashes");
	expect(cphash(fd, g, cbc), EINVAL, "CIOCCPHASH between sessions without a hash");
	expect(ioctl(fd, CIOCCPHASH, (void *)8) ? -errno : 0, EFAULT,
	       "cphash_op at a bad address");
	fd2 = open_dev();
	r = sess(fd2, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &s2);
	expect(r ? r : cphash(fd2, s2, h), ENOENT, "CIOCCPHASH from another file's session");
	close(fd2);

	/* CIOCAUTHCRYPT. */
	memset(&c, 0, sizeof(c));
	c.ses = g;
	c.op = COP_ENCRYPT;
	c.len = 16;
	c.src = buf;
	c.dst = buf;
	c.iv = iv;
	c.ses = g + 1000;
	expect(authcrypt(fd, &c), EINVAL, "CIOCAUTHCRYPT with an unknown session");
	c.ses = h;
	expect(authcrypt(fd, &c), EINVAL, "CIOCAUTHCRYPT on a hash session");
	c.ses = cbc;
	expect(authcrypt(fd, &c), EINVAL, "CIOCAUTHCRYPT, cipher alone, no mode");
	c.ses = g;
	c.tag_len = 17;
	expect(authcrypt(fd, &c), EINVAL, "GCM tag of 17 bytes");
	c.tag_len = 5;
	expect(authcrypt(fd, &c), EINVAL, "GCM tag of 5 bytes");
	c.tag_len = 0;
	c.auth_len = 4097;
	c.auth_src = big;
	expect(authcrypt(fd, &c), EINVAL, "GCM aad above 4096 bytes");
	c.auth_len = 0;
	c.op = COP_DECRYPT;
	c.len = 15;
	expect(authcrypt(fd, &c), EINVAL, "GCM decrypt shorter than the tag");
	c.op = 3;
	expect(authcrypt(fd, &c), EINVAL, "CIOCAUTHCRYPT operation 3");
	c.op = COP_ENCRYPT;
	c.len = 16;
	c.src = (void *)8;
	expect(authcrypt(fd, &c), EFAULT, "GCM source at a bad address");
	c.src = buf;
	c.flags = COP_FLAG_AEAD_TLS_TYPE;
	expect(authcrypt(fd, &c), EINVAL, "TLS mode on an AES-GCM session");
	c.ses = tls;
	c.dst = buf + 64;
	expect(authcrypt(fd, &c), EINVAL, "TLS mode not in place");
	c.dst = buf;
	c.flags = COP_FLAG_AEAD_SRTP_TYPE;
	expect(authcrypt(fd, &c), EINVAL, "SRTP mode on a CBC session");
	c.ses = ctr;
	c.auth_src = buf;
	c.auth_len = 16;
	c.src = buf + 300;
	c.dst = buf + 300;
	expect(authcrypt(fd, &c), EINVAL, "SRTP payload 300 bytes past auth_src");
	c.src = buf;
	c.dst = buf;
	c.tag = tag;
	c.tag_len = 21;
	expect(authcrypt(fd, &c), EINVAL, "SRTP tag longer than HMAC-SHA1");
	c.tag_len = 10;
	c.len = 5;
	c.op = COP_DECRYPT;
	expect(authcrypt(fd, &c), EINVAL,
	       "SRTP decrypt of a payload shorter than the tag (as cryptodev-linux)");
	c.op = COP_ENCRYPT;
	c.len = 16;
	c.flags = COP_FLAG_AEAD_SRTP_TYPE | COP_FLAG_AEAD_TLS_TYPE;
	c.tag_len = 0;
	expect(authcrypt(fd, &c), EINVAL, "TLS and SRTP at once");
	expect(ioctl(fd, CIOCAUTHCRYPT, (void *)8) ? -errno : 0, EFAULT,
	       "crypt_auth_op at a bad address");
	c.ses = tls;
	c.flags = COP_FLAG_AEAD_TLS_TYPE;
	c.op = COP_DECRYPT;
	c.len = 32;
	memset(buf, 0, 64);
	expect(authcrypt(fd, &c), EBADMSG, "TLS record of zeros (bad padding or MAC)");
	close(fd);
	free(big);
	free(mk);
}

/* ---- concurrent: 8 processes x 16 sessions of mixed kinds ---- */

static int child(int id)
{
	const struct rnd_mac *mc[16];
	unsigned char *key = xalloc(256), *msg[16], d[64], want[64];
	unsigned char *o = xalloc(140000), *x = xalloc(140000), gk[32], giv[12];
	uint32_t ses[16] = { 0 };
	uint64_t rs = 0x1000 + (uint64_t)id;
	int fd = open_dev(), bad = 0, round, i;

	for (i = 0; i < 16; i++) {
		/* hashes and HMACs up to 150 KB; every fourth session GCM */
		mc[i] = &rnd_macs[(id * 16 + i * 7) % N(rnd_macs)];
		while (mc[i]->len > 150000)
			mc[i] = &rnd_macs[(mc[i] - rnd_macs + 1) % N(rnd_macs)];
		msg[i] = xalloc(mc[i]->len + 1);
		fill_mac_case(mc[i], key, msg[i]);
		if (i % 4 == 3) {
			memset(gk, i, sizeof(gk));
			bad |= sess(fd, CRYPTO_AES_GCM, gk, 16, 0, NULL, 0, &ses[i]) != 0;
		} else {
			bad |= mac_sess(fd, vcd_mac_by_name(mc[i]->alg), key,
					mc[i]->keylen, &ses[i]) != 0;
		}
	}
	for (round = 0; round < 2 && !bad; round++) {
		size_t off[16] = { 0 };
		int busy = 1;

		/* Interleave the sessions' updates. */
		while (busy && !bad) {
			busy = 0;
			for (i = 0; i < 16; i++) {
				size_t k;

				if (i % 4 == 3 || off[i] >= mc[i]->len)
					continue;
				k = vcd_rand(&rs) % 70000 + 1;
				if (k > mc[i]->len - off[i])
					k = mc[i]->len - off[i];
				bad |= hupd(fd, ses[i], off[i] ? COP_FLAG_UPDATE :
					    COP_FLAG_UPDATE | COP_FLAG_RESET,
					    msg[i] + off[i], k, NULL) != 0;
				off[i] += k;
				busy = 1;
			}
		}
		for (i = 0; i < 16 && !bad; i++) {
			struct crypt_auth_op c;

			if (i % 4 != 3) {
				bad |= hupd(fd, ses[i], COP_FLAG_FINAL, NULL, 0, d) != 0;
				unhex(mc[i]->out, want);
				bad |= memcmp(d, want, vcd_mac_by_name(mc[i]->alg)->dlen) != 0;
				continue;
			}
			memset(giv, round, sizeof(giv));
			memset(&c, 0, sizeof(c));
			c.ses = ses[i];
			c.op = COP_ENCRYPT;
			c.len = 131072;
			c.src = o;
			c.dst = x;
			c.iv = giv;
			bad |= authcrypt(fd, &c) != 0;
			c.op = COP_DECRYPT;
			c.len = 131072 + 16;
			c.src = x;
			c.dst = x;
			bad |= authcrypt(fd, &c) != 0 || memcmp(x, o, 131072) != 0;
		}
	}
	close(fd);
	return bad;
}

static void sec_concurrent(void)
{
	pid_t pids[8];
	int i, st;

	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(child(i));
	}
	for (i = 0; i < 8; i++) {
		if (waitpid(pids[i], &st, 0) < 0)
			st = -1;
		tap(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "concurrent: process %d of 8, 16 mixed sessions, 2 rounds", i);
	}
}

/* ---- shared: unkeyed hash sessions share the device's ---- */

/*
 * 200 sessions of SHA-256 and SHA-1 by turns, each opened, used once and
 * closed (as OpenSSL's engine does per digest), cost at most one device
 * session per hash; HMAC sessions (keyed) one each.  Session numbers and
 * CIOCGSESSINFO stay per session.
 */
static void sec_shared(void)
{
	static const char *const want[] = {
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"a9993e364706816aba3e25717850c26c9cd0d89d",
	};
	static const unsigned int cops[] = { CRYPTO_SHA2_256, CRYPTO_SHA1 };
	unsigned char w[2][32], d[64], key[20] = { 0x0b };
	long long c0 = dev_stat("device_session_creates"), c1, c2;
	long long ds0 = dev_stat("device_sessions");
	struct session_info_op info;
	int fd = open_dev(), i, bad = 0, r;
	uint32_t ses = 0, ses2 = 0;

	unhex(want[0], w[0]);
	unhex(want[1], w[1]);
	for (i = 0; i < 200; i++) {
		r = sess(fd, 0, NULL, 0, cops[i % 2], NULL, 0, &ses);
		if (!r)
			r = hupd(fd, ses, 0, "abc", 3, d);
		bad += r || memcmp(d, w[i % 2], i % 2 ? 20 : 32);
		ioctl(fd, CIOCFSESSION, &ses);
	}
	c1 = dev_stat("device_session_creates");
	tap(c0 >= 0 && !bad && c1 - c0 <= 2,
	    "shared: 200 SHA-256 and SHA-1 sessions, one digest each, all right (%d wrong): %lld device sessions created",
	    bad, c1 - c0);
	tap(dev_stat("shared_sessions") >= 2 &&
	    dev_stat("device_sessions") == ds0,
	    "shared: held as shared sessions (%lld), not per session (%lld)",
	    dev_stat("shared_sessions"), dev_stat("device_sessions"));

	r = sess(fd, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &ses);
	r = r ? r : sess(fd, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &ses2);
	memset(&info, 0, sizeof(info));
	info.ses = ses2;
	r = r ? r : (ioctl(fd, CIOCGSESSINFO, &info) ? -errno : 0);
	tap(!r && ses != ses2 && !strcmp(info.hash_info.cra_name, "sha256") &&
	    (info.flags & SIOP_FLAG_KERNEL_DRIVER_ONLY),
	    "shared: two SHA-256 sessions at once have their own numbers and info: %s",
	    err(r));
	r = hupd(fd, ses, COP_FLAG_UPDATE | COP_FLAG_RESET, "a", 1, NULL);
	r = r ? r : hupd(fd, ses2, 0, "abc", 3, d);
	bad = r || memcmp(d, w[0], 32);
	r = r ? r : hupd(fd, ses, COP_FLAG_FINAL, "bc", 2, d);
	tap(!r && !bad && !memcmp(d, w[0], 32),
	    "shared: a multi-part hash and a one-shot one interleaved: %s",
	    err(r));
	ioctl(fd, CIOCFSESSION, &ses);
	ioctl(fd, CIOCFSESSION, &ses2);
	r = ioctl(fd, CIOCFSESSION, &ses) ? -errno : 0;
	tap(r == -EINVAL, "shared: a closed session is unknown: %s", err(r));

	for (i = 0; i < 3; i++) {
		r = sess(fd, 0, NULL, 0, CRYPTO_SHA1_HMAC, key, 20, &ses);
		r = r ? r : hupd(fd, ses, 0, "Hi There", 8, d);
		ioctl(fd, CIOCFSESSION, &ses);
		if (r)
			break;
	}
	c2 = dev_stat("device_session_creates");
	tap(!r && c2 - c1 == 3 && dev_stat("device_sessions") == ds0,
	    "shared: HMAC sessions are not shared: 3 created and destroyed (%lld): %s",
	    c2 - c1, err(r));
	close(fd);
}

/* ---- numbers: session numbers ---- */

/*
 * A session per digest, as OpenSSL's engine opens them, reuses its place
 * in the driver's table, never its number: a closed session's number stays
 * unknown (EINVAL) and none is 0.  65,535 sessions may be open in one
 * file; the next one gets ENOSPC, and one closed makes room again.
 */
static void sec_numbers(void)
{
	const size_t max = 65535;
	uint32_t keep = 0, old = 0, ses = 0, *all = calloc(max + 1, sizeof(*all));
	unsigned char d[32];
	int fd = open_dev(), r, same = 0, zero = 0, i;
	size_t n;

	if (!all) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	r = sess(fd, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &keep);
	r = r ? r : sess(fd, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &old);
	if (!r)
		ioctl(fd, CIOCFSESSION, &old);
	for (i = 0; i < 100 && !r; i++) {
		r = sess(fd, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &ses);
		r = r ? r : hupd(fd, ses, 0, "abc", 3, d);
		same += ses == old || ses == keep;
		zero += !ses;
		ioctl(fd, CIOCFSESSION, &ses);
	}
	tap(!r && !same && !zero,
	    "numbers: 100 sessions opened and closed in turn, each with a number of its own (%d reused, %d zero): %s",
	    same, zero, err(r));
	r = hupd(fd, old, 0, "abc", 3, d);
	tap(r == -EINVAL, "numbers: a closed session's number is unknown: %s", err(r));
	r = ioctl(fd, CIOCFSESSION, &old) ? -errno : 0;
	tap(r == -EINVAL, "numbers: CIOCFSESSION of it too: %s", err(r));
	r = hupd(fd, keep, 0, "abc", 3, d);
	tap(!r, "numbers: the session kept open throughout still works: %s", err(r));
	ioctl(fd, CIOCFSESSION, &keep);

	for (n = 0, r = 0; n <= max; n++) {
		r = sess(fd, 0, NULL, 0, CRYPTO_SHA1, NULL, 0, &all[n]);
		if (r)
			break;
	}
	tap(n == max && r == -ENOSPC,
	    "numbers: %zu sessions open in one file, the next refused: %s", n, err(r));
	if (n) {
		ioctl(fd, CIOCFSESSION, &all[n / 2]);
		r = sess(fd, 0, NULL, 0, CRYPTO_SHA1, NULL, 0, &ses);
		r = r ? r : hupd(fd, ses, 0, "abc", 3, d);
		tap(!r && ses != all[n / 2],
		    "numbers: one closed makes room for another, with a new number: %s",
		    err(r));
	}
	close(fd);
	free(all);
}

/* ---- helpers for the unload and unplug scenarios ---- */

static int hold(int n)
{
	unsigned char *b = xalloc(100000);
	int fd = open_dev(), i;
	uint32_t ses = 0;

	for (i = 0; i < n; i++)
		if (sess(fd, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &ses) ||
		    hupd(fd, ses, COP_FLAG_UPDATE, b, 100000, NULL))
			return 1;
	printf("held\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int unplug(void)
{
	unsigned char *b = xalloc(65536), d[64];
	int fd = open_dev(), r1, r2;
	uint32_t ses = 0;

	if (sess(fd, 0, NULL, 0, CRYPTO_SHA2_256, NULL, 0, &ses) ||
	    hupd(fd, ses, COP_FLAG_UPDATE, b, 65536, NULL))
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (access("/tmp/unplugged", F_OK))
		usleep(100000);
	r1 = hupd(fd, ses, COP_FLAG_UPDATE, b, 65536, NULL);
	r2 = hupd(fd, ses, COP_FLAG_FINAL, b, 16, d);
	printf("after unplug: update %s, final %s\n", err(r1), err(r2));
	close(fd);
	return r1 == -ENODEV && r2 == -ENODEV ? 0 : 2;
}

static int digest(char **algs, int n)
{
	unsigned char d[64];
	int fd = open_dev(), i, j, r = 0;
	uint32_t ses = 0;

	for (i = 0; i < n && !r; i++) {
		const struct vcd_macdesc *m = vcd_mac_by_name(algs[i]);

		if (!m || m->hmac)
			return 2;
		r = mac_sess(fd, m, NULL, 0, &ses);
		if (!r)
			r = hupd(fd, ses, 0, "abc", 3, d);
		printf("%s: ", m->name);
		for (j = 0; !r && j < (int)m->dlen; j++)
			printf("%02x", d[j]);
		printf("%s\n", r ? err(r) : "");
		ioctl(fd, CIOCFSESSION, &ses);
	}
	close(fd);
	return r ? 1 : 0;
}

static int notsupp(void)
{
	unsigned char d[64];
	int fd = open_dev(), r;
	uint32_t ses = 0;

	r = sess(fd, 0, NULL, 0, CRYPTO_SHA1, NULL, 0, &ses);
	if (!r)
		r = hupd(fd, ses, 0, "abc", 3, d);
	printf("SHA-1 on this device: %s\n", err(r));
	close(fd);
	return r == -EINVAL || r == -EOPNOTSUPP ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const char *const secs[] = { "kat", "random", "cphash", "combined",
					    "gcm", "tls", "srtp", "errors",
					    "concurrent", "shared", "numbers" };
	static void (*const fns[])(void) = { sec_kat, sec_random, sec_cphash,
					     sec_combined, sec_gcm, sec_tls,
					     sec_srtp, sec_errors, sec_concurrent,
					     sec_shared, sec_numbers };
	int i, j, opt, all;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt == 'd')
			devpath = optarg;
		else
			return 2;
	}
	if (optind < argc && !strcmp(argv[optind], "hold"))
		return hold(optind + 1 < argc ? atoi(argv[optind + 1]) : 4);
	if (optind < argc && !strcmp(argv[optind], "unplug"))
		return unplug();
	if (optind < argc && !strcmp(argv[optind], "digest"))
		return digest(argv + optind + 1, argc - optind - 1);
	if (optind < argc && !strcmp(argv[optind], "notsupp"))
		return notsupp();
	all = optind == argc;
	for (i = 0; i < (int)N(secs); i++) {
		int run = all;

		for (j = optind; j < argc; j++)
			run |= !strcmp(argv[j], secs[i]);
		if (!run)
			continue;
		printf("# section %s\n", secs[i]);
		fflush(stdout);
		fns[i]();
	}
	printf("1..%d\n", tapn);
	printf("# %d passed, %d failed\n", tapn - nfail, nfail);
	return nfail ? 1 : 0;
}
