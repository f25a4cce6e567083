/* SPDX-License-Identifier: MIT */
/*
 * Shared by the guest crypto programs and the host vector generator:
 * algorithm names, a seeded generator both sides replay, and a hash used to
 * compare large results without shipping them.
 */
#ifndef VCD_COMMON_H
#define VCD_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct vcd_algdesc {
	const char *name;	/* OpenSSL's name */
	unsigned int cop;	/* cryptodev number (see linux/cryptodev.h) */
	unsigned int keylen;
	unsigned int ivlen;
	unsigned int blk;	/* length granularity for CIOCCRYPT */
	int chained_iv;		/* COP_FLAG_WRITE_IV returns the next IV */
};

/* cryptodev numbers written out so the host side needs no kernel header. */
static const struct vcd_algdesc vcd_algdescs[] = {
	{ "aes-128-ecb", 23, 16, 0, 16, 0 },
	{ "aes-192-ecb", 23, 24, 0, 16, 0 },
	{ "aes-256-ecb", 23, 32, 0, 16, 0 },
	{ "aes-128-cbc", 11, 16, 16, 16, 1 },
	{ "aes-192-cbc", 11, 24, 16, 16, 1 },
	{ "aes-256-cbc", 11, 32, 16, 16, 1 },
	{ "aes-128-ctr", 21, 16, 16, 1, 1 },
	{ "aes-192-ctr", 21, 24, 16, 1, 1 },
	{ "aes-256-ctr", 21, 32, 16, 1, 1 },
	{ "aes-128-xts", 22, 32, 16, 16, 0 },
	{ "aes-256-xts", 22, 64, 16, 16, 0 },
	{ "des-ede3-cbc", 2, 24, 8, 8, 1 },
};

#define VCD_NALGS (sizeof(vcd_algdescs) / sizeof(vcd_algdescs[0]))

static inline const struct vcd_algdesc *vcd_alg_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < VCD_NALGS; i++)
		if (!strcmp(vcd_algdescs[i].name, name))
			return &vcd_algdescs[i];
	return NULL;
}

/* Hashes and HMACs: OpenSSL's digest name, cryptodev mac number. */
struct vcd_macdesc {
	const char *name;
	const char *md;
	unsigned int cop;
	int hmac;
	unsigned int dlen;
};

static const struct vcd_macdesc vcd_macdescs[] = {
	{ "md5", "md5", 13, 0, 16 },
	{ "sha1", "sha1", 14, 0, 20 },
	{ "sha224", "sha224", 103, 0, 28 },
	{ "sha256", "sha256", 104, 0, 32 },
	{ "sha384", "sha384", 105, 0, 48 },
	{ "sha512", "sha512", 106, 0, 64 },
	{ "hmac-md5", "md5", 6, 1, 16 },
	{ "hmac-sha1", "sha1", 7, 1, 20 },
	{ "hmac-sha224", "sha224", 107, 1, 28 },
	{ "hmac-sha256", "sha256", 18, 1, 32 },
	{ "hmac-sha384", "sha384", 19, 1, 48 },
	{ "hmac-sha512", "sha512", 20, 1, 64 },
};

#define VCD_NMACS (sizeof(vcd_macdescs) / sizeof(vcd_macdescs[0]))

static inline const struct vcd_macdesc *vcd_mac_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < VCD_NMACS; i++)
		if (!strcmp(vcd_macdescs[i].name, name))
			return &vcd_macdescs[i];
	return NULL;
}

/* xorshift64*: the same bytes on host and guest for the same seed. */
static inline uint64_t vcd_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static inline void vcd_fill(uint64_t *s, unsigned char *p, size_t n)
{
	while (n) {
		uint64_t r = vcd_rand(s);
		size_t k = n < 8 ? n : 8;

		memcpy(p, &r, k);
		p += k;
		n -= k;
	}
}

/* FNV-1a, 64 bit: enough to tell results apart, not a security hash. */
static inline uint64_t vcd_fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Offsets exercised for odd alignment of source and destination. */
static const unsigned int vcd_offsets[] = { 0, 1, 3, 7, 64, 2049, 4095 };

#define VCD_NOFFSETS (sizeof(vcd_offsets) / sizeof(vcd_offsets[0]))

#endif /* VCD_COMMON_H */
