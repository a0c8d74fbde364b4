"""``--cfg-options`` of the tools: a value of the wrong type names its key;
a list of ``dict(...)`` (``custom_hooks=[dict(...)]``) is read instead of
ending in a ``RecursionError``."""
import argparse
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from mmallinone.utils.cfg_options import CfgOptionsAction, merge_cfg_options

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY_DIR = osp.join(REPO, 'tests', 'tools')


def _parse(*values):
    parser = argparse.ArgumentParser(prog='train.py')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    return parser.parse_args(['--cfg-options', *values]).cfg_options


def _cfg():
    return Config(dict(train_cfg=dict(max_iters=4, val_interval=1.0),
                       custom_hooks=[], flag=True,
                       pipeline=[dict(type='A', size=2)]))


def test_wrong_type_names_the_key():
    options = _parse('train_cfg.max_iters=abc')
    with pytest.raises(ValueError, match=r'train_cfg\.max_iters.*abc.*4'):
        merge_cfg_options(_cfg(), options)
    with pytest.raises(ValueError, match='flag'):
        merge_cfg_options(_cfg(), _parse('flag=maybe'))
    # right types still merge, as MMEngine's DictAction parses them
    cfg = merge_cfg_options(_cfg(), _parse(
        'train_cfg.max_iters=8', 'train_cfg.val_interval=2', 'flag=False',
        'pipeline.0.size=3', 'new_key=abc', 'lst=[a,b]', 'tup=(1,2)'))
    assert cfg.train_cfg.max_iters == 8 and cfg.flag is False
    assert cfg.pipeline[0].size == 3 and cfg.new_key == 'abc'
    assert cfg.lst == ['a', 'b'] and cfg.tup == (1, 2)
    # a brace inside a plain value (a shard URL's brace list) is a string
    url = 'http://127.0.0.1:8000/{00000..00004}.tar'
    assert merge_cfg_options(_cfg(), _parse(f'shards={url}')).shards == url


def test_list_of_dicts():
    options = _parse(
        "custom_hooks=[dict(type='EmptyCacheHook',after_iter=True)]")
    cfg = merge_cfg_options(_cfg(), options)
    assert cfg.custom_hooks == [dict(type='EmptyCacheHook', after_iter=True)]
    options = _parse("custom_hooks=[{'type':'EmptyCacheHook'}]")
    assert merge_cfg_options(_cfg(), options).custom_hooks[0].type == \
        'EmptyCacheHook'


def test_unparsable_value_is_a_clear_usage_error(capsys):
    with pytest.raises(SystemExit):
        _parse('custom_hooks=[dict(type=EmptyCacheHook)]')
    err = capsys.readouterr().err
    assert 'custom_hooks' in err and "type='EmptyCacheHook'" in err
    with pytest.raises(SystemExit):
        _parse('max_iters')
    assert 'key=value' in capsys.readouterr().err


@pytest.mark.slow
def test_train_tool_reports_the_key(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        [TOY_DIR, REPO, env.get('PYTHONPATH', '')])
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'train.py'),
         osp.join(TOY_DIR, 'toy_config.py'), '--work-dir', str(tmp_path),
         '--cfg-options', 'train_cfg.max_iters=abc'],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=300)
    assert proc.returncode != 0
    assert 'train_cfg.max_iters' in proc.stdout
    assert 'Traceback' not in proc.stdout
