"""Common base of the text-video retrieval datasets."""
import os.path as osp
from typing import List, Sequence

from mmallinone.registry import DATASETS
from ..base import AnnotationError, BaseVideoTextDataset

__all__ = ['BaseRetrievalDataset', 'VideoCaptionsRetrievalDataset']


class BaseRetrievalDataset(BaseVideoTextDataset):
    """One sample per video with all its captions (or its paragraph).

    Subclasses' :meth:`load_data_list` return infos with ``filename``,
    ``video_id`` and ``captions`` (a non-empty list). In training one caption
    is drawn at random per access (``text``), as the authors do. In test mode
    every caption is kept (``captions``, tokenised by
    :class:`TokenizeCaptions`) so that each video is encoded once and each
    caption once; ``text`` is the first caption.

    Args:
        ann_file (str): Annotation file.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def select_caption(self, info: dict) -> dict:
        """Random caption in training; all captions kept in test mode."""
        if self.test_mode and info.get('captions'):
            info['text'] = info['captions'][0]
            return info
        return super().select_caption(info)

    def resolve_video(self, stem: str, exts: Sequence[str]) -> str:
        """Media path of ``stem`` with the first extension that exists.

        Only local folders are probed; if no candidate exists (or the media
        are remote) the first extension is used and a missing file is
        reported when the sample is loaded.
        """
        for ext in exts:
            path = self.media_path(stem + ext)
            if '://' in path or osp.exists(path):
                return path
        return self.media_path(stem + exts[0])

    def _error(self, path: str, line, field, msg: str) -> Exception:
        where = path + (f', line {line}' if line is not None else '') + \
            (f', field "{field}"' if field is not None else '')
        return AnnotationError(
            f'{type(self).__name__}: invalid annotation ({where}): {msg}')


@DATASETS.register_module()
class VideoCaptionsRetrievalDataset(BaseRetrievalDataset):
    """Retrieval over a simple ``captions.json`` (the shipped demo format).

    File format::

        {"videos": [{"video": "a.mp4", "captions": ["...", "..."]}, ...]}

    (extra keys are ignored). ``video_id`` is the file name without
    extension; the video path is ``video`` under ``data_prefix['video']``.

    Args:
        ann_file (str): The JSON file.
        **kwargs: See :class:`BaseRetrievalDataset`.
    """

    def load_data_list(self) -> List[dict]:
        """Parse ``videos[*].{video, captions}``."""
        path = self.ann_file
        data = self.read_json(path)
        rows = data.get('videos') if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise self._error(path, None, 'videos',
                              'expected {"videos": [...]}')
        data_list = []
        for i, row in enumerate(rows):
            where = f'row {i}'
            if not isinstance(row, dict) or not isinstance(
                    row.get('video'), str) or not row['video'].strip():
                self.invalid(path, where, 'video', 'missing or empty')
                continue
            captions = self.check_captions(row.get('captions'), path, where,
                                           'captions')
            if captions is None:
                continue
            data_list.append(
                dict(
                    filename=self.media_path(row['video']),
                    video_id=osp.splitext(osp.basename(row['video']))[0],
                    captions=captions,
                    modality='video'))
        return data_list
