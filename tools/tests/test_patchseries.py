# SPDX-License-Identifier: GPL-2.0
"""make patch: the series, made in a private git copy of a small fake tree."""

import contextlib
import io
import os
import subprocess
import textwrap
from unittest import mock

from helpers import TempDirTest, make_tree, require_program, snapshot, write
from test_mmhooks import add_mm_files

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

def kernel_tree(root, version=(6, 12, 9)):
    """make_tree's fake kernel, with what the series touches."""
    make_tree(root, version)
    add_mm_files(root)
    write(os.path.join(root, 'MAINTAINERS'), MAINTAINERS)
    write(os.path.join(root, 'mm/Kconfig.debug'),
          'config DEBUG_PAGEALLOC\n\tbool "Debug page memory allocations"\n'
          '\thelp\n\t  Unmaps pages.\n')
    write(os.path.join(root, 'mm/Makefile'),
          '# SPDX-License-Identifier: GPL-2.0\nobj-y += slub.o\n')
    for name in ('slab_common.c', 'util.c'):
        write(os.path.join(root, 'mm', name), 'int x;\n')
    return root


def git(tree, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME='u', GIT_AUTHOR_EMAIL='u@x',
               GIT_COMMITTER_NAME='u', GIT_COMMITTER_EMAIL='u@x')
    return subprocess.run(['git', '-C', tree] + list(args), env=env,
                          check=True, capture_output=True,
                          text=True).stdout.strip()


class ProjectTest(TempDirTest):
    def test_the_series_and_the_suites_agree(self):
        project = patchseries.Project()
        cover, patches = patchseries.read_series()
        self.assertEqual(patchseries.check_project(project, patches), [])
        self.assertTrue(cover.subject.startswith('mm: '))
        for patch in patches:
            self.assertRegex(patch.subject, r'^mm(/tests)?: [a-z]')

    def test_a_file_no_patch_adds_is_named(self):
        project = patchseries.Project()
        _, patches = patchseries.read_series()
        patches[-1].headers['Adds'] = ''
        problems = patchseries.check_project(project, patches)
        self.assertTrue(any('lib/mm_alloc_bench_kunit.c is in no patch'
                            in p for p in problems), problems)
        self.assertTrue(any('.kunitconfig' not in p for p in problems))

    def test_a_missing_kunitconfig_line_is_named(self):
        project = patchseries.Project()
        _, patches = patchseries.read_series()
        for patch in patches:
            patch.headers['Kunitconfig'] = patch.headers.get(
                'Kunitconfig', '').replace('CONFIG_FAILSLAB=y', '')
        problems = patchseries.check_project(project, patches)
        self.assertEqual(problems, ['.kunitconfig has CONFIG_FAILSLAB=y and '
                                    'no patch adds it'])

    def test_the_fallback_author_is_no_project_word(self):
        for part in patchseries.IDENTITY:
            self.assertIsNone(patchseries.PROJECT_WORDS.search(part), part)

    def test_nothing_of_the_project_in_what_goes_upstream(self):
        project = patchseries.Project()
        cover, patches = patchseries.read_series()
        texts = [cover.body] + [p.subject + '\n' + p.body for p in patches]
        texts += list(project.kconfig.values())
        texts += [project.read(f) for p in patches for f in p.words('Adds')]
        for text in texts:
            for line in text.splitlines():
                self.assertIsNone(patchseries.PROJECT_WORDS.search(line),
                                  line)

    def test_messages_fit_checkpatch(self):
        for text in patchseries.read_series()[1]:
            for line in text.body.splitlines():
                self.assertLessEqual(len(line), 75, (text.name, line))

    def test_a_header_that_is_not_one_is_refused(self):
        write(os.path.join(self.tmp, 'series/00-cover.txt'),
              'Subject: x\n\nbody\n')
        write(os.path.join(self.tmp, 'series/01-a.txt'),
              'Subject: y\nAdd: lib/x.c\n\nbody\n')
        with self.assertRaisesRegex(UserError, 'Add: lib/x.c'):
            patchseries.read_series(os.path.join(self.tmp, 'series'))

    def test_a_tree_without_the_code_under_test_is_refused(self):
        tree = make_tree(os.path.join(self.tmp, 'l'))
        with self.assertRaisesRegex(UserError, 'mm/slab_common.c'):
            patchseries.Layout(tree)

    def test_a_kernel_older_than_the_series_is_refused(self):
        tree = kernel_tree(os.path.join(self.tmp, 'l'), (6, 1, 9))
        with self.assertRaisesRegex(UserError, 'out of tree'):
            patchseries.Series('6.1', tree, os.path.join(self.tmp, 'p'))


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
                                       log=self.log.append)

    def read(self, series, rel):
        with open(os.path.join(series.tree, rel)) as f:
            return f.read()

    def test_the_series_applies_and_the_tree_is_untouched(self):
        before = snapshot(self.tree)
        series = self.make()
        _, patches = patchseries.read_series()
        self.assertEqual(len(series.patches), len(patches))
        self.assertTrue(series.cover.endswith('0000-cover-letter.patch'))
        self.assertIsNone(patchseries.apply_series(series))
        self.assertEqual(snapshot(self.tree), before)
        # What the series modifies is a file of the copy's own.
        for rel in series.layout.modified():
            if os.path.isfile(os.path.join(self.tree, rel)):
                self.assertNotEqual(
                    os.stat(os.path.join(self.tree, rel)).st_ino,
                    os.stat(os.path.join(series.tree, rel)).st_ino, rel)
        # The tree the suites land in.
        kunitconfig = self.read(series, 'mm/tests/.kunitconfig')
        makefile = self.read(series, 'mm/tests/Makefile')
        kconfig = self.read(series, 'mm/Kconfig.debug')
        self.assertTrue(self.read(series, 'mm/Makefile').endswith(
            'obj-$(CONFIG_KUNIT) += tests/\n'))
        for rel in [f for p in patches for f in p.words('Adds')]:
            self.assertTrue(os.path.isfile(os.path.join(
                series.tree, 'mm/tests', os.path.basename(rel))), rel)
        for symbol in ('MM_ALLOC_KUNIT_TEST', 'MM_ALLOC_BENCH_KUNIT_TEST'):
            self.assertIn('config %s\n' % symbol, kconfig)
            self.assertIn('obj-$(CONFIG_%s) +=' % symbol, makefile)
        self.assertTrue(makefile.startswith('# SPDX-License-Identifier'))
        self.assertNotIn('compat', makefile)
        self.assertTrue(kunitconfig.startswith('CONFIG_KUNIT=y\n'))
        self.assertNotIn('BENCH', kunitconfig)
        self.assertIn('KUNIT_STATIC_STUB_REDIRECT(should_failslab',
                      self.read(series, 'mm/failslab.c'))
        self.assertIn('EXPORT_SYMBOL_IF_KUNIT(find_vm_area);',
                      self.read(series, 'mm/vmalloc.c'))

    def test_each_patch_reads_the_way_checkpatch_and_mm_ask(self):
        series = self.make()
        _, texts = patchseries.read_series()
        for i, path in enumerate(series.patches):
            with open(path) as f:
                text = f.read()
            head, _, diff = text.partition('\n---\n')
            message = head.split('\n\n', 1)[1]
            self.assertRegex(head, r'(?m)^Signed-off-by: .+ <.+@.+>$')
            self.assertIn('Subject: [PATCH %02d/%02d] %s' % (
                i + 1, len(series.patches), texts[i].subject[:40]), head)
            for line in message.splitlines():
                if not line.startswith('Signed-off-by:'):
                    self.assertLessEqual(len(line), 75, line)
            if texts[i].words('Adds'):
                self.assertIn('MAINTAINERS', diff.split('\ndiff')[0])
        with open(series.cover) as f:
            cover = f.read()
        self.assertNotIn('***', cover)
        self.assertIn('[PATCH 00/%02d] mm: KUnit tests' % len(
            series.patches), cover)
        self.assertNotIn('base-commit', cover)
        self.assertEqual(patchseries.project_words(series), [])

    def test_suite_names_carry_the_subsystem_prefix(self):
        series = self.make()
        tests = os.path.join(series.tree, 'mm', 'tests')
        names = set()
        for name in os.listdir(tests):
            if name.endswith('_kunit.c'):
                with open(os.path.join(tests, name)) as f:
                    names.add(patchseries.suite_name(f.read()))
        self.assertIn('mm_alloc_kmalloc', names)
        self.assertTrue(all(n.startswith('mm_alloc_') for n in names), names)

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
            f.write(text.replace(' #include "slab.h"', ' #include "slub.h"'))
        problem = patchseries.apply_series(series)
        self.assertIsNotNone(problem)
        self.assertFalse(os.path.isdir(os.path.join(series.tree, '.git',
                                                    'rebase-apply')))


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
