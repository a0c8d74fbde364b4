"""Tests of TokenizeText and MaskTokensForMLM."""
import pickle

import numpy as np
import pytest

import mmallinone  # noqa: F401
from mmallinone.datasets.transforms import MaskTokensForMLM, TokenizeText
from mmallinone.registry import TRANSFORMS

CLS, SEP, PAD, MASK, UNK = 101, 102, 0, 103, 100


def test_tokenize_text():
    t = TRANSFORMS.build(dict(type='TokenizeText', max_length=40))
    out = t(dict(text='a man'))
    assert out['input_ids'].dtype == np.int64
    assert out['input_ids'].tolist() == [CLS, 1037, 2158, SEP]
    long = t(dict(text='hello ' * 100))['input_ids']
    assert len(long) == 40 and long[0] == CLS and long[-1] == SEP
    assert PAD not in long.tolist()


def test_tokenize_text_key_and_type_error():
    t = TokenizeText(text_key='question', max_length=5)
    assert t(dict(question='a man a man a man'))['input_ids'].tolist() == [
        CLS, 1037, 2158, 1037, SEP
    ]
    with pytest.raises(TypeError, match='must be a str'):
        t(dict(question=['a']))


def test_tokenizer_built_lazily_and_not_pickled():
    t = TokenizeText()
    assert t._tokenizer is None  # not built at construction
    t(dict(text='a man'))
    assert t._tokenizer is not None
    clone = pickle.loads(pickle.dumps(t))
    assert clone._tokenizer is None  # rebuilt per worker
    assert clone(dict(text='a man'))['input_ids'].tolist() == [
        CLS, 1037, 2158, SEP
    ]


def _mask(text, seed, **kwargs):
    np.random.seed(seed)
    ids = TokenizeText(max_length=512)(dict(text=text))['input_ids']
    out = MaskTokensForMLM(**kwargs)(dict(input_ids=ids))
    return ids, out['mlm_input_ids'], out['mlm_labels']


def test_mlm_labels_and_specials():
    for seed in range(50):
        ids, masked, labels = _mask('a man walks over and hugs another man',
                                    seed)
        assert masked.dtype == labels.dtype == np.int64
        assert masked.shape == labels.shape == ids.shape
        sel = labels != -100
        assert sel.sum() >= 1  # at least one masked token guaranteed
        assert (labels[sel] == ids[sel]).all()
        assert (masked[~sel] == ids[~sel]).all()
        assert not sel[0] and not sel[-1]  # [CLS] / [SEP] never selected


def test_mlm_never_selects_padding_or_special():
    ids = np.array([CLS, 1037, UNK, 2158, SEP, PAD, PAD, PAD], dtype=np.int64)
    t = MaskTokensForMLM(mlm_probability=1.0, whole_word=False)
    np.random.seed(0)
    out = t(dict(input_ids=ids))
    sel = out['mlm_labels'] != -100
    assert sel.tolist() == [False, True, False, True, False, False, False,
                            False]
    assert (out['mlm_input_ids'][~sel] == ids[~sel]).all()


def test_mlm_at_least_one_with_tiny_probability():
    np.random.seed(0)
    _, _, labels = _mask('a man', 0, mlm_probability=1e-9)
    assert (labels != -100).sum() == 1
    # a text without any real token stays unmasked
    out = MaskTokensForMLM()(dict(input_ids=np.array([CLS, SEP])))
    assert (out['mlm_labels'] == -100).all()


def test_mlm_80_10_10_statistics():
    words = ('the quick brown fox jumps over a lazy dog while people shoot '
             'basketballs in an indoor gym and a woman applies makeup ')
    text = words * 20
    np.random.seed(1234)
    ids = TokenizeText(max_length=512)(dict(text=text))['input_ids']
    t = MaskTokensForMLM(whole_word=False)
    n_sel = n_mask = n_same = n_other = 0
    n_cand = len(ids) - 2
    for _ in range(20):
        out = t(dict(input_ids=ids))
        sel = out['mlm_labels'] != -100
        m = out['mlm_input_ids'][sel]
        n_sel += sel.sum()
        n_mask += (m == MASK).sum()
        n_same += (m == ids[sel]).sum()
        n_other += ((m != MASK) & (m != ids[sel])).sum()
    assert abs(n_sel / (20 * n_cand) - 0.15) < 0.02
    assert abs(n_mask / n_sel - 0.8) < 0.04
    assert abs(n_same / n_sel - 0.1) < 0.03
    assert abs(n_other / n_sel - 0.1) < 0.03


def test_whole_word_groups_masked_together():
    text = ('unbelievably tokenization of electroencephalography '
            'is unbelievably hard ') * 10
    np.random.seed(0)
    ids = TokenizeText(max_length=512)(dict(text=text))['input_ids']
    t = MaskTokensForMLM(whole_word=True)
    pieces = t.tokenizer.convert_ids_to_tokens(ids.tolist())
    assert any(p.startswith('##') for p in pieces)
    n_partial_words = 0
    for seed in range(30):
        np.random.seed(seed)
        sel = t(dict(input_ids=ids))['mlm_labels'] != -100
        for i, p in enumerate(pieces):
            if p.startswith('##'):
                assert sel[i] == sel[i - 1], (seed, i, pieces[i - 1:i + 1])
    # without whole-word masking, pieces of a word are split sometimes
    t2 = MaskTokensForMLM(whole_word=False)
    for seed in range(30):
        np.random.seed(seed)
        sel = t2(dict(input_ids=ids))['mlm_labels'] != -100
        n_partial_words += sum(
            sel[i] != sel[i - 1] for i, p in enumerate(pieces)
            if p.startswith('##'))
    assert n_partial_words > 0


def test_mlm_seeded_reproducible():
    a = _mask('two people arm wrestling across a table', 7)
    b = _mask('two people arm wrestling across a table', 7)
    assert all((x == y).all() for x, y in zip(a, b))


def test_mlm_bad_args():
    with pytest.raises(ValueError):
        MaskTokensForMLM(mlm_probability=0)
    with pytest.raises(ValueError):
        MaskTokensForMLM(mask_ratio=0.9, random_ratio=0.2)


def test_tokenize_candidates_keeps_the_answer_when_truncating():
    from mmallinone.datasets.transforms import TokenizeCandidates
    t = TokenizeCandidates(max_length=12, prefix_key='question')
    question = 'what is the man in the white cap doing with the woman at ' \
        'the table in the cafeteria'
    out = t(dict(question=question, candidates=['arm wrestling', 'hug']))
    ids = out['candidate_ids']
    assert len(ids) == 2 and all(len(x) <= 12 for x in ids)
    tok = t.tokenizer
    # [CLS] question... [SEP] answer [SEP]: the answer survives in full
    assert tok.decode(ids[0]).endswith('[SEP] arm wrestling [SEP]')
    assert tok.decode(ids[1]).endswith('[SEP] hug [SEP]')
    assert ids[0][0] == 101
    alone = TokenizeCandidates()(dict(candidates=['a man']))
    assert alone['candidate_ids'][0].tolist() == [101, 1037, 2158, 102]
