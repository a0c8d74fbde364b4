from .allinone import AllInOneTransformer
from .allinone_video import AllInOneVideoBackbone

__all__ = ['AllInOneTransformer', 'AllInOneVideoBackbone']
