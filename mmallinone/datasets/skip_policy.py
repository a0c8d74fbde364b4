"""Skip policy of the video-text datasets.

Malformed annotation rows and samples that fail to load are either an error
naming the file (and line / field), or a counted, logged skip; never a
crash mid-run and never a silent loss.
"""
from typing import Dict, Optional, Union

import torch
from mmengine.logging import MMLogger


class AnnotationError(ValueError):
    """A malformed annotation: names the file, the line and the field."""


#: Rows of the shared load counters: the main process + dataloader workers
#: (worker ``i`` writes row ``1 + i % 64``, so no two processes of one
#: dataloader write the same row).
_COUNTER_ROWS = 65


def _counter_row() -> int:
    """This process's row of the shared counters."""
    info = torch.utils.data.get_worker_info()
    return 0 if info is None else 1 + info.id % (_COUNTER_ROWS - 1)


class SkipPolicyMixin:
    """Invalid annotation rows and failed sample loads of a dataset.

    Rows: :meth:`invalid` raises an :class:`AnnotationError`, or with
    ``skip_invalid_rows=True`` logs and counts the row in
    :attr:`num_invalid_rows`. Loads: :meth:`_fail` raises in test mode, else
    logs a skip and raises once more than ``max_skip_ratio`` of at least
    ``skip_warmup`` attempts failed. ``num_skipped`` / ``num_attempts``
    count this process; :meth:`load_counts` adds up the dataloader workers
    of this rank through a shared-memory int64 table ``(65, 2)``.

    The host class provides ``test_mode``, ``ann_file`` and calls
    :meth:`_init_skip_policy` in its ``__init__``.
    """

    def _init_skip_policy(self, max_skip_ratio: float, skip_warmup: int,
                          skip_invalid_rows: bool) -> None:
        """Check the settings and create the counters."""
        if not 0 <= max_skip_ratio <= 1:
            raise ValueError(f'max_skip_ratio must be in [0, 1], got '
                             f'{max_skip_ratio}')
        self.max_skip_ratio = max_skip_ratio
        self.skip_warmup = skip_warmup
        self.skip_invalid_rows = skip_invalid_rows
        self.num_skipped = 0
        self.num_attempts = 0
        self.num_invalid_rows = 0
        # (attempted, skipped) per process, shared with forked / spawned
        # dataloader workers
        self._load_counts = torch.zeros(
            _COUNTER_ROWS, 2, dtype=torch.int64).share_memory_()

    @staticmethod
    def _logger() -> MMLogger:
        return MMLogger.get_current_instance()

    def invalid(self, path: str, line: Union[int, str, None],
                field: Optional[str], msg: str) -> None:
        """Report a malformed annotation row.

        Raises a ``ValueError`` naming file, line and field, or (with
        ``skip_invalid_rows=True``) logs a warning and counts it.

        Args:
            path (str): The annotation file.
            line (int | str, optional): 1-based line number (or a row
                description such as ``'row 3'`` for JSON lists).
            field (str, optional): Field / column name.
            msg (str): What is wrong.

        Raises:
            AnnotationError: Unless ``skip_invalid_rows``.
        """
        where = f'{path}'
        if isinstance(line, int):
            where += f', line {line}'
        elif line is not None:  # e.g. 'row 3' of a JSON list
            where += f', {line}'
        if field is not None:
            where += f', field "{field}"'
        text = f'{type(self).__name__}: invalid annotation ({where}): {msg}'
        if not self.skip_invalid_rows:
            raise AnnotationError(text)
        self.num_invalid_rows += 1
        self._logger().warning(
            f'{text}; row skipped ({self.num_invalid_rows} invalid rows '
            'skipped so far)')

    def load_counts(self) -> Dict[str, int]:
        """Loads of this rank, all dataloader workers together.

        Returns:
            dict: ``attempted`` and ``skipped`` sample loads (false videos
            included) and ``invalid_rows`` (annotation rows dropped with
            ``skip_invalid_rows``).
        """
        attempted, skipped = (int(v) for v in self._load_counts.sum(0))
        return dict(attempted=attempted, skipped=skipped,
                    invalid_rows=int(self.num_invalid_rows))

    def _count_attempt(self) -> None:
        """Count one sample load (before it runs)."""
        self.num_attempts += 1
        self._load_counts[_counter_row(), 0] += 1

    def _fail(self, info: dict, err: Optional[BaseException]) -> None:
        """Record (and log) a failed sample; raise in test mode."""
        filename = info.get('filename', '<unknown>')
        reason = 'the pipeline returned None' if err is None else \
            f'{type(err).__name__}: {err}'
        if self.test_mode:
            raise RuntimeError(
                f'{type(self).__name__}: cannot load sample '
                f'{info.get("sample_idx")} "{filename}" in test mode: '
                f'{reason}') from err
        self.num_skipped += 1
        self._load_counts[_counter_row(), 1] += 1
        self._logger().warning(
            f'{type(self).__name__}: skipped sample {info.get("sample_idx")} '
            f'"{filename}" ({reason}); {self.num_skipped} skipped of '
            f'{self.num_attempts} attempted so far in this process')
        if self.num_attempts >= self.skip_warmup and \
                self.num_skipped / self.num_attempts > self.max_skip_ratio:
            raise RuntimeError(
                f'{type(self).__name__}: {self.num_skipped} of '
                f'{self.num_attempts} samples failed to load, above '
                f'max_skip_ratio={self.max_skip_ratio} (last: "{filename}": '
                f'{reason}). Check data_root / data_prefix / ann_file '
                f'({self.ann_file}).') from err
