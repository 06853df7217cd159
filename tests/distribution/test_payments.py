"""Payment files of a final close: payments.csv, and the SEPA pain.001 valid against its
XSD (sepaxml's schema file, checked with xmlschema)."""

from __future__ import annotations

import copy
import csv
from decimal import Decimal as D
from pathlib import Path
from xml.etree import ElementTree as ET

import sepaxml
import xmlschema

from partnerclose.core.period import Period
from partnerclose.pipeline import Status, run_close
from tests.distribution.test_send import P003, nets
from tests.workbook_files import P001, P002, PROGRAM, write_program

OCT = Period(2026, 10)
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
IBAN_1 = "DE89 3704 0044 0532 0130 00"
IBAN_3 = "FR14 2004 1010 0505 0001 3M02 606"


def program(tmp_path: Path, debtor: bool = True) -> Path:
    sheets = copy.deepcopy(PROGRAM)
    sheets["Program"][2] = ["currency", "EUR"]
    if debtor:
        sheets["Program"] += [
            ["debtor_name", "Northwind GmbH"],
            ["debtor_iban", "GB82 WEST 1234 5698 7654 32"],
            ["debtor_bic", "WESTGB2L"],
        ]
    sheets["Partners"] = [
        ["partner_id", "name", "plan", "status", "bank_account", "bank_bic"],
        ["P001", "Acme Analytics", "Gold", "active", IBAN_1, "COBADEFF"],
        ["P002", "Beta Systems", "Gold", "active", "0123456789", ""],
        ["P003", "Gamma Labs", "Gold", "active", IBAN_3, ""],
    ]
    sheets["Commitments"].append(["P003", "CRM", 100])
    p003 = copy.deepcopy(P003)
    p003["Deals"] = [
        ["deal_id", "close_date", "product", "deal_type", "registered", "amount", "status"],
        ["D3", "2026-10-10", "Core", "sourced", "Y", 60000, "won"],
    ]
    p001 = copy.deepcopy(P001)
    p001["Deals"][1][5] = 90000
    return write_program(tmp_path, sheets, {"P001": p001, "P002": P002, "P003": p003})


def read_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "payments.csv").open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_a_final_close_writes_payments_csv_and_a_valid_sepa_file(tmp_path):
    outcome = run_close(program(tmp_path), OCT, final=True)
    assert outcome.status is Status.CLOSED, outcome.message
    folder = outcome.output
    net = nets(folder)
    rows = read_rows(folder)
    assert [r["partner_id"] for r in rows] == ["P001", "P002", "P003"]
    by_id = {r["partner_id"]: r for r in rows}
    for pid, row in by_id.items():
        assert D(row["amount"]) == abs(net[pid])
        assert row["direction"] == ("pay" if net[pid] > 0 else "collect")
        assert row["currency"] == "EUR"
        assert row["due_date"] == "2026-11-30"
        assert row["statement_number"] == f"{pid}-2026-10-1"
    assert net["P001"] > 0  # D1: 90,000 sourced at 10 % less its cost share
    assert net["P003"] > 0
    assert by_id["P002"]["direction"] == "collect"  # only its cost share: it owes
    assert by_id["P001"]["account"] == "DE89370400440532013000"
    assert by_id["P001"]["account_masked"] == "*" * 18 + "3000"
    assert by_id["P001"]["bic"] == "COBADEFF"
    assert by_id["P002"]["in_sepa_file"] == "N"  # not an IBAN (and collected if it owes)
    assert by_id["P001"]["in_sepa_file"] == by_id["P003"]["in_sepa_file"] == "Y"

    data = (folder / "payments-sepa.xml").read_bytes()
    xmlschema.XMLSchema(str(XSD)).validate(data.decode("utf-8"))  # raises when invalid
    root = ET.fromstring(data)
    transfers = root.findall(".//p:CdtTrfTxInf", NS)
    found = {
        t.find("p:CdtrAcct/p:Id/p:IBAN", NS).text: (
            D(t.find("p:Amt/p:InstdAmt", NS).text),
            t.find("p:PmtId/p:EndToEndId", NS).text,
        )
        for t in transfers
    }
    assert found == {
        "DE89370400440532013000": (net["P001"], "P001-2026-10-1"),
        "FR1420041010050500013M02606": (net["P003"], "P003-2026-10-1"),
    }
    header = root.find(".//p:GrpHdr", NS)
    assert D(header.find("p:CtrlSum", NS).text) == net["P001"] + net["P003"]
    assert header.find("p:NbOfTxs", NS).text == "2"
    assert root.find(".//p:DbtrAcct/p:Id/p:IBAN", NS).text == "GB82WEST12345698765432"


def test_a_draft_writes_no_payment_files_and_no_debtor_no_sepa_file(tmp_path):
    draft = run_close(program(tmp_path), OCT)
    assert not (draft.output / "payments.csv").exists()
    other = tmp_path / "other"
    final = run_close(program(other, debtor=False), OCT, final=True)
    assert final.status is Status.CLOSED, final.message
    assert (final.output / "payments.csv").exists()
    assert not (final.output / "payments-sepa.xml").exists()
    assert {r["in_sepa_file"] for r in read_rows(final.output)} == {"N"}
