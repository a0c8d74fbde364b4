"""Validation / test loops that add joint VTM re-ranking to retrieval.

Why a loop: re-ranking needs the model (a joint forward per candidate pair)
and the frames of the candidate videos, i.e. it runs *after* the two-stream
similarity matrix exists. A metric only sees predictions and cannot run the
model. The loop stays generic: it runs the usual test pass, then a second
pass over its own dataloader in which the model scores the candidate pairs
of each batch. Scoring is the model's (a model declaring the ``'rerank'``
capability: ``retrieval_similarity``, ``rerank_candidates``,
``rerank_pair_scores``, ``rerank_matrices``), ranking is the metric's
(:meth:`RetrievalMetric.score_metrics`); the loop only iterates, gathers
across ranks and hands the re-ranked matrices over. The ``rerank/...``
metrics join the metrics dict that the logger and checkpoint hooks receive.
"""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine import dist
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop, ValLoop

from mmallinone.evaluation.metrics.retrieval_metric import (
    RetrievalMetric, collect_embeddings)
from mmallinone.registry import LOOPS
from mmallinone.structures import sample_inputs, unpack_token_ids

__all__ = ['RetrievalValLoop', 'RetrievalTestLoop']


class _RerankEvaluator:
    """Evaluator proxy: keeps predictions, adds re-rank metrics."""

    def __init__(self, evaluator, loop: '_RetrievalRerankMixin') -> None:
        self._evaluator = evaluator
        self._loop = loop

    def process(self, data_samples: Sequence, data_batch=None) -> None:
        self._loop.stash(data_samples, data_batch)
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
            can = getattr(self._model, 'can', None)
            if can is None or not can('rerank'):
                raise ValueError(
                    f'rerank_k={rerank_k} needs a model with the "rerank" '
                    f'capability; {type(self._model).__name__} has none')
            if self._metric() is None:
                raise ValueError('rerank_k > 0 needs a RetrievalMetric in '
                                 'the evaluator')
            self.evaluator = _RerankEvaluator(self.evaluator, self)

    def _metric(self) -> Optional[RetrievalMetric]:
        for m in self.evaluator.metrics:
            if isinstance(m, RetrievalMetric):
                return m
        return None

    def stash(self, data_samples: Sequence, data_batch: dict) -> None:
        """Keep the embeddings and texts (token ids) of the batch, on CPU.

        The texts are the batch contract's ``caption_ids`` (or
        ``input_ids``) of each sample's ``inputs``.
        """
        for ds, inputs in zip(data_samples,
                              sample_inputs(data_batch['inputs'])):
            texts = unpack_token_ids(inputs['caption_ids']) \
                if 'caption_ids' in inputs else [inputs['input_ids']]
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
        model = self._model
        model.eval()
        sim = model.retrieval_similarity(texts, videos)
        plan = model.rerank_candidates(sim, self.rerank_k)
        wanted = {order[j]: cand for j, cand in plan.items()}
        local: Dict[tuple, float] = {}
        for data_batch in self.dataloader:  # this rank's share of videos
            local.update(
                model.rerank_pair_scores(data_batch, wanted, text_ids,
                                         self.rerank_batch_size))
        column = {idx: j for j, idx in enumerate(order)}
        scores: Dict[tuple, float] = {}
        for part in dist.all_gather_object(local):
            scores.update({(column[idx], i): sc
                           for (idx, i), sc in part.items()})
        t2v, v2t = model.rerank_matrices(sim, self.rerank_k, scores)
        MMLogger.get_current_instance().info(
            f'Re-ranked the top {self.rerank_k} candidates of every query '
            f'with the joint VTM path ({len(scores)} pairs).')
        return self._metric().score_metrics(t2v, owner, v2t, tag='rerank')


@LOOPS.register_module()
class RetrievalValLoop(_RetrievalRerankMixin, ValLoop):
    """:class:`mmengine.runner.ValLoop` with optional VTM re-ranking.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): Retrieval val dataloader.
        evaluator (Evaluator | dict | list): Must contain a
            :class:`RetrievalMetric` when ``rerank_k > 0`` (it names and
            ranks the ``rerank/...`` metrics).
        fp16 (bool): Defaults to False.
        rerank_k (int): Candidates re-scored per query by the joint path
            (the model's ``rerank_pair_scores``); 0 disables it.
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
