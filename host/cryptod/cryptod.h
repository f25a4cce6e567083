/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vdevkit-cryptod: a vhost-user back end for virtio-crypto.  QEMU (the
 * front end) keeps the device model and its control queue; it hands us
 * the data queues, the guest's memory (memfds) and each crypto session's
 * parameters.  We run the requests through host/crypto's providers
 * directly on the mapped guest memory.
 *
 * Our own definitions of the wire format (docs/interop/vhost-user.rst),
 * not QEMU's headers: the daemon has no QEMU dependency.
 */
#ifndef CRYPTOD_H
#define CRYPTOD_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../crypto/provider.h"

/* Front-end requests we know (vhost-user.rst numbering). */
enum {
    VU_GET_FEATURES = 1,
    VU_SET_FEATURES = 2,
    VU_SET_OWNER = 3,
    VU_RESET_OWNER = 4,
    VU_SET_MEM_TABLE = 5,
    VU_SET_LOG_BASE = 6,
    VU_SET_LOG_FD = 7,
    VU_SET_VRING_NUM = 8,
    VU_SET_VRING_ADDR = 9,
    VU_SET_VRING_BASE = 10,
    VU_GET_VRING_BASE = 11,
    VU_SET_VRING_KICK = 12,
    VU_SET_VRING_CALL = 13,
    VU_SET_VRING_ERR = 14,
    VU_GET_PROTOCOL_FEATURES = 15,
    VU_SET_PROTOCOL_FEATURES = 16,
    VU_GET_QUEUE_NUM = 17,
    VU_SET_VRING_ENABLE = 18,
    VU_GET_CONFIG = 24,
    VU_CREATE_CRYPTO_SESSION = 26,
    VU_CLOSE_CRYPTO_SESSION = 27,
    VU_RESET_DEVICE = 34,
};

#define VU_VERSION 0x1u
#define VU_VERSION_MASK 0x3u
#define VU_FLAG_REPLY (1u << 2)
#define VU_FLAG_NEED_REPLY (1u << 3)

#define VU_F_INDIRECT_DESC 28
#define VU_F_EVENT_IDX 29
#define VU_F_PROTOCOL_FEATURES 30
#define VU_F_VERSION_1 32

#define VU_PF_MQ 0
#define VU_PF_REPLY_ACK 3
#define VU_PF_CRYPTO_SESSION 7
#define VU_PF_CONFIG 9

/*
 * GET_CONFIG: offset, size, flags (u32 each), then size bytes of the
 * device config; ours is a struct virtio_crypto_config (56 bytes).
 */
#define VU_CONFIG_HDR 12

/* SET_VRING_KICK/CALL/ERR: the u64 is index | this flag when no fd. */
#define VU_VRING_IDX_MASK 0xffu
#define VU_VRING_NOFD (1u << 8)

/* At most this many regions (and fds) in SET_MEM_TABLE, as QEMU sends. */
#define VU_MAX_REGIONS 8
#define VU_MAX_FDS 8

typedef struct VuHeader {
    uint32_t request;
    uint32_t flags;
    uint32_t size;
} __attribute__((packed)) VuHeader;

typedef struct VuVringState {
    uint32_t index;
    uint32_t num;
} VuVringState;

typedef struct VuVringAddr {
    uint32_t index;
    uint32_t flags;
    uint64_t desc;     /* front end's virtual addresses */
    uint64_t used;
    uint64_t avail;
    uint64_t log;
} VuVringAddr;

typedef struct VuRegion {
    uint64_t gpa;
    uint64_t size;
    uint64_t uva;
    uint64_t mmap_offset;
} VuRegion;

typedef struct VuMemory {
    uint32_t nregions;
    uint32_t padding;
    VuRegion regions[VU_MAX_REGIONS];
} VuMemory;

/*
 * CREATE_CRYPTO_SESSION as QEMU 10.0 sends it: 1072 bytes, its own
 * structs copied raw (with two host pointers inside, meaningless to us).
 * Offsets, x86-64/aarch64 LP64 layout.  HASH, MAC and AEAD sessions (our
 * QEMU, patch 2041) use the same fields by meaning: HASH hash_alg and
 * hash_result_len; MAC also auth_key_len and auth_key; AEAD the AEAD
 * algorithm in cipher_alg, key_len and key, the tag length in
 * hash_result_len, the AAD length in add_len, and direction.
 */
#define VU_SESS_SIZE 1072
#define VU_SESS_OP_CODE 0        /* u64: VIRTIO_CRYPTO_*_CREATE_SESSION */
#define VU_SESS_CIPHER_ALG 8     /* u32 */
#define VU_SESS_KEY_LEN 12       /* u32 */
#define VU_SESS_HASH_ALG 16      /* u32 */
#define VU_SESS_HASH_RESULT_LEN 20
#define VU_SESS_AUTH_KEY_LEN 24
#define VU_SESS_ADD_LEN 28
#define VU_SESS_OP_TYPE 32       /* u8: VIRTIO_CRYPTO_SYM_OP_* */
#define VU_SESS_DIRECTION 33     /* u8: VIRTIO_CRYPTO_OP_ENCRYPT/DECRYPT */
#define VU_SESS_HASH_MODE 34
#define VU_SESS_CHAIN_ORDER 35
#define VU_SESS_KEY 56           /* 64 bytes */
#define VU_SESS_KEY_MAX 64
#define VU_SESS_AUTH_KEY 120     /* 512 bytes */
#define VU_SESS_AUTH_KEY_MAX 512
#define VU_SESS_ID 1064          /* s64: ours on reply, -1 on failure */

/* The largest payload we read; anything longer is a protocol error. */
#define VU_MAX_PAYLOAD 4096

/* One mapped memfd region of guest RAM. */
typedef struct MemRegion {
    uint64_t gpa, size, uva;
    uint8_t *host;            /* gpa's mapping */
    void *map;
    size_t map_len;
} MemRegion;

typedef struct MemTable {
    unsigned n;
    MemRegion r[VU_MAX_REGIONS];
} MemTable;

/* Per-thread scratch for requests whose buffers are scattered. */
typedef struct Bounce {
    uint8_t *buf;
    size_t cap;
} Bounce;

typedef struct Daemon Daemon;

/* pool.c: a job is embedded in what it works on; fn gets it back. */
typedef struct PoolJob PoolJob;
struct PoolJob {
    void (*fn)(PoolJob *j);
    PoolJob *next;
};
typedef struct Pool Pool;

/*
 * Where a queue's time goes, by the request's data length (class c holds
 * 2^c to 2^(c+1) - 1 bytes, the last class everything longer): host_ns
 * from the ring's thread seeing the request to its used entry and the
 * interrupt decided, without the write() to the call eventfd (which
 * may run the front end's woken thread first: call_ns); gap_ns from the
 * queue's last completion to the next request seen, when nothing else
 * was in flight and it was shorter than 100 ms (the guest's and the
 * front end's part of a request, plus our wake-up when we had slept:
 * woke counts those).  Requests run by the worker pool are not timed.
 */
#define CD_TIME_CLASSES 25
typedef struct VrTiming {
    atomic_ulong n, host_ns, gap_ns, gaps, woke;
} VrTiming;

/* What the guest's ring tells of its notification scheme (vring.c). */
enum { NOTIFY_UNKNOWN, NOTIFY_FLAGS, NOTIFY_EVENT };

typedef struct Vring {
    Daemon *d;
    unsigned index;
    uint32_t num;
    bool num_set, addr_set, enabled, enable_seen;
    VuVringAddr addr;
    /* host pointers, valid while mapped */
    uint8_t *desc, *avail, *used;
    uint16_t last_avail, used_idx;
    int kick_fd, call_fd, err_fd;
    bool kick_set, kick_nofd;
    /* data thread */
    bool running;
    pthread_t thread;
    int stop_fd;
    atomic_bool stop;
    /*
     * Completions: with --workers the pool pushes used entries too, so
     * under used_lock; signalled_used is used_idx when we last decided
     * whether to interrupt.  inflight counts requests in the pool (their
     * Reqs come back to free_reqs); vring_stop waits for them on idle.
     */
    pthread_mutex_t used_lock;
    uint16_t signalled_used;
    unsigned inflight;
    pthread_cond_t idle;
    void *free_reqs;
    /* counters, read by the main thread at exit */
    atomic_ulong requests, bad_chains, calls, kicks;
    atomic_ulong call_ns;                /* in write()s to call_fd */
    atomic_ulong enc_bytes, dec_bytes;   /* done, status OK */
    atomic_ulong pooled;                 /* run by the worker pool */
    /* learned at each interrupt decision, from the ring's start on */
    uint8_t notify;
    uint16_t used_event_start;
    /* the ring's thread's timing state, and what it measured */
    uint64_t idle_since;                 /* 0: a gap is not measured */
    uint64_t last_call_ns;               /* the last signal's write() */
    bool woke;
    VrTiming timing[CD_TIME_CLASSES];
} Vring;

/* One open session of any service (VIRTIO_CRYPTO_SERVICE_*). */
typedef struct Session {
    uint32_t service;
    union {
        void *any;            /* NULL: free slot */
        HostCryptoSession *hs;          /* CIPHER */
        HostCryptoAuthSession *as;      /* HASH, MAC */
        HostCryptoAeadSession *es;      /* AEAD */
    };
    uint32_t gen;
} Session;

typedef struct Options {
    const char *socket;
    const char *provider;
    const char *log;
    unsigned queues;
    unsigned max_sessions;
    unsigned poll_us;         /* adaptive polling after activity */
    bool pure_poll;
    bool foreground;
    int verbose;
    size_t max_len;           /* longest request's data */
    unsigned workers;         /* worker pool threads, 0: none */
    size_t pool_min;          /* requests this big go to the pool */
    const char *user, *group; /* drop to them once set up */
    enum { SECCOMP_MODE_KILL, SECCOMP_MODE_ERRNO, SECCOMP_MODE_NONE } seccomp;
    bool log_syslog;
    const char *escape;       /* --x-escape: tests of the filter */
} Options;

struct Daemon {
    Options opt;
    HostCrypto *hc;
    Pool *pool;               /* NULL without --workers */
    int listen_fd, conn_fd, sig_fd;
    uint64_t features, protocol_features;
    bool features_set;
    MemTable mem;
    Vring *vrings;            /* opt.queues of them */
    Session *sess;            /* opt.max_sessions of them */
    unsigned nsess;
    pthread_rwlock_t sess_lock;
    atomic_ulong sess_created, sess_closed, sess_failed;
};

/* main.c: set by SIGTERM/SIGINT */
extern volatile sig_atomic_t cd_quit;
/* main.c: set by SIGUSR1, cleared by sess_log_stats() */
extern volatile sig_atomic_t cd_stats;

/* main.c: logging */
void cd_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define LOG_ERR_ 0
#define LOG_INFO_ 1
#define LOG_DEBUG_ 2

/* vhost.c: one front-end connection */
void vu_serve(Daemon *d, int fd);
/* Wait for fd to be readable, logging stats on SIGUSR1; -1 on SIGTERM. */
int wait_readable(Daemon *d, int fd);
void vu_reset(Daemon *d);

/* mem.c */
uint8_t *mem_gpa(const MemTable *m, uint64_t gpa, uint64_t len);
uint8_t *mem_uva(const MemTable *m, uint64_t uva, uint64_t len);
int mem_set(MemTable *m, const VuMemory *vm, const int *fds, unsigned nfds);
void mem_unmap(MemTable *m);

/* vring.c */
int vring_start(Vring *vr);
void vring_stop(Vring *vr);
bool vring_ready(const Vring *vr);
/* Log the queues' interrupts, kicks and timing by size (at exit). */
void vring_log_timing(const Daemon *d);

/* pool.c */
Pool *pool_new(unsigned n);
void pool_submit(Pool *p, PoolJob *j);
void pool_free(Pool *p);

/* sandbox.c */
int cd_drop_privileges(const Options *o);
int cd_seccomp(const Daemon *d);
void cd_escape_test(const Options *o);

/* session.c */
int64_t sess_create(Daemon *d, const uint8_t *msg);
int sess_close(Daemon *d, uint64_t id);
void sess_close_all(Daemon *d);
/* Logs the open sessions by service, if SIGUSR1 asked for it. */
void sess_log_stats(Daemon *d);
/* The virtio_crypto_config of what d's provider does (GET_CONFIG). */
void sess_config(const Daemon *d, uint8_t *cfg);
/*
 * Requests, under the session table's read lock; the session must be of
 * the request's service (else INVSESS); status as virtio-crypto.
 */
uint8_t sess_crypt(Daemon *d, uint64_t id, const uint8_t *iv, uint32_t iv_len,
                   const HostCryptoIov *src, const HostCryptoIov *dst,
                   size_t len);
/* HASH or MAC (service): digest_len must be the session's */
uint8_t sess_digest(Daemon *d, uint64_t id, uint32_t service,
                    const uint8_t *src, size_t len, uint8_t *digest,
                    uint32_t digest_len);
/*
 * AEAD: encrypt len bytes src to dst with the tag after them at dst + len,
 * or decrypt len bytes (the tag follows them at src + len); nothing is
 * written to dst unless OK.
 */
uint8_t sess_aead(Daemon *d, uint64_t id, bool encrypt, const uint8_t *iv,
                  uint32_t iv_len, const uint8_t *aad, uint32_t aad_len,
                  const uint8_t *src, uint8_t *dst, size_t len,
                  uint32_t tag_len);

#endif
