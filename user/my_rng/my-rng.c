// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * my-rng: print numbers from a my_rng card.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/my_rng.h>

static const char *prog = "my-rng";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [-d DEVICE] [-s SEED] [-n COUNT] [-x]\n"
		"Print COUNT numbers from a my_rng card, one per line.\n\n"
		"  -d, --device DEVICE  character device (default /dev/my_rng0)\n"
		"  -s, --seed SEED      reseed first (decimal or 0x hex, 32 bits)\n"
		"  -n, --count COUNT    how many numbers (default 1)\n"
		"  -x, --hex            print in hex (0x%%08x)\n"
		"  -h, --help           show this help\n", prog);
}

static int parse_u(const char *s, unsigned long long max,
		   unsigned long long *val)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*val = strtoull(s, &end, 0);
	if (errno || *end || *val > max)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "hex", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dev = "/dev/my_rng0";
	unsigned long long seed = 0, count = 1, v;
	int seeded = 0, hex = 0, fd, c;
	uint32_t buf[4096];

	while ((c = getopt_long(argc, argv, "d:s:n:xh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 's':
			if (parse_u(optarg, UINT32_MAX, &seed)) {
				fprintf(stderr, "%s: bad seed '%s': want 0..4294967295 or 0x0..0xffffffff\n",
					prog, optarg);
				return 2;
			}
			seeded = 1;
			break;
		case 'n':
			if (parse_u(optarg, 1ULL << 40, &count)) {
				fprintf(stderr, "%s: bad count '%s': want a non-negative number\n",
					prog, optarg);
				return 2;
			}
			break;
		case 'x':
			hex = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		usage(stderr);
		return 2;
	}

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s%s\n", prog, dev, strerror(errno),
			errno == ENOENT ? " (is the my_rng driver loaded and a card present?)" : "");
		return 1;
	}
	if (seeded) {
		uint32_t s = seed;

		if (ioctl(fd, MY_RNG_IOC_SEED, &s)) {
			fprintf(stderr, "%s: cannot seed %s: %s\n", prog, dev, strerror(errno));
			return 1;
		}
	}
	while (count) {
		size_t n = count < 4096 ? count : 4096;
		ssize_t got = read(fd, buf, n * sizeof(buf[0]));
		size_t i;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: read from %s: %s\n", prog, dev, strerror(errno));
			return 1;
		}
		if (got == 0 || got % sizeof(buf[0])) {
			fprintf(stderr, "%s: short read from %s\n", prog, dev);
			return 1;
		}
		for (i = 0; i < (size_t)got / sizeof(buf[0]); i++) {
			v = buf[i];
			printf(hex ? "0x%08llx\n" : "%llu\n", v);
		}
		count -= got / sizeof(buf[0]);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
