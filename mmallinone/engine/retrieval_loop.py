"""Validation / test loops that add joint VTM re-ranking to retrieval.

Why a loop: re-ranking needs the model (a joint forward per candidate pair)
and the frames of the candidate videos, i.e. it runs *after* the two-stream
similarity matrix exists. A metric only sees predictions and cannot run the
model; a hook could, but would have to rebuild the matrix outside the
evaluator and inject metrics into the log by hand. A loop owns the model, the
dataloader (hence the dataset, to re-load a candidate video once) and the
evaluator, so it can add ``rerank/...`` metrics to the same metrics dict that
the logger and checkpoint hooks receive. The model still encodes every video
and text once in the two-stream pass; re-ranking adds, per query, ``k``
joint forwards.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine import dist
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop, ValLoop

from mmallinone.evaluation.metrics.retrieval_metric import (
    RetrievalMetric, collect_embeddings, retrieval_metrics, similarity_matrix)
from mmallinone.registry import LOOPS

__all__ = ['RetrievalValLoop', 'RetrievalTestLoop', 'rerank_matrices']

#: Added to the re-ranked candidates' VTM scores so they stay on top.
_TOP = 1e6


def rerank_matrices(sim: np.ndarray, k: int,
                    scores: Dict[tuple, float]):
    """Re-ranked score matrices of both directions.

    For a text query the top-``k`` videos by ``sim`` are re-ordered by their
    VTM score (and stay ahead of every other video, which keeps its
    similarity order); likewise for a video query and its top-``k`` texts.

    Args:
        sim (np.ndarray): ``(Nt, Nv)`` two-stream similarities.
        k (int): Candidates per query.
        scores (dict): ``{(video j, text i): VTM match logit}`` covering
            every candidate pair.

    Returns:
        tuple: ``(t2v, v2t)`` score matrices, both ``(Nt, Nv)``.
    """
    t2v, v2t = sim.copy(), sim.copy()
    for i, js in enumerate(topk_videos(sim, k)):
        for j in js:
            t2v[i, j] = _TOP + scores[(int(j), i)]
    for j, ts in enumerate(topk_texts(sim, k)):
        for i in ts:
            v2t[i, j] = _TOP + scores[(j, int(i))]
    return t2v, v2t


def topk_videos(sim: np.ndarray, k: int) -> np.ndarray:
    """``(Nt, k)`` best videos of each text (stable order)."""
    return np.argsort(-sim, axis=1, kind='stable')[:, :min(k, sim.shape[1])]


def topk_texts(sim: np.ndarray, k: int) -> np.ndarray:
    """``(Nv, k)`` best texts of each video (stable order)."""
    return np.argsort(-sim.T, axis=1,
                      kind='stable')[:, :min(k, sim.shape[0])]


class _RerankEvaluator:
    """Evaluator proxy: keeps predictions, adds re-rank metrics."""

    def __init__(self, evaluator, loop: '_RetrievalRerankMixin') -> None:
        self._evaluator = evaluator
        self._loop = loop

    def process(self, data_samples: Sequence, data_batch=None) -> None:
        self._loop.stash(data_samples)
        self._evaluator.process(data_samples=data_samples,
                                data_batch=data_batch)

    def evaluate(self, size: int) -> dict:
        metrics = self._evaluator.evaluate(size)
        metrics.update(self._loop.rerank(size))
        return metrics

    def __getattr__(self, name):
        return getattr(self._evaluator, name)


class _RetrievalRerankMixin:
    """Shared logic of :class:`RetrievalValLoop` / :class:`RetrievalTestLoop`.
    """

    def _setup_rerank(self, rerank_k: int, rerank_batch_size: int) -> None:
        if rerank_k < 0:
            raise ValueError(f'rerank_k must be >= 0, got {rerank_k}')
        self.rerank_k = rerank_k
        self.rerank_batch_size = rerank_batch_size
        self._stash: List[dict] = []
        if rerank_k:
            self.evaluator = _RerankEvaluator(self.evaluator, self)

    def _metric(self) -> Optional[RetrievalMetric]:
        for m in getattr(self.evaluator, 'metrics', []):
            if isinstance(m, RetrievalMetric):
                return m
        return None

    def stash(self, data_samples: Sequence) -> None:
        """Keep embeddings and token ids of the batch (CPU)."""
        for ds in data_samples:
            texts = ds.caption_ids if 'caption_ids' in ds else [ds.input_ids]
            self._stash.append(
                dict(
                    sample_idx=int(ds.metainfo['sample_idx']),
                    video_embeds=ds.pred_video_embeds.float().cpu().numpy(),
                    text_embeds=ds.pred_text_embeds.float().cpu().numpy(),
                    text_ids=[torch.as_tensor(t).cpu() for t in texts]))

    @property
    def _model(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    @torch.no_grad()
    def _video_frames(self, sample_idx: int) -> torch.Tensor:
        """Frames ``(1, S, 3, H, W)`` of one video (the middle test view)."""
        model = self._model
        data = self.dataloader.dataset[sample_idx]
        batch = model.data_preprocessor(pseudo_collate([data]), False)
        imgs = batch['inputs']['imgs']
        v = model.num_views(batch['data_samples'])
        imgs = imgs.view(1, v, imgs.shape[1] // v, *imgs.shape[2:])
        return imgs[:, v // 2]

    @torch.no_grad()
    def rerank(self, size: int) -> Dict[str, float]:
        """Score the top-k candidates of every query with the joint path."""
        results = dist.collect_results(self._stash, size)
        self._stash = []
        if dist.get_world_size() > 1:
            holder = [results]
            dist.broadcast_object_list(holder)
            results = holder[0]
        texts, videos, owner, order = collect_embeddings(results)
        by_idx = {r['sample_idx']: r for r in results}
        text_ids = [t for idx in order for t in by_idx[idx]['text_ids']]
        sim = similarity_matrix(texts, videos)
        k = self.rerank_k
        wanted: Dict[int, set] = {}
        for i, js in enumerate(topk_videos(sim, k)):
            for j in js:
                wanted.setdefault(int(j), set()).add(i)
        for j, ts in enumerate(topk_texts(sim, k)):
            wanted.setdefault(j, set()).update(int(i) for i in ts)
        model = self._model
        model.eval()
        rank, world = dist.get_rank(), dist.get_world_size()
        local: Dict[tuple, float] = {}
        pre = model.data_preprocessor
        for j in sorted(wanted):
            if j % world != rank:
                continue
            imgs = self._video_frames(order[j])
            cand = sorted(wanted[j])
            for s in range(0, len(cand), self.rerank_batch_size):
                chunk = cand[s:s + self.rerank_batch_size]
                seqs = [text_ids[i] for i in chunk]
                ids = pre.pad(seqs, pre.pad_token_id)
                scores = model.vtm_match_scores(imgs, ids,
                                                pre.mask_of(seqs, ids))
                for i, sc in zip(chunk, scores.float().cpu().tolist()):
                    local[(j, i)] = sc
        scores: Dict[tuple, float] = {}
        for part in dist.all_gather_object(local):
            scores.update(part)
        t2v, v2t = rerank_matrices(sim, k, scores)
        metric = self._metric()
        ties = metric.ties if metric is not None else 'pessimistic'
        ks = metric.ks if metric is not None else (1, 5, 10)
        out = retrieval_metrics(t2v, owner, ties, ks, v2t_sim=v2t)
        prefix = f'{metric.prefix}/' if metric is not None and \
            metric.prefix else ''
        MMLogger.get_current_instance().info(
            f'Re-ranked the top {k} candidates of every query with the joint '
            f'VTM path ({len(scores)} pairs).')
        return {f'{prefix}rerank/{key}': val for key, val in out.items()}


@LOOPS.register_module()
class RetrievalValLoop(_RetrievalRerankMixin, ValLoop):
    """:class:`mmengine.runner.ValLoop` with optional VTM re-ranking.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): Retrieval val dataloader.
        evaluator (Evaluator | dict | list): Must contain a
            :class:`RetrievalMetric` (its ``ties`` / ``ks`` / ``prefix`` are
            reused for the ``rerank/...`` metrics).
        fp16 (bool): Defaults to False.
        rerank_k (int): Candidates re-scored per query by the joint path
            (``AllInOneRetrieval.vtm_match_scores``); 0 disables it.
            Defaults to 0.
        rerank_batch_size (int): Joint pairs per forward. Defaults to 32.
    """

    def __init__(self, runner, dataloader, evaluator, fp16: bool = False,
                 rerank_k: int = 0, rerank_batch_size: int = 32) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        self._setup_rerank(rerank_k, rerank_batch_size)


@LOOPS.register_module()
class RetrievalTestLoop(_RetrievalRerankMixin, TestLoop):
    """:class:`mmengine.runner.TestLoop` with optional VTM re-ranking.

    Args: as :class:`RetrievalValLoop`.
    """

    def __init__(self, runner, dataloader, evaluator, fp16: bool = False,
                 rerank_k: int = 0, rerank_batch_size: int = 32) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        self._setup_rerank(rerank_k, rerank_batch_size)
