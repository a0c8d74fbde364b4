"""An fsspec-backed MMEngine file backend for remote data.

MMEngine 0.10.7 reads ``s3://`` through ``PetrelBackend``, which needs the
``petrel_client`` package (not on PyPI), and ``http(s)://`` through a plain
``urllib`` backend without range reads or retries. :class:`FsspecBackend`
reads every URL that `fsspec <https://filesystem-spec.readthedocs.io>`_
understands (``s3://`` with s3fs, ``gs://`` with gcsfs, ``http(s)://`` with
aiohttp, ``hf://`` with huggingface_hub) and is registered for those
prefixes when :mod:`mmallinone` is imported, so ``mmengine.fileio.get(url)``,
``data_root='s3://bucket/webvid'`` and shard URLs just work.

**Credentials** are never taken from a config (configs are logged and saved
next to checkpoints): each fsspec implementation reads them from its usual
environment variables and files (``AWS_ACCESS_KEY_ID`` / ``AWS_PROFILE`` /
``~/.aws/credentials``; ``GOOGLE_APPLICATION_CREDENTIALS`` / gcloud;
``HF_TOKEN`` / ``huggingface-cli login``) or from fsspec's own config
folder (``~/.config/fsspec/*.json``, ``FSSPEC_<PROTOCOL>_<OPTION>``
variables). ``storage_options`` that look like secrets are refused.

**Dropped connections** (a reset socket, a short read, a 5xx answer) are
retried ``max_retries`` times with exponential back-off; then the read
raises :class:`RemoteReadError` naming the URL, which the datasets turn into
a logged, counted skip. Missing files and denied access are not retried.
"""
import contextlib
import os
import os.path as osp
import re
import tempfile
import threading
import time
from typing import Any, Dict, Iterator, Optional, Tuple, Union

from mmengine.fileio import register_backend
from mmengine.fileio.backends import BaseStorageBackend
from mmengine.logging import MMLogger

__all__ = [
    'FsspecBackend', 'RemoteReadError', 'REMOTE_PREFIXES', 'read_range',
    'register_fsspec_backend', 'remote_stats'
]

#: URL prefixes served by :class:`FsspecBackend`.
REMOTE_PREFIXES = ('s3', 'gs', 'gcs', 'http', 'https', 'hf')

_SECRET_KEY = re.compile(
    r'(secret|token|password|passwd|credential|^key$|access_key|api_key)',
    re.IGNORECASE)
_NOT_RETRIED = (FileNotFoundError, PermissionError, IsADirectoryError,
                NotADirectoryError, ValueError, TypeError)

# per-process counters (each dataloader worker has its own)
_STATS = dict(reads=0, retries=0, failures=0)
_LOCK = threading.Lock()


class RemoteReadError(IOError):
    """A remote read that still failed after all retries."""


def remote_stats() -> Dict[str, int]:
    """Counters of this process: ``reads``, ``retries``, ``failures``."""
    with _LOCK:
        return dict(_STATS)


def _count(key: str) -> None:
    with _LOCK:
        _STATS[key] += 1


def _protocol(url: str) -> str:
    return url.split('://', 1)[0].lower() if '://' in url else 'file'


class FsspecBackend(BaseStorageBackend):
    """MMEngine storage backend over fsspec file systems.

    Args:
        storage_options (dict, optional): Non-secret options of the fsspec
            file system (e.g. ``dict(endpoint_url=...)`` for an S3-compatible
            store, ``dict(anon=True)``); keys that look like credentials
            raise a ``ValueError``. Defaults to None.
        max_retries (int): Retries of a failed read. Defaults to 3.
        retry_wait (float): Seconds before the first retry, doubled after
            each. Defaults to 0.5.
    """

    def __init__(self,
                 storage_options: Optional[dict] = None,
                 max_retries: int = 3,
                 retry_wait: float = 0.5) -> None:
        storage_options = dict(storage_options or {})
        secret = [k for k in storage_options if _SECRET_KEY.search(k)]
        if secret:
            raise ValueError(
                f'FsspecBackend: storage_options {secret} look like '
                'credentials; configs are logged, so give credentials through '
                'the environment or the file system\'s config files instead '
                '(see mmallinone/fileio/fsspec_backend.py)')
        if max_retries < 0:
            raise ValueError(f'max_retries must be >= 0, got {max_retries}')
        self.storage_options = storage_options
        self.max_retries = max_retries
        self.retry_wait = retry_wait
        self._fs: Dict[str, Any] = {}

    # ------------------------------------------------------------ helpers
    def fs(self, url: str):
        """The fsspec file system of ``url`` (one per protocol and process).

        Not shared across ``fork``: a dataloader worker must not reuse the
        parent's connection pool and event loop.
        """
        key = (_protocol(url), os.getpid())
        if key not in self._fs:
            import fsspec
            self._fs[key] = fsspec.filesystem(
                key[0], skip_instance_cache=True, **self.storage_options)
        return self._fs[key]

    def _retry(self, what: str, url: str, fn, *args):
        wait = self.retry_wait
        for attempt in range(self.max_retries + 1):
            try:
                out = fn(*args)
                _count('reads')
                return out
            except _NOT_RETRIED:
                raise
            except Exception as err:  # noqa: BLE001 - retried, then raised
                if attempt == self.max_retries:
                    _count('failures')
                    raise RemoteReadError(
                        f'{what} "{url}" failed after {attempt + 1} attempts:'
                        f' {type(err).__name__}: {err}') from err
                _count('retries')
                MMLogger.get_current_instance().warning(
                    f'FsspecBackend: {what} "{url}" failed '
                    f'({type(err).__name__}: {err}); retry {attempt + 1}/'
                    f'{self.max_retries} in {wait:.1f} s')
                time.sleep(wait)
                wait *= 2

    # ------------------------------------------------------------ reading
    def get(self, filepath: Union[str, os.PathLike]) -> bytes:
        """Read a whole file as bytes (retried)."""
        url = str(filepath)
        return self._retry('reading', url, self.fs(url).cat_file, url)

    def get_text(self, filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> str:
        """Read a whole file as text (retried)."""
        return self.get(filepath).decode(encoding)

    def get_range(self, filepath: Union[str, os.PathLike], start: int,
                  size: int) -> bytes:
        """Read ``size`` bytes from byte ``start`` (one range request).

        A short answer (the connection dropped mid-transfer, or a server
        ignoring ``Range``) counts as a failed attempt and is retried.
        """
        url = str(filepath)

        def read() -> bytes:
            data = self.fs(url).cat_file(url, start=start, end=start + size)
            if len(data) != size:
                raise IOError(f'got {len(data)} bytes of {size} '
                              f'(range {start}-{start + size - 1})')
            return data

        return self._retry('reading', url, read)

    def info(self, filepath: Union[str, os.PathLike]) -> dict:
        """fsspec ``info`` of a file (size, ETag...; retried)."""
        url = str(filepath)
        return self._retry('stat of', url, self.fs(url).info, url)

    @contextlib.contextmanager
    def open(self, filepath: Union[str, os.PathLike], block_size: int = 1 << 20
             ) -> Iterator[Any]:
        """A seekable read-only file object (``block_size`` range reads)."""
        url = str(filepath)
        with self.fs(url).open(url, 'rb', block_size=block_size) as f:
            yield f

    def exists(self, filepath: Union[str, os.PathLike]) -> bool:
        url = str(filepath)
        return self.fs(url).exists(url)

    def isfile(self, filepath: Union[str, os.PathLike]) -> bool:
        url = str(filepath)
        return self.fs(url).isfile(url)

    def isdir(self, filepath: Union[str, os.PathLike]) -> bool:
        url = str(filepath)
        return self.fs(url).isdir(url)

    def glob(self, pattern: str) -> list:
        """URLs matching a glob pattern, sorted, with the protocol."""
        protocol = _protocol(pattern)
        paths = self.fs(pattern).glob(pattern)
        out = []
        for p in paths:
            out.append(p if '://' in p else f'{protocol}://{p}')
        return sorted(out)

    def join_path(self, filepath: Union[str, os.PathLike],
                  *filepaths: Union[str, os.PathLike]) -> str:
        url = str(filepath)
        for part in filepaths:
            url = url.rstrip('/') + '/' + str(part).lstrip('/')
        return url

    @contextlib.contextmanager
    def get_local_path(self, filepath: Union[str, os.PathLike]
                       ) -> Iterator[str]:
        """Download to a temporary file; removed when the context exits."""
        data = self.get(filepath)
        suffix = osp.splitext(str(filepath))[1]
        f = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
        try:
            f.write(data)
            f.close()
            yield f.name
        finally:
            os.remove(f.name)

    # ------------------------------------------------------------ writing
    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        url = str(filepath)
        self.fs(url).pipe_file(url, obj)

    def put_text(self, obj: str, filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)

    def list_dir_or_file(self, dir_path: Union[str, os.PathLike],
                         list_dir: bool = True, list_file: bool = True,
                         suffix: Optional[Union[str, Tuple[str]]] = None,
                         recursive: bool = False) -> Iterator[str]:
        url = str(dir_path).rstrip('/')
        fs = self.fs(url)
        entries = fs.find(url, withdirs=True, detail=True) if recursive \
            else fs.ls(url, detail=True)
        if isinstance(entries, dict):
            entries = list(entries.values())
        base = fs._strip_protocol(url).rstrip('/')
        for e in entries:
            rel = fs._strip_protocol(e['name'])[len(base):].lstrip('/')
            if not rel:
                continue
            is_dir = e.get('type') == 'directory'
            if is_dir and list_dir:
                yield rel
            elif not is_dir and list_file and (
                    suffix is None or rel.endswith(suffix)):
                yield rel


def read_range(path: str, start: int, size: int,
               backend_args: Optional[dict] = None) -> bytes:
    """Read ``size`` bytes at ``start`` of a local file or a remote URL.

    Args:
        path (str): Local path or URL.
        start (int): First byte.
        size (int): Number of bytes.
        backend_args (dict, optional): Arguments of :class:`FsspecBackend`
            for URLs. Defaults to None.

    Returns:
        bytes: Exactly ``size`` bytes.

    Raises:
        RemoteReadError: A remote read failed after its retries.
        EOFError: A local file is shorter than ``start + size``.
    """
    if _protocol(path) in REMOTE_PREFIXES:
        return get_backend(backend_args).get_range(path, start, size)
    with open(path, 'rb') as f:
        f.seek(start)
        data = f.read(size)
    if len(data) != size:
        raise EOFError(f'"{path}" ends at byte {start + len(data)}, expected '
                       f'{size} bytes from byte {start}')
    return data


_BACKENDS: Dict[str, FsspecBackend] = {}


def get_backend(backend_args: Optional[dict] = None) -> FsspecBackend:
    """A cached :class:`FsspecBackend` for these arguments."""
    args = dict(backend_args or {})
    args.pop('backend', None)
    key = repr(sorted(args.items()))
    if key not in _BACKENDS:
        _BACKENDS[key] = FsspecBackend(**args)
    return _BACKENDS[key]


def register_fsspec_backend() -> None:
    """Register :class:`FsspecBackend` as ``'fsspec'`` for the prefixes.

    ``http``/``https`` (MMEngine's ``HTTPBackend``) and ``s3``
    (``PetrelBackend``) are taken over; ``backend_args=dict(
    backend='petrel')`` still selects MMEngine's own backend.
    """
    register_backend('fsspec', FsspecBackend, force=True,
                     prefixes=list(REMOTE_PREFIXES))
