# SPDX-License-Identifier: GPL-2.0
"""Installing what is missing, or saying exactly what to install."""

import subprocess
import unittest
from unittest import mock

import helpers  # noqa: F401  (sets sys.path)

from allockunit import UserError, deps


def fake_versions(installed):
    return lambda pkg: '1.0' if pkg in installed else None


class EnsureTest(unittest.TestCase):
    def test_nothing_missing_runs_nothing(self):
        run = mock.Mock()
        with mock.patch.object(deps, 'installed_version',
                               fake_versions({'gcc', 'make'})):
            deps.ensure(['gcc', 'make'], print, True, run)
        run.assert_not_called()

    def test_not_root_prints_the_exact_command(self):
        with mock.patch.object(deps, 'installed_version',
                               fake_versions({'gcc'})):
            with self.assertRaises(UserError) as e:
                deps.ensure(['gcc', 'flex', 'linux-source-6.12'], print,
                            False)
        msg = str(e.exception)
        self.assertIn('missing packages: flex linux-source-6.12', msg)
        self.assertIn('apt-get install -y --no-install-recommends flex '
                      'linux-source-6.12', msg)
        self.assertEqual(e.exception.status, 2)

    def test_root_installs_and_retries_after_update(self):
        calls = []

        def run(cmd, **kw):
            calls.append(cmd)
            ok = len(calls) > 1
            return subprocess.CompletedProcess(cmd, 0 if ok else 100)
        with mock.patch.object(deps, 'installed_version', fake_versions(())):
            deps.ensure(['bison'], lambda *a: None, True, run)
        self.assertEqual(calls[0][-1], 'bison')
        self.assertEqual(calls[1], ['apt-get', 'update'])
        self.assertEqual(calls[2], calls[0])

    def test_root_install_failure_is_an_error(self):
        def run(cmd, **kw):
            return subprocess.CompletedProcess(cmd, 100)
        with mock.patch.object(deps, 'installed_version', fake_versions(())):
            with self.assertRaises(UserError):
                deps.ensure(['bison'], lambda *a: None, True, run)

    def test_needed_by_arch_and_kernel(self):
        self.assertIn('linux-source-6.1', deps.needed('um', '6.1'))
        self.assertNotIn('qemu-system-x86', deps.needed('um'))
        self.assertIn('qemu-system-x86', deps.needed('x86_64'))
        self.assertFalse(any(p.startswith('linux-source')
                             for p in deps.needed('um')))


if __name__ == '__main__':
    unittest.main()
