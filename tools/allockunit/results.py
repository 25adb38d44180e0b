# SPDX-License-Identifier: GPL-2.0
"""Reading kunit.py's results: its JSON, the raw KTAP log, and JUnit XML.

kunit.py --json writes KernelCI-style groups: {"name", "sub_groups",
"test_cases": [{"name", "status"}]}, statuses PASS, FAIL, SKIP and ERROR
(a crashed test). A parameterised case is a group whose test cases are its
parameters. The JUnit made here keeps every leaf: ERROR becomes <error>,
FAIL <failure>, SKIP <skipped>, with the case's KTAP diagnostics attached.
"""

import collections
import dataclasses
import json
import os
import re
from xml.etree import ElementTree as ET


class Case(collections.namedtuple('Case', 'path status')):
    """One leaf result: its path (suite, [case,] param) and status."""

    __slots__ = ()

    @property
    def failed(self):
        return self.status in ('FAIL', 'ERROR')

    @property
    def never_reported(self):
        """kunit.py's stand-in for a case the kernel never reported (it
        stopped first): a failed result with an empty name (ERROR, or FAIL
        for a suite cut short). The one definition every command uses."""
        return self.failed and not self.path[-1]

    @property
    def label(self):
        """The case as a report names it."""
        if self.never_reported:
            return '%s: a case the kernel never reported' % (
                '.'.join(self.path[:-1]) or 'the run')
        name = '.'.join(self.path)
        return name + ' (crashed)' if self.status == 'ERROR' else name

# Exit statuses of a run (make run), documented in README.md.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUILD, EXIT_INCOMPLETE = 0, 1, 2, 3, 4

ROOT_NAME = 'KUnit Test Group'
_PREFIX = re.compile(r'^(<\d>)?(\[\s*\d+\.\d+\]\s?)?')
_SUBTEST = re.compile(r'^(\s*)# Subtest: (\S+)')
_RESULT = re.compile(r'^(\s*)(not ok|ok) \d+ ([^#]*?)\s*(?:#\s*(.*))?$')
_STRUCTURE = re.compile(r'^\s*(KTAP version \d+|TAP version \d+|1\.\.\d+'
                        r'|# Subtest: )')
# What counts as a splat: a WARN, BUG, oops, panic, sanitizer report, or
# the OOM killer. An allocation-failure report (warn_alloc) is not one: it
# is the allocator's documented answer to a failure without __GFP_NOWARN.
SPLAT = re.compile(r'(------------\[ cut here \]------------|WARNING:|'
                   r'\bBUG:|Kernel panic|Oops|general protection fault|'
                   r'UBSAN:|KASAN:|kmemleak:.*unreferenced|'
                   r'invoked oom-killer|Out of memory)')


def leaf_cases(group, path=()):
    """Every leaf test case of a kunit.py JSON group, depth first."""
    here = path if group.get('name') == ROOT_NAME and not path else \
        path + (group.get('name', '?'),)
    for case in group.get('test_cases', []):
        yield Case(here + (case['name'],), case['status'])
    for sub in group.get('sub_groups', []):
        yield from leaf_cases(sub, here)


def count(cases):
    """(passed, failed, skipped): FAIL and ERROR both count as failed."""
    passed = sum(c.status == 'PASS' for c in cases)
    skipped = sum(c.status == 'SKIP' for c in cases)
    return passed, len(cases) - passed - skipped, skipped


def strip_prefix(line):
    return _PREFIX.sub('', line.rstrip('\n'))


def _indent(text):
    return len(text) - len(text.lstrip(' '))


def scan_ktap(lines):
    """Walk a raw KTAP log.

    Returns (logs, unfinished): logs maps each result's path to the lines
    printed just before it (its diagnostics); unfinished lists, outermost
    first, the subtests that started and never reported a result, each as
    (name, last finished child or None, children finished).
    """
    logs = {}
    stack = []          # [name, indent, last child, children done]
    pending = []
    started = False
    for raw in lines:
        line = strip_prefix(raw)
        sub = _SUBTEST.match(line)
        if sub:
            started = True
            stack.append([sub.group(2), _indent(sub.group(1)), None, 0])
            continue
        res = _RESULT.match(line)
        if res and started:
            indent, name = len(res.group(1)), res.group(3).strip()
            while stack and indent < stack[-1][1]:
                stack.pop()
            if stack and indent == stack[-1][1]:
                stack[-1][2] = name
                stack[-1][3] += 1
            path = tuple(s[0] for s in stack) + (name,)
            if res.group(4):
                pending.append(res.group(4))    # e.g. "SKIP <reason>"
            logs[path] = pending
            pending = []
            continue
        if line.lstrip().startswith('KTAP version'):
            started = True
        if started and not _STRUCTURE.match(line) and line.strip():
            pending.append(line.strip())
    return logs, [(s[0], s[2], s[3]) for s in stack]


# The suites' report helper (lib/mm_alloc_kunit.h) says in a case's KTAP
# diagnostics which reports the case declares; such a report, with its
# "cut here" line, is the case's own business and is judged by the case,
# not here. A case's result line ends what it declared.
_EXPECTING = 'expecting a report: '
_TOLERATING = 'tolerating reports: '
_END_EXPECTED = 'end of expected report'
_CUT = '[ cut here ]'


def splats(lines):
    """(during, before): log lines that show a WARN, BUG, oops or sanitizer
    report while the tests ran, and before they started (during boot).
    A report a case declared is left out: only the declared kind, and only
    while that case runs."""
    start = next((i for i, line in enumerate(lines)
                  if 'KTAP version' in line), len(lines))
    found = []
    expected, tolerated = None, []
    for i, line in enumerate(lines):
        text = strip_prefix(line)
        if _RESULT.match(text):
            expected, tolerated = None, []
            continue
        if text.lstrip().startswith('#'):
            if _EXPECTING in text:
                expected = text.split(_EXPECTING, 1)[1].strip()
            elif _TOLERATING in text:
                tolerated.append(text.split(_TOLERATING, 1)[1]
                                 .split(' (', 1)[0].strip())
            elif _END_EXPECTED in text:
                expected = None
            continue
        if not SPLAT.search(line):
            continue
        declared = tolerated + ([expected] if expected else [])
        if any(d in line for d in declared) or (declared and _CUT in line):
            continue
        found.append((i, text))
    return ([s for i, s in found if i >= start],
            [s for i, s in found if i < start])


def describe_unfinished(unfinished):
    """One line naming where a run stopped, or '' when it finished."""
    if not unfinished:
        return ''
    name, last, done = unfinished[-1]
    where = '.'.join(u[0] for u in unfinished)
    if last is None:
        return 'the run stopped in %s before its first case finished' % where
    return ('the run stopped in %s after its case %s (%d finished); the next '
            'case was running' % (where, last, done))


@dataclasses.dataclass
class Run:
    """One run of the suites, as the runner returns it: what every command
    (regressions, bisect, bench, mutate, make test) reads instead of
    finding the files again."""
    target: object              # paths.Target: names and folders
    status: int                 # the exit status (README.md's table)
    cases: list = dataclasses.field(default_factory=list)
    # KTAP diagnostics of each case, by path
    diagnostics: dict = dataclasses.field(default_factory=dict)
    reports: list = dataclasses.field(default_factory=list)   # during
    boot_reports: list = dataclasses.field(default_factory=list)
    stopped: str = ''           # where the kernel stopped, if it did
    booted: bool = False        # the kernel printed KTAP
    folder: str = ''            # the results; target.results by default

    def __post_init__(self):
        self.folder = self.folder or self.target.results

    @classmethod
    def read(cls, target, status, folder=''):
        """The Run whose files are in `folder` (target.results): for a run
        made by another process, or kept elsewhere."""
        folder = folder or target.results
        cases = []
        path = os.path.join(folder, 'kunit.json')
        if os.path.isfile(path):
            with open(path) as f:
                try:
                    cases = list(leaf_cases(json.load(f)))
                except ValueError:
                    cases = []
        lines = []
        raw = os.path.join(folder, 'raw.log')
        if os.path.isfile(raw):
            with open(raw, encoding='utf-8', errors='replace') as f:
                lines = f.readlines()
        return cls.of(target, status, cases, lines, folder)

    @classmethod
    def of(cls, target, status, cases, lines, folder=''):
        logs, unfinished = scan_ktap(lines)
        during, before = splats(lines)
        return cls(target, status, cases, logs, during, before,
                   describe_unfinished(unfinished),
                   any('KTAP version' in line for line in lines), folder)

    def failed(self):
        return [c for c in self.cases if c.failed]

    def counts(self):
        return count(self.cases)


def to_junit(root, logs=None, name='alloc-kunit'):
    """JUnit XML (as bytes) from a kunit.py JSON root group."""
    logs = logs or {}
    cases = list(leaf_cases(root))
    suites = collections.OrderedDict()
    for case in cases:
        suites.setdefault(case.path[:-1], []).append(case)
    passed, failed, skipped = count(cases)
    errors = sum(c.status == 'ERROR' for c in cases)
    top = ET.Element('testsuites', name=name, tests=str(len(cases)),
                     failures=str(failed - errors), errors=str(errors),
                     skipped=str(skipped))
    for path, members in suites.items():
        classname = '.'.join(path) or name
        suite = ET.SubElement(
            top, 'testsuite', name=classname, tests=str(len(members)),
            failures=str(sum(c.status == 'FAIL' for c in members)),
            errors=str(sum(c.status == 'ERROR' for c in members)),
            skipped=str(sum(c.status == 'SKIP' for c in members)))
        for case in members:
            el = ET.SubElement(suite, 'testcase', classname=classname,
                               name=case.path[-1])
            text = '\n'.join(logs.get(case.path, []))
            if case.status == 'FAIL':
                ET.SubElement(el, 'failure', message='failed').text = text
            elif case.status == 'ERROR':
                ET.SubElement(el, 'error',
                              message='crashed or did not finish').text = text
            elif case.status == 'SKIP':
                reason = text.splitlines()[-1] if text else 'skipped'
                ET.SubElement(el, 'skipped', message=reason)
            elif text:
                ET.SubElement(el, 'system-out').text = text
    ET.indent(top)
    return ET.tostring(top, encoding='utf-8', xml_declaration=True) + b'\n'
