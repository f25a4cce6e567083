// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The optional worker pool (--workers N): threads that run big requests
 * a data queue's thread handed over, so that it goes on with the small
 * ones behind (vring.c decides what is big and completes the request).
 * A plain FIFO under one mutex: a job is one request of --pool-min bytes
 * or more, so the lock is taken rarely next to the crypto it waits for.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cryptod.h"

struct Pool {
    pthread_mutex_t lock;
    pthread_cond_t more;
    PoolJob *head, **tail;
    bool stop;
    unsigned n;
    pthread_t thread[];
};

static void *worker(void *arg)
{
    Pool *p = arg;

    for (;;) {
        PoolJob *j;

        pthread_mutex_lock(&p->lock);
        while (!p->head && !p->stop) {
            pthread_cond_wait(&p->more, &p->lock);
        }
        j = p->head;
        if (!j) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        p->head = j->next;
        if (!p->head) {
            p->tail = &p->head;
        }
        pthread_mutex_unlock(&p->lock);
        j->fn(j);
    }
}

Pool *pool_new(unsigned n)
{
    Pool *p = calloc(1, sizeof(*p) + n * sizeof(p->thread[0]));
    sigset_t all, old;

    if (!p) {
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->more, NULL);
    p->tail = &p->head;
    /* signals are the main thread's */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (p->n = 0; p->n < n; p->n++) {
        if (pthread_create(&p->thread[p->n], NULL, worker, p)) {
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (p->n < n) {
        pool_free(p);
        return NULL;
    }
    return p;
}

void pool_submit(Pool *p, PoolJob *j)
{
    j->next = NULL;
    pthread_mutex_lock(&p->lock);
    *p->tail = j;
    p->tail = &j->next;
    pthread_cond_signal(&p->more);
    pthread_mutex_unlock(&p->lock);
}

/* Runs what is queued, then stops and joins the threads. */
void pool_free(Pool *p)
{
    if (!p) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->more);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->n; i++) {
        pthread_join(p->thread[i], NULL);
    }
    pthread_cond_destroy(&p->more);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
