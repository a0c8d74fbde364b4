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

Unreadable videos are skipped with a warning naming the file, and counted.
"""
import argparse
import base64
import hashlib
import io
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

VIDEO_EXTS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.m4v', '.gif')
THUMB = 160
GAP = 6
LABEL_W = 270
CACHE_VERSION = 2
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


def list_videos(video_dir: str) -> List[str]:
    """Absolute paths of the videos in ``video_dir``, sorted by name."""
    if not osp.isdir(video_dir):
        raise NotADirectoryError(f'Not a folder: "{video_dir}"')
    videos = sorted(
        osp.abspath(osp.join(video_dir, name))
        for name in os.listdir(video_dir)
        if name.lower().endswith(VIDEO_EXTS)
        and osp.isfile(osp.join(video_dir, name)))
    if not videos:
        raise FileNotFoundError(f'No video ({", ".join(VIDEO_EXTS)}) in '
                                f'"{video_dir}"')
    return videos


def file_key(path: str) -> Tuple[float, int]:
    """``(mtime, size)`` identifying a file's current content."""
    st = os.stat(path)
    return float(st.st_mtime), int(st.st_size)


def file_sha256(path: str, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's content."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


def model_fingerprint(cfg, checkpoint: str, mode: str) -> str:
    """Hash of what the cached entries depend on.

    Args:
        cfg (Config): The resolved config the model was built from
            (``_base_`` files and ``--cfg-options`` merged), so editing an
            inherited pipeline invalidates the cache.
        checkpoint (str): The checkpoint; its content is hashed (not its
            path or modification time).
        mode (str): ``'embed'`` or ``'vtm'``.
    """
    parts = dict(
        version=CACHE_VERSION,
        mode=mode,
        config=cfg.to_dict(),
        checkpoint_sha256=file_sha256(checkpoint))
    return hashlib.sha256(json.dumps(parts, sort_keys=True,
                                     default=repr).encode()).hexdigest()


def load_cache(path: str, fingerprint: str) -> Dict[str, dict]:
    """Entries of the cache file (empty if absent or for another model)."""
    if not osp.isfile(path):
        return {}
    try:
        data = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # noqa: BLE001 - a broken cache is rebuilt
        print(f'warning: ignoring unreadable cache "{path}": {err}')
        return {}
    if data.get('fingerprint') != fingerprint:
        print(f'cache "{path}" was built by another model / settings; '
              're-encoding')
        return {}
    return data['entries']


def save_cache(path: str, fingerprint: str, entries: Dict[str, dict]):
    """Write the cache atomically (temp file + rename)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = path + '.tmp'
    torch.save(dict(fingerprint=fingerprint, entries=entries), tmp)
    os.replace(tmp, path)


def encode_folder(model, videos: List[str], mode: str, cache_file: str,
                  fingerprint: str, batch_size: int):
    """Cached embeddings (``embed``) or frames (``vtm``) of every video.

    Returns:
        tuple: the entries ``{path: {'mtime', 'size', 'value'}}`` of the
        readable videos, the number encoded now, the number taken from the
        cache and the list of ``(path, error)`` skipped.
    """
    from mmengine.utils import ProgressBar

    from mmallinone.apis import encode_videos, load_video
    cached = load_cache(cache_file, fingerprint)
    entries, todo, skipped = {}, [], []
    for path in videos:
        mtime, size = file_key(path)
        entry = cached.get(path)
        if entry is not None and entry['mtime'] == mtime and \
                entry['size'] == size:
            entries[path] = entry
        else:
            todo.append(path)
    num_cached = len(entries)
    if todo:
        print(f'encoding {len(todo)} videos ({num_cached} cached)')
        bar = ProgressBar(len(todo))
        for start in range(0, len(todo), batch_size):
            chunk = todo[start:start + batch_size]
            frames = []
            for path in chunk:
                try:
                    frames.append((path, load_video(model, path)))
                except Exception as err:  # noqa: BLE001 - counted skip
                    skipped.append((path, f'{type(err).__name__}: {err}'))
                    print(f'\nwarning: skipped "{path}" ({skipped[-1][1]}); '
                          f'{len(skipped)} skipped so far')
            if frames:
                if mode == 'embed':
                    values = encode_videos(model, [f for _, f in frames])
                else:
                    values = [f for _, f in frames]
                for (path, _), value in zip(frames, values):
                    mtime, size = file_key(path)
                    entries[path] = dict(mtime=mtime, size=size,
                                         value=value.clone())
            for _ in chunk:
                bar.update()
        print()
        save_cache(cache_file, fingerprint, entries)
    return entries, len(todo) - len(skipped), num_cached, skipped


def rank(model, query: str, entries: Dict[str, dict], mode: str,
         rerank_k: int) -> List[Tuple[str, float]]:
    """``(path, score)`` of every video, best first (ties: by name)."""
    from mmallinone.apis import encode_texts, match
    paths = sorted(entries)
    if mode == 'embed':
        videos = torch.stack([entries[p]['value'] for p in paths])
        scores = (videos @ encode_texts(model, [query])[0]).tolist()
    else:
        scores = [float(match(model, entries[p]['value'], [query])[0])
                  for p in paths]
    order = sorted(range(len(paths)), key=lambda i: (-scores[i], paths[i]))
    ranked = [(paths[i], scores[i]) for i in order]
    if mode == 'embed' and rerank_k > 0:
        head = [(p, float(match(model, p, [query])[0]))
                for p, _ in ranked[:rerank_k]]
        head.sort(key=lambda x: (-x[1], x[0]))
        ranked = head + ranked[rerank_k:]
    return ranked


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
            f'<td><a href="file://{html.escape(row["path"])}">'
            f'{html.escape(row["name"])}</a></td><td>{imgs}</td></tr>')
    lines += ['</table>', '</body></html>']
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Run a search; returns the ranking and what was encoded / written."""
    args = parse_args(argv)
    import mmallinone  # noqa: F401,I001  (compat patches first)
    from mmallinone.apis import init_model, load_video

    videos = list_videos(args.video_dir)
    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=args.cfg_options)
    mode = args.score
    if mode == 'auto':
        mode = 'embed' if hasattr(model, 'encode_video') else 'vtm'
    if mode == 'vtm' and getattr(model, 'vtm_head', None) is None:
        raise ValueError(f'{type(model).__name__} has no VTM head; use '
                         '--score embed')
    os.makedirs(args.out_dir, exist_ok=True)
    cache_file = args.cache or osp.join(args.out_dir, 'search_cache.pth')
    entries, num_encoded, num_cached, skipped = encode_folder(
        model, videos, mode, cache_file,
        model_fingerprint(model.cfg, args.checkpoint, mode),
        args.batch_size)
    if not entries:
        raise RuntimeError(f'None of the {len(videos)} videos in '
                           f'"{args.video_dir}" could be read.')
    ranked = rank(model, args.query, entries, mode, args.rerank_k)
    top = ranked[:args.top_k]
    info = (f'{len(entries)} videos searched ({num_encoded} encoded now, '
            f'{num_cached} from the cache, {len(skipped)} skipped); '
            f'scoring: {mode}'
            + (f', top {args.rerank_k} re-ranked by VTM'
               if mode == 'embed' and args.rerank_k else ''))
    print(f'query: {args.query!r}\n{info}')
    for i, (path, score) in enumerate(top):
        print(f'#{i + 1:<3d} {score:8.4f}  {path}')
    rows = []
    if not (args.no_html and args.no_png):
        for i, (path, score) in enumerate(top):
            frames = entries[path]['value'] if mode == 'vtm' else \
                load_video(model, path)
            name = SCORE_NAMES['vtm'] if mode == 'embed' and \
                i < args.rerank_k else SCORE_NAMES[mode]
            rows.append(dict(path=path, name=osp.basename(path),
                             score=score, score_name=name,
                             thumbs=_thumbs(frames)))
    out = dict(ranked=ranked, num_encoded=num_encoded,
               num_cached=num_cached, skipped=skipped, mode=mode)
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
