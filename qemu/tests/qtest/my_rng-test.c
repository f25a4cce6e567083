/*
 * QTest for the my_rng PCI device: register contract, the C library
 * sequence, per-instance state, reset, migration and every bad access.
 *
 * Copyright (c) 2026 vdevkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <glib/gstdio.h>
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "hw/misc/my_rng_gen.h"

#define RNG     0x0
#define SEED    0x4

/* The spec's table: srand(0x42) then five rand(). */
static const uint32_t seed42[] = {
    286129175, 1594929109, 971802288, 222134722, 1335014133
};

typedef struct Card {
    QPCIDevice *dev;
    QPCIBar bar;
} Card;

typedef struct Machine {
    QTestState *qts;
    QPCIBus *bus;
    Card card[2];
} Machine;

static void card_map(Machine *m, int i)
{
    Card *c = &m->card[i];

    g_free(c->dev);
    c->dev = qpci_device_find(m->bus, QPCI_DEVFN(4 + i, 0));
    g_assert(c->dev);
    qpci_device_enable(c->dev);
    c->bar = qpci_iomap(c->dev, 0, NULL);
}

static void machine_start(Machine *m, int ncards, const char *extra)
{
    g_autoptr(GString) args = g_string_new("-nodefaults");
    int i;

    for (i = 0; i < ncards; i++) {
        g_string_append_printf(args, " -device my_rng,addr=%02x.0", 4 + i);
    }
    if (extra) {
        g_string_append_printf(args, " %s", extra);
    }
    memset(m, 0, sizeof(*m));
    m->qts = qtest_init(args->str);
    m->bus = qpci_new_pc(m->qts, NULL);
    for (i = 0; i < ncards; i++) {
        card_map(m, i);
    }
}

static void machine_stop(Machine *m)
{
    int i;

    for (i = 0; i < 2; i++) {
        g_free(m->card[i].dev);
    }
    qpci_free_pc(m->bus);
    qtest_quit(m->qts);
}

static uint32_t rng(Card *c)
{
    return qpci_io_readl(c->dev, c->bar, RNG);
}

static void seed(Card *c, uint32_t s)
{
    qpci_io_writel(c->dev, c->bar, SEED, s);
}

static void test_ids(void)
{
    Machine m;
    QPCIDevice *d;

    machine_start(&m, 1, NULL);
    d = m.card[0].dev;
    g_assert_cmphex(qpci_config_readw(d, PCI_VENDOR_ID), ==, 0x1234);
    g_assert_cmphex(qpci_config_readw(d, PCI_DEVICE_ID), ==, 0xcafe);
    g_assert_cmphex(qpci_config_readb(d, PCI_REVISION_ID), ==, 0x10);
    /* Base class 0x00, subclass 0xff, programming interface 0. */
    g_assert_cmphex(qpci_config_readw(d, PCI_CLASS_DEVICE), ==, 0x00ff);
    g_assert_cmphex(qpci_config_readb(d, PCI_CLASS_PROG), ==, 0x00);
    machine_stop(&m);
}

static void test_seed_table(void)
{
    Machine m;
    int round, i;

    machine_start(&m, 1, NULL);
    for (round = 0; round < 2; round++) {
        seed(&m.card[0], 0x42);
        for (i = 0; i < ARRAY_SIZE(seed42); i++) {
            g_assert_cmpuint(rng(&m.card[0]), ==, seed42[i]);
        }
    }
    machine_stop(&m);
}

static void test_long_stream(void)
{
    static const uint32_t seeds[] = { 0, 1, 0x42, 0x7fffffff, 0x80000000,
                                      0xffffffff };
    Machine m;
    MyRngGen ref;
    int s, i;

    machine_start(&m, 1, NULL);
    for (s = 0; s < ARRAY_SIZE(seeds); s++) {
        seed(&m.card[0], seeds[s]);
        my_rng_gen_seed(&ref, seeds[s]);
        for (i = 0; i < 1000; i++) {
            g_assert_cmpuint(rng(&m.card[0]), ==, my_rng_gen_next(&ref));
        }
    }
    machine_stop(&m);
}

static void test_power_on(void)
{
    Machine m;

    machine_start(&m, 1, NULL);
    /* rand() without srand(): the same as srand(1). */
    g_assert_cmpuint(rng(&m.card[0]), ==, 1804289383);
    g_assert_cmpuint(rng(&m.card[0]), ==, 846930886);
    machine_stop(&m);
}

static void test_two_cards(void)
{
    Machine m;
    MyRngGen ref;
    uint32_t b[ARRAY_SIZE(seed42)];
    int i;

    machine_start(&m, 2, NULL);
    seed(&m.card[0], 0x42);
    seed(&m.card[1], 7);
    my_rng_gen_seed(&ref, 7);
    /* Interleave: a read on one card must not advance the other. */
    for (i = 0; i < ARRAY_SIZE(seed42); i++) {
        g_assert_cmpuint(rng(&m.card[0]), ==, seed42[i]);
        b[i] = rng(&m.card[1]);
        g_assert_cmpuint(b[i], ==, my_rng_gen_next(&ref));
    }
    g_assert_cmpuint(b[0], !=, seed42[0]);
    machine_stop(&m);
}

static void test_reset(void)
{
    Machine m;

    machine_start(&m, 1, NULL);
    seed(&m.card[0], 0x42);
    g_assert_cmpuint(rng(&m.card[0]), ==, seed42[0]);
    qtest_system_reset(m.qts);
    /* Reset cleared the BAR too: map it again. */
    card_map(&m, 0);
    g_assert_cmpuint(rng(&m.card[0]), ==, 1804289383);
    machine_stop(&m);
}

static int count_lines(const char *text, const char *what)
{
    g_auto(GStrv) parts = g_strsplit(text, what, -1);

    return g_strv_length(parts) - 1;
}

static void test_bad_access(void)
{
    g_autofree char *log = NULL;
    g_autofree char *text = NULL;
    g_autofree char *args = NULL;
    Machine m;
    Card *c;
    int fd;

    fd = g_file_open_tmp("my_rng-test-XXXXXX.log", &log, NULL);
    g_assert(fd >= 0);
    close(fd);
    args = g_strdup_printf("-d guest_errors -D %s", log);
    machine_start(&m, 1, args);
    c = &m.card[0];
    seed(c, 0x42);

    /* Reads that are not a 4-byte read of RNG give 0 and do not advance. */
    g_assert_cmpuint(qpci_io_readl(c->dev, c->bar, SEED), ==, 0);
    g_assert_cmpuint(qpci_io_readb(c->dev, c->bar, RNG), ==, 0);
    g_assert_cmpuint(qpci_io_readw(c->dev, c->bar, RNG), ==, 0);
    g_assert_cmpuint(qpci_io_readq(c->dev, c->bar, RNG), ==, 0);
    g_assert_cmpuint(qpci_io_readl(c->dev, c->bar, 0x2), ==, 0);
    g_assert_cmpuint(qpci_io_readl(c->dev, c->bar, 0x8), ==, 0);
    g_assert_cmpuint(qpci_io_readl(c->dev, c->bar, 0xffc), ==, 0);
    g_assert_cmpuint(rng(c), ==, seed42[0]);

    /* Writes that are not a 4-byte write of SEED are dropped. */
    qpci_io_writel(c->dev, c->bar, RNG, 0x42);
    qpci_io_writeb(c->dev, c->bar, SEED, 0x42);
    qpci_io_writew(c->dev, c->bar, SEED, 0x42);
    qpci_io_writeq(c->dev, c->bar, SEED, 0x42);
    qpci_io_writel(c->dev, c->bar, 0x5, 0x42);
    qpci_io_writel(c->dev, c->bar, 0x8, 0x42);
    qpci_io_writel(c->dev, c->bar, 0xffc, 0x42);
    g_assert_cmpuint(rng(c), ==, seed42[1]);
    machine_stop(&m);

    /* Each of the fourteen bad accesses was logged as a guest error. */
    g_assert(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_cmpint(count_lines(text, "my_rng_read: bad"), ==, 7);
    g_assert_cmpint(count_lines(text, "my_rng_write: bad"), ==, 7);
    g_unlink(log);
}

static void wait_migration(QTestState *qts)
{
    const char *status;
    QDict *rsp;
    int tries = 0;

    do {
        g_assert_cmpint(tries++, <, 1000);
        rsp = qtest_qmp_assert_success_ref(qts, "{'execute': 'query-migrate'}");
        status = qdict_get_try_str(rsp, "status");
        if (status && !strcmp(status, "completed")) {
            qobject_unref(rsp);
            return;
        }
        g_assert(!status || strcmp(status, "failed"));
        qobject_unref(rsp);
        g_usleep(10000);
    } while (1);
}

static void test_migrate(void)
{
    g_autofree char *file = NULL;
    g_autofree char *args = NULL;
    g_autofree char *uri = NULL;
    Machine src, dst;
    int fd;

    fd = g_file_open_tmp("my_rng-test-XXXXXX.mig", &file, NULL);
    g_assert(fd >= 0);
    close(fd);

    machine_start(&src, 1, NULL);
    seed(&src.card[0], 0x42);
    g_assert_cmpuint(rng(&src.card[0]), ==, seed42[0]);
    g_assert_cmpuint(rng(&src.card[0]), ==, seed42[1]);
    uri = g_strdup_printf("file:%s", file);
    qtest_qmp_assert_success(src.qts,
                             "{'execute': 'migrate', 'arguments': {'uri': %s}}",
                             uri);
    wait_migration(src.qts);
    machine_stop(&src);

    /* The destination goes on with the third number of the stream. */
    args = g_strdup_printf("-incoming file:%s", file);
    machine_start(&dst, 1, args);
    g_assert_cmpuint(rng(&dst.card[0]), ==, seed42[2]);
    g_assert_cmpuint(rng(&dst.card[0]), ==, seed42[3]);
    machine_stop(&dst);
    g_unlink(file);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/my_rng/ids", test_ids);
    qtest_add_func("/my_rng/seed-table", test_seed_table);
    qtest_add_func("/my_rng/long-stream", test_long_stream);
    qtest_add_func("/my_rng/power-on", test_power_on);
    qtest_add_func("/my_rng/two-cards", test_two_cards);
    qtest_add_func("/my_rng/reset", test_reset);
    qtest_add_func("/my_rng/bad-access", test_bad_access);
    qtest_add_func("/my_rng/migrate", test_migrate);
    return g_test_run();
}
