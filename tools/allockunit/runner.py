# SPDX-License-Identifier: GPL-2.0
"""Running a tree's kunit.py on the project's suites, and keeping results."""

import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

from . import UserError
from . import deps
from . import archs
from . import graft
from . import paths
from . import profiles
from . import results
from . import source
from . import userspace

# Where things are, and the exit statuses, for the code that runs: the
# other commands import them from paths and results.
PROJECT, build_root, Target, Lock = (paths.PROJECT, paths.build_root,
                                     paths.Target, paths.Lock)
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUILD, EXIT_INCOMPLETE = (
    results.EXIT_OK, results.EXIT_FAILED, results.EXIT_USAGE,
    results.EXIT_BUILD, results.EXIT_INCOMPLETE)

_COMPILER_ERROR = re.compile(r'^\S+:\d+(:\d+)?: (fatal )?error: ')
_LOCATION = re.compile(r'^\S+:\d+(:\d+)?: |^In file included|^\S+: In ')


def variant_name(pages='', profile=''):
    """What the build folder's name adds for PAGES= and PROFILE=."""
    parts = [pages] if pages else []
    if profile and profile != profiles.DEFAULT:
        parts.append(profile)
    return ''.join('-' + p for p in parts)


def page_options(arch, pages):
    """--kconfig_add lines for PAGES=, or a UserError naming the choices."""
    if not pages:
        return []
    sizes = archs.get(arch).page_options()
    if not sizes:
        raise UserError('PAGES=%s: ARCH=%s has one page size; PAGES= is '
                        'for ARCH=arm64' % (pages, arch))
    if pages not in sizes:
        raise UserError('PAGES=%s is not an ARCH=%s page size; choose one '
                        'of: %s' % (pages, arch, ', '.join(sizes)))
    return [sizes[pages]]


def check_values(arch, profile='', pages='', timeout=1):
    """Refuse ARCH=, PROFILE=, PAGES= and TIMEOUT= values before any
    work starts, each with one line that names it."""
    archs.get(arch)
    if profile and profile != profiles.DEFAULT and \
            profile not in profiles.names():
        raise UserError('PROFILE=%s: no configs/%s.config; choose one of: %s'
                        % (profile, profile, ', '.join(profiles.names())))
    page_options(arch, pages)
    if timeout <= 0:
        raise UserError('TIMEOUT=%s: give the seconds a kernel may run, more '
                        'than 0' % timeout)


def prepare(kernel, arch, kdir=None, log=print, install=True, flavour='',
            variant=''):
    """Packages, source tree and grafted view; returns (tree, Target)."""
    archs.get(arch)
    if kdir:
        tree = os.path.abspath(kdir)
        source.tree_version(tree)
        kernel_id = source.user_tree_id(tree)
        if install:
            deps.ensure(deps.needed(arch), log)
    else:
        source.check_kernel(kernel)
        if install:
            deps.ensure(deps.needed(arch, kernel), log)
        tree = source.debian_tree(kernel, log=log)
        kernel_id = kernel
    target = Target(kernel_id, arch, flavour=flavour, variant=variant)
    graft.sync_view(tree, target.view, PROJECT, log)
    return tree, target


def kconfig_extras(tree, arch):
    """--kconfig_add options the tree can honour beyond .kunitconfig.

    CONFIG_DEBUG_ATOMIC_SLEEP depends on !ARCH_NO_PREEMPT, which UML
    selected until 6.2; kunit.py fails on a .kunitconfig line that does not
    survive olddefconfig, so it is added only where it can be set. Then
    the architecture record's own options (tools/allockunit/arches/).
    """
    record = archs.get(arch)
    kconfig = os.path.join(tree, 'arch', record.tree, 'Kconfig')
    try:
        with open(kconfig, encoding='utf-8', errors='replace') as f:
            no_preempt = re.search(r'^\s*select\s+ARCH_NO_PREEMPT\b(?!_)',
                                   f.read(), re.M) is not None
    except OSError:
        no_preempt = True
    options = [] if no_preempt else ['CONFIG_DEBUG_ATOMIC_SLEEP=y']
    options += list(record.kconfig)
    extra = []
    for option in options:
        extra += ['--kconfig_add', option]
    return extra


def has_attribute_filter(tree):
    """KUnit's kunit.filter (6.6, lib/kunit/attributes.c); older kernels
    drop the parameter silently and would run every suite."""
    return os.path.isfile(os.path.join(tree, 'lib', 'kunit', 'attributes.c'))


def cc_options(arch='um'):
    gcc = archs.get(arch).cross_compile + 'gcc'
    return ['CC=ccache ' + gcc] if shutil.which('ccache') else []


def qemu_memory_mb(arch):
    """QEMU's -m for the architecture (its record says why)."""
    return archs.get(arch).qemu_memory_mb


def kunit_command(target, kunitconfig, jobs, timeout, filter_glob='',
                  extra=(), subcommand='run', make=()):
    """kunit.py run (configure, build, boot), exec (boot only) or build
    (configure and build)."""
    cmd = [sys.executable, '-B',
           os.path.join(target.view, 'tools/testing/kunit/kunit.py'),
           subcommand, '--arch=' + target.arch,
           '--build_dir=' + target.build_dir]
    if subcommand == 'build':
        extra = [e for e in extra if not e.startswith(
            ('--kernel_args', '--filter'))]
    else:
        cmd += ['--timeout=%d' % timeout,
                '--json=' + os.path.join(target.results, 'kunit.json')]
    if subcommand in ('run', 'build'):
        cmd += ['--kunitconfig=' + kunitconfig, '--jobs=%d' % jobs]
        cmd += ['--make_options=' + o for o in cc_options(target.arch)]
        cmd += ['--make_options=' + o for o in make]
        cross = archs.get(target.arch).cross_compile
        if cross:
            cmd.append('--cross_compile=' + cross)
    memory = qemu_memory_mb(target.arch)
    if memory and subcommand != 'build':
        cmd.append('--qemu_args=-m %d' % memory)
    cmd += list(extra)
    if filter_glob and subcommand != 'build':
        cmd.append(filter_glob)
    return cmd


def config_stamp(kunitconfig, kconfig_add, arch):
    """What the build folder's configuration was made from: the
    .kunitconfig, the options, the arch, and the project's Kconfig (a
    changed dependency there could drop a symbol that only kunit.py's own
    check would notice)."""
    h = hashlib.sha256()
    for path in (kunitconfig, os.path.join(PROJECT, 'Kconfig')):
        with open(path, 'rb') as f:
            h.update(f.read())
    return '%s\n%s\n%s' % (arch, ' '.join(kconfig_add), h.hexdigest())


def _stamp_path(target):
    return os.path.join(target.build_dir, '.alloc-kunit-config')


def config_is_current(target, stamp):
    """True when the last kunit.py run configured this folder from the
    same .kunitconfig, options and arch: then only `make` and `kunit.py
    exec` are needed (kbuild itself re-syncs .config when a Kconfig file
    changes), which skips kunit.py's olddefconfig, about 6 s a run."""
    try:
        with open(_stamp_path(target)) as f:
            return f.read() == stamp and os.path.isfile(
                os.path.join(target.build_dir, '.config'))
    except OSError:
        return False


def run_teed(cmd, log_path, on_line, append=False):
    """Run cmd, write its output to log_path and hand each line to on_line.

    Its own process group, so an interrupt stops make and kunit.py with
    everything they started. Returns the exit status.
    """
    with open(log_path, 'a' if append else 'w') as log, subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors='replace', start_new_session=True) as proc:
        try:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                on_line(line)
            return proc.wait()
        except KeyboardInterrupt:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            raise


def fast_build(target, jobs, log_file, out=None, make=()):
    """make all in the build folder; returns (status, output lines)."""
    out = out or sys.stdout
    cmd = ['make', '-C', target.view, 'O=' + target.build_dir,
           'ARCH=' + target.arch, '--jobs=%d' % jobs, 'all']
    cmd += cc_options(target.arch) + list(make)
    cross = archs.get(target.arch).cross_compile
    if cross:
        cmd.append('CROSS_COMPILE=' + cross)
    out.write('Building with: %s\n' % ' '.join(cmd))
    lines = []

    def on_line(line):
        lines.append(line.rstrip('\n'))
        if line.startswith(('  CC ', '  LINK')):
            out.write(line)
            out.flush()
    return run_teed(cmd, log_file, on_line, append=True), lines


def ccache_settings(base):
    """The ccache environment every build here uses: one cache under
    ~/.cache, paths below `base` hashed relative to it, the build folder's
    own path left out of the hash."""
    return {'CCACHE_DIR': os.path.expanduser('~/.cache/ccache'),
            'CCACHE_BASEDIR': base, 'CCACHE_NOHASHDIR': '1',
            # Depend mode hashes the headers the compiler reports (kbuild
            # passes -MMD) instead of running the preprocessor on every
            # miss, which made a cold build 46 % slower than plain gcc here.
            'CCACHE_DEPEND': '1'}


def ccache_env(target, tree):
    """ccache under ~/.cache, hitting from any clone of the project.

    Paths under the project become relative to the build folder, and the
    build folder's own path is left out of the hash, so a clone elsewhere
    (a CI runner's fresh checkout) reuses the same cache entries.

    One exception needs a key: ccache resolves a header reached through
    `..` from a linked folder of the view (fs/proc/base.c includes
    "../../lib/kstrtox.h") to its real path, which lies in the unpacked
    tree outside the project, and stores it relative to the build folder.
    That relative path is only right for build folders at the same place
    relative to the tree, so it goes into the hash (CCACHE_EXTRAFILES):
    a clone elsewhere misses instead of getting a dependency file that
    names a missing header (fixdep: error opening file).
    """
    for name, value in ccache_settings(PROJECT).items():
        os.environ.setdefault(name, value)
    os.makedirs(target.build_dir, exist_ok=True)
    key = os.path.join(target.build_dir, '.alloc-kunit-ccache-key')
    text = ccache_key(target.build_dir, tree)
    try:
        with open(key) as f:
            current = f.read()
    except OSError:
        current = None
    if current != text:
        _write(key, text.encode())
    os.environ['CCACHE_EXTRAFILES'] = key


def ccache_key(build_dir, tree):
    """What makes a cached dependency file right for this build folder."""
    return 'tree seen from the build folder: %s\n' % os.path.relpath(
        os.path.realpath(tree), os.path.realpath(build_dir))


# kunit.py boots UML with mem=1G; UML adds its exec-shield gap (~190 MiB).
UML_MEMORY_FILE = 1536 << 20


def free_bytes(path):
    try:
        st = os.statvfs(path)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def uml_tmpdir(log=print):
    """Pick the folder that holds UML's memory file, or None for UML's own.

    UML maps the guest's RAM from a file it creates in $TMPDIR, else in
    /dev/shm when that is tmpfs, else in /tmp (arch/um/os-Linux/mem.c).
    When that mount fills up, the next page the guest touches kills the
    kernel with SIGBUS in the middle of a suite. A container's /dev/shm
    is often 64 MiB, less than 6.1's suites touch; then the file goes to
    build/tmp on disk.
    """
    if os.environ.get('TMPDIR'):
        where = os.environ['TMPDIR']
    else:
        free = free_bytes('/dev/shm')
        if free is not None and free >= UML_MEMORY_FILE:
            return None
        where = os.path.join(build_root(), 'tmp')
        os.makedirs(where, exist_ok=True)
        log('UML memory file: %s (/dev/shm has %s free, UML may need %d '
            'MiB)' % (where, 'no' if free is None else
                      '%d MiB' % (free >> 20), UML_MEMORY_FILE >> 20))
    free = free_bytes(where)
    if free is not None and free < UML_MEMORY_FILE:
        log('warning: %s has %d MiB free; UML may need %d MiB and dies '
            'with SIGBUS when it runs out' % (where, free >> 20,
                                              UML_MEMORY_FILE >> 20))
    return where


def count_objects(build_dir, since=0.0):
    n = 0
    for folder, _, files in os.walk(build_dir):
        for name in files:
            if name.endswith('.o'):
                try:
                    if os.stat(os.path.join(folder, name)).st_mtime >= since:
                        n += 1
                except OSError:
                    pass
    return n


class Progress(threading.Thread):
    """While kunit.py builds (it prints nothing then), say how far it got."""

    def __init__(self, build_dir, log, every=20.0):
        super().__init__(daemon=True)
        self.build_dir, self.log, self.every = build_dir, log, every
        self.building = threading.Event()
        self.stopped = threading.Event()
        self.start_time = time.time()
        self.known = self._known_total()

    def _known_path(self):
        return os.path.join(self.build_dir, '.alloc-kunit-objects')

    def _known_total(self):
        try:
            with open(self._known_path()) as f:
                return int(f.read())
        except (OSError, ValueError):
            return 0

    def remember_total(self):
        total = count_objects(self.build_dir)
        if total:
            with open(self._known_path(), 'w') as f:
                f.write(str(total))

    def run(self):
        while not self.stopped.wait(self.every):
            if not self.building.is_set():
                continue
            done = count_objects(self.build_dir, self.start_time)
            of = ' of about %d' % self.known if self.known else ''
            self.log('  building: %d objects compiled%s, %.0f s'
                     % (done, of, time.time() - self.start_time))


def compiler_errors(lines, limit=40):
    """The compiler's error lines, each with the source lines under it."""
    out, keep = [], 0
    for line in lines:
        if _COMPILER_ERROR.match(line):
            out.append(line)
            keep = 3
        elif keep and not _LOCATION.match(line):
            out.append(line)
            keep -= 1
        else:
            keep = 0
    return out[:limit]


def stream(cmd, log_path, progress, out=None, append=False):
    """Run kunit.py, tee its output to log_path, hold back build dumps.

    kunit.py prints a failed build's whole stderr as one logging.error
    record; that block goes to the log only, and its compiler errors are
    returned for a short report. Returns (status, held-back lines).
    """
    out = out or sys.stdout
    held = []
    holding = False

    def on_line(line):
        nonlocal holding
        text = line.rstrip('\n')
        if 'Building KUnit Kernel' in text:
            progress.building.set()
        elif 'Starting KUnit Kernel' in text:
            progress.building.clear()
        if text.startswith('ERROR:root:'):
            holding = True
            progress.building.clear()
        elif holding and re.match(r'^\[\d\d:\d\d:\d\d\]', text):
            holding = False
        if holding:
            held.append(text)
        else:
            out.write(line)
            out.flush()
    return run_teed(cmd, log_path, on_line, append), held


def _write(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def collect(target, view_kunit, started, log=print):
    """Write raw.log, kunit.json, junit.xml; return (cases, lines)."""
    raw_src = os.path.join(target.build_dir, 'test.log')
    raw = os.path.join(target.results, 'raw.log')
    lines = []
    if os.path.isfile(raw_src) and os.path.getmtime(raw_src) >= started:
        shutil.copyfile(raw_src, raw)
        with open(raw, encoding='utf-8', errors='replace') as f:
            lines = f.readlines()
    json_path = os.path.join(target.results, 'kunit.json')
    if lines and not os.path.isfile(json_path):
        # kunit.py stopped before writing JSON: parse what the kernel said.
        subprocess.run([sys.executable, '-B', view_kunit, 'parse',
                        '--json=' + json_path, raw],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
    cases = []
    if os.path.isfile(json_path):
        with open(json_path) as f:
            root = json.load(f)
        cases = list(results.leaf_cases(root))
        logs, _ = results.scan_ktap(lines)
        _write(os.path.join(target.results, 'junit.xml'),
               results.to_junit(root, logs, 'alloc-kunit ' + target.name))
    return cases, lines


# The benchmark suite is built with the others (one kernel, one build) but
# runs only under `make bench`: `make run` filters it out by module name.
BENCH_SUITE, BENCH_MODULE = 'mm_alloc_bench', 'mm_alloc_bench_kunit'
# What the benchmark suite needs on the command line to run its cases.
BENCH_RUN_ARG = BENCH_MODULE + '.run=1'
# The suites whose cases that exhaust or fragment memory run only when
# asked (lib/mm_alloc_kunit.h, MM_ALLOC_DESTRUCTIVE_PARAM()). A plain
# kunit.py run leaves them out; make run and make regressions ask.
DESTRUCTIVE_MODULES = ('mm_alloc_kmalloc_kunit', 'mm_alloc_vmalloc_kunit',
                       'mm_alloc_failure_kunit')
DESTRUCTIVE_ARGS = [m + '.destructive=1' for m in DESTRUCTIVE_MODULES]


@dataclasses.dataclass(frozen=True)
class Request:
    """What to run: every make variable that shapes a run."""
    kernel: str = source.DEFAULT_KERNEL
    arch: str = 'um'
    kdir: str = None            # a tree of the user's instead of Debian's
    filter_glob: str = ''
    timeout: int = 300
    jobs: int = None            # None: one per CPU
    kunitconfig: str = None     # None: the project's .kunitconfig
    extra: tuple = ()           # more kunit.py arguments
    profile: str = ''
    pages: str = ''
    bench: bool = False
    build: bool = True
    destructive: bool = True

    def variant(self):
        return variant_name(self.pages, self.profile)

    def target(self):
        """Where this run's build and results live (without preparing)."""
        kernel_id = source.user_tree_id(os.path.abspath(self.kdir)) \
            if self.kdir else self.kernel
        return Target(kernel_id, self.arch, variant=self.variant(),
                      flavour='-bench' if self.bench else '')


def run(request, log=print, out=None):
    """`make run`: returns a results.Run (its .status is the exit status
    documented in README.md).

    With bench=True, run only the benchmark suite, into results/<..>-bench.
    With destructive=False, the cases that exhaust memory are left out (as
    a plain kunit.py run leaves them out).
    With build=False, a folder already configured and built is only booted
    again (make bench-compare's rounds: the kernel must not change).
    `out` takes kunit.py's and make's output instead of stdout (make
    mutate keeps it in a file and prints one line a mutant).
    PROFILE= (configs/<profile>.config) and PAGES= each get their own
    build folder and results: build/kunit/<kernel>-<arch>[-pages][-profile].
    """
    kernel, arch, kdir = request.kernel, request.arch, request.kdir
    filter_glob, timeout, jobs = (request.filter_glob, request.timeout,
                                  request.jobs)
    kunitconfig, extra, bench = (request.kunitconfig, request.extra,
                                 request.bench)
    profile, pages, build = request.profile, request.pages, request.build
    destructive = request.destructive
    started = time.time()
    check_values(arch, profile, pages, timeout)
    variant = variant_name(pages, profile)
    tree, target = prepare(kernel, arch, kdir, log,
                           flavour='-bench' if bench else '', variant=variant)
    if bench:
        filter_glob = filter_glob or BENCH_SUITE
        # the suite skips unless asked (lib/mm_alloc_bench_kunit.c)
        extra = ['--kernel_args=' + BENCH_RUN_ARG] + list(extra)
    elif has_attribute_filter(tree):
        extra = ['--filter=module!=' + BENCH_MODULE] + list(extra)
    else:
        # Building without it would rebuild the kernel at every switch
        # between make run and make bench; the suite skips its cases.
        log('note: this kernel has no kunit.filter, so the benchmark suite '
            'is booted too; its cases skip (they run only for make bench)')
    if destructive and not bench:
        extra = ['--kernel_args=' + a for a in DESTRUCTIVE_ARGS] + list(extra)
    kunitconfig = kunitconfig or os.path.join(PROJECT, '.kunitconfig')
    jobs = jobs or os.cpu_count() or 1
    view_kunit = os.path.join(target.view, 'tools/testing/kunit/kunit.py')
    with Lock(target.lock_path):
        os.makedirs(target.results, exist_ok=True)
        for name in ('raw.log', 'kunit.json', 'junit.xml', 'summary.txt'):
            path = os.path.join(target.results, name)
            if os.path.exists(path):
                os.unlink(path)
        log('kernel tree: %s' % tree)
        log('build folder: %s   results: %s' % (target.build_dir,
                                               target.results))
        kconfig_add = kconfig_extras(tree, arch)
        chosen, notes = profiles.options(profile, tree, arch)
        for line in page_options(arch, pages) + chosen:
            kconfig_add += ['--kconfig_add', line]
        for note in notes:
            log(note)
        least = profiles.min_timeout(profile)
        if timeout < least:
            log('PROFILE=%s: TIMEOUT raised from %d to %d s' % (profile, timeout,
                                                             least))
            timeout = least
        make = profiles.make_options(profile)
        boot = profiles.boot_args(profile)
        if boot:
            extra = ['--kernel_args=' + a for a in boot] + list(extra)
        stamp = config_stamp(kunitconfig, kconfig_add + make, arch)
        fast = config_is_current(target, stamp)
        if not fast and os.path.exists(_stamp_path(target)):
            os.unlink(_stamp_path(target))
        kunit_log = os.path.join(target.results, 'kunit.log')
        progress = Progress(target.build_dir, log)
        progress.start()
        ccache_env(target, tree)
        if arch == 'um':
            tmpdir = uml_tmpdir(log)
            if tmpdir:
                os.environ['TMPDIR'] = tmpdir
        interrupted = False
        job = profiles.userspace_job(profile)
        try:
            if job:
                status, held = userspace_run(
                    target, kunitconfig, jobs, timeout, filter_glob,
                    kconfig_add, extra, kunit_log, progress, fast, build,
                    job, log)
            elif fast:
                open(kunit_log, 'w').close()
                status, held = (fast_build(target, jobs, kunit_log,
                                           out=out, make=make)
                                if build else (0, []))
                if status == 0:
                    status, held = stream(kunit_command(
                        target, kunitconfig, jobs, timeout, filter_glob,
                        extra, 'exec'), kunit_log, progress, out=out,
                        append=True)
            else:
                status, held = stream(kunit_command(
                    target, kunitconfig, jobs, timeout, filter_glob,
                    kconfig_add + list(extra), make=make), kunit_log,
                    progress, out=out)
        except KeyboardInterrupt as stop:     # Ctrl-C, SIGTERM, SIGHUP
            interrupted, status, held = stop, 130, []
        finally:
            progress.stopped.set()
        cases, lines = collect(target, view_kunit, started, log)
        if lines and not interrupted:
            progress.remember_total()
            if not fast:
                with open(_stamp_path(target), 'w') as f:
                    f.write(stamp)
        code = report(target, status, held, cases, lines, log)
        if interrupted:
            raise interrupted
        return results.Run.of(target, code, cases, lines)


def userspace_run(target, kunitconfig, jobs, timeout, filter_glob,
                  kconfig_add, extra, kunit_log, progress, fast, build, job,
                  log=print):
    """Build as kunit.py would, then boot with a userspace that does `job`
    (userspace.py); the console goes where kunit.py puts it (test.log in
    the build folder), made one KTAP document. Returns (status, held)."""
    deps.ensure([userspace.PACKAGE], log)
    if fast:
        open(kunit_log, 'w').close()
        status, held = (fast_build(target, jobs, kunit_log) if build
                        else (0, []))
    else:
        status, held = stream(kunit_command(
            target, kunitconfig, jobs, timeout, '',
            kconfig_add + list(extra), 'build'), kunit_log, progress)
    progress.building.clear()
    if status != 0:
        return status, held
    params = [e.split('=', 1)[1] for e in extra
              if e.startswith('--kernel_args=')]
    for e in extra:
        if e.startswith('--filter='):
            params.append('kunit.filter="%s"' % e.split('=', 1)[1])
    if filter_glob:
        params.append('kunit.filter_glob=' + filter_glob)
    params.append('kunit.enable=1')
    modules, args = [], {}
    if job == 'load-modules':
        modules = module_files(target)
        if not modules:
            log('no suite modules (*.ko) in the build folder')
            return 1, ['no suite modules (*.ko) in %s' % target.build_dir]
        for p in params:
            name, _, arg = p.partition('.')
            if name + '.ko' in map(os.path.basename, modules):
                args[name] = (args.get(name, '') + ' ' + arg).strip()
        params = [p for p in params if p.partition('.')[0] not in args]
    initrd = userspace.make_initramfs(os.path.join(
        target.build_dir, 'mm-alloc-initramfs.cpio'), job, modules, args)
    cmd = userspace.boot_command(target.view, target.build_dir, target.arch,
                                 initrd, params,
                                 qemu_memory_mb(target.arch))
    with open(kunit_log, 'a') as f:
        f.write('Running tests with:\n$ %s\n' % ' '.join(cmd))
    log('booting with a userspace that does: %s' % job)
    raw = os.path.join(target.build_dir, 'test.log')
    status, lines, timed_out = userspace.boot(cmd, raw + '.console', timeout)
    extra_blocks = [userspace.kmemleak_ktap(lines)] \
        if job == 'kmemleak-scan' else []
    merged = userspace.merge_ktap(lines, extra_blocks)
    _write(raw, ('\n'.join(merged) + '\n').encode())
    if timed_out:
        log('the kernel ran longer than TIMEOUT (%d s) and was stopped'
            % timeout)
    done = any(userspace.DONE_MARK in line for line in lines)
    return (0 if done and not timed_out else 1), []


def module_files(target):
    """The suite modules of a build, in lib/Makefile's order."""
    folder = os.path.join(target.build_dir, 'lib', graft.GRAFT_NAME, 'lib')
    order = []
    with open(os.path.join(PROJECT, 'lib', 'Makefile')) as f:
        for line in f:
            m = re.match(r'^obj-\$\(CONFIG_\w+\)\s*\+=\s*(.+)$', line)
            if m:
                order += [o[:-2] + '.ko' for o in m.group(1).split()]
    return [os.path.join(folder, ko) for ko in order
            if os.path.isfile(os.path.join(folder, ko))]


# UML's own message when the mount that holds its memory file is full.
_UML_SIGBUS = 'Bus error - the host /dev/shm or /tmp mount'


def stop_reason(lines, n=8):
    """The kernel's last lines, and a hint when the cause is known."""
    tail = [results.strip_prefix(line).rstrip() for line in lines]
    tail = [line for line in tail if line.strip()][-n:]
    out = ['the kernel\'s last lines:'] + ['  ' + line for line in tail]
    if any(_UML_SIGBUS in line for line in lines):
        out.append('cause: the mount that holds UML\'s memory file is full; '
                   'free space there or set TMPDIR to a folder with %d MiB '
                   'free' % (UML_MEMORY_FILE >> 20))
    return out


def stale_kernel(build_dir, lines):
    """Why the kernel that booted is not the one in build_dir, or None.

    The banner ends with UTS_VERSION ("#N date"), which every link of
    vmlinux renews (include/generated/utsversion.h). One x86_64 run of an
    incremental build booted the image of the build before it, so its
    results were the unpatched kernel's; this makes such a run an error."""
    try:
        with open(os.path.join(build_dir, 'include', 'generated',
                               'utsversion.h')) as f:
            built = re.search(r'UTS_VERSION "([^"]*)"', f.read())
    except OSError:
        return None
    booted = next((results.strip_prefix(line).strip() for line in lines
                   if 'Linux version ' in line), None)
    if not built or not booted or booted.endswith(built.group(1)):
        return None
    return ('the kernel that booted ("%s") is not the one just built ("%s"):'
            ' these results are not this build\'s' % (
                booted[booted.rfind(') ') + 2:], built.group(1)))


def report(target, status, held, cases, lines, log=print):
    """Print and save the summary; decide the exit status."""
    summary = []
    rel = os.path.relpath(target.results)
    if rel.startswith('..'):
        rel = target.results
    if not lines:
        errors = compiler_errors(held)
        if errors:
            summary.append('the build failed; compiler errors:')
            summary += ['  ' + e for e in errors]
        else:
            summary.append('kunit.py stopped (status %d) before the kernel '
                           'ran:' % status)
            summary += ['  ' + e for e in (held or ['(see kunit.log)'])[-30:]]
        summary.append('full output: %s/kunit.log' % rel)
        code = EXIT_BUILD
    else:
        _, unfinished = results.scan_ktap(lines)
        passed, failed, skipped = results.count(cases)
        summary.append('%s: %d passed, %d failed, %d skipped'
                       % (target.name, passed, failed, skipped))
        unnamed = {}
        for case in cases:
            if not case.failed:
                continue
            if not case.never_reported:
                summary.append('  %s %s' % (case.status, '.'.join(case.path)))
            else:
                parent = '.'.join(case.path[:-1]) or 'the run'
                unnamed[parent] = unnamed.get(parent, 0) + 1
        for parent, n in unnamed.items():
            summary.append('  ERROR %s: %d case(s) never reported' % (parent,
                                                                   n))
        where = results.describe_unfinished(unfinished)
        splats, boot_splats = results.splats(lines)
        if where:
            summary.append(where)
            summary += ['  ' + e for e in stop_reason(lines)]
        for s in boot_splats[:4]:
            summary.append('kernel log, before the tests (not counted): ' + s)
        for s in splats[:10]:
            summary.append('kernel log, during the tests: ' + s)
        if not any('KTAP version' in line for line in lines):
            summary.append('no KTAP output: the kernel stopped before the '
                           'tests started; its last lines:')
            summary += ['  ' + results.strip_prefix(line)
                        for line in lines[-5:]]
        elif not cases:
            summary.append('no test case ran (check FILTER and .kunitconfig)')
        stale = stale_kernel(target.build_dir, lines)
        if stale:
            summary.append(stale)
        if where or stale or status != 0 and not failed or not any(
                'KTAP version' in line for line in lines):
            code = EXIT_INCOMPLETE
        elif failed or splats or not cases:
            code = EXIT_FAILED
        else:
            code = EXIT_OK
        summary.append('results: %s/{raw.log,kunit.json,junit.xml}' % rel)
    for line in summary:
        log(line)
    _write(os.path.join(target.results, 'summary.txt'),
           ('\n'.join(summary) + '\n').encode())
    return code


def bench(kernel=source.DEFAULT_KERNEL, arch='um', kdir=None, runs=2,
          timeout=600, jobs=None, log=print, profile='', pages=''):
    """`make bench`: run the benchmark suite `runs` times and report.

    The first run builds if needed; the others only boot the kernel again.
    Each run's raw log is kept as bench/<kernel>-<arch>/raw-<n>.log.
    """
    from . import bench as report
    if runs < 1:
        raise UserError('BENCH_RUNS=%d: the benchmark needs at least one '
                        'run (two to see a spread)' % runs)
    check_values(arch, profile, pages, timeout)
    deps.ensure(['gnuplot-nox'], log)
    worst = EXIT_OK
    logs = []
    target = None
    for n in range(1, runs + 1):
        log('==== benchmark run %d of %d' % (n, runs))
        ran = run(Request(kernel, arch, kdir, timeout=timeout, jobs=jobs,
                          bench=True, profile=profile, pages=pages), log)
        code, target = ran.status, ran.target
        worst = max(worst, code)
        raw = os.path.join(target.results, 'raw.log')
        if code not in (EXIT_OK, EXIT_FAILED) or not os.path.isfile(raw):
            log('benchmark run %d did not finish; no report' % n)
            return code
        os.makedirs(target.bench, exist_ok=True)
        keep = os.path.join(target.bench, 'raw-%d.log' % n)
        shutil.copyfile(raw, keep)
        logs.append(keep)
    report.report(logs, target.bench, target.kernel_id, arch, log)
    return worst
