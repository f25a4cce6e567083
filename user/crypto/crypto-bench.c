// SPDX-License-Identifier: MIT
/*
 * crypto-bench: throughput through /dev/crypto of AES-128-CBC encryption,
 * or with -a of SHA-256, HMAC-SHA256 (one-shot digests) or AES-128-GCM
 * encryption (CIOCAUTHCRYPT, no AAD).
 *
 *   crypto-bench [-d DEV] [-t SECONDS] [-o] [-p malloc|small|huge]
 *                [-a aes-128-cbc|sha256|hmac-sha256|aes-128-gcm] [SIZE...]
 *
 * Default sizes 64, 1024, 4096, 65536, 1048576 bytes, each for SECONDS
 * (default 2).  One line per size: "bench SIZE MB/s OPS/s" (MB = 10^6 B).
 * -o opens and frees a session around every operation, as OpenSSL's
 * devcrypto engine does for each digest (CIOCGSESSION, CIOCCRYPT,
 * CIOCFSESSION): the driver's share of that engine's cost.
 *
 * -p: the buffers' pages.  malloc (default): as malloc() gives them, so
 * transparent huge pages or not as the kernel happens to have them free;
 * small: 4 KiB pages (MADV_NOHUGEPAGE); huge: 2 MiB-aligned, asking for
 * transparent huge pages (MADV_HUGEPAGE).  A driver that pins the buffer
 * hands the device one descriptor per physically contiguous run, so this
 * decides how many a big request takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/cryptodev.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* @len bytes laid out on the pages @how asks for; NULL on failure. */
static unsigned char *bench_alloc(size_t len, const char *how)
{
	const size_t huge = 2 << 20;
	void *p;

	if (!strcmp(how, "malloc"))
		return malloc(len);
	len = (len + huge - 1) / huge * huge;
	if (posix_memalign(&p, huge, len))
		return NULL;
	if (madvise(p, len, strcmp(how, "huge") ? MADV_NOHUGEPAGE :
						  MADV_HUGEPAGE)) {
		perror("crypto-bench: madvise");
		free(p);
		return NULL;
	}
	return p;
}

int main(int argc, char **argv)
{
	static const unsigned char key[16] = "benchmark-key-16";
	static const unsigned long defsizes[] = { 64, 1024, 4096, 65536, 1048576 };
	const char *dev = "/dev/crypto";
	unsigned long sizes[16];
	int nsizes = 0, fd, opt, i, per_op = 0;
	const char *alg = "aes-128-cbc", *pages = "malloc";
	double secs = 2;
	struct session_op sess;
	unsigned char *buf, *out, iv[16], mac[64];

	while ((opt = getopt(argc, argv, "d:t:a:p:o")) != -1) {
		if (opt == 'o') {
			per_op = 1;
		} else if (opt == 'd') {
			dev = optarg;
		} else if (opt == 't') {
			secs = atof(optarg);
		} else if (opt == 'a') {
			alg = optarg;
		} else if (opt == 'p' && (!strcmp(optarg, "malloc") ||
					  !strcmp(optarg, "small") ||
					  !strcmp(optarg, "huge"))) {
			pages = optarg;
		} else {
			fprintf(stderr, "usage: crypto-bench [-d DEV] [-t SECONDS] [-o] [-a ALG] [-p malloc|small|huge] [SIZE...]\n");
			return 2;
		}
	}
	for (i = optind; i < argc && nsizes < 16; i++)
		sizes[nsizes++] = strtoul(argv[i], NULL, 0) / 16 * 16;
	if (!nsizes)
		for (nsizes = 0; nsizes < 5; nsizes++)
			sizes[nsizes] = defsizes[nsizes];
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "crypto-bench: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	memset(&sess, 0, sizeof(sess));
	if (!strcmp(alg, "sha256")) {
		sess.mac = CRYPTO_SHA2_256;
	} else if (!strcmp(alg, "hmac-sha256")) {
		sess.mac = CRYPTO_SHA2_256_HMAC;
		sess.mackeylen = 16;
		sess.mackey = (unsigned char *)key;
	} else {
		if (!strcmp(alg, "aes-128-gcm")) {
			sess.cipher = CRYPTO_AES_GCM;
		} else if (!strcmp(alg, "aes-128-cbc")) {
			sess.cipher = CRYPTO_AES_CBC;
		} else {
			fprintf(stderr, "crypto-bench: unknown algorithm %s\n", alg);
			return 2;
		}
		sess.keylen = 16;
		sess.key = (unsigned char *)key;
	}
	if (ioctl(fd, CIOCGSESSION, &sess)) {
		fprintf(stderr, "crypto-bench: CIOCGSESSION: %s\n", strerror(errno));
		return 1;
	}
	buf = bench_alloc(1 << 24, pages);
	out = bench_alloc((1 << 24) + 16, pages);
	if (!buf || !out)
		return 1;
	memset(buf, 0x42, 1 << 24);
	/* Fault the destination in now, not in the first timed request. */
	memset(out, 0, (1 << 24) + 16);
	memset(iv, 0, sizeof(iv));
	printf("# %s %s via %s, %.1f s per size%s\n", alg,
	       sess.cipher ? "encrypt" : "digest", dev, secs,
	       per_op ? ", a session per operation" : "");
	for (i = 0; i < nsizes; i++) {
		struct crypt_auth_op ca;
		struct crypt_op op;
		unsigned long n = 0;
		double t0, t;

		if (!sizes[i] || sizes[i] > (1 << 24))
			continue;
		memset(&op, 0, sizeof(op));
		op.ses = sess.ses;
		op.op = COP_ENCRYPT;
		op.len = sizes[i];
		op.src = buf;
		op.dst = buf;
		op.iv = iv;
		op.mac = mac;
		memset(&ca, 0, sizeof(ca));
		ca.ses = sess.ses;
		ca.op = COP_ENCRYPT;
		ca.src = buf;
		ca.dst = out;
		ca.iv = iv;
		t0 = now();
		do {
			struct session_op s1 = sess;
			int r;

			ca.len = sizes[i];
			if (per_op) {
				if (ioctl(fd, CIOCGSESSION, &s1)) {
					perror("crypto-bench: CIOCGSESSION");
					return 1;
				}
				op.ses = s1.ses;
				ca.ses = s1.ses;
			}
			if (sess.cipher == CRYPTO_AES_GCM)
				r = ioctl(fd, CIOCAUTHCRYPT, &ca);
			else
				r = ioctl(fd, CIOCCRYPT, &op);
			if (!r && per_op)
				r = ioctl(fd, CIOCFSESSION, &s1.ses);
			if (r) {
				fprintf(stderr, "crypto-bench: %s: %s\n", alg,
					strerror(errno));
				return 1;
			}
			n++;
			t = now() - t0;
		} while (t < secs);
		printf("bench %lu %.2f MB/s %.0f ops/s\n", sizes[i],
		       n * (double)sizes[i] / t / 1e6, n / t);
		fflush(stdout);
	}
	close(fd);
	return 0;
}
