"""Text-to-video search over a folder of videos.

Example::

    python tools/demo/search.py configs/allinone/retrieval_ti_demo.py \
        work_dirs/retrieval_ti_demo/iter_20.pth data/demo \
        "two people arm wrestling" --top-k 3 --out-dir search_out

Every video of the folder is encoded once (with a progress bar) and its
embedding cached in ``--cache`` (default ``OUT_DIR/search_cache.pth``),
keyed by the file's absolute path, modification time and size, and by the
model: the fully resolved config (``_base_`` files and ``--cfg-options``
included) and the SHA-256 of the checkpoint's content; a second
search over the same folder only encodes new or changed files. The top-k
videos are printed with their scores and written as a self-contained HTML
page (``search.html``) and a PNG contact sheet (``search.png``).

Scoring (``--score``):

- ``embed`` (default for retrieval models): cosine similarity of the
  two-stream embeddings (``encode_videos`` / ``encode_texts``); with
  ``--rerank-k K`` the top K are re-scored by the joint VTM path, as the
  retrieval test loop.
- ``vtm`` (default for models without retrieval projections, e.g. a
  pre-training checkpoint): every video is scored by the joint VTM path
  (``match``); the decoded frames are cached instead of embeddings.

Long videos (``--window SEC [--stride SEC]``): every video is indexed as
sliding windows of ``--window`` seconds every ``--stride`` seconds (a video
shorter than the window is one window); the results are ``(video, start,
end)`` ranked, and the HTML links open each video at its window
(``#t=start,end`` media fragment). ``--suppress-overlaps`` keeps only the
best of overlapping windows of a video.

The folder index (cache, FAISS search) is :class:`mmallinone.apis.VideoIndex`,
shared with ``tools/demo/app.py`` and ``tools/retrieval/build_index.py
--videos``. Unreadable videos are skipped with a warning naming the file, and
counted.
"""
import argparse
import base64
import io
import os
import os.path as osp
import sys
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from mmallinone.apis.video_index import model_fingerprint  # noqa: E402

THUMB = 160
GAP = 6
LABEL_W = 270
SCORE_NAMES = dict(embed='cosine similarity (two-stream)',
                   vtm='VTM match probability (joint)')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description='Text-to-video search')
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('video_dir', help='folder of videos (not recursive)')
    parser.add_argument('query', help='text query')
    parser.add_argument('--top-k', type=int, default=5)
    parser.add_argument('--out-dir', default='search_out',
                        help='where search.html / search.png are written')
    parser.add_argument('--cache', help='embedding cache file (default: '
                        'OUT_DIR/search_cache.pth)')
    parser.add_argument('--score', choices=['auto', 'embed', 'vtm'],
                        default='auto')
    parser.add_argument('--rerank-k', type=int, default=0,
                        help='re-score the top K with the joint VTM path '
                        '(embed scoring only)')
    parser.add_argument('--window', type=float,
                        help='index sliding windows of this many seconds')
    parser.add_argument('--stride', type=float,
                        help='seconds between windows (default: --window)')
    parser.add_argument('--suppress-overlaps', action='store_true',
                        help='keep only the best of overlapping windows')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--no-html', action='store_true')
    parser.add_argument('--no-png', action='store_true')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs')
    args = parser.parse_args(argv)
    for flag, value, least in (('--top-k', args.top_k, 1),
                               ('--rerank-k', args.rerank_k, 0),
                               ('--batch-size', args.batch_size, 1)):
        if value < least:
            parser.error(f'{flag} must be >= {least}, got {value}')
    return args


def _thumbs(frames: torch.Tensor) -> List[Image.Image]:
    """``(V, S, 3, H, W)`` uint8 -> S thumbnails of the middle view."""
    clip = frames[frames.shape[0] // 2].permute(0, 2, 3, 1).numpy()
    out = []
    for f in clip:
        img = Image.fromarray(np.ascontiguousarray(f))
        scale = THUMB / max(img.size)  # fit THUMB x THUMB (up or down)
        out.append(img.resize((max(1, round(img.width * scale)),
                               max(1, round(img.height * scale))),
                              Image.BILINEAR))
    return out


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def write_png(path: str, query: str, rows: List[dict]) -> Tuple[int, int]:
    """Contact sheet: one row per result, its sampled frames to the right."""
    num_frames = max(len(r['thumbs']) for r in rows)
    width = LABEL_W + num_frames * (THUMB + GAP) + GAP
    header = 40
    height = header + len(rows) * (THUMB + GAP) + GAP
    canvas = Image.new('RGB', (width, height), 'white')
    draw = ImageDraw.Draw(canvas)
    draw.text((GAP, 10), f'query: {query}', fill='black', font=_font(18))
    for i, row in enumerate(rows):
        y = header + i * (THUMB + GAP)
        draw.text((GAP, y + 10), f'#{i + 1}  {row["score"]:.4f}',
                  fill=(160, 0, 0), font=_font(18))
        draw.text((GAP, y + 40), row['score_name'], fill='gray',
                  font=_font(14))
        draw.text((GAP, y + 62), row['name'], fill='black', font=_font(14))
        for j, thumb in enumerate(row['thumbs']):
            x = LABEL_W + GAP + j * (THUMB + GAP)
            canvas.paste(thumb, (x + (THUMB - thumb.width) // 2,
                                 y + (THUMB - thumb.height) // 2))
    canvas.save(path)
    return width, height


def write_html(path: str, query: str, rows: List[dict], meta: dict) -> None:
    """Self-contained HTML page (thumbnails inlined as base64 PNG)."""
    import html

    def data_uri(img: Image.Image) -> str:
        buf = io.BytesIO()
        img.save(buf, format='PNG')
        return 'data:image/png;base64,' + base64.b64encode(
            buf.getvalue()).decode()

    lines = [
        '<!DOCTYPE html>', '<html><head><meta charset="utf-8">',
        f'<title>search: {html.escape(query)}</title>',
        '<style>body{font-family:sans-serif} td{padding:4px;'
        'vertical-align:middle} .s{color:#a00;font-weight:bold}</style>',
        '</head><body>', f'<h2>query: {html.escape(query)}</h2>',
        f'<p>{html.escape(meta["info"])}</p>', '<table>'
    ]
    for i, row in enumerate(rows):
        imgs = ''.join(f'<img src="{data_uri(t)}">' for t in row['thumbs'])
        lines.append(
            f'<tr><td>#{i + 1}</td><td class="s">{row["score"]:.4f}</td>'
            f'<td>{html.escape(row["score_name"])}</td>'
            f'<td><a href="file://{html.escape(row["path"])}{row["frag"]}">'
            f'{html.escape(row["name"])}</a></td><td>{imgs}</td></tr>')
    lines += ['</table>', '</body></html>']
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


def span_text(start: float, end: float) -> str:
    """``'12.0-16.0 s'``."""
    return f'{start:.1f}-{end:.1f} s'


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Run a search; returns the ranking and what was encoded / written.

    The result has ``ranked`` (``(path, score)`` per video, the score of its
    best window), ``hits`` (:class:`~mmallinone.apis.SearchHit` of every
    window, best first), ``num_encoded``, ``num_cached``, ``skipped`` and
    ``mode``.
    """
    args = parse_args(argv)
    import mmallinone  # noqa: F401,I001  (compat patches first)
    from mmallinone.apis import (VideoIndex, init_model, list_videos,
                                 model_fingerprint)

    videos = list_videos(args.video_dir)
    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=args.cfg_options)
    mode = args.score
    if mode == 'auto':
        mode = 'embed' if model.can('embed') else 'vtm'
    os.makedirs(args.out_dir, exist_ok=True)
    cache_file = args.cache or osp.join(args.out_dir, 'search_cache.pth')
    index = VideoIndex(
        model, args.video_dir, cache_file,
        model_fingerprint(model.cfg, args.checkpoint, mode),
        mode=mode, window=args.window, stride=args.stride,
        batch_size=args.batch_size,
        index_cfg=model.cfg.get('retrieval_index'))
    stats = index.refresh()
    skipped = stats['skipped']
    if not index.entries:
        raise RuntimeError(f'None of the {len(videos)} videos in '
                           f'"{args.video_dir}" could be read.')
    hits = index.search(args.query, rerank_k=args.rerank_k,
                        suppress_overlaps=args.suppress_overlaps)
    ranked, seen = [], set()
    for hit in hits:
        if hit.path not in seen:
            seen.add(hit.path)
            ranked.append((hit.path, hit.score))
    windowed = args.window is not None
    top = hits[:args.top_k]
    info = (f'{len(index.entries)} videos searched ({stats["encoded"]} '
            f'encoded now, {stats["cached"]} from the cache, '
            f'{len(skipped)} skipped); '
            + (f'{stats["windows"]} windows of {args.window:g} s every '
               f'{index.stride:g} s; ' if windowed else '')
            + f'scoring: {mode}'
            + (f', top {args.rerank_k} re-ranked by VTM'
               if mode == 'embed' and args.rerank_k else ''))
    print(f'query: {args.query!r}\n{info}')
    for i, hit in enumerate(top):
        where = f'  [{span_text(hit.start, hit.end)}]' if windowed else ''
        print(f'#{i + 1:<3d} {hit.score:8.4f}  {hit.path}{where}')
    rows = []
    if not (args.no_html and args.no_png):
        for hit in top:
            frames = index.frames_of(hit)
            name = hit.name + (f' [{span_text(hit.start, hit.end)}]'
                               if windowed else '')
            rows.append(dict(path=hit.path, name=name, score=hit.score,
                             score_name=SCORE_NAMES[hit.score_name],
                             frag=f'#t={hit.start:g},{hit.end:g}'
                             if windowed else '',
                             thumbs=_thumbs(frames)))
    out = dict(ranked=ranked, hits=hits, num_encoded=stats['encoded'],
               num_cached=stats['cached'], skipped=skipped, mode=mode)
    if not args.no_html:
        out['html'] = osp.join(args.out_dir, 'search.html')
        write_html(out['html'], args.query, rows, dict(info=info))
        print(f'wrote {out["html"]}')
    if not args.no_png:
        out['png'] = osp.join(args.out_dir, 'search.png')
        out['png_size'] = write_png(out['png'], args.query, rows)
        print(f'wrote {out["png"]}')
    return out


if __name__ == '__main__':
    main(sys.argv[1:])
