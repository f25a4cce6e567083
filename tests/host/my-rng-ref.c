// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * my-rng-ref: the host-side reference of the my_rng stream.
 *   my-rng-ref SEED COUNT   native-endian 32-bit numbers to stdout
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "hw/misc/my_rng_gen.h"

int main(int argc, char **argv)
{
	static uint32_t buf[4096];
	unsigned long count;
	MyRngGen g;
	size_t i, n;

	if (argc != 3) {
		fprintf(stderr, "usage: my-rng-ref SEED COUNT\n");
		return 2;
	}
	my_rng_gen_seed(&g, strtoul(argv[1], NULL, 0));
	for (count = strtoul(argv[2], NULL, 0); count; count -= n) {
		n = count < 4096 ? count : 4096;
		for (i = 0; i < n; i++)
			buf[i] = my_rng_gen_next(&g);
		if (fwrite(buf, sizeof(buf[0]), n, stdout) != n)
			return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
