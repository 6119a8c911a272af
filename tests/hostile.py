"""What the hostile-input tests share: how many examples Hypothesis tries, and the `hostile_long`
marker's rule that a long variant runs only when asked for (`pytest -m hostile_long`), so that
`make test` stays quick and CI runs the long ones on their own.

A test module uses it with `from tests.hostile import long_only_when_selected  # noqa: F401` and
marks its long variants `@pytest.mark.hostile_long`."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

MARKER = "hostile_long"
SHORT_EXAMPLES = 60  # per property in `make test`
LONG_EXAMPLES = 1500  # per property with -m hostile_long


def examples(count: int, deadline: int | None = None) -> settings:
    """Settings for `count` examples, with no example database left in the working tree."""
    return settings(
        max_examples=count,
        deadline=deadline,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture(autouse=True)
def long_only_when_selected(request: pytest.FixtureRequest) -> None:
    expression = request.config.getoption("markexpr") or ""
    selected = MARKER in expression and f"not {MARKER}" not in expression
    if request.node.get_closest_marker(MARKER) and not selected:
        pytest.skip(f"a long variant: run it with -m {MARKER}")
