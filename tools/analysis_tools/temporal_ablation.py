"""Train and test every temporal mode on the synthetic motion benchmark.

For each mode the config ``configs/allinone/synthetic-motion_{mode}_ti.py``
is trained from scratch with the same seed, data and budget through MMEngine's
runner and tested on the held-out clips. Prints a table (held-out accuracy,
final training loss, seconds per iteration, wall time), writes it to
``ablation.json`` and draws ``ablation_accuracy.png`` (bar chart) and
``ablation_curves.png`` (training loss curves) in the work dir. Modes run
``--jobs`` at a time in separate processes; decoded clips are shared through
an on-disk cache (``<data-root>/decoded_cache``).

Example (the full ablation: 20k training clips, 2000 iterations per mode,
22 minutes on 2 CPU cores)::

    python tools/analysis_tools/temporal_ablation.py \\
        --data-root data/synthetic_motion --work-dir work_dirs/temporal_ablation

The caption multiple-choice form on the joint path, each mode fine-tuned
from its classification run above::

    python tools/analysis_tools/temporal_ablation.py --form mc \\
        --modes block none --iters 600 --batch-size 32 \\
        --init-from work_dirs/temporal_ablation \\
        --work-dir work_dirs/temporal_ablation_mc

The data is generated first when ``--data-root`` has no ``meta.json``.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional

import numpy as np
from mmengine.config import DictAction

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MODES = ('block', 'none', 'flatten', 'channel_shift', 'random', 'varying')
MODE_NAMES = {
    'block': 'rolling: block (authors)',
    'none': 'time average (no rolling)',
    'flatten': 'flatten (joint attention)',
    'channel_shift': 'rolling: channel shift',
    'random': 'rolling: random slots',
    'varying': 'rolling: varying block',
}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/synthetic_motion')
    parser.add_argument('--work-dir', default='work_dirs/temporal_ablation')
    parser.add_argument(
        '--modes', nargs='+', default=None,
        help=f'built-in modes {MODES} (configs/allinone/'
        'synthetic-motion[-mc]_{mode}_ti.py) and/or paths to your own '
        'config files, e.g. one inheriting synthetic-motion_block_ti.py '
        'with your registered temporal module as model.backbone.ttr_cfg; '
        'a path is reported under its file name (default: all six for '
        '--form cls, block and none for --form mc)')
    parser.add_argument('--iters', type=int, default=2000)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--lr', type=float, default=1e-3)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--train', type=int, default=20000,
                        help='training clips generated when data is missing')
    parser.add_argument('--test', type=int, default=1000,
                        help='held-out clips generated when data is missing')
    parser.add_argument('--arch', default=None,
                        help='override the backbone arch as "dims,layers,'
                        'heads" (e.g. 32,2,2 for quick checks)')
    parser.add_argument(
        '--form', choices=('cls', 'mc'), default='cls',
        help='cls: video-only classification (synthetic-motion_{mode}_ti); '
        'mc: caption multiple choice on the joint path '
        '(synthetic-motion-mc_{mode}_ti; modes block and none)')
    parser.add_argument('--log-interval', type=int, default=100)
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={},
        help='override settings of every mode\'s config, e.g. '
        'model.backbone.linear_init_std=0.02 (the timm init that plateaus)')
    parser.add_argument(
        '--jobs', type=int, default=None,
        help='modes trained at once, each in its own process with '
        'cpu_count // jobs torch threads (default: min(#modes, #CPUs)); '
        'small models scale badly over threads, so on 2 cores two '
        'one-thread jobs finish the ablation about 1.7x sooner than one '
        'two-thread job')
    parser.add_argument(
        '--cache-dir', default=None,
        help='decoded-clip cache on disk shared by the modes (default: '
        '<data-root>/decoded_cache; "none" decodes in every process)')
    parser.add_argument(
        '--init-from', default=None,
        help='work dir of an earlier ablation: each mode starts from the '
        'last checkpoint of the same mode there (e.g. the caption '
        'multiple-choice form fine-tuned from the classification runs)')
    parser.add_argument('--no-plots', action='store_true')
    args = parser.parse_args(argv)
    if args.modes is None:
        args.modes = list(MODES) if args.form == 'cls' else ['block', 'none']
    for mode in args.modes:
        path = mode_config(mode, args.form)
        if not osp.isfile(path):
            parser.error(f'mode {mode!r}: no config {path} (built-in '
                         f'modes: {", ".join(MODES)}, or a config path)')
    names = [mode_name(m) for m in args.modes]
    if len(set(names)) != len(names):
        parser.error(f'two modes share a name: {names}')
    return args


def mode_name(mode: str) -> str:
    """Row and work-dir name: the mode, or a config file's base name."""
    return osp.splitext(osp.basename(mode))[0] if mode.endswith('.py') \
        else mode


def mode_config(mode: str, form: str = 'cls') -> str:
    """Config path of a built-in mode name, or ``mode`` if it is a path."""
    if mode.endswith('.py'):
        return mode
    prefix = 'synthetic-motion' if form == 'cls' else 'synthetic-motion-mc'
    return osp.join(REPO, 'configs', 'allinone', f'{prefix}_{mode}_ti.py')


def ensure_data(args: argparse.Namespace) -> None:
    """Generate the benchmark when ``data_root`` has none."""
    if osp.isfile(osp.join(args.data_root, 'meta.json')):
        return
    sys.path.insert(0, osp.join(REPO, 'tools', 'data', 'synthetic'))
    from generate_motion import generate
    print(f'generating {args.train} + {args.test} clips in {args.data_root}')
    generate(args.data_root, args.train, args.test, seed=args.seed)


def build_cfg(mode: str, args: argparse.Namespace):
    from mmengine.config import Config
    cfg = Config.fromfile(mode_config(mode, args.form))
    cfg.work_dir = osp.join(args.work_dir, mode_name(mode))
    cache_dir = args.cache_dir or osp.join(args.data_root, 'decoded_cache')
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = args.data_root
        for step in cfg[loader].dataset.pipeline:
            if step['type'] == 'CachedVideoInit':
                step['cache_dir'] = None if cache_dir == 'none' \
                    else cache_dir
    cfg.train_dataloader.batch_size = args.batch_size
    cfg.train_cfg.max_iters = args.iters
    cfg.train_cfg.val_interval = args.iters + 1  # test once, at the end
    cfg.val_cfg = None
    cfg.val_dataloader = None
    cfg.val_evaluator = None
    cfg.optim_wrapper.optimizer.lr = args.lr
    cfg.param_scheduler = [
        dict(type='OneCycleLR', eta_max=args.lr, total_steps=args.iters,
             by_epoch=False, pct_start=0.1)
    ]
    cfg.default_hooks.logger.interval = args.log_interval
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=args.iters, by_epoch=False,
        max_keep_ckpts=1, save_last=True)
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    if args.arch:
        dims, layers, heads = (int(x) for x in args.arch.split(','))
        cfg.model.backbone.arch = dict(embed_dims=dims, num_layers=layers,
                                       num_heads=heads, mlp_ratio=4.0)
    if args.init_from:
        pointer = osp.join(args.init_from, mode_name(mode),
                           'last_checkpoint')
        if not osp.isfile(pointer):
            raise FileNotFoundError(
                f'--init-from: no checkpoint of mode {mode_name(mode)!r} '
                f'({pointer} is missing); run that mode there first')
        with open(pointer) as f:
            cfg.load_from = f.read().strip()
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def run_mode(mode: str, args: argparse.Namespace,
             num_threads: Optional[int] = None) -> Dict:
    """Train and test one mode; returns its row of the table."""
    import torch
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    import mmallinone  # noqa: F401  (compat patches, registries)
    from mmallinone.utils import setup_runtime
    from mmengine.runner import Runner
    cfg = setup_runtime(build_cfg(mode, args), 'none')
    runner = Runner.from_cfg(cfg)
    start, cpu_start = time.perf_counter(), time.process_time()
    runner.train()
    train_time = time.perf_counter() - start
    cpu_time = time.process_time() - cpu_start
    metrics = runner.test()
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    key = 'acc/top1' if args.form == 'cls' else 'mc/acc'
    accuracy = float(metrics[key])
    if args.form == 'mc':  # MultipleChoiceMetric reports percentages
        accuracy /= 100
    return dict(
        mode=mode_name(mode),
        form=args.form,
        name=MODE_NAMES.get(mode, mode_name(mode)),
        accuracy=accuracy,
        final_train_loss=float(np.mean(losses[-100:])),
        sec_per_iter=train_time / args.iters,
        # CPU seconds of this process: on a shared machine the wall time
        # depends on the load, this does not (much)
        cpu_sec_per_iter=cpu_time / args.iters,
        train_minutes=train_time / 60,
        iters=args.iters,
        torch_threads=torch.get_num_threads(),
        loss_curve=[float(x) for x in losses])


def format_table(rows: List[Dict]) -> str:
    lines = [
        '| mode | held-out accuracy | final train loss | s / iter (wall) | '
        'CPU s / iter | train time (min) |', '|---|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f"| {r['name']} | {100 * r['accuracy']:.1f} % | "
                     f"{r['final_train_loss']:.3f} | "
                     f"{r['sec_per_iter']:.3f} | "
                     f"{r['cpu_sec_per_iter']:.3f} | "
                     f"{r['train_minutes']:.1f} |")
    return '\n'.join(lines)


def plot(rows: List[Dict], work_dir: str) -> List[str]:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    paths = []
    fig, ax = plt.subplots(figsize=(7, 3.5))
    names = [r['mode'] for r in rows]
    accs = [100 * r['accuracy'] for r in rows]
    bars = ax.bar(names, accs, color=['C0' if n != 'none' else 'C3'
                                      for n in names])
    ax.axhline(50, color='grey', linestyle='--', linewidth=1,
               label='chance')
    ax.bar_label(bars, fmt='%.1f')
    ax.set_ylabel('held-out accuracy (%)')
    ax.set_ylim(0, 105)
    ax.set_title('Synthetic motion direction: temporal modes')
    ax.legend(loc='lower right')
    fig.tight_layout()
    paths.append(osp.join(work_dir, 'ablation_accuracy.png'))
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3.5))
    for r in rows:
        curve = np.asarray(r['loss_curve'])
        k = max(1, len(curve) // 60)
        smooth = np.convolve(curve, np.ones(k) / k, mode='valid')
        ax.plot(np.arange(len(smooth)) + k, smooth, label=r['mode'])
    ax.set_xlabel('iteration')
    ax.set_ylabel('training loss (moving average)')
    ax.set_title('Learning curves')
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(osp.join(work_dir, 'ablation_curves.png'))
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    return paths


def run_modes(args: argparse.Namespace) -> List[Dict]:
    """Run every mode, ``args.jobs`` at a time; rows in ``args.modes`` order.

    With one job the modes run in this process, one after the other. With
    more, each mode runs in a fresh spawned process (its own registries,
    seed and torch thread count), so the results do not depend on ``jobs``
    beyond floating-point thread effects.
    """
    cpus = os.cpu_count() or 1
    jobs = args.jobs or min(len(args.modes), cpus)
    jobs = max(1, min(jobs, len(args.modes)))
    threads = max(1, cpus // jobs)
    print(f'{len(args.modes)} mode(s), {jobs} at a time, {threads} torch '
          f'thread(s) each', flush=True)

    def report(row: Dict) -> None:
        print(f"[{row['mode']}] held-out accuracy "
              f"{100 * row['accuracy']:.1f} % "
              f"({row['train_minutes']:.1f} min)", flush=True)

    if jobs == 1:
        rows = []
        for mode in args.modes:
            rows.append(run_mode(mode, args, threads if args.jobs else None))
            report(rows[-1])
        return rows
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    with ProcessPoolExecutor(jobs, mp_context=mp.get_context('spawn'),
                             max_tasks_per_child=1) as pool:
        futures = {pool.submit(run_mode, mode, args, threads): mode
                   for mode in args.modes}
        done = {}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            report(done[futures[future]])
    return [done[mode] for mode in args.modes]


def main(argv: Optional[List[str]] = None) -> List[Dict]:
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    ensure_data(args)
    start = time.perf_counter()
    rows = run_modes(args)
    wall_minutes = (time.perf_counter() - start) / 60
    table = format_table(rows)
    print(table)
    print(f'whole ablation: {wall_minutes:.1f} min wall')
    with open(osp.join(args.work_dir, 'ablation.json'), 'w') as f:
        json.dump(dict(args=vars(args), wall_minutes=wall_minutes,
                       results=rows), f, indent=2)
    if not args.no_plots:
        for path in plot(rows, args.work_dir):
            print(f'wrote {path}')
    return rows


if __name__ == '__main__':
    main()
