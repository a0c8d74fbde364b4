"""YT-Temporal loader: the authors' layout (video list with ``Name``,
per-video JSON of time-stamped ASR words), windows and their frames."""
import json
import os
import os.path as osp

import numpy as np
import pytest

from mmallinone.datasets import YTTemporalDataset
from datasets_helpers import DEMO_DIR, tiny_pipeline

WORDS = [('so', 0.5), ('today', 1.0), ('we', 4.0), ('arm', 4.5),
         ('wrestle', 5.2), ('hard', 6.0), ('bye', 9.5)]


def _layout(tmp_path, annotation):
    """videos/subset_0/{data/<id>.mp4, annotations/<id>.json} + list."""
    root = tmp_path / 'yttemporal'
    data = root / 'videos' / 'subset_0' / 'data'
    anns = root / 'videos' / 'subset_0' / 'annotations'
    data.mkdir(parents=True)
    anns.mkdir()
    os.symlink(
        osp.join(DEMO_DIR, 'arm_wrestling.mp4'),
        data / 'arm_wrestling.mp4')  # 280 frames at 28 fps: 10 s
    (anns / 'arm_wrestling.json').write_text(json.dumps(annotation))
    (root / 'train_success_2000000.csv'
     ).write_text('Name\nsubset_0/data/arm_wrestling.mp4\n')
    return str(root)


GOOD = dict(
    info=dict(duration=10.0),
    subtitles=[dict(word=w, time=t) for w, t in WORDS],
    denoised=[dict(cleanasr='so today we arm wrestle hard bye')])


def test_test_mode_centre_window_words_and_frames(tmp_path):
    ds = YTTemporalDataset(
        ann_file='train_success_2000000.csv',
        data_root=_layout(tmp_path, GOOD),
        data_prefix=dict(video='videos'),
        min_window=2,
        max_window=4,
        test_mode=True,
        pipeline=tiny_pipeline(test_mode=True, mlm=False, window=True))
    out = ds[0]
    meta = out['data_samples'].metainfo
    assert meta['clip_window'] == (3.5, 6.5)
    assert meta['text'] == 'we arm wrestle hard'
    # frames sampled inside [3.5 s, 6.5 s) at 28 fps: frames 98..181
    inds = np.asarray(meta['frame_inds'])
    assert inds.min() >= 98 and inds.max() <= 181
    assert out['inputs']['imgs'].shape == (3, 3, 32, 32)


def test_training_windows_are_random_and_inside_the_video(tmp_path):
    ds = YTTemporalDataset(
        ann_file='train_success_2000000.csv',
        data_root=_layout(tmp_path, GOOD),
        data_prefix=dict(video='videos'),
        min_window=2,
        max_window=4)
    np.random.seed(0)
    windows = set()
    for _ in range(20):
        info = ds.load_sample_annotation(ds.get_data_info(0))
        start, end = info['clip_window']
        assert 0 <= start and end <= 10.0 and 2 <= end - start <= 4
        said = [w for w, t in WORDS if start <= t < end]
        assert info['text'] == ' '.join(said) or not said
        windows.add(round(start, 3))
    assert len(windows) > 10


@pytest.mark.parametrize('annotation,field', [
    (dict(GOOD, info={}), 'info.duration'),
    (dict(GOOD, subtitles=[dict(word='x')]), r'subtitles\[0\]\.time'),
])
def test_malformed_annotation_names_file_and_field(tmp_path, annotation, field,
                                                   log_messages):
    root = _layout(tmp_path, annotation)
    kwargs = dict(
        ann_file='train_success_2000000.csv',
        data_root=root,
        data_prefix=dict(video='videos'),
        pipeline=tiny_pipeline(test_mode=True, window=True))
    with pytest.raises(
            RuntimeError, match=rf'arm_wrestling\.json, field "{field}"'):
        YTTemporalDataset(test_mode=True, **kwargs)[0]
    # training: the sample is skipped with a logged, counted warning
    ds = YTTemporalDataset(**kwargs)
    assert ds._load(0) is None and ds.num_skipped == 1
    assert any('arm_wrestling.json' in m and 'skipped' in m
               for m in log_messages)
