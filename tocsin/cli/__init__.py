"""The ``tocsin`` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tocsin.cli.backfill import backfill_command
from tocsin.cli.export import export_command
from tocsin.cli.extract import extract_command
from tocsin.cli.feeds import feeds_group
from tocsin.cli.kafka import kafka_group, topics_group
from tocsin.cli.replay import replay_command
from tocsin.cli.run import deliver_command, poll_command, run_command, worker_command
from tocsin.cli.webhooks import webhooks_group
from tocsin.errors import TocsinError
from tocsin.settings import ConfigError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-c",
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="TOCSIN_CONFIG",
    help="TOML settings file (also TOCSIN_CONFIG). TOCSIN_* environment variables override it.",
)
@click.version_option(package_name="tocsin")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """Tocsin: watch news feeds for air-attack reports; alert on records and thresholds."""
    ctx.obj = config_file


for command in (run_command, poll_command, worker_command, deliver_command, kafka_group, topics_group, extract_command, webhooks_group, backfill_command, replay_command, feeds_group, export_command):
    cli.add_command(command)


def main() -> None:
    try:
        # Without standalone mode click returns a command's ctx.exit(code) instead of exiting.
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        click.echo(f"tocsin: {exc}", err=True)
        sys.exit(2)
    except TocsinError as exc:
        click.echo(f"tocsin: error: {exc}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
