"""Open-ended video question answering (MSRVTT-QA, MSVD-QA, TGIF-Frame)."""
from typing import Dict, List, Optional

import torch.nn.functional as F
from torch import Tensor

from mmallinone.registry import MODELS
from .base import AllInOneBaseModel

__all__ = ['AllInOneVideoQA']


@MODELS.register_module()
class AllInOneVideoQA(AllInOneBaseModel):
    """Answer classification on the pooled joint feature.

    The question and the video go through one joint forward; the pooled
    text-CLS feature ``(B, C)`` is classified over the answer vocabulary by
    :class:`OpenEndedQAHead` (``vqa_head``). Training uses cross-entropy with
    out-of-vocabulary questions (``gt_label == -100``, set by the dataset)
    ignored, as the authors.

    ``predict`` writes ``pred_score`` (softmax over answers, ``(N,)``) and
    ``pred_label`` into every data sample; :class:`VideoQAMetric` reports the
    accuracy over in-vocabulary questions and over all questions.

    A pre-training checkpoint loads with ``load_from`` (keys ``backbone.*``,
    ``pooler.*``); the VTM / MLM heads are unused here and reported as
    unexpected keys; ``vqa_head`` starts from N(0, 0.02).

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        vqa_head (dict): Head config; ``in_channels`` defaults to the
            backbone width, ``num_classes`` is required.
        pooler (dict): Pooler config. Defaults to ``AllInOnePooler``.
        ignore_index (int): Label of out-of-vocabulary answers.
            Defaults to -100.
        data_preprocessor (dict, optional): Defaults to
            ``VideoTextDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    INIT_HEADS = ('vqa_head', )
    CAPABILITIES = frozenset({'answer'})

    def __init__(self,
                 backbone: dict,
                 vqa_head: dict,
                 pooler: dict = dict(type='AllInOnePooler'),
                 ignore_index: int = -100,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            pooler=pooler,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.vqa_head = self.build_head(vqa_head)
        self.ignore_index = ignore_index

    def answer_logits(self, inputs: Dict[str, Tensor]) -> Tensor:
        """Answer logits ``(B, N)`` of a preprocessed batch."""
        pooled = self.joint_pooled(inputs['imgs'], inputs['input_ids'],
                                   inputs.get('attention_mask'))
        return self.vqa_head(pooled)

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        """Cross-entropy over answers (OOV ignored) and batch accuracy.

        Returns:
            dict: ``loss_vqa`` and ``acc_vqa`` (over in-vocabulary
            questions; 0 for a batch without any).
        """
        logits = self.answer_logits(inputs).float()
        labels = self.gt_labels(data_samples, logits.device)
        valid = labels != self.ignore_index
        if valid.any():
            loss = F.cross_entropy(
                logits, labels, ignore_index=self.ignore_index)
            acc = (logits.argmax(-1)[valid] == labels[valid]).float().mean()
        else:  # every answer OOV: keep the graph, contribute nothing
            loss = logits.sum() * 0.0
            acc = logits.new_zeros(())
        return dict(loss_vqa=loss, acc_vqa=acc.detach())

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> List:
        """Write ``pred_score`` ``(N,)`` and ``pred_label`` per sample."""
        scores = self.answer_logits(inputs).float().softmax(-1)
        return self.write_predictions(scores, data_samples)

