"""Config names (``mmallinone::allinone/x.py``) in load_config / init_model."""
import os.path as osp

import pytest

import mmallinone
from mmallinone.utils import is_config_name, load_config, resolve_config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_name_resolves_to_the_shipped_config():
    path = resolve_config('mmallinone::allinone/pretrain_ti_demo.py')
    assert osp.samefile(
        path, osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py'))
    # in a checkout the package's .mim folder links to the repository
    assert path.startswith(osp.join(osp.dirname(mmallinone.__file__), '.mim'))
    plain = osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py')
    assert resolve_config(plain) == plain
    assert not is_config_name(plain)


def test_load_config_by_name_and_the_demo_data_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/demo here
    cfg = load_config('mmallinone::allinone/pretrain_ti_demo.py',
                      cfg_options={'train_cfg.max_iters': 2})
    assert cfg.train_cfg.max_iters == 2
    data_root = cfg.train_dataloader.dataset.data_root
    assert osp.isfile(
        osp.join(data_root, 'annotations', 'pretrain_demo.jsonl'))
    assert osp.samefile(data_root, osp.join(REPO, 'data', 'demo'))


def test_unknown_names_raise_clear_errors():
    with pytest.raises(FileNotFoundError, match='no_such'):
        resolve_config('mmallinone::allinone/no_such_config.py')
    with pytest.raises(FileNotFoundError, match='nopkg'):
        resolve_config('nopkg::allinone/pretrain_ti_demo.py')


def test_init_model_takes_a_config_name():
    from mmallinone.apis import init_model
    model = init_model('mmallinone::allinone/retrieval_ti_demo.py')
    assert type(model).__name__ == 'AllInOneRetrieval'
    assert model.cfg.filename.endswith('retrieval_ti_demo.py')
