// SPDX-License-Identifier: MIT
/*
 * crypto-auth-gen: host side of the guest hash, HMAC and AEAD tests.
 *
 *   crypto-auth-gen OUT.h auth-kat.vec
 *
 * Checks every known answer of auth-kat.vec against OpenSSL, then writes
 * OUT.h for user/crypto/crypto-auth.c: the known answers, and random cases
 * (hash/HMAC messages of 0 B .. 1 MiB, AES-GCM, cryptodev's TLS and SRTP
 * modes) whose inputs the guest regenerates from a seed and whose results
 * OpenSSL computed here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/err.h>
#include "../../user/crypto/vcd-common.h"

#define MAXLEN ((1u << 20) + 64)

static FILE *out;

static void die(const char *msg, const char *ctx)
{
	fprintf(stderr, "crypto-auth-gen: %s%s%s\n", msg, ctx ? ": " : "",
		ctx ? ctx : "");
	ERR_print_errors_fp(stderr);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory", NULL);
	return p;
}

/* Hex (or "-": empty, "aN": N times 'a') to bytes; returns the length. */
static size_t unhex(const char *h, unsigned char *b, size_t max)
{
	size_t n = 0;

	if (!strcmp(h, "-"))
		return 0;
	if (h[0] == 'a' && h[1] && strspn(h + 1, "0123456789") == strlen(h + 1)) {
		n = strtoul(h + 1, NULL, 10);
		if (n > max)
			die("too long", h);
		memset(b, 'a', n);
		return n;
	}
	for (; h[0] && h[1]; h += 2) {
		unsigned int v;

		if (n >= max || sscanf(h, "%2x", &v) != 1)
			die("bad hex", h);
		b[n++] = (unsigned char)v;
	}
	return n;
}

static void hex(const unsigned char *b, size_t n)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < n; i++)
		fprintf(out, "%02x", b[i]);
	fputc('"', out);
}

static unsigned int mac(const struct vcd_macdesc *m, const unsigned char *key,
			size_t klen, const unsigned char *msg, size_t len,
			unsigned char *d)
{
	const EVP_MD *md = EVP_get_digestbyname(m->md);
	unsigned int dl = 0;

	if (!md)
		die("OpenSSL lacks", m->md);
	if (m->hmac) {
		static const unsigned char none[1];

		if (!HMAC(md, klen ? key : none, (int)klen, msg, len, d, &dl))
			die("HMAC failed", m->name);
	} else if (!EVP_Digest(msg, len, d, &dl, md, NULL)) {
		die("digest failed", m->name);
	}
	return dl;
}

static void cipher(const char *name, const unsigned char *key,
		   const unsigned char *iv, const unsigned char *in, size_t len,
		   unsigned char *o)
{
	const EVP_CIPHER *c = EVP_get_cipherbyname(name);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n1 = 0, n2 = 0;

	if (!c || !ctx ||
	    !EVP_EncryptInit_ex(ctx, c, NULL, key, iv) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
	    !EVP_EncryptUpdate(ctx, o, &n1, in, (int)len) ||
	    !EVP_EncryptFinal_ex(ctx, o + n1, &n2) || (size_t)(n1 + n2) != len)
		die("encryption failed", name);
	EVP_CIPHER_CTX_free(ctx);
}

/* AES-GCM with a 12-byte IV; o gets ciphertext then the 16-byte tag. */
static void gcm(const unsigned char *key, size_t klen, const unsigned char *iv,
		const unsigned char *aad, size_t alen, const unsigned char *p,
		size_t len, unsigned char *o)
{
	const EVP_CIPHER *c = klen == 16 ? EVP_aes_128_gcm() :
			      klen == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;

	if (!ctx || !EVP_EncryptInit_ex(ctx, c, NULL, key, iv) ||
	    (alen && !EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)alen)) ||
	    (len && !EVP_EncryptUpdate(ctx, o, &n, p, (int)len)) ||
	    !EVP_EncryptFinal_ex(ctx, o + len, &n) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, o + len))
		die("GCM failed", NULL);
	EVP_CIPHER_CTX_free(ctx);
}

static unsigned char *b1, *b2, *b3, *b4;

static void kats(const char *path)
{
	char line[4096], *f[8];
	FILE *in = fopen(path, "r");
	unsigned char d[64];
	int nh = 0, ng = 0, i;

	if (!in)
		die("cannot open", path);
	fprintf(out, "static const struct kat_mac kat_macs[] = {\n");
	while (fgets(line, sizeof(line), in)) {
		char *save = NULL, *t = strtok_r(line, " \n", &save);
		const struct vcd_macdesc *m;
		size_t kl = 0, ml, dl;
		char nm[32];

		if (!t || t[0] == '#' || !strcmp(t, "gcm"))
			continue;
		for (i = 0; i < 4 && (f[i] = strtok_r(NULL, " \n", &save)); i++)
			;
		snprintf(nm, sizeof(nm), "%s%s", strcmp(t, "hmac") ? "" :
			 "hmac-", f[0]);
		m = vcd_mac_by_name(nm);
		if (!m || i != (m->hmac ? 4 : 3))
			die("bad record", nm);
		if (m->hmac)
			kl = unhex(f[1], b1, MAXLEN);
		ml = unhex(f[m->hmac ? 2 : 1], b2, MAXLEN);
		dl = unhex(f[m->hmac ? 3 : 2], b3, 64);
		if (mac(m, b1, kl, b2, ml, d) != dl || memcmp(d, b3, dl))
			die("known answer disagrees with OpenSSL", nm);
		fprintf(out, "\t{ \"%s\", ", nm);
		hex(b1, kl);
		fprintf(out, ", \"%s\", ", f[m->hmac ? 2 : 1]);
		hex(d, dl);
		fprintf(out, " },\n");
		nh++;
	}
	fprintf(out, "};\n\nstatic const struct kat_gcm kat_gcms[] = {\n");
	rewind(in);
	while (fgets(line, sizeof(line), in)) {
		char *save = NULL, *t = strtok_r(line, " \n", &save);
		size_t kl, il, al, pl, cl, tl;

		if (!t || strcmp(t, "gcm"))
			continue;
		for (i = 0; i < 6 && (f[i] = strtok_r(NULL, " \n", &save)); i++)
			;
		if (i != 6)
			die("bad gcm record", NULL);
		kl = unhex(f[0], b1, 32);
		il = unhex(f[1], d, 12);
		al = unhex(f[2], b4, MAXLEN);
		pl = unhex(f[3], b2, MAXLEN);
		cl = unhex(f[4], b3, MAXLEN);
		tl = unhex(f[5], b3 + cl, 16);
		if (il != 12 || cl != pl || tl != 16)
			die("bad gcm lengths", f[0]);
		gcm(b1, kl, d, b4, al, b2, pl, b2 + MAXLEN / 2);
		if (memcmp(b2 + MAXLEN / 2, b3, cl + 16))
			die("GCM known answer disagrees with OpenSSL", f[4]);
		fprintf(out, "\t{ \"%s\", \"%s\", \"%s\", \"%s\", \"%s\", \"%s\" },\n",
			f[0], f[1], f[2], f[3], f[4], f[5]);
		ng++;
	}
	fprintf(out, "};\n\n");
	fclose(in);
	fprintf(stderr, "crypto-auth-gen: %d hash/HMAC and %d GCM known answers checked against OpenSSL\n",
		nh, ng);
}

/* Random hash/HMAC messages: lengths at block edges, large and random. */
static void rnd_macs(void)
{
	static const unsigned int lens[] = { 0, 1, 55, 56, 64, 65, 1000, 4113,
					     65536, 200003 };
	static const unsigned int klens[] = { 0, 1, 20, 64, 65, 131 };
	uint64_t r = 0x5eed, s;
	unsigned char d[64];
	unsigned int i, j, n = 0;

	fprintf(out, "static const struct rnd_mac rnd_macs[] = {\n");
	for (i = 0; i < VCD_NMACS; i++) {
		const struct vcd_macdesc *m = &vcd_macdescs[i];

		for (j = 0; j < sizeof(lens) / sizeof(lens[0]) + 2; j++) {
			unsigned int len, kl = m->hmac ? klens[(i + j) % 6] : 0;
			uint64_t seed = vcd_rand(&r);

			if (j < sizeof(lens) / sizeof(lens[0]))
				len = lens[j];
			else if (j == sizeof(lens) / sizeof(lens[0]))
				len = (i % 3 == 0) ? 1u << 20 : vcd_rand(&r) % 300000;
			else
				len = vcd_rand(&r) % (1u << 20);
			s = seed;
			vcd_fill(&s, b1, kl);
			vcd_fill(&s, b2, len);
			mac(m, b1, kl, b2, len, d);
			fprintf(out, "\t{ \"%s\", %#llxULL, %u, %u, ", m->name,
				(unsigned long long)seed, kl, len);
			hex(d, m->dlen);
			fprintf(out, " },\n");
			n++;
		}
	}
	fprintf(out, "};\n\n");
	fprintf(stderr, "crypto-auth-gen: %u random hash/HMAC cases\n", n);
}

static void rnd_gcms(void)
{
	static const unsigned int lens[] = { 0, 1, 15, 16, 17, 255, 1000, 4096,
					     65536, 131071 };
	static const unsigned int alens[] = { 0, 13, 20, 4096, 1 };
	static const unsigned int tlens[] = { 16, 12, 8, 4, 13, 14, 15 };
	uint64_t r = 0x6c3d, s;
	unsigned int i;

	fprintf(out, "static const struct rnd_gcm rnd_gcms[] = {\n");
	for (i = 0; i < 21; i++) {
		unsigned int kl = 16 + 8 * (i % 3);
		unsigned int len = i < 10 ? lens[i] : vcd_rand(&r) % 70000;
		unsigned int al = alens[i % 5], tl = tlens[i % 7];
		uint64_t seed = vcd_rand(&r);

		s = seed;
		vcd_fill(&s, b1, kl);
		vcd_fill(&s, b1 + 32, 12);
		vcd_fill(&s, b4, al);
		vcd_fill(&s, b2, len);
		gcm(b1, kl, b1 + 32, b4, al, b2, len, b3);
		fprintf(out, "\t{ %#llxULL, %u, %u, %u, %u, %#llxULL },\n",
			(unsigned long long)seed, kl, len, al, tl,
			(unsigned long long)vcd_fnv(b3, len + tl));
	}
	fprintf(out, "};\n\n");
}

/*
 * cryptodev's TLS mode: MAC over aad || plaintext, then plaintext || MAC
 * || padding (each pad byte = pad length - 1) encrypted with CBC.
 */
static void rnd_tls(void)
{
	static const unsigned int lens[] = { 0, 1, 15, 16, 100, 1000, 16384, 777 };
	static const char *const suites[][3] = {
		{ "aes-128-cbc", "hmac-sha1", "16" },
		{ "aes-256-cbc", "hmac-sha256", "32" },
		{ "des-ede3-cbc", "hmac-sha1", "24" },
	};
	uint64_t r = 0x71c5, s;
	unsigned int i;

	fprintf(out, "static const struct rnd_tls rnd_tlss[] = {\n");
	for (i = 0; i < 8; i++) {
		const char *const *su = suites[i % 3];
		const struct vcd_macdesc *m = vcd_mac_by_name(su[1]);
		const struct vcd_algdesc *a = vcd_alg_by_name(su[0]);
		unsigned int len = lens[i], kl = (unsigned int)atoi(su[2]);
		unsigned int bs = a->blk, pad, total;
		uint64_t seed = vcd_rand(&r);
		unsigned char d[64];

		s = seed;
		vcd_fill(&s, b1, kl);		/* cipher key */
		vcd_fill(&s, b1 + 64, 20);	/* mac key */
		vcd_fill(&s, b1 + 128, a->ivlen);
		vcd_fill(&s, b4, 13);		/* aad */
		vcd_fill(&s, b4 + 13, len);
		mac(m, b1 + 64, 20, b4, 13 + len, d);
		memcpy(b2, b4 + 13, len);
		memcpy(b2 + len, d, m->dlen);
		pad = bs - (len + m->dlen) % bs;
		memset(b2 + len + m->dlen, (int)pad - 1, pad);
		total = len + m->dlen + pad;
		cipher(a->name, b1, b1 + 128, b2, total, b3);
		fprintf(out, "\t{ \"%s\", \"%s\", %#llxULL, %u, %u, %#llxULL },\n",
			su[0], su[1], (unsigned long long)seed, len, total,
			(unsigned long long)vcd_fnv(b3, total));
	}
	fprintf(out, "};\n\n");
}

/*
 * cryptodev's SRTP mode: payload encrypted with AES-CTR in place, then
 * the MAC over header || encrypted payload, truncated to the tag.
 */
static void rnd_srtp(void)
{
	/* cryptodev-linux refuses a decrypt with a payload shorter than the tag */
	static const unsigned int lens[] = { 10, 16, 160, 1000, 4000, 33 };
	uint64_t r = 0x5a7b, s;
	unsigned int i;

	fprintf(out, "static const struct rnd_srtp rnd_srtps[] = {\n");
	for (i = 0; i < 6; i++) {
		const struct vcd_macdesc *m = vcd_mac_by_name(i % 2 ? "hmac-sha256" :
							      "hmac-sha1");
		unsigned int len = lens[i], hl = 12 + 4 * (i % 3), tl = 10;
		uint64_t seed = vcd_rand(&r);
		unsigned char d[64];

		s = seed;
		vcd_fill(&s, b1, 16);		/* cipher key */
		vcd_fill(&s, b1 + 64, 20);	/* mac key */
		vcd_fill(&s, b1 + 128, 16);	/* counter block */
		vcd_fill(&s, b4, hl + len);	/* header, payload */
		cipher("aes-128-ctr", b1, b1 + 128, b4 + hl, len, b2);
		memcpy(b4 + hl, b2, len);
		mac(m, b1 + 64, 20, b4, hl + len, d);
		fprintf(out, "\t{ \"%s\", %#llxULL, %u, %u, %u, %#llxULL, ",
			m->name, (unsigned long long)seed, hl, len, tl,
			(unsigned long long)vcd_fnv(b2, len));
		hex(d, tl);
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n");
}

int main(int argc, char **argv)
{
	if (argc != 3)
		die("usage: crypto-auth-gen OUT.h auth-kat.vec", NULL);
	b1 = xmalloc(MAXLEN);
	b2 = xmalloc(MAXLEN);
	b3 = xmalloc(MAXLEN);
	b4 = xmalloc(MAXLEN);
	out = fopen(argv[1], "w");
	if (!out)
		die("cannot write", argv[1]);
	fprintf(out, "/* Generated by tests/host/crypto-auth-gen.c: do not edit. */\n\n");
	kats(argv[2]);
	rnd_macs();
	rnd_gcms();
	rnd_tls();
	rnd_srtp();
	if (fclose(out))
		die("cannot write", argv[1]);
	return 0;
}
