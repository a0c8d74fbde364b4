"""Cost of temporal token rolling, and of rolling vs flattened attention.

Part 1: the time of the token-rolling layer (``TemporalTokenRoll``, every
strategy) against the transformer block it precedes, on the joint sequence
``(B*S, Lt + Lv, C)`` in inference (eval, no grad); medians of interleaved
runs. Target: the roll costs <= 3 % of the block. The authors' way of
rolling (a zero-filled copy of the whole tensor filled slice by slice) is
timed as a reference row.

Part 2: attention cost of ``temporal_mode='flatten'`` (one sequence of
``Lt + S*Lv`` tokens per clip) against rolling (``S`` sequences of
``Lt + Lv``) for S = 1..16 frames: attention MACs per layer
(``2 * C * N * L^2`` for ``N`` sequences of length ``L``: ``q k^T`` and
``attn v``; projections and MLP excluded, they grow linearly in both) for
every S, and the measured time of one block (roll included for rolling) for
the frame counts in ``--measure-frames``.

Example::

    python tools/analysis_tools/benchmark_ttr.py \\
        configs/_base_/models/allinone_b.py --out work_dirs/ttr.json
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import List, Optional

import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

TTR_TARGET = 0.03


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?',
                        default=osp.join(REPO, 'configs', '_base_', 'models',
                                         'allinone_b.py'),
                        help='model config (default: All-in-One-B)')
    parser.add_argument('--arch', default=None,
                        help='override the arch: a name or '
                        '"dims,layers,heads"')
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--frames', type=int, default=3,
                        help='S for part 1')
    parser.add_argument('--img-size', type=int, default=224)
    parser.add_argument('--text-len', type=int, default=40)
    parser.add_argument('--max-frames', type=int, default=16,
                        help='part 2: analytic cost for S = 1..max')
    parser.add_argument('--measure-frames', type=int, nargs='*',
                        default=[1, 2, 4, 8, 16],
                        help='part 2: frame counts whose block time is '
                        'measured (batch 1)')
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--out', default=None, help='write the JSON here')
    return parser.parse_args(argv)


def attention_macs(num_seqs: int, length: int, dims: int) -> int:
    """MACs of ``q k^T`` and ``attn v`` for ``num_seqs`` sequences."""
    return 2 * num_seqs * length * length * dims


def main(argv: Optional[List[str]] = None) -> dict:
    from benchmark_model import (_plain_block_roll, backbone_cfg,
                                 build_backbone, format_table, machine_info,
                                 time_pair)
    from mmallinone.registry import MODELS
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device('cpu')
    bench_args = argparse.Namespace(
        config=args.config, arch=args.arch, frames=args.frames,
        img_size=args.img_size, text_len=args.text_len,
        grad_checkpoint=False, dtype='fp32', compile=False)
    cfg = backbone_cfg(args.config, bench_args)
    model = build_backbone(cfg, device, 0).eval()
    dims, lt, s, b = model.embed_dims, args.text_len, args.frames, args.batch
    lv = model.num_extra_tokens + (args.img_size // model.patch_size)**2
    length = lt + lv
    block = model.blocks[0]
    g = torch.Generator().manual_seed(0)
    x = torch.randn(b * s, length, dims, generator=g)
    keep = torch.ones(b * s, length, dtype=torch.bool)
    attn_mask = keep[:, None, None, :]

    # ---------------------------------------------- part 1: roll vs block
    rolls = []
    with torch.no_grad():
        for strategy in ('block', 'random', 'varying', 'channel_shift'):
            roll = MODELS.build(dict(type='TemporalTokenRoll',
                                     strategy=strategy, n_div=8))
            t_roll, t_block = time_pair(
                lambda: roll(x, s, layer_idx=5, visual_start=lt),
                lambda: block(x, attn_mask=attn_mask), device, args.runs,
                args.warmup)
            rolls.append(dict(
                roll=f'TemporalTokenRoll({strategy!r})',
                roll_s=t_roll['median_s'], block_s=t_block['median_s'],
                fraction=t_roll['median_s'] / t_block['median_s']))
        # the authors' way: zero-filled copy + slice assignments
        ours = MODELS.build(dict(type='TemporalTokenRoll', strategy='block'))
        assert torch.equal(ours(x, s, visual_start=lt),
                           _plain_block_roll(x, s, lt, 8))
        t_roll, t_block = time_pair(
            lambda: _plain_block_roll(x, s, lt, 8),
            lambda: block(x, attn_mask=attn_mask), device, args.runs,
            args.warmup)
        rolls.append(dict(
            roll='zero-filled copy + slices (authors\' style, block)',
            roll_s=t_roll['median_s'], block_s=t_block['median_s'],
            fraction=t_roll['median_s'] / t_block['median_s']))
    for row in rolls[:-1]:
        row['meets_target'] = bool(row['fraction'] <= TTR_TARGET)

    # ------------------------------------- part 2: flatten vs rolling cost
    sweep = []
    for frames in range(1, args.max_frames + 1):
        roll_l, flat_l = length, lt + frames * lv
        sweep.append(dict(
            frames=frames, rolling_tokens=f'{frames} x {roll_l}',
            flatten_tokens=f'1 x {flat_l}',
            rolling_attn_gmacs=attention_macs(frames, roll_l, dims) / 1e9,
            flatten_attn_gmacs=attention_macs(1, flat_l, dims) / 1e9))
    for row in sweep:
        row['attn_ratio'] = row['flatten_attn_gmacs'] / \
            row['rolling_attn_gmacs']
    roll = model.ttr or MODELS.build(dict(type='TemporalTokenRoll'))
    with torch.no_grad():
        for frames in args.measure_frames:
            if not 1 <= frames <= args.max_frames:
                raise ValueError(f'--measure-frames {frames} is outside '
                                 f'1..{args.max_frames}')
            xr = torch.randn(frames, length, dims, generator=g)
            xf = torch.randn(1, lt + frames * lv, dims, generator=g)

            def rolling():
                block(roll(xr, frames, visual_start=lt))

            t_roll, t_flat = time_pair(rolling, lambda: block(xf), device,
                                       max(3, args.runs // 2), 1)
            row = sweep[frames - 1]
            row.update(rolling_block_s=t_roll['median_s'],
                       flatten_block_s=t_flat['median_s'],
                       time_ratio=t_flat['median_s'] / t_roll['median_s'])

    result = dict(
        config=args.config, arch=cfg['arch'], embed_dims=dims,
        batch=b, frames=s, text_len=lt, visual_tokens_per_frame=lv,
        machine=machine_info(device), target_roll_fraction=TTR_TARGET,
        roll_vs_block=rolls, flatten_vs_rolling=sweep,
        note='attention MACs per layer, one clip; block times per layer at '
        'batch 1 (rolling: roll + block on S sequences; flatten: block on '
        'one sequence)')
    print(f'\n{args.config}: arch {cfg["arch"]}, x = ({b}x{s}, {lt}+{lv}, '
          f'{dims}), {torch.get_num_threads()} threads')
    print(format_table(rolls, [('roll', 'roll layer'), ('roll_s', 'roll s'),
                               ('block_s', 'block s'),
                               ('fraction', 'roll/block'),
                               ('meets_target', '<= 3 %')]))
    print()
    print(format_table(sweep, [
        ('frames', 'S'), ('rolling_tokens', 'rolling tokens'),
        ('flatten_tokens', 'flatten tokens'),
        ('rolling_attn_gmacs', 'rolling attn GMACs'),
        ('flatten_attn_gmacs', 'flatten attn GMACs'),
        ('attn_ratio', 'attn ratio'), ('rolling_block_s', 'rolling block s'),
        ('flatten_block_s', 'flatten block s'), ('time_ratio', 'time ratio')
    ]))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'wrote {args.out}')
    return result


if __name__ == '__main__':
    main()
