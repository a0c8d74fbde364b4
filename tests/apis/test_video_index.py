"""Sliding windows and the folder index: long videos searched by time.

The long-video test joins the five demo videos end to end and checks that a
caption of each part finds a window inside that part, with a tiny retrieval
model trained here to tell the demo videos apart (``trained_tiny``).
"""
import os
import os.path as osp
import sys

import pytest
import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from long_video import join_videos  # noqa: E402
from tiny_models import DEMO, tiny_checkpoint, tiny_config  # noqa: E402
from trained_tiny import _captions, train_tiny_retrieval  # noqa: E402

pytest.importorskip('faiss')

ORDER = ['arm_wrestling.mp4', 'basketball_gym.mp4', 'pool_cleaning.mp4',
         'two_men_greeting_1080p.mp4', 'eye_makeup.avi']


def test_sliding_windows_cover_the_video():
    from mmallinone.apis import sliding_windows
    assert sliding_windows(10, 4, 2) == [(0, 4), (2, 6), (4, 8), (6, 10)]
    # the last window is moved back to end at the end of the video
    assert sliding_windows(9.5, 4, 3) == [(0, 4), (3, 7), (5.5, 9.5)]
    assert sliding_windows(3, 4, 2) == [(0, 3)]  # shorter: one window
    assert sliding_windows(7.25) == [(0, 7.25)]
    with pytest.raises(ValueError, match='> 0'):
        sliding_windows(10, 0, 1)


def test_windows_decode_like_the_test_pipeline(tmp_path):
    from mmallinone.apis import init_model, load_video, load_video_windows
    cfg = tiny_config('retrieval_ti_demo.py', str(tmp_path))
    model = init_model(cfg)
    video = osp.join(DEMO, 'arm_wrestling.mp4')  # 10 s at 28 fps
    whole, spans = load_video_windows(model, video)
    assert spans == [(0.0, 10.0)]
    assert torch.equal(whole[0], load_video(model, video))
    frames, spans = load_video_windows(model, video, window=4, stride=3)
    assert spans == [(0, 4), (3, 7), (6, 10)]
    assert frames.shape == (3, *whole.shape[1:])
    assert not torch.equal(frames[0], frames[2])
    with pytest.raises(RuntimeError, match='Cannot decode'):
        bad = tmp_path / 'bad.mp4'
        bad.write_bytes(b'\x00' * 64)
        load_video_windows(model, str(bad), 4)


@pytest.mark.slow
def test_long_video_query_finds_its_part(tmp_path):
    from mmallinone.apis import VideoIndex, init_model, model_fingerprint
    cfg, ckpt = train_tiny_retrieval()
    folder = tmp_path / 'videos'
    folder.mkdir()
    parts = join_videos([osp.join(DEMO, n) for n in ORDER],
                        str(folder / 'long.mp4'))
    model = init_model(cfg, ckpt)
    index = VideoIndex(model, str(folder), str(tmp_path / 'cache.pth'),
                       model_fingerprint(cfg, ckpt, 'embed'), window=2,
                       stride=1)
    stats = index.refresh()
    assert stats['encoded'] == 1 and stats['windows'] == 39
    caps = _captions()
    for name, start, end in parts:
        hit = index.search(caps[name][0], top_k=1)[0]
        assert hit.path == str(folder / 'long.mp4')
        assert start - 0.05 <= hit.start < hit.end <= end + 0.05, \
            (name, start, end, hit)
    # overlapping windows of one place are merged on request
    hits = index.search(caps[ORDER[0]][0], suppress_overlaps=True)
    spans = sorted((h.start, h.end) for h in hits)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    # a second index on the same cache encodes nothing
    again = VideoIndex(model, str(folder), str(tmp_path / 'cache.pth'),
                       model_fingerprint(cfg, ckpt, 'embed'), window=2,
                       stride=1)
    assert again.refresh()['cached'] == 1
    # other window settings re-encode
    other = VideoIndex(model, str(folder), str(tmp_path / 'cache.pth'),
                       model_fingerprint(cfg, ckpt, 'embed'), window=4)
    assert other.refresh()['encoded'] == 1 and len(other.rows) == 10


def test_index_picks_up_new_and_removed_files(tmp_path):
    from mmallinone.apis import VideoIndex, init_model, model_fingerprint
    cfg = tiny_config('pretrain_ti_demo.py', str(tmp_path))
    ckpt = tiny_checkpoint(cfg, str(tmp_path))
    folder = tmp_path / 'v'
    folder.mkdir()
    os.symlink(osp.join(DEMO, ORDER[0]), folder / ORDER[0])
    model = init_model(cfg, ckpt)
    index = VideoIndex(model, str(folder), str(tmp_path / 'c.pth'),
                       model_fingerprint(cfg, ckpt, 'vtm'))
    assert index.mode == 'vtm'  # no retrieval projections: joint VTM
    assert index.refresh()['encoded'] == 1
    os.symlink(osp.join(DEMO, ORDER[1]), folder / ORDER[1])
    (folder / 'broken.mp4').write_bytes(b'\x00' * 100)
    stats = index.refresh()
    assert (stats['encoded'], stats['cached']) == (1, 1)
    assert [osp.basename(p) for p, _ in stats['skipped']] == ['broken.mp4']
    hits = index.search('people shooting basketballs')
    assert sorted(h.name for h in hits) == sorted(ORDER[:2])
    assert all(0 <= h.score <= 1 and h.score_name == 'vtm' for h in hits)
    os.remove(folder / ORDER[0])
    stats = index.refresh()
    assert stats['removed'] == 1 and index.videos == [str(folder / ORDER[1])]
