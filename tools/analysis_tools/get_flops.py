"""Parameters and FLOPs of the All-in-One backbone per path (MMEngine).

Counts with MMEngine's ``FlopAnalyzer`` (``mmengine.analysis``, the fvcore
counter traced with ``torch.jit``) for the joint, video-only and text-only
paths of the backbone built from CONFIG, at one sample.

Convention: like fvcore and MMEngine, one "flop" here is one fused
multiply-add, i.e. the numbers are **MACs** (GMACs); multiply by 2 for
floating-point operations. MMEngine has no handle for
``aten::scaled_dot_product_attention`` and would skip the attention
products; this tool registers one (``q k^T`` and ``attn v``:
``B * heads * Lq * Lk * (d_qk + d_v)`` MACs), so the attention matrices are
counted as in the authors' explicit ``q @ k^T`` code. Element-wise ops
(softmax, GELU, adds) are not counted (fvcore convention); layer norms are
(MMEngine's handle). Ops still without a handle are listed.

Token counts per frame: ``Lt`` text tokens and ``Lv = 1 + (H/p)(W/p)``
visual tokens; the joint path runs ``S`` sequences of ``Lt + Lv`` tokens
(the text is joined to every frame), the video path ``S`` sequences of
``Lv``, the text path one sequence of ``Lt``.

The All-in-One paper reports 58.7 GFLOPs for B with 3 frames (their table
of model FLOPs); the comparison row states our count next to it.

Example::

    python tools/analysis_tools/get_flops.py \\
        configs/_base_/models/allinone_b.py --out work_dirs/flops_b.json
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import List, Optional

import torch
from torch import nn

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

PATHS = ('joint', 'video', 'text')
PAPER_GFLOPS_B_3F = 58.7


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='model or task config')
    parser.add_argument('--arch', default=None,
                        help='override the backbone arch: a name or '
                        '"dims,layers,heads"')
    parser.add_argument('--frames', type=int, default=3)
    parser.add_argument('--img-size', type=int, default=224)
    parser.add_argument('--text-len', type=int, default=40)
    parser.add_argument('--paths', nargs='+', choices=PATHS,
                        default=list(PATHS))
    parser.add_argument('--show-table', action='store_true',
                        help='print MMEngine\'s per-module table too')
    parser.add_argument('--out', default=None, help='write the JSON here')
    return parser.parse_args(argv)


class _PathWrapper(nn.Module):
    """Exposes one backbone path as ``forward(*tensors) -> Tensor(s)``."""

    def __init__(self, backbone: nn.Module, path: str) -> None:
        super().__init__()
        self.backbone = backbone
        self.path = path

    def forward(self, *inputs):
        if self.path == 'joint':
            return self.backbone.forward_joint(*inputs)
        if self.path == 'video':
            return self.backbone.forward_video(*inputs)
        return self.backbone.forward_text(*inputs)


def sdpa_flop_jit(inputs: list, outputs: list) -> int:
    """MACs of ``scaled_dot_product_attention(q, k, v)``: two products."""
    from mmengine.analysis.jit_handles import get_shape
    q, k, v = (get_shape(inputs[i]) for i in range(3))
    batch = 1
    for d in q[:-2]:
        batch *= d
    lq, dqk = q[-2], q[-1]
    lk, dv = k[-2], v[-1]
    return batch * lq * lk * (dqk + dv)


def count(backbone: nn.Module, path: str, inputs: tuple,
          show_table: bool = False) -> dict:
    """MACs, parameters and unsupported ops of one path."""
    from mmengine.analysis import FlopAnalyzer, parameter_count
    from mmengine.analysis.print_helper import complexity_stats_table
    model = _PathWrapper(backbone, path).eval()
    analyzer = FlopAnalyzer(model, inputs)
    analyzer.set_op_handle('aten::scaled_dot_product_attention',
                           sdpa_flop_jit)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    with torch.no_grad():
        total = analyzer.total()
        by_op = dict(analyzer.by_operator())
    used = _used_params(backbone, path)
    res = dict(path=path, macs=total, gmacs=total / 1e9,
               gflops_2x=2 * total / 1e9, params=used,
               by_operator={k: int(v) for k, v in by_op.items()},
               attention_macs=int(by_op.get('scaled_dot_product_attention',
                                            0)),
               unsupported_ops={k: int(v) for k, v in
                                analyzer.unsupported_ops().items()},
               params_total=parameter_count(backbone)[''])
    if show_table:
        print(complexity_stats_table(flops=analyzer, max_depth=2))
    return res


def _used_params(backbone: nn.Module, path: str) -> int:
    """Parameters a path reads (the other modality's embeddings excluded)."""
    skip = {
        'video': ('text_embeddings.', ),
        'text': ('patch_embed.', 'pos_embed', 'cls_token', 'temporal_embed',
                 'dist_token'),
        'joint': (),
    }[path]
    return sum(p.numel() for n, p in backbone.named_parameters()
               if not n.startswith(skip))


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
    from benchmark_model import backbone_cfg, build_backbone
    bench_args = argparse.Namespace(
        config=args.config, arch=args.arch, frames=args.frames,
        img_size=args.img_size, text_len=args.text_len,
        grad_checkpoint=False, dtype='fp32', compile=False)
    cfg = backbone_cfg(args.config, bench_args)
    backbone = build_backbone(cfg, torch.device('cpu'), 0).eval()
    vocab = backbone.text_embeddings.word_embeddings.num_embeddings
    imgs = torch.randn(1, args.frames, 3, args.img_size, args.img_size)
    ids = torch.randint(1000 % vocab, vocab, (1, args.text_len))
    mask = torch.ones(1, args.text_len, dtype=torch.long)
    lv = backbone.num_extra_tokens + (args.img_size // backbone.patch_size)**2
    lt = args.text_len
    s = args.frames
    flatten = backbone.temporal_mode == 'flatten'
    tokens = dict(
        joint=(f'1 x ({lt} + {s}x{lv})' if flatten else
               f'{s} x ({lt} + {lv}) = {s * (lt + lv)}'),
        video=(f'1 x {s}x{lv}' if flatten else f'{s} x {lv} = {s * lv}'),
        text=f'1 x {lt}')
    inputs = dict(joint=(imgs, ids, mask), video=(imgs, ), text=(ids, mask))
    rows = []
    for path in args.paths:
        row = count(backbone, path, inputs[path], args.show_table)
        row['tokens'] = tokens[path]
        rows.append(row)
    result = dict(
        config=args.config, arch=cfg['arch'], frames=s,
        img_size=args.img_size, text_len=lt, visual_tokens_per_frame=lv,
        temporal_mode=backbone.temporal_mode,
        convention='MACs (one fused multiply-add = 1, fvcore/MMEngine); '
        'FLOPs = 2 x MACs; attention products counted via an SDPA handle; '
        'element-wise ops not counted',
        rows=rows)
    joint = next((r for r in rows if r['path'] == 'joint'), None)
    is_b = backbone.embed_dims == 768 and backbone.num_layers == 12
    if joint is not None and is_b and s == 3 and args.img_size == 224:
        result['paper'] = dict(
            reported_gflops=PAPER_GFLOPS_B_3F, ours_gmacs=joint['gmacs'],
            ratio_ours_gmacs_to_paper=joint['gmacs'] / PAPER_GFLOPS_B_3F)
    print(f'\n{args.config}: arch {cfg["arch"]}, {s} frames of '
          f'{args.img_size}^2, {lt} text tokens, {lv} visual tokens/frame')
    header = (f'{"path":6s} {"params (M)":>10s} {"GMACs":>9s} '
              f'{"GFLOPs=2xMAC":>12s} {"attn GMACs":>10s}  tokens')
    print(header)
    print('-' * len(header))
    for r in rows:
        print(f'{r["path"]:6s} {r["params"] / 1e6:10.2f} {r["gmacs"]:9.4g} '
              f'{r["gflops_2x"]:12.4g} {r["attention_macs"] / 1e9:10.4g}  '
              f'{r["tokens"]}')
        if r['unsupported_ops']:
            print(f'       not counted: {r["unsupported_ops"]}')
    print(f'convention: {result["convention"]}')
    if 'paper' in result:
        p = result['paper']
        print(f'paper: {p["reported_gflops"]} G for B with 3 frames; ours '
              f'{p["ours_gmacs"]:.1f} GMACs on the joint path '
              f'({p["ratio_ours_gmacs_to_paper"]:.2f}x)')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'wrote {args.out}')
    return result


if __name__ == '__main__':
    main()
