# SPDX-License-Identifier: GPL-2.0
"""make test's own reporting: the count line and what a failure leaves."""

import contextlib
import io
import json
import os
import unittest
from unittest import mock

from helpers import TempDirTest, write

from allockunit import runner, selftest


class ToolTestPrerequisitesTest(unittest.TestCase):
    def test_installs_what_the_tool_tests_run_before_running_them(self):
        order = []
        with mock.patch('allockunit.deps.ensure',
                        lambda pkgs, *a: order.append(('ensure', pkgs))), \
                mock.patch.object(unittest.defaultTestLoader, 'discover',
                                  lambda *a, **k: order.append(('discover',))
                                  or unittest.TestSuite()), \
                contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            selftest.tool_tests(selftest.Tally())
        self.assertEqual(order[0], ('ensure', [
            'busybox-static', 'cpio', 'git', 'gnuplot-nox', 'make', 'patch',
            'perl', 'xz-utils']))
        self.assertEqual(order[1], ('discover',))


class SummaryTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.target = runner.Target('6.1', 'um', self.tmp)

    def finish(self, tally):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = selftest.finish(tally, [('make run', 1.0)])
        return code, out.getvalue()

    def test_a_failed_run_explains_itself_at_the_end(self):
        # A CI log often shows only its tail: the reason must be there.
        write(os.path.join(self.target.results, 'summary.txt'),
              "6.1-um: 8 passed, 2 failed, 0 skipped\n"
              "the run stopped in kvmalloc after its case x (8 finished)\n")
        write(os.path.join(self.target.results, 'kunit.json'), json.dumps({
            'name': 'KUnit Test Group', 'test_cases': [], 'sub_groups': [
                {'name': 'kvmalloc', 'sub_groups': [], 'test_cases': [
                    {'name': 'x', 'status': 'PASS'},
                    {'name': '', 'status': 'ERROR'}]}]}))
        write(os.path.join(self.target.results, 'raw.log'), 'KTAP version 1\n')
        tally = selftest.Tally()
        with contextlib.redirect_stdout(io.StringIO()):
            selftest.diagnose(tally, self.target, 4)
            selftest.kunit_results(tally, self.target)
        code, out = self.finish(tally)
        self.assertEqual(code, 1)
        lines = out.splitlines()
        self.assertEqual(lines[-1], '2 passed, 1 failed, 0 skipped')
        self.assertIn('FAILED: KUnit ERROR kvmalloc: a case the kernel never '
                      'reported', lines)
        self.assertIn('6.1-um (make run exited with status 4):', lines)
        self.assertIn('  the run stopped in kvmalloc after its case x '
                      '(8 finished)', lines)

    def test_a_passing_run_adds_no_diagnosis(self):
        tally = selftest.Tally()
        selftest.diagnose(tally, self.target, 0)
        tally.passed = 3
        code, out = self.finish(tally)
        self.assertEqual(code, 0)
        self.assertEqual(tally.diagnoses, [])

    def test_nothing_ran_fails(self):
        code, out = self.finish(selftest.Tally())
        self.assertEqual(code, 1)
        self.assertIn('nothing ran', out)
        self.assertEqual(out.splitlines()[-1], '0 passed, 0 failed, 0 skipped')


class MatrixTest(unittest.TestCase):
    def runs(self, spec):
        with mock.patch.dict(os.environ, {'TEST_MATRIX': spec}):
            return selftest.more_combinations()

    def test_pairs_and_profiles(self):
        self.assertEqual(self.runs('6.1-um 6.12-x86_64 6.12-um-kasan'),
                         [('6.1', 'um', ''), ('6.12', 'x86_64', ''),
                          ('6.12', 'um', 'kasan')])

    def test_the_default_run_is_not_repeated(self):
        self.assertEqual(self.runs('6.12-um'), [])
        self.assertEqual(self.runs(''), [])
