# SPDX-License-Identifier: GPL-2.0
"""The one way the tools run git: in a given tree, never signing, never
running the user's hooks, a failure a UserError that names the command and
git's own last words."""

import subprocess

from . import UserError


def git(tree, *args, env=None, check=True, nice=False, capture=True,
        session=False):
    """git -C tree args...; the CompletedProcess. nice: at low priority (a
    long am or rebase beside a build); session: in a session of its own,
    so Ctrl-C at the terminal never stops it half-way (a checkout)."""
    cmd = (['nice', '-n', '10'] if nice else []) + [
        'git', '-c', 'commit.gpgSign=false', '-c', 'core.autocrlf=false',
        '-c', 'advice.detachedHead=false', '-c', 'core.hooksPath=/dev/null',
        '-C', tree] + list(args)
    proc = subprocess.run(cmd, env=env, text=True, errors='replace',
                          check=False, capture_output=capture,
                          start_new_session=session)
    if check and proc.returncode != 0:
        said = ((proc.stderr or '').strip() or (proc.stdout or '').strip()
                or 'status %d' % proc.returncode)
        raise UserError('git %s failed in %s: %s'
                        % (' '.join(args[:3]), tree, said.splitlines()[-1]))
    return proc
