"""The bad-file corpus: each rule refused with the right row and column, nothing written;
and good files imported exactly."""

import datetime
import io
import zipfile

import pytest

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.excel.importer import ImportCancelled, import_members
from apps.members.idnumber import compose
from apps.members.models import Member, MemberCategory, MemberStatusChange
from tests.excel.helpers import HEADERS, build_workbook, good_row, org_path_name, to_bytes, xlsx
from tests.factories import make_member, make_user


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


def commit(data, **kw):
    """Commit (the strict phase): must refuse and write nothing for every bad file."""
    before = Member.objects.count(), ChangeLog.objects.count()
    kw.setdefault("actor", system_actor("cli"))
    result = import_members(data, dry_run=False, **kw)
    if not result.ok:
        assert (Member.objects.count(), ChangeLog.objects.count()) == before
    return result


def only_error(result):
    assert not result.ok
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


def id_with_x(birth=datetime.date(1980, 5, 6), sex="F"):
    for seq in range(500):
        number = compose("350525", birth, seq, sex)
        if number.endswith("X"):
            return number
    raise AssertionError


# ---------------------------------------------------------------- file-level refusals


def test_not_xlsx_text_file(branch):
    r = commit("姓名,身份证号\n张三,1\n".encode())
    assert "不是有效的 .xlsx 文件" in r.refused


def test_zip_that_is_not_a_workbook(branch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    r = commit(buf.getvalue())
    assert "压缩包中没有Excel工作簿" in r.refused


def test_encrypted_file(branch):
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 100
    r = commit(fake)
    assert "打开密码" in r.refused


def test_old_xls_file(branch):
    r = commit(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert ".xls" in r.refused


def test_empty_file_and_header_only(branch):
    assert "文件为空" in commit(b"").refused
    r = commit(xlsx([], HEADERS))
    assert "没有任何党员记录" in r.refused
    wb = build_workbook([], ["无关"])
    assert "表头" in commit(to_bytes(wb)).refused


def test_too_big(branch, settings):
    settings.DANGJIAN_IMPORT_MAX_BYTES = 2000
    r = commit(xlsx([good_row(branch)]))
    assert "文件过大" in r.refused and "上限" in r.refused


def test_too_many_rows(branch, settings):
    settings.DANGJIAN_IMPORT_MAX_ROWS = 2
    r = commit(xlsx([good_row(branch) for _ in range(3)]))
    assert "超过上限 2 行" in r.refused


def test_formula_cell_named_by_row_and_column(branch):
    wb = build_workbook([good_row(branch), good_row(branch)])
    wb.active["A3"] = '=CONCATENATE("张","三")'
    r = commit(to_bytes(wb))
    assert "公式" in r.refused
    e = only_error(r)
    assert (e.row, e.column, e.header) == (3, "A", "姓名")


def test_macro_refused(branch):
    data = xlsx([good_row(branch)])
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for item in src.infolist():
            z.writestr(item, src.read(item.filename))
        z.writestr("xl/vbaProject.bin", b"\0" * 64)
    r = commit(buf.getvalue())
    assert "宏" in r.refused


def test_merged_cells_in_data_area(branch):
    wb = build_workbook([good_row(branch), good_row(branch), good_row(branch)])
    wb.active.merge_cells("L3:L4")
    r = commit(to_bytes(wb))
    assert "合并单元格" in r.refused
    e = only_error(r)
    assert (e.row, e.column, e.header, e.value) == (3, "L", "所在党组织", "L3:L4")


def test_merged_title_above_header_is_fine(branch):
    wb = build_workbook([good_row(branch)])
    ws = wb.active
    ws.insert_rows(1)
    ws["A1"] = "某镇党员花名册"
    ws.merge_cells("A1:E1")
    r = commit(to_bytes(wb))
    assert r.ok, [str(e) for e in r.errors] or r.refused
    assert r.created == 1 and r.header_row == 2


def test_hidden_sheet_with_data_refused(branch):
    wb = build_workbook([good_row(branch)])
    hidden = wb.create_sheet("备用")
    hidden.append(["张三", "110105194912310021"])
    hidden.sheet_state = "hidden"
    r = commit(to_bytes(wb))
    assert "隐藏工作表“备用”" in r.refused


def test_empty_hidden_sheet_is_harmless(branch):
    wb = build_workbook([good_row(branch)])
    wb.create_sheet("空").sheet_state = "hidden"
    assert commit(to_bytes(wb)).created == 1


def test_missing_required_column(branch):
    row = good_row(branch)
    del row["入党日期"]
    r = commit(xlsx([row]))
    assert "缺少必填列：入党日期" in r.refused


def test_duplicate_header(branch):
    row = good_row(branch)
    headers = [*HEADERS, "身份证号码"]
    row["身份证号码"] = row["公民身份号码"]
    r = commit(xlsx([row], headers))
    assert "表头重复" in r.refused


# ---------------------------------------------------------------- row-level rules


def test_wrong_type_date_text(branch):
    r = commit(xlsx([good_row(branch), good_row(branch, 入党日期="去年七一")]))
    e = only_error(r)
    assert (e.row, e.column, e.header, e.value) == (3, "I", "入党日期", "去年七一")
    assert "日期格式不正确" in e.message


def test_wrong_type_id_as_number(branch):
    r = commit(xlsx([good_row(branch, 公民身份号码=350525198001020031)]))
    e = only_error(r)
    assert (e.row, e.column) == (2, "E") and "文本格式" in e.message


def test_wrong_choice_value_lists_the_options(branch):
    e = only_error(commit(xlsx([good_row(branch, 学历="幼儿园")])))
    assert (e.row, e.column, e.header) == (2, "F", "学历") and "可选：研究生" in e.message


@pytest.mark.parametrize("value", ["2023-02-29", "2023/2/29", "2023年2月29日", 20230229, "20230229"])
def test_impossible_date(branch, value):
    e = only_error(commit(xlsx([good_row(branch, 入党日期=value, 转正日期=None, 人员类别="预备党员")])))
    assert (e.row, e.column, e.header) == (2, "I", "入党日期")
    assert "2023年2月只有28天" in e.message


def test_lower_case_x_accepted_and_normalised(branch):
    number = id_with_x()
    r = commit(xlsx([good_row(branch, 公民身份号码=number.lower(), 出生日期=datetime.date(1980, 5, 6), 性别="女")]))
    assert r.ok and r.created == 1, [str(e) for e in r.errors]
    m = Member.objects.get()
    assert m.reveal_id_number() == number and m.id_number_masked.endswith("X")


def test_trailing_spaces_trimmed(branch):
    row = good_row(branch)
    name = row["姓名"]
    row.update(
        {"姓名": f" {name}\u3000", "学历": "大学本科 ", "所在党组织": f"{row['所在党组织']} ", "公民身份号码": f"{row['公民身份号码']} "}
    )
    r = commit(xlsx([row]))
    assert r.ok, [str(e) for e in r.errors]
    m = Member.objects.get()
    assert m.name == name and m.education == "bachelor"


def test_full_width_digits_normalised(branch):
    row = good_row(branch)
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    number, phone = row["公民身份号码"], row["联系电话"]
    row.update({"公民身份号码": number.translate(wide), "联系电话": phone.translate(wide), "入党日期": "２０１０-０７-０１"})
    r = commit(xlsx([row]))
    assert r.ok, [str(e) for e in r.errors]
    m = Member.objects.get()
    assert m.reveal_id_number() == number and m.reveal_phone() == phone and m.join_date == datetime.date(2010, 7, 1)


def test_unknown_org_reported_never_created(branch):
    from apps.orgs.models import Organisation

    n = Organisation.objects.count()
    e = only_error(commit(xlsx([good_row(branch, 所在党组织="中共测试县委员会/不存在的党支部")])))
    assert (e.row, e.column, e.header) == (2, "L", "所在党组织") and "找不到党组织" in e.message
    assert Organisation.objects.count() == n


def test_org_by_code_by_path_and_by_partial_path(branch):
    rows = [
        good_row(branch, by_code=True),
        good_row(branch),
        good_row(branch, 所在党组织="/".join(org_path_name(branch).split("/")[1:])),
    ]
    r = commit(xlsx(rows))
    assert r.ok and r.created == 3
    assert set(Member.objects.values_list("organisation_id", flat=True)) == {branch.pk}


def test_org_outside_scope_refused(tree):
    mine, other = tree["branches"][0][0], tree["branches"][1][0]
    secretary = make_user("branch_secretary", mine)
    r = commit(xlsx([good_row(mine), good_row(other)]), actor=secretary)
    e = only_error(r)
    assert (e.row, e.column) == (3, "L") and "不在您的维护权限范围内" in e.message


def test_duplicate_id_inside_file(branch):
    a = good_row(branch)
    b = good_row(branch, 公民身份号码=a["公民身份号码"], 出生日期=a["出生日期"], 性别=a["性别"])
    e = only_error(commit(xlsx([a, b])))
    assert (e.row, e.column) == (3, "E") and "与第2行的身份证号重复" in e.message


def test_duplicate_against_database_outside_scope(tree):
    mine, other = tree["branches"][0][0], tree["branches"][1][0]
    existing = make_member(other)
    secretary = make_user("branch_secretary", mine)
    row = good_row(mine, 公民身份号码=existing.reveal_id_number(), 出生日期=existing.birth_date, 性别=existing.get_sex_display())
    e = only_error(commit(xlsx([row]), actor=secretary))
    assert (e.row, e.column) == (2, "E") and "已有在册党员记录" in e.message
    assert e.value == existing.id_number_masked  # personal data masked in the report


def test_duplicate_against_database_when_create_only(branch):
    existing = make_member(branch)
    row = good_row(branch, 公民身份号码=existing.reveal_id_number(), 出生日期=existing.birth_date, 性别=existing.get_sex_display())
    e = only_error(commit(xlsx([row]), update_existing=False))
    assert e.column == "E" and "只新增不更新" in e.message


def test_existing_member_in_scope_is_updated(branch):
    existing = make_member(branch, work_unit="旧单位")
    row = good_row(
        branch,
        姓名=existing.name,
        公民身份号码=existing.reveal_id_number(),
        出生日期=existing.birth_date,
        性别=existing.get_sex_display(),
        工作单位="新单位",
        党员类别="农村党员、困难党员",
    )
    preview = import_members(xlsx([row]), dry_run=True, actor=system_actor("cli"))
    assert preview.ok and (preview.to_create, preview.to_update) == (0, 1)
    existing.refresh_from_db()
    assert existing.work_unit == "旧单位"
    r = commit(xlsx([row]))
    assert r.ok and r.updated == 1
    existing.refresh_from_db()
    assert existing.work_unit == "新单位" and sorted(existing.category_codes()) == ["hardship", "rural"]
    log = ChangeLog.objects.filter(object_id=str(existing.pk), action="update").get()
    assert log.before["work_unit"] == "旧单位" and log.after["work_unit"] == "新单位"


def test_update_cannot_move_or_change_status(tree):
    a, b = tree["branches"][0][0], tree["branches"][0][1]
    existing = make_member(a)
    row = good_row(
        b, 公民身份号码=existing.reveal_id_number(), 出生日期=existing.birth_date, 性别=existing.get_sex_display(), 党籍状态="失联"
    )
    r = commit(xlsx([row], [*HEADERS, "党籍状态"]))
    messages = {e.header: e.message for e in r.errors}
    assert "组织关系调整" in messages["所在党组织"] and "党籍状态变更" in messages["党籍状态"]


def test_sex_id_mismatch(branch):
    row = good_row(branch)
    row["性别"] = "女" if row["性别"] == "男" else "男"
    e = only_error(commit(xlsx([row])))
    assert (e.row, e.column, e.header) == (2, "B", "性别") and "性别与身份证号不一致" in e.message


def test_bad_id_checksum(branch):
    row = good_row(branch)
    number = row["公民身份号码"]
    row["公民身份号码"] = number[:-1] + ("0" if number[-1] != "0" else "1")
    e = only_error(commit(xlsx([row])))
    assert e.column == "E" and "校验位" in e.message


def test_masked_id_refused(branch):
    e = only_error(commit(xlsx([good_row(branch, 公民身份号码="350525********0031")])))
    assert "脱敏" in e.message


def test_dates_out_of_order_named(branch):
    e = only_error(commit(xlsx([good_row(branch, 转正日期=datetime.date(2009, 1, 1))])))
    assert e.header == "转正日期" and "不能早于入党日期" in e.message


def test_every_error_of_a_file_is_listed(branch):
    rows = [good_row(branch), good_row(branch, 学历="x"), good_row(branch, 入党日期="x"), good_row(branch, 所在党组织="不存在")]
    r = commit(xlsx(rows))
    assert sorted(e.row for e in r.errors) == [3, 4, 5]


# ---------------------------------------------------------------- good files


def test_good_file_imported_exactly(branch):
    rows = [good_row(branch, 党员类别="农村党员、困难党员", 民族="回族"), good_row(branch, by_code=True)]
    result = import_members(xlsx(rows), dry_run=False, actor=system_actor("cli"))
    assert result.ok and result.created == 2
    m = Member.objects.get(name=rows[0]["姓名"])
    assert m.reveal_id_number() == rows[0]["公民身份号码"]
    assert m.reveal_phone() == rows[0]["联系电话"]
    assert m.birth_date == rows[0]["出生日期"] and m.join_date == rows[0]["入党日期"]
    assert m.ethnicity == "回族" and m.education == "bachelor" and m.member_type == "full"
    assert sorted(m.category_codes()) == ["hardship", "rural"]
    assert MemberCategory.objects.count() == 2
    assert MemberStatusChange.objects.filter(member=m, to_status="normal", reason="建立党员档案").exists()
    log = ChangeLog.objects.get(object_type="members.member", object_id=str(m.pk))
    assert log.action == "create" and log.after["categories"] == ["hardship", "rural"] and "id_number_enc" not in log.after
    branch.refresh_from_db()
    assert branch.direct_member_count == 2


def test_headers_in_any_order_and_alternative_spellings(branch):
    row = good_row(branch)
    renamed = {"身份证号码": row.pop("公民身份号码"), "手机号": row.pop("联系电话"), "出生年月": "", "最高学历": row.pop("学历")}
    row.pop("出生日期")
    row.update(renamed)
    headers = list(reversed(list(row)))
    r = commit(xlsx([row], headers))
    assert r.ok and r.created == 1, [str(e) for e in r.errors] or r.refused
    assert Member.objects.get().reveal_phone() == renamed["手机号"]


def test_birth_year_month_column(branch):
    row = good_row(branch)
    birth = row.pop("出生日期")
    row["出生年月"] = f"{birth.year}.{birth.month:02d}"
    assert commit(xlsx([row])).created == 1
    row2 = good_row(branch)
    birth2 = row2.pop("出生日期")
    row2["出生年月"] = f"{birth2.year - 1}.{birth2.month:02d}"
    e = only_error(commit(xlsx([row2])))
    assert e.header == "出生年月" and "不一致" in e.message


def test_excel_date_cells_and_serial_numbers(branch):
    row = good_row(branch, 入党日期=40360)  # Excel serial number of 2010-07-01
    r = commit(xlsx([row]))
    assert r.ok
    assert Member.objects.get().join_date == datetime.date(2010, 7, 1)


def test_default_org_for_rows_without_org(branch):
    row = good_row(branch)
    del row["所在党组织"]
    r = commit(xlsx([row]), org=branch)
    assert r.ok and Member.objects.get().organisation == branch


def test_progress_reported_and_cancel_writes_nothing(branch):
    rows = [good_row(branch) for _ in range(5)]
    seen = []
    r = import_members(xlsx(rows), dry_run=True, progress=lambda d, t: seen.append((d, t)), actor=system_actor("cli"))
    assert r.ok and seen[0] == (0, 5) and seen[-1] == (5, 5)

    calls = {"n": 0}

    def cancel_during_commit():
        calls["n"] += 1
        return calls["n"] > 1  # let validation through, cancel inside the transaction

    import apps.excel.importer as importer

    old = importer.CANCEL_EVERY
    importer.CANCEL_EVERY = 10**9
    try:
        with pytest.raises(ImportCancelled):
            import_members(xlsx(rows), dry_run=False, should_cancel=cancel_during_commit, actor=system_actor("cli"))
    finally:
        importer.CANCEL_EVERY = old
    assert Member.objects.count() == 0 and ChangeLog.objects.filter(object_type="members.member").count() == 0


def _counters(orgs) -> dict[int, int]:
    from apps.orgs.models import Organisation

    return dict(Organisation.objects.filter(pk__in=[o.pk for o in orgs]).values_list("pk", "direct_member_count"))


def _members_by_org(orgs) -> dict[int, int]:
    from apps.members.codes import COUNTED_STATUSES

    return {o.pk: Member.objects.filter(organisation=o, status__in=COUNTED_STATUSES).count() for o in orgs}


def test_counters_exact_and_written_in_one_statement_per_import(tree, monkeypatch):
    """Rows of several organisations interleaved over several chunks: the organisations'
    counters are summed over the chunks and written once, in one statement; they equal
    the member table, and check_org_tree finds no drift."""
    from django.core.management import call_command
    from django.db import connection

    import apps.excel.importer as importer

    monkeypatch.setattr(importer, "BATCH", 2)  # 7 rows: 4 chunks
    branches = [b for pair in tree["branches"] for b in pair]
    make_member(branches[0])
    make_member(branches[3])
    rows = [good_row(branches[i % 3]) for i in range(7)]  # not sorted: every chunk touches 2 organisations
    counter_writes = []

    def spy(execute, sql, params, many, context):
        if "orgs_organisation" in sql and sql.lstrip().upper().startswith("UPDATE"):
            counter_writes.append((sql, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        r = commit(xlsx(rows))
    assert r.ok and r.created == 7
    assert len(counter_writes) == 1 and counter_writes[0][1] is False, counter_writes
    assert _counters(branches) == _members_by_org(branches) == {branches[0].pk: 4, branches[1].pk: 2, branches[2].pk: 2, branches[3].pk: 1}
    out = io.StringIO()
    call_command("check_org_tree", stdout=out)  # raises CommandError on drift
    assert "[通过] 直属党员数与党员表不一致" in out.getvalue() and "未发现问题" in out.getvalue()


@pytest.mark.parametrize("failure", ["cancelled after two chunks", "counter statement fails"])
def test_import_failing_halfway_leaves_counters_and_members_untouched(tree, monkeypatch, failure):
    import apps.excel.importer as importer
    from apps.core import bulk

    monkeypatch.setattr(importer, "BATCH", 2)
    monkeypatch.setattr(importer, "CANCEL_EVERY", 10**9)  # no cancel check during validation
    branches = [b for pair in tree["branches"] for b in pair]
    make_member(branches[1])
    before = _counters(branches)
    rows = [good_row(branches[i % 2]) for i in range(6)]
    checks = {"n": 0}

    def should_cancel():
        checks["n"] += 1
        return failure.startswith("cancelled") and checks["n"] > 2  # before the 3rd chunk

    if failure.startswith("counter"):

        def broken(*args, **kwargs):
            raise RuntimeError("counter write failed")

        monkeypatch.setattr(bulk, "add_to_counts", broken)
    with pytest.raises(ImportCancelled if failure.startswith("cancelled") else RuntimeError):
        import_members(xlsx(rows), dry_run=False, should_cancel=should_cancel, actor=system_actor("cli"))
    assert Member.objects.count() == 1 and ChangeLog.objects.filter(object_type="members.member", action="create").count() == 1
    assert _counters(branches) == before == _members_by_org(branches)


def test_row_with_empty_first_column_is_reported_not_skipped(branch):
    e = only_error(commit(xlsx([good_row(branch), good_row(branch, 姓名=None)])))
    assert (e.row, e.column, e.header) == (3, "A", "姓名") and "必填" in e.message


def test_skips_the_services_per_row_duplicate_query_when_it_can(tree, monkeypatch):
    """When validate_member_data accepts check_duplicate, the importer passes False and
    relies on its own bulk blind-index check — with the same outcomes."""
    from apps.members import services as member_services

    original = member_services.validate_member_data
    calls = []

    def validate(data, *, instance=None, today=None, check_duplicate=True):
        calls.append(check_duplicate)
        return original(data, instance=instance, today=today)

    monkeypatch.setattr(member_services, "validate_member_data", validate)
    mine, other = tree["branches"][0][0], tree["branches"][1][0]
    existing = make_member(other)
    secretary = make_user("branch_secretary", mine)
    dup = good_row(mine, 公民身份号码=existing.reveal_id_number(), 出生日期=existing.birth_date, 性别=existing.get_sex_display())
    calls.clear()
    r = commit(xlsx([good_row(mine), dup]), actor=secretary)
    e = only_error(r)
    assert (e.row, e.column) == (3, "E") and "已有在册党员记录" in e.message
    assert calls and not any(calls)


def test_reimported_export_matches_ended_records_instead_of_duplicating_them(branch):
    """A full roster export holds ended records (死亡, 出党) too. Re-imported into the same
    register, each row is its record (unchanged), not a second record; a row with an
    active status and the number of an ended record is a new record (readmission)."""
    from apps.excel.exporter import export_members
    from apps.members import services as member_services

    alive = make_member(branch)
    gone = make_member(branch)
    member_services.change_status(gone, "deceased", date=datetime.date(2024, 5, 1), reason="病故", actor=system_actor("cli"))
    data = export_members(Member.objects.all(), full_pii=True).getvalue()
    preview = import_members(data, dry_run=True, actor=system_actor("cli"))
    assert preview.ok, [str(e) for e in preview.errors]
    assert (preview.to_create, preview.unchanged) == (0, 2)
    assert commit(data).created == 0 and Member.objects.count() == 2

    row = good_row(branch)
    gone.refresh_from_db()
    row.update({"公民身份号码": gone.reveal_id_number(), "出生日期": gone.birth_date, "性别": "男" if gone.sex == "M" else "女"})
    readmitted = import_members(xlsx([row]), dry_run=True, actor=system_actor("cli"))
    assert readmitted.ok, [str(e) for e in readmitted.errors]
    assert readmitted.to_create == 1, "an active row with an ended record's number is a new record"
    assert alive.pk != gone.pk


@pytest.mark.parametrize(
    ("label", "code"),
    [("停止党籍", "suspended"), ("出党·除名", "removed"), ("出党·开除", "expelled"), ("出党·退党", "withdrawn")],
)
def test_a_new_record_cannot_start_in_a_status_a_procedure_sets(branch, label, code):
    """停止党籍 and 出党 (除名、开除、劝退) are set by their engine (appraisal's handling, the
    sanction), with history: the import refuses to create a member in them, names the row,
    the column and the page, and writes nothing."""
    first = good_row(branch)
    bad = good_row(branch, 党籍状态=label)
    before = Member.objects.count()
    preview = import_members(xlsx([first, bad]), dry_run=True, actor=system_actor("cli"))
    e = only_error(preview)
    assert e.row == 3 and e.header == "党籍状态"
    assert "党籍状态不能为“" in e.message and "须按规定程序办理" in e.message
    r = commit(xlsx([first, bad]))
    assert not r.ok and Member.objects.count() == before
    assert not Member.objects.filter(status=code).exists()


def test_a_new_record_may_still_be_imported_as_deceased_or_normal(branch):
    """Only the procedure statuses are refused: 死亡 (no engine) and the active statuses import."""
    r = commit(xlsx([good_row(branch, 党籍状态="死亡"), good_row(branch, 党籍状态="正常")]))
    assert r.ok, [str(e) for e in r.errors]
    assert sorted(Member.objects.values_list("status", flat=True)) == ["deceased", "normal"]
