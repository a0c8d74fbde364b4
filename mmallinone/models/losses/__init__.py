from .contrastive_loss import (VideoTextContrastiveLoss,
                               cosine_similarity_matrix,
                               gather_with_local_grad)
from .wpa_loss import WordPatchAlignmentLoss, ipot

__all__ = [
    'WordPatchAlignmentLoss', 'ipot', 'VideoTextContrastiveLoss',
    'cosine_similarity_matrix', 'gather_with_local_grad'
]
