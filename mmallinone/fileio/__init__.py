"""File I/O of mmallinone: an fsspec backend for remote data (registered)."""
from .fsspec_backend import (REMOTE_PREFIXES, FsspecBackend, RemoteReadError,
                             get_backend, read_range, register_fsspec_backend,
                             remote_stats)

register_fsspec_backend()

__all__ = [
    'FsspecBackend', 'RemoteReadError', 'REMOTE_PREFIXES', 'get_backend',
    'read_range', 'register_fsspec_backend', 'remote_stats'
]
