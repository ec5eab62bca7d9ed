"""What the import commands print, shared by the core's command groups and each area's (so that
no area's commands import lms.cli, which imports them)."""
import sys

import click


def print_import_report(report):
    """Every error on stderr and exit 1, or the counts of what was imported."""
    if report.errors:
        for error in report.errors:
            click.echo(str(error), err=True)
        click.echo(f"Không nhập gì: {len(report.errors)} lỗi.", err=True)
        sys.exit(1)
    click.echo(f"{report.total} dòng: {report.created} thêm mới, {report.updated} cập nhật, {report.unchanged} không đổi.")
