# SPDX-License-Identifier: GPL-2.0
"""Kernel trees: what counts as one, and unpacking Debian's."""

import os
import subprocess
from unittest import mock

from helpers import TempDirTest, make_tree, require_program, write

from allockunit import UserError, source


class TreeVersionTest(TempDirTest):
    def test_a_kernel_tree(self):
        tree = make_tree(os.path.join(self.tmp, 'linux'), (6, 1, 192))
        self.assertEqual(source.tree_version(tree), (6, 1, 192))

    def assertRejected(self, path, words):
        with self.assertRaises(UserError) as e:
            source.tree_version(path)
        self.assertIn(words, str(e.exception))
        self.assertNotIn('\n', str(e.exception))

    def test_not_a_directory(self):
        self.assertRejected(os.path.join(self.tmp, 'nope'),
                            'is not a directory')

    def test_no_makefile(self):
        self.assertRejected(self.tmp, 'not a kernel tree (no Makefile)')

    def test_makefile_without_version(self):
        write(os.path.join(self.tmp, 'Makefile'), 'all:\n')
        self.assertRejected(self.tmp, 'sets no VERSION')

    def test_no_kunit(self):
        tree = make_tree(self.tmp)
        os.unlink(os.path.join(tree, 'tools/testing/kunit/kunit.py'))
        self.assertRejected(tree, 'no tools/testing/kunit/kunit.py')

    def test_too_old(self):
        tree = make_tree(self.tmp, (5, 15, 0))
        self.assertRejected(tree, 'is Linux 5.15; the suites need 6.1')

    def test_unsupported_kernel(self):
        with self.assertRaises(UserError) as e:
            source.check_kernel('5.10')
        self.assertIn('KERNEL=5.10 is not supported', str(e.exception))

    def test_user_tree_id_is_stable_and_distinct(self):
        a = source.user_tree_id('/src/linux')
        self.assertEqual(a, source.user_tree_id('/src/linux/'))
        self.assertNotEqual(a, source.user_tree_id('/other/linux'))
        self.assertTrue(a.startswith('kdir-linux-'))


class DebianTreeTest(TempDirTest):
    def setUp(self):
        super().setUp()
        require_program(self, 'xz')
        self.usr_src = os.path.join(self.tmp, 'usr-src')
        self.src_root = os.path.join(self.tmp, 'cache')
        make_tree(os.path.join(self.tmp, 'pkg', 'linux-source-6.12'))
        os.makedirs(self.usr_src)
        subprocess.run(['tar', '-cJf', os.path.join(
            self.usr_src, 'linux-source-6.12.tar.xz'), '-C',
            os.path.join(self.tmp, 'pkg'), 'linux-source-6.12'], check=True)
        self.version = '6.12.117-1~deb12u1'
        patcher = mock.patch('allockunit.deps.installed_version',
                             lambda pkg: self.version)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.logged = []

    def unpack(self):
        return source.debian_tree('6.12', self.src_root, self.logged.append,
                                  self.usr_src)

    def test_unpacks_once_keyed_by_version(self):
        tree = self.unpack()
        self.assertEqual(os.path.basename(tree),
                         'linux-source-6.12_6.12.117-1_deb12u1')
        self.assertTrue(os.path.isfile(os.path.join(tree, 'Makefile')))
        self.assertTrue(any('100%' in line for line in self.logged))
        self.logged.clear()
        self.assertEqual(self.unpack(), tree)
        self.assertEqual(self.logged, [])

    def test_new_version_gives_fresh_tree_and_drops_old(self):
        old = self.unpack()
        self.version = '6.12.118-1~deb12u1'
        new = self.unpack()
        self.assertNotEqual(new, old)
        self.assertFalse(os.path.exists(old))

    def test_interrupted_unpack_is_redone(self):
        partial = os.path.join(self.src_root,
                               'linux-source-6.12_6.12.117-1_deb12u1.partial')
        write(os.path.join(partial, 'half'), 'x')
        tree = self.unpack()
        self.assertTrue(os.path.isfile(os.path.join(tree, 'Makefile')))
        self.assertFalse(os.path.exists(partial))

    def test_second_run_waits_for_the_first_unpack(self):
        import fcntl
        import threading
        os.makedirs(self.src_root)
        lock_path = os.path.join(
            self.src_root, 'linux-source-6.12_6.12.117-1_deb12u1.lock')
        with open(lock_path, 'w') as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            done = []
            worker = threading.Thread(target=lambda: done.append(
                self.unpack()))
            worker.start()
            worker.join(0.5)
            self.assertFalse(done)      # blocked behind the held lock
            self.assertIn('waiting for another run to unpack '
                          'linux-source-6.12_6.12.117-1_deb12u1', self.logged)
        worker.join(30)
        self.assertTrue(os.path.isfile(os.path.join(done[0], 'Makefile')))

    def test_missing_tarball(self):
        os.unlink(os.path.join(self.usr_src, 'linux-source-6.12.tar.xz'))
        with self.assertRaises(UserError) as e:
            self.unpack()
        self.assertIn('--reinstall linux-source-6.12', str(e.exception))

    def test_package_not_installed(self):
        self.version = None
        with self.assertRaises(UserError) as e:
            self.unpack()
        self.assertIn('linux-source-6.12 is not installed', str(e.exception))
