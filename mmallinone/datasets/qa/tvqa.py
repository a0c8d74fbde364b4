"""TVQA (multiple-choice video QA on TV-show clips, JPEG frames at 3 fps)."""
import math
import os.path as osp
from typing import Dict, List, Optional

from mmengine import fileio

from mmallinone.registry import DATASETS
from .base import BaseMultipleChoiceDataset

__all__ = ['TVQADataset']

#: Frame folder prefix of each show (``<show>_frames``); a ``vid_name``
#: without a known prefix is a Big Bang Theory clip (``bbt``).
TVQA_SHOWS = ('castle', 'friends', 'grey', 'house', 'met')


@DATASETS.register_module()
class TVQADataset(BaseMultipleChoiceDataset):
    """TVQA (Lei et al. 2018).

    Reads the official ``tvqa_{train,val,test_public}.jsonl``; a line::

        {"q": "What is Sheldon holding?", "a0": "...", ..., "a4": "...",
         "answer_idx": 2, "ts": "60.17-71.33", "vid_name":
         "s01e02_seg02_clip_17", "show_name": "The Big Bang Theory", "qid": 1}

    Frames are the official JPEG folders at 3 fps:
    ``<data_prefix['video']>/<show>_frames/<vid_name>/%05d.jpg`` (1-based),
    ``<show>`` the ``vid_name`` prefix (``castle``, ``friends``, ``grey``,
    ``house``, ``met``) or ``bbt``. The clip is the ``ts`` window: frames
    ``max(1, floor(beg*fps))`` .. ``min(n, max(first, floor(end*fps)))``
    (``n`` counted in the folder when the sample is loaded); ``ts`` ``NaN``
    or missing means the whole clip. Decode with ``mmaction.RawFrameDecode``
    (RGB; the authors read BGR) after
    ``mmaction.UniformSample`` (deterministic with ``test_mode=True``).

    The test split has no ``answer_idx``: its label is 0 (predictions are
    then the only useful output).

    Args:
        ann_file (str): The JSONL file.
        fps (float): Frame rate of the folders. Defaults to 3.
        subtitle_file (str, optional): The official
            ``tvqa_preprocessed_subtitles.jsonl`` (``vid_name``,
            ``sub_text``). When given, the subtitles are appended to the
            question (``question + ' ' + subtitles``; ``TokenizeCandidates``
            truncates this prefix first). The authors use none.
            Defaults to None.
        filename_tmpl (str): Defaults to ``'{:05d}.jpg'``.
        **kwargs: See :class:`BaseMultipleChoiceDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 fps: float = 3.0,
                 subtitle_file: Optional[str] = None,
                 filename_tmpl: str = '{:05d}.jpg',
                 **kwargs) -> None:
        data_root = kwargs.get('data_root', '') or ''
        if subtitle_file and data_root and not osp.isabs(subtitle_file):
            subtitle_file = osp.join(data_root, subtitle_file)
        self.fps = fps
        self.subtitle_file = subtitle_file
        self.filename_tmpl = filename_tmpl
        super().__init__(ann_file=ann_file, **kwargs)

    @staticmethod
    def show_dir(vid_name: str) -> str:
        """Frame folder of a clip's show, e.g. ``'friends_frames'``."""
        prefix = vid_name.split('_', 1)[0]
        return f'{prefix if prefix in TVQA_SHOWS else "bbt"}_frames'

    def _subtitles(self) -> Dict[str, str]:
        if not self.subtitle_file:
            return {}
        out = {}
        for where, row in self.read_json_rows(self.subtitle_file):
            name = self.field(row, 'vid_name', self.subtitle_file, where)
            text = self.field(row, 'sub_text', self.subtitle_file, where)
            if name is not None and text is not None:
                out[name] = text.replace('<eos>', ' ')
        return out

    def _window(self, ts, path: str, where) -> Optional[tuple]:
        if ts is None or (isinstance(ts, str)
                          and ts.strip().lower() in ('', 'nan')):
            return None
        parts = str(ts).split('-')
        if len(parts) != 2:
            self.invalid(path, where, 'ts', f'expected "beg-end", got {ts!r}')
            return False
        beg = self.parse_float(parts[0], path, where, 'ts')
        end = self.parse_float(parts[1], path, where, 'ts') \
            if beg is not None else None
        if end is None:
            return False
        if end < beg:
            self.invalid(path, where, 'ts', f'end < beg in {ts!r}')
            return False
        return beg, end

    def load_data_list(self) -> List[dict]:
        """Parse the JSONL file: one sample per question."""
        subs = self._subtitles()
        path = self.ann_file
        data_list = []
        for where, row in self.read_json_rows(path):
            name = self.field(row, 'vid_name', path, where)
            question = self.field(row, 'q', path, where) \
                if name is not None else None
            if question is None:
                continue
            options = self.check_candidates(
                [row.get(f'a{i}') for i in range(5)], path, where, 'a0..a4')
            if options is None:
                continue
            label = 0
            if 'answer_idx' in row:
                label = self.parse_int(row['answer_idx'], path, where,
                                       'answer_idx', 0, len(options))
                if label is None:
                    continue
            window = self._window(row.get('ts'), path, where)
            if window is False:
                continue
            if name in subs:
                question = f'{question} {subs[name]}'
            data_list.append(
                self.mc_info(
                    self.media_path(osp.join(self.show_dir(name), name)),
                    name, options, label, question,
                    ts_window=window,
                    question_id=row.get('qid')))
        return data_list

    def load_sample_annotation(self, info: dict) -> dict:
        """Count the clip's frames and set the ``RawFrameDecode`` keys."""
        frame_dir = info['filename']
        n = sum(1 for f in fileio.list_dir_or_file(
            frame_dir, list_dir=False, suffix='.jpg'))
        if n == 0:
            raise FileNotFoundError(f'no .jpg frames in {frame_dir}')
        first, last = 1, n
        window = info.pop('ts_window', None)
        if window is not None:
            first = min(n, max(1, int(math.floor(window[0] * self.fps))))
            last = min(n, max(first, int(math.floor(window[1] * self.fps))))
        info.update(
            frame_dir=frame_dir,
            filename_tmpl=self.filename_tmpl,
            offset=0,
            start_index=first,
            total_frames=last - first + 1,
            modality='RGB')
        return info
