import pytest
import torch
from mmaction.structures import ActionDataSample

from mmallinone.models.data_preprocessors import VideoTextDataPreprocessor
from mmallinone.structures import TEXT_FIELDS, pack_token_ids


def sample(imgs, ids, mlm=False, **extra):
    """A packed sample: every model input in ``inputs``."""
    inputs = dict(imgs=imgs, input_ids=torch.tensor(ids), **extra)
    if mlm:
        inputs['mlm_input_ids'] = torch.tensor(ids)
        inputs['mlm_labels'] = torch.full((len(ids), ), 5)
    return inputs


def batch(inputs):
    return dict(inputs=inputs, data_samples=[ActionDataSample()
                                             for _ in inputs])


def test_normalises_per_channel_with_three_frames():
    """Trap 6: with S == 3 the channel axis must not be confused with time.

    Each channel c is filled with its own mean, frames differ: the result
    must be exactly zero for every frame and channel.
    """
    mean = (10., 100., 200.)
    pre = VideoTextDataPreprocessor(mean=mean, std=(1., 2., 4.))
    frames = torch.zeros(3, 3, 4, 4, dtype=torch.uint8)
    for c, m in enumerate(mean):
        frames[:, c] = int(m)
    out = pre(batch([sample(frames, [1])]))
    x = out['inputs']['imgs']
    assert x.shape == (1, 3, 3, 4, 4) and x.dtype == torch.float32
    assert torch.equal(x, torch.zeros_like(x))
    frames[:, 2] = 204  # channel 2: (204 - 200) / 4 = 1 in every frame
    x = pre(batch([sample(frames, [1])]))['inputs']['imgs']
    assert torch.equal(x[0, :, 2], torch.ones(3, 4, 4))
    assert torch.equal(x[0, :, :2], torch.zeros(3, 2, 4, 4))


def test_pads_text_and_builds_attention_mask():
    pre = VideoTextDataPreprocessor()
    imgs = torch.zeros(2, 3, 8, 8, dtype=torch.uint8)
    data = batch([
        sample(imgs, [101, 7, 102], True, false_imgs=imgs),
        sample(imgs, [101, 102], True, false_imgs=imgs)
    ])
    inputs = pre(data)['inputs']
    assert inputs['false_imgs'].shape == (2, 2, 3, 8, 8)
    assert inputs['input_ids'].tolist() == [[101, 7, 102], [101, 102, 0]]
    assert inputs['attention_mask'].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert inputs['mlm_labels'].tolist() == [[5, 5, 5], [5, 5, -100]]
    fixed = VideoTextDataPreprocessor(pad_to_length=5)(data)['inputs']
    assert fixed['input_ids'].shape == (2, 5)
    with pytest.raises(ValueError, match='more than pad_to_length=2'):
        VideoTextDataPreprocessor(pad_to_length=2)(data)


def test_pads_candidates_to_batch_k_length():
    pre = VideoTextDataPreprocessor()
    imgs = torch.zeros(2, 3, 8, 8, dtype=torch.uint8)
    field = TEXT_FIELDS['candidate_ids']
    samples = [
        sample(imgs, [101, 102], candidate_ids=pack_token_ids(
            [[101, 5, 102], [101, 102]], field)),
        sample(imgs, [101, 102], candidate_ids=pack_token_ids(
            [[101, 102], [101, 6, 7, 102]], field)),
    ]
    inputs = pre(batch(samples))['inputs']
    assert inputs['candidate_ids'].shape == (2, 2, 4)
    assert inputs['candidate_ids'][1, 1].tolist() == [101, 6, 7, 102]
    assert inputs['candidate_ids'][0, 1].tolist() == [101, 102, 0, 0]
    assert inputs['candidate_mask'][0].tolist() == [[1, 1, 1, 0],
                                                   [1, 1, 0, 0]]
    samples[1]['candidate_ids'] = samples[1]['candidate_ids'][:1]
    with pytest.raises(ValueError, match="same number of 'candidate_ids'"):
        pre(batch(samples))


def test_length_group_and_ragged_counts():
    """Answers and rationales share L; captions may differ in K."""
    pre = VideoTextDataPreprocessor()
    imgs = torch.zeros(1, 3, 8, 8, dtype=torch.uint8)
    pack = pack_token_ids
    samples = [
        sample(imgs, [101, 102],
               candidate_ids=pack([[101, 102]], TEXT_FIELDS['candidate_ids']),
               rationale_ids=pack([[101, 1, 2, 3, 4, 102]],
                                  TEXT_FIELDS['rationale_ids']),
               caption_ids=pack([[101, 9, 102], [101, 102]],
                                TEXT_FIELDS['caption_ids'])),
        sample(imgs, [101, 102],
               candidate_ids=pack([[101, 5, 102]],
                                  TEXT_FIELDS['candidate_ids']),
               rationale_ids=pack([[101, 102]],
                                  TEXT_FIELDS['rationale_ids']),
               caption_ids=pack([[101, 8, 8, 8, 102]],
                                TEXT_FIELDS['caption_ids'])),
    ]
    inputs = pre(batch(samples))['inputs']
    assert inputs['candidate_ids'].shape == (2, 1, 6)
    assert inputs['rationale_ids'].shape == (2, 1, 6)
    assert inputs['caption_ids'].shape == (2, 2, 5)
    assert inputs['num_captions'].tolist() == [2, 1]
    # the missing second caption of sample 1 is all padding, mask 0
    assert inputs['caption_ids'][1, 1].tolist() == [0] * 5
    assert inputs['caption_mask'][1].tolist() == [[1] * 5, [0] * 5]


def test_views_axis_and_undeclared_inputs():
    pre = VideoTextDataPreprocessor()
    views = torch.zeros(2, 3, 3, 8, 8, dtype=torch.uint8)  # (V, S, 3, H, W)
    views[1, :, 1] = 255
    out = pre(batch([sample(views, [101, 102])]))['inputs']['imgs']
    assert out.shape == (1, 2, 3, 3, 8, 8)
    # per-channel normalisation on the channel axis, whatever the layout
    assert torch.allclose(out[0, 1, :, 1], torch.full(
        (3, 8, 8), (255 - 116.28) / 57.12))
    with pytest.raises(KeyError, match="'question_ids'.*register_text_field"):
        pre(batch([sample(views, [101], question_ids=torch.tensor([1]))]))
