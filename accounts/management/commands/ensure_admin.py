import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts.roles import ADMINISTRATOR


class Command(BaseCommand):
    help = "Make sure an administrator account exists; a new one gets a generated password, printed once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Administrator '{username}' already exists "
                f"(forgotten password: python manage.py changepassword {username})."
            )
            return
        # Never a fixed, well-known password: one generated per installation.
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email="", password=password)
        user.groups.add(Group.objects.get(name=ADMINISTRATOR))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created administrator '{username}' with password: {password}\n"
                "It is shown only this once; change it after logging in."
            )
        )
