# SPDX-License-Identifier: GPL-2.0
"""x86_64 under QEMU."""

from allockunit.archs import Arch

# What kunit.py's x86_64 config builds that no suite here needs: ACPI
# alone is 207 objects. Several are prompts only with EXPERT (VT, INPUT,
# IO_URING, X86_16BIT); EXPERT changes no default by itself. KASLR off
# also makes physical addresses the same from one boot to the next.
X86_TRIM = ('CONFIG_EXPERT=y',) + tuple('CONFIG_%s=n' % name for name in (
    'ACPI', 'PNP', 'VT', 'INPUT', 'SERIO', 'HID', 'IO_URING',
    'SUSPEND', 'HIBERNATION', 'CPU_IDLE', 'THERMAL', 'HWMON',
    'USB_SUPPORT', 'X86_MCE', 'CPU_MITIGATIONS', 'RANDOMIZE_BASE',
    'X86_16BIT', 'DMI'))

ARCH = Arch(
    name='x86_64', tree='x86', header='x86_64', order=1,
    packages=('qemu-system-x86', 'libelf-dev', 'libssl-dev', 'pkg-config'),
    kconfig=X86_TRIM,
    # kunit.py boots QEMU with -m 1024; a later -m wins. More than 4 GiB:
    # memory both below and above 4 GiB (ZONE_DMA32 and ZONE_NORMAL), so
    # GFP_DMA32 has something to refuse, and more than 2 GiB lets
    # kvmalloc's INT_MAX limit be seen before vmalloc's own check against
    # totalram_pages().
    qemu_memory_mb=5120, sees_uml_bugs=True)
