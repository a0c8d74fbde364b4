"""Cloze figure: frames and per-word heat maps of a ``fill_masks`` result.

Used by ``tools/visualizations/cloze.py`` and the web demo's Cloze tab.
"""
import os
import os.path as osp
from typing import List, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ['render_cloze', 'canvas_size', 'PANEL']

#: Layout in pixels: frame panel side, gap, label column, header height.
PANEL = 224
GAP = 6
LABEL_W = 230
HEADER_H = 64


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


def render_cloze(result: dict, out_file: str, text: str, method: str,
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


