"""Offline WordPiece tokenizers for All-in-One (registered in ``TOKENIZERS``).

All-in-One tokenises text with the ``bert-base-uncased`` WordPiece vocabulary
(30,522 entries, lower-cased). Its released checkpoints index their word
embedding rows by this vocabulary, so the file is shipped with the package in
``mmallinone/tokenizers/bert-base-uncased/`` and loaded without network.

Note:
    Under transformers 5, the *slow* ``BertTokenizer(vocab_file=...)``
    constructor silently builds a 5-token vocabulary (every word becomes
    ``[UNK]``). We therefore always build through
    ``BertTokenizerFast.from_pretrained(<local dir>)``, which reads
    ``vocab.txt`` and ``tokenizer_config.json`` correctly
    (``"a man"`` -> ``[101, 1037, 2158, 102]``).
    ``tests/tokenizers/test_tokenizer.py`` watches the upstream behaviour.
"""
import os.path as osp
from typing import Optional, Union

from mmallinone.registry import TOKENIZERS

#: Directory of the shipped ``bert-base-uncased`` vocabulary and config.
BERT_BASE_UNCASED_DIR = osp.join(osp.dirname(osp.abspath(__file__)),
                                 'bert-base-uncased')


@TOKENIZERS.register_module()
def BertWordPieceTokenizer(name_or_path: Optional[str] = None, **kwargs):
    """Build a fast BERT WordPiece tokenizer from a local directory.

    Args:
        name_or_path (str, optional): A local directory holding ``vocab.txt``
            (and optionally ``tokenizer_config.json``). ``None`` or
            ``'bert-base-uncased'`` selects the vocabulary shipped with
            mmallinone. Nothing is downloaded. Defaults to None.
        **kwargs: Extra keyword arguments for
            ``transformers.BertTokenizerFast.from_pretrained``.

    Returns:
        transformers.BertTokenizerFast: The tokenizer.

    Raises:
        FileNotFoundError: If ``name_or_path`` is not a directory with a
            ``vocab.txt``.
    """
    from transformers import BertTokenizerFast

    if name_or_path is None or name_or_path == 'bert-base-uncased':
        name_or_path = BERT_BASE_UNCASED_DIR
    name_or_path = osp.expanduser(name_or_path)
    if not osp.isfile(osp.join(name_or_path, 'vocab.txt')):
        raise FileNotFoundError(
            f'BertWordPieceTokenizer: no vocab.txt in "{name_or_path}" '
            '(a local directory is required; no model hub is used).')
    kwargs.setdefault('local_files_only', True)
    return BertTokenizerFast.from_pretrained(name_or_path, **kwargs)


def build_tokenizer(cfg: Union[dict, str, object, None] = None):
    """Build a tokenizer from a config, a local path or return an instance.

    Args:
        cfg (dict | str | object | None): A config dict such as
            ``dict(type='BertWordPieceTokenizer', name_or_path=...)``, a local
            tokenizer directory (built with :func:`BertWordPieceTokenizer`),
            an already built tokenizer (returned unchanged) or ``None``
            (the shipped ``bert-base-uncased``). Defaults to None.

    Returns:
        object: The tokenizer (``transformers.PreTrainedTokenizerBase``).
    """
    if cfg is None or isinstance(cfg, str):
        return BertWordPieceTokenizer(cfg)
    if isinstance(cfg, dict):
        cfg = dict(cfg)
        cfg.setdefault('type', 'BertWordPieceTokenizer')
        return TOKENIZERS.build(cfg)
    return cfg


__all__ = [
    'BertWordPieceTokenizer', 'build_tokenizer', 'BERT_BASE_UNCASED_DIR'
]
