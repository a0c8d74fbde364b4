from .allinone import AllInOneTransformer

__all__ = ['AllInOneTransformer']
