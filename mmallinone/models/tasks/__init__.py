from .base import AllInOneBaseModel
from .multiple_choice import AllInOneMultipleChoice
from .pretrainer import AllInOnePretrainer
from .video_qa import AllInOneVideoQA

__all__ = ['AllInOneBaseModel', 'AllInOnePretrainer', 'AllInOneVideoQA',
    'AllInOneMultipleChoice']
