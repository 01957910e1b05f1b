"""The custom notifications (data/validated/notifications.parquet): their tree, table, notes
and sums, and a statement of the audit by id."""

from __future__ import annotations

from pipeline.report_helpers.markdown import compact, markdown_table, notes
from pipeline.report_helpers.words import _lower_first, number


def notification_tree(items: list[dict]) -> list[tuple[int, dict]]:
    """The items in tree order with their depth: root, then each child and its children."""

    def walk(parent: str | None, depth: int) -> list[tuple[int, dict]]:
        out = []
        for item in items:
            if (item["parent"] or None) == parent:
                out += [(depth, item), *walk(item["item"], depth + 1)]
        return out

    return walk(None, 0)


def approx(item: dict) -> str:
    return f"ca. {number(item['value'])}" if str(item["approximate"]).lower() == "true" else number(item["value"])


def notification_table(items: list[dict]) -> str:
    indent = "\u00a0" * 4
    rows = [
        [indent * depth + item["label_da"], approx(item), f"»{item['quote']}«"]
        for depth, item in notification_tree(items)
    ]
    return compact(
        markdown_table(["", "Personer", "Sådan står det i rapporten"], rows, align="lrl", widths=[20, 6, 30])
    )


def notification_notes(items: list[dict]) -> str:
    """Under the table: each sum of parts against its whole, and the source."""
    texts = [
        f"{s['item']['label_da']}: {s['formula']}"
        + (f" (rapporten: {approx(s['item'])})" if s["sum"] != s["item"]["value"] else "")
        + "."
        for s in notification_sums(items)
    ]
    places = dict.fromkeys(f"{i['publication']}, {section_of(i['location'])}" for i in items)
    return notes(*texts, f"Kilde: {'; '.join(places)}.")


def notification_sums(items: list[dict]) -> list[dict]:
    """Each item with children: its value against the sum of its children."""
    out = []
    for item in items:
        children = [c for c in items if c["parent"] == item["item"]]
        if children:
            out.append(
                {
                    "item": item,
                    "children": children,
                    "sum": sum(c["value"] for c in children),
                    "formula": f"{' + '.join(number(c['value']) for c in children)} = "
                    f"{number(sum(c['value'] for c in children))}",
                }
            )
    return out


def section_of(location: str) -> str:
    """'Afsnit 2.6' -> 'afsnit 2.6'."""
    return _lower_first(location)


def statement(audit: dict, statement_id: str) -> dict:
    found = [s for s in audit["statements"] if s["statement"] == statement_id]
    if not found:
        raise KeyError(f"outputs/audit/audit.json has no statement '{statement_id}'")
    return found[0]
