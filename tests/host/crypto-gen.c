// SPDX-License-Identifier: MIT
/*
 * crypto-gen: host side of the guest crypto tests.
 *
 *   crypto-gen OUT.h VECTORS.txt...
 *
 * Checks every known-answer record against OpenSSL (a transcription error
 * fails here, not in the guest), then writes OUT.h: the known-answer records
 * and a list of random cases.  A random case names an algorithm, a length,
 * a seed and buffer offsets; the guest regenerates key, IV and plaintext
 * from the seed and must produce a ciphertext whose hash, and a next IV,
 * equal what OpenSSL produced here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include "../../user/crypto/vcd-common.h"

#define MAXLEN (1u << 20)

static unsigned char *buf_in, *buf_out;

static void die(const char *msg, const char *ctx)
{
	fprintf(stderr, "crypto-gen: %s%s%s\n", msg, ctx ? ": " : "", ctx ? ctx : "");
	exit(1);
}

/*
 * Encrypt (or decrypt) with OpenSSL; *next gets the IV a chained call would
 * use.  Known answers are checked by decryption because OpenSSL refuses to
 * encrypt with the equal XTS key halves of IEEE 1619's first vector.
 */
static void ossl(const struct vcd_algdesc *a, const unsigned char *key,
		 const unsigned char *iv, const unsigned char *in, size_t len,
		 unsigned char *out, unsigned char *next, int enc)
{
	const EVP_CIPHER *c = EVP_get_cipherbyname(a->name);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n1 = 0, n2 = 0;

	if (!c || !ctx)
		die("OpenSSL lacks", a->name);
	if (!EVP_CipherInit_ex(ctx, c, NULL, key, a->ivlen ? iv : NULL, enc) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
	    !EVP_CipherUpdate(ctx, out, &n1, in, (int)len) ||
	    !EVP_CipherFinal_ex(ctx, out + n1, &n2) || (size_t)(n1 + n2) != len) {
		ERR_print_errors_fp(stderr);
		die("OpenSSL encryption failed", a->name);
	}
	if (next) {
		memset(next, 0, 16);
		if (a->chained_iv &&
		    !EVP_CIPHER_CTX_get_updated_iv(ctx, next, a->ivlen))
			die("no updated IV", a->name);
	}
	EVP_CIPHER_CTX_free(ctx);
}

static size_t unhex(const char *s, unsigned char *out, size_t max, const char *what)
{
	size_t n = 0;

	if (s[0] == '-')
		return 0;
	while (isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1])) {
		unsigned int v;

		if (n == max)
			die("field too long", what);
		sscanf(s, "%2x", &v);
		out[n++] = (unsigned char)v;
		s += 2;
	}
	if (*s && !isspace((unsigned char)*s))
		die("bad hex", what);
	return n;
}

static void emit_bytes(FILE *o, const unsigned char *p, size_t n)
{
	size_t i;

	fputc('"', o);
	for (i = 0; i < n; i++) {
		fprintf(o, "\\x%02x", p[i]);
		if (i % 32 == 31 && i + 1 < n)
			fputs("\"\n\t  \"", o);
	}
	fputc('"', o);
}

static int kat_count;

static void do_kat_file(FILE *o, const char *path)
{
	static unsigned char key[64], iv[16], pt[4096], ct[4096], out[4096];
	size_t keylen = 0, ivlen = 0, ptlen = 0, ctlen = 0;
	const struct vcd_algdesc *a = NULL;
	char line[16384], where[512];
	FILE *f = fopen(path, "r");
	int lineno = 0;

	if (!f)
		die("cannot open", path);
	while (fgets(line, sizeof(line), f)) {
		char *v = line;

		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		while (*v && !isspace((unsigned char)*v))
			v++;
		if (*v)
			*v++ = 0;
		while (isspace((unsigned char)*v))
			v++;
		if (!line[0] || line[0] == '#')
			continue;
		if (!strcmp(line, "alg")) {
			v[strcspn(v, " \t\n")] = 0;
			a = vcd_alg_by_name(v);
			if (!a)
				die("unknown algorithm", where);
		} else if (!strcmp(line, "key")) {
			keylen = unhex(v, key, sizeof(key), where);
		} else if (!strcmp(line, "iv")) {
			ivlen = unhex(v, iv, sizeof(iv), where);
		} else if (!strcmp(line, "pt")) {
			ptlen = unhex(v, pt, sizeof(pt), where);
		} else if (!strcmp(line, "ct")) {
			ctlen = unhex(v, ct, sizeof(ct), where);
		} else if (!strcmp(line, "end")) {
			if (!a || keylen != a->keylen || ivlen != a->ivlen ||
			    ptlen != ctlen || !ptlen)
				die("incomplete record", where);
			ossl(a, key, iv, ct, ctlen, out, NULL, 0);
			if (memcmp(out, pt, ptlen))
				die("OpenSSL disagrees with the vector", where);
			fprintf(o, "\t{ \"%s\", \"%s\", %zu,\n\t  ", a->name, where, ptlen);
			emit_bytes(o, key, keylen);
			fputs(",\n\t  ", o);
			emit_bytes(o, iv, ivlen);
			fputs(",\n\t  ", o);
			emit_bytes(o, pt, ptlen);
			fputs(",\n\t  ", o);
			emit_bytes(o, ct, ctlen);
			fputs(" },\n", o);
			kat_count++;
			a = NULL;
			keylen = ivlen = ptlen = ctlen = 0;
		} else {
			die("unknown field", where);
		}
	}
	fclose(f);
}

/* Lengths for the random cases; each is cut to the algorithm's unit. */
static const size_t sizes[] = {
	1, 15, 16, 17, 48, 1000, 4096, 4097, 65536, 65552, 262144, 1048575,
	1048576,
};

static void do_random(FILE *o)
{
	unsigned char key[64], iv[16], next[16];
	unsigned int n = 0;
	size_t i, k;

	fputs("static const struct rnd_case rnd_cases[] = {\n", o);
	for (i = 0; i < VCD_NALGS; i++) {
		const struct vcd_algdesc *a = &vcd_algdescs[i];

		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t len = sizes[k] / a->blk * a->blk;
			uint64_t seed = 0x9e3779b97f4a7c15ULL * (n + 1), s = seed;
			unsigned int so = vcd_offsets[n % VCD_NOFFSETS];
			unsigned int dof = vcd_offsets[(n / 2 + 3) % VCD_NOFFSETS];
			int inplace = n % 3 == 0;

			if (!len || (k && len == sizes[k - 1] / a->blk * a->blk))
				continue;
			/* One XTS data unit per call; keep it within any device. */
			if (a->cop == 22 && len > 65536)
				continue;
			vcd_fill(&s, key, a->keylen);
			vcd_fill(&s, iv, a->ivlen);
			vcd_fill(&s, buf_in, len);
			ossl(a, key, iv, buf_in, len, buf_out, next, 1);
			fprintf(o, "\t{ %zu, %zu, 0x%016llxULL, %u, %u, %d, 0x%016llxULL,\n\t  ",
				i, len, (unsigned long long)seed, so, dof, inplace,
				(unsigned long long)vcd_fnv(buf_out, len));
			emit_bytes(o, next, 16);
			fputs(" },\n", o);
			n++;
		}
	}
	fputs("};\n", o);
}

int main(int argc, char **argv)
{
	FILE *o;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: crypto-gen OUT.h VECTORS.txt...\n");
		return 2;
	}
	buf_in = malloc(MAXLEN);
	buf_out = malloc(MAXLEN + 32);
	if (!buf_in || !buf_out)
		die("out of memory", NULL);
	o = fopen(argv[1], "w");
	if (!o)
		die("cannot write", argv[1]);
	fputs("/* Generated by tests/host/crypto-gen; do not edit. */\n"
	      "struct kat {\n\tconst char *alg, *where;\n\tunsigned int len;\n"
	      "\tconst char *key, *iv, *pt, *ct;\n};\n"
	      "struct rnd_case {\n\tunsigned int alg;\n\tunsigned int len;\n"
	      "\tunsigned long long seed;\n\tunsigned int src_off, dst_off;\n"
	      "\tint inplace;\n\tunsigned long long ct_hash;\n"
	      "\tconst char *next_iv;\n};\n"
	      "static const struct kat kats[] = {\n", o);
	for (i = 2; i < argc; i++)
		do_kat_file(o, argv[i]);
	fputs("};\n", o);
	do_random(o);
	if (fclose(o))
		die("write failed", argv[1]);
	fprintf(stderr, "crypto-gen: %d known-answer records checked against OpenSSL\n",
		kat_count);
	return 0;
}
