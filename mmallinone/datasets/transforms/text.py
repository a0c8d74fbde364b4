"""Text transforms: WordPiece tokenisation and masked-LM masking."""
from typing import Dict, List, Optional, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmallinone.registry import TRANSFORMS
from mmallinone.tokenizers import build_tokenizer

_TOKENIZER_CACHE: Dict[str, object] = {}


def _get_tokenizer(cfg: Union[dict, str, object, None]):
    """Return a per-process cached tokenizer for ``cfg``.

    Configs and paths are cached by their ``repr`` so that every transform of
    a worker shares one tokenizer instance; instances are returned as is.
    """
    if cfg is not None and not isinstance(cfg, (dict, str)):
        return cfg
    key = repr(sorted(cfg.items())) if isinstance(cfg, dict) else repr(cfg)
    if key not in _TOKENIZER_CACHE:
        _TOKENIZER_CACHE[key] = build_tokenizer(cfg)
    return _TOKENIZER_CACHE[key]


class _LazyTokenizerMixin:
    """Build the tokenizer on first use, once per (worker) process.

    The built tokenizer is dropped when the transform is pickled (e.g. sent to
    dataloader workers); each worker rebuilds it from the config on demand.
    """

    tokenizer_cfg: Union[dict, str, object, None]
    _tokenizer: Optional[object]

    @property
    def tokenizer(self):
        """The tokenizer (``transformers.PreTrainedTokenizerBase``)."""
        if self._tokenizer is None:
            self._tokenizer = _get_tokenizer(self.tokenizer_cfg)
        return self._tokenizer

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if isinstance(self.tokenizer_cfg, (dict, str)) or \
                self.tokenizer_cfg is None:
            state['_tokenizer'] = None
        return state


@TRANSFORMS.register_module()
class TokenizeText(_LazyTokenizerMixin, BaseTransform):
    """Tokenise a caption into WordPiece ids ``[CLS] ... [SEP]``.

    Required keys:

        - ``text_key`` (str): the caption.

    Added keys:

        - input_ids (np.ndarray): int64 array of shape (L, ), ``L <=
          max_length``, starting with ``[CLS]`` and ending with ``[SEP]``.
          No padding (the data preprocessor pads the batch).

    Args:
        tokenizer (dict | str | object): Tokenizer config (built lazily, once
            per worker, with :func:`mmallinone.tokenizers.build_tokenizer`),
            a local tokenizer directory or a tokenizer instance. Defaults to
            ``dict(type='BertWordPieceTokenizer')``.
        max_length (int): Maximum number of tokens including ``[CLS]`` and
            ``[SEP]``; longer texts are truncated. Defaults to 40.
        text_key (str): Key of the caption in ``results``. Defaults to
            ``'text'``.
    """

    def __init__(self,
                 tokenizer: Union[dict, str, object] = dict(
                     type='BertWordPieceTokenizer'),
                 max_length: int = 40,
                 text_key: str = 'text') -> None:
        if max_length < 2:
            raise ValueError(f'max_length must be >= 2, got {max_length}')
        self.tokenizer_cfg = tokenizer
        self._tokenizer = None
        self.max_length = max_length
        self.text_key = text_key

    def transform(self, results: dict) -> dict:
        """Tokenise ``results[text_key]``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict with ``input_ids``.
        """
        text = results[self.text_key]
        if not isinstance(text, str):
            raise TypeError(f'TokenizeText: results["{self.text_key}"] must '
                            f'be a str, got {type(text).__name__}')
        ids = self.tokenizer(
            text,
            truncation=True,
            max_length=self.max_length,
            add_special_tokens=True)['input_ids']
        results['input_ids'] = np.asarray(ids, dtype=np.int64)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(tokenizer={self.tokenizer_cfg!r}, '
                f'max_length={self.max_length}, text_key={self.text_key!r})')


@TRANSFORMS.register_module()
class TokenizeCandidates(_LazyTokenizerMixin, BaseTransform):
    """Tokenise the K candidate texts of a multiple-choice sample.

    Without ``prefix_key`` each candidate becomes ``[CLS] c [SEP]``; with it
    (e.g. the question of a multiple-choice QA item) ``[CLS] prefix [SEP] c
    [SEP]``. When the pair is longer than ``max_length`` the **prefix** is
    truncated first, so the candidate answer is never cut off (the authors
    concatenated question, all options and the answer into one string and
    truncated the end).

    Added keys:

        - candidate_ids (list[np.ndarray]): K int64 arrays of length
          ``<= max_length``, no padding.

    Args:
        tokenizer (dict | str | object): As :class:`TokenizeText`.
        max_length (int): Maximum tokens per candidate sequence. Defaults to
            40.
        candidates_key (str): Key of the list of K strings. Defaults to
            ``'candidates'``.
        prefix_key (str, optional): Key of a text put before every
            candidate. Defaults to None.
        output_key (str): Key the K id arrays are written to (e.g. a second
            candidate set, VCR's QA->R rationales). Defaults to
            ``'candidate_ids'``.
    """

    def __init__(self,
                 tokenizer: Union[dict, str, object] = dict(
                     type='BertWordPieceTokenizer'),
                 max_length: int = 40,
                 candidates_key: str = 'candidates',
                 prefix_key: Optional[str] = None,
                 output_key: str = 'candidate_ids') -> None:
        if max_length < 4:
            raise ValueError(f'max_length must be >= 4, got {max_length}')
        self.tokenizer_cfg = tokenizer
        self._tokenizer = None
        self.max_length = max_length
        self.candidates_key = candidates_key
        self.prefix_key = prefix_key
        self.output_key = output_key

    def transform(self, results: dict) -> dict:
        """Tokenise ``results[candidates_key]`` (with the prefix)."""
        candidates = results[self.candidates_key]
        if isinstance(candidates, str) or not len(candidates):
            raise TypeError(f'TokenizeCandidates: results['
                            f'"{self.candidates_key}"] must be a non-empty '
                            'list of str')
        if self.prefix_key is None:
            enc = self.tokenizer(
                list(candidates), truncation=True,
                max_length=self.max_length)
        else:
            prefix = results[self.prefix_key]
            try:
                enc = self.tokenizer(
                    [prefix] * len(candidates), list(candidates),
                    truncation='only_first', max_length=self.max_length)
            except Exception:  # noqa: BLE001 - a candidate alone too long
                # the prefix cannot absorb the cut: truncate both sides
                enc = self.tokenizer(
                    [prefix] * len(candidates), list(candidates),
                    truncation='longest_first', max_length=self.max_length)
        results[self.output_key] = [
            np.asarray(ids, dtype=np.int64) for ids in enc['input_ids']
        ]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(tokenizer={self.tokenizer_cfg!r}, '
                f'max_length={self.max_length}, '
                f'candidates_key={self.candidates_key!r}, '
                f'prefix_key={self.prefix_key!r}, '
                f'output_key={self.output_key!r})')


@TRANSFORMS.register_module()
class MaskTokensForMLM(_LazyTokenizerMixin, BaseTransform):
    """Mask tokens for masked language modelling (BERT / HF semantics).

    Each candidate token (or whole word with ``whole_word=True``) is selected
    with probability ``mlm_probability``. A selected token is replaced by
    ``[MASK]`` with probability ``mask_ratio``, by a random vocabulary token
    with probability ``random_ratio`` and kept unchanged otherwise
    (80 % / 10 % / 10 % by default). Special tokens (``[CLS]``, ``[SEP]``,
    ``[PAD]``, ``[UNK]``, ``[MASK]``) are never selected. Labels hold the
    original id at selected positions and -100 elsewhere.

    With ``whole_word=True`` a WordPiece continuation (a token starting with
    ``##``) is selected together with the word it belongs to, as in the
    authors' ``DataCollatorForWholeWordMask`` setting. Unlike the authors'
    padded budget, the selection probability counts real tokens only.

    **At least one token is masked** in every text that has at least one
    non-special token: if the random draw selects nothing, one random word
    (or token) is selected, so every sample contributes to the MLM loss.

    Randomness comes from numpy's global RNG, which MMEngine seeds per
    dataloader worker (``randomness.seed`` / ``worker_init_fn``).

    Required keys:

        - input_ids (np.ndarray): int64 (L, ).

    Added keys:

        - mlm_input_ids (np.ndarray): int64 (L, ), the masked ids.
        - mlm_labels (np.ndarray): int64 (L, ), original ids at selected
          positions, -100 elsewhere.

    Args:
        mlm_probability (float): Selection probability. Defaults to 0.15.
        whole_word (bool): Select whole words. Defaults to True.
        mask_ratio (float): Share of selected tokens replaced by ``[MASK]``.
            Defaults to 0.8.
        random_ratio (float): Share of selected tokens replaced by a random
            token. Defaults to 0.1.
        tokenizer (dict | str | object): Tokenizer config, path or instance
            (see :class:`TokenizeText`). Defaults to
            ``dict(type='BertWordPieceTokenizer')``.
        ignore_index (int): Label of unselected positions. Defaults to -100.
    """

    def __init__(self,
                 mlm_probability: float = 0.15,
                 whole_word: bool = True,
                 mask_ratio: float = 0.8,
                 random_ratio: float = 0.1,
                 tokenizer: Union[dict, str, object] = dict(
                     type='BertWordPieceTokenizer'),
                 ignore_index: int = -100) -> None:
        if not 0 < mlm_probability <= 1:
            raise ValueError('mlm_probability must be in (0, 1], got '
                             f'{mlm_probability}')
        if mask_ratio < 0 or random_ratio < 0 or \
                mask_ratio + random_ratio > 1:
            raise ValueError('mask_ratio and random_ratio must be >= 0 and '
                             'sum to <= 1')
        self.mlm_probability = mlm_probability
        self.whole_word = whole_word
        self.mask_ratio = mask_ratio
        self.random_ratio = random_ratio
        self.tokenizer_cfg = tokenizer
        self._tokenizer = None
        self.ignore_index = ignore_index
        self._special_ids: Optional[np.ndarray] = None

    def _groups(self, ids: np.ndarray) -> List[List[int]]:
        """Group candidate positions into words (or single tokens)."""
        tok = self.tokenizer
        if self._special_ids is None:
            special = set(tok.all_special_ids)
            if tok.pad_token_id is not None:
                special.add(tok.pad_token_id)
            self._special_ids = np.array(sorted(special), dtype=np.int64)
        candidate = ~np.isin(ids, self._special_ids)
        groups: List[List[int]] = []
        pieces = tok.convert_ids_to_tokens(ids.tolist()) \
            if self.whole_word else None
        for i in np.flatnonzero(candidate).tolist():
            # a '##' piece joins its word if the previous token is a candidate
            if (self.whole_word and groups and groups[-1][-1] == i - 1
                    and pieces[i].startswith('##')):
                groups[-1].append(i)
            else:
                groups.append([i])
        return groups

    def transform(self, results: dict) -> dict:
        """Mask ``results['input_ids']``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict with ``mlm_input_ids`` and ``mlm_labels``.
        """
        ids = np.asarray(results['input_ids'], dtype=np.int64)
        masked = ids.copy()
        labels = np.full_like(ids, self.ignore_index)
        groups = self._groups(ids)
        if groups:
            chosen = np.random.random_sample(len(groups)) < \
                self.mlm_probability
            if not chosen.any():
                chosen[np.random.randint(len(groups))] = True
            selected = np.array(
                [i for g, c in zip(groups, chosen) if c for i in g],
                dtype=np.int64)
            labels[selected] = ids[selected]
            action = np.random.random_sample(len(selected))
            to_mask = selected[action < self.mask_ratio]
            to_random = selected[(action >= self.mask_ratio) & (
                action < self.mask_ratio + self.random_ratio)]
            masked[to_mask] = self.tokenizer.mask_token_id
            masked[to_random] = np.random.randint(
                len(self.tokenizer), size=len(to_random))
        results['mlm_input_ids'] = masked
        results['mlm_labels'] = labels
        return results

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state['_special_ids'] = None
        return state

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'mlm_probability={self.mlm_probability}, '
                f'whole_word={self.whole_word}, '
                f'mask_ratio={self.mask_ratio}, '
                f'random_ratio={self.random_ratio}, '
                f'tokenizer={self.tokenizer_cfg!r})')
