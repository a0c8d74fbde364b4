"""Plot training curves and time training from MMEngine's scalar logs.

MMEngine's ``LocalVisBackend`` writes one JSON object per logged step to
``WORK_DIR/<timestamp>/vis_data/scalars.json``: training rows carry
``iter``, ``step``, ``lr``, ``time``, ``data_time`` and the model's losses
and accuracies (``loss``, ``loss_vtm``, ``acc_vtm``, ...); validation rows
carry the metrics and ``step``. A run resumed in the same work dir writes a
new ``<timestamp>`` folder; given the work dir, this tool reads them all in
time order and, where a killed run logged iterations that the resumed run
trained again (after its last checkpoint), keeps the resumed run's rows.

Examples::

    # loss and VTM accuracy of a work dir (all its runs) to a PNG
    python tools/analysis_tools/analyze_logs.py plot_curve \\
        work_dirs/pretrain_ti_demo --keys loss acc_vtm --out curves.png
    # two runs compared, one curve each
    python tools/analysis_tools/analyze_logs.py plot_curve \\
        work_dirs/a work_dirs/b --keys loss --legend a b --out loss.png
    # seconds per iteration
    python tools/analysis_tools/analyze_logs.py cal_train_time \\
        work_dirs/pretrain_ti_demo
"""
import argparse
import glob
import json
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np

__all__ = ['load_scalars', 'plot_curve', 'cal_train_time', 'main']


def _scalar_files(path: str) -> List[str]:
    """``scalars.json`` files of ``path`` (a file, run folder or work dir),
    oldest run first."""
    if osp.isfile(path):
        return [path]
    if not osp.isdir(path):
        raise FileNotFoundError(f'no such log file or work dir: {path}')
    for pattern in ('vis_data/scalars.json', '*/vis_data/scalars.json'):
        files = sorted(glob.glob(osp.join(path, pattern)))
        if files:
            return files
    raise FileNotFoundError(
        f'no MMEngine scalar log under {path} (expected '
        f'{path}/<timestamp>/vis_data/scalars.json; is LocalVisBackend in '
        'the config\'s vis_backends?)')


def load_scalars(path: str) -> Dict[str, List[dict]]:
    """Read the scalar rows of a run or of every run in a work dir.

    Args:
        path (str): A ``scalars.json``, a run folder (``<timestamp>``) or a
            work dir holding several runs (resumes).

    Returns:
        dict: ``{'train': rows, 'val': rows}``, each sorted by ``step``;
        for a step logged by several runs, the latest run's row is kept.

    Raises:
        FileNotFoundError: No log at ``path``.
        ValueError: A line that is not JSON (names the file and line).
    """
    phases: Dict[str, 'OrderedDict[int, dict]'] = dict(
        train=OrderedDict(), val=OrderedDict())
    for file in _scalar_files(path):
        with open(file) as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    raise ValueError(f'{file}, line {lineno}: not JSON '
                                     f'({err})') from None
                phase = 'train' if 'iter' in row or 'lr' in row else 'val'
                step = int(row.get('step', row.get('iter', lineno)))
                phases[phase][step] = row
    return {k: [v[s] for s in sorted(v)] for k, v in phases.items()}


def _series(rows: Dict[str, List[dict]], key: str):
    for phase in ('train', 'val'):
        points = [(r['step'], r[key]) for r in rows[phase] if key in r]
        if points:
            return phase, np.array(points, dtype=float)
    return None, None


def plot_curve(paths: Sequence[str],
               keys: Sequence[str] = ('loss', ),
               out: Optional[str] = None,
               legend: Optional[Sequence[str]] = None,
               title: Optional[str] = None) -> None:
    """Plot ``keys`` against the step, one panel per key, one curve per log.

    Args:
        paths (Sequence[str]): Logs or work dirs (see :func:`load_scalars`).
        keys (Sequence[str]): Logged scalars, e.g. ``loss``, ``acc_vtm``,
            ``lr`` or a validation metric. Defaults to ``('loss', )``.
        out (str, optional): PNG (or any matplotlib format) to write; shown
            in a window when None.
        legend (Sequence[str], optional): One name per path. Defaults to
            the paths.
        title (str, optional): Figure title.

    Raises:
        KeyError: A key in none of the logs; lists the available keys.
    """
    import matplotlib
    if out is not None:
        matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    legend = list(legend) if legend else list(paths)
    if len(legend) != len(paths):
        raise ValueError(f'{len(legend)} legend entries for {len(paths)} '
                         'logs')
    logs = [load_scalars(p) for p in paths]
    fig, axes = plt.subplots(
        len(keys), 1, figsize=(7, 2.8 * len(keys)), squeeze=False,
        sharex=True)
    for ax, key in zip(axes[:, 0], keys):
        found = False
        for rows, name in zip(logs, legend):
            phase, points = _series(rows, key)
            if points is None:
                continue
            found = True
            style = '-' if phase == 'train' else 'o-'
            ax.plot(points[:, 0], points[:, 1], style, label=name,
                    markersize=3, linewidth=1)
        if not found:
            available = sorted({k for rows in logs for phase in rows.values()
                                for r in phase for k in r} -
                               {'step', 'iter', 'epoch'})
            plt.close(fig)
            raise KeyError(f'"{key}" is not in the logs {list(paths)}; '
                           f'available keys: {available}')
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[-1, 0].set_xlabel('iteration')
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if out is None:
        plt.show()
    else:
        fig.savefig(out, dpi=100)
        print(f'saved {out}')
    plt.close(fig)


def cal_train_time(path: str, include_outliers: bool = False) -> dict:
    """Statistics of the seconds per training iteration of a log.

    Args:
        path (str): A log or work dir (see :func:`load_scalars`).
        include_outliers (bool): Keep the first logged iteration (start-up:
            dataloader workers, first CUDA kernels). Defaults to False.

    Returns:
        dict: ``iters`` (logged), ``mean``, ``std``, ``fastest``,
        ``slowest`` (seconds), ``slowest_iter``, ``fastest_iter``,
        ``mean_data_time`` and ``total_hours`` (mean x last iteration).
    """
    rows = [r for r in load_scalars(path)['train'] if 'time' in r]
    if not include_outliers and len(rows) > 1:
        rows = rows[1:]
    if not rows:
        raise ValueError(f'{path}: no training row with "time"')
    times = np.array([r['time'] for r in rows])
    steps = [int(r['step']) for r in rows]
    stats = dict(
        iters=len(rows),
        mean=float(times.mean()),
        std=float(times.std()),
        fastest=float(times.min()),
        slowest=float(times.max()),
        fastest_iter=steps[int(times.argmin())],
        slowest_iter=steps[int(times.argmax())],
        mean_data_time=float(np.mean([r.get('data_time', 0.) for r in rows])),
        total_hours=float(times.mean() * steps[-1] / 3600))
    print(f'-----Analyze train time of {path}-----')
    print(f'slowest iter: {stats["slowest_iter"]} ({stats["slowest"]:.4f} s)'
          f', fastest iter: {stats["fastest_iter"]} '
          f'({stats["fastest"]:.4f} s)')
    print(f'time std over iters: {stats["std"]:.4f}')
    print(f'average iter time: {stats["mean"]:.4f} s/iter '
          f'(data {stats["mean_data_time"]:.4f} s), about '
          f'{stats["total_hours"]:.2f} h for {steps[-1]} iterations')
    return stats


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Analyze MMEngine logs')
    sub = parser.add_subparsers(dest='task', required=True)
    plot = sub.add_parser('plot_curve', help='plot scalars to an image')
    plot.add_argument('logs', nargs='+',
                      help='work dirs, run folders or scalars.json files')
    plot.add_argument('--keys', nargs='+', default=['loss'],
                      help='scalars to plot (e.g. loss acc_vtm lr)')
    plot.add_argument('--legend', nargs='+', help='one name per log')
    plot.add_argument('--title', help='figure title')
    plot.add_argument('--out', help='output image (shown when absent)')
    timing = sub.add_parser('cal_train_time',
                            help='seconds per training iteration')
    timing.add_argument('logs', nargs='+',
                        help='work dirs, run folders or scalars.json files')
    timing.add_argument('--include-outliers', action='store_true',
                        help='keep the first logged iteration')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    if args.task == 'plot_curve':
        plot_curve(args.logs, args.keys, args.out, args.legend, args.title)
    else:
        for log in args.logs:
            cal_train_time(log, args.include_outliers)


if __name__ == '__main__':
    main()
