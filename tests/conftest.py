"""Suite-wide fixtures.

MMEngine's default scope is process-global: the scope made last by
``init_default_scope`` or a ``Runner`` stays current after the test that made
it. A test that switches to ``'mmaction'`` (the recognition configs) would
then make later tests build ``mmallinone`` models in mmaction2's registry.
Test modules that switch scope use ``restore_default_scope`` so each of their
tests ends with the default scopes it started with.
"""
import pytest
from mmengine.registry import DefaultScope


@pytest.fixture
def restore_default_scope():
    """Drop the default scopes a test created, so the previous one is current
    again (MMEngine keeps them in creation order; the last one is current)."""
    before = set(DefaultScope._instance_dict)
    yield
    # Read the dict again: ``overwrite_default_scope`` replaces it.
    scopes = DefaultScope._instance_dict
    for name in [n for n in scopes if n not in before]:
        scopes.pop(name)


def tiny_backbone_cfg(**overrides) -> dict:
    """Config of a tiny :class:`AllInOneTransformer` (32-d, 2 blocks,
    32x32 frames, patch 16, 2 frames, no dropout), with ``overrides``."""
    cfg = dict(
        type='AllInOneTransformer',
        arch=dict(embed_dims=32, num_layers=2, num_heads=2),
        img_size=32,
        patch_size=16,
        num_frames=2,
        max_text_len=16,
        drop_rate=0.,
        drop_path_rate=0.)
    cfg.update(overrides)
    return cfg


@pytest.fixture
def tiny_backbone():
    """Factory of tiny backbone configs: ``tiny_backbone(num_frames=3)``."""
    return tiny_backbone_cfg
