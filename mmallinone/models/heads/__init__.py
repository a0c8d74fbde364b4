from .mlm_head import MLMHead
from .pooler import AllInOnePooler
from .vtm_head import VTMHead

__all__ = ['AllInOnePooler', 'VTMHead', 'MLMHead']
