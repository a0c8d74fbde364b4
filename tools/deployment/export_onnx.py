"""Export the video-only and text-only encoders (the two retrieval towers)
of a model to ONNX, and check them against PyTorch with onnxruntime.

    python tools/deployment/export_onnx.py \
        configs/allinone/retrieval_ti_demo.py \
        work_dirs/retrieval_ti_demo/iter_20.pth --out-dir onnx/retrieval_ti

writes ``video_encoder.onnx`` (``frames`` float32 ``(B, S, 3, H, W)``, RGB
0-255, normalised inside) and ``text_encoder.onnx`` (``input_ids``,
``attention_mask`` int64 ``(B, L)``), both returning ``embeds`` ``(B, D)``
(not L2-normalised). Batch and text length are dynamic, frames too
(``S >= 2``) unless the video path rolls tokens. CONFIG may also be a
pretrained folder (then CHECKPOINT is omitted).

Unless ``--no-verify``, the demo videos and captions (``--ann``, default
``data/demo/captions.json``) are decoded by the config's test pipeline,
encoded by onnxruntime and by PyTorch, and the maximum absolute difference
is printed; the tool exits with status 1 above ``--tolerance`` (1e-4).
"""
import argparse
import json
import os.path as osp
import sys

from mmengine.config import DictAction

import mmallinone  # noqa: F401,I001
from mmallinone.apis import init_model
from mmallinone.deployment import check_parity, export_onnx


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file or pretrained folder')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='checkpoint (.pth / .safetensors / folder); '
                        'omitted: a pretrained folder, or random weights '
                        'with --random-init')
    parser.add_argument('--out-dir', default='onnx', help='output folder')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument('--random-init', action='store_true',
                        help='export a randomly initialised model (tests)')
    parser.add_argument('--no-verify', action='store_true')
    parser.add_argument('--ann', default='data/demo/captions.json',
                        help='videos + captions to verify on '
                        '(captions.json layout)')
    parser.add_argument('--tolerance', type=float, default=1e-4)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings (KEY=VALUE)')
    return parser.parse_args()


def load_demo(ann: str):
    """Video paths and all captions of a ``captions.json`` file."""
    with open(ann, encoding='utf-8') as f:
        items = json.load(f)['videos']
    root = osp.dirname(ann)
    videos = [osp.join(root, item['video']) for item in items]
    texts = [c for item in items for c in item['captions']]
    return videos, texts


def main() -> int:
    args = parse_args()
    from mmallinone.checkpoint import is_pretrained_ref
    if args.checkpoint is None and not is_pretrained_ref(args.config) \
            and not args.random_init:
        print('give a checkpoint (or --random-init for a smoke test)',
              file=sys.stderr)
        return 2
    model = init_model(args.config, args.checkpoint,
                       cfg_options=args.cfg_options)
    paths = export_onnx(model, args.out_dir, opset=args.opset)
    for tower, path in paths.items():
        print(f'{tower} encoder: {path} '
              f'({osp.getsize(path) / 2**20:.1f} MiB)')
    if args.no_verify:
        return 0
    videos, texts = load_demo(args.ann)
    diff = check_parity(model, paths, videos, texts)
    print(f'onnxruntime vs PyTorch on {len(videos)} videos '
          f'({diff["num_clips"]} clips) and {diff["num_texts"]} captions: '
          f'max abs diff video {diff["video"]:.3g}, text '
          f'{diff["text"]:.3g} (tolerance {args.tolerance:g})')
    ok = max(diff['video'], diff['text']) <= args.tolerance
    print('parity OK' if ok else 'parity FAILED')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
