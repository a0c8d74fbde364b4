"""MSVD captioning (standard split 1200 / 100 / 670 clips)."""
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

from mmallinone.registry import DATASETS
from .base import BaseCaptionDataset

__all__ = ['MSVDCaptionDataset']


@DATASETS.register_module()
class MSVDCaptionDataset(BaseCaptionDataset):
    """MSVD (Microsoft Research Video Description) captions.

    ``ann_file`` is one of:

    - ``AllVideoDescriptions.txt`` (the English descriptions): lines
      ``<clip> <description>``, e.g. ``-4wsuPCjDBc_5_15 a squirrel is
      eating a peanut``; lines starting with ``#`` are comments;
    - ``MSR Video Description Corpus.csv`` (all languages), columns
      ``VideoID,Start,End,WorkerID,Source,AnnotationTime,Language,
      Description``: the clip is ``<VideoID>_<Start>_<End>``, rows of
      ``language`` (``'English'``) are kept.

    The split follows the standard protocol (Venugopalan et al. 2015): the
    1970 clips numbered by ``youtube_mapping.txt`` (``<clip> vid<N>``),
    ``vid1-1200`` train, ``vid1201-1300`` val, ``vid1301-1970`` test
    (``split_ranges``). Video path ``<clip><video_ext>`` under
    ``data_prefix['video']`` (``YouTubeClips``).

    Args:
        ann_file (str): The descriptions file.
        mapping_file (str): ``youtube_mapping.txt`` (joined with
            ``data_root`` when relative).
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        split_ranges (dict, optional): ``{split: (first, last)}`` vid
            numbers, inclusive. Defaults to the standard split.
        language (str): CSV rows kept. Defaults to ``'English'``.
        video_ext (str): Defaults to ``'.avi'``.
        **kwargs: See :class:`BaseCaptionDataset`.
    """

    SPLIT_RANGES = dict(train=(1, 1200), val=(1201, 1300), test=(1301, 1970))

    def __init__(self,
                 ann_file: str,
                 mapping_file: str = 'youtube_mapping.txt',
                 split: str = 'train',
                 split_ranges: Optional[Dict[str, Tuple[int, int]]] = None,
                 language: str = 'English',
                 video_ext: str = '.avi',
                 **kwargs) -> None:
        ranges = dict(split_ranges or self.SPLIT_RANGES)
        if split not in ranges:
            raise ValueError(f'Unknown MSVD split {split!r}; valid: '
                             f'{sorted(ranges)}')
        data_root = kwargs.get('data_root', '') or ''
        if data_root and not osp.isabs(mapping_file):
            mapping_file = osp.join(data_root, mapping_file)
        self.mapping_file = mapping_file
        self.split = split
        self.split_range = tuple(ranges[split])
        self.language = language
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    def _descriptions(self) -> List[Tuple[int, str, str]]:
        """``(line, clip, description)`` rows of the annotation file."""
        path = self.ann_file
        rows = []
        if path.endswith('.csv'):
            required = ('VideoID', 'Start', 'End', 'Language', 'Description')
            for line, row in self.iter_csv(path, required, delimiter=','):
                if row['Language'].strip() != self.language:
                    continue
                clip = f'{row["VideoID"].strip()}_{row["Start"].strip()}_' \
                    f'{row["End"].strip()}'
                rows.append((line, clip, row['Description']))
            return rows
        for line, raw in enumerate(self.read_text(path).splitlines(), 1):
            if not raw.strip() or raw.lstrip().startswith('#'):
                continue
            parts = raw.strip().split(maxsplit=1)
            if len(parts) != 2:
                self.invalid(path, line, 'description', 'expected "<clip> '
                             f'<description>", got {raw!r:.80}')
                continue
            rows.append((line, parts[0], parts[1]))
        return rows

    def load_items(self) -> List[dict]:
        """Group the descriptions of the split's clips (mapping order)."""
        mapping = self.read_clip_numbers(self.mapping_file)
        first, last = self.split_range
        clips = sorted((n, c) for c, n in mapping.items()
                       if first <= n <= last)
        wanted = {c for _, c in clips}
        captions: Dict[str, List[str]] = OrderedDict()
        for line, clip, text in self._descriptions():
            if clip not in mapping:
                self.invalid(self.ann_file, line, 'clip', f'{clip!r} is not '
                             f'in {self.mapping_file}')
                continue
            if clip not in wanted:
                continue
            text = self.check_text(text.strip(), self.ann_file, line,
                                   'description')
            if text is not None:
                captions.setdefault(clip, []).append(text)
        items = []
        for _, clip in clips:
            if clip not in captions:
                self.invalid(self.ann_file, None, 'description',
                             f'clip {clip!r} has no description')
                continue
            items.append(
                dict(filename=self.media_path(clip + self.video_ext),
                     video_id=clip, captions=captions[clip]))
        return items
