"""VideoTextShardDataset: webdataset shards (made from the demo videos by
make_shards.py) read by index, locally and over a real HTTP server on
127.0.0.1; broken members, truncated shards and malformed JSON."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import mmallinone.datasets  # noqa: F401
from mmallinone.datasets import AnnotationError, VideoTextShardDataset
from mmallinone.datasets.shards import expand_shards, index_shard
from mmallinone.fileio import remote_stats
from shard_helpers import make_demo_shards, read_members, write_tar
from range_http_server import RangeHTTPServer  # noqa: I100

CAPTIONS = json.loads(open(osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'data', 'demo', 'annotations',
    'pretrain_demo.jsonl')).readline())

DECODE = [
    dict(type='SafeVideoInit', backend='auto'),
    dict(type='mmaction.UniformSample', clip_len=2, num_clips=1,
         test_mode=True),
    dict(type='VideoDecode'),
    dict(type='PackVideoTextInputs',
         meta_keys=('text', 'video_id', 'filename', 'shard_meta')),
]


@pytest.fixture(scope='module')
def shards(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('shards') / 'demo')
    manifest = make_demo_shards(out)
    return out, manifest


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmallinone')


def _dataset(spec, **kwargs):
    kwargs.setdefault('ann_index', False)
    return VideoTextShardDataset(shards=spec, pipeline=DECODE, **kwargs)


def test_reads_demo_shards(shards):
    out, manifest = shards
    assert manifest['num_samples'] == 5 and manifest['num_shards'] == 3
    ds = _dataset(osp.join(out, '*.tar'), test_mode=True)
    assert len(ds) == 5
    ids = [ds.get_data_info(i)['video_id'] for i in range(5)]
    assert ids[0] == 'arm_wrestling' and len(set(ids)) == 5
    sample = ds[0]
    imgs = sample['inputs']['imgs']
    assert imgs.shape[0] == 2 and imgs.shape[1] == 3
    assert min(imgs.shape[2:]) == 48  # transcoded to short side 48
    meta = sample['data_samples'].metainfo
    assert meta['filename'].endswith('00000.tar/000000000.mp4')
    # first caption in test mode; extra JSON fields in the metainfo
    assert meta['text'] == CAPTIONS['caption'][0]
    assert meta['shard_meta']['source'].endswith('arm_wrestling.mp4')
    # training draws either caption of the JSON caption list
    assert ds.get_data_info(0)['captions'] == CAPTIONS['caption']
    txt = VideoTextShardDataset(shards=osp.join(out, '*.tar'),
                                caption_from='txt', ann_index=False)
    assert txt.get_data_info(0)['captions'] == [CAPTIONS['caption'][0]]


def test_brace_list_glob_and_list_agree(shards):
    out, _ = shards
    brace = expand_shards('{00000..00002}.tar', data_root=out)
    assert brace == expand_shards(osp.join(out, '*.tar'))
    assert brace == expand_shards([osp.join(out, '0000{0,1}.tar'),
                                   osp.join(out, '00002.tar')])
    with pytest.raises(FileNotFoundError, match='no shard matches'):
        expand_shards(osp.join(out, 'nothing-*.tar'))


def test_index_built_once_and_cached(shards, tmp_path, monkeypatch):
    out, _ = shards
    cache = str(tmp_path / 'idx')
    ds = _dataset(osp.join(out, '*.tar'), ann_index=cache)
    assert ds.ann_index_dir.startswith(cache) and len(ds) == 5
    first = [ds.get_data_info(i) for i in range(5)]

    def no_build(self, folder):
        raise AssertionError('the cached index was built again')

    monkeypatch.setattr(VideoTextShardDataset, 'build_ann_index', no_build)
    again = _dataset(osp.join(out, '*.tar'), ann_index=cache)
    assert [again.get_data_info(i) for i in range(5)] == first
    assert again[1]['data_samples'].metainfo['video_id'] == \
        first[1]['video_id']


def test_corrupt_member_is_a_counted_skip(shards, tmp_path):
    out, _ = shards
    members = read_members(osp.join(out, '00000.tar'))
    # sample 000000001's video replaced by garbage of the same kind
    members = [(n, b'\0\0\0\x18ftypisom' + os.urandom(4000))
               if n == '000000001.mp4' else (n, d) for n, d in members]
    bad = str(tmp_path / 'bad.tar')
    write_tar(bad, members)
    ds = _dataset(bad)
    assert len(ds) == 2
    assert ds._load(0) is not None
    assert ds._load(1) is None
    assert ds.num_skipped == 1 and ds.num_attempts == 2
    # in training the dataset refetches another sample instead
    assert ds[1]['data_samples'].metainfo['filename'].endswith(
        '000000000.mp4')
    with pytest.raises(RuntimeError, match='000000001.mp4'):
        _dataset(bad, test_mode=True)[1]


def test_truncated_shard_keeps_the_samples_before_the_cut(shards, tmp_path):
    out, _ = shards
    data = open(osp.join(out, '00001.tar'), 'rb').read()
    members = index_shard(osp.join(out, '00001.tar'))['samples']
    offset, size = members[1][1]['mp4']
    cut = str(tmp_path / 'cut.tar')
    with open(cut, 'wb') as f:  # cut in the middle of the second video
        f.write(data[:offset + size // 2])
    ds = _dataset([osp.join(out, '00000.tar'), cut])
    assert len(ds) == 3  # 2 of shard 0, the first of the cut one
    assert ds.num_truncated_shards == 1 and ds.num_lost_samples == 1
    assert ds[2]['data_samples'].metainfo['filename'].startswith(cut)
    # cut at a member boundary: no end-of-archive marker; the samples
    # after the cut are counted from the shard's _stats.json sidecar
    with open(cut, 'wb') as f:
        f.write(data[:offset - 512])
    ds = _dataset(cut)
    assert len(ds) == 1 and ds.num_truncated_shards == 1
    assert ds.num_lost_samples == 0  # unknown without a sidecar
    with open(cut[:-4] + '_stats.json', 'w') as f:
        json.dump(dict(samples=2), f)  # as make_shards.py writes it
    ds = _dataset(cut)
    assert len(ds) == 1 and ds.num_lost_samples == 1
    # the counts travel with the cached index
    cached = _dataset(cut, ann_index=str(tmp_path / 'idx'))
    assert cached.num_truncated_shards == 1 and len(cached) == 1
    # nothing usable left: a clear error, not an empty dataset
    with open(cut, 'wb') as f:
        f.write(data[:700])
    with pytest.raises(ValueError, match='no usable sample'):
        _dataset(cut)


def test_malformed_json_member_names_shard_and_member(shards, tmp_path):
    out, _ = shards
    members = [(n, b'{"caption": "a dog",' if n == '000000001.json' else d)
               for n, d in read_members(osp.join(out, '00000.tar'))]
    bad = str(tmp_path / 'json.tar')
    write_tar(bad, members)
    with pytest.raises(AnnotationError) as e:
        _dataset(bad)
    assert bad in str(e.value) and '000000001.json' in str(e.value)
    ds = _dataset(bad, skip_invalid_rows=True)
    assert len(ds) == 1 and ds.num_invalid_rows == 1


def test_caption_key_and_missing_video(tmp_path):
    video = open(osp.join(osp.dirname(__file__), '..', '..', 'data', 'demo',
                          'eye_makeup.avi'), 'rb').read()
    path = str(tmp_path / 'v2d.tar')
    write_tar(path, [
        ('a/0001.avi', video),
        ('a/0001.json', json.dumps(dict(title='applying eye makeup',
                                        url='http://x', duration=6.5)
                                   ).encode()),
        ('a/0002.json', b'{"title": "no video"}'),
    ])
    ds = _dataset(path, caption_key='title', id_key='url')
    assert len(ds) == 1 and ds.num_lost_samples == 1
    info = ds.get_data_info(0)
    assert info['captions'] == ['applying eye makeup']
    assert info['video_id'] == 'http://x'
    assert info['shard_meta'] == dict(duration=6.5)
    assert ds[0]['inputs']['imgs'].shape[2:] == (240, 320)


def test_frame_shards(tmp_path):
    out = str(tmp_path / 'frames')
    manifest = make_demo_shards(out, mode='frames', per_shard=5)
    assert manifest['check']['failed'] == []
    ds = VideoTextShardDataset(
        shards=osp.join(out, '00000.tar'), ann_index=False, test_mode=True,
        pipeline=[dict(type='LoadShardFrames', clip_len=2, test_mode=True),
                  dict(type='PackVideoTextInputs')])
    sample = ds[3]
    assert tuple(sample['inputs']['imgs'].shape[:2]) == (2, 3)
    # 4 stored frames, 2 segments: the middle frame of each in test mode
    np.testing.assert_array_equal(sample['data_samples'].metainfo[
        'frame_inds'], [1, 3])
    from mmallinone.datasets.transforms import LoadShardFrames
    train = LoadShardFrames(clip_len=2)
    for _ in range(10):
        inds = train._indices(4)
        assert 0 <= inds[0] <= 1 and 2 <= inds[1] <= 3


def test_reads_over_http_with_retries_and_skips(shards):
    out, _ = shards
    with RangeHTTPServer(out) as server:
        spec = server.url + '/{00000..00002}.tar'
        ds = _dataset(spec, backend_args=dict(retry_wait=0.01))
        assert len(ds) == 5
        assert ds.get_data_info(0)['filename'].startswith(server.url)
        assert ds._load(4) is not None
        # two dropped connections: retried, the sample still loads
        server.drops['/00001.tar'] = 2
        before = remote_stats()
        assert ds._load(2) is not None
        assert server.dropped['/00001.tar'] == 2
        assert remote_stats()['retries'] - before['retries'] == 2
        # a connection that always drops: a logged, counted skip
        server.drops['/00001.tar'] = -1
        assert ds._load(3) is None
        assert ds.num_skipped == 1
        assert remote_stats()['failures'] - before['failures'] == 1
        server.drops.clear()
        # forked dataloader workers open their own connections
        loader = torch.utils.data.DataLoader(
            ds, batch_size=None, num_workers=2, collate_fn=lambda x: x)
        ids = [s['data_samples'].metainfo['video_id'] for s in loader]
        assert sorted(ids) == sorted(ds.get_data_info(i)['video_id']
                                     for i in range(5))
