from django.core.management.base import BaseCommand

from apps.accounts import services

from ._common import acting, add_as_argument, get_user


class Command(BaseCommand):
    help = "解除账号的登录锁定（所有地址），记入敏感操作日志：USERNAME"

    def add_arguments(self, parser):
        parser.add_argument("username")
        add_as_argument(parser)

    def handle(self, *args, **opts):
        user = get_user(opts["username"])
        with acting(opts["as_user"]) as actor:
            count = services.unlock_user(user, actor=actor)
        if count:
            self.stdout.write(self.style.SUCCESS(f"已解除 {user.username} 的登录锁定（{count}个地址）"))
        else:
            self.stdout.write(f"{user.username} 没有被锁定的登录（已清除失败记录）")
