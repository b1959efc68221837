"""CSV of stage timings, including what Excel exports (BOM, `;` separators, decimal commas,
Windows-1252 text). Two shapes, told apart by the header:

- wide: one row per request, one numeric column per stage (id, time and total columns are not
  stages; a total column is kept as the end-to-end check);
- long: one row per stage with its percentiles (p50/median, p95, p99) and optionally kind,
  calls and parallel group.

Units come from the header ("(ms)", "_s", "[us]"); milliseconds when it does not say.

A wide table's timestamp column (`timestamp`, `time`, `ts`, `start_time`, ...: ISO 8601, or
Unix time in s, ms, µs or ns) gives the request rate the file shows (see traffic.py).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.stats import Reservoir
from latency_advisor.importers.traffic import Arrivals
from latency_advisor.scenario import STAGE_KINDS

UNIT_WORDS: tuple[tuple[str, float], ...] = (
    ("milliseconds", 1.0),
    ("millis", 1.0),
    ("ms", 1.0),
    ("microseconds", 1e-3),
    ("micros", 1e-3),
    ("us", 1e-3),
    ("µs", 1e-3),
    ("nanoseconds", 1e-6),
    ("ns", 1e-6),
    ("seconds", 1000.0),
    ("secs", 1000.0),
    ("sec", 1000.0),
    ("s", 1000.0),
)
UNIT_SUFFIX = re.compile(
    r"^(?P<base>.*?)(?:[\s_\-]+[\(\[]?|[\(\[])\s*(?P<unit>"
    + "|".join(re.escape(u) for u, _ in UNIT_WORDS)
    + r")\s*[\)\]]?$",
    re.IGNORECASE,
)
NOT_A_STAGE = re.compile(
    r"^(request|req|id|.*_id|trace|trace.?id|span.?id|time|timestamp|ts|date|datetime|"
    r"started?_?at|user|status|endpoint|route|method|host|region|#|n|index|row)$",
    re.IGNORECASE,
)
# when a request started (or was logged); not `request_time`, which nginx uses for a duration
TIME_COLUMN = re.compile(
    r"^(timestamp|time|ts|datetime|date.?time|start(ed)?.?(at|time|ts)|time.?stamp)$", re.I
)
# Unix times by magnitude, as ms: ns from 1e17 (1973 on), µs from 1e14, ms from 1e11
EPOCH_UNITS = ((1e17, 1e-6), (1e14, 1e-3), (1e11, 1.0))
TOTAL = re.compile(
    r"^(total|end.?to.?end|e2e|overall|latency|total.?latency|response.?time)$", re.I
)
NAME_COLUMNS = ("stage", "name", "step", "span", "operation", "component", "stage name")
PERCENTILE_COLUMNS = {
    50.0: re.compile(r"^(p50|p\.?50|50(th)?|median|50%|pct50|percentile.?50|q50)$", re.I),
    95.0: re.compile(r"^(p95|p\.?95|95(th)?|95%|pct95|percentile.?95|q95)$", re.I),
    99.0: re.compile(r"^(p99|p\.?99|99(th)?|99%|pct99|percentile.?99|q99)$", re.I),
}
MAX_COLUMNS = 500


@dataclass
class WideColumn:
    name: str
    factor: float
    unit_given: bool
    samples: Reservoir = field(default_factory=Reservoir)
    non_numeric: int = 0


@dataclass
class TimeColumn:
    """The column of request times: ISO 8601 text or numbers (Unix or relative time)."""

    name: str
    factor: float | None  # ms per unit: from the header, or from the first number's size
    arrivals: Arrivals = field(default_factory=Arrivals)
    unreadable: int = 0
    unit_guessed: bool = False

    def add(self, cell: str, decimal_comma: bool) -> None:
        text = cell.strip()
        if not text:
            self.unreadable += 1
            return
        number = parse_number(text, decimal_comma)
        if number is not None:
            if self.factor is None:  # the first number decides the column's unit
                self.factor = next((f for floor, f in EPOCH_UNITS if abs(number) >= floor), 1e3)
                self.unit_guessed = abs(number) < EPOCH_UNITS[-1][0]
            self.arrivals.add(number * self.factor)
            return
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.unreadable += 1
            return
        if moment.tzinfo is None:  # only differences matter: naive times read as UTC
            moment = moment.replace(tzinfo=UTC)
        self.arrivals.add(moment.timestamp() * 1000.0)


@dataclass
class LongRow:
    name: str
    percentiles_ms: dict[float, float]
    kind: str | None
    calls: int
    group: str | None


@dataclass
class CsvTable:
    shape: str  # "wide" or "long"
    columns: list[WideColumn] = field(default_factory=list)
    total: WideColumn | None = None
    rows: list[LongRow] = field(default_factory=list)
    requests: int = 0
    warnings: list[str] = field(default_factory=list)
    times: TimeColumn | None = None


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def encoding_of(head: bytes) -> str:
    """UTF-16 (Excel's "Unicode text" export) by its BOM; UTF-8 when the head decodes as such
    (a character cut at the end of the head is fine); else Windows-1252 as older Excel writes."""
    if head[:2] in UTF16_BOMS:
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "utf-8-sig" if exc.start >= len(head) - 3 else "cp1252"
    return "utf-8-sig"


def decode(raw: bytes) -> str:
    """The text of a CSV's bytes (see encoding_of)."""
    if raw[:2] in UTF16_BOMS:
        return raw.decode("utf-16", errors="ignore")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def looks_like_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return False
    if any(sep in lines[0] for sep in ",;\t|"):
        return True
    # a single column: a header, then numbers
    return len(lines) >= 2 and all(parse_number(line, True) is not None for line in lines[1:])


def read_table(lines: Iterable[str], head: str, path: str) -> CsvTable:
    dialect = _dialect(head)
    reader = csv.reader(lines, dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ImporterError(path, "the CSV file is empty") from None
    except csv.Error as exc:
        raise ImporterError(path, f"line 1: not readable as CSV ({exc})") from None
    header = [h.strip().strip('"') for h in header]
    if len(header) > MAX_COLUMNS:
        raise ImporterError(path, f"line 1: at most {MAX_COLUMNS} columns, got {len(header)}")
    decimal_comma = dialect.delimiter != ","
    lowered = [h.lower() for h in header]
    name_col = next((i for i, h in enumerate(lowered) if h in NAME_COLUMNS), None)
    pct_cols = {p: _find(header, pattern) for p, pattern in PERCENTILE_COLUMNS.items()}
    rows = _RowCounter(reader)
    try:
        if name_col is not None and pct_cols[50.0] is not None:
            table = _read_long(rows, header, name_col, pct_cols, decimal_comma, path)
        else:
            table = _read_wide(rows, header, decimal_comma, path)
    except csv.Error as exc:
        raise ImporterError(path, f"line {reader.line_num}: not readable as CSV ({exc})") from None
    if rows.spanning:
        table.warnings.append(
            f"{rows.spanning} row(s) hold a quoted field that runs over several lines, the "
            f"first at line {rows.first_spanning}: an unclosed quote there swallows the lines "
            f"after it ({rows.swallowed} line(s) were not read as rows); check that line"
        )
    return table


class _RowCounter:
    """Iterates CSV rows and notes those whose quoted field ran over line ends."""

    def __init__(self, reader: Any):
        self.reader = reader
        self.spanning = self.swallowed = 0
        self.first_spanning: int | None = None

    @property
    def line_num(self) -> int:
        return int(self.reader.line_num)

    def __iter__(self) -> _RowCounter:
        return self

    def __next__(self) -> list[str]:
        before = self.reader.line_num
        row = next(self.reader)
        extra = self.reader.line_num - before - 1
        if extra > 0 and any("\n" in cell or "\r" in cell for cell in row):
            self.spanning += 1
            self.swallowed += extra
            if self.first_spanning is None:
                self.first_spanning = before + 1
        return row


def _dialect(head: str) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(head.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {sep: first.count(sep) for sep in ",;\t|"}
        best = max(counts, key=counts.get)

        class _Fallback(csv.excel):
            delimiter = best

        return _Fallback


def _find(header: list[str], pattern: re.Pattern) -> int | None:
    for i, h in enumerate(header):
        base, _, _ = split_unit(h)
        if pattern.match(base.strip()):
            return i
    return None


def split_unit(header: str) -> tuple[str, float, bool]:
    """("embed (ms)") -> ("embed", 1.0, True); no unit -> (header, 1.0, False)."""
    match = UNIT_SUFFIX.match(header.strip())
    if match and match.group("base").strip():
        unit = match.group("unit").lower()
        factor = next(f for u, f in UNIT_WORDS if u.lower() == unit)
        return match.group("base").strip(), factor, True
    return header.strip(), 1.0, False


def parse_number(text: str, decimal_comma: bool) -> float | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if decimal_comma and "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_wide(reader, header: list[str], decimal_comma: bool, path: str) -> CsvTable:
    table = CsvTable("wide")
    columns: list[WideColumn | None] = []
    time_index = None
    for index, h in enumerate(header):
        base, factor, given = split_unit(h)
        if time_index is None and TIME_COLUMN.match(base):
            time_index = index
            table.times = TimeColumn(base, factor if given else None)
            columns.append(None)
        elif NOT_A_STAGE.match(base) or not base:
            columns.append(None)
        elif TOTAL.match(base):
            table.total = WideColumn(base, factor, given)
            columns.append(table.total)
        else:
            columns.append(WideColumn(base, factor, given))
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        table.requests += 1
        if table.times is not None:
            table.times.add(row[time_index] if time_index < len(row) else "", decimal_comma)
        for cell, column in zip(row, columns, strict=False):
            if column is None:
                continue
            value = parse_number(cell, decimal_comma)
            if value is None:
                column.non_numeric += bool(cell.strip())
            elif value >= 0:
                column.samples.add(value * column.factor)
    stages = [c for c in columns if c is not None and c is not table.total]
    for column in stages:
        if column.samples.count == 0 or column.non_numeric > column.samples.count:
            if column.samples.count or column.non_numeric:
                table.warnings.append(f"column {column.name!r} is not numeric; not a stage")
            continue
        if column.non_numeric:
            table.warnings.append(
                f"column {column.name!r}: {column.non_numeric} cells are not numbers; skipped"
            )
        table.columns.append(column)
    if not table.columns:
        raise ImporterError(
            path,
            "no stage columns with numbers: expected one row per request and one column of "
            "timings per stage (e.g. `embed_ms,search_ms,llm_ms`), or one row per stage with "
            "`stage,p50_ms,p95_ms,p99_ms`",
        )
    if not any(c.unit_given for c in table.columns):
        table.warnings.append("no unit in the column names; timings read as milliseconds")
    if table.total is not None and table.total.samples.count == 0:
        table.total = None
    _check_times(table)
    return table


def _check_times(table: CsvTable) -> None:
    times = table.times
    if times is None:
        return
    if times.unreadable:
        table.warnings.append(
            f"column {times.name!r}: {times.unreadable} cells are not times (ISO 8601 or Unix "
            "time); those rows do not count toward the request rate"
        )
    if times.unit_guessed and times.arrivals.count:
        table.warnings.append(
            f"column {times.name!r}: numbers too small for Unix times and no unit in the name; "
            f"read as seconds (name it e.g. `{times.name}_ms` if they are not)"
        )


def _read_long(reader, header, name_col, pct_cols, decimal_comma: bool, path: str) -> CsvTable:
    table = CsvTable("long")
    lowered = [split_unit(h)[0].lower() for h in header]
    kind_col = lowered.index("kind") if "kind" in lowered else None
    calls_col = lowered.index("calls") if "calls" in lowered else None
    group_col = next((i for i, h in enumerate(lowered) if h in ("parallel_group", "group")), None)
    factors = {p: split_unit(header[i])[1] for p, i in pct_cols.items() if i is not None}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        cells = row + [""] * (len(header) - len(row))
        name = cells[name_col].strip()
        if not name:
            raise ImporterError(
                path, f"line {line}: the stage name is empty", where=header[name_col]
            )
        values: dict[float, float] = {}
        for p, col in pct_cols.items():
            if col is None or not cells[col].strip():
                continue
            value = parse_number(cells[col], decimal_comma)
            if value is None or value < 0:
                raise ImporterError(
                    path,
                    f"line {line}: expected a non-negative number, got {cells[col]!r}",
                    where=header[col],
                )
            values[p] = value * factors[p]
        if 50.0 not in values:
            raise ImporterError(
                path, f"line {line}: the p50 is missing", where=header[pct_cols[50.0]]
            )
        kind = cells[kind_col].strip().lower() if kind_col is not None else ""
        if kind and kind not in STAGE_KINDS:
            raise ImporterError(
                path,
                f"line {line}: unknown kind {kind!r}; expected one of {', '.join(STAGE_KINDS)}",
                where="kind",
            )
        calls = 1
        if calls_col is not None and cells[calls_col].strip():
            number = parse_number(cells[calls_col], decimal_comma)
            if number is None or number < 1 or number != int(number) or number > 10_000:
                raise ImporterError(
                    path,
                    f"line {line}: calls must be a whole number from 1 to 10000",
                    where="calls",
                )
            calls = int(number)
        group = cells[group_col].strip() if group_col is not None else ""
        table.rows.append(LongRow(name, values, kind or None, calls, group or None))
    if not table.rows:
        raise ImporterError(path, "the CSV file has a header but no stage rows")
    return table
