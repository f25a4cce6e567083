// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * my-rng-bench: numbers per second through read() of 64 KiB buffers,
 * against the driver's kernel-space loop of raw 32-bit MMIO reads of the
 * same card (debugfs my_rng/<card>/mmio_bench), in the same boot.
 *
 *   my-rng-bench [DEVICE] [COUNT]     defaults /dev/my_rng0, 2097152
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

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/my_rng0";
	unsigned long count = argc > 2 ? strtoul(argv[2], NULL, 0) : 2097152;
	static unsigned int buf[16384];
	char dbg[256], line[64], name[64];
	unsigned long done = 0, raw_n;
	unsigned long long raw_ns;
	double t0, t, rate, raw_rate;
	int fd, dfd;
	ssize_t r;

	fd = open(dev, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "my-rng-bench: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	t0 = now();
	while (done < count) {
		r = read(fd, buf, sizeof(buf));
		if (r <= 0) {
			fprintf(stderr, "my-rng-bench: read: %s\n", strerror(errno));
			return 1;
		}
		done += r / 4;
	}
	t = now() - t0;
	rate = done / t;
	close(fd);

	snprintf(name, sizeof(name), "%s", dev);
	snprintf(dbg, sizeof(dbg), "/sys/kernel/debug/my_rng/%s/mmio_bench_count",
		 basename(name));
	snprintf(line, sizeof(line), "%lu", count);
	if (write_file(dbg, line)) {
		fprintf(stderr, "my-rng-bench: %s: %s (debugfs mounted?)\n", dbg,
			strerror(errno));
		return 1;
	}
	dbg[strlen(dbg) - strlen("_count")] = 0;
	dfd = open(dbg, O_RDONLY);
	r = dfd >= 0 ? read(dfd, line, sizeof(line) - 1) : -1;
	if (r <= 0 || (line[r] = 0, sscanf(line, "%lu %llu", &raw_n, &raw_ns) != 2) ||
	    !raw_ns) {
		fprintf(stderr, "my-rng-bench: %s: cannot read\n", dbg);
		return 1;
	}
	raw_rate = raw_n / (raw_ns / 1e9);

	printf("read() 64 KiB: %lu numbers in %.3f s = %.0f numbers/s\n", done, t, rate);
	printf("raw MMIO loop: %lu numbers in %.3f s = %.0f numbers/s\n", raw_n,
	       raw_ns / 1e9, raw_rate);
	printf("ratio read()/raw: %.3f (goal >= 0.9)\n", rate / raw_rate);
	return 0;
}
