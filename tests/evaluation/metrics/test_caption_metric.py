"""CaptionMetric: hand-worked BLEU / CIDEr-D, the coco-caption reference."""
import math

import pytest

from mmallinone.evaluation.metrics import CaptionMetric
from mmallinone.evaluation.metrics.caption_metric import (java_available,
                                                          python_ptb_tokenize)

needs_java = pytest.mark.skipif(
    not java_available(),
    reason='no Java runtime: the PTB tokenizer and METEOR of pycocoevalcap '
    'need it (apt-get install default-jre-headless)')


def _score(preds, refs, **kwargs):
    metric = CaptionMetric(**kwargs)
    metric.process(None, [
        dict(pred_caption=p, gt_captions=r, video_id=f'v{i}')
        for i, (p, r) in enumerate(zip(preds, refs))
    ])
    return metric.compute_metrics(metric.results)


def test_cider_d_hand_worked():
    # ref_len = log 2; "a" is in both videos' references (idf 0), every
    # other n-gram in one (idf log 2).
    # v0: the hypothesis equals its reference: cosine 1 for n = 1, 2, 3, 0
    #     for n = 4 (no 4-gram), no length penalty -> 10 * 3/4 = 7.5
    # v1: "a dog" vs "a dog runs": cosine 1/sqrt(2) for n = 1 and 2, 0 for
    #     3 and 4; bigram lengths 1 vs 2 -> penalty exp(-1 / (2 * 6^2))
    #     -> 10 * (2 / sqrt(2)) / 4 * exp(-1/72)
    out = _score(['A cat sits.', 'a dog'], [['a cat sits'], ['a dog runs']],
                 tokenizer='python', meteor=False)
    v1 = 10 * (2 / math.sqrt(2)) / 4 * math.exp(-1 / 72)
    assert out['CIDEr'] == pytest.approx(100 * (7.5 + v1) / 2, rel=1e-9)
    assert out['num_videos'] == 2


def test_bleu_hand_worked():
    # "the the the cat" vs refs "the cat sat", "a cat":
    # unigrams clipped 2 / 4, bigrams ("the the" x2, "the cat") 1 / 3,
    # closest reference length 3 < 4 -> no brevity penalty
    out = _score(['the the the cat'], [['the cat sat', 'a cat']],
                 tokenizer='python', meteor=False)
    assert out['BLEU-1'] == pytest.approx(50.0, rel=1e-6)
    assert out['BLEU-2'] == pytest.approx(100 * math.sqrt(0.5 / 3),
                                          rel=1e-6)
    # no trigram matches: coco-caption smooths 0 / 2 to 1e-15 / 2
    assert out['BLEU-3'] < 1e-3
    # brevity penalty: 2 videos, hypothesis 5 words, closest refs 3 + 3
    out = _score(['a cat sits', 'a dog'], [['a cat sits'], ['a dog runs']],
                 tokenizer='python', meteor=False)
    assert out['BLEU-1'] == pytest.approx(100 * math.exp(1 - 6 / 5),
                                          rel=1e-6)
    assert out['BLEU-3'] == pytest.approx(100 * math.exp(1 - 6 / 5),
                                          rel=1e-6)


@needs_java
def test_matches_pycocoevalcap_reference():
    # METEOR (a 2 GB JVM) is checked by the end-to-end test
    # (tests/tools/test_caption_e2e.py), which prints every metric.
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
    preds = ['A man is playing a guitar.', 'two dogs run on the grass',
             "a woman's cooking pasta", 'people are dancing']
    refs = [['a man plays the guitar', 'someone is playing a guitar'],
            ['dogs are running in a field', 'two dogs play outside'],
            ['a woman is cooking', 'a lady cooks noodles in a pan'],
            ['a group of people dance', 'people are dancing at a party']]
    out = _score(preds, refs, tokenizer='ptb', meteor=False)
    assert list(out) == ['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'ROUGE-L',
                         'CIDEr', 'num_videos']
    both = PTBTokenizer().tokenize(
        {**{('r', i): [{'caption': c} for c in r]
            for i, r in enumerate(refs)},
         **{('p', i): [{'caption': p}] for i, p in enumerate(preds)}})
    gts = {i: both[('r', i)] for i in range(len(refs))}
    res = {i: both[('p', i)] for i in range(len(preds))}
    bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    for n in range(4):
        assert out[f'BLEU-{n + 1}'] == pytest.approx(100 * bleu[n])
    assert out['ROUGE-L'] == pytest.approx(
        100 * Rouge().compute_score(gts, res)[0])
    assert out['CIDEr'] == pytest.approx(
        100 * Cider().compute_score(gts, res)[0])
    assert 0 < out['CIDEr']


@needs_java
def test_python_tokenizer_agrees_with_ptb():
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
    sents = ["A man's shirt, isn't it?", 'Two dogs -- running (fast)!',
             'She said: "cook the t-shirt..."', "they're in the U.S. now",
             'a girl is applying eye-makeup; then smiles',
             'a man [in red] {x} & co. cannot do it',
             "Mr. Smith's 3.5 dogs aren't here"]
    ptb = PTBTokenizer().tokenize({i: [{'caption': s}]
                                   for i, s in enumerate(sents)})
    ours = [python_ptb_tokenize(s) for s in sents]
    assert ours == [ptb[i][0] for i in range(len(sents))]


def test_duplicate_keys_first_wins_and_missing_refs_raise():
    metric = CaptionMetric(tokenizer='python', meteor=False)
    metric.process(None, [
        dict(pred_caption='a cat', gt_captions=['a cat'], video_id='a'),
        dict(pred_caption='a dog', gt_captions=['a cat'], video_id='a'),
        dict(pred_caption='a dog', gt_captions=['a dog'], video_id='b')])
    out = metric.compute_metrics(metric.results)
    assert out['num_videos'] == 2
    assert out['BLEU-1'] == pytest.approx(100.0, rel=1e-6)
    with pytest.raises(KeyError, match='gt_captions'):
        metric.process(None, [dict(pred_caption='x', video_id='c')])
    with pytest.raises(ValueError, match='tokenizer'):
        CaptionMetric(tokenizer='nltk')
