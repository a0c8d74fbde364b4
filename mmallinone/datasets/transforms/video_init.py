"""Open a video with a decoder chosen in the config (decord, PyAV,
torchcodec), with the checks of :class:`SafeDecordInit`."""
from mmcv.transforms import BaseTransform

from mmallinone.registry import TRANSFORMS
from .video_check import SafeVideoOpenMixin, VideoCheckError
from .video_readers import open_video, resolve_backend


@TRANSFORMS.register_module()
class SafeVideoInit(SafeVideoOpenMixin, BaseTransform):
    """Init transform with a choice of decoder; pair it with
    :class:`VideoDecode`.

    The same steps as :class:`SafeDecordInit` -- read the bytes
    (``results['video_bytes']`` when a dataset holds them, else the file),
    check the container, optionally probe it in a subprocess, reject videos
    under ``min_frames`` -- then open the bytes with ``backend``. Every
    backend counts frames and reports the frame rate as decord does, so
    mmaction2's samplers (``SampleFrames``, ``UniformSample``...) pick the
    same ``frame_inds`` whichever decoder runs. A video the decoder cannot
    open raises :class:`VideoCheckError` naming the file (a counted skip in
    training).

    Required keys: ``filename`` (a name only, when ``video_bytes`` is
    given). Optional keys: ``video_bytes``. Added keys: ``video_reader`` (a
    :class:`~.video_readers.BaseVideoReader`), ``total_frames``,
    ``avg_fps``, ``video_container``, ``video_backend``.

    Args:
        backend (str): ``'auto'`` (decord if installed, else torchcodec,
            else PyAV), ``'decord'``, ``'pyav'`` or ``'torchcodec'``.
            Defaults to ``'auto'``.
        device (str): ``'cpu'``, or ``'cuda[:N]'`` to decode with NVDEC
            (torchcodec only; dataloader workers must then be spawned, not
            forked). Defaults to ``'cpu'``.
        num_threads (int): Decoding threads per video. Defaults to 1.
        io_backend (str): mmengine file backend. Defaults to ``'disk'``.
        check_header (bool): Run :func:`check_container`. Defaults to True.
        probe (str): ``'never'``, ``'risky'`` (non-MP4 containers) or
            ``'always'``: open the video with the same backend in a
            subprocess first, so a decoder crash is a
            :class:`VideoCheckError`. Defaults to ``'never'``.
        probe_timeout (float): Seconds before a probe counts as hung.
            Defaults to 60.
        min_frames (int): Fewest frames a usable video has. Defaults to 1.
        **kwargs: Arguments of the mmengine file backend.
    """

    def __init__(self,
                 backend: str = 'auto',
                 device: str = 'cpu',
                 num_threads: int = 1,
                 io_backend: str = 'disk',
                 check_header: bool = True,
                 probe: str = 'never',
                 probe_timeout: float = 60.,
                 min_frames: int = 1,
                 **kwargs) -> None:
        self.init_checks(check_header, probe, probe_timeout, min_frames)
        self.backend = backend
        # fail at build time on a misspelt or missing backend
        self.probe_backend = resolve_backend(backend)
        if str(device) != 'cpu' and self.probe_backend != 'torchcodec':
            raise ValueError(f'SafeVideoInit: device={device!r} needs '
                             "backend='torchcodec' (NVDEC), got "
                             f'{self.probe_backend!r}')
        self.device = str(device)
        self.num_threads = num_threads
        self.io_backend = io_backend
        self.kwargs = kwargs
        self.file_client = None

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
        try:
            reader = open_video(data, self.probe_backend, self.num_threads,
                                self.device)
        except Exception as err:  # noqa: BLE001 - any decoder error
            raise VideoCheckError(
                f'cannot open video "{filename}" with '
                f'{self.probe_backend}: {type(err).__name__}: {err}') from err
        total = len(reader)
        self.check_frame_count(total, filename)
        results['total_frames'] = total
        results['video_reader'] = reader
        results['avg_fps'] = reader.get_avg_fps()
        results['video_container'] = kind
        results['video_backend'] = reader.backend
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(backend={self.backend!r} '
                f'[{self.probe_backend}], device={self.device!r}, '
                f'num_threads={self.num_threads}, '
                f'io_backend={self.io_backend}, '
                f'check_header={self.check_header}, probe={self.probe!r}, '
                f'min_frames={self.min_frames})')
