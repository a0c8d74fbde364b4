"""Zero-shot retrieval from a pre-training checkpoint: the model, and the
zero-shot configs run on the demo layout with a (tiny) demo pre-training
checkpoint, reporting both rankings (pooled unimodal and VTM re-ranked)."""
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config

import mmallinone  # noqa: F401
from mmallinone.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CFG_DIR = osp.join(REPO, 'configs', 'allinone')
TOOL = osp.join(REPO, 'tools', 'misc', 'check_benchmark_configs.py')
TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=2)
BACKBONE = dict(
    type='AllInOneTransformer', arch=TINY_ARCH, img_size=32, patch_size=16,
    num_frames=2, max_text_len=12, vocab_size=200, drop_rate=0.,
    drop_path_rate=0.)


def test_encoders_are_the_pooled_unimodal_features():
    from mmallinone.models import AllInOneZeroShotRetrieval
    torch.manual_seed(0)
    model = AllInOneZeroShotRetrieval(backbone=BACKBONE).eval()
    model.init_weights()
    assert not hasattr(model, 'text_proj') and model.vtm_head is not None
    imgs = torch.randn(2, 2, 3, 32, 32)
    ids = torch.randint(5, 200, (2, 6))
    mask = torch.ones_like(ids)
    with torch.no_grad():
        assert torch.equal(
            model.encode_video(imgs),
            model.pooler(model.backbone.forward_video(imgs)[:, 0]))
        assert torch.equal(
            model.encode_text(ids, mask),
            model.pooler(model.backbone.forward_text(ids, mask)[:, 0]))
        assert model.match_scores(imgs, ids, mask).shape == (2, )
    with pytest.raises(RuntimeError, match='evaluation only'):
        model.loss(dict(imgs=imgs, input_ids=ids, attention_mask=mask))


@pytest.fixture(scope='module')
def pretrained(tmp_path_factory):
    """A demo pre-training model (tiny arch): .pth and pretrained folder."""
    tmp = tmp_path_factory.mktemp('zs')
    cfg = Config.fromfile(osp.join(CFG_DIR, 'pretrain_ti_demo.py'))
    cfg.model.backbone.update(arch=TINY_ARCH, img_size=32, num_frames=2)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    pth = str(tmp / 'pre.pth')
    torch.save(dict(state_dict=model.state_dict()), pth)
    folder = str(tmp / 'pre_folder')
    model.save_pretrained(folder)
    return model, pth, folder, tmp


def _run(config, checkpoint, work_dir):
    """Build the runner as tools/test.py does, on the fixture data."""
    from mmengine.runner import Runner
    from mmallinone.utils import setup_runtime
    spec = importlib.util.spec_from_file_location('check_benchmarks', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    cfg, _ = tool.prepare_config(osp.join(CFG_DIR, config), checkpoint,
                                 work_dir, ckpt_arch=TINY_ARCH, tiny=True)
    runner = Runner.from_cfg(setup_runtime(cfg, 'none'))
    return runner.test(), runner.model


@pytest.mark.parametrize('config', [
    'retrieval_ti_demo_zeroshot.py',
    pytest.param('retrieval_b_msrvtt_zeroshot.py', marks=pytest.mark.slow),
    pytest.param('retrieval_b_didemo_zeroshot.py', marks=pytest.mark.slow),
    pytest.param('retrieval_b_activitynet_zeroshot.py',
                 marks=pytest.mark.slow),
    pytest.param('retrieval_b_lsmdc_zeroshot.py', marks=pytest.mark.slow)
])
def test_zeroshot_configs_report_both_rankings(config, pretrained):
    pre, pth, folder, tmp = pretrained
    cfg = Config.fromfile(osp.join(CFG_DIR, config))
    assert cfg.model.type == 'AllInOneZeroShotRetrieval'
    assert cfg.test_cfg.rerank_k == cfg.zeroshot_k > 0
    assert cfg.train_dataloader is None and cfg.load_from is None
    # the demo config loads the pretrained folder (safetensors)
    ckpt = folder if 'demo' in config else pth
    metrics, model = _run(config, ckpt, str(tmp / config))
    for key in ('t2v/R@1', 'v2t/R@1', 't2v/MdR', 'rerank/t2v/R@1',
                'rerank/v2t/R@1', 'rerank/t2v/MdR'):
        assert key in metrics, (key, sorted(metrics))
        assert metrics[key] >= 0
    # the pre-trained heads were loaded, nothing re-initialised
    for name in ('vtm_head.fc.weight', 'pooler.dense.weight',
                 'backbone.blocks.1.mlp.fc2.weight'):
        assert torch.equal(model.state_dict()[name].cpu(),
                           pre.state_dict()[name]), name
