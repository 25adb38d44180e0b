# SPDX-License-Identifier: GPL-2.0
"""make patch: the series, made in a private git copy of a small fake tree."""

import contextlib
import io
import os
import re
import subprocess
import textwrap
from unittest import mock

from helpers import TempDirTest, make_tree, require_program, snapshot, write

from allockunit import UserError, patchseries, selftest

MAINTAINERS = textwrap.dedent('''\
    List of maintainers

    MEMORY MANAGEMENT
    M:\tAndrew Morton <akpm@linux-foundation.org>
    L:\tlinux-mm@kvack.org
    S:\tMaintained
    F:\tinclude/linux/mm.h
    F:\tmm/
    F:\ttools/mm/

    SLAB ALLOCATOR
    M:\tVlastimil Babka <vbabka@suse.cz>
    L:\tlinux-mm@kvack.org
    S:\tMaintained
    F:\tinclude/linux/sl?b*.h
    F:\tmm/sl?b*

    VMALLOC
    M:\tAndrew Morton <akpm@linux-foundation.org>
    L:\tlinux-mm@kvack.org
    S:\tMaintained
    F:\tinclude/linux/vmalloc.h
    F:\tmm/vmalloc.c
    ''')

KUNIT_LOG = textwrap.dedent('''\
    [01:23:12] Configuring KUnit Kernel ...
    [01:26:01] ================== kmalloc (4 subtests) ===================
    [01:26:01] ======== LONG_CASE_NAME  ====
    [01:26:01] [PASSED] size_8
    [01:26:01] [PASSED] size 16 bytes
    [01:26:01] ==== [PASSED] LONG_CASE_NAME ====
    [01:26:01] [PASSED] kmalloc_max_size_succeeds
    [01:26:01] [SKIPPED] kmalloc_huge
    [01:26:01] [PASSED] kmalloc_zero_size
    [01:26:01] ===================== [PASSED] kmalloc =====================
    [01:26:02] =================== realloc (1 subtest) ====================
    [01:26:02] ============ realloc_keeps_contents  ============
    [01:26:02] [PASSED] cell_1
    [01:26:02] ======== [PASSED] realloc_keeps_contents ========
    [01:26:02] ==================== [PASSED] realloc =====================
    ''').replace('LONG_CASE_NAME',
             'kmalloc_is_physically_contiguous_in_the_direct_map')


def kernel_tree(root):
    """make_tree's fake kernel, with what the series touches."""
    make_tree(root)
    write(os.path.join(root, 'MAINTAINERS'), MAINTAINERS)
    write(os.path.join(root, 'mm/Kconfig.debug'),
          'config DEBUG_PAGEALLOC\n\tbool "Debug page memory allocations"\n'
          '\thelp\n\t  Unmaps pages.\n')
    write(os.path.join(root, 'mm/Makefile'),
          '# SPDX-License-Identifier: GPL-2.0\nobj-y += slub.o\n')
    for name in ('slab_common.c', 'vmalloc.c', 'util.c'):
        write(os.path.join(root, 'mm', name), 'int x;\n')
    return root


def git(tree, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME='u', GIT_AUTHOR_EMAIL='u@x',
               GIT_COMMITTER_NAME='u', GIT_COMMITTER_EMAIL='u@x')
    return subprocess.run(['git', '-C', tree] + list(args), env=env,
                          check=True, capture_output=True,
                          text=True).stdout.strip()


class ProjectTest(TempDirTest):
    def test_every_suite_is_read_with_its_files_and_name(self):
        project = patchseries.Project()
        self.assertTrue(project.suites)
        for suite in project.suites:
            self.assertEqual(suite.symbol, suite.name.upper() + '_KUNIT_TEST')
            main = [f for f in suite.files if f.endswith('_kunit.c')]
            self.assertEqual(len(main), 1, suite.name)
            self.assertEqual(patchseries.suite_name(project.read(main[0])),
                             suite.name)
            self.assertIn('config ' + suite.symbol, suite.kconfig)
        names = [s.name for s in project.suites]
        self.assertIn('kmalloc', names)
        self.assertIn('lib/lesson_driver.c', [
            f for s in project.suites for f in s.files])
        self.assertTrue(all(h.endswith('.h') for h in project.helpers))
        self.assertIn('CONFIG_KUNIT=y', project.kunitconfig_base)

    def test_every_kconfig_entry_reads_as_upstream_with_kunit_help(self):
        project = patchseries.Project()
        layout = patchseries.Layout(kernel_tree(os.path.join(self.tmp, 'l')))
        for suite in project.suites:
            text = patchseries.series_kconfig(suite, layout, project)
            self.assertIn('Documentation/dev-tools/kunit/.', text)
            self.assertLess(text.index('Documentation/dev-tools/kunit/'),
                            text.index('If unsure'), suite.name)
            self.assertNotIn('lib/lesson_driver.c', text)
            for line in text.splitlines():
                self.assertIsNone(patchseries._PROJECT_ONLY.search(line),
                                  line)
                # checkpatch's limit
                self.assertLessEqual(len(line.expandtabs()), 100, line)

    def test_project_wording_left_in_kconfig_is_refused(self):
        project = patchseries.Project()
        layout = patchseries.Layout(kernel_tree(os.path.join(self.tmp, 'l')))
        suite = project.suites[0]
        suite.kconfig = suite.kconfig.replace(
            'help\n', 'help\n\t  Run it with make run.\n\n', 1)
        with self.assertRaisesRegex(UserError, 'make run'):
            patchseries.series_kconfig(suite, layout, project)

    def test_a_tree_without_the_code_under_test_is_refused(self):
        tree = make_tree(os.path.join(self.tmp, 'l'))
        with self.assertRaisesRegex(UserError, 'mm/slab_common.c'):
            patchseries.Layout(tree)


class MaintainersTest(TempDirTest):
    def test_lines_go_in_alphabetic_place_in_each_entry(self):
        text, used = patchseries.add_to_maintainers(
            MAINTAINERS, ('SLAB ALLOCATOR', 'VMALLOC', 'NO SUCH ENTRY'),
            ['mm/tests/b_kunit.c', 'mm/tests/a_kunit.c'])
        self.assertEqual(used, ['SLAB ALLOCATOR', 'VMALLOC'])
        slab = text.split('SLAB ALLOCATOR\n')[1].split('\n\n')[0]
        self.assertTrue(slab.endswith('F:\tmm/sl?b*\nF:\tmm/tests/a_kunit.c'
                                      '\nF:\tmm/tests/b_kunit.c'), slab)
        vmalloc = text.split('VMALLOC\n')[1].split('\n\n')[0]
        self.assertIn('F:\tinclude/linux/vmalloc.h\nF:\tmm/tests/a_kunit.c\n'
                      'F:\tmm/tests/b_kunit.c\nF:\tmm/vmalloc.c', vmalloc)
        again, _ = patchseries.add_to_maintainers(
            text, ('SLAB ALLOCATOR',), ['mm/tests/a_kunit.c'])
        self.assertEqual(again, text)

    def test_no_entry_of_the_code_falls_back_to_memory_management(self):
        text, used = patchseries.add_to_maintainers(
            MAINTAINERS, ('KMEMLEAK',), ['mm/tests/x_kunit.c'])
        self.assertEqual(used, ['MEMORY MANAGEMENT'])
        self.assertIn('F:\tmm/\nF:\tmm/tests/x_kunit.c\nF:\ttools/mm/', text)

    def test_maintainers_of_the_expected_entries(self):
        people, lists = patchseries.maintainer_emails(
            MAINTAINERS, ('MEMORY MANAGEMENT', 'SLAB ALLOCATOR'))
        self.assertEqual(people, ['Andrew Morton', 'Vlastimil Babka'])
        self.assertEqual(set(lists), {'linux-mm@kvack.org'})


class OutputTest(TempDirTest):
    def test_a_suite_is_found_with_its_top_level_cases(self):
        found = patchseries.suite_output(KUNIT_LOG.splitlines(True),
                                         'kmalloc')
        header, cases, end, counts = found
        self.assertIn('kmalloc (4 subtests)', header)
        self.assertEqual(len(cases), 4)
        self.assertIn('[PASSED] kmalloc_is_physically', cases[0])
        self.assertEqual(cases[2], '[SKIPPED] kmalloc_huge')
        self.assertEqual(counts, {'PASSED': 3, 'SKIPPED': 1})
        self.assertIn('[PASSED] kmalloc', end)
        lines = patchseries.excerpt(found)
        self.assertEqual(lines[-2], '[...]')
        self.assertTrue(all(len(line) <= 70 for line in lines), lines)
        self.assertEqual(patchseries.count_text(counts),
                         '4 cases: 3 passed, 1 skipped')

    def test_one_subtest_and_a_missing_suite(self):
        found = patchseries.suite_output(KUNIT_LOG.splitlines(True),
                                         'realloc')
        self.assertEqual(found[3], {'PASSED': 1})
        self.assertIsNone(patchseries.suite_output(
            KUNIT_LOG.splitlines(True), 'vmalloc'))

    def test_the_run_where_most_cases_passed_is_chosen(self):
        write(os.path.join(self.tmp, 'results/k-um/kunit.log'), KUNIT_LOG)
        write(os.path.join(self.tmp, 'results/k-x86_64/kunit.log'),
              KUNIT_LOG.replace('[SKIPPED] kmalloc_huge',
                                '[PASSED] kmalloc_huge'))
        write(os.path.join(self.tmp, 'results/k-um-kasan/kunit.log'),
              KUNIT_LOG.replace('SKIPPED', 'PASSED').replace(
                  'size_8', 'x'))
        label, found = patchseries.find_output('k', 'kmalloc', self.tmp)
        self.assertEqual((label, found[3]), ('x86_64', {'PASSED': 4}))
        label, _ = patchseries.find_output('k', 'realloc', self.tmp)
        self.assertEqual(label, 'UML')
        self.assertIsNone(patchseries.find_output('other', 'kmalloc',
                                                  self.tmp))


class SeriesTest(TempDirTest):
    def setUp(self):
        super().setUp()
        require_program(self, 'git')
        self.tree = kernel_tree(os.path.join(self.tmp, 'linux'))
        self.root = os.path.join(self.tmp, 'patch')
        self.project = patchseries.Project()
        self.log = []

    def make(self, kdir=False, kernel_id='6.12'):
        series = patchseries.Series(kernel_id, self.tree, self.root, kdir)
        return patchseries.make_series(series, self.project,
                                       self.log.append, self.tmp)

    def test_the_series_applies_and_the_tree_is_untouched(self):
        before = snapshot(self.tree)
        write(os.path.join(self.tmp, 'results/6.12-um/kunit.log'), KUNIT_LOG)
        series = self.make()
        n = len(self.project.suites) + 1
        self.assertEqual(len(series.patches), n)
        self.assertTrue(series.cover.endswith('0000-cover-letter.patch'))
        self.assertIsNone(patchseries.apply_series(series))
        self.assertEqual(snapshot(self.tree), before)
        # What the series modifies is a file of the copy's own.
        for rel in series.layout.modified():
            self.assertNotEqual(
                os.stat(os.path.join(self.tree, rel)).st_ino,
                os.stat(os.path.join(series.tree, rel)).st_ino, rel)
        # The tree the suites land in.
        tests = os.path.join(series.tree, 'mm', 'tests')
        with open(os.path.join(tests, '.kunitconfig')) as f:
            kunitconfig = f.read()
        with open(os.path.join(tests, 'Makefile')) as f:
            makefile = f.read()
        with open(os.path.join(series.tree, 'mm', 'Kconfig.debug')) as f:
            kconfig = f.read()
        with open(os.path.join(series.tree, 'mm', 'Makefile')) as f:
            self.assertTrue(f.read().endswith('obj-$(CONFIG_KUNIT) += '
                                              'tests/\n'))
        for suite in self.project.suites:
            for rel in suite.files:
                self.assertTrue(os.path.isfile(os.path.join(
                    tests, os.path.basename(rel))), rel)
            self.assertIn('config %s\n' % suite.symbol, kconfig)
            self.assertIn('obj-$(CONFIG_%s) +=' % suite.symbol, makefile)
            self.assertEqual('CONFIG_%s=y' % suite.symbol in kunitconfig,
                             suite.in_kunitconfig, suite.name)
        self.assertTrue(makefile.startswith('# SPDX-License-Identifier'))
        self.assertTrue(kunitconfig.startswith('CONFIG_KUNIT=y\n'))

    def test_each_patch_reads_the_way_checkpatch_and_mm_ask(self):
        write(os.path.join(self.tmp, 'results/6.12-um/kunit.log'), KUNIT_LOG)
        series = self.make()
        for i, path in enumerate(series.patches):
            with open(path) as f:
                text = f.read()
            head, _, diff = text.partition('\n---\n')
            message = head.split('\n\n', 1)[1]
            self.assertRegex(head, r'(?m)^Signed-off-by: .+ <.+@.+>$')
            self.assertRegex(head, r'Subject: \[PATCH %02d/%02d\] mm/tests: '
                             % (i + 1, len(series.patches)))
            for line in message.splitlines():
                if not line.startswith('Signed-off-by:'):
                    self.assertLessEqual(len(line), 75, line)
            self.assertIn('MAINTAINERS', diff.split('\ndiff')[0])
            if i:
                suite = self.project.suites[i - 1]
                self.assertIn('"%s"' % suite.name, message)
                self.assertIn('kunit.py run --kunitconfig=mm/tests', message)
                self.assertIn("'%s'" % suite.name, message)
        with open(series.patches[1]) as f:
            kmalloc = f.read()
        self.assertIn('Output on Linux 6.12.9 (UML), 4 cases: 3 passed, 1 '
                      'skipped:', kmalloc)
        self.assertIn('kmalloc (4 subtests)', kmalloc)
        with open(series.cover) as f:
            cover = f.read()
        self.assertNotIn('***', cover)
        self.assertIn('[PATCH 00/%02d] mm: KUnit suites' % len(
            series.patches), cover)
        self.assertNotIn('base-commit', cover)

    def test_suite_names_in_the_series_are_the_projects(self):
        series = self.make()
        tests = os.path.join(series.tree, 'mm', 'tests')
        names = set()
        for name in os.listdir(tests):
            if name.endswith('_kunit.c'):
                with open(os.path.join(tests, name)) as f:
                    names.add(patchseries.suite_name(f.read()))
        self.assertEqual(names, {s.name for s in self.project.suites})

    def test_the_pristine_commit_is_made_once(self):
        first = self.make()
        self.assertTrue(any('committing the pristine' in line
                            for line in self.log))
        self.log.clear()
        second = self.make()
        self.assertEqual(first.base, second.base)
        self.assertFalse(any('committing' in line or 'copying' in line
                             for line in self.log), self.log)
        # The same project gives the same series.
        self.assertEqual(first.series_tree, second.series_tree)
        # A changed tree is copied again.
        with open(os.path.join(self.tree, 'Makefile'), 'a') as f:
            f.write('# x\n')
        self.log.clear()
        third = self.make()
        self.assertTrue(any('committing the pristine' in line
                            for line in self.log))
        self.assertNotEqual(third.base, first.base)

    def test_a_git_kdir_is_cloned_at_its_head_and_only_read(self):
        git(self.tree, 'init', '-q')
        git(self.tree, 'add', '-A')
        git(self.tree, 'commit', '-q', '-m', 'v6.12.9')
        head = git(self.tree, 'rev-parse', 'HEAD')
        write(os.path.join(self.tree, 'mm', 'util.c'), 'int uncommitted;\n')
        before = snapshot(self.tree)
        series = self.make(kdir=True, kernel_id='kdir-linux')
        self.assertEqual(series.base, head)
        self.assertEqual(snapshot(self.tree), before)
        with open(os.path.join(series.tree, 'mm', 'util.c')) as f:
            self.assertEqual(f.read(), 'int x;\n')
        with open(series.cover) as f:
            self.assertIn('base-commit: ' + head, f.read())
        self.assertIsNone(patchseries.apply_series(series))
        # A new commit in the user's tree is followed.
        git(self.tree, 'commit', '-q', '-am', 'next')
        again = self.make(kdir=True, kernel_id='kdir-linux')
        self.assertEqual(again.base, git(self.tree, 'rev-parse', 'HEAD'))
        self.assertIsNone(patchseries.apply_series(again))

    def test_a_patch_that_no_longer_applies_is_reported(self):
        series = self.make()
        with open(series.patches[0]) as f:
            text = f.read()
        with open(series.patches[0], 'w') as f:
            f.write(text.replace(' obj-y += slub.o', ' obj-y += slab.o'))
        problem = patchseries.apply_series(series)
        self.assertIsNotNone(problem)
        self.assertFalse(os.path.isdir(os.path.join(series.tree, '.git',
                                                    'rebase-apply')))


class RunCommandTest(TempDirTest):
    def test_commands_fit_in_a_commit_message(self):
        layout = patchseries.Layout(kernel_tree(os.path.join(self.tmp, 'l')))
        for suite in ('kmalloc', 'alloc_accounting', 'a' * 30):
            cmd = patchseries.run_command(layout, suite)
            for line in cmd.split('\n'):
                self.assertLessEqual(len('  ' + line), 75, line)
        cmd = patchseries.run_command(layout, 'alloc_dma', (), 'x86_64')
        self.assertIn('--arch=x86_64', cmd)
        self.assertTrue(re.search(r"'alloc_dma'$", cmd))


class SelftestStageTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.tree = kernel_tree(os.path.join(self.tmp, 'linux'))
        self.series = patchseries.Series('6.12', self.tree,
                                         os.path.join(self.tmp, 'patch'))

    def stage(self, items, build=False, touch=False):
        seen = []

        def check(series, build_it):
            seen.append(build_it)
            if touch:
                write(os.path.join(self.tree, 'mm', 'util.c'), 'int y;\n')
            return items
        tally = selftest.Tally()
        with mock.patch.object(patchseries, 'prepare',
                               lambda kernel: self.series), \
                mock.patch.object(patchseries, 'make_series',
                                  lambda series: series), \
                mock.patch.object(patchseries, 'check', check), \
                contextlib.redirect_stdout(io.StringIO()):
            selftest.patch_series(tally, '6.12', build)
        self.assertEqual(seen, [build])
        return tally

    def test_every_check_is_an_item_of_the_tally(self):
        tally = self.stage([('6.12: git am applies', True, ''),
                            ('6.12: checkpatch 0001', False, '2 findings')],
                           build=True)
        self.assertEqual((tally.passed, tally.failed), (2, 1))
        self.assertEqual(tally.failures,
                         ['patch 6.12: checkpatch 0001: 2 findings'])

    def test_a_written_tree_fails(self):
        tally = self.stage([], touch=True)
        self.assertEqual(tally.failed, 1)
        self.assertIn('untouched', tally.failures[0])

    def test_a_series_that_cannot_be_made_fails(self):
        tally = selftest.Tally()
        with mock.patch.object(patchseries, 'prepare',
                               mock.Mock(side_effect=UserError('no git'))), \
                contextlib.redirect_stdout(io.StringIO()):
            selftest.patch_series(tally, '6.1', False)
        self.assertEqual(tally.failures, ['make patch 6.1: no git'])

    def test_patch_build_is_on_unless_turned_off(self):
        for value, build in (('', True), ('1', True), ('0', False)):
            with mock.patch.dict(os.environ, {'PATCH_BUILD': value}):
                self.assertEqual(selftest.patch_build(), build, value)
