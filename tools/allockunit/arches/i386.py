# SPDX-License-Identifier: GPL-2.0
"""i386 under QEMU, with highmem in use; the host gcc builds it (-m32
needs no 32-bit libc)."""

from allockunit.archs import Arch

from allockunit.arches.x86_64 import X86_TRIM

ARCH = Arch(
    name='i386', tree='x86', header='i386', order=3,
    packages=('qemu-system-x86', 'libelf-dev', 'libssl-dev', 'pkg-config'),
    # HIGHMEM4G (x86's default, made explicit) and a 3 GiB machine leave
    # about 2 GiB above the 896 MiB linear map (VMSPLIT_3G), where vmalloc
    # takes its pages; 3 GiB is all i386 addresses without PAE.
    kconfig=X86_TRIM + ('CONFIG_HIGHMEM4G=y',),
    qemu_memory_mb=3072)
