"""Decode the sampled frames with whichever backend opened the video."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmallinone.registry import TRANSFORMS
from .video_check import VideoCheckError


@TRANSFORMS.register_module()
class VideoDecode(BaseTransform):
    """Decode ``frame_inds`` from the reader of :class:`SafeVideoInit`.

    The backend-neutral counterpart of ``mmaction.DecordDecode`` (accurate
    mode): same added keys, same frames. It also accepts the plain decord
    reader of :class:`SafeDecordInit`. A decoding failure raises
    :class:`VideoCheckError` naming the file and the frames (a counted skip
    in training).

    Required keys: ``video_reader``, ``frame_inds``. Added keys: ``imgs``
    (list of (H, W, 3) uint8 RGB arrays), ``original_shape``, ``img_shape``.
    Removed keys: ``video_reader``.
    """

    def transform(self, results: dict) -> dict:
        """Decode the frames.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        reader = results.pop('video_reader')
        inds = np.asarray(results['frame_inds']).reshape(-1)
        results['frame_inds'] = inds
        try:
            frames = reader.get_batch(inds)
            if hasattr(frames, 'asnumpy'):  # a decord reader
                frames = frames.asnumpy()
        except Exception as err:  # noqa: BLE001 - any decoder error
            raise VideoCheckError(
                f'cannot decode frames {inds.tolist()} of video '
                f'"{results.get("filename", "<bytes>")}": '
                f'{type(err).__name__}: {err}') from err
        finally:
            close = getattr(reader, 'close', None)
            if close is not None:
                close()
        imgs = list(frames)
        results['imgs'] = imgs
        results['original_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results
