"""Text-to-video and video-to-text retrieval metrics (R@K, MdR, MnR)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmallinone.models.utils.retrieval_scoring import similarity_matrix
from mmallinone.registry import METRICS

__all__ = [
    'RetrievalMetric', 'similarity_matrix', 't2v_ranks', 'v2t_ranks',
    'rank_summary', 'retrieval_metrics', 'resolve_ties', 'TIE_RULES',
    'TIE_PRESETS'
]

#: How tied similarities are ranked (see :func:`first_positive_rank`).
TIE_RULES = ('pessimistic', 'optimistic', 'average')

#: Named per-direction tie rules. ``'authors'``: the All-in-One evaluation
#: code (optimistic text-to-video, averaged video-to-text, R@k counted as
#: ``rank - 1 < k`` on the 0-based, possibly fractional, ranks).
TIE_PRESETS = {
    'authors': dict(t2v='optimistic', v2t='average', zero_based_recall=True),
}

#: ``ties`` argument: one rule for both directions, a preset name, or
#: ``dict(t2v=..., v2t=...)``.
TiesType = Union[str, Dict[str, str]]


def resolve_ties(ties: TiesType) -> Tuple[str, str, bool]:
    """``(t2v rule, v2t rule, zero_based_recall)`` of a ``ties`` value.

    Args:
        ties (str | dict): A rule of :data:`TIE_RULES` (both directions), a
            preset of :data:`TIE_PRESETS`, or ``dict(t2v=..., v2t=...)``.

    Raises:
        ValueError: For an unknown rule or preset, or a dict without both
            directions.
    """
    if isinstance(ties, str) and ties in TIE_PRESETS:
        preset = TIE_PRESETS[ties]
        return preset['t2v'], preset['v2t'], preset['zero_based_recall']
    if isinstance(ties, str):
        rules = dict(t2v=ties, v2t=ties)
    elif isinstance(ties, dict):
        if set(ties) != {'t2v', 'v2t'}:
            raise ValueError('ties as a dict needs exactly the keys t2v and '
                             f'v2t, got {sorted(ties)}')
        rules = ties
    else:
        raise ValueError(f'ties must be a str or dict, got {ties!r}')
    for direction, rule in rules.items():
        if rule not in TIE_RULES:
            raise ValueError(
                f'ties ({direction}) must be one of {TIE_RULES} (or ties a '
                f'preset of {tuple(TIE_PRESETS)}), got {rule!r}')
    return rules['t2v'], rules['v2t'], False


def first_positive_rank(scores: np.ndarray, positive: np.ndarray,
                        ties: str) -> np.ndarray:
    """1-based rank of the best-ranked positive of each query (row).

    With ``m`` the highest positive score of a row, ``g`` the number of
    negatives scoring above ``m``, ``t`` the negatives scoring exactly ``m``
    and ``p`` the positives scoring exactly ``m``:

    - ``'pessimistic'``: ``g + t + 1`` (tied negatives are ranked first);
    - ``'optimistic'``: ``g + 1`` (tied negatives ranked after; the authors'
      text-to-video rule);
    - ``'average'``: ``g + 1 + t / (p + 1)``, the expected rank of the first
      positive when tied items are ordered at random (the authors'
      video-to-text rule for one positive).

    Args:
        scores (np.ndarray): ``(Q, N)`` query-by-candidate scores.
        positive (np.ndarray): ``(Q, N)`` bool, at least one True per row.
        ties (str): One of :data:`TIE_RULES`.

    Returns:
        np.ndarray: ``(Q,)`` float64 ranks.
    """
    if ties not in TIE_RULES:
        raise ValueError(f'ties must be one of {TIE_RULES}, got {ties!r}')
    if not positive.any(1).all():
        raise ValueError('every query needs at least one positive')
    best = np.where(positive, scores, -np.inf).max(1, keepdims=True)
    negative = ~positive
    above = (negative & (scores > best)).sum(1)
    tied = (negative & (scores == best)).sum(1)
    tied_pos = (positive & (scores == best)).sum(1)
    if ties == 'pessimistic':
        rank = above + tied + 1.0
    elif ties == 'optimistic':
        rank = above + 1.0
    else:
        rank = above + 1.0 + tied / (tied_pos + 1.0)
    return rank.astype(np.float64)


def t2v_ranks(sim: np.ndarray, text_to_video: np.ndarray,
              ties: str = 'pessimistic') -> np.ndarray:
    """Rank of each text's video among all videos.

    Args:
        sim (np.ndarray): ``(Nt, Nv)`` text-by-video scores.
        text_to_video (np.ndarray): ``(Nt,)`` index of each text's video.
        ties (str): See :func:`first_positive_rank`.

    Returns:
        np.ndarray: ``(Nt,)`` 1-based ranks.
    """
    positive = np.zeros(sim.shape, dtype=bool)
    positive[np.arange(sim.shape[0]), text_to_video] = True
    return first_positive_rank(sim, positive, ties)


def v2t_ranks(sim: np.ndarray, text_to_video: np.ndarray,
              ties: str = 'pessimistic') -> np.ndarray:
    """Rank of each video's best-ranked caption among all texts.

    Args:
        sim (np.ndarray): ``(Nt, Nv)`` text-by-video scores (the video
            queries are its columns).
        text_to_video (np.ndarray): ``(Nt,)`` index of each text's video.
        ties (str): See :func:`first_positive_rank`.

    Returns:
        np.ndarray: ``(Nv,)`` 1-based ranks.
    """
    positive = np.zeros(sim.shape, dtype=bool)
    positive[np.arange(sim.shape[0]), text_to_video] = True
    return first_positive_rank(sim.T, positive.T, ties)


def rank_summary(ranks: np.ndarray, prefix: str,
                 ks: Sequence[int] = (1, 5, 10),
                 zero_based_recall: bool = False) -> Dict[str, float]:
    """``{prefix}/R@k`` (percent), ``{prefix}/MdR`` and ``{prefix}/MnR``.

    A query counts for R@k if its 1-based rank ``r <= k``; with
    ``zero_based_recall`` (the authors' test) if ``r - 1 < k``, which
    differs for fractional (averaged) ranks only: 5.5 counts for R@5.
    """
    hits = (lambda k: ranks - 1 < k) if zero_based_recall else \
        (lambda k: ranks <= k)
    out = {f'{prefix}/R@{k}': float(100.0 * np.mean(hits(k))) for k in ks}
    out[f'{prefix}/MdR'] = float(np.median(ranks))
    out[f'{prefix}/MnR'] = float(np.mean(ranks))
    return out


def retrieval_metrics(sim: np.ndarray,
                      text_to_video: np.ndarray,
                      ties: TiesType = 'pessimistic',
                      ks: Sequence[int] = (1, 5, 10),
                      v2t_sim: Optional[np.ndarray] = None
                      ) -> Dict[str, float]:
    """Both directions of retrieval metrics from a similarity matrix.

    Args:
        sim (np.ndarray): ``(Nt, Nv)`` scores used for text-to-video.
        text_to_video (np.ndarray): ``(Nt,)``.
        ties (str | dict): A rule for both directions (see
            :func:`first_positive_rank`), ``dict(t2v=..., v2t=...)``, or a
            preset name (``'authors'``); see :func:`resolve_ties`.
        ks (Sequence[int]): Recall cut-offs.
        v2t_sim (np.ndarray, optional): Separate ``(Nt, Nv)`` scores for
            video-to-text (re-ranking differs per direction). Defaults to
            ``sim``.

    Returns:
        dict: ``t2v/R@1`` ... ``t2v/MnR``, ``v2t/R@1`` ... ``v2t/MnR``.
    """
    t2v_rule, v2t_rule, zero_based = resolve_ties(ties)
    v2t_sim = sim if v2t_sim is None else v2t_sim
    out = rank_summary(t2v_ranks(sim, text_to_video, t2v_rule), 't2v', ks,
                       zero_based)
    out.update(
        rank_summary(v2t_ranks(v2t_sim, text_to_video, v2t_rule), 'v2t', ks,
                     zero_based))
    return out


def collect_embeddings(results: List[dict]
                       ) -> Tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Stack per-video results (deduplicated and ordered by sample index).

    Returns:
        tuple: text embeddings ``(Nt, D)``, video embeddings ``(Nv, V, D)``,
        ``text_to_video`` ``(Nt,)`` and the sample indices of the videos.
    """
    by_idx = {}
    for r in results:  # distributed padding may repeat samples
        by_idx.setdefault(r['sample_idx'], r)
    order = sorted(by_idx)
    texts, videos, owner = [], [], []
    for j, idx in enumerate(order):
        r = by_idx[idx]
        videos.append(np.asarray(r['video_embeds'], dtype=np.float32))
        t = np.asarray(r['text_embeds'], dtype=np.float32)
        texts.append(t)
        owner.extend([j] * len(t))
    views = {v.shape[0] for v in videos}
    if len(views) != 1:
        raise ValueError(f'Videos have different numbers of views {views}')
    return (np.concatenate(texts), np.stack(videos),
            np.asarray(owner, dtype=np.int64), order)


@METRICS.register_module()
class RetrievalMetric(BaseMetric):
    """Text-to-video (``t2v``) and video-to-text (``v2t``) retrieval.

    Reads, per video (one data sample), ``pred_video_embeds`` ``(V, D)``
    and ``pred_text_embeds`` ``(K, D)`` from :class:`AllInOneRetrieval`,
    plus ``sample_idx``. The similarity matrix is the mean over the ``V``
    views of the cosine similarities (texts x videos), the same function
    (:func:`~mmallinone.models.utils.retrieval_scoring.similarity_matrix`)
    as ``AllInOneRetrieval.retrieval_similarity``, so the re-ranked
    ``rerank/...`` metrics start from the same matrix.

    Metrics (names fixed): ``t2v/R@1``, ``t2v/R@5``,
    ``t2v/R@10`` (percent of queries whose positive ranks within ``k``),
    ``t2v/MdR`` and ``t2v/MnR`` (median and mean 1-based rank), and the
    same for ``v2t``.

    **Several captions per video.** Every caption is a text query whose
    only positive is its video. A video query's positives are all its
    captions; its rank is the rank of its *best-ranked* caption.

    **Ties** (``ties``), for a query with best positive score ``m``: tied
    negatives (score exactly ``m``) are ranked *before* the positive by
    default (``'pessimistic'``: rank = 1 + #negatives with score >= m), so a
    collapsed model whose similarities are all equal gets R@1 = 0, never
    100. The authors rank ties optimistically for text-to-video and by
    averaging for video-to-text; ``'optimistic'`` (rank = 1 +
    #negatives with score > m) and ``'average'`` (expected rank under a
    random order of the tied items) reproduce those rules for comparison.
    Exact floating-point equality defines a tie. A dict
    ``dict(t2v=..., v2t=...)`` sets one rule per direction, and the preset
    ``ties='authors'`` reproduces the authors' numbers in one run: t2v
    optimistic, v2t averaged, and their R@k test ``rank0 < k`` on 0-based
    ranks, under which an averaged 1-based rank of 5.5 (0-based 4.5) counts
    for R@5 (with ``'average'`` alone it does not: ``5.5 <= 5`` is false).

    Args:
        ties (str | dict): ``'pessimistic'``, ``'optimistic'``,
            ``'average'`` (both directions), ``dict(t2v=..., v2t=...)`` or
            ``'authors'``. Defaults to ``'pessimistic'``.
        ks (Sequence[int]): Recall cut-offs. Defaults to (1, 5, 10).
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Prepended to the metric names.
    """

    default_prefix: Optional[str] = None

    def __init__(self,
                 ties: TiesType = 'pessimistic',
                 ks: Sequence[int] = (1, 5, 10),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        resolve_ties(ties)  # validate early
        self.ties = ties
        self.ks = tuple(ks)

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Keep the embeddings of every video (on CPU)."""
        for ds in data_samples:
            get = ds.get if hasattr(ds, 'get') else ds.__getitem__
            video = get('pred_video_embeds')
            text = get('pred_text_embeds')
            meta = ds.metainfo if hasattr(ds, 'metainfo') else ds
            self.results.append(
                dict(
                    sample_idx=int(meta['sample_idx']),
                    video_embeds=torch.as_tensor(video).float().cpu().numpy(),
                    text_embeds=torch.as_tensor(text).float().cpu().numpy()))

    def score_metrics(self,
                      t2v_scores: np.ndarray,
                      text_to_video: np.ndarray,
                      v2t_scores: Optional[np.ndarray] = None,
                      tag: str = '') -> Dict[str, float]:
        """Metrics of given ``(Nt, Nv)`` score matrices (e.g. re-ranked
        ones), named as :meth:`evaluate` names them, under ``tag/``.

        Args:
            t2v_scores (np.ndarray): Scores ranking videos for each text.
            text_to_video (np.ndarray): ``(Nt,)`` video of each text.
            v2t_scores (np.ndarray, optional): Scores ranking texts for each
                video; defaults to ``t2v_scores``.
            tag (str): Name part after the prefix, e.g. ``'rerank'``.
        """
        out = retrieval_metrics(t2v_scores, text_to_video, self.ties,
                                self.ks, v2t_sim=v2t_scores)
        parts = [p for p in (self.prefix, tag) if p]
        head = '/'.join(parts) + '/' if parts else ''
        return {f'{head}{key}': val for key, val in out.items()}

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Similarity matrix, ranks and their summary."""
        texts, videos, owner, _ = collect_embeddings(results)
        sim = similarity_matrix(texts, videos)
        metrics = retrieval_metrics(sim, owner, self.ties, self.ks)
        MMLogger.get_current_instance().info(
            f'Retrieval: {len(owner)} texts, {videos.shape[0]} videos, '
            f'{videos.shape[1]} view(s), ties={self.ties}')
        return metrics
