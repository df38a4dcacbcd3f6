"""Respondents' names, e-mails and phones live in raw_surveys (masked/hashed on load) and in one
view, mart_respondent_contacts, that only analyst code reads; no other model a page reads has them."""

from __future__ import annotations

from app.warehouse.contacts import respondent_contacts

PERSONAL = {"respondent_name", "email", "phone"}
ALLOWED = {"raw_surveys", "mart_respondent_contacts"}


def test_no_dashboard_model_carries_personal_columns(demo_con):
    rows = demo_con.execute(
        "select table_name, column_name from information_schema.columns where column_name in "
        "('respondent_name', 'email', 'phone')"
    ).fetchall()
    holders = {table for table, _ in rows}
    assert holders - ALLOWED == set(), f"personal data leaks into {sorted(holders - ALLOWED)}"
    assert "mart_respondent_contacts" in holders


def test_contacts_are_stored_masked_and_hashed(demo_con):
    some = [
        r[0]
        for r in demo_con.execute(
            "select response_id from mart_respondent_contacts where email is not null limit 3"
        ).fetchall()
    ]
    assert some, "the demo has respondents who left contacts"
    contacts = respondent_contacts(demo_con, some)
    assert contacts.height == len(some)
    assert all(e.startswith("hmac:") for e in contacts["email"].to_list())
    assert all("***" in n for n in contacts["respondent_name"].drop_nulls().to_list())
    assert all(p.startswith("***") for p in contacts["phone"].drop_nulls().to_list())
