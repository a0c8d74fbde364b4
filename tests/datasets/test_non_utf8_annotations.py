"""Annotation files with a line that is not UTF-8 (issue 16, item 11): an
error naming the file and the line (not a bare ``UnicodeDecodeError``), and
``skip_invalid_rows=True`` drops that line with a count."""
import pytest

from mmallinone.datasets import VideoTextDataset, WebVidDataset

LATIN1 = 'a caf\xe9 at night'.encode('latin-1')  # 0xe9: not UTF-8


def _jsonl(tmp_path):
    path = tmp_path / 'ann.jsonl'
    path.write_bytes(
        b'{"video": "a.mp4", "caption": "a dog runs"}\n'
        b'{"video": "b.mp4", "caption": "' + LATIN1 + b'"}\n'
        b'{"video": "c.mp4", "caption": "a cat sleeps"}\n')
    return str(path)


def test_jsonl_error_names_file_and_line(tmp_path):
    path = _jsonl(tmp_path)
    with pytest.raises(ValueError, match=rf'{path}, line 2\).*not valid '
                       r'UTF-8 \(byte 0xe9'):
        VideoTextDataset(ann_file=path)


def test_jsonl_skip_invalid_rows(tmp_path):
    ds = VideoTextDataset(ann_file=_jsonl(tmp_path), skip_invalid_rows=True)
    assert [ds.get_data_info(i)['video_id'] for i in range(len(ds))] == \
        ['a', 'c']
    assert ds.num_invalid_rows == 1


def test_json_document_cannot_skip_a_line(tmp_path):
    path = tmp_path / 'ann.json'
    path.write_bytes(b'[\n{"video": "a.mp4", "caption": "' + LATIN1 +
                     b'"}\n]\n')
    with pytest.raises(ValueError, match=r'line 2\).*cannot be skipped'):
        VideoTextDataset(ann_file=str(path), skip_invalid_rows=True)


@pytest.mark.parametrize('ann_index', [False, True])
def test_webvid_csv(tmp_path, ann_index):
    """Read whole (file backend) or streamed (annotation index build)."""
    path = tmp_path / 'results.csv'
    path.write_bytes(
        b'videoid,contentUrl,duration,page_dir,name\n'
        b'1,u,PT00H00M10S,d,a dog runs\n'
        b'2,u,PT00H00M10S,d,' + LATIN1 + b'\n'
        b'3,u,PT00H00M10S,d,a cat sleeps\n')
    index_dir = str(tmp_path / 'index') if ann_index else False
    with pytest.raises(ValueError, match=r'results\.csv, line 3\).*UTF-8'):
        WebVidDataset(ann_file=str(path), ann_index=index_dir)
    ds = WebVidDataset(ann_file=str(path), ann_index=index_dir,
                       skip_invalid_rows=True)
    assert [ds.get_data_info(i)['text'] for i in range(len(ds))] == \
        ['a dog runs', 'a cat sleeps']
    assert ds.num_invalid_rows == 1
