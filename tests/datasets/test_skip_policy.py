"""The skip policy: malformed rows raise (naming file, line, field) or are
counted skips; a failed load is a counted skip in training (an error past
``max_skip_ratio``) and an error in test mode."""
import pytest
from datasets_helpers import ListedDataset

from mmallinone.datasets import AnnotationError


@pytest.mark.parametrize('line,field,where', [
    (3, 'caption', 'a.csv, line 3, field "caption"'),
    ('row 2', None, 'a.csv, row 2'),
    (None, 'videos', 'a.csv, field "videos"'),
])
def test_invalid_row_names_file_line_and_field(line, field, where):
    ds = ListedDataset(2)
    with pytest.raises(AnnotationError) as err:
        ds.invalid('a.csv', line, field, 'bad')
    assert str(err.value) == \
        f'ListedDataset: invalid annotation ({where}): bad'


def test_invalid_rows_are_counted_when_skipped():
    ds = ListedDataset(2, skip_invalid_rows=True)
    ds.invalid('a.csv', 3, None, 'bad')
    ds.invalid('a.csv', 4, None, 'bad')
    assert ds.num_invalid_rows == 2
    assert ds.load_counts()['invalid_rows'] == 2


def test_failed_loads_are_counted_then_fail_past_the_ratio():
    ds = ListedDataset(3, broken=(1, 2), skip_warmup=2, max_skip_ratio=0.5)
    assert ds.prepare_data(0) is not None
    assert ds.prepare_data(1) is None  # 1 of 2 failed: tolerated
    assert ds.load_counts() == dict(attempted=2, skipped=1, invalid_rows=0)
    with pytest.raises(RuntimeError, match=r'2 of 3 samples failed to load, '
                       r'above max_skip_ratio=0\.5 \(last: "v2\.mp4": '
                       'FileNotFoundError'):
        ds.prepare_data(2)
    with pytest.raises(IndexError):  # the end, not a broken sample
        ds.prepare_data(3)
    assert ds.num_attempts == 3


def test_test_mode_failure_is_an_error_and_ratio_is_checked():
    ds = ListedDataset(2, broken=(1, ), test_mode=True)
    with pytest.raises(RuntimeError, match=r'cannot load sample 1 "v1\.mp4" '
                       'in test mode: FileNotFoundError'):
        ds.prepare_data(1)
    with pytest.raises(ValueError, match=r'max_skip_ratio must be in'):
        ListedDataset(2, max_skip_ratio=1.5)
