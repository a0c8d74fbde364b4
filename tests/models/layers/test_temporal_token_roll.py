import pytest
import torch

from mmallinone.models.layers import TemporalTokenRoll


def make_tokens(b=2, s=3, lt=4, lv=17, c=8):
    """Token value encodes (sample, frame, slot): unique and decodable."""
    bb, tt, jj = torch.meshgrid(
        torch.arange(b), torch.arange(s), torch.arange(lt + lv),
        indexing='ij')
    code = (bb * 100000 + tt * 1000 + jj).float()
    x = code[..., None].repeat(1, 1, 1, c)
    x = x + torch.arange(c).float() / 100  # channel tag in the fraction
    return x.reshape(b * s, lt + lv, c)


def source_frames(out, b, s, length):
    """Decode which frame every output token came from: (B, S, L)."""
    code = out.reshape(b, s, length, -1)[..., 0].round().long()
    return (code % 100000) // 1000, code % 1000, code // 100000


@pytest.mark.parametrize('lv', [17, 197])
def test_block_moves_exactly_spec_tokens(lv):
    b, s, lt = 2, 3, 4
    x = make_tokens(b, s, lt, lv)
    out = TemporalTokenRoll('block', n_div=8)(x, s, visual_start=lt)
    frame, slot, sample = source_frames(out, b, s, lt + lv)
    # slots and samples never move; only the frame index changes
    assert torch.equal(slot, torch.arange(lt + lv).expand_as(slot))
    assert torch.equal(sample, torch.arange(b)[:, None, None].expand_as(
        sample))
    f = lv // 8
    t = torch.arange(s)
    for j in range(lt + lv):
        v = j - lt  # index inside the visual tokens (0 = visual CLS)
        if v < 1 or f < v < lv - f:  # text, CLS, middle slots: kept
            expected = t
        elif v <= f:  # first f patch slots <- previous frame (cyclic)
            expected = (t - 1) % s
        else:  # last f slots <- next frame (cyclic)
            expected = (t + 1) % s
        assert torch.equal(frame[0, :, j], expected), (j, v)
    if lv == 197:  # the spec's numbers: 1-24 <- t-1, 173-196 <- t+1
        vis = frame[0, :, lt:]
        assert torch.equal(vis[:, 1:25], ((t - 1) % s)[:, None].expand(s, 24))
        assert torch.equal(vis[:, 173:], ((t + 1) % s)[:, None].expand(s, 24))
        assert torch.equal(vis[:, 25:173], t[:, None].expand(s, 148))
        assert (vis != t[:, None]).sum() == s * 48


def test_block_exact_values_and_no_mutation():
    x = make_tokens()
    x_copy = x.clone()
    out = TemporalTokenRoll('block')(x, 3, visual_start=4)
    assert torch.equal(x, x_copy)  # input untouched
    xv, ov = x.view(2, 3, 21, 8), out.view(2, 3, 21, 8)
    # slot 5 = visual patch 1 of frame 0 comes from frame 2 (cyclic)
    assert torch.equal(ov[:, 0, 5], xv[:, 2, 5])
    assert torch.equal(ov[:, 2, 20], xv[:, 0, 20])  # last slot <- next
    assert torch.equal(ov[:, 1, 10], xv[:, 1, 10])  # middle kept


def test_random_rolls_half_the_patches_from_previous_frame():
    b, s, lt, lv = 1, 4, 2, 33
    torch.manual_seed(0)
    out = TemporalTokenRoll('random')(make_tokens(b, s, lt, lv), s,
                                      visual_start=lt)
    frame, _, _ = source_frames(out, b, s, lt + lv)
    t = torch.arange(s)[:, None]
    moved = frame[0] != t
    assert not moved[:, :lt + 1].any()  # text and CLS kept
    assert (frame[0][moved] == ((t - 1) % s).expand_as(frame[0])[moved]).all()
    # the same lv // 2 slots in every frame
    assert torch.equal(moved.sum(1), torch.full((s, ), lv // 2))
    assert (moved == moved[:1]).all()


def test_varying_rolls_one_block_per_layer_without_zeroing():
    b, s, lv = 1, 3, 197
    x = make_tokens(b, s, 0, lv)
    out = TemporalTokenRoll('varying', n_div=8)(x, s, layer_idx=5)
    assert (out.abs().sum(-1) > 0).sum() == (x.abs().sum(-1) > 0).sum()
    frame, _, _ = source_frames(out, b, s, lv)
    t = torch.arange(s)[:, None]
    moved = (frame[0] != t).nonzero()[:, 1].unique()
    # spec: layer 5 -> slots 121..144 rolled from t-1, nothing zeroed
    assert torch.equal(moved, torch.arange(121, 145))
    out13 = TemporalTokenRoll('varying', n_div=8)(x, s, layer_idx=13)
    assert torch.equal(out, out13)  # layer index taken mod n_div


def test_channel_shift_is_a_true_channel_shift():
    b, s, lt, lv, c = 2, 3, 4, 9, 16
    x = make_tokens(b, s, lt, lv, c)
    out = TemporalTokenRoll('channel_shift', n_div=8)(x, s, visual_start=lt)
    xv, ov = x.view(b, s, -1, c), out.view(b, s, -1, c)
    fold = c // 8
    for t in range(s):
        prev, nxt = (t - 1) % s, (t + 1) % s
        patches = slice(lt + 1, None)
        assert torch.equal(ov[:, t, patches, :fold], xv[:, prev, patches,
                                                         :fold])
        assert torch.equal(ov[:, t, patches, fold:2 * fold],
                           xv[:, nxt, patches, fold:2 * fold])
        assert torch.equal(ov[:, t, patches, 2 * fold:],
                           xv[:, t, patches, 2 * fold:])
        assert torch.equal(ov[:, t, :lt + 1], xv[:, t, :lt + 1])


@pytest.mark.parametrize(
    'strategy', ['block', 'random', 'varying', 'channel_shift'])
def test_parameter_free_and_single_frame_identity(strategy):
    roll = TemporalTokenRoll(strategy)
    assert len(list(roll.parameters())) == 0
    assert len(list(roll.buffers())) == 0
    x = torch.randn(2, 10, 8)
    assert roll(x, 1) is x


def test_invalid_strategy_lists_choices():
    with pytest.raises(ValueError, match='block'):
        TemporalTokenRoll('shift_everything')
