/* SPDX-License-Identifier: MIT */
/*
 * TAP output and small helpers shared by the guest test programs
 * (crypto-test, crypto-auth).
 */
#ifndef VCD_TAP_H
#define VCD_TAP_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *devpath = "/dev/crypto";
static int tapn, nfail;

static void tap(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tapn);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		nfail++;
}

static int open_dev(void)
{
	int fd = open(devpath, O_RDWR);

	if (fd < 0) {
		printf("Bail out! cannot open %s: %s\n", devpath, strerror(errno));
		exit(1);
	}
	return fd;
}

static unsigned char *xalloc(size_t n)
{
	unsigned char *p = calloc(1, n ? n : 1);

	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	return p;
}

#endif /* VCD_TAP_H */
