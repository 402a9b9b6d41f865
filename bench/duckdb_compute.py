#!/usr/bin/env python3
"""DuckDB implementation of the results CSV (formats.md), for the comparison in bench/duckdb.sh.

    bench/.venv/bin/python bench/duckdb_compute.py --data DIR --programs DIR
    bench/.venv/bin/python bench/duckdb_compute.py --database FILE --step load --data DIR --programs DIR
    bench/.venv/bin/python bench/duckdb_compute.py --database FILE --step query [--programs DIR]

Prints what `incentives compute --format csv` should print, so the two can be compared with
`cmp`. By default everything happens in memory, from the CSV files. With --database, the same
work is split in two, for the DuckDB anchor of bench/workspace.sh:

- `--step load` reads and checks the dataset files as above into tables of a NEW database
  file (the analogue of `incentives import --dir` into a new workspace) and stops. The file
  only appears when every check passed (it is written as FILE.loading, then renamed). The
  programs are needed (enrolments are checked against them); their directory and a digest of
  their files are stored with the data.
- `--step query` opens that file read-only and prints the results from the stored tables,
  without reading the CSV files again (the analogue of `incentives run`). The programs are
  those of the load step (its directory, or --programs), and must not have changed since.
 It is a second, independent implementation of shared/spec/formats.md and
docs/decisions.md that shares no code with the Swift engine. Everything that touches the data
is DuckDB SQL:

- reading the CSV files (every column as text, then checked and cast in SQL): the type checks,
  references between files, the duplicate (order_id, line) check;
- the per-line currency conversion (the rate of the counting date from a per-day rate table
  built from fx.csv, the product rounded half to even to cents in integer arithmetic) and the
  sums per (program, partner, item);
- the rules per partner on those sums (tiers, CSAT, credentials, minimum volumes, rebate and
  accrual percents, missed amounts) and the formatting of the results.

Python only glues the SQL together and reads the program definitions (YAML) with the loader
of bench/reference.py (the slow pure-Python reference implementation).

Rules v2 (formats.md section 5) too: the dates of fiscal period names are worked out again in
SQL, tiers.csv is read and checked like the other small files, the per-line sums carry a kind
(in-period, attach volume, baseline window) with late enrolments left out by a join, and the
rates by tier, tiers (retroactive or marginal), bases, bonuses and caps are SQL expressions per
subtrack. bench/README.md ("Rules v2") says how the spec was read where it is silent.

Money is integer cents (BIGINT / HUGEINT), rates and percents are integer millionths: no
binary floating point anywhere. round() is half to even, on exact integers.

On bad input it prints the problems found to stderr and exits with status 1. A bad value is
named by its file and its record's key values, not by physical line; a malformed record
(unterminated quote, wrong number of fields) is DuckDB's own error, which names the line and
stops at the first. See bench/duckdb-notes.md for what is and is not checked.
"""

import argparse
import csv
import hashlib
import os
import sys
import time

import duckdb
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402  (bench/reference.py: program loader, minimum volumes)

MAX_PROBLEMS = 100  # per file, like the engine
# How the tables of the dataset are created: TEMP (in memory), or stored in the database file
# with --database FILE --step load. Every other table (checks, sums, rules) is always TEMP.
STORED = "TEMP "
TAB = "\t"


class LoadError(Exception):
    pass


def lit(text):
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


# --------------------------------------------------------------------------
# Problems (collected per file, reported together)
# --------------------------------------------------------------------------

class Problems:
    def __init__(self):
        self.by_file = {}   # file -> [messages]
        self.counts = {}    # file -> number of problems (may exceed the messages kept)

    def add(self, file, message, count=1):
        self.counts[file] = self.counts.get(file, 0) + count
        kept = self.by_file.setdefault(file, [])
        if len(kept) < MAX_PROBLEMS:
            kept.append(message)

    def add_rows(self, file, rows, total):
        """rows: messages from a query with LIMIT MAX_PROBLEMS; total: how many there are."""
        for message, in rows:
            self.add(file, message, 0)
        self.counts[file] = self.counts.get(file, 0) + total

    def has(self, file=None):
        return bool(self.counts.get(file)) if file else any(self.counts.values())

    def fail_if_any(self):
        if not self.has():
            return
        for file, messages in self.by_file.items():
            for message in messages:
                print(f"{file}: error: {message}", file=sys.stderr)
            extra = self.counts[file] - len(messages)
            if extra > 0:
                print(f"{file}: ... and {extra} more", file=sys.stderr)
        sys.exit(1)


# --------------------------------------------------------------------------
# SQL helpers
# --------------------------------------------------------------------------

MACROS = f"""
-- Every field is trimmed of spaces and tabs; an empty field is '' (never NULL).
-- (trim with a character list is slow in DuckDB: only call it when there is something to trim)
CREATE MACRO fld(x) AS
    CASE WHEN x IS NULL THEN ''
         WHEN starts_with(x, ' ') OR starts_with(x, '{TAB}') OR ends_with(x, ' ') OR ends_with(x, '{TAB}')
         THEN trim(x, ' {TAB}') ELSE x END;
-- Case mapping of ASCII letters only (lower/upper also map other letters: not for non-ASCII text).
CREATE MACRO ascii_lower(x) AS
    CASE WHEN strlen(x) = length(x) THEN lower(x)
         ELSE translate(x, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') END;
CREATE MACRO ascii_upper(x) AS
    CASE WHEN strlen(x) = length(x) THEN upper(x)
         ELSE translate(x, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') END;
-- A real calendar date written YYYY-MM-DD, else NULL (DuckDB's own cast is more lenient).
CREATE MACRO to_date(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN try_cast(x AS DATE) END;
-- Money: -?digits[.d[d]] as integer cents, at most 10^15 cents; else NULL.
CREATE MACRO to_cents(x) AS
    CASE WHEN regexp_full_match(x, '-?[0-9]+(\\.[0-9]{{1,2}})?')
          AND abs(try_cast(x AS DECIMAL(18,2))) <= 10000000000000
         THEN CAST(try_cast(x AS DECIMAL(18,2)) * 100 AS BIGINT) END;
-- An exchange rate: digits[.up to 6 digits], > 0, as integer millionths; else NULL.
CREATE MACRO to_micro(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]+(\\.[0-9]{{1,6}})?')
          AND try_cast(x AS DECIMAL(18,6)) BETWEEN 0.000001 AND 1000000000
         THEN CAST(try_cast(x AS DECIMAL(18,6)) * 1000000 AS BIGINT) END;
CREATE MACRO is_number(x) AS regexp_full_match(x, '-?[0-9]+(\\.[0-9]{{1,6}})?');
CREATE MACRO to_bool(x) AS
    CASE WHEN ascii_lower(x) IN ('true', 'yes', '1') THEN true
         WHEN ascii_lower(x) IN ('false', 'no', '0') THEN false END;
-- intended_use normalised: lower-cased (ASCII), spaces and hyphens turned into '_'.
CREATE MACRO norm_use(x) AS replace(replace(ascii_lower(x), ' ', '_'), '-', '_');
-- p / d rounded half to even, for an integer p and a positive integer d (integer // truncates).
CREATE MACRO div_half_even(p, d) AS
    sign(p) * (abs(p) // d + CASE WHEN 2 * (abs(p) % d) > d
                                   OR (2 * (abs(p) % d) = d AND (abs(p) // d) % 2 = 1)
                                  THEN 1 ELSE 0 END);
-- Money as text: a plain decimal with exactly 2 decimals, '-' for negatives (57500.00, -12.30).
CREATE MACRO money(c) AS
    CASE WHEN c < 0 THEN '-' ELSE '' END || CAST(abs(c) // 100 AS VARCHAR) || '.'
    || lpad(CAST(abs(c) % 100 AS VARCHAR), 2, '0');
-- Text a spreadsheet would run as a formula gets a leading ' (docs/decisions.md, "Results").
CREATE MACRO neutralised(x) AS
    CASE WHEN regexp_matches(x, '^[=+@\\t\\r]') OR (starts_with(x, '-') AND NOT regexp_full_match(x, '-[0-9]+(\\.[0-9]+)?'))
         THEN chr(39) || x ELSE x END;
-- A CSV field, neutralised, then quoted (RFC 4180) only when it holds a comma, quote or line break.
CREATE MACRO csv_text(x) AS
    CASE WHEN regexp_matches(neutralised(x), '[,"\r\n]') THEN '"' || replace(neutralised(x), '"', '""') || '"'
         ELSE neutralised(x) END;
-- An amount in cents times a rate in millionths, in cents rounded half to even: in BIGINT when
-- the product fits (DuckDB checks), in 128-bit HUGEINT otherwise (much slower).
CREATE MACRO convert_cents(cents, rate_micro) AS
    CASE WHEN abs(cents) <= 9223372036854775807 // rate_micro
         THEN div_half_even(cents * rate_micro, 1000000)
         ELSE CAST(div_half_even(CAST(cents AS HUGEINT) * rate_micro, 1000000) AS BIGINT) END;
"""


def csv_source(directory, name, required, optional, problems, required_file):
    """A SQL subquery reading DIR/name with every wanted column as trimmed text ('' if absent).

    Columns are found by header name (any order, extra columns ignored). Returns None when an
    optional file is absent or a required column is missing (that is reported)."""
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        if required_file:
            problems.add(path, "required file is missing")
        return None
    with open(path, newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), None)
    names = [ref.trim(h) for h in (header or [])]
    missing = [c for c in required if c not in names]
    for column in missing:
        problems.add(path, f"line 1: missing required column {column} (the header has: {', '.join(names)})")
    if missing:
        return None
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    reader = (f"read_csv({lit(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', "
              f"escape = '\"', columns = {columns}, allow_quoted_nulls = false, strict_mode = true, "
              f"null_padding = false)")
    fields = ", ".join(f"fld(c{names.index(c)}) AS {c}" if c in names else f"'' AS {c}"
                       for c in required + optional)
    return f"(SELECT {fields} FROM {reader})"


def checked_select(source, identity, columns, checks):
    """SQL selecting the typed columns of source plus a `problem` column: NULL when the row
    passed every check, else a text naming the record and listing the failed checks.

    columns: (name, SQL expression on the text fields) pairs; checks: (condition, message)
    pairs of SQL expressions that may use the text fields and the typed values as t_<name>;
    identity: SQL text naming the record in messages. The problem text is only built for the
    rows that fail a check."""
    typed = ", ".join(f"{expr} AS t_{name}" for name, expr in columns)
    select = ", ".join(f"t_{name} AS {name}" for name, _ in columns)
    failed = " OR ".join(f"({cond})" for cond, _ in checks)
    listed = ", ".join(f"CASE WHEN {cond} THEN {msg} END" for cond, msg in checks)
    return (f"SELECT {select}, "
            f"CASE WHEN {failed} THEN {identity} || ': ' || concat_ws('; ', {listed}) END AS problem "
            f"FROM (SELECT src.*, {typed} FROM {source} AS src) AS src")


def load_table(con, problems, path, table, source, identity, columns, checks):
    """CREATE TEMP TABLE table AS checked_select(...) (a small file), reporting the rows with a problem
    (a stored table with --step load)."""
    con.execute(f"CREATE {STORED}TABLE {table} AS {checked_select(source, identity, columns, checks)}")
    report(con, problems, path, f"SELECT problem FROM {table} WHERE problem IS NOT NULL")


def report(con, problems, path, query):
    """Adds the messages of query (one text column) to the problems of path."""
    total = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    if total:
        problems.add_rows(path, con.execute(f"{query} LIMIT {MAX_PROBLEMS}").fetchall(), total)


def value(column, expected):
    """SQL text for: column: expected (got 'value')."""
    return f"{lit(column + ': ' + expected + ' (got ' + chr(39))} || {column} || {lit(chr(39) + ')')}"


def empty(column):
    return (f"{column} = ''", f"'{column}: required value is empty'")


def date_checks(column, required=True):
    """The typed value must be in `columns` as t_<column> = to_date(column)."""
    checks = [(f"{column} <> '' AND t_{column} IS NULL", value(column, "expected a real calendar date YYYY-MM-DD"))]
    return ([empty(column)] if required else []) + checks


# --------------------------------------------------------------------------
# Programs (YAML, via bench/reference.py)
# --------------------------------------------------------------------------

def load_programs(directory):
    """The programs of reference.load_program (which also resolves fiscal period names; their
    dates are worked out again in SQL by check_fiscal_periods)."""
    programs = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not (os.path.isfile(path) and (name.endswith(".yaml") or name.endswith(".yml"))):
            continue
        program = ref.load_program(path)
        with open(path, encoding="utf-8-sig") as handle:
            doc = yaml.load(handle, Loader=ref.StringLoader)
        # (fiscal name, dates the loader gave it) for check_fiscal_periods
        program["fiscal_names"] = []
        if not isinstance(doc["period"], dict):
            program["fiscal_names"].append((str(doc["period"]), (program["start"], program["end"])))
        if program["kind"] == "vip":
            subs = [sub for track in doc["tracks"] for sub in track["subtracks"]]
            for raw, sub in zip(subs, program["subtracks"]):
                period = (raw.get("baseline") or {}).get("period")
                if period is not None and not isinstance(period, dict):
                    program["fiscal_names"].append((str(period), sub["baseline"]))
        programs.append(program)
    ids = [p["id"] for p in programs]
    if len(set(ids)) != len(ids):
        raise LoadError(f"{directory}: duplicate program ids")
    if len({p["currency"] for p in programs}) > 1:
        raise LoadError(f"{directory}: programs in different currencies")
    return programs


def check_fiscal_periods(con, programs):
    """Works out the dates of every fiscal period name again in SQL (formats.md 5.1: fiscal year N
    ends on the last Saturday of July of year N; H1 = its first 26 weeks, Q1 and Q2 13 weeks each,
    Q4 the last 13 weeks, Q3 the weeks between) and fails when they differ from the loader's."""
    for program in programs:
        for name, dates in program["fiscal_names"]:
            match = ref.FISCAL_NAME.fullmatch(ref.trim(name))
            year = int(match.group(1)) + (2000 if len(match.group(1)) == 2 else 0)
            part = (match.group(2) or "").upper() + (match.group(3) or "")
            found = con.execute("""
                WITH ends AS (   -- the last Saturday of July (dayofweek: Sunday 0 .. Saturday 6)
                    SELECT y, make_date(y, 7, 31) - CAST((dayofweek(make_date(y, 7, 31)) + 1) % 7 AS INTEGER) AS last_day
                    FROM (VALUES (?), (? - 1)) v(y)
                ), fy AS (
                    SELECT max(last_day) AS fy_end, min(last_day) + 1 AS fy_start FROM ends
                )
                SELECT CASE ? WHEN '' THEN fy_start WHEN 'H1' THEN fy_start WHEN 'Q1' THEN fy_start
                              WHEN 'H2' THEN fy_start + 182 WHEN 'Q3' THEN fy_start + 182
                              WHEN 'Q2' THEN fy_start + 91 WHEN 'Q4' THEN fy_end - 90 END,
                       CASE ? WHEN '' THEN fy_end WHEN 'H2' THEN fy_end WHEN 'Q4' THEN fy_end
                              WHEN 'H1' THEN fy_start + 181 WHEN 'Q2' THEN fy_start + 181
                              WHEN 'Q1' THEN fy_start + 90 WHEN 'Q3' THEN fy_end - 91 END
                FROM fy""", [year, year, part, part]).fetchone()
            if tuple(found) != tuple(dates):
                raise LoadError(f"{program['id']}: fiscal period {name}: SQL gives {found[0]}..{found[1]}, "
                                f"the loader {dates[0]}..{dates[1]}")


def like_pattern(pattern):
    """SKU pattern (* any run, ? one character) as a SQL LIKE pattern with escape '\\'."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        elif ch in "%_\\":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def sku_match_sql(entries):
    """SQL condition: the line matches one of the product entries (5.2: the SKU matches the
    pattern and booked_on lies within [from, until], whatever the counting date)."""
    conditions = []
    for entry in entries:
        condition = f"sku LIKE {lit(like_pattern(entry['pattern']))} ESCAPE '\\'"
        if entry["from"] is not None:
            condition += f" AND booked_on >= DATE {lit(entry['from'])}"
        if entry["until"] is not None:
            condition += f" AND booked_on <= DATE {lit(entry['until'])}"
        conditions.append(f"({condition})" if len(entries) > 1 and " AND " in condition else condition)
    return " OR ".join(conditions) or "false"


def vip_item_sql(program):
    """SQL CASE giving a booking's subtrack: the first, in document order, with an entry it matches."""
    whens = [f"WHEN {sku_match_sql(sub['entries'])} THEN {lit(sub['path'])}" for sub in program["subtracks"]]
    return "CASE " + " ".join(whens) + " END"


def mdf_item_sql(program, date_column):
    """SQL CASE giving 'q' (qualifying), 'u' (untagged) or NULL for a booking: the rule in force
    is the one with the latest `from` <= counting date (the later one in the document on a tie)."""
    rules = sorted(enumerate(program["rules"]),
                   key=lambda r: (r[1][0] is not None, r[1][0] or 0, r[0]), reverse=True)
    whens = []
    for _, (start, allowed) in rules:
        if allowed == "any":
            outcome = "'q'"
        else:
            listed = ", ".join(lit(u) for u in sorted(allowed)) or "NULL"
            outcome = f"CASE WHEN use IN ({listed}) THEN 'q' WHEN use = '' THEN 'u' END"
        condition = "true" if start is None else f"{date_column} >= DATE {lit(start)}"
        whens.append(f"WHEN {condition} THEN {outcome}")
    return "CASE " + " ".join(whens) + " END"


# --------------------------------------------------------------------------
# Dataset: every file read and checked in DuckDB
# --------------------------------------------------------------------------

def load_small_files(con, data, programs, problems):
    """Reads and checks every file but bookings.csv into temp tables (partners, credentials,
    csat, services, enrollments, products, fx). Returns whether partners.csv was clean."""
    p = lambda name: os.path.join(data, name)  # noqa: E731

    src = csv_source(data, "partners.csv", ["partner_id", "name", "country", "tier"], ["provider"], problems, True)
    if src is None:
        problems.fail_if_any()
    load_table(con, problems, p("partners.csv"), "partners", src, "'partner ' || partner_id", [
        ("partner_id", "partner_id"),
        ("country", "ascii_upper(country)"),
        ("tier", "ascii_lower(tier)"),
        ("provider", "coalesce(to_bool(provider), false)"),
    ], [
        empty("partner_id"),
        ("NOT regexp_full_match(country, '[A-Za-z]{2}')",
         value("country", "expected an ISO 3166-1 alpha-2 country code such as NL")),
        ("ascii_lower(tier) NOT IN ('gold', 'premier', 'select', 'registered')",
         value("tier", "unknown tier (expected gold, premier, select or registered)")),
        ("provider <> '' AND to_bool(provider) IS NULL", value("provider", "expected true or false (also yes/no, 1/0)")),
    ])
    report(con, problems, p("partners.csv"),
           "SELECT 'partner ' || partner_id || ': duplicate partner id (' || count(*) || ' rows)' "
           "FROM partners WHERE partner_id <> '' GROUP BY partner_id HAVING count(*) > 1")
    # As in the engine: with a broken partners.csv, other files do not report unknown partners.
    partners_ok = not problems.has(p("partners.csv"))

    def unknown_partner(path, table):
        if partners_ok:
            report(con, problems, path,
                   f"SELECT 'partner_id: unknown partner ''' || partner_id || ''' (not in partners.csv, ' "
                   f"|| count(*) || ' rows)' FROM {table} WHERE partner_id <> '' "
                   f"AND partner_id NOT IN (SELECT partner_id FROM partners) GROUP BY partner_id")

    src = csv_source(data, "credentials.csv", ["partner_id", "credential", "achieved_on"], ["expires_on"], problems, False)
    load_table(con, problems, p("credentials.csv"), "credentials",
               src or "(SELECT '' partner_id, '' credential, '' achieved_on, '' expires_on WHERE false)",
               "'partner ' || partner_id || ', credential ' || credential", [
                   ("partner_id", "partner_id"), ("credential", "credential"),
                   ("achieved_on", "to_date(achieved_on)"), ("expires_on", "to_date(expires_on)"),
               ], [empty("partner_id"), empty("credential")] + date_checks("achieved_on") + date_checks("expires_on", False) + [
                   ("t_expires_on < t_achieved_on", value("expires_on", "expires before it was achieved")),
               ])
    unknown_partner(p("credentials.csv"), "credentials")
    report(con, problems, p("credentials.csv"),
           "SELECT 'partner ' || partner_id || ': credential ' || credential || ' achieved on ' || achieved_on "
           "|| ' given ' || count(*) || ' times' FROM credentials WHERE problem IS NULL "
           "GROUP BY partner_id, credential, achieved_on HAVING count(*) > 1")

    src = csv_source(data, "csat.csv", ["partner_id", "survey_id", "submitted_on"], [], problems, False)
    load_table(con, problems, p("csat.csv"), "csat",
               src or "(SELECT '' partner_id, '' survey_id, '' submitted_on WHERE false)",
               "'survey ' || survey_id", [
                   ("partner_id", "partner_id"), ("survey_id", "survey_id"), ("submitted_on", "to_date(submitted_on)"),
               ], [empty("partner_id"), empty("survey_id")] + date_checks("submitted_on"))
    unknown_partner(p("csat.csv"), "csat")
    report(con, problems, p("csat.csv"),
           "SELECT 'survey ' || survey_id || ': duplicate survey id (' || count(*) || ' rows)' "
           "FROM csat WHERE survey_id <> '' GROUP BY survey_id HAVING count(*) > 1")

    src = csv_source(data, "services.csv", ["partner_id", "service", "strategic", "active_from"], ["active_until"], problems, False)
    load_table(con, problems, p("services.csv"), "services",
               src or "(SELECT '' partner_id, '' service, '' strategic, '' active_from, '' active_until WHERE false)",
               "'partner ' || partner_id || ', service ' || service", [
                   ("partner_id", "partner_id"), ("service", "service"), ("strategic", "to_bool(strategic)"),
                   ("active_from", "to_date(active_from)"), ("active_until", "to_date(active_until)"),
               ], [empty("partner_id"), empty("service"), empty("strategic"),
                   ("strategic <> '' AND t_strategic IS NULL", value("strategic", "expected true or false (also yes/no, 1/0)")),
                   ] + date_checks("active_from") + date_checks("active_until", False) + [
                   ("t_active_until < t_active_from", value("active_until", "ends before it starts")),
               ])
    unknown_partner(p("services.csv"), "services")
    report(con, problems, p("services.csv"),
           "SELECT 'partner ' || partner_id || ': service ' || service || ' active from ' || active_from "
           "|| ' given ' || count(*) || ' times' FROM services WHERE problem IS NULL "
           "GROUP BY partner_id, service, active_from HAVING count(*) > 1")

    # Enrolments: the program and subtrack must exist (VIP), enrolled_on <= the period end.
    con.execute("CREATE TEMP TABLE known_subtracks (program VARCHAR, kind VARCHAR, subtrack VARCHAR, period_end DATE)")
    for program in programs:
        paths = [s["path"] for s in program["subtracks"]] if program["kind"] == "vip" else [None]
        con.executemany("INSERT INTO known_subtracks VALUES (?, ?, ?, ?)",
                        [(program["id"], program["kind"], path, program["end"]) for path in paths])
    src = csv_source(data, "enrollments.csv", ["partner_id", "program", "subtrack", "enrolled_on"], [], problems, False)
    load_table(con, problems, p("enrollments.csv"), "enrollments",
               src or "(SELECT '' partner_id, '' program, '' subtrack, '' enrolled_on WHERE false)",
               "'partner ' || partner_id || ', ' || program || ' ' || subtrack", [
                   ("partner_id", "partner_id"), ("program", "program"), ("subtrack", "subtrack"),
                   ("enrolled_on", "to_date(enrolled_on)"),
               ], [empty("partner_id"), empty("program"), empty("subtrack")] + date_checks("enrolled_on") + [
                   ("NOT EXISTS (SELECT 1 FROM known_subtracks k WHERE k.program = src.program)",
                    value("program", "unknown program")),
                   ("EXISTS (SELECT 1 FROM known_subtracks k WHERE k.program = src.program AND k.kind = 'mdf')",
                    value("program", "is an MDF program; enrolment is for VIP subtracks")),
                   ("EXISTS (SELECT 1 FROM known_subtracks k WHERE k.program = src.program AND k.kind = 'vip') AND NOT EXISTS "
                    "(SELECT 1 FROM known_subtracks k WHERE k.program = src.program AND k.subtrack = src.subtrack)",
                    value("subtrack", "the program has no such subtrack")),
                   ("t_enrolled_on > (SELECT max(k.period_end) FROM known_subtracks k WHERE k.program = src.program)",
                    value("enrolled_on", "after the end of the program")),
               ])
    unknown_partner(p("enrollments.csv"), "enrollments")
    report(con, problems, p("enrollments.csv"),
           "SELECT 'partner ' || partner_id || ': enrolled in ' || program || ' ' || subtrack || ' ' || count(*) "
           "|| ' times' FROM enrollments WHERE problem IS NULL GROUP BY partner_id, program, subtrack HAVING count(*) > 1")

    # The tier history (formats.md 5.5): a partner's tier from valid_from on.
    src = csv_source(data, "tiers.csv", ["partner_id", "tier", "valid_from"], [], problems, False)
    load_table(con, problems, p("tiers.csv"), "tier_rows",
               src or "(SELECT '' partner_id, '' tier, '' valid_from WHERE false)",
               "'partner ' || partner_id || ' from ' || valid_from", [
                   ("partner_id", "partner_id"), ("tier", "ascii_lower(tier)"), ("valid_from", "to_date(valid_from)"),
               ], [empty("partner_id"), empty("tier"),
                   ("tier <> '' AND ascii_lower(tier) NOT IN ('gold', 'premier', 'select', 'registered')",
                    value("tier", "unknown tier (expected gold, premier, select or registered)")),
                   ] + date_checks("valid_from"))
    unknown_partner(p("tiers.csv"), "tier_rows")
    report(con, problems, p("tiers.csv"),
           "SELECT 'partner ' || partner_id || ': a tier from ' || valid_from || ' is given ' || count(*) || ' times' "
           "FROM tier_rows WHERE problem IS NULL GROUP BY partner_id, valid_from HAVING count(*) > 1")

    src = csv_source(data, "products.csv", ["sku"], ["description", "family"], problems, False)
    if src is not None:
        load_table(con, problems, p("products.csv"), "products", src, "'sku ' || sku",
                   [("sku", "sku")], [empty("sku")])
        report(con, problems, p("products.csv"),
               "SELECT 'sku ' || sku || ': duplicate SKU' FROM products WHERE sku <> '' GROUP BY sku HAVING count(*) > 1")

    src = csv_source(data, "fx.csv", ["currency", "valid_from", "rate"], [], problems, False)
    load_table(con, problems, p("fx.csv"), "fx_rows",
               src or "(SELECT '' currency, '' valid_from, '' rate WHERE false)",
               "currency || ' from ' || valid_from", [
                   ("currency", "ascii_upper(currency)"), ("valid_from", "to_date(valid_from)"),
                   ("rate_micro", "to_micro(rate)"),
               ], [("NOT regexp_full_match(currency, '[A-Za-z]{3}')", value("currency", "expected an ISO 4217 currency code")),
                   ] + date_checks("valid_from") + [
                   ("t_rate_micro IS NULL", value("rate", "expected an exchange rate above 0 with at most 6 decimals")),
               ])
    report(con, problems, p("fx.csv"),
           "SELECT currency || ': a rate from ' || valid_from || ' is given ' || count(*) || ' times' "
           "FROM fx_rows WHERE problem IS NULL GROUP BY currency, valid_from HAVING count(*) > 1")
    con.execute(f"CREATE {STORED}TABLE fx AS SELECT currency, valid_from, rate_micro FROM fx_rows WHERE problem IS NULL")
    return partners_ok


def load_bookings(con, data, problems, partners_ok, stream=False):
    """booking_lines: bookings.csv as typed columns plus `problem` (for the checks), and
    booking_values: the values the sums need, once every line passed the checks.

    By default booking_lines is an in-memory table (a table of the database file with
    --step load): the file is parsed and checked once, and booking_values is a view of that table. With stream=True both are views over the file
    itself: every query over them streams the file again (less memory, more time), and
    booking_values uses plain casts instead of the checking expressions.
    Returns the SQL of the raw source (for re-reading the keys)."""
    src = csv_source(data, "bookings.csv",
                     ["order_id", "line", "partner_id", "booked_on", "sku", "amount", "currency"],
                     ["shipped_on", "quantity", "intended_use"], problems, True)
    if src is None:
        return None
    checks = [
        empty("order_id"), empty("line"), empty("partner_id"),
        *date_checks("booked_on"), *date_checks("shipped_on", False),
        empty("sku"),
        ("quantity <> '' AND NOT is_number(quantity)", value("quantity", "expected a number")),
        ("t_cents IS NULL", value("amount", "expected an amount: a decimal with '.' as separator and "
                                            "at most 2 decimals, within 10^13")),
        ("NOT regexp_full_match(currency, '[A-Za-z]{3}')", value("currency", "expected an ISO 4217 currency code")),
    ]
    if partners_ok:  # as in the engine: with a broken partners.csv, unknown partners are not reported
        checks.append(("partner_id <> '' AND partner_id NOT IN (SELECT partner_id FROM partners)",
                       value("partner_id", "unknown partner (not in partners.csv)")))
    kind = "TEMP VIEW" if stream else f"{STORED}TABLE"
    con.execute(f"CREATE {kind} booking_lines AS " + checked_select(
        src, "'order ' || order_id || ', line ' || line", [
            # the key (order_id, line) is only kept as a 64-bit hash, like the engine's fingerprint
            ("key_hash", "CASE WHEN order_id <> '' AND line <> '' THEN hash(order_id, line) END"),
            ("partner_id", "partner_id"),
            ("booked_on", "to_date(booked_on)"),
            ("shipped_on", "to_date(shipped_on)"),
            ("sku", "sku"),
            ("cents", "to_cents(amount)"),
            ("currency", "ascii_upper(currency)"),
            ("use", "norm_use(intended_use)"),
        ], checks))
    if not stream:
        con.execute("CREATE TEMP VIEW booking_values AS SELECT * FROM booking_lines")
        return src
    # Every line has passed the checks when this one is used: no regular expressions needed.
    con.execute(f"""
        CREATE TEMP VIEW booking_values AS
        SELECT partner_id, CAST(booked_on AS DATE) AS booked_on, CAST(nullif(shipped_on, '') AS DATE) AS shipped_on,
               sku, CAST(CAST(amount AS DECIMAL(18,2)) * 100 AS BIGINT) AS cents, upper(currency) AS currency,
               norm_use(intended_use) AS use
        FROM {src}""")
    return src


def check_bookings(con, data, problems, src):
    """One pass over bookings.csv: rows failing a check, duplicate keys, SKUs not in the catalogue."""
    path = os.path.join(data, "bookings.csv")
    # Two groupings of one scan: by key hash (a hash seen twice is a suspected duplicate) and
    # by SKU (few groups, for the catalogue warning).
    groups = con.execute("""
        SELECT grouping(sku) = 0 AS by_sku, key_hash, sku, count(*) AS lines, count(problem) AS bad
        FROM booking_lines
        GROUP BY GROUPING SETS ((key_hash), (sku))
        HAVING grouping(sku) = 0 OR count(*) > 1 OR count(problem) > 0
    """).fetchall()
    bad = sum(n_bad for by_sku, _, _, _, n_bad in groups if not by_sku)
    if bad:
        problems.add_rows(path, con.execute(
            f"SELECT problem FROM booking_lines WHERE problem IS NOT NULL LIMIT {MAX_PROBLEMS}").fetchall(), bad)

    # Duplicate (order_id, line): the suspects are confirmed on the text of the key by
    # re-reading the file (a hash collision is not a duplicate).
    suspects = [key for by_sku, key, _, lines, _ in groups if not by_sku and key is not None and lines > 1]
    if suspects:
        con.execute("CREATE TEMP TABLE suspects AS SELECT unnest(?::UBIGINT[]) AS key_hash", [suspects])
        report(con, problems, path,
               f"SELECT 'order ' || order_id || ', line ' || line || ': duplicate order line (' || count(*) || ' rows)' "
               f"FROM {src} WHERE order_id <> '' AND line <> '' AND hash(order_id, line) IN (SELECT key_hash FROM suspects) "
               f"GROUP BY order_id, line HAVING count(*) > 1")

    # A SKU missing from products.csv is a warning only.
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'products'").fetchone()[0]:
        catalogue = {sku for sku, in con.execute("SELECT sku FROM products").fetchall()}
        missing = [(sku, lines) for by_sku, _, sku, lines, _ in groups if by_sku and sku and sku not in catalogue]
        if missing:
            print(f"{path}: warning: {sum(n for _, n in missing)} lines with {len(missing)} SKUs not in "
                  f"products.csv (e.g. {missing[0][0]})", file=sys.stderr)


def date_column(program):
    return "shipped_on" if program["count_by"] == "shipped_on" else "booked_on"


def windows(program):
    """(start, end) of every window whose lines the program needs: its period, then the baseline
    periods of its growth subtracks."""
    found = [(program["start"], program["end"])]
    for sub in program.get("subtracks", []):
        if sub["baseline"] is not None and sub["baseline"] not in found:
            found.append(sub["baseline"])
    return found


def between(column, window):
    return f"{column} BETWEEN DATE {lit(window[0])} AND DATE {lit(window[1])}"


def volumes_sql(programs, cutoffs):
    """One query over booking_values giving (program, partner_id, item, kind, cents, missing_rates)
    for every program: each line is converted on its own with the rate in force on its counting
    date, rounded half to even to cents, then summed per (program, partner, item, kind).

    kind 'q': the in-period lines of the item (VIP subtrack path; MDF 'q' qualifying, 'u'
    untagged); 'a': a VIP subtrack's attach volume (in-period lines matching its attach_bonus
    products, whatever their subtrack); 'b': the lines of a growth subtrack in its baseline period.
    With cutoffs (late enrolments, 5.3), 'q' and 'a' lines dated before the enrolment are left out."""
    currency = lit(programs[0]["currency"])  # one currency for all (load_programs checks it)
    dates = sorted({date_column(p) for p in programs})
    joins, converted = [], []
    for date in dates:
        joins.append(f"LEFT JOIN fx_days fx_{date} ON fx_{date}.currency = l.currency AND fx_{date}.day = l.{date}")
        converted.append(
            f"CASE WHEN l.currency = {currency} THEN l.cents "
            f"ELSE convert_cents(l.cents, fx_{date}.rate_micro) END AS cents_{date}")
    items, entries = [], []

    def entry(program, item, kind, date, day=True):
        return (f"{{'program': {lit(program['id'])}, 'item': {item}, 'kind': '{kind}', 'cents': cents_{date}, "
                f"'day': {date if day else 'CAST(NULL AS DATE)'}}}")
    for number, program in enumerate(programs):
        date = date_column(program)
        period = between(date, (program["start"], program["end"]))
        if program["kind"] == "mdf":
            entries.append(f"CASE WHEN {period} THEN {entry(program, mdf_item_sql(program, date), 'q', date)} END")
            continue
        item = f"item_{number}"
        items.append(f"{vip_item_sql(program)} AS {item}")
        entries.append(f"CASE WHEN {period} THEN {entry(program, item, 'q', date)} END")
        for sub in program["subtracks"]:
            if sub["attach"] is not None:
                entries.append(f"CASE WHEN {period} AND ({sku_match_sql(sub['attach']['patterns'])}) "
                               f"THEN {entry(program, lit(sub['path']), 'a', date)} END")
            if sub["baseline"] is not None:
                entries.append(f"CASE WHEN {between(date, sub['baseline'])} AND {item} = {lit(sub['path'])} "
                               f"THEN {entry(program, lit(sub['path']), 'b', date, day=False)} END")
    cut_join = cut_where = ""
    if cutoffs:
        cut_join = "LEFT JOIN cutoffs c ON c.program = n.program AND c.partner_id = n.partner_id AND c.item = n.item"
        cut_where = "AND (n.kind = 'b' OR c.from_day IS NULL OR n.day >= c.from_day)"
    return f"""
        WITH converted AS (
            -- lines in another currency: the rate of the day from fx_days (a hash join);
            -- cents_<date> is NULL when that rate is missing
            SELECT l.partner_id, l.sku, l.use, l.booked_on, l.shipped_on, {", ".join(converted)}
            FROM booking_values l {" ".join(joins)}
        ), assigned AS (
            -- the subtrack of each line in each VIP program
            SELECT *{"".join(", " + i for i in items)} FROM converted
        ), per_program AS (
            -- one entry per (program, kind) the line counts for
            SELECT partner_id, unnest([{", ".join(entries)}]) AS e FROM assigned
        ), entries AS (
            SELECT partner_id, e.program, e.item, e.kind, e.cents, e.day FROM per_program WHERE e IS NOT NULL
        )
        SELECT n.program, n.partner_id, n.item, n.kind, sum(n.cents) AS cents, count(*) - count(n.cents) AS missing_rates
        FROM entries n {cut_join}
        WHERE true {cut_where}
        GROUP BY ALL
    """


def compute_volumes(con, programs, problems, data):
    """CREATE TEMP TABLE volumes (program, partner_id, item, kind, cents): see volumes_sql; lines
    of no subtrack or no rule in force are left out. Missing fx rates are reported."""
    # fx_days: the rate in force on every day of every window, per currency (the fx row with the
    # latest valid_from <= that day); days before a currency's first rate are absent.
    periods = ", ".join(f"(DATE {lit(w[0])}, DATE {lit(w[1])})" for p in programs for w in windows(p))
    con.execute(f"""
        CREATE TEMP TABLE fx_days AS
        WITH days AS (
            SELECT DISTINCT c.currency, CAST(unnest(generate_series(p.s, p.e, INTERVAL 1 DAY)) AS DATE) AS day
            FROM (SELECT DISTINCT currency FROM fx) c, (VALUES {periods}) p(s, e)
        )
        SELECT d.currency, d.day, fx.rate_micro
        FROM days d ASOF JOIN fx ON d.currency = fx.currency AND d.day >= fx.valid_from
    """)
    # Late enrolments (5.3): the subtrack counts only lines dated on or after enrolled_on.
    con.execute("CREATE TEMP TABLE cutoffs (program VARCHAR, partner_id VARCHAR, item VARCHAR, from_day DATE)")
    for program in programs:
        if program["kind"] == "vip" and program["full_credit_until"] is not None:
            con.execute(f"""
                INSERT INTO cutoffs SELECT program, partner_id, subtrack, enrolled_on FROM enrollments
                WHERE problem IS NULL AND program = {lit(program['id'])}
                  AND enrolled_on > DATE {lit(program['full_credit_until'])}""")
    cutoffs = con.execute("SELECT count(*) FROM cutoffs").fetchone()[0] > 0
    # DuckDB estimates a read_csv without auto-detection at a few dozen rows, and would then
    # build the join hash tables on the booking lines instead of on fx_days.
    con.execute("SET disabled_optimizers = 'build_side_probe_side'")
    con.execute(f"CREATE TEMP TABLE volume_rows AS {volumes_sql(programs, cutoffs)}")
    con.execute("RESET disabled_optimizers")
    con.execute("CREATE TEMP TABLE volumes AS SELECT program, partner_id, item, kind, cents FROM volume_rows "
                "WHERE item IS NOT NULL AND cents IS NOT NULL")
    if con.execute("SELECT sum(missing_rates) FROM volume_rows").fetchone()[0]:
        for program in programs:
            date = date_column(program)
            for window in windows(program):
                report(con, problems, os.path.join(data, "bookings.csv"), f"""
                    SELECT 'no fx rate for ' || currency || ' on ' || {date} || ' (needed by {program['id']}; '
                           || count(*) || ' lines)'
                    FROM booking_lines b
                    WHERE {between(date, window)}
                      AND currency <> {lit(program['currency'])}
                      AND NOT EXISTS (SELECT 1 FROM fx WHERE fx.currency = b.currency AND fx.valid_from <= b.{date})
                    GROUP BY currency, {date} ORDER BY currency, {date}""")


# --------------------------------------------------------------------------
# Rules per partner (SQL on the small tables; program constants from Python)
# --------------------------------------------------------------------------

def percent_micro(percent):
    """A percent (at most 4 decimals) as the fraction it takes, in millionths: 6.5 -> 65000."""
    scaled = percent * 10000
    if scaled != scaled.to_integral_value():
        raise LoadError(f"percent {percent} has more than 4 decimals")
    return int(scaled)


def program_tables(con, programs):
    """The program definitions as tables: items (VIP subtracks and MDF tiers) and thresholds,
    the minimum volume of every item for every partner country (reference.minimum_for)."""
    countries = [c for c, in con.execute("SELECT DISTINCT country FROM partners").fetchall()]
    con.execute("CREATE TEMP TABLE items (program VARCHAR, item VARCHAR, percent_micro BIGINT, "
                "requires_all VARCHAR[], requires_any VARCHAR[], strategic BOOLEAN)")
    con.execute("CREATE TEMP TABLE thresholds (program VARCHAR, item VARCHAR, country VARCHAR, cents BIGINT)")
    items, thresholds = [], []
    for program in programs:
        if program["kind"] == "vip":  # (the percents of a VIP subtrack are in rebate_sql)
            rules = [(sub["path"], ref.Decimal(0), sub["requires_all"], sub["requires_any"], False, sub)
                     for sub in program["subtracks"]]
        else:
            rules = [(tier, rule["percent"], [], [], rule["strategic"], rule) for tier, rule in program["tiers"].items()]
        for item, percent, requires_all, requires_any, strategic, rule in rules:
            items.append((program["id"], item, percent_micro(percent), requires_all, requires_any, strategic))
            thresholds += [(program["id"], item, c, ref.minimum_for(rule["minimum_volume"], c)) for c in countries]
    if items:
        con.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)", items)
    if thresholds:
        con.executemany("INSERT INTO thresholds VALUES (?, ?, ?, ?)", thresholds)


def tier_sql(day):
    """SQL table (partner_id, country, tier): every partner with the tier in force on `day`
    (formats.md 5.5: the tiers.csv row with the latest valid_from <= day, else partners.csv)."""
    return f"""(
        SELECT p.partner_id, p.country, coalesce(h.tier, p.tier) AS tier, p.provider
        FROM partners p LEFT JOIN (
            SELECT partner_id, arg_max(tier, valid_from) AS tier FROM tier_rows
            WHERE problem IS NULL AND valid_from <= {day} GROUP BY partner_id
        ) h ON h.partner_id = p.partner_id)"""


def case_by_item(values, default="0"):
    """CASE item WHEN path THEN expression ... END over (path, SQL) pairs."""
    whens = " ".join(f"WHEN {lit(path)} THEN {expression}" for path, expression in values)
    return f"CASE item {whens} ELSE {default} END" if whens else default


def base_sql(program, sub):
    """The base a subtrack's rate applies to (5.4), on the columns volume, threshold, baseline_sum."""
    if sub["base"] == "above_minimum":
        return "(volume - threshold)"
    if sub["base"] == "growth":
        first, last = sub["baseline"]
        period_days, baseline_days = ref.days(program["start"], program["end"]), ref.days(first, last)
        # round(sum x days(period) / days(baseline)) half to even; a negative baseline counts as 0
        return (f"(volume - greatest(0, CAST(div_half_even(CAST(baseline_sum AS HUGEINT) * {period_days}, "
                f"{baseline_days}) AS BIGINT)))")
    return "volume"


def bonus_sql(sub):
    """The attach bonus in millionths (5.4): the percent of the last band with
    100 x attach >= from_percent x volume (exact, in integers); 0 for a volume of 0 or less."""
    if sub["attach"] is None:
        return "0"
    whens = " ".join(
        f"WHEN CAST(attach AS HUGEINT) * 1000000 >= CAST(volume AS HUGEINT) * {percent_micro(start)} "
        f"THEN {percent_micro(percent)}"
        for start, percent in reversed(sub["attach"]["bands"]))
    return f"CASE WHEN volume <= 0 THEN 0 {whens} ELSE 0 END"


def rebate_sql(sub):
    """What the subtrack pays when eligible (its missed amount when not), on the columns base,
    bonus (millionths) and tier: min(cap, round(sum of slice x percent / 100)), the sum in
    128-bit integers (cents x millionths), rounded once half to even."""
    if sub["tiers"] is None:
        table = sub["percent"]
        whens = " ".join(f"WHEN {lit(t)} THEN {percent_micro(p)}" for t, p in sorted(table.items()) if t != "default")
        percent = f"CASE tier {whens} ELSE {percent_micro(table['default'])} END" if whens else str(
            percent_micro(table["default"]))
        total = f"CAST(base AS HUGEINT) * ({percent} + bonus)"
    elif sub["method"] == "retroactive":  # the percent of the last tier reached, on the whole base
        whens = " ".join(f"WHEN base >= {start} THEN {percent_micro(p)}" for start, p in reversed(sub["tiers"]))
        total = f"CAST(base AS HUGEINT) * (CASE {whens} END + bonus)"
    else:  # marginal: each slice between consecutive froms at its own percent
        slices = []
        for number, (start, percent) in enumerate(sub["tiers"]):
            top = "base" if number + 1 == len(sub["tiers"]) else f"least(base, {sub['tiers'][number + 1][0]})"
            slices.append(f"CAST(greatest(0, {top} - {start}) AS HUGEINT) * ({percent_micro(percent)} + bonus)")
        total = " + ".join(slices)
    rebate = f"CAST(div_half_even({total}, 1000000) AS BIGINT)"
    if sub["cap"] is not None:
        rebate = f"least({sub['cap']}, {rebate})"
    return f"CASE WHEN base > 0 THEN {rebate} ELSE 0 END"


def vip_sql(program):
    """The result rows of a VIP instance (formats.md section 2, steps 1-5, and section 5)."""
    pid, start, end = lit(program["id"]), f"DATE {lit(program['start'])}", f"DATE {lit(program['end'])}"
    tiers = "[" + ", ".join(lit(t) for t in sorted(program["eligible_tiers"])) + "]::VARCHAR[]"
    csat = int(program["csat_required"])
    deadline = "e.enrolled_on" if program["deadline"] == "enrollment" else end
    subs = program["subtracks"]
    return f"""
        WITH enrolled AS (              -- step 1: the partner's enrolled subtracks, tier on the last day
            SELECT e.partner_id, e.subtrack AS item, e.enrolled_on, p.country, p.tier
            FROM enrollments e JOIN {tier_sql(end)} p ON p.partner_id = e.partner_id
            WHERE e.program = {pid}
        ), reports AS (                 -- step 2: CSAT reports submitted within the period
            SELECT partner_id, count(*) AS found FROM csat
            WHERE submitted_on BETWEEN {start} AND {end} GROUP BY partner_id
        ), held AS (                    -- step 3: credentials valid on the deadline
            SELECT e.partner_id, e.item, list(c.credential) AS credentials
            FROM enrolled e JOIN credentials c ON c.partner_id = e.partner_id
            WHERE c.achieved_on <= {deadline} AND (c.expires_on IS NULL OR {deadline} <= c.expires_on)
            GROUP BY e.partner_id, e.item
        ), checked AS (                 -- steps 2-4, the failed checks in the order of decisions.md
            SELECT e.partner_id, e.item, e.tier, volume, threshold, attach, baseline_sum, concat_ws(';',
                CASE WHEN NOT list_contains({tiers}, e.tier) THEN 'tier:' || e.tier END,
                CASE WHEN found < {csat} THEN 'csat:' || found || '/{csat}' END,
                nullif(array_to_string(list_transform(
                    list_filter(i.requires_all, lambda c: NOT list_contains(credentials, c)),
                    lambda c: 'credential:' || c), ';'), ''),
                CASE WHEN len(i.requires_any) > 0 AND NOT list_has_any(credentials, i.requires_any)
                     THEN 'credential:' || array_to_string(i.requires_any, '|') END,
                CASE WHEN volume < threshold THEN 'volume:' || money(volume) || '<' || money(threshold) END
            ) AS reasons
            FROM (
                SELECT e.*, coalesce(r.found, 0) AS found, coalesce(h.credentials, []::VARCHAR[]) AS credentials,
                       coalesce(v.cents, 0) AS volume, coalesce(t.cents, 0) AS threshold,
                       coalesce(a.cents, 0) AS attach, coalesce(b.cents, 0) AS baseline_sum
                FROM enrolled e
                LEFT JOIN reports r ON r.partner_id = e.partner_id
                LEFT JOIN held h ON h.partner_id = e.partner_id AND h.item = e.item
                LEFT JOIN volumes v ON v.program = {pid} AND v.partner_id = e.partner_id AND v.item = e.item AND v.kind = 'q'
                LEFT JOIN volumes a ON a.program = {pid} AND a.partner_id = e.partner_id AND a.item = e.item AND a.kind = 'a'
                LEFT JOIN volumes b ON b.program = {pid} AND b.partner_id = e.partner_id AND b.item = e.item AND b.kind = 'b'
                LEFT JOIN thresholds t ON t.program = {pid} AND t.item = e.item AND t.country = e.country
            ) e
            JOIN items i ON i.program = {pid} AND i.item = e.item
        ), based AS (                   -- the base (5.4) and the attach bonus in millionths
            SELECT *, {case_by_item([(s["path"], base_sql(program, s)) for s in subs])} AS base,
                      {case_by_item([(s["path"], bonus_sql(s)) for s in subs if s["attach"] is not None])} AS bonus
            FROM checked
        ), paid AS (                    -- what the subtrack pays at this volume (5.4)
            SELECT *, {case_by_item([(s["path"], rebate_sql(s)) for s in subs])} AS rebate FROM based
        )
        -- step 5: the rebate when eligible, else the missed amount
        SELECT {pid} AS program, 'vip' AS kind, partner_id, item, volume, threshold, reasons = '' AS eligible,
               CASE WHEN reasons = '' THEN rebate ELSE 0 END AS amount,
               CASE WHEN reasons <> '' THEN rebate ELSE 0 END AS missed,
               reasons
        FROM paid"""


def mdf_sql(program):
    """The result rows of an MDF program (formats.md section 2, steps 1-5)."""
    pid, start, end = lit(program["id"]), f"DATE {lit(program['start'])}", f"DATE {lit(program['end'])}"

    def accrual(volume):  # step 4, with every check of step 3 evaluated on that volume
        return (f"CASE WHEN {volume} >= threshold AND (NOT needs_strategic OR has_strategic) AND {volume} > 0 "
                f"THEN convert_cents({volume}, percent_micro) ELSE 0 END")
    return f"""
        WITH strategic AS (             -- a strategic service active at some time in the period
            SELECT DISTINCT partner_id FROM services
            WHERE strategic AND active_from <= {end} AND (active_until IS NULL OR active_until >= {start})
        ), taking_part AS (             -- providers whose tier is listed, with steps 1-2 summed
            SELECT p.partner_id, p.tier AS item, i.percent_micro, i.strategic AS needs_strategic,
                   s.partner_id IS NOT NULL AS has_strategic, coalesce(t.cents, 0) AS threshold,
                   coalesce(q.cents, 0) AS qualifying, coalesce(u.cents, 0) AS untagged
            FROM {tier_sql(end)} p      -- the tier on the period's last day (5.5)
            JOIN items i ON i.program = {pid} AND i.item = p.tier
            LEFT JOIN thresholds t ON t.program = {pid} AND t.item = p.tier AND t.country = p.country
            LEFT JOIN volumes q ON q.program = {pid} AND q.partner_id = p.partner_id AND q.item = 'q' AND q.kind = 'q'
            LEFT JOIN volumes u ON u.program = {pid} AND u.partner_id = p.partner_id AND u.item = 'u' AND u.kind = 'q'
            LEFT JOIN strategic s ON s.partner_id = p.partner_id
            WHERE p.provider
        )
        SELECT {pid} AS program, 'mdf' AS kind, partner_id, item, qualifying AS volume, threshold,
               reasons = '' AS eligible, {accrual('qualifying')} AS amount,
               greatest(0, {accrual('qualifying + untagged')} - {accrual('qualifying')}) AS missed, reasons
        FROM (
            SELECT *, concat_ws(';',
                CASE WHEN qualifying < threshold THEN 'volume:' || money(qualifying) || '<' || money(threshold) END,
                CASE WHEN needs_strategic AND NOT has_strategic THEN 'strategic_service:none' END) AS reasons
            FROM taking_part
        )"""


def results_csv(con, programs):
    """The results CSV (formats.md section 4) as one string, rows sorted by the bytes of
    program id, partner id and item (DuckDB compares text byte by byte)."""
    header = "program,kind,partner_id,item,qualifying_volume,threshold,eligible,amount,missed_amount,reasons\n"
    if not programs:
        return header
    program_tables(con, programs)
    rows = " UNION ALL ".join(f"({vip_sql(p) if p['kind'] == 'vip' else mdf_sql(p)})" for p in programs)
    body = con.execute(f"""
        SELECT string_agg(
            csv_text(program) || ',' || kind || ',' || csv_text(partner_id) || ',' || csv_text(item) || ','
            || money(volume) || ',' || money(threshold) || ',' || CASE WHEN eligible THEN 'true' ELSE 'false' END
            || ',' || money(amount) || ',' || money(missed) || ',' || csv_text(reasons) || chr(10),
            '' ORDER BY program, partner_id, item)
        FROM ({rows})""").fetchone()[0]
    return header + (body or "")


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def programs_digest(directory):
    """SHA-256 over the names and bytes of the program files load_programs reads."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path) and (name.endswith(".yaml") or name.endswith(".yml")):
            with open(path, "rb") as handle:
                content = handle.read()
            digest.update(f"{name}\0{len(content)}\0".encode("utf-8") + content)
    return digest.hexdigest()


def connect(database, read_only, threads):
    con = duckdb.connect(database, read_only=read_only) if database else duckdb.connect()  # in memory
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {threads}")
    # (in a database file the macros are TEMP: nothing but the dataset is stored)
    con.execute(MACROS.replace("CREATE MACRO", "CREATE TEMP MACRO") if database else MACROS)
    return con


def load_step(args, phase):
    """--database FILE --step load: the dataset checked into the tables of a new database file."""
    global STORED
    STORED = ""
    if os.path.exists(args.database):
        print(f"error: {args.database} exists; --step load makes a new database file", file=sys.stderr)
        return 1
    try:
        programs = load_programs(args.programs)
    except (LoadError, KeyError, TypeError, ValueError, yaml.YAMLError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    partial = args.database + ".loading"
    leftovers = [partial, partial + ".wal"]

    def remove_partial():
        for path in leftovers:
            if os.path.exists(path):
                os.remove(path)
    remove_partial()  # (of an earlier load that was killed)
    con = connect(partial, False, args.threads)
    problems = Problems()
    try:
        check_fiscal_periods(con, programs)
        partners_ok = load_small_files(con, args.data, programs, problems)
        phase("small files read and checked")
        src = load_bookings(con, args.data, problems, partners_ok)
        problems.fail_if_any()
        check_bookings(con, args.data, problems, src)
        problems.fail_if_any()
        phase("bookings read and checked")
        con.execute("CREATE TABLE bench_meta (data VARCHAR, programs VARCHAR, programs_digest VARCHAR, "
                    "loaded_at TIMESTAMP DEFAULT current_timestamp)")
        con.execute("INSERT INTO bench_meta (data, programs, programs_digest) VALUES (?, ?, ?)",
                    [os.path.abspath(args.data), os.path.abspath(args.programs), programs_digest(args.programs)])
        lines = con.execute("SELECT count(*) FROM booking_lines").fetchone()[0]
        con.close()  # (checkpoints: everything is in the file)
        phase("database file written")
        os.replace(partial, args.database)
    except BaseException as error:  # a problem (SystemExit), a DuckDB error, an interrupt: no file
        con.close()
        remove_partial()
        if isinstance(error, (duckdb.Error, LoadError)):
            print(f"error: {error}", file=sys.stderr)
            return 1
        raise
    print(f"{args.database}: {lines} booking lines loaded")
    return 0


def query_step(args, phase):
    """--database FILE --step query: the results from the stored tables (read-only)."""
    if not os.path.isfile(args.database):
        print(f"error: {args.database}: no such database file (make it with --step load)", file=sys.stderr)
        return 1
    try:
        con = connect(args.database, True, args.threads)
        data, stored_programs, digest = con.execute(
            "SELECT data, programs, programs_digest FROM bench_meta").fetchone()
        directory = args.programs or stored_programs
        if programs_digest(directory) != digest:
            print(f"error: the programs in {directory} are not those {args.database} was loaded with "
                  f"({stored_programs})", file=sys.stderr)
            return 1
        programs = load_programs(directory)
        problems = Problems()
        check_fiscal_periods(con, programs)
        con.execute("CREATE TEMP VIEW booking_values AS SELECT * FROM booking_lines")
        phase("database opened")
        if programs:
            compute_volumes(con, programs, problems, data)
            problems.fail_if_any()
        phase("volumes per program, partner and item")
        text = results_csv(con, programs)
        phase("rules evaluated")
    except (duckdb.Error, LoadError, KeyError, TypeError, ValueError, yaml.YAMLError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(text.encode("utf-8"))
    phase("results written")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--programs")
    parser.add_argument("--database", metavar="FILE", help="a DuckDB database file (with --step)")
    parser.add_argument("--step", choices=["load", "query"],
                        help="load: the dataset into a new database file; query: the results from it")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: DuckDB's, one per core)")
    parser.add_argument("--timing", action="store_true", help="print the time of each phase on stderr")
    parser.add_argument("--stream", action="store_true",
                        help="read bookings.csv twice (checks, then sums) instead of loading it into a table")
    args = parser.parse_args(argv)
    started = time.monotonic()

    def phase(name):
        if args.timing:
            print(f"{time.monotonic() - started:7.2f} s  {name}", file=sys.stderr)

    if args.database or args.step:
        if not (args.database and args.step):
            parser.error("--database and --step go together")
        if args.stream:
            parser.error("--stream is for the in-memory computation only")
        if args.step == "load":
            missing = [name for name, given in (("--data", args.data), ("--programs", args.programs)) if not given]
            if missing:
                parser.error("--step load needs " + " and ".join(missing))
            return load_step(args, phase)
        if args.data:
            parser.error("--step query reads the database, not --data")
        return query_step(args, phase)
    missing = [name for name, given in (("--data", args.data), ("--programs", args.programs)) if not given]
    if missing:
        parser.error("the following arguments are required: " + ", ".join(missing))

    try:
        programs = load_programs(args.programs)
    except (LoadError, KeyError, TypeError, ValueError, yaml.YAMLError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    con = connect(None, False, args.threads)  # in memory

    problems = Problems()
    try:
        check_fiscal_periods(con, programs)
        partners_ok = load_small_files(con, args.data, programs, problems)
        phase("small files read and checked")
        src = load_bookings(con, args.data, problems, partners_ok, args.stream)
        problems.fail_if_any()
        check_bookings(con, args.data, problems, src)
        problems.fail_if_any()
        phase("bookings read and checked")
        if programs:
            compute_volumes(con, programs, problems, args.data)
            problems.fail_if_any()
        phase("volumes per program, partner and item")
        text = results_csv(con, programs)
        phase("rules evaluated")
    except duckdb.Error as error:  # unreadable CSV (unterminated quote, wrong field count, bad UTF-8...)
        print(f"error: {error}", file=sys.stderr)
        return 1
    except LoadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    sys.stdout.buffer.write(text.encode("utf-8"))
    phase("results written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
