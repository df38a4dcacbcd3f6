"""The story of the demo company: parameters, names and texts the demo generator draws from.

Everything structural (units, touchpoints, steps, KPI ids) comes from the service model; this module
only holds what makes the demo tell a story: which touchpoints drive NPS and how strongly, where the
bottleneck is, which complaints recur and how people word them. Ids here are looked up defensively:
an id missing from the model is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AS_OF = np.datetime64("2026-10-15T00:00:00", "s")
FIRST_WAVE_MONTH = np.datetime64("2024-10", "M")  # 8 quarterly waves: 2024-Q4 … 2026-Q3
N_WAVES = 8
CLIENTS_AT_SCALE_1 = 600

# --- client base --------------------------------------------------------------------------------
UNIT_MIX = {"machinery": 0.40, "energy": 0.30, "construction": 0.30}
SEGMENT_MIX = {"key_account": 0.18, "mid_market": 0.50, "dealer": 0.32}
GRADE_MIX = {  # by segment: key accounts are mostly A/B
    "key_account": {"a": 0.45, "b": 0.40, "c": 0.15},
    "mid_market": {"a": 0.08, "b": 0.40, "c": 0.52},
    "dealer": {"a": 0.10, "b": 0.35, "c": 0.55},
}
GRADE_MIX_DEFAULT = {"a": 0.15, "b": 0.35, "c": 0.50}
PROSPECT_SHARE = 0.2
PROSPECT_MIX = {"potential": 0.45, "lost_lead": 0.30, "competitor_client": 0.25}
NEW_CLIENT_SHARE = 0.12  # current clients won during the window
REGIONS = {
    "Свердловская область": 0.18, "Челябинская область": 0.10, "Пермский край": 0.07,
    "Москва": 0.12, "Санкт-Петербург": 0.06, "Республика Татарстан": 0.06,
    "Республика Башкортостан": 0.05, "Тюменская область": 0.06, "Кемеровская область": 0.05,
    "Красноярский край": 0.05, "Иркутская область": 0.04, "Новосибирская область": 0.04,
    "Ростовская область": 0.03, "Нижегородская область": 0.03, "Самарская область": 0.03,
    "ХМАО — Югра": 0.03,
}

# --- orders -------------------------------------------------------------------------------------
ORDERS_PER_QUARTER = {"key_account": 10.0, "mid_market": 4.5, "dealer": 5.5}
GRADE_ORDER_MULT = {"a": 1.5, "b": 1.0, "c": 0.7}
CLASS_MIX = {
    "machinery": {"standard": 0.50, "custom": 0.12, "spare_parts": 0.38},
    "energy": {"standard": 0.35, "custom": 0.30, "spare_parts": 0.35},
    "construction": {"standard": 0.55, "custom": 0.10, "spare_parts": 0.35},
}
PROMISE_DAYS = {"standard": 21, "custom": 45, "spare_parts": 15}
AMOUNT_MEDIAN_RUB = {"standard": 680_000, "custom": 2_300_000, "spare_parts": 85_000}
LATE_RATE = {"machinery": 0.13, "energy": 0.12, "construction": 0.22}
LATE_CLASS_MULT = {"standard": 1.0, "custom": 1.45, "spare_parts": 0.7}
LATE_SEASON = (1.25, 1.0, 1.0, 1.1)  # by calendar quarter: winter hurts logistics
DELAY_MULT = {"construction": 1.4}
LATE_CULPRITS = {"production": 0.45, "warehouse_dispatch": 0.2, "transport": 0.35}
PRODUCTION_CLASS_MULT = {"custom": 2.0, "spare_parts": 0.4}
REWORK_ACTIVITY = "quality_check"  # the check fails: the step before it and the check repeat
REWORK_SHARE = {"custom": 0.12}
REWORK_SHARE_DEFAULT = 0.04

# --- proposals and the planted bottleneck --------------------------------------------------------
BOTTLENECK = {"process": "commercial_proposal", "activity": "proposal_approval", "business_unit": "energy"}
ORDER_PROCESS = "order_fulfilment"
APPROVAL_WAIT_MEDIAN_HOURS = {"bottleneck": 115.0, "other": 10.0}
PROPOSALS_PER_QUARTER = {"current": 0.55, "potential": 0.7, "lost_lead": 0.4, "competitor_client": 0.25}
PROPOSAL_TOUCHPOINT = "proposal"
PROPOSAL_LEAD_OK_DAYS = 4.0  # proposal rating drops for each 2 days beyond this
PROPOSAL_LEAD_EFFECT = -0.35  # latent shift per 2 days of extra lead time, capped at 3 steps

# --- survey: how ratings and NPS are generated --------------------------------------------------
# NPS points per 1 SD of the experience at a touchpoint (the key-driver ground truth).
DRIVER_WEIGHTS = {
    "delivery": 1.5, "product_quality": 1.05, "proposal": 0.8, "service_request": 0.55,
    "shipping_documents": 0.2, "invoicing": 0.15, "commissioning": 0.12,
}
NPS_BASE = {"machinery": 9.15, "energy": 9.4, "construction": 9.2}
NPS_NOISE = 1.2
PROSPECT_NPS_SHIFT = -1.0  # who has not bought from us recommends us less readily
NPS_DRIFT_PER_WAVE = -0.05  # clients grow more demanding (offsets the exit of detractors)
CLIENT_SHARE = 0.4  # how much of each touchpoint's experience is the client's general mood
TOUCHPOINT_OFFSETS = {("construction", "shipping_documents"): -0.3, ("machinery", "product_quality"): 0.2}
DELIVERY_TOUCHPOINT = "delivery"
LATE_SHARE_EFFECT = -1.8  # latent shift × share of the quarter's deliveries that were late
ANY_LATE_EFFECT = -0.35
ROLE_STAGES = {
    "decision_maker": None,  # None: every stage
    "procurement": {"request", "proposal", "contract", "delivery", "billing", "renewal"},
    "finance": {"proposal", "contract", "billing", "delivery"},
    "end_user": {"first_contact", "production", "delivery", "commissioning", "after_sales"},
}
ROLE_MIX = {"procurement": 0.4, "finance": 0.2, "end_user": 0.4}
PROSPECT_STAGES = {"first_contact", "request", "proposal"}
RESPONSE_RATE = {"customer": 0.5, "prospect": 0.3}
CHANNEL_MIX = {"email": 0.45, "web": 0.30, "phone": 0.15, "messenger": 0.07, "face_to_face": 0.03}
TICKET_CHANNEL_MIX = {"phone": 0.35, "email": 0.40, "web": 0.15, "messenger": 0.10}

# --- churn and value ------------------------------------------------------------------------------
CHURN_BASE = -2.0  # logit of churning within the window at a mean NPS of 7.5
CHURN_PER_NPS_POINT = 0.85
MARGIN = 0.2  # LTV = margin × annual revenue × (years so far + expected years ahead)


def remaining_years(mean_nps: np.ndarray | float) -> np.ndarray | float:
    """Expected years a client stays, from its mean likelihood to recommend (0–10)."""
    return 1.0 + 7.0 / (1 + np.exp(-(np.asarray(mean_nps) - 7.5)))


# --- tickets and importance weights -----------------------------------------------------------
IMPORTANCE_MEAN = {"imp_on_time": 4.4, "imp_delivery": 4.3, "imp_quality": 4.2, "imp_delay": 3.9,
                   "imp_proposal": 3.7, "imp_service": 3.8, "imp_nps": 3.4}
PRODUCTION_ACTIVITY = "production"
TICKETS_PER_QUARTER = 0.75  # per active client, on top of tickets about late orders
LATE_ORDER_TICKET_SHARE = 0.15
THEME_UNIT_MULT = {("energy", "slow_proposal"): 3.0, ("construction", "incomplete_documents"): 1.6,
                   ("construction", "late_delivery"): 1.5, ("machinery", "quality_defects"): 0.7}
SEVERITIES = ("low", "medium", "high", "critical")
FIRST_RESPONSE_HOURS = {"low": 9.0, "medium": 5.0, "high": 3.0, "critical": 1.5}
RESOLUTION_DAYS = {"low": 2.0, "medium": 3.0, "high": 4.0, "critical": 3.0}
SLOW_THEME = ("slow_service", 1.8)  # this theme's first responses take longer


@dataclass(frozen=True)
class Theme:
    id: str
    touchpoint: str
    category: str
    keywords_ru: tuple[str, ...]
    keywords_en: tuple[str, ...]
    ru: tuple[str, ...]
    en: tuple[str, ...]
    ticket_weight: float
    severity: tuple[float, float, float, float]  # low, medium, high, critical


THEMES: tuple[Theme, ...] = (
    Theme("late_delivery", "delivery", "delivery",
          ("задержка", "поставка", "сроки", "опоздание"), ("late", "delivery", "delay", "dates"),
          ("Поставка опять задержалась на {d} дн., сроки сорваны",
           "Сроки поставки не соблюдаются, оборудование пришло позже обещанного",
           "Задержка поставки остановила монтаж на объекте",
           "Опоздание с доставкой, о новых сроках никто не предупредил",
           "Постоянные задержки поставок, планировать невозможно"),
          ("The delivery was {d} days late again",
           "Delivery dates are not kept, the equipment arrived later than promised",
           "Late delivery held up installation on site",
           "Delivery delayed and nobody told us the new dates",
           "Constant delivery delays make planning impossible"),
          0.10, (0.15, 0.45, 0.30, 0.10)),
    Theme("incomplete_documents", "shipping_documents", "documents",
          ("документы", "сертификат", "накладная", "паспорт"), ("documents", "certificate", "missing", "packing"),
          ("Не хватает документов в отгрузке: нет паспорта и сертификата",
           "Отгрузочные документы неполные, накладную пришлось запрашивать повторно",
           "В комплекте документов нет сертификата соответствия",
           "Документы к поставке пришли с ошибками, нет паспорта изделия"),
          ("Shipping documents incomplete: the certificate and passport were missing",
           "The packing list was missing from the shipping documents",
           "No certificate of conformity in the documents again",
           "Documents for the shipment were incomplete, we had to request them twice"),
          0.20, (0.35, 0.45, 0.17, 0.03)),
    Theme("slow_service", "service_request", "service",
          ("сервис", "инженер", "заявка", "долго"), ("service", "engineer", "response", "slow"),
          ("Сервисный инженер приехал только через неделю после заявки",
           "Долго ждём ответа сервисной службы по заявке",
           "Инженер сервиса не выходит на связь, заявка висит",
           "Сервис реагирует медленно, оборудование простаивает"),
          ("The service engineer took a week to respond to our request",
           "Slow response from the service team, our request is still open",
           "No reply from the service engineer, equipment is standing idle",
           "Service response is too slow"),
          0.22, (0.15, 0.45, 0.30, 0.10)),
    Theme("invoice_errors", "invoicing", "billing",
          ("счёт", "ошибка", "сумма", "реквизиты"), ("invoice", "error", "amount", "details"),
          ("В счёте ошибка в сумме, пришлось переделывать",
           "Счета приходят с неверными реквизитами",
           "Повторно выставили счёт с ошибкой в НДС",
           "Ошибка в счёте, оплата задержалась из-за исправлений"),
          ("Invoice error: wrong amount, it had to be reissued",
           "Invoices arrive with wrong bank details",
           "VAT error on the invoice again",
           "An invoice error delayed our payment"),
          0.16, (0.45, 0.40, 0.13, 0.02)),
    Theme("slow_proposal", "proposal", "sales",
          ("КП", "согласование", "предложение", "долго"), ("proposal", "approval", "quote", "weeks"),
          ("КП готовили почти месяц, согласование затянулось",
           "Коммерческое предложение долго согласовывают, теряем время",
           "Ждём КП уже три недели, оно на согласовании у руководства",
           "Согласование коммерческого предложения занимает слишком долго"),
          ("The proposal took weeks, it was stuck in approval",
           "Commercial proposal approval takes far too long",
           "Waiting three weeks for a quote, it is still being approved",
           "The approval of the proposal takes too long, we lose time"),
          0.10, (0.30, 0.50, 0.17, 0.03)),
    Theme("quality_defects", "product_quality", "quality",
          ("брак", "дефект", "качество", "приёмка"), ("defect", "quality", "acceptance", "faulty"),
          ("Брак при приёмке: дефект сварного шва",
           "Обнаружили дефекты качества, часть узлов вернули",
           "Качество продукции упало, много брака при приёмке",
           "Дефект покраски и комплектующих, оформляем рекламацию"),
          ("Defects found at acceptance: a faulty weld",
           "Quality defects, we had to return several units",
           "Product quality has dropped, too many defects at acceptance",
           "Faulty components, we are filing a quality claim"),
          0.12, (0.10, 0.35, 0.35, 0.20)),
)
OTHER_TICKETS = {  # requests that are not complaints
    "touchpoints": ("request_handling", "spare_parts"), "category": "request", "weight": 0.10,
    "ru": ("Прошу уточнить сроки гарантии", "Нужен прайс-лист на запчасти",
           "Просим прислать акт сверки", "Прошу проконсультировать по подбору оборудования"),
    "en": ("Please confirm the warranty terms", "We need a price list for spare parts",
           "Please send the reconciliation statement", "We need advice on choosing equipment"),
}
PRAISE = {
    "ru": ("Спасибо за оперативную поставку", "Качество оборудования на высоте",
           "Отличная работа сервисных инженеров", "Менеджер всегда на связи, работать удобно",
           "Надёжный поставщик, рекомендуем коллегам"),
    "en": ("Thanks for the fast delivery", "Equipment quality is excellent",
           "Great work by the service engineers", "Our account manager is always reachable",
           "A reliable supplier, we recommend you to colleagues"),
}
PASSIVE_PREFIX = {"ru": "В целом нормально, но ", "en": "Overall fine, but "}
TICKET_OPENERS = {"ru": ("Добрый день.", "Здравствуйте!", "Коллеги,", ""), "en": ("Hello,", "Hi team,", "")}
TICKET_CLOSERS = {"ru": ("Просим разобраться.", "Прошу срочно связаться.", "Ждём ответа.", ""),
                  "en": ("Please look into it.", "Please call back urgently.", "Awaiting your reply.", "")}

# --- names ----------------------------------------------------------------------------------------
CYR_FORMS = ("ООО", "АО", "ПАО", "ООО", "ЗАО")
CYR_ROOTS = (("Урал", "ural"), ("Сибирь", "sibir"), ("Волга", "volga"), ("Кама", "kama"), ("Енисей", "enisei"),
             ("Ангара", "angara"), ("Байкал", "baikal"), ("Тагил", "tagil"), ("Магнит", "magnit"),
             ("Прикам", "prikam"), ("Алтай", "altai"), ("Иртыш", "irtysh"), ("Дон", "don"), ("Печора", "pechora"),
             ("Нева", "neva"), ("Ока", "oka"), ("Таймыр", "taimyr"), ("Кузбасс", "kuzbass"), ("Ямал", "yamal"),
             ("Север", "sever"), ("Югра", "yugra"), ("Тобол", "tobol"), ("Обь", "ob"), ("Вятка", "vyatka"))
CYR_SUFFIXES = (("маш", "mash"), ("энерго", "energo"), ("строй", "stroi"), ("техснаб", "tekhsnab"),
                ("металл", "metall"), ("промсервис", "promservis"), ("монтаж", "montazh"),
                ("генерация", "generatsia"), ("сетьстрой", "setstroi"), ("нефтемаш", "neftemash"),
                ("спецтехника", "spetstekhnika"), ("энергоремонт", "energoremont"), ("промснаб", "promsnab"),
                ("бурмаш", "burmash"), ("трансстрой", "transstroi"), ("сталь", "stal"), ("агрегат", "agregat"),
                ("комплект", "komplekt"))
LAT_ROOTS = ("Nordic", "Baltic", "Volga", "Ural", "Polar", "Arctic", "Siberian", "Caspian", "Eastern", "Granite",
             "Titan", "Vector", "Atlas", "Meridian", "Orion")
LAT_SUFFIXES = ("Steel", "Power", "Energy Systems", "Machinery", "Construction", "Engineering", "Drilling",
                "Mining", "Industrial", "Grid", "Equipment", "Builders")
LAT_FORMS = ("LLC", "JSC", "Ltd", "Group")
FIRST_NAMES = (("Алексей", "aleksei", 0), ("Дмитрий", "dmitry", 0), ("Сергей", "sergei", 0), ("Андрей", "andrei", 0),
               ("Михаил", "mikhail", 0), ("Игорь", "igor", 0), ("Павел", "pavel", 0), ("Ольга", "olga", 1),
               ("Елена", "elena", 1), ("Наталья", "natalia", 1), ("Ирина", "irina", 1), ("Анна", "anna", 1))
SURNAMES = (("Иванов", "ivanov"), ("Петров", "petrov"), ("Смирнов", "smirnov"), ("Кузнецов", "kuznetsov"),
            ("Соколов", "sokolov"), ("Попов", "popov"), ("Лебедев", "lebedev"), ("Козлов", "kozlov"),
            ("Новиков", "novikov"), ("Морозов", "morozov"), ("Волков", "volkov"), ("Алексеев", "alekseev"),
            ("Фёдоров", "fedorov"), ("Михайлов", "mikhailov"), ("Орлов", "orlov"), ("Зайцев", "zaitsev"),
            ("Павлов", "pavlov"), ("Семёнов", "semenov"), ("Голубев", "golubev"), ("Виноградов", "vinogradov"))
INITIALS = "АБВГДЕИКЛМНОПРС"

# --- KPI actuals: value in the first quarter per unit and change per quarter ----------------------
KPI_PROFILES: dict[str, tuple[dict[str, float], float, dict[str, float]]] = {
    # id: ({unit: start}, trend per quarter, {unit: trend override})
    "tx_cost_to_serve": ({"machinery": 8.6, "energy": 10.8, "construction": 9.6}, -0.08, {}),
    "ox_defect_rate": ({"machinery": 1.9, "energy": 1.6, "construction": 2.7}, -0.04, {}),
    "ox_commissioning_on_time": ({"machinery": 86, "energy": 82, "construction": 77}, 0.5, {}),
    "ox_invoice_accuracy": ({"machinery": 95.2, "energy": 94.6, "construction": 93.1}, 0.2, {}),
    "ex_planners_trained": ({"machinery": 78, "energy": 80, "construction": 60}, 1.5, {}),
    "ex_logistics_certified": ({"machinery": 70, "energy": 72, "construction": 52}, 1.0, {"construction": 0.4}),
    "ex_sales_engineers_certified": ({"machinery": 72, "energy": 61, "construction": 69}, 0.8, {}),
    "ex_approval_delegation": ({"machinery": 66, "energy": 27, "construction": 62}, 0.9, {"energy": 0.15}),
    "ex_service_engineers_trained": ({"machinery": 84, "energy": 80, "construction": 77}, 0.6, {}),
    "ex_qc_certified": ({"machinery": 92, "energy": 94, "construction": 87}, 0.3, {}),
    "ex_billing_staff_trained": ({"machinery": 86, "energy": 85, "construction": 80}, 0.5, {}),
    "ex_enps": ({"machinery": 24, "energy": 11, "construction": 17}, 0.6, {}),
    "it_erp_planning_coverage": ({"machinery": 88, "energy": 85, "construction": 68}, 1.2, {}),
    "it_tms_tracking": ({"machinery": 80, "energy": 78, "construction": 58}, 1.5, {"construction": 0.6}),
    "it_cpq_adoption": ({"machinery": 60, "energy": 44, "construction": 55}, 2.0, {}),
    "it_approval_workflow": ({"machinery": 82, "energy": 38, "construction": 78}, 1.0, {"energy": 0.3}),
    "it_crm_completeness": ({"machinery": 85, "energy": 80, "construction": 78}, 0.8, {}),
    "it_helpdesk_automation": ({"machinery": 62, "energy": 58, "construction": 55}, 2.0, {}),
    "it_mes_coverage": ({"machinery": 84, "energy": 86, "construction": 75}, 1.0, {}),
    "it_billing_automation": ({"machinery": 80, "energy": 78, "construction": 72}, 1.0, {}),
}


DAY, HOUR = 86400.0, 3600.0


def lookup(weights: dict, ids, default: float) -> np.ndarray:
    return np.array([weights.get(i, default) for i in ids], dtype=float)


def mean_by(keys: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of values per integer key 0..size-1 (NaN where none) and the count per key."""
    n = np.bincount(keys, minlength=size)
    total = np.bincount(keys, weights=values, minlength=size)
    return np.divide(total, n, out=np.full(size, np.nan), where=n > 0), n


def in_quarter(rng: np.random.Generator, qs: np.ndarray, q: np.ndarray) -> np.ndarray:
    """A random minute inside quarter q (seconds since the first wave)."""
    return np.floor((qs[q] + rng.random(len(q)) * (qs[q + 1] - qs[q])) / 60) * 60


def choose(rng: np.random.Generator, ids: list[str], weights: dict[str, float], size: int,
           default: float = 0.0) -> np.ndarray:
    """Indices into `ids`, drawn with the story's weights (ids it does not know get `default`)."""
    p = np.array([weights.get(i, default) for i in ids], dtype=float)
    if p.sum() <= 0:
        p = np.ones(len(ids))
    return rng.choice(len(ids), size=size, p=p / p.sum())


def company_names(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Unique plausible company names (about 3 in 4 Cyrillic) and a web domain for each."""
    cyr = [(f"{form} «{r}{s}»", f"{rl}{sl}.ru") for r, rl in CYR_ROOTS for s, sl in CYR_SUFFIXES
           for form in CYR_FORMS[:1]]
    lat = [(f"{r} {s} {form}", f"{r}{s.split()[0]}.com".lower()) for r in LAT_ROOTS for s in LAT_SUFFIXES
           for form in LAT_FORMS[:1]]
    pool = cyr + lat
    p = np.r_[np.full(len(cyr), 0.75 / len(cyr)), np.full(len(lat), 0.25 / len(lat))]
    idx = rng.choice(len(pool), size=n, replace=n > len(pool), p=p)
    forms_c = rng.integers(0, len(CYR_FORMS), n)
    forms_l = rng.integers(0, len(LAT_FORMS), n)
    names, domains, seen = [], [], {}
    for k, i in enumerate(idx):
        name, domain = pool[i]
        name = (name.replace(CYR_FORMS[0], CYR_FORMS[forms_c[k]], 1) if i < len(cyr)
                else name.rsplit(" ", 1)[0] + " " + LAT_FORMS[forms_l[k]])
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
        domains.append(domain)
    return names, domains


def people(rng: np.random.Generator, domains: list[str]) -> tuple[list[str], list[str], list[str]]:
    """A name, an e-mail at the client's domain and a mobile number per contact."""
    n = len(domains)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(SURNAMES), n)
    digits = rng.integers(0, 10, (n, 9))
    names, emails, phones = [], [], []
    for i in range(n):
        fn, fl, female = FIRST_NAMES[first[i]]
        sn, sl = SURNAMES[last[i]]
        names.append(f"{fn} {sn}{'а' if female else ''}")
        emails.append(f"{fl[0]}.{sl}{'a' if female else ''}@{domains[i]}")
        d = "".join(map(str, digits[i]))
        phones.append(f"+7 (9{d[:2]}) {d[2:5]}-{d[5:7]}-{d[7:]}")
    return names, emails, phones


def resources(rng: np.random.Generator, departments: list[str], per_department: int = 6) -> dict[str, list[str]]:
    """A pool of employees ("Петров А.") per department for the event log."""
    pools = {}
    for dep in departments:
        last = rng.choice(len(SURNAMES), size=per_department, replace=False)
        init = rng.integers(0, len(INITIALS), per_department)
        pools[dep] = [f"{SURNAMES[s][0]} {INITIALS[j]}." for s, j in zip(last, init, strict=True)]
    return pools


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != "КП" else text


def comment_text(theme: Theme | None, kind: str, lang: str, pick: int, days: int) -> str:
    """A survey comment: a complaint (detractor), a softened one (passive) or praise (promoter)."""
    if kind == "promoter" or theme is None:
        options = PRAISE[lang]
        return options[pick % len(options)]
    phrases = theme.ru if lang == "ru" else theme.en
    text = phrases[pick % len(phrases)].format(d=days)
    return PASSIVE_PREFIX[lang] + _lower_first(text) if kind == "passive" else text


def comments(rng: np.random.Generator, tp_ids: list[str], Z: np.ndarray, lived: np.ndarray,
             nps: np.ndarray) -> np.ndarray:
    """A comment for ~40 %: the complaint about the worst-felt touchpoint, or praise from promoters."""
    R = len(nps)
    themes = [t for t in THEMES if t.touchpoint in tp_ids]
    cols = [tp_ids.index(t.touchpoint) for t in themes]
    worst = (np.argmin(np.where(lived[:, cols], Z[:, cols], np.inf) + rng.normal(0, 0.4, (R, len(cols))), 1)
             if themes else np.zeros(R, dtype=int))
    kind = np.where(nps >= 9, "promoter", np.where(nps >= 7, "passive", "detractor"))
    has, ru = rng.random(R) < 0.4, rng.random(R) < 0.7
    pick, days = rng.integers(0, 1000, R), rng.integers(3, 15, R)
    out = np.full(R, None, dtype=object)
    for i in np.flatnonzero(has):
        theme = themes[worst[i]] if themes and lived[i, cols[worst[i]]] else None
        out[i] = comment_text(theme, kind[i], "ru" if ru[i] else "en", int(pick[i]), int(days[i]))
    return out


def ticket_text(phrases: tuple[str, ...], lang: str, picks: np.ndarray, order_ref: str, days: int) -> str:
    opener = TICKET_OPENERS[lang][picks[0] % len(TICKET_OPENERS[lang])]
    closer = TICKET_CLOSERS[lang][picks[2] % len(TICKET_CLOSERS[lang])]
    core = phrases[picks[1] % len(phrases)].format(d=days)
    core = _lower_first(core) if opener.endswith(",") else core
    ref = ""
    if order_ref:
        ref = f"Заказ {order_ref}." if lang == "ru" else f"Order {order_ref}."
    return " ".join(part for part in (opener, core + ".", ref, closer) if part)


def kpi_value(kpi_id: str, unit: str, quarter: int, target: float | None, direction: str,
              percent: bool, noise: float) -> float:
    """A plausible actual for a KPI the story knows (or one around its target if it does not)."""
    if kpi_id in KPI_PROFILES:
        start, trend, overrides = KPI_PROFILES[kpi_id]
        base = start.get(unit, float(np.mean(list(start.values()))))
        value = base + overrides.get(unit, trend) * quarter
    else:
        t = target if target is not None else 50.0
        sign = 1 if direction == "higher" else -1
        value = t * (1 - 0.15 * sign) + sign * abs(t) * 0.01 * quarter
    value += noise * max(abs(value), 1.0) * 0.02
    return float(np.clip(value, 0.0, 100.0)) if percent else float(value)


def tickets(rng: np.random.Generator, model, C: dict, OD: dict, qs: np.ndarray, as_of: float) -> dict:
    """Tickets: some raised by late orders, the rest drawn from the recurring themes per unit."""
    tp_ids, n_q = [t.id for t in model.touchpoints], len(qs) - 1
    themes = [t for t in THEMES if t.touchpoint in tp_ids]
    other_tps = [t for t in OTHER_TICKETS["touchpoints"] if t in tp_ids] or tp_ids[:1]
    late_k = next((i for i, t in enumerate(themes) if t.touchpoint == DELIVERY_TOUCHPOINT), -1)
    delay = (OD["delivered"] - OD["promised"]) / DAY
    pick = OD["late"] & (rng.random(len(delay)) < LATE_ORDER_TICKET_SHARE) & (late_k >= 0)
    cust = np.flatnonzero(~C["prospect"])
    cq_c, cq_q = np.repeat(cust, n_q), np.tile(np.arange(n_q), len(cust))
    active = (cq_q >= C["start_q"][cq_c]) & (cq_q < C["churn_q"][cq_c])
    cnt = rng.poisson(TICKETS_PER_QUARTER * np.exp(-0.3 * C["u"][cq_c]) * active)
    tc, tq = np.repeat(cq_c, cnt), np.repeat(cq_q, cnt)
    theme = np.zeros(len(tc), dtype=int)
    keys = [str(j) for j in range(len(themes) + 1)]  # the last one: a request, not a complaint
    for i, u in enumerate(C["units"]):
        w = {str(j): t.ticket_weight * THEME_UNIT_MULT.get((u, t.id), 1.0) for j, t in enumerate(themes)}
        m = C["unit"][tc] == i
        theme[m] = choose(rng, keys, w | {keys[-1]: OTHER_TICKETS["weight"]}, int(m.sum()))
    client = np.r_[OD["client"][pick], tc]
    opened = np.r_[OD["promised"][pick] + rng.uniform(0.15, 0.9, pick.sum()) * delay[pick] * DAY,
                   in_quarter(rng, qs, tq)]
    theme = np.r_[np.full(pick.sum(), late_k), theme]
    ref = np.r_[OD["order_id"][pick], np.full(len(tc), "", dtype=object)]
    days = np.r_[np.ceil(delay[pick]), rng.integers(3, 15, len(tc))].astype(int)
    keep = opened < min(qs[-1], as_of)
    order = np.argsort(opened[keep], kind="stable")
    client, opened, theme, ref, days = (a[keep][order] for a in (client, opened, theme, ref, days))
    n = len(client)
    sev = np.zeros(n, dtype=int)
    for k in range(len(themes) + 1):
        probs = themes[k].severity if k < len(themes) else (0.6, 0.35, 0.05, 0.0)
        sev[theme == k] = rng.choice(4, size=int((theme == k).sum()), p=probs)
    sev_ids = np.array(SEVERITIES, dtype=object)[sev]
    slow = np.array([t.id == SLOW_THEME[0] for t in themes] + [False])[theme]
    first = opened + rng.lognormal(np.log(lookup(FIRST_RESPONSE_HOURS, sev_ids, 5.0)), 0.7) * HOUR * np.where(
        slow, SLOW_THEME[1], 1.0)
    closed = first + rng.lognormal(np.log(lookup(RESOLUTION_DAYS, sev_ids, 3.0)), 0.8) * DAY
    closed[rng.random(n) < 0.02] = np.nan  # forgotten tickets stay open
    channels = model.option_ids("channels")
    ru, picks, other = rng.random(n) < 0.7, rng.integers(0, 1000, (n, 3)), rng.integers(0, len(other_tps), n)
    text, touchpoint, category = [], [], []
    for i in range(n):
        lang, k = "ru" if ru[i] else "en", theme[i]
        phrases = (themes[k].ru if lang == "ru" else themes[k].en) if k < len(themes) else OTHER_TICKETS[lang]
        text.append(ticket_text(phrases, lang, picks[i], ref[i], int(days[i])))
        touchpoint.append(themes[k].touchpoint if k < len(themes) else other_tps[other[i]])
        category.append(themes[k].category if k < len(themes) else OTHER_TICKETS["category"])
    return dict(
        ticket_id=np.array([f"T-{i + 1:06d}" for i in range(n)], dtype=object), client=client, opened=opened,
        first=np.where(first > as_of, np.nan, first), closed=np.where(closed > as_of, np.nan, closed),
        channel=np.array(channels, dtype=object)[choose(rng, channels, TICKET_CHANNEL_MIX, n)],
        touchpoint=np.array(touchpoint, dtype=object), category=np.array(category, dtype=object),
        severity=sev_ids, text=np.array(text, dtype=object), theme=theme,
    )


def kpi_rows(rng: np.random.Generator, model, C: dict, S: dict, qs: np.ndarray, labels: list[str]) -> dict:
    """KPI actuals per quarter, unit and company total; churn and LTV follow the generated clients."""
    units, n_q, cust = C["units"], len(labels), ~C["prospect"]
    q = np.arange(n_q)
    active = cust[:, None] & (C["start_q"][:, None] <= q) & (C["churn_q"][:, None] >= q)
    churned = C["former"][:, None] & (C["churn_q"][:, None] == q)
    score, n_s = mean_by(C["unit"][S["client"]] * n_q + S["q"], S["nps"].astype(float),
                         len(units) * n_q)
    overall = float(S["nps"].mean()) if len(S["nps"]) else 7.5
    score = np.where(n_s > 0, score, overall).reshape(len(units), n_q)
    score_all = np.array([S["nps"][S["q"] == i].mean() if (S["q"] == i).any() else overall for i in q])
    weight = np.bincount(C["unit"][cust], minlength=len(units)).astype(float)
    rows: dict[str, list] = {"kpi_id": [], "period": [], "business_unit": [], "segment": [], "value": []}

    def ltv(m: np.ndarray, i: int, s: float) -> float:
        tenure = (qs[i + 1] - C["first_at"][m]) / (365.25 * DAY)
        remaining = remaining_years(s)
        return float(np.mean(C["revenue"][m] * MARGIN * (tenure + remaining)) / 1e6) if m.any() else 0.0

    for kpi in (k for k in model.kpis if k.compute.kind == "actuals"):
        for i, label in enumerate(labels):
            if kpi.id == "tx_churn_rate":
                vals = [100 * churned[C["unit"] == u, i].sum() / max(active[C["unit"] == u, i].sum(), 1)
                        for u in range(len(units))]
                total = 100 * churned[:, i].sum() / max(active[:, i].sum(), 1)
            elif kpi.id == "tx_ltv":
                vals = [ltv(active[:, i] & (C["unit"] == u), i, score[u, i]) for u in range(len(units))]
                total = ltv(active[:, i], i, score_all[i])
            else:
                vals = [kpi_value(kpi.id, u, i, kpi.target, kpi.direction, "%" in kpi.unit, rng.normal())
                        for u in units]
                total = float(np.average(vals, weights=weight)) if weight.sum() else float(np.mean(vals))
            for u, v in [*zip(units, vals, strict=True), (None, total)]:
                rows["kpi_id"].append(kpi.id)
                rows["period"].append(label)
                rows["business_unit"].append(u)
                rows["segment"].append(None)
                rows["value"].append(round(float(v), 2))
    return rows


def ground_truth(model, C: dict, OD: dict, P: dict, S: dict, T: dict, labels: list[str]) -> dict:
    """What was planted, and how it shows in the generated data (for tests and the app's checks)."""
    tp_ids = [t.id for t in model.touchpoints]
    weights = {t: float(DRIVER_WEIGHTS.get(t, 0.0)) for t in tp_ids}
    unit_r = C["unit_id"][S["client"]]

    def nps(mask: np.ndarray) -> float | None:
        v = S["nps"][mask]
        return round(float(100 * ((v >= 9).mean() - (v <= 6).mean())), 1) if len(v) else None

    def mean(v: np.ndarray) -> float | None:
        v = v[~np.isnan(v)]
        return round(float(v.mean()), 3) if len(v) else None

    truth: dict = {
        "driver_weights": weights, "driver_weights_unit": "NPS points per 1 SD of the touchpoint experience",
        "driver_ranking": [t for t in sorted(tp_ids, key=lambda t: -weights[t]) if weights[t] > 0],
        "nps": {"overall": nps(np.ones(len(unit_r), dtype=bool)),
                "by_unit": {u: nps(unit_r == u) for u in C["units"]},
                "by_wave": {label: nps(S["q"] == i) for i, label in enumerate(labels)}},
    }
    if DELIVERY_TOUCHPOINT in tp_ids:
        r, late = S["rating"][:, tp_ids.index(DELIVERY_TOUCHPOINT)], S["late_share"] > 0
        with_late, without = mean(r[late]), mean(r[~late])
        truth["late_delivery_effect"] = {
            "touchpoint": DELIVERY_TOUCHPOINT,
            "definition": "respondent's client had an order delivered after promised_at in the survey quarter",
            "mean_rating_with_late_orders": with_late, "mean_rating_without": without,
            "difference": round(with_late - without, 3) if with_late and without else None,
            "n_with": int((late & ~np.isnan(r)).sum()), "n_without": int((~late & ~np.isnan(r)).sum()),
            "planted_latent_shift": {"per_late_share": LATE_SHARE_EFFECT, "any_late": ANY_LATE_EFFECT},
            "late_order_share": round(float(OD["late"].mean()), 3) if len(OD["late"]) else None,
        }
    bottleneck = dict(BOTTLENECK)
    if P["proc"] is not None:
        acts = [s.activity for s in P["proc"].steps]
        step = acts.index(bottleneck["activity"]) if bottleneck["activity"] in acts else -1
        wait_unit = C["unit_id"][P["client"]][P["case"]]
        bottleneck["median_wait_hours_by_unit"] = {
            u: round(float(np.median(P["wait"][(P["step"] == step) & (wait_unit == u)] / HOUR)), 1)
            for u in C["units"] if ((P["step"] == step) & (wait_unit == u)).any()}
        bottleneck["mean_lead_days_by_unit"] = {
            u: round(float(P["lead"][C["unit_id"][P["client"]] == u].mean()), 2)
            for u in C["units"] if (C["unit_id"][P["client"]] == u).any()}
    if PROPOSAL_TOUCHPOINT in tp_ids:
        r = S["rating"][:, tp_ids.index(PROPOSAL_TOUCHPOINT)]
        bottleneck["proposal_rating_by_unit"] = {u: mean(r[unit_r == u]) for u in C["units"]}
    truth["bottleneck"] = bottleneck
    truth["complaint_themes"] = [
        {"id": t.id, "touchpoint": t.touchpoint, "category": t.category,
         "keywords": {"ru": list(t.keywords_ru), "en": list(t.keywords_en)},
         "n_tickets": int((T["category"] == t.category).sum())}
        for t in THEMES if t.touchpoint in tp_ids]
    cust = ~C["prospect"]
    truth["churn"] = {
        "former_clients": int(C["former"].sum()), "customers": int(cust.sum()),
        "mean_nps_score_former": round(float(C["nps_c"][C["former"]].mean()), 2) if C["former"].any() else None,
        "mean_nps_score_current": round(float(C["nps_c"][cust & ~C["former"]].mean()), 2),
        "churn_logit": {"base_at_score_7_5": CHURN_BASE, "per_point_below": CHURN_PER_NPS_POINT},
        "mean_ltv_mln_promoter_clients": round(float(np.nanmean(C["ltv"][cust & (C["nps_c"] >= 9)])) / 1e6, 2),
        "mean_ltv_mln_detractor_clients": round(float(np.nanmean(C["ltv"][cust & (C["nps_c"] <= 6)])) / 1e6, 2),
    }
    return truth
