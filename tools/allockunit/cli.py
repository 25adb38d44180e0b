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
    run.add_argument('extra', nargs='*',
                     help='further kunit.py arguments, after --')
    bench = sub.add_parser('bench', help='run the benchmark suite and '
                           'report: table, CSV, JSON, plot')
    _common(bench)
    bench.add_argument('--runs', type=int, default=2,
                       help='repeated runs, to measure their spread')
    bench.add_argument('--timeout', type=int, default=600)
    prep = sub.add_parser('prepare',
                          help='install, unpack and graft; print the view')
    _common(prep)
    regr = sub.add_parser('regressions', help='put real allocator bugs '
                          'back one at a time; which do the suites catch?')
    _common(regr)
    regr.add_argument('--only', default='',
                      help='only the patches whose name contains this')
    regr.add_argument('--timeout', type=int, default=300)
    regr.add_argument('--patches', default='',
                      help='a folder of patches of your own instead of '
                      'tools/regressions/')
    sub.add_parser('test', help="the project's whole test suite")
    return top


def main(argv):
    args = parser().parse_args(argv)
    try:
        if args.command == 'run':
            return runner.run(args.kernel, args.arch, args.kdir or None,
                              args.filter, args.timeout, args.jobs or None,
                              args.kunitconfig or None, args.extra)
        if args.command == 'bench':
            return runner.bench(args.kernel, args.arch, args.kdir or None,
                                args.runs, args.timeout)
        if args.command == 'regressions':
            from . import regressions
            return regressions.run_all(args.kernel, args.arch, args.only,
                                       args.timeout, args.kdir or None,
                                       folder=args.patches or None)
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
