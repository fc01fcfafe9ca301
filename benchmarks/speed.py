"""Speed of the full pipeline: articles/s and words/s, with load time and peak memory reported apart.

(a) the first 200 documents of ``india-police-events/docs.jsonl`` (publication dates from ``metadata.jsonl``);
(b) the demo articles in ``examples/articles/`` when ``midan.ingest`` can read them.
The ``Pipeline`` is constructed once (spaCy model + gazetteer; its time is "load s") and then timed on the
articles. Single process, default batch size.

    python benchmarks/speed.py [--json PATH] [--limit N]   (or python -m benchmarks.speed)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/speed.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import _common
from benchmarks._common import ROOT, Timer, figure, machine, peak_rss_mb, per_second

COMMAND = "python benchmarks/speed.py"
DEFAULT_DOCS = 200


def india_articles(limit: int) -> list[Any]:
    from benchmarks.india_police import documents
    from midan.schema import Article

    return [Article(id=d.id, text=d.text, published=d.published, origin=f"india-police-events:{d.id}")
            for d in documents(limit)]


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


def run(limit: int | None = None) -> dict[str, Any]:
    from midan.pipeline import Pipeline

    india = india_articles(limit or DEFAULT_DOCS)
    rss_before = peak_rss_mb()
    with Timer() as loading:
        pipeline = Pipeline()
    rss_loaded = peak_rss_mb()
    a = measure(pipeline, india)
    demo = demo_articles()
    b = measure(pipeline, demo) if demo else None
    box = machine()
    figures = {
        "india_articles_per_second": figure(f"articles/s, india-police-events first {a['articles']} docs",
                                            a["articles_per_second"], digits=2),
        "india_words_per_second": figure("words/s, india-police-events", a["words_per_second"], digits=0),
        "india_events": figure("events found, india-police-events", a["events"], digits=0),
    }
    if b is not None:
        figures |= {
            "demo_articles_per_second": figure(f"articles/s, examples/articles ({b['articles']})",
                                               b["articles_per_second"], digits=2),
            "demo_words_per_second": figure("words/s, examples/articles", b["words_per_second"], digits=0),
        }
    figures |= {
        "load_seconds": figure("pipeline load s (spaCy + gazetteer; excluded)", loading.seconds, digits=2),
        "peak_rss_mb": figure("peak RSS MB (whole run)", peak_rss_mb(), digits=0),
        "loaded_rss_mb": figure("peak RSS MB after load", rss_loaded, digits=0),
    }
    return {
        "benchmark": "speed",
        "dataset": "india-police-events/docs.jsonl" + (" + examples/articles" if b else ""),
        "command": COMMAND,
        "figures": figures,
        "machine": box,
        "notes": [f"machine: {box['cpu']}, {box['cores']} cores ({box['usable_cores']} usable), Python "
                  f"{box['python']}; single process",
                  f"peak RSS before the pipeline was built: {rss_before:.0f} MB"],
        "details": {"india": a, "demo": b},
    }


if __name__ == "__main__":
    sys.exit(_common.main(run, None, __doc__))
