"""factory_boy factories for the models tests need in bulk. Roles are given through the services, as users would."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from lms.schools.models import Organisation, School


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    kind = "department"
    name = factory.Sequence(lambda n: f"Sở Giáo dục và Đào tạo {n}")
    code = factory.Sequence(lambda n: f"S{n:02d}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    code = factory.Sequence(lambda n: f"99{n:06d}")
    name = factory.Sequence(lambda n: f"Trường THPT Thử Nghiệm {n}")
    level = "upper_secondary"
    organisation = factory.SubFactory(OrganisationFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nguoidung{n}")
    last_name = "Nguyễn Văn"
    first_name = factory.Sequence(lambda n: f"An{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@truong.example.vn")
    password = factory.django.Password("matkhau-thu-nghiem")
