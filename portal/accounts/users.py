"""The user model: e-mail is the identity, unique whatever its case."""

import functools
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower

from portal.core.joined import columns, raw_list


class UserManager(DjangoUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def get(self, *args, **kwargs):
        """`get(pk=<int>)`, the signed-in person's read on every request (ModelBackend.get_user), in a
        written-out statement: compiling the ORM's SELECT cost more than running it. Any other lookup
        is the ORM's."""
        if args or kwargs.keys() != {"pk"} or type(kwargs["pk"]) is not int:
            return super().get(*args, **kwargs)
        found = raw_list(self.model, _user_by_id_sql(), [kwargs["pk"]], using=self.db)
        if not found:
            raise self.model.DoesNotExist(f"No {self.model._meta.object_name} {kwargs['pk']}")
        return found[0]


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # django-stubs declares managers as ClassVars

    class Meta:
        # The model stayed in the `portal` app when its module moved here: AUTH_USER_MODEL is portal.User.
        app_label = "portal"
        db_table = "portal_user"
        verbose_name = "user"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)


@functools.cache
def _user_by_id_sql() -> str:
    return f"SELECT {columns(User, 'u')} FROM portal_user u WHERE u.id = %s"  # noqa: S608 - columns from the model
