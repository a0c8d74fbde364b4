"""The batch contract: every model input, declared once.

A packer (:class:`~mmallinone.datasets.transforms.PackVideoTextInputs` and
its children) puts **every** model input of a sample into ``inputs``; the
data sample keeps only labels and metainfo. The data preprocessor
(:class:`~mmallinone.models.VideoTextDataPreprocessor`) batches every field
declared here, and task models read only the batched ``inputs``.

Frames (:data:`FRAME_FIELDS`):

================  ===========================  ===============================
key               per sample (packer)          batched (preprocessor)
================  ===========================  ===============================
``imgs``          uint8 ``(S, 3, H, W)``, or   float ``(B, S, 3, H, W)`` or
                  ``(V, S, 3, H, W)`` with V   ``(B, V, S, 3, H, W)``,
                  test views                   normalised per channel
``false_imgs``    uint8 ``(S, 3, H, W)``       float ``(B, S, 3, H, W)``
================  ===========================  ===============================

Token ids (:data:`TEXT_FIELDS`): a single text is a LongTensor ``(L,)``; a
list of K texts (candidates, captions) is one LongTensor ``(K, L_max)`` per
sample whose rows end in :data:`RAGGED_FILL` (``-1``, never a token id), so
that MMEngine's ``pseudo_collate`` keeps it whole. Batched, each field is
right-padded to ``(B, L)`` / ``(B, K, L)`` with its ``pad_value``, next to
its attention mask (1 = real token) when it declares one. Fields of one
``length_group`` share ``L``. A field whose K may differ between samples
(``count_key``) is padded to the largest K with empty rows (mask 0), and
``count_key`` holds each sample's K ``(B,)``.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence

__all__ = [
    'TextField', 'TEXT_FIELDS', 'FRAME_FIELDS', 'PAD', 'IGNORE_INDEX',
    'RAGGED_FILL', 'pack_token_ids', 'unpack_token_ids', 'pad_token_ids',
    'lengths_to_mask', 'register_text_field', 'sample_inputs', 'middle_view'
]

#: ``pad_value`` placeholder for the tokenizer's ``[PAD]`` id (the
#: preprocessor's ``pad_token_id``).
PAD = 'pad'
#: Label of a position that the MLM loss ignores (PyTorch's default).
IGNORE_INDEX = -100
#: Fill after the end of a text inside a packed ``(K, L_max)`` tensor.
RAGGED_FILL = -1

#: Frame inputs, in the order the preprocessor normalises them.
FRAME_FIELDS: Tuple[str, ...] = ('imgs', 'false_imgs')


@dataclass(frozen=True)
class TextField:
    """One token-id input of the batch contract.

    Args:
        key (str): Key in ``inputs`` (and in the pipeline's ``results``).
        pad_value (int | str): Padding value, or :data:`PAD`.
        mask_key (str, optional): Key of its attention mask ``(B, [K,] L)``.
        multi (bool): K texts per sample (``(B, K, L)``) instead of one.
        count_key (str, optional): For ``multi`` fields whose K may differ
            between samples: key of the ``(B,)`` counts. Without it, every
            sample of a batch must have the same K.
        length_group (str, optional): Fields of one group share ``L``.
    """
    key: str
    pad_value: Union[int, str] = PAD
    mask_key: Optional[str] = None
    multi: bool = False
    count_key: Optional[str] = None
    length_group: Optional[str] = None


#: Every token-id field of the contract, by key.
TEXT_FIELDS: Dict[str, TextField] = {
    f.key: f
    for f in (
        # the sample's text: caption, question, ... (TokenizeText)
        TextField('input_ids', PAD, 'attention_mask', length_group='text'),
        # masked copy and targets for MLM (MaskTokensForMLM)
        TextField('mlm_input_ids', PAD, length_group='text'),
        TextField('mlm_labels', IGNORE_INDEX, length_group='text'),
        # K candidate answers / captions (TokenizeCandidates)
        TextField('candidate_ids', PAD, 'candidate_mask', multi=True,
                  length_group='choices'),
        # K VCR rationales, scored together with the answers
        TextField('rationale_ids', PAD, 'rationale_mask', multi=True,
                  length_group='choices'),
        # every caption of a test video (TokenizeCaptions)
        TextField('caption_ids', PAD, 'caption_mask', multi=True,
                  count_key='num_captions'),
    )
}


def pack_token_ids(value, field: TextField) -> Tensor:
    """Per-sample tensor of a field: ``(L,)``, or ``(K, L_max)`` filled
    with :data:`RAGGED_FILL` after each text for ``multi`` fields."""
    if not field.multi:
        return torch.as_tensor(value, dtype=torch.long).reshape(-1)
    rows = [torch.as_tensor(ids, dtype=torch.long).reshape(-1)
            for ids in value]
    if not rows:
        raise ValueError(f'{field.key}: a sample has no texts')
    return pad_sequence(rows, batch_first=True, padding_value=RAGGED_FILL)


def unpack_token_ids(packed: Tensor) -> List[Tensor]:
    """The K texts ``[(L_k,)]`` of a packed ``(K, L_max)`` tensor."""
    return [row[row != RAGGED_FILL] for row in packed]


def lengths_to_mask(lengths: Tensor, length: int) -> Tensor:
    """``(...)`` lengths -> ``(..., length)`` long mask, 1 = real token."""
    steps = torch.arange(length, device=lengths.device)
    return (steps < lengths[..., None]).long()


def pad_token_ids(seqs: Sequence[Tensor], pad_value: int,
                  length: Optional[int] = None) -> Tuple[Tensor, Tensor]:
    """Right-pad 1-D token sequences.

    Args:
        seqs (Sequence[Tensor]): N sequences ``(L_n,)``.
        pad_value (int): Padding value.
        length (int, optional): Pad to this length (>= the longest);
            defaults to the longest.

    Returns:
        tuple: ids ``(N, L)`` and mask ``(N, L)`` (1 = real token).
    """
    if not len(seqs):
        raise ValueError('pad_token_ids needs at least one sequence')
    seqs = [torch.as_tensor(s, dtype=torch.long).reshape(-1) for s in seqs]
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    ids = pad_sequence(seqs, batch_first=True, padding_value=pad_value)
    if length is not None:
        if ids.shape[1] > length:
            raise ValueError(f'A text has {ids.shape[1]} tokens, more than '
                             f'the padded length {length}')
        ids = F.pad(ids, (0, length - ids.shape[1]), value=pad_value)
    return ids, lengths_to_mask(lengths, ids.shape[1])


def register_text_field(field: TextField) -> TextField:
    """Declare a new token-id input (a new task's text); the packer and the
    preprocessor handle it from then on.

    Raises:
        ValueError: ``field.key`` (or its mask / count key) is taken.
    """
    taken = set(FRAME_FIELDS)
    for f in TEXT_FIELDS.values():
        taken.update(k for k in (f.key, f.mask_key, f.count_key) if k)
    new = {k for k in (field.key, field.mask_key, field.count_key) if k}
    if new & taken:
        raise ValueError(f'Batch contract keys {sorted(new & taken)} are '
                         'already declared')
    TEXT_FIELDS[field.key] = field
    return field


def middle_view(imgs: Tensor) -> Tensor:
    """The middle test view of batched frames: ``(B, V, S, 3, H, W)`` ->
    ``(B, S, 3, H, W)``; single-view ``(B, S, 3, H, W)`` is returned as it
    is. The joint path (re-ranking, matching) reads this one view."""
    return imgs[:, imgs.shape[1] // 2] if imgs.dim() == 6 else imgs


def sample_inputs(inputs) -> List[dict]:
    """Per-sample ``inputs`` dicts of a collated batch (``pseudo_collate``
    gives a dict of per-sample lists)."""
    if isinstance(inputs, dict):
        return [dict(zip(inputs, vals)) for vals in zip(*inputs.values())]
    return list(inputs)
