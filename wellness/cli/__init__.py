"""The `wellness` command (`[project.scripts]` in pyproject.toml names `wellness.cli:main`).

One module per command group, all sharing `common` and none importing another's commands. To add
a group: write `wellness/cli/<group>.py` holding a `click.group()`, import it below and register
it with one `main.add_command(...)` line.
"""

from __future__ import annotations

import click

from wellness.cli import db, mail, media, serve, suggestions, users
from wellness.cli.common import CliState

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(context: click.Context) -> None:
    """wellness: guided practice sessions, check-ins and care dashboards for a clinic."""
    context.ensure_object(CliState)


main.add_command(serve.serve)
main.add_command(serve.demo)
main.add_command(db.db)
main.add_command(users.users)
main.add_command(media.media)
main.add_command(suggestions.suggestions)
main.add_command(mail.mail)
