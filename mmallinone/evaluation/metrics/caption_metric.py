"""Caption metrics: BLEU-1..4, METEOR, ROUGE-L and CIDEr (coco-caption)."""
import re
import shutil
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmallinone.registry import METRICS

__all__ = ['CaptionMetric', 'python_ptb_tokenize']

#: Tokens the coco-caption PTB wrapper drops after tokenising.
PTB_PUNCTUATIONS = frozenset([
    "''", "'", '``', '`', '-LRB-', '-RRB-', '-LCB-', '-RCB-', '.', '?', '!',
    ',', ':', '-', '--', '...', ';'
])
_CLITICS = re.compile(r"(?i)(\w)(n't|'s|'re|'ve|'ll|'d|'m)\b")
_SPLIT_WORDS = re.compile(
    r"(?i)\b(can)(not)\b|\b(gon|wan)(na)\b|\b(got)(ta)\b")
_ABBREVIATIONS = ('mr.', 'mrs.', 'ms.', 'dr.', 'st.', 'co.', 'jr.', 'sr.',
                  'inc.', 'ltd.', 'vs.', 'etc.', 'mt.')
_TOKEN = re.compile(
    r"n't|'s|'re|'ve|'ll|'d|'m"  # clitics (split off above)
    r"|[a-z](?:\.[a-z])+\.?"  # u.s., u.s.a.
    r"|(?:" + '|'.join(re.escape(a) for a in _ABBREVIATIONS) + r")(?!\w)"
    r"|\d+(?:[.,]\d+)+"  # 3.5, 1,000
    r"|\.\.\.|--|\w+(?:-\w+)*"
    r"|[^\w\s]")
_BRACKETS = {'(': '-lrb-', ')': '-rrb-', '[': '-lsb-', ']': '-rsb-',
             '{': '-lcb-', '}': '-rcb-'}


def python_ptb_tokenize(text: str) -> str:
    """Approximate the Stanford PTB tokenizer + coco-caption's clean-up.

    What ``PTBTokenizer -preserveLines -lowerCase`` followed by
    coco-caption's punctuation filter produces, in Python: lower-case;
    clitics split (``"don't" -> "do n't"``, ``"man's" -> "man 's"``,
    ``cannot`` / ``gonna`` / ``wanna`` / ``gotta`` split in two);
    punctuation split off words, keeping inner hyphens (``t-shirt``),
    decimals (``3.5``), dotted abbreviations (``u.s.``) and common title
    abbreviations (``mr.``, ``co.``); brackets become ``-lrb-`` / ``-rrb-``
    / ``-lsb-`` / ``-rsb-`` / ``-lcb-`` / ``-rcb-`` (coco-caption keeps them:
    its filter lists the upper-case forms only); then the tokens
    coco-caption drops are removed (``. , ? ! : ; - -- ... ' '' ` ```,
    double quotes). Rare constructs (other abbreviations, ``&``-entities,
    quotes inside words) can differ from the Java tokenizer; they hardly
    occur in caption corpora.
    """
    text = text.lower().replace('\n', ' ')
    text = _CLITICS.sub(r'\1 \2', text)
    text = _SPLIT_WORDS.sub(
        lambda m: ' '.join(g for g in m.groups() if g), text)
    tokens = []
    for tok in _TOKEN.findall(text):
        tok = _BRACKETS.get(tok, tok)
        if tok not in PTB_PUNCTUATIONS and tok != '"':
            tokens.append(tok)
    return ' '.join(tokens)


def java_available() -> bool:
    """True when a ``java`` executable is on the PATH."""
    return shutil.which('java') is not None


@METRICS.register_module()
class CaptionMetric(BaseMetric):
    """Corpus caption metrics with the coco-caption implementations.

    Reads ``pred_caption`` (str) and ``gt_captions`` (list of reference
    strings, metainfo) of every sample, keyed by ``eval_id`` (metainfo;
    falls back to ``video_id``): one prediction per key, the first one wins
    (a key seen twice is counted and logged). Captions are tokenised with
    the Stanford PTB tokenizer of ``pycocoevalcap`` (Java) and scored with
    ``pycocoevalcap``'s BLEU (``closest`` reference length), METEOR 1.5
    (Java), ROUGE-L and CIDEr (the coco-caption CIDEr, i.e. CIDEr-D: idf
    from the test references, Gaussian length penalty ``sigma = 6``, clipped
    counts, times 10). SPICE is not computed.

    Scores are reported times 100, as papers do: ``BLEU-1`` .. ``BLEU-4``,
    ``METEOR``, ``ROUGE-L``, ``CIDEr``, plus ``num_videos``.

    Without a Java runtime (``apt-get install default-jre-headless``):
    ``tokenizer='auto'`` falls back to :func:`python_ptb_tokenize` and
    METEOR is left out, both with a logged warning naming the reason.

    Args:
        tokenizer (str): ``'auto'`` (PTB if Java is found, else Python),
            ``'ptb'`` (Java required) or ``'python'``. Defaults to
            ``'auto'``.
        meteor (bool | str): ``True`` (Java required), ``'auto'`` (skip
            without Java) or ``False``. Defaults to ``'auto'``.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to ``'caption'``.
    """

    default_prefix = 'caption'
    TOKENIZERS = ('auto', 'ptb', 'python')

    def __init__(self,
                 tokenizer: str = 'auto',
                 meteor='auto',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if tokenizer not in self.TOKENIZERS:
            raise ValueError(f'Unknown tokenizer {tokenizer!r}; valid: '
                             f'{self.TOKENIZERS}')
        if meteor not in (True, False, 'auto'):
            raise ValueError("meteor must be True, False or 'auto', got "
                             f'{meteor!r}')
        self.tokenizer = tokenizer
        self.meteor = meteor

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store ``(eval_id, prediction, references)`` per sample."""
        for ds in data_samples:
            refs = ds.get('gt_captions')
            if not refs:
                raise KeyError('CaptionMetric needs gt_captions (the '
                               'reference captions) in every data sample: '
                               'add "gt_captions" to the meta_keys of '
                               'PackVideoTextInputs.')
            key = ds.get('eval_id', ds.get('video_id'))
            self.results.append(
                dict(key=str(key), pred=str(ds['pred_caption']),
                     refs=[str(r) for r in refs]))

    def _tokenize(self, captions: Dict[str, List[str]]
                  ) -> Dict[str, List[str]]:
        use_java = self.tokenizer == 'ptb' or (self.tokenizer == 'auto'
                                               and java_available())
        if self.tokenizer == 'ptb' and not java_available():
            raise RuntimeError('CaptionMetric(tokenizer="ptb") needs a Java '
                               'runtime (apt-get install '
                               'default-jre-headless).')
        if not use_java:
            if self.tokenizer == 'auto':
                MMLogger.get_current_instance().warning(
                    'CaptionMetric: no Java runtime, captions are tokenised '
                    'by the Python PTB approximation (python_ptb_tokenize); '
                    'install default-jre-headless for the standard PTB '
                    'tokenizer.')
            return {k: [python_ptb_tokenize(c) for c in v]
                    for k, v in captions.items()}
        from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
        return PTBTokenizer().tokenize(
            {k: [{'caption': c} for c in v] for k, v in captions.items()})

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Tokenise, then score every metric."""
        from pycocoevalcap.bleu.bleu import Bleu
        from pycocoevalcap.cider.cider import Cider
        from pycocoevalcap.rouge.rouge import Rouge
        logger = MMLogger.get_current_instance()
        preds: Dict[str, List[str]] = OrderedDict()
        refs: Dict[str, List[str]] = OrderedDict()
        duplicates = 0
        for r in results:
            if r['key'] in preds:
                duplicates += 1
                continue
            preds[r['key']] = [r['pred']]
            refs[r['key']] = r['refs']
        if duplicates:
            logger.warning(f'CaptionMetric: {duplicates} predictions for an '
                           'already scored eval_id were ignored (first kept).')
        if not preds:
            raise ValueError('CaptionMetric: no predictions to score.')
        both = self._tokenize(
            OrderedDict([(('p', k), v) for k, v in preds.items()] +
                        [(('r', k), v) for k, v in refs.items()]))
        res = {k: both.get(('p', k), ['']) for k in preds}
        gts = {k: both[('r', k)] for k in refs}
        # an empty prediction must stay one (empty) string
        res = {k: v if v else [''] for k, v in res.items()}
        metrics: Dict[str, float] = OrderedDict()
        bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
        for n, value in enumerate(bleu, 1):
            metrics[f'BLEU-{n}'] = 100.0 * value
        if self.meteor is True or (self.meteor == 'auto'
                                   and java_available()):
            if not java_available():
                raise RuntimeError('CaptionMetric(meteor=True) needs a Java '
                                   'runtime (apt-get install '
                                   'default-jre-headless).')
            from pycocoevalcap.meteor.meteor import Meteor
            scorer = Meteor()
            try:
                value, _ = scorer.compute_score(gts, res)
            finally:
                del scorer
            metrics['METEOR'] = 100.0 * value
        elif self.meteor == 'auto':
            logger.warning('CaptionMetric: METEOR skipped: no Java runtime '
                           '(apt-get install default-jre-headless).')
        metrics['ROUGE-L'] = 100.0 * Rouge().compute_score(gts, res)[0]
        metrics['CIDEr'] = 100.0 * Cider().compute_score(gts, res)[0]
        metrics['num_videos'] = float(len(preds))
        return dict(metrics)
