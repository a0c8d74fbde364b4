"""mmaction2's ``VideoDataset`` with checked list files and skipped videos."""
import os.path as osp
from typing import List, Optional

from mmaction.datasets import VideoDataset
from mmengine.fileio import exists, list_from_file
from mmengine.logging import MMLogger

from mmallinone.registry import DATASETS
from .base import AnnotationError

__all__ = ['RobustVideoDataset']


@DATASETS.register_module()
class RobustVideoDataset(VideoDataset):
    """``mmaction.VideoDataset`` that names bad lines and skips bad videos.

    Same list format, arguments and data infos as mmaction2's
    ``VideoDataset`` (``"<video> <label>"`` lines, ``data_prefix``,
    ``start_index``, ``multi_class``), with two additions:

    - **Checked list file.** A line without a label, with a label that is not
      an integer, or (given ``num_classes``) out of ``[0, num_classes)``
      raises :class:`~mmallinone.datasets.AnnotationError` naming the file,
      the line and the field (mmaction2 raises a bare ``ValueError``, or
      gives a label-less line the label -1). Blank lines are ignored.
      ``allow_unlabelled=True`` accepts label-less lines (label -1) for
      inference-only lists.
    - **Skipped videos.** In training a sample whose pipeline raises
      (missing, truncated or undecodable video; see ``SafeDecordInit``) is
      logged with the file and the error, counted in :attr:`num_skipped`,
      and replaced by another random sample (MMEngine's refetch). Once
      ``skip_warmup`` samples were attempted, a skipped share above
      ``max_skip_ratio`` raises (a wrong ``data_prefix`` fails early). In
      test mode the error is raised with the file name: no test sample is
      dropped silently.

    Args:
        ann_file (str): The list file.
        pipeline (list): Transforms.
        num_classes (int, optional): Checks single-label labels when given
            (and is required by ``multi_class``). Defaults to None.
        allow_unlabelled (bool): Accept lines with only a path (label -1).
            Defaults to False.
        max_skip_ratio (float): Largest tolerated skipped / attempted ratio.
            Defaults to 0.5.
        skip_warmup (int): Attempts before the ratio is checked. Defaults to
            50.
        **kwargs: Other arguments of ``mmaction.VideoDataset``.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: list,
                 num_classes: Optional[int] = None,
                 allow_unlabelled: bool = False,
                 max_skip_ratio: float = 0.5,
                 skip_warmup: int = 50,
                 **kwargs) -> None:
        if not 0 <= max_skip_ratio <= 1:
            raise ValueError(f'max_skip_ratio must be in [0, 1], got '
                             f'{max_skip_ratio}')
        self.allow_unlabelled = allow_unlabelled
        self.max_skip_ratio = max_skip_ratio
        self.skip_warmup = skip_warmup
        self.num_skipped = 0
        self.num_attempts = 0
        super().__init__(
            ann_file, pipeline=pipeline, num_classes=num_classes, **kwargs)

    def _error(self, line: int, field: str, msg: str) -> AnnotationError:
        return AnnotationError(
            f'{type(self).__name__}: invalid annotation ({self.ann_file}, '
            f'line {line}, field "{field}"): {msg}')

    def _label(self, text: str, line: int) -> int:
        try:
            label = int(text)
        except ValueError:
            raise self._error(line, 'label',
                              f'expected an integer, got {text!r}') from None
        if label < 0 or (self.num_classes is not None
                         and label >= self.num_classes):
            raise self._error(
                line, 'label', f'{label} is outside [0, '
                f'{self.num_classes if self.num_classes else "inf"})')
        return label

    def load_data_list(self) -> List[dict]:
        """Parse the list file, checking every line."""
        if not exists(self.ann_file):
            raise FileNotFoundError(
                f'{type(self).__name__}: annotation file "{self.ann_file}" '
                'does not exist')
        if self.multi_class and self.num_classes is None:
            raise ValueError('multi_class=True needs num_classes')
        data_list = []
        prefix = self.data_prefix.get('video')
        for line_no, line in enumerate(list_from_file(self.ann_file), 1):
            if not line.strip():
                continue
            fields = line.strip().split(self.delimiter)
            filename, labels = fields[0], fields[1:]
            if not labels:
                if not self.allow_unlabelled:
                    raise self._error(line_no, 'label',
                                      f'missing (line {line.strip()!r})')
                label = -1
            elif self.multi_class:
                label = [self._label(x, line_no) for x in labels]
            elif len(labels) > 1:
                raise self._error(
                    line_no, 'label',
                    f'{len(labels)} labels for a single-label dataset '
                    f'(line {line.strip()!r}; a path with the delimiter '
                    f'{self.delimiter!r} in it?)')
            else:
                label = self._label(labels[0], line_no)
            if prefix is not None:
                filename = osp.join(prefix, filename)
            data_list.append(dict(filename=filename, label=label))
        return data_list

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Run the pipeline; skip (train) or name (test) a failing video."""
        self.num_attempts += 1
        try:
            data = super().prepare_data(idx)
        except Exception as err:  # noqa: BLE001 - logged and counted
            filename = self.get_data_info(idx).get('filename', '<unknown>')
            reason = f'{type(err).__name__}: {err}'
            if self.test_mode:
                raise RuntimeError(
                    f'{type(self).__name__}: cannot load sample {idx} '
                    f'"{filename}" in test mode: {reason}') from err
            self.num_skipped += 1
            MMLogger.get_current_instance().warning(
                f'{type(self).__name__}: skipped sample {idx} "{filename}" '
                f'({reason}); {self.num_skipped} skipped of '
                f'{self.num_attempts} attempted so far in this process')
            if self.num_attempts >= self.skip_warmup and \
                    self.num_skipped / self.num_attempts > \
                    self.max_skip_ratio:
                raise RuntimeError(
                    f'{type(self).__name__}: {self.num_skipped} of '
                    f'{self.num_attempts} samples failed to load, above '
                    f'max_skip_ratio={self.max_skip_ratio} (last: '
                    f'"{filename}": {reason}). Check data_prefix / ann_file '
                    f'({self.ann_file}).') from err
            return None
        return data
