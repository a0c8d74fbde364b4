from .base import AllInOneBaseModel
from .multiple_choice import AllInOneMultipleChoice
from .pretrainer import AllInOnePretrainer
from .retrieval import AllInOneRetrieval
from .video_classifier import AllInOneVideoClassifier
from .video_qa import AllInOneVideoQA

__all__ = [
    'AllInOneBaseModel', 'AllInOnePretrainer', 'AllInOneRetrieval', 'AllInOneVideoQA',
    'AllInOneMultipleChoice', 'AllInOneVideoClassifier'
]
