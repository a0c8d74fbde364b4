"""YouCook2 dense video captioning segments (val split as test)."""
import os.path as osp
from typing import List, Sequence

from mmallinone.registry import DATASETS
from .base import BaseCaptionDataset

__all__ = ['YouCook2CaptionDataset']


@DATASETS.register_module()
class YouCook2CaptionDataset(BaseCaptionDataset):
    """YouCook2 segment captions with timestamps.

    ``ann_file`` is the official ``youcookii_annotations_trainval.json``::

        {"database": {"<youtube_id>": {
            "subset": "training", "recipe_type": "113", "duration": 241.6,
            "annotations": [{"id": 0, "segment": [90, 102],
                             "sentence": "spread margarine on bread"}]}}}

    Every annotated segment is one item: its sentence is the reference,
    ``clip_window`` its ``segment`` in seconds (put
    :class:`~mmallinone.datasets.transforms.RestrictToClipWindow` in the
    pipeline), ``eval_id`` ``<youtube_id>_<id>``. ``subset`` selects
    ``'training'`` (1333 videos) or ``'validation'`` (457); the test
    annotations are not public, so the validation split is the test set.

    Video path: ``path_template`` under ``data_prefix['video']``, with
    ``{subset}``, ``{recipe_type}`` and ``{video_id}`` filled in, plus the
    first of ``video_exts`` that exists (the downloads mix ``.mp4``,
    ``.mkv`` and ``.webm``); a missing video is reported when the sample is
    loaded (a logged skip in training).

    Args:
        ann_file (str): The JSON file.
        subset (str): ``'training'`` or ``'validation'``.
        path_template (str): Defaults to
            ``'{subset}/{recipe_type}/{video_id}'`` (the ``raw_videos``
            layout of the official download script).
        video_exts (Sequence[str]): Defaults to
            ``('.mp4', '.mkv', '.webm')``.
        **kwargs: See :class:`BaseCaptionDataset`.
    """

    SUBSETS = ('training', 'validation')

    def __init__(self,
                 ann_file: str,
                 subset: str = 'training',
                 path_template: str = '{subset}/{recipe_type}/{video_id}',
                 video_exts: Sequence[str] = ('.mp4', '.mkv', '.webm'),
                 **kwargs) -> None:
        if subset not in self.SUBSETS:
            raise ValueError(f'Unknown YouCook2 subset {subset!r}; valid: '
                             f'{self.SUBSETS}')
        self.subset = subset
        self.path_template = path_template
        self.video_exts = tuple(video_exts)
        super().__init__(ann_file=ann_file, **kwargs)

    def load_items(self) -> List[dict]:
        """One item per annotated segment of the subset."""
        path = self.ann_file
        data = self.read_json(path)
        db = data.get('database') if isinstance(data, dict) else None
        if not isinstance(db, dict):
            self.fatal(path, 'database', 'expected {"database": {...}}')
        items = []
        for vid, video in db.items():
            where = f'database.{vid}'
            if not isinstance(video, dict):
                self.invalid(path, where, None, 'expected an object')
                continue
            if video.get('subset') != self.subset:
                continue
            anns = video.get('annotations')
            if not isinstance(anns, list):
                self.invalid(path, where, 'annotations', 'expected a list')
                continue
            stem = self.path_template.format(
                subset=self.subset, recipe_type=video.get('recipe_type', ''),
                video_id=vid)
            for i, ann in enumerate(anns):
                w = f'{where}.annotations[{i}]'
                if not isinstance(ann, dict):
                    self.invalid(path, w, None, 'expected an object')
                    continue
                seg = ann.get('segment')
                if not isinstance(seg, (list, tuple)) or len(seg) != 2:
                    self.invalid(path, w, 'segment', 'expected [start, end], '
                                 f'got {seg!r:.40}')
                    continue
                start = self.parse_float(seg[0], path, w, 'segment')
                end = self.parse_float(seg[1], path, w, 'segment') \
                    if start is not None else None
                if end is None:
                    continue
                if not 0 <= start <= end:
                    self.invalid(path, w, 'segment', 'expected 0 <= start <= '
                                 f'end, got {seg}')
                    continue
                text = self.check_text(ann.get('sentence'), path, w,
                                       'sentence')
                if text is None:
                    continue
                seg_id = ann.get('id', i)
                items.append(
                    dict(filename=stem, video_id=vid, captions=[text],
                         clip_window=(start, end),
                         eval_id=f'{vid}_{seg_id}', segment_id=seg_id))
        return items

    def load_sample_annotation(self, info: dict) -> dict:
        """Resolve the video's extension (the first that exists)."""
        stem = info['filename']
        tried = []
        for ext in self.video_exts:
            path = self.media_path(stem + ext)
            if '://' in path or osp.exists(path):
                info['filename'] = path
                return info
            tried.append(path)
        raise FileNotFoundError(f'No video for {info["video_id"]}: tried '
                                f'{", ".join(tried)}')
