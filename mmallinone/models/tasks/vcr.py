"""Visual commonsense reasoning (VCR): Q->A and QA->R multiple choice."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmallinone.registry import MODELS
from .multiple_choice import AllInOneMultipleChoice

__all__ = ['AllInOneVCR']


@MODELS.register_module()
class AllInOneVCR(AllInOneMultipleChoice):
    """Score VCR's answers (Q->A) and rationales (QA->R).

    The image is a one-frame clip ``(B, 1, 3, H, W)`` (no temporal
    embedding, no token rolling: the backbone skips both for ``S = 1``).
    Each of the K answer texts ``[CLS] q [SEP] a_i [SEP]``
    (``candidate_ids``) and each of the K rationale texts ``[CLS] q a*
    [SEP] r_j [SEP]`` (``rationale_ids``, ``a*`` the right answer) is paired
    with the image; all ``2K`` pairs of a sample run in one batched joint
    forward and are scored like :class:`AllInOneMultipleChoice`: by the
    VTM match logit ``vtm_head(pooled)[..., 1]`` (default) or by
    ``score_head``. One scorer serves both tasks, as the authors'
    ``rank_output`` and ``rank_output_2``, which share the memory of the
    ITM row, so a released ``rank_output_2`` needs no key of its
    own.

    Training: ``loss_q2a`` = CE over the K answer scores with ``gt_label``
    plus ``loss_qa2r`` = CE over the K rationale scores with
    ``rationale_label`` (the authors add both), each times its
    ``loss_weights`` entry. ``predict`` writes ``pred_score`` /
    ``pred_label`` (answers) and ``pred_rationale_score`` /
    ``pred_rationale_label``; :class:`VCRMetric` reports Q->A, QA->R and
    Q->AR accuracy.

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        loss_weights (dict): ``q2a`` and ``qa2r`` weights. Defaults to 1
            and 1.
        **kwargs: See :class:`AllInOneMultipleChoice` (``pooler``,
            ``vtm_head``, ``score_head``, ``data_preprocessor``,
            ``init_cfg``).
    """

    def __init__(self,
                 backbone: dict,
                 loss_weights: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(backbone=backbone, **kwargs)
        self.loss_weights = self.merge_loss_weights(
            dict(q2a=1.0, qa2r=1.0), loss_weights)

    def vcr_scores(self, inputs: Dict[str, Tensor]) -> Tuple[Tensor, Tensor]:
        """Answer scores ``(B, K)`` and rationale scores ``(B, K')``.

        ``candidate_ids`` and ``rationale_ids`` share their padded length
        (one length group of the batch contract), so all ``K + K'`` pairs of
        a sample run in one joint forward.
        """
        for key, step in (('candidate_ids',
                           "TokenizeCandidates(prefix_key='question')"),
                          ('rationale_ids', 'TokenizeCandidates(output_key='
                           "'rationale_ids') and PackVCRInputs")):
            if key not in inputs:
                raise KeyError(f'VCR needs {key}: add {step} to the '
                               'pipeline.')
        k = inputs['candidate_ids'].shape[1]
        ids = torch.cat([inputs['candidate_ids'], inputs['rationale_ids']],
                        dim=1)
        mask = torch.cat(
            [inputs['candidate_mask'], inputs['rationale_mask']], dim=1)
        pooled = self.candidates_pooled(inputs['imgs'], ids, mask)
        if self.score_head is not None:
            scores = self.score_head(pooled)
        else:
            scores = self.match_logit(pooled)
        return scores[:, :k], scores[:, k:]

    @staticmethod
    def rationale_labels(data_samples: list, device: torch.device) -> Tensor:
        """``(B,)`` long tensor of the samples' ``rationale_label``."""
        return torch.stack([
            torch.as_tensor(ds.rationale_label).reshape(-1)[0]
            for ds in data_samples
        ]).long().to(device)

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        """CE over answers and over rationales; batch accuracies.

        Returns:
            dict: ``loss_q2a``, ``loss_qa2r``, ``acc_q2a``, ``acc_qa2r``.
        """
        a_scores, r_scores = self.vcr_scores(inputs)
        a_scores, r_scores = a_scores.float(), r_scores.float()
        a_gt = self.gt_labels(data_samples, a_scores.device)
        r_gt = self.rationale_labels(data_samples, r_scores.device)
        return dict(
            loss_q2a=self.loss_weights['q2a'] *
            F.cross_entropy(a_scores, a_gt),
            loss_qa2r=self.loss_weights['qa2r'] *
            F.cross_entropy(r_scores, r_gt),
            acc_q2a=(a_scores.argmax(-1) == a_gt).float().mean().detach(),
            acc_qa2r=(r_scores.argmax(-1) == r_gt).float().mean().detach())

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> List:
        """Write answer and rationale scores / labels per sample.

        Without ``rationale_ids`` (answer choice only, e.g. from
        ``answer_question``) only the answers are scored, as by
        :class:`AllInOneMultipleChoice`.
        """
        if 'rationale_ids' not in inputs:
            return super().predict(inputs, data_samples)
        a_scores, r_scores = self.vcr_scores(inputs)
        data_samples = self.write_predictions(a_scores.float().softmax(-1),
                                              data_samples)
        r_scores = r_scores.float().softmax(-1)
        for ds, r in zip(data_samples, r_scores):
            ds.set_field(r.detach().cpu(), 'pred_rationale_score')
            ds.set_field(r.argmax().detach().cpu().reshape(1),
                         'pred_rationale_label')
        return data_samples
