"""One test per dependency trap that mmallinone handles (docs: dependencies).

Each trap has a test that the work-around works and, where cheap, a test
that the upstream defect still exists, so that a fixed upstream is noticed
and the patch can be dropped.
"""
import importlib.util
import os.path as osp
import pickle
import shutil
import socket
import sys

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

import mmallinone  # noqa: F401  (applies the compat patches)
from mmallinone import _compat
from mmallinone.checkpoint import (TRUST_ENV_VAR, UntrustedCheckpointError,
                                   is_trusted_checkpoint)
from mmallinone.utils import setup_runtime
from mmallinone.utils import dist as dist_utils

from mmengine.config import Config
from mmengine.runner import CheckpointLoader, Runner

sys.path.insert(0, osp.join(osp.dirname(__file__), 'tools'))
from toy_components import toy_runner_cfg  # noqa: E402


# --------------------------------------------------------------------------
# Trap 1: mmaction2 1.2.0's wheel lacks mmaction/models/localizers/drn/
# --------------------------------------------------------------------------
def test_upstream_mmaction_wheel_still_lacks_drn():
    """If this fails, upstream shipped drn/: drop the stub in _compat."""
    spec = importlib.util.find_spec('mmaction')
    drn_dir = osp.join(
        osp.dirname(spec.origin), 'models', 'localizers', 'drn')
    assert not osp.isfile(osp.join(drn_dir, 'drn.py'))


def test_mmaction_models_import_with_drn_stub():
    import mmaction.models  # noqa: F401
    from mmaction.registry import MODELS as MMACTION_MODELS
    stub = sys.modules['mmaction.models.localizers.drn.drn']
    with pytest.raises(NotImplementedError, match='2714'):
        stub.DRN()
    # The toolbox's own models registered (the import did not stop early).
    assert MMACTION_MODELS.get('Recognizer3D') is not None
    assert MMACTION_MODELS.get('TimeSformer') is not None


# --------------------------------------------------------------------------
# Trap 3: toolboxes' multimodal code vs transformers; numpy in1d
# --------------------------------------------------------------------------
def test_toolbox_models_import_without_multimodal():
    import mmaction.models  # noqa: F401
    import mmaction.utils.dependency as mmaction_dep
    import mmpretrain.models  # noqa: F401
    import mmpretrain.utils.dependency as mmpretrain_dep
    assert mmaction_dep.WITH_MULTIMODAL is False
    assert mmpretrain_dep.WITH_MULTIMODAL is False
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    assert MMPRETRAIN_MODELS.get('VisionTransformer') is not None


def test_numpy_in1d_restored(monkeypatch):
    if hasattr(np, 'in1d'):
        monkeypatch.delattr(np, 'in1d')
    _compat._restore_numpy_in1d()
    a = np.array([[1, 5], [3, 7]])
    np.testing.assert_array_equal(
        np.in1d(a, [5, 7]), [False, True, False, True])
    np.testing.assert_array_equal(
        np.in1d(a, [5, 7], invert=True), [True, False, True, False])


def test_mmaction_retrieval_recall_computes():
    from mmaction.evaluation import RetrievalRecall
    pred = torch.tensor([[0.9, 0.05, 0.05], [0.1, 0.2, 0.7]])
    target = torch.tensor([[1, 0, 0], [0, 1, 0]])
    recall_1, recall_2 = RetrievalRecall.calculate(pred, target, topk=(1, 2))
    assert recall_1.item() == pytest.approx(50.0)
    assert recall_2.item() == pytest.approx(100.0)


# --------------------------------------------------------------------------
# Trap 2: MMEngine's checkpoints under torch >= 2.6 (weights_only=True)
# --------------------------------------------------------------------------
@pytest.fixture
def trained_work_dir(tmp_path, monkeypatch):
    """A work dir with a Runner-saved checkpoint after 2 toy iterations."""
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    work_dir = str(tmp_path / 'work_dir')
    runner = Runner(
        **toy_runner_cfg(work_dir, max_iters=2, experiment_name='save'))
    runner.train()
    assert osp.isfile(osp.join(work_dir, 'last_checkpoint'))
    return work_dir


def _weights(runner: Runner) -> dict:
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


def test_upstream_loader_still_fails_on_runner_checkpoint(
        trained_work_dir, monkeypatch):
    """If this fails, MMEngine passes weights_only itself: drop our loader."""
    from mmengine.runner.checkpoint import load_from_local
    with pytest.raises(pickle.UnpicklingError):
        load_from_local(osp.join(trained_work_dir, 'iter_2.pth'), 'cpu')


def test_resume_runner_checkpoint(trained_work_dir):
    ckpt = torch.load(
        osp.join(trained_work_dir, 'iter_2.pth'), weights_only=False)
    runner = Runner(**toy_runner_cfg(
        trained_work_dir, max_iters=3, resume=True, experiment_name='resume'))
    runner.load_or_resume()
    assert runner.iter == 2
    for key, value in ckpt['state_dict'].items():
        torch.testing.assert_close(runner.model.state_dict()[key], value)
    # the optimizer state came back too (AdamW moments after 2 steps)
    assert runner.optim_wrapper.optimizer.state_dict()['state']
    runner.train()
    assert runner.iter == 3


def test_load_from_runner_checkpoint(trained_work_dir, tmp_path):
    ckpt_path = osp.join(trained_work_dir, 'iter_2.pth')
    ckpt = torch.load(ckpt_path, weights_only=False)
    runner = Runner(**toy_runner_cfg(
        str(tmp_path / 'new_work_dir'),
        max_iters=1,
        load_from=ckpt_path,
        experiment_name='load_from'))
    runner.load_or_resume()
    assert runner.iter == 0  # load_from does not resume the loop
    for key, value in ckpt['state_dict'].items():
        torch.testing.assert_close(runner.model.state_dict()[key], value)


def test_runner_checkpoint_away_from_work_dir_loads_weights_only(
        trained_work_dir, tmp_path):
    """MMEngine's own types are allow-listed: no trust needed anywhere."""
    elsewhere = tmp_path / 'downloads'
    elsewhere.mkdir()
    copied = str(elsewhere / 'iter_2.pth')
    shutil.copy(osp.join(trained_work_dir, 'iter_2.pth'), copied)
    assert not is_trusted_checkpoint(copied)
    assert 'message_hub' in CheckpointLoader.load_checkpoint(
        copied, map_location='cpu')


def test_untrusted_full_pickle_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    path = str(tmp_path / 'full.pth')
    torch.save({'state_dict': {}, 'extra': pytest.approx(1.0)}, path)
    with pytest.raises(UntrustedCheckpointError, match=TRUST_ENV_VAR):
        CheckpointLoader.load_checkpoint(path, map_location='cpu')
    # Trusting it explicitly loads it.
    monkeypatch.setenv(TRUST_ENV_VAR, '1')
    assert 'extra' in CheckpointLoader.load_checkpoint(
        path, map_location='cpu')


def test_untrusted_weights_only_file_loads(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    path = str(tmp_path / 'released.pth')
    torch.save({'state_dict': {'w': torch.ones(2)}}, path)
    loaded = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    torch.testing.assert_close(loaded['state_dict']['w'], torch.ones(2))


def test_untrusted_malicious_pickle_is_not_executed(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    marker = tmp_path / 'pwned'

    class Evil:

        def __reduce__(self):
            return (open, (str(marker), 'w'))

    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'payload': Evil()}, path)
    with pytest.raises(UntrustedCheckpointError):
        CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert not marker.exists()


# --------------------------------------------------------------------------
# Trap 7: distributed on CPU (gloo, device_ids=None, no AmpOptimWrapper)
# --------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _toy_cfg(work_dir: str, **kwargs) -> Config:
    kwargs.setdefault('experiment_name', osp.basename(work_dir))
    return Config(toy_runner_cfg(work_dir, max_iters=1, **kwargs))


def test_gpu_keeps_nccl(tmp_path, monkeypatch):
    monkeypatch.setattr(dist_utils, 'cuda_available', lambda: True)
    cfg = _toy_cfg(str(tmp_path))
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    setup_runtime(cfg, 'pytorch')
    assert cfg.launcher == 'pytorch'
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'
    assert cfg.get('model_wrapper_cfg') is None
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert not torch.distributed.is_initialized()


def test_amp_falls_back_on_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(dist_utils, 'cuda_available', lambda: False)
    cfg = _toy_cfg(str(tmp_path))
    cfg.optim_wrapper.update(
        type='AmpOptimWrapper', loss_scale='dynamic', dtype='float16')
    setup_runtime(cfg, 'none')
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert 'loss_scale' not in cfg.optim_wrapper
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1


def test_finite_check_amp_falls_back_on_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(dist_utils, 'cuda_available', lambda: False)
    cfg = _toy_cfg(str(tmp_path))
    cfg.optim_wrapper.update(
        type='FiniteCheckAmpOptimWrapper', loss_scale='dynamic')
    setup_runtime(cfg, 'none')
    # Keeps the non-finite loss check, drops only mixed precision.
    assert cfg.optim_wrapper.type == 'FiniteCheckOptimWrapper'
    assert 'loss_scale' not in cfg.optim_wrapper


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='trains on the CPU path only')
def test_gloo_selected_without_cuda(tmp_path, monkeypatch):
    """Single-process 'pytorch' launch on CPU: gloo group + CPU DDP train."""
    monkeypatch.setattr(dist_utils, 'cuda_available', lambda: False)
    for key, value in dict(
            RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
            MASTER_ADDR='127.0.0.1', MASTER_PORT=str(_free_port())).items():
        monkeypatch.setenv(key, value)
    start_method = mp.get_start_method(allow_none=True)
    cfg = _toy_cfg(str(tmp_path))
    try:
        setup_runtime(cfg, 'pytorch')
        assert cfg.env_cfg.dist_cfg.backend == 'gloo'
        assert cfg.model_wrapper_cfg.device_ids is None
        assert torch.distributed.is_initialized()
        assert torch.distributed.get_backend() == 'gloo'
        runner = Runner.from_cfg(cfg)
        runner.train()
        assert runner.distributed
        from mmengine.model import MMDistributedDataParallel
        assert isinstance(runner.model, MMDistributedDataParallel)
        assert runner.iter == 1
    finally:
        if torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
        mp.set_start_method(start_method, force=True)


def _import_warnings(code: str) -> str:
    import subprocess
    proc = subprocess.run([sys.executable, '-W', 'always', '-c', code],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
    return proc.stdout


@pytest.mark.slow
def test_upstream_mmcv_lite_still_warns_and_we_silence_only_that():
    """Trap 11: mmcv-lite warns about a missing compiled op at import."""
    upstream = _import_warnings('import mmcv.cnn.bricks.transformer')
    assert _compat.MMCV_LITE_WARNING in upstream
    ours = _import_warnings(
        'import mmallinone, mmcv.cnn.bricks.transformer, warnings\n'
        "warnings.warn('another warning', UserWarning)")
    assert _compat.MMCV_LITE_WARNING not in ours
    assert 'another warning' in ours


# --------------------------------------------------------------------------
# Trap 13: MMEngine's package look-up needs pkg_resources (setuptools < 81)
# --------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['is_installed', 'get_installed_path'])
def test_upstream_package_lookup_still_needs_pkg_resources(name):
    """If this fails, MMEngine (or setuptools) works again without our
    look-up: drop _patch_mmengine_package_lookup."""
    upstream = _compat.UPSTREAM_PACKAGE_UTILS[name]
    assert upstream.__module__ == 'mmengine.utils.package_utils'
    with pytest.raises(ModuleNotFoundError, match='pkg_resources'):
        upstream('mmaction2')


def test_package_lookup_without_pkg_resources():
    import mmaction
    import mmengine.config.config as config_module
    import mmengine.hub.hub as hub_module
    import mmengine.utils as mmengine_utils
    for module in (mmengine_utils, config_module, hub_module):
        assert module.get_installed_path is _compat._get_installed_path
    for module in (mmengine_utils, config_module):
        assert module.is_installed is _compat._is_installed
    assert mmengine_utils.is_installed('mmaction2')
    assert mmengine_utils.is_installed('mmallinone')
    assert not mmengine_utils.is_installed('no-such-package-h18a')
    # distribution name -> the module's folder (top_level.txt: mmaction)
    assert mmengine_utils.get_installed_path('mmaction2') == osp.dirname(
        mmaction.__file__)
    # the imported copy wins (a checkout on PYTHONPATH over an install)
    assert mmengine_utils.get_installed_path('mmallinone') == osp.dirname(
        mmallinone.__file__)
    from mmengine.utils.package_utils import package2module
    assert package2module('mmaction2') == 'mmaction'
    from importlib.metadata import PackageNotFoundError
    with pytest.raises(PackageNotFoundError):
        mmengine_utils.get_installed_path('no-such-package-h18a')


def test_toolbox_config_names_resolve_in_base_and_get_config():
    """mmaction:: / mmpretrain:: / mmallinone:: names, as a user writes."""
    from mmengine.hub import get_config
    cfg = Config.fromstring(
        "_base_ = ['mmaction::_base_/models/tsn_r50.py',\n"
        "          'mmallinone::_base_/schedules/demo_short.py']\n"
        "model = dict(cls_head=dict(num_classes=5))\n", '.py')
    assert cfg.model.type == 'Recognizer2D'
    assert cfg.model.cls_head.num_classes == 5
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    vit = get_config('mmpretrain::_base_/models/vit-base-p16.py')
    assert vit.model.backbone.type == 'VisionTransformer'
    # a metafile entry (model-index.yml) and its config
    demo = get_config('mmallinone::allinone/pretrain_ti_demo.py')
    assert demo.model.type == 'AllInOnePretrainer'
    assert demo.train_cfg.max_iters == 60
