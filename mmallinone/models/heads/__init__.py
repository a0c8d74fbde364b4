from .cls_head import VideoClsHead
from .mlm_head import MLMHead
from .pooler import AllInOnePooler
from .qa_head import MultipleChoiceQAHead, OpenEndedQAHead
from .vtm_head import VTMHead

__all__ = [
    'AllInOnePooler', 'VTMHead', 'MLMHead', 'OpenEndedQAHead',
    'MultipleChoiceQAHead', 'VideoClsHead'
]
