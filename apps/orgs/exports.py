"""The organisation list screens that offer “导出Excel” (registered in OrgsConfig.ready())."""

from apps.core.columns import date, display, month  # noqa: F401
from apps.core.registry import ListExport, lists

from . import selectors as orgs

register = lists.register

register(
    ListExport(
        "orgs_terms",
        "换届提醒",
        orgs.terms_list,
        [
            ("组织", "name", 30),
            ("类别", display("org_type"), 10),
            ("上级组织", lambda o: o.parent_org.display_name if o.parent_org else "", 30),
            ("任期开始", lambda o: date(o.term_start), 12),
            ("任期届满", lambda o: date(o.term_end), 12),
            ("状态", lambda o: orgs.TERM_BADGE[o.state][1], 10),
        ],
        prepare=orgs.with_term_state,
        page="orgs:terms",
    )
)
