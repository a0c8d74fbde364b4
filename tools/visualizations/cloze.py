"""Cloze visualisation (the paper's Figure 6): fill masked words of a caption
and show, for each predicted word, where it looks in every sampled frame.

Example::

    python tools/visualizations/cloze.py \
        configs/allinone/pretrain_ti_demo.py \
        work_dirs/pretrain_ti_demo/iter_60.pth \
        data/demo/arm_wrestling.mp4 "two people are [MASK] at a [MASK]" \
        --out cloze.png

The PNG has one column per sampled frame and one row for the frames, then
one row per ``[MASK]``: the frame overlaid with the heat map of the
predicted word (``--method attention``: last-layer attention of the masked
text token over the frame's patches, heads averaged; ``--method ot``: the
word-patch optimal-transport plan of the WPA loss). The left column names
the word and its top candidates with their probabilities.
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmallinone.visualization.cloze import (GAP, HEADER_H,  # noqa: E402,F401
                                            LABEL_W, PANEL, canvas_size)
from mmallinone.visualization.cloze import \
    render_cloze as render  # noqa: E402

def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='Predict [MASK] words and draw their attention maps')
    parser.add_argument('config', help='pre-training config (with MLM)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('video', help='video file')
    parser.add_argument('text', help='caption with [MASK] tokens')
    parser.add_argument('--out', default='cloze.png', help='output PNG')
    parser.add_argument(
        '--method', choices=['attention', 'ot'], default='attention',
        help='heat map: last-layer attention or WPA transport plan')
    parser.add_argument('--top-k', type=int, default=3,
                        help='candidates listed per mask')
    parser.add_argument('--alpha', type=float, default=0.5,
                        help='heat map opacity')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Run the cloze and write the PNG; returns the ``fill_masks`` result."""
    args = parse_args(argv)
    import mmallinone  # noqa: F401,I001  (compat patches first)
    from mmallinone.apis import fill_masks, init_model

    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=args.cfg_options)
    result = fill_masks(model, args.video, args.text, method=args.method,
                        top_k=max(args.top_k, 1))
    size = render(result, args.out, args.text, args.method, args.alpha,
                  args.top_k)
    for w, cands in enumerate(result['top_k']):
        listed = ', '.join(f'{c} {p:.3f}' for c, p in cands[:args.top_k])
        print(f'[MASK] {w + 1}: {listed}')
    print(f'filled: {result["filled"]}')
    print(f'wrote {args.out} ({size[0]}x{size[1]}, '
          f'{len(result["words"])} words x {result["frames"].shape[0]} '
          'frames)')
    result['png_size'] = size
    return result


if __name__ == '__main__':
    main(sys.argv[1:])
