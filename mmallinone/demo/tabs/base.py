"""The tab interface of the web demo and its registry."""
from typing import List

from mmengine.registry import Registry

__all__ = ['BaseTab', 'DEMO_TABS', 'ordered_tabs']

#: Registered tab classes. A new tab: subclass :class:`BaseTab`, decorate it
#: with ``@DEMO_TABS.register_module()`` and import its module in
#: ``mmallinone/demo/tabs/__init__.py``.
DEMO_TABS = Registry('demo tab')


class BaseTab:
    """One tab of the demo page.

    Subclasses set ``title`` and ``order`` (tabs are laid out by increasing
    ``order``) and implement :meth:`build`, which creates the tab's Gradio
    components and events inside an open ``gr.Tab``. A tab whose
    :meth:`visible` is False is left out of the page (e.g. a Caption tab
    while ``mmallinone.apis`` has no caption function). Callbacks should be
    wrapped in :func:`mmallinone.demo.context.guarded` so bad input shows a
    message instead of a stack trace.

    Args:
        ctx (DemoContext): Models, folder and index of the demo.
    """
    title = 'Tab'
    order = 100

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @classmethod
    def visible(cls, ctx) -> bool:
        """Whether the tab is shown at all. Defaults to True."""
        return True

    def build(self) -> None:
        """Create the components and events (inside ``gr.Tab``)."""
        raise NotImplementedError

    def video_picker(self, elem_id: str):
        """A dropdown of the folder's videos and a preview player that
        follows it (inside an open ``gr.Column``).

        Returns:
            gr.Dropdown: The dropdown (its value is the chosen file name).
        """
        import gradio as gr

        from ..context import DemoError
        ctx = self.ctx
        names = [n.split('/')[-1] for n in ctx.videos()]
        video = gr.Dropdown(names, value=names[0] if names else None,
                            label='Video', elem_id=elem_id)
        preview = gr.Video(value=ctx.video_path(names[0]) if names else None,
                           interactive=False, label='Preview')

        def show(name):
            try:
                return ctx.video_path(name)
            except DemoError:
                return None

        video.change(show, video, preview)
        return video


def ordered_tabs(ctx) -> List[BaseTab]:
    """Instances of the visible registered tabs, by ``order``."""
    classes = sorted(DEMO_TABS.module_dict.values(),
                     key=lambda c: (c.order, c.title))
    return [cls(ctx) for cls in classes if cls.visible(ctx)]
