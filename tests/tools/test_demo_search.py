"""tools/demo/search.py: text->video search over the demo videos.

Tiny retrieval model; checks the ranking is the two-stream cosine ranking,
deterministic, and that a second search reuses the cached embeddings (no
video is encoded again) while a changed file is re-encoded.
"""
import os
import os.path as osp
import re
import shutil
import sys

import pytest
import torch
from PIL import Image

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'apis'))
sys.path.insert(0, osp.join(REPO, 'tools', 'demo'))

import importlib.util  # noqa: E402

# ``tools/retrieval/search.py`` is also a module named ``search``: load this
# one by path under its own name so test order cannot swap them.
_spec = importlib.util.spec_from_file_location(
    'demo_search', osp.join(REPO, 'tools', 'demo', 'search.py'))
search = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(search)
from tiny_models import DEMO, tiny_checkpoint, tiny_config  # noqa: E402

NAMES = ['arm_wrestling.mp4', 'basketball_gym.mp4', 'eye_makeup.avi']


@pytest.fixture
def video_dir(tmp_path):
    folder = tmp_path / 'videos'
    folder.mkdir()
    for name in NAMES:
        os.symlink(osp.join(DEMO, name), folder / name)
    (folder / 'notes.txt').write_text('not a video')
    return str(folder)


@pytest.mark.slow  # the whole search tool on real videos
def test_search_ranks_caches_and_writes_html_png(tmp_path, video_dir,
                                                 monkeypatch):
    import mmallinone.apis as apis
    cfg = tiny_config('retrieval_ti_demo.py', str(tmp_path))
    ckpt = tiny_checkpoint(cfg, str(tmp_path))
    calls = []
    real = apis.encode_videos

    def counting(model, videos, *args, **kwargs):
        calls.append(len(videos))
        return real(model, videos, *args, **kwargs)

    monkeypatch.setattr(apis, 'encode_videos', counting)
    out_dir = str(tmp_path / 'out')
    query = 'two people arm wrestling'
    argv = [cfg, ckpt, video_dir, query, '--top-k', '2', '--out-dir',
            out_dir, '--batch-size', '2']
    first = search.main(argv)
    assert first['mode'] == 'embed'
    assert (first['num_encoded'], first['num_cached']) == (3, 0)
    assert sum(calls) == 3
    ranked = [osp.basename(p) for p, _ in first['ranked']]
    assert sorted(ranked) == sorted(NAMES)  # notes.txt ignored
    scores = [s for _, s in first['ranked']]
    assert scores == sorted(scores, reverse=True)
    # scores are the API's cosine similarities
    model = apis.init_model(cfg, ckpt)
    text = apis.encode_texts(model, [query])[0]
    for path, score in first['ranked']:
        assert score == pytest.approx(
            float(real(model, [path])[0] @ text), abs=1e-5)

    calls.clear()
    second = search.main(argv)
    assert calls == []  # nothing re-encoded
    assert (second['num_encoded'], second['num_cached']) == (0, 3)
    assert second['ranked'] == first['ranked']

    html = open(first['html']).read()
    assert html.count('<tr>') == 2 and query in html
    assert len(re.findall(r'src="data:image/png;base64,', html)) == 2 * 2
    png = Image.open(first['png'])
    assert png.size == first['png_size']
    assert png.size[1] == 40 + 2 * (search.THUMB + search.GAP) + search.GAP

    # a changed file (a copy: new mtime) is encoded again, the others
    # come from the cache
    target = osp.join(video_dir, NAMES[1])
    os.remove(target)
    shutil.copy(osp.join(DEMO, NAMES[1]), target)
    calls.clear()
    third = search.main(argv)
    assert (third['num_encoded'], third['num_cached']) == (1, 2)
    assert sum(calls) == 1
    # same order; scores equal up to batching round-off (encoded alone now)
    assert [p for p, _ in third['ranked']] == [p for p, _ in first['ranked']]
    assert [s for _, s in third['ranked']] == pytest.approx(scores, abs=1e-5)
    cache = torch.load(osp.join(out_dir, 'search_cache.pth'),
                       weights_only=True)
    assert sorted(osp.basename(p) for p in cache['entries']) == \
        sorted(NAMES)


def test_search_skips_broken_videos_and_scores_with_vtm(tmp_path,
                                                        video_dir):
    cfg = tiny_config('pretrain_ti_demo.py', str(tmp_path))
    ckpt = tiny_checkpoint(cfg, str(tmp_path))
    broken = osp.join(video_dir, 'broken.mp4')
    with open(broken, 'wb') as f:
        f.write(b'\x00' * 100)
    out = search.main([cfg, ckpt, video_dir, 'a woman applies makeup',
                       '--out-dir', str(tmp_path / 'o'), '--no-html'])
    assert out['mode'] == 'vtm'  # a pre-training model: joint VTM scores
    assert [osp.basename(p) for p, _ in out['skipped']] == ['broken.mp4']
    assert len(out['ranked']) == 3
    assert all(0 <= s <= 1 for _, s in out['ranked'])
    assert 'html' not in out and osp.isfile(out['png'])


@pytest.mark.parametrize('flag,value', [('--top-k', '0'), ('--top-k', '-1'),
                                        ('--rerank-k', '-2'),
                                        ('--batch-size', '0')])
def test_bad_counts_are_rejected_up_front(tmp_path, capsys, flag, value):
    """Before any model is built or video encoded (the files need not
    exist)."""
    with pytest.raises(SystemExit):
        search.main(['cfg.py', 'ckpt.pth', str(tmp_path), 'q', flag, value])
    assert flag in capsys.readouterr().err


def test_cache_fingerprint_follows_the_resolved_config_and_checkpoint(
        tmp_path):
    """Editing a ``_base_`` file or the checkpoint's bytes (same path and
    modification time) changes the fingerprint; the same inputs do not."""
    from mmengine.config import Config
    base = tmp_path / 'base.py'
    base.write_text('pipeline = [dict(type="Resize", scale=(224, 224))]\n')
    top = tmp_path / 'top.py'
    top.write_text('_base_ = ["base.py"]\nmodel = dict(type="X")\n')
    ckpt = tmp_path / 'ckpt.pth'
    ckpt.write_bytes(b'0' * 100)
    stat = os.stat(ckpt)

    def fingerprint():
        return search.model_fingerprint(Config.fromfile(str(top)),
                                        str(ckpt), 'embed')

    first = fingerprint()
    assert fingerprint() == first
    base.write_text('pipeline = [dict(type="Resize", scale=(112, 112))]\n')
    second = fingerprint()
    assert second != first
    ckpt.write_bytes(b'1' * 100)
    os.utime(ckpt, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert fingerprint() != second
