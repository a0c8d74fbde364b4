"""Long-video search from the command line: tools/demo/search.py --window
and the FAISS tools (build_index.py --videos --window, search.py).

A long video joined from the demo videos; a caption of each part must come
back as a window inside that part, with a tiny retrieval model trained to
tell the demo videos apart.
"""
import importlib.util
import json
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'apis'))
sys.path.insert(0, osp.join(REPO, 'tools', 'retrieval'))

pytest.importorskip('faiss')

from long_video import join_videos  # noqa: E402
from tiny_models import DEMO  # noqa: E402
from trained_tiny import _captions, train_tiny_retrieval  # noqa: E402


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo_search = _load('demo_search_w', osp.join(REPO, 'tools', 'demo',
                                              'search.py'))
faiss_search = _load('retrieval_search_w',
                     osp.join(REPO, 'tools', 'retrieval', 'search.py'))
import build_index  # noqa: E402

ORDER = ['pool_cleaning.mp4', 'eye_makeup.avi', 'arm_wrestling.mp4']


@pytest.mark.slow
def test_window_search_from_both_tools(tmp_path, capsys):
    cfg, ckpt = train_tiny_retrieval()
    folder = tmp_path / 'videos'
    folder.mkdir()
    parts = join_videos([osp.join(DEMO, n) for n in ORDER],
                        str(folder / 'long.mp4'))
    caps = _captions()
    queries = [caps[name][1] for name, _, _ in parts]

    out = demo_search.main([cfg, ckpt, str(folder), queries[0], '--window',
                            '2', '--stride', '1', '--out-dir',
                            str(tmp_path / 'o'), '--top-k', '2'])
    start, end = parts[0][1:]
    top = out['hits'][0]
    assert start <= top.start < top.end <= end + 0.05
    html = open(out['html']).read()
    assert f'long.mp4#t={top.start:g},{top.end:g}' in html
    assert f'[{top.start:.1f}-{top.end:.1f} s]' in capsys.readouterr().out

    index_dir = str(tmp_path / 'index')
    meta = build_index.main([cfg, ckpt, '--videos', str(folder), '--window',
                             '2', '--stride', '1', '--out', index_dir])
    segments = json.load(open(osp.join(index_dir, 'segments.json')))
    assert meta['num'] == len(segments) == 26  # 26.6 s: 0-2 ... 24-26, 24.6-26.6
    results = faiss_search.main([cfg, ckpt, index_dir, *queries, '--topk',
                                 '3'])
    for (name, start, end), res in zip(parts, results):
        hit = res['hits'][0]
        assert hit['video_id'] == 'long.mp4'
        assert start - 0.05 <= hit['start'] < hit['end'] <= end + 0.05, \
            (name, hit)
