"""Issue 15: recruitment's 入党积极分子/发展对象 training classes are education training
classes of those kinds (one class mechanism, not two). Recruitment enrols its development
files; step 11 (集中培训) reads the class's completion, days and hours from education."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.scoping import ScopeError
from apps.education import services as education
from apps.education.models import ClassSession, TrainingClass
from apps.recruitment import engine, services
from apps.recruitment.models import DevelopmentStep, TrainingRecord
from tests.factories import make_member, make_user
from tests.recruitment.helpers import D, before_step, new_file

CLI = system_actor("cli")


def _class(org, **over):
    data = {
        "organisation": org,
        "name": "2024年第一期入党积极分子培训班",
        "start_date": D(2024, 4, 1),
        "end_date": D(2024, 4, 3),
        "days": 3,
        "hours": 24,
    }
    data.update(over)
    return services.create_training_class(data, actor=CLI)


def test_class_is_an_education_class_with_a_session_a_day(tree):
    county = tree["county"]
    c = _class(county, kind="development", name="2024年发展对象培训班", hours=20)
    assert isinstance(c, TrainingClass)
    assert (c.kind, c.level, c.organisation, c.status) == ("development", "county", county, "open")
    sessions = list(ClassSession.objects.filter(training_class=c).order_by("date"))
    assert [s.date for s in sessions] == [D(2024, 4, 1), D(2024, 4, 2), D(2024, 4, 3)]
    assert [str(s.hours) for s in sessions] == ["6.6", "6.6", "6.8"]  # the hours shared, none lost
    # a committee's class is a township party school class, hours left empty count full days
    township = _class(tree["committees"][0], hours=0)
    assert township.level == "township"
    assert sum(s.hours for s in township.sessions.all()) == 24


@pytest.mark.parametrize(
    "over, field, text",
    [
        ({"days": 0}, "days", "天数至少为1天"),
        ({"days": 5}, "days", "天数不能超过开班到结业的3天"),
        ({"hours": -1}, "hours", "学时不能为负数"),
        ({"days": 1, "hours": 20}, "hours", "第1天：一次课程最多按全天8学时计算"),
        ({"kind": "rotation"}, "kind", "不是入党积极分子培训班或发展对象培训班"),
        ({"name": ""}, "title", "班次名称为必填项"),
        ({"end_date": D(2024, 3, 1)}, "end_date", "结业日期不能早于开班日期"),
    ],
)
def test_bad_class_is_refused_in_chinese_and_nothing_written(tree, over, field, text):
    with pytest.raises(ValidationError) as exc:
        _class(tree["county"], **over)
    assert text in "；".join(exc.value.message_dict[field])
    assert not TrainingClass.objects.exists() and not ClassSession.objects.exists()


def test_class_of_another_branch_is_refused(tree):
    other = make_user("branch_secretary", tree["branches"][1][0])
    with pytest.raises(ScopeError):
        services.create_training_class(
            {"organisation": tree["branches"][0][0], "name": "x", "start_date": D(2024, 4, 1), "end_date": D(2024, 4, 3), "days": 3},
            actor=other,
        )
    assert not TrainingClass.objects.exists()


def test_step_11_reads_completion_from_the_education_class(tree):
    branch = tree["branches"][0][0]
    f = before_step(new_file(branch), "training")
    c = _class(tree["county"])
    assert services.enrol(c, [f], actor=CLI) == 1
    assert services.enrol(c, [f], actor=CLI) == 0  # a second registration adds nothing
    file = engine._fresh(f)
    assert engine.training_credit(file) == (0, 0, ["2024年第一期入党积极分子培训班"])
    with pytest.raises(ValidationError) as exc:
        engine.take_step(f, "training", date=D(2024, 4, 10), actor=CLI, data={})
    assert "现累计0天、0学时；“2024年第一期入党积极分子培训班”尚未结业，结业后计入" in str(exc.value)
    assert not DevelopmentStep.objects.filter(file=f, code="training").exists()
    # a class of files has no member attendance: it completes without a roll call
    assert education.finish_class(c, actor=CLI, on=D(2024, 4, 3)) == {"completed": 0, "not_completed": 0}
    assert engine.training_credit(engine._fresh(f)) == (3, 24, [])
    engine.take_step(f, "training", date=D(2024, 4, 10), actor=CLI, data={})
    assert DevelopmentStep.objects.filter(file=f, code="training").exists()


def test_hours_entered_with_the_step_and_class_hours_add_up(tree):
    f = before_step(new_file(tree["branches"][0][0]), "training")
    c = _class(tree["county"], days=1, hours=8, end_date=D(2024, 4, 1))
    services.enrol(c, [f], actor=CLI)
    education.finish_class(c, actor=CLI, on=D(2024, 4, 1))
    with pytest.raises(ValidationError) as exc:
        engine.take_step(f, "training", date=D(2024, 4, 10), actor=CLI, data={"days": 1, "hours": 8})
    assert "现累计2天、16学时" in str(exc.value)
    engine.take_step(f, "training", date=D(2024, 4, 10), actor=CLI, data={"days": 1, "hours": 16})


def test_enrolment_bad_paths(tree):
    branch, sibling = tree["branches"][0]
    c = _class(branch)
    applicant = new_file(branch)
    with pytest.raises(ValidationError) as exc:
        services.enrol(c, [applicant], actor=CLI)
    assert "不是入党积极分子或发展对象，不能登记参训" in exc.value.message_dict["files"][0]
    elsewhere = before_step(new_file(sibling), "activist_filed")
    with pytest.raises(ValidationError) as exc:
        services.enrol(c, [elsewhere], actor=CLI)
    assert "不属于举办组织" in exc.value.message_dict["files"][0]
    general = education.create_class(
        {"organisation": branch, "title": "专题班", "level": "branch", "start_date": D(2024, 4, 1), "end_date": D(2024, 4, 1)}, actor=CLI
    )
    activist = before_step(new_file(branch), "activist_filed")
    with pytest.raises(ValidationError) as exc:
        services.enrol(general, [activist], actor=CLI)
    assert "不是入党积极分子培训班或发展对象培训班" in exc.value.message_dict["files"][0]
    education.finish_class(c, actor=CLI, on=D(2024, 4, 3))
    with pytest.raises(ValidationError) as exc:
        services.enrol(c, [activist], actor=CLI)
    assert "已结业，不能再登记参训人员" in exc.value.message_dict["files"][0]
    outsider = make_user("branch_secretary", tree["branches"][1][0])
    with pytest.raises(ScopeError):
        services.enrol(_class(branch, name="第二期"), [activist], actor=outsider)
    assert not TrainingRecord.objects.exists()


def test_members_are_not_enrolled_in_a_class_of_files(tree):
    branch = tree["branches"][0][0]
    c = _class(branch)
    with pytest.raises(ValidationError) as exc:
        education.enrol(c, make_member(branch), actor=CLI)
    assert "学员是入党积极分子和发展对象" in exc.value.message_dict["member"][0]
    assert not c.enrolments.exists()


def test_education_class_list_counts_files_in_fixed_queries(client, tree):
    county = tree["county"]
    admin = make_user("county_admin", county)
    client.force_login(admin)
    url = reverse("education:classes") + "?kind=activist"

    def classes(n, tag):
        for i in range(n):
            c = _class(county, name=f"{tag}{i}期", start_date=D(2024, 5, 1), end_date=D(2024, 5, 3))
            services.enrol(c, [before_step(new_file(tree["branches"][0][0]), "activist_filed")], actor=CLI)

    classes(1, "春季班")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    classes(4, "秋季班")
    with CaptureQueriesContext(connection) as big:
        html = client.get(url).content.decode()
    assert len(big) == len(small)
    assert html.count('data-label="学员">1<') == 5


def test_enrolment_page_of_a_finished_class_has_no_form_and_other_classes_go_to_education(client, tree):
    branch = tree["branches"][0][0]
    sec = make_user("branch_secretary", branch)
    client.force_login(sec)
    c = _class(branch)
    f = before_step(new_file(branch), "activist_filed")
    services.enrol(c, [f], actor=CLI)
    education.finish_class(c, actor=CLI, on=D(2024, 4, 3))
    html = client.get(reverse("recruitment:training_enrol", args=[c.pk])).content.decode()
    assert "已结业" in html and "登记所选" not in html and f.name in html
    assert client.post(reverse("recruitment:training_enrol", args=[c.pk]), {"files": [f.pk]}).status_code == 302
    assert TrainingRecord.objects.count() == 1
    general = education.create_class(
        {"organisation": branch, "title": "专题班", "level": "branch", "start_date": D(2024, 4, 1), "end_date": D(2024, 4, 1)}, actor=CLI
    )
    r = client.get(reverse("recruitment:training_enrol", args=[general.pk]))
    assert r.status_code == 302 and r.url == reverse("education:class_detail", args=[general.pk])


@pytest.mark.django_db(transaction=True)
def test_migration_moves_old_classes_into_education():
    """recruitment 0004 copies each old class (days → sessions, ended → completed) and
    points its training records at the copy; the reverse copies them back."""
    from tests.factories import make_tree

    old_state, new_state = (
        [("recruitment", "0003_one_active_file_per_person")],
        [("recruitment", "0004_training_classes_are_education_classes")],
    )
    make_tree()  # organisations (their tables are untouched by the migration)
    from apps.orgs.models import Organisation

    county = Organisation.objects.get(org_type="county_committee")
    branch = Organisation.objects.filter(org_type="branch").order_by("path").first()
    f = before_step(new_file(branch), "activist_filed")
    executor = MigrationExecutor(connection)
    executor.migrate(old_state)
    try:
        old_apps = executor.loader.project_state(old_state).apps
        Old = old_apps.get_model("recruitment", "TrainingClass")
        Record = old_apps.get_model("recruitment", "TrainingRecord")
        past = Old.objects.create(
            organisation_id=county.pk, name="2023年第一期积极分子培训班", start_date=D(2023, 4, 1), end_date=D(2023, 4, 3), days=3, hours=25
        )
        future = Old.objects.create(
            organisation_id=branch.pk,
            name="发展对象培训班",
            start_date=datetime.date.today() + datetime.timedelta(days=30),
            end_date=datetime.date.today() + datetime.timedelta(days=31),
            days=2,
            hours=0,
        )
        Record.objects.create(file_id=f.pk, training_class=past, date=past.end_date, days=3, hours=25)
        Record.objects.create(file_id=f.pk, training_class=future, date=future.end_date, days=2, hours=0)
        executor = MigrationExecutor(connection)
        executor.migrate(new_state)
        moved = {c.title: c for c in TrainingClass.objects.all()}
        a, b = moved["2023年第一期积极分子培训班"], moved["发展对象培训班"]
        assert (a.kind, a.level, a.status, a.finished_on, a.org_path) == ("activist", "county", "finished", D(2023, 4, 3), county.path)
        assert (b.kind, b.level, b.status) == ("development", "branch", "open")
        assert [str(s.hours) for s in a.sessions.order_by("date")] == ["8.3", "8.3", "8.4"]
        assert all(s.attendance_taken for s in a.sessions.all()) and b.sessions.count() == 2
        assert set(TrainingRecord.objects.values_list("training_class__title", "days", "hours")) == {
            ("2023年第一期积极分子培训班", 0, 0),
            ("发展对象培训班", 0, 0),
        }
        # the completed class keeps its credit; the future one counts once it completes
        from apps.recruitment.models import DevelopmentFile

        assert engine.training_credit(DevelopmentFile.objects.get(pk=f.pk)) == (3, 25, ["发展对象培训班"])
        executor = MigrationExecutor(connection)
        executor.migrate(old_state)
        back_apps = executor.loader.project_state(old_state).apps
        rows = back_apps.get_model("recruitment", "TrainingRecord").objects.select_related("training_class")
        assert sorted((r.training_class.name, r.days, r.hours) for r in rows) == [
            ("2023年第一期积极分子培训班", 3, 25),
            ("发展对象培训班", 2, 16),
        ]
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
