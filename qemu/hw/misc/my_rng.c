/*
 * my_rng: a seedable pseudo-random number generator on a PCI card.
 *
 * BAR0 is a 4 KiB MMIO window with two 32-bit registers: reading RNG
 * returns the next number of the C library's rand() sequence, writing
 * SEED restarts it as srand() would.  The specification is docs/my_rng.md
 * in the vdevkit repository.
 *
 * Copyright (c) 2026 vdevkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "hw/pci/pci_device.h"
#include "hw/misc/my_rng_gen.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "trace.h"

#define TYPE_MY_RNG "my_rng"
OBJECT_DECLARE_SIMPLE_TYPE(MyRngState, MY_RNG)

#define MY_RNG_DEVICE_ID    0xcafe
#define MY_RNG_REVISION     0x10
#define MY_RNG_BAR_SIZE     0x1000

#define MY_RNG_REG_RNG      0x0
#define MY_RNG_REG_SEED     0x4

struct MyRngState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    MyRngGen gen;
};

static uint64_t my_rng_read(void *opaque, hwaddr addr, unsigned size)
{
    MyRngState *s = opaque;
    uint32_t val;

    if (addr != MY_RNG_REG_RNG || size != 4) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: bad read of %u bytes at 0x%" HWADDR_PRIx "\n",
                      __func__, size, addr);
        return 0;
    }
    val = my_rng_gen_next(&s->gen);
    trace_my_rng_read(val);
    return val;
}

static void my_rng_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    MyRngState *s = opaque;

    if (addr != MY_RNG_REG_SEED || size != 4) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: bad write of %u bytes at 0x%" HWADDR_PRIx
                      " (value 0x%" PRIx64 ")\n", __func__, size, addr, val);
        return;
    }
    trace_my_rng_seed(val);
    my_rng_gen_seed(&s->gen, val);
}

static const MemoryRegionOps my_rng_mmio_ops = {
    .read = my_rng_read,
    .write = my_rng_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /*
     * Let every size and alignment reach the handlers so that each bad
     * access is logged and answered the same way (reads 0, writes dropped)
     * instead of being split or widened by the memory core.
     */
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

static void my_rng_realize(PCIDevice *pdev, Error **errp)
{
    MyRngState *s = MY_RNG(pdev);

    memory_region_init_io(&s->mmio, OBJECT(s), &my_rng_mmio_ops, s,
                          "my_rng-mmio", MY_RNG_BAR_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
    /* Until the guest seeds it, behave like rand() without srand(). */
    my_rng_gen_seed(&s->gen, 1);
}

static void my_rng_reset_hold(Object *obj, ResetType type)
{
    MyRngState *s = MY_RNG(obj);

    my_rng_gen_seed(&s->gen, 1);
}

static int my_rng_post_load(void *opaque, int version_id)
{
    MyRngState *s = opaque;

    /* The indices come from the stream: never trust them blindly. */
    return my_rng_gen_valid(&s->gen) ? 0 : -EINVAL;
}

static const VMStateDescription vmstate_my_rng = {
    .name = TYPE_MY_RNG,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = my_rng_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, MyRngState),
        VMSTATE_UINT32_ARRAY(gen.r, MyRngState, MY_RNG_GEN_DEG),
        VMSTATE_UINT32(gen.front, MyRngState),
        VMSTATE_UINT32(gen.rear, MyRngState),
        VMSTATE_END_OF_LIST()
    }
};

static void my_rng_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = my_rng_realize;
    k->vendor_id = PCI_VENDOR_ID_QEMU;
    k->device_id = MY_RNG_DEVICE_ID;
    k->revision = MY_RNG_REVISION;
    /*
     * QEMU's PCI_CLASS_OTHERS (0xff) as class_id puts base class 0x00,
     * subclass 0xff into the class register (lspci: "Unclassified device
     * [00ff]"), as the course lab's model and QEMU's virtio devices do.
     */
    k->class_id = PCI_CLASS_OTHERS;
    rc->phases.hold = my_rng_reset_hold;
    dc->vmsd = &vmstate_my_rng;
    dc->desc = "Seedable PRNG (C library rand() sequence)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo my_rng_types[] = {
    {
        .name = TYPE_MY_RNG,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(MyRngState),
        .class_init = my_rng_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(my_rng_types)
