"""The demo config's optimizer set-up (as the tools' ``build_runner``
prepares it) logs one summary line for the parameter groups at INFO; the
per-parameter ``paramwise_options`` lines of MMEngine's
``DefaultOptimWrapperConstructor`` only at DEBUG."""
import logging
import os.path as osp

from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

import mmallinone  # noqa: F401
from mmallinone.registry import MODELS
from mmallinone.utils.runner import set_default_optim_constructor

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py')


def _build_and_capture(log_level: str):
    cfg = Config.fromfile(DEMO)
    init_default_scope(cfg.default_scope)  # as the Runner does
    set_default_optim_constructor(cfg)  # as tools/train.py's build_runner
    cfg.model.backbone.update(
        arch=dict(embed_dims=32, num_layers=2, num_heads=2), img_size=32)
    model = MODELS.build(cfg.model)
    _build_and_capture.calls += 1
    logger = MMLogger.get_instance(
        f'optim_ctor_{log_level}_{_build_and_capture.calls}',
        log_level=log_level)
    records = []

    class _Keep(logging.Handler):

        def emit(self, record):
            records.append(record)

    keep = _Keep(level=getattr(logging, log_level))
    logger.addHandler(keep)
    try:
        # the newest MMLogger is the 'current' one that MMEngine logs to
        assert MMLogger.get_current_instance() is logger
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    finally:
        logger.removeHandler(keep)
    return model, optim_wrapper, records


_build_and_capture.calls = 0


def test_one_summary_line_at_info():
    model, optim_wrapper, records = _build_and_capture('INFO')
    messages = [r.getMessage() for r in records]
    assert not [m for m in messages if 'paramwise_options' in m]
    summary = [m for m in messages if 'parameter groups' in m]
    assert len(summary) == 1, messages
    num = sum(1 for p in model.parameters() if p.requires_grad)
    assert f'{num} parameters' in summary[0]
    # the no-decay groups are in the summary with their weight decay
    assert 'weight_decay=0.0' in summary[0]
    assert 'weight_decay=0.01' in summary[0]
    assert len(optim_wrapper.optimizer.param_groups) == num


def test_full_list_at_debug():
    model, _, records = _build_and_capture('DEBUG')
    lines = [r.getMessage() for r in records
             if 'paramwise_options' in r.getMessage()]
    assert lines and all(r.levelno == logging.DEBUG for r in records
                         if 'paramwise_options' in r.getMessage())
    assert any('pos_embed' in m for m in lines)


def test_a_named_constructor_is_kept():
    cfg = Config(dict(optim_wrapper=dict(
        optimizer=dict(type='SGD', lr=0.1),
        constructor='DefaultOptimWrapperConstructor')))
    set_default_optim_constructor(cfg)
    assert cfg.optim_wrapper.constructor == 'DefaultOptimWrapperConstructor'
    cfg = Config(dict(optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1))))
    set_default_optim_constructor(cfg)
    assert cfg.optim_wrapper.constructor == \
        'mmallinone.SummaryOptimWrapperConstructor'
