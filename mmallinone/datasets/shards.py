"""Video-text samples stored in webdataset ``.tar`` shards.

`video2dataset <https://github.com/iejMac/video2dataset>`_ (Panda-70M,
InternVid, HD-VILA, WebVid copies) and ``tools/data/make_shards.py`` write
shards in which the members of one sample share a key::

    00000/000000012.mp4   the video (any container: mp4, avi, webm, mkv...)
    00000/000000012.txt   the caption (optional)
    00000/000000012.json  {"caption": ..., "url": ..., "duration": ...}
    # frame shards (make_shards.py --mode frames) instead of the video:
    00000/000000012.0.jpg ... 00000/000000012.7.jpg

The key is the member name up to the first dot of its base name (the
webdataset rule). Shards are read by *index*, not streamed: a shard index
(for every sample: shard, byte offset and size of its video or frames,
caption, JSON fields) is built once on global rank 0 from the tar headers
and cached (:class:`~mmallinone.datasets.ann_index.AnnotationIndexMixin`);
then sample ``i`` is one byte-range read of its video. So the dataset has a
length and random access, and :class:`~mmallinone.datasets.
ResumableInfiniteSampler`, ``--resume`` and DDP sampling work exactly as for
the other datasets.
"""
import glob
import hashlib
import json
import os
import os.path as osp
import re
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from mmengine.logging import MMLogger

from mmallinone.fileio import REMOTE_PREFIXES, get_backend, read_range
from mmallinone.registry import DATASETS
from .ann_index import _USER_CACHE, INDEX_VERSION, AnnotationIndexMixin
from .base import BaseVideoTextDataset

__all__ = ['VideoTextShardDataset', 'expand_shards', 'index_shard']

VIDEO_EXTS = ('mp4', 'avi', 'webm', 'mkv', 'mov', 'm4v', 'mpg', 'mpeg',
              'flv', 'gif')
_FRAME_EXT = re.compile(r'^(\d+)\.(jpg|jpeg|png|webp)$', re.IGNORECASE)


def _is_remote(path: str) -> bool:
    return '://' in path and path.split('://', 1)[0].lower() in \
        REMOTE_PREFIXES


def expand_shards(shards: Union[str, Sequence[str]],
                  data_root: str = '',
                  backend_args: Optional[dict] = None) -> List[str]:
    """Expand brace lists and globs into the list of shard paths / URLs.

    Args:
        shards (str | Sequence[str]): A path or URL, a brace list
            (``'shards/{00000..00099}.tar'``, ``'{a,b}.tar'``), a glob
            (``'shards/*.tar'``, also on s3/gs/hf) or a list of these.
        data_root (str): Joined with relative local paths. Defaults to ''.
        backend_args (dict, optional): :class:`~mmallinone.fileio.
            FsspecBackend` arguments for remote globs.

    Returns:
        list[str]: Paths in the given order (each glob sorted).

    Raises:
        FileNotFoundError: A glob matched nothing.
    """
    from braceexpand import braceexpand
    specs = [shards] if isinstance(shards, str) else list(shards)
    out: List[str] = []
    for spec in specs:
        if data_root and not _is_remote(spec) and not osp.isabs(spec):
            spec = (data_root.rstrip('/') + '/' + spec) if \
                _is_remote(data_root) else osp.join(data_root, spec)
        for path in braceexpand(spec):
            if any(c in path for c in '*?['):
                if _is_remote(path):
                    found = get_backend(backend_args).glob(path)
                else:
                    found = sorted(glob.glob(path))
                if not found:
                    raise FileNotFoundError(
                        f'no shard matches the pattern "{path}"')
                out.extend(found)
            else:
                out.append(path)
    return out


def _split_key(name: str) -> Tuple[str, str]:
    """``('dir/000012', 'mp4')`` from ``'dir/000012.mp4'`` (first dot)."""
    folder, base = osp.split(name)
    if '.' not in base:
        return name, ''
    stem, ext = base.split('.', 1)
    return (f'{folder}/{stem}' if folder else stem), ext


def index_shard(path: str, backend_args: Optional[dict] = None
                ) -> Dict[str, Any]:
    """List the members of one tar shard (headers only) and read its text.

    Member data is skipped with seeks (one small range read per member on
    remote storage) except ``.json`` / ``.txt`` / ``.cls`` members, which
    are read.

    Args:
        path (str): Local path or URL of the shard.
        backend_args (dict, optional): Arguments of the fsspec backend.

    Returns:
        dict: ``samples``: list of ``(key, {ext: (offset, size) | bytes})``
        in shard order (text members as bytes, others as offset and size);
        a member cut short by a truncation appears as ``'__cut__'``;
        ``truncated``: a message if the shard ends early (None otherwise);
        ``size``: the shard's bytes; ``expected``: for a truncated shard,
        the sample count of its ``_stats.json`` sidecar, if any.
    """
    if _is_remote(path):
        ctx = get_backend(backend_args).open(path)
    else:
        ctx = open(path, 'rb')
    samples: Dict[str, Dict[str, Any]] = {}
    truncated = None
    with ctx as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(0)
        members = []
        try:
            tf = tarfile.open(fileobj=f, mode='r:')
        except tarfile.ReadError as e:
            raise tarfile.ReadError(f'not a readable tar file: "{path}" '
                                    f'({e})') if size >= 1024 else \
                EOFError(f'shard "{path}" is truncated to {size} bytes')
        end = 0
        while True:
            try:
                m = tf.next()
            except (tarfile.ReadError, EOFError) as e:
                truncated = (f'shard "{path}" is truncated: {e} after byte '
                             f'{end}')
                break
            if m is None:
                break
            if m.offset_data + m.size > size:
                truncated = (f'shard "{path}" is truncated: member '
                             f'"{m.name}" needs bytes {m.offset_data}-'
                             f'{m.offset_data + m.size}, the file has {size}')
                members.append((m.name, -1, -1))  # its sample is lost
                break
            end = m.offset_data + m.size
            if m.isfile():
                members.append((m.name, m.offset_data, m.size))
        if truncated is None:
            # a complete tar ends with two zero blocks after the last member
            tail_at = max(tf.offset, end)
            f.seek(tail_at)
            tail = f.read(1024)
            if len(tail) < 1024 or tail.strip(b'\0'):
                truncated = (f'shard "{path}" is truncated: no end-of-archive '
                             f'marker after byte {tail_at} (samples after '
                             'it are lost)')
        for name, offset, msize in members:
            key, ext = _split_key(name)
            entry = samples.setdefault(key, {})
            if offset < 0:
                entry['__cut__'] = name
            elif ext.lower() in ('json', 'txt', 'cls'):
                f.seek(offset)
                entry[ext.lower()] = f.read(msize)
            else:
                entry[ext] = (offset, msize)
    expected = _expected_samples(path, backend_args) if truncated else None
    return dict(samples=list(samples.items()), truncated=truncated,
                size=size, expected=expected)


def _expected_samples(path: str, backend_args: Optional[dict] = None
                      ) -> Optional[int]:
    """Samples a shard should hold, from its ``<name>_stats.json`` sidecar
    (``successes`` of video2dataset, ``samples`` of make_shards.py), or
    None when there is none."""
    stats = path[:-4] + '_stats.json' if path.endswith('.tar') else None
    if stats is None:
        return None
    try:
        if _is_remote(stats):
            text = get_backend(backend_args).get(stats)
        else:
            with open(stats, 'rb') as f:
                text = f.read()
        data = json.loads(text)
    except Exception:  # noqa: BLE001 - no (usable) sidecar
        return None
    value = data.get('samples', data.get('successes'))
    return value if isinstance(value, int) else None


@DATASETS.register_module()
class VideoTextShardDataset(AnnotationIndexMixin, BaseVideoTextDataset):
    """Video-text pairs read from webdataset tar shards by index.

    **Caption.** ``caption_from='auto'`` takes the JSON list under
    ``captions_key`` when there is one (written by ``make_shards.py``:
    several captions, one drawn per access, with ``clip_windows`` for
    HowTo100M), else the ``.txt`` member, else the JSON field
    ``caption_key`` (video2dataset writes both ``.txt`` and
    ``"caption"``); ``'txt'`` uses the ``.txt`` member only, ``'json'`` the
    JSON fields only.
    The other JSON fields go into ``results['shard_meta']`` (add
    ``'shard_meta'`` to ``PackVideoTextInputs.meta_keys`` to keep them in the
    data sample's metainfo); ``label``, ``answer`` and ``options`` are used
    as in :class:`~mmallinone.datasets.VideoTextDataset`.

    **Sample.** ``filename`` is ``'<shard>/<key>.<ext>'`` (for messages);
    the video's bytes are read (one range read, retried on remote storage)
    into ``results['video_bytes']``, which ``SafeDecordInit`` and the other
    Init transforms decode without a temporary file. Frame shards put the
    JPEG bytes in ``results['frame_bytes']`` for
    :class:`~mmallinone.datasets.transforms.LoadShardFrames`.

    **Broken data.** A sample whose video does not decode, or whose read
    fails after the retries (a dropped connection), is a logged, counted
    skip (:class:`BaseVideoTextDataset`). A truncated shard keeps the
    samples before the cut; the lost ones (a member cut short, a key left
    without its video and, when the shard has a ``<name>_stats.json``
    sidecar from video2dataset or make_shards.py, the samples missing
    after the cut) are logged and counted in :attr:`num_lost_samples` and
    :attr:`num_truncated_shards`. A malformed JSON member raises a
    ``ValueError`` naming the shard and the member (or, with
    ``skip_invalid_rows=True``, is a counted skip).

    **Index.** With ``ann_index=True`` (default) the shard index is built
    on global rank 0 (``index_workers`` shards at a time), cached and
    memory-mapped by every rank and worker. Cache key: the shard list and,
    for local shards, their sizes and modification times; remote shards are
    keyed by URL only, so point ``ann_index`` at a new folder after
    rewriting remote shards. Default cache folder: ``.mmallinone_index/``
    next to the first local shard, else ``~/.cache/mmallinone/ann_index``.

    Args:
        shards (str | Sequence[str]): Shard paths / URLs, brace lists or
            globs (see :func:`expand_shards`), relative to ``data_root``.
        caption_from (str): ``'auto'``, ``'txt'`` or ``'json'``.
            Defaults to ``'auto'``.
        caption_key (str): JSON field of the caption. Defaults to
            ``'caption'``.
        captions_key (str): JSON field of a caption list (preferred when
            present). Defaults to ``'captions'``.
        id_key (str): JSON field of the video id (default: the sample key).
            Defaults to ``'video_id'``.
        video_exts (Sequence[str]): Extensions of video members.
        ann_index (bool | str): Cache the shard index (``True``: default
            folder; a folder). Defaults to True.
        index_workers (int): Shards indexed in parallel (threads).
            Defaults to 8.
        backend_args (dict, optional): :class:`~mmallinone.fileio.
            FsspecBackend` arguments for remote shards (no credentials).
        **kwargs: See :class:`BaseVideoTextDataset` (``ann_file`` is not
            used).
    """

    def __init__(self,
                 shards: Union[str, Sequence[str]],
                 caption_from: str = 'auto',
                 caption_key: str = 'caption',
                 captions_key: str = 'captions',
                 id_key: str = 'video_id',
                 video_exts: Sequence[str] = VIDEO_EXTS,
                 ann_index: Union[bool, str, None] = True,
                 index_workers: int = 8,
                 **kwargs) -> None:
        if caption_from not in ('auto', 'txt', 'json'):
            raise ValueError("caption_from must be 'auto', 'txt' or 'json', "
                             f'got {caption_from!r}')
        if 'ann_file' in kwargs and kwargs['ann_file']:
            raise ValueError('VideoTextShardDataset reads `shards`, not '
                             '`ann_file`')
        kwargs.pop('ann_file', None)
        self.shards = shards
        self.caption_from = caption_from
        self.caption_key = caption_key
        self.captions_key = captions_key
        self.id_key = id_key
        self.video_exts = tuple(e.lower() for e in video_exts)
        self.index_workers = max(1, int(index_workers))
        self.num_lost_samples = 0
        self.num_truncated_shards = 0
        self.init_ann_index(ann_index)
        self._shard_list: Optional[List[str]] = None
        # ann_file only names the shards in messages
        super().__init__(ann_file=shards if isinstance(shards, str) else
                         f'{len(shards)} shard patterns', **kwargs)

    # ------------------------------------------------------------ shards
    @property
    def shard_list(self) -> List[str]:
        """The expanded shard paths / URLs."""
        if self._shard_list is None:
            self._shard_list = expand_shards(self.shards, self.data_root,
                                             self.backend_args)
            if not self._shard_list:
                raise FileNotFoundError(f'no shards in {self.shards!r}')
        return self._shard_list

    def load_data_list(self) -> List[dict]:
        """Index every shard (no cache).

        Returns:
            list[dict]: One data info per sample.
        """
        data_list = list(self.iter_data_infos())
        if not data_list:
            raise ValueError(self._empty_message())
        return data_list

    def _empty_message(self) -> str:
        return (f'{type(self).__name__}: no usable sample in the '
                f'{len(self.shard_list)} shards of {self.shards!r} '
                f'({self.num_truncated_shards} truncated, '
                f'{self.num_lost_samples} samples lost)')

    def iter_data_infos(self) -> Iterator[dict]:
        """Yield the data infos of all shards, in shard and member order."""
        logger = MMLogger.get_current_instance()
        self.num_lost_samples = self.num_truncated_shards = 0
        t0 = time.perf_counter()
        shards = self.shard_list

        def index(path):
            return index_shard(path, self.backend_args)

        with ThreadPoolExecutor(self.index_workers) as pool:
            for path, res in zip(shards, pool.map(index, shards)):
                if res['truncated']:
                    self.num_truncated_shards += 1
                    logger.warning(
                        f'{type(self).__name__}: {res["truncated"]}')
                    missing = (res['expected'] or 0) - len(res['samples'])
                    if missing > 0:  # whole samples after the cut
                        self.num_lost_samples += missing
                        logger.warning(
                            f'{type(self).__name__}: {missing} samples of '
                            f'"{path}" are missing after the cut (its '
                            f'_stats.json lists {res["expected"]})')
                for key, members in res['samples']:
                    info = self._parse_sample(path, key, members)
                    if info is not None:
                        yield info
        logger.info(f'{type(self).__name__}: indexed {len(shards)} shards in '
                    f'{time.perf_counter() - t0:.1f} s ('
                    f'{self.num_truncated_shards} truncated, '
                    f'{self.num_lost_samples} samples lost)')

    def _lost(self, path: str, key: str, why: str) -> None:
        self.num_lost_samples += 1
        MMLogger.get_current_instance().warning(
            f'{type(self).__name__}: sample "{key}" of shard "{path}" is '
            f'lost ({why}); {self.num_lost_samples} lost so far')

    def _parse_sample(self, path: str, key: str,
                      members: Dict[str, Any]) -> Optional[dict]:
        """Build the data info of one sample, or report it."""
        if '__cut__' in members:
            self._lost(path, key, f'member "{members["__cut__"]}" is cut '
                       'short by the truncation')
            return None
        video = [e for e in members if e.lower() in self.video_exts]
        frames = sorted((int(m.group(1)), e) for e in members
                        for m in [_FRAME_EXT.match(e)] if m)
        if not video and not frames:
            self._lost(path, key, 'no video or frame member: '
                       f'{sorted(members)}')
            return None
        meta: Dict[str, Any] = {}
        if 'json' in members:
            where = f'member "{key}.json"'
            try:
                meta = json.loads(members['json'].decode('utf-8'))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                self.invalid(path, where, None, f'malformed JSON: {e}')
                return None
            if not isinstance(meta, dict):
                self.invalid(path, where, None, 'expected a JSON object, got '
                             f'{type(meta).__name__}')
                return None
        info: Dict[str, Any] = dict(shard=path, key=key, modality='video')
        if video:
            ext = video[0]
            info['filename'] = f'{path}/{key}.{ext}'
            info['video'] = list(members[ext])
        else:
            info['filename'] = f'{path}/{key}.{frames[0][1]}'
            info['frames'] = [list(members[e]) for _, e in frames]
        member = f'member "{key}.json"'
        captions = None
        use_txt = 'txt' in members and (
            self.caption_from == 'txt' or
            (self.caption_from == 'auto' and self.captions_key not in meta))
        if use_txt:
            text = members['txt'].decode('utf-8', 'replace').strip()
            captions = self.check_captions(text, path, f'member "{key}.txt"',
                                           'text')
        elif self.caption_from == 'txt':
            self.invalid(path, f'sample "{key}"', 'txt', 'no .txt member')
        elif self.captions_key in meta:
            captions = self.check_captions(meta[self.captions_key], path,
                                           member, self.captions_key)
        elif self.caption_key in meta:
            captions = self.check_captions(meta[self.caption_key], path,
                                           member, self.caption_key)
        else:
            self.invalid(path, member, self.caption_key, 'missing caption '
                         '(no .txt member, no JSON field)')
        if captions is None:
            return None
        info['captions'] = captions
        windows = meta.get('clip_windows')
        if windows is not None:
            if not (isinstance(windows, list) and len(windows) == len(
                    captions) and all(
                        isinstance(w, list) and len(w) == 2 for w in windows)):
                self.invalid(path, member, 'clip_windows', 'expected one '
                             '[start, end] per caption')
                return None
            info['clip_windows'] = windows
        vid = meta.get(self.id_key, key)
        info['video_id'] = str(vid)
        if 'options' in meta:
            info['candidates'] = meta['options']
        for field in ('label', 'answer'):
            if field in meta:
                info[field] = meta[field]
        used = {self.caption_key, self.captions_key, 'clip_windows',
                self.id_key, 'options', 'label', 'answer'}
        info['shard_meta'] = {k: v for k, v in meta.items() if k not in used}
        return info

    # ------------------------------------------------------------ access
    def load_sample_annotation(self, info: dict) -> dict:
        """Read the sample's video (or frame) bytes from its shard."""
        if 'video' in info:
            offset, size = info.pop('video')
            info['video_bytes'] = read_range(info['shard'], offset, size,
                                             self.backend_args)
        elif 'frames' in info:
            frames = info.pop('frames')
            start = frames[0][0]
            stop = max(o + s for o, s in frames)
            blob = read_range(info['shard'], start, stop - start,
                              self.backend_args)
            info['frame_bytes'] = [blob[o - start:o - start + s]
                                   for o, s in frames]
        return info

    # ------------------------------------------------------------ index
    def ann_index_key(self) -> dict:
        """Parse settings of the index (cache key)."""
        return dict(caption_from=self.caption_from,
                    caption_key=self.caption_key,
                    captions_key=self.captions_key, id_key=self.id_key,
                    video_exts=list(self.video_exts),
                    skip_invalid_rows=self.skip_invalid_rows)

    def _cache_dir(self) -> str:
        shards = self.shard_list
        stats = []
        for path in shards:
            if _is_remote(path):
                stats.append(path)
            else:
                st = os.stat(path)
                stats.append([osp.abspath(path), st.st_size,
                              st.st_mtime_ns])
        key = dict(version=INDEX_VERSION, cls=type(self).__name__,
                   shards=stats, **self.ann_index_key())
        digest = hashlib.sha1(
            json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
        first = osp.basename(shards[0]).split('.')[0] or 'shards'
        name = f'shards-{first}-{len(shards)}-{digest}'
        if isinstance(self.ann_index, str):
            return osp.join(self.ann_index, name)
        if not _is_remote(shards[0]):
            local = osp.join(osp.dirname(osp.abspath(shards[0])),
                             '.mmallinone_index')
            parent = local if osp.isdir(local) else osp.dirname(local)
            if os.access(parent, os.W_OK):
                return osp.join(local, name)
        return osp.join(_USER_CACHE, name)

    def build_ann_index(self, folder: str) -> Dict:
        """Build the index, then add the lost / truncated counts to it."""
        meta = super().build_ann_index(folder)
        meta.update(source=self.shards if isinstance(self.shards, str)
                    else list(self.shards),
                    num_lost_samples=self.num_lost_samples,
                    num_truncated_shards=self.num_truncated_shards,
                    num_shards=len(self.shard_list))
        path = osp.join(folder, 'meta.json')
        with open(path + '.tmp', 'w') as f:
            json.dump(meta, f, indent=1)
        os.replace(path + '.tmp', path)
        return meta

    def full_init(self) -> None:
        """Index the shards (cached on rank 0 with ``ann_index``)."""
        if self._fully_initialized:
            return
        super().full_init()
        if self.ann_index_dir is not None:
            with open(osp.join(self.ann_index_dir, 'meta.json')) as f:
                meta = json.load(f)
            self.num_lost_samples = meta.get('num_lost_samples', 0)
            self.num_truncated_shards = meta.get('num_truncated_shards', 0)
            if not meta.get('num_samples'):
                raise ValueError(self._empty_message())
            if self.num_lost_samples or self.num_truncated_shards:
                MMLogger.get_current_instance().warning(
                    f'{type(self).__name__}: {self.num_truncated_shards} '
                    f'truncated shards, {self.num_lost_samples} samples lost '
                    f'(index {self.ann_index_dir})')

