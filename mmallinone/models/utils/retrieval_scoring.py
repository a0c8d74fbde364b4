"""Scoring of text-video retrieval: similarity, candidates, re-ranking.

Pure functions on NumPy matrices, used by :class:`AllInOneRetrieval` (which
owns retrieval scoring) and by :class:`RetrievalMetric` (which turns score
matrices into ranks).
"""
from typing import Dict, Tuple

import numpy as np

__all__ = [
    'similarity_matrix', 'topk_videos', 'topk_texts', 'rerank_candidates',
    'rerank_matrices', 'RERANK_OFFSET'
]

#: Added to the re-ranked candidates' joint scores so they stay on top.
RERANK_OFFSET = 1e6


def similarity_matrix(text_embeds: np.ndarray,
                      video_embeds: np.ndarray) -> np.ndarray:
    """View-averaged similarity of every (text, video) pair.

    Args:
        text_embeds (np.ndarray): ``(Nt, D)`` L2-normalised.
        video_embeds (np.ndarray): ``(Nv, V, D)`` (or ``(Nv, D)``),
            L2-normalised per view.

    Returns:
        np.ndarray: ``(Nt, Nv)`` float64: the mean over the ``V`` views of
        the cosine similarity matrices (similarities averaged, not
        embeddings, as the authors).
    """
    t = np.asarray(text_embeds, dtype=np.float64)
    v = np.asarray(video_embeds, dtype=np.float64)
    if v.ndim == 2:
        v = v[:, None]
    return np.einsum('td,nvd->tnv', t, v).mean(-1)


def topk_videos(sim: np.ndarray, k: int) -> np.ndarray:
    """``(Nt, k)`` best videos of each text (stable order)."""
    return np.argsort(-sim, axis=1, kind='stable')[:, :min(k, sim.shape[1])]


def topk_texts(sim: np.ndarray, k: int) -> np.ndarray:
    """``(Nv, k)`` best texts of each video (stable order)."""
    return np.argsort(-sim.T, axis=1,
                      kind='stable')[:, :min(k, sim.shape[0])]


def rerank_candidates(sim: np.ndarray, k: int) -> Dict[int, list]:
    """Every (video, text) pair that re-ranking scores.

    Args:
        sim (np.ndarray): ``(Nt, Nv)`` two-stream similarities.
        k (int): Candidates per query (both directions).

    Returns:
        dict: ``{video j: sorted text indices}``.
    """
    wanted: Dict[int, set] = {}
    for i, js in enumerate(topk_videos(sim, k)):
        for j in js:
            wanted.setdefault(int(j), set()).add(i)
    for j, ts in enumerate(topk_texts(sim, k)):
        wanted.setdefault(j, set()).update(int(i) for i in ts)
    return {j: sorted(ts) for j, ts in wanted.items()}


def rerank_matrices(sim: np.ndarray, k: int,
                    scores: Dict[tuple, float]) -> Tuple[np.ndarray,
                                                         np.ndarray]:
    """Re-ranked score matrices of both directions.

    For a text query the top-``k`` videos by ``sim`` are re-ordered by their
    joint score (and stay ahead of every other video, which keeps its
    similarity order); likewise for a video query and its top-``k`` texts.

    Args:
        sim (np.ndarray): ``(Nt, Nv)`` two-stream similarities.
        k (int): Candidates per query.
        scores (dict): ``{(video j, text i): joint score}`` covering every
            pair of :func:`rerank_candidates`.

    Returns:
        tuple: ``(t2v, v2t)`` score matrices, both ``(Nt, Nv)``.
    """
    t2v, v2t = sim.copy(), sim.copy()
    for i, js in enumerate(topk_videos(sim, k)):
        for j in js:
            t2v[i, j] = RERANK_OFFSET + scores[(int(j), i)]
    for j, ts in enumerate(topk_texts(sim, k)):
        for i in ts:
            v2t[i, j] = RERANK_OFFSET + scores[(j, int(i))]
    return t2v, v2t
