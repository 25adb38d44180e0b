# SPDX-License-Identifier: GPL-2.0
"""`make patch`: the suites as a `git format-patch` series for a kernel tree.

The series adds the suites to a kernel tree the way they would go upstream,
so that in that tree a plain

    ./tools/testing/kunit/kunit.py run --kunitconfig=mm/tests

builds and runs them, with none of this project's tools. It is made in a
private git copy of the tree, build/patch/<kernel>/tree/, and written to
build/patch/<kernel>/*.patch. The tree itself is never written to.

The private copy of a Debian tree is `cp -al` (hard links: 2 s for 86 000
files) with the few files the series modifies copied for real, committed
once as the pristine base (about 45 s for 6.12, cached: the commit is
reused while the tree is the same). git replaces a file it changes (a new
inode: checkout, reset and am write a new file and rename or unlink the
old one), so a link back to the unpacked tree is never written through;
the copies for real make that true whatever git does. A KDIR that is a
git work tree gives a `git clone --shared` at its HEAD instead (the
user's repository is only read), and the series gets a base-commit line.

The series: one patch of shared helpers and build glue, then one patch per
suite in lib/Makefile's order, each with its Kconfig entry, Makefile line,
.kunitconfig lines and MAINTAINERS lines, and a commit message that says
what the suite checks, why, how to run it and what it printed when this
project last ran it (build/results/). A cover letter comes first.
"""

import json
import os
import re
import shutil
import subprocess
import textwrap
import time

from . import UserError
from . import deps
from . import results
from . import runner
from . import source

PROJECT = runner.PROJECT

# Where the suites go in a tree, and why (choose_layout):
#
# - mm/tests/, beside the code they test. The suites test mm/: kmalloc and
#   kmem_cache (mm/slab_common.c, mm/slub.c), vmalloc (mm/vmalloc.c),
#   kvmalloc and kvrealloc (mm/util.c) and the page allocator under them.
#   The KUnit style guide of 6.12 (Documentation/dev-tools/kunit/style.rst,
#   "Test File and Module Names") keeps test files in a tests/ folder "at
#   the same level as the code under test"; 6.1's guide puts them "next to
#   the code under test". Inside mm/, mm/damon/tests/ (6.12) is the
#   precedent, with its own .kunitconfig.
# - Not lib/, where 6.1 and 6.12 keep mm's one slab test (lib/slub_kunit.c),
#   nor lib/tests/, where later kernels moved it. A .kunitconfig goes beside
#   the tests, and those folders hold dozens of unrelated tests whose folder
#   a .kunitconfig of ours would claim. Nor are they in any mm entry of
#   MAINTAINERS (lib/slub_kunit.c is listed nowhere in 6.1 or 6.12), so
#   get_maintainer.pl would not reach mm's maintainers from there; mm/ is
#   MEMORY MANAGEMENT's.
# - Kconfig entries go to mm/Kconfig.debug (Kernel hacking -> Memory
#   Debugging): style.rst asks for them "alongside the config entries for
#   the driver/subsystem being tested", each with its standard KUnit help
#   paragraph.
# - mm/Makefile descends into tests/ when KUnit is on; mm/tests/Makefile
#   has one line per suite. A tree that has an mm/tests/ already gets lines
#   added to its Makefile and .kunitconfig instead.
# - MAINTAINERS: every added file is listed in the entries of the code it
#   tests (MAINTAINER_ENTRIES) that the tree has, else in MEMORY
#   MANAGEMENT; checkpatch asks for a MAINTAINERS change with added files.
TESTS_DIR = 'mm/tests'
KCONFIG = 'mm/Kconfig.debug'
PARENT_MAKEFILE = 'mm/Makefile'
PARENT_LINE = 'obj-$(CONFIG_KUNIT) += tests/'
# What the suites test: a tree without these is not one they fit.
CODE_UNDER_TEST = ('mm/slab_common.c', 'mm/vmalloc.c', 'mm/util.c')

# The MAINTAINERS entries each suite's files are listed in, when the tree
# has them (6.1 has no VMALLOC entry); None is the helpers' patch.
MAINTAINER_ENTRIES = {
    None: ('SLAB ALLOCATOR', 'VMALLOC'),
    'kmalloc': ('SLAB ALLOCATOR',),
    'vmalloc': ('VMALLOC',),
    'kvmalloc': ('SLAB ALLOCATOR', 'VMALLOC'),
    'kmem_cache': ('SLAB ALLOCATOR',),
    'alloc_gfp': ('SLAB ALLOCATOR', 'VMALLOC'),
    'realloc': ('SLAB ALLOCATOR', 'VMALLOC'),
    'alloc_accounting': ('SLAB ALLOCATOR', 'VMALLOC'),
    'alloc_dma': ('DMA MAPPING HELPERS', 'SLAB ALLOCATOR', 'VMALLOC'),
    'alloc_failure': ('FAULT INJECTION SUPPORT', 'SLAB ALLOCATOR'),
    'alloc_bench': ('SLAB ALLOCATOR', 'VMALLOC'),
    'alloc_kmemleak': ('KMEMLEAK', 'SLAB ALLOCATOR'),
}
FALLBACK_ENTRY = 'MEMORY MANAGEMENT'
# Whose names get_maintainer.pl must print for the series: every M: of
# these entries, and their lists.
EXPECTED_ENTRIES = ('MEMORY MANAGEMENT', 'SLAB ALLOCATOR')

# style.rst's "brief description of KUnit in the help text".
KUNIT_HELP = ('For more information on KUnit and unit tests in general,\n'
              'please refer to the KUnit documentation in\n'
              'Documentation/dev-tools/kunit/.')

# Kconfig text that speaks of this project, as it reads in the series.
# series_kconfig() refuses any project-only wording left over (_PROJECT_ONLY),
# so a new entry that needs a line here fails `make patch` and `make test`.
SERIES_TEXT = (
    ("the lesson's driver pattern (lib/lesson_driver.c) under them: every\n"
     "\t  allocation site",
     'the unwinding of a driver (lib/lesson_driver.c) under them:\n'
     '\t  every allocation site'),
    ('print BENCH lines for `make bench`; they\n\t  assert nothing about '
     'time.', 'print BENCH lines; they assert nothing\n\t  about time.'),
    ("# KUNIT_ALL_TESTS (the project's .kunitconfig asks, for make bench).",
     '# KUNIT_ALL_TESTS.'),
    ("\n\t  PROFILE=kmemleak of the project's runner turns it on.", ''),
)
_PROJECT_ONLY = re.compile(r"make (run|bench|test|regressions)\b|PROFILE=|"
                           r"project|runner|alloc-kunit|tools/allockunit|"
                           r"graft")

# Why each suite is worth carrying, for its commit message.
WHY = {
    'kmalloc': 'Drivers choose kmalloc over vmalloc for what it promises: '
    'physically contiguous memory in the direct map, size classes, '
    'alignment, zeroing, a hard size limit. Those promises are spread over '
    'kerneldoc and Documentation/core-api/memory-allocation.rst and no '
    'test held mm/slab_common.c and mm/slub.c to them.',
    'vmalloc': 'vmalloc promises less than kmalloc, and callers rely on '
    'exactly that much: virtual contiguity page by page, a guard page, '
    'sizes kmalloc cannot serve, zeroing. lib/test_vmalloc.c measures '
    'speed and stress; nothing checked the promises themselves.',
    'kvmalloc': 'kvmalloc decides for its caller whether memory comes from '
    'the slab or from vmalloc, and when it must not fall back. A change '
    'of that policy in mm/util.c changes the memory every kvmalloc() user '
    'gets; this suite makes such a change visible.',
    'kmem_cache': 'Every cache user relies on the rules of '
    'kmem_cache_create() (alignment, constructors, merging, '
    'SLAB_TYPESAFE_BY_RCU); lib/slub_kunit.c covers SLUB debugging, not '
    'those rules.',
    'alloc_gfp': 'GFP flags mean the same thing to every allocator, or '
    'callers pick the wrong one; a table states what each combination must '
    'return and runs the non-blocking ones under a spinlock.',
    'realloc': 'krealloc(), kvrealloc() and vrealloc() have to keep '
    'contents and, with __GFP_ZERO, must not expose stale bytes after a '
    'shrink and a grow back; that last rule has been broken before, and '
    'only a matrix over sizes and memory kinds reaches every path.',
    'alloc_accounting': 'A free path that forgets to free, or frees but '
    'mis-counts, shows up only as slowly drifting meminfo counters; this '
    'suite checks every path against the counters directly.',
    'alloc_dma': 'Whether a buffer can be handed to a device as one '
    'segment is why drivers pick kmalloc over vmalloc; the DMA API is '
    'where that difference becomes concrete.',
    'alloc_failure': 'Allocation failure paths are the least exercised '
    'code in the kernel; fault injection makes them run deterministically, '
    'allocation site by allocation site.',
    'alloc_bench': 'Which allocator to use is also a question of cost; '
    'these cases print comparable numbers and assert nothing, so they are '
    'off unless asked for.',
    'alloc_kmemleak': 'A case that leaks is a bug of the suite or of the '
    'allocator under it, and neither shows in a passing run; kmemleak sees '
    'both, and asking it after the other suites turns a leak into a failed '
    'case.',
}
# Suites that only mean something on another architecture than UML.
RUN_ARCH = {'alloc_dma': 'x86_64'}

WHY_DEFAULT = ('The rules it checks are documented but no test held the '
               'kernel to them; a change that breaks one now fails here, '
               'under KUnit, instead of in a caller that relied on it.')

# git makes the series; checkpatch.pl is perl, and its SPDX check
# (scripts/spdxcheck.py) needs ply and git for Python.
PACKAGES = ['git', 'perl', 'python3-ply', 'python3-git']

IDENTITY = ('alloc-kunit', 'alloc-kunit@example.org')
PRISTINE_IDENTITY = ('pristine tree', 'pristine@example.org')
PRISTINE_DATE = '2000-01-01T00:00:00Z'
STAMP = 'alloc-kunit-pristine'
WIDTH = 72


class Suite:
    """One suite of the project and everything its patch adds."""

    def __init__(self, name, symbol, files, makefile, kconfig):
        self.name, self.symbol = name, symbol
        self.files = files              # project paths, lib/...
        self.makefile = makefile        # lines for the tests' Makefile
        self.kconfig = kconfig          # the project's Kconfig entry
        self.kunitconfig = []           # lines for the .kunitconfig
        m = re.search(r'^\s+(?:bool|tristate)\s+"([^"]+)"', kconfig, re.M)
        self.prompt = m.group(1) if m else 'KUnit tests of ' + name
        self.default_on = re.search(r'^\s+default\s+KUNIT_ALL_TESTS\b',
                                    kconfig, re.M) is not None

    @property
    def in_kunitconfig(self):
        """In the series' .kunitconfig: on by default (style.rst) and in
        the project's .kunitconfig (not only in a configs/ profile)."""
        return self.default_on and bool(self.kunitconfig)


class Project:
    """The suites, read from lib/Makefile, Kconfig and .kunitconfig."""

    def __init__(self, root=PROJECT):
        self.root = root
        self.helpers = []               # headers no suite owns
        self.helper_makefile = []       # Makefile lines no suite owns
        self.kunitconfig_base = []
        self.suites = []
        self._read()

    def read(self, rel):
        with open(os.path.join(self.root, rel), encoding='utf-8') as f:
            return f.read()

    def _read(self):
        entries = kconfig_entries(self.read('Kconfig'))
        claimed = set()
        pending = []
        for line in self.read('lib/Makefile').splitlines():
            if not line.strip() or line.startswith('# SPDX'):
                pending = []
                continue
            if line.startswith('#'):
                pending.append(line)
                continue
            m = re.match(r'^obj-\$\(CONFIG_(\w+)\)\s*\+=\s*(.+)$', line)
            if not m:
                self.helper_makefile.append(line)
                continue
            symbol, objs = m.group(1), m.group(2).split()
            files = []
            for obj in objs:
                base = 'lib/' + obj[:-2]
                files.append(base + '.c')
                if os.path.isfile(os.path.join(self.root, base + '.h')):
                    files.append(base + '.h')
            main = [f for f in files if f.endswith('_kunit.c')]
            if len(main) != 1:
                raise UserError('lib/Makefile: %s builds %d *_kunit.c '
                                'files; a suite is one' % (symbol, len(main)))
            name = suite_name(self.read(main[0]))
            if symbol != name.upper() + '_KUNIT_TEST':
                raise UserError('suite "%s" (%s) has the Kconfig symbol %s; '
                                'style.rst asks for CONFIG_%s_KUNIT_TEST'
                                % (name, main[0], symbol, name.upper()))
            if symbol not in entries:
                raise UserError('Kconfig has no entry for %s' % symbol)
            self.suites.append(Suite(name, symbol, files, pending + [line],
                                     entries[symbol]))
            claimed.update(files)
            pending = []
        for name in sorted(os.listdir(os.path.join(self.root, 'lib'))):
            rel = 'lib/' + name
            if rel in claimed:
                continue
            if name.endswith('.h'):
                self.helpers.append(rel)
            elif name.endswith('.c'):
                raise UserError('%s is not built by lib/Makefile' % rel)
        self._read_kunitconfig()

    def _read_kunitconfig(self):
        by_symbol = {s.symbol: s for s in self.suites}
        pending, seen = [], False
        for line in self.read('.kunitconfig').splitlines():
            line = line.strip()
            m = re.match(r'^CONFIG_(\w+)=', line)
            if not m:
                continue
            if m.group(1) in by_symbol:
                by_symbol[m.group(1)].kunitconfig = pending + [line]
                pending, seen = [], True
            elif seen:
                pending.append(line)
            else:
                self.kunitconfig_base.append(line)
        self.kunitconfig_base += pending


def kconfig_entries(text):
    """{symbol: entry text} of a Kconfig file, comments between entries
    left out."""
    starts = [m for m in re.finditer(r'^config (\w+)\s*$', text, re.M)]
    out = {}
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        lines = text[m.start():end].splitlines()
        while lines and (not lines[-1].strip() or lines[-1].startswith('#')):
            lines.pop()
        out[m.group(1)] = '\n'.join(lines) + '\n'
    return out


def suite_name(c_text):
    """The .name of the file's struct kunit_suite."""
    m = re.search(r'struct kunit_suite\s+\w+\s*=\s*\{(.*?)\n\};', c_text,
                  re.S)
    name = m and re.search(r'\.name\s*=\s*"([^"]+)"', m.group(1))
    if not name:
        raise UserError('no struct kunit_suite with a .name found')
    return name.group(1)


def comment_summary(c_text):
    """The first sentence of a file's top comment."""
    m = next((m for m in re.finditer(r'/\*(.*?)\*/', c_text, re.S)
              if 'SPDX-License-Identifier' not in m.group(1)), None)
    if not m:
        return ''
    text = ' '.join(line.strip().lstrip('*').strip()
                    for line in m.group(1).splitlines())
    text = re.sub(r'\s+', ' ', text).strip()
    end = re.search(r'\.(\s|$)', text)
    return text[:end.start() + 1] if end else text


# ---------------------------------------------------------------- layout

class Layout:
    """Where the series puts things in one tree (see the comment above)."""

    def __init__(self, tree):
        for rel in CODE_UNDER_TEST:
            if not os.path.isfile(os.path.join(tree, rel)):
                raise UserError('%s has no %s: not a tree the suites test'
                                % (tree, rel))
        self.tests_dir = TESTS_DIR
        self.kconfig = KCONFIG
        if not os.path.isfile(os.path.join(tree, KCONFIG)):
            # Before mm/Kconfig.debug existed (5.x) mm's debug options
            # were in lib/Kconfig.debug.
            self.kconfig = 'lib/Kconfig.debug'
        self.parent_makefile = PARENT_MAKEFILE
        self.new_dir = not os.path.isdir(os.path.join(tree, TESTS_DIR))

    def path(self, project_file):
        return self.tests_dir + '/' + os.path.basename(project_file)

    def modified(self):
        """Files of the tree the series changes (rather than adds)."""
        out = ['MAINTAINERS', self.kconfig]
        if self.new_dir:
            out.append(self.parent_makefile)
        else:
            out += [self.tests_dir + '/Makefile',
                    self.tests_dir + '/.kunitconfig']
        return out


def series_kconfig(suite, layout, project):
    """The suite's Kconfig entry as it reads in the tree."""
    text = suite.kconfig
    for old, new in SERIES_TEXT:
        text = text.replace(old, new)
    for rel in [f for s in project.suites for f in s.files] + \
            project.helpers:
        text = text.replace(rel, layout.path(rel))
    leftover = [line.strip() for line in text.splitlines()
                if _PROJECT_ONLY.search(line)]
    if leftover:
        raise UserError('Kconfig entry %s speaks of this project: %s; say '
                        'how it reads upstream in SERIES_TEXT of %s'
                        % (suite.symbol, ' / '.join(leftover), __file__))
    lines = text.rstrip('\n').split('\n')
    help_at = next((i for i, line in enumerate(lines)
                    if line.strip() == 'help'), None)
    if help_at is None:
        raise UserError('Kconfig entry %s has no help text' % suite.symbol)
    paragraph = ['\t  ' + line for line in KUNIT_HELP.split('\n')]
    if 'Documentation/dev-tools/kunit/' in text:
        return text
    last = len(lines)
    for i in range(len(lines) - 1, help_at, -1):
        if lines[i].strip().startswith('If unsure'):
            last = i
            break
    if last < len(lines):
        lines[last:last] = paragraph + ['']
    else:
        lines += [''] + paragraph
    return '\n'.join(lines) + '\n'


def maintainers_entries(text):
    """{entry name: (first line index, end index)} of MAINTAINERS."""
    lines = text.split('\n')
    out = {}
    for i, line in enumerate(lines):
        if (line and not line[0].isspace() and i + 1 < len(lines) and
                re.match(r'^[A-Z]:\t', lines[i + 1])):
            end = i + 1
            while end < len(lines) and lines[end].strip():
                end += 1
            out[line] = (i, end)
    return out


def add_to_maintainers(text, entries, paths):
    """MAINTAINERS with F: lines for paths in each of the entries the file
    has (else in FALLBACK_ENTRY), in the alphabetic place checkpatch asks
    for. Returns (text, names of the entries used)."""
    found = maintainers_entries(text)
    used = [e for e in entries if e in found] or [FALLBACK_ENTRY]
    if FALLBACK_ENTRY not in found:
        raise UserError('MAINTAINERS has no %s entry' % FALLBACK_ENTRY)
    lines = text.split('\n')
    # Bottom-up, so that earlier entries keep their line numbers.
    for entry in sorted(used, key=lambda e: -found[e][0]):
        start, end = found[entry]
        for path in sorted(paths, reverse=True):
            new = 'F:\t' + path
            if new in lines[start:end]:
                continue
            f_lines = [i for i in range(start, end)
                       if lines[i].startswith('F:\t')]
            at = next((i for i in f_lines if lines[i][3:] > path),
                      (f_lines[-1] + 1) if f_lines else end)
            lines.insert(at, new)
            end += 1
    return '\n'.join(lines), used


def maintainer_emails(text, entries):
    """(names of M: people, lists) of the named MAINTAINERS entries."""
    found = maintainers_entries(text)
    lines = text.split('\n')
    people, lists = [], []
    for entry in entries:
        if entry not in found:
            continue
        start, end = found[entry]
        for line in lines[start:end]:
            if line.startswith('M:\t'):
                people.append(re.sub(r'\s*<.*', '', line[3:]).strip())
            elif line.startswith('L:\t'):
                lists.append(line[3:].split()[0])
    return people, lists


# ---------------------------------------------------------------- output

_TIME = re.compile(r'^\[\d\d:\d\d:\d\d\] ')
_HEADER = re.compile(r'^=+ (\S+)(?: \(\d+ subtests?\)|  )\s*=+$')
_END = re.compile(r'^=+ \[([A-Z]+)\] (\S+) =+$')
_CASE = re.compile(r'^\[([A-Z]+)\] (\S+)$')


def suite_output(lines, suite):
    """(header, [case lines], end line, {status: count}) of one suite in
    kunit.py's output, or None when it is not there."""
    lines = [_TIME.sub('', line.rstrip('\n')) for line in lines
             if _TIME.match(line)]
    start = next((i for i, line in enumerate(lines)
                  if re.match(r'^=+ %s \(\d+ subtests?\) =+$'
                              % re.escape(suite), line)), None)
    if start is None:
        return None
    cases, counts, depth = [], {}, 0
    for line in lines[start + 1:]:
        end = _END.match(line)
        if end and depth == 0:
            if end.group(2) != suite:
                return None
            return lines[start], cases, line, counts
        if end:
            depth -= 1
            if depth == 0:
                cases.append(line)
                counts[end.group(1)] = counts.get(end.group(1), 0) + 1
        elif _HEADER.match(line) and '[' not in line:
            depth += 1
        elif depth == 0 and _CASE.match(line):
            cases.append(line)
            status = _CASE.match(line).group(1)
            counts[status] = counts.get(status, 0) + 1
    return None


def fit(line, width=WIDTH - 2):
    """kunit.py pads its rule lines to 60 columns: trim the padding of a
    longer one so that the commit message stays within checkpatch's 75."""
    m = re.match(r'^(=+)( .* )(=+)$', line)
    while m and len(line) > width and (len(m.group(1)) > 1 or
                                        len(m.group(3)) > 1):
        left, right = m.group(1), m.group(3)
        if len(left) >= len(right):
            left = left[:-1]
        else:
            right = right[:-1]
        line = left + m.group(2) + right
        m = re.match(r'^(=+)( .* )(=+)$', line)
    return line


def find_output(kernel_id, suite, build_root=None, prefer='um'):
    """The best recorded kunit.py output of a suite for this tree: the run
    (on `prefer` first) where most of its cases passed. Returns (label,
    output)."""
    root = os.path.join(build_root or runner.build_root(), 'results')
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return None
    runs = []
    for name in names:
        if not name.startswith(kernel_id + '-'):
            continue
        rest = name[len(kernel_id) + 1:]
        arch, _, flavour = rest.partition('-')
        if arch not in runner.ARCHES or flavour not in ('', 'bench'):
            continue
        runs.append((0 if arch == prefer else 1, name, arch))
    best = None
    for order, name, arch in sorted(runs):
        try:
            with open(os.path.join(root, name, 'kunit.log'),
                      encoding='utf-8', errors='replace') as f:
                found = suite_output(f.readlines(), suite)
        except OSError:
            continue
        if found and (best is None or found[3].get('PASSED', 0) >
                      best[1][3].get('PASSED', 0)):
            best = ('UML' if arch == 'um' else arch, found)
    return best


def excerpt(found, keep=3):
    header, cases, end, counts = found
    out = [fit(header)] + [fit(c) for c in cases[:keep]]
    if len(cases) > keep:
        out.append('[...]')
    out.append(fit(end))
    return out


def count_text(counts):
    total = sum(counts.values())
    parts = ['%d %s' % (n, status.lower()) for status, n in
             sorted(counts.items(), key=lambda kv: -kv[1])]
    return '%d case%s: %s' % (total, '' if total == 1 else 's',
                              ', '.join(parts))


# ---------------------------------------------------------------- messages

def wrap(text, indent=''):
    return textwrap.fill(text, WIDTH, initial_indent=indent,
                         subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)


def help_paragraphs(kconfig):
    """The help text of a Kconfig entry, as paragraphs of plain text,
    without 'If unsure' and KUnit's standard paragraph."""
    lines = kconfig.split('\n')
    at = next(i for i, line in enumerate(lines) if line.strip() == 'help')
    paras, cur = [], []
    for line in lines[at + 1:] + ['']:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            paras.append(' '.join(cur))
            cur = []
    return [p for p in paras if not p.startswith('If unsure') and
            'Documentation/dev-tools/kunit/' not in p]


def run_command(layout, suite=None, extra_options=(), arch='um'):
    cmd = './tools/testing/kunit/kunit.py run --kunitconfig=%s' % (
        layout.tests_dir)
    if arch != 'um':
        cmd += ' \\\n      --arch=%s' % arch
    for option in extra_options:
        cmd += ' \\\n      --kconfig_add %s' % option
    if suite:
        last = cmd.split('\n')[-1]
        if len(last) + len(suite) + 5 > WIDTH:
            cmd += ' \\\n     '
        cmd += " '%s'" % suite
    return cmd


def extra_options(suite, project):
    """--kconfig_add options a suite left out of the .kunitconfig needs:
    its own symbol, and a configs/*.config fragment's lines that enable
    it, if there is one."""
    if suite.in_kunitconfig:
        return []
    folder = os.path.join(project.root, 'configs')
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    want = 'CONFIG_%s=y' % suite.symbol
    for name in names:
        if not name.endswith('.config'):
            continue
        with open(os.path.join(folder, name), encoding='utf-8') as f:
            lines = [line.strip() for line in f
                     if re.match(r'^CONFIG_\w+=\S+$', line.strip())]
        if want in lines:
            return lines
    return [want]


def suite_message(suite, layout, project, version, output):
    file = layout.path([f for f in suite.files if f.endswith('_kunit.c')][0])
    subject = '%s: add %s' % (layout.tests_dir, lower_first(suite.prompt))
    body = [wrap('Add the KUnit suite "%s" (%s, CONFIG_%s).'
                 % (suite.name, file, suite.symbol))]
    body += [wrap(p) for p in help_paragraphs(series_kconfig(suite, layout,
                                                             project))]
    body.append(wrap(WHY.get(suite.name, WHY_DEFAULT)))
    others = [layout.path(f) for f in suite.files if f.endswith('.c')
              and f != suite.files[0]]
    if others:
        body.append(wrap('%s is built with it: it is the code its cases '
                         'run.' % ', '.join(others)))
    opts = extra_options(suite, project)
    arch = RUN_ARCH.get(suite.name, 'um')
    where = 'on UML' if arch == 'um' else 'on %s (QEMU)' % arch
    if opts and not suite.default_on:
        body.append(wrap('CONFIG_%s is not in %s/.kunitconfig, and '
                         'KUNIT_ALL_TESTS does not turn it on: it is run '
                         'when asked for, %s with:'
                         % (suite.symbol, layout.tests_dir, where)))
    elif opts:
        body.append(wrap('It needs options the other suites do not, so it '
                         'is not in %s/.kunitconfig. Run it %s with:'
                         % (layout.tests_dir, where)))
    else:
        body.append('Run it %s with:' % where)
    body.append('  ' + run_command(layout, suite.name, opts, arch))
    if output:
        label, found = output
        body.append(wrap('Output on Linux %s (%s), %s:'
                         % (version, label, count_text(found[3]))))
        body.append('\n'.join('  ' + line for line in excerpt(found)))
    return subject, '\n\n'.join(body)


def helpers_message(project, layout):
    subject = '%s: add helpers for the allocator KUnit suites' % (
        layout.tests_dir)
    body = [wrap('The following patches add KUnit suites that state how '
                 "the kernel's memory allocators behave (kmalloc, vmalloc, "
                 'kvmalloc, krealloc, kmem_cache and the GFP flags across '
                 'them) as contracts that fail when the kernel breaks '
                 'them. This patch adds what they share, in %s/ beside '
                 'the code they test:' % layout.tests_dir)]
    body.append('\n'.join(
        textwrap.fill('%s: %s' % (os.path.basename(rel),
                                  comment_summary(project.read(rel))),
                      WIDTH, initial_indent='- ', subsequent_indent='  ',
                      break_long_words=False, break_on_hyphens=False)
        for rel in project.helpers))
    if layout.new_dir:
        body.append(wrap('and the build glue: %s/Makefile, entered from %s '
                         'when KUnit is enabled, and %s/.kunitconfig, which '
                         'each suite adds itself to. Nothing is built yet.'
                         % (layout.tests_dir, layout.parent_makefile,
                            layout.tests_dir)))
    return subject, '\n\n'.join(body)


def cover_letter(project, layout, version, tree_name, outputs):
    subject = 'mm: KUnit suites for the allocator contracts'
    ran = [o for o in outputs.values() if o]
    total = {}
    for _, found in ran:
        for status, n in found[3].items():
            total[status] = total.get(status, 0) + n
    body = [wrap('This series adds KUnit suites that pin down how the '
                 "kernel's memory allocators behave: kmalloc against "
                 'vmalloc, kvmalloc, krealloc and kmem_cache, GFP flags '
                 'across them, accounting on every free path, failure '
                 'handling under fault injection and what the DMA API sees '
                 'of their memory. Each rule is one a caller relies on and '
                 'that documentation states; each case names it, so a '
                 'change that breaks one fails with the rule in the log.'),
            wrap('They go to %s/ beside the code they test, with a '
                 '.kunitconfig, Kconfig entries in %s and MAINTAINERS lines '
                 'for the entries of the code each one tests. Run them '
                 'all with:' % (layout.tests_dir, layout.kconfig)),
            '  ' + run_command(layout)]
    if ran:
        body.append(wrap('On Linux %s (%s) the suites ran %s.'
                         % (version, tree_name, count_text(total))))
    body.append('\n'.join(wrap('%s: %s' % (s.name, s.prompt), '  ')
                          for s in project.suites))
    return subject, '\n\n'.join(body)


def lower_first(text):
    word = text.split()[0]
    if word[1:] != word[1:].lower():
        return text
    return text[0].lower() + text[1:]


# ---------------------------------------------------------------- git

def git(tree, *args, env=None, check=True, nice=False, capture=True):
    cmd = (['nice', '-n', '10'] if nice else []) + [
        'git', '-c', 'commit.gpgSign=false', '-c', 'core.autocrlf=false',
        '-c', 'advice.detachedHead=false', '-c', 'core.hooksPath=/dev/null',
        '-C', tree] + list(args)
    proc = subprocess.run(cmd, env=env, text=True, check=False,
                          capture_output=capture)
    if check and proc.returncode != 0:
        raise UserError('git %s failed in %s: %s'
                        % (' '.join(args[:2]), tree,
                           (proc.stderr or '').strip()[-500:]))
    return proc


def git_env(name, email, date):
    env = dict(os.environ)
    for who in ('AUTHOR', 'COMMITTER'):
        env['GIT_%s_NAME' % who] = name
        env['GIT_%s_EMAIL' % who] = email
        env['GIT_%s_DATE' % who] = date
    return env


def identity(project_root=PROJECT):
    """Author of the series: the project's git user, else IDENTITY."""
    def get(key):
        try:
            proc = subprocess.run(['git', '-C', project_root, 'config', key],
                                  capture_output=True, text=True,
                                  check=False)
        except FileNotFoundError:
            return ''
        return proc.stdout.strip()
    name, email = get('user.name'), get('user.email')
    return (name, email) if name and email else IDENTITY


def series_date(project_root=PROJECT):
    """The project's last commit date, so that the same project gives
    the same series; now when the project is no git checkout."""
    proc = subprocess.run(['git', '-C', project_root, 'log', '-1',
                           '--format=%cI'], capture_output=True, text=True,
                          check=False)
    date = proc.stdout.strip()
    return date or time.strftime('%Y-%m-%dT%H:%M:%S%z')


def git_toplevel(path):
    proc = subprocess.run(['git', '-C', path, 'rev-parse', '--show-toplevel'],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return None
    return os.path.realpath(proc.stdout.strip())


def _read_stamp(tree):
    try:
        with open(os.path.join(tree, '.git', STAMP)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _copy_for_real(src, dst):
    """Replace dst (a hard link to src) by a copy of its own."""
    tmp = dst + '.alloc-kunit-copy'
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)


def pristine_tree(source_tree, tree, layout, log=print, kdir=False):
    """A private git copy of source_tree at `tree`; returns its base
    commit. Made once and reused while the source is the same."""
    source_tree = os.path.realpath(source_tree)
    top = git_toplevel(source_tree) if kdir else None
    if top == source_tree:
        head = subprocess.run(['git', '-C', source_tree, 'rev-parse',
                               'HEAD'], capture_output=True, text=True,
                              check=True).stdout.strip()
        key = {'source': source_tree, 'head': head}
    else:
        st = os.stat(os.path.join(source_tree, 'Makefile'))
        key = {'source': source_tree, 'makefile': [st.st_size,
                                                   st.st_mtime_ns]}
    stamp = _read_stamp(tree)
    if stamp and all(stamp.get(k) == v for k, v in key.items()) and \
            git(tree, 'cat-file', '-e', stamp['base'] + '^{commit}',
                check=False).returncode == 0:
        return stamp['base']
    if stamp and top == source_tree and stamp.get('source') == source_tree:
        # A clone of the same repository: its objects are shared, so
        # moving to the new HEAD is enough.
        base = key['head']
    else:
        base = None
        if os.path.lexists(tree):
            log('removing the old private copy ' + tree)
            shutil.rmtree(tree)
        os.makedirs(os.path.dirname(tree), exist_ok=True)
    start = time.monotonic()
    if top == source_tree:
        if base is None:
            log('cloning %s (shared objects, at HEAD %s) into %s'
                % (source_tree, key['head'][:12], tree))
            subprocess.run(['nice', '-n', '10', 'git', 'clone', '-q',
                            '--shared', '--no-checkout', source_tree, tree],
                           check=True)
        git(tree, 'checkout', '-q', '--detach', '-f', key['head'], nice=True)
        base = key['head']
    else:
        log('copying %s into %s (hard links)' % (source_tree, tree))
        proc = subprocess.run(['cp', '-al', source_tree, tree],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            log('hard links failed (%s); copying' % proc.stderr.strip()[-200:])
            shutil.rmtree(tree, ignore_errors=True)
            subprocess.run(['cp', '-a', source_tree, tree], check=True)
        for rel in layout.modified():
            if os.path.isfile(os.path.join(tree, rel)):
                _copy_for_real(os.path.join(source_tree, rel),
                               os.path.join(tree, rel))
        log('committing the pristine tree once (cached for later runs)')
        git(tree, 'init', '-q')
        git(tree, 'config', 'gc.auto', '0')
        git(tree, 'config', 'core.compression', '1')
        # Debian's .gitignore ignores everything at the top ("/*"): add
        # the tree as it is. A tree of the user's keeps its build output
        # out by its own .gitignore.
        git(tree, 'add', '-A', *(['-f'] if not kdir else []), nice=True)
        git(tree, 'commit', '-q', '--no-verify', '-m',
            'pristine %s' % os.path.basename(source_tree),
            env=git_env(*PRISTINE_IDENTITY, PRISTINE_DATE), nice=True)
        base = git(tree, 'rev-parse', 'HEAD').stdout.strip()
    log('private copy ready in %.1f s' % (time.monotonic() - start))
    with open(os.path.join(tree, '.git', STAMP), 'w') as f:
        json.dump(dict(key, base=base), f)
    return base


def reset(tree, base, layout):
    git(tree, 'reset', '-q', '--hard', base, nice=True)
    if layout.new_dir:
        shutil.rmtree(os.path.join(tree, layout.tests_dir),
                      ignore_errors=True)


# ---------------------------------------------------------------- series

class Series:
    """One kernel's series: where it lives and what was made."""

    def __init__(self, kernel_id, source_tree, root=None, kdir=False):
        self.kernel_id = kernel_id
        self.source_tree = os.path.realpath(source_tree)
        self.kdir = kdir
        self.out = os.path.join(root or os.path.join(runner.build_root(),
                                                     'patch'), kernel_id)
        self.tree = os.path.join(self.out, 'tree')
        self.build_dir = os.path.join(self.out, 'kunit-um')
        self.layout = Layout(self.source_tree)
        self.version = '%d.%d.%d' % source.tree_version(self.source_tree)
        self.base = None
        self.patches = []
        self.cover = None
        self.series_tree = None
        self.times = []

    def timed(self, name, start):
        self.times.append((name, time.monotonic() - start))


def _write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def _read_tree(tree, rel):
    with open(os.path.join(tree, rel), encoding='utf-8',
              errors='surrogateescape') as f:
        return f.read()


def _write_tree(tree, rel, text):
    _write_file(os.path.join(tree, rel), text)


def _append(tree, rel, text):
    old = _read_tree(tree, rel) if os.path.isfile(
        os.path.join(tree, rel)) else ''
    if old and not old.endswith('\n'):
        old += '\n'
    _write_tree(tree, rel, old + text)


def _commit(series, subject, body, paths, env):
    git(series.tree, 'add', '-A', '-f', '--', *paths)
    message = subject + '\n\n' + body.rstrip('\n') + '\n'
    path = os.path.join(series.out, '.message')
    _write_file(path, message)
    git(series.tree, 'commit', '-q', '-s', '--no-verify',
        '--cleanup=whitespace', '-F', path, env=env)
    os.unlink(path)


def make_series(series, project=None, log=print, build_root=None):
    """Generate the series of `series` into series.out; returns series."""
    project = project or Project()
    layout = series.layout
    t = time.monotonic()
    series.base = pristine_tree(series.source_tree, series.tree, layout,
                                log, series.kdir)
    series.timed('private git copy', t)
    t = time.monotonic()
    reset(series.tree, series.base, layout)
    name, email = identity(project.root)
    env = git_env(name, email, series_date(project.root))
    tree = series.tree
    tdir = layout.tests_dir

    # 1: helpers and build glue.
    paths = ['MAINTAINERS']
    for rel in project.helpers:
        _write_tree(tree, layout.path(rel), project.read(rel))
        paths.append(layout.path(rel))
    if layout.new_dir:
        _write_tree(tree, tdir + '/Makefile',
                    '# SPDX-License-Identifier: GPL-2.0\n' +
                    ''.join(line + '\n' for line in project.helper_makefile))
        _write_tree(tree, tdir + '/.kunitconfig',
                    ''.join(line + '\n' for line in
                            project.kunitconfig_base))
        _append(tree, layout.parent_makefile, PARENT_LINE + '\n')
        paths += [tdir + '/Makefile', tdir + '/.kunitconfig',
                  layout.parent_makefile]
    text, _ = add_to_maintainers(_read_tree(tree, 'MAINTAINERS'),
                                 MAINTAINER_ENTRIES[None],
                                 [layout.path(h) for h in project.helpers])
    _write_tree(tree, 'MAINTAINERS', text)
    _commit(series, *helpers_message(project, layout), paths, env)

    # 2..: one patch per suite.
    outputs = {}
    for suite in project.suites:
        added = []
        for rel in suite.files:
            _write_tree(tree, layout.path(rel), project.read(rel))
            added.append(layout.path(rel))
        _append(tree, layout.kconfig,
                '\n' + series_kconfig(suite, layout, project))
        _append(tree, tdir + '/Makefile',
                ''.join(line + '\n' for line in suite.makefile))
        paths = added + [layout.kconfig, tdir + '/Makefile', 'MAINTAINERS']
        if suite.in_kunitconfig:
            lines = suite.kunitconfig
            if len(lines) > 1:
                lines = ['', '# for the %s suite' % suite.name] + lines
            _append(tree, tdir + '/.kunitconfig',
                    ''.join(line + '\n' for line in lines))
            paths.append(tdir + '/.kunitconfig')
        text, _ = add_to_maintainers(
            _read_tree(tree, 'MAINTAINERS'),
            MAINTAINER_ENTRIES.get(suite.name, (FALLBACK_ENTRY,)), added)
        _write_tree(tree, 'MAINTAINERS', text)
        outputs[suite.name] = find_output(series.kernel_id, suite.name,
                                          build_root,
                                          RUN_ARCH.get(suite.name, 'um'))
        if not outputs[suite.name]:
            log('note: no recorded output of suite %s for %s in '
                'build/results/; its commit message has none (make run '
                'first)' % (suite.name, series.kernel_id))
        _commit(series, *suite_message(suite, layout, project,
                                       series.version, outputs[suite.name]),
                paths, env)
    series.series_tree = git(tree, 'rev-parse',
                             'HEAD^{tree}').stdout.strip()
    git(tree, 'branch', '-f', 'alloc-kunit-series', 'HEAD')

    # The files.
    for name in os.listdir(series.out) if os.path.isdir(series.out) else []:
        if name.endswith('.patch'):
            os.unlink(os.path.join(series.out, name))
    args = ['format-patch', '-q', '--cover-letter', '-o', series.out]
    if series.kdir and series.base == _read_stamp(tree).get('head'):
        args.append('--base=' + series.base)
    git(tree, *args, series.base + '..HEAD', env=env)
    files = sorted(f for f in os.listdir(series.out) if f.endswith('.patch'))
    series.cover = os.path.join(series.out, files[0])
    series.patches = [os.path.join(series.out, f) for f in files[1:]]
    subject, blurb = cover_letter(project, layout, series.version,
                                  os.path.basename(series.source_tree),
                                  outputs)
    with open(series.cover, encoding='utf-8') as f:
        text = f.read()
    text = text.replace('*** SUBJECT HERE ***', subject).replace(
        '*** BLURB HERE ***', blurb)
    with open(series.cover, 'w', encoding='utf-8') as f:
        f.write(text)
    series.timed('generate %d patches' % len(series.patches), t)
    return series


# ---------------------------------------------------------------- proof

def apply_series(series):
    """git am the series onto the pristine base; None or what went wrong."""
    reset(series.tree, series.base, series.layout)
    env = git_env(*PRISTINE_IDENTITY, PRISTINE_DATE)
    proc = git(series.tree, 'am', '-q', *series.patches, env=env,
               check=False)
    if proc.returncode != 0:
        # git am --abort resets, and so writes a reflog entry: it needs an
        # identity too, which a fresh machine's git config does not have
        git(series.tree, 'am', '--abort', env=env)
        return (proc.stdout + proc.stderr).strip()[-500:]
    got = git(series.tree, 'rev-parse', 'HEAD^{tree}').stdout.strip()
    if got != series.series_tree:
        return 'the tree after git am differs from the generated one'
    return None


def spdx_env():
    """checkpatch runs scripts/spdxcheck.py with the first python3 on
    PATH, which needs ply and git (python3-ply, python3-git); when it
    cannot import them checkpatch skips the SPDX check and says nothing on
    stdout. Put a python3 that can first (a pyenv shim may shadow
    Debian's); None when there is none."""
    path = os.environ.get('PATH', '')
    for folder in [os.path.dirname(shutil.which('python3') or '')] + [
            '/usr/bin']:
        python = os.path.join(folder, 'python3')
        if folder and os.access(python, os.X_OK) and subprocess.run(
                [python, '-c', 'import ply, git'], capture_output=True,
                check=False).returncode == 0:
            return dict(os.environ, PATH=folder + os.pathsep + path)
    return None


def checkpatch(series, patch, env=None):
    """checkpatch.pl --strict on one patch file; returns the findings."""
    env = env or spdx_env()
    if env is None:
        return ['scripts/spdxcheck.py cannot run: no python3 with ply and '
                'git (apt-get install python3-ply python3-git)']
    proc = subprocess.run(['perl', 'scripts/checkpatch.pl', '--strict',
                           '--show-types', patch], cwd=series.tree,
                          capture_output=True, text=True, check=False,
                          env=env)
    findings = [line for line in proc.stdout.splitlines()
                if re.match(r'^(ERROR|WARNING|CHECK):', line)]
    if 'Traceback' in proc.stderr:
        findings.append('a helper of checkpatch failed: ' +
                        proc.stderr.strip().splitlines()[-1])
    if proc.returncode != 0 and not findings:
        findings = (proc.stdout + proc.stderr).strip().splitlines()[-5:] or [
            'checkpatch.pl exited with status %d' % proc.returncode]
    return findings


def get_maintainer(series):
    """(get_maintainer.pl's lines for the series, names it must print and
    did not)."""
    proc = subprocess.run(['perl', 'scripts/get_maintainer.pl',
                           '--no-git-fallback'] + series.patches,
                          cwd=series.tree, capture_output=True, text=True,
                          check=False)
    lines = proc.stdout.strip().splitlines()
    people, lists = maintainer_emails(_read_tree(series.tree, 'MAINTAINERS'),
                                      EXPECTED_ENTRIES)
    missing = [who for who in people + lists
               if not any(who in line for line in lines)]
    if proc.returncode != 0:
        missing.append('(get_maintainer.pl exited with status %d: %s)'
                       % (proc.returncode, proc.stderr.strip()[-200:]))
    return lines, missing


def kunit_run(series, jobs=None, timeout=600, log=print):
    """Build and run the series' suites in the patched tree with its own
    kunit.py and nothing of this project: the command a commit message
    gives. Returns (status, (passed, failed, skipped), log path)."""
    os.makedirs(series.build_dir, exist_ok=True)
    json_path = os.path.join(series.out, 'kunit.json')
    log_path = os.path.join(series.out, 'kunit.log')
    if os.path.exists(json_path):
        os.unlink(json_path)
    cmd = ['./tools/testing/kunit/kunit.py', 'run',
           '--kunitconfig=' + series.layout.tests_dir,
           '--build_dir=' + series.build_dir,
           '--jobs=%d' % (jobs or os.cpu_count() or 1),
           '--timeout=%d' % timeout, '--json=' + json_path]
    cmd += ['--make_options=' + o for o in runner.cc_options()]
    env = dict(os.environ)
    # The runner's ccache, keyed on paths relative to this tree.
    env.setdefault('CCACHE_DIR', os.path.expanduser('~/.cache/ccache'))
    env['CCACHE_BASEDIR'] = series.out
    env.setdefault('CCACHE_NOHASHDIR', '1')
    env.setdefault('CCACHE_DEPEND', '1')
    tmpdir = runner.uml_tmpdir(log)
    if tmpdir:
        env['TMPDIR'] = tmpdir
    log('in %s: %s' % (series.tree, ' '.join(cmd)))
    with open(log_path, 'w') as out:
        proc = subprocess.run(cmd, cwd=series.tree, env=env, stdout=out,
                              stderr=subprocess.STDOUT, check=False)
    counts = (0, 0, 0)
    if os.path.isfile(json_path):
        with open(json_path) as f:
            counts = results.count(list(results.leaf_cases(json.load(f))))
    return proc.returncode, counts, log_path


def check(series, build=False, log=print, jobs=None, timeout=600):
    """Apply, checkpatch and get_maintainer (and with build, kunit.py run);
    returns [(item, ok, detail)]."""
    items = []
    name = series.kernel_id
    t = time.monotonic()
    problem = apply_series(series)
    series.timed('git am', t)
    items.append(('%s: git am applies the %d patches to the pristine tree'
                   % (name, len(series.patches)), problem is None,
                   problem or ''))
    if problem:
        return items
    t = time.monotonic()
    env = spdx_env()
    for patch in series.patches:
        findings = checkpatch(series, patch, env)
        for line in findings[:10]:
            log('  ' + line)
        items.append(('%s: checkpatch --strict %s'
                      % (name, os.path.basename(patch)), not findings,
                      '%d findings' % len(findings)))
    series.timed('checkpatch', t)
    t = time.monotonic()
    lines, missing = get_maintainer(series)
    for line in lines:
        log('  ' + line)
    people, _ = maintainer_emails(_read_tree(series.tree, 'MAINTAINERS'),
                                  EXPECTED_ENTRIES)
    items.append(('%s: get_maintainer.pl names %s' % (
        name, ', '.join(people[:1] + people[-1:]) + ' and the rest of ' +
        ' and '.join(EXPECTED_ENTRIES)), not missing,
        'missing: ' + ', '.join(missing)))
    series.timed('get_maintainer', t)
    if build:
        t = time.monotonic()
        status, (passed, failed, skipped), path = kunit_run(
            series, jobs, timeout, log)
        series.timed('kunit.py run', t)
        items.append(('%s: kunit.py run --kunitconfig=%s in the patched '
                      'tree (%d passed, %d failed, %d skipped)'
                      % (name, series.layout.tests_dir, passed, failed,
                         skipped),
                      status == 0 and not failed and passed > 0,
                      'status %d, see %s' % (status, os.path.relpath(path))))
    return items


def prepare(kernel, kdir=None, log=print, install=True):
    """The Series for KERNEL= or KDIR=, its source tree found."""
    if kdir:
        tree = os.path.abspath(kdir)
        source.tree_version(tree)
        if install:
            deps.ensure(PACKAGES, log)
        return Series(source.user_tree_id(tree), tree, kdir=True)
    source.check_kernel(kernel)
    if install:
        deps.ensure(PACKAGES + [deps.source_package(kernel)], log)
    return Series(kernel, source.debian_tree(kernel, log=log))


def main(kernel, kdir=None, checks=True, build=False, jobs=None,
         timeout=600, log=print):
    """`make patch`: write the series, then (by default) prove it."""
    series = prepare(kernel, kdir, log)
    make_series(series, log=log)
    log('series for %s (Linux %s): %s' % (
        series.kernel_id, series.version, os.path.relpath(series.out)))
    for path in [series.cover] + series.patches:
        log('  ' + os.path.basename(path))
    status = 0
    if checks or build:
        for item, ok, detail in check(series, build, log, jobs, timeout):
            log('%s %s%s' % ('ok    ' if ok else 'FAILED', item,
                             '' if ok else ' (%s)' % detail))
            status = status or (0 if ok else 1)
    for what, secs in series.times:
        log('  %-28s %6.1f s' % (what, secs))
    log('apply it to your tree with: git am %s/*-%s-*.patch'
        % (os.path.relpath(series.out),
           series.layout.tests_dir.replace('/', '-')))
    return status

