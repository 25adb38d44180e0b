# SPDX-License-Identifier: GPL-2.0
"""The command line and the Makefile: every target honours or refuses each
variable, values are refused before any work, --help and --version."""

import os
import re
import subprocess
import sys

from helpers import TempDirTest, require_program

from allockunit import cli, runner

TOOL = os.path.join(runner.PROJECT, 'tools', 'alloc-kunit')
VARIABLES = ('KERNEL', 'ARCH', 'KDIR', 'FILTER', 'TIMEOUT', 'PROFILE',
             'PAGES')
# Which options each target's command line gets from each variable.
OPTION = {'KERNEL': '--kernel=', 'ARCH': '--arch=', 'KDIR': '--kdir=',
          'FILTER': '--filter=', 'TIMEOUT': '--timeout=',
          'PROFILE': '--profile=', 'PAGES': '--pages='}
VALUE = {'KERNEL': '6.1', 'ARCH': 'x86_64', 'KDIR': '/k', 'FILTER': 'x.*',
         'TIMEOUT': '77', 'PROFILE': 'kasan', 'PAGES': '16k'}
TARGETS = ('run', 'bench', 'bench-compare', 'regressions', 'prepare',
           'bisect', 'patch', 'census', 'coverage', 'mutate', 'test')


def make_n(target, assignment):
    return subprocess.run(['make', '-s', '-n', '-C', runner.PROJECT, target,
                           assignment], capture_output=True, text=True,
                          check=False)


class MakefileTest(TempDirTest):
    def test_every_target_honours_or_refuses_each_variable(self):
        require_program(self, 'make')
        for target in TARGETS:
            for var in VARIABLES:
                proc = make_n(target, '%s=%s' % (var, VALUE[var]))
                what = 'make %s %s=' % (target, var)
                if proc.returncode != 0:
                    self.assertIn('make %s does not take %s=' % (target, var),
                                  proc.stderr, what)
                    continue
                line = ' '.join(proc.stdout.split())
                self.assertIn(OPTION[var] + "'" + VALUE[var] + "'", line,
                              what + ' neither refused nor passed on')

    def test_defaults_are_the_commands_own(self):
        require_program(self, 'make')
        line = make_n('bench', 'BENCH_RUNS=3').stdout
        self.assertNotIn('--timeout', line, 'bench keeps its 600 s')


class CommandLineTest(TempDirTest):
    def tool(self, *args):
        return subprocess.run([sys.executable, TOOL] + list(args),
                              capture_output=True, text=True, check=False)

    def test_values_are_refused_before_any_work(self):
        for args, words in (
                (['bench', '--runs', '0'], 'BENCH_RUNS=0: give 1 or more'),
                (['run', '--timeout', '-1'], 'TIMEOUT=-1: give 1 or more'),
                (['run', '--profile', 'nope'], 'PROFILE=nope is not '
                 'supported; choose one of: default, boot-options'),
                (['run', '--arch', 'mips'], 'ARCH=mips is not supported'),
                (['mutate', '--limit', '-2'], 'LIMIT=-2: give 0 or more'),
                (['bench-compare', '--rounds', '0'], 'ROUNDS=0'),
                (['run', '--jobs', 'x'], "argument --jobs: 'x' is not a "
                 'whole number')):
            proc = self.tool(*args)
            self.assertEqual(proc.returncode, 2, args)
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1,
                             proc.stderr)
            self.assertIn(words, proc.stderr)

    def test_the_runner_checks_values_too(self):
        for kw in ({'arch': 'mips'}, {'profile': 'nope'},
                   {'pages': '16k'}, {'timeout': 0}):
            with self.assertRaises(cli.UserError):
                runner.check_values(**dict({'arch': 'um'}, **kw))

    def test_help_names_every_command_and_every_option_has_help(self):
        out = self.tool('--help').stdout
        for target in TARGETS:
            self.assertRegex(out, r'\n    %s\b' % re.escape(target))
        for action in cli.parser()._subparsers._group_actions[0].choices.\
                values():
            for option in action._actions:
                self.assertTrue(option.help, '%s %s has no help'
                                % (action.prog, option.dest))

    def test_version(self):
        proc = self.tool('--version')
        self.assertEqual(proc.returncode, 0)
        self.assertRegex(proc.stdout, r'^alloc-kunit \d+\.\d+')
