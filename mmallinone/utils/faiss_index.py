"""Exact and FAISS nearest-neighbour search over retrieval embeddings.

Shared by ``tools/retrieval/build_index.py``, ``tools/retrieval/search.py``
and ``tools/analysis_tools/benchmark_retrieval.py``. Embeddings are
L2-normalised float32 rows, so inner product is the cosine similarity of
:class:`~mmallinone.models.AllInOneRetrieval`.

The FAISS index type comes from a config dict (``retrieval_index`` in a
retrieval config, or the tools' arguments)::

    retrieval_index = dict(
        factory='IVF1024,Flat',      # any faiss.index_factory string
        metric='ip',                 # 'ip' (cosine on normalised rows) / 'l2'
        search_params=dict(nprobe=32),   # faiss.ParameterSpace names
        train_size=100_000)          # rows used to train IVF / PQ

``faiss`` (PyPI ``faiss-cpu``) is imported lazily: the rest of mmallinone
does not need it.
"""
import time
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch

__all__ = [
    'import_faiss', 'build_faiss_index', 'set_search_params',
    'exact_topk', 'faiss_search', 'recall_at_k', 'timed', 'parse_params',
    'DEFAULT_INDEX_CFG'
]

#: Exact inner-product index (no training, no parameters).
DEFAULT_INDEX_CFG = dict(
    factory='Flat', metric='ip', search_params=dict(), train_size=100_000)


def import_faiss():
    """Import ``faiss`` or explain how to install it.

    Returns:
        module: The ``faiss`` module.

    Raises:
        ImportError: If ``faiss`` is not installed.
    """
    try:
        import faiss
    except ImportError as e:
        raise ImportError(
            'FAISS is needed for index building and approximate search: '
            '`pip install -r requirements/retrieval.txt` (faiss-cpu).') from e
    return faiss


def _metric(faiss, metric: str) -> int:
    if metric == 'ip':
        return faiss.METRIC_INNER_PRODUCT
    if metric == 'l2':
        return faiss.METRIC_L2
    raise ValueError(f"metric must be 'ip' or 'l2', got {metric!r}")


def _as_float32(embeds: Union[np.ndarray, torch.Tensor]) -> np.ndarray:
    if isinstance(embeds, torch.Tensor):
        embeds = embeds.detach().cpu().numpy()
    embeds = np.ascontiguousarray(embeds, dtype=np.float32)
    if embeds.ndim != 2:
        raise ValueError(f'embeddings must be 2-D (N, D), got shape '
                         f'{embeds.shape}')
    return embeds


def set_search_params(index, params: Optional[Dict] = None) -> None:
    """Set search-time parameters (``nprobe``, ``efSearch``, ``k_factor``).

    Args:
        index (faiss.Index): The index (any wrapping, e.g. a refine index,
            is handled by ``faiss.ParameterSpace``).
        params (dict, optional): Parameter name -> value. Defaults to None.
    """
    if not params:
        return
    faiss = import_faiss()
    space = faiss.ParameterSpace()
    for name, value in params.items():
        if name == 'k_factor':  # IndexRefine* (``...,RFlat``): re-rank k*f
            refine = faiss.downcast_index(index)
            if hasattr(refine, 'k_factor'):
                refine.k_factor = float(value)
                continue
        try:
            space.set_index_parameter(index, name, float(value))
        except RuntimeError as e:
            raise ValueError(f'FAISS index {type(index).__name__} has no '
                             f'search parameter {name!r}: {e}') from None


def build_faiss_index(embeds: Union[np.ndarray, torch.Tensor],
                      factory: str = 'Flat',
                      metric: str = 'ip',
                      search_params: Optional[Dict] = None,
                      train_size: int = 100_000,
                      seed: int = 0,
                      add_batch: int = 65_536,
                      progress: bool = False,
                      **kwargs):
    """Build (train and fill) a FAISS index from ``factory``.

    Args:
        embeds (np.ndarray | Tensor): ``(N, D)`` gallery embeddings.
        factory (str): A ``faiss.index_factory`` description, e.g.
            ``'Flat'``, ``'IVF1024,Flat'``, ``'HNSW32'``,
            ``'IVF1024,PQ64,RFlat'``. Defaults to ``'Flat'``.
        metric (str): ``'ip'`` or ``'l2'``. Defaults to ``'ip'``.
        search_params (dict, optional): Search-time parameters set after
            building. Defaults to None.
        train_size (int): Rows (a random subset) used to train the index when
            it needs training. Defaults to 100000.
        seed (int): Seed of the training subset. Defaults to 0.
        add_batch (int): Rows added per call (progress granularity).
            Defaults to 65536.
        progress (bool): Show an MMEngine progress bar while adding.
            Defaults to False.
        **kwargs: Ignored (other keys of a ``retrieval_index`` config).

    Returns:
        faiss.Index: The filled index.
    """
    faiss = import_faiss()
    embeds = _as_float32(embeds)
    n, dim = embeds.shape
    index = faiss.index_factory(dim, factory, _metric(faiss, metric))
    if not index.is_trained:
        rng = np.random.default_rng(seed)
        sub = embeds
        if n > train_size:
            sub = embeds[np.sort(rng.choice(n, train_size, replace=False))]
        index.train(sub)
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(n)
    for start in range(0, n, add_batch):
        chunk = embeds[start:start + add_batch]
        index.add(chunk)
        if bar is not None:
            for _ in range(len(chunk)):
                bar.update()
    if bar is not None:
        print()
    set_search_params(index, search_params)
    return index


def faiss_search(index, queries: Union[np.ndarray, torch.Tensor],
                 k: int) -> Tuple[np.ndarray, np.ndarray]:
    """Top-``k`` search. Returns ``(scores (Q, k), ids (Q, k))``."""
    scores, ids = index.search(_as_float32(queries), k)
    return scores, ids


def exact_topk(gallery: Union[np.ndarray, torch.Tensor],
               queries: Union[np.ndarray, torch.Tensor],
               k: int,
               query_batch: int = 256) -> Tuple[torch.Tensor, torch.Tensor]:
    """Brute-force inner-product top-``k`` with ``torch.matmul``.

    Args:
        gallery (np.ndarray | Tensor): ``(N, D)``.
        queries (np.ndarray | Tensor): ``(Q, D)``.
        k (int): Neighbours per query.
        query_batch (int): Queries per matmul (the score block is
            ``query_batch x N`` floats). Defaults to 256.

    Returns:
        tuple[Tensor, Tensor]: scores ``(Q, k)`` and ids ``(Q, k)`` (int64),
        best first.
    """
    gallery = torch.as_tensor(gallery, dtype=torch.float32)
    queries = torch.as_tensor(queries, dtype=torch.float32)
    scores, ids = [], []
    for start in range(0, queries.shape[0], query_batch):
        sim = queries[start:start + query_batch] @ gallery.T
        top = sim.topk(k, dim=1)
        scores.append(top.values)
        ids.append(top.indices)
    return torch.cat(scores), torch.cat(ids)


def recall_at_k(found: Union[np.ndarray, torch.Tensor],
                truth: Union[np.ndarray, torch.Tensor],
                k: Optional[int] = None) -> float:
    """Mean fraction of the true top-``k`` ids found in the returned top-k.

    Args:
        found (np.ndarray | Tensor): ``(Q, >=k)`` returned ids.
        truth (np.ndarray | Tensor): ``(Q, >=k)`` exact ids.
        k (int, optional): Defaults to ``truth.shape[1]``.

    Returns:
        float: Recall@k in [0, 1] (1.0: every exact neighbour found).
    """
    found = np.asarray(found)
    truth = np.asarray(truth)
    k = k or truth.shape[1]
    hits = 0
    for f, t in zip(found[:, :k], truth[:, :k]):
        hits += len(set(f.tolist()) & set(t.tolist()))
    return hits / (k * truth.shape[0])


def timed(fn, *args, repeat: int = 1, **kwargs) -> Tuple[float, object]:
    """Best wall time of ``repeat`` calls (s) and the last result."""
    best, out = float('inf'), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best, out


def parse_params(items: Sequence[str]) -> Dict[str, float]:
    """``['nprobe=32', 'efSearch=64']`` -> ``{'nprobe': 32.0, ...}``."""
    out = {}
    for item in items or ():
        if '=' not in item:
            raise ValueError(f'expected NAME=VALUE, got {item!r}')
        name, value = item.split('=', 1)
        out[name.strip()] = float(value)
    return out
