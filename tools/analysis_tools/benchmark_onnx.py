"""onnxruntime (CPU) vs PyTorch eager speed of the two retrieval towers.

Exports the video-only and text-only encoders of CONFIG
(:func:`mmallinone.deployment.export_onnx`) and times, at each batch size,
PyTorch eager (``torch.no_grad``, float32) and onnxruntime's CPU provider on
the same inputs, **interleaved**: every repeat runs PyTorch then
onnxruntime for one (tower, batch) pair, so a change of machine load hits
both alike. Medians of ``--repeats`` runs after ``--warmup`` runs. Both use
``--threads`` threads (``torch.set_num_threads``; onnxruntime's
``intra_op_num_threads``). Random weights unless a checkpoint is given
(speed does not depend on the values); random frames / token ids of the
config's frame count, size and text length.

    python tools/analysis_tools/benchmark_onnx.py \
        configs/allinone/retrieval_ti_demo.py --batch-sizes 1 8 \
        --out work_dirs/bench_onnx.json

Prints a table with the machine and its load average; ``--out`` writes it
as JSON. Also reports the max abs difference of the two outputs.
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import tempfile
import time

import numpy as np
import torch

import mmallinone  # noqa: F401,I001
from mmallinone.apis import init_model
from mmallinone.deployment import (TextEncoder, VideoEncoder, export_onnx,
                                   ort_session)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file or pretrained folder')
    parser.add_argument('checkpoint', nargs='?', default=None)
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 8])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--text-len', type=int, default=None,
                        help='token count (default: the backbone maximum)')
    parser.add_argument('--onnx-dir', default=None,
                        help='keep the exported graphs here')
    parser.add_argument('--out', default=None, help='JSON result file')
    return parser.parse_args()


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    args = parse_args()
    load_before = [round(v, 2) for v in os.getloadavg()]
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = init_model(args.config, args.checkpoint)
    bb = model.backbone
    out_dir = args.onnx_dir or tempfile.mkdtemp(prefix='bench_onnx_')
    paths = export_onnx(model, out_dir)
    sessions = dict(video=ort_session(paths['video'], args.threads),
                    text=ort_session(paths['text'], args.threads))
    towers = dict(video=VideoEncoder(model).eval(),
                  text=TextEncoder(model).eval())
    length = args.text_len or bb.max_text_len
    h, w = bb.img_size
    rows = []
    for batch in args.batch_sizes:
        inputs = dict(
            video=dict(frames=torch.rand(batch, bb.num_frames, 3, h, w) *
                       255),
            text=dict(input_ids=torch.randint(1000, 5000, (batch, length)),
                      attention_mask=torch.ones(batch, length,
                                                dtype=torch.long)))
        for tower in ('video', 'text'):
            feed = {k: v.numpy() for k, v in inputs[tower].items()}
            times = dict(torch=[], onnxruntime=[])
            with torch.no_grad():
                ref = towers[tower](*inputs[tower].values()).numpy()
                out = sessions[tower].run(None, feed)[0]
                for i in range(args.warmup + args.repeats):
                    t_pt = _time(lambda: towers[tower](
                        *inputs[tower].values()))
                    t_ort = _time(lambda: sessions[tower].run(None, feed))
                    if i >= args.warmup:
                        times['torch'].append(t_pt)
                        times['onnxruntime'].append(t_ort)
            pt = statistics.median(times['torch'])
            ort = statistics.median(times['onnxruntime'])
            rows.append(dict(
                tower=tower, batch=batch,
                torch_ms=round(pt * 1e3, 1), onnxruntime_ms=round(ort * 1e3, 1),
                speedup=round(pt / ort, 2),
                max_abs_diff=float(np.abs(out - ref).max()),
                torch_runs_ms=[round(t * 1e3, 1) for t in times['torch']],
                onnxruntime_runs_ms=[round(t * 1e3, 1)
                                     for t in times['onnxruntime']]))
            print(f'{tower:5s} batch {batch:3d}: torch {pt * 1e3:9.1f} ms  '
                  f'onnxruntime {ort * 1e3:9.1f} ms  '
                  f'torch/ort {pt / ort:5.2f}x  '
                  f'max|diff| {rows[-1]["max_abs_diff"]:.2g}', flush=True)
    import onnxruntime
    meta = dict(
        config=osp.basename(str(args.config)), model=type(model).__name__,
        frames=bb.num_frames, img_size=list(bb.img_size), text_len=length,
        threads=args.threads, repeats=args.repeats,
        machine=platform.platform(), processor=platform.processor(),
        cpus=os.cpu_count(), load_avg_before=load_before,
        load_avg_after=[round(v, 2)
                                             for v in os.getloadavg()],
        torch=torch.__version__, onnxruntime=onnxruntime.__version__)
    print(json.dumps(meta))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(meta=meta, rows=rows), f, indent=2)


if __name__ == '__main__':
    main()
