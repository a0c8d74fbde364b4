"""A plain PyTorch reference loop for the synthetic motion benchmark.

No MMEngine runner, no video files, no data pipeline: clips are drawn in
memory with the generator of ``tools/data/synthetic/generate_motion.py`` and
a bare loop trains (AdamW, one-cycle, batch 64, cross-entropy). It separates
what the *model* does from what the runner and the pipeline do, which is how
the plateau of block rolling at about 75 % was traced to the position table's
init scale (docs/benchmarks.md, "Why block rolling sat at 75 %").

Two models, both with a linear head on the frame-averaged visual CLS:

- ``plain``: a minimal ViT from timm blocks with its own block roll written
  from the rule (first ``Lv // 8`` patch slots take frame ``t - 1``, last
  ``Lv // 8`` take frame ``t + 1``, CLS kept), independent of this project;
- ``allinone``: this project's ``AllInOneTransformer`` (video-only path,
  ``roll_video_only=True``) after its ``init_weights()``, as the runner
  builds it.

Example (about 15 minutes per 6000-iteration run on one core)::

    python tools/analysis_tools/motion_reference_loop.py --model allinone \\
        --pos-embed-init-std 0.2 --iters 3000
"""
import argparse
import os.path as osp
import sys
import time
from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', choices=('plain', 'allinone'),
                        default='allinone')
    parser.add_argument('--temporal', choices=('block', 'none'),
                        default='block', help='block rolling or time average')
    parser.add_argument('--arch', default='64,4,4',
                        help='width,layers,heads')
    parser.add_argument('--pos-embed-init-std', type=float, default=0.02)
    parser.add_argument('--iters', type=int, default=6000)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--lr', type=float, default=1e-3)
    parser.add_argument('--weight-decay', type=float, default=0.01)
    parser.add_argument('--train', type=int, default=20000)
    parser.add_argument('--test', type=int, default=1000)
    parser.add_argument(
        '--sampler', choices=('replacement', 'epoch'), default='replacement',
        help='batches drawn with replacement (as in the measurements of '
        'docs/benchmarks.md) or epoch shuffling (as the runner)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--eval-interval', type=int, default=500)
    parser.add_argument('--threads', type=int, default=1)
    return parser.parse_args(argv)


def make_split(num: int, seed: int) -> Tuple[Tensor, Tensor]:
    """``num`` clips ``(N, 3, 3, 8, 64)`` normalised to [-1, 1], labels."""
    sys.path.insert(0, osp.join(REPO, 'tools', 'data', 'synthetic'))
    from generate_motion import make_clip
    rng = np.random.default_rng(seed)
    clips, labels = zip(*(make_clip(rng, 8, 3, 8)[:2] for _ in range(num)))
    x = torch.from_numpy(np.stack(clips)).permute(0, 1, 4, 2, 3).float()
    return (x - 127.5) / 127.5, torch.tensor(labels)


def block_roll(x: Tensor, num_frames: int) -> Tensor:
    """``(B*S, L, C)``: CLS kept, first/last ``L // 8`` slots from t-1/t+1."""
    n, length, c = x.shape
    f = length // 8
    xv = x.view(n // num_frames, num_frames, length, c)
    out = xv.clone()
    out[:, :, 1:1 + f] = xv[:, :, 1:1 + f].roll(1, dims=1)
    out[:, :, length - f:] = xv[:, :, length - f:].roll(-1, dims=1)
    return out.view(n, length, c)


class PlainViT(nn.Module):
    """Patch 8 on 8x64 frames, learned spatial/temporal tables, timm blocks."""

    def __init__(self, dims: int, layers: int, heads: int, roll: bool,
                 pos_std: float) -> None:
        super().__init__()
        from timm.models.vision_transformer import Block
        self.roll = roll
        self.patch_embed = nn.Conv2d(3, dims, 8, 8)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dims))
        self.pos_embed = nn.Parameter(torch.zeros(1, 9, dims))
        self.temporal_embed = nn.Parameter(torch.zeros(1, 3, 1, dims))
        nn.init.trunc_normal_(self.pos_embed, std=pos_std)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        self.blocks = nn.ModuleList(
            [Block(dims, heads, 4.0, qkv_bias=True) for _ in range(layers)])
        self.norm = nn.LayerNorm(dims)

    def forward(self, imgs: Tensor) -> Tensor:
        """``(B, S, 3, 8, 64) -> (B, C)`` frame-averaged CLS."""
        b, s = imgs.shape[:2]
        x = self.patch_embed(imgs.flatten(0, 1)).flatten(2).transpose(1, 2)
        x = (x.view(b, s, 8, -1) + self.temporal_embed).flatten(0, 1)
        x = torch.cat([self.cls_token.expand(len(x), -1, -1), x], 1)
        x = x + self.pos_embed
        for blk in self.blocks:
            x = blk(block_roll(x, s) if self.roll else x)
        return self.norm(x).view(b, s, 9, -1).mean(1)[:, 0]


class AllInOneFeatures(nn.Module):
    """This project's backbone, video-only path, frame-averaged CLS."""

    def __init__(self, dims: int, layers: int, heads: int, roll: bool,
                 pos_std: float) -> None:
        super().__init__()
        sys.path.insert(0, REPO)
        from mmallinone.models.backbones import AllInOneTransformer
        self.backbone = AllInOneTransformer(
            arch=dict(embed_dims=dims, num_layers=layers, num_heads=heads),
            img_size=(8, 64), patch_size=8, num_frames=3, max_text_len=8,
            vocab_size=128, drop_rate=0.0, drop_path_rate=0.0,
            temporal_mode='rolling' if roll else 'none',
            ttr_cfg=dict(type='TemporalTokenRoll', strategy='block'),
            roll_video_only=True, linear_init_std=None,
            pos_embed_init_std=pos_std)
        self.backbone.init_weights()

    def forward(self, imgs: Tensor) -> Tensor:
        return self.backbone(imgs=imgs)['cls_token']


def main(argv: Optional[List[str]] = None) -> List[dict]:
    """Train, print and return ``{iter, loss, accuracy}`` per evaluation."""
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dims, layers, heads = (int(v) for v in args.arch.split(','))
    x_train, y_train = make_split(args.train, args.seed)
    x_test, y_test = make_split(args.test, args.seed + 1)
    features = (PlainViT if args.model == 'plain' else AllInOneFeatures)(
        dims, layers, heads, args.temporal == 'block',
        args.pos_embed_init_std)
    model = nn.Sequential(features, nn.Linear(dims, 2))
    tables = ('pos_embed', 'cls_token', 'temporal_embed', 'position_emb')
    decay = [p for n, p in model.named_parameters()
             if p.dim() >= 2 and not any(t in n for t in tables)]
    no_decay = [p for p in model.parameters()
                if not any(p is q for q in decay)]
    optim = torch.optim.AdamW(
        [dict(params=decay, weight_decay=args.weight_decay),
         dict(params=no_decay, weight_decay=0.0)], lr=args.lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        optim, args.lr, total_steps=args.iters, pct_start=0.1)
    gen = torch.Generator().manual_seed(args.seed)

    def accuracy() -> float:
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(x).argmax(1) for x in x_test.split(256)])
        model.train()
        return (pred == y_test).float().mean().item()

    order, pos, avg, start = None, 0, None, time.perf_counter()
    history = []
    for it in range(1, args.iters + 1):
        if args.sampler == 'replacement':
            idx = torch.randint(len(x_train), (args.batch_size, ),
                                generator=gen)
        else:
            if order is None or pos + args.batch_size > len(order):
                order, pos = torch.randperm(len(x_train), generator=gen), 0
            idx = order[pos:pos + args.batch_size]
            pos += args.batch_size
        loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
        optim.zero_grad()
        loss.backward()
        optim.step()
        sched.step()
        avg = loss.item() if avg is None else 0.98 * avg + 0.02 * loss.item()
        if it % args.eval_interval == 0 or it == args.iters:
            history.append(dict(iter=it, loss=avg, accuracy=accuracy()))
            print(f'iter {it}: train loss {avg:.3f}, held-out accuracy '
                  f'{history[-1]["accuracy"]:.3f}, '
                  f'{(time.perf_counter() - start) / it:.3f} s/iter',
                  flush=True)
    return history


if __name__ == '__main__':
    main()
