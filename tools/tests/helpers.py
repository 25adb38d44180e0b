# SPDX-License-Identifier: GPL-2.0
"""Fixtures shared by the tool tests: fake kernel trees and snapshots."""

import hashlib
import os
import shutil
import signal
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

FAKE_KUNIT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'fake_kunit.py')


def require_program(test, program):
    """Fail, never skip, when a program a test runs is missing."""
    from allockunit import deps
    if not shutil.which(program):
        test.fail('%s is not installed (Debian package %s); `make test` '
                  'installs it before the tool tests'
                  % (program, deps.TOOL_TEST_PROGRAMS[program]))


def write(path, text, mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)
    if mode:
        os.chmod(path, mode)


def make_tree(root, version=(6, 12, 9)):
    """A tiny tree with the shape of a kernel tree; kunit.py is a fake."""
    write(os.path.join(root, 'Makefile'), textwrap.dedent('''\
        # SPDX-License-Identifier: GPL-2.0
        VERSION = %d
        PATCHLEVEL = %d
        SUBLEVEL = %d
        EXTRAVERSION =
        all:
        \t@echo '  CC      lib/alloc-kunit/lib/kmalloc_kunit.o'
        \t@if [ -n "$$FAKE_MAKE_ERROR" ]; then \\
        \t  echo 'lib/x.c:1:2: error: broken on purpose' >&2; exit 2; fi
        ''' % version))
    write(os.path.join(root, 'Kconfig'), 'source "lib/Kconfig.debug"\n')
    write(os.path.join(root, 'lib/Kconfig.debug'), 'menu "Kernel hacking"\n'
          'endmenu\n')
    write(os.path.join(root, 'lib/Makefile'), 'obj-y += string.o\n')
    write(os.path.join(root, 'lib/string.c'), 'int x;\n')
    write(os.path.join(root, 'lib/kunit/attributes.c'), 'int attrs;\n')
    write(os.path.join(root, 'mm/slub.c'), 'int slub;\n')
    write(os.path.join(root, 'scripts/checkpatch.pl'), '#!/bin/sh\n', 0o755)
    write(os.path.join(root, 'tools/perf/Makefile'), 'all:\n')
    with open(FAKE_KUNIT) as f:
        write(os.path.join(root, 'tools/testing/kunit/kunit.py'), f.read(),
              0o755)
    with open(os.path.join(os.path.dirname(FAKE_KUNIT), 'data',
                           'bench-raw.log')) as f:
        write(os.path.join(root, 'tools/testing/kunit/data/bench-raw.log'),
              f.read())
    write(os.path.join(root, 'tools/testing/kunit/configs/arch_uml.config'),
          'CONFIG_X=y\n')
    write(os.path.join(root, 'tools/testing/selftests/Makefile'), 'all:\n')
    return root


def snapshot(root):
    """Every path under root with its type, mode, size, mtime and hash."""
    state = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            digest = None
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, 'rb') as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            elif os.path.islink(path):
                digest = os.readlink(path)
            state[os.path.relpath(path, root)] = (
                st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return state


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix='alloc-kunit-test-')
        self.tmp = self._tmp.name
        # Ctrl-C is KeyboardInterrupt here whatever the test run inherited:
        # started in the background by a shell (nohup make test &), SIGINT
        # arrives ignored, and the tests that press Ctrl-C would wait.
        old = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, old)

    def tearDown(self):
        self._tmp.cleanup()
