/* SPDX-License-Identifier: MIT */
/*
 * Pulls in the public Xen interface headers (Debian's libxen-dev) with the
 * definitions they expect from their includer: an interface version and the
 * ring barriers (barrier.h).
 */
#ifndef VDEVKIT_XEN_IFACE_H
#define VDEVKIT_XEN_IFACE_H

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif

#include <stddef.h>
#include <stdint.h>

/* ring.h's macros call these; the OS (or libc) provides them. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#include "barrier.h"

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xen/io/xenbus.h>
#include <xen/io/ring.h>
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

#endif
