"""Resolving what a user typed (a NUTS code, a country code or name, an organisation, a domain
term) to one graph entity, through codes first and then the full-text index ``entity_names``.

Several equally good matches give candidates to choose from (``Resolution.entity`` is None);
nothing close enough raises ``NotFound`` with the nearest names as suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from neo4j import Driver, Record
from rapidfuzz import fuzz, process

from graph.codes import find_country, fold_name, to_eu_country_code
from graph.errors import NotFound
from graph.schema import FULLTEXT_INDEX, FULLTEXT_STOP_WORDS, NodeLabel
from queries import cypher
from queries.models import Entity, EntityKind, Resolution
from queries.runner import Reader

KIND_LABELS: dict[EntityKind, NodeLabel] = {
    "region": NodeLabel.REGION,
    "country": NodeLabel.COUNTRY,
    "organisation": NodeLabel.ORGANISATION,
    "domain": NodeLabel.DOMAIN,
    "hub": NodeLabel.HUB,
    "cluster": NodeLabel.CLUSTER,
    "project": NodeLabel.PROJECT,
    "consortium": NodeLabel.CONSORTIUM,
    "partnership": NodeLabel.PARTNERSHIP,
}
LABEL_KINDS: dict[str, EntityKind] = {label.value: kind for kind, label in KIND_LABELS.items()}
CONNECTOR_KINDS: frozenset[EntityKind] = frozenset(
    {"hub", "cluster", "project", "consortium", "partnership"}
)

FULLTEXT_LIMIT = 50
MAX_CANDIDATES = 10
MAX_SUGGESTIONS = 6
TOKEN_MATCH = 80  # rapidfuzz ratio at which a typed word counts as matching a name's word

NUTS_CODE = re.compile(r"^[A-Za-z]{2}[0-9A-Za-z]{0,3}$")


@dataclass(frozen=True, slots=True)
class Hit:
    entity: Entity
    names: tuple[str, ...]
    level: int | None
    country_code: str | None


def resolve(
    driver: Driver,
    text: str,
    kinds: Sequence[EntityKind],
    *,
    role: str = "input",
    database: str | None = None,
    timeout: float | None = None,
) -> Resolution:
    """Resolves ``text`` to one entity of the given kinds, or to candidates when ambiguous."""
    return resolve_with(Reader(driver, database, timeout), text, kinds, role=role)


def resolve_with(
    reader: Reader, text: str, kinds: Sequence[EntityKind], *, role: str = "input"
) -> Resolution:
    """``resolve`` for callers that already hold a Reader."""
    wanted = tuple(dict.fromkeys(kinds))
    cleaned = " ".join(text.split())
    if not cleaned:
        raise NotFound(f"the {role} is empty: give a {_kinds_text(wanted)}")
    by_key = _by_key(reader, cleaned, wanted)
    if by_key:
        return _decide(cleaned, by_key, wanted, "by its code")
    if "country" in wanted:
        country = find_country(cleaned)
        if country is not None:
            record = reader.memo_one(cypher.COUNTRY_BY_CODE, code=country.code)
            if record is not None:
                entity = Entity(
                    kind="country",
                    key=record["key"],
                    name=country.name,
                    detail=f"country {country.code} (ISO {country.iso_code})",
                )
                return Resolution(
                    input=text, entity=entity, explanation=f"'{cleaned}' is {country.name}."
                )
    hits = _fulltext(reader, cleaned, wanted)
    folded = fold_name(cleaned)
    exact = [h for h in hits if folded in {fold_name(n) for n in h.names}]
    if exact:
        return _decide(cleaned, exact, wanted, "by its exact name")
    strong = [h for h in hits if _all_tokens_match(folded, h.names)]
    if strong:
        return _decide(cleaned, strong[:MAX_CANDIDATES], wanted, "as the only close match")
    if "region" in wanted:
        country = find_country(cleaned)
        record = reader.memo_one(cypher.REGION_BY_CODE, code=country.code) if country else None
        if country is not None and record is not None:
            entity = _region_hit(
                record["key"], record["name"], record["level"], record["country_code"]
            ).entity
            return Resolution(
                input=text,
                entity=entity,
                explanation=f"'{cleaned}' is {country.name}: the whole country ({entity.key}).",
            )
    raise NotFound(
        f"no {_kinds_text(wanted)} called '{cleaned}'",
        suggestions=_suggestions(reader, cleaned, wanted, hits),
    )


# -- steps --------------------------------------------------------------------------------------


def _by_key(reader: Reader, text: str, kinds: Sequence[EntityKind]) -> list[Hit]:
    """Exact look-ups of natural keys: NUTS ids, country codes, domain codes, uids, PICs."""
    hits: list[Hit] = []
    if NUTS_CODE.match(text) and ("region" in kinds or "country" in kinds):
        code = to_eu_country_code(text[:2]) + text[2:].upper()
        if "country" in kinds and len(code) == 2:
            record = reader.memo_one(cypher.COUNTRY_BY_CODE, code=code)
            if record is not None:
                hits.append(_country_hit(record["key"], record["name"]))
        if "region" in kinds and not hits:
            record = reader.memo_one(cypher.REGION_BY_CODE, code=code)
            if record is not None:
                hits.append(
                    _region_hit(
                        record["key"], record["name"], record["level"], record["country_code"]
                    )
                )
    if "domain" in kinds:
        record = reader.memo_one(cypher.DOMAIN_BY_CODE, code=text.lower().replace(" ", "-"))
        if record is not None:
            hits.append(
                Hit(
                    Entity(
                        kind="domain",
                        key=record["key"],
                        name=record["name"],
                        detail=f"domain ({record['kind']})",
                    ),
                    (record["name"],),
                    None,
                    None,
                )
            )
    if "organisation" in kinds and (":" in text or text.isdigit()):
        for row in reader.rows(cypher.ORGANISATION_BY_KEY, key=text):
            hits.append(_organisation_hit(row))
    if CONNECTOR_KINDS & set(kinds) and ":" in text:
        for row in reader.rows(cypher.CONNECTOR_BY_UID, key=text):
            kind = LABEL_KINDS[row["label"]]
            if kind in kinds:
                hits.append(
                    Hit(
                        Entity(
                            kind=kind,
                            key=row["key"],
                            name=row["name"],
                            detail=row["label"].lower(),
                        ),
                        (row["name"],),
                        None,
                        row["country_code"],
                    )
                )
    return hits


def _fulltext(reader: Reader, text: str, kinds: Sequence[EntityKind]) -> list[Hit]:
    query = fuzzy_lucene_query(text)
    if not query:
        return []
    labels = [KIND_LABELS[k].value for k in kinds]
    hits: list[Hit] = []
    for record in reader.rows(
        cypher.FULLTEXT_SEARCH,
        index=FULLTEXT_INDEX,
        query=query,
        limit=FULLTEXT_LIMIT,
        labels=labels,
    ):
        label = record["label"]
        kind = LABEL_KINDS[label]
        names = tuple(str(n) for n in record["names"] if n)
        if kind == "region":
            hits.append(
                _region_hit(record["key"], record["name"], record["level"], record["country_code"])
            )
        elif kind == "country":
            hits.append(_country_hit(record["key"], record["name"]))
        elif kind == "organisation":
            hits.append(_organisation_hit(record))
        else:
            where = record["located_in"] or record["country_code"]
            hits.append(
                Hit(
                    Entity(
                        kind=kind,
                        key=record["key"],
                        name=record["name"],
                        detail=f"{label.lower()}" + (f" in {where}" if where else ""),
                    ),
                    names,
                    None,
                    record["country_code"],
                )
            )
        if names:
            last = hits[-1]
            hits[-1] = Hit(last.entity, names, last.level, last.country_code)
    return hits


def fuzzy_lucene_query(text: str) -> str:
    """A Lucene query from plain words only (so no Lucene syntax can be injected): the phrase,
    all words, and each word fuzzily or as a prefix."""
    words = re.findall(r"\w+", fold_name(text))
    tokens = [w for w in words if w not in FULLTEXT_STOP_WORDS] or words
    if not tokens:
        return ""
    parts = [f'"{" ".join(tokens)}"^4', "(" + " AND ".join(tokens) + ")^2"]
    parts += [f"{t}~1" for t in tokens if len(t) >= 4]
    parts += [f"{t}*" for t in tokens if len(t) >= 3]
    parts += [t for t in tokens if len(t) < 3]
    return " OR ".join(parts)


def _all_tokens_match(folded: str, names: Iterable[str]) -> bool:
    """Every typed word starts, or nearly equals, a word of one of the names."""
    typed = re.findall(r"\w+", folded)
    for name in names:
        words = re.findall(r"\w+", fold_name(name))
        if typed and all(
            any(w.startswith(t) or (len(t) >= 4 and fuzz.ratio(t, w) >= TOKEN_MATCH) for w in words)
            for t in typed
        ):
            return True
    return False


def _decide(text: str, hits: list[Hit], kinds: Sequence[EntityKind], how: str) -> Resolution:
    """One entity when the hits name one place or thing; candidates otherwise.

    Nested regions with the same name (Kýpros is CY, CY0, CY00 and CY000) are one place: the
    country wins when countries are asked for, else the NUTS 2 region (the level of S3 strategies
    and cohesion categories)."""
    unique = list({(h.entity.kind, h.entity.key): h for h in hits}.values())
    countries = [h for h in unique if h.entity.kind == "country"]
    regions = [h for h in unique if h.entity.kind == "region"]
    others = [h for h in unique if h.entity.kind not in ("country", "region")]
    places: list[Hit] = []
    if countries or regions:
        codes = sorted(h.entity.key for h in regions)
        nested = (
            all(
                any(b.startswith(a) or a.startswith(b) for b in codes if b != a) or len(codes) == 1
                for a in codes
            )
            and len({c[:2] for c in codes}) <= 1
        )
        same_country = len({h.entity.key for h in countries}) <= 1 and (
            not countries or not codes or codes[0][:2] == countries[0].entity.key
        )
        if nested and same_country:
            if countries:
                places = [countries[0]]
            else:
                level2 = [h for h in regions if h.level == 2]
                places = [level2[0] if level2 else min(regions, key=lambda h: h.level or 0)]
        else:
            places = countries + regions
    chosen = places + others
    if len(chosen) == 1:
        entity = chosen[0].entity
        note = ""
        if len(unique) > 1:
            note = (
                f" ({', '.join(h.entity.key for h in unique if h is not chosen[0])} "
                "name the same place)"
            )
        return Resolution(
            input=text,
            entity=entity,
            explanation=f"'{text}' found {how}: {entity.name} ({entity.key}){note}.",
        )
    return Resolution(
        input=text,
        candidates=[h.entity for h in chosen[:MAX_CANDIDATES]],
        explanation=(
            f"'{text}' matches {len(chosen)} candidates "
            f"({', '.join(sorted({h.entity.kind for h in chosen}))}): give the code or the full "
            "name of one of them."
        ),
    )


def _suggestions(
    reader: Reader, text: str, kinds: Sequence[EntityKind], hits: list[Hit]
) -> list[str]:
    """Close names: near misses of the full-text search, then fuzzy matches over the names of
    regions, countries and domains (small sets, fetched by one query each)."""
    choices: dict[str, str] = {}
    if "region" in kinds:
        for record in reader.rows(cypher.REGION_NAMES):
            label = f"{record['name']} ({record['key']})"
            choices[label] = record["name"]
            if NUTS_CODE.match(text):
                choices[label + " "] = record["key"]
    if "country" in kinds:
        for record in reader.rows(cypher.COUNTRY_NAMES):
            choices[f"{record['name']} ({record['key']})"] = record["name"]
    if "domain" in kinds:
        for record in reader.rows(cypher.DOMAIN_NAMES):
            label = f"{record['name']} ({record['key']})"
            choices[label] = record["name"]
            for alias in record["aliases"]:
                choices[f"{alias} -> {label}"] = alias
    found: list[str] = []
    for _value, _score, label in process.extract(
        fold_name(text),
        {k: fold_name(v) for k, v in choices.items()},
        scorer=fuzz.WRatio,
        limit=MAX_SUGGESTIONS,
        score_cutoff=60,
    ):
        found.append(label.strip())
    for hit in hits[:MAX_SUGGESTIONS]:
        found.append(f"{hit.entity.name} ({hit.entity.key})")
    return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]


# -- hits ---------------------------------------------------------------------------------------


def _region_hit(key: str, name: str, level: int | None, country_code: str | None) -> Hit:
    return Hit(
        Entity(
            kind="region",
            key=key,
            name=name,
            detail=f"NUTS {level} region" + (f" in {country_code}" if country_code else ""),
        ),
        (name,),
        level,
        country_code,
    )


def _country_hit(key: str, name: str) -> Hit:
    return Hit(Entity(kind="country", key=key, name=name, detail=f"country {key}"), (name,), 0, key)


def _organisation_hit(record: Record) -> Hit:
    where = record["located_in"] or record["country_code"]
    return Hit(
        Entity(
            kind="organisation",
            key=record["key"],
            name=record["name"] or record["key"],
            detail="organisation" + (f" in {where}" if where else ""),
        ),
        (record["name"] or "",),
        None,
        record["country_code"],
    )


def _kinds_text(kinds: Sequence[EntityKind]) -> str:
    return " or ".join(kinds) if kinds else "thing"
