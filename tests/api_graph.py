"""A small hand-built graph for the API and explorer tests (a fixture, not real data).

Nordjylland (DK05, more developed) and Kriti (EL43, less developed) with NUTS 0-3 around them,
Trøndelag (NO06) outside EU cohesion policy; a Horizon 2020 project joins Aalborg University and
a Cretan university; a Cretan hub, an EEN consortium, a cluster in a partnership; domains with
S3 priorities; and 30 small firms in Nordjylland so that a neighbourhood must be capped.
"""

from __future__ import annotations

from neo4j import Driver

from graph.schema import NodeLabel as L
from graph.schema import RelType as R
from graph.writer import GraphWriter, Node, Record, Rel

MANY_FIRMS = 30
AAU = "org:pic:900000001"
HMU = "org:pic:900000002"
KRITI_SME = "org:test:kriti-sme"
NORD_BIZ = "org:test:nordjylland-business"
NTNU = "org:pic:900000003"
PROJECT = "cordis:900001"
HUB = "edih:9001"
CONSORTIUM = "een:test-dk"
CLUSTER = "eccp:nordic-tourism"
PARTNERSHIP = "eccp:partnership:test"


def _region(
    nuts_id: str,
    name: str,
    level: int,
    country: str,
    category: str | None = None,
    status: str | None = None,
) -> Node:
    props: dict[str, object] = {
        "name": name,
        "name_latin": name,
        "level": level,
        "country_code": country,
        "nuts_version": "2021",
        "outermost": False,
    }
    if category:
        props["category"] = category
    if status:
        props["category_status"] = status
    return Node(L.REGION, nuts_id, props, "regions")


def _org(uid: str, name: str, country: str, source: str = "cordis") -> Node:
    return Node(
        L.ORGANISATION,
        uid,
        {"name": name, "country_code": country, "activity_type": "HES"},
        source,
        source_ids=(f"{source}:{uid}",),
    )


def _rel(rel: R, start: tuple[L, str], end: tuple[L, str], source: str, **props: object) -> Rel:
    return Rel(rel, start[0], start[1], end[0], end[1], dict(props), source)


def records() -> list[Record]:
    out: list[Record] = []
    outside = "outside EU cohesion policy"
    regions = [
        _region("DK", "Danmark", 0, "DK"),
        _region("DK0", "Danmark", 1, "DK"),
        _region("DK05", "Nordjylland", 2, "DK", "more developed"),
        _region("DK050", "Nordjylland", 3, "DK"),
        _region("EL", "Elláda", 0, "EL"),
        _region("EL4", "Nisia Aigaiou, Kriti", 1, "EL"),
        _region("EL43", "Kriti", 2, "EL", "less developed"),
        _region("EL431", "Irakleio", 3, "EL"),
        _region("EL42", "Notio Aigaio", 2, "EL", "transition"),
        _region("NO", "Norge", 0, "NO"),
        _region("NO0", "Norge", 1, "NO"),
        _region("NO06", "Trøndelag", 2, "NO", status=outside),
    ]
    out += regions
    for child, parent in [
        ("DK0", "DK"),
        ("DK05", "DK0"),
        ("DK050", "DK05"),
        ("EL4", "EL"),
        ("EL43", "EL4"),
        ("EL431", "EL43"),
        ("EL42", "EL4"),
        ("NO0", "NO"),
        ("NO06", "NO0"),
    ]:
        out.append(_rel(R.PART_OF, (L.REGION, child), (L.REGION, parent), "regions"))
    for code, iso, name, member in [
        ("DK", "DK", "Denmark", True),
        ("EL", "GR", "Greece", True),
        ("NO", "NO", "Norway", False),
    ]:
        out.append(
            Node(L.COUNTRY, code, {"name": name, "iso_code": iso, "eu_member": member}, "regions")
        )
        out.append(_rel(R.IN_COUNTRY, (L.REGION, code), (L.COUNTRY, code), "regions"))

    for code, name, kind in [
        ("tourism", "Tourism", "ecosystem"),
        ("digital", "Digital", "ecosystem"),
        ("energy-renewables", "Energy-Renewables", "ecosystem"),
        ("green-hydrogen", "Green hydrogen", "theme"),
    ]:
        out.append(Node(L.DOMAIN, code, {"name": name, "kind": kind}, "domains"))
    out.append(
        _rel(
            R.SUBDOMAIN_OF,
            (L.DOMAIN, "green-hydrogen"),
            (L.DOMAIN, "energy-renewables"),
            "domains",
        )
    )
    for region, domain in [("DK05", "tourism"), ("EL43", "tourism"), ("EL43", "digital")]:
        uid = f"s3:{region}:{domain}"
        out.append(Node(L.S3_PRIORITY, uid, {"title": f"{domain} in {region}"}, "s3"))
        out.append(_rel(R.HAS_PRIORITY, (L.REGION, region), (L.S3_PRIORITY, uid), "s3"))
        out.append(_rel(R.IN_DOMAIN, (L.S3_PRIORITY, uid), (L.DOMAIN, domain), "s3"))

    out += [
        _org(AAU, "Aalborg Universitet", "DK"),
        _org(HMU, "Hellenic Mediterranean University", "EL"),
        _org(KRITI_SME, "Kriti Tourism Services", "EL", "edih"),
        _org(NORD_BIZ, "Nordjylland Business Link", "DK", "een"),
        _org(NTNU, "Norges teknisk-naturvitenskapelige universitet", "NO"),
    ]
    for uid, region, source in [
        (AAU, "DK050", "cordis"),
        (HMU, "EL431", "cordis"),
        (KRITI_SME, "EL43", "edih"),
        (NORD_BIZ, "DK05", "een"),
        (NTNU, "NO06", "cordis"),
    ]:
        out.append(_rel(R.LOCATED_IN, (L.ORGANISATION, uid), (L.REGION, region), source))

    out.append(
        Node(
            L.PROJECT,
            PROJECT,
            {"acronym": "TOURLINK", "project_id": "900001", "programme": "H2020"},
            "cordis",
        )
    )
    out.append(
        _rel(
            R.PARTICIPATED_IN,
            (L.ORGANISATION, AAU),
            (L.PROJECT, PROJECT),
            "cordis",
            role="coordinator",
        )
    )
    out.append(
        _rel(
            R.PARTICIPATED_IN,
            (L.ORGANISATION, HMU),
            (L.PROJECT, PROJECT),
            "cordis",
            role="participant",
        )
    )
    out.append(_rel(R.IN_DOMAIN, (L.PROJECT, PROJECT), (L.DOMAIN, "tourism"), "cordis"))

    for name in ("EDIH", "EEN", "ECCP"):
        out.append(Node(L.NETWORK, name, {"name": name}, "edih"))
    out.append(
        Node(L.HUB, HUB, {"name": "Crete Digital Hub", "acronym": "CDH", "status": "EDIH"}, "edih")
    )
    out.append(_rel(R.LOCATED_IN, (L.HUB, HUB), (L.REGION, "EL43"), "edih"))
    out.append(_rel(R.PARTNER_IN, (L.ORGANISATION, HMU), (L.HUB, HUB), "edih", role="partner"))
    out.append(_rel(R.PARTNER_IN, (L.ORGANISATION, KRITI_SME), (L.HUB, HUB), "edih"))
    out.append(_rel(R.OFFERS, (L.HUB, HUB), (L.DOMAIN, "digital"), "edih"))
    out.append(_rel(R.IN_NETWORK, (L.HUB, HUB), (L.NETWORK, "EDIH"), "edih"))

    out.append(Node(L.CONSORTIUM, CONSORTIUM, {"name": "EEN Denmark", "network": "EEN"}, "een"))
    out.append(_rel(R.MEMBER_OF, (L.ORGANISATION, NORD_BIZ), (L.CONSORTIUM, CONSORTIUM), "een"))
    out.append(_rel(R.MEMBER_OF, (L.ORGANISATION, AAU), (L.CONSORTIUM, CONSORTIUM), "een"))
    out.append(_rel(R.IN_NETWORK, (L.CONSORTIUM, CONSORTIUM), (L.NETWORK, "EEN"), "een"))

    out.append(Node(L.CLUSTER, CLUSTER, {"name": "Nordic Tourism Cluster", "members": 42}, "eccp"))
    out.append(_rel(R.LOCATED_IN, (L.CLUSTER, CLUSTER), (L.REGION, "DK05"), "eccp"))
    out.append(_rel(R.ACTIVE_IN, (L.CLUSTER, CLUSTER), (L.DOMAIN, "tourism"), "eccp"))
    out.append(Node(L.PARTNERSHIP, PARTNERSHIP, {"acronym": "TOUR-EU"}, "eccp"))
    out.append(_rel(R.IN_PARTNERSHIP, (L.CLUSTER, CLUSTER), (L.PARTNERSHIP, PARTNERSHIP), "eccp"))
    out.append(_rel(R.RUNS, (L.ORGANISATION, NORD_BIZ), (L.CLUSTER, CLUSTER), "eccp"))

    for i in range(1, MANY_FIRMS + 1):
        uid = f"org:test:firm-{i:02d}"
        out.append(_org(uid, f"Nordjylland Firm {i:02d}", "DK", "een"))
        out.append(_rel(R.LOCATED_IN, (L.ORGANISATION, uid), (L.REGION, "DK050"), "een"))
    return out


def build(driver: Driver, database: str | None) -> None:
    """Writes the graph (the caller starts from an empty one)."""
    stats = GraphWriter(driver, database).write(records())
    assert not stats.missing_ends, stats.missing_ends
