"""Tests of the batch contract's declarations and helpers."""
import pytest
import torch

from mmallinone.structures import (RAGGED_FILL, TEXT_FIELDS, TextField,
                                   middle_view, pack_token_ids,
                                   pad_token_ids, register_text_field,
                                   unpack_token_ids)


def test_every_field_declares_padding_mask_and_shape():
    assert TEXT_FIELDS['mlm_labels'].pad_value == -100
    assert TEXT_FIELDS['input_ids'].mask_key == 'attention_mask'
    assert TEXT_FIELDS['caption_ids'].count_key == 'num_captions'
    assert TEXT_FIELDS['candidate_ids'].length_group == \
        TEXT_FIELDS['rationale_ids'].length_group
    keys = [k for f in TEXT_FIELDS.values()
            for k in (f.key, f.mask_key, f.count_key) if k]
    assert len(keys) == len(set(keys))


def test_pack_unpack_round_trip():
    field = TEXT_FIELDS['candidate_ids']
    texts = [[101, 5, 6, 102], [101, 102]]
    packed = pack_token_ids(texts, field)
    assert packed.shape == (2, 4) and packed[1, 2] == RAGGED_FILL
    assert [t.tolist() for t in unpack_token_ids(packed)] == texts
    assert pack_token_ids([101, 102], TEXT_FIELDS['input_ids']).shape == (2, )
    with pytest.raises(ValueError, match='no texts'):
        pack_token_ids([], field)


def test_pad_token_ids_fixed_length():
    ids, mask = pad_token_ids([torch.tensor([1, 2, 3]), torch.tensor([4])],
                              0, length=5)
    assert ids.tolist() == [[1, 2, 3, 0, 0], [4, 0, 0, 0, 0]]
    assert mask.sum(1).tolist() == [3, 1]
    with pytest.raises(ValueError, match='more than the padded length 2'):
        pad_token_ids([torch.tensor([1, 2, 3])], 0, length=2)


def test_register_refuses_taken_keys():
    with pytest.raises(ValueError, match='attention_mask'):
        register_text_field(TextField('x_ids', mask_key='attention_mask'))
    assert 'x_ids' not in TEXT_FIELDS


def test_middle_view():
    views = torch.arange(3).view(1, 3, 1, 1, 1, 1).expand(2, 3, 2, 3, 4, 4)
    assert torch.equal(middle_view(views), views[:, 1])
    single = torch.zeros(2, 2, 3, 4, 4)
    assert middle_view(single) is single
