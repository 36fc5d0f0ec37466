from django.db import migrations


def install_shipped(apps, schema_editor):
    from sarv.calendars import shipped

    shipped.install(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("calendars", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install_shipped, migrations.RunPython.noop),
    ]
