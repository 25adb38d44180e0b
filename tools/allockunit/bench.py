# SPDX-License-Identifier: GPL-2.0
"""`make bench`: the alloc_bench suite's BENCH lines as JSON, CSV, a table
and a log-log plot, with the spread between repeated runs.

The suite prints one KTAP diagnostic line per measurement:
  BENCH v1 kind=alloc op=kmalloc size=64 samples=201 batch=512
           median_ns=41 p90_ns=43 min_ns=40
  BENCH v1 kind=alloc op=kmalloc size=8388608 status=unsupported
Later fields (align=, threads=, passes=) are parsed as numbers too; a
line without them is still read.
"""

import csv
import io
import json
import os
import platform
import re
import statistics
import subprocess

_LINE = re.compile(r'BENCH v1 (.*\S)\s*$')
NUMBERS = ('size', 'samples', 'batch', 'median_ns', 'p90_ns', 'min_ns',
           'align', 'threads', 'passes')
ALLOC_ORDER = ('kmalloc', 'kzalloc', 'kvmalloc', 'vmalloc', 'vzalloc')


def parse(lines):
    """The BENCH records of one run, in the order printed."""
    records = []
    for line in lines:
        m = _LINE.search(line)
        if not m:
            continue
        rec = dict(field.split('=', 1) for field in m.group(1).split()
                   if '=' in field)
        for key in NUMBERS:
            if key in rec:
                rec[key] = int(rec[key])
        rec.setdefault('status', 'ok')
        records.append(rec)
    return records


def key(rec):
    return (rec['kind'], rec['op'], rec['size'])


def combine(runs):
    """One record per measurement: the median over runs, and the spread.

    spread_pct is (max - min) / min of the runs' medians, in percent: how
    far two runs of the same build on the same machine disagree.
    """
    merged = {}
    for run in runs:
        for rec in run:
            merged.setdefault(key(rec), []).append(rec)
    out = []
    for recs in merged.values():
        first = dict(recs[0])
        ok = [r for r in recs if r['status'] == 'ok']
        if len(ok) != len(recs):
            first.update(status='unsupported')
            for k in ('median_ns', 'p90_ns', 'min_ns', 'samples', 'batch'):
                first.pop(k, None)
            out.append(first)
            continue
        medians = [r['median_ns'] for r in ok]
        first['median_ns'] = int(statistics.median(medians))
        first['p90_ns'] = int(statistics.median(r['p90_ns'] for r in ok))
        first['min_ns'] = min(r['min_ns'] for r in ok)
        first['runs'] = len(ok)
        # the boots' medians at their extremes: the plot's error bars
        first['runs_min_ns'], first['runs_max_ns'] = min(medians), \
            max(medians)
        low = max(min(medians), 1)
        first['spread_pct'] = round(100.0 * (max(medians) - low) / low, 1)
        out.append(first)
    return out


def spread_summary(records):
    spreads = [r['spread_pct'] for r in records if 'spread_pct' in r]
    if not spreads:
        return None
    return {'median_pct': statistics.median(spreads),
            'p90_pct': sorted(spreads)[int(len(spreads) * 0.9)],
            'max_pct': max(spreads), 'measurements': len(spreads)}


def machine():
    model = ''
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return {'cpu': model, 'cpus': os.cpu_count(),
            'host_kernel': platform.release(), 'host_arch':
            platform.machine()}


def human(size):
    for unit, shift in (('MiB', 20), ('KiB', 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return '%d %s' % (size >> shift, unit)
    return '%d B' % size


def fmt_ns(rec):
    if rec is None:
        return ''
    if rec['status'] != 'ok':
        return 'unsupported'
    return '%d (%d)' % (rec['median_ns'], rec['p90_ns'])


def markdown(records, meta):
    table = {key(r): r for r in records}
    out = io.StringIO()
    spread = meta.get('spread')
    out.write('Kernel %s, ARCH=%s, on %s (%s CPUs). %d run(s); ns per '
              'operation, median (p90).' % (
                  meta['kernel'], meta['arch'], meta['machine']['cpu'] or
                  'unknown CPU', meta['machine']['cpus'], meta['runs']))
    if spread:
        out.write(' Spread between runs: median %.1f%%, p90 %.1f%%, max '
                  '%.1f%%.' % (spread['median_pct'], spread['p90_pct'],
                               spread['max_pct']))
    out.write('\n\n### alloc + free pair, ns\n\n')
    ops = [o for o in ALLOC_ORDER
           if any(r['op'] == o for r in records if r['kind'] == 'alloc')]
    sizes = sorted({r['size'] for r in records if r['kind'] == 'alloc'})
    out.write('| size | ' + ' | '.join(ops) + ' |\n')
    out.write('|---:|' + '---:|' * len(ops) + '\n')
    for size in sizes:
        out.write('| %s | ' % human(size) + ' | '.join(
            fmt_ns(table.get(('alloc', op, size))) for op in ops) + ' |\n')
    access = [r for r in records if r['kind'] == 'access']
    if access:
        out.write('\n### access, ns per page (first_touch), per KiB '
                  '(seq_read, seq_write) or per dependent load '
                  '(random_read)\n\n')
        kinds = sorted({r['op'].split('_', 1)[1] for r in access})
        sizes = sorted({r['size'] for r in access})
        out.write('| access | size | kmalloc | vmalloc |\n|---|---:|---:|---:|\n')
        for kind in kinds:
            for size in sizes:
                out.write('| %s | %s | %s | %s |\n' % (
                    kind, human(size),
                    fmt_ns(table.get(('access', 'kmalloc_' + kind, size))),
                    fmt_ns(table.get(('access', 'vmalloc_' + kind, size)))))
    others = [r for r in records if r['kind'] not in ('alloc', 'access')]
    if others:
        out.write('\n### test_vmalloc patterns (vmalloc), every CPU at once '
                  '(contention), the host\'s speed (host), ns per '
                  'operation\n\n| kind | op | size | ns |\n'
                  '|---|---|---:|---:|\n')
        for rec in others:
            out.write('| %s | %s | %s | %s |\n' % (
                rec['kind'], describe(rec),
                human(rec['size']) if rec['size'] else '—', fmt_ns(rec)))
    return out.getvalue()


def describe(rec):
    """The op, with its alignment or its number of threads."""
    text = rec['op']
    if rec.get('align'):
        text += ', align %s' % human(rec['align'])
    if rec.get('threads'):
        text += ', %d thread%s' % (rec['threads'],
                                   's' if rec['threads'] > 1 else '')
    return text


def write_csv(records, path):
    fields = ['kind', 'op', 'size', 'align', 'threads', 'status',
              'median_ns', 'p90_ns', 'min_ns', 'samples', 'batch', 'passes',
              'runs', 'spread_pct', 'runs_min_ns', 'runs_max_ns']
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fields, extrasaction='ignore')
        w.writeheader()
        for rec in records:
            w.writerow(rec)


def plot(records, out_dir, title):
    """bench.png with gnuplot: log-log size against ns, one line each,
    the median over boots with bars from the lowest to the highest boot's
    median (boots of one kernel differ; a single boot has no bar)."""
    series = []
    for op in ALLOC_ORDER:
        pts = sorted((r['size'], r['median_ns'],
                      r.get('runs_min_ns', r['median_ns']),
                      r.get('runs_max_ns', r['median_ns']))
                     for r in records
                     if r['kind'] == 'alloc' and r['op'] == op and
                     r['status'] == 'ok')
        if pts:
            path = os.path.join(out_dir, 'plot-%s.dat' % op)
            with open(path, 'w') as f:
                f.writelines('%d %d %d %d\n' % p for p in pts)
            series.append((op, path))
    if not series:
        return None
    png = os.path.join(out_dir, 'bench.png')
    script = '\n'.join([
        'set terminal pngcairo size 900,600 enhanced font ",10"',
        'set output "%s"' % png,
        'set title "%s"' % title.replace('"', "'"),
        'set logscale x 2', 'set logscale y 10', 'set format y "10^{%L}"',
        'set xtics (' + ', '.join('"%s" %d' % (human(1 << s), 1 << s)
                                  for s in range(3, 24, 3)) + ')',
        'set xlabel "allocation size"',
        'set ylabel "ns per alloc+free (median; bars: lowest and highest '
        'boot)"',
        'set key top left', 'set grid',
        'plot ' + ', '.join('"%s" using 1:2:3:4 with yerrorlines title "%s"'
                            % (path, op) for op, path in series)])
    subprocess.run(['gnuplot'], input=script, text=True, check=True)
    return png


def report(run_logs, out_dir, kernel, arch, log=print):
    """Parse each run's raw log and write bench.{json,csv,md,png}."""
    runs = []
    for path in run_logs:
        with open(path, encoding='utf-8', errors='replace') as f:
            runs.append(parse(f))
    records = combine(runs)
    meta = {'kernel': kernel, 'arch': arch, 'machine': machine(),
            'runs': len(runs), 'spread': spread_summary(records)}
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'bench.json'), 'w') as f:
        json.dump({'meta': meta, 'results': records, 'runs': runs}, f,
                  indent=1)
    write_csv(records, os.path.join(out_dir, 'bench.csv'))
    md = markdown(records, meta)
    with open(os.path.join(out_dir, 'bench.md'), 'w') as f:
        f.write(md)
    png = plot(records, out_dir, 'alloc+free cost, Linux %s %s' % (kernel,
                                                                     arch))
    log(md)
    log('bench results: %s/bench.{json,csv,md}%s' % (
        out_dir, ', bench.png' if png else ''))
    return records, meta
