# SPDX-License-Identifier: GPL-2.0
"""make coverage: lcov tracefiles read per file, reached-by-cases judged
against the boot with no case, the table and the reasons for exported
functions no case enters."""

import os
import textwrap

from helpers import TempDirTest, write

from allockunit import coverage


def tracefile(path, lines, branches=(), functions=()):
    out = ['TN:', 'SF:' + path]
    for name, count in functions:
        out += ['FN:1,%s' % name, 'FNDA:%d,%s' % (count, name)]
    for number, block, branch, taken in branches:
        out.append('BRDA:%d,%d,%d,%s' % (number, block, branch, taken))
    for number, count in lines:
        out.append('DA:%d,%d' % (number, count))
    return '\n'.join(out + ['end_of_record']) + '\n'


BOOT = tracefile('/b/view/mm/mempool.c', [(10, 5), (11, 0), (12, 0)],
                 [(11, 0, 0, '-'), (11, 0, 1, '3')],
                 [('mempool_alloc', 5), ('mempool_resize', 0),
                  ('mempool_exit', 0)])
OWN = tracefile('/b/view/mm/mempool.c', [(10, 9), (11, 2), (12, 0)],
                [(11, 0, 0, '2'), (11, 0, 1, '3')],
                [('mempool_alloc', 9), ('mempool_resize', 2),
                 ('mempool_exit', 0)])
IN_TREE = tracefile('/b/view/mm/mempool.c', [(10, 5), (11, 0), (12, 4)],
                    [(11, 0, 0, '-'), (11, 0, 1, '3')],
                    [('mempool_alloc', 5), ('mempool_resize', 0),
                     ('mempool_exit', 4)])
SOURCE = textwrap.dedent('''\
    void *mempool_alloc(void) { }
    EXPORT_SYMBOL(mempool_alloc);
    int mempool_resize(void) { }
    EXPORT_SYMBOL(mempool_resize);
    void mempool_exit(void) { }
    EXPORT_SYMBOL(mempool_exit);
    void mempool_free(void) { }
    EXPORT_SYMBOL_GPL(mempool_free);
    ''')


class CoverageTest(TempDirTest):
    def sets(self, own=OWN):
        parse = coverage.parse_info
        return {'boot': parse(BOOT), 'mm_alloc': parse(own),
                'in-tree': [parse(IN_TREE)]}

    def summarise(self, reasons=None):
        write(os.path.join(self.tmp, 'mm', 'mempool.c'), SOURCE)
        return coverage.summarise(self.sets(), self.tmp,
                                  files=('mm/mempool.c', 'mm/dmapool.c'),
                                  reasons=reasons or {})

    def test_only_wanted_files_are_read(self):
        text = OWN + tracefile('/b/view/include/linux/slab.h', [(1, 1)])
        parsed = coverage.parse_info(text, wanted=('mm/mempool.c',))
        self.assertEqual(list(parsed), ['mm/mempool.c'])
        self.assertEqual(parsed['mm/mempool.c'].lines, {10: 9, 11: 2, 12: 0})
        self.assertEqual(parsed['mm/mempool.c'].branches[(11, '0', '0')], 2)

    def test_a_header_twice_adds_up(self):
        parsed = coverage.parse_info(OWN + OWN, wanted=('mm/mempool.c',))
        self.assertEqual(parsed['mm/mempool.c'].lines[10], 18)

    def test_reached_by_cases_means_more_than_the_boot(self):
        rows, _ = self.summarise()
        row = rows[0]
        self.assertEqual(row['lines'], 3)
        self.assertEqual(row['boot_lines'], 1)
        # line 10 ran in the boot too but more often, line 11 only here
        self.assertEqual(row['own_lines'], 2)
        self.assertEqual(row['own_ran_lines'], 2)
        self.assertEqual(row['in_tree_lines'], 1)       # line 12
        self.assertEqual(row['own_branches'], 1)
        self.assertEqual(row['in_tree_branches'], 0)

    def test_a_file_the_kernel_did_not_build(self):
        rows, _ = self.summarise()
        self.assertEqual(rows[1], {'file': 'mm/dmapool.c', 'built': False})

    def test_exported_functions_and_reasons(self):
        _, functions = self.summarise({'mempool_exit': 'only at teardown'})
        by_name = {f['function']: f for f in functions}
        # mempool_free has no counters: not built, so no row
        self.assertEqual(sorted(by_name), ['mempool_alloc', 'mempool_exit',
                                           'mempool_resize'])
        self.assertTrue(by_name['mempool_alloc']['mm_alloc'])
        self.assertTrue(by_name['mempool_resize']['mm_alloc'])
        self.assertFalse(by_name['mempool_exit']['mm_alloc'])
        self.assertTrue(by_name['mempool_exit']['in_tree'])

    def test_table_lists_what_no_case_enters(self):
        rows, functions = self.summarise({'mempool_exit': 'only at teardown'})
        text = coverage.render(rows, functions, '6.12', ['boot'])
        self.assertIn('| mm/mempool.c | 3 | 33.3% | 66.7% | 33.3% | 2 | '
                      '50.0% | 0.0% | 3 | 2 | 1 |', text)
        self.assertIn('| mm/dmapool.c | not built on UML |', text)
        self.assertIn('| mempool_exit | mm/mempool.c | entered | only at '
                      'teardown |', text)
        rows, functions = self.summarise()
        text = coverage.render(rows, functions, '6.12', ['boot'])
        self.assertIn('**no reason given**', text)

    def test_reasons_file(self):
        path = os.path.join(self.tmp, 'reasons.txt')
        write(path, '# comment\n\nvmap_pfn  needs a PFN map of device memory\n')
        self.assertEqual(coverage.read_reasons(path),
                         {'vmap_pfn': 'needs a PFN map of device memory'})
        self.assertEqual(coverage.read_reasons(path + '.none'), {})

    def test_exports_for_tests_count(self):
        self.assertEqual(coverage.exported(
            'EXPORT_SYMBOL_IF_KUNIT(a);\nEXPORT_SYMBOL_GPL(b);\n'
            ' EXPORT_SYMBOL(indented);\n'), ['a', 'b'])


class FiniArrayTest(TempDirTest):
    def test_prioritised_destructors_are_linked(self):
        lds = ('  .fini_array : {\n __fini_array_start = .;\n'
               ' *(.fini_array)\n __fini_array_end = .;\n  }\n'
               '  .fini_array : { *(.fini_array) }\n')
        fixed = coverage.fix_fini_array(lds)
        self.assertEqual(fixed.count('SORT_BY_INIT_PRIORITY(.fini_array.*)'),
                         2)
        self.assertEqual(coverage.fix_fini_array(fixed), fixed)
