from pathlib import Path

from apps.excel import columns as C

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-mapping.md"


def test_mapping_doc_lists_every_header_and_alias():
    text = DOC.read_text(encoding="utf-8")
    missing = [name for col in C.COLUMNS for name in (col.header, *col.aliases) if name not in text]
    assert not missing, f"docs/import-mapping.md does not mention: {missing}"


def test_header_matching_normalises():
    assert C.match_header(" 身份证号码（必填）* ") == "id_number"
    assert C.match_header("工作岗位（职业）") == "occupation"
    assert C.match_header("手机号") == "phone"
    assert C.match_header("出生年月") == "birth_date"
    assert C.match_header("序号") is None
