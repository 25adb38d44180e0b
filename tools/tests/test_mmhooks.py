# SPDX-License-Identifier: GPL-2.0
"""The mm/ edits the suites need: static stubs and exports, once, in place."""

import os
import textwrap

from helpers import TempDirTest, make_tree, write

from allockunit import graft, mmhooks

FAILSLAB = textwrap.dedent('''\
    // SPDX-License-Identifier: GPL-2.0
    #include <linux/fault-inject.h>
    #include <linux/slab.h>
    #include "slab.h"

    int should_failslab(struct kmem_cache *s, gfp_t gfpflags)
    {
    \tint flags = 0;

    \tif (gfpflags & __GFP_NOFAIL)
    \t\treturn 0;
    \treturn flags;
    }
    ALLOW_ERROR_INJECTION(should_failslab, ERRNO);
    ''')

VMALLOC_TAIL = textwrap.dedent('''\
    void *__vmalloc_node_noprof(unsigned long size, unsigned long align,
    \t\t\t    gfp_t gfp_mask, int node, const void *caller)
    {
    \treturn NULL;
    }
    /*
     * Only for test_vmalloc.
     */
    #ifdef CONFIG_TEST_VMALLOC_MODULE
    EXPORT_SYMBOL_GPL(__vmalloc_node_noprof);
    #endif
    ''')


def add_mm_files(root):
    """The functions mmhooks edits, in files shaped like 6.12's."""
    write(os.path.join(root, 'include/kunit/static_stub.h'), '/* stub */\n')
    write(os.path.join(root, 'mm/failslab.c'), FAILSLAB)
    write(os.path.join(root, 'mm/fail_page_alloc.c'), textwrap.dedent('''\
        #include <linux/fault-inject.h>

        bool should_fail_alloc_page(gfp_t gfp_mask, unsigned int order)
        {
        \tif (order < 1)
        \t\treturn false;
        \treturn true;
        }
        '''))
    write(os.path.join(root, 'mm/vmalloc.c'), textwrap.dedent('''\
        #include <linux/vmalloc.h>

        unsigned long vmalloc_nr_pages(void)
        {
        \treturn 0;
        }

        struct vm_struct *find_vm_area(const void *addr)
        {
        \treturn NULL;
        }

        void vfree_atomic(const void *addr)
        {
        }

        void *vrealloc_noprof(const void *p, size_t size, gfp_t flags)
        {
        \treturn NULL;
        }

        struct vm_struct *get_vm_area(unsigned long size, unsigned long flags)
        {
        \treturn NULL;
        }

        struct vm_struct *remove_vm_area(const void *addr)
        {
        \treturn NULL;
        }

        int vm_area_map_pages(struct vm_struct *area, unsigned long start,
        \t\t      unsigned long end, struct page **pages)
        {
        \treturn 0;
        }

        void vm_area_unmap_pages(struct vm_struct *area, unsigned long start,
        \t\t\t unsigned long end)
        {
        }

        ''') + VMALLOC_TAIL)
    write(os.path.join(root, 'mm/page_alloc.c'), textwrap.dedent('''\
        #include <linux/mm.h>
        #include "internal.h"

        void drain_all_pages(struct zone *zone)
        {
        }

        struct page *alloc_contig_pages_noprof(unsigned long nr_pages, gfp_t gfp_mask,
        \t\t\t\t       int nid, nodemask_t *nodemask)
        {
        \treturn NULL;
        }
        '''))
    write(os.path.join(root, 'mm/percpu.c'), textwrap.dedent('''\
        #include <linux/percpu.h>

        phys_addr_t per_cpu_ptr_to_phys(void *addr)
        {
        \treturn 0;
        }
        '''))
    write(os.path.join(root, 'mm/mmzone.c'), textwrap.dedent('''\
        #include <linux/mmzone.h>

        struct pglist_data *first_online_pgdat(void)
        {
        \treturn NULL;
        }

        struct zone *next_zone(struct zone *zone)
        {
        \treturn zone;
        }
        '''))


class EditTest(TempDirTest):
    def test_the_redirect_follows_the_declarations(self):
        text = mmhooks.edit('mm/failslab.c', FAILSLAB)
        lines = text.splitlines()
        at = lines.index('\tKUNIT_STATIC_STUB_REDIRECT(should_failslab, s, '
                         'gfpflags);')
        self.assertEqual(lines[at - 2], '\tint flags = 0;')
        self.assertEqual(lines[at - 1], '')
        self.assertEqual(lines[at + 1], '')
        self.assertIn('#include <kunit/static_stub.h>', lines)
        # after the last <...> include, before the local one
        self.assertLess(lines.index('#include <kunit/static_stub.h>'),
                        lines.index('#include "slab.h"'))
        self.assertEqual(lines[lines.index('}') + 1],
                         'EXPORT_SYMBOL_IF_KUNIT(should_failslab);')

    def test_editing_twice_changes_nothing(self):
        once = mmhooks.edit('mm/failslab.c', FAILSLAB)
        self.assertEqual(mmhooks.edit('mm/failslab.c', once), once)

    def test_a_configuration_only_export_gets_the_others(self):
        text = mmhooks.apply_export('#include <linux/mm.h>\n' + VMALLOC_TAIL, mmhooks.Export(
            'mm/vmalloc.c', '__vmalloc_node_noprof'))
        self.assertIn('#ifdef CONFIG_TEST_VMALLOC_MODULE\n'
                      'EXPORT_SYMBOL_GPL(__vmalloc_node_noprof);\n#else\n'
                      'EXPORT_SYMBOL_IF_KUNIT(__vmalloc_node_noprof);\n'
                      '#endif\n', text)

    def test_a_missing_function_is_named(self):
        root = make_tree(os.path.join(self.tmp, 'linux'))
        add_mm_files(root)
        write(os.path.join(root, 'mm/mmzone.c'), '#include <linux/mm.h>\n')
        edited, problems = mmhooks.edited_files(root)
        self.assertNotIn('mm/mmzone.c', edited)
        self.assertIn('mm/failslab.c', edited)
        self.assertEqual(len(problems), 1)
        self.assertIn('first_online_pgdat', problems[0])

    def test_a_tree_without_static_stubs_gets_nothing(self):
        root = make_tree(os.path.join(self.tmp, 'linux'))
        add_mm_files(root)
        os.unlink(os.path.join(root, 'include/kunit/static_stub.h'))
        self.assertEqual(mmhooks.edited_files(root), ({}, []))


class ViewTest(TempDirTest):
    def test_the_view_holds_edited_copies_and_links_the_rest(self):
        tree = make_tree(os.path.join(self.tmp, 'linux'))
        add_mm_files(tree)
        view = os.path.join(self.tmp, 'view')
        project = os.path.join(self.tmp, 'project')
        os.makedirs(project)
        graft.sync_view(tree, view, project, log=lambda *a: None)
        copy = os.path.join(view, 'mm/failslab.c')
        self.assertFalse(os.path.islink(copy))
        with open(copy) as f:
            self.assertIn('KUNIT_STATIC_STUB_REDIRECT(should_failslab', f.read())
        self.assertTrue(os.path.islink(os.path.join(view, 'mm/slub.c')))
        with open(os.path.join(tree, 'mm/failslab.c')) as f:
            self.assertEqual(f.read(), FAILSLAB)
