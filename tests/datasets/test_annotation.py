"""One JSON / JSON Lines reader for every annotation file: rows with their
line (or ``row i``), errors naming the file and line, skippable bad lines."""
import os
import os.path as osp

import pytest

from mmallinone.datasets import AnnotationError, BaseVideoTextDataset
from mmallinone.datasets.annotation import parse_json
from mmallinone.datasets.qa import load_answer_vocab


def _reader(**kwargs) -> BaseVideoTextDataset:
    """A dataset whose data list is never loaded: just its readers."""
    return BaseVideoTextDataset(ann_file='', lazy_init=True, **kwargs)


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding='utf-8')
    return str(path)


def test_json_lines_rows_keep_their_line_numbers(tmp_path):
    path = _write(tmp_path, 'a.jsonl', '{"x": 1}\n\n{"x": 2}\n{"x": \n')
    with pytest.raises(AnnotationError,
                       match=rf'{path}, line 4\): malformed JSON'):
        _reader().read_json_rows(path)
    ds = _reader(skip_invalid_rows=True)
    assert ds.read_json_rows(path) == [(1, {'x': 1}), (3, {'x': 2})]
    assert ds.num_invalid_rows == 1


@pytest.mark.parametrize('name,text', [
    ('a.json', '[{"x": 1}, {"x": 2}]'),
    ('a.json', '{"annotations": [{"x": 1}, {"x": 2}]}'),
    ('a.json', '{"data": [{"x": 1}, {"x": 2}]}'),
    ('a.jsonl', '[{"x": 1},\n {"x": 2}]'),  # a JSON list named .jsonl
])
def test_json_documents_give_rows_by_index(tmp_path, name, text):
    rows = _reader().read_json_rows(_write(tmp_path, name, text))
    assert rows == [('row 0', {'x': 1}), ('row 1', {'x': 2})]


def test_bad_json_documents_name_file_and_line(tmp_path):
    path = _write(tmp_path, 'a.json', '[\n{"x": 1},\n{"x" 2}\n]')
    for read in (_reader().read_json, _reader().read_json_rows):
        with pytest.raises(AnnotationError,
                           match=rf'{path}, line 3\): malformed JSON'):
            read(path)
    path = _write(tmp_path, 'b.json', '{"videos": []}')
    with pytest.raises(AnnotationError, match=r'b\.json\): expected a JSON '
                       r'list of rows .*got NoneType'):
        _reader().read_json_rows(path)


def test_parse_json_and_answer_vocabulary(tmp_path):
    with pytest.raises(AnnotationError, match=r'^Me: invalid annotation '
                       r'\(f\.json, line 2\)'):
        parse_json('{\n,}', 'f.json', 'Me')
    path = _write(tmp_path, 'vocab.json', '["yes", "no"]')
    assert load_answer_vocab(path) == {'yes': 0, 'no': 1}
    path = _write(tmp_path, 'bad_vocab.json', '["yes",\n "no"')
    with pytest.raises(AnnotationError, match=r'bad_vocab\.json, line 2\)'):
        load_answer_vocab(path)


def test_no_other_dataset_module_parses_json_by_hand():
    """Annotation JSON goes through annotation.py; the exceptions read
    other files: annotation-index and shard caches / members, and VCR's
    per-sample metadata (reported through the skip policy)."""
    import mmallinone.datasets as pkg
    root = osp.dirname(pkg.__file__)
    allowed = {'annotation.py', 'ann_index.py', 'shards.py', 'vcr.py'}
    offenders = []
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith('.py') and name not in allowed:
                with open(osp.join(folder, name)) as f:
                    if 'json.load' in f.read():
                        offenders.append(osp.join(folder, name))
    assert offenders == []


def test_clip_numbers_and_text_lists(tmp_path):
    """MSVD's '<clip> vid<N>' mapping (captioning and QA read it alike) and
    the per-item text check of caption / candidate lists."""
    path = _write(tmp_path, 'map.txt', 'abc_1_5 vid1\n\nxyz_0_3 vid12\n'
                  'bad vidX\n')
    with pytest.raises(AnnotationError, match=rf'{path}, line 4\)'):
        _reader().read_clip_numbers(path)
    ds = _reader(skip_invalid_rows=True)
    assert ds.read_clip_numbers(path) == {'abc_1_5': 1, 'xyz_0_3': 12}
    assert ds.num_invalid_rows == 1
    assert ds.check_texts(['a', 'b'], path, 1, 'c') == ['a', 'b']
    with pytest.raises(AnnotationError, match=r'c\[1\]'):
        _reader().check_texts(['a', ' '], path, 1, 'c')
