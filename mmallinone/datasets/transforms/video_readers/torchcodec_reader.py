"""torchcodec behind :class:`BaseVideoReader`, on the CPU or on CUDA (NVDEC).
"""
from typing import List

import numpy as np

from .base import BaseVideoReader


class TorchCodecVideoReader(BaseVideoReader):
    """``torchcodec.decoders.VideoDecoder`` in exact seek mode.

    Exact mode scans the packets once on opening (as decord), so the frame
    count and keyframes come from the content, not from the header.

    With ``device='cuda'`` (or ``'cuda:N'``) the frames are decoded by the
    GPU's NVDEC engine and converted to RGB there; :meth:`get_batch` still
    returns host ``numpy`` arrays (mmaction2's transforms run on the CPU),
    :meth:`get_batch_tensor` keeps them on the device. Decoding on CUDA in a
    dataloader worker needs the ``'spawn'`` (or ``'forkserver'``) start
    method: a forked child cannot use CUDA.

    Args:
        data (bytes): The whole video file.
        num_threads (int): FFmpeg decoding threads on the CPU (1: no
            threading). Defaults to 1.
        device (str): ``'cpu'``, ``'cuda'`` or ``'cuda:N'``. Defaults to
            ``'cpu'``.
    """

    backend = 'torchcodec'

    def __init__(self, data: bytes, num_threads: int = 1,
                 device: str = 'cpu') -> None:
        from torchcodec.decoders import VideoDecoder
        if str(device).startswith('cuda'):
            import torch
            if not torch.cuda.is_available():
                raise RuntimeError(
                    f'torchcodec device={device!r}: no CUDA device here')
        self.device = str(device)
        self.decoder = VideoDecoder(data, seek_mode='exact',
                                    dimension_order='NHWC',
                                    num_ffmpeg_threads=num_threads,
                                    device=self.device)
        meta = self.decoder.metadata
        self._num_frames = int(meta.num_frames or 0)
        self._fps = float(meta.average_fps or 0.0)

    def __len__(self) -> int:
        return self._num_frames

    def get_avg_fps(self) -> float:
        return self._fps

    def get_key_indices(self) -> List[int]:
        # torchcodec 0.17 exposes the scan's keyframes only privately
        keys = getattr(self.decoder, '_get_key_frame_indices', None)
        if keys is None:
            return [0]
        return [int(i) for i in keys()]

    def get_batch_tensor(self, indices: List[int]):
        """Frames as a (N, H, W, 3) uint8 tensor on ``device``."""
        return self.decoder.get_frames_at(list(indices)).data

    def _decode(self, indices: List[int]) -> np.ndarray:
        return self.get_batch_tensor(indices).cpu().numpy()
