from .backbones import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .tasks import *  # noqa: F401,F403

__all__ = [
    'AllInOneTransformer', 'TemporalTokenRoll', 'AllInOnePooler', 'VTMHead',
    'MLMHead', 'WordPatchAlignmentLoss', 'VideoTextDataPreprocessor',
    'AllInOnePretrainer', 'AllInOneRetrieval', 'VideoTextContrastiveLoss', 'AllInOneVideoQA', 'AllInOneMultipleChoice',
    'OpenEndedQAHead', 'MultipleChoiceQAHead', 'AllInOneVideoBackbone',
    'AllInOneZeroShotClassifier', 'AllInOneVCR', 'AllInOneZeroShotRetrieval'
]
