// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The vhost-user protocol, back-end side, for one front-end connection at
 * a time: the messages QEMU 10.0's cryptodev-vhost-user sends (one
 * vhost_dev per data queue, all on this one socket).  A message whose
 * header or size is wrong ends the connection (the stream cannot be
 * trusted after it); a well-formed request we cannot honour is refused
 * (REPLY_ACK's nonzero answer, or a log line when no answer is asked).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/virtio_crypto.h>

#include "cryptod.h"

#define OUR_FEATURES (1ull << VU_F_INDIRECT_DESC | 1ull << VU_F_EVENT_IDX | \
                      1ull << VU_F_PROTOCOL_FEATURES | 1ull << VU_F_VERSION_1)
/*
 * CONFIG: our QEMU asks the device config (GET_CONFIG); stock QEMU 10.0
 * masks it off with a warning, and keeps its fixed config.
 */
#define OUR_PROTOCOL (1ull << VU_PF_MQ | 1ull << VU_PF_REPLY_ACK | \
                      1ull << VU_PF_CRYPTO_SESSION | 1ull << VU_PF_CONFIG)

typedef struct Msg {
    VuHeader hdr;
    union {
        uint64_t u64;
        VuVringState state;
        VuVringAddr addr;
        VuMemory mem;
        uint8_t bytes[VU_MAX_PAYLOAD];
    } p;
    int fds[VU_MAX_FDS];
    unsigned nfds;
} Msg;

static const char *req_name(uint32_t r)
{
    static const char *const names[] = {
        [VU_GET_FEATURES] = "GET_FEATURES",
        [VU_SET_FEATURES] = "SET_FEATURES",
        [VU_SET_OWNER] = "SET_OWNER",
        [VU_RESET_OWNER] = "RESET_OWNER",
        [VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
        [VU_SET_LOG_BASE] = "SET_LOG_BASE",
        [VU_SET_LOG_FD] = "SET_LOG_FD",
        [VU_SET_VRING_NUM] = "SET_VRING_NUM",
        [VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
        [VU_SET_VRING_BASE] = "SET_VRING_BASE",
        [VU_GET_VRING_BASE] = "GET_VRING_BASE",
        [VU_SET_VRING_KICK] = "SET_VRING_KICK",
        [VU_SET_VRING_CALL] = "SET_VRING_CALL",
        [VU_SET_VRING_ERR] = "SET_VRING_ERR",
        [VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
        [VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
        [VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
        [VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
        [VU_GET_CONFIG] = "GET_CONFIG",
        [VU_CREATE_CRYPTO_SESSION] = "CREATE_CRYPTO_SESSION",
        [VU_CLOSE_CRYPTO_SESSION] = "CLOSE_CRYPTO_SESSION",
        [VU_RESET_DEVICE] = "RESET_DEVICE",
    };

    return r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "?";
}

static void close_fds(Msg *m)
{
    for (unsigned i = 0; i < m->nfds; i++) {
        if (m->fds[i] >= 0) {
            close(m->fds[i]);
        }
    }
    m->nfds = 0;
}

/* Exactly len bytes; 0, or -1 on EOF or error. */
static int read_full(int fd, void *buf, size_t len)
{
    while (len) {
        ssize_t n = read(fd, buf, len);

        if (n < 0 && errno == EINTR && !cd_quit) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        buf = (uint8_t *)buf + n;
        len -= n;
    }
    return 0;
}

/*
 * Wait for the next message.  SIGUSR1 is blocked but here, so a stats
 * request is answered while we wait, never lost between a check and a
 * blocking read.  -1 on SIGTERM.
 */
int wait_readable(Daemon *d, int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    sigset_t m;

    pthread_sigmask(SIG_BLOCK, NULL, &m);
    sigdelset(&m, SIGUSR1);
    for (;;) {
        sess_log_stats(d);
        if (cd_quit) {
            return -1;
        }
        if (ppoll(&p, 1, NULL, &m) >= 0 || errno != EINTR) {
            return 0;
        }
    }
}

/* Header with its fds, then the payload.  -1: close the connection. */
static int read_msg(Daemon *d, int fd, Msg *m)
{
    union {
        char buf[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { &m->hdr, sizeof(m->hdr) };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
    };
    struct cmsghdr *c;
    ssize_t n;

    m->nfds = 0;
    if (wait_readable(d, fd) < 0) {
        return -1;
    }
    do {
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR && !cd_quit);
    if (n <= 0) {
        return -1;
    }
    for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

            for (size_t i = 0; i < k && m->nfds < VU_MAX_FDS; i++) {
                memcpy(&m->fds[m->nfds++],
                       CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            }
        }
    }
    if (mh.msg_flags & MSG_CTRUNC) {
        cd_log(LOG_ERR_, "vhost-user: more fds than %d", VU_MAX_FDS);
        goto bad;
    }
    if ((size_t)n < sizeof(m->hdr) &&
        read_full(fd, (uint8_t *)&m->hdr + n, sizeof(m->hdr) - n) < 0) {
        goto bad;
    }
    if ((m->hdr.flags & VU_VERSION_MASK) != VU_VERSION) {
        cd_log(LOG_ERR_, "vhost-user: version %u, not 1",
               m->hdr.flags & VU_VERSION_MASK);
        goto bad;
    }
    if (m->hdr.size > VU_MAX_PAYLOAD) {
        cd_log(LOG_ERR_, "vhost-user: %s: payload of %u bytes",
               req_name(m->hdr.request), m->hdr.size);
        goto bad;
    }
    if (read_full(fd, &m->p, m->hdr.size) < 0) {
        goto bad;
    }
    return 0;
bad:
    close_fds(m);
    return -1;
}

static int send_reply(int fd, Msg *m, uint32_t size)
{
    struct iovec iov[2] = {
        { &m->hdr, sizeof(m->hdr) }, { &m->p, size },
    };
    struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
    ssize_t n;

    m->hdr.flags = VU_VERSION | VU_FLAG_REPLY;
    m->hdr.size = size;
    do {
        n = sendmsg(fd, &mh, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)(sizeof(m->hdr) + size) ? 0 : -1;
}

/* A GET_* answer: 1 (answered), or -EPROTO if it could not be sent. */
static int reply_u64(int fd, Msg *m, uint64_t v)
{
    m->p.u64 = v;
    return send_reply(fd, m, 8) ? -EPROTO : 1;
}

static Vring *ring_of(Daemon *d, uint32_t index)
{
    if (index >= d->opt.queues) {
        cd_log(LOG_ERR_, "vhost-user: queue %u of %u", index, d->opt.queues);
        return NULL;
    }
    return &d->vrings[index];
}

/* Start or stop a ring's thread as its state now allows. */
static void ring_update(Vring *vr)
{
    bool ready = vring_ready(vr);

    if (ready && !vr->running) {
        vring_start(vr);
    } else if (!ready && vr->running) {
        vring_stop(vr);
    }
}

static void ring_reset(Vring *vr)
{
    vring_stop(vr);
    if (vr->kick_fd >= 0) {
        close(vr->kick_fd);
    }
    if (vr->call_fd >= 0) {
        close(vr->call_fd);
    }
    if (vr->err_fd >= 0) {
        close(vr->err_fd);
    }
    vr->kick_fd = vr->call_fd = vr->err_fd = -1;
    vr->num_set = vr->addr_set = vr->enabled = vr->enable_seen = false;
    vr->kick_set = vr->kick_nofd = false;
    vr->last_avail = vr->used_idx = 0;
}

/* The connection is gone or the device reset: back to a clean state. */
void vu_reset(Daemon *d)
{
    for (unsigned i = 0; i < d->opt.queues; i++) {
        ring_reset(&d->vrings[i]);
    }
    mem_unmap(&d->mem);
    sess_close_all(d);
    d->features = d->protocol_features = 0;
    d->features_set = false;
}

static bool size_is(Msg *m, uint32_t size)
{
    if (m->hdr.size != size) {
        cd_log(LOG_ERR_, "vhost-user: %s: %u bytes, want %u",
               req_name(m->hdr.request), m->hdr.size, size);
        return false;
    }
    return true;
}

/* SET_VRING_KICK/CALL/ERR: index | NOFD, and an fd unless NOFD. */
static int take_ring_fd(Daemon *d, Msg *m, Vring **vrp, int *fdp)
{
    uint64_t v = m->p.u64;
    bool nofd = v & VU_VRING_NOFD;
    Vring *vr;

    if (v & ~(uint64_t)(VU_VRING_IDX_MASK | VU_VRING_NOFD) ||
        m->nfds != (nofd ? 0u : 1u)) {
        cd_log(LOG_ERR_, "vhost-user: %s: %#llx with %u fds",
               req_name(m->hdr.request), (unsigned long long)v, m->nfds);
        return -1;
    }
    vr = ring_of(d, v & VU_VRING_IDX_MASK);
    if (!vr) {
        return -1;
    }
    *vrp = vr;
    *fdp = nofd ? -1 : m->fds[0];
    m->nfds = 0;            /* the fd is the ring's now */
    return 0;
}

/*
 * One message.  Returns 1 if it was answered, 0 if done (ok), a negative
 * errno if refused, or -EPROTO to drop the connection.
 */
static int handle(Daemon *d, int fd, Msg *m)
{
    Vring *vr;
    int rfd, r;

    switch (m->hdr.request) {
    case VU_GET_FEATURES:
        if (!size_is(m, 0)) {
            return -EPROTO;
        }
        return reply_u64(fd, m, OUR_FEATURES);
    case VU_SET_FEATURES:
        if (!size_is(m, 8)) {
            return -EPROTO;
        }
        if (m->p.u64 & ~OUR_FEATURES) {
            cd_log(LOG_ERR_, "vhost-user: features %#llx not offered",
                   (unsigned long long)(m->p.u64 & ~OUR_FEATURES));
            return -EINVAL;
        }
        d->features = m->p.u64;
        d->features_set = true;
        cd_log(LOG_DEBUG_, "vhost-user: features %#llx",
               (unsigned long long)d->features);
        for (unsigned i = 0; i < d->opt.queues; i++) {
            ring_update(&d->vrings[i]);
        }
        return 0;
    case VU_GET_PROTOCOL_FEATURES:
        if (!size_is(m, 0)) {
            return -EPROTO;
        }
        return reply_u64(fd, m, OUR_PROTOCOL);
    case VU_SET_PROTOCOL_FEATURES:
        if (!size_is(m, 8)) {
            return -EPROTO;
        }
        if (m->p.u64 & ~OUR_PROTOCOL) {
            return -EINVAL;
        }
        d->protocol_features = m->p.u64;
        return 0;
    case VU_GET_QUEUE_NUM:
        if (!size_is(m, 0)) {
            return -EPROTO;
        }
        return reply_u64(fd, m, d->opt.queues);
    case VU_SET_OWNER:
        return size_is(m, 0) ? 0 : -EPROTO;
    case VU_RESET_OWNER:
    case VU_RESET_DEVICE:
        if (!size_is(m, m->hdr.request == VU_RESET_OWNER ? m->hdr.size : 0)) {
            return -EPROTO;
        }
        for (unsigned i = 0; i < d->opt.queues; i++) {
            ring_reset(&d->vrings[i]);
        }
        return 0;
    case VU_SET_MEM_TABLE: {
        uint32_t n = m->p.mem.nregions;

        if (m->hdr.size < 8 || n > VU_MAX_REGIONS ||
            !size_is(m, 8 + n * sizeof(VuRegion))) {
            return -EPROTO;
        }
        /* rings point into the old mapping: pause them around the swap */
        for (unsigned i = 0; i < d->opt.queues; i++) {
            vring_stop(&d->vrings[i]);
        }
        mem_unmap(&d->mem);
        r = mem_set(&d->mem, &m->p.mem, m->fds, m->nfds);
        if (r < 0) {
            cd_log(LOG_ERR_, "vhost-user: memory table of %u regions, "
                   "%u fds refused: %s", n, m->nfds, strerror(-r));
        }
        for (unsigned i = 0; i < d->opt.queues; i++) {
            ring_update(&d->vrings[i]);
        }
        return r;
    }
    case VU_SET_VRING_NUM:
        if (!size_is(m, sizeof(VuVringState))) {
            return -EPROTO;
        }
        vr = ring_of(d, m->p.state.index);
        if (!vr || vr->running) {
            return -EINVAL;
        }
        /* split rings: a power of two up to 32768 entries */
        if (m->p.state.num == 0 || m->p.state.num > 32768 ||
            (m->p.state.num & (m->p.state.num - 1))) {
            cd_log(LOG_ERR_, "vhost-user: queue %u of %u entries",
                   m->p.state.index, m->p.state.num);
            return -EINVAL;
        }
        vr->num = m->p.state.num;
        vr->num_set = true;
        return 0;
    case VU_SET_VRING_BASE:
        if (!size_is(m, sizeof(VuVringState))) {
            return -EPROTO;
        }
        vr = ring_of(d, m->p.state.index);
        if (!vr || vr->running || m->p.state.num > 0xffff) {
            return -EINVAL;
        }
        vr->last_avail = m->p.state.num;
        return 0;
    case VU_GET_VRING_BASE:
        if (!size_is(m, sizeof(VuVringState))) {
            return -EPROTO;
        }
        vr = ring_of(d, m->p.state.index);
        if (vr) {
            /* stops the ring until it is set up again */
            vring_stop(vr);
            if (vr->kick_fd >= 0) {
                close(vr->kick_fd);
            }
            vr->kick_fd = -1;
            vr->kick_set = vr->kick_nofd = false;
            m->p.state.num = vr->last_avail;
        } else {
            m->p.state.num = 0;
        }
        return send_reply(fd, m, sizeof(VuVringState)) ? -EPROTO : 1;
    case VU_SET_VRING_ADDR:
        if (!size_is(m, sizeof(VuVringAddr))) {
            return -EPROTO;
        }
        vr = ring_of(d, m->p.addr.index);
        if (!vr) {
            return -EINVAL;
        }
        if (m->p.addr.flags) {
            /* VHOST_VRING_F_LOG: we never offered logging */
            return -EINVAL;
        }
        vring_stop(vr);
        vr->addr = m->p.addr;
        vr->addr_set = true;
        ring_update(vr);
        return vr->running || !vring_ready(vr) ? 0 : -EINVAL;
    case VU_SET_VRING_KICK:
    case VU_SET_VRING_CALL:
    case VU_SET_VRING_ERR:
        if (!size_is(m, 8)) {
            return -EPROTO;
        }
        if (take_ring_fd(d, m, &vr, &rfd) < 0) {
            return -EINVAL;
        }
        if (m->hdr.request == VU_SET_VRING_KICK) {
            vring_stop(vr);
            if (vr->kick_fd >= 0) {
                close(vr->kick_fd);
            }
            vr->kick_fd = rfd;
            vr->kick_nofd = rfd < 0;
            vr->kick_set = true;
            ring_update(vr);
            return 0;
        }
        {
            /* the data thread reads call_fd: swap it while it is paused */
            bool was = vr->running;
            int *slot = m->hdr.request == VU_SET_VRING_CALL ?
                        &vr->call_fd : &vr->err_fd;

            vring_stop(vr);
            if (*slot >= 0) {
                close(*slot);
            }
            *slot = rfd;
            if (was) {
                ring_update(vr);
            }
        }
        return 0;
    case VU_SET_VRING_ENABLE:
        if (!size_is(m, sizeof(VuVringState))) {
            return -EPROTO;
        }
        vr = ring_of(d, m->p.state.index);
        if (!vr || m->p.state.num > 1) {
            return -EINVAL;
        }
        vr->enabled = m->p.state.num;
        vr->enable_seen = true;
        ring_update(vr);
        return 0;
    case VU_CREATE_CRYPTO_SESSION: {
        int64_t id;

        if (!(d->protocol_features & 1ull << VU_PF_CRYPTO_SESSION) ||
            !size_is(m, VU_SESS_SIZE)) {
            return -EPROTO;
        }
        id = sess_create(d, m->p.bytes);
        memcpy(m->p.bytes + VU_SESS_ID, &id, 8);
        /* the answer is the whole message back with our id in it */
        return send_reply(fd, m, VU_SESS_SIZE) ? -EPROTO : 1;
    }
    case VU_GET_CONFIG: {
        uint32_t off, size, cfg_size = sizeof(struct virtio_crypto_config);
        uint8_t cfg[sizeof(struct virtio_crypto_config)];

        /* offset, size, flags, then size bytes (their value unused) */
        if (m->hdr.size < VU_CONFIG_HDR) {
            return -EPROTO;
        }
        memcpy(&off, m->p.bytes, 4);
        memcpy(&size, m->p.bytes + 4, 4);
        if (!(d->protocol_features & 1ull << VU_PF_CONFIG) ||
            off > cfg_size || size > cfg_size - off) {
            cd_log(LOG_ERR_, "vhost-user: GET_CONFIG of %u bytes at %u",
                   size, off);
            return -EPROTO;
        }
        if (!size_is(m, VU_CONFIG_HDR + size)) {
            return -EPROTO;
        }
        sess_config(d, cfg);
        memcpy(m->p.bytes + VU_CONFIG_HDR, cfg + off, size);
        return send_reply(fd, m, VU_CONFIG_HDR + size) ? -EPROTO : 1;
    }
    case VU_CLOSE_CRYPTO_SESSION:
        /* QEMU 10.0 waits for no answer, whatever REPLY_ACK says */
        if (!(d->protocol_features & 1ull << VU_PF_CRYPTO_SESSION) ||
            !size_is(m, 8)) {
            return -EPROTO;
        }
        return sess_close(d, m->p.u64);
    default:
        cd_log(LOG_ERR_, "vhost-user: request %u (%s) not supported",
               m->hdr.request, req_name(m->hdr.request));
        return -EPROTO;
    }
}

/* Serve one front end until it hangs up, misbehaves, or we are told to go. */
void vu_serve(Daemon *d, int fd)
{
    Msg *m = calloc(1, sizeof(*m));

    if (!m) {
        return;
    }
    d->conn_fd = fd;
    for (;;) {
        bool ack;
        int r;

        if (read_msg(d, fd, m) < 0) {
            break;
        }
        cd_log(LOG_DEBUG_, "vhost-user: %s (%u bytes, %u fds)",
               req_name(m->hdr.request), m->hdr.size, m->nfds);
        ack = (m->hdr.flags & VU_FLAG_NEED_REPLY) &&
              (d->protocol_features & 1ull << VU_PF_REPLY_ACK) &&
              m->hdr.request != VU_CLOSE_CRYPTO_SESSION;
        r = handle(d, fd, m);
        close_fds(m);
        if (r == -EPROTO) {
            cd_log(LOG_ERR_, "vhost-user: dropping the front end after %s",
                   req_name(m->hdr.request));
            break;
        }
        if (r < 0 && !ack) {
            cd_log(LOG_ERR_, "vhost-user: %s refused: %s",
                   req_name(m->hdr.request), strerror(-r));
        }
        if (ack && r != 1) {
            m->p.u64 = r < 0;
            if (send_reply(fd, m, 8) < 0) {
                break;
            }
        }
    }
    free(m);
    close(fd);
    d->conn_fd = -1;
    vu_reset(d);
}
