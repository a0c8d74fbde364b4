"""Clips/s of a config's training data pipeline (decode + transforms).

Builds ``train_dataloader.dataset`` of CONFIG (real decord decoding through
the mmaction2 transforms, the real tokenizer), then measures

1. per transform: mean time of each pipeline step over ``--samples``
   samples of the first (leaf) dataset, in one process;
2. per worker: clips/s of a ``torch.utils.data.DataLoader`` over the whole
   dataset with 0 (in-process), 1, 2, ... workers (``--workers``),
   warm-up excluded. A sample with ``num_false_videos=1`` decodes two clips
   (its own and a false one); both are counted.

With ``--data-paths CLIPS`` it instead compares the ways of storing and
decoding the same clips (see ``data_paths.py``): (a) raw files + decord,
(b) webdataset shards of the raw bytes with each decoder, (c) transcoded
shards, (d) JPEG frame shards, (e) keyframe-aware sampling, (f) decoding +
resizing 3 JPEGs alone, in clips/s per core, interleaved in rounds, plus
DataLoader scaling. CLIPS is a folder written by
``tools/data/synthetic/make_webvid_like_clips.py``; the shards are made
with ``tools/data/make_shards.py`` under ``--shard-dir``.

Examples::

    python tools/analysis_tools/benchmark_pipeline.py \
        configs/allinone/pretrain_ti_demo.py --samples 20 --workers 0 1 2
    python tools/analysis_tools/benchmark_pipeline.py \
        configs/allinone/pretrain_b_webvid_howto.py --cfg-options \
        train_dataloader.dataset.datasets.0.data_root=data/demo/webvid \
        train_dataloader.dataset.datasets.1.data_root=data/demo/howto100m
    python tools/analysis_tools/benchmark_pipeline.py \
        configs/allinone/pretrain_b_webvid_howto.py \
        --data-paths data/bench_clips --num-clips 100 --rounds 3 \
        --samples 10 --workers 1 2
"""
import argparse
import json
import os
import os.path as osp
import platform
import sys
import time
from collections import defaultdict
from typing import Dict, List, Optional

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import mmallinone  # noqa: E402,F401,I001  (upstream compat patches first)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='Benchmark the training data pipeline')
    parser.add_argument('config')
    parser.add_argument('--samples', type=int, default=20,
                        help='samples timed per setting (after warm-up)')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 1, 2],
                        help='dataloader worker counts to time')
    parser.add_argument('--out', help='write the results as JSON')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--data-paths', metavar='CLIPS',
                        help='compare storage / decoder paths on the clips '
                        'of this folder (make_webvid_like_clips.py)')
    parser.add_argument('--num-clips', type=int, default=100,
                        help='--data-paths: clips used')
    parser.add_argument('--rounds', type=int, default=3,
                        help='--data-paths: interleaved rounds of --samples '
                        'samples per row')
    parser.add_argument('--shard-dir', help='--data-paths: where the '
                        'shards are made (default CLIPS/shards)')
    return parser.parse_args(argv)


def _leaf(dataset):
    """The first non-wrapper dataset (ConcatDataset / RepeatDataset)."""
    while hasattr(dataset, 'datasets') or hasattr(dataset, 'dataset'):
        dataset = dataset.datasets[0] if hasattr(dataset, 'datasets') \
            else dataset.dataset
    return dataset


def clips_per_sample(dataset) -> int:
    """Clips decoded per sample (1 + ``num_false_videos``)."""
    return 1 + int(getattr(_leaf(dataset), 'num_false_videos', 0) or 0)


def per_transform(dataset, samples: int, warmup: int,
                  seed: int) -> List[Dict]:
    """Mean seconds per pipeline step on the leaf dataset."""
    leaf = _leaf(dataset)
    rng = np.random.default_rng(seed)
    times = defaultdict(list)
    names = [type(t).__name__ for t in leaf.pipeline.transforms]
    done = 0
    for i in range(samples + warmup):
        idx = int(rng.integers(len(leaf)))
        info = leaf.select_caption(
            leaf.load_sample_annotation(leaf.get_data_info(idx)))
        info.setdefault('start_index', getattr(leaf, 'start_index', 0))
        step_times = []
        for t in leaf.pipeline.transforms:
            t0 = time.perf_counter()
            info = t(info)
            step_times.append(time.perf_counter() - t0)
            if info is None:
                break
        if info is None or i < warmup:
            continue
        done += 1
        for name, dt in zip(names, step_times):
            times[name].append(dt)
    rows = []
    total = sum(float(np.sum(v)) for v in times.values()) / max(done, 1)
    for name in dict.fromkeys(names):
        ms = 1000 * float(np.sum(times[name])) / max(done, 1)
        rows.append(dict(transform=name, ms=ms,
                         share=ms / (1000 * total) if total else 0.0))
    return rows


def per_worker(dataset, workers: int, samples: int, warmup: int,
               seed: int) -> Dict:
    """Clips/s of a DataLoader with ``workers`` workers (batch 1)."""
    import torch
    from mmengine.dataset import pseudo_collate
    g = torch.Generator().manual_seed(seed)
    n = samples + warmup * max(workers, 1)
    sampler = torch.utils.data.RandomSampler(
        dataset, replacement=True, num_samples=n, generator=g)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=1, sampler=sampler, num_workers=workers,
        collate_fn=pseudo_collate,
        multiprocessing_context='fork' if workers else None)
    it = iter(loader)
    for _ in range(warmup * max(workers, 1)):
        next(it)
    t0 = time.perf_counter()
    count = 0
    for _ in it:
        count += 1
    wall = time.perf_counter() - t0
    clips = count * clips_per_sample(dataset)
    rate = clips / wall
    return dict(workers=workers, samples=count, clips=clips, wall_s=wall,
                clips_per_s=rate, clips_per_s_per_worker=rate / max(
                    workers, 1))


def main(argv: Optional[List[str]] = None) -> Dict:
    """Run the benchmark, print the tables, return the results."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmallinone.registry import DATASETS
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmallinone'))
    if args.data_paths:
        return main_data_paths(cfg, args)
    # One thread, like a dataloader worker; restored afterwards so a
    # caller in the same process keeps its own setting.
    prev_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        leaf = _leaf(dataset)
        steps = per_transform(dataset, args.samples, args.warmup, args.seed)
        print(f'dataset: {type(dataset).__name__} ({len(dataset)} samples), '
              f'{clips_per_sample(dataset)} clip(s) per sample; leaf '
              f'{type(leaf).__name__}')
        print('\n| transform | ms / sample | share |\n|---|---|---|')
        for r in steps:
            print(f"| {r['transform']} | {r['ms']:.2f} | "
                  f"{100 * r['share']:.1f} % |")
        rows = []
        for w in args.workers:
            rows.append(per_worker(dataset, w, args.samples, args.warmup,
                                   args.seed))
        print('\n| workers | samples | clips | wall s | clips/s | '
              'clips/s per worker |\n|---|---|---|---|---|---|')
        for r in rows:
            print(f"| {r['workers']} | {r['samples']} | {r['clips']} | "
                  f"{r['wall_s']:.2f} | {r['clips_per_s']:.2f} | "
                  f"{r['clips_per_s_per_worker']:.2f} |")
        skipped = getattr(leaf, 'num_skipped', 0)
        print(f'skipped samples in the main process: {skipped}')
    finally:
        torch.set_num_threads(prev_threads)
    result = dict(
        config=args.config, transforms=steps, workers=rows,
        meta=dict(machine=platform.platform(), cpus=os.cpu_count(),
                  load_avg=os.getloadavg(), samples=args.samples))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
        print(f'results written to {args.out}')
    return result


def main_data_paths(cfg, args: argparse.Namespace) -> Dict:
    """``--data-paths``: rows (a)-(f) and the DataLoader scaling."""
    import torch
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
    import data_paths
    prev_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    load_before = os.getloadavg()
    try:
        res = data_paths.run(cfg, osp.abspath(args.data_paths),
                             args.shard_dir, args.num_clips, args.samples,
                             args.rounds, args.workers, args.seed)
    finally:
        torch.set_num_threads(prev_threads)
    res['meta'] = dict(machine=platform.platform(), cpus=os.cpu_count(),
                       load_avg_before=load_before,
                       load_avg_after=os.getloadavg(),
                       num_clips=args.num_clips, rounds=args.rounds,
                       samples_per_round=args.samples)
    data_paths.print_report(res)
    print(f"load average before {load_before}, after {os.getloadavg()}")
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(res, f, indent=1)
        print(f'results written to {args.out}')
    return res


if __name__ == '__main__':
    main()
