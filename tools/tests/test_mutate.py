# SPDX-License-Identifier: GPL-2.0
"""make mutate: functions found, operators, patches, equivalence, resume."""

import json
import os
import textwrap
from unittest import mock

from helpers import TempDirTest, make_tree, require_program, snapshot, write

from allockunit import (UserError, mutate, regressions, results, runner,
                        source)

POOL = textwrap.dedent('''\
    // SPDX-License-Identifier: GPL-2.0
    #define NULL ((void *)0)
    #define __GFP_ZERO 0x100u
    static char store[64];

    static int __init pool_setup(void)
    {
    	return 0;
    }

    /* Gives n bytes, or NULL past the end. */
    void *pool_take(unsigned long n,
    		unsigned int gfp)
    {
    	if (n > 64) /* "n < 2" in a comment is not code */
    		return NULL;
    	gfp = gfp | __GFP_ZERO;
    #if 0
    	if (n == 3)
    		return NULL;
    #endif
    	pool_note("size < 4", n);
    	return store;
    }

    int pool_count(void)
    {
    	return 0;
    }
    ''')


def mutants_of(text, name):
    fns = mutate.functions(text, 'mm/pool.c')
    lines = text.split('\n')
    fn = fns[name]
    out = []
    for k in range(fn.first + 1, fn.last):
        out += mutate.line_mutants(lines[k], mutate._blank_literals(lines[k]),
                                   fn.returns, lines[k - 1])
    return out


class FunctionsTest(TempDirTest):
    def test_kernel_style_definitions_and_not_init_code(self):
        fns = mutate.functions(POOL, 'mm/pool.c')
        self.assertEqual(sorted(fns), ['pool_count', 'pool_take'])
        self.assertIn('*', fns['pool_take'].returns)
        self.assertEqual(POOL.split('\n')[fns['pool_take'].first], '{')

    def test_census_names_find_their_noprof_spelling(self):
        write(os.path.join(self.tmp, 'mm/pool.c'),
              POOL.replace('pool_take(', '__pool_take_noprof('))
        rows = {'pool_take': mock.Mock(cases=['s.c'], name='pool_take'),
                'pool_count': mock.Mock(cases=[], name='pool_count')}
        for key, row in rows.items():
            row.name = key
        fns = mutate.census_functions(self.tmp, ['mm/pool.c'], rows)
        self.assertEqual([f.name for f in fns], ['__pool_take_noprof'])

    def test_named_functions_refuse_an_unknown_name(self):
        write(os.path.join(self.tmp, 'mm/pool.c'), POOL)
        with self.assertRaises(UserError):
            mutate.named_functions(self.tmp, ['mm/pool.c'], ['nope'])


class OperatorsTest(TempDirTest):
    def test_each_operator_where_it_fits(self):
        got = {(op, new.strip()) for op, _, new in
               mutants_of(POOL, 'pool_take')}
        for expected in (
                ('ror', 'if (n >= 64) /* "n < 2" in a comment is not code */'),
                ('negate', 'if (n <= 64) /* "n < 2" in a comment is not '
                 'code */'),
                ('bound+1', 'if (n > (64 + 1)) /* "n < 2" in a comment is '
                 'not code */'),
                ('if-true', 'if (1) /* "n < 2" in a comment is not code */'),
                ('if-false', 'if (0) /* "n < 2" in a comment is not code */'),
                ('flag', 'gfp = gfp;'),
                ('drop', ';'),
                ('return', 'return NULL;'),
                ('bound-1', 'pool_note("size < 4", (n - 1));')):
            self.assertIn(expected, got)
        # nothing inside the comment or the string literal
        self.assertFalse([new for op, _, new in mutants_of(POOL, 'pool_take')
                          if op in ('ror', 'negate') and 'n > 64' in new])
        self.assertFalse([new for op, _, new in mutants_of(POOL, 'pool_take')
                          if '"size <= 4"' in new or '"size >= 4"' in new])

    def test_an_int_returning_zero_returns_an_error(self):
        self.assertEqual([(op, new.strip()) for op, _, new in
                          mutants_of(POOL, 'pool_count')],
                         [('return', 'return -ENOMEM;')])

    def test_declarations_and_control_are_not_dropped(self):
        for line in ('\tint x = 1;', '\tstruct page *page = f(x);',
                     '\treturn f(x);', '\tif (x) f(x);', '\tgoto out;'):
            ops = [op for op, _, _ in mutate.line_mutants(
                line, line, 'int', '\tx = 1;')]
            self.assertNotIn('drop', ops, line)
        ops = [op for op, _, _ in mutate.line_mutants(
            '\t\tfoo(x);', '\t\tfoo(x);', 'int', '\tfoo(a,')]
        self.assertNotIn('drop', ops, 'a continuation line')


class PatchesTest(TempDirTest):
    def test_a_mutant_is_a_regression_patch_that_applies_and_reverts(self):
        require_program(self, 'patch')
        tree = os.path.join(self.tmp, 'tree')
        write(os.path.join(tree, 'mm/pool.c'), POOL)
        fns = mutate.functions(POOL, 'mm/pool.c')
        mutants = mutate.generate(tree, list(fns.values()))
        self.assertEqual(len({m.id for m in mutants}), len(mutants))
        for m in mutants:
            path = os.path.join(self.tmp, m.id + '.patch')
            write(path, m.patch_text(POOL.split('\n')))
            patch = regressions.Patch(path)
            self.assertEqual(patch.files, ['mm/pool.c'])
            self.assertTrue(patch.visible_on('um'))
            regressions.apply_patch(patch, tree)
            with open(os.path.join(tree, 'mm/pool.c')) as f:
                self.assertEqual(f.read().split('\n')[m.line - 1], m.new)
            regressions.apply_patch(patch, tree, reverse=True)
            with open(os.path.join(tree, 'mm/pool.c')) as f:
                self.assertEqual(f.read(), POOL)

    def test_the_sample_is_spread_and_the_same_for_a_seed(self):
        tree = os.path.join(self.tmp, 'tree')
        write(os.path.join(tree, 'mm/pool.c'), POOL)
        mutants = mutate.generate(tree, list(mutate.functions(
            POOL, 'mm/pool.c').values()))
        one = mutate.sample(mutants, 3, 7)
        self.assertEqual([m.id for m in one],
                         [m.id for m in mutate.sample(mutants, 3, 7)])
        self.assertIn('pool_count', [m.function for m in one])
        self.assertEqual(len(mutate.sample(mutants, 0, 7)), len(mutants))


class RunAllTest(TempDirTest):
    """The loop with make run replaced by a fake whose only case fails
    when pool_take() returns NULL early."""

    def setUp(self):
        super().setUp()
        require_program(self, 'patch')
        require_program(self, 'gcc')
        self.tree = make_tree(os.path.join(self.tmp, 'linux'))
        write(os.path.join(self.tree, 'mm/pool.c'), POOL)
        env = mock.patch.dict(os.environ, {'ALLOC_KUNIT_BUILD':
                                           os.path.join(self.tmp, 'build')})
        env.start()
        self.addCleanup(env.stop)
        for name in ('allockunit.deps.ensure',):
            p = mock.patch(name)
            p.start()
            self.addCleanup(p.stop)
        self.runs = []
        self.interrupt_at = None

    def fake_run(self, request, log, out=None):
        kdir = request.kdir
        self.runs.append(kdir)
        if self.interrupt_at and len(self.runs) == self.interrupt_at:
            raise KeyboardInterrupt
        with open(os.path.join(kdir, 'mm', 'pool.c')) as f:
            text = f.read()
        target = request.target()
        # what kbuild leaves: the command that compiled mm/pool.c
        write(os.path.join(target.build_dir, 'mm', '.pool.o.cmd'),
              'savedcmd_mm/pool.o := ccache gcc -Wp,-MMD,mm/.pool.o.d '
              '-nostdinc -c -o mm/pool.o %s/mm/pool.c\n' % kdir)
        if 'void *pool_take' in text and 'if (0)' not in text:
            broken = 'if (1)' in text or 'n >= 64' in text
        else:
            broken = False
        # a mutant that only warns at boot, before any case
        boot = ('WARNING: CPU: 0 PID: 1 at mm/pool.c:17 pool_take\n'
                if 'gfp = gfp;' in text else '')
        write(os.path.join(target.results, 'raw.log'),
              boot + 'KTAP version 1\n1..1\nok 1 pool\n')
        status = 'FAIL' if broken else 'PASS'
        write(os.path.join(target.results, 'kunit.json'), json.dumps({
            'name': 'KUnit Test Group', 'sub_groups': [{
                'name': 'pool', 'test_cases': [
                    {'name': 'pool_takes', 'status': status}]}]}))
        return results.Run.read(target, runner.EXIT_FAILED if broken
                                else runner.EXIT_OK)

    def mutate(self, **kw):
        lines = []
        code = mutate.run_all(kdir=self.tree, files=['mm/pool.c'],
                              funcs=['pool_take', 'pool_count'],
                              log=lines.append, run=self.fake_run, **kw)
        return code, lines

    def state(self):
        out = os.path.join(self.tmp, 'build', 'mutate')
        folder = os.path.join(out, os.listdir(out)[0])
        with open(os.path.join(folder, 'mutation.json')) as f:
            return folder, json.load(f)

    def test_verdicts_score_report_and_an_untouched_tree(self):
        before = snapshot(self.tree)
        code, lines = self.mutate()
        self.assertEqual(code, 0)
        folder, data = self.state()
        verdicts = {(r['operator'], r['new']): r['verdict']
                    for r in data['rows']}
        self.assertEqual(verdicts[('if-true', 'if (1) /* "n < 2" in a '
                                   'comment is not code */')], 'killed')
        self.assertEqual(verdicts[('if-false', 'if (0) /* "n < 2" in a '
                                   'comment is not code */')], 'survived')
        # a report at boot the unmutated kernel does not print kills
        self.assertEqual(verdicts[('flag', 'gfp = gfp;')], 'killed')
        # inside #if 0: the same code after preprocessing, never built
        self.assertEqual(verdicts[('ror', 'if (n != 3)')], 'equivalent')
        self.assertEqual(data['killed'] + data['survived'],
                         sum(1 for r in data['rows']
                             if r['verdict'] in ('killed', 'survived')))
        with open(os.path.join(folder, 'mutation.md')) as f:
            report = f.read()
        self.assertIn('| mm/pool.c | pool_take |', report)
        self.assertIn('Accounted for: no (not yet looked at)', report)
        self.assertIn('+if (0) /* "n < 2"', report)
        self.assertRegex(lines[-1], r'^\d+ killed, \d+ survived, 0 invalid, '
                         r'\d+ equivalent, 0 not built; score [\d.]+ %')
        self.assertEqual(snapshot(self.tree), before)
        # any mutant replays with make regressions
        self.assertTrue(os.path.isfile(os.path.join(
            folder, 'patches', data['rows'][0]['id'] + '.patch')))

    def test_ctrl_c_keeps_verdicts_and_a_rerun_resumes(self):
        self.interrupt_at = 4      # the baseline and two mutants ran
        with self.assertRaises(KeyboardInterrupt):
            self.mutate()
        _, data = self.state()
        first = len(data['rows'])
        self.assertGreaterEqual(first, 2)
        with open(os.path.join(self.tree, 'mm/pool.c')) as f:
            self.assertEqual(f.read(), POOL)
        scratch = os.path.join(self.tmp, 'build', 'regressions',
                               '%s-scratch' % source.user_tree_id(self.tree))
        with open(os.path.join(scratch, 'mm/pool.c')) as f:
            self.assertEqual(f.read(), POOL, 'the scratch copy restored')
        self.interrupt_at = None
        self.runs = []
        _, lines = self.mutate()
        self.assertTrue([x for x in lines if x.startswith('resuming: ')])
        _, data = self.state()
        total = len(data['rows'])
        self.assertEqual(data['chosen'], total)
        built = sum(1 for r in data['rows'] if r['verdict'] != 'equivalent')
        self.assertLess(len(self.runs) - 1, built, 'done mutants not rerun')

    def test_only_runs_the_mutants_named(self):
        self.mutate()
        _, data = self.state()
        one = data['rows'][1]['id']
        self.runs = []
        _, lines = self.mutate(fresh=True, only=[one])
        _, data = self.state()
        self.assertEqual([r['id'] for r in data['rows']], [one])
        with self.assertRaises(UserError):
            self.mutate(only=['0000000000'])

    def test_values_are_checked_before_any_work(self):
        for kw in ({'limit': -1}, {'timeout': 0}, {'operators': ['nope']}):
            with self.assertRaises(UserError):
                self.mutate(**kw)
        self.assertEqual(self.runs, [])


class AccountedTest(TempDirTest):
    def test_recorded_reasons_are_read_and_shown(self):
        path = os.path.join(self.tmp, 'survivors.txt')
        write(path, '# comment\nabc1234567 equivalent: same area\n')
        self.assertEqual(mutate.accounted(path),
                         {'abc1234567': 'equivalent: same area'})
        row = {'id': 'abc1234567', 'file': 'mm/x.c', 'line': 3,
               'function': 'f', 'operator': 'drop', 'what': 'w',
               'old': 'a;', 'new': ';', 'verdict': 'survived'}
        text = mutate.render([row], 't', '', mutate.accounted(path))
        self.assertIn('Accounted for: equivalent: same area', text)
        self.assertIn('1 of 1 survivors are accounted for', text)

    def test_every_recorded_survivor_names_a_class(self):
        for key, why in mutate.accounted().items():
            self.assertRegex(key, r'^[0-9a-f]{10}$')
            self.assertRegex(why, r'^(equivalent|profile|not observable|'
                             r'out of scope): ')


class PreprocessTest(TempDirTest):
    def test_the_saved_kbuild_command_preprocesses_instead(self):
        write(os.path.join(self.tmp, 'mm', '.slub.o.cmd'),
              'savedcmd_mm/slub.o := ccache gcc -Wp,-MMD,mm/.slub.o.d '
              '-nostdinc -DX=1 -c -o mm/slub.o /t/mm/slub.c\n\n'
              'source_mm/slub.o := /t/mm/slub.c\n')
        self.assertEqual(mutate.preprocess_command(self.tmp, 'mm/slub.c'),
                         ['gcc', '-nostdinc', '-DX=1'])
        self.assertIsNone(mutate.preprocess_command(self.tmp, 'mm/dmapool.c'))

    def test_equal_code_after_preprocessing(self):
        require_program(self, 'gcc')
        work = os.path.join(self.tmp, 'w')
        os.makedirs(work)
        a = mutate.preprocessed(['gcc'], self.tmp, self.tmp,
                                '#if 0\nint x;\n#endif\nint y;\n', work)
        b = mutate.preprocessed(['gcc'], self.tmp, self.tmp,
                                '#if 0\nint z;\n#endif\nint y;\n', work)
        c = mutate.preprocessed(['gcc'], self.tmp, self.tmp, 'int z;\n', work)
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)

