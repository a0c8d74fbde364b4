"""YT-Temporal-180M: YouTube videos with time-stamped ASR words."""
import os.path as osp
from typing import List, Optional

import numpy as np

from mmallinone.registry import DATASETS
from .base import BaseVideoTextDataset

__all__ = ['YTTemporalDataset']


@DATASETS.register_module()
class YTTemporalDataset(BaseVideoTextDataset):
    """YT-Temporal-180M video / ASR pairs from a random time window.

    Annotations (the authors' layout):

    - ``ann_file``: the video list (e.g. ``train_success_2000000.csv``), a
      tab- or comma-separated file with a column ``Name``: the video path
      relative to ``data_prefix['video']``, ``<subset>/data/<id>.mp4``.
    - one JSON per video at ``annotation_tmpl`` (filled with ``subset``, the
      first component of ``Name``, and ``id``, its file name without
      extension) under ``annotation_root`` (default: the video folder):
      ``{"info": {"duration": seconds}, "subtitles": [{"word": "so",
      "time": 0.42}, ...]}`` (YT-Temporal's raw ASR words; other keys such
      as ``denoised`` are ignored). It is read **lazily** at access time: a
      missing or malformed file makes the sample fail (skipped in training
      with a logged count, see :class:`BaseVideoTextDataset`), and the
      error names the file and field.

    Each access draws a window (training: length uniform in ``[min_window,
    max_window]`` s at a uniform start; test mode: the window of length
    ``(min_window + max_window) / 2`` centred in the video), sets
    ``clip_window`` (put
    :class:`~mmallinone.datasets.transforms.RestrictToClipWindow` after
    ``mmaction.DecordInit``) and uses the words said inside it, in time
    order, as the caption. A window without words falls back to the words
    nearest in time (at most ``max_fallback_words``). The authors align the
    raw words to the denoised transcript with DTW; this loader uses the raw
    words.

    Args:
        ann_file (str): The video list.
        annotation_root (str, optional): Folder of the per-video JSONs
            (joined with ``data_root`` when relative). Defaults to the video
            folder.
        annotation_tmpl (str): Defaults to
            ``'{subset}/annotations/{id}.json'``.
        min_window (float): Defaults to 10.0 (the authors').
        max_window (float): Defaults to 15.0.
        max_fallback_words (int): Defaults to 20.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 annotation_root: Optional[str] = None,
                 annotation_tmpl: str = '{subset}/annotations/{id}.json',
                 min_window: float = 10.0,
                 max_window: float = 15.0,
                 max_fallback_words: int = 20,
                 data_root: str = '',
                 **kwargs) -> None:
        if not 0 < min_window <= max_window:
            raise ValueError('need 0 < min_window <= max_window, got '
                             f'{min_window}, {max_window}')
        if annotation_root and data_root and not osp.isabs(annotation_root):
            annotation_root = osp.join(data_root, annotation_root)
        self.annotation_root = annotation_root
        self.annotation_tmpl = annotation_tmpl
        self.min_window = float(min_window)
        self.max_window = float(max_window)
        self.max_fallback_words = max_fallback_words
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the video list.

        Returns:
            list[dict]: One data info per video (captions are read lazily).
        """
        path = self.ann_file
        root = self.annotation_root or self.video_prefix
        data_list = []
        for line, row in self.iter_csv(path, ('Name', )):
            name = row['Name'].strip()
            if not name:
                self.invalid(path, line, 'Name', 'empty value')
                continue
            parts = name.split('/')
            vid = osp.splitext(parts[-1])[0]
            subset = parts[0] if len(parts) > 1 else ''
            rel = self.annotation_tmpl.format(subset=subset, id=vid)
            data_list.append(
                dict(
                    filename=self.media_path(name),
                    video_id=vid,
                    modality='video',
                    annotation_path=osp.join(root, rel) if root else rel))
        return data_list

    def _read_words(self, path: str):
        """``(duration, [(time, word)])`` of one annotation JSON."""
        data = self.read_json(path)

        def bad(field: str, msg: str) -> ValueError:
            return ValueError(f'{type(self).__name__}: invalid annotation '
                              f'({path}, field "{field}"): {msg}')

        if not isinstance(data, dict):
            raise bad('info', 'expected an object')
        info = data.get('info')
        try:
            duration = float(info['duration'])
        except (TypeError, KeyError, ValueError):
            raise bad('info.duration', 'missing or not a number')
        if not duration > 0:
            raise bad('info.duration', f'not positive: {duration}')
        subs = data.get('subtitles')
        if not isinstance(subs, list):
            raise bad('subtitles', 'expected a list of {word, time}')
        words = []
        for i, item in enumerate(subs):
            if not isinstance(item, dict) or not isinstance(
                    item.get('word'), str):
                raise bad(f'subtitles[{i}].word', 'missing or not a string')
            try:
                time = float(item['time'])
            except (KeyError, TypeError, ValueError):
                raise bad(f'subtitles[{i}].time', 'missing or not a number')
            if item['word'].strip():
                words.append((time, item['word'].strip()))
        if not words:
            raise bad('subtitles', 'no word')
        words.sort(key=lambda w: w[0])
        return duration, words

    def load_sample_annotation(self, info: dict) -> dict:
        """Read the video's words, draw a window, set text and window."""
        path = info.pop('annotation_path')
        duration, words = self._read_words(path)
        if self.test_mode:
            length = min(duration, (self.min_window + self.max_window) / 2)
            start = (duration - length) / 2
        else:
            length = min(duration,
                         np.random.uniform(self.min_window, self.max_window))
            start = np.random.uniform(0, duration - length)
        end = start + length
        said = [w for t, w in words if start <= t < end]
        if not said:  # silence: the words nearest to the window
            centre = (start + end) / 2
            nearest = sorted(words, key=lambda w: abs(w[0] - centre))
            said = [w for _, w in sorted(nearest[:self.max_fallback_words])]
        info['text'] = ' '.join(said)
        info['clip_window'] = (float(start), float(end))
        return info
