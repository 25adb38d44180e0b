# SPDX-License-Identifier: GPL-2.0
"""kunit.py JSON to counts and JUnit; reading the raw KTAP log."""

import unittest
from xml.etree import ElementTree as ET

import fake_kunit
import helpers  # noqa: F401  (sets sys.path)

from allockunit import results

CRASHED = {'name': 'KUnit Test Group', 'test_cases': [], 'sub_groups': [
    {'name': 'kmalloc', 'test_cases': [
        {'name': 'a', 'status': 'PASS'},
        {'name': 'b', 'status': 'FAIL'},
        {'name': 'c', 'status': 'ERROR'},
        {'name': 'd', 'status': 'SKIP'}],
     'sub_groups': [{'name': 'p', 'sub_groups': [], 'test_cases': [
         {'name': 'size_1', 'status': 'PASS'}]}]}]}


class JsonTest(unittest.TestCase):
    def test_leaves_and_counts(self):
        cases = list(results.leaf_cases(CRASHED))
        self.assertEqual([c.path for c in cases], [
            ('kmalloc', 'a'), ('kmalloc', 'b'), ('kmalloc', 'c'),
            ('kmalloc', 'd'), ('kmalloc', 'p', 'size_1')])
        # A crashed case (ERROR) counts as failed, never as dropped.
        self.assertEqual(results.count(cases), (2, 2, 1))

    def test_junit_maps_every_status(self):
        root = ET.fromstring(results.to_junit(CRASHED))
        self.assertEqual(root.get('tests'), '5')
        self.assertEqual(root.get('failures'), '1')
        self.assertEqual(root.get('errors'), '1')
        self.assertEqual(root.get('skipped'), '1')
        cases = {c.get('name'): c for c in root.iter('testcase')}
        self.assertIsNotNone(cases['b'].find('failure'))
        self.assertIsNotNone(cases['c'].find('error'))
        self.assertIsNotNone(cases['d'].find('skipped'))
        self.assertEqual(len(list(cases['a'])), 0)
        self.assertEqual(cases['size_1'].get('classname'), 'kmalloc.p')

    def test_junit_carries_the_failure_diagnostics(self):
        logs, _ = results.scan_ktap(fake_kunit.KTAP_FAIL.splitlines())
        root = {'name': 'KUnit Test Group', 'test_cases': [], 'sub_groups': [
            {'name': 'kmalloc', 'sub_groups': [], 'test_cases': [
                {'name': 'kmalloc_breaks', 'status': 'FAIL'}]}]}
        xml = ET.fromstring(results.to_junit(root, logs))
        text = xml.find('.//failure').text
        self.assertIn('EXPECTATION FAILED at lib/x.c:10', text)
        self.assertNotIn('ok 2', text)


class KtapTest(unittest.TestCase):
    def test_finished_run(self):
        logs, unfinished = results.scan_ktap(
            fake_kunit.KTAP_PASS.splitlines())
        self.assertEqual(unfinished, [])
        self.assertIn(('kmalloc', 'kmalloc_is_aligned', 'size_8'), logs)
        self.assertEqual(logs[('kmalloc', 'kmalloc_needs_kfence')][-1],
                         'SKIP KFENCE is off')
        self.assertEqual(results.describe_unfinished(unfinished), '')

    def test_crash_names_where_it_stopped(self):
        text = '[    0.10] ' + fake_kunit.KTAP_CRASH.replace(
            '\n', '\n[    0.20] ')
        _, unfinished = results.scan_ktap(text.splitlines())
        self.assertEqual(unfinished, [('kmalloc', 'kmalloc_is_aligned', 2)])
        self.assertEqual(
            results.describe_unfinished(unfinished),
            'the run stopped in kmalloc after its case kmalloc_is_aligned '
            '(2 finished); the next case was running')

    def test_loglevel_and_time_prefixes_are_stripped(self):
        self.assertEqual(results.strip_prefix('<4>[    1.5] WARNING: x'),
                         'WARNING: x')
        self.assertEqual(results.strip_prefix('<4>WARNING: x'), 'WARNING: x')

    def test_crash_before_the_first_case(self):
        lines = ['KTAP version 1', '1..1', '    # Subtest: vmalloc',
                 '    1..4', 'Kernel panic']
        _, unfinished = results.scan_ktap(lines)
        self.assertIn('before its first case finished',
                      results.describe_unfinished(unfinished))

    def test_oom_kill_is_a_splat_allocation_failure_is_not(self):
        lines = ['KTAP version 1',
                 'kunit_try_catch: vmalloc error: size 1048576, failed to '
                 'allocate pages, mode:0xcc0(GFP_KERNEL)',
                 'kworker invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)']
        during, _ = results.splats(lines)
        self.assertEqual(len(during), 1)
        self.assertIn('oom-killer', during[0])

    def test_a_declared_report_is_accepted_and_nothing_else(self):
        # What lib/mm_alloc_kunit.h prints in a case's KTAP diagnostics.
        lines = ['KTAP version 1',
                 '[ 1.0]     # case_a: expecting a report: WARNING:',
                 '[ 1.1] ------------[ cut here ]------------',
                 '[ 1.2] WARNING: CPU: 0 PID: 33 at mm/vmalloc.c:3838',
                 '[ 1.3] BUG: sleeping function called from invalid context',
                 '[ 1.4]     # case_a: end of expected report',
                 '[ 1.5] WARNING: CPU: 0 PID: 34 at mm/slub.c:1',
                 '[ 1.6]     # case_a: tolerating reports: Out of memory '
                 '(rate-limited)',
                 '[ 1.7] Out of memory: killed nothing',
                 '[ 1.8]     ok 1 case_a',
                 '[ 1.9] Out of memory: again']
        during, _ = results.splats(lines)
        self.assertEqual(during, [
            'BUG: sleeping function called from invalid context',
            'WARNING: CPU: 0 PID: 34 at mm/slub.c:1',
            'Out of memory: again'])

    def test_splats_split_boot_from_tests(self):
        lines = (fake_kunit.BOOT + fake_kunit.KTAP_CRASH).splitlines()
        during, before = results.splats(lines)
        self.assertEqual(len(before), 2)
        self.assertEqual(during, ['Kernel panic - not syncing: Segfault '
                                  'with no mm'])


if __name__ == '__main__':
    unittest.main()


class CaseLabelTest(unittest.TestCase):
    def test_a_case_the_kernel_never_reported_has_one_name(self):
        from allockunit.results import Case
        for status in ('ERROR', 'FAIL'):
            case = Case(('mm_alloc_accounting', ''), status)
            self.assertTrue(case.never_reported)
            self.assertEqual(case.label, 'mm_alloc_accounting: a case the '
                             'kernel never reported')
        self.assertEqual(Case(('', ), 'ERROR').label,
                         'the run: a case the kernel never reported')
        self.assertEqual(Case(('s', 'c'), 'ERROR').label, 's.c (crashed)')
        self.assertEqual(Case(('s', 'c'), 'FAIL').label, 's.c')
        self.assertFalse(Case(('s', ''), 'SKIP').never_reported)
