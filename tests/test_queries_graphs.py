"""A small hand-built graph for the query tests, written through the real GraphWriter.

Its answers are known by construction (see ``build_toy_europe``): which organisations are tied to
which, through what, and which organisations can only be reached through a Network or a Region
node (so a correct path search must never find them). This module holds no tests itself.
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver

from graph.meta import bump_graph_version
from graph.schema import NodeLabel, RelType
from graph.writer import GraphWriter, Node, Record, Rel

SOURCE = "test-toy"

# Regions: (code, name, level, parent, category, outermost, status)
REGIONS: list[tuple[str, str, int, str | None, str | None, bool, str | None]] = [
    ("DK", "Danmark", 0, None, None, False, None),
    ("DK0", "Danmark", 1, "DK", None, False, None),
    ("DK05", "Nordjylland", 2, "DK0", "more developed", False, None),
    ("DK050", "Nordjylland", 3, "DK05", None, False, None),
    ("DK01", "Hovedstaden", 2, "DK0", "more developed", False, None),
    ("DK011", "Byen København", 3, "DK01", None, False, None),
    ("EL", "Elláda", 0, None, None, False, None),
    ("EL6", "Kentriki Ellada", 1, "EL", None, False, None),
    ("EL63", "Dytiki Elláda", 2, "EL6", "less developed", False, None),
    ("EL632", "Achaia", 3, "EL63", None, False, None),
    ("EL4", "Nisia Aigaiou, Kriti", 1, "EL", None, False, None),
    ("EL43", "Kriti", 2, "EL4", "less developed", False, None),
    ("EL431", "Irakleio", 3, "EL43", None, False, None),
    ("BG", "Bulgaria", 0, None, None, False, None),
    ("BG3", "Severna i Yugoiztochna Bulgaria", 1, "BG", None, False, None),
    ("BG31", "Severozapaden", 2, "BG3", "less developed", False, None),
    ("BG311", "Vidin", 3, "BG31", None, False, None),
    ("PT", "Portugal", 0, None, None, False, None),
    ("PT1", "Continente", 1, "PT", None, False, None),
    ("PT11", "Norte", 2, "PT1", "less developed", False, None),
    ("PT111", "Alto Minho", 3, "PT11", None, False, None),
    ("PT2", "Região Autónoma dos Açores", 1, "PT", None, False, None),
    ("PT20", "Região Autónoma dos Açores", 2, "PT2", "less developed", True, None),
    ("PT200", "Região Autónoma dos Açores", 3, "PT20", None, False, None),
    ("ES", "España", 0, None, None, False, None),
    ("ES6", "Sur", 1, "ES", None, False, None),
    ("ES61", "Andalucía", 2, "ES6", "transition", False, None),
    ("ES612", "Cádiz", 3, "ES61", None, False, None),
    ("CY", "Kýpros", 0, None, None, False, None),
    ("CY0", "Kýpros", 1, "CY", None, False, None),
    ("CY00", "Kýpros", 2, "CY0", "transition", False, None),
    ("CY000", "Kýpros", 3, "CY00", None, False, None),
    ("NO", "Norge", 0, None, None, False, None),
    ("NO0", "Norge", 1, "NO", None, False, None),
    ("NO07", "Nord-Norge", 2, "NO0", None, False, "outside EU cohesion policy"),
    ("NO071", "Nordland", 3, "NO07", None, False, None),
]

COUNTRIES = [
    ("DK", "DK", "Denmark", True),
    ("EL", "GR", "Greece", True),
    ("BG", "BG", "Bulgaria", True),
    ("PT", "PT", "Portugal", True),
    ("ES", "ES", "Spain", True),
    ("CY", "CY", "Cyprus", True),
    ("NO", "NO", "Norway", False),
]

DOMAINS = [
    ("digital", "Digital", "ecosystem", [], ["ict"]),
    ("energy-renewables", "Energy-Renewables", "ecosystem", [], ["energy", "renewables"]),
    ("green-transition", "Green transition", "theme", ["energy-renewables"], ["climate"]),
    (
        "green-hydrogen",
        "Green hydrogen",
        "theme",
        ["energy-renewables", "green-transition"],
        ["hydrogen"],
    ),
    ("tourism", "Tourism", "ecosystem", [], ["travel"]),
    ("blue-economy", "Blue economy", "theme", ["tourism"], ["maritime"]),
    ("health", "Health", "ecosystem", [], ["medical"]),
]

# Organisations: (key, name, region, activity type)
ORGANISATIONS = [
    ("aau", "AALBORG UNIVERSITET", "DK050", "HES"),
    ("njr", "REGION NORDJYLLAND", "DK050", "PUB"),
    ("dtu", "DANMARKS TEKNISKE UNIVERSITET", "DK011", "HES"),
    ("nel", "Nordic Energy Lab", "DK011", "PRC"),
    ("pat", "PANEPISTIMIO PATRON", "EL632", "HES"),
    ("cre", "FORTH Crete", "EL431", "REC"),
    ("elk", "Energy Lab Kriti", "EL431", "PRC"),
    ("hmu", "Hellenic Mediterranean University", "EL431", "HES"),
    ("vid", "Vidin Tech Park", "BG311", "PRC"),
    ("upt", "Universidade do Porto", "PT111", "HES"),
    ("azo", "Universidade dos Açores", "PT200", "HES"),
    ("sev", "Universidad de Cádiz", "ES612", "HES"),
    ("cyi", "The Cyprus Institute", "CY000", "REC"),
    ("nor", "Nord University", "NO071", "HES"),
    ("lonely", "Lonely Lab Achaia", "EL632", "PRC"),
]

# Projects: (key, acronym, n_partners, end date, kind, domains, members)
PROJECTS: list[tuple[str, str, int, str, str | None, list[str], list[str]]] = [
    ("p1", "SMALLNEW", 3, "2025-12-31", None, ["digital"], ["aau", "pat", "nel"]),
    ("p2", "BIGOLD", 60, "2016-06-30", None, ["energy-renewables"], ["aau", "vid"]),
    ("p3", "LINKDK", 4, "2025-06-30", None, [], ["aau", "dtu"]),
    ("p4", "H2CRETE", 4, "2025-06-30", None, ["green-hydrogen"], ["dtu", "cre", "elk"]),
    ("p5", "MEDHEALTH", 3, "2025-12-31", None, ["health"], ["aau", "hmu"]),
]


def _region_nodes() -> list[Record]:
    records: list[Record] = []
    for code, iso, name, member in COUNTRIES:
        records.append(
            Node(
                NodeLabel.COUNTRY,
                code,
                {"iso_code": iso, "name": name, "eu_member": member},
                SOURCE,
            )
        )
    for code, name, level, parent, category, outermost, status in REGIONS:
        props: dict[str, Any] = {
            "name": name,
            "name_latin": name,
            "level": level,
            "country_code": code[:2],
            "nuts_version": "2021",
        }
        if level == 2:
            props.update(
                category=category,
                outermost=outermost,
                category_status=status or ("known" if category else "no data"),
            )
        records.append(Node(NodeLabel.REGION, code, props, SOURCE))
        if parent:
            records.append(rel(RelType.PART_OF, NodeLabel.REGION, code, NodeLabel.REGION, parent))
        else:
            records.append(rel(RelType.IN_COUNTRY, NodeLabel.REGION, code, NodeLabel.COUNTRY, code))
    return records


def rel(
    rel_type: RelType,
    start_label: NodeLabel,
    start: str,
    end_label: NodeLabel,
    end: str,
    **props: Any,
) -> Rel:
    return Rel(rel_type, start_label, start, end_label, end, props, SOURCE)


def org_uid(key: str) -> str:
    return f"org:test:{key}"


def build_toy_europe(driver: Driver) -> None:
    """Writes the toy graph.

    Ties (and so the known answers from Nordjylland DK05, whose organisations are aau and njr):
    - aau -[SMALLNEW, 3 partners, ends 2025, digital]- pat (EL632, less developed) and nel
    - aau -[BIGOLD, 60 partners, ended 2016, energy]- vid (BG311, less developed)
    - aau -[LINKDK]- dtu (DK011) -[H2CRETE, green hydrogen]- cre, elk (EL431, less developed)
    - aau -[MEDHEALTH, health]- hmu (EL431)
    - njr runs hub EDIH-NJ (DK050, digital); upt (PT111, less developed) is a partner in it
    - njr runs cluster CL-NJ, azo runs cluster CL-AZ (tourism); both clusters are in the
      partnership BLUE-ROUTES
    - njr and cyi (CY000, transition) are members of the EEN consortium EEN-DK-CY
    - sev (ES612, transition) is only in another EEN consortium: it is reachable only through
      the EEN Network node, which paths must not pass
    - lonely (EL632) has no tie at all: reachable only through its Region node
    - nor (NO071) has no tie
    S3 priorities: DK05 digital + energy-renewables; EL63 digital; PT11 tourism;
    CY00 tourism + blue-economy. BG31, EL43, PT20 have none (their domains are revealed).
    """
    records: list[Record] = _region_nodes()
    for code, name, kind, _parents, aliases in DOMAINS:
        records.append(
            Node(
                NodeLabel.DOMAIN, code, {"name": name, "kind": kind}, SOURCE, aliases=tuple(aliases)
            )
        )
    for code, _, _, parents, _ in DOMAINS:
        for parent in parents:
            records.append(
                rel(RelType.SUBDOMAIN_OF, NodeLabel.DOMAIN, code, NodeLabel.DOMAIN, parent)
            )
    for key, name, region, activity in ORGANISATIONS:
        records.append(
            Node(
                NodeLabel.ORGANISATION,
                org_uid(key),
                {
                    "name": name,
                    "country_code": region[:2],
                    "activity_type": activity,
                    "nuts3": region,
                    "nuts2": region[:4],
                    "nuts_from": "code",
                },
                SOURCE,
            )
        )
        records.append(
            rel(RelType.LOCATED_IN, NodeLabel.ORGANISATION, org_uid(key), NodeLabel.REGION, region)
        )
    for key, acronym, n_partners, end, kind, domains, members in PROJECTS:
        uid = f"cordis:{key}"
        records.append(
            Node(
                NodeLabel.PROJECT,
                uid,
                {
                    "project_id": key,
                    "acronym": acronym,
                    "name": acronym,
                    "programme": "H2020",
                    "topic": f"TOPIC-{acronym}",
                    "topic_title": f"Topic of {acronym}",
                    "kind": kind,
                    "n_partners": n_partners,
                    "n_countries": 2,
                    "end_date": end,
                },
                SOURCE,
            )
        )
        for domain in domains:
            records.append(rel(RelType.IN_DOMAIN, NodeLabel.PROJECT, uid, NodeLabel.DOMAIN, domain))
        for i, member in enumerate(members):
            records.append(
                rel(
                    RelType.PARTICIPATED_IN,
                    NodeLabel.ORGANISATION,
                    org_uid(member),
                    NodeLabel.PROJECT,
                    uid,
                    role="coordinator" if i == 0 else "participant",
                )
            )
    # hub
    records += [
        Node(
            NodeLabel.HUB,
            "edih:1",
            {"name": "EDIH Nordjylland", "acronym": "EDIH-NJ", "status": "EDIH"},
            SOURCE,
        ),
        rel(RelType.LOCATED_IN, NodeLabel.HUB, "edih:1", NodeLabel.REGION, "DK050"),
        rel(RelType.RUNS, NodeLabel.ORGANISATION, org_uid("njr"), NodeLabel.HUB, "edih:1"),
        rel(
            RelType.PARTNER_IN,
            NodeLabel.ORGANISATION,
            org_uid("upt"),
            NodeLabel.HUB,
            "edih:1",
            role="partner",
        ),
        rel(
            RelType.OFFERS,
            NodeLabel.HUB,
            "edih:1",
            NodeLabel.DOMAIN,
            "digital",
            dimension="technology",
            engagement_level=4,
        ),
        Node(NodeLabel.NETWORK, "EDIH", {}, SOURCE),
        rel(RelType.IN_NETWORK, NodeLabel.HUB, "edih:1", NodeLabel.NETWORK, "EDIH"),
    ]
    # clusters and their partnership
    records += [
        Node(NodeLabel.CLUSTER, "eccp:cl-nj", {"name": "CL-NJ Nordic Cluster"}, SOURCE),
        Node(NodeLabel.CLUSTER, "eccp:cl-az", {"name": "CL-AZ Azores Cluster"}, SOURCE),
        rel(RelType.LOCATED_IN, NodeLabel.CLUSTER, "eccp:cl-nj", NodeLabel.REGION, "DK050"),
        rel(RelType.LOCATED_IN, NodeLabel.CLUSTER, "eccp:cl-az", NodeLabel.REGION, "PT200"),
        rel(RelType.RUNS, NodeLabel.ORGANISATION, org_uid("njr"), NodeLabel.CLUSTER, "eccp:cl-nj"),
        rel(RelType.RUNS, NodeLabel.ORGANISATION, org_uid("azo"), NodeLabel.CLUSTER, "eccp:cl-az"),
        rel(RelType.ACTIVE_IN, NodeLabel.CLUSTER, "eccp:cl-az", NodeLabel.DOMAIN, "tourism"),
        Node(
            NodeLabel.PARTNERSHIP,
            "escp:blue",
            {"name": "BLUE-ROUTES", "acronym": "BLUE-ROUTES"},
            SOURCE,
        ),
        rel(
            RelType.IN_PARTNERSHIP,
            NodeLabel.CLUSTER,
            "eccp:cl-nj",
            NodeLabel.PARTNERSHIP,
            "escp:blue",
            role="partner",
        ),
        rel(
            RelType.IN_PARTNERSHIP,
            NodeLabel.CLUSTER,
            "eccp:cl-az",
            NodeLabel.PARTNERSHIP,
            "escp:blue",
            role="coordinator",
        ),
    ]
    # EEN consortia and the EEN network node that must never be a shortcut
    records += [
        Node(NodeLabel.NETWORK, "EEN", {}, SOURCE),
        Node(NodeLabel.CONSORTIUM, "een:dk-cy", {"name": "EEN-DK-CY", "network": "EEN"}, SOURCE),
        Node(NodeLabel.CONSORTIUM, "een:es", {"name": "EEN-ES", "network": "EEN"}, SOURCE),
        rel(RelType.IN_NETWORK, NodeLabel.CONSORTIUM, "een:dk-cy", NodeLabel.NETWORK, "EEN"),
        rel(RelType.IN_NETWORK, NodeLabel.CONSORTIUM, "een:es", NodeLabel.NETWORK, "EEN"),
        rel(
            RelType.MEMBER_OF,
            NodeLabel.ORGANISATION,
            org_uid("njr"),
            NodeLabel.CONSORTIUM,
            "een:dk-cy",
        ),
        rel(
            RelType.MEMBER_OF,
            NodeLabel.ORGANISATION,
            org_uid("cyi"),
            NodeLabel.CONSORTIUM,
            "een:dk-cy",
        ),
        rel(
            RelType.MEMBER_OF,
            NodeLabel.ORGANISATION,
            org_uid("sev"),
            NodeLabel.CONSORTIUM,
            "een:es",
        ),
    ]
    # S3 priorities
    priorities = [
        ("DK05", "s3:dk05:1", "digital"),
        ("DK05", "s3:dk05:2", "energy-renewables"),
        ("EL63", "s3:el63:1", "digital"),
        ("PT11", "s3:pt11:1", "tourism"),
        ("CY00", "s3:cy00:1", "tourism"),
        ("CY00", "s3:cy00:2", "blue-economy"),
    ]
    for region, uid, domain in priorities:
        records += [
            Node(NodeLabel.S3_PRIORITY, uid, {"title": f"{region} {domain}"}, SOURCE),
            rel(RelType.HAS_PRIORITY, NodeLabel.REGION, region, NodeLabel.S3_PRIORITY, uid),
            rel(RelType.IN_DOMAIN, NodeLabel.S3_PRIORITY, uid, NodeLabel.DOMAIN, domain),
        ]
    stats = GraphWriter(driver).write(records)
    assert not stats.missing_ends, stats.missing_ends
    bump_graph_version(driver, None, SOURCE)


def fresh_toy_graph(driver: Driver) -> Driver:
    """Clears the database and writes the toy graph (for module-scoped fixtures: the tests of a
    module only read it)."""
    with driver.session() as session:
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    build_toy_europe(driver)
    return driver


# The shared test machine can be slow to plan a statement the first time: the tests allow more
# than the default query timeout (timeouts themselves are tested on purpose elsewhere).
LONG = 300.0
