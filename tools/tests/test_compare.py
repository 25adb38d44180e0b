# SPDX-License-Identifier: GPL-2.0
"""make bench-compare: the interval, the tables and plot, and the rounds
(their order, a failed one, an interrupted one) with a fake boot."""

import contextlib
import csv
import io
import json
import math
import os
import random
import shutil
import unittest
from unittest import mock

from helpers import TempDirTest, make_tree, require_program

from allockunit import UserError, bench, cli, compare, interleave, runner

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')
PASSES_SAMPLE = os.path.join(DATA, 'bench-raw-passes.log')
VERSION = 'Linux version 6.12.117 (root@vm) #2 Thu Nov 26 01:38:03 UTC 2026'


def line(op, size, median, kind='alloc', extra=''):
    return ('    # alloc_cost: BENCH v1 kind=%s op=%s size=%d%s samples=21 '
            'batch=8 passes=3 median_ns=%d p90_ns=%d min_ns=%d'
            % (kind, op, size, extra, median, median + 5, max(median - 5,
                                                               0)))


def synthetic(rows, rounds, shift=1.0, sd=0.05, seed=1, op='kmalloc'):
    """rounds_a, rounds_b: `rows` sizes of one op, log-normal noise per
    boot; B's true cost is shift times A's."""
    rng = random.Random(seed)
    out = {'A': [], 'B': []}
    for _ in range(rounds):
        for side, factor in (('A', 1.0), ('B', shift)):
            out[side].append(bench.parse(
                [line(op, 8 * (k + 1), round(
                    1000 * factor * math.exp(rng.gauss(0, sd))))
                 for k in range(rows)]))
    return out['A'], out['B']


class StudentTest(unittest.TestCase):
    def test_quantiles_match_the_tables(self):
        for df, want in ((1, 12.706), (2, 4.303), (9, 2.262), (30, 2.042)):
            self.assertAlmostEqual(compare.t_quantile(0.975, df), want,
                                   places=3)

    def test_expanded_tails_are_narrower_than_two_and_a_half_percent(self):
        # Ten rounds: the bootstrap's tails are cut at 0.86 %, not 2.5 %.
        self.assertAlmostEqual(compare.tail_probability(10), 0.00855,
                               places=4)
        self.assertLess(compare.tail_probability(3),
                        compare.tail_probability(30))


class BootstrapTest(unittest.TestCase):
    def test_one_value_has_no_interval(self):
        self.assertIsNone(compare.bootstrap_ci([0.1]))

    def test_deterministic(self):
        values = [0.01, -0.02, 0.03, 0.0, 0.02, -0.01]
        self.assertEqual(compare.bootstrap_ci(values),
                         compare.bootstrap_ci(list(values)))
        low, high = compare.bootstrap_ci(values)
        self.assertLess(low, sum(values) / len(values))
        self.assertGreater(high, sum(values) / len(values))

    def test_identical_distributions_mark_few_rows(self):
        a, b = synthetic(rows=200, rounds=10)
        summary = compare.summarize(compare.compare(a, b))
        self.assertEqual(summary['with_interval'], 200)
        # 5 % expected by construction; 10 of 200, give or take 3.
        self.assertLessEqual(summary['marked_pct'], 8.0)
        self.assertLess(summary['median_half_width_pct'], 5.0)

    def test_a_twenty_percent_shift_is_marked(self):
        for shift, mark in ((1.2, 'slower'), (1 / 1.2, 'faster')):
            a, b = synthetic(rows=50, rounds=10, shift=shift, seed=2)
            rows = compare.compare(a, b)
            self.assertEqual({r['mark'] for r in rows}, {mark})
            for row in rows:
                self.assertAlmostEqual(row['ratio'], shift, delta=0.06)
                self.assertLess(row['ci_low'], row['ci_high'])

    def test_row_order_does_not_change_an_interval(self):
        a, b = synthetic(rows=5, rounds=6, shift=1.05, seed=3)
        first = compare.compare(a, b)
        again = compare.compare([list(reversed(r)) for r in a],
                                [list(reversed(r)) for r in b])
        pick = {r['size']: (r['ci_low'], r['ci_high']) for r in again}
        for row in first:
            self.assertEqual(pick[row['size']],
                             (row['ci_low'], row['ci_high']))


class RowsTest(unittest.TestCase):
    def test_ratio_is_the_ratio_of_geometric_means(self):
        a = [bench.parse([line('kmalloc', 64, m)]) for m in (100, 400)]
        b = [bench.parse([line('kmalloc', 64, m)]) for m in (200, 200)]
        row = compare.compare(a, b)[0]
        self.assertAlmostEqual(row['a_ns'], 200.0)
        self.assertAlmostEqual(row['b_ns'], 200.0)
        self.assertAlmostEqual(row['ratio'], 1.0)
        self.assertEqual(row['rounds'], 2)
        self.assertEqual(row['a_rounds'], [100, 400])

    def test_refused_and_missing_rows_have_no_ratio(self):
        refused = 'BENCH v1 kind=alloc op=kmalloc size=8388608 ' \
            'status=unsupported'
        a = [bench.parse([refused, line('vmalloc', 64, 10)])] * 2
        b = [bench.parse([refused])] * 2
        rows = {r['op']: r for r in compare.compare(a, b)}
        self.assertIsNone(rows['kmalloc']['ratio'])
        self.assertEqual(rows['kmalloc']['a_status'], 'unsupported')
        self.assertEqual(rows['vmalloc']['b_status'], 'missing')
        self.assertIn('B missing', compare.markdown(
            list(rows.values()), compare.summarize(list(rows.values())),
            meta()))

    def test_a_time_of_zero_counts_as_one_nanosecond(self):
        a = [bench.parse([line('kmalloc_first_touch', 65536, 0,
                               kind='access')])] * 3
        row = compare.compare(a, a)[0]
        self.assertEqual(row['ratio'], 1.0)
        self.assertEqual(row['mark'], '')

    def test_rows_come_in_kind_then_allocator_order(self):
        run = bench.parse([line('x', 0, 79, kind='host'),
                           line('vzalloc', 8, 10), line('kmalloc', 16, 10),
                           line('kmalloc', 8, 10)])
        rows = compare.compare([run], [run])
        self.assertEqual([(r['kind'], r['op'], r['size']) for r in rows],
                         [('alloc', 'kmalloc', 8), ('alloc', 'kmalloc', 16),
                          ('alloc', 'vzalloc', 8), ('host', 'x', 0)])

    def test_recorded_boot_with_every_kind(self):
        with open(PASSES_SAMPLE) as f:
            run = bench.parse(f)
        kinds = {r['kind'] for r in run}
        self.assertEqual(kinds, {'alloc', 'access', 'vmalloc', 'contention',
                                 'host'})
        aligned = [r for r in run if r['op'] == 'fix_align'][0]
        self.assertGreater(aligned['align'], 0)
        self.assertEqual(aligned['passes'], 3)
        rows = compare.compare([run] * 3, [run] * 3)
        self.assertFalse(any(r['mark'] for r in rows))
        self.assertTrue(all(r['ratio'] == 1.0 for r in rows
                            if r['ratio'] is not None))


def meta(**kw):
    out = {'a': {'label': '6.1', 'version': 'Linux version 6.1'},
           'b': {'label': '6.12', 'version': 'Linux version 6.12'},
           'arch': 'um', 'rounds': 10, 'rounds_done': 10, 'stopped': None,
           'machine': {'cpu': 'Test CPU', 'cpus': 2}}
    out.update(kw)
    return out


class TablesTest(TempDirTest):
    def test_markdown_marks_and_summarizes(self):
        a, b = synthetic(rows=4, rounds=10, shift=1.2, seed=4)
        rows = compare.compare(a, b)
        md = compare.markdown(rows, compare.summarize(rows), meta())
        self.assertIn('B = 6.12 against A = 6.1, ARCH=um', md)
        self.assertIn('| op | size | A ns | B ns | B/A | 95 % interval | |',
                      md)
        self.assertIn('4 marked (100.0 %): 4 slower, 0 faster', md)
        self.assertRegex(md, r'\| kmalloc \| 8 B \| \d+ \| \d+ \| '
                         r'\*\*1\.\d{3}\*\* \| 1\.\d{3} – 1\.\d{3} \| '
                         r'slower \|')

    def test_wide_intervals_say_how_many_rounds_would_do(self):
        a, b = synthetic(rows=20, rounds=4, sd=0.3, seed=5)
        summary = compare.summarize(compare.compare(a, b))
        self.assertGreater(summary['median_half_width_pct'], 5.0)
        self.assertGreater(summary['rounds_for_target'], 4)
        self.assertIn('About %d rounds would bring it to 5 %%'
                      % summary['rounds_for_target'],
                      compare.summary_line(summary))

    def test_report_writes_json_csv_markdown_and_plot(self):
        require_program(self, 'gnuplot')
        with open(PASSES_SAMPLE) as f:
            run = bench.parse(f)
        a, b = synthetic(rows=6, rounds=3, shift=1.1, seed=6,
                         op='synthetic')
        rounds_a = [x + run for x in a]
        rounds_b = [x + run for x in b]
        out = os.path.join(self.tmp, 'out')
        lines = []
        rows, summary = compare.report(out, rounds_a, rounds_b, meta(
            rounds=5, stopped='round 4 of 5: B (6.12) failed: exit '
            'status 4'), lines.append)
        with open(os.path.join(out, 'compare.json')) as f:
            data = json.load(f)
        self.assertEqual(len(data['rounds']['A']), 3)
        self.assertEqual(data['meta']['rounds_done'], 3)
        self.assertEqual(len(data['rows']), len(rows))
        with open(os.path.join(out, 'compare.csv')) as f:
            table = list(csv.DictReader(f))
        self.assertEqual(len(table), len(rows))
        self.assertEqual(list(table[0]), compare.CSV_FIELDS)
        with open(os.path.join(out, 'compare.md')) as f:
            md = f.read()
        self.assertIn('3 of 5 rounds', md)
        self.assertIn('**Incomplete:** round 4 of 5: B (6.12) failed', md)
        for kind in ('alloc', 'access', 'vmalloc', 'contention', 'host'):
            self.assertIn('\n### %s\n' % kind, md)
        self.assertIn('fix_align, align 32 KiB', md)
        with open(os.path.join(out, 'compare.png'), 'rb') as f:
            self.assertEqual(f.read(8), b'\x89PNG\r\n\x1a\n')
        self.assertIn('compare.png', lines[-1])
        # the forest plot: every row with an interval, sorted by B/A, the
        # marked ones apart
        with open(os.path.join(out, 'compare-forest.png'), 'rb') as f:
            self.assertEqual(f.read(8), b'\x89PNG\r\n\x1a\n')
        drawn = []
        for name in ('forest-other.dat', 'forest-marked.dat'):
            with open(os.path.join(out, name)) as f:
                drawn += [tuple(map(float, x.split())) for x in f]
        with_ci = [r for r in rows if r['ci_low'] is not None]
        self.assertEqual(len(drawn), len(with_ci))
        by_y = [d[0] for d in sorted(drawn, key=lambda d: d[1])]
        self.assertEqual(by_y, sorted(by_y))
        with open(os.path.join(out, 'forest-marked.dat')) as f:
            self.assertEqual(len(f.readlines()),
                             sum(1 for r in with_ci if r['mark']))


def write_boot(path, median, version=VERSION):
    with open(path, 'w') as f:
        f.write(version + '\n' + line('kmalloc', 64, median) + '\n' +
                line('vmalloc', 4096, median * 100) + '\n')


class FakeBoots:
    """boot(side, build): records the call, writes a raw log. fail maps a
    call number (1-based, warm-ups included) to an exit status, or to an
    exception to raise."""

    def __init__(self, folder, fail=None, version=None):
        self.folder, self.fail = folder, fail or {}
        self.version = version or {}
        self.calls, self.limits = [], []

    def __call__(self, side, build, limit=None):
        self.calls.append((side.name, build))
        self.limits.append(limit)
        n = len(self.calls)
        what = self.fail.get(n, runner.EXIT_OK)
        if isinstance(what, BaseException):
            raise what
        raw = os.path.join(self.folder, 'raw.log')
        if what == runner.EXIT_BUILD:
            return what, None
        write_boot(raw, 100 + n, self.version.get(n, VERSION))
        if what == runner.EXIT_INCOMPLETE:
            with open(raw, 'w') as f:
                f.write(VERSION + '\nKernel panic - not syncing\n')
        return what, raw


class RoundsTest(TempDirTest):
    def setUp(self):
        super().setUp()
        env = mock.patch.dict(os.environ, {'ALLOC_KUNIT_BUILD': self.tmp})
        env.start()
        self.addCleanup(env.stop)
        skip_apt = mock.patch('allockunit.deps.ensure')
        skip_apt.start()
        self.addCleanup(skip_apt.stop)
        self.plot = mock.patch('allockunit.compare.plot', return_value=None)
        self.plot.start()
        self.addCleanup(self.plot.stop)
        forest = mock.patch('allockunit.compare.forest', return_value=None)
        forest.start()
        self.addCleanup(forest.stop)

    def compare(self, a='6.1', b='6.12', rounds=3, **kw):
        self.a = interleave.Side('A', a, None)
        self.b = interleave.Side('B', b, None)
        self.boots = FakeBoots(self.tmp, **kw)
        self.lines = []
        self.out = interleave.out_dir(self.a, self.b, 'um')
        return interleave.run(self.a, self.b, rounds=rounds,
                              log=self.lines.append, boot=self.boots)

    def log(self):
        return '\n'.join(self.lines)

    def test_schedule_alternates_and_swaps_the_order_every_round(self):
        self.assertEqual(interleave.schedule(3), [
            (1, 'A'), (1, 'B'), (2, 'B'), (2, 'A'), (3, 'A'), (3, 'B')])

    def test_builds_both_then_boots_in_turn_without_building(self):
        self.assertEqual(self.compare(), runner.EXIT_OK)
        self.assertEqual(self.boots.calls, [
            ('A', True), ('B', True), ('A', False), ('B', False),
            ('B', False), ('A', False), ('A', False), ('B', False)])
        self.assertIn('==== round 2 of 3: B (6.12) ... (about 1 min left)',
                      self.log())
        self.assertTrue(self.out.endswith('compare-6.1-vs-6.12-um'))
        for name in ('warmup-A.log', 'warmup-B.log', 'round-01-A.log',
                     'round-03-B.log', 'compare.md', 'compare.csv',
                     'compare.json'):
            self.assertTrue(os.path.isfile(os.path.join(self.out, name)),
                            name)
        with open(os.path.join(self.out, 'compare.json')) as f:
            data = json.load(f)
        self.assertEqual(data['summary']['rounds'], 3)
        self.assertEqual([b['side'] for b in data['meta']['boots']],
                         ['A', 'B', 'B', 'A', 'A', 'B'])
        # the first boot (warm-up) is not counted: round 1 A is call 3
        self.assertEqual(data['rows'][0]['a_rounds'], [103, 106, 107])

    def test_the_same_kernel_twice_is_built_and_warmed_once(self):
        self.compare(a='6.12', b='6.12', rounds=2)
        self.assertEqual(self.boots.calls[0], ('A', True))
        self.assertEqual(sum(1 for c in self.boots.calls if c[1]), 1)
        self.assertEqual(len(self.boots.calls), 5)

    def test_a_boot_that_fails_once_is_booted_again(self):
        code = self.compare(rounds=3, fail={4: runner.EXIT_INCOMPLETE})
        self.assertEqual(code, runner.EXIT_OK)
        self.assertIn('round 1 of 3: B (6.12) failed (exit status 4); '
                      'booting it once more', self.log())
        self.assertEqual(len(self.boots.calls), 9)
        self.assertTrue(os.path.isfile(os.path.join(self.out,
                                                    'round-01-B-try1.log')))
        with open(os.path.join(self.out, 'compare.json')) as f:
            data = json.load(f)
        self.assertEqual(data['meta']['rounds_done'], 3)
        self.assertEqual([b['log'] for b in data['meta']['boots']][:3],
                         ['round-01-A.log', 'round-01-B-try1.log',
                          'round-01-B.log'])

    def test_later_boots_are_limited_by_the_first_ones(self):
        self.compare(rounds=2)
        # warm-ups and each side's first boot have TIMEOUT; then 5 x the
        # longest good boot of that side, never under two minutes
        self.assertEqual(self.boots.limits, [None, None, None, None,
                                             120, 120])
        self.assertEqual(interleave.boot_limit([30, 41]), 205)
        self.assertIsNone(interleave.boot_limit([]))

    def test_a_failed_round_keeps_the_rounds_before_it(self):
        # calls: 2 warm-ups, then round 1 A B, round 2 B A, round 3 A B ...
        code = self.compare(rounds=5, fail={8: runner.EXIT_INCOMPLETE,
                                            9: runner.EXIT_INCOMPLETE})
        self.assertEqual(code, runner.EXIT_INCOMPLETE)
        self.assertIn('round 3 of 5: B (6.12) failed: exit status 4',
                      self.log())
        self.assertIn('rounds 1-2 are reported', self.log())
        self.assertEqual(len(self.boots.calls), 9)
        for name in ('round-03-A.log', 'round-03-B.log',
                     'round-03-B-try1.log'):
            self.assertTrue(os.path.isfile(os.path.join(self.out, name)))
        with open(os.path.join(self.out, 'compare.json')) as f:
            data = json.load(f)
        self.assertEqual(data['meta']['rounds_done'], 2)
        self.assertEqual(len(data['rounds']['A']), 2)
        with open(os.path.join(self.out, 'compare.md')) as f:
            self.assertIn('**Incomplete:** round 3 of 5', f.read())

    def test_failure_in_the_first_round_reports_nothing(self):
        code = self.compare(fail={4: runner.EXIT_INCOMPLETE,
                                  5: runner.EXIT_INCOMPLETE})
        self.assertEqual(code, runner.EXIT_INCOMPLETE)
        self.assertIn('no complete round to report', self.log())
        self.assertFalse(os.path.exists(os.path.join(self.out,
                                                     'compare.md')))
        self.assertTrue(os.path.isfile(os.path.join(self.out,
                                                    'round-01-B.log')))

    def test_a_build_that_fails_stops_before_the_rounds(self):
        code = self.compare(fail={2: runner.EXIT_BUILD})
        self.assertEqual(code, runner.EXIT_BUILD)
        self.assertEqual(len(self.boots.calls), 2)
        self.assertIn('B (6.12) did not build or boot', self.log())

    def test_a_kernel_rebuilt_meanwhile_ends_the_comparison(self):
        code = self.compare(version={5: VERSION.replace('#2', '#3')})
        self.assertEqual(code, runner.EXIT_INCOMPLETE)
        self.assertIn('round 2 of 3: B (6.12) failed: the kernel changed',
                      self.log())
        self.assertIn('rounds 1-1 are reported', self.log())

    def test_an_error_in_a_boot_is_a_failed_round(self):
        code = self.compare(fail={6: UserError('another run is using it')})
        self.assertEqual(code, 2)
        self.assertIn('another run is using it', self.log())
        self.assertIn('round 2 of 3: A (6.1) failed', self.log())

    def test_interrupt_reports_then_stops(self):
        with self.assertRaises(KeyboardInterrupt):
            self.compare(fail={7: KeyboardInterrupt()})
        self.assertIn('interrupted during round 3 of 3 (A (6.1))',
                      self.log())
        with open(os.path.join(self.out, 'compare.json')) as f:
            self.assertEqual(json.load(f)['meta']['rounds_done'], 2)

    def test_old_results_are_removed_first(self):
        os.makedirs(os.path.join(self.tmp, 'bench', 'compare-6.1-vs-6.12-um'))
        stale = os.path.join(self.tmp, 'bench', 'compare-6.1-vs-6.12-um',
                             'round-09-A.log')
        open(stale, 'w').close()
        self.compare(rounds=1)
        self.assertFalse(os.path.exists(stale))

    def test_sides_need_one_kernel_each(self):
        with self.assertRaises(UserError) as e:
            interleave.Side('B', '', None)
        self.assertIn('B=<6.12|6.1> or B_KDIR=', str(e.exception))
        with self.assertRaises(UserError):
            interleave.Side('A', '6.12', self.tmp)
        with self.assertRaises(UserError):
            interleave.Side('A', '5.10', None)
        side = interleave.Side('A', '', self.tmp)
        self.assertTrue(side.label.startswith('kdir-'))

    def test_zero_rounds_is_refused_before_anything_boots(self):
        err = io.StringIO()
        with mock.patch('allockunit.runner.run') as boot, \
                contextlib.redirect_stderr(err):
            code = cli.main(['bench-compare', '--a-kernel', '6.12',
                             '--b-kernel', '6.12', '--rounds', '0'])
        self.assertEqual(code, 2)
        self.assertIn('ROUNDS=0', err.getvalue())
        boot.assert_not_called()


class EndToEndTest(TempDirTest):
    """Through the runner and a fake kunit.py: the rounds only boot."""

    def test_rounds_boot_without_building(self):
        require_program(self, 'gnuplot')
        tree = make_tree(os.path.join(self.tmp, 'linux'))
        env = mock.patch.dict(os.environ, {
            'ALLOC_KUNIT_BUILD': os.path.join(self.tmp, 'build'),
            'FAKE_KUNIT_MODE': 'pass'})
        env.start()
        self.addCleanup(env.stop)
        lines, out = [], io.StringIO()
        with mock.patch('allockunit.deps.ensure'), \
                contextlib.redirect_stdout(out):
            code = interleave.run(interleave.Side('A', '', tree),
                                  interleave.Side('B', '', tree), rounds=2,
                                  log=lines.append)
        self.assertEqual(code, runner.EXIT_OK)
        printed = out.getvalue()
        self.assertEqual(printed.count('Configuring KUnit Kernel'), 1)
        self.assertEqual(printed.count('Starting KUnit Kernel'), 5)
        self.assertNotIn('Building with:', printed)
        folder = [d for d in os.listdir(os.path.join(self.tmp, 'build',
                                                     'bench'))
                  if not d.endswith('.lock')][0]
        folder = os.path.join(self.tmp, 'build', 'bench', folder)
        with open(os.path.join(folder, 'compare.json')) as f:
            summary = json.load(f)['summary']
        self.assertEqual(summary['marked'], 0)
        self.assertTrue(os.path.isfile(os.path.join(folder, 'compare.png')))
        shutil.rmtree(folder)


if __name__ == '__main__':
    unittest.main()
