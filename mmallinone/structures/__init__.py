"""Data carriers shared by datasets, models and evaluation."""
from .batch_contract import (FRAME_FIELDS, IGNORE_INDEX, PAD, RAGGED_FILL,
                             TEXT_FIELDS, TextField, lengths_to_mask,
                             middle_view, pack_token_ids, pad_token_ids,
                             register_text_field, sample_inputs,
                             unpack_token_ids)

__all__ = [
    'TextField', 'TEXT_FIELDS', 'FRAME_FIELDS', 'PAD', 'IGNORE_INDEX',
    'RAGGED_FILL', 'pack_token_ids', 'unpack_token_ids', 'pad_token_ids',
    'lengths_to_mask', 'register_text_field', 'sample_inputs', 'middle_view'
]
