# SPDX-License-Identifier: GPL-2.0
"""PROFILE= and PAGES=: what each adds, and what is left out and said."""

import os
import tempfile
import unittest

import helpers  # noqa: F401  (sets sys.path)

from allockunit import UserError, profiles, runner

FRAGMENT = """\
# a profile for the tests
# boot: fence.on=1 quiet
# timeout: 900
# make: KCFLAGS=-Dname=other_name
# arch: x86_64 arm64
CONFIG_KFENCE=y
CONFIG_NEW_ONLY=y
# arch: x86_64
CONFIG_X86_ONLY=y
CONFIG_GONE=n
"""


class ProfileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        with open(os.path.join(self.dir, 'fence.config'), 'w') as f:
            f.write(FRAGMENT)

    def options(self, arch, symbols=('KFENCE', 'NEW_ONLY', 'X86_ONLY')):
        return profiles.options('fence', '/nonexistent', arch,
                                configs=self.dir, symbols=set(symbols))

    def test_names_start_with_default(self):
        self.assertEqual(profiles.names(self.dir), ['default', 'fence'])

    def test_boot_lines_are_kernel_arguments(self):
        self.assertEqual(profiles.boot_args('fence', self.dir),
                         ['fence.on=1', 'quiet'])
        self.assertEqual(profiles.boot_args('default', self.dir), [])

    def test_make_lines_are_make_variables(self):
        self.assertEqual(profiles.make_options('fence', self.dir),
                         ['KCFLAGS=-Dname=other_name'])
        self.assertEqual(profiles.make_options('default', self.dir), [])

    def test_make_variables_reach_both_builds(self):
        target = runner.Target('6.12', 'um', root='/b')
        cmd = runner.kunit_command(target, '/k', 2, 60, make=['A=1'])
        self.assertIn('--make_options=A=1', cmd)
        cmd = runner.kunit_command(target, '/k', 2, 60, subcommand='exec',
                                   make=['A=1'])
        self.assertNotIn('--make_options=A=1', cmd)

    def test_timeout_line_is_a_minimum(self):
        self.assertEqual(profiles.min_timeout('fence', self.dir), 900)
        self.assertEqual(profiles.min_timeout('default', self.dir), 0)

    def test_default_adds_nothing(self):
        self.assertEqual(profiles.options('default', '/x', 'um'), ([], []))

    def test_every_line_on_its_arch(self):
        lines, notes = self.options('x86_64')
        self.assertEqual(lines, ['CONFIG_KFENCE=y', 'CONFIG_NEW_ONLY=y',
                                 'CONFIG_X86_ONLY=y', 'CONFIG_GONE=n'])
        self.assertEqual(notes, [])

    def test_arch_comment_covers_only_the_next_line(self):
        lines, notes = self.options('arm64')
        self.assertIn('CONFIG_NEW_ONLY=y', lines)
        self.assertNotIn('CONFIG_X86_ONLY=y', lines)
        self.assertEqual(notes, ['PROFILE=fence: CONFIG_X86_ONLY left out, '
                                 'not on ARCH=arm64 (only x86_64)'])

    def test_an_option_the_kernel_lacks_is_left_out_and_said(self):
        lines, notes = self.options('x86_64', symbols=('KFENCE', 'X86_ONLY'))
        self.assertNotIn('CONFIG_NEW_ONLY=y', lines)
        self.assertIn('CONFIG_NEW_ONLY left out, not in this kernel',
                      notes[0])

    def test_profile_whose_first_option_cannot_be_set_is_an_error(self):
        with self.assertRaises(UserError) as e:
            self.options('um')
        self.assertIn('PROFILE=fence cannot run here: KFENCE is not on '
                      'ARCH=um', str(e.exception))

    def test_unknown_profile_names_the_choices(self):
        with self.assertRaises(UserError) as e:
            profiles.options('nope', '/x', 'um', configs=self.dir)
        self.assertIn('default, fence', str(e.exception))

    def test_shipped_fragments_parse(self):
        for name in profiles.names()[1:]:
            path = os.path.join(profiles.CONFIGS, name + '.config')
            with open(path) as f:
                self.assertTrue(profiles.parse(f.read()), name)


class VariantTest(unittest.TestCase):
    def test_build_folder_names(self):
        self.assertEqual(runner.variant_name(), '')
        self.assertEqual(runner.variant_name('', 'default'), '')
        self.assertEqual(runner.variant_name('64k', 'kasan'), '-64k-kasan')
        target = runner.Target('6.12', 'arm64', root='/b', variant='-64k')
        self.assertEqual(target.build_dir, '/b/kunit/6.12-arm64-64k')
        self.assertEqual(target.results, '/b/results/6.12-arm64-64k')

    def test_pages_only_on_arm64(self):
        self.assertEqual(runner.page_options('arm64', '64k'),
                         ['CONFIG_ARM64_64K_PAGES=y'])
        self.assertEqual(runner.page_options('um', ''), [])
        with self.assertRaises(UserError):
            runner.page_options('x86_64', '64k')
        with self.assertRaises(UserError):
            runner.page_options('arm64', '8k')


if __name__ == '__main__':
    unittest.main()
