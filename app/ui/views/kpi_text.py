"""Words and numbers of the KPI tree, shared by its cards, outline, chain and slides: a KPI value in
its unit, the status badge, and the sentence that states the evidence on a link. Every function takes
the language explicitly (slides and exports are drawn outside a page's session).
"""

from __future__ import annotations

import re

from app.ui.i18n import format_number, translate, translation_table

SCALE_UNIT = re.compile(r"^\d+\s*[-–]\s*\d+$")  # "1-5", "1-10": a rating scale, not a unit
# status -> (badge colour, Material icon); colour is never the only signal (icon + words too)
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "on": ("blue", "check_circle"),
    "near": ("orange", "error"),
    "off": ("red", "cancel"),
    "no_target": ("gray", "radio_button_unchecked"),
    "no_data": ("gray", "block"),
}
STATUS_COLOURS: dict[str, str] = {
    "on": "#0072B2",
    "near": "#E69F00",
    "off": "#D55E00",
    "no_target": "#8A949E",
    "no_data": "#BFC5CB",
}
VERDICT_STYLE: dict[str, tuple[str, str]] = {
    "supported": ("blue", "verified"),
    "mixed": ("violet", "call_split"),
    "not_shown": ("orange", "help"),
    "contradicted": ("red", "report"),
    "too_few": ("gray", "hourglass_empty"),
}


def decimals_for(value: float | None) -> int:
    if value is None:
        return 0
    size = abs(value)
    return 0 if size >= 100 else 1 if size >= 10 else 2


def unit_label(unit: str, lang: str) -> str:
    """The unit in the reader's language when it is a common one ("days", "points"), else as written."""
    key = "kpi.unit." + re.sub(r"[^a-z0-9]+", "_", unit.lower()).strip("_")
    return translate(key, lang) if key in translation_table() else unit


def format_value(value: float | None, unit: str, lang: str) -> str:
    """'87.6 %', '978 mln RUB', '3.62 (1-5)' — a KPI value as a person says it."""
    if value is None:
        return "–"
    number = format_number(value, decimals_for(value), lang)
    if SCALE_UNIT.match(unit):
        return f"{number} ({unit.replace('-', '–')})"
    return f"{number} {unit_label(unit, lang)}".strip() if unit != "%" else f"{number} %"


def format_change(change: float | None, value: float | None, lang: str) -> str | None:
    """A signed change in the value's own precision, ASCII minus (st.metric reads the arrow from it);
    None when there is no change to show."""
    if change is None:
        return None
    decimals = decimals_for(value if value is not None else change)
    if round(abs(change), decimals) == 0:
        return None
    return format_number(change, decimals, lang, signed=True, plain_minus=True)


def status_label(status: str | None, lang: str) -> str:
    return translate(f"kpi.status.{status or 'no_data'}", lang)


def status_badge(status: str | None, lang: str) -> str:
    colour, icon = STATUS_STYLE.get(status or "no_data", STATUS_STYLE["no_data"])
    return f":{colour}-badge[:material/{icon}: {status_label(status, lang)}]"


def verdict_label(verdict: str | None, lang: str) -> str:
    return translate(f"kpi.verdict.{verdict or 'too_few'}", lang)


def evidence_sentence(row: dict | None, lang: str) -> str:
    """':blue-badge[✓ Supported by data] r = +0.61 · within units +0.44 · n = 24 · p < 0.01'."""
    if row is None:
        return ""
    verdict = row.get("verdict") or "too_few"
    colour, icon = VERDICT_STYLE[verdict]
    badge = f":{colour}-badge[:material/{icon}: {verdict_label(verdict, lang)}]"
    if row.get("r") is None:
        return f"{badge} {translate('kpi.evidence_n_only', lang, n=row.get('n') or 0)}"
    parts = [f"r = {format_number(row['r'], 2, lang, signed=True)}"]
    if row.get("r_within") is not None:
        parts.append(
            translate("kpi.within_units", lang, r=format_number(row["r_within"], 2, lang, signed=True))
        )
    parts.append(f"n = {row['n']}")
    parts.append(p_text(row.get("p_value"), lang))
    return f"{badge} " + " · ".join(parts)


def p_text(p: float | None, lang: str) -> str:
    if p is None:
        return "p = –"
    return f"p < {format_number(0.001, 3, lang)}" if p < 0.001 else f"p = {format_number(p, 3, lang)}"


def shap_sentence(row: dict | None, has_model: bool, lang: str) -> str | None:
    """The child's SHAP share, or an honest note when there is no driver model (None: not applicable)."""
    if row is None:
        return None
    if not has_model:
        return translate("kpi.shap_no_model", lang)
    share = row.get("shap_share")
    if share is None:
        return None
    return translate("kpi.shap_share", lang, share=format_number(100.0 * share, 0, lang))
