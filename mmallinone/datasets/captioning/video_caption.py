"""Generic video captions in JSON / JSON Lines (e.g. the demo videos)."""
import os.path as osp
from typing import List

from mmallinone.registry import DATASETS
from .base import BaseCaptionDataset

__all__ = ['VideoCaptionDataset']


@DATASETS.register_module()
class VideoCaptionDataset(BaseCaptionDataset):
    """Captioned videos from a JSON Lines or JSON file.

    One row per video (``.jsonl`` / ``.ndjson``: one per line; otherwise a
    JSON list or ``{"annotations": [rows]}``)::

        {"video": "a/b.mp4", "caption": ["two men hug", "..."], "id": "b"}

    ``video`` is relative to ``data_prefix['video']``; ``caption`` a string
    or a list of reference strings; ``id`` (optional) defaults to the file
    name without extension.

    Args:
        ann_file (str): The annotation file.
        **kwargs: See :class:`BaseCaptionDataset`.
    """

    def load_items(self) -> List[dict]:
        """One item per row."""
        path = self.ann_file
        items = []
        for line, row in self.read_json_rows(path):
            if not isinstance(row, dict):
                self.invalid(path, line, None, 'expected an object, got '
                             f'{type(row).__name__}')
                continue
            rel = row.get('video')
            if not isinstance(rel, str) or not rel.strip():
                self.invalid(path, line, 'video', 'missing or empty path')
                continue
            if 'caption' not in row:
                self.invalid(path, line, 'caption', 'missing field')
                continue
            captions = self.check_captions(row['caption'], path, line,
                                           'caption')
            if captions is None:
                continue
            vid = row.get('id', osp.splitext(osp.basename(rel))[0])
            items.append(
                dict(filename=self.media_path(rel), video_id=str(vid),
                     captions=captions))
        return items
