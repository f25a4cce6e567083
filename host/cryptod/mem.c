// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest memory: the front end's memfd regions, mapped whole, and the two
 * translations we need (guest-physical for descriptors, the front end's
 * virtual addresses for the rings).  A range is handed out only if it
 * lies wholly inside one region; callers split at region ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cryptod.h"

/* [a, a + len) inside [base, base + size), without overflow. */
static bool inside(uint64_t a, uint64_t len, uint64_t base, uint64_t size)
{
    return a >= base && a - base <= size && len <= size - (a - base);
}

/* The host address of [a, a + len) in one region; by uva or by gpa. */
static uint8_t *lookup(const MemTable *m, uint64_t a, uint64_t len, bool uva)
{
    for (unsigned i = 0; i < m->n; i++) {
        const MemRegion *r = &m->r[i];
        uint64_t base = uva ? r->uva : r->gpa;

        if (inside(a, len, base, r->size) && a - base < r->size) {
            return r->host + (a - base);
        }
    }
    return NULL;
}

uint8_t *mem_gpa(const MemTable *m, uint64_t gpa, uint64_t len)
{
    return lookup(m, gpa, len, false);
}

uint8_t *mem_uva(const MemTable *m, uint64_t uva, uint64_t len)
{
    return lookup(m, uva, len, true);
}

void mem_unmap(MemTable *m)
{
    for (unsigned i = 0; i < m->n; i++) {
        munmap(m->r[i].map, m->r[i].map_len);
    }
    m->n = 0;
}

/*
 * Map every region of vm (one fd each, in order).  On failure nothing is
 * left mapped and m is empty.  The fds are the caller's to close.
 */
int mem_set(MemTable *m, const VuMemory *vm, const int *fds, unsigned nfds)
{
    MemTable t = { 0 };

    if (vm->nregions == 0 || vm->nregions > VU_MAX_REGIONS ||
        vm->nregions != nfds) {
        return -EINVAL;
    }
    for (unsigned i = 0; i < vm->nregions; i++) {
        const VuRegion *vr = &vm->regions[i];
        MemRegion *r = &t.r[i];
        uint64_t len;
        void *p;

        if (vr->size == 0 || vr->gpa + vr->size < vr->gpa ||
            vr->uva + vr->size < vr->uva ||
            __builtin_add_overflow(vr->size, vr->mmap_offset, &len) ||
            len > SIZE_MAX) {
            goto fail_inval;
        }
        /* regions must not overlap in either address space */
        for (unsigned j = 0; j < i; j++) {
            const VuRegion *o = &vm->regions[j];

            if ((vr->gpa < o->gpa + o->size && o->gpa < vr->gpa + vr->size) ||
                (vr->uva < o->uva + o->size && o->uva < vr->uva + vr->size)) {
                goto fail_inval;
            }
        }
        /* a short file would SIGBUS us on access, not fail here */
        struct stat st;

        if (fstat(fds[i], &st) < 0 || (uint64_t)st.st_size < len) {
            goto fail_inval;
        }
        p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
        if (p == MAP_FAILED) {
            int e = errno;

            t.n = i;
            mem_unmap(&t);
            return -e;
        }
        r->map = p;
        r->map_len = len;
        r->host = (uint8_t *)p + vr->mmap_offset;
        r->gpa = vr->gpa;
        r->size = vr->size;
        r->uva = vr->uva;
        t.n = i + 1;
    }
    *m = t;
    return 0;

fail_inval:
    mem_unmap(&t);
    return -EINVAL;
}
