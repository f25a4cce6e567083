// SPDX-License-Identifier: MIT
/*
 * crypto-demo: encrypt and decrypt a message through /dev/crypto with
 * AES-128-CBC, show who did the work, and check the round trip.
 *
 *   crypto-demo [-d DEV] [MESSAGE]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/cryptodev.h>

static void hex(const char *label, const unsigned char *p, size_t n)
{
	size_t i;

	printf("%-11s", label);
	for (i = 0; i < n; i++)
		printf("%02x%s", p[i], i % 16 == 15 && i + 1 < n ? "\n           " : "");
	printf("\n");
}

int main(int argc, char **argv)
{
	static const unsigned char key[16] = {
		0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
		0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
	};
	const char *dev = "/dev/crypto", *msg = "Hello from the guest, encrypted by the host!";
	unsigned char iv[16], pt[256], ct[256], back[256];
	struct session_info_op info;
	struct session_op sess;
	struct crypt_op op;
	size_t len, padded;
	int fd, opt;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd') {
			fprintf(stderr, "usage: crypto-demo [-d DEV] [MESSAGE]\n");
			return 2;
		}
		dev = optarg;
	}
	if (optind < argc)
		msg = argv[optind];
	len = strlen(msg);
	if (len > 200) {
		fprintf(stderr, "crypto-demo: message longer than 200 bytes\n");
		return 2;
	}
	/* PKCS#7 padding: CBC works on whole blocks. */
	padded = (len / 16 + 1) * 16;
	memcpy(pt, msg, len);
	memset(pt + len, (int)(padded - len), padded - len);

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "crypto-demo: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	memset(&sess, 0, sizeof(sess));
	sess.cipher = CRYPTO_AES_CBC;
	sess.keylen = sizeof(key);
	sess.key = (unsigned char *)key;
	if (ioctl(fd, CIOCGSESSION, &sess)) {
		fprintf(stderr, "crypto-demo: CIOCGSESSION: %s\n", strerror(errno));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	info.ses = sess.ses;
	if (ioctl(fd, CIOCGSESSINFO, &info)) {
		fprintf(stderr, "crypto-demo: CIOCGSESSINFO: %s\n", strerror(errno));
		return 1;
	}
	printf("device:    %s\n", dev);
	printf("algorithm: %s\n", info.cipher_info.cra_name);
	printf("driver:    %s%s\n", info.cipher_info.cra_driver_name,
	       info.flags & SIOP_FLAG_KERNEL_DRIVER_ONLY ?
	       " (offloaded, not done by this CPU)" : "");
	printf("message:   %s\n", msg);

	memset(iv, 0, sizeof(iv));
	memset(&op, 0, sizeof(op));
	op.ses = sess.ses;
	op.op = COP_ENCRYPT;
	op.len = padded;
	op.src = pt;
	op.dst = ct;
	op.iv = iv;
	if (ioctl(fd, CIOCCRYPT, &op)) {
		fprintf(stderr, "crypto-demo: encrypt: %s\n", strerror(errno));
		return 1;
	}
	hex("encrypted:", ct, padded);
	op.op = COP_DECRYPT;
	op.src = ct;
	op.dst = back;
	if (ioctl(fd, CIOCCRYPT, &op)) {
		fprintf(stderr, "crypto-demo: decrypt: %s\n", strerror(errno));
		return 1;
	}
	printf("decrypted: %.*s\n", (int)len, back);
	ioctl(fd, CIOCFSESSION, &sess.ses);
	close(fd);
	if (memcmp(pt, back, padded) || !memcmp(pt, ct, padded)) {
		printf("round trip: FAILED\n");
		return 1;
	}
	printf("round trip: ok\n");
	return 0;
}
