"""VideoTextContrastiveLoss and gather_with_local_grad (world size 1 and a
real 2-process gloo group)."""
import os
import socket

import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from mmallinone.models.losses import VideoTextContrastiveLoss
from mmallinone.models.losses.contrastive_loss import (
    cosine_similarity_matrix, gather_with_local_grad)


def test_gather_world_size_one_is_identity_with_grad():
    x = torch.randn(3, 4, requires_grad=True)
    out, offset = gather_with_local_grad(x)
    assert out is x and offset == 0
    out.sum().backward()
    torch.testing.assert_close(x.grad, torch.ones(3, 4))


def test_loss_is_symmetric_infonce_sum():
    torch.manual_seed(0)
    t, v = torch.randn(4, 8), torch.randn(4, 8)
    loss = VideoTextContrastiveLoss(temperature=0.1)(t, v)
    sim = cosine_similarity_matrix(t, v) / 0.1
    target = torch.arange(4)
    expected = F.cross_entropy(sim, target) + F.cross_entropy(sim.t(), target)
    torch.testing.assert_close(loss, expected)
    with pytest.raises(ValueError, match='same shape'):
        VideoTextContrastiveLoss()(t, v[:3])


def _worker(rank, world, port, feats, queue):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch_dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        b = feats.shape[0] // world
        x = feats[rank * b:(rank + 1) * b].clone().requires_grad_(True)
        out, offset = gather_with_local_grad(x)
        (out * torch.arange(1., out.numel() + 1).view_as(out)).sum().backward()
        t = x.detach() * 2
        loss = VideoTextContrastiveLoss(temperature=0.5)(t, x)
        # plain lists: shared tensors die with the worker process
        queue.put((rank, out.tolist(), offset, x.grad.tolist(), loss.item()))
    finally:
        torch_dist.destroy_process_group()


@pytest.mark.slow
def test_gather_two_gloo_ranks():
    torch.manual_seed(0)
    feats = torch.randn(4, 3)
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    mp.spawn(_worker, args=(2, port, feats, queue), nprocs=2, join=True)
    results = sorted(queue.get(timeout=60) for _ in range(2))
    weights = torch.arange(1., 13.).view(4, 3)
    for rank, out, offset, grad, loss in results:
        out, grad = torch.tensor(out), torch.tensor(grad)
        torch.testing.assert_close(out, feats)  # rank-major, all rows
        assert offset == 2 * rank
        # only this rank's rows carry the gradient (its slice's weights)
        torch.testing.assert_close(grad, weights[2 * rank:2 * rank + 2])
        # each rank contrasts its 2 queries against all 4 keys
        t = feats[2 * rank:2 * rank + 2] * 2
        x = feats[2 * rank:2 * rank + 2]
        tgt = torch.arange(2) + 2 * rank
        exp = (F.cross_entropy(cosine_similarity_matrix(t, feats) * 2, tgt)
               + F.cross_entropy(cosine_similarity_matrix(x, feats * 2) * 2,
                                 tgt))
        assert abs(loss - exp.item()) < 1e-5
