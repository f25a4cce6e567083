/* SPDX-License-Identifier: MIT */
/*
 * Memory ordering for the shared ring, written against the compiler's C11
 * memory model so it holds on every architecture the compiler targets: on
 * x86 acquire and release cost only a compiler barrier, on Arm they are
 * dmb/ldar, and the full barrier is a locked instruction or dmb ish.
 *
 * xen_rmb: loads before it complete before loads after it (acquire fence).
 * xen_wmb: stores before it are visible before stores after it (release).
 * xen_mb:  full barrier (a store before it is visible before a later load).
 * ring.h's macros call these three.
 */
#ifndef VDEVKIT_BF_BARRIER_H
#define VDEVKIT_BF_BARRIER_H

#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

/* One untorn read of an index the peer writes, ordered before what follows. */
#define bf_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)

#endif
