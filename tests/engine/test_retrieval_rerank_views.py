"""Joint VTM re-ranking with two test views: the loop scores every pair on
the middle view, and its rerank/ metrics are those of that score matrix."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner
from torch.nn.utils.rnn import pad_sequence

from mmallinone.evaluation.metrics.retrieval_metric import retrieval_metrics
from mmallinone.utils import setup_runtime

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG = osp.join(REPO, 'configs', 'allinone', 'retrieval_ti_demo.py')


def _tiny_cfg(work_dir: str) -> Config:
    cfg = Config.fromfile(CFG)
    cfg.model.backbone.update(
        arch=dict(embed_dims=32, num_layers=2, num_heads=2), img_size=32,
        num_frames=2)
    cfg.model.embed_dims = 16
    pipe = cfg.test_dataloader.dataset.pipeline
    pipe[1].update(clip_len=2, num_clips=2)  # two test views
    pipe[3].update(scale=(-1, 40))
    pipe[4].update(crop_size=32)
    cfg.test_cfg.rerank_k = 100  # every pair is re-scored
    cfg.work_dir = work_dir
    cfg.data_root = osp.join(REPO, 'data', 'demo')
    cfg.test_dataloader.dataset.data_root = cfg.data_root
    return cfg


def _vtm_matrix(model, dataset, view: int):
    """(Nt, Nv) VTM logits on one test view, and the text owners."""
    frames, texts, owner = [], [], []
    for j in range(len(dataset)):
        item = dataset[j]
        batch = model.data_preprocessor(pseudo_collate([item]), False)
        imgs = batch['inputs']['imgs']  # (1, V, S, 3, H, W)
        assert imgs.shape[1:3] == (2, 2)  # 2 views x 2 frames
        frames.append(imgs[:, view])
        for row in item['inputs']['caption_ids']:  # (K, L_max), -1 filled
            texts.append(row[row >= 0])
            owner.append(j)
    ids = pad_sequence(texts, batch_first=True, padding_value=0)
    lengths = torch.tensor([len(t) for t in texts])
    mask = (torch.arange(ids.shape[1])[None] < lengths[:, None]).long()
    with torch.no_grad():
        scores = torch.stack(
            [model.match_scores(f, ids, mask) for f in frames], dim=1)
    return scores.double().numpy(), np.asarray(owner)


@pytest.mark.slow  # a Runner test run with re-ranking
def test_rerank_uses_the_middle_view(tmp_path):
    torch.manual_seed(0)
    runner = Runner.from_cfg(setup_runtime(_tiny_cfg(str(tmp_path)), 'none'))
    metrics = runner.test()
    model = runner.model.eval()
    dataset = runner.test_dataloader.dataset
    vtm, owner = _vtm_matrix(model, dataset, view=1)  # V // 2
    expected = retrieval_metrics(vtm, owner, 'pessimistic', (1, 5, 10),
                                 v2t_sim=vtm)
    for key in ('t2v/R@1', 't2v/R@5', 't2v/MdR', 't2v/MnR', 'v2t/R@1',
                'v2t/MnR'):
        assert metrics['rerank/' + key] == expected[key], key
    # the two views give different scores, so the check above is not
    # satisfied by any view
    other, _ = _vtm_matrix(model, dataset, view=0)
    assert not np.allclose(other, vtm)
