"""Batches frames and text: normalisation and padding in one place."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

from mmallinone.registry import MODELS
from mmallinone.structures import (FRAME_FIELDS, PAD, TEXT_FIELDS,
                                   pad_token_ids, sample_inputs,
                                   unpack_token_ids)

__all__ = ['VideoTextDataPreprocessor']

@MODELS.register_module()
class VideoTextDataPreprocessor(BaseDataPreprocessor):
    """Batch every input of the batch contract: frames and token ids.

    Generic over :mod:`mmallinone.structures.batch_contract`: frames
    (``imgs`` / ``false_imgs``, uint8 ``([V,] S, 3, H, W)`` per sample) leave
    as float ``(B, [V,] S, 3, H, W)``, normalised per **channel** (axis -3).
    (mmaction2's ``ActionDataPreprocessor`` with the ``'NCHW'`` layout
    broadcasts the mean over the time axis when ``S == 3``; keeping the
    channel axis explicit here avoids that, and
    ``tests/models/data_preprocessors`` checks it.)

    Every declared text field present in ``inputs`` is right-padded with its
    padding value to the longest text of its length group in the batch (or
    to ``pad_to_length``), next to its attention mask and, for lists of
    texts of varying K, their counts. Undeclared keys are an error: a new
    input is declared with
    :func:`~mmallinone.structures.register_text_field`, not here.

    Args:
        mean (Sequence[float]): Per-channel mean in 0-255 units. Defaults to
            ImageNet's, as the authors' video checkpoints.
        std (Sequence[float]): Per-channel std in 0-255 units.
        pad_token_id (int): Defaults to 0 (``[PAD]``).
        pad_to_length (int, optional): Fixed text length; None pads to the
            longest sequence of the batch.
    """

    def __init__(self,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 pad_token_id: int = 0,
                 pad_to_length: Optional[int] = None) -> None:
        super().__init__()
        if len(mean) != 3 or len(std) != 3:
            raise ValueError('mean and std need 3 (RGB) values')
        self.register_buffer('mean', torch.tensor(mean).view(3, 1, 1), False)
        self.register_buffer('std', torch.tensor(std).view(3, 1, 1), False)
        self.pad_token_id = pad_token_id
        self.pad_to_length = pad_to_length

    def normalize(self, frames: List[Tensor]) -> Tensor:
        """List of ``([V,] S, 3, H, W)`` -> normalised ``(B, [V,] S, 3, H,
        W)``."""
        x = torch.stack(frames).to(self.device).float()
        if x.dim() not in (5, 6) or x.shape[-3] != 3:
            raise ValueError('Frames must be ([V,] S, 3, H, W) per sample, '
                             f'got {tuple(x.shape[1:])}')
        mean, std = self.stats()
        return (x - mean) / std

    def stats(self) -> tuple:
        """Mean and std ``(3, 1, 1)`` used by :meth:`normalize`."""
        return self.mean, self.std

    def pad_value(self, value) -> int:
        """The declared padding value, with ``PAD`` -> ``pad_token_id``."""
        return self.pad_token_id if value == PAD else int(value)

    def pad_texts(self, raw: List[dict]) -> Dict[str, Tensor]:
        """Pad every declared text field of the samples ``raw``.

        Returns:
            dict: ids ``(B, L)`` / ``(B, K, L)``, masks, counts ``(B,)``.
        """
        present = [
            f for f in TEXT_FIELDS.values() if any(f.key in r for r in raw)
        ]
        texts, lengths = {}, {}
        for field in present:
            if any(field.key not in r for r in raw):
                raise ValueError(f'Only some samples have {field.key!r}')
            per = [torch.as_tensor(r[field.key]) for r in raw]
            texts[field.key] = [unpack_token_ids(t) for t in per] \
                if field.multi else [[t.reshape(-1)] for t in per]
            longest = max(len(s) for seqs in texts[field.key] for s in seqs)
            group = field.length_group or field.key
            lengths[group] = max(lengths.get(group, 0), longest)
        out: Dict[str, Tensor] = {}
        for field in present:
            seqs = texts[field.key]
            length = lengths[field.length_group or field.key]
            if self.pad_to_length is not None:
                if length > self.pad_to_length:
                    raise ValueError(
                        f'A text of {field.key!r} has {length} tokens, more '
                        f'than pad_to_length={self.pad_to_length}')
                length = self.pad_to_length
            counts = torch.tensor([len(s) for s in seqs])
            if field.multi and field.count_key is None and \
                    len(set(counts.tolist())) != 1:
                raise ValueError(
                    f'Every sample of a batch needs the same number of '
                    f'{field.key!r}, got {sorted(set(counts.tolist()))}')
            k = int(counts.max())
            empty = torch.zeros(0, dtype=torch.long)  # a missing row of K
            ids, mask = pad_token_ids(
                [s for sample in seqs
                 for s in list(sample) + [empty] * (k - len(sample))],
                self.pad_value(field.pad_value), length)
            shape = (len(seqs), k, length) if field.multi else \
                (len(seqs), length)
            out[field.key] = ids.view(shape).to(self.device)
            if field.mask_key:
                out[field.mask_key] = mask.view(shape).to(self.device)
            if field.count_key:
                out[field.count_key] = counts.to(self.device)
        return out

    def forward(self, data: dict, training: bool = False) -> dict:
        """Turn a collated batch into ``dict(inputs=..., data_samples=...)``.

        ``inputs`` holds every field of the batch contract present in the
        samples' ``inputs``, batched (see
        :mod:`mmallinone.structures.batch_contract`).
        """
        data_samples = data.get('data_samples')
        raw = sample_inputs(data['inputs'])
        if not raw:
            raise ValueError('An empty batch')
        unknown = set().union(*raw) - set(FRAME_FIELDS) - set(TEXT_FIELDS)
        if unknown:
            raise KeyError(
                f'Inputs {sorted(unknown)} are not in the batch contract '
                '(mmallinone.structures.TEXT_FIELDS / FRAME_FIELDS); '
                'declare a new text field with register_text_field')
        inputs: Dict[str, Tensor] = {}
        for key in FRAME_FIELDS:
            frames = [r[key] for r in raw if key in r]
            if frames:
                if len(frames) != len(raw):
                    raise ValueError(f'Only some samples have {key!r}')
                inputs[key] = self.normalize(frames)
        inputs.update(self.pad_texts(raw))
        if data_samples is not None:
            data_samples = self.cast_data(data_samples)
        return dict(inputs=inputs, data_samples=data_samples)
