"""Accuracy and speed on labelled card sets (the format of shared/eval/README.md)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .config import Pipeline
from .errors import CardscanError, ConfigError
from .model import Note, OcrResult, contact_record
from .parse import parse_front, parse_note
from .parse.language import TESSERACT_MODELS, language_of
from .parse.lines import fold
from .pipeline import Context, Job, card_json, ingest_many, read_job, read_sides, scan
from .read.engines import default_engines
from .read.loading import read_card_image
from .store import Database

FIELDS = ("name", "given_name", "family_name", "title", "company", "phones", "emails",
          "website", "address", "met_on", "event", "topics", "actions", "priority")
_SIMILAR = 80  # rapidfuzz ratio (0-100) for "close similarity"
_BARE_SAMPLE = 30  # images timed with a bare tesseract call, per set
_THROUGHPUT_TRIALS = 3
# Cards batched with 1, then 2 workers, per set (all 40 clean scans of synthetic-dev). With 2
# workers the last card keeps one waiting, about half a card of the batch: with 24 cards that
# was 4 % of its time (the reading-only ceiling measured 1.86-1.96x), with 40 it is 2.5 %; a
# show's pile is 50-200 cards.
_THROUGHPUT_CARDS = 40


@dataclass
class FieldScore:
    """Counts for one field: recall = matched / expected, precision = matched / produced."""

    expected: int = 0
    produced: int = 0
    matched: int = 0
    hits: int = 0  # cards whose whole field is right
    cards: int = 0  # cards that expect the field

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.produced if self.produced else 0.0


@dataclass
class SetReport:
    name: str
    kind: str
    lines: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


# --- comparing one value ---------------------------------------------------------------------

def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", fold(text or "")).strip(" .,")


def _similar(a: str | None, b: str | None) -> bool:
    return bool(a and b) and fuzz.ratio(_norm(a), _norm(b)) >= _SIMILAR


def _host(url: str | None) -> str:
    host = re.sub(r"^https?://", "", (url or "").strip().lower()).split("/")[0]
    return host.removeprefix("www.")


def _phone_match(expected: dict[str, str], got: dict[str, str]) -> bool:
    want = expected["number"]
    digits = re.sub(r"\D", "", got.get("number") or "")
    number_ok = (got.get("number") == want if want.startswith("+")
                 else digits.endswith(re.sub(r"\D", "", want)))
    return number_ok and ("type" not in expected or expected["type"] == got.get("type"))


def _address_match(expected: str, got: str | None) -> bool:
    want = set(re.findall(r"\w+", _norm(expected)))
    have = set(re.findall(r"\w+", _norm(got)))
    if not want or not have:
        return False
    common = len(want & have)
    return common / len(want) >= 0.8 and common / len(have) >= 0.6


def _match_lists(expected: list[Any], got: list[Any], same: Callable[[Any, Any], bool]) -> int:
    """How many expected items find a distinct partner in ``got``."""
    free = list(got)
    matched = 0
    for want in expected:
        for i, have in enumerate(free):
            if same(want, have):
                matched += 1
                del free[i]
                break
    return matched


_LIST_SAME: dict[str, Callable[[Any, Any], bool]] = {
    "phones": _phone_match,
    "emails": lambda a, b: a.lower() == (b or "").lower(),
    "topics": _similar,
    "actions": _similar,
}
_SCALAR_SAME: dict[str, Callable[[Any, Any], bool]] = {
    "name": lambda a, b: _norm(a) == _norm(b),
    "given_name": lambda a, b: _norm(a) == _norm(b),
    "family_name": lambda a, b: _norm(a) == _norm(b),
    "title": _similar, "company": _similar, "event": _similar,
    "website": lambda a, b: _host(a) == _host(b) != "",
    "address": _address_match,
    "met_on": lambda a, b: a == b,
    "priority": lambda a, b: a == b,
}


def score_fields(expected: dict[str, Any], output: dict[str, Any]
                 ) -> dict[str, tuple[int, int, int, int]]:
    """Per expected field: (expected, produced, matched, hit)."""
    scores = {}
    for key, want in expected.items():
        if key not in FIELDS:
            continue
        got = output.get(key)
        if key in _LIST_SAME:
            got = got or []
            matched = _match_lists(want, got, _LIST_SAME[key])
            hit = int(matched == len(want) and len(got) <= len(want) + 1)
            scores[key] = (len(want), len(got), matched, hit)
        else:
            ok = int(_SCALAR_SAME[key](want, got))
            scores[key] = (1, int(got not in (None, "", [])), ok, ok)
    return scores


# --- running a card set --------------------------------------------------------------------

def _bench_one(job: Job, index: int, ctx: Context
               ) -> tuple[dict[str, Any] | None, float, str]:
    """Scan one labelled card; ``index`` picks it among the cards in its file (1-based)."""
    started = time.perf_counter()
    try:
        cards = scan(job, ctx)
        if index > len(cards):
            return None, time.perf_counter() - started, (
                f"{job.front}: card {index} wanted, {len(cards)} found")
        return card_json(cards[index - 1]), time.perf_counter() - started, ""
    except CardscanError as e:
        return None, time.perf_counter() - started, str(e)


@dataclass
class CardRun:
    """One labelled card, what cardscan made of it, and how long it took."""

    label: dict[str, Any]
    output: dict[str, Any] | None
    seconds: float
    error: str
    scores: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    @property
    def condition(self) -> str:
        return str(self.label.get("condition", "unknown"))

    @property
    def hits(self) -> int:
        return sum(s[3] for s in self.scores.values())

    def timing(self, key: str) -> float:
        return float(((self.output or {}).get("timing") or {}).get(key, 0.0))


def run_card_set(folder: Path, pipeline: Pipeline, executor: Executor) -> SetReport:
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    reference = dt.date.fromisoformat(labels.get("reference_date", dt.date.today().isoformat()))
    ctx = Context(pipeline=pipeline, today=reference, met=reference)
    cards = labels["cards"]
    jobs = [Job(folder / c["front"], folder / c["back"] if c.get("back") else None)
            for c in cards]
    started = time.perf_counter()
    indexes = [int(c.get("card_index", 1)) for c in cards]
    results = list(executor.map(_bench_one, jobs, indexes, [ctx] * len(jobs)))
    wall = time.perf_counter() - started
    runs = [CardRun(card, out, seconds, error, score_fields(card["expected"], out or {}))
            for card, (out, seconds, error) in zip(cards, results, strict=True)]
    report = _card_report(folder.name, runs, wall)
    # Throughput on the clean scans when the set has them: there a bare Tesseract call reads
    # the same card cardscan does (not a photo of a desk or a card upside down).
    singles = [(j.front, c.get("condition")) for j, i, c in zip(jobs, indexes, cards,
                                                                 strict=True) if i == 1]
    scans = sorted({f for f, cond in singles if cond == "scan"})
    fronts = scans if len(scans) >= 8 else sorted({f for f, _ in singles})
    which = "the clean scans" if fronts == scans else "all cards"
    report.lines += ["", f"Batch throughput on {which} of this set:", "",
                     *throughput(fronts, ctx, report.summary, dask=fronts == scans)]
    report.summary["bare_tesseract_seconds"] = report.summary["throughput"][
        "bare_tesseract_seconds"]
    report.lines += ["", *_against_bare(report.summary),
                     *_fronts_by_language(runs, report.summary, folder, pipeline.ocr.languages)]
    return report


def _fronts_by_language(runs: list[CardRun], summary: dict[str, Any], folder: Path,
                        languages: str) -> list[str]:
    """The clean scans' fronts (one worker, the back's time left out) against the bare call,
    apart by whether the card is in a language the pipeline lacks (read with RapidOCR for
    its accents or script, and Japanese and Korean cards with their own Tesseract model too);
    those are also set against a bare call with the card's language added to the pipeline's
    (what a bare Tesseract needs to read its accents or script)."""
    bare = summary["throughput"].get("bare_same_languages_seconds")
    scans = [r for r in runs if r.condition == "scan" and r.output]
    if not bare or not scans:
        return []
    lines = ["", "| clean scans, front only | cards | s/card | x bare `tesseract -l "
             "<languages>` | x bare with the card's language too |", "|---|---|---|---|---|"]
    for name, group in (("in the pipeline's languages", [r for r in scans
                                                         if not r.timing("own_language")]),
                        ("in a language the pipeline lacks", [r for r in scans
                                                              if r.timing("own_language")])):
        if group:
            seconds = statistics.mean(r.seconds - r.timing("back") for r in group)
            own = (_bare_with_own_language(group, folder, languages)
                   if group[0].timing("own_language") else bare)
            summary.setdefault("fronts_by_language", {})[name] = {
                "cards": len(group), "seconds_per_card": round(seconds, 4),
                "vs_bare_same_languages": round(seconds / bare, 3),
                "bare_with_own_language_seconds": own,
                "vs_bare_with_own_language": round(seconds / own, 3) if own else None}
            lines.append(f"| {name} | {len(group)} | {seconds:.3f} | {seconds / bare:.2f} | "
                         + (f"{seconds / own:.2f} |" if own else "n/a |"))
    # All of them, each against the bare call with the languages cardscan read it with: the
    # card's own model too where cardscan read it again with that (Japanese, Korean).
    reread = [r for r in scans if r.timing("language_reads")]
    own = _bare_with_own_language(reread, folder, languages) if reread else bare
    if own and reread:
        seconds = statistics.mean(r.seconds - r.timing("back") for r in scans)
        baseline = (bare * (len(scans) - len(reread)) + own * len(reread)) / len(scans)
        summary.setdefault("fronts_by_language", {})["all, with the languages read"] = {
            "cards": len(scans), "seconds_per_card": round(seconds, 4),
            "vs_bare_same_languages": round(seconds / bare, 3),
            "bare_with_own_language_seconds": round(baseline, 4),
            "vs_bare_with_own_language": round(seconds / baseline, 3)}
        lines.append(f"| all ({len(reread)} read with their own model too) | {len(scans)} | "
                     f"{seconds:.3f} | {seconds / bare:.2f} | {seconds / baseline:.2f} |")
    return lines


def _bare_with_own_language(runs: list[CardRun], folder: Path, languages: str
                            ) -> float | None:
    """A bare call per card with the pipeline's languages and the model of the language
    cardscan found on it (``-l eng+deu+ita``)."""
    times = []
    for run in runs:
        text = str((run.output or {}).get("front_text") or "")
        model = TESSERACT_MODELS.get(language_of(text.splitlines()) or "")
        own = f"{languages}+{model}" if model and model not in languages.split("+") else languages
        if (seconds := bare_tesseract_seconds([folder / run.label["front"]], own)) is not None:
            times.append(seconds)
    return round(statistics.mean(times), 4) if times else None


def _against_bare(summary: dict[str, Any]) -> list[str]:
    """Every condition's time per card (one worker, both sides) against the bare call with
    the pipeline's languages on the clean scans: what a photo or a two-sided card costs."""
    bare = summary["throughput"].get("bare_same_languages_seconds")
    if not bare:
        return []
    lines = ["| condition | s/card | x bare `tesseract -l <languages>` |", "|---|---|---|"]
    for cond, c in summary["conditions"].items():
        lines.append(f"| {cond} | {c['seconds_per_card']:.3f} | "
                     f"{c['seconds_per_card'] / bare:.2f} |")
    return lines


def warm_worker(pipeline: Pipeline) -> None:
    """Every engine a worker may read with, loaded before the clock: the bench measures
    cards, not a worker's start."""
    from .pipeline import warm

    warm(pipeline, every_engine=True)


def throughput(fronts: list[Path], ctx: Context, summary: dict[str, Any], *,
               dask: bool = False) -> list[str]:
    """Batch throughput (read, parse and store in a scratch SQLite file, as ``cardscan
    batch`` does) with 1 and 2 worker processes on the same cards (and, with ``dask``, 1
    and 2 Dask workers on this machine), and the time per card against a bare ``tesseract
    IMG stdout`` on the same images."""
    sample = fronts[::max(1, len(fronts) // _THROUGHPUT_CARDS)][:_THROUGHPUT_CARDS]
    # This machine's two cores are shared: one run of each swung 1.5x-1.9x apart, so 1 and 2
    # workers alternate and each keeps its median rate.
    trials: dict[int, list[float]] = {1: [], 2: []}
    # The same cards only read (nothing stored, no parent at work): how far this machine's
    # two cores scale at all, the ceiling of the batch's speed-up.
    reading: dict[int, list[float]] = {1: [], 2: []}
    images = [read_card_image(f, decode=False, limits=ctx.pipeline.limits) for f in sample]
    for _ in range(_THROUGHPUT_TRIALS):
        for workers in (1, 2):
            with (tempfile.TemporaryDirectory() as tmp,
                  ProcessPoolExecutor(max_workers=workers) as pool):
                list(pool.map(warm_worker, [ctx.pipeline] * workers))  # models before the clock
                db = Database(f"sqlite:///{tmp}/bench.db", store=Path(tmp) / "scans")
                started = time.perf_counter()
                done = list(ingest_many([Job(f) for f in sample], db, ctx, executor=pool))
                trials[workers].append(len(done) / (time.perf_counter() - started))
                started = time.perf_counter()
                list(pool.map(read_job, images, [None] * len(images), [ctx] * len(images)))
                reading[workers].append(len(images) / (time.perf_counter() - started))
    rates = {workers: statistics.median(found) for workers, found in trials.items()}
    read_rates = {workers: statistics.median(found) for workers, found in reading.items()}
    cluster = _cluster_rates(sample, ctx) if dask else {}
    languages = ctx.pipeline.ocr.languages
    bare = {"default": bare_tesseract_seconds(sample),
            languages: bare_tesseract_seconds(sample, languages)}
    per_card = 1 / rates[1]
    ratios = {k: round(per_card / v, 3) if v else None for k, v in bare.items()}
    summary["throughput"] = {"cards": len(sample), "cards_per_second_1": round(rates[1], 3),
                             "cards_per_second_2": round(rates[2], 3),
                             "speedup_2": round(rates[2] / rates[1], 3),
                             "reading_only_speedup_2": round(read_rates[2] / read_rates[1], 3),
                             "seconds_per_card_1": round(per_card, 4),
                             "bare_tesseract_seconds": bare["default"],
                             "vs_bare": ratios["default"],
                             "bare_same_languages_seconds": bare[languages],
                             "vs_bare_same_languages": ratios[languages],
                             **{f"dask_cards_per_second_{n}": round(rate, 3)
                                for n, rate in cluster.items()}}
    lines = [f"(median of {_THROUGHPUT_TRIALS} alternating runs of each)", "",
             "| batch workers | cards | cards/s | speed-up |", "|---|---|---|---|",
             f"| 1 | {len(sample)} | {rates[1]:.2f} | 1.00 |",
             f"| 2 | {len(sample)} | {rates[2]:.2f} | {rates[2] / rates[1]:.2f} |",
             *(f"| {n}, reading only (nothing stored) | {len(sample)} | {read_rates[n]:.2f} | "
               f"{read_rates[n] / read_rates[1]:.2f} |" for n in (1, 2)),
             *(f"| {n} Dask (LocalCluster, one run) | {len(sample)} | {rate:.2f} | "
               f"{rate / rates[1]:.2f} |" for n, rate in cluster.items()),
             "", f"batch time per card with 1 worker: {per_card:.3f} s (read, parse, store); "
             "a bare `tesseract IMG stdout` on the same images:"]
    for name, seconds in bare.items():
        flag = "" if name == "default" else f" -l {name}"
        lines.append(f"- `tesseract IMG stdout{flag}`: {seconds or 0:.3f} s, cardscan "
                     + (f"{ratios[name]:.2f}x" if ratios[name] else "n/a"))
    return lines


def _cluster_rates(sample: list[Path], ctx: Context) -> dict[int, float]:
    """Cards per second of a batch read on a Dask LocalCluster of 1 and 2 worker processes
    (one thread each; started and warmed before the clock), stored here as `batch
    --cluster` does. Empty when Dask is not installed."""
    try:
        from distributed import LocalCluster

        from .cluster import ClusterPool
    except ImportError:
        return {}
    logging.getLogger("distributed").setLevel(logging.WARNING)  # not its INFO lines
    rates = {}
    for workers in (1, 2):
        with (tempfile.TemporaryDirectory() as tmp,
              LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR) as cluster,
              ClusterPool(cluster.scheduler_address, ctx.pipeline) as pool):
            db = Database(f"sqlite:///{tmp}/bench.db", store=Path(tmp) / "scans")
            started = time.perf_counter()
            done = list(ingest_many([Job(f) for f in sample], db, ctx, executor=pool))
            rates[workers] = len(done) / (time.perf_counter() - started)
    return rates


def _field_scores(runs: list[CardRun]) -> dict[str, FieldScore]:
    by_field: dict[str, FieldScore] = defaultdict(FieldScore)
    for run in runs:
        for key, (exp, prod, match, hit) in run.scores.items():
            fs = by_field[key]
            fs.expected += exp
            fs.produced += prod
            fs.matched += match
            fs.hits += hit
            fs.cards += 1
    return by_field


def _accuracy(runs: list[CardRun]) -> float:
    total = sum(len(r.scores) for r in runs)
    return sum(r.hits for r in runs) / total if total else 0.0


_FRONT_FIELDS = ("name", "title", "company", "phones", "emails", "website", "address")


def _front_key(label: dict[str, Any]) -> str:
    expected = label["expected"]
    return json.dumps({k: expected.get(k) for k in _FRONT_FIELDS}, sort_keys=True)


def _upright_twins(runs: list[CardRun]) -> dict[int, CardRun]:
    """For each card in another condition, the clean scan of the same card, scored on the
    same fields (so a condition is compared with the same cards, not with an average)."""
    scans = {_front_key(r.label): r for r in runs if r.condition == "scan"}
    twins = {}
    for run in runs:
        scan = scans.get(_front_key(run.label)) if run.condition != "scan" else None
        if scan is not None:
            twins[id(run)] = CardRun(run.label, scan.output, scan.seconds, scan.error,
                                     score_fields(run.label["expected"], scan.output or {}))
    return twins


def _field_by_condition(runs: list[CardRun], conditions: dict[str, Any]) -> list[str]:
    """Card accuracy of each field in each condition (fields expected by no card: blank)."""
    fields = [f for f in FIELDS if any(f in r.scores for r in runs)]
    lines = ["| condition | " + " | ".join(fields) + " |", "|---" * (len(fields) + 1) + "|"]
    for cond in sorted(conditions):
        group = [r for r in runs if r.condition == cond]
        cells = []
        for f in fields:
            scored = [r.scores[f][3] for r in group if f in r.scores]
            cells.append(f"{sum(scored) / len(scored):.2f}" if scored else "")
            conditions[cond].setdefault("fields", {})[f] = (
                round(sum(scored) / len(scored), 4) if scored else None)
        lines.append(f"| {cond} | " + " | ".join(cells) + " |")
    return lines


# --- why a field is wrong ----------------------------------------------------------------------

ERROR_KINDS = ("not read", "missed", "wrong line", "partial", "character slip", "extra")


def _in_text(value: str, text: str) -> bool:
    """Whether the engines read ``value`` at all: its words, or a close match of it, are in
    the card's text (so the loss is in choosing, not in reading)."""
    want, have = _norm(value), _norm(text)
    if not want:
        return False
    return want in have or fuzz.partial_ratio(want, have) >= _SIMILAR


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("number") or "")
    return _host(value) if key == "website" else str(value or "")


def error_kind(key: str, want: Any, got: Any, text: str) -> str | None:
    """The kind of one wrong scalar value or list item (None when it is right): the text never
    had it (not read), it was read but not taken (missed), another line was taken (wrong
    line), the value is cut or padded (partial), or a few characters differ (character slip)."""
    want_s, got_s = _norm(_value_text(key, want)), _norm(_value_text(key, got))
    if not got_s:
        return "missed" if _in_text(_value_text(key, want), text) else "not read"
    if key == "phones":
        want_s, got_s = re.sub(r"\D", "", want_s), re.sub(r"\D", "", got_s)
    if fuzz.ratio(want_s, got_s) >= _SIMILAR:
        return "character slip"
    if want_s in got_s or got_s in want_s or fuzz.partial_ratio(want_s, got_s) >= 90:
        return "partial"
    return "wrong line" if _in_text(_value_text(key, want), text) else "not read"


def card_errors(run: CardRun) -> list[tuple[str, str]]:
    """(field, kind) for every wrong value of one card; list fields count per item."""
    if run.output is None:
        return [(key, "not read") for key, score in run.scores.items() if not score[3]]
    text = " ".join(str(run.output.get(k) or "") for k in ("front_text", "back_text"))
    found = []
    for key, want in run.label["expected"].items():
        if key not in run.scores or run.scores[key][3]:
            continue
        got = run.output.get(key)
        if key not in _LIST_SAME:
            found.append((key, error_kind(key, want, got, text) or "character slip"))
            continue
        free = list(got or [])
        for item in want:
            partner = next((g for g in free if _LIST_SAME[key](item, g)), None)
            if partner is not None:
                free.remove(partner)
                continue
            # The closest leftover is taken as the attempt at this item.
            near = max(free, key=lambda g: fuzz.ratio(_value_text(key, item),
                                                      _value_text(key, g)), default=None)
            kind = error_kind(key, item, near, text)
            if near is not None and kind in ("character slip", "partial"):
                free.remove(near)
            found.append((key, kind or "character slip"))
        found += [(key, "extra") for _ in free[: max(0, len(free) - 1)]]
    return found


def _error_table(runs: list[CardRun], summary: dict[str, Any]) -> list[str]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for run in runs:
        for key, kind in card_errors(run):
            counts[kind][key] += 1
    fields = [f for f in FIELDS if any(f in by for by in counts.values())]
    summary["errors_by_kind"] = {k: dict(counts[k]) for k in ERROR_KINDS if k in counts}
    if not fields:
        return ["", "no wrong fields"]
    lines = ["", "| error kind (most frequent first) | all | " + " | ".join(fields) + " |",
             "|---" * (len(fields) + 2) + "|"]
    for kind in sorted(counts, key=lambda k: -sum(counts[k].values())):
        lines.append(f"| {kind} | {sum(counts[kind].values())} | "
                     + " | ".join(str(counts[kind].get(f, "")) for f in fields) + " |")
    return lines


def _card_report(name: str, runs: list[CardRun], wall: float) -> SetReport:
    report = SetReport(name=name, kind="cards")
    by_field = _field_scores(runs)
    report.lines += ["| field | cards | recall | precision | card accuracy |",
                     "|---|---|---|---|---|"]
    for key in FIELDS:
        if key in by_field:
            fs = by_field[key]
            report.lines.append(f"| {key} | {fs.cards} | {fs.recall:.2f} | {fs.precision:.2f} "
                                f"| {fs.hits / fs.cards:.2f} |")
    twins = _upright_twins(runs)
    report.lines += [
        "", "| condition | cards | fields | field accuracy | same cards as clean scans "
        "| s/card | s/back | preprocess s | OCR calls/card | second engine | language re-read |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
    conditions: dict[str, Any] = {}
    for cond in sorted({r.condition for r in runs}):
        group = [r for r in runs if r.condition == cond]
        paired = [twins[id(r)] for r in group if id(r) in twins]
        twin = f"{_accuracy(paired):.3f} ({len(paired)})" if paired else "-"
        backs = [r.timing("back") for r in group if r.label.get("back")]
        conditions[cond] = {
            "accuracy": round(_accuracy(group), 4), "cards": len(group),
            "same_cards_scan": round(_accuracy(paired), 4) if paired else None,
            "seconds_per_card": round(statistics.mean(r.seconds for r in group), 4),
            "seconds_per_back": round(statistics.mean(backs), 4) if backs else None,
            "preprocess_seconds": round(statistics.mean(r.timing("preprocess") for r in group), 4),
            "ocr_calls": round(statistics.mean(r.timing("ocr_calls") for r in group), 2),
            "second_engine_share": round(statistics.mean(
                r.timing("second_engine_runs") for r in group), 3),
            "second_engine_lines_only_share": round(statistics.mean(
                r.timing("second_lines_only") for r in group), 3),
            "language_read_share": round(statistics.mean(
                r.timing("language_reads") for r in group), 3)}
        c = conditions[cond]
        report.lines.append(
            f"| {cond} | {len(group)} | {sum(len(r.scores) for r in group)} "
            f"| {c['accuracy']:.3f} | {twin} | {c['seconds_per_card']:.3f} "
            f"| {_or_dash(c['seconds_per_back'])} "
            f"| {c['preprocess_seconds']:.3f} | {c['ocr_calls']:.2f} "
            f"| {_second_share(c)} | {c['language_read_share']:.0%} |")
    accuracy = _accuracy(runs)
    report.lines.append(f"| **all** | {len(runs)} | {sum(len(r.scores) for r in runs)} "
                        f"| **{accuracy:.3f}** | | | | | | | |")
    report.lines += ["", *_stage_table(runs, report.summary)]
    report.lines += ["", *_field_by_condition(runs, conditions)]
    report.lines += _error_table(runs, report.summary)
    per_card = statistics.mean(r.seconds for r in runs) if runs else 0.0
    report.lines.append(
        f"\n{len(runs)} cards; cardscan {per_card:.3f} s/card (mean, one worker's time), "
        f"{len(runs) / wall:.2f} cards/s wall (a bare `tesseract` call: see throughput)")
    errors = [r.error for r in runs if r.error]
    report.lines += [f"error: {e}" for e in errors]
    report.summary |= {
        "accuracy": round(accuracy, 4), "conditions": conditions,
        "fields": {k: {"recall": round(v.recall, 4), "precision": round(v.precision, 4)}
                   for k, v in by_field.items()},
        "seconds_per_card": round(per_card, 4), "errors": len(errors),
    }
    return report


def _second_share(condition: dict[str, Any]) -> str:
    """How often the second engine ran, and how often its recogniser alone (given lines)."""
    lines = condition["second_engine_lines_only_share"]
    share = f"{condition['second_engine_share']:.0%}"
    return f"{share} ({lines:.0%} lines only)" if lines else share


# Seconds per card by stage, from `scan --json` timing: (column, timing keys summed).
_STAGES = (("decode", ("decode",)), ("preprocess", ("preprocess",)),
           ("OCR, all engines", ("ocr", "ocr_second", "ocr_language", "ocr_script",
                                 "ocr_lines")),
           ("of which second engine", ("ocr_second",)), ("back (whole)", ("back",)),
           ("QR", ("qr",)), ("parse", ("parse",)))


def _stage_table(runs: list[CardRun], summary: dict[str, Any]) -> list[str]:
    """Where a card's time goes, per condition (storing is in the throughput below)."""
    lines = ["| condition | " + " | ".join(name for name, _ in _STAGES) + " | whole card |",
             "|---" * (len(_STAGES) + 2) + "|"]
    for cond in sorted({r.condition for r in runs}):
        group = [r for r in runs if r.condition == cond]
        means = {name: statistics.mean(sum(r.timing(k) for k in keys) for r in group)
                 for name, keys in _STAGES}
        whole = statistics.mean(r.seconds for r in group)
        summary.setdefault("stages", {})[cond] = {k: round(v, 4) for k, v in means.items()}
        lines.append(f"| {cond} | " + " | ".join(f"{v:.3f}" for v in means.values())
                     + f" | {whole:.3f} |")
    return lines


def _or_dash(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.3f}"


def bare_tesseract_seconds(images: list[Path], languages: str | None = None) -> float | None:
    """Mean time of a plain ``tesseract IMG stdout`` call (OMP_THREAD_LIMIT=1) on a sample,
    with Tesseract's default language or ``-l languages``."""
    step = max(1, len(images) // _BARE_SAMPLE)
    sample = images[::step][:_BARE_SAMPLE]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    times = []
    for image in sample:
        started = time.perf_counter()
        args = ["tesseract", str(image), "stdout"] + (["-l", languages] if languages else [])
        done = subprocess.run(args, capture_output=True, env=env, check=False)
        if done.returncode == 0:
            times.append(time.perf_counter() - started)
    return round(statistics.mean(times), 4) if times else None


# --- reading sets: handwriting items and parser text cases ---------------------------------

def run_item_set(name: str, folder: Path, items: list[dict[str, Any]],
                 pipeline: Pipeline, executor: Executor) -> SetReport:
    """OCR each labelled image as a back and compare the text (CER, word recall)."""
    paths = [folder / it["image"] for it in items]
    results = list(executor.map(_read_text, paths, [pipeline] * len(paths)))
    by_kind: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for item, (text, _) in zip(items, results, strict=True):
        by_kind[item.get("kind", "note")].append(_text_scores(item["text"], text))
    report = SetReport(name=name, kind="text")
    report.lines += ["| kind | images | CER | CER (any case) | character accuracy | word recall |",
                     "|---|---|---|---|---|---|"]
    for kind, scores in sorted(by_kind.items()):
        cer = statistics.mean(s[0] for s in scores)
        caseless = statistics.mean(s[2] for s in scores)
        recall = statistics.mean(s[1] for s in scores)
        report.lines.append(f"| {kind} | {len(scores)} | {cer:.3f} | {caseless:.3f} "
                            f"| {1 - caseless:.3f} | {recall:.2f} |")
        report.summary[kind] = {"cer": round(cer, 4), "cer_any_case": round(caseless, 4),
                                "word_recall": round(recall, 4)}
    seconds = statistics.mean(s for _, s in results) if results else 0.0
    report.lines.append(f"\n{len(items)} images; {seconds:.3f} s/image")
    notes = [(it["text"], text) for it, (text, _) in zip(items, results, strict=True)
             if it.get("kind", "note") == "note"]
    if notes:
        report.lines += ["", *_note_fields(notes, _reference_date(folder), report.summary)]
    return report


def _reference_date(folder: Path) -> dt.date:
    labels = folder / "labels.json"
    if labels.is_file():
        reference = json.loads(labels.read_text(encoding="utf-8")).get("reference_date")
        if reference:
            return dt.date.fromisoformat(reference)
    return dt.date.today()


def _note_fields(notes: list[tuple[str, str]], reference: dt.date,
                 summary: dict[str, Any]) -> list[str]:
    """The note parser on the OCR text against the same parser on the true text: what the
    handwriting OCR costs each field (met_on, event, priority: equal; topics, actions:
    recall of the true items)."""
    agree: dict[str, list[float]] = defaultdict(list)
    for truth, read in notes:
        want = parse_note(truth.splitlines(), reference=reference)
        got = parse_note(read.splitlines(), reference=reference)
        for key in ("met_on", "event", "priority"):
            if getattr(want, key) not in (None, "normal"):
                same = (_similar(want.event, got.event) if key == "event"
                        else getattr(want, key) == getattr(got, key))
                agree[key].append(float(same))
        for key in ("topics", "actions"):
            items = getattr(want, key)
            if items:
                agree[key].append(_match_lists(list(items), list(getattr(got, key)), _similar)
                                  / len(items))
    lines = ["| note field (OCR vs true text) | notes | agreement (recall for lists) |",
             "|---|---|---|"]
    for key, values in agree.items():
        lines.append(f"| {key} | {len(values)} | {statistics.mean(values):.2f} |")
        summary.setdefault("note_fields", {})[key] = round(statistics.mean(values), 4)
    return lines


def _read_text(path: Path, pipeline: Pipeline) -> tuple[str, float]:
    started = time.perf_counter()
    ctx = Context(pipeline=pipeline, today=dt.date.today())
    try:
        sides = read_sides(read_card_image(path), back=True, ctx=ctx)
        text = "\n".join(side.ocr.text for side in sides)
    except CardscanError:
        text = ""
    return text, time.perf_counter() - started


def _text_scores(expected: str, got: str) -> tuple[float, float, float]:
    """CER, word recall (any case), and CER ignoring case (handwriting is often all caps)."""
    want = re.sub(r"\s+", " ", expected).strip()
    have = re.sub(r"\s+", " ", got).strip()
    cer = Levenshtein.distance(want, have) / max(1, len(want))
    caseless = Levenshtein.distance(want.lower(), have.lower()) / max(1, len(want))
    want_words = [w.lower() for w in want.split()]
    have_words = {w.lower() for w in have.split()}
    recall = sum(w in have_words for w in want_words) / max(1, len(want_words))
    return min(cer, 1.0), recall, min(caseless, 1.0)


def run_text_cases(name: str, cases: list[dict[str, Any]], pipeline: Pipeline) -> SetReport:
    """Parse card texts (no OCR) and compare name, title, company, phones, e-mails."""
    by_field: dict[str, FieldScore] = defaultdict(FieldScore)
    for case in cases:
        ocr = OcrResult.from_text(case["text"])
        fields = parse_front(ocr, default_region=pipeline.parse.default_region)
        out = contact_record(fields, Note(), met_on=None, event=None)
        expected = _case_expected(case["expected"])
        for key, (exp, prod, match, hit) in score_fields(expected, out).items():
            fs = by_field[key]
            fs.expected, fs.produced, fs.matched = (fs.expected + exp, fs.produced + prod,
                                                    fs.matched + match)
            fs.hits += hit
            fs.cards += 1
    report = SetReport(name=name, kind="parse")
    report.lines += ["| field | cases | recall | precision | case accuracy |",
                     "|---|---|---|---|---|"]
    hits = total = 0
    for key, fs in by_field.items():
        report.lines.append(f"| {key} | {fs.cards} | {fs.recall:.2f} | {fs.precision:.2f} | "
                            f"{fs.hits / fs.cards:.2f} |")
        hits += fs.hits
        total += fs.cards
    report.summary = {"accuracy": round(hits / total, 4) if total else 0.0}
    report.lines.append(f"\n{len(cases)} texts; field accuracy {report.summary['accuracy']:.3f}")
    return report


def _case_expected(expected: dict[str, Any]) -> dict[str, Any]:
    """text-cases give phones as digit strings (and fax apart); score digits only."""
    out = {k: v for k, v in expected.items() if k in FIELDS and k != "phones" and v is not None}
    phones = [{"number": d} for d in expected.get("phones", [])]
    phones += [{"number": d, "type": "fax"} for d in expected.get("fax", [])]
    if phones:
        out["phones"] = phones
    return out


# --- entry point --------------------------------------------------------------------------

def run(folders: Iterable[Path], pipeline: Pipeline, executor: Executor) -> list[SetReport]:
    """Bench every labelled set found in ``folders`` (any mix of the three label formats)."""
    default_engines(pipeline.ocr)  # fail early, in this process, if Tesseract is missing
    reports = []
    for folder in folders:
        found = False
        labels_path = folder / "labels.json"
        if labels_path.is_file():
            labels = json.loads(labels_path.read_text(encoding="utf-8"))
            if "cards" in labels:
                reports.append(run_card_set(folder, pipeline, executor))
                found = True
            if "items" in labels:
                reports.append(run_item_set(folder.name, folder, labels["items"], pipeline,
                                            executor))
                found = True
        notes = folder / "notes.json"
        if notes.is_file():
            items = json.loads(notes.read_text(encoding="utf-8"))["items"]
            reports.append(run_item_set(f"{folder.name} (notes.json backs)", folder, items,
                                        pipeline, executor))
            found = True
        cases = folder / "cases.json"
        if cases.is_file():
            data = json.loads(cases.read_text(encoding="utf-8"))["cases"]
            reports.append(run_text_cases(folder.name, data, pipeline))
            found = True
        if not found:
            raise ConfigError(f"{folder}: no labels.json, notes.json or cases.json "
                              "(see shared/eval/README.md for the format)")
    reports.append(startup_and_memory(pipeline))
    return reports


# --- start-up and memory ------------------------------------------------------------------

_STARTUP_RUNS = 3
# A worker with every engine loaded, reading a card front (both engines) and a back: its peak
# resident memory (the worker's own measure, ru_maxrss, in KB on Linux).
_WORKER_PROBE = """
import resource, sys, datetime as dt, numpy as np
from cardscan.config import load_pipeline
from cardscan.pipeline import warm
from cardscan.read.engines import default_engines
pipeline = load_pipeline(sys.argv[1] or None)
warm(pipeline)
card = np.full((600, 1050), 255, np.uint8)
for role in ("front", "second", "back"):
    default_engines(pipeline.ocr, role).read(card, page_mode=3)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def startup_and_memory(pipeline: Pipeline) -> SetReport:
    """How long the CLI takes to answer (`--version`, `--help`, `tasks` on an empty
    database; median of three) and a worker's peak resident memory with every engine
    loaded."""
    report = SetReport(name="start-up and memory", kind="system")
    command = [sys.executable, "-m", "cardscan"]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/empty.db"
        Database(url).close()  # made, at this cardscan's schema revision
        runs = {"--version": ["--version"], "--help": ["--help"], "tasks": ["tasks", "--db", url]}
        subprocess.run([*command, *runs["tasks"]], capture_output=True, check=False)
        seconds = {}
        for name, args in runs.items():
            times = []
            for _ in range(_STARTUP_RUNS):
                started = time.perf_counter()
                subprocess.run([*command, *args], capture_output=True, check=False)
                times.append(time.perf_counter() - started)
            seconds[name] = round(statistics.median(times), 3)
    probe = subprocess.run([sys.executable, "-c", _WORKER_PROBE, pipeline.name or ""],
                           capture_output=True, text=True, check=False)
    peak_mb = (round(int(probe.stdout.split()[-1]) / 1024) if probe.returncode == 0
               and probe.stdout.split() else None)
    report.summary = {"cli_seconds": seconds, "worker_peak_mb": peak_mb}
    report.lines += ["| command | seconds (median of 3) |", "|---|---|",
                     *[f"| `cardscan {n}` | {v:.3f} |" for n, v in seconds.items()], "",
                     "peak resident memory of a worker with every engine loaded (Tesseract, "
                     "RapidOCR front and back, the parser's models): "
                     + (f"{peak_mb} MB" if peak_mb else f"not measured ({probe.stderr[-200:]})")]
    return report
