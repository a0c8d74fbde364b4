"""Multiple choice: video QA (TGIF Action/Transition, TVQA) and captions."""
from typing import Dict, List, Optional

import torch.nn.functional as F
from torch import Tensor

from mmallinone.registry import MODELS
from .base import AllInOneBaseModel

__all__ = ['AllInOneMultipleChoice']


@MODELS.register_module()
class AllInOneMultipleChoice(AllInOneBaseModel):
    """Score K candidate texts per video; the highest score is the answer.

    One model class serves both multiple-choice families of the paper:

    - **caption multiple choice** (MSR-VTT MC, LSMDC MC, Ego4D MC):
      each candidate caption ``[CLS] c [SEP]`` is paired with the
      video;
    - **multiple-choice video QA** (TGIF Action / Transition, TVQA):
      each candidate is ``[CLS] question [SEP] answer [SEP]``
      (``TokenizeCandidates(prefix_key='question')`` in the pipeline; the
      authors concatenate strings instead).

    Every (video, candidate) pair runs one joint forward (``B*K`` in all)
    and its pooled feature ``(B, K, C)`` is scored by

    - ``score_head=None`` (default): the **VTM match logit**
      ``vtm_head(pooled)[..., 1]``. ``vtm_head`` has the pre-training keys
      (``vtm_head.fc.*``), so a pre-training checkpoint loaded with
      ``load_from`` provides it unchanged: this is the authors'
      ``rank_output`` (row 1 of the ITM head) without the storage aliasing,
      and nothing is re-initialised after loading. Zero-shot
      evaluation is ``tools/test.py`` with a pre-training checkpoint.
    - ``score_head=dict(type='MultipleChoiceQAHead')``: the authors' MLP
      ``mc_vqa_classifier`` (N(0, 0.02) initialised; ``vtm_head`` is not
      built).

    Training: cross-entropy over the K scores with the index of the right
    candidate (``gt_label``). ``predict`` writes ``pred_score`` (softmax over
    candidates, ``(K,)``) and ``pred_label``.

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        pooler (dict): Pooler config. Defaults to ``AllInOnePooler``.
        vtm_head (dict, optional): VTM head config, used when
            ``score_head`` is None. Defaults to ``dict(type='VTMHead')``.
        score_head (dict, optional): An MLP scorer returning one score per
            pooled feature (e.g. ``MultipleChoiceQAHead``). Defaults to None.
        data_preprocessor (dict, optional): Defaults to
            ``VideoTextDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    INIT_HEADS = ('vtm_head', 'score_head')
    CAPABILITIES = frozenset({'choose', 'match'})

    def __init__(self,
                 backbone: dict,
                 pooler: dict = dict(type='AllInOnePooler'),
                 vtm_head: Optional[dict] = dict(type='VTMHead'),
                 score_head: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            pooler=pooler,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if score_head is None and not vtm_head:
            raise ValueError('AllInOneMultipleChoice needs vtm_head or '
                             'score_head to score candidates')
        self.score_head = self.build_head(score_head)
        self.vtm_head = None if self.score_head is not None else \
            self.build_head(vtm_head)

    def candidate_scores(self, inputs: Dict[str, Tensor]) -> Tensor:
        """Scores ``(B, K)`` of every candidate of a preprocessed batch."""
        if 'candidate_ids' not in inputs:
            raise KeyError('Multiple choice needs candidate_ids: add '
                           'TokenizeCandidates to the pipeline.')
        pooled = self.candidates_pooled(inputs['imgs'],
                                        inputs['candidate_ids'],
                                        inputs['candidate_mask'])
        if self.score_head is not None:
            return self.score_head(pooled)
        return self.match_logit(pooled)

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        """Cross-entropy over candidates and batch accuracy.

        Returns:
            dict: ``loss_mc`` and ``acc_mc``.
        """
        scores = self.candidate_scores(inputs).float()
        labels = self.gt_labels(data_samples, scores.device)
        return dict(
            loss_mc=F.cross_entropy(scores, labels),
            acc_mc=(scores.argmax(-1) == labels).float().mean().detach())

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> List:
        """Write ``pred_score`` ``(K,)`` and ``pred_label`` per sample."""
        scores = self.candidate_scores(inputs).float().softmax(-1)
        return self.write_predictions(scores, data_samples)
