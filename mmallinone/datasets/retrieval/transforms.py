"""Retrieval transforms: tokenise all captions of a video, pack them."""
from typing import Sequence

import numpy as np
import torch

from mmallinone.registry import TRANSFORMS
from ..transforms.formatting import PackVideoTextInputs
from ..transforms.text import TokenizeCandidates

__all__ = ['TokenizeCaptions', 'PackRetrievalInputs']


@TRANSFORMS.register_module()
class TokenizeCaptions(TokenizeCandidates):
    """Tokenise every caption of a video (evaluation of retrieval).

    Required keys:

        - ``captions_key`` (list[str]): the video's captions (kept by the
          retrieval datasets in test mode).

    Added keys:

        - caption_ids (list[np.ndarray]): one int64 array ``[CLS] ... [SEP]``
          per caption, no padding, length ``<= max_length``.

    Args:
        tokenizer (dict | str | object): As :class:`TokenizeText`.
        max_length (int): Defaults to 40.
        captions_key (str): Defaults to ``'captions'``.
    """

    def __init__(self,
                 tokenizer=dict(type='BertWordPieceTokenizer'),
                 max_length: int = 40,
                 captions_key: str = 'captions') -> None:
        super().__init__(
            tokenizer=tokenizer,
            max_length=max_length,
            candidates_key=captions_key)

    def transform(self, results: dict) -> dict:
        """Add ``caption_ids``."""
        captions = results.get(self.candidates_key)
        if captions is None:  # a single caption
            captions = [results['text']]
        elif isinstance(captions, str):
            captions = [captions]
        out = super().transform(dict(results, **{
            self.candidates_key: list(captions)}))
        results['caption_ids'] = out.pop('candidate_ids')
        return results


@TRANSFORMS.register_module()
class PackRetrievalInputs(PackVideoTextInputs):
    """:class:`PackVideoTextInputs` plus ``caption_ids`` and ``num_clips``.

    ``caption_ids`` (K int64 arrays) becomes a list field of K LongTensors;
    ``num_clips`` (test views, set by ``mmaction.UniformSample``) and
    ``captions`` go into the metainfo.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('text', 'captions', 'video_id',
                                             'filename', 'sample_idx',
                                             'frame_inds', 'img_shape',
                                             'num_clips'),
                 algorithm_keys: Sequence[str] = ()) -> None:
        super().__init__(meta_keys=meta_keys, algorithm_keys=algorithm_keys)

    def transform(self, results: dict) -> dict:
        """Pack ``results`` (see :class:`PackVideoTextInputs`)."""
        packed = super().transform(results)
        if 'caption_ids' in results:
            packed['data_samples'].set_field([
                torch.as_tensor(np.asarray(ids), dtype=torch.long)
                for ids in results['caption_ids']
            ], 'caption_ids')
        return packed
