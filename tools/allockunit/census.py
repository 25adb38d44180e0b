# SPDX-License-Identifier: GPL-2.0
"""`make census`: every documented allocation interface, and what checks it.

The interfaces come from the kernel tree itself, so the census cannot fall
behind it:

  - every kernel-doc'ed function and macro that Documentation/core-api/
    mm-api.rst pulls into its allocation sections ("Memory Allocation
    Controls", "The Slab Cache", "Virtually Contiguous Mappings", "Memory
    pools", "DMA pools") and, of "More Memory Management Functions", of
    mm/page_alloc.c and mm/percpu.c, kept when exported or declared under
    include/ (an interface a caller can reach); the export filter of the
    directives is not applied, since 6.12 exports vmalloc() and its kin
    under _noprof names that kernel-doc does not match;
  - the other kernel-doc'ed functions of mm/util.c, which the mm-api.rst
    names a few of;
  - the functions Documentation/core-api/memory-allocation.rst recommends;
  - every GFP flag the DOC sections of include/linux/gfp_types.h describe;
  - the slab_debug options of Documentation/mm/slub.rst, and the boot
    options of Documentation/admin-guide/kernel-parameters.txt that change
    an allocator's behaviour.

docs/contracts.txt says, for each, which cases check it, or why none does,
in one line: `name: suite.case ...` or `name: not covered: <why>: <text>`,
where <why> is one of REASONS. A case counts only if the suite exists,
lists it, and its file names the interface (or the `[token]` the line
gives). docs/contracts.md is written from both, with each interface's
one-line contract taken from its kernel-doc.
"""

import collections
import os
import re
import subprocess

from . import UserError
from . import paths
from . import suites

PROJECT = paths.PROJECT
ROWS = os.path.join(PROJECT, 'docs', 'contracts.txt')
OUTPUT = os.path.join(PROJECT, 'docs', 'contracts.md')

ALLOC_SECTIONS = ('Memory Allocation Controls', 'The Slab Cache',
                  'Virtually Contiguous Mappings', 'Memory pools',
                  'DMA pools')
MORE_FILES = ('mm/page_alloc.c', 'mm/percpu.c')
UTIL = 'mm/util.c'
GFP_TYPES = 'include/linux/gfp_types.h'

# Why an interface has no case. "gap" is coverable and not covered yet;
# every other reason says why no KUnit case on UML or x86_64 can cover it.
REASONS = collections.OrderedDict([
    ('gap', 'coverable on UML or x86_64, no case yet'),
    ('internal', 'internal to mm: neither exported nor declared for callers'),
    ('not an allocation interface', 'documented beside the allocators, '
     'but allocates and frees nothing'),
    ('user memory', 'needs a user address space, which a KUnit case has '
     'not'),
    ('boot', 'used only while the kernel boots, before any test runs'),
    ('hardware', 'needs hardware or a configuration the test machines '
     'lack'),
    ('not observable', 'its documented effect cannot be seen from a test'),
    ('example', 'a placeholder name in the documentation'),
])


class Interface:
    def __init__(self, name, kind, where, summary='', exported=None):
        self.name, self.kind, self.where = name, kind, where
        self.summary = summary
        self.exported = exported

    def __repr__(self):
        return 'Interface(%r, %r)' % (self.name, self.kind)


def kernel_doc(tree, path, extra=()):
    """scripts/kernel-doc's reStructuredText of a file (with extra
    arguments, e.g. -function <name>)."""
    proc = subprocess.run(['perl', os.path.join(tree, 'scripts',
                                                'kernel-doc'),
                           '-rst'] + list(extra) + [path], cwd=tree,
                          capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1) or not proc.stdout and \
            'No such file' in proc.stderr:
        raise UserError('kernel-doc failed on %s: %s'
                        % (path, proc.stderr.strip()[-300:]))
    return proc.stdout


_DIRECTIVE = re.compile(r'^\.\. c:(function|macro):: (.*)$')


def documented(tree, path):
    """[(name, kind, one-line summary)] of a file's kernel-doc."""
    out = []
    lines = kernel_doc(tree, path).splitlines()
    for i, line in enumerate(lines):
        m = _DIRECTIVE.match(line)
        if not m:
            continue
        decl = m.group(2)
        name = re.sub(r'\(.*', '', decl).split()[-1].lstrip('*')
        summary = ''
        for nxt in lines[i + 1:i + 6]:
            if nxt.strip() and not nxt.startswith('..'):
                summary = nxt.strip().strip('*').strip()
                break
        out.append((name, m.group(1), summary))
    return out


def exported(tree, path, name):
    with open(os.path.join(tree, path), encoding='utf-8',
              errors='replace') as f:
        text = f.read()
    return re.search(r'EXPORT_SYMBOL\w*\(\s*%s(_noprof)?\s*\)'
                     % re.escape(name), text) is not None


def declared(tree, name):
    """Whether a header under include/ declares name."""
    proc = subprocess.run(['grep', '-rlE', r'\b%s(_noprof)?\s*\(' %
                           re.escape(name), 'include'], cwd=tree,
                          capture_output=True, text=True, check=False)
    return bool(proc.stdout.strip())


def mm_api_directives(tree):
    """[(section, path, options)] of mm-api.rst's kernel-doc directives."""
    path = os.path.join(tree, 'Documentation', 'core-api', 'mm-api.rst')
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    out, section = [], None
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and re.match(r'^=+$', lines[i + 1]) and \
                line.strip():
            section = line.strip()
        m = re.match(r'^\.\. kernel-doc:: (\S+)', line)
        if m:
            options = {}
            for opt in lines[i + 1:i + 4]:
                o = re.match(r'^\s+:(\w+):\s*(.*)$', opt)
                if not o:
                    break
                options[o.group(1)] = o.group(2).strip()
            out.append((section, m.group(1), options))
    return out


def gfp_flags(tree):
    """[(flag, DOC section, first sentence)] of gfp_types.h's DOC
    sections: the sentence where the flag opens a line or paragraph, the
    way each flag is introduced, else where it first appears."""
    with open(os.path.join(tree, GFP_TYPES), encoding='utf-8') as f:
        text = f.read()
    found = collections.OrderedDict()
    for title in re.findall(r'^ \* DOC: (.+)$', text, re.M):
        doc = kernel_doc(tree, GFP_TYPES, ['-function', title])
        for m in re.finditer(r'(?:%|``)(_*GFP_[A-Z_0-9]+)', doc):
            flag = m.group(1)
            opens = doc[:m.start()].rsplit('\n', 1)[-1].strip() == ''
            if flag in found and (found[flag][2] or not opens):
                continue
            after = doc[m.end():].split('\n\n')[0]
            after = ' '.join(after.split()).lstrip('`: ')
            sentence = re.split(r'(?<=\.)\s', after)[0].strip(' ,.:')
            found[flag] = (title, sentence, opens)
    return [(flag, title, sentence)
            for flag, (title, sentence, _) in found.items()]


SLUB_OPTION = re.compile(r'^\t([A-Z])\t\t(.+)$')


def slab_debug_options(tree):
    """[(slab_debug=<letter>, meaning)] of Documentation/mm/slub.rst."""
    path = os.path.join(tree, 'Documentation', 'mm', 'slub.rst')
    with open(path, encoding='utf-8') as f:
        return [('slab_debug=' + m.group(1), m.group(2).strip())
                for m in map(SLUB_OPTION.match, f) if m]


# Boot options of kernel-parameters.txt that change what an allocator does.
BOOT_OPTION = re.compile(r'^\t((?:slab|slub)_\w+|init_on_(?:alloc|free)|'
                         r'page_poison|debug_pagealloc|page_alloc\.\w+|'
                         r'nohugevmalloc|vmalloc|kfence\.\w+|'
                         r'kmemleak|page_owner)(=?)')


def boot_options(tree):
    """[(option, its first line of text)]; an option that takes a value
    keeps its '=' (vmalloc= is not vmalloc())."""
    path = os.path.join(tree, 'Documentation', 'admin-guide',
                        'kernel-parameters.txt')
    out, seen = [], set()
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        m = BOOT_OPTION.match(line)
        if not m:
            continue
        name = m.group(1) + m.group(2)
        if name in seen:
            continue
        seen.add(name)
        text = re.sub(r'^\S*\s*', '', line.strip())
        text = re.sub(r'^(\[[^\]]*\]\s*)+', '', text).strip()
        if not text and i + 1 < len(lines):
            text = lines[i + 1].strip()
        out.append((name, text))
    return out


def discover(tree):
    """Every interface the census must have a row for, in order."""
    found = collections.OrderedDict()

    def add(iface):
        found.setdefault(iface.name, iface)

    for section, path, options in mm_api_directives(tree):
        more = section == 'More Memory Management Functions'
        if more and path not in MORE_FILES and path != UTIL:
            continue
        if not more and section not in ALLOC_SECTIONS:
            continue
        if 'doc' in options or path == GFP_TYPES:
            continue    # the flags, below
        if path == UTIL:
            continue    # the whole file, below
        for name, kind, summary in documented(tree, path):
            if 'functions' in options and name not in \
                    options['functions'].split():
                continue
            is_exported = exported(tree, path, name)
            if more and not (is_exported or declared(tree, name)):
                continue
            add(Interface(name, kind, path, summary, is_exported))
    for name, kind, summary in documented(tree, UTIL):
        add(Interface(name, kind, UTIL, summary, exported(tree, UTIL, name)))
    rst = os.path.join(tree, 'Documentation', 'core-api',
                       'memory-allocation.rst')
    with open(rst, encoding='utf-8') as f:
        for name in re.findall(r'\b([a-z_0-9]+)\(\)', f.read()):
            add(Interface(name, 'function',
                          'Documentation/core-api/memory-allocation.rst'))
    for flag, title, sentence in gfp_flags(tree):
        add(Interface(flag, 'flag', GFP_TYPES + ' (%s)' % title, sentence))
    for option, meaning in slab_debug_options(tree):
        add(Interface(option, 'option', 'Documentation/mm/slub.rst',
                      meaning))
    for option, meaning in boot_options(tree):
        add(Interface(option, 'option',
                      'Documentation/admin-guide/kernel-parameters.txt',
                      meaning))
    return list(found.values())


class Row:
    def __init__(self, name, cases, reason, text, token, line):
        self.name, self.cases, self.reason = name, cases, reason
        self.text, self.token, self.line = text, token, line


def read_rows(path=ROWS):
    """{name: Row} of docs/contracts.txt."""
    rows = collections.OrderedDict()
    with open(path, encoding='utf-8') as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith('#'):
                continue
            name, sep, rest = line.partition(': ')
            if not sep:
                raise UserError('%s:%d: not "name: cases" or "name: not '
                                'covered: why: text"' % (path, n))
            rest = rest.strip()
            token = None
            m = re.search(r'\s*\[([^\]]+)\]$', rest)
            if m:
                token, rest = m.group(1), rest[:m.start()]
            if rest.startswith('not covered: '):
                why, _, text = rest[len('not covered: '):].partition(': ')
                if why not in REASONS:
                    raise UserError('%s:%d: "%s" is not a reason; choose '
                                    'one of: %s' % (path, n, why,
                                                    ', '.join(REASONS)))
                rows[name] = Row(name, [], why, text.strip(), token, n)
            else:
                rows[name] = Row(name, rest.split(), None, '', token, n)
    return rows


def suite_cases(project=PROJECT):
    """{suite name: (file text, set of case names)} of lib/*_kunit.c."""
    return {name: (s.text, s.cases)
            for name, s in suites.suites(project).items()}


def check(interfaces, rows, suites, rows_path=ROWS):
    """Problems that make the census wrong: an interface without a row, a
    row naming a case that does not exist or does not use the interface,
    and rows for nothing the tree documents."""
    problems = []
    names = {i.name for i in interfaces}
    for iface in interfaces:
        if iface.name not in rows:
            problems.append('%s (%s, %s) has no row in %s'
                            % (iface.name, iface.kind, iface.where,
                               os.path.basename(rows_path)))
    for row in rows.values():
        if row.name not in names:
            problems.append('%s:%d: %s is documented nowhere the census '
                            'looks' % (os.path.basename(rows_path), row.line,
                                       row.name))
        for case in row.cases:
            suite, _, fn = case.partition('.')
            if suite not in suites or fn not in suites[suite][1]:
                problems.append('%s:%d: %s: no case %s'
                                % (os.path.basename(rows_path), row.line,
                                   row.name, case))
                continue
            token = row.token or row.name
            if not any(re.search(r'(?<![\w])%s(?![\w])' % re.escape(t),
                                 suites[suite][0])
                       for t in token.split('|')):
                problems.append('%s:%d: %s: suite %s never names %s'
                                % (os.path.basename(rows_path), row.line,
                                   row.name, suite, token))
    return problems


def counts(interfaces, rows):
    """(covered, coverable, by reason) over the discovered interfaces."""
    by = collections.Counter()
    covered = 0
    for iface in interfaces:
        row = rows.get(iface.name)
        if row is None:
            by['no row'] += 1
        elif row.cases:
            covered += 1
        else:
            by[row.reason] += 1
    return covered, covered + by['gap'], by


def render(interfaces, rows, version):
    covered, coverable, by = counts(interfaces, rows)
    out = ['# The census: documented allocation interfaces and the cases '
           'that check them', '',
           'Written by `make census` from the kernel tree (Linux %s) and '
           '`docs/contracts.txt`; do not edit by hand. The interfaces are '
           'what the kernel documents for allocating and freeing memory '
           '(`tools/allockunit/census.py` says where it looks); the '
           'contract of each is the first line of its kernel-doc, or of '
           'the text that documents it.' % version, '',
           '**%d interfaces; %d covered by an asserting case; %d of the %d '
           'that a case on UML or x86_64 can cover (%.0f %%).**'
           % (len(interfaces), covered, covered, coverable,
              100.0 * covered / coverable if coverable else 100.0), '']
    out += ['| not covered, because | rows |', '|---|---|']
    for reason, meaning in REASONS.items():
        if by.get(reason):
            out.append('| %s (%s) | %d |' % (reason, meaning, by[reason]))
    out.append('')
    groups = collections.OrderedDict()
    for iface in interfaces:
        key = iface.where.split(' (')[0]
        groups.setdefault(key, []).append(iface)
    for where, members in groups.items():
        out += ['## %s' % where, '', '| interface | contract | checked by |',
                '|---|---|---|']
        for iface in members:
            row = rows.get(iface.name)
            contract = (iface.summary or '').replace('|', '\\|')
            if row is None:
                checked = '**no row**'
            elif row.cases:
                checked = ', '.join('`%s`' % c for c in row.cases)
            else:
                checked = 'not covered: %s%s' % (
                    row.reason, (' (%s)' % row.text) if row.text else '')
            out.append('| `%s` | %s | %s |' % (iface.name, contract,
                                                 checked))
        out.append('')
    return '\n'.join(out)


def main(tree, version, write=True, log=print, output=OUTPUT,
         own_rows=True, rows_path=ROWS, project=PROJECT):
    """Check the rows against the tree and the suites, print the counts,
    and write @output (write=False: only say whether it is what would be
    written). Rows for interfaces the tree does not document are problems
    only in the tree the rows are kept for (own_rows). Returns the
    problems found."""
    interfaces = discover(tree)
    rows = read_rows(rows_path)
    suites = suite_cases(project)
    problems = check(interfaces, rows, suites, rows_path)
    if not own_rows:
        extra = [p for p in problems if 'documented nowhere' in p]
        problems = [p for p in problems if p not in extra]
        if extra:
            log('census: %d rows are for interfaces this tree does not '
                'document' % len(extra))
    covered, coverable, by = counts(interfaces, rows)
    log('census: %d interfaces, %d covered by an asserting case, %d of %d '
        'coverable (%.0f %%); not covered: %s'
        % (len(interfaces), covered, covered, coverable,
           100.0 * covered / coverable if coverable else 100.0,
           ', '.join('%s %d' % kv for kv in sorted(by.items()))))
    text = render(interfaces, rows, version) + '\n'
    rel = os.path.relpath(output, project)
    if write:
        os.makedirs(os.path.dirname(output), exist_ok=True)
        with open(output, 'w', encoding='utf-8') as f:
            f.write(text)
        log('census: wrote %s' % rel)
    else:
        try:
            with open(output, encoding='utf-8') as f:
                current = f.read() == text
        except FileNotFoundError:
            current = False
        if not current:
            problems.append('%s is not what the rows and the tree give; '
                            'run make census' % rel)
    for problem in problems:
        log('census: ' + problem)
    return problems


def run(kernel, kdir=None, check_only=False, log=print):
    """`make census`: the tree of KERNEL (a Debian series, unpacked as for
    make run) or KDIR, read only. The rows are kept for the default
    kernel, whose census is docs/contracts.md; any other tree's goes to
    build/census/<kernel>/contracts.md. Status 1 when an interface has no
    row, a row names a case that does not check it, or (check_only) the
    census file is stale."""
    from . import source
    if kdir:
        tree = os.path.abspath(kdir)
        version = source.tree_version(tree)
        name = source.user_tree_id(tree)
    else:
        source.check_kernel(kernel)
        tree = source.debian_tree(kernel, log=log)
        version = source.tree_version(tree)
        name = kernel
    own = not kdir and kernel == source.DEFAULT_KERNEL
    output = OUTPUT if own else os.path.join(PROJECT, 'build', 'census',
                                             name, 'contracts.md')
    problems = main(tree, '.'.join(map(str, version)),
                    write=not check_only, log=log, output=output,
                    own_rows=own)
    return 1 if problems else 0
