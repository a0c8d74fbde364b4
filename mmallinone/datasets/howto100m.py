"""HowTo100M: narrated videos with ASR captions and their time windows."""
import os.path as osp
from typing import List, Optional

from mmallinone.registry import DATASETS
from .base import BaseVideoTextDataset


@DATASETS.register_module()
class HowTo100MDataset(BaseVideoTextDataset):
    """HowTo100M video / ASR-caption pairs with caption time windows.

    Annotations:

    - ``ann_file``: the video list, a CSV (comma- or tab-separated, sniffed)
      with a column ``Name`` (video path relative to
      ``data_prefix['video']``), e.g. the authors'
      ``ht100_videos_split.csv``.
    - captions, either
        * ``caption_dir``: one CSV per video, ``<caption_dir>/<id>.csv``
          with columns ``text,start,end`` (seconds), ``<id>`` being the
          video file name without extension (the authors' ``howto100m_csv``).
          These files are read **lazily** at access time (there are 1.2 M);
          an unreadable or empty caption file makes the sample fail (skipped
          in training, see :class:`BaseVideoTextDataset`); malformed rows
          raise ``ValueError`` unless ``skip_invalid_rows``.
        * ``caption_file``: one JSON ``{id: {"start": [...], "end": [...],
          "text": [...]}}`` read at initialisation.

    Each access picks one caption (at random in training, ``first`` or
    ``centre`` in test mode, see ``test_caption``) and sets ``text`` and
    ``clip_window=(start, end)``; windows shorter than ``min_window`` seconds
    are widened around their centre (not before 0 s) as the authors do
    (≥ 4 s). Put
    :class:`~mmallinone.datasets.transforms.RestrictToClipWindow` after
    ``mmaction.DecordInit`` so frames are sampled inside the window.

    Args:
        ann_file (str): The video list CSV.
        caption_dir (str, optional): Folder of per-video caption CSVs
            (joined with ``data_root`` when relative).
        caption_file (str, optional): The caption JSON (joined with
            ``data_root`` when relative). Exactly one of ``caption_dir`` and
            ``caption_file`` must be given.
        min_window (float): Minimum window length in seconds. Defaults to
            4.0.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 caption_dir: Optional[str] = None,
                 caption_file: Optional[str] = None,
                 min_window: float = 4.0,
                 data_root: str = '',
                 **kwargs) -> None:
        if (caption_dir is None) == (caption_file is None):
            raise ValueError('give exactly one of caption_dir and '
                             'caption_file')
        join = (lambda p: p if p is None or osp.isabs(p) or not data_root
                else osp.join(data_root, p))
        self.caption_dir = join(caption_dir)
        self.caption_file = join(caption_file)
        self.min_window = float(min_window)
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    @staticmethod
    def video_key(name: str) -> str:
        """Caption key of a video: its file name without extension."""
        return osp.splitext(osp.basename(name))[0]

    def load_data_list(self) -> List[dict]:
        """Parse the video list (and the caption JSON if given).

        Returns:
            list[dict]: One data info per video.
        """
        path = self.ann_file
        captions = None
        if self.caption_file is not None:
            captions = self._load_caption_json(self.caption_file)
        data_list = []
        for line, row in self.iter_csv(path, ('Name', )):
            name = row['Name'].strip()
            if not name:
                self.invalid(path, line, 'Name', 'empty value')
                continue
            vid = self.video_key(name)
            info = dict(
                filename=self.media_path(name), video_id=vid,
                modality='video')
            if captions is not None:
                if vid not in captions:
                    self.invalid(
                        path, line, 'Name',
                        f'no captions for "{vid}" in {self.caption_file}')
                    continue
                info['captions'], info['clip_windows'] = captions[vid]
            else:
                info['caption_path'] = osp.join(self.caption_dir,
                                                vid + '.csv')
            data_list.append(info)
        return data_list

    def _load_caption_json(self, path: str) -> dict:
        """Read ``{id: {start, end, text}}`` into ``{id: (texts, windows)}``.

        In JSON files the "line" of an error is the video id entry.
        """
        data = self.read_json(path)
        if not isinstance(data, dict):
            raise ValueError(f'{type(self).__name__}: invalid annotation '
                             f'({path}): expected an object {{video_id: '
                             '{start, end, text}}')
        out = {}
        for vid, entry in data.items():
            parsed = self._parse_caption_entry(vid, entry, path)
            if parsed is not None:
                out[vid] = parsed
        return out

    def _parse_caption_entry(self, vid: str, entry, path: str):
        where = f'entry "{vid}"'
        fields = ('text', 'start', 'end')
        if not isinstance(entry, dict) or any(f not in entry for f in fields):
            missing = [f for f in fields
                       if not isinstance(entry, dict) or f not in entry]
            self.invalid(path, where, missing[0] if missing else None,
                         'expected an object with text/start/end lists')
            return None
        lists = [entry[f] for f in fields]
        for f, v in zip(fields, lists):
            if not isinstance(v, list):
                self.invalid(path, where, f, f'expected a list, got '
                             f'{type(v).__name__}')
                return None
        if not len(lists[0]) == len(lists[1]) == len(lists[2]):
            self.invalid(path, where, 'text',
                         'text/start/end have different lengths')
            return None
        texts, windows = [], []
        for i, (t, s, e) in enumerate(zip(*lists)):
            t = self.check_text(t, path, where, f'text[{i}]')
            s = None if t is None else self.parse_float(
                s, path, where, f'start[{i}]')
            e = None if s is None else self.parse_float(
                e, path, where, f'end[{i}]')
            if e is None:
                continue
            texts.append(t)
            windows.append((s, e))
        if not texts:
            self.invalid(path, where, 'text', 'no valid caption')
            return None
        return texts, windows

    def load_sample_annotation(self, info: dict) -> dict:
        """Read the per-video caption CSV (``caption_dir`` format)."""
        path = info.pop('caption_path', None)
        if path is None:
            return info
        texts, windows = [], []
        for line, row in self.iter_csv(path, ('text', 'start', 'end')):
            t = self.check_text(row['text'], path, line, 'text')
            s = None if t is None else self.parse_float(
                row['start'], path, line, 'start')
            e = None if s is None else self.parse_float(
                row['end'], path, line, 'end')
            if e is None:
                continue
            texts.append(t)
            windows.append((s, e))
        if not texts:
            raise ValueError(f'{type(self).__name__}: no valid caption in '
                             f'{path}')
        info['captions'], info['clip_windows'] = texts, windows
        return info

    def select_caption(self, info: dict) -> dict:
        """Pick a caption and widen its window to ``min_window`` seconds."""
        info = super().select_caption(info)
        if 'clip_window' in info:
            start, end = info['clip_window']
            if end - start < self.min_window:
                centre = (start + end) / 2
                start = max(0.0, centre - self.min_window / 2)
                end = start + self.min_window
            info['clip_window'] = (float(start), float(end))
        return info
