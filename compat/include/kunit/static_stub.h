/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Out-of-tree runs only, on kernels before 6.3, which have no KUnit static
 * stubs: the tree's own include/kunit/static_stub.h is found first
 * wherever it exists. A case that would redirect a function skips.
 */
#ifndef _MM_ALLOC_COMPAT_STATIC_STUB_H
#define _MM_ALLOC_COMPAT_STATIC_STUB_H

#include <kunit/test.h>

#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...) do {} while (0)

#define kunit_activate_static_stub(test, real_fn_addr, replacement_addr) \
	kunit_skip(test, "KUnit static stubs arrived in 6.3")

#endif
