"""MSR-VTT captioning (standard split 6513 / 497 / 2990, 20 refs each)."""
from collections import OrderedDict
from typing import Dict, List

from mmallinone.registry import DATASETS
from .base import BaseCaptionDataset

__all__ = ['MSRVTTCaptionDataset']


@DATASETS.register_module()
class MSRVTTCaptionDataset(BaseCaptionDataset):
    """MSR-VTT captioning in the official annotation format.

    ``ann_file`` is the official ``train_val_videodatainfo.json`` (train +
    validate, 7010 videos), ``test_videodatainfo.json`` (test, 2990 videos)
    or the merged ``MSRVTT_data.json``::

        {"videos": [{"video_id": "video0", "split": "train", ...}, ...],
         "sentences": [{"video_id": "video0", "caption": "...",
                        "sen_id": 0}, ...]}

    The videos are those whose ``split`` equals ``split`` (``'train'``:
    video0-6512, ``'validate'``: video6513-7009, ``'test'``:
    video7010-9999), in file order, each with all its sentences (20) as
    references. Video path: ``<video_id><video_ext>`` under
    ``data_prefix['video']`` (``videos/all``).

    Args:
        ann_file (str): The JSON file.
        split (str): ``'train'``, ``'validate'`` or ``'test'``.
        video_ext (str): Defaults to ``'.mp4'``.
        **kwargs: See :class:`BaseCaptionDataset`.
    """

    SPLITS = ('train', 'validate', 'test')

    def __init__(self, ann_file: str, split: str = 'train',
                 video_ext: str = '.mp4', **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'Unknown MSR-VTT split {split!r}; valid: '
                             f'{self.SPLITS}')
        self.split = split
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    def load_items(self) -> List[dict]:
        """Group the sentences of the split's videos."""
        path = self.ann_file
        data = self.read_json(path)
        if not isinstance(data, dict) or not isinstance(
                data.get('videos'), list) or not isinstance(
                    data.get('sentences'), list):
            self.fatal(path, 'videos', 'expected {"videos": [...], '
                       '"sentences": [...]} (train_val_videodatainfo.json '
                       'layout)')
        ids = []
        for i, video in enumerate(data['videos']):
            where = f'videos[{i}]'
            if not isinstance(video, dict) or not isinstance(
                    video.get('video_id'), str):
                self.invalid(path, where, 'video_id', 'missing or not a '
                             'string')
                continue
            if video.get('split') == self.split:
                ids.append(video['video_id'])
        if not ids:
            self.fatal(path, 'videos', f'no video has split {self.split!r}')
        wanted = set(ids)
        captions: Dict[str, List[str]] = OrderedDict()
        for i, sent in enumerate(data['sentences']):
            where = f'sentences[{i}]'
            if not isinstance(sent, dict):
                self.invalid(path, where, None, 'expected an object')
                continue
            vid = sent.get('video_id')
            if not isinstance(vid, str):
                self.invalid(path, where, 'video_id', 'missing or not a '
                             'string')
                continue
            if vid not in wanted:
                continue
            text = self.check_text(sent.get('caption'), path, where,
                                   'caption')
            if text is not None:
                captions.setdefault(vid, []).append(text)
        items = []
        for vid in ids:
            if vid not in captions:
                self.invalid(path, None, 'sentences',
                             f'video {vid!r} has no caption')
                continue
            items.append(
                dict(filename=self.media_path(vid + self.video_ext),
                     video_id=vid, captions=captions[vid]))
        return items
