# SPDX-License-Identifier: GPL-2.0
"""make run end to end on a fake tree, and every way it can go wrong."""

import contextlib
import io
import json
import os
import subprocess
import sys
from unittest import mock

from helpers import TempDirTest, make_tree, require_program, snapshot

from allockunit import UserError, runner

TOOL = os.path.join(runner.PROJECT, 'tools', 'alloc-kunit')


class RunTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.tree = make_tree(os.path.join(self.tmp, 'linux'))
        self.build = os.path.join(self.tmp, 'build')
        env = mock.patch.dict(os.environ, {'ALLOC_KUNIT_BUILD': self.build})
        env.start()
        self.addCleanup(env.stop)
        skip_apt = mock.patch('allockunit.deps.ensure')
        skip_apt.start()
        self.addCleanup(skip_apt.stop)

    def run_mode(self, mode, **kw):
        os.environ['FAKE_KUNIT_MODE'] = mode
        out = io.StringIO()
        lines = []
        with contextlib.redirect_stdout(out):
            ran = runner.run(runner.Request(kdir=self.tree, **kw),
                             lines.append)
            code = ran.status
        self.results = os.path.join(self.build, 'results',
                                    runner.Target(os.path.basename(
                                        self.result_dir()), 'um').name)
        return code, '\n'.join(lines), out.getvalue()

    def result_dir(self):
        return os.listdir(os.path.join(self.build, 'results'))[0][:-3]

    def read(self, name):
        with open(os.path.join(self.results, name)) as f:
            return f.read()

    def test_pass_writes_every_result_file(self):
        code, log, out = self.run_mode('pass')
        self.assertEqual(code, runner.EXIT_OK)
        self.assertIn('3 passed, 0 failed, 1 skipped', log)
        self.assertIn('Testing complete', out)
        for name in ('raw.log', 'kunit.json', 'junit.xml', 'kunit.log',
                     'summary.txt'):
            self.assertTrue(os.path.isfile(os.path.join(self.results, name)),
                            name)
        self.assertIn('KTAP version 1', self.read('raw.log'))
        # The boot-time WARN is reported but is not the tests' doing.
        self.assertIn('before the tests (not counted): WARNING', log)

    def test_failures_are_named_and_exit_nonzero(self):
        code, log, _ = self.run_mode('fail')
        self.assertEqual(code, runner.EXIT_FAILED)
        self.assertIn('FAIL kmalloc.kmalloc_breaks', log)
        self.assertIn('<failure', self.read('junit.xml'))

    def test_build_error_shows_only_compiler_errors(self):
        code, log, out = self.run_mode('build_error')
        self.assertEqual(code, runner.EXIT_BUILD)
        self.assertIn('error: implicit declaration of function', log)
        self.assertIn('^~~~', log)
        self.assertNotIn('noise', log + out)
        self.assertIn('noise199', self.read('kunit.log'))

    def test_config_error_shows_kunit_message(self):
        code, log, _ = self.run_mode('config_error')
        self.assertEqual(code, runner.EXIT_BUILD)
        self.assertIn('Not all Kconfig options', log)

    def test_crash_keeps_partial_results_and_names_the_case(self):
        code, log, _ = self.run_mode('crash')
        self.assertEqual(code, runner.EXIT_INCOMPLETE)
        self.assertIn('stopped in kmalloc after its case kmalloc_is_aligned',
                      log)
        self.assertIn('Kernel panic', log)
        with open(os.path.join(self.results, 'kunit.json')) as f:
            statuses = json.dumps(json.load(f))
        self.assertIn('ERROR', statuses)
        self.assertIn('<error', self.read('junit.xml'))

    def test_full_memory_file_is_named_as_the_cause(self):
        code, log, _ = self.run_mode('sigbus')
        self.assertEqual(code, runner.EXIT_INCOMPLETE)
        self.assertIn("the kernel's last lines:", log)
        self.assertIn('Kernel mode signal 7', log)
        self.assertIn("the mount that holds UML's memory file is full", log)
        self.assertIn('the mount that holds', self.read('summary.txt'))

    def test_uml_memory_file_leaves_a_small_dev_shm(self):
        logged = []
        with mock.patch.dict(os.environ), \
                mock.patch('allockunit.runner.free_bytes',
                           lambda path: (64 << 20) if path == '/dev/shm'
                           else (100 << 30)):
            os.environ.pop('TMPDIR', None)
            where = runner.uml_tmpdir(logged.append)
        self.assertEqual(where, os.path.join(self.build, 'tmp'))
        self.assertTrue(os.path.isdir(where))
        self.assertIn('/dev/shm has 64 MiB free', logged[0])

    def test_uml_memory_file_stays_in_a_roomy_dev_shm(self):
        with mock.patch.dict(os.environ), \
                mock.patch('allockunit.runner.free_bytes',
                           lambda path: 8 << 30):
            os.environ.pop('TMPDIR', None)
            self.assertIsNone(runner.uml_tmpdir(self.fail))

    def test_uml_memory_file_obeys_tmpdir_and_warns_when_small(self):
        logged = []
        with mock.patch.dict(os.environ, {'TMPDIR': self.tmp}), \
                mock.patch('allockunit.runner.free_bytes',
                           lambda path: 10 << 20):
            self.assertEqual(runner.uml_tmpdir(logged.append), self.tmp)
        self.assertIn('has 10 MiB free', logged[0])

    def test_ccache_key_follows_the_build_folder_depth(self):
        # A dependency file cached for one clone names the tree relative
        # to that clone's build folder: a clone at another depth must miss.
        tree = self.tree
        near = runner.ccache_key(os.path.join(self.tmp, 'a', 'build'), tree)
        same = runner.ccache_key(os.path.join(self.tmp, 'b', 'build'), tree)
        deep = runner.ccache_key(os.path.join(self.tmp, 'c', 'd', 'build'),
                                 tree)
        self.assertEqual(near, same)
        self.assertNotEqual(near, deep)
        with mock.patch.dict(os.environ):
            target = runner.Target('k', 'um', self.build)
            runner.ccache_env(target, tree)
            key = os.environ['CCACHE_EXTRAFILES']
            with open(key) as f:
                self.assertEqual(f.read(),
                                 runner.ccache_key(target.build_dir, tree))

    def test_boot_crash_before_any_ktap(self):
        code, log, _ = self.run_mode('boot_crash')
        self.assertEqual(code, runner.EXIT_INCOMPLETE)
        self.assertIn('no KTAP output: the kernel stopped before the tests',
                      log)
        self.assertIn('Kernel panic - not syncing: Attempted to kill init',
                      log)

    def test_python_crash_of_kunit(self):
        code, log, out = self.run_mode('python_crash')
        self.assertEqual(code, runner.EXIT_BUILD)
        self.assertIn('kunit.py fell over', out)

    def test_old_results_never_pass_for_new_ones(self):
        self.run_mode('pass')
        code, _, _ = self.run_mode('build_error')
        self.assertFalse(os.path.exists(os.path.join(self.results,
                                                     'junit.xml')))

    def test_user_tree_untouched_by_a_run(self):
        before = snapshot(self.tree)
        self.run_mode('pass')
        self.run_mode('fail')
        self.assertEqual(snapshot(self.tree), before)

    def test_second_run_on_the_same_build_folder_is_refused(self):
        self.run_mode('pass')
        target = runner.Target(os.path.basename(self.results)[:-3], 'um',
                               self.build)
        with runner.Lock(target.lock_path):
            with self.assertRaises(UserError) as e:
                self.run_mode('pass')
        self.assertIn('another run is using', str(e.exception))
        self.assertIn(str(os.getpid()), str(e.exception))
        # Once the first run ends, the next one works.
        self.assertEqual(self.run_mode('pass')[0], runner.EXIT_OK)

    def kunit_args(self):
        build = os.path.join(self.build, 'kunit')
        name = [n for n in os.listdir(build) if not n.endswith('.lock')][0]
        with open(os.path.join(build, name, 'args.json')) as f:
            return json.load(f)

    def test_unchanged_config_skips_kunit_configuration(self):
        self.assertEqual(self.run_mode('pass')[0], runner.EXIT_OK)
        self.assertEqual(self.kunit_args()[0], 'run')
        code, log, out = self.run_mode('pass')
        self.assertEqual(code, runner.EXIT_OK)
        self.assertEqual(self.kunit_args()[0], 'exec')
        self.assertIn('CC      lib/alloc-kunit/lib/kmalloc_kunit.o', out)
        self.assertIn('3 passed', log)

    def test_changed_kunitconfig_goes_through_kunit_run(self):
        self.run_mode('pass')
        other = os.path.join(self.tmp, 'other.kunitconfig')
        with open(other, 'w') as f:
            f.write('CONFIG_KUNIT=y\n')
        self.run_mode('pass', kunitconfig=other)
        self.assertEqual(self.kunit_args()[0], 'run')

    def test_fast_build_error_shows_compiler_errors(self):
        self.run_mode('pass')
        os.environ['FAKE_MAKE_ERROR'] = '1'
        try:
            code, log, _ = self.run_mode('pass')
        finally:
            del os.environ['FAKE_MAKE_ERROR']
        self.assertEqual(code, runner.EXIT_BUILD)
        self.assertIn('lib/x.c:1:2: error: broken on purpose', log)
        # the configuration is still good: the next run is fast again
        self.run_mode('pass')
        self.assertEqual(self.kunit_args()[0], 'exec')

    def test_make_run_leaves_the_benchmark_out(self):
        self.run_mode('pass', filter_glob='kmalloc.*')
        args = self.kunit_args()
        self.assertIn('--filter=module!=mm_alloc_bench_kunit', args)
        self.assertEqual(args[-1], 'kmalloc.*')

    def test_old_kunit_gets_no_attribute_filter(self):
        # Without lib/kunit/attributes.c (before 6.6) kunit.filter would be
        # dropped silently by the kernel: say so instead of passing it.
        os.unlink(os.path.join(self.tree, 'lib/kunit/attributes.c'))
        _, log, _ = self.run_mode('pass')
        self.assertFalse(any(a.startswith('--filter=')
                             for a in self.kunit_args()))
        self.assertIn('the benchmark suite is booted too', log)

    def test_bench_runs_twice_and_reports(self):
        require_program(self, 'gnuplot')
        os.environ['FAKE_KUNIT_MODE'] = 'pass'
        lines = []
        with contextlib.redirect_stdout(io.StringIO()):
            code = runner.bench(kdir=self.tree, runs=2, log=lines.append)
        self.assertEqual(code, runner.EXIT_OK)
        self.assertEqual(self.kunit_args()[-1], 'mm_alloc_bench')
        out = [d for d in os.listdir(os.path.join(self.build, 'bench'))][0]
        out = os.path.join(self.build, 'bench', out)
        for name in ('raw-1.log', 'raw-2.log', 'bench.json', 'bench.csv',
                     'bench.md'):
            self.assertTrue(os.path.isfile(os.path.join(out, name)), name)
        self.assertIn('| size | kmalloc |', '\n'.join(lines))
        # make run's own results are not overwritten by the benchmark's
        self.assertTrue(any(d.endswith('-um-bench') for d in os.listdir(
            os.path.join(self.build, 'results'))))

    def test_unknown_arch(self):
        with self.assertRaises(UserError) as e:
            runner.run(runner.Request(kdir=self.tree, arch='riscv'))
        self.assertIn('ARCH=riscv is not supported', str(e.exception))


class CommandLineTest(TempDirTest):
    """The entry point's bad-input paths: one line, a non-zero status."""

    def cli(self, *args):
        env = dict(os.environ, ALLOC_KUNIT_BUILD=self.tmp)
        return subprocess.run([sys.executable, TOOL] + list(args),
                              capture_output=True, text=True, env=env,
                              check=False)

    def assertOneLineError(self, proc, words):
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1,
                         proc.stderr)
        self.assertIn(words, proc.stderr)

    def test_kdir_not_a_kernel_tree(self):
        self.assertOneLineError(self.cli('run', '--kdir', self.tmp),
                                'is not a kernel tree')

    def test_unsupported_kernel(self):
        self.assertOneLineError(self.cli('run', '--kernel', '4.19'),
                                'KERNEL=4.19 is not supported')

    def test_unknown_arch(self):
        self.assertOneLineError(self.cli('run', '--arch', 'sparc'),
                                'ARCH=sparc is not supported')


class KunitCommandTest(TempDirTest):
    def test_qemu_gets_memory_above_4_gib_and_uml_is_left_alone(self):
        for arch, want in (('x86_64', '-m 5120'), ('i386', '-m 3072'),
                           ('um', None)):
            for sub in ('run', 'exec'):
                target = runner.Target('6.12', arch, self.tmp)
                cmd = runner.kunit_command(target, 'k', 2, 300, '', (), sub)
                qemu = [c for c in cmd if c.startswith('--qemu_args')]
                self.assertEqual(qemu, ['--qemu_args=' + want] if want
                                 else [], (arch, sub))


class KconfigExtrasTest(TempDirTest):
    def test_atomic_sleep_only_where_um_can_preempt(self):
        tree = make_tree(self.tmp)
        kconfig = os.path.join(tree, 'arch', 'um', 'Kconfig')
        os.makedirs(os.path.dirname(kconfig))
        with open(kconfig, 'w') as f:
            f.write('config UML\n\tselect ARCH_NO_PREEMPT\n')
        self.assertNotIn('CONFIG_DEBUG_ATOMIC_SLEEP=y',
                         runner.kconfig_extras(tree, 'um'))
        with open(kconfig, 'w') as f:
            f.write('config UML\n\tselect ARCH_NO_PREEMPT_DYNAMIC\n'
                    '\tselect ARCH_SUPPORTS_PREEMPT\n')
        self.assertIn('CONFIG_DEBUG_ATOMIC_SLEEP=y',
                      runner.kconfig_extras(tree, 'um'))

    def test_um_leaves_out_virtio_pci_and_its_boot_warning(self):
        tree = make_tree(self.tmp)
        extra = runner.kconfig_extras(tree, 'um')
        self.assertIn('CONFIG_UML_PCI_OVER_VIRTIO=n', extra)
        self.assertIn('CONFIG_VIRTIO_UML=n', extra)
        self.assertNotIn('CONFIG_UML_PCI_OVER_VIRTIO=n',
                         runner.kconfig_extras(tree, 'x86_64'))

    def test_x86_64_is_trimmed_and_keeps_what_the_suites_need(self):
        tree = make_tree(self.tmp)
        extra = runner.kconfig_extras(tree, 'x86_64')
        self.assertEqual(extra[0::2], ['--kconfig_add'] * (len(extra) // 2))
        options = extra[1::2]
        self.assertIn('CONFIG_ACPI=n', options)
        self.assertIn('CONFIG_EXPERT=y', options)
        # The DMA suite and the failure injection must stay buildable.
        for name in ('HAS_DMA', 'KUNIT', 'FAILSLAB', 'FAIL_PAGE_ALLOC',
                     'DEBUG_FS', 'FAULT_INJECTION_DEBUG_FS'):
            self.assertFalse(any(o.startswith('CONFIG_%s=' % name)
                                 for o in options), name)
        self.assertNotIn('CONFIG_ACPI=n', runner.kconfig_extras(tree, 'um'))


class CompilerErrorsTest(TempDirTest):
    def test_keeps_error_and_its_source_lines(self):
        lines = ['  CC foo.o', 'a.c: In function f:',
                 'a.c:3:5: error: x undeclared', '    3 | x = 1;',
                 '      | ^', 'a.c:4:1: warning: unused',
                 '    4 | y;', 'make: *** Error 1']
        self.assertEqual(runner.compiler_errors(lines),
                         ['a.c:3:5: error: x undeclared', '    3 | x = 1;',
                          '      | ^'])


class StaleKernelTest(TempDirTest):
    BANNER = ('[06:06:19] Linux version 6.12.117 (root@vm) (gcc 12.2.0, GNU ld '
              '2.40) %s\n')

    def built(self, version):
        write_path = os.path.join(self.tmp, 'include', 'generated')
        os.makedirs(write_path, exist_ok=True)
        with open(os.path.join(write_path, 'utsversion.h'), 'w') as f:
            f.write('#define UTS_VERSION "%s"\n' % version)

    def test_the_kernel_just_built_is_not_stale(self):
        self.built('#2 Thu Nov 26 06:06:16 UTC 2026')
        lines = [self.BANNER % '#2 Thu Nov 26 06:06:16 UTC 2026']
        self.assertIsNone(runner.stale_kernel(self.tmp, lines))

    def test_an_older_image_is_named(self):
        self.built('#2 PREEMPT_DYNAMIC Thu Nov 26 06:06:16 UTC 2026')
        lines = ['KTAP version 1\n',
                 self.BANNER % '#1 PREEMPT_DYNAMIC Thu Nov 26 06:06:01 UTC 2026']
        why = runner.stale_kernel(self.tmp, lines)
        self.assertIn('"#1 PREEMPT_DYNAMIC Thu Nov 26 06:06:01 UTC 2026"', why)
        self.assertIn('not the one just built', why)

    def test_without_a_banner_or_a_build_nothing_is_said(self):
        self.assertIsNone(runner.stale_kernel(self.tmp, [self.BANNER % '#1']))
        self.built('#1')
        self.assertIsNone(runner.stale_kernel(self.tmp, ['KTAP version 1\n']))


# The command line with the package check left out (the fake tree needs
# nothing installed), as a process of its own that signals can reach.
CLI = '''
import sys
sys.path.insert(0, %r)
from unittest import mock
from allockunit import cli
with mock.patch('allockunit.deps.ensure'):
    sys.exit(cli.main(sys.argv[1:]))
''' % os.path.join(runner.PROJECT, 'tools')


class SignalTest(TempDirTest):
    """SIGTERM, SIGHUP and Ctrl-C stop kunit.py and its kernel with the
    runner, keep what the kernel printed and release the build folder."""

    def setUp(self):
        super().setUp()
        self.tree = make_tree(os.path.join(self.tmp, 'linux'))
        self.build = os.path.join(self.tmp, 'build')

    def stop_with(self, signum, ignore_sigint=False):
        import signal
        import time
        env = dict(os.environ, ALLOC_KUNIT_BUILD=self.build,
                   FAKE_KUNIT_MODE='hang')

        def inherited():
            # what a shell's background job (nohup make test &) hands over
            signal.signal(signal.SIGINT, signal.SIG_IGN if ignore_sigint
                          else signal.SIG_DFL)
        proc = subprocess.Popen([sys.executable, '-c', CLI, 'run', '--kdir',
                                 self.tree], env=env, preexec_fn=inherited,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        target = runner.Target(runner.source.user_tree_id(self.tree), 'um',
                               root=self.build)
        pids = {}
        deadline = time.monotonic() + 60
        while len(pids) < 2 and time.monotonic() < deadline:
            for name in ('kunit.pid', 'kernel.pid'):
                try:
                    with open(os.path.join(target.build_dir, name)) as f:
                        pids[name] = int(f.read())
                except (OSError, ValueError):
                    pass
            time.sleep(0.1)
        self.assertEqual(len(pids), 2, 'the fake kernel never started')
        proc.send_signal(signum)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            self.fail('the runner did not stop on %s' % signum)
        self.assertEqual(proc.returncode, 128 + signum, out)
        self.assertIn('stopped by %s' % signal.Signals(signum).name, out)
        for name, pid in pids.items():
            deadline = time.monotonic() + 10
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertFalse(alive(pid), name + ' left running')
        with runner.Lock(target.lock_path):
            pass        # released
        with open(os.path.join(target.results, 'kunit.log')) as f:
            self.assertIn('Starting KUnit Kernel', f.read())

    def test_sigterm_stops_kunit_and_the_kernel(self):
        import signal
        self.stop_with(signal.SIGTERM)

    def test_sighup_too(self):
        import signal
        self.stop_with(signal.SIGHUP)

    def test_ctrl_c_even_when_the_shell_handed_it_over_ignored(self):
        import signal
        self.stop_with(signal.SIGINT, ignore_sigint=True)


def alive(pid):
    """Whether pid runs (a zombie waiting for its parent does not)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False
