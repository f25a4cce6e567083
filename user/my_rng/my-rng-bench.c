// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * my-rng-bench: numbers per second through read() of 64 KiB buffers,
 * against the driver's kernel-space loop of raw 32-bit MMIO reads of the
 * same card (debugfs my_rng/<card>/mmio_bench), in the same boot.
 *
 *   my-rng-bench [DEVICE] [COUNT]     defaults /dev/my_rng0, 1048576
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* numbers/s through read() of 64 KiB buffers */
static double bench_read(const char *dev, unsigned long count)
{
	static unsigned int buf[16384];
	unsigned long done = 0;
	double t0;
	ssize_t r;
	int fd = open(dev, O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "my-rng-bench: %s: %s\n", dev, strerror(errno));
		exit(1);
	}
	t0 = now();
	while (done < count) {
		r = read(fd, buf, sizeof(buf));
		if (r <= 0) {
			fprintf(stderr, "my-rng-bench: read: %s\n", strerror(errno));
			exit(1);
		}
		done += r / 4;
	}
	t0 = now() - t0;
	close(fd);
	return done / t0;
}

/* numbers/s of the driver's raw kernel-space MMIO loop */
static double bench_raw(const char *dir, unsigned long count)
{
	char path[300], line[64];
	unsigned long n;
	unsigned long long ns;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/mmio_bench_count", dir);
	snprintf(line, sizeof(line), "%lu", count);
	if (write_file(path, line)) {
		fprintf(stderr, "my-rng-bench: %s: %s (debugfs mounted?)\n", path,
			strerror(errno));
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/mmio_bench", dir);
	fd = open(path, O_RDONLY);
	r = fd >= 0 ? read(fd, line, sizeof(line) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (r <= 0 || (line[r] = 0, sscanf(line, "%lu %llu", &n, &ns) != 2) || !ns) {
		fprintf(stderr, "my-rng-bench: %s: cannot read\n", path);
		exit(1);
	}
	return n / (ns / 1e9);
}

#define ROUNDS 7

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/my_rng0";
	unsigned long count = argc > 2 ? strtoul(argv[2], NULL, 0) : 1048576;
	double rd[ROUNDS], raw[ROUNDS];
	char name[64], dir[128];
	int i;

	snprintf(name, sizeof(name), "%s", dev);
	snprintf(dir, sizeof(dir), "/sys/kernel/debug/my_rng/%s", basename(name));
	/* Alternate the two so both see the same host load; report the median. */
	for (i = 0; i < ROUNDS; i++) {
		rd[i] = bench_read(dev, count);
		raw[i] = bench_raw(dir, count);
		printf("round %d: read() %.0f/s, raw MMIO %.0f/s\n", i + 1, rd[i], raw[i]);
	}
	qsort(rd, ROUNDS, sizeof(rd[0]), cmp_double);
	qsort(raw, ROUNDS, sizeof(raw[0]), cmp_double);
	printf("read() of 64 KiB buffers: %.0f numbers/s (median of %d x %lu)\n",
	       rd[ROUNDS / 2], ROUNDS, count);
	printf("raw kernel MMIO loop:     %.0f numbers/s (median of %d x %lu)\n",
	       raw[ROUNDS / 2], ROUNDS, count);
	printf("ratio read()/raw: %.3f (goal >= 0.9); best-to-best %.3f\n",
	       rd[ROUNDS / 2] / raw[ROUNDS / 2], rd[ROUNDS - 1] / raw[ROUNDS - 1]);
	return 0;
}
