"""The import formats as Markdown, printed from the spec so the README cannot drift from the code."""

from __future__ import annotations

from app.service_model import ServiceModel
from pipelines.sources import SOURCES, source_spec

KIND_TEXT = {
    "id": "id (text)",
    "text": "text",
    "int": "whole number",
    "float": "number (decimal comma ok)",
    "datetime": "date/time (ISO, dd.mm.yyyy [hh:mm])",
    "period": "quarter (2025-Q1)",
}


def formats_markdown(model: ServiceModel) -> str:
    lines: list[str] = []
    for source in SOURCES:
        spec = source_spec(source, model)
        key = " + ".join(spec.key)
        rule = "unique across the warehouse" if spec.key_is_unique_in_warehouse else "a newer batch supersedes"
        lines += [f"#### `{source}` — {spec.description}", "",
                  f"Key: `{key}` ({rule}). Example: `data/examples/{source}.csv`.", "",
                  "| column | required | type | allowed / range |", "|---|---|---|---|"]
        for column in spec.columns:
            allowed = ""
            if column.allowed:
                allowed = f"ids (or labels) of `{column.allowed}` in the service model"
            elif column.min is not None and column.max is not None:
                allowed = f"{column.min:g}–{column.max:g}"
            elif column.min is not None:
                allowed = f"≥ {column.min:g}"
            if column.kind == "datetime" and not column.future_ok:
                allowed = (allowed + "; " if allowed else "") + "not in the future"
            note = f" — {column.description}" if column.description and not column.allowed else ""
            lines.append(f"| `{column.name}` | {'yes' if column.required else ''} | {KIND_TEXT[column.kind]} "
                         f"| {allowed}{note} |")
        rules = ", ".join(f"`{r.later}` ≥ `{r.earlier}`" for r in spec.order_rules)
        if rules:
            lines += ["", f"Order rules: {rules}."]
        lines.append("")
    return "\n".join(lines)
