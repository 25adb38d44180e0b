# SPDX-License-Identifier: GPL-2.0
"""`make bisect`: which commit of a kernel tree broke a contract.

It drives `git bisect run` in the user's own tree (KDIR): that tree's
working copy is checked out at every revision tested, and put back at the
end, on branch or detached as it was, also after an error or Ctrl-C. A
tree with uncommitted changes to tracked files is refused. Before
bisecting, BAD is checked to fail and GOOD to pass, each with one run of
the suites (`make run KDIR=...`, with FILTER=, ARCH= and TIMEOUT=).

Each revision is tested by a hidden subcommand, `alloc-kunit bisect-step`,
which git bisect run calls with the tree at that revision. It runs the
suites in process (runner.run: the view of the tree is re-synced, so files
that come and go between revisions are seen, and the build folder is the
same as `make run KDIR=`'s, so each step is an incremental build), keeps
that run's results and answers git:

  0    good   every case passed
  1    bad    a case failed, or a WARN/BUG reached the log during the
              tests (make run's status 1)
  125  skip   the kernel did not build, or it stopped before the first
              case started (no KTAP: the suites never ran, so the revision
              says nothing about the contracts)
  1    bad    the kernel stopped after the tests started (crash, panic,
              timeout): ON_CRASH=bad, the default; ON_CRASH=skip skips
  128  abort  the step itself could not run (a lock held by another run,
              a missing package): git bisect run stops, the tree is reset

A stop mid-suite counts as bad by default: GOOD was seen to finish, so a
revision that oopses or hangs in the middle of the suites changed how the
allocators behave, and an allocator bug often shows exactly so (a freed
page reused, a NULL dereference). Skipping such revisions would leave git
with only skipped commits around the culprit, so a crash regression could
never be found. A timeout on a slow or loaded machine is the one false
"bad"; ON_CRASH=skip (or a longer TIMEOUT) is for that.

Results: build/results/bisect-<tree id>-<arch>/ holds bad-<rev>/ and
good-<rev>/ (the two checks), step-<n>-<rev>/ for every step (each a
copy of that run's results folder), steps.json and bisect.log (one line
per revision tested), git-bisect.log (`git bisect log`, to replay) and
summary.txt.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

from . import Stopped, UserError
from . import deps
from . import gitcmd
from . import paths
from . import results
from . import runner
from . import source

TOOL = os.path.join(paths.PROJECT, 'tools', 'alloc-kunit')
# What a step answers git bisect run.
GOOD, BAD, SKIP, ABORT = 0, 1, 125, 128
ON_CRASH = ('bad', 'skip')
# How long an interrupted step may take to stop its kernel.
STOP_GRACE = 60


def git(tree, *args, check=True):
    """Run git in `tree`; its stdout, stripped (None when it failed and
    check is off). A session of its own: Ctrl-C at the terminal never
    stops a git command half-way through a checkout (see
    _deferred_interrupts)."""
    proc = gitcmd.git(tree, *args, check=check, session=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def describe(tree, rev):
    """'<12-digit hash> <subject>' of a commit."""
    return git(tree, 'log', '-1', '--format=%h %s', '--abbrev=12', rev)


def state_dir(tree, arch):
    return os.path.join(paths.build_root(), 'results', 'bisect-%s-%s' % (
        source.user_tree_id(tree), arch))


def _git_path(tree, name):
    path = git(tree, 'rev-parse', '--git-path', name)
    return path if os.path.isabs(path) else os.path.join(tree, path)


def bisecting(tree):
    return os.path.exists(_git_path(tree, 'BISECT_START'))


def head(tree):
    """(branch or None, commit) of the tree's HEAD."""
    branch = git(tree, 'symbolic-ref', '-q', '--short', 'HEAD', check=False)
    return branch or None, git(tree, 'rev-parse', 'HEAD')


def where(state):
    branch, sha = state
    if branch:
        return 'branch %s (%s)' % (branch, sha[:12])
    return '%s (detached HEAD)' % sha[:12]


def dirty_files(tree):
    """Tracked files with changes, staged or not."""
    git(tree, 'update-index', '-q', '--refresh', check=False)
    out = git(tree, 'diff-index', '--name-only', 'HEAD', '--')
    return out.splitlines() if out else []


def resolve(tree, rev, name):
    if not rev:
        raise UserError('make bisect needs %s=<revision>' % name)
    sha = git(tree, 'rev-parse', '--verify', '--quiet', rev + '^{commit}',
              check=False)
    if not sha:
        raise UserError('%s=%s is not a commit in %s' % (name, rev, tree))
    return sha


def check_tree(tree, good, bad):
    """Refuse what bisect cannot or must not start on; (good, bad) as full
    hashes."""
    if not os.path.isdir(tree):
        raise UserError('KDIR=%s is not a directory' % tree)
    if git(tree, 'rev-parse', '--is-inside-work-tree', check=False) != 'true':
        raise UserError('KDIR=%s is not a git work tree: make bisect needs '
                        "the tree's history" % tree)
    if bisecting(tree):
        raise UserError('a git bisect is already in progress in %s; finish '
                        'it first (git -C %s bisect reset)' % (tree, tree))
    dirty = dirty_files(tree)
    if dirty:
        shown = ', '.join(dirty[:10])
        more = ' and %d more' % (len(dirty) - 10) if len(dirty) > 10 else ''
        raise UserError(
            'KDIR=%s has uncommitted changes (%s%s); make bisect checks out '
            'other revisions there, so commit or stash them first '
            '(git -C %s stash)' % (tree, shown, more, tree))
    good_sha = resolve(tree, good, 'GOOD')
    bad_sha = resolve(tree, bad, 'BAD')
    if good_sha == bad_sha:
        raise UserError('GOOD and BAD are the same commit (%s)'
                        % describe(tree, bad_sha))
    if git(tree, 'merge-base', '--is-ancestor', bad_sha, good_sha,
           check=False) is not None:
        raise UserError('BAD=%s is an ancestor of GOOD=%s: the good '
                        'revision must come before the bad one (swap them?)'
                        % (bad, good))
    return good_sha, bad_sha


def estimate_steps(candidates):
    """git's own estimate (bisect.c, estimate_bisect_steps) of the steps
    left once one of `candidates` revisions has been tested."""
    if candidates < 3:
        return 0
    n = candidates.bit_length() - 1
    e = 1 << n
    return n if e < 3 * (candidates - e) else n - 1


def _refs(tree, pattern):
    out = git(tree, 'for-each-ref', '--format=%(objectname)', pattern)
    return out.split() if out else []


def outcome(tree):
    """Where a started bisect stands: ('found', [first bad]), ('skipped',
    [the commits it could be]) or ('open', candidates left)."""
    bad = git(tree, 'rev-parse', '--verify', '--quiet', 'refs/bisect/bad',
              check=False)
    if not bad:
        return 'open', []
    goods = _refs(tree, 'refs/bisect/good-*')
    skips = set(_refs(tree, 'refs/bisect/skip-*'))
    out = git(tree, 'rev-list', bad, '--not', *goods)
    candidates = out.split() if out else []
    rest = [c for c in candidates if c != bad]
    if not rest:
        return 'found', [bad]
    if all(c in skips for c in rest):
        return 'skipped', [bad] + rest
    return 'open', [c for c in candidates if c not in skips]


# -- one revision: the hidden subcommand `bisect-step` ----------------------

def _load(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        return default


def _save(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def judge(ran, on_crash='bad'):
    """(verdict, reason, failed cases with their diagnostics) from a
    results.Run."""
    status = ran.status
    failed = [{'case': c.label,
               'diagnostics': [d for d in ran.diagnostics.get(c.path, [])
                               if d][-4:]} for c in ran.failed()]
    failed += [{'case': 'kernel log, during the tests: ' + s,
                'diagnostics': []} for s in ran.reports[:5]]
    if status == results.EXIT_OK:
        return 'good', 'every case passed', []
    if status == results.EXIT_FAILED:
        reason = 'a case failed' if ran.failed() \
            else 'a kernel report during the tests' if ran.reports \
            else 'no case ran'
        return 'bad', reason, failed
    if status == results.EXIT_BUILD:
        return 'skip', 'did not build', []
    if status == results.EXIT_INCOMPLETE:
        if not ran.booted:
            return 'skip', ('the kernel stopped before the tests started '
                            '(the suites never ran)'), []
        stop = ran.stopped or 'the kernel stopped before the tests finished'
        stop += ' (crash or timeout; ON_CRASH=%s)' % on_crash
        return on_crash, stop, failed
    raise UserError('make run exited with status %s' % status)


def step(state, label='', run=None, log=print):
    """Test the revision the tree is at; returns GOOD, BAD or SKIP.

    label is 'bad' or 'good' for the checks before bisecting, '' for a
    step of git bisect run.
    """
    run = run or runner.run
    cfg = _load(os.path.join(state, 'bisect.json'), None)
    if cfg is None:
        raise UserError('%s/bisect.json is missing: bisect-step runs under '
                        'make bisect only' % state)
    tree = cfg['kdir']
    sha = git(tree, 'rev-parse', 'HEAD')
    subject = git(tree, 'log', '-1', '--format=%s', sha)
    short = sha[:12]
    records_path = os.path.join(state, 'steps.json')
    records = _load(records_path, [])
    if label:
        n, name = 0, '%s-%s' % (label, short)
        log('==== checking %s=%s: testing %s %s' % (
            label.upper(), cfg[label], short, subject))
    else:
        n = 1 + sum(1 for r in records if not r['label'])
        name = 'step-%d-%s' % (n, short)
        _, left = outcome(tree)
        log('==== step %d (about %d left): testing %s %s' % (
            n, estimate_steps(len(left)), short, subject))
    kept = os.path.join(state, name)
    started = time.monotonic()
    try:
        source.tree_version(tree)
    except UserError as e:
        status, (verdict, reason, failed) = None, ('skip', str(e), [])
    else:
        ran = run(runner.Request(
            arch=cfg['arch'], kdir=tree, filter_glob=cfg['filter'],
            timeout=cfg['timeout'], profile=cfg.get('profile', ''),
            pages=cfg.get('pages', '')), log)
        status = ran.status
        shutil.rmtree(kept, ignore_errors=True)
        if os.path.isdir(ran.folder):
            shutil.copytree(ran.folder, kept)
        verdict, reason, failed = judge(ran, cfg['on_crash'])
    record = {'step': n, 'label': label, 'commit': sha, 'subject': subject,
              'status': status, 'verdict': verdict, 'reason': reason,
              'failed': failed, 'seconds': round(time.monotonic() - started),
              'results': os.path.relpath(kept, state)}
    records.append(record)
    _save(records_path, records)
    line = '%s %s %s: %s (%s)%s' % (
        label.upper() or 'step %d' % n, short, subject, verdict, reason,
        ''.join('\n    ' + f['case'] for f in failed[:10]))
    with open(os.path.join(state, 'bisect.log'), 'a') as f:
        f.write(line + '\n')
    log('==== %s: %s (%s); results: %s' % (
        short, verdict, reason, os.path.relpath(kept)))
    return {'good': GOOD, 'bad': BAD, 'skip': SKIP}[verdict]


def step_main(argv):
    """`alloc-kunit bisect-step --state DIR [--label good|bad]`, what git
    bisect run calls. Any trouble of its own aborts the bisect (status 128)
    instead of marking the revision bad."""
    import argparse
    p = argparse.ArgumentParser(prog='alloc-kunit bisect-step')
    p.add_argument('--state', required=True)
    p.add_argument('--label', default='', choices=('', 'good', 'bad'))
    args = p.parse_args(argv)
    try:
        return step(args.state, args.label)
    except UserError as e:
        print('alloc-kunit: error: %s; stopping the bisect' % e,
              file=sys.stderr)
    except KeyboardInterrupt:
        print('alloc-kunit: interrupted; stopping the bisect',
              file=sys.stderr)
    except Exception:   # noqa: BLE001 - never let a bug mark a commit bad
        import traceback
        traceback.print_exc()
        print('alloc-kunit: the bisect step failed; stopping the bisect',
              file=sys.stderr)
    return ABORT


# -- the whole bisect -------------------------------------------------------

def _stop_group(proc, grace):
    """Pass Ctrl-C on to proc's process group and wait for all of it:
    an interrupted step stops its kernel before the tree is reset."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                try:
                    os.killpg(proc.pid, 0)
                except ProcessLookupError:
                    return
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def run_group(cmd, cwd, out=None, grace=STOP_GRACE):
    """Run cmd in a process group of its own; its status. On Ctrl-C the
    whole group gets SIGINT and is waited for, then KeyboardInterrupt is
    raised again."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out,
                            stderr=subprocess.STDOUT if out else None,
                            start_new_session=True)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        _stop_group(proc, grace)
        raise


def restore(tree, original, log=print, out=None):
    """git bisect reset, back to the original branch or commit; a loud
    message when that did not work. Ctrl-C and SIGTERM wait until it is
    done."""
    main = threading.current_thread() is threading.main_thread()
    held = (signal.SIGINT, signal.SIGTERM) if main else ()
    old = {s: signal.signal(s, signal.SIG_IGN) for s in held}
    try:
        branch, sha = original
        if bisecting(tree):
            proc = subprocess.run(['git', '-C', tree, 'bisect', 'reset',
                                   branch or sha], stdout=out,
                                  stderr=subprocess.STDOUT if out else None,
                                  check=False, start_new_session=True)
            if proc.returncode != 0:
                git(tree, 'bisect', 'reset', check=False)
        if head(tree) != original:
            if branch:
                git(tree, 'checkout', '-q', branch, check=False)
            else:
                git(tree, 'checkout', '-q', '--detach', sha, check=False)
        now = head(tree)
        if now == original and not bisecting(tree):
            log('KDIR is back on %s' % where(original))
            return True
        log('warning: KDIR=%s is at %s, not back on %s; run: git -C %s '
            'bisect reset; git -C %s checkout %s' % (
                tree, where(now), where(original), tree, tree,
                branch or sha))
        return False
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def _deferred_interrupts():
    """Ctrl-C or SIGTERM during a checkout takes effect once it is done:
    a checkout stopped half-way would leave the tree in no revision."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got = []
    held = (signal.SIGINT, signal.SIGTERM)
    old = {s: signal.signal(s, lambda signum, frame: got.append(signum))
           for s in held}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
    if got:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _term_as_interrupt():
    """SIGTERM (a CI job cancelled) unwinds like Ctrl-C, so the tree is
    reset then too."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Stopped(signum)
    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def default_step_command(state):
    return [sys.executable, '-B', TOOL, 'bisect-step', '--state', state]


def _check(tree, state, label, rev, command, out, log):
    with _deferred_interrupts():
        git(tree, '-c', 'advice.detachedHead=false', 'checkout', '-q',
            '--detach', rev)
    status = run_group(command + ['--label', label], tree, out)
    records = _load(os.path.join(state, 'steps.json'), [])
    record = records[-1] if records and records[-1]['label'] == label and \
        records[-1]['commit'] == rev else None
    if status not in (GOOD, BAD, SKIP) or record is None:
        raise UserError('testing %s=%s stopped (status %d); see its output '
                        'above' % (label.upper(), describe(tree, rev),
                                   status))
    return status, record


def _failed_lines(record, limit=10):
    out = []
    for f in record['failed'][:limit]:
        out.append('  ' + f['case'])
        out += ['      ' + d for d in f['diagnostics']]
    if len(record['failed']) > limit:
        out.append('  and %d more' % (len(record['failed']) - limit))
    return out


def bisect(kdir, good, bad, arch='um', filter_glob='', timeout=300,
           on_crash='bad', log=print, out=None, step_command=None,
           profile='', pages=''):
    """`make bisect`: returns 0 when the first bad commit was found, 1 when
    skipped revisions left it among several; a UserError otherwise."""
    if not kdir:
        raise UserError('make bisect needs KDIR=<your kernel tree, a git '
                        'work tree>, GOOD=<revision> and BAD=<revision>')
    runner.check_values(arch, profile, pages, timeout)
    if on_crash not in ON_CRASH:
        raise UserError('ON_CRASH=%s: choose bad or skip' % on_crash)
    tree = os.path.abspath(kdir)
    deps.ensure(['git'], log)
    good_sha, bad_sha = check_tree(tree, good, bad)
    source.tree_version(tree)
    deps.ensure(deps.needed(arch), log)
    state = state_dir(tree, arch)
    command = step_command or default_step_command(state)
    original = head(tree)
    untracked = git(tree, 'ls-files', '--others', '--exclude-standard')
    untracked = untracked.splitlines() if untracked else []
    n = len(git(tree, 'rev-list', bad_sha, '--not', good_sha).split())
    log('make bisect checks out revisions IN YOUR TREE %s (git bisect run);'
        ' leave it alone until this ends. It goes back to %s at the end, '
        'also on errors and Ctrl-C.' % (tree, where(original)))
    log('GOOD=%s: %s' % (good, describe(tree, good_sha)))
    log('BAD=%s: %s' % (bad, describe(tree, bad_sha)))
    log('%d revisions after GOOD up to BAD: about %d steps after checking '
        'that BAD fails and GOOD passes' % (
            n, estimate_steps(n) + 1 if n > 1 else 0))
    if untracked:
        log('note: %d untracked files stay in the tree at every revision '
            '(%s%s)' % (len(untracked), ', '.join(untracked[:3]),
                        ', ...' if len(untracked) > 3 else ''))
    started = time.monotonic()
    os.makedirs(os.path.dirname(state), exist_ok=True)
    with paths.Lock(state + '.lock'), _term_as_interrupt():
        shutil.rmtree(state, ignore_errors=True)
        os.makedirs(state)
        _save(os.path.join(state, 'bisect.json'), {
            'kdir': tree, 'arch': arch, 'filter': filter_glob,
            'timeout': timeout, 'on_crash': on_crash, 'good': good,
            'profile': profile, 'pages': pages,
            'bad': bad, 'good_commit': good_sha, 'bad_commit': bad_sha,
            'original': list(original)})
        try:
            found = _bisect(tree, state, good, bad, good_sha, bad_sha,
                            command, out, log)
        finally:
            if bisecting(tree):
                with open(os.path.join(state, 'git-bisect.log'), 'w') as f:
                    f.write(git(tree, 'bisect', 'log', check=False) or '')
            restore(tree, original, log, out)
        return _report(tree, state, found, started, log)


def _bisect(tree, state, good, bad, good_sha, bad_sha, command, out, log):
    status, record = _check(tree, state, 'bad', bad_sha, command, out, log)
    if status == GOOD:
        raise UserError('BAD=%s passes: every case passed at %s, so there '
                        'is nothing to bisect (results: %s)' % (
                            bad, describe(tree, bad_sha),
                            os.path.join(state, record['results'])))
    if status == SKIP:
        raise UserError('BAD=%s cannot be tested: %s (results: %s)' % (
            bad, record['reason'], os.path.join(state, record['results'])))
    status, record = _check(tree, state, 'good', good_sha, command, out, log)
    if status != GOOD:
        what = 'cannot be tested: ' + record['reason'] if status == SKIP \
            else 'fails too: ' + record['reason'] + ''.join(
                ', ' + f['case'] for f in record['failed'][:3])
        raise UserError('GOOD=%s %s; choose an older GOOD (results: %s)' % (
            good, what, os.path.join(state, record['results'])))
    log('==== BAD fails and GOOD passes: bisecting')
    with _deferred_interrupts():
        proc = subprocess.run(['git', '-C', tree, 'bisect', 'start',
                               bad_sha, good_sha], stdout=out,
                              stderr=subprocess.STDOUT if out else None,
                              check=False, start_new_session=True)
    if proc.returncode != 0:
        raise UserError('git bisect start failed (status %d)'
                        % proc.returncode)
    if outcome(tree)[0] == 'open':
        status = run_group(['git', 'bisect', 'run'] + command, tree, out)
    kind, commits = outcome(tree)
    if kind == 'open':
        raise UserError('git bisect run stopped (status %d) before it found '
                        'the first bad commit; what each step did: %s'
                        % (status, os.path.join(state, 'bisect.log')))
    return kind, commits


def _report(tree, state, found, started, log):
    kind, commits = found
    records = _load(os.path.join(state, 'steps.json'), [])
    by_commit = {}
    for r in records:
        by_commit.setdefault(r['commit'], r)
    steps = [r for r in records if not r['label']]
    skipped = [r for r in steps if r['verdict'] == 'skip']
    out = []
    if kind == 'found':
        out.append('first bad commit: %s %s' % (
            commits[0], git(tree, 'log', '-1', '--format=%s', commits[0])))
        record = by_commit.get(commits[0])
        if record:
            out.append('what failed at it (%s):' % record['reason'])
            out += _failed_lines(record)
            out.append('its results: %s' % os.path.join(state,
                                                        record['results']))
    else:
        out.append('the first bad commit could not be narrowed down: it is '
                   'one of these (the others did not build or boot):')
        for c in commits:
            r = by_commit.get(c)
            out.append('  %s %s' % (describe(tree, c), '(%s: %s)' % (
                r['verdict'], r['reason']) if r else '(not tested)'))
    out.append('tested: BAD, GOOD and %d steps (%d skipped) in %.0f s; '
               'every step: %s' % (len(steps), len(skipped),
                                   time.monotonic() - started,
                                   os.path.join(state, 'bisect.log')))
    for line in out:
        log(line)
    with open(os.path.join(state, 'summary.txt'), 'w') as f:
        f.write('\n'.join(out) + '\n')
    return 0 if kind == 'found' else 1
