"""Video classification on the video-only path of All-in-One."""
from typing import Dict, Optional

from torch import Tensor

from mmallinone.registry import MODELS
from .base import AllInOneBaseModel

__all__ = ['AllInOneVideoClassifier']


@MODELS.register_module()
class AllInOneVideoClassifier(AllInOneBaseModel):
    """Classify clips from the frame-averaged visual CLS token.

    The clip goes through the video-only path (set the backbone's
    ``roll_video_only=True`` to let frames interact there, or use
    ``temporal_mode='flatten'``); the visual CLS token, averaged over frames,
    feeds ``cls_head`` (through the pooler when ``use_pooler``).

    ``predict`` sets ``pred_score`` (softmax) and ``pred_label`` on each
    data sample, which ``mmaction.AccMetric`` reads.

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        cls_head (dict): Head config, e.g. ``dict(type='VideoClsHead',
            num_classes=2)``.
        use_pooler (bool): Put the pooler (dense + tanh) before the head.
            Defaults to False.
        **kwargs: See :class:`AllInOneBaseModel`.
    """

    CAPABILITIES = frozenset({'classify'})

    def __init__(self,
                 backbone: dict,
                 cls_head: dict,
                 use_pooler: bool = False,
                 pooler: Optional[dict] = dict(type='AllInOnePooler'),
                 **kwargs) -> None:
        super().__init__(
            backbone=backbone, pooler=pooler if use_pooler else None,
            **kwargs)
        self.use_pooler = use_pooler
        self.cls_head = self.build_head(cls_head)

    def video_logits(self, imgs: Tensor) -> Tensor:
        """``(B, S, 3, H, W)`` -> logits ``(B, num_classes)``."""
        return self.cls_logits(self.backbone.forward_video(imgs)[:, 0])

    def cls_logits(self, cls: Tensor) -> Tensor:
        """Visual CLS ``(B, C)`` -> logits ``(B, num_classes)``."""
        if self.use_pooler:
            cls = self.pooler(cls)
        return self.cls_head(cls)

    def extract_feat(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Video-only features and logits (one backbone pass)."""
        feats = self.backbone(imgs=inputs['imgs'])
        return dict(feats, logits=self.cls_logits(feats['cls_token']))

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        logits = self.video_logits(inputs['imgs'])
        labels = self.gt_labels(data_samples, logits.device)
        return self.cls_head.loss(logits, labels)

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> list:
        scores = self.video_logits(inputs['imgs']).softmax(-1)
        for ds, score in zip(data_samples, scores):
            ds.set_pred_score(score.detach())
            ds.set_pred_label(score.argmax().detach())
        return data_samples
