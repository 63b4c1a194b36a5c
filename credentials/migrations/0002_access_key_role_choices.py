"""An access key's role becomes one of the membership roles.

Before, the admin could save any text ("superadmin"), which then acted as a member: such keys are
given the role they acted with, ``member``, so that nothing an existing key may do changes.
"""

from django.db import migrations, models

ROLES = ("admin", "member")


def unknown_roles_to_member(apps, schema_editor):
    AccessKey = apps.get_model("credentials", "AccessKey")
    AccessKey.objects.exclude(role__in=ROLES).update(role="member")


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(unknown_roles_to_member, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="accesskey",
            name="role",
            field=models.CharField(
                choices=[("admin", "Organization Admin"), ("member", "Member")], default="member", max_length=10
            ),
        ),
    ]
