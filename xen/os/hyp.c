// SPDX-License-Identifier: MIT
/*
 * Talking to Xen: the hypercall page, HVM params, shared info and time,
 * event channels (2-level ABI, always masked and polled), grant table v1,
 * the PV console ring and shutdown.
 */
#include "os.h"
#include <xen/arch-x86/cpuid.h>

extern char hypercall_page[];
extern const uint64_t isr_table[32];

static struct shared_info *shinfo;
static struct xencons_interface *cons;
static evtchn_port_t cons_port;
static int e9_mirror = 1;	/* until the console ring is up */

long hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
	       unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	void *entry = hypercall_page + nr * 32;
	long ret;

	/* Debug hypervisors scribble on argument registers: list them all. */
	__asm__ volatile("call *%[e]"
			 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
			   "+r"(r8)
			 : [e] "r"(entry)
			 : "memory", "rcx", "r11");
	return ret;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

void debug_e9(const char *s)
{
	while (*s)
		outb(0xe9, (uint8_t)*s++);
}

/* ---- exceptions: report and crash the domain, never hang ---- */

struct trap_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

void trap_handler(struct trap_frame *f);
void trap_handler(struct trap_frame *f)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	e9_mirror = 1;
	printf("\nFATAL: exception %lu error %lx rip %lx rsp %lx cr2 %lx\n",
	       (unsigned long)f->vector, (unsigned long)f->error,
	       (unsigned long)f->rip, (unsigned long)f->rsp,
	       (unsigned long)cr2);
	printf("VDEVKIT-EXIT 99\n");
	poweroff(99);
}

static void idt_init(void)
{
	static uint64_t idt[64] __attribute__((aligned(16)));
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint64_t)idt };
	int i;

	for (i = 0; i < 32; i++) {
		uint64_t a = isr_table[i];

		idt[2 * i] = (a & 0xffff) | (0x08ull << 16) | (0x8eull << 40) |
			     ((a >> 16) & 0xffff) << 48;
		idt[2 * i + 1] = a >> 32;
	}
	__asm__ volatile("lidt %0" : : "m"(desc));
}

/* ---- hypercall page, params, shared info ---- */

uint64_t hvm_param(unsigned int idx)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = idx };

	if (HYPERVISOR_hvm_op(HVMOP_get_param, &p) < 0)
		return 0;
	return p.value;
}

/* Put a Xen-owned frame (shared info, grant table) at our page's gfn. */
static int map_space(unsigned int space, unsigned long idx, void *va)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = space, .idx = idx,
		.gpfn = (uintptr_t)va >> 12,
	};

	return (int)HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x);
}

int hyp_init(void)
{
	uint32_t base, a, b, c, d, i;

	idt_init();
	for (base = XEN_CPUID_FIRST_LEAF; base < 0x40010000; base += 0x100) {
		cpuid(base, &a, &b, &c, &d);
		if (b == XEN_CPUID_SIGNATURE_EBX && c == XEN_CPUID_SIGNATURE_ECX &&
		    d == XEN_CPUID_SIGNATURE_EDX && a - base >= 2)
			break;
	}
	if (base >= 0x40010000) {
		debug_e9("vdevkit-xen: not running on Xen\n");
		return -1;
	}
	cpuid(base + 2, &a, &b, &c, &d);
	/*
	 * EAX: how many hypercall pages Xen has, EBX: the MSR that places one
	 * (page address | index). Every hypercall we make is in the first.
	 */
	for (i = 0; i < a && i < 1; i++)
		wrmsr(b, (uintptr_t)hypercall_page + i);
	return 0;
}

static int shinfo_init(void)
{
	void *p = alloc_pages(1);
	int rc;

	if (!p)
		return -BF_ENOMEM;
	rc = map_space(XENMAPSPACE_shared_info, 0, p);
	if (rc < 0)
		return rc;
	shinfo = p;
	/* Mask everything: we poll ports, Xen never interrupts us. */
	memset(shinfo->evtchn_mask, 0xff, sizeof(shinfo->evtchn_mask));
	return 0;
}

/*
 * Xen's system time: as of this vCPU's last time update if !precise
 * (Xen updates it each time it schedules the vCPU in, so after every
 * wait, and at its periodic calibration), else now, from the TSC.  Xen
 * traps rdtsc for a PVH guest when the TSC is not invariant (so on the
 * test bed: 130-730 us a read under load, as much as a hypercall, measured
 * by xen-bench's "guest costs"), and an I/O loop that checked a deadline
 * per I/O paid that per I/O: deadlines and timeouts use the coarse time.
 */
static uint64_t xen_time(int precise)
{
	const struct vcpu_time_info *t;
	uint32_t ver;
	uint64_t tsc = 0, sys, stamp, delta;
	uint32_t mul;
	int8_t shift;

	if (!shinfo)
		return 0;
	t = &shinfo->vcpu_info[0].time;
	do {
		ver = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (precise)
			tsc = rdtsc();
		sys = t->system_time;
		stamp = t->tsc_timestamp;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((ver & 1) || ver != t->version);
	if (!precise)
		return sys;
	delta = tsc - stamp;
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return sys + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t now_ns(void)
{
	return xen_time(1);
}

uint64_t now_coarse_ns(void)
{
	return xen_time(0);
}

/*
 * This vCPU's time running, runnable (wanting the CPU while another
 * domain has it) and blocked, as Xen accounts it: where an I/O's time
 * went without a clock read per step.
 */
int vcpu_runstate(struct vcpu_runstate_info *r)
{
	return (int)hypercall(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info,
			      0, (unsigned long)r, 0, 0);
}

/* ---- event channels ---- */

int evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF,
					   .remote_dom = remote };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	if (rc < 0)
		return (int)rc;
	*port = op.port;
	return 0;
}

void evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}

void evtchn_notify(evtchn_port_t port)
{
	struct evtchn_send op = { .port = port };

	HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

int evtchn_test_and_clear(evtchn_port_t port)
{
	xen_ulong_t *w = &shinfo->evtchn_pending[port / 64];
	xen_ulong_t bit = 1ul << (port % 64);

	return !!(__atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST) & bit);
}

int evtchn_pending(evtchn_port_t port)
{
	return !!(shinfo->evtchn_pending[port / 64] & (1ul << (port % 64)));
}

void evtchn_poll(const evtchn_port_t *ports, unsigned int n, uint64_t deadline)
{
	struct sched_poll p = { .nr_ports = n, .timeout = deadline };
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ports[i] && evtchn_pending(ports[i]))
			return;
	set_xen_guest_handle(p.ports, (evtchn_port_t *)ports);
	HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

/* ---- grant table v1 ---- */

#define GNT_FRAMES 8
#define GNT_ENTRIES (GNT_FRAMES * PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GNT_RESERVED 8	/* toolstack's console/xenstore entries */

static grant_entry_v1_t *gnt;
static grant_ref_t gnt_next[GNT_ENTRIES];
static grant_ref_t gnt_free_head;
static unsigned int gnt_nfree;

int gnttab_init(void)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	unsigned int i, frames = GNT_FRAMES;
	int rc;

	if (HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1) == 0 &&
	    q.status == GNTST_okay && q.max_nr_frames < frames)
		frames = q.max_nr_frames;
	gnt = alloc_pages(GNT_FRAMES);
	if (!gnt)
		return -BF_ENOMEM;
	for (i = 0; i < frames; i++) {
		rc = map_space(XENMAPSPACE_grant_table, i,
			       (char *)gnt + i * PAGE_SIZE);
		if (rc < 0) {
			printf("gnttab: mapping frame %u failed: %d\n", i, rc);
			return rc;
		}
	}
	/* Free list of our references, lowest first. */
	gnt_free_head = 0;
	for (i = frames * PAGE_SIZE / sizeof(grant_entry_v1_t); i-- >
	     GNT_RESERVED;) {
		gnt_next[i] = gnt_free_head;
		gnt_free_head = i;
		gnt_nfree++;
	}
	return 0;
}

int gnttab_grant(domid_t dom, unsigned long gfn, int ro, grant_ref_t *ref)
{
	grant_ref_t r = gnt_free_head;

	if (!gnt_nfree)
		return -BF_ENOSPC;
	gnt_free_head = gnt_next[r];
	gnt_nfree--;
	gnt[r].domid = dom;
	gnt[r].frame = (uint32_t)gfn;
	/* The peer may use the entry once flags say so: fill it first. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	gnt[r].flags = GTF_permit_access | (ro ? GTF_readonly : 0);
	*ref = r;
	return 0;
}

int gnttab_end(grant_ref_t ref)
{
	uint16_t flags, nflags;

	if (ref < GNT_RESERVED || ref >= GNT_ENTRIES)
		return -BF_EINVAL;
	/* v1: only a grant the peer is not using may be withdrawn. */
	flags = __atomic_load_n(&gnt[ref].flags, __ATOMIC_SEQ_CST);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -BF_EBUSY;
		nflags = 0;
	} while (!__atomic_compare_exchange_n(&gnt[ref].flags, &flags, nflags,
					      0, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	gnt_next[ref] = gnt_free_head;
	gnt_free_head = ref;
	gnt_nfree++;
	return 0;
}

/* ---- console ---- */

void console_init(void)
{
	uint64_t pfn = hvm_param(HVM_PARAM_CONSOLE_PFN);
	int rc = shinfo_init();

	if (rc < 0) {
		printf("shared info: %d\n", rc);
		return;
	}
	cons_port = (evtchn_port_t)hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
	if (!pfn || !cons_port)
		return;
	cons = (void *)(uintptr_t)(pfn << 12);
	e9_mirror = 0;
}

void console_write(const char *s, size_t n)
{
	XENCONS_RING_IDX c, p;
	uint64_t deadline;

	if (e9_mirror || !cons) {
		size_t i;

		for (i = 0; i < n; i++)
			outb(0xe9, (uint8_t)s[i]);
		if (!cons)
			return;
	}
	p = cons->out_prod;
	while (n) {
		c = __atomic_load_n(&cons->out_cons, __ATOMIC_ACQUIRE);
		if (p - c >= sizeof(cons->out)) {
			cons->out_prod = p;
			evtchn_notify(cons_port);
			deadline = now_ns() + 100000000ull;
			evtchn_poll(&cons_port, 1, deadline);
			evtchn_test_and_clear(cons_port);
			continue;
		}
		cons->out[MASK_XENCONS_IDX(p, cons->out)] = *s++;
		p++;
		n--;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	cons->out_prod = p;
	evtchn_notify(cons_port);
}

static void console_drain(void)
{
	uint64_t deadline = now_ns() + 2000000000ull;

	while (cons && cons->out_cons != cons->out_prod && now_ns() < deadline) {
		evtchn_poll(&cons_port, 1, now_ns() + 10000000ull);
		evtchn_test_and_clear(cons_port);
	}
}

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}

void poweroff(int code)
{
	struct sched_shutdown s = {
		.reason = code == 99 ? SHUTDOWN_crash : SHUTDOWN_poweroff,
	};

	console_drain();
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	e9_mirror = 1;
	printf("PANIC: %s\nVDEVKIT-EXIT 99\n", buf);
	poweroff(99);
}
