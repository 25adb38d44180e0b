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


class ArchitectureRecordTest(TempDirTest):
    """Adding an architecture is adding a record: a fake one is accepted by
    the command line, the runner and the package list."""

    def test_a_new_record_is_an_architecture_everywhere(self):
        import shutil
        from unittest import mock
        from allockunit import archs, deps
        folder = os.path.join(self.tmp, 'arches')
        shutil.copytree(archs.FOLDER, folder)
        with open(os.path.join(folder, 'riscv64.py'), 'w') as f:
            f.write('from allockunit.archs import Arch\n'
                    "ARCH = Arch(name='riscv64', tree='riscv', "
                    "header='riscv64', packages=('qemu-system-misc',), "
                    "cross_compile='riscv64-linux-gnu-', "
                    "kconfig=('CONFIG_NONPORTABLE=y',), "
                    "pages=(('4k', 'CONFIG_PAGE_SIZE_4KB=y'),), "
                    'qemu_memory_mb=2048)\n')
        with mock.patch.object(archs, 'FOLDER', folder):
            args = cli.parser().parse_args(['run', '--arch', 'riscv64',
                                            '--pages', '4k'])
            self.assertEqual(args.arch, 'riscv64')
            runner.check_values('riscv64', '', '4k', 10)
            self.assertEqual(runner.page_options('riscv64', '4k'),
                             ['CONFIG_PAGE_SIZE_4KB=y'])
            self.assertIn('qemu-system-misc', deps.needed('riscv64'))
            target = runner.Target('6.12', 'riscv64', root=self.tmp)
            cmd = runner.kunit_command(target, '/k', 2, 60)
            self.assertIn('--arch=riscv64', cmd)
            self.assertIn('--cross_compile=riscv64-linux-gnu-', cmd)
            self.assertIn('--qemu_args=-m 2048', cmd)
            tree = os.path.join(self.tmp, 'linux')
            os.makedirs(os.path.join(tree, 'arch', 'riscv'))
            extras = runner.kconfig_extras(tree, 'riscv64')
            self.assertIn('CONFIG_NONPORTABLE=y', extras)
            self.assertEqual(archs.names()[0], 'um')
        self.assertNotIn('riscv64', archs.names())
        with self.assertRaises(cli.UserError):
            runner.check_values('riscv64')


# A make command as README.md and docs/ show it: the target and its
# assignments, up to the end of the code span or line.
DOC_COMMAND = re.compile(
    r"\bmake ((?:%s)(?: [A-Z_]+=(?:'[^']*'|[^\s`'|)]*))*)" % '|'.join(
        re.escape(t) for t in sorted(TARGETS, key=len, reverse=True)))


class DocumentedCommandsTest(TempDirTest):
    """Every make command README.md and docs/ show is one the Makefile and
    the command line accept, as written."""

    def test_every_documented_command_is_accepted(self):
        require_program(self, 'make')
        pages = [os.path.join(runner.PROJECT, 'README.md')] + sorted(
            os.path.join(runner.PROJECT, 'docs', n) for n in os.listdir(
                os.path.join(runner.PROJECT, 'docs')) if n.endswith('.md'))
        seen = set()
        for page in pages:
            with open(page, encoding='utf-8') as f:
                text = f.read()
            for m in DOC_COMMAND.finditer(text):
                words = m.group(1).split(' ')
                # a placeholder (<tree>, …) stands for the reader's value:
                # the Makefile must take it, its value is not checked
                placeholder = any(c in m.group(1) for c in '<>…')
                words = [w.replace('…', 'x').replace('<', '').replace(
                    '>', '') for w in words]
                key = ' '.join(words)
                if key in seen or words[0] == 'test':
                    continue
                seen.add(key)
                where = '%s: make %s' % (os.path.basename(page), key)
                proc = subprocess.run(
                    ['make', '-s', '-n', '-C', runner.PROJECT] + [
                        w.replace("'", '') for w in words],
                    capture_output=True, text=True, check=False)
                self.assertEqual(proc.returncode, 0, where + ': ' +
                                 proc.stderr.strip())
                tool = ' '.join(proc.stdout.replace('\\\n', ' ').split())
                if 'alloc-kunit' not in tool or placeholder:
                    continue
                check = subprocess.run(
                    ['bash', '-c', tool + ' --help'], cwd=runner.PROJECT,
                    capture_output=True, text=True, check=False)
                self.assertEqual(check.returncode, 0, where + ': ' +
                                 check.stderr.strip())
        self.assertGreater(len(seen), 30)


class NoGitTest(TempDirTest):
    def test_the_command_line_needs_no_git(self):
        # A fresh machine may have no git: --help and --version still work.
        from unittest import mock
        with mock.patch('shutil.which', return_value=None), \
                mock.patch('subprocess.run', side_effect=FileNotFoundError):
            cli.parser()
            self.assertRegex(cli.version(), r'^alloc-kunit \d+\.\d+$')
