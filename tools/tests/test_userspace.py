# SPDX-License-Identifier: GPL-2.0
"""The small userspace: its initramfs, its boot command, its output."""

import os
import subprocess
import time

from helpers import TempDirTest, require_program, write

from allockunit import UserError, userspace

# Two modules' KTAP documents, as insmod after insmod prints them.
TWO_MODULES = '''\
Linux version 6.12.9 #3
[    1.0] KTAP version 1
[    1.0] 1..1
[    1.1]     KTAP version 1
[    1.1]     # Subtest: mm_alloc_kmalloc
[    1.1]     1..1
[    1.2]     ok 1 kmalloc_zero_size
[    1.2] ok 1 mm_alloc_kmalloc
[    1.3] KTAP version 1
[    1.3] 1..1
[    1.4]     KTAP version 1
[    1.4]     # Subtest: mm_alloc_vmalloc
[    1.4]     1..1
[    1.5]     not ok 1 vmalloc_zero_size_fails
[    1.5] not ok 1 mm_alloc_vmalloc
[    1.6] mm-alloc-userspace: done
'''.splitlines(True)

KMEMLEAK = '''\
mm-alloc-userspace: kmemleak scan
unreferenced object 0xffff8880049a3c00 (size 64):
  comm "swapper/0", pid 1, jiffies 4294892296
unreferenced object 0xffff888004a00000 (size 16384):
  comm "kunit_try_catch", pid 512, jiffies 4294893000
  hex dump (first 32 bytes):
'''.splitlines(True)


class KtapTest(TempDirTest):
    def test_documents_of_several_modules_become_one(self):
        merged = userspace.merge_ktap(TWO_MODULES)
        self.assertEqual(merged.count('KTAP version 1'), 1)
        self.assertIn('1..2', merged)
        self.assertIn('ok 1 mm_alloc_kmalloc', merged)
        self.assertIn('not ok 2 mm_alloc_vmalloc', merged)
        self.assertIn('    not ok 1 vmalloc_zero_size_fails', merged)
        self.assertEqual(merged[0], 'Linux version 6.12.9 #3')

    def test_a_kunit_case_leak_fails_the_kmemleak_case(self):
        objects, leaks = userspace.kmemleak_leaks(KMEMLEAK)
        self.assertEqual(objects, 2)
        self.assertEqual(leaks, [('0xffff888004a00000', 16384)])
        block = userspace.kmemleak_ktap(KMEMLEAK)
        self.assertEqual(block[-1], 'not ok 1 kmemleak')
        merged = userspace.merge_ktap(TWO_MODULES, [block])
        self.assertIn('1..3', merged)
        self.assertIn('not ok 3 kmemleak', merged)

    def test_no_scan_is_a_failure_not_a_pass(self):
        self.assertEqual(userspace.kmemleak_ktap(TWO_MODULES)[-1],
                         'not ok 1 kmemleak')
        clean = KMEMLEAK[:3]
        self.assertEqual(userspace.kmemleak_ktap(clean)[-1], 'ok 1 kmemleak')


class InitramfsTest(TempDirTest):
    def test_the_archive_unpacks_with_cpio(self):
        require_program(self, 'cpio')
        require_program(self, 'busybox')
        ko = os.path.join(self.tmp, 'a_kunit.ko')
        write(ko, 'module\n')
        path = userspace.make_initramfs(os.path.join(self.tmp, 'i.cpio'),
                                        'load-modules', [ko],
                                        {'a_kunit': 'destructive=1'})
        out = os.path.join(self.tmp, 'out')
        os.makedirs(out)
        with open(path, 'rb') as f:
            proc = subprocess.run(['cpio', '-t'], stdin=f,
                                  capture_output=True, text=True,
                                  check=False)
        names = proc.stdout.split()
        for name in ('init', 'bin/busybox', 'dev/console',
                     'modules/a_kunit.ko', 'modules/a_kunit.ko.args',
                     'modules/order'):
            self.assertIn(name, names)

    def test_an_unknown_job_is_refused(self):
        with self.assertRaisesRegex(UserError, 'load-modules'):
            userspace.init_script('dance')

    def test_the_init_scripts_end_by_powering_off(self):
        for job in userspace.JOBS:
            script = userspace.init_script(job)
            self.assertTrue(script.startswith('#!/bin/busybox sh\n'))
            self.assertIn('poweroff -f', script)
            self.assertIn('reboot -f', script)
            self.assertIn(userspace.DONE_MARK, script)
        self.assertIn('echo scan > /sys/kernel/debug/kmemleak',
                      userspace.init_script('kmemleak-scan'))


class BootCommandTest(TempDirTest):
    def test_uml_is_booted_as_kunit_py_would_without_its_shutdown(self):
        cmd = userspace.boot_command('/v', '/b', 'um', '/i.cpio',
                                     ['kunit.enable=1'], 3072)
        self.assertEqual(cmd, ['/b/linux', 'kunit.enable=1', 'mem=1G',
                               'console=tty', 'initrd=/i.cpio'])

    def test_qemu_comes_from_the_arch_record(self):
        view = os.path.join(self.tmp, 'view')
        write(os.path.join(view, 'tools/testing/kunit/qemu_configs/x.py'),
              "from ..qemu_config import QemuArchParams\n"
              "QEMU_ARCH = QemuArchParams(linux_arch='x', kconfig='',\n"
              "    qemu_arch='x86_64', kernel_path='arch/x/bzImage',\n"
              "    kernel_command_line='console=ttyS0',\n"
              "    extra_qemu_params=['-bios', 'qboot.rom'])\n")
        cmd = userspace.boot_command(view, '/b', 'x', '/i.cpio', ['a=1'],
                                     3072)
        self.assertEqual(cmd[:3], ['qemu-system-x86_64', '-nodefaults', '-m'])
        self.assertIn('/b/arch/x/bzImage', cmd)
        self.assertEqual(cmd[cmd.index('-append') + 1],
                         'a=1 console=ttyS0 MM_ALLOC_EXIT=reboot')
        self.assertEqual(cmd[cmd.index('-initrd') + 1], '/i.cpio')
        self.assertEqual(cmd[-2:], ['-bios', 'qboot.rom'])
        self.assertNotIn('kunit_shutdown', ' '.join(cmd))


class BootTest(TempDirTest):
    def test_a_silent_kernel_is_stopped_at_the_timeout(self):
        log = os.path.join(self.tmp, 'console')
        start = time.monotonic()
        _, lines, timed_out = userspace.boot(
            ['sh', '-c', 'echo booted; sleep 30'], log, 1)
        self.assertTrue(timed_out)
        self.assertLess(time.monotonic() - start, 10)
        self.assertEqual(lines, ['booted\n'])

    def test_a_kernel_that_powers_off_is_not_a_timeout(self):
        status, lines, timed_out = userspace.boot(
            ['sh', '-c', 'echo %s' % userspace.DONE_MARK],
            os.path.join(self.tmp, 'console'), 30)
        self.assertEqual((status, timed_out), (0, False))
