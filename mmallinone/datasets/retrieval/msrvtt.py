"""MSR-VTT text-video retrieval (9k / 7k training splits, 1k-A test)."""
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional

from mmallinone.registry import DATASETS
from .base import BaseRetrievalDataset

__all__ = ['MSRVTTRetrievalDataset']


@DATASETS.register_module()
class MSRVTTRetrievalDataset(BaseRetrievalDataset):
    """MSR-VTT in its official / community formats.

    ``ann_file`` is one of:

    - a JSON file with the captions, either the official
      ``train_val_videodatainfo.json`` / ``MSRVTT_data.json`` layout
      (``sentences[{video_id, caption}]``, ``videos[{video_id, split}]``) or
      the COCO-style ``MSR_VTT.json`` the authors read
      (``annotations[{image_id, caption}]``, ``videos[{video_id}]``). All
      captions of a video (about 20) are its captions. The videos are those
      of ``split_file`` (in its order), else those whose ``videos[].split``
      equals ``split`` (e.g. ``'validate'``), else every video of
      ``videos``.
    - the 1k-A test file ``MSRVTT_JSFUSION_test.csv`` (comma-separated,
      header ``key,vid_key,video_id,sentence``): one caption per video.

    ``split_file``: a text file with one video id per line
    (``train_list_jsfusion.txt``: 9k; ``train_list_miech.txt``: 7k) or a CSV
    with a ``video_id`` column (``MSRVTT_train.9k.csv``,
    ``MSRVTT_train.7k.csv``).

    Video path: ``<video_id><video_ext>`` under ``data_prefix['video']``
    (the authors' ``videos/all``).

    Args:
        ann_file (str): Caption JSON or JSFusion test CSV.
        split_file (str, optional): Video-id list (joined with
            ``data_root`` when relative). Defaults to None.
        split (str, optional): Value of ``videos[].split`` to keep.
            Defaults to None.
        video_ext (str): Defaults to ``'.mp4'``.
        **kwargs: See :class:`BaseRetrievalDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 split_file: Optional[str] = None,
                 split: Optional[str] = None,
                 video_ext: str = '.mp4',
                 data_root: str = '',
                 **kwargs) -> None:
        if split_file and data_root and not osp.isabs(split_file):
            split_file = osp.join(data_root, split_file)
        self.split_file = split_file
        self.split = split
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the captions (and the split)."""
        if self.ann_file.endswith('.csv'):
            captions = self._load_jsfusion_csv()
            ids = list(captions)
        else:
            captions, videos = self._load_json()
            ids = self._split_ids(videos, captions)
        return [
            dict(
                filename=self.media_path(vid + self.video_ext),
                video_id=vid,
                captions=captions[vid],
                modality='video') for vid in ids
        ]

    def _load_jsfusion_csv(self) -> Dict[str, List[str]]:
        path = self.ann_file
        captions: Dict[str, List[str]] = OrderedDict()
        for line, row in self.iter_csv(path, ('video_id', 'sentence'),
                                       delimiter=','):
            vid = row['video_id'].strip()
            if not vid:
                self.invalid(path, line, 'video_id', 'empty value')
                continue
            text = self.check_text(row['sentence'], path, line, 'sentence')
            if text is not None:
                captions.setdefault(vid, []).append(text)
        return captions

    def _load_json(self):
        path = self.ann_file
        data = self.read_json(path)
        if not isinstance(data, dict):
            raise self._error(path, None, None, 'expected a JSON object')
        if 'sentences' in data:
            key, id_key = 'sentences', 'video_id'
        elif 'annotations' in data:
            key, id_key = 'annotations', 'image_id'
        else:
            raise self._error(path, None, 'sentences',
                              'neither "sentences" nor "annotations" found')
        captions: Dict[str, List[str]] = OrderedDict()
        for i, ann in enumerate(data[key]):
            where = f'{key}[{i}]'
            if not isinstance(ann, dict):
                self.invalid(path, where, None, 'expected an object')
                continue
            vid = ann.get(id_key)
            if not isinstance(vid, str) or not vid.strip():
                self.invalid(path, where, id_key, f'missing or empty: '
                             f'{vid!r:.40}')
                continue
            text = self.check_text(ann.get('caption'), path, where,
                                   'caption')
            if text is not None:
                captions.setdefault(vid.strip(), []).append(text)
        videos = data.get('videos')
        if videos is not None and not isinstance(videos, list):
            raise self._error(path, None, 'videos', 'expected a list')
        return captions, videos or []

    def _split_ids(self, videos: list,
                   captions: Dict[str, List[str]]) -> List[str]:
        if self.split_file:
            ids, source = self._read_split_file(), self.split_file
        elif self.split is not None:
            ids = [v['video_id'] for v in videos
                   if isinstance(v, dict) and v.get('split') == self.split]
            source = f'{self.ann_file} (videos[].split == {self.split!r})'
            if not ids:
                raise self._error(self.ann_file, None, 'videos',
                                  f'no video has split {self.split!r}')
        else:
            ids = [v['video_id'] for v in videos
                   if isinstance(v, dict) and 'video_id' in v] or \
                list(captions)
            source = self.ann_file
        out = []
        for line, vid in ids if ids and isinstance(ids[0], tuple) else \
                enumerate(ids, 1):
            if vid not in captions:
                self.invalid(source, line, 'video_id',
                             f'video {vid!r} has no caption in '
                             f'{self.ann_file}')
                continue
            out.append(vid)
        return out

    def _read_split_file(self) -> List[tuple]:
        path = self.split_file
        if path.endswith('.csv'):
            return [(line, row['video_id'].strip())
                    for line, row in self.iter_csv(path, ('video_id', ),
                                                   delimiter=',')]
        return [(line, raw.strip())
                for line, raw in enumerate(
                    self.read_text(path).splitlines(), 1) if raw.strip()]
