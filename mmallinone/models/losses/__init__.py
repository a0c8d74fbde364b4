from .wpa_loss import WordPatchAlignmentLoss, ipot

__all__ = ['WordPatchAlignmentLoss', 'ipot']
