"""Create one group per role (岗位); permissions in the app follow the group names."""

from django.db import migrations

ROLES = ["agent", "dispatcher", "technician", "parts_clerk", "quality", "manager", "admin", "customer"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
