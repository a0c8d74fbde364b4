"""SnapToKeyframes: sampled indices move onto nearby keyframes (+ jitter)."""
import os.path as osp

import numpy as np
import pytest

from mmallinone.datasets.transforms import SnapToKeyframes
from mmallinone.datasets.transforms.video_readers import open_video
from mmallinone.registry import TRANSFORMS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
MP4 = osp.join(REPO, 'data', 'demo', 'arm_wrestling.mp4')  # keys 0 187 230 268


def test_snap_rules():
    keys = [0, 60, 120, 180]
    t = SnapToKeyframes(max_jitter=0, max_shift=1.0)
    # 30 fps: 1 s = 30 frames. 55 -> 60, 95 (25 from 120) -> 120,
    # 150 (30 from both) -> 120 is taken -> keeps 150; 239 is 59 from 180
    out = t.snap(np.array([55, 95, 150, 239]), keys, 240, 30.)
    assert out.tolist() == [60, 120, 150, 239]
    # jitter: k + j, j <= max_jitter, never reaching the next keyframe
    np.random.seed(0)
    t = SnapToKeyframes(max_jitter=5, max_shift=1.0)
    seen = set()
    for _ in range(200):
        (v, ) = t.snap(np.array([62]), keys, 240, 30.).tolist()
        assert 60 <= v <= 65
        seen.add(v)
    assert len(seen) == 6
    (v, ) = SnapToKeyframes(max_jitter=50).snap(
        np.array([118]), keys, 240, 30.).tolist()
    assert 120 <= v < 180
    # a sorted sampling stays sorted and distinct; shape is kept
    for _ in range(50):
        out = t.snap(np.array([[50], [58], [61], [178]]), keys, 240, 30.)
        assert out.shape == (4, 1)
        flat = out.ravel()
        assert np.all(np.diff(flat) > 0), flat
    with pytest.raises(ValueError):
        SnapToKeyframes(max_jitter=-1)


@pytest.mark.parametrize('backend', ['pyav', 'decord'])
def test_snapped_frames_decode_to_the_exact_frames(backend):
    """After SampleFrames, indices land on keyframe + jitter and decode
    to exactly the frames an exact read of those indices gives."""
    pytest.importorskip({'pyav': 'av'}.get(backend, backend))
    np.random.seed(1)
    init = TRANSFORMS.build(dict(type='SafeVideoInit', backend=backend))
    r = init(dict(filename=MP4, start_index=0, modality='RGB'))
    r['frame_inds'] = np.array([5, 180, 240, 275])
    r = TRANSFORMS.build(dict(type='SnapToKeyframes', max_jitter=2))(r)
    assert r['frame_inds_exact'].tolist() == [5, 180, 240, 275]
    inds = r['frame_inds'].tolist()
    for exact, key, got in zip([5, 180, 240, 275], [0, 187, 230, 268], inds):
        assert key <= got <= key + 2, (exact, got)
    r = TRANSFORMS.build(dict(type='VideoDecode'))(r)
    ref = open_video(open(MP4, 'rb').read(), 'decord').get_batch(inds)
    assert np.array_equal(np.stack(r['imgs']), ref)
