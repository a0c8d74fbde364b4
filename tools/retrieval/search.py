"""Search a FAISS video index with text queries (text-only path).

Each query is tokenised like the config's captions (its ``TokenizeText`` /
``TokenizeCaptions`` settings), encoded once by the model's **text-only**
path (``model.encode_text``), L2-normalised and looked up in the index
written by ``tools/retrieval/build_index.py``.

Example::

    python tools/retrieval/search.py configs/allinone/retrieval_ti_demo.py \
        work_dirs/retrieval_ti_demo/iter_20.pth work_dirs/index_demo \
        "two people arm wrestling" "a man cleaning a pool" --topk 3

Prints, per query, the top-k video ids with their cosine scores; ``--out``
also writes them as JSON. An index of sliding windows (``build_index.py
--videos DIR --window SEC``) gives each hit its ``start`` and ``end``
seconds.
"""
import argparse
import json
import os.path as osp
import sys
import time
from typing import Dict, List, Optional

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import mmallinone  # noqa: E402,F401,I001  (upstream compat patches first)
from mmallinone.utils.faiss_index import (import_faiss,  # noqa: E402
                                          parse_params, set_search_params)

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from build_index import build_model, load_cfg  # noqa: E402


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Text-to-video search in a FAISS index')
    parser.add_argument('config', help='retrieval config')
    parser.add_argument('checkpoint', help='model checkpoint')
    parser.add_argument('index', help='folder written by build_index.py')
    parser.add_argument('queries', nargs='+', help='text queries')
    parser.add_argument('--topk', type=int, default=5)
    parser.add_argument(
        '--param', nargs='+', default=[],
        help='search parameters NAME=VALUE (override the saved ones)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', help='write the results as JSON')
    parser.add_argument('--cfg-options', nargs='+', default=None)
    return parser.parse_args(argv)


def text_tokenizer(cfg):
    """A ``TokenizeText`` with the tokenizer and length of the config."""
    from mmallinone.datasets.transforms import TokenizeText
    for name in ('test_dataloader', 'val_dataloader', 'train_dataloader'):
        pipeline = (cfg.get(name) or {}).get('dataset', {}).get(
            'pipeline', [])
        for t in pipeline:
            if isinstance(t, dict) and str(t.get('type')).endswith(
                    ('TokenizeText', 'TokenizeCaptions')):
                return TokenizeText(
                    tokenizer=t.get('tokenizer',
                                    dict(type='BertWordPieceTokenizer')),
                    max_length=t.get('max_length', 40))
    return TokenizeText()


def encode_queries(model, cfg, queries: List[str]) -> np.ndarray:
    """``(Q, D)`` L2-normalised text-only embeddings of ``queries``."""
    import torch
    import torch.nn.functional as F
    tok = text_tokenizer(cfg)
    seqs = [torch.as_tensor(tok.transform(dict(text=q))['input_ids'])
            for q in queries]
    # batched as a test batch: the model's preprocessor pads (and moves)
    inputs = model.data_preprocessor(
        dict(inputs=[dict(input_ids=s) for s in seqs]), False)['inputs']
    with torch.no_grad():
        text = model.encode_text(inputs['input_ids'],
                                 inputs['attention_mask'])
    return F.normalize(text.float(), dim=-1).cpu().numpy()


def main(argv: Optional[List[str]] = None) -> List[Dict]:
    """Encode the queries, search, print and return the hits."""
    args = parse_args(argv)
    faiss = import_faiss()
    with open(osp.join(args.index, 'meta.json')) as f:
        meta = json.load(f)
    with open(osp.join(args.index, 'ids.json')) as f:
        ids = json.load(f)
    segments = None
    if osp.isfile(osp.join(args.index, 'segments.json')):
        with open(osp.join(args.index, 'segments.json')) as f:
            segments = json.load(f)
    index = faiss.read_index(osp.join(args.index, 'index.faiss'))
    set_search_params(index, dict(meta.get('search_params') or {},
                                  **parse_params(args.param)))
    cfg = load_cfg(args.config, args.cfg_options)
    model = build_model(cfg, args.checkpoint, args.device)
    queries = encode_queries(model, cfg, args.queries)
    if queries.shape[1] != meta['dim']:
        raise ValueError(f'the model embeds text in {queries.shape[1]} '
                         f'dims, the index holds {meta["dim"]}-dim videos')
    t0 = time.perf_counter()
    scores, rows = index.search(queries, min(args.topk, len(ids)))
    search_ms = 1000 * (time.perf_counter() - t0)
    results = []
    for q, sc, rw in zip(args.queries, scores, rows):
        hits = [dict(rank=r + 1, video_id=ids[i], score=float(s))
                for r, (s, i) in enumerate(zip(sc, rw)) if i >= 0]
        if segments is not None:
            for h, i in zip(hits, rw):
                h['start'], h['end'] = segments[i][1], segments[i][2]
        results.append(dict(query=q, hits=hits))
        print(f'query: {q!r}')
        for h in hits:
            where = (f"  [{h['start']:.1f}-{h['end']:.1f} s]"
                     if 'start' in h else '')
            print(f"  {h['rank']:>3}  {h['score']:+.4f}  {h['video_id']}"
                  f'{where}')
    print(f'{len(args.queries)} queries searched in {search_ms:.2f} ms '
          f'({meta["factory"]}, {len(ids)} videos)')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == '__main__':
    main()
