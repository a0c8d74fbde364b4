"""Data preprocessing of multi-source (co-training) batches."""
from typing import Any, Dict, Optional, Sequence

import torch

from mmallinone.registry import MODELS
from .video_text_preprocessor import VideoTextDataPreprocessor

__all__ = ['MultiSourceDataPreprocessor', 'is_multi_source_batch']


def is_multi_source_batch(data: Any) -> bool:
    """Whether ``data`` is a dict of named batches (one per data source).

    A single batch is ``dict(inputs=..., data_samples=...)``; a
    multi-source batch, as built by
    :class:`~mmallinone.engine.CoTrainingIterBasedTrainLoop`, is
    ``{'video': batch, 'image': batch, ...}`` (no ``inputs`` key, every
    value a batch with ``inputs``). After preprocessing, the model receives
    ``inputs = {source: inputs}``: also recognised here (every value is a
    dict of tensors holding ``imgs``).

    Args:
        data (Any): A collated batch, or the ``inputs`` given to a model.

    Returns:
        bool: True for a dict of per-source batches / inputs.
    """
    if not isinstance(data, dict) or not data or 'inputs' in data \
            or 'imgs' in data:
        return False
    return all(
        isinstance(v, dict) and ('inputs' in v or 'imgs' in v)
        for v in data.values())


@MODELS.register_module()
class MultiSourceDataPreprocessor(VideoTextDataPreprocessor):
    """:class:`VideoTextDataPreprocessor` that also takes multi-source
    batches (image-video co-training).

    A single batch is processed as by the parent. A multi-source batch
    ``{source: batch}`` (see :func:`is_multi_source_batch`) is processed
    source by source and returned as ``dict(inputs={source: inputs},
    data_samples={source: data_samples})``; each source's frames are
    normalised with its own statistics when ``source_stats`` names it (the
    authors normalise images with 0.5 / 0.5 and videos with ImageNet or
    0.45 / 0.225 statistics), else with ``mean`` / ``std``.

    Args:
        mean (Sequence[float]): Default per-channel mean (0-255 units).
        std (Sequence[float]): Default per-channel std (0-255 units).
        pad_token_id (int): Defaults to 0.
        pad_to_length (int, optional): See the parent.
        source_stats (dict, optional): ``{source: dict(mean=[...],
            std=[...])}``. Defaults to None.
    """

    def __init__(self,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 pad_token_id: int = 0,
                 pad_to_length: Optional[int] = None,
                 source_stats: Optional[Dict[str, dict]] = None) -> None:
        super().__init__(
            mean=mean,
            std=std,
            pad_token_id=pad_token_id,
            pad_to_length=pad_to_length)
        self.source_stats = sorted(source_stats or {})
        for name, stats in (source_stats or {}).items():
            unknown = set(stats) - {'mean', 'std'}
            if unknown or len(stats.get('mean', mean)) != 3 or \
                    len(stats.get('std', std)) != 3:
                raise ValueError(f'source_stats[{name!r}] must be dict(mean='
                                 f'[3 values], std=[3 values]), got {stats}')
            for key, default in (('mean', mean), ('std', std)):
                self.register_buffer(
                    f'{key}_{name}',
                    torch.tensor(stats.get(key, default)).view(3, 1, 1),
                    False)
        self._source: Optional[str] = None

    def stats(self) -> tuple:
        """Statistics of the source being processed (default: the
        parent's)."""
        if self._source not in self.source_stats:
            return super().stats()
        return (getattr(self, f'mean_{self._source}'),
                getattr(self, f'std_{self._source}'))

    def forward(self, data: dict, training: bool = False) -> dict:
        """Process a single batch, or each batch of a multi-source one.

        Args:
            data (dict): ``dict(inputs, data_samples)`` or
                ``{source: dict(inputs, data_samples)}``.
            training (bool): Training mode. Defaults to False.

        Returns:
            dict: ``dict(inputs, data_samples)``; for a multi-source batch
            both are dicts keyed by source.
        """
        if not is_multi_source_batch(data):
            return super().forward(data, training)
        inputs, data_samples = {}, {}
        try:
            for name, batch in data.items():
                self._source = name
                out = super().forward(batch, training)
                inputs[name] = out['inputs']
                data_samples[name] = out['data_samples']
        finally:
            self._source = None
        return dict(inputs=inputs, data_samples=data_samples)
