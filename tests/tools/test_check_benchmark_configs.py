"""tools/misc/check_benchmark_configs.py on a representative subset."""
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

import mmallinone  # noqa: F401
from mmallinone.registry import MODELS

pytestmark = pytest.mark.slow  # subprocess / multi-process / training runs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'misc', 'check_benchmark_configs.py')
CFG_DIR = osp.join(REPO, 'configs', 'allinone')
TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=2)


def _load_tool():
    spec = importlib.util.spec_from_file_location('check_benchmarks', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tiny_pretrain_checkpoint(path: str) -> None:
    """A demo pre-training model (tiny arch) saved as MMEngine does."""
    cfg = Config.fromfile(osp.join(CFG_DIR, 'pretrain_ti_demo.py'))
    cfg.model.backbone.update(arch=TINY_ARCH, img_size=32, num_frames=2)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    torch.save(
        dict(state_dict=model.state_dict(), meta=dict(cfg=cfg.pretty_text)),
        path)


def test_checkpoint_arch_from_shapes(tmp_path):
    tool = _load_tool()
    ti = {'backbone.pos_embed': torch.zeros(1, 197, 192)}
    ti.update({f'backbone.blocks.{i}.norm1.weight': torch.zeros(192)
               for i in range(12)})
    torch.save(dict(state_dict=ti), str(tmp_path / 'ti.pth'))
    assert tool.checkpoint_arch(str(tmp_path / 'ti.pth')) == ('tiny', 192)
    # a width outside the zoo without meta: heads guessed, layers counted
    odd = {'backbone.pos_embed': torch.zeros(1, 5, 128),
           'backbone.blocks.0.norm1.weight': torch.zeros(128)}
    torch.save(odd, str(tmp_path / 'odd.pth'))
    assert tool.checkpoint_arch(str(tmp_path / 'odd.pth')) == (
        dict(embed_dims=128, num_layers=1, num_heads=2), 128)
    # B config + Ti checkpoint: the arch is switched and said so
    cfg, notes = tool.prepare_config(
        osp.join(CFG_DIR, 'vqa_b_msrvtt_qa.py'), 'x.pth', str(tmp_path),
        ckpt_arch='tiny', tiny=True)
    assert cfg.model.backbone.arch == 'tiny'
    assert any('arch base -> tiny' in n for n in notes)
    ds = cfg.test_dataloader.dataset
    assert ds.data_root == osp.join(REPO, 'tests', 'data', 'msrvtt_qa')
    assert ds.ann_file == 'test_qa.json'
    assert osp.isfile(osp.join(ds.data_root, ds.ann_file))
    assert cfg.model.backbone.img_size == 32


def test_check_benchmark_configs_subset(tmp_path):
    ckpt = str(tmp_path / 'pre.pth')
    _tiny_pretrain_checkpoint(ckpt)
    configs = [
        'retrieval_b_msrvtt.py', 'vqa_b_msrvtt_qa.py',
        'mcqa_b_tgif_action.py', 'mc_b_lsmdc_zeroshot.py'
    ]
    out = str(tmp_path / 'results.json')
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, TOOL, ckpt, '--tiny', '--out', out,
         '--work-dir', str(tmp_path / 'work'), '--configs',
         *[osp.join(CFG_DIR, c) for c in configs],
         str(tmp_path / 'missing_config.py')],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=240)
    log = proc.stdout + proc.stderr
    # the missing config fails (exit 1) without stopping the others
    assert proc.returncode == 1, log
    assert '4/5 configs gave metrics; failed: missing_config.py' in log
    results = {
        osp.basename(r['config']): r
        for r in json.load(open(out))['results']
    }
    assert results['missing_config.py']['status'] == 'error'
    assert 'missing_config.py' in results['missing_config.py']['error']
    for name in configs:
        assert results[name]['status'] == 'ok', results[name]
        # num_heads read from the checkpoint's meta config
        assert any('-> dict(embed_dims=32, num_layers=2, num_heads=2)' in n
                   for n in results[name]['notes']), results[name]['notes']
    retrieval = results['retrieval_b_msrvtt.py']['metrics']
    for key in ('t2v/R@1', 'v2t/R@1', 't2v/MdR', 'rerank/t2v/R@1'):
        assert key in retrieval
    assert 0 <= retrieval['t2v/R@1'] <= 100
    vqa = results['vqa_b_msrvtt_qa.py']['metrics']
    assert {'vqa/acc', 'vqa/acc_in_vocab'} <= set(vqa)
    # the fixture's test split: 3 questions, one answer outside the vocab
    assert vqa['vqa/num_questions'] == 3 and vqa['vqa/num_in_vocab'] == 2
    for name in ('mcqa_b_tgif_action.py', 'mc_b_lsmdc_zeroshot.py'):
        assert 'mc/acc' in results[name]['metrics']
    # the table is printed
    assert 'retrieval_b_msrvtt.py' in proc.stdout
    assert 't2v/R@1=' in proc.stdout


class _Evil:
    """Unpickling it creates ``marker`` (stands for arbitrary code)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def test_malicious_checkpoint_runs_no_code(tmp_path, monkeypatch):
    """The tool reads a given checkpoint with the safe loader."""
    from mmallinone.checkpoint import (TRUST_ENV_VAR,
                                       UntrustedCheckpointError)
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    marker = tmp_path / 'pwned'
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'meta': _Evil(str(marker))}, path)
    (tmp_path / 'last_checkpoint').write_text(path)  # grants no trust
    with pytest.raises(UntrustedCheckpointError):
        _load_tool().checkpoint_arch(path)
    assert not marker.exists()
