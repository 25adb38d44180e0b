# SPDX-License-Identifier: GPL-2.0
"""The architectures a run can target, as data: one record each in
tools/allockunit/arches/<name>.py, the way kunit_tool keeps
tools/testing/kunit/qemu_configs/. The command line's choices, the package
list, the kunit.py command, the configuration and the regression headers
all read these records; adding an architecture is adding a file.
"""

import dataclasses
import importlib.util
import os

from . import UserError

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'arches')


@dataclasses.dataclass(frozen=True)
class Arch:
    name: str                   # ARCH=, and kunit.py's --arch
    tree: str                   # its folder under arch/ in a kernel tree
    header: str                 # its name in a patch's "Visible:" header
    order: int = 50             # place in lists; um first
    packages: tuple = ()        # Debian packages beyond deps.BASE_PACKAGES
    cross_compile: str = ''     # CROSS_COMPILE= prefix; '' builds natively
    kconfig: tuple = ()         # options every run on it adds
    pages: tuple = ()           # ((PAGES= value, Kconfig line), ...)
    qemu_memory_mb: int = 0     # QEMU's -m; 0 for UML (no QEMU)
    # A bug a test on UML can see, a test here sees too ("Visible: UML").
    sees_uml_bugs: bool = False

    def page_options(self):
        return dict(self.pages)


def _load(path):
    spec = importlib.util.spec_from_file_location(
        'allockunit_arch_' + os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    arch = getattr(module, 'ARCH', None)
    if not isinstance(arch, Arch):
        raise UserError('%s defines no ARCH = Arch(...)' % path)
    return arch


def records(folder=None):
    """{name: Arch} of every record in the folder, in their order."""
    folder = folder or FOLDER
    found = [_load(os.path.join(folder, n)) for n in sorted(
        os.listdir(folder)) if n.endswith('.py') and not n.startswith('_')]
    return {a.name: a for a in sorted(found, key=lambda a: (a.order,
                                                             a.name))}


def names():
    return tuple(records())


def get(name):
    """The record for ARCH=name, or a UserError naming the choices."""
    known = records()
    if name not in known:
        raise UserError('ARCH=%s is not supported; choose one of: %s'
                        % (name, ', '.join(known)))
    return known[name]
