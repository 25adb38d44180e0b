# SPDX-License-Identifier: GPL-2.0
"""What the suites need from mm/ that a kernel does not give yet.

Two kinds of edit, each a few lines in one function of one file:

  - a KUnit static stub (Documentation/dev-tools/kunit/api/
    functionredirection.rst) at the top of the fault-injection hooks
    should_failslab() and should_fail_alloc_page(), so that a test can make
    the allocations of its own thread fail, and nothing else's;
  - EXPORT_SYMBOL_IF_KUNIT() after functions the suites call and modules
    cannot reach (include/kunit/visibility.h), so that every suite also
    runs as a module.

The same edits make the first two patches of `make patch`'s series and,
for out-of-tree runs, the copies of those files in the grafted view
(graft.py), so what runs here is what the series proposes. A tree that
has an edit already is left alone; a tree without KUnit static stubs
(before 6.3) gets none: the cases that need them skip there.
"""

import os
import re


class Redirect:
    """KUNIT_STATIC_STUB_REDIRECT(function, args) as the function's first
    statement."""

    def __init__(self, path, function, args):
        self.path, self.function, self.args = path, function, args

    @property
    def line(self):
        return '\tKUNIT_STATIC_STUB_REDIRECT(%s, %s);\n' % (self.function,
                                                           self.args)

    include = 'kunit/static_stub.h'


class Export:
    """EXPORT_SYMBOL_IF_KUNIT(function) after the function."""

    def __init__(self, path, function):
        self.path, self.function = path, function

    @property
    def line(self):
        return 'EXPORT_SYMBOL_IF_KUNIT(%s);\n' % self.function

    include = 'kunit/visibility.h'


# Fault injection: the two hooks every slab and page allocation passes.
REDIRECTS = (
    Redirect('mm/failslab.c', 'should_failslab', 's, gfpflags'),
    Redirect('mm/fail_page_alloc.c', 'should_fail_alloc_page',
             'gfp_mask, order'),
)

# What the suites call that modules cannot: reading the allocators'
# accounting (vmalloc_nr_pages, drain_all_pages, and the zone walk of
# for_each_populated_zone()), a vmalloc area's record, vfree_atomic() and
# vrealloc() (6.12 exports neither), vmalloc with an alignment (as
# lib/test_vmalloc.c does), the documented interfaces of vmalloc.c,
# page_alloc.c and percpu.c that only built-in code may call today
# (get_vm_area(), remove_vm_area(), the sparse-area calls,
# alloc_contig_pages(), per_cpu_ptr_to_phys()), and the two hooks.
EXPORTS = (
    Export('mm/vmalloc.c', 'vmalloc_nr_pages'),
    Export('mm/vmalloc.c', 'find_vm_area'),
    Export('mm/vmalloc.c', 'vfree_atomic'),
    Export('mm/vmalloc.c', '__vmalloc_node_noprof'),
    Export('mm/vmalloc.c', 'vrealloc_noprof'),
    Export('mm/vmalloc.c', 'get_vm_area'),
    Export('mm/vmalloc.c', 'remove_vm_area'),
    Export('mm/vmalloc.c', 'vm_area_map_pages'),
    Export('mm/vmalloc.c', 'vm_area_unmap_pages'),
    Export('mm/page_alloc.c', 'alloc_contig_pages_noprof'),
    Export('mm/percpu.c', 'per_cpu_ptr_to_phys'),
    Export('mm/page_alloc.c', 'drain_all_pages'),
    Export('mm/mmzone.c', 'first_online_pgdat'),
    Export('mm/mmzone.c', 'next_zone'),
    Export('mm/failslab.c', 'should_failslab'),
    Export('mm/fail_page_alloc.c', 'should_fail_alloc_page'),
)

FILES = sorted({e.path for e in REDIRECTS + EXPORTS})


class HookError(Exception):
    pass


def applies(tree):
    """Whether the tree can take the edits: KUnit static stubs (6.3)."""
    return os.path.isfile(os.path.join(tree, 'include', 'kunit',
                                       'static_stub.h'))


def _definition(text, function):
    """(index of the opening brace's line, index of the closing brace's
    line) of a top-level function definition, as lines of text."""
    lines = text.splitlines(keepends=True)
    head = re.compile(r'^[A-Za-z_][\w \t\*]*[ \t\*]%s\(' % re.escape(function))
    for i, line in enumerate(lines):
        if not head.match(line) or line.rstrip().endswith(';'):
            continue
        j = i
        while j < len(lines) and not lines[j].startswith('{'):
            if lines[j].rstrip().endswith(';'):
                break
            j += 1
        if j == len(lines) or not lines[j].startswith('{'):
            continue
        k = j + 1
        while k < len(lines) and not lines[k].startswith('}'):
            k += 1
        if k < len(lines):
            return lines, j, k
    raise HookError('no definition of %s()' % function)


_DECLARATION = re.compile(r'^\t(const |unsigned |struct |enum )*[a-z_][\w]*'
                          r'[ \t\*]+\w+(\[[^\]]*\])?( = [^;]*)?;\s*$')


def _add_include(text, header):
    """#include <header> after the last #include <...> of the file's
    opening block of includes (before its first #if or code)."""
    line = '#include <%s>\n' % header
    if line in text:
        return text
    lines = text.splitlines(keepends=True)
    last, comment = None, False
    for i, l in enumerate(lines):
        stripped = l.strip()
        if comment:
            comment = '*/' not in stripped
            continue
        if stripped.startswith('/*'):
            comment = '*/' not in stripped
            continue
        if not stripped or stripped.startswith('//'):
            continue
        if l.startswith('#include <'):
            last = i
        elif not l.startswith(('#include', '#define', '#undef')):
            break
    if last is None:
        raise HookError('no #include <...> line to add %s after' % header)
    lines.insert(last + 1, line)
    return ''.join(lines)


def apply_redirect(text, r):
    if 'KUNIT_STATIC_STUB_REDIRECT(%s,' % r.function in text:
        return text
    lines, brace, _ = _definition(text, r.function)
    at = brace + 1
    # After the declarations, which C90 style wants first.
    while at < len(lines) and _DECLARATION.match(lines[at]):
        at += 1
    if at > brace + 1 and lines[at].strip() == '':
        lines.insert(at + 1, r.line + '\n')
    else:
        lines.insert(at, r.line + ('\n' if at == brace + 1 else ''))
    return _add_include(''.join(lines), r.include)


def apply_export(text, e):
    if e.line in text:
        return text
    lines, _, close = _definition(text, e.function)
    export = re.compile(r'^EXPORT_SYMBOL\w*\(\s*%s\s*\);' % re.escape(e.function))
    i = close + 1
    while i < min(len(lines), close + 12) and (
            not lines[i].strip() or lines[i].lstrip().startswith(('/*', '*'))):
        i += 1
    if i < len(lines) and export.match(lines[i]):
        return text     # exported already, for every module
    if (i + 2 < len(lines) and lines[i].startswith('#if') and
            export.match(lines[i + 1]) and lines[i + 2].startswith('#endif')):
        # Exported for some configurations only (__vmalloc_node_noprof,
        # for test_vmalloc): the others get this export.
        lines[i + 2:i + 2] = ['#else\n', e.line]
    else:
        lines.insert(close + 1, e.line)
    return _add_include(''.join(lines), e.include)


def edit(rel, text):
    """The file `rel` (path in the tree) with every edit for it applied."""
    for r in REDIRECTS:
        if r.path == rel:
            text = apply_redirect(text, r)
    for e in EXPORTS:
        if e.path == rel:
            text = apply_export(text, e)
    return text


def edited_files(tree):
    """({path in the tree: edited text} for the files that change,
    [problems]). A tree without static stubs gets nothing; a file whose
    function is not where the edits expect it is left as it is, and the
    problem is named (the cases that need the edit then skip)."""
    if not applies(tree):
        return {}, []
    out, problems = {}, []
    for rel in FILES:
        path = os.path.join(tree, rel)
        if not os.path.isfile(path):
            problems.append('%s is missing' % rel)
            continue
        with open(path, encoding='utf-8', errors='surrogateescape') as f:
            text = f.read()
        try:
            new = edit(rel, text)
        except HookError as e:
            problems.append('%s: %s' % (rel, e))
            continue
        if new != text:
            out[rel] = new
    return out, problems
