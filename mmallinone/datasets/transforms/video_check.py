"""Video opening that turns decoder crashes into catchable errors.

decord 0.6.0 segfaults (SIGSEGV, uncatchable in Python) inside
``decord.VideoReader(io.BytesIO(...))`` on a truncated AVI (xvid): the
``movi`` list of the file claims more bytes than the file has. mmaction2's
``DecordInit`` reads every video through ``io.BytesIO``, so a single such
file kills a dataloader worker, and with it the training run.

:class:`SafeDecordInit` is a drop-in for ``mmaction.DecordInit`` that, before
handing the bytes to decord,

- checks the container's chunk/box sizes (RIFF/AVI and ISO-BMFF/MP4/MOV), a
  pure-Python walk over a few headers: a truncated file raises
  :class:`VideoCheckError` naming the file and the chunk;
- optionally opens and decodes the video in a *subprocess* (``probe``), so
  that a crash there becomes a :class:`VideoCheckError` (with the signal
  name) in the parent; results are cached per file in each process;
- rejects videos with fewer than ``min_frames`` frames.

The dataset (:class:`~mmallinone.datasets.BaseVideoTextDataset`) turns the
error into a logged, counted skip in training and a ``RuntimeError`` naming
the file in test mode.
"""
import contextlib
import io
import os
import os.path as osp
import re
import signal
import struct
import subprocess
import sys
import tempfile
from typing import Dict, Iterator, List, Optional, Tuple

from mmaction.datasets.transforms import DecordInit
from mmengine import fileio

from mmallinone.registry import TRANSFORMS

__all__ = [
    'VideoCheckError', 'check_container', 'container_kind', 'probe_video',
    'SafeVideoOpenMixin', 'SafeDecordInit', 'capture_native_stderr',
    'open_decord_quietly'
]


@contextlib.contextmanager
def capture_native_stderr(max_bytes: int = 4096) -> Iterator[List[str]]:
    """Send file descriptor 2 to a temporary file for the ``with`` block.

    FFmpeg (through decord) and decord's own C++ logging write straight to
    the process's stderr, bypassing Python; for a broken in-memory video
    decord prints ``ERROR opening: `` followed by the video's raw bytes, in
    every dataloader worker. Yields a list that, after the block, holds one
    string: the first ``max_bytes`` bytes written, with non-printable bytes
    replaced by ``?`` and white space collapsed.
    """
    captured: List[str] = []
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError):
        pass
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            raw = tmp.read(max_bytes)
            text = re.sub(rb'[^\x20-\x7e\n\t]', b'?', raw).decode()
            captured.append(' '.join(text.split()))


def _quiet_decord() -> None:
    """Silence FFmpeg's log through decord (once per process)."""
    import decord
    decord.logging.set_level(decord.logging.QUIET)


def open_decord_quietly(data: bytes, filename: str, num_threads: int = 1,
                        quiet: bool = True):
    """``decord.VideoReader`` over ``data`` without decord's terminal noise.

    With ``quiet``, FFmpeg's log level is set to quiet and the native stderr
    is captured while the file opens (for a broken in-memory video decord
    prints the video's raw bytes there). An open failure raises
    :class:`VideoCheckError` naming ``filename``.
    """
    import decord
    error = None
    if quiet:
        _quiet_decord()
    with (capture_native_stderr() if quiet else
          contextlib.nullcontext([''])):
        try:
            reader = decord.VideoReader(io.BytesIO(data),
                                        num_threads=num_threads)
        except Exception as err:  # noqa: BLE001 - re-raised below
            error = err
    if error is not None:
        raise VideoCheckError(
            f'decord cannot open "{filename}": {type(error).__name__}: '
            f'{str(error)[:200]}') from None
    return reader


class VideoCheckError(ValueError):
    """A video that is truncated, crashes the decoder or is too short."""


def _walk_riff(data: bytes, filename: str) -> None:
    """Check the chunk sizes of a RIFF (AVI) file against its length.

    Walks the top-level ``RIFF`` chunks (AVI + OpenDML ``AVIX``) and the
    chunks / lists directly inside them (``hdrl``, ``movi``, ``idx1``...).
    """
    size = len(data)
    pos = 0
    while pos + 12 <= size:
        tag = data[pos:pos + 4]
        if tag != b'RIFF':
            if pos == 0:
                return
            break  # trailing junk after the last RIFF chunk is tolerated
        riff_size = struct.unpack('<I', data[pos + 4:pos + 8])[0]
        riff_end = pos + 8 + riff_size
        if riff_end > size + 1:  # +1: a missing pad byte is tolerated
            raise VideoCheckError(
                f'truncated video "{filename}": the RIFF chunk at byte {pos} '
                f'declares {riff_size + 8} bytes, the file has {size - pos} '
                'from there')
        inner = pos + 12
        while inner + 8 <= min(riff_end, size):
            cid = data[inner:inner + 4]
            csize = struct.unpack('<I', data[inner + 4:inner + 8])[0]
            cend = inner + 8 + csize
            if cend > min(riff_end, size) + 1:
                name = cid.decode('latin-1')
                if cid == b'LIST':
                    name += ' ' + data[inner + 8:inner + 12].decode('latin-1')
                raise VideoCheckError(
                    f'truncated video "{filename}": chunk "{name}" at byte '
                    f'{inner} declares {csize} bytes, only '
                    f'{max(0, min(riff_end, size) - inner - 8)} follow')
            inner = cend + (csize & 1)
        pos = riff_end + (riff_size & 1)


_MP4_TOP_BOXES = {
    b'ftyp', b'moov', b'mdat', b'free', b'skip', b'wide', b'uuid', b'pdin',
    b'moof', b'mfra', b'meta', b'styp', b'sidx', b'emsg', b'prft', b'udta'
}


def _walk_mp4(data: bytes, filename: str) -> None:
    """Check the top-level box sizes of an ISO-BMFF (MP4/MOV) file."""
    size = len(data)
    pos = 0
    while pos + 8 <= size:
        box_size, box_type = struct.unpack('>I4s', data[pos:pos + 8])
        header = 8
        if box_size == 1:
            if pos + 16 > size:
                raise VideoCheckError(
                    f'truncated video "{filename}": box header at byte {pos}')
            box_size = struct.unpack('>Q', data[pos + 8:pos + 16])[0]
            header = 16
        elif box_size == 0:
            return  # extends to the end of the file
        if box_size < header:
            raise VideoCheckError(
                f'corrupt video "{filename}": box "{box_type!r}" at byte '
                f'{pos} has size {box_size}')
        if pos + box_size > size:
            raise VideoCheckError(
                f'truncated video "{filename}": box '
                f'"{box_type.decode("latin-1")}" at byte {pos} declares '
                f'{box_size} bytes, only {size - pos} follow')
        pos += box_size


def check_container(data: bytes, filename: str = '<bytes>') -> str:
    """Check that a video file's container headers fit in its bytes.

    Cheap (reads a few headers, no decoding). Recognises RIFF/AVI
    (``RIFF....AVI ``) and ISO-BMFF (``....ftyp``: MP4, MOV, M4V, 3GP);
    other containers pass unchecked.

    Args:
        data (bytes): The whole file.
        filename (str): Name used in error messages.

    Returns:
        str: ``'avi'``, ``'mp4'`` or ``'other'``.

    Raises:
        VideoCheckError: Empty file, or a chunk/box extends past the end.
    """
    if not data:
        raise VideoCheckError(f'empty video file "{filename}" (0 bytes)')
    kind = container_kind(data)
    if kind == 'avi':
        _walk_riff(data, filename)
    elif kind == 'mp4':
        _walk_mp4(data, filename)
    return kind


def container_kind(data: bytes) -> str:
    """``'avi'``, ``'mp4'`` (ISO-BMFF) or ``'other'``, from magic bytes."""
    if data[:4] == b'RIFF' and data[8:12] == b'AVI ':
        return 'avi'
    if data[4:8] in _MP4_TOP_BOXES:
        return 'mp4'
    return 'other'


# Run in a fresh interpreter: read the file's bytes on stdin, open them from
# memory as the Init transforms do, decode the first, middle and last frame
# and print the frame count.
_PROBE_CODE = {
    'decord': (
        'import io, sys\n'
        'import decord\n'
        'reader = decord.VideoReader(io.BytesIO(sys.stdin.buffer.read()), '
        'num_threads=1)\n'
        'n = len(reader)\n'
        'if n:\n'
        '    reader.get_batch(sorted({0, n // 2, n - 1})).asnumpy()\n'
        'print(n)\n'),
    'pyav': (
        'import io, sys\n'
        'import av\n'
        'container = av.open(io.BytesIO(sys.stdin.buffer.read()))\n'
        'n = 0\n'
        'for frame in container.decode(video=0):\n'
        '    n += 1\n'
        'print(n)\n'),
    'torchcodec': (
        'import sys\n'
        'from torchcodec.decoders import VideoDecoder\n'
        'dec = VideoDecoder(sys.stdin.buffer.read(), seek_mode="exact")\n'
        'n = dec.metadata.num_frames or 0\n'
        'if n:\n'
        '    dec.get_frames_at(sorted({0, n // 2, n - 1}))\n'
        'print(n)\n'),
}

#: Per-process cache of probe results:
#: (filename, size, backend) -> (frames, error).
_PROBE_CACHE: Dict[Tuple[str, int, str], Tuple[int, Optional[str]]] = {}


def _signal_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f'signal {-returncode}'


def probe_video(data: bytes,
                filename: str = '<bytes>',
                timeout: float = 60.,
                use_cache: bool = True,
                backend: str = 'decord') -> int:
    """Open and decode a video in a subprocess.

    A crash (e.g. SIGSEGV) or hang of the decoder happens in the child and is
    reported here as an exception. Results (success or failure) are cached
    per ``(filename, len(data))`` in this process.

    Args:
        data (bytes): The whole file.
        filename (str): Cache key and name used in error messages.
        timeout (float): Seconds before the probe counts as hung.
            Defaults to 60.
        use_cache (bool): Read/write the per-process cache. Defaults to True.
        backend (str): Decoder to probe with: ``'decord'``, ``'pyav'`` or
            ``'torchcodec'``. Defaults to ``'decord'``.

    Returns:
        int: The number of frames the decoder reports.

    Raises:
        VideoCheckError: The child crashed, hung or raised.
    """
    if backend not in _PROBE_CODE:
        raise ValueError(f'probe_video: unknown backend {backend!r}, '
                         f'choose from {sorted(_PROBE_CODE)}')
    code = _PROBE_CODE[backend]
    key = (filename, len(data), backend)
    if use_cache and key in _PROBE_CACHE:
        frames, error = _PROBE_CACHE[key]
    else:
        env = dict(os.environ, OMP_NUM_THREADS='1')
        try:
            proc = subprocess.run([sys.executable, '-c', code],
                                  input=data,
                                  capture_output=True,
                                  timeout=timeout,
                                  env=env)
        except subprocess.TimeoutExpired:
            frames, error = 0, f'decoder probe hung for more than {timeout} s'
        else:
            if proc.returncode < 0:
                frames, error = 0, ('the decoder crashed '
                                    f'({_signal_name(proc.returncode)}) '
                                    'in the probe subprocess')
            elif proc.returncode != 0:
                tail = proc.stderr.decode('utf-8', 'replace').strip()
                tail = tail.splitlines()[-1] if tail else ''
                frames, error = 0, f'the decoder failed: {tail[:300]}'
            else:
                frames, error = int(proc.stdout.split()[-1]), None
        if use_cache:
            _PROBE_CACHE[key] = (frames, error)
    if error is not None:
        raise VideoCheckError(f'cannot decode video "{filename}": {error}')
    return frames


class SafeVideoOpenMixin:
    """The read / check / count steps shared by every safe Init transform.

    An Init transform (:class:`SafeDecordInit`, :class:`SafeVideoInit`)
    calls, in order, :meth:`load_video_bytes` (the ``video_bytes`` a dataset
    put in ``results`` -- e.g. a webdataset shard member -- or the file
    named by ``filename``, read through mmengine's fileio), :meth:`check_bytes`
    (container check and optional subprocess probe) and, once the decoder
    has opened the video, :meth:`check_frame_count` (``min_frames``).

    Expects the attributes ``io_backend``, ``kwargs``, ``file_client``,
    ``check_header``, ``probe``, ``probe_timeout``, ``min_frames`` (set by
    :meth:`init_checks` and the Init transform) and ``probe_backend``.
    """

    PROBE_CHOICES = ('never', 'risky', 'always')

    #: Decoder that :func:`probe_video` opens the video with.
    probe_backend = 'decord'

    def init_checks(self, check_header: bool, probe: str,
                    probe_timeout: float, min_frames: int) -> None:
        """Validate and store the check options."""
        if probe not in self.PROBE_CHOICES:
            raise ValueError(f'{type(self).__name__}: probe must be one of '
                             f'{self.PROBE_CHOICES}, got {probe!r}')
        if min_frames < 1:
            raise ValueError(f'min_frames must be >= 1, got {min_frames}')
        self.check_header = check_header
        self.probe = probe
        self.probe_timeout = probe_timeout
        self.min_frames = min_frames

    def load_video_bytes(self, results: dict) -> Tuple[bytes, str]:
        """The video's bytes and the name used in messages.

        ``results['video_bytes']`` (bytes already in memory, e.g. from a
        shard) wins over reading ``results['filename']``; in that case
        ``filename`` is only a name (it need not exist on disk).
        """
        filename = results.get('filename', '<bytes>')
        data = results.get('video_bytes')
        if data is not None:
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f'results["video_bytes"] of "{filename}" '
                                f'must be bytes, got {type(data).__name__}')
            return bytes(data), filename
        if osp.splitext(filename)[0] == filename:
            filename = filename + '.mp4'  # as mmaction.DecordInit
        if self.io_backend == 'disk' and not self.kwargs:
            return fileio.get(filename), filename
        if self.file_client is None:
            from mmengine.fileio import FileClient
            self.file_client = FileClient(self.io_backend, **self.kwargs)
        return self.file_client.get(filename), filename

    def check_bytes(self, data: bytes, filename: str) -> str:
        """Container check and optional probe; returns the container kind."""
        if self.check_header:
            kind = check_container(data, filename)
        else:
            kind = container_kind(data)
        if self.probe == 'always' or (self.probe == 'risky'
                                      and kind != 'mp4'):
            probe_video(data, filename, self.probe_timeout,
                        backend=self.probe_backend)
        return kind

    def check_frame_count(self, total: int, filename: str) -> None:
        """Raise :class:`VideoCheckError` below ``min_frames``."""
        if total < self.min_frames:
            raise VideoCheckError(
                f'video "{filename}" has {total} frames, fewer than '
                f'min_frames={self.min_frames}')


@TRANSFORMS.register_module()
class SafeDecordInit(SafeVideoOpenMixin, DecordInit):
    """``mmaction.DecordInit`` that cannot be crashed by a broken file.

    Reads the video once (``results['video_bytes']`` when a dataset already
    holds the bytes, otherwise the file ``filename`` through any mmengine
    backend), checks its container with :func:`check_container`, optionally
    probes it with :func:`probe_video`, then opens it with decord exactly as
    ``mmaction.DecordInit`` (from an ``io.BytesIO``). Failures raise
    :class:`VideoCheckError` (a ``ValueError``) naming the file, which the
    dataset logs and counts as a skipped sample.

    Required keys: ``filename`` (a name only, when ``video_bytes`` is
    given). Optional keys: ``video_bytes``. Added keys: ``video_reader``,
    ``total_frames``, ``avg_fps`` (as ``mmaction.DecordInit``) and
    ``video_container`` (``'avi'``, ``'mp4'`` or ``'other'``).

    Args:
        io_backend (str): mmengine file backend. Defaults to ``'disk'``.
        num_threads (int): decord decoding threads. Defaults to 1.
        check_header (bool): Run :func:`check_container`. Defaults to True.
        probe (str): When to open the video in a subprocess first:
            ``'never'``, ``'risky'`` (containers other than MP4/MOV, e.g.
            AVI, MKV, WebM, GIF) or ``'always'``. Each file is probed once
            per process (about 0.5-1 s). Defaults to ``'never'``.
        probe_timeout (float): Seconds before a probe counts as hung.
            Defaults to 60.
        min_frames (int): Fewest frames a usable video has; a shorter one
            raises (mmaction2's samplers would otherwise repeat frames).
            Defaults to 1.
        quiet (bool): Keep decord / FFmpeg's native messages off the
            terminal (FFmpeg's log level set to quiet; what decord writes to
            stderr while opening is dropped: the error names the file and
            decord's exception). Defaults to True.
        **kwargs: Other arguments of ``mmaction.DecordInit``.
    """

    def __init__(self,
                 io_backend: str = 'disk',
                 num_threads: int = 1,
                 check_header: bool = True,
                 probe: str = 'never',
                 probe_timeout: float = 60.,
                 min_frames: int = 1,
                 quiet: bool = True,
                 **kwargs) -> None:
        self.init_checks(check_header, probe, probe_timeout, min_frames)
        super().__init__(io_backend=io_backend, num_threads=num_threads,
                         **kwargs)
        self.quiet = quiet

    def transform(self, results: dict) -> dict:
        """Check, open and count the video.

        Args:
            results (dict): The result dict with ``filename`` (and
                optionally ``video_bytes``).

        Returns:
            dict: The result dict.
        """
        data, filename = self.load_video_bytes(results)
        kind = self.check_bytes(data, filename)
        reader = open_decord_quietly(data, filename, self.num_threads,
                                     self.quiet)
        total = len(reader)
        self.check_frame_count(total, filename)
        results['total_frames'] = total
        results['video_reader'] = reader
        results['avg_fps'] = reader.get_avg_fps()
        results['video_container'] = kind
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(io_backend={self.io_backend}, '
                f'num_threads={self.num_threads}, '
                f'check_header={self.check_header}, probe={self.probe!r}, '
                f'min_frames={self.min_frames})')
