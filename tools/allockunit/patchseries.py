# SPDX-License-Identifier: GPL-2.0
"""`make patch`: the suites as a `git format-patch` series for a kernel tree.

The series adds the suites to a kernel tree the way they would go upstream,
so that in that tree a plain

    ./tools/testing/kunit/kunit.py run --kunitconfig=mm/tests

builds and runs them, with none of this project's tools and none of its
out-of-tree compatibility code (compat/). It is made in a private git copy
of the tree, build/patch/<kernel>/tree/, and written to
build/patch/<kernel>/*.patch; the tree itself is never written to.

What each patch holds and says is written in series/NN-*.txt, one file a
patch (00 is the cover letter): a Subject: line, header lines saying what
the patch adds, then the commit message. Headers:

  Adds:         project files (lib/...) the patch adds under mm/tests/;
                each .c file brings its line of lib/Makefile
  Edits:        `redirects` or `exports`: the mm/ edits of mmhooks.py
  Kconfig:      Kconfig symbols whose entries (from Kconfig) it adds
  Kunitconfig:  lines it adds to mm/tests/.kunitconfig
  Maintainers:  MAINTAINERS entries the added files are listed in

The private copy of a Debian tree is `cp -al` (hard links: 2 s for 86 000
files) with the files the series modifies copied for real, committed once
as the pristine base (about 45 s for 6.12, cached: the commit is reused
while the tree is the same). git replaces a file it changes (a new inode),
so a link back to the unpacked tree is never written through; the copies
for real make that true whatever git does. A KDIR that is a git work tree
gives a `git clone --shared` at its HEAD instead (the user's repository is
only read), and the series gets a base-commit line.
"""

import json
import os
import re
import shutil
import subprocess
import time

from . import UserError
from . import deps
from . import mmhooks
from . import paths
from . import results
from . import runner
from . import source
from .gitcmd import git
from .suites import suite_name

PROJECT = paths.PROJECT
SERIES_DIR = os.path.join(PROJECT, 'series')

# Where the suites go in a tree: mm/tests/, beside the code they test, as
# Documentation/dev-tools/kunit/style.rst ("Test File and Module Names")
# keeps tests in a tests/ folder at the level of the code under test, and
# as mm/damon/tests/ does. Kconfig entries go to mm/Kconfig.debug, "alongside
# the config entries for the subsystem being tested"; mm/Makefile descends
# into tests/ when KUnit is on.
TESTS_DIR = 'mm/tests'
KCONFIG = 'mm/Kconfig.debug'
PARENT_MAKEFILE = 'mm/Makefile'
PARENT_LINE = 'obj-$(CONFIG_KUNIT) += tests/'
# The oldest kernel the series is written for: KUnit static stubs,
# vrealloc() and kvrealloc(p, size, gfp). Older kernels run the suites
# out of tree (make run), with compat/.
MIN_VERSION = (6, 12)
# What the suites test: a tree without these is not one they fit.
CODE_UNDER_TEST = ('mm/slab_common.c', 'mm/vmalloc.c', 'mm/util.c',
                   'mm/failslab.c')

FALLBACK_ENTRY = 'MEMORY MANAGEMENT'
# Whose names get_maintainer.pl must print for the series: every M: of
# these entries, and their lists.
EXPECTED_ENTRIES = ('MEMORY MANAGEMENT', 'SLAB ALLOCATOR')

# Words of this project that must not reach the series.
PROJECT_WORDS = re.compile(
    r'(?<!\w)alloc[-_]kunit|allockunit|lesson|PROFILE=|compat/|'
    r'mm_alloc_compat|\bgraft|make (run|test|bench|patch|regressions)\b|'
    r"project's|this project", re.I)

# git makes the series; checkpatch.pl is perl, and its SPDX check
# (scripts/spdxcheck.py) needs ply and git for Python.
PACKAGES = ['git', 'perl', 'python3-ply', 'python3-git']

# Without a git user, a placeholder to replace before sending (not this
# project's name: it would be in every From: line of the series).
IDENTITY = ('Your Name', 'your.name@example.org')
PRISTINE_IDENTITY = ('pristine tree', 'pristine@example.org')
PRISTINE_DATE = '2000-01-01T00:00:00Z'
STAMP = 'alloc-kunit-pristine'
WIDTH = 72
HEADERS = ('Subject', 'Adds', 'Edits', 'Kconfig', 'Kunitconfig',
           'Maintainers')


class PatchText:
    """One file of series/: a patch's subject, what it adds, its message."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        head, _, body = text.partition('\n\n')
        self.headers = {}
        for line in head.splitlines():
            key, sep, value = line.partition(':')
            if not sep or key not in HEADERS:
                raise UserError('%s: "%s" is not a header (%s)'
                                % (path, line, ', '.join(HEADERS)))
            self.headers[key] = value.strip()
        if not self.headers.get('Subject'):
            raise UserError('%s has no Subject: line' % path)
        self.subject = self.headers['Subject']
        self.body = body.strip('\n') + '\n'

    def words(self, key):
        return self.headers.get(key, '').split()

    def names(self, key):
        return [n.strip() for n in self.headers.get(key, '').split(',')
                if n.strip()]


def read_series(folder=SERIES_DIR):
    """(cover letter, [patches]) of series/, in file name order."""
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith('.txt'))
    except OSError:
        raise UserError('no %s folder' % folder) from None
    texts = [PatchText(os.path.join(folder, n)) for n in names]
    if len(texts) < 2 or not texts[0].name.startswith('00-'):
        raise UserError('%s needs 00-cover.txt and one file per patch'
                        % folder)
    return texts[0], texts[1:]


class Project:
    """What the series takes from the project: files, Makefile lines,
    Kconfig entries and .kunitconfig lines."""

    def __init__(self, root=PROJECT):
        self.root = root
        self.objects = {}       # 'x.o': Kconfig symbol, from lib/Makefile
        for line in self.read('lib/Makefile').splitlines():
            m = re.match(r'^obj-\$\(CONFIG_(\w+)\)\s*\+=\s*(.+)$', line)
            if m:
                for obj in m.group(2).split():
                    self.objects[obj] = m.group(1)
        self.kconfig = kconfig_entries(self.read('Kconfig'))
        self.kunitconfig = [line.strip() for line in
                            self.read('.kunitconfig').splitlines()
                            if re.match(r'^CONFIG_\w+=', line.strip())]

    def read(self, rel):
        with open(os.path.join(self.root, rel), encoding='utf-8') as f:
            return f.read()


def kconfig_entries(text):
    """{symbol: entry text} of a Kconfig file, comments between entries
    left out."""
    starts = list(re.finditer(r'^config (\w+)\s*$', text, re.M))
    out = {}
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        lines = text[m.start():end].splitlines()
        while lines and (not lines[-1].strip() or lines[-1].startswith('#')):
            lines.pop()
        out[m.group(1)] = '\n'.join(lines) + '\n'
    return out


def check_project(project, patches):
    """What would make the series wrong, before any git work: a lib/ file
    no patch adds, a suite without its subsystem prefix, a .kunitconfig
    line the series lacks, a Kconfig symbol without an entry."""
    problems = []
    added = [f for p in patches for f in p.words('Adds')]
    for name in sorted(os.listdir(os.path.join(project.root, 'lib'))):
        rel = 'lib/' + name
        if name.endswith(('.c', '.h')) and rel not in added:
            problems.append('%s is in no patch of series/ (Adds:)' % rel)
    for rel in added:
        if not os.path.isfile(os.path.join(project.root, rel)):
            problems.append('series/ adds %s, which does not exist' % rel)
        elif rel.endswith('.c'):
            obj = os.path.basename(rel)[:-2] + '.o'
            if obj not in project.objects:
                problems.append('lib/Makefile does not build %s' % obj)
            name = suite_name(project.read(rel))
            if name and not name.startswith('mm_alloc_'):
                problems.append('suite "%s" (%s) lacks the subsystem '
                                'prefix mm_alloc_' % (name, rel))
    symbols = [s for p in patches for s in p.words('Kconfig')]
    for symbol in set(project.objects.values()):
        if symbol not in symbols:
            problems.append('no patch adds the Kconfig entry of %s' % symbol)
    for symbol in symbols:
        if symbol not in project.kconfig:
            problems.append('Kconfig has no entry for %s' % symbol)
    lines = [line for p in patches for line in p.words('Kunitconfig')]
    for line in project.kunitconfig:
        symbol = line.split('=')[0][len('CONFIG_'):]
        if line not in lines and symbol not in symbols[1:]:
            problems.append('.kunitconfig has %s and no patch adds it' % line)
    return problems


# ---------------------------------------------------------------- layout

class Layout:
    """Where the series puts things in one tree."""

    def __init__(self, tree):
        for rel in CODE_UNDER_TEST:
            if not os.path.isfile(os.path.join(tree, rel)):
                raise UserError('%s has no %s: not a tree the suites test'
                                % (tree, rel))
        self.tests_dir = TESTS_DIR
        self.kconfig = KCONFIG
        self.parent_makefile = PARENT_MAKEFILE
        self.new_dir = not os.path.isdir(os.path.join(tree, TESTS_DIR))

    def path(self, project_file):
        return self.tests_dir + '/' + os.path.basename(project_file)

    def modified(self):
        """Files of the tree the series changes (rather than adds)."""
        out = ['MAINTAINERS', self.kconfig] + list(mmhooks.FILES)
        if self.new_dir:
            out.append(self.parent_makefile)
        else:
            out += [self.tests_dir + '/Makefile',
                    self.tests_dir + '/.kunitconfig']
        return out


def maintainers_entries(text):
    """{entry name: (first line index, end index)} of MAINTAINERS."""
    lines = text.split('\n')
    out = {}
    for i, line in enumerate(lines):
        if (line and not line[0].isspace() and i + 1 < len(lines) and
                re.match(r'^[A-Z]:\t', lines[i + 1])):
            end = i + 1
            while end < len(lines) and lines[end].strip():
                end += 1
            out[line] = (i, end)
    return out


def add_to_maintainers(text, entries, paths):
    """MAINTAINERS with F: lines for paths in each of the entries the file
    has (else in FALLBACK_ENTRY), in the alphabetic place checkpatch asks
    for. Returns (text, names of the entries used)."""
    found = maintainers_entries(text)
    used = [e for e in entries if e in found] or [FALLBACK_ENTRY]
    if FALLBACK_ENTRY not in found:
        raise UserError('MAINTAINERS has no %s entry' % FALLBACK_ENTRY)
    lines = text.split('\n')
    # Bottom-up, so that earlier entries keep their line numbers.
    for entry in sorted(used, key=lambda e: -found[e][0]):
        start, end = found[entry]
        for path in sorted(paths, reverse=True):
            new = 'F:\t' + path
            if new in lines[start:end]:
                continue
            f_lines = [i for i in range(start, end)
                       if lines[i].startswith('F:\t')]
            at = next((i for i in f_lines if lines[i][3:] > path),
                      (f_lines[-1] + 1) if f_lines else end)
            lines.insert(at, new)
            end += 1
    return '\n'.join(lines), used


def maintainer_emails(text, entries):
    """(names of M: people, lists) of the named MAINTAINERS entries."""
    found = maintainers_entries(text)
    lines = text.split('\n')
    people, lists = [], []
    for entry in entries:
        if entry not in found:
            continue
        start, end = found[entry]
        for line in lines[start:end]:
            if line.startswith('M:\t'):
                people.append(re.sub(r'\s*<.*', '', line[3:]).strip())
            elif line.startswith('L:\t'):
                lists.append(line[3:].split()[0])
    return people, lists


# ---------------------------------------------------------------- git

def git_env(name, email, date):
    env = dict(os.environ)
    for who in ('AUTHOR', 'COMMITTER'):
        env['GIT_%s_NAME' % who] = name
        env['GIT_%s_EMAIL' % who] = email
        env['GIT_%s_DATE' % who] = date
    return env


def identity(project_root=PROJECT):
    """Author of the series: the project's git user, else IDENTITY."""
    def get(key):
        try:
            proc = subprocess.run(['git', '-C', project_root, 'config', key],
                                  capture_output=True, text=True,
                                  check=False)
        except FileNotFoundError:
            return ''
        return proc.stdout.strip()
    name, email = get('user.name'), get('user.email')
    return (name, email) if name and email else IDENTITY


def series_date(project_root=PROJECT):
    """The project's last commit date, so that the same project gives
    the same series; now when the project is no git checkout."""
    proc = subprocess.run(['git', '-C', project_root, 'log', '-1',
                           '--format=%cI'], capture_output=True, text=True,
                          check=False)
    date = proc.stdout.strip()
    return date or time.strftime('%Y-%m-%dT%H:%M:%S%z')


def git_toplevel(path):
    proc = subprocess.run(['git', '-C', path, 'rev-parse', '--show-toplevel'],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return None
    return os.path.realpath(proc.stdout.strip())


def _read_stamp(tree):
    try:
        with open(os.path.join(tree, '.git', STAMP)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _copy_for_real(src, dst):
    """Replace dst (a hard link to src) by a copy of its own."""
    tmp = dst + '.alloc-kunit-copy'
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)


def pristine_tree(source_tree, tree, layout, log=print, kdir=False):
    """A private git copy of source_tree at `tree`; returns its base
    commit. Made once and reused while the source is the same."""
    source_tree = os.path.realpath(source_tree)
    top = git_toplevel(source_tree) if kdir else None
    if top == source_tree:
        head = subprocess.run(['git', '-C', source_tree, 'rev-parse',
                               'HEAD'], capture_output=True, text=True,
                              check=True).stdout.strip()
        key = {'source': source_tree, 'head': head}
    else:
        st = os.stat(os.path.join(source_tree, 'Makefile'))
        key = {'source': source_tree, 'makefile': [st.st_size,
                                                   st.st_mtime_ns]}
    stamp = _read_stamp(tree)
    if stamp and all(stamp.get(k) == v for k, v in key.items()) and \
            git(tree, 'cat-file', '-e', stamp['base'] + '^{commit}',
                check=False).returncode == 0:
        return stamp['base']
    if stamp and top == source_tree and stamp.get('source') == source_tree:
        # A clone of the same repository: its objects are shared, so
        # moving to the new HEAD is enough.
        base = key['head']
    else:
        base = None
        if os.path.lexists(tree):
            log('removing the old private copy ' + tree)
            shutil.rmtree(tree)
        os.makedirs(os.path.dirname(tree), exist_ok=True)
    start = time.monotonic()
    if top == source_tree:
        if base is None:
            log('cloning %s (shared objects, at HEAD %s) into %s'
                % (source_tree, key['head'][:12], tree))
            subprocess.run(['nice', '-n', '10', 'git', 'clone', '-q',
                            '--shared', '--no-checkout', source_tree, tree],
                           check=True)
        git(tree, 'checkout', '-q', '--detach', '-f', key['head'], nice=True)
        base = key['head']
    else:
        log('copying %s into %s (hard links)' % (source_tree, tree))
        proc = subprocess.run(['cp', '-al', source_tree, tree],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            log('hard links failed (%s); copying' % proc.stderr.strip()[-200:])
            shutil.rmtree(tree, ignore_errors=True)
            subprocess.run(['cp', '-a', source_tree, tree], check=True)
        for rel in layout.modified():
            if os.path.isfile(os.path.join(tree, rel)):
                _copy_for_real(os.path.join(source_tree, rel),
                               os.path.join(tree, rel))
        log('committing the pristine tree once (cached for later runs)')
        git(tree, 'init', '-q')
        git(tree, 'config', 'gc.auto', '0')
        git(tree, 'config', 'core.compression', '1')
        # Debian's .gitignore ignores everything at the top ("/*"): add
        # the tree as it is. A tree of the user's keeps its build output
        # out by its own .gitignore.
        git(tree, 'add', '-A', *(['-f'] if not kdir else []), nice=True)
        git(tree, 'commit', '-q', '--no-verify', '-m',
            'pristine %s' % os.path.basename(source_tree),
            env=git_env(*PRISTINE_IDENTITY, PRISTINE_DATE), nice=True)
        base = git(tree, 'rev-parse', 'HEAD').stdout.strip()
    log('private copy ready in %.1f s' % (time.monotonic() - start))
    with open(os.path.join(tree, '.git', STAMP), 'w') as f:
        json.dump(dict(key, base=base), f)
    return base


def reset(tree, base, layout):
    git(tree, 'reset', '-q', '--hard', base, nice=True)
    if layout.new_dir:
        shutil.rmtree(os.path.join(tree, layout.tests_dir),
                      ignore_errors=True)


# ---------------------------------------------------------------- series

class Series:
    """One kernel's series: where it lives and what was made."""

    def __init__(self, kernel_id, source_tree, root=None, kdir=False):
        self.kernel_id = kernel_id
        self.source_tree = os.path.realpath(source_tree)
        self.kdir = kdir
        version = source.tree_version(self.source_tree)
        if version[:2] < MIN_VERSION:
            raise UserError(
                'the series is written for Linux %d.%d and later (KUnit '
                'static stubs, vrealloc()); %s is %d.%d. Run the suites on '
                'it out of tree instead: make run KERNEL=... or KDIR=...'
                % (MIN_VERSION + (self.source_tree,) + version[:2]))
        self.out = os.path.join(root or os.path.join(paths.build_root(),
                                                     'patch'), kernel_id)
        self.tree = os.path.join(self.out, 'tree')
        self.build_dir = os.path.join(self.out, 'kunit-um')
        self.layout = Layout(self.source_tree)
        self.version = '%d.%d.%d' % version
        self.base = None
        self.patches = []
        self.commits = []
        self.cover = None
        self.series_tree = None
        self.times = []

    def timed(self, name, start):
        self.times.append((name, time.monotonic() - start))


def _write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', errors='surrogateescape') as f:
        f.write(text)


def _read_tree(tree, rel):
    with open(os.path.join(tree, rel), encoding='utf-8',
              errors='surrogateescape') as f:
        return f.read()


def _append(tree, rel, text):
    path = os.path.join(tree, rel)
    old = _read_tree(tree, rel) if os.path.isfile(path) else ''
    if old and not old.endswith('\n'):
        old += '\n'
    _write_file(path, old + text)


def _commit(series, patch, paths, env):
    git(series.tree, 'add', '-A', '-f', '--', *paths)
    message = patch.subject + '\n\n' + patch.body
    path = os.path.join(series.out, '.message')
    _write_file(path, message)
    git(series.tree, 'commit', '-q', '-s', '--no-verify',
        '--cleanup=whitespace', '-F', path, env=env)
    os.unlink(path)
    series.commits.append(git(series.tree, 'rev-parse',
                              'HEAD').stdout.strip())


def apply_edits(tree, kind):
    """The mm/ edits of mmhooks.py of one kind, in the tree: `redirects`
    (the static stubs and the hooks' exports) or `exports` (the others).
    Returns the files changed."""
    hooks = {r.function for r in mmhooks.REDIRECTS}
    if kind == 'redirects':
        steps = [(r.path, mmhooks.apply_redirect, r)
                 for r in mmhooks.REDIRECTS] + \
            [(e.path, mmhooks.apply_export, e) for e in mmhooks.EXPORTS
             if e.function in hooks]
    elif kind == 'exports':
        steps = [(e.path, mmhooks.apply_export, e) for e in mmhooks.EXPORTS
                 if e.function not in hooks]
    else:
        raise UserError('Edits: %s is neither redirects nor exports' % kind)
    changed = []
    for rel, edit, what in steps:
        old = _read_tree(tree, rel)
        try:
            new = edit(old, what)
        except mmhooks.HookError as e:
            raise UserError('%s: %s' % (rel, e)) from None
        if new != old:
            _write_file(os.path.join(tree, rel), new)
            if rel not in changed:
                changed.append(rel)
    return changed


def make_series(series, project=None, texts=None, log=print):
    """Generate the series of `series` into series.out; returns series."""
    project = project or Project()
    cover, patches = texts or read_series()
    problems = check_project(project, patches)
    if problems:
        raise UserError('series/ and the suites disagree: ' +
                        '; '.join(problems))
    layout = series.layout
    t = time.monotonic()
    series.base = pristine_tree(series.source_tree, series.tree, layout,
                                log, series.kdir)
    series.timed('private git copy', t)
    t = time.monotonic()
    reset(series.tree, series.base, layout)
    name, email = identity(project.root)
    env = git_env(name, email, series_date(project.root))
    tree, tdir = series.tree, layout.tests_dir
    series.commits = []
    for patch in patches:
        paths = []
        for kind in patch.words('Edits'):
            paths += apply_edits(tree, kind)
        added = [layout.path(rel) for rel in patch.words('Adds')]
        for rel in patch.words('Adds'):
            _write_file(os.path.join(tree, layout.path(rel)),
                        project.read(rel))
        if added and not os.path.isfile(os.path.join(tree,
                                                     tdir + '/Makefile')):
            _write_file(os.path.join(tree, tdir + '/Makefile'),
                        '# SPDX-License-Identifier: GPL-2.0\n')
            if layout.new_dir:
                _append(tree, layout.parent_makefile, PARENT_LINE + '\n')
                paths.append(layout.parent_makefile)
        for rel in patch.words('Adds'):
            if rel.endswith('.c'):
                obj = os.path.basename(rel)[:-2] + '.o'
                _append(tree, tdir + '/Makefile', 'obj-$(CONFIG_%s) += %s\n'
                        % (project.objects[obj], obj))
                paths.append(tdir + '/Makefile')
        for symbol in patch.words('Kconfig'):
            _append(tree, layout.kconfig, '\n' + project.kconfig[symbol])
            paths.append(layout.kconfig)
        if patch.words('Kunitconfig'):
            _append(tree, tdir + '/.kunitconfig',
                    ''.join(line + '\n'
                            for line in patch.words('Kunitconfig')))
            paths.append(tdir + '/.kunitconfig')
        if added:
            text, _ = add_to_maintainers(_read_tree(tree, 'MAINTAINERS'),
                                         patch.names('Maintainers'), added)
            _write_file(os.path.join(tree, 'MAINTAINERS'), text)
            paths += added + ['MAINTAINERS']
        _commit(series, patch, sorted(set(paths)), env)
    series.series_tree = git(tree, 'rev-parse',
                             'HEAD^{tree}').stdout.strip()
    git(tree, 'branch', '-f', 'mm-alloc-kunit', 'HEAD')

    # The files, with the cover letter's own text and its recipients.
    for name in os.listdir(series.out) if os.path.isdir(series.out) else []:
        if name.endswith('.patch'):
            os.unlink(os.path.join(series.out, name))
    args = ['format-patch', '-q', '--cover-letter', '-o', series.out]
    if series.kdir and series.base == _read_stamp(tree).get('head'):
        args.append('--base=' + series.base)
    git(tree, *args, series.base + '..HEAD', env=env)
    files = sorted(f for f in os.listdir(series.out) if f.endswith('.patch'))
    series.cover = os.path.join(series.out, files[0])
    series.patches = [os.path.join(series.out, f) for f in files[1:]]
    with open(series.cover, encoding='utf-8') as f:
        text = f.read()
    text = text.replace('*** SUBJECT HERE ***', cover.subject).replace(
        '*** BLURB HERE ***', cover.body.rstrip('\n'))
    to, cc = recipients(series)
    if to or cc:
        head, sep, rest = text.partition('\nSubject: ')
        head += ''.join('\n%s: %s' % (k, ',\n '.join(v))
                        for k, v in (('To', to), ('Cc', cc)) if v)
        text = head + sep + rest
    with open(series.cover, 'w', encoding='utf-8') as f:
        f.write(text)
    series.timed('generate %d patches' % len(series.patches), t)
    return series


def recipients(series):
    """(To, Cc) for the cover letter: get_maintainer.pl's maintainers, and
    its reviewers and lists."""
    proc = subprocess.run(['perl', 'scripts/get_maintainer.pl',
                           '--no-git-fallback', '--no-rolestats'] +
                          series.patches, cwd=series.tree,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return [], []
    to, cc = [], []
    roles = subprocess.run(['perl', 'scripts/get_maintainer.pl',
                            '--no-git-fallback', '--roles'] +
                           series.patches, cwd=series.tree,
                           capture_output=True, text=True, check=False)
    for line in roles.stdout.splitlines():
        who, _, role = line.partition(' (')
        who = who.strip()
        if not who:
            continue
        (to if 'maintainer' in role and 'list' not in role
         else cc).append(who)
    return to, cc


def project_words(series):
    """Lines of the generated series that speak of this project."""
    found = []
    for path in [series.cover] + series.patches:
        with open(path, encoding='utf-8', errors='replace') as f:
            for n, line in enumerate(f, 1):
                if PROJECT_WORDS.search(line):
                    found.append('%s:%d: %s' % (os.path.basename(path), n,
                                                line.strip()))
    return found


# ---------------------------------------------------------------- proof

def apply_series(series):
    """git am the series onto the pristine base; None or what went wrong."""
    reset(series.tree, series.base, series.layout)
    env = git_env(*PRISTINE_IDENTITY, PRISTINE_DATE)
    proc = git(series.tree, 'am', '-q', *series.patches, env=env,
               check=False)
    if proc.returncode != 0:
        # git am --abort resets, and so writes a reflog entry: it needs an
        # identity too, which a fresh machine's git config does not have
        git(series.tree, 'am', '--abort', env=env)
        return (proc.stdout + proc.stderr).strip()[-500:]
    got = git(series.tree, 'rev-parse', 'HEAD^{tree}').stdout.strip()
    if got != series.series_tree:
        return 'the tree after git am differs from the generated one'
    return None


def spdx_env():
    """checkpatch runs scripts/spdxcheck.py with the first python3 on
    PATH, which needs ply and git (python3-ply, python3-git); when it
    cannot import them checkpatch skips the SPDX check and says nothing on
    stdout. Put a python3 that can first (a pyenv shim may shadow
    Debian's); None when there is none."""
    path = os.environ.get('PATH', '')
    for folder in [os.path.dirname(shutil.which('python3') or '')] + [
            '/usr/bin']:
        python = os.path.join(folder, 'python3')
        if folder and os.access(python, os.X_OK) and subprocess.run(
                [python, '-c', 'import ply, git'], capture_output=True,
                check=False).returncode == 0:
            return dict(os.environ, PATH=folder + os.pathsep + path)
    return None


def checkpatch(series, patch, env=None):
    """checkpatch.pl --strict on one patch file; returns the findings."""
    env = env or spdx_env()
    if env is None:
        return ['scripts/spdxcheck.py cannot run: no python3 with ply and '
                'git (apt-get install python3-ply python3-git)']
    proc = subprocess.run(['perl', 'scripts/checkpatch.pl', '--strict',
                           '--show-types', patch], cwd=series.tree,
                          capture_output=True, text=True, check=False,
                          env=env)
    findings = [line for line in proc.stdout.splitlines()
                if re.match(r'^(ERROR|WARNING|CHECK):', line)]
    if 'Traceback' in proc.stderr:
        findings.append('a helper of checkpatch failed: ' +
                        proc.stderr.strip().splitlines()[-1])
    if proc.returncode != 0 and not findings:
        findings = (proc.stdout + proc.stderr).strip().splitlines()[-5:] or [
            'checkpatch.pl exited with status %d' % proc.returncode]
    return findings


def get_maintainer(series):
    """(get_maintainer.pl's lines for the series, names it must print and
    did not)."""
    proc = subprocess.run(['perl', 'scripts/get_maintainer.pl',
                           '--no-git-fallback'] + series.patches,
                          cwd=series.tree, capture_output=True, text=True,
                          check=False)
    lines = proc.stdout.strip().splitlines()
    people, lists = maintainer_emails(_read_tree(series.tree, 'MAINTAINERS'),
                                      EXPECTED_ENTRIES)
    missing = [who for who in people + lists
               if not any(who in line for line in lines)]
    if proc.returncode != 0:
        missing.append('(get_maintainer.pl exited with status %d: %s)'
                       % (proc.returncode, proc.stderr.strip()[-200:]))
    return lines, missing


def kunit_run(series, jobs=None, timeout=600, log=print):
    """Build and run the series' suites in the patched tree with its own
    kunit.py and nothing of this project: the command a commit message
    gives. Returns (status, (passed, failed, skipped), log path)."""
    os.makedirs(series.build_dir, exist_ok=True)
    json_path = os.path.join(series.out, 'kunit.json')
    log_path = os.path.join(series.out, 'kunit.log')
    if os.path.exists(json_path):
        os.unlink(json_path)
    cmd = ['./tools/testing/kunit/kunit.py', 'run',
           '--kunitconfig=' + series.layout.tests_dir,
           '--build_dir=' + series.build_dir,
           '--jobs=%d' % (jobs or os.cpu_count() or 1),
           '--timeout=%d' % timeout, '--json=' + json_path]
    cmd += ['--make_options=' + o for o in runner.cc_options()]
    # The runner's ccache, keyed on paths relative to this tree.
    env = dict(runner.ccache_settings(series.out), **os.environ)
    env['CCACHE_BASEDIR'] = series.out
    tmpdir = runner.uml_tmpdir(log)
    if tmpdir:
        env['TMPDIR'] = tmpdir
    log('in %s: %s' % (series.tree, ' '.join(cmd)))
    with open(log_path, 'w') as out:
        proc = subprocess.run(cmd, cwd=series.tree, env=env, stdout=out,
                              stderr=subprocess.STDOUT, check=False)
    counts = (0, 0, 0)
    if os.path.isfile(json_path):
        with open(json_path) as f:
            counts = results.count(list(results.leaf_cases(json.load(f))))
    return proc.returncode, counts, log_path


def each_patch_builds(series, jobs=None, log=print):
    """Whether every patch of the series builds on its own: at each commit,
    in a build folder configured from the final run's, `make mm/` and,
    once it exists, `make mm/tests/`. Returns [(patch, ok, detail)]."""
    config = os.path.join(series.build_dir, '.config')
    if not os.path.isfile(config):
        return [('build each patch', False, 'no configured build folder '
                 '(the kunit.py run did not get that far)')]
    out = []
    build = os.path.join(series.out, 'kunit-each')
    os.makedirs(build, exist_ok=True)
    shutil.copyfile(config, os.path.join(build, '.config'))
    env = dict(os.environ)
    env.setdefault('CCACHE_DIR', os.path.expanduser('~/.cache/ccache'))
    env['CCACHE_BASEDIR'] = series.out
    base = ['make', 'ARCH=um', 'O=' + build,
            '--jobs=%d' % (jobs or os.cpu_count() or 1)]
    base += runner.cc_options()
    try:
        for n, commit in enumerate(series.commits, 1):
            git(series.tree, 'checkout', '-q', '--detach', commit)
            dirs = ['mm/'] + (['mm/tests/'] if os.path.isdir(os.path.join(
                series.tree, series.layout.tests_dir)) else [])
            proc = subprocess.run(base + ['olddefconfig'], cwd=series.tree,
                                  env=env, capture_output=True, text=True,
                                  check=False)
            if proc.returncode == 0:
                proc = subprocess.run(base + dirs, cwd=series.tree, env=env,
                                      capture_output=True, text=True,
                                      check=False)
            errors = [line for line in proc.stderr.splitlines()
                      if 'error:' in line or 'warning:' in line]
            log('  patch %d of %d: make %s: %s' % (
                n, len(series.commits), ' '.join(dirs),
                'ok' if proc.returncode == 0 and not errors else 'FAILED'))
            out.append(('patch %d of %d builds (%s)' % (
                n, len(series.commits), ' '.join(dirs)),
                proc.returncode == 0 and not errors,
                '; '.join(errors[:3]) or proc.stderr.strip()[-300:]))
    finally:
        git(series.tree, 'checkout', '-q', '--detach', series.commits[-1])
    return out


def w1_builds(series, jobs=None, log=print):
    """mm/tests/ compiled with W=1 in the patched tree, the suites built in
    (the kunit.py run's configuration) and as modules (the same with
    CONFIG_MODULES and =m). Returns [(item, ok, detail)]."""
    config = os.path.join(series.build_dir, '.config')
    if not os.path.isfile(config):
        return [('W=1 build of mm/tests/', False, 'no configured build '
                 'folder (the kunit.py run did not get that far)')]
    env = dict(os.environ)
    env.setdefault('CCACHE_DIR', os.path.expanduser('~/.cache/ccache'))
    env['CCACHE_BASEDIR'] = series.out
    out = []
    for how, build in (('built in', series.build_dir),
                       ('as modules', os.path.join(series.out, 'kunit-m'))):
        base = ['make', 'ARCH=um', 'O=' + build,
                '--jobs=%d' % (jobs or os.cpu_count() or 1)]
        base += runner.cc_options()
        steps = []
        if build != series.build_dir:
            os.makedirs(build, exist_ok=True)
            shutil.copyfile(config, os.path.join(build, '.config'))
            steps.append(['./scripts/config', '--file',
                          os.path.join(build, '.config'), '--enable',
                          'MODULES', '--module', 'MM_ALLOC_KUNIT_TEST',
                          '--module', 'MM_ALLOC_BENCH_KUNIT_TEST'])
            steps.append(base + ['olddefconfig'])
            steps.append(base + ['modules_prepare'])
        steps.append(base + ['W=1', series.layout.tests_dir + '/'])
        proc = None
        for cmd in steps:
            proc = subprocess.run(cmd, cwd=series.tree, env=env,
                                  capture_output=True, text=True,
                                  check=False)
            if proc.returncode != 0:
                break
        warnings = [line for line in proc.stderr.splitlines()
                    if 'warning:' in line or 'error:' in line]
        for line in warnings[:10]:
            log('  ' + line)
        out.append(('W=1 build of %s/, %s' % (series.layout.tests_dir, how),
                    proc.returncode == 0 and not warnings,
                    '; '.join(warnings[:3]) or proc.stderr.strip()[-300:]))
    return out


def check(series, build=False, log=print, jobs=None, timeout=600):
    """Apply, checkpatch, get_maintainer and the project-word grep (and
    with build, kunit.py run and a build of every patch on its own);
    returns [(item, ok, detail)]."""
    items = []
    name = series.kernel_id
    t = time.monotonic()
    problem = apply_series(series)
    series.timed('git am', t)
    items.append(('%s: git am applies the %d patches to the pristine tree'
                   % (name, len(series.patches)), problem is None,
                   problem or ''))
    if problem:
        return items
    t = time.monotonic()
    env = spdx_env()
    for patch in series.patches:
        findings = checkpatch(series, patch, env)
        for line in findings[:10]:
            log('  ' + line)
        items.append(('%s: checkpatch --strict %s'
                      % (name, os.path.basename(patch)), not findings,
                      '%d findings' % len(findings)))
    series.timed('checkpatch', t)
    words = project_words(series)
    for line in words[:10]:
        log('  ' + line)
    items.append(('%s: nothing of this project in the series' % name,
                  not words, '%d lines, the first: %s'
                  % (len(words), words[0] if words else '')))
    t = time.monotonic()
    lines, missing = get_maintainer(series)
    for line in lines:
        log('  ' + line)
    people, _ = maintainer_emails(_read_tree(series.tree, 'MAINTAINERS'),
                                  EXPECTED_ENTRIES)
    items.append(('%s: get_maintainer.pl names %s' % (
        name, ', '.join(people[:1] + people[-1:]) + ' and the rest of ' +
        ' and '.join(EXPECTED_ENTRIES)), not missing,
        'missing: ' + ', '.join(missing)))
    series.timed('get_maintainer', t)
    if build:
        t = time.monotonic()
        status, (passed, failed, skipped), path = kunit_run(
            series, jobs, timeout, log)
        series.timed('kunit.py run', t)
        items.append(('%s: kunit.py run --kunitconfig=%s in the patched '
                      'tree (%d passed, %d failed, %d skipped)'
                      % (name, series.layout.tests_dir, passed, failed,
                         skipped),
                      status == 0 and not failed and passed > 0,
                      'status %d, see %s' % (status, os.path.relpath(path))))
        t = time.monotonic()
        items += [('%s: %s' % (name, item), ok, detail) for item, ok, detail
                  in w1_builds(series, jobs, log)]
        series.timed('W=1 builds', t)
        t = time.monotonic()
        items += [('%s: %s' % (name, item), ok, detail) for item, ok, detail
                  in each_patch_builds(series, jobs, log)]
        series.timed('each patch built', t)
    return items


def prepare(kernel, kdir=None, log=print, install=True):
    """The Series for KERNEL= or KDIR=, its source tree found."""
    if kdir:
        tree = os.path.abspath(kdir)
        source.tree_version(tree)
        if install:
            deps.ensure(PACKAGES, log)
        return Series(source.user_tree_id(tree), tree, kdir=True)
    source.check_kernel(kernel)
    if install:
        deps.ensure(PACKAGES + [deps.source_package(kernel)], log)
    return Series(kernel, source.debian_tree(kernel, log=log))


def main(kernel, kdir=None, checks=True, build=False, jobs=None,
         timeout=600, log=print):
    """`make patch`: write the series, then (by default) prove it."""
    series = prepare(kernel, kdir, log)
    make_series(series, log=log)
    log('series for %s (Linux %s): %s' % (
        series.kernel_id, series.version, os.path.relpath(series.out)))
    for path in [series.cover] + series.patches:
        log('  ' + os.path.basename(path))
    status = 0
    if checks or build:
        for item, ok, detail in check(series, build, log, jobs, timeout):
            log('%s %s%s' % ('ok    ' if ok else 'FAILED', item,
                             '' if ok else ' (%s)' % detail))
            status = status or (0 if ok else 1)
    for what, secs in series.times:
        log('  %-28s %6.1f s' % (what, secs))
    log('apply it to your tree with: git am %s/*.patch'
        % os.path.relpath(series.out))
    return status
