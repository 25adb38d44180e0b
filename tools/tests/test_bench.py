# SPDX-License-Identifier: GPL-2.0
"""make bench's report: parsing BENCH lines, combining runs, table, plot."""

import csv
import json
import os
import shutil
import unittest

from helpers import TempDirTest, require_program

from allockunit import bench

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')
SAMPLE = os.path.join(DATA, 'bench-raw.log')


def line(op, size, median, kind='alloc'):
    return ('    # alloc_cost: BENCH v1 kind=%s op=%s size=%d samples=101 '
            'batch=8 median_ns=%d p90_ns=%d min_ns=%d'
            % (kind, op, size, median, median + 5, median - 5))


class ParseTest(unittest.TestCase):
    def test_recorded_sample(self):
        with open(SAMPLE) as f:
            recs = bench.parse(f)
        ops = {r['op'] for r in recs if r['kind'] == 'alloc'}
        self.assertEqual(ops, set(bench.ALLOC_ORDER))
        kmalloc_64 = [r for r in recs if r['op'] == 'kmalloc' and
                      r['size'] == 64][0]
        self.assertGreater(kmalloc_64['median_ns'], 0)
        self.assertLessEqual(kmalloc_64['min_ns'], kmalloc_64['median_ns'])
        self.assertLessEqual(kmalloc_64['median_ns'], kmalloc_64['p90_ns'])

    def test_unsupported_size_is_not_a_time(self):
        recs = bench.parse(['# x: BENCH v1 kind=alloc op=kmalloc '
                            'size=8388608 status=unsupported'])
        self.assertEqual(recs[0]['status'], 'unsupported')
        self.assertNotIn('median_ns', recs[0])
        md = bench.markdown(bench.combine([recs]), {
            'kernel': '6.12', 'arch': 'um', 'runs': 1, 'spread': None,
            'machine': {'cpu': 'x', 'cpus': 2}})
        self.assertIn('| 8 MiB | unsupported |', md)

    def test_later_fields_and_kinds(self):
        # lib/alloc_bench_kunit.c with passes: test_vmalloc's patterns,
        # contention, the host's speed; align=, threads=, passes= numbers
        with open(os.path.join(DATA, 'bench-raw-passes.log')) as f:
            recs = bench.parse(f)
        self.assertTrue(all(isinstance(r.get('passes', 0), int)
                            for r in recs))
        md = bench.markdown(bench.combine([recs]), {
            'kernel': '6.12', 'arch': 'um', 'runs': 1, 'spread': None,
            'machine': {'cpu': 'x', 'cpus': 2}})
        self.assertIn('| vmalloc | fix_align, align 32 KiB | 20 KiB |', md)
        self.assertIn('| contention | kmalloc, 1 thread | 64 B |', md)
        self.assertIn('| host | spin64 | — |', md)

    def test_other_lines_are_ignored(self):
        self.assertEqual(bench.parse(['ok 1 alloc_cost', 'BENCH v2 x=1',
                                      '# BENCH is great']), [])


class CombineTest(unittest.TestCase):
    def test_median_of_runs_and_spread(self):
        runs = [bench.parse([line('kmalloc', 64, m)]) for m in (100, 110,
                                                               120)]
        rec = bench.combine(runs)[0]
        self.assertEqual(rec['median_ns'], 110)
        self.assertEqual(rec['runs'], 3)
        self.assertEqual(rec['spread_pct'], 20.0)
        # the plot's bars: the lowest and the highest boot
        self.assertEqual((rec['runs_min_ns'], rec['runs_max_ns']), (100, 120))
        summary = bench.spread_summary([rec])
        self.assertEqual(summary['max_pct'], 20.0)

    def test_unsupported_in_any_run_stays_unsupported(self):
        runs = [bench.parse([line('kmalloc', 64, 100)]),
                bench.parse(['BENCH v1 kind=alloc op=kmalloc size=64 '
                             'status=unsupported'])]
        self.assertEqual(bench.combine(runs)[0]['status'], 'unsupported')


class ReportTest(TempDirTest):
    def test_writes_json_csv_table_and_plot(self):
        require_program(self, 'gnuplot')
        logs = []
        for i in range(2):
            path = os.path.join(self.tmp, 'raw-%d.log' % i)
            shutil.copy(SAMPLE, path)
            logs.append(path)
        out = os.path.join(self.tmp, 'out')
        records, meta = bench.report(logs, out, '6.12', 'um', lambda *a: None)
        with open(os.path.join(out, 'bench.json')) as f:
            self.assertEqual(len(json.load(f)['runs']), 2)
        with open(os.path.join(out, 'bench.csv')) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), len(records))
        self.assertEqual(meta['spread']['max_pct'], 0.0)
        with open(os.path.join(out, 'bench.md')) as f:
            md = f.read()
        self.assertIn('| size | kmalloc | kzalloc | kvmalloc | vmalloc | '
                      'vzalloc |', md)
        self.assertIn('seq_read', md)
        with open(os.path.join(out, 'bench.png'), 'rb') as f:
            self.assertEqual(f.read(8), b'\x89PNG\r\n\x1a\n')
        with open(os.path.join(out, 'plot-kmalloc.dat')) as f:
            size, median, low, high = map(int, f.readline().split())
        self.assertTrue(low <= median <= high)


if __name__ == '__main__':
    unittest.main()
