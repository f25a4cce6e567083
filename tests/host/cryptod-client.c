// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vdevkit-cryptod's test client: it plays QEMU 10.0 (the vhost-user front
 * end) and a guest (the virtqueue driver) against the daemon, over a memfd
 * of "guest RAM" with two regions (the second through an mmap offset, so
 * a buffer across the boundary is two pieces of the daemon's memory).
 *
 *   cryptod-client DAEMON [--fuzz SECONDS] [--seed N] [--min N] [--poll]
 *                  [--expect-uid UID] [--escape[-errno] WHAT]
 *                  [-- DAEMON ARGS...]
 *
 * It starts DAEMON (built with ASan/UBSan for the test) on a socket in a
 * temporary directory and prints TAP: QEMU's message sequence, sessions,
 * known-answer AES-CBC requests in several chain shapes, notification
 * suppression both ways, then malformed messages and malformed chains
 * (loops, out-of-range addresses, huge lengths, short headers) each
 * followed by a good request, the guest RAM outside the buffers we gave
 * checked untouched, and at the end SIGTERM and a clean exit status.
 * With --fuzz, random malformed requests for SECONDS (at least --min of
 * them) with good ones mixed in and checked.  --poll runs the daemon with
 * --poll (its queue threads never sleep).  --expect-uid checks that the
 * daemon runs as UID (give it --user after --).  --escape WHAT has the
 * daemon's first queue thread try a forbidden call (--x-escape: execve,
 * open, socket, fork) and expects it killed by SIGSYS; --escape-errno
 * runs it with --seccomp errno and expects EPERM, logged, and service.
 * The daemon's log (--log in the temporary directory) ends the output as
 * comments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_crypto.h>
#include <openssl/evp.h>

#include "../../host/cryptod/cryptod.h"
#include "tap.h"

#define RAM_SIZE (8u << 20)
#define REGION_B (4u << 20)        /* gpa where region 2 starts */
#define QSIZE 256
#define DESC_GPA 0x1000
#define AVAIL_GPA 0x3000
#define USED_GPA 0x4000
#define INDIRECT_GPA 0x10000       /* 64 KiB of indirect tables */
/* (fuzz: random ones in 32 KiB, then the good requests' ones) */
#define DATA_GPA 0x100000          /* requests' buffers from here */
#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4
#define HDR_LEN 72

static pid_t daemon_pid;
static char sock_path[108], log_path[108];
static uint8_t *ram;
static int ram_fd, sock = -1, kick_fd, call_fd;
static uint16_t avail_idx, used_seen;
static uint64_t rnd(void);

/* The daemon's log as TAP comments. */
static void show_log(void)
{
    FILE *f = fopen(log_path, "r");
    char line[512];

    while (f && fgets(line, sizeof(line), f)) {
        printf("# %s", line);
    }
    if (f) {
        fclose(f);
    }
}

static void bail(const char *what)
{
    show_log();
    printf("Bail out! %s: %s\n", what, strerror(errno));
    if (daemon_pid > 0) {
        kill(daemon_pid, SIGKILL);
    }
    exit(1);
}

/* A test killed (timeout) or stuck: take the daemon with us. */
static void on_fatal(int sig)
{
    static const char m[] = "Bail out! killed or timed out\n";

    if (daemon_pid > 0) {
        kill(daemon_pid, SIGKILL);
    }
    if (write(1, m, sizeof(m) - 1) < 0) {
        sig = 0;
    }
    _exit(sig ? 1 : 2);
}

static bool daemon_alive(void)
{
    return waitpid(daemon_pid, NULL, WNOHANG) == 0;
}

/* ---- the front end's side of the socket ---- */

static void connect_daemon(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (sock >= 0) {
        close(sock);
    }
    strcpy(sa.sun_path, sock_path);
    for (int i = 0; i < 500; i++) {
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            return;
        }
        close(sock);
        usleep(20000);
    }
    bail("connect");
}

static int send_raw(const void *buf, size_t len, const int *fds, int nfds)
{
    union {
        char b[CMSG_SPACE(16 * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { (void *)buf, len };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

    if (nfds) {
        struct cmsghdr *c;

        mh.msg_control = ctl.b;
        mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static int send_msg(uint32_t req, uint32_t flags, const void *payload,
                    uint32_t size, const int *fds, int nfds)
{
    uint8_t buf[sizeof(VuHeader) + VU_MAX_PAYLOAD + 64];
    VuHeader h = { req, flags, size };

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), payload, size);
    return send_raw(buf, sizeof(h) + size, fds, nfds);
}

/* A reply of want bytes to req; -1 on EOF, timeout or a wrong answer. */
static int recv_reply(uint32_t req, void *payload, uint32_t want)
{
    struct pollfd p = { .fd = sock, .events = POLLIN };
    VuHeader h;

    if (poll(&p, 1, 5000) != 1 ||
        recv(sock, &h, sizeof(h), MSG_WAITALL) != sizeof(h) ||
        h.request != req || h.flags != (VU_VERSION | VU_FLAG_REPLY) ||
        h.size != want ||
        (want && recv(sock, payload, want, MSG_WAITALL) != want)) {
        return -1;
    }
    return 0;
}

static int get_u64(uint32_t req, uint64_t *v)
{
    return send_msg(req, VU_VERSION, NULL, 0, NULL, 0) ||
           recv_reply(req, v, 8) ? -1 : 0;
}

/* A message with REPLY_ACK's need_reply; returns the back end's answer. */
static int64_t acked(uint32_t req, const void *p, uint32_t size,
                     const int *fds, int nfds)
{
    uint64_t v;

    if (send_msg(req, VU_VERSION | VU_FLAG_NEED_REPLY, p, size, fds, nfds) ||
        recv_reply(req, &v, 8)) {
        return -1000;
    }
    return (int64_t)v;
}

/* Whether the daemon closed the connection (EOF within a second). */
static bool dropped(void)
{
    struct pollfd p = { .fd = sock, .events = POLLIN };
    char c;

    return poll(&p, 1, 1000) == 1 && recv(sock, &c, 1, 0) == 0;
}

/* Send a filled CREATE_CRYPTO_SESSION message; the id, or -1000. */
static int64_t send_session(uint8_t *m)
{
    int64_t id;

    /* QEMU sends its own pointers in the struct: junk to us */
    memset(m + 40, 0xa5, 16);
    if (send_msg(VU_CREATE_CRYPTO_SESSION, VU_VERSION, m, VU_SESS_SIZE, NULL,
                 0) || recv_reply(VU_CREATE_CRYPTO_SESSION, m, VU_SESS_SIZE)) {
        return -1000;
    }
    memcpy(&id, m + VU_SESS_ID, 8);
    return id;
}

static void st32(uint8_t *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, 4);
}

/*
 * HASH, MAC and AEAD sessions as our QEMU sends them (patch 2041): the
 * symmetric layout, values in the fields of the same meaning.
 */
static int64_t hash_session(uint64_t op_code, uint32_t algo,
                            uint32_t result_len, const void *key,
                            uint32_t key_len)
{
    uint8_t m[VU_SESS_SIZE] = { 0 };

    memcpy(m + VU_SESS_OP_CODE, &op_code, 8);
    st32(m + VU_SESS_HASH_ALG, algo);
    st32(m + VU_SESS_HASH_RESULT_LEN, result_len);
    st32(m + VU_SESS_AUTH_KEY_LEN, key_len);
    memcpy(m + VU_SESS_AUTH_KEY, key, key_len < 512 ? key_len : 512);
    return send_session(m);
}

static int64_t aead_session(uint32_t algo, const void *key, uint32_t key_len,
                            uint32_t tag_len, uint8_t dir)
{
    uint8_t m[VU_SESS_SIZE] = { 0 };
    uint64_t op_code = VIRTIO_CRYPTO_AEAD_CREATE_SESSION;

    memcpy(m + VU_SESS_OP_CODE, &op_code, 8);
    st32(m + VU_SESS_CIPHER_ALG, algo);
    st32(m + VU_SESS_KEY_LEN, key_len);
    st32(m + VU_SESS_HASH_RESULT_LEN, tag_len);
    st32(m + VU_SESS_ADD_LEN, 16);
    m[VU_SESS_DIRECTION] = dir;
    memcpy(m + VU_SESS_KEY, key, key_len < 64 ? key_len : 64);
    return send_session(m);
}

static int64_t create_session(uint32_t cipher, uint32_t key_len,
                              const uint8_t *key, uint8_t dir,
                              uint64_t op_code, uint8_t op_type)
{
    uint8_t m[VU_SESS_SIZE] = { 0 };

    memcpy(m + VU_SESS_OP_CODE, &op_code, 8);
    memcpy(m + VU_SESS_CIPHER_ALG, &cipher, 4);
    memcpy(m + VU_SESS_KEY_LEN, &key_len, 4);
    m[VU_SESS_OP_TYPE] = op_type;
    m[VU_SESS_DIRECTION] = dir;
    memcpy(m + VU_SESS_KEY, key, key_len < 64 ? key_len : 64);
    return send_session(m);
}

static void close_session(uint64_t id)
{
    uint64_t v;

    /* QEMU asks no answer, even with REPLY_ACK */
    send_msg(VU_CLOSE_CRYPTO_SESSION, VU_VERSION, &id, 8, NULL, 0);
    /*
     * So a message that has one: the daemon answers in order, so the
     * close is done before a request on a data queue (another thread of
     * the daemon) may look for the session.
     */
    get_u64(VU_GET_FEATURES, &v);
}

static VuMemory memtable(void)
{
    VuMemory m = { .nregions = 2 };

    m.regions[0] = (VuRegion){ 0, REGION_B, (uintptr_t)ram, 0 };
    m.regions[1] = (VuRegion){ REGION_B, RAM_SIZE - REGION_B,
                               (uintptr_t)ram + REGION_B, REGION_B };
    return m;
}

/*
 * QEMU's sequence: init, then vhost_dev_start for data queue q; with
 * SET_VRING_ENABLE unless stock (QEMU 10.0's cryptodev-vhost-user never
 * sends it).
 */
static int setup_how(unsigned q, bool init, bool stock)
{
    uint64_t v;
    VuMemory m = memtable();
    VuVringState st = { q, QSIZE };
    VuVringAddr a = { q, 0, (uintptr_t)ram + DESC_GPA,
                      (uintptr_t)ram + USED_GPA, (uintptr_t)ram + AVAIL_GPA,
                      0 };
    int fds[2] = { ram_fd, ram_fd };
    uint64_t idx = q;

    if (init) {
        uint64_t pf = 1ull << VU_PF_MQ | 1ull << VU_PF_REPLY_ACK |
                      1ull << VU_PF_CRYPTO_SESSION | 1ull << VU_PF_CONFIG;

        if (send_msg(VU_SET_OWNER, VU_VERSION, NULL, 0, NULL, 0) ||
            get_u64(VU_GET_FEATURES, &v) ||
            !(v & 1ull << VU_F_PROTOCOL_FEATURES) ||
            get_u64(VU_GET_PROTOCOL_FEATURES, &v) || (v & pf) != pf ||
            send_msg(VU_SET_PROTOCOL_FEATURES, VU_VERSION, &pf, 8, NULL, 0) ||
            get_u64(VU_GET_QUEUE_NUM, &v) || v < 1) {
            return -1;
        }
        v = 1ull << VU_F_PROTOCOL_FEATURES;
        if (acked(VU_SET_FEATURES, &v, 8, NULL, 0) != 0 ||
            acked(VU_SET_MEM_TABLE, &m, 8 + 2 * sizeof(VuRegion), fds,
                  2) != 0) {
            return -1;
        }
    }
    memset(ram + DESC_GPA, 0, USED_GPA + 0x1000 - DESC_GPA);
    avail_idx = used_seen = 0;
    st.num = QSIZE;
    if (acked(VU_SET_VRING_NUM, &st, 8, NULL, 0) != 0) {
        return -1;
    }
    st.num = 0;
    if (acked(VU_SET_VRING_BASE, &st, 8, NULL, 0) != 0 ||
        acked(VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0) != 0 ||
        acked(VU_SET_VRING_KICK, &idx, 8, &kick_fd, 1) != 0 ||
        acked(VU_SET_VRING_CALL, &idx, 8, &call_fd, 1) != 0) {
        return -1;
    }
    st.num = 1;
    if (stock) {
        return 0;
    }
    return acked(VU_SET_VRING_ENABLE, &st, 8, NULL, 0) == 0 ? 0 : -1;
}

static int setup(unsigned q, bool init)
{
    return setup_how(q, init, false);
}

/* GET_VRING_BASE stops the ring; the answer is where it stopped. */
static int stop_ring(unsigned q, uint32_t *base)
{
    VuVringState st = { q, 0 };

    if (send_msg(VU_GET_VRING_BASE, VU_VERSION, &st, 8, NULL, 0) ||
        recv_reply(VU_GET_VRING_BASE, &st, 8)) {
        return -1;
    }
    *base = st.num;
    return 0;
}

/* ---- the guest's side of the ring ---- */

typedef struct D {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
} D;

static D *desc(unsigned i)
{
    return (D *)(ram + DESC_GPA) + i;
}

static uint16_t *avail_flags(void)
{
    return (uint16_t *)(ram + AVAIL_GPA);
}

static uint16_t *used_event(void)
{
    return (uint16_t *)(ram + AVAIL_GPA + 4 + 2 * QSIZE);
}

static uint16_t *used_flags(void)
{
    return (uint16_t *)(ram + USED_GPA);
}

static uint16_t used_idx(void)
{
    return __atomic_load_n((uint16_t *)(ram + USED_GPA + 2),
                           __ATOMIC_ACQUIRE);
}

static uint16_t avail_event(void)
{
    return *(uint16_t *)(ram + USED_GPA + 4 + 8 * QSIZE);
}

static void used_elem(uint16_t i, uint32_t *id, uint32_t *len)
{
    uint32_t *u = (uint32_t *)(ram + USED_GPA + 4 + 8 * (i % QSIZE));

    *id = u[0];
    *len = u[1];
}

static void post(uint16_t head)
{
    ((uint16_t *)(ram + AVAIL_GPA + 4))[avail_idx % QSIZE] = head;
    avail_idx++;
    __atomic_store_n((uint16_t *)(ram + AVAIL_GPA + 2), avail_idx,
                     __ATOMIC_RELEASE);
}

static void kick(void)
{
    uint64_t one = 1;

    if (write(kick_fd, &one, 8) != 8) {
        bail("kick");
    }
}

/* Drain the call eventfd; returns how many calls (0 after ms of none). */
static uint64_t calls(int ms)
{
    struct pollfd p = { .fd = call_fd, .events = POLLIN };
    uint64_t v = 0;

    if (poll(&p, 1, ms) == 1 && read(call_fd, &v, 8) != 8) {
        v = 0;
    }
    return v;
}

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Wait until the daemon used everything posted (10 s). */
static bool wait_used(void)
{
    double end = 0;

    for (int i = 0;; i++) {
        if (used_idx() == avail_idx) {
            return true;
        }
        if (i > 200) {
            if (!end) {
                end = now_s() + 10;
            } else if (now_s() > end) {
                return false;
            }
            usleep(50);
        }
    }
}

/* ---- requests ---- */

static void put_hdr(uint8_t *h, uint32_t opcode, uint64_t sess,
                    uint32_t op_type, uint32_t iv_len, uint32_t src_len,
                    uint32_t dst_len)
{
    struct virtio_crypto_op_data_req *q = (void *)h;

    memset(h, 0, HDR_LEN);
    q->header.opcode = htole32(opcode);
    q->header.session_id = htole64(sess);
    q->u.sym_req.op_type = htole32(op_type);
    q->u.sym_req.u.cipher.para.iv_len = htole32(iv_len);
    q->u.sym_req.u.cipher.para.src_data_len = htole32(src_len);
    q->u.sym_req.u.cipher.para.dst_data_len = htole32(dst_len);
}

/*
 * Bytes left out after each piece of build()'s buffers: 0, pieces that
 * follow each other in guest memory (the daemon may take them as one);
 * else scattered ones, as pinned user pages are.
 */
static uint32_t piece_gap;

/* len bytes at gpa g in build()'s pieces of piece bytes, into out */
static void gather(uint64_t g, uint32_t piece, uint8_t *out, uint32_t len)
{
    for (uint32_t done = 0; done < len;) {
        uint32_t take = piece && piece < len - done ? piece : len - done;

        memcpy(out + done, ram + g, take);
        done += take;
        g += take + (piece ? piece_gap : 0);
    }
}

/*
 * Lay out one good request at gpa off: out = hdr | iv | src, in = dst |
 * status, cut into pieces of at most piece bytes (0: one descriptor per
 * part; piece_gap bytes between them), direct descriptors from index
 * first or (indirect) one table.  Returns the head; *status_gpa,
 * *dst_gpa tell where the answers go (dst in pieces: gather()).
 */
static uint16_t build(uint64_t off, uint16_t first, bool indirect,
                      uint32_t piece, uint64_t sess, const uint8_t *iv,
                      const uint8_t *src, uint32_t len, uint64_t *dst_gpa,
                      uint64_t *status_gpa)
{
    D *t = indirect ? (D *)(ram + INDIRECT_GPA) : NULL;
    uint32_t n = 0;
    uint64_t g = off;
    struct {
        uint64_t gpa;
        uint32_t len;
        bool w;
    } part[4];

    static uint8_t out[HDR_LEN + 16 + 65536];
    uint32_t gaps = piece ? piece_gap : 0;

    put_hdr(out, VIRTIO_CRYPTO_CIPHER_ENCRYPT, sess,
            VIRTIO_CRYPTO_SYM_OP_CIPHER, 16, len, len);
    memcpy(out + HDR_LEN, iv, 16);
    memcpy(out + HDR_LEN + 16, src, len);
    part[0] = (typeof(part[0])){ g, HDR_LEN + 16 + len, false };
    g += HDR_LEN + 16 + len + 64;
    if (gaps) {
        g += (HDR_LEN + 16 + len) / piece * gaps + gaps;
    }
    *dst_gpa = g;
    part[1] = (typeof(part[1])){ g, len, true };
    g += len + 64 + (gaps ? len / piece * gaps + gaps : 0);
    *status_gpa = g;
    part[2] = (typeof(part[2])){ g, 1, true };
    for (int p = 0; p < 3; p++) {
        uint64_t a = part[p].gpa;
        uint32_t left = part[p].len;

        while (left) {
            uint32_t take = piece && piece < left ? piece : left;
            D d = { a, take, part[p].w ? F_WRITE : 0, 0 };

            if (p == 0) {
                memcpy(ram + a, out + part[0].len - left, take);
            } else {
                memset(ram + a, 0xee, take);
            }

            if (indirect) {
                d.next = n + 1;
                t[n] = d;
            } else {
                d.next = (first + n + 1) % QSIZE;
                *desc((first + n) % QSIZE) = d;
            }
            n++;
            a += take + gaps;
            left -= take;
        }
    }
    if (indirect) {
        t[n - 1].flags &= ~F_NEXT;
        for (uint32_t i = 0; i + 1 < n; i++) {
            t[i].flags |= F_NEXT;
        }
        *desc(first) = (D){ INDIRECT_GPA, n * 16, F_INDIRECT, 0 };
    } else {
        for (uint32_t i = 0; i + 1 < n; i++) {
            desc((first + i) % QSIZE)->flags |= F_NEXT;
        }
    }
    return first;
}

static const uint8_t kat_key[16] = {
    0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};
static const uint8_t kat_iv[16] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
};
/* NIST SP 800-38A F.2.1, CBC-AES128.Encrypt */
static const uint8_t kat_pt[64] = {
    0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
    0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a,
    0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c,
    0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51,
    0x30, 0xc8, 0x1c, 0x46, 0xa3, 0x5c, 0xe4, 0x11,
    0xe5, 0xfb, 0xc1, 0x19, 0x1a, 0x0a, 0x52, 0xef,
    0xf6, 0x9f, 0x24, 0x45, 0xdf, 0x4f, 0x9b, 0x17,
    0xad, 0x2b, 0x41, 0x7b, 0xe6, 0x6c, 0x37, 0x10,
};
static const uint8_t kat_ct[64] = {
    0x76, 0x49, 0xab, 0xac, 0x81, 0x19, 0xb2, 0x46,
    0xce, 0xe9, 0x8e, 0x9b, 0x12, 0xe9, 0x19, 0x7d,
    0x50, 0x86, 0xcb, 0x9b, 0x50, 0x72, 0x19, 0xee,
    0x95, 0xdb, 0x11, 0x3a, 0x91, 0x76, 0x78, 0xb2,
    0x73, 0xbe, 0xd6, 0xb8, 0xe3, 0xc1, 0x74, 0x3b,
    0x71, 0x16, 0xe6, 0x9e, 0x22, 0x22, 0x95, 0x16,
    0x3f, 0xf1, 0xca, 0xa1, 0x68, 0x1f, 0xac, 0x09,
    0x12, 0x0e, 0xca, 0x30, 0x75, 0x86, 0xe1, 0xa7,
};

static int ref_cbc(int enc, const uint8_t *key, const uint8_t *iv,
                   const uint8_t *in, uint8_t *out, int len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0, good;

    good = ctx && EVP_CipherInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv,
                                    enc) &&
           EVP_CIPHER_CTX_set_padding(ctx, 0) &&
           EVP_CipherUpdate(ctx, out, &n1, in, len) &&
           EVP_CipherFinal_ex(ctx, out + n1, &n2) && n1 + n2 == len;
    EVP_CIPHER_CTX_free(ctx);
    return good ? 0 : -1;
}

/*
 * One request through the ring: its used entry and status.  Returns the
 * status byte, or -1 if nothing came back.
 */
static int one(uint16_t head, uint32_t *used_len, uint64_t status_gpa)
{
    uint32_t id;

    post(head);
    kick();
    if (!wait_used()) {
        return -1;
    }
    used_elem(used_seen++, &id, used_len);
    if (id != head) {
        return -2;
    }
    return status_gpa ? ram[status_gpa] : 0;
}

/* A good KAT request (several shapes); true if the answer is right. */
static bool good_request(uint64_t sess, uint32_t piece, bool indirect,
                         uint64_t off)
{
    uint64_t dst, st;
    uint32_t len;
    uint16_t h = build(off, avail_idx % QSIZE, indirect, piece, sess,
                       kat_iv, kat_pt, 64, &dst, &st);
    int s = one(h, &len, st);
    uint8_t got[64];

    gather(dst, piece, got, 64);
    return s == VIRTIO_CRYPTO_OK && len == 65 && !memcmp(got, kat_ct, 64);
}

/*
 * 64 KiB in 1 KiB pieces with a hole after each (as a guest's pinned
 * user pages, smaller), source and destination: in place on the pieces.
 * 64 pieces and more is where glibc's qsort() (the provider library's
 * overlap check sorts them) asks the kernel for the memory size once, a
 * system call the daemon's filter must allow.
 */
static bool scattered_64k(uint64_t sess)
{
    static uint8_t src[65536], ref[65536], got[65536];
    uint64_t dst, st;
    uint32_t len;
    uint16_t h;
    int s;

    for (size_t i = 0; i < sizeof(src); i++) {
        src[i] = rnd();
    }
    piece_gap = 1024;
    h = build(DATA_GPA, avail_idx % QSIZE, true, 1024, sess, kat_iv, src,
              sizeof(src), &dst, &st);
    s = one(h, &len, st);
    gather(dst, 1024, got, sizeof(got));
    piece_gap = 0;
    return s == VIRTIO_CRYPTO_OK && len == sizeof(src) + 1 &&
           ref_cbc(1, kat_key, kat_iv, src, ref, sizeof(src)) == 0 &&
           !memcmp(got, ref, sizeof(ref));
}

/*
 * A request with these avail flags and used_event (event: relative to the
 * used entry it will get): an interrupt must come (want) or not.
 */
static void notify_case(uint64_t sess, uint16_t flags, int event, bool want,
                        const char *what)
{
    *avail_flags() = flags;
    *used_event() = used_seen + event;
    good_request(sess, 0, false, DATA_GPA);
    if (want) {
        ok(calls(2000) >= 1, "%s: interrupt", what);
    } else {
        ok(calls(200) == 0, "%s: no interrupt", what);
    }
}

static uint64_t ram_sum(void)
{
    uint64_t h = 1469598103934665603ull;

    /* everything but the rings, which the daemon and we write */
    for (size_t i = 0; i < RAM_SIZE; i += 8) {
        if (i >= AVAIL_GPA && i < USED_GPA + 0x1000) {
            continue;
        }
        h = (h ^ *(uint64_t *)(ram + i)) * 1099511628211ull;
    }
    return h;
}

static int64_t sess_enc;

/*
 * A malformed chain at head: it must come back used with length 0, the
 * RAM untouched outside the used ring, and the ring still working.
 */
static void bad_chain(const char *what, uint16_t head)
{
    uint64_t before = ram_sum();
    uint32_t len = 99;
    int s = one(head, &len, 0);

    ok(s == 0 && len == 0 && ram_sum() == before,
       "malformed chain (%s): returned unused, memory untouched", what);
    ok(good_request(sess_enc, 0, false, DATA_GPA + 0x10000),
       "a good request after it");
}

/* A request with a status byte at st: the daemon must answer want. */
static void bad_req(const char *what, uint16_t head, uint64_t st, int want)
{
    uint32_t len;
    int s;

    ram[st] = 0xee;
    s = one(head, &len, st);
    ok(s == want, "%s: status %d (want %d)", what, s, want);
}

/* The common bad-request frame: hdr out at DATA_GPA, 1 status byte in. */
static uint16_t frame(uint32_t out_len, uint32_t in_len, uint64_t *st)
{
    uint16_t h = avail_idx % QSIZE;

    *desc(h) = (D){ DATA_GPA, out_len, F_NEXT, (h + 1) % QSIZE };
    *desc((h + 1) % QSIZE) = (D){ DATA_GPA + 0x1000, in_len, F_WRITE, 0 };
    *st = DATA_GPA + 0x1000 + in_len - 1;
    return h;
}

/* Requests that parse as chains but not as requests, and their status. */
typedef struct BadReq {
    const char *what;
    uint32_t out_len, in_len, opcode;
    uint64_t sess_add;        /* added to the good session's id */
    uint32_t op_type, iv_len, src_len, dst_len;
    int want;
} BadReq;

#define CIPHER_ENC VIRTIO_CRYPTO_CIPHER_ENCRYPT, 0, VIRTIO_CRYPTO_SYM_OP_CIPHER
static const BadReq bad_reqs[] = {
    { "4 GiB source in a 72-byte request", HDR_LEN, 16, CIPHER_ENC, 16,
      0xfffffff0, 0xfffffff0, VIRTIO_CRYPTO_BADMSG },
    { "source and destination lengths differ", HDR_LEN + 32, 64, CIPHER_ENC,
      16, 16, 32, VIRTIO_CRYPTO_BADMSG },
    { "destination longer than the writable buffer", HDR_LEN + 32, 16,
      CIPHER_ENC, 16, 16, 16, VIRTIO_CRYPTO_BADMSG },
    { "IV of 32 bytes", HDR_LEN + 64, 64, CIPHER_ENC, 32, 16, 16,
      VIRTIO_CRYPTO_BADMSG },
    { "15 bytes of AES-CBC", HDR_LEN + 32, 64, CIPHER_ENC, 16, 15, 15,
      VIRTIO_CRYPTO_BADMSG },
    { "unknown session", HDR_LEN + 32, 64, VIRTIO_CRYPTO_CIPHER_ENCRYPT, 1,
      VIRTIO_CRYPTO_SYM_OP_CIPHER, 16, 16, 16, VIRTIO_CRYPTO_INVSESS },
    { "session id of an older generation", HDR_LEN + 32, 64,
      VIRTIO_CRYPTO_CIPHER_ENCRYPT, 1ull << 32, VIRTIO_CRYPTO_SYM_OP_CIPHER,
      16, 16, 16, VIRTIO_CRYPTO_INVSESS },
    { "HASH request, writable part not its result + 1", HDR_LEN + 32, 64,
      VIRTIO_CRYPTO_HASH, 0, 0, 0, 16, 16, VIRTIO_CRYPTO_ERR },
    { "AKCIPHER request", HDR_LEN + 32, 64, VIRTIO_CRYPTO_AKCIPHER_ENCRYPT, 0,
      0, 0, 16, 16, VIRTIO_CRYPTO_NOTSUPP },
    { "algorithm chaining", HDR_LEN + 32, 64, VIRTIO_CRYPTO_CIPHER_ENCRYPT, 0,
      VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING, 16, 16, 16,
      VIRTIO_CRYPTO_NOTSUPP },
    { "op_type 7", HDR_LEN + 32, 64, VIRTIO_CRYPTO_CIPHER_ENCRYPT, 0, 7, 16,
      16, 16, VIRTIO_CRYPTO_BADMSG },
};

/*
 * bad_chain() on descriptor a at the next head (with NEXT, a.next counts
 * from that head), then b if any as the one a chains to.
 */
static void bad_chain_at(const char *what, D a, const D *b)
{
    uint16_t h = avail_idx % QSIZE;

    if (a.flags & F_NEXT) {
        a.next = (h + a.next) % QSIZE;
    }
    *desc(h) = a;
    if (b) {
        *desc(a.next) = *b;
    }
    bad_chain(what, h);
}

/* A chain of a then b, b following a */
static void bad_chain2(const char *what, D a, D b)
{
    a.flags |= F_NEXT;
    a.next = 1;
    bad_chain_at(what, a, &b);
}

static void malformed_chains(void)
{
    uint16_t h;
    uint64_t st;
    D *t = (D *)(ram + INDIRECT_GPA);

    bad_chain_at("a descriptor chained to itself",
                 (D){ DATA_GPA, HDR_LEN, F_NEXT, 0 }, NULL);
    h = avail_idx % QSIZE;
    for (unsigned i = 0; i < QSIZE; i++) {
        *desc(i) = (D){ DATA_GPA, 16, F_NEXT, (i + 1) % QSIZE };
    }
    bad_chain("a loop through the whole table", h);
    h = avail_idx % QSIZE;
    *desc(h) = (D){ DATA_GPA, HDR_LEN, F_NEXT, QSIZE + 5 };
    bad_chain("next beyond the table", h);
    bad_chain("head beyond the table", QSIZE + 7);
    bad_chain2("readable buffer outside guest RAM",
               (D){ RAM_SIZE + 0x1000, HDR_LEN, 0, 0 },
               (D){ DATA_GPA, 16, F_WRITE, 0 });
    bad_chain2("writable buffer running off the end of RAM",
               (D){ DATA_GPA, HDR_LEN, 0, 0 },
               (D){ RAM_SIZE - 8, 16, F_WRITE, 0 });
    bad_chain2("address + length wrapping 2^64",
               (D){ DATA_GPA, HDR_LEN, 0, 0 },
               (D){ UINT64_MAX - 4, 0xffffffff, F_WRITE, 0 });
    bad_chain2("a 4 GiB readable buffer", (D){ DATA_GPA, 0xffffffff, 0, 0 },
               (D){ DATA_GPA, 16, F_WRITE, 0 });
    bad_chain2("readable after writable",
               (D){ DATA_GPA + 0x1000, 16, F_WRITE, 0 },
               (D){ DATA_GPA, HDR_LEN, 0, 0 });
    bad_chain_at("no writable buffer (no room for a status)",
                 (D){ DATA_GPA, HDR_LEN, 0, 0 }, NULL);
    bad_chain_at("indirect table of 24 bytes",
                 (D){ INDIRECT_GPA, 24, F_INDIRECT, 0 }, NULL);
    bad_chain_at("indirect table outside RAM",
                 (D){ RAM_SIZE - 16, 32, F_INDIRECT, 0 }, NULL);
    bad_chain_at("indirect table of 65536 entries",
                 (D){ INDIRECT_GPA, 0x100000, F_INDIRECT, 0 }, NULL);
    t[0] = (D){ INDIRECT_GPA, 32, F_INDIRECT, 0 };
    bad_chain_at("nested indirect table",
                 (D){ INDIRECT_GPA, 32, F_INDIRECT, 0 }, NULL);
    t[0] = (D){ DATA_GPA, HDR_LEN, F_NEXT, 1 };
    t[1] = (D){ DATA_GPA, 16, F_WRITE | F_NEXT, 0 };
    bad_chain_at("loop inside an indirect table",
                 (D){ INDIRECT_GPA, 32, F_INDIRECT, 0 }, NULL);
    bad_chain_at("indirect with NEXT",
                 (D){ INDIRECT_GPA, 32, F_INDIRECT | F_NEXT, 1 }, NULL);

    /* well-formed chains, bad requests: answered with a status */
    h = frame(10, 16, &st);
    bad_req("header of 10 bytes", h, st, VIRTIO_CRYPTO_BADMSG);
    for (size_t i = 0; i < sizeof(bad_reqs) / sizeof(bad_reqs[0]); i++) {
        const BadReq *b = &bad_reqs[i];

        h = frame(b->out_len, b->in_len, &st);
        put_hdr(ram + DATA_GPA, b->opcode, sess_enc + b->sess_add, b->op_type,
                b->iv_len, b->src_len, b->dst_len);
        bad_req(b->what, h, st, b->want);
    }
}

/* ---- HASH, MAC, AEAD (our QEMU's sessions) and GET_CONFIG ---- */

#define AREQ_OUT (DATA_GPA + 0x100000)   /* readable part, 192 KiB */
#define AREQ_IN (DATA_GPA + 0x140000)    /* writable part */

/*
 * One request: out_len readable bytes at AREQ_OUT, in_len writable ones
 * at AREQ_IN (filled with 0xee first), each cut in pieces of piece bytes
 * (0: one descriptor each).  Returns the status (the last writable byte),
 * or -1; *ulen the used length.
 */
static int areq(const void *out, uint32_t out_len, uint32_t in_len,
                uint32_t piece, uint32_t *ulen)
{
    uint16_t h = avail_idx % QSIZE, n = 0;
    struct {
        uint64_t gpa;
        uint32_t len;
        bool w;
    } part[2] = { { AREQ_OUT, out_len, false }, { AREQ_IN, in_len, true } };

    memcpy(ram + AREQ_OUT, out, out_len);
    memset(ram + AREQ_IN, 0xee, in_len);
    for (int p = 0; p < 2; p++) {
        for (uint32_t o = 0; o < part[p].len;) {
            uint32_t take = piece && piece < part[p].len - o ?
                            piece : part[p].len - o;

            *desc((h + n) % QSIZE) = (D){ part[p].gpa + o, take,
                                          (part[p].w ? F_WRITE : 0) | F_NEXT,
                                          (h + n + 1) % QSIZE };
            n++;
            o += take;
        }
    }
    desc((h + n - 1) % QSIZE)->flags &= ~F_NEXT;
    return one(h, ulen, AREQ_IN + in_len - 1);
}

/* A HASH or MAC request's readable part: hdr | src. */
static uint32_t hash_hdr(uint8_t *b, uint32_t opcode, uint64_t sess,
                         const void *src, uint32_t src_len,
                         uint32_t result_len)
{
    put_hdr(b, opcode, sess, 0, 0, 0, 0);
    st32(b + 24, src_len);
    st32(b + 28, result_len);
    memcpy(b + HDR_LEN, src, src_len);
    return HDR_LEN + src_len;
}

/* An AEAD request's readable part: hdr | iv | src | aad. */
static uint32_t aead_hdr(uint8_t *b, uint32_t opcode, uint64_t sess,
                         const void *iv, uint32_t iv_len, const void *src,
                         uint32_t src_len, const void *aad, uint32_t aad_len,
                         uint32_t dst_len, uint32_t tag_len)
{
    put_hdr(b, opcode, sess, 0, 0, 0, 0);
    st32(b + 24, iv_len);
    st32(b + 28, aad_len);
    st32(b + 32, src_len);
    st32(b + 36, dst_len);
    st32(b + 40, tag_len);
    memcpy(b + HDR_LEN, iv, iv_len);
    memcpy(b + HDR_LEN + iv_len, src, src_len);
    memcpy(b + HDR_LEN + iv_len + src_len, aad, aad_len);
    return HDR_LEN + iv_len + src_len + aad_len;
}

/* AES-128-GCM by OpenSSL: ct and a tag_len-byte tag after it. */
static int ref_gcm(const uint8_t *key, const uint8_t *iv, int iv_len,
                   const uint8_t *aad, int aad_len, const uint8_t *pt,
                   int len, uint8_t *out, int tag_len)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, good;

    good = c && EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL) &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, iv_len, NULL) &&
           EVP_EncryptInit_ex(c, NULL, NULL, key, iv) &&
           (!aad_len || EVP_EncryptUpdate(c, NULL, &n, aad, aad_len)) &&
           (!len || EVP_EncryptUpdate(c, out, &n, pt, len)) &&
           EVP_EncryptFinal_ex(c, out + len, &n) &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, tag_len, out + len);
    EVP_CIPHER_CTX_free(c);
    return good ? 0 : -1;
}

static const uint8_t sha256_abc[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
    0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
    0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};
/* RFC 4231 test case 2: HMAC-SHA-256, key "Jefe" */
static const uint8_t hmac_jefe[32] = {
    0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e,
    0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
    0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83,
    0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
};

static uint32_t cfg32(const uint8_t *c, size_t off)
{
    uint32_t v;

    memcpy(&v, c + off, 4);
    return le32toh(v);
}

#define CFG32(c, f) cfg32(c, offsetof(struct virtio_crypto_config, f))

/* GET_CONFIG of size bytes at off into c; 0, or -1. */
static int get_config(uint32_t off, uint32_t size, uint8_t *c)
{
    uint8_t p[VU_CONFIG_HDR + 64] = { 0 };

    memcpy(p, &off, 4);
    memcpy(p + 4, &size, 4);
    if (send_msg(VU_GET_CONFIG, VU_VERSION, p, VU_CONFIG_HDR + size, NULL,
                 0) || recv_reply(VU_GET_CONFIG, p, VU_CONFIG_HDR + size)) {
        return -1;
    }
    memcpy(c, p + VU_CONFIG_HDR, size);
    return 0;
}

static void config_tests(void)
{
    uint8_t c[64], part[8];
    uint64_t max_size;
    uint32_t sv;

    ok(get_config(0, sizeof(struct virtio_crypto_config), c) == 0,
       "GET_CONFIG: a virtio_crypto_config of %zu bytes",
       sizeof(struct virtio_crypto_config));
    sv = CFG32(c, crypto_services);
    memcpy(&max_size, c + offsetof(struct virtio_crypto_config, max_size), 8);
    ok(CFG32(c, status) == VIRTIO_CRYPTO_S_HW_READY &&
       CFG32(c, max_dataqueues) == 4 &&
       sv == (1u << VIRTIO_CRYPTO_SERVICE_CIPHER |
              1u << VIRTIO_CRYPTO_SERVICE_HASH |
              1u << VIRTIO_CRYPTO_SERVICE_MAC |
              1u << VIRTIO_CRYPTO_SERVICE_AEAD),
       "config: ready, 4 queues, services %#x: cipher, hash, MAC, AEAD", sv);
    ok((CFG32(c, cipher_algo_l) & (1u << VIRTIO_CRYPTO_CIPHER_AES_CBC |
                                   1u << VIRTIO_CRYPTO_CIPHER_AES_CTR)) ==
       (1u << VIRTIO_CRYPTO_CIPHER_AES_CBC | 1u << VIRTIO_CRYPTO_CIPHER_AES_CTR)
       && CFG32(c, cipher_algo_h) == 0 &&
       (CFG32(c, hash_algo) & 1u << VIRTIO_CRYPTO_HASH_SHA_256) &&
       (CFG32(c, mac_algo_l) & 1u << VIRTIO_CRYPTO_MAC_HMAC_SHA_256) &&
       (CFG32(c, aead_algo) & 1u << VIRTIO_CRYPTO_AEAD_GCM) &&
       CFG32(c, akcipher_algo) == 0,
       "config: the provider's algorithms (cipher %#x hash %#x mac %#x "
       "aead %#x)", CFG32(c, cipher_algo_l), CFG32(c, hash_algo),
       CFG32(c, mac_algo_l), CFG32(c, aead_algo));
    ok(CFG32(c, max_cipher_key_len) == 64 &&
       CFG32(c, max_auth_key_len) == 512 && le64toh(max_size) == 16u << 20,
       "config: keys up to 64 (AES-256-XTS) and 512 bytes, max_size "
       "%llu (--max-len)", (unsigned long long)le64toh(max_size));
    ok(get_config(8, 8, part) == 0 && !memcmp(part, c + 8, 8),
       "GET_CONFIG of 8 bytes at offset 8");
}

static void auth_tests(void)
{
    static uint8_t out[0x30000], big[65536], ref[65536 + 16];
    uint8_t key16[16], iv[12], aad[16], digest[32];
    int64_t sha, hmac, seal, open_, seal8;
    uint32_t n, ulen, md_len;
    int s;

    sha = hash_session(VIRTIO_CRYPTO_HASH_CREATE_SESSION,
                       VIRTIO_CRYPTO_HASH_SHA_256, 32, NULL, 0);
    hmac = hash_session(VIRTIO_CRYPTO_MAC_CREATE_SESSION,
                        VIRTIO_CRYPTO_MAC_HMAC_SHA_256, 16, "Jefe", 4);
    ok(sha >= 0 && hmac >= 0, "HASH (SHA-256) and MAC (HMAC-SHA-256, "
       "16-byte result) sessions: ids %lld %lld", (long long)sha,
       (long long)hmac);
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, sha, "abc", 3, 32);
    s = areq(out, n, 33, 0, &ulen);
    ok(s == VIRTIO_CRYPTO_OK && ulen == 33 &&
       !memcmp(ram + AREQ_IN, sha256_abc, 32), "SHA-256(\"abc\") (FIPS "
       "180-4): status %d, used %u", s, ulen);
    s = areq(out, n, 33, 5, &ulen);
    ok(s == VIRTIO_CRYPTO_OK && !memcmp(ram + AREQ_IN, sha256_abc, 32),
       "the same in 5-byte pieces");
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, sha, "", 0, 32);
    s = areq(out, n, 33, 0, &ulen);
    EVP_Digest("", 0, digest, &md_len, EVP_sha256(), NULL);
    ok(s == VIRTIO_CRYPTO_OK && !memcmp(ram + AREQ_IN, digest, 32),
       "SHA-256 of nothing");
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = rnd();
    }
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, sha, big, sizeof(big), 32);
    s = areq(out, n, 33, 4000, &ulen);
    EVP_Digest(big, sizeof(big), digest, &md_len, EVP_sha256(), NULL);
    ok(s == VIRTIO_CRYPTO_OK && !memcmp(ram + AREQ_IN, digest, 32),
       "SHA-256 of 64 KiB in 4000-byte pieces equals OpenSSL");
    n = hash_hdr(out, VIRTIO_CRYPTO_MAC, hmac,
                 "what do ya want for nothing?", 28, 16);
    s = areq(out, n, 17, 0, &ulen);
    ok(s == VIRTIO_CRYPTO_OK && ulen == 17 &&
       !memcmp(ram + AREQ_IN, hmac_jefe, 16) && ram[AREQ_IN + 16] == 0,
       "HMAC-SHA-256 RFC 4231 case 2, cut to 16 bytes");

    /* bounds: ERR (or INVSESS), nothing written */
    n = hash_hdr(out, VIRTIO_CRYPTO_MAC, hmac, "abc", 3, 32);
    s = areq(out, n, 33, 0, &ulen);
    ok(s == VIRTIO_CRYPTO_ERR && ram[AREQ_IN] == 0xee,
       "MAC request for 32 bytes on a 16-byte session: ERR (%d)", s);
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, sha, "abc", 3, 65);
    ok(areq(out, n, 66, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "hash result of 65 bytes: ERR");
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, sha, "abc", 3, 0);
    ok(areq(out, n, 1, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "hash result of 0 bytes: ERR");
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, sha, "abc", 3, 32);
    ok(areq(out, n, 40, 0, &ulen) == VIRTIO_CRYPTO_ERR &&
       ram[AREQ_IN] == 0xee, "writable part not result + 1: ERR");
    ok(areq(out, n - 1, 33, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "source shorter than src_data_len: ERR");
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, sha, "abc", 3, 32);
    st32(out + 24, 0xfffffff0);
    ok(areq(out, n, 33, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "src_data_len 4 GiB: ERR");
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, hmac, "abc", 3, 16);
    ok(areq(out, n, 17, 0, &ulen) == VIRTIO_CRYPTO_INVSESS,
       "HASH request on a MAC session: INVSESS");
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, sess_enc, "abc", 3, 32);
    ok(areq(out, n, 33, 0, &ulen) == VIRTIO_CRYPTO_INVSESS,
       "HASH request on a cipher session: INVSESS");
    put_hdr(out, VIRTIO_CRYPTO_CIPHER_ENCRYPT, sha,
            VIRTIO_CRYPTO_SYM_OP_CIPHER, 16, 16, 16);
    ok(areq(out, HDR_LEN + 32, 17, 0, &ulen) == VIRTIO_CRYPTO_INVSESS,
       "cipher request on a hash session: INVSESS");

    /* AEAD: AES-128-GCM, 16-byte tags, against OpenSSL */
    for (int i = 0; i < 16; i++) {
        key16[i] = rnd();
        aad[i] = rnd();
    }
    for (int i = 0; i < 12; i++) {
        iv[i] = rnd();
    }
    seal = aead_session(VIRTIO_CRYPTO_AEAD_GCM, key16, 16, 16,
                        VIRTIO_CRYPTO_OP_ENCRYPT);
    open_ = aead_session(VIRTIO_CRYPTO_AEAD_GCM, key16, 16, 16,
                         VIRTIO_CRYPTO_OP_DECRYPT);
    seal8 = aead_session(VIRTIO_CRYPTO_AEAD_GCM, key16, 16, 8,
                         VIRTIO_CRYPTO_OP_ENCRYPT);
    ok(seal >= 0 && open_ >= 0 && seal8 >= 0,
       "AEAD sessions: AES-128-GCM seal, open, seal with 8-byte tags");
    ref_gcm(key16, iv, 12, aad, 16, big, 4096, ref, 16);
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal, iv, 12, big, 4096,
                 aad, 16, 4096 + 16, 16);
    s = areq(out, n, 4096 + 17, 0, &ulen);
    ok(s == VIRTIO_CRYPTO_OK && ulen == 4096 + 17 &&
       !memcmp(ram + AREQ_IN, ref, 4096 + 16),
       "GCM seal of 4 KiB with 16 bytes of AAD equals OpenSSL (ct | tag)");
    s = areq(out, n, 4096 + 17, 1000, &ulen);
    ok(s == VIRTIO_CRYPTO_OK && !memcmp(ram + AREQ_IN, ref, 4096 + 16),
       "the same in 1000-byte pieces");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal, iv, 12, big, 4096,
                 aad, 16, 5000, 16);
    s = areq(out, n, 5001, 0, &ulen);
    ok(s == VIRTIO_CRYPTO_OK && ulen == 5001 &&
       !memcmp(ram + AREQ_IN, ref, 4096 + 16) &&
       ram[AREQ_IN + 4096 + 16] == 0xee,
       "a larger destination: ct | tag, the rest untouched");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_DECRYPT, open_, iv, 12, ref,
                 4096 + 16, aad, 16, 4096, 16);
    s = areq(out, n, 4097, 99, &ulen);
    ok(s == VIRTIO_CRYPTO_OK && !memcmp(ram + AREQ_IN, big, 4096),
       "GCM open of it (99-byte pieces): the plaintext");
    ref_gcm(key16, iv, 12, NULL, 0, NULL, 0, ref, 16);
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal, iv, 12, NULL, 0,
                 NULL, 0, 16, 16);
    s = areq(out, n, 17, 0, &ulen);
    ok(s == VIRTIO_CRYPTO_OK && !memcmp(ram + AREQ_IN, ref, 16),
       "GCM seal of nothing, no AAD: the tag");
    ref_gcm(key16, iv, 12, aad, 16, big, 100, ref, 16);
    ref[50] ^= 1;
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_DECRYPT, open_, iv, 12, ref, 116,
                 aad, 16, 100, 16);
    s = areq(out, n, 101, 0, &ulen);
    ok(s == VIRTIO_CRYPTO_BADMSG && ram[AREQ_IN] == 0xee &&
       ram[AREQ_IN + 99] == 0xee,
       "a changed ciphertext: BADMSG, nothing written (%d)", s);
    ref_gcm(key16, iv, 12, aad, 16, big, 100, ref, 8);
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal8, iv, 12, big, 100,
                 aad, 16, 108, 8);
    s = areq(out, n, 109, 0, &ulen);
    ok(s == VIRTIO_CRYPTO_OK && !memcmp(ram + AREQ_IN, ref, 108),
       "GCM seal with an 8-byte tag equals OpenSSL");

    /* AEAD bounds */
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal, iv, 12, big, 100,
                 aad, 16, 116, 8);
    ok(areq(out, n, 117, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "tag length not the session's: ERR");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_DECRYPT, seal, iv, 12, big, 116,
                 aad, 16, 100, 16);
    ok(areq(out, n, 101, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "decrypt on an encrypt session: ERR");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal, iv, 12, big, 100,
                 aad, 16, 115, 16);
    ok(areq(out, n, 116, 0, &ulen) == VIRTIO_CRYPTO_ERR &&
       ram[AREQ_IN] == 0xee, "destination one byte short of ct | tag: ERR");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_DECRYPT, open_, iv, 12, big, 15,
                 aad, 16, 0, 16);
    ok(areq(out, n, 1, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "decrypt source shorter than the tag: ERR");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal, iv, 12, big, 100,
                 aad, 16, 116, 16);
    ok(areq(out, n - 1, 117, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "AAD shorter than aad_len: ERR");
    ok(areq(out, n, 118, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "writable part not dst_data_len + 1: ERR");
    st32(out + 28, 0xffffff00);
    ok(areq(out, n, 117, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "aad_len near 4 GiB: ERR");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal, iv, 12, big, 100,
                 aad, 16, 116, 17);
    ok(areq(out, n, 117, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "tag of 17 bytes: ERR");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal, iv, 0, big, 100,
                 aad, 16, 116, 16);
    ok(areq(out, n, 117, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "empty nonce: ERR");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, seal, big, 65, big, 100,
                 aad, 16, 116, 16);
    ok(areq(out, n, 117, 0, &ulen) == VIRTIO_CRYPTO_ERR,
       "nonce of 65 bytes: ERR");
    n = aead_hdr(out, VIRTIO_CRYPTO_AEAD_ENCRYPT, sha, iv, 12, big, 100,
                 aad, 16, 116, 16);
    ok(areq(out, n, 117, 0, &ulen) == VIRTIO_CRYPTO_INVSESS,
       "AEAD request on a hash session: INVSESS");

    /* sessions refused */
    ok(hash_session(VIRTIO_CRYPTO_HASH_CREATE_SESSION,
                    VIRTIO_CRYPTO_HASH_SHA_256, 33, NULL, 0) == -1,
       "SHA-256 session with a 33-byte result: refused");
    ok(hash_session(VIRTIO_CRYPTO_HASH_CREATE_SESSION,
                    VIRTIO_CRYPTO_HASH_SHA_256, 0, NULL, 0) == -1,
       "hash session with a 0-byte result: refused");
    ok(hash_session(VIRTIO_CRYPTO_HASH_CREATE_SESSION, 99, 16, NULL, 0) == -1,
       "hash 99: refused");
    ok(hash_session(VIRTIO_CRYPTO_MAC_CREATE_SESSION,
                    VIRTIO_CRYPTO_MAC_HMAC_SHA_256, 32, big, 513) == -1,
       "HMAC key of 513 bytes: refused");
    ok(hash_session(VIRTIO_CRYPTO_MAC_CREATE_SESSION,
                    VIRTIO_CRYPTO_MAC_HMAC_SHA_256, 32, big, 0xffffffff) == -1,
       "HMAC key of 4 GiB: refused");
    ok(hash_session(VIRTIO_CRYPTO_MAC_CREATE_SESSION,
                    VIRTIO_CRYPTO_MAC_CMAC_AES, 16, big, 15) == -1,
       "CMAC-AES key of 15 bytes: refused");
    ok(aead_session(VIRTIO_CRYPTO_AEAD_GCM, key16, 17, 16, 1) == -1,
       "GCM key of 17 bytes: refused");
    ok(aead_session(VIRTIO_CRYPTO_AEAD_GCM, key16, 0xffffffff, 16, 1) == -1,
       "GCM key of 4 GiB: refused");
    ok(aead_session(VIRTIO_CRYPTO_AEAD_GCM, key16, 16, 17, 1) == -1 &&
       aead_session(VIRTIO_CRYPTO_AEAD_GCM, key16, 16, 0, 1) == -1,
       "GCM tags of 17 and 0 bytes: refused");
    ok(aead_session(VIRTIO_CRYPTO_AEAD_GCM, key16, 16, 16, 3) == -1,
       "GCM direction 3: refused");
    ok(aead_session(99, key16, 16, 16, 1) == -1, "AEAD 99: refused");

    close_session(sha);
    close_session(hmac);
    close_session(seal);
    close_session(open_);
    close_session(seal8);
    n = hash_hdr(out, VIRTIO_CRYPTO_HASH, sha, "abc", 3, 32);
    ok(areq(out, n, 33, 0, &ulen) == VIRTIO_CRYPTO_INVSESS,
       "closed hash session: INVSESS");
}

/*
 * SIGUSR1: the daemon logs its open sessions; the newest such line, or
 * "" after 5 s without a new one.
 */
static const char *stats(void)
{
    static char last[512];
    char line[512], prev[512] = "";

    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(log_path, "r");

        last[0] = 0;
        while (f && fgets(line, sizeof(line), f)) {
            if (strstr(line, "stats: ")) {
                snprintf(last, sizeof(last), "%s", strstr(line, "stats: "));
            }
        }
        if (f) {
            fclose(f);
        }
        if (i == 0) {
            snprintf(prev, sizeof(prev), "%s", last);
            memset(last, 0, sizeof(last));
            kill(daemon_pid, SIGUSR1);
        } else if (last[0] && strcmp(last, prev)) {
            return last;
        }
        usleep(10000);
    }
    return "";
}

static void stats_tests(void)
{
    int64_t h = hash_session(VIRTIO_CRYPTO_HASH_CREATE_SESSION,
                             VIRTIO_CRYPTO_HASH_SHA_256, 32, NULL, 0);
    const char *st = stats();

    ok(strstr(st, "sessions open 2 (cipher 1 hash 1 mac 0 aead 0)") != NULL,
       "SIGUSR1: %s", st);
    close_session(h);
    /* created and closed move; count them apart from the open ones */
    st = stats();
    ok(strstr(st, "sessions open 1 (cipher 1 hash 0 mac 0 aead 0)") != NULL,
       "SIGUSR1 after a close: %s", st);
}

/* ---- malformed messages ---- */

/* Send raw bytes as a message; the daemon must hang up and live on. */
static void bad_msg(const char *what, const void *buf, size_t len,
                    const int *fds, int nfds)
{
    bool gone;

    connect_daemon();
    send_raw(buf, len, fds, nfds);
    if (len < sizeof(VuHeader) ||
        len < sizeof(VuHeader) + ((const VuHeader *)buf)->size) {
        /* a short message: only EOF tells the daemon it is short */
        shutdown(sock, SHUT_WR);
    }
    gone = dropped();
    ok(gone && daemon_alive(), "malformed message (%s): connection "
       "dropped, daemon alive", what);
}

static void bad_msg_hdr(const char *what, uint32_t req, uint32_t flags,
                        uint32_t size, const void *p, uint32_t plen,
                        const int *fds, int nfds)
{
    uint8_t buf[sizeof(VuHeader) + 2048];
    VuHeader h = { req, flags, size };

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), p, plen);
    bad_msg(what, buf, sizeof(h) + plen, fds, nfds);
}

/* A well-formed message the daemon must refuse (REPLY_ACK nonzero). */
static void refused(const char *what, uint32_t req, const void *p,
                    uint32_t size, const int *fds, int nfds)
{
    int64_t r = acked(req, p, size, fds, nfds);

    ok(r > 0 && daemon_alive(), "refused: %s (answer %lld)", what,
       (long long)r);
}

static void malformed_messages(void)
{
    uint8_t zero[2048] = { 0 };
    VuMemory m = memtable();
    int fds[10];
    int small = memfd_create("small", MFD_CLOEXEC);
    VuVringState st;
    VuVringAddr a;
    uint64_t v;

    for (int i = 0; i < 10; i++) {
        fds[i] = ram_fd;
    }
    bad_msg("4 of 12 header bytes", "\x01\0\0\0", 4, NULL, 0);
    bad_msg_hdr("version 2", VU_GET_FEATURES, 2, 0, NULL, 0, NULL, 0);
    bad_msg_hdr("payload size 2^32-1", VU_GET_FEATURES, VU_VERSION,
                0xffffffff, NULL, 0, NULL, 0);
    bad_msg_hdr("payload shorter than its size", VU_SET_FEATURES, VU_VERSION,
                8, zero, 4, NULL, 0);
    bad_msg_hdr("GET_FEATURES with 8 bytes", VU_GET_FEATURES, VU_VERSION, 8,
                zero, 8, NULL, 0);
    bad_msg_hdr("unknown request 99", 99, VU_VERSION, 0, NULL, 0, NULL, 0);
    bad_msg_hdr("11 fds", VU_SET_OWNER, VU_VERSION, 0, NULL, 0, fds, 10);
    m.nregions = 9;
    bad_msg_hdr("9 memory regions", VU_SET_MEM_TABLE, VU_VERSION,
                8 + 9 * 32, &m, 8 + 9 * 32, fds, 8);
    m.nregions = 2;
    bad_msg_hdr("memory table size not its region count", VU_SET_MEM_TABLE,
                VU_VERSION, 8 + 32, &m, 8 + 32, fds, 2);
    bad_msg_hdr("CREATE_CRYPTO_SESSION of 1064 bytes",
                VU_CREATE_CRYPTO_SESSION, VU_VERSION, 1064, zero, 1064,
                NULL, 0);
    bad_msg_hdr("CREATE_CRYPTO_SESSION before the protocol features",
                VU_CREATE_CRYPTO_SESSION, VU_VERSION, VU_SESS_SIZE, zero,
                VU_SESS_SIZE, NULL, 0);
    bad_msg_hdr("CLOSE_CRYPTO_SESSION of 4 bytes", VU_CLOSE_CRYPTO_SESSION,
                VU_VERSION, 4, zero, 4, NULL, 0);
    bad_msg_hdr("GET_CONFIG before the protocol features", VU_GET_CONFIG,
                VU_VERSION, VU_CONFIG_HDR + 56, zero, VU_CONFIG_HDR + 56,
                NULL, 0);
    {
        static const uint32_t cfgs[][3] = {
            /* offset, size, payload size */
            { 0, 56, 8 }, { 0, 57, VU_CONFIG_HDR + 57 },
            { 50, 8, VU_CONFIG_HDR + 8 }, { 0xfffffff8, 16, VU_CONFIG_HDR + 16 },
            { 0, 0xffffffff, VU_CONFIG_HDR + 56 }, { 0, 56, VU_CONFIG_HDR + 8 },
        };
        uint64_t pf = 1ull << VU_PF_CONFIG;

        for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
            uint8_t p[VU_CONFIG_HDR + 64] = { 0 };
            char what[80];
            bool gone;

            memcpy(p, cfgs[i], 8);
            connect_daemon();
            send_msg(VU_SET_PROTOCOL_FEATURES, VU_VERSION, &pf, 8, NULL, 0);
            send_msg(VU_GET_CONFIG, VU_VERSION, p, cfgs[i][2], NULL, 0);
            gone = dropped();
            snprintf(what, sizeof(what), "GET_CONFIG of %u bytes at %u in "
                     "a %u-byte message", cfgs[i][1], cfgs[i][0], cfgs[i][2]);
            ok(gone && daemon_alive(), "malformed message (%s): connection "
               "dropped, daemon alive", what);
        }
    }

    /* well-formed, refused: the connection stays */
    connect_daemon();
    ok(setup(0, true) == 0, "set up again after the malformed messages");
    m = memtable();
    refused("memory table with one fd for two regions", VU_SET_MEM_TABLE, &m,
            8 + 2 * 32, fds, 1);
    ftruncate(small, 4096);
    fds[0] = small;
    refused("a region larger than its memfd", VU_SET_MEM_TABLE, &m,
            8 + 2 * 32, fds, 2);
    fds[0] = ram_fd;
    m.regions[1].gpa = 0x1000;
    refused("overlapping regions", VU_SET_MEM_TABLE, &m, 8 + 2 * 32, fds, 2);
    m = memtable();
    m.regions[0].size = UINT64_MAX - 10;
    refused("a region of 2^64 bytes", VU_SET_MEM_TABLE, &m, 8 + 2 * 32, fds,
            2);
    /* the memory table is gone now: give it back */
    m = memtable();
    ok(acked(VU_SET_MEM_TABLE, &m, 8 + 2 * 32, fds, 2) == 0,
       "a good memory table again");
    st = (VuVringState){ 300, 16 };
    refused("queue 300", VU_SET_VRING_NUM, &st, 8, NULL, 0);
    st = (VuVringState){ 1, 3 };
    refused("ring of 3 entries", VU_SET_VRING_NUM, &st, 8, NULL, 0);
    st = (VuVringState){ 1, 65536 };
    refused("ring of 65536 entries", VU_SET_VRING_NUM, &st, 8, NULL, 0);
    st = (VuVringState){ 1, 0x10000 };
    refused("base 65536", VU_SET_VRING_BASE, &st, 8, NULL, 0);
    st = (VuVringState){ 1, 64 };
    acked(VU_SET_VRING_NUM, &st, 8, NULL, 0);
    a = (VuVringAddr){ 1, 0, (uintptr_t)ram + RAM_SIZE - 64,
                       (uintptr_t)ram + USED_GPA, (uintptr_t)ram + AVAIL_GPA,
                       0 };
    v = 1 | VU_VRING_NOFD;
    acked(VU_SET_VRING_KICK, &v, 8, NULL, 0);
    st = (VuVringState){ 1, 1 };
    acked(VU_SET_VRING_ENABLE, &st, 8, NULL, 0);
    refused("descriptor table past the end of RAM", VU_SET_VRING_ADDR, &a,
            sizeof(a), NULL, 0);
    a.desc = (uintptr_t)ram + DESC_GPA + 8;
    refused("misaligned descriptor table", VU_SET_VRING_ADDR, &a, sizeof(a),
            NULL, 0);
    a.desc = (uintptr_t)ram + DESC_GPA;
    a.flags = 1;
    refused("ring logging never offered", VU_SET_VRING_ADDR, &a, sizeof(a),
            NULL, 0);
    v = 1 | 1ull << 40;
    refused("kick with unknown flag bits", VU_SET_VRING_KICK, &v, 8, &kick_fd,
            1);
    v = 1;
    refused("kick without its fd", VU_SET_VRING_KICK, &v, 8, NULL, 0);
    v = 1;
    refused("kick with two fds", VU_SET_VRING_KICK, &v, 8, fds, 2);
    v = 1ull << 63;
    refused("features never offered", VU_SET_FEATURES, &v, 8, NULL, 0);
    close(small);
    /* and sessions */
    ok(create_session(VIRTIO_CRYPTO_CIPHER_AES_CBC, 17, kat_key, 1,
                      VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                      VIRTIO_CRYPTO_SYM_OP_CIPHER) == -1,
       "session with a 17-byte AES key: refused (-1)");
    ok(create_session(VIRTIO_CRYPTO_CIPHER_AES_CBC, 0xffffffff, kat_key, 1,
                      VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                      VIRTIO_CRYPTO_SYM_OP_CIPHER) == -1,
       "session with a 4 GiB key: refused");
    ok(create_session(99, 16, kat_key, 1, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                      VIRTIO_CRYPTO_SYM_OP_CIPHER) == -1,
       "session with cipher 99: refused");
    ok(create_session(VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, kat_key, 3,
                      VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                      VIRTIO_CRYPTO_SYM_OP_CIPHER) == -1,
       "session with direction 3: refused");
    ok(create_session(0, 0, kat_key, 0, VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION,
                      0) == -1, "AKCIPHER session: refused");
    ok(create_session(VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, kat_key, 1,
                      VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                      VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING) == -1,
       "chained session: refused");
}

/* ---- fuzzing ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define GOOD_GPA (DATA_GPA + 0x40000)     /* good requests' buffers */
static uint64_t rnd_addr(void)
{
    switch (rnd() % 8) {
    case 0:
        return rnd();
    case 1:
        return RAM_SIZE - rnd() % 64;
    case 2:
        return REGION_B - rnd() % 64;
    case 3:
        return UINT64_MAX - rnd() % 4096;
    default:
        /* above the good requests' buffers */
        return GOOD_GPA + 0x40000 +
               rnd() % (RAM_SIZE - GOOD_GPA - 0x50000);
    }
}

static uint32_t rnd_len(void)
{
    switch (rnd() % 6) {
    case 0:
        return rnd();
    case 1:
        return 0;
    case 2:
        return HDR_LEN + rnd() % 64;
    default:
        return rnd() % 4096;
    }
}

static void rnd_desc(D *d, unsigned tlen)
{
    uint16_t f = rnd() % 8 ? rnd() % 4 : rnd() % 8;

    d->addr = rnd_addr();
    d->len = rnd_len();
    d->flags = f;
    d->next = rnd() % 16 ? (uint16_t)(rnd() % tlen) : (uint16_t)rnd();
}

/* The fuzzer's other sessions: SHA-256, AES-128-GCM seal and open */
static int64_t fz_hash, fz_seal, fz_open;
static uint8_t fz_gcm[64 + 16];        /* kat_pt sealed, its tag after */

/* A random length near n (or anything) */
static uint32_t near(uint32_t n)
{
    return rnd() % 8 ? n : rnd() % 2 ? n + rnd() % 3 - 1 : (uint32_t)rnd();
}

/* A random request header in place at gpa (valid-looking or not). */
static void rnd_hdr(uint64_t gpa)
{
    static const uint32_t ops[] = {
        VIRTIO_CRYPTO_CIPHER_ENCRYPT, VIRTIO_CRYPTO_CIPHER_DECRYPT,
        VIRTIO_CRYPTO_HASH, VIRTIO_CRYPTO_MAC, VIRTIO_CRYPTO_AEAD_ENCRYPT,
        VIRTIO_CRYPTO_AEAD_DECRYPT,
    };
    uint32_t op = ops[rnd() % 6];
    uint32_t len = rnd() % 4 ? (rnd() % 64) * 16 : rnd();
    int64_t sess[] = { sess_enc, fz_hash, fz_seal, fz_open };
    uint8_t *h = ram + gpa;

    if (gpa > RAM_SIZE - HDR_LEN) {
        return;
    }
    put_hdr(h, op, rnd() % 4 ? (uint64_t)sess[rnd() % 4] : rnd(),
            rnd() % 8 ? 1 : rnd() % 4, rnd() % 8 ? 16 : rnd() % 40, len,
            rnd() % 8 ? len : rnd());
    if (op == VIRTIO_CRYPTO_HASH || op == VIRTIO_CRYPTO_MAC) {
        st32(h + 24, len);
        st32(h + 28, near(32));
    } else if (op == VIRTIO_CRYPTO_AEAD_ENCRYPT ||
               op == VIRTIO_CRYPTO_AEAD_DECRYPT) {
        st32(h + 24, near(12));
        st32(h + 28, rnd() % 2 ? 0 : near(16));
        st32(h + 32, len);
        st32(h + 36, near(op == VIRTIO_CRYPTO_AEAD_ENCRYPT ? len + 16 :
                          len - 16));
        st32(h + 40, near(16));
    }
}

static int fuzz_sessions(void)
{
    sess_enc = create_session(VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, kat_key,
                              VIRTIO_CRYPTO_OP_ENCRYPT,
                              VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                              VIRTIO_CRYPTO_SYM_OP_CIPHER);
    fz_hash = hash_session(VIRTIO_CRYPTO_HASH_CREATE_SESSION,
                           VIRTIO_CRYPTO_HASH_SHA_256, 32, NULL, 0);
    fz_seal = aead_session(VIRTIO_CRYPTO_AEAD_GCM, kat_key, 16, 16,
                           VIRTIO_CRYPTO_OP_ENCRYPT);
    fz_open = aead_session(VIRTIO_CRYPTO_AEAD_GCM, kat_key, 16, 16,
                           VIRTIO_CRYPTO_OP_DECRYPT);
    return sess_enc >= 0 && fz_hash >= 0 && fz_seal >= 0 && fz_open >= 0 ?
           0 : -1;
}

/*
 * A good request of kind k at off (512 bytes) through the indirect table
 * at tg: 0 AES-CBC KAT, 1 SHA-256("abc"), 2 GCM seal, 3 GCM open.  The
 * result is at off + 256; returns its length (the status after it).
 */
static uint32_t fuzz_good(int k, uint64_t off, uint64_t tg)
{
    D *gt = (D *)(ram + tg);
    uint32_t out, res;

    switch (k) {
    case 0:
        put_hdr(ram + off, VIRTIO_CRYPTO_CIPHER_ENCRYPT, sess_enc,
                VIRTIO_CRYPTO_SYM_OP_CIPHER, 16, 64, 64);
        memcpy(ram + off + HDR_LEN, kat_iv, 16);
        memcpy(ram + off + HDR_LEN + 16, kat_pt, 64);
        out = HDR_LEN + 80;
        res = 64;
        break;
    case 1:
        out = hash_hdr(ram + off, VIRTIO_CRYPTO_HASH, fz_hash, "abc", 3, 32);
        res = 32;
        break;
    case 2:
        out = aead_hdr(ram + off, VIRTIO_CRYPTO_AEAD_ENCRYPT, fz_seal, kat_iv,
                       12, kat_pt, 64, NULL, 0, 80, 16);
        res = 80;
        break;
    default:
        out = aead_hdr(ram + off, VIRTIO_CRYPTO_AEAD_DECRYPT, fz_open, kat_iv,
                       12, fz_gcm, 80, NULL, 0, 64, 16);
        res = 64;
        break;
    }
    memset(ram + off + 256, 0xee, res + 1);
    gt[0] = (D){ off, out, F_NEXT, 1 };
    gt[1] = (D){ off + 256, res + 1, F_WRITE, 0 };
    return res;
}

static bool fuzz_good_ok(int k, const uint8_t *res)
{
    static const uint8_t *const want[] = {
        kat_ct, sha256_abc, fz_gcm, kat_pt,
    };
    static const uint32_t len[] = { 64, 32, 80, 64 };

    return res[len[k]] == VIRTIO_CRYPTO_OK && !memcmp(res, want[k], len[k]);
}

/*
 * One batch: up to QSIZE/2 requests, each on its own descriptor slots and
 * indirect table slice, about one in eight good and checked.
 */
static int fuzz_batch(unsigned long *nreq, unsigned long *ngood)
{
    unsigned n = 1 + rnd() % (QSIZE / 2), dc = 0, i;
    struct {
        uint16_t head;
        bool good;
        int kind;
        uint32_t res;
        uint64_t dst;
    } r[QSIZE];
    uint16_t first_used = used_seen;

    for (i = 0; i < n; i++) {
        D *t = (D *)(ram + INDIRECT_GPA) + 16 * i;
        unsigned k = 1 + rnd() % 6;
        uint16_t h = dc;

        r[i].good = rnd() % 8 == 0;
        if (dc + (r[i].good ? 1 : k) > QSIZE) {
            break;
        }
        if (r[i].good) {
            /*
             * hdr|iv|src, dst|status through an indirect table of its
             * own: a random chain's next can reach its head, which is
             * then not a chain's head and refused, but never its buffers
             */
            uint64_t off = GOOD_GPA + (uint64_t)i * 512;
            uint64_t tg = INDIRECT_GPA + 0x8000 + (uint64_t)i * 32;

            r[i].kind = rnd() % 4;
            r[i].res = fuzz_good(r[i].kind, off, tg);
            *desc(h) = (D){ tg, 32, F_INDIRECT, 0 };
            r[i].dst = off + 256;
            dc += 1;
        } else {
            for (unsigned j = 0; j < k; j++) {
                rnd_desc(desc(h + j), QSIZE);
            }
            if (rnd() % 3 == 0) {
                unsigned tl = 1 + rnd() % 16;

                for (unsigned j = 0; j < tl; j++) {
                    rnd_desc(&t[j], tl);
                }
                *desc(h) = (D){ (uint8_t *)t - ram,
                                rnd() % 8 ? tl * 16 : rnd_len(),
                                rnd() % 8 ? F_INDIRECT : rnd() % 8, 0 };
                if (rnd() % 2) {
                    rnd_hdr(t[0].addr);
                }
            } else if (rnd() % 2) {
                rnd_hdr(desc(h)->addr);
            }
            dc += k;
        }
        r[i].head = r[i].good || rnd() % 64 ? h : (uint16_t)rnd();
        post(r[i].head);
    }
    n = i;
    kick();
    if (!wait_used()) {
        printf("# fuzz: daemon stopped using the ring\n");
        return -1;
    }
    i = 0;
    for (uint16_t u = first_used; u != avail_idx; u++, i++) {
        uint32_t id, len;

        used_elem(u, &id, &len);
        if (id != r[i].head) {
            printf("# fuzz: used id %u, posted %u\n", id, r[i].head);
            return -1;
        }
        if (r[i].good && (len != r[i].res + 1 ||
                          !fuzz_good_ok(r[i].kind, ram + r[i].dst))) {
            printf("# fuzz: a good request (kind %d) failed (status %d)\n",
                   r[i].kind, ram[r[i].dst + r[i].res]);
            return -1;
        }
        *ngood += r[i].good;
    }
    used_seen = avail_idx;
    *nreq += n;
    return 0;
}

/*
 * A burst of random vhost-user messages on a connection of their own
 * (near-valid sizes, indexes and memory tables, random fds), then a fresh
 * connection set up as QEMU does: the daemon must take both.
 */
static int fuzz_messages(unsigned long *nmsg)
{
    static const uint32_t sizes[] = { 0, 8, 8, 40, 8 + 32, 8 + 64, VU_SESS_SIZE };
    unsigned n = 1 + rnd() % 20;
    int efd = eventfd(0, EFD_CLOEXEC);

    connect_daemon();
    for (unsigned i = 0; i < n; i++) {
        uint8_t p[VU_SESS_SIZE + 16];
        uint32_t req = rnd() % 16 ? 1 + rnd() % 40 : (uint32_t)rnd();
        uint32_t flags = rnd() % 16 ? VU_VERSION | (rnd() % 2 ? VU_FLAG_NEED_REPLY : 0)
                                    : (uint32_t)rnd();
        uint32_t size = rnd() % 8 ? sizes[rnd() % 7] : rnd() % sizeof(p);
        int fds[3] = { ram_fd, efd, rnd() % 2 ? ram_fd : efd };
        VuMemory *m = (VuMemory *)p;

        for (size_t j = 0; j < sizeof(p); j += 8) {
            uint64_t v = rnd();

            memcpy(p + j, &v, 8);
        }
        if (rnd() % 2) {
            /* a small ring index, or a plausible memory table */
            uint32_t idx = rnd() % 10 | (rnd() % 4 ? 0 : VU_VRING_NOFD);

            memcpy(p, &idx, 4);
        }
        if (req == VU_SET_MEM_TABLE && rnd() % 2) {
            *m = memtable();
            m->nregions = 1 + rnd() % 2;
            m->regions[rnd() % 2].size += rnd() % 3 ? 0 : rnd() % 8192;
            size = 8 + 32 * m->nregions;
        }
        if (send_msg(req, flags, p, size, fds, rnd() % 4) < 0) {
            break;
        }
        (*nmsg)++;
    }
    close(efd);
    /* our hang-up is the daemon's end of this front end */
    connect_daemon();
    if (setup(0, true) < 0) {
        printf("# fuzz: no fresh set-up after random messages\n");
        return -1;
    }
    return fuzz_sessions();
}

static void fuzz(double seconds, unsigned long min)
{
    unsigned long nmsg = 0;
    struct timespec t0, t1;
    unsigned long nreq = 0, ngood = 0, resets = 0;
    double el = 0;
    int bad = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (el < seconds || (nreq < min && el < 3 * seconds)) {
        if (fuzz_batch(&nreq, &ngood) < 0 || !daemon_alive()) {
            bad = 1;
            break;
        }
        if (rnd() % 256 == 0 && fuzz_messages(&nmsg) < 0) {
            bad = 1;
            break;
        }
        if (rnd() % 512 == 0) {
            /* a guest that runs its avail index wild: the ring stops */
            uint32_t base;

            avail_idx += QSIZE + 1 + rnd() % 1000;
            __atomic_store_n((uint16_t *)(ram + AVAIL_GPA + 2), avail_idx,
                             __ATOMIC_RELEASE);
            kick();
            usleep(1000);
            if (stop_ring(0, &base) < 0 || setup(0, false) < 0) {
                bad = 1;
                break;
            }
            resets++;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        el = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    }
    printf("# fuzz: %lu requests (%lu good, checked) in %.1f s, %.0f/s, "
           "%lu ring resets, %lu random messages\n", nreq, ngood, el,
           nreq / (el ? el : 1), resets, nmsg);
    ok(!bad && daemon_alive(), "fuzz: %lu random requests, daemon alive, "
       "every good one right", nreq);
    ok(nreq >= min, "fuzz: at least %lu requests", min);
}

/* ---- many requests at once (the worker pool, when the daemon has one) ---- */

#define BURST 32
#define BURST_GPA 0x200000         /* up to REGION_B */

/*
 * BURST requests, every other one 32 KiB (the pool's, with --workers and
 * a --pool-min below that) among 64-byte ones, posted at once with one
 * kick.  Completions may come in any order: each used entry is matched
 * by its head, each answer checked against OpenSSL.  The guest asks for
 * one interrupt, when the last entry is used (event index at the end,
 * interrupts otherwise off): it must come, and only once all are used.
 */
static void burst(void)
{
    static uint8_t src[BURST][32768], ref[32768];
    uint64_t dst[BURST], st[BURST], off = BURST_GPA;
    uint32_t len[BURST];
    bool seen[BURST] = { false }, good = true;
    uint16_t end = avail_idx + BURST;
    struct pollfd p = { .fd = call_fd, .events = POLLIN };
    bool all_used_at_call;

    calls(0);
    *avail_flags() = 0;
    *used_event() = end - 1;
    for (unsigned i = 0; i < BURST; i++) {
        len[i] = i % 2 ? 32768 : 64;
        for (uint32_t j = 0; j < len[i]; j++) {
            src[i][j] = rnd();
        }
        build(off, 3 * i, false, 0, sess_enc, kat_iv, src[i], len[i],
              &dst[i], &st[i]);
        off = st[i] + 64;
        post(3 * i);
    }
    kick();
    all_used_at_call = poll(&p, 1, 20000) == 1 && used_idx() == end;
    ok(all_used_at_call, "%d requests at once, 64 B and 32 KiB: one "
       "interrupt, when all are used (used %u of %u)", BURST,
       (uint16_t)(used_idx() - used_seen), BURST);
    wait_used();
    for (uint16_t u = used_seen; u != end; u++) {
        uint32_t id, ulen;

        used_elem(u, &id, &ulen);
        if (id % 3 || id / 3 >= BURST || seen[id / 3] ||
            ulen != len[id / 3] + 1) {
            printf("# burst: used entry %u: id %u len %u\n", u, id, ulen);
            good = false;
            continue;
        }
        seen[id / 3] = true;
    }
    for (unsigned i = 0; i < BURST; i++) {
        ref_cbc(1, kat_key, kat_iv, src[i], ref, len[i]);
        if (!seen[i] || ram[st[i]] != VIRTIO_CRYPTO_OK ||
            memcmp(ram + dst[i], ref, len[i])) {
            printf("# burst: request %u (%u bytes): seen %d status %d\n",
                   i, len[i], seen[i], ram[st[i]]);
            good = false;
        }
    }
    used_seen = end;
    ok(good, "each used once, in whatever order, each answer right");
    *avail_flags() = 0;
}

/* ---- the sandbox: uid, forbidden system calls ---- */

/* Every uid (gid) in /proc/PID/status: real, effective, saved, fs. */
static bool ids_are(const char *field, unsigned long want)
{
    char path[64], line[256];
    unsigned long v[4];
    bool good = false;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)daemon_pid);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f)) {
        if (!strncmp(line, field, strlen(field)) &&
            sscanf(line + strlen(field), "%lu %lu %lu %lu", &v[0], &v[1],
                   &v[2], &v[3]) == 4) {
            good = v[0] == want && v[1] == want && v[2] == want &&
                   v[3] == want;
            printf("# daemon %s %lu %lu %lu %lu\n", field, v[0], v[1], v[2],
                   v[3]);
        }
    }
    if (f) {
        fclose(f);
    }
    return good;
}

/* Whether the daemon is gone within ms; its wait status in *status. */
static bool daemon_gone(int ms, int *status)
{
    for (int i = 0; i < ms / 10; i++) {
        if (waitpid(daemon_pid, status, WNOHANG) == daemon_pid) {
            return true;
        }
        usleep(10000);
    }
    return false;
}

static bool log_has(const char *path, const char *what)
{
    char line[512];
    bool found = false;
    FILE *f = fopen(path, "r");

    while (f && fgets(line, sizeof(line), f)) {
        found |= strstr(line, what) != NULL;
    }
    if (f) {
        fclose(f);
    }
    return found;
}

/* ---- main ---- */

/* extra is the client's arguments after "--": more for the daemon */
static void start_daemon(const char *prog, const char *dir, bool poll,
                         char **extra)
{
    const char *argv[64] = {
        prog, "--socket", sock_path, "--provider", "openssl",
        "--foreground", "--queues", "4", "--max-sessions", "8",
        poll ? "--poll" : "--poll-us", poll ? NULL : "50",
    };
    unsigned n = poll ? 11 : 12;

    while (extra && *extra && n < 63) {
        argv[n++] = *extra++;
    }
    snprintf(sock_path, sizeof(sock_path), "%s/cryptod.sock", dir);
    daemon_pid = fork();
    if (daemon_pid == 0) {
        execv(prog, (char **)argv);
        _exit(127);
    }
    if (daemon_pid < 0) {
        bail("fork");
    }
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/cryptod-test.XXXXXX";
    double fuzz_s = 0;
    bool poll_mode = false;
    unsigned long fuzz_min = 0;
    int64_t ids[9];
    uint64_t dst, st;
    uint32_t len, base;
    VuVringState st_off;
    int status, s;
    char **extra = NULL, *more[80];
    const char *escape = NULL, *workers = NULL;
    bool escape_errno = false;
    long expect_uid = -1;
    unsigned nmore = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s DAEMON [--fuzz S] [--seed N] [--min N]\n",
                argv[0]);
        return 2;
    }
    rng_state = time(NULL) | 1;
    for (int i = 2; i < argc; i += 2) {
        if (!strcmp(argv[i], "--")) {
            extra = argv + i + 1;
            break;
        }
        if (!strcmp(argv[i], "--poll")) {
            poll_mode = true;
            i--;
        } else if (i + 1 == argc) {
            break;
        } else if (!strcmp(argv[i], "--fuzz")) {
            fuzz_s = atof(argv[i + 1]);
        } else if (!strcmp(argv[i], "--seed")) {
            rng_state = strtoull(argv[i + 1], NULL, 0) | 1;
        } else if (!strcmp(argv[i], "--min")) {
            fuzz_min = strtoul(argv[i + 1], NULL, 0);
        } else if (!strcmp(argv[i], "--escape") ||
                   !strcmp(argv[i], "--escape-errno")) {
            escape = argv[i + 1];
            escape_errno = argv[i][8] == '-';
        } else if (!strcmp(argv[i], "--expect-uid")) {
            expect_uid = strtol(argv[i + 1], NULL, 0);
        }
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_fatal);
    signal(SIGINT, on_fatal);
    signal(SIGALRM, on_fatal);
    signal(SIGSEGV, on_fatal);
    signal(SIGABRT, on_fatal);
    /* the whole run, fuzzing included, has a bound of its own */
    alarm(fuzz_s ? (unsigned)fuzz_s * 2 + 120 : 120);
    if (!mkdtemp(dir)) {
        bail("mkdtemp");
    }
    ram_fd = memfd_create("guest-ram", MFD_CLOEXEC);
    if (ram_fd < 0 || ftruncate(ram_fd, RAM_SIZE) < 0) {
        bail("memfd");
    }
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, ram_fd, 0);
    kick_fd = eventfd(0, EFD_CLOEXEC);
    call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (ram == MAP_FAILED || kick_fd < 0 || call_fd < 0) {
        bail("setup");
    }
    /* the daemon's log, shown as comments at the end */
    snprintf(log_path, sizeof(log_path), "%s/cryptod.log", dir);
    more[nmore++] = "--log";
    more[nmore++] = log_path;
    if (escape) {
        more[nmore++] = "--x-escape";
        more[nmore++] = (char *)escape;
        if (escape_errno) {
            more[nmore++] = "--seccomp";
            more[nmore++] = "errno";
        }
    }
    while (extra && *extra && nmore < 79) {
        if (!strcmp(*extra, "--workers")) {
            workers = extra[1];
        }
        more[nmore++] = *extra++;
    }
    more[nmore] = NULL;
    if (expect_uid >= 0 && chown(dir, expect_uid, -1) < 0) {
        /* the daemon's user removes its socket at exit */
        bail("chown");
    }
    start_daemon(argv[1], dir, poll_mode, more);
    if (poll_mode) {
        printf("# daemon in --poll mode\n");
    }
    if (fuzz_s) {
        printf("# fuzz seed %llu\n", (unsigned long long)rng_state);
    }

    connect_daemon();
    if (escape && !escape_errno) {
        /* ring 0's thread starts, tries, and takes the daemon with it */
        bool gone;

        status = 0;
        setup(0, true);
        gone = daemon_gone(5000, &status);
        ok(gone && WIFSIGNALED(status) &&
           WTERMSIG(status) == SIGSYS, "--x-escape %s under the filter: "
           "the daemon is killed by SIGSYS (status %#x)", escape, status);
        goto out;
    }
    ok(setup(0, true) == 0, "QEMU's sequence: features, protocol features, "
       "queues, memory table, ring 0 set up and enabled (REPLY_ACK)");
    sess_enc = create_session(VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, kat_key,
                              VIRTIO_CRYPTO_OP_ENCRYPT,
                              VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                              VIRTIO_CRYPTO_SYM_OP_CIPHER);
    ok(sess_enc >= 0, "CREATE_CRYPTO_SESSION AES-128-CBC encrypt: id %lld",
       (long long)sess_enc);

    if (fuzz_s) {
        ref_gcm(kat_key, kat_iv, 12, NULL, 0, kat_pt, 64, fz_gcm, 16);
        ok(fuzz_sessions() == 0, "fuzz: hash and AEAD sessions too");
        fuzz(fuzz_s, fuzz_min);
        goto end;
    }
    if (escape) {
        ok(good_request(sess_enc, 0, false, DATA_GPA) && daemon_alive(),
           "--x-escape %s, --seccomp errno: the daemon goes on", escape);
        goto end;
    }
    if (expect_uid >= 0) {
        ok(ids_are("Uid:", expect_uid), "the daemon runs as uid %ld",
           expect_uid);
    }

    ok(good_request(sess_enc, 0, false, DATA_GPA),
       "SP 800-38A F.2.1 through the ring: 3 descriptors");
    ok(good_request(sess_enc, 7, false, DATA_GPA + 0x3000),
       "the same in 7-byte pieces that follow each other");
    piece_gap = 3;
    ok(good_request(sess_enc, 7, false, DATA_GPA + 0x3000),
       "the same in scattered 7-byte pieces (blocks across pieces)");
    piece_gap = 0;
    ok(scattered_64k(sess_enc),
       "64 KiB in scattered 1 KiB pieces, indirect, equals OpenSSL");
    ok(good_request(sess_enc, 0, true, DATA_GPA + 0x6000),
       "the same through an indirect table");
    ok(good_request(sess_enc, 5, true, DATA_GPA + 0x9000),
       "the same, indirect, 5-byte pieces");
    ok(good_request(sess_enc, 0, false, REGION_B - 100),
       "the same across the two memory regions");
    {
        int64_t dec = create_session(VIRTIO_CRYPTO_CIPHER_AES_CBC, 16,
                                     kat_key, VIRTIO_CRYPTO_OP_DECRYPT,
                                     VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                                     VIRTIO_CRYPTO_SYM_OP_CIPHER);
        static uint8_t big[65536], ref[65536];
        uint16_t h;

        for (size_t i = 0; i < sizeof(big); i++) {
            big[i] = rnd();
        }
        h = build(DATA_GPA + 0x20000, avail_idx % QSIZE, false, 0, dec,
                  kat_iv, big, sizeof(big), &dst, &st);
        ref_cbc(0, kat_key, kat_iv, big, ref, sizeof(big));
        s = one(h, &len, st);
        ok(dec >= 0 && s == VIRTIO_CRYPTO_OK && len == sizeof(big) + 1 &&
           !memcmp(ram + dst, ref, sizeof(big)),
           "64 KiB decrypt on a decrypt session equals OpenSSL");
        close_session(dec);
        h = build(DATA_GPA + 0x20000, avail_idx % QSIZE, false, 0, dec,
                  kat_iv, big, 64, &dst, &st);
        ok(one(h, &len, st) == VIRTIO_CRYPTO_INVSESS,
           "CLOSE_CRYPTO_SESSION (no reply): its id is refused after");
    }

    /*
     * Notification suppression.  The daemon cannot know the guest's
     * scheme and learns it from the ring: first an event-index guest
     * (avail flags always 0, as the spec wants them), which moved
     * used_event; then, on the ring set up again, a flag guest.
     */
    calls(0);
    notify_case(sess_enc, 0, -1, false, "event-index guest, interrupts "
                "off (flags 0, used_event passed)");
    notify_case(sess_enc, 0, 0, true, "event-index guest, used_event asks "
                "for this entry");
    usleep(300000);
    ok(*used_flags() == 0 && avail_event() == avail_idx,
       "idle: kicks wanted (used flags 0, avail_event %u == %u)",
       avail_event(), avail_idx);

    burst();

    ok(stop_ring(0, &base) == 0 && setup(0, false) == 0,
       "ring set up again for a flag guest");
    calls(0);
    notify_case(sess_enc, 1, 0, false, "flag guest, NO_INTERRUPT set, "
                "whatever used_event says");
    notify_case(sess_enc, 0, -1, true, "flag guest, flags 0, whatever "
                "used_event says");

    /* sessions: the table's bound, and ids not reused */
    for (int i = 0; i < 9; i++) {
        ids[i] = create_session(VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, kat_key, 1,
                                VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                                VIRTIO_CRYPTO_SYM_OP_CIPHER);
    }
    ok(ids[6] >= 0 && ids[7] == -1 && ids[8] == -1,
       "--max-sessions 8: the ninth open session is refused");
    for (int i = 0; i < 7; i++) {
        close_session(ids[i]);
    }
    ids[0] = create_session(VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, kat_key, 1,
                            VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
                            VIRTIO_CRYPTO_SYM_OP_CIPHER);
    ok(ids[0] >= 0 && ids[0] != ids[1] && ids[0] != ids[2],
       "a slot's next session has a new id");
    close_session(ids[0]);

    config_tests();
    auth_tests();
    stats_tests();
    malformed_chains();

    /* a guest running its avail index wild stops the ring, not the daemon */
    avail_idx += QSIZE + 5;
    __atomic_store_n((uint16_t *)(ram + AVAIL_GPA + 2), avail_idx,
                     __ATOMIC_RELEASE);
    kick();
    usleep(100000);
    ok(stop_ring(0, &base) == 0 && base == used_seen,
       "avail index 261 ahead: ring stopped at %u (GET_VRING_BASE)", base);
    ok(setup(0, false) == 0 && good_request(sess_enc, 0, false, DATA_GPA),
       "ring set up again: requests work");

    /* another data queue on the same connection */
    ok(stop_ring(0, &base) == 0 && setup(3, false) == 0 &&
       good_request(sess_enc, 0, false, DATA_GPA),
       "data queue 3 works");
    stop_ring(3, &base);
    ok(setup_how(2, false, true) == 0 &&
       good_request(sess_enc, 0, false, DATA_GPA),
       "data queue 2 without SET_VRING_ENABLE (as QEMU 10.0 sets it up) "
       "works");
    st_off.index = 2;
    st_off.num = 0;
    ok(acked(VU_SET_VRING_ENABLE, &st_off, 8, NULL, 0) == 0 &&
       (post(avail_idx % QSIZE), kick(), usleep(200000),
        used_idx() == used_seen),
       "SET_VRING_ENABLE 0: the ring is left alone");
    stop_ring(2, &base);
    ok(setup(0, false) == 0, "back to queue 0");

    malformed_messages();

    connect_daemon();
    ok(setup(0, true) == 0 && (sess_enc = create_session(
           VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, kat_key, 1,
           VIRTIO_CRYPTO_CIPHER_CREATE_SESSION,
           VIRTIO_CRYPTO_SYM_OP_CIPHER)) >= 0 &&
       good_request(sess_enc, 0, false, DATA_GPA),
       "a new front end after all that: requests work");
end:
    close(sock);
    usleep(100000);
    kill(daemon_pid, SIGTERM);
    s = waitpid(daemon_pid, &status, 0);
    ok(s == daemon_pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "SIGTERM: daemon exits 0 (no sanitizer report), status %#x", status);
    ok(access(sock_path, F_OK) < 0, "socket removed at exit");
    if (workers) {
        ok(log_has(log_path, "in the worker pool") &&
           !log_has(log_path, "(0 in the worker pool)"),
           "--workers %s: some requests ran in the worker pool", workers);
    }
    if (escape) {
        char want[128];

        snprintf(want, sizeof(want), "escape test: %s refused: %s", escape,
                 strerror(EPERM));
        ok(log_has(log_path, want), "the daemon logged: %s", want);
    }
out:
    show_log();
    unlink(log_path);
    unlink(sock_path);
    rmdir(dir);
    printf("1..%d\n", n_test);
    return n_fail ? 1 : 0;
}
