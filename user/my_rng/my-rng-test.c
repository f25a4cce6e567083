// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * my-rng-test: guest-side tests of the my_rng driver (TAP), plus helpers
 * the scenarios use:
 *   my-rng-test unit DEV [DEV2]   driver contract tests (faults too), TAP
 *   my-rng-test dump SEED COUNT DEV   raw native-endian stream to stdout
 *   my-rng-test reader DEV        read until an error; print its name
 *   my-rng-test holder DEV        hold DEV open until its node goes away,
 *                                 then try read and seed; print the errors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/my_rng.h>
#include "hw/misc/my_rng_gen.h"

static const uint32_t seed42[5] = {
	286129175, 1594929109, 971802288, 222134722, 1335014133
};

static int tests, failed;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failed++;
	printf("%sok %d - ", cond ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int xopen(const char *dev)
{
	int fd = open(dev, O_RDWR);

	if (fd < 0) {
		printf("Bail out! cannot open %s: %s\n", dev, strerror(errno));
		exit(1);
	}
	return fd;
}

static int seed_ioctl(int fd, uint32_t s)
{
	return ioctl(fd, MY_RNG_IOC_SEED, &s);
}

static int read_n(int fd, uint32_t *buf, size_t n)
{
	return read(fd, buf, n * 4) == (ssize_t)(n * 4) ? 0 : -1;
}

/* Are @n numbers at @buf the reference stream of @seed from index @from? */
static int matches_ref_at(const uint32_t *buf, size_t n, uint32_t seed, size_t from)
{
	MyRngGen g;
	size_t i;

	my_rng_gen_seed(&g, seed);
	for (i = 0; i < from; i++)
		my_rng_gen_next(&g);
	for (i = 0; i < n; i++)
		if (buf[i] != my_rng_gen_next(&g))
			return 0;
	return 1;
}

static int matches_ref(const uint32_t *buf, size_t n, uint32_t seed)
{
	return matches_ref_at(buf, n, seed, 0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_contract(const char *dev)
{
	uint32_t buf[8], s = 0x42;
	int fd = xopen(dev), fd2, i;
	char c3[3] = { 0 };
	/* An inaccessible page: a bad user pointer the compiler cannot see. */
	void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r;

	ok(seed_ioctl(fd, 0x42) == 0, "ioctl(MY_RNG_IOC_SEED, 0x42) succeeds");
	ok(read_n(fd, buf, 5) == 0 && !memcmp(buf, seed42, sizeof(seed42)),
	   "raw read() after ioctl seed gives the seed table");
	ok(write(fd, &s, 4) == 4, "write() of one u32 seeds");
	ok(read_n(fd, buf, 5) == 0 && !memcmp(buf, seed42, sizeof(seed42)),
	   "raw read() after write seed gives the seed table (ioctl and write agree)");
	for (i = 0; i < 2; i++) {
		ok(seed_ioctl(fd, 0x42) == 0 && read_n(fd, buf, 1) == 0 &&
		   buf[0] == seed42[0], "reseeding restarts the stream (round %d)", i);
	}

	errno = 0;
	r = read(fd, buf, 3);
	ok(r == -1 && errno == EINVAL, "read of 3 bytes gives EINVAL");
	errno = 0;
	r = read(fd, buf, 6);
	ok(r == -1 && errno == EINVAL, "read of 6 bytes gives EINVAL");
	ok(read(fd, buf, 0) == 0, "read of 0 bytes returns 0");
	errno = 0;
	r = write(fd, c3, 3);
	ok(r == -1 && errno == EINVAL, "write of 3 bytes gives EINVAL");
	errno = 0;
	r = write(fd, buf, 8);
	ok(r == -1 && errno == EINVAL, "write of 8 bytes gives EINVAL");
	errno = 0;
	r = ioctl(fd, _IOW(MY_RNG_IOC_MAGIC, 99, uint32_t), &s);
	ok(r == -1 && errno == ENOTTY, "unknown ioctl gives ENOTTY");
	errno = 0;
	r = ioctl(fd, TCGETS, &s);
	ok(r == -1 && errno == ENOTTY, "terminal ioctl gives ENOTTY");
	errno = 0;
	r = ioctl(fd, MY_RNG_IOC_SEED, bad);
	ok(r == -1 && errno == EFAULT, "seed ioctl with a bad pointer gives EFAULT");
	errno = 0;
	r = read(fd, bad, 4);
	ok(r == -1 && errno == EFAULT, "read into a bad pointer gives EFAULT");
	errno = 0;
	r = write(fd, bad, 4);
	ok(r == -1 && errno == EFAULT, "write from a bad pointer gives EFAULT");
	ok(lseek(fd, 0, SEEK_SET) == -1 && errno == ESPIPE, "lseek gives ESPIPE");

	/* Per-file streams: interleaved users each see their own sequence. */
	fd2 = xopen(dev);
	{
		uint32_t a[5], b[5], junk[16];
		int good = 1;

		seed_ioctl(fd, 0x42);
		seed_ioctl(fd2, 7);
		for (i = 0; i < 5 && good; i++) {
			int fd3 = xopen(dev);

			/* an unseeded reader in between disturbs nobody */
			good &= read_n(fd3, junk, 16) == 0;
			close(fd3);
			good &= read_n(fd, &a[i], 1) == 0;
			good &= read_n(fd2, &b[i], 1) == 0;
		}
		ok(good && !memcmp(a, seed42, sizeof(a)),
		   "seeded file keeps its sequence while others use the card");
		ok(good && matches_ref(b, 5, 7),
		   "second seeded file on the same card keeps its own sequence");
	}
	close(fd2);

	/* Large reads: 4 MiB in one call, checked against the reference. */
	{
		size_t n = 1 << 20;
		uint32_t *big = malloc(n * 4);

		ok(big && seed_ioctl(fd, 12345) == 0 && read_n(fd, big, n) == 0 &&
		   matches_ref(big, n, 12345),
		   "one 4 MiB read equals the reference stream");
		free(big);
	}

	/* A signal interrupts a huge read: partial count or EINTR, quickly. */
	{
		size_t len = 256u << 20;
		void *huge = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		struct sigaction sa = { .sa_handler = on_alarm };
		struct itimerval it = { .it_value = { 0, 200000 } };
		struct timeval t0, t1;
		double secs;

		sigaction(SIGALRM, &sa, NULL);
		gettimeofday(&t0, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
		errno = 0;
		r = read(fd, huge, len);
		gettimeofday(&t1, NULL);
		secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_usec - t0.tv_usec) / 1e6;
		ok((r == -1 && errno == EINTR) || (r > 0 && r < (long)len && r % 4 == 0),
		   "signal interrupts a 256 MiB read (returned %ld after %.2fs)", r, secs);
		munmap(huge, len);
	}
	close(fd);
}

/*
 * A buffer whose first @ok bytes before a PROT_NONE page are writable:
 * returns the start of those bytes.  Freed with unmap_guarded().
 */
static char *guarded(size_t ok, size_t *maplen)
{
	size_t pg = sysconf(_SC_PAGESIZE);
	size_t rw = (ok + pg - 1) / pg * pg;
	char *m;

	*maplen = rw + pg;
	m = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mprotect(m + rw, pg, PROT_NONE)) {
		printf("Bail out! cannot map a guarded buffer: %s\n", strerror(errno));
		exit(1);
	}
	return m + rw - ok;
}

static void unmap_guarded(char *p, size_t ok, size_t maplen)
{
	size_t pg = sysconf(_SC_PAGESIZE);

	munmap(p + ok - (maplen - pg), maplen);
}

/*
 * read(@len) into a buffer with only @ok bytes writable.  Returns the
 * read's result and its errno in @err; what it copied goes to @got.
 */
static long read_guarded(int fd, size_t len, size_t ok, uint32_t *got, int *err)
{
	size_t maplen;
	char *p = guarded(ok, &maplen);
	long r;

	errno = 0;
	r = read(fd, p, len);
	*err = errno;
	if (r > 0)
		memcpy(got, p, r);
	unmap_guarded(p, ok, maplen);
	return r;
}

/*
 * A read that faults part way keeps every number it did not deliver: it
 * returns the whole numbers copied (EFAULT if none) and the next read goes
 * on from the first number not delivered.
 */
static void test_fault(const char *dev)
{
	static const struct {
		size_t len, ok;		/* bytes asked, bytes writable */
	} cases[] = {
		{ 16, 8 }, { 16, 0 }, { 16, 6 }, { 4, 2 }, { 8192, 4096 },
		{ 12288, 6144 }, { 4096 * 3, 4096 * 2 + 4 },
	};
	uint32_t *got = malloc(16384), next[1024];
	int fd = xopen(dev), fd2, err, good;
	unsigned int i;
	long r, want;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len, okb = cases[i].ok;
		uint32_t s = 0x42 + i;

		want = okb / 4 * 4;
		seed_ioctl(fd, s);
		r = read_guarded(fd, len, okb, got, &err);
		ok(want ? r == want : (r == -1 && err == EFAULT),
		   "read(%zu) with %zu bytes writable returns %s (got %ld %s)",
		   len, okb, want ? "the whole numbers copied" : "EFAULT", r,
		   r < 0 ? strerrorname_np(err) : "bytes");
		ok(r <= 0 || matches_ref_at(got, r / 4, s, 0),
		   "read(%zu) with %zu bytes writable copied the stream's first numbers",
		   len, okb);
		ok(read_n(fd, next, 1024) == 0 && matches_ref_at(next, 1024, s, want / 4),
		   "read(%zu) with %zu bytes writable: the next read goes on at number %ld",
		   len, okb, want / 4);
	}

	/* The undelivered numbers survive another file using the card. */
	fd2 = xopen(dev);
	seed_ioctl(fd, 0x42);
	r = read_guarded(fd, 20, 8, got, &err);
	good = r == 8 && seed_ioctl(fd2, 7) == 0 && read_n(fd2, next, 5) == 0;
	/* Three come from the file's buffer, the fourth from a replay. */
	ok(good && read_n(fd, next, 4) == 0 && matches_ref_at(next, 4, 0x42, 2),
	   "undelivered numbers of a seeded file survive another file seeding");

	/* An unseeded file keeps its own undelivered numbers as well. */
	close(fd2);
	fd2 = xopen(dev);
	seed_ioctl(fd, 0x42);
	r = read_guarded(fd2, 16, 4, got, &err);
	good = r == 4 && got[0] == seed42[0];
	ok(good && read_n(fd2, next, 4) == 0 && !memcmp(next, seed42 + 1, 16),
	   "an unseeded file's next read returns its undelivered numbers");

	/* Seeding drops the old stream's undelivered numbers. */
	r = read_guarded(fd, 16, 4, got, &err);
	ok(r == 4 && seed_ioctl(fd, 0x42) == 0 && read_n(fd, next, 5) == 0 &&
	   !memcmp(next, seed42, sizeof(seed42)),
	   "a seed after a faulted read starts the new stream at once");
	close(fd2);
	close(fd);
	free(got);
}

static void test_two_cards(const char *dev0, const char *dev1)
{
	uint32_t a[5], b[5], skip[3];
	int fa = xopen(dev0), fb = xopen(dev1), i, good;

	/* Same seed: reading one card must not advance the other. */
	good = seed_ioctl(fa, 0x42) == 0 && seed_ioctl(fb, 0x42) == 0 &&
	       read_n(fa, skip, 3) == 0 && read_n(fb, b, 5) == 0;
	ok(good && !memcmp(b, seed42, sizeof(b)),
	   "reads on one card do not advance another");

	good = seed_ioctl(fa, 0x42) == 0 && seed_ioctl(fb, 99) == 0;
	for (i = 0; i < 5 && good; i++) {
		good &= read_n(fa, &a[i], 1) == 0;
		good &= read_n(fb, &b[i], 1) == 0;
	}
	ok(good && !memcmp(a, seed42, sizeof(a)) && matches_ref(b, 5, 99),
	   "two cards seeded differently are independent");
	close(fa);
	close(fb);
}

static int dump(uint32_t seed, unsigned long count, const char *dev)
{
	static uint32_t buf[16384];
	int fd = xopen(dev);

	if (seed_ioctl(fd, seed))
		return 1;
	while (count) {
		size_t n = count < 16384 ? count : 16384;

		if (read_n(fd, buf, n) || fwrite(buf, 4, n, stdout) != n)
			return 1;
		count -= n;
	}
	return fflush(stdout) ? 1 : 0;
}

static int reader(const char *dev)
{
	static uint32_t buf[16384];
	int fd = xopen(dev);
	ssize_t r;

	printf("reader: started\n");
	fflush(stdout);
	do {
		r = read(fd, buf, sizeof(buf));
	} while (r > 0);
	printf("reader: %s\n", r == 0 ? "EOF" : strerrorname_np(errno));
	return 0;
}

static const char *err_after(long r)
{
	return r < 0 ? strerrorname_np(errno) : "success";
}

static int holder(const char *dev)
{
	int fd = xopen(dev), i;
	uint32_t v;
	long r1, r2;
	const char *e1;

	printf("holder: open\n");
	fflush(stdout);
	for (i = 0; i < 1200 && access(dev, F_OK) == 0; i++)
		usleep(50000);
	r1 = read(fd, &v, 4);
	e1 = err_after(r1);
	r2 = seed_ioctl(fd, 1);
	printf("holder: read=%s seed=%s\n", e1, err_after(r2));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "unit")) {
		test_contract(argv[2]);
		test_fault(argv[2]);
		if (argc >= 4)
			test_two_cards(argv[2], argv[3]);
		printf("1..%d\n", tests);
		return failed ? 1 : 0;
	}
	if (argc == 5 && !strcmp(argv[1], "dump"))
		return dump(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), argv[4]);
	if (argc == 3 && !strcmp(argv[1], "reader"))
		return reader(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "holder"))
		return holder(argv[2]);
	fprintf(stderr, "usage: my-rng-test unit DEV [DEV2] | dump SEED COUNT DEV | reader DEV | holder DEV\n");
	return 2;
}
