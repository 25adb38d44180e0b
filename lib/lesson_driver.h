/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lesson's two example modules (a 128-byte kmalloc buffer and a 1 MiB
 * vmalloc buffer, each checked and turned into -ENOMEM) as one driver-style
 * device whose setup and teardown a test can call.
 */
#ifndef _LESSON_DRIVER_H
#define _LESSON_DRIVER_H

#include <linux/sizes.h>
#include <linux/types.h>

#define LESSON_MSG_SIZE		128
#define LESSON_VBUF_SIZE	SZ_1M
#define LESSON_NR_STATS		16

/* The allocation sites of lesson_dev_setup(), in the order it allocates. */
enum lesson_site {
	LESSON_SITE_NONE,
	LESSON_SITE_MSG,	/* kmalloc() of the message buffer */
	LESSON_SITE_VBUF,	/* vmalloc() of the large buffer */
	LESSON_SITE_STATS,	/* kcalloc() of the statistics array */
	LESSON_NR_SITES,
};

struct lesson_dev {
	char *msg;
	char *vbuf;
	u32 *stats;
	/* The site whose allocation failed last, as a driver would log it. */
	enum lesson_site failed_site;
};

int lesson_dev_setup(struct lesson_dev *dev);
void lesson_dev_teardown(struct lesson_dev *dev);

#endif /* _LESSON_DRIVER_H */
