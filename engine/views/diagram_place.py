"""Where a diagram puts a flow's name (beside the flow, clear of the gateway it leaves)."""

from __future__ import annotations


def beside_start(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, str]:
    """Where a flow's name goes: beside its first stretch, clear of the gateway it leaves (a name on
    the gateway's corner hid its mark): above a flow going sideways, right of one going up or down."""
    if abs(x1 - x0) >= abs(y1 - y0):
        return (x0 + 16, y0 - 6, "start") if x1 >= x0 else (x0 - 16, y0 - 6, "end")
    return (x0 + 6, y0 + 24, "start") if y1 >= y0 else (x0 + 6, y0 - 14, "start")
