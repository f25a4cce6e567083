// SPDX-License-Identifier: MIT
/*
 * xbench: the Linux side of the Xen block benchmark, the same workloads
 * our guest OS runs (xen/os/main.c bench_mode): sequential 1 MiB writes
 * and reads, 4 KiB random reads at QD1 and QD32, all O_DIRECT (so the
 * page cache cannot answer), QD32 through Linux AIO. Prints
 * "BENCH linux <workload> <value> <unit>" lines.
 *
 *   xbench DEVICE [SECONDS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#define QD 32

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void line(const char *what, uint64_t units, uint64_t ns, int mb)
{
	double v = ns ? (double)units * 1e9 / (double)ns : 0;

	if (mb)
		printf("BENCH linux %s %.2f MB/s\n", what, v / 1e6);
	else
		printf("BENCH linux %s %.0f IOPS\n", what, v);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	uint64_t secs = argc > 2 ? strtoull(argv[2], NULL, 0) : 3;
	uint64_t size = 0, area, t0, dl, bytes, ops;
	aio_context_t ctx = 0;
	struct iocb cb[QD], *cbp[QD];
	struct io_event ev[QD];
	char *buf;
	int fd, i, w, n, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: xbench DEVICE [SECONDS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0) {
		fprintf(stderr, "xbench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	area = (size < (64ull << 20) ? size : (64ull << 20)) & ~((1ull << 20) - 1);
	if (!area || posix_memalign((void **)&buf, 4096, 1 << 20)) {
		fprintf(stderr, "xbench: device too small or no memory\n");
		return 1;
	}
	for (i = 0; i < (1 << 20); i++)
		buf[i] = (char)(i * 7);
	for (w = 0; w < 2; w++) {
		bytes = 0;
		t0 = now_ns();
		dl = t0 + secs * 1000000000ull;
		while (now_ns() < dl) {
			off_t off = (off_t)(bytes % area);
			ssize_t r = w ? pread(fd, buf, 1 << 20, off)
				      : pwrite(fd, buf, 1 << 20, off);

			if (r != 1 << 20) {
				perror("xbench: 1 MiB I/O");
				return 1;
			}
			bytes += 1 << 20;
		}
		line(w ? "seq-read-1M" : "seq-write-1M", bytes, now_ns() - t0, 1);
	}
	ops = 0;
	t0 = now_ns();
	dl = t0 + secs * 1000000000ull;
	while (now_ns() < dl) {
		if (pread(fd, buf, 4096, (off_t)(rnd() % (area / 4096)) * 4096) != 4096) {
			perror("xbench: 4 KiB read");
			return 1;
		}
		ops++;
	}
	line("rand-read-4k-qd1", ops, now_ns() - t0, 0);

	if (syscall(SYS_io_setup, QD, &ctx) < 0) {
		perror("xbench: io_setup");
		return 1;
	}
	for (i = 0; i < QD; i++) {
		memset(&cb[i], 0, sizeof(cb[i]));
		cb[i].aio_fildes = (uint32_t)fd;
		cb[i].aio_lio_opcode = IOCB_CMD_PREAD;
		cb[i].aio_buf = (uint64_t)(uintptr_t)(buf + i * 4096);
		cb[i].aio_nbytes = 4096;
		cb[i].aio_offset = (int64_t)(rnd() % (area / 4096)) * 4096;
		cb[i].aio_data = (uint64_t)i;
		cbp[i] = &cb[i];
	}
	ops = 0;
	t0 = now_ns();
	dl = t0 + secs * 1000000000ull;
	if (syscall(SYS_io_submit, ctx, QD, cbp) != QD) {
		perror("xbench: io_submit");
		return 1;
	}
	n = QD;
	while (n) {
		int got = (int)syscall(SYS_io_getevents, ctx, 1, QD, ev, NULL);
		int re = 0;

		if (got < 0) {
			perror("xbench: io_getevents");
			return 1;
		}
		/* Reissue what completed in one io_submit, as our guest does. */
		for (i = 0; i < got; i++) {
			struct iocb *c = &cb[ev[i].data];

			if (ev[i].res != 4096)
				rc = 1;
			ops++;
			n--;
			if (now_ns() >= dl)
				continue;
			c->aio_offset = (int64_t)(rnd() % (area / 4096)) * 4096;
			cbp[re++] = c;
		}
		if (re && syscall(SYS_io_submit, ctx, re, cbp) != re) {
			perror("xbench: io_submit");
			return 1;
		}
		n += re;
	}
	line("rand-read-4k-qd32", ops, now_ns() - t0, 0);
	return rc;
}
