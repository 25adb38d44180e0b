# SPDX-License-Identifier: GPL-2.0
"""`make coverage`: which lines, branches and exported functions of the
allocators the suites reach, beside the kernel's own allocator suites.

The kernel is built once with gcov on UML (PROFILE=coverage,
configs/coverage.config, after Documentation/dev-tools/kunit/
running_tips.rst); the UML binary writes its .gcda counters into the
build folder when it halts. It is booted once per set of suites, the
counters emptied before each boot and captured with lcov after it:

  boot      no case at all: what booting the kernel reaches by itself
  mm_alloc  this project's suites, as `make run` runs them
  in-tree   the kernel's own suites that allocate through these files
            (slub_kunit, overflow_kunit, fortify_kunit), one boot each

Booting allocates through most of these files, so "reached" alone says
little. A line, branch or function counts as reached *by cases* when it
ran more often in a set's boot than in the boot with no case. Background
work during a longer boot can add a few lines that no case asked for.

Results under build/coverage/<kernel>-um/: coverage.md (the tables),
coverage.json, one lcov .info per set and an HTML report per set
(html/<set>/index.html).
"""

import json
import os
import re
import shutil
import subprocess
import time

from . import UserError
from . import deps
from . import profiles
from . import paths
from . import runner

PROFILE = 'coverage'
FILES = ('mm/slub.c', 'mm/slab_common.c', 'mm/util.c', 'mm/vmalloc.c',
         'mm/page_alloc.c', 'mm/mempool.c', 'mm/dmapool.c', 'mm/percpu.c')
OWN_GLOB = 'mm_alloc_*'
# The kernel's own KUnit suites that allocate through FILES (their
# kunit_suite names), built by configs/coverage.config.
IN_TREE = ('slub_test', 'overflow', 'fortify')
NO_CASE_GLOB = 'no_suite_has_this_name'
REASONS = os.path.join(paths.PROJECT, 'docs', 'coverage-reasons.txt')
_EXPORT = re.compile(r'^EXPORT_SYMBOL(?:_GPL)?(?:_IF_KUNIT)?\((\w+)\)', re.M)


class FileCounts:
    """One source file's counters from an lcov tracefile."""

    def __init__(self):
        self.lines = {}         # line -> times run
        self.branches = {}      # (line, block, branch) -> times taken
        self.functions = {}     # name -> times entered


def parse_info(text, wanted=FILES):
    """{relative path: FileCounts} for the files of `wanted` in an lcov
    tracefile (SF paths are matched by their ending)."""
    out, current = {}, None
    for line in text.splitlines():
        tag, _, value = line.partition(':')
        if tag == 'SF':
            current = None
            for rel in wanted:
                if value == rel or value.endswith('/' + rel):
                    current = out.setdefault(rel, FileCounts())
        elif current is None:
            continue
        elif tag == 'DA':
            number, count = value.split(',')[:2]
            current.lines[int(number)] = \
                current.lines.get(int(number), 0) + int(count)
        elif tag == 'BRDA':
            number, block, branch, taken = value.split(',')
            key = (int(number), block, branch)
            current.branches[key] = current.branches.get(key, 0) + \
                (0 if taken == '-' else int(taken))
        elif tag == 'FNDA':
            count, name = value.split(',', 1)
            current.functions[name] = \
                current.functions.get(name, 0) + int(count)
        elif tag == 'end_of_record':
            current = None
    return out


def by_cases(counts, baseline):
    """The keys that ran more often than in the boot with no case."""
    return {k for k, n in counts.items() if n > baseline.get(k, 0)}


def ran(counts):
    return {k for k, n in counts.items() if n > 0}


def exported(source_text):
    return _EXPORT.findall(source_text)


def read_reasons(path=REASONS):
    """{function: why no case enters it} from docs/coverage-reasons.txt."""
    reasons = {}
    if not os.path.isfile(path):
        return reasons
    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith('#'):
                continue
            name, _, why = line.partition(' ')
            reasons[name] = why.strip()
    return reasons


def _pct(part, whole):
    return '-' if not whole else '%.1f%%' % (100.0 * part / whole)


def summarise(sets, tree, files=FILES, reasons=None):
    """Rows per file and per exported function from parsed sets:
    {'boot': {...}, 'mm_alloc': {...}, 'in-tree': [{...}, ...]}."""
    reasons = read_reasons() if reasons is None else reasons
    boot = sets['boot']
    rows, functions = [], []
    for rel in files:
        own = sets['mm_alloc'].get(rel)
        base = boot.get(rel)
        if own is None or base is None:
            rows.append({'file': rel, 'built': False})
            continue
        others = [s[rel] for s in sets['in-tree'] if rel in s]
        row = {'file': rel, 'built': True,
               'lines': len(own.lines), 'branches': len(own.branches)}
        in_tree = {}
        for kind in ('lines', 'branches', 'functions'):
            before = getattr(base, kind)
            in_tree[kind] = set().union(*(by_cases(getattr(c, kind), before)
                                          for c in others))
            row['boot_' + kind] = len(ran(before))
            row['own_' + kind] = len(by_cases(getattr(own, kind), before))
            row['own_ran_' + kind] = len(ran(getattr(own, kind)))
            row['in_tree_' + kind] = len(in_tree[kind])
            row['in_tree_ran_' + kind] = len(set().union(
                *(ran(getattr(c, kind)) for c in others)))
        rows.append(row)
        try:
            with open(os.path.join(tree, rel), encoding='utf-8',
                      errors='replace') as f:
                names = exported(f.read())
        except OSError:
            names = []
        own_entered = by_cases(own.functions, base.functions)
        tree_entered = in_tree['functions']
        for name in names:
            if name not in own.functions:
                continue        # not built in this configuration
            functions.append({
                'file': rel, 'function': name,
                'mm_alloc': name in own_entered,
                'in_tree': name in tree_entered,
                'boot': base.functions.get(name, 0) > 0,
                'reason': reasons.get(name, '')})
    return rows, functions


def render(rows, functions, kernel_id, sets_run):
    out = ['# Coverage of the allocators by the suites (%s, UML, gcov)'
           % kernel_id, '',
           '`make coverage` wrote this; README.md and '
           'tools/allockunit/coverage.py say how to read it. "by cases": '
           'ran more often than in a boot with no case. Boots: %s.'
           % ', '.join(sets_run), '',
           '| file | lines | boot | mm_alloc cases | in-tree cases | '
           'branches | mm_alloc cases | in-tree cases | exported | '
           'entered by mm_alloc | by in-tree |',
           '|---|---|---|---|---|---|---|---|---|---|---|']
    for row in rows:
        if not row['built']:
            out.append('| %s | not built on UML | | | | | | | | | |'
                       % row['file'])
            continue
        mine = [f for f in functions if f['file'] == row['file']]
        out.append('| %s | %d | %s | %s | %s | %d | %s | %s | %d | %d | %d |'
                   % (row['file'], row['lines'],
                      _pct(row['boot_lines'], row['lines']),
                      _pct(row['own_lines'], row['lines']),
                      _pct(row['in_tree_lines'], row['lines']),
                      row['branches'],
                      _pct(row['own_branches'], row['branches']),
                      _pct(row['in_tree_branches'], row['branches']),
                      len(mine), sum(f['mm_alloc'] for f in mine),
                      sum(f['in_tree'] for f in mine)))
    missed = [f for f in functions if not f['mm_alloc']]
    out += ['', '## Exported functions no mm_alloc case enters (%d)'
            % len(missed), '']
    if missed:
        out += ['| function | file | in-tree cases | why |',
                '|---|---|---|---|']
        for f in missed:
            out.append('| %s | %s | %s | %s |' % (
                f['function'], f['file'],
                'entered' if f['in_tree'] else '-',
                f['reason'] or '**no reason given**'))
    return '\n'.join(out) + '\n'


def _clear_counters(build_dir):
    for folder, _, names in os.walk(build_dir):
        for name in names:
            if name.endswith('.gcda'):
                os.unlink(os.path.join(folder, name))


def _capture(build_dir, info, log_path):
    """lcov's tracefile of what the last boot ran in mm/."""
    cmd = ['lcov', '--quiet', '--capture', '--rc', 'lcov_branch_coverage=1',
           '--directory', os.path.join(build_dir, 'mm'),
           '--base-directory', build_dir, '--output-file', info]
    with open(log_path, 'a') as log_file:
        done = subprocess.run(cmd, stdout=log_file, stderr=subprocess.STDOUT,
                              check=False)
    if done.returncode != 0 or not os.path.isfile(info):
        raise UserError('lcov could not read the counters (see %s)'
                        % log_path)
    if os.path.getsize(info) == 0:
        raise UserError('the kernel wrote no .gcda counters into %s/mm '
                        '(see %s)' % (build_dir, log_path))


FINI = '*(.fini_array)'
FINI_FIXED = '*(SORT_BY_INIT_PRIORITY(.fini_array.*)) *(.fini_array)'


def fix_fini_array(lds_text):
    """UML's linker scripts (arch/um/kernel/dyn.lds.S, common.lds.S)
    keep only .fini_array, not the .fini_array.00100 where gcc puts the
    destructor that writes the .gcda files: the counters are never
    written. The preprocessed script in the build folder gets the
    prioritised sections too; the kernel tree is not touched."""
    if '.fini_array.*' in lds_text:
        return lds_text
    return lds_text.replace(FINI, FINI_FIXED)


def _relink_with_fini_array(target, log_path, log):
    lds = os.path.join(target.build_dir, 'arch', 'um', 'kernel',
                       'vmlinux.lds')
    with open(lds, encoding='utf-8') as f:
        text = f.read()
    fixed = fix_fini_array(text)
    if fixed == text:
        return
    with open(lds, 'w', encoding='utf-8') as f:
        f.write(fixed)
    log('relinking with .fini_array.* in the linker script (UML drops '
        'the destructor that writes the counters)')
    with open(log_path, 'a') as out:
        status, _ = runner.fast_build(target, os.cpu_count() or 1,
                                      log_path, out=out,
                                      make=profiles.make_options(PROFILE))
    if status != 0:
        raise UserError('relinking the coverage kernel failed (see %s)'
                        % log_path)


def _boot(target, args, log_path, timeout):
    """Boot the built UML kernel once with the given arguments; the
    counters are written when it halts."""
    cmd = [os.path.join(target.build_dir, 'linux'), 'kunit.enable=1',
           'mem=1G', 'console=tty', 'kunit_shutdown=halt'] + list(args)
    with open(log_path, 'w') as out:
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out,
                           stderr=subprocess.STDOUT, timeout=timeout,
                           check=False, cwd=target.build_dir)
        except subprocess.TimeoutExpired:
            raise UserError('the boot with %s did not halt within %d s '
                            '(see %s)' % (' '.join(args), timeout,
                                          log_path)) from None
    with open(log_path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    # a case's own result line, one level into its suite
    return (len(re.findall(r'^ {4}ok \d+ ', text, re.M)),
            len(re.findall(r'^ {4}not ok \d+ ', text, re.M)))


def run(kernel, kdir=None, timeout=600, log=print):
    """Build with gcov, boot once per set, print and write the tables."""
    started = time.time()
    deps.ensure(['lcov'], log)
    tree, target = runner.prepare(kernel, 'um', kdir, log,
                                  variant=runner.variant_name('', PROFILE))
    out_dir = os.path.join(paths.build_root(), 'coverage', target.name)
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    lcov_log = os.path.join(out_dir, 'lcov.log')
    if os.path.isdir(target.build_dir):
        _clear_counters(target.build_dir)
    log('[1/%d] building with gcov and running the suites once '
        '(make run PROFILE=coverage)' % (3 + len(IN_TREE)))
    status = runner.run(runner.Request(kernel, 'um', kdir, OWN_GLOB, timeout,
                                       profile=PROFILE), log).status
    if not os.path.isfile(os.path.join(target.build_dir, 'linux')):
        raise UserError('the coverage kernel was not built (exit %d)'
                        % status)
    if status not in (0, 1):
        log('note: the mm_alloc run ended with exit status %d; its '
            'counters are used as they are' % status)
    _relink_with_fini_array(target, os.path.join(out_dir, 'build.log'), log)
    own_args = ['kunit.filter_glob=' + OWN_GLOB] + runner.DESTRUCTIVE_ARGS
    if runner.has_attribute_filter(tree):
        own_args.append('kunit.filter=module!=' + runner.BENCH_MODULE)
    boots = [('mm_alloc', own_args), ('boot', ['kunit.filter_glob=' +
                                               NO_CASE_GLOB])]
    boots += [('in-tree-' + s, ['kunit.filter_glob=' + s]) for s in IN_TREE]
    tmpdir = runner.uml_tmpdir(log)
    if tmpdir:
        os.environ['TMPDIR'] = tmpdir
    infos = {}
    for number, (name, args) in enumerate(boots, 2):
        _clear_counters(target.build_dir)
        passed, failed = _boot(target, args,
                               os.path.join(out_dir, name + '.log'), timeout)
        log('[%d/%d] %s: %d passed, %d failed (%s.log)'
            % (number, 1 + len(boots), name, passed, failed, name))
        infos[name] = os.path.join(out_dir, name + '.info')
        _capture(target.build_dir, infos[name], lcov_log)
    _clear_counters(target.build_dir)

    def load(path):
        with open(path, encoding='utf-8', errors='replace') as f:
            return parse_info(f.read())

    sets = {'boot': load(infos['boot']), 'mm_alloc': load(infos['mm_alloc']),
            'in-tree': [load(infos['in-tree-' + s]) for s in IN_TREE]}
    rows, functions = summarise(sets, tree)
    text = render(rows, functions, target.kernel_id,
                  ['boot'] + [OWN_GLOB] + list(IN_TREE))
    with open(os.path.join(out_dir, 'coverage.md'), 'w') as f:
        f.write(text)
    with open(os.path.join(out_dir, 'coverage.json'), 'w') as f:
        json.dump({'kernel': target.kernel_id, 'tree': tree, 'files': rows,
                   'functions': functions}, f, indent=1)
    merged = os.path.join(out_dir, 'in-tree.info')
    cmd = ['lcov', '--quiet', '--rc', 'lcov_branch_coverage=1',
           '--output-file', merged]
    for s in IN_TREE:
        cmd += ['--add-tracefile', infos['in-tree-' + s]]
    with open(lcov_log, 'a') as lf:
        subprocess.run(cmd, stdout=lf, stderr=subprocess.STDOUT, check=False)
    for name, info in (('mm_alloc', infos['mm_alloc']), ('in-tree', merged),
                       ('boot', infos['boot'])):
        if not os.path.isfile(info):
            continue
        with open(lcov_log, 'a') as lf:
            subprocess.run(['genhtml', '--quiet', '--branch-coverage',
                            '--ignore-errors', 'source', '--output-directory',
                            os.path.join(out_dir, 'html', name), info],
                           stdout=lf, stderr=subprocess.STDOUT, check=False)
    log('')
    log(text)
    log('coverage: %s/{coverage.md,coverage.json,html/}  (%d s)'
        % (os.path.relpath(out_dir), time.time() - started))
    return 0
