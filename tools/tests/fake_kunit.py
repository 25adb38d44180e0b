#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A stand-in for a tree's tools/testing/kunit/kunit.py in tool tests.

FAKE_KUNIT_MODE picks what it does: pass, fail, build_error, crash
(the kernel stops mid-suite), sigbus (UML's memory file fills up),
boot_crash (before any KTAP), config_error, python_crash, or hang (the
kernel, a child process, never ends; both write their pids to the build
folder, and neither ignores any signal). A run filtered to mm_alloc_bench prints recorded BENCH lines.
"""

import json
import os
import sys

KTAP_HEAD = '''KTAP version 1
1..1
    KTAP version 1
    # Subtest: kmalloc
    # module: kmalloc_kunit
    1..3
    ok 1 kmalloc_zero_size
        KTAP version 1
        # Subtest: kmalloc_is_aligned
        ok 1 size_1
        ok 2 size_8
    # kmalloc_is_aligned: pass:2 fail:0 skip:0 total:2
    ok 2 kmalloc_is_aligned
'''
KTAP_PASS = KTAP_HEAD + '''    ok 3 kmalloc_needs_kfence # SKIP KFENCE is off
# kmalloc: pass:2 fail:0 skip:1 total:3
ok 1 kmalloc
'''
KTAP_FAIL = KTAP_HEAD + '''    # kmalloc_breaks: EXPECTATION FAILED at lib/x.c:10
    Expected p == NULL, but
    not ok 3 kmalloc_breaks
# kmalloc: pass:2 fail:1 skip:0 total:3
not ok 1 kmalloc
'''
KTAP_CRASH = KTAP_HEAD + '''Kernel panic - not syncing: Segfault with no mm
'''
KTAP_SIGBUS = KTAP_HEAD + '''Bus error - the host /dev/shm or /tmp mount likely just ran out of space
Kernel panic - not syncing: Kernel mode signal 7
'''
BOOT = '''Linux version 6.12.9
------------[ cut here ]------------
WARNING: CPU: 0 PID: 1 at arch/um/drivers/virt-pci.c:1005 um_pci_init
---[ end trace 0000000000000000 ]---
'''
CASES = [{'name': 'kmalloc_zero_size', 'status': 'PASS'}]
PARAMS = {'name': 'kmalloc_is_aligned', 'sub_groups': [], 'test_cases': [
    {'name': 'size_1', 'status': 'PASS'},
    {'name': 'size_8', 'status': 'PASS'}]}


def arg(name):
    for a in sys.argv:
        if a.startswith('--%s=' % name):
            return a.split('=', 1)[1]
    return None


def json_for(last):
    suite = {'name': 'kmalloc', 'sub_groups': [PARAMS],
             'test_cases': CASES + ([last] if last else [])}
    return {'name': 'KUnit Test Group', 'sub_groups': [suite],
            'test_cases': []}


def main():
    mode = os.environ.get('FAKE_KUNIT_MODE', 'pass')
    build_dir = arg('build_dir')
    if sys.argv[1] == 'parse':
        out = arg('json')
        status = 'ERROR'
        with open(out, 'w') as f:
            json.dump(json_for({'name': 'kmalloc_next', 'status': status}),
                      f)
        return 0
    os.makedirs(build_dir, exist_ok=True)
    with open(os.path.join(build_dir, 'args.json'), 'w') as f:
        json.dump(sys.argv[1:], f)
    if 'mm_alloc_bench' in sys.argv:
        mode = 'bench'
    if sys.argv[1] == 'run':
        print('[10:00:00] Configuring KUnit Kernel ...')
    if mode == 'config_error':
        print('ERROR:root:Not all Kconfig options selected in kunitconfig '
              'were in the generated .config.')
        print('[10:00:01] Elapsed time: 1.0s total')
        return 1
    if mode == 'python_crash':
        raise RuntimeError('kunit.py fell over')
    if sys.argv[1] == 'run':
        print('[10:00:00] Building KUnit Kernel ...')
        with open(os.path.join(build_dir, '.config'), 'w') as f:
            f.write('CONFIG_KUNIT=y\n')
    if mode == 'build_error':
        print('ERROR:root:make: Entering directory')
        print('  CC      lib/alloc-kunit/lib/kmalloc_kunit.o')
        print('/v/lib/alloc-kunit/lib/kmalloc_kunit.c:167:28: error: '
              'implicit declaration of function virt_to_phys')
        print('  167 |         phys_addr_t base = virt_to_phys(p);')
        print('      |                            ^~~~~~~~~~~~')
        print('make[4]: *** [scripts/Makefile.build:229: x.o] Error 1')
        for i in range(200):
            print('  CC      noise%d.o' % i)
        print('[10:00:09] Elapsed time: 9.0s total')
        return 1
    print('[10:00:10] Starting KUnit Kernel (1/1)...')
    if mode == 'bench':
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               'data', 'bench-raw.log')) as f:
            bench = f.read()
    if mode == 'hang':
        import subprocess
        import time
        with open(os.path.join(build_dir, 'test.log'), 'w') as f:
            f.write(BOOT + KTAP_HEAD)
        kernel = subprocess.Popen(['sleep', '300'])
        for name, pid in (('kunit.pid', os.getpid()),
                          ('kernel.pid', kernel.pid)):
            with open(os.path.join(build_dir, name + '.tmp'), 'w') as f:
                f.write(str(pid))
            os.replace(os.path.join(build_dir, name + '.tmp'),
                       os.path.join(build_dir, name))
        print('[10:00:11] ok 1 kmalloc_zero_size', flush=True)
        time.sleep(300)
        return 1
    if mode == 'boot_crash':
        with open(os.path.join(build_dir, 'test.log'), 'w') as f:
            f.write(BOOT.replace('WARNING', '<4>WARNING') +
                    '<0>Kernel panic - not syncing: Attempted to kill init!\n')
        print('[10:00:11] [ERROR] Test: <missing>: Could not find any KTAP '
              'output. Did any KUnit tests run?')
        with open(arg('json'), 'w') as f:
            json.dump({'name': 'KUnit Test Group', 'sub_groups': [],
                       'test_cases': [{'name': '', 'status': 'ERROR'}]}, f)
        return 1
    ktap = {'pass': KTAP_PASS, 'fail': KTAP_FAIL, 'crash': KTAP_CRASH,
            'sigbus': KTAP_SIGBUS,
            'bench': bench if mode == 'bench' else ''}[mode]
    with open(os.path.join(build_dir, 'test.log'), 'w') as f:
        f.write(BOOT + ktap)
    if mode in ('crash', 'sigbus'):
        print('[10:00:11] [ERROR] Test: kmalloc: missing subtest result')
        return 1
    if mode == 'bench':
        with open(arg('json'), 'w') as f:
            json.dump({'name': 'KUnit Test Group', 'test_cases': [],
                       'sub_groups': [{'name': 'mm_alloc_bench',
                                       'sub_groups': [], 'test_cases': [
                                           {'name': 'alloc_cost',
                                            'status': 'PASS'}]}]}, f)
        return 0
    last = {'pass': {'name': 'kmalloc_needs_kfence', 'status': 'SKIP'},
            'fail': {'name': 'kmalloc_breaks', 'status': 'FAIL'}}[mode]
    with open(arg('json'), 'w') as f:
        json.dump(json_for(last), f)
    print('[10:00:11] Testing complete.')
    return 0 if mode == 'pass' else 1


if __name__ == '__main__':
    sys.exit(main())
