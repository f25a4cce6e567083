/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtest for cryptodev-backend-host behind virtio-crypto-pci.
 *
 * The test plays the guest driver: it sets up the virtqueues, creates
 * sessions on the control queue and sends cipher requests on the data
 * queues, then compares every result with OpenSSL computed here.
 * Malformed requests are in cryptodev-host-fuzz-test.c.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/bswap.h"
#include "qapi/error.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/pci-pc.h"
#include "libqos/virtio.h"
#include "libqos/virtio-pci.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_crypto.h"
#include "standard-headers/linux/virtio_ring.h"

#include <sys/socket.h>
#include "cryptodev-host-qtest.h"

#define TIMEOUT_US      (30 * 1000 * 1000)
#define NO_ANSWER       0xff

typedef struct Dev {
    QTestState *qts;
    QGuestAllocator alloc;
    QPCIBus *bus;
    QVirtioPCIDevice *vpci;
    QVirtioDevice *vdev;
    unsigned nq;
    QVirtQueue *dataq[8];
    QVirtQueue *ctrlq;
} Dev;


/* ---- device setup ------------------------------------------------------ */

static void dev_setup_queues(Dev *d)
{
    uint64_t features;
    unsigned i;

    qvirtio_pci_device_enable(d->vpci);
    qvirtio_start_device(d->vdev);
    features = qvirtio_get_features(d->vdev);
    features &= ~(QVIRTIO_F_BAD_FEATURE |
                  (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
                  (1ull << VIRTIO_RING_F_EVENT_IDX));
    qvirtio_set_features(d->vdev, features);
    for (i = 0; i < d->nq; i++) {
        d->dataq[i] = qvirtqueue_setup(d->vdev, &d->alloc, i);
    }
    d->ctrlq = qvirtqueue_setup(d->vdev, &d->alloc, d->nq);
    qvirtio_set_driver_ok(d->vdev);
}

static void dev_teardown_queues(Dev *d)
{
    unsigned i;

    for (i = 0; i < d->nq; i++) {
        qvirtqueue_cleanup(d->vdev->bus, d->dataq[i], &d->alloc);
    }
    qvirtqueue_cleanup(d->vdev->bus, d->ctrlq, &d->alloc);
}

static Dev *dev_start(unsigned nq, const char *opts)
{
    Dev *d = g_new0(Dev, 1);

    g_assert(nq >= 1 && nq <= ARRAY_SIZE(d->dataq));
    d->nq = nq;
    d->vpci = crypto_pci_start(&d->qts, &d->alloc, &d->bus, nq, opts);
    d->vdev = &d->vpci->vdev;
    dev_setup_queues(d);
    return d;
}

static void dev_stop(Dev *d)
{
    dev_teardown_queues(d);
    qvirtio_pci_device_disable(d->vpci);
    crypto_pci_free(d->qts, &d->alloc, d->bus, d->vpci);
    g_free(d);
}

static bool dev_needs_reset(Dev *d)
{
    return d->vdev->bus->get_status(d->vdev) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

static void dev_reset(Dev *d)
{
    dev_teardown_queues(d);
    dev_setup_queues(d);
}

/* A 32-bit field of the device's struct virtio_crypto_config */
#define CFG32(d, field) \
    qvirtio_config_readl((d)->vdev, offsetof(struct virtio_crypto_config, \
                                             field))

/* Wait for one used buffer; false if the device went broken instead. */
static bool wait_used(Dev *d, QVirtQueue *vq, uint32_t *head, uint32_t *len)
{
    gint64 start = g_get_monotonic_time();

    for (;;) {
        if (qvirtqueue_get_buf(d->qts, vq, head, len)) {
            return true;
        }
        if (dev_needs_reset(d)) {
            return false;
        }
        g_assert_cmpint(g_get_monotonic_time() - start, <=, TIMEOUT_US);
        qtest_clock_step(d->qts, 100);
        g_usleep(50);
    }
}

/* ---- requests ---------------------------------------------------------- */

typedef struct Req {
    uint64_t buf;
    size_t size;
    uint64_t dst;
    uint64_t status;
    uint32_t len;
    uint32_t head;
} Req;

static uint64_t put(Dev *d, const void *data, size_t len)
{
    uint64_t a = guest_alloc(&d->alloc, MAX(len, 1));

    if (len) {
        qtest_memwrite(d->qts, a, data, len);
    }
    return a;
}

/* Returns the session status; *id gets the session id. */
static uint32_t create_session(Dev *d, uint32_t alg, const uint8_t *key,
                               uint32_t key_len, bool encrypt, uint64_t *id)
{
    struct virtio_crypto_op_ctrl_req req = { 0 };
    struct virtio_crypto_cipher_session_para *p =
        &req.u.sym_create_session.u.cipher.para;
    struct virtio_crypto_session_input in;
    uint64_t a_req, a_key, a_in;
    uint32_t head, got, len;

    req.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
    req.header.algo = cpu_to_le32(alg);
    req.u.sym_create_session.op_type = cpu_to_le32(VIRTIO_CRYPTO_SYM_OP_CIPHER);
    p->algo = cpu_to_le32(alg);
    p->keylen = cpu_to_le32(key_len);
    p->op = cpu_to_le32(encrypt ? VIRTIO_CRYPTO_OP_ENCRYPT :
                        VIRTIO_CRYPTO_OP_DECRYPT);
    memset(&in, 0xee, sizeof(in));

    qvirtqueue_reset_pool(d->ctrlq);
    a_req = put(d, &req, sizeof(req));
    a_key = put(d, key, key_len);
    a_in = put(d, &in, sizeof(in));
    head = qvirtqueue_add(d->qts, d->ctrlq, a_req, sizeof(req), false, true);
    if (key_len) {
        qvirtqueue_add(d->qts, d->ctrlq, a_key, key_len, false, true);
    }
    qvirtqueue_add(d->qts, d->ctrlq, a_in, sizeof(in), true, false);
    qvirtqueue_kick(d->qts, d->vdev, d->ctrlq, head);
    g_assert_true(wait_used(d, d->ctrlq, &got, &len));
    g_assert_cmpuint(got, ==, head);
    qtest_memread(d->qts, a_in, &in, sizeof(in));
    guest_free(&d->alloc, a_req);
    guest_free(&d->alloc, a_key);
    guest_free(&d->alloc, a_in);
    *id = le64_to_cpu(in.session_id);
    return le32_to_cpu(in.status);
}

static uint8_t destroy_session(Dev *d, uint64_t id)
{
    struct virtio_crypto_op_ctrl_req req = { 0 };
    uint8_t st = 0xee;
    uint64_t a_req, a_in;
    uint32_t head, got, len;

    req.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_CIPHER_DESTROY_SESSION);
    req.u.destroy_session.session_id = cpu_to_le64(id);
    qvirtqueue_reset_pool(d->ctrlq);
    a_req = put(d, &req, sizeof(req));
    a_in = put(d, &st, 1);
    head = qvirtqueue_add(d->qts, d->ctrlq, a_req, sizeof(req), false, true);
    qvirtqueue_add(d->qts, d->ctrlq, a_in, 1, true, false);
    qvirtqueue_kick(d->qts, d->vdev, d->ctrlq, head);
    g_assert_true(wait_used(d, d->ctrlq, &got, &len));
    g_assert_cmpuint(got, ==, head);
    st = qtest_readb(d->qts, a_in);
    guest_free(&d->alloc, a_req);
    guest_free(&d->alloc, a_in);
    return st;
}

/* Queue a cipher request (not kicked); the caller waits and reads back. */
static void data_submit(Dev *d, QVirtQueue *vq, Req *r, uint32_t opcode,
                        uint64_t id, const uint8_t *iv, uint32_t iv_len,
                        const uint8_t *src, uint32_t len)
{
    struct virtio_crypto_op_data_req req = { 0 };
    struct virtio_crypto_cipher_para *p = &req.u.sym_req.u.cipher.para;
    uint64_t a_req, a_iv = 0, a_src = 0;

    req.header.opcode = cpu_to_le32(opcode);
    req.header.session_id = cpu_to_le64(id);
    req.u.sym_req.op_type = cpu_to_le32(VIRTIO_CRYPTO_SYM_OP_CIPHER);
    p->iv_len = cpu_to_le32(iv_len);
    p->src_data_len = cpu_to_le32(len);
    p->dst_data_len = cpu_to_le32(len);

    /* one guest block per request, freed after completion */
    r->size = sizeof(req) + iv_len + 2 * (size_t)len + 1;
    r->buf = guest_alloc(&d->alloc, r->size);
    a_req = r->buf;
    qtest_memwrite(d->qts, a_req, &req, sizeof(req));
    if (iv_len) {
        a_iv = a_req + sizeof(req);
        qtest_memwrite(d->qts, a_iv, iv, iv_len);
    }
    a_src = a_req + sizeof(req) + iv_len;
    if (len && src) {
        qtest_memwrite(d->qts, a_src, src, len);
    }
    r->dst = a_src + len;
    r->status = r->dst + len;
    r->len = len;
    qtest_writeb(d->qts, r->status, NO_ANSWER);

    r->head = qvirtqueue_add(d->qts, vq, a_req, sizeof(req), false, true);
    if (iv_len) {
        qvirtqueue_add(d->qts, vq, a_iv, iv_len, false, true);
    }
    if (len) {
        qvirtqueue_add(d->qts, vq, a_src, len, false, true);
        qvirtqueue_add(d->qts, vq, r->dst, len, true, true);
    }
    qvirtqueue_add(d->qts, vq, r->status, 1, true, false);
}

static uint8_t req_finish(Dev *d, Req *r, uint8_t *dst)
{
    uint8_t st = qtest_readb(d->qts, r->status);

    if (st == VIRTIO_CRYPTO_OK && dst && r->len) {
        qtest_memread(d->qts, r->dst, dst, r->len);
    }
    guest_free(&d->alloc, r->buf);
    return st;
}

static uint8_t crypt_one(Dev *d, uint64_t id, bool encrypt, const uint8_t *iv,
                         uint32_t iv_len, const uint8_t *src, uint8_t *dst,
                         uint32_t len)
{
    QVirtQueue *vq = d->dataq[0];
    uint32_t got, ulen;
    Req r;

    qvirtqueue_reset_pool(vq);
    data_submit(d, vq, &r, encrypt ? VIRTIO_CRYPTO_CIPHER_ENCRYPT :
                VIRTIO_CRYPTO_CIPHER_DECRYPT, id, iv, iv_len, src, len);
    qvirtqueue_kick(d->qts, d->vdev, vq, r.head);
    g_assert_true(wait_used(d, vq, &got, &ulen));
    g_assert_cmpuint(got, ==, r.head);
    return req_finish(d, &r, dst);
}

/* ---- OpenSSL reference ------------------------------------------------- */

static void random_key(const Alg *a, uint8_t *key)
{
    fill_random(key, a->key_len);
    if (a->virtio_alg == VIRTIO_CRYPTO_CIPHER_AES_XTS) {
        key[a->key_len / 2] ^= 0x5a;    /* OpenSSL refuses equal halves */
    }
}

static char *qom_get_str(Dev *d, const char *prop)
{
    QDict *rsp = qtest_qmp(d->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/objects/c0', 'property': %s}}", prop);
    char *s;

    g_assert(qdict_haskey(rsp, "return"));
    s = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return s;
}

/* ---- tests ------------------------------------------------------------- */

static void test_config(void)
{
    Dev *d = dev_start(2, ",provider=openssl,max-sessions=32");
    g_autofree char *prov = qom_get_str(d, "active-provider");
    g_autofree char *list = qom_get_str(d, "algorithms");
    uint32_t want = (1u << VIRTIO_CRYPTO_CIPHER_AES_ECB) |
                    (1u << VIRTIO_CRYPTO_CIPHER_AES_CBC) |
                    (1u << VIRTIO_CRYPTO_CIPHER_AES_CTR) |
                    (1u << VIRTIO_CRYPTO_CIPHER_AES_XTS) |
                    (1u << VIRTIO_CRYPTO_CIPHER_3DES_CBC);

    QDict *rsp, *info, *client;
    QList *clients;

    /* the queues are fixed once the backend exists (patches/2004) */
    rsp = qtest_qmp(d->qts, "{'execute': 'qom-set', 'arguments': "
                    "{'path': '/objects/c0', 'property': 'queues', "
                    "'value': 8}}");
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);

    /* query-cryptodev names the backend type, one client per queue */
    rsp = qtest_qmp(d->qts, "{'execute': 'query-cryptodev'}");
    info = qobject_to(QDict, qlist_peek(qdict_get_qlist(rsp, "return")));
    g_assert_nonnull(info);
    g_assert_cmpstr(qdict_get_str(info, "id"), ==, "c0");
    clients = qdict_get_qlist(info, "client");
    g_assert_cmpint(qlist_size(clients), ==, 2);
    client = qobject_to(QDict, qlist_peek(clients));
    g_assert_cmpstr(qdict_get_str(client, "type"), ==, "host");
    qobject_unref(rsp);

    g_assert_cmpstr(prov, ==, "openssl");
    g_assert_nonnull(strstr(list, "aes-128-cbc"));
    g_assert_nonnull(strstr(list, "aes-256-xts"));
    g_assert_nonnull(strstr(list, "des3-cbc"));
    g_assert_cmphex(CFG32(d, status), ==, VIRTIO_CRYPTO_S_HW_READY);
    g_assert_cmpuint(CFG32(d, max_dataqueues), ==, 2);
    /* OpenSSL has every service and algorithm the backend knows */
    g_assert_cmphex(CFG32(d, crypto_services),
                    ==, (1u << VIRTIO_CRYPTO_SERVICE_CIPHER) |
                        (1u << VIRTIO_CRYPTO_SERVICE_HASH) |
                        (1u << VIRTIO_CRYPTO_SERVICE_MAC) |
                        (1u << VIRTIO_CRYPTO_SERVICE_AEAD));
    g_assert_cmphex(CFG32(d, cipher_algo_l), ==, want);
    /* MD5, SHA-1, SHA-2 and SHA-3; not the SHAKEs */
    g_assert_cmphex(CFG32(d, hash_algo), ==, 0x7fe);
    /* the HMACs and CMAC-AES */
    g_assert_cmphex(CFG32(d, mac_algo_l), ==,
                    0x7e | (1u << VIRTIO_CRYPTO_MAC_CMAC_AES));
    g_assert_cmphex(CFG32(d, mac_algo_h), ==, 0);
    g_assert_cmphex(CFG32(d, aead_algo), ==,
                    (1u << VIRTIO_CRYPTO_AEAD_GCM) |
                    (1u << VIRTIO_CRYPTO_AEAD_CCM) |
                    (1u << VIRTIO_CRYPTO_AEAD_CHACHA20_POLY1305));
    g_assert_cmpuint(CFG32(d, max_cipher_key_len), ==, 64);
    g_assert_cmpuint(CFG32(d, max_auth_key_len), ==, 512);
    g_assert_nonnull(strstr(list, "hmac(sha256)"));
    g_assert_nonnull(strstr(list, "aes-128-gcm"));
    g_assert_cmpuint(qvirtio_config_readq(d->vdev,
                     offsetof(struct virtio_crypto_config, max_size)),
                     ==, 4 * 1024 * 1024);
    dev_stop(d);
}

static bool have_afalg(void)
{
    int fd = socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

/* auto must pick the first provider that works, and say which */
static void test_auto(void)
{
    Dev *d = dev_start(1, "");
    g_autofree char *prov = qom_get_str(d, "active-provider");
    g_autofree char *list = qom_get_str(d, "algorithms");
    const char *expect = !access("/dev/crypto", R_OK | W_OK) ? NULL :
                         have_afalg() ? "afalg" : "openssl";
    uint32_t bits = CFG32(d, cipher_algo_l);

    g_test_message("auto chose %s: %s", prov, list);
    if (expect) {
        g_assert_cmpstr(prov, ==, expect);
    } else {
        g_assert_true(!strcmp(prov, "devcrypto") || !strcmp(prov, "afalg") ||
                      !strcmp(prov, "openssl"));
    }
    /* the config space advertises exactly what the probe found */
    g_assert_cmpint(!!strstr(list, "-cbc,") || g_str_has_suffix(list, "-cbc"),
                    ==, !!(bits & (1u << VIRTIO_CRYPTO_CIPHER_AES_CBC)) ||
                    !!(bits & (1u << VIRTIO_CRYPTO_CIPHER_3DES_CBC)));
    g_assert_cmpint(!!strstr(list, "xts"), ==,
                    !!(bits & (1u << VIRTIO_CRYPTO_CIPHER_AES_XTS)));
    g_assert_cmpint(!!strstr(list, "ctr"), ==,
                    !!(bits & (1u << VIRTIO_CRYPTO_CIPHER_AES_CTR)));
    g_assert_cmpint(!!strstr(list, "ecb"), ==,
                    !!(bits & (1u << VIRTIO_CRYPTO_CIPHER_AES_ECB)));
    dev_stop(d);
}

static void expect_object_add(QTestState *qts, const char *props, bool ok,
                              const char *msg)
{
    g_autofree char *json = g_strdup_printf(
        "{\"qom-type\": \"cryptodev-backend-host\", \"id\": \"x\"%s}",
        props);
    QObject *args = qobject_from_json(json, &error_abort);
    QDict *rsp = qtest_qmp(qts, "{'execute': 'object-add', 'arguments': %p}",
                           args);

    if (ok) {
        if (qdict_haskey(rsp, "error")) {
            g_test_message("%s -> unexpected error: %s", props,
                           qdict_get_str(qdict_get_qdict(rsp, "error"),
                                         "desc"));
        }
        g_assert(qdict_haskey(rsp, "return"));
        qobject_unref(rsp);
        rsp = qtest_qmp(qts, "{'execute': 'object-del', 'arguments': "
                        "{'id': 'x'}}");
        g_assert(qdict_haskey(rsp, "return"));
    } else {
        QDict *err = qdict_get_qdict(rsp, "error");

        g_assert_nonnull(err);
        g_test_message("%s -> %s", props, qdict_get_str(err, "desc"));
        if (msg) {
            g_assert_nonnull(strstr(qdict_get_str(err, "desc"), msg));
        }
    }
    qobject_unref(rsp);
}

static void test_properties(void)
{
    QTestState *qts = qtest_init("-machine none");
    bool devcrypto = !access("/dev/crypto", R_OK | W_OK);

    expect_object_add(qts, ", \"provider\": \"openssl\"", true, NULL);
    expect_object_add(qts, ", \"provider\": \"bogus\"", false, "bogus");
    expect_object_add(qts, ", \"max-sessions\": 0", false, "max-sessions");
    expect_object_add(qts, ", \"max-sessions\": 100000", false,
                      "max-sessions");
    expect_object_add(qts, ", \"workers\": 65", false, "workers");
    expect_object_add(qts, ", \"max-request-size\": 100", false,
                      "max-request-size");
    expect_object_add(qts, ", \"queues\": 65", false, "queues");
    expect_object_add(qts, ", \"inline-max\": 1048577", false, "inline-max");
    expect_object_add(qts, ", \"inline-max\": 0", true, NULL);
    expect_object_add(qts, ", \"provider\": \"devcrypto\"", devcrypto,
                      "/dev/crypto");
    expect_object_add(qts, ", \"provider\": \"afalg\"", have_afalg(),
                      "AF_ALG");
    qtest_quit(qts);
}

/* NIST SP 800-38A F.2.1 (CBC-AES128.Encrypt), first block */
static void test_kat(void)
{
    static const uint8_t key[16] = {
        0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
        0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
    static const uint8_t iv[16] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
        0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
    static const uint8_t pt[16] = {
        0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
        0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a };
    static const uint8_t ct[16] = {
        0x76, 0x49, 0xab, 0xac, 0x81, 0x19, 0xb2, 0x46,
        0xce, 0xe9, 0x8e, 0x9b, 0x12, 0xe9, 0x19, 0x7d };
    Dev *d = dev_start(1, "");
    uint8_t out[16];
    uint64_t id;

    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 16,
                                    true, &id), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(crypt_one(d, id, true, iv, 16, pt, out, 16), ==,
                     VIRTIO_CRYPTO_OK);
    g_assert_cmpmem(out, 16, ct, 16);
    g_assert_cmpuint(destroy_session(d, id), ==, VIRTIO_CRYPTO_OK);
    dev_stop(d);
}

/*
 * Every algorithm, several sizes: the device's answer equals OpenSSL's.
 * CRYPTODEV_TEST_PROVIDER picks the provider (default openssl; the guest
 * test runs this with afalg).
 */
static void test_openssl_equal(const void *data)
{
    static const uint32_t sizes[] = { 1, 15, 16, 17, 24, 100, 4096,
                                      4096 + 8, 65536, 1024 * 1024 };
    const char *prov = g_getenv("CRYPTODEV_TEST_PROVIDER");
    g_autofree char *opts = g_strdup_printf(",provider=%s%s",
                                            prov ? prov : "openssl",
                                            (const char *)data);
    Dev *d = dev_start(1, opts);
    uint64_t max = qvirtio_config_readq(d->vdev,
                       offsetof(struct virtio_crypto_config, max_size));
    const char *cap = g_getenv("CRYPTODEV_TEST_MAX_LEN");
    size_t i, j;

    /* a slow nested run (guest /dev/crypto) may ask for smaller sizes */
    if (cap) {
        max = MIN(max, 2 * g_ascii_strtoull(cap, NULL, 0) + 16);
    }

    for (i = 0; i < ARRAY_SIZE(algs); i++) {
        const Alg *a = &algs[i];
        uint8_t key[64], iv[16];
        uint64_t eid, did;

        random_key(a, key);
        g_assert_cmpuint(create_session(d, a->virtio_alg, key, a->key_len,
                                        true, &eid), ==, VIRTIO_CRYPTO_OK);
        g_assert_cmpuint(create_session(d, a->virtio_alg, key, a->key_len,
                                        false, &did), ==, VIRTIO_CRYPTO_OK);
        for (j = 0; j < ARRAY_SIZE(sizes); j++) {
            uint32_t len = sizes[j];
            g_autofree uint8_t *src = g_malloc(len);
            g_autofree uint8_t *dev = g_malloc(len);
            g_autofree uint8_t *ref = g_malloc(len);
            g_autofree uint8_t *back = g_malloc(len);

            uint8_t st;

            if (len % a->block || len < a->min_len ||
                2 * (uint64_t)len + a->iv_len > max) {
                continue;
            }
            fill_random(src, len);
            fill_random(iv, sizeof(iv));
            /* the cryptodev ABI wants whole XTS blocks: a clean refusal */
            if (prov && !strcmp(prov, "devcrypto") &&
                a->virtio_alg == VIRTIO_CRYPTO_CIPHER_AES_XTS && len % 16) {
                g_assert_cmpuint(crypt_one(d, eid, true, iv, a->iv_len, src,
                                           dev, len), ==,
                                 VIRTIO_CRYPTO_BADMSG);
                continue;
            }
            ossl_crypt(a, true, key, iv, src, ref, len);
            st = crypt_one(d, eid, true, iv, a->iv_len, src, dev, len);
            if (st != VIRTIO_CRYPTO_OK) {
                g_test_message("%s: %u bytes: status %u", a->name, len, st);
            }
            g_assert_cmpuint(st, ==, VIRTIO_CRYPTO_OK);
            g_assert_cmpmem(dev, len, ref, len);
            g_assert_cmpuint(crypt_one(d, did, false, iv, a->iv_len, ref,
                                       back, len), ==, VIRTIO_CRYPTO_OK);
            g_assert_cmpmem(back, len, src, len);
        }
        g_test_message("%s (%s): equal to OpenSSL", a->name,
                       prov ? prov : "openssl");
        g_assert_cmpuint(destroy_session(d, eid), ==, VIRTIO_CRYPTO_OK);
        g_assert_cmpuint(destroy_session(d, did), ==, VIRTIO_CRYPTO_OK);
    }
    dev_stop(d);
}

static void test_sessions(void)
{
    static const uint8_t key[16] = { 1, 2, 3 };
    uint8_t iv[16] = { 0 }, buf[16] = { 0 }, out[16];
    Dev *d = dev_start(1, ",max-sessions=4");
    uint64_t id[4], extra, stale;
    int i;

    for (i = 0; i < 4; i++) {
        g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key,
                                        16, true, &id[i]), ==,
                         VIRTIO_CRYPTO_OK);
    }
    /* the bound holds */
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 16,
                                    true, &extra), !=, VIRTIO_CRYPTO_OK);
    /* closing frees a slot; the old id does not alias the new session */
    stale = id[1];
    g_assert_cmpuint(destroy_session(d, id[1]), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 16,
                                    true, &id[1]), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmphex(id[1], !=, stale);
    g_assert_cmpuint(crypt_one(d, stale, true, iv, 16, buf, out, 16), ==,
                     VIRTIO_CRYPTO_INVSESS);
    g_assert_cmpuint(destroy_session(d, stale), !=, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, 0xdeadbeefcafeULL), !=,
                     VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(crypt_one(d, id[1], true, iv, 16, buf, out, 16), ==,
                     VIRTIO_CRYPTO_OK);
    for (i = 0; i < 4; i++) {
        g_assert_cmpuint(destroy_session(d, id[i]), ==, VIRTIO_CRYPTO_OK);
    }
    dev_stop(d);
}

static void test_errors(void)
{
    static const uint8_t key[32] = { 9, 8, 7 };
    uint8_t iv[16] = { 0 }, buf[64] = { 0 }, out[64];
    Dev *d = dev_start(1, "");
    uint64_t enc, id;

    /* unknown algorithm, bad key size, no key */
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_ARC4, key, 16,
                                    true, &id), ==, VIRTIO_CRYPTO_NOTSUPP);
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 20,
                                    true, &id), !=, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_XTS, key, 16,
                                    true, &id), !=, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 0,
                                    true, &id), !=, VIRTIO_CRYPTO_OK);

    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 16,
                                    true, &enc), ==, VIRTIO_CRYPTO_OK);
    /* not a multiple of the block size */
    g_assert_cmpuint(crypt_one(d, enc, true, iv, 16, buf, out, 15), ==,
                     VIRTIO_CRYPTO_BADMSG);
    /* wrong IV length */
    g_assert_cmpuint(crypt_one(d, enc, true, iv, 8, buf, out, 16), ==,
                     VIRTIO_CRYPTO_BADMSG);
    g_assert_cmpuint(crypt_one(d, enc, true, iv, 0, buf, out, 16), ==,
                     VIRTIO_CRYPTO_BADMSG);
    /* decrypt on an encrypt session */
    g_assert_cmpuint(crypt_one(d, enc, false, iv, 16, buf, out, 16), ==,
                     VIRTIO_CRYPTO_BADMSG);
    /* unknown session */
    g_assert_cmpuint(crypt_one(d, enc + 1, true, iv, 16, buf, out, 16), ==,
                     VIRTIO_CRYPTO_INVSESS);
    /* empty request: nothing to do, not an error */
    g_assert_cmpuint(crypt_one(d, enc, true, iv, 16, buf, out, 0), ==,
                     VIRTIO_CRYPTO_OK);
    /* and the session still works */
    g_assert_cmpuint(crypt_one(d, enc, true, iv, 16, buf, out, 64), ==,
                     VIRTIO_CRYPTO_OK);
    dev_stop(d);
}

/* Many requests on several queues in flight at once. */
static void test_multiqueue(void)
{
    enum { NQ = 4, PER_Q = 24, LEN = 8192 };
    const Alg *a = &algs[3];        /* AES-128-CBC */
    Dev *d = dev_start(NQ, ",workers=4,inline-max=0");
    uint8_t key[16], iv[16];
    g_autofree uint8_t *src = g_malloc(LEN * NQ * PER_Q);
    g_autofree uint8_t *ref = g_malloc(LEN);
    g_autofree uint8_t *out = g_malloc(LEN);
    Req r[NQ][PER_Q];
    uint64_t id;
    int q, i, done = 0;

    random_key(a, key);
    fill_random(iv, sizeof(iv));
    fill_random(src, LEN * NQ * PER_Q);
    g_assert_cmpuint(create_session(d, a->virtio_alg, key, 16, true, &id), ==,
                     VIRTIO_CRYPTO_OK);
    for (q = 0; q < NQ; q++) {
        qvirtqueue_reset_pool(d->dataq[q]);
        for (i = 0; i < PER_Q; i++) {
            data_submit(d, d->dataq[q], &r[q][i], VIRTIO_CRYPTO_CIPHER_ENCRYPT,
                        id, iv, 16, src + (q * PER_Q + i) * LEN, LEN);
            qvirtqueue_kick(d->qts, d->vdev, d->dataq[q], r[q][i].head);
        }
    }
    for (q = 0; q < NQ; q++) {
        bool seen[PER_Q] = { false };

        for (i = 0; i < PER_Q; i++) {
            uint32_t head, len;
            int k;

            g_assert_true(wait_used(d, d->dataq[q], &head, &len));
            for (k = 0; k < PER_Q && r[q][k].head != head; k++) {
                /* find the request by its head descriptor */
            }
            g_assert_cmpint(k, <, PER_Q);
            g_assert_false(seen[k]);
            seen[k] = true;
            g_assert_cmpuint(req_finish(d, &r[q][k], out), ==,
                             VIRTIO_CRYPTO_OK);
            ossl_crypt(a, true, key, iv, src + (q * PER_Q + k) * LEN, ref,
                       LEN);
            g_assert_cmpmem(out, LEN, ref, LEN);
            done++;
        }
    }
    g_assert_cmpint(done, ==, NQ * PER_Q);
    g_assert_cmpuint(destroy_session(d, id), ==, VIRTIO_CRYPTO_OK);
    dev_stop(d);
}

/*
 * Queue big requests on data queue 0 so that some are still running in
 * the backend (one worker) when the test acts.  Their content does not
 * matter, so the source is whatever the guest memory holds.
 */
static void submit_inflight(Dev *d, Req *r, int n, uint32_t len,
                            uint64_t *id)
{
    static const uint8_t key[16] = { 7 };
    uint8_t iv[16] = { 1 };
    QVirtQueue *vq = d->dataq[0];
    uint16_t idx;
    int i;

    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 16,
                                    true, id), ==, VIRTIO_CRYPTO_OK);
    qvirtqueue_reset_pool(vq);
    for (i = 0; i < n; i++) {
        data_submit(d, vq, &r[i], VIRTIO_CRYPTO_CIPHER_ENCRYPT, *id,
                    iv, 16, NULL, len);
    }
    /* publish them all, then notify once: they reach the backend together */
    idx = qtest_readw(d->qts, vq->avail + 2);
    for (i = 0; i < n; i++) {
        qtest_writew(d->qts, vq->avail + 4 + 2 * ((idx + i) % vq->size),
                     r[i].head);
    }
    qtest_writew(d->qts, vq->avail + 2, idx + n);
    d->vdev->bus->virtqueue_kick(d->vdev, vq);
}

static void assert_alive(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'query-status'}");

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

/*
 * The virtqueues served in an iothread instead of the main loop: appended
 * to a test's backend options.
 */
#define IOTHREAD \
    " -object iothread,id=io0 -global virtio-crypto-pci.iothread=io0"

/*
 * A device reset with requests in the backend: they finish first.
 * data: more options (the iothread).
 */
static void test_reset_inflight(const void *data)
{
    enum { N = 6, LEN = 8 * 1024 * 1024 };
    static const uint8_t key[16] = { 0x33 };
    uint8_t iv[16] = { 0 }, buf[48] = { 0 }, out[48], ref[48];
    g_autofree char *opts = g_strdup_printf(",workers=1,max-request-size=32M%s",
                                            (const char *)data);
    Dev *d = dev_start(1, opts);
    Req r[N];
    uint64_t id;
    int i;

    submit_inflight(d, r, N, LEN, &id);
    qvirtio_reset(d->vdev);
    assert_alive(d->qts);
    for (i = 0; i < N; i++) {
        guest_free(&d->alloc, r[i].buf);
    }
    dev_reset(d);
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 16,
                                    true, &id), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(crypt_one(d, id, true, iv, 16, buf, out, 48), ==,
                     VIRTIO_CRYPTO_OK);
    ossl_crypt(&algs[3], true, key, iv, buf, ref, 48);
    g_assert_cmpmem(out, 48, ref, 48);
    dev_stop(d);
}

/*
 * More than the backend queues for its workers (64 MiB): the rest run at
 * once, and every request still completes, correctly.  data: more
 * options; with "stop" in them, the VM stops and continues while the
 * requests run.
 */
static void test_inflight_bound(const void *data)
{
    enum { N = 12, LEN = 8 * 1024 * 1024 };
    static const uint8_t key[16] = { 7 };
    uint8_t iv[16] = { 1 }, src[64], out[64], ref[64];
    const char *more = data;
    bool stop = g_str_has_prefix(more, "stop");
    g_autofree char *opts = g_strdup_printf(",workers=1,max-request-size=32M%s",
                                            stop ? more + 4 : more);
    Dev *d = dev_start(1, opts);
    bool seen[N] = { false };
    uint64_t id;
    Req r[N];
    int i, k;

    submit_inflight(d, r, N, LEN, &id);
    if (stop) {
        qtest_qmp_assert_success(d->qts, "{'execute': 'stop'}");
        assert_alive(d->qts);
        qtest_qmp_assert_success(d->qts, "{'execute': 'cont'}");
    }
    for (i = 0; i < N; i++) {
        uint32_t head, len;

        g_assert_true(wait_used(d, d->dataq[0], &head, &len));
        for (k = 0; k < N && r[k].head != head; k++) {
            /* find the request */
        }
        g_assert_cmpint(k, <, N);
        g_assert_false(seen[k]);
        seen[k] = true;
        g_assert_cmpuint(qtest_readb(d->qts, r[k].status), ==,
                         VIRTIO_CRYPTO_OK);
        /* CBC: the first blocks of the output depend only on the input's */
        qtest_memread(d->qts, r[k].dst - LEN, src, sizeof(src));
        qtest_memread(d->qts, r[k].dst, out, sizeof(out));
        ossl_crypt(&algs[3], true, key, iv, src, ref, sizeof(src));
        g_assert_cmpmem(out, sizeof(out), ref, sizeof(ref));
        guest_free(&d->alloc, r[k].buf);
    }
    g_assert_cmpuint(destroy_session(d, id), ==, VIRTIO_CRYPTO_OK);
    dev_stop(d);
}

/*
 * Hot-unplug with requests in the backend, then delete the backend.
 * data: more options (the iothread).
 */
static void test_unplug_inflight(const void *data)
{
    enum { N = 6, LEN = 8 * 1024 * 1024 };
    g_autofree char *opts = g_strdup_printf(",workers=1,max-request-size=32M%s",
                                            (const char *)data);
    Dev *d = dev_start(1, opts);
    Req r[N];
    uint64_t id;
    unsigned i;
    QDict *rsp;

    submit_inflight(d, r, N, LEN, &id);
    qpci_unplug_acpi_device_test(d->qts, "vc0", DEV_SLOT);
    assert_alive(d->qts);
    rsp = qtest_qmp(d->qts, "{'execute': 'object-del', 'arguments': "
                    "{'id': 'c0'}}");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    assert_alive(d->qts);

    /* the device is gone: free the test's side without touching it */
    for (i = 0; i < d->nq; i++) {
        qvirtqueue_cleanup(d->vdev->bus, d->dataq[i], &d->alloc);
    }
    qvirtqueue_cleanup(d->vdev->bus, d->ctrlq, &d->alloc);
    crypto_pci_free(d->qts, &d->alloc, d->bus, d->vpci);
    g_free(d);
}

/* ---- hashes, MACs and AEAD --------------------------------------------- */

/* One part of a request: device-readable, or device-writable */
typedef struct Seg {
    void *data;
    uint32_t len;
    bool write;
} Seg;

/*
 * Send one request made of @segs on @vq, wait for it and read the
 * writable parts back.  The used length, or -1 if the device broke.
 * (libqos's qvirtqueue_get_buf() reads only the low 16 bits of it.)
 */
static int64_t seg_request(Dev *d, QVirtQueue *vq, Seg *segs, int n)
{
    uint64_t addr[8];
    uint32_t head = 0, got, len;
    int i;

    g_assert(n <= ARRAY_SIZE(addr));
    qvirtqueue_reset_pool(vq);
    for (i = 0; i < n; i++) {
        uint32_t id;

        addr[i] = put(d, segs[i].data, segs[i].len);
        id = qvirtqueue_add(d->qts, vq, addr[i], segs[i].len, segs[i].write,
                            i < n - 1);
        if (i == 0) {
            head = id;
        }
    }
    qvirtqueue_kick(d->qts, d->vdev, vq, head);
    if (!wait_used(d, vq, &got, &len)) {
        return -1;
    }
    g_assert_cmpuint(got, ==, head);
    for (i = 0; i < n; i++) {
        if (segs[i].write) {
            qtest_memread(d->qts, addr[i], segs[i].data, segs[i].len);
        }
        guest_free(&d->alloc, addr[i]);
    }
    return len;
}

/*
 * HASH or MAC session: @key_len is what the request says, @key_give the
 * bytes of key it carries.
 */
static uint32_t auth_session(Dev *d, uint32_t service, uint32_t algo,
                             uint32_t result_len, const uint8_t *key,
                             uint32_t key_len, uint32_t key_give,
                             uint64_t *id)
{
    struct virtio_crypto_op_ctrl_req req = { 0 };
    struct virtio_crypto_session_input in;
    uint8_t keybuf[600];
    Seg segs[3] = { { &req, sizeof(req), false } };
    int n = 1;

    g_assert(key_give <= sizeof(keybuf));
    if (service == VIRTIO_CRYPTO_SERVICE_HASH) {
        req.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_HASH_CREATE_SESSION);
        req.u.hash_create_session.para.algo = cpu_to_le32(algo);
        req.u.hash_create_session.para.hash_result_len =
            cpu_to_le32(result_len);
    } else {
        req.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_MAC_CREATE_SESSION);
        req.u.mac_create_session.para.algo = cpu_to_le32(algo);
        req.u.mac_create_session.para.hash_result_len =
            cpu_to_le32(result_len);
        req.u.mac_create_session.para.auth_key_len = cpu_to_le32(key_len);
    }
    if (key_give) {
        memcpy(keybuf, key, key_give);
        segs[n++] = (Seg) { keybuf, key_give, false };
    }
    memset(&in, 0xee, sizeof(in));
    segs[n++] = (Seg) { &in, sizeof(in), true };
    g_assert_cmpint(seg_request(d, d->ctrlq, segs, n), >=, 0);
    *id = le64_to_cpu(in.session_id);
    return le32_to_cpu(in.status);
}

static uint32_t aead_session(Dev *d, const uint8_t *key, uint32_t key_len,
                             uint32_t tag_len, uint32_t op, uint64_t *id)
{
    struct virtio_crypto_op_ctrl_req req = { 0 };
    struct virtio_crypto_session_input in;
    uint8_t keybuf[64];

    g_assert(key_len <= sizeof(keybuf));
    memcpy(keybuf, key, key_len);
    req.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_AEAD_CREATE_SESSION);
    req.u.aead_create_session.para.algo = cpu_to_le32(VIRTIO_CRYPTO_AEAD_GCM);
    req.u.aead_create_session.para.key_len = cpu_to_le32(key_len);
    /* the specification's tag_len */
    req.u.aead_create_session.para.hash_result_len = cpu_to_le32(tag_len);
    req.u.aead_create_session.para.op = cpu_to_le32(op);
    memset(&in, 0xee, sizeof(in));
    g_assert_cmpint(seg_request(d, d->ctrlq, (Seg[]) {
        { &req, sizeof(req), false }, { keybuf, MAX(key_len, 1), false },
        { &in, sizeof(in), true } }, 3), >=, 0);
    *id = le64_to_cpu(in.session_id);
    return le32_to_cpu(in.status);
}

/*
 * HASH or MAC request: src in; @out_len bytes of result area (the
 * request says @result_len) then the status out.  The status.
 */
static uint8_t hash_req(Dev *d, uint32_t opcode, uint64_t id,
                        const uint8_t *src, uint32_t len, uint32_t result_len,
                        uint8_t *out, uint32_t out_len)
{
    struct virtio_crypto_op_data_req req = { 0 };
    g_autofree uint8_t *sbuf = g_memdup2(src, MAX(len, 1));
    uint8_t st = NO_ANSWER;
    int64_t used;

    req.header.opcode = cpu_to_le32(opcode);
    req.header.session_id = cpu_to_le64(id);
    req.u.hash_req.para.src_data_len = cpu_to_le32(len);
    req.u.hash_req.para.hash_result_len = cpu_to_le32(result_len);
    if (len) {
        used = seg_request(d, d->dataq[0], (Seg[]) {
            { &req, sizeof(req), false }, { sbuf, len, false },
            { out, out_len, true }, { &st, 1, true } }, 4);
    } else {
        used = seg_request(d, d->dataq[0], (Seg[]) {
            { &req, sizeof(req), false },
            { out, out_len, true }, { &st, 1, true } }, 3);
    }
    g_assert_cmpint(used, ==, (out_len + 1) & 0xffff);
    return st;
}

/*
 * AEAD request in the specification's order: iv, src, aad in; @out_len
 * bytes of destination (the request says @dst_len) and the status out.
 */
static uint8_t aead_req(Dev *d, bool encrypt, uint64_t id, const uint8_t *iv,
                        uint32_t iv_len, const uint8_t *src, uint32_t len,
                        const uint8_t *aad, uint32_t aad_len,
                        uint32_t dst_len, uint32_t tag_len, uint8_t *out,
                        uint32_t out_len)
{
    struct virtio_crypto_op_data_req req = { 0 };
    size_t rlen = sizeof(req) + iv_len + len + aad_len;
    g_autofree uint8_t *rd = g_malloc(rlen);
    g_autofree uint8_t *wr = g_malloc(out_len + 1);
    int64_t used;

    req.header.opcode = cpu_to_le32(encrypt ? VIRTIO_CRYPTO_AEAD_ENCRYPT :
                                    VIRTIO_CRYPTO_AEAD_DECRYPT);
    req.header.session_id = cpu_to_le64(id);
    req.u.aead_req.para.iv_len = cpu_to_le32(iv_len);
    req.u.aead_req.para.aad_len = cpu_to_le32(aad_len);
    req.u.aead_req.para.src_data_len = cpu_to_le32(len);
    req.u.aead_req.para.dst_data_len = cpu_to_le32(dst_len);
    /* tag_len: the specification's flf goes on past Linux's para */
    stl_le_p(req.u.aead_req.padding, tag_len);
    /* all readable parts in one descriptor, all writable in another */
    memcpy(rd, &req, sizeof(req));
    memcpy(rd + sizeof(req), iv, iv_len);
    memcpy(rd + sizeof(req) + iv_len, src, len);
    memcpy(rd + sizeof(req) + iv_len + len, aad, aad_len);
    memcpy(wr, out, out_len);
    wr[out_len] = NO_ANSWER;
    used = seg_request(d, d->dataq[0], (Seg[]) {
        { rd, rlen, false }, { wr, out_len + 1, true } }, 2);
    g_assert_cmpint(used, ==, (out_len + 1) & 0xffff);
    memcpy(out, wr, out_len);
    return wr[out_len];
}

static void unhex(const char *hex, uint8_t *out, size_t len)
{
    size_t i;

    g_assert_cmpuint(strlen(hex), ==, 2 * len);
    for (i = 0; i < len; i++) {
        out[i] = g_ascii_xdigit_value(hex[2 * i]) << 4 |
                 g_ascii_xdigit_value(hex[2 * i + 1]);
    }
}

/*
 * Known answers through the device: FIPS 180-4's SHA-256 of "abc" and
 * of nothing, RFC 4231 HMAC-SHA-256 cases 1 and 5 (truncated), and the
 * GCM specification's test case 4 (AES-128, AAD), sealed and opened; a
 * changed tag is refused with BADMSG and nothing written.
 */
static void test_auth_kat(void)
{
    static const char gcm_p[] =
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    static const char gcm_c[] =
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
        "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091";
    Dev *d = dev_start(1, ",provider=openssl");
    uint8_t key[20], want[64], out[80], pt[60], ct[76], iv[12], aad[20];
    uint64_t sha, hmac, hmac16, enc, dec;

    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_HASH,
                                  VIRTIO_CRYPTO_HASH_SHA_256, 32, NULL, 0, 0,
                                  &sha), ==, VIRTIO_CRYPTO_OK);
    unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
          want, 32);
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, sha,
                              (const uint8_t *)"abc", 3, 32, out, 32), ==,
                     VIRTIO_CRYPTO_OK);
    g_assert_cmpmem(out, 32, want, 32);
    unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          want, 32);
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, sha, NULL, 0, 32,
                              out, 32), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpmem(out, 32, want, 32);

    memset(key, 0x0b, 20);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_MAC,
                                  VIRTIO_CRYPTO_MAC_HMAC_SHA_256, 32, key, 20,
                                  20, &hmac), ==, VIRTIO_CRYPTO_OK);
    unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
          want, 32);
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_MAC, hmac,
                              (const uint8_t *)"Hi There", 8, 32, out, 32),
                     ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpmem(out, 32, want, 32);
    memset(key, 0x0c, 20);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_MAC,
                                  VIRTIO_CRYPTO_MAC_HMAC_SHA_256, 16, key, 20,
                                  20, &hmac16), ==, VIRTIO_CRYPTO_OK);
    unhex("a3b6167473100ee06e0c796c2955552b", want, 16);
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_MAC, hmac16,
                              (const uint8_t *)"Test With Truncation", 20,
                              16, out, 16), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpmem(out, 16, want, 16);

    unhex("feffe9928665731c6d6a8f9467308308", key, 16);
    unhex("cafebabefacedbaddecaf888", iv, 12);
    unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, 20);
    unhex(gcm_p, pt, 60);
    unhex(gcm_c, ct, 60);
    unhex("5bc94fbc3221a5db94fae95ae7121a47", ct + 60, 16);
    g_assert_cmpuint(aead_session(d, key, 16, 16, VIRTIO_CRYPTO_OP_ENCRYPT,
                                  &enc), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(aead_session(d, key, 16, 16, VIRTIO_CRYPTO_OP_DECRYPT,
                                  &dec), ==, VIRTIO_CRYPTO_OK);
    /* the tag follows the ciphertext in dst_data */
    g_assert_cmpuint(aead_req(d, true, enc, iv, 12, pt, 60, aad, 20, 76, 16,
                              out, 76), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpmem(out, 76, ct, 76);
    g_assert_cmpuint(aead_req(d, false, dec, iv, 12, ct, 76, aad, 20, 60, 16,
                              out, 60), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpmem(out, 60, pt, 60);
    ct[70] ^= 1;
    memset(out, 0xa5, sizeof(out));
    g_assert_cmpuint(aead_req(d, false, dec, iv, 12, ct, 76, aad, 20, 60, 16,
                              out, 60), ==, VIRTIO_CRYPTO_BADMSG);
    /*
     * No plaintext: the backend decrypted on the guest's pages (patch
     * 2050) and zeroed them (copies are left as they were: sg-equal)
     */
    memset(want, 0, 60);
    g_assert_cmpmem(out, 60, want, 60);

    g_assert_cmpuint(destroy_session(d, sha), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, hmac), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, hmac16), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, enc), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, dec), ==, VIRTIO_CRYPTO_OK);
    dev_stop(d);
}

/*
 * Every hash and MAC, and AES-GCM with each key, at several sizes (and
 * zero-length messages, HMAC keys and AAD): the device's answer equals
 * OpenSSL's.  data: backend options (worker threads or the main loop).
 * What the provider does not offer is left out, with a message (the
 * config test holds openssl to offering everything).  AEAD stays under
 * the afalg provider's 64 KiB per request.
 */
static void test_auth_equal(const void *data)
{
    static const uint32_t sizes[] = { 0, 1, 55, 64, 65, 1000, 65536 + 3 };
    static const uint32_t aead_sizes[] = { 0, 1, 15, 16, 17, 1000, 60000 };
    const char *prov = g_getenv("CRYPTODEV_TEST_PROVIDER");
    const char *max_env = g_getenv("CRYPTODEV_TEST_MAX_LEN");
    uint32_t max = max_env ? atoi(max_env) : UINT32_MAX;
    g_autofree char *opts = g_strdup_printf(",provider=%s%s",
                                            prov ? prov : "openssl",
                                            (const char *)data);
    Dev *d = dev_start(1, opts);
    uint32_t hash_bits = CFG32(d, hash_algo);
    uint32_t mac_bits = CFG32(d, mac_algo_l);
    uint32_t aead_bits = CFG32(d, aead_algo);
    g_autofree uint8_t *src = g_malloc(65536 + 3);
    g_autofree uint8_t *dst = g_malloc(65536 + 3 + 16);
    g_autofree uint8_t *ref = g_malloc(65536 + 3 + 16);
    uint8_t key[100], want[64], out[64], iv[12], aad[40];
    uint64_t id, enc, dec;
    size_t i, j;

    for (i = 0; i < ARRAY_SIZE(auth_algs); i++) {
        const AuthAlg *a = &auth_algs[i];
        bool mac = a->service == VIRTIO_CRYPTO_SERVICE_MAC;
        bool cmac = mac && a->virtio_alg == VIRTIO_CRYPTO_MAC_CMAC_AES;
        uint32_t key_len = !mac ? 0 : cmac ? 16 : g_test_rand_int_range(0, 100);

        if (!((mac ? mac_bits : hash_bits) & (1u << a->virtio_alg))) {
            g_test_message("%s %s: not offered", mac ? "mac" : "hash",
                           a->name);
            continue;
        }
        if (mac && !cmac && i % 2) {
            key_len = 0;        /* an empty HMAC key is a key */
        }
        fill_random(key, key_len);
        g_assert_cmpuint(auth_session(d, a->service, a->virtio_alg,
                                      a->digest_len, key, key_len, key_len,
                                      &id), ==, VIRTIO_CRYPTO_OK);
        for (j = 0; j < ARRAY_SIZE(sizes) && sizes[j] <= max; j++) {
            fill_random(src, sizes[j]);
            ossl_digest(a, key, key_len, src, sizes[j], want);
            memset(out, 0, sizeof(out));
            g_assert_cmpuint(hash_req(d, mac ? VIRTIO_CRYPTO_MAC :
                                      VIRTIO_CRYPTO_HASH, id, src, sizes[j],
                                      a->digest_len, out, a->digest_len), ==,
                             VIRTIO_CRYPTO_OK);
            g_assert_cmpmem(out, a->digest_len, want, a->digest_len);
        }
        g_assert_cmpuint(destroy_session(d, id), ==, VIRTIO_CRYPTO_OK);
        g_test_message("%s %s, %u-byte key (%s): equal to OpenSSL",
                       mac ? cmac ? "cmac" : "hmac" : "hash", a->name,
                       key_len, prov ? prov : "openssl");
    }

    for (i = 0; i < ARRAY_SIZE(aead_algs); i++) {
        const AeadAlg *a = &aead_algs[i];

        if (!(aead_bits & (1u << a->virtio_alg))) {
            g_test_message("aead %s: not offered", a->name);
            continue;
        }
        fill_random(key, a->key_len);
        g_assert_cmpuint(aead_session(d, key, a->key_len, 16,
                                      VIRTIO_CRYPTO_OP_ENCRYPT, &enc), ==,
                         VIRTIO_CRYPTO_OK);
        g_assert_cmpuint(aead_session(d, key, a->key_len, 16,
                                      VIRTIO_CRYPTO_OP_DECRYPT, &dec), ==,
                         VIRTIO_CRYPTO_OK);
        for (j = 0; j < ARRAY_SIZE(aead_sizes) && aead_sizes[j] <= max; j++) {
            uint32_t len = aead_sizes[j], aad_len = (j * 7) % sizeof(aad);

            fill_random(src, len);
            fill_random(iv, 12);
            fill_random(aad, aad_len);
            ossl_aead(a, true, key, iv, 12, aad, aad_len,
                      src, len, ref, ref + len, 16);
            g_assert_cmpuint(aead_req(d, true, enc, iv, 12, src, len, aad,
                                      aad_len, len + 16, 16, dst, len + 16),
                             ==, VIRTIO_CRYPTO_OK);
            g_assert_cmpmem(dst, len + 16, ref, len + 16);
            g_assert_cmpuint(aead_req(d, false, dec, iv, 12, ref, len + 16,
                                      aad, aad_len, len, 16, dst, len), ==,
                             VIRTIO_CRYPTO_OK);
            g_assert_cmpmem(dst, len, src, len);
        }
        g_assert_cmpuint(destroy_session(d, enc), ==, VIRTIO_CRYPTO_OK);
        g_assert_cmpuint(destroy_session(d, dec), ==, VIRTIO_CRYPTO_OK);
        g_test_message("%s (%s): equal to OpenSSL", a->name,
                       prov ? prov : "openssl");
    }
    dev_stop(d);
}

/*
 * Every bound on what the driver says: each bad request gets its error
 * status, no result written, and the device goes on working.
 */
static void test_auth_errors(void)
{
    Dev *d = dev_start(1, ",provider=openssl");
    uint8_t key[600] = { 1, 2, 3 }, src[64] = { 4 }, out[100], iv[16] = { 5 };
    uint8_t untouched[100];
    uint64_t sha, mac, enc, dec, cipher, id;
    uint32_t max_key = CFG32(d, max_auth_key_len);

    memset(untouched, 0xee, sizeof(untouched));
#define OUT_UNTOUCHED(n) g_assert_cmpmem(out, (n), untouched, (n))

    /* sessions: result lengths, unknown algorithms, keys, tags, op */
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_HASH,
                                  VIRTIO_CRYPTO_HASH_SHA_256, 0, NULL, 0, 0,
                                  &id), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_HASH,
                                  VIRTIO_CRYPTO_HASH_SHA_256, 33, NULL, 0, 0,
                                  &id), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_HASH,
                                  VIRTIO_CRYPTO_HASH_SHA3_SHAKE128, 16, NULL,
                                  0, 0, &id), ==, VIRTIO_CRYPTO_NOTSUPP);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_HASH, 40, 16, NULL,
                                  0, 0, &id), ==, VIRTIO_CRYPTO_NOTSUPP);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_MAC,
                                  VIRTIO_CRYPTO_MAC_HMAC_SHA1, 21, key, 16,
                                  16, &id), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_MAC,
                                  VIRTIO_CRYPTO_MAC_HMAC_SHA1, 20, key,
                                  max_key + 1, max_key + 1, &id), ==,
                     VIRTIO_CRYPTO_ERR);
    /* a key shorter than it says: an error, not a device reset */
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_MAC,
                                  VIRTIO_CRYPTO_MAC_HMAC_SHA1, 20, key, 64,
                                  10, &id), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_MAC,
                                  VIRTIO_CRYPTO_MAC_CMAC_AES, 16, key, 15,
                                  15, &id), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_MAC,
                                  VIRTIO_CRYPTO_MAC_KASUMI_F9, 4, key, 16,
                                  16, &id), ==, VIRTIO_CRYPTO_NOTSUPP);
    g_assert_cmpuint(aead_session(d, key, 20, 16, VIRTIO_CRYPTO_OP_ENCRYPT,
                                  &id), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_session(d, key, 16, 0, VIRTIO_CRYPTO_OP_ENCRYPT,
                                  &id), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_session(d, key, 16, 17, VIRTIO_CRYPTO_OP_ENCRYPT,
                                  &id), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_session(d, key, 16, 5, VIRTIO_CRYPTO_OP_ENCRYPT,
                                  &id), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_session(d, key, 16, 16, 3, &id), ==,
                     VIRTIO_CRYPTO_ERR);
    g_assert_false(dev_needs_reset(d));

    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_HASH,
                                  VIRTIO_CRYPTO_HASH_SHA_256, 32, NULL, 0, 0,
                                  &sha), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_MAC,
                                  VIRTIO_CRYPTO_MAC_HMAC_SHA_256, 32, key,
                                  max_key, max_key, &mac), ==,
                     VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(aead_session(d, key, 16, 16, VIRTIO_CRYPTO_OP_ENCRYPT,
                                  &enc), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(aead_session(d, key, 16, 12, VIRTIO_CRYPTO_OP_DECRYPT,
                                  &dec), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 16,
                                    true, &cipher), ==, VIRTIO_CRYPTO_OK);

    /* hash requests: result length not the session's, or too big */
    memcpy(out, untouched, sizeof(out));
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, sha, src, 64, 16, out,
                              16), ==, VIRTIO_CRYPTO_ERR);
    OUT_UNTOUCHED(16);
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, sha, src, 64, 65, out,
                              65), ==, VIRTIO_CRYPTO_ERR);
    OUT_UNTOUCHED(65);
    /* a result area that is not hash_result_len: the status is not after */
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, sha, src, 64, 32, out,
                              31), ==, VIRTIO_CRYPTO_ERR);
    OUT_UNTOUCHED(31);
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, sha, src, 64, 32, out,
                              40), ==, VIRTIO_CRYPTO_ERR);
    OUT_UNTOUCHED(40);
    /* more source than max_size, and more than the request carries */
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, sha, src, 0, 32, out,
                              32), ==, VIRTIO_CRYPTO_OK);
    memcpy(out, untouched, sizeof(out));
    {
        struct virtio_crypto_op_data_req req = { 0 };
        uint8_t st = NO_ANSWER;

        req.header.opcode = cpu_to_le32(VIRTIO_CRYPTO_HASH);
        req.header.session_id = cpu_to_le64(sha);
        req.u.hash_req.para.src_data_len = cpu_to_le32(0xfffffff0);
        req.u.hash_req.para.hash_result_len = cpu_to_le32(32);
        g_assert_cmpint(seg_request(d, d->dataq[0], (Seg[]) {
            { &req, sizeof(req), false }, { src, 64, false },
            { out, 32, true }, { &st, 1, true } }, 4), ==, 33);
        g_assert_cmpuint(st, ==, VIRTIO_CRYPTO_ERR);
        req.u.hash_req.para.src_data_len = cpu_to_le32(65);
        st = NO_ANSWER;
        g_assert_cmpint(seg_request(d, d->dataq[0], (Seg[]) {
            { &req, sizeof(req), false }, { src, 64, false },
            { out, 32, true }, { &st, 1, true } }, 4), ==, 33);
        g_assert_cmpuint(st, ==, VIRTIO_CRYPTO_ERR);
        OUT_UNTOUCHED(32);
    }
    /* sessions of another service are no sessions for the request */
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_MAC, sha, src, 64, 32, out,
                              32), ==, VIRTIO_CRYPTO_INVSESS);
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, mac, src, 64, 32, out,
                              32), ==, VIRTIO_CRYPTO_INVSESS);
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, cipher, src, 64, 64, out,
                              64), ==, VIRTIO_CRYPTO_INVSESS);
    g_assert_cmpuint(crypt_one(d, sha, true, iv, 16, src, out, 64), ==,
                     VIRTIO_CRYPTO_INVSESS);
    g_assert_cmpuint(aead_req(d, true, sha, iv, 12, src, 16, NULL, 0, 32, 16,
                              out, 32), ==, VIRTIO_CRYPTO_INVSESS);
    OUT_UNTOUCHED(32);

    /* AEAD: direction, tag length, destination, nonce */
    g_assert_cmpuint(aead_req(d, false, enc, iv, 12, src, 32, NULL, 0, 16, 16,
                              out, 16), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_req(d, true, enc, iv, 12, src, 16, NULL, 0, 28, 12,
                              out, 28), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_req(d, true, enc, iv, 12, src, 16, NULL, 0, 31, 16,
                              out, 31), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_req(d, true, enc, iv, 12, src, 16, NULL, 0, 32, 17,
                              out, 32), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_req(d, true, enc, iv, 12, src, 16, NULL, 0, 32, 16,
                              out, 33), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_req(d, true, enc, iv, 0, src, 16, NULL, 0, 32, 16,
                              out, 32), ==, VIRTIO_CRYPTO_ERR);
    g_assert_cmpuint(aead_req(d, false, dec, iv, 12, src, 11, NULL, 0, 0, 12,
                              out, 0), ==, VIRTIO_CRYPTO_ERR);
    OUT_UNTOUCHED(33);
    /* a bigger destination than needed is fine: the rest stays */
    g_assert_cmpuint(aead_req(d, true, enc, iv, 12, src, 16, src, 3, 40, 16,
                              out, 40), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpmem(out + 32, 8, untouched, 8);
    /* a wrong tag (on a 12-byte tag session), and an empty message */
    g_assert_cmpuint(aead_req(d, false, dec, iv, 12, src, 28, NULL, 0, 16, 12,
                              out, 16), ==, VIRTIO_CRYPTO_BADMSG);
    g_assert_cmpuint(aead_req(d, true, enc, iv, 12, src, 0, NULL, 0, 16, 16,
                              out, 16), ==, VIRTIO_CRYPTO_OK);

    /* and everything still works */
    g_assert_false(dev_needs_reset(d));
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_HASH, sha, src, 64, 32, out,
                              32), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(hash_req(d, VIRTIO_CRYPTO_MAC, mac, src, 64, 32, out,
                              32), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, sha), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, mac), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, enc), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, dec), ==, VIRTIO_CRYPTO_OK);
    g_assert_cmpuint(destroy_session(d, cipher), ==, VIRTIO_CRYPTO_OK);
#undef OUT_UNTOUCHED
    dev_stop(d);
}

/* ---- the guest's memory as scatter-gather (patches/2050) -------------- */

/*
 * A buffer of the request in guest memory: runs of memory ("extents") at
 * odd addresses, cut into descriptors at random points when queued.
 */
typedef struct Part {
    uint64_t addr[5];
    uint32_t len[5];
    uint64_t base[5];           /* guest_alloc()'s, 0: another part's */
    int n;
    uint32_t total;
} Part;

static void part_alloc(Dev *d, GRand *rng, Part *p, uint32_t len)
{
    uint32_t left = len;

    memset(p, 0, sizeof(*p));
    p->total = len;
    while (left || !p->n) {
        uint32_t l = p->n == 3 ? left :
                     g_rand_int_range(rng, 0, left + 1);

        p->base[p->n] = guest_alloc(&d->alloc, l + 16);
        p->addr[p->n] = p->base[p->n] + g_rand_int_range(rng, 0, 16);
        p->len[p->n++] = l;
        left -= l;
    }
}

/*
 * len bytes over the same memory as src, as far as it goes (in place),
 * and new memory after it
 */
static void part_alias(Dev *d, GRand *rng, Part *p, const Part *src,
                       uint32_t len)
{
    uint32_t left = len;
    int i;

    memset(p, 0, sizeof(*p));
    p->total = len;
    for (i = 0; i < src->n && left; i++) {
        p->addr[p->n] = src->addr[i];
        p->len[p->n++] = MIN(left, src->len[i]);
        left -= MIN(left, src->len[i]);
    }
    if (left) {
        p->base[p->n] = guest_alloc(&d->alloc, left + 16);
        p->addr[p->n] = p->base[p->n] + g_rand_int_range(rng, 0, 16);
        p->len[p->n++] = left;
    }
}

static void part_io(Dev *d, Part *p, uint8_t *buf, bool write)
{
    int i;

    for (i = 0; i < p->n; i++) {
        if (write) {
            qtest_memwrite(d->qts, p->addr[i], buf, p->len[i]);
        } else {
            qtest_memread(d->qts, p->addr[i], buf, p->len[i]);
        }
        buf += p->len[i];
    }
}

static void part_free(Dev *d, Part *p)
{
    int i;

    for (i = 0; i < p->n; i++) {
        if (p->base[i]) {
            guest_free(&d->alloc, p->base[i]);
        }
    }
}

/* Queue the part as descriptors, each extent cut at random points. */
static void part_queue(Dev *d, QVirtQueue *vq, GRand *rng, Part *p,
                       bool write)
{
    int i;

    for (i = 0; i < p->n; i++) {
        uint32_t at = 0;

        while (at < p->len[i]) {
            uint32_t l = g_rand_int_range(rng, 1, p->len[i] - at + 1);

            qvirtqueue_add(d->qts, vq, p->addr[i] + at, l, write, true);
            at += l;
        }
    }
}

/*
 * One request: the header, the readable parts, the writable parts, the
 * status; waits for it and returns the status.
 */
static uint8_t part_request(Dev *d, GRand *rng, const void *hdr,
                            size_t hdr_len, Part **rd, int nrd, Part **wr,
                            int nwr)
{
    QVirtQueue *vq = d->dataq[0];
    uint64_t a_hdr, a_st;
    uint32_t head, got, len;
    uint8_t st;
    int i;

    qvirtqueue_reset_pool(vq);
    a_hdr = put(d, hdr, hdr_len);
    a_st = guest_alloc(&d->alloc, 1);
    qtest_writeb(d->qts, a_st, NO_ANSWER);
    head = qvirtqueue_add(d->qts, vq, a_hdr, hdr_len, false, true);
    for (i = 0; i < nrd; i++) {
        part_queue(d, vq, rng, rd[i], false);
    }
    for (i = 0; i < nwr; i++) {
        part_queue(d, vq, rng, wr[i], true);
    }
    qvirtqueue_add(d->qts, vq, a_st, 1, true, false);
    qvirtqueue_kick(d->qts, d->vdev, vq, head);
    g_assert_true(wait_used(d, vq, &got, &len));
    g_assert_cmpuint(got, ==, head);
    st = qtest_readb(d->qts, a_st);
    guest_free(&d->alloc, a_hdr);
    guest_free(&d->alloc, a_st);
    return st;
}

enum { SG_CBC_ENC, SG_CBC_DEC, SG_CTR, SG_XTS, SG_SHA, SG_HMAC, SG_GCM_ENC,
       SG_GCM_DEC, SG_NSESS };
#define SG_REQS 48
#define SG_MAX  (160 * 1024)

/*
 * SG_REQS random requests (seeded: the same in every run) on a device
 * started with @opts: ciphers, hashes, MACs and AES-GCM, random sizes,
 * every buffer over several descriptors at odd addresses, and one in
 * three in place.  Everything the device wrote (statuses, outputs, the
 * rest of in-place buffers) goes to @out, and cipher results are also
 * checked against OpenSSL.  Last, a GCM open with a wrong tag: only its
 * status goes to @out, and whether it left the destination as it was
 * (the copying path) to @untouched.
 */
static void sg_run(const char *opts, guint32 seed, GByteArray *out,
                   bool *untouched)
{
    static const uint8_t key[32] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
    g_autofree char *o = g_strdup_printf(",provider=openssl%s", opts);
    g_autoptr(GRand) rng = g_rand_new_with_seed(seed);
    g_autofree uint8_t *src = g_malloc(SG_MAX + 16);
    g_autofree uint8_t *res = g_malloc(SG_MAX + 16);
    g_autofree uint8_t *ref = g_malloc(SG_MAX + 16);
    Dev *d = dev_start(1, o);
    uint64_t id[SG_NSESS];
    int i;

    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 16,
                                    true, &id[SG_CBC_ENC]), ==, 0);
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CBC, key, 16,
                                    false, &id[SG_CBC_DEC]), ==, 0);
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_CTR, key, 16,
                                    true, &id[SG_CTR]), ==, 0);
    g_assert_cmpuint(create_session(d, VIRTIO_CRYPTO_CIPHER_AES_XTS, key, 32,
                                    true, &id[SG_XTS]), ==, 0);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_HASH,
                                  VIRTIO_CRYPTO_HASH_SHA_256, 32, NULL, 0, 0,
                                  &id[SG_SHA]), ==, 0);
    g_assert_cmpuint(auth_session(d, VIRTIO_CRYPTO_SERVICE_MAC,
                                  VIRTIO_CRYPTO_MAC_HMAC_SHA_256, 32, key, 20,
                                  20, &id[SG_HMAC]), ==, 0);
    g_assert_cmpuint(aead_session(d, key, 16, 16, VIRTIO_CRYPTO_OP_ENCRYPT,
                                  &id[SG_GCM_ENC]), ==, 0);
    g_assert_cmpuint(aead_session(d, key, 16, 16, VIRTIO_CRYPTO_OP_DECRYPT,
                                  &id[SG_GCM_DEC]), ==, 0);

    for (i = 0; i <= SG_REQS; i++) {
        int kind = i == SG_REQS ? SG_GCM_DEC : g_rand_int_range(rng, 0,
                                                                SG_NSESS);
        bool inplace = g_rand_int_range(rng, 0, 3) == 0;
        struct virtio_crypto_op_data_req req = { 0 };
        uint32_t len = g_rand_int_range(rng, 0, SG_MAX);
        uint32_t aad_len = g_rand_int_range(rng, 0, 300);
        uint32_t iv_len = 16, out_len = len;
        Part iv, in, aad, dst;
        Part *rd[3] = { &iv, &in, &aad };
        Part *wr[1] = { &dst };
        uint8_t ivb[16], aadb[300], st;
        int j;

        for (j = 0; j < 16; j++) {
            ivb[j] = g_rand_int(rng);
        }
        for (j = 0; j < sizeof(aadb); j++) {
            aadb[j] = g_rand_int(rng);
        }
        for (j = 0; j < len; j++) {
            src[j] = g_rand_int(rng);
        }
        req.header.session_id = cpu_to_le64(id[kind]);
        switch (kind) {
        case SG_CBC_ENC:
        case SG_CBC_DEC:
        case SG_CTR:
        case SG_XTS: {
            struct virtio_crypto_cipher_para *p = &req.u.sym_req.u.cipher.para;

            if (kind != SG_CTR) {
                len = MAX(len - len % 16, 16);
            }
            out_len = len;
            req.header.opcode = cpu_to_le32(kind == SG_CBC_DEC ?
                                            VIRTIO_CRYPTO_CIPHER_DECRYPT :
                                            VIRTIO_CRYPTO_CIPHER_ENCRYPT);
            req.u.sym_req.op_type = cpu_to_le32(VIRTIO_CRYPTO_SYM_OP_CIPHER);
            p->iv_len = cpu_to_le32(16);
            p->src_data_len = cpu_to_le32(len);
            p->dst_data_len = cpu_to_le32(len);
            break;
        }
        case SG_SHA:
        case SG_HMAC:
            req.header.opcode = cpu_to_le32(kind == SG_SHA ?
                                            VIRTIO_CRYPTO_HASH :
                                            VIRTIO_CRYPTO_MAC);
            req.u.hash_req.para.src_data_len = cpu_to_le32(len);
            req.u.hash_req.para.hash_result_len = cpu_to_le32(32);
            out_len = 32;
            iv_len = 0;
            inplace = false;
            break;
        default:
            len = MIN(len, 32768);
            iv_len = 12;
            if (kind == SG_GCM_DEC) {
                /* a sealed message (the last one with a wrong tag) */
                len = MAX(len, i == SG_REQS ? 64 : 16);
                out_len = len - 16;
                memcpy(ref, src, out_len);
                ossl_aead(&aead_algs[0], true, key, ivb, 12, aadb, aad_len,
                          ref, out_len, src, src + out_len, 16);
                src[len - 1] ^= i == SG_REQS;
            } else {
                out_len = len + 16;
            }
            req.header.opcode = cpu_to_le32(kind == SG_GCM_ENC ?
                                            VIRTIO_CRYPTO_AEAD_ENCRYPT :
                                            VIRTIO_CRYPTO_AEAD_DECRYPT);
            req.u.aead_req.para.iv_len = cpu_to_le32(12);
            req.u.aead_req.para.aad_len = cpu_to_le32(aad_len);
            req.u.aead_req.para.src_data_len = cpu_to_le32(len);
            req.u.aead_req.para.dst_data_len = cpu_to_le32(out_len);
            stl_le_p(req.u.aead_req.padding, 16);
            break;
        }
        part_alloc(d, rng, &iv, iv_len);
        part_io(d, &iv, ivb, true);
        part_alloc(d, rng, &in, len);
        part_io(d, &in, src, true);
        part_alloc(d, rng, &aad, iv_len == 12 ? aad_len : 0);
        if (iv_len == 12) {
            part_io(d, &aad, aadb, true);
        }
        if (inplace) {
            part_alias(d, rng, &dst, &in, out_len);
        } else {
            part_alloc(d, rng, &dst, out_len);
        }
        /* what a destination held before: 0xa5 and the source in place */
        memset(res, 0xa5, out_len);
        if (inplace) {
            memcpy(res, src, MIN(len, out_len));
        }
        part_io(d, &dst, res, true);
        st = part_request(d, rng, &req, sizeof(req), rd, iv_len == 12 ? 3 : 2,
                          wr, 1);
        part_io(d, &dst, res, false);
        g_byte_array_append(out, &st, 1);
        if (i < SG_REQS) {
            /* the refused open's destination differs: compared below */
            g_byte_array_append(out, res, out_len);
        }
        if (inplace && len > out_len) {
            /* an in-place open: the tag after the plaintext stays */
            part_io(d, &in, ref, false);
            g_byte_array_append(out, ref + out_len, len - out_len);
        }
        if (i == SG_REQS) {
            g_assert_cmpuint(st, ==, VIRTIO_CRYPTO_BADMSG);
            memset(ref, 0xa5, out_len);
            if (inplace) {
                memcpy(ref, src, out_len);
            }
            *untouched = !memcmp(res, ref, out_len);
        } else {
            g_assert_cmpuint(st, ==, VIRTIO_CRYPTO_OK);
        }
        if (kind <= SG_XTS) {
            ossl_crypt(&algs[kind == SG_CTR ? 6 : kind == SG_XTS ? 9 : 3],
                       kind != SG_CBC_DEC, key, ivb, src, ref, len);
            g_assert_cmpmem(res, len, ref, len);
        }
        part_free(d, &iv);
        part_free(d, &in);
        part_free(d, &aad);
        part_free(d, &dst);
    }
    for (i = 0; i < SG_NSESS; i++) {
        g_assert_cmpuint(destroy_session(d, id[i]), ==, VIRTIO_CRYPTO_OK);
    }
    dev_stop(d);
}

/*
 * The backend on the guest's pages (x-scatter-gather on, the default)
 * and on copies (off): byte-identical results for the same requests, and
 * the mapped path really taken (a refused GCM open zeroes the
 * destination there; the copying path leaves it).  data: more options.
 */
static void test_sg_equal(const void *data)
{
    const char *more = data;
    guint32 seed = g_test_rand_int();
    g_autofree char *off = g_strdup_printf("%s -global "
                                           "virtio-crypto-pci.x-scatter-gather"
                                           "=off", more);
    g_autoptr(GByteArray) a = g_byte_array_new();
    g_autoptr(GByteArray) b = g_byte_array_new();
    bool ua = true, ub = false;

    g_test_message("seed %u", seed);
    sg_run(more, seed, a, &ua);
    sg_run(off, seed, b, &ub);
    g_assert_cmpmem(a->data, a->len, b->data, b->len);
    g_assert_false(ua);
    g_assert_true(ub);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/cryptodev-host/properties", test_properties);
    qtest_add_func("/cryptodev-host/config", test_config);
    qtest_add_func("/cryptodev-host/auto", test_auto);
    qtest_add_func("/cryptodev-host/kat", test_kat);
    qtest_add_func("/cryptodev-host/sessions", test_sessions);
    qtest_add_func("/cryptodev-host/errors", test_errors);
    qtest_add_func("/cryptodev-host/multiqueue", test_multiqueue);
    qtest_add_data_func("/cryptodev-host/reset-inflight", "",
                        test_reset_inflight);
    qtest_add_data_func("/cryptodev-host/unplug-inflight", "",
                        test_unplug_inflight);
    qtest_add_data_func("/cryptodev-host/inflight-bound", "",
                        test_inflight_bound);
    /* the virtqueues in an iothread: the same answers, resets, unplugs */
    qtest_add_data_func("/cryptodev-host/iothread/reset-inflight", IOTHREAD,
                        test_reset_inflight);
    qtest_add_data_func("/cryptodev-host/iothread/unplug-inflight", IOTHREAD,
                        test_unplug_inflight);
    qtest_add_data_func("/cryptodev-host/iothread/stop-cont-inflight",
                        "stop" IOTHREAD, test_inflight_bound);
    qtest_add_data_func("/cryptodev-host/stop-cont-inflight", "stop",
                        test_inflight_bound);
    qtest_add_data_func("/cryptodev-host/iothread/openssl-equal", IOTHREAD,
                        test_openssl_equal);
    qtest_add_data_func("/cryptodev-host/iothread/openssl-equal-workers",
                        ",inline-max=0" IOTHREAD, test_openssl_equal);
    qtest_add_data_func("/cryptodev-host/iothread/auth-equal-workers",
                        ",inline-max=0" IOTHREAD, test_auth_equal);
    qtest_add_func("/cryptodev-host/auth-kat", test_auth_kat);
    qtest_add_func("/cryptodev-host/auth-errors", test_auth_errors);
    qtest_add_data_func("/cryptodev-host/auth-equal", "", test_auth_equal);
    qtest_add_data_func("/cryptodev-host/auth-equal-workers", ",inline-max=0",
                        test_auth_equal);
    /* by default small requests run in the main loop, big ones in workers */
    qtest_add_data_func("/cryptodev-host/openssl-equal", "",
                        test_openssl_equal);
    qtest_add_data_func("/cryptodev-host/openssl-equal-workers",
                        ",inline-max=0", test_openssl_equal);
    qtest_add_data_func("/cryptodev-host/openssl-equal-inline",
                        ",inline-max=1M", test_openssl_equal);
    /* the guest's pages themselves against copies (patches/2050) */
    qtest_add_data_func("/cryptodev-host/sg-equal", "", test_sg_equal);
    qtest_add_data_func("/cryptodev-host/sg-equal-workers", ",inline-max=0",
                        test_sg_equal);
    qtest_add_data_func("/cryptodev-host/iothread/sg-equal", IOTHREAD,
                        test_sg_equal);
    return g_test_run();
}
