# SPDX-License-Identifier: GPL-2.0
"""arm64 under QEMU, cross-compiled, with PAGES= picking the base page
size (arch/arm64/Kconfig, ARM64_*_PAGES)."""

from allockunit.archs import Arch

ARCH = Arch(
    name='arm64', tree='arm64', header='arm64', order=2,
    packages=('gcc-aarch64-linux-gnu', 'qemu-system-arm', 'libssl-dev',
              'pkg-config'),
    cross_compile='aarch64-linux-gnu-',
    pages=(('4k', 'CONFIG_ARM64_4K_PAGES=y'),
           ('16k', 'CONFIG_ARM64_16K_PAGES=y'),
           ('64k', 'CONFIG_ARM64_64K_PAGES=y')),
    qemu_memory_mb=5120)
