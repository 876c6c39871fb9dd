"""`gpcloud serve` refuses several processes where they cannot share state."""

from click.testing import CliRunner

from gpcloud.cli import main
from gpcloud.settings import get_settings


def test_workers_need_postgresql_and_redis():
    result = CliRunner().invoke(main, ["serve", "--workers", "2", "--worker"])
    assert result.exit_code == 2
    assert "--workers needs GPCLOUD_DB and GPCLOUD_REDIS" in result.output
    if not get_settings().is_postgres:
        result = CliRunner().invoke(main, ["serve", "--workers", "2"])
        assert result.exit_code == 2
