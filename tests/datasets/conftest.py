"""Fixtures of the dataset tests (helpers live in ``datasets_helpers``)."""
import logging
from typing import List

import pytest
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

import mmallinone  # noqa: F401


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmallinone')
    yield


class _ListHandler(logging.Handler):

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: List[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def log_messages():
    """Messages logged on MMEngine's current logger during the test."""
    logger = MMLogger.get_current_instance()
    handler = _ListHandler()
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)
