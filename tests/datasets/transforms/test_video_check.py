"""SafeDecordInit: a truncated AVI must not kill the process (decord
segfaults on it inside ``VideoReader(io.BytesIO(...))``)."""
import os.path as osp
import struct
import subprocess
import sys

import numpy as np
import pytest

from mmallinone.datasets.transforms import video_check
from mmallinone.datasets.transforms.video_check import (SafeDecordInit,
                                                        VideoCheckError,
                                                        check_container)
from mmallinone.registry import TRANSFORMS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
DEMO = osp.join(REPO, 'data', 'demo')
AVI = osp.join(DEMO, 'eye_makeup.avi')  # avi / xvid, 164 frames
MP4 = osp.join(DEMO, 'arm_wrestling.mp4')  # mp4 / h264, 280 frames


def truncated_avi(tmp_path, fraction=0.5, patch_riff=False) -> str:
    """The shared xvid AVI cut after ``fraction`` of its bytes; with
    ``patch_riff`` the RIFF size is rewritten to match (only the ``movi``
    list is then inconsistent)."""
    data = bytearray(open(AVI, 'rb').read())
    data = data[:int(len(data) * fraction)]
    if patch_riff:
        data[4:8] = struct.pack('<I', len(data) - 8)
    path = tmp_path / f'trunc_{fraction}_{int(patch_riff)}.avi'
    path.write_bytes(bytes(data))
    return str(path)


def short_video(tmp_path, frames=2) -> str:
    """An mp4 with ``frames`` frames, written with OpenCV."""
    cv2 = pytest.importorskip('cv2')
    path = str(tmp_path / f'short_{frames}.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25,
                             (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), 40 * i + 20, np.uint8))
    writer.release()
    return path


# What mmaction.DecordInit does (importing mmaction in a fresh interpreter
# takes tens of seconds on a loaded machine).
_DECORD_INIT = (
    'import io, sys, decord\n'
    'decord.VideoReader(io.BytesIO(open(sys.argv[1], "rb").read()), '
    'num_threads=1)\n'
    'print("opened")\n')


def test_plain_decord_init_segfaults_on_truncated_avi(tmp_path):
    """The upstream defect this module guards against (fails once decord
    stops crashing): decord dies with SIGSEGV opening it from memory, as
    mmaction2's DecordInit does."""
    path = truncated_avi(tmp_path, 0.5)
    proc = subprocess.run([sys.executable, '-c', _DECORD_INIT, path],
                          capture_output=True, timeout=120)
    assert proc.returncode == -11, proc.stderr[-2000:]


@pytest.mark.parametrize('fraction, patch_riff, match', [
    (0.5, False, 'RIFF chunk at byte 0 declares 294566 bytes'),
    (0.1, False, 'RIFF chunk'),
    (0.7, True, 'chunk "LIST movi" at byte 10240'),
])
def test_header_check_rejects_truncated_avi(tmp_path, fraction, patch_riff,
                                            match):
    path = truncated_avi(tmp_path, fraction, patch_riff)
    with pytest.raises(VideoCheckError, match=match) as info:
        SafeDecordInit().transform(dict(filename=path))
    assert path in str(info.value)


def test_valid_videos_open_like_decord_init():
    t = TRANSFORMS.build(dict(type='SafeDecordInit'))
    for path, frames, kind in [(AVI, 164, 'avi'), (MP4, 280, 'mp4')]:
        results = t(dict(filename=path))
        assert results['total_frames'] == frames
        assert results['video_container'] == kind
        assert results['avg_fps'] > 0
        imgs = results['video_reader'].get_batch([0, frames - 1]).asnumpy()
        assert imgs.shape[0] == 2 and imgs.std() > 1


def test_header_check_mp4_empty_and_other(tmp_path):
    data = open(MP4, 'rb').read()
    assert check_container(data) == 'mp4'
    with pytest.raises(VideoCheckError, match='box "mdat".*only'):
        check_container(data[:len(data) // 2], 'x.mp4')
    with pytest.raises(VideoCheckError, match='empty video file "e.mp4"'):
        check_container(b'', 'e.mp4')
    assert check_container(np.random.RandomState(0).bytes(1000)) == 'other'


def test_probe_reports_the_crash_and_caches(tmp_path, monkeypatch):
    """Without the header check, the subprocess probe turns the segfault
    into an error naming the signal; the result is cached per file."""
    path = truncated_avi(tmp_path, 0.7, patch_riff=True)
    calls = []
    run = subprocess.run

    def counting_run(*args, **kwargs):
        calls.append(args)
        return run(*args, **kwargs)

    monkeypatch.setattr(video_check.subprocess, 'run', counting_run)
    t = SafeDecordInit(check_header=False, probe='risky')
    for _ in range(2):
        with pytest.raises(VideoCheckError, match='crashed \\(SIGSEGV\\)'):
            t.transform(dict(filename=path))
    assert len(calls) == 1  # cached
    # 'risky' does not probe MP4; a good AVI is probed once and opens
    assert t.transform(dict(filename=MP4))['total_frames'] == 280
    assert len(calls) == 1
    assert t.transform(dict(filename=AVI))['total_frames'] == 164
    assert len(calls) == 2


def test_min_frames(tmp_path):
    path = short_video(tmp_path, frames=2)
    assert SafeDecordInit().transform(dict(filename=path))[
        'total_frames'] == 2
    with pytest.raises(VideoCheckError, match='has 2 frames, fewer than '
                       'min_frames=3'):
        SafeDecordInit(min_frames=3).transform(dict(filename=path))


def test_bad_arguments():
    with pytest.raises(ValueError, match="'never', 'risky', 'always'"):
        SafeDecordInit(probe='sometimes')
    with pytest.raises(ValueError, match='min_frames'):
        SafeDecordInit(min_frames=0)


def test_video_bytes_in_results_are_decoded_without_reading_the_file(
        tmp_path):
    """The contract with datasets that hold the bytes (webdataset shards):
    ``video_bytes`` is decoded, ``filename`` only names it in messages."""
    t = SafeDecordInit()
    data = open(MP4, 'rb').read()
    results = t(dict(filename='shard-0007.tar/clip42.mp4', video_bytes=data))
    assert results['total_frames'] == 280
    assert results['video_container'] == 'mp4'
    ref = t(dict(filename=MP4))['video_reader'].get_batch([0, 279]).asnumpy()
    got = results['video_reader'].get_batch([0, 279]).asnumpy()
    assert np.array_equal(got, ref)
    # the checks run on the bytes and name the member
    with pytest.raises(VideoCheckError,
                       match='truncated video "shard-0007.tar/clip42.mp4"'):
        t(dict(filename='shard-0007.tar/clip42.mp4',
               video_bytes=data[:len(data) // 2]))
    with pytest.raises(VideoCheckError, match='empty video file "m.avi"'):
        t(dict(filename='m.avi', video_bytes=b''))
    with pytest.raises(TypeError, match='must be bytes'):
        t(dict(filename='m.avi', video_bytes='not bytes'))
