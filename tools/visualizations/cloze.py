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
import os
import os.path as osp
import sys
from typing import List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

#: Layout in pixels: frame panel side, gap, label column, header height.
PANEL = 224
GAP = 6
LABEL_W = 230
HEADER_H = 64


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


def canvas_size(num_words: int, num_frames: int,
                panel: int = PANEL) -> Tuple[int, int]:
    """``(width, height)`` of the PNG for ``num_words`` x ``num_frames``."""
    width = LABEL_W + num_frames * (panel + GAP) + GAP
    height = HEADER_H + (1 + num_words) * (panel + GAP) + GAP
    return width, height


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _heat(values: np.ndarray, size: int) -> np.ndarray:
    """``(Hp, Wp)`` in [0, 1] -> ``(size, size, 3)`` uint8 jet colours."""
    from matplotlib import colormaps
    img = Image.fromarray((values * 255).astype(np.uint8)).resize(
        (size, size), Image.BILINEAR)
    rgb = colormaps['jet'](np.asarray(img) / 255.0)[..., :3]
    return (rgb * 255).astype(np.uint8)


def render(result: dict, out_file: str, text: str, method: str,
           alpha: float = 0.5, top_k: int = 3,
           panel: int = PANEL) -> Tuple[int, int]:
    """Draw a :func:`mmallinone.apis.fill_masks` result into a PNG.

    Args:
        result (dict): Output of ``fill_masks``.
        out_file (str): PNG path (its folder is created).
        text (str): The masked caption (for the header).
        method (str): Name of the heat map method (for the header).
        alpha (float): Heat map opacity. Defaults to 0.5.
        top_k (int): Candidates listed per word. Defaults to 3.
        panel (int): Side of a frame panel in pixels. Defaults to 224.

    Returns:
        tuple: ``(width, height)`` of the PNG (see :func:`canvas_size`).
    """
    frames = result['frames'].permute(0, 2, 3, 1).numpy()  # (S, H, W, 3)
    maps = result['maps'].numpy()  # (W, S, Hp, Wp)
    words: List[str] = result['words']
    size = canvas_size(len(words), frames.shape[0], panel)
    canvas = Image.new('RGB', size, 'white')
    draw = ImageDraw.Draw(canvas)
    big, small = _font(18), _font(14)
    draw.text((GAP, 8), f'input:  {text}', fill='black', font=big)
    draw.text((GAP, 34), f'filled: {result["filled"]}', fill=(0, 0, 160),
              font=big)
    what = ['maps: last-layer', 'text->patch attention', '(heads averaged)'] \
        if method == 'attention' else \
        ['maps: word-patch', 'optimal transport (WPA)', '(one for all frames)']
    thumbs = [np.asarray(Image.fromarray(f).resize((panel, panel),
                                                   Image.BILINEAR))
              for f in frames]
    for row in range(1 + len(words)):
        y = HEADER_H + row * (panel + GAP)
        if row == 0:
            draw.text((GAP, y + 8), 'sampled frames', fill='black',
                      font=big)
            for j, line in enumerate(what):
                draw.text((GAP, y + 40 + 20 * j), line, fill='gray',
                          font=small)
        else:
            w = row - 1
            draw.text((GAP, y + 8), f'[MASK] {w + 1}', fill='gray',
                      font=small)
            draw.text((GAP, y + 30), words[w], fill=(160, 0, 0), font=big)
            for j, (cand, prob) in enumerate(result['top_k'][w][:top_k]):
                draw.text((GAP, y + 62 + 20 * j), f'{cand}  {prob:.3f}',
                          fill='black', font=small)
        for col, thumb in enumerate(thumbs):
            x = LABEL_W + GAP + col * (panel + GAP)
            img = thumb
            if row > 0:
                heat = _heat(maps[row - 1, col], panel)
                img = (thumb * (1 - alpha) + heat * alpha).astype(np.uint8)
            canvas.paste(Image.fromarray(img), (x, y))
            if row == 0:
                draw.text((x + 4, y + 4), f'frame {col + 1}', fill='white',
                          font=small, stroke_width=1, stroke_fill='black')
    out_dir = osp.dirname(osp.abspath(out_file))
    os.makedirs(out_dir, exist_ok=True)
    canvas.save(out_file)
    return size


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
