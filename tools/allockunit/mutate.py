# SPDX-License-Identifier: GPL-2.0
"""`make mutate`: change the allocators' code in small, systematic ways and
count the changes no case notices.

Mutants come from the functions that implement the interfaces the census
(docs/contracts.txt) says are covered, in the allocator files below, or
from FUNCS= / FILES=. The operators, each applied wherever it fits in a
function body (one change per mutant):

  ror          a relational or equality operator swapped at its boundary
               (< for <=, == for !=, ...)
  negate       a relational operator replaced by its negation (< for >=)
  bound+1/-1   the right-hand side of a comparison, or a size, length,
               count or order passed to a call, plus or minus one
  if-true      an if condition on one line forced to 1
  if-false     ... forced to 0
  drop         a call whose result is ignored, or an assignment, removed
  return       a returned value replaced by NULL (pointers), 0, or -ENOMEM
               (an int function returning 0)
  flag         a GFP_*, __GFP_*, SLAB_* or __SLAB_* bit taken out of an
               "a | b" expression

Each mutant is a patch in the regression format (tools/regressions/), so
`make regressions PATCHES=build/mutate/<run>/patches PATCH=<id>` replays
it. Mutants run in make regressions' scratch tree (links to the kernel
tree, real copies of the touched files; the user's tree is never written):
one incremental build and one default run each. Before building, a mutant
whose preprocessed file equals the original's (a change in code this
configuration leaves out) is dropped as "equivalent".

Verdicts: killed (a case failed, the kernel reported a splat, crashed or
hung past TIMEOUT after cases ran), survived (every case passed), invalid
(it did not build or the kernel never reached KUnit), equivalent, and
"not built" (the file is not compiled for this target). The score is
killed / (killed + survived).

Results are written after every mutant (build/mutate/<kernel>-<arch>/):
mutants.json, mutation.md, mutation.json, mutation.png, and the patches;
a rerun with the same selection resumes where the last one stopped.
"""

import collections
import difflib
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import tempfile
import time

from . import UserError
from . import census
from . import regressions
from . import paths
from . import results
from . import runner
from . import source

DEFAULT_FILES = ('mm/slub.c', 'mm/slab_common.c', 'mm/util.c',
                 'mm/vmalloc.c', 'mm/page_alloc.c', 'mm/mempool.c',
                 'mm/dmapool.c')
OPERATORS = ('ror', 'negate', 'bound+1', 'bound-1', 'if-true', 'if-false',
             'drop', 'return', 'flag')
KILLED, SURVIVED, INVALID = 'killed', 'survived', 'invalid'
EQUIVALENT, NOT_BUILT = 'equivalent', 'not built'

# How a census name is spelled where it is defined (6.12 adds _noprof to
# the functions under alloc_hooks(); kmalloc() is __kmalloc_noprof()).
_SPELLINGS = ('%s', '%s_noprof', '__%s_noprof', '__%s', '_%s',
              '%s_node_noprof', '__%s_node_noprof')


class Function:
    def __init__(self, path, name, returns, first, last):
        self.path, self.name, self.returns = path, name, returns
        self.first, self.last = first, last     # body lines, 0-based, { }

    def __repr__(self):
        return '%s:%s' % (self.path, self.name)


_NAME = re.compile(r'([A-Za-z_]\w*)\s*\(')
_NOT_NAMES = {'__attribute__', '__printf', '__malloc', '__must_check',
              '__alloc_size', '__realloc_size', '__assume_kmalloc_alignment',
              '__assume_slab_alignment', '__assume_page_alignment',
              'DECL_BUCKET_PARAMS', 'SYSCALL_DEFINE1', 'SYSCALL_DEFINE2'}


def functions(text, path=''):
    """Every function defined at file scope in kernel style (signature
    from column 0, `{` and `}` alone at column 0): {name: Function}."""
    lines = text.split('\n')
    found = {}
    for i, line in enumerate(lines):
        if line != '{':
            continue
        j = i - 1
        while j >= 0 and lines[j] and lines[j][0] not in ' }#/*' and \
                not lines[j].endswith(';') and not lines[j].endswith('*/'):
            j -= 1
        signature = ' '.join(lines[j + 1:i])
        if '(' not in signature or '=' in signature.split('(')[0]:
            continue        # an initialiser, a struct
        name = None
        for m in _NAME.finditer(signature):
            if m.group(1) not in _NOT_NAMES:
                name = m.group(1)
                break
        if not name or '__init' in signature.split(name)[0]:
            continue        # boot-time code runs before any case
        returns = signature.split(name)[0]
        end = i + 1
        while end < len(lines) and lines[end] != '}':
            end += 1
        found[name] = Function(path, name, returns, i, end)
    return found


def census_functions(tree, files, rows=None):
    """The functions in `files` that implement an interface the census
    covers with cases: [Function]."""
    rows = census.read_rows() if rows is None else rows
    covered = [r.name for r in rows.values() if r.cases]
    out = []
    for path in files:
        full = os.path.join(tree, path)
        if not os.path.isfile(full):
            continue
        with open(full, encoding='utf-8', errors='replace') as f:
            defined = functions(f.read(), path)
        for name in covered:
            for spelling in _SPELLINGS:
                fn = defined.get(spelling % name)
                if fn and fn not in out:
                    out.append(fn)
    return out


def named_functions(tree, files, names):
    out, missing = [], []
    for name in names:
        for path in files:
            full = os.path.join(tree, path)
            if not os.path.isfile(full):
                continue
            with open(full, encoding='utf-8', errors='replace') as f:
                fn = functions(f.read(), path).get(name)
            if fn:
                out.append(fn)
                break
        else:
            missing.append(name)
    if missing:
        raise UserError('FUNCS=: %s defined in none of %s' % (
            ', '.join(missing), ', '.join(files)))
    return out


# The operators, on one line of code at a time.

def _blank_literals(line):
    """The line with string and char literals and comments blanked (same
    length), so operators are found only in code."""
    out, i, quote = [], 0, None
    while i < len(line):
        c = line[i]
        if quote:
            out.append(' ')
            if c == '\\':
                out.append(' ')
                i += 1
            elif c == quote:
                quote = None
        elif c in '"\'':
            quote = c
            out.append(' ')
        elif line.startswith('//', i):
            out.extend(' ' * (len(line) - i))
            break
        elif line.startswith('/*', i):
            end = line.find('*/', i + 2)
            end = len(line) if end < 0 else end + 2
            out.extend(' ' * (end - i))
            i = end
            continue
        else:
            out.append(c)
        i += 1
    return ''.join(out)


_RELATIONAL = re.compile(r'(?<![<>=!\-])(<=|>=|==|!=|<|>)(?![<>=])')
_BOUNDARY = {'<': '<=', '<=': '<', '>': '>=', '>=': '>', '==': '!=',
             '!=': '=='}
_NEGATION = {'<': '>=', '<=': '>', '>': '<=', '>=': '<'}
_OPERAND = re.compile(r'\s*([A-Za-z_]\w*(?:(?:->|\.)\w+)*|\d+[UL]*)')
_SIZE_ARG = re.compile(r'(?<=[(,])\s*(size|len|length|bytes|count|'
                       r'nr|nr_pages|order|n|align)\s*(?=[,)])')
_FLAG = re.compile(r'\s*\|\s*(__GFP_\w+|GFP_\w+|__SLAB_\w+|SLAB_\w+)\b'
                   r'|\b(__GFP_\w+|GFP_\w+|__SLAB_\w+|SLAB_\w+)\s*\|\s*')
_IF = re.compile(r'\bif \(')
_STATEMENT = re.compile(r'^\t+(?:[A-Za-z_][\w]*(?:(?:->|\.)\w+|\[[^\]]*\])*'
                        r'\s*(?:\(|=[^=]|\+=|-=|\|=|&=|\+\+|--))')
_RETURN = re.compile(r'^(\t+return )(.+);\s*$')
_KEYWORDS = {'return', 'if', 'while', 'for', 'switch', 'sizeof', 'goto',
             'break', 'continue', 'case', 'default', 'do', 'else'}


def _balanced_close(code, start):
    """Index of the parenthesis closing the one at `start`, or -1."""
    depth = 0
    for k in range(start, len(code)):
        if code[k] == '(':
            depth += 1
        elif code[k] == ')':
            depth -= 1
            if depth == 0:
                return k
    return -1


def line_mutants(line, code, returns, previous):
    """(operator, description, new line) for every mutant of one line.
    `code` is the line with literals blanked, `previous` the code line
    before it (a statement is dropped only where one can start)."""
    out = []
    if code.lstrip().startswith('#') or not code.strip():
        return out
    for m in _RELATIONAL.finditer(code):
        op, at = m.group(1), m.start(1)
        if op in ('<', '>') and code[max(0, at - 1):at] == '-':
            continue
        new = line[:at] + _BOUNDARY[op] + line[at + len(op):]
        out.append(('ror', '%s -> %s' % (op, _BOUNDARY[op]), new))
        if op in _NEGATION:
            new = line[:at] + _NEGATION[op] + line[at + len(op):]
            out.append(('negate', '%s -> %s' % (op, _NEGATION[op]), new))
        rhs = _OPERAND.match(code, at + len(op))
        if rhs and rhs.group(1).strip('()') not in _KEYWORDS and \
                code[rhs.end():].lstrip()[:1] in ('', ')', '&', '|', ';', '?'):
            a, b = rhs.start(1), rhs.end(1)
            for sign in ('+', '-'):
                new = line[:a] + '(%s %s 1)' % (line[a:b], sign) + line[b:]
                out.append(('bound%s1' % sign, '%s %s 1' % (line[a:b], sign),
                            new))
    for m in _SIZE_ARG.finditer(code):
        a, b = m.start(1), m.end(1)
        for sign in ('+', '-'):
            new = line[:a] + '(%s %s 1)' % (line[a:b], sign) + line[b:]
            out.append(('bound%s1' % sign, 'argument %s %s 1'
                        % (line[a:b], sign), new))
    for m in _IF.finditer(code):
        start = m.end() - 1
        end = _balanced_close(code, start)
        if end < 0:
            continue
        for value, op in (('1', 'if-true'), ('0', 'if-false')):
            new = line[:start + 1] + value + line[end:]
            out.append((op, 'if (%s)' % value, new))
    for m in _FLAG.finditer(code):
        flag = m.group(1) or m.group(2)
        new = line[:m.start()] + line[m.end():]
        out.append(('flag', '%s cleared' % flag, new))
    stripped = code.strip()
    prev = previous.rstrip()
    can_start = (not prev or prev.endswith((';', '{', '}', ':', ')'))
                 or prev.strip() in ('else', 'do'))
    first = re.match(r'\t+([A-Za-z_]\w*)', code)
    if _STATEMENT.match(code) and stripped.endswith(';') and can_start and \
            code.count('(') == code.count(')') and \
            first.group(1) not in _KEYWORDS:
        indent = line[:len(line) - len(line.lstrip('\t'))]
        out.append(('drop', 'statement removed', indent + ';'))
    ret = _RETURN.match(line)
    if ret and code.count('(') == code.count(')'):
        value = ret.group(2).strip()
        if '*' in returns:
            replacement = 'NULL'
        elif re.search(r'\bvoid\b', returns):
            replacement = None
        elif re.search(r'\bbool\b', returns):
            replacement = 'true' if value == 'false' else 'false'
        elif value == '0' and re.search(r'\bint\b', returns) and \
                'unsigned' not in returns:
            replacement = '-ENOMEM'
        else:
            replacement = '0'
        if replacement and replacement != value:
            out.append(('return', 'return %s' % replacement,
                        ret.group(1) + replacement + ';'))
    return out


class Mutant:
    def __init__(self, fn, line_no, op, what, old, new):
        self.path, self.function = fn.path, fn.name
        self.line = line_no + 1             # 1-based, as in the file
        self.op, self.what, self.old, self.new = op, what, old, new
        key = '%s:%d:%s:%s' % (self.path, self.line, op, new)
        self.id = hashlib.sha1(key.encode()).hexdigest()[:10]

    def patch_text(self, lines):
        """A unified diff in the regression format."""
        before = lines[max(0, self.line - 4):self.line + 3]
        after = list(before)
        after[self.line - 1 - max(0, self.line - 4)] = self.new
        diff = difflib.unified_diff(
            [x + '\n' for x in before], [x + '\n' for x in after],
            'a/' + self.path, 'b/' + self.path, n=3, lineterm='\n')
        body = list(diff)
        first = max(0, self.line - 4) + 1
        body[2] = '@@ -%d,%d +%d,%d @@\n' % (first, len(before), first,
                                            len(after))
        head = ['# Mutation: %s in %s() at %s:%d: %s\n' % (
            self.op, self.function, self.path, self.line, self.what),
            '# Visible: UML\n', '# Mutant: %s\n' % self.id]
        return ''.join(head + body)

    def row(self):
        return {'id': self.id, 'file': self.path, 'function': self.function,
                'line': self.line, 'operator': self.op, 'what': self.what,
                'old': self.old.strip(), 'new': self.new.strip()}


def source_lines(tree, path, cache):
    """The lines of tree/path, read once per cache."""
    if path not in cache:
        with open(os.path.join(tree, path), encoding='utf-8',
                  errors='replace') as f:
            cache[path] = f.read().split('\n')
    return cache[path]


def generate(tree, fns):
    """Every mutant of every function, in file and line order."""
    out = []
    texts = {}
    for fn in fns:
        lines = source_lines(tree, fn.path, texts)
        in_comment = False
        previous = lines[fn.first]
        for k in range(fn.first + 1, fn.last):
            line = lines[k]
            code = _blank_literals(line)
            if in_comment:
                end = line.find('*/')
                if end < 0:
                    continue
                in_comment = False
                code = ' ' * (end + 2) + code[end + 2:]
            if '/*' in line and '*/' not in line[line.find('/*'):]:
                in_comment = True
                code = code[:line.find('/*')]
            if line.rstrip().endswith('\\') or \
                    previous.rstrip().endswith('\\'):
                previous = line
                continue
            for op, what, new in line_mutants(line, code, fn.returns,
                                              previous):
                if new != line:
                    out.append(Mutant(fn, k, op, what, line, new))
            if code.strip():
                previous = code
    seen, unique = set(), []
    for m in out:
        if m.id not in seen:
            seen.add(m.id)
            unique.append(m)
    return unique


def sample(mutants, limit, seed):
    """Up to `limit` mutants spread over the functions: each function's
    mutants shuffled with `seed`, then taken in turn."""
    if not limit or limit >= len(mutants):
        return list(mutants)
    rng = random.Random(seed)
    by_fn = collections.OrderedDict()
    for m in mutants:
        by_fn.setdefault((m.path, m.function), []).append(m)
    queues = []
    for key in by_fn:
        items = list(by_fn[key])
        rng.shuffle(items)
        queues.append(items)
    chosen = []
    while len(chosen) < limit:
        for q in queues:
            if q and len(chosen) < limit:
                chosen.append(q.pop(0))
    order = {m.id: n for n, m in enumerate(mutants)}
    return sorted(chosen, key=lambda m: order[m.id])


# Equivalence by preprocessing.

def preprocess_command(build_dir, path):
    """The compiler command kbuild saved for `path` (mm/slub.c), as a list
    that preprocesses instead, or None when this build did not compile
    the file."""
    obj = path[:-2] + '.o'
    cmd_file = os.path.join(build_dir, os.path.dirname(obj),
                            '.%s.cmd' % os.path.basename(obj))
    if not os.path.isfile(cmd_file):
        return None
    with open(cmd_file, encoding='utf-8', errors='replace') as f:
        first = f.readline()
    _, _, command = first.partition(':= ')
    words = shlex.split(command.split(';')[0])
    out, skip = [], False
    for word in words:
        if skip:
            skip = False
            continue
        if word in ('ccache', 'distcc') or word.startswith('-Wp,-MMD') or \
                word == '-c':
            continue
        if word == '-o':
            skip = True
            continue
        out.append(word)
    if not out or not out[-1].endswith('.c'):
        return None
    return out[:-1]


def preprocessed(command, build_dir, source_dir, text, scratch):
    """The preprocessed text of `text` compiled as a file of source_dir."""
    path = os.path.join(scratch, 'unit.c')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    proc = subprocess.run(command + ['-iquote', source_dir, '-E', '-P',
                                     '-o', '-', path], cwd=build_dir,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return None
    return re.sub(r'\s+', ' ', proc.stdout)


# Reports.

def score(rows):
    killed = sum(1 for r in rows if r.get('verdict') == KILLED)
    survived = sum(1 for r in rows if r.get('verdict') == SURVIVED)
    return killed, survived, (100.0 * killed / (killed + survived)
                              if killed + survived else None)


def coverage_lines(path):
    """{file: {line: count}} of an lcov .info file, or {}."""
    out, current = {}, None
    if not os.path.isfile(path):
        return out
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            if line.startswith('SF:'):
                current = out.setdefault(line[3:].strip(), {})
            elif line.startswith('DA:') and current is not None:
                no, count = line[3:].split(',')[:2]
                current[int(no)] = int(count)
    return out


def reached(cov, boot, path, line):
    """'yes', 'no' or '' (no coverage data) for a line and the cases."""
    for name, lines in cov.items():
        if name.endswith('/' + path):
            hits = lines.get(line)
            if hits is None:
                return ''
            base = 0
            for bname, blines in boot.items():
                if bname.endswith('/' + path):
                    base = blines.get(line, 0)
            return 'yes (%d runs, %d at boot)' % (hits, base) \
                if hits > base else 'no (%d runs, %d at boot)' % (hits, base)
    return ''


SURVIVORS = os.path.join(paths.PROJECT, 'docs', 'mutation-survivors.txt')


def accounted(path=SURVIVORS):
    """{mutant id: 'class: reason'} of docs/mutation-survivors.txt: the
    survivors looked at and recorded as equivalent or out of scope."""
    out = {}
    if os.path.isfile(path):
        with open(path, encoding='utf-8') as f:
            for line in f:
                if line.strip() and not line.startswith('#'):
                    key, _, why = line.strip().partition(' ')
                    out[key] = why
    return out


def render(rows, title, cov_note, reasons=None):
    table = collections.OrderedDict()
    for r in rows:
        key = (r['file'], r['function'])
        counts = table.setdefault(key, collections.Counter())
        counts[r.get('verdict', 'pending')] += 1
    out = ['# %s' % title, '',
           'killed: a case failed or the kernel reported, crashed or hung; '
           'survived: every case passed; invalid: no build or no boot; '
           'equivalent: same preprocessed code. Score = killed / (killed + '
           'survived).', '',
           '| file | function | mutants | killed | survived | invalid | '
           'equivalent | not built | score |', '|---|---|---|---|---|---|---|'
           '---|---|']
    files = collections.OrderedDict()
    for (path, fn), c in table.items():
        files.setdefault(path, collections.Counter()).update(c)
        ran = c[KILLED] + c[SURVIVED]
        out.append('| %s | %s | %d | %d | %d | %d | %d | %d | %s |' % (
            path, fn, sum(c.values()), c[KILLED], c[SURVIVED], c[INVALID],
            c[EQUIVALENT], c[NOT_BUILT],
            '%.0f %%' % (100.0 * c[KILLED] / ran) if ran else '-'))
    for path, c in files.items():
        ran = c[KILLED] + c[SURVIVED]
        out.append('| **%s** | all | %d | %d | %d | %d | %d | %d | %s |' % (
            path, sum(c.values()), c[KILLED], c[SURVIVED], c[INVALID],
            c[EQUIVALENT], c[NOT_BUILT],
            '**%.0f %%**' % (100.0 * c[KILLED] / ran) if ran else '-'))
    killed, survived, pct = score(rows)
    reasons = accounted() if reasons is None else reasons
    known = sum(1 for r in rows if r.get('verdict') == SURVIVED and
                r['id'] in reasons)
    out += ['', 'Score: %d killed, %d survived: %s' % (
        killed, survived, '%.1f %%' % pct if pct is not None else '-'), '',
        '## Survivors', '', cov_note, '',
        '%d of %d survivors are accounted for in %s.' % (
            known, survived, os.path.relpath(SURVIVORS, paths.PROJECT)), '']
    for r in rows:
        if r.get('verdict') != SURVIVED:
            continue
        out += ['### %s %s:%d %s() — %s: %s' % (
            r['id'], r['file'], r['line'], r['function'], r['operator'],
            r['what']),
                '', 'Line reached by the cases: %s' % (r.get('reached') or
                                                       'no coverage data'),
                '', 'Accounted for: %s' % reasons.get(
                    r['id'], 'no (not yet looked at)'),
                '', '```diff', '-' + r['old'], '+' + r['new'], '```', '']
    return '\n'.join(out) + '\n'


def plot(rows, out_dir, title):
    """mutation.png: killed, survived and invalid per function, stacked."""
    if not shutil.which('gnuplot'):
        return None
    table = collections.OrderedDict()
    for r in rows:
        c = table.setdefault(r['function'], collections.Counter())
        c[r.get('verdict', 'pending')] += 1
    if not table:
        return None
    data = os.path.join(out_dir, 'plot.dat')
    with open(data, 'w') as f:
        for name, c in table.items():
            f.write('%s %d %d %d\n' % (name, c[KILLED], c[SURVIVED],
                                       c[INVALID]))
    png = os.path.join(out_dir, 'mutation.png')
    script = '\n'.join([
        'set terminal pngcairo size %d,600' % max(800, 22 * len(table)),
        'set output "%s"' % png, 'set title "%s"' % title,
        'set style data histograms', 'set style histogram rowstacked',
        'set style fill solid border -1', 'set boxwidth 0.8',
        'set xtics rotate by -60 font ",8"', 'set ylabel "mutants"',
        'set key outside top right',
        'plot "%s" using 2:xtic(1) title "killed" lc rgb "#2e7d32", '
        '"" using 3 title "survived" lc rgb "#c62828", '
        '"" using 4 title "invalid" lc rgb "#9e9e9e"' % data]) + '\n'
    proc = subprocess.run(['gnuplot'], input=script, text=True,
                          capture_output=True, check=False)
    return png if proc.returncode == 0 else None


def out_folder(kernel, arch, profile='', files=DEFAULT_FILES, funcs=(),
               operators=(), limit=0, seed=1):
    """build/mutate/<kernel>-<arch>[-profile], and for a selection other
    than the default one a short name of it: runs of different selections
    keep their verdicts apart, a run of the same one resumes."""
    name = '%s-%s%s' % (kernel, arch, runner.variant_name('', profile))
    selection = (tuple(files or DEFAULT_FILES), tuple(funcs),
                 tuple(operators), limit, seed)
    if selection[:4] != (DEFAULT_FILES, (), (), 0):
        name += '-' + '-'.join(list(funcs)[:2] + list(operators)[:2]) + \
            '-' + hashlib.sha1(repr(selection).encode()).hexdigest()[:6]
    return os.path.join(paths.build_root(), 'mutate', name.replace('--', '-'))


def report_key(line):
    """A kernel report's line with its numbers (addresses, PIDs, times)
    left out, to tell a new report from one every boot prints."""
    return re.sub(r'0x[0-9a-f]+|\d+', 'N', line)


def _save(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def run_all(kernel=source.DEFAULT_KERNEL, arch='um', kdir=None, files=(),
            funcs=(), operators=(), limit=0, seed=1, timeout=120,
            profile='', log=print, run=None, fresh=False, dry_run=False,
            survivors=False, only=()):
    """Generate, build and run mutants; returns 0 when every one ran.
    With survivors=True, only the last run's survivors run again (after
    a new assertion: did it kill them?)."""
    run = run or runner.run
    if log is print:
        def log(line):
            print(line, flush=True)
    files = tuple(files) or DEFAULT_FILES
    for op in operators:
        if op not in OPERATORS:
            raise UserError('OPS=%s is not an operator; choose from: %s'
                            % (op, ', '.join(OPERATORS)))
    if limit < 0:
        raise UserError('LIMIT=%d: give 0 (every mutant) or more' % limit)
    runner.check_values(arch, profile, '', timeout)
    tree, kernel = regressions.scratch_source(kernel, arch, kdir, log)
    fns = named_functions(tree, files, funcs) if funcs else \
        census_functions(tree, files)
    if not fns:
        raise UserError('no census function is defined in %s' %
                        ', '.join(files))
    mutants = generate(tree, fns)
    if operators:
        mutants = [m for m in mutants if m.op in operators]
    chosen = sample(mutants, limit, seed)
    log('make mutate: %d functions in %d files, %d mutants, %d chosen '
        '(SEED=%d)' % (len(fns), len({f.path for f in fns}), len(mutants),
                       len(chosen), seed))
    out_dir = out_folder(kernel, arch, profile, files, funcs, operators,
                         limit, seed)
    patch_dir = os.path.join(out_dir, 'patches')
    os.makedirs(patch_dir, exist_ok=True)
    texts = {}
    for m in chosen:
        name = os.path.join(patch_dir, '%s.patch' % m.id)
        with open(name, 'w', encoding='utf-8') as f:
            f.write(m.patch_text(source_lines(tree, m.path, texts)))
    state_path = os.path.join(out_dir, 'mutants.json')
    done = {}
    if os.path.isfile(state_path) and not fresh:
        with open(state_path) as f:
            done = json.load(f).get('mutants', {})
    if dry_run:
        for m in chosen:
            log('%s %s:%d %s() %s: %s' % (m.id, m.path, m.line, m.function,
                                           m.op, m.what))
        return 0
    scratch = os.path.join(paths.build_root(), 'regressions',
                           '%s-scratch' % kernel)
    copied = sorted({m.path for m in chosen})
    target = runner.Request(arch=arch, kdir=scratch, profile=profile).target()
    cov_dir = os.path.join(paths.build_root(), 'coverage',
                           '%s-um-coverage' % kernel)
    cov = coverage_lines(os.path.join(cov_dir, 'mm_alloc.info'))
    boot = coverage_lines(os.path.join(cov_dir, 'boot.info'))
    cov_note = ('"Reached" compares line counts of the mm_alloc suites\' '
                'run with a boot that runs no case (%s, from make coverage; '
                'per set, not per case).' % os.path.relpath(cov_dir)
                if cov else 'No coverage data (run make coverage for '
                '"reached by the cases").')
    title = 'make mutate, Linux %s %s%s' % (kernel, arch,
                                           runner.variant_name('', profile))
    started = time.monotonic()

    def save():
        state = {'kernel': kernel, 'arch': arch, 'profile': profile or
                 'default', 'seed': seed, 'mutants': done}
        _save(state_path, state)
        rows = [dict(m.row(), **done[m.id]) for m in chosen if m.id in done]
        for r in rows:
            if r.get('verdict') == SURVIVED:
                r['reached'] = reached(cov, boot, r['file'], r['line'])
        killed, survived, pct = score(rows)
        _save(os.path.join(out_dir, 'mutation.json'), {
            'kernel': kernel, 'arch': arch, 'seed': seed, 'limit': limit,
            'generated': len(mutants), 'chosen': len(chosen),
            'killed': killed, 'survived': survived, 'score': pct,
            'rows': rows})
        with open(os.path.join(out_dir, 'mutation.md'), 'w') as f:
            f.write(render(rows, title, cov_note))
        plot(rows, out_dir, title)
        return rows

    def one(patch):
        regressions.sync_scratch(tree, scratch, copied)
        if patch:
            regressions.apply_patch(patch, scratch)
        with open(os.path.join(out_dir, 'last-run.log'), 'w') as quiet:
            try:
                ran = run(runner.Request(arch=arch, kdir=scratch,
                                         timeout=timeout, profile=profile),
                          lambda s: quiet.write(s + '\n'), out=quiet)
            finally:
                regressions.sync_scratch(tree, scratch, copied)
        return ran

    commands = {}
    work = tempfile.mkdtemp(prefix='mutate-')
    if only:
        unknown = sorted(set(only) - {m.id for m in chosen})
        if unknown:
            raise UserError('ONLY=%s: not a mutant of this selection'
                            % ','.join(unknown))
    if survivors:
        again = [i for i, r in done.items() if r.get('verdict') == SURVIVED
                 and (not only or i in only)]
        log('SURVIVORS=1: %d survivors of the last run run again'
            % len(again))
        for i in again:
            done.pop(i)
    todo = [m for m in chosen if m.id not in done and
            (not only or m.id in only)]
    if len(todo) < len(chosen):
        log('resuming: %d of %d mutants already have a verdict (FRESH=1 '
            'starts again)' % (len(chosen) - len(todo), len(chosen)))
    at_boot = set()
    if todo:
        log('==== make mutate: the unmutated scratch tree first (%s)'
            % os.path.relpath(target.build_dir))
        baseline = one(None)
        status = baseline.status
        at_boot = {report_key(s) for s in baseline.boot_reports}
        if status != results.EXIT_OK:
            raise UserError('the unmutated tree does not pass (make run '
                            'exited with %d); see %s' % (status, os.path.join(
                                os.path.relpath(out_dir), 'last-run.log')))
    ran_times = []
    try:
        for n, m in enumerate(todo, 1):
            begin = time.monotonic()
            if m.path not in commands:
                commands[m.path] = preprocess_command(target.build_dir,
                                                      m.path)
            command = commands[m.path]
            label = '[%d/%d] %s %s:%d %s() %s: %s' % (
                n, len(todo), m.id, m.path, m.line, m.function, m.op, m.what)
            if command is None:
                done[m.id] = {'verdict': NOT_BUILT, 'failed': []}
                log('%s: not built for %s' % (label, arch))
                save()
                continue
            lines = texts[m.path]
            src_dir = os.path.join(target.view, os.path.dirname(m.path))
            key = m.path
            if key + ':orig' not in commands:
                commands[key + ':orig'] = preprocessed(
                    command, target.build_dir, src_dir, '\n'.join(lines),
                    work)
            mutated = list(lines)
            mutated[m.line - 1] = m.new
            mine = preprocessed(command, target.build_dir, src_dir,
                                '\n'.join(mutated), work)
            if mine is not None and mine == commands[key + ':orig']:
                done[m.id] = {'verdict': EQUIVALENT, 'failed': []}
                log('%s: equivalent (same preprocessed code)' % label)
                save()
                continue
            patch = regressions.Patch(os.path.join(patch_dir,
                                                   m.id + '.patch'))
            ran = one(patch)
            status = ran.status
            outcome, failed = regressions.verdict(status, ran.cases)
            new = [s for s in ran.boot_reports
                   if report_key(s) not in at_boot]
            if outcome == 'missed' and new:
                # A WARN_ONCE the boot already spent never fires again in
                # a case: a report the unmutated boot did not have is the
                # mutant's doing.
                outcome, failed = 'caught', ['(a kernel report at boot: %s)'
                                             % new[0][:100]]
            verdict = {'caught': KILLED, 'missed': SURVIVED}.get(outcome,
                                                                 INVALID)
            seconds = time.monotonic() - begin
            ran_times.append(seconds)
            done[m.id] = {'verdict': verdict, 'why': outcome,
                          'failed': failed[:20], 'status': status,
                          'seconds': round(seconds, 1)}
            save()
            left = len(todo) - n
            avg = sum(ran_times) / len(ran_times)
            log('%s: %s%s (%.0f s; about %.0f min left)' % (
                label, verdict, (' by ' + ', '.join(failed[:2]) +
                                 (' +%d' % (len(failed) - 2)
                                  if len(failed) > 2 else ''))
                if verdict == KILLED else
                (' (%s)' % outcome if verdict == INVALID else ''),
                seconds, left * avg / 60))
    except KeyboardInterrupt:
        save()
        log('interrupted: %d of %d mutants have a verdict, kept in %s; '
            'run again to resume' % (len([m for m in chosen if m.id in done]),
                                     len(chosen), os.path.relpath(out_dir)))
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = save()
    killed, survived, pct = score(rows)
    counts = collections.Counter(r['verdict'] for r in rows)
    log('')
    log('results: %s (mutation.md, mutation.json, mutation.png, patches/)'
        % os.path.relpath(out_dir))
    log('%d killed, %d survived, %d invalid, %d equivalent, %d not built; '
        'score %s; %.0f min' % (
            killed, survived, counts[INVALID], counts[EQUIVALENT],
            counts[NOT_BUILT], '%.1f %%' % pct if pct is not None else '-',
            (time.monotonic() - started) / 60))
    return 0
