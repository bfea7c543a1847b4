from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "apps.members"
    label = "members"
    verbose_name = "党员"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.core import crypto, registry
        from apps.core.history import register_value_display, register_value_labels

        from . import codes, exports, todo, tree  # noqa: F401
        from .models import Member

        crypto.register_encrypted(Member, ("id_number_enc", "id_number_hash"), ("phone_enc", "phone_hash"))
        register_value_labels("categories", dict(codes.CATEGORY_CHOICES), field_label="党员类别")
        # A change request's 原值/申请改为 are codes of its 修改项 (学历 or 学位).
        by_field = {"education": dict(codes.EDUCATION_CHOICES), "degree": dict(codes.DEGREE_CHOICES)}
        either = {**by_field["degree"], **by_field["education"]}

        def requested_value(value, context, names):
            return str(by_field.get(context.get("field"), either).get(value, value))

        for field in ("old_value", "new_value"):
            register_value_display("members.memberchangerequest", field, requested_value)

        # what the organisation tree must know about the members it holds (apps.members.tree)
        registry.org_holdings.register(registry.OrgHolding("members", tree.dissolve_refusal))
        registry.org_warnings.register(registry.OrgWarnings("branch_size", tree.branch_size_warnings))
        registry.tree_checks.register(registry.TreeCheck("member_counts", tree.check_counts, order=10))
        registry.tree_checks.register(registry.TreeCheck("member_placements", tree.check_placements, order=20))
        registry.pickers.register(registry.Picker("member", tree.member_picker))

        registry.nav("registry", _("党员名册"), "members:list", "view", order=30)
        registry.nav("registry", _("信息修改审核"), "members:change_requests", "change", order=40)
        registry.nav("registry", _("我的信息"), "members:me", "change_self", order=50)
