// SPDX-License-Identifier: MIT
/*
 * crypto-fuzz: random and boundary ioctls on /dev/crypto from several
 * processes, each with several threads, for a number of seconds.
 *
 *   crypto-fuzz [-d DEV] [-p PROCS] [-t THREADS] [-s SEED] [-m MIN]
 *               [-o MASK] SECONDS
 *
 * MASK (default 0xff) narrows what the threads draw, to find which kind of
 * call does something: bits 0-1 CIOCGSESSION, 2-5 CIOCCRYPT, 6-7 the rest
 * (CIOCFSESSION, CIOCGSESSINFO, CRIOGET, unknown ioctls, close/reopen).
 *
 * Every call draws its struct fields from boundary values and random ones,
 * its pointers from good buffers, NULL, unmapped and kernel addresses, a
 * read-only page, the page before a hole (a buffer that runs into it), and
 * buffers that overlap.  Session numbers come from a table shared by the
 * process's threads, so sessions are used after they were freed and on
 * files they do not belong to; descriptors are closed and reopened while
 * other threads are inside ioctls on them.
 *
 * Hashes, HMACs, AES-GCM and combined sessions are drawn too, with
 * CIOCCRYPT's multi-part flags, CIOCCPHASH and CIOCAUTHCRYPT (AES-GCM, TLS
 * and SRTP modes).
 *
 * The driver must answer every call with success or an errno a caller can
 * cause (EINVAL, EFAULT, ENOTTY, EBADF, ENOSPC, ENOMEM, EMFILE; and
 * EMSGSIZE, ENOBUFS for multi-part bounds, EBADMSG for a forged tag,
 * ENOENT, EDEADLK from CIOCCPHASH).  Anything else (EIO: the device was
 * sent a request it rejected or was marked broken; ENODEV, ...) is
 * counted as unexpected.  Prints the
 * counts; exits 1 if anything was unexpected, a process died, or fewer
 * than MIN ioctls were made.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/cryptodev.h>

#define NFDS		8		/* descriptors per process */
#define NSES		32		/* session numbers remembered per process */
#define BUF_SIZE	(4u << 20)	/* per process, shared by its threads */
#define NERR		135		/* errno values counted */

struct counts {
	unsigned long calls;
	unsigned long ok;
	unsigned long err[NERR];
};

/* Per process: what its threads share. */
static const char *devpath = "/dev/crypto";
static int fds[NFDS];
/* Sessions made, (fd << 32) | ses: each is freed when its slot is reused. */
static uint64_t sess[NSES];
/*
 * Unmapped pages around the buffers keep the kernel's writes (dst, iv,
 * session numbers) inside them: overlapping and odd pointers may land up to
 * a page before buf or after rdonly.
 */
static unsigned char *buf;		/* BUF_SIZE, then an unmapped page */
static unsigned char *rdonly;		/* a good session_op, read-only */
static unsigned char *hole;		/* an unmapped page */
static long pagesz;
static time_t end;
static struct counts *shared;		/* one per process, MAP_SHARED */
static unsigned int opmask = 0xff;	/* -o: which of the 8 draws run */

struct thr {
	uint64_t rng;
	struct counts c;
};

static uint64_t rnd(struct thr *t)
{
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return t->rng;
}

static unsigned int pick(struct thr *t, unsigned int n)
{
	return rnd(t) % n;
}

static uint32_t pick_u32(struct thr *t, const uint32_t *v, unsigned int n)
{
	/* One draw in four is fully random. */
	return pick(t, 4) ? v[pick(t, n)] : (uint32_t)rnd(t);
}

#define PICK(t, arr) pick_u32(t, arr, sizeof(arr) / sizeof(arr[0]))

/* A pointer for @len bytes: mostly good, sometimes anything but. */
static void *pick_ptr(struct thr *t, size_t len)
{
	size_t room = len < BUF_SIZE ? BUF_SIZE - len : 0;

	switch (pick(t, 16)) {
	case 0:
		return NULL;
	case 1:
		return (void *)1;
	case 2:
		return (void *)-1L;
	case 3:
		return (void *)0xffff888000000000UL;	/* the kernel's */
	case 4:
		return hole;
	case 5:
		return rdonly;
	case 6:		/* runs into the hole after buf */
		return buf + BUF_SIZE - 1 - pick(t, len < BUF_SIZE ? len + 1 : BUF_SIZE);
	case 7:
		return buf + pick(t, 64);
	default:
		return buf + (room ? pick(t, room + 1) : 0);
	}
}

static int pick_fd(struct thr *t)
{
	if (!pick(t, 64))
		return pick(t, 4) ? -1 : (int)pick(t, 1024);
	return __atomic_load_n(&fds[pick(t, NFDS)], __ATOMIC_RELAXED);
}

static uint32_t pick_ses(struct thr *t)
{
	static const uint32_t odd[] = { 0, 1, 2, 0x7fffffff, 0x80000000,
					0xffffffff };

	if (!pick(t, 8))
		return PICK(t, odd);
	return (uint32_t)__atomic_load_n(&sess[pick(t, NSES)], __ATOMIC_RELAXED);
}

static void count(struct thr *t, int r)
{
	t->c.calls++;
	if (!r)
		t->c.ok++;
	else
		t->c.err[errno < NERR && errno > 0 ? errno : 0]++;
}

static void do_gsession(struct thr *t, int fd)
{
	static const uint32_t ciphers[] = { CRYPTO_AES_CBC, CRYPTO_AES_ECB,
		CRYPTO_AES_CTR, CRYPTO_AES_XTS, CRYPTO_3DES_CBC, 0,
		CRYPTO_AES_GCM, CRYPTO_SHA1_HMAC, 9999 };
	static const uint32_t keylens[] = { 16, 24, 32, 64, 0, 1, 15, 17, 33,
		63, 65, CRYPTO_CIPHER_MAX_KEY_LEN * 2, 0xffffffff };
	static const uint32_t macs[] = { 0, 0, 0, CRYPTO_SHA1_HMAC, 0xffffffff,
		CRYPTO_SHA2_256, CRYPTO_MD5, CRYPTO_SHA2_512_HMAC,
		CRYPTO_RIPEMD160 };
	static const uint32_t good_macs[] = { CRYPTO_SHA1, CRYPTO_SHA2_256,
		CRYPTO_SHA2_512, CRYPTO_MD5_HMAC, CRYPTO_SHA1_HMAC,
		CRYPTO_SHA2_256_HMAC, CRYPTO_SHA2_384_HMAC };
	static const uint32_t mackeylens[] = { 0, 1, 20, 64, 65, 512, 513,
		0xffffffff };
	struct session_op so, *sop = &so;
	int r;

	memset(&so, 0, sizeof(so));
	if (pick(t, 2)) {	/* a good one, so that sessions exist */
		so.cipher = ciphers[pick(t, 5)];
		so.keylen = so.cipher == CRYPTO_AES_XTS ? 32u << pick(t, 2) :
			    so.cipher == CRYPTO_3DES_CBC ? 24 : 16 + 8 * pick(t, 3);
		so.key = buf + pick(t, 4096);
		switch (pick(t, 4)) {
		case 0:		/* a hash or HMAC alone */
			so.cipher = 0;
			so.keylen = 0;
			/* fallthrough */
		case 1:		/* with the cipher: a combined session */
			so.mac = good_macs[pick(t, 7)];
			so.mackeylen = pick(t, 100);
			so.mackey = buf + pick(t, 4096);
			break;
		case 2:
			if (pick(t, 2)) {
				so.cipher = CRYPTO_AES_GCM;
				so.keylen = 16 + 8 * pick(t, 3);
			}
			break;
		}
	} else {
		so.cipher = PICK(t, ciphers);
		so.keylen = PICK(t, keylens);
		so.mac = PICK(t, macs);
		so.key = pick_ptr(t, so.keylen < 64 ? so.keylen : 64);
		so.mackeylen = PICK(t, mackeylens);
		so.mackey = pick_ptr(t, so.mackeylen < 600 ? so.mackeylen : 600);
	}
	/* Equal XTS key halves now and then */
	if (so.cipher == CRYPTO_AES_XTS && so.keylen <= 64 &&
	    so.key == buf && pick(t, 4) == 0)
		memcpy(buf + so.keylen / 2, buf, so.keylen / 2);
	switch (pick(t, 12)) {
	case 0:		/* the argument itself bad */
		sop = pick_ptr(t, sizeof(so));
		break;
	case 1:		/* a good one, but ses cannot be written back */
		sop = (struct session_op *)rdonly;
		break;
	}
	r = ioctl(fd, CIOCGSESSION, sop);
	count(t, r);
	if (!r && sop == &so) {
		/*
		 * The slot's previous session is freed (on the descriptor it
		 * was made on, if that is still open), or the device's session
		 * table would fill up as long as files stay open.
		 */
		uint64_t old = __atomic_exchange_n(&sess[pick(t, NSES)],
						   (uint64_t)fd << 32 | so.ses,
						   __ATOMIC_RELAXED);
		uint32_t oses = (uint32_t)old;

		if (old)
			count(t, ioctl((int)(old >> 32), CIOCFSESSION, &oses));
	}
}

static void do_crypt(struct thr *t, int fd)
{
	static const uint32_t lens[] = { 0, 1, 8, 15, 16, 17, 64, 2048, 2064,
		4096, 4112, 65536, 1u << 20, BUF_SIZE, 16u << 20,
		(16u << 20) + 16, 0x80000000, 0xffffffff, 0xfffffff0 };
	static const uint32_t ops[] = { COP_ENCRYPT, COP_DECRYPT, 2, 0xffff };
	static const uint32_t flags[] = { 0, COP_FLAG_WRITE_IV, COP_FLAG_NO_ZC,
		COP_FLAG_WRITE_IV | COP_FLAG_NO_ZC, COP_FLAG_UPDATE, 0xffff,
		COP_FLAG_FINAL, COP_FLAG_RESET | COP_FLAG_UPDATE,
		COP_FLAG_UPDATE | COP_FLAG_FINAL };
	struct crypt_op co, *cop = &co;
	uint32_t len;

	memset(&co, 0, sizeof(co));
	co.ses = pick_ses(t);
	if (pick(t, 2)) {	/* good fields, so that the device sees work */
		co.op = ops[pick(t, 2)];
		co.flags = pick(t, 2) ? flags[pick(t, 4)] : PICK(t, flags);
		len = 16 * (pick(t, 8) ? pick(t, 512) + 1 : pick(t, 16384) + 1);
	} else {
		co.op = PICK(t, ops);
		co.flags = PICK(t, flags);
		len = PICK(t, lens);
		/* Mostly small: big ones are slow under emulation. */
		if (len > 8192 && pick(t, 8))
			len = pick(t, 8192) + 1;
	}
	if (len >= BUF_SIZE && len < (16u << 20) + 32 && pick(t, 4))
		len = 16;
	co.len = len;
	co.src = pick_ptr(t, len);
	switch (pick(t, 4)) {
	case 0:		/* in place */
		co.dst = co.src;
		break;
	case 1:		/* overlapping, either way */
		co.dst = (void *)((uintptr_t)co.src +
				  (pick(t, 2) ? 1 : -1) * (long)pick(t, 4096));
		break;
	default:
		co.dst = pick_ptr(t, len);
	}
	co.iv = pick(t, 2) ? pick_ptr(t, 16) : NULL;
	co.mac = pick(t, 4) ? buf + pick(t, 4096) : pick_ptr(t, 64);
	if (!pick(t, 16))
		cop = pick_ptr(t, sizeof(co));
	count(t, ioctl(fd, CIOCCRYPT, cop));
}

static void do_authcrypt(struct thr *t, int fd)
{
	static const uint32_t lens[] = { 0, 1, 15, 16, 17, 32, 100, 4096,
		65536, 1u << 20, 0xffffffff, 0x80000000 };
	static const uint32_t alens[] = { 0, 1, 13, 20, 4096, 4097,
		0xffffffff };
	static const uint32_t tlens[] = { 0, 4, 5, 8, 10, 12, 16, 17, 20,
		64, 0xffffffff };
	static const uint16_t flags[] = { 0, COP_FLAG_AEAD_TLS_TYPE,
		COP_FLAG_AEAD_SRTP_TYPE, COP_FLAG_WRITE_IV, 0xffff };
	struct crypt_auth_op ca, *cap = &ca;

	memset(&ca, 0, sizeof(ca));
	ca.ses = pick_ses(t);
	ca.op = pick(t, 8) ? pick(t, 2) : (uint16_t)rnd(t);
	ca.flags = flags[pick(t, 5)];
	ca.len = pick(t, 2) ? pick(t, 2048) : PICK(t, lens);
	ca.auth_len = pick(t, 2) ? pick(t, 64) : PICK(t, alens);
	ca.tag_len = pick(t, 2) ? 0 : PICK(t, tlens);
	ca.auth_src = pick_ptr(t, ca.auth_len < 8192 ? ca.auth_len : 8192);
	ca.src = pick_ptr(t, ca.len < BUF_SIZE ? ca.len + 64 : 64);
	/* The TLS and SRTP modes work in place, from near auth_src. */
	ca.dst = pick(t, 2) ? ca.src : pick_ptr(t, ca.len + 64);
	if (pick(t, 2) && ca.auth_src)
		ca.src = ca.dst = ca.auth_src + pick(t, 300);
	ca.tag = pick_ptr(t, 64);
	ca.iv = pick(t, 2) ? pick_ptr(t, 16) : NULL;
	if (!pick(t, 16))
		cap = pick_ptr(t, sizeof(ca));
	count(t, ioctl(fd, CIOCAUTHCRYPT, cap));
}

static void do_other(struct thr *t, int fd)
{
	struct session_info_op info;
	uint32_t ses = pick_ses(t);
	void *p;
	int r;

	switch (pick(t, 8)) {
	case 4: {
		struct cphash_op cp = { .dst_ses = ses, .src_ses = pick_ses(t) };

		if (!pick(t, 8))
			cp.src_ses = ses;
		p = pick(t, 8) ? (void *)&cp : pick_ptr(t, sizeof(cp));
		count(t, ioctl(fd, CIOCCPHASH, p));
		break;
	}
	case 5:
		do_authcrypt(t, fd);
		break;
	case 0:
		p = pick(t, 8) ? (void *)&ses : pick_ptr(t, 4);
		count(t, ioctl(fd, CIOCFSESSION, p));
		break;
	case 1:
		memset(&info, 0, sizeof(info));
		info.ses = ses;
		p = pick(t, 8) ? (void *)&info : pick_ptr(t, sizeof(info));
		count(t, ioctl(fd, CIOCGSESSINFO, p));
		break;
	case 2: {
		uint32_t nfd = 0;

		/* Not into buf: a descriptor written there would be lost. */
		p = pick(t, 8) ? (void *)&nfd : pick(t, 2) ? NULL : rdonly;
		r = ioctl(fd, CRIOGET, p);
		count(t, r);
		if (!r && p == &nfd && nfd > 2)
			close(nfd);
		break;
	}
	case 3: {	/* ioctls the driver does not serve */
		unsigned long cmd = _IOC(pick(t, 4), 'c', pick(t, 256),
					 pick(t, 512));

		if (cmd != CRIOGET && cmd != CIOCGSESSION &&
		    cmd != CIOCFSESSION && cmd != CIOCCRYPT &&
		    cmd != CIOCGSESSINFO && cmd != CIOCCPHASH &&
		    cmd != CIOCAUTHCRYPT)
			count(t, ioctl(fd, cmd, pick_ptr(t, 512)));
		break;
	}
	default:	/* replace a descriptor, closing it under other threads */
		r = open(devpath, O_RDWR);
		if (r >= 0) {
			r = __atomic_exchange_n(&fds[pick(t, NFDS)], r,
						__ATOMIC_RELAXED);
			if (r > 2)
				close(r);
		}
	}
}

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	unsigned int n;

	for (n = 0; n % 16 || time(NULL) < end; n++) {
		int fd = pick_fd(t);

		unsigned int what = pick(t, 8);

		if (!(opmask & (1u << what)))
			continue;
		switch (what) {
		case 0:
		case 1:
			do_gsession(t, fd);
			break;
		case 2:
		case 3:
		case 4:
		case 5:
			do_crypt(t, fd);
			break;
		default:
			do_other(t, fd);
		}
	}
	return NULL;
}

static void add(struct counts *to, const struct counts *from)
{
	unsigned int i;

	to->calls += from->calls;
	to->ok += from->ok;
	for (i = 0; i < NERR; i++)
		to->err[i] += from->err[i];
}

static int child(unsigned int id, unsigned int nthreads, uint64_t seed)
{
	pthread_t th[64];
	struct thr *t = calloc(nthreads, sizeof(*t));
	struct session_op *so;
	unsigned char *m;
	unsigned int i;

	pagesz = sysconf(_SC_PAGESIZE);
	m = mmap(NULL, BUF_SIZE + 4 * pagesz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!t || m == MAP_FAILED)
		return 2;
	buf = m + pagesz;
	hole = buf + BUF_SIZE;
	rdonly = hole + pagesz;
	/* Not unmapped: nothing else may be placed there later. */
	mprotect(m, pagesz, PROT_NONE);
	mprotect(hole, pagesz, PROT_NONE);
	mprotect(rdonly + pagesz, pagesz, PROT_NONE);
	so = (struct session_op *)rdonly;
	so->cipher = CRYPTO_AES_CBC;
	so->keylen = 16;
	so->key = buf;
	mprotect(rdonly, pagesz, PROT_READ);
	for (i = 0; i < BUF_SIZE; i++)
		buf[i] = i * 7 + id;
	for (i = 0; i < NFDS; i++) {
		fds[i] = open(devpath, O_RDWR);
		if (fds[i] < 0) {
			fprintf(stderr, "crypto-fuzz: %s: %s\n", devpath,
				strerror(errno));
			return 2;
		}
	}
	for (i = 0; i < nthreads; i++) {
		t[i].rng = seed * 0x9e3779b97f4a7c15ULL + id * 131 + i + 1;
		if (pthread_create(&th[i], NULL, thread_main, &t[i]))
			return 2;
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		add(&shared[id], &t[i].c);
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* errnos a caller can cause; any other is a finding */
	static const int expected[] = { EINVAL, EFAULT, ENOTTY, EBADF, ENOSPC,
		ENOMEM, EMFILE, EMSGSIZE, ENOBUFS, EBADMSG, ENOENT, EDEADLK };
	unsigned int procs = 4, threads = 2, i, j;
	unsigned long min = 0, unexpected = 0;
	uint64_t seed = time(NULL);
	struct counts total;
	int opt, st, bad = 0;
	time_t t0;

	while ((opt = getopt(argc, argv, "d:p:t:s:m:o:")) != -1) {
		switch (opt) {
		case 'o':
			opmask = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			devpath = optarg;
			break;
		case 'p':
			procs = atoi(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			min = strtoul(optarg, NULL, 0);
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc || !procs || procs > 64 || !threads ||
	    threads > 64) {
		fprintf(stderr, "usage: crypto-fuzz [-d DEV] [-p PROCS] [-t THREADS] [-s SEED] [-m MIN] [-o MASK] SECONDS\n");
		return 2;
	}
	shared = mmap(NULL, procs * sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 2;
	printf("crypto-fuzz: %s, %u processes x %u threads, %s s, seed %llu\n",
	       devpath, procs, threads, argv[optind], (unsigned long long)seed);
	fflush(stdout);
	t0 = time(NULL);
	end = t0 + atoi(argv[optind]);
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 2;
		if (!pid)
			_exit(child(i, threads, seed));
	}
	for (i = 0; i < procs; i++) {
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			printf("crypto-fuzz: a process failed (status %#x)\n", st);
			bad = 1;
		}
	}
	memset(&total, 0, sizeof(total));
	for (i = 0; i < procs; i++)
		add(&total, &shared[i]);
	printf("crypto-fuzz: %lu ioctls in %ld s: %lu succeeded\n", total.calls,
	       (long)(time(NULL) - t0), total.ok);
	for (i = 0; i < NERR; i++) {
		int ok = 0;

		if (!total.err[i])
			continue;
		for (j = 0; j < sizeof(expected) / sizeof(expected[0]); j++)
			ok |= expected[j] == (int)i;
		printf("crypto-fuzz: %8lu %s%s\n", total.err[i],
		       i ? strerror(i) : "errno out of range",
		       ok ? "" : " (UNEXPECTED)");
		if (!ok)
			unexpected += total.err[i];
	}
	if (unexpected)
		bad = 1;
	if (total.calls < min) {
		printf("crypto-fuzz: fewer than %lu ioctls\n", min);
		bad = 1;
	}
	return bad;
}
