# SPDX-License-Identifier: GPL-2.0
"""Configuration profiles: PROFILE=kasan, debug, hardened, kfence, kmemleak.

A profile is a Kconfig fragment in configs/<name>.config, added to
.kunitconfig as kunit.py --kconfig_add options (so kunit.py itself checks
that each one survived olddefconfig). Two kinds of line are left out:

  - a line under a `# arch: <arch> ...` comment, on any other arch: the
    option depends on something that arch lacks (KFENCE on UML, say);
  - an option the kernel tree does not define (SLAB_BUCKETS before 6.11).

Both are said, so a run never differs silently from what was asked. The
first option of a fragment is what the profile is for: when it is left
out, the profile cannot run on that arch or kernel, and that is an error.
A `# boot: <args>` comment adds kernel command-line arguments; a
`# timeout: <seconds>` comment raises TIMEOUT to at least that (debug
options make a run several times slower); a `# userspace: <job>` comment
boots the kernel with a small userspace that does the job after the
built-in suites (userspace.py: load-modules, kmemleak-scan); a
`# make: VAR=value` comment adds a make variable to every build of the
profile (kunit.py's --make_options and the runner's own rebuilds).
"""

import os
import re

from . import UserError
from . import paths

PROJECT = paths.PROJECT
CONFIGS = os.path.join(PROJECT, 'configs')
DEFAULT = 'default'

_OPTION = re.compile(r'^(CONFIG_(\w+))=(\S+)$')
_ARCH = re.compile(r'^#\s*arch:\s*(.+)$')
_BOOT = re.compile(r'^#\s*boot:\s*(.+)$')
_TIMEOUT = re.compile(r'^#\s*timeout:\s*(\d+)\s*$')
_USERSPACE = re.compile(r'^#\s*userspace:\s*(\S+)\s*$')
_MAKE = re.compile(r'^#\s*make:\s*(\S+=\S*)\s*$')
_CONFIG = re.compile(r'^\s*(?:menu)?config\s+(\w+)\s*$', re.M)


def names(configs=CONFIGS):
    found = sorted(f[:-len('.config')] for f in os.listdir(configs)
                   if f.endswith('.config'))
    return [DEFAULT] + found


def parse(text):
    """[(option line, symbol, arches or None)] in the fragment's order."""
    out, arches = [], None
    for raw in text.splitlines():
        line = raw.strip()
        m = _ARCH.match(line)
        if m:
            arches = tuple(m.group(1).split())
            continue
        m = _OPTION.match(line)
        if m:
            out.append((line, m.group(2), arches))
            arches = None
    return out


def boot_args(name, configs=CONFIGS):
    """The kernel arguments profile `name` adds (its `# boot:` lines)."""
    if name in ('', DEFAULT):
        return []
    path = os.path.join(configs, name + '.config')
    if not os.path.isfile(path):
        return []
    args = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = _BOOT.match(line.strip())
            if m:
                args += m.group(1).split()
    return args


def userspace_job(name, configs=CONFIGS):
    """The userspace job of profile `name` (its `# userspace:` line), or
    None."""
    path = os.path.join(configs, (name or DEFAULT) + '.config')
    if not os.path.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        found = [m.group(1) for m in map(_USERSPACE.match,
                                         (line.strip() for line in f)) if m]
    return found[0] if found else None


def make_options(name, configs=CONFIGS):
    """The make variables profile `name` adds (its `# make:` lines)."""
    path = os.path.join(configs, (name or DEFAULT) + '.config')
    if not os.path.isfile(path):
        return []
    with open(path, encoding='utf-8') as f:
        return [m.group(1) for m in map(_MAKE.match,
                                        (line.strip() for line in f)) if m]


def min_timeout(name, configs=CONFIGS):
    """The least TIMEOUT profile `name` needs (its `# timeout:` line), or 0."""
    path = os.path.join(configs, (name or DEFAULT) + '.config')
    if not os.path.isfile(path):
        return 0
    with open(path, encoding='utf-8') as f:
        found = [int(m.group(1)) for m in map(_TIMEOUT.match, f) if m]
    return max(found, default=0)


def kconfig_symbols(tree):
    """Every symbol some Kconfig file of the tree, or this project's own
    Kconfig, defines."""
    with open(os.path.join(PROJECT, 'Kconfig'), encoding='utf-8') as f:
        symbols = set(_CONFIG.findall(f.read()))
    for top in ('arch', 'drivers', 'fs', 'init', 'kernel', 'lib', 'mm',
                'security', 'crypto', 'block', 'net', 'virt'):
        for dirpath, _, files in os.walk(os.path.join(tree, top)):
            for name in files:
                if not name.startswith('Kconfig'):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding='utf-8', errors='replace') as f:
                    symbols.update(_CONFIG.findall(f.read()))
    return symbols


def options(name, tree, arch, configs=CONFIGS, symbols=None):
    """(kconfig lines, notes) of profile `name` for this tree and arch."""
    if name in ('', DEFAULT):
        return [], []
    path = os.path.join(configs, name + '.config')
    if not os.path.isfile(path):
        raise UserError('PROFILE=%s is unknown; choose one of: %s'
                        % (name, ', '.join(names(configs))))
    with open(path, encoding='utf-8') as f:
        entries = parse(f.read())
    if symbols is None:
        symbols = kconfig_symbols(tree)
    lines, notes = [], []
    for index, (line, symbol, arches) in enumerate(entries):
        why = None
        if arches and arch not in arches:
            why = 'not on ARCH=%s (only %s)' % (arch, ', '.join(arches))
        elif symbol not in symbols and not line.endswith('=n'):
            why = 'not in this kernel'
        if why and index == 0:
            raise UserError('PROFILE=%s cannot run here: %s is %s'
                            % (name, symbol, why))
        if why:
            notes.append('PROFILE=%s: CONFIG_%s left out, %s'
                         % (name, symbol, why))
        else:
            lines.append(line)
    return lines, notes
