"""Runtime set-up that lets the same config run on GPUs and on CPU only.

Upstream causes (README's dependency trap 7):

* MMEngine 0.10.7's ``_init_dist_pytorch`` / ``_init_dist_slurm`` /
  ``_init_dist_mpi`` call ``torch.cuda.set_device(local_rank)``
  unconditionally, and configs ask for the ``nccl`` backend, so
  ``--launcher pytorch`` fails on a machine without CUDA.
* ``Runner.wrap_model`` builds ``MMDistributedDataParallel`` with
  ``device_ids=[LOCAL_RANK]``, which DDP rejects for CPU modules.
* ``AmpOptimWrapper.__init__`` asserts that a GPU/NPU/MLU/MUSA is present.

:func:`setup_runtime` rewrites the config for CPU (``gloo``,
``device_ids=None``, plain ``OptimWrapper``) and initialises the process group
itself. ``Runner.setup_env`` only calls ``init_dist`` when
``torch.distributed`` is not initialised yet, so MMEngine then skips its own
CUDA-only initialisation. With CUDA nothing is changed (NCCL stays).
"""
import contextlib
import logging
import os
from typing import Iterator

import torch
import torch.distributed as torch_dist
from mmengine.config import Config, ConfigDict
from mmengine.dist import init_dist
from mmengine.logging import print_log

__all__ = [
    'cuda_available', 'setup_runtime', 'init_cpu_dist', 'destroy_dist'
]

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


def cuda_available() -> bool:
    """Whether a CUDA device can be used (seam for tests)."""
    return torch.cuda.is_available()


@contextlib.contextmanager
def _no_cuda_set_device() -> Iterator[None]:
    """Temporarily make ``torch.cuda.set_device`` a no-op.

    Upstream: MMEngine 0.10.7's ``mmengine.dist.utils._init_dist_*`` call it
    before ``init_process_group`` whatever the backend; on a CPU-only
    machine that raises. Only used while :func:`init_cpu_dist` runs.
    """
    original = torch.cuda.set_device
    torch.cuda.set_device = lambda *args, **kwargs: None
    try:
        yield
    finally:
        torch.cuda.set_device = original


def init_cpu_dist(launcher: str, backend: str = 'gloo', **kwargs) -> None:
    """Initialise a CPU process group through MMEngine's ``init_dist``.

    MMEngine still reads the launcher's environment variables (``RANK``,
    ``WORLD_SIZE``, ``SLURM_PROCID``, ``OMPI_COMM_WORLD_RANK``, ...) and
    converts ``timeout`` (seconds) to a ``timedelta``; only its CUDA device
    selection is skipped.

    Args:
        launcher (str): ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        backend (str): A CPU backend. Defaults to ``'gloo'``.
        **kwargs: Passed to ``init_dist`` (e.g. ``timeout``).
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        return
    if launcher == 'slurm' and 'SLURM_LOCALID' not in os.environ:
        # MMEngine derives the local rank from the CUDA device count
        # otherwise (ZeroDivisionError on CPU).
        os.environ['SLURM_LOCALID'] = '0'
    with _no_cuda_set_device():
        init_dist(launcher, backend=backend, **kwargs)
    # Printed by every rank (MMEngine's logger is silent on rank > 0).
    print_log(
        f'mmallinone: initialised a {backend} process group without CUDA '
        f'(rank {torch_dist.get_rank()}, '
        f'world_size {torch_dist.get_world_size()})',
        logger=None)


# CUDA-only AMP wrappers and their float32 counterparts.
AMP_TO_FP32 = {
    'AmpOptimWrapper': 'OptimWrapper',
    'mmengine.AmpOptimWrapper': 'OptimWrapper',
    'FiniteCheckAmpOptimWrapper': 'FiniteCheckOptimWrapper',
    'mmallinone.FiniteCheckAmpOptimWrapper': 'FiniteCheckOptimWrapper',
}


def _amp_to_cpu(cfg: Config) -> None:
    """Replace a CUDA-only AMP optimizer wrapper by its float32 version."""
    optim_wrapper = cfg.get('optim_wrapper')
    if not optim_wrapper or optim_wrapper.get('type') not in AMP_TO_FP32:
        return
    amp_type = optim_wrapper['type']
    # AmpOptimWrapper asserts a GPU/NPU/MLU/MUSA device (MMEngine 0.10.7) and
    # its GradScaler is CUDA's; train in float32 instead.
    for key in ('loss_scale', 'dtype', 'use_fsdp'):
        optim_wrapper.pop(key, None)
    optim_wrapper['type'] = AMP_TO_FP32[amp_type]
    print_log(
        f'The config asks for mixed precision ({amp_type}) but CUDA is '
        'not available: MMEngine cannot build AmpOptimWrapper on CPU, '
        f'falling back to {AMP_TO_FP32[amp_type]} (float32).',
        logger='current',
        level=logging.WARNING)


def setup_runtime(cfg: Config, launcher: str = 'none') -> Config:
    """Adapt ``cfg`` to the hardware and initialise distributed training.

    Call before ``Runner.from_cfg(cfg)``. On a machine with CUDA only
    ``cfg.launcher`` is set. Without CUDA:

    * ``AmpOptimWrapper`` becomes ``OptimWrapper`` and
      ``FiniteCheckAmpOptimWrapper`` becomes ``FiniteCheckOptimWrapper``
      (with a warning);
    * for ``launcher != 'none'``: ``env_cfg.dist_cfg.backend = 'gloo'``,
      ``model_wrapper_cfg.device_ids = None`` and the process group is
      initialised here, so that MMEngine's CUDA-only init is skipped.

    Args:
        cfg (Config): The full config; modified in place.
        launcher (str): One of ``'none'``, ``'pytorch'``, ``'slurm'``,
            ``'mpi'``. Defaults to ``'none'``.

    Returns:
        Config: ``cfg``.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, '
                         f'got {launcher!r}')
    cfg.launcher = launcher
    if cuda_available():
        return cfg

    _amp_to_cpu(cfg)
    if launcher == 'none':
        return cfg

    env_cfg = cfg.get('env_cfg') or ConfigDict()
    dist_cfg = env_cfg.get('dist_cfg') or ConfigDict()
    if dist_cfg.get('backend', 'nccl') != 'gloo':
        print_log(
            f"CUDA is not available: using the 'gloo' backend instead of "
            f"{dist_cfg.get('backend', 'nccl')!r}.",
            logger='current',
            level=logging.WARNING)
    dist_cfg['backend'] = 'gloo'
    env_cfg['dist_cfg'] = dist_cfg
    cfg.env_cfg = env_cfg

    # MMEngine passes device_ids=[LOCAL_RANK] unless the wrapper config sets
    # them; DDP on CPU modules needs device_ids=None.
    wrapper_cfg = cfg.get('model_wrapper_cfg') or ConfigDict(
        type='MMDistributedDataParallel',
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    if str(wrapper_cfg.get('type', 'MMDistributedDataParallel')).endswith(
            'MMDistributedDataParallel'):
        wrapper_cfg.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper_cfg

    init_cpu_dist(launcher, **dist_cfg)
    return cfg


def destroy_dist() -> None:
    """Tear the default process group down, if one is initialised.

    Called by ``tools/train.py`` / ``tools/test.py`` when the run ends: a
    gloo group left to the interpreter's shutdown can abort a rank
    (``terminate called without an active exception``, exit code -6) after
    the work is done, as its C++ threads outlive the interpreter.
    """
    import torch.distributed as torch_dist
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()
