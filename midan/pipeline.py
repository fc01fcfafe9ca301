"""The pipeline: named stages over parsed articles, spaCy-style.

``Pipeline`` loads the spaCy model and the gazetteer once, parses articles in batches with ``nlp.pipe`` and runs
each named stage over the result:

    detect   -> find event mentions, code their sub-event type, reject non-events
    geo      -> resolve toponyms; choose the place where each mention happened
    timex    -> tag time expressions (timex); date each mention (dating: background history is rejected here)
    actors   -> ACLED-named actor1/actor2 and associated actors
    counts   -> fatalities and crowd size
    assemble -> one record per actor pair, place and day

One bad article does not stop a batch: the error is logged with the article's origin and the article skipped.

Speed, without changing a record: the stages only read what a mention needs, so work that cannot lead to one is
skipped. A cheap first pass on the tokens (:mod:`midan.prefilter`) sends to the full parse only the articles that
may hold a cue word; an article without one gets a tokenized Doc and no stage runs on it (it would yield no
mention). After ``classify``, the stages that place, date and code mentions run only when a mention is still live.
``n_process`` parses in that many processes (spaCy's ``nlp.pipe(n_process=...)``); the stages stay in this one.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from midan import actors, assemble, classifier, confidence, counts, dating, detect, geo, nlp, timex
from midan._version import __version__
from midan.classifier import Classification, classify
from midan.gazetteer import Gazetteer
from midan.mention import EventLocation, Mention, Timex, Toponym
from midan.prefilter import CueGate
from midan.schema import Article, Event

logger = logging.getLogger(__name__)

__all__ = ["Analysis", "Classification", "Pipeline", "classify", "extract"]


@dataclass
class Analysis:
    """Everything the pipeline learnt about one article."""

    article: Article
    doc: Doc
    toponyms: list[Toponym] = field(default_factory=list)
    timexes: list[Timex] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    #: every record assembled, before the confidence threshold, with the features its confidence came from
    candidates: list[tuple[Event, dict[str, float]]] = field(default_factory=list)
    #: False when the first pass found no cue word: ``doc`` is then tokenized only, and no stage ran
    parsed: bool = True

    @property
    def rejected(self) -> list[Mention]:
        return [m for m in self.mentions if m.rejected]

    def explanations(self) -> list[dict[str, Any]]:
        """Every candidate mention that was not coded, with the rule that rejected it."""
        return [{"article_id": self.article.id, **m.explain()} for m in self.rejected]


Stage = Callable[[Analysis], None]
#: the classifier rejects a sentence's mentions when "no event" is this probable, and retypes a sentence's only
#: mention when another type is (set on the demo and own gold articles, not on benchmark data)
NO_EVENT_FLOOR = 0.8
RETYPE_FLOOR = 0.6
#: records below this confidence are not written by default (``--min-confidence 0`` keeps them). It gives the best
#: core F1 on the 400 coded articles with the model cross-validated by article (``benchmarks/article_events.py
#: --annotated``) and, within 0.001 of the best, on the article-events dev set, with more precision than the lower
#: thresholds; higher thresholds buy precision with recall (the README's table)
DEFAULT_MIN_CONFIDENCE = 0.4
#: stages that only work on live mentions: after ``classify`` they are skipped when none is left (the
#: article's toponyms and time expressions are then not computed: no record would use them)
LIVE_STAGES = frozenset({"geo", "timex", "actors", "counts", "assemble"})


class Pipeline:
    """Articles in, ACLED events out. Construct once; call :meth:`pipe` on batches of articles."""

    def __init__(self, spacy_model: Language | None = None, gazetteer: Gazetteer | None = None,
                 min_confidence: float = DEFAULT_MIN_CONFIDENCE, model: classifier.Model | None = None,
                 record_model: confidence.RecordModel | bool | None = True, *, n_process: int = 1,
                 prefilter: bool = True) -> None:
        """``record_model`` sets the records' confidence: ``True`` loads the shipped one, ``None`` leaves the
        rules' own score (what :mod:`midan.training_records` fits the model from). ``n_process`` is the number of
        processes that parse; ``prefilter=False`` parses every article in full (the records are the same)."""
        if n_process < 1:
            raise ValueError(f"n_process must be at least 1, not {n_process}")
        self.nlp = spacy_model or nlp.load()
        self.n_process = n_process
        self.gate: CueGate | None = CueGate(self.nlp) if prefilter else None
        self.gazetteer = gazetteer or Gazetteer()
        self.min_confidence = min_confidence
        self.model = model or classifier.load()
        self.record_model = confidence.load() if record_model is True else record_model
        self.version = f"midan {__version__}; {nlp.model_version(self.nlp)}; gazetteer {self.gazetteer.version}"
        self.stages: list[tuple[str, Stage]] = [
            ("detect", self._detect),
            ("classify", self._classify),
            ("geo", self._geo),
            ("timex", self._timex),
            ("actors", self._actors),
            ("counts", self._counts),
            ("assemble", self._assemble),
        ]

    @property
    def stage_names(self) -> list[str]:
        return [name for name, _ in self.stages]

    def replace_stage(self, name: str, stage: Stage) -> None:
        """Swap one named stage for another callable (for experiments and tests)."""
        for i, (existing, _) in enumerate(self.stages):
            if existing == name:
                self.stages[i] = (name, stage)
                return
        raise KeyError(f"no stage named {name!r}; stages are {self.stage_names}")

    def __call__(self, article: Article) -> Analysis:
        return next(iter(self.pipe([article])))

    def pipe(self, articles: Iterable[Article], batch_size: int = 16) -> Iterator[Analysis]:
        """Analyse articles in batches, in their order; an article that fails is logged and skipped."""
        for article, doc, parsed in self._parse(articles, batch_size):
            analysis = Analysis(article, doc, parsed=parsed)
            if not parsed:
                yield analysis  # no cue word: no mention, no record, nothing to explain
                continue
            try:
                for name, stage in self.stages:
                    if name in LIVE_STAGES and not self._live(analysis):
                        continue
                    stage(analysis)
            except Exception as exc:  # one bad article must not stop a batch
                logger.warning("%s: skipped article %s: %s: %s", article.origin or "-", article.id,
                               type(exc).__name__, exc)
                logger.debug("article %s failed", article.id, exc_info=True)
                continue
            yield analysis

    def _parse(self, articles: Iterable[Article], batch_size: int) -> Iterator[tuple[Article, Doc, bool]]:
        """Each article with its Doc, in input order: parsed in full when the first pass finds a cue word, else
        only tokenized. One ``nlp.pipe`` stream carries the articles to parse (so ``n_process`` starts its
        processes once); the others wait in a queue and are given back in their place."""
        waiting: deque[tuple[Article, Doc | None]] = deque()

        def to_parse() -> Iterator[tuple[Doc | str, Article]]:
            for article in articles:
                doc = self.nlp.make_doc(article.text)
                if self.gate is None or self.gate(doc):
                    waiting.append((article, None))
                    # a Doc would be pickled to the other processes: they tokenize the text again instead
                    yield (doc if self.n_process == 1 else article.text), article
                else:
                    waiting.append((article, doc))

        def screened() -> Iterator[tuple[Article, Doc, bool]]:
            while waiting and waiting[0][1] is not None:
                article, doc = waiting.popleft()
                assert doc is not None
                yield article, doc, False

        for doc, article in self.nlp.pipe(to_parse(), batch_size=batch_size, as_tuples=True,
                                          n_process=self.n_process):
            yield from screened()
            waiting.popleft()
            yield article, doc, True
        yield from screened()

    # --- stages -----------------------------------------------------------------------------------------------

    def _detect(self, analysis: Analysis) -> None:
        analysis.mentions = detect.mentions(analysis.doc)
        end = headline_end(analysis.article)
        for mention in analysis.mentions:
            if mention.start < end and mention.sub_event_type and not mention.rejected:
                mention.rejected = "headline: it sums up the story, whose events are coded from its body"

    def _classify(self, analysis: Analysis) -> None:
        """The learned classifier's verdict on each sentence with a coded mention: it may retype the sentence's
        single mention, rejects mentions in sentences it is sure report no ACLED event, and sets each score."""
        sentences: dict[int, list[Mention]] = {}
        for mention in analysis.mentions:
            sentences.setdefault(mention.sentence.start, []).append(mention)
        units = [found for found in sentences.values() if any(m.sub_event_type and not m.rejected for m in found)]
        if not units:
            return
        embeddings = classifier.encoder().encode([found[0].sentence.text for found in units])
        rules = np.vstack([classifier.rule_features(found) for found in units])
        for found, prediction in zip(units, self.model.predict(embeddings, rules), strict=True):
            live = [m for m in found if m.sub_event_type and not m.rejected]
            if prediction.label == classifier.NO_EVENT and prediction.probability >= NO_EVENT_FLOOR:
                for mention in live:
                    mention.rejected = (f"below threshold: the classifier finds no ACLED event in the sentence "
                                        f"(p={prediction.probability:.2f})")
                continue
            if (len(live) == 1 and prediction.label not in (classifier.NO_EVENT, live[0].sub_event_type)
                    and prediction.probability >= RETYPE_FLOOR):
                live[0].rule += f"; classifier retyped {live[0].sub_event_type} as {prediction.label}"
                live[0].sub_event_type = prediction.label
            for mention in live:
                mention.rule_score = mention.score
                mention.no_event = prediction.probabilities[classifier.NO_EVENT]
                mention.type_probability = prediction.probabilities[mention.sub_event_type]
                mention.score = 0.5 * mention.score + 0.5 * mention.type_probability
        detect.link_outcomes(analysis.mentions)

    def _live(self, analysis: Analysis) -> list[Mention]:
        return [m for m in analysis.mentions if m.sub_event_type and not m.rejected]

    def _geo(self, analysis: Analysis) -> None:
        analysis.toponyms = geo.geoparse(analysis.doc, self.gazetteer, self.gazetteer.home(analysis.article.home))
        story: EventLocation | None = None  # the place of the first event of the last sentence that had one
        mentions = sorted(self._live(analysis), key=lambda m: m.start)
        for _, in_sentence in itertools.groupby(mentions, key=lambda m: m.sentence.start):
            placed = []
            for mention in in_sentence:
                location = geo.event_location(mention.trigger, analysis.toponyms, self.gazetteer, story)
                if location is None:
                    mention.rejected = "no event place: no town or region is attached to the event"
                else:
                    mention.location = location
                    placed.append(location)
            story = placed[0] if placed else story

    def _timex(self, analysis: Analysis) -> None:
        published = analysis.article.published
        analysis.timexes = timex.tag(nlp.doc_text(analysis.doc), published, analysis.doc)
        for mention in self._live(analysis):
            dated = dating.anchor(mention.trigger, analysis.timexes, published)
            if isinstance(dated, dating.Undated):
                mention.rejected = dated.reason
            else:
                mention.date = dated

    def _actors(self, analysis: Analysis) -> None:
        for mention in self._live(analysis):
            country = mention.location.place.country if mention.location else ""
            actors.assign(mention, country, self._demonym_country)
        for mention in self._live(analysis):
            act = mention.act
            if act is not None and act.actor1 is not None and not act.rejected and (
                    mention.actor1 is None or mention.actor1.start < 0):
                mention.actor1 = act.actor1  # the deaths an air strike caused: the strike's perpetrator
        actors.air_forces_of_story(self._live(analysis))

    def _demonym_country(self, text: str) -> str | None:
        place = self.gazetteer.country(text)
        return place.country if place is not None else None

    def _counts(self, analysis: Analysis) -> None:
        for mention in self._live(analysis):
            clause = mention.clause or list(mention.sentence)
            mention.fatalities = counts.fatalities(clause)
            crowd = counts.crowd_size(clause)
            if crowd is not None:
                mention.crowd, mention.crowd_span = crowd[0], (crowd[1], crowd[2])

    def _assemble(self, analysis: Analysis) -> None:
        analysis.candidates = assemble.candidates(analysis.article, analysis.mentions, self.version,
                                                  timexes=analysis.timexes, toponyms=analysis.toponyms,
                                                  gazetteer=self.gazetteer, model=self.record_model)
        analysis.events = [e for e, _ in analysis.candidates if e.confidence >= self.min_confidence]


#: how far into the text a headline run into the body may end ("Sat 24 Aug 2013 Damascus explosion due to ...")
HEADLINE_REACH = 250


def headline_end(article: Article) -> int:
    """Where the headline ends when the text opens with it: as a paragraph of its own, or run into the first
    sentence after a date or a byline, as some feeds and archives print it (0 otherwise)."""
    title = " ".join(article.title.split())
    text = article.text
    if not title or len(title) < 15:
        return 0
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    if end >= 0 and " ".join(text[start:end].split()) == title and text[end:].strip():
        return end
    found = text.find(title, 0, HEADLINE_REACH + len(title))
    return found + len(title) if found >= 0 and text[found + len(title):].strip() else 0


def extract(articles: Iterable[Article], pipeline: Pipeline | None = None, batch_size: int = 16,
            n_process: int = 1) -> Iterator[Event]:
    """Events of every article, in article order (``n_process``: parsing processes, when no pipeline is given)."""
    pipeline = pipeline or Pipeline(n_process=n_process)
    for analysis in pipeline.pipe(articles, batch_size=batch_size):
        yield from analysis.events

