# SPDX-License-Identifier: GPL-2.0
"""make bisect on a small git history of a fake kernel tree.

Each revision's tools/testing/kunit/kunit.py is the fake kunit.py set to
one mode (pass, fail, build_error, crash, ...), so `git bisect run` drives
the real step (`alloc-kunit bisect-step`, the runner, the view) and no
kernel is built.
"""

import json
import os
import signal
import subprocess
import tempfile
import textwrap
from unittest import mock

from helpers import (FAKE_KUNIT, TempDirTest, make_tree, require_program,
                     write)

from allockunit import UserError, bisect, graft

MODE_LINE = "mode = os.environ.get('FAKE_KUNIT_MODE', 'pass')"
GIT = ['git', '-c', 'user.name=alloc-kunit test',
       '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false']
# kunit.py of a revision where the user presses Ctrl-C: it sends SIGINT to
# the test (the driver of the bisect), as a terminal would, and waits.
INTERRUPT = textwrap.dedent('''\
    import os, signal, time
    os.kill(int(os.environ['ALLOC_KUNIT_TEST_PID']), signal.SIGINT)
    time.sleep(60)
    ''')
# kunit.py of a revision where the step itself breaks (unreadable JSON):
# the bisect must stop, not call the revision bad.
BROKEN_STEP = textwrap.dedent('''\
    import sys
    for a in sys.argv:
        if a.startswith('--json='):
            open(a[7:], 'w').write('{')
    ''')


def kunit_py(mode):
    if mode == 'interrupt':
        return INTERRUPT
    if mode == 'broken_step':
        return BROKEN_STEP
    with open(FAKE_KUNIT) as f:
        text = f.read()
    assert MODE_LINE in text
    return text.replace(MODE_LINE, 'mode = %r' % mode)


class BisectTest(TempDirTest):
    def setUp(self):
        super().setUp()
        require_program(self, 'git')
        require_program(self, 'make')
        self.tree = os.path.join(self.tmp, 'linux')
        self.build = os.path.join(self.tmp, 'build')
        # The steps run in subprocesses: a dpkg-query that finds every
        # package installed keeps them away from apt.
        bin_dir = os.path.join(self.tmp, 'bin')
        write(os.path.join(bin_dir, 'dpkg-query'),
              "#!/bin/sh\nprintf 'install ok installed\\t1.0'\n", 0o755)
        env = mock.patch.dict(os.environ, {
            'ALLOC_KUNIT_BUILD': self.build,
            'ALLOC_KUNIT_TEST_PID': str(os.getpid()),
            'PATH': bin_dir + os.pathsep + os.environ['PATH']})
        env.start()
        self.addCleanup(env.stop)
        os.environ.pop('FAKE_KUNIT_MODE', None)
        skip_apt = mock.patch('allockunit.deps.ensure')
        skip_apt.start()
        self.addCleanup(skip_apt.stop)
        self.lines = []

    def git(self, *args):
        return subprocess.run(GIT + ['-C', self.tree] + list(args),
                              capture_output=True, text=True,
                              check=True).stdout.strip()

    def history(self, modes):
        """One commit per mode, the first on a fresh tree; their hashes."""
        make_tree(self.tree)
        subprocess.run(['git', 'init', '-q', '-b', 'work', self.tree],
                       check=True)
        commits = []
        for n, mode in enumerate(modes):
            write(os.path.join(self.tree, 'tools/testing/kunit/kunit.py'),
                  kunit_py(mode), 0o755)
            write(os.path.join(self.tree, 'mm/slub.c'),
                  'int slub = %d;\n' % n)
            self.git('add', '-A')
            self.git('commit', '-q', '-m', 'rev %d: %s' % (n, mode))
            commits.append(self.git('rev-parse', 'HEAD'))
        return commits

    def bisect(self, good, bad, **kw):
        self.out_path = os.path.join(self.tmp, 'out.log')
        with open(self.out_path, 'w') as out:
            return bisect.bisect(self.tree, good, bad, log=self.lines.append,
                                 out=out, **kw)

    def output(self):
        with open(self.out_path) as f:
            return f.read()

    def log(self):
        return '\n'.join(self.lines)

    def state(self):
        return bisect.state_dir(self.tree, 'um')

    def read(self, name):
        with open(os.path.join(self.state(), name)) as f:
            return f.read()

    def records(self):
        with open(os.path.join(self.state(), 'steps.json')) as f:
            return json.load(f)

    def assert_restored(self, branch, commit):
        self.assertEqual(bisect.head(self.tree), (branch, commit))
        self.assertFalse(bisect.bisecting(self.tree))
        self.assertEqual(self.git('status', '--porcelain'), '')

    def test_finds_the_first_bad_commit_and_skips_what_does_not_build(self):
        c = self.history(['pass', 'pass', 'build_error', 'build_error',
                          'build_error', 'pass', 'fail', 'fail', 'fail'])
        code = self.bisect(c[0], 'work')
        self.assertEqual(code, 0, self.log() + self.output())
        log = self.log()
        self.assertIn('first bad commit: %s rev 6: fail' % c[6], log)
        self.assertIn('kmalloc.kmalloc_breaks', log)
        self.assertIn('EXPECTATION FAILED at lib/x.c:10', log)
        self.assertIn('CHECKS OUT REVISIONS IN YOUR TREE'.lower(),
                      log.lower())
        out = self.output()
        self.assertIn('checking BAD=work: testing %s rev 8: fail'
                      % c[8][:12], out)
        self.assertRegex(out, r'step 1 \(about \d+ left\): testing [0-9a-f]'
                         r'{12} rev \d: ')
        records = self.records()
        self.assertEqual([r['label'] for r in records[:2]], ['bad', 'good'])
        skipped = [r for r in records if r['verdict'] == 'skip']
        self.assertTrue(skipped, records)
        self.assertTrue(all(r['reason'] == 'did not build' for r in skipped))
        self.assertTrue(all(c.index(r['commit']) in (2, 3, 4)
                            for r in skipped))
        # every revision's own results are kept
        for r in records:
            self.assertTrue(os.path.isfile(os.path.join(
                self.state(), r['results'], 'kunit.log')), r)
        first = [r for r in records if r['commit'] == c[6]][0]
        self.assertTrue(os.path.isfile(os.path.join(
            self.state(), first['results'], 'kunit.json')))
        self.assertIn('bisect start', self.read('git-bisect.log'))
        self.assertIn('first bad commit', self.read('summary.txt'))
        self.assert_restored('work', c[8])

    def test_only_skipped_commits_left_names_the_candidates(self):
        c = self.history(['pass', 'build_error', 'fail'])
        self.assertEqual(self.bisect(c[0], c[2]), 1)
        log = self.log()
        self.assertIn('could not be narrowed down', log)
        self.assertIn(c[1][:12] + ' rev 1: build_error (skip: did not build)',
                      log)
        self.assertIn(c[2][:12] + ' rev 2: fail (bad', log)
        self.assert_restored('work', c[2])

    def test_a_crash_after_the_tests_started_is_bad(self):
        c = self.history(['pass', 'pass', 'crash', 'fail', 'fail'])
        self.assertEqual(self.bisect(c[0], c[4]), 0, self.output())
        self.assertIn('first bad commit: %s rev 2: crash' % c[2], self.log())
        self.assertIn('the run stopped in kmalloc', self.log())

    def test_on_crash_skip_skips_it(self):
        c = self.history(['pass', 'crash', 'fail'])
        self.assertEqual(self.bisect(c[0], c[2], on_crash='skip'), 1)
        self.assertIn(c[1][:12] + ' rev 1: crash (skip: the run stopped',
                      self.log())

    def test_a_kernel_that_never_reached_the_tests_is_skipped(self):
        c = self.history(['pass', 'boot_crash', 'fail'])
        self.assertEqual(self.bisect(c[0], c[2]), 1, self.output())
        self.assertIn(c[1][:12] + ' rev 1: boot_crash (skip: the kernel '
                      'stopped before the tests started', self.log())

    def test_a_dirty_tree_is_refused_and_left_alone(self):
        c = self.history(['pass', 'fail'])
        write(os.path.join(self.tree, 'mm/slub.c'), 'int mine;\n')
        with self.assertRaises(UserError) as e:
            self.bisect(c[0], c[1])
        self.assertIn('uncommitted changes (mm/slub.c)', str(e.exception))
        self.assertIn('stash', str(e.exception))
        self.assertEqual(bisect.head(self.tree), ('work', c[1]))
        with open(os.path.join(self.tree, 'mm/slub.c')) as f:
            self.assertEqual(f.read(), 'int mine;\n')

    def test_good_that_fails_is_reported_and_the_branch_restored(self):
        c = self.history(['fail', 'fail', 'fail'])
        with self.assertRaises(UserError) as e:
            self.bisect(c[0], c[2])
        self.assertIn('GOOD=%s fails too: a case failed, '
                      'kmalloc.kmalloc_breaks' % c[0], str(e.exception))
        self.assert_restored('work', c[2])

    def test_bad_that_passes_is_reported(self):
        c = self.history(['pass', 'pass'])
        with self.assertRaises(UserError) as e:
            self.bisect(c[0], c[1])
        self.assertIn('BAD=%s passes' % c[1], str(e.exception))
        self.assert_restored('work', c[1])

    def test_bad_that_does_not_build_is_reported(self):
        c = self.history(['pass', 'build_error'])
        with self.assertRaises(UserError) as e:
            self.bisect(c[0], c[1])
        self.assertIn('cannot be tested: did not build', str(e.exception))

    def test_a_detached_head_is_restored_after_a_broken_step(self):
        c = self.history(['pass', 'broken_step', 'broken_step',
                          'broken_step', 'fail'])
        self.git('checkout', '-q', '--detach', c[3])
        with self.assertRaises(UserError) as e:
            self.bisect(c[0], c[4])
        self.assertIn('git bisect run stopped', str(e.exception))
        self.assertIn('stopping the bisect', self.output())
        self.assert_restored(None, c[3])

    def test_ctrl_c_stops_the_step_and_restores_the_branch(self):
        c = self.history(['pass', 'interrupt', 'interrupt', 'interrupt',
                          'fail'])
        self.git('checkout', '-q', '-b', 'other', c[2])
        with self.assertRaises(KeyboardInterrupt):
            self.bisect(c[0], c[4])
        self.assert_restored('other', c[2])
        self.assertIn('KDIR is back on branch other', self.log())
        self.assertIn('step 1 (about', self.output())
        self.assertIn('interrupted; stopping the bisect', self.output())

    def test_revisions_are_checked(self):
        c = self.history(['pass', 'fail'])
        for good, bad, said in (
                ('nosuch', c[1], 'GOOD=nosuch is not a commit'),
                (c[0], '', 'needs BAD='),
                (c[1], c[0], 'is an ancestor of GOOD'),
                (c[1], c[1], 'the same commit')):
            with self.assertRaises(UserError) as e:
                self.bisect(good, bad)
            self.assertIn(said, str(e.exception))
        with self.assertRaises(UserError) as e:
            bisect.bisect(self.tmp, c[0], c[1], log=self.lines.append)
        self.assertIn('not a git work tree', str(e.exception))

    def test_a_bisect_already_in_progress_is_left_alone(self):
        c = self.history(['pass', 'pass', 'fail'])
        self.git('bisect', 'start', c[2], c[0])
        with self.assertRaises(UserError) as e:
            self.bisect(c[0], c[2])
        self.assertIn('already in progress', str(e.exception))
        self.assertTrue(bisect.bisecting(self.tree))


class ViewFollowsRevisionsTest(TempDirTest):
    """The view is re-synced at every step: what a revision adds or drops
    appears in it or goes."""

    def test_files_that_come_and_go(self):
        require_program(self, 'git')
        tree = make_tree(os.path.join(self.tmp, 'linux'))
        view = os.path.join(self.tmp, 'view')
        project = tempfile.mkdtemp(dir=self.tmp)

        def git(*args):
            subprocess.run(GIT + ['-C', tree] + list(args), check=True,
                           capture_output=True)
        git('init', '-q')
        git('add', '-A')
        git('commit', '-q', '-m', 'old')
        write(os.path.join(tree, 'NEWTOP'), 'x\n')
        write(os.path.join(tree, 'lib/added.c'), 'int added;\n')
        write(os.path.join(tree, 'tools/testing/kunit/new.py'), '# new\n')
        with open(os.path.join(tree, 'lib/Makefile'), 'a') as f:
            f.write('obj-y += added.o\n')
        os.unlink(os.path.join(tree, 'lib/string.c'))
        git('add', '-A')
        git('commit', '-q', '-m', 'new')
        for rev, present in (('HEAD', True), ('HEAD~1', False),
                             ('HEAD@{1}', True)):
            git('checkout', '-q', '--detach', rev)
            graft.sync_view(tree, view, project)
            self.assertEqual(os.path.exists(os.path.join(view, 'NEWTOP')),
                             present, rev)
            self.assertEqual(os.path.exists(os.path.join(view,
                                                         'lib/added.c')),
                             present, rev)
            self.assertEqual(os.path.exists(os.path.join(
                view, 'tools/testing/kunit/new.py')), present, rev)
            self.assertEqual(os.path.exists(os.path.join(
                view, 'lib/string.c')), not present, rev)
            with open(os.path.join(view, 'lib/Makefile')) as f:
                self.assertEqual('added.o' in f.read(), present, rev)


class EstimateTest(TempDirTest):
    def test_like_git(self):
        # git bisect start on 31 revisions: "roughly 4 steps" after this one
        self.assertEqual(bisect.estimate_steps(31), 4)
        self.assertEqual(bisect.estimate_steps(2), 0)
        self.assertEqual(bisect.estimate_steps(8), 2)


class DeferredInterruptTest(TempDirTest):
    def test_ctrl_c_during_a_checkout_waits_for_its_end(self):
        done = []
        with self.assertRaises(KeyboardInterrupt):
            with bisect._deferred_interrupts():
                os.kill(os.getpid(), signal.SIGINT)
                done.append('the checkout finished')
        self.assertEqual(done, ['the checkout finished'])
