/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the cryptodev-backend-host qtests share: starting QEMU with the
 * device, the algorithm table's row type, random fill and the OpenSSL
 * reference.  Each test is one executable, so these are static.
 */

#ifndef CRYPTODEV_HOST_QTEST_H
#define CRYPTODEV_HOST_QTEST_H

#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/pci-pc.h"
#include "libqos/virtio-pci.h"

#include <openssl/evp.h>

#define DEV_SLOT        4

/*
 * QEMU with cryptodev-backend-host c0 (queues, then opts: ",name=value"
 * pairs) behind virtio-crypto-pci vc0 in slot DEV_SLOT; the device is
 * found but not set up.
 */
static inline QVirtioPCIDevice *crypto_pci_start(QTestState **qts,
                                                 QGuestAllocator *alloc,
                                                 QPCIBus **bus,
                                                 unsigned queues,
                                                 const char *opts)
{
    QPCIAddress addr = { .devfn = QPCI_DEVFN(DEV_SLOT, 0) };
    QVirtioPCIDevice *vpci;

    /* the +ds source has no firmware blobs: use the distribution's */
    *qts = qtest_initf("-machine pc -nodefaults -m 512M %s "
                       "-object cryptodev-backend-host,id=c0,queues=%u%s "
                       "-device virtio-crypto-pci,id=vc0,cryptodev=c0,"
                       "addr=%x.0",
                       g_file_test("/usr/share/seabios/bios-256k.bin",
                                   G_FILE_TEST_EXISTS) ?
                       "-L /usr/share/seabios" : "", queues, opts, DEV_SLOT);
    pc_alloc_init(alloc, *qts, 0);
    *bus = qpci_new_pc(*qts, alloc);
    vpci = virtio_pci_new(*bus, &addr);
    g_assert_nonnull(vpci);
    g_assert_cmpint(vpci->vdev.device_type, ==, 20 /* crypto */);
    return vpci;
}

/* The test's side of crypto_pci_start(), and QEMU. */
static inline void crypto_pci_free(QTestState *qts, QGuestAllocator *alloc,
                                   QPCIBus *bus, QVirtioPCIDevice *vpci)
{
    g_free(vpci->pdev);
    g_free(vpci);
    qpci_free_pc(bus);
    alloc_destroy(alloc);
    qtest_quit(qts);
}

typedef struct Alg {
    const char *name;           /* OpenSSL's */
    uint32_t virtio_alg;
    uint32_t key_len;
    uint32_t block;             /* length must be a multiple (1: stream) */
    uint32_t min_len;
    uint32_t iv_len;
} Alg;

static inline void fill_random(uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = g_test_rand_int_range(0, 256);
    }
}

/* The reference answer: a without padding, over len bytes. */
static inline void ossl_crypt(const Alg *a, bool encrypt, const uint8_t *key,
                              const uint8_t *iv, const uint8_t *src,
                              uint8_t *dst, uint32_t len)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, a->name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;

    g_assert_nonnull(c);
    g_assert_nonnull(ctx);
    g_assert_true(EVP_CipherInit_ex2(ctx, c, key, a->iv_len ? iv : NULL,
                                     encrypt, NULL));
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    g_assert_true(EVP_CipherUpdate(ctx, dst, &outl, src, len));
    g_assert_true(EVP_CipherFinal_ex(ctx, dst + outl, &finl));
    g_assert_cmpint(outl + finl, ==, len);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
}

#endif
