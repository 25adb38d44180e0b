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
            'busybox-static', 'cpio', 'gcc', 'git', 'gnuplot-nox', 'make',
            'patch', 'perl', 'xz-utils']))
        self.assertEqual(order[1], ('discover',))


class SummaryTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.target = runner.Target('6.1', 'um', self.tmp)
        env = mock.patch.dict(os.environ, {'ALLOC_KUNIT_BUILD': self.tmp})
        env.start()
        self.addCleanup(env.stop)

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

    def test_one_junit_file_holds_every_count(self):
        write(os.path.join(self.target.results, 'kunit.json'), json.dumps({
            'name': 'KUnit Test Group', 'test_cases': [], 'sub_groups': [
                {'name': 'kvmalloc', 'sub_groups': [], 'test_cases': [
                    {'name': 'x', 'status': 'PASS'},
                    {'name': 'y', 'status': 'SKIP'},
                    {'name': 'z', 'status': 'FAIL'}]}]}))
        write(os.path.join(self.target.results, 'raw.log'), 'KTAP version 1\n')
        tally = selftest.Tally()
        with contextlib.redirect_stdout(io.StringIO()):
            selftest.stage('checkpatch --strict')
            tally.add('checkpatch lib/a.c', False, 'WARNING: x')
            selftest.kunit_results(tally, self.target)
        code, out = self.finish(tally)
        self.assertIn('every count as JUnit: ', out)
        import xml.etree.ElementTree as ET
        top = ET.parse(selftest.junit_path()).getroot()
        self.assertEqual(
            (top.get('tests'), top.get('failures'), top.get('skipped')),
            ('5', '2', '1'))    # the no-splat check passes
        names = {(s.get('name'), c.get('name'))
                 for s in top for c in s}
        self.assertIn(('checkpatch --strict', 'checkpatch lib/a.c'), names)
        self.assertIn(('KUnit 6.1-um', 'kvmalloc.z'), names)
        self.assertEqual(int(top.get('tests')) - int(top.get('skipped')),
                         tally.passed + tally.failed)

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


class WorkflowTest(unittest.TestCase):
    WORKFLOW = os.path.join(runner.PROJECT, '.github', 'workflows',
                            'kunit.yml')

    def matrix(self):
        import re
        with open(self.WORKFLOW) as f:
            text = f.read()
        runs = set()
        for m in re.finditer(r"- \{kernel: '([\d.]+)', arch: (\w+), "
                             r"variant: ([^}]*)\}", text):
            variant = m.group(3).strip().strip("'")
            runs.add((m.group(1), m.group(2), variant.partition('=')[2]
                      if variant.startswith('PROFILE=') else variant))
        return text, runs

    def test_no_pair_runs_in_the_matrix_and_in_make_test(self):
        _, runs = self.matrix()
        self.assertGreater(len(runs), 5)
        with mock.patch.dict(os.environ, {'TEST_MATRIX':
                                          selftest.DEFAULT_MATRIX}):
            in_test = set(selftest.more_combinations()) | {
                (selftest.KERNEL, selftest.ARCH, '')}
        self.assertEqual(runs & in_test, set())

    def test_least_permissions_and_one_run_per_ref(self):
        text, _ = self.matrix()
        self.assertIn('\npermissions:\n  contents: read\n  checks: write\n',
                      text)
        self.assertIn('\nconcurrency:\n', text)
        self.assertNotIn('github.sha', text, 'a cache per commit')
        self.assertIn('build/results/make-test/junit.xml', text)
