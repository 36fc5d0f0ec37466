from django.db import migrations

# (code, parent, name_fa, name_en, maps_to_service)
CLASSES = [
    ("hardware", None, "سخت‌افزار", "Hardware", False),
    ("server", "hardware", "سرور", "Server", False),
    ("network_device", "hardware", "تجهیز شبکه", "Network device", False),
    ("storage", "hardware", "ذخیره‌ساز", "Storage", False),
    ("software", None, "نرم‌افزار", "Software", False),
    ("application", "software", "برنامه کاربردی", "Application", False),
    ("database", "software", "پایگاه داده", "Database", False),
    ("middleware", "software", "میان‌افزار", "Middleware", False),
    ("business_service", None, "خدمت کسب‌وکار", "Business service", True),
    ("technical_service", None, "خدمت فنی", "Technical service", True),
    ("location", None, "مکان", "Location", False),
    ("contract", None, "قرارداد", "Contract", False),
]

# (code, name_fa, name_en, inverse_fa, inverse_en, propagation, containment, symmetric)
TYPES = [
    ("depends_on", "وابسته به", "depends on", "مورد استفاده", "used by", "to_source", False, False),
    ("runs_on", "اجرا روی", "runs on", "میزبان", "hosts", "to_source", False, False),
    ("connected_to", "متصل به", "connected to", "متصل به", "connected to", "both", False, True),
    ("contains", "شامل", "contains", "جزئی از", "part of", "to_target", True, False),
    ("provides", "ارائه‌دهنده", "provides", "ارائه‌شده توسط", "provided by", "to_target", False, False),
]

# (type, source class, target class): the source class and its subclasses to the target class and its subclasses.
RULES = [
    ("depends_on", "business_service", "business_service"),
    ("depends_on", "business_service", "technical_service"),
    ("depends_on", "business_service", "software"),
    ("depends_on", "technical_service", "technical_service"),
    ("depends_on", "technical_service", "software"),
    ("depends_on", "technical_service", "hardware"),
    ("depends_on", "software", "software"),
    ("depends_on", "software", "technical_service"),
    ("depends_on", "hardware", "hardware"),
    ("depends_on", "hardware", "contract"),
    ("depends_on", "software", "contract"),
    ("runs_on", "software", "hardware"),
    ("runs_on", "software", "software"),
    ("connected_to", "hardware", "hardware"),
    ("contains", "location", "location"),
    ("contains", "location", "hardware"),
    ("contains", "hardware", "hardware"),
    ("contains", "software", "software"),
    ("provides", "software", "business_service"),
    ("provides", "software", "technical_service"),
    ("provides", "technical_service", "business_service"),
    ("provides", "hardware", "technical_service"),
]


def ship(apps, schema_editor):
    CIClass = apps.get_model("cmdb", "CIClass")
    RelationshipType = apps.get_model("cmdb", "RelationshipType")
    RelationshipRule = apps.get_model("cmdb", "RelationshipRule")
    classes = {}
    for order, (code, parent, name_fa, name_en, maps) in enumerate(CLASSES):
        parent_obj = classes.get(parent)
        path = f"{parent_obj.path if parent_obj else ''}{code}/"
        classes[code], _created = CIClass.objects.get_or_create(code=code, defaults={
            "parent": parent_obj, "path": path, "name_fa": name_fa, "name_en": name_en,
            "maps_to_service": maps, "sort_order": order,
        })
    types = {}
    for order, (code, name_fa, name_en, inv_fa, inv_en, propagation, containment, symmetric) in enumerate(TYPES):
        types[code], _created = RelationshipType.objects.get_or_create(code=code, defaults={
            "name_fa": name_fa, "name_en": name_en, "inverse_name_fa": inv_fa, "inverse_name_en": inv_en,
            "propagation": propagation, "is_containment": containment, "is_symmetric": symmetric,
            "sort_order": order,
        })
    for type_code, source, target in RULES:
        RelationshipRule.objects.get_or_create(
            type=types[type_code], source_class=classes[source], target_class=classes[target]
        )


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0001_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
