# SPDX-License-Identifier: GPL-2.0
"""The suites as the tools see them: each lib/*_kunit.c file, the name of
its struct kunit_suite and its cases. make patch, make census and make
mutate read them here."""

import collections
import os
import re

from . import paths

Suite = collections.namedtuple('Suite', 'name path text cases')


def suite_name(c_text):
    """The .name of the file's struct kunit_suite, or None."""
    m = re.search(r'struct kunit_suite\s+\w+\s*=\s*\{(.*?)\n\};', c_text,
                  re.S)
    name = m and re.search(r'\.name\s*=\s*"([^"]+)"', m.group(1))
    return name.group(1) if name else None


def suites(project=paths.PROJECT):
    """{suite name: Suite} of lib/*_kunit.c, in file name order."""
    out = collections.OrderedDict()
    lib = os.path.join(project, 'lib')
    for name in sorted(os.listdir(lib)):
        if not name.endswith('_kunit.c'):
            continue
        path = os.path.join(lib, name)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        suite = suite_name(text)
        if suite:
            out[suite] = Suite(suite, path, text, set(re.findall(
                r'KUNIT_CASE\w*\(\s*(\w+)', text)))
    return out
