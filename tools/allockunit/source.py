# SPDX-License-Identifier: GPL-2.0
"""Kernel source trees: checking a user's tree, unpacking Debian's."""

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import time

from . import UserError
from . import deps

# Debian source packages this project supports (KERNEL=...).
SUPPORTED_KERNELS = ('6.12', '6.1')
DEFAULT_KERNEL = '6.12'
# The oldest tree a user may name with KDIR: the suites target 6.1 on.
MIN_VERSION = (6, 1)


def tree_version(path):
    """(VERSION, PATCHLEVEL, SUBLEVEL) of a kernel tree, or raise UserError.

    A tree is a kernel tree when its top Makefile sets VERSION and it has
    the KUnit runner this project drives.
    """
    makefile = os.path.join(path, 'Makefile')
    if not os.path.isdir(path):
        raise UserError('KDIR=%s is not a directory' % path)
    try:
        with open(makefile, encoding='utf-8', errors='replace') as f:
            head = f.read(4096)
    except OSError:
        raise UserError('KDIR=%s is not a kernel tree (no Makefile)'
                        % path) from None
    fields = dict(re.findall(r'^(VERSION|PATCHLEVEL|SUBLEVEL)\s*=\s*(\d+)',
                             head, re.M))
    if 'VERSION' not in fields or 'PATCHLEVEL' not in fields:
        raise UserError('KDIR=%s is not a kernel tree (its Makefile sets '
                        'no VERSION/PATCHLEVEL)' % path)
    for need in ('tools/testing/kunit/kunit.py', 'lib/Kconfig.debug',
                 'lib/Makefile'):
        if not os.path.isfile(os.path.join(path, need)):
            raise UserError('KDIR=%s is not a kernel tree (no %s)'
                            % (path, need))
    version = (int(fields['VERSION']), int(fields['PATCHLEVEL']),
               int(fields.get('SUBLEVEL', 0)))
    if version[:2] < MIN_VERSION:
        raise UserError('KDIR=%s is Linux %d.%d; the suites need %d.%d or '
                        'later' % ((path,) + version[:2] + MIN_VERSION))
    return version


def check_kernel(kernel):
    if kernel not in SUPPORTED_KERNELS:
        raise UserError('KERNEL=%s is not supported; choose one of: %s'
                        % (kernel, ', '.join(SUPPORTED_KERNELS)))


def user_tree_id(path):
    """A stable name for a user's tree: its base name and a path hash."""
    path = os.path.abspath(path)
    digest = hashlib.sha1(path.encode()).hexdigest()[:8]
    name = re.sub(r'[^A-Za-z0-9._-]', '_', os.path.basename(path) or 'root')
    return 'kdir-%s-%s' % (name, digest)


def _safe(version):
    return re.sub(r'[^A-Za-z0-9.+-]', '_', version)


def cache_root():
    """Where Debian's trees are unpacked: shared by every clone."""
    return os.environ.get('ALLOC_KUNIT_SRC') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'),
        'alloc-kunit', 'src')


def debian_tree(kernel, src_root=None, log=print, usr_src='/usr/src'):
    """Unpack Debian's linux-source-<kernel> once, keyed by its version.

    The tree lands in <src_root>/linux-source-<kernel>_<version>/ (by
    default under ~/.cache, so a fresh clone finds it unpacked); a newer
    package version (a security update) gives a fresh tree and the older
    ones are removed. The unpack holds a lock, so two runs never unpack
    the same tree at once, and goes to a temporary folder renamed into
    place at the end, so an interrupted unpack is simply redone.
    """
    check_kernel(kernel)
    src_root = src_root or cache_root()
    pkg = deps.source_package(kernel)
    version = deps.installed_version(pkg)
    if version is None:
        raise UserError('%s is not installed' % pkg)
    tarball = os.path.join(usr_src, pkg + '.tar.xz')
    if not os.path.isfile(tarball):
        raise UserError('%s is installed but %s is missing; reinstall it: '
                        'apt-get install --reinstall %s' % (pkg, tarball, pkg))
    name = '%s_%s' % (pkg, _safe(version))
    dest = os.path.join(src_root, name)
    if os.path.isfile(os.path.join(dest, 'Makefile')):
        return dest
    os.makedirs(src_root, exist_ok=True)
    with open(dest + '.lock', 'w') as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log('waiting for another run to unpack %s' % name)
            fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.isfile(os.path.join(dest, 'Makefile')):
            _unpack(tarball, pkg, version, dest, log)
    for old in os.listdir(src_root):
        if old.startswith(pkg + '_') and not old.startswith(name):
            log('removing the older unpacked tree ' + old)
            path = os.path.join(src_root, old)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
    return dest


def _unpack(tarball, pkg, version, dest, log):
    tmp = dest + '.partial'
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    log('unpacking %s (%s) into %s' % (tarball, version, dest))
    unpack_with_progress(tarball, tmp, log)
    inner = os.path.join(tmp, pkg)
    if not os.path.isfile(os.path.join(inner, 'Makefile')):
        raise UserError('%s does not hold %s/Makefile' % (tarball, pkg))
    os.rename(inner, dest)
    shutil.rmtree(tmp, ignore_errors=True)


def unpack_with_progress(tarball, dest, log=print, step=10):
    """Feed the tarball to `tar -xJ`, reporting every `step` percent."""
    total = os.path.getsize(tarball) or 1
    start = time.monotonic()
    proc = subprocess.Popen(['tar', '-xJ', '-C', dest], stdin=subprocess.PIPE)
    done, shown = 0, 0
    try:
        with open(tarball, 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                proc.stdin.write(chunk)
                done += len(chunk)
                pct = done * 100 // total
                if pct >= shown + step:
                    shown = pct - pct % step
                    log('  unpacked %3d%% (%.0f s)'
                        % (shown, time.monotonic() - start))
        proc.stdin.close()
    except BrokenPipeError:
        pass
    finally:
        rc = proc.wait()
    if rc != 0:
        raise UserError('tar failed (status %d) unpacking %s' % (rc, tarball))
