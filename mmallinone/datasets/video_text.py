"""Generic video(or image)-caption annotations in JSON or JSON Lines."""
import os.path as osp
from typing import List, Optional

from mmallinone.registry import DATASETS
from .base import BaseVideoTextDataset


@DATASETS.register_module()
class VideoTextDataset(BaseVideoTextDataset):
    """Video-text pairs from a JSON or JSONL annotation file.

    Accepted files (read by :meth:`read_json_rows`: ``.jsonl`` /
    ``.ndjson`` are JSON Lines, anything else is JSON)::

        # JSON: a list of rows, or {"annotations": [rows]}
        [{"video": "a/b.mp4", "caption": ["two men hug", "..."], "id": "b"},
         {"image": "c.jpg", "caption": "a dog"}]
        # JSONL: one row per line

    A row has ``video`` (or ``image``): a path relative to
    ``data_prefix['video']``; ``caption``: a string or a list of strings;
    optional ``id`` (default: the file name without extension); optional
    ``label`` (class index), ``options`` (candidate captions, a list of
    strings, packed as ``candidates``) and ``answer`` (index of the right
    option). ``label_key`` names the field that becomes the sample's
    ``label`` (``gt_label``): ``'label'`` for classification, ``'answer'``
    for multiple choice. Rows with
    ``image`` set ``modality='image'`` (use
    :class:`~mmallinone.datasets.transforms.LoadImageAsClip` in the pipeline
    of an image dataset).

    With ``expand_captions=True`` (training) every (video, caption) pair is
    one sample; otherwise each video is one sample whose caption is drawn at
    random in training and is the first (``test_caption``) in test mode.

    Each sample's data info: ``filename``, ``video_id``, ``modality``,
    ``text`` (or ``captions``), ``caption_idx``.

    Args:
        ann_file (str): The JSON / JSONL file.
        expand_captions (bool): One sample per caption. Defaults to True.
        label_key (str, optional): ``'label'`` or ``'answer'``: the row
            field used as the sample's label (required in every row then).
            Defaults to None (no label).
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 expand_captions: bool = True,
                 label_key: Optional[str] = None,
                 **kwargs) -> None:
        if label_key not in (None, 'label', 'answer'):
            raise ValueError("label_key must be None, 'label' or 'answer', "
                             f'got {label_key!r}')
        self.expand_captions = expand_captions
        self.label_key = label_key
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file.

        Returns:
            list[dict]: One data info per sample.
        """
        path = self.ann_file
        data_list = []
        for where, row in self.read_json_rows(path):
            info = self._parse_row(row, path, where)
            if info is None:
                continue
            if self.expand_captions:
                captions = info.pop('captions')
                for j, cap in enumerate(captions):
                    data_list.append(dict(info, text=cap, caption_idx=j))
            else:
                data_list.append(info)
        return data_list

    def _parse_row(self, row, path: str, line) -> Optional[dict]:
        """Validate one row; return a data info or ``None`` if skipped."""
        if not isinstance(row, dict):
            self.invalid(path, line, None,
                         f'expected an object, got {type(row).__name__}')
            return None
        key = 'video' if 'video' in row else 'image' if 'image' in row \
            else None
        if key is None:
            self.invalid(path, line, 'video', 'missing "video" (or "image")')
            return None
        rel = row[key]
        if not isinstance(rel, str) or not rel.strip():
            self.invalid(path, line, key, f'expected a non-empty path, got '
                         f'{rel!r:.60}')
            return None
        if 'caption' not in row:
            self.invalid(path, line, 'caption', 'missing field')
            return None
        captions = self.check_captions(row['caption'], path, line, 'caption')
        if captions is None:
            return None
        vid = row.get('id', osp.splitext(osp.basename(rel))[0])
        if not isinstance(vid, (str, int)):
            self.invalid(path, line, 'id', 'expected a string or int, got '
                         f'{type(vid).__name__}')
            return None
        info = dict(
            filename=self.media_path(rel),
            video_id=str(vid),
            modality='image' if key == 'image' else 'video',
            captions=captions)
        if 'options' in row:
            options = self.check_captions(row['options'], path, line,
                                          'options')
            if options is None:
                return None
            info['candidates'] = options
        for field in ('label', 'answer'):
            if field not in row:
                continue
            value = row[field]
            if isinstance(value, bool) or not isinstance(value, int) or \
                    value < 0:
                self.invalid(path, line, field, 'expected an integer >= 0, '
                             f'got {value!r:.60}')
                return None
            if field == 'answer' and value >= len(info.get('candidates',
                                                           ())):
                self.invalid(path, line, 'answer', f'index {value} outside '
                             'the options')
                return None
            info[field] = value
        if self.label_key is not None:
            if self.label_key not in info:
                self.invalid(path, line, self.label_key, 'missing field')
                return None
            info['label'] = info[self.label_key]
        return info
