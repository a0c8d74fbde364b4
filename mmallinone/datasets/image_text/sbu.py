"""SBU Captioned Photo Dataset."""
from typing import List, Optional

from mmallinone.registry import DATASETS
from .base import BaseImageTextDataset

__all__ = ['SBUCaptionDataset']


@DATASETS.register_module()
class SBUCaptionDataset(BaseImageTextDataset):
    """SBU Captions (1M Flickr photos with their user captions).

    Either of the official formats:

    - ``sbu-captions-all.json``: ``{"image_urls": [...], "captions": [...],
      "user_ids": [...]}`` (parallel lists), when ``ann_file`` ends with
      ``.json``;
    - ``SBU_captioned_photo_dataset_captions.txt`` (``ann_file``) with
      ``SBU_captioned_photo_dataset_urls.txt`` (``url_file``): one caption
      / URL per line, line ``i`` of each describing photo ``i``.

    The image's file name comes from ``filename_tmpl`` filled with
    ``basename`` (the URL's file name, e.g. ``4385058960_b0f291553e.jpg``)
    or ``index`` (0-based photo index). Defaults to ``'{basename}'``.

    Args:
        ann_file (str): The JSON file or the captions file.
        url_file (str, optional): The URLs file (text format only; joined
            with ``data_root`` when relative).
        filename_tmpl (str): Defaults to ``'{basename}'``.
        **kwargs: See :class:`BaseImageTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 url_file: Optional[str] = None,
                 filename_tmpl: str = '{basename}',
                 data_root: str = '',
                 **kwargs) -> None:
        if url_file and data_root and not url_file.startswith('/'):
            url_file = f'{data_root.rstrip("/")}/{url_file}'
        self.url_file = url_file
        self.filename_tmpl = filename_tmpl
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def _pairs(self):
        """Yield ``(where, caption, url)`` with ``where`` (line, field)."""
        path = self.ann_file
        if path.endswith('.json'):
            data = self.read_json(path)
            for key in ('image_urls', 'captions'):
                if not isinstance(data, dict) or \
                        not isinstance(data.get(key), list):
                    raise ValueError(
                        f'{type(self).__name__}: invalid annotation ({path},'
                        f' field "{key}"): expected a list')
            urls, caps = data['image_urls'], data['captions']
            if len(urls) != len(caps):
                raise ValueError(
                    f'{type(self).__name__}: invalid annotation ({path}, '
                    f'field "captions"): {len(caps)} captions for '
                    f'{len(urls)} image_urls')
            for i, (cap, url) in enumerate(zip(caps, urls)):
                yield (path, f'row {i}', 'captions', 'image_urls'), cap, url
            return
        if not self.url_file:
            raise ValueError(f'{type(self).__name__}: the text format needs '
                             'url_file (SBU_captioned_photo_dataset_urls.txt)')
        caps = self.read_text(path).rstrip('\n').split('\n')
        urls = self.read_text(self.url_file).rstrip('\n').split('\n')
        if len(caps) != len(urls):
            raise ValueError(
                f'{type(self).__name__}: invalid annotation ({path}): '
                f'{len(caps)} caption lines but {len(urls)} URL lines in '
                f'{self.url_file}')
        for i, (cap, url) in enumerate(zip(caps, urls)):
            yield (path, i + 1, 'caption', None), cap.rstrip('\r'), \
                url.rstrip('\r')

    def parse_annotations(self) -> List[dict]:
        """Parse the captions and URLs.

        Returns:
            list[dict]: One data info per photo.
        """
        data_list = []
        for index, ((path, where, cap_field, url_field), cap,
                    url) in enumerate(self._pairs()):
            cap = self.check_text(cap, path, where, cap_field)
            if cap is None:
                continue
            url_path, url_where = (path, where) if url_field else \
                (self.url_file, where)
            url = self.check_path(url, url_path, url_where, url_field or 'url')
            if url is None:
                continue
            rel = self.format_filename(
                self.filename_tmpl,
                index=index,
                basename=self.url_basename(url))
            data_list += self.make_infos(rel, rel, [cap.strip()])
        return data_list
