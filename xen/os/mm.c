// SPDX-License-Identifier: MIT
/*
 * Memory: a page bitmap over the RAM ranges of the PVH memory map (below
 * 1 GiB, which is plenty for a small guest), searched for a free run from
 * a hint that follows allocations and frees (next fit), and a small-object
 * allocator with power-of-two free lists on top.
 */
#include "os.h"

#define MAX_PAGES (1u << 18)	/* 1 GiB */
#define BM_WORDS (MAX_PAGES / 64)

static uint64_t used[BM_WORDS];	/* 1 = not available */
static unsigned long npages, nfree, hint;

static int test_page(unsigned long pfn)
{
	return !!(used[pfn / 64] & (1ull << (pfn % 64)));
}

static void set_range(unsigned long pfn, unsigned long n, int v)
{
	for (; n; n--, pfn++) {
		if (pfn >= MAX_PAGES)
			return;
		if (v)
			used[pfn / 64] |= 1ull << (pfn % 64);
		else
			used[pfn / 64] &= ~(1ull << (pfn % 64));
	}
}

static void reserve(uint64_t start, uint64_t end)
{
	unsigned long s = start >> 12, e = (end + PAGE_SIZE - 1) >> 12, p;

	for (p = s; p < e && p < npages; p++) {
		if (!test_page(p)) {
			set_range(p, 1, 1);
			nfree--;
		}
	}
}

void mm_init(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *m;
	uint32_t i;

	memset(used, 0xff, sizeof(used));
	if (si->version < 1 || !si->memmap_paddr)
		panic("no PVH memory map (start info v%u)", si->version);
	m = (const void *)(uintptr_t)si->memmap_paddr;
	for (i = 0; i < si->memmap_entries; i++) {
		uint64_t s = (m[i].addr + PAGE_SIZE - 1) >> 12;
		uint64_t e = (m[i].addr + m[i].size) >> 12;

		if (m[i].type != XEN_HVM_MEMMAP_TYPE_RAM)
			continue;
		if (e > MAX_PAGES)
			e = MAX_PAGES;
		if (s < 256)	/* keep the first MiB alone */
			s = 256;
		if (s >= e)
			continue;
		set_range(s, e - s, 0);
		nfree += e - s;
		if (e > npages)
			npages = e;
	}
	reserve((uintptr_t)_image_start, (uintptr_t)_image_end);
	reserve((uintptr_t)si, (uintptr_t)si + sizeof(*si));
	reserve(si->memmap_paddr, si->memmap_paddr +
		si->memmap_entries * sizeof(*m));
	if (si->cmdline_paddr)
		reserve(si->cmdline_paddr, si->cmdline_paddr + 4096);
	if (si->modlist_paddr)
		reserve(si->modlist_paddr, si->modlist_paddr + 4096);
	hint = 0;
}

unsigned long mm_free_pages(void)
{
	return nfree;
}

void *alloc_pages(unsigned int n)
{
	unsigned long p, run = 0, pass;

	if (!n)
		return NULL;
	for (pass = 0; pass < 2; pass++) {
		for (p = pass ? 0 : hint; p < npages; p++) {
			if (test_page(p)) {
				run = 0;
				continue;
			}
			if (++run == n) {
				unsigned long first = p + 1 - n;
				void *va = (void *)(first << 12);

				set_range(first, n, 1);
				nfree -= n;
				hint = p + 1;
				memset(va, 0, (size_t)n * PAGE_SIZE);
				return va;
			}
		}
		run = 0;
	}
	return NULL;
}

void free_pages(void *va, unsigned int n)
{
	unsigned long pfn = (uintptr_t)va >> 12;

	if (!va)
		return;
	set_range(pfn, n, 0);
	nfree += n;
	if (pfn < hint)
		hint = pfn;
}

/* Small objects: 16-byte header holding the class or the page count. */
struct hdr {
	uint32_t cls;		/* 0..6 for 32..2048 bytes, 0xff: pages */
	uint32_t pages;
	uint64_t pad;
};

static void *freelist[7];

void *kzalloc(size_t size)
{
	size_t need = size + sizeof(struct hdr);
	unsigned int cls = 0, per, i;
	struct hdr *h;
	char *page;

	if (need > 2048) {
		unsigned int n = (unsigned int)((need + PAGE_SIZE - 1) /
						PAGE_SIZE);

		h = alloc_pages(n);
		if (!h)
			return NULL;
		h->cls = 0xff;
		h->pages = n;
		return h + 1;
	}
	while ((32u << cls) < need)
		cls++;
	if (!freelist[cls]) {
		page = alloc_pages(1);
		if (!page)
			return NULL;
		per = (unsigned int)(PAGE_SIZE / (32u << cls));
		for (i = 0; i < per; i++) {
			void **obj = (void **)(page + i * (32u << cls));

			*obj = freelist[cls];
			freelist[cls] = obj;
		}
	}
	h = freelist[cls];
	freelist[cls] = *(void **)h;
	memset(h, 0, 32u << cls);
	h->cls = cls;
	return h + 1;
}

void kfree(void *p)
{
	struct hdr *h;

	if (!p)
		return;
	h = (struct hdr *)p - 1;
	if (h->cls == 0xff) {
		free_pages(h, h->pages);
		return;
	}
	*(void **)h = freelist[h->cls];
	freelist[h->cls] = h;
}
