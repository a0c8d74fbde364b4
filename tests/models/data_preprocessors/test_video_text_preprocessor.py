import pytest
import torch
from mmaction.structures import ActionDataSample

from mmallinone.models.data_preprocessors import VideoTextDataPreprocessor


def sample(ids, mlm=False):
    ds = ActionDataSample()
    ds.set_field(torch.tensor(ids), 'input_ids')
    if mlm:
        ds.set_field(torch.tensor(ids), 'mlm_input_ids')
        ds.set_field(torch.full((len(ids), ), 5), 'mlm_labels')
    return ds


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
    out = pre(dict(inputs=[dict(imgs=frames)], data_samples=[sample([1])]))
    x = out['inputs']['imgs']
    assert x.shape == (1, 3, 3, 4, 4) and x.dtype == torch.float32
    assert torch.equal(x, torch.zeros_like(x))
    frames[:, 2] = 204  # channel 2: (204 - 200) / 4 = 1 in every frame
    x = pre(dict(inputs=[dict(imgs=frames)],
                 data_samples=[sample([1])]))['inputs']['imgs']
    assert torch.equal(x[0, :, 2], torch.ones(3, 4, 4))
    assert torch.equal(x[0, :, :2], torch.zeros(3, 2, 4, 4))


def test_pads_text_and_builds_attention_mask():
    pre = VideoTextDataPreprocessor()
    imgs = torch.zeros(2, 3, 8, 8, dtype=torch.uint8)
    data = dict(
        inputs=[dict(imgs=imgs, false_imgs=imgs),
                dict(imgs=imgs, false_imgs=imgs)],
        data_samples=[sample([101, 7, 102], True), sample([101, 102], True)])
    inputs = pre(data)['inputs']
    assert inputs['false_imgs'].shape == (2, 2, 3, 8, 8)
    assert inputs['input_ids'].tolist() == [[101, 7, 102], [101, 102, 0]]
    assert inputs['attention_mask'].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert inputs['mlm_labels'].tolist() == [[5, 5, 5], [5, 5, -100]]
    fixed = VideoTextDataPreprocessor(pad_to_length=5)(data)['inputs']
    assert fixed['input_ids'].shape == (2, 5)


def test_pads_candidates_to_batch_k_length():
    pre = VideoTextDataPreprocessor()
    imgs = torch.zeros(2, 3, 8, 8, dtype=torch.uint8)
    samples = [sample([101, 102]), sample([101, 102])]
    samples[0].set_field([torch.tensor([101, 5, 102]),
                          torch.tensor([101, 102])], 'candidate_ids')
    samples[1].set_field([torch.tensor([101, 102]),
                          torch.tensor([101, 6, 7, 102])], 'candidate_ids')
    inputs = pre(dict(inputs=[dict(imgs=imgs)] * 2,
                      data_samples=samples))['inputs']
    assert inputs['candidate_ids'].shape == (2, 2, 4)
    assert inputs['candidate_ids'][1, 1].tolist() == [101, 6, 7, 102]
    assert inputs['candidate_mask'][0].tolist() == [[1, 1, 1, 0],
                                                   [1, 1, 0, 0]]
    samples[1].candidate_ids = samples[1].candidate_ids[:1]
    with pytest.raises(ValueError, match='same number of candidates'):
        pre(dict(inputs=[dict(imgs=imgs)] * 2, data_samples=samples))
