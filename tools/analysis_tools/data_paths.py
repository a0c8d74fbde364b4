"""Data paths of ``benchmark_pipeline.py --data-paths``: rows (a)-(f).

Every row produces the B recipe's training sample (its WebVid train
pipeline: sample 3 frames, decode, resize / random-resized-crop / flip,
tokenize, MLM-mask, pack) from the same clips, stored differently:

- (a) ``raw+decord``: loose files, ``SafeDecordInit`` + ``DecordDecode``
  (the recipe before the decoder choice);
- (b) ``shards+<decoder>``: webdataset shards of the original bytes
  (``make_shards.py --mode copy``), ``SafeVideoInit(backend=<decoder>)``;
- (c) ``transcoded+<decoder>``: shards re-encoded by ``make_shards.py
  --mode transcode`` (short side, fps and keyframe interval below);
- (d) ``frames``: frame shards (``--mode frames``, 3 JPEGs per clip) read
  with ``LoadShardFrames``;
- (e) ``keyframe+<decoder>``: (b) plus ``SnapToKeyframes`` (keyframes
  only; ``jitter2``: up to 2 frames past them), also on (c)'s shards;
- (f) ``jpeg-limit``: decoding the 3 JPEGs of a frame-shard sample and
  resizing them to 224x224 with OpenCV, nothing else (no dataset).

Rows are timed in one process on one thread, interleaved in rounds. Each
row reports wall-clock clips/s and clips per CPU-second of the process
(``time.process_time``), which is "clips/s per core" and is not inflated by
other processes competing for the cores.
"""
import json
import os
import os.path as osp
import subprocess
import sys
import tarfile
import time
from typing import Callable, Dict, List, Optional

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

#: make_shards.py options of the transcoded and frame shards.
TRANSCODE = ['--short-side', '256', '--fps', '8', '--keyint', '1']
FRAMES = ['--num-frames', '3', '--short-side', '268']
DECODERS = ('decord', 'pyav', 'torchcodec')


def recipe_pipeline(cfg) -> Dict[str, list]:
    """The B recipe's WebVid train pipeline, split around decoding.

    Returns:
        dict: ``sampler`` (the frame sampler step) and ``tail`` (the steps
        after decoding), as config dicts.
    """
    ds = cfg.train_dataloader.dataset
    leaf = ds.datasets[0] if 'datasets' in ds else ds
    steps = [dict(s) for s in leaf.pipeline]
    types = [s['type'].split('.')[-1] for s in steps]
    dec = next(i for i, t in enumerate(types) if t.endswith('Decode'))
    sampler = next(s for s, t in zip(steps, types)
                   if t in ('UniformSample', 'SampleFrames'))
    return dict(sampler=sampler, tail=steps[dec + 1:])


def make_shards(clips: str, out: str, mode: str, extra: List[str],
                num: int) -> str:
    """Pack the clips with make_shards.py (once; reused when present)."""
    if osp.isfile(osp.join(out, 'manifest.json')):
        return out
    cmd = [sys.executable, osp.join(REPO, 'tools', 'data', 'make_shards.py'),
           osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py'), out,
           '--mode', mode, '--samples-per-shard', '25', '--limit', str(num),
           '--no-check', '--cfg-options',
           f'train_dataloader.dataset.data_root={clips}',
           'train_dataloader.dataset.ann_file=annotations.jsonl'] + extra
    subprocess.run(cmd, check=True, cwd=REPO,
                   env=dict(os.environ, PYTHONPATH=REPO))
    return out


def _frame_jpegs(shard_dir: str) -> List[List[bytes]]:
    """The JPEG members of every frame-shard sample, in order."""
    samples: Dict[str, Dict[int, bytes]] = {}
    for name in sorted(os.listdir(shard_dir)):
        if not name.endswith('.tar'):
            continue
        with tarfile.open(osp.join(shard_dir, name)) as tf:
            for m in tf.getmembers():
                base = osp.basename(m.name)
                parts = base.split('.')
                if len(parts) == 3 and parts[2] == 'jpg':
                    samples.setdefault(m.name.split('.')[0], {})[int(
                        parts[1])] = tf.extractfile(m).read()
    return [[v[k] for k in sorted(v)] for v in samples.values()]


def build_rows(cfg, clips: str, work: str, num: int,
               decoders=DECODERS) -> Dict[str, Callable[[int], object]]:
    """One ``f(i) -> sample`` per row; ``len`` of each in ``rows.n``."""
    from mmallinone.datasets.transforms.video_readers import \
        available_backends
    from mmallinone.registry import DATASETS
    parts = recipe_pipeline(cfg)
    sampler, tail = parts['sampler'], parts['tail']
    decoders = [d for d in decoders if d in available_backends()]
    common = dict(num_false_videos=0)

    def video_pipe(init, decode='VideoDecode', snap=None):
        snaps = [] if snap is None else [dict(type='SnapToKeyframes',
                                              max_jitter=snap)]
        return [init, sampler] + snaps + [dict(type=decode)] + tail

    rows: Dict[str, Callable] = {}
    sizes: Dict[str, int] = {}

    def add(name, dataset):
        sizes[name] = len(dataset)
        rows[name] = dataset.__getitem__

    raw = DATASETS.build(dict(
        type='VideoTextDataset', data_root=clips,
        ann_file='annotations.jsonl', indices=num,
        pipeline=video_pipe(dict(type='SafeDecordInit'),
                            'mmaction.DecordDecode'), **common))
    if 'decord' in decoders:
        add('(a) raw+decord', raw)
    copy = make_shards(clips, osp.join(work, 'copy'), 'copy', [], num)
    trans = make_shards(clips, osp.join(work, 'transcode'), 'transcode',
                        TRANSCODE, num)
    frames = make_shards(clips, osp.join(work, 'frames'), 'frames', FRAMES,
                         num)

    def shard_ds(folder, pipeline):
        return DATASETS.build(dict(
            type='VideoTextShardDataset', shards=osp.join(folder, '*.tar'),
            ann_index=False, pipeline=pipeline, **common))

    for d in decoders:
        add(f'(b) shards+{d}', shard_ds(copy, video_pipe(
            dict(type='SafeVideoInit', backend=d))))
    for d in decoders:
        add(f'(c) transcoded+{d}', shard_ds(trans, video_pipe(
            dict(type='SafeVideoInit', backend=d))))
    add('(d) frames', shard_ds(frames, [dict(
        type='LoadShardFrames', clip_len=sampler.get('clip_len', 3))] +
        tail))
    for d in decoders:
        add(f'(e) keyframe+{d}', shard_ds(copy, video_pipe(
            dict(type='SafeVideoInit', backend=d), snap=0)))
    add('(e) keyframe+jitter2+pyav', shard_ds(copy, video_pipe(
        dict(type='SafeVideoInit', backend='pyav'), snap=2)))
    for d in decoders:
        add(f'(e) keyframe+transcoded+{d}', shard_ds(trans, video_pipe(
            dict(type='SafeVideoInit', backend=d), snap=0)))
    jpegs = _frame_jpegs(frames)

    def jpeg_limit(i):
        import cv2
        return [cv2.resize(cv2.imdecode(np.frombuffer(b, np.uint8),
                                        cv2.IMREAD_COLOR), (224, 224),
                           interpolation=cv2.INTER_LINEAR)
                for b in jpegs[i]]

    sizes['(f) jpeg-limit'] = len(jpegs)
    rows['(f) jpeg-limit'] = jpeg_limit
    return rows, sizes, dict(copy=copy, transcode=trans, frames=frames)


def time_rows(rows: Dict[str, Callable], sizes: Dict[str, int],
              per_round: int, rounds: int, seed: int = 0) -> List[Dict]:
    """Interleaved timing: each round runs ``per_round`` samples per row."""
    rng = np.random.default_rng(seed)
    wall = {k: 0. for k in rows}
    cpu = {k: 0. for k in rows}
    count = {k: 0 for k in rows}
    failed = {k: 0 for k in rows}
    for name, fn in rows.items():  # warm-up (imports, first opens)
        fn(0)
    for _ in range(rounds):
        picks = rng.integers(0, 1 << 30, size=per_round)
        for name, fn in rows.items():
            idx = [int(p % sizes[name]) for p in picks]
            c0, t0 = time.process_time(), time.perf_counter()
            for i in idx:
                if fn(i) is None:
                    failed[name] += 1
            wall[name] += time.perf_counter() - t0
            cpu[name] += time.process_time() - c0
            count[name] += len(idx)
    out = []
    for name, fn in rows.items():
        ds = getattr(fn, '__self__', None)
        out.append(dict(row=name, clips=count[name], failed=failed[name],
                        skipped=getattr(ds, 'num_skipped', 0),
                        wall_s=wall[name], cpu_s=cpu[name],
                        clips_per_s=count[name] / wall[name],
                        clips_per_cpu_s=count[name] / cpu[name]))
    return out


def shard_sizes(dirs: Dict[str, str], clips: str, num: int) -> Dict:
    """Bytes per clip of each storage."""
    out = {}
    vids = [json.loads(x)['video'] for x in
            open(osp.join(clips, 'annotations.jsonl'))][:num]
    out['raw'] = sum(osp.getsize(osp.join(clips, v)) for v in vids) / len(
        vids)
    for k, d in dirs.items():
        total = sum(osp.getsize(osp.join(d, f)) for f in os.listdir(d)
                    if f.endswith('.tar'))
        out[k] = total / len(vids)
    return out


def run(cfg, clips: str, work: Optional[str], num: int, per_round: int,
        rounds: int, workers: List[int], seed: int = 0) -> Dict:
    """Build the rows, time them, time the DataLoader scaling."""
    import cv2
    import torch
    from benchmark_pipeline import per_worker
    cv2.setNumThreads(1)
    work = work or osp.join(clips, 'shards')
    rows, sizes, dirs = build_rows(cfg, clips, work, num)
    table = time_rows(rows, sizes, per_round, rounds, seed)
    base = next((r for r in table if r['row'].startswith('(a)')), None)
    limit = next(r for r in table if r['row'].startswith('(f)'))
    for r in table:
        r['x_a'] = r['clips_per_cpu_s'] / base['clips_per_cpu_s'] \
            if base else None
        r['f_over'] = limit['clips_per_cpu_s'] / r['clips_per_cpu_s']
    scaling = []
    # DataLoader scaling of (a), the fastest video shard row and (d)
    video = [r for r in table if r['row'][:3] in ('(b)', '(c)', '(e)')]
    best = max(video, key=lambda r: r['clips_per_cpu_s'])['row']
    from mmallinone.registry import DATASETS  # noqa: F401
    for name in [n for n in ('(a) raw+decord', best, '(d) frames')
                 if n in rows]:
        dataset = rows[name].__self__
        for w in workers:
            res = per_worker(dataset, w, per_round * 2, 1, seed)
            res['row'] = name
            scaling.append(res)
    torch.set_num_threads(1)
    return dict(rows=table, scaling=scaling,
                bytes_per_clip=shard_sizes(dirs, clips, num),
                transcode=TRANSCODE, frames=FRAMES)


def print_report(res: Dict) -> None:
    """Markdown tables of :func:`run`'s result."""
    print('\n| row | clips | clips/s (wall) | clips/s per core (CPU) | '
          'x row (a) | (f) / row |\n|---|---|---|---|---|---|')
    for r in res['rows']:
        xa = f"{r['x_a']:.1f}" if r['x_a'] else '-'
        print(f"| {r['row']} | {r['clips']} | {r['clips_per_s']:.1f} | "
              f"{r['clips_per_cpu_s']:.1f} | {xa} | {r['f_over']:.2f} |")
    print('\n| row | workers | clips | wall s | clips/s |\n|---|---|---|---|'
          '---|')
    for r in res['scaling']:
        print(f"| {r['row']} | {r['workers']} | {r['clips']} | "
              f"{r['wall_s']:.1f} | {r['clips_per_s']:.1f} |")
    print('\nbytes per clip: ' + ', '.join(
        f'{k} {v / 1e3:.0f} kB' for k, v in res['bytes_per_clip'].items()))
