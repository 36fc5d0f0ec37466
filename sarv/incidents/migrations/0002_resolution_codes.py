from django.db import migrations

# Codes most service desks start with; administrators rename, add and retire them under Settings.
CODES = [
    ("solved_permanently", "رفع دائمی", "Solved permanently"),
    ("solved_workaround", "رفع با راه‌حل موقت", "Solved with a workaround"),
    ("no_fault_found", "ایرادی یافت نشد", "No fault found"),
    ("user_error", "خطای کاربر", "User error"),
    ("duplicate", "تکراری", "Duplicate"),
    ("not_reproducible", "قابل تکرار نیست", "Not reproducible"),
    ("solved_by_supplier", "رفع توسط تأمین‌کننده", "Solved by the supplier"),
]


def add_codes(apps, schema_editor):
    ResolutionCode = apps.get_model("incidents", "ResolutionCode")
    for order, (code, name_fa, name_en) in enumerate(CODES):
        ResolutionCode.objects.get_or_create(
            code=code, defaults={"name_fa": name_fa, "name_en": name_en, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(add_codes, migrations.RunPython.noop)]
