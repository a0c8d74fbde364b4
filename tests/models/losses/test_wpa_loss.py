import torch

from mmallinone.models.losses import WordPatchAlignmentLoss, ipot


def test_ipot_plan_has_uniform_marginals_on_valid_entries():
    torch.manual_seed(0)
    cost = torch.rand(2, 5, 7)
    pad_x = torch.zeros(2, 5, dtype=torch.bool)
    pad_y = torch.zeros(2, 7, dtype=torch.bool)
    pad_x[1, 3:] = True
    pad_y[1, 6:] = True
    cost = cost.masked_fill(pad_x[:, :, None] | pad_y[:, None, :], 0)
    plan = ipot(cost, pad_x, pad_y, iterations=200)  # (B, Ly, Lx)
    assert plan.shape == (2, 7, 5)
    assert (plan[1, 6:] == 0).all() and (plan[1, :, 3:] == 0).all()
    # total mass 1, rows ~ 1/len_y, cols ~ 1/len_x
    torch.testing.assert_close(plan.sum((1, 2)), torch.ones(2), atol=1e-3,
                               rtol=0)
    torch.testing.assert_close(plan[0].sum(1), torch.full((7, ), 1 / 7),
                               atol=1e-3, rtol=0)
    torch.testing.assert_close(plan[1, :6].sum(0)[:3], torch.full((3, ), 1 / 3),
                               atol=1e-3, rtol=0)


def test_wpa_rewards_aligned_positives_and_penalises_negatives():
    torch.manual_seed(0)
    loss = WordPatchAlignmentLoss()
    words = torch.randn(2, 6, 16)
    patches = torch.cat([torch.randn(2, 1, 16), words[:, 1:5]], 1)  # aligned
    mask = torch.ones(2, 6, dtype=torch.long)
    random_patches = torch.randn(2, 5, 16)
    aligned = loss(words, patches, mask, torch.tensor([True, True]))
    unaligned = loss(words, random_patches, mask, torch.tensor([True, True]))
    assert aligned < unaligned  # smaller OT distance for matched content
    as_neg = loss(words, patches, mask, torch.tensor([False, False]))
    torch.testing.assert_close(as_neg, -aligned)


def test_wpa_ignores_cls_sep_and_padding():
    torch.manual_seed(0)
    loss = WordPatchAlignmentLoss()
    words = torch.randn(1, 8, 16)
    patches = torch.randn(1, 5, 16)
    mask = torch.tensor([[1, 1, 1, 1, 1, 0, 0, 0]])
    pos = torch.tensor([True])
    ref = loss(words, patches, mask, pos)
    changed = words.clone()
    changed[:, 0] += 5  # [CLS]
    changed[:, 4] -= 3  # [SEP]: last real token
    changed[:, 5:] = 9  # padding
    patches2 = patches.clone()
    patches2[:, 0] = 4  # visual CLS
    torch.testing.assert_close(loss(changed, patches2, mask, pos), ref)
