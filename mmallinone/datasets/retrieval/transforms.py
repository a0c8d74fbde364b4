"""Retrieval transforms: tokenise all captions of a video, pack them."""
from typing import Optional, Sequence

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
    """:class:`PackVideoTextInputs` with test views as their own axis.

    The frames are packed as ``(V, S, 3, H, W)`` with V = ``num_clips``
    (test views of ``mmaction.UniformSample``); ``caption_ids`` (all
    captions of a test video) goes into ``inputs`` like every text field;
    ``captions`` and ``num_clips`` go into the metainfo.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('text', 'captions', 'video_id',
                                             'filename', 'sample_idx',
                                             'frame_inds', 'img_shape',
                                             'num_clips'),
                 algorithm_keys: Sequence[str] = (),
                 views_key: Optional[str] = 'num_clips') -> None:
        super().__init__(
            meta_keys=meta_keys,
            algorithm_keys=algorithm_keys,
            views_key=views_key)
