// SPDX-License-Identifier: GPL-2.0
/*
 * Code under test for the alloc_failure suite: the lesson's driver
 * pattern, with the unwinding every real driver needs once it allocates
 * more than once. On failure, setup frees what it already allocated, in
 * reverse order, and returns -ENOMEM; the device is then empty.
 */

#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "lesson_driver.h"

int lesson_dev_setup(struct lesson_dev *dev)
{
	dev->failed_site = LESSON_SITE_NONE;

	dev->msg = kmalloc(LESSON_MSG_SIZE, GFP_KERNEL);
	if (!dev->msg) {
		dev->failed_site = LESSON_SITE_MSG;
		return -ENOMEM;
	}
	strscpy(dev->msg, "Memory allocated with kmalloc!", LESSON_MSG_SIZE);

	dev->vbuf = vmalloc(LESSON_VBUF_SIZE);
	if (!dev->vbuf) {
		dev->failed_site = LESSON_SITE_VBUF;
		goto free_msg;
	}
	strscpy(dev->vbuf, "Memory allocated with vmalloc!", LESSON_VBUF_SIZE);

	dev->stats = kcalloc(LESSON_NR_STATS, sizeof(*dev->stats), GFP_KERNEL);
	if (!dev->stats) {
		dev->failed_site = LESSON_SITE_STATS;
		goto free_vbuf;
	}
	dev->stats[0] = strlen(dev->msg) + strlen(dev->vbuf);
	return 0;

free_vbuf:
	vfree(dev->vbuf);
	dev->vbuf = NULL;
free_msg:
	kfree(dev->msg);
	dev->msg = NULL;
	return -ENOMEM;
}

void lesson_dev_teardown(struct lesson_dev *dev)
{
	kfree(dev->stats);
	vfree(dev->vbuf);
	kfree(dev->msg);
	dev->stats = NULL;
	dev->vbuf = NULL;
	dev->msg = NULL;
}
