"""DiDeMo paragraph-to-video retrieval (official localisation files)."""
import os.path as osp
from collections import OrderedDict
from typing import List, Optional

from mmallinone.registry import DATASETS
from .base import BaseRetrievalDataset

__all__ = ['DiDeMoRetrievalDataset']


@DATASETS.register_module()
class DiDeMoRetrievalDataset(BaseRetrievalDataset):
    """DiDeMo from the official ``{train,val,test}_data.json``.

    Each file is a JSON list of moment annotations with ``video`` (the
    video file name, e.g. ``<flickr id>.mov``), ``description`` and
    ``times`` (a list of ``[start, end]`` 5-second segment indices, 0-5).
    For paragraph-to-video retrieval all descriptions of a video, in file
    order, are joined with ``separator`` into one paragraph, the video's
    single caption (the authors' ``DiDeMo_*.tsv`` column 0).

    Video path: ``video`` under ``data_prefix['video']`` with its extension
    replaced by ``video_ext`` when given (videos are often re-encoded to
    ``.mp4``).

    Args:
        ann_file (str): ``train_data.json`` / ``val_data.json`` /
            ``test_data.json``.
        video_ext (str, optional): Replacement extension. Defaults to None
            (keep the annotation's name).
        separator (str): Defaults to ``' '``.
        **kwargs: See :class:`BaseRetrievalDataset`.
    """

    def __init__(self, ann_file: str, video_ext: Optional[str] = None,
                 separator: str = ' ', **kwargs) -> None:
        self.video_ext = video_ext
        self.separator = separator
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Group descriptions by video into paragraphs."""
        path = self.ann_file
        rows = self.read_json(path)
        if not isinstance(rows, list):
            raise self._error(path, None, None, 'expected a JSON list')
        paragraphs = OrderedDict()
        for i, row in enumerate(rows):
            where = f'row {i}'
            if not isinstance(row, dict):
                self.invalid(path, where, None, 'expected an object')
                continue
            video = row.get('video')
            if not isinstance(video, str) or not video.strip():
                self.invalid(path, where, 'video', 'missing or empty')
                continue
            text = self.check_text(row.get('description'), path, where,
                                   'description')
            if text is None:
                continue
            times = row.get('times')
            if times is not None and not (
                    isinstance(times, list) and all(
                        isinstance(t, list) and len(t) == 2 for t in times)):
                self.invalid(path, where, 'times',
                             f'expected [[start, end], ...], got '
                             f'{times!r:.60}')
                continue
            paragraphs.setdefault(video.strip(), []).append(text.strip())
        data_list = []
        for video, texts in paragraphs.items():
            stem, ext = osp.splitext(video)
            name = stem + (self.video_ext if self.video_ext else ext)
            data_list.append(
                dict(
                    filename=self.media_path(name),
                    video_id=stem,
                    captions=[self.separator.join(texts)],
                    modality='video'))
        return data_list
