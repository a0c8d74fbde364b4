"""Runtime utilities: safe checkpoint loading and CPU/GPU runtime set-up.

Importing this package registers :func:`load_from_local_safe` as MMEngine's
local checkpoint loader.
"""
from .checkpoint import (MMENGINE_SAFE_GLOBALS, TRUST_ENV_VAR,
                         UntrustedCheckpointError, trusted_checkpoints,
                         is_trusted_checkpoint, load_from_local_safe,
                         register_checkpoint_loader)
from .config import is_config_name, load_config, resolve_config
from .pretrained import register_pretrained_loader
from .dist import cuda_available, init_cpu_dist, setup_runtime
from .runner import build_runner, setup_flexible_runtime, uses_flexible_runner

register_checkpoint_loader()
register_pretrained_loader()  # hf://owner/name in load_from

__all__ = [
    'MMENGINE_SAFE_GLOBALS', 'TRUST_ENV_VAR', 'UntrustedCheckpointError',
    'trusted_checkpoints', 'is_trusted_checkpoint',
    'load_from_local_safe', 'register_checkpoint_loader', 'cuda_available',
    'init_cpu_dist', 'setup_runtime', 'build_runner', 'setup_flexible_runtime',
    'uses_flexible_runner', 'register_pretrained_loader', 'is_config_name',
    'load_config', 'resolve_config'
]
