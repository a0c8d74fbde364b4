"""FsspecBackend: registered with MMEngine's fileio for s3/gs/http(s)/hf;
reads from a real HTTP server on 127.0.0.1, retries dropped connections,
then fails with a counted RemoteReadError; refuses credentials in configs."""
import pytest
from mmengine import fileio

import mmallinone  # noqa: F401  (registers the backend)
from mmallinone.fileio import (FsspecBackend, RemoteReadError, read_range,
                               remote_stats)
from range_http_server import RangeHTTPServer


@pytest.fixture
def served(tmp_path):
    data = bytes(range(256)) * 64  # 16 KiB
    (tmp_path / 'blob.bin').write_bytes(data)
    (tmp_path / 'note.txt').write_text('hello shards\n')
    with RangeHTTPServer(str(tmp_path)) as server:
        yield server, data


@pytest.mark.parametrize('prefix', ['s3', 'gs', 'http', 'https', 'hf'])
def test_registered_for_remote_prefixes(prefix):
    backend = fileio.get_file_backend(f'{prefix}://bucket/x.tar')
    assert isinstance(backend, FsspecBackend)
    # local paths keep MMEngine's local backend
    assert not isinstance(fileio.get_file_backend('/tmp/x.tar'),
                          FsspecBackend)


def test_fileio_get_over_http(served):
    server, data = served
    assert fileio.get(server.url + '/blob.bin') == data
    assert fileio.get_text(server.url + '/note.txt') == 'hello shards\n'
    assert fileio.exists(server.url + '/blob.bin')
    assert read_range(server.url + '/blob.bin', 1000, 300) == \
        data[1000:1300]
    with pytest.raises(FileNotFoundError):
        fileio.get(server.url + '/missing.bin')
    assert fileio.join_path(server.url, 'a', 'b.tar') == \
        server.url + '/a/b.tar'


def test_dropped_connection_is_retried_then_counted(served):
    server, data = served
    url = server.url + '/blob.bin'
    backend = FsspecBackend(max_retries=2, retry_wait=0.01)
    before = remote_stats()
    server.drops['/blob.bin'] = 2  # the first two transfers break midway
    assert backend.get_range(url, 0, 8000) == data[:8000]
    assert server.dropped['/blob.bin'] == 2
    assert remote_stats()['retries'] - before['retries'] == 2
    server.drops['/blob.bin'] = -1  # every transfer breaks
    with pytest.raises(RemoteReadError, match='after 3 attempts'):
        backend.get(url)
    assert remote_stats()['failures'] - before['failures'] == 1


def test_credentials_are_refused_in_configs():
    for key in ('key', 'secret', 'token', 'aws_secret_access_key',
                'password'):
        with pytest.raises(ValueError, match='look like credentials'):
            FsspecBackend(storage_options={key: 'x'})
    assert FsspecBackend(storage_options=dict(anon=True)).storage_options \
        == dict(anon=True)
    with pytest.raises(ValueError, match='look like credentials'):
        fileio.get('s3://bucket/a.tar',
                   backend_args=dict(storage_options=dict(secret='x')))
