"""The registry import tests that run an import directly read its reject reasons in the code's
English (the language they are written in). An import started through the API writes its report
in the request's language, Chinese by default (those tests read it so; and
tests/integration/core/test_reject_language.py)."""

import pytest

from gpcloud.core import i18n


@pytest.fixture(autouse=True)
def english_reports():
    token = i18n.language.set(i18n.SOURCE)  # reports written outside a request and its job
    yield
    i18n.language.reset(token)
