# SPDX-License-Identifier: GPL-2.0
"""make regressions: patches into a scratch tree, verdicts, the table."""

import json
import os
import textwrap
from unittest import mock

from helpers import TempDirTest, make_tree, require_program, snapshot, write

from allockunit import UserError, regressions, results, runner

PATCH = textwrap.dedent('''\
    # Reverts: mm: keep the string (id unknown)
    # Shipped in: 6.0 to 6.2
    # Behaviour: the string loses its last byte
    # Visible: UML
    --- a/mm/slub.c
    +++ b/mm/slub.c
    @@ -1 +1 @@
    -int slub;
    +int slub = 1;
    ''')


class PatchTest(TempDirTest):
    def test_header_and_files(self):
        path = os.path.join(self.tmp, '01-keep-string.patch')
        write(path, PATCH)
        patch = regressions.Patch(path)
        self.assertEqual(patch.name, '01-keep-string')
        self.assertEqual(patch.files, ['mm/slub.c'])
        self.assertEqual(patch.header['shipped in'], '6.0 to 6.2')
        self.assertTrue(patch.visible_on('um'))
        self.assertTrue(patch.visible_on('x86_64'))

    def test_visibility(self):
        path = os.path.join(self.tmp, '02-x.patch')
        for visible, um, x86 in (
                ('x86_64 only (huge vmalloc)', False, True),
                ('KASAN only', False, False),
                ('UML', True, True),
                ('UML only (UML has no SMP)', True, False),
                ('UML, only when booted with slab_debug=Z', False, False),
                ('x86_64 only, and only when memory is fragmented', False,
                 False),
                ('x86_64 only (huge vmalloc), and only when fragmented',
                 False, False)):
            write(path, PATCH.replace('Visible: UML', 'Visible: ' + visible))
            patch = regressions.Patch(path)
            self.assertEqual((patch.visible_on('um'),
                              patch.visible_on('x86_64')), (um, x86), visible)

    def test_a_patch_may_name_i386_or_arm64(self):
        path = os.path.join(self.tmp, '05-highmem.patch')
        write(path, PATCH.replace('Visible: UML',
                                  'Visible: i386 only (highmem)'))
        patch = regressions.Patch(path)
        self.assertEqual([a for a in ('um', 'x86_64', 'i386', 'arm64')
                          if patch.visible_on(a)], ['i386'])

    def test_a_profile_header_limits_the_patch_to_that_profile(self):
        path = os.path.join(self.tmp, '04-kasan.patch')
        write(path, PATCH.replace('Visible: UML',
                                  'Profile: kasan\n# Visible: KASAN only'))
        patch = regressions.Patch(path)
        self.assertFalse(patch.visible_on('um'))
        self.assertTrue(patch.visible_on('um', 'kasan'))
        self.assertTrue(patch.visible_on('x86_64', 'kasan'))
        self.assertFalse(patch.visible_on('um', 'debug'))
        self.assertFalse(patch.visible_on('arm64', 'kasan'))
        write(path, PATCH)
        self.assertFalse(regressions.Patch(path).visible_on('um', 'kasan'))

    def test_a_patch_that_changes_nothing_is_refused(self):
        path = os.path.join(self.tmp, '03-empty.patch')
        write(path, '# Reverts: nothing\n')
        with self.assertRaises(UserError):
            regressions.Patch(path)


class ScratchTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.tree = make_tree(os.path.join(self.tmp, 'linux'))
        self.scratch = os.path.join(self.tmp, 'scratch')
        self.patch_path = os.path.join(self.tmp, '01-x.patch')
        write(self.patch_path, PATCH)

    def test_patch_lands_in_a_copy_and_the_tree_is_untouched(self):
        require_program(self, 'patch')
        before = snapshot(self.tree)
        regressions.sync_scratch(self.tree, self.scratch, ['mm/slub.c'])
        self.assertTrue(os.path.islink(os.path.join(self.scratch, 'lib')))
        self.assertFalse(os.path.islink(os.path.join(self.scratch, 'mm',
                                                     'slub.c')))
        regressions.apply_patch(regressions.Patch(self.patch_path),
                                self.scratch)
        with open(os.path.join(self.scratch, 'mm', 'slub.c')) as f:
            self.assertEqual(f.read(), 'int slub = 1;\n')
        regressions.sync_scratch(self.tree, self.scratch, ['mm/slub.c'])
        with open(os.path.join(self.scratch, 'mm', 'slub.c')) as f:
            self.assertEqual(f.read(), 'int slub;\n')
        self.assertEqual(snapshot(self.tree), before)

    def test_check_patches_reports_what_does_not_apply(self):
        require_program(self, 'patch')
        bad = os.path.join(self.tmp, '02-bad.patch')
        write(bad, PATCH.replace('-int slub;', '-int other;'))
        patches = [regressions.Patch(self.patch_path), regressions.Patch(bad)]
        problems = regressions.check_patches(self.tree, self.scratch, patches)
        self.assertEqual([name for name, _ in problems], ['02-bad'])
        with open(os.path.join(self.scratch, 'mm', 'slub.c')) as f:
            self.assertEqual(f.read(), 'int slub;\n')

    def test_a_copy_never_turns_back_into_a_link(self):
        # A link takes the tree's older mtime: make would keep the object
        # built from the patched copy.
        require_program(self, 'patch')
        regressions.sync_scratch(self.tree, self.scratch, ['mm/slub.c'])
        regressions.apply_patch(regressions.Patch(self.patch_path),
                                self.scratch)
        regressions.sync_scratch(self.tree, self.scratch, ['lib/string.c'])
        slub = os.path.join(self.scratch, 'mm', 'slub.c')
        self.assertFalse(os.path.islink(slub))
        # nor does its folder: through a linked mm/ it would be the tree's
        self.assertFalse(os.path.islink(os.path.dirname(slub)))
        self.assertEqual(os.path.realpath(slub), slub)
        # and folders that were links stay links, sync after sync
        regressions.sync_scratch(self.tree, self.scratch, ['lib/string.c'])
        self.assertTrue(os.path.islink(os.path.join(self.scratch, 'scripts')))
        self.assertTrue(os.path.islink(os.path.join(self.scratch, 'lib',
                                                    'kunit')))
        with open(slub) as f:
            self.assertEqual(f.read(), 'int slub;\n')

    def test_a_patch_that_does_not_apply_says_so(self):
        require_program(self, 'patch')
        regressions.sync_scratch(self.tree, self.scratch, ['mm/slub.c'])
        write(self.patch_path, PATCH.replace('-int slub;', '-int other;'))
        with self.assertRaises(UserError) as e:
            regressions.apply_patch(regressions.Patch(self.patch_path),
                                    self.scratch)
        self.assertIn('does not apply', str(e.exception))


class VerdictTest(TempDirTest):
    def case(self, status, name='kmalloc.x'):
        return results.Case(tuple(name.split('.')), status)

    def test_verdicts(self):
        fail = [self.case('PASS'), self.case('FAIL', 'realloc.y')]
        self.assertEqual(regressions.verdict(runner.EXIT_FAILED, fail),
                         ('caught', ['realloc.y']))
        self.assertEqual(regressions.verdict(runner.EXIT_OK,
                                             [self.case('PASS')]),
                         ('missed', []))
        self.assertEqual(regressions.verdict(runner.EXIT_BUILD, [])[0],
                         'no build')
        self.assertEqual(regressions.verdict(runner.EXIT_INCOMPLETE, [])[0],
                         'no boot')
        self.assertEqual(regressions.verdict(runner.EXIT_FAILED,
                                             [self.case('PASS')]),
                         ('caught', ['(a kernel report in the log)']))

    def test_a_case_the_kernel_never_reported_is_named_by_its_suite(self):
        cases = [self.case('FAIL', 'kmalloc.a'),
                 results.Case(('kmalloc', ''), 'ERROR')]
        self.assertEqual(regressions.verdict(runner.EXIT_INCOMPLETE, cases),
                         ('caught', ['kmalloc.a',
                                     'kmalloc: a case the kernel never '
                                     'reported']))

    def test_closing_line(self):
        rows = [{'verdict': v} for v in ('caught', 'caught', 'missed',
                                         'not visible here')]
        self.assertEqual(regressions.closing_line(rows),
                         '2 caught, 1 missed, 1 not visible here')


class RunAllTest(TempDirTest):
    """The whole loop, with make run replaced by a fake that fails a case
    when the scratch tree carries the patch."""

    def setUp(self):
        super().setUp()
        self.tree = make_tree(os.path.join(self.tmp, 'linux'))
        patches = os.path.join(self.tmp, 'patches')
        write(os.path.join(patches, '01-caught.patch'), PATCH)
        write(os.path.join(patches, '02-kasan.patch'),
              PATCH.replace('Visible: UML', 'Visible: KASAN only'))
        patcher = mock.patch.object(regressions, 'PATCH_DIR', patches)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.patches = patches
        env = mock.patch.dict(os.environ, {'ALLOC_KUNIT_BUILD':
                                           os.path.join(self.tmp, 'build')})
        env.start()
        self.addCleanup(env.stop)
        ensure = mock.patch('allockunit.deps.ensure')
        ensure.start()
        self.addCleanup(ensure.stop)

    def fake_run(self, request, log, out=None):
        kdir = request.kdir
        with open(os.path.join(kdir, 'mm', 'slub.c')) as f:
            patched = '= 1' in f.read()
        target = request.target()
        status = 'FAIL' if patched else 'PASS'
        write(os.path.join(target.results, 'kunit.json'), json.dumps({
            'name': 'KUnit Test Group', 'sub_groups': [{
                'name': 'kmalloc', 'test_cases': [
                    {'name': 'slub_case', 'status': status}]}]}))
        return results.Run.read(target, runner.EXIT_FAILED if patched
                                else runner.EXIT_OK)

    def test_caught_skipped_and_reported(self):
        require_program(self, 'patch')
        before = snapshot(self.tree)
        lines = []
        code = regressions.run_all(kdir=self.tree, log=lines.append,
                                   run=self.fake_run)
        self.assertEqual(code, 0)
        self.assertEqual(lines[-1], '1 caught, 0 missed, 1 not visible here')
        self.assertIn('| 01-caught | caught | kmalloc.slub_case |', lines)
        out = [d for d in os.listdir(os.path.join(self.tmp, 'build',
                                                  'results'))
               if d.startswith('regressions-')][0]
        with open(os.path.join(self.tmp, 'build', 'results', out,
                               'regressions.json')) as f:
            rows = json.load(f)['patches']
        self.assertEqual([r['verdict'] for r in rows],
                         ['caught', 'not visible here'])
        self.assertEqual(snapshot(self.tree), before)

    def test_patches_of_ones_own_from_another_folder(self):
        require_program(self, 'patch')
        mine = os.path.join(self.tmp, 'mine')
        write(os.path.join(mine, '01-mine.patch'), PATCH)
        lines = []
        regressions.run_all(kdir=self.tree, log=lines.append,
                            run=self.fake_run, folder=mine)
        self.assertIn('| 01-mine | caught | kmalloc.slub_case |', lines)
        with self.assertRaises(UserError):
            regressions.run_all(kdir=self.tree, log=lines.append,
                                run=self.fake_run, folder=mine + '-none')

    def test_a_relative_folder_of_patches_applies_too(self):
        require_program(self, 'patch')
        write(os.path.join(self.tmp, 'mine', '01-mine.patch'), PATCH)
        lines = []
        cwd = os.getcwd()
        os.chdir(self.tmp)
        try:
            regressions.run_all(kdir=self.tree, log=lines.append,
                                run=self.fake_run, folder='mine')
        finally:
            os.chdir(cwd)
        self.assertIn('| 01-mine | caught | kmalloc.slub_case |', lines)

    def test_a_failing_baseline_stops_before_any_patch(self):
        require_program(self, 'patch')
        write(os.path.join(self.tree, 'mm', 'slub.c'), 'int slub = 1;\n')
        with self.assertRaises(UserError) as e:
            regressions.run_all(kdir=self.tree, log=lambda *a: None,
                                run=self.fake_run)
        self.assertIn('the unpatched tree does not pass', str(e.exception))
