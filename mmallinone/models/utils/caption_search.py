"""Greedy and beam search over a next-token scorer (caption decoding).

The search knows nothing about videos: it calls ``scorer(ids)`` with the
current prefixes ``(N, t + 1)`` (``[CLS]`` first) and gets next-token logits
``(N, V)``; in beam search it calls ``reorder(index)`` when hypotheses are
re-ranked, so that a key/value cache follows its hypotheses. Controls:

- ``max_len`` / ``min_len``: generated tokens, ``[SEP]`` (end) excluded;
  before ``min_len`` the end token is banned, at ``max_len`` it is forced.
- ``length_penalty`` (beam): a finished hypothesis is ranked by
  ``sum(log p) / len ** length_penalty``, ``len`` counting the end token
  (0: raw log-probability, favours short captions; 1: mean per token).
- ``repetition_penalty`` (CTRL, Keskar et al. 2019): the logit of a token
  already generated is divided by the penalty when positive, multiplied
  when negative (1.0 disables).
- ``no_repeat_ngram_size``: a token that would repeat an n-gram already in
  the hypothesis is banned (0 disables).
- ``bad_token_ids``: never generated (``[PAD]``, ``[CLS]``, ``[MASK]`` ...).
"""
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

__all__ = ['CaptionSearchConfig', 'caption_search', 'SEARCH_STRATEGIES']

SEARCH_STRATEGIES = ('greedy', 'beam')


@dataclass
class CaptionSearchConfig:
    """Decoding settings (see the module docstring)."""

    strategy: str = 'beam'
    beam_size: int = 3
    max_len: int = 20
    min_len: int = 1
    length_penalty: float = 1.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 3
    bos_token_id: int = 101
    eos_token_id: int = 102
    bad_token_ids: Sequence[int] = (0, 100, 101, 103)

    def __post_init__(self) -> None:
        if self.strategy not in SEARCH_STRATEGIES:
            raise ValueError(f'Unknown decoding strategy {self.strategy!r}; '
                             f'valid: {SEARCH_STRATEGIES}')
        if self.beam_size < 1:
            raise ValueError(f'beam_size must be >= 1, got {self.beam_size}')
        if not 1 <= self.min_len <= self.max_len:
            raise ValueError('Need 1 <= min_len <= max_len, got '
                             f'min_len={self.min_len}, '
                             f'max_len={self.max_len}')
        if self.repetition_penalty <= 0:
            raise ValueError('repetition_penalty must be > 0, got '
                             f'{self.repetition_penalty}')
        if self.no_repeat_ngram_size < 0:
            raise ValueError('no_repeat_ngram_size must be >= 0, got '
                             f'{self.no_repeat_ngram_size}')

    @property
    def num_beams(self) -> int:
        """Hypotheses kept per clip (1 for greedy)."""
        return 1 if self.strategy == 'greedy' else self.beam_size


def _process_logits(logits: Tensor, ids: Tensor, cfg: CaptionSearchConfig,
                    num_generated: int) -> Tensor:
    """Apply bans and penalties to ``(N, V)`` logits of prefixes ``ids``."""
    logits = logits.float().clone()
    if cfg.bad_token_ids:
        logits[:, list(cfg.bad_token_ids)] = float('-inf')
    gen = ids[:, 1:]  # generated tokens (N, t)
    if cfg.repetition_penalty != 1.0 and gen.shape[1]:
        seen = torch.gather(logits, 1, gen)
        seen = torch.where(seen > 0, seen / cfg.repetition_penalty,
                           seen * cfg.repetition_penalty)
        logits.scatter_(1, gen, seen)
    n = cfg.no_repeat_ngram_size
    if n > 0 and gen.shape[1] >= n:
        rows = gen.tolist()
        for i, row in enumerate(rows):
            prefix = tuple(row[len(row) - n + 1:]) if n > 1 else ()
            banned = {row[j + n - 1] for j in range(len(row) - n + 1)
                      if tuple(row[j:j + n - 1]) == prefix}
            if banned:
                logits[i, list(banned)] = float('-inf')
    if num_generated < cfg.min_len:
        logits[:, cfg.eos_token_id] = float('-inf')
    if num_generated >= cfg.max_len:
        eos = logits[:, cfg.eos_token_id].clone()
        logits.fill_(float('-inf'))
        logits[:, cfg.eos_token_id] = eos.clamp(min=-1e4)
    return logits


def _greedy(scorer: Callable[[Tensor], Tensor], batch_size: int,
            cfg: CaptionSearchConfig, device: torch.device
            ) -> Tuple[List[List[int]], List[float]]:
    ids = torch.full((batch_size, 1), cfg.bos_token_id, dtype=torch.long,
                     device=device)
    done = torch.zeros(batch_size, dtype=torch.bool, device=device)
    scores = torch.zeros(batch_size, device=device)
    lengths = torch.zeros(batch_size, dtype=torch.long, device=device)
    for t in range(cfg.max_len + 1):
        logits = _process_logits(scorer(ids), ids, cfg, t)
        logp = logits.log_softmax(-1)
        nxt = logp.argmax(-1)
        nxt = torch.where(done, torch.full_like(nxt, cfg.eos_token_id), nxt)
        scores += torch.where(done, torch.zeros_like(scores),
                              logp.gather(1, nxt[:, None])[:, 0])
        lengths += (~done).long()
        ids = torch.cat([ids, nxt[:, None]], dim=1)
        done |= nxt == cfg.eos_token_id
        if bool(done.all()):
            break
    out = []
    for row in ids[:, 1:].tolist():
        out.append(row[:row.index(cfg.eos_token_id)]
                   if cfg.eos_token_id in row else row)
    norm = lengths.float().clamp(min=1) ** cfg.length_penalty
    return out, (scores / norm).tolist()


def _beam(scorer: Callable[[Tensor], Tensor],
          reorder: Optional[Callable[[Tensor], None]], batch_size: int,
          cfg: CaptionSearchConfig, device: torch.device
          ) -> Tuple[List[List[int]], List[float]]:
    k = cfg.beam_size
    ids = torch.full((batch_size * k, 1), cfg.bos_token_id, dtype=torch.long,
                     device=device)
    beam_scores = torch.zeros(batch_size, k, device=device)
    beam_scores[:, 1:] = float('-inf')  # all beams start equal: keep one
    finished: List[List[Tuple[float, List[int]]]] = [
        [] for _ in range(batch_size)]
    done = [False] * batch_size
    for t in range(cfg.max_len + 1):
        logits = _process_logits(scorer(ids), ids, cfg, t)
        logp = logits.log_softmax(-1)  # (B*K, V)
        vocab = logp.shape[-1]
        cand = (beam_scores.view(-1, 1) + logp).view(batch_size, k * vocab)
        top_scores, top_idx = cand.topk(2 * k, dim=1)
        top_scores, top_idx = top_scores.tolist(), top_idx.tolist()
        new_src, new_tok, new_score = [], [], []
        prefixes = ids[:, 1:].tolist()
        for b in range(batch_size):
            kept = 0
            for score, idx in zip(top_scores[b], top_idx[b]):
                beam, tok = divmod(idx, vocab)
                src = b * k + beam
                if done[b] or score == float('-inf'):
                    break
                if tok == cfg.eos_token_id:
                    length = t + 1  # generated tokens incl. the end token
                    finished[b].append(
                        (score / length ** cfg.length_penalty,
                         prefixes[src]))
                    continue
                new_src.append(src)
                new_tok.append(tok)
                new_score.append(score)
                kept += 1
                if kept == k:
                    break
            if not done[b] and len(finished[b]) >= k:
                best_running = max(
                    (s for s in new_score[len(new_score) - kept:]),
                    default=float('-inf'))
                worst = sorted(f[0] for f in finished[b])[-k]
                if best_running / (t + 2) ** cfg.length_penalty <= worst:
                    done[b] = True
            if done[b] or kept < k:
                # pad the beam set of this clip (finished or exhausted)
                base = new_src[-1] if kept else b * k
                for _ in range(k - kept):
                    new_src.append(base)
                    new_tok.append(cfg.eos_token_id)
                    new_score.append(float('-inf'))
                if done[b] and kept:
                    # the kept running beams are irrelevant once done
                    start = len(new_score) - k
                    for j in range(start, start + k):
                        new_score[j] = float('-inf')
        if all(done):
            break
        index = torch.tensor(new_src, dtype=torch.long, device=device)
        ids = torch.cat([
            ids.index_select(0, index),
            torch.tensor(new_tok, dtype=torch.long, device=device)[:, None]
        ], dim=1)
        beam_scores = torch.tensor(new_score, device=device).view(
            batch_size, k)
        if reorder is not None:
            reorder(index)
    out, scores = [], []
    for b in range(batch_size):
        if finished[b]:
            score, tokens = max(finished[b], key=lambda f: f[0])
        else:  # cannot happen: the end token is forced at max_len
            score, tokens = float('-inf'), []
        out.append(tokens)
        scores.append(score)
    return out, scores


@torch.no_grad()
def caption_search(scorer: Callable[[Tensor], Tensor],
                   batch_size: int,
                   cfg: CaptionSearchConfig,
                   device: torch.device,
                   reorder: Optional[Callable[[Tensor], None]] = None
                   ) -> Tuple[List[List[int]], List[float]]:
    """Generate one token sequence per clip.

    Args:
        scorer (Callable): ``ids (N, t + 1) -> logits (N, V)``; ``N`` is
            ``batch_size * cfg.num_beams``, hypotheses of a clip adjacent.
        batch_size (int): Clips ``B``.
        cfg (CaptionSearchConfig): Decoding settings.
        device (torch.device): Device of the ids.
        reorder (Callable, optional): ``index (N,) -> None``, called after
            each beam step: hypothesis ``i`` continues ``index[i]``.

    Returns:
        tuple: ``B`` token lists (no ``[CLS]`` / ``[SEP]``) and their
        length-normalised log-probabilities.
    """
    if cfg.strategy == 'greedy':
        return _greedy(scorer, batch_size, cfg, device)
    return _beam(scorer, reorder, batch_size, cfg, device)
