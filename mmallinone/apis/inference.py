"""Python inference API: build a model from a config and query it.

Every function takes the model returned by :func:`init_model` and builds
its batches the way a test run does: videos are decoded by the **test
pipeline of the model's config** (decord through mmaction2's transforms,
with the config's frame sampling, resize and crop), texts are tokenised by
**that pipeline's tokenizer**, both are packed by the pipeline's packer
(:class:`PackVideoTextInputs`, the batch contract of
:mod:`mmallinone.structures`) and batched by the **model's data
preprocessor**. What a function asks of the model is chosen from the task
model's declared capabilities (:attr:`AllInOneBaseModel.CAPABILITIES`),
never by probing attributes: ``answer_question`` runs ``model.test_step``
of a model that can ``'answer'`` or ``'choose'``, ``match`` calls the
``'match'`` scorer, ``encode_*`` the ``'embed'`` encoders.

Example::

    from mmallinone.apis import init_model, match
    model = init_model('configs/allinone/pretrain_ti_demo.py',
                       'work_dirs/pretrain_ti_demo/iter_60.pth')
    match(model, 'data/demo/arm_wrestling.mp4',
          ['two people arm wrestling', 'a man cleans a pool'])
"""
import contextlib
import copy
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from torch import Tensor

from mmallinone.checkpoint import trusted_checkpoints
from mmallinone.structures import middle_view
from mmallinone.utils.config import load_config

__all__ = [
    'init_model', 'encode_videos', 'encode_texts', 'match',
    'answer_question', 'load_video', 'tokenize', 'video_inputs',
    'InferenceData'
]

PathLike = Union[str, os.PathLike]
VideoLike = Union[PathLike, Tensor]

#: Where a test pipeline is looked for in a config, in this order.
_PIPELINE_KEYS = ('test_dataloader', 'val_dataloader', 'test_pipeline',
                  'val_pipeline')


def _dataset_cfg(cfg: Config, key: str) -> Optional[dict]:
    """The (innermost) dataset config of a dataloader, or None."""
    loader = cfg.get(key)
    if not loader:
        return None
    dataset = loader.get('dataset')
    while isinstance(dataset, dict) and 'pipeline' not in dataset:
        # ConcatDataset / RepeatDataset wrappers
        inner = dataset.get('datasets') or dataset.get('dataset')
        dataset = inner[0] if isinstance(inner, (list, tuple)) else inner
    return dataset if isinstance(dataset, dict) else None


def _find_test_pipeline(cfg: Config) -> List[dict]:
    """The config's test (or val) pipeline as a list of transform dicts."""
    for key in _PIPELINE_KEYS:
        if key.endswith('dataloader'):
            dataset = _dataset_cfg(cfg, key)
            if dataset is not None and dataset.get('pipeline'):
                return copy.deepcopy(list(dataset['pipeline']))
        elif cfg.get(key):
            return copy.deepcopy(list(cfg[key]))
    raise KeyError('The config has no test pipeline: looked for '
                   f'{", ".join(_PIPELINE_KEYS)} (a dataloader\'s '
                   'dataset.pipeline or a top-level pipeline list).')


def _answer_vocab_of(cfg: Config) -> Optional[List[str]]:
    """Answer names (index = label) from the config's QA dataset, or None."""
    from mmallinone.datasets.qa.base import load_answer_vocab
    for key in ('test_dataloader', 'val_dataloader', 'train_dataloader'):
        dataset = _dataset_cfg(cfg, key)
        if not dataset or not dataset.get('answer_vocab'):
            continue
        path = dataset['answer_vocab']
        root = dataset.get('data_root')
        if root and not osp.isabs(path):
            path = osp.join(root, path)
        if not osp.isfile(path):
            return None
        vocab = load_answer_vocab(path)
        names = [''] * (max(vocab.values()) + 1)
        for answer, label in vocab.items():
            names[label] = answer
        return names
    return None


class InferenceData:
    """Test-pipeline frames and tokenizer of a config (built once per model).

    The transforms of the config's test pipeline are split in two: the
    video part (everything but the text transforms and the packer) decodes
    and crops frames; the first tokenising transform gives the tokenizer and
    the maximum text length.

    Args:
        cfg (Config): The model's config.
        max_text_len (int): Fallback maximum text length (the backbone's
            position table) when the pipeline tokenises nothing.
    """

    def __init__(self, cfg: Config, max_text_len: int) -> None:
        from mmallinone.datasets.transforms.formatting import \
            PackVideoTextInputs
        from mmallinone.datasets.transforms.text import (_get_tokenizer,
                                                         _LazyTokenizerMixin)
        from mmallinone.registry import TRANSFORMS

        video, tokenizer_cfg, max_length = [], None, None
        for t_cfg in _find_test_pipeline(cfg):
            transform = TRANSFORMS.build(t_cfg)
            if isinstance(transform, _LazyTokenizerMixin):
                if tokenizer_cfg is None:
                    tokenizer_cfg = transform.tokenizer_cfg
                    max_length = transform.max_length
                continue
            if isinstance(transform, PackVideoTextInputs):
                continue
            video.append(transform)
        if not video:
            raise ValueError('The test pipeline has no video transforms.')
        self.video_pipeline = Compose(video)
        # the packer of the batch contract; test views (the frame sampler's
        # num_clips) become their own axis
        self.packer = PackVideoTextInputs(meta_keys=(),
                                          views_key='num_clips')
        self.tokenizer = _get_tokenizer(
            tokenizer_cfg if tokenizer_cfg is not None else dict(
                type='BertWordPieceTokenizer'))
        self.max_length = min(max_length or max_text_len, max_text_len)
        self.answer_vocab = _answer_vocab_of(cfg)

    def frames(self, video: VideoLike, name: str = 'video') -> Tensor:
        """uint8 frames ``(V, S, 3, H, W)`` of one video (``V`` views);
        ``name`` is the argument named in errors."""
        if isinstance(video, Tensor):
            if video.dim() == 4:
                video = video[None]
            if video.dim() != 5 or video.shape[2] != 3:
                raise ValueError(f'{name}: a video tensor must be uint8 '
                                 '(S, 3, H, W) or (V, S, 3, H, W), got '
                                 f'{tuple(video.shape)}')
            if video.dtype != torch.uint8:
                raise ValueError(
                    f'{name}: video frames must be uint8 (0-255) as decoded, '
                    f'got {video.dtype}; convert float frames in [0, 1] '
                    'with (x * 255).round().to(torch.uint8).')
            return video
        path = os.fspath(video)
        if not osp.isfile(path):
            raise FileNotFoundError(f'Video file not found: "{path}"')
        if osp.getsize(path) == 0:
            raise ValueError(f'Video file is empty: "{path}"')
        try:
            results = self.video_pipeline(
                dict(filename=path, start_index=0, modality='RGB'))
        except Exception as err:
            raise RuntimeError(f'Cannot decode "{path}" with the test '
                               f'pipeline: {type(err).__name__}: {err}'
                               ) from err
        if results is None or 'imgs' not in results:
            raise RuntimeError(f'The test pipeline returned no frames for '
                               f'"{path}"')
        return self.packer.pack_frames(results)

    def batch(self, model: nn.Module, frames: Sequence[Optional[Tensor]],
              **texts: Sequence) -> dict:
        """A collated batch of packed samples, as the test dataloader
        yields it (not yet preprocessed).

        Args:
            model (nn.Module): The model (frames keep their view axis only
                when it declares ``'views'``; else its middle view is
                used).
            frames (Sequence[Tensor | None]): uint8 ``(V, S, 3, H, W)`` per
                sample, or None for text-only samples.
            **texts: Per text field of the batch contract (``input_ids``,
                ``candidate_ids``, ...), one value per sample: token ids, or
                a list of token ids for fields with K texts.
        """
        from mmaction.structures import ActionDataSample
        samples = []
        for i, clip in enumerate(frames):
            inputs = self.packer.pack_texts(
                {key: values[i] for key, values in texts.items()})
            if clip is not None:
                inputs['imgs'] = clip if model.can('views') else \
                    middle_view(clip[None])[0]
            samples.append(dict(inputs=inputs,
                                data_samples=ActionDataSample()))
        return pseudo_collate(samples)

    def tokenize(self, texts: Sequence[str],
                 pairs: Optional[Sequence[str]] = None,
                 pairs_name: str = 'pairs') -> List[Tensor]:
        """WordPiece ids ``[CLS] text [SEP] (pair [SEP])`` of each text.

        Only ``texts`` is truncated; a ``pair`` too long for the text limit
        raises a ``ValueError`` naming ``pairs_name[i]``.
        """
        if isinstance(texts, str):
            raise TypeError('texts must be a list of str, not a str')
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f'texts[{i}] must be a str, got '
                                f'{type(text).__name__}')
        if pairs is None:
            enc = self.tokenizer(list(texts), truncation=True,
                                 max_length=self.max_length)
        else:
            self._check_pairs_fit(texts, pairs, pairs_name)
            enc = self.tokenizer(list(texts), list(pairs),
                                 truncation='only_first',
                                 max_length=self.max_length)
        return [torch.as_tensor(ids, dtype=torch.long)
                for ids in enc['input_ids']]


    def _check_pairs_fit(self, texts: Sequence[str], pairs: Sequence[str],
                         pairs_name: str) -> None:
        """Each pair plus at least one token of its text fits the limit
        (the tokenizer raises a bare ``Exception`` otherwise)."""
        for i, (text, pair) in enumerate(zip(texts, pairs)):
            n_pair = len(self.tokenizer(pair, add_special_tokens=False)[
                'input_ids'])
            n_text = len(self.tokenizer(text, add_special_tokens=False)[
                'input_ids'])
            # [CLS] text [SEP] pair [SEP]: keep >= 1 token of the text
            if n_pair + min(n_text, 1) + 3 > self.max_length:
                raise ValueError(
                    f'{pairs_name}[{i}] is {n_pair} tokens long; with the '
                    f'question it does not fit the text limit of '
                    f'{self.max_length} tokens ([CLS] question [SEP] '
                    'candidate [SEP]). Shorten it.')


def init_model(config: Union[PathLike, Config],
               checkpoint: Optional[PathLike] = None,
               device: Union[str, torch.device] = 'cpu',
               cfg_options: Optional[dict] = None,
               trust_checkpoint: bool = False) -> nn.Module:
    """Build a model from a config and load a checkpoint, in eval mode.

    Args:
        config (str | Path | Config): Config file, config name
            (``mmallinone::allinone/retrieval_ti_demo.py``) or object, or a
            pretrained folder / ``hf://owner/name`` (``save_pretrained``;
            then ``checkpoint`` is None or the same folder).
        checkpoint (str | Path, optional): Checkpoint (an MMEngine ``.pth``,
            a plain state dict, the authors' release ``.ckpt``, a
            ``.safetensors`` file or a pretrained folder), loaded
            with mmallinone's weights-only-first loader. Missing / unexpected
            keys are logged. None keeps the initialised weights.
        device (str | torch.device): Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides merged into the config
            (``{'model.backbone.num_frames': 8}``, list items by index:
            ``{'test_pipeline.1.clip_len': 8}``).
        trust_checkpoint (bool): Fully unpickle ``checkpoint`` if it holds
            objects outside the weights-only allow-list. Unpickling can run
            arbitrary code: only for files of trusted origin. Defaults to
            False.

    Returns:
        nn.Module: The task model with ``cfg`` (the merged config),
        ``inference_data`` (:class:`InferenceData`) and ``answer_vocab``
        (answer names of a QA config, or None) attached.
    """
    from mmallinone.checkpoint import is_pretrained_ref
    if isinstance(config, (str, os.PathLike)) and \
            is_pretrained_ref(config) and (
                checkpoint is None
                or os.fspath(checkpoint) == os.fspath(config)
                or (osp.isdir(checkpoint) and osp.samefile(checkpoint,
                                                           config))):
        return _init_pretrained(os.fspath(config), device, cfg_options)
    if isinstance(config, (str, os.PathLike)):
        cfg = load_config(config)
    elif isinstance(config, Config):
        cfg = copy.deepcopy(config)
    else:
        raise TypeError('config must be a file path or a Config, got '
                        f'{type(config).__name__}')
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmallinone'))
    import mmallinone.datasets  # noqa: F401  (register the transforms)
    import mmallinone.models  # noqa: F401
    from mmallinone.registry import MODELS

    model_cfg = copy.deepcopy(cfg.model)
    model = MODELS.build(model_cfg)
    if checkpoint is None:
        model.init_weights()
    else:
        checkpoint = os.fspath(checkpoint)
        if not (osp.isfile(checkpoint) or is_pretrained_ref(checkpoint)):
            raise FileNotFoundError(f'Checkpoint not found: "{checkpoint}"')
        with (trusted_checkpoints() if trust_checkpoint
              else contextlib.nullcontext()):
            load_checkpoint(model, checkpoint, map_location='cpu')
    model.cfg = cfg
    model.inference_data = InferenceData(cfg, model.backbone.max_text_len)
    model.answer_vocab = model.inference_data.answer_vocab
    model.to(device)
    model.eval()
    return model


def _init_pretrained(ref: str, device: Union[str, torch.device],
                     cfg_options: Optional[dict]) -> nn.Module:
    """``init_model`` of a pretrained folder or ``hf://owner/name[@rev]``.
    """
    from mmallinone.models import AllInOneBaseModel
    from mmallinone.checkpoint import HUB_PREFIX
    revision = None
    if ref.startswith(HUB_PREFIX):
        ref, _, revision = ref[len(HUB_PREFIX):].partition('@')
    return AllInOneBaseModel.from_pretrained(
        ref, revision=revision or None, map_location=str(device),
        cfg_options=cfg_options)


# ------------------------------------------------------------------ helpers
def _data(model: nn.Module) -> InferenceData:
    """The :class:`InferenceData` that :func:`init_model` attached."""
    data = vars(model).get('inference_data')
    if data is None:
        raise AttributeError('The model has no inference_data: build it '
                             'with mmallinone.apis.init_model.')
    return data


def load_video(model: nn.Module, video: VideoLike,
               name: str = 'video') -> Tensor:
    """Decode one video with the model's test pipeline.

    Args:
        model (nn.Module): A model from :func:`init_model`.
        video (str | Path | Tensor): A video file, or uint8 frames
            ``(S, 3, H, W)`` / ``(V, S, 3, H, W)`` already decoded.

    Returns:
        Tensor: uint8 ``(V, S, 3, H, W)``; ``V`` is the number of test views
        of the pipeline (``num_clips`` of the frame sampler, usually 1).

    Raises:
        ValueError: For float frames or a wrong shape (naming ``name``).
    """
    return _data(model).frames(video, name)


def tokenize(model: nn.Module, texts: Sequence[str],
             pairs: Optional[Sequence[str]] = None,
             pairs_name: str = 'pairs') -> Tuple[Tensor, Tensor]:
    """Tokenise and pad texts as the model's data preprocessor does.

    Args:
        model (nn.Module): A model from :func:`init_model`.
        texts (Sequence[str]): ``N`` texts.
        pairs (Sequence[str], optional): ``N`` second segments
            (``[CLS] text [SEP] pair [SEP]``).

    Returns:
        tuple: ``input_ids`` and ``attention_mask``, both ``(N, L)``.
    """
    data = _data(model)
    seqs = data.tokenize(texts, pairs, pairs_name)
    inputs = model.data_preprocessor(
        data.batch(model, [None] * len(seqs), input_ids=seqs))['inputs']
    return inputs['input_ids'], inputs['attention_mask']


def video_inputs(model: nn.Module, video: VideoLike,
                 name: str = 'video') -> Tensor:
    """One video decoded, packed and preprocessed as in a test batch.

    Returns:
        Tensor: float ``(1, S, 3, H, W)`` on the model's device (the
        middle test view), or ``(1, V, S, 3, H, W)`` for a model that
        declares ``'views'``.
    """
    return _preprocessed(model, [load_video(model, video, name)])['imgs']


def _as_list(videos: Union[VideoLike, Sequence[VideoLike]]) -> list:
    if isinstance(videos, (str, os.PathLike)):
        return [videos]
    if isinstance(videos, Tensor) and videos.dim() == 4:
        return [videos]
    return list(videos)


def _preprocessed(model: nn.Module, frames: Sequence[Optional[Tensor]],
                  **texts: Sequence) -> Dict[str, Tensor]:
    """Preprocessed ``inputs`` of :meth:`InferenceData.batch`."""
    batch = _data(model).batch(model, frames, **texts)
    return model.data_preprocessor(batch, False)['inputs']


def _require(model: nn.Module, capability: str, task: str) -> None:
    if not model.can(capability):
        raise AttributeError(
            f'{type(model).__name__} cannot {task}: it does not declare the '
            f'{capability!r} capability (declared: '
            f'{sorted(model.CAPABILITIES)}).')


# --------------------------------------------------------------- public API
@torch.no_grad()
def encode_videos(model: nn.Module,
                  videos: Union[VideoLike, Sequence[VideoLike]],
                  batch_size: int = 8,
                  normalize: bool = True) -> Tensor:
    """Video embeddings from the video-only path.

    With a model that can ``'embed'`` (retrieval) this is its
    ``encode_video`` (the two-stream retrieval embedding); with any other
    task model it is the visual CLS feature of the video-only path
    (``backbone.forward_video(imgs)[:, 0]``). With ``V > 1`` test views the
    L2-normalised view embeddings are averaged, so a dot product with a
    text embedding equals the view-averaged similarity of
    :class:`RetrievalMetric`.

    Args:
        model (nn.Module): A model from :func:`init_model`.
        videos (str | Tensor | Sequence): One video or ``N`` videos (paths
            or uint8 frames, see :func:`load_video`).
        batch_size (int): Videos per forward. Defaults to 8.
        normalize (bool): L2-normalise the embeddings. Defaults to True.

    Returns:
        Tensor: ``(N, D)`` float embeddings on the CPU (``D`` is the
        retrieval projection size, or the backbone width ``C``).
    """
    videos = _as_list(videos)
    if not videos:
        raise ValueError('videos is empty: give at least one video.')
    out = []
    for start in range(0, len(videos), batch_size):
        frames = [
            load_video(model, v, f'videos[{start + i}]')
            for i, v in enumerate(videos[start:start + batch_size])
        ]
        imgs = _preprocessed(model, frames)['imgs']
        if imgs.dim() == 5:  # a model without views: one (middle) view
            imgs = imgs[:, None]
        b, v = imgs.shape[:2]
        imgs = imgs.flatten(0, 1)  # (B*V, S, 3, H, W)
        emb = model.encode_video(imgs) if model.can('embed') else \
            model.backbone.forward_video(imgs)[:, 0]
        emb = emb.float()
        if normalize or v > 1:
            emb = F.normalize(emb, dim=-1)
        out.append(emb.view(b, v, -1).mean(1).cpu())
    return torch.cat(out)


@torch.no_grad()
def encode_texts(model: nn.Module,
                 texts: Union[str, Sequence[str]],
                 batch_size: int = 64,
                 normalize: bool = True) -> Tensor:
    """Text embeddings from the text-only path.

    With a model that can ``'embed'`` this is its ``encode_text``
    (projected text [CLS]); otherwise the text [CLS] of
    ``backbone.forward_text``.

    Args:
        model (nn.Module): A model from :func:`init_model`.
        texts (str | Sequence[str]): One text or ``N`` texts.
        batch_size (int): Texts per forward. Defaults to 64.
        normalize (bool): L2-normalise the embeddings. Defaults to True.

    Returns:
        Tensor: ``(N, D)`` float embeddings on the CPU.
    """
    texts = [texts] if isinstance(texts, str) else list(texts)
    if not texts:
        raise ValueError('texts is empty: give at least one text.')
    out = []
    for start in range(0, len(texts), batch_size):
        ids, mask = tokenize(model, texts[start:start + batch_size])
        emb = model.encode_text(ids, mask) if model.can('embed') else \
            model.backbone.forward_text(ids, mask)[:, 0]
        emb = emb.float()
        if normalize:
            emb = F.normalize(emb, dim=-1)
        out.append(emb.cpu())
    return torch.cat(out)


@torch.no_grad()
def match(model: nn.Module, video: VideoLike,
          texts: Union[str, Sequence[str]],
          return_logits: bool = False) -> Tensor:
    """Video-text matching scores on the joint path (VTM head).

    Each text is read together with the video's frames in one joint forward
    and the VTM head classifies the pooled text [CLS] as match / no match:
    the model's ``match_scores``, as in the pre-trainer's ``predict``
    (``pred_vtm_pos``) and the retrieval re-ranking. With ``V > 1`` test
    views the middle view is used, as the retrieval re-ranking does.

    Args:
        model (nn.Module): A model from :func:`init_model` that can
            ``'match'`` (pre-training, retrieval, zero-shot MC).
        video (str | Tensor): One video.
        texts (str | Sequence[str]): ``K`` texts.
        return_logits (bool): Return the match logit (class 1) instead of
            the match probability. Defaults to False.

    Returns:
        Tensor: ``(K,)`` match probabilities in [0, 1] (or logits), CPU.
    """
    _require(model, 'match', 'match videos and texts')
    texts = [texts] if isinstance(texts, str) else list(texts)
    if not texts:
        raise ValueError('texts is empty: give at least one text.')
    return _match_scores(model, load_video(model, video), texts,
                         return_logits)


def _match_scores(model: nn.Module, frames: Tensor, texts: Sequence[str],
                  return_logits: bool = True,
                  pairs: Optional[Sequence[str]] = None) -> Tensor:
    """``(K,)`` joint match logits (or probabilities) of one video and K
    texts (``[CLS] text [SEP] pair [SEP]`` with ``pairs``)."""
    seqs = _data(model).tokenize(texts, pairs, 'candidates')
    inputs = _preprocessed(model, [frames], candidate_ids=[seqs])
    return model.match_scores(middle_view(inputs['imgs']),
                              inputs['candidate_ids'][0],
                              inputs['candidate_mask'][0],
                              probs=not return_logits).float().cpu()


@torch.no_grad()
def answer_question(model: nn.Module,
                    video: VideoLike,
                    question: Optional[str],
                    candidates: Optional[Sequence[str]] = None,
                    top_k: int = 5) -> Dict[str, Any]:
    """Answer a question about a video.

    - ``candidates=None``: open-ended QA, ``model.test_step`` of a model that
      can ``'answer'`` (:class:`AllInOneVideoQA`); answer names come from
      the config's answer vocabulary (``model.answer_vocab``).
    - ``candidates=[...]``: multiple choice. Each candidate is read as
      ``[CLS] question [SEP] candidate [SEP]`` (or ``[CLS] candidate
      [SEP]`` when ``question`` is None / empty, the caption form) with the
      video and scored by ``model.test_step`` of a model that can
      ``'choose'`` (:class:`AllInOneMultipleChoice`) or, for a model that
      can only ``'match'``, by the VTM match logit (zero-shot).

    Args:
        model (nn.Module): A model from :func:`init_model`.
        video (str | Tensor): One video.
        question (str, optional): The question.
        candidates (Sequence[str], optional): ``K`` candidate answers.
        top_k (int): Length of ``top_k`` in the result. Defaults to 5.

    Returns:
        dict: ``answer`` (str), ``label`` (int, the answer's index),
        ``score`` (its softmax probability), ``scores`` (``(N,)`` or
        ``(K,)`` softmax over all answers / candidates) and ``top_k``
        (list of ``(answer, probability)``).
    """
    data = _data(model)
    frames = load_video(model, video)
    if candidates is None:
        _require(model, 'answer',
                 'answer open-ended questions (give candidates for '
                 'multiple choice, or use a QA config, AllInOneVideoQA)')
        if not question:
            raise ValueError('Open-ended QA needs a question.')
        batch = data.batch(model, [frames],
                           input_ids=data.tokenize([question]))
        scores = model.test_step(batch)[0].pred_score.float().cpu()
        names = list(data.answer_vocab or [])
        if len(names) < scores.shape[0]:  # spare slots / no vocabulary
            names += [f'<answer {i}>'
                      for i in range(len(names), scores.shape[0])]
    else:
        if isinstance(candidates, str) or not len(candidates):
            raise ValueError('candidates must be a non-empty list of str')
        names = list(candidates)
        texts = [question] * len(names) if question else names
        pairs = names if question else None
        if model.can('choose'):
            seqs = data.tokenize(texts, pairs, 'candidates')
            batch = data.batch(model, [frames], candidate_ids=[seqs])
            scores = model.test_step(batch)[0].pred_score.float().cpu()
        elif model.can('match'):
            scores = _match_scores(model, frames, texts, True,
                                   pairs).softmax(-1)
        else:
            raise AttributeError(
                f'{type(model).__name__} cannot score candidates: it '
                "declares neither 'choose' nor 'match' (declared: "
                f'{sorted(model.CAPABILITIES)}).')
    order = scores.argsort(descending=True, stable=True)
    label = int(order[0])
    return dict(
        answer=names[label],
        label=label,
        score=float(scores[label]),
        scores=scores,
        top_k=[(names[int(i)], float(scores[i])) for i in order[:top_k]])
