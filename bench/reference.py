#!/usr/bin/env python3
"""Independent reference implementation of the results CSV (formats.md section 4), rules v1 and v2.

    python3 bench/reference.py --data DIR --programs DIR [--program ID ...]

Prints exactly what `incentives compute --format csv` should print, so the two
can be compared with `diff`. Written for clarity, not speed: it follows
shared/spec/formats.md and docs/decisions.md step by step and shares no code
with the Swift engine.

It assumes the input is valid (the Swift loader's job is to reject bad input);
on input it cannot make sense of it simply fails with a Python exception.

Arithmetic: money is integer cents, percents and rates are decimal.Decimal,
rounding is half-even to cents, applied once per subtrack / partner total
(and once per line for currency conversion). No float anywhere.

Rules v2 (formats.md section 5): fiscal period names, dated product entries,
full_credit_enrollment_until, rebate_percent by tier, rebate_tiers (retroactive
or marginal), rebate_base (all, above_minimum, growth with a baseline),
attach_bonus, cap, and the tier history of tiers.csv. Where section 5 is
silent, the reading taken is written in bench/README.md ("Rules v2").
"""

import argparse
import csv
import datetime
import decimal
import os
import re
import sys
from decimal import Decimal, ROUND_HALF_EVEN

import yaml

decimal.getcontext().prec = 50
decimal.getcontext().rounding = ROUND_HALF_EVEN

TIERS = ("gold", "premier", "select", "registered")


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def trim(text):
    """Every field is trimmed of surrounding spaces and tabs (decisions.md)."""
    return text.strip(" \t")


def ascii_lower(text):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def ascii_upper(text):
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in text)


def parse_date(text):
    return datetime.date.fromisoformat(trim(str(text)))


def parse_bool(text):
    value = ascii_lower(trim(str(text)))
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def parse_cents(text):
    """A money amount (at most 2 decimals) as integer cents."""
    value = Decimal(trim(str(text))) * 100
    if value != value.to_integral_value():
        raise ValueError(f"more than 2 decimals: {text!r}")
    return int(value)


def round_cents(value):
    """Round a Decimal number of cents to whole cents, half to even."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def percent_of(cents, percent):
    """round(volume x percent / 100), volume in cents -> cents."""
    return round_cents(Decimal(cents) * percent / Decimal(100))


def format_money(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def normalise_use(text):
    """intended_use: trimmed, ASCII lower-cased, spaces and hyphens -> '_'."""
    return ascii_lower(trim(text)).replace(" ", "_").replace("-", "_")


def sku_pattern(pattern):
    """SKU pattern: '*' any run (also empty), '?' exactly one character, full match."""
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


PLAIN_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?")


def neutralised(text):
    """A leading ' for text a spreadsheet would run as a formula (docs/decisions.md, "Results")."""
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not PLAIN_NUMBER.fullmatch(text)):
        return "'" + text
    return text


def csv_field(text):
    text = neutralised(text)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def utf8_key(text):
    return text.encode("utf-8")


# --------------------------------------------------------------------------
# Fiscal periods (formats.md 5.1)
# --------------------------------------------------------------------------

FISCAL_NAME = re.compile(r"[Ff][Yy]([0-9]{2}|[0-9]{4})(?:-([HhQq])([1-4]))?")
ONE_DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


def fiscal_year_end(year):
    """Cisco's fiscal year `year` ends on the last Saturday of July of that calendar year."""
    day = datetime.date(year, 7, 31)
    return day - datetime.timedelta(days=(day.weekday() - 5) % 7)  # weekday(): Saturday = 5


def fiscal_period(name):
    """FY15, FY15-H1, FY15-H2, FY15-Q1..Q4 (also FY2015-..., any letter case) -> (start, end)."""
    match = FISCAL_NAME.fullmatch(trim(str(name)))
    if not match or (match.group(2) in ("H", "h") and match.group(3) not in ("1", "2")):
        raise ValueError(f"not a period: {name!r} (expected {{start, end}} or a fiscal name such as FY15-H2)")
    year = int(match.group(1))
    if len(match.group(1)) == 2:
        year += 2000
    start = fiscal_year_end(year - 1) + ONE_DAY
    end = fiscal_year_end(year)
    if match.group(2) is None:
        return start, end
    part = match.group(2).upper() + match.group(3)
    return {
        "H1": (start, start + 26 * WEEK - ONE_DAY),
        "H2": (start + 26 * WEEK, end),
        "Q1": (start, start + 13 * WEEK - ONE_DAY),
        "Q2": (start + 13 * WEEK, start + 26 * WEEK - ONE_DAY),
        "Q3": (start + 26 * WEEK, end - 13 * WEEK),
        "Q4": (end - 13 * WEEK + ONE_DAY, end),
    }[part]


def parse_period(value):
    """`period` (or `baseline.period`): {start, end} or a fiscal name -> (start, end)."""
    if isinstance(value, dict):
        return parse_date(value["start"]), parse_date(value["end"])
    return fiscal_period(value)


def days(start, end):
    """Calendar days of a period, both ends included."""
    return (end - start).days + 1


# --------------------------------------------------------------------------
# Dataset (CSV files)
# --------------------------------------------------------------------------

def read_table(directory, name, required):
    """Rows of a CSV file as dicts of trimmed fields; [] for a missing optional file."""
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        if required:
            raise FileNotFoundError(path)
        return []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = None
        rows = []
        for record in reader:
            if not record:  # blank line
                continue
            fields = [trim(f) for f in record]
            if header is None:
                header = fields
                continue
            if len(fields) != len(header):
                raise ValueError(f"{path}:{reader.line_num}: field count")
            rows.append(dict(zip(header, fields)))
        return rows


class Dataset:
    def __init__(self, directory):
        self.partners = {}
        for row in read_table(directory, "partners.csv", True):
            self.partners[row["partner_id"]] = {
                "id": row["partner_id"],
                "country": ascii_upper(row["country"]),
                "tier": ascii_lower(row["tier"]),
                "provider": parse_bool(row.get("provider", "")),
            }

        # partner -> list of (credential, achieved_on, expires_on or None)
        self.credentials = {}
        for row in read_table(directory, "credentials.csv", False):
            expires = row.get("expires_on", "")
            self.credentials.setdefault(row["partner_id"], []).append(
                (row["credential"], parse_date(row["achieved_on"]),
                 parse_date(expires) if expires else None))

        # partner -> list of submitted_on dates
        self.csat = {}
        for row in read_table(directory, "csat.csv", False):
            self.csat.setdefault(row["partner_id"], []).append(parse_date(row["submitted_on"]))

        # partner -> list of (strategic, active_from, active_until or None)
        self.services = {}
        for row in read_table(directory, "services.csv", False):
            until = row.get("active_until", "")
            self.services.setdefault(row["partner_id"], []).append(
                (parse_bool(row["strategic"]), parse_date(row["active_from"]),
                 parse_date(until) if until else None))

        # list of (partner, program, subtrack path, enrolled_on), file order
        self.enrollments = []
        for row in read_table(directory, "enrollments.csv", False):
            self.enrollments.append(
                (row["partner_id"], row["program"], row["subtrack"], parse_date(row["enrolled_on"])))

        # partner -> list of booking dicts
        self.bookings = {}
        for row in read_table(directory, "bookings.csv", True):
            shipped = row.get("shipped_on", "")
            self.bookings.setdefault(row["partner_id"], []).append({
                "booked_on": parse_date(row["booked_on"]),
                "shipped_on": parse_date(shipped) if shipped else None,
                "sku": row["sku"],
                "cents": parse_cents(row["amount"]),
                "currency": ascii_upper(row["currency"]),
                "use": normalise_use(row.get("intended_use", "")),
            })

        # partner -> list of (valid_from, tier) sorted by valid_from (tiers.csv, formats.md 5.5)
        self.tier_history = {}
        for row in read_table(directory, "tiers.csv", False):
            self.tier_history.setdefault(row["partner_id"], []).append(
                (parse_date(row["valid_from"]), ascii_lower(row["tier"])))
        for history in self.tier_history.values():
            history.sort()

        # currency -> list of (valid_from, rate) sorted by valid_from
        self.fx = {}
        for row in read_table(directory, "fx.csv", False):
            self.fx.setdefault(ascii_upper(row["currency"]), []).append(
                (parse_date(row["valid_from"]), Decimal(row["rate"])))
        for rates in self.fx.values():
            rates.sort()

    def rate(self, currency, date):
        """The rate with the latest valid_from <= date."""
        found = None
        for valid_from, rate in self.fx.get(currency, []):
            if valid_from <= date:
                found = rate
        if found is None:
            raise ValueError(f"no fx rate for {currency} on {date}")
        return found

    def tier_on(self, partner_id, date):
        """The tier of the tiers.csv row with the latest valid_from <= date; before the first row
        (or without rows) the tier of partners.csv."""
        tier = self.partners[partner_id]["tier"]
        for valid_from, row_tier in self.tier_history.get(partner_id, []):
            if valid_from <= date:
                tier = row_tier
        return tier

    def holds(self, partner_id, credential, date):
        for cred, achieved, expires in self.credentials.get(partner_id, []):
            if cred == credential and achieved <= date and (expires is None or date <= expires):
                return True
        return False


# --------------------------------------------------------------------------
# Programs (YAML files)
# --------------------------------------------------------------------------

class StringLoader(yaml.SafeLoader):
    """SafeLoader that keeps every scalar a string (no int/float/bool/date guessing)."""


StringLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                           "tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def minimum_for(spec, country):
    """minimum_volume: a number (every country) or {default: ..., CC: ...}; cents."""
    if spec is None:
        return 0
    if isinstance(spec, dict):
        by_key = {}
        for key, value in spec.items():
            key = trim(str(key))
            by_key["default" if ascii_lower(key) == "default" else ascii_upper(key)] = value
        if country in by_key:
            return parse_cents(by_key[country])
        if "default" in by_key:
            return parse_cents(by_key["default"])
        return 0
    return parse_cents(spec)


def optional_date(value):
    return None if value is None or trim(str(value)) == "" else parse_date(value)


def product_entry(entry):
    """A `products` entry: a pattern (in force on every date) or {sku, from, until} (5.2)."""
    if isinstance(entry, dict):
        pattern, start, until = trim(str(entry["sku"])), optional_date(entry.get("from")), optional_date(entry.get("until"))
        if start is not None and until is not None and start > until:
            raise ValueError(f"product entry {pattern}: from {start} is after until {until}")
    else:
        pattern, start, until = trim(str(entry)), None, None
    return {"pattern": pattern, "regex": sku_pattern(pattern), "from": start, "until": until}


def percents_by_tier(spec):
    """rebate_percent: a percent, or a map by partner tier with a required `default` (5.4)."""
    if isinstance(spec, dict):
        table = {ascii_lower(trim(str(tier))): Decimal(trim(str(value))) for tier, value in spec.items()}
        if "default" not in table:
            raise ValueError("rebate_percent by tier needs a default")
        return table
    return {"default": Decimal(trim(str(spec)))}


def load_subtrack(track, sub):
    """One VIP subtrack with its v1 and v2 keys (formats.md 2 and 5.2, 5.4)."""
    path = f"{trim(str(track['id']))}/{trim(str(sub['id']))}"
    has_percent, has_tiers = sub.get("rebate_percent") is not None, sub.get("rebate_tiers") is not None
    if has_percent == has_tiers:
        raise ValueError(f"{path}: exactly one of rebate_percent and rebate_tiers")
    tiers = None
    if has_tiers:
        tiers = [(parse_cents(t["from"]), Decimal(trim(str(t["percent"])))) for t in sub["rebate_tiers"]]
        froms = [start for start, _ in tiers]
        if not froms or froms[0] != 0 or any(a >= b for a, b in zip(froms, froms[1:])):
            raise ValueError(f"{path}: rebate_tiers must start at 0 and ascend strictly")
    elif sub.get("tier_method") is not None:
        raise ValueError(f"{path}: tier_method without rebate_tiers")
    base = trim(str(sub.get("rebate_base") or "all"))
    if base not in ("all", "above_minimum", "growth"):
        raise ValueError(f"{path}: unknown rebate_base {base!r}")
    baseline = sub.get("baseline")
    if (base == "growth") != (baseline is not None):
        raise ValueError(f"{path}: rebate_base growth and baseline go together")
    method = trim(str(sub.get("tier_method") or "retroactive"))
    if method not in ("retroactive", "marginal"):
        raise ValueError(f"{path}: unknown tier_method {method!r}")
    attach = None
    if sub.get("attach_bonus") is not None:
        spec = sub["attach_bonus"]
        bands = [(Decimal(trim(str(b["from_percent"]))), Decimal(trim(str(b["percent"])))) for b in spec["bands"]]
        starts = [start for start, _ in bands]
        if any(start <= 0 for start in starts) or any(a >= b for a, b in zip(starts, starts[1:])):
            raise ValueError(f"{path}: attach_bonus bands must be above 0 and ascend strictly")
        attach = {"patterns": [product_entry(trim(str(p))) for p in spec["products"]], "bands": bands}
    cap = parse_cents(sub["cap"]) if sub.get("cap") is not None else None
    if cap is not None and cap < 0:
        raise ValueError(f"{path}: negative cap")
    return {
        "path": path,
        "percent": percents_by_tier(sub["rebate_percent"]) if has_percent else None,
        "tiers": tiers,
        "method": method,
        "base": base,
        "baseline": parse_period(baseline["period"]) if baseline is not None else None,
        "attach": attach,
        "cap": cap,
        "entries": [product_entry(p) for p in sub["products"]],
        "requires_all": [trim(str(c)) for c in (sub.get("requires_all") or [])],
        "requires_any": [trim(str(c)) for c in (sub.get("requires_any") or [])],
        "minimum_volume": sub.get("minimum_volume"),
    }


def load_program(path):
    with open(path, encoding="utf-8-sig") as handle:
        doc = yaml.load(handle, Loader=StringLoader)
    start, end = parse_period(doc["period"])
    program = {
        "id": trim(str(doc["id"])),
        "kind": ascii_lower(trim(str(doc["kind"]))),
        "currency": ascii_upper(trim(str(doc["currency"]))),
        "start": start,
        "end": end,
        "count_by": trim(str(doc.get("count_bookings_by") or "booked_on")),
    }
    if program["kind"] == "vip":
        tiers = doc.get("eligible_tiers")
        program["eligible_tiers"] = (set(TIERS) if tiers is None
                                     else {ascii_lower(trim(str(t))) for t in tiers})
        program["csat_required"] = int(trim(str(doc.get("csat_required") or "0")))
        program["deadline"] = trim(str(doc.get("knowledge_deadline") or "period_end"))
        program["full_credit_until"] = optional_date(doc.get("full_credit_enrollment_until"))
        program["subtracks"] = [load_subtrack(track, sub) for track in doc["tracks"] for sub in track["subtracks"]]
    elif program["kind"] == "mdf":
        rules = []
        for rule in doc["intended_use_rules"]:
            start = parse_date(rule["from"]) if rule.get("from") is not None else None
            counts = rule["counts"]
            if isinstance(counts, list):
                allowed = {normalise_use(str(c)) for c in counts}
            elif ascii_lower(trim(str(counts))) == "any":
                allowed = "any"
            else:
                raise ValueError(f"{path}: counts must be 'any' or a list")
            rules.append((start, allowed))
        program["rules"] = rules
        tiers = {}
        for tier, conf in doc["tiers"].items():
            conf = conf or {}
            tiers[ascii_lower(trim(str(tier)))] = {
                "percent": Decimal(trim(str(conf["accrual_percent"]))),
                "minimum_volume": conf.get("minimum_volume"),
                "strategic": parse_bool(conf.get("requires_strategic_service") or "false"),
            }
        program["tiers"] = tiers
    else:
        raise ValueError(f"{path}: unknown kind {doc['kind']!r}")
    return program


def load_programs(directory):
    programs = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path) and (name.endswith(".yaml") or name.endswith(".yml")):
            programs.append(load_program(path))
    return programs


# --------------------------------------------------------------------------
# Shared rule pieces
# --------------------------------------------------------------------------

def counting_date(program, booking):
    """The booking's counting date for this program; None = never counts."""
    if program["count_by"] == "shipped_on":
        return booking["shipped_on"]
    return booking["booked_on"]


def in_period(program, date):
    return date is not None and program["start"] <= date <= program["end"]


def program_cents(dataset, program, booking, date):
    """The line amount in program currency (converted per line, rounded half-even)."""
    if booking["currency"] == program["currency"]:
        return booking["cents"]
    rate = dataset.rate(booking["currency"], date)
    return round_cents(Decimal(booking["cents"]) * rate)


# --------------------------------------------------------------------------
# VIP
# --------------------------------------------------------------------------

def entry_matches(entry, booking):
    """A product entry matches a line when the SKU matches its pattern and the line's booked_on
    lies within [from, until] (5.2: the order date decides, whatever the counting date)."""
    if entry["from"] is not None and booking["booked_on"] < entry["from"]:
        return False
    if entry["until"] is not None and booking["booked_on"] > entry["until"]:
        return False
    return entry["regex"].fullmatch(booking["sku"]) is not None


def subtrack_of(program, booking):
    """The path of the first subtrack, in document order, with an entry the line matches; None if none."""
    for sub in program["subtracks"]:
        if any(entry_matches(entry, booking) for entry in sub["entries"]):
            return sub["path"]
    return None


def attach_percent(sub, qualifying, attach):
    """The attach bonus (5.4): the percent of the last band with 100 x attach >= from_percent x
    qualifying; 0 without a band or with a qualifying volume of 0 or less."""
    bonus = Decimal(0)
    if sub["attach"] is None or qualifying <= 0:
        return bonus
    for from_percent, percent in sub["attach"]["bands"]:
        if 100 * Decimal(attach) >= from_percent * Decimal(qualifying):
            bonus = percent
    return bonus


def subtrack_rebate(sub, tier, qualifying, threshold, attach, baseline):
    """What the subtrack pays at this volume when eligible (its missed amount when not), 5.4:
    min(cap, round(sum of slice x percent / 100)), the sum exact, rounded once half to even."""
    if sub["base"] == "above_minimum":
        base = qualifying - threshold
    elif sub["base"] == "growth":
        base = qualifying - baseline
    else:
        base = qualifying
    if base <= 0:
        return 0
    bonus = attach_percent(sub, qualifying, attach)
    if sub["tiers"] is None:
        percent = sub["percent"].get(tier, sub["percent"]["default"])
        total = Decimal(base) * (percent + bonus)
    elif sub["method"] == "retroactive":
        percent = [p for start, p in sub["tiers"] if start <= base][-1]
        total = Decimal(base) * (percent + bonus)
    else:  # marginal: each slice of the base between consecutive `from`s at its own percent
        total = Decimal(0)
        bounds = [start for start, _ in sub["tiers"][1:]] + [None]
        for (start, percent), next_start in zip(sub["tiers"], bounds):
            top = base if next_start is None else min(base, next_start)
            if top > start:
                total += Decimal(top - start) * (percent + bonus)
    amount = round_cents(total / Decimal(100))
    if sub["cap"] is not None:
        amount = min(sub["cap"], amount)
    return amount


def vip_rows(dataset, program):
    rows = []
    # partner -> {subtrack path: enrolled_on}
    enrolled = {}
    for partner_id, program_id, path, enrolled_on in dataset.enrollments:
        if program_id == program["id"]:
            enrolled.setdefault(partner_id, {})[path] = enrolled_on

    for partner_id, subtrack_dates in enrolled.items():
        partner = dataset.partners[partner_id]
        tier = dataset.tier_on(partner_id, program["end"])  # 5.5: the tier on the period's last day

        # Every line with a counting date, with its subtrack (the first with an entry it matches).
        lines = []
        for booking in dataset.bookings.get(partner_id, []):
            date = counting_date(program, booking)
            if date is not None:
                lines.append((booking, date, subtrack_of(program, booking)))

        def cents(booking, date):
            return program_cents(dataset, program, booking, date)

        # Partner checks.
        partner_reasons = []
        if tier not in program["eligible_tiers"]:
            partner_reasons.append(f"tier:{tier}")
        reports = sum(1 for d in dataset.csat.get(partner_id, []) if in_period(program, d))
        if reports < program["csat_required"]:
            partner_reasons.append(f"csat:{reports}/{program['csat_required']}")

        for sub in program["subtracks"]:
            if sub["path"] not in subtrack_dates:
                continue
            enrolled_on = subtrack_dates[sub["path"]]
            # 5.3: an enrolment after full_credit_enrollment_until counts lines from enrolled_on on.
            late = program["full_credit_until"] is not None and enrolled_on > program["full_credit_until"]

            def counted(date):
                return in_period(program, date) and (not late or date >= enrolled_on)

            qualifying = sum(cents(b, d) for b, d, path in lines if path == sub["path"] and counted(d))
            attach = 0
            if sub["attach"] is not None:
                attach = sum(cents(b, d) for b, d, _ in lines if counted(d) and any(
                    e["regex"].fullmatch(b["sku"]) for e in sub["attach"]["patterns"]))
            baseline = 0
            if sub["baseline"] is not None:
                first, last = sub["baseline"]
                total = sum(cents(b, d) for b, d, path in lines if path == sub["path"] and first <= d <= last)
                scaled = round_cents(Decimal(total) * days(program["start"], program["end"]) / days(first, last))
                baseline = max(0, scaled)

            reasons = list(partner_reasons)
            deadline = enrolled_on if program["deadline"] == "enrollment" else program["end"]
            for cred in sub["requires_all"]:
                if not dataset.holds(partner_id, cred, deadline):
                    reasons.append(f"credential:{cred}")
            if sub["requires_any"] and not any(
                    dataset.holds(partner_id, cred, deadline) for cred in sub["requires_any"]):
                reasons.append("credential:" + "|".join(sub["requires_any"]))
            threshold = minimum_for(sub["minimum_volume"], partner["country"])
            if qualifying < threshold:
                reasons.append(f"volume:{format_money(qualifying)}<{format_money(threshold)}")

            eligible = not reasons
            rebate = subtrack_rebate(sub, tier, qualifying, threshold, attach, baseline)
            amount = rebate if eligible else 0
            missed = 0 if eligible else rebate
            rows.append((program["id"], "vip", partner_id, sub["path"],
                         qualifying, threshold, eligible, amount, missed, reasons))
    return rows


# --------------------------------------------------------------------------
# MDF
# --------------------------------------------------------------------------

def rule_in_force(program, date):
    """The rule with the latest `from` <= date (no `from` = beginning of time); None if none.

    Equal `from` dates: the later one in the document wins."""
    best = None
    best_from = None
    for start, allowed in program["rules"]:
        start = start or datetime.date.min
        if start <= date and (best_from is None or start >= best_from):
            best, best_from = allowed, start
    return best


def mdf_rows(dataset, program):
    rows = []
    for partner_id, partner in dataset.partners.items():
        tier_name = dataset.tier_on(partner_id, program["end"])  # 5.5: the tier on the period's last day
        if not partner["provider"] or tier_name not in program["tiers"]:
            continue
        tier = program["tiers"][tier_name]

        qualifying = 0
        untagged = 0
        for booking in dataset.bookings.get(partner_id, []):
            date = counting_date(program, booking)
            if not in_period(program, date):
                continue
            allowed = rule_in_force(program, date)
            if allowed is None:
                continue  # no rule in force: neither qualifying nor untagged
            cents = program_cents(dataset, program, booking, date)
            if allowed == "any" or booking["use"] in allowed:
                qualifying += cents
            elif booking["use"] == "":
                untagged += cents

        threshold = minimum_for(tier["minimum_volume"], partner["country"])
        has_strategic = any(
            strategic and active_from <= program["end"]
            and (active_until is None or active_until >= program["start"])
            for strategic, active_from, active_until in dataset.services.get(partner_id, []))

        def failed_checks(vol):
            reasons = []
            if vol < threshold:
                reasons.append(f"volume:{format_money(vol)}<{format_money(threshold)}")
            if tier["strategic"] and not has_strategic:
                reasons.append("strategic_service:none")
            return reasons

        def accrual(vol):
            if failed_checks(vol) or vol <= 0:
                return 0
            return percent_of(vol, tier["percent"])

        reasons = failed_checks(qualifying)
        amount = accrual(qualifying)
        missed = max(0, accrual(qualifying + untagged) - amount)
        rows.append((program["id"], "mdf", partner_id, tier_name,
                     qualifying, threshold, not reasons, amount, missed, reasons))
    return rows


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--programs", required=True)
    parser.add_argument("--program", action="extend", nargs="+", default=[],
                        help="only these program ids (repeatable)")
    args = parser.parse_args(argv)

    dataset = Dataset(args.data)
    programs = load_programs(args.programs)
    if args.program:
        programs = [p for p in programs if p["id"] in set(args.program)]

    rows = []
    for program in programs:
        if program["kind"] == "vip":
            rows.extend(vip_rows(dataset, program))
        else:
            rows.extend(mdf_rows(dataset, program))
    rows.sort(key=lambda r: (utf8_key(r[0]), utf8_key(r[2]), utf8_key(r[3])))

    out = ["program,kind,partner_id,item,qualifying_volume,threshold,eligible,amount,missed_amount,reasons\n"]
    for program_id, kind, partner_id, item, volume, threshold, eligible, amount, missed, reasons in rows:
        fields = [program_id, kind, partner_id, item, format_money(volume), format_money(threshold),
                  "true" if eligible else "false", format_money(amount), format_money(missed),
                  ";".join(reasons)]
        out.append(",".join(csv_field(f) for f in fields) + "\n")
    sys.stdout.buffer.write("".join(out).encode("utf-8"))


if __name__ == "__main__":
    main()
