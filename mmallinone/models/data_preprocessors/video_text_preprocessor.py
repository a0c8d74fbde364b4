"""Batches frames and text: normalisation and padding in one place."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

from mmallinone.registry import MODELS

__all__ = ['VideoTextDataPreprocessor']

#: Text fields carried by data samples and their padding values.
TEXT_FIELDS = (('input_ids', 'pad'), ('mlm_input_ids', 'pad'),
               ('mlm_labels', -100))


@MODELS.register_module()
class VideoTextDataPreprocessor(BaseDataPreprocessor):
    """Stack and normalise frames, pad token sequences.

    Frames arrive as uint8 ``(S, 3, H, W)`` per sample (``inputs['imgs']``
    and optionally ``inputs['false_imgs']``) and leave as float
    ``(B, S, 3, H, W)``, normalised per **channel** on axis 2. (mmaction2's
    ``ActionDataPreprocessor`` with the ``'NCHW'`` layout broadcasts the mean
    over the time axis when ``S == 3``; keeping the channel axis explicit here
    avoids that, and ``tests/models/data_preprocessors`` checks it.)

    Token ids come from the data samples' ``input_ids`` (and
    ``mlm_input_ids`` / ``mlm_labels`` when masked) and are right-padded to
    the longest in the batch, or to ``pad_to_length``.

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
        self.register_buffer('mean', torch.tensor(mean).view(1, 1, 3, 1, 1),
                             False)
        self.register_buffer('std', torch.tensor(std).view(1, 1, 3, 1, 1),
                             False)
        self.pad_token_id = pad_token_id
        self.pad_to_length = pad_to_length

    def normalize(self, frames: List[Tensor]) -> Tensor:
        """List of ``(S, 3, H, W)`` -> normalised ``(B, S, 3, H, W)``."""
        x = torch.stack(frames).to(self.device).float()
        if x.dim() != 5 or x.shape[2] != 3:
            raise ValueError('Frames must be (S, 3, H, W) per sample, got '
                             f'{tuple(x.shape[1:])}')
        return (x - self.mean) / self.std

    def pad(self, seqs: List[Tensor], value: int) -> Tensor:
        """Right-pad 1-D sequences to ``(B, L)``."""
        length = max(len(s) for s in seqs)
        if self.pad_to_length is not None:
            if length > self.pad_to_length:
                raise ValueError(f'A text has {length} tokens, more than '
                                 f'pad_to_length={self.pad_to_length}')
            length = self.pad_to_length
        out = torch.full((len(seqs), length), value, dtype=torch.long)
        for i, s in enumerate(seqs):
            out[i, :len(s)] = torch.as_tensor(s, dtype=torch.long)
        return out.to(self.device)

    @staticmethod
    def mask_of(seqs: List[Tensor], padded: Tensor) -> Tensor:
        """``(B, L)`` attention mask (1 = real token) of padded ``seqs``."""
        lengths = torch.tensor([len(s) for s in seqs], device=padded.device)
        return (torch.arange(padded.shape[-1], device=padded.device)[None] <
                lengths[:, None]).long()

    def pad_candidates(self, candidates: List[List[Tensor]]):
        """Pad K candidate sequences per sample to ``(B, K, L)``.

        Returns:
            tuple: ids ``(B, K, L)`` and attention mask ``(B, K, L)``.
        """
        counts = {len(c) for c in candidates}
        if len(counts) != 1:
            raise ValueError('Every sample of a batch needs the same number '
                             f'of candidates, got {sorted(counts)}')
        flat = [seq for cands in candidates for seq in cands]
        ids = self.pad(flat, self.pad_token_id)
        mask = self.mask_of(flat, ids)
        k = counts.pop()
        return ids.view(len(candidates), k, -1), mask.view(
            len(candidates), k, -1)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Turn a collated batch into ``dict(inputs=..., data_samples=...)``.

        ``inputs`` holds ``imgs`` ``(B, S, 3, H, W)`` (and ``false_imgs``),
        ``input_ids``/``attention_mask`` ``(B, L)`` and, when present,
        ``mlm_input_ids``/``mlm_labels`` ``(B, L)`` and
        ``candidate_ids``/``candidate_mask`` ``(B, K, L)``.
        """
        data_samples = data.get('data_samples')
        raw = data['inputs']
        if isinstance(raw, dict):  # already collated by default_collate
            raw = [dict(zip(raw, vals)) for vals in zip(*raw.values())]
        inputs: Dict[str, Tensor] = {}
        for key in ('imgs', 'false_imgs'):
            frames = [r[key] for r in raw if key in r]
            if frames:
                if len(frames) != len(raw):
                    raise ValueError(f'Only some samples have {key!r}')
                inputs[key] = self.normalize(frames)
        if data_samples is not None and len(data_samples) and \
                'input_ids' in data_samples[0]:
            for field, value in TEXT_FIELDS:
                if field not in data_samples[0]:
                    continue
                value = self.pad_token_id if value == 'pad' else value
                inputs[field] = self.pad(
                    [ds.get(field) for ds in data_samples], value)
            inputs['attention_mask'] = self.mask_of(
                [ds.input_ids for ds in data_samples], inputs['input_ids'])
        if data_samples is not None and len(data_samples) and \
                'candidate_ids' in data_samples[0]:
            inputs['candidate_ids'], inputs['candidate_mask'] = \
                self.pad_candidates([ds.candidate_ids for ds in data_samples])
        if data_samples is not None:
            data_samples = self.cast_data(data_samples)
        return dict(inputs=inputs, data_samples=data_samples)
