"""Accuracy and speed on labelled card sets (the format of shared/eval/README.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import statistics
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .config import Pipeline
from .errors import CardscanError, ConfigError
from .loading import read_card_image
from .model import Note, OcrResult, contact_record
from .parse import parse_front
from .parse.lines import fold
from .pipeline import Context, Job, card_json, engine_for, ocr_side, scan

FIELDS = ("name", "given_name", "family_name", "title", "company", "phones", "emails",
          "website", "address", "met_on", "event", "topics", "actions", "priority")
_SIMILAR = 80  # rapidfuzz ratio (0-100) for "close similarity"
_BARE_SAMPLE = 30  # images timed with a bare tesseract call, per set


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

def _bench_one(job: Job, ctx: Context) -> tuple[dict[str, Any] | None, float, str]:
    started = time.perf_counter()
    try:
        out = card_json(scan(job, ctx))
        return out, time.perf_counter() - started, ""
    except CardscanError as e:
        return None, time.perf_counter() - started, str(e)


def run_card_set(folder: Path, pipeline: Pipeline, executor: Executor) -> SetReport:
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    reference = dt.date.fromisoformat(labels.get("reference_date", dt.date.today().isoformat()))
    ctx = Context(pipeline=pipeline, today=reference, met=reference)
    cards = labels["cards"]
    jobs = [Job(folder / c["front"], folder / c["back"] if c.get("back") else None)
            for c in cards]
    started = time.perf_counter()
    results = list(executor.map(_bench_one, jobs, [ctx] * len(jobs)))
    wall = time.perf_counter() - started
    by_field: dict[str, FieldScore] = defaultdict(FieldScore)
    by_condition: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors = []
    for card, (out, _, error) in zip(cards, results, strict=True):
        if error:
            errors.append(error)
        for key, (exp, prod, match, hit) in score_fields(card["expected"], out or {}).items():
            fs = by_field[key]
            fs.expected += exp
            fs.produced += prod
            fs.matched += match
            fs.hits += hit
            fs.cards += 1
            cond = by_condition[card.get("condition", "unknown")]
            cond[0] += hit
            cond[1] += 1
    seconds = [s for _, s, _ in results]
    bare = bare_tesseract_seconds([j.front for j in jobs])
    return _card_report(folder.name, by_field, by_condition, seconds, wall, bare, errors)


def _card_report(name: str, by_field: dict[str, FieldScore],
                 by_condition: dict[str, list[int]], seconds: list[float], wall: float,
                 bare: float | None, errors: list[str]) -> SetReport:
    report = SetReport(name=name, kind="cards")
    report.lines.append("| field | cards | recall | precision | card accuracy |")
    report.lines.append("|---|---|---|---|---|")
    for key in FIELDS:
        if key in by_field:
            fs = by_field[key]
            report.lines.append(f"| {key} | {fs.cards} | {fs.recall:.2f} | {fs.precision:.2f} "
                                f"| {fs.hits / fs.cards:.2f} |")
    report.lines += ["", "| condition | cards' fields | field accuracy |", "|---|---|---|"]
    total = [0, 0]
    for cond, (hits, n) in sorted(by_condition.items()):
        report.lines.append(f"| {cond} | {n} | {hits / n:.3f} |")
        total[0] += hits
        total[1] += n
    accuracy = total[0] / total[1] if total[1] else 0.0
    report.lines.append(f"| **all** | {total[1]} | **{accuracy:.3f}** |")
    per_card = statistics.mean(seconds) if seconds else 0.0
    bare_text = f"{bare:.3f} s" if bare is not None else "n/a"
    report.lines.append(
        f"\n{len(seconds)} cards; cardscan {per_card:.3f} s/card (mean, one worker's time), "
        f"{len(seconds) / wall:.2f} cards/s wall; bare `tesseract IMG stdout`: {bare_text}/image")
    report.lines += [f"error: {e}" for e in errors]
    report.summary = {
        "accuracy": round(accuracy, 4),
        "conditions": {c: round(h / n, 4) for c, (h, n) in by_condition.items()},
        "fields": {k: {"recall": round(v.recall, 4), "precision": round(v.precision, 4)}
                   for k, v in by_field.items()},
        "seconds_per_card": round(per_card, 4), "bare_tesseract_seconds": bare,
        "errors": len(errors),
    }
    return report


def bare_tesseract_seconds(images: list[Path]) -> float | None:
    """Mean time of a plain ``tesseract IMG stdout`` call (OMP_THREAD_LIMIT=1) on a sample."""
    step = max(1, len(images) // _BARE_SAMPLE)
    sample = images[::step][:_BARE_SAMPLE]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    times = []
    for image in sample:
        started = time.perf_counter()
        done = subprocess.run(["tesseract", str(image), "stdout"], capture_output=True,
                              env=env, check=False)
        if done.returncode == 0:
            times.append(time.perf_counter() - started)
    return round(statistics.mean(times), 4) if times else None


# --- reading sets: handwriting items and parser text cases ---------------------------------

def run_item_set(name: str, folder: Path, items: list[dict[str, Any]],
                 pipeline: Pipeline, executor: Executor) -> SetReport:
    """OCR each labelled image as a back and compare the text (CER, word recall)."""
    paths = [folder / it["image"] for it in items]
    results = list(executor.map(_read_text, paths, [pipeline] * len(paths)))
    by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for item, (text, _) in zip(items, results, strict=True):
        by_kind[item.get("kind", "note")].append(_text_scores(item["text"], text))
    report = SetReport(name=name, kind="text")
    report.lines += ["| kind | images | CER | word recall |", "|---|---|---|---|"]
    for kind, scores in sorted(by_kind.items()):
        cer = statistics.mean(s[0] for s in scores)
        recall = statistics.mean(s[1] for s in scores)
        report.lines.append(f"| {kind} | {len(scores)} | {cer:.3f} | {recall:.2f} |")
        report.summary[kind] = {"cer": round(cer, 4), "word_recall": round(recall, 4)}
    seconds = statistics.mean(s for _, s in results) if results else 0.0
    report.lines.append(f"\n{len(items)} images; {seconds:.3f} s/image")
    return report


def _read_text(path: Path, pipeline: Pipeline) -> tuple[str, float]:
    started = time.perf_counter()
    ctx = Context(pipeline=pipeline, today=dt.date.today())
    try:
        ocr = ocr_side(read_card_image(path), page_mode=pipeline.ocr.back_page_mode, ctx=ctx)
        text = ocr.text
    except CardscanError:
        text = ""
    return text, time.perf_counter() - started


def _text_scores(expected: str, got: str) -> tuple[float, float]:
    want = re.sub(r"\s+", " ", expected).strip()
    have = re.sub(r"\s+", " ", got).strip()
    cer = Levenshtein.distance(want, have) / max(1, len(want))
    want_words = [w.lower() for w in want.split()]
    have_words = {w.lower() for w in have.split()}
    recall = sum(w in have_words for w in want_words) / max(1, len(want_words))
    return min(cer, 1.0), recall


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
    engine_for(pipeline)  # fail early, in this process, if Tesseract is missing
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
    engine_for(pipeline)  # fail early in the parent too if Tesseract is missing
    return reports
