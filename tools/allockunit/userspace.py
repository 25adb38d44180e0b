# SPDX-License-Identifier: GPL-2.0
"""Booting a test kernel with a small userspace, for what only it can do.

kunit.py boots a kernel that runs its built-in suites and stops
(kunit_shutdown=halt or reboot, appended after any argument of ours), so
nothing ever runs after them. Two jobs need userspace:

  load-modules   the suites built as modules (PROFILE=modules): each is
                 loaded with insmod, which runs its suites
  kmemleak-scan  after the built-in suites, ask kmemleak to scan through
                 its documented debugfs file, /sys/kernel/debug/kmemleak
                 (Documentation/dev-tools/kmemleak.rst), and print what
                 it found (PROFILE=kmemleak)
  settle         after the built-in suites, wait a few seconds before the
                 kernel stops, so that a console printer thread prints the
                 last results (PROFILE=rt)

For them the runner builds the kernel as usual and then boots it itself:
the command kunit.py would use (UML: the `linux` binary with mem=1G;
QEMU: the arch's record in tools/testing/kunit/qemu_configs/) without
kunit_shutdown, and with an initramfs that holds Debian's static busybox
and an /init script that does the job and powers off. The console output
is what kunit.py would have read; every module prints a KTAP document of
its own, and merge_ktap() makes them one before `kunit.py parse` reads it.
"""

import os
import re
import shlex
import signal
import stat
import subprocess
import threading

from . import UserError

PACKAGE = 'busybox-static'
BUSYBOX = '/bin/busybox'
JOBS = ('load-modules', 'kmemleak-scan', 'settle')
# How long `settle` lets a console printer thread catch up before the
# kernel stops: on a real-time kernel consoles print from a thread, and
# kunit.py's kunit_shutdown stops the kernel before it has printed the
# last results.
SETTLE_S = 3

# kmemleak reports an object only once it is older than its minimum age
# (MSECS_MIN_AGE in mm/kmemleak.c, 5 s), and an object whose contents
# changed since the last scan waits for the next one: two scans, after
# waiting a little longer than that.
KMEMLEAK_WAIT_S = 6
# The mark the scan's output starts with, for the runner to find it.
KMEMLEAK_MARK = 'mm-alloc-userspace: kmemleak scan'
DONE_MARK = 'mm-alloc-userspace: done'


def init_script(job, module_args=None):
    """The /init of the initramfs for `job`."""
    lines = ['#!/bin/busybox sh',
             '/bin/busybox mount -t proc proc /proc',
             '/bin/busybox mount -t sysfs sysfs /sys',
             '/bin/busybox mount -t debugfs debugfs /sys/kernel/debug']
    if job == 'load-modules':
        lines += ['for m in $(/bin/busybox cat /modules/order); do',
                  '  /bin/busybox insmod /modules/$m $(/bin/busybox cat '
                  '/modules/$m.args 2>/dev/null)',
                  'done']
    elif job == 'settle':
        lines += ['/bin/busybox sleep %d' % SETTLE_S]
    elif job == 'kmemleak-scan':
        lines += ['/bin/busybox sleep %d' % KMEMLEAK_WAIT_S,
                  'echo "%s"' % KMEMLEAK_MARK,
                  'echo scan > /sys/kernel/debug/kmemleak',
                  'echo scan > /sys/kernel/debug/kmemleak',
                  '/bin/busybox cat /sys/kernel/debug/kmemleak']
    else:
        raise UserError('no userspace job "%s"; choose one of: %s'
                        % (job, ', '.join(JOBS)))
    # QEMU runs with -no-reboot, so a reboot ends it, as kunit.py ends it
    # (kunit_shutdown=reboot); UML halts (kunit_shutdown=halt). The kernel
    # hands an unknown name=value argument to init as its environment.
    lines += ['echo "%s"' % DONE_MARK,
              'if [ "$MM_ALLOC_EXIT" = reboot ]; then',
              '  /bin/busybox reboot -f',
              'fi',
              '/bin/busybox poweroff -f', '']
    return '\n'.join(lines)


def _cpio_entry(name, mode, data=b'', rdev=(0, 0), ino=1):
    """One entry of a newc cpio archive (Documentation/driver-api/
    early-userspace/buffer-format.rst)."""
    name_b = name.encode() + b'\0'
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
              len(name_b), 0]
    head = b'070701' + b''.join(b'%08X' % f for f in fields)
    out = head + name_b
    out += b'\0' * (-len(out) % 4)
    out += data
    out += b'\0' * (-len(out) % 4)
    return out


def cpio(entries):
    """A newc archive of (name, mode, data, rdev) entries, with trailer."""
    out = b''.join(_cpio_entry(name, mode, data, rdev, ino) for ino, (
        name, mode, data, rdev) in enumerate(entries, 1))
    return out + _cpio_entry('TRAILER!!!', 0, ino=0)


def make_initramfs(path, job, modules=(), module_args=None):
    """Write the initramfs for `job` to `path`: busybox, /init, /dev/console
    and, for load-modules, the modules in the order given with their
    arguments."""
    if not os.path.isfile(BUSYBOX):
        raise UserError('%s is missing (Debian package %s)'
                        % (BUSYBOX, PACKAGE))
    with open(BUSYBOX, 'rb') as f:
        busybox = f.read()
    d = stat.S_IFDIR | 0o755
    entries = [('bin', d, b'', (0, 0)), ('dev', d, b'', (0, 0)),
               ('proc', d, b'', (0, 0)), ('sys', d, b'', (0, 0)),
               ('modules', d, b'', (0, 0)),
               ('dev/console', stat.S_IFCHR | 0o600, b'', (5, 1)),
               ('bin/busybox', stat.S_IFREG | 0o755, busybox, (0, 0)),
               ('init', stat.S_IFREG | 0o755,
                init_script(job, module_args).encode(), (0, 0))]
    order = []
    for ko in modules:
        name = os.path.basename(ko)
        with open(ko, 'rb') as f:
            entries.append(('modules/' + name, stat.S_IFREG | 0o644,
                            f.read(), (0, 0)))
        args = (module_args or {}).get(name[:-3], '')
        if args:
            entries.append(('modules/%s.args' % name, stat.S_IFREG | 0o644,
                            args.encode(), (0, 0)))
        order.append(name)
    entries.append(('modules/order', stat.S_IFREG | 0o644,
                    ('\n'.join(order) + '\n').encode(), (0, 0)))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(cpio(entries))
    return path


def qemu_record(view, arch):
    """The arch's record in the view's tools/testing/kunit/qemu_configs/,
    as a dict of QemuArchParams' fields."""
    path = os.path.join(view, 'tools', 'testing', 'kunit', 'qemu_configs',
                        arch + '.py')
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except OSError:
        raise UserError('kunit.py has no QEMU record for %s (%s)'
                        % (arch, path)) from None
    found = {}
    text = re.sub(r'^from \.\.qemu_config import QemuArchParams$', '', text,
                  flags=re.M)
    exec(compile(text, path, 'exec'),     # the record is plain data
         {'QemuArchParams': lambda **kw: found.update(kw)})
    found.setdefault('serial', 'stdio')
    return found


def boot_command(view, build_dir, arch, initrd, params, memory_mb):
    """The command that boots the kernel of build_dir with the initramfs,
    the way kunit.py would, less kunit_shutdown."""
    if arch == 'um':
        return [os.path.join(build_dir, 'linux')] + list(params) + [
            'mem=1G', 'console=tty', 'initrd=' + initrd]
    rec = qemu_record(view, arch)
    return ['qemu-system-' + rec['qemu_arch'], '-nodefaults',
            '-m', str(memory_mb),
            '-kernel', os.path.join(build_dir, rec['kernel_path']),
            '-initrd', initrd,
            '-append', ' '.join(list(params) + [rec['kernel_command_line'],
                                                'MM_ALLOC_EXIT=reboot']),
            '-no-reboot', '-nographic', '-serial', rec['serial']] + \
        list(rec['extra_qemu_params'])


def boot(cmd, log_path, timeout, on_line=None, cwd=None):
    """Run the kernel, writing its console to log_path; returns (status,
    lines, timed_out). The kernel is stopped after `timeout` seconds,
    whether or not it prints anything meanwhile."""
    lines = []
    with open(log_path, 'w') as out, subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors='replace',
            start_new_session=True, cwd=cwd) as proc:
        out.write('$ %s\n' % ' '.join(shlex.quote(c) for c in cmd))
        expired = threading.Event()

        def stop():
            expired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        timer = threading.Timer(timeout, stop)
        timer.start()
        try:
            for line in proc.stdout:
                out.write(line)
                lines.append(line)
                if on_line:
                    on_line(line)
        finally:
            timer.cancel()
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, lines, expired.is_set()


_HEADER = re.compile(r'^(\s*)(KTAP version \d+|TAP version \d+)\s*$')
_PLAN = re.compile(r'^(\s*)1\.\.(\d+)\s*$')
_TOP_RESULT = re.compile(r'^(not ok|ok) \d+ (.*)$')
_PREFIX = re.compile(r'^(<\d>)?(\[\s*\d+\.\d+\]\s?)?')


def merge_ktap(lines, extra=()):
    """One KTAP document out of several top-level ones (one per module
    loaded), with `extra` top-level result blocks (lists of lines) added
    at the end: a single header and plan, results numbered in order."""
    out, blocks, current, seen = [], [], None, False
    for raw in lines:
        text = _PREFIX.sub('', raw.rstrip('\n'))
        h = _HEADER.match(text)
        if h and not h.group(1):
            seen = True
            current = []
            blocks.append(current)
            continue
        p = _PLAN.match(text)
        if p and not p.group(1) and current is not None and not current:
            continue
        if current is None:
            out.append(raw.rstrip('\n'))
        else:
            current.append(text)
    blocks += [list(b) for b in extra]
    if not seen and not extra:
        return [line.rstrip('\n') for line in lines]
    results = sum(1 for b in blocks for line in b if _TOP_RESULT.match(line))
    out += ['KTAP version 1', '1..%d' % results]
    n = 0
    for block in blocks:
        for line in block:
            m = _TOP_RESULT.match(line)
            if m:
                n += 1
                line = '%s %d %s' % (m.group(1), n, m.group(2))
            out.append(line)
    return out


_UNREFERENCED = re.compile(r'unreferenced object (0x[0-9a-f]+) \(size (\d+)\)')
_COMM = re.compile(r'comm "([^"]+)"')


def kmemleak_leaks(lines, comm='kunit_try_catch'):
    """(objects kmemleak listed after the scan mark, [(address, size)] of
    those a task named `comm` allocated): every KUnit case runs in a
    kthread of that name, so those are the cases' leaks, whatever boot
    code may have leaked besides."""
    after = False
    objects, leaks, current = 0, [], None
    for raw in lines:
        line = _PREFIX.sub('', raw.rstrip('\n'))
        if KMEMLEAK_MARK in line:
            after = True
            continue
        if not after:
            continue
        m = _UNREFERENCED.search(line)
        if m:
            objects += 1
            current = (m.group(1), int(m.group(2)))
            continue
        m = _COMM.search(line)
        if m and current:
            if m.group(1) == comm:
                leaks.append(current)
            current = None
    return objects, leaks


def kmemleak_ktap(lines):
    """The runner's kmemleak check as a KTAP suite "kmemleak" of one case,
    for merge_ktap(): it fails when a KUnit case leaked an object."""
    objects, leaks = kmemleak_leaks(lines)
    scanned = any(KMEMLEAK_MARK in line for line in lines)
    diag = ['    # no_case_leaked_memory: kmemleak listed %d unreferenced '
            'objects, %d allocated by KUnit cases' % (objects, len(leaks))]
    diag += ['    # no_case_leaked_memory: leaked: %s (%d bytes)' % leak
             for leak in leaks[:10]]
    if not scanned:
        diag = ['    # no_case_leaked_memory: the scan never ran']
    ok = scanned and not leaks
    return ['    KTAP version 1', '    # Subtest: kmemleak', '    1..1'] + \
        diag + ['    %s 1 no_case_leaked_memory' % ('ok' if ok else 'not ok'),
                '%s 1 kmemleak' % ('ok' if ok else 'not ok')]
