from .base import AllInOneBaseModel
from .captioner import AllInOneCaptioner
from .multiple_choice import AllInOneMultipleChoice
from .pretrainer import AllInOnePretrainer
from .retrieval import AllInOneRetrieval
from .video_classifier import AllInOneVideoClassifier
from .vcr import AllInOneVCR
from .video_qa import AllInOneVideoQA
from .zero_shot_classifier import AllInOneZeroShotClassifier
from .zero_shot_retrieval import AllInOneZeroShotRetrieval

__all__ = [
    'AllInOneBaseModel', 'AllInOnePretrainer', 'AllInOneRetrieval', 'AllInOneVideoQA',
    'AllInOneMultipleChoice', 'AllInOneVideoClassifier', 'AllInOneVCR',
    'AllInOneZeroShotClassifier', 'AllInOneZeroShotRetrieval',
    'AllInOneCaptioner'
]
