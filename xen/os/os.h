/* SPDX-License-Identifier: MIT */
/* The vdevkit Xen guest OS: shared declarations. */
#ifndef VDEVKIT_OS_H
#define VDEVKIT_OS_H

#include <stdarg.h>
#include "../blkfront/blkfront.h"
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>

#define PAGE_SIZE 4096ul
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define NORETURN __attribute__((noreturn))

/* lib.c */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t strtou64(const char *s, const char **end);
struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, char hex[65]);

/* hyp.c: hypercalls, shared info, time, events, grants, console */
long hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
	       unsigned long a3, unsigned long a4, unsigned long a5);
#define HYPERVISOR_memory_op(c, a) \
	hypercall(__HYPERVISOR_memory_op, (c), (unsigned long)(a), 0, 0, 0)
#define HYPERVISOR_event_channel_op(c, a) \
	hypercall(__HYPERVISOR_event_channel_op, (c), (unsigned long)(a), 0, 0, 0)
#define HYPERVISOR_sched_op(c, a) \
	hypercall(__HYPERVISOR_sched_op, (c), (unsigned long)(a), 0, 0, 0)
#define HYPERVISOR_hvm_op(c, a) \
	hypercall(__HYPERVISOR_hvm_op, (c), (unsigned long)(a), 0, 0, 0)
#define HYPERVISOR_grant_table_op(c, a, n) \
	hypercall(__HYPERVISOR_grant_table_op, (c), (unsigned long)(a), (n), 0, 0)

int hyp_init(void);
uint64_t hvm_param(unsigned int idx);
uint64_t now_ns(void);
uint64_t now_coarse_ns(void);
int vcpu_runstate(struct vcpu_runstate_info *r);

/* Event channels: ports stay masked; we poll instead of taking upcalls. */
int evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
void evtchn_close(evtchn_port_t port);
void evtchn_notify(evtchn_port_t port);
int evtchn_test_and_clear(evtchn_port_t port);
int evtchn_pending(evtchn_port_t port);
/* Block until one of ports is pending or deadline (ns, 0 = none). */
void evtchn_poll(const evtchn_port_t *ports, unsigned int n, uint64_t deadline);

int gnttab_init(void);
int gnttab_grant(domid_t dom, unsigned long gfn, int ro, grant_ref_t *ref);
int gnttab_end(grant_ref_t ref);

void console_init(void);
void console_write(const char *s, size_t n);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void debug_e9(const char *s);
NORETURN void poweroff(int code);
NORETURN void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* mm.c */
void mm_init(const struct hvm_start_info *si);
void *alloc_pages(unsigned int n);
void free_pages(void *p, unsigned int n);
void *kzalloc(size_t size);
void kfree(void *p);
unsigned long mm_free_pages(void);
extern char _image_start[], _image_end[];

/* xenstore.c */
int xs_init(void);
int xs_read(uint32_t txn, const char *path, char *buf, size_t len);
int xs_write(uint32_t txn, const char *path, const char *val);
int xs_rm(uint32_t txn, const char *path);
/* NUL-separated names into buf; returns the count or -errno. */
int xs_directory(uint32_t txn, const char *path, char *buf, size_t len);
int xs_txn_start(uint32_t *txn);
int xs_txn_end(uint32_t txn, int abort);
int xs_watch(const char *path, const char *token);
int xs_unwatch(const char *path, const char *token);
/* Handle pending XenStore traffic; calls the watch callback per event. */
typedef void (*xs_watch_cb)(const char *path, const char *token);
void xs_set_watch_cb(xs_watch_cb cb);
void xs_poll(void);
int xs_pending(void);
evtchn_port_t xs_port(void);
extern domid_t xs_domid;

#endif
