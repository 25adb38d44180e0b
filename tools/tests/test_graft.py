# SPDX-License-Identifier: GPL-2.0
"""The private view: grafted, idempotent, live, and the tree untouched."""

import os
import subprocess
import sys
import time

from helpers import TempDirTest, make_tree, snapshot, write

from allockunit import graft


class GraftTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.tree = make_tree(os.path.join(self.tmp, 'linux'))
        self.view = os.path.join(self.tmp, 'view')
        self.project = os.path.join(self.tmp, 'project')
        os.makedirs(self.project)

    def sync(self):
        return graft.sync_view(self.tree, self.view, self.project)

    def read(self, rel):
        with open(os.path.join(self.view, rel)) as f:
            return f.read()

    def test_graft_lines_appended_once(self):
        self.sync()
        self.sync()
        self.assertEqual(self.read('lib/Kconfig.debug').count(
            graft.KCONFIG_LINE), 1)
        self.assertEqual(self.read('lib/Makefile').count(
            graft.MAKEFILE_LINE), 1)
        self.assertTrue(self.read('lib/Makefile').startswith(
            'obj-y += string.o\n'))

    def test_second_sync_changes_nothing(self):
        self.sync()
        before = snapshot(self.view)
        time.sleep(0.01)
        self.sync()
        self.assertEqual(snapshot(self.view), before)

    def test_project_is_linked_live(self):
        self.sync()
        link = os.path.join(self.view, 'lib', graft.GRAFT_NAME)
        self.assertEqual(os.readlink(link), self.project)
        write(os.path.join(self.project, 'lib/new_kunit.c'), 'int y;\n')
        self.assertTrue(os.path.isfile(os.path.join(link,
                                                    'lib/new_kunit.c')))

    def test_everything_else_links_to_the_tree(self):
        self.sync()
        for rel in ('mm/slub.c', 'scripts', 'Kconfig', 'lib/string.c',
                    'tools/perf', 'tools/testing/selftests'):
            path = os.path.join(self.view, rel)
            self.assertTrue(os.path.islink(path), rel)
            self.assertEqual(os.readlink(path), os.path.join(self.tree, rel))
        for rel in ('Makefile', 'tools/testing/kunit/kunit.py'):
            self.assertFalse(os.path.islink(os.path.join(self.view, rel)))

    def test_tree_changes_reach_the_view(self):
        self.sync()
        write(os.path.join(self.tree, 'mm/slub.c'), 'int changed;\n')
        write(os.path.join(self.tree, 'lib/Makefile'), 'obj-y += other.o\n')
        write(os.path.join(self.tree, 'ipc/new.c'), 'int n;\n')
        os.unlink(os.path.join(self.tree, 'lib/string.c'))
        self.sync()
        self.assertEqual(self.read('mm/slub.c'), 'int changed;\n')
        self.assertTrue(self.read('lib/Makefile').startswith(
            'obj-y += other.o\n'))
        self.assertIn(graft.MAKEFILE_LINE, self.read('lib/Makefile'))
        self.assertEqual(self.read('ipc/new.c'), 'int n;\n')
        self.assertFalse(os.path.lexists(os.path.join(self.view,
                                                      'lib/string.c')))

    def test_a_damaged_view_is_repaired(self):
        self.sync()
        os.unlink(os.path.join(self.view, 'scripts'))
        os.makedirs(os.path.join(self.view, 'scripts'))
        write(os.path.join(self.view, 'lib/Makefile'), 'garbage\n')
        open(os.path.join(self.view, 'lib/Makefile.tmp'), 'w').close()
        self.sync()
        self.assertTrue(os.path.islink(os.path.join(self.view, 'scripts')))
        self.assertIn(graft.MAKEFILE_LINE, self.read('lib/Makefile'))
        self.assertFalse(os.path.exists(os.path.join(self.view,
                                                     'lib/Makefile.tmp')))

    def test_user_tree_is_byte_for_byte_unchanged(self):
        before = snapshot(self.tree)
        self.sync()
        # Running the view's kunit.py must not write __pycache__ anywhere
        # in the tree either.
        subprocess.run([sys.executable, os.path.join(
            self.view, 'tools/testing/kunit/kunit.py'), 'run',
            '--build_dir=' + os.path.join(self.tmp, 'b'),
            '--json=' + os.path.join(self.tmp, 'j.json')],
            capture_output=True, check=False)
        write(os.path.join(self.project, 'lib/x.c'), 'int z;\n')
        self.sync()
        self.assertEqual(snapshot(self.tree), before)
