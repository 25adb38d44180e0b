# SPDX-License-Identifier: GPL-2.0
"""Debian packages the pipeline needs, and installing the missing ones."""

import os
import subprocess

from . import UserError
from . import archs

# What building and running a KUnit kernel needs, whatever the tree.
BASE_PACKAGES = ['gcc', 'libc6-dev', 'make', 'flex', 'bison', 'bc',
                 'ccache', 'python3', 'xz-utils', 'perl']
# What each architecture adds. UML runs as a host process; x86_64 runs
# under QEMU, and its build needs libelf (objtool, for the ORC unwinder)
# and may need OpenSSL headers and pkg-config for its host tools.
# What the tool tests run for real, each with the package that brings it:
# the source tests unpack a .tar.xz through `tar -xJ` (xz), the bench tests
# draw the plot (gnuplot), the runner tests build a fake tree (make), the
# regression tests apply patches (patch), the bisect tests make a git
# history (git), the userspace tests pack an initramfs around busybox and
# list it with cpio. `make test` installs them before the tool tests start.
TOOL_TEST_PROGRAMS = {'xz': 'xz-utils', 'gnuplot': 'gnuplot-nox',
                      'make': 'make', 'patch': 'patch', 'git': 'git',
                      'cpio': 'cpio', 'busybox': 'busybox-static',
                      'perl': 'perl', 'gcc': 'gcc'}


def source_package(kernel):
    """Debian's source package for a kernel series, e.g. linux-source-6.12."""
    return 'linux-source-' + kernel


def needed(arch, kernel=None):
    """Packages for one run; kernel is None when the user names a tree."""
    pkgs = BASE_PACKAGES + list(archs.get(arch).packages)
    if kernel:
        pkgs = pkgs + [source_package(kernel)]
    return pkgs


def installed_version(pkg):
    """The installed version of pkg, or None when it is not installed."""
    try:
        out = subprocess.run(
            ['dpkg-query', '-W', '-f=${Status}\t${Version}', pkg],
            capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        raise UserError('dpkg-query not found: this tool needs a Debian '
                        'system (or install the packages by hand)') from None
    status, _, version = out.partition('\t')
    if status.endswith(' installed') and version:
        return version
    return None


def missing(pkgs):
    return [p for p in pkgs if installed_version(p) is None]


def install_line(pkgs):
    return 'apt-get install -y --no-install-recommends ' + ' '.join(pkgs)


def ensure(pkgs, log=print, is_root=None, run=subprocess.run):
    """Install what is missing; when not root, say the exact command."""
    absent = missing(pkgs)
    if not absent:
        return
    if is_root is None:
        is_root = os.geteuid() == 0
    if not is_root:
        raise UserError('missing packages: %s; run as root: %s'
                        % (' '.join(absent), install_line(absent)))
    log('installing missing packages: ' + ' '.join(absent))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    cmd = install_line(absent).split()
    if run(cmd, env=env, check=False).returncode != 0:
        # A fresh machine may have no package lists yet.
        log('apt-get install failed; updating the package lists and retrying')
        run(['apt-get', 'update'], env=env, check=False)
        if run(cmd, env=env, check=False).returncode != 0:
            raise UserError('could not install: ' + ' '.join(absent))
