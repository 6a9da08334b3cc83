from __future__ import annotations

import click

from tocsin.settings import Settings, load_settings


def settings_from(ctx: click.Context) -> Settings:
    """Load settings lazily, so `--help` works even with a broken config."""
    return load_settings(ctx.find_root().obj)
