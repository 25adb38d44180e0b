# SPDX-License-Identifier: GPL-2.0
"""Command line: alloc-kunit {run,prepare,test} [options]."""

import argparse
import sys

from . import UserError
from . import runner
from . import source


def _common(p):
    p.add_argument('--kernel', default=source.DEFAULT_KERNEL,
                   help='Debian kernel source series (%s)'
                   % ', '.join(source.SUPPORTED_KERNELS))
    p.add_argument('--arch', default='um',
                   help='architecture (%s)' % ', '.join(runner.ARCHES))
    p.add_argument('--kdir', default='',
                   help="a kernel tree of the user's, never modified")


def mutate_defaults():
    from . import mutate
    return mutate.DEFAULT_FILES


def _names(value):
    return tuple(v.strip() for v in value.split(',') if v.strip())


def parser():
    top = argparse.ArgumentParser(prog='alloc-kunit', description=__doc__)
    sub = top.add_subparsers(dest='command', required=True)
    run = sub.add_parser('run', help='build and run the suites with kunit.py')
    _common(run)
    run.add_argument('--filter', default='',
                     help="kunit.py filter glob, e.g. 'kmalloc.*'")
    run.add_argument('--timeout', type=int, default=300,
                     help='seconds the kernel may run (kunit.py --timeout)')
    run.add_argument('--jobs', type=int, default=0)
    run.add_argument('--kunitconfig', default='')
    run.add_argument('--profile', default='',
                     help='configuration profile: configs/<name>.config '
                     '(kasan, debug, hardened, kfence, kmemleak)')
    run.add_argument('--pages', default='',
                     help='base page size on arm64: 4k, 16k or 64k')
    run.add_argument('extra', nargs='*',
                     help='further kunit.py arguments, after --')
    bench = sub.add_parser('bench', help='run the benchmark suite and '
                           'report: table, CSV, JSON, plot')
    _common(bench)
    bench.add_argument('--runs', type=int, default=2,
                       help='repeated runs, to measure their spread')
    bench.add_argument('--timeout', type=int, default=600)
    comp = sub.add_parser('bench-compare', help='two kernels booted in '
                          'turn, A B A B ...: B/A for every measurement, '
                          'with 95%% intervals')
    for side in ('a', 'b'):
        comp.add_argument('--%s-kernel' % side, default='',
                          help='kernel %s: a Debian series (%s)' % (
                              side.upper(),
                              ', '.join(source.SUPPORTED_KERNELS)))
        comp.add_argument('--%s-kdir' % side, default='',
                          help='kernel %s: a tree of your own instead'
                          % side.upper())
    comp.add_argument('--arch', default='um',
                      help='architecture (%s)' % ', '.join(runner.ARCHES))
    comp.add_argument('--rounds', type=int, default=None,
                      help='rounds, one boot of each kernel per round '
                      '(default 10)')
    comp.add_argument('--timeout', type=int, default=600)
    prep = sub.add_parser('prepare',
                          help='install, unpack and graft; print the view')
    _common(prep)
    regr = sub.add_parser('regressions', help='put real allocator bugs '
                          'back one at a time; which do the suites catch?')
    _common(regr)
    regr.add_argument('--only', default='',
                      help='only the patches whose name contains this')
    regr.add_argument('--timeout', type=int, default=300)
    regr.add_argument('--profile', default='',
                      help='configuration profile (configs/<name>.config)')
    regr.add_argument('--patches', default='',
                      help='a folder of patches of your own instead of '
                      'tools/regressions/')
    bis = sub.add_parser('bisect', help='git bisect run in your kernel '
                         'tree (it checks out revisions there): which '
                         'commit broke a contract')
    bis.add_argument('--kdir', default='',
                     help='your kernel tree, a git work tree without '
                     'uncommitted changes')
    bis.add_argument('--good', default='', help='a revision that passes')
    bis.add_argument('--bad', default='', help='a revision that fails')
    bis.add_argument('--arch', default='um',
                     help='architecture (%s)' % ', '.join(runner.ARCHES))
    bis.add_argument('--filter', default='',
                     help="kunit.py filter glob, e.g. 'kmalloc.*'")
    bis.add_argument('--timeout', type=int, default=300)
    bis.add_argument('--on-crash', default='bad', choices=('bad', 'skip'),
                     help='a kernel that stops after the tests started: '
                     'bad (default) or skip')
    pat = sub.add_parser('patch', help='write the suites as a git '
                         'format-patch series for a kernel tree, under '
                         'build/patch/<kernel>/, and check it')
    pat.add_argument('--kernel', default=source.DEFAULT_KERNEL,
                     help='Debian kernel source series (%s)'
                     % ', '.join(source.SUPPORTED_KERNELS))
    pat.add_argument('--kdir', default='',
                     help="a kernel tree of the user's (its git HEAD), "
                     'never modified')
    pat.add_argument('--no-check', action='store_true',
                     help='skip git am, checkpatch and get_maintainer')
    pat.add_argument('--build', action='store_true',
                     help="also build and run the suites with the tree's "
                     'own kunit.py, in the patched private copy')
    pat.add_argument('--timeout', type=int, default=600)
    cen = sub.add_parser('census', help='the documented allocation '
                         'interfaces and the cases that check them: '
                         'docs/contracts.md')
    cen.add_argument('--kernel', default=source.DEFAULT_KERNEL,
                     help='Debian kernel source series (%s)'
                     % ', '.join(source.SUPPORTED_KERNELS))
    cen.add_argument('--kdir', default='',
                     help="a kernel tree of the user's, read only")
    cen.add_argument('--check', action='store_true',
                     help='write nothing; fail unless docs/contracts.md '
                     'is current')
    cov = sub.add_parser('coverage', help='lines, branches and exported '
                         'functions of the allocators the suites reach '
                         '(gcov on UML), beside the in-tree suites')
    cov.add_argument('--kernel', default=source.DEFAULT_KERNEL,
                     help='Debian kernel source series (%s)'
                     % ', '.join(source.SUPPORTED_KERNELS))
    cov.add_argument('--kdir', default='',
                     help="a kernel tree of the user's, never modified")
    cov.add_argument('--timeout', type=int, default=600,
                     help='seconds for each boot')
    mut = sub.add_parser('mutate', help='change the allocators in small '
                         'systematic ways; which changes do no case '
                         'notice? (mutation score per function)')
    _common(mut)
    mut.add_argument('--files', default='',
                     help='comma-separated allocator files (default: %s)'
                     % ','.join(mutate_defaults()))
    mut.add_argument('--funcs', default='',
                     help='comma-separated function names (default: those '
                     'implementing the interfaces docs/contracts.txt covers)')
    mut.add_argument('--ops', default='',
                     help='comma-separated operators (default: all)')
    mut.add_argument('--limit', type=int, default=0,
                     help='at most this many mutants, spread over the '
                     'functions (0: all)')
    mut.add_argument('--seed', type=int, default=1,
                     help='which mutants LIMIT picks')
    mut.add_argument('--timeout', type=int, default=120,
                     help='seconds each mutant kernel may run')
    mut.add_argument('--profile', default='',
                     help='configuration profile (configs/<name>.config)')
    mut.add_argument('--fresh', action='store_true',
                     help='forget earlier verdicts instead of resuming')
    mut.add_argument('--survivors', action='store_true',
                     help="run only the last run's survivors again")
    mut.add_argument('--list', action='store_true',
                     help='print the chosen mutants and stop')
    sub.add_parser('test', help="the project's whole test suite")
    return top


def main(argv):
    if argv[:1] == ['bisect-step']:
        # Hidden: what `git bisect run` calls for each revision.
        from . import bisect
        return bisect.step_main(argv[1:])
    args = parser().parse_args(argv)
    try:
        if args.command == 'run':
            return runner.run(args.kernel, args.arch, args.kdir or None,
                              args.filter, args.timeout, args.jobs or None,
                              args.kunitconfig or None, args.extra,
                              profile=args.profile, pages=args.pages)
        if args.command == 'bench':
            return runner.bench(args.kernel, args.arch, args.kdir or None,
                                args.runs, args.timeout)
        if args.command == 'bench-compare':
            from . import interleave
            return interleave.run(
                interleave.Side('A', args.a_kernel, args.a_kdir),
                interleave.Side('B', args.b_kernel, args.b_kdir),
                args.arch, interleave.DEFAULT_ROUNDS if args.rounds is None
                else args.rounds, args.timeout)
        if args.command == 'regressions':
            from . import regressions
            return regressions.run_all(args.kernel, args.arch, args.only,
                                       args.timeout, args.kdir or None,
                                       folder=args.patches or None,
                                       profile=args.profile)
        if args.command == 'bisect':
            from . import bisect
            return bisect.bisect(args.kdir, args.good, args.bad, args.arch,
                                 args.filter, args.timeout, args.on_crash)
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
                                  survivors=args.survivors)
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
    except KeyboardInterrupt:
        print('alloc-kunit: interrupted; partial results are kept',
              file=sys.stderr)
        return 130
