"""Heads on their own: shapes, checkpoint key names, losses, errors."""
import pytest
import torch
import torch.nn.functional as F

from mmallinone.models.heads import (AllInOnePooler, MLMHead,
                                     MultipleChoiceQAHead, OpenEndedQAHead,
                                     VideoClsHead, VTMHead)


def test_pooler_first_token_or_vector():
    pooler = AllInOnePooler(8)
    x = torch.randn(2, 5, 8)
    out = pooler(x)
    torch.testing.assert_close(out, torch.tanh(pooler.dense(x[:, 0])))
    torch.testing.assert_close(pooler(x[:, 0]), out)  # (B, C) input too
    assert set(pooler.state_dict()) == {'dense.weight', 'dense.bias'}


def test_vtm_head_loss_and_keys():
    head = VTMHead(8)
    assert set(head.state_dict()) == {'fc.weight', 'fc.bias'}
    logits = torch.tensor([[2., 0.], [0., 3.], [1., 0.]])
    labels = torch.tensor([0, 1, 1])
    out = head.loss(logits, labels)
    torch.testing.assert_close(out['loss_vtm'],
                               F.cross_entropy(logits, labels))
    torch.testing.assert_close(out['acc_vtm'], torch.tensor(2 / 3))
    assert head(torch.randn(4, 8)).shape == (4, 2)


def test_cls_head_init_std_and_errors():
    head = VideoClsHead(16, 3, init_std=0.0)
    head.init_weights()
    assert head.fc.weight.abs().sum() == 0 and head.fc.bias.abs().sum() == 0
    logits = torch.tensor([[0., 5., 0.], [5., 0., 0.]])
    out = head.loss(logits, torch.tensor([1, 2]))
    torch.testing.assert_close(out['acc_cls'], torch.tensor(0.5))
    with pytest.raises(ValueError, match='num_classes'):
        VideoClsHead(16, 1)


def test_mlm_head_masked_positions_only():
    torch.manual_seed(0)
    head = MLMHead(8, vocab_size=11)
    assert {'transform.dense.weight', 'transform.LayerNorm.weight',
            'decoder.weight', 'bias'} <= set(head.state_dict())
    assert 'decoder.bias' not in head.state_dict()
    feats = torch.randn(2, 4, 8, requires_grad=True)
    labels = torch.full((2, 4), -100)
    labels[0, 1], labels[1, 3] = 3, 7
    out = head.loss(feats, labels)
    logits = head(feats)  # (2, 4, 11)
    expected = F.cross_entropy(
        torch.stack([logits[0, 1], logits[1, 3]]), torch.tensor([3, 7]))
    torch.testing.assert_close(out['loss_mlm'], expected)
    # nothing masked: a zero loss that still back-propagates
    out = head.loss(feats, torch.full((2, 4), -100))
    assert out['loss_mlm'].item() == 0
    out['loss_mlm'].backward()
    assert feats.grad is not None


def test_qa_heads_shapes_and_author_keys():
    oe = OpenEndedQAHead(16, num_classes=5, hidden_ratio=0.5).eval()
    assert oe(torch.randn(3, 16)).shape == (3, 5)
    keys = set(oe.state_dict())
    assert {'classifier.1.weight', 'classifier.2.weight',
            'classifier.4.weight'} <= keys
    assert oe.classifier[1].out_features == 8
    with pytest.raises(ValueError, match='num_classes'):
        OpenEndedQAHead(16, num_classes=0)
    mc = MultipleChoiceQAHead(16, hidden_channels=4).eval()
    assert mc(torch.randn(2, 5, 16)).shape == (2, 5)
    assert 'classifier.4.weight' in mc.state_dict()
