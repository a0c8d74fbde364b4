"""A cached, memory-mapped annotation index for web-scale datasets.

Parsing a multi-GB annotation CSV (WebVid-10M) in every process of every
node costs minutes and gigabytes each. With ``ann_index=True`` a dataset that
uses :class:`AnnotationIndexMixin` instead

1. on global rank 0 (once; later runs reuse it), streams the annotation
   file through the dataset's own row parser (the same checks: a malformed
   row raises an error naming the file, line and field, or is skipped and
   counted with ``skip_invalid_rows=True``) and writes a compact index: the
   data infos as UTF-8 JSON rows packed back to back in ``data.bin`` plus
   their end offsets ``offsets.npy`` (int64), and ``meta.json``;
2. every rank then memory-maps the two files (``np.memmap`` /
   ``np.load(mmap_mode='r')``): samples are decoded on access, dataloader
   workers share the OS page cache, and no process holds Python dicts of
   the whole annotation.

The index is keyed by the annotation file (absolute path, size, mtime), the
dataset class and its parse settings (:meth:`ann_index_key`): editing the
CSV or changing ``data_prefix`` builds a new one. It is written to a
temporary folder and renamed, so a killed build never leaves a half index.

Cache folder: ``<ann_file folder>/.mmallinone_index/`` or, if that is not
writable, ``~/.cache/mmallinone/ann_index/``; ``ann_index='<folder>'`` sets
it explicitly.
"""
import hashlib
import json
import os
import os.path as osp
import shutil
import time
from typing import Dict, Iterator, Optional, Tuple, Union

import numpy as np
from mmengine.dist import barrier, get_dist_info
from mmengine.logging import MMLogger

__all__ = ['AnnotationIndexMixin', 'INDEX_VERSION']

#: Bump when the on-disk layout or the JSON row content changes.
INDEX_VERSION = 1
_USER_CACHE = osp.join(osp.expanduser('~'), '.cache', 'mmallinone',
                       'ann_index')


class AnnotationIndexMixin:
    """Memory-mapped annotation index for a :class:`BaseDataset` subclass.

    The dataset implements :meth:`iter_data_infos` (yield one data info per
    sample, reporting malformed rows with ``self.invalid``) and calls
    :meth:`init_ann_index` before ``BaseDataset.__init__``. With the index
    enabled, :meth:`full_init` replaces MMEngine's parse + pickle
    serialisation by the cached index; otherwise nothing changes.
    """

    def init_ann_index(self, ann_index: Union[bool, str, None]) -> None:
        """Store the option (call before ``BaseDataset.__init__``).

        Args:
            ann_index (bool | str | None): ``False``/``None``: parse the
                annotation as usual; ``True``: use the index in the default
                cache folder; a string: use it in that folder.
        """
        if not (ann_index is None or isinstance(ann_index, (bool, str))):
            raise TypeError('ann_index must be a bool, a folder or None, got '
                            f'{type(ann_index).__name__}')
        self.ann_index = ann_index
        self._indexed = False
        self.ann_index_dir: Optional[str] = None

    # -------------------------------------------------------------- override
    def iter_data_infos(self) -> Iterator[dict]:
        """Yield the data infos of the annotation file, one per sample."""
        raise NotImplementedError

    def ann_index_key(self) -> Dict:
        """Settings that change the parsed infos (part of the cache key)."""
        return dict(video_prefix=getattr(self, 'video_prefix', ''),
                    skip_invalid_rows=getattr(self, 'skip_invalid_rows',
                                              False))

    # ---------------------------------------------------------------- build
    def _cache_dir(self) -> str:
        path = osp.abspath(self.ann_file)
        st = os.stat(path)
        key = dict(
            version=INDEX_VERSION,
            cls=type(self).__name__,
            path=path,
            size=st.st_size,
            mtime_ns=st.st_mtime_ns,
            **self.ann_index_key())
        digest = hashlib.sha1(
            json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
        name = f'{osp.basename(path)}-{digest}'
        if isinstance(self.ann_index, str):
            return osp.join(self.ann_index, name)
        local = osp.join(osp.dirname(path), '.mmallinone_index')
        parent = local if osp.isdir(local) else osp.dirname(path)
        if os.access(parent, os.W_OK):
            return osp.join(local, name)
        return osp.join(_USER_CACHE, name)

    @staticmethod
    def _is_valid(folder: str) -> bool:
        return osp.isfile(osp.join(folder, 'meta.json'))

    def build_ann_index(self, folder: str) -> Dict:
        """Stream the annotation into ``folder`` (atomically).

        Args:
            folder (str): Final index folder.

        Returns:
            dict: The index metadata (``num_samples``, ``num_invalid_rows``,
            ``build_s``, the source file).
        """
        logger = MMLogger.get_current_instance()
        parent = osp.dirname(folder)
        os.makedirs(parent, exist_ok=True)
        tmp = f'{folder}.tmp-{os.getpid()}'
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        t0 = time.perf_counter()
        invalid_before = getattr(self, 'num_invalid_rows', 0)
        offsets = []
        end = 0
        try:
            with open(osp.join(tmp, 'data.bin'), 'wb') as f:
                for info in self.iter_data_infos():
                    row = json.dumps(info, ensure_ascii=False).encode('utf-8')
                    f.write(row)
                    end += len(row)
                    offsets.append(end)
            np.save(osp.join(tmp, 'offsets.npy'),
                    np.asarray(offsets, dtype=np.int64))
            meta = dict(
                version=INDEX_VERSION,
                source=osp.abspath(self.ann_file),
                num_samples=len(offsets),
                num_invalid_rows=getattr(self, 'num_invalid_rows', 0) -
                invalid_before,
                build_s=round(time.perf_counter() - t0, 3))
            with open(osp.join(tmp, 'meta.json'), 'w') as f:
                json.dump(meta, f, indent=1)
            try:
                os.rename(tmp, folder)
            except OSError:  # another process finished first
                if not self._is_valid(folder):
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        logger.info(f'{type(self).__name__}: built the annotation index of '
                    f'{self.ann_file} ({meta["num_samples"]} samples, '
                    f'{meta["num_invalid_rows"]} invalid rows skipped) in '
                    f'{meta["build_s"]:.1f} s: {folder}')
        return meta

    def _load_index(self, folder: str) -> Tuple[np.ndarray, np.ndarray, Dict]:
        with open(osp.join(folder, 'meta.json')) as f:
            meta = json.load(f)
        offsets = np.load(osp.join(folder, 'offsets.npy'), mmap_mode='r')
        size = int(offsets[-1]) if len(offsets) else 0
        if size:
            blob = np.memmap(osp.join(folder, 'data.bin'), dtype=np.uint8,
                             mode='r', shape=(size, ))
        else:
            blob = np.zeros(0, dtype=np.uint8)
        return blob, offsets, meta

    # --------------------------------------------------------- dataset hooks
    def full_init(self) -> None:
        """Use the index (build it on rank 0 first) or MMEngine's path."""
        if self._fully_initialized:
            return
        if not self.ann_index:
            super().full_init()
            return
        folder = self._cache_dir()
        rank, world_size = get_dist_info()
        if rank == 0 and not self._is_valid(folder):
            self.build_ann_index(folder)
        if world_size > 1:
            barrier()  # the other ranks wait for rank 0's index
        if not self._is_valid(folder):
            # e.g. a node-local cache folder on another node
            self.build_ann_index(folder)
        blob, offsets, meta = self._load_index(folder)
        self.ann_index_dir = folder
        self.num_invalid_rows = meta.get('num_invalid_rows', 0)
        if self.num_invalid_rows:
            MMLogger.get_current_instance().warning(
                f'{type(self).__name__}: {self.num_invalid_rows} invalid '
                f'annotation rows of {self.ann_file} were skipped when the '
                f'index {folder} was built')
        self.data_list = []
        self.data_bytes, self.data_address = blob, offsets
        self.serialize_data = True
        self._indexed = True
        self._fully_initialized = True  # len() in the subset must not recurse
        if self._indices is not None:
            self.data_bytes, self.data_address = \
                self._get_serialized_subset(self._indices)

    def get_data_info(self, idx: int) -> dict:
        """Decode sample ``idx`` from the index (MMEngine's path otherwise)."""
        if not self._indexed:
            return super().get_data_info(idx)
        n = len(self.data_address)
        pos = idx if idx >= 0 else n + idx
        start = 0 if pos == 0 else int(self.data_address[pos - 1])
        end = int(self.data_address[pos])
        info = json.loads(bytes(self.data_bytes[start:end]).decode('utf-8'))
        info['sample_idx'] = pos
        return info
