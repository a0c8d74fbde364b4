"""Common base of mmallinone's video-text datasets.

The parts live in their own modules: annotation reading
(:mod:`.annotation`), caption choice (:mod:`.captions`), the skip policy
(:mod:`.skip_policy`) and false-video sampling (:mod:`.negatives`); this
class ties them to MMEngine's ``BaseDataset`` and runs the per-sample load.
"""
import contextlib
import os.path as osp
import random
from typing import Callable, Iterator, Optional, Sequence, Union

import numpy as np
import torch
from mmengine import fileio
from mmengine.dataset import BaseDataset

from mmallinone.registry import DATASETS
from .annotation import AnnotationReaderMixin
from .captions import CaptionChoiceMixin
from .negatives import FalseVideoMixin
from .skip_policy import AnnotationError, SkipPolicyMixin

__all__ = ['AnnotationError', 'BaseVideoTextDataset', 'seeded_sample_rng']


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


@DATASETS.register_module()
class BaseVideoTextDataset(AnnotationReaderMixin, CaptionChoiceMixin,
                           SkipPolicyMixin, FalseVideoMixin,
                           BaseDataset):
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
            through the same pipeline (video-text matching negatives; the
            pre-training model declares whether it uses them,
            ``vtm_negative_source``). Defaults to 0.
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
        self._init_false_videos(num_false_videos)
        self._init_caption_choice(test_caption)
        self._init_skip_policy(max_skip_ratio, skip_warmup, skip_invalid_rows)
        self.start_index = start_index
        self.backend_args = backend_args
        super().__init__(
            ann_file=ann_file,
            pipeline=pipeline,
            data_root=data_root,
            data_prefix=dict(data_prefix),
            test_mode=test_mode,
            **kwargs)
        self._check_false_videos()

    # ------------------------------------------------------------------
    # media paths
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

    def load_sample_annotation(self, info: dict) -> dict:
        """Hook for annotations read lazily at access time (identity here).

        Errors raised here are handled like pipeline errors (skip in
        training, raise in test mode).
        """
        return info

    def _load(self, idx: int) -> Optional[dict]:
        """Run annotation hook + pipeline on ``idx``; ``None`` on failure."""
        if not -len(self) <= idx < len(self):
            # not a broken sample: iteration (``for x in dataset``) and
            # callers rely on IndexError at the end
            raise IndexError(f'{type(self).__name__}: index {idx} out of '
                             f'range for {len(self)} samples')
        self._count_attempt()
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

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Load sample ``idx`` (and a false video) through the pipeline.

        Args:
            idx (int): Sample index.

        Returns:
            dict | None: The packed sample, or ``None`` (training) when it
            failed to load, so that MMEngine refetches another index.
        """
        return self.add_false_video(self._load(idx), idx)
