"""Every GPU measurement of the project in one call (one GPU, <= 8 minutes).

Sections (each one's failure is recorded and the next one runs; a section
that would start after ``--budget-s`` is skipped with that reason):

1. ``parity``: the B backbone's joint and video-only outputs on CUDA against
   CPU float32, same weights and inputs. Tolerances (relative: max |diff| /
   max |CPU output|): CUDA float32 with TF32 off <= 1e-4; CUDA bf16 / fp16
   autocast <= 5e-2.
2. ``inference``: B, batch 32, 3 frames of 224^2, 40 text tokens, bf16 and
   fp16 autocast, joint and video-only paths: videos/s (median of timed
   calls) against the paper's 89 videos/s, and MFU = videos/s x 2 x MACs per
   video / the GPU's peak dense bf16/fp16 FLOP/s. MACs per video are counted
   with ``get_flops.py``'s MMEngine counter on CPU.
3. ``decode``: torchcodec clips/s (3 frames per clip, uniformly spread) of
   the demo videos with NVDEC (``device='cuda'``) against CPU decoding;
   skipped with the reason when torchcodec has no CUDA decoder here.
4. ``fsdp``: a one-GPU FSDP smoke run through MMEngine's ``FlexibleRunner``
   (``tools/train.py`` under ``torch.distributed.run``, the demo
   pre-training with ``FSDPStrategy`` and ``AmpOptimWrapper(use_fsdp=True)``,
   a few iterations): exit code, finite losses, checkpoint written.
5. ``train``: one training step of B (joint path, batch ``--train-batch``,
   bf16 autocast, AdamW) without and with ``with_cp`` (activation
   checkpointing) and ``compile_cfg`` (``torch.compile``): seconds per step,
   peak memory (``torch.cuda.max_memory_allocated`` above the weights) and
   MFU with the usual 3 x forward FLOPs per training step (recomputation by
   ``with_cp`` not counted as useful work).

Writes ``<out>/gpu_check.json`` and ``<out>/gpu_check.md`` (a Markdown table
per section). Without CUDA it prints that and exits at once with code 0.
``--dry-run-cpu`` runs the sections on CPU with a tiny model and tiny sizes
(the numbers mean nothing; it checks the code paths, used by the tests).

Example::

    python tools/analysis_tools/gpu_check.py --out work_dirs/gpu_check
"""
import argparse
import json
import os
import os.path as osp
import platform
import re
import subprocess
import sys
import time
import traceback
from typing import Callable, Dict, List, Optional

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
HERE = osp.dirname(osp.abspath(__file__))

PAPER_VIDEOS_PER_S = 89.0  # All-in-One-B inference throughput (paper)
B_CONFIG = osp.join(REPO, 'configs', '_base_', 'models', 'allinone_b.py')
#: Peak dense (no sparsity) bf16 / fp16 tensor-core TFLOP/s by GPU name.
PEAK_TFLOPS = (
    ('H200', 989.0), ('H100 SXM', 989.0), ('H100 NVL', 835.0),
    ('H100 PCIe', 756.0), ('H100', 756.0), ('H800', 989.0),
    ('A100', 312.0), ('A800', 312.0), ('L40S', 362.0), ('L40', 181.0),
    ('L4', 121.0), ('A10G', 70.0), ('A10', 125.0), ('RTX 4090', 165.0),
    ('RTX 3090', 71.0), ('V100', 125.0), ('T4', 65.0),
)
FP32_TOL = 1e-4
HALF_TOL = 5e-2


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='work_dirs/gpu_check',
                        help='folder for gpu_check.json / gpu_check.md')
    parser.add_argument('--budget-s', type=float, default=450.,
                        help='no section starts after this many seconds')
    parser.add_argument('--batch', type=int, default=32,
                        help='inference batch')
    parser.add_argument('--train-batch', type=int, default=16,
                        help='training step batch')
    parser.add_argument('--runs', type=int, default=10)
    parser.add_argument('--peak-tflops', type=float, default=None,
                        help='peak dense bf16 TFLOP/s (default: from the '
                        'GPU name)')
    parser.add_argument('--sections', nargs='+', default=None,
                        choices=('parity', 'inference', 'decode', 'fsdp',
                                 'train'))
    parser.add_argument('--dry-run-cpu', action='store_true',
                        help='run on CPU with a tiny model (code check)')
    return parser.parse_args(argv)


def peak_tflops(name: str) -> Optional[float]:
    """Peak dense bf16 TFLOP/s of a GPU from its name (None if unknown)."""
    for key, value in PEAK_TFLOPS:
        if key.lower() in name.lower():
            return value
    return None


# ------------------------------------------------------------ set-up helpers
class Check:
    """Sizes, device and helpers shared by the sections."""

    def __init__(self, args: argparse.Namespace) -> None:
        import torch
        sys.path.insert(0, HERE)
        import benchmark_model as bm  # noqa: E402  (tools/analysis_tools)
        import get_flops as gf  # noqa: E402
        self.bm, self.gf, self.torch = bm, gf, torch
        self.args = args
        self.dry = args.dry_run_cpu
        self.device = torch.device('cpu' if self.dry else 'cuda')
        if self.dry:
            self.arch, self.img, self.frames, self.text = '32,2,2', 32, 2, 8
            self.batch, self.train_batch, self.runs = 2, 2, 1
        else:
            self.arch, self.img, self.frames, self.text = None, 224, 3, 40
            self.batch, self.train_batch = args.batch, args.train_batch
            self.runs = args.runs
        if self.dry:
            self.gpu, self.peak = 'cpu (dry run)', None
        else:
            self.gpu = torch.cuda.get_device_name(0)
            self.peak = args.peak_tflops or peak_tflops(self.gpu)
        self._macs: Dict[str, float] = {}
        #: a section's inner loops stop starting new work after this
        self.deadline = time.perf_counter() + args.budget_s + 60

    def ns(self, batch: int, dtype: str = 'fp32', cp: bool = False,
           compile: bool = False) -> argparse.Namespace:
        """Arguments of benchmark_model's helpers."""
        return argparse.Namespace(
            config=B_CONFIG, arch=self.arch, batch=batch, frames=self.frames,
            img_size=self.img, text_len=self.text, dtype=dtype,
            grad_checkpoint=cp, compile=compile, seed=0)

    def build(self, ns: argparse.Namespace, device=None):
        cfg = self.bm.backbone_cfg(B_CONFIG, ns)
        return self.bm.build_backbone(cfg, device or self.device, 0)

    def inputs(self, ns: argparse.Namespace, model, device=None):
        vocab = model.text_embeddings.word_embeddings.num_embeddings
        return self.bm.make_inputs(ns, vocab, device or self.device)

    def macs_per_video(self, path: str) -> float:
        """MACs of one video on ``path`` (MMEngine counter, CPU, fp32)."""
        if path not in self._macs:
            torch = self.torch
            ns = self.ns(1)
            model = self.build(ns, torch.device('cpu')).eval()
            imgs, ids, mask = self.inputs(ns, model, torch.device('cpu'))
            inputs = dict(joint=(imgs, ids, mask), video=(imgs, ))[path]
            self._macs[path] = float(
                self.gf.count(model, path, inputs)['macs'])
            del model
        return self._macs[path]

    def mfu(self, flops_per_s: float) -> Optional[float]:
        return None if not self.peak else flops_per_s / (self.peak * 1e12)

    def free(self) -> None:
        import gc
        gc.collect()
        if self.device.type == 'cuda':
            self.torch.cuda.empty_cache()


def _rel_diff(a, b) -> float:
    a, b = a.float().cpu(), b.float().cpu()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-12))


# ------------------------------------------------------------------ sections
def section_parity(c: Check) -> List[dict]:
    torch = c.torch
    ns = c.ns(2)
    cpu_model = c.build(ns, torch.device('cpu')).eval()
    imgs, ids, mask = c.inputs(ns, cpu_model, torch.device('cpu'))
    with torch.no_grad():
        ref = dict(joint=torch.cat(cpu_model.forward_joint(imgs, ids, mask),
                                   1),
                   video=cpu_model.forward_video(imgs))
    state = cpu_model.state_dict()
    del cpu_model
    rows = []
    old_tf32 = (torch.backends.cuda.matmul.allow_tf32,
                torch.backends.cudnn.allow_tf32)
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        for dtype, tol in (('fp32', FP32_TOL), ('bf16', HALF_TOL),
                           ('fp16', HALF_TOL)):
            model = c.build(c.ns(2, dtype)).eval()
            model.load_state_dict(state)
            dev = [t.to(c.device) for t in (imgs, ids, mask)]
            with torch.no_grad():
                out = dict(joint=torch.cat(model.forward_joint(*dev), 1),
                           video=model.forward_video(dev[0]))
            for path in ('joint', 'video'):
                diff = _rel_diff(out[path], ref[path])
                rows.append(dict(dtype=dtype, path=path, rel_max_diff=diff,
                                 tolerance=tol, passed=diff <= tol))
            del model
            c.free()
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old_tf32[0]
        torch.backends.cudnn.allow_tf32 = old_tf32[1]
    return rows


def section_inference(c: Check) -> List[dict]:
    rows = []
    for dtype in ('bf16', 'fp16'):
        ns = c.ns(c.batch, dtype)
        model = c.build(ns)
        inputs = c.inputs(ns, model)
        for path in ('joint', 'video'):
            step = c.bm.make_step(model, path, 'infer', inputs)
            t = c.bm.time_calls(step, c.device, c.runs, 2)
            vps = c.batch / t['median_s']
            macs = c.macs_per_video(path)
            rows.append(dict(
                dtype=dtype, path=path, batch=c.batch,
                videos_per_s=vps, vs_paper=vps / PAPER_VIDEOS_PER_S,
                gmacs_per_video=macs / 1e9, mfu=c.mfu(vps * 2 * macs),
                median_s=t['median_s'],
                peak_memory_mib=c.bm.peak_memory(step, c.device)))
        del model, inputs
        c.free()
    return rows


def _demo_videos() -> List[str]:
    folder = osp.join(REPO, 'data', 'demo')
    return sorted(osp.join(folder, n) for n in os.listdir(folder)
                  if n.endswith('.mp4'))


def section_decode(c: Check) -> List[dict]:
    import torch
    try:
        from torchcodec.decoders import VideoDecoder
    except ImportError as err:
        return [dict(device='cuda', status='skipped',
                     reason=f'torchcodec not importable: {err}')]
    videos = _demo_videos()
    if not videos:
        return [dict(status='skipped', reason='no data/demo/*.mp4')]
    frames = 3
    clips = 2 if c.dry else 60

    def run(device: str) -> dict:
        decoder_kw = dict(device=device)
        # open every file once (not timed: container parsing, NVDEC set-up)
        decoders = [VideoDecoder(v, **decoder_kw) for v in videos]
        fallback = [bool(getattr(d, 'cpu_fallback', False)) for d in decoders]
        t0 = time.perf_counter()
        n = 0
        for i in range(clips):
            d = decoders[i % len(decoders)]
            total = len(d)
            idx = [int(total * (2 * k + 1) / (2 * frames))
                   for k in range(frames)]
            batch = d.get_frames_at(indices=idx)
            assert batch.data.shape[0] == frames
            n += 1
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        return dict(device=device, clips=n, frames_per_clip=frames,
                    clips_per_s=n / dt, cpu_fallback=any(fallback),
                    status='ok', videos=len(videos))

    rows = [run('cpu')]
    if c.dry:
        rows.append(dict(device='cuda', status='skipped',
                         reason='dry run on CPU'))
        return rows
    try:
        rows.append(run('cuda'))
    except Exception as err:  # noqa: BLE001 - recorded as the reason
        rows.append(dict(device='cuda', status='skipped',
                         reason='torchcodec CUDA (NVDEC) decoding not '
                         f'available: {type(err).__name__}: {err}'[:500]))
    if rows[-1].get('status') == 'ok':
        rows[-1]['speedup_vs_cpu'] = rows[-1]['clips_per_s'] / \
            rows[0]['clips_per_s']
    return rows


FSDP_CONFIG = """_base_ = [{base!r}]
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        auto_wrap_policy=dict(
            type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy',
            min_num_params=int(1e5)),
        use_orig_params=True),
    state_dict_cfg='full')
optim_wrapper = dict(type='AmpOptimWrapper', use_fsdp=True)
max_iters = {iters}
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=max_iters)
param_scheduler = []
train_dataloader = dict(batch_size=2, num_workers=2)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=max_iters))
"""


def section_fsdp(c: Check) -> List[dict]:
    if c.dry:
        return [dict(status='skipped', reason='FSDP needs CUDA (dry run)')]
    out = osp.abspath(osp.join(c.args.out, 'fsdp'))
    os.makedirs(out, exist_ok=True)
    cfg = osp.join(out, 'fsdp_smoke.py')
    iters = 4
    with open(cfg, 'w') as f:
        f.write(FSDP_CONFIG.format(
            base=osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py'),
            iters=iters))
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([REPO, env.get('PYTHONPATH', '')])
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone',
           '--nproc_per_node', '1', osp.join(REPO, 'tools', 'train.py'),
           cfg, '--launcher', 'pytorch', '--work-dir', osp.join(out, 'work')]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=240)
    wall = time.perf_counter() - t0
    with open(osp.join(out, 'log.txt'), 'w') as f:
        f.write(proc.stdout)
    losses = [float(v) for v in re.findall(r'\bloss: (\S+)', proc.stdout)]
    ckpt = osp.join(out, 'work', f'iter_{iters}.pth')
    ok = (proc.returncode == 0 and len(losses) == iters
          and all(v == v and abs(v) != float('inf') for v in losses)
          and osp.isfile(ckpt))
    return [dict(status='ok' if ok else 'failed', returncode=proc.returncode,
                 iterations_logged=len(losses), losses=losses,
                 checkpoint=osp.isfile(ckpt), wall_s=wall,
                 log=osp.join(out, 'log.txt'),
                 tail=None if ok else proc.stdout[-1500:])]


def section_train(c: Check) -> List[dict]:
    rows = []
    macs = c.macs_per_video('joint')
    variants = [(False, False), (True, False), (False, True), (True, True)]
    if c.dry:  # torch.compile on a loaded CPU takes minutes
        variants = variants[:2]
    for cp, comp in variants:
        if time.perf_counter() > c.deadline:
            rows.append(dict(with_cp=cp, compile=comp, status='skipped',
                             reason='time budget'))
            continue
        ns = c.ns(c.train_batch, 'bf16', cp=cp, compile=comp)
        model = c.build(ns)
        inputs = c.inputs(ns, model)
        step = c.bm.make_step(model, 'joint', 'train', inputs)
        t = c.bm.time_calls(step, c.device, max(c.runs // 2, 1),
                            3 if comp else 2)
        vps = c.train_batch / t['median_s']
        rows.append(dict(
            with_cp=cp, compile=comp, dtype='bf16 autocast',
            batch=c.train_batch, step_s=t['median_s'],
            first_call_s=t.get('first_call_s'), videos_per_s=vps,
            mfu=c.mfu(vps * 3 * 2 * macs),
            peak_memory_mib=c.bm.peak_memory(step, c.device)))
        del model, inputs, step
        c.free()
    return rows


SECTIONS: Dict[str, Callable[[Check], List[dict]]] = {
    'parity': section_parity,
    'inference': section_inference,
    'decode': section_decode,
    'fsdp': section_fsdp,
    'train': section_train,
}


# ------------------------------------------------------------------- report
def _fmt(value) -> str:
    if value is None:
        return '-'
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-2 or abs(value) >= 1e5):
            return f'{value:.2e}'
        return f'{value:.3g}' if abs(value) < 100 else f'{value:.0f}'
    if isinstance(value, list):
        return ', '.join(_fmt(v) for v in value)
    return str(value)


def markdown(result: dict) -> str:
    """A Markdown report: the environment, then one table per section."""
    env = result['environment']
    lines = ['# GPU check', '',
             ', '.join(f'{k}: {_fmt(v)}' for k, v in env.items()), '']
    for name, sec in result['sections'].items():
        lines += [f'## {name} ({sec["status"]}, {sec.get("wall_s", 0):.0f} '
                  's)', '']
        if sec.get('reason'):
            lines += [sec['reason'], '']
        rows = [{k: v for k, v in r.items() if k not in ('tail', 'log')}
                for r in sec.get('rows', [])]
        if not rows:
            continue
        keys = list(dict.fromkeys(k for r in rows for k in r))
        lines.append('| ' + ' | '.join(keys) + ' |')
        lines.append('|' + '---|' * len(keys))
        for r in rows:
            lines.append('| ' + ' | '.join(_fmt(r.get(k)) for k in keys) +
                         ' |')
        lines.append('')
    notes = result.get('notes')
    if notes:
        lines += ['Notes:', ''] + [f'- {n}' for n in notes] + ['']
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    import torch
    if not args.dry_run_cpu and not torch.cuda.is_available():
        print('gpu_check: CUDA is not available on this machine: nothing '
              'to measure (run it on a machine with an NVIDIA GPU; '
              '--dry-run-cpu checks the code paths on CPU).')
        return 0
    start = time.perf_counter()
    c = Check(args)
    env = dict(gpu=c.gpu, peak_bf16_tflops=c.peak,
               torch=torch.__version__,
               cuda=getattr(torch.version, 'cuda', None),
               host=platform.node(), dry_run=c.dry,
               sizes=f'B, {c.frames} frames of {c.img}^2, {c.text} tokens, '
               f'inference batch {c.batch}, training batch {c.train_batch}')
    if not c.dry:
        env['capability'] = '.'.join(
            str(v) for v in torch.cuda.get_device_capability(0))
        env['memory_gib'] = torch.cuda.get_device_properties(
            0).total_memory / 2**30
    result = dict(
        environment=env, sections={},
        notes=[
            'MFU = achieved FLOP/s / peak dense bf16 FLOP/s; FLOPs = 2 x '
            'MACs counted by get_flops.py (MMEngine counter, attention '
            'products included, element-wise ops not); training = 3 x the '
            'forward FLOPs per video.',
            f'Paper: {PAPER_VIDEOS_PER_S:g} videos/s for All-in-One-B '
            'inference.',
            f'Parity: relative max |CUDA - CPU fp32| / max |CPU|; tolerance '
            f'{FP32_TOL:g} for fp32 (TF32 off), {HALF_TOL:g} for bf16/fp16.',
        ])
    os.makedirs(args.out, exist_ok=True)
    names = args.sections or list(SECTIONS)
    for name in names:
        elapsed = time.perf_counter() - start
        if elapsed > args.budget_s:
            result['sections'][name] = dict(
                status='skipped', wall_s=0.0,
                reason=f'time budget: {elapsed:.0f} s > --budget-s '
                f'{args.budget_s:g} before it started')
            continue
        print(f'gpu_check: {name} ...', flush=True)
        t0 = time.perf_counter()
        try:
            rows = SECTIONS[name](c)
            failed = any(r.get('status') == 'failed' or
                         r.get('passed') is False for r in rows)
            skipped = bool(rows) and all(
                r.get('status') == 'skipped' for r in rows)
            sec = dict(status='failed' if failed else
                       'skipped' if skipped else 'ok', rows=rows)
        except Exception as err:  # noqa: BLE001 - recorded, next section
            sec = dict(status='error', rows=[],
                       reason=f'{type(err).__name__}: {err}',
                       traceback=traceback.format_exc()[-3000:])
            print(sec['traceback'], file=sys.stderr)
        sec['wall_s'] = time.perf_counter() - t0
        result['sections'][name] = sec
        c.free()
        # write after every section: a kill keeps what was measured
        with open(osp.join(args.out, 'gpu_check.json'), 'w') as f:
            json.dump(result, f, indent=1, default=str)
    result['total_s'] = time.perf_counter() - start
    with open(osp.join(args.out, 'gpu_check.json'), 'w') as f:
        json.dump(result, f, indent=1, default=str)
    text = markdown(result)
    with open(osp.join(args.out, 'gpu_check.md'), 'w') as f:
        f.write(text)
    print(text)
    print(f'gpu_check: {result["total_s"]:.0f} s; wrote '
          f'{osp.join(args.out, "gpu_check.json")} and gpu_check.md')
    return 0


if __name__ == '__main__':
    sys.exit(main())
