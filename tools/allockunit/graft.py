# SPDX-License-Identifier: GPL-2.0
"""A private, grafted view of a kernel tree.

The source tree is never written to. The view is a folder of symbolic links
to the tree's entries, except along the few paths that must differ:

  Makefile                  a copy: kbuild takes srctree from its realpath
  lib/Kconfig.debug         a copy with one `source` line appended
  lib/Makefile              a copy with one `obj-y` line appended
  lib/<GRAFT_NAME>          a link to this project, so edits are used live
  tools/testing/kunit/      a copy: kunit.py finds the tree root from its
                            own realpath, and writes __pycache__ there
  mm/<a few files>.c        copies with the edits of mmhooks.py: the KUnit
                            static stubs and exports the suites need, as
                            the series' first patches propose them

Everything else links back to the tree, so an edit there is seen by the
next build and make's timestamps work as usual. Syncing is idempotent: a
file is rewritten only when its content differs, so an unchanged tree
gives an unchanged view and an incremental build.
"""

import os
import shutil

from . import mmhooks

GRAFT_NAME = 'alloc-kunit'
MARK = '# alloc-kunit graft: private view only, never in the source tree\n'
KCONFIG_LINE = 'source "lib/%s/Kconfig"\n' % GRAFT_NAME
MAKEFILE_LINE = 'obj-y += %s/\n' % GRAFT_NAME

# Folders of the view that are real folders; every other entry is a link.
REAL_DIRS = ('', 'lib', 'mm', 'tools', 'tools/testing')
# Files the view holds as copies (with the graft line, where one is given).
COPIES = {
    'Makefile': None,
    'lib/Kconfig.debug': KCONFIG_LINE,
    'lib/Makefile': MAKEFILE_LINE,
}
# Folders the view holds as full copies.
COPY_TREES = ('tools/testing/kunit',)


def _special_children(rel, edited=()):
    """Names in folder `rel` of the view that are not plain links."""
    special = [p for p in REAL_DIRS if p] + list(COPIES) + \
        list(COPY_TREES) + list(edited)
    return {os.path.basename(p) for p in special if os.path.dirname(p) == rel}


def grafted_text(original, line):
    """The original text with the graft appended once."""
    if not original.endswith('\n'):
        original += '\n'
    return original + '\n' + MARK + line


def _write_if_changed(path, data):
    try:
        with open(path, 'rb') as f:
            if f.read() == data:
                return False
    except OSError:
        pass
    _remove(path)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)
    return True


def _remove(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def _link(target, path):
    if os.path.islink(path) and os.readlink(path) == target:
        return
    _remove(path)
    os.symlink(target, path)


def _sync_copy_tree(src, dst):
    """Mirror src into dst: copy what differs, drop what src lacks."""
    if os.path.islink(dst) or os.path.isfile(dst):
        os.unlink(dst)
    os.makedirs(dst, exist_ok=True)
    want = set()
    for name in os.listdir(src):
        if name == '__pycache__':
            continue
        want.add(name)
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if os.path.isdir(s) and not os.path.islink(s):
            _sync_copy_tree(s, d)
        else:
            with open(s, 'rb') as f:
                if _write_if_changed(d, f.read()):
                    shutil.copymode(s, d)
    for name in os.listdir(dst):
        if name not in want and name != '__pycache__':
            _remove(os.path.join(dst, name))


def sync_view(tree, view, project, log=None):
    """Create or refresh the view of `tree` at `view`, grafting `project`.
    Returns the view."""
    tree, view, project = (os.path.abspath(p) for p in (tree, view, project))
    edited, problems = mmhooks.edited_files(tree)
    for problem in problems:
        (log or print)('note: %s; the cases that need that edit skip'
                       % problem)
    for rel in REAL_DIRS:
        here = os.path.join(view, rel)
        if os.path.islink(here) or os.path.isfile(here):
            os.unlink(here)
        os.makedirs(here, exist_ok=True)
        special = _special_children(rel, edited)
        src_dir = os.path.join(tree, rel)
        names = set(os.listdir(src_dir))
        for name in names - special:
            _link(os.path.join(src_dir, name), os.path.join(here, name))
        extra = {GRAFT_NAME} if rel == 'lib' else set()
        for name in set(os.listdir(here)) - names - extra:
            _remove(os.path.join(here, name))
    for rel, line in COPIES.items():
        with open(os.path.join(tree, rel), encoding='utf-8',
                  errors='surrogateescape') as f:
            text = f.read()
        if line:
            text = grafted_text(text, line)
        _write_if_changed(os.path.join(view, rel),
                          text.encode('utf-8', errors='surrogateescape'))
    for rel, text in edited.items():
        _write_if_changed(os.path.join(view, rel),
                          text.encode('utf-8', errors='surrogateescape'))
    for rel in COPY_TREES:
        _sync_copy_tree(os.path.join(tree, rel), os.path.join(view, rel))
    _link(project, os.path.join(view, 'lib', GRAFT_NAME))
    return view
