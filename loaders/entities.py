"""Entity resolution of organisations across sources: one node per real organisation, with the
evidence of every merge kept on the node (``merge_evidence``) so that ``s3graph explain-org``
can say why two records became one.

Usage inside a loader (build once per load, then match each source record)::

    matcher = OrganisationMatcher.from_graph(ctx.driver, ctx.settings.neo4j_database)
    found = matcher.match_and_register(
        Candidate(uid="org:edih:161", source_id="edih:hub_row:161", name="Aalborg Universitet",
                  country_code="DK", website="https://www.aau.dk/edih"))
    found.uid        # 'org:pic:999900716' when CORDIS already loaded the university
    found.rule       # 'web_domain'
    found.evidence   # 'edih:hub_row:161 matched by web_domain aau.dk'
    matcher.merge_evidence(found.uid)   # every evidence string of that node, for its props

Rules, strongest first; the first that finds one organisation wins:

1. ``pic``: the EU Participant Identification Code.
2. ``vat``: VAT number, normalised (``DE 129 515 865`` -> ``DE129515865``; a number without
   country prefix gets the organisation's country, Greece ``EL``).
3. ``web_domain``: the website's host without scheme, ``www.``, port and path, within the same
   country; hosts shared by unrelated organisations (europa.eu, linkedin.com, facebook.com,
   Google Sites, ...) are ignored. A hub's website on a university's host finds the university.
4. ``name``: the normalised name (accents folded, legal forms such as GmbH, S.A., Ltd and
   punctuation removed from its end) within the same country: rapidfuzz ``token_sort_ratio``
   of at least ``NAME_THRESHOLD``, and no distinctive word of one name missing from the other
   (``names_agree``: Palermo is not Salerno, whatever the score). Precision measured on
   hand-checked pairs, ``tests/fixtures/entities/hand_checked_pairs.csv``.

A rule that finds several organisations decides nothing. Two records with different PICs are
never merged (the PIC is the EU's identity of a legal entity); records with different VAT
numbers, countries or legal forms (a group's SA and its SAS) are not merged by website or name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
from neo4j import Driver
from rapidfuzz import fuzz, process

from graph import reads
from graph.codes import fold_name, to_eu_country_code

MatchRule = Literal["pic", "vat", "web_domain", "name", "new"]

# Score (0-100, rapidfuzz token_sort_ratio of normalised names) from which two organisations of
# the same country are taken as one. Chosen on the hand-checked pairs (see module docstring).
NAME_THRESHOLD = 90.0

# Hosts that many unrelated organisations use: a shared host says nothing about identity.
GENERIC_HOSTS: frozenset[str] = frozenset(
    {
        "europa.eu",
        "linkedin.com",
        "facebook.com",
        "fb.com",
        "twitter.com",
        "x.com",
        "instagram.com",
        "youtube.com",
        "google.com",
        "sites.google.com",
        "goo.gl",
        "wordpress.com",
        "blogspot.com",
        "wixsite.com",
        "github.io",
        "github.com",
        "medium.com",
        "cordis.europa.eu",
        "bit.ly",
        "gmail.com",
        "eventbrite.com",
        "researchgate.net",
        # umbrella hosts of governments, shared by departments and agencies
        "gencat.cat",
        "juntadeandalucia.es",
        "xunta.gal",
        "gva.es",
        "euskadi.eus",
        "gob.es",
        "gouv.fr",
        "gov.uk",
        "bund.de",
        "admin.ch",
        "gv.at",
        "overheid.nl",
        "rijksoverheid.nl",
        "gov.pl",
        "gov.pt",
        "gov.gr",
        "gov.it",
        "gov.ie",
    }
)

# Legal-form words and abbreviations, dropped from the end of names before comparing them
# ("sp z o o", "a s" and "e v" are what folding leaves of "Sp. z o.o.", "A/S" and "e.V.").
LEGAL_FORMS: frozenset[str] = frozenset(
    (
        *("gmbh", "mbh", "ggmbh", "ag", "kg", "kgaa", "ohg", "ug", "ev", "e", "v", "eg", "se"),
        *("sa", "sas", "sasu", "sarl", "nv", "bv", "vof", "cvba", "bvba", "scrl", "asbl", "vzw"),
        *("aisbl", "srl", "srls", "spa", "sapa", "scarl", "scpa", "snc", "ltd", "limited", "plc"),
        *("llp", "lp", "llc", "inc", "corp", "co", "oy", "oyj", "ab", "hb", "kb", "as", "asa"),
        *("aps", "a", "s", "ivs", "sl", "slu", "sll", "sccl", "scl", "sau", "lda", "ltda"),
        *("sgps", "sp", "z", "o", "zoo", "spzoo", "sro", "r", "doo", "d", "dd", "ad", "ead"),
        *("ood", "eood", "zrt", "kft", "nyrt", "bt", "ehf", "hf", "ky", "ike", "ae", "epe"),
        *("mepe", "ee", "oe", "pc", "kk", "cic", "ccc", "scs", "sprl", "sca", "ks", "spol"),
        *("zs", "ops", "ry", "ivzw", "gbr", "eurl", "scop", "sce", "eeig", "ewiv", "geie"),
    )
)

_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_JUNK_VAT = re.compile(r"^(N/?A|NONE|NOT ?APPLICABLE|NOTAPPLICABLE|MISSING|NO|X+|0+|-+)$")


@lru_cache(maxsize=65536)
def _split_legal_form(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(name words, trailing legal-form words); cached, names recur in every source."""
    words = fold_name(name, words=True).split()
    form: list[str] = []
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        form.insert(0, words.pop())
    return tuple(words), tuple(form)


def name_key(name: str) -> str:
    """The form in which organisation names are compared: folded, legal forms removed from the
    end ('Fraunhofer-Gesellschaft e.V.' -> 'fraunhofer gesellschaft')."""
    return " ".join(_split_legal_form(name)[0])


def legal_form(name: str) -> str:
    """The legal form a name ends with, letters only ('Storengy S.A.S.' -> 'sas'; '' if none).
    Two names with different legal forms are different legal entities (a group's SA and SAS)."""
    return "".join(_split_legal_form(name)[1])


# Words that say nothing about which organisation a name means.
STOPWORDS: frozenset[str] = frozenset(
    (
        *("the", "of", "and", "for", "de", "di", "da", "del", "della", "degli", "des", "du"),
        *("la", "le", "les", "el", "y", "e", "et", "der", "die", "das", "und", "zu", "von"),
        *("van", "het", "voor", "en", "i", "a", "al", "am", "im"),
    )
)
# Two words count as the same word from this rapidfuzz ratio (plurals, spelling variants, typos:
# 'technologies'/'technology' 82, 'muenchen'/'munchen' 93; 'palermo'/'salerno' 71 does not).
TOKEN_SIMILARITY = 80.0


def _sorted_words(key: str) -> str:
    """The words of a name key in sorted order, as rapidfuzz's ``token_sort_ratio`` compares."""
    return " ".join(sorted(key.split()))


def names_agree(key_a: str, key_b: str) -> bool:
    """True when every word of one name key that the other lacks has a near-identical partner
    there: 'universita degli studi di palermo' and '... di salerno' do not agree however high
    their overall score, 'universidad publica de navarra' and 'universidad de navarra' neither."""
    words_a = set(key_a.split()) - STOPWORDS
    words_b = set(key_b.split()) - STOPWORDS
    only_a, only_b = words_a - words_b, words_b - words_a
    return all(
        any(fuzz.ratio(word, other) >= TOKEN_SIMILARITY for other in others)
        for lonely, others in ((only_a, only_b), (only_b, only_a))
        for word in lonely
    )


@lru_cache(maxsize=65536)
def normalise_vat(vat: str | None, country_code: str | None = None) -> str | None:
    """VAT number without spaces and punctuation, with its country prefix (EU style: EL for
    Greece); None for placeholders such as 'N/A' or numbers too short to identify anyone."""
    if not vat:
        return None
    text = _NON_ALNUM.sub("", vat.upper())
    if not text or _JUNK_VAT.match(vat.strip().upper()) or _JUNK_VAT.match(text):
        return None
    if text[:2].isalpha():
        prefix, number = text[:2], text[2:]
        prefix = {"GR": "EL"}.get(prefix, prefix)  # VAT numbers use EL, not the ISO code
    elif country_code:
        prefix, number = to_eu_country_code(country_code)[:2], text
    else:
        return None
    if len(number) < 6 or not any(c.isdigit() for c in number) or set(number) == {"0"}:
        return None
    return prefix + number


@lru_cache(maxsize=65536)
def web_domain(url: str | None) -> str | None:
    """Host of a website without scheme, 'www.', port and path ('https://www.aau.dk/en' ->
    'aau.dk'); None for empty values and for generic hosts (see ``GENERIC_HOSTS``)."""
    if not url or not url.strip():
        return None
    text = url.strip().lower()
    if "://" not in text:
        text = "http://" + text.lstrip("/")
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return None
    host = re.sub(r"^www\d*\.", "", host).strip(".")
    if "." not in host or re.fullmatch(r"[\d.]+", host):
        return None
    if any(host == g or host.endswith("." + g) for g in GENERIC_HOSTS):
        return None
    return host


@dataclass(frozen=True, slots=True)
class Candidate:
    """An organisation as one source states it.

    ``uid``: the uid it gets when it matches nobody ('org:pic:<PIC>' when the source gives a
    PIC, else 'org:<source>:<id>'); ``source_id``: its id in the source ('cordis:pic:999901318',
    'edih:hub_row:161'), used in the evidence. ``website`` may be any URL; it is normalised.
    ``region``: its NUTS 2 or 3 code when known; a name match in another NUTS 2 is refused.
    """

    uid: str
    source_id: str
    name: str
    country_code: str | None = None
    pic: str | None = None
    vat: str | None = None
    website: str | None = None
    aliases: tuple[str, ...] = ()
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """The organisation a candidate is: ``uid`` (its own uid when ``rule`` is 'new'), the rule
    that decided, a score (100 for key rules, the rapidfuzz score for names) and the evidence
    ('edih:hub_row:161 matched by web_domain aau.dk'; empty when nothing was merged)."""

    uid: str
    rule: MatchRule
    score: float
    evidence: str

    @property
    def merged(self) -> bool:
        """True when the candidate joined an organisation known under another uid."""
        return bool(self.evidence)


class _NameKeys:
    """One country's sorted-word name keys in index order (the order first seen), with a cheap
    exact filter in front of rapidfuzz. ``fuzz.ratio`` is 100 * (1 - indel / (len_a + len_b))
    and the Indel distance is at least the L1 distance of the two keys' character counts (a
    common subsequence holds at most min(count_a(c), count_b(c)) of each character c); counts
    folded into ``_BINS`` bins and capped at 127 only lower that bound. So a look-up computes
    the bound for every key in one numpy step and asks rapidfuzz only about the few keys (under
    1% at the benchmark's 100x scale) that can still reach the cutoff. The bound is at least
    the length difference, so it also drops every key of a length that cannot match."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        # Binned character counts, one column per key (a column per key keeps the sum over
        # bins a fast row-wise reduction), and the key lengths; the first ``_counted`` columns
        # are filled, in batches at look-up time, so appending stays a list append.
        self._counts = np.zeros((_BINS, 0), np.int8)
        self._lengths = np.zeros(0, np.int32)
        self._counted = 0

    def __len__(self) -> int:
        return len(self._keys)

    def append(self, key: str) -> None:
        """Adds ``key`` with the next index."""
        self._keys.append(key)

    def extract(self, query: str, score_cutoff: float, limit: int) -> list[tuple[str, float, int]]:
        """What ``process.extract(query, all_keys, scorer=fuzz.ratio, score_cutoff=...,
        limit=...)`` returns over the keys in index order: (key, score, index), best score
        first and, among equal scores, lowest index first. The keys kept stay in index order,
        so rapidfuzz's own order over them is that order."""
        n = len(self._keys)
        if self._counted < n:
            self._count_new_keys()
        diff = self._counts[:, :n] - _bin_counts([query])
        np.abs(diff, out=diff)
        bound = diff.sum(axis=0, dtype=np.int16)
        # A key can match when indel <= (1 - cutoff / 100) * (len_a + len_b); one unit more
        # so that float rounding (ours or rapidfuzz's) never drops a match.
        slack = (100.0 - score_cutoff) / 100.0
        allowed = np.floor((self._lengths[:n] + len(query)) * slack).astype(np.int32) + 1
        rows = np.flatnonzero(bound <= allowed).tolist()
        best = process.extract(
            query,
            [self._keys[row] for row in rows],
            scorer=fuzz.ratio,
            score_cutoff=score_cutoff,
            limit=limit,
        )
        return [(key, score, rows[i]) for key, score, i in best]

    def _count_new_keys(self) -> None:
        """Counts the keys appended since the last look-up, growing the arrays by doubling."""
        new = self._keys[self._counted :]
        end = len(self._keys)
        if self._counts.shape[1] < end:
            counts = np.zeros((_BINS, 2 * end), np.int8)
            counts[:, : self._counted] = self._counts[:, : self._counted]
            lengths = np.zeros(2 * end, np.int32)
            lengths[: self._counted] = self._lengths[: self._counted]
            self._counts, self._lengths = counts, lengths
        self._counts[:, self._counted : end] = _bin_counts(new)
        self._lengths[self._counted : end] = [len(key) for key in new]
        self._counted = end


# Bins of the character counts of ``_NameKeys``: code point modulo 16, so letters 16 apart
# share a bin (a/q, e/u, i/y, space/p, digits with a-j). Measured at 100x: the bound stays
# nearly as tight as with 32 bins (a few more keys go to rapidfuzz), and the numpy step, which
# costs more than rapidfuzz on the keys kept, takes 15-20% less time.
_BINS = 16


def _bin_counts(keys: list[str]) -> npt.NDArray[np.int8]:
    """Binned character counts of ``keys``, one column per key, capped at 127 (int8)."""
    lengths = [len(key) for key in keys]
    codes = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32) % _BINS
    columns = np.repeat(np.arange(len(keys)), lengths)
    flat = np.bincount(columns * _BINS + codes, minlength=len(keys) * _BINS)
    return np.minimum(flat.reshape(len(keys), _BINS).T, 127).astype(np.int8)


@dataclass(slots=True)
class _Known:
    uid: str
    name: str
    country_code: str | None
    pic: str | None
    vat: str | None
    web_domain: str | None
    legal_forms: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    source_ids: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)


class OrganisationMatcher:
    """Finds which known organisation a source record is; see the module docstring.

    Build with ``from_graph`` (organisations already in the graph, one read query) and
    ``register`` each organisation of the current load (``match_and_register`` does both), so
    that later records of the same load find earlier ones.
    """

    def __init__(self, name_threshold: float = NAME_THRESHOLD) -> None:
        self.name_threshold = name_threshold
        self._orgs: dict[str, _Known] = {}
        self._by_pic: dict[str, str] = {}
        self._by_vat: dict[str, set[str]] = defaultdict(set)
        self._by_domain: dict[str, set[str]] = defaultdict(set)
        self._by_name: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        # Per country, the name keys in the order first seen and the same keys with their words
        # sorted (same index): rapidfuzz's ``ratio`` over pre-sorted words is
        # ``token_sort_ratio`` without re-sorting every known name at every look-up.
        self._name_keys: dict[str, list[str]] = defaultdict(list)
        self._sorted_keys: dict[str, _NameKeys] = defaultdict(_NameKeys)
        # Per country, organisations indexed there that had no PIC: a candidate with a PIC can
        # only be one of them (two PICs are never one organisation).
        self._without_pic: dict[str, set[str]] = defaultdict(set)

    @classmethod
    def from_graph(cls, driver: Driver, database: str | None = None) -> OrganisationMatcher:
        """A matcher that knows every Organisation in the graph."""
        matcher = cls()
        for r in reads.organisations_for_matching(driver, database):
            matcher._add(
                r["uid"],
                r["name"] or "",
                r["country_code"],
                r["pic"],
                r["vat"],
                r["web_domain"],
                region=r["nuts2"],
                names=list(r["aliases"]),
                source_ids=list(r["source_ids"]),
                evidence=list(r["merge_evidence"]),
            )
        return matcher

    def __len__(self) -> int:
        return len(self._orgs)

    def uids(self) -> list[str]:
        """Every organisation the matcher knows."""
        return list(self._orgs)

    # -- registering ---------------------------------------------------------------------------

    def register(self, candidate: Candidate, uid: str | None = None) -> None:
        """Makes an organisation of the current load findable under every key it has
        (``uid``: the organisation it was matched to; default: its own uid)."""
        self._add(
            uid or candidate.uid,
            candidate.name,
            candidate.country_code,
            candidate.pic,
            normalise_vat(candidate.vat, candidate.country_code),
            web_domain(candidate.website),
            region=candidate.region,
            names=list(candidate.aliases),
            source_ids=[candidate.source_id],
        )

    def _add(
        self,
        uid: str,
        name: str,
        country_code: str | None,
        pic: str | None,
        vat: str | None,
        domain: str | None,
        region: str | None = None,
        names: list[str] | None = None,
        source_ids: list[str] | None = None,
        evidence: list[str] | None = None,
    ) -> None:
        known = self._orgs.get(uid)
        if known is None:
            known = _Known(uid, name, country_code, pic, vat, domain)
            self._orgs[uid] = known
        else:
            known.pic = known.pic or pic
            known.vat = known.vat or vat
            known.web_domain = known.web_domain or domain
            known.country_code = known.country_code or country_code
        known.source_ids.update(source_ids or [])
        form = legal_form(name) if name else ""
        if form:
            known.legal_forms.add(form)
        if region and len(region) >= 4:
            known.regions.add(region[:4].upper())
        for item in evidence or []:
            if item not in known.evidence:
                known.evidence.append(item)
        if pic:
            self._by_pic.setdefault(str(pic), uid)
        if vat:
            self._by_vat[vat].add(uid)
        if domain:
            self._by_domain[domain].add(uid)
        country = (country_code or "").upper()
        for each in [name, *(names or [])]:
            key = name_key(each) if each else ""
            if not key:
                continue
            by_key = self._by_name[country]
            if key not in by_key:
                self._name_keys[country].append(key)
                self._sorted_keys[country].append(_sorted_words(key))
            by_key[key].add(uid)
            if known.pic is None:
                self._without_pic[country].add(uid)

    # -- matching ------------------------------------------------------------------------------

    def match(self, candidate: Candidate) -> Match:
        """The organisation ``candidate`` is, by the strongest rule that finds exactly one."""
        pic = str(candidate.pic).strip() if candidate.pic else None
        if pic and pic in self._by_pic:
            return self._found(candidate, self._by_pic[pic], "pic", 100.0, pic)
        vat = normalise_vat(candidate.vat, candidate.country_code)
        if vat:
            hit = self._unique(self._by_vat.get(vat, set()), candidate)
            if hit:
                return self._found(candidate, hit, "vat", 100.0, vat)
        domain = web_domain(candidate.website)
        if domain:
            hit = self._unique(self._by_domain.get(domain, set()), candidate, vat, strict=True)
            if hit:
                return self._found(candidate, hit, "web_domain", 100.0, domain)
        name_hit = self._by_name_rule(candidate, vat)
        if name_hit:
            uid, score, matched = name_hit
            return self._found(candidate, uid, "name", score, f"'{matched}'")
        return Match(candidate.uid, "new", 0.0, "")

    def match_and_register(self, candidate: Candidate) -> Match:
        """``match``, then ``register`` the candidate under the uid found, and keep the
        evidence of a merge for ``merge_evidence``."""
        return self.accept(candidate, self.match(candidate))

    def accept(self, candidate: Candidate, found: Match) -> Match:
        """Registers the candidate as the organisation ``found`` (a loader may check a match
        against rules of its own before accepting it, or accept ``Match(candidate.uid, 'new',
        0.0, '')`` instead)."""
        self.register(candidate, found.uid)
        if found.evidence:
            known = self._orgs[found.uid]
            if found.evidence not in known.evidence:
                known.evidence.append(found.evidence)
        return found

    def merge_evidence(self, uid: str) -> list[str]:
        """Every merge evidence of an organisation: from the graph plus this load."""
        known = self._orgs.get(uid)
        return list(known.evidence) if known else []

    def source_ids(self, uid: str) -> set[str]:
        known = self._orgs.get(uid)
        return set(known.source_ids) if known else set()

    def _unique(
        self,
        uids: set[str],
        candidate: Candidate,
        vat: str | None = None,
        strict: bool = False,
        by_name: bool = False,
    ) -> str | None:
        """The one organisation among ``uids`` that does not contradict the candidate: another
        PIC never; for the weaker rules (``strict``) neither another VAT number, another
        country nor another legal form ('Storengy SA' is not 'Storengy SAS'); for names, no
        other NUTS 2 region either (a hub called INNOVA in Palermo is not Innova Srl of Rome)."""
        fitting = [
            u
            for u in uids
            if not self._conflicts(self._orgs[u], candidate, vat, strict)
            and not (by_name and self._elsewhere(self._orgs[u], candidate))
        ]
        return fitting[0] if len(fitting) == 1 else None

    @staticmethod
    def _elsewhere(known: _Known, candidate: Candidate) -> bool:
        region = (candidate.region or "")[:4].upper()
        return bool(len(region) == 4 and known.regions and region not in known.regions)

    @staticmethod
    def _conflicts(known: _Known, candidate: Candidate, vat: str | None, strict: bool) -> bool:
        pic = str(candidate.pic).strip() if candidate.pic else None
        if pic and known.pic and str(known.pic) != pic:
            return True
        if not strict:
            return False
        if vat and known.vat and known.vat != vat:
            return True
        country = (candidate.country_code or "").upper()
        if country and known.country_code and known.country_code.upper() != country:
            return True
        form = legal_form(candidate.name)
        return bool(form and known.legal_forms and form not in known.legal_forms)

    def _by_name_rule(self, candidate: Candidate, vat: str | None) -> tuple[str, float, str] | None:
        country = (candidate.country_code or "").upper()
        names = self._by_name.get(country)
        if not names or not candidate.name:
            return None
        key = name_key(candidate.name)
        if not key:
            return None
        has_pic = bool(candidate.pic and str(candidate.pic).strip())
        if has_pic and not self._any_without_pic(country):
            return None  # every organisation of the country has another PIC
        exact = names.get(key)
        if exact:
            hit = self._unique(exact, candidate, vat, strict=True, by_name=True)
            return (hit, 100.0, key) if hit else None
        # rapidfuzz narrows the country's names to the five best above the threshold; the word
        # check then drops names that differ in a distinctive word.
        keys = self._name_keys[country]
        best = self._sorted_keys[country].extract(_sorted_words(key), self.name_threshold, 5)
        agreeing = [(keys[i], score) for _, score, i in best if names_agree(key, keys[i])]
        if not agreeing:
            return None
        top_score = max(score for _, score in agreeing)
        tops = [m for m, score in agreeing if score == top_score]
        uids = set().union(*(names[m] for m in tops))
        hit = self._unique(uids, candidate, vat, strict=True, by_name=True)
        return (hit, float(top_score), tops[0]) if hit else None

    def _any_without_pic(self, country: str) -> bool:
        """Whether an organisation indexed under ``country`` still has no PIC. Organisations
        that have gained one since are dropped as they are met, so a call costs O(1) amortised
        rather than a pass over every organisation without a PIC."""
        pending = self._without_pic.get(country)
        while pending:
            uid = next(iter(pending))
            if self._orgs[uid].pic is None:
                return True
            pending.discard(uid)
        return False

    def _found(
        self, candidate: Candidate, uid: str, rule: MatchRule, score: float, key: str
    ) -> Match:
        known = self._orgs[uid]
        same = uid == candidate.uid or candidate.source_id in known.source_ids
        evidence = "" if same else f"{candidate.source_id} matched by {rule} {key}"
        if rule == "name" and evidence:
            evidence += f" (score {score:.0f}, '{known.name}')"
        return Match(uid, rule, score, evidence)
