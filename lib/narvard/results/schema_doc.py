"""The key reference of docs/results.md, generated from results.schema.json.

    python -m narvard.results.schema_doc docs/results.md

rewrites the part of the page between the two markers below; the text around them is
written by hand. tests/unit/test_results_schema.py fails when the page is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BEGIN = "<!-- BEGIN generated from lib/narvard/results/results.schema.json -->"
END = "<!-- END generated -->"
INTERVALS = {"interval", "ratioInterval", "shareInterval"}  # shown as "[low, high] or null"
HEADER = "| key | type | §4 | meaning |\n|---|---|---|---|"


def _def_name(schema: dict) -> str | None:
    ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/$defs/") else None


def _anchor(name: str) -> str:
    return f"def-{name.lower()}"


class Reference:
    """Markdown tables of every key, one section per top-level block and per $def."""

    def __init__(self, schema: dict) -> None:
        self.schema = schema
        self.defs = schema.get("$defs", {})
        self.order: list[str] = []  # $defs in order of first reference

    # ------------------------------------------------------------------ cells

    def _link(self, name: str) -> str:
        return f"[{self.defs[name].get('title', name)}](#{_anchor(name)})"

    def _contract(self, schema: dict) -> bool:
        """Marked as the contract's minimum itself, or a reference to a marked $def."""
        name = _def_name(schema)
        return "x-contract" in schema or (name is not None and "x-contract" in self.defs[name])

    def type_text(self, schema) -> str:
        name = _def_name(schema)
        if name in INTERVALS:
            return "[low, high] or null"
        if name is not None:
            target = self.defs[name]
            nullable = "null" in _types(target)
            return self._link(name) + (" or null" if nullable else "")
        if "const" in schema:
            return f"`{json.dumps(schema['const'], ensure_ascii=False)}`"
        if "enum" in schema:
            return " / ".join(f"`{json.dumps(v, ensure_ascii=False)}`" for v in schema["enum"])
        types = _types(schema)
        words = []
        for kind in types:
            if kind == "array" and "items" in schema:
                item = self.type_text(schema["items"])
                words.append(f"array of ({item})" if " or " in item else f"array of {item}")
            elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
                key = schema.get("propertyNames", {}).get("title", "<key>")
                words.append(f"map `{key}` →")
            elif kind == "string" and schema.get("format"):
                words.append(f"string ({schema['format']})")
            else:
                words.append(kind)
        return " or ".join(words) or "any"

    # ------------------------------------------------------------------ rows

    def rows(self, schema: dict, prefix: str = "") -> list[str]:
        """One row per key of an object schema, nested inline objects and maps expanded."""
        rows = []
        required = set(schema.get("required", []))
        for key, sub in schema.get("properties", {}).items():
            if not isinstance(sub, dict):
                continue  # `false`: a key forbidden here
            rows += self._entry(prefix + key, sub, key in required)
        value = schema.get("additionalProperties")
        if isinstance(value, dict):
            key = schema.get("propertyNames", {}).get("title", "<key>")
            rows += self._entry(prefix + key, value, True)
        return rows

    def _entry(self, path: str, sub: dict, required: bool) -> list[str]:
        name = _def_name(sub)
        if name is not None and name not in INTERVALS and name not in self.order:
            self.order.append(name)
        optional = "" if required else " (optional)"
        contract = "§4" if self._contract(sub) else ""
        meaning = sub.get("description", "")
        rows = [
            f"| `{path}`{optional} | {_cell(self.type_text(sub))} | {contract} | {_cell(meaning)} |"
        ]
        if name is not None:
            return rows
        if "properties" in sub or isinstance(sub.get("additionalProperties"), dict):
            rows += self.rows(sub, path + ".")
        items = sub.get("items")
        item_def = _def_name(items) if isinstance(items, dict) else None
        if isinstance(items, dict) and item_def is None and "properties" in items:
            rows += self.rows(items, path + "[].")
        elif item_def is not None and item_def not in INTERVALS and item_def not in self.order:
            self.order.append(item_def)
        return rows

    # ------------------------------------------------------------------ page

    def markdown(self) -> str:
        top = self.schema
        parts = ["### Top level", "", top["description"], "", HEADER]
        blocks = []
        for key, sub in top["properties"].items():
            contract = "§4" if self._contract(sub) else ""
            required = "" if key in top.get("required", []) else " (optional)"
            link = f"[{key}](#block-{key})" if _is_inline_block(sub) else _cell(self.type_text(sub))
            if _def_name(sub) and _def_name(sub) not in self.order:
                self.order.append(_def_name(sub))
            parts.append(
                f"| `{key}`{required} | {link} | {contract} | {_cell(sub['description'])} |"
            )
            if _is_inline_block(sub):
                blocks.append((key, sub))
        for key, sub in blocks:
            parts += [
                "",
                f'<a id="block-{key}"></a>',
                "",
                f"### `{key}`",
                "",
                sub["description"],
                "",
                HEADER,
                *self.rows(sub, key + "."),
            ]
        done = 0
        while done < len(self.order):  # sections add the $defs they reference
            name = self.order[done]
            done += 1
            definition = self.defs[name]
            parts += [
                "",
                f'<a id="{_anchor(name)}"></a>',
                "",
                f"### {definition.get('title', name)}",
                "",
                definition["description"],
            ]
            base = _def_name(definition)
            if base is not None:
                if base not in self.order:
                    self.order.append(base)
                parts += ["", f"Also every key of {self._link(base)}."]
            rows = self.rows(definition)
            if rows:
                parts += ["", HEADER, *rows]
        return "\n".join(parts) + "\n"


def _types(schema: dict) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _is_inline_block(schema: dict) -> bool:
    """An object written in place (not a $ref): a fixed set of keys, or a map."""
    is_map = isinstance(schema.get("additionalProperties"), dict)
    return _def_name(schema) is None and ("properties" in schema or is_map)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference(schema: dict) -> str:
    """The generated part of docs/results.md (without the markers)."""
    return Reference(schema).markdown()


def updated_page(page: str, schema: dict) -> str:
    """``page`` with the text between BEGIN and END replaced by ``reference(schema)``."""
    head, rest = page.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{reference(schema)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    page_path = Path(argv[0]) if argv else Path("docs/results.md")
    schema_path = Path(__file__).with_name("results.schema.json")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    page = page_path.read_text(encoding="utf-8")
    page_path.write_text(updated_page(page, schema), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
