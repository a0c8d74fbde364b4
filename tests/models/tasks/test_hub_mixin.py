"""save_pretrained / from_pretrained / load_from of pretrained folders.

Offline, on local folders, with a tiny retrieval model and the real demo
videos (decoded by the config's test pipeline, real tokenizer).
"""
import json
import os
import os.path as osp
import pickle
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
sys.path.insert(0, osp.join(REPO, 'tests', 'apis'))
from tiny_models import DEMO, tiny_config  # noqa: E402

VIDEOS = [osp.join(DEMO, 'arm_wrestling.mp4'),
          osp.join(DEMO, 'pool_cleaning.mp4')]
TEXTS = ['two people arm wrestling', 'a man cleans a swimming pool']


@pytest.fixture(scope='module')
def saved(tmp_path_factory):
    from mmallinone.apis import init_model
    tmp = str(tmp_path_factory.mktemp('hub'))
    torch.manual_seed(0)
    model = init_model(tiny_config('retrieval_ti_demo.py', tmp))
    folder = osp.join(tmp, 'pretrained')
    model.save_pretrained(folder)
    return model, folder, tmp


def _outputs(model):
    from mmallinone.apis import encode_texts, encode_videos, match
    return (encode_videos(model, VIDEOS), encode_texts(model, TEXTS),
            match(model, VIDEOS[0], TEXTS, return_logits=True))


def test_folder_layout_and_model_card(saved):
    model, folder, _ = saved
    assert sorted(os.listdir(folder)) == [
        'README.md', 'config.json', 'config.py', 'model.safetensors']
    cfg = json.load(open(osp.join(folder, 'config.json')))
    assert cfg['model']['type'] == 'AllInOneRetrieval'
    assert cfg['config_name'] == 'tiny_retrieval_ti_demo'
    # tuples survive JSON (mmaction2's Resize needs a tuple scale)
    resize = [t for t in cfg['test_dataloader']['dataset']['pipeline']
              if t['type'].endswith('Resize')][0]
    assert resize['scale'] == {'__tuple__': [-1, 40]}
    card = open(osp.join(folder, 'README.md')).read()
    assert 'library_name: mmallinone' in card
    assert '| frames | 2 per view, 2 test views |' in card
    assert '| resolution | 32x32 |' in card
    assert 'width 32, 2 blocks, patch 16' in card
    n = sum(p.numel() for p in model.parameters())
    assert f'| parameters | {n:,} |' in card


def test_round_trip_same_outputs(saved):
    from mmallinone.models import AllInOneBaseModel, AllInOneRetrieval
    model, folder, _ = saved
    loaded = AllInOneRetrieval.from_pretrained(folder)
    assert type(loaded) is AllInOneRetrieval and not loaded.training
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key
    for a, b in zip(_outputs(model), _outputs(loaded)):
        assert torch.equal(a, b)
    # the base class loads any task model; a wrong task class is refused
    assert type(AllInOneBaseModel.from_pretrained(folder)) is \
        AllInOneRetrieval
    from mmallinone.models import AllInOneVideoQA
    with pytest.raises(TypeError, match='holds a AllInOneRetrieval'):
        AllInOneVideoQA.from_pretrained(folder)


def test_load_from_folder_and_safetensors(saved):
    """init_model / load_checkpoint (MMEngine's loader) take the folder."""
    from mmengine.runner import load_checkpoint
    from mmallinone.apis import init_model
    model, folder, tmp = saved
    via_init = init_model(folder)  # config and weights from the folder
    assert type(init_model(folder, folder)) is type(model)  # tools' form
    cfg = osp.join(tmp, 'tiny_retrieval_ti_demo.py')
    torch.manual_seed(1)
    fresh = init_model(cfg)
    assert not torch.equal(fresh.video_proj.weight, model.video_proj.weight)
    load_checkpoint(fresh, folder, map_location='cpu', strict=True)
    torch.manual_seed(2)
    from_file = init_model(cfg, osp.join(folder, 'model.safetensors'))
    for other in (via_init, fresh, from_file):
        for a, b in zip(_outputs(model), _outputs(other)):
            assert torch.equal(a, b)


def test_safetensors_loading_never_unpickles(saved, monkeypatch):
    from mmengine.runner import load_checkpoint
    from mmallinone.apis import init_model
    from mmallinone.models import AllInOneBaseModel
    model, folder, tmp = saved

    def tripwire(*args, **kwargs):
        raise AssertionError('unpickling during a safetensors load')

    monkeypatch.setattr(torch, 'load', tripwire)
    monkeypatch.setattr(pickle, 'load', tripwire)
    monkeypatch.setattr(pickle, 'loads', tripwire)
    monkeypatch.setattr(pickle, 'Unpickler', tripwire)
    loaded = AllInOneBaseModel.from_pretrained(folder)
    load_checkpoint(loaded, folder, map_location='cpu', strict=True)
    load_checkpoint(loaded, osp.join(folder, 'model.safetensors'),
                    map_location='cpu', strict=True)
    init_model(folder)
    # the tripwire does fire for a pickled checkpoint
    pth = osp.join(tmp, 'plain.pth')
    monkeypatch.undo()
    torch.save(model.state_dict(), pth)
    monkeypatch.setattr(torch, 'load', tripwire)
    with pytest.raises(AssertionError, match='unpickling'):
        load_checkpoint(loaded, pth, map_location='cpu')


def test_errors_and_hub_scheme(saved, tmp_path):
    from mmengine.runner import CheckpointLoader
    from mmallinone.models import AllInOneBaseModel
    from mmallinone.checkpoint.pretrained import (decode_config,
                                                  encode_config,
                                                  load_from_hub)
    _, folder, _ = saved
    assert CheckpointLoader._get_checkpoint_loader('hf://a/b') is \
        load_from_hub
    with pytest.raises(ValueError, match='not a Hub repository id'):
        load_from_hub('hf://not a repo')
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='no model.safetensors'):
        CheckpointLoader.load_checkpoint(str(empty))
    with pytest.raises(TypeError, match='Unknown from_pretrained'):
        AllInOneBaseModel.from_pretrained(folder, embed_dims=3)
    value = dict(a=(1, [2, (3, 4)]), b=None)
    assert decode_config(json.loads(json.dumps(encode_config(value)))) == \
        value
    with pytest.raises(TypeError, match=r'config\.x\.f is a function'):
        encode_config(dict(x=dict(f=lambda: 0)))


def test_card_reads_the_metafile(saved, tmp_path):
    """A config with a metafile entry gets its data (and results table)."""
    model, _, _ = saved
    cfg = dict(model.pretrained_config())
    cfg['config_name'] = 'pretrain_b_webvid_howto'
    model.save_pretrained(tmp_path / 'b', config=cfg)
    card = open(tmp_path / 'b' / 'README.md').read()
    assert '| training data | WebVid-2.5M, HowTo100M |' in card
    assert 'All-in-One-B' in card
    assert 'No results are recorded' in card


def test_save_pretrained_tool(saved, tmp_path, monkeypatch):
    """tools/model_converters/save_pretrained.py: config + .pth -> folder."""
    import runpy
    from mmallinone.models import AllInOneBaseModel
    model, _, tmp = saved
    pth = str(tmp_path / 'model.pth')
    torch.save(dict(state_dict=model.state_dict()), pth)
    out = str(tmp_path / 'out')
    monkeypatch.setattr(sys, 'argv', [
        'save_pretrained.py', osp.join(tmp, 'tiny_retrieval_ti_demo.py'),
        pth, out])
    runpy.run_path(osp.join(REPO, 'tools', 'model_converters',
                            'save_pretrained.py'), run_name='__main__')
    loaded = AllInOneBaseModel.from_pretrained(out)
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key


def test_hub_ids_resolve_through_the_hub_cache_offline(saved, tmp_path,
                                                        monkeypatch):
    """``owner/name`` and ``hf://owner/name`` go through huggingface_hub's
    download logic; offline it answers from its cache (the layout it
    writes after a download: refs/main -> snapshots/<commit>/files)."""
    import shutil

    import huggingface_hub.constants as hub_constants
    from mmengine.runner import load_checkpoint
    from mmallinone.apis import init_model
    from mmallinone.models import AllInOneBaseModel
    model, folder, _ = saved
    repo = tmp_path / 'cache' / 'models--owner--tiny'
    commit = 'c' * 40
    (repo / 'snapshots' / commit).mkdir(parents=True)
    (repo / 'refs').mkdir()
    (repo / 'refs' / 'main').write_text(commit)
    for name in ('config.json', 'model.safetensors'):
        shutil.copy(osp.join(folder, name), repo / 'snapshots' / commit)
    monkeypatch.setattr(hub_constants, 'HF_HUB_CACHE',
                        str(tmp_path / 'cache'))
    monkeypatch.setattr(hub_constants, 'HF_HUB_OFFLINE', True)
    loaded = AllInOneBaseModel.from_pretrained('owner/tiny')
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key
    torch.nn.init.zeros_(loaded.video_proj.weight)
    load_checkpoint(loaded, 'hf://owner/tiny', strict=True)
    assert torch.equal(loaded.video_proj.weight, model.video_proj.weight)
    assert type(init_model('hf://owner/tiny@main')) is type(model)
    from huggingface_hub.errors import LocalEntryNotFoundError
    with pytest.raises(LocalEntryNotFoundError, match='local cache'):
        AllInOneBaseModel.from_pretrained('owner/missing')
