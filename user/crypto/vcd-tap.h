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
#include <sys/ioctl.h>
#include <linux/cryptodev.h>

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

/*
 * CIOCGSESSION: a cipher, a hash or MAC (mac), or both; *ses set on
 * success only.
 */
static int sess(int fd, unsigned int cipher, const void *key,
		unsigned int klen, unsigned int mac, const void *mkey,
		unsigned int mklen, uint32_t *ses)
{
	struct session_op so;

	memset(&so, 0, sizeof(so));
	so.cipher = cipher;
	so.keylen = klen;
	so.key = (void *)key;
	so.mac = mac;
	so.mackeylen = mklen;
	so.mackey = (void *)mkey;
	if (ioctl(fd, CIOCGSESSION, &so))
		return -errno;
	*ses = so.ses;
	return 0;
}

#endif /* VCD_TAP_H */
