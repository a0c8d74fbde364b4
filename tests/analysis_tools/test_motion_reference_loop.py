"""The plain reference loop of the synthetic motion benchmark."""
import os.path as osp
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))

import motion_reference_loop  # noqa: E402
from mmallinone.models.layers import TemporalTokenRoll  # noqa: E402


@pytest.mark.parametrize('num_frames,length', [(3, 9), (3, 197), (4, 17)])
def test_independent_block_roll_matches_the_project_layer(num_frames,
                                                          length):
    """The reference loop's roll is written from the rule, not imported: it
    must agree with TemporalTokenRoll('block') slot for slot."""
    x = torch.randn(2 * num_frames, length, 5)
    ours = TemporalTokenRoll('block', n_div=8)(x, num_frames)
    assert torch.equal(motion_reference_loop.block_roll(x, num_frames), ours)
    assert not torch.equal(ours, x)


@pytest.mark.parametrize('model', ['plain', 'allinone'])
def test_loop_trains_and_reports(model):
    history = motion_reference_loop.main([
        '--model', model, '--arch', '16,2,2', '--iters', '4',
        '--batch-size', '8', '--train', '32', '--test', '16',
        '--eval-interval', '2', '--pos-embed-init-std', '0.2'
    ])
    assert [h['iter'] for h in history] == [2, 4]
    assert all(0 <= h['accuracy'] <= 1 and h['loss'] > 0 for h in history)
