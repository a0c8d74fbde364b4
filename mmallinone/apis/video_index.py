"""A searchable index of a folder of videos (whole clips or sliding windows).

Shared by ``tools/demo/search.py``, ``tools/demo/app.py`` and
``tools/retrieval/build_index.py --videos``. Every video (or every window of
a long video, see :func:`~mmallinone.apis.load_video_windows`) is encoded
once and cached in a file keyed by the video's absolute path, modification
time and size, the window settings and the model (config, checkpoint,
options); :meth:`VideoIndex.refresh` encodes only new or changed files and
drops removed ones. Unreadable videos are skipped, listed and counted.

Scoring:

- ``'embed'`` (retrieval models): cosine similarity of the two-stream
  embeddings, looked up in a FAISS index (exact ``Flat`` inner product by
  default; any ``retrieval_index`` dict); optionally the top ``rerank_k``
  re-scored by the joint VTM path.
- ``'vtm'`` (models without retrieval projections, e.g. pre-training): the
  decoded frames are cached and every window is scored by the joint VTM
  path.
"""
import hashlib
import json
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

__all__ = [
    'VIDEO_EXTS', 'SearchHit', 'VideoIndex', 'list_videos', 'file_key',
    'model_fingerprint', 'describe'
]

VIDEO_EXTS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.m4v', '.gif')
CACHE_VERSION = 2
MODES = ('embed', 'vtm')


@dataclass
class SearchHit:
    """One ranked window: ``path``, ``start`` / ``end`` seconds, ``score``.

    ``score_name`` says what the score is (``'embed'``: cosine similarity,
    ``'vtm'``: joint match probability).
    """
    path: str
    start: float
    end: float
    score: float
    score_name: str = 'embed'

    @property
    def name(self) -> str:
        """File name of the video."""
        return osp.basename(self.path)


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
    """Hash of what cached entries depend on.

    Args:
        cfg (Config | str): The resolved config the model was built from
            (``_base_`` files and ``--cfg-options`` merged, e.g.
            ``model.cfg``), or a config file / name to resolve, so editing an
            inherited pipeline invalidates the cache.
        checkpoint (str): Checkpoint file or pretrained folder; its content
            (the folder's ``model.safetensors``) is hashed, not its path or
            modification time.
        mode (str): ``'embed'`` or ``'vtm'``.
    """
    if not hasattr(cfg, 'to_dict'):
        from mmallinone.utils.config import load_config
        cfg = load_config(cfg)
    weights = osp.join(checkpoint, 'model.safetensors') \
        if osp.isdir(checkpoint) else checkpoint
    parts = dict(
        version=CACHE_VERSION,
        mode=mode,
        config=cfg.to_dict(),
        checkpoint_sha256=file_sha256(weights))
    return hashlib.sha256(json.dumps(parts, sort_keys=True,
                                     default=repr).encode()).hexdigest()


def _overlaps(a: SearchHit, b: SearchHit) -> bool:
    return a.path == b.path and a.start < b.end and b.start < a.end


class VideoIndex:
    """Cached embeddings (or frames) of a folder's videos, searchable by text.

    Args:
        model (nn.Module): A model from :func:`~mmallinone.apis.init_model`.
        video_dir (str): Folder of videos (not recursive).
        cache_file (str): Cache file (written atomically).
        fingerprint (str): :func:`model_fingerprint` of the model; a cache
            of another model is ignored and rebuilt.
        mode (str): ``'auto'``, ``'embed'`` or ``'vtm'``. ``'auto'`` picks
            ``'embed'`` for models that can ``'embed'`` (retrieval), else
            ``'vtm'``. Defaults to ``'auto'``.
        window (float, optional): Window length in seconds; None indexes
            each video as one clip. Defaults to None.
        stride (float, optional): Seconds between windows. Defaults to
            ``window``.
        batch_size (int): Windows per encoder forward. Defaults to 4.
        index_cfg (dict, optional): FAISS index settings
            (``factory``, ``metric``, ``search_params``...; see
            :mod:`mmallinone.utils.faiss_index`). Defaults to exact
            inner product.
        logger (callable): Where progress and skips are reported. Defaults
            to ``print``.
    """

    def __init__(self,
                 model: nn.Module,
                 video_dir: str,
                 cache_file: str,
                 fingerprint: str,
                 mode: str = 'auto',
                 window: Optional[float] = None,
                 stride: Optional[float] = None,
                 batch_size: int = 4,
                 index_cfg: Optional[dict] = None,
                 logger=print) -> None:
        if mode == 'auto':
            mode = 'embed' if model.can('embed') else 'vtm'
        if mode not in MODES:
            raise ValueError(f'mode must be auto, embed or vtm, got {mode!r}')
        if mode == 'vtm' and not model.can('match'):
            raise ValueError(f'{type(model).__name__} cannot match (no VTM '
                             'head); use the embed mode')
        if window is not None and window <= 0:
            raise ValueError(f'window must be > 0 seconds, got {window}')
        if stride is not None and (window is None or stride <= 0):
            raise ValueError('stride needs a window and must be > 0')
        self.model = model
        self.video_dir = video_dir
        self.cache_file = cache_file
        self.fingerprint = fingerprint
        self.mode = mode
        self.window = window
        self.stride = stride if stride is not None else window
        self.batch_size = batch_size
        self.index_cfg = index_cfg
        self.log = logger
        self.entries: Dict[str, dict] = {}
        self.skipped: List[Tuple[str, str]] = []
        self.rows: List[Tuple[str, float, float]] = []
        self._faiss = None
        self._matrix = None

    # ------------------------------------------------------------- cache
    def _load_cache(self) -> Dict[str, dict]:
        path = self.cache_file
        if not osp.isfile(path):
            return {}
        try:
            data = torch.load(path, map_location='cpu', weights_only=True)
        except Exception as err:  # noqa: BLE001 - a broken cache is rebuilt
            self.log(f'warning: ignoring unreadable cache "{path}": {err}')
            return {}
        if not isinstance(data, dict) or \
                data.get('fingerprint') != self.fingerprint:
            self.log(f'cache "{path}" was built by another model / '
                     'settings; re-encoding')
            return {}
        return data.get('entries', {})

    def _save_cache(self) -> None:
        os.makedirs(osp.dirname(osp.abspath(self.cache_file)), exist_ok=True)
        tmp = self.cache_file + '.tmp'
        torch.save(dict(fingerprint=self.fingerprint, entries=self.entries),
                   tmp)
        os.replace(tmp, self.cache_file)

    def _settings(self) -> list:
        return [self.window, self.stride]

    # ------------------------------------------------------------ encode
    def _encode(self, path: str) -> dict:
        """Entry of one video: spans and embeddings ``(N, D)`` or frames."""
        import mmallinone.apis as apis
        frames, spans = apis.load_video_windows(self.model, path,
                                                self.window, self.stride)
        if self.mode == 'embed':
            value = apis.encode_videos(self.model, list(frames),
                                       batch_size=self.batch_size)
        else:
            value = frames
        mtime, size = file_key(path)
        return dict(mtime=mtime, size=size, settings=self._settings(),
                    spans=[list(s) for s in spans], value=value.clone())

    def refresh(self) -> dict:
        """Encode new or changed videos, drop removed ones, rebuild search.

        Returns:
            dict: ``encoded`` (videos encoded now), ``cached`` (taken from
            the cache), ``removed`` (dropped), ``skipped`` (list of
            ``(path, reason)``), ``windows`` (rows searchable).
        """
        from mmengine.utils import ProgressBar
        videos = list_videos(self.video_dir)
        if not self.entries:
            self.entries = self._load_cache()
        old = set(self.entries)
        entries, todo = {}, []
        for path in videos:
            entry = self.entries.get(path)
            mtime, size = file_key(path)
            if entry is not None and entry['mtime'] == mtime and \
                    entry['size'] == size and \
                    entry.get('settings') == self._settings():
                entries[path] = entry
            else:
                todo.append(path)
        removed = len(old - set(videos))
        cached = len(entries)
        skipped = []
        if todo:
            self.log(f'encoding {len(todo)} videos ({cached} cached)')
            bar = ProgressBar(len(todo))
            for path in todo:
                try:
                    entries[path] = self._encode(path)
                except Exception as err:  # noqa: BLE001 - counted skip
                    skipped.append((path, f'{type(err).__name__}: {err}'))
                    self.log(f'\nwarning: skipped "{path}" '
                             f'({skipped[-1][1]}); {len(skipped)} skipped')
                bar.update()
            self.log('')
        changed = bool(todo) or removed or not self.rows
        self.entries = entries
        self.skipped = skipped
        if todo or removed:
            self._save_cache()
        if changed:
            self._rebuild()
        return dict(encoded=len(todo) - len(skipped), cached=cached,
                    removed=removed, skipped=skipped, windows=len(self.rows))

    def _rebuild(self) -> None:
        self.rows = [(p, float(s), float(e)) for p in sorted(self.entries)
                     for s, e in self.entries[p]['spans']]
        self._faiss = self._matrix = None
        if self.mode == 'embed' and self.rows:
            from mmallinone.utils.faiss_index import (DEFAULT_INDEX_CFG,
                                                      build_faiss_index)
            self._matrix = torch.cat(
                [self.entries[p]['value'] for p in sorted(self.entries)])
            cfg = dict(DEFAULT_INDEX_CFG, **(self.index_cfg or {}))
            self._faiss = build_faiss_index(self._matrix, **cfg)

    @property
    def videos(self) -> List[str]:
        """The readable, indexed videos (sorted paths)."""
        return sorted(self.entries)

    def embeddings(self) -> torch.Tensor:
        """``(N, D)`` embeddings of all rows (``'embed'`` mode)."""
        if self.mode != 'embed':
            raise RuntimeError('the vtm mode caches frames, not embeddings')
        return self._matrix

    # ------------------------------------------------------------ search
    def search(self,
               query: str,
               top_k: Optional[int] = None,
               rerank_k: int = 0,
               suppress_overlaps: bool = False) -> List[SearchHit]:
        """Rank the indexed windows for a text query, best first.

        Args:
            query (str): The text.
            top_k (int, optional): Hits returned (all when None).
            rerank_k (int): Re-score the top ``rerank_k`` by the joint VTM
                path (``'embed'`` mode). Defaults to 0.
            suppress_overlaps (bool): Drop a window that overlaps a better
                one of the same video. Defaults to False.

        Returns:
            list[SearchHit]: Ranked hits (ties: by path, then start).
        """
        import mmallinone.apis as apis
        if not self.rows:
            return []
        n = len(self.rows)
        if self.mode == 'embed':
            from mmallinone.utils.faiss_index import faiss_search
            text = apis.encode_texts(self.model, [query])
            scores_np, ids = faiss_search(self._faiss, text, n)
            scores = [0.0] * n
            for s, i in zip(scores_np[0].tolist(), ids[0].tolist()):
                if i >= 0:
                    scores[i] = float(s)
        else:
            scores = []
            for path in sorted(self.entries):
                for frames in self.entries[path]['value']:
                    scores.append(float(apis.match(self.model, frames,
                                                   [query])[0]))
        order = sorted(range(n), key=lambda i: (-scores[i], self.rows[i]))
        hits = [SearchHit(*self.rows[i], scores[i], self.mode)
                for i in order]
        if self.mode == 'embed' and rerank_k > 0:
            head = []
            for hit in hits[:rerank_k]:
                frames = self._window_frames(hit)
                head.append(SearchHit(
                    hit.path, hit.start, hit.end,
                    float(apis.match(self.model, frames, [query])[0]),
                    'vtm'))
            head.sort(key=lambda h: (-h.score, h.path, h.start))
            hits = head + hits[rerank_k:]
        if suppress_overlaps:
            kept: List[SearchHit] = []
            for hit in hits:
                if not any(_overlaps(hit, k) for k in kept):
                    kept.append(hit)
            hits = kept
        return hits[:top_k] if top_k else hits

    def _window_frames(self, hit: SearchHit) -> torch.Tensor:
        """Frames ``(V, S, 3, H, W)`` of a hit's window."""
        import mmallinone.apis as apis
        entry = self.entries[hit.path]
        i = [list(map(float, s)) for s in entry['spans']].index(
            [hit.start, hit.end])
        if self.mode == 'vtm':
            return entry['value'][i]
        frames, _ = apis.load_video_windows(self.model, hit.path,
                                            self.window, self.stride)
        return frames[i]

    def frames_of(self, hit: SearchHit) -> torch.Tensor:
        """Public access to a hit's frames ``(V, S, 3, H, W)``."""
        return self._window_frames(hit)


def describe(hits: Sequence[SearchHit]) -> List[dict]:
    """JSON-friendly dicts of hits (rank from 1)."""
    return [dict(rank=i + 1, video=h.path, start=h.start, end=h.end,
                 score=h.score) for i, h in enumerate(hits)]
