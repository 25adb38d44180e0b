# SPDX-License-Identifier: GPL-2.0
"""`make regressions`: put real allocator bugs back, one at a time, and see
which the suites catch.

Each tools/regressions/NN-slug.patch re-introduces one bug fixed upstream
(its `# ` header names the fix and where it is visible). The patches are
applied to a scratch tree: a folder of symbolic links to Debian's unpacked
tree, with real copies of just the files a patch touches, so neither the
user's tree nor the shared unpacked one is ever written. The scratch tree
keeps one build folder, so each patch costs an incremental build. After
each run the touched files are restored, and the verdict recorded:

  caught       a case failed, or the kernel reported a splat, or it
               crashed after some cases had run
  missed       every case passed
  no boot      the kernel stopped before any case ran
  no build     the patched kernel did not compile

Results: a table, a closing `N caught, N missed` line, and
build/results/regressions-<kernel>-<arch>/regressions.json.
"""

import json
import os
import re
import shutil
import subprocess
import time

from . import UserError
from . import archs
from . import deps
from . import paths
from . import results
from . import runner
from . import source

PATCH_DIR = os.path.join(paths.PROJECT, 'tools', 'regressions')
# Deliberate breakages, in the same format: make regressions PATCHES=...
MUTATION_DIR = os.path.join(paths.PROJECT, 'tools', 'mutations')
_HEADER = re.compile(r'^#\s*([A-Za-z ]+):\s*(.*)$')
_TARGET = re.compile(r'^\+\+\+ b/(\S+)')


class Patch:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)[:-len('.patch')]
        self.header = {}
        self.files = []
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                head = _HEADER.match(line)
                if head and not self.files:
                    self.header[head.group(1).strip().lower()] = \
                        head.group(2).strip()
                target = _TARGET.match(line)
                if target and target.group(1) not in self.files:
                    self.files.append(target.group(1))
        if not self.files:
            raise UserError('%s changes no file (no "+++ b/..." line)'
                            % os.path.relpath(path))

    def visible_on(self, arch, profile=''):
        """Whether a test on `arch` with the default configuration can see
        the bug, by the header: `UML` (then x86_64 too), `x86_64 only`,
        `UML only`, `i386 only`, `arm64 only`; any condition beyond that
        (`KASAN only`, `only when booted with ...`, `UML, but only when
        ...`) means not here. A
        `Profile: <name>` header names the PROFILE= that makes the bug
        visible (on UML and x86_64): then it is visible there only; a run
        with a profile runs only those patches."""
        known = archs.records()
        generic = {a.name for a in known.values() if a.sees_uml_bugs}
        wanted = self.header.get('profile', '').strip()
        if wanted or profile not in ('', 'default'):
            return profile == wanted and arch in {'um'} | generic
        visible = self.header.get('visible', 'UML').lower()
        while re.search(r'\([^()]*\)', visible):      # asides, nested too
            visible = re.sub(r'\([^()]*\)', '', visible)
        visible = visible.split('(')[0]     # an aside the line cut short
        words = set(re.findall(r'[a-z0-9_]+', visible))
        by_header = {a.header.lower(): a.name for a in known.values()}
        if not words or not words <= set(by_header) | {'only'}:
            return False
        named = {by_header[w] for w in words if w in by_header}
        if 'um' in named and 'only' not in words:
            named |= generic
        return arch in named


def find_patches(only='', folder=None):
    # absolute: the patches are applied from inside the scratch tree
    folder = os.path.abspath(folder or PATCH_DIR)
    if not os.path.isdir(folder):
        raise UserError('no folder %s' % folder)
    names = sorted(n for n in os.listdir(folder) if n.endswith('.patch'))
    if only:
        names = [n for n in names if only in n]
    return [Patch(os.path.join(folder, n)) for n in names]


def _link_or_copy(src, dst, copy):
    if os.path.lexists(dst):
        if os.path.isdir(dst) and not os.path.islink(dst):
            shutil.rmtree(dst)
        else:
            os.unlink(dst)
    if copy:
        # a fresh mtime, so that make rebuilds what a restore changed back
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o644)
    else:
        os.symlink(src, dst)


def sync_scratch(tree, scratch, copied):
    """A tree of links to `tree`, with real copies of the `copied` paths
    (relative) and real folders above them. Copies are refreshed from the
    tree when their content differs, so a run always starts clean."""
    tree, scratch = os.path.abspath(tree), os.path.abspath(scratch)
    real_dirs = {''}
    for rel in copied:
        parts = rel.split('/')[:-1]
        for i in range(1, len(parts) + 1):
            real_dirs.add('/'.join(parts[:i]))
    # A real folder stays real, for the copies in it: turned back into a
    # link, its files would take the tree's older mtimes (see below).
    for folder, dirs, _ in os.walk(scratch):
        for name in dirs:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, scratch)
            if not os.path.islink(path) and \
                    os.path.isdir(os.path.join(tree, rel)):
                real_dirs.add(rel)
    for rel in sorted(real_dirs):
        here = os.path.join(scratch, rel)
        if os.path.islink(here) or os.path.isfile(here):
            os.unlink(here)
        os.makedirs(here, exist_ok=True)
        src_dir = os.path.join(tree, rel)
        names = set(os.listdir(src_dir))
        for name in names:
            child = '/'.join(p for p in (rel, name) if p)
            dst = os.path.join(scratch, child)
            src = os.path.join(src_dir, name)
            if child in real_dirs:
                continue
            # A copy stays a copy: turned back into a link it would take
            # the tree's older mtime, and make would keep an object built
            # from the patched file.
            if child in copied or (os.path.isfile(dst) and
                                   not os.path.islink(dst)):
                if not _same(src, dst):
                    _link_or_copy(src, dst, True)
            elif not (os.path.islink(dst) and os.readlink(dst) == src):
                _link_or_copy(src, dst, False)
        for name in set(os.listdir(here)) - names:
            gone = os.path.join(here, name)
            if os.path.isdir(gone) and not os.path.islink(gone):
                shutil.rmtree(gone)
            else:
                os.unlink(gone)
    return scratch


def _same(a, b):
    if os.path.islink(b) or not os.path.isfile(b):
        return False
    with open(a, 'rb') as f, open(b, 'rb') as g:
        return f.read() == g.read()


def check_patches(tree, scratch, patches=None):
    """(patch name, problem) for every patch that does not apply to `tree`
    and come off again cleanly; an empty list when all do."""
    patches = find_patches() if patches is None else patches
    copied = sorted({f for p in patches for f in p.files})
    problems = []
    for patch in patches:
        sync_scratch(tree, scratch, copied)
        try:
            apply_patch(patch, scratch)
            apply_patch(patch, scratch, reverse=True)
        except UserError as e:
            problems.append((patch.name, str(e)))
            continue
        if any(not _same(os.path.join(tree, f), os.path.join(scratch, f))
               for f in patch.files):
            problems.append((patch.name, 'reverting it does not give the '
                             'original back'))
    sync_scratch(tree, scratch, copied)
    return problems


def apply_patch(patch, scratch, reverse=False):
    cmd = ['patch', '-p1', '--forward', '--no-backup-if-mismatch', '-s',
           '-d', scratch, '-i', patch.path]
    if reverse:
        cmd.insert(1, '-R')
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise UserError('%s does not apply to %s: %s' % (
            os.path.relpath(patch.path), scratch,
            (proc.stdout + proc.stderr).strip().splitlines()[-1:] or ['?']))


def verdict(status, cases):
    """(verdict, failed case names) from a run's status and cases."""
    # the cases that failed by name first, then those the kernel never
    # reported (a crash lists many)
    failed = [c.label for c in cases if c.failed and not c.never_reported]
    failed += [c.label for c in cases if c.never_reported]
    if status == results.EXIT_BUILD:
        return 'no build', failed
    if status == results.EXIT_INCOMPLETE and not cases:
        return 'no boot', failed
    if status == results.EXIT_OK:
        return 'missed', failed
    if not failed:
        failed = ['(a kernel report in the log)'
                  if status == results.EXIT_FAILED else '(kernel stopped)']
    return 'caught', failed


def table(rows):
    out = ['| patch | verdict | failed cases |', '|---|---|---|']
    for row in rows:
        cases = ', '.join(row['failed'][:6])
        if len(row['failed']) > 6:
            cases += ', +%d more' % (len(row['failed']) - 6)
        out.append('| %s | %s | %s |' % (row['patch'], row['verdict'],
                                          cases or '-'))
    return out


def closing_line(rows):
    counts = {}
    for row in rows:
        counts[row['verdict']] = counts.get(row['verdict'], 0) + 1
    line = '%d caught, %d missed' % (counts.get('caught', 0),
                                     counts.get('missed', 0))
    for other in ('no build', 'no boot', 'not visible here'):
        if counts.get(other):
            line += ', %d %s' % (counts[other], other)
    return line


def scratch_source(kernel, arch, kdir, log):
    """(tree, kernel id) a scratch tree links to, with the packages a run
    on `arch` needs and `patch` installed: `kdir`, or Debian's `kernel`."""
    if kdir:
        tree = os.path.abspath(kdir)
        source.tree_version(tree)
        deps.ensure(deps.needed(arch) + ['patch'], log)
        return tree, source.user_tree_id(tree)
    deps.ensure(deps.needed(arch, kernel) + ['patch'], log)
    return source.debian_tree(kernel, log=log), kernel


def run_all(kernel=source.DEFAULT_KERNEL, arch='um', only='', timeout=300,
            kdir=None, log=print, run=None, folder=None, profile=''):
    """Apply, build, run and revert every patch; returns the exit status:
    0 when every patch visible here was caught, 1 otherwise. The scratch
    tree links to Debian's tree for `kernel`, or to `kdir`. `folder` holds
    the patches (tools/regressions/ by default): a contributor's own
    breakages run the same way."""
    run = run or runner.run
    runner.check_values(arch, profile, '', timeout)
    patches = find_patches(only, folder)
    if not patches:
        raise UserError('no patch in %s%s' % (
            folder or os.path.relpath(PATCH_DIR),
            ' matches ' + only if only else ''))
    tree, kernel = scratch_source(kernel, arch, kdir, log)
    scratch = os.path.join(paths.build_root(), 'regressions',
                           '%s-scratch' % kernel)
    copied = sorted({f for p in patches for f in p.files})
    out_dir = os.path.join(paths.build_root(), 'results',
                           'regressions-%s-%s%s%s' % (
                               kernel, arch,
                               runner.variant_name('', profile),
                               '-' + os.path.basename(os.path.normpath(
                                   folder)) if folder else ''))
    os.makedirs(out_dir, exist_ok=True)
    rows = []
    started = time.monotonic()

    def one(label, patch):
        sync_scratch(tree, scratch, copied)
        if patch:
            apply_patch(patch, scratch)
        try:
            ran = run(runner.Request(arch=arch, kdir=scratch, timeout=timeout,
                                     profile=profile), log)
        finally:
            sync_scratch(tree, scratch, copied)    # restore the copies
        kept = os.path.join(out_dir, label)
        if os.path.isdir(ran.folder):
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(ran.folder, kept)
        return ran.status, ran.cases

    log('==== regressions: the unpatched scratch tree first')
    status, cases = one('baseline', None)
    if status != results.EXIT_OK:
        raise UserError('the unpatched tree does not pass (make run exited '
                        'with %d); see %s/baseline' % (status,
                                                       os.path.relpath(out_dir)))
    for n, patch in enumerate(patches, 1):
        row = {'patch': patch.name, 'reverts': patch.header.get('reverts', ''),
               'visible': patch.header.get('visible', ''), 'failed': []}
        if not patch.visible_on(arch, profile):
            row['verdict'] = 'not visible here'
            rows.append(row)
            log('==== %d/%d %s: not visible on %s (%s); skipped'
                % (n, len(patches), patch.name, arch, row['visible']))
            continue
        log('==== %d/%d %s (%.0f s so far)' % (n, len(patches), patch.name,
                                               time.monotonic() - started))
        status, cases = one(patch.name, patch)
        row['verdict'], row['failed'] = verdict(status, cases)
        row['status'] = status
        rows.append(row)
        log('%s: %s %s' % (patch.name, row['verdict'],
                           ', '.join(row['failed'][:4])))
    summary = table(rows) + ['', closing_line(rows)]
    with open(os.path.join(out_dir, 'regressions.json'), 'w') as f:
        json.dump({'kernel': kernel, 'arch': arch, 'profile': profile or
                   'default', 'patches': rows,
                   'seconds': round(time.monotonic() - started)}, f,
                  indent=1)
    with open(os.path.join(out_dir, 'regressions.md'), 'w') as f:
        f.write('\n'.join(summary) + '\n')
    for line in summary:
        log(line)
    missed = [r for r in rows if r['verdict'] in ('missed', 'no build',
                                                  'no boot')]
    return 1 if missed else 0
