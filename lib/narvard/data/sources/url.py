"""The ``source`` of a dataset.yml (docs/sources.md): which warehouse, which schema.

``postgresql://user@host:port/db?schema=name`` — the password never in the file (libpq
reads PGPASSWORD, PGPASSFILE or ~/.pgpass); ``spark://local[2]?schema=name`` (local mode)
or ``spark://host:7077?schema=name`` (a cluster), or ``…?path=/folder`` for tables kept as
Parquet files or folders NAME.parquet under a path Spark reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from narvard.data.sources.engine import Engine, SourceError

SCHEMES = ("postgresql", "postgres", "spark")
_PASSWORD = re.compile(r"(://[^:/@?]*):[^@/?]*@")


def masked(url: str) -> str:
    """The URL as it may be shown: any password replaced by ***."""
    return _PASSWORD.sub(r"\1:***@", url)


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source: its kind, what the driver connects to, and where the tables are."""

    kind: str  # "postgresql" or "spark"
    target: str  # libpq connection URL without narvard's own keys, or Spark's master URL
    schema: str | None
    path: str | None
    shown: str  # as written in dataset.yml (it holds no password)


def parse_source(url: str) -> SourceSpec:
    """Parse and check a source URL; raises SourceError (Swedish) when it cannot be used."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise SourceError(
            "en adress som postgresql://användare@värd:port/databas?schema=namn eller "
            "spark://local[2]?schema=namn",
            masked(url),
        )
    if scheme == "spark":
        return _spark(url)
    return _postgresql(url)


def _postgresql(url: str) -> SourceSpec:
    parts = urlsplit(url)
    try:
        has_password = parts.password is not None
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        raise SourceError("en adress som går att tolka", f"{masked(url)} ({error})") from None
    if has_password:
        raise SourceError(
            "en adress utan lösenord: ta bort lösenordet ur dataset.yml och ange det i "
            "miljövariabeln PGPASSWORD eller i filen ~/.pgpass (lösenord hör aldrig hemma i "
            "datamappen)",
            "en adress med lösenord",
        )
    query = dict(parse_qsl(parts.query))
    if "password" in query:
        raise SourceError(
            "en adress utan lösenord: ange lösenordet i miljövariabeln PGPASSWORD eller i "
            "filen ~/.pgpass",
            "en adress med password=…",
        )
    if not parts.path.strip("/"):
        raise SourceError("postgresql://användare@värd:port/DATABAS?schema=namn", url)
    schema = query.pop("schema", "public")
    target = urlunsplit(parts._replace(scheme="postgresql", query=urlencode(query)))
    return SourceSpec("postgresql", target, schema, None, url)


def _spark(url: str) -> SourceSpec:
    rest = url.split("://", 1)[1]
    master, _, query_text = rest.partition("?")
    query = dict(parse_qsl(query_text))
    if not master:
        raise SourceError("spark://MASTER?schema=namn, t.ex. spark://local[2]?schema=namn", url)
    master = master if master.startswith("local") else f"spark://{master}"
    return SourceSpec("spark", master, query.get("schema"), query.get("path"), url)


def engine_for(url: str) -> Engine:
    """An open engine for a source URL; raises SourceError (Swedish) when it cannot connect."""
    spec = parse_source(url)
    if spec.kind == "postgresql":
        from narvard.data.sources.postgres import PostgresEngine

        return PostgresEngine(spec)
    from narvard.data.sources.spark import SparkEngine

    return SparkEngine.from_spec(spec)
