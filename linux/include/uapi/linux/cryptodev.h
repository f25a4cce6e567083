/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The cryptodev /dev/crypto interface, as served by virtio_cryptodev.
 *
 * Written from the published ABI of cryptodev-linux (its crypto/cryptodev.h):
 * the ioctl numbers, algorithm numbers, flag bits and structure layouts are
 * identical, so a program builds unchanged against either header and runs
 * against either driver.  Only the symmetric cipher subset is implemented by
 * virtio_cryptodev; the rest is declared so that existing programs compile.
 */
#ifndef _UAPI_LINUX_CRYPTODEV_H
#define _UAPI_LINUX_CRYPTODEV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#ifndef __KERNEL__
#ifndef __user
#define __user
#endif
#endif

#define CRYPTO_HMAC_MAX_KEY_LEN		512
#define CRYPTO_CIPHER_MAX_KEY_LEN	64

/* Algorithm numbers for session_op.cipher / .mac. */
enum cryptodev_crypto_op_t {
	CRYPTO_DES_CBC = 1,
	CRYPTO_3DES_CBC = 2,
	CRYPTO_BLF_CBC = 3,
	CRYPTO_CAST_CBC = 4,
	CRYPTO_SKIPJACK_CBC = 5,
	CRYPTO_MD5_HMAC = 6,
	CRYPTO_SHA1_HMAC = 7,
	CRYPTO_RIPEMD160_HMAC = 8,
	CRYPTO_MD5_KPDK = 9,
	CRYPTO_SHA1_KPDK = 10,
	CRYPTO_RIJNDAEL128_CBC = 11,
	CRYPTO_AES_CBC = 11,
	CRYPTO_ARC4 = 12,
	CRYPTO_MD5 = 13,
	CRYPTO_SHA1 = 14,
	CRYPTO_DEFLATE_COMP = 15,
	CRYPTO_NULL = 16,
	CRYPTO_LZS_COMP = 17,
	CRYPTO_SHA2_256_HMAC = 18,
	CRYPTO_SHA2_384_HMAC = 19,
	CRYPTO_SHA2_512_HMAC = 20,
	CRYPTO_AES_CTR = 21,
	CRYPTO_AES_XTS = 22,
	CRYPTO_AES_ECB = 23,
	CRYPTO_AES_GCM = 50,
	CRYPTO_842 = 65,
	CRYPTO_LZO = 66,
	CRYPTO_CAMELLIA_CBC = 101,
	CRYPTO_RIPEMD160 = 102,
	CRYPTO_SHA2_224 = 103,
	CRYPTO_SHA2_256 = 104,
	CRYPTO_SHA2_384 = 105,
	CRYPTO_SHA2_512 = 106,
	CRYPTO_SHA2_224_HMAC = 107,
	CRYPTO_TLS11_AES_CBC_HMAC_SHA1 = 108,
	CRYPTO_TLS12_AES_CBC_HMAC_SHA256 = 109,
	CRYPTO_ALGORITHM_ALL = 110
};

#define CRYPTO_ALGORITHM_MAX		(CRYPTO_ALGORITHM_ALL - 1)

/* Block sizes in bytes. */
#define DES_BLOCK_LEN			8
#define DES3_BLOCK_LEN			8
#define RIJNDAEL128_BLOCK_LEN		16
#define AES_BLOCK_LEN			16
#define CAMELLIA_BLOCK_LEN		16
#define BLOWFISH_BLOCK_LEN		8
#define SKIPJACK_BLOCK_LEN		8
#define CAST128_BLOCK_LEN		8
#define EALG_MAX_BLOCK_LEN		16

#define AALG_MAX_RESULT_LEN		64
#define CRYPTODEV_MAX_ALG_NAME		64
#define HASH_MAX_LEN			64

/* CIOCGSESSION: in: algorithms and keys; out: ses. */
struct session_op {
	__u32 cipher;
	__u32 mac;
	__u32 keylen;
	__u8 __user *key;
	__u32 mackeylen;
	__u8 __user *mackey;
	__u32 ses;
};

/* CIOCGSESSINFO: in: ses; out: names of the implementation. */
struct session_info_op {
	__u32 ses;
	struct alg_info {
		char cra_name[CRYPTODEV_MAX_ALG_NAME];
		char cra_driver_name[CRYPTODEV_MAX_ALG_NAME];
	} cipher_info, hash_info;
	__u16 alignmask;
	__u32 flags;
};

/* session_info_op.flags: the work is done by a device, not by the CPU. */
#define SIOP_FLAG_KERNEL_DRIVER_ONLY	1

#define COP_ENCRYPT			0
#define COP_DECRYPT			1

/* CIOCCRYPT: one cipher operation of len bytes from src to dst. */
struct crypt_op {
	__u32 ses;
	__u16 op;
	__u16 flags;
	__u32 len;
	__u8 __user *src;
	__u8 __user *dst;
	__u8 __user *mac;
	__u8 __user *iv;
};

/* CIOCAUTHCRYPT (not implemented by virtio_cryptodev). */
struct crypt_auth_op {
	__u32 ses;
	__u16 op;
	__u16 flags;
	__u32 len;
	__u32 auth_len;
	__u8 __user *auth_src;
	__u8 __user *src;
	__u8 __user *dst;
	__u8 __user *tag;
	__u32 tag_len;
	__u8 __user *iv;
	__u32 iv_len;
};

/* crypt_op.flags */
#define COP_FLAG_NONE			0
#define COP_FLAG_UPDATE			0x0001
#define COP_FLAG_FINAL			0x0002
#define COP_FLAG_WRITE_IV		0x0004
#define COP_FLAG_NO_ZC			0x0008
#define COP_FLAG_AEAD_TLS_TYPE		0x0010
#define COP_FLAG_AEAD_SRTP_TYPE		0x0020
#define COP_FLAG_RESET			0x0040

/* Asymmetric operations (not implemented by virtio_cryptodev). */
#define CRYPTO_ALG_FLAG_SUPPORTED	1
#define CRYPTO_ALG_FLAG_RNG_ENABLE	2
#define CRYPTO_ALG_FLAG_DSA_SHA		4

struct crparam {
	__u8 *crp_p;
	__u32 crp_nbits;
};

#define CRK_MAXPARAM			8

struct crypt_kop {
	__u32 crk_op;
	__u32 crk_status;
	__u16 crk_iparams;
	__u16 crk_oparams;
	__u32 crk_pad1;
	struct crparam crk_param[CRK_MAXPARAM];
};

enum cryptodev_crk_op_t {
	CRK_MOD_EXP = 0,
	CRK_MOD_EXP_CRT = 1,
	CRK_DSA_SIGN = 2,
	CRK_DSA_VERIFY = 3,
	CRK_DH_COMPUTE_KEY = 4,
	CRK_ALGORITHM_ALL
};

#define CRK_ALGORITHM_MAX		(CRK_ALGORITHM_ALL - 1)

#define CRF_MOD_EXP			0x01
#define CRF_MOD_EXP_CRT			0x02
#define CRF_DSA_SIGN			0x04
#define CRF_DSA_VERIFY			0x08
#define CRF_DH_COMPUTE_KEY		0x10

struct cphash_op {
	__u32 dst_ses;
	__u32 src_ses;
};

#define CRIOGET				_IOWR('c', 101, __u32)
#define CIOCGSESSION			_IOWR('c', 102, struct session_op)
#define CIOCFSESSION			_IOW('c', 103, __u32)
#define CIOCCRYPT			_IOWR('c', 104, struct crypt_op)
#define CIOCKEY				_IOWR('c', 105, struct crypt_kop)
#define CIOCASYMFEAT			_IOR('c', 106, __u32)
#define CIOCGSESSINFO			_IOWR('c', 107, struct session_info_op)
#define CIOCAUTHCRYPT			_IOWR('c', 109, struct crypt_auth_op)
#define CIOCASYNCCRYPT			_IOW('c', 110, struct crypt_op)
#define CIOCASYNCFETCH			_IOR('c', 111, struct crypt_op)
#define CIOCCPHASH			_IOW('c', 112, struct cphash_op)

/* CRIOGET is accepted but not needed: the /dev/crypto fd works directly. */
#define CRIOGET_NOT_NEEDED		1

#endif /* _UAPI_LINUX_CRYPTODEV_H */
