// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * my-rng-fuzz: random and hostile calls on /dev/my_rng* from several
 * processes and threads at once, for a bounded time.
 *
 *   my-rng-fuzz SECONDS [PROCS [THREADS [SEED]]]
 *
 * Each thread has its own files whose streams it models: after a seed its
 * reads must return the reference sequence from where that file stands,
 * whatever other threads and processes do to the card (seeding, reading,
 * faulting, the card being unplugged).  A read that faults or is cut short
 * must move the file on by exactly the numbers it returned.  A shared file
 * per process is read, seeded and replaced (dup2) by all its threads with
 * no model, only the errno rules.  Every call's result is checked against
 * what the driver documents (docs/my_rng.md); a card that went away gives
 * ENODEV.  A timer signal per thread interrupts calls (EINTR, short reads).
 *
 * Prints the number of calls per kind and every unexpected result (the
 * first few in full); exits 1 if there was any.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/my_rng.h>
#include "hw/misc/my_rng_gen.h"

#define NDEV		3	/* /dev/my_rng0..2: the last mostly absent */
#define NSLOT		3	/* modelled files per thread */
#define MAXREAD		(64 * 1024)
#define PG		4096
#define GUARD_PAGES	4	/* writable pages before each PROT_NONE page */
#define MAX_REPORTS	20

enum { C_OPEN, C_CLOSE, C_READ, C_READ_FAULT, C_READ_BAD, C_SEED, C_SEED_BAD,
       C_WRITE, C_IOCTL, C_MISC, C_SHARED, C_FORK, C_NKIND };
static const char *const kind_name[C_NKIND] = {
	"open", "close", "read", "read-partial", "read-bad", "seed", "seed-bad",
	"write", "ioctl", "poll/lseek/mmap", "shared", "fork",
};

/* Counters shared by every process (MAP_SHARED). */
struct stats {
	unsigned long calls[C_NKIND];
	unsigned long numbers;		/* numbers checked against the model */
	unsigned long enodev, eintr;
	unsigned long bad;
};
static struct stats *st;

struct slot {
	int fd;			/* -1: closed */
	int rdonly;		/* opened O_RDONLY: write() gives EBADF */
	/*
	 * The card is gone for good: a seed said so (reads may still return
	 * numbers a faulted read left in the file), or a read did (then its
	 * buffer is empty, and every read says so too).
	 */
	int card_gone;
	int read_gone;
	int must_be_gone;	/* a short read no signal explains */
	char path[16];
	int seeded;
	uint32_t seed;
	MyRngGen ref;		/* the seeded stream, at the file's position */
};

struct thr {
	unsigned int id;
	uint64_t rnd;
	struct slot slot[NSLOT];
	char *guard;		/* GUARD_PAGES writable pages, then PROT_NONE */
	char *ro;		/* one read-only page */
	uint32_t *buf;
};

/* Timer signals this thread took: they may cut a read short. */
static __thread volatile unsigned long sigs;
static int shared_fd = -1;	/* per process, replaced with dup2() */
/* Per process: page 1 is mprotect()ed while others read; page 2 stops all. */
static char *flip;
static time_t deadline;

static void count(unsigned long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static void bad(struct thr *t, const char *fmt, ...)
{
	unsigned long n = __atomic_fetch_add(&st->bad, 1, __ATOMIC_RELAXED);
	char msg[256];
	va_list ap;

	if (n >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "my-rng-fuzz: FAIL pid %d thread %u: %s\n", getpid(), t->id, msg);
}

static uint64_t rnd(struct thr *t)
{
	/* xorshift64*: fast and good enough to pick calls. */
	t->rnd ^= t->rnd >> 12;
	t->rnd ^= t->rnd << 25;
	t->rnd ^= t->rnd >> 27;
	return t->rnd * 2685821657736338717ull;
}

static unsigned int below(struct thr *t, unsigned int n)
{
	return (rnd(t) >> 32) % n;
}

static void dev_path(struct thr *t, char *p, size_t n)
{
	/* Mostly the cards that exist, sometimes one that does not. */
	snprintf(p, n, "/dev/my_rng%u", below(t, 8) ? below(t, 2) : NDEV - 1);
}

/* Errors any call on a card may give: gone, or interrupted by our timer. */
static int common_err(int e)
{
	if (e == ENODEV)
		count(&st->enodev);
	if (e == EINTR)
		count(&st->eintr);
	return e == ENODEV || e == EINTR;
}

static void slot_close(struct slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static void do_open(struct thr *t, struct slot *s)
{
	int fd;

	slot_close(s);
	dev_path(t, s->path, sizeof(s->path));
	s->rdonly = !below(t, 4);
	fd = open(s->path, s->rdonly ? O_RDONLY : O_RDWR);
	if (fd < 0) {
		/* A node that is absent or going away. */
		if (errno != ENOENT && errno != ENODEV && errno != ENXIO &&
		    errno != EINTR)
			bad(t, "open %s: %s", s->path, strerrorname_np(errno));
		return;
	}
	s->fd = fd;
}

/*
 * Check a read's result on a modelled file.  @ok bytes of the buffer were
 * writable: the read must return min(len, whole numbers in @ok), or less
 * only if a signal came (@sig0 is the thread's signal count before) or the
 * card went away.  The numbers it returned must be the next ones of the
 * file's stream, and only those count as read.
 */
static void check_read(struct thr *t, struct slot *s, const char *what,
		       const uint32_t *got, size_t len, long r, int e,
		       size_t ok, unsigned long sig0)
{
	size_t want = len < ok / 4 * 4 ? len : ok / 4 * 4, i;
	int cut = sigs != sig0;

	if (r < 0 && e == ENODEV) {
		s->read_gone = 1;
		s->card_gone = 1;
		count(&st->enodev);
		return;
	}
	if (r < 0 && e == EFAULT && !want)
		return;
	if (r < 0 && e == EINTR && cut) {
		count(&st->eintr);
		return;
	}
	if (r < 0) {
		bad(t, "%s len %zu (%zu writable): %s", what, len, ok,
		    strerrorname_np(e));
		return;
	}
	if (r % 4 || (size_t)r > want || (r && (s->read_gone || s->must_be_gone))) {
		bad(t, "%s len %zu (%zu writable) returned %ld%s", what, len,
		    ok, r, r % 4 || (size_t)r > want ? "" : " after ENODEV");
		return;
	}
	/* Short for no signal: the card must have gone (next read tells). */
	if ((size_t)r < want && !cut)
		s->must_be_gone = 1;
	for (i = 0; i < (size_t)r / 4; i++) {
		uint32_t next;

		if (got[i] >> 31) {
			bad(t, "%s: number %zu is 0x%08x, above 2^31-1", what, i, got[i]);
			return;
		}
		if (!s->seeded)
			continue;
		next = my_rng_gen_next(&s->ref);
		if (got[i] != next) {
			bad(t, "%s on %s, seed 0x%x: number %zu is %u, want %u",
			    what, s->path, s->seed, i, got[i], next);
			s->seeded = 0;	/* report a broken stream once */
			return;
		}
		count(&st->numbers);
	}
}

static size_t rand_len(struct thr *t)
{
	switch (below(t, 10)) {
	case 0:
		return below(t, 16);		/* tiny, often not 4-aligned */
	case 1:
		return below(t, MAXREAD / 4 + 1) * 4;
	case 2:
		return MAXREAD;
	default:
		return (1 + below(t, 64)) * 4;
	}
}

static void do_read(struct thr *t, struct slot *s)
{
	size_t len = rand_len(t);
	unsigned long sig0 = sigs;
	long r;

	if (s->fd < 0)
		return;
	count(&st->calls[C_READ]);
	r = read(s->fd, t->buf, len);
	if (len % 4) {
		if (r >= 0 || errno != EINVAL)
			bad(t, "read of %zu bytes: %ld %s, want EINVAL", len, r,
			    r < 0 ? strerrorname_np(errno) : "");
		return;
	}
	check_read(t, s, "read", t->buf, len, r, errno, len, sig0);
}

/* A read whose buffer ends in a PROT_NONE page after @ok writable bytes. */
static void do_read_fault(struct thr *t, struct slot *s)
{
	size_t ok = below(t, GUARD_PAGES * PG + 1);
	size_t len = (1 + below(t, (GUARD_PAGES + 1) * PG / 4)) * 4;
	char *p = t->guard + GUARD_PAGES * PG - ok;
	unsigned long sig0 = sigs;
	long r;

	if (s->fd < 0)
		return;
	count(&st->calls[C_READ_FAULT]);
	r = read(s->fd, p, len);
	/* Compare from an aligned copy: p may be misaligned. */
	if (r > 0 && (size_t)r <= ok)
		memcpy(t->buf, p, r);
	check_read(t, s, "partial read", t->buf, len, r, errno, ok, sig0);
}

/* Memory a read cannot write to; a seed cannot read it either but @ro. */
static void *bad_pointer(struct thr *t, int ro)
{
	switch (below(t, 6)) {
	case 0:
		return NULL;
	case 1:
		return t->guard + GUARD_PAGES * PG;	/* PROT_NONE */
	case 2:
		return ro ? t->ro : NULL;		/* read-only */
	case 3:
		return (void *)0xffffffff81000000ul;	/* kernel */
	case 4:
		return (void *)0x8000000000000000ul;	/* non-canonical */
	default:
		return (void *)-4l;
	}
}

/* Seeding fails as documented, or succeeds: keep the model in step. */
static void seed_result(struct thr *t, struct slot *s, long r, int e,
			int by_write, const uint32_t *seed)
{
	if (r < 0 && e == ENODEV) {
		s->card_gone = 1;
		count(&st->enodev);
	} else if (r < 0 && e == EINTR) {
		count(&st->eintr);	/* nothing happened */
	} else if (r < 0 && by_write && s->rdonly && e == EBADF) {
		return;
	} else if (r < 0 && !(e == EFAULT && !seed)) {
		bad(t, "seed by %s%s: %s", by_write ? "write" : "ioctl",
		    seed ? "" : " from a bad pointer", strerrorname_np(e));
	} else if (r >= 0 && (!seed || s->card_gone || s->must_be_gone)) {
		bad(t, "seed by %s %s succeeded", by_write ? "write" : "ioctl",
		    seed ? "on a gone card" : "from a bad pointer");
	} else if (r >= 0) {
		s->seeded = 1;
		s->seed = *seed;
		my_rng_gen_seed(&s->ref, *seed);
	}
}

/* Reads and seeds from unusable memory fail and change nothing. */
static void do_bad(struct thr *t, struct slot *s)
{
	int by_write = below(t, 2), rd = below(t, 2);
	void *p = bad_pointer(t, rd);
	long r;

	if (s->fd < 0)
		return;
	if (rd) {
		size_t len = (1 + below(t, 256)) * 4;
		unsigned long sig0 = sigs;

		count(&st->calls[C_READ_BAD]);
		r = read(s->fd, p, len);
		check_read(t, s, "bad-pointer read", NULL, len, r, errno, 0, sig0);
		return;
	}
	count(&st->calls[C_SEED_BAD]);
	/* Or a u32 straddling the end of the writable pages. */
	if (below(t, 3) == 0)
		p = t->guard + GUARD_PAGES * PG - 2;
	if (by_write)
		r = write(s->fd, p, 4);
	else
		r = ioctl(s->fd, MY_RNG_IOC_SEED, p);
	seed_result(t, s, r, errno, by_write, NULL);
}

static void do_seed(struct thr *t, struct slot *s)
{
	uint32_t seed = below(t, 4) ? (uint32_t)rnd(t) : below(t, 3);
	int by_write = below(t, 2);
	long r;

	if (s->fd < 0)
		return;
	count(&st->calls[C_SEED]);
	if (by_write) {
		r = write(s->fd, &seed, 4);
		if (r >= 0 && r != 4)
			bad(t, "seed by write returned %ld", r);
	} else {
		r = ioctl(s->fd, MY_RNG_IOC_SEED, &seed);
	}
	seed_result(t, s, r, errno, by_write, &seed);
}

static void do_write_bad_len(struct thr *t, struct slot *s)
{
	size_t len = below(t, 2) ? below(t, 4) : 5 + below(t, 64);
	long r;

	if (s->fd < 0)
		return;
	count(&st->calls[C_WRITE]);
	r = write(s->fd, t->buf, len);
	if (r < 0 && s->rdonly && errno == EBADF)
		return;
	if (r >= 0 || errno != EINVAL)
		bad(t, "write of %zu bytes: %ld %s, want EINVAL", len, r,
		    r < 0 ? strerrorname_np(errno) : "");
}

static void do_ioctl(struct thr *t, struct slot *s)
{
	unsigned int cmd;
	long r;

	if (s->fd < 0)
		return;
	count(&st->calls[C_IOCTL]);
	/* Our magic with other numbers, sizes and directions: all ENOTTY. */
	do {
		cmd = _IOC(below(t, 4), MY_RNG_IOC_MAGIC, below(t, 256),
			   below(t, 2) ? 4 : below(t, 1 << 14));
	} while (cmd == MY_RNG_IOC_SEED);
	r = ioctl(s->fd, cmd, t->buf);
	if (r >= 0 || errno != ENOTTY)
		bad(t, "ioctl 0x%x: %ld %s, want ENOTTY", cmd, r,
		    r < 0 ? strerrorname_np(errno) : "");
}

static void do_misc(struct thr *t, struct slot *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN | POLLOUT };
	void *m;
	long r;

	if (s->fd < 0)
		return;
	count(&st->calls[C_MISC]);
	switch (below(t, 3)) {
	case 0:
		/* No poll method: always ready. */
		r = poll(&pfd, 1, 0);
		if (r < 0 ? errno != EINTR : r != 1 || !(pfd.revents & POLLIN))
			bad(t, "poll: %ld revents 0x%x", r, pfd.revents);
		break;
	case 1:
		r = lseek(s->fd, below(t, 100), SEEK_SET);
		if (r >= 0 || errno != ESPIPE)
			bad(t, "lseek: %ld, want ESPIPE", r);
		break;
	default:
		m = mmap(NULL, PG, PROT_READ, MAP_SHARED, s->fd, 0);
		if (m != MAP_FAILED) {
			bad(t, "mmap of the device succeeded");
			munmap(m, PG);
		}
		break;
	}
}

/* The process's shared file: no model, only the errno rules. */
static void do_shared(struct thr *t)
{
	char path[32];
	uint32_t seed;
	long r;
	int fd;

	count(&st->calls[C_SHARED]);
	switch (below(t, 5)) {
	case 0:
		/* Replace the file under the other threads' feet. */
		dev_path(t, path, sizeof(path));
		fd = open(path, O_RDWR);
		if (fd >= 0) {
			dup2(fd, shared_fd);
			close(fd);
		}
		break;
	case 1:
		seed = rnd(t);
		r = ioctl(shared_fd, MY_RNG_IOC_SEED, &seed);
		if (r < 0 && !common_err(errno))
			bad(t, "shared seed: %s", strerrorname_np(errno));
		break;
	case 2:
		/* Into pages another thread keeps changing the protection of. */
		r = read(shared_fd, flip + below(t, PG / 4) * 4,
			 (1 + below(t, 2 * PG / 4)) * 4);
		if (r < 0 && errno != EFAULT && !common_err(errno))
			bad(t, "shared read into flipping pages: %s", strerrorname_np(errno));
		break;
	case 3:
		mprotect(flip + PG, PG, below(t, 2) ? PROT_NONE : PROT_READ | PROT_WRITE);
		break;
	default:
		r = read(shared_fd, t->buf, (1 + below(t, 1024)) * 4);
		if (r < 0 && !common_err(errno))
			bad(t, "shared read: %s", strerrorname_np(errno));
		break;
	}
}

/* A child that uses inherited files and exits with them open. */
static void do_fork(struct thr *t)
{
	pid_t pid;
	int i;

	count(&st->calls[C_FORK]);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 8; i++)
			if (read(shared_fd, t->buf, 64) < 0)
				break;
		_exit(0);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static void step(struct thr *t)
{
	struct slot *s = &t->slot[below(t, NSLOT)];
	unsigned int k = below(t, 100);

	if (s->fd < 0 || k < 3) {
		count(&st->calls[C_OPEN]);
		do_open(t, s);
	} else if (k < 5) {
		count(&st->calls[C_CLOSE]);
		slot_close(s);
	} else if (k < 35) {
		do_read(t, s);
	} else if (k < 50) {
		do_read_fault(t, s);
	} else if (k < 58) {
		do_bad(t, s);
	} else if (k < 75) {
		do_seed(t, s);
	} else if (k < 79) {
		do_write_bad_len(t, s);
	} else if (k < 84) {
		do_ioctl(t, s);
	} else if (k < 88) {
		do_misc(t, s);
	} else if (k < 99 || below(t, 10)) {
		do_shared(t);
	} else {
		do_fork(t);
	}
}

/*
 * A 50 Hz timer signal to this thread alone: a process-wide one may cut
 * short a read in a thread that then finds no signal to handle (another
 * thread took it), which check_read() could not tell from a lost card.
 */
static int thread_timer(timer_t *tm)
{
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	struct sigevent ev;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGALRM;
	/* Debian 12's glibc (2.36) has no public name for this field. */
	ev._sigev_un._tid = gettid();

	return timer_create(CLOCK_MONOTONIC, &ev, tm) ||
	       timer_settime(*tm, 0, &its, NULL);
}

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	unsigned long n = 0;
	timer_t tm;
	int i;

	t->guard = mmap(NULL, (GUARD_PAGES + 1) * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->buf = malloc(MAXREAD + 64);
	if (t->guard == MAP_FAILED || t->ro == MAP_FAILED || !t->buf ||
	    mprotect(t->guard + GUARD_PAGES * PG, PG, PROT_NONE) ||
	    thread_timer(&tm)) {
		bad(t, "cannot set up buffers");
		return NULL;
	}
	while ((++n & 63) || time(NULL) < deadline)
		step(t);
	timer_delete(tm);
	for (i = 0; i < NSLOT; i++)
		slot_close(&t->slot[i]);
	return NULL;
}

static void on_timer(int sig)
{
	(void)sig;
	sigs++;
}

static void worker(unsigned int proc, unsigned int nthreads, uint64_t seed)
{
	struct sigaction sa = { .sa_handler = on_timer };	/* no SA_RESTART */
	pthread_t tid[16];
	struct thr thr[16];
	unsigned int i, k;

	shared_fd = open("/dev/my_rng0", O_RDWR);
	flip = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared_fd < 0 || flip == MAP_FAILED ||
	    mprotect(flip + 2 * PG, PG, PROT_NONE)) {
		fprintf(stderr, "my-rng-fuzz: worker %u: /dev/my_rng0: %s\n",
			proc, strerror(errno));
		count(&st->bad);
		exit(1);
	}
	sigaction(SIGALRM, &sa, NULL);
	for (i = 0; i < nthreads; i++) {
		memset(&thr[i], 0, sizeof(thr[i]));
		for (k = 0; k < NSLOT; k++)
			thr[i].slot[k].fd = -1;
		thr[i].id = proc * 100 + i;
		thr[i].rnd = seed ^ (0x9e3779b97f4a7c15ull * (thr[i].id + 1));
		pthread_create(&tid[i], NULL, thread_main, &thr[i]);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	exit(0);
}

int main(int argc, char **argv)
{
	unsigned int secs, procs = 4, threads = 2, i, k;
	unsigned long total = 0;
	uint64_t seed;
	int status, rc = 0;

	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: my-rng-fuzz SECONDS [PROCS [THREADS [SEED]]]\n");
		return 2;
	}
	secs = strtoul(argv[1], NULL, 0);
	if (argc > 2)
		procs = strtoul(argv[2], NULL, 0);
	if (argc > 3)
		threads = strtoul(argv[3], NULL, 0);
	seed = argc > 4 ? strtoull(argv[4], NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
	if (!procs || procs > 16 || !threads || threads > 16) {
		fprintf(stderr, "my-rng-fuzz: 1-16 processes and threads\n");
		return 2;
	}
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return 2;
	printf("my-rng-fuzz: %u s, %u processes x %u threads, seed 0x%" PRIx64 "\n",
	       secs, procs, threads, seed);
	fflush(stdout);
	deadline = time(NULL) + secs;
	for (i = 0; i < procs; i++)
		if (fork() == 0)
			worker(i, threads, seed + i);
	for (i = 0; i < procs; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "my-rng-fuzz: a worker died (status 0x%x)\n", status);
			rc = 1;
		}
	}
	for (k = 0; k < C_NKIND; k++) {
		printf("  %-16s %lu\n", kind_name[k], st->calls[k]);
		total += st->calls[k];
	}
	printf("my-rng-fuzz: %lu calls, %lu numbers checked against the reference, "
	       "%lu ENODEV, %lu EINTR, %lu unexpected\n",
	       total, st->numbers, st->enodev, st->eintr, st->bad);
	return rc || st->bad ? 1 : 0;
}
