/*
 * my_rng generator: the C library's rand()/srand() sequence (glibc's
 * TYPE_3 additive feedback generator), with its state in a struct so
 * every device instance has its own stream.
 *
 * Kept free of QEMU headers so the host-side reference and its unit test
 * compile the very same code; the includer provides <stdint.h>.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_MY_RNG_GEN_H
#define HW_MISC_MY_RNG_GEN_H

#define MY_RNG_GEN_DEG 31   /* state words */
#define MY_RNG_GEN_SEP 3    /* distance between the two taps */

typedef struct MyRngGen {
    uint32_t r[MY_RNG_GEN_DEG];
    uint32_t front;         /* index of the tap that is updated */
    uint32_t rear;          /* index of the tap that is added */
} MyRngGen;

static inline uint32_t my_rng_gen_next(MyRngGen *g)
{
    uint32_t v;

    g->r[g->front] += g->r[g->rear];
    v = g->r[g->front] >> 1;
    g->front = (g->front + 1) % MY_RNG_GEN_DEG;
    g->rear = (g->rear + 1) % MY_RNG_GEN_DEG;
    return v;
}

static inline void my_rng_gen_seed(MyRngGen *g, uint32_t seed)
{
    int32_t word;
    int i;

    /* srand(0) behaves as srand(1) in the C library. */
    if (seed == 0) {
        seed = 1;
    }
    word = (int32_t)seed;
    g->r[0] = (uint32_t)word;
    for (i = 1; i < MY_RNG_GEN_DEG; i++) {
        /*
         * 16807 * word mod (2^31 - 1) by Schrage's method, in the C
         * library's signed arithmetic (a seed >= 2^31 is negative here).
         */
        int64_t hi = word / 127773;
        int64_t lo = word % 127773;

        word = (int32_t)(16807 * lo - 2836 * hi);
        if (word < 0) {
            word += 2147483647;
        }
        g->r[i] = (uint32_t)word;
    }
    g->front = MY_RNG_GEN_SEP;
    g->rear = 0;
    /* The library discards the first ten rounds of the table. */
    for (i = 0; i < 10 * MY_RNG_GEN_DEG; i++) {
        my_rng_gen_next(g);
    }
}

/* True if an incoming (migrated) state could have come from this code. */
static inline int my_rng_gen_valid(const MyRngGen *g)
{
    return g->front < MY_RNG_GEN_DEG && g->rear < MY_RNG_GEN_DEG &&
           (g->front + MY_RNG_GEN_DEG - g->rear) % MY_RNG_GEN_DEG ==
           MY_RNG_GEN_SEP;
}

#endif
