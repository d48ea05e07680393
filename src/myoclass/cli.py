"""Command line: ``myoclass assess | criteria | example | demo | schema``."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from myoclass import __version__
from myoclass.criteria import Policy, describe
from myoclass.examples import example_cases
from myoclass.io.fhir import LocalCodes, case_to_resources, load_local_codes
from myoclass.io.inputs import CaseInput, assessment_as_fhir, chart_bundle, input_report, read_inputs
from myoclass.io.json import DecodeError, TooDeep, dumps, loads, not_utf8
from myoclass.io.phenopacket import assessment_phenopacket, case_to_phenopacket
from myoclass.io.rejects import Reject
from myoclass.model.case import case_json_schema
from myoclass.reasoning.assess import assess_case
from myoclass.report.text import criteria_markdown, criteria_text, markdown_report, mmt8_text, text_report, tis_text

app = typer.Typer(
    help="Classify a myositis case under the published criteria (ENMC 224 IMNM, EULAR/ACR 2017, ENMC 2003, "
    "ENMC 2011 IBM, antisynthetase syndrome, Bohan & Peter), honest about unknown findings.",
    no_args_is_help=True,
    add_completion=False,
)


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    fhir = "fhir"
    phenopacket = "phenopacket"


class ListFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ConvertTo(StrEnum):
    flat = "flat"
    fhir = "fhir"
    phenopacket = "phenopacket"


class Cutoffs(StrEnum):
    score = "score"
    probability = "probability"


class Reading(StrEnum):
    clinic = "clinic"
    record = "record"


class RashFree(StrEnum):
    biopsy_required = "biopsy_required"
    biopsy_features_required = "biopsy_features_required"
    off = "off"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"myoclass {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """myoclass command line."""


def _render(a: dict[str, Any], fmt: Format, inp: CaseInput) -> str:
    if fmt is Format.json:
        return dumps(a)
    if fmt is Format.fhir:
        return dumps(assessment_as_fhir(a, inp))
    if fmt is Format.phenopacket:
        return dumps(assessment_phenopacket(a, inp.case.to_flat()))
    return text_report(a) if fmt is Format.text else markdown_report(a)


def _codes(file: str | None) -> LocalCodes | None:
    if file is None:
        return None
    return _or_exit(lambda: load_local_codes(_read_text(file)))


def _as_of(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of: {value!r} is not a date; allowed: YYYY-MM-DD")


def _record_word(text: str) -> str:
    """How a reject's number is named: an item of a JSON array (counted from 1), else a line of JSON Lines."""
    return "item" if text.lstrip().startswith("[") else "line"


def _report_rejects_and_unmapped(rec: CaseInput | Reject, fmt_is_report: bool, where: str = "line") -> bool:
    """Print a rejected record's reason (True), or for a chart (FHIR) the items not mapped (as notes on
    standard error, when the output itself does not carry them); False for a record to go on with. ``where``
    names the reject's number (:func:`_record_word`)."""
    if isinstance(rec, Reject):
        cid = f" (case_id {rec.case_id})" if rec.case_id else ""
        typer.echo(f"error: {where} {rec.row}{cid}: {rec.reason}", err=True)
        return True
    reading = rec.fhir if rec.fhir is not None else rec.phenopacket
    if reading is not None and not fmt_is_report:
        for u in reading.unmapped:
            typer.echo(f"note: not mapped: {u.resource}{f' ({u.code})' if u.code else ''}: {u.reason}", err=True)
        for w in rec.phenopacket.warnings if rec.phenopacket is not None else ():
            typer.echo(f"note: {w}", err=True)
    return False


CODES_HELP = ("A JSON file mapping local codes (system|code) to flat-case fields, for charts whose laboratory "
              "uses codes of its own (see docs/fhir.md, 'Local codes').")
AS_OF_HELP = "FHIR input: the date ages and symptom durations are counted to (YYYY-MM-DD; default today)."


@app.command()
def assess(
    file: Annotated[str, typer.Argument(help="A JSON file with one flat case (or an array), a JSON Lines file, a FHIR "
                                             "R4 Bundle (searchset, collection, ...) or resource, a GA4GH phenopacket, "
                                             "or - for standard input. The format is told from the content.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format (fhir: a FHIR R4 Bundle per case; "
                                                               "phenopacket: a phenopacket for hand-off to LIRICAL or "
                                                               "Exomiser).")] = Format.text,
    eular_cutoffs: Annotated[Cutoffs, typer.Option(help="EULAR/ACR: classify by the published score cut-offs "
                                                        "or by the probability cut-offs.")] = Cutoffs.score,
    eular_rash_free: Annotated[RashFree, typer.Option(help="EULAR/ACR: what a case without DM rash needs to be "
                                                           "classified.")] = RashFree.biopsy_required,
    enmc_weakness_required: Annotated[bool, typer.Option(help="ENMC 224: require proximal weakness for the "
                                                              "seropositive subtypes.")] = True,
    reading: Annotated[Reading, typer.Option(help="Differential: clinic (unknown = not assessed) or record (case "
                                                  "reports, registry abstraction: a salient finding not "
                                                  "mentioned is weak evidence of absence).")] = Reading.clinic,
    codes: Annotated[str | None, typer.Option("--codes", help=CODES_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Assess cases (flat or FHIR) and print one report (or JSON object, or FHIR Bundle) per case."""
    text = _read_text(file, per_line=True, json_only=True)
    policy = Policy(eular_cutoffs.value, eular_rash_free.value, enmc_weakness_required)
    local, today = _codes(codes), _as_of(as_of)
    bad = 0
    out = sys.stdout
    one_per_line = fmt in (Format.json, Format.fhir, Format.phenopacket)
    first = True
    for rec in read_inputs(text, local_codes=local, today=today):
        if _report_rejects_and_unmapped(rec, fmt in (Format.json, Format.text, Format.markdown), _record_word(text)):
            bad += 1
            continue
        assert isinstance(rec, CaseInput)
        if not first and not one_per_line:
            out.write("\n")
        first = False
        a = assess_case(rec.case, policy, reading.value)
        if rec.format != "flat":
            a["input"] = input_report(rec)
        out.write(_render(a, fmt, rec))
        if one_per_line:
            out.write("\n")
    out.flush()
    if first and not bad:
        _fail(f"{'standard input' if file == '-' else file}: no cases (the input is empty)")
    if bad:
        raise typer.Exit(2)


@app.command()
def convert(
    file: Annotated[str, typer.Argument(help="A flat case (or an array, or JSON Lines), a FHIR R4 Bundle or "
                                             "resource, or a GA4GH phenopacket, or - for standard input.")],
    to: Annotated[ConvertTo, typer.Option("--to", help="flat: the flat case (data dictionary v1); fhir: a FHIR R4 "
                                                       "Bundle (collection) of the case's resources; phenopacket: a "
                                                       "GA4GH Phenopacket v2 (HPO terms, LOINC measurements).")],
    codes: Annotated[str | None, typer.Option("--codes", help=CODES_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Turn a case from one format into the other: one JSON object per case (JSON Lines for several). Items of
    a chart that could not be mapped are listed on standard error, never dropped silently."""
    text = _read_text(file, per_line=True, json_only=True)
    local, today = _codes(codes), _as_of(as_of)
    bad = 0
    first = True
    for rec in read_inputs(text, local_codes=local, today=today):
        if _report_rejects_and_unmapped(rec, False, _record_word(text)):
            bad += 1
            continue
        assert isinstance(rec, CaseInput)
        first = False
        flat = rec.case.to_flat()
        if to is ConvertTo.flat:
            sys.stdout.write(dumps(flat) + "\n")
        elif to is ConvertTo.phenopacket:
            sys.stdout.write(dumps(case_to_phenopacket(flat)) + "\n")
        else:
            sys.stdout.write(dumps(chart_bundle(case_to_resources(flat))) + "\n")
    sys.stdout.flush()
    if first and not bad:
        _fail(f"{'standard input' if file == '-' else file}: no cases (the input is empty)")
    if bad:
        raise typer.Exit(2)


@app.command()
def criteria(
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.text,
) -> None:
    """List every criteria set with its items, weights, citations and verification status."""
    sets = describe()
    if fmt is ListFormat.json:
        typer.echo(json.dumps(sets, ensure_ascii=False, indent=2))
    else:
        typer.echo(criteria_text(sets) if fmt is ListFormat.text else criteria_markdown(sets))


class ModelTag(StrEnum):
    v_p = "V-P"
    v_s = "V-S"
    d = "D"
    definition = "def"
    assumed = "assumed"


@app.command()
def model(
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.text,
    tag: Annotated[ModelTag | None, typer.Option(help="Print only the numbers with this tag (the summary still "
                                                      "counts them all).")] = None,
) -> None:
    """Print every number of the differential's model with its condition, value, tag, sources and note."""
    from myoclass.report.model import model_document, model_markdown, model_text

    doc = model_document(tag.value if tag else None)
    if fmt is ListFormat.json:
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        typer.echo(model_text(doc) if fmt is ListFormat.text else model_markdown(doc), nl=False)


@app.command()
def example(
    name: Annotated[str | None, typer.Argument(help="Name of a bundled example; omit to list them.")] = None,
) -> None:
    """List the bundled example cases, or print one as a flat case (JSON)."""
    ex = example_cases()
    if name is None:
        for n, case in ex.items():
            typer.echo(f"{n:32s} {case.get('case_id', '')}")
        return
    if name not in ex:
        import difflib

        near = difflib.get_close_matches(name, ex.keys(), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        typer.echo(f"error: no example named {name!r}{hint} (run `myoclass example` for the list)", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps(ex[name], indent=2, ensure_ascii=False))


@app.command()
def demo(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
) -> None:
    """Assess every bundled example case and print the reports."""
    from myoclass.model.case import parse_case

    one_per_line = fmt in (Format.json, Format.fhir, Format.phenopacket)
    for i, (name, case) in enumerate(example_cases().items()):
        if i and not one_per_line:
            typer.echo("\n" + "#" * 100 + f"\n# example: {name}\n" + "#" * 100 + "\n")
        elif not one_per_line:
            typer.echo(f"# example: {name}\n")
        parsed = parse_case(case)
        typer.echo(_render(assess_case(parsed), fmt, CaseInput(parsed, "flat")), nl=one_per_line)


class Population(StrEnum):
    adult = "adult"
    juvenile = "juvenile"


class SimpleFormat(StrEnum):
    text = "text"
    json = "json"


T = TypeVar("T")


def _or_exit(fn: Callable[[], T]) -> T:
    """Run ``fn``; on invalid input print every problem (naming its field) and exit with code 2."""
    from myoclass.model.case import InvalidCase

    try:
        return fn()
    except InvalidCase as e:
        for p in e.problems:
            typer.echo(f"error: {p}", err=True)
        raise typer.Exit(2) from None


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _cases(n: int) -> str:
    """``1 case``, ``2,000 cases``: a count in the summary lines of batch and report."""
    return f"{n:,} case{'' if n == 1 else 's'}"


def _pip_install(extra: str) -> str:
    """How to install an extra into the environment this command runs from (a bare ``pip`` may be another one's)."""
    return f"{sys.executable} -m pip install '{extra}'"


def _read_text(file: str, per_line: bool = False, json_only: bool = False) -> str:
    """The text of ``file``, or of standard input for ``-``, as UTF-8. Exit with code 2, saying why, when
    there is no such file, it is a directory, it cannot be read or it is not UTF-8 text; ``per_line`` (JSON Lines
    read record by record): bytes that are not UTF-8 are kept as ``surrogateescape`` characters instead, so that only
    their line is rejected, naming the byte. ``json_only``: a file named .csv or .parquet is refused, naming the
    command that reads it."""
    name = "standard input" if file == "-" else file
    try:
        if file == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(file)
            if path.is_dir():
                _fail(f"{file}: is a directory, not a file (`myoclass batch` reads a directory of cases)")
            if not path.exists():
                _fail(f"{file}: no such file")
            if json_only and path.suffix.lower() in (".csv", ".parquet", ".pq"):
                _fail(f"{file}: a {path.suffix.lower().lstrip('.').upper()} file; this command reads JSON (one case, "
                      "JSON Lines, a FHIR resource or Bundle, a phenopacket): `myoclass batch` reads CSV and Parquet")
            data = path.read_bytes()
    except OSError as e:
        _fail(f"{name}: cannot be read ({e.strerror or e})")
    try:
        return data.decode("utf-8-sig")  # a byte-order mark, as some editors write, is not part of the JSON
    except UnicodeDecodeError:
        if per_line and b"\n" in data.strip():
            return data.decode("utf-8-sig", errors="surrogateescape")
        _fail(f"{name}: {not_utf8(data)}; save it as UTF-8")


def _read_json(file: str) -> Any:
    text = _read_text(file)
    try:
        return loads(text)
    except DecodeError as e:
        _fail(f"{file}: not valid JSON ({e})")
    except TooDeep as e:
        _fail(f"{file}: {e}")


@app.command()
def tis(
    baseline: Annotated[str, typer.Argument(help="JSON file with the baseline core set measures.")],
    followup: Annotated[str, typer.Argument(help="JSON file with the follow-up core set measures.")],
    population: Annotated[Population, typer.Option(help="Thresholds: adult DM/PM or juvenile DM.")] = Population.adult,
    fmt: Annotated[SimpleFormat, typer.Option("--format", "-f", help="Output format.")] = SimpleFormat.text,
) -> None:
    """2016 ACR/EULAR Total Improvement Score between two visits.

    Each file holds physician_global, patient_global, extramuscular (0-10 cm), haq (0-3), mmt with
    mmt_scale (mmt8_unilateral, mmt8_bilateral, cmas), enzyme_u_l and enzyme_uln_u_l. A missing measure
    is reported and never scored as zero change.
    """
    from myoclass.followup import total_improvement_score

    r = _or_exit(lambda: total_improvement_score(_read_json(baseline), _read_json(followup), population.value))
    typer.echo(dumps(r) if fmt is SimpleFormat.json else tis_text(r), nl=fmt is SimpleFormat.json)


@app.command()
def mmt8(
    file: Annotated[str, typer.Argument(help="JSON file: each of the eight muscle groups with a Kendall grade 0-10, "
                                             "or {right, left} for bilateral testing.")],
    fmt: Annotated[SimpleFormat, typer.Option("--format", "-f", help="Output format.")] = SimpleFormat.text,
) -> None:
    """MMT-8 total (unilateral 0-80 or bilateral 0-150) from Kendall grades."""
    from myoclass.followup import mmt8 as total_mmt8

    r = _or_exit(lambda: total_mmt8(_read_json(file)))
    typer.echo(dumps(r) if fmt is SimpleFormat.json else mmt8_text(r), nl=fmt is SimpleFormat.json)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind. The default serves this machine only.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    access_log: Annotated[bool, typer.Option(help="Log each request's method, path and status (never case data).")]
    = False,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="A host name the server answers to (the Host header; any port). Repeatable. "
                               "Default: localhost, 127.0.0.1 and ::1. '*.example.org' allows its subdomains.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (each with its own threads).", min=1)] = 1,
    threads: Annotated[int | None, typer.Option(help="Worker threads per process for assessment and validation "
                                                     "(default: one per CPU, at most 4).", min=1)] = None,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        help="Behind a reverse proxy: the proxy addresses trusted for X-Forwarded-For/-Proto (comma-separated).")]
    = None,
    no_cds_auth: Annotated[bool, typer.Option(
        "--no-cds-auth", help="CDS Hooks: do not verify the EHR's JWT (local trials only; the same as "
                              "MYOCLASS_CDS_JWT_VERIFY=0). See 'Connect your EHR' in the README.")] = False,
) -> None:
    """Start the web app and REST API (clinician page, patient checklist, /api/v1, /docs, /cds-services)."""
    import os

    try:
        import uvicorn

        from myoclass.web.app import LOOPBACK_HOSTS, Settings
    except ImportError:
        typer.echo(f"error: the web app needs the 'web' extra: {_pip_install('myoclass[web]')}", err=True)
        raise typer.Exit(1) from None
    hosts = tuple(allowed_host) if allowed_host else LOOPBACK_HOSTS
    settings = Settings(allowed_hosts=hosts, access_log=access_log,
                        **({"pool_threads": threads} if threads is not None else {}))
    if host.strip("[]") not in ("127.0.0.1", "localhost", "::1"):
        hint = ("" if allowed_host else
                "; name its public host name with --allowed-host NAME, or every request is refused (400)")
        typer.echo(f"warning: serving on {host}, reachable from other machines; answering Host: {', '.join(hosts)}{hint}",
                   err=True)
    typer.echo(f"myoclass {__version__}: http://{'[' + host + ']' if ':' in host else host}:{port}/  (Ctrl-C to stop)")
    # the settings reach each worker process through the environment (myoclass.web.app.app_from_env)
    os.environ.update(settings.to_env())
    if no_cds_auth:
        typer.echo("warning: CDS Hooks calls are answered without verifying the EHR's JWT (--no-cds-auth): "
                   "for a local trial only", err=True)
        os.environ["MYOCLASS_CDS_JWT_VERIFY"] = "0"
    extra: dict[str, Any] = {}
    if forwarded_allow_ips is not None:
        extra = {"proxy_headers": True, "forwarded_allow_ips": forwarded_allow_ips}
    # The server's own access log stays off (it would log the query string and the client address); the
    # app logs method, path and status itself when asked to.
    uvicorn.run("myoclass.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                access_log=False, log_level="warning", server_header=False, **extra)


class BatchEngine(StrEnum):
    embedded = "embedded"
    spark = "spark"


def progress_bar(done: int, total: int, seconds: float, width: int = 30) -> str:
    """One terminal line: a bar, the share done, cases so far of the total, speed and time left."""
    rate = done / max(seconds, 1e-9)
    total = max(total, done)  # the total of a text file is an estimate
    share = done / total if total else 1.0
    filled = round(width * share)
    left = ""
    if done < total and rate > 0:
        secs = (total - done) / rate
        left = f", about {secs:,.0f} s left" if secs >= 1 else ", under a second left"
    return f"[{'#' * filled}{'-' * (width - filled)}] {share:4.0%} {done:,} of {total:,} cases ({rate:,.0f}/s{left})"


@app.command()
def batch(
    input: Annotated[str, typer.Argument(help="A CSV, Parquet or JSON Lines file of flat cases, a GA4GH phenopacket "
                                              "JSON file, a directory of them (not searched recursively), or a glob "
                                              "(quote it).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Results: .parquet, .csv or .jsonl.")],
    rejects: Annotated[Path | None, typer.Option(help="Rejected rows with line and reason (CSV). "
                                                       "Default: OUTPUT with its suffix replaced by .rejects.csv.")] = None,
    engine_: Annotated[BatchEngine, typer.Option("--engine", help="Where to run.")] = BatchEngine.embedded,
    batch_size: Annotated[int, typer.Option(help="Rows per Arrow batch.", min=1)] = 8192,
    eular_cutoffs: Annotated[Cutoffs, typer.Option(help="EULAR/ACR cut-offs: score or probability.")] = Cutoffs.score,
    eular_rash_free: Annotated[RashFree, typer.Option(help="EULAR/ACR: what a case without DM rash needs.")]
    = RashFree.biopsy_required,
    enmc_weakness_required: Annotated[bool, typer.Option(help="ENMC 224: require proximal weakness.")] = True,
    master: Annotated[str, typer.Option(help="Spark master URL with --engine spark (e.g. local[2], spark://host:7077, "
                                             "yarn).")] = "local[2]",
    reading: Annotated[Reading, typer.Option(help="Differential: clinic (unknown = not assessed) or record (case "
                                                  "reports, registry abstraction: a salient finding not "
                                                  "mentioned is weak evidence of absence).")] = Reading.clinic,
    workers: Annotated[int | None, typer.Option(help="Scoring processes (embedded engine). Default: "
                                                     "$MYOCLASS_WORKERS, else one per core (at most 8); 1 scores in this "
                                                     "process only. The output is the same whatever the number.",
                                                min=1)] = None,
) -> None:
    """Score a whole cohort: one output row per case, rejects kept apart, never stopping for them.

    The output and rejects files are written under temporary names and renamed into place only when the
    run succeeds; an output that is an input, or would be read as one, is refused (exit code 2).
    With --engine spark, OUTPUT is a directory of Parquet parts and the rejects a directory of CSV parts."""
    if engine_ is BatchEngine.embedded and _OWN_PROCESS:  # process-wide settings: only in a process of our own
        from myoclass.batch import prepare_scoring_process

        prepare_scoring_process()
        _interrupt_on_sigterm()  # a terminated run removes its temporary files, as an interrupted one does
    try:
        from myoclass.batch.run import check_outputs, estimate_records, input_files, run_batch
    except ImportError:
        typer.echo(f"error: batch scoring needs the 'batch' extra: {_pip_install('myoclass[batch]')}", err=True)
        raise typer.Exit(1) from None

    if engine_ is BatchEngine.spark:
        _batch_spark(input, output, rejects, master,
                     Policy(eular_cutoffs.value, eular_rash_free.value, enmc_weakness_required), reading.value)
        return
    rej = rejects or default_rejects(output, ".rejects.csv")
    try:
        files = input_files(input)
        check_outputs(input, files, output, rej)  # before anything is read
    except (FileNotFoundError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    import time

    t0 = time.perf_counter()
    show = sys.stderr.isatty()  # the bar is for a person watching; nothing is counted otherwise
    total = estimate_records(files) if show else 0

    on_screen = 0  # length of the line last written

    def progress(n: int) -> None:
        nonlocal on_screen
        if show:
            line = progress_bar(n, total, time.perf_counter() - t0)
            sys.stderr.write("\r" + line.ljust(on_screen))
            sys.stderr.flush()
            on_screen = len(line)

    try:
        policy = Policy(eular_cutoffs.value, eular_rash_free.value, enmc_weakness_required)
        stats = _or_exit(lambda: run_batch(files, output, rej, policy=policy, batch_size=batch_size,
                                           progress=progress, reading=reading.value, workers=workers))
    except ValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    except OSError as e:  # e.g. no permission to write beside the output; earlier outputs are untouched
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    dt = time.perf_counter() - t0
    if show:
        sys.stderr.write("\n")
    typer.echo(f"{_cases(stats.scored)} scored, {stats.rejected:,} rejected (see {rej}) from {len(files)} file(s) "
               f"in {dt:.1f} s -> {output}", err=True)


def _interrupt_on_sigterm() -> None:
    """Treat SIGTERM like Ctrl-C (KeyboardInterrupt), so the run cleans up before it exits."""
    import signal

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def default_rejects(output: Path, ending: str) -> Path:
    """The rejects file (or Spark's directory) beside ``output`` when ``--rejects`` is not given: ``output`` with its
    format's suffix replaced by ``ending`` (``cohort.2026-12.parquet`` -> ``cohort.2026-12.rejects.csv``), so that
    the runs of outputs named apart have rejects named apart; a name without a format suffix keeps it all."""
    from myoclass.batch.output import INPUT_SUFFIXES

    base = output.name[:-len(output.suffix)] if output.suffix.lower() in INPUT_SUFFIXES else output.name
    return output.with_name(base + ending)


def _batch_spark(input: str, output: Path, rejects: Path | None, master: str, policy: Policy,
                 reading: str = "clinic") -> None:
    try:
        from myoclass.batch.spark import check_spark_paths, run_spark, spark_session
    except ImportError:
        typer.echo(f"error: --engine spark needs the 'spark' extra: {_pip_install('myoclass[spark]')} (and Java 17)",
                   err=True)
        raise typer.Exit(1) from None
    rej = rejects or default_rejects(output, ".rejects")
    try:
        check_spark_paths(input, str(output), str(rej))  # before Spark starts
    except ValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    spark = spark_session(master)
    try:
        n, r = _or_exit(lambda: run_spark(spark, input, str(output), str(rej), policy, reading))
    finally:
        spark.stop()
    typer.echo(f"{_cases(n)} scored, {r:,} rejected (see {rej}) on Spark ({master}) -> {output}", err=True)


@app.command()
def report(
    results: Annotated[Path, typer.Argument(help="A results file written by `myoclass batch`, or the Spark "
                                            "engine's output directory of Parquet parts.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML report (a .json twin is written beside it).")],
    previous: Annotated[Path | None, typer.Option(help="An earlier results file or directory: list every reclassified "
                                                       "case (matched on case_id when every row has a unique one).")]
    = None,
) -> None:
    """Cohort report: labels, the most likely label (the differential) beside them, undetermined cases and what
    would settle them, agreement between sets, and the diff with a previous run (other data, criteria versions
    or policies). When the results have a reference_label column (the reference or final diagnosis), also the
    calibration of the differential against it: accuracy, top-2 accuracy, Brier score, a calibration plot, and the same
    figures per reference label."""
    try:
        from myoclass.batch.output import UnsafeOutput
        from myoclass.batch.report import write_report
    except ImportError:
        typer.echo(f"error: the report needs the 'batch' extra: {_pip_install('myoclass[batch]')}", err=True)
        raise typer.Exit(1) from None
    for p in (results, previous):
        if p is not None and not (p.is_file() or p.is_dir()):
            typer.echo(f"error: {p}: no such file or directory", err=True)
            raise typer.Exit(2)
    try:
        payload = write_report(results, output, previous)
    except (UnsafeOutput, FileNotFoundError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    r = payload["report"]
    msg = f"{_cases(r['cases'])}, {r['undetermined']:,} undetermined"
    cal = r.get("calibration")
    if cal and cal["patients"]:
        msg += (f"; against {cal['patients']:,} reference labels the most likely label is right for "
                f"{100 * cal['leading_accuracy']:.1f}% (Brier score {cal['brier']:.3f})")
        oc = cal.get("open_cases")
        if oc and oc["patients"]:
            msg += (f"; of them, {oc['patients']:,} left open by the criteria: right for "
                    f"{100 * oc['leading_accuracy']:.1f}% (Brier score {oc['brier']:.3f})")
    if "diff" in payload:
        d = payload["diff"]
        msg += (f", {d['reclassified']:,} reclassified and {d.get('leading_changed', 0):,} with another most likely "
                f"label since {previous}" + (" (the runs' settings differ: see the report)" if d.get("settings") else ""))
    typer.echo(f"{msg} -> {output} and {output.with_suffix('.json')}", err=True)


schema_app = typer.Typer(help="Print JSON Schemas.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")


@schema_app.command("case")
def schema_case() -> None:
    """JSON Schema of the flat case (data dictionary v1)."""
    typer.echo(json.dumps(case_json_schema(), indent=2, ensure_ascii=False))


@schema_app.command("assessment")
def schema_assessment() -> None:
    """JSON Schema of the assessment (``assess -f json``), generated from the typed assessment."""
    from myoclass.model.assessment import assessment_json_schema

    try:
        schema = assessment_json_schema()
    except ImportError as e:
        _fail(str(e))
    typer.echo(json.dumps(schema, indent=2, ensure_ascii=False))


@app.command()
def docs(
    out: Annotated[Path, typer.Option("--out", help="Directory of the generated documents.")] = Path("docs"),
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if a document is missing or "
                                                        "differs from what the code gives now.")] = False,
) -> None:
    """Generate data-dictionary.md, criteria.md and assessment.md from the code (field specs, criteria sets, typed
    assessment)."""
    from myoclass.docs import stale, write

    if check:
        old = stale(out)
        if old:
            typer.echo(f"error: out of date in {out}: {', '.join(old)} (run `myoclass docs --out {out}`)", err=True)
            raise typer.Exit(1)
        typer.echo(f"{out}: the generated documents are up to date", err=True)
        return
    changed = write(out)
    typer.echo(f"{out}: wrote {', '.join(changed)}" if changed else f"{out}: nothing to write (up to date)", err=True)


# --- myoclass registry (issue 15): the service layer is myoclass.registry.service ------------------------

registry_app = typer.Typer(
    help="The patient registry: visits over years, their assessments, users and an append-only audit log "
    "(docs/registry.md). The database: --database-url, else $MYOCLASS_DATABASE_URL, else a SQLite file in "
    "$MYOCLASS_DATA_DIR or ~/.local/share/myoclass.",
    no_args_is_help=True,
)
app.add_typer(registry_app, name="registry")


class ImportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    fhir = "fhir"


class Role(StrEnum):
    clinician = "clinician"
    researcher = "researcher"
    admin = "admin"


@registry_app.callback()
def registry_main(
    ctx: typer.Context,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="SQLAlchemy URL of the registry: sqlite:///PATH or "
        "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB (default: $MYOCLASS_DATABASE_URL, else the SQLite file).",
        show_default=False)] = None,
) -> None:
    ctx.obj = {"database_url": database_url}


def _registry_call(ctx: typer.Context, fn: Callable[[Any, Any], T]) -> T:
    """Open the registry and run ``fn(service, registry)``; every refusal is one "error:" line and exit code 2
    (1 for a missing extra), never a stack trace."""
    try:
        from myoclass.registry import service
    except ImportError as e:
        typer.echo(f"error: the registry needs the 'web' extra (SQLAlchemy, Alembic, argon2-cffi): pip install "
                   f"'myoclass[web]' ({e.name} is missing)", err=True)
        raise typer.Exit(1) from None
    from myoclass.errors import InvalidCase, MissingExtra, MyoclassError

    url = (ctx.obj or {}).get("database_url")
    try:
        reg = service.open_registry(url)
        try:
            return fn(service, reg)
        finally:
            reg.close()
    except InvalidCase as e:
        for p in e.problems:
            typer.echo(f"error: {p}", err=True)
        raise typer.Exit(2) from None
    except MissingExtra as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    except MyoclassError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"{e.filename or 'file'}: {e.strerror or e}")
    except Exception as e:
        if type(e).__module__.split(".")[0] in ("sqlalchemy", "psycopg", "sqlite3", "alembic"):
            orig = getattr(e, "orig", None) or e
            _fail(f"database: {(str(orig).strip().splitlines() or [type(orig).__name__])[0][:300]}")
        raise


@registry_app.command("init")
def registry_init(ctx: typer.Context) -> None:
    """Create the registry (or migrate it to this version's schema) and print where it is."""
    def run(service: Any, reg: Any) -> None:
        n = len(service.list_patients(reg))
        typer.echo(f"registry: {reg.url} ({reg.backend}, {n} patient(s))")

    _registry_call(ctx, run)


@registry_app.command("import")
def registry_import(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Visits as CSV or JSON Lines (- reads standard input): patient_code, "
                                             "visit_date, the flat keys, the follow-up measures, treatments.")],
    fmt: Annotated[ImportFormat | None, typer.Option("--format", "-f", help="Input format (default: from the "
                                                     "file's suffix, else from its content).")] = None,
    batch_size: Annotated[int, typer.Option(help="Rows per transaction.", min=1)] = 500,
) -> None:
    """Import visits; the same patient code and date again updates that visit. Bad rows are listed with their
    line and reason (on standard error) and the good rows are kept; each batch is one transaction."""
    text = _read_text(file)
    kind = fmt.value if fmt else ("csv" if file.lower().endswith(".csv") else
                                  "jsonl" if file.lower().endswith((".jsonl", ".ndjson", ".json")) else None)

    def run(service: Any, reg: Any) -> Any:
        return service.import_visits(reg, text, kind, "cli", batch_size=batch_size)

    res = _registry_call(ctx, run)
    for r in res.rejects:
        typer.echo(f"error: line {r.row}: {r.reason}", err=True)
    typer.echo(f"{res.imported} visit(s) imported ({res.created} new, {res.updated} updated, {res.patients_created} new "
               f"patient(s)) in {res.batches} batch(es); {len(res.rejects)} row(s) rejected", err=True)


@registry_app.command("export")
def registry_export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv, parquet, or fhir (JSON Lines: one FHIR R4 "
                                                                       "Bundle per visit).")],
    output: Annotated[str, typer.Option("--output", "-o", help="Output file (written atomically), or - for "
                                                                  "standard output.")] = "-",
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="The researcher export: keyed hashes for the "
                                               "patient codes, dates shifted per patient, no case_id.")] = False,
) -> None:
    """Export one row per visit."""
    def run(service: Any, reg: Any) -> int:
        dest: Any = sys.stdout.buffer if output == "-" else Path(output)
        return int(service.export(reg, fmt.value, dest, pseudonymise=pseudonymise))

    n = _registry_call(ctx, run)
    if output != "-":
        typer.echo(f"{n} visit(s) written to {output}", err=True)


@registry_app.command("backup")
def registry_backup(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="The backup file: a dump (JSON Lines, any back end), or for a SQLite "
                                              "registry a .sqlite3/.db file (SQLite's backup API).")],
) -> None:
    """Write a consistent copy of the whole registry (atomically)."""
    n = _registry_call(ctx, lambda service, reg: service.backup(reg, dest))
    typer.echo(f"{n} row(s) backed up to {dest}", err=True)


@registry_app.command("restore")
def registry_restore(
    ctx: typer.Context,
    src: Annotated[Path, typer.Argument(help="A file written by `myoclass registry backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a registry that holds data (all of it, the audit "
                                                        "log included).")] = False,
) -> None:
    """Restore a backup in one transaction (refused for a registry that holds data, without --force)."""
    n = _registry_call(ctx, lambda service, reg: service.restore(reg, src, force=force))
    typer.echo(f"{n} row(s) restored from {src}", err=True)


@registry_app.command("add-user")
def registry_add_user(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user's login name.")],
    role: Annotated[Role, typer.Option("--role", help="clinician (read and write), researcher (read-only, "
                                                      "pseudonymised export) or admin.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of "
                                                 "standard input instead of a hidden prompt.")] = False,
) -> None:
    """Add a user of the web app (the password is hashed with argon2id)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _registry_call(ctx, lambda service, reg: service.add_user(reg, name, role.value, password))
    typer.echo(f"user {user.name} added ({user.role})", err=True)


@registry_app.command("add-token")
def registry_add_token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the token (what it is for, e.g. notebook).")],
    user: Annotated[str, typer.Option("--user", help="The user the token acts as (its role applies).")],
) -> None:
    """Create an API token for the REST endpoints and print its secret (myo_...) once, on standard output
    (nothing else goes there); only its SHA-256 is stored, so it cannot be shown again."""
    info, secret = _registry_call(ctx, lambda service, reg: service.create_token(reg, user, name, "cli"))
    typer.echo(secret)
    typer.echo(f"token {info.id} ({info.name}) created for {info.user_name}; the secret above is shown only once",
               err=True)


@registry_app.command("revoke-token")
def registry_revoke_token(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's id (see `myoclass registry tokens`).")],
) -> None:
    """Revoke an API token: it stops opening the REST endpoints at once (it stays listed, as revoked)."""
    _registry_call(ctx, lambda service, reg: service.revoke_token(reg, token_id, "cli"))
    typer.echo(f"token {token_id} revoked", err=True)


def _when(t: Any) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M:%S UTC")


@registry_app.command("tokens")
def registry_tokens(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
    fmt: Annotated[SimpleFormat, typer.Option("--format", "-f", help="Output format.")] = SimpleFormat.text,
) -> None:
    """List the API tokens: id, name, user, created, last used, revoked (never a secret: none is stored)."""
    tokens = _registry_call(ctx, lambda service, reg: service.list_tokens(reg, user))
    if fmt is SimpleFormat.json:
        typer.echo(dumps({"tokens": [
            {"id": t.id, "name": t.name, "user": t.user_name, "created_at": t.created_at.isoformat(),
             "last_used_at": t.last_used_at and t.last_used_at.isoformat(),
             "revoked_at": t.revoked_at and t.revoked_at.isoformat()} for t in tokens]}))
        return
    rows = [("ID", "NAME", "USER", "CREATED", "LAST USED", "REVOKED")]
    rows += [(str(t.id), t.name, t.user_name, _when(t.created_at), _when(t.last_used_at) or "never",
              _when(t.revoked_at) or "no") for t in tokens]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    typer.echo(f"{len(tokens)} token(s)", err=True)


@registry_app.command("reclassify")
def registry_reclassify(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; store nothing.")] = False,
    fmt: Annotated[SimpleFormat, typer.Option("--format", "-f", help="Output format.")] = SimpleFormat.text,
) -> None:
    """Re-assess every visit whose assessment was made by other versions (myoclass, a criteria set, the differential
    model) or from another input, and say what changed and why."""
    res = _registry_call(ctx, lambda service, reg: service.reclassify(reg, "cli", dry_run=dry_run))
    if fmt is SimpleFormat.json:
        typer.echo(dumps({"checked": res.checked, "reassessed": res.reassessed, "changes": [
            {"patient_code": c.patient_code, "visit_date": c.visit_date.isoformat(), "old_label": c.old_label,
             "new_label": c.new_label, "old_leading_label": c.old_leading_label,
             "new_leading_label": c.new_leading_label, "label_changed": c.label_changed, "reasons": c.reasons}
            for c in res.changes]}))
        return
    for c in res.changes:
        what = (f"{c.old_label} → {c.new_label}" if c.old_label != c.new_label else f"{c.new_label} (unchanged)")
        if c.old_leading_label != c.new_leading_label:
            what += f"; leading {c.old_leading_label} → {c.new_leading_label}"
        typer.echo(f"{c.patient_code} {c.visit_date}: {what}; because {', '.join(c.reasons)}")
    verb = "would be re-assessed" if dry_run else "re-assessed"
    typer.echo(f"{res.checked} visit(s) checked, {res.reassessed} {verb}, {len(res.changed)} with another label",
               err=True)


#: True when this module runs as the process's own command (not inside a caller, e.g. a test runner)
_OWN_PROCESS = False


def run() -> None:  # pragma: no cover - console entry point
    global _OWN_PROCESS
    _OWN_PROCESS = True
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
