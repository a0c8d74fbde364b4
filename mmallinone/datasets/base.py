"""Common base of mmallinone's video-text datasets."""
import contextlib
import csv
import io
import os.path as osp
import random
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, \
    Sequence, Tuple, Union

import numpy as np
import torch
from mmengine import fileio
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from mmallinone.registry import DATASETS


class AnnotationError(ValueError):
    """A malformed annotation: names the file, the line and the field."""


#: Rows of the shared load counters: the main process + dataloader workers
#: (worker ``i`` writes row ``1 + i % 64``, so no two processes of one
#: dataloader write the same row).
_COUNTER_ROWS = 65


@contextlib.contextmanager
def seeded_sample_rng(seed: int) -> Iterator[None]:
    """Seed ``random``, ``numpy`` and torch's CPU generator with ``seed`` for
    the ``with`` block, then put their previous states back (so that the
    main process's random streams, e.g. dropout with ``num_workers=0``, do
    not depend on the data)."""
    py_state = random.getstate()
    np_state = np.random.get_state()
    torch_state = torch.get_rng_state()
    random.seed(seed)
    np.random.seed(seed)
    torch.default_generator.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.set_rng_state(torch_state)


def _counter_row() -> int:
    """This process's row of the shared counters."""
    info = torch.utils.data.get_worker_info()
    return 0 if info is None else 1 + info.id % (_COUNTER_ROWS - 1)


@DATASETS.register_module()
class BaseVideoTextDataset(BaseDataset):
    """Base class of video(-or-image)-text datasets.

    Subclasses implement :meth:`load_data_list`, returning one dict per
    sample with at least ``filename`` (full path of the media), ``video_id``
    and either ``text`` (one caption) or ``captions`` (a list; one is chosen
    per access: at random in training, by ``test_caption`` in test mode).
    An optional ``clip_windows`` list parallel to ``captions`` (or a
    ``clip_window``) gives the caption's (start, end) time in seconds, read by
    :class:`~mmallinone.datasets.transforms.RestrictToClipWindow`.

    **Robust loading.** A sample whose pipeline raises (missing, truncated or
    undecodable file, ...) or returns ``None`` is *skipped*: a warning naming
    the file, the error and the running skip count is logged with
    ``MMLogger.get_current_instance()``, and ``prepare_data`` returns
    ``None`` so that MMEngine's ``BaseDataset.__getitem__`` refetches a random
    other sample (at most ``max_refetch`` times in a row). In test mode a
    failing sample raises a ``RuntimeError`` naming the file instead. Once at
    least ``skip_warmup`` loads were attempted, a skip ratio (skipped /
    attempted) above ``max_skip_ratio`` raises a ``RuntimeError`` (e.g. a
    wrong data root fails after ``skip_warmup`` attempts).
    ``num_skipped`` / ``num_attempts`` are per process (each dataloader
    worker counts its own; the ratio check uses them); :meth:`load_counts`
    adds up all workers of this rank through a small shared-memory table,
    and :class:`~mmallinone.engine.DataSkipCountHook` adds up the ranks,
    logs the total at the end of training and stores it in checkpoints.

    **Annotation errors** (malformed rows, missing columns or fields, wrong
    types, empty captions) raise ``ValueError`` naming the file, the line
    number and the field; with ``skip_invalid_rows=True`` such rows are
    dropped, logged and counted in :attr:`num_invalid_rows` instead.

    Args:
        ann_file (str): Annotation file (joined with ``data_root`` when
            relative).
        pipeline (Sequence[dict | Callable]): Transforms.
        data_root (str): Root of annotations and media. Defaults to ''.
        data_prefix (dict): ``dict(video=...)``: folder of the media,
            joined with ``data_root`` when relative. Defaults to
            ``dict(video='')``.
        num_false_videos (int): 0, or 1 to add ``inputs['false_imgs']``
            (uint8 (S, 3, H, W)): the frames of a random *other* sample run
            through the same pipeline (video-text matching negatives).
            Defaults to 0.
        max_skip_ratio (float): Largest tolerated skipped / attempted ratio.
            Defaults to 0.5.
        skip_warmup (int): Attempts (in this process) before the ratio is
            checked. Defaults to 50.
        skip_invalid_rows (bool): Drop and log malformed annotation rows
            instead of raising. Defaults to False.
        test_caption (str): Caption used in test mode when a sample has
            several: ``'first'`` or ``'centre'``. Defaults to ``'first'``.
        backend_args (dict, optional): mmengine file backend arguments used
            to read annotation files. Defaults to None.
        test_mode (bool): Test mode (deterministic caption; errors raise).
            Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 data_root: str = '',
                 data_prefix: dict = dict(video=''),
                 num_false_videos: int = 0,
                 max_skip_ratio: float = 0.5,
                 skip_warmup: int = 50,
                 skip_invalid_rows: bool = False,
                 test_caption: str = 'first',
                 start_index: int = 0,
                 backend_args: Optional[dict] = None,
                 test_mode: bool = False,
                 **kwargs) -> None:
        if num_false_videos not in (0, 1):
            raise ValueError('num_false_videos must be 0 or 1, got '
                             f'{num_false_videos}')
        if test_caption not in ('first', 'centre'):
            raise ValueError("test_caption must be 'first' or 'centre', got "
                             f'{test_caption!r}')
        if not 0 <= max_skip_ratio <= 1:
            raise ValueError(f'max_skip_ratio must be in [0, 1], got '
                             f'{max_skip_ratio}')
        self.num_false_videos = num_false_videos
        self.max_skip_ratio = max_skip_ratio
        self.skip_warmup = skip_warmup
        self.skip_invalid_rows = skip_invalid_rows
        self.test_caption = test_caption
        self.start_index = start_index
        self.backend_args = backend_args
        self.num_skipped = 0
        self.num_attempts = 0
        self.num_invalid_rows = 0
        # (attempted, skipped) per process, shared with forked / spawned
        # dataloader workers
        self._load_counts = torch.zeros(
            _COUNTER_ROWS, 2, dtype=torch.int64).share_memory_()
        super().__init__(
            ann_file=ann_file,
            pipeline=pipeline,
            data_root=data_root,
            data_prefix=dict(data_prefix),
            test_mode=test_mode,
            **kwargs)
        if self.num_false_videos and self._fully_initialized and len(self) < 2:
            raise ValueError(f'{type(self).__name__}: num_false_videos=1 '
                             'needs at least 2 samples')

    # ------------------------------------------------------------------
    # annotation helpers
    # ------------------------------------------------------------------
    @property
    def video_prefix(self) -> str:
        """Media folder (``data_prefix['video']`` joined with the root)."""
        return self.data_prefix.get('video', '') or ''

    def media_path(self, rel_path: str) -> str:
        """Join a media path of the annotation with :attr:`video_prefix`."""
        if not self.video_prefix or osp.isabs(rel_path) or '://' in rel_path:
            return rel_path
        return fileio.join_path(self.video_prefix, rel_path)

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

    def check_text(self, value: Any, path: str, line: Optional[int],
                   field: str) -> Optional[str]:
        """Return ``value`` if it is a non-empty string, else report it."""
        if not isinstance(value, str):
            self.invalid(path, line, field,
                         f'expected a string, got {type(value).__name__}')
            return None
        if not value.strip():
            self.invalid(path, line, field, 'empty caption')
            return None
        return value

    def check_captions(self, value: Any, path: str, line: Optional[int],
                       field: str) -> Optional[List[str]]:
        """Accept a caption string or a non-empty list of caption strings."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value:
            self.invalid(path, line, field,
                         'expected a string or a non-empty list of strings, '
                         f'got {value!r:.80}')
            return None
        out = []
        for i, cap in enumerate(value):
            cap = self.check_text(cap, path, line, f'{field}[{i}]')
            if cap is None:
                return None
            out.append(cap)
        return out

    def read_text(self, path: str) -> str:
        """Read a UTF-8 text file with the dataset's file backend.

        A line that is not valid UTF-8 is reported with :meth:`invalid`
        (file, line, offending byte): an :class:`AnnotationError`, or with
        ``skip_invalid_rows=True`` a logged, counted skip of that line (it is
        read as an empty line, so later line numbers stay right). In a
        ``.json`` document a line cannot be skipped: it always raises.
        """
        try:
            data = fileio.get(path, backend_args=self.backend_args)
        except FileNotFoundError:
            raise FileNotFoundError(
                f'{type(self).__name__}: annotation file not found: {path}')
        return self.decode_text(data, path)

    def decode_text(self, data: bytes, path: str) -> str:
        """Decode an annotation file's bytes (see :meth:`read_text`).

        Args:
            data (bytes): The file content.
            path (str): The file (for messages).

        Returns:
            str: The text (a leading UTF-8 byte order mark removed).
        """
        try:
            return data.decode('utf-8-sig')
        except UnicodeDecodeError:
            pass
        lines = data.split(b'\n')
        out = []
        for number, raw in enumerate(lines, start=1):
            text = self._decode_line(raw, path, number,
                                     document=path.endswith('.json'))
            out.append('' if text is None else text)
        return '\n'.join(out)

    def _decode_line(self, raw: bytes, path: str, number: int,
                     document: bool = False) -> Optional[str]:
        """Decode one line; report it and return None if not UTF-8."""
        try:
            return raw.decode('utf-8-sig' if number == 1 else 'utf-8')
        except UnicodeDecodeError as err:
            msg = (f'not valid UTF-8 (byte 0x{raw[err.start]:02x} at byte '
                   f'{err.start + 1} of the line); save the file as UTF-8')
            if document:
                raise AnnotationError(
                    f'{type(self).__name__}: invalid annotation ({path}, '
                    f'line {number}): {msg} (a line of a JSON document '
                    'cannot be skipped)') from None
            self.invalid(path, number, None, msg)
            return None

    def iter_text_lines(self, path: str) -> Iterator[str]:
        """Yield the lines of a local text file (with their ``\\n``),
        streaming; a non-UTF-8 line is reported as in :meth:`read_text` and
        yielded as an empty line."""
        with open(path, 'rb') as f:
            for number, raw in enumerate(f, start=1):
                text = self._decode_line(raw, path, number)
                yield '\n' if text is None else text

    def iter_csv(self,
                 path: str,
                 required: Sequence[str] = (),
                 delimiter: Optional[str] = None,
                 header: bool = True,
                 min_columns: int = 0,
                 text: Optional[Union[str, Iterable[str]]] = None
                 ) -> Iterator[Tuple[int, Union[Dict[str, str], List[str]]]]:
        """Yield ``(line_number, row)`` of a CSV/TSV file.

        With ``header=True`` rows are dicts keyed by the header, a missing
        ``required`` column raises ``ValueError`` (always, the whole file is
        unusable), and rows with a wrong number of fields are reported with
        :meth:`invalid`. With ``header=False`` rows are lists and must have
        at least ``min_columns`` fields.

        Args:
            path (str): The file (for reading and error messages).
            required (Sequence[str]): Columns that must exist.
            delimiter (str, optional): Field delimiter; ``None`` sniffs tab
                vs comma from the first line. Defaults to None.
            header (bool): The first line is a header. Defaults to True.
            min_columns (int): Minimum fields for headerless rows.
            text (str | Iterable[str], optional): The file content if
                already read, or an open text file (read line by line, e.g.
                by an annotation index build; ``delimiter`` must be given).

        Yields:
            tuple[int, dict | list]: 1-based line number and the row.
        """
        if text is None:
            text = self.read_text(path)
        if delimiter is None:
            first = text.split('\n', 1)[0]
            delimiter = '\t' if '\t' in first else ','
        lines = io.StringIO(text, newline='') if isinstance(text, str) \
            else text
        reader = csv.reader(lines, delimiter=delimiter)
        columns: Optional[List[str]] = None
        try:
            for row in reader:
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                if header and columns is None:
                    columns = [c.strip() for c in row]
                    missing = [c for c in required if c not in columns]
                    if missing:
                        raise AnnotationError(
                            f'{type(self).__name__}: invalid annotation '
                            f'({path}, line {line}, field "{missing[0]}"): '
                            f'missing column(s) {missing}; header is '
                            f'{columns}')
                    continue
                if header:
                    if len(row) != len(columns):
                        self.invalid(
                            path, line, None,
                            f'expected {len(columns)} fields '
                            f'({delimiter!r}-separated), got {len(row)}')
                        continue
                    yield line, dict(zip(columns, row))
                else:
                    if len(row) < min_columns:
                        self.invalid(
                            path, line, None,
                            f'expected at least {min_columns} fields, '
                            f'got {len(row)}')
                        continue
                    yield line, row
        except csv.Error as e:
            self.invalid(path, reader.line_num, None, f'CSV error: {e}')
        if header and columns is None:
            raise AnnotationError(
                f'{type(self).__name__}: invalid annotation ({path}): '
                'empty file (no header)')

    def parse_float(self, value: Any, path: str, line: Optional[int],
                    field: str) -> Optional[float]:
        """Parse a finite float or report it."""
        try:
            out = float(value)
        except (TypeError, ValueError):
            self.invalid(path, line, field, f'expected a number, got '
                         f'{value!r:.40}')
            return None
        if not np.isfinite(out):
            self.invalid(path, line, field, f'not finite: {value!r}')
            return None
        return out

    # ------------------------------------------------------------------
    # sample access
    # ------------------------------------------------------------------
    def __getitem__(self, idx: int) -> dict:
        """MMEngine's ``__getitem__`` (skip and refetch on failure), under a
        per-sample seed when ``idx`` carries one.

        :class:`~mmallinone.datasets.ResumableInfiniteSampler` yields
        :class:`~mmallinone.datasets.SampleIndex` objects whose
        ``sample_seed`` depends only on the sampler seed and the sample's
        position in the stream: every random choice of the load (caption,
        frames, crop, flip, MLM masks, false video, refetch after a skip) is
        then the same in any worker, on any rank and after a resume. Plain
        ``int`` indices use the process's random state as before.
        """
        seed = getattr(idx, 'sample_seed', None)
        if seed is None:
            return super().__getitem__(idx)
        with seeded_sample_rng(seed):
            return super().__getitem__(int(idx))

    def _choose(self, n: int) -> int:
        """Index of the caption used for this access."""
        if not self.test_mode:
            return int(np.random.randint(n))
        return 0 if self.test_caption == 'first' else (n - 1) // 2

    def select_caption(self, info: dict) -> dict:
        """Pick ``text`` (and ``clip_window``) from ``captions``.

        Args:
            info (dict): A data info with ``captions`` and optional
                ``clip_windows``.

        Returns:
            dict: ``info`` with ``text``, ``caption_idx`` and, if windows are
            given, ``clip_window``; ``captions``/``clip_windows`` removed.
        """
        captions = info.pop('captions', None)
        windows = info.pop('clip_windows', None)
        if captions is None:
            return info
        i = self._choose(len(captions))
        info['text'] = captions[i]
        info['caption_idx'] = i
        if windows is not None:
            info['clip_window'] = tuple(windows[i])
        return info

    def load_sample_annotation(self, info: dict) -> dict:
        """Hook for annotations read lazily at access time (identity here).

        Errors raised here are handled like pipeline errors (skip in
        training, raise in test mode).
        """
        return info

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

    def _load(self, idx: int) -> Optional[dict]:
        """Run annotation hook + pipeline on ``idx``; ``None`` on failure."""
        if not -len(self) <= idx < len(self):
            # not a broken sample: iteration (``for x in dataset``) and
            # callers rely on IndexError at the end
            raise IndexError(f'{type(self).__name__}: index {idx} out of '
                             f'range for {len(self)} samples')
        self.num_attempts += 1
        self._load_counts[_counter_row(), 0] += 1
        info: dict = dict(sample_idx=idx)
        try:
            info = self.get_data_info(idx)
            info = self.load_sample_annotation(info)
            info = self.select_caption(info)
            info.setdefault('start_index', self.start_index)
            data = self.pipeline(info)
        except Exception as err:  # noqa: BLE001 - counted and logged
            self._fail(info, err)
            return None
        if data is None:
            self._fail(info, None)
        return data

    def _rand_other(self, idx: int) -> int:
        """A random index different from ``idx``."""
        other = int(np.random.randint(len(self) - 1))
        return other + 1 if other >= idx else other

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Load sample ``idx`` (and a false video) through the pipeline.

        Args:
            idx (int): Sample index.

        Returns:
            dict | None: The packed sample, or ``None`` (training) when it
            failed to load, so that MMEngine refetches another index.
        """
        data = self._load(idx)
        if data is None or not self.num_false_videos:
            return data
        for _ in range(self.max_refetch + 1):
            false = self._load(self._rand_other(idx))
            if false is not None:
                break
        else:
            raise RuntimeError(f'{type(self).__name__}: no loadable false '
                               f'video after {self.max_refetch} tries')
        data['inputs']['false_imgs'] = false['inputs']['imgs']
        return data
