"""Speed and peak memory of the All-in-One backbone, per path and mode.

Measures the joint (video + text), video-only and text-only paths of the
backbone built from CONFIG (``model.backbone``, or ``model`` itself when it is
the backbone), in inference (``torch.no_grad``, eval mode) and as one training
step (train mode: forward, a scalar loss on the output features, backward,
AdamW step). Each number is the median of ``--runs`` timed calls after
``--warmup`` untimed ones (compilation, allocator warm-up and the optimizer's
state allocation happen there).

Peak memory is measured in a separate call after the timed ones:

* CUDA: ``torch.cuda.max_memory_allocated()`` minus the memory allocated
  before the call (weights, optimizer state and inputs excluded).
* CPU: ``torch.profiler`` with ``profile_memory=True``; the allocation and
  free events of the call are summed in time order and the peak of that
  running sum is reported (bytes of tensors allocated by the call and alive
  at the same time; weights, optimizer state and inputs excluded).
  ``tracemalloc`` does not see torch's allocator and the process RSS never
  goes down, so neither is used.

Comparison rows (``--compare``), on the same machine in the same run:

* ``text-once``: the text-only path (one text pass) against the authors' way
  (the text repeated for each of the S frames, encoded, then averaged); the
  outputs are checked to match. Target >= 2.8x at S = 3.
* ``baseline``: the joint forward against a plain implementation written
  below (:func:`plain_joint_forward`): explicit ``softmax(q k^T) v``
  attention, a Python loop over samples and frames when embedding
  positions, token rolling with a zero-filled copy, the same weights; the
  outputs are checked to match. Target >= 1.5x for B, 3x224^2, 40 tokens,
  fp32 on CPU.
* ``cp``: training step of the joint path with and without activation
  checkpointing (``with_cp``), same weights: peak memory ratio (target
  <= 0.6) and time ratio.

Example::

    python tools/analysis_tools/benchmark_model.py \\
        configs/_base_/models/allinone_b.py --batch 2 --compare text-once \\
        baseline --out work_dirs/benchmark_model.json
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import sys
import time
from typing import Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

PATHS = ('joint', 'video', 'text')
MODES = ('infer', 'train')
COMPARISONS = ('text-once', 'baseline', 'cp')
DTYPES = {'fp32': None, 'bf16': 'bfloat16', 'fp16': 'float16'}
TARGETS = {'text-once': ('speedup', '>=', 2.8),
           'baseline': ('speedup', '>=', 1.5),
           'cp': ('peak_memory_ratio', '<=', 0.6)}
MEMORY_METHOD = {
    'cpu': 'torch.profiler allocation/free events: peak of the running sum '
           'during one call (weights, optimizer state, inputs excluded)',
    'cuda': 'torch.cuda.max_memory_allocated() minus memory allocated '
            'before the call (weights, optimizer state, inputs excluded)',
}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='model or task config')
    parser.add_argument('--arch', default=None,
                        help='override the backbone arch: a name (tiny, '
                        'small, base, large) or "dims,layers,heads"')
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--frames', type=int, default=3)
    parser.add_argument('--img-size', type=int, default=224)
    parser.add_argument('--text-len', type=int, default=40)
    parser.add_argument('--dtype', choices=tuple(DTYPES), default='fp32',
                        help='bf16/fp16 run the backbone under torch.autocast '
                        '(autocast_dtype)')
    parser.add_argument('--device', default=None,
                        help='cpu or cuda (default: cuda when available)')
    parser.add_argument('--compile', action='store_true',
                        help='compile every block (compile_cfg=dict())')
    parser.add_argument('--grad-checkpoint', action='store_true',
                        help='activation checkpointing per block (with_cp)')
    parser.add_argument('--paths', nargs='*', choices=PATHS,
                        default=list(PATHS),
                        help='paths to time (none: comparisons only)')
    parser.add_argument('--modes', nargs='+', choices=MODES,
                        default=list(MODES))
    parser.add_argument('--compare', nargs='*', choices=COMPARISONS,
                        default=[], help='comparison rows to add')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the peak memory measurement')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch.set_num_threads (default: torch default)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', default=None, help='write the JSON here')
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0 or args.batch < 1 or \
            args.frames < 1:
        parser.error('--runs, --batch and --frames must be >= 1 and '
                     '--warmup >= 0')
    return args


# --------------------------------------------------------------------- build
def parse_arch(arch: Optional[str]):
    """``'base'`` stays a name; ``'32,2,2'`` becomes an arch dict."""
    if arch is None or ',' not in arch:
        return arch
    try:
        dims, layers, heads = (int(v) for v in arch.split(','))
    except ValueError:
        raise ValueError(f'--arch {arch!r}: expected a name or '
                         '"dims,layers,heads"') from None
    return dict(embed_dims=dims, num_layers=layers, num_heads=heads)


def backbone_cfg(config: str, args: argparse.Namespace, **overrides) -> dict:
    """The backbone config of CONFIG with the benchmark's overrides."""
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    if 'model' not in cfg:
        raise KeyError(f'{config} has no `model`')
    model = cfg.model
    bb = model.get('backbone', model)
    if bb.get('type') not in ('AllInOneTransformer',
                              'mmallinone.AllInOneTransformer'):
        raise ValueError(f'{config}: the backbone is {bb.get("type")!r}; '
                         'this tool benchmarks AllInOneTransformer')
    bb = bb.to_dict() if hasattr(bb, 'to_dict') else dict(bb)
    bb.pop('init_cfg', None)  # random weights: speed does not depend on them
    if args.arch is not None:
        bb['arch'] = parse_arch(args.arch)
    bb['num_frames'] = args.frames
    bb['img_size'] = args.img_size
    bb['max_text_len'] = max(bb.get('max_text_len', 40), args.text_len)
    bb['with_cp'] = args.grad_checkpoint
    bb['autocast_dtype'] = DTYPES[args.dtype]
    if args.compile:
        bb['compile_cfg'] = dict()
    bb.update(overrides)
    return bb


def build_backbone(cfg: dict, device: torch.device, seed: int):
    import mmallinone  # noqa: F401  (registers the modules)
    from mmengine.logging import MMLogger
    from mmallinone.registry import MODELS

    # keep init_weights' per-parameter INFO lines out of the report
    name = 'mmallinone_benchmark'
    if MMLogger.check_instance_created(name):
        MMLogger.get_instance(name)  # make it the current instance
    else:
        MMLogger.get_instance(name, log_level='WARNING')
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    model.init_weights()
    return model.to(device)


def make_inputs(args: argparse.Namespace, vocab_size: int,
                device: torch.device) -> Tuple[Tensor, Tensor, Tensor]:
    """Random frames ``(B, S, 3, H, W)``, ids and mask ``(B, Lt)``."""
    g = torch.Generator().manual_seed(args.seed)
    imgs = torch.randn(args.batch, args.frames, 3, args.img_size,
                       args.img_size, generator=g)
    ids = torch.randint(1000 % vocab_size, vocab_size,
                        (args.batch, args.text_len), generator=g)
    ids[:, 0] = 101 % vocab_size
    mask = torch.ones(args.batch, args.text_len, dtype=torch.long)
    # half the batch padded to 3/4 of the length: padding is exercised
    mask[::2, args.text_len * 3 // 4:] = 0
    return imgs.to(device), ids.to(device), mask.to(device)


def path_fn(model, path: str, imgs: Tensor, ids: Tensor,
            mask: Tensor) -> Callable[[], Tensor]:
    """A call of one path returning one tensor (features concatenated)."""
    if path == 'joint':
        return lambda: torch.cat(model.forward_joint(imgs, ids, mask), 1)
    if path == 'video':
        return lambda: model.forward_video(imgs)
    return lambda: model.forward_text(ids, mask)


# -------------------------------------------------------------------- timing
def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def time_calls(fn: Callable, device: torch.device, runs: int,
               warmup: int) -> Dict[str, float]:
    """Median (and min/max) seconds of ``runs`` calls after ``warmup``."""
    first = None
    for i in range(warmup):
        t0 = time.perf_counter()
        fn()
        _sync(device)
        if i == 0:
            first = time.perf_counter() - t0
    times = []
    for _ in range(runs):
        _sync(device)
        t0 = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - t0)
    if not times:
        return dict(first_call_s=first)
    return dict(median_s=statistics.median(times), min_s=min(times),
                max_s=max(times), first_call_s=first, runs=runs)


def time_pair(fast: Callable, slow: Callable, device: torch.device,
              runs: int, warmup: int) -> Tuple[dict, dict]:
    """Time two callables interleaved (fast, slow, fast, ...).

    On a shared machine the load changes during a run; alternating the two
    calls lets both medians see the same conditions.
    """
    fast_t = time_calls(fast, device, 0, warmup) if warmup else {}
    slow_t = time_calls(slow, device, 0, warmup) if warmup else {}
    times = ([], [])
    for _ in range(runs):
        for fn, out in zip((fast, slow), times):
            _sync(device)
            t0 = time.perf_counter()
            fn()
            _sync(device)
            out.append(time.perf_counter() - t0)
    res = []
    for first, ts in zip((fast_t, slow_t), times):
        res.append(dict(median_s=statistics.median(ts), min_s=min(ts),
                        max_s=max(ts), first_call_s=first.get('first_call_s'),
                        runs=runs))
    return res[0], res[1]


def _profiler_peak_bytes(prof) -> Optional[int]:
    """Peak of the running sum of the allocations recorded by ``prof``."""
    try:
        from torch._C._profiler import _EventType
        tree = prof.profiler.kineto_results.experimental_event_tree()
    except (AttributeError, ImportError):  # private API moved
        return None
    events = []
    stack = list(tree)
    while stack:
        node = stack.pop()
        if node.tag == _EventType.Allocation:
            events.append((node.start_time_ns, node.extra_fields.alloc_size))
        stack.extend(node.children)
    events.sort()
    cur = peak = 0
    for _, size in events:
        cur += size
        peak = max(peak, cur)
    return peak


def peak_memory(fn: Callable, device: torch.device) -> Optional[float]:
    """Peak extra memory (MiB) of one call of ``fn`` (see module doc)."""
    if device.type == 'cuda':
        _sync(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        fn()
        _sync(device)
        return (torch.cuda.max_memory_allocated(device) - before) / 2**20
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU],
                 profile_memory=True) as prof:
        fn()
    peak = _profiler_peak_bytes(prof)
    return None if peak is None else peak / 2**20


def make_step(model, path: str, mode: str, inputs: Tuple[Tensor, ...]
              ) -> Callable[[], None]:
    """One inference call or one training step of ``path``."""
    forward = path_fn(model, path, *inputs)
    if mode == 'infer':
        model.eval()

        def infer():
            with torch.no_grad():
                forward()

        return infer
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=1e-5)

    def train():
        optim.zero_grad(set_to_none=True)
        loss = forward().float().pow(2).mean()
        loss.backward()
        optim.step()

    return train


# ------------------------------------------------------------ plain baseline
def plain_joint_forward(model, imgs: Tensor, ids: Tensor,
                        mask: Tensor) -> Tuple[Tensor, Tensor]:
    """The joint forward written plainly, with ``model``'s weights (eval).

    Explicit ``softmax(q k^T / sqrt(d)) v`` attention with a ``-inf`` key
    mask, position/temporal/modality embeddings added in a Python loop over
    samples and frames, the block roll (``strategy='block'``) as a
    zero-filled copy plus slice assignments, the text repeated per frame.
    Only the configurations the benchmark uses are supported (raster patch
    order, no distillation token, ``'rolling'`` with ``'block'`` or
    ``'none'``, input at the size the position table is built for).
    """
    if model.patch_order != 'raster' or model.dist_token is not None or \
            model.temporal_mode == 'flatten':
        raise ValueError('plain_joint_forward supports raster patch order, '
                         'no distillation token and rolling/none modes')
    if model.ttr is not None and model.ttr.strategy != 'block':
        raise ValueError('plain_joint_forward rolls with the block strategy '
                         f'only, not {model.ttr.strategy!r}')
    b, s = imgs.shape[:2]
    c = model.embed_dims
    # ---- text: word + position + BERT type 0, LayerNorm, + modality 0
    te = model.text_embeddings
    lt = ids.shape[1]
    text = te.word_embeddings.weight[ids] + \
        te.position_embeddings.weight[:lt] + te.token_type_embeddings.weight[0]
    text = F.layer_norm(text, (c, ), te.LayerNorm.weight, te.LayerNorm.bias,
                        te.LayerNorm.eps)
    text = text + model.token_type_embeddings.weight[0]
    # ---- video: per sample, per frame
    proj = model.patch_embed.proj
    pos = model.pos_embed[0]  # (1 + P, C)
    if pos.shape[0] != 1 + (imgs.shape[-2] // model.patch_size) * (
            imgs.shape[-1] // model.patch_size):
        raise ValueError('plain_joint_forward needs the input size the '
                         'position table is built for')
    frames = []
    for i in range(b):
        for t in range(s):
            x = F.conv2d(imgs[i, t:t + 1], proj.weight, proj.bias,
                         stride=proj.stride)  # (1, C, Hp, Wp)
            x = x.flatten(2)[0].t()  # (P, C)
            x = x + pos[1:]
            if model.temporal_embed is not None and s > 1:
                x = x + model.temporal_embed[0, t]
            cls = model.cls_token[0] + pos[:1]
            x = torch.cat([cls, x], 0) + model.token_type_embeddings.weight[1]
            frames.append(x)
    video = torch.stack(frames)  # (B*S, Lv, C)
    lv = video.shape[1]
    x = torch.cat([text.repeat_interleave(s, 0), video], 1)
    keep = torch.cat([mask.bool().repeat_interleave(s, 0),
                      mask.new_ones(b * s, lv, dtype=torch.bool)], 1)
    n_div = model.ttr.n_div if model.ttr is not None else None
    for li, blk in enumerate(model.blocks):
        if n_div is not None and s > 1 and li >= model.ttr_start_block:
            x = _plain_block_roll(x, s, lt, n_div)
        x = x + _plain_attention(blk.attn, blk.norm1(x), keep)
        x = x + blk.mlp.fc2(F.gelu(blk.mlp.fc1(blk.norm2(x))))
    x = model.norm(x).view(b, s, lt + lv, c).mean(1)
    return x[:, :lt], x[:, lt:]


def _plain_block_roll(x: Tensor, s: int, lt: int, n_div: int) -> Tensor:
    """Authors'-style roll: a zero-filled copy filled slice by slice."""
    n, length, c = x.shape
    xv = x.view(n // s, s, length, c)
    lv = length - lt
    f = lv // n_div
    out = torch.zeros_like(xv)
    out[:, :, :lt + 1] = xv[:, :, :lt + 1]  # text and visual CLS
    out[:, :, lt + 1:lt + 1 + f] = xv[:, :, lt + 1:lt + 1 + f].roll(1, 1)
    out[:, :, lt + 1 + f:length - f] = xv[:, :, lt + 1 + f:length - f]
    out[:, :, length - f:] = xv[:, :, length - f:].roll(-1, 1)
    return out.view(n, length, c)


def _plain_attention(attn, x: Tensor, keep: Tensor) -> Tensor:
    """``softmax(q k^T / sqrt(d)) v`` with masked keys set to -inf."""
    n, length, c = x.shape
    h = attn.num_heads
    qkv = attn.qkv(x).view(n, length, 3, h, c // h).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    scores = q @ k.transpose(-2, -1) * (c // h)**-0.5
    scores = scores.masked_fill(~keep[:, None, None, :], float('-inf'))
    out = scores.softmax(-1) @ v  # (N, h, L, d)
    return attn.proj(out.transpose(1, 2).reshape(n, length, c))


def text_per_frame(model, ids: Tensor, mask: Tensor, s: int) -> Tensor:
    """The authors' text-only path: the text encoded once per frame."""
    b, lt = ids.shape
    x = model.embed_text(ids).repeat_interleave(s, 0)
    m = mask.bool().repeat_interleave(s, 0)
    return model._run_blocks(x, m).view(b, s, lt, -1).mean(1)


# ---------------------------------------------------------------- comparisons
def _compare_row(name: str, fast: dict, slow: dict, **extra) -> dict:
    metric, op, target = TARGETS[name]
    row = dict(name=name, fast_s=fast['median_s'], slow_s=slow['median_s'],
               speedup=slow['median_s'] / fast['median_s'], **extra)
    value = row.get(metric)
    row['target'] = f'{metric} {op} {target}'
    if value is not None:
        row['meets_target'] = bool(value >= target if op == '>=' else
                                   value <= target)
    return row


def compare_text_once(model, inputs, args, device) -> dict:
    _, ids, mask = inputs
    model.eval()
    with torch.no_grad():
        once = model.forward_text(ids, mask)
        per_frame = text_per_frame(model, ids, mask, args.frames).float()
        diff = (once - per_frame).abs().max().item()

        def fast():
            model.forward_text(ids, mask)

        def slow():
            text_per_frame(model, ids, mask, args.frames)

        t_fast, t_slow = time_pair(fast, slow, device, args.runs,
                                   args.warmup)
    return _compare_row('text-once', t_fast, t_slow,
                        ours='text-only path (text once)',
                        reference=f'text once per frame (S={args.frames}), '
                        'averaged', max_abs_diff=diff,
                        outputs_match=bool(diff < 1e-4))


def compare_baseline(model, inputs, args, device) -> dict:
    imgs, ids, mask = inputs
    model.eval()
    with torch.no_grad():
        ours = torch.cat(model.forward_joint(imgs, ids, mask), 1)
        plain = torch.cat(plain_joint_forward(model, imgs, ids, mask), 1)
        diff = (ours - plain).abs().max().item()
        t_fast, t_slow = time_pair(
            lambda: model.forward_joint(imgs, ids, mask),
            lambda: plain_joint_forward(model, imgs, ids, mask), device,
            args.runs, args.warmup)
    return _compare_row('baseline', t_fast, t_slow,
                        ours='joint forward (SDPA, vectorised embeddings, '
                        'gather roll)',
                        reference='plain: softmax(q k^T) v, per-sample '
                        'embedding loop, zero-filled roll copy',
                        max_abs_diff=diff, outputs_match=bool(diff < 1e-4))


def compare_cp(model, inputs, args, device) -> dict:
    cfg = backbone_cfg(args.config, args, with_cp=True)
    cp_model = build_backbone(cfg, device, args.seed)
    cp_model.load_state_dict(model.state_dict())
    model.with_cp = False
    steps = dict(plain=make_step(model, 'joint', 'train', inputs),
                 cp=make_step(cp_model, 'joint', 'train', inputs))
    res = dict(zip(('cp', 'plain'),
                   time_pair(steps['cp'], steps['plain'], device, args.runs,
                             args.warmup)))
    for key, step in steps.items():
        res[key]['peak_mib'] = peak_memory(step, device)
    row = _compare_row('cp', res['cp'], res['plain'],
                       ours='train step, with_cp=True',
                       reference='train step, with_cp=False',
                       peak_mib_cp=res['cp']['peak_mib'],
                       peak_mib_plain=res['plain']['peak_mib'])
    row['time_ratio'] = res['cp']['median_s'] / res['plain']['median_s']
    del row['speedup']
    if res['cp']['peak_mib'] and res['plain']['peak_mib']:
        row['peak_memory_ratio'] = res['cp']['peak_mib'] / \
            res['plain']['peak_mib']
        row['meets_target'] = bool(row['peak_memory_ratio'] <= 0.6)
    model.with_cp = args.grad_checkpoint
    return row


# ------------------------------------------------------------------- report
def machine_info(device: torch.device) -> dict:
    info = dict(platform=platform.platform(),
                python=platform.python_version(), torch=torch.__version__,
                cpu_count=os.cpu_count(),
                torch_threads=torch.get_num_threads(), device=str(device))
    if hasattr(os, 'getloadavg'):
        info['load_avg_1_5_15'] = [round(v, 2) for v in os.getloadavg()]
    if device.type == 'cuda':
        info['gpu'] = torch.cuda.get_device_name(device)
    return info


def format_table(rows: List[dict], cols: List[Tuple[str, str]]) -> str:
    def fmt(v):
        if isinstance(v, float):
            return f'{v:.4g}'
        return '-' if v is None else str(v)

    cells = [[title for _, title in cols]] + [
        [fmt(r.get(key)) for key, _ in cols] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    lines = [' | '.join(c.ljust(w) for c, w in zip(row, widths))
             for row in cells]
    lines.insert(1, '-+-'.join('-' * w for w in widths))
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))
    cfg = backbone_cfg(args.config, args)
    model = build_backbone(cfg, device, args.seed)
    inputs = make_inputs(args, model.text_embeddings.word_embeddings.
                         num_embeddings, device)
    n_params = sum(p.numel() for p in model.parameters())
    rows = []
    for mode in args.modes:
        for path in args.paths:
            step = make_step(model, path, mode, inputs)
            row = dict(path=path, mode=mode, batch=args.batch,
                       frames=args.frames, img_size=args.img_size,
                       text_len=args.text_len, dtype=args.dtype,
                       compile=args.compile, with_cp=args.grad_checkpoint)
            row.update(time_calls(step, device, args.runs, args.warmup))
            row['items_per_s'] = args.batch / row['median_s']
            row['peak_mib'] = None if args.no_memory else peak_memory(
                step, device)
            rows.append(row)
            print(f'{mode:5s} {path:5s}: {row["median_s"]:.4f} s, '
                  f'{row["items_per_s"]:.2f} items/s', flush=True)
    comparisons = []
    for name in args.compare:
        fn = dict(zip(COMPARISONS, (compare_text_once, compare_baseline,
                                    compare_cp)))[name]
        comparisons.append(fn(model, inputs, args, device))
    result = dict(
        config=args.config, arch=cfg['arch'], params=n_params,
        settings={k: v for k, v in vars(args).items() if k != 'out'},
        machine=machine_info(device),
        memory_method=MEMORY_METHOD['cuda' if device.type == 'cuda' else
                                    'cpu'],
        items='videos for joint/video, texts for text', rows=rows,
        comparisons=comparisons)
    print(f'\n{args.config}: arch {cfg["arch"]}, {n_params / 1e6:.2f}M '
          f'params, {device}, {torch.get_num_threads()} threads')
    print(format_table(rows, [('mode', 'mode'), ('path', 'path'),
                              ('batch', 'B'), ('frames', 'S'),
                              ('img_size', 'res'), ('text_len', 'Lt'),
                              ('dtype', 'dtype'), ('compile', 'compile'),
                              ('with_cp', 'with_cp'),
                              ('median_s', 'median s'),
                              ('items_per_s', 'items/s'),
                              ('peak_mib', 'peak MiB')]))
    if comparisons:
        print()
        print(format_table(comparisons, [
            ('name', 'comparison'), ('fast_s', 'ours s'),
            ('slow_s', 'reference s'), ('speedup', 'speedup'),
            ('peak_memory_ratio', 'mem ratio'), ('time_ratio', 'time ratio'),
            ('max_abs_diff', 'max |diff|'), ('target', 'target'),
            ('meets_target', 'met')]))
    print(f'\npeak memory: {result["memory_method"]}')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'wrote {args.out}')
    return result


if __name__ == '__main__':
    main()
