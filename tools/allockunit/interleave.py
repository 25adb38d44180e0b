# SPDX-License-Identifier: GPL-2.0
"""`make bench-compare`: build kernels A and B, boot them in turn.

Each kernel is built once, and booted once to warm up (that boot is kept
as warmup-<A|B>.log and not counted). Then the benchmark suite runs in
rounds, A B B A A B ..., without rebuilding: every boot's raw log is kept as
round-<n>-<A|B>.log, and compare.py reports the complete rounds. A boot
that fails is booted once more (its log kept as round-<n>-<A|B>-try1.log);
failing again ends the comparison, and the rounds before it are still
reported, with a line that says which boot failed and why. A kernel
rebuilt by someone else meanwhile (its "Linux version" line changes)
counts as a failed boot, not retried: its figures would mix two kernels.
"""

import glob
import os
import shutil
import statistics
import time

from . import UserError
from . import bench
from . import compare
from . import deps
from . import paths
from . import results
from . import runner
from . import source

# Ten rounds (twenty boots). The interval's half-width goes as
# t(n-1)/sqrt(n): 0.72 at ten rounds, 1.24 at five, 0.47 at twenty for
# twice the time; and ten rounds give the bootstrap 92378 distinct
# resamples, five only 126. Measured, UML 6.12 against itself, ten
# rounds: median half-width 1.8 %, 3 rows of 156 marked, 5 min of boots.
DEFAULT_ROUNDS = 10
# A failed boot is tried once more before the comparison ends: one 6.1 boot
# in about twenty stopped inside the benchmark suite on UML (after its
# alloc rows; the cause was not found), and a 10-minute comparison should
# not end on it.
RETRIES = 1
REBUILT = 'it was rebuilt meanwhile'
# Once a side has booted in a round, its later boots may take at most this
# many times its longest boot so far (never under BOOT_LIMIT_MIN seconds):
# the 6.1 hang then costs two minutes, not TIMEOUT's ten.
BOOT_LIMIT_FACTOR = 5
BOOT_LIMIT_MIN = 120
SIDES = ('A', 'B')
USABLE = (results.EXIT_OK, results.EXIT_FAILED)


class Side:
    """One of the two kernels: a Debian series or a tree of the user's."""

    def __init__(self, name, kernel, kdir):
        if bool(kernel) == bool(kdir):
            raise UserError('bench-compare needs %s=<%s> or %s_KDIR=<a '
                            'kernel tree>, one of the two' % (
                                name, '|'.join(source.SUPPORTED_KERNELS),
                                name))
        self.name = name
        self.kernel = kernel or source.DEFAULT_KERNEL
        self.kdir = os.path.abspath(kdir) if kdir else None
        if kernel:
            source.check_kernel(kernel)
        self.label = source.user_tree_id(kdir) if kdir else kernel
        self.version = None

    def same_kernel(self, other):
        return (self.kernel, self.kdir) == (other.kernel, other.kdir)

    def describe(self):
        return '%s (%s)' % (self.name, self.label)


def schedule(rounds):
    """The boots, in order: (round, side), A B in odd rounds and B A in
    even ones. Measured on UML 6.12 against itself, the second boot of a
    round ran up to 5 % faster in every round; with A always first, 8 of
    156 rows came out marked, all 'faster'. Alternating the order turns
    that into noise that cancels in the mean ratio and widens the interval
    instead of biasing it."""
    return [(n, side) for n in range(1, rounds + 1)
            for side in (SIDES if n % 2 else SIDES[::-1])]


def out_dir(a, b, arch, variant=''):
    return os.path.join(paths.build_root(), 'bench', 'compare-%s-vs-%s-%s%s'
                        % (a.label, b.label, arch, variant))


def kernel_version(path):
    """The boot's "Linux version ..." line: it names the build (its
    number and date), so a kernel rebuilt meanwhile is seen."""
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            at = line.find('Linux version ')
            if at >= 0:
                return line[at:].strip()
    return None


def read_records(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return bench.parse(f)


def runner_boot(arch, timeout, log, profile='', pages=''):
    """boot(side, build) -> (exit status, raw log or None), through the
    runner: the benchmark suite alone, built first only when asked."""
    def boot(side, build, limit=None):
        ran = runner.run(runner.Request(
            side.kernel, arch, side.kdir,
            timeout=min(limit or timeout, timeout), bench=True, build=build,
            profile=profile, pages=pages), log)
        raw = os.path.join(ran.folder, 'raw.log')
        return ran.status, raw if os.path.isfile(raw) else None
    return boot


def clear(folder):
    """Remove the previous comparison's files: none may pass for new."""
    for pattern in ('round-*.log', 'warmup-*.log', 'compare.*', 'plot-*'):
        for path in glob.glob(os.path.join(folder, pattern)):
            os.unlink(path)


def keep(raw, path):
    if raw and os.path.isfile(raw):
        shutil.copyfile(raw, path)
        return path
    return None


def check_boot(code, kept, expected_version):
    """(records, problem): what a boot gave, or why it cannot be used."""
    if code not in USABLE:
        return [], 'exit status %d' % code
    if not kept:
        return [], 'no raw log'
    records = read_records(kept)
    if not records:
        return [], 'no BENCH line in its log'
    version = kernel_version(kept)
    if expected_version and version != expected_version:
        return [], ('the kernel changed since the comparison began (now "%s"'
                    ', was "%s"): %s'
                    % (version, expected_version, REBUILT))
    return records, None


def warm_up(sides, boot, folder, log):
    """Build each kernel and boot it once; None, or the failing status."""
    done = []
    for side in sides:
        twin = next((s for s in done if s.same_kernel(side)), None)
        if twin:
            side.version = twin.version
            continue
        log('==== building %s and booting it once to warm up (not counted)'
            % side.describe())
        code, raw = boot(side, True)
        kept = keep(raw, os.path.join(folder, 'warmup-%s.log' % side.name))
        records, problem = check_boot(code, kept, None)
        if problem:
            log('bench-compare: %s did not build or boot (%s); nothing to '
                'compare' % (side.describe(), problem))
            return code if code not in USABLE else results.EXIT_INCOMPLETE
        side.version = kernel_version(kept)
        done.append(side)
    return None


def eta(durations, left):
    """How long the boots left should take, from those done so far."""
    if not durations:
        return ''
    minutes = statistics.fmean(durations) * left / 60
    return ' (about %d min left)' % max(1, round(minutes))


def run(a, b, arch='um', rounds=DEFAULT_ROUNDS, timeout=600, log=print,
        boot=None, clock=time.monotonic, profile='', pages=''):
    """`make bench-compare`: returns an exit status (0: every round ran).

    a and b are Side objects; boot(side, build) boots one kernel (tests
    pass a fake one).
    """
    if rounds < 1:
        raise UserError('ROUNDS=%d: a comparison needs at least one round '
                        '(two for an interval)' % rounds)
    runner.check_values(arch, profile, pages, timeout)
    deps.ensure(['gnuplot-nox'], log)
    boot = boot or runner_boot(arch, timeout, log, profile, pages)
    folder = out_dir(a, b, arch, runner.variant_name(pages, profile))
    os.makedirs(folder, exist_ok=True)
    with paths.Lock(folder + '.lock'):
        clear(folder)
        failed = warm_up((a, b), boot, folder, log)
        if failed is not None:
            return failed
        return _rounds(a, b, arch, rounds, boot, folder, log, clock)


def _rounds(a, b, arch, rounds, boot, folder, log, clock):
    sides = {'A': a, 'B': b}
    done = {'A': [], 'B': []}
    took = {'A': [], 'B': []}      # seconds of each side's good boots
    boots, durations = [], []
    status, stopped, interrupted = results.EXIT_OK, None, False
    order = schedule(rounds)
    for i, (n, name) in enumerate(order):
        side = sides[name]
        log('==== round %d of %d: %s ...%s' % (
            n, rounds, side.describe(), eta(durations, len(order) - i)))
        path = os.path.join(folder, 'round-%02d-%s.log' % (n, name))
        try:
            for attempt in range(1 + RETRIES):
                code, records, problem, kept, final = _boot_once(
                    side, boot, path, log, clock, durations,
                    boot_limit(took[name]))
                if not problem:
                    took[name].append(durations[-1])
                boots.append({'round': n, 'side': name, 'status': code,
                              'seconds': round(durations[-1], 1),
                              'log': os.path.basename(kept) if kept else None,
                              'problem': problem})
                if not problem or final or attempt == RETRIES:
                    break
                if kept:
                    tried = path[:-len('.log')] + '-try%d.log' % (attempt + 1)
                    os.replace(kept, tried)
                    boots[-1]['log'] = os.path.basename(tried)
                log('bench-compare: round %d of %d: %s failed (%s); booting '
                    'it once more' % (n, rounds, side.describe(), problem))
        except KeyboardInterrupt as stop:
            stopped = ('interrupted during round %d of %d (%s)'
                       % (n, rounds, side.describe()))
            interrupted = stop
            break
        if problem:
            status = code if code not in USABLE else results.EXIT_INCOMPLETE
            stopped = ('round %d of %d: %s failed: %s%s' % (
                n, rounds, side.describe(), problem,
                '; its log: %s' % kept if kept else ''))
            log('bench-compare: %s' % stopped)
            break
        status = max(status, code)
        if code != results.EXIT_OK:
            log('note: a case failed or the kernel reported a problem in '
                'this boot; its figures are used (see its log)')
        done[name].append(records)
    complete = min(len(done['A']), len(done['B']))
    if stopped:
        stopped += ('; rounds 1-%d are reported' % complete if complete
                    else '; no complete round to report')
        log('bench-compare: ' + stopped)
    if complete:
        meta = {'a': _meta(a), 'b': _meta(b), 'arch': arch,
                'rounds': rounds, 'order': 'A B, B A, A B ...', 'boots': boots,
                'stopped': stopped}
        compare.report(folder, done['A'][:complete], done['B'][:complete],
                       meta, log)
    log('every boot\'s raw log: %s/{warmup,round}-*.log' % folder)
    if interrupted:
        raise interrupted
    return status


def boot_limit(seconds):
    """The time a boot may take, from the side's boots so far (or None)."""
    if not seconds:
        return None
    return max(BOOT_LIMIT_MIN, round(BOOT_LIMIT_FACTOR * max(seconds)))


def _boot_once(side, boot, path, log, clock, durations, limit=None):
    """Boot @side once: (status, records, problem, kept log, final), where
    final means that booting again cannot help (an error of the runner's,
    or a kernel rebuilt meanwhile)."""
    started = clock()
    final = False
    try:
        code, raw = boot(side, False, limit)
    except UserError as e:
        code, raw, final = e.status, None, True
        log('alloc-kunit: error: %s' % e)
    durations.append(clock() - started)
    kept = keep(raw, path)
    records, problem = check_boot(code, kept, side.version)
    final = final or bool(problem and REBUILT in problem)
    return code, records, problem, kept, final


def _meta(side):
    return {'label': side.label, 'kernel': side.kernel, 'kdir': side.kdir,
            'version': side.version}
