"""What the demo tabs share: the models, the video folder and its index."""
import logging
import os.path as osp
import threading
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import torch.nn as nn

__all__ = ['DemoContext', 'DemoError', 'ModelEntry']

logger = logging.getLogger('mmallinone.demo')


class DemoError(Exception):
    """A user-facing problem: its message is shown on the page as is."""


@dataclass
class ModelEntry:
    """A loaded model with the files it came from."""
    config: str
    checkpoint: str
    model: nn.Module

    @property
    def name(self) -> str:
        """``config name (checkpoint name)``."""
        return (f'{osp.basename(self.config)} '
                f'({osp.basename(self.checkpoint)})')


#: What each demo tab needs, from the task model's declared capabilities
#: (never from config names or attribute probes).
CAPABILITIES = {
    'search': lambda m: m.can('embed') or m.can('match'),
    'open_ended': lambda m: m.can('answer'),
    'multiple_choice': lambda m: m.can('choose') or m.can('match'),
    'cloze': lambda m: m.can('fill_mask'),
    'caption': lambda m: m.can('caption'),
}


class DemoContext:
    """Models, video folder and search index of one running demo.

    Args:
        models (Sequence[ModelEntry]): Loaded models; the first one able to
            do a task serves it (:meth:`model_for`). The first model able to
            search indexes the folder.
        video_dir (str): Folder of videos.
        cache_file (str): Embedding cache of the folder index.
        window (float, optional): Index sliding windows of this many
            seconds. Defaults to None (whole videos).
        stride (float, optional): Seconds between windows.
        top_k (int): Most results shown by the Search tab. Defaults to 5.
    """

    def __init__(self,
                 models: Sequence[ModelEntry],
                 video_dir: str,
                 cache_file: str,
                 window: Optional[float] = None,
                 stride: Optional[float] = None,
                 top_k: int = 5) -> None:
        if not models:
            raise ValueError('the demo needs at least one model')
        self.models = list(models)
        self.video_dir = osp.abspath(video_dir)
        self.cache_file = cache_file
        self.window = window
        self.stride = stride
        self.top_k = top_k
        self.lock = threading.Lock()
        self.index = None
        self.last_refresh: dict = dict(skipped=[])
        search = self.entry_for('search')
        if search is not None:
            from mmallinone.apis import VideoIndex, model_fingerprint
            mode = 'embed' if search.model.can('embed') else 'vtm'
            self.index = VideoIndex(
                search.model, self.video_dir, cache_file,
                model_fingerprint(search.model.cfg, search.checkpoint, mode),
                mode=mode, window=window, stride=stride,
                index_cfg=search.model.cfg.get('retrieval_index'),
                logger=lambda msg: logger.info(msg) if msg else None)

    @classmethod
    def from_files(cls, models: Sequence[Tuple[str, str]], video_dir: str,
                   device: str = 'cpu', **kwargs) -> 'DemoContext':
        """Load ``(config, checkpoint)`` pairs; clear errors for bad files.

        Raises:
            DemoError: A missing config, checkpoint or video folder, or a
                checkpoint that cannot be loaded.
        """
        from mmallinone.apis import init_model
        if not osp.isdir(video_dir):
            raise DemoError(f'Video folder not found: "{video_dir}"')
        entries = []
        for config, checkpoint in models:
            if not osp.isfile(config):
                raise DemoError(f'Config not found: "{config}"')
            if not osp.isfile(checkpoint):
                raise DemoError(
                    f'Checkpoint not found: "{checkpoint}". Train one first, '
                    'e.g. python tools/train.py '
                    'configs/allinone/retrieval_ti_demo.py')
            try:
                model = init_model(config, checkpoint, device=device)
            except Exception as err:  # noqa: BLE001 - reported at start-up
                raise DemoError(f'Cannot load "{checkpoint}" with '
                                f'"{config}": {type(err).__name__}: {err}'
                                ) from err
            entries.append(ModelEntry(config, checkpoint, model))
        return cls(entries, video_dir, **kwargs)

    # ------------------------------------------------------------ models
    def entry_for(self, task: str) -> Optional[ModelEntry]:
        """The first model able to do ``task`` (see ``CAPABILITIES``)."""
        test = CAPABILITIES[task]
        for entry in self.models:
            if test(entry.model):
                return entry
        return None

    def model_for(self, task: str, hint: str) -> nn.Module:
        """The model for ``task`` or a :class:`DemoError` with ``hint``."""
        entry = self.entry_for(task)
        if entry is None:
            raise DemoError(hint)
        return entry.model

    # ------------------------------------------------------------- text
    @staticmethod
    def check_text(model: nn.Module, text: str, what: str = 'query') -> str:
        """Strip ``text``; refuse it empty or longer than the text table."""
        text = (text or '').strip()
        if not text:
            raise DemoError(f'The {what} is empty: type some words first.')
        data = model.inference_data
        ids = data.tokenizer([text], truncation=False)['input_ids'][0]
        if len(ids) > data.max_length:
            raise DemoError(
                f'The {what} is too long: {len(ids)} word pieces with '
                f'[CLS] and [SEP], the model reads at most '
                f'{data.max_length} (its text position table). Shorten it.')
        return text

    # ------------------------------------------------------------ videos
    def refresh(self) -> dict:
        """Index new or changed videos of the folder (thread safe)."""
        if self.index is None:
            raise DemoError('No loaded model can search (it needs '
                            'retrieval projections or a VTM head).')
        with self.lock:
            try:
                self.last_refresh = self.index.refresh()
            except (FileNotFoundError, NotADirectoryError) as err:
                raise DemoError(str(err)) from err
        return self.last_refresh

    def videos(self) -> List[str]:
        """Readable videos of the folder (after the last refresh)."""
        if self.index is not None:
            return self.index.videos
        from mmallinone.apis import list_videos
        return list_videos(self.video_dir)

    def video_path(self, name: Optional[str]) -> str:
        """Absolute path of a video of the folder chosen by file name."""
        if not name:
            raise DemoError('Choose a video first.')
        path = osp.join(self.video_dir, osp.basename(name))
        if not osp.isfile(path):
            raise DemoError(f'Video not found in the folder: "{name}"')
        return path

    def skipped_text(self) -> str:
        """Markdown list of the videos skipped by the last refresh."""
        skipped = self.last_refresh.get('skipped') or []
        if not skipped:
            return ''
        lines = [f'**{len(skipped)} video(s) skipped** (unreadable):']
        lines += [f'- `{osp.basename(p)}`: {reason}' for p, reason in skipped]
        return '\n'.join(lines)


def guarded(fn: Callable) -> Callable:
    """Turn exceptions of a tab callback into a message (no stack trace).

    The wrapped callback's first output must be a Markdown status; on a
    :class:`DemoError` its message is shown, on any other error a short
    ``Error: ...`` line (the traceback goes to the server log).
    """
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DemoError as err:
            message = f'⚠️ {err}'
        except Exception as err:  # noqa: BLE001 - never kill the server
            logger.exception('demo callback failed')
            message = f'⚠️ Error: {type(err).__name__}: {err}'
        n = getattr(wrapper, 'num_outputs', 1)
        if n == 1:
            return message
        import gradio as gr
        return (message, ) + tuple(gr.skip() for _ in range(n - 1))

    return wrapper
