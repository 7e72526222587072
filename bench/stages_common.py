"""What every benchmark stage shares: the registry of stages and the timers."""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable
from typing import Any

STAGES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {}


def stage(
    fn: Callable[[argparse.Namespace], dict[str, Any]],
) -> Callable[[argparse.Namespace], dict[str, Any]]:
    STAGES[fn.__name__] = fn
    return fn


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def cpu_timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds of this process and its children (forked workers), and the value:
    on a busy machine the CPU seconds still say how much work was done."""
    gc.collect()
    t, c = time.perf_counter(), os.times()
    out = fn()
    d = os.times()
    cpu = (d.user - c.user) + (d.system - c.system) + (d.children_user - c.children_user)
    return time.perf_counter() - t, cpu + (d.children_system - c.children_system), out


def text_of(args: argparse.Namespace) -> str:
    with open(args.register, encoding="utf-8") as f:
        return f.read()


def register_of(args: argparse.Namespace) -> Any:
    from govmap.ingest.reading.load import load_register

    return load_register(args.register)


#: Reviews are judged against a fixed date, so every run does the same work.
AS_OF = "2026-01-01"
