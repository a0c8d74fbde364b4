"""Random states saved by RandomStateHook load with
``torch.load(weights_only=True)`` and restore every generator."""
import io
import random

import numpy as np
import torch

from mmallinone.engine.hooks.random_state_hook import (get_random_state,
                                                       set_random_state)


def _draws():
    return (random.random(), float(np.random.rand()),
            float(torch.rand(())), float(np.random.randn()))


def test_state_round_trip_through_a_safe_load():
    random.seed(1)
    np.random.seed(2)
    torch.manual_seed(3)
    np.random.randn()  # a cached gaussian is part of numpy's state
    buf = io.BytesIO()
    torch.save(dict(random_state=get_random_state()), buf)
    expected = _draws()
    buf.seek(0)
    state = torch.load(buf, weights_only=True)['random_state']
    set_random_state(state)
    assert _draws() == expected
