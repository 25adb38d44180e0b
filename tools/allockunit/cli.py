# SPDX-License-Identifier: GPL-2.0
"""alloc-kunit: the allocator KUnit suites, run, measured and checked.

Each command is a make target of the same name (make run, make bench, ...);
`make help` lists the variables, which map onto the options here.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys

from . import Stopped, UserError
from . import archs
from . import profiles
from . import paths
from . import runner
from . import source

__version__ = '1.0'
def page_choices():
    return sorted({p for a in archs.records().values()
                   for p, _ in a.pages}, key=lambda p: int(p[:-1]))


def version():
    """The release, and the commit when run from a git clone with git
    installed (a fresh machine has neither necessarily)."""
    commit = ''
    if os.path.isdir(os.path.join(paths.PROJECT, '.git')) and \
            shutil.which('git'):
        proc = subprocess.run(['git', '-C', paths.PROJECT, 'describe',
                               '--always', '--dirty'], capture_output=True,
                              text=True, check=False)
        commit = proc.stdout.strip() if proc.returncode == 0 else ''
    return 'alloc-kunit %s%s' % (__version__, ' (%s)' % commit if commit
                                 else '')


class Version(argparse.Action):
    """--version, worked out only when asked for."""

    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0,
                         help="print the tool's version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(version())
        parser.exit()


class Parser(argparse.ArgumentParser):
    """Errors in one line, as every other error of the tool, naming the
    make variable (`ARCH=sparc is not supported`) where there is one."""

    def error(self, message):
        m = re.match(r"argument (--[\w-]+): (.*)$", message)
        if m:
            var = self.variable(m.group(1))
            choice = re.match(r"invalid choice: '(.*)' \(choose from (.*)\)$",
                              m.group(2))
            if var and choice:
                named = [c.strip("'") for c in choice.group(2).split(', ')]
                message = '%s=%s is not supported; choose one of: %s' % (
                    var, choice.group(1), ', '.join(c for c in named if c))
            elif var:
                message = '%s=%s' % (var, m.group(2))
        self.exit(2, '%s: error: %s\n' % (self.prog, message))

    def variable(self, option):
        """The make variable an option's help names: "(TIMEOUT=)"."""
        for action in self._actions:
            if option in action.option_strings:
                m = re.search(r'\(([A-Z_]+)=', action.help or '')
                return m.group(1) if m else None
        return None


def count(least):
    """An argparse type: an integer of at least `least`, refused with one
    line that names it (BENCH_RUNS=0, TIMEOUT=-1)."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError('%r is not a whole number'
                                             % text) from None
        if value < least:
            raise argparse.ArgumentTypeError('%d: give %d or more'
                                             % (value, least))
        return value
    parse.__name__ = 'count'
    return parse


def _kernel(p):
    p.add_argument('--kernel', default=source.DEFAULT_KERNEL,
                   choices=source.SUPPORTED_KERNELS,
                   help='Debian kernel source series (KERNEL=)')


def _arch(p):
    p.add_argument('--arch', default='um', choices=archs.names(),
                   help='architecture (ARCH=)')


def _kdir(p, what="a kernel tree of the user's, never modified"):
    p.add_argument('--kdir', default='', help=what + ' (KDIR=)')


def _variant(p, pages=True):
    p.add_argument('--profile', default='', choices=[''] + profiles.names(),
                   metavar='PROFILE',
                   help='configuration profile, configs/<name>.config: %s '
                   '(PROFILE=)' % ', '.join(profiles.names()))
    if pages:
        p.add_argument('--pages', default='', choices=[''] + page_choices(),
                       help='base page size on arm64 (PAGES=)')


def _timeout(p, default, what='seconds the kernel may run (TIMEOUT=)'):
    p.add_argument('--timeout', type=count(1), default=default,
                   help='%s; default %d' % (what, default))


def _common(p):
    _kernel(p)
    _arch(p)
    _kdir(p)


def _names(value):
    return tuple(v.strip() for v in value.split(',') if v.strip())


def parser():
    from . import mutate
    top = Parser(prog='alloc-kunit', description=__doc__,
                                  formatter_class=argparse.
                                  RawDescriptionHelpFormatter)
    top.add_argument('--version', action=Version)
    sub = top.add_subparsers(dest='command', required=True,
                             metavar='command')
    run = sub.add_parser('run', help='build and run the suites with kunit.py')
    _common(run)
    run.add_argument('--filter', default='',
                     help="kunit.py filter glob, e.g. 'mm_alloc_kmalloc.*' "
                     "(FILTER=)")
    _timeout(run, 300)
    run.add_argument('--jobs', type=count(0), default=0,
                     help='parallel build jobs; 0: one per CPU')
    run.add_argument('--kunitconfig', default='',
                     help='a .kunitconfig of your own instead of the '
                     "project's")
    _variant(run)
    run.add_argument('extra', nargs='*',
                     help='further kunit.py arguments, after --')
    bench = sub.add_parser('bench', help='run the benchmark suite and '
                           'report: table, CSV, JSON, plot')
    _common(bench)
    bench.add_argument('--runs', type=count(1), default=2,
                       help='boots, to measure their spread (BENCH_RUNS=)')
    _timeout(bench, 600)
    _variant(bench)
    comp = sub.add_parser('bench-compare', help='two kernels booted in '
                          'turn, A B A B ...: B/A for every measurement, '
                          'with 95%% intervals')
    for side in ('a', 'b'):
        comp.add_argument('--%s-kernel' % side, default='',
                          choices=[''] + list(source.SUPPORTED_KERNELS),
                          help='kernel %s: a Debian series (%s=)' % (
                              side.upper(), side.upper()))
        comp.add_argument('--%s-kdir' % side, default='',
                          help='kernel %s: a tree of your own instead '
                          '(%s_KDIR=)' % (side.upper(), side.upper()))
    _arch(comp)
    comp.add_argument('--rounds', type=count(1), default=None,
                      help='rounds, one boot of each kernel per round '
                      '(ROUNDS=; default 10)')
    _timeout(comp, 600)
    _variant(comp)
    prep = sub.add_parser('prepare',
                          help='install, unpack and graft; print the view')
    _common(prep)
    regr = sub.add_parser('regressions', help='put real allocator bugs '
                          'back one at a time; which do the suites catch?')
    _common(regr)
    regr.add_argument('--only', default='',
                      help='only the patches whose name contains this '
                      '(PATCH=)')
    _timeout(regr, 300)
    _variant(regr, pages=False)
    regr.add_argument('--patches', default='',
                      help='a folder of patches of your own instead of '
                      'tools/regressions/ (PATCHES=)')
    bis = sub.add_parser('bisect', help='git bisect run in your kernel '
                         'tree (it checks out revisions there): which '
                         'commit broke a contract')
    _kdir(bis, 'your kernel tree, a git work tree without uncommitted '
          'changes')
    bis.add_argument('--good', default='',
                     help='a revision that passes (GOOD=)')
    bis.add_argument('--bad', default='', help='a revision that fails (BAD=)')
    _arch(bis)
    bis.add_argument('--filter', default='',
                     help="kunit.py filter glob, e.g. 'mm_alloc_kmalloc.*' "
                     "(FILTER=)")
    _timeout(bis, 300)
    _variant(bis)
    bis.add_argument('--on-crash', default='bad', choices=('bad', 'skip'),
                     help='a kernel that stops after the tests started: '
                     'bad (default) or skip (ON_CRASH=)')
    pat = sub.add_parser('patch', help='write the suites as a git '
                         'format-patch series for a kernel tree, under '
                         'build/patch/<kernel>/, and check it')
    _kernel(pat)
    _kdir(pat, "a kernel tree of the user's (its git HEAD), never modified")
    pat.add_argument('--no-check', action='store_true',
                     help='skip git am, checkpatch and get_maintainer')
    pat.add_argument('--build', action='store_true',
                     help="also build and run the suites with the tree's "
                     'own kunit.py, in the patched private copy '
                     '(PATCH_BUILD=1)')
    _timeout(pat, 600)
    cen = sub.add_parser('census', help='the documented allocation '
                         'interfaces and the cases that check them: '
                         'docs/contracts.md')
    _kernel(cen)
    _kdir(cen, "a kernel tree of the user's, read only")
    cen.add_argument('--check', action='store_true',
                     help='write nothing; fail unless docs/contracts.md '
                     'is current (CHECK=1)')
    cov = sub.add_parser('coverage', help='lines, branches and exported '
                         'functions of the allocators the suites reach '
                         '(gcov on UML), beside the in-tree suites')
    _kernel(cov)
    _kdir(cov)
    _timeout(cov, 600, 'seconds for each boot (TIMEOUT=)')
    mut = sub.add_parser('mutate', help='change the allocators in small '
                         'systematic ways; which changes does no case '
                         'notice? (mutation score per function)')
    _common(mut)
    mut.add_argument('--files', default='',
                     help='comma-separated allocator files (FILES=; '
                     'default: %s)' % ','.join(mutate.DEFAULT_FILES))
    mut.add_argument('--funcs', default='',
                     help='comma-separated function names (FUNCS=; default: '
                     'those implementing the interfaces docs/contracts.txt '
                     'covers)')
    mut.add_argument('--ops', default='',
                     help='comma-separated operators (OPS=; default: all '
                     'of %s)' % ', '.join(mutate.OPERATORS))
    mut.add_argument('--limit', type=count(0), default=0,
                     help='at most this many mutants, spread over the '
                     'functions (LIMIT=; 0: all)')
    mut.add_argument('--seed', type=int, default=1,
                     help='which mutants LIMIT picks (SEED=)')
    _timeout(mut, 120, 'seconds each mutant kernel may run (TIMEOUT=)')
    _variant(mut, pages=False)
    mut.add_argument('--fresh', action='store_true',
                     help='forget earlier verdicts instead of resuming '
                     '(FRESH=1)')
    mut.add_argument('--survivors', action='store_true',
                     help="run only the last run's survivors again "
                     '(SURVIVORS=1)')
    mut.add_argument('--only', default='',
                     help='comma-separated mutant ids: run only these of the '
                     'selection (ONLY=)')
    mut.add_argument('--list', action='store_true',
                     help='print the chosen mutants and stop (LIST=1)')
    sub.add_parser('test', help="the project's whole test suite: tool "
                   'tests, checkpatch, census, every TEST_MATRIX run, the '
                   'series')
    return top


def stop_on_signals():
    """Ctrl-C, SIGTERM (a CI job's time limit, `timeout`) and SIGHUP all
    stop the run the same way. SIGINT is set too: a shell that starts a
    job in the background hands it over ignored."""
    def stop(signum, frame):
        raise Stopped(signum)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)


def main(argv):
    if argv[:1] == ['bisect-step']:
        # Hidden: what `git bisect run` calls for each revision.
        from . import bisect
        return bisect.step_main(argv[1:])
    try:
        args = parser().parse_args(argv)
    except SystemExit as e:         # --help, --version, a refused value
        return e.code
    stop_on_signals()
    try:
        if args.command == 'run':
            return runner.run(runner.Request(
                args.kernel, args.arch, args.kdir or None, args.filter,
                args.timeout, args.jobs or None, args.kunitconfig or None,
                tuple(args.extra), profile=args.profile,
                pages=args.pages)).status
        if args.command == 'bench':
            return runner.bench(args.kernel, args.arch, args.kdir or None,
                                args.runs, args.timeout,
                                profile=args.profile, pages=args.pages)
        if args.command == 'bench-compare':
            from . import interleave
            return interleave.run(
                interleave.Side('A', args.a_kernel, args.a_kdir),
                interleave.Side('B', args.b_kernel, args.b_kdir),
                args.arch, interleave.DEFAULT_ROUNDS if args.rounds is None
                else args.rounds, args.timeout, profile=args.profile,
                pages=args.pages)
        if args.command == 'regressions':
            from . import regressions
            return regressions.run_all(args.kernel, args.arch, args.only,
                                       args.timeout, args.kdir or None,
                                       folder=args.patches or None,
                                       profile=args.profile)
        if args.command == 'bisect':
            from . import bisect
            return bisect.bisect(args.kdir, args.good, args.bad, args.arch,
                                 args.filter, args.timeout, args.on_crash,
                                 profile=args.profile, pages=args.pages)
        if args.command == 'patch':
            from . import patchseries
            return patchseries.main(args.kernel, args.kdir or None,
                                    not args.no_check, args.build,
                                    timeout=args.timeout)
        if args.command == 'census':
            from . import census
            return census.run(args.kernel, args.kdir or None, args.check)
        if args.command == 'coverage':
            from . import coverage
            return coverage.run(args.kernel, args.kdir or None, args.timeout)
        if args.command == 'mutate':
            from . import mutate
            return mutate.run_all(args.kernel, args.arch, args.kdir or None,
                                  _names(args.files), _names(args.funcs),
                                  _names(args.ops), args.limit, args.seed,
                                  args.timeout, args.profile,
                                  fresh=args.fresh, dry_run=args.list,
                                  survivors=args.survivors,
                                  only=_names(args.only))
        if args.command == 'prepare':
            _, target = runner.prepare(args.kernel, args.arch,
                                       args.kdir or None)
            print(target.view)
            return 0
        from . import selftest
        return selftest.main()
    except UserError as e:
        print('alloc-kunit: error: %s' % e, file=sys.stderr)
        return e.status
    except BrokenPipeError:
        # the reader went away (make mutate LIST=1 | head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt as e:
        signum = getattr(e, 'signum', signal.SIGINT)
        print('alloc-kunit: stopped by %s; partial results are kept'
              % signal.Signals(signum).name, file=sys.stderr)
        return 128 + signum
