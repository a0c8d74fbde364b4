"""Tests of the offline WordPiece tokenizer builder."""
import os.path as osp

import pytest

import mmallinone  # noqa: F401
from mmallinone.registry import TOKENIZERS
from mmallinone.tokenizers import (BERT_BASE_UNCASED_DIR,
                                   BertWordPieceTokenizer, build_tokenizer)


def test_shipped_vocab_ids():
    tok = build_tokenizer(dict(type='BertWordPieceTokenizer'))
    assert tok('a man')['input_ids'] == [101, 1037, 2158, 102]
    assert len(tok) == 30522
    assert (tok.cls_token_id, tok.sep_token_id, tok.pad_token_id,
            tok.mask_token_id, tok.unk_token_id) == (101, 102, 0, 103, 100)
    # lower-casing as bert-base-uncased
    assert tok('A MAN')['input_ids'] == [101, 1037, 2158, 102]


def test_build_forms():
    by_cfg = TOKENIZERS.build(dict(type='BertWordPieceTokenizer'))
    by_str = build_tokenizer(BERT_BASE_UNCASED_DIR)
    by_none = build_tokenizer(None)
    assert build_tokenizer(by_cfg) is by_cfg  # instances pass through
    for tok in (by_str, by_none, BertWordPieceTokenizer('bert-base-uncased')):
        assert tok('a man')['input_ids'] == [101, 1037, 2158, 102]


def test_other_tokenizer_dir(tmp_path):
    vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'man', 'dog',
             '##s']
    (tmp_path / 'vocab.txt').write_text('\n'.join(vocab) + '\n')
    tok = build_tokenizer(
        dict(type='BertWordPieceTokenizer', name_or_path=str(tmp_path)))
    assert len(tok) == len(vocab)
    assert tok('a man dogs')['input_ids'] == [2, 5, 6, 7, 8, 3]
    assert tok('a cat')['input_ids'] == [2, 5, 1, 3]


def test_missing_dir_is_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match='vocab.txt'):
        build_tokenizer(str(tmp_path / 'nope'))


def test_upstream_trap_slow_bert_tokenizer_vocab_file():
    """Watch transformers' slow ``BertTokenizer(vocab_file=...)``.

    Under transformers 5.x it silently ignores the 30,522-entry vocabulary
    and builds a 5-token one (every word -> [UNK]), which is why mmallinone
    always uses ``BertTokenizerFast.from_pretrained(<dir>)``. This test
    asserts the broken behaviour: when it fails, upstream has fixed the trap
    (update README's dependency trap 4 and this test).
    """
    from transformers import BertTokenizer
    slow = BertTokenizer(
        vocab_file=osp.join(BERT_BASE_UNCASED_DIR, 'vocab.txt'))
    assert len(slow) < 100, 'upstream fixed BertTokenizer(vocab_file=...)'
    assert slow('a man')['input_ids'] != [101, 1037, 2158, 102]
