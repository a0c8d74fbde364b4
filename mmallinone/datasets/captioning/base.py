"""Common base of the video captioning datasets."""
from typing import List, Optional

from ..base import AnnotationError, BaseVideoTextDataset

__all__ = ['BaseCaptionDataset']


class BaseCaptionDataset(BaseVideoTextDataset):
    """Videos (or clip segments) with their reference captions.

    Subclasses implement :meth:`load_items`: one dict per captioned item
    with ``filename``, ``video_id``, ``captions`` (non-empty list), an
    optional ``clip_window`` ``(start, end)`` in seconds and an optional
    ``eval_id`` (the key the metric scores; defaults to ``video_id``, a
    YouCook2 segment sets ``<video>_<segment>``).

    - ``expand_captions=True`` (the default in training): one sample per
      (item, caption) pair, the caption tokenised as the teacher-forcing
      target.
    - ``expand_captions=False`` (the default in test mode): one sample per
      item; every caption is kept as ``gt_captions`` (the references of
      :class:`~mmallinone.evaluation.CaptionMetric`, pack it with
      ``meta_keys``) and ``text`` is the first one.

    Args:
        ann_file (str): Annotation file.
        expand_captions (bool, optional): See above. Defaults to None
            (``not test_mode``).
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 expand_captions: Optional[bool] = None,
                 **kwargs) -> None:
        self.expand_captions = expand_captions
        super().__init__(ann_file=ann_file, **kwargs)

    def load_items(self) -> List[dict]:
        """Parse the annotations into captioned items (see class doc)."""
        raise NotImplementedError

    def load_data_list(self) -> List[dict]:
        """Expand items into samples (training) or keep them (test)."""
        expand = (not self.test_mode) if self.expand_captions is None \
            else self.expand_captions
        data_list = []
        for item in self.load_items():
            item.setdefault('eval_id', item['video_id'])
            item.setdefault('modality', 'video')
            captions = item.pop('captions')
            if expand:
                for j, cap in enumerate(captions):
                    data_list.append(dict(item, text=cap, caption_idx=j))
            else:
                data_list.append(
                    dict(item, text=captions[0], caption_idx=0,
                         gt_captions=list(captions)))
        return data_list

    # ---------------------------------------------------------------- helpers
    def fatal(self, path: str, field: Optional[str], msg: str) -> None:
        """Raise for a file-level problem (not skippable row by row)."""
        where = path + (f', field "{field}"' if field else '')
        raise AnnotationError(
            f'{type(self).__name__}: invalid annotation ({where}): {msg}')
