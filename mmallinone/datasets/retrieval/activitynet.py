"""ActivityNet Captions paragraph-to-video retrieval."""
from typing import List, Sequence

from mmallinone.registry import DATASETS
from .base import BaseRetrievalDataset

__all__ = ['ActivityNetRetrievalDataset']


@DATASETS.register_module()
class ActivityNetRetrievalDataset(BaseRetrievalDataset):
    """ActivityNet Captions from the official ``train.json`` / ``val_1.json``.

    Format: ``{"v_<id>": {"duration": float, "timestamps": [[s, e], ...],
    "sentences": [str, ...]}, ...}``. The sentences of a video, in order,
    stripped and joined with ``separator``, form its paragraph (its single
    caption). Videos are decoded from ``v_<id>.mp4`` / ``.mkv`` /
    ``.webm`` (the first that exists under ``data_prefix['video']``), not
    from the authors' frame folders.

    Args:
        ann_file (str): ``train.json``, ``val_1.json`` or ``val_2.json``.
        video_exts (Sequence[str]): Extensions probed in order. Defaults to
            ``('.mp4', '.mkv', '.webm')``.
        separator (str): Defaults to ``' '``.
        **kwargs: See :class:`BaseRetrievalDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 video_exts: Sequence[str] = ('.mp4', '.mkv', '.webm'),
                 separator: str = ' ',
                 **kwargs) -> None:
        self.video_exts = tuple(video_exts)
        self.separator = separator
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One paragraph per video."""
        path = self.ann_file
        data = self.read_json(path)
        if not isinstance(data, dict):
            raise self._error(path, None, None,
                              'expected {"v_<id>": {...}, ...}')
        data_list = []
        for vid, ann in data.items():
            if not isinstance(ann, dict):
                self.invalid(path, f'video {vid!r}', None,
                             'expected an object')
                continue
            sentences = self.check_captions(ann.get('sentences'), path,
                                            f'video {vid!r}', 'sentences')
            if sentences is None:
                continue
            stamps = ann.get('timestamps')
            if stamps is not None and (not isinstance(stamps, list)
                                       or len(stamps) != len(sentences)):
                self.invalid(path, f'video {vid!r}', 'timestamps',
                             'expected one [start, end] per sentence')
                continue
            data_list.append(
                dict(
                    filename=self.resolve_video(vid, self.video_exts),
                    video_id=vid,
                    captions=[
                        self.separator.join(s.strip() for s in sentences)
                    ],
                    duration=ann.get('duration'),
                    modality='video'))
        return data_list
