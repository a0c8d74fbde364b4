"""FAISS retrieval tools: build_index.py, search.py, benchmark_retrieval.py."""
import json
import os.path as osp
import sys

import numpy as np
import pytest
import torch

pytest.importorskip('faiss')

from test_retrieval_e2e import REPO, write_tiny_config  # noqa: E402

sys.path.insert(0, osp.join(REPO, 'tools', 'retrieval'))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))
import benchmark_retrieval  # noqa: E402
import build_index  # noqa: E402
import importlib.util  # noqa: E402

# ``tools/demo/search.py`` is also a module named ``search``: load this one by
# path under its own name so test order cannot swap them.
_spec = importlib.util.spec_from_file_location(
    'retrieval_search', osp.join(REPO, 'tools', 'retrieval', 'search.py'))
search = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(search)

from mmallinone.utils.faiss_index import (build_faiss_index,  # noqa: E402
                                          exact_topk, faiss_search,
                                          recall_at_k)


def _unit(n, d, seed):
    x = np.random.default_rng(seed).standard_normal((n, d)).astype('f4')
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_faiss_helpers_match_exact_search():
    gallery, queries = _unit(3000, 32, 0), _unit(50, 32, 1)
    scores, truth = exact_topk(gallery, queries, 10, query_batch=16)
    assert torch.allclose(scores, torch.as_tensor(queries @ gallery.T)
                          .topk(10).values)
    flat = build_faiss_index(gallery, 'Flat')
    fs, fi = faiss_search(flat, queries, 10)
    assert recall_at_k(fi, truth) == 1.0
    np.testing.assert_allclose(fs, scores.numpy(), rtol=1e-4, atol=1e-5)
    # IVF visiting every list is exact; one list of 64 is not
    ivf = build_faiss_index(gallery, 'IVF64,Flat',
                            search_params=dict(nprobe=64), train_size=3000)
    assert recall_at_k(faiss_search(ivf, queries, 10)[1], truth) == 1.0
    from mmallinone.utils.faiss_index import set_search_params
    set_search_params(ivf, dict(nprobe=1))
    assert recall_at_k(faiss_search(ivf, queries, 10)[1], truth) < 0.9
    with pytest.raises(ValueError, match='no search parameter'):
        set_search_params(flat, dict(nprobe=4))


def test_build_index_from_npy_and_search_params(tmp_path):
    gallery = _unit(2000, 16, 2)
    np.save(tmp_path / 'e.npy', gallery)
    (tmp_path / 'ids.txt').write_text(
        '\n'.join(f'vid{i}' for i in range(2000)) + '\n')
    meta = build_index.main([
        '--embeds', str(tmp_path / 'e.npy'), '--ids',
        str(tmp_path / 'ids.txt'), '--factory', 'IVF32,Flat', '--param',
        'nprobe=32', '--out', str(tmp_path / 'idx')
    ])
    assert meta['num'] == 2000 and meta['dim'] == 16
    assert meta['search_params'] == {'nprobe': 32.0}
    ids = json.load(open(tmp_path / 'idx' / 'ids.json'))
    assert ids[5] == 'vid5'
    with pytest.raises(ValueError, match='1 ids for 2000'):
        (tmp_path / 'bad.txt').write_text('x\n')
        build_index.main(['--embeds', str(tmp_path / 'e.npy'), '--ids',
                          str(tmp_path / 'bad.txt'), '--out',
                          str(tmp_path / 'bad')])


def test_build_index_and_search_with_model(tmp_path, capsys):
    """Video-only embeddings of the 5 demo videos, text-only queries."""
    cfg_path = write_tiny_config(str(tmp_path / 'tiny.py'))
    cfg = build_index.load_cfg(cfg_path)
    from mmengine.registry import init_default_scope

    from mmallinone.registry import MODELS
    init_default_scope('mmallinone')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    ckpt = str(tmp_path / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)

    out = str(tmp_path / 'index')
    meta = build_index.main(
        [cfg_path, ckpt, '--out', out, '--save-embeds'])
    assert meta['num'] == 5 and meta['dim'] == 16
    assert meta['factory'] == cfg.retrieval_index.factory  # from the config
    ids = json.load(open(osp.join(out, 'ids.json')))
    assert len(set(ids)) == 5
    embeds = np.load(osp.join(out, 'embeds.npy'))
    np.testing.assert_allclose(np.linalg.norm(embeds, axis=1), 1, atol=1e-5)

    queries = ['two people arm wrestling', 'a man cleaning a pool']
    results = search.main([cfg_path, ckpt, out, *queries, '--topk', '3',
                           '--out', str(tmp_path / 'hits.json')])
    printed = capsys.readouterr().out
    assert "query: 'two people arm wrestling'" in printed
    # the same ranking as the model's own cosine similarities
    model = build_index.build_model(cfg, ckpt)
    text = search.encode_queries(model, cfg, queries)
    sim = text @ embeds.T
    for res, row in zip(results, sim):
        order = np.argsort(-row)[:3]
        assert [h['video_id'] for h in res['hits']] == [ids[i] for i in order]
        np.testing.assert_allclose([h['score'] for h in res['hits']],
                                   row[order], rtol=1e-4, atol=1e-5)
    assert json.load(open(tmp_path / 'hits.json'))[0]['query'] == queries[0]


def test_benchmark_retrieval_tiny(tmp_path, capsys):
    out = str(tmp_path / 'bench.json')
    rows = benchmark_retrieval.main([
        '--sizes', '4000', '--dim', '32', '--num-queries', '40',
        '--galleries', 'gaussian', 'clustered', '--cluster-size', '100',
        '--index', 'Flat', '--index', 'IVF{nlist},Flat', '--nprobe', '1',
        '64', '--threads', '1', '--out', out
    ])
    table = capsys.readouterr().out
    assert '| gaussian | 4000 | exact torch matmul+topk |' in table
    ivf = [r for r in rows if 'IVF64' in r['method']]
    assert len(ivf) == 4  # 2 galleries x 2 nprobe
    full = [r for r in ivf if r['params'] == 'nprobe=64']
    assert all(r['recall'] == 1.0 for r in full)  # all lists: exact
    assert all(r['recall'] == 1.0 for r in rows if 'Flat' == r['method'][6:])
    # one list of 64 finds most clustered neighbours, few Gaussian ones
    one = {r['gallery']: r['recall'] for r in ivf if r['params'] == 'nprobe=1'}
    assert one['clustered'] > one['gaussian']
    saved = json.load(open(out))
    assert len(saved['rows']) == len(rows) and saved['meta']['cpus']
