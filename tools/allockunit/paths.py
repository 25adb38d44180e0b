# SPDX-License-Identifier: GPL-2.0
"""Where the project and its build folders are, and the lock that keeps
two runs out of one build folder. Small on purpose: every command needs
these, and nothing else of the runner."""

import errno
import fcntl
import os

from . import UserError

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def build_root():
    return os.environ.get('ALLOC_KUNIT_BUILD') or os.path.join(PROJECT,
                                                               'build')


class Target:
    """Where one (kernel tree, arch) pair lives under build/."""

    def __init__(self, kernel_id, arch, root=None, flavour='', variant=''):
        root = root or build_root()
        self.kernel_id, self.arch = kernel_id, arch
        self.name = '%s-%s%s' % (kernel_id, arch, variant)
        self.view = os.path.join(root, 'view', kernel_id)
        self.build_dir = os.path.join(root, 'kunit', self.name)
        self.results = os.path.join(root, 'results', self.name + flavour)
        self.bench = os.path.join(root, 'bench', self.name)
        self.lock_path = os.path.join(root, 'kunit', self.name + '.lock')


class Lock:
    """An exclusive, non-blocking lock on one build folder."""

    def __init__(self, path):
        self.path = path
        self.fd = None

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(self.fd, 64, 0).decode(errors='replace').strip()
            os.close(self.fd)
            raise UserError('another run is using %s (pid %s); wait for it '
                            'to finish' % (os.path.dirname(self.path) + '/' +
                                           os.path.basename(self.path)[:-5],
                                           holder or '?')) from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc):
        os.ftruncate(self.fd, 0)
        os.close(self.fd)
