# SPDX-License-Identifier: GPL-2.0
"""User-Mode Linux: the default, no emulator."""

from allockunit.archs import Arch

ARCH = Arch(
    name='um', tree='um', header='UML', order=0,
    # kunit.py's UML defaults (configs/arch_uml.config) enable virtio over
    # PCI, which WARNs at every boot ("No virtio device ID configured for
    # PCI") and taints the kernel before any case runs. No suite needs it.
    kconfig=('CONFIG_VIRTIO_UML=n', 'CONFIG_UML_PCI_OVER_VIRTIO=n'))
