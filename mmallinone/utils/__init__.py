"""Runtime utilities: config loading and CPU/GPU runtime set-up.

Checkpoint loading lives in :mod:`mmallinone.checkpoint`.
"""
from .config import is_config_name, load_config, resolve_config
from .dist import cuda_available, destroy_dist, init_cpu_dist, setup_runtime
from .runner import build_runner, setup_flexible_runtime, uses_flexible_runner

__all__ = [
    'cuda_available', 'init_cpu_dist', 'setup_runtime', 'destroy_dist',
    'build_runner',
    'setup_flexible_runtime', 'uses_flexible_runner', 'is_config_name',
    'load_config', 'resolve_config'
]
