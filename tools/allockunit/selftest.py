# SPDX-License-Identifier: GPL-2.0
"""`make test`: the project's whole test suite, ending in one count line.

Stages, each timed: the tool tests (unittest), the GitHub workflow
validator, checkpatch --strict on every C file, the census of documented
allocation interfaces (docs/contracts.md), `make run` on UML with the
default kernel (each KUnit case counts), checks that the unpacked tree was
left untouched and that no splat hit the kernel log during the tests, a W=1
build of the suites, `make mutate` on a fixed sample of mutants, then the
TEST_MATRIX runs (UML 6.1, x86_64 6.12 under QEMU, KASAN, modules, boot
options),
then `make patch` for each supported kernel (the series applies, is
checkpatch clean, names the mm maintainers, and unless PATCH_BUILD=0 runs
with the patched tree's own kunit.py). The last line
is `N passed, N failed, N skipped`; the status is non-zero when anything
failed or nothing ran. Every count is also written as one JUnit file,
build/results/make-test/junit.xml.
"""

import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

from . import UserError
from . import deps
from . import results
from . import paths
from . import runner
from . import source

KERNEL, ARCH = source.DEFAULT_KERNEL, 'um'


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []
        self.diagnoses = []
        # (stage, name, PASS/FAIL/SKIP/ERROR, detail) of everything counted:
        # the aggregate JUnit file
        self.records = []

    def record(self, name, status, detail='', group=None):
        self.records.append((group or _STAGE[0], name, status, detail))

    def add(self, name, ok, detail=''):
        self.record(name, 'PASS' if ok else 'FAIL', detail)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(name + (': ' + detail if detail else ''))
        print('%s %s%s' % ('ok    ' if ok else 'FAILED', name,
                           (' (' + detail + ')') if detail and not ok else ''))

    def line(self):
        return '%d passed, %d failed, %d skipped' % (
            self.passed, self.failed, self.skipped)


def run_tool(args):
    """alloc-kunit with `args` as a child; its status. A SIGTERM or Ctrl-C
    that stops make test is passed on, and the child waited for: it stops
    its own kunit.py and kernel (subprocess.run would SIGKILL it and leave
    them running)."""
    proc = subprocess.Popen([sys.executable, os.path.join(
        paths.PROJECT, 'tools', 'alloc-kunit')] + list(args))
    try:
        return proc.wait()
    except KeyboardInterrupt as stop:
        proc.send_signal(getattr(stop, 'signum', signal.SIGINT))
        proc.wait()
        raise


_STAGE = ['make test']


def stage(title):
    print('\n==== %s' % title, flush=True)
    _STAGE[0] = title
    return time.monotonic()


def tool_tests(tally):
    # The tool tests run xz, gnuplot and make for real: install them the
    # way every target installs what it needs, so that a fresh machine
    # passes too (a missing program fails its tests, never skips them).
    try:
        deps.ensure(sorted(set(deps.TOOL_TEST_PROGRAMS.values())))
    except UserError as e:
        tally.add('install what the tool tests run', False, str(e))
    here = os.path.join(paths.PROJECT, 'tools', 'tests')
    sys.path.insert(0, here)
    suite = unittest.defaultTestLoader.discover(here, top_level_dir=here)

    class Recorded(unittest.TextTestResult):
        def addSuccess(self, test):
            super().addSuccess(test)
            tally.record(test.id(), 'PASS', group='tool tests')

        def addFailure(self, test, err):
            super().addFailure(test, err)
            tally.record(test.id(), 'FAIL', self._exc_info_to_string(
                err, test), group='tool tests')

        def addError(self, test, err):
            super().addError(test, err)
            tally.record(test.id(), 'ERROR', self._exc_info_to_string(
                err, test), group='tool tests')

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            tally.record(test.id(), 'SKIP', reason, group='tool tests')
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=1,
                                  resultclass=Recorded).run(suite)
    bad = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    tally.skipped += len(res.skipped)
    tally.failed += bad
    tally.passed += res.testsRun - bad - len(res.skipped)
    for test, _ in res.failures + res.errors:
        tally.failures.append('tool test ' + test.id())


def c_files():
    return sorted(glob.glob(os.path.join(paths.PROJECT, 'lib', '*.[ch]')))


def checkpatch(tally, tree):
    script = os.path.join(tree, 'scripts', 'checkpatch.pl')
    for path in c_files():
        proc = subprocess.run(['perl', script, '--strict', '--no-tree',
                               '--terse', '--show-types', '-f', path],
                              capture_output=True, text=True, check=False)
        findings = [line for line in proc.stdout.splitlines()
                    if ': ERROR:' in line or ': WARNING:' in line or
                    ': CHECK:' in line]
        for line in findings:
            print('  ' + line)
        tally.add('checkpatch --strict ' + os.path.relpath(path),
                  proc.returncode == 0 and not findings,
                  '%d findings' % len(findings))


def regression_patches(tally, tree):
    """Every tools/regressions/ and tools/mutations/ patch applies to the
    default kernel's tree and comes off again (in a scratch tree of links:
    the tree is never written)."""
    from . import regressions
    try:
        deps.ensure(['patch'])
    except UserError as e:
        tally.add('regression patches', False, str(e))
        return
    for kind, folder in (('regression', regressions.PATCH_DIR),
                         ('mutation', regressions.MUTATION_DIR)):
        try:
            patches = regressions.find_patches(folder=folder)
        except UserError as e:
            tally.add('%s patches' % kind, False, str(e))
            continue
        scratch = os.path.join(paths.build_root(), 'regressions', 'check')
        problems = dict(regressions.check_patches(tree, scratch, patches))
        for patch in patches:
            tally.add('%s patch %s applies and reverts' % (kind, patch.name),
                      patch.name not in problems,
                      problems.get(patch.name, ''))


def manifest(tree):
    """A digest of every path, type, size and mtime under the tree."""
    h = hashlib.sha256()
    for folder, dirs, files in os.walk(tree):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(folder, name)
            st = os.lstat(path)
            h.update(('%s %o %d %d\n' % (os.path.relpath(path, tree),
                                         st.st_mode, st.st_size,
                                         st.st_mtime_ns)).encode())
    return h.hexdigest()


def diagnose(tally, target, status):
    """Keep a failed run's own summary for the end of the output, where a
    CI log that shows only its tail still has it."""
    if status == 0:
        return
    try:
        with open(os.path.join(target.results, 'summary.txt')) as f:
            lines = f.read().splitlines()
    except OSError:
        lines = ['(no summary.txt; see %s/kunit.log)'
                 % os.path.relpath(target.results)]
    tally.diagnoses.append('%s (make run exited with status %d):'
                           % (target.name, status))
    tally.diagnoses += ['  ' + line for line in lines[:30]]


def kunit_results(tally, target):
    path = os.path.join(target.results, 'kunit.json')
    if not os.path.isfile(path):
        tally.add('make run wrote ' + os.path.relpath(path), False,
                  'missing')
        return
    ran = results.Run.read(target, 0)
    cases = ran.cases
    passed, failed, skipped = ran.counts()
    for c in cases:
        tally.record(c.label, c.status, group='KUnit ' + target.name)
    tally.passed += passed
    tally.failed += failed
    tally.skipped += skipped
    tally.failures += ['KUnit %s %s' % (c.status, c.label)
                       for c in ran.failed()]
    print('KUnit cases: %d passed, %d failed, %d skipped'
          % (passed, failed, skipped))
    tally.add('no WARN/BUG/oops in the kernel log during the tests',
              not ran.reports, '; '.join(ran.reports[:3]))


# make mutate's machinery on a few mutants: kmalloc_size_roundup()'s
# returned values replaced (mm/slab_common.c), each one incremental build
# and one run of the regressions scratch tree.
MUTATE_SAMPLE = ('--funcs', 'kmalloc_size_roundup', '--ops', 'return')


def mutate_sample(tally):
    """make mutate on MUTATE_SAMPLE from scratch: it ends, every mutant
    has a verdict, none is invalid, and a case kills at least one."""
    status = run_tool(['mutate', '--fresh'] + list(MUTATE_SAMPLE))
    from . import mutate
    path = os.path.join(mutate.out_folder(
        KERNEL, ARCH, funcs=[MUTATE_SAMPLE[1]], operators=[MUTATE_SAMPLE[3]]),
        'mutation.json')
    tally.add('make mutate %s ends with status 0' % ' '.join(MUTATE_SAMPLE),
              status == 0, 'status %d' % status)
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        tally.add('make mutate wrote mutation.json', False, str(e))
        return
    verdicts = [r['verdict'] for r in data['rows']]
    tally.add('every mutant of the sample has a verdict',
              len(verdicts) == data['chosen'] and data['chosen'] > 0,
              '%d of %d' % (len(verdicts), data['chosen']))
    tally.add('no mutant of the sample is invalid', 'invalid' not in
              verdicts, ', '.join(verdicts))
    tally.add('a case kills a mutant of the sample', 'killed' in verdicts,
              ', '.join(verdicts))


def census_check(tally, tree):
    """Every allocation interface the tree documents has a row in
    docs/contracts.txt, every case a row names exists and names it, and
    docs/contracts.md is what make census writes."""
    from . import census
    try:
        problems = census.main(tree, '.'.join(map(str, source.tree_version(
            tree))), write=False)
    except UserError as e:
        problems = [str(e)]
    rows = [p for p in problems if 'has no row' in p]
    cases = [p for p in problems if 'no case' in p or 'never names' in p]
    other = [p for p in problems if p not in rows + cases]
    tally.add('census: every documented allocation interface has a row',
              not rows, '; '.join(rows[:3]) + (' ...' if len(rows) > 3
                                                 else ''))
    tally.add('census: each case a row names exists and calls it',
              not cases, '; '.join(cases[:3]))
    tally.add('census: docs/contracts.md is current', not other,
              '; '.join(other[:3]))


def w1_build(tally, target, what='built in'):
    """Compile the suites again with W=1 and demand no warning: in the
    build folder of `target`, whose configuration builds them in or as
    modules."""
    objs = ['lib/alloc-kunit/lib/%s.o'
            % os.path.basename(p)[:-2] for p in c_files()
            if p.endswith('.c')]
    cmd = ['make', '-C', target.view, 'O=' + target.build_dir,
           'ARCH=' + target.arch, 'W=1'] + runner.cc_options(target.arch)
    cmd += objs
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    warnings = [line for line in proc.stderr.splitlines()
                if 'warning:' in line or 'error:' in line]
    for line in warnings:
        print('  ' + line)
    tally.add('W=1 build of %d C files, %s' % (len(objs), what),
              proc.returncode == 0 and not warnings,
              '%d warnings' % len(warnings) if warnings else
              proc.stderr.strip()[-300:])


VALIDATOR = '@action-validator/cli@0.6.0'


def workflows(tally):
    """Validate every GitHub workflow with a validator from npm."""
    files = sorted(glob.glob(os.path.join(paths.PROJECT, '.github',
                                          'workflows', '*.y*ml')))
    prefix = os.path.join(paths.build_root(), 'node')
    tool = os.path.join(prefix, 'node_modules', '.bin', 'action-validator')
    if not os.path.exists(tool):
        if not shutil.which('npm'):
            deps.ensure(['npm'])
        proc = subprocess.run(['npm', 'install', '--prefix', prefix,
                               '--no-audit', '--no-fund', VALIDATOR],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tally.add('install ' + VALIDATOR, False,
                      proc.stderr.strip()[-300:])
            return
    for path in files:
        proc = subprocess.run([tool, path], capture_output=True, text=True,
                              check=False)
        for line in (proc.stdout + proc.stderr).strip().splitlines()[:20]:
            print('  ' + line)
        tally.add('action-validator ' + os.path.relpath(path),
                  proc.returncode == 0)


def main():
    tally = Tally()
    times = []
    t = stage('tool tests')
    tool_tests(tally)
    times.append(('tool tests', time.monotonic() - t))

    t = stage('GitHub workflows')
    try:
        workflows(tally)
    except UserError as e:
        tally.add('validate the GitHub workflows', False, str(e))
    times.append(('workflows', time.monotonic() - t))

    t = stage('install, unpack and graft (%s, %s)' % (KERNEL, ARCH))
    try:
        tree, target = runner.prepare(KERNEL, ARCH)
    except UserError as e:
        tally.add('prepare the default kernel', False, str(e))
        return finish(tally, times)
    times.append(('prepare', time.monotonic() - t))

    t = stage('checkpatch --strict')
    checkpatch(tally, tree)
    times.append(('checkpatch', time.monotonic() - t))

    t = stage('census of the documented allocation interfaces (%s)' % KERNEL)
    census_check(tally, tree)
    times.append(('census', time.monotonic() - t))

    t = stage('regression patches apply to %s' % KERNEL)
    regression_patches(tally, tree)
    times.append(('patches', time.monotonic() - t))

    t = stage('make run (%s, %s)' % (KERNEL, ARCH))
    before = manifest(tree)
    status = run_tool(['run', '--kernel', KERNEL, '--arch', ARCH])
    print('make run exited with status %d' % status)
    diagnose(tally, target, status)
    kunit_results(tally, target)
    tally.add('the unpacked kernel tree is untouched by make run',
              manifest(tree) == before)
    times.append(('make run', time.monotonic() - t))

    t = stage('W=1 build of the suites')
    w1_build(tally, target)
    times.append(('W=1', time.monotonic() - t))

    t = stage('make mutate: a fixed sample (%s)' % ', '.join(MUTATE_SAMPLE))
    mutate_sample(tally)
    times.append(('mutate sample', time.monotonic() - t))

    for kernel, arch, profile in more_combinations():
        name = '-'.join(filter(None, (kernel, arch, profile)))
        t = stage('make run (%s)' % ', '.join(filter(None, (kernel, arch,
                                                            profile))))
        try:
            _, other = runner.prepare(kernel, arch, variant=runner.variant_name(
                '', profile))
        except UserError as e:
            tally.add('prepare ' + name, False, str(e))
            continue
        status = run_tool(['run', '--kernel', kernel, '--arch', arch] +
                          (['--profile', profile] if profile else []))
        print('make run exited with status %d' % status)
        diagnose(tally, other, status)
        kunit_results(tally, other)
        if profile == 'modules':
            w1_build(tally, other, 'as modules')
        times.append(('run ' + name, time.monotonic() - t))

    from . import patchseries
    for kernel in source.SUPPORTED_KERNELS:
        if tuple(map(int, kernel.split('.'))) < patchseries.MIN_VERSION:
            continue    # the series is for newer kernels; make run does 6.1
        t = stage('make patch (%s): git am, checkpatch, get_maintainer%s'
                  % (kernel, ', kunit.py run' if patch_build() else ''))
        patch_series(tally, kernel, patch_build())
        times.append(('patch ' + kernel, time.monotonic() - t))
    return finish(tally, times)


def patch_build():
    """PATCH_BUILD=0 leaves out the build and run of the series in the
    patched tree (make test PATCH_BUILD=0); by default it is in."""
    return os.environ.get('PATCH_BUILD', '') not in ('0', 'no')


def patch_series(tally, kernel, build):
    """The series of `make patch` applies with git am to a pristine git
    copy of the Debian tree, is checkpatch --strict clean patch by patch,
    names the mm maintainers, and (with build) builds and passes with the
    tree's own kunit.py; the unpacked tree is left untouched."""
    from . import patchseries
    try:
        series = patchseries.prepare(kernel)
        before = manifest(series.source_tree)
        patchseries.make_series(series)
        items = patchseries.check(series, build)
    except UserError as e:
        tally.add('make patch %s' % kernel, False, str(e))
        return
    for item, ok, detail in items:
        tally.add('patch ' + item, ok, detail)
    tally.add('the unpacked %s tree is untouched by make patch' % kernel,
              manifest(series.source_tree) == before)
    for what, secs in series.times:
        print('  %-28s %6.1f s' % (what, secs))


# What make test runs after UML 6.12 (docs/targets.md says why these): UML
# 6.1, x86_64 6.12 under QEMU, UML 6.12 under KASAN, which catches what no
# plain run can, and UML 6.12 with every suite a module.
DEFAULT_MATRIX = '6.1-um 6.12-x86_64 6.12-um-kasan 6.12-um-modules 6.12-x86_64-boot-options'


def more_combinations():
    """The (kernel, arch, profile) runs after the default one.

    TEST_MATRIX (make test TEST_MATRIX="6.1-um 6.12-um-kasan") picks them:
    kernel-arch, or kernel-arch-profile.
    """
    spec = os.environ.get('TEST_MATRIX', DEFAULT_MATRIX)
    runs = []
    for item in spec.split():
        kernel, _, rest = item.partition('-')
        arch, _, profile = rest.partition('-')
        if (kernel, arch, profile) != (KERNEL, ARCH, ''):
            runs.append((kernel, arch, profile))
    return runs


def junit_path():
    return os.path.join(paths.build_root(), 'results', 'make-test',
                        'junit.xml')


def write_junit(tally):
    """One JUnit file of every tool test, check and KUnit case make test
    counted, one suite per stage, for a CI system to show."""
    groups = {}
    logs = {}
    for group, name, status, detail in tally.records:
        groups.setdefault(group, []).append({'name': name,
                                             'status': status})
        if detail:
            logs[(group, name)] = detail.splitlines()
    root = {'name': results.ROOT_NAME, 'test_cases': [], 'sub_groups': [
        {'name': g, 'test_cases': cases, 'sub_groups': []}
        for g, cases in groups.items()]}
    path = junit_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(results.to_junit(root, logs, name='make test'))
    return path


def finish(tally, times):
    print('\n==== summary')
    for name, secs in times:
        print('  %-16s %7.1f s' % (name, secs))
    for failure in tally.failures:
        print('FAILED: ' + failure)
    for line in tally.diagnoses:
        print(line)
    total = tally.passed + tally.failed + tally.skipped
    if not total:
        print('nothing ran')
    print('every count as JUnit: %s' % os.path.relpath(write_junit(tally)))
    print(tally.line(), flush=True)
    return 1 if tally.failed or not total else 0
