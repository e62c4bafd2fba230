"""``clausewise audit verify | head | query | show | export | keygen | checkpoint``: the audit log for people."""

from __future__ import annotations

import csv
import io
import json
import re
from enum import Enum
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

import audit
from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, existing_engine_for, fail, settings
from pipeline.store import AmbiguousDocument, DocumentNotFound, find_document

audit_app = typer.Typer(help="The hash-chained, keyed audit log: verify, query, show, export, keygen, checkpoint.",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def _document_id(engine, ref: str) -> str:
    """The full document id for ``ref`` (an id prefix of at least 4 hex characters, a full id or a file
    name, as everywhere in the CLI); exits with code 2 when nothing or several match. A full 64-character
    id is taken as given even when the document row is gone (its audit events stay)."""
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        try:
            return find_document(s, ref).id
        except DocumentNotFound as exc:
            if re.fullmatch(r"[0-9a-f]{64}", ref.strip().lower()):
                return ref.strip().lower()
            fail(str(exc), code=2)
        except AmbiguousDocument as exc:
            fail(str(exc), code=2)
    raise AssertionError("unreachable")


def _engine(database_url: str | None):
    return existing_engine_for(settings(database_url=database_url).effective_database_url)


@audit_app.command("verify")
def verify_cmd(
    expect_head: str | None = typer.Option(None, "--expect-head", help="A head hash written down earlier; the log must still contain it."),
    checkpoint: Path | None = typer.Option(None, "--checkpoint", help="A checkpoint file (clausewise audit checkpoint) kept outside the database; the log must extend it."),
    public_key: str | None = typer.Option(None, "--public-key", help="Checkpoint public key (64 hex digits, printed by keygen) when no audit key is configured."),
    require_mac: bool = typer.Option(False, "--require-mac", help="Fail on any event without a MAC, even one written before the key was configured."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Re-check the audit log: hash chain, every event's keyed MAC, expected head and checkpoint.

    Prints OK with the count, the head hash and a line per check, or FAILED with the check that failed
    (chain, mac, expect_head, checkpoint), the first bad event and why (edited, deleted, inserted, reordered,
    mac_missing, mac_invalid, wrong_key, head_not_found, checkpoint_signature, truncated, head_mismatch); exit
    code 1 when it fails. MACs are checked with the configured audit key (CLAUSEWISE_AUDIT_KEY_FILE)."""
    try:
        cp = audit.Checkpoint.from_file(checkpoint) if checkpoint is not None else None
    except audit.AuditKeyError as exc:
        fail(str(exc), code=2)
    eng = _engine(database_url)
    r = audit.verify(eng, expect_head=expect_head, checkpoint=cp, public_key=public_key, require_mac=require_mac)
    if r.ok:
        typer.echo(typer.style("OK", fg="green") + f" {r.count} events, head {r.head_hash}")
        typer.echo(f"  chain: ok, {r.count} events")
        if r.key_id is not None:
            line = f"  mac: ok, {r.keyed} events under key {r.key_id}"
        else:
            line = (f"  mac: NOT CHECKED, no audit key configured (CLAUSEWISE_AUDIT_KEY_FILE); "
                    f"{r.keyed} events carry a MAC")
        if r.unkeyed:
            line += (f"; events 1..{r.unkeyed} carry none (written before a key was configured: only a "
                     "checkpoint taken after them protects them)")
        typer.echo(line)
        if expect_head:
            typer.echo(f"  expect_head: ok, {expect_head.strip().lower()} is in the log")
        if cp is not None:
            typer.echo(f"  checkpoint: ok, the log extends the {cp.count} events signed at {cp.ts} (key {cp.key_id})")
        return
    where = f"event {r.first_bad_id}" if r.first_bad_id is not None else "log"
    typer.echo(typer.style("FAILED", fg="red") + f" {where}: {r.problem} - {r.detail}")
    typer.echo(f"check failed: {r.check}")
    typer.echo(f"{r.count} events verified before it; last good hash {r.head_hash}")
    raise typer.Exit(1)


@audit_app.command("keygen")
def keygen_cmd(
    out: Path = typer.Option(..., "--out", envvar="CLAUSEWISE_AUDIT_KEY_FILE",
                             help="Key file to create (mode 0600); never overwritten. Default: CLAUSEWISE_AUDIT_KEY_FILE."),
) -> None:
    """Make a new audit key file: every event written with it carries a MAC no database role can forge.

    Keep the file where the database and its users cannot read it, and set CLAUSEWISE_AUDIT_KEY_FILE to it
    for every process that writes or verifies the log. Prints the key id and the checkpoint public key (for
    auditors who verify checkpoints without the key). Exit code 2 when the file exists."""
    try:
        key = audit.generate_key_file(out)
    except audit.AuditKeyError as exc:
        fail(str(exc), code=2)
    typer.echo(f"wrote audit key {key.key_id} to {out}")
    typer.echo(f"checkpoint public key: {key.public_key}")
    typer.echo(f"set CLAUSEWISE_AUDIT_KEY_FILE={out} for every clausewise process; then take a checkpoint: "
               "clausewise audit checkpoint --out FILE")


@audit_app.command("checkpoint")
def checkpoint_cmd(
    out: Path = typer.Option(..., "--out", help="Checkpoint file to write; keep it outside the database."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Sign the log's current head (event count, head hash, UTC time) with the audit key into a checkpoint file.

    The log is verified first (chain and MACs) and nothing is signed when it fails (exit code 1). Later,
    clausewise audit verify --checkpoint FILE proves the log still extends that head: nothing before it was
    cut or rewritten."""
    eng = _engine(database_url)
    key = audit.current_key()
    if key is None:
        fail("no audit key configured: set CLAUSEWISE_AUDIT_KEY_FILE (make one with clausewise audit keygen)")
    r = audit.verify(eng, key=key)
    if not r.ok:
        fail(f"the log does not verify, nothing signed: event {r.first_bad_id}: {r.problem} - {r.detail}")
    cp = key.sign_checkpoint(r.count, r.head_hash)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(cp.to_json(), encoding="utf-8")
    typer.echo(f"checkpoint of {cp.count} events, head {cp.head_hash}, signed at {cp.ts} by key {cp.key_id}: {out}")


@audit_app.command("head")
def head_cmd(database_url: str | None = DatabaseUrlOption) -> None:
    """Print the audit log's head as "<event id> <hash>"; write it down, check it later with verify --expect-head."""
    h = audit.head(_engine(database_url))
    typer.echo(f"{h.id} {h.hash}")


@audit_app.command("query")
def query_cmd(
    document: str | None = typer.Option(None, "--document", help="Document: id prefix (4+ hex characters), full id or file name."),
    type_glob: str | None = typer.Option(None, "--type", help="Event type or glob, e.g. 'llm.*'."),
    actor: str | None = typer.Option(None, "--actor", help="system, a model id or a reviewer's user name."),
    since: str | None = typer.Option(None, "--since", help="ISO 8601 time or date, inclusive (no zone = UTC)."),
    until: str | None = typer.Option(None, "--until", help="ISO 8601 time or date, exclusive (no zone = UTC)."),
    run: str | None = typer.Option(None, "--run", help="Extraction run id."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the newest N matches."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json, jsonl or csv."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """List audit events matching all filters, oldest first (times in UTC)."""
    try:
        eng = _engine(database_url)
        events = audit.query(eng, document=_document_id(eng, document) if document else None,
                             type_glob=type_glob, actor=actor,
                             since=since, until=until, run=run, limit=limit)
    except ValueError as exc:
        fail(str(exc))
    if fmt is Format.json:
        typer.echo(json.dumps([e.as_dict() for e in events], ensure_ascii=False, indent=2))
    elif fmt is Format.jsonl:
        for e in events:
            typer.echo(json.dumps(e.as_dict(), ensure_ascii=False))
    elif fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["id", "ts", "actor", "type", "document_id", "run_id", "payload", "prev_hash", "hash"])
        for e in events:
            w.writerow([e.id, e.ts, e.actor, e.type, e.document_id or "", e.run_id or "",
                        json.dumps(e.payload, ensure_ascii=False, sort_keys=True), e.prev_hash, e.hash])
        typer.echo(buf.getvalue(), nl=False)
    else:
        t = Table(title=f"{len(events)} audit events")
        cols = {"id": max((len(str(e.id)) for e in events), default=2), "time (UTC)": 19,
                "actor": max((len(e.actor) for e in events), default=5), "type": max((len(e.type) for e in events), default=4),
                "document": 8}
        if any(e.run_id for e in events):
            cols["run"] = 8
        for name, w in cols.items():
            t.add_column(name, no_wrap=True, min_width=min(w, 24), max_width=24)
        room = max(12, console.width - sum(min(w, 24) for w in cols.values()) - 3 * (len(cols) + 1) - 1)
        t.add_column("payload", no_wrap=True, overflow="ellipsis", max_width=room)
        for e in events:
            summary = json.dumps(e.payload, ensure_ascii=False, sort_keys=True)
            cells = [str(e.id), e.ts[:19].replace("T", " "), escape(e.actor), e.type, (e.document_id or "")[:8]]
            if "run" in cols:
                cells.append((e.run_id or "")[:8])
            t.add_row(*cells, escape(summary if len(summary) <= room else summary[:room - 3] + "..."))
        console.print(t)


@audit_app.command("show")
def show_cmd(event_id: int = typer.Argument(..., help="Event id."), database_url: str | None = DatabaseUrlOption) -> None:
    """Print one event in full as JSON (prompt, response; large bodies resolved from their blobs)."""
    try:
        e = audit.get(_engine(database_url), event_id)
    except audit.EventNotFound as exc:
        fail(str(exc))
    typer.echo(json.dumps(e.as_dict(), ensure_ascii=False, indent=2))


@audit_app.command("export")
def export_cmd(
    document: str = typer.Option(..., "--document", help="Document: id prefix (4+ hex characters), full id or file name."),
    out: Path = typer.Option(..., "--out", help="JSONL bundle to write."),
    actor: str = typer.Option("system", "--actor", help="Who exports (recorded in the audit.exported event)."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Write one document's whole history as a self-contained JSONL bundle with the hashes to verify it.

    The export itself is appended to the log as an audit.exported event."""
    eng = _engine(database_url)
    r = audit.export_document(eng, _document_id(eng, document), out, actor=actor)
    typer.echo(f"wrote {r.events} events to {r.path}; export event {r.exported.id} hash {r.exported.hash}")
