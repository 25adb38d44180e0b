# SPDX-License-Identifier: GPL-2.0
"""The census: every interface a tree documents gets a row, and a row's
cases must exist and call what the row names."""

import os
import textwrap

from helpers import TempDirTest, require_program, write

from allockunit import UserError, census

# A stand-in for scripts/kernel-doc -rst [-function NAME] FILE: the
# directive and first line of each /** name - summary */ block, or the
# body of a DOC: section.
FAKE_KERNEL_DOC = r'''#!/usr/bin/perl
my ($fn, $file);
while (@ARGV) {
	my $a = shift;
	if ($a eq '-function') { $fn = shift; } elsif ($a ne '-rst') { $file = $a; }
}
open(my $f, '<', $file) or die "No such file $file\n";
my @l = <$f>;
for (my $i = 0; $i + 1 < @l; $i++) {
	next unless $l[$i] =~ m{^/\*\*};
	my $h = $l[$i + 1];
	if ($h =~ /^ \* DOC: (.+)$/) {
		next unless defined $fn && $fn eq $1;
		for (my $j = $i + 2; $j < @l && $l[$j] !~ m{\*/}; $j++) {
			my $t = $l[$j];
			$t =~ s/^ \* ?//;
			print $t;
		}
	} elsif (!defined $fn && $h =~ /^ \* (\w+) - (.+)$/) {
		print ".. c:function:: void *$1 (size_t size)\n\n   $2\n\n";
	}
}
'''

MM_API = textwrap.dedent('''\
    Memory Management APIs
    ======================

    Memory Allocation Controls
    ==========================

    .. kernel-doc:: include/linux/gfp_types.h
       :doc: Page mobility and placement hints

    The Slab Cache
    ==============

    .. kernel-doc:: mm/slab_common.c
       :export:

    More Memory Management Functions
    ================================

    .. kernel-doc:: mm/util.c
       :functions:

    .. kernel-doc:: mm/page_alloc.c
    .. kernel-doc:: mm/readahead.c
    ''')

SLAB_COMMON = textwrap.dedent('''\
    /**
     * kmem_cache_create - create a cache
     */
    struct kmem_cache *kmem_cache_create(const char *name) { }
    EXPORT_SYMBOL(kmem_cache_create);
    ''')

GFP_TYPES = textwrap.dedent('''\
    /**
     * DOC: Page mobility and placement hints
     *
     * %__GFP_MOVABLE (also a zone modifier) indicates that the page can be
     * moved by page migration.
     */
    ''')


def fake_tree(root):
    write(os.path.join(root, 'scripts/kernel-doc'), FAKE_KERNEL_DOC, 0o755)
    write(os.path.join(root, 'Documentation/core-api/mm-api.rst'), MM_API)
    write(os.path.join(root, 'Documentation/core-api/memory-allocation.rst'),
          'Use kvmalloc() when in doubt.\n')
    write(os.path.join(root, 'Documentation/mm/slub.rst'),
          'Possible debug options are::\n\n\tF\t\tSanity checks on\n')
    write(os.path.join(root, 'Documentation/admin-guide/'
                       'kernel-parameters.txt'),
          '\tslab_nomerge\t[MM]\n\t\t\tDisable merging of slabs.\n'
          '\tnosmp\t\t[SMP] Not about allocators.\n')
    write(os.path.join(root, 'include/linux/gfp_types.h'), GFP_TYPES)
    write(os.path.join(root, 'include/linux/slab.h'),
          'void *kvmalloc(size_t size);\n')
    write(os.path.join(root, 'mm/slab_common.c'), SLAB_COMMON)
    write(os.path.join(root, 'mm/util.c'),
          '/**\n * kstrdup - copy a string\n */\nchar *kstrdup(const char *s)'
          ' { }\n')
    write(os.path.join(root, 'mm/page_alloc.c'),
          '/**\n * internal_helper - mm only\n */\nstatic void '
          'internal_helper(void) { }\n')
    write(os.path.join(root, 'mm/readahead.c'),
          '/**\n * readahead_thing - not an allocator file\n */\n')


SUITE = textwrap.dedent('''\
    static void kmem_cache_create_works(struct kunit *test)
    {
    \tkmem_cache_create("x");
    \tkstrdup("y");
    }

    static struct kunit_case cases[] = {
    \tKUNIT_CASE(kmem_cache_create_works),
    \t{}
    };

    static struct kunit_suite suite = {
    \t.name = "mm_alloc_demo",
    \t.test_cases = cases,
    };
    ''')

ROWS = textwrap.dedent('''\
    # rows
    kmem_cache_create: mm_alloc_demo.kmem_cache_create_works
    kstrdup: mm_alloc_demo.kmem_cache_create_works
    kvmalloc: not covered: gap
    __GFP_MOVABLE: not covered: not observable: no zone to move to
    slab_debug=F: mm_alloc_demo.kmem_cache_create_works [SLAB_CONSISTENCY_CHECKS|kstrdup]
    slab_nomerge: not covered: boot: set at boot
    ''')


class CensusTest(TempDirTest):
    def setUp(self):
        super().setUp()
        require_program(self, 'perl')
        self.tree = os.path.join(self.tmp, 'linux')
        self.project = os.path.join(self.tmp, 'project')
        fake_tree(self.tree)
        write(os.path.join(self.project, 'lib/mm_alloc_demo_kunit.c'), SUITE)
        self.rows = os.path.join(self.project, 'docs/contracts.txt')
        self.out = os.path.join(self.project, 'docs/contracts.md')
        write(self.rows, ROWS)
        self.log = []

    def run_census(self, write_file=True):
        return census.main(self.tree, '6.12.9', write=write_file,
                           log=self.log.append, output=self.out,
                           rows_path=self.rows, project=self.project)

    def test_finds_what_the_documentation_names_and_nothing_else(self):
        names = [i.name for i in census.discover(self.tree)]
        self.assertEqual(names, ['kmem_cache_create', 'kstrdup', 'kvmalloc',
                                 '__GFP_MOVABLE', 'slab_debug=F',
                                 'slab_nomerge'])

    def test_rows_that_agree_pass_and_the_page_is_written(self):
        self.assertEqual(self.run_census(), [])
        with open(self.out) as f:
            page = f.read()
        self.assertIn('| `kstrdup` | copy a string | '
                      '`mm_alloc_demo.kmem_cache_create_works` |', page)
        self.assertIn('3 covered by an asserting case; 3 of the 4', page)
        self.assertEqual(self.run_census(write_file=False), [])

    def test_a_newly_documented_interface_without_a_row_fails(self):
        with open(os.path.join(self.tree, 'mm/slab_common.c'), 'a') as f:
            f.write('/**\n * kmem_cache_fresh - new in this kernel\n */\n'
                    'void *kmem_cache_fresh(void) { }\n'
                    'EXPORT_SYMBOL(kmem_cache_fresh);\n')
        problems = self.run_census()
        self.assertEqual(len(problems), 1, problems)
        self.assertIn('kmem_cache_fresh (function, mm/slab_common.c) has no '
                      'row', problems[0])

    def test_a_case_must_exist_and_name_the_interface(self):
        write(self.rows, ROWS.replace(
            'kvmalloc: not covered: gap',
            'kvmalloc: mm_alloc_demo.kmem_cache_create_works '
            'mm_alloc_demo.gone'))
        problems = self.run_census()
        self.assertEqual(sorted(p.split(': ', 1)[1] for p in problems), [
            'kvmalloc: no case mm_alloc_demo.gone',
            'kvmalloc: suite mm_alloc_demo never names kvmalloc'])

    def test_rows_for_nothing_documented_and_stale_pages_are_problems(self):
        write(self.rows, ROWS + 'vanished: not covered: gap\n')
        problems = self.run_census()
        self.assertEqual(len(problems), 1)
        self.assertIn('vanished is documented nowhere', problems[0])
        write(self.rows, ROWS.replace('kvmalloc: not covered: gap',
                                      'kvmalloc: not covered: gap: soon'))
        problems = self.run_census(write_file=False)
        self.assertEqual(len(problems), 1)
        self.assertIn('is not what the rows and the tree give', problems[0])

    def test_a_reason_must_be_one_of_the_list(self):
        write(self.rows, 'kvmalloc: not covered: too hard: sorry\n')
        with self.assertRaises(UserError) as e:
            census.read_rows(self.rows)
        self.assertIn('"too hard" is not a reason', str(e.exception))

    def test_counts_leave_out_what_no_case_can_cover(self):
        interfaces = census.discover(self.tree)
        covered, coverable, by = census.counts(interfaces,
                                               census.read_rows(self.rows))
        self.assertEqual((covered, coverable), (3, 4))
        self.assertEqual(by, {'gap': 1, 'not observable': 1, 'boot': 1})
