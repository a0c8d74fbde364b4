"""Video decoder backends behind one interface (:class:`BaseVideoReader`).

``open_video(data, backend)`` opens in-memory video bytes with ``'decord'``,
``'pyav'`` or ``'torchcodec'``; ``'auto'`` takes the first installed of
:data:`AUTO_ORDER` (decord where it installs, as before).
"""
import functools
import importlib.util
from typing import Dict, List, Type

from .base import BaseVideoReader
from .decord_reader import DecordVideoReader
from .pyav_reader import PyAVVideoReader
from .torchcodec_reader import TorchCodecVideoReader

#: Backend name -> (reader class, module that must be importable).
VIDEO_READERS: Dict[str, Type[BaseVideoReader]] = {
    'decord': DecordVideoReader,
    'pyav': PyAVVideoReader,
    'torchcodec': TorchCodecVideoReader,
}
_MODULES = {'decord': 'decord', 'pyav': 'av', 'torchcodec': 'torchcodec'}

#: Preference of ``backend='auto'``.
AUTO_ORDER = ('decord', 'torchcodec', 'pyav')


@functools.lru_cache(maxsize=None)
def backend_installed(backend: str) -> bool:
    """Whether the backend's Python package can be imported."""
    module = _MODULES[backend]
    try:
        if importlib.util.find_spec(module) is None:
            return False
        importlib.import_module(module)
    except Exception:  # noqa: BLE001 - missing, blocked or broken install
        return False
    return True


def available_backends() -> List[str]:
    """Installed backends, in ``'auto'`` preference order."""
    return [b for b in AUTO_ORDER if backend_installed(b)]


def resolve_backend(backend: str) -> str:
    """The concrete backend for a config value (``'auto'`` resolved).

    Raises:
        ValueError: Unknown name.
        ImportError: The backend (or, for ``'auto'``, every backend) is not
            installed; the message says what to install.
    """
    if backend == 'auto':
        found = next((b for b in AUTO_ORDER if backend_installed(b)), None)
        if found is None:
            raise ImportError(
                'no video decoder installed: pip install av (PyAV), '
                'torchcodec or decord (see requirements/decoders.txt)')
        return found
    if backend not in VIDEO_READERS:
        raise ValueError(f'unknown video backend {backend!r}, choose from '
                         f"{['auto'] + list(VIDEO_READERS)}")
    if not backend_installed(backend):
        pip = {'pyav': 'av'}.get(backend, backend)
        raise ImportError(f'video backend {backend!r} is not installed: '
                          f'pip install {pip} (installed: '
                          f'{available_backends() or "none"})')
    return backend


def open_video(data: bytes, backend: str = 'auto', num_threads: int = 1,
               device: str = 'cpu') -> BaseVideoReader:
    """Open in-memory video bytes with a decoder backend.

    Args:
        data (bytes): The whole video file.
        backend (str): ``'auto'``, ``'decord'``, ``'pyav'`` or
            ``'torchcodec'``. Defaults to ``'auto'``.
        num_threads (int): Decoding threads. Defaults to 1.
        device (str): ``'cpu'``; ``'cuda[:N]'`` with torchcodec (NVDEC).
            Defaults to ``'cpu'``.

    Returns:
        BaseVideoReader: The opened video.
    """
    cls = VIDEO_READERS[resolve_backend(backend)]
    return cls(data, num_threads=num_threads, device=device)


__all__ = [
    'BaseVideoReader', 'DecordVideoReader', 'PyAVVideoReader',
    'TorchCodecVideoReader', 'VIDEO_READERS', 'AUTO_ORDER',
    'available_backends', 'backend_installed', 'resolve_backend',
    'open_video'
]
