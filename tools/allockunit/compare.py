# SPDX-License-Identifier: GPL-2.0
"""`make bench-compare`'s report: kernel B against kernel A, row by row.

Input: the BENCH records of each boot (bench.parse()), booted in rounds
A B A B ...; a round is one boot of each. A row is one measurement
(kind, op, size). Each boot gives a row one figure, its median_ns.

Method, per row, over the n rounds where both boots measured it:
  d_i = ln(B_i / A_i)       the round's log ratio; pairing by round
                            cancels what drifts slowly on the host
  ratio = exp(mean d_i)     the geometric mean of the rounds' ratios, so
                            also geomean(B) / geomean(A), the A and B shown
  95 % interval             bootstrap over rounds: RESAMPLES resamples of
                            the n rounds with replacement, the mean of d
                            in each; the expanded percentile interval
                            (Hesterberg 2015), whose tails are taken at
                            Phi(-sqrt(n / (n - 1)) t(0.975, n - 1)) instead
                            of 2.5 %, so that it keeps its 95 % with the
                            ten or so rounds a comparison can afford (the
                            plain percentile interval is too narrow then)
  marked                    the whole interval lies beyond MIN_EFFECT:
                            B slower (above 1.02) or faster (below
                            1/1.02). Measured on UML 6.12 against itself
                            (10 rounds), boots of one kernel differ by a
                            median 1.6-1.9 % half-width, and with 'the
                            interval excludes 1' alone 5.1 % and 7.7 % of
                            the rows were marked in two runs: the rows of
                            one boot move together, so the marks are not
                            the independent 5 % the level promises. A
                            difference under 2 % is the host's.
The resamples come from random.Random(SEED): a report is reproducible.
Times under 1 ns count as 1 ns (a log needs a positive number).
"""

import csv
import io
import json
import math
import os
import random
import statistics
import subprocess

from . import bench

LEVEL = 0.95
# The least change a mark stands for, as a ratio: 2 %.
MIN_EFFECT = 1.02
RESAMPLES = 2000
SEED = 20261126
# The half-width the issue asks of a comparison, in percent.
TARGET_HALF_WIDTH = 5.0
KIND_ORDER = ('alloc', 'access', 'vmalloc', 'contention', 'host')
FLOOR_NS = 1


# Student's t, for the expansion of the bootstrap's tails.

def _betacf(a, b, x):
    """The continued fraction of the incomplete beta function (Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) *
                                                  (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _ibeta(a, b, x):
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) +
                     a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t, df):
    """P(T <= t) for Student's t with df degrees of freedom."""
    tail = 0.5 * _ibeta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p, df):
    """The p-quantile (p > 0.5) of Student's t, by bisection."""
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def tail_probability(n, level=LEVEL):
    """Where the expanded percentile interval cuts each tail, for n."""
    z = math.sqrt(n / (n - 1.0)) * t_quantile(1 - (1 - level) / 2, n - 1)
    return statistics.NormalDist().cdf(-z)


# The bootstrap.

def percentile(ordered, q):
    """The q-quantile of a sorted list, interpolated between ranks."""
    pos = q * (len(ordered) - 1)
    low = int(math.floor(pos))
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


_DRAWS = {}


def draws(n, resamples=RESAMPLES, seed=SEED):
    """The resamples of n rounds: one list of round indices each.

    The same for every row with n rounds, so that a row's interval does
    not depend on which rows came before it.
    """
    key = (n, resamples, seed)
    if key not in _DRAWS:
        rng = random.Random('%d/%d' % (seed, n))
        _DRAWS[key] = [rng.choices(range(n), k=n) for _ in range(resamples)]
    return _DRAWS[key]


def bootstrap_ci(values, level=LEVEL, resamples=RESAMPLES, seed=SEED):
    """(low, high): the expanded percentile interval of mean(values).

    None with fewer than two values: one round says nothing of spread.
    """
    n = len(values)
    if n < 2:
        return None
    means = sorted(sum(values[i] for i in idx) / n
                   for idx in draws(n, resamples, seed))
    tail = tail_probability(n, level)
    return percentile(means, tail), percentile(means, 1 - tail)


# Rows.

def _ns(rec):
    return max(rec['median_ns'], FLOOR_NS)


def _index(run):
    """{key: record} of one boot; a measured record wins over a refusal."""
    out = {}
    for rec in run:
        if bench.key(rec) not in out or rec['status'] == 'ok':
            out[bench.key(rec)] = rec
    return out


def _side_status(indexed, key):
    recs = [run[key] for run in indexed if key in run]
    if any(r['status'] == 'ok' for r in recs):
        return 'ok'
    return 'unsupported' if recs else 'missing'


def _order(rounds_a, rounds_b):
    """Every row's key, in the order the rows are reported."""
    seen = {}
    for run in list(rounds_a) + list(rounds_b):
        for rec in run:
            seen.setdefault(bench.key(rec), rec)
    ops = {}
    for kind, op, _ in seen:
        ops.setdefault((kind, op), len(ops))

    def rank(key):
        kind, op, size = key
        kind_rank = (KIND_ORDER.index(kind) if kind in KIND_ORDER
                     else len(KIND_ORDER))
        op_rank = (bench.ALLOC_ORDER.index(op) if kind == 'alloc' and
                   op in bench.ALLOC_ORDER else 100 + ops[(kind, op)])
        return (kind_rank, kind, op_rank, size)
    return sorted(seen, key=rank), seen


def compare(rounds_a, rounds_b, level=LEVEL, resamples=RESAMPLES,
            seed=SEED):
    """One row per measurement; rounds_a[i] and rounds_b[i] are round i's
    two boots (lists of BENCH records)."""
    keys, first = _order(rounds_a, rounds_b)
    index_a = [_index(run) for run in rounds_a]
    index_b = [_index(run) for run in rounds_b]
    rows = []
    for key in keys:
        a_vals, b_vals = [], []
        for run_a, run_b in zip(index_a, index_b):
            a, b = run_a.get(key), run_b.get(key)
            if a and b and a['status'] == b['status'] == 'ok':
                a_vals.append(_ns(a))
                b_vals.append(_ns(b))
        rec = first[key]
        row = {'kind': key[0], 'op': key[1], 'size': key[2],
               'align': rec.get('align'), 'threads': rec.get('threads'),
               'a_status': _side_status(index_a, key),
               'b_status': _side_status(index_b, key),
               'rounds': len(a_vals), 'a_rounds': a_vals,
               'b_rounds': b_vals}
        row.update(_statistics(a_vals, b_vals, level, resamples, seed))
        rows.append(row)
    return rows


def _statistics(a_vals, b_vals, level, resamples, seed):
    out = {'status': 'ok' if a_vals else 'no pair', 'a_ns': None,
           'b_ns': None, 'ratio': None, 'ci_low': None, 'ci_high': None,
           'half_width_pct': None, 'mark': ''}
    if not a_vals:
        return out
    logs = [math.log(b / a) for a, b in zip(a_vals, b_vals)]
    out['a_ns'] = statistics.geometric_mean(a_vals)
    out['b_ns'] = statistics.geometric_mean(b_vals)
    out['ratio'] = math.exp(statistics.fmean(logs))
    ci = bootstrap_ci(logs, level, resamples, seed)
    if ci:
        out['ci_low'], out['ci_high'] = math.exp(ci[0]), math.exp(ci[1])
        out['half_width_pct'] = 100.0 * (math.exp((ci[1] - ci[0]) / 2) - 1)
        if ci[0] > math.log(MIN_EFFECT):
            out['mark'] = 'slower'
        elif ci[1] < -math.log(MIN_EFFECT):
            out['mark'] = 'faster'
    return out


def summarize(rows, target=TARGET_HALF_WIDTH):
    """How many rows are marked, and how wide the intervals are."""
    with_ci = [r for r in rows if r['ci_low'] is not None]
    out = {'rows': len(rows), 'with_interval': len(with_ci),
           'marked': sum(1 for r in with_ci if r['mark']),
           'slower': sum(1 for r in with_ci if r['mark'] == 'slower'),
           'faster': sum(1 for r in with_ci if r['mark'] == 'faster'),
           'rounds': max((r['rounds'] for r in rows), default=0),
           'marked_pct': None, 'median_half_width_pct': None,
           'rounds_for_target': None}
    if with_ci:
        out['marked_pct'] = 100.0 * out['marked'] / len(with_ci)
        half = statistics.median(r['half_width_pct'] for r in with_ci)
        out['median_half_width_pct'] = half
        # The half-width falls as 1 / sqrt(rounds), the t factor aside.
        out['rounds_for_target'] = max(2, math.ceil(
            out['rounds'] * (half / target) ** 2))
    return out


# Tables.

def label(row):
    """The op, with what else tells the row apart."""
    return bench.describe(row)


def fmt_ns(value):
    if value is None:
        return ''
    return '%d' % round(value) if value >= 100 else '%.3g' % value


def fmt_size(size):
    return bench.human(size) if size else '—'


def _cells(row):
    if row['ratio'] is None:
        why = [s for s in (row['a_status'], row['b_status']) if s != 'ok']
        return ['A ' + row['a_status'] if row['a_status'] != 'ok' else '',
                'B ' + row['b_status'] if row['b_status'] != 'ok' else '',
                why[0] if why else 'no pair', '', '']
    ratio = '%.3f' % row['ratio']
    ci = ''
    if row['ci_low'] is not None:
        ci = '%.3f – %.3f' % (row['ci_low'], row['ci_high'])
    if row['mark']:
        ratio = '**%s**' % ratio
    return [fmt_ns(row['a_ns']), fmt_ns(row['b_ns']), ratio, ci,
            row['mark']]


def summary_line(summary):
    if not summary['with_interval']:
        return ('%d rows; no interval: it takes two complete rounds.'
                % summary['rows'])
    text = ('%d rows with an interval over %d rounds; %d marked (%.1f %%): '
            '%d slower, %d faster. Median half-width of the intervals: '
            '%.1f %%.' % (summary['with_interval'], summary['rounds'],
                          summary['marked'], summary['marked_pct'],
                          summary['slower'], summary['faster'],
                          summary['median_half_width_pct']))
    if summary['median_half_width_pct'] > TARGET_HALF_WIDTH:
        text += (' About %d rounds would bring it to %.0f %%.'
                 % (summary['rounds_for_target'], TARGET_HALF_WIDTH))
    return text


def markdown(rows, summary, meta):
    """The report: how it was measured, the summary, a table per kind."""
    out = io.StringIO()
    out.write('B = %s against A = %s, ARCH=%s, on %s (%s CPUs).\n\n' % (
        meta['b']['label'], meta['a']['label'], meta['arch'],
        meta['machine']['cpu'] or 'unknown CPU', meta['machine']['cpus']))
    for side in ('a', 'b'):
        if meta[side].get('version'):
            out.write('- %s: %s\n' % (side.upper(), meta[side]['version']))
    out.write('\n%d of %d rounds (boots A B, B A, A B ...). A and B: geometric '
              'mean over rounds of each boot\'s median, ns per operation. '
              'B/A: geometric mean of the rounds\' ratios, with its %d %% '
              'bootstrap interval over rounds (%d resamples, expanded '
              'percentile, seed %d). **Bold**: the whole interval lies beyond '
              '±%g %% (B/A above %g or below 1/%g).\n\n'
              % (meta['rounds_done'], meta['rounds'], round(LEVEL * 100),
                 RESAMPLES, SEED, round((MIN_EFFECT - 1) * 100, 2), MIN_EFFECT,
                 MIN_EFFECT))
    if meta.get('stopped'):
        out.write('**Incomplete:** %s\n\n' % meta['stopped'])
    out.write(summary_line(summary) + '\n')
    kinds = []
    for row in rows:
        if row['kind'] not in kinds:
            kinds.append(row['kind'])
    for kind in kinds:
        out.write('\n### %s\n\n| op | size | A ns | B ns | B/A | 95 %% '
                  'interval | |\n|---|---:|---:|---:|---:|---|---|\n' % kind)
        for row in rows:
            if row['kind'] == kind:
                out.write('| %s | %s | %s |\n' % (
                    label(row), fmt_size(row['size']),
                    ' | '.join(_cells(row))))
    return out.getvalue()


CSV_FIELDS = ['kind', 'op', 'size', 'align', 'threads', 'status', 'rounds',
              'a_ns', 'b_ns', 'ratio', 'ci_low', 'ci_high',
              'half_width_pct', 'mark', 'a_status', 'b_status']


def write_csv(rows, path):
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, CSV_FIELDS, extrasaction='ignore')
        w.writeheader()
        for row in rows:
            w.writerow({k: ('%.6g' % v if isinstance(v, float) else v)
                        for k, v in row.items()})


# The plot.

def plot_series(rows):
    """{kind: [(label, [(size, ratio, low, high), ...]), ...]}: what the
    plot draws, rows without a size or a ratio left out."""
    out = {}
    for row in rows:
        if not row['size'] or row['ratio'] is None:
            continue
        series = out.setdefault(row['kind'], [])
        name = label(row)
        for title, points in series:
            if title == name:
                break
        else:
            points = []
            series.append((name, points))
        low = row['ci_low'] if row['ci_low'] is not None else row['ratio']
        high = row['ci_high'] if row['ci_high'] is not None else row['ratio']
        points.append((row['size'], row['ratio'], low, high))
    return out


def plot(rows, out_dir, title):
    """compare.png: B/A by size with its interval, a panel per kind."""
    panels = plot_series(rows)
    if not panels:
        return None
    png = os.path.join(out_dir, 'compare.png')
    script = ['set terminal pngcairo noenhanced size 1000,%d font ",9"'
              % (320 * len(panels)),
              'set output "%s"' % png,
              'set multiplot layout %d,1 title "%s"'
              % (len(panels), title.replace('"', "'")),
              'set logscale x 2', 'set logscale y 2',
              'set xtics (' + ', '.join('"%s" %d' % (bench.human(1 << s),
                                                     1 << s)
                                        for s in range(3, 24, 3)) + ')',
              'set ylabel "B / A"', 'set grid', 'set key outside right',
              'set arrow 1 from graph 0, first 1 to graph 1, first 1 '
              'nohead dashtype 2']
    for kind, series in panels.items():
        # Room for every bar, and 1 +- 10 % at least.
        low = min([0.9] + [p[2] for _, points in series for p in points])
        high = max([1.1] + [p[3] for _, points in series for p in points])
        script.append('set yrange [%g:%g]' % (low / 1.05, high * 1.05))
        plots = []
        for k, (name, points) in enumerate(series):
            # Spread the series a little along x so that bars do not hide
            # each other.
            shift = 2 ** ((k - (len(series) - 1) / 2) * 0.06)
            path = os.path.join(out_dir, 'plot-%s-%d.dat' % (kind, k))
            with open(path, 'w') as f:
                f.writelines('%g %g %g %g\n' % (size * shift, r, lo, hi)
                             for size, r, lo, hi in sorted(points))
            plots.append('"%s" using 1:2:3:4 with yerrorlines title "%s"'
                         % (path, name.replace('"', "'")))
        script += ['set title "%s"' % kind, 'set xlabel "size"',
                   'plot ' + ', '.join(plots)]
    script.append('unset multiplot')
    subprocess.run(['gnuplot'], input='\n'.join(script) + '\n', text=True,
                   check=True)
    return png


def forest(rows, out_dir, title):
    """compare-forest.png: one line per measurement with an interval, B/A
    and its 95 % interval, sorted by B/A, marked rows in red; the dashed
    line is B = A."""
    shown = sorted((r for r in rows if r['ratio'] is not None and
                    r['ci_low'] is not None and r['ci_high'] is not None),
                   key=lambda r: r['ratio'])
    if not shown:
        return None
    paths, counts = {}, {}
    for marked in (False, True):
        path = os.path.join(out_dir, 'forest-%s.dat' % ('marked' if marked
                                                        else 'other'))
        with open(path, 'w') as f:
            for y, row in enumerate(shown):
                if bool(row['mark']) == marked:
                    counts[marked] = counts.get(marked, 0) + 1
                    f.write('%g %d %g %g\n' % (row['ratio'], y,
                                               row['ci_low'], row['ci_high']))
        paths[marked] = path
    png = os.path.join(out_dir, 'compare-forest.png')
    tics = ', '.join('"%s %s %s" %d' % (r['kind'], label(r).replace(
        '"', "'"), fmt_size(r['size']), y) for y, r in enumerate(shown))
    script = ['set terminal pngcairo noenhanced size 1000,%d font ",8"'
              % (120 + 13 * len(shown)),
              'set output "%s"' % png,
              'set title "%s"' % title.replace('"', "'"),
              'set logscale x 2', 'set xlabel "B / A (95 % interval)"',
              'set ytics (%s)' % tics, 'set yrange [-1:%d]' % len(shown),
              'set grid xtics', 'set key outside top right',
              'set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead '
              'dashtype 2',
              'plot ' + ', '.join(
                  '"%s" using 1:2:3:4 with xerrorbars pt 7 ps 0.6 lc rgb '
                  '"%s" title "%s"' % (paths[marked], colour, name)
                  for marked, colour, name in (
                      (False, '#607d8b', 'within the margin'),
                      (True, '#c62828', 'marked')) if counts.get(marked))]
    subprocess.run(['gnuplot'], input='\n'.join(script) + '\n', text=True,
                   check=True)
    return png


def report(out_dir, rounds_a, rounds_b, meta, log=print):
    """Write compare.{json,csv,md,png} for the complete rounds; return
    (rows, summary)."""
    rows = compare(rounds_a, rounds_b)
    summary = summarize(rows)
    meta = dict(meta, machine=meta.get('machine') or bench.machine(),
                rounds_done=len(rounds_a))
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'compare.json'), 'w') as f:
        json.dump({'meta': meta, 'summary': summary, 'rows': rows,
                   'rounds': {'A': rounds_a, 'B': rounds_b}}, f, indent=1)
    write_csv(rows, os.path.join(out_dir, 'compare.csv'))
    md = markdown(rows, summary, meta)
    with open(os.path.join(out_dir, 'compare.md'), 'w') as f:
        f.write(md)
    png = plot(rows, out_dir, 'B = %s against A = %s, %s: B/A with its '
               '95 %% interval' % (meta['b']['label'], meta['a']['label'],
                                   meta['arch']))
    forest_png = forest(rows, out_dir, 'B = %s against A = %s, %s: every '
                        'measurement, sorted' % (meta['b']['label'],
                                                 meta['a']['label'],
                                                 meta['arch']))
    log(md)
    log('comparison: %s/compare.{json,csv,md}%s%s' % (
        out_dir, ', compare.png' if png else '',
        ', compare-forest.png' if forest_png else ''))
    return rows, summary
