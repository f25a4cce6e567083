// SPDX-License-Identifier: MIT
/*
 * XenStore client over the shared ring: one request at a time, watch
 * events queued and handed out by xs_poll(), errors as negative errno.
 */
#include "os.h"

static struct xenstore_domain_interface *xs;
static evtchn_port_t xs_evtchn;
static uint32_t next_req = 1;
static xs_watch_cb watch_cb;

#define WQ 32
static struct {
	char path[128];
	char token[40];
} wq[WQ];
static unsigned int wq_head, wq_n;
static int wq_lost;

static const struct {
	const char *name;
	int err;
} xs_errors[] = {
	{ "EINVAL", 22 }, { "EACCES", 13 }, { "EEXIST", 17 },
	{ "EISDIR", 21 }, { "ENOENT", 2 }, { "ENOMEM", 12 },
	{ "ENOSPC", 28 }, { "EIO", 5 }, { "ENOTEMPTY", 39 },
	{ "ENOSYS", 38 }, { "EROFS", 30 }, { "EBUSY", 16 },
	{ "EAGAIN", 11 }, { "EISCONN", 106 }, { "E2BIG", 7 },
	{ "EPERM", 1 },
};

evtchn_port_t xs_port(void)
{
	return xs_evtchn;
}

void xs_set_watch_cb(xs_watch_cb cb)
{
	watch_cb = cb;
}

int xs_init(void)
{
	uint64_t pfn = hvm_param(HVM_PARAM_STORE_PFN);

	xs_evtchn = (evtchn_port_t)hvm_param(HVM_PARAM_STORE_EVTCHN);
	if (!pfn || !xs_evtchn)
		return -BF_ENODEV;
	xs = (void *)(uintptr_t)(pfn << 12);
	return 0;
}

static int xs_wait(uint64_t deadline)
{
	if (now_ns() >= deadline)
		return -BF_ETIMEDOUT;
	evtchn_poll(&xs_evtchn, 1, deadline);
	evtchn_test_and_clear(xs_evtchn);
	return 0;
}

static int ring_write(const void *data, size_t len, uint64_t deadline)
{
	const char *p = data;
	XENSTORE_RING_IDX c, prod;
	int rc;

	while (len) {
		c = __atomic_load_n(&xs->req_cons, __ATOMIC_ACQUIRE);
		prod = xs->req_prod;
		if (prod - c >= XENSTORE_RING_SIZE) {
			evtchn_notify(xs_evtchn);
			rc = xs_wait(deadline);
			if (rc)
				return rc;
			continue;
		}
		while (len && prod - c < XENSTORE_RING_SIZE) {
			xs->req[MASK_XENSTORE_IDX(prod)] = *p++;
			prod++;
			len--;
		}
		__atomic_thread_fence(__ATOMIC_RELEASE);
		xs->req_prod = prod;
	}
	evtchn_notify(xs_evtchn);
	return 0;
}

static int ring_read(void *data, size_t len, uint64_t deadline)
{
	char *p = data;
	XENSTORE_RING_IDX c, prod;
	int rc;

	while (len) {
		prod = __atomic_load_n(&xs->rsp_prod, __ATOMIC_ACQUIRE);
		c = xs->rsp_cons;
		if (prod == c) {
			rc = xs_wait(deadline);
			if (rc)
				return rc;
			continue;
		}
		while (len && c != prod) {
			*p++ = xs->rsp[MASK_XENSTORE_IDX(c)];
			c++;
			len--;
		}
		__atomic_thread_fence(__ATOMIC_RELEASE);
		xs->rsp_cons = c;
		evtchn_notify(xs_evtchn);
	}
	return 0;
}

static int rsp_available(void)
{
	return __atomic_load_n(&xs->rsp_prod, __ATOMIC_ACQUIRE) != xs->rsp_cons;
}

static void queue_watch(const char *payload, uint32_t len)
{
	const char *path = payload, *token;
	unsigned int slot;

	token = path + strlen(path) + 1;
	if (token >= payload + len) {
		wq_lost = 1;
		return;
	}
	if (wq_n == WQ) {
		wq_lost = 1;
		return;
	}
	slot = (wq_head + wq_n++) % WQ;
	snprintf(wq[slot].path, sizeof(wq[slot].path), "%s", path);
	snprintf(wq[slot].token, sizeof(wq[slot].token), "%s", token);
}

/*
 * Read one message; watch events are queued. Returns the message type with
 * the payload in buf (NUL-terminated, truncated to size).
 */
static int read_msg(struct xsd_sockmsg *h, char *buf, size_t size,
		    uint64_t deadline)
{
	static char payload[XENSTORE_PAYLOAD_MAX + 1];
	int rc = ring_read(h, sizeof(*h), deadline);

	if (rc)
		return rc;
	if (h->len > XENSTORE_PAYLOAD_MAX)
		panic("xenstore: message of %u bytes", h->len);
	rc = ring_read(payload, h->len, deadline);
	if (rc)
		return rc;
	payload[h->len] = 0;
	if (h->type == XS_WATCH_EVENT) {
		queue_watch(payload, h->len);
		return XS_WATCH_EVENT;
	}
	if (buf && size) {
		size_t n = MIN((size_t)h->len, size - 1);

		memcpy(buf, payload, n);
		buf[n] = 0;
	}
	if (h->type == XS_ERROR) {
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(xs_errors); i++)
			if (!strcmp(payload, xs_errors[i].name))
				return -xs_errors[i].err;
		return -BF_EIO;
	}
	return (int)h->len;
}

/* One request: parts are concatenated into the payload. */
static int xs_talk(uint32_t type, uint32_t txn, const char *const *parts,
		   const size_t *lens, unsigned int nparts, char *out,
		   size_t outlen)
{
	struct xsd_sockmsg h = { .type = type, .req_id = next_req++,
				 .tx_id = txn };
	uint64_t deadline = now_ns() + 20000000000ull;
	unsigned int i;
	int rc;

	for (i = 0; i < nparts; i++)
		h.len += (uint32_t)lens[i];
	if (h.len > XENSTORE_PAYLOAD_MAX)
		return -BF_EINVAL;
	rc = ring_write(&h, sizeof(h), deadline);
	for (i = 0; i < nparts && !rc; i++)
		rc = ring_write(parts[i], lens[i], deadline);
	if (rc)
		return rc;
	for (;;) {
		struct xsd_sockmsg r;

		rc = read_msg(&r, out, outlen, deadline);
		if (rc == -BF_ETIMEDOUT)
			return rc;
		if (r.type == XS_WATCH_EVENT)
			continue;
		if (r.req_id != h.req_id)
			continue;	/* stale reply of a timed-out request */
		return rc;
	}
}

int xs_read(uint32_t txn, const char *path, char *buf, size_t len)
{
	const char *parts[] = { path };
	size_t lens[] = { strlen(path) + 1 };

	return xs_talk(XS_READ, txn, parts, lens, 1, buf, len);
}

int xs_write(uint32_t txn, const char *path, const char *val)
{
	const char *parts[] = { path, val };
	size_t lens[] = { strlen(path) + 1, strlen(val) };
	char ack[8];
	int rc = xs_talk(XS_WRITE, txn, parts, lens, 2, ack, sizeof(ack));

	return rc < 0 ? rc : 0;
}

int xs_rm(uint32_t txn, const char *path)
{
	const char *parts[] = { path };
	size_t lens[] = { strlen(path) + 1 };
	char ack[8];
	int rc = xs_talk(XS_RM, txn, parts, lens, 1, ack, sizeof(ack));

	return rc < 0 ? rc : 0;
}

int xs_directory(uint32_t txn, const char *path, char *buf, size_t len)
{
	const char *parts[] = { path };
	size_t lens[] = { strlen(path) + 1 };
	int rc = xs_talk(XS_DIRECTORY, txn, parts, lens, 1, buf, len);
	int i, n = 0;

	if (rc < 0)
		return rc;
	for (i = 0; i < rc; i++)
		if (!buf[i])
			n++;
	return n;
}

int xs_txn_start(uint32_t *txn)
{
	const char *parts[] = { "" };
	size_t lens[] = { 1 };
	char id[16];
	int rc = xs_talk(XS_TRANSACTION_START, 0, parts, lens, 1, id,
			 sizeof(id));

	if (rc < 0)
		return rc;
	*txn = (uint32_t)strtou64(id, NULL);
	return 0;
}

int xs_txn_end(uint32_t txn, int abort)
{
	const char *parts[] = { abort ? "F" : "T" };
	size_t lens[] = { 2 };
	char ack[8];
	int rc = xs_talk(XS_TRANSACTION_END, txn, parts, lens, 1, ack,
			 sizeof(ack));

	return rc < 0 ? rc : 0;
}

int xs_watch(const char *path, const char *token)
{
	const char *parts[] = { path, token };
	size_t lens[] = { strlen(path) + 1, strlen(token) + 1 };
	char ack[8];
	int rc = xs_talk(XS_WATCH, 0, parts, lens, 2, ack, sizeof(ack));

	return rc < 0 ? rc : 0;
}

int xs_unwatch(const char *path, const char *token)
{
	const char *parts[] = { path, token };
	size_t lens[] = { strlen(path) + 1, strlen(token) + 1 };
	char ack[8];
	int rc = xs_talk(XS_UNWATCH, 0, parts, lens, 2, ack, sizeof(ack));

	return rc < 0 ? rc : 0;
}

/*
 * Something for xs_poll() to hand out: a watch event queued while a reply
 * was awaited, or a message left in the ring. Either may be there with
 * the event channel already clear (one event stood for a reply and the
 * watch event behind it), so a wait must not sleep on the channel then.
 */
int xs_pending(void)
{
	return wq_n || wq_lost || (xs && rsp_available());
}

void xs_poll(void)
{
	struct xsd_sockmsg r;

	/* Unsolicited messages can only be watch events. */
	while (rsp_available())
		if (read_msg(&r, NULL, 0, now_ns() + 1000000000ull) < 0)
			break;
	while (wq_n) {
		unsigned int slot = wq_head;

		wq_head = (wq_head + 1) % WQ;
		wq_n--;
		if (watch_cb)
			watch_cb(wq[slot].path, wq[slot].token);
	}
	if (wq_lost) {
		wq_lost = 0;
		if (watch_cb)
			watch_cb(NULL, NULL);
	}
}
