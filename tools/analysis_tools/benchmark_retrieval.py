"""Ranking time and recall@k of exact and FAISS search on large galleries.

For each gallery size (10k, 100k, 1M by default) and each gallery kind, the
tool times the exact brute-force ranking (``torch.matmul`` + ``topk``, the
baseline), FAISS exact search (``Flat``) and approximate indexes (IVF-Flat,
HNSW, IVF-PQ with exact re-ranking of the shortlist), each at several
search settings, and measures recall@k of every row against the exact top-k.

Default index types: ``Flat``, ``IVF{nlist},Flat``, ``IVF{nlist},SQ8``
(8-bit scalar-quantised lists) and ``HNSW32`` (only up to
``--hnsw-max-size`` rows: its graph build is slow on few cores).

Gallery kinds (L2-normalised, inner product = cosine, like the retrieval
model's embeddings):

- ``gaussian``: i.i.d. N(0, I) rows: uniform on the sphere, no structure;
  the hardest case for any approximate index.
- ``clustered``: a mixture of ``N / cluster_size`` Gaussian clusters
  (``x = c + sigma * e``), queries drawn from the same mixture. Real
  embeddings are clustered (topics, near-duplicates); this is the case
  approximate indexes are built for.

Examples::

    python tools/analysis_tools/benchmark_retrieval.py \
        --sizes 10000 100000 1000000 --out work_dirs/bench_retrieval.json
    python tools/analysis_tools/benchmark_retrieval.py --sizes 20000 \
        --num-queries 200 --index 'IVF128,Flat' --nprobe 4 16 \
        --index 'HNSW32' --ef-search 32 128

Approximate rows print ``speed-up`` (exact torch time / row time) and whether
they meet the target: speed-up >= 10 at recall@10 >= 0.95.
"""
import argparse
import gc
import json
import os
import os.path as osp
import platform
import time
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch

from mmallinone.utils.faiss_index import (build_faiss_index, exact_topk,
                                          faiss_search, import_faiss,
                                          recall_at_k, set_search_params)

TARGET_SPEEDUP = 10.0
TARGET_RECALL = 0.95


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Benchmark exact vs FAISS retrieval (time, recall@k)')
    parser.add_argument(
        '--sizes', type=int, nargs='+', default=[10_000, 100_000, 1_000_000],
        help='gallery sizes')
    parser.add_argument('--dim', type=int, default=512, help='embedding dim')
    parser.add_argument(
        '--num-queries', type=int, default=1000, help='queries per size')
    parser.add_argument('--k', type=int, default=10, help='top-k / recall@k')
    parser.add_argument(
        '--galleries', nargs='+', default=['gaussian', 'clustered'],
        choices=['gaussian', 'clustered'], help='gallery kinds')
    parser.add_argument(
        '--cluster-size', type=int, default=1000,
        help='mean rows per cluster of the clustered gallery')
    parser.add_argument(
        '--cluster-sigma', type=float, default=0.5,
        help='within-cluster noise relative to the centre norm')
    parser.add_argument(
        '--index', action='append', default=None,
        help='a faiss.index_factory string (repeatable); "{nlist}" is '
        'replaced by --nlist (or its default). Default: Flat, '
        'IVF{nlist},Flat, IVF{nlist},SQ8, HNSW32. IVF-PQ works too '
        '(e.g. "IVF{nlist},PQ64,RFlat" with --k-factor) but its PQ training '
        'is slow on 2 cores')
    parser.add_argument(
        '--nlist', type=int, default=None,
        help='IVF lists (default: sqrt(N) rounded to a power of two)')
    parser.add_argument(
        '--nprobe', type=int, nargs='+', default=[1, 4, 16, 64, 256],
        help='IVF lists visited per query (swept)')
    parser.add_argument(
        '--ef-search', type=int, nargs='+', default=[32, 128, 512],
        help='HNSW efSearch values (swept)')
    parser.add_argument(
        '--k-factor', type=int, default=8,
        help='re-ranked shortlist = k * k_factor for ",RFlat" indexes')
    parser.add_argument(
        '--hnsw-max-size', type=int, default=20_000,
        help='skip HNSW above this size (its build is slow on few cores)')
    parser.add_argument(
        '--train-size', type=int, default=None,
        help='rows used to train IVF/PQ (default: 40 x nlist, >= 20000)')
    parser.add_argument(
        '--query-batch', type=int, default=256,
        help='queries per torch matmul in the exact search')
    parser.add_argument(
        '--threads', type=int, default=None,
        help='threads for torch and FAISS (default: all cores)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the results as JSON here')
    return parser.parse_args()


def default_nlist(n: int) -> int:
    """``sqrt(n)`` rounded to the nearest power of two (at least 16)."""
    return int(max(16, 2**round(np.log2(np.sqrt(n)))))


def make_gallery(kind: str, n: int, q: int, dim: int, seed: int,
                 cluster_size: int,
                 sigma: float) -> Tuple[np.ndarray, np.ndarray]:
    """Random L2-normalised gallery ``(n, dim)`` and queries ``(q, dim)``."""
    rng = np.random.default_rng(seed)

    def normal(rows: int) -> np.ndarray:
        return rng.standard_normal((rows, dim), dtype=np.float32)

    if kind == 'gaussian':
        gallery, queries = normal(n), normal(q)
    else:
        centres = normal(max(1, n // cluster_size))
        gallery = np.empty((n, dim), np.float32)
        step = 100_000
        for start in range(0, n, step):
            rows = min(step, n - start)
            which = rng.integers(0, len(centres), rows)
            gallery[start:start + rows] = centres[which] + sigma * normal(rows)
        queries = centres[rng.integers(0, len(centres), q)] + sigma * normal(q)
    gallery /= np.linalg.norm(gallery, axis=1, keepdims=True)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return gallery, queries


def sweeps(factory: str, args: argparse.Namespace) -> List[Dict]:
    """Search-parameter settings to try for one index type."""
    if factory.startswith('IVF'):
        extra = {'k_factor': args.k_factor} if 'RFlat' in factory else {}
        return [dict(nprobe=p, **extra) for p in args.nprobe]
    if factory.startswith('HNSW'):
        return [dict(efSearch=e) for e in args.ef_search]
    return [{}]


def timed_search(fn, repeat: int):
    """Best wall time of ``repeat`` runs and the last result."""
    best, out = float('inf'), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_size(kind: str, n: int, args: argparse.Namespace) -> List[Dict]:
    """All rows for one gallery kind and size."""
    gallery, queries = make_gallery(kind, n, args.num_queries, args.dim,
                                    args.seed, args.cluster_size,
                                    args.cluster_sigma)
    repeat = 3 if n <= 100_000 else 1
    nlist = args.nlist or default_nlist(n)
    train_size = args.train_size or max(20_000, 40 * nlist)
    rows = []
    base = dict(gallery=kind, size=n, dim=args.dim,
                num_queries=args.num_queries, k=args.k)

    t_exact, (_, truth) = timed_search(
        lambda: exact_topk(gallery, queries, args.k, args.query_batch),
        repeat)
    truth = truth.numpy()
    rows.append(dict(base, method='exact torch matmul+topk', params='',
                     build_s=0.0, search_s=t_exact, recall=1.0,
                     speedup=1.0))
    print(f'[{kind} {n}] exact torch: {t_exact:.3f} s', flush=True)

    factories = args.index or [
        'Flat', 'IVF{nlist},Flat', 'IVF{nlist},SQ8', 'HNSW32'
    ]
    for factory in factories:
        factory = factory.replace('{nlist}', str(nlist))
        if factory.startswith('HNSW') and n > args.hnsw_max_size:
            print(f'[{kind} {n}] skip {factory} (> --hnsw-max-size)')
            continue
        t0 = time.perf_counter()
        index = build_faiss_index(
            gallery, factory, metric='ip', train_size=train_size,
            seed=args.seed)
        build = time.perf_counter() - t0
        for params in sweeps(factory, args):
            set_search_params(index, params)
            t_search, (_, found) = timed_search(
                lambda: faiss_search(index, queries, args.k), repeat)
            recall = recall_at_k(found, truth, args.k)
            speedup = t_exact / t_search
            label = ','.join(f'{k}={v:g}' for k, v in params.items())
            rows.append(dict(base, method=f'faiss {factory}', params=label,
                             build_s=build, search_s=t_search, recall=recall,
                             speedup=speedup))
            print(f'[{kind} {n}] {factory} {label}: build {build:.1f} s, '
                  f'search {t_search:.3f} s, recall@{args.k} {recall:.3f}, '
                  f'x{speedup:.1f}', flush=True)
        del index
        gc.collect()
    del gallery, queries
    gc.collect()
    return rows


def meets(row: Dict) -> bool:
    """The issue's target: >= 10x the exact torch time at recall >= 0.95."""
    return row['speedup'] >= TARGET_SPEEDUP and row['recall'] >= TARGET_RECALL


def format_table(rows: List[Dict], k: int) -> str:
    """Plain-text table of all rows."""
    head = (f'| gallery | N | method | search params | build s | '
            f'search s | ms/query | recall@{k} | speed-up | target |')
    lines = [head, '|' + '---|' * 10]
    for r in rows:
        approx = not r['method'].startswith(('exact', 'faiss Flat'))
        lines.append(
            f"| {r['gallery']} | {r['size']} | {r['method']} | "
            f"{r['params'] or '-'} | {r['build_s']:.1f} | "
            f"{r['search_s']:.3f} | "
            f"{1000 * r['search_s'] / r['num_queries']:.3f} | "
            f"{r['recall']:.3f} | {r['speedup']:.1f} | "
            f"{('yes' if meets(r) else 'no') if approx else '-'} |")
    return '\n'.join(lines)


def best_rows(rows: List[Dict]) -> List[Dict]:
    """Fastest row with recall >= target per (gallery, size)."""
    out = []
    keys = sorted({(r['gallery'], r['size']) for r in rows})
    for kind, n in keys:
        cand = [r for r in rows if r['gallery'] == kind and r['size'] == n
                and r['recall'] >= TARGET_RECALL
                and not r['method'].startswith('exact')]
        if cand:
            best = max(cand, key=lambda r: r['speedup'])
            out.append(dict(best, meets_target=meets(best)))
    return out


def main(argv: Optional[List[str]] = None) -> List[Dict]:
    """Run the benchmark; print the table; return the rows."""
    args = parse_args() if argv is None else _parse(argv)
    faiss = import_faiss()
    if args.threads:
        torch.set_num_threads(args.threads)
        faiss.omp_set_num_threads(args.threads)
    threads = dict(torch=torch.get_num_threads(),
                   faiss=faiss.omp_get_max_threads())
    rows = []
    for kind in args.galleries:
        for n in args.sizes:
            rows.extend(bench_size(kind, n, args))
    print()
    print(format_table(rows, args.k))
    print(f'\nFastest row with recall@{args.k} >= {TARGET_RECALL} per '
          f'gallery (target: >= {TARGET_SPEEDUP:g}x exact):')
    best = best_rows(rows)
    for r in best:
        print(f"  {r['gallery']} N={r['size']}: {r['method']} "
              f"{r['params']} recall {r['recall']:.3f} "
              f"x{r['speedup']:.1f} -> "
              f"{'meets' if r['meets_target'] else 'misses'} the target")
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        meta = dict(
            machine=platform.platform(), cpus=os.cpu_count(),
            load_avg=os.getloadavg(), threads=threads,
            faiss=faiss.__version__, torch=torch.__version__,
            args=vars(args))
        with open(args.out, 'w') as f:
            json.dump(dict(meta=meta, rows=rows, best=best), f, indent=1)
        print(f'results written to {args.out}')
    return rows


def _parse(argv: List[str]) -> argparse.Namespace:
    import sys
    old = sys.argv
    sys.argv = ['benchmark_retrieval.py', *argv]
    try:
        return parse_args()
    finally:
        sys.argv = old


if __name__ == '__main__':
    main()
