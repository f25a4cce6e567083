// SPDX-License-Identifier: GPL-2.0
/*
 * my_rng: driver for the my_rng PCI pseudo-random number generator.
 *
 * The card (1234:cafe) returns the C library's rand() sequence from a
 * 32-bit RNG register and restarts it when SEED is written.  Each card
 * gets a misc device /dev/my_rngN.
 *
 * Locking rule: every open file has its own view of the stream.  A file
 * that seeded always reads the documented sequence for its seed, whatever
 * other files do: the card's generator is "owned" by the last file that
 * seeded or read a seeded stream, and when another file took it over in
 * between, the driver reseeds the card and replays the numbers that file
 * had already read.  Files that never seeded share the card's stream.
 *
 * Numbers taken from the card but not copied to user space (the copy
 * faulted) stay in the file's buffer and are the first the file's next
 * read returns: a fault never loses part of a stream.
 *
 * This is a seedable PRNG, not an entropy source, so it is deliberately
 * not registered with the hwrng core.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/my_rng.h>

#define DRV_NAME	"my_rng"
#define MY_RNG_VENDOR_ID	0x1234
#define MY_RNG_DEVICE_ID	0xcafe

#define MY_RNG_REG_RNG	0x0
#define MY_RNG_REG_SEED	0x4
#define MY_RNG_RESET_SEED	1
#define MY_RNG_SELFTEST_SEED	0x42

/* Numbers fetched per lock hold: bounds latency for other users. */
#define MY_RNG_CHUNK	(PAGE_SIZE / sizeof(u32))

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "Print the seed 0x42 test sequence at probe");

static DEFINE_IDA(my_rng_ida);
static struct dentry *my_rng_debugfs;

struct my_rng_file;

struct my_rng {
	struct kref ref;
	struct mutex lock;		/* protects everything below */
	void __iomem *base;		/* NULL once the card is gone */
	struct my_rng_file *owner;	/* whose seeded stream the card holds */
	struct miscdevice misc;
	struct dentry *debugfs;
	u32 bench_count;
	int id;
	char name[24];
};

/*
 * Lock order: my_rng_file.lock, then my_rng.lock.  The file's lock is held
 * across copy_to_user() (a fault may sleep for long), the card's never.
 */
struct my_rng_file {
	struct my_rng *rng;
	struct mutex lock;		/* protects everything below */
	bool seeded;
	u32 seed;
	u64 pos;			/* numbers taken from the card since the seed */
	u32 *buf;			/* MY_RNG_CHUNK numbers */
	unsigned int head, tail;	/* buf[head..tail) not yet delivered */
};

static void my_rng_free(struct kref *ref)
{
	kfree(container_of(ref, struct my_rng, ref));
}

/* Caller holds rng->lock and has checked rng->base. */
static void my_rng_hw_seed(struct my_rng *rng, u32 seed)
{
	iowrite32(seed, rng->base + MY_RNG_REG_SEED);
}

static void my_rng_hw_read(struct my_rng *rng, u32 *buf, size_t n)
{
	ioread32_rep(rng->base + MY_RNG_REG_RNG, buf, n);
}

/*
 * Make the card's generator continue this file's seeded stream.  Called
 * with rng->lock held.
 */
static int my_rng_restore(struct my_rng *rng, struct my_rng_file *f, u32 *buf)
{
	u64 left = f->pos;

	rng->owner = NULL;
	my_rng_hw_seed(rng, f->seed);
	while (left) {
		size_t n = min_t(u64, left, MY_RNG_CHUNK);

		if (signal_pending(current))
			return -ERESTARTSYS;
		my_rng_hw_read(rng, buf, n);
		left -= n;
	}
	rng->owner = f;
	return 0;
}

/*
 * Fill the file's empty buffer with up to @want numbers of its stream.
 * Called with f->lock held.
 */
static int my_rng_fill(struct my_rng_file *f, size_t want)
{
	struct my_rng *rng = f->rng;
	size_t n = min_t(size_t, want, MY_RNG_CHUNK);
	int ret = 0;

	if (mutex_lock_interruptible(&rng->lock))
		return -ERESTARTSYS;
	if (!rng->base) {
		ret = -ENODEV;
		goto out;
	}
	if (f->seeded && rng->owner != f) {
		ret = my_rng_restore(rng, f, f->buf);
		if (ret)
			goto out;
	} else if (!f->seeded) {
		/* A seeded stream loses its place to this reader. */
		rng->owner = NULL;
	}
	my_rng_hw_read(rng, f->buf, n);
	if (f->seeded)
		f->pos += n;
	f->head = 0;
	f->tail = n;
out:
	mutex_unlock(&rng->lock);
	return ret;
}

/*
 * Only whole numbers count as delivered: after a fault the return value
 * is the bytes of the numbers copied whole (EFAULT if none), and the rest,
 * a number copied in part included, comes first in the next read.
 */
static ssize_t my_rng_read(struct file *file, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	struct my_rng_file *f = file->private_data;
	size_t done = 0;
	int ret = 0;

	if (len % sizeof(u32))
		return -EINVAL;

	while (done < len) {
		size_t want = (len - done) / sizeof(u32), n, left;

		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (mutex_lock_interruptible(&f->lock)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (f->head == f->tail) {
			ret = my_rng_fill(f, want);
			if (ret) {
				mutex_unlock(&f->lock);
				break;
			}
		}
		n = min_t(size_t, want, f->tail - f->head);
		left = copy_to_user(ubuf + done, f->buf + f->head,
				    n * sizeof(u32));
		n -= DIV_ROUND_UP(left, sizeof(u32));
		f->head += n;
		done += n * sizeof(u32);
		mutex_unlock(&f->lock);
		if (left) {
			ret = -EFAULT;
			break;
		}
		cond_resched();
	}
	return done ? done : ret;
}

static int my_rng_set_seed(struct my_rng_file *f, u32 seed)
{
	struct my_rng *rng = f->rng;
	int ret = 0;

	if (mutex_lock_interruptible(&f->lock))
		return -ERESTARTSYS;
	if (mutex_lock_interruptible(&rng->lock)) {
		mutex_unlock(&f->lock);
		return -ERESTARTSYS;
	}
	if (rng->base) {
		f->seeded = true;
		f->seed = seed;
		f->pos = 0;
		/* Numbers of the old stream not yet delivered are dropped. */
		f->head = 0;
		f->tail = 0;
		my_rng_hw_seed(rng, seed);
		rng->owner = f;
	} else {
		ret = -ENODEV;
	}
	mutex_unlock(&rng->lock);
	mutex_unlock(&f->lock);
	return ret;
}

static ssize_t my_rng_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	u32 seed;
	int ret;

	if (len != sizeof(seed))
		return -EINVAL;
	if (copy_from_user(&seed, ubuf, sizeof(seed)))
		return -EFAULT;
	ret = my_rng_set_seed(file->private_data, seed);
	return ret ? ret : sizeof(seed);
}

static long my_rng_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	u32 seed;

	switch (cmd) {
	case MY_RNG_IOC_SEED:
		if (get_user(seed, (u32 __user *)arg))
			return -EFAULT;
		return my_rng_set_seed(file->private_data, seed);
	default:
		return -ENOTTY;
	}
}

static int my_rng_open(struct inode *inode, struct file *file)
{
	/* misc_open() set private_data and holds misc_mtx, so rng is live. */
	struct my_rng *rng = container_of(file->private_data, struct my_rng,
					  misc);
	struct my_rng_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->buf = kmalloc_array(MY_RNG_CHUNK, sizeof(u32), GFP_KERNEL);
	if (!f->buf) {
		kfree(f);
		return -ENOMEM;
	}
	mutex_init(&f->lock);
	kref_get(&rng->ref);
	f->rng = rng;
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int my_rng_release(struct inode *inode, struct file *file)
{
	struct my_rng_file *f = file->private_data;
	struct my_rng *rng = f->rng;

	mutex_lock(&rng->lock);
	if (rng->owner == f)
		rng->owner = NULL;
	mutex_unlock(&rng->lock);
	mutex_destroy(&f->lock);
	kfree(f->buf);
	kfree(f);
	kref_put(&rng->ref, my_rng_free);
	return 0;
}

static const struct file_operations my_rng_fops = {
	.owner = THIS_MODULE,
	.open = my_rng_open,
	.release = my_rng_release,
	.read = my_rng_read,
	.write = my_rng_write,
	.unlocked_ioctl = my_rng_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * Benchmark reference: the raw MMIO rate of this card from kernel space,
 * read from debugfs as "<count> <nanoseconds>".
 */
static ssize_t my_rng_bench_read(struct file *file, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	struct my_rng *rng = file->private_data;
	char out[48];
	u64 start, ns;
	u32 i;
	int n;

	if (*ppos)
		return 0;
	if (mutex_lock_interruptible(&rng->lock))
		return -ERESTARTSYS;
	if (!rng->base) {
		mutex_unlock(&rng->lock);
		return -ENODEV;
	}
	rng->owner = NULL;
	start = ktime_get_ns();
	for (i = 0; i < rng->bench_count; i++)
		readl(rng->base + MY_RNG_REG_RNG);
	ns = ktime_get_ns() - start;
	mutex_unlock(&rng->lock);
	n = scnprintf(out, sizeof(out), "%u %llu\n", rng->bench_count, ns);
	return simple_read_from_buffer(ubuf, len, ppos, out, n);
}

static const struct file_operations my_rng_bench_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = my_rng_bench_read,
	.llseek = default_llseek,
};

static void my_rng_selftest(struct my_rng *rng, struct device *dev)
{
	int round, i;

	dev_info(dev, "BEGIN MY-RNG TEST\n");
	for (round = 0; round < 2; round++) {
		my_rng_hw_seed(rng, MY_RNG_SELFTEST_SEED);
		for (i = 0; i < 5; i++)
			dev_info(dev, "Round %d number %d: %u\n", round, i,
				 ioread32(rng->base + MY_RNG_REG_RNG));
	}
	dev_info(dev, "END MY-RNG TEST\n");
}

static int my_rng_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct my_rng *rng;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable device\n");

	rng = kzalloc(sizeof(*rng), GFP_KERNEL);
	if (!rng)
		return -ENOMEM;
	kref_init(&rng->ref);
	mutex_init(&rng->lock);
	rng->bench_count = 1000000;

	rng->base = pcim_iomap_region(pdev, 0, DRV_NAME);
	if (IS_ERR(rng->base)) {
		ret = dev_err_probe(dev, PTR_ERR(rng->base), "cannot map BAR0\n");
		goto err_free;
	}
	if (pci_resource_len(pdev, 0) < 8) {
		ret = dev_err_probe(dev, -ENODEV, "BAR0 too small\n");
		goto err_free;
	}

	if (selftest)
		my_rng_selftest(rng, dev);
	/* Start every card, tested or not, as rand() without srand(). */
	my_rng_hw_seed(rng, MY_RNG_RESET_SEED);

	rng->id = ida_alloc(&my_rng_ida, GFP_KERNEL);
	if (rng->id < 0) {
		ret = rng->id;
		goto err_free;
	}
	snprintf(rng->name, sizeof(rng->name), DRV_NAME "%d", rng->id);
	rng->misc.minor = MISC_DYNAMIC_MINOR;
	rng->misc.name = rng->name;
	rng->misc.fops = &my_rng_fops;
	rng->misc.parent = dev;
	rng->misc.mode = 0666;
	pci_set_drvdata(pdev, rng);

	ret = misc_register(&rng->misc);
	if (ret) {
		dev_err(dev, "cannot register %s: %d\n", rng->name, ret);
		goto err_ida;
	}
	rng->debugfs = debugfs_create_dir(rng->name, my_rng_debugfs);
	debugfs_create_u32("mmio_bench_count", 0600, rng->debugfs,
			   &rng->bench_count);
	debugfs_create_file("mmio_bench", 0400, rng->debugfs, rng,
			    &my_rng_bench_fops);
	dev_info(dev, "/dev/%s ready\n", rng->name);
	return 0;

err_ida:
	ida_free(&my_rng_ida, rng->id);
err_free:
	kref_put(&rng->ref, my_rng_free);
	return ret;
}

static void my_rng_remove(struct pci_dev *pdev)
{
	struct my_rng *rng = pci_get_drvdata(pdev);

	/*
	 * The mapping goes away with the managed resources after we return:
	 * cut open files off it first.  They see -ENODEV from now on, also
	 * a process that saw the node vanish and then calls read: the node
	 * goes only after this.
	 */
	mutex_lock(&rng->lock);
	rng->base = NULL;
	rng->owner = NULL;
	mutex_unlock(&rng->lock);
	debugfs_remove_recursive(rng->debugfs);
	misc_deregister(&rng->misc);
	ida_free(&my_rng_ida, rng->id);
	kref_put(&rng->ref, my_rng_free);
}

static const struct pci_device_id my_rng_ids[] = {
	{ PCI_DEVICE(MY_RNG_VENDOR_ID, MY_RNG_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, my_rng_ids);

static struct pci_driver my_rng_driver = {
	.name = DRV_NAME,
	.id_table = my_rng_ids,
	.probe = my_rng_probe,
	.remove = my_rng_remove,
};

static int __init my_rng_init(void)
{
	int ret;

	my_rng_debugfs = debugfs_create_dir(DRV_NAME, NULL);
	ret = pci_register_driver(&my_rng_driver);
	if (ret)
		debugfs_remove_recursive(my_rng_debugfs);
	return ret;
}
module_init(my_rng_init);

static void __exit my_rng_exit(void)
{
	pci_unregister_driver(&my_rng_driver);
	debugfs_remove_recursive(my_rng_debugfs);
	ida_destroy(&my_rng_ida);
}
module_exit(my_rng_exit);

MODULE_DESCRIPTION("my_rng PCI pseudo-random number generator");
MODULE_AUTHOR("vdevkit authors");
MODULE_LICENSE("GPL");
