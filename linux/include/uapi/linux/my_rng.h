/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * my_rng: user interface of the my_rng PCI PRNG driver (/dev/my_rngN).
 *
 * read() returns native-endian 32-bit numbers (length a multiple of 4).
 * write() of exactly one __u32, or MY_RNG_IOC_SEED, reseeds the stream
 * seen by this open file.  See docs/my_rng.md.
 */
#ifndef _UAPI_LINUX_MY_RNG_H
#define _UAPI_LINUX_MY_RNG_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MY_RNG_IOC_MAGIC	0xB7
#define MY_RNG_IOC_SEED		_IOW(MY_RNG_IOC_MAGIC, 1, __u32)

#endif /* _UAPI_LINUX_MY_RNG_H */
