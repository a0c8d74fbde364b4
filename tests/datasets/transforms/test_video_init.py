"""SafeVideoInit / VideoDecode: the skip rules and protections of
SafeDecordInit, for every decoder backend; the CUDA (NVDEC) path."""
import os.path as osp
import subprocess

import numpy as np
import pytest
import torch

from mmallinone.datasets.transforms import video_check
from mmallinone.datasets.transforms.video_check import VideoCheckError
from mmallinone.datasets.transforms.video_init import SafeVideoInit
from mmallinone.datasets.transforms.video_readers import (available_backends,
                                                          open_video)
from mmallinone.registry import TRANSFORMS
from test_video_check import AVI, MP4, short_video, truncated_avi

BACKENDS = [b for b in ('decord', 'pyav', 'torchcodec')
            if b in available_backends()]


def _run(pipeline, **results):
    for t in pipeline:
        results = TRANSFORMS.build(t)(results) if isinstance(t, dict) \
            else t(results)
    return results


@pytest.mark.parametrize('backend', BACKENDS)
def test_open_decode_and_video_bytes(backend):
    t = TRANSFORMS.build(dict(type='SafeVideoInit', backend=backend))
    data = open(MP4, 'rb').read()
    from_file = t(dict(filename=MP4))
    from_bytes = t(dict(filename='shard.tar/x.mp4', video_bytes=data))
    for r in (from_file, from_bytes):
        assert r['total_frames'] == 280 and r['video_container'] == 'mp4'
        assert r['video_backend'] == backend and r['avg_fps'] == 28.0
    out = _run([dict(type='VideoDecode')], frame_inds=np.array([[3], [200]]),
               video_reader=from_bytes['video_reader'])
    assert 'video_reader' not in out and out['frame_inds'].shape == (2, )
    assert len(out['imgs']) == 2 and out['img_shape'] == (256, 340)
    assert out['imgs'][0].dtype == np.uint8 and out['imgs'][0].std() > 1


@pytest.mark.parametrize('backend', BACKENDS)
def test_truncated_and_short_videos_raise(tmp_path, backend):
    t = SafeVideoInit(backend=backend)
    path = truncated_avi(tmp_path, 0.5)
    with pytest.raises(VideoCheckError, match='RIFF chunk at byte 0') as e:
        t(dict(filename=path))
    assert path in str(e.value)
    data = open(MP4, 'rb').read()
    with pytest.raises(VideoCheckError, match='truncated video "m.mp4"'):
        t(dict(filename='m.mp4', video_bytes=data[:len(data) // 2]))
    short = short_video(tmp_path, frames=2)
    assert t(dict(filename=short))['total_frames'] == 2
    with pytest.raises(VideoCheckError, match='has 2 frames, fewer than '
                       'min_frames=3'):
        SafeVideoInit(backend=backend, min_frames=3)(dict(filename=short))


@pytest.mark.parametrize('backend', BACKENDS)
def test_undecodable_bytes_are_a_video_check_error(backend):
    """No container check: the decoder's own error becomes a
    VideoCheckError naming the file (a counted skip, not a crash)."""
    t = SafeVideoInit(backend=backend, check_header=False)
    junk = np.random.RandomState(0).bytes(5000)
    with pytest.raises(VideoCheckError,
                       match=f'cannot open video "junk.mp4" with {backend}'):
        t(dict(filename='junk.mp4', video_bytes=junk))


def test_probe_uses_the_chosen_backend(monkeypatch):
    calls = []
    run = subprocess.run

    def counting_run(cmd, *args, **kwargs):
        calls.append(cmd[-1])
        return run(cmd, *args, **kwargs)

    monkeypatch.setattr(video_check.subprocess, 'run', counting_run)
    video_check._PROBE_CACHE.clear()
    t = SafeVideoInit(backend='pyav', probe='risky')
    assert t(dict(filename=AVI))['total_frames'] == 164
    assert t(dict(filename=MP4))['total_frames'] == 280  # mp4: not probed
    assert len(calls) == 1 and 'import av' in calls[0]
    with pytest.raises(ValueError, match='unknown backend'):
        video_check.probe_video(b'x', backend='opencv')


def test_decode_error_is_a_video_check_error():
    reader = open_video(open(MP4, 'rb').read(), 'pyav')
    with pytest.raises(VideoCheckError, match='cannot decode frames '
                       r'\[999\] of video "a.mp4".*out of range'):
        _run([dict(type='VideoDecode')], filename='a.mp4',
             frame_inds=np.array([999]), video_reader=reader)


def test_video_decode_takes_safe_decord_init_reader():
    if 'decord' not in BACKENDS:
        pytest.skip('decord not installed')
    inds = np.array([0, 140, 279])
    a = _run([dict(type='SafeDecordInit'), dict(type='VideoDecode')],
             filename=MP4, frame_inds=inds)
    b = _run([dict(type='SafeDecordInit'),
              dict(type='mmaction.DecordDecode')],
             filename=MP4, frame_inds=inds)
    assert np.array_equal(np.stack(a['imgs']), np.stack(b['imgs']))


def test_bad_arguments():
    with pytest.raises(ValueError, match='unknown video backend'):
        SafeVideoInit(backend='opencv')
    with pytest.raises(ValueError, match="needs backend='torchcodec'"):
        SafeVideoInit(backend='pyav', device='cuda')
    with pytest.raises(ValueError, match="'never', 'risky', 'always'"):
        SafeVideoInit(backend='pyav', probe='sometimes')
    assert 'auto' in repr(SafeVideoInit())


@pytest.mark.skipif(not torch.cuda.is_available(),
                    reason='NVDEC needs a CUDA GPU')
def test_torchcodec_cuda_nvdec_matches_cpu():
    """NVDEC decodes the same frames; its YUV->RGB conversion differs from
    FFmpeg's swscale, so pixels agree within a tolerance."""
    t = SafeVideoInit(backend='torchcodec', device='cuda')
    inds = np.array([0, 100, 187, 279])
    gpu = _run([t, dict(type='VideoDecode')], filename=MP4, frame_inds=inds)
    cpu = _run([SafeVideoInit(backend='torchcodec'),
                dict(type='VideoDecode')], filename=MP4, frame_inds=inds)
    assert gpu['video_backend'] == 'torchcodec'
    diff = np.abs(np.stack(gpu['imgs']).astype(int) -
                  np.stack(cpu['imgs']))
    assert diff.mean() < 3 and np.percentile(diff, 99) <= 16, (
        diff.mean(), diff.max())
    reader = open_video(open(MP4, 'rb').read(), 'torchcodec', device='cuda')
    assert reader.get_batch_tensor([5]).device.type == 'cuda'


def test_auto_takes_the_first_installed(monkeypatch):
    from mmallinone.datasets.transforms import video_readers as vr
    monkeypatch.setattr(vr, 'backend_installed',
                        lambda b: b in ('pyav', 'torchcodec'))
    assert vr.resolve_backend('auto') == 'torchcodec'
    with pytest.raises(ImportError, match='pip install decord'):
        vr.resolve_backend('decord')
    monkeypatch.setattr(vr, 'backend_installed', lambda b: False)
    with pytest.raises(ImportError, match='no video decoder installed'):
        vr.resolve_backend('auto')
