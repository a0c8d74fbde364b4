"""Config names: ``mmallinone::allinone/pretrain_ti_demo.py`` or a path.

A name ``<scope>::<path>`` is resolved the way MMEngine resolves it in a
``_base_`` list: ``<path>`` relative to the ``configs/`` folder that the
installed package ships in ``<package>/.mim`` (for mmallinone, mmaction2 and
mmpretrain alike). A wheel install of mmallinone thus runs its configs with
no clone; in a source checkout ``mmallinone/.mim`` links back to the
repository's ``configs/``.
"""
import os
import os.path as osp
import re
from typing import Optional, Union

from mmengine.config import Config

#: ``scope::relative/path.py``; the same pattern MMEngine accepts.
CONFIG_NAME = re.compile(r'^(\w+)::(\S+)$')


def is_config_name(config: Union[str, os.PathLike]) -> bool:
    """Whether ``config`` is a ``scope::path`` name (not a file path)."""
    return (isinstance(config, str) and CONFIG_NAME.match(config) is not None
            and not osp.exists(config))


def resolve_config(config: Union[str, os.PathLike]) -> str:
    """The file behind a config name; a path is returned unchanged.

    Raises:
        FileNotFoundError: the name names no shipped config.
    """
    config = os.fspath(config)
    if not is_config_name(config):
        return config
    import mmallinone  # noqa: F401  (registers the scope, patch 13)
    try:
        path, _ = Config._get_cfg_path(config, '')
    except AssertionError as e:  # MMEngine asserts on unknown scopes
        raise FileNotFoundError(f'{config}: {e}') from None
    if not osp.isfile(path):
        raise FileNotFoundError(f'{config}: no such config ({path})')
    return path


def load_config(config: Union[str, os.PathLike],
                cfg_options: Optional[dict] = None) -> Config:
    """``Config.fromfile`` that also takes ``scope::path`` names."""
    cfg = Config.fromfile(resolve_config(config))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg
