/* SPDX-License-Identifier: MIT */
/*
 * The block layer: devices found under device/vbd, driven by the blkfront
 * core, and a write-through block cache in front of them. Reads below
 * BLK_WHOLE_MIN go through the cache one block at a time; larger reads and
 * every write go to the driver whole, so the driver can fill its ring with
 * big (indirect) requests. "Seed mode" reproduces the seed's shape for
 * comparison: every transfer is cut into single blocks, one request in
 * flight, no persistent grants.
 */
#ifndef VDEVKIT_BLK_H
#define VDEVKIT_BLK_H

#include "os.h"
#include "../blkfront/blkfront.h"

#define BLK_BS 4096u		/* cache block size */
#define BLK_CACHE_BLOCKS 64
#define BLK_WHOLE_MIN (16 * 1024)	/* reads from here on: to the driver */
#define BLK_MAX_DEVS 4

struct blkdev {
	char node[48];		/* device/vbd/<id> */
	unsigned int id;
	struct blkfront bf;
	int attached;
};

extern int blk_seed_mode;
/* Returns from the port's wait(): all, and with the device's /
 * XenStore's event pending (neither: timeout or a wake-up for nothing).
 */
extern struct blk_wakes {
	uint64_t all, dev, xs;
} blk_wakes;
extern unsigned int blk_max_segs;	/* 0: the core's default */
/*
 * The OS's long-lived I/O buffers: blk_open hands them to blkfront
 * (blkfront_add_buffer), so transfers in them skip the pool's copy,
 * unless blk_copy_mode (or seed mode) is set.
 */
extern int blk_copy_mode;
/* The port's wait() checks the event this many times before blocking. */
extern uint64_t blk_spin;
void blk_set_spin_us(uint64_t us);
int blk_add_io_buffer(void *va, size_t len);

const struct bf_port *blk_port(void);
/* Fill ids[] with the vbd ids under device/vbd; returns the count. */
int blk_scan(unsigned int *ids, int max);
int blk_open(struct blkdev *d, unsigned int id);
int blk_read(struct blkdev *d, uint64_t sector, void *buf, size_t len);
int blk_write(struct blkdev *d, uint64_t sector, const void *buf, size_t len);
int blk_flush(struct blkdev *d);
void blk_cache_drop(struct blkdev *d);

#endif
